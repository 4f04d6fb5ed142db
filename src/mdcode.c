/* mdcode: the code blocks of a Markdown text as md4c finds them (pure): one block's
 * text as typed, for /copy N, and how many there are, for numbering a part of a text
 * rendered apart from what comes before it (mdstream.c). */
#include "cherry/markdown.h"

#include <md4c.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "md_int.h"

/* md4c 0.4.8 (Debian 12's) reads a byte past its input when the text ends inside a link
 * destination, and a ')' there closes the link outside the text and sends md4c past the
 * end of its line array (fixed in md4c 0.5.0; found by fuzz_markdown). md4c therefore
 * parses a copy ending in a NUL, never the caller's slice of a longer text. NULL when
 * memory ran out. */
char *md_parse_copy(const char *src, size_t len)
{
	char *c = malloc(len + 1);
	if (c) {
		if (len)
			memcpy(c, src, len);
		c[len] = '\0';
	}
	return c;
}

struct code_find {
	size_t want, seen;
	int in, found, oom;
	struct buf *out;
	const char *src;
	size_t len;
	size_t indent; /* columns of indentation md4c sent as spaces, not yet written */
};

static int cf_enter(MD_BLOCKTYPE type, void *detail, void *ud)
{
	(void)detail;
	struct code_find *c = ud;
	if (type == MD_BLOCK_CODE && ++c->seen == c->want)
		c->in = c->found = 1;
	return 0;
}

static int cf_leave(MD_BLOCKTYPE type, void *detail, void *ud)
{
	(void)detail;
	struct code_find *c = ud;
	if (type == MD_BLOCK_CODE)
		c->in = 0;
	return 0;
}

static int cf_span(MD_SPANTYPE type, void *detail, void *ud)
{
	(void)type, (void)detail, (void)ud;
	return 0;
}

static int in_src(const struct code_find *c, const char *s)
{
	uintptr_t p = (uintptr_t)s, a = (uintptr_t)c->src;
	return p >= a && p < a + c->len;
}

/* md4c sends a code line's indentation as spaces (a TAB expanded to its stop of 4),
 * apart from the line's text at p: the whitespace the source has before p that spans
 * exactly those columns is written instead, so a TAB stays a TAB. Some of it may be a
 * list's or a quote's; when no whole characters span exactly the columns (a TAB split
 * between the container and the code), spaces. */
static int cf_indent(struct code_find *c, const char *p)
{
	size_t k = c->indent;
	c->indent = 0;
	if (p) {
		const char *ls = p;
		while (ls > c->src && ls[-1] != '\n')
			ls--;
		size_t col = 0, at = SIZE_MAX, cols[256];
		size_t n = (size_t)(p - ls) < 255 ? (size_t)(p - ls) : 0;
		for (size_t i = 0; n && i <= n; i++) {
			cols[i] = col;
			if (i < n)
				col = ls[i] == '\t' ? (col / 4 + 1) * 4 : col + 1;
		}
		for (size_t i = n; n && cols[n] >= k; i--) {
			if (cols[n] - cols[i] == k) {
				at = i;
				break;
			}
			if (!i || (ls[i - 1] != ' ' && ls[i - 1] != '\t'))
				break;
		}
		if (at != SIZE_MAX)
			return buf_append(c->out, ls + at, n - at);
	}
	for (; k; k--)
		if (buf_append_char(c->out, ' ') < 0)
			return -1;
	return 0;
}

static int cf_text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *ud)
{
	(void)type;
	struct code_find *c = ud;
	if (!c->in)
		return 0;
	int src = in_src(c, s), spaces = n > 0 && !src;
	for (MD_SIZE i = 0; spaces && i < n; i++)
		spaces = s[i] == ' ';
	if (spaces) {
		c->indent += n;
		return 0;
	}
	if ((c->indent && cf_indent(c, src ? s : NULL) < 0) || buf_append(c->out, s, n) < 0) {
		c->oom = 1;
		return -1;
	}
	return 0;
}

/* Parses src[0..len) for code block want (0: none, only counting them). -1 on OOM. */
static int find_code(const char *src, size_t len, size_t want, struct buf *out,
		     struct code_find *c)
{
	/* the TABs are found again in the text md4c parses: the copy */
	char *copy = md_parse_copy(src, len);
	if (!copy)
		return -1;
	*c = (struct code_find){want, 0, 0, 0, 0, out, copy, len, 0};
	MD_PARSER p;
	memset(&p, 0, sizeof p);
	p.flags = MD_PARSE_FLAGS;
	p.enter_block = cf_enter;
	p.leave_block = cf_leave;
	p.enter_span = cf_span;
	p.leave_span = cf_span;
	p.text = cf_text;
	int rc = md_parse(copy, (MD_SIZE)len, &p, c);
	free(copy);
	/* counting, md4c's own failure (memory) leaves the count short */
	return c->oom || (!want && rc != 0) ? -1 : 0;
}

int md_code_block(const char *src, size_t len, size_t n, struct buf *out)
{
	struct code_find c;
	if (find_code(src, len, n, out, &c) < 0)
		return -1;
	return c.found ? 0 : 1;
}

int md_count_code(const char *src, size_t len, size_t *n)
{
	struct code_find c;
	if (find_code(src, len, 0, NULL, &c) < 0)
		return -1;
	*n = c.seen;
	return 0;
}
