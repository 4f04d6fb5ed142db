/* mdstream: a Markdown text rendered while it streams in (pure). md4c parses whole
 * documents, so the text is cut into segments at line starts where what came before
 * can no longer change: after a blank line, outside a fence or an HTML block that ends
 * at a marker, before a line at column 0 that cannot continue a list. Each segment is
 * rendered once when the next one starts; on every append only the open last segment
 * is rendered again, so an answer costs O(its last block) per delta.
 *
 * A paragraph at the top level is also cut before each of its lines that starts with a
 * letter, digit or bracket when nothing in the segment could still open a span that the
 * line closes: the segment has no byte that could, or md4c's rendering of it shows none
 * (md_tail_settled: a lone '*' or '_' that may open, a backtick run no run as long has
 * closed, a '[', a '<' that may start a tag, '$'; asked again, while the segment is
 * open, only after a byte that could close a span and once the segment has grown by
 * an eighth). A soft break renders as a line
 * break, so the cut does not show but for a setext underline, which then takes only the
 * lines after the cut, and a table's delimiter row after a paragraph's line: md4c makes
 * that line a table's header only where it starts a block, and a cut before it (a line
 * without a '|'), or inside it, makes it start one. Past MDSTREAM_FORCE_MAX such a line is cut whatever is open
 * (counted in inexact), in a list's or a quote's lazy lines too.
 * A fenced code block opened at column 0 is cut before any of its lines once the open
 * segment is MDSTREAM_FORCE bytes long: its lines do not depend on what follows. The
 * piece before is rendered without the block's bottom frame (MD_CODE_OPEN), the piece
 * after as the block's next lines (md_render_cont: its opening line, and the
 * highlighter's state that mdstream carries over the lines with md_code_hl), so a long
 * code block costs O(MDSTREAM_FORCE) per delta. A fence opened indented may be a list
 * item's: a line at column 0 inside it stops all cuts after it (stuck).
 * A paragraph is also cut inside a line once the open segment is MDSTREAM_OPEN bytes
 * long (a model's one huge line: minified JSON, a CJK answer without a line break):
 * md4c renders those bytes once and the cut goes at the start of one of its wrapped
 * lines where the source is text as typed and nothing before could still be closed by
 * text after (md_find_cuts), so both pieces render as the lines of the whole; inside a
 * word only between two characters outside ASCII or in a run of 32 letters and digits
 * (which an '@' after it could still make an e-mail address: not undone), and not in a
 * run without blanks where an autolink may start ("http://", "www.": md4c starts one in
 * a link's destination too, unseen, and it hides any autolink in its reach). With no cut
 * there, it looks again at twice the bytes, and at MDSTREAM_FORCE_MAX cuts at the last
 * line start it can, or at the window's end (counted in inexact: what follows may then
 * be shown a little differently from one render of everything). Such cuts depend on
 * the width: mdstream_relayout goes back to the first segment looked inside. A long
 * line in a list, a quote or a code block is not cut inside; a list or a quote is cut
 * only after a blank line, before a line at column 0.
 * A link reference definition ("[x]: url") can change any earlier text, so once one
 * is seen the whole text is one segment. Cuts depend only on the text before them, so
 * any split of the same text into appends gives the same lines.
 *
 * A closed segment past the first MDSTREAM_LAZY bytes is not rendered when it closes:
 * md4c only counts its code blocks (so that later ones are numbered right) and its
 * lines are an estimate until one of them is asked for (mdstream_line), so a long
 * answer costs the layout of what is shown, not of all of it. Each segment renders
 * into its own md_out; the open one into out. */
#ifndef CHERRY_MDSTREAM_H
#define CHERRY_MDSTREAM_H

#include <stddef.h>

#include "cherry/markdown.h"

#define MDSTREAM_FORCE 512
#define MDSTREAM_FORCE_MAX 65536
#define MDSTREAM_LAZY 4096
#define MDSTREAM_OPEN 8192

/* Where a segment starting inside a fenced code block starts in it: the block's
 * opening line text[fence_at..fence_at+fence_n), the highlighter's state there. */
struct mdcode {
	int in;
	size_t fence_at, fence_n;
	struct hl_state hl;
};

struct mdseg {
	size_t start, len;    /* its bytes of the text */
	unsigned flags;       /* md_render's (MD_CONTINUES, MD_AFTER) */
	size_t ncode;         /* code blocks before it */
	size_t nlines;        /* exact once rendered, else an estimate */
	int inked;            /* it has a byte other than blanks (so, lines) */
	struct md_out *out;   /* its lines, when rendered (for mdstream's width) */
	struct mdcode code;   /* it starts inside a fenced code block (code.in) */
};

/* Where a segment rendered on demand changed the line count: its first line at, which
 * it counted old_n lines from, now new_n; the lines after it moved. */
struct mdstream_fix {
	size_t at, old_n, new_n;
};

/* Where the scan of the text stands: what the next line or cut depends on. */
struct mdscan {
	size_t scanned;       /* complete lines before this offset are scanned */
	size_t seg_start;     /* the open segment starts here */
	unsigned seg_flags;   /* MD_CONTINUES when it was cut inside a block */
	char fence_ch;        /* inside a fenced code block: '`' or '~' */
	size_t fence_len;
	struct mdcode fence;  /* its opening line, and the highlighter's state after the
			       * lines read (fence.in: it opened at column 0, so at the top
			       * level, and can be cut at any line start) */
	struct mdcode seg_code; /* the open segment starts inside that block */
	int html;             /* inside an HTML block ending at marker html - 1 */
	int prev_blank, prev_pipe, refdef;
	int icode;            /* the last line that was not blank was indented code */
	int stuck;            /* the block state is not known: no cut after this */
	int seg_list;         /* the open segment has a list item's first line */
	int seg_plain;        /* every line of the open segment is a paragraph's */
	size_t marks;         /* bytes in the segment that may open a span: ` * _ ~ $ [ < */
	int unsettled;        /* md_tail_settled found the segment open at the last look... */
	int closer;           /* ...and a byte that could close a span came after it */
	size_t checked;       /* the segment's length at that look */
	size_t window;        /* look for a cut inside a line when the open segment is this
			       * long (0: not in this segment) */
};

struct mdstream {
	struct md_out out;    /* the open segment's lines, after the closed ones' */
	struct mdseg *segs;   /* the closed segments */
	size_t nseg, cap_seg;
	size_t *first;        /* first[i]: segment i's first line; valid up to i = valid */
	size_t valid;
	size_t closed_lines;  /* lines of the closed segments (estimates counted) */
	size_t ncode;         /* code blocks in them */
	int inked;            /* one of them has lines */
	int width;
	int dim;              /* every run dimmed, plain words in the reasoning role */
	size_t lazy_from;     /* segments ending past this byte are rendered when read
			       * (MDSTREAM_LAZY; SIZE_MAX: all when they close) */
	struct mdscan s;
	struct mdscan opened; /* s when the open segment opened */
	size_t wrap_seg;      /* the first segment looked inside for a cut (where it ends
			       * depends on the width), or SIZE_MAX */
	struct mdscan wrap_opened; /* s when it opened */
	size_t open_min, open_max; /* MDSTREAM_OPEN, MDSTREAM_FORCE_MAX (mdstream_bounds) */
	size_t no_lf;         /* text[s.scanned..no_lf) has no LF */
	size_t inexact;       /* cuts inside a line made with something still open */
	size_t rendered;      /* bytes given to md4c by mdstream_update, all told */
};

void mdstream_init(struct mdstream *m);
void mdstream_free(struct mdstream *m);
/* text[0..len) is the whole text so far; it only ever grows between calls. */
int mdstream_update(struct mdstream *m, const char *text, size_t len, int width);
/* Renders text[0..len) for a new width: the segments stay, their lines are estimates
 * again. */
int mdstream_relayout(struct mdstream *m, const char *text, size_t len, int width);
/* For tests, right after mdstream_init: the open segment looked at for a cut inside a
 * line at open_min bytes, cut by force at open_max (MDSTREAM_OPEN, MDSTREAM_FORCE_MAX). */
void mdstream_bounds(struct mdstream *m, size_t open_min, size_t open_max);
/* Lines so far, segments not rendered counted by their estimate. */
size_t mdstream_lines(const struct mdstream *m);
/* Line k (< mdstream_lines): 0 with *out and *line set; or 1 when the segment holding
 * it was not rendered: it is now, *fix says how the count changed, ask again; -1 when
 * k is out of range or memory ran out. text is the text last given to mdstream_update. */
int mdstream_line(struct mdstream *m, const char *text, size_t k, const struct md_out **out,
		  const struct md_line **line, struct mdstream_fix *fix);

#endif
