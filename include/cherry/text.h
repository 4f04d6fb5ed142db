/* text: the one display-width function, and wrapping and column arithmetic built on it
 * (pure). Wrapping, cursor placement and alignment all measure with this module, so
 * what is laid out is what the screen draws.
 *
 * The unit is the cluster, one user-perceived character: a base code point plus the
 * combining marks, variation selectors, emoji modifiers, tags and ZWJ-joined emoji
 * that follow it; a pair of regional indicators (a flag) is one cluster. A cursor or a
 * line break never falls inside a cluster. Widths come from tables carried here
 * (Unicode 14 East Asian Wide/Fullwidth, plus emoji blocks up to U+1FAFF), never from
 * the process locale, so results are the same under LANG=C and in any libc.
 *
 * Widths: ASCII and most scripts 1; CJK, fullwidth and emoji-presentation 2; a text
 * emoji followed by VS16 (U+FE0F) 2; an emoji ZWJ sequence 2; a flag 2; combining
 * marks, ZWJ, ZWSP, format characters and Hangul medial/final jamo 0 (attached to the
 * preceding base; a zero-width cluster with no base, e.g. at the start of a string,
 * has width 0 and the drawing layer should drop it). Invalid UTF-8 counts as U+FFFD
 * (width 1), one per maximal invalid subpart, as utf8_repair() writes it. Control
 * characters (C0 but TAB and LF, DEL, C1) should have been removed by the sanitiser;
 * if one slips through it is a cluster of width 1 on its own, and the drawing layer
 * must show it as one cell (U+FFFD). TAB advances to the next multiple of
 * TEXT_TAB_STOP columns, counted from the start of the line. LF ends a line and has
 * width 0. */
#ifndef CHERRY_TEXT_H
#define CHERRY_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "cherry/utf8.h"

#define TEXT_TAB_STOP 8
#define TEXT_REPLACEMENT UTF8_REPLACEMENT


/* Width of one code point on its own: 0, 1 or 2 (TAB and LF: see text_width). */
int text_cp_width(uint32_t cp);

/* Incremental cluster segmentation, the one implementation used on UTF-8 here and on
 * code-point arrays by the editor. Start a cluster with its first code point, then
 * offer each following one: text_cluster_extend returns 1 when it belongs to the
 * cluster (the width may change), 0 when it starts a new cluster. */
struct text_cluster {
	uint32_t base;
	int width;     /* of the cluster so far; TAB counts 1 here, its real width depends
			* on the column (text_tab_width) */
	int emoji;     /* the base is an emoji: ZWJ may join another emoji to it */
	int after_zwj; /* the last code point was U+200D */
	int flag;      /* regional indicators seen: 1, or 2 for a complete flag */
};
void text_cluster_start(struct text_cluster *c, uint32_t cp);
int text_cluster_extend(struct text_cluster *c, uint32_t cp);
/* The next cluster of s[0..len): returns its byte length (at least 1 when len > 0) and
 * sets *width as struct text_cluster does (TAB 1, LF 0). */
size_t text_next_cluster(const char *s, size_t len, int *width);
/* Columns a TAB takes when it starts at column col. */
int text_tab_width(int col);

/* Display width of s[0..len) drawn as one line from column 0 (TAB expanded, LF 0). */
int text_width(const char *s, size_t len);
/* Column at which byte offset off of the line s[0..len) is drawn. An offset inside a
 * cluster counts as the cluster's start; an offset past len as len. */
int text_col_of_offset(const char *s, size_t len, size_t off);
/* Byte offset of the cluster drawn at column col of the line s[0..len): the cluster
 * covering col (so the middle of a wide character gives its start), len when col is at
 * or past the end. Negative col gives 0. For every cluster boundary off not preceded by
 * a zero-width cluster, text_offset_of_col(s, len, text_col_of_offset(s, len, off)) == off. */
size_t text_offset_of_col(const char *s, size_t len, int col);

/* Called once per laid-out line, in order: the line's bytes are s[off..off+len) and it
 * is width columns wide. A nonzero return stops the wrap. */
typedef int (*text_line_fn)(void *ctx, size_t off, size_t len, int width);

/* Wraps s[0..len) to lines of at most width columns (width < 1 counts as 1):
 * - LF ends a line (the LF belongs to no line); text ending in LF, and empty text,
 *   end with an empty line, so there is always a line for a cursor;
 * - a line breaks at the last break that fits: a run of spaces (which then belongs to
 *   no line: it is not carried to the next one), or either side of a wide (CJK, emoji)
 *   character; spaces at the start of a line are kept (indentation);
 * - a word longer than the line is broken between clusters;
 * - one cluster wider than the line (a CJK character at width 1, a TAB at width < 8)
 *   gets a line of its own, the only case of a line wider than width;
 * - TAB is content, expanded from the start of its wrapped line.
 * Every byte is in exactly one line or is a dropped LF or break space, and every line
 * but an empty one makes progress. Returns the number of lines (counting the one that
 * stopped it, when fn stopped it early). */
int text_wrap(const char *s, size_t len, int width, text_line_fn fn, void *ctx);

/* Where byte offset off of s[0..len) appears once wrapped to width: its line (row)
 * and column, for the cursor of the input box. An offset inside a cluster counts as its
 * start; one among dropped break spaces is shown after the line they end. A position
 * at or past the right edge is shown on the last column of its row, except after the
 * last line (the end of text that fills its row, or trailing spaces): there it is
 * column 0 of row text_wrap()'s count, so the input box needs one more row. */
void text_wrap_locate(const char *s, size_t len, int width, size_t off, int *row, int *col);

#endif
