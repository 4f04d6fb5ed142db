/* utf8: the one UTF-8 decoder and encoder, strict (no overlongs, surrogates or
 * > U+10FFFF), with one U+FFFD per maximal invalid subpart (Unicode §3.9). */
#include "cherry/utf8.h"

#include <string.h>

/* decode_at's *cp for a valid prefix that the end of the input cut short. */
#define CUT 0xFFFFFFFEu

/* The one decoding loop. Sets *cp to the code point, UTF8_INVALID or CUT, and returns
 * the bytes it covers (for UTF8_INVALID and CUT: the maximal subpart, at least 1).
 * len > 0. */
static size_t decode_at(const unsigned char *p, size_t len, uint32_t *cp)
{
	unsigned char c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	/* The second byte's range is what rules out overlongs, surrogates and code points
	 * above U+10FFFF; later bytes are any continuation byte. */
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need;
	uint32_t v;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
		v = c & 0x1Fu;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		v = c & 0x0Fu;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		v = c & 0x07u;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		*cp = UTF8_INVALID; /* a continuation byte, C0, C1 or F5..FF */
		return 1;
	}
	for (size_t k = 1; k < need; k++) {
		if (k == len) {
			*cp = CUT;
			return k;
		}
		unsigned char b = p[k];
		if (b < lo || b > hi) {
			*cp = UTF8_INVALID;
			return k;
		}
		v = v << 6 | (b & 0x3Fu);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need;
}

size_t utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	if (!len)
		return 0;
	size_t n = decode_at((const unsigned char *)s, len, cp);
	if (*cp >= CUT)
		*cp = UTF8_REPLACEMENT;
	return n;
}

size_t utf8_decode_part(const char *s, size_t len, uint32_t *cp)
{
	if (!len)
		return 0;
	size_t n = decode_at((const unsigned char *)s, len, cp);
	return *cp == CUT ? 0 : n;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		cp = UTF8_REPLACEMENT;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t utf8_carry_decode(struct utf8_carry *c, const char *s, size_t len, uint32_t *cp,
			 size_t *nbytes)
{
	if (!c->len) {
		size_t n = utf8_decode_part(s, len, cp);
		if (!n) { /* cut short: at most 3 bytes, all of s */
			memcpy(c->b, s, len);
			c->len = len;
		}
		*nbytes = n;
		return n ? n : len;
	}
	/* The carried bytes are a valid prefix, so the sequence they start ends within
	 * 4 bytes, and its maximal subpart covers all of them. */
	unsigned char tmp[4];
	size_t k = sizeof(tmp) - c->len < len ? sizeof(tmp) - c->len : len;
	memcpy(tmp, c->b, c->len);
	memcpy(tmp + c->len, s, k);
	size_t n = utf8_decode_part((const char *)tmp, c->len + k, cp);
	if (!n) {
		memcpy(c->b + c->len, s, k);
		c->len += k;
		*nbytes = 0;
		return k;
	}
	size_t used = n - c->len;
	c->len = 0;
	*nbytes = n;
	return used;
}

size_t utf8_carry_flush(struct utf8_carry *c)
{
	size_t n = c->len;
	c->len = 0;
	return n;
}

size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	if (!avail)
		return 0;
	uint32_t cp;
	size_t n = decode_at(s, avail, &cp);
	return cp >= CUT ? 0 : n;
}

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		i += decode_at(p + i, len - i, &cp);
		if (cp >= CUT)
			return 0;
	}
	return 1;
}

int utf8_repair(const char *s, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t n = decode_at(p + i, len - i, &cp);
		if (cp >= CUT) {
			if (buf_append(out, s + run, i - run) < 0 ||
			    buf_append(out, "\xEF\xBF\xBD", 3) < 0)
				return -1;
			run = i + n;
		}
		i += n;
	}
	return buf_append(out, s + run, len - run);
}

static int continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

size_t utf8_back(const char *s, size_t i)
{
	while (i > 0 && continuation(s[i]))
		i--;
	return i;
}

size_t utf8_forward(const char *s, size_t len, size_t i)
{
	while (i < len && continuation(s[i]))
		i++;
	return i;
}
