/* utf8: validation and repair of UTF-8 text (pure). */
#ifndef CHERRY_UTF8_H
#define CHERRY_UTF8_H

#include <stddef.h>

#include "cherry/buf.h"

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is invalid or cut short. */
size_t utf8_seq_len(const unsigned char *s, size_t avail);
int utf8_valid(const char *s, size_t len);
/* Appends s to out with every invalid sequence replaced by U+FFFD. */
int utf8_repair(const char *s, size_t len, struct buf *out);

#endif
