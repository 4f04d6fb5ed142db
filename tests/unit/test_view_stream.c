/* test_view_stream: streaming appends to the chat layout against a fresh layout of the
 * whole text: the same lines at every width, whatever the cuts (hostile ones too), in
 * O(delta) for a 5 MB answer, with thousands of messages. */
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
