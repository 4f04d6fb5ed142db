/* search: ASCII-case-insensitive substring search: memchr for the needle's rarest byte,
 * or a block of lowered text at a time where that byte is common. */
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

/* The block scan from hay: lowers 16 KB at a time into a buffer on the stack and hands
 * it to memmem; a pass over every byte, whatever the text. n is the lowered needle. */
static const char *blocks(const char *hay, size_t len, const unsigned char *n, size_t nlen)
{
	unsigned char b[BLOCK + NEEDLE_MAX];
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

/* ASCII bytes from the most to the least common in a conversation file (English text in
 * JSON, with its indentation, keys, dates and ids); a letter counts with its upper case.
 * A byte not listed is rarer than all of them. */
static const char common[] = " e\"tao:in,srhl\ndcu0123456789m-f.pgwybv{}[]k_'x/jqzT";

static size_t rarity_rank(unsigned char c)
{
	const char *p = c ? strchr(common, c) : NULL;
	return p ? (size_t)(p - common) : sizeof common;
}

/* The next place of c or of its upper case up, at or after from; they are found by memchr
 * and each kept until passed (*pa, *pb: NULL before the first look, end when none is
 * left), so every byte is looked at by each memchr once. */
static const char *next_of(const char *from, const char *end, unsigned char c, unsigned char up,
			   const char **pa, const char **pb)
{
	if (!*pa || (*pa < from && *pa != end)) {
		*pa = memchr(from, c, (size_t)(end - from));
		if (!*pa)
			*pa = end;
	}
	if (up == c)
		return *pa;
	if (!*pb || (*pb < from && *pb != end)) {
		*pb = memchr(from, up, (size_t)(end - from));
		if (!*pb)
			*pb = end;
	}
	return *pa < *pb ? *pa : *pb;
}

const char *search_find_fold(const char *hay, size_t len, const char *needle, size_t nlen)
{
	if (!nlen)
		return hay;
	if (nlen > len)
		return NULL;
	if (nlen > NEEDLE_MAX)
		return plain(hay, len, needle, nlen);
	unsigned char n[NEEDLE_MAX];
	lower_into(n, needle, nlen);
	/* grep's way: memchr for the needle's rarest byte (both cases of a letter), compare
	 * around each place it is found. Where that byte is common after all (a place every
	 * 32 bytes on average), the rest goes to the block scan, so the cost stays a pass. */
	size_t r = 0;
	for (size_t i = 1; i < nlen; i++)
		if (rarity_rank(n[i]) > rarity_rank(n[r]))
			r = i;
	unsigned char c = n[r], up = (unsigned)(c - 'a') < 26u ? (unsigned char)(c - 32) : c;
	const char *end = hay + len, *a = NULL, *b = NULL;
	size_t misses = 0;
	for (const char *from = hay + r;;) {
		const char *p = next_of(from, end, c, up, &a, &b);
		if (p == end || (size_t)(end - p) < nlen - r)
			return NULL;
		const char *start = p - r;
		size_t k = 0;
		while (k < nlen && lower((unsigned char)start[k]) == n[k])
			k++;
		if (k == nlen)
			return start;
		if (++misses > 64 && misses * 32 > (size_t)(p - hay))
			return blocks(start, (size_t)(end - start), n, nlen);
		from = p + 1;
	}
}

int search_contains_fold(const char *hay, size_t len, const char *needle, size_t nlen)
{
	return search_find_fold(hay, len, needle, nlen) != NULL;
}
