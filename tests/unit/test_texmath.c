/* test_texmath: common TeX turned into Unicode, and what cannot be kept as typed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cherry/buf.h"
#include "cherry/texmath.h"

static void expect(const char *tex, int all, const char *want)
{
	struct buf b = BUF_INIT;
	assert_int_equal(texmath_to_unicode(tex, strlen(tex), &b), all);
	assert_string_equal(b.data ? b.data : "", want);
	buf_free(&b);
}

static void test_symbols(void **state)
{
	(void)state;
	expect("\\alpha + \\beta = \\Gamma", 1, "\xCE\xB1 + \xCE\xB2 = \xCE\x93");
	expect("\\epsilon\\varepsilon", 1, "\xCF\xB5\xCE\xB5");
	expect("a \\le b \\neq c \\to d", 1, "a \xE2\x89\xA4 b \xE2\x89\xA0 c \xE2\x86\x92 d");
	expect("\\infty \\in \\mathbb{R}", 1, "\xE2\x88\x9E \xE2\x88\x88 \xE2\x84\x9D");
	expect("\\sin x \\cdot \\langle v \\rangle", 1,
	       "sin x \xE2\x8B\x85 \xE2\x9F\xA8 v \xE2\x9F\xA9");
	expect("\\{a\\}\\,b", 1, "{a} b");
}

static void test_scripts(void **state)
{
	(void)state;
	expect("x^2 + y_1", 1, "x\xC2\xB2 + y\xE2\x82\x81");
	expect("e^{i\\pi} + 1", 1, "e^(i\xCF\x80) + 1"); /* π has no superscript */
	expect("x^{n+1}", 1, "x\xE2\x81\xBF\xE2\x81\xBA\xC2\xB9");
	expect("x^{q}", 1, "x^q");
	expect("a_{bc}", 1, "a_(bc)");
	expect("\\sum_{i=0}^{n} x_i", 1,
	       "\xE2\x88\x91\xE1\xB5\xA2\xE2\x82\x8C\xE2\x82\x80\xE2\x81\xBF x\xE1\xB5\xA2");
}

static void test_fractions_roots(void **state)
{
	(void)state;
	expect("\\frac{a}{b}", 1, "a/b");
	expect("\\frac{a+1}{2b}", 1, "(a+1)/(2b)");
	expect("\\sqrt{2}", 1, "\xE2\x88\x9A" "2");
	expect("\\sqrt{x+1}", 1, "\xE2\x88\x9A(x+1)");
	expect("\\text{if } x", 1, "if  x");
	expect("\\left( x \\right)", 1, "( x )");
	expect("\\hat{x}", 1, "x\xCC\x82");
}

static void test_kept_as_tex(void **state)
{
	(void)state;
	expect("\\unknown{x} + \\alpha", 0, "\\unknown{x} + \xCE\xB1");
	expect("\\mathbb{W}", 0, "\\mathbb{W}");
	expect("", 1, "");
	expect("\\", 0, "\\");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_symbols),
		cmocka_unit_test(test_scripts),
		cmocka_unit_test(test_fractions_roots),
		cmocka_unit_test(test_kept_as_tex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
