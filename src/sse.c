/* sse: WHATWG event-stream parsing: chunks of bytes in, dispatched events out. */
#include "cherry/sse.h"

#include <limits.h>
#include <string.h>

static const char sse_bom[3] = {'\xEF', '\xBB', '\xBF'};

static int sse_line(void *ctx, const char *line, size_t len);

void sse_init(struct sse_parser *p, sse_event_fn on_event, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->on_event = on_event;
	p->ctx = ctx;
	p->retry_ms = -1;
	p->raw_json = 1;
	lines_init(&p->lines, sse_line, p, 0);
	p->lines.max = SSE_EVENT_MAX;
}

void sse_free(struct sse_parser *p)
{
	lines_free(&p->lines);
	buf_free(&p->data);
	buf_free(&p->type);
	buf_free(&p->last_id);
	buf_free(&p->source_id);
	buf_free(&p->raw);
}

static int sse_same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static int sse_set(struct buf *b, const char *s, size_t len)
{
	buf_reset(b);
	return buf_append(b, s, len);
}

static int sse_oom(struct sse_parser *p)
{
	p->failed = 1;
	return -1;
}

/* An event past SSE_EVENT_MAX: what it gathered is let go, the parser stops, and one
 * error event says why. Returns the callback's value, or -1. */
static int sse_too_large(struct sse_parser *p)
{
	static const char msg[] = "{\"error\": {\"message\": \"one event of the stream is "
				  "larger than 16 MiB; stopped\"}}";
	buf_free(&p->data);
	buf_free(&p->raw);
	lines_free(&p->lines);
	p->failed = 1;
	p->lines.failed = 1;
	struct sse_event ev = {"error", 5, msg, sizeof msg - 1, "", 0};
	int r = p->on_event ? p->on_event(p->ctx, &ev) : 0;
	return r ? r : -1;
}

static int sse_dispatch(struct sse_parser *p)
{
	/* The last-event-ID is committed even when no event follows (E10). */
	if (!sse_same(&p->source_id, &p->last_id) &&
	    sse_set(&p->source_id, p->last_id.data, p->last_id.len) < 0)
		return sse_oom(p);
	if (p->data.len == 0) {
		buf_reset(&p->type);
		return 0;
	}
	/* Every data line appended an LF; the last one is not part of the data. */
	p->data.data[--p->data.len] = '\0';
	struct sse_event ev = {
		.type = p->type.len ? p->type.data : "message",
		.type_len = p->type.len ? p->type.len : strlen("message"),
		.data = p->data.data,
		.data_len = p->data.len,
		.id = p->last_id.len ? p->last_id.data : "",
		.id_len = p->last_id.len,
	};
	int r = p->on_event ? p->on_event(p->ctx, &ev) : 0;
	buf_reset(&p->data);
	buf_reset(&p->type);
	return r;
}

/* A retry value counts only when it is all ASCII digits; huge values saturate. */
static void sse_retry(struct sse_parser *p, const char *v, size_t len)
{
	long ms = 0;
	if (len == 0)
		return;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return;
		int d = v[i] - '0';
		ms = ms > (LONG_MAX - d) / 10 ? LONG_MAX : ms * 10 + d;
	}
	p->retry_ms = ms;
}

/* Hands the collected bare JSON body over as one event, apart from any event being
 * assembled from fields. */
static int sse_raw_dispatch(struct sse_parser *p)
{
	if (p->raw.len && p->raw.data[p->raw.len - 1] == '\n')
		p->raw.data[--p->raw.len] = '\0';
	struct sse_event ev = {
		.type = SSE_RAW_TYPE,
		.type_len = strlen(SSE_RAW_TYPE),
		.data = p->raw.data ? p->raw.data : "",
		.data_len = p->raw.len,
		.id = p->last_id.len ? p->last_id.data : "",
		.id_len = p->last_id.len,
	};
	int r = p->raw.len && p->on_event ? p->on_event(p->ctx, &ev) : 0;
	buf_reset(&p->raw);
	p->raw_depth = p->raw_in_string = p->raw_escape = 0;
	return r;
}

/* One line of a bare JSON body: counted for braces outside strings; the body ends where
 * they balance (the rest of that line is dropped) or at a blank line. */
static int sse_raw_line(struct sse_parser *p, const char *line, size_t len)
{
	if (len == 0)
		return sse_raw_dispatch(p);
	size_t used = len;
	int closed = 0;
	for (size_t i = 0; i < len && !closed; i++) {
		char c = line[i];
		if (p->raw_in_string) {
			if (p->raw_escape)
				p->raw_escape = 0;
			else if (c == '\\')
				p->raw_escape = 1;
			else if (c == '"')
				p->raw_in_string = 0;
		} else if (c == '"') {
			p->raw_in_string = 1;
		} else if (c == '{' || c == '[') {
			p->raw_depth++;
		} else if ((c == '}' || c == ']') && --p->raw_depth <= 0) {
			closed = 1;
			used = i + 1;
		}
	}
	if (p->raw.len + used + 1 > SSE_EVENT_MAX)
		return sse_too_large(p);
	if (buf_append(&p->raw, line, used) < 0 || buf_append_char(&p->raw, '\n') < 0)
		return sse_oom(p);
	return closed ? sse_raw_dispatch(p) : 0;
}

/* One complete line without its line end. Returns 0, the callback's value, or -1. */
static int sse_line(void *ctx, const char *line, size_t len)
{
	struct sse_parser *p = ctx;
	if (p->raw_json && (p->raw.len || (len && line[0] == '{')))
		return sse_raw_line(p, line, len);
	if (len == 0)
		return sse_dispatch(p);
	if (line[0] == ':')
		return 0;
	const char *colon = memchr(line, ':', len);
	size_t nlen = colon ? (size_t)(colon - line) : len;
	const char *val = colon ? colon + 1 : line + len;
	size_t vlen = colon ? len - nlen - 1 : 0;
	if (vlen && val[0] == ' ') {
		val++;
		vlen--;
	}
	switch (nlen) {
	case 4:
		if (memcmp(line, "data", 4) == 0) {
			if (p->data.len + vlen + 1 > SSE_EVENT_MAX)
				return sse_too_large(p);
			if (buf_reserve(&p->data, vlen + 1) < 0)
				return sse_oom(p);
			buf_append(&p->data, val, vlen);
			buf_append_char(&p->data, '\n');
		}
		break;
	case 5:
		if (memcmp(line, "event", 5) == 0 && sse_set(&p->type, val, vlen) < 0)
			return sse_oom(p);
		if (memcmp(line, "retry", 5) == 0)
			sse_retry(p, val, vlen);
		break;
	case 2:
		if (memcmp(line, "id", 2) == 0 && !memchr(val, '\0', vlen) &&
		    sse_set(&p->last_id, val, vlen) < 0)
			return sse_oom(p);
		break;
	default:
		break;
	}
	return 0;
}

/* Swallows the one leading BOM, which may itself arrive split across chunks: its bytes
 * are counted until the third one is seen, and handed to the line splitter as text when
 * they turn out to start something else. */
static int sse_eat_bom(struct sse_parser *p, const char *s, size_t n, size_t *i)
{
	while (*i < n && !p->bom_checked) {
		if (s[*i] != sse_bom[p->bom_len]) {
			p->bom_checked = 1;
			return lines_feed(&p->lines, sse_bom, p->bom_len);
		}
		(*i)++;
		if (++p->bom_len == sizeof(sse_bom))
			p->bom_checked = 1;
	}
	return 0;
}

int sse_feed(struct sse_parser *p, const char *bytes, size_t len)
{
	size_t i = 0;

	if (p->failed)
		return -1;
	if (len == 0)
		return 0;
	if (sse_eat_bom(p, bytes, len, &i) < 0)
		return sse_oom(p);
	if (i == len)
		return 0;
	int r = lines_feed(&p->lines, bytes + i, len - i);
	if (r == LINES_TOO_LONG)
		return sse_too_large(p);
	if (p->lines.failed)
		p->failed = 1;
	return r;
}

void sse_finish(struct sse_parser *p)
{
	/* A bare JSON body is whole without a line end after its last brace (a plain
	 * error body often has none); it, unlike an event, is handed over at EOF. */
	if (p->raw_json && !p->failed &&
	    (p->raw.len || (p->lines.part.len && p->lines.part.data[0] == '{'))) {
		if (lines_flush(&p->lines) >= 0 && p->raw.len)
			sse_raw_dispatch(p);
	}
	buf_reset(&p->raw);
	p->raw_depth = p->raw_in_string = p->raw_escape = 0;
	/* an unterminated last line is dropped with its event */
	lines_reset(&p->lines);
	if (!p->bom_checked)
		p->bom_len = 0;
	buf_reset(&p->data);
	buf_reset(&p->type);
}
