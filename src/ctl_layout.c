/* ctl_layout: several answers to the last message laid out together (columns.h): side
 * by side when the chat is wide enough for each to be read, else the one shown under a
 * tab strip; F9 chooses. Worked out again (ctl_layout_settle) whenever the view is
 * rebuilt, the width changes or a stream starts or ends. Pure, as the rest of ctl*.c. */
#include "ctl_int.h"

#include <string.h>

#include "cherry/columns.h"
#include "cherry/sanitize.h"

#define MAX_SIBLINGS CTL_MAX_TABS

void ctl_layout_stale(struct ctl *c)
{
	c->lay.stale = 1;
	c->dirty |= CTL_DIRTY_CHAT;
}

static struct ctl_stream *live(const struct ctl *c, size_t msg)
{
	for (size_t i = 0; i < c->nstreams; i++)
		if (c->streams[i]->chat == c->shown && c->streams[i]->answer == msg)
			return c->streams[i];
	return NULL;
}

/* Column k shows answer msg: its header, reasoning, text and footer, as the single view
 * does; a live answer's stream appends to it from now on. */
static void fill_column(struct ctl *c, size_t k, size_t msg)
{
	struct view **v = &c->lay.v[k];
	if (!*v && !(*v = view_new(c->lay.w)))
		return;
	view_set_eager(*v); /* each column scrolls on its own: its counts exact */
	view_clear(*v);
	view_set_width(*v, c->lay.w);
	view_set_fold(*v, view_folded(c->view));
	const struct hist_msg *m = &c->shown->conv.msgs[msg];
	struct buf h = BUF_INIT;
	ctl_answer_header(c->shown, msg, &h);
	ctl_usage_text(c, m, &h);
	long vm = view_add(*v, VIEW_ASSISTANT, h.data);
	buf_free(&h);
	if (vm < 0)
		return;
	if (m->reasoning && *m->reasoning)
		view_append_reasoning(*v, (size_t)vm, m->reasoning, strlen(m->reasoning));
	view_append_text(*v, (size_t)vm, m->content, strlen(m->content));
	struct ctl_stream *st = live(c, msg);
	if (st) {
		st->col = (int)k;
	} else {
		view_end(*v, (size_t)vm);
		ctl_status_footer(c, *v, (size_t)vm, msg);
	}
	c->lay.msg[k] = msg;
}

static int names_equal(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static char tab_mark(const struct ctl *c, size_t msg)
{
	const struct hist_msg *m = &c->shown->conv.msgs[msg];
	if (live(c, msg))
		return '~';
	if (m->status == HIST_ERROR)
		return '!';
	return m->best ? '*' : ' ';
}

void ctl_layout_settle(struct ctl *c)
{
	struct ctl_cols *L = &c->lay;
	if (!L->stale || !c->shown)
		return;
	L->stale = 0;
	/* a selection stays on its message wherever that is shown now, also while a
	 * delete of it is asked about */
	int asked = c->mode == MODE_CONFIRM && c->confirm_msg;
	size_t keep = c->mode == MODE_SELECT || asked ? ctl_sel_msg(c) : SIZE_MAX;
	for (size_t i = 0; i < c->nstreams; i++)
		c->streams[i]->col = -1;
	size_t was = L->n, sib[MAX_SIBLINGS], n = 0, pos = 0;
	int top = c->chat_top;
	L->n = L->ntabs = 0;
	L->sel = -1;
	buf_reset(&L->strip);
	c->chat_top = 0;
	const struct hist_conv *cv = &c->shown->conv;
	long a = ctl_last_answer(c);
	size_t parent = a >= 0 ? hist_parent_of(cv, (size_t)a) : 0;
	L->question = parent;
	for (size_t i = 0; a >= 0 && i < cv->n && n < MAX_SIBLINGS; i++)
		if (hist_parent_of(cv, i) == parent && strcmp(cv->msgs[i].role, "user")) {
			if (i == (size_t)a)
				pos = n;
			sib[n++] = i;
		}
	if (n >= 2) {
		int w = !L->one_at_a_time && n <= CTL_MAX_MODELS ? cols_width(c->chat_w, n) : 0;
		if (w) {
			L->w = w;
			L->cur = pos;
			for (size_t k = 0; k < n; k++)
				fill_column(c, k, sib[k]);
			L->n = n;
			/* above the columns, the question they answer (its first line, "…"
			 * when more follow) */
			const char *q = cv->msgs[parent].content;
			size_t first = strcspn(q, "\n");
			buf_append_str(&L->strip, "you: ");
			sanitize_string(q, first, &L->strip);
			if (q[first] && q[first + strspn(q + first, " \t\r\n")])
				buf_append_str(&L->strip, " \xe2\x80\xa6");
			L->strip_off = L->strip_len = 0;
			c->chat_top = 1 + COLS_HEAD; /* the question, the columns' headers */
		} else {
			struct cols_tab tabs[MAX_SIBLINGS];
			/* two answers of one model name from two providers: provider/model */
			int same = 0;
			for (size_t k = 0; k < n; k++)
				for (size_t j = 0; j < k; j++)
					same |= names_equal(cv->msgs[sib[k]].model,
							    cv->msgs[sib[j]].model) &&
						!names_equal(cv->msgs[sib[k]].provider,
							     cv->msgs[sib[j]].provider);
			struct buf names[MAX_SIBLINGS];
			for (size_t k = 0; k < n; k++) {
				const struct hist_msg *m = &cv->msgs[sib[k]];
				names[k] = (struct buf)BUF_INIT;
				tabs[k].name = m->model;
				if (same && m->provider && m->model &&
				    buf_printf(&names[k], "%s/%s", m->provider, m->model) == 0)
					tabs[k].name = names[k].data;
				tabs[k].mark = tab_mark(c, sib[k]);
				L->tab_msg[k] = sib[k];
			}
			cols_strip(tabs, n, pos, c->chat_w, &L->strip, &L->strip_off,
				   &L->strip_len, L->tab_end);
			L->ntabs = n;
			for (size_t k = 0; k < n; k++)
				buf_free(&names[k]);
			c->chat_top = 1;
		}
	}
	if (was != L->n || top != c->chat_top) {
		c->follow = 1; /* a new layout starts at the bottom, as a new answer does */
		memset(L->follow, 1, sizeof L->follow);
	}
	if (c->mode == MODE_SELECT || asked) {
		ctl_sel_follow(c, keep);
		if (asked && c->mode == MODE_SELECT)
			c->mode = MODE_CONFIRM;
		else if (asked)
			c->confirm_msg = 0; /* it is gone: so is the question */
		/* (a sibling beside the branch, once the columns became tabs: said, so that
		 * the keys meant for it do not go unexplained into the input) */
		if (c->mode != MODE_SELECT && c->mode != MODE_CONFIRM && keep != SIZE_MAX)
			ctl_message(c, asked ? "the answer to delete is not shown one at a time: "
					       "nothing was deleted" :
					       "the answer selected is not shown one at a time "
					       "(M-, and M-. show it): the selection is left");
	}
	c->dirty |= CTL_DIRTY_CHAT;
}

/* The lines of the n views' bodies (their header lines stay above them): the height of
 * what scrolls. */
static size_t body_lines(struct view *const *v, size_t n)
{
	size_t lines = cols_lines(v, n);
	return lines > COLS_HEAD ? lines - COLS_HEAD : 0;
}

size_t ctl_chat_total(struct ctl *c)
{
	return c->lay.n ? body_lines(c->lay.v, c->lay.n) : view_lines(c->view);
}

size_t ctl_chat_rows(const struct ctl *c)
{
	return c->chat_h > c->chat_top ? (size_t)(c->chat_h - c->chat_top) : 0;
}

void ctl_layout_delta(struct ctl *c, const struct ctl_stream *st, const char *s, size_t len,
		      int reasoning)
{
	if (st->col < 0 || (size_t)st->col >= c->lay.n || !c->lay.v[st->col])
		return;
	if (reasoning)
		view_append_reasoning(c->lay.v[st->col], 0, s, len);
	else
		view_append_text(c->lay.v[st->col], 0, s, len);
	c->dirty |= CTL_DIRTY_CHAT;
}

void ctl_h_layout(struct ctl *c)
{
	c->lay.one_at_a_time = !c->lay.one_at_a_time;
	ctl_layout_stale(c);
	ctl_layout_settle(c);
	if (c->lay.one_at_a_time)
		ctl_message(c, "one answer at a time: M-, and M-. flip between them");
	else if (!c->lay.n && c->chat_top)
		ctl_message(c, "too narrow for the answers side by side (%d columns each): one "
			       "at a time", COLS_MIN_WIDTH);
	else
		ctl_message(c, "answers side by side when there are several");
}

/* ---- scrolling apart ---- */


size_t ctl_cols_focus(const struct ctl *c)
{
	return c->lay.sel >= 0 ? (size_t)c->lay.sel : c->lay.cur;
}

/* The first body line of column k that shows its end (body lines: its view's from
 * COLS_HEAD on). */
static size_t col_bottom(const struct ctl *c, size_t k)
{
	size_t lines = body_lines(&c->lay.v[k], 1), h = ctl_chat_rows(c);
	return lines > h ? lines - h : 0;
}

size_t ctl_col_top(const struct ctl *c, size_t k)
{
	if (k >= c->lay.n)
		return c->top_line;
	if (c->lay.apart)
		return c->lay.top[k];
	/* together, a shorter answer stops at its end: it never scrolls out of sight */
	size_t bottom = col_bottom(c, k);
	return c->top_line < bottom ? c->top_line : bottom;
}

int ctl_cols_scroll(struct ctl *c, size_t k, long delta)
{
	struct ctl_cols *L = &c->lay;
	if (!L->n || !L->apart || k >= L->n)
		return 0;
	size_t bottom = col_bottom(c, k);
	long top = (long)(L->follow[k] ? bottom : L->top[k]) + delta;
	L->top[k] = top < 0 ? 0 : (size_t)top > bottom ? bottom : (size_t)top;
	L->follow[k] = L->top[k] >= bottom;
	c->dirty |= CTL_DIRTY_CHAT;
	return 1;
}

int ctl_cols_wheel(struct ctl *c, int y, int x, long delta)
{
	const struct ctl_cols *L = &c->lay;
	int cx = x - c->chat_x;
	if (!L->n || !L->apart || y < c->chat_top || y >= c->chat_h || cx < 0)
		return 0;
	size_t k = (size_t)cx / (size_t)(L->w + COLS_GAP);
	return k < L->n && ctl_cols_scroll(c, k, delta);
}

int ctl_cols_settle_tops(struct ctl *c)
{
	struct ctl_cols *L = &c->lay;
	if (!L->n || !L->apart)
		return 0;
	c->more_below = 0;
	for (size_t k = 0; k < L->n; k++) {
		size_t bottom = col_bottom(c, k);
		if (L->follow[k] || L->top[k] > bottom)
			L->top[k] = bottom;
		c->more_below |= L->top[k] < bottom;
	}
	return 1;
}

/* The first body line column k shows, following its end or not. */
static size_t shown_top(struct ctl *c, size_t k)
{
	const struct ctl_cols *L = &c->lay;
	if (L->apart)
		return L->follow[k] ? col_bottom(c, k) : L->top[k];
	size_t total = ctl_chat_total(c), h = ctl_chat_rows(c);
	size_t top = c->follow ? (total > h ? total - h : 0) : c->top_line, bottom = col_bottom(c, k);
	return top < bottom ? top : bottom;
}

int ctl_cols_show_line(struct ctl *c, size_t k, size_t line)
{
	struct ctl_cols *L = &c->lay;
	size_t h = ctl_chat_rows(c) ? ctl_chat_rows(c) : 1;
	if (!L->n || k >= L->n)
		return 0;
	c->dirty |= CTL_DIRTY_CHAT;
	size_t top = shown_top(c, k);
	if (line < COLS_HEAD || (line - COLS_HEAD >= top && line - COLS_HEAD < top + h))
		return 1; /* the header row, or a line in sight */
	line -= COLS_HEAD;
	top = line > h / 3 ? line - h / 3 : 0;
	if (L->apart) {
		size_t bottom = col_bottom(c, k);
		L->top[k] = top < bottom ? top : bottom;
		L->follow[k] = L->top[k] >= bottom;
	} else {
		size_t total = ctl_chat_total(c), bottom = total > h ? total - h : 0;
		c->top_line = top < bottom ? top : bottom;
		c->follow = c->top_line >= bottom;
	}
	return 1;
}

void ctl_h_scroll_apart(struct ctl *c)
{
	struct ctl_cols *L = &c->lay;
	L->apart = !L->apart;
	/* from where they are now: together, each starts at the shared line; back
	 * together, at the line of the one gone on from */
	for (size_t k = 0; L->apart && k < CTL_MAX_MODELS; k++) {
		L->top[k] = c->top_line;
		L->follow[k] = (unsigned char)c->follow;
	}
	if (!L->apart && L->n) {
		c->top_line = L->top[L->cur];
		c->follow = L->follow[L->cur];
	}
	c->dirty |= CTL_DIRTY_CHAT;
	if (L->apart)
		ctl_message(c, "answers side by side scroll apart: the wheel over one, or %s "
			       "and %s for the one gone on from (%s: together)",
			    ctl_key_name(c, ACT_SCROLL_UP).s, ctl_key_name(c, ACT_SCROLL_DOWN).s,
			    ctl_key_name(c, ACT_SCROLL_APART).s);
	else
		ctl_message(c, "answers side by side scroll together");
}

void ctl_layout_free(struct ctl *c)
{
	for (size_t k = 0; k < CTL_MAX_MODELS; k++)
		view_free(c->lay.v[k]);
	buf_free(&c->lay.strip);
	memset(&c->lay, 0, sizeof c->lay);
}
