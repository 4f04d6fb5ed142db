/* mdcut: where a paragraph rendered for md_find_cuts can be cut inside a source line
 * (pure): at the start of a wrapped line whose first byte, and the break before it,
 * are text as typed, plain, so that the source cut there renders as the same lines in
 * two pieces; marked dirty once something before it could still open a span that later
 * text closes (mdstream.c decides which cut it takes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/text.h"
#include "cherry/theme.h"
#include "md_int.h"

void md_cuts_free(struct md_cuts *c)
{
	free(c->v);
	memset(c, 0, sizeof *c);
}

static int blank_ch(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int punct_ch(unsigned char c)
{
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
	       (c >= '{' && c <= '~');
}

static int alnum_ch(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether s[y] is escaped by a backslash (an odd run of them before it). */
static int escaped(const char *s, size_t y)
{
	size_t k = 0;
	while (k < y && s[y - 1 - k] == '\\')
		k++;
	return k % 2;
}

/* Whether the run of s[y]'s character around y could open a span (CommonMark's
 * left-flanking run; a byte outside ASCII counts as whatever lets it open; `_` between
 * letters cannot; md4c's `~` before anything but a blank, its `$` always). */
static int may_open(const char *s, size_t n, size_t y)
{
	char ch = s[y];
	size_t a = y, b = y;
	while (a > 0 && s[a - 1] == ch)
		a--;
	if (a < y && escaped(s, a))
		a++; /* "\~~": the run is the unescaped ones */
	while (b < n && s[b] == ch)
		b++;
	if (b >= n)
		return 1; /* what follows is not known */
	unsigned char prev = a ? (unsigned char)s[a - 1] : ' ', next = (unsigned char)s[b];
	if (ch == '$')
		return b - a <= 2; /* md4c pairs any two runs of one or two */
	if (ch == '~')
		return b - a <= 2 && (next >= 0x80 || !blank_ch(next)); /* md4c's rule */
	if (ch == '_' && alnum_ch(prev) && alnum_ch(next))
		return 0;
	if (next >= 0x80)
		return 1;
	if (blank_ch(next))
		return 0;
	return !punct_ch(next) || prev >= 0x80 || blank_ch(prev) || punct_ch(prev);
}

/* Whether the source byte y, shown as text, could still become part of a span that
 * later text closes; *depth counts the [ not closed. */
static int unsettled(const char *s, size_t n, size_t y, long *depth, int stretch)
{
	unsigned char ch = (unsigned char)s[y], next = y + 1 < n ? (unsigned char)s[y + 1] : 0;
	if (escaped(s, y))
		return 0;
	switch (ch) {
	case '`':
		return 1;
	case '[':
		++*depth;
		return 0;
	case ']':
		if (*depth > 0)
			--*depth;
		return !next || next == '(' || next == '['; /* "[a](" may still become a link */
	case '<':
		/* a tag or an autolink may start here */
		if (!next || (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
		    next == '/' || next == '!' || next == '?')
			return 1;
		/* md4c (0.4.8) takes any ASCII byte after the '<' as an autolink's first, a
		 * digit or a blank too ("<4a:b>", "< a:b>"); the autolink ends at a '>' with
		 * no blank or '<' after that first byte: a '<' shown as text is settled once
		 * one of them follows, and may still open one until then */
		if (next >= 0x80)
			return 0;
		for (size_t i = y + 2; i < n; i++)
			if (blank_ch((unsigned char)s[i]) || s[i] == '\v' || s[i] == '\f' ||
			    s[i] == '<' || s[i] == '>')
				return 0;
		return 1;
	case '*':
	case '_':
	case '~':
	case '$':
		return may_open(s, n, y);
	case '&':
		/* an entity may end after it (its width would change) */
		return stretch;
	default:
		return 0;
	}
}

void md_cut_hidden(struct md_r *r, const char *s, size_t n)
{
	struct md_cuts *c = r->cuts;
	if (!c || !n || !s)
		return;
	size_t at = s >= r->src && s < r->src + r->src_len ? (size_t)(s - r->src) : 0;
	/* md4c (0.4.8) also pairs a '*', '~' or '$' inside a link's target or title
	 * with a closing one after the link: "[l](https://a*b) x* y" renders "x</em> y",
	 * a stray end of a span that was never opened; a cut between them would show the
	 * later one as it is */
	for (size_t i = 0; i < n; i++)
		if (s[i] == '`' || s[i] == '[' || s[i] == ']' || s[i] == '<' || s[i] == '*' ||
		    s[i] == '~' || s[i] == '$') {
			if (at < c->hidden)
				c->hidden = at;
			return;
		}
}

/* Whether a code span may still be open at source offset p: backtick runs read from
 * where the last call stopped (a run opens; the next run as long closes it; an escaped
 * one opens nothing). */
static int ticks_open(struct md_r *r, size_t p)
{
	struct md_cuts *c = r->cuts;
	const char *s = r->src;
	while (c->ticks < p && c->ticks < r->src_len) {
		size_t i = c->ticks;
		if (s[i] != '`') {
			c->ticks++;
			continue;
		}
		size_t k = 0;
		while (i + k < r->src_len && s[i + k] == '`')
			k++;
		if (c->tick_len)
			c->tick_len = k == c->tick_len ? 0 : c->tick_len;
		else if (!escaped(s, i))
			c->tick_len = k;
		else if (k > 1)
			c->tick_len = k - 1;
		c->ticks = i + k;
	}
	return c->tick_len != 0;
}

/* Looks at the text as typed up to in's offset q (from where the last call stopped). */
static void scan_to(struct md_r *r, const struct md_inline *in, size_t q)
{
	struct md_cuts *c = r->cuts;
	while (c->span < in->n) {
		const struct md_span *sp = &in->spans[c->span];
		size_t send = sp->off + sp->len;
		if (c->pos < sp->off)
			c->pos = sp->off;
		size_t end = send < q ? send : q;
		for (; c->pos < end; c->pos++)
			if (sp->src != SIZE_MAX &&
			    unsettled(r->src, r->src_len, sp->src + (c->pos - sp->off), &c->depth, 0))
				c->dirty = 1;
		if (send > q)
			return;
		c->span++;
	}
}

/* The span holding in's byte at, or NULL. */
static const struct md_span *span_at(const struct md_inline *in, size_t at)
{
	size_t lo = 0, hi = in->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct md_span *sp = &in->spans[mid];
		if (at < sp->off)
			hi = mid;
		else if (at >= sp->off + sp->len)
			lo = mid + 1;
		else
			return sp;
	}
	return NULL;
}

/* Where in's byte at is in the source, or SIZE_MAX. */
static size_t src_of(const struct md_inline *in, size_t at)
{
	const struct md_span *sp = span_at(in, at);
	return sp && sp->src != SIZE_MAX ? sp->src + (at - sp->off) : SIZE_MAX;
}

/* Whether the text from in's offset start as far as the line before could have
 * reached (the width and one cluster more) is settled: its width cannot change when
 * text is added after it, so neither can where that line broke. */
static int settled_from(const struct md_r *r, const struct md_inline *in, size_t start)
{
	size_t stop = start;
	for (int col = 0; stop < in->text.len && in->text.data[stop] != '\n' && col <= r->width;) {
		int w;
		stop += text_next_cluster(in->text.data + stop, in->text.len - stop, &w);
		col += w;
	}
	long depth = 0;
	for (const struct md_span *sp = span_at(in, start); sp && sp < in->spans + in->n &&
							   sp->off < stop; sp++) {
		size_t from = sp->off > start ? sp->off : start;
		size_t to = sp->off + sp->len < stop ? sp->off + sp->len : stop;
		for (size_t x = from; sp->src != SIZE_MAX && x < to; x++)
			if (unsettled(r->src, r->src_len, sp->src + (x - sp->off), &depth, 1))
				return 0;
	}
	return depth == 0;
}

void md_cut_line(struct md_r *r, const struct md_inline *in, size_t end, size_t start)
{
	struct md_cuts *c = r->cuts;
	if (!start || start >= in->text.len)
		return;
	/* broken at spaces (dropped), or inside a word or beside a wide character */
	for (size_t i = end; i < start; i++)
		if (in->text.data[i] != ' ')
			return;
	/* plain text, or a permissive autolink that starts there (its text is its source) */
	const struct md_span *sp = span_at(in, start);
	if (!sp || sp->src == SIZE_MAX || sp->nobreak ||
	    !((sp->role == TR_TEXT && !sp->attrs && !sp->link) ||
	      (sp->role == TR_LINK && sp->attrs == TA_UNDERLINE && sp->off == start)))
		return;
	size_t p = sp->src + (start - sp->off);
	/* what ends the line before is the source right before p: its break spaces (then
	 * md4c drops them at the end of the first piece), or its last byte */
	size_t before = start > end ? end : start - 1;
	if (src_of(in, before) == SIZE_MAX || src_of(in, before) + (start - before) != p)
		return;
	for (size_t i = p - (start - end); i < p; i++)
		if (r->src[i] != ' ')
			return; /* a TAB: md4c keeps it at the end of the first piece */
	scan_to(r, in, start);
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct md_cut *v = realloc(c->v, cap * sizeof *v);
		if (!v) {
			c->oom = 1;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	int dirty = c->dirty || c->depth > 0 || c->hidden < p || ticks_open(r, p) ||
		    !settled_from(r, in, start);
	c->v[c->n++] = (struct md_cut){p, start == end, (unsigned char)dirty};
}

void md_cut_tail(struct md_r *r, const struct md_inline *in, int para)
{
	struct md_cuts *c = r->cuts;
	c->para = para;
	c->lines = r->out->nlines;
	if (!para)
		return;
	c->span = c->pos = 0;
	c->depth = 0;
	c->dirty = 0;
	scan_to(r, in, in->text.len);
	c->ticks = c->tick_len = 0;
	c->dirty |= c->depth > 0 || ticks_open(r, r->src_len);
}
