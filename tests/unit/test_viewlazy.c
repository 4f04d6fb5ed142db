/* test_viewlazy: a view whose long messages are laid out only when read shows the very
 * lines a view laid out whole does: at 40, 80 and 120 columns, read in any order, after
 * a resize, and with a scroll position kept while messages above it are laid out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/buf.h"
#include "cherry/view.h"
#include "viewsame.h"

enum { MSGS = 24 };

/* Message m's text: Markdown over view.c's LAZY_BYTES for the answers (every block kind,
 * CJK in a table, a code block), a line or two for the prompts. */
static void message_text(size_t m, struct buf *out)
{
	buf_reset(out);
	if (m % 2 == 0) {
		buf_printf(out, "Question %zu: what next?\nAnd a second line.", m);
		return;
	}
	static const char *const parts[] = {
		"# A heading\n\n",
		"A paragraph with **bold**, *emphasis*, `code` and a [link](https://e.example/x) "
		"that runs on well past the width of any pane it is shown in, so it wraps.\n\n",
		"- an item\n  - nested, with a longer text that also wraps at forty columns\n"
		"- [x] done\n\n",
		"| name | \xE5\x90\x8D\xE5\x89\x8D | n |\n|:--|:-:|--:|\n| alpha | "
		"\xE4\xBD\xA0\xE5\xA5\xBD | 1 |\n| beta | \xE4\xB8\x96\xE7\x95\x8C | 22 |\n\n",
		"```c\nint main(void) { return printf(\"a long line of code %d\\n\", 42); }\n```\n\n",
		"> a quote\n> on two lines\n\n",
		"$\\alpha + \\beta$ and a rule:\n\n---\n\n",
	};
	size_t k = m;
	while (out->len < 5000 + m * 37)
		buf_append_str(out, parts[k++ % (sizeof parts / sizeof parts[0])]);
}

static void fill(struct view *v, int eager)
{
	struct buf t = BUF_INIT;
	for (size_t m = 0; m < MSGS; m++) {
		assert_int_equal(view_add(v, m % 2 ? VIEW_ASSISTANT : VIEW_USER,
					  m % 2 ? "fake/model" : "you"),
				 (long)m);
		message_text(m, &t);
		if (m == 5)
			assert_int_equal(view_append_reasoning(v, m, "Thinking it **over**.\n", 22),
					 0);
		assert_int_equal(view_append_text(v, m, t.data, t.len), 0);
		assert_int_equal(view_end(v, m), 0);
		if (m % 2)
			assert_int_equal(view_set_footer(v, m, "[42 tokens]", 0), 0);
		if (eager)
			assert_true(view_msg_lines(v, m) > 0);
	}
	buf_free(&t);
}

/* The same conversation twice: read lazily at width lw, laid out as added at fw. */
static void two_views(int lw, int fw, struct view **lazy, struct view **full)
{
	*lazy = view_new(lw);
	*full = view_new(fw);
	assert_non_null(*lazy);
	assert_non_null(*full);
	fill(*lazy, 0);
	fill(*full, 1);
}

static void free_views(struct view *lazy, struct view *full)
{
	view_free(lazy);
	view_free(full);
}

/* Line k of message m in both views is the same (the lazy view may number it otherwise
 * while messages before m are estimates). */
static void same_msg_line(struct view *lazy, struct view *full, size_t m, size_t k)
{
	struct view_line a, b;
	size_t n = view_msg_lines(lazy, m);
	assert_int_equal(n, view_msg_lines(full, m));
	assert_int_equal(view_line(lazy, view_msg_first_line(lazy, m) + k, &a), 0);
	assert_int_equal(view_line(full, view_msg_first_line(full, m) + k, &b), 0);
	view_same_line(&a, &b);
}

static void same_view(struct view *lazy, struct view *full)
{
	view_layout_all(lazy);
	size_t n = view_lines(full);
	assert_int_equal(view_lines(lazy), n);
	for (size_t i = 0; i < n; i++) {
		struct view_line a, b;
		assert_int_equal(view_line(lazy, i, &a), 0);
		assert_int_equal(view_line(full, i, &b), 0);
		view_same_line(&a, &b);
	}
	struct view_line l;
	assert_int_equal(view_line(lazy, n, &l), -1);
}

static void test_same_lines_at_widths(void **state)
{
	(void)state;
	static const int widths[] = {40, 80, 120};
	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
		struct view *lazy, *full;
		two_views(widths[w], widths[w], &lazy, &full);
		/* as the client reads it: the end first, then a screen far above, then a
		 * message's own lines */
		view_show_end(lazy, 40);
		size_t total = view_lines(lazy);
		struct view_line a, b;
		assert_int_equal(view_line(lazy, total - 1, &a), 0);
		assert_int_equal(view_line(full, view_lines(full) - 1, &b), 0);
		view_same_line(&a, &b);
		size_t top = view_msg_first_line(lazy, 7) + 3;
		view_show(lazy, &top, 40);
		same_msg_line(lazy, full, 7, 3);
		same_msg_line(lazy, full, 3, 0);
		same_msg_line(lazy, full, 15, view_msg_lines(full, 15) - 1);
		same_view(lazy, full);
		free_views(lazy, full);
	}
}

/* A resize lays out nothing at once; what is read afterwards is what a view made at the
 * new width shows, and so is the rest when it is read. */
static void test_resize(void **state)
{
	(void)state;
	struct view *lazy, *full;
	two_views(80, 120, &lazy, &full);
	view_show_end(lazy, 40);
	same_msg_line(lazy, full, 9, 0); /* at 80: only the line count differs */
	view_set_width(lazy, 40);
	view_show_end(lazy, 40);
	view_set_fold(lazy, 1);
	view_set_fold(lazy, 0);
	view_set_width(lazy, 120);
	same_msg_line(lazy, full, 21, 2);
	same_view(lazy, full);
	/* an answer streaming at the end after the resize, appended as deltas */
	assert_int_equal(view_add(lazy, VIEW_ASSISTANT, "fake/model"), MSGS);
	assert_int_equal(view_add(full, VIEW_ASSISTANT, "fake/model"), MSGS);
	struct buf t = BUF_INIT;
	message_text(3, &t);
	for (size_t at = 0; at < t.len; at += 97) {
		size_t n = t.len - at < 97 ? t.len - at : 97;
		assert_int_equal(view_append_text(lazy, MSGS, t.data + at, n), 0);
		view_show_end(lazy, 40);
	}
	assert_int_equal(view_append_text(full, MSGS, t.data, t.len), 0);
	view_end(lazy, MSGS);
	view_end(full, MSGS);
	same_view(lazy, full);
	buf_free(&t);
	free_views(lazy, full);
}

/* A scroll position stays on its line while messages above it are laid out (a
 * selection or a search far above the screen), and on its message when its own
 * message's estimate is corrected. */
static void test_kept_line(void **state)
{
	(void)state;
	struct view *lazy, *full;
	two_views(80, 80, &lazy, &full);
	size_t top = view_msg_first_line(lazy, 19) + 5;
	view_keep(lazy, &top);
	view_show(lazy, &top, 30);
	struct view_line before, after;
	assert_int_equal(view_line(lazy, top, &before), 0);
	assert_int_equal(before.msg, 19);
	size_t sub = top - view_msg_first_line(lazy, 19);
	/* the first answer, far above, selected: laid out, its estimate corrected */
	assert_int_equal(view_msg_lines(lazy, 1), view_msg_lines(full, 1));
	struct view_line l;
	assert_int_equal(view_line(lazy, view_msg_first_line(lazy, 1), &l), 0);
	assert_int_equal(l.style, VS_HEADER_ASSISTANT);
	assert_int_equal(l.msg, 1);
	assert_int_equal(view_line(lazy, top, &after), 0);
	view_same_line(&before, &after);
	/* everything laid out (a search reads every line): still the same line */
	view_layout_all(lazy);
	assert_int_equal(view_line(lazy, top, &after), 0);
	view_same_line(&before, &after);
	assert_int_equal(top, view_msg_first_line(full, 19) + sub);
	view_keep(lazy, NULL);
	free_views(lazy, full);
}

/* An eager view (answers side by side, each scrolled on its own) counts exact lines
 * before any is read, also while a long answer streams in. */
static void test_eager(void **state)
{
	(void)state;
	struct view *lazy, *full;
	two_views(80, 80, &lazy, &full);
	struct view *e = view_new(80);
	assert_non_null(e);
	view_set_eager(e);
	fill(e, 0);
	size_t n = view_lines(e);
	view_layout_all(lazy);
	assert_int_equal(n, view_lines(lazy));
	struct buf t = BUF_INIT;
	message_text(7, &t);
	assert_int_equal(view_add(e, VIEW_ASSISTANT, "fake/model"), MSGS);
	assert_int_equal(view_add(lazy, VIEW_ASSISTANT, "fake/model"), MSGS);
	for (size_t at = 0; at < t.len; at += 300) {
		size_t d = t.len - at < 300 ? t.len - at : 300;
		assert_int_equal(view_append_text(e, MSGS, t.data + at, d), 0);
		assert_int_equal(view_append_text(lazy, MSGS, t.data + at, d), 0);
		n = view_lines(e);
		view_layout_all(lazy);
		assert_int_equal(n, view_lines(lazy));
	}
	buf_free(&t);
	view_free(e);
	free_views(lazy, full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_lines_at_widths),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_kept_line),
		cmocka_unit_test(test_eager),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
