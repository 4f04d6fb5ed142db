/* eventstream: the AWS event-stream binary framing decoded (pure): bytes in any split,
 * whole messages out, both CRCs checked, every length bounded before it is trusted. */
#include "cherry/eventstream.h"

#include <string.h>

#define PRELUDE 12u  /* total length, headers length, prelude CRC */
#define OVERHEAD 16u /* the prelude and the message CRC */

/* Half-byte table of the reflected polynomial 0xEDB88320: two lookups per byte,
 * small enough to write out, no table built at run time. */
static const uint32_t crc_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t evs_crc32(uint32_t crc, const void *bytes, size_t n)
{
	const unsigned char *p = bytes;
	crc = ~crc;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
	}
	return ~crc;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be_n(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

void evs_init(struct evs_decoder *d, evs_message_fn on_message, void *ctx)
{
	memset(d, 0, sizeof *d);
	d->on_message = on_message;
	d->ctx = ctx;
}

void evs_free(struct evs_decoder *d)
{
	buf_wipe_free(&d->pending);
}

int evs_truncated(const struct evs_decoder *d)
{
	return !d->failed && d->pending.len > 0;
}

static int fail(struct evs_decoder *d, const char *why)
{
	d->failed = 1;
	d->error = why;
	return -1;
}

/* The fixed size of a value of type t, or -1 for the length-prefixed ones (6, 7). */
static int value_size(unsigned char t)
{
	static const signed char sizes[10] = {0, 0, 1, 2, 4, 8, -1, -1, 8, 16};
	return t < 10 ? sizes[t] : -2;
}

static int parse_headers(struct evs_decoder *d, const unsigned char *p, size_t n,
			 struct evs_message *m)
{
	size_t i = 0;
	while (i < n) {
		if (m->nheaders == EVS_HEADERS_MAX)
			return fail(d, "too many headers in one message");
		struct evs_header *h = &m->headers[m->nheaders];
		memset(h, 0, sizeof *h);
		size_t name_len = p[i++];
		if (!name_len || n - i < name_len + 1)
			return fail(d, "a header runs past the headers' length");
		h->name = (const char *)p + i;
		h->name_len = name_len;
		i += name_len;
		h->type = p[i++];
		int size = value_size(h->type);
		if (size == -2)
			return fail(d, "a header has an unknown value type");
		if (size == -1) {
			if (n - i < 2 || n - i - 2 < be_n(p + i, 2))
				return fail(d, "a header runs past the headers' length");
			h->value_len = (size_t)be_n(p + i, 2);
			h->value = (const char *)p + i + 2;
			i += 2 + h->value_len;
		} else {
			if (n - i < (size_t)size)
				return fail(d, "a header runs past the headers' length");
			/* bool true is type 0 and false type 1, without a value byte */
			h->num = size ? (int64_t)be_n(p + i, (size_t)size) : h->type == 0;
			i += (size_t)size;
		}
		m->nheaders++;
	}
	return 0;
}

/* One whole message at p (total bytes, prelude already checked). */
static int deliver(struct evs_decoder *d, const unsigned char *p, uint32_t total)
{
	if (evs_crc32(0, p, total - 4) != be32(p + total - 4))
		return fail(d, "message CRC mismatch (the stream is corrupt)");
	uint32_t hlen = be32(p + 4);
	struct evs_message m;
	m.nheaders = 0;
	if (parse_headers(d, p + PRELUDE, hlen, &m) < 0)
		return -1;
	m.payload = (const char *)p + PRELUDE + hlen;
	m.payload_len = total - OVERHEAD - hlen;
	return d->on_message ? d->on_message(d->ctx, &m) : 0;
}

/* Checks the prelude at p and returns the message's total length, or 0 after failing. */
static uint32_t prelude(struct evs_decoder *d, const unsigned char *p)
{
	if (evs_crc32(0, p, 8) != be32(p + 8)) {
		fail(d, "prelude CRC mismatch (the stream is corrupt)");
		return 0;
	}
	uint32_t total = be32(p), hlen = be32(p + 4);
	if (total < OVERHEAD || hlen > total - OVERHEAD) {
		fail(d, "a message's lengths do not add up");
		return 0;
	}
	if (total > EVS_MESSAGE_MAX) {
		fail(d, "a message is larger than 16 MiB");
		return 0;
	}
	return total;
}

int evs_feed(struct evs_decoder *d, const void *bytes, size_t len)
{
	if (d->failed)
		return -1;
	const unsigned char *in = bytes;
	while (len) {
		/* Whole messages straight from the input when nothing is pending. */
		if (!d->pending.len && len >= PRELUDE) {
			uint32_t total = prelude(d, in);
			if (!total)
				return -1;
			if (len >= total) {
				int r = deliver(d, in, total);
				if (r)
					return r;
				in += total;
				len -= total;
				continue;
			}
		}
		/* Gather: first the prelude, then the rest of the message it announces. */
		size_t want = PRELUDE;
		if (d->pending.len >= PRELUDE)
			want = be32((const unsigned char *)d->pending.data);
		size_t take = want - d->pending.len < len ? want - d->pending.len : len;
		if (buf_append(&d->pending, in, take) < 0)
			return fail(d, "out of memory");
		in += take;
		len -= take;
		if (d->pending.len == PRELUDE && want == PRELUDE) {
			if (!prelude(d, (const unsigned char *)d->pending.data))
				return -1;
			continue;
		}
		if (d->pending.len >= PRELUDE && d->pending.len == want) {
			int r = deliver(d, (const unsigned char *)d->pending.data, (uint32_t)want);
			buf_reset(&d->pending);
			if (r)
				return r;
		}
	}
	return 0;
}

const char *evs_header_str(const struct evs_message *m, const char *name, size_t *len)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < m->nheaders; i++) {
		const struct evs_header *h = &m->headers[i];
		if (h->type == 7 && h->name_len == n && !memcmp(h->name, name, n)) {
			if (len)
				*len = h->value_len;
			return h->value;
		}
	}
	return NULL;
}
