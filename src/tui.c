/* tui: the full-screen client: the one loop (curl's sockets, stdin and the signal pipe in
 * one wait, timers as its timeout), keys through the action table, slash commands,
 * conversations, model switching and the answer being streamed. Drawing is ui.c's. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "tui.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <sodium.h>

#include "cherry/commands.h"
#include "cherry/fsutil.h"
#include "cherry/loop.h"
#include "cherry/outcome.h"
#include "cherry/passphrase.h"
#include "cherry/privacy.h"
#include "cherry/sanitize.h"
#include "cherry/state.h"
#include "cherry/text.h"
#include "cherry/utf8.h"

#define FRAME_MS 16           /* at most about 60 frames a second while streaming */
#define STREAM_TICK_MS 250    /* saves, tokens/s and the stall check while streaming */
#define STALL_SHOWN_AFTER 8.0 /* seconds without a byte before the state says stalled */
#define MESSAGE_SECONDS 5.0
#define PROMPT_RING 100
#define IDLE_WAIT_MS 3600000  /* "forever": the wait wakes for input anyway */
#define EDITOR_MAX (16u << 20)
#define STREAM_SLICE (128u << 10) /* bytes decoded per turn of the loop: a few ms */

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_message(struct tui *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->message, sizeof t->message, fmt, ap);
	va_end(ap);
	t->message_until = http_now() + MESSAGE_SECONDS;
	t->dirty |= DIRTY_STATUS;
}

const char *tui_state_word(const struct tui *t, char *tmp, size_t tmpsz)
{
	switch (t->state) {
	case ST_IDLE:
		return "idle";
	case ST_CONNECTING:
		return "connecting";
	case ST_THINKING:
		return "thinking";
	case ST_STREAMING:
		if (t->rate > 0) {
			snprintf(tmp, tmpsz, "streaming %.0f tok/s", t->rate);
			return tmp;
		}
		return "streaming";
	case ST_STALLED:
		return "stalled";
	case ST_STOPPED:
		return "stopped";
	case ST_ERROR:
		snprintf(tmp, tmpsz, "error");
		return tmp;
	}
	return "idle";
}

/* ---- the view of the shown conversation ---- */

static void answer_header(struct tui *t, const struct chat *c, size_t i, struct buf *out)
{
	const struct hist_msg *m = &c->conv.msgs[i];
	buf_reset(out);
	if (m->provider && m->model)
		buf_printf(out, "%s/%s", m->provider, m->model);
	else
		buf_append_str(out, m->model ? m->model : "assistant");
	size_t pos, count;
	chat_siblings(c, i, &pos, &count);
	if (count > 1)
		buf_printf(out, " (%zu/%zu)", pos + 1, count);
	(void)t;
}

/* The footer for a stored answer's status. */
static void status_footer(struct tui *t, size_t vm, const struct hist_msg *m, int live)
{
	if (live)
		return;
	struct buf f = BUF_INIT;
	int error = 0;
	switch (m->status) {
	case HIST_COMPLETE:
		break;
	case HIST_STOPPED:
		buf_append_str(&f, "[stopped]");
		break;
	case HIST_INTERRUPTED:
		buf_append_str(&f, "[interrupted]");
		break;
	case HIST_ERROR:
		buf_printf(&f, "[error: %s]", m->error ? m->error : "unknown");
		error = 1;
		break;
	}
	view_set_footer(t->view, vm, f.data, error);
	buf_free(&f);
}

/* Paragraphs, not lines: the view wraps them to the pane. */
static const char welcome_text[] =
	"Welcome to cherry.\n"
	"\n"
	"No model is ready yet. To talk to a provider, give cherry its API key, either in "
	"the provider's variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, ...) "
	"or in the encrypted vault, from a shell:\n"
	"\n"
	"    cherry key set PROVIDER\n"
	"\n"
	"Then choose a model with C-o (or /model PROVIDER/MODEL), or set \"default_model\" "
	"in config.json. A local Ollama needs no key. F1 lists every key and command; "
	"cherry providers lists the providers.";

/* Rebuilds the view from the shown conversation's current branch. */
static void rebuild_view(struct tui *t)
{
	view_clear(t->view);
	if (t->st)
		t->st->view_msg = -1;
	struct chat *c = t->shown;
	struct buf hdr = BUF_INIT;
	if (t->welcome && c->conv.n == 0) {
		long w = view_add(t->view, VIEW_INFO, "cherry");
		if (w >= 0) {
			view_append_text(t->view, (size_t)w, welcome_text, sizeof welcome_text - 1);
			view_end(t->view, (size_t)w);
		}
	}
	if (c->conv.system && *c->conv.system) {
		long w = view_add(t->view, VIEW_INFO, "system prompt");
		if (w >= 0) {
			view_append_text(t->view, (size_t)w, c->conv.system, strlen(c->conv.system));
			view_end(t->view, (size_t)w);
		}
	}
	size_t *idx = NULL, n = 0;
	if (chat_branch(c, &idx, &n) == 0) {
		for (size_t k = 0; k < n; k++) {
			size_t i = idx[k];
			const struct hist_msg *m = &c->conv.msgs[i];
			int user = !strcmp(m->role, "user");
			if (!user)
				answer_header(t, c, i, &hdr);
			long vm = view_add(t->view, user ? VIEW_USER : VIEW_ASSISTANT,
					   user ? "you" : hdr.data);
			if (vm < 0)
				break;
			int live = t->st && t->st->chat == c && t->st->answer == i;
			if (m->reasoning && *m->reasoning)
				view_append_reasoning(t->view, (size_t)vm, m->reasoning,
						      strlen(m->reasoning));
			if (m->content)
				view_append_text(t->view, (size_t)vm, m->content, strlen(m->content));
			if (live)
				t->st->view_msg = vm;
			else
				view_end(t->view, (size_t)vm);
			if (!user)
				status_footer(t, (size_t)vm, m, live);
		}
	}
	free(idx);
	buf_free(&hdr);
	t->dirty |= DIRTY_CHAT;
}

/* An info message at the end of the view (command output, notices, errors). */
static void add_info(struct tui *t, const char *header, const char *text, int error)
{
	long w = view_add(t->view, VIEW_INFO, header);
	if (w < 0)
		return;
	if (error)
		view_set_footer(t->view, (size_t)w, text, 1);
	else
		view_append_text(t->view, (size_t)w, text, strlen(text));
	view_end(t->view, (size_t)w);
	t->follow = 1;
	t->dirty |= DIRTY_CHAT;
}

/* ---- the conversation list ---- */

static void warn_to_message(void *ctx, const char *line)
{
	set_message(ctx, "%s", line);
}

static void refresh_list(struct tui *t)
{
	if (!t->store_ok)
		return;
	struct hist_entry *v = NULL;
	size_t n = 0;
	struct err e;
	err_clear(&e);
	if (histstore_list(&t->store, &v, &n, &e) < 0) {
		set_message(t, "%s", e.msg);
		return;
	}
	histstore_entries_free(t->list, t->nlist);
	t->list = v;
	t->nlist = n;
	if (t->list_sel >= n)
		t->list_sel = n ? n - 1 : 0;
	t->dirty |= DIRTY_LIST;
}

/* Puts the conversation c at the top of the list with its current title and size, as a
 * re-listing would, without reading 10,000 entries again after every message. */
static void list_touch(struct tui *t, const struct chat *c)
{
	if (!c->on_disk)
		return;
	size_t i = 0;
	while (i < t->nlist && strcmp(t->list[i].id, c->conv.id))
		i++;
	if (i == t->nlist) {
		struct hist_entry *v = realloc(t->list, (t->nlist + 1) * sizeof *v);
		if (!v)
			return;
		t->list = v;
		memset(&v[t->nlist], 0, sizeof *v);
		snprintf(v[t->nlist].id, sizeof v[t->nlist].id, "%s", c->conv.id);
		t->nlist++;
	}
	struct hist_entry e = t->list[i];
	char *title = strdup(c->conv.title ? c->conv.title : "");
	char *model = strdup(c->conv.model ? c->conv.model : "");
	if (!title || !model) {
		free(title);
		free(model);
		return;
	}
	free(e.title);
	free(e.model);
	e.title = title;
	e.model = model;
	e.updated = c->conv.updated;
	e.nmsgs = c->conv.n;
	memmove(&t->list[1], &t->list[0], i * sizeof *t->list);
	t->list[0] = e;
	t->dirty |= DIRTY_LIST;
}

/* ---- models ---- */

static int model_usable(struct tui *t, const char *spec, struct err *e)
{
	struct provider *p;
	const char *m;
	return app_resolve_model(t->app, spec, &p, &m, e);
}

static void update_fav_index(struct tui *t)
{
	t->fav_index = -1;
	for (size_t i = 0; i < t->app->cfg.nfavorites; i++)
		if (!strcmp(t->app->cfg.favorites[i], t->model))
			t->fav_index = (int)i;
}

/* Writes c's changes now (chat changes only touch memory); a failure shows its line. */
static void save_chat(struct tui *t, struct chat *c)
{
	struct err e;
	err_clear(&e);
	if (chat_save(c, wall_now(), &e) < 0 && e.msg[0])
		set_message(t, "%s", e.msg);
}

/* Chooses the model for the next message. 0, or -1 with the reason in the status line. */
static int set_model(struct tui *t, const char *spec, int announce)
{
	struct err e;
	err_clear(&e);
	if (model_usable(t, spec, &e) < 0) {
		set_message(t, "%s", e.msg);
		return -1;
	}
	if (strlen(spec) >= sizeof t->model) {
		set_message(t, "that model name is too long");
		return -1;
	}
	int changed = strcmp(t->model, spec) != 0;
	snprintf(t->model, sizeof t->model, "%s", spec);
	update_fav_index(t);
	if (changed && announce) {
		privacy_count("model_switches");
		if (t->shown->on_disk) {
			err_clear(&e);
			if (chat_set_model(t->shown, spec, wall_now(), &e) == 0)
				save_chat(t, t->shown);
		}
	}
	if (t->welcome) {
		t->welcome = 0;
		rebuild_view(t);
	}
	t->dirty |= DIRTY_STATUS;
	return 0;
}

static int has_env_key(const struct provider *p)
{
	const char *v = p->key_env ? getenv(p->key_env) : NULL;
	return v && *v;
}

/* -m, else the conversation's model, else default_model, else the first favourite, else
 * the first provider with a key in the environment (its first configured or cached
 * model), else a local Ollama model from the cache. "" and the welcome when none. */
static void pick_initial_model(struct tui *t, const char *opt_model)
{
	const char *cands[3] = {opt_model, t->shown->conv.model, t->app->cfg.default_model};
	for (int i = 0; i < 3; i++)
		if (cands[i] && set_model(t, cands[i], 0) == 0)
			return;
	if (t->app->cfg.nfavorites && set_model(t, t->app->cfg.favorites[0], 0) == 0)
		return;
	char **known = NULL;
	size_t nk = 0;
	if (app_known_models(t->app, &known, &nk) < 0)
		nk = 0;
	const struct provider_list *pl = &t->app->cfg.providers;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < pl->n; i++) {
			const struct provider *p = &pl->v[i];
			if (pass == 0 ? !has_env_key(p) : p->kind != WIRE_OLLAMA)
				continue;
			size_t plen = strlen(p->name);
			for (size_t k = 0; k < nk; k++)
				if (!strncmp(known[k], p->name, plen) && known[k][plen] == '/' &&
				    set_model(t, known[k], 0) == 0) {
					app_models_free(known, nk);
					return;
				}
		}
	app_models_free(known, nk);
	t->model[0] = '\0';
	t->welcome = 1;
	rebuild_view(t);
	set_message(t, "no model chosen: C-o picks one");
	t->message_until = 0; /* until the next key */
}

/* ---- conversations ---- */

static struct chat *chat_alloc(void)
{
	struct chat *c = calloc(1, sizeof *c);
	if (c)
		c->lock_fd = -1;
	return c;
}

/* Closes a conversation object unless the stream still writes into it. */
static void release_chat(struct tui *t, struct chat *c)
{
	if (!c || (t->st && t->st->chat == c))
		return;
	chat_close(c);
	free(c);
}

static void show_chat(struct tui *t, struct chat *c)
{
	if (t->shown != c)
		release_chat(t, t->shown);
	t->shown = c;
	if (c->conv.model && *c->conv.model && strcmp(c->conv.model, t->model))
		set_model(t, c->conv.model, 0);
	t->follow = 1;
	t->more_below = 0;
	rebuild_view(t);
	for (size_t i = 0; i < t->nlist; i++)
		if (!strcmp(t->list[i].id, c->conv.id))
			t->list_sel = i;
	t->dirty |= DIRTY_LIST | DIRTY_STATUS;
	if (c->on_disk)
		state_last_set(c->conv.id);
}

static void new_conversation(struct tui *t)
{
	if (!t->shown->on_disk && t->shown->conv.n == 0 && !(t->st && t->st->chat == t->shown)) {
		set_message(t, "this is a new conversation already");
		return;
	}
	struct chat *c = chat_alloc();
	struct err e;
	err_clear(&e);
	if (!c || chat_new(c, &t->store, wall_now(), &e) < 0) {
		free(c);
		set_message(t, "cannot start a new conversation: %s", e.msg[0] ? e.msg : "out of memory");
		return;
	}
	show_chat(t, c);
	set_message(t, "new conversation");
}

static void open_conversation(struct tui *t, const char *id)
{
	if (!strcmp(id, t->shown->conv.id))
		return;
	if (t->st && !strcmp(t->st->chat->conv.id, id)) {
		show_chat(t, t->st->chat);
		return;
	}
	struct chat *c = chat_alloc();
	struct err e;
	err_clear(&e);
	int r = c ? chat_open(c, &t->store, id, &e) : -1;
	if (r < 0) {
		free(c);
		set_message(t, "%s", e.msg[0] ? e.msg : "out of memory");
		return;
	}
	show_chat(t, c);
	if (r == 1)
		set_message(t, "%s", e.msg);
}

/* ---- streaming an answer ---- */

/* A delta of the answer (reasoning: of its reasoning) into the conversation and, when it
 * is on screen, the view. */
static void on_delta(struct tui *t, const char *s, size_t len, int reasoning)
{
	struct stream *st = t->st;
	double now = http_now();
	if (st->first < 0)
		st->first = now;
	st->last_delta = now;
	st->deltas++;
	chat_delta(st->chat, st->answer, s, len, reasoning, wall_now());
	if (st->view_msg >= 0) {
		if (reasoning)
			view_append_reasoning(t->view, (size_t)st->view_msg, s, len);
		else
			view_append_text(t->view, (size_t)st->view_msg, s, len);
		if (!t->follow)
			t->more_below = 1;
		t->dirty |= DIRTY_CHAT;
	}
	enum tui_state want = reasoning ? ST_THINKING : ST_STREAMING;
	if (t->state != want) {
		t->state = want;
		t->dirty |= DIRTY_STATUS;
	}
}

static void on_text(void *ctx, const char *s, size_t len)
{
	on_delta(ctx, s, len, 0);
}

static void on_reasoning(void *ctx, const char *s, size_t len)
{
	on_delta(ctx, s, len, 1);
}

static void on_done(void *ctx, struct http_transfer *tr)
{
	struct tui *t = ctx;
	(void)tr;
	if (t->st)
		t->st->ended = 1;
}

static void free_stream(struct stream *st)
{
	if (st->t)
		http_transfer_free(st->t);
	wire_http_free(&st->req);
	secret_free(st->key);
	free(st);
}

/* The hint after an error line: what the user can do about it. */
static void error_hint(const struct err *e, const struct provider *p, struct buf *out)
{
	if (e->code == EXIT_KEY)
		buf_printf(out, " \xe2\x80\x94 check the key: %s%s%scherry key set %s",
			   p->key_env ? "set " : "", p->key_env ? p->key_env : "",
			   p->key_env ? " or run " : "run ", p->name);
	else if (e->code == EXIT_NETWORK)
		buf_append_str(out, " \xe2\x80\x94 F5 retries");
}

static void finish_stream(struct tui *t)
{
	struct stream *st = t->st;
	struct buf line = BUF_INIT, footer = BUF_INIT;
	struct provider *prov = NULL;
	const char *model;
	struct err e;
	err_clear(&e);
	app_resolve_model(t->app, st->spec, &prov, &model, &e);
	struct outcome oc;
	outcome_of(st->t, st->stop_requested == STOP_SIGNAL ? OUTCOME_INTERRUPTED :
		   st->stop_requested ? OUTCOME_STOPPED : OUTCOME_RAN, st->key, st->deltas, &oc);
	enum hist_status hs = oc.status;
	if (hs == HIST_INTERRUPTED) {
		/* cherry itself was told to end (TERM, HUP): the answer was cut, not stopped */
		buf_append_str(&footer, "[interrupted]");
		t->state = ST_STOPPED;
	} else if (hs == HIST_STOPPED) {
		buf_append_str(&footer, "[stopped]");
		t->state = ST_STOPPED;
	} else if (hs == HIST_ERROR) {
		e = oc.err;
		buf_append_str(&line, e.msg);
		buf_printf(&footer, "[error: %s", e.msg);
		if (prov)
			error_hint(&e, prov, &footer);
		buf_append_char(&footer, ']');
		t->state = ST_ERROR;
		set_message(t, "error: %s", e.msg);
	} else {
		if (oc.note)
			buf_printf(&footer, "[%s]", oc.note);
		t->state = ST_IDLE;
	}
	t->usage = oc.usage;
	t->ttft = oc.ttft;
	t->rate = oc.rate;
	err_clear(&e);
	if (chat_finish(st->chat, st->answer, hs, line.len ? line.data : NULL, &oc.usage, t->ttft,
			wall_now(), &e) < 0 && e.msg[0])
		set_message(t, "%s", e.msg);
	save_chat(t, st->chat);
	if (st->view_msg >= 0) {
		view_end(t->view, (size_t)st->view_msg);
		view_set_footer(t->view, (size_t)st->view_msg, footer.len ? footer.data : NULL,
				hs == HIST_ERROR);
		t->dirty |= DIRTY_CHAT;
	}
	struct chat *c = st->chat;
	list_touch(t, c);
	t->st = NULL;
	free_stream(st);
	if (c != t->shown) {
		chat_close(c);
		free(c);
	}
	buf_free(&line);
	buf_free(&footer);
	t->dirty |= DIRTY_STATUS;
}

/* Gets the key for p, unlocking the vault inside the screen if needed. 0, or -1 with the
 * reason shown in the chat. */
static int get_key(struct tui *t, struct provider *p, struct secret **key)
{
	struct err e;
	err_clear(&e);
	const char *source = NULL;
	int r = keyring_get(t->app->keyring, p, key, &source, &e);
	t->focus = FOCUS_INPUT;
	t->dirty |= DIRTY_ALL;
	if (r == 0 || (r == 1 && p->key_optional)) {
		if (r == 1)
			*key = NULL;
		return 0;
	}
	privacy_error(e.code == EXIT_VAULT ? "vault_wrong_passphrase" : "key_missing");
	add_info(t, "cherry", e.msg, 1);
	set_message(t, "%s", e.msg);
	return -1;
}

/* Starts streaming the answer at index answer of the shown conversation. */
static int start_stream(struct tui *t, struct provider *prov, const char *model,
			struct secret *key, size_t answer)
{
	struct err e;
	err_clear(&e);
	struct stream *st = calloc(1, sizeof *st);
	if (!st) {
		secret_free(key);
		set_message(t, "out of memory");
		return -1;
	}
	st->chat = t->shown;
	st->answer = answer;
	st->view_msg = -1;
	st->key = key;
	st->first = -1;
	st->started = http_now();
	snprintf(st->spec, sizeof st->spec, "%s/%s", prov->name, model);
	struct wire_msg *msgs = NULL;
	size_t n = 0;
	if (chat_request_msgs(t->shown, answer, &msgs, &n) < 0) {
		err_set(&e, EXIT_FAIL, "out of memory");
		goto fail;
	}
	struct wire_request rq = {
		.provider = prov,
		.model = model,
		.system = t->shown->conv.system,
		.msgs = msgs,
		.nmsgs = n,
		.has_temperature = t->temperature != NULL,
		.temperature = t->temperature ? json_number_value(t->temperature) : 0,
	};
	int r = wire_build_request(&rq, &st->req, &e);
	free(msgs);
	if (r < 0)
		goto fail;
	struct wire_sink sink = {on_text, on_reasoning, t};
	t->st = st;
	st->t = http_start_stream(t->eng, prov, &st->req, st->key, &sink, on_done, t, &e);
	if (!st->t) {
		t->st = NULL;
		goto fail;
	}
	privacy_count_message(prov->kind);
	t->state = ST_CONNECTING;
	t->rate = 0;
	t->ttft = -1;
	t->usage = (struct wire_usage){-1, -1, -1, -1};
	rebuild_view(t);
	t->follow = 1;
	t->dirty |= DIRTY_ALL;
	return 0;
fail:;
	struct err fe;
	err_clear(&fe);
	chat_finish(t->shown, answer, HIST_ERROR, e.msg, NULL, -1, wall_now(), &fe);
	save_chat(t, t->shown);
	free_stream(st);
	rebuild_view(t);
	set_message(t, "%s", e.msg);
	return -1;
}

static int busy(struct tui *t)
{
	if (!t->st)
		return 0;
	set_message(t, "an answer is still streaming: Esc stops it");
	return 1;
}

static int resolve_for_send(struct tui *t, struct provider **prov, const char **model)
{
	struct err e;
	err_clear(&e);
	if (!t->model[0]) {
		set_message(t, "no model chosen: C-o picks one, or /model PROVIDER/MODEL");
		return -1;
	}
	if (app_resolve_model(t->app, t->model, prov, model, &e) < 0) {
		set_message(t, "%s", e.msg);
		return -1;
	}
	return 0;
}

static void send_prompt(struct tui *t, const char *text, size_t len)
{
	if (busy(t))
		return;
	struct provider *prov;
	const char *model;
	if (resolve_for_send(t, &prov, &model) < 0)
		return;
	struct buf prompt = BUF_INIT;
	if (utf8_repair(text, len, &prompt) < 0) {
		set_message(t, "out of memory");
		return;
	}
	struct secret *key = NULL;
	if (get_key(t, prov, &key) < 0) {
		buf_wipe_free(&prompt);
		return;
	}
	struct err e;
	err_clear(&e);
	size_t answer;
	int was_on_disk = t->shown->on_disk;
	int r = chat_send(t->shown, prompt.data, prov->name, model, wall_now(), &answer, &e);
	if (r < 0) {
		secret_free(key);
		buf_wipe_free(&prompt);
		set_message(t, "%s", e.msg[0] ? e.msg : "out of memory");
		return;
	}
	if (r == 1 || e.msg[0])
		set_message(t, "%s", e.msg);
	save_chat(t, t->shown);
	edit_history_add(&t->ed, prompt.data, prompt.len);
	err_clear(&e);
	state_prompts_save(&t->ed, &e);
	edit_apply(&t->ed, EDIT_CLEAR, 0);
	buf_wipe_free(&prompt);
	t->welcome = 0;
	privacy_count("asks");
	start_stream(t, prov, model, key, answer);
	if (!was_on_disk || r == 1)
		state_last_set(t->shown->conv.id);
	list_touch(t, t->shown);
	t->list_sel = 0;
	t->dirty |= DIRTY_LAYOUT | DIRTY_ALL;
}

static void retry(struct tui *t)
{
	if (busy(t))
		return;
	struct provider *prov;
	const char *model;
	if (resolve_for_send(t, &prov, &model) < 0)
		return;
	struct secret *key = NULL;
	if (get_key(t, prov, &key) < 0)
		return;
	struct err e;
	err_clear(&e);
	size_t answer;
	int r = chat_retry(t->shown, prov->name, model, wall_now(), &answer, &e);
	if (r != 0) {
		secret_free(key);
		set_message(t, "%s", r == 1 ? "nothing to retry: send a message first" :
			    e.msg[0] ? e.msg : "out of memory");
		return;
	}
	if (e.msg[0])
		set_message(t, "%s", e.msg);
	save_chat(t, t->shown);
	privacy_count("retries");
	start_stream(t, prov, model, key, answer);
}

static void stop_stream(struct tui *t, int how)
{
	if (!t->st)
		return;
	t->st->stop_requested = how;
	http_cancel(t->eng, t->st->t);
	if (t->st && t->st->ended)
		finish_stream(t);
}

/* The last answer on the shown branch, or -1. */
static long last_answer(struct tui *t)
{
	size_t *idx = NULL, n = 0;
	long found = -1;
	if (chat_branch(t->shown, &idx, &n) == 0)
		for (size_t k = n; k-- > 0;)
			if (!strcmp(t->shown->conv.msgs[idx[k]].role, "assistant")) {
				found = (long)idx[k];
				break;
			}
	free(idx);
	return found;
}

static void switch_sibling(struct tui *t, int dir)
{
	if (busy(t))
		return;
	long a = last_answer(t);
	if (a < 0) {
		set_message(t, "no answer to flip");
		return;
	}
	struct err e;
	err_clear(&e);
	int r = chat_switch_sibling(t->shown, (size_t)a, dir, wall_now(), &e);
	if (r == 1)
		set_message(t, dir < 0 ? "this is the first answer" : "this is the last answer");
	else if (e.msg[0])
		set_message(t, "%s", e.msg);
	else
		save_chat(t, t->shown);
	rebuild_view(t);
}

static void copy_answer(struct tui *t)
{
	long a = last_answer(t);
	const char *s = a >= 0 ? t->shown->conv.msgs[a].content : NULL;
	if (!s || !*s) {
		set_message(t, "no answer to copy");
		return;
	}
	if (ui_osc52(s, strlen(s)) == 0)
		set_message(t, "copied the last answer (%zu bytes) to the clipboard", strlen(s));
}

/* ---- $EDITOR ---- */

static void compose_in_editor(struct tui *t)
{
	if (busy(t))
		return;
	struct buf path = BUF_INIT;
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct err e;
	err_clear(&e);
	if (rt && *rt == '/')
		buf_printf(&path, "%s/cherry-XXXXXX.md", rt);
	else
		buf_printf(&path, "%s/cherry-XXXXXX.md", getenv("TMPDIR") && *getenv("TMPDIR") == '/' ?
			   getenv("TMPDIR") : "/tmp");
	int fd = path.data ? mkstemps(path.data, 3) : -1;
	if (fd < 0) {
		set_message(t, "cannot make a file for the editor: %s", strerror(errno));
		buf_free(&path);
		return;
	}
	size_t len;
	const char *s = edit_text(&t->ed, &len);
	ssize_t w = s ? write(fd, s, len) : 0;
	close(fd);
	if (w < 0 || (size_t)w != len) {
		set_message(t, "cannot write the file for the editor");
		unlink(path.data);
		buf_free(&path);
		return;
	}
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	ui_suspend(t);
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "exec $0 \"$1\"", ed, path.data, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	ui_resume(t);
	struct buf text = BUF_INIT;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		set_message(t, "the editor failed; the input is unchanged");
	} else if (fs_read_file(path.data, EDITOR_MAX, &text, &e) != 0) {
		set_message(t, "cannot read the editor's file: %s", e.msg);
	} else {
		while (text.len && text.data[text.len - 1] == '\n')
			text.data[--text.len] = '\0';
		edit_set_text(&t->ed, text.data ? text.data : "", text.len);
	}
	unlink(path.data);
	buf_wipe_free(&text);
	buf_free(&path);
	t->dirty |= DIRTY_ALL | DIRTY_LAYOUT;
}

/* ---- overlays: help, model picker, switcher ---- */

static void overlay_close(struct tui *t)
{
	struct overlay *o = &t->ov;
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
	t->dirty |= DIRTY_CHAT | DIRTY_LIST | DIRTY_STATUS;
}

static int contains_icase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!n)
		return 1;
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

static void overlay_filter(struct tui *t)
{
	struct overlay *o = &t->ov;
	const char *f = o->filter.data ? o->filter.data : "";
	o->nmatch = 0;
	for (size_t i = 0; i < o->nitems; i++) {
		const char *s = o->labels && o->labels[i] ? o->labels[i] : o->items[i];
		if (o->kind == OV_HELP || contains_icase(s, f) || contains_icase(o->items[i], f))
			o->match[o->nmatch++] = i;
	}
	if (o->sel >= o->nmatch)
		o->sel = o->nmatch ? o->nmatch - 1 : 0;
	t->dirty |= DIRTY_CHAT;
}

static int overlay_push(struct overlay *o, const char *item, const char *label, size_t *cap)
{
	if (o->nitems == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		char **ni = realloc(o->items, nc * sizeof *ni);
		if (!ni)
			return -1;
		o->items = ni;
		char **nl = realloc(o->labels, nc * sizeof *nl);
		if (!nl)
			return -1;
		o->labels = nl;
		*cap = nc;
	}
	o->items[o->nitems] = strdup(item);
	o->labels[o->nitems] = label ? strdup(label) : NULL;
	if (!o->items[o->nitems])
		return -1;
	o->nitems++;
	return 0;
}

static void overlay_ready(struct tui *t, enum overlay_kind kind)
{
	struct overlay *o = &t->ov;
	o->kind = kind;
	o->match = calloc(o->nitems + 1, sizeof *o->match);
	if (!o->match) {
		overlay_close(t);
		set_message(t, "out of memory");
		return;
	}
	overlay_filter(t);
}

static void open_help(struct tui *t)
{
	overlay_close(t);
	struct buf text = BUF_INIT;
	buf_append_str(&text, "Keys (config.json \"keys\" rebinds them by name):\n");
	input_help_text(&t->keys, &text);
	buf_append_str(&text, "\nSlash commands (type them in the input; //x sends /x):\n");
	slash_help_text(&text);
	buf_append_str(&text, "\nThe manual: man cherry.  The privacy policy: cherry privacy.\n");
	size_t cap = 0;
	char *p = text.data;
	while (p && *p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		overlay_push(&t->ov, p, NULL, &cap);
		if (!nl)
			break;
		p = nl + 1;
	}
	buf_free(&text);
	overlay_ready(t, OV_HELP);
}

static void open_model_picker(struct tui *t, const char *filter)
{
	overlay_close(t);
	char **known = NULL;
	size_t nk = 0;
	size_t cap = 0;
	if (app_known_models(t->app, &known, &nk) < 0)
		nk = 0;
	int have_current = 0;
	for (size_t i = 0; i < nk; i++) {
		int fav = 0;
		for (size_t f = 0; f < t->app->cfg.nfavorites; f++)
			fav |= !strcmp(known[i], t->app->cfg.favorites[f]);
		struct buf label = BUF_INIT;
		buf_printf(&label, "%s%s", known[i], fav ? "  \xe2\x98\x85" : "");
		overlay_push(&t->ov, known[i], label.data, &cap);
		buf_free(&label);
		have_current |= !strcmp(known[i], t->model);
	}
	if (t->model[0] && !have_current)
		overlay_push(&t->ov, t->model, NULL, &cap);
	app_models_free(known, nk);
	if (filter)
		buf_append_str(&t->ov.filter, filter);
	overlay_ready(t, OV_MODELS);
	for (size_t i = 0; i < t->ov.nmatch; i++)
		if (!strcmp(t->ov.items[t->ov.match[i]], t->model))
			t->ov.sel = i;
}

static void open_switcher(struct tui *t)
{
	overlay_close(t);
	refresh_list(t);
	size_t cap = 0;
	for (size_t i = 0; i < t->nlist; i++) {
		struct buf label = BUF_INIT;
		char when[32];
		hist_format_time(t->list[i].updated, when);
		when[10] = '\0';
		buf_printf(&label, "%s  %s  (%zu)", when,
			   t->list[i].title && *t->list[i].title ? t->list[i].title : "(untitled)",
			   t->list[i].nmsgs);
		overlay_push(&t->ov, t->list[i].id, label.data, &cap);
		buf_free(&label);
	}
	overlay_ready(t, OV_SWITCHER);
}

static void overlay_choose(struct tui *t)
{
	struct overlay *o = &t->ov;
	char *choice = NULL;
	if (o->nmatch)
		choice = strdup(o->items[o->match[o->sel]]);
	else if (o->kind == OV_MODELS && o->filter.len && strchr(o->filter.data, '/'))
		choice = strdup(o->filter.data);
	enum overlay_kind kind = o->kind;
	overlay_close(t);
	if (!choice)
		return;
	if (kind == OV_MODELS) {
		if (set_model(t, choice, 1) == 0)
			set_message(t, "model: %s", choice);
	} else if (kind == OV_SWITCHER) {
		open_conversation(t, choice);
	}
	free(choice);
}

static void overlay_key(struct tui *t, input_key k)
{
	struct overlay *o = &t->ov;
	enum input_action a = input_lookup(&t->keys, k);
	int page = t->chat_h > 2 ? t->chat_h - 2 : 1;
	if (k == 27 || (o->kind == OV_HELP && (a == ACT_HELP || k == 'q'))) {
		overlay_close(t);
		return;
	}
	if (k == (INPUT_FN | KEY_UP) || k == 16 /* C-p */) {
		if (o->kind == OV_HELP ? o->top > 0 : o->sel > 0)
			o->kind == OV_HELP ? o->top-- : o->sel--;
	} else if (k == (INPUT_FN | KEY_DOWN) || k == 14 /* C-n */) {
		if (o->kind == OV_HELP)
			o->top++;
		else if (o->sel + 1 < o->nmatch)
			o->sel++;
	} else if (a == ACT_SCROLL_UP) {
		size_t *p = o->kind == OV_HELP ? &o->top : &o->sel;
		*p = *p > (size_t)page ? *p - (size_t)page : 0;
	} else if (a == ACT_SCROLL_DOWN) {
		if (o->kind == OV_HELP)
			o->top += (size_t)page;
		else
			o->sel = o->sel + (size_t)page < o->nmatch ? o->sel + (size_t)page :
				 (o->nmatch ? o->nmatch - 1 : 0);
	} else if (o->kind == OV_HELP) {
		return;
	} else if (k == 13) {
		overlay_choose(t);
		return;
	} else if (k == 127 || k == 8 || k == (INPUT_FN | KEY_BACKSPACE)) {
		while (o->filter.len && ((unsigned char)o->filter.data[o->filter.len - 1] & 0xc0) == 0x80)
			o->filter.len--;
		if (o->filter.len)
			o->filter.len--;
		if (o->filter.data)
			o->filter.data[o->filter.len] = '\0';
		overlay_filter(t);
	} else if (k == 21 /* C-u */) {
		buf_reset(&o->filter);
		overlay_filter(t);
	} else if (!(k & (INPUT_FN | INPUT_META)) && k >= 0x20 && k != 0x7f) {
		char enc[4];
		size_t n = text_encode(k, enc);
		buf_append(&o->filter, enc, n);
		o->sel = 0;
		overlay_filter(t);
	}
	t->dirty |= DIRTY_CHAT;
}

/* ---- slash commands ---- */

static void export_conversation(struct tui *t, const char *arg)
{
	if (!t->shown->conv.n) {
		set_message(t, "nothing to export yet");
		return;
	}
	struct buf md = BUF_INIT, path = BUF_INIT;
	struct err e;
	err_clear(&e);
	if (*arg)
		buf_append_str(&path, arg);
	else
		buf_printf(&path, "%s.md", t->shown->conv.id);
	if (chat_export_md(t->shown, &md) < 0 || !path.data) {
		set_message(t, "out of memory");
	} else if (fs_write_atomic(path.data, md.data, md.len, &e) < 0) {
		set_message(t, "%s", e.msg);
	} else {
		privacy_count("exports");
		set_message(t, "exported to %s", path.data);
	}
	buf_free(&md);
	buf_free(&path);
}

/* "{{date}}" in an assistant's system prompt becomes today's date. */
static void expand_date(const char *s, struct buf *out)
{
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	const char *p;
	while ((p = strstr(s, "{{date}}"))) {
		buf_append(out, s, (size_t)(p - s));
		buf_append_str(out, today);
		s = p + 8;
	}
	buf_append_str(out, s);
}

static void use_assistant(struct tui *t, const char *name)
{
	json_t *a = t->app->cfg.assistants ? json_object_get(t->app->cfg.assistants, name) : NULL;
	if (!json_is_object(a)) {
		set_message(t, "no assistant \"%s\" in config.json \"assistants\"", name);
		return;
	}
	json_t *sys = json_object_get(a, "system"), *model = json_object_get(a, "model");
	json_t *temp = json_object_get(a, "temperature");
	struct err e;
	err_clear(&e);
	if (json_is_string(model) && set_model(t, json_string_value(model), 1) < 0)
		return;
	if (json_is_string(sys)) {
		struct buf s = BUF_INIT;
		expand_date(json_string_value(sys), &s);
		if (chat_set_system(t->shown, s.data, wall_now(), &e) < 0)
			set_message(t, "%s", e.msg);
		else
			save_chat(t, t->shown);
		buf_free(&s);
	}
	t->temperature = json_is_number(temp) ? temp : NULL;
	rebuild_view(t);
	set_message(t, "assistant: %s", name);
}

/* /open ARG: an id or unique id prefix, else the one title containing ARG (any case);
 * several matches open the switcher filtered by ARG. */
static void open_by_name(struct tui *t, const char *arg)
{
	char id[HIST_ID_MAX + 1];
	struct err e;
	err_clear(&e);
	if (histstore_resolve(&t->store, arg, id, &e) == 0) {
		open_conversation(t, id);
		return;
	}
	size_t found = 0, at = 0;
	for (size_t i = 0; i < t->nlist; i++)
		if (t->list[i].title && contains_icase(t->list[i].title, arg)) {
			found++;
			at = i;
		}
	if (found == 1) {
		snprintf(id, sizeof id, "%s", t->list[at].id);
		open_conversation(t, id);
	} else if (found > 1) {
		open_switcher(t);
		buf_append_str(&t->ov.filter, arg);
		overlay_filter(t);
	} else {
		set_message(t, "no conversation has the id or a title like \"%s\"", arg);
	}
}

/* Asks "Delete conversation ...? (y/n)" in the input line. */
static void ask_delete(struct tui *t)
{
	if (busy(t))
		return;
	if (!t->shown->on_disk) {
		set_message(t, "this conversation is not saved yet: nothing to delete");
		return;
	}
	t->focus = FOCUS_CONFIRM_DELETE;
	t->dirty |= DIRTY_LAYOUT;
}

static void do_action(struct tui *t, enum input_action a);

/* The slash commands that are key actions by another name. */
static const struct {
	enum slash_cmd cmd;
	enum input_action action;
} command_actions[] = {
	{CMD_NEW, ACT_NEW_CONVERSATION},
	{CMD_RETRY, ACT_RETRY},
	{CMD_DELETE, ACT_DELETE_CONVERSATION},
	{CMD_PREV, ACT_SIBLING_PREV},
	{CMD_NEXT, ACT_SIBLING_NEXT},
	{CMD_REASONING, ACT_TOGGLE_REASONING},
	{CMD_LIST, ACT_TOGGLE_LIST},
	{CMD_COPY, ACT_COPY},
	{CMD_EDITOR, ACT_EDITOR},
	{CMD_HELP, ACT_HELP},
	{CMD_QUIT, ACT_QUIT},
};

static void run_command(struct tui *t, const char *line)
{
	struct slash_parsed sp;
	memset(&sp, 0, sizeof sp);
	struct err e;
	err_clear(&e);
	if (slash_parse(line, &sp, &e) < 0) {
		set_message(t, "%s", e.msg);
		buf_free(&sp.argbuf);
		return;
	}
	const char *arg = sp.arg ? sp.arg : "";
	for (size_t i = 0; i < sizeof command_actions / sizeof *command_actions; i++)
		if (command_actions[i].cmd == sp.cmd) {
			/* "/retry" leaves the input first, as the key would find it empty */
			edit_apply(&t->ed, EDIT_CLEAR, 0);
			do_action(t, command_actions[i].action);
			buf_free(&sp.argbuf);
			t->dirty |= DIRTY_ALL | DIRTY_LAYOUT;
			return;
		}
	int clear = 1;
	switch (sp.cmd) {
	case CMD_NONE:
		send_prompt(t, arg, strlen(arg));
		clear = 0;
		break;
	case CMD_MODEL:
		if (*arg) {
			if (set_model(t, arg, 1) == 0)
				set_message(t, "model: %s", t->model);
			else
				clear = 0;
		} else {
			open_model_picker(t, NULL);
		}
		break;
	case CMD_SYSTEM:
		if (chat_set_system(t->shown, *arg ? arg : NULL, wall_now(), &e) < 0)
			set_message(t, "%s", e.msg);
		else
			set_message(t, *arg ? "system prompt set" : "system prompt cleared");
		save_chat(t, t->shown);
		rebuild_view(t);
		break;
	case CMD_ASSISTANT:
		use_assistant(t, arg);
		break;
	case CMD_RENAME:
		if (chat_rename(t->shown, arg, wall_now(), &e) < 0)
			set_message(t, "%s", e.msg);
		else
			set_message(t, "renamed");
		save_chat(t, t->shown);
		list_touch(t, t->shown);
		break;
	case CMD_EXPORT:
		export_conversation(t, arg);
		break;
	case CMD_OPEN:
		if (*arg)
			open_by_name(t, arg);
		else
			open_switcher(t);
		break;
	default:
		break;
	}
	if (clear)
		edit_apply(&t->ed, EDIT_CLEAR, 0);
	buf_free(&sp.argbuf);
	t->dirty |= DIRTY_ALL | DIRTY_LAYOUT;
}

static void complete(struct tui *t)
{
	size_t len;
	const char *s = edit_text(&t->ed, &len);
	if (!s || s[0] != '/')
		return;
	char **known = NULL;
	size_t nk = 0;
	if (app_known_models(t->app, &known, &nk) < 0)
		nk = 0;
	struct buf out = BUF_INIT, list = BUF_INIT;
	int n = slash_complete(s, (const char *const *)known, nk, &out, &list, 12);
	if (n >= 1 && out.data && strcmp(out.data, s))
		edit_set_text(&t->ed, out.data, out.len);
	if (n > 1)
		set_message(t, "%s", list.data ? list.data : "");
	else if (n == 0)
		set_message(t, "no completion");
	app_models_free(known, nk);
	buf_free(&out);
	buf_free(&list);
	t->dirty |= DIRTY_INPUT | DIRTY_LAYOUT;
}

/* ---- keys ---- */

static void scroll_by(struct tui *t, long delta)
{
	size_t total = view_lines(t->view);
	size_t h = t->chat_h > 0 ? (size_t)t->chat_h : 1;
	size_t bottom = total > h ? total - h : 0;
	if (t->follow)
		t->top_line = bottom;
	long top = (long)t->top_line + delta;
	if (top < 0)
		top = 0;
	if ((size_t)top >= bottom) {
		top = (long)bottom;
		t->follow = 1;
		t->more_below = 0;
	} else {
		t->follow = 0;
	}
	t->top_line = (size_t)top;
	t->dirty |= DIRTY_CHAT;
}

static void focus_list_key(struct tui *t, input_key k, enum input_action a)
{
	if (k == 27 || a == ACT_FOCUS_LIST) {
		t->focus = FOCUS_INPUT;
	} else if (k == (INPUT_FN | KEY_UP) || k == 16) {
		if (t->list_sel > 0)
			t->list_sel--;
	} else if (k == (INPUT_FN | KEY_DOWN) || k == 14) {
		if (t->list_sel + 1 < t->nlist)
			t->list_sel++;
	} else if (k == 13 && t->list_sel < t->nlist) {
		char id[HIST_ID_MAX + 1];
		snprintf(id, sizeof id, "%s", t->list[t->list_sel].id);
		t->focus = FOCUS_INPUT;
		open_conversation(t, id);
	} else if (a == ACT_DELETE_CONVERSATION || k == (INPUT_FN | KEY_DC)) {
		if (t->list_sel < t->nlist) {
			char id[HIST_ID_MAX + 1];
			snprintf(id, sizeof id, "%s", t->list[t->list_sel].id);
			open_conversation(t, id);
			ask_delete(t);
		}
	} else if (a == ACT_QUIT) {
		t->quit = 1;
	}
	t->dirty |= DIRTY_LIST | DIRTY_STATUS;
}

static void confirm_delete_key(struct tui *t, input_key k)
{
	t->focus = FOCUS_INPUT;
	t->dirty |= DIRTY_ALL;
	if (k != 'y' && k != 'Y') {
		set_message(t, "not deleted");
		return;
	}
	if (busy(t))
		return;
	struct err e;
	err_clear(&e);
	struct chat *c = t->shown;
	if (c->on_disk) {
		if (chat_delete(c, &e) < 0) {
			set_message(t, "%s", e.msg);
			return;
		}
	} else {
		chat_close(c);
	}
	free(c);
	t->shown = NULL;
	struct chat *n = chat_alloc();
	err_clear(&e);
	if (!n || chat_new(n, &t->store, wall_now(), &e) < 0) {
		/* Without a conversation to show there is nothing safe to do but quit. */
		free(n);
		t->quit = 1;
		return;
	}
	t->shown = n;
	refresh_list(t);
	show_chat(t, n);
	set_message(t, "deleted");
}

static void favorite_step(struct tui *t, int dir)
{
	size_t n = t->app->cfg.nfavorites;
	if (!n) {
		set_message(t, "no favourites: list some in config.json \"favorites\"");
		return;
	}
	size_t i;
	if (t->fav_index < 0)
		i = dir > 0 ? 0 : n - 1;
	else
		i = ((size_t)t->fav_index + n + (size_t)(dir > 0 ? 1 : n - 1)) % n;
	if (set_model(t, t->app->cfg.favorites[i], 1) == 0)
		set_message(t, "model: %s", t->model);
}

static void edit_key(struct tui *t, enum edit_action a)
{
	edit_apply(&t->ed, a, 0);
	t->dirty |= DIRTY_INPUT | DIRTY_LAYOUT;
}

/* The actions that are plain editor operations, one to one. */
static const struct {
	enum input_action action;
	enum edit_action edit;
} edit_actions[] = {
	{ACT_NEWLINE, EDIT_NEWLINE},
	{ACT_LINE_START, EDIT_LINE_START},
	{ACT_LINE_END, EDIT_LINE_END},
	{ACT_BACK_CHAR, EDIT_BACK_CHAR},
	{ACT_FORWARD_CHAR, EDIT_FORWARD_CHAR},
	{ACT_BACK_WORD, EDIT_BACK_WORD},
	{ACT_FORWARD_WORD, EDIT_FORWARD_WORD},
	{ACT_KILL_LINE_END, EDIT_KILL_LINE_END},
	{ACT_KILL_LINE_START, EDIT_KILL_LINE_START},
	{ACT_KILL_WORD_BACK, EDIT_KILL_WORD_BACK},
	{ACT_KILL_WORD_FORWARD, EDIT_KILL_WORD_FORWARD},
	{ACT_YANK, EDIT_YANK},
	{ACT_DELETE_CHAR, EDIT_DELETE_CHAR},
	{ACT_BACKSPACE, EDIT_BACKSPACE},
	{ACT_HISTORY_OLDER, EDIT_HISTORY_OLDER},
	{ACT_HISTORY_NEWER, EDIT_HISTORY_NEWER},
	{ACT_TEXT_START, EDIT_TEXT_START},
	{ACT_TEXT_END, EDIT_TEXT_END},
};

static void handle_key(struct tui *t, input_key k)
{
	t->dirty |= DIRTY_INPUT | DIRTY_STATUS;
	if (k == UI_RESIZE) {
		t->dirty |= DIRTY_LAYOUT;
		return;
	}
	if (k == UI_PASTE_START) {
		t->in_paste = 1;
		return;
	}
	if (k == UI_PASTE_END) {
		t->in_paste = 0;
		return;
	}
	if (t->message[0] && t->message_until == 0) {
		t->message[0] = '\0';
		t->dirty |= DIRTY_STATUS;
	}
	if (t->in_paste) {
		/* A pasted newline never sends. */
		if (k == 13 || k == 10)
			edit_apply(&t->ed, EDIT_NEWLINE, 0);
		else if (!(k & (INPUT_FN | INPUT_META)) && (k >= 0x20 || k == 9) && k != 0x7f)
			edit_apply(&t->ed, EDIT_INSERT, k);
		t->dirty |= DIRTY_INPUT | DIRTY_LAYOUT;
		return;
	}
	if (k == UI_WHEEL_UP || k == UI_WHEEL_DOWN) {
		if (t->ov.kind == OV_NONE)
			scroll_by(t, k == UI_WHEEL_UP ? -3 : 3);
		return;
	}
	if (t->focus == FOCUS_CONFIRM_DELETE) {
		confirm_delete_key(t, k);
		return;
	}
	enum input_action a = input_lookup(&t->keys, k);
	/* Esc stops a stream even from an overlay: it must act at once. */
	if (a == ACT_STOP && t->st) {
		stop_stream(t, STOP_USER);
		return;
	}
	if (t->ov.kind != OV_NONE) {
		overlay_key(t, k);
		return;
	}
	if (t->focus == FOCUS_LIST) {
		focus_list_key(t, k, a);
		return;
	}
	if (a == ACT_NONE) {
		if (!(k & (INPUT_FN | INPUT_META)) && k >= 0x20 && k != 0x7f)
			edit_apply(&t->ed, EDIT_INSERT, k);
		t->dirty |= DIRTY_INPUT | DIRTY_LAYOUT;
		return;
	}
	do_action(t, a);
}

/* What an action does from the input; keys and slash commands both end up here. */
static void do_action(struct tui *t, enum input_action a)
{
	for (size_t i = 0; i < sizeof edit_actions / sizeof *edit_actions; i++)
		if (edit_actions[i].action == a) {
			edit_key(t, edit_actions[i].edit);
			return;
		}
	size_t len;
	const char *s;
	switch (a) {
	case ACT_SEND:
		s = edit_text(&t->ed, &len);
		if (!s || !len)
			break;
		if (s[0] == '/') {
			char *copy = strdup(s);
			if (copy)
				run_command(t, copy);
			free(copy);
		} else {
			char *copy = strndup(s, len);
			if (copy)
				send_prompt(t, copy, len);
			free(copy);
		}
		break;
	case ACT_STOP:
		if (t->message[0]) {
			t->message[0] = '\0';
			t->dirty |= DIRTY_STATUS;
		}
		break;
	case ACT_MODEL_PICKER:
		open_model_picker(t, NULL);
		break;
	case ACT_FAVORITE_NEXT:
		favorite_step(t, 1);
		break;
	case ACT_FAVORITE_PREV:
		favorite_step(t, -1);
		break;
	case ACT_NEW_CONVERSATION:
		new_conversation(t);
		break;
	case ACT_SWITCHER:
		open_switcher(t);
		break;
	case ACT_TOGGLE_LIST:
		t->show_list = !t->show_list;
		t->dirty |= DIRTY_LAYOUT;
		break;
	case ACT_FOCUS_LIST:
		if (t->list_visible && t->nlist) {
			t->focus = FOCUS_LIST;
			t->dirty |= DIRTY_LIST;
		} else {
			set_message(t, "the list is hidden: F3 shows it, C-t switches");
		}
		break;
	case ACT_RETRY:
		retry(t);
		break;
	case ACT_SIBLING_PREV:
		switch_sibling(t, -1);
		break;
	case ACT_SIBLING_NEXT:
		switch_sibling(t, 1);
		break;
	case ACT_TOGGLE_REASONING:
		view_set_fold(t->view, !view_folded(t->view));
		t->dirty |= DIRTY_CHAT;
		break;
	case ACT_RENAME: {
		struct buf cmd = BUF_INIT;
		buf_printf(&cmd, "/rename %s", t->shown->conv.title ? t->shown->conv.title : "");
		if (cmd.data)
			edit_set_text(&t->ed, cmd.data, cmd.len);
		buf_free(&cmd);
		break;
	}
	case ACT_DELETE_CONVERSATION:
		ask_delete(t);
		break;
	case ACT_COPY:
		copy_answer(t);
		break;
	case ACT_EDITOR:
		compose_in_editor(t);
		break;
	case ACT_COMPLETE:
		complete(t);
		break;
	case ACT_SCROLL_UP:
		scroll_by(t, -(long)(t->chat_h > 1 ? t->chat_h - 1 : 1));
		break;
	case ACT_SCROLL_DOWN:
		scroll_by(t, t->chat_h > 1 ? t->chat_h - 1 : 1);
		break;
	case ACT_SCROLL_TOP:
		t->follow = 0;
		t->top_line = 0;
		t->dirty |= DIRTY_CHAT;
		break;
	case ACT_SCROLL_BOTTOM:
		t->follow = 1;
		t->more_below = 0;
		t->dirty |= DIRTY_CHAT;
		break;
	case ACT_HELP:
		open_help(t);
		break;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		t->force_layout = 1;
		t->dirty |= DIRTY_ALL | DIRTY_LAYOUT;
		break;
	case ACT_QUIT:
		t->quit = 1;
		break;
	case ACT_DELETE_CHAR_OR_QUIT:
		if (edit_is_empty(&t->ed))
			t->quit = 1;
		else
			edit_key(t, EDIT_DELETE_CHAR);
		break;
	case ACT_UP:
		if (edit_apply(&t->ed, EDIT_UP, 0) == EDIT_AT_FIRST_LINE)
			edit_apply(&t->ed, EDIT_HISTORY_OLDER, 0);
		t->dirty |= DIRTY_INPUT | DIRTY_LAYOUT;
		break;
	case ACT_DOWN:
		if (edit_apply(&t->ed, EDIT_DOWN, 0) == EDIT_AT_LAST_LINE)
			edit_apply(&t->ed, EDIT_HISTORY_NEWER, 0);
		t->dirty |= DIRTY_INPUT | DIRTY_LAYOUT;
		break;
	default:
		break;
	}
}

/* ---- the in-screen passphrase prompt (passphrase_set_prompt) ---- */

static int prompt_passphrase(void *ctx, const char *prompt, struct secret **out, struct err *e)
{
	struct tui *t = ctx;
	char *pw = sodium_malloc(PASSPHRASE_MAX + 4);
	if (!pw) {
		err_set(e, EXIT_VAULT, "out of memory");
		return -1;
	}
	size_t len = 0;
	int done = 0, cancelled = 0;
	t->focus = FOCUS_PASSPHRASE;
	t->pw_prompt = prompt;
	buf_reset(&t->pw_masked);
	t->dirty |= DIRTY_ALL | DIRTY_LAYOUT;
	while (!done) {
		ui_draw(t);
		struct pollfd p[2] = {{STDIN_FILENO, POLLIN, 0}, {loop_signal_fd(), POLLIN, 0}};
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			cancelled = done = 1;
			break;
		}
		int sig;
		while ((sig = loop_signal_next()))
			if (sig == SIGWINCH)
				t->dirty |= DIRTY_LAYOUT;
			else
				cancelled = done = 1;
		input_key k;
		while (!done && ui_read_key(t, &k) == 0) {
			if (k == 13) {
				done = 1;
			} else if (k == 27 || k == 3 || k == 7) {
				cancelled = done = 1;
			} else if (k == 127 || k == 8 || k == (INPUT_FN | KEY_BACKSPACE)) {
				while (len && ((unsigned char)pw[len - 1] & 0xc0) == 0x80)
					len--;
				if (len)
					len--;
				if (t->pw_masked.len)
					t->pw_masked.data[--t->pw_masked.len] = '\0';
			} else if (k == 21) {
				len = 0;
				buf_reset(&t->pw_masked);
			} else if (k == UI_RESIZE) {
				t->dirty |= DIRTY_LAYOUT;
			} else if (!(k & (INPUT_FN | INPUT_META)) && k >= 0x20 && k != 0x7f) {
				char enc[4];
				size_t n = text_encode(k, enc);
				if (len + n <= PASSPHRASE_MAX) {
					memcpy(pw + len, enc, n);
					len += n;
					buf_append_char(&t->pw_masked, '*');
				}
			}
			t->dirty |= DIRTY_INPUT;
		}
	}
	t->focus = FOCUS_INPUT;
	t->pw_prompt = NULL;
	buf_reset(&t->pw_masked);
	t->dirty |= DIRTY_ALL | DIRTY_LAYOUT;
	int r = -1;
	if (cancelled) {
		err_set(e, EXIT_VAULT, "the vault stays locked (unlock cancelled); "
			"send again to retry");
	} else if (!(*out = secret_new(pw, len))) {
		err_set(e, EXIT_VAULT, "out of memory");
	} else {
		r = 0;
	}
	sodium_free(pw);
	return r;
}

/* ---- start-up and the loop ---- */

/* The proxy libcurl will use, as host[:port] only (never the credentials). */
static void find_proxy(struct tui *t)
{
	static const char *vars[] = {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", NULL};
	for (const char **v = vars; *v; v++) {
		const char *p = getenv(*v);
		if (!p || !*p)
			continue;
		const char *h = strstr(p, "://");
		h = h ? h + 3 : p;
		const char *at = strchr(h, '@');
		if (at)
			h = at + 1;
		size_t n = strcspn(h, "/");
		if (n >= sizeof t->proxy)
			n = sizeof t->proxy - 1;
		memcpy(t->proxy, h, n);
		t->proxy[n] = '\0';
		return;
	}
}

static void config_warning(void *ctx, const char *line)
{
	struct buf *w = ctx;
	buf_printf(w, "%s%s", w->len ? "\n" : "", line);
}

struct tui_opts {
	const char *model;
	const char *assistant;
	const char *conversation;
};

/* 0, or the exit status of a usage error (already reported). */
static int parse_args(struct app *app, int argc, char **argv, struct tui_opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;
		if (!strcmp(a, "-m") || !strcmp(a, "--model"))
			dst = &o->model;
		else if (!strcmp(a, "-a") || !strcmp(a, "--assistant"))
			dst = &o->assistant;
		else if (!strcmp(a, "-c") || !strcmp(a, "--conversation"))
			dst = &o->conversation;
		else if (!strcmp(a, "--passphrase-fd")) {
			if (i + 1 >= argc)
				return app_usage("--passphrase-fd needs a file descriptor number");
			char *end;
			long fd = strtol(argv[++i], &end, 10);
			if (*end || fd < 0 || fd > 1 << 20)
				return app_usage("--passphrase-fd needs a file descriptor number");
			app->kopts.passphrase_fd = (int)fd;
			continue;
		} else
			return app_usage("unknown option %s (see cherry --help)", a);
		if (i + 1 >= argc)
			return app_usage("%s needs a value", a);
		*dst = argv[++i];
	}
	return 0;
}

/* The terminal hung up (closed window, killed tmux): reads would fail forever. */
static int terminal_gone(void)
{
	struct pollfd p = {STDIN_FILENO, POLLIN, 0};
	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
		return 1;
	return 0;
}

static int wait_ms(struct tui *t, double now)
{
	long ms = http_timeout_ms(t->eng);
	if (ms < 0 || ms > IDLE_WAIT_MS)
		ms = IDLE_WAIT_MS;
	if (t->dirty) {
		long left = (long)((t->last_draw + FRAME_MS / 1000.0 - now) * 1000.0) + 1;
		if (left < ms)
			ms = left < 0 ? 0 : left;
	}
	if (t->st && ms > STREAM_TICK_MS)
		ms = STREAM_TICK_MS;
	if (t->message[0] && t->message_until > 0) {
		long left = (long)((t->message_until - now) * 1000.0) + 1;
		if (left < ms)
			ms = left < 0 ? 0 : left;
	}
	return (int)ms;
}

/* Timers: expiring messages, stream saves, tokens/s and the stalled state. */
static void on_timers(struct tui *t, double now)
{
	if (t->message[0] && t->message_until > 0 && now >= t->message_until) {
		t->message[0] = '\0';
		t->dirty |= DIRTY_STATUS;
	}
	struct stream *st = t->st;
	if (!st)
		return;
	struct err e;
	err_clear(&e);
	if (chat_tick(st->chat, wall_now(), &e) < 0 && e.msg[0])
		set_message(t, "%s", e.msg);
	if (st->first >= 0 && now > st->first) {
		double r = (double)st->deltas / (now - st->first);
		if ((long)r != (long)t->rate) {
			t->rate = r;
			t->dirty |= DIRTY_STATUS;
		}
	}
	double since = now - (st->first >= 0 ? st->last_delta : st->started);
	if (since > STALL_SHOWN_AFTER && t->state != ST_STALLED &&
	    (t->state == ST_STREAMING || t->state == ST_THINKING)) {
		t->state = ST_STALLED;
		t->dirty |= DIRTY_STATUS;
	} else if (since <= STALL_SHOWN_AFTER && t->state == ST_STALLED) {
		t->state = ST_STREAMING;
		t->dirty |= DIRTY_STATUS;
	}
}

static void run_loop(struct tui *t)
{
	while (!t->quit) {
		double now = http_now();
		if (t->dirty && (now - t->last_draw) * 1000.0 >= FRAME_MS) {
			ui_draw(t);
			t->last_draw = now;
		}
		struct curl_waitfd fds[2] = {
			{STDIN_FILENO, CURL_WAIT_POLLIN, 0},
			{loop_signal_fd(), CURL_WAIT_POLLIN, 0},
		};
		http_wait(t->eng, fds, 2, wait_ms(t, now));
		if (terminal_gone()) {
			/* No terminal means no user: end as if signalled, saving the answer. */
			t->quit = t->quit_signal = 1;
			break;
		}
		int sig;
		while ((sig = loop_signal_next())) {
			if (sig == SIGWINCH)
				t->dirty |= DIRTY_LAYOUT;
			else
				t->quit = t->quit_signal = 1; /* TERM, HUP, INT: end and save */
		}
		input_key k;
		int keyed = 0;
		for (int n = 0; n < 4096 && !t->quit && ui_read_key(t, &k) == 0; n++, keyed = 1)
			handle_key(t, k);
		if (t->dirty & DIRTY_LAYOUT)
			ui_layout(t);
		http_perform(t->eng);
		if (t->st && t->st->ended)
			finish_stream(t);
		on_timers(t, http_now());
		/* A key's echo does not wait for the frame limit: typing stays within a frame. */
		if (keyed && t->dirty && !t->quit) {
			ui_draw(t);
			t->last_draw = http_now();
		}
	}
	if (t->st)
		stop_stream(t, t->quit_signal ? STOP_SIGNAL : STOP_USER);
	if (t->st) {
		/* A cancelled transfer reports at the next perform. */
		http_perform(t->eng);
		if (t->st && t->st->ended)
			finish_stream(t);
	}
}

int tui_main(struct app *app, int argc, char **argv)
{
	struct tui_opts o = {0};
	int bad = parse_args(app, argc, argv, &o);
	if (bad)
		return bad;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return app_usage("the full-screen client needs a terminal; use cherry ask for scripts");
	/* ncursesw draws UTF-8 only under a UTF-8 locale; LANG=C would turn every answer
	 * into question marks. */
	const char *codeset = nl_langinfo(CODESET);
	if (!codeset || strcmp(codeset, "UTF-8"))
		setlocale(LC_CTYPE, "C.UTF-8");

	struct tui t;
	memset(&t, 0, sizeof t);
	t.app = app;
	t.fav_index = -1;
	t.ttft = -1;
	t.usage = (struct wire_usage){-1, -1, -1, -1};
	t.follow = 1;
	t.show_list = 1;
	json_t *sidebar = app->cfg.ui ? json_object_get(app->cfg.ui, "sidebar") : NULL;
	if (json_is_false(sidebar))
		t.show_list = 0;
	json_t *reasoning = app->cfg.ui ? json_object_get(app->cfg.ui, "show_reasoning") : NULL;

	struct err e;
	err_clear(&e);
	static const int sigs[] = {SIGWINCH, 0};
	if (loop_signals_init(sigs, &e) < 0)
		return app_fail(&e);
	struct buf warnings = BUF_INIT;
	input_map_defaults(&t.keys);
	input_map_apply(&t.keys, app->cfg.keys, config_warning, &warnings);
	edit_init(&t.ed, PROMPT_RING);
	if (state_prompts_load(&t.ed, &e) < 0)
		config_warning(&warnings, e.msg);
	err_clear(&e);
	struct http_opts hopts = app_http_opts(app);
	t.eng = http_engine_new(&hopts, &e);
	int status = EXIT_OK;
	if (!t.eng) {
		status = app_fail(&e);
		goto out;
	}
	http_set_slice(t.eng, STREAM_SLICE);
	if (histstore_open(&t.store, NULL, NULL, warn_to_message, &t, &e) < 0) {
		status = app_fail(&e);
		goto out;
	}
	t.store_ok = 1;
	t.view = view_new(80);
	t.shown = chat_alloc();
	if (!t.view || !t.shown) {
		err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto out;
	}
	if (json_is_false(reasoning))
		view_set_fold(t.view, 1);
	find_proxy(&t);

	/* -c ID, else the conversation shown at the last quit, else a new one. */
	char last[HIST_ID_MAX + 1];
	const char *open_id = o.conversation;
	if (!open_id && state_last_get(last) == 0)
		open_id = last;
	int opened = -1;
	struct err oe;
	err_clear(&oe);
	if (open_id)
		opened = chat_open(t.shown, &t.store, open_id, &oe);
	if (opened < 0 && o.conversation) {
		status = app_fail(&oe);
		goto out;
	}
	if (opened < 0 && chat_new(t.shown, &t.store, wall_now(), &e) < 0) {
		status = app_fail(&e);
		goto out;
	}
	if (ui_start(&t, &e) < 0) {
		status = app_fail(&e);
		goto out;
	}
	passphrase_set_prompt(prompt_passphrase, &t);
	show_chat(&t, t.shown);
	pick_initial_model(&t, o.model); /* -m wins over the reopened conversation's model */
	if (o.assistant)
		use_assistant(&t, o.assistant);
	if (opened == 1)
		set_message(&t, "%s", oe.msg);
	if (privacy_notice_due()) {
		char note[160];
		snprintf(note, sizeof note, "The privacy policy changed (version %d): read it with "
			 "cherry privacy", PRIVACY_VERSION);
		add_info(&t, "cherry", note, 0);
		privacy_notice_seen();
	}
	if (warnings.len)
		add_info(&t, "config.json", warnings.data, 0);
	/* The first frame goes out before the list is read: with 10,000 conversations
	 * that takes as long as everything else at start-up. */
	t.dirty |= DIRTY_ALL | DIRTY_LAYOUT;
	ui_draw(&t);
	t.last_draw = http_now();
	refresh_list(&t);
	for (size_t i = 0; i < t.nlist; i++)
		if (!strcmp(t.list[i].id, t.shown->conv.id))
			t.list_sel = i;
	run_loop(&t);
	if (t.shown && t.shown->on_disk)
		state_last_set(t.shown->conv.id);
	err_clear(&e);
	state_prompts_save(&t.ed, &e);
	passphrase_set_prompt(NULL, NULL);
	ui_stop(&t);
out:
	overlay_close(&t);
	if (t.st) {
		release_chat(&t, t.st->chat);
		free_stream(t.st);
	}
	if (t.shown) {
		chat_close(t.shown);
		free(t.shown);
	}
	view_free(t.view);
	histstore_entries_free(t.list, t.nlist);
	if (t.store_ok)
		histstore_close(&t.store);
	http_engine_free(t.eng);
	edit_free(&t.ed);
	buf_free(&warnings);
	buf_free(&t.pw_masked);
	return status;
}
