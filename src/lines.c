/* lines: splits a byte stream into lines at LF, CR or CRLF, across chunk boundaries. */
#include "cherry/lines.h"

#include <string.h>

void lines_init(struct lines *l, lines_fn on_line, void *ctx, int nul)
{
	memset(l, 0, sizeof(*l));
	l->on_line = on_line;
	l->ctx = ctx;
	l->nul = nul;
}

void lines_free(struct lines *l)
{
	buf_free(&l->part);
}

void lines_reset(struct lines *l)
{
	buf_reset(&l->part);
	l->skip_lf = 0;
}

static size_t find(const char *s, size_t from, size_t n, char c)
{
	const char *q = memchr(s + from, c, n - from);
	return q ? (size_t)(q - s) : n;
}

/* Refuses a line that would pass max; its bytes so far are let go at once. */
static int too_long(struct lines *l, size_t more)
{
	if (!l->max || l->part.len + more <= l->max)
		return 0;
	buf_free(&l->part);
	l->failed = 1;
	return 1;
}

/* Hands over the line s[0..len), joined to a part carried from earlier chunks. */
static int emit(struct lines *l, const char *s, size_t len)
{
	if (too_long(l, len))
		return LINES_TOO_LONG;
	if (l->part.len || l->nul) {
		if (buf_append(&l->part, s, len) < 0) {
			l->failed = 1;
			return -1;
		}
		s = l->part.data ? l->part.data : "";
		len = l->part.len;
	}
	int r = l->on_line ? l->on_line(l->ctx, s, len) : 0;
	buf_reset(&l->part);
	return r;
}

int lines_feed(struct lines *l, const char *bytes, size_t len)
{
	size_t i = 0;

	if (l->failed)
		return -1;
	if (len == 0)
		return 0;
	if (l->skip_lf) {
		if (bytes[0] == '\n')
			i++;
		l->skip_lf = 0;
	}
	/* Each memchr resumes past its last hit, so the chunk is scanned once per byte value. */
	size_t cr = find(bytes, i, len, '\r');
	size_t lf = find(bytes, i, len, '\n');
	while (i < len) {
		if (cr < i)
			cr = find(bytes, i, len, '\r');
		if (lf < i)
			lf = find(bytes, i, len, '\n');
		size_t e = cr < lf ? cr : lf;
		if (e == len) {
			if (too_long(l, len - i))
				return LINES_TOO_LONG;
			if (buf_append(&l->part, bytes + i, len - i) < 0) {
				l->failed = 1;
				return -1;
			}
			break;
		}
		size_t start = i;
		i = e + 1;
		if (bytes[e] == '\r') {
			if (i == len)
				l->skip_lf = 1;
			else if (bytes[i] == '\n')
				i++;
		}
		int r = emit(l, bytes + start, e - start);
		if (r)
			return r;
	}
	return 0;
}

int lines_flush(struct lines *l)
{
	int r = 0;
	if (!l->failed && l->part.len)
		r = emit(l, "", 0);
	lines_reset(l);
	return r;
}
