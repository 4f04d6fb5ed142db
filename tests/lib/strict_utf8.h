/* strict_utf8: decodes one code point of strict UTF-8 (no overlong forms, surrogates or
 * values past U+10FFFF). Written apart from src/utf8.c and src/text.c on purpose: the
 * sanitiser, view and fuzz tests use it as an independent judge of what cherry puts on
 * a terminal. Header-only, so the fuzz targets (which do not link tests/lib) share it. */
#ifndef CHERRY_TEST_STRICT_UTF8_H
#define CHERRY_TEST_STRICT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The bytes the code point at p[0..len) takes, with *cp set; 0 when p does not start
 * with a complete, valid sequence (len 0 included). */
static inline size_t strict_utf8_next(const unsigned char *p, size_t len, uint32_t *cp)
{
	if (!len)
		return 0;
	unsigned char c = p[0];
	size_t n;
	uint32_t v;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		v = c & 0x1F;
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		v = c & 0x0F;
		n = 3;
	} else if (c >= 0xF0 && c <= 0xF4) {
		v = c & 0x07;
		n = 4;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if ((p[k] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (p[k] & 0x3F);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
	    (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

#endif
