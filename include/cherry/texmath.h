/* texmath: common TeX math turned into Unicode for the terminal (pure). Greek letters,
 * operators, relations, arrows, blackboard letters, sub- and superscripts where
 * Unicode has them (else _(..) and ^(..)), \frac{a}{b} as a/b, \sqrt{x} as √x;
 * \text{..} and font commands keep their content, spacing commands become a space or
 * nothing. A command it does not know is kept as typed. */
#ifndef CHERRY_TEXMATH_H
#define CHERRY_TEXMATH_H

#include <stddef.h>

#include "cherry/buf.h"

/* Appends the Unicode form of the TeX s[0..n) to out. Returns 1 when every command
 * was turned, 0 when some are kept as TeX, -1 when memory ran out. */
int texmath_to_unicode(const char *s, size_t n, struct buf *out);

#endif
