/* fold: Unicode simple case folding from a table of ranges, and a search that compares
 * folded code points (pure). */
#include "cherry/fold.h"

#include <string.h>

#include "cherry/search.h"
#include "cherry/utf8.h"

/* A range of code points folding alike: every one (step 1) or every other one from lo
 * (step 2: the upper case letters of alternating pairs) moves by delta. Sorted by lo;
 * from CaseFolding.txt (status C and S). */
static const struct fold_range {
	uint32_t lo, hi;
	int32_t delta;
	uint8_t step;
} ranges[] = {
	{0x0041, 0x005A, 32, 1},     {0x00B5, 0x00B5, 775, 1},    {0x00C0, 0x00D6, 32, 1},
	{0x00D8, 0x00DE, 32, 1},     {0x0100, 0x012E, 1, 2},      {0x0132, 0x0136, 1, 2},
	{0x0139, 0x0147, 1, 2},      {0x014A, 0x0176, 1, 2},      {0x0178, 0x0178, -121, 1},
	{0x0179, 0x017D, 1, 2},      {0x017F, 0x017F, -268, 1},   {0x0181, 0x0181, 210, 1},
	{0x0182, 0x0184, 1, 2},      {0x0186, 0x0186, 206, 1},    {0x0187, 0x0187, 1, 1},
	{0x0189, 0x018A, 205, 1},    {0x018B, 0x018B, 1, 1},      {0x018E, 0x018E, 79, 1},
	{0x018F, 0x018F, 202, 1},    {0x0190, 0x0190, 203, 1},    {0x0191, 0x0191, 1, 1},
	{0x0193, 0x0193, 205, 1},    {0x0194, 0x0194, 207, 1},    {0x0196, 0x0196, 211, 1},
	{0x0197, 0x0197, 209, 1},    {0x0198, 0x0198, 1, 1},      {0x019C, 0x019C, 211, 1},
	{0x019D, 0x019D, 213, 1},    {0x019F, 0x019F, 214, 1},    {0x01A0, 0x01A4, 1, 2},
	{0x01A7, 0x01A7, 1, 1},      {0x01A9, 0x01A9, 218, 1},    {0x01AC, 0x01AC, 1, 1},
	{0x01AE, 0x01AE, 218, 1},    {0x01AF, 0x01AF, 1, 1},      {0x01B1, 0x01B2, 217, 1},
	{0x01B3, 0x01B5, 1, 2},      {0x01B7, 0x01B7, 219, 1},    {0x01B8, 0x01B8, 1, 1},
	{0x01BC, 0x01BC, 1, 1},      {0x01C4, 0x01C4, 2, 1},      {0x01C5, 0x01C5, 1, 1},
	{0x01C7, 0x01C7, 2, 1},      {0x01C8, 0x01C8, 1, 1},      {0x01CA, 0x01CA, 2, 1},
	{0x01CB, 0x01DB, 1, 2},      {0x01DE, 0x01EE, 1, 2},      {0x01F1, 0x01F1, 2, 1},
	{0x01F2, 0x01F4, 1, 2},      {0x01F6, 0x01F6, -97, 1},    {0x01F7, 0x01F7, -56, 1},
	{0x01F8, 0x021E, 1, 2},      {0x0220, 0x0220, -130, 1},   {0x0222, 0x0232, 1, 2},
	{0x0345, 0x0345, 116, 1},    {0x0370, 0x0372, 1, 2},      {0x0376, 0x0376, 1, 1},
	{0x037F, 0x037F, 116, 1},    {0x0386, 0x0386, 38, 1},     {0x0388, 0x038A, 37, 1},
	{0x038C, 0x038C, 64, 1},     {0x038E, 0x038F, 63, 1},     {0x0391, 0x03A1, 32, 1},
	{0x03A3, 0x03AB, 32, 1},     {0x03C2, 0x03C2, 1, 1},      {0x03CF, 0x03CF, 8, 1},
	{0x03D0, 0x03D0, -30, 1},    {0x03D1, 0x03D1, -25, 1},    {0x03D5, 0x03D5, -15, 1},
	{0x03D6, 0x03D6, -22, 1},    {0x03D8, 0x03EE, 1, 2},      {0x03F0, 0x03F0, -54, 1},
	{0x03F1, 0x03F1, -48, 1},    {0x03F4, 0x03F4, -60, 1},    {0x03F5, 0x03F5, -64, 1},
	{0x03F7, 0x03F7, 1, 1},      {0x03F9, 0x03F9, -7, 1},     {0x03FA, 0x03FA, 1, 1},
	{0x03FD, 0x03FF, -130, 1},   {0x0400, 0x040F, 80, 1},     {0x0410, 0x042F, 32, 1},
	{0x0460, 0x0480, 1, 2},      {0x048A, 0x04BE, 1, 2},      {0x04C0, 0x04C0, 15, 1},
	{0x04C1, 0x04CD, 1, 2},      {0x04D0, 0x052E, 1, 2},      {0x0531, 0x0556, 48, 1},
	{0x10A0, 0x10C5, 7264, 1},   {0x10C7, 0x10C7, 7264, 1},   {0x10CD, 0x10CD, 7264, 1},
	{0x13F8, 0x13FD, -8, 1},     {0x1C90, 0x1CBA, -3008, 1},  {0x1CBD, 0x1CBF, -3008, 1},
	{0x1E00, 0x1E94, 1, 2},      {0x1E9B, 0x1E9B, -58, 1},    {0x1E9E, 0x1E9E, -7615, 1},
	{0x1EA0, 0x1EFE, 1, 2},      {0x1F08, 0x1F0F, -8, 1},     {0x1F18, 0x1F1D, -8, 1},
	{0x1F28, 0x1F2F, -8, 1},     {0x1F38, 0x1F3F, -8, 1},     {0x1F48, 0x1F4D, -8, 1},
	{0x1F59, 0x1F5F, -8, 2},     {0x1F68, 0x1F6F, -8, 1},     {0x1FB8, 0x1FB9, -8, 1},
	{0x1FBA, 0x1FBB, -74, 1},    {0x1FBE, 0x1FBE, -7173, 1},  {0x1FC8, 0x1FCB, -86, 1},
	{0x1FD8, 0x1FD9, -8, 1},     {0x1FDA, 0x1FDB, -100, 1},   {0x1FE8, 0x1FE9, -8, 1},
	{0x1FEA, 0x1FEB, -112, 1},   {0x1FEC, 0x1FEC, -7, 1},     {0x1FF8, 0x1FF9, -128, 1},
	{0x1FFA, 0x1FFB, -126, 1},   {0x2126, 0x2126, -7517, 1},  {0x212A, 0x212A, -8383, 1},
	{0x212B, 0x212B, -8262, 1},  {0x2132, 0x2132, 28, 1},     {0x2160, 0x216F, 16, 1},
	{0x2183, 0x2183, 1, 1},      {0x24B6, 0x24CF, 26, 1},     {0x2C00, 0x2C2F, 48, 1},
	{0x2C60, 0x2C60, 1, 1},      {0x2C67, 0x2C6B, 1, 2},      {0x2C72, 0x2C72, 1, 1},
	{0x2C75, 0x2C75, 1, 1},      {0x2C80, 0x2CE2, 1, 2},      {0xA640, 0xA66C, 1, 2},
	{0xA680, 0xA69A, 1, 2},      {0xA722, 0xA72E, 1, 2},      {0xA732, 0xA76E, 1, 2},
	{0xA779, 0xA77B, 1, 2},      {0xA77E, 0xA786, 1, 2},      {0xA78B, 0xA78B, 1, 1},
	{0xA790, 0xA792, 1, 2},      {0xA796, 0xA7A8, 1, 2},      {0xAB70, 0xABBF, -38864, 1},
	{0xFF21, 0xFF3A, 32, 1},     {0x10400, 0x10427, 40, 1},   {0x104B0, 0x104D3, 40, 1},
	{0x10C80, 0x10CB2, 64, 1},   {0x118A0, 0x118BF, 32, 1},   {0x1E900, 0x1E921, 34, 1},
};

#define NRANGES (sizeof ranges / sizeof ranges[0])

uint32_t fold_cp(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	size_t lo = 0, hi = NRANGES;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < ranges[mid].lo)
			hi = mid;
		else if (cp > ranges[mid].hi)
			lo = mid + 1;
		else if ((cp - ranges[mid].lo) % ranges[mid].step)
			return cp;
		else
			return (uint32_t)((int32_t)cp + ranges[mid].delta);
	}
	return cp;
}

int fold_string(const char *s, size_t len, struct buf *out)
{
	for (size_t off = 0; off < len;) {
		uint32_t cp;
		off += utf8_decode(s + off, len - off, &cp);
		char enc[4];
		if (buf_append(out, enc, utf8_encode(fold_cp(cp), enc)) < 0)
			return -1;
	}
	return 0;
}

/* Folded code points of hay from off compared with the folded needle: the bytes of hay
 * the match spans, or 0 when it does not match there. */
static size_t match_at(const char *hay, size_t hlen, size_t off, const char *needle, size_t nlen)
{
	size_t h = off, n = 0;
	while (n < nlen) {
		if (h >= hlen)
			return 0;
		unsigned char b = (unsigned char)hay[h];
		if (b < 0x80) {
			if ((unsigned char)needle[n] != (b >= 'A' && b <= 'Z' ? b + 32 : b))
				return 0;
			h++;
			n++;
			continue;
		}
		uint32_t cp, want;
		h += utf8_decode(hay + h, hlen - h, &cp);
		n += utf8_decode(needle + n, nlen - n, &want);
		if (fold_cp(cp) != want)
			return 0;
	}
	return h - off;
}

/* Whether hay[0..len) holds the n bytes seq (memchr hops on its first byte). */
static int has_seq(const char *hay, size_t len, const char *seq, size_t n)
{
	for (const char *p = hay, *end = hay + len;
	     (p = memchr(p, (unsigned char)seq[0], (size_t)(end - p))) != NULL; p++)
		if ((size_t)(end - p) >= n && !memcmp(p, seq, n))
			return 1;
	return 0;
}

/* An all-ASCII folded needle, the common case, on the fast scanner. Of the code points
 * above 0x7f only U+017F LONG S (to 's') and U+212A KELVIN SIGN (to 'k') fold into ASCII
 * (test_fold checks the whole table), so a match of such a needle is an ASCII-case-blind
 * match of its bytes unless it holds one of those two. A match starting before the first
 * ASCII match p spans at most 3 * nlen bytes, so it would have to hold one of them below
 * p + 3 * nlen: when there is none there, p is the first match (mlen nlen), or with no p,
 * there is no match at all. Returns -2 when the full scan must decide. */
static long ascii_find(const char *hay, size_t hlen, const char *needle, size_t nlen,
		       size_t *mlen)
{
	const char *p = search_find_fold(hay, hlen, needle, nlen);
	size_t limit = p ? (size_t)(p - hay) + 3 * nlen : hlen;
	if (limit > hlen)
		limit = hlen;
	if ((memchr(needle, 's', nlen) && has_seq(hay, limit, "\xC5\xBF", 2)) ||
	    (memchr(needle, 'k', nlen) && has_seq(hay, limit, "\xE2\x84\xAA", 3)))
		return -2;
	if (!p)
		return -1;
	*mlen = nlen;
	return (long)(p - hay);
}

long fold_find(const char *hay, size_t hlen, const char *needle, size_t nlen, size_t *mlen)
{
	if (!nlen)
		return -1;
	size_t i = 0;
	while (i < nlen && (unsigned char)needle[i] < 0x80)
		i++;
	if (i == nlen) {
		long r = ascii_find(hay, hlen, needle, nlen, mlen);
		if (r != -2)
			return r;
	}
	unsigned char first = (unsigned char)needle[0];
	/* An ASCII first letter other than k and s (the Kelvin sign and long s fold to them)
	 * can only start a match as itself or its upper case: memchr finds the candidates,
	 * each of the two kept until passed, so that the scan stays linear. */
	int ascii = first < 0x80 && first != 'k' && first != 's';
	unsigned char up = first >= 'a' && first <= 'z' ? (unsigned char)(first - 32) : first;
	const char *a = NULL, *b = NULL;
	int a_done = 0, b_done = up == first;
	for (size_t off = 0; off < hlen;) {
		if (ascii) {
			if (!a_done && (!a || a < hay + off)) {
				a = memchr(hay + off, first, hlen - off);
				a_done = !a;
			}
			if (!b_done && (!b || b < hay + off)) {
				b = memchr(hay + off, up, hlen - off);
				b_done = !b;
			}
			const char *pa = a_done ? NULL : a, *pb = b_done ? NULL : b;
			const char *p = !pa ? pb : !pb ? pa : pa < pb ? pa : pb;
			if (!p)
				return -1;
			off = (size_t)(p - hay);
		} else if (((unsigned char)hay[off] & 0xC0) == 0x80) {
			off++;
			continue;
		}
		size_t m = match_at(hay, hlen, off, needle, nlen);
		if (m) {
			*mlen = m;
			return (long)off;
		}
		off++;
	}
	return -1;
}
