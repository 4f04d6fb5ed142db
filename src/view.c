/* view: the chat laid out for one width (pure). Each message's text and reasoning is
 * sanitised as it streams in and laid out into lines that are kept, so an append
 * lays out only the end of the message (flow.c); a prefix sum of per-message line counts
 * numbers the lines of the whole view for scrolling. A long message is laid out only
 * when a line of it is read (view.h): until then its height in the sum is an estimate
 * from its text's length and LFs, corrected when it is laid out. A message is three
 * flows (flow.h): its reasoning, its text and its footer. */
#include "cherry/view.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/mdstream.h"
#include "cherry/prefix.h"
#include "cherry/sanitize.h"
#include "cherry/theme.h"
#include "cherry/text.h"
#include "flow.h"

/* A message with less text than this is laid out as soon as it changes (or the width
 * does): its layout costs about what an estimate of its height would. A longer one is
 * laid out when a line of it is asked for, and until then counts as an estimate. */
#define LAZY_BYTES 4096
/* The text of long messages kept laid out away from the rows shown (view_show): a
 * rendering takes 13 to 50 times its text, so scrolling through a 20 MB conversation
 * with every layout kept held 286 MB; past this the farthest ones go (trim). */
#define LAID_MAX (1u << 18)

static const char ellipsis[] = "\xE2\x80\xA6"; /* … */

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
	int laid_for;       /* the width its flows are laid out for; 0: none */
	/* its exact line count for kept_for columns and kept_fold, kept when its layout
	 * was let go (trim); kept_for 0: none, or it changed since */
	size_t kept_n;
	int kept_for, kept_fold;
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
	size_t *keep;       /* a line number kept on its line as estimates are corrected */
	size_t *also;       /* another, while view_show runs */
	int eager;          /* everything laid out as it comes (view_set_eager) */
};

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

/* The message's lines at width: exact when it is laid out for it, else an estimate. */
static size_t msg_line_count(const struct msg *m, int fold, int width)
{
	size_t head = m->header.len ? 1 : 0;
	if (m->laid_for == width)
		return head + msg_reasoning_lines(m, fold) + flow_visible(&m->text) +
		       flow_visible(&m->footer) + 1;
	if (m->kept_for == width && m->kept_fold == fold)
		return m->kept_n;
	size_t r = fold ? flow_len(&m->reasoning) != 0 : flow_estimate(&m->reasoning, width);
	return head + r + flow_estimate(&m->text, width) + flow_estimate(&m->footer, width) + 1;
}

static int msg_laid(const struct msg *m, int width)
{
	return m->laid_for == width;
}

static int msg_small(const struct view *v, const struct msg *m)
{
	return v->eager ||
	       flow_len(&m->text) + flow_len(&m->reasoning) + flow_len(&m->footer) < LAZY_BYTES;
}

static int msg_layout(struct msg *m, int width)
{
	int rc = 0;
	if (flow_relayout(&m->text, width) < 0)
		rc = -1;
	if (flow_relayout(&m->reasoning, width) < 0)
		rc = -1;
	if (flow_relayout(&m->footer, width) < 0)
		rc = -1;
	m->laid_for = width; /* on OOM its lines are a correct start of the layout */
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
	flow_render_all(&m->reasoning); /* the count it shows is exact */
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

/* Message i's lines: a small message is laid out here, a long one may be estimated. */
static size_t msg_lines(struct view *v, size_t i)
{
	struct msg *m = &v->msgs[i];
	if (!msg_laid(m, v->width) && msg_small(v, m))
		msg_layout(m, v->width);
	return msg_line_count(m, v->fold, v->width);
}

static void ensure_first(struct view *v)
{
	for (; v->valid < v->n; v->valid++)
		v->first[v->valid + 1] = v->first[v->valid] + msg_lines(v, v->valid);
}

/* A line number that stood on line old_first + k, where a message of old_n lines started
 * at old_first and now has new_n: the same line of it (its last when it lost it), or
 * the same line after it. */
static void keep_line(size_t *line, size_t old_first, size_t old_n, size_t new_n)
{
	if (!line || *line < old_first)
		return;
	if (*line >= old_first + old_n)
		*line = *line - old_n + new_n;
	else if (*line - old_first >= new_n)
		*line = old_first + new_n - 1;
}

/* Lays out message i when it is not, correcting its estimate: the lines after it move,
 * and the kept line (and *also, when not NULL) with them. */
static void msg_ensure(struct view *v, size_t i, size_t *also)
{
	struct msg *m = &v->msgs[i];
	if (msg_laid(m, v->width))
		return;
	ensure_first(v);
	size_t first = v->first[i], old_n = v->first[i + 1] - first;
	msg_layout(m, v->width);
	size_t new_n = msg_line_count(m, v->fold, v->width);
	if (new_n == old_n)
		return;
	invalidate_from(v, i);
	keep_line(v->keep, first, old_n, new_n);
	if (also != v->keep)
		keep_line(also, first, old_n, new_n);
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
	m->reasoning.md.dim = 1;
	if (v->eager)
		m->text.md.lazy_from = m->reasoning.md.lazy_from = SIZE_MAX;
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
	v->msgs[msg].kept_for = 0; /* its count may change */
	return msg_set_header(&v->msgs[msg], header);
}

int view_append_text(struct view *v, size_t msg, const char *s, size_t len)
{
	if (msg >= v->n)
		return -1;
	invalidate_from(v, msg);
	v->msgs[msg].kept_for = 0; /* its count may change */
	struct msg *m = &v->msgs[msg];
	return flow_append(&m->text, s, len, v->width, msg_laid(m, v->width));
}

int view_append_reasoning(struct view *v, size_t msg, const char *s, size_t len)
{
	if (msg >= v->n)
		return -1;
	invalidate_from(v, msg);
	v->msgs[msg].kept_for = 0; /* its count may change */
	struct msg *m = &v->msgs[msg];
	return flow_append(&m->reasoning, s, len, v->width, msg_laid(m, v->width));
}

/* The whole text or reasoning, finished, shared when clean (view.h). */
static int share(struct view *v, size_t msg, int reasoning, const char *s, size_t len)
{
	if (msg >= v->n)
		return -1;
	invalidate_from(v, msg);
	v->msgs[msg].kept_for = 0; /* its count may change */
	struct msg *m = &v->msgs[msg];
	return flow_share(reasoning ? &m->reasoning : &m->text, s, len, v->width,
			  msg_laid(m, v->width));
}

int view_share_text(struct view *v, size_t msg, const char *s, size_t len)
{
	return share(v, msg, 0, s, len);
}

int view_share_reasoning(struct view *v, size_t msg, const char *s, size_t len)
{
	return share(v, msg, 1, s, len);
}

int view_end(struct view *v, size_t msg)
{
	if (msg >= v->n)
		return -1;
	invalidate_from(v, msg);
	v->msgs[msg].kept_for = 0; /* its count may change */
	struct msg *m = &v->msgs[msg];
	int laid = msg_laid(m, v->width);
	int a = flow_finish(&m->text, v->width, laid);
	int b = flow_finish(&m->reasoning, v->width, laid);
	return a < 0 || b < 0 ? -1 : 0;
}

int view_set_footer(struct view *v, size_t msg, const char *footer, int error)
{
	if (msg >= v->n)
		return -1;
	invalidate_from(v, msg);
	v->msgs[msg].kept_for = 0; /* its count may change */
	struct msg *m = &v->msgs[msg];
	struct flow *f = &m->footer;
	f->base = error ? VS_ERROR : VS_FOOTER;
	return flow_set(f, footer ? footer : "", footer ? strlen(footer) : 0, v->width,
			msg_laid(m, v->width));
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
	/* every message is laid out again when it is next read (a small one when the
	 * lines are counted, a long one when a line of it is asked for) */
	v->width = clamp_width(width);
	invalidate_from(v, 0);
}

void view_set_eager(struct view *v)
{
	v->eager = 1;
}

void view_keep(struct view *v, size_t *line)
{
	v->keep = line;
}

/* The message holding line i, or v->n past the end. */
static size_t msg_at(struct view *v, size_t i)
{
	ensure_first(v);
	if (i >= v->first[v->n])
		return v->n;
	return prefix_find(v->first, v->n, i);
}

static size_t msg_bytes(const struct msg *m)
{
	return flow_len(&m->text) + flow_len(&m->reasoning) + flow_len(&m->footer);
}

/* A long message laid out (a short one is laid out whenever it is counted). */
static int msg_held(const struct view *v, const struct msg *m)
{
	return msg_laid(m, v->width) && !msg_small(v, m);
}

/* Its layout let go, its exact line count kept: laid out again, it takes as many lines,
 * so nothing moves. */
static void msg_forget(struct view *v, size_t i)
{
	struct msg *m = &v->msgs[i];
	m->kept_n = msg_line_count(m, v->fold, v->width);
	m->kept_for = v->width;
	m->kept_fold = v->fold;
	flow_forget(&m->text);
	flow_forget(&m->reasoning);
	flow_forget(&m->footer);
	m->laid_for = 0;
}

/* When the long messages laid out hold more than LAID_MAX bytes of text, the layouts
 * farthest from messages [a, b] go, down to half of it; the last rows lines' messages
 * (view_show_end's) stay. */
static void trim(struct view *v, size_t a, size_t b, size_t rows)
{
	size_t laid = 0;
	for (size_t i = 0; i < v->n; i++)
		if (msg_held(v, &v->msgs[i]))
			laid += msg_bytes(&v->msgs[i]);
	if (v->eager || laid <= LAID_MAX)
		return;
	size_t total = view_lines(v);
	size_t lo = 0, hi = msg_at(v, total > rows ? total - rows : 0);
	while (laid > LAID_MAX / 2) {
		int below = lo < a, above = hi > b + 1;
		if (!below && !above)
			break;
		size_t i = below && (!above || a - lo >= hi - 1 - b) ? lo++ : --hi;
		if (msg_held(v, &v->msgs[i])) {
			laid -= msg_bytes(&v->msgs[i]);
			msg_forget(v, i);
		}
	}
}

void view_show(struct view *v, size_t *top, size_t rows)
{
	struct view_line l;
	v->also = top;
	for (size_t r = 0; r < rows && view_line(v, *top + r, &l) == 0; r++)
		;
	v->also = NULL;
	/* what is kept laid out: a screen above the rows shown and one below them */
	size_t a = msg_at(v, *top > rows ? *top - rows : 0);
	size_t b = msg_at(v, *top + 2 * rows);
	if (a < v->n)
		trim(v, a, b < v->n ? b : v->n - 1, rows);
}

void view_show_end(struct view *v, size_t rows)
{
	struct view_line l;
	size_t total;
	do {
		total = view_lines(v);
		for (size_t i = total > rows ? total - rows : 0; i < total; i++)
			view_line(v, i, &l);
	} while (view_lines(v) != total);
}

void view_layout_all(struct view *v)
{
	struct view_line l;
	for (size_t i = 0; i < view_lines(v); i++)
		view_line(v, i, &l);
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

/* Line k of the flow; 1 when a segment of it had to be rendered first (*fix says how
 * its lines moved: read it again). */
static int set_flow_line(struct view_line *out, size_t msg, struct flow *f, size_t k,
			 struct mdstream_fix *fix)
{
	if (f->markdown) {
		const struct md_out *o;
		const struct md_line *l;
		int rc = mdstream_line(&f->md, flow_data(f), k, &o, &l, fix);
		if (rc)
			return rc;
		/* a rendering of only empty lines has no text and no runs: NULL + 0 is
		 * undefined (found by fuzz_view) */
		set_line(out, msg, f->base, l->len ? o->text.data + l->off : "", l->len, l->width);
		out->runs = l->nrun ? o->runs + l->run : NULL;
		out->nruns = l->nrun;
		out->md = o;
		return 0;
	}
	const struct vline *l = &f->lines[k];
	set_line(out, msg, f->base, flow_data(f) + l->off, l->len, l->width);
	return 0;
}

/* A segment of message i rendered where the message's line at starts: the lines after
 * it move, and the kept lines with them. */
static void segment_fixed(struct view *v, size_t i, size_t at, const struct mdstream_fix *fix)
{
	if (fix->old_n == fix->new_n)
		return;
	ensure_first(v);
	size_t first = v->first[i] + at + fix->at;
	invalidate_from(v, i);
	keep_line(v->keep, first, fix->old_n, fix->new_n);
	if (v->also != v->keep)
		keep_line(v->also, first, fix->old_n, fix->new_n);
}

/* Line k of message m, with its number i; 1 when the lines moved (read it again). */
static int msg_line(struct view *v, size_t lo, size_t k, struct view_line *out)
{
	struct msg *m = &v->msgs[lo];
	struct mdstream_fix fix;
	size_t at = 0, n;
	int rc;
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
		at++;
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
			return 0;
		}
		if ((rc = set_flow_line(out, lo, &m->reasoning, k, &fix)) == 1)
			segment_fixed(v, lo, at, &fix);
		return rc;
	}
	k -= n;
	at += n;
	n = flow_visible(&m->text);
	if (k < n) {
		if ((rc = set_flow_line(out, lo, &m->text, k, &fix)) == 1)
			segment_fixed(v, lo, at, &fix);
		return rc;
	}
	k -= n;
	n = flow_visible(&m->footer);
	if (k < n)
		return set_flow_line(out, lo, &m->footer, k, &fix);
	set_line(out, lo, VS_BLANK, "", 0, 0);
	return 0;
}

int view_line(struct view *v, size_t i, struct view_line *out)
{
	/* laying out the message found, or rendering a part of it, moves the lines after
	 * it: look again until nothing had to be (each round lays out something more) */
	for (;;) {
		size_t lo = msg_at(v, i);
		if (lo >= v->n)
			return -1;
		if (!msg_laid(&v->msgs[lo], v->width)) {
			msg_ensure(v, lo, NULL);
			continue;
		}
		int rc = msg_line(v, lo, i - v->first[lo], out);
		if (rc != 1)
			return rc;
	}
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
	msg_ensure(v, msg, NULL);
	/* every line read once: the count is exact (its first line does not move) */
	struct view_line l;
	for (size_t k = 0; k < msg_line_count(&v->msgs[msg], v->fold, v->width); k++)
		view_line(v, view_msg_first_line(v, msg) + k, &l);
	return msg_line_count(&v->msgs[msg], v->fold, v->width);
}

const char *view_text(struct view *v, size_t msg, size_t *len)
{
	if (msg >= v->n)
		return NULL;
	const struct flow *f = &v->msgs[msg].text;
	if (len)
		*len = flow_len(f);
	return flow_len(f) ? flow_data(f) : "";
}
