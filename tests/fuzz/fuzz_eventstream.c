/* fuzz_eventstream: the AWS event-stream decoder must give the same messages and the same
 * verdict whole and split anywhere, and never read outside what it was given (ASan).
 * An odd first byte makes the rest whole messages first (lengths made to fit, both CRCs
 * made right), so the header parser is reached, not only the CRC checks. Aborts on any
 * difference. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/buf.h"
#include "cherry/eventstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void need(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_eventstream: %s\n", what);
		abort();
	}
}

static void put(struct buf *out, const void *s, size_t n)
{
	need(buf_append(out, &n, sizeof n) == 0 && buf_append(out, s, n) == 0, "oom");
}

/* Every message is flattened into one byte string so results compare with memcmp. */
static int on_message(void *ctx, const struct evs_message *m)
{
	struct buf *out = ctx;
	need(m->nheaders <= EVS_HEADERS_MAX, "too many headers");
	for (size_t i = 0; i < m->nheaders; i++) {
		const struct evs_header *h = &m->headers[i];
		put(out, h->name, h->name_len);
		put(out, &h->type, 1);
		if (h->value)
			put(out, h->value, h->value_len);
		else
			put(out, &h->num, sizeof h->num);
	}
	put(out, m->payload, m->payload_len);
	return 0;
}

static int decode(const uint8_t *data, size_t size, const size_t *cuts, size_t ncuts,
		  struct buf *out)
{
	struct evs_decoder d;
	evs_init(&d, on_message, out);
	size_t at = 0;
	int r = 0;
	for (size_t i = 0; i <= ncuts && r == 0; i++) {
		size_t end = i < ncuts ? cuts[i] : size;
		/* a copy of exactly this piece, so ASan sees any read past it */
		uint8_t *piece = malloc(end - at + 1);
		need(piece != NULL, "oom");
		memcpy(piece, data + at, end - at);
		r = evs_feed(&d, piece, end - at);
		free(piece);
		at = end;
	}
	put(out, &r, sizeof r);
	if (r == 0) {
		int t = evs_truncated(&d);
		put(out, &t, sizeof t);
	}
	evs_free(&d);
	return r;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Rewrites m[0..n) into messages whose lengths fit and whose CRCs are right. */
static void make_frames(uint8_t *m, size_t n)
{
	for (size_t o = 0; n - o >= 16;) {
		uint32_t total = get32(m + o);
		if (total < 16 || total > n - o)
			total = (uint32_t)(n - o);
		uint32_t hlen = get32(m + o + 4) % (total - 16 + 1);
		put32(m + o, total);
		put32(m + o + 4, hlen);
		put32(m + o + 8, evs_crc32(0, m + o, 8));
		put32(m + o + total - 4, evs_crc32(0, m + o, total - 4));
		o += total;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *framed = NULL;
	if (size && (data[0] & 1)) {
		framed = malloc(size - 1 + 1);
		need(framed != NULL, "oom");
		memcpy(framed, data + 1, size - 1);
		make_frames(framed, size - 1);
		data = framed;
		size--;
	}
	struct buf whole = BUF_INIT, split = BUF_INIT;
	decode(data, size, NULL, 0, &whole);
	/* cut points from the input's own bytes: deterministic per input */
	size_t cuts[16], n = 0;
	uint32_t s = 2166136261u;
	for (size_t i = 0; i < size; i++)
		s = (s ^ data[i]) * 16777619u;
	for (size_t at = 0; size && n < 16; n++) {
		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		at += 1 + s % (size / 8 + 1);
		if (at >= size)
			break;
		cuts[n] = at;
	}
	decode(data, size, cuts, n, &split);
	need(whole.len == split.len && !memcmp(whole.data, split.data, whole.len),
	     "whole and split differ");
	buf_free(&whole);
	buf_free(&split);
	free(framed);
	return 0;
}
