/* ctl_select: the everyday moves on messages: which conversation message each message
 * of the view is, editing an earlier prompt and sending it as a new branch, selecting a
 * message (keys or a click) and acting on it (copy, edit, ask again with another model,
 * delete with what follows, branch into a new conversation), context breaks, and the
 * tokens and cost shown per answer, in the status line and by /stats. Pure. */
#include "ctl_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the view's messages and the conversation's ---- */

void ctl_map_reset(struct ctl *c)
{
	c->vmap_n = 0;
	c->ctx_view = -1;
}

void ctl_map_msg(struct ctl *c, long vm, size_t i)
{
	if (vm < 0)
		return;
	size_t need = (size_t)vm + 1;
	if (need > c->vmap_cap) {
		size_t cap = c->vmap_cap ? c->vmap_cap : 32;
		while (cap < need)
			cap *= 2;
		size_t *v = realloc(c->vmap, cap * sizeof *v);
		if (!v)
			return;
		c->vmap = v;
		c->vmap_cap = cap;
	}
	while (c->vmap_n < need)
		c->vmap[c->vmap_n++] = SIZE_MAX;
	c->vmap[vm] = i;
}

/* A context break after view message vm: a line saying so, and what is above it dims. */
void ctl_map_break(struct ctl *c, long vm)
{
	if (vm < 0)
		return;
	long w = view_add(c->view, VIEW_INFO, NULL);
	if (w < 0)
		return;
	view_set_footer(c->view, (size_t)w,
			"\xe2\x94\x80\xe2\x94\x80 context cleared: the messages above are not sent "
			"\xe2\x94\x80\xe2\x94\x80", 0);
	view_end(c->view, (size_t)w);
	c->ctx_view = w + 1;
}

/* The conversation message shown as view message vm, or SIZE_MAX. */
static size_t conv_of(const struct ctl *c, long vm)
{
	if (vm < 0 || (size_t)vm >= c->vmap_n || c->vmap[vm] >= c->shown->conv.n)
		return SIZE_MAX;
	return c->vmap[vm];
}

int ctl_msg_dimmed(const struct ctl *c, size_t msg)
{
	return c->ctx_view >= 0 && (long)msg < c->ctx_view && conv_of(c, (long)msg) != SIZE_MAX;
}

/* msg's place on the shown branch, from 1 (0: not on it). */
static long branch_place(const struct ctl *c, size_t msg)
{
	size_t *idx = NULL, n = 0;
	long place = 0;
	if (chat_branch(c->shown, &idx, &n) == 0)
		for (size_t k = 0; k < n && !place; k++)
			if (idx[k] == msg)
				place = (long)k + 1;
	free(idx);
	return place;
}

static int is_user(const struct ctl *c, size_t i)
{
	return !strcmp(c->shown->conv.msgs[i].role, "user");
}

/* The prompt an action on message i works on: i itself, or the one an answer answers. */
static size_t prompt_of(const struct ctl *c, size_t i)
{
	if (i == SIZE_MAX || is_user(c, i))
		return i;
	const struct hist_msg *p = hist_find(&c->shown->conv, c->shown->conv.msgs[i].parent);
	return p ? (size_t)(p - c->shown->conv.msgs) : SIZE_MAX;
}

/* ---- edit and resend ---- */

void ctl_edit_forget(struct ctl *c)
{
	if (c->edit_msg >= 0)
		c->dirty |= CTL_DIRTY_INPUT | CTL_DIRTY_STATUS;
	c->edit_msg = -1;
	c->edit_chat = NULL;
	c->edit_pos = 0;
}

static void edit_begin(struct ctl *c, size_t i)
{
	if (i == SIZE_MAX) {
		ctl_message(c, "no message of yours to edit");
		return;
	}
	/* a question several models answered: the same models asked again, as named */
	struct buf t = BUF_INIT;
	ctl_mentions_of(c, i, &t);
	buf_append_str(&t, c->shown->conv.msgs[i].content);
	if (t.data)
		edit_set_text(c->ed, t.data, t.len);
	buf_free(&t);
	c->edit_chat = c->shown;
	c->edit_msg = (long)i;
	c->edit_pos = branch_place(c, i);
	c->mode = MODE_CHAT;
	ctl_message(c, "editing message %ld: %s sends it as a new branch (the old one stays), "
		    "%s cancels", c->edit_pos, ctl_key_name(c, ACT_SEND).s,
		    ctl_key_name(c, ACT_STOP).s);
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

void ctl_h_edit_last(struct ctl *c)
{
	size_t *idx = NULL, n = 0, last = SIZE_MAX;
	if (chat_branch(c->shown, &idx, &n) == 0)
		for (size_t k = n; k-- > 0 && last == SIZE_MAX;)
			if (is_user(c, idx[k]))
				last = idx[k];
	free(idx);
	edit_begin(c, last);
}

int ctl_edit_cancel(struct ctl *c)
{
	if (c->edit_msg < 0)
		return 0;
	ctl_edit_forget(c);
	edit_apply(c->ed, EDIT_CLEAR, 0);
	ctl_message(c, "edit cancelled");
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	return 1;
}

/* The send of ctl_send.c into ch: an edit of a message of ch goes beside that message. */
int ctl_send_chat(struct ctl *c, struct chat *ch, const char *prompt, size_t *answer,
		  struct err *e)
{
	if (ctl_attach_vision(c, c->pending.prov, c->pending.model, e) < 0)
		return -1; /* nothing sent, the input and the chips kept */
	size_t edited = SIZE_MAX;
	if (c->edit_msg >= 0 && c->edit_chat == ch) {
		edited = (size_t)c->edit_msg;
		ctl_edit_forget(c);
	}
	int r = chat_send_edit(ch, edited, prompt, c->pending.prov->name, c->pending.model,
			       c->wall, answer, e);
	if (r == 0 && edited != SIZE_MAX) /* "editing message N" is over */
		ctl_message(c, "sent as a new branch: the earlier message and its answers stay");
	if (r == 0 && c->nchips &&
	    ctl_attach_apply(c, &ch->conv.msgs[hist_parent_of(&ch->conv, *answer)]) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return r;
}

/* ---- the selection ---- */

static void show_selected(struct ctl *c)
{
	size_t total = view_lines(c->view), h = c->chat_h > 0 ? (size_t)c->chat_h : 1;
	size_t bottom = total > h ? total - h : 0;
	size_t top = c->follow ? bottom : c->top_line;
	size_t first = view_msg_first_line(c->view, (size_t)c->sel);
	size_t n = view_msg_lines(c->view, (size_t)c->sel);
	if (n > h)
		n = h;
	if (first < top)
		top = first;
	else if (first + n > top + h)
		top = first + n - h;
	c->top_line = top < bottom ? top : bottom;
	c->follow = top >= bottom;
	c->dirty |= CTL_DIRTY_CHAT | CTL_DIRTY_INPUT;
}

/* The next selectable view message from `from` in direction dir, or -1. */
static long step_from(const struct ctl *c, long from, int dir)
{
	for (long v = from + dir; v >= 0 && (size_t)v < c->vmap_n; v += dir)
		if (conv_of(c, v) != SIZE_MAX)
			return v;
	return -1;
}

void ctl_h_select(struct ctl *c)
{
	if (c->lay.n) {
		ctl_cols_select(c, (long)c->lay.cur); /* the answer the branch goes on from */
		return;
	}
	long last = step_from(c, (long)c->vmap_n, -1);
	if (last < 0) {
		ctl_message(c, "no message to select yet");
		return;
	}
	c->sel = last;
	c->mode = MODE_SELECT;
	show_selected(c);
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

static void sel_move(struct ctl *c, long to)
{
	if (to >= 0) {
		c->sel = to;
		show_selected(c);
	}
}

void ctl_h_sel_up(struct ctl *c)
{
	if (!ctl_cols_move(c, COLS_UP))
		sel_move(c, step_from(c, c->sel, -1));
}

void ctl_h_sel_down(struct ctl *c)
{
	if (!ctl_cols_move(c, COLS_DOWN))
		sel_move(c, step_from(c, c->sel, 1));
}

void ctl_h_sel_first(struct ctl *c)
{
	if (!ctl_cols_move(c, COLS_FIRST))
		sel_move(c, step_from(c, -1, 1));
}

void ctl_h_sel_last(struct ctl *c)
{
	if (!ctl_cols_move(c, COLS_LAST))
		sel_move(c, step_from(c, (long)c->vmap_n, -1));
}

void ctl_h_sel_leave(struct ctl *c)
{
	c->mode = MODE_CHAT;
	c->sel = -1;
	ctl_cols_select(c, -1);
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

size_t ctl_sel_msg(const struct ctl *c)
{
	return c->lay.sel != -1 ? ctl_cols_sel_msg(c) : conv_of(c, c->sel);
}

void ctl_sel_follow(struct ctl *c, size_t msg)
{
	c->lay.sel = -1;
	if (ctl_cols_select_msg(c, msg))
		return;
	for (size_t v = 0; v < c->vmap_n && msg != SIZE_MAX; v++)
		if (c->vmap[v] == msg) {
			c->sel = (long)v;
			return;
		}
	ctl_h_sel_leave(c);
}

/* The selected conversation message; SIZE_MAX (and back to the chat) when it is gone. */
static size_t selected(struct ctl *c)
{
	size_t i = ctl_sel_msg(c);
	if (i == SIZE_MAX)
		ctl_h_sel_leave(c);
	return i;
}

/* One at a time, Left and Right on a message with siblings: the one before or after
 * it is shown, and selected. */
static void sel_sibling(struct ctl *c, int dir)
{
	size_t i = selected(c);
	if (i == SIZE_MAX)
		return;
	const struct hist_conv *cv = &c->shown->conv;
	size_t parent = hist_parent_of(cv, i);
	struct err e;
	err_clear(&e);
	int r = chat_switch_sibling(c->shown, i, dir, c->wall, &e);
	if (r != 0) {
		ctl_message(c, "%s", r < 0 ? e.msg : dir < 0 ? "no answer before this one"
							      : "no answer after this one");
		return;
	}
	c->react |= CTL_SAVE;
	ctl_rebuild_view(c);
	for (size_t v = 0; v < c->vmap_n; v++)
		if (conv_of(c, (long)v) != SIZE_MAX && hist_parent_of(cv, c->vmap[v]) == parent &&
		    !strcmp(cv->msgs[c->vmap[v]].role, cv->msgs[i].role))
			c->sel = (long)v;
	show_selected(c);
}

void ctl_h_sel_left(struct ctl *c)
{
	if (!ctl_cols_move(c, COLS_LEFT))
		sel_sibling(c, -1);
}

void ctl_h_sel_right(struct ctl *c)
{
	if (!ctl_cols_move(c, COLS_RIGHT))
		sel_sibling(c, 1);
}

void ctl_h_sel_copy(struct ctl *c)
{
	size_t i = selected(c);
	if (i == SIZE_MAX)
		return;
	const char *s = c->shown->conv.msgs[i].content;
	if (ctl_copy_set(c, s, strlen(s)) < 0)
		return;
	long place = branch_place(c, i);
	char name[160];
	if (!place) /* an answer beside the branch (side by side): by its model */
		ctl_answer_name(c, i, name, sizeof name);
	if (place)
		ctl_message(c, "copied message %ld (%zu bytes) to the clipboard", place,
			    c->out_text.len);
	else
		ctl_message(c, "copied the answer of %s (%zu bytes) to the clipboard", name,
			    c->out_text.len);
}

void ctl_h_sel_copy_code(struct ctl *c)
{
	size_t i = selected(c);
	if (i != SIZE_MAX)
		ctl_copy_code(c, (long)i);
}

void ctl_h_sel_edit(struct ctl *c)
{
	size_t i = selected(c);
	if (i != SIZE_MAX && ctl_tools_toggle_msg(c, i))
		return; /* a tool's result: shown whole, or folded again */
	if (i != SIZE_MAX) {
		c->sel = -1;
		ctl_cols_select(c, -1);
		edit_begin(c, prompt_of(c, i));
	}
}

/* The prompt of the selected message (*i), to be asked again; SIZE_MAX (said why) when
 * there is none or the conversation is busy. */
static size_t prompt_to_ask(struct ctl *c, size_t *i)
{
	*i = selected(c);
	if (*i == SIZE_MAX || ctl_busy(c))
		return SIZE_MAX;
	size_t u = prompt_of(c, *i);
	if (u == SIZE_MAX)
		ctl_message(c, "no prompt to ask again");
	return u;
}

void ctl_h_sel_retry(struct ctl *c)
{
	size_t i, u = prompt_to_ask(c, &i);
	if (u == SIZE_MAX)
		return;
	c->sel = -1;
	ctl_cols_select(c, -1);
	ctl_open_model_picker(c, NULL);
	c->retry_msg = (long)u;
	/* an answer selected: its own model first (Enter asks it again: a failed one
	 * retried alone) */
	char name[160] = "";
	if (i != u)
		ctl_answer_name(c, i, name, sizeof name);
	for (size_t k = 0; *name && k < c->ov.nmatch; k++)
		if (!strcmp(c->ov.items[c->ov.match[k]], name))
			c->ov.sel = k;
	ctl_message(c, "choose the model to ask message %ld again with", branch_place(c, u));
}

/* F5 on a selected message: its prompt is asked again as F5 asks the last one (an answer
 * with siblings of its own model, else of the model chosen), the answer a new sibling. */
void ctl_h_sel_again(struct ctl *c)
{
	size_t i, u = prompt_to_ask(c, &i);
	if (u == SIZE_MAX)
		return;
	ctl_h_sel_leave(c);
	ctl_retry_answer(c, i != u ? (long)i : -1, u + 1);
}

/* The picker chose a model (ctl_modes.c): ask again if a selection asked for it. */
void ctl_retry_picked(struct ctl *c)
{
	long u = c->retry_msg;
	c->retry_msg = -1;
	if (u >= 0 && (size_t)u < c->shown->conv.n)
		ctl_request_retry_at(c, (size_t)u + 1);
}

void ctl_h_sel_delete(struct ctl *c)
{
	size_t i = selected(c);
	if (i == SIZE_MAX || ctl_busy(c))
		return;
	if (c->shown->readonly) {
		ctl_message(c, "this conversation is read-only: nothing is deleted");
		return;
	}
	c->confirm_msg = 1;
	c->mode = MODE_CONFIRM;
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

void ctl_select_delete_confirmed(struct ctl *c)
{
	c->confirm_msg = 0;
	size_t i = ctl_sel_msg(c);
	c->sel = -1;
	c->lay.sel = -1;
	if (i == SIZE_MAX || ctl_busy(c))
		return;
	struct err e;
	err_clear(&e);
	if (c->edit_chat == c->shown)
		ctl_edit_forget(c); /* the indexes move */
	int n = chat_delete_msg(c->shown, i, c->wall, &e);
	if (n < 0) {
		ctl_rebuild_view(c); /* some may be gone, and the view shares their texts */
		ctl_message(c, "%s", e.msg);
		return;
	}
	c->react |= CTL_SAVE;
	ctl_rebuild_view(c);
	ctl_list_touch(c, c->shown);
	ctl_message(c, "deleted %d message%s", n, n == 1 ? "" : "s");
}

void ctl_h_sel_branch(struct ctl *c)
{
	size_t i = selected(c);
	if (i == SIZE_MAX)
		return;
	struct chat *ch = NULL;
	struct err e;
	err_clear(&e);
	if (c->world.conv_new(c->world.ctx, &ch, &e) < 0) {
		ctl_message(c, "cannot start a new conversation: %s", e.msg);
		return;
	}
	if (chat_copy_branch(ch, c->shown, i, c->wall, &e) < 0) {
		c->world.conv_close(c->world.ctx, ch);
		ctl_message(c, "%s", e.msg);
		return;
	}
	c->sel = -1;
	ctl_cols_select(c, -1);
	c->mode = MODE_CHAT;
	ctl_show_chat(c, ch);
	ctl_list_touch(c, ch);
	c->list_sel = 0;
	c->react |= CTL_SAVE | CTL_SET_LAST;
	ctl_message(c, "branched into a new conversation");
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

/* ---- the context ---- */

static void toggle_break(struct ctl *c, size_t i)
{
	if (ctl_busy(c))
		return;
	if (i == SIZE_MAX || is_user(c, i)) {
		ctl_message(c, "a context break goes after an answer");
		return;
	}
	struct err e;
	err_clear(&e);
	int on = !c->shown->conv.msgs[i].context_break;
	chat_set_context_break(c->shown, i, on, c->wall, &e);
	c->react |= CTL_SAVE;
	ctl_rebuild_view(c);
	ctl_message(c, on ? "context cleared: the messages above the line are not sent" :
			    "context restored");
}

void ctl_h_clear_context(struct ctl *c)
{
	const struct hist_msg *leaf = hist_find(&c->shown->conv, c->shown->conv.current);
	if (!leaf) {
		ctl_message(c, "no context to clear yet");
		return;
	}
	toggle_break(c, (size_t)(leaf - c->shown->conv.msgs));
}

void ctl_h_sel_context(struct ctl *c)
{
	size_t i = selected(c);
	if (i != SIZE_MAX)
		toggle_break(c, i);
}

/* ---- the mouse ---- */

void ctl_click(struct ctl *c, int y, int x)
{
	if ((c->mode != MODE_CHAT && c->mode != MODE_SELECT) || y < 0 || y >= c->chat_h ||
	    x < c->chat_x || ctl_cols_click(c, y, x))
		return;
	struct view_line vl;
	if (y < c->chat_top || view_line(c->view, c->top_line + (size_t)(y - c->chat_top), &vl) < 0 ||
	    conv_of(c, (long)vl.msg) == SIZE_MAX)
		return;
	c->sel = (long)vl.msg;
	c->lay.sel = -1;
	c->mode = MODE_SELECT;
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

/* ---- tokens and cost ---- */

/* The answer's cost in USD, or < 0 when its model has no price or it has no usage. */
static double cost_of(const struct ctl *c, const struct hist_msg *m)
{
	if (!m->provider || !m->model || (m->usage.input < 0 && m->usage.output < 0))
		return -1;
	char spec[256];
	double in, out;
	snprintf(spec, sizeof spec, "%s/%s", m->provider, m->model);
	if (!config_price(c->cfg, spec, &in, &out))
		return -1;
	return ((m->usage.input > 0 ? (double)m->usage.input * in : 0) +
		(m->usage.output > 0 ? (double)m->usage.output * out : 0)) / 1e6;
}

static void money(struct buf *out, double usd)
{
	buf_printf(out, usd >= 1 ? "$%.2f" : "$%.4f", usd);
}

void ctl_usage_text(const struct ctl *c, const struct hist_msg *m, struct buf *out)
{
	if (m->usage.input < 0 && m->usage.output < 0)
		return;
	buf_append_str(out, " \xc2\xb7 ");
	if (m->usage.input >= 0)
		buf_printf(out, "%ld in", m->usage.input);
	if (m->usage.output >= 0)
		buf_printf(out, "%s%ld out", m->usage.input >= 0 ? " / " : "", m->usage.output);
	double usd = cost_of(c, m);
	if (usd >= 0) {
		buf_append_str(out, " \xc2\xb7 ");
		money(out, usd);
	}
}

/* The streamed answer's header, now that its usage is known. */
void ctl_usage_header(struct ctl *c, const struct ctl_stream *st)
{
	if (st->view_msg < 0 || st->answer >= st->chat->conv.n)
		return;
	struct buf h = BUF_INIT;
	ctl_answer_header(st->chat, st->answer, &h);
	ctl_usage_text(c, &st->chat->conv.msgs[st->answer], &h);
	if (h.data)
		view_set_header(c->view, (size_t)st->view_msg, h.data);
	buf_free(&h);
}

/* What the totals are counted from: the conversation (its chat's count of changes, which
 * an answer's text growing leaves alone) and its current leaf. O(1): a long conversation
 * costs nothing more per event while an answer streams. */
static unsigned long long totals_print(const struct chat *ch, const struct hist_msg *leaf)
{
	const struct hist_conv *cv = &ch->conv;
	unsigned long long h = 0xcbf29ce484222325u;
	const void *p[] = {cv, cv->msgs, cv->system, leaf};
	for (size_t i = 0; i < sizeof p / sizeof *p; i++)
		h = (h ^ (uintptr_t)p[i]) * 0x100000001b3u;
	h = (h ^ cv->n) * 0x100000001b3u;
	return (h ^ ch->changes) * 0x100000001b3u;
}

/* After every event: the next request's size and the conversation's totals, counted
 * again only when the conversation changed otherwise than by an answer's text growing. */
void ctl_moves_settle(struct ctl *c)
{
	struct ctl_totals *t = &c->totals;
	const struct hist_conv *cv = &c->shown->conv;
	const struct hist_msg *leaf = hist_find(cv, cv->current);
	int leaf_counts = leaf && !leaf->context_break;
	unsigned long long print = totals_print(c->shown, leaf);
	if (!t->counted || t->print != print) {
		size_t bytes = cv->system ? strlen(cv->system) : 0;
		const struct hist_msg *m = leaf_counts ? hist_find(cv, leaf->parent) : NULL;
		for (size_t steps = 1; m && steps < cv->n && !m->context_break; steps++) {
			bytes += strlen(m->content);
			m = hist_find(cv, m->parent);
		}
		t->base = bytes;
		t->in = t->out = -1;
		t->cost = 0;
		t->priced = 0;
		for (size_t i = 0; i < cv->n; i++) {
			const struct hist_usage *u = &cv->msgs[i].usage;
			if (u->input >= 0)
				t->in = (t->in < 0 ? 0 : t->in) + u->input;
			if (u->output >= 0)
				t->out = (t->out < 0 ? 0 : t->out) + u->output;
			double usd = cost_of(c, &cv->msgs[i]);
			if (usd >= 0) {
				t->cost += usd;
				t->priced++;
			}
		}
		t->print = print;
		t->counted = 1;
		t->recounts++;
	}
	size_t len = 0;
	edit_text(c->ed, &len);
	/* the streaming answer's length as chat keeps it: not a strlen of megabytes a frame */
	size_t bytes = t->base + len +
		       (leaf_counts ? chat_content_len(c->shown, (size_t)(leaf - cv->msgs)) : 0);
	t->next_tokens = (long)((bytes + 3) / 4);
}

void ctl_totals_text(const struct ctl *c, struct buf *out)
{
	buf_printf(out, "~%ld tok next", c->totals.next_tokens);
	if (c->totals.priced) {
		buf_append_str(out, " \xc2\xb7 ");
		money(out, c->totals.cost);
	}
}

int ctl_cmd_stats(struct ctl *c, const char *arg)
{
	(void)arg;
	const struct ctl_totals *t = &c->totals;
	const struct hist_conv *cv = &c->shown->conv;
	size_t answers = 0, *idx = NULL, nb = 0;
	for (size_t i = 0; i < cv->n; i++)
		answers += !strcmp(cv->msgs[i].role, "assistant");
	if (chat_branch(c->shown, &idx, &nb) < 0)
		nb = 0;
	free(idx);
	struct buf s = BUF_INIT;
	buf_printf(&s, "%zu messages (%zu on the branch shown), %zu answers.\n", cv->n, nb,
		   answers);
	if (t->in >= 0 || t->out >= 0)
		buf_printf(&s, "Tokens the providers reported: %ld in, %ld out.\n",
			   t->in < 0 ? 0 : t->in, t->out < 0 ? 0 : t->out);
	else
		buf_append_str(&s, "No provider reported token counts yet.\n");
	if (t->priced) {
		buf_append_str(&s, "Cost: ");
		money(&s, t->cost);
		buf_printf(&s, " for the %d answer%s whose model has a price in config.json "
			   "\"prices\".\n", t->priced, t->priced == 1 ? "" : "s");
	} else {
		buf_append_str(&s, "Cost: unknown (config.json \"prices\" lists no model used "
			       "here).\n");
	}
	buf_printf(&s, "The next request sends about %ld tokens (its bytes / 4, a rough "
		   "estimate).", t->next_tokens);
	if (s.data)
		ctl_info(c, "stats", s.data, 0);
	buf_free(&s);
	return 0;
}

void ctl_moves_free(struct ctl *c)
{
	free(c->find.lines);
	free(c->find.cols);
	buf_free(&c->find.query);
	free(c->vmap);
	c->vmap = NULL;
	c->vmap_n = c->vmap_cap = 0;
}
