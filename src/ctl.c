/* ctl: the client's controller core: the events (keys, timers, resizes, the editor's
 * text, notes), starting and freeing, and the geometry and scrolling that drawing reads.
 * Sending and the streams are ctl_send.c's. Pure: the world comes through struct
 * ctl_world and the time with each event. */
#include "ctl_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/sanitize.h"
#include "cherry/text.h"

#define MESSAGE_SECONDS 5.0
#define STATUS_HELP_COLS 9     /* " F1 help " at the status line's end, from 50 columns */
#define STREAM_TICK 0.25       /* rate, stall state and saves while streaming */
#define STALL_SHOWN_AFTER 8.0  /* seconds without a byte before the state says stalled */
#define LIST_WIDTH 24
#define LIST_MIN_COLS 70
#define INPUT_MAX_ROWS 8

void ctl_message(struct ctl *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->message, sizeof c->message, fmt, ap);
	va_end(ap);
	c->message_until = c->now + MESSAGE_SECONDS;
	c->dirty |= CTL_DIRTY_STATUS;
}

struct ctl_keyname ctl_key_name(const struct ctl *c, enum input_action a)
{
	struct ctl_keyname k;
	input_first_key(&c->keys, a, k.s, sizeof k.s);
	if (!k.s[0])
		snprintf(k.s, sizeof k.s, "(unbound)");
	return k;
}

static const char *word_of(enum ctl_state state, double rate, double retry_left, int attempt,
			   int max, char *tmp, size_t tmpsz)
{
	switch (state) {
	case CTL_IDLE:
		return "idle";
	case CTL_CONNECTING:
		return "connecting";
	case CTL_THINKING:
		return "thinking";
	case CTL_STREAMING:
		if (rate > 0)
			snprintf(tmp, tmpsz, "streaming %.0f tok/s", rate);
		else
			snprintf(tmp, tmpsz, "streaming");
		return tmp;
	case CTL_STALLED:
		return "stalled";
	case CTL_RETRYING:
		snprintf(tmp, tmpsz, "retrying in %.0f s (%d/%d)", retry_left + 0.49, attempt, max);
		return tmp;
	case CTL_STOPPED:
		return "stopped";
	case CTL_ERROR:
		return "error";
	}
	return "idle";
}

/* What the answer shown says once it ended while its siblings stream on. */
static const char *ended_word(const struct ctl *c)
{
	long a = ctl_last_answer(c);
	switch (a >= 0 ? c->shown->conv.msgs[a].status : HIST_COMPLETE) {
	case HIST_STOPPED:
		return "stopped";
	case HIST_INTERRUPTED:
		return "interrupted";
	case HIST_ERROR:
		return "error";
	case HIST_COMPLETE:
		break;
	}
	return "done";
}

/* The stream shown ("stopping" once M-z asked it to); the answer shown ended while
 * others in its conversation stream, how it ended and how many stream on ("stopped ·
 * 2 others streaming"); else another conversation's. With several streams the count
 * follows ("streaming 40 tok/s · 3 streams"). */
const char *ctl_state_word(const struct ctl *c, char *tmp, size_t tmpsz)
{
	const struct ctl_stream *st = ctl_stream_shown(c);
	char one[64];
	const char *w;
	if (!st && ctl_stream_in(c, c->shown)) {
		snprintf(tmp, tmpsz, "%s \xc2\xb7 %zu other%s streaming", ended_word(c), c->nstreams,
			 c->nstreams > 1 ? "s" : "");
		return tmp;
	}
	if (st && st->held)
		w = "waiting for a free stream";
	else if (st && st->stop_requested)
		w = "stopping";
	else if (st)
		w = word_of(st->state, st->rate, st->retry_left, st->retry_attempt,
			    st->retry_max, one, sizeof one);
	else if (c->nstreams)
		w = "streaming in another conversation";
	else
		w = word_of(c->state, c->rate, c->retry_left, c->retry_attempt, c->retry_max, one,
			    sizeof one);
	if (c->nstreams > 1)
		snprintf(tmp, tmpsz, "%s \xc2\xb7 %zu streams", w, c->nstreams);
	else
		snprintf(tmp, tmpsz, "%s", w);
	return tmp;
}

/* The last answer on the shown branch, or -1. */
long ctl_last_answer(const struct ctl *c)
{
	size_t *idx = NULL, n = 0;
	long found = -1;
	if (chat_branch(c->shown, &idx, &n) == 0)
		for (size_t k = n; k-- > 0;)
			if (!strcmp(c->shown->conv.msgs[idx[k]].role, "assistant")) {
				found = (long)idx[k];
				break;
			}
	free(idx);
	return found;
}

/* What M-, and M-. flip: the nearest fork above the end of the branch shown, the last
 * answer's siblings, else the versions of the nearest message above it that was edited
 * (the answer to an edited prompt has none of its own). */
static size_t nearest_fork(const struct ctl *c, size_t a)
{
	for (size_t i = a; i != HIST_NONE; i = hist_parent_of(&c->shown->conv, i)) {
		size_t pos, count;
		chat_siblings(c->shown, i, &pos, &count);
		if (count > 1)
			return i;
	}
	return a;
}

void ctl_switch_sibling(struct ctl *c, int dir)
{
	long a = ctl_last_answer(c);
	if (a < 0) {
		ctl_message(c, "no answer to flip");
		return;
	}
	struct err e;
	err_clear(&e);
	size_t m = nearest_fork(c, (size_t)a);
	int r = chat_switch_sibling(c->shown, m, dir, c->wall, &e);
	if (r == 1)
		ctl_message(c, "this is the %s %s", dir < 0 ? "first" : "last",
			    (long)m == a ? "answer" : "version of this message");
	else if (e.msg[0])
		ctl_message(c, "%s", e.msg);
	if (r == 0)
		c->react |= CTL_SAVE;
	ctl_rebuild_view(c);
}

int ctl_copy_set(struct ctl *c, const char *s, size_t len)
{
	buf_reset(&c->out_text);
	if (sanitize_string(s, len, &c->out_text) < 0) {
		buf_reset(&c->out_text);
		ctl_message(c, "out of memory");
		return -1;
	}
	if (c->out_text.len > CTL_COPY_MAX) {
		ctl_message(c, "not copied: %.1f MB is more than a terminal takes at once (1 MB); "
			    "cherry history export writes it whole",
			    (double)c->out_text.len / (1024.0 * 1024.0));
		buf_reset(&c->out_text);
		return -1;
	}
	c->react |= CTL_COPY;
	return 0;
}

void ctl_copy_answer(struct ctl *c)
{
	long a = ctl_last_answer(c);
	const char *s = a >= 0 ? c->shown->conv.msgs[a].content : NULL;
	if (!s || !*s) {
		ctl_message(c, "no answer to copy");
		return;
	}
	if (ctl_copy_set(c, s, strlen(s)) == 0)
		ctl_message(c, "copied the last answer (%zu bytes) to the clipboard",
			    c->out_text.len);
}

void ctl_copy_code(struct ctl *c, long msg)
{
	const char *s = msg >= 0 ? c->shown->conv.msgs[msg].content : NULL;
	size_t len = s ? strlen(s) : 0;
	size_t n = c->code_last && c->code_msg == msg ? c->code_last + 1 : 1;
	struct buf code = BUF_INIT;
	int rc = md_code_block(s ? s : "", len, n, &code);
	if (rc == 1 && n > 1) /* past the last block: the first again */
		rc = md_code_block(s, len, n = 1, &code);
	c->code_last = 0;
	if (rc == 0) {
		if (ctl_copy_set(c, code.data ? code.data : "", code.len) == 0) {
			c->code_msg = msg;
			c->code_last = n;
			ctl_message(c, "copied code block %zu (%zu bytes) to the clipboard; again "
				    "for the next", n, c->out_text.len);
		}
	} else {
		ctl_message(c, rc > 0 ? (s ? "the message has no code block" : "no answer to copy")
				      : "out of memory");
	}
	buf_free(&code);
}

void ctl_copy_last_code(struct ctl *c)
{
	ctl_copy_code(c, ctl_last_answer(c));
}

/* ---- scrolling and geometry ---- */

void ctl_scroll_by(struct ctl *c, long delta)
{
	if (ctl_cols_scroll(c, ctl_cols_focus(c), delta))
		return;
	size_t total = ctl_chat_total(c);
	size_t h = ctl_chat_rows(c) ? ctl_chat_rows(c) : 1;
	size_t bottom = total > h ? total - h : 0;
	if (c->follow)
		c->top_line = bottom;
	long top = (long)c->top_line + delta;
	if (top < 0)
		top = 0;
	if ((size_t)top >= bottom) {
		top = (long)bottom;
		c->follow = 1;
		c->more_below = 0;
	} else {
		c->follow = 0;
	}
	c->top_line = (size_t)top;
	c->dirty |= CTL_DIRTY_CHAT;
}

/* The input's wrapped rows at the input width, for the box's height. */
static int input_rows(struct ctl *c, int width)
{
	if (c->mode == MODE_PASSPHRASE || c->mode == MODE_CONFIRM || c->mode == MODE_FIND ||
	    c->mode == MODE_SELECT)
		return 1;
	size_t len;
	const char *s = edit_text(c->ed, &len);
	if (!s)
		return 1;
	int row, col;
	text_wrap_locate(s, len, width, edit_cursor_offset(c->ed), &row, &col);
	int n = text_wrap(s, len, width, NULL, NULL);
	return row + 1 > n ? row + 1 : n;
}

int ctl_status_room(int cols)
{
	return cols >= 50 ? cols - STATUS_HELP_COLS : cols;
}

void ctl_status_head(const struct ctl *c, struct buf *out)
{
	char tmp[96];
	buf_append_char(out, ' ');
	if (c->model[0])
		buf_append_str(out, c->model);
	else
		buf_printf(out, "no model (%s chooses)", ctl_key_name(c, ACT_MODEL_PICKER).s);
	buf_append_str(out, " \xc2\xb7 ");
	buf_append_str(out, ctl_state_word(c, tmp, sizeof tmp));
	if (c->history_readonly)
		buf_append_str(out, " \xc2\xb7 not saved (read-only)");
	if (c->nqueue)
		buf_printf(out, " \xc2\xb7 %zu queued", c->nqueue);
	ctl_tools_status(c, out);
}

/* The details after the head when no message is shown, the least needed left out first
 * as detail goes down from 3: the first-token time, then the last answer's tokens, then
 * the next message's estimate (and its cost). The proxy in use stays at every level. */
static void status_details(const struct ctl *c, int detail, struct buf *out)
{
	if (detail >= 2 && (c->usage.input >= 0 || c->usage.output >= 0)) {
		buf_append_str(out, " \xc2\xb7 ");
		if (c->usage.input >= 0)
			buf_printf(out, "%ld in", c->usage.input);
		else
			buf_append_str(out, "? in");
		if (c->usage.output >= 0)
			buf_printf(out, " / %ld out", c->usage.output);
	}
	if (detail >= 3 && c->ttft >= 0)
		buf_printf(out, " \xc2\xb7 first token %.2f s", c->ttft);
	if (detail >= 1) {
		buf_append_str(out, " \xc2\xb7 ");
		ctl_totals_text(c, out);
	}
	if (c->proxy[0])
		buf_printf(out, " \xc2\xb7 proxy %s", c->proxy);
}

void ctl_status_line(const struct ctl *c, int room, struct buf *out)
{
	struct buf line = BUF_INIT;
	ctl_status_head(c, &line);
	size_t head = line.len;
	int message = c->message[0] && !c->msg_rows;
	for (int detail = 3; detail >= 0; detail--) {
		line.len = head;
		if (line.data)
			line.data[head] = '\0';
		if (message) {
			buf_append_str(&line, " \xc2\xb7 ");
			buf_append_str(&line, c->message);
		} else {
			status_details(c, detail, &line);
		}
		buf_reset(out);
		sanitize_string(line.data ? line.data : "", line.len, out);
		if (message || text_width(out->data ? out->data : "", out->len) <= room)
			break;
	}
	buf_free(&line);
}

/* The rows the message takes above the status line, at most cap: none when it fits on
 * the status line after its head, else its rows wrapped one column in from each side.
 * Such a message stays until the next key: it is never cut, and never goes while read. */
static int message_rows(struct ctl *c, int cap)
{
	if (!c->message[0] || cap < 1 || c->cols < 3)
		return 0;
	struct buf line = BUF_INIT, safe = BUF_INIT;
	ctl_status_head(c, &line);
	buf_append_str(&line, " \xc2\xb7 ");
	buf_append_str(&line, c->message);
	sanitize_string(line.data ? line.data : "", line.len, &safe);
	int rows = 0;
	if (text_width(safe.data ? safe.data : "", safe.len) > ctl_status_room(c->cols)) {
		buf_reset(&safe);
		sanitize_string(c->message, strlen(c->message), &safe);
		rows = text_wrap(safe.data ? safe.data : "", safe.len, c->cols - 2, NULL, NULL);
		c->message_until = 0;
	}
	buf_free(&line);
	buf_free(&safe);
	return rows < cap ? rows : cap;
}

/* Lays out the panes for the terminal size and the input's height; a new chat width
 * re-wraps the view and keeps it on the same message. */
static void geometry(struct ctl *c)
{
	if (c->rows < 1 || c->cols < 1)
		return;
	int old_w = c->chat_w, old_h = c->chat_h, old_in = c->input_h, old_list = c->list_visible;
	int old_msg = c->msg_rows;
	c->list_visible = c->show_list && c->cols >= LIST_MIN_COLS;
	c->chat_x = c->list_visible ? LIST_WIDTH + 1 : 0;
	c->chat_w = c->cols - c->chat_x;
	if (c->chat_w < 1)
		c->chat_w = 1;
	int cap = c->rows / 3;
	if (cap > INPUT_MAX_ROWS)
		cap = INPUT_MAX_ROWS;
	if (cap < 1)
		cap = 1;
	int want = input_rows(c, c->cols > 2 ? c->cols - 2 : 1);
	c->input_h = want < cap ? want : cap;
	/* status 1, a long message's rows above it, separator 1, input, the rest for the chat
	 * (possibly nothing); the message leaves the chat a row */
	c->msg_rows = message_rows(c, c->rows - 3 - c->input_h);
	c->chat_h = c->rows - 2 - c->input_h - c->msg_rows;
	if (c->chat_h < 0)
		c->chat_h = 0;
	if (old_w == c->chat_w && old_h == c->chat_h && old_in == c->input_h &&
	    old_list == c->list_visible && old_msg == c->msg_rows)
		return;
	c->dirty |= CTL_DIRTY_LAYOUT | CTL_DIRTY_ALL;
	if (old_w == c->chat_w)
		return;
	size_t anchor_msg = 0, anchor_sub = 0;
	struct view_line vl;
	int anchored = !c->follow && view_line(c->view, c->top_line, &vl) == 0;
	if (anchored) {
		anchor_msg = vl.msg;
		anchor_sub = c->top_line - view_msg_first_line(c->view, vl.msg);
	}
	view_set_width(c->view, c->chat_w);
	ctl_layout_stale(c);
	if (anchored) {
		size_t n = view_msg_lines(c->view, anchor_msg);
		c->top_line = view_msg_first_line(c->view, anchor_msg) +
			      (anchor_sub < n ? anchor_sub : (n ? n - 1 : 0));
	}
}

/* The chat's first shown line and the more-below mark, for the lines there are now. */
void ctl_settle_chat(struct ctl *c)
{
	if (ctl_cols_settle_tops(c))
		return;
	size_t h = ctl_chat_rows(c);
	/* what will be drawn laid out first, so that drawing moves no line */
	if (!c->lay.n && !c->follow)
		view_show(c->view, &c->top_line, h);
	if (!c->lay.n)
		view_show_end(c->view, h);
	for (size_t k = 0; k < c->lay.n; k++)
		if (c->lay.v[k])
			view_show_end(c->lay.v[k], h);
	size_t total = ctl_chat_total(c);
	size_t bottom = total > h ? total - h : 0;
	if (c->follow || c->top_line > bottom)
		c->top_line = bottom;
	/* the mark says the chat goes on below what is shown, new text or not */
	c->more_below = !c->follow && c->top_line + h < total;
}

/* After every event: what drawing reads is made consistent (geometry, the chat's top
 * line and the more-below mark, the list's, the overlay's and the input's scroll). */
void ctl_settle(struct ctl *c)
{
	c->settle_owed = 0;
	geometry(c);
	ctl_layout_settle(c);
	geometry(c); /* a line the layout said may want rows above the status line */
	ctl_find_settle(c);
	ctl_settle_chat(c);
	ctl_moves_settle(c);
	size_t h = c->chat_h > 0 ? (size_t)c->chat_h : 0;
	if (h) {
		if (c->list_sel < c->list_top)
			c->list_top = c->list_sel;
		if (c->list_sel >= c->list_top + h)
			c->list_top = c->list_sel - h + 1;
	}
	struct ctl_overlay *o = &c->ov;
	size_t rows = h > 1 ? h - 1 : 1;
	if (o->kind != CTL_OV_HELP) {
		if (o->sel < o->top)
			o->top = o->sel;
		if (o->sel >= o->top + rows)
			o->top = o->sel - rows + 1;
	} else if (o->nmatch > rows && o->top > o->nmatch - rows) {
		o->top = o->nmatch - rows;
	} else if (o->nmatch <= rows) {
		o->top = 0;
	}
	if (c->mode != MODE_PASSPHRASE && c->mode != MODE_CONFIRM && c->mode != MODE_FIND &&
	    c->mode != MODE_SELECT) {
		size_t len;
		const char *s = edit_text(c->ed, &len);
		int width = c->cols > 2 ? c->cols - 2 : 1, crow = 0, ccol;
		if (s)
			text_wrap_locate(s, len, width, edit_cursor_offset(c->ed), &crow, &ccol);
		if ((size_t)crow < c->input_top)
			c->input_top = (size_t)crow;
		if (c->input_h > 0 && (size_t)crow >= c->input_top + (size_t)c->input_h)
			c->input_top = (size_t)crow - (size_t)c->input_h + 1;
	}
}

int ctl_resize(struct ctl *c, int rows, int cols)
{
	c->react = 0;
	if (rows != c->rows || cols != c->cols)
		c->dirty |= CTL_DIRTY_LAYOUT | CTL_DIRTY_ALL | CTL_DIRTY_CLEAR;
	c->rows = rows;
	c->cols = cols;
	ctl_settle(c);
	return 0;
}

/* ---- timers ---- */

int ctl_timer(struct ctl *c, double now, double wall)
{
	c->now = now;
	c->wall = wall;
	c->react = 0;
	if (c->message[0] && c->message_until > 0 && now >= c->message_until) {
		c->message[0] = '\0';
		c->dirty |= CTL_DIRTY_STATUS;
	}
	if (c->list_visible && (long)(wall / 60) != (long)(c->list_drawn_wall / 60)) {
		c->list_drawn_wall = wall;
		c->dirty |= CTL_DIRTY_LIST;
	}
	ctl_search_step(c); /* a search of every conversation goes on between keys */
	for (size_t i = 0; i < c->nstreams; i++) {
		struct ctl_stream *st = c->streams[i];
		if (st->held)
			continue;
		if (st->first >= 0 && now > st->first) {
			double r = (double)st->deltas / (now - st->first);
			if ((long)r != (long)st->rate) {
				st->rate = r;
				c->dirty |= CTL_DIRTY_STATUS;
			}
		}
		double since = now - (st->first >= 0 ? st->last_delta : st->started);
		if (since > STALL_SHOWN_AFTER && st->state != CTL_STALLED &&
		    (st->state == CTL_STREAMING || st->state == CTL_THINKING)) {
			st->state = CTL_STALLED;
			c->dirty |= CTL_DIRTY_STATUS;
		} else if (since <= STALL_SHOWN_AFTER && st->state == CTL_STALLED) {
			st->state = CTL_STREAMING;
			c->dirty |= CTL_DIRTY_STATUS;
		}
	}
	ctl_settle(c);
	return c->react;
}

double ctl_next_timer(const struct ctl *c, double now)
{
	double t = -1;
	/* the list's ages ("5m") move on once a minute, and only while it shows */
	if (c->list_visible && c->nlist)
		t = 60;
	if (c->message[0] && c->message_until > 0) {
		double m = c->message_until > now ? c->message_until - now : 0;
		if (t < 0 || m < t)
			t = m;
	}
	if (c->nstreams && (t < 0 || t > STREAM_TICK))
		t = STREAM_TICK;
	if (c->search.running)
		t = 0;
	return t;
}

/* ---- events from keys and the shell ---- */

int ctl_key(struct ctl *c, input_key k, double now, double wall)
{
	c->now = now;
	c->wall = wall;
	c->react = 0;
	ctl_dispatch(c, k);
	/* a paste's characters settle at its end, or before a frame: settling measures the
	 * whole input, and one by one a paste of 8,000 characters took two seconds */
	if (c->in_paste && c->mode == MODE_CHAT && !c->react)
		c->settle_owed = 1;
	else
		ctl_settle(c);
	return c->react;
}

void ctl_frame(struct ctl *c)
{
	if (c->settle_owed)
		ctl_settle(c);
}

int ctl_action(struct ctl *c, enum input_action a, double now, double wall)
{
	c->now = now;
	c->wall = wall;
	c->react = 0;
	ctl_do_action(c, a);
	ctl_settle(c);
	return c->react;
}

int ctl_editor_done(struct ctl *c, const char *text, size_t len, const char *error)
{
	c->react = 0;
	if (!text) {
		ctl_message(c, "%s", error ? error : "the editor failed; the input is unchanged");
	} else {
		while (len && text[len - 1] == '\n')
			len--;
		edit_set_text(c->ed, text, len);
	}
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	ctl_settle(c);
	return c->react;
}

int ctl_note(struct ctl *c, const char *line)
{
	c->react = 0;
	if (line && *line)
		ctl_message(c, "%s", line);
	ctl_settle(c); /* a long line takes rows above the status line */
	return 0;
}

/* ---- start and end ---- */

int ctl_init(struct ctl *c, const struct config *cfg, const struct ctl_world *w, struct edit *ed,
	     input_warn_fn warn, void *warn_ctx)
{
	memset(c, 0, sizeof *c);
	c->cfg = cfg;
	c->world = *w;
	c->ed = ed;
	c->fav_index = -1;
	c->edit_msg = c->sel = c->retry_msg = c->ctx_view = c->lay.sel = -1;
	c->ttft = -1;
	c->usage = (struct wire_usage){-1, -1, -1, -1};
	c->follow = 1;
	c->show_list = 1;
	json_t *sidebar = cfg->ui ? json_object_get(cfg->ui, "sidebar") : NULL;
	if (json_is_false(sidebar))
		c->show_list = 0;
	input_map_defaults(&c->keys);
	input_map_apply(&c->keys, cfg->keys, warn, warn_ctx);
	c->view = view_new(80);
	if (!c->view || ctl_tools_init(c) < 0)
		return -1;
	view_keep(c->view, &c->top_line);
	json_t *reasoning = cfg->ui ? json_object_get(cfg->ui, "show_reasoning") : NULL;
	if (json_is_false(reasoning))
		view_set_fold(c->view, 1);
	return 0;
}

int ctl_begin(struct ctl *c, const struct ctl_start *o, double now, double wall, int *react,
	      struct err *e)
{
	c->now = now;
	c->wall = wall;
	c->react = 0;
	struct chat *ch = NULL;
	int opened = -1;
	struct err oe;
	err_clear(&oe);
	if (o->conversation)
		opened = c->world.conv_open(c->world.ctx, o->conversation, &ch, &oe);
	if (opened < 0 && o->conversation_given) {
		*e = oe;
		return -1;
	}
	if (opened < 0 && c->world.conv_new(c->world.ctx, &ch, e) < 0)
		return -1;
	c->shown = ch;
	ctl_show_chat(c, ch);
	ctl_pick_initial_model(c, o->model); /* -m wins over the reopened conversation's model */
	if (o->assistant)
		ctl_use_assistant(c, o->assistant);
	if (opened == 1)
		ctl_message(c, "%s", oe.msg);
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	ctl_settle(c);
	*react = c->react;
	return 0;
}

void ctl_free(struct ctl *c)
{
	ctl_overlay_close(c);
	ctl_key_end(c);
	ctl_passphrase_end(c);
	ctl_pending_clear(c);
	ctl_attach_free(c);
	for (size_t i = 0; i < c->nqueue; i++)
		free(c->queue[i].text);
	free(c->queue);
	while (c->nstreams) {
		struct ctl_stream *st = c->streams[--c->nstreams];
		struct chat *ch = st->chat;
		free(st);
		if (ch != c->shown && !ctl_stream_in(c, ch))
			c->world.conv_close(c->world.ctx, ch);
	}
	free(c->streams);
	c->streams = NULL;
	ctl_multi_free(c);
	ctl_layout_free(c);
	if (c->shown)
		c->world.conv_close(c->world.ctx, c->shown);
	c->shown = NULL;
	view_free(c->view);
	ctl_tools_free(c);
	ctl_moves_free(c);
	histstore_entries_free(c->list, c->nlist);
	free(c->gone);
	free(c->touched);
	free(c->switcher_wait);
	buf_free(&c->out_text);
	buf_free(&c->out_path);
	memset(c, 0, sizeof *c);
}
