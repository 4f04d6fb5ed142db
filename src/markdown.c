/* markdown: md4c's events turned into styled lines (pure). Containers (quotes, lists,
 * items) push a frame whose prefix every line inside them starts with; leaf blocks
 * collect their inline text with its styles and are wrapped when they close
 * (mdblocks.c lays out lines, code blocks and tables). md4c 0.4.8 can leave a span
 * open at the end of a block, so span state is reset whenever a leaf closes. */
#include "cherry/markdown.h"

#include <md4c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/hyperlink.h"
#include "cherry/sanitize.h"
#include "cherry/texmath.h"
#include "cherry/theme.h"
#include "cherry/utf8.h"
#include "md_int.h"

/* ---- inline text ---- */

void md_inline_reset(struct md_inline *in)
{
	buf_reset(&in->text);
	in->n = 0;
}

void md_inline_free(struct md_inline *in)
{
	buf_free(&in->text);
	free(in->spans);
	in->spans = NULL;
	in->n = in->cap = 0;
}

void md_inline_add(struct md_r *r, struct md_inline *in, const char *s, size_t n, uint8_t role,
		   uint8_t attrs, int nobreak)
{
	if (!n)
		return;
	size_t off = in->text.len;
	if (buf_append(&in->text, s, n) < 0) {
		r->oom = 1;
		return;
	}
	struct md_span *last = in->n ? &in->spans[in->n - 1] : NULL;
	size_t src = r->span_src;
	if (last && last->role == role && last->attrs == attrs && last->nobreak == nobreak &&
	    last->link == r->span_link && last->off + last->len == off &&
	    (last->src == SIZE_MAX ? src == SIZE_MAX : src == last->src + last->len)) {
		last->len += n;
		return;
	}
	if (in->n == in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 8;
		struct md_span *p = realloc(in->spans, cap * sizeof(*p));
		if (!p) {
			in->text.len = off;
			r->oom = 1;
			return;
		}
		in->spans = p;
		in->cap = cap;
	}
	in->spans[in->n++] = (struct md_span){off, n, role, attrs, (uint8_t)(nobreak != 0),
					      r->span_link, src};
}

static uint8_t cur_attrs(const struct md_r *r)
{
	unsigned a = 0;
	if (r->strong)
		a |= TA_BOLD;
	if (r->em)
		a |= TA_ITALIC;
	if (r->del)
		a |= TA_STRIKE;
	if (r->u || r->link_depth)
		a |= TA_UNDERLINE;
	return (uint8_t)a;
}

/* The role of plain text here: a heading's, a table header's, a quote's or text. */
static uint8_t base_role(const struct md_r *r)
{
	if (r->link_depth)
		return TR_LINK;
	if (r->in_cell && r->table.n && r->table.cells[r->table.n - 1].head)
		return TR_TABLE_HEADER;
	if (r->heading >= 1 && r->heading <= 6)
		return (uint8_t)(TR_H1 + r->heading - 1);
	for (int i = 0; i < r->nframes && i < MD_MAX_FRAMES; i++)
		if (r->frames[i].kind == MD_BLOCK_QUOTE)
			return TR_QUOTE;
	return TR_TEXT;
}

static void add_text(struct md_r *r, const char *s, size_t n)
{
	md_inline_add(r, r->target, s, n, base_role(r), cur_attrs(r), 0);
}

/* ---- entities ---- */

static const struct {
	const char *name;
	uint32_t cp;
} entities[] = {
	{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
	{"nbsp", 0xA0}, {"copy", 0xA9}, {"reg", 0xAE}, {"trade", 0x2122}, {"hellip", 0x2026},
	{"mdash", 0x2014}, {"ndash", 0x2013}, {"laquo", 0xAB}, {"raquo", 0xBB},
	{"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C}, {"rdquo", 0x201D},
	{"times", 0xD7}, {"divide", 0xF7}, {"deg", 0xB0}, {"plusmn", 0xB1}, {"middot", 0xB7},
	{"bull", 0x2022}, {"larr", 0x2190}, {"rarr", 0x2192}, {"uarr", 0x2191},
	{"darr", 0x2193}, {"harr", 0x2194}, {"euro", 0x20AC}, {"pound", 0xA3}, {"yen", 0xA5},
	{"cent", 0xA2}, {"sect", 0xA7}, {"para", 0xB6}, {"le", 0x2264}, {"ge", 0x2265},
	{"ne", 0x2260}, {"infin", 0x221E}, {"check", 0x2713},
};

/* "&name;", "&#123;" or "&#x1F;" decoded and sanitised again (an entity may name a
 * control character or a bidi override); unknown names stay as typed. */
static void add_entity(struct md_r *r, const char *s, size_t n)
{
	uint32_t cp = 0;
	int ok = 0;
	if (n >= 4 && s[1] == '#') {
		int hex = s[2] == 'x' || s[2] == 'X';
		ok = 1;
		for (size_t i = hex ? 3 : 2; i + 1 < n; i++) {
			char c = s[i];
			int d = c >= '0' && c <= '9' ? c - '0' :
				hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (d < 0 || cp > 0x10FFFF) {
				ok = 0;
				break;
			}
			cp = cp * (hex ? 16u : 10u) + (uint32_t)d;
		}
		if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			cp = 0xFFFD;
	} else if (n >= 3) {
		for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
			if (strlen(entities[i].name) == n - 2 && !memcmp(entities[i].name, s + 1, n - 2)) {
				cp = entities[i].cp;
				ok = 1;
				break;
			}
	}
	if (!ok) {
		add_text(r, s, n);
		return;
	}
	char u[4];
	size_t k = utf8_encode(cp, u);
	struct buf clean = BUF_INIT;
	if (sanitize_string(u, k, &clean) < 0)
		r->oom = 1;
	else
		add_text(r, clean.data ? clean.data : "", clean.len);
	buf_free(&clean);
}

/* ---- frames ---- */

static struct md_frame *top_frame(struct md_r *r)
{
	return r->nframes > 0 && r->nframes <= MD_MAX_FRAMES ? &r->frames[r->nframes - 1] : NULL;
}

static struct md_frame *push_frame(struct md_r *r, int kind)
{
	r->nframes++;
	struct md_frame *f = top_frame(r);
	if (f) {
		memset(f, 0, sizeof(*f));
		f->kind = kind;
	}
	return f;
}

/* Inside a tight list item, blocks follow each other without a blank line. */
static int tight_here(const struct md_r *r)
{
	if (r->nframes < 2 || r->nframes > MD_MAX_FRAMES)
		return 0;
	const struct md_frame *f = &r->frames[r->nframes - 1];
	return f->kind == MD_BLOCK_LI && r->frames[r->nframes - 2].tight;
}

static void gap(struct md_r *r)
{
	if (r->need_gap && !tight_here(r))
		md_blank(r);
	r->need_gap = 0;
}

/* The text of an item's own paragraph, before a nested block or at its end. */
static void flush_leaf(struct md_r *r)
{
	if (r->in.text.len) {
		md_flow_inline(r, &r->in);
		r->need_gap = 1;
	}
	md_inline_reset(&r->in);
	r->in_leaf = 0;
}

static void set_marker(struct md_frame *f, const char *first, uint8_t role)
{
	snprintf(f->first, sizeof f->first, "%s", first);
	size_t w = 0;
	for (const char *p = first; *p;) {
		uint32_t cp;
		p += utf8_decode(p, strlen(p), &cp);
		w++;
	}
	if (w >= sizeof f->cont)
		w = sizeof f->cont - 1;
	memset(f->cont, ' ', w);
	f->cont[w] = '\0';
	f->role = role;
	md_frame_widths(f);
}

static void enter_li(struct md_r *r, const MD_BLOCK_LI_DETAIL *d)
{
	struct md_frame *list = top_frame(r);
	if (list && list->kind == MD_BLOCK_LI)
		list = NULL;
	if (r->need_gap && list && !list->tight)
		md_blank(r);
	r->need_gap = 0;
	char marker[24];
	if (list && list->kind == MD_BLOCK_OL) {
		snprintf(marker, sizeof marker, "%u. ", list->next++);
	} else {
		/* bullets by depth: • ◦ ▪ */
		int depth = 0;
		for (int i = 0; i < r->nframes && i < MD_MAX_FRAMES; i++)
			depth += r->frames[i].kind == MD_BLOCK_UL;
		static const char *const bullets[] = {"\xE2\x80\xA2 ", "\xE2\x97\xA6 ",
						      "\xE2\x96\xAA "};
		snprintf(marker, sizeof marker, "%s", bullets[(depth + 2) % 3]);
	}
	struct md_frame *f = push_frame(r, MD_BLOCK_LI);
	if (!f)
		return;
	if (d && d->is_task) {
		int checked = d->task_mark == 'x' || d->task_mark == 'X';
		/* ☐ / ☑ after the bullet or number */
		size_t k = strlen(marker);
		snprintf(marker + k, sizeof marker - k, "%s",
			 checked ? "\xE2\x98\x91 " : "\xE2\x98\x90 ");
		f->task = checked ? 2 : 1;
	}
	set_marker(f, marker, TR_LIST_MARKER);
	r->in_leaf = 1; /* a tight item's text comes without a paragraph */
	r->heading = 0;
}

/* ---- md4c callbacks ---- */

static void copy_attr(const MD_ATTRIBUTE *a, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; a && i < a->size && n + 1 < cap; i++) {
		unsigned char c = (unsigned char)a->text[i];
		if (c > 0x20 && c < 0x7F)
			out[n++] = (char)c;
	}
	out[n] = '\0';
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct md_r *r = ud;
	if (type != MD_BLOCK_DOC && type != MD_BLOCK_LI && !r->in_table)
		flush_leaf(r);
	switch (type) {
	case MD_BLOCK_DOC:
		break;
	case MD_BLOCK_QUOTE: {
		gap(r);
		struct md_frame *f = push_frame(r, MD_BLOCK_QUOTE);
		if (f) {
			snprintf(f->first, sizeof f->first, "\xE2\x94\x82 ");
			snprintf(f->cont, sizeof f->cont, "\xE2\x94\x82 ");
			f->role = TR_QUOTE_BAR;
			md_frame_widths(f);
		}
		break;
	}
	case MD_BLOCK_UL:
	case MD_BLOCK_OL: {
		gap(r);
		struct md_frame *f = push_frame(r, (int)type);
		if (f) {
			if (type == MD_BLOCK_UL) {
				f->tight = ((MD_BLOCK_UL_DETAIL *)detail)->is_tight;
			} else {
				f->tight = ((MD_BLOCK_OL_DETAIL *)detail)->is_tight;
				f->next = ((MD_BLOCK_OL_DETAIL *)detail)->start;
			}
		}
		break;
	}
	case MD_BLOCK_LI:
		flush_leaf(r);
		enter_li(r, detail);
		break;
	case MD_BLOCK_HR:
		gap(r);
		md_render_rule(r);
		r->need_gap = 1;
		break;
	case MD_BLOCK_H:
		gap(r);
		r->in_leaf = 1;
		r->heading = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
		break;
	case MD_BLOCK_CODE: {
		gap(r);
		MD_BLOCK_CODE_DETAIL *d = detail;
		r->in_code = 1;
		buf_reset(&r->code);
		copy_attr(&d->lang, r->lang, sizeof r->lang);
		break;
	}
	case MD_BLOCK_HTML:
		gap(r);
		r->in_leaf = 1;
		r->in_html = 1;
		break;
	case MD_BLOCK_P:
		gap(r);
		r->in_leaf = 1;
		break;
	case MD_BLOCK_TABLE:
		gap(r);
		r->in_table = 1;
		r->table.n = 0;
		r->table.ncol = ((MD_BLOCK_TABLE_DETAIL *)detail)->col_count;
		break;
	case MD_BLOCK_TR:
		r->table.row_cells = 0;
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD: {
		struct md_table *t = &r->table;
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 16;
			struct md_cell *p = realloc(t->cells, cap * sizeof(*p));
			if (!p) {
				r->oom = 1;
				return -1;
			}
			memset(p + t->cap, 0, (cap - t->cap) * sizeof(*p));
			t->cells = p;
			t->cap = cap;
		}
		struct md_cell *c = &t->cells[t->n++];
		md_inline_reset(&c->in);
		c->align = (int)((MD_BLOCK_TD_DETAIL *)detail)->align;
		c->head = type == MD_BLOCK_TH;
		r->in_cell = 1;
		r->target = &c->in;
		break;
	}
	default:
		break;
	}
	return r->oom ? -1 : 0;
}

static void reset_spans(struct md_r *r)
{
	r->strong = r->em = r->del = r->u = r->codespan = r->link_depth = 0;
	r->math = r->math_display = 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	(void)detail;
	struct md_r *r = ud;
	switch (type) {
	case MD_BLOCK_QUOTE:
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		flush_leaf(r);
		if (r->nframes > 0)
			r->nframes--;
		r->need_gap = 1;
		break;
	case MD_BLOCK_LI:
		flush_leaf(r);
		if (r->nframes > 0)
			r->nframes--;
		r->need_gap = 1;
		break;
	case MD_BLOCK_H:
	case MD_BLOCK_P:
	case MD_BLOCK_HTML:
		flush_leaf(r);
		r->heading = 0;
		r->in_html = 0;
		r->need_gap = 1;
		reset_spans(r);
		break;
	case MD_BLOCK_CODE:
		md_render_code(r);
		r->in_code = 0;
		r->need_gap = 1;
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		r->in_cell = 0;
		r->target = &r->in;
		reset_spans(r);
		break;
	case MD_BLOCK_TABLE:
		md_render_table(r);
		r->in_table = 0;
		r->need_gap = 1;
		break;
	default:
		break;
	}
	return r->oom ? -1 : 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct md_r *r = ud;
	switch (type) {
	case MD_SPAN_EM: r->em++; break;
	case MD_SPAN_STRONG: r->strong++; break;
	case MD_SPAN_DEL: r->del++; break;
	case MD_SPAN_U: r->u++; break;
	case MD_SPAN_CODE: r->codespan++; break;
	case MD_SPAN_A:
	case MD_SPAN_IMG: {
		const MD_ATTRIBUTE *href = type == MD_SPAN_A ? &((MD_SPAN_A_DETAIL *)detail)->href :
							       &((MD_SPAN_IMG_DETAIL *)detail)->src;
		if (type == MD_SPAN_A)
			md_cut_hidden(r, ((MD_SPAN_A_DETAIL *)detail)->title.text,
				      ((MD_SPAN_A_DETAIL *)detail)->title.size);
		md_cut_hidden(r, href->text, href->size);
		if (r->link_depth++ == 0) {
			buf_reset(&r->href);
			if (buf_append(&r->href, href->text, href->size) < 0)
				r->oom = 1;
			r->link_start = r->target->text.len;
		}
		if (type == MD_SPAN_IMG)
			md_inline_add(r, r->target, "[image: ", 8, TR_URL, 0, 0);
		break;
	}
	case MD_SPAN_LATEXMATH:
	case MD_SPAN_LATEXMATH_DISPLAY:
		r->math++;
		r->math_display = type == MD_SPAN_LATEXMATH_DISPLAY;
		buf_reset(&r->math_src);
		if (r->math_display && r->target->text.len &&
		    r->target->text.data[r->target->text.len - 1] != '\n')
			md_inline_add(r, r->target, "\n", 1, TR_TEXT, 0, 0);
		break;
	default:
		break;
	}
	return r->oom ? -1 : 0;
}

/* Registers url (sanitised) as a link target: its number, or 0 when hyperlink.h
 * refuses it (then it is shown, not linked). */
static uint32_t add_link(struct md_r *r, const char *url, size_t n)
{
	struct md_out *o = r->out;
	size_t at = o->uris.len;
	int rc = hyperlink_uri(url, n, &o->uris);
	if (rc)
		r->oom |= rc < 0;
	if (rc || o->nlinks >= UINT32_MAX - 1)
		return 0;
	if (o->nlinks == o->cap_links) {
		size_t cap = o->cap_links ? o->cap_links * 2 : 8;
		struct md_link *p = realloc(o->links, cap * sizeof(*p));
		if (!p) {
			o->uris.len = at;
			r->oom = 1;
			return 0;
		}
		o->links = p;
		o->cap_links = cap;
	}
	o->links[o->nlinks++] = (struct md_link){at, o->uris.len - at};
	return (uint32_t)o->nlinks;
}

/* A link's URL after its text, unless the text is the URL (an autolink); either way
 * the URL as shown is what carries the link. */
static void end_link(struct md_r *r, int image)
{
	if (image)
		md_inline_add(r, r->target, "]", 1, TR_URL, 0, 0);
	/* the text may have gone with its leaf when md4c left the link open */
	size_t from = r->link_start <= r->target->text.len ? r->link_start : r->target->text.len;
	const char *t = r->target->text.data ? r->target->text.data + from : "";
	size_t tn = r->target->text.len - from;
	const char *h = r->href.data ? r->href.data : "";
	size_t hn = r->href.len;
	int same = tn == hn && !memcmp(t, h, hn);
	if (!same && tn + 7 == hn && !memcmp(h, "mailto:", 7) && !memcmp(h + 7, t, tn))
		same = 1;
	if (!same && hn > 7 && !memcmp(h, "http://", 7) && tn + 7 == hn && !memcmp(h + 7, t, tn))
		same = 1; /* www. autolinks get http:// put before them */
	if (!hn)
		return;
	struct buf clean = BUF_INIT;
	if (buf_append_str(&clean, " ") < 0 || sanitize_string(h, hn, &clean) < 0) {
		r->oom = 1;
	} else if (same) {
		/* the text is the URL: it carries the link (the spans from link_start on) */
		uint32_t id = add_link(r, clean.data + 1, clean.len - 1);
		for (size_t k = r->target->n; id && k-- > 0 && r->target->spans[k].off >= from;)
			r->target->spans[k].link = id;
	} else {
		/* a URL is one word: its spaces are not break points */
		uint32_t id = add_link(r, clean.data + 1, clean.len - 1);
		md_inline_add(r, r->target, clean.data, 1, TR_URL, 0, 0);
		r->span_link = id;
		md_inline_add(r, r->target, clean.data + 1, clean.len - 1, TR_URL, 0, 1);
		r->span_link = 0;
	}
	buf_free(&clean);
}

static void end_math(struct md_r *r)
{
	struct buf u = BUF_INIT;
	const char *src = r->math_src.data ? r->math_src.data : "";
	int all = texmath_to_unicode(src, r->math_src.len, &u);
	if (all < 0) {
		r->oom = 1;
	} else if (all) {
		md_inline_add(r, r->target, u.data ? u.data : "", u.len, TR_MATH, cur_attrs(r), 0);
	} else {
		/* kept as TeX: between its dollars, so it reads as math */
		const char *d = r->math_display ? "$$" : "$";
		md_inline_add(r, r->target, d, strlen(d), TR_MATH, 0, 1);
		md_inline_add(r, r->target, src, r->math_src.len, TR_MATH, 0, 0);
		md_inline_add(r, r->target, d, strlen(d), TR_MATH, 0, 1);
	}
	buf_free(&u);
	if (r->math_display)
		md_inline_add(r, r->target, "\n", 1, TR_TEXT, 0, 0);
}

static int leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
	(void)detail;
	struct md_r *r = ud;
	switch (type) {
	case MD_SPAN_EM: r->em -= r->em > 0; break;
	case MD_SPAN_STRONG: r->strong -= r->strong > 0; break;
	case MD_SPAN_DEL: r->del -= r->del > 0; break;
	case MD_SPAN_U: r->u -= r->u > 0; break;
	case MD_SPAN_CODE: r->codespan -= r->codespan > 0; break;
	case MD_SPAN_A:
	case MD_SPAN_IMG:
		if (r->link_depth > 0 && --r->link_depth == 0)
			end_link(r, type == MD_SPAN_IMG);
		break;
	case MD_SPAN_LATEXMATH:
	case MD_SPAN_LATEXMATH_DISPLAY:
		if (r->math > 0 && --r->math == 0)
			end_math(r);
		break;
	default:
		break;
	}
	return r->oom ? -1 : 0;
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *ud)
{
	struct md_r *r = ud;
	/* md4c 0.4.8 can pass a bad size after a permissive autolink inside a span (found
	 * by fuzz_markdown): text from the input must lie inside it */
	if (n > r->src_len || (s >= r->src && s <= r->src + r->src_len &&
			       n > (size_t)(r->src + r->src_len - s)))
		return 0;
	if (r->in_code) {
		if (buf_append(&r->code, s, n) < 0)
			r->oom = 1;
		return r->oom ? -1 : 0;
	}
	if (r->math) {
		md_cut_hidden(r, s, n);
		if (buf_append(&r->math_src, s, n) < 0)
			r->oom = 1;
		return r->oom ? -1 : 0;
	}
	switch (type) {
	case MD_TEXT_NULLCHAR:
		add_text(r, "\xEF\xBF\xBD", 3);
		break;
	case MD_TEXT_BR:
	case MD_TEXT_SOFTBR:
		/* a model's single line breaks are kept: they are meant */
		md_inline_add(r, r->target, "\n", 1, TR_TEXT, 0, 0);
		break;
	case MD_TEXT_ENTITY:
		add_entity(r, s, n);
		break;
	case MD_TEXT_CODE:
		md_inline_add(r, r->target, s, n, TR_CODE, cur_attrs(r) & ~TA_UNDERLINE, 1);
		break;
	case MD_TEXT_HTML:
		if (!r->in_html && n >= 4 && (!strncmp(s, "<br>", 4) || !strncmp(s, "<br/>", 5) ||
					      !strncmp(s, "<br />", 6)) &&
		    s[n - 1] == '>' && n <= 6)
			md_inline_add(r, r->target, "\n", 1, TR_TEXT, 0, 0);
		else
			md_inline_add(r, r->target, s, n, TR_HTML, 0, 0);
		break;
	default:
		/* text as typed: where it is in the source, for md_find_cuts */
		if (s >= r->src && s <= r->src + r->src_len)
			r->span_src = (size_t)(s - r->src);
		add_text(r, s, n);
		r->span_src = SIZE_MAX;
		break;
	}
	return r->oom ? -1 : 0;
}

/* ---- the output ---- */

void md_out_mark(const struct md_out *out, struct md_mark *m)
{
	m->text = out->text.len;
	m->lines = out->nlines;
	m->runs = out->nruns;
	m->ncode = out->ncode;
	m->links = out->nlinks;
	m->uris = out->uris.len;
}

void md_out_rewind(struct md_out *out, const struct md_mark *m)
{
	out->text.len = m->text;
	if (out->text.data)
		out->text.data[m->text] = '\0';
	out->nlines = m->lines;
	out->nruns = m->runs;
	out->ncode = m->ncode;
	out->nlinks = m->links;
	out->uris.len = m->uris;
}

void md_out_reset(struct md_out *out)
{
	struct md_mark zero = {0, 0, 0, 0, 0, 0};
	md_out_rewind(out, &zero);
}

void md_out_free(struct md_out *out)
{
	buf_free(&out->text);
	buf_free(&out->uris);
	free(out->lines);
	free(out->runs);
	free(out->links);
	memset(out, 0, sizeof(*out));
}

const char *md_link_uri(const struct md_out *out, uint32_t n, size_t *len)
{
	if (!n || n > out->nlinks || !out->uris.data)
		return NULL;
	*len = out->links[n - 1].len;
	return out->uris.data + out->links[n - 1].off;
}

static void r_free(struct md_r *r)
{
	md_inline_free(&r->in);
	buf_free(&r->href);
	buf_free(&r->math_src);
	buf_free(&r->code);
	for (size_t i = 0; i < r->table.cap; i++)
		md_inline_free(&r->table.cells[i].in);
	free(r->table.cells);
}

/* Text without Markdown: each line wrapped as typed. */
static void render_plain(struct md_r *r, const char *src, size_t len)
{
	md_inline_add(r, &r->in, src, len, TR_TEXT, 0, 0);
	md_flow_inline(r, &r->in);
}

/* The fence's line, an LF, then src, ending in a NUL (md_parse_copy's). */
static char *cont_copy(const struct md_code_cont *cont, const char *src, size_t len)
{
	size_t n = cont->fence_len + 1;
	if (len > SIZE_MAX - n - 1)
		return NULL;
	char *c = malloc(n + len + 1);
	if (c) {
		memcpy(c, cont->fence, cont->fence_len);
		c[cont->fence_len] = '\n';
		if (len)
			memcpy(c + n, src, len);
		c[n + len] = '\0';
	}
	return c;
}

static int render(struct md_out *out, const char *src, size_t len, int width, unsigned flags,
		  struct md_cuts *cuts, const struct md_code_cont *cont)
{
	struct md_r r;
	memset(&r, 0, sizeof r);
	r.cont = cont;
	r.code_open = (flags & MD_CODE_OPEN) != 0;
	r.span_src = SIZE_MAX;
	r.cuts = cuts;
	r.out = out;
	r.src = src;
	r.src_len = len;
	r.width = width < 1 ? 1 : width;
	r.target = &r.in;
	r.need_gap = (out->nlines > 0 || (flags & MD_AFTER)) && !(flags & MD_CONTINUES);
	struct md_mark start;
	md_out_mark(out, &start);
	char *copy = NULL;
	if (flags & MD_PLAIN) {
		render_plain(&r, src, len);
	} else if (!(copy = cont ? cont_copy(cont, src, len) : md_parse_copy(src, len))) {
		r.oom = 1;
	} else {
		if (cont)
			len += cont->fence_len + 1;
		r.src = copy;
		r.src_len = len;
		MD_PARSER p;
		memset(&p, 0, sizeof p);
		p.flags = MD_PARSE_FLAGS;
		p.enter_block = enter_block;
		p.leave_block = leave_block;
		p.enter_span = enter_span;
		p.leave_span = leave_span;
		p.text = on_text;
		if (md_parse(copy, (MD_SIZE)len, &p, &r) != 0 && !r.oom)
			r.oom = 1;
		flush_leaf(&r);
	}
	/* the block goes on in the next piece: its bottom frame is drawn there */
	if (r.code_open && r.code_last && out->nlines <= r.code_bottom.lines + 1)
		md_out_rewind(out, &r.code_bottom);
	if (cuts && cuts->tail) {
		cuts->para = cuts->para && out->nlines == cuts->lines; /* nothing after it */
	} else if (cuts) {
		cuts->para = r.leaves == 1 && cuts->lines && out->nlines == cuts->lines;
		if (!cuts->para)
			cuts->n = 0; /* not one paragraph: no cut is known to be right */
	}
	r_free(&r);
	free(copy);
	return r.oom ? -1 : 0;
}

int md_render(struct md_out *out, const char *src, size_t len, int width, unsigned flags)
{
	return render(out, src, len, width, flags, NULL, NULL);
}

int md_render_cont(struct md_out *out, const struct md_code_cont *cont, const char *src,
		   size_t len, int width, unsigned flags)
{
	return render(out, src, len, width, flags | MD_CONTINUES, NULL, cont);
}

int md_find_cuts(const char *src, size_t len, int width, unsigned flags, struct md_cuts *cuts)
{
	struct md_out out;
	memset(&out, 0, sizeof out);
	cuts->n = cuts->lines = 0;
	cuts->depth = 0;
	cuts->dirty = 0;
	cuts->span = cuts->pos = 0;
	cuts->ticks = cuts->tick_len = 0;
	cuts->hidden = SIZE_MAX;
	cuts->oom = 0;
	cuts->para = 0;
	int rc = render(&out, src, len, width, flags & ~MD_PLAIN, cuts, NULL);
	md_out_free(&out);
	return rc < 0 || cuts->oom ? -1 : 0;
}

int md_tail_settled(const char *src, size_t len, int width, unsigned flags)
{
	struct md_cuts cuts;
	memset(&cuts, 0, sizeof cuts);
	cuts.tail = 1;
	int rc = md_find_cuts(src, len, width, flags, &cuts);
	int settled = cuts.para && !cuts.dirty && cuts.hidden == SIZE_MAX;
	md_cuts_free(&cuts);
	return rc < 0 ? -1 : settled;
}
