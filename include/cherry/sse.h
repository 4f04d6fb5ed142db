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
};

void sse_init(struct sse_parser *p, sse_event_fn on_event, void *ctx);
/* Feeds a chunk of any size, split anywhere. Returns 0, the callback's
 * nonzero value, or -1 when memory ran out. */
int sse_feed(struct sse_parser *p, const char *bytes, size_t len);
/* End of stream: an event without its terminating blank line is dropped. */
void sse_finish(struct sse_parser *p);
void sse_free(struct sse_parser *p);

#endif
