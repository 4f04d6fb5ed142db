/* ui_input: the full-screen client's input box (the separator with the chips, the
 * wrapped input or the prompt of the mode) and its status line, each painted from the
 * controller's state only when what it shows changed. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui.h"
#include "ui_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "cherry/ctl_tools.h"
#include "cherry/sanitize.h"
#include "cherry/text.h"
#include "cherry/ui_rows.h"

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
		*cur_x = ui_draw_text(ui_w_input, 1, 0, t->cols, q.data ? q.data : "", q.len);
		buf_reset(&q);
		const char *where = t->find.where, *sep = *where ? "; " : "";
		if (t->find.n)
			buf_printf(&q, "  (%zu of %zu lines%s%s) ",
				   t->find.have_cur ? t->find.cur + 1 : 0, t->find.n, sep, where);
		else if (t->find.query.len)
			buf_printf(&q, "  (not found%s%s) ", *where ? " here; " : "", where);
		if (t->find.n || t->find.query.len)
			input_hint_text(&t->keys, t->find.n ? INPUT_HINT_FIND : INPUT_HINT_FIND_NONE,
					&q);
		wattron(ui_w_input, A_DIM);
		ui_draw_text(ui_w_input, 1, *cur_x, t->cols - *cur_x, q.data ? q.data : "", q.len);
		wattroff(ui_w_input, A_DIM);
	} else if (t->mode == MODE_SELECT) {
		/* the keys as bound now (config.json "keys" may have moved them) */
		buf_append_str(&q, "Message selected: ");
		input_hint_fit(&t->keys, t->lay.n ? INPUT_HINT_SELECT_SIDE : INPUT_HINT_SELECT,
			       t->cols - 1 - text_width(q.data, q.len), &q);
		wattron(ui_w_input, A_BOLD);
		*cur_x = ui_draw_text(ui_w_input, 1, 0, t->cols, q.data ? q.data : "", q.len);
		wattroff(ui_w_input, A_BOLD);
	} else {
		drawn = 0;
		if (t->edit_msg >= 0 && t->edit_chat == t->shown && t->mode == MODE_CHAT) {
			buf_printf(&q, " editing message %ld \xe2\x80\x94 ", t->edit_pos);
			input_hint_text(&t->keys, INPUT_HINT_EDITING, &q);
			buf_append_str(&q, " ");
			wattron(ui_w_input, A_BOLD);
			ui_draw_text(ui_w_input, 0, 1, t->cols - 1, q.data ? q.data : "", q.len);
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
		ui_draw_text(ui_w_input, y, 2, width, s + off, len);
		return;
	}
	size_t from = a > off ? a : off, to = b < off + len ? b : off + len;
	int x = ui_draw_text(ui_w_input, y, 2, width, s + off, from - off);
	wattron(ui_w_input, A_REVERSE);
	x += ui_draw_text(ui_w_input, y, 2 + x, width - x, s + from, to - from);
	wattroff(ui_w_input, A_REVERSE);
	ui_draw_text(ui_w_input, y, 2 + x, width - x, s + to, off + len - to);
}

/* The files for the next message, as chips on the separator above the input. */
static void draw_chips(const struct ctl *t)
{
	struct buf b = BUF_INIT;
	ctl_chips_text(t, &b);
	if (b.len) {
		wattron(ui_w_input, A_BOLD);
		ui_draw_text(ui_w_input, 0, 1, t->cols - 2, b.data, b.len);
		wattroff(ui_w_input, A_BOLD);
	}
	buf_free(&b);
}

/* The input box: a separator row and the wrapped input, scrolled to the cursor. */
static void paint_input(const struct ctl *t, int *cur_y, int *cur_x)
{
	werase(ui_w_input);
	for (int c = 0; c < t->cols; c++)
		mvwaddstr(ui_w_input, 0, c, "\xe2\x94\x80");
	draw_chips(t);
	*cur_y = 1;
	*cur_x = 0;
	if (t->mode == MODE_PASSPHRASE) {
		const char *p = t->pw_prompt ? t->pw_prompt : "Vault passphrase: ";
		int used = ui_draw_text(ui_w_input, 1, 0, t->cols, p, strlen(p));
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
		int used = ui_draw_text(ui_w_input, 1, 0, t->cols, q.data ? q.data : "", q.len);
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
			ui_draw_text(ui_w_status, (int)r, 1, width, safe.data + rows.v[r].off,
				  rows.v[r].len);
	}
	free(rows.v);
	buf_free(&safe);
}

/* What the status and input windows hold (ui_rows.h, one signature each). */
static struct ui_rows status_rows, input_rows;
static int input_cy, input_cx; /* the cursor the input's painting placed */

void ui_input_forget(void)
{
	ui_rows_invalidate(&status_rows);
	ui_rows_invalidate(&input_rows);
}

/* The chat mode's input box, as a signature of everything its painting reads. */
static uint64_t input_sig(const struct ctl *t)
{
	size_t len = 0, a = 0, b = 0;
	const char *s = edit_text(t->ed, &len);
	int sel = edit_selection(t->ed, &a, &b);
	long long v[] = {t->cols, t->input_h, (long long)t->input_top,
			 (long long)edit_cursor_offset(t->ed), sel, (long long)a, (long long)b,
			 t->edit_msg >= 0 && t->edit_chat == t->shown ? t->edit_pos : -1};
	struct buf c = BUF_INIT;
	ctl_chips_text(t, &c);
	uint64_t h = ui_hash(ui_hash(UI_HASH_INIT, v, sizeof v), c.data ? c.data : "", c.len);
	buf_free(&c);
	return ui_hash(h, s ? s : "", s ? len : 0);
}

/* The input box, painted when it changed (always in the modes other than the chat's);
 * *cur_y, *cur_x: where the cursor goes. */
void ui_draw_input(const struct ctl *t, int *cur_y, int *cur_x)
{
	unsigned char paint = 1;
	if (t->mode == MODE_CHAT) {
		uint64_t sig = input_sig(t);
		ui_rows_plan(&input_rows, &sig, 1, 0, &paint);
	} else {
		ui_rows_invalidate(&input_rows);
	}
	if (paint)
		paint_input(t, &input_cy, &input_cx);
	*cur_y = input_cy;
	*cur_x = input_cx;
}

/* The status line (a long message wrapped on the rows above it); 1 when it was painted
 * (it changed). */
int ui_draw_status(const struct ctl *t)
{
	int y = t->msg_rows; /* a long message is wrapped on the rows above */
	int room = ctl_status_room(t->cols);
	struct buf safe = BUF_INIT; /* sanitised by ctl_status_line */
	ctl_status_line(t, room, &safe);
	static const char help[] = "F1 help ";
	int hw = (int)sizeof help - 1;
	/* "F1 help" only where it leaves the state readable. */
	int show_help = t->cols >= 50;
	uint64_t sig = ui_hash(ui_hash_int(ui_hash_int(UI_HASH_INIT, t->cols), y),
			       safe.data ? safe.data : "", safe.len);
	if (y)
		sig = ui_hash(sig, t->message, strlen(t->message));
	unsigned char paint;
	ui_rows_plan(&status_rows, &sig, 1, 0, &paint);
	if (paint) {
		werase(ui_w_status);
		wbkgdset(ui_w_status, ' ' | A_REVERSE);
		wattrset(ui_w_status, A_REVERSE);
		for (int r = 0; r <= y; r++)
			for (int c = 0; c < t->cols; c++)
				mvwaddch(ui_w_status, r, c, ' ');
		if (y)
			draw_message_rows(t);
		ui_draw_cut(ui_w_status, y, 0, room, safe.data ? safe.data : "", safe.len);
		if (show_help)
			mvwaddstr(ui_w_status, y, t->cols - hw, help);
		wattrset(ui_w_status, A_NORMAL);
	}
	buf_free(&safe);
	return paint;
}
