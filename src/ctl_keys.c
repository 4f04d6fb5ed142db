/* ctl_keys: what each action does, in every mode: one table of handlers indexed by the
 * action (input.h names the actions and their keys), the chat's and the list's
 * handlers, and the dispatch of a key through the current mode's key map. The overlays',
 * the question's and the passphrase prompt's handlers and state are ctl_modes.c's. */
#include "ctl_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- the handlers ---- */

static void h_send(struct ctl *c)
{
	size_t len;
	const char *s = edit_text(c->ed, &len);
	if (!s || !len)
		return;
	char *copy = strndup(s, len);
	if (!copy) {
		ctl_message(c, "out of memory");
		return;
	}
	if (copy[0] == '/')
		ctl_run_command(c, copy);
	else
		ctl_request_send(c, copy, len);
	free(copy);
}

static void h_stop(struct ctl *c)
{
	if (ctl_pending_drop(c))
		return;
	if (!c->nstreams && ctl_edit_cancel(c))
		return;
	if (c->nqueue && edit_is_empty(c->ed)) {
		char why[128];
		snprintf(why, sizeof why, "the queued message is back in the input: %s queues it "
			 "again", ctl_key_name(c, ACT_SEND).s);
		ctl_unqueue(c, why);
	} else if (c->nstreams) {
		ctl_stop(c);
	} else if (c->message[0]) {
		c->message[0] = '\0';
		c->dirty |= CTL_DIRTY_STATUS;
	}
}

static void h_model_picker(struct ctl *c) { ctl_open_model_picker(c, NULL); }

static void favorite_step(struct ctl *c, int dir)
{
	size_t n = c->cfg->nfavorites;
	if (!n) {
		ctl_message(c, "no favourites: list some in config.json \"favorites\"");
		return;
	}
	size_t i;
	if (c->fav_index < 0)
		i = dir > 0 ? 0 : n - 1;
	else
		i = ((size_t)c->fav_index + n + (size_t)(dir > 0 ? 1 : n - 1)) % n;
	if (ctl_set_model(c, c->cfg->favorites[i], 1) == 0)
		ctl_message(c, "model: %s", c->model);
}

static void h_favorite_next(struct ctl *c) { favorite_step(c, 1); }
static void h_favorite_prev(struct ctl *c) { favorite_step(c, -1); }
static void h_new_conversation(struct ctl *c) { ctl_new_conversation(c); }
static void h_switcher(struct ctl *c) { ctl_open_switcher(c, NULL); }

static void h_toggle_list(struct ctl *c)
{
	c->show_list = !c->show_list;
	c->dirty |= CTL_DIRTY_LAYOUT | CTL_DIRTY_ALL;
}

static void h_focus_list(struct ctl *c)
{
	if (c->list_visible && c->nlist) {
		/* the focus lands on the conversation shown */
		for (size_t i = 0; i < c->nlist; i++)
			if (!strcmp(c->list[i].id, c->shown->conv.id))
				c->list_sel = i;
		c->mode = MODE_LIST;
		c->dirty |= CTL_DIRTY_LIST | CTL_DIRTY_STATUS;
	} else {
		ctl_message(c, "the list is hidden: %s shows it, %s switches",
			    ctl_key_name(c, ACT_TOGGLE_LIST).s, ctl_key_name(c, ACT_SWITCHER).s);
	}
}

static void h_retry(struct ctl *c) { ctl_request_retry(c); }
static void h_sibling_prev(struct ctl *c) { ctl_switch_sibling(c, -1); }
static void h_sibling_next(struct ctl *c) { ctl_switch_sibling(c, 1); }

static void h_toggle_reasoning(struct ctl *c)
{
	view_set_fold(c->view, !view_folded(c->view));
	c->dirty |= CTL_DIRTY_CHAT;
}

/* "/rename TITLE" with the title selected: typing replaces it, arrows keep it to edit. */
static void h_rename(struct ctl *c)
{
	struct buf cmd = BUF_INIT;
	buf_printf(&cmd, "/rename %s", c->shown->conv.title ? c->shown->conv.title : "");
	if (cmd.data)
		edit_set_text_selected(c->ed, cmd.data, cmd.len, strlen("/rename "));
	buf_free(&cmd);
}

static void h_delete_conversation(struct ctl *c) { ctl_ask_delete(c); }
static void h_copy(struct ctl *c) { ctl_copy_answer(c); }
static void h_copy_code(struct ctl *c) { ctl_copy_last_code(c); }

static void h_editor(struct ctl *c)
{
	if (c->nstreams) { /* the editor holds the screen: no stream may wait on it */
		ctl_message(c, "an answer is still streaming: %s stops it",
			    ctl_key_name(c, ACT_STOP).s);
		return;
	}
	if (ctl_busy(c))
		return;
	size_t len;
	const char *s = edit_text(c->ed, &len);
	buf_reset(&c->out_text);
	if (buf_append(&c->out_text, s ? s : "", s ? len : 0) < 0 || !c->out_text.data) {
		ctl_message(c, "out of memory");
		return;
	}
	c->react |= CTL_EDITOR;
}

static void h_complete(struct ctl *c) { ctl_complete(c); }

/* A page: the rows the chat's lines have (under a tab strip, the question and the
 * columns' headers), less one kept in sight. */
static long page(const struct ctl *c)
{
	size_t rows = ctl_chat_rows(c);
	return rows > 1 ? (long)rows - 1 : 1;
}

static void h_scroll_up(struct ctl *c)
{
	ctl_scroll_by(c, -page(c));
}

static void h_scroll_down(struct ctl *c)
{
	ctl_scroll_by(c, page(c));
}

static void h_scroll_top(struct ctl *c)
{
	if (ctl_cols_scroll(c, ctl_cols_focus(c), -(long)ctl_chat_total(c)))
		return;
	c->follow = 0;
	c->top_line = 0;
	c->dirty |= CTL_DIRTY_CHAT;
}

static void h_scroll_bottom(struct ctl *c)
{
	for (size_t k = 0; k < c->lay.n; k++)
		c->lay.follow[k] = 1;
	c->follow = 1;
	c->more_below = 0;
	c->dirty |= CTL_DIRTY_CHAT;
}

static void h_help(struct ctl *c) { ctl_open_help(c); }

static void h_redraw(struct ctl *c)
{
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT | CTL_DIRTY_CLEAR;
}

static void h_quit(struct ctl *c)
{
	c->quit = 1;
	c->react |= CTL_QUIT;
}

static void edit_do(struct ctl *c, enum edit_action a)
{
	edit_apply(c->ed, a, 0);
	c->dirty |= CTL_DIRTY_INPUT;
}

static void h_delete_char_or_quit(struct ctl *c)
{
	if (edit_is_empty(c->ed))
		h_quit(c);
	else
		edit_do(c, EDIT_DELETE_CHAR);
}

static void h_up(struct ctl *c)
{
	if (edit_apply(c->ed, EDIT_UP, 0) == EDIT_AT_FIRST_LINE)
		edit_apply(c->ed, EDIT_HISTORY_OLDER, 0);
	c->dirty |= CTL_DIRTY_INPUT;
}

static void h_down(struct ctl *c)
{
	if (edit_apply(c->ed, EDIT_DOWN, 0) == EDIT_AT_LAST_LINE)
		edit_apply(c->ed, EDIT_HISTORY_NEWER, 0);
	c->dirty |= CTL_DIRTY_INPUT;
}

static void list_open_selected(struct ctl *c)
{
	if (c->list_sel >= c->nlist)
		return;
	char id[HIST_ID_MAX + 1];
	snprintf(id, sizeof id, "%s", c->list[c->list_sel].id);
	c->mode = MODE_CHAT;
	ctl_open_conversation(c, id);
}

static void h_list_up(struct ctl *c)
{
	if (c->list_sel > 0)
		c->list_sel--;
	c->dirty |= CTL_DIRTY_LIST;
}

static void h_list_down(struct ctl *c)
{
	if (c->list_sel + 1 < c->nlist)
		c->list_sel++;
	c->dirty |= CTL_DIRTY_LIST;
}

static void h_list_delete(struct ctl *c)
{
	if (c->list_sel >= c->nlist)
		return;
	char id[HIST_ID_MAX + 1];
	snprintf(id, sizeof id, "%s", c->list[c->list_sel].id);
	ctl_open_conversation(c, id);
	if (!strcmp(c->shown->conv.id, id))
		ctl_ask_delete(c);
}

static void h_list_leave(struct ctl *c)
{
	c->mode = MODE_CHAT;
	c->dirty |= CTL_DIRTY_LIST | CTL_DIRTY_STATUS;
}

/* The actions that are plain editor operations, one to one. */
static const enum edit_action edit_of[ACT__COUNT] = {
	[ACT_NEWLINE] = EDIT_NEWLINE,
	[ACT_LINE_START] = EDIT_LINE_START,
	[ACT_LINE_END] = EDIT_LINE_END,
	[ACT_BACK_CHAR] = EDIT_BACK_CHAR,
	[ACT_FORWARD_CHAR] = EDIT_FORWARD_CHAR,
	[ACT_BACK_WORD] = EDIT_BACK_WORD,
	[ACT_FORWARD_WORD] = EDIT_FORWARD_WORD,
	[ACT_KILL_LINE_END] = EDIT_KILL_LINE_END,
	[ACT_KILL_LINE_START] = EDIT_KILL_LINE_START,
	[ACT_KILL_WORD_BACK] = EDIT_KILL_WORD_BACK,
	[ACT_KILL_WORD_FORWARD] = EDIT_KILL_WORD_FORWARD,
	[ACT_YANK] = EDIT_YANK,
	[ACT_DELETE_CHAR] = EDIT_DELETE_CHAR,
	[ACT_BACKSPACE] = EDIT_BACKSPACE,
	[ACT_HISTORY_OLDER] = EDIT_HISTORY_OLDER,
	[ACT_HISTORY_NEWER] = EDIT_HISTORY_NEWER,
	[ACT_TEXT_START] = EDIT_TEXT_START,
	[ACT_TEXT_END] = EDIT_TEXT_END,
};

typedef void (*handler_fn)(struct ctl *c);

/* Every action's handler; the editor's actions go through edit_of. */
static const handler_fn handlers[ACT__COUNT] = {
	[ACT_SEND] = h_send,
	[ACT_STOP] = h_stop,
	[ACT_MODEL_PICKER] = h_model_picker,
	[ACT_FAVORITE_NEXT] = h_favorite_next,
	[ACT_FAVORITE_PREV] = h_favorite_prev,
	[ACT_NEW_CONVERSATION] = h_new_conversation,
	[ACT_SWITCHER] = h_switcher,
	[ACT_TOGGLE_LIST] = h_toggle_list,
	[ACT_FOCUS_LIST] = h_focus_list,
	[ACT_RETRY] = h_retry,
	[ACT_SIBLING_PREV] = h_sibling_prev,
	[ACT_SIBLING_NEXT] = h_sibling_next,
	[ACT_TOGGLE_REASONING] = h_toggle_reasoning,
	[ACT_RENAME] = h_rename,
	[ACT_DELETE_CONVERSATION] = h_delete_conversation,
	[ACT_COPY] = h_copy,
	[ACT_COPY_CODE] = h_copy_code,
	[ACT_EDITOR] = h_editor,
	[ACT_COMPLETE] = h_complete,
	[ACT_SCROLL_UP] = h_scroll_up,
	[ACT_SCROLL_DOWN] = h_scroll_down,
	[ACT_SCROLL_TOP] = h_scroll_top,
	[ACT_SCROLL_BOTTOM] = h_scroll_bottom,
	[ACT_HELP] = h_help,
	[ACT_REDRAW] = h_redraw,
	[ACT_QUIT] = h_quit,
	[ACT_DELETE_CHAR_OR_QUIT] = h_delete_char_or_quit,
	[ACT_UP] = h_up,
	[ACT_DOWN] = h_down,
	[ACT_LIST_UP] = h_list_up,
	[ACT_LIST_DOWN] = h_list_down,
	[ACT_LIST_OPEN] = list_open_selected,
	[ACT_LIST_DELETE] = h_list_delete,
	[ACT_LIST_LEAVE] = h_list_leave,
	[ACT_PICK_UP] = ctl_h_pick_up,
	[ACT_PICK_DOWN] = ctl_h_pick_down,
	[ACT_PICK_PAGE_UP] = ctl_h_pick_page_up,
	[ACT_PICK_PAGE_DOWN] = ctl_h_pick_page_down,
	[ACT_PICK_CHOOSE] = ctl_h_pick_choose,
	[ACT_PICK_ERASE] = ctl_h_pick_erase,
	[ACT_PICK_CLEAR] = ctl_h_pick_clear,
	[ACT_PICK_CLOSE] = ctl_h_pick_close,
	[ACT_HELP_UP] = ctl_h_help_up,
	[ACT_HELP_DOWN] = ctl_h_help_down,
	[ACT_HELP_PAGE_UP] = ctl_h_help_page_up,
	[ACT_HELP_PAGE_DOWN] = ctl_h_help_page_down,
	[ACT_HELP_CLOSE] = ctl_h_pick_close,
	[ACT_CONFIRM_YES] = ctl_h_confirm_yes,
	[ACT_CONFIRM_NO] = ctl_h_confirm_no,
	[ACT_PASS_ENTER] = ctl_h_pass_enter,
	[ACT_PASS_ERASE] = ctl_h_pass_erase,
	[ACT_PASS_CLEAR] = ctl_h_pass_clear,
	[ACT_PASS_CANCEL] = ctl_h_pass_cancel,
	/* the everyday moves: ctl_select.c, ctl_find.c */
	[ACT_EDIT_LAST] = ctl_h_edit_last,
	[ACT_SELECT] = ctl_h_select,
	[ACT_FIND] = ctl_h_find,
	[ACT_SEARCH_HISTORY] = ctl_h_search_history,
	[ACT_CLEAR_CONTEXT] = ctl_h_clear_context,
	[ACT_PICK_MARK] = ctl_h_pick_mark,
	[ACT_STOP_ONE] = ctl_h_stop_one,
	[ACT_BEST] = ctl_h_best,
	[ACT_LAYOUT] = ctl_h_layout,
	[ACT_SCROLL_APART] = ctl_h_scroll_apart,
	[ACT_ATTACH_FILE] = ctl_h_attach_file,
	[ACT_SEL_UP] = ctl_h_sel_up,
	[ACT_SEL_DOWN] = ctl_h_sel_down,
	[ACT_SEL_FIRST] = ctl_h_sel_first,
	[ACT_SEL_LAST] = ctl_h_sel_last,
	[ACT_SEL_COPY] = ctl_h_sel_copy,
	[ACT_SEL_COPY_CODE] = ctl_h_sel_copy_code,
	[ACT_SEL_EDIT] = ctl_h_sel_edit,
	[ACT_SEL_RETRY] = ctl_h_sel_retry,
	[ACT_SEL_AGAIN] = ctl_h_sel_again,
	[ACT_SEL_DELETE] = ctl_h_sel_delete,
	[ACT_SEL_BRANCH] = ctl_h_sel_branch,
	[ACT_SEL_CONTEXT] = ctl_h_sel_context,
	[ACT_SEL_LEAVE] = ctl_h_sel_leave,
	[ACT_SEL_KEEP] = ctl_h_sel_keep,
	[ACT_SEL_LEFT] = ctl_h_sel_left,
	[ACT_SEL_RIGHT] = ctl_h_sel_right,
	[ACT_FIND_NEXT] = ctl_h_find_next,
	[ACT_FIND_PREV] = ctl_h_find_prev,
	[ACT_FIND_ERASE] = ctl_h_find_erase,
	[ACT_FIND_CLEAR] = ctl_h_find_clear,
	[ACT_FIND_CLOSE] = ctl_h_find_close,
	[ACT_TOGGLE_TOOLS] = ctl_h_toggle_tools,
	[ACT_TOOL_ONCE] = ctl_h_tool_once,
	[ACT_TOOL_CONVERSATION] = ctl_h_tool_conversation,
	[ACT_TOOL_ALWAYS] = ctl_h_tool_always,
	[ACT_TOOL_DENY] = ctl_h_tool_deny,
	[ACT_TOOL_STOP] = ctl_h_tool_stop,
	[ACT_TOOL_UP] = ctl_h_help_up,
	[ACT_TOOL_DOWN] = ctl_h_help_down,
	[ACT_TOOL_PAGE_UP] = ctl_h_help_page_up,
	[ACT_TOOL_PAGE_DOWN] = ctl_h_help_page_down,
};

void ctl_do_action(struct ctl *c, enum input_action a)
{
	if (a <= ACT_NONE || a >= ACT__COUNT)
		return;
	if (a == ACT_BACKSPACE && ctl_attach_backspace(c))
		return; /* an empty input: the last chip goes */
	if (edit_of[a]) {
		edit_do(c, edit_of[a]);
		return;
	}
	if (handlers[a])
		handlers[a](c);
}

static int printable(input_key k)
{
	return !(k & (INPUT_FN | INPUT_META)) && k >= 0x20 && k != 0x7f;
}

/* A key that no binding of the mode takes: text for the modes that take text. */
static void unbound_key(struct ctl *c, input_key k)
{
	switch (c->mode) {
	case MODE_CHAT:
		if (printable(k))
			edit_apply(c->ed, EDIT_INSERT, k);
		c->dirty |= CTL_DIRTY_INPUT;
		break;
	case MODE_PICK:
		if (printable(k))
			ctl_pick_type(c, k);
		break;
	case MODE_LIST: {
		/* The chat's keys that are not text work from the list too (C-q, F3, C-n). */
		enum input_action a = printable(k) ? ACT_NONE : input_lookup(&c->keys, MODE_CHAT, k);
		if (a != ACT_NONE && !edit_of[a] && a != ACT_SEND && a != ACT_UP && a != ACT_DOWN &&
		    a != ACT_DELETE_CHAR_OR_QUIT && a != ACT_COMPLETE)
			ctl_do_action(c, a);
		break;
	}
	case MODE_CONFIRM:
		ctl_h_confirm_no(c);
		break;
	case MODE_PASSPHRASE:
		if (printable(k))
			ctl_pass_type(c, k);
		c->dirty |= CTL_DIRTY_INPUT;
		break;
	case MODE_FIND:
		if (printable(k))
			ctl_find_type(c, k);
		break;
	default:
		break;
	}
}

int ctl_dispatch(struct ctl *c, input_key k)
{
	c->dirty |= CTL_DIRTY_INPUT | CTL_DIRTY_STATUS;
	if (k == INPUT_RESIZE)
		return 0;
	if (k == INPUT_PASTE_START || k == INPUT_PASTE_END) {
		c->in_paste = k == INPUT_PASTE_START;
		if (c->mode == MODE_CHAT && c->in_paste)
			c->paste_from = edit_cursor_offset(c->ed);
		else if (c->mode == MODE_CHAT)
			ctl_attach_pasted(c);
		return 0;
	}
	if (c->message[0] && c->message_until == 0) {
		c->message[0] = '\0';
		c->dirty |= CTL_DIRTY_STATUS;
	}
	if (c->in_paste && c->mode == MODE_PASSPHRASE) {
		/* a pasted key (or passphrase) is typed; its newline never submits it */
		if (printable(k))
			ctl_pass_type(c, k);
		return 0;
	}
	if (c->in_paste && c->mode == MODE_CHAT) {
		/* A pasted newline never sends. */
		if (k == 13 || k == 10)
			edit_apply(c->ed, EDIT_NEWLINE, 0);
		else if (printable(k) || k == 9)
			edit_apply(c->ed, EDIT_INSERT, k);
		return 0;
	}
	if (INPUT_IS_CLICK(k)) {
		ctl_click(c, INPUT_CLICK_Y(k), INPUT_CLICK_X(k));
		return 0;
	}
	if (k == INPUT_WHEEL_UP || k == INPUT_WHEEL_DOWN || INPUT_IS_WHEEL_AT(k)) {
		int at = INPUT_IS_WHEEL_AT(k);
		long by = k == INPUT_WHEEL_UP || (at && !INPUT_WHEEL_AT_DOWN(k)) ? -3 : 3;
		/* over a column scrolled apart: that one; else the chat (every column) */
		if ((c->mode == MODE_CHAT || c->mode == MODE_LIST || c->mode == MODE_SELECT ||
		     c->mode == MODE_FIND) &&
		    !(at && ctl_cols_wheel(c, INPUT_WHEEL_AT_Y(k), INPUT_CLICK_X(k), by)))
			ctl_scroll_by(c, by);
		return 0;
	}
	/* The stop key stops a stream from the list, picker and help too: it must act at
	 * once. (In the chat it goes through its handler, which takes a queue back first;
	 * a selection and the find line are left by it, the answers streaming on.) */
	int leaves = (c->mode == MODE_SELECT || c->mode == MODE_FIND) &&
		     input_lookup(&c->keys, c->mode, k) != ACT_NONE;
	if (c->nstreams && c->mode != MODE_CHAT && c->mode != MODE_CONFIRM &&
	    c->mode != MODE_PASSPHRASE && !leaves &&
	    input_lookup(&c->keys, MODE_CHAT, k) == ACT_STOP) {
		ctl_stop(c);
		return 0;
	}
	enum input_action a = input_lookup(&c->keys, c->mode, k);
	/* M-c again goes on to the next code block; any other key starts over */
	size_t code_last = c->code_last;
	c->code_last = 0;
	if (a == ACT_COPY_CODE || a == ACT_SEL_COPY_CODE)
		c->code_last = code_last;
	if (a == ACT_NONE)
		unbound_key(c, k);
	else
		ctl_do_action(c, a);
	return 0;
}
