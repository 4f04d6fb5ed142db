/* ndjson: a byte stream as non-empty lines (LF, CRLF or CR ends a line), the framing of
 * Ollama's native API. A thin face on the one line splitter (cherry/lines.h). No I/O. */
#ifndef CHERRY_NDJSON_H
#define CHERRY_NDJSON_H

#include <stddef.h>

#include "cherry/lines.h"

/* The longest line taken, line end left out: as long as one event of an event stream
 * (SSE_EVENT_MAX), so one line cannot take memory in multiples of itself below the
 * 64 MiB response cap. */
#define NDJSON_LINE_MAX (16u << 20)

/* Called once per line, without its line ending; line[len] is NUL.
 * Empty lines are skipped. Return nonzero to stop. */
typedef int (*ndjson_line_fn)(void *ctx, const char *line, size_t len);

struct ndjson_splitter {
	ndjson_line_fn on_line;
	void *ctx;
	struct lines lines;
};

void ndjson_init(struct ndjson_splitter *s, ndjson_line_fn on_line, void *ctx);
/* Returns 0, the callback's nonzero value, or -1 when memory ran out. A line past
 * NDJSON_LINE_MAX is let go and handed over instead as the one line
 * {"error": "one line of the stream is larger than 16 MiB; stopped"} (Ollama's own
 * error shape, so the decoder reports it); feeding then returns -1. */
int ndjson_feed(struct ndjson_splitter *s, const char *bytes, size_t len);
/* End of stream: delivers an unterminated last line, if any. */
int ndjson_finish(struct ndjson_splitter *s);
void ndjson_free(struct ndjson_splitter *s);

#endif
