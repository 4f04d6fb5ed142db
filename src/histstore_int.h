/* histstore_int: what histstore.c (the store: files, locks) shares with histjournal.c
 * (the journals beside the files). Only they include this. */
#ifndef CHERRY_HISTSTORE_INT_H
#define CHERRY_HISTSTORE_INT_H

#include <stddef.h>
#include <sys/stat.h>

#include "cherry/histstore.h"

/* The journal's names (journal.h): this version's, and the one versions 1 and 2 used. */
#define JOURNAL_EXT ".jsonl"
#define LEGACY_EXT ".journal"
/* Conversations bigger than this are not read (a generous bound against garbage). */
#define HIST_MAX_FILE (256u * 1024 * 1024)

/* "<dir>/<id><ext>" (malloc'd), NULL on OOM. */
char *histstore_path(const struct histstore *s, const char *id, const char *ext);
/* The id of "<id><ext>" into id: 1, or 0 when name is not such a name. */
int histstore_id_of(const char *name, const char *ext, char id[HIST_ID_MAX + 1]);
/* Moves "<id><ext>" into conversations/corrupt/ under a name no earlier copy has: 1 (dst
 * says where), or 0 when it stays. */
int histstore_move_file_aside(struct histstore *s, const char *id, const char *ext,
			      struct buf *dst);
/* 1 when the file at p is still the one st describes (inode, size, modification time). */
int histstore_same_file(const char *p, const struct stat *st);
/* Applies the journals beside the file just read (st) onto c, folding them in where
 * they are not to be appended to (histjournal.c): 0, 1 when one is of a later version
 * (the conversation read-only), -1 OOM (e). *keep: as histstore_load_keep's *journal. */
int histstore_replay(struct histstore *s, const char *id, const struct stat *st,
		     int have_lock, struct hist_conv *c, size_t *keep, struct err *e);

#endif
