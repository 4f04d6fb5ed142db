/* histstore: conversations on disk (one JSON file each), their locks and the listing
 * index. The open conversation itself is chat's (chat.h). */
#ifndef CHERRY_HISTSTORE_H
#define CHERRY_HISTSTORE_H

#include <stddef.h>

#include "cherry/err.h"
#include "cherry/history.h"
#include "cherry/wire.h"

/* Receives one-line, unsanitised warnings (the caller sanitises what it shows). */
typedef void (*hist_warn_fn)(void *ctx, const char *line);

struct attstore_collector;
struct hist_memo;
struct histstore {
	char *dir;        /* <data>/conversations (0700) */
	char *index;      /* <cache>/history-index */
	hist_warn_fn warn;
	void *warn_ctx;
	struct hist_memo *memo; /* listing entries of the conversations loaded (histentry.c) */
	/* histstore_collect_later: the attachments of removed conversations wait for
	 * histstore_collect_step (NULL: none waits) */
	int collect_later;
	struct attstore_collector *collect;
	/* Set by a caller that answers keys (the client): a conversation already on disk
	 * that chat saves whole is written on a thread of its own (histstore_save_begin). */
	int write_behind;
	/* Opened by histstore_open_reader or _listing where <data>/conversations cannot be
	 * created or written (a read-only file system, no permission): what is there is
	 * read, nothing is written (chat keeps its conversations in memory); why says so
	 * in one line */
	int readonly;
	char readonly_why[320];
	int absent; /* read-only and not there: an empty history, nothing to read */
};

/*
 * Opens the store: data_dir and cache_dir are cherry's own directories (NULL: xdg_dir
 * XDG_DATA / XDG_CACHE, i.e. ".../cherry"). Creates <data>/conversations 0700 and
 * removes temp files left by crashed saves (only those of conversations nobody holds
 * locked). warn may be NULL (warnings are dropped). 0, or -1 with e set.
 */
int histstore_open(struct histstore *s, const char *data_dir, const char *cache_dir,
		   hist_warn_fn warn, void *warn_ctx, struct err *e);
/* The same for a caller that lists the conversations at once (the client): the temp
 * files are left to the listing, which removes those it meets, so that a start with a
 * stale index does not read 100,000 names before its first frame; a directory that
 * cannot be written opens read-only, as with histstore_open_reader. */
int histstore_open_listing(struct histstore *s, const char *data_dir, const char *cache_dir,
			   hist_warn_fn warn_fn, void *warn_ctx, struct err *e);
/* histstore_open for a caller that can do without writing (history's commands): a
 * directory that cannot be created or written (EROFS, EACCES, EPERM) opens read-only
 * (s->readonly), as histstore_open_listing does; a write then fails with its own line. */
int histstore_open_reader(struct histstore *s, const char *data_dir, const char *cache_dir,
			  hist_warn_fn warn_fn, void *warn_ctx, struct err *e);
void histstore_close(struct histstore *s);

/* A fresh, unused id (8 characters of [0-9a-z]). 0 or -1. */
int histstore_new_id(struct histstore *s, char id[HIST_ID_MAX + 1], struct err *e);
/* Whether conversation id's file is there (one stat). 1 or 0. */
int histstore_exists(const struct histstore *s, const char *id);
/* Resolves an exact id (one stat) or a unique prefix (a read of the directory) to an id.
 * 0, or -1 (none / ambiguous). */
int histstore_resolve(struct histstore *s, const char *prefix, char id[HIST_ID_MAX + 1],
		      struct err *e);

/* Takes <id>.lock (flock LOCK_EX|LOCK_NB). 0 with *fd set; 1 when another process
 * holds it (*pid its pid, or 0 if unknown); -1 on error. */
int histstore_lock(struct histstore *s, const char *id, int *fd, long *pid, struct err *e);
/* Removes <id>.lock (when it is still the file fd holds) and closes fd; nothing when
 * fd < 0. */
void histstore_unlock(struct histstore *s, const char *id, int fd);

/* Loads a conversation (with its journal, see below). Returns HIST_LOAD_OK,
 * HIST_LOAD_NEWER (read-only!), or -1: missing, unreadable, or corrupt
 * (HIST_LOAD_NOMEM, -2, when memory ran out reading it: the file stays where it is).
 * A corrupt file is moved to conversations/corrupt/
 * (never overwritten or deleted) unless another process holds its lock, and e says where.
 * have_lock: the caller holds the conversation's lock. */
int histstore_load(struct histstore *s, const char *id, int have_lock, struct hist_conv *c,
		   struct err *e);
/* The same; for the lock's holder (have_lock), *journal gets the size of the journal
 * left beside the file, all of which c holds (0: none), for histstore_journal_open. */
int histstore_load_keep(struct histstore *s, const char *id, int have_lock,
			struct hist_conv *c, size_t *journal, struct err *e);
/* Saves through fs_write_atomic (the old file stays whole on any failure), then removes
 * the conversation's journal, which the file now holds. 0 or -1. */
int histstore_save(struct histstore *s, const struct hist_conv *c, struct err *e);
/* The same in two steps, so that a conversation of megabytes is written while keys are
 * answered: begin copies c (c may change as soon as it returns) and appends the fold
 * marker to the journal, then makes its tree and writes it on a thread of its own
 * (threaded; else it makes the tree from c and writes at once); end says how it went:
 * 1 still writing (wait 0), 0 written, -1 with e. Until end has said 0 or -1, nothing
 * else writes the conversation's files or its journal. begin -1 (e said why, nothing
 * started) or 0 with *w for end. */
struct histstore_write;
int histstore_save_begin(struct histstore *s, const struct hist_conv *c, int threaded,
			 struct histstore_write **w, struct err *e);
int histstore_save_end(struct histstore_write *w, int wait, struct err *e);

/*
 * The conversation's journal (journal.h), for the lock's holder: opened beside the file
 * as it is now (*file_size gets its size), either made new (keep 0; one already there
 * is an error) or, keep > 0, the one histstore_load_keep applied, appended to while it
 * is still keep bytes long; appended to without fsync (it guards against a killed
 * process; the file it continues was synced). histstore_save removes it (the file then
 * holds it); histstore_load applies it, leaves one that applied whole and is not full
 * (histstore_journal_full), and folds any other in when it holds or can take the lock.
 */
int histstore_journal_open(struct histstore *s, const char *id, size_t keep, int *fd,
			   size_t *file_size, struct err *e);
int histstore_journal_append(int fd, const char *data, size_t len, struct err *e);
void histstore_journal_close(int fd);
/* 1 when a journal of jlen bytes beside a file of flen bytes is to be folded in: past
 * half the file, so that folds cost at most about three times what was journalled and a
 * load at most about one and a half times the file's, and past HIST_JOURNAL_MIN, so that
 * a small conversation is not written whole (its tree built, its text copied) while an
 * answer streams. */
#define HIST_JOURNAL_MIN (1024u * 1024)
int histstore_journal_full(size_t jlen, size_t flen);
/* For the holder of c's lock, which has just written it: a listing that meets its files
 * as they are now takes c's entry (title, model, time, messages) instead of parsing them
 * (histentry.c; histstore_load notes what it loads the same way). */
void histstore_note(struct histstore *s, const struct hist_conv *c);
/* Deletes the conversation file (and its lock file). 0 or -1. The attachments no other
 * conversation mentions go with it: at once (every conversation is read), or, after
 * histstore_collect_later, in histstore_collect_step's steps. */
int histstore_remove(struct histstore *s, const char *id, struct err *e);
/* For the client, whose keys must not wait while every conversation is read. */
void histstore_collect_later(struct histstore *s);
/* A step of the removal of attachments under way (at most max_files read): 1 more to do,
 * 0 none under way. histstore_close finishes what is left. */
int histstore_collect_step(struct histstore *s, size_t max_files);

/* One conversation in a listing. Its three strings are one allocation, at id (made by
 * hist_entry_set, freed by hist_entry_clear): 100,000 of them take 48 bytes each and one
 * block of their strings, not an id of HIST_ID_MAX bytes and two blocks. */
struct hist_entry {
	char *id;
	char *title;
	char *model;   /* "" when unknown; index text: no tabs or newlines */
	double updated;
	size_t nmsgs;
	unsigned char newer;   /* written by a newer cherry */
	unsigned char journal; /* a journal beside the file (journal.h): histstore_load reads it */
};
/* Makes h's strings (id, title, model: NULL is "") in one allocation, the one h held
 * before freed: 0, or -1 out of memory (h unchanged). */
int hist_entry_set(struct hist_entry *h, const char *id, const char *title, const char *model);
/* Frees h's strings (NULL ones: nothing) and sets them NULL. */
void hist_entry_clear(struct hist_entry *h);

/* Every conversation, newest first. Uses the index in the cache directory where it
 * still matches the directory (every name with the same inode; when the directory
 * changed since, also each file's size and mtime), parses the file where not, and
 * rewrites the index when anything changed. Corrupt files are moved aside and reported
 * through warn. The caller frees with histstore_entries_free. 0 or -1. (histlist.c) */
int histstore_list(struct histstore *s, struct hist_entry **v, size_t *n, struct err *e);
/* The same, without copies: fn sees each entry newest first (its strings live until fn
 * returns); a negative return from fn stops the walk and is returned. 0 or -1. */
typedef int (*histstore_each_fn)(void *ctx, const struct hist_entry *h);
int histstore_list_each(struct histstore *s, histstore_each_fn fn, void *ctx, struct err *e);

/*
 * The same in steps, for a client that answers keys meanwhile:
 *   begin      reads the index's head (its newest 256 entries: a first screen) and opens
 *              the directory (no file is parsed);
 *   step       reads the rest of the index, then checks directory entries against
 *              it, parsing at most max_files
 *              files and working at most about max_ms milliseconds (0: no bound on
 *              either; one file's parse is never cut): 1 when every entry is checked,
 *              0 when there is more, -1 on error (e);
 *   snapshot   a copy of what to show so far, newest first: the entries checked, and
 *              the index's entries read and not checked yet (so a warm index shows
 *              its head at once); free with histstore_entries_free;
 *   finish     does what is left, writes the index if anything changed and hands over
 *              the final list (as histstore_list) and frees the lister, also on error;
 *   end        frees a lister without finishing (nothing is written).
 */
struct histstore_lister;
int histstore_list_begin(struct histstore *s, struct histstore_lister **l, struct err *e);
/* The same, reading the index's head up to its first rows entries (a few more: lines
 * are read a block at a time; 0: its header and the lines of that first 4 KB read): a
 * client's first frame shows them without waiting for the rest. */
int histstore_list_begin_head(struct histstore *s, size_t rows, struct histstore_lister **l,
			      struct err *e);
int histstore_list_step(struct histstore_lister *l, size_t max_files, double max_ms,
			struct err *e);
int histstore_list_snapshot(struct histstore_lister *l, struct hist_entry **v, size_t *n,
			    struct err *e);
int histstore_list_finish(struct histstore_lister *l, struct hist_entry **v, size_t *n,
			  struct err *e);
void histstore_list_end(struct histstore_lister *l);
/* The entries of the conversations ids (n of them) as a listing makes them (from what a
 * load noted, a skim or a parse), for a client that knows which changed since it listed
 * them (histwatch.h): those found in *out (free with histstore_entries_free), newest
 * first not promised; an id not among them is gone (or was corrupt: moved aside). nread
 * (may be NULL) gets how many files were read. 0, or -1 (e). */
int histstore_entries_of(struct histstore *s, const char (*ids)[HIST_ID_MAX + 1], size_t n,
			 struct hist_entry **out, size_t *nout, size_t *nread, struct err *e);
/* 1 when the directory changed since the listing began (a name made, removed or
 * replaced: what it read may miss it), else 0. */
int histstore_list_dir_moved(const struct histstore_lister *l);
/* Entries the lister holds so far: what a snapshot would copy at most. */
size_t histstore_list_count(const struct histstore_lister *l);
/* The id of "<id>.json" into id: 1, or 0 when name is not a conversation file's name. */
int histstore_file_id(const char *name, char id[HIST_ID_MAX + 1]);
void histstore_entries_free(struct hist_entry *v, size_t n);

/* A hist_warn_fn that prints "cherry: LINE" on stderr, sanitised (cmd_history.c). */
void hist_warn_stderr(void *ctx, const char *line);
/* `cherry history ...` (cmd_history.c); argv[0] is "history". app may be NULL. */
struct app;
int history_main(struct app *app, int argc, char **argv);
/* What `cherry history --help` prints. */
extern const char history_usage[];

#endif
