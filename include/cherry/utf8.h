/* utf8: the one UTF-8 codec of cherry (pure). Strict: no overlongs, surrogates or code
 * points above U+10FFFF. Every decoder here follows the maximal-subpart rule of Unicode
 * §3.9: an ill-formed sequence counts as one U+FFFD per maximal invalid subpart, so the
 * width code, the sanitiser, the editor and utf8_repair all agree on what a broken byte
 * run becomes. */
#ifndef CHERRY_UTF8_H
#define CHERRY_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "cherry/buf.h"

#define UTF8_REPLACEMENT 0xFFFDu
/* What utf8_decode_part sets *cp to for a maximal invalid subpart: no code point. */
#define UTF8_INVALID 0xFFFFFFFFu

/* Decodes the code point at s[0..len). An invalid or cut sequence gives U+FFFD and
 * consumes its maximal invalid subpart. Returns the bytes consumed: 0 only when len is 0. */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);
/* utf8_decode telling apart what it folds into U+FFFD: *cp is UTF8_INVALID for a maximal
 * invalid subpart, and 0 is returned (nothing consumed) when s[0..len) is the valid start
 * of a sequence that the end of s cuts short, as at the end of a streamed chunk. */
size_t utf8_decode_part(const char *s, size_t len, uint32_t *cp);
/* Writes cp as UTF-8 (U+FFFD for surrogates and values above U+10FFFF); returns 1-4. */
size_t utf8_encode(uint32_t cp, char out[4]);

/* Decoding a stream that arrives in chunks: a sequence cut by the end of one chunk is
 * kept here and completed (or found invalid) by the next, so any split of the stream
 * decodes as the whole would. Zero-initialise it. */
struct utf8_carry {
	unsigned char b[4];
	size_t len;
};
/* Decodes the next code point from the carried bytes followed by s[0..len) (len > 0).
 * Returns how many bytes of s it consumed. When a code point (or UTF8_INVALID for a
 * maximal invalid subpart) came out, sets *cp and sets *nbytes to its length counting
 * the carried bytes; otherwise (the bytes were carried) *nbytes is 0. It may consume
 * nothing of s when a carried prefix proves invalid. */
size_t utf8_carry_decode(struct utf8_carry *c, const char *s, size_t len, uint32_t *cp,
			 size_t *nbytes);
/* End of the stream: returns the length of the carried cut sequence, one invalid subpart
 * (0 when none), and empties the carry. */
size_t utf8_carry_flush(struct utf8_carry *c);

/* The character boundary at or before s[i] (i itself when s[i] is no continuation byte),
 * and the one at or after it (at most len): for cutting text without splitting a
 * sequence. */
size_t utf8_back(const char *s, size_t i);
size_t utf8_forward(const char *s, size_t len, size_t i);

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is invalid or cut short. */
size_t utf8_seq_len(const unsigned char *s, size_t avail);
int utf8_valid(const char *s, size_t len);
/* Appends s to out with every maximal invalid subpart replaced by U+FFFD. */
int utf8_repair(const char *s, size_t len, struct buf *out);

#endif
