/* ndjson: splits a byte stream into non-empty lines at LF, CRLF or CR. */
#include "cherry/ndjson.h"

#include <string.h>

void ndjson_init(struct ndjson_splitter *s, ndjson_line_fn on_line, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->on_line = on_line;
	s->ctx = ctx;
}

void ndjson_free(struct ndjson_splitter *s)
{
	buf_free(&s->line);
}

static size_t ndjson_find(const char *b, size_t from, size_t n, char c)
{
	const char *q = memchr(b + from, c, n - from);
	return q ? (size_t)(q - b) : n;
}

/* Hands one line to the callback; empty lines are blank separators, not records. */
static int ndjson_emit(struct ndjson_splitter *s, const char *line, size_t len)
{
	if (len == 0 || !s->on_line)
		return 0;
	return s->on_line(s->ctx, line, len);
}

int ndjson_feed(struct ndjson_splitter *s, const char *bytes, size_t len)
{
	size_t i = 0;

	if (s->failed)
		return -1;
	if (len == 0)
		return 0;
	/* A CR that ended the previous chunk may be the first half of a CRLF. */
	if (s->skip_lf) {
		if (bytes[0] == '\n')
			i++;
		s->skip_lf = 0;
	}
	size_t cr = ndjson_find(bytes, i, len, '\r');
	size_t lf = ndjson_find(bytes, i, len, '\n');
	while (i < len) {
		if (cr < i)
			cr = ndjson_find(bytes, i, len, '\r');
		if (lf < i)
			lf = ndjson_find(bytes, i, len, '\n');
		size_t e = cr < lf ? cr : lf;
		if (e == len) {
			if (buf_append(&s->line, bytes + i, len - i) < 0)
				goto oom;
			break;
		}
		/* Always through the buffer: the callback is promised line[len] == NUL. */
		if (buf_append(&s->line, bytes + i, e - i) < 0)
			goto oom;
		i = e + 1;
		if (bytes[e] == '\r') {
			if (i == len)
				s->skip_lf = 1;
			else if (bytes[i] == '\n')
				i++;
		}
		int r = ndjson_emit(s, s->line.data, s->line.len);
		buf_reset(&s->line);
		if (r)
			return r;
	}
	return 0;
oom:
	s->failed = 1;
	return -1;
}

int ndjson_finish(struct ndjson_splitter *s)
{
	int r = 0;
	if (!s->failed)
		r = ndjson_emit(s, s->line.data, s->line.len);
	buf_reset(&s->line);
	s->skip_lf = 0;
	return r;
}
