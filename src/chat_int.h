/* chat_int: what chat.c (the session core) shares with chat_edit.c (the changes that
 * send nothing). Only chat*.c include this. */
#ifndef CHERRY_CHAT_INT_H
#define CHERRY_CHAT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cherry/err.h"

/* No answer streams or is followed (stream, answer, jmsg). */
#define CHAT_NO_STREAM SIZE_MAX

struct chat;
/* chat_delta no longer keeps its place in msg (CHAT_NO_STREAM: in any answer). */
void chat_forget_pos(struct chat *c, size_t msg);

/* Says "out of memory" in e (after a line already there); -1. */
int chat_oom(struct err *e);
struct chat;
/* A new empty answer under parent (a message id), made current, as a send makes it. */
int chat_add_answer(struct chat *c, const char *parent, const char *provider, const char *model,
		    double now, size_t *answer);
/* The indexes of the messages sent for the answer at index answer, root first (caller
 * frees *sent). tools 0 (chat_request_msgs, for requests without tools): answers without
 * text are left out even when they called tools, and results go as text. 0 or -1. */
int chat_sent_idx(const struct chat *c, size_t answer, int tools, size_t **sent, size_t *n);

/* The journal's side of a save (chat_journal.c). */
struct chat_pos;
struct chat_jmsg;
/* The streaming place of answer msg (NULL: none). */
const struct chat_pos *chat_pos_of(const struct chat *c, size_t msg);
/* Message i's content and reasoning lengths as memory holds them. */
void chat_text_lens(const struct chat *c, size_t i, size_t len[2]);
/* After a whole save or a journal append: everything is held. */
void chat_saved_all(struct chat *c);
/* Message msg is about to change: its text grows (chat_note), or its other fields
 * (chat_meta: the next save journals it without its text). */
struct chat_jmsg *chat_note(struct chat *c, size_t msg);
void chat_meta(struct chat *c, size_t msg);
/* The conversation's header or tree changed (a message added or made current, a title,
 * a model): the next save journals the header; counted in c->changes. */
static inline void chat_head(struct chat *c)
{
	c->tail = c->jhead = 1;
	c->changes++;
}
/* chat_delete_msg's deletion, its record noted: the number removed, or -1 (OOM, e). */
int chat_delete_noted(struct chat *c, size_t msg, double now, struct err *e);
/* Appends what changed since the last save to the journal: 0, or -1 when the journal
 * cannot hold it (then the file is to be written whole). */
int chat_journal_save(struct chat *c);

#endif
