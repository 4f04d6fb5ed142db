/* tui_tools: the client's MCP servers and tool calls (tui_tools.h). */
#include "tui_tools.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cherry/ctl_tools.h"
#include "cherry/fsutil.h"
#include "cherry/http.h"
#include "cherry/loop.h"
#include "cherry/state_tools.h"
#include "cherry/tools_run.h"
#include "ui.h"

#define STARTING_GRACE_MS 200

struct tui_tools {
	struct app *app;
	struct mcp_child *kids; /* one per configured server, at its index in the config */
	int *state;             /* 0 not started, 2 starting, 1 running, -1 failed (closed) */
	struct mcp_opening *opening; /* a starting server's handshake and tools/list */
	struct mcp_start_opts so;    /* the servers' logs, environment, keys, HTTP options */
	struct buf logdir;
	struct http_opts ho;
	struct mcp_tools *lists; /* each running server's tools, as it listed them last */
	size_t n;
	struct tools_catalog cat;
	/* while a call runs */
	struct ctl *c;
	int react;
	int quit;
	int more_keys; /* between left keys unread: ask it again at once */
	/* the rest of the client meanwhile (tui_tools_service) */
	void (*service)(void *ctx);
	int (*service_due)(void *ctx);
	void *service_ctx;
};

void tui_tools_service(struct tui_tools *tt, void (*service)(void *ctx), int (*due)(void *ctx),
		       void *ctx)
{
	tt->service = service;
	tt->service_due = due;
	tt->service_ctx = ctx;
}

struct tui_tools *tui_tools_new(struct app *app)
{
	struct tui_tools *tt = calloc(1, sizeof *tt);
	size_t n = app->cfg.nmcp_servers;
	if (!tt)
		return NULL;
	tt->app = app;
	tt->n = n;
	tt->kids = calloc(n ? n : 1, sizeof *tt->kids);
	tt->state = calloc(n ? n : 1, sizeof *tt->state);
	tt->lists = calloc(n ? n : 1, sizeof *tt->lists);
	tt->opening = calloc(n ? n : 1, sizeof *tt->opening);
	if (!tt->kids || !tt->state || !tt->lists || !tt->opening) {
		tui_tools_free(tt);
		return NULL;
	}
	return tt;
}

void tui_tools_free(struct tui_tools *tt)
{
	if (!tt)
		return;
	/* one still starting (npx fetching it, say) is not waited for long: quitting
	 * then takes a moment, not seconds */
	for (size_t i = 0; i < tt->n && tt->state; i++)
		if (tt->state[i] == 1 || tt->state[i] == 2)
			mcp_close(&tt->kids[i], tt->state[i] == 2 ? STARTING_GRACE_MS : TOOLS_GRACE_MS);
	for (size_t i = 0; i < tt->n && tt->opening; i++)
		mcp_opening_free(&tt->opening[i]);
	free(tt->opening);
	buf_free(&tt->logdir);
	for (size_t i = 0; i < tt->n && tt->lists; i++)
		mcp_tools_free(&tt->lists[i]);
	tools_catalog_free(&tt->cat);
	free(tt->lists);
	free(tt->kids);
	free(tt->state);
	free(tt);
}

static void paint(struct ctl *c)
{
	ctl_frame(c);
	if (c->dirty & CTL_DIRTY_LAYOUT)
		ui_layout(c);
	ui_draw(c);
	c->dirty = 0;
}

/* The catalogue again from the running servers' lists, in the config's order. */
static int catalogue(struct tui_tools *tt, struct ctl *c)
{
	const struct config *cfg = &tt->app->cfg;
	struct tools_catalog cat = {0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < tt->n; i++)
		if (tt->state[i] == 1)
			rc = tools_run_add(&cat, i, cfg->mcp_servers[i].name, &tt->lists[i]);
	if (rc < 0)
		ctl_note(c, "out of memory: some MCP tools are not offered");
	tools_catalog_free(&tt->cat);
	tt->cat = cat;
	return ctl_tools_catalog(c, &tt->cat);
}

/* Server i could not start: closed, disabled, the line shown with what to do. */
static int start_failed(struct tui_tools *tt, struct ctl *c, size_t i, int started,
			const char *why)
{
	const char *name = tt->app->cfg.mcp_servers[i].name;
	if (started)
		mcp_close(&tt->kids[i], TOOLS_GRACE_MS);
	tt->state[i] = -1;
	mcp_opening_free(&tt->opening[i]);
	mcp_tools_free(&tt->lists[i]);
	struct buf line = BUF_INIT;
	buf_printf(&line, "%s (cherry mcp test %s shows more; /tools %s on tries again)", why,
		   name, name);
	int r = ctl_tools_failed(c, name, line.data ? line.data : why);
	buf_free(&line);
	return r;
}

int tui_tools_start(struct tui_tools *tt, struct ctl *c)
{
	const struct config *cfg = &tt->app->cfg;
	struct err e;
	err_clear(&e);
	int r = 0;
	if (!tt->logdir.data) {
		if (xdg_dir(XDG_STATE, &tt->logdir, &e) < 0 ||
		    buf_append_str(&tt->logdir, "/mcp") < 0) {
			buf_free(&tt->logdir);
			return ctl_note(c, e.msg[0] ? e.msg : "out of memory");
		}
		tt->ho = app_http_opts(tt->app);
		tt->so = (struct mcp_start_opts){tt->logdir.data, getenv, tt->app->keyring, &tt->ho};
	}
	for (size_t i = 0; i < tt->n; i++) {
		const struct config_mcp_server *s = &cfg->mcp_servers[i];
		if (tt->state[i] == 1 || tt->state[i] == 2 || !ctl_tools_enabled(c, s->name))
			continue;
		int started;
		err_clear(&e);
		mcp_tools_free(&tt->lists[i]);
		if (tools_run_begin(&tt->kids[i], s, &tt->so, &tt->opening[i], &started, &e) < 0) {
			r |= start_failed(tt, c, i, started, e.msg);
			continue;
		}
		tt->state[i] = 2;
		char line[200];
		snprintf(line, sizeof line, "starting MCP server %s\xe2\x80\xa6", s->name);
		ctl_note(c, line);
	}
	return r;
}

int tui_tools_fds(const struct tui_tools *tt, struct curl_waitfd *fds, int max)
{
	int n = 0;
	for (size_t i = 0; i < tt->n; i++) {
		struct pollfd p[3];
		int k = tt->state[i] == 2 ? mcp_poll_fds(&tt->kids[i], p, 3) : 0;
		for (int j = 0; j < k && n < max; j++) {
			short ev = (short)((p[j].events & POLLIN ? CURL_WAIT_POLLIN : 0) |
					   (p[j].events & POLLOUT ? CURL_WAIT_POLLOUT : 0));
			fds[n++] = (struct curl_waitfd){p[j].fd, ev, 0};
		}
	}
	return n;
}

int tui_tools_wait_ms(const struct tui_tools *tt)
{
	for (size_t i = 0; i < tt->n; i++)
		if (tt->state[i] == 2)
			/* an HTTP server's transfers have no descriptor here; a stdio one's
			 * timeout needs a look now and then */
			return tt->kids[i].http ? 10 : 250;
	return -1;
}

int tui_tools_poll(struct tui_tools *tt, struct ctl *c)
{
	const struct config *cfg = &tt->app->cfg;
	int r = 0, changed = 0;
	for (size_t i = 0; i < tt->n; i++) {
		if (tt->state[i] != 2)
			continue;
		const char *name = cfg->mcp_servers[i].name;
		struct err e;
		err_clear(&e);
		int rc = tools_run_step(&tt->kids[i], name, &tt->opening[i], &e);
		if (rc == 0)
			continue;
		changed = 1;
		if (rc < 0) {
			r |= start_failed(tt, c, i, 1, e.msg);
			continue;
		}
		tt->state[i] = 1;
		tt->lists[i] = tt->opening[i].tools;
		memset(&tt->opening[i].tools, 0, sizeof tt->opening[i].tools);
		mcp_opening_free(&tt->opening[i]);
		char line[200];
		snprintf(line, sizeof line, "MCP server %s is running: %zu tool%s", name,
			 tt->lists[i].n, tt->lists[i].n == 1 ? "" : "s");
		ctl_note(c, line);
	}
	return changed ? r | catalogue(tt, c) : r;
}

const char *tui_tools_awaited(const struct tui_tools *tt, const struct ctl *c)
{
	const struct chat *ch = c->pending.chat ? c->pending.chat : c->shown;
	for (size_t i = 0; ch && i < tt->n; i++)
		if (tt->state[i] == 2 &&
		    ctl_tools_chat_enables(c, ch, tt->app->cfg.mcp_servers[i].name))
			return tt->app->cfg.mcp_servers[i].name;
	return NULL;
}

int tui_tools_refresh(struct tui_tools *tt, struct ctl *c)
{
	int changed = 0;
	for (size_t i = 0; i < tt->n; i++) {
		struct mcp_tools fresh = {0};
		struct err e;
		err_clear(&e);
		if (tt->state[i] != 1 || !tt->kids[i].tools_changed)
			continue;
		if (mcp_list_tools(&tt->kids[i], TOOLS_INIT_TIMEOUT_MS, &fresh, NULL, &e) < 0) {
			ctl_note(c, e.msg); /* its tools stay as they were */
			continue;
		}
		mcp_tools_free(&tt->lists[i]);
		tt->lists[i] = fresh;
		changed = 1;
	}
	return changed ? catalogue(tt, c) : 0;
}

void tui_tools_always(struct tui_tools *tt, struct ctl *c)
{
	const struct tools_entry *t = c->tools->always;
	if (!t)
		return;
	struct buf path = BUF_INIT;
	struct err e;
	err_clear(&e);
	struct buf line = BUF_INIT;
	if (config_tools_save_always_here(&tt->app->cfg, t->server_name, t->tool, &path, &e) == 0)
		buf_printf(&line, "%s/%s is always allowed from now on (%s)", t->server_name,
			   t->tool, path.data);
	else
		buf_append_str(&line, e.msg);
	ctl_note(c, line.data ? line.data : "out of memory");
	buf_free(&line);
	c->tools->always = NULL;
	buf_free(&path);
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Asked while the call waits, at once when a key or a signal comes (and at the
 * controller's timers): keys to the controller, the screen redrawn; nonzero stops the
 * call. */
static int between(void *ctx)
{
	struct tui_tools *tt = ctx;
	struct ctl *c = tt->c;
	int sig;
	if (ui_terminal_gone())
		tt->quit = 1; /* no user: as the loop does, end (its input would wake us forever) */
	while ((sig = loop_signal_next())) {
		int rows, cols;
		if (sig == SIGWINCH) {
			ui_size(&rows, &cols);
			tt->react |= ctl_resize(c, rows, cols);
		} else {
			tt->quit = 1;
		}
	}
	input_key k;
	int n = 0;
	for (; n < 256 && !tt->quit && ui_read_key(c->in_paste, &k) == 0; n++) {
		if (k == INPUT_RESIZE) {
			int rows, cols;
			ui_size(&rows, &cols);
			tt->react |= ctl_resize(c, rows, cols);
		} else {
			tt->react |= ctl_key(c, k, http_now(), wall_now());
		}
	}
	tt->more_keys = n == 256;
	if (tt->service)
		tt->service(tt->service_ctx);
	tt->react |= ctl_timer(c, http_now(), wall_now());
	if (c->dirty)
		paint(c);
	return tt->quit || (tt->react & CTL_TOOL_STOP);
}

/* When between wants asking without a key: the controller's next timer, or sooner when
 * the rest of the client has transfers to read. */
static int between_due(void *ctx)
{
	struct tui_tools *tt = ctx;
	if (tt->more_keys)
		return 0;
	double next = ctl_next_timer(tt->c, http_now());
	int ms = next < 0 ? -1 : next > 3600 ? 3600000 : (int)(next * 1000.0) + 1;
	int other = tt->service_due ? tt->service_due(tt->service_ctx) : -1;
	return other >= 0 && (ms < 0 || other < ms) ? other : ms;
}

/* Each notifications/progress of the running call: shown at the next redraw. */
static void progressed(void *ctx, const struct mcp_progress *p)
{
	struct tui_tools *tt = ctx;
	ctl_tool_progress(tt->c, p->progress, p->has_total ? p->total : 0, p->message);
}

int tui_tools_run(struct tui_tools *tt, struct ctl *c, int *quit)
{
	const struct tools_entry *t = c->tools->run;
	if (!t)
		return 0;
	tt->c = c;
	tt->react = 0;
	tt->quit = 0;
	paint(c);
	struct buf out = BUF_INIT;
	long long full = 0;
	int error = 1, rc;
	if (t->server >= tt->n || tt->state[t->server] != 1) {
		rc = buf_append_str(&out, "error: the MCP server is not running");
	} else {
		/* the terminal and the signal pipe wake the call's wait: Esc acts at once */
		const int wake[] = {STDIN_FILENO, loop_signal_fd()};
		struct mcp_call_opts co = {TOOLS_CALL_TIMEOUT_MS, progressed, between, tt, wake, 2,
					   between_due};
		size_t cap = (size_t)config_tools_max_result_bytes(&tt->app->cfg);
		rc = tools_run_call(&tt->kids[t->server], t->tool,
				    c->tools->run_args.data ? c->tools->run_args.data : "{}", &co,
				    cap, &out, &full, &error);
	}
	int r = ctl_tool_done(c, rc < 0 ? "error: out of memory" : out.data ? out.data : "",
			      rc < 0 || error, full, http_now(), wall_now());
	buf_wipe_free(&out);
	*quit = tt->quit;
	tt->c = NULL;
	return r | (tt->react & ~(CTL_TOOL_STOP | CTL_TOOL_RUN));
}

void tui_tools_keep(struct ctl *c)
{
	c->tools->load = state_tools_get;
	c->tools->save = state_tools_set;
}
