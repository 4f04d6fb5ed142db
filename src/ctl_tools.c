/* ctl_tools: the client's tool loop in the controller (ctl_tools.h): the servers and
 * allowed tools of each conversation, /tools, and a turn's calls asked (MODE_TOOLS),
 * run by the shell, answered, and the next answer asked for. Pure, as the rest of ctl*. */
#include "ctl_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/ctl_tools.h"

int ctl_tools_init(struct ctl *c)
{
	c->tools = calloc(1, sizeof *c->tools);
	return c->tools ? 0 : -1;
}

static void conv_free(struct ctl_tools_conv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->servers[i]);
	free(v->servers);
	tools_policy_free(&v->pol);
}

void ctl_tools_free(struct ctl *c)
{
	struct ctl_tools *t = c->tools;
	if (!t)
		return;
	for (size_t i = 0; i < t->nconvs; i++)
		conv_free(&t->convs[i]);
	free(t->convs);
	free(t->times);
	free(t->open);
	buf_wipe_free(&t->run_args);
	free(t);
	c->tools = NULL;
}

/* The settings of conversation id; made when make is set (NULL: none, or OOM). */
static struct ctl_tools_conv *conv_of(const struct ctl *c, const char *id, int make)
{
	struct ctl_tools *t = c->tools;
	for (size_t i = 0; i < t->nconvs; i++)
		if (!strcmp(t->convs[i].id, id))
			return &t->convs[i];
	if (!make)
		return NULL;
	struct ctl_tools_conv *v = realloc(t->convs, (t->nconvs + 1) * sizeof *v);
	if (!v)
		return NULL;
	t->convs = v;
	v = &t->convs[t->nconvs++];
	memset(v, 0, sizeof *v);
	snprintf(v->id, sizeof v->id, "%s", id);
	return v;
}

static int conv_has(const struct ctl_tools_conv *v, const char *server)
{
	for (size_t i = 0; v && i < v->n; i++)
		if (!strcmp(v->servers[i], server))
			return 1;
	return 0;
}

int ctl_tools_enabled(const struct ctl *c, const char *server)
{
	return conv_has(conv_of(c, c->shown ? c->shown->conv.id : "", 0), server);
}

int ctl_tools_chat_enables(const struct ctl *c, const struct chat *ch, const char *server)
{
	return conv_has(conv_of(c, ch->conv.id, 0), server);
}

/* Enables (on) or disables server for conversation id. 0 or -1 (OOM). */
static int conv_set(struct ctl *c, const char *id, const char *server, int on)
{
	struct ctl_tools_conv *v = conv_of(c, id, 1);
	if (!v)
		return -1;
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->servers[i], server)) {
			if (!on) {
				free(v->servers[i]);
				v->servers[i] = v->servers[--v->n];
			}
			return 0;
		}
	if (!on)
		return 0;
	char **s = realloc(v->servers, (v->n + 1) * sizeof *s);
	if (!s)
		return -1;
	v->servers = s;
	if (!(s[v->n] = strdup(server)))
		return -1;
	v->n++;
	return 0;
}

/* Conversation id's servers kept for the next time it is opened. */
static void keep_servers(struct ctl *c, const char *id)
{
	const struct ctl_tools_conv *v = conv_of(c, id, 0);
	struct err e;
	err_clear(&e);
	if (c->tools->save && c->tools->save(id, v ? v->servers : NULL, v ? v->n : 0, &e) < 0)
		ctl_message(c, "%s (the conversation's MCP servers are not kept for next time)",
			    e.msg[0] ? e.msg : "out of memory");
}

void ctl_tools_shown(struct ctl *c, const struct chat *ch)
{
	struct ctl_tools_conv *v = conv_of(c, ch->conv.id, 0);
	if (!v && c->tools->load && (v = conv_of(c, ch->conv.id, 1))) {
		char **names = NULL;
		size_t n = 0;
		struct err e;
		err_clear(&e);
		if (c->tools->load(ch->conv.id, &names, &n, &e) < 0) {
			/* in the chat too: a line after this one (a new conversation's) may
			 * take the status line */
			ctl_info(c, "cherry", e.msg[0] ? e.msg : "out of memory", 1);
			ctl_message(c, "%s", e.msg[0] ? e.msg : "out of memory");
		}
		/* a server no longer in config.json is left out */
		for (size_t i = 0; i < n; i++)
			if (config_mcp_find(c->cfg, names[i]) &&
			    conv_set(c, ch->conv.id, names[i], 1) < 0)
				ctl_message(c, "out of memory");
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		v = conv_of(c, ch->conv.id, 0);
	}
	if (v && v->n) {
		c->react |= CTL_TOOLS_START; /* those not running yet start, in the background */
		c->dirty |= CTL_DIRTY_STATUS;
	}
}

/* The tool a call names among those ch offers, NULL none. */
static const struct tools_entry *find_offered(const struct ctl *c, const struct chat *ch,
					       const char *wire)
{
	const struct tools_entry *e = c->tools->cat ? tools_find(c->tools->cat, wire) : NULL;
	return e && conv_has(conv_of(c, ch->conv.id, 0), e->server_name) ? e : NULL;
}

int ctl_tools_offered(const struct ctl *c, const struct chat *ch, struct wire_tool **v,
		      size_t *n)
{
	const struct tools_catalog *cat = c->tools->cat;
	const struct ctl_tools_conv *cv = conv_of(c, ch->conv.id, 0);
	*v = NULL;
	*n = 0;
	if (!cat || !cv || !cv->n || !cat->n)
		return 0;
	if (!(*v = calloc(cat->n, sizeof **v)))
		return -1;
	for (size_t i = 0; i < cat->n; i++)
		if (conv_has(cv, cat->v[i].server_name))
			(*v)[(*n)++] = cat->wire[i];
	if (!*n) {
		free(*v);
		*v = NULL;
	}
	return 0;
}

size_t ctl_tools_count(const struct ctl *c)
{
	struct wire_tool *v;
	size_t n;
	if (!c->shown || ctl_tools_offered(c, c->shown, &v, &n) < 0)
		return 0;
	free(v);
	return n;
}

void ctl_tools_status(const struct ctl *c, struct buf *out)
{
	size_t n = ctl_tools_count(c);
	if (n)
		buf_printf(out, " \xc2\xb7 %zu tool%s", n, n == 1 ? "" : "s");
}

int ctl_tools_catalog(struct ctl *c, const struct tools_catalog *cat)
{
	c->react = 0;
	c->tools->cat = cat;
	c->dirty |= CTL_DIRTY_STATUS;
	return 0;
}

int ctl_tools_failed(struct ctl *c, const char *server, const char *line)
{
	c->react = 0;
	for (size_t i = 0; i < c->tools->nconvs; i++)
		conv_set(c, c->tools->convs[i].id, server, 0);
	ctl_info(c, "cherry", line, 1);
	ctl_message(c, "%s", line);
	return 0;
}

int ctl_stream_calls(struct ctl *c, unsigned long id, struct wire_stream *ws, double wall,
		     struct err *e)
{
	const struct ctl_stream *st = ctl_stream_by_id(c, id);
	c->react = 0;
	if (!st || !ws || !ws->ncalls)
		return 0;
	if (wire_calls_finish(ws) < 0) {
		err_set(e, EXIT_NETWORK, "%s", ws->error.data ? ws->error.data : "a broken tool call");
		return -1;
	}
	if (chat_add_calls(st->chat, st->answer, ws->calls, ws->ncalls,
			   ws->items.len ? ws->items.data : NULL, wall, e) < 0)
		return -1;
	return 1;
}

int ctl_tools_holds(const struct ctl *c, const struct chat *ch)
{
	return c->tools->active && c->tools->chat == ch;
}

/* ---- /tools ---- */

static void list_servers(struct ctl *c)
{
	const struct config *cfg = c->cfg;
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < cfg->nmcp_servers; i++) {
		const char *name = cfg->mcp_servers[i].name;
		buf_printf(&b, "%s %s\n", ctl_tools_enabled(c, name) ? "[on] " : "[off]", name);
	}
	buf_printf(&b, "\n/tools NAME on|off enables or disables one for this conversation.");
	if (b.data)
		ctl_info(c, "MCP servers", b.data, 0);
	buf_free(&b);
}

int ctl_tools_command(struct ctl *c, const char *arg)
{
	const struct config *cfg = c->cfg;
	if (!cfg->nmcp_servers) {
		ctl_message(c, "no MCP servers: config.json \"mcp_servers\" defines them");
		return 0;
	}
	char name[128], state[8] = "";
	if (!*arg || sscanf(arg, "%127s %7s", name, state) < 1) {
		list_servers(c);
		return 0;
	}
	if (!config_mcp_find(cfg, name)) {
		ctl_message(c, "no MCP server named \"%s\" (/tools lists them)", name);
		return 1;
	}
	int on = !*state ? !ctl_tools_enabled(c, name) : !strcmp(state, "on") ? 1
						  : !strcmp(state, "off") ? 0 : -1;
	if (on < 0) {
		ctl_message(c, "/tools %s on, or /tools %s off", name, name);
		return 1;
	}
	if (c->tools->active) {
		ctl_message(c, "a tool turn is under way: change the servers after it");
		return 1;
	}
	if (conv_set(c, c->shown->conv.id, name, on) < 0) {
		ctl_message(c, "out of memory");
		return 0;
	}
	ctl_message(c, "MCP server %s %s for this conversation", name, on ? "on" : "off");
	keep_servers(c, c->shown->conv.id);
	if (on)
		c->react |= CTL_TOOLS_START;
	c->dirty |= CTL_DIRTY_STATUS;
	return 0;
}

void ctl_tools_assistant(struct ctl *c, json_t *assistant)
{
	json_t *mcp = json_object_get(assistant, "mcp");
	if (!json_is_array(mcp))
		return;
	struct ctl_tools_conv *v = conv_of(c, c->shown->conv.id, 1);
	while (v && v->n)
		conv_set(c, v->id, v->servers[0], 0);
	size_t i;
	json_t *s;
	json_array_foreach(mcp, i, s)
		if (json_is_string(s) && config_mcp_find(c->cfg, json_string_value(s)))
			conv_set(c, c->shown->conv.id, json_string_value(s), 1);
	keep_servers(c, c->shown->conv.id);
	c->react |= CTL_TOOLS_START;
	c->dirty |= CTL_DIRTY_STATUS;
}

/* ---- the turn ---- */

static const struct hist_call *cur_call(const struct ctl *c)
{
	const struct ctl_tools *t = c->tools;
	const struct hist_msg *m = &t->chat->conv.msgs[t->answer];
	return t->k < m->ncalls ? &m->calls[t->k] : NULL;
}

static void end_turn(struct ctl *c)
{
	struct ctl_tools *t = c->tools;
	struct chat *ch = t->chat;
	t->active = 0;
	t->running = 0;
	t->chat = NULL;
	if (c->mode == MODE_TOOLS) {
		ctl_overlay_close(c);
		c->mode = MODE_CHAT;
	}
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	if (ch && ch != c->shown && !ctl_stream_in(c, ch) && c->pending.chat != ch)
		c->world.conv_close(c->world.ctx, ch);
}

/* The result of the current call: saved under the last one, the view rebuilt. */
static void add_result(struct ctl *c, const char *text, int error, long long full, double secs)
{
	struct ctl_tools *t = c->tools;
	const struct hist_call *call = cur_call(c);
	char *id = strdup(call->id), *name = strdup(call->name);
	struct err e;
	err_clear(&e);
	size_t res;
	if (!id || !name ||
	    chat_add_result(t->chat, t->parent, id, name, text, error, full, c->wall, &res, &e) < 0) {
		ctl_message(c, "out of memory");
		t->stopped = 1;
	} else {
		t->parent = res;
		struct ctl_tool_mark *tm = realloc(t->times, (t->ntimes + 1) * sizeof *tm);
		if (tm && secs >= 0) {
			t->times = tm;
			tm = &t->times[t->ntimes++];
			snprintf(tm->conv, sizeof tm->conv, "%s", t->chat->conv.id);
			snprintf(tm->msg, sizeof tm->msg, "%s", t->chat->conv.msgs[res].id);
			tm->secs = secs;
		} else if (tm) {
			t->times = tm;
		}
	}
	free(id);
	free(name);
	t->k++;
	if (t->chat == c->shown)
		ctl_rebuild_view(c);
	c->react |= CTL_SAVE;
}

/* The overlay of MODE_TOOLS: what is asked (or run), the arguments below. */
static void show_call(struct ctl *c, const struct tools_entry *e, int running)
{
	struct ctl_tools *t = c->tools;
	const struct hist_call *call = cur_call(c);
	size_t n = t->chat->conv.msgs[t->answer].ncalls;
	ctl_overlay_close(c);
	struct buf line = BUF_INIT, args = BUF_INIT;
	buf_printf(&line, "%s %s/%s (call %zu of %zu, round %ld)",
		   running ? "Running" : "The model asks to run", e->server_name, e->tool,
		   t->k + 1, n, t->rounds);
	int rc = ctl_overlay_push(&c->ov, line.data, NULL);
	buf_reset(&line);
	buf_append_str(&line, running ? "  Esc stops it (and the turn)."
				      : "  o: allow once   t: allow this tool for this conversation"
					"   a: always allow   d: deny   Esc: stop the turn");
	rc |= ctl_overlay_push(&c->ov, line.data, NULL);
	rc |= ctl_overlay_push(&c->ov, "", NULL);
	rc |= ctl_overlay_push(&c->ov, "Arguments:", NULL);
	tools_show_args(call->args, &args);
	const char *s = args.data ? args.data : "{}";
	while (rc == 0 && *s) {
		size_t len = strcspn(s, "\n");
		buf_reset(&line);
		buf_append_str(&line, "  ");
		buf_append(&line, s, len);
		rc = ctl_overlay_push(&c->ov, line.data, NULL);
		s += len + (s[len] == '\n');
	}
	buf_wipe_free(&args);
	buf_free(&line);
	ctl_overlay_ready(c, CTL_OV_TOOL, NULL);
	c->mode = MODE_TOOLS;
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

static void run_call(struct ctl *c, const struct tools_entry *e)
{
	struct ctl_tools *t = c->tools;
	buf_reset(&t->run_args);
	if (buf_append_str(&t->run_args, cur_call(c)->args) < 0) {
		add_result(c, "error: out of memory", 1, 0, -1);
		return;
	}
	t->run = e;
	t->running = 1;
	t->started = c->now;
	show_call(c, e, 1);
	c->react |= CTL_TOOL_RUN;
}

/* Every call answered: the next answer is asked for (its key first), or the turn ends. */
static void calls_done(struct ctl *c)
{
	struct ctl_tools *t = c->tools;
	if (t->stopped) {
		ctl_message(c, "the turn was stopped; the model is told which calls did not run");
		c->state = CTL_STOPPED;
		end_turn(c);
		ctl_unqueue(c, "the turn was stopped: the queued message is back in the input");
		return;
	}
	if (c->mode == MODE_TOOLS) {
		ctl_overlay_close(c);
		c->mode = MODE_CHAT;
	}
	struct err e;
	err_clear(&e);
	snprintf(c->pending.spec, sizeof c->pending.spec, "%s", t->spec);
	if (c->world.resolve_model(c->world.ctx, c->pending.spec, &c->pending.prov,
				   &c->pending.model, &e) < 0) {
		ctl_message(c, "%s", e.msg);
		end_turn(c);
		return;
	}
	c->pending.retry = CTL_PENDING_TOOLS;
	c->pending.chat = t->chat;
	c->pending.active = 1;
	c->react |= CTL_NEED_KEY;
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

/* The next call: run when allowed, asked when not, answered at once when it cannot run. */
static void next_call(struct ctl *c)
{
	struct ctl_tools *t = c->tools;
	for (;;) {
		const struct hist_call *call = cur_call(c);
		if (!call) {
			calls_done(c);
			return;
		}
		if (t->stopped) {
			add_result(c, "The call was not run: the user stopped the turn.", 1, 0, -1);
			continue;
		}
		const struct tools_entry *e = find_offered(c, t->chat, call->name);
		if (!e) {
			struct buf b = BUF_INIT;
			buf_printf(&b, "error: there is no tool named %s", call->name);
			add_result(c, b.data ? b.data : "error: no such tool", 1, 0, -1);
			buf_free(&b);
			continue;
		}
		const struct ctl_tools_conv *cv = conv_of(c, t->chat->conv.id, 0);
		if (cv && tools_allowed(&cv->pol, c->cfg, e)) {
			run_call(c, e);
			return;
		}
		show_call(c, e, 0);
		return;
	}
}

int ctl_tools_answer_end(struct ctl *c, struct chat *ch, size_t answer, const char *spec,
			 enum hist_status status)
{
	struct ctl_tools *t = c->tools;
	int calls = status == HIST_COMPLETE && answer < ch->conv.n && ch->conv.msgs[answer].ncalls;
	if (t->active && (t->chat != ch || answer != t->waiting)) {
		/* another answer (several models asked at once) ended during a turn */
		if (calls)
			ctl_message(c, "one tool turn at a time: the calls of %s were not run", spec);
		return 0;
	}
	if (!calls) {
		if (t->active)
			end_turn(c);
		return 0;
	}
	if (!t->active) {
		t->rounds = 0;
		t->stopped = 0;
	}
	t->waiting = SIZE_MAX;
	t->active = 1;
	t->chat = ch;
	t->answer = answer;
	t->parent = answer;
	t->k = 0;
	snprintf(t->spec, sizeof t->spec, "%s", spec);
	long max = config_tools_max_rounds(c->cfg);
	if (++t->rounds > max) {
		char line[200];
		snprintf(line, sizeof line, "stopped after %ld rounds of tool calls "
			 "(tools.max_rounds): the last answer's calls were not run", max);
		ctl_info(c, "cherry", line, 1);
		ctl_message(c, "%s", line);
		end_turn(c);
		return 0;
	}
	next_call(c);
	return 1;
}

void ctl_tools_continue(struct ctl *c)
{
	struct ctl_tools *t = c->tools;
	struct err e;
	err_clear(&e);
	size_t answer;
	if (!t->active || chat_answer_after(t->chat, t->parent, c->pending.prov->name,
					    c->pending.model, c->wall, &answer, &e) < 0) {
		ctl_message(c, "%s", e.msg[0] ? e.msg : "out of memory");
		end_turn(c);
		return;
	}
	t->waiting = answer;
	ctl_stream_begin(c, t->chat, answer);
}

void ctl_tools_abandon(struct ctl *c)
{
	if (c->tools->active)
		end_turn(c);
}

int ctl_tool_done(struct ctl *c, const char *text, int error, long long full, double now,
		  double wall)
{
	struct ctl_tools *t = c->tools;
	c->now = now;
	c->wall = wall;
	c->react = 0;
	if (!t->active || !t->running)
		return 0;
	t->running = 0;
	t->run = NULL;
	buf_wipe_free(&t->run_args);
	add_result(c, text, error, full, now - t->started);
	next_call(c);
	c->dirty |= CTL_DIRTY_ALL;
	return c->react;
}

int ctl_tool_progress(struct ctl *c, double progress, double total, const char *message)
{
	struct ctl_tools *t = c->tools;
	c->react = 0;
	if (!t->running || c->ov.kind != CTL_OV_TOOL || !c->ov.nitems)
		return 0;
	struct buf line = BUF_INIT;
	buf_printf(&line, "Running %s/%s (call %zu of %zu, round %ld): %.0f", t->run->server_name,
		   t->run->tool, t->k + 1, t->chat->conv.msgs[t->answer].ncalls, t->rounds, progress);
	if (total > 0)
		buf_printf(&line, " of %.0f", total);
	if (message && *message)
		buf_printf(&line, " \xe2\x80\x94 %.200s", message);
	char *item = line.data ? strdup(line.data) : NULL;
	buf_free(&line);
	if (item) {
		free(c->ov.items[0]);
		c->ov.items[0] = item;
		c->dirty |= CTL_DIRTY_CHAT;
	}
	return 0;
}

/* ---- MODE_TOOLS ---- */

/* The call asked about, NULL while one runs or none is asked. */
static const struct tools_entry *asked(struct ctl *c)
{
	struct ctl_tools *t = c->tools;
	if (!t->active || t->running || c->mode != MODE_TOOLS || !cur_call(c))
		return NULL;
	return find_offered(c, t->chat, cur_call(c)->name);
}

void ctl_h_tool_once(struct ctl *c)
{
	const struct tools_entry *e = asked(c);
	if (e)
		run_call(c, e);
}

void ctl_h_tool_conversation(struct ctl *c)
{
	const struct tools_entry *e = asked(c);
	if (!e)
		return;
	struct ctl_tools_conv *cv = conv_of(c, c->tools->chat->conv.id, 1);
	if (!cv || tools_allow_run(&cv->pol, e) < 0)
		ctl_message(c, "out of memory: it is asked again next time");
	run_call(c, e);
}

void ctl_h_tool_always(struct ctl *c)
{
	const struct tools_entry *e = asked(c);
	if (!e)
		return;
	c->tools->always = e;
	c->react |= CTL_TOOL_ALWAYS;
	run_call(c, e);
}

void ctl_h_tool_deny(struct ctl *c)
{
	if (!asked(c))
		return;
	add_result(c, "The call was not run: the user denied it.", 1, 0, -1);
	next_call(c);
}

void ctl_h_tool_stop(struct ctl *c)
{
	struct ctl_tools *t = c->tools;
	if (!t->active)
		return;
	t->stopped = 1;
	if (t->running) {
		c->react |= CTL_TOOL_STOP; /* its end comes as ctl_tool_done */
		return;
	}
	next_call(c);
}
