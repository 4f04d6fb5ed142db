/* ctl_modes: the modes over the chat and their handlers: the overlays (help, model
 * picker, switcher, the search's results) with their filter and selection, the yes/no
 * question and the passphrase prompt. ctl_keys.c's table points at these handlers. */
#include "ctl_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "cherry/commands.h"
#include "cherry/history.h"
#include "cherry/passphrase.h"
#include "cherry/utf8.h"
#include "cherry/vault.h"

/* ---- overlays: help, model picker, switcher ---- */

void ctl_overlay_close(struct ctl *c)
{
	struct ctl_overlay *o = &c->ov;
	if (o->kind == CTL_OV_SEARCH)
		ctl_search_stop(c);
	for (size_t i = 0; !o->from_list && i < o->nitems; i++) {
		free(o->items[i]);
		if (o->labels)
			free(o->labels[i]);
	}
	free(o->items);
	free(o->labels);
	free(o->match);
	free(o->marked);
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
	/* compared only where the first character matches: the switcher's filter runs over
	 * 100,000 titles at a key, 3 to 7 times faster than a compare at every byte */
	int lo = tolower((unsigned char)needle[0]), up = toupper((unsigned char)needle[0]);
	for (; *hay; hay++)
		if (((unsigned char)*hay == lo || (unsigned char)*hay == up) &&
		    !strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

/* The items passing the filter; narrow: only among those that passed it before its last
 * character was typed (a longer filter passes fewer of them: typing into the switcher
 * over 100,000 conversations looks at what still matches, not at all of them again). */
static void overlay_filter_in(struct ctl *c, int narrow)
{
	struct ctl_overlay *o = &c->ov;
	if (o->kind == CTL_OV_SEARCH) {
		ctl_search_changed(c); /* the filter is the text searched for */
		return;
	}
	const char *f = o->filter.data ? o->filter.data : "";
	size_t n = narrow ? o->nmatch : o->nitems, k = 0;
	for (size_t j = 0; j < n; j++) {
		size_t i = narrow ? o->match[j] : j;
		const char *s = o->from_list ? (*c->list[i].title ? c->list[i].title : "(untitled)")
			      : o->labels && o->labels[i] ? o->labels[i] : o->items[i];
		if (o->kind == CTL_OV_HELP || ctl_contains_icase(s, f) ||
		    ctl_contains_icase(o->items[i], f))
			o->match[k++] = i;
	}
	o->nmatch = k;
	o->looked = n;
	if (o->sel >= o->nmatch)
		o->sel = o->nmatch ? o->nmatch - 1 : 0;
	c->dirty |= CTL_DIRTY_CHAT;
}

static void overlay_filter(struct ctl *c)
{
	overlay_filter_in(c, 0);
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
	if (c->keyflow) {
		/* a tool call asks while a key is typed: the key is wiped, never left to
		 * fall into the input once the question is answered */
		ctl_key_end(c);
		ctl_message(c, "/key stopped, nothing stored: a tool call asks first; /key again "
			    "after");
	} else if (c->mode == MODE_PASSPHRASE) {
		/* the same for the vault's passphrase: the unlock is cancelled (the message
		 * waits in the input), keeping what this event asked of the shell */
		int react = c->react;
		ctl_h_pass_cancel(c);
		c->react |= react;
	}
	o->kind = kind;
	if (!o->from_list) /* the switcher's was made with its items */
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

/* The picker's items for the presets' current models that known does not hold: of the
 * providers whose key is not known yet (a vault not unlocked: needs 0), or of those with
 * none (needs 1), each labelled with what it takes. */
static void offer_presets(struct ctl *c, int needs, char **known, size_t nk)
{
	const struct provider_list *pl = &c->cfg->providers;
	for (size_t i = 0; i < pl->n; i++) {
		const struct provider *p = &pl->v[i];
		int has = ctl_has_key(c, p);
		if (has == 1 || (has == 0) != (needs == 1))
			continue;
		for (size_t m = 0; m < p->ndefault_models; m++) {
			struct buf item = BUF_INIT, label = BUF_INIT;
			buf_printf(&item, "%s/%s", p->name, p->default_models[m]);
			int dup = 0;
			for (size_t k = 0; k < nk && item.data && !dup; k++)
				dup = !strcmp(known[k], item.data);
			if (!needs) /* as a known one: a send unlocks the vault, and asks for a
				     * key when it holds none */
				buf_printf(&label, "%s", item.data);
			else if (p->key_env)
				buf_printf(&label, "%s  (needs %s) \xe2\x80\x94 Enter asks for it (/key)",
					   item.data, p->key_env);
			else if (p->kind == WIRE_VERTEX || p->kind == WIRE_VERTEX_ANTHROPIC)
				buf_printf(&label, "%s  (needs GOOGLE_CLOUD_PROJECT and gcloud)",
					   item.data);
			else
				buf_printf(&label, "%s  (needs a key) \xe2\x80\x94 Enter asks for it (/key)",
					   item.data);
			if (!dup && item.data && label.data)
				ctl_overlay_push(&c->ov, item.data, label.data);
			buf_free(&item);
			buf_free(&label);
		}
	}
}

/* Whether offer_presets lists model: a current model of a provider whose key is not at
 * hand. */
static int preset_offers(struct ctl *c, const char *model)
{
	const struct provider_list *pl = &c->cfg->providers;
	for (size_t i = 0; i < pl->n; i++) {
		const struct provider *p = &pl->v[i];
		size_t n = strlen(p->name);
		if (strncmp(model, p->name, n) || model[n] != '/' || ctl_has_key(c, p) == 1)
			continue;
		for (size_t m = 0; m < p->ndefault_models; m++)
			if (!strcmp(model + n + 1, p->default_models[m]))
				return 1;
	}
	return 0;
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
	/* a model chosen outside the lists (-m, a conversation's) stands here, unless a
	 * preset below offers it with what it needs (a key asked for and not given) */
	if (c->model[0] && !have_current && !preset_offers(c, c->model))
		ctl_overlay_push(&c->ov, c->model, NULL);
	/* then every other preset's current models: first those whose key a vault not
	 * unlocked yet may hold (looked for when a message goes), then those with no key,
	 * saying which they need: a newcomer sees where to start, and Enter on one asks
	 * for its key (a provider whose key is at hand offers its models in the list) */
	offer_presets(c, 0, known, nk);
	size_t needs_from = c->ov.nitems;
	offer_presets(c, 1, known, nk);
	ctl_models_free(c, known, nk);
	if (c->ov.nitems > needs_from)
		c->ov.needs_key = needs_from + 1;
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
	/* the same filter, and the same entry selected if it is still there and was chosen
	 * (the top one was not: a newcomer's first picker opens on a preset that needs a key,
	 * and the first model the providers' lists bring takes the top, the cursor with it) */
	struct buf filter = BUF_INIT;
	char *sel = c->ov.nmatch && c->ov.sel > 0 ? strdup(c->ov.items[c->ov.match[c->ov.sel]]) :
						    NULL;
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
	/* read again for what other processes changed, between keys: 100,000 conversations
	 * take half a second; the shell may know what changed, and the list is current */
	int r = !c->list_reading && c->world.list_refresh ? c->world.list_refresh(c->world.ctx)
							  : -1;
	if (r == 0)
		c->list_reading = 1;
	if (c->list_reading) {
		/* a part of the list would be a wrong one: it opens when the list is read */
		char *f = strdup(filter ? filter : "");
		if (!f) {
			ctl_message(c, "out of memory");
			return;
		}
		free(c->switcher_wait);
		c->switcher_wait = f;
		ctl_message(c, "reading the conversation list: the switcher opens when it is read");
		return;
	}
	if (r != 1)
		ctl_refresh_list(c);
	ctl_switcher_from_list(c, filter);
}

/* The switcher's items: the list's ids, borrowed. 0, or -1 out of memory. */
static int switcher_items(struct ctl *c)
{
	struct ctl_overlay *o = &c->ov;
	if (o->cap < c->nlist) {
		char **ni = realloc(o->items, c->nlist * sizeof *ni);
		size_t *nm = ni ? realloc(o->match, (c->nlist + 1) * sizeof *nm) : NULL;
		if (ni)
			o->items = ni;
		if (!nm)
			return -1;
		o->match = nm;
		o->cap = c->nlist;
	}
	for (size_t i = 0; i < c->nlist; i++)
		o->items[i] = c->list[i].id;
	o->nitems = c->nlist;
	return 0;
}

void ctl_switcher_from_list(struct ctl *c, const char *filter)
{
	c->ov.from_list = 1;
	if (switcher_items(c) < 0) {
		ctl_overlay_close(c);
		ctl_message(c, "out of memory");
		return;
	}
	ctl_overlay_ready(c, CTL_OV_SWITCHER, filter);
}

void ctl_switcher_sel(const struct ctl *c, char sel[HIST_ID_MAX + 1])
{
	const struct ctl_overlay *o = &c->ov;
	sel[0] = '\0';
	if (o->kind == CTL_OV_SWITCHER && o->from_list && o->sel < o->nmatch)
		snprintf(sel, HIST_ID_MAX + 1, "%s", o->items[o->match[o->sel]]);
}

void ctl_switcher_list_changed(struct ctl *c, const char *sel)
{
	struct ctl_overlay *o = &c->ov;
	if (o->kind != CTL_OV_SWITCHER || !o->from_list)
		return;
	if (switcher_items(c) < 0) {
		ctl_overlay_close(c);
		ctl_message(c, "out of memory");
		return;
	}
	overlay_filter(c);
	for (size_t i = 0; *sel && i < o->nmatch; i++)
		if (!strcmp(o->items[o->match[i]], sel))
			o->sel = i;
}

void ctl_overlay_label(const struct ctl *c, size_t k, struct buf *out)
{
	const struct ctl_overlay *o = &c->ov;
	if (!o->from_list) {
		buf_append_str(out, o->labels && o->labels[k] ? o->labels[k] : o->items[k]);
		return;
	}
	const struct hist_entry *en = &c->list[k];
	char when[32];
	hist_format_time(en->updated, when);
	when[10] = '\0';
	buf_printf(out, "%s  %s  (%zu)", when, *en->title ? en->title : "(untitled)", en->nmsgs);
}

void ctl_h_pick_choose(struct ctl *c)
{
	struct ctl_overlay *o = &c->ov;
	char *choice = NULL;
	int needs_key = 0;
	if (o->nmatch) {
		choice = strdup(o->items[o->match[o->sel]]);
		needs_key = o->needs_key && o->match[o->sel] + 1 >= o->needs_key;
	} else if (o->kind == CTL_OV_MODELS && o->filter.len && strchr(o->filter.data, '/'))
		choice = strdup(o->filter.data);
	enum ctl_overlay_kind kind = o->kind;
	if (kind == CTL_OV_MODELS && o->nmarked && ctl_pick_ask_marked(c)) {
		free(choice);
		return;
	}
	ctl_overlay_close(c);
	if (!choice)
		return;
	if (kind == CTL_OV_MODELS) {
		if (ctl_set_model(c, choice, 1) == 0) {
			ctl_message(c, "model: %s", choice);
			if (needs_key && c->retry_msg < 0) /* a retry asks when it finds none */
				ctl_key_offer(c, choice);
			ctl_retry_picked(c);
		}
	} else if (kind == CTL_OV_SWITCHER) {
		ctl_open_conversation(c, choice);
	} else if (kind == CTL_OV_SEARCH) {
		ctl_search_open(c, choice);
	} else if (kind == CTL_OV_FILES) {
		ctl_attach_chosen(c, choice);
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

void ctl_pick_type(struct ctl *c, input_key k)
{
	char enc[4];
	buf_append(&c->ov.filter, enc, utf8_encode(k, enc));
	c->ov.sel = 0;
	/* the switcher's items change only with the list, which filters them whole again */
	overlay_filter_in(c, c->ov.kind == CTL_OV_SWITCHER);
}

/* The length of s[0..len) without its last character (a whole UTF-8 sequence). */
static size_t erase_last_char(const char *s, size_t len)
{
	return len ? utf8_back(s, len - 1) : 0;
}

void ctl_h_pick_erase(struct ctl *c)
{
	struct buf *f = &c->ov.filter;
	if (!f->data)
		return;
	f->len = erase_last_char(f->data, f->len);
	f->data[f->len] = '\0';
	overlay_filter(c);
}

/* ---- the passphrase prompt ---- */

/* The prompt's buffer takes the longest secret typed: an API key (/key), with blanks. */
#define PW_CAP (VAULT_KEY_MAX + 64)

void ctl_secret_begin(struct ctl *c, const char *prompt, size_t max)
{
	if (!c->pw)
		c->pw = sodium_malloc(PW_CAP + 4);
	if (!c->pw) {
		ctl_message(c, "out of memory");
		return;
	}
	sodium_memzero(c->pw, PW_CAP + 4);
	c->pw_len = 0;
	c->pw_chars = 0;
	c->pw_max = max < PW_CAP ? max : PW_CAP;
	c->pw_over = 0;
	c->pw_prompt = prompt;
	c->mode = MODE_PASSPHRASE;
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

void ctl_passphrase_end(struct ctl *c)
{
	if (c->keyflow)
		return; /* the prompt is /key's: a send's key found meanwhile leaves it be */
	if (c->pw) {
		sodium_free(c->pw); /* wipes it */
		c->pw = NULL;
	}
	c->pw_len = c->pw_chars = 0;
	c->pw_over = 0;
	c->pw_prompt = NULL;
	if (c->mode == MODE_PASSPHRASE) {
		c->mode = MODE_CHAT;
		c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	}
}

void ctl_passphrase_begin(struct ctl *c, const char *prompt)
{
	if (c->keyflow) {
		/* a queued message needs the vault unlocked: that prompt comes first */
		ctl_key_end(c);
		ctl_message(c, "/key stopped, nothing stored: a message needs the vault unlocked "
			    "first; /key again after");
	}
	ctl_secret_begin(c, prompt, PASSPHRASE_MAX);
}

const char *ctl_passphrase(const struct ctl *c, size_t *len)
{
	*len = c->pw ? c->pw_len : 0;
	return c->pw ? c->pw : "";
}

void ctl_pass_type(struct ctl *c, input_key k)
{
	char enc[4];
	size_t n = utf8_encode(k, enc);
	if (c->pw && c->pw_len + n <= c->pw_max) {
		memcpy(c->pw + c->pw_len, enc, n);
		c->pw_len += n;
		c->pw_chars++;
	} else {
		c->pw_over = 1; /* refused at Enter, never cut short */
	}
	sodium_memzero(enc, sizeof enc);
}

void ctl_h_pick_up(struct ctl *c) { pick_move(c, -1); }
void ctl_h_pick_down(struct ctl *c) { pick_move(c, 1); }
void ctl_h_pick_page_up(struct ctl *c) { pick_move(c, -(long)page_of(c)); }
void ctl_h_pick_page_down(struct ctl *c) { pick_move(c, (long)page_of(c)); }

void ctl_h_pick_clear(struct ctl *c)
{
	buf_reset(&c->ov.filter);
	overlay_filter(c);
}

void ctl_h_pick_close(struct ctl *c) { ctl_overlay_close(c); }
void ctl_h_help_up(struct ctl *c) { help_move(c, -1); }
void ctl_h_help_down(struct ctl *c) { help_move(c, 1); }
void ctl_h_help_page_up(struct ctl *c) { help_move(c, -(long)page_of(c)); }
void ctl_h_help_page_down(struct ctl *c) { help_move(c, (long)page_of(c)); }

void ctl_h_confirm_yes(struct ctl *c)
{
	if (c->confirm_key) {
		ctl_key_confirm(c, 1);
		return;
	}
	c->mode = MODE_CHAT;
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	if (c->confirm_attach)
		ctl_attach_offer(c, 1);
	else if (c->confirm_msg)
		ctl_select_delete_confirmed(c);
	else
		ctl_delete_confirmed(c);
}

void ctl_h_confirm_no(struct ctl *c)
{
	if (c->confirm_key) {
		ctl_key_confirm(c, 0);
		return;
	}
	c->confirm_msg = 0;
	c->mode = MODE_CHAT;
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	if (c->confirm_attach)
		ctl_attach_offer(c, 0);
	else
		ctl_message(c, "not deleted");
}

void ctl_h_pass_enter(struct ctl *c)
{
	if (c->keyflow)
		ctl_key_enter(c);
	else
		c->react |= CTL_UNLOCK;
}

void ctl_h_pass_erase(struct ctl *c)
{
	if (c->pw && c->pw_len) {
		size_t len = erase_last_char(c->pw, c->pw_len);
		sodium_memzero(c->pw + len, c->pw_len - len);
		c->pw_len = len;
		c->pw_chars--;
	}
	c->dirty |= CTL_DIRTY_INPUT;
}

void ctl_h_pass_clear(struct ctl *c)
{
	if (c->pw)
		sodium_memzero(c->pw, c->pw_len);
	c->pw_len = c->pw_chars = 0;
	c->pw_over = 0;
	c->dirty |= CTL_DIRTY_INPUT;
}

void ctl_h_pass_cancel(struct ctl *c)
{
	if (c->keyflow) {
		ctl_key_cancel(c);
		return;
	}
	struct err e;
	err_set(&e, EXIT_VAULT, "the vault stays locked (unlock cancelled); send again to retry");
	ctl_key_result(c, CTL_KEY_FAILED, &e, c->now, c->wall);
}
