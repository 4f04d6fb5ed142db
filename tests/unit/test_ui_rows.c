/* test_ui_rows: a frame paints only the rows whose signature changed; when the content
 * moved (a stream followed down, a scroll up) the rows move and only what is new is
 * painted; after a resize or an invalidation every row is painted. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cherry/ui_rows.h"

#define N 8

/* The signatures of N rows showing lines top..top+N of a text, line k's being k + 100
 * (changed: line changed's is different). */
static void rows_of(uint64_t *sig, int top, int changed)
{
	for (int y = 0; y < N; y++)
		sig[y] = (uint64_t)(top + y == changed ? 9999 : top + y + 100);
}

static int painted(const unsigned char *paint, int n)
{
	int c = 0;
	for (int y = 0; y < n; y++)
		c += paint[y];
	return c;
}

/* A window whose rows show lines 0..N, as painted by a first frame. */
static void first_frame(struct ui_rows *r, uint64_t *sig, unsigned char *paint)
{
	memset(r, 0, sizeof *r);
	rows_of(sig, 0, -1);
	assert_int_equal(ui_rows_plan(r, sig, N, 0, paint), 0);
}

static void test_only_changed_rows(void **state)
{
	(void)state;
	struct ui_rows r;
	uint64_t sig[N];
	unsigned char paint[N];
	first_frame(&r, sig, paint);
	assert_int_equal(painted(paint, N), N); /* the first frame: every row */
	assert_int_equal(r.painted, N);
	assert_int_equal(ui_rows_plan(&r, sig, N, 0, paint), 0);
	assert_int_equal(painted(paint, N), 0); /* nothing changed: nothing painted */
	rows_of(sig, 0, 5);
	assert_int_equal(ui_rows_plan(&r, sig, N, 0, paint), 0);
	assert_int_equal(painted(paint, N), 1); /* one line grew: its row alone */
	assert_true(paint[5]);
	/* a hint that is wrong moves nothing */
	assert_int_equal(ui_rows_plan(&r, sig, N, 3, paint), 0);
	assert_int_equal(painted(paint, N), 0);
	ui_rows_free(&r);
}

static void test_moved_rows(void **state)
{
	(void)state;
	struct ui_rows r;
	uint64_t sig[N];
	unsigned char paint[N];
	first_frame(&r, sig, paint);
	/* the stream followed down two lines: the rows move up two, the two new painted */
	rows_of(sig, 2, -1);
	assert_int_equal(ui_rows_plan(&r, sig, N, 2, paint), 2);
	assert_int_equal(painted(paint, N), 2);
	assert_true(paint[N - 1] && paint[N - 2]);
	assert_int_equal(r.shift, 2);
	/* scrolled up three: the rows move down, the three on top painted */
	rows_of(sig, -1, -1);
	assert_int_equal(ui_rows_plan(&r, sig, N, -3, paint), -3);
	assert_int_equal(painted(paint, N), 3);
	assert_true(paint[0] && paint[1] && paint[2] && !paint[3]);
	/* moved and a moved line changed too: that row as well */
	rows_of(sig, 0, 4);
	assert_int_equal(ui_rows_plan(&r, sig, N, 1, paint), 1);
	assert_int_equal(painted(paint, N), 2);
	assert_true(paint[4] && paint[N - 1]);
	/* a jump further than the window: every row */
	rows_of(sig, 50, -1);
	assert_int_equal(ui_rows_plan(&r, sig, N, 50, paint), 0);
	assert_int_equal(painted(paint, N), N);
	ui_rows_free(&r);
}

static void test_whole_repaints(void **state)
{
	(void)state;
	struct ui_rows r;
	uint64_t sig[N];
	unsigned char paint[N];
	first_frame(&r, sig, paint);
	ui_rows_invalidate(&r); /* cleared, or covered by the overlay */
	assert_int_equal(ui_rows_plan(&r, sig, N, 0, paint), 0);
	assert_int_equal(painted(paint, N), N);
	/* another height (a resize): every row, with no move */
	assert_int_equal(ui_rows_plan(&r, sig, N - 2, 1, paint), 0);
	assert_int_equal(painted(paint, N - 2), N - 2);
	assert_int_equal(ui_rows_plan(&r, sig, N - 2, 0, paint), 0);
	assert_int_equal(painted(paint, N - 2), 0);
	ui_rows_free(&r);
}

static void test_hash(void **state)
{
	(void)state;
	uint64_t a = ui_hash(UI_HASH_INIT, "abc", 3), b = ui_hash(UI_HASH_INIT, "abd", 3);
	assert_true(a != b);
	assert_true(a == ui_hash(UI_HASH_INIT, "abc", 3));
	assert_true(ui_hash(UI_HASH_INIT, "", 0) == UI_HASH_INIT);
	/* the same bytes split differently, with lengths mixed in, differ */
	assert_true(ui_hash(ui_hash_int(UI_HASH_INIT, 1), "ab", 2) !=
		    ui_hash(ui_hash_int(UI_HASH_INIT, 2), "ab", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_changed_rows),
		cmocka_unit_test(test_moved_rows),
		cmocka_unit_test(test_whole_repaints),
		cmocka_unit_test(test_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
