/* ctl_find: finding text in the conversation shown (MODE_FIND: the view lines that hold
 * it, marked for drawing, and jumps between them, unfolding reasoning that holds it),
 * and searching every conversation (CTL_OV_SEARCH: the world's histsearch in steps
 * between keys, results in an overlay, Enter opens one at the matching message). Both
 * fold case as fold.h does. Pure. */
#include "ctl_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/fold.h"
#include "cherry/utf8.h"

/* Conversations read per step of a search of all history: a few milliseconds. */
#define SEARCH_STEP_FILES 100

/* ---- find in the chat ---- */

/* The folded query, in tmp; 0 when there is nothing to find. */
static size_t folded_query(const struct ctl *c, struct buf *tmp)
{
	buf_reset(tmp);
	const struct buf *q = &c->find.query;
	if (!q->len || fold_string(q->data, q->len, tmp) < 0)
		return 0;
	return tmp->len;
}

/* msg's reasoning holds the folded text f. */
static int reasoning_holds(const struct ctl *c, size_t msg, const char *f, size_t flen)
{
	const char *r = c->shown->conv.msgs[msg].reasoning;
	size_t mlen;
	return r && fold_find(r, strlen(r), f, flen, &mlen) >= 0;
}

/* Folded reasoning hides a match (on the branch, or in an answer side by side): unfold
 * it, once per query change. */
static void unfold_for(struct ctl *c, const char *f, size_t flen)
{
	if (!view_folded(c->view))
		return;
	size_t *idx = NULL, n = 0;
	int found = 0;
	if (chat_branch(c->shown, &idx, &n) == 0)
		for (size_t k = 0; k < n && !found; k++)
			found = reasoning_holds(c, idx[k], f, flen);
	free(idx);
	for (size_t k = 0; k < c->lay.n && !found; k++)
		found = reasoning_holds(c, c->lay.msg[k], f, flen);
	if (found) {
		view_set_fold(c->view, 0);
		ctl_layout_stale(c); /* the columns take the view's folding */
		ctl_message(c, "the reasoning is unfolded: it holds matches (%s folds it)",
			    ctl_key_name(c, ACT_TOGGLE_REASONING).s);
	}
}

/* Line i of column k matches: 0, or -1 (OOM). */
static int add_match(struct ctl_find *f, size_t i, size_t k)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		size_t *v = realloc(f->lines, cap * sizeof *v);
		if (v)
			f->lines = v;
		size_t *w = v ? realloc(f->cols, cap * sizeof *w) : NULL;
		if (!w)
			return -1;
		f->cols = w;
		f->cap = cap;
	}
	f->lines[f->n] = i;
	f->cols[f->n++] = k;
	return 0;
}

/* One at a time, the other answers holding the text (their Markdown as written): the
 * find line names their tabs. */
static void where_in_tabs(struct ctl *c, const char *q, size_t qlen)
{
	const struct ctl_cols *L = &c->lay;
	long shown = ctl_last_answer(c);
	size_t len = 0, mlen;
	for (size_t i = 0; i < L->ntabs; i++) {
		const char *t = c->shown->conv.msgs[L->tab_msg[i]].content;
		if ((long)L->tab_msg[i] == shown || !t || fold_find(t, strlen(t), q, qlen, &mlen) < 0)
			continue;
		int w = snprintf(c->find.where + len, sizeof c->find.where - len, "%s%zu/%zu",
				 len ? ", " : "also in ", i + 1, L->ntabs);
		if (w < 0 || (size_t)w >= sizeof c->find.where - len)
			break;
		len += (size_t)w;
	}
	if (len)
		snprintf(c->find.where + len, sizeof c->find.where - len, " (M-, M-. show them)");
}

/* Where the current match is, side by side: its answer's place and model. */
static void where_in_cols(struct ctl *c)
{
	const struct ctl_find *f = &c->find;
	if (!f->have_cur || !c->lay.n)
		return;
	size_t k = f->cols[f->cur];
	char name[120];
	ctl_answer_name(c, c->lay.msg[k], name, sizeof name);
	snprintf(c->find.where, sizeof c->find.where, "in answer %zu/%zu, %s", k + 1, c->lay.n,
		 name);
}

/* The matching lines again (the view may have changed), keeping the current one; side
 * by side, those of every column, column after column. */
static void recount(struct ctl *c)
{
	ctl_layout_settle(c);
	struct ctl_find *f = &c->find;
	int had = f->have_cur && f->cur < f->n;
	size_t keep = had ? f->lines[f->cur] : SIZE_MAX, keep_col = had ? f->cols[f->cur] : 0;
	struct buf q = BUF_INIT;
	size_t qlen = folded_query(c, &q), mlen, ncols = c->lay.n ? c->lay.n : 1;
	f->n = 0;
	f->have_cur = 0;
	f->where[0] = '\0';
	for (size_t k = 0; k < ncols; k++) {
		struct view *v = c->lay.n ? c->lay.v[k] : c->view;
		f->colfirst[k] = f->n;
		/* the count is read again each time: reading a line lays out its message */
		for (size_t i = 0; qlen && v && i < view_lines(v); i++) {
			struct view_line vl;
			if (view_line(v, i, &vl) < 0 ||
			    fold_find(vl.s, vl.len, q.data, qlen, &mlen) < 0)
				continue;
			if (i == keep && k == keep_col) {
				f->cur = f->n;
				f->have_cur = 1;
			}
			if (add_match(f, i, k) < 0)
				break;
		}
	}
	f->colfirst[ncols] = f->n;
	f->ncols = ncols;
	if (qlen && !c->lay.n)
		where_in_tabs(c, q.data, qlen);
	where_in_cols(c);
	buf_free(&q);
	c->dirty |= CTL_DIRTY_CHAT | CTL_DIRTY_INPUT;
}

/* Scrolls so that the current match is in view, a third down the pane. */
static void show_current(struct ctl *c)
{
	struct ctl_find *f = &c->find;
	if (!f->have_cur)
		return;
	where_in_cols(c);
	if (ctl_cols_show_line(c, f->cols[f->cur], f->lines[f->cur]))
		return;
	size_t line = f->lines[f->cur], h = ctl_chat_rows(c) ? ctl_chat_rows(c) : 1;
	size_t total = ctl_chat_total(c), bottom = total > h ? total - h : 0;
	size_t top = c->follow ? bottom : c->top_line;
	if (line < top || line >= top + h) {
		top = line > h / 3 ? line - h / 3 : 0;
		c->top_line = top < bottom ? top : bottom;
		c->follow = c->top_line >= bottom;
	}
	c->dirty |= CTL_DIRTY_CHAT;
}

/* To the next (dir > 0) or previous match, from the current one or from the top line. */
static void jump(struct ctl *c, int dir)
{
	struct ctl_find *f = &c->find;
	if (!f->n) {
		if (f->query.len)
			ctl_message(c, "not found");
		return;
	}
	if (f->have_cur) {
		f->cur = (f->cur + f->n + (size_t)(dir > 0 ? 1 : f->n - 1)) % f->n;
	} else {
		size_t h = ctl_chat_rows(c) ? ctl_chat_rows(c) : 1, total = ctl_chat_total(c);
		size_t top = c->follow ? (total > h ? total - h : 0) : c->top_line;
		/* the first match on screen or below it; going back, the last above its end */
		if (dir > 0) {
			f->cur = 0;
			for (size_t i = 0; i < f->n; i++)
				if (f->lines[i] >= top) {
					f->cur = i;
					break;
				}
		} else {
			f->cur = f->n - 1;
			for (size_t i = f->n; i-- > 0;)
				if (f->lines[i] < top + h) {
					f->cur = i;
					break;
				}
		}
		f->have_cur = 1;
	}
	show_current(c);
}

void ctl_find_start(struct ctl *c, const char *text, long at_msg)
{
	buf_reset(&c->find.query);
	if (text)
		buf_append_str(&c->find.query, text);
	c->find.have_cur = 0;
	c->mode = MODE_FIND;
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	if (!c->find.query.len)
		return;
	struct buf q = BUF_INIT;
	size_t qlen = folded_query(c, &q);
	if (qlen)
		unfold_for(c, q.data, qlen);
	buf_free(&q);
	recount(c);
	if (at_msg >= 0 && c->find.n && !c->lay.n) {
		size_t first = view_msg_first_line(c->view, (size_t)at_msg);
		size_t end = first + view_msg_lines(c->view, (size_t)at_msg);
		for (size_t i = 0; i < c->find.n && !c->find.have_cur; i++)
			if (c->find.lines[i] >= first && c->find.lines[i] < end) {
				c->find.cur = i;
				c->find.have_cur = 1;
			}
		show_current(c);
		if (c->find.have_cur)
			return;
	}
	jump(c, 1);
}

void ctl_h_find(struct ctl *c) { ctl_find_start(c, NULL, -1); }

/* The query changed: the matches again, and the first one from where the view is. */
static void query_changed(struct ctl *c)
{
	struct buf q = BUF_INIT;
	size_t qlen = folded_query(c, &q);
	if (qlen)
		unfold_for(c, q.data, qlen);
	buf_free(&q);
	c->find.have_cur = 0;
	recount(c);
	jump(c, 1);
}

void ctl_find_type(struct ctl *c, input_key k)
{
	char enc[4];
	if (buf_append(&c->find.query, enc, utf8_encode(k, enc)) == 0)
		query_changed(c);
}

void ctl_h_find_next(struct ctl *c) { jump(c, 1); }
void ctl_h_find_prev(struct ctl *c) { jump(c, -1); }

void ctl_h_find_erase(struct ctl *c)
{
	struct buf *q = &c->find.query;
	if (!q->len)
		return;
	q->len = utf8_back(q->data, q->len - 1);
	q->data[q->len] = '\0';
	query_changed(c);
}

void ctl_h_find_clear(struct ctl *c)
{
	buf_reset(&c->find.query);
	query_changed(c);
}

void ctl_h_find_close(struct ctl *c)
{
	c->mode = MODE_CHAT;
	c->find.n = 0;
	c->find.have_cur = 0;
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

/* After every event in MODE_FIND: the view may have grown, wrapped or changed. */
void ctl_find_settle(struct ctl *c)
{
	if (c->mode == MODE_FIND)
		recount(c);
}

int ctl_find_mark(const struct ctl *c, size_t line)
{
	return c->lay.n ? 0 : ctl_find_mark_col(c, 0, line);
}

int ctl_find_mark_col(const struct ctl *c, size_t k, size_t line)
{
	const struct ctl_find *f = &c->find;
	if (c->mode != MODE_FIND || !f->n || k >= f->ncols)
		return 0;
	size_t lo = f->colfirst[k], hi = f->colfirst[k + 1], end = hi;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f->lines[mid] < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == end || f->lines[lo] != line)
		return 0;
	return f->have_cur && lo == f->cur ? 2 : 1;
}

/* ---- searching every conversation ---- */

void ctl_h_search_history(struct ctl *c)
{
	ctl_overlay_close(c);
	ctl_overlay_ready(c, CTL_OV_SEARCH, NULL);
	memset(&c->search, 0, sizeof c->search);
}

void ctl_search_stop(struct ctl *c)
{
	if (c->search.running && c->world.search_stop)
		c->world.search_stop(c->world.ctx);
	c->search.running = 0;
}

static int on_hit(void *ctx, const struct histsearch_hit *h)
{
	struct ctl *c = ctx;
	struct ctl_overlay *o = &c->ov;
	char when[32];
	hist_format_time(h->updated, when);
	when[10] = '\0';
	struct buf item = BUF_INIT, label = BUF_INIT;
	buf_printf(&item, "%s\t%s", h->id, h->msg);
	buf_printf(&label, "%s  %s: %s", when, h->title[0] ? h->title : "(untitled)", h->line);
	int bad = !item.data || !label.data || ctl_overlay_push(o, item.data, label.data) < 0;
	buf_free(&item);
	buf_free(&label);
	if (bad)
		return 1;
	size_t *m = realloc(o->match, (o->nitems + 1) * sizeof *m);
	if (!m)
		return 1;
	o->match = m;
	o->match[o->nmatch++] = o->nitems - 1;
	c->search.hits++;
	return 0;
}

void ctl_search_step(struct ctl *c)
{
	if (!c->search.running || c->ov.kind != CTL_OV_SEARCH)
		return;
	int more = c->world.search_step(c->world.ctx, SEARCH_STEP_FILES, on_hit, c,
					&c->search.done, &c->search.total);
	c->search.running = more == 1;
	c->dirty |= CTL_DIRTY_CHAT;
}

/* The text changed (the overlay's filter): the search starts again. */
void ctl_search_changed(struct ctl *c)
{
	struct ctl_overlay *o = &c->ov;
	ctl_search_stop(c);
	for (size_t i = 0; i < o->nitems; i++) {
		free(o->items[i]);
		if (o->labels)
			free(o->labels[i]);
	}
	o->nitems = o->nmatch = o->sel = o->top = 0;
	c->search.hits = c->search.done = c->search.total = 0;
	c->dirty |= CTL_DIRTY_CHAT;
	snprintf(c->search.text, sizeof c->search.text, "%s", o->filter.data ? o->filter.data : "");
	if (o->filter.len < 2 || !c->world.search_start)
		return;
	struct err e;
	err_clear(&e);
	if (c->world.search_start(c->world.ctx, o->filter.data, &e) < 0) {
		ctl_message(c, "%s", e.msg);
		return;
	}
	c->search.running = 1;
	ctl_search_step(c);
}

/* Enter on a result ("ID\tMSGID"): that conversation, at that message, the text found. */
void ctl_search_open(struct ctl *c, const char *item)
{
	char id[HIST_ID_MAX + 1];
	const char *tab = strchr(item, '\t');
	size_t idlen = tab ? (size_t)(tab - item) : strlen(item);
	if (idlen > HIST_ID_MAX)
		return;
	memcpy(id, item, idlen);
	id[idlen] = '\0';
	ctl_open_conversation(c, id);
	if (strcmp(c->shown->conv.id, id))
		return;
	const struct hist_msg *m = tab ? hist_find(&c->shown->conv, tab + 1) : NULL;
	long at = -1;
	if (m) {
		size_t i = (size_t)(m - c->shown->conv.msgs);
		struct err e;
		err_clear(&e);
		if (chat_show_msg(c->shown, i, c->wall, &e) == 0 && chat_unsaved(c->shown))
			c->react |= CTL_SAVE;
		ctl_rebuild_view(c);
		for (size_t v = 0; v < c->vmap_n && at < 0; v++)
			if (c->vmap[v] == i)
				at = (long)v;
	}
	ctl_find_start(c, c->search.text, at);
}
