/* ndjson: a byte stream as non-empty lines (LF, CRLF or CR ends a line), the framing of
 * Ollama's native API. A thin face on the one line splitter (cherry/lines.h). No I/O. */
#ifndef CHERRY_NDJSON_H
#define CHERRY_NDJSON_H

#include <stddef.h>

#include "cherry/lines.h"

/* Called once per line, without its line ending; line[len] is NUL.
 * Empty lines are skipped. Return nonzero to stop. */
typedef int (*ndjson_line_fn)(void *ctx, const char *line, size_t len);

struct ndjson_splitter {
	ndjson_line_fn on_line;
	void *ctx;
	struct lines lines;
};

void ndjson_init(struct ndjson_splitter *s, ndjson_line_fn on_line, void *ctx);
/* Returns 0, the callback's nonzero value, or -1 when memory ran out. */
int ndjson_feed(struct ndjson_splitter *s, const char *bytes, size_t len);
/* End of stream: delivers an unterminated last line, if any. */
int ndjson_finish(struct ndjson_splitter *s);
void ndjson_free(struct ndjson_splitter *s);

#endif
