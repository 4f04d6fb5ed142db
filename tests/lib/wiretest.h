/* wiretest: the fixture the wire decoder tests share: a stream, a sink that
 * captures text and reasoning, and replays of raw bodies through the real
 * SSE parser or NDJSON splitter. No cmocka here: callers assert. */
#ifndef CHERRY_WIRETEST_H
#define CHERRY_WIRETEST_H

#include <stddef.h>

#include "cherry/wire.h"

struct wt_capture {
	struct buf text;
	struct buf reasoning;
	int text_calls;
};

struct fixture {
	struct wire_stream st;
	struct wt_capture cap;
	struct wire_sink sink;
	int events;   /* SSE events or NDJSON lines replayed */
	int lines;    /* NDJSON lines replayed */
	int rejected; /* of those, how many the decoder refused (-1) */
};

void wt_init(struct fixture *f, enum wire_kind kind, const char *provider);
void wt_fini(struct fixture *f);
/* Heap versions for cmocka setup/teardown; NULL on OOM. */
struct fixture *wt_new(enum wire_kind kind, const char *provider);
void wt_free(struct fixture *f);
/* The bytes of $CHERRY_FIXTURES/rel (default tests/fixtures/rel), malloc'd and
 * NUL-terminated; NULL when it cannot be read. */
char *wt_read_fixture(const char *rel, size_t *len);
/* "" for an empty buffer. */
const char *text_of(const struct buf *b);
/* Replays body through the SSE parser in chunks of at most step bytes, or cut
 * at the given offsets. 0, or -1 when the parser failed. */
int wt_replay_sse(struct fixture *f, const char *body, size_t len, size_t step);
int wt_replay_sse_cuts(struct fixture *f, const char *body, size_t len, const size_t *cuts,
		       size_t ncuts);
/* The same through the NDJSON splitter (finish included). */
int wt_replay_ndjson(struct fixture *f, const char *body, size_t len, size_t step);

#endif
