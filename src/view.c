/* view: the chat laid out for one width (pure). Each message's text and reasoning is
 * sanitised as it streams in and wrapped by text_wrap into lines that are kept, so an
 * append re-wraps only the end of the message; a prefix sum of per-message line counts
 * numbers the lines of the whole view for scrolling.
 *
 * Why an append may re-wrap from the third-last line: text_wrap is greedy, and a line
 * starting at a line start depends only on the bytes after it. Appending can change a
 * laid-out line only if laying it out looked at the old end of the text: the last
 * line, which ran into it, or a line that stopped on the text's last cluster, which an
 * append may extend (a VS16 after a text-style emoji makes it wide and a break point).
 * A line stopping on a cluster uses the last break before it; the next line holds the
 * bytes from that break, has no break of its own before the cluster and so ends right
 * before it, or fits it. So at most the two lines before the last one looked at the
 * last cluster, and every earlier line stays as it is. (The sanitiser holds back a cut
 * UTF-8 sequence, so the text always ends in a whole code point.) */
#include "cherry/view.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/mdstream.h"
#include "cherry/sanitize.h"
#include "cherry/theme.h"
#include "cherry/text.h"

/* Lines an append re-wraps at most, counting back from the last (see above). */
#define REWRAP_LINES 3

static const char ellipsis[] = "\xE2\x80\xA6"; /* … */

struct vline {
	size_t off, len; /* the line's bytes in its flow's text */
	int width;
};

/* A text laid out for the view's width, kept so that an append re-wraps only its end:
 * plain text wrapped by text_wrap, or Markdown rendered by mdstream. */
struct flow {
	struct buf text; /* sanitised */
	struct sanitizer san;
	struct vline *lines;
	size_t n, cap;
	enum view_style base; /* every plain line's style */
	int markdown;
	int dim;              /* Markdown drawn dimmed (reasoning): TA_DIM on every run */
	size_t dimmed;        /* runs of md.out already dimmed */
	struct mdstream md;
};

struct msg {
	enum view_role role;
	struct buf header;  /* sanitised, on one line */
	struct buf shown;   /* the header as shown, cut to shown_for columns */
	int shown_for;      /* 0 until cut */
	int shown_width;
	struct flow text, reasoning, footer;
	struct buf folded;  /* the folded reasoning line, made for folded_n and folded_for */
	size_t folded_n;
	int folded_for;
	int folded_width;
};

struct view {
	int width;
	int fold;
	struct msg *msgs;
	size_t n, cap;
	/* first[i] is the index of message i's first line, valid for i <= valid; first[n]
	 * is the number of lines. A change to message i invalidates what follows it only,
	 * so streaming into the last message keeps the sum up to date in O(1). */
	size_t *first;
	size_t valid;
};

/* ---- flows ---- */

static void flow_init(struct flow *f, int markdown, enum view_style base)
{
	memset(f, 0, sizeof(*f));
	sanitize_init(&f->san);
	f->markdown = markdown;
	f->base = base;
	mdstream_init(&f->md);
}

static void flow_free(struct flow *f)
{
	buf_free(&f->text);
	free(f->lines);
	f->lines = NULL;
	f->n = f->cap = 0;
	mdstream_free(&f->md);
}

/* Lines shown: text_wrap's final empty line after a trailing LF (or of empty text)
 * is not, so a message ending in a newline does not end in an empty row. */
static size_t flow_visible(const struct flow *f)
{
	if (f->markdown)
		return f->md.out.nlines;
	if (!f->n)
		return 0;
	const struct vline *last = &f->lines[f->n - 1];
	if (last->len == 0 && (f->text.len == 0 || f->text.data[f->text.len - 1] == '\n'))
		return f->n - 1;
	return f->n;
}

struct wrap_ctx {
	struct flow *f;
	size_t base;  /* where the wrapped part starts in the flow's text */
	int failed;
};

static int flow_grow(struct flow *f)
{
	if (f->n < f->cap)
		return 0;
	size_t cap = f->cap ? f->cap * 2 : 8;
	if (cap > SIZE_MAX / sizeof(*f->lines))
		return -1;
	struct vline *p = realloc(f->lines, cap * sizeof(*p));
	if (!p)
		return -1;
	f->lines = p;
	f->cap = cap;
	return 0;
}

static int flow_on_line(void *ctx, size_t off, size_t len, int width)
{
	struct wrap_ctx *c = ctx;
	struct flow *f = c->f;
	if (flow_grow(f) < 0) {
		c->failed = 1;
		return 1;
	}
	f->lines[f->n++] = (struct vline){c->base + off, len, width};
	return 0;
}

/* Re-wraps from line r (below n) to the end. On OOM the lines laid out are still a
 * correct start of the layout, so a later call can go on from them. */
static int flow_rewrap(struct flow *f, size_t r, int width)
{
	size_t base = r ? f->lines[r].off : 0;
	f->n = r;
	struct wrap_ctx c = {f, base, 0};
	const char *s = f->text.len ? f->text.data + base : "";
	text_wrap(s, f->text.len - base, width, flow_on_line, &c);
	return c.failed ? -1 : 0;
}

/* Dims the runs mdstream rendered since its frozen mark stood at frozen_before: runs
 * before that mark are kept as they were, unless a link reference definition made it
 * render everything again (the mark went back). */
static void flow_dim(struct flow *f, size_t frozen_before)
{
	if (!f->dim)
		return;
	struct md_out *o = &f->md.out;
	size_t from = f->md.frozen.runs < frozen_before ? 0 : frozen_before;
	if (from > f->dimmed)
		from = f->dimmed;
	for (size_t i = from; i < o->nruns; i++) {
		o->runs[i].attrs |= TA_DIM;
		if (o->runs[i].role == TR_TEXT) /* plain words in the theme's reasoning style */
			o->runs[i].role = TR_REASONING;
	}
	f->dimmed = o->nruns;
}

static int flow_relayout(struct flow *f, int width)
{
	if (f->markdown) {
		int rc = mdstream_relayout(&f->md, f->text.data ? f->text.data : "", f->text.len,
					   width);
		f->dimmed = 0;
		flow_dim(f, 0);
		return rc;
	}
	return flow_rewrap(f, 0, width);
}

/* Lays out what the sanitiser added since old_len. */
static int flow_grew(struct flow *f, size_t old_len, int width)
{
	if (f->text.len == old_len)
		return 0;
	if (f->markdown) {
		size_t frozen = f->md.frozen.runs;
		int rc = mdstream_update(&f->md, f->text.data, f->text.len, width);
		flow_dim(f, frozen);
		return rc;
	}
	size_t r = 0;
	if (f->n)
		r = f->n > REWRAP_LINES ? f->n - REWRAP_LINES : 0;
	return flow_rewrap(f, r, width);
}

static int flow_append(struct flow *f, const char *s, size_t len, int width)
{
	size_t old = f->text.len;
	int rc = sanitize_feed(&f->san, s, len, &f->text);
	if (flow_grew(f, old, width) < 0)
		rc = -1;
	return rc;
}

static int flow_finish(struct flow *f, int width)
{
	size_t old = f->text.len;
	int rc = sanitize_finish(&f->san, &f->text);
	sanitize_init(&f->san);
	if (flow_grew(f, old, width) < 0)
		rc = -1;
	return rc;
}

/* Replaces the whole text (a footer). */
static int flow_set(struct flow *f, const char *s, size_t len, int width)
{
	buf_reset(&f->text);
	f->n = 0;
	sanitize_init(&f->san);
	int rc = 0;
	if (len) {
		rc = sanitize_feed(&f->san, s, len, &f->text);
		if (!rc)
			rc = sanitize_finish(&f->san, &f->text);
		sanitize_init(&f->san);
	}
	if (f->text.len && flow_relayout(f, width) < 0)
		rc = -1;
	return rc;
}

/* ---- messages ---- */

static void msg_free(struct msg *m)
{
	buf_free(&m->header);
	buf_free(&m->shown);
	buf_free(&m->folded);
	flow_free(&m->text);
	flow_free(&m->reasoning);
	flow_free(&m->footer);
}

/* s[0..len) cut to width columns with "…" at the cut, at a cluster boundary. */
static int cut_to_width(const char *s, size_t len, int width, struct buf *out, int *out_width)
{
	buf_reset(out);
	int w = text_width(s, len);
	if (w <= width) {
		*out_width = w;
		return buf_append(out, s, len);
	}
	size_t off = text_offset_of_col(s, len, width - 1);
	*out_width = text_width(s, off) + 1;
	if (buf_append(out, s, off) < 0 || buf_append(out, ellipsis, sizeof ellipsis - 1) < 0)
		return -1;
	return 0;
}

static int msg_set_header(struct msg *m, const char *header)
{
	buf_reset(&m->header);
	m->shown_for = 0;
	if (!header || !*header)
		return 0;
	if (sanitize_string(header, strlen(header), &m->header) < 0) {
		buf_reset(&m->header);
		return -1;
	}
	/* the header is one line */
	for (size_t i = 0; i < m->header.len; i++)
		if (m->header.data[i] == '\n')
			m->header.data[i] = ' ';
	return 0;
}

static size_t msg_reasoning_lines(const struct msg *m, int fold)
{
	size_t n = flow_visible(&m->reasoning);
	return fold && n ? 1 : n;
}

static size_t msg_line_count(const struct msg *m, int fold)
{
	return (m->header.len ? 1 : 0) + msg_reasoning_lines(m, fold) + flow_visible(&m->text) +
	       flow_visible(&m->footer) + 1;
}

static int msg_relayout(struct msg *m, int width)
{
	int rc = 0;
	if (m->text.text.len && flow_relayout(&m->text, width) < 0)
		rc = -1;
	if (m->reasoning.text.len && flow_relayout(&m->reasoning, width) < 0)
		rc = -1;
	if (m->footer.text.len && flow_relayout(&m->footer, width) < 0)
		rc = -1;
	return rc;
}

static const char *msg_shown_header(struct msg *m, int width, int *w)
{
	if (m->shown_for != width) {
		if (cut_to_width(m->header.data, m->header.len, width, &m->shown,
				 &m->shown_width) < 0)
			return NULL;
		m->shown_for = width;
	}
	*w = m->shown_width;
	return m->shown.data;
}

static const char *msg_folded_line(struct msg *m, int width, size_t *len, int *w)
{
	size_t n = flow_visible(&m->reasoning);
	if (m->folded_for != width || m->folded_n != n || !m->folded.data) {
		struct buf line = BUF_INIT;
		/* "▸ reasoning (N lines) — F4 shows it" */
		int rc = buf_printf(&line, "\xE2\x96\xB8 reasoning (%zu line%s) \xE2\x80\x94 "
				    "F4 shows it", n, n == 1 ? "" : "s");
		if (!rc)
			rc = cut_to_width(line.data, line.len, width, &m->folded, &m->folded_width);
		buf_free(&line);
		if (rc < 0) {
			m->folded_for = 0;
			return NULL;
		}
		m->folded_for = width;
		m->folded_n = n;
	}
	*len = m->folded.len;
	*w = m->folded_width;
	return m->folded.data;
}

/* ---- the view ---- */

static int clamp_width(int width)
{
	return width < 1 ? 1 : width;
}

static void invalidate_from(struct view *v, size_t msg)
{
	if (v->valid > msg)
		v->valid = msg;
}

static void ensure_first(struct view *v)
{
	for (; v->valid < v->n; v->valid++)
		v->first[v->valid + 1] = v->first[v->valid] + msg_line_count(&v->msgs[v->valid],
									      v->fold);
}

struct view *view_new(int width)
{
	struct view *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->first = calloc(1, sizeof(*v->first));
	if (!v->first) {
		free(v);
		return NULL;
	}
	v->width = clamp_width(width);
	return v;
}

void view_clear(struct view *v)
{
	for (size_t i = 0; i < v->n; i++)
		msg_free(&v->msgs[i]);
	v->n = 0;
	v->valid = 0;
}

void view_free(struct view *v)
{
	if (!v)
		return;
	view_clear(v);
	free(v->msgs);
	free(v->first);
	free(v);
}

static int view_grow(struct view *v)
{
	if (v->n < v->cap)
		return 0;
	size_t cap = v->cap ? v->cap * 2 : 16;
	if (cap > SIZE_MAX / sizeof(*v->msgs) - 1)
		return -1;
	struct msg *m = realloc(v->msgs, cap * sizeof(*m));
	if (!m)
		return -1;
	v->msgs = m;
	size_t *f = realloc(v->first, (cap + 1) * sizeof(*f));
	if (!f)
		return -1;
	v->first = f;
	v->cap = cap;
	return 0;
}

long view_add(struct view *v, enum view_role role, const char *header)
{
	if (v->n >= (size_t)LONG_MAX || view_grow(v) < 0)
		return -1;
	struct msg *m = &v->msgs[v->n];
	memset(m, 0, sizeof(*m));
	m->role = role;
	/* answers are Markdown; a user's text shows as typed */
	flow_init(&m->text, role == VIEW_ASSISTANT, role == VIEW_INFO ? VS_INFO : VS_TEXT);
	/* reasoning is Markdown too, dimmed (an answer's thinking is written like it) */
	flow_init(&m->reasoning, 1, VS_REASONING);
	m->reasoning.dim = 1;
	flow_init(&m->footer, 0, VS_FOOTER);
	if (msg_set_header(m, header) < 0) {
		msg_free(m);
		return -1;
	}
	invalidate_from(v, v->n);
	return (long)v->n++;
}

size_t view_count(const struct view *v)
{
	return v->n;
}

int view_set_header(struct view *v, size_t msg, const char *header)
{
	if (msg >= v->n)
		return -1;
	invalidate_from(v, msg);
	return msg_set_header(&v->msgs[msg], header);
}

int view_append_text(struct view *v, size_t msg, const char *s, size_t len)
{
	if (msg >= v->n)
		return -1;
	invalidate_from(v, msg);
	return flow_append(&v->msgs[msg].text, s, len, v->width);
}

int view_append_reasoning(struct view *v, size_t msg, const char *s, size_t len)
{
	if (msg >= v->n)
		return -1;
	invalidate_from(v, msg);
	return flow_append(&v->msgs[msg].reasoning, s, len, v->width);
}

int view_end(struct view *v, size_t msg)
{
	if (msg >= v->n)
		return -1;
	invalidate_from(v, msg);
	int a = flow_finish(&v->msgs[msg].text, v->width);
	int b = flow_finish(&v->msgs[msg].reasoning, v->width);
	return a < 0 || b < 0 ? -1 : 0;
}

int view_set_footer(struct view *v, size_t msg, const char *footer, int error)
{
	if (msg >= v->n)
		return -1;
	invalidate_from(v, msg);
	struct flow *f = &v->msgs[msg].footer;
	f->base = error ? VS_ERROR : VS_FOOTER;
	return flow_set(f, footer ? footer : "", footer ? strlen(footer) : 0, v->width);
}

void view_set_fold(struct view *v, int folded)
{
	folded = folded != 0;
	if (v->fold != folded) {
		v->fold = folded;
		invalidate_from(v, 0);
	}
}

int view_folded(const struct view *v)
{
	return v->fold;
}

void view_set_width(struct view *v, int width)
{
	v->width = clamp_width(width);
	for (size_t i = 0; i < v->n; i++)
		msg_relayout(&v->msgs[i], v->width);
	invalidate_from(v, 0);
}

size_t view_lines(struct view *v)
{
	ensure_first(v);
	return v->first[v->n];
}

/* The role a whole line of this style is drawn in. */
static uint8_t style_role(enum view_style st)
{
	switch (st) {
	case VS_HEADER_USER: return TR_HEADER_USER;
	case VS_HEADER_ASSISTANT: return TR_HEADER_ASSISTANT;
	case VS_REASONING: return TR_REASONING;
	case VS_FOLDED: return TR_FOLDED;
	case VS_FOOTER: return TR_FOOTER;
	case VS_ERROR: return TR_ERROR;
	case VS_INFO: return TR_INFO;
	default: return TR_TEXT;
	}
}

static void set_line(struct view_line *out, size_t msg, enum view_style style, const char *s,
		     size_t len, int width)
{
	out->msg = msg;
	out->style = style;
	out->s = s;
	out->len = len;
	out->width = width;
	out->one = (struct md_run){0, len, style_role(style), 0, 0};
	out->runs = &out->one;
	out->nruns = len ? 1 : 0;
	out->md = NULL;
}

static void set_flow_line(struct view_line *out, size_t msg, const struct flow *f, size_t k)
{
	if (f->markdown) {
		const struct md_out *o = &f->md.out;
		const struct md_line *l = &o->lines[k];
		/* a rendering of only empty lines has no text and no runs: NULL + 0 is
		 * undefined (found by fuzz_view) */
		set_line(out, msg, f->base, l->len ? o->text.data + l->off : "", l->len, l->width);
		out->runs = l->nrun ? o->runs + l->run : NULL;
		out->nruns = l->nrun;
		out->md = o;
		return;
	}
	const struct vline *l = &f->lines[k];
	set_line(out, msg, f->base, f->text.data + l->off, l->len, l->width);
}

int view_line(struct view *v, size_t i, struct view_line *out)
{
	ensure_first(v);
	if (i >= v->first[v->n])
		return -1;
	/* the last message whose first line is at or before i */
	size_t lo = 0, hi = v->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->first[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	struct msg *m = &v->msgs[lo];
	size_t k = i - v->first[lo], n;
	if (m->header.len) {
		if (k == 0) {
			int w;
			const char *s = msg_shown_header(m, v->width, &w);
			if (!s)
				return -1;
			enum view_style st = m->role == VIEW_USER ? VS_HEADER_USER
								  : VS_HEADER_ASSISTANT;
			set_line(out, lo, st, s, m->shown.len, w);
			return 0;
		}
		k--;
	}
	n = msg_reasoning_lines(m, v->fold);
	if (k < n) {
		if (v->fold) {
			size_t len;
			int w;
			const char *s = msg_folded_line(m, v->width, &len, &w);
			if (!s)
				return -1;
			set_line(out, lo, VS_FOLDED, s, len, w);
		} else {
			set_flow_line(out, lo, &m->reasoning, k);
		}
		return 0;
	}
	k -= n;
	n = flow_visible(&m->text);
	if (k < n) {
		set_flow_line(out, lo, &m->text, k);
		return 0;
	}
	k -= n;
	n = flow_visible(&m->footer);
	if (k < n) {
		set_flow_line(out, lo, &m->footer, k);
		return 0;
	}
	set_line(out, lo, VS_BLANK, "", 0, 0);
	return 0;
}

size_t view_msg_first_line(struct view *v, size_t msg)
{
	ensure_first(v);
	return v->first[msg < v->n ? msg : v->n];
}

size_t view_msg_lines(struct view *v, size_t msg)
{
	if (msg >= v->n)
		return 0;
	return msg_line_count(&v->msgs[msg], v->fold);
}

const char *view_text(struct view *v, size_t msg, size_t *len)
{
	if (msg >= v->n)
		return NULL;
	const struct buf *b = &v->msgs[msg].text.text;
	if (len)
		*len = b->len;
	return b->len ? b->data : "";
}
