/* ndjson: non-empty lines of a byte stream, split by the one line splitter. */
#include "cherry/ndjson.h"

#include <string.h>

/* Empty lines are blank separators, not records. */
static int ndjson_line(void *ctx, const char *line, size_t len)
{
	struct ndjson_splitter *s = ctx;
	if (len == 0 || !s->on_line)
		return 0;
	return s->on_line(s->ctx, line, len);
}

void ndjson_init(struct ndjson_splitter *s, ndjson_line_fn on_line, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->on_line = on_line;
	s->ctx = ctx;
	/* the callback is promised line[len] == NUL (a C string for whoever reads it) */
	lines_init(&s->lines, ndjson_line, s, 1);
}

void ndjson_free(struct ndjson_splitter *s)
{
	lines_free(&s->lines);
}

int ndjson_feed(struct ndjson_splitter *s, const char *bytes, size_t len)
{
	return lines_feed(&s->lines, bytes, len);
}

int ndjson_finish(struct ndjson_splitter *s)
{
	return lines_flush(&s->lines);
}
