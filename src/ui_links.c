/* ui_links: OSC 8 hyperlinks over the URLs the chat shows. curses cannot put an escape
 * sequence into a cell, so after each refresh the cells of every URL on the screen are
 * written again, as the terminal already shows them (read back from curscr, in their
 * attributes through vid_puts, which keeps curses' idea of the terminal's attributes
 * true), between an OSC 8 opener and its closer; then the cursor goes back where curses
 * left it (newscr's cursor: where it believes the terminal's is). A terminal keeps a link with the cell, and curses rewrites only the cells
 * that change, so the cells of a link that is no longer there are written once more
 * without one. The sequences come from hyperlink.h alone. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui.h"
#include "ui_int.h"

#include <stdlib.h>
#include <string.h>

#include <curses.h>
#include <term.h>

#include "cherry/buf.h"
#include "cherry/hyperlink.h"
#include "cherry/utf8.h"

#define MAX_SEGS 256

struct seg {
	int y, x, cols;      /* on the screen */
	size_t uri, uri_len; /* in the set's uris */
};

struct set {
	struct seg v[MAX_SEGS];
	int n;
	struct buf uris;
};

static int enabled;
static struct set sets[2];
static int cur;     /* sets[cur] was emitted; sets[!cur] is being collected */
static int collecting;
static struct buf out;

void ui_links_enable(int on)
{
	enabled = on;
}

void ui_links_begin(void)
{
	struct set *s = &sets[!cur];
	s->n = 0;
	buf_reset(&s->uris);
	collecting = 1;
}

void ui_links_add(int y, int x, int cols, const char *uri, size_t n)
{
	struct set *s = &sets[!cur];
	if (!enabled || !collecting || cols < 1 || s->n == MAX_SEGS)
		return;
	size_t at = s->uris.len;
	if (buf_append(&s->uris, uri, n) < 0)
		return;
	s->v[s->n++] = (struct seg){y, x, cols, at, n};
}

void ui_links_keep(int from_y, int to_y, int x, int cols)
{
	const struct set *old = &sets[cur];
	for (int i = 0; i < old->n; i++) {
		const struct seg *g = &old->v[i];
		if (g->y == from_y && g->x >= x && g->x < x + cols)
			ui_links_add(to_y, g->x, g->cols, old->uris.data + g->uri, g->uri_len);
	}
}

static int out_char(int c)
{
	return buf_append_char(&out, (char)c) < 0 ? ERR : OK;
}

static int same(const struct set *a, const struct seg *p, const struct set *b,
		const struct seg *q)
{
	return p->y == q->y && p->x == q->x && p->cols == q->cols && p->uri_len == q->uri_len &&
	       !memcmp(a->uris.data + p->uri, b->uris.data + q->uri, p->uri_len);
}

static int in_set(const struct set *s, const struct set *from, const struct seg *g)
{
	for (int i = 0; i < s->n; i++)
		if (same(s, &s->v[i], from, g))
			return 1;
	return 0;
}

/* The cells of g as the screen has them, into out; the link opened first when uri. */
static void rewrite(const struct seg *g, const char *uri, size_t uri_len)
{
	cchar_t cells[512];
	int cols = g->cols < 511 ? g->cols : 511;
	if (g->y < 0 || g->y >= LINES || g->x < 0 || g->x + cols > COLS)
		return;
	memset(cells, 0, sizeof cells);
	if (mvwin_wchnstr(curscr, g->y, g->x, cells, cols) == ERR)
		return;
	tputs(tiparm(cursor_address, g->y, g->x), 1, out_char);
	if (uri && hyperlink_open(&out, uri, uri_len) != 0)
		uri = NULL;
	for (int i = 0; i < cols; i++) {
		wchar_t wch[CCHARW_MAX + 1];
		attr_t a;
		short pair;
		int epair = 0;
		if (getcchar(&cells[i], wch, &a, &pair, &epair) == ERR || !wch[0])
			break;
		vid_puts(a, (short)epair, &epair, out_char);
		for (int k = 0; k < CCHARW_MAX && wch[k]; k++) {
			char u[4];
			uint32_t cp = (uint32_t)wch[k];
			/* curses holds what was drawn: printable text; anything else as U+FFFD */
			if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp > 0x10FFFF)
				cp = 0xFFFD;
			buf_append(&out, u, utf8_encode(cp, u));
		}
	}
	if (uri)
		hyperlink_close(&out);
}

void ui_links_flush(void)
{
	if (!collecting)
		return;
	collecting = 0;
	struct set *old = &sets[cur], *now = &sets[!cur];
	if (enabled && (old->n || now->n)) {
		/* reading cells moves curscr's cursor: put it back after */
		int cy = getcury(curscr), cx = getcurx(curscr);
		buf_reset(&out);
		/* a link that went: its cells again without it (curses may have kept some) */
		for (int i = 0; i < old->n; i++)
			if (!in_set(now, old, &old->v[i]))
				rewrite(&old->v[i], NULL, 0);
		for (int i = 0; i < now->n; i++)
			rewrite(&now->v[i], now->uris.data + now->v[i].uri, now->v[i].uri_len);
		vid_puts(A_NORMAL, 0, NULL, out_char);
		/* where doupdate left the cursor: newscr's (the input's), which curses
		 * believes the terminal's still is */
		tputs(tiparm(cursor_address, getcury(newscr), getcurx(newscr)), 1, out_char);
		ui_write(out.data, out.len);
		wmove(curscr, cy, cx);
	}
	cur = !cur;
}
