/* ctl_colmoves: the everyday moves on several answers laid out together (ctl_layout.c):
 * selecting an answer side by side, or the question above them, and moving between
 * them; going on from the answer selected (Enter); and the mouse there: a click selects
 * the answer of its column, or shows the answer of its tab. Pure. */
#include "ctl_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cherry/columns.h"
#include "cherry/text.h"

size_t ctl_cols_sel_msg(const struct ctl *c)
{
	const struct ctl_cols *L = &c->lay;
	if (L->sel == CTL_SEL_QUESTION)
		return L->n ? L->question : SIZE_MAX;
	return L->sel >= 0 && (size_t)L->sel < L->n ? L->msg[L->sel] : SIZE_MAX;
}

/* Column k's answer is selected, or the question (CTL_SEL_QUESTION), or nothing (-1):
 * the question selected, the line above the columns is reversed. */
void ctl_cols_select(struct ctl *c, long k)
{
	struct ctl_cols *L = &c->lay;
	L->sel = L->n ? k : -1;
	if (L->n) {
		L->strip_off = 0;
		L->strip_len = k == CTL_SEL_QUESTION ? L->strip.len : 0;
	}
	if (L->sel != -1) {
		c->sel = -1;
		c->mode = MODE_SELECT;
	}
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

int ctl_cols_select_msg(struct ctl *c, size_t msg)
{
	const struct ctl_cols *L = &c->lay;
	if (!L->n || msg == SIZE_MAX)
		return 0;
	if (msg == L->question) {
		ctl_cols_select(c, CTL_SEL_QUESTION);
		return 1;
	}
	for (size_t k = 0; k < L->n; k++)
		if (L->msg[k] == msg) {
			ctl_cols_select(c, (long)k);
			return 1;
		}
	return 0;
}

void ctl_answer_name(const struct ctl *c, size_t i, char *out, size_t size)
{
	const struct hist_msg *m = &c->shown->conv.msgs[i];
	const char *p = m->provider && *m->provider ? m->provider : NULL;
	const char *model = m->model && *m->model ? m->model : "?";
	snprintf(out, size, "%s%s%s", p ? p : "", p ? "/" : "", model);
}

int ctl_cols_move(struct ctl *c, enum ctl_cols_move how)
{
	const struct ctl_cols *L = &c->lay;
	if (!L->n || L->sel == -1)
		return 0;
	long k = L->sel, last = (long)L->n - 1, q = CTL_SEL_QUESTION, to = k;
	switch (how) {
	case COLS_UP:
		to = q;
		if (k == q)
			ctl_message(c, "the messages before it: %s shows the answers one at "
				       "a time", ctl_key_name(c, ACT_LAYOUT).s);
		break;
	case COLS_DOWN:
		to = k == q ? (long)L->cur : k;
		if (k != q)
			ctl_message(c, "the answers are side by side: Left and Right move "
				       "between them");
		break;
	case COLS_FIRST:
		to = q;
		break;
	case COLS_LAST:
		to = last;
		break;
	case COLS_LEFT:
	case COLS_RIGHT: {
		int dir = how == COLS_LEFT ? -1 : 1;
		if (k == q)
			to = (long)L->cur;
		else if (k + dir >= 0 && k + dir <= last)
			to = k + dir;
		else
			ctl_message(c, dir < 0 ? "this is the first answer"
						 : "this is the last answer");
		break;
	}
	}
	ctl_cols_select(c, to);
	return 1;
}

/* The conversation goes on from answer i (its branch made current). */
static void go_on_from(struct ctl *c, size_t i)
{
	struct err e;
	err_clear(&e);
	if (chat_show_msg(c->shown, i, c->wall, &e) < 0) {
		ctl_message(c, "%s", e.msg[0] ? e.msg : "out of memory");
		return;
	}
	if (chat_unsaved(c->shown))
		c->react |= CTL_SAVE;
	ctl_rebuild_view(c);
}

void ctl_h_sel_keep(struct ctl *c)
{
	struct ctl_cols *L = &c->lay;
	if (L->sel < 0) {
		ctl_h_sel_edit(c); /* a message of the single view, or the question: edit it */
		return;
	}
	size_t i = ctl_cols_sel_msg(c);
	ctl_cols_select(c, -1);
	ctl_h_sel_leave(c);
	if (i == SIZE_MAX)
		return;
	go_on_from(c, i);
	char name[160];
	ctl_answer_name(c, i, name, sizeof name);
	ctl_message(c, "the conversation goes on from the answer of %s", name);
}

/* A click on the tab strip at column cx: that tab's answer is shown. */
static void click_tab(struct ctl *c, int cx)
{
	const struct ctl_cols *L = &c->lay;
	const char *s = L->strip.data ? L->strip.data : "";
	size_t from = 0;
	for (size_t i = 0; i < L->ntabs; i++) {
		int x0 = text_width(s, from), x1 = text_width(s, L->tab_end[i]);
		if (cx >= x0 && cx < x1) {
			size_t msg = L->tab_msg[i], n = L->ntabs;
			char name[160];
			go_on_from(c, msg);
			ctl_answer_name(c, msg, name, sizeof name);
			ctl_message(c, "answer %zu/%zu: %s", i + 1, n, name);
			return;
		}
		from = L->tab_end[i] + strlen(" \xc2\xb7 ");
	}
}

int ctl_cols_click(struct ctl *c, int y, int x)
{
	const struct ctl_cols *L = &c->lay;
	if (!c->chat_top)
		return 0;
	int cx = x - c->chat_x;
	if (y == 0 && L->n)
		ctl_cols_select(c, CTL_SEL_QUESTION);
	else if (y == 0)
		click_tab(c, cx);
	if (y == 0 || !L->n)
		return y == 0;
	size_t k = (size_t)cx / (size_t)(L->w + COLS_GAP);
	if (k < L->n && cx - cols_x(L->w, k) < L->w)
		ctl_cols_select(c, (long)k);
	return 1;
}
