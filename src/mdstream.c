/* mdstream: a streamed Markdown text cut into segments rendered once (a long text's
 * when they are read), with only the open last one rendered again on each append
 * (pure; mdstream.h says where it cuts). */
#include "cherry/mdstream.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/prefix.h"
#include "cherry/theme.h"

void mdstream_init(struct mdstream *m)
{
	memset(m, 0, sizeof(*m));
	m->lazy_from = MDSTREAM_LAZY;
	m->wrap_seg = SIZE_MAX;
	mdstream_bounds(m, MDSTREAM_OPEN, MDSTREAM_FORCE_MAX);
}

void mdstream_bounds(struct mdstream *m, size_t open_min, size_t open_max)
{
	m->open_min = open_min ? open_min : 1;
	m->open_max = open_max > m->open_min ? open_max : m->open_min;
	m->s.window = m->opened.window = m->open_min;
}

/* Drops the closed segments (their memory too). */
static void drop_segments(struct mdstream *m)
{
	for (size_t i = 0; i < m->nseg; i++)
		if (m->segs[i].out) {
			md_out_free(m->segs[i].out);
			free(m->segs[i].out);
		}
	m->nseg = m->valid = m->closed_lines = m->ncode = 0;
	m->inked = 0;
	m->wrap_seg = SIZE_MAX;
}

void mdstream_free(struct mdstream *m)
{
	drop_segments(m);
	free(m->segs);
	free(m->first);
	md_out_free(&m->out);
	mdstream_init(m);
}

static void reset_marks(struct mdstream *m)
{
	m->s.marks = 0;
	m->s.closer = m->s.unsettled = 0;
	m->s.checked = 0;
}

/* Up to three spaces of indentation. */
static size_t indent(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && i < 3 && s[i] == ' ')
		i++;
	return i;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static int list_marker(const char *s, size_t n)
{
	if (n && (s[0] == '-' || s[0] == '+' || s[0] == '*'))
		return n == 1 || s[1] == ' ' || s[1] == '\t';
	size_t i = 0;
	while (i < n && i < 9 && s[i] >= '0' && s[i] <= '9')
		i++;
	return i && i < n && (s[i] == '.' || s[i] == ')') && (i + 1 == n || s[i + 1] == ' ');
}

/* "[label]: ..." at a line start. */
static int refdef(const char *s, size_t n)
{
	size_t i = indent(s, n);
	if (i >= n || s[i] != '[')
		return 0;
	for (size_t j = i + 1; j < n && j < i + 1000; j++) {
		if (s[j] == '\\') {
			j++;
			continue;
		}
		if (s[j] == '[')
			return 0;
		if (s[j] == ']')
			return j > i + 1 && j + 1 < n && s[j + 1] == ':';
	}
	return 0;
}

/* HTML blocks as md4c 0.4.8 starts them: kinds 1 to 5 end at a marker, 6 and 7 at a
 * blank line (html_to_blank). Kind 1's name is a prefix ("<preview" is one). */
static const struct {
	const char *open, *close;
} html_kinds[] = {
	{"<script", "</script>"}, {"<pre", "</pre>"}, {"<style", "</style>"}, {"<!--", "-->"},
	{"<?", "?>"}, {"<![CDATA[", "]]>"},
};

#define HTML_BANG ((int)(sizeof html_kinds / sizeof html_kinds[0]) + 1) /* kind 4: "<!X" */
#define HTML_TO_BLANK (HTML_BANG + 1)

/* Kind 6's tags; md4c takes the first in its list that the name starts with, so
 * "<colgroup" is not one (it is "col" followed by a letter). */
static const char *const html_block_tags[] = {
	"address", "article", "aside", "base", "basefont", "blockquote", "body", "caption",
	"center", "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt",
	"fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset", "h1",
	"head", "header", "hr", "html", "iframe", "legend", "li", "link", "main", "menu",
	"menuitem", "nav", "noframes", "ol", "optgroup", "option", "p", "param", "section",
	"source", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr",
	"track", "ul",
};

static int starts_icase(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	if (k > n)
		return 0;
	for (size_t i = 0; i < k; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lit[i])
			return 0;
	}
	return 1;
}

static int contains(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	for (size_t i = 0; i + k <= n; i++)
		if (starts_icase(s + i, n - i, lit))
			return 1;
	return 0;
}

static int alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int name_ch(char c)
{
	return alpha(c) || (c >= '0' && c <= '9') || c == '-';
}

/* Whether t[0..n) is one whole open or closing tag (CommonMark's) and blanks. */
static int whole_tag(const char *t, size_t n)
{
	size_t i = 1;
	int closing = i < n && t[i] == '/';
	i += (size_t)closing;
	if (i >= n || !alpha(t[i]))
		return 0;
	while (i < n && name_ch(t[i]))
		i++;
	for (;;) {
		size_t ws = i;
		while (i < n && (t[i] == ' ' || t[i] == '\t'))
			i++;
		if (i >= n)
			return 0;
		if (t[i] == '>' || (!closing && t[i] == '/' && i + 1 < n && t[i + 1] == '>'))
			break;
		if (closing || i == ws || !(alpha(t[i]) || t[i] == '_' || t[i] == ':'))
			return 0;
		while (i < n && (name_ch(t[i]) || t[i] == '_' || t[i] == '.' || t[i] == ':'))
			i++;
		size_t v = i;
		while (v < n && (t[v] == ' ' || t[v] == '\t'))
			v++;
		if (v >= n || t[v] != '=')
			continue;
		v++;
		while (v < n && (t[v] == ' ' || t[v] == '\t'))
			v++;
		if (v < n && (t[v] == '"' || t[v] == '\'')) {
			const char *q = memchr(t + v + 1, t[v], n - v - 1);
			if (!q)
				return 0;
			i = (size_t)(q - t) + 1;
		} else {
			i = v;
			while (i < n && !strchr(" \t\"'=<>`", t[i]))
				i++;
			if (i == v)
				return 0;
		}
	}
	i += t[i] == '/' ? 2 : 1;
	return blank(t + i, n - i);
}

/* Whether t[0..n), which starts with '<', starts an HTML block of kind 6 or 7 (a whole
 * tag alone on its line; it cannot interrupt a paragraph: only after a blank line). */
static int html_to_blank(const char *t, size_t n, int after_blank)
{
	size_t i = 1 + (n > 1 && t[1] == '/');
	if (i >= n || !alpha(t[i]))
		return 0;
	for (size_t k = 0; k < sizeof html_block_tags / sizeof html_block_tags[0]; k++) {
		size_t len = strlen(html_block_tags[k]);
		if (!starts_icase(t + i, n - i, html_block_tags[k]))
			continue;
		char c = i + len < n ? t[i + len] : ' ';
		if (c == ' ' || c == '\t' || c == '\r' || c == '>' ||
		    (c == '/' && i + len + 1 < n && t[i + len + 1] == '>'))
			return 1;
		break;
	}
	return after_blank && whole_tag(t, n);
}

/* Carries the fence and HTML block state over the complete line s[0..n) at text
 * offset at. */
static void block_state(struct mdstream *m, size_t at, const char *s, size_t n)
{
	if (m->s.html == HTML_TO_BLANK) {
		if (blank(s, n))
			m->s.html = 0;
		return;
	}
	if (m->s.html) {
		if (contains(s, n, m->s.html == HTML_BANG ? ">" : html_kinds[m->s.html - 1].close))
			m->s.html = 0;
		return;
	}
	/* md4c opens a fence at any indentation where indented code cannot start: after a
	 * line of text (a paragraph's continuation line cannot be code) */
	size_t i = 0, col = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		col = s[i++] == '\t' ? col / 4 * 4 + 4 : col + 1;
	int code = col >= 4 && !blank(s, n) && (m->s.prev_blank || m->s.icode);
	if (!blank(s, n))
		m->s.icode = code;
	const char *t = s + i;
	size_t tn = n - i;
	if (tn && (t[0] == '`' || t[0] == '~') && (m->s.fence_ch || !code)) {
		size_t k = 0;
		while (k < tn && t[k] == t[0])
			k++;
		/* a backtick fence's info string has no backtick (else it is text) */
		if (k >= 3 && !(t[0] == '`' && memchr(t + k, '`', tn - k))) {
			if (!m->s.fence_ch) {
				m->s.fence_ch = t[0];
				m->s.fence_len = k;
				m->s.fence = (struct mdcode){col == 0, at, n, {0, 0}};
				return;
			}
			if (t[0] == m->s.fence_ch && k >= m->s.fence_len && blank(t + k, tn - k) &&
			    col < 4) {
				m->s.fence_ch = 0;
				return;
			}
		}
	}
	/* a line at column 0 in a fence that opened indented ends it if the fence was in a
	 * list item, not if it was at the top level: which, is not known here, so nothing
	 * after is cut (when the segment has a list item) */
	if (m->s.fence_ch && !m->s.fence.in && col == 0 && tn && m->s.seg_list)
		m->s.stuck = 1;
	if (!m->s.fence_ch && list_marker(t, tn))
		m->s.seg_list = 1;
	if (m->s.fence_ch && m->s.fence.in) {
		/* a line of the block: the highlighter's state after it */
		const char *info = s - at + m->s.fence.fence_at + m->s.fence_len;
		md_code_hl(info, m->s.fence.fence_n - m->s.fence_len, &m->s.fence.hl, s, n);
	}
	if (m->s.fence_ch || !tn || t[0] != '<' || col >= 4)
		return;
	for (size_t h = 0; h < sizeof html_kinds / sizeof html_kinds[0]; h++)
		if (starts_icase(t, tn, html_kinds[h].open)) {
			if (!contains(t + strlen(html_kinds[h].open), tn - strlen(html_kinds[h].open),
				      html_kinds[h].close))
				m->s.html = (int)h + 1;
			return;
		}
	if (tn > 2 && t[1] == '!' && t[2] >= 'A' && t[2] <= 'Z') {
		if (!memchr(t, '>', tn))
			m->s.html = HTML_BANG;
		return;
	}
	if (html_to_blank(t, tn, m->s.prev_blank || !m->s.scanned))
		m->s.html = HTML_TO_BLANK;
}

/* Counts the bytes that may open or close a span (so that a segment without any is
 * known to have none open without asking md4c). */
static void count_marks(struct mdstream *m, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		m->s.marks += s[i] == '`' || s[i] == '*' || s[i] == '_' || s[i] == '~' ||
			      s[i] == '$' || s[i] == '[' || s[i] == '<';
		m->s.closer |= s[i] == '`' || s[i] == '*' || s[i] == '_' || s[i] == '~' ||
			       s[i] == '$' || s[i] == ']' || s[i] == '>' || s[i] == ')';
	}
}

enum { NO_CUT, CUT_BLOCK, CUT_FORCED, CUT_CODE };

/* A line that can only be paragraph text (or go on a paragraph). */
static int starter(const char *s, size_t n)
{
	unsigned char c = n ? (unsigned char)s[0] : 0;
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '[' || c == '(' || c == '"' || c == '\'' || c >= 0x80) &&
	       !list_marker(s, n) && !refdef(s, n);
}

/* Whether the complete line s[0..n) at offset at starts a new segment. */
static int cut_before(struct mdstream *m, size_t at, const char *s, size_t n)
{
	/* a code block's lines do not depend on what follows them */
	if (m->s.stuck)
		return NO_CUT;
	if (m->s.fence_ch && m->s.fence.in && !m->s.refdef && !m->s.html &&
	    at > m->s.seg_start && at - m->s.seg_start >= MDSTREAM_FORCE)
		return CUT_CODE;
	if (m->s.refdef || m->s.fence_ch || m->s.html || at <= m->s.seg_start || !n)
		return NO_CUT;
	unsigned char c = (unsigned char)s[0];
	if (c == ' ' || c == '\t' || blank(s, n) || list_marker(s, n) || refdef(s, n))
		return NO_CUT;
	if (m->s.prev_blank)
		return CUT_BLOCK;
	size_t size = at - m->s.seg_start;
	/* a line ending in a backslash is a hard break only with its next line in the
	 * same segment: cut there, the backslash would show */
	if (size >= 2 && s[-2] == '\\')
		return NO_CUT;
	/* a segment from inside a code block is not a paragraph's (md4c would not see the
	 * block): it ends at a blank line */
	if (!starter(s, n) || m->s.prev_pipe || memchr(s, '|', n) ||
	    (size < MDSTREAM_FORCE && !m->s.seg_plain) || m->s.seg_code.in)
		return NO_CUT;
	/* nothing open that this line could close: md4c's own reading of the segment,
	 * unless it is all paragraph lines without a byte that could open a span */
	if (m->s.seg_plain && !m->s.marks)
		return CUT_FORCED;
	/* text that closes nothing cannot settle what was open: md4c is asked again only
	 * after a byte that could close a span, and once the segment has grown by an
	 * eighth (so that what it is given while a paragraph stays open is a few times
	 * the paragraph, not its square) */
	size_t step = m->s.checked / 8 > MDSTREAM_FORCE ? m->s.checked / 8 : MDSTREAM_FORCE;
	if (!m->s.unsettled || (m->s.closer && size >= m->s.checked + step)) {
		m->s.closer = 0;
		m->s.checked = size;
		m->rendered += size;
		m->s.unsettled = md_tail_settled(s - size, size, m->width, m->s.seg_flags) != 1;
		if (!m->s.unsettled)
			return CUT_FORCED;
	}
	if (size < MDSTREAM_FORCE_MAX)
		return NO_CUT;
	m->inexact++;
	return CUT_FORCED;
}

/* Dims what was just rendered into o (reasoning): every run, plain words in the
 * reasoning role. */
static void dim_out(const struct mdstream *m, struct md_out *o)
{
	if (!m->dim)
		return;
	for (size_t i = 0; i < o->nruns; i++) {
		o->runs[i].attrs |= TA_DIM;
		if (o->runs[i].role == TR_TEXT)
			o->runs[i].role = TR_REASONING;
	}
}

static int blank_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* A guess at a segment's lines: one per LF and per width bytes; at least one when it
 * has ink (so that it can be found, and then rendered). */
static size_t estimate(const char *s, size_t n, int width, int inked)
{
	size_t lfs = 0;
	for (const char *p = s, *end = s + n; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		lfs++;
	size_t e = lfs + n / (size_t)(width < 1 ? 1 : width);
	return e || !inked ? e : 1;
}

/* text[start..start+len) rendered into out, from inside the code block code says
 * when code->in. */
static int render_piece(const struct mdstream *m, struct md_out *out, const char *text,
			size_t start, size_t len, unsigned flags, const struct mdcode *code)
{
	if (!code->in)
		return md_render(out, text + start, len, m->width, flags);
	struct md_code_cont cont = {text + code->fence_at, code->fence_n, code->hl};
	return md_render_cont(out, &cont, text + start, len, m->width, flags);
}

static int render_seg(struct mdstream *m, const char *text, struct mdseg *g)
{
	if (!g->out && !(g->out = calloc(1, sizeof *g->out)))
		return -1;
	md_out_reset(g->out);
	g->out->ncode = g->ncode;
	int rc = render_piece(m, g->out, text, g->start, g->len, g->flags, &g->code);
	dim_out(m, g->out);
	m->closed_lines = m->closed_lines - g->nlines + g->out->nlines;
	g->nlines = g->out->nlines;
	return rc;
}

/* Whether md4c could find a code block in s[0..n): a fence needs ``` or ~~~, indented
 * code four columns of indentation (a TAB, or four spaces in a row, whatever the
 * containers before them). Without either md4c is not asked to count. */
static int may_have_code(const char *s, size_t n)
{
	size_t run = 0;
	char prev = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\t')
			return 1;
		run = c == prev ? run + 1 : 1;
		prev = c;
		if ((c == ' ' && run >= 4) || ((c == '`' || c == '~') && run >= 3))
			return 1;
	}
	return 0;
}

/* How many code blocks a segment numbers (one it continues is not one of them). */
static int count_code(const char *text, const struct mdseg *g, size_t *codes)
{
	*codes = 0;
	if (!g->code.in)
		return may_have_code(text + g->start, g->len) ?
			       md_count_code(text + g->start, g->len, codes) : 0;
	struct buf b = BUF_INIT;
	int rc = buf_append(&b, text + g->code.fence_at, g->code.fence_n);
	if (rc == 0)
		rc = buf_append_char(&b, '\n');
	if (rc == 0)
		rc = buf_append(&b, text + g->start, g->len);
	if (rc == 0)
		rc = md_count_code(b.data, b.len, codes);
	buf_free(&b);
	*codes -= *codes > 0;
	return rc < 0 ? -1 : 0;
}

/* The open segment ends at end: it becomes a closed one, rendered now while the text is
 * short, else only its code blocks counted. more: MD_CODE_OPEN when it ends inside a
 * code block. */
static int close_segment(struct mdstream *m, const char *text, size_t end, unsigned more)
{
	if (m->nseg == m->cap_seg) {
		size_t cap = m->cap_seg ? m->cap_seg * 2 : 16;
		if (cap > SIZE_MAX / sizeof *m->segs - 1)
			return -1;
		struct mdseg *g = realloc(m->segs, cap * sizeof *g);
		if (!g)
			return -1;
		m->segs = g;
		size_t *f = realloc(m->first, (cap + 1) * sizeof *f);
		if (!f)
			return -1;
		m->first = f;
		m->cap_seg = cap;
	}
	struct mdseg *g = &m->segs[m->nseg];
	memset(g, 0, sizeof *g);
	g->start = m->s.seg_start;
	g->len = end - m->s.seg_start;
	g->flags = m->s.seg_flags | (m->inked ? MD_AFTER : 0) | more;
	g->code = m->s.seg_code;
	g->ncode = m->ncode;
	g->inked = !blank_text(text + g->start, g->len);
	m->nseg++;
	int rc = 0;
	size_t codes = 0;
	if (end <= m->lazy_from) {
		rc = render_seg(m, text, g);
		codes = g->out ? g->out->ncode - g->ncode : 0;
		m->inked |= g->inked; /* an empty item or quote has no lines, but a gap after it */
	} else {
		rc = count_code(text, g, &codes);
		g->nlines = estimate(text + g->start, g->len, m->width, g->inked);
		m->closed_lines += g->nlines;
		m->inked |= g->inked;
	}
	m->ncode += codes;
	return rc;
}

static int render_open(struct mdstream *m, const char *text, size_t end)
{
	md_out_reset(&m->out);
	m->out.ncode = m->ncode;
	m->rendered += end - m->s.seg_start;
	int rc = render_piece(m, &m->out, text, m->s.seg_start, end - m->s.seg_start,
			      m->s.seg_flags | (m->inked ? MD_AFTER : 0), &m->s.seg_code);
	dim_out(m, &m->out);
	return rc;
}

/* The open segment starts at `at` (its own marks from there). Once what opened it is
 * done, m->opened keeps s: what a relayout goes back to. */
static void open_segment(struct mdstream *m, size_t at, unsigned flags)
{
	m->s.seg_start = at;
	m->s.seg_flags = flags;
	m->s.seg_code.in = 0;
	m->s.seg_list = 0;
	m->s.window = m->open_min;
	reset_marks(m);
}

/* One complete line, text[at..at+n) and its LF. */
static int scan_line(struct mdstream *m, const char *text, size_t at, size_t n)
{
	int rc = 0;
	const char *s = text + at;
	int cut = cut_before(m, at, s, n);
	int opened = cut != NO_CUT;
	if (cut != NO_CUT) {
		if (close_segment(m, text, at, cut == CUT_CODE ? MD_CODE_OPEN : 0) < 0)
			rc = -1;
		open_segment(m, at, cut == CUT_FORCED || cut == CUT_CODE ? MD_CONTINUES : 0);
		if (cut == CUT_CODE)
			m->s.seg_code = m->s.fence;
	}
	/* plain while every line of it is a paragraph's (the segment may start inside
	 * this line) */
	int plain = starter(s, n) && !memchr(s, '|', n);
	m->s.seg_plain = at > m->s.seg_start ? plain && m->s.seg_plain : plain;
	int outside = !m->s.fence_ch && !m->s.html;
	block_state(m, at, s, n);
	if (outside && !m->s.refdef && refdef(s, n)) {
		/* everything before may change: one segment from the start */
		m->s.refdef = 1;
		drop_segments(m);
		open_segment(m, 0, 0);
		opened = 1;
	}
	if (at >= m->s.seg_start)
		count_marks(m, s, n);
	else if (at + n > m->s.seg_start) /* a forced cut may leave only the LF */
		count_marks(m, text + m->s.seg_start, at + n - m->s.seg_start);
	m->s.prev_blank = blank(s, n);
	m->s.prev_pipe = memchr(s, '|', n) != NULL;
	m->s.scanned = at + n + 1;
	if (opened)
		m->opened = m->s; /* after the line: its looks inside a line come after it */
	return rc;
}

/* Where the next look for a cut inside a line ends, or SIZE_MAX. */
static size_t window_end(const struct mdstream *m)
{
	const struct mdscan *s = &m->s;
	if (!s->window || s->refdef || s->stuck || s->fence_ch || s->html || s->seg_code.in ||
	    s->window > SIZE_MAX - s->seg_start)
		return SIZE_MAX;
	return s->seg_start + s->window;
}

/* text[from..end) without a last character cut short. */
static size_t whole_chars(const char *text, size_t from, size_t end)
{
	for (size_t k = 1; k <= 4 && end - k >= from && end - k < end; k++) {
		unsigned char c = (unsigned char)text[end - k];
		if ((c & 0xC0) == 0x80)
			continue;
		size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
		return need > k ? end - k : end;
	}
	return end;
}

/* A cut inside a word: between two characters outside ASCII (CJK without spaces), or
 * in a run of letters and digits 32 bytes long at least, where no link's scheme or
 * "www." could have started (only an e-mail address's '@' after it could still turn the
 * run into a link: a word that long is not one). */
static int word_cut(const char *text, size_t from, size_t p)
{
	unsigned char a = (unsigned char)text[p - 1], b = (unsigned char)text[p];
	if (a >= 0x80 && b >= 0x80)
		return 1;
	if (p - from < 32)
		return 0;
	for (size_t i = p - 32; i <= p; i++) {
		unsigned char c = (unsigned char)text[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return 0;
	}
	return 1;
}

/* A run of the window without a blank or '<', and where in it md4c (0.4.8) may start a
 * permissive autolink (SIZE_MAX: nowhere). */
struct link_run {
	size_t lo, hi, link;
};

static int run_stop(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '<';
}

/* Whether a cut inside a word at p would show an autolink that md4c (0.4.8) starts
 * before it, or one it does not start: from "http://", "https://", "ftp://" or "www."
 * (inside a link's destination too, where it is not shown) an autolink reaches to the
 * next blank or '<' and hides any autolink in its reach ("[a](http://x.co)z(http://
 * y.co)" shows the second as text), and one starts only after a blank or one of
 * "*_~([", not after the letters that a cut inside a word leaves before it. r keeps
 * the run looked at last (the cuts are tried last first), so that each run of the
 * window is read once. */
static int link_reach(const char *text, size_t from, size_t end, size_t p, struct link_run *r)
{
	if (!(r->lo < p && p <= r->hi)) {
		size_t lo = p, hi = p;
		while (lo > from && !run_stop(text[lo - 1]))
			lo--;
		while (hi < end && !run_stop(text[hi]))
			hi++;
		r->lo = lo;
		r->hi = hi;
		r->link = SIZE_MAX;
		for (size_t i = lo; i < hi; i++) {
			size_t at = SIZE_MAX;
			const char *t = text + i;
			if (t[0] == ':' && hi - i > 2 && t[1] == '/' && t[2] == '/')
				at = i - lo > 5 ? i - 5 : lo; /* the scheme's letters before it */
			else if (hi - i > 3 && (t[0] | 0x20) == 'w' && (t[1] | 0x20) == 'w' &&
				 (t[2] | 0x20) == 'w' && t[3] == '.')
				at = i;
			if (at < r->link)
				r->link = at;
		}
	}
	return r->link != SIZE_MAX && r->link < p + 5;
}

/* Whether a cut at p would show because of what the line holds before it: md4c reads
 * the segment that ends at p alone, and there the line's part before p would be a block
 * that the whole line is not. A line of one of '*', '-', '_' and '=' (and blanks) is a
 * thematic break or a setext underline (making the line before it a heading): "*** "
 * of "*** and more"; a line that starts with '<' may be an HTML tag alone on its line
 * (an HTML block) where the whole line is not; one that starts with "[label]:" a link
 * reference definition, which shows nothing ("[a]: bbb" of "[a]: bbbb c"). A line that
 * starts with a link is cut as any other. (A fence's opening line whose info string has
 * a backtick after the cut is not cut: the backticks keep what follows them dirty.)
 * (The segment after p starts with a starter: a block cannot start there.) */
static int cut_shows_before(const char *text, size_t from, size_t p)
{
	size_t i = p, e = p;
	while (i > from && text[i - 1] != '\n')
		i--;
	for (int k = 0; k < 3 && i < e && text[i] == ' '; k++)
		i++;
	if (i >= e)
		return 0;
	char c = text[i];
	if (c == '<')
		return 1;
	if (c == '[') { /* "[label]:" */
		for (size_t j = i + 1; j + 1 < e; j++)
			if (text[j] == ']' && text[j + 1] == ':')
				return 1;
		return 0;
	}
	if (c != '*' && c != '-' && c != '_' && c != '=')
		return 0;
	for (; i < e; i++)
		if (text[i] != c && text[i] != ' ' && text[i] != '\t')
			return 0;
	return 1;
}

/* The open segment is window bytes long at wend: a cut inside a line if one is right
 * there (or, at open_max, the last line start that can be had); else a wider window
 * next time. */
static int look_inside(struct mdstream *m, const char *text, size_t wend)
{
	struct mdscan *s = &m->s;
	if (m->wrap_seg == SIZE_MAX) {
		/* where this segment ends now depends on the width */
		m->wrap_seg = m->nseg;
		m->wrap_opened = m->opened;
	}
	size_t from = s->seg_start;
	size_t end = whole_chars(text, from, wend);
	struct md_cuts cuts;
	memset(&cuts, 0, sizeof cuts);
	m->rendered += end - from;
	int rc = md_find_cuts(text + from, end - from, m->width, MD_CONTINUES, &cuts);
	/* a line with a '|' may be a table's first row */
	if (!cuts.para || memchr(text + from, '|', wend - from)) {
		md_cuts_free(&cuts);
		s->window = 0; /* not a paragraph: not cut inside a line */
		return rc;
	}
	int forced = s->window >= m->open_max;
	size_t p = 0;
	int dirty = 0;
	struct link_run run = {0, 0, SIZE_MAX};
	for (size_t k = cuts.n; k-- > 0 && !p;) {
		const struct md_cut *c = &cuts.v[k];
		size_t at = from + c->at;
		if ((forced || !c->dirty) && at + 64 <= end && starter(text + at, wend - at) &&
		    (!c->word || (word_cut(text, from, at) &&
				  !link_reach(text, from, end, at, &run))) &&
		    !cut_shows_before(text, from, at)) {
			p = at;
			dirty = c->dirty;
		}
	}
	md_cuts_free(&cuts);
	if (!p && forced) {
		p = end > from ? end : wend;
		dirty = 1;
	}
	if (!p) {
		s->window = s->window < m->open_max / 2 ? s->window * 2 : m->open_max;
		return rc;
	}
	if (close_segment(m, text, p, 0) < 0)
		rc = -1;
	m->inexact += (size_t)dirty;
	open_segment(m, p, MD_CONTINUES);
	s->seg_plain = 1;
	if (s->scanned > p)
		count_marks(m, text + p, s->scanned - p);
	m->opened = *s;
	return rc;
}

int mdstream_update(struct mdstream *m, const char *text, size_t len, int width)
{
	int rc = 0;
	m->width = width < 1 ? 1 : width;
	/* lines and looks inside a line in the order of where they end in the text, so
	 * that any split of the same text into appends does the same */
	for (;;) {
		/* a long line is not searched for its LF again from its start */
		size_t from = m->s.scanned > m->no_lf ? m->s.scanned : m->no_lf;
		const char *lf = from < len ? memchr(text + from, '\n', len - from) : NULL;
		if (!lf)
			m->no_lf = len;
		size_t line_end = lf ? (size_t)(lf - text) + 1 : SIZE_MAX;
		size_t wend = window_end(m);
		if (wend <= len && wend <= line_end) {
			if (look_inside(m, text, wend) < 0)
				rc = -1;
		} else if (lf) {
			if (scan_line(m, text, m->s.scanned, line_end - 1 - m->s.scanned) < 0)
				rc = -1;
		} else {
			break;
		}
	}
	if (render_open(m, text, len) < 0)
		rc = -1;
	return rc;
}

int mdstream_relayout(struct mdstream *m, const char *text, size_t len, int width)
{
	/* where the cuts at line starts are and the code blocks' numbers do not depend on
	 * the width; cuts inside a line do (and whether one was found): the scan goes back
	 * to the first segment looked inside */
	if (m->wrap_seg != SIZE_MAX && m->wrap_seg <= m->nseg) {
		for (size_t i = m->wrap_seg; i < m->nseg; i++)
			if (m->segs[i].out) {
				md_out_free(m->segs[i].out);
				free(m->segs[i].out);
			}
		if (m->wrap_seg < m->nseg)
			m->ncode = m->segs[m->wrap_seg].ncode;
		m->nseg = m->wrap_seg;
		m->s = m->opened = m->wrap_opened;
		m->wrap_seg = SIZE_MAX;
		m->no_lf = 0;
	}
	m->width = width < 1 ? 1 : width;
	m->closed_lines = 0;
	m->valid = 0;
	m->inked = 0;
	int rc = 0;
	for (size_t i = 0; i < m->nseg; i++) {
		struct mdseg *g = &m->segs[i];
		if (g->start + g->len <= m->lazy_from) {
			g->nlines = 0;
			if (render_seg(m, text, g) < 0)
				rc = -1;
			m->inked |= g->inked;
			continue;
		}
		if (g->out) {
			md_out_free(g->out);
			free(g->out);
			g->out = NULL;
		}
		g->nlines = estimate(text + g->start, g->len, m->width, g->inked);
		m->closed_lines += g->nlines;
		m->inked |= g->inked;
	}
	if (mdstream_update(m, text, len, width) < 0)
		rc = -1;
	return rc;
}
size_t mdstream_lines(const struct mdstream *m)
{
	return m->closed_lines + m->out.nlines;
}

int mdstream_line(struct mdstream *m, const char *text, size_t k, const struct md_out **out,
		  const struct md_line **line, struct mdstream_fix *fix)
{
	if (k >= m->closed_lines) {
		k -= m->closed_lines;
		if (k >= m->out.nlines)
			return -1;
		*out = &m->out;
		*line = &m->out.lines[k];
		return 0;
	}
	if (m->valid > m->nseg)
		m->valid = m->nseg;
	for (m->first[0] = 0; m->valid < m->nseg; m->valid++)
		m->first[m->valid + 1] = m->first[m->valid] + m->segs[m->valid].nlines;
	/* the last segment starting at or before k: it holds k (k is below the total) */
	size_t lo = prefix_find(m->first, m->nseg, k);
	struct mdseg *g = &m->segs[lo];
	if (!g->out) {
		fix->at = m->first[lo];
		fix->old_n = g->nlines;
		/* on OOM its lines are a correct start; with no room for them at all, the
		 * line cannot be had (and asking again would not help) */
		if (render_seg(m, text, g) < 0 && !g->out)
			return -1;
		fix->new_n = g->nlines;
		m->valid = lo;
		return 1;
	}
	*out = g->out;
	*line = &g->out->lines[k - m->first[lo]];
	return 0;
}
