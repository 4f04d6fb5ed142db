/* fold: Unicode simple case folding (CaseFolding.txt's C and S mappings for the scripts
 * a chat holds: Latin, Greek, Cyrillic, Armenian, Georgian, Glagolitic, Deseret, the
 * fullwidth forms and the letterlike signs) and a case-insensitive search built on it
 * (pure). Simple folding maps one code point to one: "ß" does not match "ss". */
#ifndef CHERRY_FOLD_H
#define CHERRY_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "cherry/buf.h"

/* The simple case fold of cp (cp itself when it has none). */
uint32_t fold_cp(uint32_t cp);
/* Appends the folded form of s[0..len) (invalid bytes as U+FFFD) to out. 0 or -1. */
int fold_string(const char *s, size_t len, struct buf *out);
/* The first place in hay[0..hlen) whose folded text equals the already folded needle
 * (fold_string's output, nlen > 0): its byte offset, with *mlen its length in hay (which
 * may differ from nlen: the Kelvin sign folds to "k"). -1 when there is none. Linear in
 * hlen for ordinary text; an all-ASCII needle goes at memchr's pace (search.h) unless the
 * text holds a long s or a Kelvin sign where it could matter. */
long fold_find(const char *hay, size_t hlen, const char *needle, size_t nlen, size_t *mlen);

#endif
