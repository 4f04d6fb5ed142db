/* ctl_conv: the controller's conversations and models: the view rebuilt from the shown
 * conversation's branch, the conversation list, choosing a model (and the first one),
 * and showing, starting, opening and deleting conversations through the world. */
#include "ctl_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/privacy.h"

/* ---- the view of the shown conversation ---- */

void ctl_answer_header(const struct chat *ch, size_t i, struct buf *out)
{
	const struct hist_msg *m = &ch->conv.msgs[i];
	buf_reset(out);
	if (m->provider && m->model)
		buf_printf(out, "%s/%s", m->provider, m->model);
	else
		buf_append_str(out, m->model ? m->model : "assistant");
	size_t pos, count;
	chat_siblings(ch, i, &pos, &count);
	if (count > 1)
		buf_printf(out, " (%zu/%zu)", pos + 1, count);
	if (m->best)
		buf_append_str(out, " \xc2\xb7 best");
}

/* "you", with its place among the versions of an edited message: "you (1/2)". */
static void user_header(const struct chat *ch, size_t i, struct buf *out)
{
	size_t pos, count;
	chat_siblings(ch, i, &pos, &count);
	buf_reset(out);
	buf_append_str(out, "you");
	if (count > 1)
		buf_printf(out, " (%zu/%zu)", pos + 1, count);
}

/* The footer for a stored answer's status, or the provider's note on a complete one. */
void ctl_status_footer(const struct ctl *c, struct view *v, size_t vm, size_t msg)
{
	const struct hist_msg *m = &c->shown->conv.msgs[msg];
	struct buf f = BUF_INIT;
	switch (m->status) {
	case HIST_COMPLETE:
		if (m->note)
			buf_printf(&f, "[%s]", m->note);
		break;
	case HIST_STOPPED:
		buf_append_str(&f, "[stopped]");
		break;
	case HIST_INTERRUPTED:
		buf_append_str(&f, "[interrupted]");
		break;
	case HIST_ERROR:
		/* the header above names the provider and model */
		buf_printf(&f, "[error: %s",
			   m->error ? outcome_unnamed(m->error, m->provider) : "unknown");
		ctl_error_hint(c, msg, &f);
		buf_append_char(&f, ']');
		break;
	}
	view_set_footer(v, vm, f.data, m->status == HIST_ERROR);
	buf_free(&f);
}

/* The line under a user message naming its files. */
static void attachments_footer(struct ctl *c, size_t vm, const struct hist_msg *m)
{
	struct buf f = BUF_INIT;
	ctl_attach_footer(m, &f);
	view_set_footer(c->view, vm, f.data, 0);
	buf_free(&f);
}

void ctl_age(double then, double now, char out[8])
{
	double d = now - then;
	static const struct { double unit; const char *name; } units[] = {
		{365 * 86400.0, "y"}, {30 * 86400.0, "mo"}, {7 * 86400.0, "w"},
		{86400.0, "d"}, {3600.0, "h"}, {60.0, "m"},
	};
	/* weeks up to two months, then months: "6w" rather than "1mo" */
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (d >= units[i].unit * (i == 1 ? 2 : 1)) {
			snprintf(out, 8, "%d%s", (int)(d / units[i].unit), units[i].name);
			return;
		}
	snprintf(out, 8, "now");
}

/* Paragraphs, not lines: the view wraps them to the pane. */
static const char welcome_text[] =
	"Welcome to cherry.\n"
	"\n"
	"No model is ready yet. To talk to a provider, give cherry its API key. Type it here "
	"with\n"
	"\n"
	"    /key PROVIDER\n"
	"\n"
	"(for example /key openai: the key is hidden as you type or paste it, and kept in the "
	"encrypted vault), or set the provider's variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, "
	"GEMINI_API_KEY, ...) before starting cherry, or store it from a shell:\n"
	"\n"
	"    cherry key set PROVIDER\n"
	"\n"
	"Then choose a model with C-o (or /model PROVIDER/MODEL), or set \"default_model\" "
	"in config.json. A local Ollama needs no key. F1 lists every key and command; "
	"cherry providers lists the providers.";

/* The same when a provider has a key but none of its models is known yet (its config
 * lists none and its list was never fetched): choosing one is what is left. */
static void keyed_welcome(struct ctl *c, struct buf *t)
{
	const char *pick = ctl_key_name(c, ACT_MODEL_PICKER).s;
	buf_printf(t,
		   "Welcome to cherry.\n"
		   "\n"
		   "No model is chosen yet. %s %s; %s lists %s models as %s them, and Enter on "
		   "one chooses it. To skip this next time, set \"default_model\" in "
		   "config.json (or list a provider's \"models\" there).\n"
		   "\n"
		   "Another provider needs its API key: /key PROVIDER types it here, hidden, into "
		   "the encrypted vault. F1 lists every key and command; cherry providers lists "
		   "the providers.",
		   c->welcome_keyed, c->welcome_nkeyed > 1 ? "have keys" : "has a key",
		   *pick ? pick : "/model", c->welcome_nkeyed > 1 ? "their" : "its",
		   c->welcome_nkeyed > 1 ? "the providers give" : "the provider gives");
}

static void add_text_message(struct ctl *c, const char *header, const char *text)
{
	long w = view_add(c->view, VIEW_INFO, header);
	if (w >= 0) {
		view_append_text(c->view, (size_t)w, text, strlen(text));
		view_end(c->view, (size_t)w);
	}
}

/* An empty conversation says how to start, with the keys as they are bound. */
static void short_welcome(struct ctl *c)
{
	char send[24], pick[24], fav[24], help[24];
	input_first_key(&c->keys, ACT_SEND, send, sizeof send);
	input_first_key(&c->keys, ACT_MODEL_PICKER, pick, sizeof pick);
	input_first_key(&c->keys, ACT_FAVORITE_NEXT, fav, sizeof fav);
	input_first_key(&c->keys, ACT_HELP, help, sizeof help);
	struct buf t = BUF_INIT;
	buf_printf(&t, "Type a message and press %s to ask %s.", send, c->model);
	if (*pick)
		buf_printf(&t, " %s chooses another model%s%s%s.", pick, *fav ? ", " : "", fav,
			   *fav ? " steps through the favourites" : "");
	if (*help)
		buf_printf(&t, " %s lists every key and /command.", help);
	if (t.data)
		add_text_message(c, "cherry", t.data);
	buf_free(&t);
}

/* Rebuilds the view from the shown conversation's current branch. */
void ctl_rebuild_view(struct ctl *c)
{
	view_clear(c->view);
	ctl_layout_stale(c);
	ctl_map_reset(c);
	for (size_t i = 0; i < c->nstreams; i++)
		c->streams[i]->view_msg = -1;
	struct chat *ch = c->shown;
	struct buf hdr = BUF_INIT;
	if (c->welcome && ch->conv.n == 0) {
		struct buf t = BUF_INIT;
		if (c->welcome_keyed[0])
			keyed_welcome(c, &t);
		add_text_message(c, "cherry", t.data ? t.data : welcome_text);
		buf_free(&t);
		/* read from its start: on a short terminal its first lines say what to do */
		c->follow = 0;
		c->top_line = 0;
	} else if (ch->conv.n == 0 && c->model[0])
		short_welcome(c);
	if (ch->conv.system && *ch->conv.system)
		add_text_message(c, "system prompt", ch->conv.system);
	size_t *idx = NULL, n = 0;
	if (chat_branch(ch, &idx, &n) == 0) {
		for (size_t k = 0; k < n; k++) {
			size_t i = idx[k];
			const struct hist_msg *m = &ch->conv.msgs[i];
			if (ctl_tools_view_msg(c, i))
				continue; /* a tool's result, folded */
			int user = !strcmp(m->role, "user");
			if (!user) {
				ctl_answer_header(ch, i, &hdr);
				ctl_usage_text(c, m, &hdr);
			} else {
				user_header(ch, i, &hdr);
			}
			long vm = view_add(c->view, user ? VIEW_USER : VIEW_ASSISTANT, hdr.data);
			if (vm < 0)
				break;
			ctl_map_msg(c, vm, i);
			struct ctl_stream *live = NULL;
			for (size_t s = 0; s < c->nstreams && !live; s++)
				if (c->streams[s]->chat == ch && c->streams[s]->answer == i)
					live = c->streams[s];
			/* A finished text is shared, not copied, when it is clean: the view is
			 * rebuilt or cleared whenever a message's strings go (deleted, the
			 * conversation closed or forked), and only a live answer's text grows
			 * (so it is appended: copied). */
			int (*put)(struct view *, size_t, const char *, size_t) =
				live ? view_append_reasoning : view_share_reasoning;
			if (m->reasoning && *m->reasoning)
				put(c->view, (size_t)vm, m->reasoning, strlen(m->reasoning));
			put = live ? view_append_text : view_share_text;
			if (m->content)
				put(c->view, (size_t)vm, m->content, strlen(m->content));
			if (live) {
				live->view_msg = vm;
			} else {
				view_end(c->view, (size_t)vm);
				if (!user)
					ctl_status_footer(c, c->view, (size_t)vm, i);
				else if (m->natt)
					attachments_footer(c, (size_t)vm, m);
			}
			if (m->context_break)
				ctl_map_break(c, vm);
		}
	}
	free(idx);
	buf_free(&hdr);
	for (size_t i = 0; i < c->nqueue; i++)
		if (c->queue[i].chat == ch) {
			long vm = view_add(c->view, VIEW_USER, "you (queued)");
			if (vm >= 0) {
				view_append_text(c->view, (size_t)vm, c->queue[i].text,
						 strlen(c->queue[i].text));
				view_end(c->view, (size_t)vm);
			}
		}
	c->dirty |= CTL_DIRTY_CHAT;
}

void ctl_info(struct ctl *c, const char *header, const char *text, int error)
{
	long w = view_add(c->view, VIEW_INFO, header);
	if (w < 0)
		return;
	if (error)
		view_set_footer(c->view, (size_t)w, text, 1);
	else
		view_append_text(c->view, (size_t)w, text, strlen(text));
	view_end(c->view, (size_t)w);
	c->follow = 1;
	c->dirty |= CTL_DIRTY_CHAT;
}

/* ---- the conversation list ---- */

void ctl_refresh_list(struct ctl *c)
{
	struct hist_entry *v = NULL;
	size_t n = 0;
	struct err e;
	char ov[HIST_ID_MAX + 1];
	err_clear(&e);
	if (c->world.conv_list(c->world.ctx, &v, &n, &e) < 0) {
		ctl_message(c, "%s", e.msg);
		return;
	}
	ctl_switcher_sel(c, ov);
	histstore_entries_free(c->list, c->nlist);
	c->list = v;
	c->nlist = n;
	if (c->list_sel >= n)
		c->list_sel = n ? n - 1 : 0;
	c->dirty |= CTL_DIRTY_LIST;
	ctl_switcher_list_changed(c, ov);
}

static int newest_first(const void *a, const void *b)
{
	double x = ((const struct hist_entry *)a)->updated, y = ((const struct hist_entry *)b)->updated;
	return x < y ? 1 : x > y ? -1 : 0;
}

void ctl_list_replace(struct ctl *c, struct hist_entry *v, size_t n)
{
	int fresher = 0;
	char sel[HIST_ID_MAX + 1] = "", ov[HIST_ID_MAX + 1];
	ctl_switcher_sel(c, ov);
	if (c->list_sel < c->nlist)
		snprintf(sel, sizeof sel, "%s", c->list[c->list_sel].id);
	struct hist_entry *old = c->list;
	size_t nold = c->nlist;
	/* what this run deleted stays deleted, whenever the list was read */
	for (size_t g = 0; g < c->ngone; g++)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(v[i].id, c->gone[g])) {
				hist_entry_clear(&v[i]);
				memmove(&v[i], &v[i + 1], (n - i - 1) * sizeof *v);
				n--;
				break;
			}
	/* entries this run wrote (the few it touched) may be newer than what the files said
	 * when they were read (a rename does not date one), or not read at all (a new one) */
	for (size_t t = 0; t < c->ntouched; t++) {
		size_t i = 0, k = 0;
		while (i < nold && (!old[i].id || strcmp(old[i].id, c->touched[t])))
			i++; /* (one taken already is cleared) */
		while (k < n && strcmp(v[k].id, c->touched[t]))
			k++;
		if (i == nold)
			continue;
		if (k == n) {
			struct hist_entry *nv = realloc(v, (n + 1) * sizeof *v);
			if (!nv)
				continue;
			v = nv;
			n++;
		} else {
			hist_entry_clear(&v[k]);
		}
		v[k] = old[i];
		memset(&old[i], 0, sizeof old[i]);
		fresher = 1;
	}
	c->list = v;
	c->nlist = n;
	if (fresher)
		qsort(v, n, sizeof *v, newest_first);
	histstore_entries_free(old, nold);
	c->list_sel = 0;
	for (size_t i = 0; i < c->nlist; i++)
		if (!strcmp(c->list[i].id, sel[0] ? sel : c->shown->conv.id))
			c->list_sel = i;
	c->dirty |= CTL_DIRTY_LIST;
	ctl_switcher_list_changed(c, ov);
}

void ctl_list_reading(struct ctl *c, int reading)
{
	c->list_reading = reading;
	if (reading || !c->switcher_wait)
		return;
	char *filter = c->switcher_wait;
	c->switcher_wait = NULL;
	/* asked for while it was read; not over what the user went on to */
	if ((c->mode == MODE_CHAT || c->mode == MODE_LIST) && c->ov.kind == CTL_OV_NONE) {
		c->message[0] = '\0'; /* "reading the conversation list..." */
		ctl_switcher_from_list(c, *filter ? filter : NULL);
	}
	free(filter);
}

/* The place of conversation id in the list, or c->nlist. */
static size_t list_find(const struct ctl *c, const char *id)
{
	size_t i = 0;
	while (i < c->nlist && strcmp(c->list[i].id, id))
		i++;
	return i;
}

/* Conversation id out of the list (the selection kept in range). */
static void list_drop(struct ctl *c, const char *id)
{
	char ov[HIST_ID_MAX + 1];
	ctl_switcher_sel(c, ov);
	size_t i = list_find(c, id);
	if (i < c->nlist) {
		hist_entry_clear(&c->list[i]);
		memmove(&c->list[i], &c->list[i + 1], (c->nlist - i - 1) * sizeof *c->list);
		c->nlist--;
	}
	if (c->list_sel >= c->nlist)
		c->list_sel = c->nlist ? c->nlist - 1 : 0;
	c->dirty |= CTL_DIRTY_LIST;
	ctl_switcher_list_changed(c, ov);
}

/* Conversation id, deleted: out of the list, and out of any list read before. */
static void list_forget(struct ctl *c, const char *id)
{
	list_drop(c, id);
	void *g = realloc(c->gone, (c->ngone + 1) * sizeof *c->gone);
	if (!g)
		return; /* the list shown is right; one read later may bring it back */
	c->gone = g;
	snprintf(c->gone[c->ngone++], sizeof *c->gone, "%s", id);
}

int ctl_load_list(struct ctl *c)
{
	ctl_refresh_list(c);
	for (size_t i = 0; i < c->nlist; i++)
		if (!strcmp(c->list[i].id, c->shown->conv.id))
			c->list_sel = i;
	return 0;
}

/* Updates the conversation's entry (adding it when new) and keeps the list newest
 * first, as a re-listing and the switcher order it, without reading 10,000 entries
 * again after every message. */
/* Conversation id, changed by this run: a list read later keeps this run's entry. */
static void touched(struct ctl *c, const char *id)
{
	for (size_t t = 0; t < c->ntouched; t++)
		if (!strcmp(c->touched[t], id))
			return;
	void *g = realloc(c->touched, (c->ntouched + 1) * sizeof *c->touched);
	if (!g)
		return; /* a list read later may show it as its file was */
	c->touched = g;
	snprintf(c->touched[c->ntouched++], sizeof *c->touched, "%s", id);
}

/* e (its strings the list's from now on) in its place, newest first, instead of the
 * entry of the same id; the selection stays on the conversation it was on. */
static void list_put(struct ctl *c, struct hist_entry e)
{
	char sel[HIST_ID_MAX + 1] = "", ov[HIST_ID_MAX + 1];
	ctl_switcher_sel(c, ov);
	if (c->list_sel < c->nlist)
		snprintf(sel, sizeof sel, "%s", c->list[c->list_sel].id);
	size_t i = list_find(c, e.id);
	if (i == c->nlist) {
		struct hist_entry *v = realloc(c->list, (c->nlist + 1) * sizeof *v);
		if (!v) {
			hist_entry_clear(&e);
			return;
		}
		c->list = v;
		memset(&v[c->nlist], 0, sizeof *v);
		c->nlist++;
	}
	hist_entry_clear(&c->list[i]);
	memmove(&c->list[i], &c->list[i + 1], (c->nlist - i - 1) * sizeof *c->list);
	size_t at = 0;
	while (at < c->nlist - 1 && c->list[at].updated > e.updated)
		at++;
	memmove(&c->list[at + 1], &c->list[at], (c->nlist - 1 - at) * sizeof *c->list);
	c->list[at] = e;
	for (size_t k = 0; k < c->nlist; k++)
		if (!strcmp(c->list[k].id, sel))
			c->list_sel = k;
	c->dirty |= CTL_DIRTY_LIST;
	ctl_switcher_list_changed(c, ov);
}

void ctl_list_touch(struct ctl *c, const struct chat *ch)
{
	if (!ch->on_disk && !ch->conv.n)
		return;
	touched(c, ch->conv.id);
	size_t i = list_find(c, ch->conv.id);
	struct hist_entry e;
	memset(&e, 0, sizeof e);
	if (i < c->nlist) { /* its flags kept */
		e.newer = c->list[i].newer;
		e.journal = c->list[i].journal;
	}
	if (hist_entry_set(&e, ch->conv.id, ch->conv.title, ch->conv.model) < 0)
		return;
	e.updated = ch->conv.updated;
	e.nmsgs = ch->conv.n;
	list_put(c, e);
}

int ctl_list_mine(const struct ctl *c, const char *id)
{
	for (size_t t = 0; t < c->ntouched; t++)
		if (!strcmp(c->touched[t], id))
			return 1;
	return 0;
}

void ctl_list_changed(struct ctl *c, const char (*ids)[HIST_ID_MAX + 1], size_t nids,
		      struct hist_entry *v, size_t n)
{
	for (size_t i = 0; i < nids; i++) {
		size_t k = 0;
		while (k < n && strcmp(v[k].id, ids[i]))
			k++;
		if (k == n && !ctl_list_mine(c, ids[i]))
			list_drop(c, ids[i]);
	}
	for (size_t k = 0; k < n; k++) {
		int keep = !ctl_list_mine(c, v[k].id);
		for (size_t g = 0; keep && g < c->ngone; g++)
			keep = strcmp(v[k].id, c->gone[g]) != 0;
		if (keep)
			list_put(c, v[k]);
		else
			hist_entry_clear(&v[k]);
	}
	free(v);
}

/* ---- models ---- */

int ctl_models(struct ctl *c, char ***list, size_t *n)
{
	*list = NULL;
	*n = 0;
	return c->world.models(c->world.ctx, list, n);
}

void ctl_models_free(struct ctl *c, char **list, size_t n)
{
	c->world.models_free(c->world.ctx, list, n);
}

int ctl_has_key(struct ctl *c, const struct provider *p)
{
	if (c->world.has_key)
		return c->world.has_key(c->world.ctx, p);
	return c->world.has_env_key(c->world.ctx, p) != 0;
}

static void update_fav_index(struct ctl *c)
{
	c->fav_index = -1;
	for (size_t i = 0; i < c->cfg->nfavorites; i++)
		if (!strcmp(c->cfg->favorites[i], c->model))
			c->fav_index = (int)i;
}

/* Chooses the model for the next message. 0, or -1 with the reason in the status line. */
int ctl_set_model(struct ctl *c, const char *spec, int announce)
{
	struct err e;
	err_clear(&e);
	struct provider *p;
	const char *m;
	if (c->world.resolve_model(c->world.ctx, spec, &p, &m, &e) < 0) {
		ctl_message(c, "%s", e.msg);
		return -1;
	}
	if (strlen(spec) >= sizeof c->model) {
		ctl_message(c, "that model name is too long");
		return -1;
	}
	int changed = strcmp(c->model, spec) != 0;
	snprintf(c->model, sizeof c->model, "%s", spec);
	update_fav_index(c);
	if (changed && announce) {
		privacy_count("model_switches");
		if (c->shown->on_disk) {
			err_clear(&e);
			chat_set_model(c->shown, spec, c->wall, &e);
			c->react |= CTL_SAVE;
		}
	}
	/* the welcome goes, and an empty conversation's hint names the new model */
	if (c->welcome || (c->shown && c->shown->conv.n == 0)) {
		c->welcome = 0;
		ctl_rebuild_view(c);
	}
	c->dirty |= CTL_DIRTY_STATUS;
	return 0;
}

/* The first model of provider p among the known models that can be set. */
static int first_model_of(struct ctl *c, const struct provider *p, char **known, size_t nk)
{
	size_t plen = strlen(p->name);
	for (size_t k = 0; k < nk; k++)
		if (!strncmp(known[k], p->name, plen) && known[k][plen] == '/' &&
		    ctl_set_model(c, known[k], 0) == 0)
			return 1;
	return 0;
}

int ctl_first_model_of(struct ctl *c, const struct provider *p)
{
	if (c->model[0])
		return 0;
	char **known = NULL;
	size_t nk = 0;
	if (ctl_models(c, &known, &nk) < 0)
		nk = 0;
	int found = first_model_of(c, p, known, nk);
	ctl_models_free(c, known, nk);
	return found;
}

/* -m, else the conversation's model, else default_model, else the first favourite, else
 * the first provider with a key in the environment (its first configured or cached
 * model), else a local Ollama model from the cache. "" and the welcome when none. */
void ctl_pick_initial_model(struct ctl *c, const char *opt_model)
{
	const char *cands[3] = {opt_model, c->shown->conv.model, c->cfg->default_model};
	for (int i = 0; i < 3; i++)
		if (cands[i] && ctl_set_model(c, cands[i], 0) == 0)
			return;
	if (c->cfg->nfavorites && ctl_set_model(c, c->cfg->favorites[0], 0) == 0)
		return;
	char **known = NULL;
	size_t nk = 0;
	if (ctl_models(c, &known, &nk) < 0)
		nk = 0;
	const struct provider_list *pl = &c->cfg->providers;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < pl->n; i++) {
			const struct provider *p = &pl->v[i];
			int want = pass == 0 ? ctl_has_key(c, p) == 1 :
					       p->kind == WIRE_OLLAMA;
			if (want && first_model_of(c, p, known, nk)) {
				ctl_models_free(c, known, nk);
				return;
			}
		}
	ctl_models_free(c, known, nk);
	c->model[0] = '\0';
	c->welcome = 1;
	/* the providers that have a key all the same: "fo", "fo and fa", "fo, fa and fb" */
	size_t nkeyed = 0, len = 0;
	c->welcome_keyed[0] = '\0';
	for (size_t i = 0; i < pl->n; i++)
		nkeyed += ctl_has_key(c, &pl->v[i]) == 1;
	for (size_t i = 0, k = 0; i < pl->n && len < sizeof c->welcome_keyed; i++) {
		if (ctl_has_key(c, &pl->v[i]) != 1)
			continue;
		k++;
		int w = snprintf(c->welcome_keyed + len, sizeof c->welcome_keyed - len, "%s%s",
				 k == 1 ? "" : k == nkeyed ? " and " : ", ", pl->v[i].name);
		len += w > 0 ? (size_t)w : 0;
	}
	c->welcome_nkeyed = nkeyed;
	if (len >= sizeof c->welcome_keyed)
		snprintf(c->welcome_keyed, sizeof c->welcome_keyed, "%zu providers", nkeyed);
	ctl_rebuild_view(c);
	ctl_message(c, "no model chosen: %s picks one", ctl_key_name(c, ACT_MODEL_PICKER).s);
	c->message_until = 0; /* until the next key */
}

/* ---- conversations ---- */

/* Closes a conversation unless the stream still writes into it. */
static void release_chat(struct ctl *c, struct chat *ch)
{
	if (!ch || ctl_stream_in(c, ch) || c->pending.chat == ch)
		return;
	for (size_t i = 0; i < c->nqueue; i++)
		if (c->queue[i].chat == ch)
			return;
	c->world.conv_close(c->world.ctx, ch);
}

void ctl_show_chat(struct ctl *c, struct chat *ch)
{
	ctl_edit_forget(c);
	c->sel = -1;
	if (c->shown != ch) {
		release_chat(c, c->shown);
		/* how the last answer ended was said of the conversation left: another one
		 * (a new one above all) is idle, its answers marked as they ended */
		if (c->state == CTL_STOPPED || c->state == CTL_ERROR)
			c->state = CTL_IDLE;
	}
	c->shown = ch;
	ctl_forget_unread(c, ch->conv.id);
	if (ch->conv.model && *ch->conv.model && strcmp(ch->conv.model, c->model))
		ctl_set_model(c, ch->conv.model, 0);
	c->follow = 1;
	c->more_below = 0;
	ctl_rebuild_view(c);
	ctl_tools_shown(c, ch); /* (after: a line it adds stays in the view) */
	for (size_t i = 0; i < c->nlist; i++)
		if (!strcmp(c->list[i].id, ch->conv.id))
			c->list_sel = i;
	c->dirty |= CTL_DIRTY_LIST | CTL_DIRTY_STATUS;
	c->react |= CTL_SET_LAST;
}

void ctl_new_conversation(struct ctl *c)
{
	if (!c->shown->on_disk && c->shown->conv.n == 0 && !ctl_stream_in(c, c->shown)) {
		ctl_message(c, "this is a new conversation already");
		return;
	}
	struct chat *ch = NULL;
	struct err e;
	err_clear(&e);
	if (c->world.conv_new(c->world.ctx, &ch, &e) < 0) {
		ctl_message(c, "cannot start a new conversation: %s",
			    e.msg[0] ? e.msg : "out of memory");
		return;
	}
	ctl_show_chat(c, ch);
	ctl_message(c, "new conversation");
}

void ctl_open_conversation(struct ctl *c, const char *id)
{
	if (!strcmp(id, c->shown->conv.id))
		return;
	for (size_t i = 0; i < c->nstreams; i++)
		if (!strcmp(c->streams[i]->chat->conv.id, id)) {
			ctl_show_chat(c, c->streams[i]->chat);
			return;
		}
	if (c->pending.chat && !strcmp(c->pending.chat->conv.id, id)) {
		ctl_show_chat(c, c->pending.chat);
		return;
	}
	struct chat *ch = NULL;
	struct err e;
	err_clear(&e);
	int r = c->world.conv_open(c->world.ctx, id, &ch, &e);
	if (r < 0) {
		ctl_message(c, "%s", e.msg[0] ? e.msg : "out of memory");
		return;
	}
	ctl_show_chat(c, ch);
	if (r == 1)
		ctl_message(c, "%s", e.msg);
}

void ctl_ask_delete(struct ctl *c)
{
	if (ctl_busy(c))
		return;
	if (!c->shown->on_disk) {
		ctl_message(c, "this conversation is not saved yet: nothing to delete");
		return;
	}
	c->mode = MODE_CONFIRM;
	c->dirty |= CTL_DIRTY_ALL;
}

void ctl_delete_confirmed(struct ctl *c)
{
	if (ctl_busy(c))
		return;
	struct err e;
	err_clear(&e);
	struct chat *old = c->shown;
	size_t at = 0;
	while (at < c->nlist && strcmp(c->list[at].id, old->conv.id))
		at++;
	char id[HIST_ID_MAX + 1];
	snprintf(id, sizeof id, "%s", old->conv.id);
	if (c->world.conv_delete(c->world.ctx, old, &e) < 0) {
		ctl_message(c, "%s", e.msg);
		return;
	}
	/* not read again: 100,000 conversations, or a list still being read, would hold
	 * the keys */
	list_forget(c, id);
	/* the neighbour takes its place: the one below, else the one above */
	struct chat *ch = NULL;
	if (c->nlist) {
		size_t n = at < c->nlist ? at : c->nlist - 1;
		err_clear(&e);
		if (c->world.conv_open(c->world.ctx, c->list[n].id, &ch, &e) < 0)
			ch = NULL;
	}
	err_clear(&e);
	if (!ch && c->world.conv_new(c->world.ctx, &ch, &e) < 0) {
		/* Without a conversation to show there is nothing safe to do but quit. */
		c->shown = NULL;
		c->world.conv_close(c->world.ctx, old);
		c->quit = 1;
		c->react |= CTL_QUIT;
		return;
	}
	c->world.conv_close(c->world.ctx, old);
	c->shown = ch;
	ctl_show_chat(c, ch);
	ctl_message(c, "deleted");
}
