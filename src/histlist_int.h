/* histlist_int.h: what histlist shares with histstore and the unit tests. */
#ifndef CHERRY_HISTLIST_INT_H
#define CHERRY_HISTLIST_INT_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "cherry/buf.h"
#include "cherry/histstore.h"

/* One conversation as the index holds it. */
struct ientry {
	char *id, *model, *title; /* in blk, a block read, or (own) one allocation at id */
	struct block *blk;
	double updated;
	uint64_t ino;
	int64_t size, mtime_s;
	long mtime_ns;
	size_t nmsgs;
	unsigned char newer;
	unsigned char journal; /* a journal beside the file: size and time are both's */
	unsigned char seen;  /* checked against the directory */
	unsigned char moved; /* parsed: its place in the order is not known */
	unsigned char own;
	unsigned char absent; /* checked before the directory was read: no file */
};

/* Newest first, then by id. */
int hist_ientry_cmp(const struct ientry *x, const struct ientry *y);
/* Frees what x owns, or lets go of the block its strings are in. */
void hist_ientry_free(struct ientry *x);
struct block;
/* One reference to b dropped: freed with the last (b may be NULL). */
void hist_block_release(struct block *b);

/* Entries put in order in steps (histsort.c). Zeroed to begin. */
struct hist_settle {
	struct ientry *moved; /* the entries to sort, and their places in order */
	uint32_t *ord, *tmp;
	size_t nm, width, pos;
	int begun;
	int dropped;          /* entries whose file is gone were dropped */
};
/* Drops v's entries not seen (freed), sorts the moved ones (every one when v was not
 * sorted) and merges them into the rest: at most about budget moves a call (the first
 * call and the last also pass over v once). 1 when v (*n entries) is in order, 0 when
 * there is more, -1 out of memory (v is then as it was, or being sorted: free with
 * hist_settle_free and fail). */
int hist_settle_step(struct hist_settle *st, struct ientry *v, size_t *n, int sorted,
		     size_t budget);
void hist_settle_free(struct hist_settle *st);

/* The index's first line: this, the directory's mtime (seconds, tab, nanoseconds) when
 * it was written, a newline; then one line per conversation, newest first. */
#define HISTSTORE_INDEX_MAGIC "cherry-history-index 2\t"

/* Ids to places: an open-addressing hash over an array whose elements begin with a
 * `char *` id (base, stride). Zeroed is empty. Places are below UINT32_MAX - 1. */
struct hist_ids {
	uint32_t *slots; /* place + 1; 0 is empty */
	size_t mask;     /* slots - 1, a power of two, at least twice count */
	size_t count;
};
/* The place of id, or HIST_NONE. */
size_t hist_ids_find(const struct hist_ids *t, const char *id, const void *base,
		     size_t stride);
/* Adds element i (its id already in place): 0, 1 when its id is there already (not
 * added), -1 out of memory (the table is unchanged). */
int hist_ids_add(struct hist_ids *t, size_t i, const void *base, size_t stride);
/* Makes room for want ids, so that adding them rehashes nothing: 0, -1 out of memory. */
int hist_ids_reserve(struct hist_ids *t, size_t want, const void *base, size_t stride);
void hist_ids_free(struct hist_ids *t);

/* What the listing shows of a conversation, skimmed from its file (histskim.c). */
struct histskim {
	struct buf title, model; /* decoded, NUL-terminated: "" for null or missing */
	double updated;
	size_t nmsgs;
};
/* Fills out from the raw JSON of conversation id's file: 0; -1 out of memory; -2 when
 * the skim cannot be sure it reads what hist_from_json would (not the shape cherry
 * writes, a newer version, a key twice, a title or time jansson would refuse): the
 * caller then parses the file whole. The messages are counted, not checked: a file
 * whose messages are wrong is listed, and moved aside when it is opened. */
int histskim_entry(const char *json, size_t len, const char *id, struct histskim *out);

/* What reading entries from files keeps between them (histentry.c). */
struct entry_reader {
	struct buf raw;         /* the file read */
	struct histskim sk;
	size_t skimmed, parsed; /* files read each way */
	size_t remembered;      /* entries taken from the store's memo, no file read */
};
struct stat;
/* Fills x (its strings owned; the stat fields left to the caller) for conversation id
 * in the directory dfd: from the store's memo when its files are as noted there (st),
 * else skimmed where the skim is sure, else parsed whole. st is the caller's stat of the
 * file (with its journals), replaced by that of what was read when it was skimmed.
 * 0; -1 when it cannot be read (warned: corrupt ones are moved aside); -2 OOM. */
int hist_entry_read(struct histstore *s, int dfd, const char *id, struct entry_reader *rd,
		    struct ientry *x, struct stat *st);
void hist_entry_reader_free(struct entry_reader *rd);

/* The listing entries of the conversations this process loaded holding their locks,
 * each with the stat of its file (and journals) as it was then: a listing that meets one
 * unchanged since takes its entry from here instead of parsing the file a second time
 * (a 20 MB conversation opened with a stale index: 0.4 s and 20 MB). A few, newest
 * first. (histentry.c) */
struct hist_memo {
	struct hist_memo *next;
	char id[HIST_ID_MAX + 1];
	uint64_t ino;
	int64_t size, mtime_s;
	long mtime_ns;
	double updated;
	size_t nmsgs;
	unsigned char newer;
	char *model, *title;
};
/* Notes c (loaded by the holder of its lock: nobody else writes its files) as its files
 * are now; newer: it was written by a newer cherry. Out of memory: nothing noted. */
void hist_memo_note(struct histstore *s, const struct hist_conv *c, int newer);
void hist_memo_free(struct histstore *s);
/* Files the lister has read so far (skimmed or parsed), and parsed whole. */
size_t histstore_list_read(const struct histstore_lister *l, size_t *parsed);

/* The listing in progress (histstore.h's histstore_lister). */
struct block { /* a piece of the index read; its lines are parsed in place */
	size_t refs;  /* entries whose strings are in it, and the lister's while current */
	char data[];
};

struct histstore_lister {
	struct histstore *s;
	struct ientry *v;  /* the index's entries in its order, then the ones it lacked */
	size_t n, cap;
	struct hist_ids ids;
	struct block *cur; /* the block read last: its cut line goes on to the next */
	int ifd;           /* the index being read, or -1 */
	int head;          /* its header was read */
	size_t iread;      /* bytes of it read */
	char *carry;       /* a line cut by the end of the last block */
	size_t ncarry;
	int64_t idx_dir_s;
	long idx_dir_ns;
	size_t idx_head_len; /* its header line's length, newline included */
	struct stat idx_st;  /* the index file as it was opened (restamped only if the same) */
	DIR *d;
	struct timespec dir_mtime;
	int dir_same;      /* the directory did not change since the index was written */
	int dirty;         /* the index needs writing */
	int restamp;       /* only the directory's time changed (a lock file made and gone,
			    * a temp file): the header is rewritten in place, not the index */
	int sorted;        /* the index's entries are newest first */
	size_t nmoved;     /* entries parsed, to be put in their places */
	int done;          /* every directory entry checked */
	int settled;       /* the gone dropped, v in order */
	struct hist_entry *out; /* the copies a client gets, made in steps */
	size_t nout;
	struct buf text;   /* the index to write, made in steps */
	size_t ntext;      /* entries in text */
	int text_begun;    /* its header made */
	int text_lost;     /* writing it to the temp file failed */
	int tfd;           /* the temp file it goes to as it is made, or -1 */
	char *tmp_path;
	struct entry_reader rd;
	struct hist_settle srt;
	struct buf pend;   /* index lines of the files read since the last append */
	size_t npend;
	int appending;     /* the index file is one to append pend to */
};

/* Entries copied out (histlist.c) and index lines made (histwrite.c) between clock
 * reads. */
#define COPY_STEP 2048

/* Writing the index (histwrite.c). A millisecond clock. */
double hist_mono_ms(void);
/* One entry's index line appended to b: 0, or -1 out of memory. */
int hist_index_line(struct buf *b, const struct ientry *x);
/* The index's text for entries ntext.. (the header first) until the clock says stop
 * (max_ms 0: all); it goes to a temp file beside the index as it is made. 0, or -1
 * out of memory. */
int hist_index_text(struct histstore_lister *l, double start, double max_ms);
/* Only the directory's time changed since the index was written: its header rewritten
 * in place when the file is still the one read and the header's length the same. 0, or
 * -1 (then the index is written whole). */
int hist_index_restamp(struct histstore_lister *l);
/* The index replaced by the text made (no fsync: it is a cache); the text freed. */
void hist_index_save(struct histstore_lister *l);
/* The temp file of a listing ended before its save removed. */
void hist_index_abort(struct histstore_lister *l);
/* The lines of the files read since the last time appended to the index (pend). */
void hist_index_persist(struct histstore_lister *l);

/* 1 when the index's header says the directory has not changed since it was written,
 * 0 when it has, -1 when there is no index (or not one this reads). */
int histstore_index_dir_same(struct histstore *s);
/* Removes the temp file name in the directory dfd when it is one of a save nobody holds
 * the lock of any more (histstore.c). */
void histstore_clean_temp(struct histstore *s, int dfd, const char *name);

/* The id of "<id>.jsonl" or "<id>.journal" into id: 1, or 0 when name is not a
 * journal's name. */
int histstore_journal_id(const char *name, char id[HIST_ID_MAX + 1]);
/* When conversation id has a journal beside its file in the directory dfd, adds the
 * journal's size to st's and takes its time when later: 1; 0 when it has none. */
struct stat;
int histstore_journal_stat(int dfd, const char *id, struct stat *st);

#endif
