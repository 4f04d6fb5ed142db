/* ctl_keys: what each action does, in every mode: one table of handlers indexed by the
 * action (input.h names the actions and their keys), the dispatch of a key through the
 * current mode's key map, and the modes' own state: the help screen, the model picker
 * and switcher, the yes/no question and the passphrase prompt. */
#include "ctl_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "cherry/commands.h"
#include "cherry/history.h"
#include "cherry/passphrase.h"
#include "cherry/utf8.h"

/* ---- overlays: help, model picker, switcher ---- */

void ctl_overlay_close(struct ctl *c)
{
	struct ctl_overlay *o = &c->ov;
	if (o->kind == CTL_OV_SEARCH)
		ctl_search_stop(c);
	for (size_t i = 0; i < o->nitems; i++) {
		free(o->items[i]);
		if (o->labels)
			free(o->labels[i]);
	}
	free(o->items);
	free(o->labels);
	free(o->match);
	buf_free(&o->filter);
	memset(o, 0, sizeof *o);
	if (c->mode == MODE_PICK || c->mode == MODE_HELP)
		c->mode = MODE_CHAT;
	c->dirty |= CTL_DIRTY_CHAT | CTL_DIRTY_LIST | CTL_DIRTY_STATUS;
}

int ctl_contains_icase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!n)
		return 1;
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

static void overlay_filter(struct ctl *c)
{
	struct ctl_overlay *o = &c->ov;
	if (o->kind == CTL_OV_SEARCH) {
		ctl_search_changed(c); /* the filter is the text searched for */
		return;
	}
	const char *f = o->filter.data ? o->filter.data : "";
	o->nmatch = 0;
	for (size_t i = 0; i < o->nitems; i++) {
		const char *s = o->labels && o->labels[i] ? o->labels[i] : o->items[i];
		if (o->kind == CTL_OV_HELP || ctl_contains_icase(s, f) ||
		    ctl_contains_icase(o->items[i], f))
			o->match[o->nmatch++] = i;
	}
	if (o->sel >= o->nmatch)
		o->sel = o->nmatch ? o->nmatch - 1 : 0;
	c->dirty |= CTL_DIRTY_CHAT;
}

int ctl_overlay_push(struct ctl_overlay *o, const char *item, const char *label)
{
	if (o->nitems == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 64;
		char **ni = realloc(o->items, nc * sizeof *ni);
		if (!ni)
			return -1;
		o->items = ni;
		char **nl = realloc(o->labels, nc * sizeof *nl);
		if (!nl)
			return -1;
		o->labels = nl;
		o->cap = nc;
	}
	o->items[o->nitems] = strdup(item);
	o->labels[o->nitems] = label ? strdup(label) : NULL;
	if (!o->items[o->nitems]) {
		free(o->labels[o->nitems]);
		return -1;
	}
	o->nitems++;
	return 0;
}

void ctl_overlay_ready(struct ctl *c, enum ctl_overlay_kind kind, const char *filter)
{
	struct ctl_overlay *o = &c->ov;
	o->kind = kind;
	o->match = calloc(o->nitems + 1, sizeof *o->match);
	if (!o->match) {
		ctl_overlay_close(c);
		ctl_message(c, "out of memory");
		return;
	}
	if (filter)
		buf_append_str(&o->filter, filter);
	c->mode = kind == CTL_OV_HELP ? MODE_HELP : MODE_PICK;
	overlay_filter(c);
}

void ctl_open_help(struct ctl *c)
{
	ctl_overlay_close(c);
	struct buf text = BUF_INIT;
	buf_append_str(&text, "Keys (config.json \"keys\" rebinds them by name):\n");
	input_help_text(&c->keys, &text);
	buf_append_str(&text, "\nSlash commands (type them in the input; //x sends /x):\n");
	slash_help_text(&text);
	buf_append_str(&text, "\nThe manual: man cherry.  The privacy policy: cherry privacy.\n");
	char *p = text.data;
	while (p && *p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		ctl_overlay_push(&c->ov, p, NULL);
		if (!nl)
			break;
		p = nl + 1;
	}
	buf_free(&text);
	ctl_overlay_ready(c, CTL_OV_HELP, NULL);
}

void ctl_open_model_picker(struct ctl *c, const char *filter)
{
	ctl_overlay_close(c);
	c->retry_msg = -1; /* a selection's retry sets it again */
	char **known = NULL;
	size_t nk = 0;
	if (ctl_models(c, &known, &nk) < 0)
		nk = 0;
	int have_current = 0;
	for (size_t i = 0; i < nk; i++) {
		int fav = 0;
		for (size_t f = 0; f < c->cfg->nfavorites; f++)
			fav |= !strcmp(known[i], c->cfg->favorites[f]);
		struct buf label = BUF_INIT;
		buf_printf(&label, "%s%s", known[i], fav ? "  \xe2\x98\x85" : "");
		ctl_overlay_push(&c->ov, known[i], label.data);
		buf_free(&label);
		have_current |= !strcmp(known[i], c->model);
	}
	if (c->model[0] && !have_current)
		ctl_overlay_push(&c->ov, c->model, NULL);
	/* then every preset's current models, saying what key they need: a newcomer with
	 * no key sees where to start */
	const struct provider_list *pl = &c->cfg->providers;
	for (size_t i = 0; i < pl->n; i++) {
		const struct provider *p = &pl->v[i];
		if (c->world.has_env_key(c->world.ctx, p))
			continue;
		for (size_t m = 0; m < p->ndefault_models; m++) {
			struct buf item = BUF_INIT, label = BUF_INIT;
			buf_printf(&item, "%s/%s", p->name, p->default_models[m]);
			int dup = 0;
			for (size_t k = 0; k < nk && item.data && !dup; k++)
				dup = !strcmp(known[k], item.data);
			if (p->key_env)
				buf_printf(&label, "%s  (needs %s)", item.data, p->key_env);
			else
				buf_printf(&label, "%s  (needs cherry key set %s)", item.data, p->name);
			if (!dup && item.data && label.data)
				ctl_overlay_push(&c->ov, item.data, label.data);
			buf_free(&item);
			buf_free(&label);
		}
	}
	ctl_models_free(c, known, nk);
	ctl_overlay_ready(c, CTL_OV_MODELS, filter);
	for (size_t i = 0; i < c->ov.nmatch; i++)
		if (!strcmp(c->ov.items[c->ov.match[i]], c->model))
			c->ov.sel = i;
	/* the providers' own lists come in the background, never holding a key */
	c->react |= CTL_FETCH_MODELS;
}

int ctl_models_changed(struct ctl *c)
{
	c->react = 0;
	if (c->ov.kind != CTL_OV_MODELS)
		return 0;
	/* the same filter, and the same entry selected if it is still there */
	struct buf filter = BUF_INIT;
	char *sel = c->ov.nmatch ? strdup(c->ov.items[c->ov.match[c->ov.sel]]) : NULL;
	buf_append(&filter, c->ov.filter.data ? c->ov.filter.data : "", c->ov.filter.len);
	long retry = c->retry_msg; /* a selection's retry waits for this picker */
	ctl_open_model_picker(c, filter.data ? filter.data : "");
	c->retry_msg = retry;
	for (size_t i = 0; sel && i < c->ov.nmatch; i++)
		if (!strcmp(c->ov.items[c->ov.match[i]], sel))
			c->ov.sel = i;
	free(sel);
	buf_free(&filter);
	c->react &= ~CTL_FETCH_MODELS;
	return c->react;
}

void ctl_open_switcher(struct ctl *c, const char *filter)
{
	ctl_overlay_close(c);
	ctl_refresh_list(c);
	for (size_t i = 0; i < c->nlist; i++) {
		struct buf label = BUF_INIT;
		char when[32];
		hist_format_time(c->list[i].updated, when);
		when[10] = '\0';
		buf_printf(&label, "%s  %s  (%zu)", when,
			   c->list[i].title && *c->list[i].title ? c->list[i].title : "(untitled)",
			   c->list[i].nmsgs);
		ctl_overlay_push(&c->ov, c->list[i].id, label.data);
		buf_free(&label);
	}
	ctl_overlay_ready(c, CTL_OV_SWITCHER, filter);
}

static void pick_choose(struct ctl *c)
{
	struct ctl_overlay *o = &c->ov;
	char *choice = NULL;
	if (o->nmatch)
		choice = strdup(o->items[o->match[o->sel]]);
	else if (o->kind == CTL_OV_MODELS && o->filter.len && strchr(o->filter.data, '/'))
		choice = strdup(o->filter.data);
	enum ctl_overlay_kind kind = o->kind;
	ctl_overlay_close(c);
	if (!choice)
		return;
	if (kind == CTL_OV_MODELS) {
		if (ctl_set_model(c, choice, 1) == 0) {
			ctl_message(c, "model: %s", choice);
			ctl_retry_picked(c);
		}
	} else if (kind == CTL_OV_SWITCHER) {
		ctl_open_conversation(c, choice);
	} else if (kind == CTL_OV_SEARCH) {
		ctl_search_open(c, choice);
	}
	free(choice);
}

static size_t page_of(const struct ctl *c)
{
	return c->chat_h > 2 ? (size_t)c->chat_h - 2 : 1;
}

static void pick_move(struct ctl *c, long delta)
{
	struct ctl_overlay *o = &c->ov;
	if (!o->nmatch)
		return;
	long to = (long)o->sel + delta;
	if (to < 0)
		to = 0;
	if ((size_t)to >= o->nmatch)
		to = (long)o->nmatch - 1;
	o->sel = (size_t)to;
	c->dirty |= CTL_DIRTY_CHAT;
}

static void help_move(struct ctl *c, long delta)
{
	long to = (long)c->ov.top + delta;
	c->ov.top = to < 0 ? 0 : (size_t)to;
	c->dirty |= CTL_DIRTY_CHAT;
}

/* The length of s[0..len) without its last character (a whole UTF-8 sequence). */
static size_t erase_last_char(const char *s, size_t len)
{
	return len ? utf8_back(s, len - 1) : 0;
}

static void pick_erase(struct ctl *c)
{
	struct buf *f = &c->ov.filter;
	if (!f->data)
		return;
	f->len = erase_last_char(f->data, f->len);
	f->data[f->len] = '\0';
	overlay_filter(c);
}

/* ---- the passphrase prompt ---- */

void ctl_passphrase_begin(struct ctl *c, const char *prompt)
{
	if (!c->pw)
		c->pw = sodium_malloc(PASSPHRASE_MAX + 4);
	if (!c->pw) {
		ctl_message(c, "out of memory");
		return;
	}
	c->pw_len = 0;
	c->pw_chars = 0;
	c->pw_prompt = prompt;
	c->mode = MODE_PASSPHRASE;
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

void ctl_passphrase_end(struct ctl *c)
{
	if (c->pw) {
		sodium_free(c->pw); /* wipes it */
		c->pw = NULL;
	}
	c->pw_len = c->pw_chars = 0;
	c->pw_prompt = NULL;
	if (c->mode == MODE_PASSPHRASE) {
		c->mode = MODE_CHAT;
		c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	}
}

const char *ctl_passphrase(const struct ctl *c, size_t *len)
{
	*len = c->pw ? c->pw_len : 0;
	return c->pw ? c->pw : "";
}

static void pass_insert(struct ctl *c, input_key k)
{
	char enc[4];
	size_t n = utf8_encode(k, enc);
	if (c->pw && c->pw_len + n <= PASSPHRASE_MAX) {
		memcpy(c->pw + c->pw_len, enc, n);
		c->pw_len += n;
		c->pw_chars++;
	}
}

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
	if (!c->st && ctl_edit_cancel(c))
		return;
	if (c->nqueue && edit_is_empty(c->ed)) {
		ctl_unqueue(c, "the queued message is back in the input: Enter queues it again");
	} else if (c->st) {
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
		ctl_message(c, "the list is hidden: F3 shows it, C-t switches");
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

static void h_editor(struct ctl *c)
{
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

static void h_scroll_up(struct ctl *c)
{
	ctl_scroll_by(c, -(long)(c->chat_h > 1 ? c->chat_h - 1 : 1));
}

static void h_scroll_down(struct ctl *c)
{
	ctl_scroll_by(c, c->chat_h > 1 ? c->chat_h - 1 : 1);
}

static void h_scroll_top(struct ctl *c)
{
	c->follow = 0;
	c->top_line = 0;
	c->dirty |= CTL_DIRTY_CHAT;
}

static void h_scroll_bottom(struct ctl *c)
{
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

static void h_pick_up(struct ctl *c) { pick_move(c, -1); }
static void h_pick_down(struct ctl *c) { pick_move(c, 1); }
static void h_pick_page_up(struct ctl *c) { pick_move(c, -(long)page_of(c)); }
static void h_pick_page_down(struct ctl *c) { pick_move(c, (long)page_of(c)); }

static void h_pick_clear(struct ctl *c)
{
	buf_reset(&c->ov.filter);
	overlay_filter(c);
}

static void h_pick_close(struct ctl *c) { ctl_overlay_close(c); }
static void h_help_up(struct ctl *c) { help_move(c, -1); }
static void h_help_down(struct ctl *c) { help_move(c, 1); }
static void h_help_page_up(struct ctl *c) { help_move(c, -(long)page_of(c)); }
static void h_help_page_down(struct ctl *c) { help_move(c, (long)page_of(c)); }

static void h_confirm_yes(struct ctl *c)
{
	c->mode = MODE_CHAT;
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	if (c->confirm_msg)
		ctl_select_delete_confirmed(c);
	else
		ctl_delete_confirmed(c);
}

static void h_confirm_no(struct ctl *c)
{
	c->confirm_msg = 0;
	c->mode = MODE_CHAT;
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	ctl_message(c, "not deleted");
}

static void h_pass_enter(struct ctl *c)
{
	c->react |= CTL_UNLOCK;
}

static void h_pass_erase(struct ctl *c)
{
	if (c->pw && c->pw_len) {
		c->pw_len = erase_last_char(c->pw, c->pw_len);
		c->pw_chars--;
	}
	c->dirty |= CTL_DIRTY_INPUT;
}

static void h_pass_clear(struct ctl *c)
{
	c->pw_len = c->pw_chars = 0;
	c->dirty |= CTL_DIRTY_INPUT;
}

static void h_pass_cancel(struct ctl *c)
{
	struct err e;
	err_set(&e, EXIT_VAULT, "the vault stays locked (unlock cancelled); send again to retry");
	ctl_key_result(c, CTL_KEY_FAILED, &e, c->now, c->wall);
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
	[ACT_PICK_UP] = h_pick_up,
	[ACT_PICK_DOWN] = h_pick_down,
	[ACT_PICK_PAGE_UP] = h_pick_page_up,
	[ACT_PICK_PAGE_DOWN] = h_pick_page_down,
	[ACT_PICK_CHOOSE] = pick_choose,
	[ACT_PICK_ERASE] = pick_erase,
	[ACT_PICK_CLEAR] = h_pick_clear,
	[ACT_PICK_CLOSE] = h_pick_close,
	[ACT_HELP_UP] = h_help_up,
	[ACT_HELP_DOWN] = h_help_down,
	[ACT_HELP_PAGE_UP] = h_help_page_up,
	[ACT_HELP_PAGE_DOWN] = h_help_page_down,
	[ACT_HELP_CLOSE] = h_pick_close,
	[ACT_CONFIRM_YES] = h_confirm_yes,
	[ACT_CONFIRM_NO] = h_confirm_no,
	[ACT_PASS_ENTER] = h_pass_enter,
	[ACT_PASS_ERASE] = h_pass_erase,
	[ACT_PASS_CLEAR] = h_pass_clear,
	[ACT_PASS_CANCEL] = h_pass_cancel,
	/* the everyday moves: ctl_select.c, ctl_find.c */
	[ACT_EDIT_LAST] = ctl_h_edit_last,
	[ACT_SELECT] = ctl_h_select,
	[ACT_FIND] = ctl_h_find,
	[ACT_SEARCH_HISTORY] = ctl_h_search_history,
	[ACT_CLEAR_CONTEXT] = ctl_h_clear_context,
	[ACT_SEL_UP] = ctl_h_sel_up,
	[ACT_SEL_DOWN] = ctl_h_sel_down,
	[ACT_SEL_FIRST] = ctl_h_sel_first,
	[ACT_SEL_LAST] = ctl_h_sel_last,
	[ACT_SEL_COPY] = ctl_h_sel_copy,
	[ACT_SEL_EDIT] = ctl_h_sel_edit,
	[ACT_SEL_RETRY] = ctl_h_sel_retry,
	[ACT_SEL_DELETE] = ctl_h_sel_delete,
	[ACT_SEL_BRANCH] = ctl_h_sel_branch,
	[ACT_SEL_CONTEXT] = ctl_h_sel_context,
	[ACT_SEL_LEAVE] = ctl_h_sel_leave,
	[ACT_FIND_NEXT] = ctl_h_find_next,
	[ACT_FIND_PREV] = ctl_h_find_prev,
	[ACT_FIND_ERASE] = ctl_h_find_erase,
	[ACT_FIND_CLEAR] = ctl_h_find_clear,
	[ACT_FIND_CLOSE] = ctl_h_find_close,
};

void ctl_do_action(struct ctl *c, enum input_action a)
{
	if (a <= ACT_NONE || a >= ACT__COUNT)
		return;
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
		if (printable(k)) {
			char enc[4];
			buf_append(&c->ov.filter, enc, utf8_encode(k, enc));
			c->ov.sel = 0;
			overlay_filter(c);
		}
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
		h_confirm_no(c);
		break;
	case MODE_PASSPHRASE:
		if (printable(k))
			pass_insert(c, k);
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
		return 0;
	}
	if (c->message[0] && c->message_until == 0) {
		c->message[0] = '\0';
		c->dirty |= CTL_DIRTY_STATUS;
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
	if (k == INPUT_WHEEL_UP || k == INPUT_WHEEL_DOWN) {
		if (c->mode == MODE_CHAT || c->mode == MODE_LIST)
			ctl_scroll_by(c, k == INPUT_WHEEL_UP ? -3 : 3);
		return 0;
	}
	/* The stop key stops a stream from the list, picker and help too: it must act at
	 * once. (In the chat it goes through its handler, which takes a queue back first.) */
	if (c->st && c->mode != MODE_CHAT && c->mode != MODE_CONFIRM &&
	    c->mode != MODE_PASSPHRASE && input_lookup(&c->keys, MODE_CHAT, k) == ACT_STOP) {
		ctl_stop(c);
		return 0;
	}
	enum input_action a = input_lookup(&c->keys, c->mode, k);
	if (a == ACT_NONE)
		unbound_key(c, k);
	else
		ctl_do_action(c, a);
	return 0;
}
