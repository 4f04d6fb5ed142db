/* ui_draw: the full-screen client's drawing: the conversation list, the chat and the
 * overlays (help, pickers, confirm) painted from the controller's state into the windows
 * ui.c placed (the input and the status line are ui_input.c's), and the frame put out.
 * Drawing reads; it never decides. Only what changed is painted: a chat row showing what
 * it showed is left alone (ui_rows.h). Text is placed cluster by cluster at the columns
 * text.h computes, so what was laid out is what is drawn, whatever the C library's
 * wcwidth thinks. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui.h"
#include "ui_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "cherry/columns.h"
#include "cherry/ctl_tools.h"
#include "cherry/fsutil.h"
#include "cherry/sanitize.h"
#include "cherry/text.h"
#include "cherry/theme.h"
#include "cherry/ui_rows.h"
#include "cherry/utf8.h"

/* Each theme role's curses attributes, colour pair (role + 1) included; set up on the
 * first draw, from ui_theme. */
static attr_t role_attrs[TR__COUNT];
static int theme_ready;

/* How much of a cluster to hand to curses. Terminals that measure each code point on
 * its own (tmux, xterm, VTE) draw an emoji with a skin tone, or a ZWJ family, wider
 * than the one character it is; such a cluster is drawn as its first code point, so
 * the columns stay exactly as laid out on every terminal (the text itself is kept). */
static int cluster_drawn_len(const char *s, size_t n, int width)
{
	int sum = 0;
	size_t off = 0, first = 0;
	while (off < n) {
		uint32_t cp;
		size_t k = utf8_decode(s + off, n - off, &cp);
		if (!first)
			first = k;
		int w = text_cp_width(cp);
		/* VS16 makes the preceding text emoji two columns wide, as laid out */
		if (cp == 0xFE0Fu && off == first && sum == 1)
			sum = 2;
		sum += w;
		off += k;
	}
	return sum > width ? (int)first : (int)n;
}

/* Draws s[0..len) at (y, x) in at most maxw columns, cluster by cluster. Controls and a
 * zero-width cluster with no base are shown as U+FFFD or dropped; TAB as spaces. Returns
 * the columns used. */
static int draw_text_as(WINDOW *w, int y, int x, int maxw, const char *s, size_t len,
			int strike)
{
	int col = 0;
	size_t off = 0;
	while (off < len && col < maxw) {
		int cw;
		size_t n = text_next_cluster(s + off, len - off, &cw);
		unsigned char c0 = (unsigned char)s[off];
		if (c0 == '\t') {
			int tw = text_tab_width(col);
			for (int i = 0; i < tw && col < maxw; i++, col++)
				mvwaddch(w, y, x + col, ' ');
		} else if (c0 < 0x20 || c0 == 0x7f) {
			mvwaddstr(w, y, x + col, "\xef\xbf\xbd");
			col++;
		} else if (cw == 0) {
			/* combining marks with no base: nothing to attach them to */
		} else if (col + cw > maxw) {
			break;
		} else {
			wmove(w, y, x + col);
			int k = cluster_drawn_len(s + off, n, cw);
			if (strike && k <= 32) {
				/* struck through: U+0336 over the cluster, drawn in its cell */
				char cell[40];
				memcpy(cell, s + off, (size_t)k);
				memcpy(cell + k, "\xCC\xB6", 2);
				waddnstr(w, cell, k + 2);
			} else {
				waddnstr(w, s + off, k);
			}
			col += cw;
		}
		off += n;
	}
	return col;
}

int ui_draw_text(WINDOW *w, int y, int x, int maxw, const char *s, size_t len)
{
	return draw_text_as(w, y, x, maxw, s, len, 0);
}

/* draw_text, ending in "…" when s is wider than maxw: nothing is cut unseen. */
int ui_draw_cut(WINDOW *w, int y, int x, int maxw, const char *s, size_t len)
{
	if (maxw < 1)
		return 0;
	if (text_width(s, len) <= maxw)
		return ui_draw_text(w, y, x, maxw, s, len);
	int used = ui_draw_text(w, y, x, maxw - 1, s, len);
	mvwaddstr(w, y, x + used, "\xe2\x80\xa6");
	return used + 1;
}

void ui_fill_to(WINDOW *w, int y, int from, int to)
{
	for (int c = from; c < to; c++)
		mvwaddch(w, y, c, ' ');
}

static attr_t curses_attrs(unsigned a)
{
	attr_t r = A_NORMAL;
	if (a & TA_BOLD)
		r |= A_BOLD;
	if (a & TA_ITALIC)
		r |= A_ITALIC;
	if (a & TA_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & TA_DIM)
		r |= A_DIM;
	if (a & TA_REVERSE)
		r |= A_REVERSE;
	return r;
}

/* A theme by name: built in, or $XDG_CONFIG_HOME/cherry/themes/NAME.json; "dark" when
 * the name is bad or the file does not parse. */
void ui_load_theme(const struct config *cfg, struct theme *th)
{
	json_t *v = cfg && cfg->ui ? json_object_get(cfg->ui, "theme") : NULL;
	const char *name = json_is_string(v) ? json_string_value(v) : "dark";
	if (theme_builtin(name, th) == 0)
		return;
	theme_builtin("dark", th);
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return;
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct err e;
	err_clear(&e);
	struct theme parsed;
	if (xdg_dir(XDG_CONFIG, &path, &e) == 0 &&
	    buf_printf(&path, "/themes/%s.json", name) == 0 &&
	    fs_read_file(path.data, 1 << 16, &text, &e) == 0 &&
	    theme_parse(text.data ? text.data : "", text.len, &parsed, &e) == 0)
		*th = parsed;
	buf_free(&path);
	buf_free(&text);
}

static void setup_theme(void)
{
	struct theme th = ui_theme;
	/* under NO_COLOR, the structure colour showed by attributes (as the golden screens
	 * check) */
	if (!ui_color())
		theme_no_colour(&th);
	for (int r = 0; r < TR__COUNT; r++) {
		const struct theme_style *st = &th.s[r];
		role_attrs[r] = curses_attrs(st->attrs);
		if (!ui_color())
			continue;
		/* on a direct-colour terminal COLORS is 2^24 and a colour is its RGB */
		int fg = theme_colour_index(st->fg, COLORS), bg = theme_colour_index(st->bg, COLORS);
		if ((fg >= 0 || bg >= 0) && r + 1 < COLOR_PAIRS &&
		    init_extended_pair(r + 1, fg, bg) == OK)
			role_attrs[r] |= COLOR_PAIR(r + 1);
	}
	theme_ready = 1;
}

static attr_t run_attr(const struct md_run *run)
{
	attr_t a = run->role < TR__COUNT ? role_attrs[run->role] : A_NORMAL;
	return a | curses_attrs(run->attrs & ~TA_STRIKE);
}

/* One laid-out line, run by run in each run's style. */
/* A chat line run by run in its styles, plus extra (a selection's or a match's mark);
 * returns the columns used. */
static int draw_line_at(WINDOW *w, int y, int x, int maxw, const struct view_line *vl,
			attr_t extra)
{
	int col = 0;
	for (size_t k = 0; k < vl->nruns && col < maxw; k++) {
		const struct md_run *run = &vl->runs[k];
		wattrset(w, run_attr(run) | extra);
		int used = draw_text_as(w, y, x + col, maxw - col, vl->s + run->off, run->len,
					(run->attrs & TA_STRIKE) != 0);
		size_t n;
		const char *uri = run->link && vl->md ? md_link_uri(vl->md, run->link, &n) : NULL;
		if (uri)
			ui_links_add(getbegy(w) + y, getbegx(w) + x + col, used, uri, n);
		col += used;
	}
	wattrset(w, A_NORMAL);
	return col;
}

static int draw_line(WINDOW *w, int y, int maxw, const struct view_line *vl, attr_t extra)
{
	return draw_line_at(w, y, 0, maxw, vl, extra);
}

/* A chat line's signature: everything draw_line_at reads of it, and extra. */
static uint64_t line_sig(uint64_t h, const struct view_line *vl, attr_t extra)
{
	h = ui_hash_int(h, (long long)extra);
	for (size_t k = 0; k < vl->nruns; k++) {
		const struct md_run *run = &vl->runs[k];
		long long meta[3] = {run->role, run->attrs, (long long)run->len};
		h = ui_hash(ui_hash(h, meta, sizeof meta), vl->s + run->off, run->len);
		size_t n;
		const char *uri = run->link && vl->md ? md_link_uri(vl->md, run->link, &n) : NULL;
		if (uri)
			h = ui_hash(ui_hash_int(h, (long long)n), uri, n);
	}
	return h;
}

/* The selection's and find's marks in column k (as moves_attr's in the single view). */
static attr_t column_marks(const struct ctl *t, size_t k, size_t line, const struct view_line *vl)
{
	attr_t a = 0;
	if (t->mode == MODE_SELECT && t->lay.sel == (long)k)
		a |= vl->style == VS_HEADER_ASSISTANT ? A_REVERSE | A_BOLD : A_BOLD;
	int found = ctl_find_mark_col(t, k, line);
	return a | (found == 2 ? A_REVERSE : found == 1 ? A_UNDERLINE | A_BOLD : 0);
}

/* Several answers side by side (columns.h), chat row y showing each one's body line r
 * from its top, or (r < 0) its header, which stays while the bodies scroll; the header
 * of the one the conversation goes on from stands out. sig: the row's signature (from
 * h) instead of painting it. */
static uint64_t columns_row(const struct ctl *t, uint64_t h, int y, int r, int sig)
{
	const struct ctl_cols *L = &t->lay;
	h = ui_hash_int(ui_hash_int(h, 5), L->w);
	for (size_t k = 0; k < L->n; k++) {
		int x = cols_x(L->w, k);
		if (k && !sig)
			mvwaddstr(ui_w_chat, y, x - 2, "\xe2\x94\x82");
		struct view_line vl;
		size_t line = r < 0 ? 0 : COLS_HEAD + ctl_col_top(t, k) + (size_t)r;
		if (!L->v[k] || view_line(L->v[k], line, &vl) < 0) {
			h = ui_hash_int(h, -1);
			continue;
		}
		/* while one is selected, only its header is reversed */
		int cur = k == L->cur && !(t->mode == MODE_SELECT && L->sel != -1);
		attr_t extra = cur && vl.style == VS_HEADER_ASSISTANT ? A_REVERSE : 0;
		extra |= column_marks(t, k, line, &vl);
		if (sig)
			h = line_sig(ui_hash_int(h, x), &vl, extra);
		else
			draw_line_at(ui_w_chat, y, x, L->w, &vl, extra);
	}
	return h;
}

/* The tab strip over the one answer shown of several: the current tab reversed; or the
 * question over the answers side by side, ending in "…" where it is cut. */
static void draw_strip(const struct ctl *t)
{
	const struct ctl_cols *L = &t->lay;
	const char *s = L->strip.data ? L->strip.data : "";
	wattrset(ui_w_chat, A_DIM);
	int x = ui_draw_text(ui_w_chat, 0, 0, t->chat_w, s, L->strip_off);
	wattrset(ui_w_chat, A_REVERSE | A_BOLD);
	x += ui_draw_cut(ui_w_chat, 0, x, t->chat_w - x, s + L->strip_off, L->strip_len);
	wattrset(ui_w_chat, A_DIM);
	size_t rest = L->strip_off + L->strip_len;
	ui_draw_cut(ui_w_chat, 0, x, t->chat_w - x, s + rest, L->strip.len - rest);
	wattrset(ui_w_chat, A_NORMAL);
}

static void draw_list(const struct ctl *t)
{
	werase(ui_w_list);
	if (!t->list_visible || t->chat_h < 1)
		return;
	int h = t->chat_h;
	if (!t->nlist) { /* a newcomer's first screen: not an empty column */
		const char *why = t->list_reading ? "reading\xe2\x80\xa6" : "no conversations yet";
		wattron(ui_w_list, A_DIM);
		ui_draw_cut(ui_w_list, 0, 2, UI_LIST_WIDTH - 3, why, strlen(why));
		wattrset(ui_w_list, A_NORMAL);
	}
	for (int r = 0; r < h; r++) {
		mvwaddstr(ui_w_list, r, UI_LIST_WIDTH, "\xe2\x94\x82");
		size_t i = t->list_top + (size_t)r;
		if (i >= t->nlist)
			continue;
		const struct hist_entry *en = &t->list[i];
		int current = t->shown && !strcmp(en->id, t->shown->conv.id);
		int selected = t->mode == MODE_LIST && i == t->list_sel;
		if (selected)
			wattron(ui_w_list, A_REVERSE);
		if (current)
			wattron(ui_w_list, A_BOLD);
		/* "~" an answer streams there, "*" answers not read yet */
		int mark = ctl_conv_mark(t, en->id);
		mvwaddstr(ui_w_list, r, 0, current ? "\xe2\x96\xb8" : " ");
		mvwaddstr(ui_w_list, r, 1, mark == 1 ? "~" : mark == 2 ? "*" : " ");
		struct buf b = BUF_INIT;
		const char *title = en->title && *en->title ? en->title : "(untitled)";
		sanitize_string(title, strlen(title), &b);
		char age[8];
		ctl_age(en->updated, t->wall, age);
		int aw = (int)strlen(age);
		int used = ui_draw_cut(ui_w_list, r, 2, UI_LIST_WIDTH - 4 - aw, b.data ? b.data : "", b.len);
		ui_fill_to(ui_w_list, r, 2 + used, UI_LIST_WIDTH - 1 - aw);
		if (!selected)
			wattron(ui_w_list, A_DIM);
		mvwaddstr(ui_w_list, r, UI_LIST_WIDTH - 1 - aw, age);
		buf_free(&b);
		wattrset(ui_w_list, A_NORMAL);
	}
}

/* What the search of every conversation is doing while it has found nothing. */
static const char *search_state(const struct ctl *t, char *out, size_t n)
{
	if (t->ov.filter.len < 2)
		snprintf(out, n, "  type what to look for (two characters or more)");
	else if (t->search.running)
		snprintf(out, n, "  searching... (%zu of %zu conversations)", t->search.done,
			 t->search.total);
	else
		snprintf(out, n, "  no conversation holds it");
	return out;
}

/* The help screen, picker and switcher, over the whole width above the input (the
 * list's columns too: help lines are up to 76 columns wide). */
static void draw_overlay(const struct ctl *t)
{
	const struct ctl_overlay *o = &t->ov;
	int h = t->chat_h, w = t->cols;
	ui_links_begin(); /* the overlay hides the chat's links */
	werase(ui_w_over);
	if (h < 1)
		return;
	int lines = o->kind == CTL_OV_HELP || o->kind == CTL_OV_TOOL; /* no filter, no selection */
	const char *title = o->kind == CTL_OV_HELP ? "cherry help \xe2\x80\x94 Esc closes" :
			    o->kind == CTL_OV_TOOL ? "Tool call \xe2\x80\x94 F1 lists the keys" :
			    o->kind == CTL_OV_MODELS ? "Model: " :
			    o->kind == CTL_OV_SEARCH ? "Search all conversations: " :
			    o->kind == CTL_OV_FILES ? "Attach a file: " : "Conversation: ";
	wattron(ui_w_over, A_BOLD);
	int used = ui_draw_text(ui_w_over, 0, 0, w, title, strlen(title));
	wattroff(ui_w_over, A_BOLD);
	if (!lines)
		ui_draw_text(ui_w_over, 0, used, w - used, o->filter.data ? o->filter.data : "",
			  o->filter.len);
	int rows = h - 1;
	if (rows < 1)
		return;
	if (!lines && o->nmatch == 0) {
		char progress[128];
		const char *none = o->kind == CTL_OV_MODELS ?
			"  no model matches; Enter takes what you typed as PROVIDER/MODEL" :
			o->kind == CTL_OV_SEARCH ? search_state(t, progress, sizeof progress) :
			"  no conversation matches";
		wattron(ui_w_over, A_DIM);
		ui_draw_text(ui_w_over, 1, 0, w, none, strlen(none));
		wattroff(ui_w_over, A_DIM);
	}
	for (int r = 0; r < rows; r++) {
		size_t i = o->top + (size_t)r;
		if (i >= o->nmatch)
			break;
		size_t k = o->match[i];
		struct buf label = BUF_INIT;
		ctl_overlay_label(t, k, &label);
		const char *s = label.data ? label.data : "";
		int sel = !lines && i == o->sel;
		/* the help's headings ("In the chat:") stand out from its lines */
		int heading = lines && s[0] && s[0] != ' ';
		if (sel)
			wattron(ui_w_over, A_REVERSE);
		if (heading)
			wattron(ui_w_over, A_BOLD);
		int x = 0;
		if (!lines)
			x = ui_draw_text(ui_w_over, r + 1, 0, w, sel ? "\xe2\x96\xb8 " : "  ", sel ? 4 : 2);
		if (o->nmarked) /* the models marked to be asked together */
			x += ui_draw_text(ui_w_over, r + 1, x, w - x, o->marked[k] ? "+ " : "  ", 2);
		struct buf b = BUF_INIT;
		sanitize_string(s, strlen(s), &b);
		x += ui_draw_text(ui_w_over, r + 1, x, w - x, b.data ? b.data : "", b.len);
		buf_free(&b);
		buf_free(&label);
		if (sel) {
			ui_fill_to(ui_w_over, r + 1, x, w);
			wattroff(ui_w_over, A_REVERSE);
		}
		if (heading)
			wattroff(ui_w_over, A_BOLD);
	}
}

/* The marks of the everyday moves on a chat line: the selected message (its header
 * reversed, its text bold), find's matches (the current one reversed), and the dimmed
 * messages before a context break. */
static attr_t moves_attr(const struct ctl *t, size_t line, const struct view_line *vl)
{
	attr_t a = 0;
	if (t->mode == MODE_SELECT && t->sel >= 0 && vl->msg == (size_t)t->sel)
		a |= line == view_msg_first_line(t->view, vl->msg) ? A_REVERSE : A_BOLD;
	int found = ctl_find_mark(t, line);
	if (found == 2)
		a |= A_REVERSE;
	else if (found == 1)
		a |= A_UNDERLINE | A_BOLD;
	if (ctl_msg_dimmed(t, vl->msg))
		a |= A_DIM;
	return a;
}

/* The "more below" bar's text: it names the key bound now, whatever config.json made
 * of it. */
static void more_text(const struct ctl *t, struct buf *more)
{
	struct buf k = BUF_INIT;
	input_keys_of(&t->keys, ACT_SCROLL_BOTTOM, &k);
	buf_printf(more, "\xe2\x96\xbc more below%s%.*s%s", k.len ? " (" : "",
		   (int)strcspn(k.data ? k.data : "", ","), k.data ? k.data : "",
		   k.len ? ")" : "");
	buf_free(&k);
}

/* Chat row y (of h; the strip above row top, the chat's lines down to row rows): painted
 * into the cleared row, or (sig) its signature, which says everything painting reads. */
static uint64_t chat_row(const struct ctl *t, int y, int h, int top, int rows, int sig)
{
	uint64_t g = ui_hash_int(UI_HASH_INIT, t->chat_w);
	if (y < top) {
		const struct ctl_cols *L = &t->lay;
		if (y == top - COLS_HEAD && L->n)
			return columns_row(t, g, y, -1, sig);
		if (y > 0)
			return ui_hash_int(g, 1); /* blank */
		if (!sig)
			draw_strip(t);
		g = ui_hash_int(ui_hash_int(ui_hash_int(g, 2), (long long)L->strip_off),
				(long long)L->strip_len);
		return ui_hash(g, L->strip.data ? L->strip.data : "", L->strip.len);
	}
	if (y < rows && t->lay.n)
		return columns_row(t, g, y, y - top, sig);
	struct view_line vl;
	size_t line = t->top_line + (size_t)(y - top);
	if (y < rows && view_line(t->view, line, &vl) == 0) {
		attr_t extra = moves_attr(t, line, &vl);
		if (sig)
			return line_sig(ui_hash_int(g, 3), &vl, extra);
		int used = draw_line(ui_w_chat, y, t->chat_w, &vl, extra);
		if (extra & A_REVERSE) {
			wattrset(ui_w_chat, A_REVERSE);
			ui_fill_to(ui_w_chat, y, used, t->chat_w);
			wattrset(ui_w_chat, A_NORMAL);
		}
		return 0;
	}
	if (!(t->more_below && h > 1 && y == h - 1))
		return ui_hash_int(g, 1); /* blank */
	struct buf more = BUF_INIT;
	more_text(t, &more);
	if (sig) {
		g = ui_hash(ui_hash_int(g, 4), more.data ? more.data : "", more.len);
	} else {
		wattrset(ui_w_chat, A_REVERSE);
		int used = ui_draw_text(ui_w_chat, y, 0, t->chat_w, more.data ? more.data : "",
				     more.len);
		ui_fill_to(ui_w_chat, y, used, t->chat_w);
		wattrset(ui_w_chat, A_NORMAL);
	}
	buf_free(&more);
	return g;
}

/* What the chat window holds, row by row (ui_rows.h), and the line it showed on top. */
static struct ui_rows chat_rows;
static size_t chat_rows_top;
static uint64_t *chat_sig;
static unsigned char *chat_paint;
static int chat_cap;

/* The chat, only the rows that changed painted: a row showing what it showed is left
 * alone (its links kept), and when the lines moved up (following a stream) the window's
 * rows move with them. */
static void draw_chat(const struct ctl *t)
{
	ui_links_begin();
	int h = t->chat_h;
	if (h < 1)
		return;
	if (h > chat_cap) {
		uint64_t *s = realloc(chat_sig, (size_t)h * sizeof *s);
		unsigned char *p = s ? realloc(chat_paint, (size_t)h) : NULL;
		if (s)
			chat_sig = s;
		if (p)
			chat_paint = p;
		if (!s || !p) { /* out of memory: the frame goes blank, the next paints it all */
			werase(ui_w_chat);
			ui_rows_invalidate(&chat_rows);
			return;
		}
		chat_cap = h;
	}
	int rows = h, top = t->chat_top < h ? t->chat_top : h;
	if (t->more_below && rows > 1)
		rows--;
	for (int y = 0; y < h; y++)
		chat_sig[y] = chat_row(t, y, h, top, rows, 1);
	long moved = (long)(t->top_line - chat_rows_top);
	int hint = t->top_line >= chat_rows_top && moved < h ? (int)moved :
		   t->top_line < chat_rows_top && chat_rows_top - t->top_line < (size_t)h ?
		   -(int)(chat_rows_top - t->top_line) : 0;
	int k = ui_rows_plan(&chat_rows, chat_sig, h, hint, chat_paint);
	chat_rows_top = t->top_line;
	if (k) {
		scrollok(ui_w_chat, TRUE);
		wscrl(ui_w_chat, k);
		scrollok(ui_w_chat, FALSE);
	}
	int x0 = getbegx(ui_w_chat), y0 = getbegy(ui_w_chat);
	for (int y = 0; y < h; y++) {
		if (!chat_paint[y]) {
			ui_links_keep(y0 + y + k, y0 + y, x0, t->chat_w);
			continue;
		}
		wmove(ui_w_chat, y, 0);
		wclrtoeol(ui_w_chat);
		chat_row(t, y, h, top, rows, 0);
	}
}

/* The windows' places when they were last painted: another place, and they are
 * painted again. */
static int win_geom[10];

/* Forgets what the windows hold, so the next frame paints them whole: after a resize or
 * a clear, or when the overlay covered the chat. */
static void forget(void)
{
	ui_rows_invalidate(&chat_rows);
	ui_input_forget();
}

void ui_draw(const struct ctl *t)
{
	int cy = 1, cx = 0;
	if (!theme_ready)
		setup_theme();
	/* (a layout that placed every window where it was changes nothing) */
	int geom[] = {getbegy(ui_w_chat), getbegx(ui_w_chat), getmaxy(ui_w_chat),
		      getmaxx(ui_w_chat), getbegy(ui_w_input), getmaxy(ui_w_input),
		      getmaxx(ui_w_input), getbegy(ui_w_status), getmaxy(ui_w_status),
		      getmaxx(ui_w_status)};
	if ((t->dirty & CTL_DIRTY_CLEAR) || memcmp(geom, win_geom, sizeof geom)) {
		forget();
		memcpy(win_geom, geom, sizeof geom);
	}
	int over = t->ov.kind != CTL_OV_NONE;
	if (over) {
		/* Under the overlay: list and chat are drawn again in full when it closes. */
		ui_rows_invalidate(&chat_rows);
		if (t->dirty & (CTL_DIRTY_CHAT | CTL_DIRTY_LIST))
			draw_overlay(t);
	} else {
		if (t->dirty & CTL_DIRTY_LIST)
			draw_list(t);
		if (t->dirty & CTL_DIRTY_CHAT)
			draw_chat(t);
	}
	int status = (t->dirty & CTL_DIRTY_STATUS) && ui_draw_status(t);
	/* The input is looked at every frame: it holds the cursor. */
	ui_draw_input(t, &cy, &cx);
	if (over) {
		if (t->chat_h > 0 && (t->dirty & (CTL_DIRTY_CHAT | CTL_DIRTY_LIST)))
			wnoutrefresh(ui_w_over);
	} else {
		if (t->list_visible && (t->dirty & CTL_DIRTY_LIST))
			wnoutrefresh(ui_w_list);
		if (t->chat_h > 0 && (t->dirty & CTL_DIRTY_CHAT))
			wnoutrefresh(ui_w_chat);
	}
	if (status)
		wnoutrefresh(ui_w_status);
	int show_cursor = t->ov.kind == CTL_OV_NONE && t->mode != MODE_LIST &&
			  t->mode != MODE_SELECT;
	curs_set(show_cursor ? 1 : 0);
	wmove(ui_w_input, cy, cx);
	wnoutrefresh(ui_w_input); /* painted or not: the cursor's place */
	doupdate();
	ui_links_flush();
}
