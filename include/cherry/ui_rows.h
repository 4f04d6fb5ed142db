/* ui_rows: which rows of a window a frame must paint. Each row is summed up by a
 * signature of what it shows (ui_hash over its text and styles); a row whose signature
 * is what the window already holds is not painted again. When the content moved (the
 * chat followed its stream down a line), the window's rows are moved instead of painted
 * again, and only what is new is painted. Pure: no curses. */
#ifndef CHERRY_UI_ROWS_H
#define CHERRY_UI_ROWS_H

#include <stddef.h>
#include <stdint.h>

#define UI_HASH_INIT 0xcbf29ce484222325u

/* FNV-1a over n bytes, from h (UI_HASH_INIT to start). */
uint64_t ui_hash(uint64_t h, const void *p, size_t n);
uint64_t ui_hash_int(uint64_t h, long long v);

struct ui_rows {
	uint64_t *sig;    /* what each row holds, as painted last */
	int n;            /* rows */
	int valid;        /* 0: unknown (every row is painted) */
	int painted;      /* rows the last plan painted */
	int shift;        /* its shift */
};

/* Forgets what the rows hold: the next plan paints every row (after a resize, a clear,
 * or another window drawn over this one). */
void ui_rows_invalidate(struct ui_rows *r);
void ui_rows_free(struct ui_rows *r);

/* Plans a frame of n rows whose signatures are now[0..n). The window holds the rows
 * last planned; hint is how many rows the content moved up since (negative: down; 0
 * when unknown). Returns the shift k to apply to the window first (its rows moved up by
 * k, down when k < 0; 0: none), the one of 0 and hint that leaves the most rows right;
 * paint[y] is then 1 for every row to paint. The signatures are kept as the window's
 * (out of memory: every row is painted, with no shift, and nothing is kept). */
int ui_rows_plan(struct ui_rows *r, const uint64_t *now, int n, int hint,
		 unsigned char *paint);

#endif
