/* test_text: widths, clusters, wrapping and column arithmetic against exact values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cherry/buf.h"
#include "cherry/text.h"

#define NI "\xE4\xBD\xA0"   /* 你 U+4F60 */
#define HAO "\xE5\xA5\xBD"  /* 好 U+597D */
#define SHI "\xE4\xB8\x96"  /* 世 */
#define JIE "\xE7\x95\x8C"  /* 界 */
#define ACUTE "\xCC\x81"    /* U+0301 combining acute */
#define E_ACUTE "\xC3\xA9"  /* é precomposed */
#define GRIN "\xF0\x9F\x98\x80" /* 😀 U+1F600 */
#define ZWJ "\xE2\x80\x8D"
#define ZWSP "\xE2\x80\x8B"
#define VS16 "\xEF\xB8\x8F"
#define MAN "\xF0\x9F\x91\xA8"
#define WOMAN "\xF0\x9F\x91\xA9"
#define GIRL "\xF0\x9F\x91\xA7"
#define FAMILY MAN ZWJ WOMAN ZWJ GIRL
#define FLAG_US "\xF0\x9F\x87\xBA\xF0\x9F\x87\xB8"
#define HEART "\xE2\x9D\xA4"          /* U+2764, text presentation by default */
#define THUMBS_MEDIUM "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD" /* 👍🏽 */
#define KEYCAP_1 "1" VS16 "\xE2\x83\xA3"
/* 🏴 + tag g b e n g + cancel tag: the flag of England */
#define FLAG_ENGLAND "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xA5" \
	"\xF3\xA0\x81\xAE\xF3\xA0\x81\xA7\xF3\xA0\x81\xBF"
#define RAINBOW_FLAG "\xF0\x9F\x8F\xB3" VS16 ZWJ "\xF0\x9F\x8C\x88"

static int W(const char *s)
{
	return text_width(s, strlen(s));
}

static void test_cp_width(void **state)
{
	(void)state;
	assert_int_equal(text_cp_width('a'), 1);
	assert_int_equal(text_cp_width(' '), 1);
	assert_int_equal(text_cp_width('\n'), 0);
	assert_int_equal(text_cp_width(0x01), 1);   /* a stray control: one cell */
	assert_int_equal(text_cp_width(0x9B), 1);
	assert_int_equal(text_cp_width(0xE9), 1);
	assert_int_equal(text_cp_width(0x4F60), 2);
	assert_int_equal(text_cp_width(0x3000), 2);  /* ideographic space */
	assert_int_equal(text_cp_width(0xFF21), 2);  /* fullwidth A */
	assert_int_equal(text_cp_width(0xAC00), 2);  /* Hangul syllable */
	assert_int_equal(text_cp_width(0x1160), 0);  /* Hangul medial vowel */
	assert_int_equal(text_cp_width(0x20000), 2);
	assert_int_equal(text_cp_width(0x0301), 0);
	assert_int_equal(text_cp_width(0x200B), 0);
	assert_int_equal(text_cp_width(0x200D), 0);
	assert_int_equal(text_cp_width(0xFE0F), 0);
	assert_int_equal(text_cp_width(0xFEFF), 0);
	assert_int_equal(text_cp_width(0x00AD), 1);  /* soft hyphen is drawn */
	assert_int_equal(text_cp_width(0x1F600), 2);
	assert_int_equal(text_cp_width(0x1FA80), 2);
	assert_int_equal(text_cp_width(0x2764), 1);
	assert_int_equal(text_cp_width(0x1F1FA), 1); /* a lone regional indicator */
	assert_int_equal(text_cp_width(0xFFFD), 1);
	assert_int_equal(text_cp_width(0x0410), 1);  /* Cyrillic */
	assert_int_equal(text_cp_width(0xE000), 1);  /* private use */
	assert_int_equal(text_cp_width(0x0378), 1);  /* unassigned */
	assert_int_equal(text_cp_width(0x50000), 1);
	assert_int_equal(text_cp_width(0x2FFFD), 2);
	assert_int_equal(text_cp_width(0xE0100), 0); /* variation selector 17 */
}

static void test_string_width(void **state)
{
	(void)state;
	assert_int_equal(W(""), 0);
	assert_int_equal(W("hello"), 5);
	assert_int_equal(W(NI HAO), 4);
	assert_int_equal(W(E_ACUTE), 1);
	assert_int_equal(W("e" ACUTE), 1);
	assert_int_equal(W("e" ACUTE ACUTE ACUTE "x"), 2);
	assert_int_equal(W(GRIN), 2);
	assert_int_equal(W(FLAG_US), 2);
	assert_int_equal(W(FLAG_US FLAG_US), 4);
	assert_int_equal(W("\xF0\x9F\x87\xBA"), 1); /* half a flag */
	assert_int_equal(W(FAMILY), 2);
	assert_int_equal(W(FAMILY "a"), 3);
	assert_int_equal(W(HEART), 1);
	assert_int_equal(W(HEART VS16), 2);
	assert_int_equal(W(THUMBS_MEDIUM), 2);
	assert_int_equal(W(KEYCAP_1), 2);
	assert_int_equal(W("\xE2\x86\x94" VS16), 2);             /* ↔️ */
	assert_int_equal(W("\xE3\x81\x82" ZWJ "\xE3\x81\x84"), 4); /* kana do not join */
	assert_int_equal(W("\xF0\x9F\x8F\x83" ZWJ "\xE2\x99\x80" VS16), 2); /* 🏃‍♀️ */
	assert_int_equal(W(FLAG_ENGLAND), 2);
	assert_int_equal(W(RAINBOW_FLAG), 2);
	assert_int_equal(W("a" ZWSP "b"), 2);
	assert_int_equal(W(ACUTE), 0);
	assert_int_equal(W("a" ZWJ "b"), 2); /* ZWJ between letters joins nothing */
	assert_int_equal(W("\xFF"), 1);
	assert_int_equal(W("a\xFF" "b"), 3);
	assert_int_equal(W("\xE4\xBD"), 1);       /* a cut 3-byte sequence: one U+FFFD */
	assert_int_equal(W("\xC0\xAF"), 2);       /* overlong: two */
	assert_int_equal(W("\xED\xA0\x80"), 3);   /* a surrogate: three */
	assert_int_equal(W("\t"), 8);
	assert_int_equal(W("ab\t"), 8);
	assert_int_equal(W("a\tb"), 9);
	assert_int_equal(W("12345678\t"), 16);
	assert_int_equal(W(NI "\t"), 8);
	assert_int_equal(W("\x01"), 1);
}

static void test_decode_encode(void **state)
{
	(void)state;
	uint32_t cp;
	assert_int_equal(utf8_decode("", 0, &cp), 0);
	assert_int_equal(utf8_decode("a", 1, &cp), 1);
	assert_int_equal(cp, 'a');
	assert_int_equal(utf8_decode(NI, 3, &cp), 3);
	assert_int_equal(cp, 0x4F60);
	assert_int_equal(utf8_decode(GRIN, 4, &cp), 4);
	assert_int_equal(cp, 0x1F600);
	assert_int_equal(utf8_decode("\xE4\xBD" "a", 3, &cp), 2);
	assert_int_equal(cp, 0xFFFD);
	assert_int_equal(utf8_decode("\xF0\x9F\x98", 3, &cp), 3);
	assert_int_equal(cp, 0xFFFD);
	char out[4];
	assert_int_equal(utf8_encode(0x1F600, out), 4);
	assert_memory_equal(out, GRIN, 4);
	assert_int_equal(utf8_encode(0xE9, out), 2);
	assert_memory_equal(out, E_ACUTE, 2);
	assert_int_equal(utf8_encode(0xD800, out), 3);
	assert_memory_equal(out, "\xEF\xBF\xBD", 3);
	assert_int_equal(utf8_encode(0x110000, out), 3);
}

static void test_clusters(void **state)
{
	(void)state;
	int w;
	assert_int_equal(text_next_cluster(FAMILY "x", strlen(FAMILY) + 1, &w), 18);
	assert_int_equal(w, 2);
	assert_int_equal(text_next_cluster("e" ACUTE "x", 4, &w), 3);
	assert_int_equal(w, 1);
	assert_int_equal(text_next_cluster(FLAG_US FLAG_US, 16, &w), 8);
	assert_int_equal(w, 2);
	assert_int_equal(text_next_cluster("\t" ACUTE, 3, &w), 1); /* nothing attaches to TAB */
	assert_int_equal(text_next_cluster("\n" ACUTE, 3, &w), 1);
	assert_int_equal(w, 0);
	assert_int_equal(text_next_cluster(FLAG_ENGLAND, strlen(FLAG_ENGLAND), &w), 28);
	assert_int_equal(text_next_cluster("a" ZWJ GRIN, 8, &w), 4);
	assert_int_equal(w, 1);
	assert_int_equal(text_next_cluster("\xFF" ACUTE, 3, &w), 3);
	assert_int_equal(w, 1);
	assert_int_equal(text_next_cluster("", 0, &w), 0);
}

/* ---- wrapping ---- */

struct lines {
	struct buf out;
	const char *s;
	int stop_after;
};

static int collect(void *ctx, size_t off, size_t len, int width)
{
	struct lines *l = ctx;
	buf_append_char(&l->out, '[');
	buf_append(&l->out, l->s + off, len);
	buf_printf(&l->out, "]%d", width);
	return l->stop_after && --l->stop_after == 0;
}

/* "[line]width" for each line, then "#count". */
static char *wrap(const char *s, int width)
{
	static char result[4][512];
	static int slot;
	struct lines l = {BUF_INIT, s, 0};
	int n = text_wrap(s, strlen(s), width, collect, &l);
	buf_printf(&l.out, "#%d", n);
	char *r = result[slot++ & 3];
	snprintf(r, sizeof(result[0]), "%s", l.out.data);
	buf_free(&l.out);
	return r;
}

static void test_wrap_ascii(void **state)
{
	(void)state;
	assert_string_equal(wrap("the quick brown fox", 10), "[the quick]9[brown fox]9#2");
	assert_string_equal(wrap("the quick brown fox", 80), "[the quick brown fox]19#1");
	assert_string_equal(wrap("hello world", 5), "[hello]5[world]5#2");
	assert_string_equal(wrap("hello   world", 5), "[hello]5[world]5#2");
	assert_string_equal(wrap("hello   world", 7), "[hello]5[world]5#2");
	assert_string_equal(wrap("aaa bbb", 3), "[aaa]3[bbb]3#2");
	assert_string_equal(wrap("a b c d", 3), "[a b]3[c d]3#2");
	assert_string_equal(wrap("hello   ", 5), "[hello]5#1");
	assert_string_equal(wrap("hi   ", 10), "[hi   ]5#1");
	assert_string_equal(wrap("  ab cd", 4), "[  ab]4[cd]2#2");
	assert_string_equal(wrap("     x", 3), "[   ]3[  x]3#2");
	assert_string_equal(wrap("", 10), "[]0#1");
	assert_string_equal(wrap("x", 0), "[x]1#1");
}

static void test_wrap_long_words(void **state)
{
	(void)state;
	assert_string_equal(wrap("abcdefghij", 4), "[abcd]4[efgh]4[ij]2#3");
	assert_string_equal(wrap("ab cdefghij", 4), "[ab]2[cdef]4[ghij]4#3");
	assert_string_equal(wrap("abc", 1), "[a]1[b]1[c]1#3");
}

static void test_wrap_cjk(void **state)
{
	(void)state;
	assert_string_equal(wrap(NI HAO SHI JIE, 5), "[" NI HAO "]4[" SHI JIE "]4#2");
	assert_string_equal(wrap(NI HAO SHI JIE, 4), "[" NI HAO "]4[" SHI JIE "]4#2");
	assert_string_equal(wrap(NI HAO SHI JIE, 3), "[" NI "]2[" HAO "]2[" SHI "]2[" JIE "]2#4");
	/* a character wider than the line gets a line of its own */
	assert_string_equal(wrap(NI "a", 1), "[" NI "]2[a]1#2");
	assert_string_equal(wrap(NI HAO, 1), "[" NI "]2[" HAO "]2#2");
	assert_string_equal(wrap("a" NI "b", 2), "[a]1[" NI "]2[b]1#3");
	assert_string_equal(wrap(FAMILY FAMILY, 1), "[" FAMILY "]2[" FAMILY "]2#2");
	assert_string_equal(wrap(FAMILY FAMILY, 3), "[" FAMILY "]2[" FAMILY "]2#2");
}

static void test_wrap_mixed(void **state)
{
	(void)state;
	/* CJK breaks on either side of a wide character, Latin only at spaces */
	assert_string_equal(wrap("hi " NI HAO SHI JIE, 6),
			    "[hi " NI "]5[" HAO SHI JIE "]6#2");
	assert_string_equal(wrap("abc" NI "def", 5), "[abc" NI "]5[def]3#2");
	assert_string_equal(wrap("e" ACUTE "e" ACUTE "e" ACUTE, 2),
			    "[e" ACUTE "e" ACUTE "]2[e" ACUTE "]1#2");
	assert_string_equal(wrap("a\xFF\xFF\xFF", 2), "[a\xFF]2[\xFF\xFF]2#2");
	assert_string_equal(wrap(GRIN " ok", 3), "[" GRIN "]2[ok]2#2");
}

static void test_wrap_tabs_and_lf(void **state)
{
	(void)state;
	assert_string_equal(wrap("a\tb", 20), "[a\tb]9#1");
	assert_string_equal(wrap("a\tb", 5), "[a]1[\t]8[b]1#3");
	assert_string_equal(wrap("abcdefghij\tx", 12), "[abcdefghij]10[\tx]9#2");
	assert_string_equal(wrap("ab\ncd", 10), "[ab]2[cd]2#2");
	assert_string_equal(wrap("ab\n", 10), "[ab]2[]0#2");
	assert_string_equal(wrap("\n\n", 10), "[]0[]0[]0#3");
	assert_string_equal(wrap("ab   \ncd", 3), "[ab]2[cd]2#2");
	assert_string_equal(wrap("abcdef\ngh", 3), "[abc]3[def]3[gh]2#3");
	assert_string_equal(wrap("a\n\tb", 80), "[a]1[\tb]9#2");
}

static void test_wrap_stop(void **state)
{
	(void)state;
	struct lines l = {BUF_INIT, "a b c d", 2};
	assert_int_equal(text_wrap(l.s, 7, 1, collect, &l), 2);
	assert_string_equal(l.out.data, "[a]1[b]1");
	buf_free(&l.out);
	assert_int_equal(text_wrap("a b c d", 7, 1, NULL, NULL), 4);
}

/* ---- columns ---- */

static void test_columns(void **state)
{
	(void)state;
	const char *s = "a" NI "b";
	size_t n = strlen(s);
	assert_int_equal(text_col_of_offset(s, n, 0), 0);
	assert_int_equal(text_col_of_offset(s, n, 1), 1);
	assert_int_equal(text_col_of_offset(s, n, 2), 1); /* inside 你 */
	assert_int_equal(text_col_of_offset(s, n, 4), 3);
	assert_int_equal(text_col_of_offset(s, n, 5), 4);
	assert_int_equal(text_col_of_offset(s, n, 99), 4);
	assert_int_equal(text_offset_of_col(s, n, -1), 0);
	assert_int_equal(text_offset_of_col(s, n, 0), 0);
	assert_int_equal(text_offset_of_col(s, n, 1), 1);
	assert_int_equal(text_offset_of_col(s, n, 2), 1); /* the right half of 你 */
	assert_int_equal(text_offset_of_col(s, n, 3), 4);
	assert_int_equal(text_offset_of_col(s, n, 4), 5);
	assert_int_equal(text_offset_of_col(s, n, 50), 5);

	const char *t = "x\ty";
	assert_int_equal(text_col_of_offset(t, 3, 2), 8);
	assert_int_equal(text_offset_of_col(t, 3, 5), 1);
	assert_int_equal(text_offset_of_col(t, 3, 8), 2);

	const char *f = FAMILY "e" ACUTE;
	size_t fn = strlen(f);
	assert_int_equal(text_col_of_offset(f, fn, 5), 0);
	assert_int_equal(text_col_of_offset(f, fn, 18), 2);
	assert_int_equal(text_col_of_offset(f, fn, 19), 2); /* inside e + U+0301 */
	assert_int_equal(text_col_of_offset(f, fn, fn), 3);
	assert_int_equal(text_offset_of_col(f, fn, 1), 0);
	assert_int_equal(text_offset_of_col(f, fn, 2), 18);
}

static void test_column_round_trip(void **state)
{
	(void)state;
	static const char *const samples[] = {
		"hello world", NI HAO "ab" SHI, FAMILY " " FLAG_US "e" ACUTE "x",
		"a\tb\t" NI "\tc", "\xFF\xFE" "a" "\xE4\xBD" "b", HEART VS16 KEYCAP_1 "z",
	};
	for (size_t k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
		const char *s = samples[k];
		size_t len = strlen(s), off = 0;
		int w;
		for (;;) {
			int col = text_col_of_offset(s, len, off);
			assert_int_equal(text_offset_of_col(s, len, col), off);
			if (off == len)
				break;
			off += text_next_cluster(s + off, len - off, &w);
		}
		assert_int_equal(text_col_of_offset(s, len, len), text_width(s, len));
	}
}

static void locate(const char *s, int width, size_t off, int row, int col)
{
	int r = -1, c = -1;
	text_wrap_locate(s, strlen(s), width, off, &r, &c);
	if (r != row || c != col)
		fail_msg("locate(\"%s\", %d, %zu) = (%d,%d), want (%d,%d)", s, width, off, r, c,
			 row, col);
}

static void test_wrap_locate(void **state)
{
	(void)state;
	locate("", 5, 0, 0, 0);
	locate("abc", 10, 3, 0, 3);
	locate("abc", 10, 1, 0, 1);
	locate("hello world", 5, 0, 0, 0);
	locate("hello world", 5, 5, 0, 4);  /* before the break space: the last column */
	locate("hello world", 5, 6, 1, 0);
	locate("hello world", 5, 8, 1, 2);
	locate("hello world", 5, 11, 2, 0); /* the end of a full last line: a row below */
	locate("hello world", 20, 6, 0, 6);
	locate("helloworld", 5, 5, 1, 0);   /* a hard break: start of the next line */
	locate("ab\ncd", 10, 2, 0, 2);
	locate("ab\ncd", 10, 3, 1, 0);
	locate("ab\n", 10, 3, 1, 0);
	locate("ab   ", 10, 5, 0, 5);
	locate("ab    x", 3, 4, 0, 2);
	locate("a" NI "b", 10, 4, 0, 3);
	locate("a" NI "b", 10, 2, 0, 1);
	locate(NI HAO, 1, 3, 1, 0);
	locate("abc", 10, 99, 0, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cp_width),
		cmocka_unit_test(test_string_width),
		cmocka_unit_test(test_decode_encode),
		cmocka_unit_test(test_clusters),
		cmocka_unit_test(test_wrap_ascii),
		cmocka_unit_test(test_wrap_long_words),
		cmocka_unit_test(test_wrap_cjk),
		cmocka_unit_test(test_wrap_mixed),
		cmocka_unit_test(test_wrap_tabs_and_lf),
		cmocka_unit_test(test_wrap_stop),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_column_round_trip),
		cmocka_unit_test(test_wrap_locate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
