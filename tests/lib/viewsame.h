/* viewsame: two laid-out view lines are the same, bytes, style, width and runs (for the
 * view tests; include after cmocka.h). */
#ifndef CHERRY_TEST_VIEWSAME_H
#define CHERRY_TEST_VIEWSAME_H

#include "cherry/view.h"

static inline void view_same_line(const struct view_line *a, const struct view_line *b)
{
	assert_int_equal(a->msg, b->msg);
	assert_int_equal(a->style, b->style);
	assert_int_equal(a->width, b->width);
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->s, b->s, a->len);
	assert_int_equal(a->nruns, b->nruns);
	for (size_t r = 0; r < a->nruns; r++) {
		assert_int_equal(a->runs[r].off, b->runs[r].off);
		assert_int_equal(a->runs[r].len, b->runs[r].len);
		assert_int_equal(a->runs[r].role, b->runs[r].role);
		assert_int_equal(a->runs[r].attrs, b->runs[r].attrs);
		assert_int_equal(a->runs[r].link, b->runs[r].link);
	}
}

#endif
