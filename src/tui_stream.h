/* tui_stream: the client shell's transfers, one per streaming answer of the controller
 * (ctl.h's stream ids), all on the one http engine: started and cancelled as the
 * controller's reactions say, their deltas, waits and ends turned into its events.
 * Shell-private (tui.c). */
#ifndef CHERRY_TUI_STREAM_H
#define CHERRY_TUI_STREAM_H

#include <stddef.h>

#include "cherry/ctl.h"
#include "cherry/http.h"
#include "cherry/keys.h"
#include "cherry/outcome.h"

struct tui_stream;

struct tui_streams {
	struct ctl *c;
	struct http_engine *eng;
	struct keyring *kr;
	void (*react)(void *ctx, int r); /* carries out an event's reactions */
	void *ctx;
	double (*wall)(void);
	double last_flush;               /* when deltas last went to the controller */
	struct tui_stream **v;
	size_t n;
	/* keys found for sends (CTL_NEED_KEY) that no stream has taken yet */
	struct found_key {
		const struct provider *prov;
		struct secret *key;
	} *found;
	size_t nfound;
};

/* A key found for p: the next stream of p takes it (0, or -1: OOM, key freed). */
int tui_streams_key_found(struct tui_streams *s, const struct provider *p, struct secret *key);
/* CTL_START and CTL_STOP (how: stopped, or interrupted on the way out). */
void tui_streams_start(struct tui_streams *s);
void tui_streams_stop(struct tui_streams *s, enum outcome_stop how);
/* Deltas are gathered per stream and go to the controller together (ctl_deltas), at
 * most once a frame and at a stream's end: a long answer of many small deltas is laid
 * out once a frame, not once a delta. */
#define TUI_STREAMS_FRAME_MS 16
#define TUI_STREAMS_SLICE (128u << 10) /* bytes gathered that go at once */
/* Whether deltas are waiting, and whether a frame has passed since the last flush. */
int tui_streams_pending(const struct tui_streams *s);
int tui_streams_flush_due(const struct tui_streams *s, double now);
/* Every stream's gathered deltas to the controller. */
void tui_streams_flush(struct tui_streams *s);
/* After http_perform: ended transfers reported, retry waits passed on. */
void tui_streams_poll(struct tui_streams *s, double now);
/* Every transfer cancelled (how) and reported; frees what is left. */
void tui_streams_end_all(struct tui_streams *s, enum outcome_stop how);

#endif
