/* test_fold: Unicode simple case folding and the folded search (fold.h), and the search
 * of one conversation that `cherry history search` and the client share (histsearch),
 * on the conversation and skimmed from its raw JSON (histskim). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cherry/fold.h"
#include "cherry/histsearch.h"
#include "cherry/utf8.h"

static void test_fold_cp(void **state)
{
	(void)state;
	assert_int_equal(fold_cp('A'), 'a');
	assert_int_equal(fold_cp('z'), 'z');
	assert_int_equal(fold_cp('@'), '@');
	assert_int_equal(fold_cp(0x00C9), 0x00E9); /* É */
	assert_int_equal(fold_cp(0x00D7), 0x00D7); /* × is no letter */
	assert_int_equal(fold_cp(0x0178), 0x00FF); /* Ÿ */
	assert_int_equal(fold_cp(0x0100), 0x0101); /* Ā, even upper */
	assert_int_equal(fold_cp(0x0101), 0x0101);
	assert_int_equal(fold_cp(0x0139), 0x013A); /* Ĺ, odd upper */
	assert_int_equal(fold_cp(0x013A), 0x013A);
	assert_int_equal(fold_cp(0x0391), 0x03B1); /* Α */
	assert_int_equal(fold_cp(0x03C2), 0x03C3); /* final sigma */
	assert_int_equal(fold_cp(0x0410), 0x0430); /* А */
	assert_int_equal(fold_cp(0x0401), 0x0451); /* Ё */
	assert_int_equal(fold_cp(0x0531), 0x0561); /* Armenian */
	assert_int_equal(fold_cp(0x1E9E), 0x00DF); /* capital sharp s */
	assert_int_equal(fold_cp(0x212A), 'k');    /* Kelvin sign */
	assert_int_equal(fold_cp(0xFF21), 0xFF41); /* fullwidth A */
	assert_int_equal(fold_cp(0x10400), 0x10428); /* Deseret */
	assert_int_equal(fold_cp(0x4E2D), 0x4E2D); /* CJK: none */
}

static long find(const char *hay, const char *needle, size_t *mlen)
{
	struct buf f = BUF_INIT;
	assert_int_equal(fold_string(needle, strlen(needle), &f), 0);
	long at = fold_find(hay, strlen(hay), f.data, f.len, mlen);
	buf_free(&f);
	return at;
}

static void test_fold_find(void **state)
{
	(void)state;
	size_t m;
	assert_int_equal(find("Grüße aus KÖLN", "köln", &m), 12);
	assert_int_equal(m, 5);
	assert_int_equal(find("ΣΟΦΊΑ", "σοφία", &m), 0);
	assert_int_equal(find("привет МИР", "мир", &m), 13);
	assert_int_equal(find("abc", "ABCD", &m), -1);
	assert_int_equal(find("", "a", &m), -1);
	/* the Kelvin sign is three bytes in the text and matches "k" */
	assert_int_equal(find("x \xe2\x84\xaa" "ey", "KEY", &m), 2);
	assert_int_equal(m, 5);
	/* a rare upper-case first letter after many lower-case ones (the memchr reuse) */
	char big[4096];
	memset(big, 'a', sizeof big - 5);
	memcpy(big + sizeof big - 5, "Abcd", 5);
	assert_int_equal(find(big, "abcd", &m), (long)(sizeof big - 5));
	/* invalid bytes never match a letter, and never stop the search */
	assert_int_equal(find("\xff\xfe ok", "OK", &m), 3);
	/* simple folding: sharp s is not "ss" */
	assert_int_equal(find("Straße", "STRASSE", &m), -1);
}

/* fold_find takes an all-ASCII needle to the ASCII-case-blind scanner (search.h), which
 * is right only because no code point above 0x7f folds into ASCII but these two. */
static void test_only_two_fold_into_ascii(void **state)
{
	(void)state;
	for (uint32_t cp = 0x80; cp <= 0x10FFFF; cp++)
		if (fold_cp(cp) < 0x80 && cp != 0x017F && cp != 0x212A)
			fail_msg("U+%04X folds into ASCII", (unsigned)cp);
	assert_int_equal(fold_cp(0x017F), 's');
	assert_int_equal(fold_cp(0x212A), 'k');
}

/* The oracle: every start not inside a character, compared code point by folded code
 * point. */
static long ref_find(const char *hay, size_t hlen, const char *needle, size_t nlen,
		     size_t *mlen)
{
	for (size_t off = 0; off < hlen; off++) {
		if (((unsigned char)hay[off] & 0xC0) == 0x80)
			continue;
		size_t h = off, n = 0;
		while (n < nlen && h < hlen) {
			uint32_t a, b;
			h += utf8_decode(hay + h, hlen - h, &a);
			n += utf8_decode(needle + n, nlen - n, &b);
			if (fold_cp(a) != b)
				break;
			if (n == nlen) {
				*mlen = h - off;
				return (long)off;
			}
		}
	}
	return -1;
}

/* The fast path and the full scan agree, the long s and the Kelvin sign before, inside
 * and after an ASCII match included. */
static void test_fold_find_ascii(void **state)
{
	(void)state;
	size_t m;
	assert_int_equal(find("\xc5\xbftop STOP", "stop", &m), 0); /* long s first */
	assert_int_equal(m, 5);
	assert_int_equal(find("a \xe2\x84\xaa" "ey KEY", "key", &m), 2);
	assert_int_equal(m, 5);
	assert_int_equal(find("KEY \xe2\x84\xaa" "ey", "key", &m), 0);
	assert_int_equal(m, 3);
	assert_int_equal(find("\xe2\x84\xaa" "ey", "kez", &m), -1);
	assert_int_equal(find("Need\xc5\xbf", "needs", &m), 0);
	assert_int_equal(m, 6);
	static const char *const parts[] = {"a", "k", "s", "K", "S", "e", "E", " ", "\xc5\xbf",
					    "\xe2\x84\xaa", "\xc3\xa9", "\xff", "\xe2\x84"};
	static const char *const needles[] = {"k", "s", "ks", "sk", "ask", "kEs", "sa k", "e",
					      "ae", "kk"};
	srand(7);
	for (int round = 0; round < 20000; round++) {
		char hay[200];
		size_t hlen = 0;
		for (int n = rand() % 24; n > 0; n--) {
			const char *p = parts[rand() % (sizeof parts / sizeof *parts)];
			memcpy(hay + hlen, p, strlen(p));
			hlen += strlen(p);
		}
		const char *nd = needles[rand() % (sizeof needles / sizeof *needles)];
		struct buf f = BUF_INIT;
		assert_int_equal(fold_string(nd, strlen(nd), &f), 0);
		size_t m1 = 0, m2 = 0;
		long a = fold_find(hay, hlen, f.data, f.len, &m1);
		long b = ref_find(hay, hlen, f.data, f.len, &m2);
		if (a != b || (a >= 0 && m1 != m2))
			fail_msg("\"%.*s\" in \"%.*s\": %ld/%zu, want %ld/%zu", (int)f.len, f.data,
				 (int)hlen, hay, a, m1, b, m2);
		buf_free(&f);
	}
}

static void test_histsearch_conv(void **state)
{
	(void)state;
	struct hist_conv c;
	assert_int_equal(hist_conv_init(&c, "abc", 1.7e9), 0);
	assert_int_equal(hist_set_str(&c.title, "Weather"), 0);
	assert_non_null(hist_add(&c, NULL, "user", "how cold is it?", 1.7e9));
	assert_non_null(hist_add(&c, c.current, "assistant",
				 "First line\n\tIt is cold in KÖLN, as it often is in the long dark "
				 "winters of the Rhineland, they say.\nthird", 1.7e9));
	struct buf f = BUF_INIT, line = BUF_INIT;
	struct histsearch_hit h;
	assert_int_equal(fold_string("köln", 5, &f), 0);
	assert_int_equal(histsearch_conv(&c, f.data, f.len, &h, &line), 1);
	assert_string_equal(h.id, "abc");
	assert_string_equal(h.title, "Weather");
	assert_string_equal(h.msg, "m2");
	assert_int_equal(h.msg_index, 1);
	/* the matching line only, cut after the match */
	assert_string_equal(h.line, " It is cold in KÖLN, as it often is in the long dark winters "
				    "of the R...");
	buf_reset(&f);
	assert_int_equal(fold_string("WEATH", 5, &f), 0);
	assert_int_equal(histsearch_conv(&c, f.data, f.len, &h, &line), 1);
	assert_string_equal(h.msg, ""); /* the title matched */
	assert_string_equal(h.line, "Weather");
	buf_reset(&f);
	assert_int_equal(fold_string("zebra", 5, &f), 0);
	assert_int_equal(histsearch_conv(&c, f.data, f.len, &h, &line), 0);
	buf_free(&f);
	buf_free(&line);
	hist_conv_free(&c);
}

/* The skim of a file's raw JSON finds what the search of the conversation built from it
 * finds, field for field, whatever the escapes; what it cannot read, it leaves (-2). */
static void test_histsearch_raw(void **state)
{
	(void)state;
	struct hist_conv c;
	assert_int_equal(hist_conv_init(&c, "rawid", 1.7e9), 0);
	assert_int_equal(hist_set_str(&c.title, "Tab\there \"quoted\" Title é"), 0);
	assert_non_null(hist_add(&c, NULL, "user", "plain question about zebras", 1.7e9));
	assert_non_null(hist_add(&c, c.current, "assistant",
				 "line one\n\"Quoted\" back\\slash ÉTÉ needle\ttab", 1.7e9 + 5));
	assert_non_null(hist_add(&c, c.current, "user", "third with KÖLN and a \u00ff",
				 1.7e9 + 9));
	c.updated = 1.7e9 + 9;
	struct buf json = BUF_INIT;
	assert_int_equal(hist_to_json(&c, &json), 0);
	static const char *const needles[] = {"zebra", "NEEDLE", "été", "köln", "title é",
					      "back", "tab", "ÿ", "nothing here", "rawid", "m2"};
	for (size_t i = 0; i < sizeof needles / sizeof *needles; i++) {
		struct buf f = BUF_INIT, l1 = BUF_INIT, l2 = BUF_INIT, keep[2] = {BUF_INIT, BUF_INIT};
		struct histsearch_hit a, b;
		assert_int_equal(fold_string(needles[i], strlen(needles[i]), &f), 0);
		int ra = histsearch_conv(&c, f.data, f.len, &a, &l1);
		int rb = histsearch_raw(json.data, json.len, "rawid", f.data, f.len, &b, &l2, keep);
		assert_int_equal(ra, rb);
		if (ra == 1) {
			assert_string_equal(a.id, b.id);
			assert_string_equal(a.title, b.title);
			assert_string_equal(a.msg, b.msg);
			assert_int_equal(a.msg_index, b.msg_index);
			assert_string_equal(a.line, b.line);
			assert_true(a.updated == b.updated);
		}
		buf_free(&f);
		buf_free(&l1);
		buf_free(&l2);
		buf_free(&keep[0]);
		buf_free(&keep[1]);
	}
	hist_conv_free(&c);
	/* not the shape it reads: cut short, not an object, nested past reason, no messages */
	struct buf f = BUF_INIT, l = BUF_INIT, keep[2] = {BUF_INIT, BUF_INIT};
	struct histsearch_hit h;
	assert_int_equal(fold_string("zebra", 5, &f), 0);
	assert_int_equal(histsearch_raw(json.data, json.len / 2, "rawid", f.data, f.len, &h, &l,
					keep), -2);
	assert_int_equal(histsearch_raw("[1]", 3, "x", f.data, f.len, &h, &l, keep), -2);
	struct buf deep = BUF_INIT;
	assert_int_equal(buf_append_str(&deep, "{\"x\":"), 0);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(buf_append_char(&deep, '['), 0);
	assert_int_equal(histsearch_raw(deep.data, deep.len, "x", f.data, f.len, &h, &l, keep), -2);
	const char *none = "{\"title\": \"zebra\"}";
	assert_int_equal(histsearch_raw(none, strlen(none), "x", f.data, f.len, &h, &l, keep), -2);
	const char *bare = "{\"title\": null, \"messages\": []}";
	assert_int_equal(histsearch_raw(bare, strlen(bare), "x", f.data, f.len, &h, &l, keep), 0);
	buf_free(&deep);
	buf_free(&json);
	buf_free(&f);
	buf_free(&l);
	buf_free(&keep[0]);
	buf_free(&keep[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_cp),
		cmocka_unit_test(test_fold_find),
		cmocka_unit_test(test_only_two_fold_into_ascii),
		cmocka_unit_test(test_fold_find_ascii),
		cmocka_unit_test(test_histsearch_conv),
		cmocka_unit_test(test_histsearch_raw),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
