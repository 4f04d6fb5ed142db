/* wiretest: shared fixture of the wire decoder tests. */
#include "wiretest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/ndjson.h"
#include "cherry/sse.h"

#include "harness.h"

static void on_text(void *ctx, const char *s, size_t len)
{
	struct wt_capture *c = ctx;
	buf_append(&c->text, s, len);
	c->text_calls++;
}

static void on_reasoning(void *ctx, const char *s, size_t len)
{
	struct wt_capture *c = ctx;
	buf_append(&c->reasoning, s, len);
}

void wt_init(struct fixture *f, enum wire_kind kind, const char *provider)
{
	memset(f, 0, sizeof *f);
	wire_stream_init(&f->st, kind, provider);
	f->sink.text = on_text;
	f->sink.reasoning = on_reasoning;
	f->sink.ctx = &f->cap;
}

void wt_fini(struct fixture *f)
{
	wire_stream_free(&f->st);
	buf_free(&f->cap.text);
	buf_free(&f->cap.reasoning);
}

struct fixture *wt_new(enum wire_kind kind, const char *provider)
{
	struct fixture *f = malloc(sizeof *f);
	if (f)
		wt_init(f, kind, provider);
	return f;
}

void wt_free(struct fixture *f)
{
	if (!f)
		return;
	wt_fini(f);
	free(f);
}

char *wt_read_fixture(const char *rel, size_t *len)
{
	const char *dir = getenv("CHERRY_FIXTURES");
	struct buf path = BUF_INIT;
	if (buf_printf(&path, "%s/%s", dir ? dir : "tests/fixtures", rel) < 0)
		return NULL;
	char *body = harness_read_file(path.data, len);
	buf_free(&path);
	return body;
}

const char *text_of(const struct buf *b)
{
	return b->data ? b->data : "";
}

static int on_sse(void *ctx, const struct sse_event *ev)
{
	struct fixture *f = ctx;
	char type[64];
	size_t n = ev->type_len < sizeof type ? ev->type_len : sizeof type - 1;
	memcpy(type, ev->type, n);
	type[n] = '\0';
	f->events++;
	if (wire_stream_event(&f->st, type, ev->data, ev->data_len, &f->sink) < 0)
		f->rejected++;
	return 0;
}

static int on_line(void *ctx, const char *line, size_t len)
{
	struct fixture *f = ctx;
	f->events++;
	f->lines++;
	if (wire_stream_event(&f->st, NULL, line, len, &f->sink) < 0)
		f->rejected++;
	return 0;
}

int wt_replay_sse_cuts(struct fixture *f, const char *body, size_t len, const size_t *cuts,
		       size_t ncuts)
{
	struct sse_parser p;
	sse_init(&p, on_sse, f);
	int r = 0;
	size_t off = 0;
	for (size_t i = 0; i <= ncuts && r == 0; i++) {
		size_t end = i < ncuts ? cuts[i] : len;
		if (end < off || end > len)
			r = -1;
		else
			r = sse_feed(&p, body + off, end - off);
		off = end;
	}
	sse_finish(&p);
	sse_free(&p);
	return r;
}

int wt_replay_sse(struct fixture *f, const char *body, size_t len, size_t step)
{
	struct sse_parser p;
	sse_init(&p, on_sse, f);
	int r = 0;
	for (size_t off = 0; off < len && r == 0; off += step)
		r = sse_feed(&p, body + off, len - off < step ? len - off : step);
	sse_finish(&p);
	sse_free(&p);
	return r;
}

int wt_replay_ndjson(struct fixture *f, const char *body, size_t len, size_t step)
{
	struct ndjson_splitter s;
	ndjson_init(&s, on_line, f);
	int r = 0;
	for (size_t off = 0; off < len && r == 0; off += step)
		r = ndjson_feed(&s, body + off, len - off < step ? len - off : step);
	if (r == 0)
		r = ndjson_finish(&s);
	ndjson_free(&s);
	return r;
}
