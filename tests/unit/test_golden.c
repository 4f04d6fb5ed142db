/* test_golden: the reference answer (tests/golden/answer.md: every Markdown construct
 * cherry draws) laid out at 40, 80 and 120 columns in the dark theme and under NO_COLOR,
 * after a Markdown reasoning (dimmed), compared whole with the stored screens
 * tests/golden/W-THEME.txt; and the same answer
 * streamed in random chunk sizes ends on the identical screen.
 *
 * A screen is the view's lines as the drawing layer paints them: each line's text, with
 * a mark ⟦fg,bg,attrs⟧ wherever the style changes (colours as the 256-colour index the
 * terminal gets, "-" for the default; attrs b bold, i italic, u underline, d dim,
 * r reverse; strikethrough is drawn with U+0336 in the text itself).
 *
 * When a rendering change is intended, regenerate and review the diff:
 *     CHERRY_GOLDEN_UPDATE=1 build/tests/test_golden && git diff tests/golden/ */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/buf.h"
#include "cherry/columns.h"
#include "cherry/text.h"
#include "cherry/theme.h"
#include "cherry/view.h"
#include "harness.h"

#define GOLDEN_DIR "tests/golden"

static const int widths[] = {40, 80, 120};

static void style_mark(const struct theme *th, const struct md_run *r, struct buf *out)
{
	const struct theme_style *st = &th->s[r->role < TR__COUNT ? r->role : TR_TEXT];
	unsigned a = (st->attrs | r->attrs) & ~(unsigned)TA_STRIKE;
	int fg = theme_colour_index(st->fg, 256), bg = theme_colour_index(st->bg, 256);
	char f[16] = "-", b[16] = "-";
	if (fg >= 0)
		snprintf(f, sizeof f, "%d", fg);
	if (bg >= 0)
		snprintf(b, sizeof b, "%d", bg);
	buf_printf(out, "\xE2\x9F\xA6%s,%s,%s%s%s%s%s\xE2\x9F\xA7", f, b, a & TA_BOLD ? "b" : "",
		   a & TA_ITALIC ? "i" : "", a & TA_UNDERLINE ? "u" : "", a & TA_DIM ? "d" : "",
		   a & TA_REVERSE ? "r" : "");
}

/* The screen of the whole view, line by line. */
static void dump(struct view *v, const struct theme *th, struct buf *out)
{
	size_t n = view_lines(v);
	for (size_t i = 0; i < n; i++) {
		struct view_line vl;
		assert_int_equal(view_line(v, i, &vl), 0);
		struct buf prev = BUF_INIT, cur = BUF_INIT;
		assert_int_equal(buf_append_str(&prev, "\xE2\x9F\xA6-,-,\xE2\x9F\xA7"), 0);
		for (size_t k = 0; k < vl.nruns; k++) {
			const struct md_run *r = &vl.runs[k];
			buf_reset(&cur);
			style_mark(th, r, &cur);
			if (strcmp(cur.data, prev.data)) {
				buf_append(out, cur.data, cur.len);
				buf_reset(&prev);
				buf_append(&prev, cur.data, cur.len);
			}
			assert_true(r->off + r->len <= vl.len);
			buf_append(out, vl.s + r->off, r->len);
		}
		buf_free(&prev);
		buf_free(&cur);
		assert_int_equal(buf_append_char(out, '\n'), 0);
	}
}

/* A conversation of one prompt and the reference answer, fed in pieces of at most
 * maxchunk bytes (0: whole), sizes from seed. */
static struct view *conversation(const char *answer, size_t len, int width, size_t maxchunk,
				 unsigned seed)
{
	struct view *v = view_new(width);
	assert_non_null(v);
	assert_int_equal(view_add(v, VIEW_USER, "you"), 0);
	const char *q = "Show me *every* construct, as typed.";
	assert_int_equal(view_append_text(v, 0, q, strlen(q)), 0);
	assert_int_equal(view_end(v, 0), 0);
	assert_int_equal(view_add(v, VIEW_ASSISTANT, "fake/model"), 1);
	/* reasoning is Markdown too, dimmed */
	const char *r = "Think about **every** construct:\n\n- a `list`\n- a [link](https://r.example)\n";
	for (size_t at = 0, rl = strlen(r); at < rl; at += 5)
		assert_int_equal(view_append_reasoning(v, 1, r + at, rl - at < 5 ? rl - at : 5), 0);
	srand(seed);
	for (size_t at = 0; at < len;) {
		size_t n = maxchunk ? 1 + (size_t)rand() % maxchunk : len;
		if (n > len - at)
			n = len - at;
		assert_int_equal(view_append_text(v, 1, answer + at, n), 0);
		/* the screen is read between deltas, as the client draws while it streams */
		if (maxchunk)
			(void)view_lines(v);
		at += n;
	}
	assert_int_equal(view_end(v, 1), 0);
	assert_int_equal(view_set_footer(v, 1, "[42 tokens]", 0), 0);
	return v;
}

static void load_themes(struct theme *dark, struct theme *mono)
{
	assert_int_equal(theme_builtin("dark", dark), 0);
	*mono = *dark;
	theme_no_colour(mono);
}

static char *reference(size_t *len)
{
	char *a = harness_read_file(GOLDEN_DIR "/answer.md", len);
	if (!a)
		fail_msg("cannot read " GOLDEN_DIR "/answer.md (run from the source tree)");
	return a;
}

/* got against the stored screen at path (written instead under CHERRY_GOLDEN_UPDATE=1):
 * 0 the same, 1 not (the first differing line and the screen said). */
static int compare_golden(const char *path, const struct buf *got)
{
	const char *update = getenv("CHERRY_GOLDEN_UPDATE");
	if (update && *update == '1') {
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(got->data, 1, got->len, f), got->len);
		assert_int_equal(fclose(f), 0);
		return 0;
	}
	size_t elen;
	char *want = harness_read_file(path, &elen);
	int failed = 0;
	if (!want) {
		fprintf(stderr, "# %s is missing\n", path);
		failed = 1;
	} else if (elen != got->len || memcmp(want, got->data, elen)) {
		/* the first differing line, then the whole screen */
		size_t i = 0, line = 1;
		while (i < elen && i < got->len && want[i] == got->data[i])
			line += want[i++] == '\n';
		fprintf(stderr, "# %s differs from line %zu; the screen now:\n%s", path, line,
			got->data);
		failed = 1;
	}
	free(want);
	return failed;
}

static void test_golden_screens(void **state)
{
	(void)state;
	size_t alen;
	char *answer = reference(&alen);
	struct theme th[2];
	load_themes(&th[0], &th[1]);
	static const char *const names[] = {"dark", "nocolor"};
	int failed = 0;
	for (size_t w = 0; w < sizeof widths / sizeof *widths; w++)
		for (int t = 0; t < 2; t++) {
			struct view *v = conversation(answer, alen, widths[w], 0, 0);
			struct buf got = BUF_INIT;
			dump(v, &th[t], &got);
			view_free(v);
			char path[256];
			snprintf(path, sizeof path, GOLDEN_DIR "/%d-%s.txt", widths[w], names[t]);
			failed += compare_golden(path, &got);
			buf_free(&got);
		}
	free(answer);
	if (failed)
		fail_msg("%d golden screens differ (regenerate: CHERRY_GOLDEN_UPDATE=1 "
			 "build/tests/test_golden, then review git diff tests/golden/)", failed);
}

/* Streamed in random chunk sizes (1 byte up to 200), the answer ends on exactly the
 * screen it has when it arrives whole; so does one laid out again after a resize. */
static void test_streamed_same_screen(void **state)
{
	(void)state;
	size_t alen;
	char *answer = reference(&alen);
	struct theme th[2];
	load_themes(&th[0], &th[1]);
	static const size_t maxchunks[] = {1, 3, 17, 64, 200};
	for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
		struct view *whole = conversation(answer, alen, widths[w], 0, 0);
		struct buf want = BUF_INIT;
		dump(whole, &th[0], &want);
		view_free(whole);
		for (size_t c = 0; c < sizeof maxchunks / sizeof *maxchunks; c++)
			for (unsigned seed = 1; seed <= 4; seed++) {
				struct view *v = conversation(answer, alen, widths[w], maxchunks[c],
							      seed * 7919u + (unsigned)c);
				struct buf got = BUF_INIT;
				dump(v, &th[0], &got);
				if (strcmp(got.data, want.data))
					fail_msg("width %d, chunks up to %zu, seed %u: the streamed "
						 "screen differs:\n%s\n--- whole:\n%s", widths[w],
						 maxchunks[c], seed, got.data, want.data);
				buf_free(&got);
				view_free(v);
			}
		/* laid out at another width first, then resized to this one */
		struct view *v = conversation(answer, alen, 57, 31, 5);
		view_set_width(v, widths[w]);
		struct buf got = BUF_INIT;
		dump(v, &th[0], &got);
		assert_string_equal(got.data, want.data);
		buf_free(&got);
		view_free(v);
		buf_free(&want);
	}
	free(answer);
}

/* ---- several answers together (columns.h) ---- */

static const char *const second_answer =
	"A **second** model answers `shorter`:\n\n"
	"| model | verdict |\n|---|---|\n| this one | fine |\n| 梨 | 好 |\n\n"
	"```c\nint main(void) { return 0; }\n```\n";
static const char *const third_answer =
	"Third: 你好，世界！ こんにちは。 A list:\n\n1. one\n2. two, with enough words to "
	"wrap inside a narrow column of fifty\n\n> quoted *text*\n";

/* One column: the answer's header and text, as the client fills it. */
static struct view *column(const char *header, const char *text, int width)
{
	struct view *v = view_new(width);
	assert_non_null(v);
	assert_int_equal(view_add(v, VIEW_ASSISTANT, header), 0);
	assert_int_equal(view_append_text(v, 0, text, strlen(text)), 0);
	assert_int_equal(view_end(v, 0), 0);
	return v;
}

/* The columns as the screen shows them: the question's line, then row by row each
 * column's line (style marks as dump's) padded to its width, joined by " │ ". */
static void dump_columns(struct view **v, size_t n, int colw, const struct theme *th,
			 struct buf *out)
{
	buf_append_str(out, "you: compare\n");
	size_t rows = cols_lines(v, n);
	for (size_t r = 0; r < rows; r++) {
		for (size_t k = 0; k < n; k++) {
			if (k)
				buf_append_str(out, " \xe2\x94\x82 ");
			struct view_line vl;
			int w = 0;
			if (view_line(v[k], r, &vl) == 0) {
				struct buf one = BUF_INIT;
				for (size_t i = 0; i < vl.nruns; i++) {
					buf_reset(&one);
					style_mark(th, &vl.runs[i], &one);
					buf_append(out, one.data, one.len);
					buf_append(out, vl.s + vl.runs[i].off, vl.runs[i].len);
				}
				buf_free(&one);
				w = vl.width;
			}
			for (; w < colw && k + 1 < n; w++)
				buf_append_char(out, ' ');
		}
		buf_append_char(out, '\n');
	}
}

/* Two and three answers side by side at 160 columns, and the tab strip over the one
 * shown at 80, compared whole with tests/golden/cols2-160.txt, cols3-160.txt and
 * tabs-80.txt. */
static void test_golden_layouts(void **state)
{
	(void)state;
	size_t alen;
	char *answer = reference(&alen);
	struct theme th[2];
	load_themes(&th[0], &th[1]);
	const char *texts[3] = {answer, second_answer, third_answer};
	static const char *const heads[3] = {"openai/gpt-4o-mini (1/3)",
					     "anthropic/claude-sonnet-4-5 (2/3)",
					     "gemini/gemini-2.5-flash (3/3)"};
	int failed = 0;
	for (size_t n = 2; n <= 3; n++) {
		int colw = cols_width(160, n);
		assert_true(colw >= COLS_MIN_WIDTH);
		struct view *v[3];
		for (size_t k = 0; k < n; k++)
			v[k] = column(heads[k], texts[k], colw);
		struct buf got = BUF_INIT;
		dump_columns(v, n, colw, &th[0], &got);
		char path[256];
		snprintf(path, sizeof path, GOLDEN_DIR "/cols%zu-160.txt", n);
		failed += compare_golden(path, &got);
		buf_free(&got);
		for (size_t k = 0; k < n; k++)
			view_free(v[k]);
	}
	assert_int_equal(cols_width(80, 2), 0); /* too narrow: tabs */
	static const struct cols_tab tabs[3] = {{"gpt-4o-mini", ' '},
						{"claude-sonnet-4-5-20250929-with-a-long-name", '~'},
						{"gemini-2.5-flash-preview-05-20", '!'}};
	struct buf strip = BUF_INIT, got = BUF_INIT;
	size_t off, len, ends[3];
	assert_int_equal(cols_strip(tabs, 3, 1, 80, &strip, &off, &len, ends), 0);
	assert_true(text_width(strip.data, strip.len) <= 80);
	/* each tab's end, where a click stops being on it */
	assert_int_equal(ends[1], off + len);
	assert_int_equal(ends[2], strip.len);
	assert_memory_equal(strip.data + ends[0], " \xc2\xb7 ", 4);
	/* eight answers in 56 columns: the others by number (and mark), the current one
	 * keeps its name */
	static const struct cols_tab eight[8] = {
		{"fo/hello", ' '}, {"fr/reasoning", ' '}, {"fa/markdown", ' '}, {"fg/cjk", ' '},
		{"fl/hello", ' '}, {"fa/hello+midfail", '!'}, {"fg/hello", '*'}, {"fo/echo", ' '}};
	struct buf s8 = BUF_INIT;
	size_t ends8[8], off8, len8;
	assert_int_equal(cols_strip(eight, 8, 6, 56, &s8, &off8, &len8, ends8), 0);
	assert_string_equal(s8.data, "1/8 \xc2\xb7 2/8 \xc2\xb7 3/8 \xc2\xb7 4/8 \xc2\xb7 5/8 "
				     "\xc2\xb7 6/8! \xc2\xb7 7/8 fg/hello* \xc2\xb7 8/8");
	assert_string_equal(s8.data + off8 + len8, " \xc2\xb7 8/8");
	assert_int_equal(ends8[6], off8 + len8);
	/* narrower, its name is cut; narrower still, gone */
	assert_int_equal(cols_strip(eight, 8, 6, 52, &s8, &off8, &len8, ends8), 0);
	assert_true(text_width(s8.data, s8.len) <= 52);
	assert_memory_equal(s8.data + off8, "7/8 fg/\xe2\x80\xa6*", 11);
	assert_int_equal(cols_strip(eight, 8, 6, 50, &s8, &off8, &len8, ends8), 0);
	assert_true(text_width(s8.data, s8.len) <= 50);
	assert_memory_equal(s8.data + off8, "7/8* ", 5);
	buf_free(&s8);
	/* the current tab reversed, as the screen draws it */
	buf_printf(&got, "%.*s\xe2\x9f\xa6r\xe2\x9f\xa7%.*s\xe2\x9f\xa6\xe2\x9f\xa7%s\n",
		   (int)off, strip.data, (int)len, strip.data + off, strip.data + off + len);
	struct view *one = column(heads[1], second_answer, 80);
	dump(one, &th[0], &got);
	view_free(one);
	failed += compare_golden(GOLDEN_DIR "/tabs-80.txt", &got);
	buf_free(&strip);
	buf_free(&got);
	free(answer);
	if (failed)
		fail_msg("%d layout screens differ (regenerate: CHERRY_GOLDEN_UPDATE=1 "
			 "build/tests/test_golden, then review git diff tests/golden/)", failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_screens),
		cmocka_unit_test(test_streamed_same_screen),
		cmocka_unit_test(test_golden_layouts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
