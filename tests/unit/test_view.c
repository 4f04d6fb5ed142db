/* test_view: the chat layout against exact lines and styles, and streaming appends
 * against a fresh layout of the whole text (same lines, at every width, in O(delta)). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cherry/buf.h"
#include "cherry/text.h"
#include "cherry/theme.h"
#include "cherry/view.h"
#include "strict_utf8.h"

#define NI "\xE4\xBD\xA0"   /* 你 */
#define HAO "\xE5\xA5\xBD"  /* 好 */
#define SHI "\xE4\xB8\x96"  /* 世 */
#define JIE "\xE7\x95\x8C"  /* 界 */
#define STOP "\xE3\x80\x82" /* 。 */
#define ACUTE "\xCC\x81"
#define GRIN "\xF0\x9F\x98\x80"
#define ZWJ "\xE2\x80\x8D"
#define VS16 "\xEF\xB8\x8F"
#define HEART "\xE2\x9D\xA4"
#define FAMILY "\xF0\x9F\x91\xA8" ZWJ "\xF0\x9F\x91\xA9" ZWJ "\xF0\x9F\x91\xA7"
#define ELLIPSIS "\xE2\x80\xA6"
#define FFFD "\xEF\xBF\xBD"
#define FOLDED(n) "\xE2\x96\xB8 reasoning (" n ") \xE2\x80\x94 F4 shows it"

#if defined(__SANITIZE_ADDRESS__)
#define SLOW_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLOW_BUILD 1
#endif
#endif
#ifndef SLOW_BUILD
#define SLOW_BUILD 0
#endif

struct want {
	enum view_style style;
	const char *s;
};

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
static void check_lines(struct view *v, int width)
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

static void print_view(struct view *v)
{
	for (size_t i = 0; i < view_lines(v); i++) {
		struct view_line l;
		view_line(v, i, &l);
		fprintf(stderr, "# %zu m%zu s%d w%d [%.*s]\n", i, l.msg, (int)l.style, l.width,
			(int)l.len, l.s);
	}
}

static void expect_view(struct view *v, const struct want *w, size_t n)
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

#define EXPECT(v, ...)                                                  \
	do {                                                            \
		static const struct want w_[] = {__VA_ARGS__};          \
		expect_view((v), w_, sizeof w_ / sizeof w_[0]);         \
	} while (0)

/* Both views show the same lines. */
static void expect_same(struct view *a, struct view *b)
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

static void append(struct view *v, size_t m, const char *s)
{
	assert_int_equal(view_append_text(v, m, s, strlen(s)), 0);
}

static void test_message_parts(void **state)
{
	(void)state;
	struct view *v = view_new(20);
	assert_non_null(v);
	assert_int_equal(view_count(v), 0);
	assert_int_equal(view_lines(v), 0);
	assert_int_equal(view_add(v, VIEW_USER, "you"), 0);
	append(v, 0, "hello world");
	assert_int_equal(view_end(v, 0), 0);
	assert_int_equal(view_add(v, VIEW_ASSISTANT, "openai/gpt-4o-mini"), 1);
	append(v, 1, "hi there");
	assert_int_equal(view_set_footer(v, 1, "[stopped]", 0), 0);
	assert_int_equal(view_add(v, VIEW_INFO, "cherry"), 2);
	assert_int_equal(view_set_footer(v, 2, "[error: no key]", 1), 0);
	assert_int_equal(view_count(v), 3);
	EXPECT(v, {VS_HEADER_USER, "you"}, {VS_TEXT, "hello world"}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "openai/gpt-4o-mini"}, {VS_TEXT, "hi there"},
	       {VS_FOOTER, "[stopped]"}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "cherry"}, {VS_ERROR, "[error: no key]"}, {VS_BLANK, ""});
	assert_int_equal(view_msg_first_line(v, 0), 0);
	assert_int_equal(view_msg_lines(v, 0), 3);
	assert_int_equal(view_msg_first_line(v, 1), 3);
	assert_int_equal(view_msg_lines(v, 1), 4);
	assert_int_equal(view_msg_first_line(v, 2), 7);
	assert_int_equal(view_msg_lines(v, 2), 3);
	assert_int_equal(view_msg_first_line(v, 3), 10);
	assert_int_equal(view_msg_lines(v, 3), 0);
	struct view_line l;
	assert_int_equal(view_line(v, 4, &l), 0);
	assert_int_equal(l.msg, 1);
	assert_int_equal(l.width, 8);

	size_t len;
	assert_string_equal(view_text(v, 1, &len), "hi there");
	assert_int_equal(len, 8);
	assert_string_equal(view_text(v, 2, &len), "");
	assert_int_equal(len, 0);
	assert_null(view_text(v, 3, &len));
	assert_int_equal(view_append_text(v, 3, "x", 1), -1);
	assert_int_equal(view_set_footer(v, 3, "x", 0), -1);

	/* footer and header changed or removed */
	assert_int_equal(view_set_footer(v, 1, NULL, 0), 0);
	assert_int_equal(view_set_header(v, 0, NULL), 0);
	assert_int_equal(view_set_header(v, 2, "notice"), 0);
	EXPECT(v, {VS_TEXT, "hello world"}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "openai/gpt-4o-mini"}, {VS_TEXT, "hi there"}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "notice"}, {VS_ERROR, "[error: no key]"}, {VS_BLANK, ""});

	view_clear(v);
	assert_int_equal(view_count(v), 0);
	assert_int_equal(view_lines(v), 0);
	assert_int_equal(view_add(v, VIEW_USER, ""), 0);
	EXPECT(v, {VS_BLANK, ""});
	view_free(v);
	view_free(NULL);
}

static void test_header_cut(void **state)
{
	(void)state;
	struct view *v = view_new(10);
	view_add(v, VIEW_ASSISTANT, "openai/gpt-4o-mini (2/3)");
	view_add(v, VIEW_ASSISTANT, NI HAO SHI JIE);
	view_add(v, VIEW_USER, "\x1b[31mred\x1b[0m\x1b]0;title\x07 two\nlines\r");
	view_add(v, VIEW_ASSISTANT, "0123456789");
	EXPECT(v, {VS_HEADER_ASSISTANT, "openai/gp" ELLIPSIS}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, NI HAO SHI JIE}, {VS_BLANK, ""},
	       {VS_HEADER_USER, "red two l" ELLIPSIS}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "0123456789"}, {VS_BLANK, ""});
	view_set_width(v, 5);
	EXPECT(v, {VS_HEADER_ASSISTANT, "open" ELLIPSIS}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, NI HAO ELLIPSIS}, {VS_BLANK, ""},
	       {VS_HEADER_USER, "red " ELLIPSIS}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "0123" ELLIPSIS}, {VS_BLANK, ""});
	view_set_width(v, 4); /* a wide character that would cross the cut goes */
	EXPECT(v, {VS_HEADER_ASSISTANT, "ope" ELLIPSIS}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, NI ELLIPSIS}, {VS_BLANK, ""},
	       {VS_HEADER_USER, "red" ELLIPSIS}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "012" ELLIPSIS}, {VS_BLANK, ""});
	view_set_width(v, 0); /* counts as 1 */
	EXPECT(v, {VS_HEADER_ASSISTANT, ELLIPSIS}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, ELLIPSIS}, {VS_BLANK, ""},
	       {VS_HEADER_USER, ELLIPSIS}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, ELLIPSIS}, {VS_BLANK, ""});
	/* a header that sanitises to nothing has no line */
	view_set_header(v, 3, "\x1b[2J");
	assert_int_equal(view_msg_lines(v, 3), 1);
	view_free(v);
}

static void test_fold(void **state)
{
	(void)state;
	struct view *v = view_new(80);
	view_add(v, VIEW_ASSISTANT, "m");
	assert_int_equal(view_append_reasoning(v, 0, "step one\nstep two\n", 18), 0);
	append(v, 0, "answer");
	view_add(v, VIEW_ASSISTANT, "m");
	append(v, 1, "no reasoning");
	view_add(v, VIEW_ASSISTANT, "m");
	assert_int_equal(view_append_reasoning(v, 2, "once", 4), 0);
	assert_int_equal(view_folded(v), 0);
	EXPECT(v, {VS_HEADER_ASSISTANT, "m"}, {VS_REASONING, "step one"},
	       {VS_REASONING, "step two"}, {VS_TEXT, "answer"}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "m"}, {VS_TEXT, "no reasoning"}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "m"}, {VS_REASONING, "once"}, {VS_BLANK, ""});
	view_set_fold(v, 1);
	assert_int_equal(view_folded(v), 1);
	EXPECT(v, {VS_HEADER_ASSISTANT, "m"}, {VS_FOLDED, FOLDED("2 lines")},
	       {VS_TEXT, "answer"}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "m"}, {VS_TEXT, "no reasoning"}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "m"}, {VS_FOLDED, FOLDED("1 line")}, {VS_BLANK, ""});
	/* the count follows streaming reasoning */
	assert_int_equal(view_append_reasoning(v, 2, "\ntwice\nthrice", 13), 0);
	struct view_line l;
	assert_int_equal(view_line(v, 8, &l), 0);
	assert_int_equal(l.style, VS_FOLDED);
	assert_int_equal(l.len, strlen(FOLDED("3 lines")));
	assert_memory_equal(l.s, FOLDED("3 lines"), l.len);
	/* cut to the width; the reasoning wraps to more lines */
	view_set_width(v, 20);
	EXPECT(v, {VS_HEADER_ASSISTANT, "m"},
	       {VS_FOLDED, "\xE2\x96\xB8 reasoning (2 line" ELLIPSIS},
	       {VS_TEXT, "answer"}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "m"}, {VS_TEXT, "no reasoning"}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "m"}, {VS_FOLDED, "\xE2\x96\xB8 reasoning (3 line" ELLIPSIS},
	       {VS_BLANK, ""});
	view_set_width(v, 5);
	assert_int_equal(view_line(v, 1, &l), 0);
	assert_int_equal(l.len, strlen("\xE2\x96\xB8 re" ELLIPSIS));
	assert_memory_equal(l.s, "\xE2\x96\xB8 re" ELLIPSIS, l.len); /* "step one" is 2 lines */
	view_set_fold(v, 0);
	EXPECT(v, {VS_HEADER_ASSISTANT, "m"}, {VS_REASONING, "step"}, {VS_REASONING, "one"},
	       {VS_REASONING, "step"}, {VS_REASONING, "two"}, {VS_TEXT, "answe"},
	       {VS_TEXT, "r"}, {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "m"}, {VS_TEXT, "no"}, {VS_TEXT, "reaso"}, {VS_TEXT, "ning"},
	       {VS_BLANK, ""},
	       {VS_HEADER_ASSISTANT, "m"}, {VS_REASONING, "once"}, {VS_REASONING, "twice"},
	       {VS_REASONING, "thric"}, {VS_REASONING, "e"}, {VS_BLANK, ""});
	view_set_fold(v, 1);
	assert_int_equal(view_line(v, 1, &l), 0);
	assert_int_equal(l.style, VS_FOLDED);
	view_free(v);
}

static void test_wrap_wide(void **state)
{
	(void)state;
	struct view *v = view_new(5);
	view_add(v, VIEW_ASSISTANT, NULL);
	append(v, 0, NI HAO SHI JIE STOP);
	view_add(v, VIEW_USER, NULL);
	append(v, 1, "ab " NI HAO SHI);
	EXPECT(v, {VS_TEXT, NI HAO}, {VS_TEXT, SHI JIE}, {VS_TEXT, STOP}, {VS_BLANK, ""},
	       {VS_TEXT, "ab " NI}, {VS_TEXT, HAO SHI}, {VS_BLANK, ""});
	/* at width 1 every wide character still gets a line of its own */
	view_set_width(v, 1);
	EXPECT(v, {VS_TEXT, NI}, {VS_TEXT, HAO}, {VS_TEXT, SHI}, {VS_TEXT, JIE}, {VS_TEXT, STOP},
	       {VS_BLANK, ""},
	       {VS_TEXT, "a"}, {VS_TEXT, "b"}, {VS_TEXT, NI}, {VS_TEXT, HAO}, {VS_TEXT, SHI},
	       {VS_BLANK, ""});
	check_lines(v, 1);
	view_free(v);
}

static void test_wrap_emoji_and_marks(void **state)
{
	(void)state;
	struct view *v = view_new(4);
	view_add(v, VIEW_ASSISTANT, NULL);
	append(v, 0, "a" GRIN "b" FAMILY "c");
	view_add(v, VIEW_ASSISTANT, NULL);
	append(v, 1, "e" ACUTE "e" ACUTE "e" ACUTE "e" ACUTE "e" ACUTE);
	view_add(v, VIEW_ASSISTANT, NULL);
	append(v, 2, HEART VS16 HEART VS16 HEART);
	EXPECT(v, {VS_TEXT, "a" GRIN "b"}, {VS_TEXT, FAMILY "c"}, {VS_BLANK, ""},
	       {VS_TEXT, "e" ACUTE "e" ACUTE "e" ACUTE "e" ACUTE}, {VS_TEXT, "e" ACUTE},
	       {VS_BLANK, ""},
	       {VS_TEXT, HEART VS16 HEART VS16}, {VS_TEXT, HEART}, {VS_BLANK, ""});
	view_set_width(v, 1);
	EXPECT(v, {VS_TEXT, "a"}, {VS_TEXT, GRIN}, {VS_TEXT, "b"}, {VS_TEXT, FAMILY},
	       {VS_TEXT, "c"}, {VS_BLANK, ""},
	       {VS_TEXT, "e" ACUTE}, {VS_TEXT, "e" ACUTE}, {VS_TEXT, "e" ACUTE},
	       {VS_TEXT, "e" ACUTE}, {VS_TEXT, "e" ACUTE}, {VS_BLANK, ""},
	       {VS_TEXT, HEART VS16}, {VS_TEXT, HEART VS16}, {VS_TEXT, HEART}, {VS_BLANK, ""});
	check_lines(v, 1);
	view_free(v);
}

/* An answer is Markdown: markers hidden, styles in runs; a user's text and cherry's
 * own notices are shown as typed. */
static void test_markdown(void **state)
{
	(void)state;
	struct view *v = view_new(40);
	view_add(v, VIEW_ASSISTANT, NULL);
	append(v, 0, "# Title\n"
		     "plain *styled* `code`\n"
		     "> quoted\n");
	EXPECT(v, {VS_TEXT, "Title"}, {VS_TEXT, "\xE2\x95\x90\xE2\x95\x90\xE2\x95\x90\xE2\x95\x90\xE2\x95\x90"},
	       {VS_TEXT, ""}, {VS_TEXT, "plain styled code"}, {VS_TEXT, ""},
	       {VS_TEXT, "\xE2\x94\x82 quoted"}, {VS_BLANK, ""});
	struct view_line l;
	assert_int_equal(view_line(v, 0, &l), 0);
	assert_int_equal(l.nruns, 1);
	assert_int_equal(l.runs[0].role, TR_H1);
	assert_int_equal(view_line(v, 3, &l), 0);
	assert_int_equal(l.nruns, 4);
	assert_int_equal(l.runs[1].role, TR_TEXT);
	assert_int_equal(l.runs[1].attrs, TA_ITALIC);
	assert_int_equal(l.runs[1].len, 6);
	assert_memory_equal(l.s + l.runs[1].off, "styled", 6);
	assert_int_equal(l.runs[3].role, TR_CODE);
	assert_int_equal(view_line(v, 5, &l), 0);
	assert_int_equal(l.runs[0].role, TR_QUOTE_BAR);
	assert_int_equal(l.runs[1].role, TR_QUOTE);
	/* VIEW_INFO and a user's text are not Markdown */
	view_clear(v);
	view_add(v, VIEW_INFO, "cherry");
	append(v, 0, "# not a heading\n```\n    cherry key set PROVIDER");
	view_add(v, VIEW_USER, "you");
	append(v, 1, "## asked\n> *me*");
	EXPECT(v, {VS_HEADER_ASSISTANT, "cherry"}, {VS_INFO, "# not a heading"},
	       {VS_INFO, "```"}, {VS_INFO, "    cherry key set PROVIDER"}, {VS_BLANK, ""},
	       {VS_HEADER_USER, "you"}, {VS_TEXT, "## asked"}, {VS_TEXT, "> *me*"},
	       {VS_BLANK, ""});
	assert_int_equal(view_line(v, 1, &l), 0);
	assert_int_equal(l.nruns, 1);
	assert_int_equal(l.runs[0].role, TR_INFO);
	view_free(v);
}

static void test_code_wraps(void **state)
{
	(void)state;
	struct view *v = view_new(10);
	view_add(v, VIEW_ASSISTANT, NULL);
	append(v, 0, "```\nabcdefghijkl\nx = f(a, b)\n```\n# long heading here");
	EXPECT(v, {VS_TEXT, "\xE2\x94\x8C\xE2\x94\x80 1 \xE2\x94\x80\xE2\x94\x80\xE2\x94\x80\xE2\x94\x80\xE2\x94\x80"},
	       {VS_TEXT, "\xE2\x94\x82 abcdefgh"}, {VS_TEXT, "\xE2\x94\x86 ijkl"},
	       {VS_TEXT, "\xE2\x94\x82 x = f(a,"}, {VS_TEXT, "\xE2\x94\x86 b)"},
	       {VS_TEXT, "\xE2\x94\x94\xE2\x94\x80\xE2\x94\x80\xE2\x94\x80\xE2\x94\x80\xE2\x94\x80"
			 "\xE2\x94\x80\xE2\x94\x80\xE2\x94\x80\xE2\x94\x80"},
	       {VS_TEXT, ""}, {VS_TEXT, "long"}, {VS_TEXT, "heading"}, {VS_TEXT, "here"},
	       {VS_TEXT, "\xE2\x95\x90\xE2\x95\x90\xE2\x95\x90\xE2\x95\x90\xE2\x95\x90\xE2\x95\x90\xE2\x95\x90"},
	       {VS_BLANK, ""});
	check_lines(v, 10);
	view_free(v);
}

static void test_footer_wraps(void **state)
{
	(void)state;
	struct view *v = view_new(10);
	view_add(v, VIEW_ASSISTANT, "m");
	append(v, 0, "partial");
	assert_int_equal(view_set_footer(v, 0, "[error: connection refused]", 1), 0);
	EXPECT(v, {VS_HEADER_ASSISTANT, "m"}, {VS_TEXT, "partial"}, {VS_ERROR, "[error:"},
	       {VS_ERROR, "connection"}, {VS_ERROR, "refused]"}, {VS_BLANK, ""});
	assert_int_equal(view_set_footer(v, 0, "[cut short by the length limit]", 0), 0);
	EXPECT(v, {VS_HEADER_ASSISTANT, "m"}, {VS_TEXT, "partial"}, {VS_FOOTER, "[cut short"},
	       {VS_FOOTER, "by the"}, {VS_FOOTER, "length"}, {VS_FOOTER, "limit]"},
	       {VS_BLANK, ""});
	/* a footer from outside is sanitised too */
	assert_int_equal(view_set_footer(v, 0, "[error: \x1b[1mbad\x1b[0m\a]\n", 1), 0);
	EXPECT(v, {VS_HEADER_ASSISTANT, "m"}, {VS_TEXT, "partial"}, {VS_ERROR, "[error:"},
	       {VS_ERROR, "bad]"}, {VS_BLANK, ""});
	view_set_width(v, 80);
	EXPECT(v, {VS_HEADER_ASSISTANT, "m"}, {VS_TEXT, "partial"}, {VS_ERROR, "[error: bad]"},
	       {VS_BLANK, ""});
	view_free(v);
}

static void test_newlines_and_tabs(void **state)
{
	(void)state;
	struct view *v = view_new(10);
	view_add(v, VIEW_USER, NULL);
	append(v, 0, "a\n");
	view_add(v, VIEW_USER, NULL);
	append(v, 1, "a\n\nb\n\n");
	view_add(v, VIEW_USER, NULL);
	append(v, 2, "\n");
	view_add(v, VIEW_USER, NULL);
	append(v, 3, "x\ty\tz");
	view_add(v, VIEW_USER, NULL);
	append(v, 4, "\x1b[2J"); /* nothing shown: no text line */
	EXPECT(v, {VS_TEXT, "a"}, {VS_BLANK, ""},
	       {VS_TEXT, "a"}, {VS_TEXT, ""}, {VS_TEXT, "b"}, {VS_TEXT, ""}, {VS_BLANK, ""},
	       {VS_TEXT, ""}, {VS_BLANK, ""},
	       {VS_TEXT, "x\ty"}, {VS_TEXT, "\tz"}, {VS_BLANK, ""},
	       {VS_BLANK, ""});
	view_set_width(v, 3); /* a TAB wider than the line gets a line of its own */
	EXPECT(v, {VS_TEXT, "a"}, {VS_BLANK, ""},
	       {VS_TEXT, "a"}, {VS_TEXT, ""}, {VS_TEXT, "b"}, {VS_TEXT, ""}, {VS_BLANK, ""},
	       {VS_TEXT, ""}, {VS_BLANK, ""},
	       {VS_TEXT, "x"}, {VS_TEXT, "\t"}, {VS_TEXT, "y"}, {VS_TEXT, "\t"}, {VS_TEXT, "z"},
	       {VS_BLANK, ""},
	       {VS_BLANK, ""});
	check_lines(v, 3);
	view_free(v);
}

/* Appending a VS16 widens the last character, which moves a break two lines back. */
static void test_append_changes_earlier_lines(void **state)
{
	(void)state;
	static const struct {
		int width;
		const char *before, *after;
	} cases[] = {
		{5, "ab cd" HEART, "ab cd" HEART VS16},
		{8, "a \t" HEART, "a \t" HEART VS16},
		{8, "xy\na \t" HEART, "xy\na \t" HEART VS16},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct view *v = view_new(cases[c].width);
		view_add(v, VIEW_USER, NULL);
		append(v, 0, cases[c].before);
		append(v, 0, VS16);
		struct view *f = view_new(cases[c].width);
		view_add(f, VIEW_USER, NULL);
		append(f, 0, cases[c].after);
		expect_same(v, f);
		view_free(v);
		view_free(f);
	}
	struct view *v = view_new(5);
	view_add(v, VIEW_USER, NULL);
	append(v, 0, "ab cd" HEART);
	EXPECT(v, {VS_TEXT, "ab"}, {VS_TEXT, "cd" HEART}, {VS_BLANK, ""});
	append(v, 0, VS16);
	EXPECT(v, {VS_TEXT, "ab cd"}, {VS_TEXT, HEART VS16}, {VS_BLANK, ""});
	view_free(v);
	v = view_new(8);
	view_add(v, VIEW_USER, NULL);
	append(v, 0, "a \t" HEART);
	EXPECT(v, {VS_TEXT, "a"}, {VS_TEXT, "\t"}, {VS_TEXT, HEART}, {VS_BLANK, ""});
	append(v, 0, VS16);
	EXPECT(v, {VS_TEXT, "a \t"}, {VS_TEXT, HEART VS16}, {VS_BLANK, ""});
	view_free(v);
}

/* A Markdown answer streamed cut at every byte ends on the lines of the whole. */
static const char md_doc[] =
	"# Report\n\nSome **bold** and *it* text with `a code span` and a [link](http://x.io).\n"
	"Next line $\\alpha^2$.\n\n"
	"- one\n- two\n  - nested\n  - [x] done\n\n"
	"1. first\n2. second\n\n"
	"> quote line\n> more\n\n"
	"| a | b |\n|:--|--:|\n| \xE4\xBD\xA0\xE5\xA5\xBD | 1 |\n\n"
	"```python\ndef f():\n    \"\"\"doc\n    more\"\"\"\n    return 1\n```\n\n"
	"---\n\nAfter ~~x~~.\n";

static void test_streamed_markdown(void **state)
{
	(void)state;
	size_t n = sizeof md_doc - 1;
	static const int widths[] = {7, 24, 60};
	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
		struct view *whole = view_new(widths[w]);
		view_add(whole, VIEW_ASSISTANT, "m");
		append(whole, 0, md_doc);
		view_end(whole, 0);
		check_lines(whole, widths[w]);
		for (size_t split = 0; split <= n; split++) {
			struct view *v = view_new(widths[w]);
			view_add(v, VIEW_ASSISTANT, "m");
			assert_int_equal(view_append_text(v, 0, md_doc, split), 0);
			assert_int_equal(view_append_text(v, 0, md_doc + split, n - split), 0);
			view_end(v, 0);
			expect_same(v, whole);
			view_free(v);
		}
		struct view *v = view_new(widths[w]);
		view_add(v, VIEW_ASSISTANT, "m");
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(view_append_text(v, 0, md_doc + i, 1), 0);
			check_lines(v, widths[w]);
		}
		view_end(v, 0);
		expect_same(v, whole);
		view_free(v);
		view_free(whole);
	}
}

static void test_end_flushes(void **state)
{
	(void)state;
	struct view *v = view_new(20);
	view_add(v, VIEW_ASSISTANT, NULL);
	append(v, 0, "abc\xE4\xBD");
	EXPECT(v, {VS_TEXT, "abc"}, {VS_BLANK, ""});
	assert_int_equal(view_end(v, 0), 0);
	EXPECT(v, {VS_TEXT, "abc" FFFD}, {VS_BLANK, ""});
	append(v, 0, "\xA0x"); /* a fresh sanitiser: the tail is not joined to the cut lead */
	EXPECT(v, {VS_TEXT, "abc" FFFD FFFD "x"}, {VS_BLANK, ""});
	append(v, 0, "\x1b]0;ti");
	append(v, 0, "tle\x07y\x1b[");
	append(v, 0, "2Jz");
	EXPECT(v, {VS_TEXT, "abc" FFFD FFFD "xyz"}, {VS_BLANK, ""});
	size_t len;
	assert_string_equal(view_text(v, 0, &len), "abc" FFFD FFFD "xyz");
	assert_int_equal(view_end(v, 5), -1);
	view_free(v);
}

/* Terminal control in any split never reaches a line. */
static void test_hostile_input(void **state)
{
	(void)state;
	static const char raw[] =
		"one\x1b]52;c;aGVsbG8gd29ybGQ=\x07two\x1b]0;evil title\x1b\\three\r\n"
		"\x1b[2J\x1b[1;1Hfour\x1b[31mred\x1b[0m\x9b" "6n\xc2\x9b" "5m\xc2\x9d" "0;x\x07"
		"\x07\x08\x0e\x7f\x1bPq#0\x1b\\five\r\x1b" "c\x1b(0six\x1b[?1049h\t\xe2\x80\xae"
		"seven\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\n";
	size_t n = sizeof raw - 1;
	struct view *whole = view_new(12);
	view_add(whole, VIEW_ASSISTANT, "\x1b]0;t\x07m\x1b[5m");
	assert_int_equal(view_append_text(whole, 0, raw, n), 0);
	assert_int_equal(view_append_reasoning(whole, 0, raw, n), 0);
	view_end(whole, 0);
	check_lines(whole, 12);
	size_t len;
	const char *t = view_text(whole, 0, &len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];
		assert_true(c >= 0x20 || c == '\n' || c == '\t');
		assert_true(c != 0x7f);
		if (c == 0xC2 && i + 1 < len)
			assert_true((unsigned char)t[i + 1] >= 0xA0); /* no C1 */
	}
	for (size_t split = 0; split <= n; split++) {
		struct view *v = view_new(12);
		view_add(v, VIEW_ASSISTANT, "\x1b]0;t\x07m\x1b[5m");
		assert_int_equal(view_append_text(v, 0, raw, split), 0);
		assert_int_equal(view_append_reasoning(v, 0, raw, split), 0);
		check_lines(v, 12);
		assert_int_equal(view_append_text(v, 0, raw + split, n - split), 0);
		assert_int_equal(view_append_reasoning(v, 0, raw + split, n - split), 0);
		view_end(v, 0);
		check_lines(v, 12);
		expect_same(v, whole);
		view_free(v);
	}
	/* byte by byte */
	struct view *v = view_new(12);
	view_add(v, VIEW_ASSISTANT, "\x1b]0;t\x07m\x1b[5m");
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(view_append_text(v, 0, raw + i, 1), 0);
		assert_int_equal(view_append_reasoning(v, 0, raw + i, 1), 0);
	}
	view_end(v, 0);
	expect_same(v, whole);
	view_free(v);
	view_free(whole);
}

/* ---- incremental == one-shot ---- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33) % n;
}

static const char *const tokens[] = {
	"hello", "world", " ", " ", " ", "   ", "\n", "\n", "\n\n", "\t", "a", "b", "xy",
	"```\n", "```py\n", "~~~\n", "````", "# ", "### ", "> ", "-", "#",
	NI, HAO, SHI JIE, STOP, GRIN, FAMILY, HEART, VS16, ZWJ, ACUTE, "e" ACUTE,
	"\xF0\x9F\x87\xBA", "\xF0\x9F\x87\xB8", "\xF0\x9F\x8F\xB4", "\xF3\xA0\x81\xA7",
	"\xF3\xA0\x81\xBF", "\xFF", "\xE4\xBD", "\xC0\xAF", "\xED\xA0\x80",
	"\x1b[31m", "\x1b[0m", "\x1b]0;title\x07", "\x1b]52;c;aGVsbG8=\x1b\\", "\x1b[2J\x1b[H",
	"\r\n", "\r", "\x9b", "\xc2\x9b" "1m", "\a", "\b", "\x7f", "\xe2\x80\xae",
	"supercalifragilisticexpialidocious", "0123456789012345678901234567890",
	"\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
};

static void random_text(struct buf *b, size_t ntok)
{
	buf_reset(b);
	for (size_t i = 0; i < ntok; i++)
		buf_append_str(b, tokens[rnd(sizeof tokens / sizeof tokens[0])]);
}

/* A view of `nmsg` messages; message k gets texts[k] (and reasoning from the same
 * text) in one append. */
static struct view *one_shot(int width, int fold, const struct buf *texts, size_t nmsg, int end)
{
	struct view *v = view_new(width);
	view_set_fold(v, fold);
	for (size_t k = 0; k < nmsg; k++) {
		view_add(v, k % 2 ? VIEW_USER : VIEW_ASSISTANT, "h");
		assert_int_equal(view_append_reasoning(v, k, texts[k].data, texts[k].len / 3), 0);
		assert_int_equal(view_append_text(v, k, texts[k].data, texts[k].len), 0);
		if (end)
			view_end(v, k);
	}
	return v;
}

static void test_random_incremental(void **state)
{
	(void)state;
	static const int widths[] = {1, 2, 3, 5, 7, 8, 13, 40, 80};
	enum { NMSG = 3 };
	struct buf texts[NMSG] = {BUF_INIT, BUF_INIT, BUF_INIT};
	for (unsigned seed = 1; seed <= 60; seed++) {
		rng_state = seed;
		int width = widths[seed % (sizeof widths / sizeof widths[0])];
		for (size_t k = 0; k < NMSG; k++)
			random_text(&texts[k], 20 + rnd(80));
		struct view *v = view_new(width);
		for (size_t k = 0; k < NMSG; k++)
			view_add(v, k % 2 ? VIEW_USER : VIEW_ASSISTANT, "h");
		/* deltas of 1..12 bytes, cutting anything, to the messages in turn; the
		 * reasoning gets the first third of the text */
		size_t at[NMSG] = {0}, rat[NMSG] = {0};
		int busy = 1;
		size_t step = 0;
		while (busy) {
			busy = 0;
			for (size_t k = 0; k < NMSG; k++) {
				size_t rlen = texts[k].len / 3;
				if (rat[k] < rlen) {
					size_t d = 1 + rnd(12);
					if (d > rlen - rat[k])
						d = rlen - rat[k];
					assert_int_equal(view_append_reasoning(
						v, k, texts[k].data + rat[k], d), 0);
					rat[k] += d;
				}
				if (at[k] < texts[k].len) {
					size_t d = 1 + rnd(12);
					if (d > texts[k].len - at[k])
						d = texts[k].len - at[k];
					assert_int_equal(view_append_text(
						v, k, texts[k].data + at[k], d), 0);
					at[k] += d;
				}
				busy |= at[k] < texts[k].len || rat[k] < rlen;
			}
			if (++step % 7 == 0)
				check_lines(v, width);
		}
		/* same lines as one append of everything, before and after the end */
		struct view *f = one_shot(width, 0, texts, NMSG, 0);
		expect_same(v, f);
		view_free(f);
		for (size_t k = 0; k < NMSG; k++)
			view_end(v, k);
		f = one_shot(width, 0, texts, NMSG, 1);
		expect_same(v, f);
		check_lines(v, width);
		view_free(f);
		/* other widths and the fold re-lay out to the same as a fresh view */
		for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
			view_set_width(v, widths[w]);
			view_set_fold(v, (int)(w % 2));
			f = one_shot(widths[w], (int)(w % 2), texts, NMSG, 1);
			expect_same(v, f);
			view_free(f);
		}
		view_free(v);
	}
	for (size_t k = 0; k < NMSG; k++)
		buf_free(&texts[k]);
}

/* Every prefix streamed so far lays out as a fresh view of that prefix. */
static void test_every_prefix(void **state)
{
	(void)state;
	struct buf text = BUF_INIT;
	for (unsigned seed = 100; seed < 110; seed++) {
		rng_state = seed;
		random_text(&text, 60);
		int width = 1 + (int)rnd(12);
		struct view *v = view_new(width);
		view_add(v, VIEW_ASSISTANT, NULL);
		for (size_t at = 0; at < text.len;) {
			size_t d = 1 + rnd(6);
			if (d > text.len - at)
				d = text.len - at;
			assert_int_equal(view_append_text(v, 0, text.data + at, d), 0);
			at += d;
			struct view *f = view_new(width);
			view_add(f, VIEW_ASSISTANT, NULL);
			assert_int_equal(view_append_text(f, 0, text.data, at), 0);
			expect_same(v, f);
			view_free(f);
		}
		view_free(v);
	}
	buf_free(&text);
}

/* CPU time: the machine running the tests may be busy with other work. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A 5 MB answer in 20,000 deltas costs O(delta) each, and lays out as a whole. */
static void test_stream_5mb(void **state)
{
	(void)state;
	static const char *const parts[] = {
		"The quick brown fox jumps over the lazy dog. ", "Lorem ipsum dolor sit amet, ",
		NI HAO SHI JIE STOP, " " GRIN " ", "caf" "e" ACUTE " ", "\n\n", "\n",
		"```c\nint main(void) { return 0; }\n```\n", "# Heading\n", "> quote\n",
		"averyveryverylongwordwithoutanybreakopportunityatall ", "\t",
	};
	struct buf text = BUF_INIT;
	rng_state = 42;
	while (text.len < 5 * 1024 * 1024)
		buf_append_str(&text, parts[rnd(sizeof parts / sizeof parts[0])]);
	size_t delta = text.len / 20000;

	struct view *v = view_new(80);
	view_add(v, VIEW_USER, "you");
	append(v, 0, "question");
	view_add(v, VIEW_ASSISTANT, "openai/gpt-4o-mini");
	double t0 = now();
	size_t ndeltas = 0;
	for (size_t at = 0; at < text.len; at += delta, ndeltas++) {
		size_t d = text.len - at < delta ? text.len - at : delta;
		assert_int_equal(view_append_text(v, 1, text.data + at, d), 0);
		/* what the screen does after each delta: count and read the last rows */
		size_t n = view_lines(v);
		struct view_line l;
		assert_int_equal(view_line(v, n - 2, &l), 0);
	}
	view_end(v, 1);
	double elapsed = now() - t0;
	print_message("# 5 MB (%zu bytes) in %zu deltas: %.3f s\n", text.len, ndeltas, elapsed);
	assert_true(ndeltas >= 20000);
	assert_true(elapsed < (SLOW_BUILD ? 5.0 : 1.0));

	struct view *f = view_new(80);
	view_add(f, VIEW_USER, "you");
	append(f, 0, "question");
	view_add(f, VIEW_ASSISTANT, "openai/gpt-4o-mini");
	assert_int_equal(view_append_text(f, 1, text.data, text.len), 0);
	view_end(f, 1);
	expect_same(v, f);
	assert_true(view_lines(v) > 50000);
	view_free(f);
	view_free(v);
	buf_free(&text);
}

/* Line lookups with thousands of messages, and prefix sums kept right when an earlier
 * message changes. */
static void test_many_messages(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct view *v = view_new(10);
	for (size_t m = 0; m < N; m++) {
		assert_int_equal(view_add(v, m % 2 ? VIEW_ASSISTANT : VIEW_USER, "h"), (long)m);
		/* m % 4 lines of text */
		for (size_t k = 0; k < m % 4; k++)
			append(v, m, k ? "\nline" : "line");
	}
	size_t total = 0;
	for (size_t m = 0; m < N; m++)
		total += 2 + m % 4;
	assert_int_equal(view_lines(v), total);
	double t0 = now();
	size_t line = 0;
	for (size_t m = 0; m < N; m++) {
		assert_int_equal(view_msg_first_line(v, m), line);
		assert_int_equal(view_msg_lines(v, m), 2 + m % 4);
		for (size_t k = 0; k < 2 + m % 4; k++, line++) {
			struct view_line l;
			assert_int_equal(view_line(v, line, &l), 0);
			assert_int_equal(l.msg, m);
			enum view_style want = VS_TEXT;
			if (k == 0)
				want = m % 2 ? VS_HEADER_ASSISTANT : VS_HEADER_USER;
			else if (k == 1 + m % 4)
				want = VS_BLANK;
			assert_int_equal(l.style, want);
		}
	}
	double elapsed = now() - t0;
	assert_true(elapsed < (SLOW_BUILD ? 5.0 : 1.0));
	/* streaming into the last message moves nothing before it */
	append(v, N - 1, "\nmore\nand more");
	assert_int_equal(view_lines(v), total + 2);
	assert_int_equal(view_msg_first_line(v, N - 1), total - (2 + (N - 1) % 4));
	/* a change early on moves everything after it */
	append(v, 10, "\nx");
	assert_int_equal(view_lines(v), total + 3);
	assert_int_equal(view_msg_first_line(v, 11), view_msg_first_line(v, 10) + 2 + 10 % 4 + 1);
	struct view_line l;
	assert_int_equal(view_line(v, view_msg_first_line(v, 11), &l), 0);
	assert_int_equal(l.msg, 11);
	assert_int_equal(l.style, VS_HEADER_ASSISTANT);
	assert_int_equal(view_line(v, view_msg_first_line(v, 11) - 2, &l), 0);
	assert_int_equal(l.msg, 10);
	assert_int_equal(l.len, 1);
	assert_memory_equal(l.s, "x", 1);
	view_set_header(v, 0, NULL);
	assert_int_equal(view_lines(v), total + 2);
	assert_int_equal(view_msg_first_line(v, 1), 1);
	view_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_parts),
		cmocka_unit_test(test_header_cut),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_wrap_wide),
		cmocka_unit_test(test_wrap_emoji_and_marks),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_code_wraps),
		cmocka_unit_test(test_footer_wraps),
		cmocka_unit_test(test_newlines_and_tabs),
		cmocka_unit_test(test_append_changes_earlier_lines),
		cmocka_unit_test(test_streamed_markdown),
		cmocka_unit_test(test_end_flushes),
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_random_incremental),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_stream_5mb),
		cmocka_unit_test(test_many_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
