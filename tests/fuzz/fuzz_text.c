/* fuzz_text: wrapping any bytes at any width must make progress on every line, account
 * for every input byte exactly once, and keep lines within the width unless a line is
 * one cluster; widths and column arithmetic must agree with the wrap. The first input
 * byte chooses the width (1..64); the rest is the text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cherry/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
	if (!ok)
		abort();
}

struct check {
	const char *s;
	size_t len;
	int width;
	size_t covered;  /* bytes in lines or dropped so far: where the next line may start */
	size_t last_off;
	int lines;
};

/* Bytes between two lines may only be dropped break spaces, then at most one LF. */
static void require_gap(const struct check *c, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		require(c->s[i] == ' ' || (c->s[i] == '\n' && i == to - 1));
}

static int on_line(void *ctx, size_t off, size_t len, int width)
{
	struct check *c = ctx;
	require(off >= c->covered && off + len <= c->len);
	require(c->lines == 0 || off > c->last_off);  /* progress */
	require_gap(c, c->covered, off);
	if (len == 0)
		require(off == c->len || c->s[off] == '\n'); /* empty only at LF or the end */
	for (size_t i = off; i < off + len; i++)
		require(c->s[i] != '\n');
	require(text_width(c->s + off, len) == width);
	if (width > c->width) {
		int w;
		require(text_next_cluster(c->s + off, len, &w) == len);
	}
	/* column <-> offset agree on the line's first cluster boundaries (all of them would
	 * make this check quadratic and the fuzzer slow; a line's start is wherever the wrap
	 * put it, so over many inputs these reach every kind of cluster) */
	int prev_w = 1;
	for (size_t b = off, k = 0; k < 4; k++) {
		int col = text_col_of_offset(c->s + off, len, b - off);
		require(col >= 0 && col <= width);
		if (prev_w > 0)
			require(text_offset_of_col(c->s + off, len, col) == b - off);
		if (b == off + len)
			break;
		b += text_next_cluster(c->s + b, off + len - b, &prev_w);
	}
	require(text_col_of_offset(c->s + off, len, len) == width);
	c->covered = off + len;
	c->last_off = off;
	c->lines++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	struct check c = {(const char *)data + 1, size - 1, data[0] % 64 + 1, 0, 0, 0};
	int n = text_wrap(c.s, c.len, c.width, on_line, &c);
	require(n == c.lines && n >= 1);
	require((size_t)n <= c.len + 1);
	/* what follows the last line can only be dropped spaces */
	for (size_t i = c.covered; i < c.len; i++)
		require(c.s[i] == ' ');

	/* every offset has a place on screen, within the rows text_wrap made (plus one): the
	 * start, the end and one offset the last byte picks (each call wraps again) */
	size_t offs[3] = {0, c.len, c.len ? data[size - 1] * c.len / 255 : 0};
	for (size_t i = 0; i < 3; i++) {
		int row = -1, col = -1;
		text_wrap_locate(c.s, c.len, c.width, offs[i], &row, &col);
		require(row >= 0 && row <= n && col >= 0);
		require(col < c.width);
	}
	return 0;
}
