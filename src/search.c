/* search: ASCII-case-insensitive substring search, a block of lowered text at a time. */
#define _GNU_SOURCE /* memmem */
#include "cherry/search.h"

#include <stdint.h>
#include <string.h>

#define BLOCK 16384
#define NEEDLE_MAX 256 /* longer needles take the plain loop */

static unsigned char lower(unsigned char ch)
{
	return (unsigned char)((unsigned)(ch - 'A') < 26u ? ch + 32 : ch);
}

/* Eight bytes at a time (SWAR): a byte gets 0x20 added when it is 'A'..'Z'. For each
 * byte b below 0x80, b + (0x80 - 'A') has its top bit set when b >= 'A', and
 * b + (0x80 - 'Z' - 1) when b > 'Z'; bytes with the top bit set are left alone. */
static void lower_into(unsigned char *dst, const char *src, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, src + i, 8);
		uint64_t low7 = x & ~high;
		uint64_t ge_a = low7 + ones * (0x80 - 'A');
		uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1);
		uint64_t upper = ge_a & ~gt_z & ~x & high;
		x |= upper >> 2;
		memcpy(dst + i, &x, 8);
	}
	for (; i < n; i++)
		dst[i] = lower((unsigned char)src[i]);
}

static const char *plain(const char *hay, size_t len, const char *needle, size_t nlen)
{
	for (size_t i = 0; i + nlen <= len; i++) {
		size_t k = 0;
		while (k < nlen && lower((unsigned char)hay[i + k]) == lower((unsigned char)needle[k]))
			k++;
		if (k == nlen)
			return hay + i;
	}
	return NULL;
}

const char *search_find_fold(const char *hay, size_t len, const char *needle, size_t nlen)
{
	if (!nlen)
		return hay;
	if (nlen > len)
		return NULL;
	if (nlen > NEEDLE_MAX)
		return plain(hay, len, needle, nlen);
	unsigned char n[NEEDLE_MAX], b[BLOCK + NEEDLE_MAX];
	lower_into(n, needle, nlen);
	/* Blocks overlap by nlen - 1 bytes, so a match across a boundary is whole in one. */
	for (size_t at = 0; at + nlen <= len; at += BLOCK) {
		size_t take = len - at < BLOCK + nlen - 1 ? len - at : BLOCK + nlen - 1;
		lower_into(b, hay + at, take);
		const unsigned char *p = memmem(b, take, n, nlen);
		if (p)
			return hay + at + (size_t)(p - b);
	}
	return NULL;
}

int search_contains_fold(const char *hay, size_t len, const char *needle, size_t nlen)
{
	return search_find_fold(hay, len, needle, nlen) != NULL;
}
