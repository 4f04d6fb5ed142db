/* histstore: conversations on disk (one JSON file each), their locks, the listing index,
 * and the streaming-save session `cherry ask` drives. */
#ifndef CHERRY_HISTSTORE_H
#define CHERRY_HISTSTORE_H

#include <stddef.h>

#include "cherry/err.h"
#include "cherry/history.h"
#include "cherry/wire.h"

/* Receives one-line, unsanitised warnings (the caller sanitises what it shows). */
typedef void (*hist_warn_fn)(void *ctx, const char *line);

struct histstore {
	char *dir;        /* <data>/conversations (0700) */
	char *index;      /* <cache>/history-index */
	hist_warn_fn warn;
	void *warn_ctx;
};

/*
 * Opens the store: data_dir and cache_dir are cherry's own directories (NULL: xdg_dir
 * XDG_DATA / XDG_CACHE, i.e. ".../cherry"). Creates <data>/conversations 0700 and
 * removes temp files left by crashed saves (only those of conversations nobody holds
 * locked). warn may be NULL (warnings are dropped). 0, or -1 with e set.
 */
int histstore_open(struct histstore *s, const char *data_dir, const char *cache_dir,
		   hist_warn_fn warn, void *warn_ctx, struct err *e);
void histstore_close(struct histstore *s);

/* A fresh, unused id (8 characters of [0-9a-z]). 0 or -1. */
int histstore_new_id(struct histstore *s, char id[HIST_ID_MAX + 1], struct err *e);
/* Resolves an exact id or a unique prefix to an id. 0, or -1 (none / ambiguous). */
int histstore_resolve(struct histstore *s, const char *prefix, char id[HIST_ID_MAX + 1],
		      struct err *e);

/* Takes <id>.lock (flock LOCK_EX|LOCK_NB). 0 with *fd set; 1 when another process
 * holds it (*pid its pid, or 0 if unknown); -1 on error. */
int histstore_lock(struct histstore *s, const char *id, int *fd, long *pid, struct err *e);
void histstore_unlock(int fd);

/* Loads a conversation. Returns HIST_LOAD_OK, HIST_LOAD_NEWER (read-only!), or -1:
 * missing, unreadable, or corrupt. A corrupt file is moved to conversations/corrupt/
 * (never overwritten or deleted) unless another process holds its lock, and e says where.
 * have_lock: the caller holds the conversation's lock. */
int histstore_load(struct histstore *s, const char *id, int have_lock, struct hist_conv *c,
		   struct err *e);
/* Saves through fs_write_atomic (the old file stays whole on any failure). 0 or -1. */
int histstore_save(struct histstore *s, const struct hist_conv *c, struct err *e);
/* Deletes the conversation file (and its lock file). 0 or -1. */
int histstore_remove(struct histstore *s, const char *id, struct err *e);

struct hist_entry {
	char id[HIST_ID_MAX + 1];
	double updated;
	size_t nmsgs;
	int newer;     /* written by a newer cherry */
	char *model;   /* "" when unknown; index text: no tabs or newlines */
	char *title;
};

/* Every conversation, newest first. Uses the index in the cache directory where it
 * still matches the directory (every name with the same inode; when the directory
 * changed since, also each file's size and mtime), parses the file where not, and
 * rewrites the index when anything changed. Corrupt files are moved aside and reported through
 * warn. The caller frees with histstore_entries_free. 0 or -1. */
int histstore_list(struct histstore *s, struct hist_entry **v, size_t *n, struct err *e);
void histstore_entries_free(struct hist_entry *v, size_t n);

/* ---- the session of one `cherry ask` exchange ---- */

struct hist_opts {
	const char *data_dir;     /* NULL: XDG (see histstore_open) */
	const char *cache_dir;
	const char *continue_id;  /* -c ID (a unique prefix is fine); NULL: a new conversation */
	int no_save;              /* --no-save: every call below succeeds and saves nothing */
	double save_interval;     /* seconds between partial saves; 0: HIST_SAVE_INTERVAL */
	hist_warn_fn warn;        /* one-line warnings ("working read-only", "not saved: ...") */
	void *warn_ctx;
};

/* Partial answers are saved at least this often while they stream. */
#define HIST_SAVE_INTERVAL 0.5

struct hist_session;

/*
 * Starts an exchange: a new conversation, or -c ID, which is loaded with its lock taken.
 * If that conversation is locked by another cherry, or was written by a newer cherry,
 * it is not touched: the exchange goes into a NEW conversation that starts with a copy
 * of its current branch, and a warning says so. Returns NULL with e set when -c names
 * nothing (or the data directory is unusable); with no_save it never fails.
 */
struct hist_session *hist_begin(const struct hist_opts *o, struct err *e);
/* The current branch (earlier turns, for the request), root first. Assistant answers
 * that have no text (failed ones) are left out. The array and its strings belong to
 * the session and stay valid until hist_end. Empty for a new conversation. */
int hist_history_msgs(struct hist_session *s, const struct wire_msg **msgs, size_t *n);
/* Records the prompt and an empty assistant answer (status interrupted, so a run that
 * dies is recognised as such), and saves. system may be NULL. 0, or -1 with e set (the
 * save failed: the exchange goes on in memory and later saves retry). */
int hist_user(struct hist_session *s, const char *prompt, const char *system,
	      const char *provider, const char *model, struct err *e);
/* Appends streamed text (reasoning != 0: reasoning text) and saves when the interval
 * has passed since the last save. */
void hist_delta(struct hist_session *s, const char *text, size_t len, int reasoning);
/* Call from the stream loop's idle/timer path (at least every ~0.25 s): saves the
 * partial answer if there is unsaved text and the interval has passed. 1 saved, 0 not
 * needed, -1 the save failed (warned once). */
int hist_tick(struct hist_session *s);
/* Ends the answer: status "complete", "stopped", "error" (error_line says why) or
 * "interrupted"; usage (NULL: unknown) and ttft (< 0: unknown). Saves; 0, or -1 with e
 * set (a one-line "not saved" reason: show it, exit status unchanged is fine). */
int hist_finish(struct hist_session *s, const char *status, const char *error_line,
		const struct wire_usage *u, double ttft, struct err *e);
/* Saves what is unsaved (as "interrupted" if hist_finish was not called), unlocks, frees. */
void hist_end(struct hist_session *s);

/* The continued conversation's system prompt and "provider/model" (NULL: none, or a new
 * conversation), as defaults when -s / -m are not given. Valid until hist_user. */
const char *hist_session_system(const struct hist_session *s);
const char *hist_session_model(const struct hist_session *s);
/* The conversation id ("" with no_save), e.g. to print "saved as ID" on stderr. */
const char *hist_session_id(const struct hist_session *s);
/* Answer bytes held by the last completed save (for the crash tests). */
size_t hist_saved_len(const struct hist_session *s);

/* A hist_warn_fn that prints "cherry: LINE" on stderr, sanitised (cmd_history.c). */
void hist_warn_stderr(void *ctx, const char *line);
/* `cherry history ...` (cmd_history.c); argv[0] is "history". app may be NULL. */
struct app;
int history_main(struct app *app, int argc, char **argv);

#endif
