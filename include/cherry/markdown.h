/* markdown: Markdown rendered into styled, wrapped lines for one width (pure). md4c
 * parses (CommonMark with tables, strikethrough, task lists, permissive autolinks and
 * $math$); this module turns its events into lines, each a list of runs of text with
 * a role and attributes (theme.h), markers hidden: headings, paragraphs, lists with
 * hanging indents, task boxes, quotes with a bar, rules, tables in box-drawing
 * characters sized with text.h's width, code blocks framed, numbered and highlighted
 * (highlight.h), math turned into Unicode (texmath.h), links followed by their URL.
 * The runs that show a URL (after a link's text, or an autolink's own) carry a link
 * number whose target hyperlink.h has checked, for an OSC 8 hyperlink over that text.
 *
 * The input must be sanitised text (sanitize.h): every byte of the output is either
 * from it or cherry's own, and entities are decoded through the sanitiser again.
 * Output is appended to a struct md_out, so a caller can render a document in pieces
 * (complete blocks once, the open last block again on every append) and rewind to a
 * mark. */
#ifndef CHERRY_MARKDOWN_H
#define CHERRY_MARKDOWN_H

#include <stddef.h>
#include <stdint.h>

#include "cherry/buf.h"
#include "cherry/highlight.h"

/* A run: len bytes of a line from off (relative to the line's start). */
struct md_run {
	size_t off, len;
	uint8_t role;  /* enum theme_role */
	uint8_t attrs; /* TA_* */
	uint32_t link; /* 0, or the run shows (part of) the URL of md_out link number link */
};

/* A URL shown as text, as an OSC 8 target (hyperlink_uri's): uri.data[off..off+len). */
struct md_link {
	size_t off, len;
};

struct md_line {
	size_t off, len; /* in md_out.text; valid UTF-8, no control character, no TAB */
	int width;       /* display columns (text_width) */
	size_t run, nrun;
};

struct md_out {
	struct buf text;
	struct md_line *lines;
	size_t nlines, cap_lines;
	struct md_run *runs;
	size_t nruns, cap_runs;
	size_t ncode; /* code blocks rendered so far: the next is number ncode + 1 */
	struct buf uris;      /* the links' targets */
	struct md_link *links; /* link n is links[n - 1] */
	size_t nlinks, cap_links;
};

/* Where an md_out stood, to go back to. */
struct md_mark {
	size_t text, lines, runs, ncode, links, uris;
};

enum {
	MD_CONTINUES = 1, /* src continues the block before it: no blank line first */
	MD_PLAIN = 2,     /* no Markdown: the text as typed, wrapped (user messages) */
	MD_AFTER = 4,     /* lines come before src's (in another md_out): a gap first */
	MD_CODE_OPEN = 8, /* src ends inside a fenced code block that goes on in the next
			   * piece: its last code block has no bottom frame */
};

/* Appends src[0..len) rendered for width columns (< 1 counts as 1). Every line is at
 * most width columns unless it is one cluster wider than that. 0, or -1 when memory
 * ran out (out then holds a correct prefix of the rendering). */
int md_render(struct md_out *out, const char *src, size_t len, int width, unsigned flags);

/* Where a piece of a text starts inside a fenced code block (mdstream.h): the block's
 * opening line (no LF), and the highlighter's state after the lines before the piece. */
struct md_code_cont {
	const char *fence;
	size_t fence_len;
	struct hl_state hl;
};
/* md_render of src[0..len) as the lines of the code block that cont opened, from its
 * next line on: no gap, no top frame, no new number (out->ncode counts it already). */
int md_render_cont(struct md_out *out, const struct md_code_cont *cont, const char *src,
		   size_t len, int width, unsigned flags);
/* The highlighter's state carried over the code line s[0..n) (no LF) of a block whose
 * opening fence's info is info[0..info_len), as md_render carries it. */
void md_code_hl(const char *info, size_t info_len, struct hl_state *st, const char *s, size_t n);

/* Where a paragraph can be cut while it streams (mdstream.h): at source offset at, the
 * start of a wrapped line, so that src[0..at) and src[at..) rendered apart (the second
 * with MD_CONTINUES) give the lines of rendering both at once. word: the line before
 * broke inside a word (or beside a wide character), not at spaces. dirty: something
 * before at could still open a span that text after it closes (a lone `*`, `[`,
 * backtick or `$`, an unclosed tag): the cut is right only for text that closes none. */
struct md_cut {
	size_t at;
	unsigned char word, dirty;
};

struct md_cuts {
	struct md_cut *v;
	size_t n, cap;
	/* md_find_cuts's scan of the text before each cut */
	size_t span, pos; /* the next byte to look at: span, offset in the inline text */
	long depth;       /* [ not yet closed */
	size_t lines;     /* the paragraph's */
	size_t ticks, tick_len; /* backticks read up to ticks: a run of tick_len open */
	size_t hidden;    /* the first source byte shown otherwise (math, a link's target)
			   * that later text could still claim (a backtick, [, <, or a *, ~ or $
			   * that md4c pairs with one after the link) */
	int dirty, oom;
	int para;         /* src is one paragraph at the top level (md_tail_settled: ends
			   * in one) */
	int tail;         /* md_tail_settled's render: only the last paragraph is looked at */
};

/* The cuts of src[0..len) rendered for width (flags as md_render's), in order, into
 * cuts (which the caller frees with md_cuts_free): none unless src is one paragraph at
 * the top level (cuts->para); never the start of its first or last wrapped line (the
 * last may change as text is added). 0, or -1 when memory ran out. */
int md_find_cuts(const char *src, size_t len, int width, unsigned flags, struct md_cuts *cuts);
void md_cuts_free(struct md_cuts *cuts);
/* Whether src[0..len), complete lines, ends in a paragraph at the top level that the
 * lines after it continue without changing it: nothing shown as text in it could still
 * open a span (emphasis, code, a link, math, a tag) that later text closes, by the
 * rules md_find_cuts's cuts are marked dirty by. 1 or 0; -1 when memory ran out. */
int md_tail_settled(const char *src, size_t len, int width, unsigned flags);

void md_out_mark(const struct md_out *out, struct md_mark *m);
void md_out_rewind(struct md_out *out, const struct md_mark *m);
void md_out_reset(struct md_out *out);
void md_out_free(struct md_out *out);
/* Link n's target (1 <= n <= out->nlinks), with its length, or NULL. */
const char *md_link_uri(const struct md_out *out, uint32_t n, size_t *len);

/* The text of code block n (1-based, in document order) of src, as typed, appended to
 * out. 0, 1 when there is no such block, -1 when memory ran out. */
int md_code_block(const char *src, size_t len, size_t n, struct buf *out);
/* How many code blocks md_render numbers in src[0..len), in *n. 0, or -1 on OOM. */
int md_count_code(const char *src, size_t len, size_t *n);

#endif
