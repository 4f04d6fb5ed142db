/* columns: several answers to one message laid out together (pure): side by side in
 * columns when each can be wide enough to read, else one at a time under a tab strip
 * ("1/3 gpt-4o-mini · 2/3 claude… · 3/3 gemini…"). Each column is a view (view.h) of
 * its own width, so Markdown renders in every one as in the single view. */
#ifndef CHERRY_COLUMNS_H
#define CHERRY_COLUMNS_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/view.h"

#define COLS_MIN_WIDTH 50 /* a column narrower than this is not readable: tabs instead */
#define COLS_GAP 3        /* " │ " between columns */
/* Each column's view begins with its header line (the model); on the screen it stays on
 * the row under the question while the lines below it, the body, scroll. */
#define COLS_HEAD 1

/* The width of each of n columns side by side in width columns, or 0 when they do not
 * fit (or n < 2). */
int cols_width(int width, size_t n);
/* Where column k starts. */
int cols_x(int colw, size_t k);
/* The most lines of the n views: the height of the columns together. */
size_t cols_lines(struct view *const *v, size_t n);

struct cols_tab {
	const char *name; /* the model ("gpt-4o-mini"), unsanitised */
	char mark;        /* ' ' none, '~' streaming, '!' failed, '*' best */
};

/* The tab strip of n answers, the current one cur, fitted into width columns: names are
 * cut with "…" (longest first) until it fits. out gets the sanitised text; *cur_off and
 * *cur_len the bytes of the current tab (for the drawing to stand it out); ends (n of
 * them, or NULL) where each tab's bytes end (tabs are parted by " · "). 0 or -1
 * (OOM). */
int cols_strip(const struct cols_tab *t, size_t n, size_t cur, int width, struct buf *out,
	       size_t *cur_off, size_t *cur_len, size_t *ends);

#endif
