/* md_int: what markdown.c (md4c events, inline text, lists and quotes) shares with
 * mdblocks.c (laying out paragraphs, code blocks and tables into lines) and mdcode.c
 * (code blocks found in the text). */
#ifndef CHERRY_MD_INT_H
#define CHERRY_MD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cherry/buf.h"
#include "cherry/markdown.h"

/* Inline text being collected for one leaf (a paragraph, a heading, a table cell):
 * the bytes, and spans of style over them. '\n' in text is a line break. */
struct md_span {
	size_t off, len;
	uint8_t role, attrs;
	uint8_t nobreak; /* inline code: its spaces are not break points */
	uint32_t link;   /* md_run's */
	size_t src;      /* where its bytes are in the source as typed, or SIZE_MAX */
};

struct md_inline {
	struct buf text;
	struct md_span *spans;
	size_t n, cap;
};

/* A container's line prefix: `first` on its first line, `cont` after. */
struct md_frame {
	int kind;      /* an MD_BLOCKTYPE: QUOTE, UL, OL, LI */
	char first[24], cont[24];
	int first_w, cont_w; /* their widths */
	uint8_t role;  /* the prefix's role */
	int used;      /* the first line was drawn */
	int tight;     /* lists: tight */
	unsigned next; /* OL: the next item's number */
	int task;      /* LI: 0, 1 unchecked, 2 checked */
};

#define MD_MAX_FRAMES 32

struct md_cell {
	struct md_inline in;
	int align; /* MD_ALIGN */
	int head;
};

struct md_table {
	struct md_cell *cells;
	size_t n, cap;
	size_t ncol;     /* from the first row */
	size_t row_cells; /* cells in the row being read */
};

struct md_r {
	struct md_out *out;
	const char *src;  /* the text being rendered */
	size_t src_len;
	int width;
	int oom;
	struct md_frame frames[MD_MAX_FRAMES];
	int nframes;      /* may pass MD_MAX_FRAMES: deeper ones have no prefix */
	int need_gap;     /* a blank line before the next block */
	int line_w;       /* the width of the line being built, when line_slow is 0 */
	int line_slow;    /* it holds text that must be measured whole */
	struct md_inline in; /* the leaf being read */
	int in_leaf;      /* collecting inline text for P, H or LI */
	int heading;      /* the leaf is a heading of this level */
	int in_html;      /* an HTML block */
	/* spans */
	int strong, em, del, u, codespan, link_depth, math, math_display;
	struct buf href;  /* the innermost link's URL */
	size_t link_start; /* where its text started in `in` */
	struct buf math_src;
	/* a code block */
	int in_code;
	const struct md_code_cont *cont; /* the first one goes on from another piece */
	int code_open;      /* the last one goes on in the next piece (MD_CODE_OPEN) */
	int code_last;      /* the last block laid out is a code block... */
	struct md_mark code_bottom; /* ...whose bottom frame starts here */
	struct buf code;
	char lang[33];
	/* a table */
	int in_table, in_cell;
	struct md_table table;
	struct md_inline *target; /* where inline text goes: &in or a cell */
	uint32_t span_link; /* the link md_inline_add gives the spans it adds */
	uint32_t run_link;  /* the link md_line_add gives the runs it adds */
	size_t span_src;    /* the src md_inline_add gives the spans it adds */
	struct md_cuts *cuts; /* md_find_cuts: where the paragraph can be cut */
	size_t leaves;      /* leaves laid out (md_find_cuts wants one paragraph) */
};

#define MD_PARSE_FLAGS                                                                  \
	(MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS |                    \
	 MD_FLAG_PERMISSIVEAUTOLINKS | MD_FLAG_LATEXMATHSPANS)

/* src[0..len) copied with a NUL after it, for md4c (mdcode.c says why); NULL on OOM. */
char *md_parse_copy(const char *src, size_t len);

/* Lines (mdblocks.c). */
int md_prefix_width(const struct md_r *r);
void md_line_start(struct md_r *r, int with_prefix);
void md_line_add(struct md_r *r, const char *s, size_t n, uint8_t role, uint8_t attrs);
/* The same, for cherry's own text whose width w is known. */
void md_line_add_w(struct md_r *r, const char *s, size_t n, uint8_t role, uint8_t attrs, int w);
void md_frame_widths(struct md_frame *f);
void md_line_end(struct md_r *r);
void md_blank(struct md_r *r);
/* The collected inline text wrapped into lines with the container prefixes. */
void md_flow_inline(struct md_r *r, const struct md_inline *in);
void md_render_code(struct md_r *r);
/* A paragraph's wrapped line that starts at in's offset start, the one before it ending
 * at end: a cut there added to r->cuts when the source can be cut (mdcut.c). */
void md_cut_line(struct md_r *r, const struct md_inline *in, size_t end, size_t start);
/* A leaf just laid out (para: a paragraph at the top level), for md_tail_settled: the
 * last one decides (mdcut.c). */
void md_cut_tail(struct md_r *r, const struct md_inline *in, int para);
/* s[0..n) of the source, shown otherwise than as typed: a byte in it that later text
 * could claim (a backtick, [ or <) makes the cuts after it dirty; one not in the source
 * all of them. */
void md_cut_hidden(struct md_r *r, const char *s, size_t n);
void md_render_table(struct md_r *r);
void md_render_rule(struct md_r *r);

void md_inline_add(struct md_r *r, struct md_inline *in, const char *s, size_t n, uint8_t role,
		   uint8_t attrs, int nobreak);
void md_inline_reset(struct md_inline *in);
void md_inline_free(struct md_inline *in);

#endif
