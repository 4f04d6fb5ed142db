/* viewcheck: the layout tests' checks (viewcheck.h says what each is for). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cherry/text.h"
#include "strict_utf8.h"
#include "viewcheck.h"

/* Strict UTF-8 with no control character but TAB: what may reach the screen. Written
 * apart from the sanitiser on purpose. */
static int safe_line(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = strict_utf8_next(p + i, len - i, &cp);
		if (!n)
			return 0;
		if ((cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F))
			return 0;
		i += n;
	}
	return 1;
}

/* Every line of the view is safe, measured as text_width measures it, within the
 * width unless it is one cluster, and numbered consistently with its message. */
void check_lines(struct view *v, int width)
{
	view_layout_all(v); /* a long message's lines are counted exactly once laid out */
	size_t total = view_lines(v), expect_first = 0;
	for (size_t m = 0; m < view_count(v); m++) {
		assert_int_equal(view_msg_first_line(v, m), expect_first);
		expect_first += view_msg_lines(v, m);
	}
	assert_int_equal(expect_first, total);
	for (size_t i = 0; i < total; i++) {
		struct view_line l;
		assert_int_equal(view_line(v, i, &l), 0);
		assert_true(safe_line(l.s, l.len));
		assert_int_equal(l.width, text_width(l.s, l.len));
		if (l.width > width) {
			int w;
			assert_int_equal(text_next_cluster(l.s, l.len, &w), l.len);
		}
		assert_true(l.msg < view_count(v));
		assert_true(i >= view_msg_first_line(v, l.msg));
		assert_true(i < view_msg_first_line(v, l.msg) + view_msg_lines(v, l.msg));
	}
	struct view_line l;
	assert_int_equal(view_line(v, total, &l), -1);
}

void print_view(struct view *v)
{
	for (size_t i = 0; i < view_lines(v); i++) {
		struct view_line l;
		view_line(v, i, &l);
		fprintf(stderr, "# %zu m%zu s%d w%d [%.*s]\n", i, l.msg, (int)l.style, l.width,
			(int)l.len, l.s);
	}
}

void expect_view(struct view *v, const struct want *w, size_t n)
{
	if (view_lines(v) != n)
		print_view(v);
	assert_int_equal(view_lines(v), n);
	for (size_t i = 0; i < n; i++) {
		struct view_line l;
		assert_int_equal(view_line(v, i, &l), 0);
		if (l.style != w[i].style || l.len != strlen(w[i].s) ||
		    memcmp(l.s, w[i].s, l.len) != 0) {
			print_view(v);
			fprintf(stderr, "# line %zu: want s%d [%s]\n", i, (int)w[i].style, w[i].s);
		}
		assert_int_equal(l.style, w[i].style);
		assert_int_equal(l.len, strlen(w[i].s));
		assert_memory_equal(l.s, w[i].s, l.len);
		assert_int_equal(l.width, text_width(w[i].s, strlen(w[i].s)));
	}
}

/* Both views show the same lines. */
void expect_same(struct view *a, struct view *b)
{
	/* a long message appended whole is laid out when read: count exact lines */
	view_layout_all(a);
	view_layout_all(b);
	size_t n = view_lines(a);
	if (n != view_lines(b)) {
		fprintf(stderr, "# incremental:\n");
		print_view(a);
		fprintf(stderr, "# fresh:\n");
		print_view(b);
	}
	assert_int_equal(n, view_lines(b));
	for (size_t i = 0; i < n; i++) {
		struct view_line x, y;
		assert_int_equal(view_line(a, i, &x), 0);
		assert_int_equal(view_line(b, i, &y), 0);
		if (x.style != y.style || x.len != y.len || memcmp(x.s, y.s, x.len) != 0) {
			fprintf(stderr, "# line %zu differs: [%.*s] s%d vs [%.*s] s%d\n", i,
				(int)x.len, x.s, (int)x.style, (int)y.len, y.s, (int)y.style);
		}
		assert_int_equal(x.msg, y.msg);
		assert_int_equal(x.style, y.style);
		assert_int_equal(x.width, y.width);
		assert_int_equal(x.len, y.len);
		assert_memory_equal(x.s, y.s, x.len);
	}
}

void append(struct view *v, size_t m, const char *s)
{
	assert_int_equal(view_append_text(v, m, s, strlen(s)), 0);
}
