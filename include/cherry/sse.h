/* sse: a WHATWG event-stream parser. Bytes in, events out; no I/O. */
#ifndef CHERRY_SSE_H
#define CHERRY_SSE_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/lines.h"

struct sse_event {
	const char *type;  /* "message" when the stream named none */
	size_t type_len;
	const char *data;  /* may hold NUL bytes; data[data_len] is NUL */
	size_t data_len;
	const char *id;    /* the last-event-ID at dispatch ("" when none) */
	size_t id_len;
};

/* The longest line, and the most data one event may gather (a bare JSON body too).
 * Past it the parser stops, and says so in the one way every decoder reads: it
 * dispatches an event of type "error" whose data is {"error": {"message": ...}}. */
#define SSE_EVENT_MAX (16u << 20)

/* The type of an event made from a bare JSON body (see raw_json below). */
#define SSE_RAW_TYPE "raw"

/* Called once per dispatched event. Return nonzero to stop parsing:
 * sse_feed then returns that value at once. */
typedef int (*sse_event_fn)(void *ctx, const struct sse_event *ev);

struct sse_parser {
	sse_event_fn on_event;
	void *ctx;
	struct lines lines;    /* the line splitter (no length limit of its own) */
	struct buf data;       /* data buffer of the event being assembled */
	struct buf type;       /* event-type buffer */
	struct buf last_id;    /* last-event-ID buffer (persists across events) */
	long retry_ms;         /* reconnection time; -1 until a valid retry field */
	int bom_checked;       /* the leading BOM has been looked for */
	size_t bom_len;        /* bytes of it seen so far (it may arrive split) */
	int failed;            /* out of memory: feed refuses further input */
	struct buf source_id;  /* the source's last event ID: last_id as of the last
				* dispatch; unlike last_id it never holds an id from
				* an event that EOF cut off (WPT W04) */
	/* 1 (sse_init's default): a line that starts with '{' where a field would begin
	 * opens a bare JSON body, as a provider's error sent without "data:" (Gemini ends
	 * streams so, pretty-printed over several lines). Its lines are collected until
	 * its braces balance (or a blank line), and dispatched whole as one event of type
	 * SSE_RAW_TYPE, as the Python SDK of Gemini reads them. 0: plain WHATWG, where
	 * such lines are unknown fields and ignored. */
	int raw_json;
	struct buf raw;        /* the bare JSON body being collected */
	int raw_depth;         /* its open braces and brackets */
	int raw_in_string;     /* inside a JSON string (braces there do not count) */
	int raw_escape;        /* after a backslash inside a string */
};

void sse_init(struct sse_parser *p, sse_event_fn on_event, void *ctx);
/* Feeds a chunk of any size, split anywhere. Returns 0, the callback's
 * nonzero value, or -1 when memory ran out or after an event passed SSE_EVENT_MAX. */
int sse_feed(struct sse_parser *p, const char *bytes, size_t len);
/* End of stream: an event without its terminating blank line is dropped. */
void sse_finish(struct sse_parser *p);
void sse_free(struct sse_parser *p);

#endif
