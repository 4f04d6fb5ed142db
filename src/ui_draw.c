/* ui_draw: the full-screen client's drawing: the conversation list, the chat, the
 * overlays (help, pickers, confirm), the input and the status line, each painted from the
 * controller's state into the windows ui.c placed. Drawing reads; it never decides. Text
 * is placed cluster by cluster at the columns text.h computes, so what was laid out is
 * what is drawn, whatever the C library's wcwidth thinks. */
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

static int draw_text(WINDOW *w, int y, int x, int maxw, const char *s, size_t len)
{
	return draw_text_as(w, y, x, maxw, s, len, 0);
}

/* draw_text, ending in "…" when s is wider than maxw: nothing is cut unseen. */
static int draw_cut(WINDOW *w, int y, int x, int maxw, const char *s, size_t len)
{
	if (maxw < 1)
		return 0;
	if (text_width(s, len) <= maxw)
		return draw_text(w, y, x, maxw, s, len);
	int used = draw_text(w, y, x, maxw - 1, s, len);
	mvwaddstr(w, y, x + used, "\xe2\x80\xa6");
	return used + 1;
}

static void fill_to(WINDOW *w, int y, int from, int to)
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

/* The selection's and find's marks in column k (as moves_attr's in the single view). */
static attr_t column_marks(const struct ctl *t, size_t k, size_t line, const struct view_line *vl)
{
	attr_t a = 0;
	if (t->mode == MODE_SELECT && t->lay.sel == (long)k)
		a |= vl->style == VS_HEADER_ASSISTANT ? A_REVERSE | A_BOLD : A_BOLD;
	int found = ctl_find_mark_col(t, k, line);
	return a | (found == 2 ? A_REVERSE : found == 1 ? A_UNDERLINE | A_BOLD : 0);
}

/* Several answers side by side (columns.h), scrolled together; the header of the one
 * the conversation goes on from stands out. */
static void draw_columns(const struct ctl *t, int top, int rows)
{
	const struct ctl_cols *L = &t->lay;
	for (int r = 0; r + top < rows; r++)
		for (size_t k = 0; k < L->n; k++) {
			int x = cols_x(L->w, k);
			if (k)
				mvwaddstr(ui_w_chat, r + top, x - 2, "\xe2\x94\x82");
			struct view_line vl;
			size_t line = ctl_col_top(t, k) + (size_t)r;
			if (!L->v[k] || view_line(L->v[k], line, &vl) < 0)
				continue;
			/* while one is selected, only its header is reversed */
			int cur = k == L->cur && !(t->mode == MODE_SELECT && L->sel != -1);
			attr_t extra = cur && vl.style == VS_HEADER_ASSISTANT ? A_REVERSE : 0;
			extra |= column_marks(t, k, line, &vl);
			draw_line_at(ui_w_chat, r + top, x, L->w, &vl, extra);
		}
}

/* The tab strip over the one answer shown of several: the current tab reversed. */
static void draw_strip(const struct ctl *t)
{
	const struct ctl_cols *L = &t->lay;
	const char *s = L->strip.data ? L->strip.data : "";
	wattrset(ui_w_chat, A_DIM);
	int x = draw_text(ui_w_chat, 0, 0, t->chat_w, s, L->strip_off);
	wattrset(ui_w_chat, A_REVERSE | A_BOLD);
	x += draw_text(ui_w_chat, 0, x, t->chat_w - x, s + L->strip_off, L->strip_len);
	wattrset(ui_w_chat, A_DIM);
	size_t rest = L->strip_off + L->strip_len;
	draw_text(ui_w_chat, 0, x, t->chat_w - x, s + rest, L->strip.len - rest);
	wattrset(ui_w_chat, A_NORMAL);
}

static void draw_list(const struct ctl *t)
{
	werase(ui_w_list);
	if (!t->list_visible || t->chat_h < 1)
		return;
	int h = t->chat_h;
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
		int used = draw_cut(ui_w_list, r, 2, UI_LIST_WIDTH - 4 - aw, b.data ? b.data : "", b.len);
		fill_to(ui_w_list, r, 2 + used, UI_LIST_WIDTH - 1 - aw);
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
	int used = draw_text(ui_w_over, 0, 0, w, title, strlen(title));
	wattroff(ui_w_over, A_BOLD);
	if (!lines)
		draw_text(ui_w_over, 0, used, w - used, o->filter.data ? o->filter.data : "",
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
		draw_text(ui_w_over, 1, 0, w, none, strlen(none));
		wattroff(ui_w_over, A_DIM);
	}
	for (int r = 0; r < rows; r++) {
		size_t i = o->top + (size_t)r;
		if (i >= o->nmatch)
			break;
		size_t k = o->match[i];
		const char *s = o->labels && o->labels[k] ? o->labels[k] : o->items[k];
		int sel = !lines && i == o->sel;
		/* the help's headings ("In the chat:") stand out from its lines */
		int heading = lines && s[0] && s[0] != ' ';
		if (sel)
			wattron(ui_w_over, A_REVERSE);
		if (heading)
			wattron(ui_w_over, A_BOLD);
		int x = 0;
		if (!lines)
			x = draw_text(ui_w_over, r + 1, 0, w, sel ? "\xe2\x96\xb8 " : "  ", sel ? 4 : 2);
		if (o->nmarked) /* the models marked to be asked together */
			x += draw_text(ui_w_over, r + 1, x, w - x, o->marked[k] ? "+ " : "  ", 2);
		struct buf b = BUF_INIT;
		sanitize_string(s, strlen(s), &b);
		x += draw_text(ui_w_over, r + 1, x, w - x, b.data ? b.data : "", b.len);
		buf_free(&b);
		if (sel) {
			fill_to(ui_w_over, r + 1, x, w);
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

static void draw_chat(const struct ctl *t)
{
	ui_links_begin();
	werase(ui_w_chat);
	int h = t->chat_h;
	if (h < 1)
		return;
	int rows = h, top = t->chat_top < h ? t->chat_top : h;
	if (t->more_below && rows > 1)
		rows--;
	if (top)
		draw_strip(t);
	if (t->lay.n)
		draw_columns(t, top, rows);
	for (int r = 0; !t->lay.n && r + top < rows; r++) {
		struct view_line vl;
		if (view_line(t->view, t->top_line + (size_t)r, &vl) < 0)
			break;
		attr_t extra = moves_attr(t, t->top_line + (size_t)r, &vl);
		int used = draw_line(ui_w_chat, r + top, t->chat_w, &vl, extra);
		if (extra & A_REVERSE) {
			wattrset(ui_w_chat, A_REVERSE);
			fill_to(ui_w_chat, r + top, used, t->chat_w);
			wattrset(ui_w_chat, A_NORMAL);
		}
	}
	if (t->more_below && h > 1) {
		/* names the key that is bound now, whatever config.json made of it */
		struct buf more = BUF_INIT, k = BUF_INIT;
		input_keys_of(&t->keys, ACT_SCROLL_BOTTOM, &k);
		buf_printf(&more, "\xe2\x96\xbc more below%s%.*s%s", k.len ? " (" : "",
			   (int)strcspn(k.data ? k.data : "", ","), k.data ? k.data : "",
			   k.len ? ")" : "");
		wattrset(ui_w_chat, A_REVERSE);
		int used = draw_text(ui_w_chat, h - 1, 0, t->chat_w, more.data ? more.data : "",
				     more.len);
		buf_free(&more);
		buf_free(&k);
		fill_to(ui_w_chat, h - 1, used, t->chat_w);
		wattrset(ui_w_chat, A_NORMAL);
	}
}

/* The input's rows as text_wrap lays them out. */
struct wrapped {
	struct { size_t off, len; } *v;
	size_t n;
};

static int collect_row(void *ctx, size_t off, size_t len, int width)
{
	(void)width;
	struct wrapped *w = ctx;
	w->v[w->n].off = off;
	w->v[w->n].len = len;
	w->n++;
	return 0;
}

/* The input line of the everyday moves' modes (1 when it drew it), and the mark of a
 * message being edited on the separator above the input. */
static int draw_moves_input(const struct ctl *t, int *cur_x)
{
	struct buf q = BUF_INIT, s = BUF_INIT;
	int drawn = 1;
	if (t->mode == MODE_FIND) {
		sanitize_string(t->find.query.data ? t->find.query.data : "", t->find.query.len, &s);
		buf_printf(&q, "Find: %s", s.data ? s.data : "");
		*cur_x = draw_text(ui_w_input, 1, 0, t->cols, q.data ? q.data : "", q.len);
		buf_reset(&q);
		const char *where = t->find.where, *sep = *where ? "; " : "";
		if (t->find.n)
			buf_printf(&q, "  (%zu of %zu lines%s%s) Enter next, Up previous, Esc closes",
				   t->find.have_cur ? t->find.cur + 1 : 0, t->find.n, sep, where);
		else if (t->find.query.len)
			buf_printf(&q, "  (not found%s%s) Esc closes", *where ? " here; " : "", where);
		wattron(ui_w_input, A_DIM);
		draw_text(ui_w_input, 1, *cur_x, t->cols - *cur_x, q.data ? q.data : "", q.len);
		wattroff(ui_w_input, A_DIM);
	} else if (t->mode == MODE_SELECT) {
		static const char help[] = "Message selected: c copy \xc2\xb7 C code \xc2\xb7 e edit \xc2\xb7 "
			"r retry with a model \xc2\xb7 d delete \xc2\xb7 b branch \xc2\xb7 "
			"x clear context \xc2\xb7 Up/Down move \xc2\xb7 Esc back";
		static const char cols[] = "Message selected: Enter go on from it \xc2\xb7 "
			"Left/Right beside \xc2\xb7 Up question \xc2\xb7 c copy \xc2\xb7 e edit \xc2\xb7 "
			"r retry \xc2\xb7 d delete \xc2\xb7 Esc back";
		wattron(ui_w_input, A_BOLD);
		*cur_x = t->lay.n ? draw_text(ui_w_input, 1, 0, t->cols, cols, sizeof cols - 1)
				  : draw_text(ui_w_input, 1, 0, t->cols, help, sizeof help - 1);
		wattroff(ui_w_input, A_BOLD);
	} else {
		drawn = 0;
		if (t->edit_msg >= 0 && t->edit_chat == t->shown && t->mode == MODE_CHAT) {
			buf_printf(&q, " editing message %ld \xe2\x80\x94 Enter sends a new branch, "
				   "Esc cancels ", t->edit_pos);
			wattron(ui_w_input, A_BOLD);
			draw_text(ui_w_input, 0, 1, t->cols - 1, q.data ? q.data : "", q.len);
			wattroff(ui_w_input, A_BOLD);
		}
	}
	if (*cur_x >= t->cols)
		*cur_x = t->cols - 1;
	buf_free(&q);
	buf_free(&s);
	return drawn;
}

/* One wrapped row of the input, s[off..off+len), its selected part reversed. */
static void draw_input_row(const struct ctl *t, int y, int width, const char *s, size_t off,
			   size_t len)
{
	size_t a, b;
	if (!edit_selection(t->ed, &a, &b) || b <= off || a >= off + len) {
		draw_text(ui_w_input, y, 2, width, s + off, len);
		return;
	}
	size_t from = a > off ? a : off, to = b < off + len ? b : off + len;
	int x = draw_text(ui_w_input, y, 2, width, s + off, from - off);
	wattron(ui_w_input, A_REVERSE);
	x += draw_text(ui_w_input, y, 2 + x, width - x, s + from, to - from);
	wattroff(ui_w_input, A_REVERSE);
	draw_text(ui_w_input, y, 2 + x, width - x, s + to, off + len - to);
}

/* The files for the next message, as chips on the separator above the input. */
static void draw_chips(const struct ctl *t)
{
	struct buf b = BUF_INIT;
	ctl_chips_text(t, &b);
	if (b.len) {
		wattron(ui_w_input, A_BOLD);
		draw_text(ui_w_input, 0, 1, t->cols - 2, b.data, b.len);
		wattroff(ui_w_input, A_BOLD);
	}
	buf_free(&b);
}

/* The input box: a separator row and the wrapped input, scrolled to the cursor. */
static void draw_input(const struct ctl *t, int *cur_y, int *cur_x)
{
	werase(ui_w_input);
	for (int c = 0; c < t->cols; c++)
		mvwaddstr(ui_w_input, 0, c, "\xe2\x94\x80");
	draw_chips(t);
	*cur_y = 1;
	*cur_x = 0;
	if (t->mode == MODE_PASSPHRASE) {
		const char *p = t->pw_prompt ? t->pw_prompt : "Vault passphrase: ";
		int used = draw_text(ui_w_input, 1, 0, t->cols, p, strlen(p));
		size_t n = t->pw_chars;
		int shown = 0;
		for (size_t i = 0; i < n && used + shown < t->cols - 1; i++, shown++)
			mvwaddstr(ui_w_input, 1, used + shown, "\xe2\x80\xa2");
		*cur_x = used + shown < t->cols ? used + shown : t->cols - 1;
		return;
	}
	if (draw_moves_input(t, cur_x))
		return;
	if (t->mode == MODE_CONFIRM) {
		struct buf q = BUF_INIT, s = BUF_INIT;
		const char *title = t->shown->conv.title ? t->shown->conv.title : "(untitled)";
		sanitize_string(title, strlen(title), &s);
		if (t->confirm_attach)
			ctl_attach_question(t, &q);
		else if (t->confirm_key)
			ctl_key_question(t, &q);
		else if (t->confirm_msg)
			buf_append_str(&q, "Delete the selected message and everything below it? (y/n)");
		else
			buf_printf(&q, "Delete conversation \"%s\"? (y/n)", s.data ? s.data : "");
		wattron(ui_w_input, A_BOLD);
		int used = draw_text(ui_w_input, 1, 0, t->cols, q.data ? q.data : "", q.len);
		wattroff(ui_w_input, A_BOLD);
		*cur_x = used < t->cols ? used : t->cols - 1;
		buf_free(&q);
		buf_free(&s);
		return;
	}
	size_t len;
	const char *s = edit_text(t->ed, &len);
	if (!s)
		return;
	int width = t->cols > 2 ? t->cols - 2 : 1;
	int crow, ccol;
	text_wrap_locate(s, len, width, edit_cursor_offset(t->ed), &crow, &ccol);
	int n = text_wrap(s, len, width, NULL, NULL);
	struct wrapped rows = {calloc((size_t)n + 1, sizeof *rows.v), 0};
	if (!rows.v)
		return;
	text_wrap(s, len, width, collect_row, &rows);
	for (int r = 0; r < t->input_h; r++) {
		size_t i = t->input_top + (size_t)r;
		mvwaddstr(ui_w_input, r + 1, 0, i == 0 ? "> " : "  ");
		if (i < rows.n)
			draw_input_row(t, r + 1, width, s, rows.v[i].off, rows.v[i].len);
	}
	free(rows.v);
	*cur_y = 1 + crow - (int)t->input_top;
	*cur_x = 2 + (ccol < width ? ccol : width - 1);
	if (*cur_x >= t->cols)
		*cur_x = t->cols - 1;
}

/* The message whole, wrapped on the status window's rows above the status line. */
static void draw_message_rows(const struct ctl *t)
{
	struct buf safe = BUF_INIT;
	sanitize_string(t->message, strlen(t->message), &safe);
	int width = t->cols - 2;
	int n = text_wrap(safe.data ? safe.data : "", safe.len, width, NULL, NULL);
	struct wrapped rows = {calloc((size_t)n + 1, sizeof *rows.v), 0};
	if (rows.v) {
		text_wrap(safe.data ? safe.data : "", safe.len, width, collect_row, &rows);
		for (size_t r = 0; r < rows.n && (int)r < t->msg_rows; r++)
			draw_text(ui_w_status, (int)r, 1, width, safe.data + rows.v[r].off,
				  rows.v[r].len);
	}
	free(rows.v);
	buf_free(&safe);
}

static void draw_status(const struct ctl *t)
{
	werase(ui_w_status);
	wbkgdset(ui_w_status, ' ' | A_REVERSE);
	wattrset(ui_w_status, A_REVERSE);
	int y = t->msg_rows; /* a long message is wrapped on the rows above */
	for (int r = 0; r <= y; r++)
		for (int c = 0; c < t->cols; c++)
			mvwaddch(ui_w_status, r, c, ' ');
	if (y)
		draw_message_rows(t);
	struct buf s = BUF_INIT;
	ctl_status_head(t, &s);
	if (t->message[0] && !y) {
		buf_append_str(&s, " \xc2\xb7 ");
		buf_append_str(&s, t->message);
	} else {
		if (t->usage.input >= 0 || t->usage.output >= 0) {
			buf_append_str(&s, " \xc2\xb7 ");
			if (t->usage.input >= 0)
				buf_printf(&s, "%ld in", t->usage.input);
			else
				buf_append_str(&s, "? in");
			if (t->usage.output >= 0)
				buf_printf(&s, " / %ld out", t->usage.output);
		}
		if (t->ttft >= 0)
			buf_printf(&s, " \xc2\xb7 first token %.2f s", t->ttft);
		buf_append_str(&s, " \xc2\xb7 ");
		ctl_totals_text(t, &s);
		if (t->proxy[0])
			buf_printf(&s, " \xc2\xb7 proxy %s", t->proxy);
	}
	static const char help[] = "F1 help ";
	int hw = (int)sizeof help - 1;
	struct buf safe = BUF_INIT;
	sanitize_string(s.data ? s.data : "", s.len, &safe);
	/* "F1 help" only where it leaves the state readable. */
	int show_help = t->cols >= 50;
	int room = ctl_status_room(t->cols);
	draw_cut(ui_w_status, y, 0, room, safe.data ? safe.data : "", safe.len);
	if (show_help)
		mvwaddstr(ui_w_status, y, t->cols - hw, help);
	buf_free(&s);
	buf_free(&safe);
	wattrset(ui_w_status, A_NORMAL);
}

void ui_draw(const struct ctl *t)
{
	int cy = 1, cx = 0;
	if (!theme_ready)
		setup_theme();
	int over = t->ov.kind != CTL_OV_NONE;
	if (over) {
		/* Under the overlay: list and chat are drawn again in full when it closes. */
		if (t->dirty & (CTL_DIRTY_CHAT | CTL_DIRTY_LIST))
			draw_overlay(t);
	} else {
		if (t->dirty & CTL_DIRTY_LIST)
			draw_list(t);
		if (t->dirty & CTL_DIRTY_CHAT)
			draw_chat(t);
	}
	if (t->dirty & CTL_DIRTY_STATUS)
		draw_status(t);
	/* The input is drawn every frame: it holds the cursor. */
	draw_input(t, &cy, &cx);
	if (over) {
		if (t->chat_h > 0 && (t->dirty & (CTL_DIRTY_CHAT | CTL_DIRTY_LIST)))
			wnoutrefresh(ui_w_over);
	} else {
		if (t->list_visible && (t->dirty & CTL_DIRTY_LIST))
			wnoutrefresh(ui_w_list);
		if (t->chat_h > 0 && (t->dirty & CTL_DIRTY_CHAT))
			wnoutrefresh(ui_w_chat);
	}
	if (t->dirty & CTL_DIRTY_STATUS)
		wnoutrefresh(ui_w_status);
	int show_cursor = t->ov.kind == CTL_OV_NONE && t->mode != MODE_LIST &&
			  t->mode != MODE_SELECT;
	curs_set(show_cursor ? 1 : 0);
	wmove(ui_w_input, cy, cx);
	wnoutrefresh(ui_w_input);
	doupdate();
	ui_links_flush();
}
