/* utf8: strict UTF-8 validation (no overlongs, surrogates or > U+10FFFF). */
#include "cherry/utf8.h"

/* For a lead byte: the sequence length and the allowed range of the second
 * byte. 0 when c cannot start a sequence. */
static size_t lead_info(unsigned char c, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xBF;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return 2;
	if (c >= 0xE0 && c <= 0xEF) {
		if (c == 0xE0)
			*lo = 0xA0; /* no overlongs */
		else if (c == 0xED)
			*hi = 0x9F; /* no surrogates */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (c == 0xF0)
			*lo = 0x90;
		else if (c == 0xF4)
			*hi = 0x8F; /* nothing above U+10FFFF */
		return 4;
	}
	return 0;
}

/* How many bytes of s form a valid prefix of one sequence (at least 1). */
static size_t valid_prefix(const unsigned char *s, size_t avail, size_t *need)
{
	unsigned char lo, hi;
	*need = lead_info(s[0], &lo, &hi);
	if (*need <= 1)
		return 1;
	size_t k = 1;
	if (k < avail && s[1] >= lo && s[1] <= hi) {
		k = 2;
		while (k < *need && k < avail && (s[k] & 0xC0) == 0x80)
			k++;
	}
	return k;
}

size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	if (!avail)
		return 0;
	size_t need;
	size_t k = valid_prefix(s, avail, &need);
	return need && k == need ? need : 0;
}

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t n = utf8_seq_len(p + i, len - i);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

int utf8_repair(const char *s, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < len) {
		size_t need;
		size_t k = valid_prefix(p + i, len - i, &need);
		if (need && k == need) {
			i += k;
			continue;
		}
		/* Each maximal invalid subpart becomes one U+FFFD (Unicode §3.9). */
		if (buf_append(out, s + run, i - run) < 0 || buf_append(out, "\xEF\xBF\xBD", 3) < 0)
			return -1;
		i += k;
		run = i;
	}
	return buf_append(out, s + run, len - run);
}
