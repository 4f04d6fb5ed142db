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
	s->lines.max = NDJSON_LINE_MAX;
}

void ndjson_free(struct ndjson_splitter *s)
{
	lines_free(&s->lines);
}

_Static_assert(NDJSON_LINE_MAX == 16u << 20, "the error line names 16 MiB");

/* A line past NDJSON_LINE_MAX: the splitter has let its bytes go and refuses what
 * follows; one error line in the provider's own shape says why. */
static int ndjson_too_long(struct ndjson_splitter *s)
{
	static const char msg[] = "{\"error\": \"one line of the stream is larger than "
				  "16 MiB; stopped\"}";
	int r = s->on_line ? s->on_line(s->ctx, msg, sizeof msg - 1) : 0;
	return r ? r : -1;
}

int ndjson_feed(struct ndjson_splitter *s, const char *bytes, size_t len)
{
	int r = lines_feed(&s->lines, bytes, len);
	return r == LINES_TOO_LONG ? ndjson_too_long(s) : r;
}

int ndjson_finish(struct ndjson_splitter *s)
{
	return lines_flush(&s->lines);
}
