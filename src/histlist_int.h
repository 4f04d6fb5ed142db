/* histlist_int.h: what histlist shares with histstore and the unit tests. */
#ifndef CHERRY_HISTLIST_INT_H
#define CHERRY_HISTLIST_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cherry/histstore.h"

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

/* 1 when the index's header says the directory has not changed since it was written,
 * 0 when it has, -1 when there is no index (or not one this reads). */
int histstore_index_dir_same(struct histstore *s);
/* Removes the temp file name in the directory dfd when it is one of a save nobody holds
 * the lock of any more (histstore.c). */
void histstore_clean_temp(struct histstore *s, int dfd, const char *name);

/* The id of "<id>.journal" into id: 1, or 0 when name is not a journal's name. */
int histstore_journal_id(const char *name, char id[HIST_ID_MAX + 1]);
/* When conversation id has a journal beside its file in the directory dfd, adds the
 * journal's size to st's and takes its time when later: 1; 0 when it has none. */
struct stat;
int histstore_journal_stat(int dfd, const char *id, struct stat *st);

#endif
