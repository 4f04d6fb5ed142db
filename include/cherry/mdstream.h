/* mdstream: a Markdown text rendered while it streams in (pure). md4c parses whole
 * documents, so the text is cut into segments at line starts where what came before
 * can no longer change: after a blank line, outside a fence or an HTML block that ends
 * at a marker, before a line at column 0 that cannot continue a list. Each segment is
 * rendered once when the next one starts; on every append only the open last segment
 * is rendered again, so an answer costs O(its last block) per delta.
 *
 * A paragraph is also cut before each of its lines that starts with a letter, digit or
 * bracket when every inline marker in the segment is paired (a soft break renders as a
 * line break, so the cut does not show but for a setext underline, which then takes
 * only the line above it); any other block (a list, a quote) the same once it is
 * MDSTREAM_FORCE bytes long, and past MDSTREAM_FORCE_MAX paired or not.
 * A link reference definition ("[x]: url") can change any earlier text, so once one
 * is seen the whole text is one segment. Cuts depend only on the text before them, so
 * any split of the same text into appends gives the same lines. */
#ifndef CHERRY_MDSTREAM_H
#define CHERRY_MDSTREAM_H

#include <stddef.h>

#include "cherry/markdown.h"

#define MDSTREAM_FORCE 512
#define MDSTREAM_FORCE_MAX 65536

struct mdstream {
	struct md_out out;    /* the lines */
	struct md_mark frozen; /* the end of the segments rendered for good */
	size_t scanned;       /* complete lines before this offset are scanned */
	size_t seg_start;     /* the open segment starts here */
	unsigned seg_flags;   /* MD_CONTINUES when it was cut inside a block */
	char fence_ch;        /* inside a fenced code block: '`' or '~' */
	size_t fence_len;
	int html;             /* inside an HTML block ending at marker html - 1 */
	int prev_blank, prev_pipe, refdef;
	int seg_plain;        /* every line of the open segment is a paragraph's */
	unsigned parity;      /* odd counts of ` * _ ~ $ in the segment, one bit each */
	long brackets, angles; /* [ and < not yet closed in the segment */
};

void mdstream_init(struct mdstream *m);
void mdstream_free(struct mdstream *m);
/* text[0..len) is the whole text so far; it only ever grows between calls. */
int mdstream_update(struct mdstream *m, const char *text, size_t len, int width);
/* Renders text[0..len) again from the start (a new width). */
int mdstream_relayout(struct mdstream *m, const char *text, size_t len, int width);

#endif
