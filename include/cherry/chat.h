/* chat: one open conversation, the session both faces drive (`cherry ask` and the
 * full-screen client): the message tree in memory (send, stream into, finish, retry as a
 * sibling branch, flip between siblings, rename, system prompt, delete), kept on disk
 * through histstore with its lock held. Changes only touch memory and mark the
 * conversation dirty; the caller saves, on its loop's timer (chat_tick) and at the ends
 * of an exchange (chat_save), never from inside a transfer callback. A save costs what
 * was added: saves append to the conversation's journal (journal.h) what changed since
 * the last one (new messages, the new text of every answer streaming in, an answer's
 * end, the header) and the journal stays when the session ends; the file is written
 * whole, which folds the journal in, only for the other changes, once the journal is
 * past half the file's size (histstore_journal_full), and when a small conversation is
 * closed (chat_close). */
#ifndef CHERRY_CHAT_H
#define CHERRY_CHAT_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/err.h"
#include "cherry/history.h"
#include "cherry/histstore.h"
#include "cherry/wire.h"

/* Unsaved changes are written at least this often while the caller ticks (seconds). */
#define HIST_SAVE_INTERVAL 0.5
/* Answers chat_delta keeps its place in at once (more still work, rescanning). */
#define CHAT_POS_SLOTS 16

struct chat {
	struct histstore *store;  /* not owned; NULL: never written (ask --no-save) */
	struct hist_conv conv;
	int lock_fd;              /* held while open; -1 when not locked */
	int readonly;             /* locked by another cherry, or a newer format: never saved */
	int on_disk;              /* the file exists (a new conversation is first written on save) */
	int dirty;                /* changes not saved yet that need the file written whole */
	int tail;                 /* changes not saved yet that the journal can hold: new
				   * messages, new text of the followed answer, the header */
	double last_save;         /* the now of the last save attempt */
	int save_warned;          /* a failed save was reported once */
	char readonly_why[160];   /* why it is read-only ("is open in another cherry (pid 7)") */
	size_t stream;            /* the answer chat_delta last appended to; SIZE_MAX none */
	/* The answers being streamed into (several at once when models answer side by
	 * side): each one's content and reasoning length and allocation, so that appending
	 * a token does not rescan the text. A slot's msg is SIZE_MAX when free. */
	struct chat_pos {
		size_t msg;
		size_t len[2], cap[2];
	} pos[CHAT_POS_SLOTS];
	size_t answer;            /* the answer last sent or retried; SIZE_MAX none */
	size_t saved_len;         /* its text's bytes held by the last completed save */
	int jfd;                  /* the journal, open for appending; -1 none */
	int jhead;                /* the header (title, current...) changed since */
	size_t jn;                /* messages held by the last save (file and journal) */
	size_t jkeep;             /* bytes of a journal the open applied, to append to */
	size_t jbytes, jfile;     /* the journal's bytes, and those of the file it continues */
	/* Messages held by the last save whose text grew or that ended since (their
	 * records go in the next save): each one's content and reasoning bytes held. */
	struct chat_jmsg {
		size_t msg;
		size_t saved[2];
		int meta;         /* its other fields changed (it ended, a mark, calls) */
	} jm[CHAT_POS_SLOTS];
	size_t njm;
	/* Messages deleted since the last save that it held (each with all below it). */
	char jdel[CHAT_POS_SLOTS][HIST_ID_MAX + 1];
	size_t njdel;
	size_t jlast;             /* the message chat_delta last noted in jm (or new) */
	/* Bumped by every change to the conversation but an answer's text growing
	 * (chat_delta): what depends on the rest (the client's totals) is counted again
	 * only when it moves. Each conversation opened starts from its own multiple of
	 * 2^40, so that two never share a count. */
	unsigned long long changes;
	/* A whole save written behind, in flight (chat_writing), and changes when it began. */
	struct histstore_write *writing;
	unsigned long long write_changes;
	size_t write_answer, write_len; /* the answer then, and its bytes the write holds */
};

/*
 * Lines to show: besides the documented errors, chat_send and chat_retry leave a line in
 * e (e->code != 0) when a read-only conversation was copied into a new one, and
 * chat_save and chat_tick leave one when a save failed. A failed save is reported once
 * until a save succeeds again (later failures of the same streak leave e alone); the
 * conversation stays whole in memory and the next chat_save or chat_tick retries. The
 * lines are not sanitised.
 */

/* A new, empty conversation (a fresh id; nothing is written until the first save). With
 * s NULL it is never written at all (its id is ""): every save is a no-op. */
int chat_new(struct chat *c, struct histstore *s, double now, struct err *e);
/* Opens a conversation by id or unique id prefix, taking its lock. Returns 0; 1 when it
 * opened read-only (another cherry holds it, a newer cherry wrote it, or it cannot be
 * locked: e says which, as a line to show); -1 when it cannot be opened (e says why,
 * histstore's line for a corrupt file, which is moved aside; c is left empty, and
 * chat_close on it is harmless). */
int chat_open(struct chat *c, struct histstore *s, const char *id, struct err *e);
/* Saves what is unsaved (an answer still marked interrupted stays so), unlocks, frees.
 * A conversation of at most CHAT_FOLD_SMALL bytes (file and journal) that this session
 * appended to is written whole (its journal folded in); a bigger one keeps its journal. */
#define CHAT_FOLD_SMALL (64u * 1024)
void chat_close(struct chat *c);
/* The same on a conversation of its own allocation (the client keeps several): *out is
 * set on success (0; chat_open_alloc also 1), freed by chat_close_free. */
int chat_new_alloc(struct histstore *s, double now, struct chat **out, struct err *e);
int chat_open_alloc(struct histstore *s, const char *id, struct chat **out, struct err *e);
void chat_close_free(struct chat *c);

/* Writes the conversation if it has unsaved changes, first taking the lock of a new or
 * copied one (another holder means its id got taken: it moves to a fresh id). 0 saved or
 * nothing to do (also for a read-only conversation, or one with no store or no
 * messages yet), -1 the save failed (e set the first time of a streak only). */
int chat_save(struct chat *c, double now, struct err *e);
/* Written behind (the store's write_behind): a conversation on disk that is to be
 * written whole is written on a thread of its own, chat_save and chat_tick then saying 0
 * and 1 for a write begun; while it is in flight the changes wait, and chat_tick (or
 * chat_save) collects it, says a failure, and saves them. chat_writing: one is in
 * flight, so the loop is to tick soon. chat_close and chat_delete wait for it. */
int chat_writing(const struct chat *c);
/* 1 when the conversation has changes no save holds yet (the file's or the journal's). */
int chat_unsaved(const struct chat *c);
/* Call from the loop's timer path (at least every 0.25 s while an answer streams): saves
 * when there are unsaved changes and HIST_SAVE_INTERVAL has passed since the last save
 * attempt (or the clock went back). 1 saved, 0 nothing to do, -1 the save failed. */
int chat_tick(struct chat *c, double now, struct err *e);

/*
 * Sends a prompt: adds the user message under the current leaf and an empty assistant
 * answer (status interrupted until finished, provider/model recorded) under it, makes
 * the answer the current leaf, remembers provider/model as the conversation's model and
 * titles an untitled conversation from the prompt. A read-only conversation is first
 * copied into a new one (its current branch, with a fresh id whose lock the first save
 * takes), which c then becomes; e holds a line saying so and 1 is returned. *answer gets
 * the answer's index in conv.msgs. Returns 0 or 1, or -1 (OOM, or no new id for the
 * copy; e says why).
 */
int chat_send(struct chat *c, const char *prompt, const char *provider, const char *model,
	      double now, size_t *answer, struct err *e);
/*
 * Asks again: a new empty answer as a sibling of the current branch's last answer (under
 * the same user message), made current; the earlier answer stays. Returns 0 with
 * *answer, 1 when there is nothing to retry (no user message on the branch), -1 OOM.
 * A read-only conversation is first copied as in chat_send (0, with e saying so).
 */
int chat_retry(struct chat *c, const char *provider, const char *model, double now,
	       size_t *answer, struct err *e);
/* Edit and resend: the prompt as a new sibling of the user message at index edited
 * (under the same parent), with its answer, as chat_send does otherwise (also for a
 * read-only conversation, where edited must be on the current branch). The earlier
 * message and what followed it stay as a sibling branch. -1 with e when edited is no
 * user message. */
int chat_send_edit(struct chat *c, size_t edited, const char *prompt, const char *provider,
		   const char *model, double now, size_t *answer, struct err *e);
/* chat_retry under the user message at index user (anywhere in the tree; on the current
 * branch for a read-only conversation). -1 with e when it is no user message. */
int chat_retry_at(struct chat *c, size_t user, const char *provider, const char *model,
		  double now, size_t *answer, struct err *e);
/* The messages to send for the answer at index answer: the branch from the root to the
 * answer's parent, leaving out assistant answers without text (even those that only
 * called tools: chat_request_full sends calls and results), and stopping at a message
 * with a context break (it and those above it are not sent). *msgs is malloc'd (caller
 * frees); the strings belong to the conversation and stay valid until it next changes.
 * 0 or -1. */
int chat_request_msgs(const struct chat *c, size_t answer, struct wire_msg **msgs, size_t *n);
/* Tool calls and results (chat_tools.c). */
/* Saves the calls the answer asked for with it, and the provider's opaque items to send
 * back with them (wire_stream.items; NULL none); an id cherry made up (the kind gave
 * none) becomes one unique in the conversation. 0 or -1 (OOM, e). */
int chat_add_calls(struct chat *c, size_t answer, const struct wire_call *calls, size_t n,
		   const char *items, double now, struct err *e);
/* A tool's result as a message of its own (role "tool") under the message at index
 * parent, made current; *result gets its index. full: the result's bytes before it was
 * capped, 0 when it was not. 0 or -1 (OOM, e). */
int chat_add_result(struct chat *c, size_t parent, const char *call_id, const char *name,
		    const char *text, int error, long long full, double now, size_t *result,
		    struct err *e);
/* The next answer of a tool loop: a new empty answer under the message at index parent
 * (the last result), as chat_send makes one. 0 or -1 (OOM, e). */
int chat_answer_after(struct chat *c, size_t parent, const char *provider, const char *model,
		      double now, size_t *answer, struct err *e);
/* What the request for the answer at index answer sends: chat_request_msgs' messages
 * (with the answers that only called tools), and what their tool calls and results
 * carry (extra NULL when the branch has none). An
 * answer's calls are sent only when every one has its result after it (a run that died
 * between leaves calls unanswered, which providers refuse). Strings belong to the
 * conversation. */
struct chat_request {
	struct wire_msg *msgs;
	size_t n;
	struct wire_msg_tools *extra;
	struct wire_tool_call *calls;
};
int chat_request_full(const struct chat *c, size_t answer, struct chat_request *r);
void chat_request_free(struct chat_request *r);
/* The bytes of msg's content: kept as it streams in, counted otherwise. */
size_t chat_content_len(const struct chat *c, size_t msg);
/* Appends streamed text (reasoning: reasoning text) to the answer. Memory only, so it may
 * be called from a transfer's write callback. NUL bytes are dropped. s is valid UTF-8
 * (every caller's text is a string jansson decoded): the journal writes it unchecked. */
void chat_delta(struct chat *c, size_t answer, const char *s, size_t len, int reasoning,
		double now);
/* Ends the answer with a status, its line (HIST_ERROR: the error; HIST_COMPLETE: the
 * provider's note, kept and shown with it; NULL none), usage (NULL unknown) and ttft
 * (< 0 unknown). 0, or -1 OOM (e). */
int chat_finish(struct chat *c, size_t answer, enum hist_status status, const char *line,
		const struct wire_usage *u, double ttft, double now, struct err *e);

/* The current branch, root first, as indexes into conv.msgs (caller frees *idx). 0/-1. */
int chat_branch(const struct chat *c, size_t **idx, size_t *n);
/* The message's place among its siblings of the same role and parent: *pos 0-based,
 * *count >= 1. */
void chat_siblings(const struct chat *c, size_t msg, size_t *pos, size_t *count);
/* Makes the previous (dir < 0) or next sibling of msg current, then follows its newest
 * children down to a leaf. 0 when it moved, 1 when there is no such sibling, -1 OOM. */
int chat_switch_sibling(struct chat *c, size_t msg, int dir, double now, struct err *e);

/* Makes the branch through msg current (msg, then its newest children down to a leaf).
 * 0, 1 when there is no such message, -1 OOM. */
int chat_show_msg(struct chat *c, size_t msg, double now, struct err *e);
/* Deletes msg and every message below it (hist_delete_subtree: indexes change, the
 * current leaf moves to a neighbour when it was among them). The number removed, or -1
 * (OOM, e). Not while an answer streams into the conversation. */
int chat_delete_msg(struct chat *c, size_t msg, double now, struct err *e);
/* Sets or clears the context break after msg (history.h). 0, or 1: no such message. */
int chat_set_context_break(struct chat *c, size_t msg, int on, double now, struct err *e);
/* Marks answer msg as the best of its siblings (their marks go), or unmarks it (on 0).
 * 0, or 1 when msg is no answer. */
int chat_set_best(struct chat *c, size_t msg, int on);
/* Fills dst (a new, empty conversation) with src's current branch from its root down to
 * the message upto, titled "TITLE (branch)", with src's system prompt and model. 0, or
 * -1 with e (upto is not on the branch, OOM). */
int chat_copy_branch(struct chat *dst, const struct chat *src, size_t upto, double now,
		     struct err *e);

/* Title (cut as hist_make_title does; NULL or blank clears it, so that the next send
 * titles it), system prompt (NULL or "" clears) and the conversation's model
 * ("provider/model"; NULL or "" clears; anything else is -1, EXIT_USAGE). A new
 * conversation keeps them for its first save; a read-only one keeps them in memory, and
 * the copy a send makes carries them. 0 or -1 (e). */
int chat_rename(struct chat *c, const char *title, double now, struct err *e);
int chat_set_system(struct chat *c, const char *system, double now, struct err *e);
int chat_set_model(struct chat *c, const char *spec, double now, struct err *e);
/* The system prompt (NULL none) and the model when it is a valid "PROVIDER/MODEL" (else
 * NULL): the defaults of `cherry ask -c`. Valid until the conversation next changes. */
const char *chat_system(const struct chat *c);
const char *chat_model(const struct chat *c);
/* Bytes of the answer's text held by the last completed save (0 when that save did not
 * hold it: only the answer last sent or retried is followed). For the crash tests. */
size_t chat_saved_len(const struct chat *c, size_t answer);
/* Deletes the conversation's file (and lock); c is closed afterwards (a conversation not
 * on disk yet is only closed). -1 with e, c still open, when it fails or another cherry
 * holds the conversation. */
int chat_delete(struct chat *c, struct err *e);
/* The current branch as Markdown (as `cherry history export --format md` writes it). */
int chat_export_md(const struct chat *c, struct buf *out);

#endif
