/* fuzz_sse: the SSE parser and NDJSON splitter must give the same result whole, split
 * anywhere, and as a naive reference reading of the spec. Aborts on any difference.
 * The first two bytes choose the chunk sizes (the largest 1..17 bytes) and whether the
 * SSE parser reads bare JSON lines too (the reference knows nothing of that extension:
 * with it on, only whole and split are compared); the rest is the stream. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/buf.h"
#include "cherry/ndjson.h"
#include "cherry/sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void need(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_sse: %s\n", what);
		abort();
	}
}

static void put(struct buf *out, const char *s, size_t n)
{
	need(buf_append(out, &n, sizeof(n)) == 0 && buf_append(out, s, n) == 0, "oom");
}

/* Every result is flattened into one byte string so results compare with memcmp. */
static int on_event(void *ctx, const struct sse_event *ev)
{
	struct buf *out = ctx;
	need(ev->type[ev->type_len] == '\0' && ev->data[ev->data_len] == '\0' &&
		     ev->id[ev->id_len] == '\0', "missing NUL terminator");
	put(out, ev->type, ev->type_len);
	put(out, ev->data, ev->data_len);
	put(out, ev->id, ev->id_len);
	return 0;
}

static int on_line(void *ctx, const char *line, size_t len)
{
	need(len > 0 && line[len] == '\0', "bad ndjson line");
	put(ctx, line, len);
	return 0;
}

static void sse_tail(struct buf *out, const struct sse_parser *p)
{
	put(out, "#", 1);
	put(out, (const char *)&p->retry_ms, sizeof(p->retry_ms));
	put(out, p->last_id.data ? p->last_id.data : "", p->last_id.len);
	put(out, p->source_id.data ? p->source_id.data : "", p->source_id.len);
}

static uint32_t next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Chunk sizes from the seed: mostly tiny (0..max), so every kind of boundary occurs. */
static size_t chunk_len(uint32_t *st, unsigned max, size_t left)
{
	size_t k = next(st) % (max + 1u);
	return k > left ? left : k;
}

/* raw: cherry's bare-JSON extension on; the WHATWG reference knows nothing of it, so it
 * is only checked for giving the same events however the input is split. */
static void run_sse(const char *s, size_t n, uint32_t seed, unsigned max, int raw,
		    struct buf *out)
{
	struct sse_parser p;
	sse_init(&p, on_event, out);
	p.raw_json = raw;
	if (max == 0) {
		need(sse_feed(&p, s, n) == 0, "sse_feed failed");
	} else {
		uint32_t st = seed | 1;
		for (size_t i = 0; i < n;) {
			size_t k = chunk_len(&st, max, n - i);
			need(sse_feed(&p, s + i, k) == 0, "sse_feed failed");
			i += k;
		}
	}
	sse_finish(&p);
	sse_tail(out, &p);
	sse_free(&p);
}

static void run_ndjson(const char *s, size_t n, uint32_t seed, unsigned max, struct buf *out)
{
	struct ndjson_splitter sp;
	ndjson_init(&sp, on_line, out);
	uint32_t st = seed | 1;
	for (size_t i = 0; i < n;) {
		size_t k = max ? chunk_len(&st, max, n - i) : n;
		need(ndjson_feed(&sp, s + i, k) == 0, "ndjson_feed failed");
		i += k;
	}
	need(ndjson_finish(&sp) == 0, "ndjson_finish failed");
	ndjson_free(&sp);
}

/* ---- the reference: the spec's steps, one whole input, no cleverness ---- */

static size_t ref_line_end(const char *s, size_t i, size_t n)
{
	while (i < n && s[i] != '\r' && s[i] != '\n')
		i++;
	return i;
}

static void ref_sse(const char *s, size_t n, struct buf *out)
{
	struct buf dat = BUF_INIT, type = BUF_INIT, id = BUF_INIT, source = BUF_INIT;
	long retry = -1;
	size_t i = 0;

	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (;;) {
		size_t e = ref_line_end(s, i, n);
		if (e == n)
			break; /* unterminated last line: dropped with its event */
		const char *l = s + i;
		size_t len = e - i;
		i = e + 1;
		if (s[e] == '\r' && i < n && s[i] == '\n')
			i++;
		if (len == 0) {
			buf_reset(&source);
			need(buf_append(&source, id.data, id.len) == 0, "oom");
			if (dat.len) {
				dat.len--;
				put(out, type.len ? type.data : "message", type.len ? type.len : 7);
				put(out, dat.data, dat.len);
				put(out, id.len ? id.data : "", id.len);
			}
			buf_reset(&dat);
			buf_reset(&type);
			continue;
		}
		if (l[0] == ':')
			continue;
		size_t c = 0;
		while (c < len && l[c] != ':')
			c++;
		const char *v = c < len ? l + c + 1 : l + len;
		size_t vl = c < len ? len - c - 1 : 0;
		if (vl && v[0] == ' ') {
			v++;
			vl--;
		}
		if (c == 4 && memcmp(l, "data", 4) == 0) {
			need(buf_append(&dat, v, vl) == 0 && buf_append(&dat, "\n", 1) == 0, "oom");
		} else if (c == 5 && memcmp(l, "event", 5) == 0) {
			buf_reset(&type);
			need(buf_append(&type, v, vl) == 0, "oom");
		} else if (c == 2 && memcmp(l, "id", 2) == 0 && !memchr(v, 0, vl)) {
			buf_reset(&id);
			need(buf_append(&id, v, vl) == 0, "oom");
		} else if (c == 5 && memcmp(l, "retry", 5) == 0 && vl) {
			size_t k = 0;
			while (k < vl && v[k] >= '0' && v[k] <= '9')
				k++;
			if (k == vl) /* strtol saturates at LONG_MAX, as the parser must */
				retry = strtol(v, NULL, 10);
		}
	}
	put(out, "#", 1);
	put(out, (const char *)&retry, sizeof(retry));
	put(out, id.data ? id.data : "", id.len);
	put(out, source.data ? source.data : "", source.len);
	buf_free(&dat);
	buf_free(&type);
	buf_free(&id);
	buf_free(&source);
}

static void ref_ndjson(const char *s, size_t n, struct buf *out)
{
	size_t i = 0;
	while (i < n) {
		size_t e = ref_line_end(s, i, n);
		if (e > i) {
			struct buf l = BUF_INIT;
			need(buf_append(&l, s + i, e - i) == 0, "oom");
			put(out, l.data, l.len);
			buf_free(&l);
		}
		if (e == n)
			break;
		i = e + 1;
		if (s[e] == '\r' && i < n && s[i] == '\n')
			i++;
	}
}

static void same(const struct buf *a, const struct buf *b, const char *what)
{
	need(a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0), what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint32_t seed = (uint32_t)data[0] << 8 | data[1];
	/* the largest chunk: 1 (0- and 1-byte chunks, so every boundary) .. 17 */
	unsigned max = 1u + data[0] % 17u;
	/* cherry's bare-JSON extension on or off: one of the two an input */
	int raw = data[1] & 1;
	const char *s = (const char *)data + 2;
	size_t n = size - 2;

	struct buf whole = BUF_INIT, split = BUF_INIT, ref = BUF_INIT;
	run_sse(s, n, seed, 0, raw, &whole);
	run_sse(s, n, seed, max, raw, &split);
	same(&whole, &split, raw ? "sse raw_json: whole and split differ"
				 : "sse: whole and split differ");
	if (!raw) {
		ref_sse(s, n, &ref);
		same(&whole, &ref, "sse: parser and reference differ");
	}

	buf_reset(&whole);
	buf_reset(&split);
	buf_reset(&ref);
	run_ndjson(s, n, seed, 0, &whole);
	run_ndjson(s, n, seed, max, &split);
	ref_ndjson(s, n, &ref);
	same(&whole, &split, "ndjson: whole and split differ");
	same(&whole, &ref, "ndjson: splitter and reference differ");

	buf_free(&whole);
	buf_free(&split);
	buf_free(&ref);
	return 0;
}
