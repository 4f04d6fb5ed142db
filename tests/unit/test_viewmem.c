/* test_viewmem: a finished text given whole (view_share_text, view_share_reasoning) shows
 * the very lines that appending it and ending the message does, at every width and read
 * lazily; a clean text is kept as the caller's bytes, not copied; and a hostile one (ESC,
 * C1, bidi and tag controls, CR, bad and cut UTF-8, wherever it falls in the pieces the
 * check reads) is sanitised exactly as an appended one, never shared. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <malloc.h>
#ifdef __SANITIZE_ADDRESS__
/* libasan's (sanitizer/allocator_interface.h, not installed with every compiler) */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/buf.h"
#include "cherry/sanitize.h"
#include "cherry/view.h"
#include "viewsame.h"

/* Bytes the heap has handed out and not had back (ASan's allocator is not glibc's). */
static size_t heap_used(void)
{
#ifdef __SANITIZE_ADDRESS__
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}

/* The check reads a text in pieces of this many bytes (flow.c): controls and UTF-8
 * sequences are put across their edges. */
#define PIECE 4096

/* Every line of both views, read from the last to the first (so the shared one is laid
 * out lazily, as the client reads it), is the same. */
static void same_view(struct view *a, struct view *b)
{
	view_layout_all(b);
	size_t n = view_lines(b);
	for (size_t i = view_lines(a); i-- > 0;) {
		struct view_line x;
		view_line(a, i < view_lines(a) ? i : view_lines(a) - 1, &x);
	}
	view_layout_all(a);
	assert_int_equal(view_lines(a), n);
	for (size_t i = 0; i < n; i++) {
		struct view_line x, y;
		assert_int_equal(view_line(a, i, &x), 0);
		assert_int_equal(view_line(b, i, &y), 0);
		view_same_line(&x, &y);
	}
}

struct text {
	enum view_role role;
	const char *reasoning; /* NULL: none */
	const char *s;
	size_t len;
};

/* The texts as the client gives them: shared (one view) and appended then ended (the
 * other); both compared at three widths. */
static void check_texts(const struct text *t, size_t n)
{
	static const int widths[] = {30, 80, 120};
	for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
		struct view *shared = view_new(widths[w]), *copied = view_new(widths[w]);
		assert_non_null(shared);
		assert_non_null(copied);
		for (size_t i = 0; i < n; i++) {
			const char *h = t[i].role == VIEW_USER ? "you" : "fake/model";
			assert_int_equal(view_add(shared, t[i].role, h), (long)i);
			assert_int_equal(view_add(copied, t[i].role, h), (long)i);
			if (t[i].reasoning) {
				size_t rl = strlen(t[i].reasoning);
				assert_int_equal(view_share_reasoning(shared, i, t[i].reasoning, rl),
						 0);
				assert_int_equal(view_append_reasoning(copied, i, t[i].reasoning,
								       rl), 0);
			}
			assert_int_equal(view_share_text(shared, i, t[i].s, t[i].len), 0);
			assert_int_equal(view_append_text(copied, i, t[i].s, t[i].len), 0);
			assert_int_equal(view_end(shared, i), 0);
			assert_int_equal(view_end(copied, i), 0);
			size_t la, lb;
			const char *a = view_text(shared, i, &la), *b = view_text(copied, i, &lb);
			assert_int_equal(la, lb);
			assert_memory_equal(a, b, la);
			assert_int_equal(a[la], '\0');
		}
		same_view(shared, copied);
		view_set_fold(shared, 1);
		view_set_fold(copied, 1);
		same_view(shared, copied);
		view_set_fold(shared, 0);
		view_set_fold(copied, 0);
		view_set_width(shared, widths[w] / 2);
		view_set_width(copied, widths[w] / 2);
		same_view(shared, copied);
		view_free(shared);
		view_free(copied);
	}
}

/* Markdown of about want bytes: every block kind, CJK, an emoji with VS16. */
static void markdown(size_t want, size_t seed, struct buf *out)
{
	static const char *const parts[] = {
		"# A heading\n\n",
		"A paragraph with **bold**, *emphasis*, `code` and a [link](https://e.example/x) "
		"that runs on well past the width of any pane it is shown in, so it wraps.\n\n",
		"- an item\n  - nested, with a longer text that also wraps at thirty columns\n"
		"- [x] done\n\n",
		"| name | \xE5\x90\x8D\xE5\x89\x8D | n |\n|:--|:-:|--:|\n| alpha | "
		"\xE4\xBD\xA0\xE5\xA5\xBD | 1 |\n\n",
		"```c\nint main(void) { return printf(\"a long line of code %d\\n\", 42); }\n```\n\n",
		"> a quote \xE2\x9D\xA4\xEF\xB8\x8F\n> on two lines\n\n",
		"$\\alpha + \\beta$ and a rule:\n\n---\n\n",
	};
	buf_reset(out);
	for (size_t k = seed; out->len < want; k++)
		buf_append_str(out, parts[k % (sizeof parts / sizeof parts[0])]);
}

static void test_same_lines(void **state)
{
	(void)state;
	struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;
	markdown(300, 0, &a);
	markdown(3 * PIECE + 100, 3, &b); /* over view.c's LAZY_BYTES: laid out when read */
	markdown(40000, 5, &c);
	const struct text t[] = {
		{VIEW_USER, NULL, "Question 0: and then?", 21},
		{VIEW_ASSISTANT, "Thinking it **over**.\nTwice.", a.data, a.len},
		{VIEW_USER, NULL, "a prompt\nof two lines, the second one longer than thirty", 56},
		{VIEW_ASSISTANT, NULL, b.data, b.len},
		{VIEW_USER, NULL, "", 0},
		{VIEW_ASSISTANT, "", c.data, c.len},
		{VIEW_INFO, NULL, "cherry's own words", 18},
	};
	check_texts(t, sizeof t / sizeof *t);
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
}

/* A clean text is the caller's bytes: the very pointer, and no copy on the heap. */
static void test_clean_not_copied(void **state)
{
	(void)state;
	struct buf t = BUF_INIT;
	markdown(1 << 20, 1, &t);
	struct view *v = view_new(80);
	assert_non_null(v);
	assert_int_equal(view_add(v, VIEW_ASSISTANT, "fake/model"), 0);
	assert_int_equal(view_add(v, VIEW_USER, "you"), 1);
	size_t before = heap_used();
	assert_int_equal(view_share_text(v, 0, t.data, t.len), 0);
	assert_int_equal(view_share_reasoning(v, 0, t.data, t.len / 2), 0);
	assert_int_equal(view_share_text(v, 1, "a short one", 11), 0);
	size_t after = heap_used();
	/* what the check and the view keep is small; a copy would be a megabyte or two */
	assert_true(after < before + 64 * 1024);
	size_t len;
	assert_ptr_equal(view_text(v, 0, &len), t.data);
	assert_int_equal(len, t.len);
	assert_string_equal(view_text(v, 1, &len), "a short one");
	/* a line of it points into the caller's bytes */
	struct view_line l;
	assert_int_equal(view_line(v, view_msg_first_line(v, 1) + 1, &l), 0);
	assert_int_equal(l.style, VS_TEXT);
	assert_memory_equal(l.s, "a short one", 11);
	/* an append copies it first: the caller's bytes are never written */
	assert_int_equal(view_append_text(v, 1, " and more", 9), 0);
	assert_int_equal(view_end(v, 1), 0);
	const char *s = view_text(v, 1, &len);
	assert_ptr_not_equal(s, t.data);
	assert_string_equal(s, "a short one and more");
	view_free(v);
	buf_free(&t);
}

/* A streamed text keeps no doubled room once ended: the heap holds about its length. */
static void test_ended_fits(void **state)
{
	(void)state;
	enum { LEN = 600000 };
	char *s = malloc(LEN);
	assert_non_null(s);
	for (size_t i = 0; i < LEN; i++)
		s[i] = i % 61 == 60 ? '\n' : (char)('a' + i % 26);
	struct view *v = view_new(80);
	assert_non_null(v);
	assert_int_equal(view_add(v, VIEW_USER, "you"), 0);
	size_t before = heap_used();
	for (size_t i = 0; i < LEN; i += 1000)
		assert_int_equal(view_append_text(v, 0, s + i, 1000), 0);
	assert_int_equal(view_end(v, 0), 0);
	size_t after = heap_used();
	/* 2^20 bytes of room before it was cut to fit */
	assert_true(after < before + LEN + LEN / 8);
	size_t len;
	assert_memory_equal(view_text(v, 0, &len), s, LEN);
	view_free(v);
	free(s);
}

/* Bytes that are not safe on a terminal, each put into a clean text at a given offset. */
static const char *const hostile[] = {
	"\x1b[31mred\x1b[0m",        /* CSI */
	"\x1b]52;c;aGVsbG8=\x07",    /* OSC 52 */
	"\xc2\x9b" "2J",             /* C1 CSI */
	"\xc2\x85",                  /* C1 NEL */
	"\xe2\x80\xae" "evil",       /* RLO */
	"\xe2\x81\xa6" "iso",        /* LRI */
	"\xf3\xa0\x81\xa1",          /* a tag character */
	"\xff\xfe",                  /* bytes never in UTF-8 */
	"\xe2\x82",                  /* a cut sequence */
	"\xc0\xaf",                  /* overlong */
	"a\rb",                      /* CR */
	"\r\n",                      /* CRLF */
	"\x07\x08\x7f",              /* BEL, BS, DEL */
	"\x1bP1;2|x\x1b\\",          /* DCS */
};

static int has(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(s + i, needle, n))
			return 1;
	return 0;
}

/* Nothing a terminal would obey is in any line of the view. */
static void no_controls(struct view *v)
{
	view_layout_all(v);
	for (size_t i = 0; i < view_lines(v); i++) {
		struct view_line l;
		assert_int_equal(view_line(v, i, &l), 0);
		for (size_t k = 0; k < l.len; k++) {
			unsigned char ch = (unsigned char)l.s[k];
			assert_false(ch < 0x20 || ch == 0x7f);
			if (ch == 0xc2 && k + 1 < l.len)
				assert_false((unsigned char)l.s[k + 1] >= 0x80 &&
					     (unsigned char)l.s[k + 1] <= 0x9f);
		}
		assert_false(has(l.s, l.len, "\xe2\x80\xae"));
		assert_false(has(l.s, l.len, "\xe2\x81\xa6"));
		assert_false(has(l.s, l.len, "\xf3\xa0\x81\xa1"));
	}
}

/* Each hostile piece at the start, in the middle, across the check's piece edge and at
 * the end of a long clean text: not shared, sanitised as the appended one is. */
static void test_hostile_sanitised(void **state)
{
	(void)state;
	struct buf clean = BUF_INIT, t = BUF_INIT, want = BUF_INIT;
	markdown(2 * PIECE + 500, 2, &clean);
	for (size_t h = 0; h < sizeof hostile / sizeof *hostile; h++) {
		size_t hl = strlen(hostile[h]);
		const size_t at[] = {0, 1000, PIECE - 1, PIECE - hl / 2, PIECE, clean.len};
		for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
			buf_reset(&t);
			buf_append(&t, clean.data, at[k]);
			buf_append(&t, hostile[h], hl);
			buf_append(&t, clean.data + at[k], clean.len - at[k]);
			struct text one[] = {{VIEW_ASSISTANT, hostile[h], t.data, t.len},
					     {VIEW_USER, NULL, t.data, t.len}};
			check_texts(one, 2);
			struct view *v = view_new(50);
			assert_non_null(v);
			assert_int_equal(view_add(v, VIEW_ASSISTANT, "m"), 0);
			assert_int_equal(view_share_text(v, 0, t.data, t.len), 0);
			size_t len;
			const char *s = view_text(v, 0, &len);
			assert_ptr_not_equal(s, t.data);
			buf_reset(&want);
			assert_int_equal(sanitize_string(t.data, t.len, &want), 0);
			assert_int_equal(len, want.len);
			assert_memory_equal(s, want.data, len);
			no_controls(v);
			view_free(v);
		}
	}
	buf_free(&clean);
	buf_free(&t);
	buf_free(&want);
}

/* t shared into a view is kept as it is: the view's text is t's very bytes. */
static void kept_whole(enum view_role role, const struct buf *t)
{
	struct view *v = view_new(40);
	assert_non_null(v);
	assert_int_equal(view_add(v, role, "m"), 0);
	assert_int_equal(view_share_text(v, 0, t->data, t->len), 0);
	assert_ptr_equal(view_text(v, 0, NULL), t->data);
	view_free(v);
}

/* Clean UTF-8 sequences across the check's piece edge, and a text of exactly one piece
 * and of one byte more, are shared. */
static void test_clean_across_pieces(void **state)
{
	(void)state;
	static const char *const seqs[] = {"\xc3\xa9", "\xe4\xbd\xa0", "\xf0\x9f\x8d\x92",
					   "\xe2\x9d\xa4\xef\xb8\x8f", "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7"};
	struct buf t = BUF_INIT;
	for (size_t q = 0; q < sizeof seqs / sizeof *seqs; q++) {
		size_t ql = strlen(seqs[q]);
		for (size_t back = 0; back <= ql; back++) {
			buf_reset(&t);
			while (t.len < PIECE - back)
				buf_append_char(&t, t.len % 50 == 49 ? '\n' : 'x');
			buf_append(&t, seqs[q], ql);
			buf_append_str(&t, " and on");
			kept_whole(VIEW_ASSISTANT, &t);
			struct text one[] = {{VIEW_ASSISTANT, NULL, t.data, t.len}};
			check_texts(one, 1);
		}
	}
	for (size_t len = PIECE - 1; len <= PIECE + 1; len++) {
		buf_reset(&t);
		while (t.len < len)
			buf_append_char(&t, 'y');
		kept_whole(VIEW_USER, &t);
	}
	buf_free(&t);
}

/* Line i of view a is the line of the same message and place in view b (every block
 * of that message laid out: until then a line's place in it is by the estimates of
 * the blocks above it, mdstream.h). */
static void same_as(struct view *a, size_t i, struct view *b)
{
	struct view_line x, y;
	assert_int_equal(view_line(a, i, &x), 0);
	size_t k = i - view_msg_first_line(a, x.msg);
	assert_int_equal(view_line(b, view_msg_first_line(b, x.msg) + k, &y), 0);
	view_same_line(&x, &y);
}

/* Paging up through a long conversation and down again, as the client does (view_show
 * before the rows are read): the rows are the ones the whole layout has, a row shown
 * once never moves, and the layouts far from the rows are let go, so the heap holds a
 * part of the rendering, not all of it. */
static void test_scroll_lets_go(void **state)
{
	(void)state;
	enum { MSGS = 80, ROWS = 200 };
	static struct buf texts[MSGS];
	struct view *v = view_new(80), *full = view_new(80);
	assert_non_null(v);
	assert_non_null(full);
	for (size_t i = 0; i < MSGS; i++) {
		markdown(12000 + i * 7, i, &texts[i]);
		assert_int_equal(view_add(v, VIEW_ASSISTANT, "fake/model"), (long)i);
		assert_int_equal(view_add(full, VIEW_ASSISTANT, "fake/model"), (long)i);
		assert_int_equal(view_share_text(v, i, texts[i].data, texts[i].len), 0);
		assert_int_equal(view_append_text(full, i, texts[i].data, texts[i].len), 0);
		assert_int_equal(view_end(full, i), 0);
	}
	size_t before = heap_used();
	view_layout_all(full);
	size_t all = heap_used() - before; /* every layout, kept */
	before = heap_used();
	size_t most = 0, top;
	view_show_end(v, ROWS);
	top = view_lines(v) - ROWS;
	for (int pass = 0; pass < 2; pass++) {
		for (;;) {
			size_t was = top;
			view_show(v, &top, ROWS);
			view_show_end(v, ROWS);
			if (pass)
				assert_int_equal(top, was); /* everything shown before keeps its place */
			size_t last = SIZE_MAX;
			for (size_t r = 0; r < ROWS; r++) {
				struct view_line x;
				assert_int_equal(view_line(v, top + r, &x), 0);
				if (x.msg != last)
					view_msg_lines(v, x.msg);
				last = x.msg;
			}
			for (size_t r = 0; r < ROWS; r++)
				same_as(v, top + r, full);
			size_t now = heap_used(), used = now > before ? now - before : 0;
			most = used > most ? used : most;
			if (pass ? top + 2 * ROWS > view_lines(v) : top == 0)
				break;
			top = pass ? top + ROWS : top > ROWS ? top - ROWS : 0;
		}
	}
	/* every layout kept takes about 50 times the text here (these are tables and code
	 * blocks in short lines); the ones near the rows shown, a fraction of it */
	assert_true(most < all / 2);
	view_layout_all(v);
	assert_int_equal(view_lines(v), view_lines(full));
	view_free(v);
	view_free(full);
	for (size_t i = 0; i < MSGS; i++)
		buf_free(&texts[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_lines),
		cmocka_unit_test(test_clean_not_copied),
		cmocka_unit_test(test_ended_fits),
		cmocka_unit_test(test_hostile_sanitised),
		cmocka_unit_test(test_clean_across_pieces),
		cmocka_unit_test(test_scroll_lets_go),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
