/* mdblocks: the lines of a Markdown rendering (pure): container prefixes, inline text
 * wrapped with text.h (inline code's spaces are not break points), code blocks framed
 * and highlighted, tables drawn in box-drawing characters (cells wrapped when the
 * table is too wide; one that still cannot fit is shown as its rows, one cell per
 * line), and rules. A line keeps its prefix only when prefix and text fit the width,
 * so no line is wider than the width unless it is one cluster. */
#include <md4c.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/highlight.h"
#include "cherry/text.h"
#include "cherry/theme.h"
#include "md_int.h"

#define H_LINE "\xE2\x94\x80" /* ─ */
#define MAX_TABLE_COLS 64

/* ---- lines ---- */

static const char *frame_prefix(const struct md_frame *f)
{
	return f->kind == MD_BLOCK_LI && !f->used ? f->first : f->cont;
}

void md_frame_widths(struct md_frame *f)
{
	f->first_w = text_width(f->first, strlen(f->first));
	f->cont_w = text_width(f->cont, strlen(f->cont));
}

static int frame_prefix_width(const struct md_frame *f)
{
	return f->kind == MD_BLOCK_LI && !f->used ? f->first_w : f->cont_w;
}

int md_prefix_width(const struct md_r *r)
{
	int w = 0;
	for (int i = 0; i < r->nframes && i < MD_MAX_FRAMES; i++)
		w += frame_prefix_width(&r->frames[i]);
	return w;
}

/* The width of s[0..n) when it is printable ASCII, else -1: most text is, and its
 * width is its length. */
static int ascii_width(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7F)
			return -1;
	return (int)n;
}

static int grow_lines(struct md_out *o)
{
	if (o->nlines < o->cap_lines)
		return 0;
	size_t cap = o->cap_lines ? o->cap_lines * 2 : 32;
	struct md_line *p = realloc(o->lines, cap * sizeof(*p));
	if (!p)
		return -1;
	o->lines = p;
	o->cap_lines = cap;
	return 0;
}

static int grow_runs(struct md_out *o)
{
	if (o->nruns < o->cap_runs)
		return 0;
	size_t cap = o->cap_runs ? o->cap_runs * 2 : 64;
	struct md_run *p = realloc(o->runs, cap * sizeof(*p));
	if (!p)
		return -1;
	o->runs = p;
	o->cap_runs = cap;
	return 0;
}

void md_line_add(struct md_r *r, const char *s, size_t n, uint8_t role, uint8_t attrs)
{
	md_line_add_w(r, s, n, role, attrs, ascii_width(s, n));
}

void md_line_add_w(struct md_r *r, const char *s, size_t n, uint8_t role, uint8_t attrs, int w)
{
	struct md_out *o = r->out;
	if (!n || r->oom || !o->nlines)
		return;
	if (w < 0)
		r->line_slow = 1;
	else
		r->line_w += w;
	struct md_line *l = &o->lines[o->nlines - 1];
	size_t at = o->text.len - l->off;
	if (buf_append(&o->text, s, n) < 0) {
		r->oom = 1;
		return;
	}
	if (l->nrun) {
		struct md_run *last = &o->runs[o->nruns - 1];
		if (last->role == role && last->attrs == attrs && last->link == r->run_link &&
		    last->off + last->len == at) {
			last->len += n;
			l->len += n;
			return;
		}
	}
	if (grow_runs(o) < 0) {
		o->text.len -= n;
		r->oom = 1;
		return;
	}
	o->runs[o->nruns++] = (struct md_run){at, n, role, attrs, r->run_link};
	l->nrun++;
	l->len += n;
}

void md_line_start(struct md_r *r, int with_prefix)
{
	struct md_out *o = r->out;
	if (r->oom)
		return;
	if (grow_lines(o) < 0 || buf_reserve(&o->text, 1) < 0) {
		r->oom = 1;
		return;
	}
	o->lines[o->nlines++] = (struct md_line){o->text.len, 0, 0, o->nruns, 0};
	r->line_w = 0;
	r->line_slow = 0;
	for (int i = 0; i < r->nframes && i < MD_MAX_FRAMES; i++) {
		struct md_frame *f = &r->frames[i];
		const char *p = frame_prefix(f);
		if (with_prefix)
			md_line_add_w(r, p, strlen(p), f->role, 0, frame_prefix_width(f));
		if (f->kind == MD_BLOCK_LI)
			f->used = 1;
	}
}

void md_line_end(struct md_r *r)
{
	struct md_out *o = r->out;
	if (!o->nlines)
		return;
	struct md_line *l = &o->lines[o->nlines - 1];
	l->width = r->line_slow ? text_width(o->text.data ? o->text.data + l->off : "", l->len)
				: r->line_w;
}

void md_blank(struct md_r *r)
{
	int quoted = 0;
	for (int i = 0; i < r->nframes && i < MD_MAX_FRAMES; i++)
		quoted |= r->frames[i].kind == MD_BLOCK_QUOTE;
	int used[MD_MAX_FRAMES];
	for (int i = 0; i < r->nframes && i < MD_MAX_FRAMES; i++)
		used[i] = r->frames[i].used;
	/* a blank line inside a quote keeps its bar; an item's marker waits for its text */
	for (int i = 0; i < r->nframes && i < MD_MAX_FRAMES; i++)
		r->frames[i].used = 1;
	md_line_start(r, quoted && md_prefix_width(r) < r->width);
	md_line_end(r);
	for (int i = 0; i < r->nframes && i < MD_MAX_FRAMES; i++)
		r->frames[i].used = used[i];
}

/* Columns for content after the prefix, and whether the prefix is drawn: without it
 * when fewer than `need` columns would be left. */
static int content_width(const struct md_r *r, int need, int *with_prefix)
{
	int pw = md_prefix_width(r);
	*with_prefix = r->width - pw >= need;
	return *with_prefix ? r->width - pw : r->width;
}

/* s, one column wide, times over. */
static void add_repeat(struct md_r *r, const char *s, int times, uint8_t role)
{
	char chunk[256];
	size_t k = strlen(s), per = sizeof chunk / k;
	if (times <= 0)
		return;
	if ((size_t)times < per)
		per = (size_t)times; /* a cell's padding is a few spaces: fill only those */
	for (size_t i = 0; i < per; i++)
		memcpy(chunk + i * k, s, k);
	while (times > 0) {
		size_t now = (size_t)times < per ? (size_t)times : per;
		md_line_add_w(r, chunk, now * k, role, 0, (int)now);
		times -= (int)now;
	}
}

/* ---- inline text ---- */

struct wrapped {
	struct {
		size_t off, len;
		int width;
	} *v;
	size_t n, cap;
	int oom;
};

static int collect(void *ctx, size_t off, size_t len, int width)
{
	struct wrapped *w = ctx;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 8;
		void *p = realloc(w->v, cap * sizeof(*w->v));
		if (!p) {
			w->oom = 1;
			return 1;
		}
		w->v = p;
		w->cap = cap;
	}
	w->v[w->n].off = off;
	w->v[w->n].len = len;
	w->v[w->n].width = width;
	w->n++;
	return 0;
}

/* Wraps in's text at width into w: TABs count as spaces, and a nobreak span's spaces
 * are measured as letters, so inline code and URLs break only when longer than a
 * line. A final LF adds no empty line. */
static int wrap_inline(struct md_inline *in, int width, struct wrapped *w)
{
	w->n = 0;
	char *t = in->text.data;
	size_t len = in->text.len;
	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (t[i] == '\t')
			t[i] = ' ';
	char *shadow = malloc(len);
	if (!shadow)
		return -1;
	memcpy(shadow, t, len);
	for (size_t k = 0; k < in->n; k++)
		if (in->spans[k].nobreak)
			for (size_t i = in->spans[k].off; i < in->spans[k].off + in->spans[k].len; i++)
				if (shadow[i] == ' ')
					shadow[i] = 'x';
	text_wrap(shadow, len, width, collect, w);
	free(shadow);
	if (w->oom)
		return -1;
	if (w->n > 1 && t[len - 1] == '\n' && w->v[w->n - 1].len == 0)
		w->n--;
	return 0;
}

/* The spans of in over [off, off+len) added to the line, *k the first span to look at. */
static void add_spans(struct md_r *r, const struct md_inline *in, size_t off, size_t len,
		      size_t *k)
{
	size_t end = off + len;
	while (*k < in->n && in->spans[*k].off + in->spans[*k].len <= off)
		(*k)++;
	for (size_t j = *k; j < in->n && in->spans[j].off < end; j++) {
		const struct md_span *s = &in->spans[j];
		size_t a = s->off > off ? s->off : off;
		size_t b = s->off + s->len < end ? s->off + s->len : end;
		r->run_link = s->link;
		if (b > a)
			md_line_add(r, in->text.data + a, b - a, s->role, s->attrs);
		r->run_link = 0;
	}
}

void md_flow_inline(struct md_r *r, const struct md_inline *cin)
{
	struct md_inline *in = (struct md_inline *)cin;
	int with_prefix;
	int avail = content_width(r, 4, &with_prefix);
	struct wrapped w = {NULL, 0, 0, 0};
	if (wrap_inline(in, avail, &w) < 0) {
		r->oom = 1;
		free(w.v);
		return;
	}
	r->leaves++;
	int top_para = !r->heading && !r->in_table && !r->in_html && !r->nframes;
	/* a paragraph at the top level: where md_find_cuts may cut it */
	if (r->cuts && !r->cuts->tail && top_para && !r->out->nlines) {
		r->cuts->lines = w.n;
		for (size_t i = 1; i + 1 < w.n; i++)
			md_cut_line(r, in, w.v[i - 1].off + w.v[i - 1].len, w.v[i].off);
	}
	int widest = 0;
	size_t k = 0;
	for (size_t i = 0; i < w.n; i++) {
		md_line_start(r, with_prefix);
		add_spans(r, in, w.v[i].off, w.v[i].len, &k);
		md_line_end(r);
		if (w.v[i].width > widest)
			widest = w.v[i].width;
	}
	/* the two top heading levels are underlined */
	if ((r->heading == 1 || r->heading == 2) && w.n && !r->in_table) {
		md_line_start(r, with_prefix);
		add_repeat(r, r->heading == 1 ? "\xE2\x95\x90" : H_LINE, widest < avail ? widest : avail,
			   (uint8_t)(TR_H1 + r->heading - 1));
		md_line_end(r);
	}
	if (r->cuts && r->cuts->tail)
		md_cut_tail(r, in, top_para);
	free(w.v);
}

void md_render_rule(struct md_r *r)
{
	int with_prefix;
	int avail = content_width(r, 1, &with_prefix);
	md_line_start(r, with_prefix);
	add_repeat(r, H_LINE, avail, TR_RULE);
	md_line_end(r);
}

/* ---- code blocks ---- */

static uint8_t class_role(uint8_t c)
{
	static const uint8_t roles[] = {
		[HL_PLAIN] = TR_CODE_BLOCK, [HL_KEYWORD] = TR_HL_KEYWORD, [HL_TYPE] = TR_HL_TYPE,
		[HL_STRING] = TR_HL_STRING, [HL_NUMBER] = TR_HL_NUMBER,
		[HL_COMMENT] = TR_HL_COMMENT, [HL_FUNCTION] = TR_HL_FUNCTION,
		[HL_PREPROC] = TR_HL_PREPROC, [HL_ADDED] = TR_HL_ADDED,
		[HL_REMOVED] = TR_HL_REMOVED, [HL_META] = TR_HL_META,
	};
	return c < sizeof roles ? roles[c] : TR_CODE_BLOCK;
}

/* A code line with its TABs expanded to stops of 4. */
static void expand_tabs(const char *s, size_t n, struct buf *line)
{
	int col = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\t') {
			do {
				buf_append_char(line, ' ');
			} while (++col % 4);
		} else {
			buf_append_char(line, s[i]);
			col += ((unsigned char)s[i] & 0xC0) != 0x80;
		}
	}
}

void md_code_hl(const char *info, size_t info_len, struct hl_state *st, const char *s, size_t n)
{
	/* the fence's first word, as md4c's lang and markdown.c's copy of it */
	char lang[33];
	size_t i = 0, k = 0;
	while (i < info_len && (info[i] == ' ' || info[i] == '\t'))
		i++;
	for (; i < info_len && info[i] != ' ' && info[i] != '\t' && k + 1 < sizeof lang; i++)
		if ((unsigned char)info[i] > 0x20 && (unsigned char)info[i] < 0x7F)
			lang[k++] = info[i];
	const struct hl_lang *l = hl_lang_find(lang, k);
	struct buf line = BUF_INIT;
	expand_tabs(s, n, &line);
	uint8_t *cls = malloc(line.len ? line.len : 1);
	if (cls && (line.data || !line.len))
		hl_line(l, st, line.data ? line.data : "", line.len, cls);
	free(cls);
	buf_free(&line);
}

/* One source line of code: TABs expanded to stops of 4, classified, wrapped. */
static void code_line(struct md_r *r, const struct hl_lang *lang, struct hl_state *st,
		      const char *s, size_t n, int avail, int with_prefix, int framed)
{
	struct buf line = BUF_INIT;
	expand_tabs(s, n, &line);
	size_t len = line.len;
	uint8_t *cls = malloc(len ? len : 1);
	struct wrapped w = {NULL, 0, 0, 0};
	if (!cls || (len && !line.data)) {
		r->oom = 1;
		goto out;
	}
	hl_line(lang, st, line.data ? line.data : "", len, cls);
	int cw = framed ? avail - 2 : avail;
	if (len)
		text_wrap(line.data, len, cw, collect, &w);
	if (w.oom) {
		r->oom = 1;
		goto out;
	}
	if (!w.n) { /* an empty line */
		md_line_start(r, with_prefix);
		if (framed)
			md_line_add_w(r, "\xE2\x94\x82", 3, TR_CODE_FRAME, 0, 1);
		md_line_end(r);
	}
	for (size_t i = 0; i < w.n; i++) {
		md_line_start(r, with_prefix);
		if (framed) /* │ on a line's first row, ┆ where it goes on */
			md_line_add_w(r, i ? "\xE2\x94\x86 " : "\xE2\x94\x82 ", 4, TR_CODE_FRAME, 0, 2);
		size_t a = w.v[i].off, e = a + w.v[i].len;
		while (a < e) {
			size_t b = a + 1;
			while (b < e && cls[b] == cls[a])
				b++;
			md_line_add(r, line.data + a, b - a, class_role(cls[a]), 0);
			a = b;
		}
		md_line_end(r);
	}
out:
	free(w.v);
	free(cls);
	buf_free(&line);
}

void md_render_code(struct md_r *r)
{
	/* a block going on from another piece was numbered there, its top drawn there */
	const struct md_code_cont *cont = r->cont;
	r->cont = NULL;
	size_t number = cont ? r->out->ncode : ++r->out->ncode;
	const struct hl_lang *lang = hl_lang_find(r->lang, strlen(r->lang));
	int with_prefix;
	int avail = content_width(r, 12, &with_prefix);
	int framed = avail >= 6;
	if (framed && !cont) {
		/* ┌─ 2 · python ──── : the number is what /copy takes */
		struct buf label = BUF_INIT;
		buf_printf(&label, "\xE2\x94\x8C\xE2\x94\x80 %zu%s%s ", number, r->lang[0] ? " \xC2\xB7 " : "",
			   r->lang);
		int lw = label.data ? text_width(label.data, label.len) : avail + 1;
		md_line_start(r, with_prefix);
		if (lw <= avail) {
			md_line_add_w(r, label.data, label.len, TR_CODE_FRAME, 0, lw);
			add_repeat(r, H_LINE, avail - lw, TR_CODE_FRAME);
		} else {
			md_line_add_w(r, "\xE2\x94\x8C", 3, TR_CODE_FRAME, 0, 1);
			add_repeat(r, H_LINE, avail - 1, TR_CODE_FRAME);
		}
		md_line_end(r);
		buf_free(&label);
	}
	struct hl_state st = {0, 0};
	if (cont)
		st = cont->hl;
	const char *s = r->code.data ? r->code.data : "";
	size_t n = r->code.len;
	if (n && s[n - 1] == '\n')
		n--; /* md4c ends every code line with LF */
	size_t at = 0;
	while (at <= n && r->code.len) {
		const char *lf = memchr(s + at, '\n', n - at);
		size_t e = lf ? (size_t)(lf - s) : n;
		code_line(r, lang, &st, s + at, e - at, avail, with_prefix, framed);
		at = e + 1;
		if (!lf)
			break;
	}
	md_out_mark(r->out, &r->code_bottom);
	r->code_last = 1;
	if (framed) {
		md_line_start(r, with_prefix);
		md_line_add_w(r, "\xE2\x94\x94", 3, TR_CODE_FRAME, 0, 1);
		add_repeat(r, H_LINE, avail - 1, TR_CODE_FRAME);
		md_line_end(r);
	}
}

/* ---- tables ---- */

static int inline_width(const struct md_inline *in)
{
	int widest = 0;
	const char *s = in->text.data ? in->text.data : "";
	size_t at = 0, n = in->text.len;
	while (at <= n) {
		const char *lf = memchr(s + at, '\n', n - at);
		size_t e = lf ? (size_t)(lf - s) : n;
		int w = text_width(s + at, e - at);
		if (w > widest)
			widest = w;
		if (!lf)
			break;
		at = e + 1;
	}
	return widest;
}

/* Too wide even with every column narrowed: each row as "header: cell" lines. */
static void table_records(struct md_r *r, size_t ncol, size_t nrows)
{
	struct md_table *t = &r->table;
	struct md_inline rec = {BUF_INIT, NULL, 0, 0};
	for (size_t row = nrows > 1 ? 1 : 0; row < nrows; row++) {
		if (row > (nrows > 1 ? 1u : 0u))
			md_render_rule(r);
		md_inline_reset(&rec);
		for (size_t c = 0; c < ncol; c++) {
			const struct md_inline *h = &t->cells[c].in;
			const struct md_inline *v = &t->cells[row * ncol + c].in;
			for (size_t k = 0; k < h->n; k++)
				md_inline_add(r, &rec, h->text.data + h->spans[k].off, h->spans[k].len,
					      TR_TABLE_HEADER, h->spans[k].attrs, 0);
			if (row)
				md_inline_add(r, &rec, ": ", 2, TR_TABLE_HEADER, 0, 0);
			for (size_t k = 0; row && k < v->n; k++) {
				r->span_link = v->spans[k].link;
				md_inline_add(r, &rec, v->text.data + v->spans[k].off, v->spans[k].len,
					      v->spans[k].role, v->spans[k].attrs, v->spans[k].nobreak);
				r->span_link = 0;
			}
			md_inline_add(r, &rec, "\n", 1, TR_TEXT, 0, 0);
		}
		md_flow_inline(r, &rec);
	}
	md_inline_free(&rec);
}

/* ┌ ┬ ┐ / ├ ┼ ┤ / └ ┴ ┘ across the columns. */
static void table_border(struct md_r *r, const int *w, size_t ncol, int with_prefix,
			 const char *left, const char *mid, const char *right)
{
	md_line_start(r, with_prefix);
	md_line_add_w(r, left, strlen(left), TR_TABLE_BORDER, 0, 1);
	for (size_t c = 0; c < ncol; c++) {
		add_repeat(r, H_LINE, w[c] + 2, TR_TABLE_BORDER);
		const char *j = c + 1 < ncol ? mid : right;
		md_line_add_w(r, j, strlen(j), TR_TABLE_BORDER, 0, 1);
	}
	md_line_end(r);
}

static void table_row(struct md_r *r, size_t row, const int *w, size_t ncol, int with_prefix,
		      struct wrapped *cw)
{
	struct md_table *t = &r->table;
	size_t height = 1;
	for (size_t c = 0; c < ncol; c++) {
		if (wrap_inline(&t->cells[row * ncol + c].in, w[c] > 0 ? w[c] : 1, &cw[c]) < 0) {
			r->oom = 1;
			return;
		}
		if (cw[c].n > height)
			height = cw[c].n;
	}
	for (size_t h = 0; h < height; h++) {
		md_line_start(r, with_prefix);
		for (size_t c = 0; c < ncol; c++) {
			const struct md_cell *cell = &t->cells[row * ncol + c];
			md_line_add_w(r, "\xE2\x94\x82 ", 4, TR_TABLE_BORDER, 0, 2);
			int used = h < cw[c].n ? cw[c].v[h].width : 0;
			int pad = w[c] - used, before = 0;
			if (pad < 0)
				pad = 0;
			/* header cells and the delimiter row's alignment */
			if (cell->align == MD_ALIGN_RIGHT)
				before = pad;
			else if (cell->align == MD_ALIGN_CENTER)
				before = pad / 2;
			add_repeat(r, " ", before, TR_TEXT);
			if (h < cw[c].n) {
				size_t k = 0;
				add_spans(r, &cell->in, cw[c].v[h].off, cw[c].v[h].len, &k);
			}
			add_repeat(r, " ", pad - before + 1, TR_TEXT);
		}
		md_line_add_w(r, "\xE2\x94\x82", 3, TR_TABLE_BORDER, 0, 1);
		md_line_end(r);
	}
}

void md_render_table(struct md_r *r)
{
	struct md_table *t = &r->table;
	size_t ncol = t->ncol;
	if (!ncol || t->n < ncol)
		return;
	size_t nrows = t->n / ncol;
	int with_prefix;
	int avail = content_width(r, 12, &with_prefix);
	int *w = calloc(ncol, sizeof(*w)), *floor = calloc(ncol, sizeof(*floor));
	struct wrapped *cw = calloc(ncol, sizeof(*cw));
	if (!w || !floor || !cw) {
		r->oom = 1;
		goto out;
	}
	long total = 3 * (long)ncol + 1, least = total;
	for (size_t c = 0; c < ncol; c++) {
		for (size_t row = 0; row < nrows; row++) {
			int cwid = inline_width(&t->cells[row * ncol + c].in);
			if (cwid > w[c])
				w[c] = cwid;
		}
		if (w[c] < 1)
			w[c] = 1;
		/* no narrower than 4, nor than a wide character */
		floor[c] = w[c] < 4 ? w[c] : 4;
		total += w[c];
		least += floor[c];
	}
	if (ncol > MAX_TABLE_COLS || least > avail) {
		table_records(r, ncol, nrows);
		goto out;
	}
	while (total > avail) { /* narrow the widest column a column at a time */
		size_t widest = 0;
		for (size_t c = 1; c < ncol; c++)
			if (w[c] - floor[c] > w[widest] - floor[widest])
				widest = c;
		w[widest]--;
		total--;
	}
	table_border(r, w, ncol, with_prefix, "\xE2\x94\x8C", "\xE2\x94\xAC", "\xE2\x94\x90");
	for (size_t row = 0; row < nrows && !r->oom; row++) {
		table_row(r, row, w, ncol, with_prefix, cw);
		if (row == 0 && nrows > 1)
			table_border(r, w, ncol, with_prefix, "\xE2\x94\x9C", "\xE2\x94\xBC",
				     "\xE2\x94\xA4");
	}
	table_border(r, w, ncol, with_prefix, "\xE2\x94\x94", "\xE2\x94\xB4", "\xE2\x94\x98");
out:
	for (size_t c = 0; cw && c < ncol; c++)
		free(cw[c].v);
	free(cw);
	free(w);
	free(floor);
}
