/* fsutil: XDG directories, private directories, whole-file reads and atomic writes. */
#ifndef CHERRY_FSUTIL_H
#define CHERRY_FSUTIL_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/err.h"

enum xdg_kind { XDG_CONFIG, XDG_DATA, XDG_STATE, XDG_CACHE };

/* "$XDG_..._HOME/cherry" (or the default under $HOME), into out.
 * Unset, empty or relative variables fall back to the default. */
int xdg_dir(enum xdg_kind kind, struct buf *out, struct err *e);
/* Like xdg_dir but with an explicit environment lookup, for tests. */
int xdg_dir_env(enum xdg_kind kind, char *(*getenv_fn)(const char *), struct buf *out,
		struct err *e);

/* mkdir -p with mode 0700 for every directory it creates. 0, or -1 with e set and errno
 * saying why (ENOTDIR where a piece is not a directory). */
int fs_mkdirs(const char *path, struct err *e);
/* Reads a whole file (up to max bytes). Returns 0, 1 when it does not exist, -1 on error. */
int fs_read_file(const char *path, size_t max, struct buf *out, struct err *e);
/* The same for path relative to the directory dirfd (AT_FDCWD: as fs_read_file): a
 * name in a directory of 100,000 files is not looked up from the root each time. */
int fs_read_at(int dirfd, const char *path, size_t max, struct buf *out, struct err *e);
/* Atomically replaces path with data: temp file in the same directory (0600,
 * O_EXCL|O_NOFOLLOW), write, fsync, close, rename, fsync the directory.
 * On failure the old file is untouched and no temp file is left. */
int fs_write_atomic(const char *path, const void *data, size_t len, struct err *e);
/* The same without either fsync, for files whose loss in a power cut only costs a
 * count or a cache (a kill never tears it: the rename is still atomic). */
int fs_write_replace(const char *path, const void *data, size_t len, struct err *e);

#endif
