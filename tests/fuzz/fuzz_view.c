/* fuzz_view: streaming any bytes into the chat layout, in any deltas, must give the same
 * lines as one append of everything (at the first width, and after a change of width
 * and fold), and as the finished texts shared whole (view_share_text: kept uncopied
 * only when the sanitiser leaves them as they are), and every line must be safe for the
 * terminal, measured by text_width and within the width unless it is one cluster. The first three input bytes choose the
 * two widths (1..40), the delta sizes (and where they go in a long text), how much goes
 * to reasoning and the fold; the rest is the text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/sanitize.h"
#include "cherry/text.h"
#include "cherry/view.h"
#include "../lib/strict_utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STREAM_APPENDS 32
#define STREAM_REACH (STREAM_APPENDS * 8) /* bytes the deltas take, on average */

static void require(int ok)
{
	if (!ok)
		abort();
}

/* Strict UTF-8 with no control character but TAB. Written apart from the sanitiser. */
static void require_safe(const unsigned char *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = strict_utf8_next(p + i, len - i, &cp);
		require(n != 0);
		require(cp >= 0x20 || cp == '\t');
		require(!(cp >= 0x7F && cp <= 0x9F));
		i += n;
	}
}

static void require_lines_ok(struct view *v, int width)
{
	view_layout_all(v); /* a long message's lines are counted exactly once laid out */
	size_t total = view_lines(v), first = 0, nm = view_count(v);
	/* each message's first line and count, read once: view_msg_lines reads all of its
	 * lines, and asked again for every line it made this check quadratic (most of the
	 * target's time) */
	size_t *starts = malloc((nm + 1) * sizeof *starts);
	require(starts != NULL);
	for (size_t m = 0; m < nm; m++) {
		require(view_msg_first_line(v, m) == first);
		starts[m] = first;
		first += view_msg_lines(v, m);
	}
	starts[nm] = first;
	require(first == total);
	for (size_t m = 0; m < nm; m++)
		require(view_msg_first_line(v, m) == starts[m]);
	for (size_t i = 0; i < total; i++) {
		struct view_line l;
		require(view_line(v, i, &l) == 0);
		require_safe((const unsigned char *)l.s, l.len);
		require(l.width == text_width(l.s, l.len));
		if (l.width > width) {
			int w;
			require(text_next_cluster(l.s, l.len, &w) == l.len);
		}
		require(l.msg < nm && i >= starts[l.msg] && i < starts[l.msg + 1]);
	}
	free(starts);
	struct view_line l;
	require(view_line(v, total, &l) == -1);
}

static void require_same(struct view *a, struct view *b)
{
	view_layout_all(a);
	view_layout_all(b);
	size_t n = view_lines(a);
	require(n == view_lines(b));
	for (size_t i = 0; i < n; i++) {
		struct view_line x, y;
		require(view_line(a, i, &x) == 0 && view_line(b, i, &y) == 0);
		require(x.msg == y.msg && x.style == y.style && x.width == y.width);
		require(x.len == y.len && memcmp(x.s, y.s, x.len) == 0);
	}
}

/* A fresh view: a user message, then the answer in one append of each part. */
static struct view *one_shot(int width, int fold, const char *header, const char *footer,
			     const char *r, size_t rlen, const char *t, size_t tlen, int end)
{
	struct view *v = view_new(width);
	require(v != NULL);
	view_set_fold(v, fold);
	require(view_add(v, VIEW_USER, "you") == 0);
	require(view_append_text(v, 0, "q", 1) == 0);
	require(view_add(v, VIEW_ASSISTANT, header) == 1);
	require(view_append_reasoning(v, 1, r, rlen) == 0);
	require(view_append_text(v, 1, t, tlen) == 0);
	if (end)
		require(view_end(v, 1) == 0);
	require(view_set_footer(v, 1, footer, 1) == 0);
	return v;
}

/* s[0..len) shared into view v's message msg (as text, or reasoning): kept uncopied only
 * when the sanitiser gives it back as it is. */
static void share_checked(struct view *v, size_t msg, int reasoning, const char *s, size_t len)
{
	require((reasoning ? view_share_reasoning : view_share_text)(v, msg, s, len) == 0);
	if (reasoning)
		return;
	size_t got;
	if (view_text(v, msg, &got) == s) {
		struct buf b = BUF_INIT;
		require(sanitize_string(s, len, &b) == 0);
		require(b.len == len && (!len || memcmp(b.data, s, len) == 0));
		buf_free(&b);
	}
}

/* The same conversation as one_shot's (ended), its texts shared whole. */
static struct view *shared(int width, int fold, const char *header, const char *footer,
			   const char *r, size_t rlen, const char *t, size_t tlen)
{
	struct view *v = view_new(width);
	require(v != NULL);
	view_set_fold(v, fold);
	require(view_add(v, VIEW_USER, "you") == 0);
	share_checked(v, 0, 0, "q", 1);
	require(view_add(v, VIEW_ASSISTANT, header) == 1);
	share_checked(v, 1, 1, r, rlen);
	share_checked(v, 1, 0, t, tlen);
	require(view_set_footer(v, 1, footer, 1) == 0);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	int width = data[0] % 40 + 1, width2 = data[1] % 40 + 1;
	uint32_t seed = data[2];
	int fold = (data[2] >> 2) & 1;
	const char *in = (const char *)data + 3;
	size_t len = size - 3;
	size_t rlen = len * (data[2] & 3) / 4;
	const char *r = in, *t = in + rlen;
	size_t tlen = len - rlen;
	/* the header and footer: up to 32 bytes from each end (a NUL ends them early) */
	char header[33], footer[33];
	size_t hlen = len < 32 ? len : 32;
	memcpy(header, in, hlen);
	header[hlen] = '\0';
	memcpy(footer, in + len - hlen, hlen);
	footer[hlen] = '\0';

	struct view *v = view_new(width);
	require(v != NULL);
	require(view_add(v, VIEW_USER, "you") == 0);
	require(view_append_text(v, 0, "q", 1) == 0);
	require(view_add(v, VIEW_ASSISTANT, header) == 1);
	/* deltas of 1..16 bytes, at most STREAM_APPENDS of them: each lays the open segment
	 * out again, so deltas all along a long text would make it cost its length squared.
	 * A text longer than they reach gets them at a place the seed picks, after one delta
	 * up to there, and the rest in one. */
	size_t rat = 0, tat = 0, k = 0, jump = 0;
	if (len > STREAM_REACH) {
		seed = seed * 1103515245u + 12345u;
		jump = (seed >> 16) % (len - STREAM_REACH + 1);
	}
	while (rat < rlen || tat < tlen) {
		size_t d = len;
		if (rat + tat < jump) {
			d = jump - rat - tat;
		} else if (k++ < STREAM_APPENDS) {
			seed = seed * 1103515245u + 12345u;
			d = (seed >> 16) % 16 + 1;
		}
		if (rat < rlen) {
			size_t n = d < rlen - rat ? d : rlen - rat;
			require(view_append_reasoning(v, 1, r + rat, n) == 0);
			rat += n;
		} else {
			size_t n = d < tlen - tat ? d : tlen - tat;
			require(view_append_text(v, 1, t + tat, n) == 0);
			tat += n;
		}
	}
	require(view_set_footer(v, 1, footer, 1) == 0);
	struct view *f = one_shot(width, 0, header, footer, r, rlen, t, tlen, 0);
	require_same(v, f);
	view_free(f);

	require(view_end(v, 1) == 0);
	require_lines_ok(v, width);
	f = one_shot(width, 0, header, footer, r, rlen, t, tlen, 1);
	require_same(v, f);
	view_free(f);

	view_set_width(v, width2);
	view_set_fold(v, fold);
	require_lines_ok(v, width2);
	f = one_shot(width2, fold, header, footer, r, rlen, t, tlen, 1);
	require_same(v, f);
	view_free(f);

	/* shared texts are NUL-terminated: copies of the input's */
	char *rs = malloc(rlen + 1), *ts = malloc(tlen + 1);
	require(rs && ts);
	memcpy(rs, r, rlen);
	rs[rlen] = '\0';
	memcpy(ts, t, tlen);
	ts[tlen] = '\0';
	f = shared(width2, fold, header, footer, rs, rlen, ts, tlen);
	require_lines_ok(f, width2);
	require_same(v, f);
	view_free(f);
	free(rs);
	free(ts);
	view_free(v);
	return 0;
}
