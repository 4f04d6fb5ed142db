/* test_view_empty: a Markdown answer whose rendering holds lines but no text and no runs
 * (an unclosed fence over a blank line) gives those lines without pointer arithmetic on
 * NULL (found by fuzz_view: NULL + 0 is undefined; clang's UBSan reports it, gcc's does
 * not check it, so under gcc this test shows the lines and no more). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cherry/view.h"

static void test_empty_code_lines(void **state)
{
	(void)state;
	static const int widths[] = {1, 36};
	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
		struct view *v = view_new(widths[w]);
		assert_non_null(v);
		assert_int_equal(view_add(v, VIEW_USER, "you"), 0);
		assert_int_equal(view_append_text(v, 0, "q", 1), 0);
		assert_int_equal(view_add(v, VIEW_ASSISTANT, "model"), 1);
		assert_int_equal(view_append_text(v, 1, "~~~\n\n", 5), 0);
		assert_int_equal(view_end(v, 1), 0);
		size_t n = view_lines(v), empty = 0;
		assert_true(n > view_msg_first_line(v, 1));
		for (size_t i = view_msg_first_line(v, 1); i < n; i++) {
			struct view_line l;
			assert_int_equal(view_line(v, i, &l), 0);
			assert_true(l.len == 0 || l.s != NULL);
			assert_true(l.nruns == 0 || l.runs != NULL);
			empty += l.len == 0;
		}
		assert_true(empty > 0);
		view_free(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_code_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
