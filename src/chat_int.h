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

#endif
