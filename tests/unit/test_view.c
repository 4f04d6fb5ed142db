/* test_view: the chat layout against exact lines and styles: a message's parts, headers
 * cut, folded reasoning, wide and combined characters wrapped, Markdown, code, footers,
 * newlines and tabs (test_view_stream: streaming appends). */
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
#include "viewcheck.h"

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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
