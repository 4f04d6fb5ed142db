/* test_prefix: the part holding a line, found in prefix sums of line counts, parts with
 * no lines among them (a stream's blank segment, an empty message). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cherry/prefix.h"

static void test_find(void **state)
{
	(void)state;
	/* parts of 0, 3, 0, 2 and 4 lines: 9 in all */
	static const size_t first[] = {0, 0, 3, 3, 5, 9};
	static const size_t want[] = {1, 1, 1, 3, 3, 4, 4, 4, 4};
	for (size_t k = 0; k < 9; k++)
		assert_int_equal(prefix_find(first, 5, k), want[k]);
	/* past the total: the last part */
	assert_int_equal(prefix_find(first, 5, 100), 4);
	assert_int_equal(prefix_find(first, 1, 7), 0);
	assert_int_equal(prefix_find(first, 0, 7), 0);
	/* many parts of one line each: part k holds line k */
	size_t big[1000];
	for (size_t i = 0; i < 1000; i++)
		big[i] = i;
	for (size_t k = 0; k < 1000; k++)
		assert_int_equal(prefix_find(big, 1000, k), k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
