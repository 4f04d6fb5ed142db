/* buf: the one growable byte buffer; every string cherry builds goes through it. */
#ifndef CHERRY_BUF_H
#define CHERRY_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

#define BUF_INIT {NULL, 0, 0}

/* All append functions return 0, or -1 when memory ran out (buf unchanged). */
int buf_append(struct buf *b, const void *data, size_t len);
int buf_append_str(struct buf *b, const char *s);
int buf_append_char(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
int buf_reserve(struct buf *b, size_t extra);
/* Drops the first n bytes, keeping the rest. */
void buf_consume(struct buf *b, size_t n);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* Zeroes the whole allocation before freeing: for anything that held a secret. */
void buf_wipe_free(struct buf *b);
/* The same for a buffer only ever appended to (never reset or consumed): only what was
 * written is wiped, so the untouched rest of a large one is never paged in. */
void buf_wipe_used_free(struct buf *b);
/* Takes the data out of b (caller frees); b is empty afterwards. Never NULL unless OOM. */
char *buf_steal(struct buf *b);

#endif
