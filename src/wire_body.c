/* wire_body: a request body serialised with its attachments' base64 left out, and put
 * back piece by piece as it is sent (pure). A 10 MB image is then held once, raw, not
 * three times over as base64 string, JSON value and dumped body. */
#define _GNU_SOURCE /* memmem */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/wire.h"
#include "wire_kinds.h"

/* A placeholder is a JSON string that starts with a NUL, then the part's address as
 * "%p", a NUL, and the prefix. No prompt text can hold a NUL (they are C strings), and
 * jansson writes a NUL as \u0000, so `"\u0000` in the dump is ours and nothing else. */
#define MARK "\"\\u0000"

json_t *wire_base64_json(const struct attach_part *p, const char *prefix)
{
	char head[64];
	int n = snprintf(head + 1, sizeof head - 1, "%p", (const void *)p);
	if (n < 0 || (size_t)n + 2 >= sizeof head)
		return NULL;
	head[0] = '\0';
	head[n + 1] = '\0';
	struct buf b = BUF_INIT;
	json_t *s = NULL;
	if (buf_append(&b, head, (size_t)n + 2) == 0 && buf_append_str(&b, prefix) == 0)
		s = json_stringn_nocheck(b.data, b.len);
	buf_free(&b);
	return s;
}

/* The part whose address was printed in text, if rq holds it. */
static const struct attach_part *part_named(const struct wire_request *rq, const char *text,
					    size_t len)
{
	char s[64];
	void *ptr = NULL;
	if (len >= sizeof s)
		return NULL;
	memcpy(s, text, len);
	s[len] = '\0';
	/* C11 7.21.6.2: %p reads back a pointer printed earlier in the same run. */
	if (sscanf(s, "%p", &ptr) != 1)
		return NULL;
	for (size_t k = 0; k < rq->nattached; k++)
		for (size_t j = 0; j < rq->attached[k].nparts; j++)
			if ((const void *)&rq->attached[k].parts[j] == ptr)
				return &rq->attached[k].parts[j];
	return NULL;
}

/* Rewrites each placeholder in body into its prefix, recording a splice where the
 * base64 goes: `"\u0000ADDR\u0000PREFIX"` becomes `"PREFIX"` with the splice before
 * the closing quote. In place (the body only shrinks). 0 or -1. */
static int cut_placeholders(struct wire_http *out, const struct wire_request *rq)
{
	static const char nul[] = "\\u0000";
	struct buf *b = &out->body;
	size_t r = 0, w = 0, cap = 0;
	const char *hit;
	while ((hit = b->len > r ? memmem(b->data + r, b->len - r, MARK, strlen(MARK)) : NULL)) {
		size_t at = (size_t)(hit - b->data);
		memmove(b->data + w, b->data + r, at + 1 - r); /* up to the opening quote */
		w += at + 1 - r;
		const char *addr = hit + strlen(MARK);
		const char *end = memmem(addr, b->len - (size_t)(addr - b->data), nul, strlen(nul));
		const char *close = end ? memchr(end, '"', b->len - (size_t)(end - b->data)) : NULL;
		const struct attach_part *p = end ? part_named(rq, addr, (size_t)(end - addr)) : NULL;
		if (!close || !p)
			return -1;
		const char *prefix = end + strlen(nul);
		memmove(b->data + w, prefix, (size_t)(close - prefix));
		w += (size_t)(close - prefix);
		if (out->nsplices == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct wire_splice *v = realloc(out->splices, ncap * sizeof *v);
			if (!v)
				return -1;
			out->splices = v;
			cap = ncap;
		}
		out->splices[out->nsplices++] = (struct wire_splice){w, p->data, p->len};
		r = (size_t)(close - b->data);
	}
	memmove(b->data + w, b->data + r, b->len - r);
	b->len = w + b->len - r;
	b->data[b->len] = '\0';
	return 0;
}

int wire_body(struct wire_http *out, const struct wire_request *rq, json_t *root, int bad,
	      const char *provider, struct err *e)
{
	if (bad || !root) {
		json_decref(root);
		err_set(e, EXIT_FAIL, "%s: cannot encode the request (invalid UTF-8 or out of memory)",
			provider);
		return -1;
	}
	struct buf *body = &out->body;
	size_t n = json_dumpb(root, NULL, 0, JSON_COMPACT | JSON_REAL_PRECISION(15));
	int r = -1;
	if (n && buf_reserve(body, n) == 0) {
		body->len = json_dumpb(root, body->data, n, JSON_COMPACT | JSON_REAL_PRECISION(15));
		body->data[body->len] = '\0';
		r = rq->nattached ? cut_placeholders(out, rq) : 0;
	}
	if (r < 0)
		err_set(e, EXIT_FAIL, "%s: out of memory building the request", provider);
	json_decref(root);
	return r;
}

static size_t b64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

size_t wire_body_size(const struct wire_http *h)
{
	size_t n = h->body.len;
	for (size_t i = 0; i < h->nsplices; i++)
		n += b64_len(h->splices[i].len);
	return n;
}

/* Up to n bytes of a splice's base64 from its offset q (a whole number of 3-byte
 * groups is encoded at a time). */
static size_t read_b64(const struct wire_splice *s, size_t q, char *dst, size_t n)
{
	char chunk[4096 + 1];
	size_t done = 0, total = b64_len(s->len);
	while (done < n && q < total) {
		size_t group = q / 4 * 3;
		size_t raw = s->len - group < 3072 ? s->len - group : 3072;
		sodium_bin2base64(chunk, sizeof chunk, s->data + group, raw,
				  sodium_base64_VARIANT_ORIGINAL);
		size_t skip = q % 4, have = b64_len(raw) - skip;
		size_t take = have < n - done ? have : n - done;
		memcpy(dst + done, chunk + skip, take);
		done += take;
		q += take;
	}
	return done;
}

size_t wire_body_read(const struct wire_http *h, size_t off, char *dst, size_t n)
{
	size_t done = 0, pos = 0, from = 0; /* pos: offset in the sent body; from: in body */
	for (size_t i = 0; i <= h->nsplices && done < n; i++) {
		size_t to = i < h->nsplices ? h->splices[i].at : h->body.len;
		size_t text = to - from;
		if (off + done < pos + text) {
			size_t q = off + done - pos, take = text - q < n - done ? text - q : n - done;
			memcpy(dst + done, h->body.data + from + q, take);
			done += take;
		}
		pos += text;
		from = to;
		if (i == h->nsplices || done == n)
			break;
		size_t len = b64_len(h->splices[i].len);
		if (off + done < pos + len)
			done += read_b64(&h->splices[i], off + done - pos, dst + done, n - done);
		pos += len;
	}
	return done;
}

int wire_body_flatten(const struct wire_http *h, struct buf *out)
{
	size_t n = wire_body_size(h);
	if (buf_reserve(out, n) < 0)
		return -1;
	out->len += wire_body_read(h, 0, out->data + out->len, n);
	out->data[out->len] = '\0';
	return 0;
}

int wire_body_join(struct wire_http *h)
{
	if (!h->nsplices)
		return 0;
	struct buf flat = BUF_INIT;
	if (wire_body_flatten(h, &flat) < 0) {
		buf_free(&flat);
		return -1;
	}
	buf_wipe_free(&h->body);
	h->body = flat;
	free(h->splices);
	h->splices = NULL;
	h->nsplices = 0;
	return 0;
}
