/* test_utf8: the one decoder and encoder against named boundaries and, exhaustively over
 * short inputs, against tests/lib/strict_utf8.h (an independent judge) and the
 * maximal-subpart rule of Unicode §3.9; the carry against every split of a stream. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cherry/buf.h"
#include "cherry/utf8.h"
#include "strict_utf8.h"

/* ---- the reference ---- */

/* Whether p[0..k) starts some valid sequence: completing it with bytes that hit every
 * boundary of the second-byte ranges finds one when any exists. */
static int valid_prefix(const unsigned char *p, size_t k)
{
	static const unsigned char fill[] = {0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF};
	for (size_t n = k; n <= 4; n++) {
		unsigned char t[4];
		memcpy(t, p, k);
		size_t combos = 1;
		for (size_t j = k; j < n; j++)
			combos *= sizeof fill;
		for (size_t c = 0; c < combos; c++) {
			size_t x = c;
			for (size_t j = k; j < n; j++, x /= sizeof fill)
				t[j] = fill[x % sizeof fill];
			uint32_t cp;
			if (n && strict_utf8_next(t, n, &cp) == n)
				return 1;
		}
	}
	return 0;
}

/* The reference decode: the code point, or U+FFFD for the maximal invalid subpart (the
 * longest valid prefix, at least one byte); *cut when all of p is a valid prefix. */
static size_t ref_decode(const unsigned char *p, size_t len, uint32_t *cp, int *cut)
{
	size_t n = strict_utf8_next(p, len, cp);
	*cut = 0;
	if (n)
		return n;
	*cp = UTF8_REPLACEMENT;
	size_t k = len < 4 ? len : 4;
	while (k > 1 && !valid_prefix(p, k))
		k--;
	*cut = k == len && valid_prefix(p, len);
	return k;
}

static void check_one(const unsigned char *p, size_t len)
{
	uint32_t want, got = 0;
	int cut;
	size_t wn = ref_decode(p, len, &want, &cut);
	size_t n = utf8_decode((const char *)p, len, &got);
	if (n != wn || got != want)
		fail_msg("utf8_decode of %zu bytes %02X %02X %02X %02X: %zu U+%04X, want %zu U+%04X",
			 len, p[0], len > 1 ? p[1] : 0, len > 2 ? p[2] : 0, len > 3 ? p[3] : 0, n,
			 (unsigned)got, wn, (unsigned)want);
	n = utf8_decode_part((const char *)p, len, &got);
	uint32_t scp;
	int valid = strict_utf8_next(p, len, &scp) > 0;
	if (cut)
		assert_int_equal(n, 0);
	else if (!valid)
		assert_true(n == wn && got == UTF8_INVALID);
	else
		assert_true(n == wn && got == want);
	assert_int_equal(utf8_seq_len(p, len), valid ? wn : 0);
}

static void test_exhaustive_short(void **state)
{
	(void)state;
	unsigned char p[4];
	for (unsigned a = 0; a < 256; a++) {
		p[0] = (unsigned char)a;
		check_one(p, 1);
		for (unsigned b = 0; b < 256; b++) {
			p[1] = (unsigned char)b;
			check_one(p, 2);
		}
	}
}

/* Every byte that is a boundary of some range, and a few plain ones. */
static const unsigned char edges[] = {
	0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
	0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
};

static void test_exhaustive_edges(void **state)
{
	(void)state;
	size_t e = sizeof edges;
	unsigned char p[4];
	for (size_t a = 0; a < e; a++)
		for (size_t b = 0; b < e; b++)
			for (size_t c = 0; c < e; c++) {
				p[0] = edges[a];
				p[1] = edges[b];
				p[2] = edges[c];
				check_one(p, 3);
				for (size_t d = 0; d < e; d++) {
					p[3] = edges[d];
					check_one(p, 4);
				}
			}
}

/* ---- named boundaries ---- */

struct named {
	const char *in;
	size_t first_len;  /* what utf8_decode consumes */
	uint32_t first_cp; /* and gives */
};

static void test_named_boundaries(void **state)
{
	(void)state;
	static const struct named v[] = {
		{"\x7F", 1, 0x7F},
		{"\xC2\x80", 2, 0x80},
		{"\xDF\xBF", 2, 0x7FF},
		{"\xE0\xA0\x80", 3, 0x800},
		{"\xED\x9F\xBF", 3, 0xD7FF},
		{"\xEE\x80\x80", 3, 0xE000},
		{"\xEF\xBF\xBD", 3, 0xFFFD}, /* a real U+FFFD is valid */
		{"\xEF\xBF\xBF", 3, 0xFFFF},
		{"\xF0\x90\x80\x80", 4, 0x10000},
		{"\xF4\x8F\xBF\xBF", 4, 0x10FFFF},
		/* overlongs: the lead (C0, C1) or the second byte is the whole subpart */
		{"\xC0\x80", 1, 0xFFFD},
		{"\xC1\xBF", 1, 0xFFFD},
		{"\xE0\x80\x80", 1, 0xFFFD},
		{"\xE0\x9F\xBF", 1, 0xFFFD},
		{"\xF0\x80\x80\x80", 1, 0xFFFD},
		{"\xF0\x8F\xBF\xBF", 1, 0xFFFD},
		/* surrogates */
		{"\xED\xA0\x80", 1, 0xFFFD},
		{"\xED\xBF\xBF", 1, 0xFFFD},
		/* above U+10FFFF */
		{"\xF4\x90\x80\x80", 1, 0xFFFD},
		{"\xF5\x80\x80\x80", 1, 0xFFFD},
		{"\xFF", 1, 0xFFFD},
		/* a stray continuation byte */
		{"\x80", 1, 0xFFFD},
		{"\xBF", 1, 0xFFFD},
		/* cut sequences: the valid prefix is one subpart */
		{"\xE2\x82", 2, 0xFFFD},
		{"\xF0\x9F\x98", 3, 0xFFFD},
		{"\xE2\x82" "A", 2, 0xFFFD},
		{"\xF0\x9F\x98" "A", 3, 0xFFFD},
		{"\xF0\x9F" "\xF0\x9F\x98\x80", 2, 0xFFFD},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		uint32_t cp;
		size_t n = utf8_decode(v[i].in, strlen(v[i].in), &cp);
		if (n != v[i].first_len || cp != v[i].first_cp)
			fail_msg("case %zu: %zu U+%04X, want %zu U+%04X", i, n, (unsigned)cp,
				 v[i].first_len, (unsigned)v[i].first_cp);
	}
	uint32_t cp = 7;
	assert_int_equal(utf8_decode("", 0, &cp), 0);
	assert_int_equal(utf8_decode_part("", 0, &cp), 0);
	/* cut at the end of the input: the part decoder reports it, consuming nothing */
	assert_int_equal(utf8_decode_part("\xE2\x82", 2, &cp), 0);
	assert_int_equal(utf8_decode_part("\xF4\x8F", 2, &cp), 0);
	/* ... but not an invalid prefix, which is one invalid subpart */
	assert_int_equal(utf8_decode_part("\xF4\x90", 2, &cp), 1);
	assert_int_equal(cp, UTF8_INVALID);
}

/* Unicode §3.9, Table 3-8: U+FFFD for each maximal subpart. */
static void test_table_3_8(void **state)
{
	(void)state;
	const char in[] = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
	const uint32_t want[] = {0x61, 0xFFFD, 0xFFFD, 0xFFFD, 0x62, 0xFFFD,
				 0x63, 0xFFFD, 0xFFFD, 0x64};
	size_t len = sizeof in - 1, k = 0;
	for (size_t i = 0; i < len; k++) {
		uint32_t cp;
		i += utf8_decode(in + i, len - i, &cp);
		assert_true(k < sizeof want / sizeof want[0]);
		assert_int_equal(cp, want[k]);
	}
	assert_int_equal(k, sizeof want / sizeof want[0]);
	struct buf b = BUF_INIT;
	assert_int_equal(utf8_repair(in, len, &b), 0);
	assert_int_equal(b.len, 4 + 6 * 3);
	assert_memory_equal(b.data, "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "b\xEF\xBF\xBD"
			    "c\xEF\xBF\xBD\xEF\xBF\xBD" "d", b.len);
	assert_false(utf8_valid(in, len));
	buf_free(&b);
}

static void test_encode_every_code_point(void **state)
{
	(void)state;
	for (uint32_t cp = 0; cp <= 0x110000; cp++) {
		char out[4];
		size_t n = utf8_encode(cp, out);
		uint32_t back = 0;
		size_t m = strict_utf8_next((const unsigned char *)out, n, &back);
		assert_int_equal(m, n);
		int bad = (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF;
		if (back != (bad ? 0xFFFD : cp))
			fail_msg("U+%04X came back as U+%04X", (unsigned)cp, (unsigned)back);
		assert_int_equal(n, bad ? 3 : cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
		uint32_t dec;
		assert_int_equal(utf8_decode(out, n, &dec), n);
		assert_int_equal(dec, back);
	}
	char out[4];
	assert_int_equal(utf8_encode(0xFFFFFFFFu, out), 3);
}

/* ---- the carry: any split decodes as the whole ---- */

struct unit {
	uint32_t cp;
	size_t n;
};

/* The whole input through utf8_decode_part, the end's cut sequence as one subpart. */
static size_t whole(const char *s, size_t len, struct unit *u)
{
	size_t k = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode_part(s + i, len - i, &cp);
		if (!n) {
			u[k++] = (struct unit){UTF8_INVALID, len - i};
			break;
		}
		u[k++] = (struct unit){cp, n};
		i += n;
	}
	return k;
}

/* s fed as chunks ending at each offset in cuts (ascending, the last one len). */
static size_t chunked(const char *s, const size_t *cuts, size_t ncuts, struct unit *u)
{
	struct utf8_carry c = {{0}, 0};
	size_t k = 0, at = 0;
	for (size_t j = 0; j < ncuts; j++) {
		size_t end = cuts[j];
		while (at < end) {
			uint32_t cp;
			size_t nb;
			size_t used = utf8_carry_decode(&c, s + at, end - at, &cp, &nb);
			assert_true(used || nb); /* progress */
			at += used;
			if (nb)
				u[k++] = (struct unit){cp, nb};
		}
	}
	size_t rest = utf8_carry_flush(&c);
	if (rest)
		u[k++] = (struct unit){UTF8_INVALID, rest};
	assert_int_equal(utf8_carry_flush(&c), 0);
	return k;
}

static void same_units(const struct unit *a, size_t na, const struct unit *b, size_t nb,
		       const char *what)
{
	if (na != nb)
		fail_msg("%s: %zu units, want %zu", what, nb, na);
	for (size_t i = 0; i < na; i++)
		if (a[i].cp != b[i].cp || a[i].n != b[i].n)
			fail_msg("%s: unit %zu is U+%04X/%zu, want U+%04X/%zu", what, i,
				 (unsigned)b[i].cp, b[i].n, (unsigned)a[i].cp, a[i].n);
}

static const char *const streams[] = {
	"plain ASCII",
	"\xE4\xBD\xA0\xE5\xA5\xBD \xF0\x9F\x98\x80 caf\xC3\xA9",
	"\xE2\x82", /* cut at the very end */
	"\xF0\x9F\x98",
	"a\xF0\x9F\x98" "b\xE2\x82" "c\xC2",
	"\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
	"\xC0\x80\xE0\x80\x80\xED\xA0\x80\xF4\x90\x80\x80\xF5\xFF",
	"\xF0\x9F\xF0\x9F\x98\x80\xE0\xA0\xE0\xA0\x80\xED\x9F\xBF\xF4\x8F\xBF\xBF",
	"\xEF\xBF\xBD\xEF\xBF\xEF\xBF\xBD",
};

static void test_carry_every_split(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof streams / sizeof streams[0]; t++) {
		const char *s = streams[t];
		size_t len = strlen(s);
		struct unit a[64], b[64];
		size_t na = whole(s, len, a);

		size_t one[1] = {len};
		same_units(a, na, b, chunked(s, one, 1, b), "one chunk");
		/* every byte a chunk of its own */
		size_t each[64];
		for (size_t i = 0; i < len; i++)
			each[i] = i + 1;
		same_units(a, na, b, chunked(s, each, len, b), "byte by byte");
		/* every split into two and into three chunks */
		for (size_t i = 0; i <= len; i++) {
			size_t two[2] = {i, len};
			same_units(a, na, b, chunked(s, two, 2, b), "two chunks");
			for (size_t j = i; j <= len; j++) {
				size_t three[3] = {i, j, len};
				same_units(a, na, b, chunked(s, three, 3, b), "three chunks");
			}
		}
	}
}

/* A subpart that the carried bytes alone make: the next chunk's byte is not consumed. */
static void test_carry_invalid_after_cut(void **state)
{
	(void)state;
	struct utf8_carry c = {{0}, 0};
	uint32_t cp;
	size_t nb;
	assert_int_equal(utf8_carry_decode(&c, "\xE2\x82", 2, &cp, &nb), 2);
	assert_int_equal(nb, 0);
	assert_int_equal(utf8_carry_decode(&c, "A", 1, &cp, &nb), 0);
	assert_int_equal(nb, 2);
	assert_int_equal(cp, UTF8_INVALID);
	assert_int_equal(utf8_carry_decode(&c, "A", 1, &cp, &nb), 1);
	assert_int_equal(nb, 1);
	assert_int_equal(cp, 'A');
	/* completed by the next chunk */
	assert_int_equal(utf8_carry_decode(&c, "\xF0", 1, &cp, &nb), 1);
	assert_int_equal(nb, 0);
	assert_int_equal(utf8_carry_decode(&c, "\x9F\x98\x80!", 4, &cp, &nb), 3);
	assert_int_equal(nb, 4);
	assert_int_equal(cp, 0x1F600);
	assert_int_equal(utf8_carry_flush(&c), 0);
}

/* utf8_valid and utf8_repair agree with the decoder on every stream above. */
static void test_valid_and_repair_agree(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof streams / sizeof streams[0]; t++) {
		const char *s = streams[t];
		size_t len = strlen(s);
		struct buf want = BUF_INIT, got = BUF_INIT;
		int valid = 1;
		for (size_t i = 0; i < len;) {
			uint32_t cp, raw = 0;
			size_t n = utf8_decode(s + i, len - i, &cp);
			if (strict_utf8_next((const unsigned char *)s + i, len - i, &raw) != n)
				valid = 0;
			char out[4];
			assert_int_equal(buf_append(&want, out, utf8_encode(cp, out)), 0);
			i += n;
		}
		assert_int_equal(utf8_valid(s, len), valid);
		assert_int_equal(utf8_repair(s, len, &got), 0);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.data, want.data, want.len);
		assert_true(utf8_valid(got.data, got.len));
		buf_free(&want);
		buf_free(&got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exhaustive_short),
		cmocka_unit_test(test_exhaustive_edges),
		cmocka_unit_test(test_named_boundaries),
		cmocka_unit_test(test_table_3_8),
		cmocka_unit_test(test_encode_every_code_point),
		cmocka_unit_test(test_carry_every_split),
		cmocka_unit_test(test_carry_invalid_after_cut),
		cmocka_unit_test(test_valid_and_repair_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
