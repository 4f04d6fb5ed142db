/* eventstream: the AWS event-stream binary framing (application/vnd.amazon.eventstream),
 * as Bedrock's ConverseStream answers. Bytes in, split anywhere; whole messages out;
 * no I/O. A message is a prelude (total length, headers length, the prelude's CRC32),
 * headers, a payload and the whole message's CRC32, all lengths big-endian. */
#ifndef CHERRY_EVENTSTREAM_H
#define CHERRY_EVENTSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "cherry/buf.h"

/* The largest message accepted (AWS's own limit is 16 MB of payload), and the most
 * headers one may carry; past either the decoder stops with an error. */
#define EVS_MESSAGE_MAX (16u << 20)
#define EVS_HEADERS_MAX 32

/* A header's value: strings (type 7) and byte arrays (6) point into the message;
 * the other types are read as a number in num (bool: 0 or 1; timestamp: ms). */
struct evs_header {
	const char *name;
	size_t name_len;
	unsigned char type;   /* 0..9, the wire's value type */
	const char *value;    /* types 6 and 7; NULL otherwise */
	size_t value_len;
	int64_t num;
};

struct evs_message {
	struct evs_header headers[EVS_HEADERS_MAX];
	size_t nheaders;
	const char *payload;  /* valid during the callback only */
	size_t payload_len;
};

/* Called once per whole message whose CRCs match. Nonzero stops the decoder: evs_feed
 * returns that value. */
typedef int (*evs_message_fn)(void *ctx, const struct evs_message *m);

struct evs_decoder {
	evs_message_fn on_message;
	void *ctx;
	struct buf pending;   /* the bytes of the message being gathered */
	int failed;           /* corrupt input, over the cap, or OOM: feed refuses more */
	const char *error;    /* why it failed, one line ("message CRC mismatch") */
};

void evs_init(struct evs_decoder *d, evs_message_fn on_message, void *ctx);
/* Feeds a chunk of any size. Returns 0, the callback's nonzero value, or -1 when the
 * input is not a valid event stream (d->error says how) or memory ran out. */
int evs_feed(struct evs_decoder *d, const void *bytes, size_t len);
/* 1 when a message was begun and not finished (the stream was cut short). */
int evs_truncated(const struct evs_decoder *d);
void evs_free(struct evs_decoder *d);

/* The string value of header name in m, with its length; NULL when m has no such
 * string header. */
const char *evs_header_str(const struct evs_message *m, const char *name, size_t *len);

/* CRC-32 (IEEE 802.3, as zlib's crc32) of n bytes, continuing from crc (0 to start). */
uint32_t evs_crc32(uint32_t crc, const void *bytes, size_t n);

#endif
