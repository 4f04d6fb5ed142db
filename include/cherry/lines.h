/* lines: the one line splitter under the event-stream parser and the NDJSON reader
 * (pure). Bytes in, in chunks split anywhere; complete lines out, without their line
 * ends. A line ends at LF, CR or CRLF, including a CR that ends one chunk and an LF that
 * starts the next (one line end, as the event-stream spec and every NDJSON reader want).
 * Lines are split on bytes, before any UTF-8 decoding: U+2028, U+0085, VT and FF are
 * text. No length limit unless the caller sets one (max): the event-stream parser
 * does, so one line of a stream cannot take memory in multiples of itself. */
#ifndef CHERRY_LINES_H
#define CHERRY_LINES_H

#include <stddef.h>

#include "cherry/buf.h"

/* Called once per line, empty lines included. Return nonzero to stop: lines_feed then
 * returns that value at once, and the rest of its chunk is dropped. */
typedef int (*lines_fn)(void *ctx, const char *line, size_t len);

/* What lines_feed returns when a line grew past max (the splitter then refuses input). */
#define LINES_TOO_LONG (-2)

struct lines {
	lines_fn on_line;
	void *ctx;
	int nul;        /* every line is handed over with line[len] == NUL */
	struct buf part; /* a line cut by the end of a chunk */
	int skip_lf;    /* the last chunk ended in CR: an LF starting the next is its pair */
	int failed;     /* out of memory or a line too long: feeding refuses further input */
	size_t max;     /* longest line in bytes, line end left out; 0: no limit */
};

/* nul: 1 when the callback needs line[len] == NUL; that copies every line, so 0 lets a
 * line that lies whole in one chunk be handed over in place. */
void lines_init(struct lines *l, lines_fn on_line, void *ctx, int nul);
/* Returns 0, the callback's nonzero value, -1 when memory ran out, or LINES_TOO_LONG. */
int lines_feed(struct lines *l, const char *bytes, size_t len);
/* End of stream: hands over an unterminated last line, when there is one, and resets.
 * Returns 0 or the callback's value. */
int lines_flush(struct lines *l);
/* End of stream for a format that drops an unterminated last line: resets. */
void lines_reset(struct lines *l);
void lines_free(struct lines *l);

#endif
