/* ask_tools: the tool loop of `cherry ask`: the --mcp servers started and their tools
 * offered; after an answer with calls, each call confirmed on the terminal (or refused
 * without one, unless allowed), run through the server's tools/call, its result saved;
 * then the next answer, up to tools.max_rounds. Every step is a line on stderr. */
#include "ask_int.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cherry/attstore.h"
#include "cherry/fsutil.h"
#include "cherry/loop.h"
#include "cherry/mcp.h"
#include "cherry/tools.h"
#include "cherry/tools_run.h"


struct ask_tools {
	struct app *app;
	struct mcp_child *kids;
	size_t nkids;
	struct tools_catalog cat;
	struct tools_policy pol;
	int terminal;       /* stdin and stderr are a terminal: ask there */
	long rounds;
	int pending;        /* the last answer has calls */
	const char *system;
	struct buf attdir;
};

static int start_one(struct ask_tools *tl, const struct config_mcp_server *s, const char *logdir,
		     struct err *e)
{
	struct http_opts ho = app_http_opts(tl->app);
	struct mcp_start_opts so = {logdir, getenv, tl->app->keyring, &ho};
	int started;
	int rc = tools_run_start(&tl->kids[tl->nkids], s, &so, &tl->cat, tl->nkids, NULL, &started,
				  e);
	tl->nkids += (size_t)started;
	return rc;
}

int ask_tools_start(struct app *app, const struct ask_opts *o, const char *system,
		    const char *store_dir, struct ask_tools **out, struct err *e)
{
	*out = NULL;
	if (!o->nmcp)
		return 0;
	const struct config *cfg = &app->cfg;
	int all = o->nmcp == 1 && !strcmp(o->mcp[0], "all");
	for (size_t i = 0; !all && i < o->nmcp; i++)
		if (!config_mcp_find(cfg, o->mcp[i])) {
			err_set(e, EXIT_USAGE, "no MCP server named \"%s\" (see cherry mcp list)",
				o->mcp[i]);
			return -1;
		}
	if (all && !cfg->nmcp_servers) {
		err_set(e, EXIT_USAGE, "--mcp all: no MCP servers configured (config.json "
			"\"mcp_servers\")");
		return -1;
	}
	struct ask_tools *tl = calloc(1, sizeof *tl);
	size_t n = all ? cfg->nmcp_servers : o->nmcp;
	struct buf logdir = BUF_INIT;
	if (!tl || !(tl->kids = calloc(n, sizeof *tl->kids))) {
		free(tl);
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	*out = tl;
	tl->app = app;
	tl->system = system;
	tl->pol = (struct tools_policy){o->allow_all, o->allow, o->nallow, NULL, 0};
	tl->terminal = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
	if (store_dir && attstore_dir(store_dir, &tl->attdir) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	if (xdg_dir(XDG_STATE, &logdir, e) < 0 || buf_append_str(&logdir, "/mcp") < 0) {
		buf_free(&logdir);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = start_one(tl, all ? &cfg->mcp_servers[i] : config_mcp_find(cfg, o->mcp[i]),
			       logdir.data, e);
	buf_free(&logdir);
	if (rc == 0 && !tl->cat.n)
		app_say(stderr, "cherry: the MCP servers offer no tools\n");
	return rc;
}

void ask_tools_stop(struct ask_tools *tl)
{
	if (!tl)
		return;
	for (size_t i = 0; i < tl->nkids; i++)
		mcp_close(&tl->kids[i], TOOLS_GRACE_MS);
	free(tl->kids);
	tools_catalog_free(&tl->cat);
	tools_policy_free(&tl->pol);
	buf_free(&tl->attdir);
	free(tl);
}

int ask_tools_pending(const struct ask_tools *tl)
{
	return tl && tl->pending;
}

const struct wire_tool *ask_tools_list(const struct ask_tools *tl, size_t *n)
{
	*n = tl ? tl->cat.n : 0;
	return *n ? tl->cat.wire : NULL;
}

int ask_tools_take(struct ask_tools *tl, struct ask_save *sv, size_t answer,
		   struct wire_stream *ws, struct err *e)
{
	tl->pending = 0;
	if (!ws->ncalls)
		return 0;
	if (wire_calls_finish(ws) < 0) {
		err_set(e, EXIT_NETWORK, "%s", ws->error.data);
		return -1;
	}
	if (chat_add_calls(&sv->chat, answer, ws->calls, ws->ncalls,
			   ws->items.len ? ws->items.data : NULL, ask_wall_now(), e) < 0)
		return -1;
	tl->pending = 1;
	return 1;
}

/* ---- one call ---- */

/* One byte of the answer: 1, 0 at the end of input, -1 when Ctrl-C (or TERM, HUP)
 * came instead: the signals reach the loop's pipe, read restarts. */
static int read_key(char *ch)
{
	for (;;) {
		struct pollfd p[2] = {{STDIN_FILENO, POLLIN, 0}, {loop_signal_fd(), POLLIN, 0}};
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return 0;
		int sig;
		while ((p[1].revents & POLLIN) && (sig = loop_signal_next()))
			if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
				return -1;
		if (p[0].revents) {
			ssize_t r = read(STDIN_FILENO, ch, 1);
			if (r < 0 && errno == EINTR)
				continue;
			return r == 1;
		}
	}
}

/* Asks on the terminal; the end of input is a denial; -1: the user stopped the turn. */
static int ask_user(const struct tools_entry *t, const char *args, size_t k, size_t n)
{
	struct buf shown = BUF_INIT;
	tools_show_args(args, &shown);
	app_say(stderr, "cherry: the model asks to run %s/%s (call %zu of %zu) with:\n%s\n",
		t->server_name, t->tool, k + 1, n, shown.data ? shown.data : "{}");
	buf_wipe_free(&shown);
	for (;;) {
		fputs("Allow? [o]nce, for this [r]un, [a]lways, [d]eny: ", stderr);
		fflush(stderr);
		char line[64];
		size_t len = 0;
		for (;;) {
			char ch;
			int r = read_key(&ch);
			if (r <= 0) {
				fputc('\n', stderr);
				return r < 0 ? -1 : TOOLS_DENY;
			}
			if (ch == '\n')
				break;
			if (len + 1 < sizeof line)
				line[len++] = ch;
		}
		line[len] = '\0';
		int a = tools_parse_answer(line);
		if (a >= 0)
			return a;
	}
}

/* "always": saved in config.json (the one read, or where it would be). */
static void save_always(struct ask_tools *tl, const struct tools_entry *t)
{
	struct buf path = BUF_INIT;
	struct err e;
	err_clear(&e);
	if (config_tools_save_always_here(&tl->app->cfg, t->server_name, t->tool, &path, &e) == 0)
		app_say(stderr, "cherry: %s/%s is always allowed from now on (%s)\n",
			t->server_name, t->tool, path.data);
	else
		app_fail(&e);
	buf_free(&path);
}

/* Whether the call may run: allowed already, or the user says so (1); 0 not; -1 the
 * user stopped the turn. */
static int permitted(struct ask_tools *tl, const struct tools_entry *t, const char *args,
		     size_t k, size_t n, const char **why)
{
	const struct config *cfg = &tl->app->cfg;
	if (tools_allowed(&tl->pol, cfg, t))
		return 1;
	if (!tl->terminal) {
		*why = "cherry ask has no terminal to ask on";
		return 0;
	}
	int a = ask_user(t, args, k, n);
	if (a < 0) {
		*why = "the user stopped the turn";
		return -1;
	}
	if (a == TOOLS_RUN)
		tools_allow_run(&tl->pol, t); /* out of memory: it is asked again next time */
	if (a == TOOLS_ALWAYS)
		save_always(tl, t);
	*why = "the user denied it";
	return a != TOOLS_DENY;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Asked while a call runs (at once on a signal): Ctrl-C (or TERM, HUP) stops it (the
 * server is told). */
static int call_stopped(void *ctx)
{
	int *stopped = ctx, sig;
	while ((sig = loop_signal_next()))
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			*stopped = 1;
	return *stopped;
}

/* Runs the call through its server: the result's text (capped) into out; -1 when the
 * user stopped it. */
static int run_call(struct ask_tools *tl, const struct tools_entry *t, const char *args,
		    struct buf *out, long long *full, int *error)
{
	int stopped = 0;
	/* a signal wakes the call's wait at once */
	const int wake[] = {loop_signal_fd()};
	struct mcp_call_opts co = {TOOLS_CALL_TIMEOUT_MS, NULL, call_stopped, &stopped, wake, 1,
				   NULL};
	size_t cap = (size_t)config_tools_max_result_bytes(&tl->app->cfg);
	int rc = tools_run_call(&tl->kids[t->server], t->tool, args, &co, cap, out, full, error);
	return rc == 1 ? -1 : rc;
}

int ask_tools_round(struct ask_tools *tl, struct ask_opts *o, struct ask_save *sv,
		    struct ask_target *tg, struct err *e)
{
	tl->pending = 0;
	long max = config_tools_max_rounds(&tl->app->cfg);
	if (++tl->rounds > max) {
		err_set(e, EXIT_FAIL, "stopped after %ld rounds of tool calls (tools.max_rounds): "
			"the last answer's calls were not run", max);
		return e->code;
	}
	struct chat *c = &sv->chat;
	size_t answer = tg->answer, parent = answer;
	int stopped = 0; /* Ctrl-C at a question: the rest is not run, no answer follows */
	size_t n = c->conv.msgs[answer].ncalls;
	for (size_t k = 0; k < n; k++) {
		/* hist_add may move the messages: the call is read again each time */
		const struct hist_call *call = &c->conv.msgs[answer].calls[k];
		const struct tools_entry *t = tools_find(&tl->cat, call->name);
		struct buf text = BUF_INIT, id = BUF_INIT, name = BUF_INIT;
		long long full = 0;
		int error = 1;
		const char *why = NULL;
		buf_append_str(&id, call->id);
		buf_append_str(&name, call->name);
		double t0 = mono();
		int ok = stopped ? 0 : t ? permitted(tl, t, call->args, k, n, &why) : 0;
		if (ok < 0 || stopped) {
			stopped = 1;
			buf_append_str(&text, "The call was not run: the user stopped the turn.");
		} else if (!t) {
			buf_printf(&text, "error: there is no tool named %s", call->name);
			app_say(stderr, "cherry: round %ld: no tool named %s\n", tl->rounds, call->name);
		} else if (!ok) {
			buf_printf(&text, "The call was not run: %s.", why);
			app_say(stderr, "cherry: round %ld: %s/%s not run: %s%s\n", tl->rounds,
				t->server_name, t->tool, why,
				tl->terminal ? "" : " (allow it with --allow-tool SERVER/TOOL)");
		} else {
			if (run_call(tl, t, call->args, &text, &full, &error) < 0)
				stopped = 1;
			app_say(stderr, "cherry: round %ld: %s/%s: %s, %zu bytes, %.2f s\n", tl->rounds,
				t->server_name, t->tool, stopped ? "stopped" : error ? "failed" : "ok",
				text.len, mono() - t0);
		}
		size_t res;
		int rc = chat_add_result(c, parent, id.data ? id.data : "", name.data, text.data ? text.data : "",
					 error, full, ask_wall_now(), &res, e);
		buf_wipe_free(&text);
		buf_free(&id);
		buf_free(&name);
		if (rc < 0)
			return e->code;
		parent = res;
	}
	if (stopped) {
		ask_save_now(sv);
		err_set(e, EXIT_INTERRUPTED, "interrupted; the tool calls were not run");
		return e->code;
	}
	if (chat_answer_after(c, parent, tg->prov->name, tg->model, ask_wall_now(), &tg->answer, e) < 0
	    || ask_request_for(o, sv, tl->attdir.data, tl->system, tg, tl, e) < 0)
		return e->code ? e->code : EXIT_FAIL;
	ask_save_now(sv);
	return EXIT_OK;
}
