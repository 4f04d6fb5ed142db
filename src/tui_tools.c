/* tui_tools: the client's MCP servers and tool calls (tui_tools.h). */
#include "tui_tools.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cherry/ctl_tools.h"
#include "cherry/fsutil.h"
#include "cherry/http.h"
#include "cherry/loop.h"
#include "cherry/tools_run.h"
#include "ui.h"

struct tui_tools {
	struct app *app;
	struct mcp_child *kids; /* one per configured server, at its index in the config */
	int *state;             /* 0 not started, 1 running, -1 failed (closed) */
	struct mcp_tools *lists; /* each running server's tools, as it listed them last */
	size_t n;
	struct tools_catalog cat;
	/* while a call runs */
	struct ctl *c;
	int react;
	int quit;
};

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
	if (!tt->kids || !tt->state || !tt->lists) {
		tui_tools_free(tt);
		return NULL;
	}
	return tt;
}

void tui_tools_free(struct tui_tools *tt)
{
	if (!tt)
		return;
	for (size_t i = 0; i < tt->n && tt->state; i++)
		if (tt->state[i] == 1)
			mcp_close(&tt->kids[i], TOOLS_GRACE_MS);
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
	if (c->dirty & CTL_DIRTY_LAYOUT)
		ui_layout(c);
	ui_draw(c);
	c->dirty = 0;
}

int tui_tools_start(struct tui_tools *tt, struct ctl *c)
{
	const struct config *cfg = &tt->app->cfg;
	struct buf logdir = BUF_INIT;
	struct err e;
	err_clear(&e);
	int r = 0;
	if (xdg_dir(XDG_STATE, &logdir, &e) < 0 || buf_append_str(&logdir, "/mcp") < 0) {
		buf_free(&logdir);
		return ctl_note(c, e.msg[0] ? e.msg : "out of memory");
	}
	struct http_opts ho = app_http_opts(tt->app);
	struct mcp_start_opts so = {logdir.data, getenv, tt->app->keyring, &ho};
	for (size_t i = 0; i < tt->n; i++) {
		const struct config_mcp_server *s = &cfg->mcp_servers[i];
		if (tt->state[i] == 1 || !ctl_tools_enabled(c, s->name))
			continue;
		char line[200];
		snprintf(line, sizeof line, "starting MCP server %s\xe2\x80\xa6", s->name);
		ctl_note(c, line);
		paint(c);
		int started;
		err_clear(&e);
		mcp_tools_free(&tt->lists[i]);
		if (tools_run_start(&tt->kids[i], s, &so, &tt->cat, i, &tt->lists[i], &started, &e) ==
		    0) {
			tt->state[i] = 1;
			snprintf(line, sizeof line, "MCP server %s is running", s->name);
			ctl_note(c, line);
			continue;
		}
		/* (a catalogue short of memory may keep some of its tools: they answer that
		 * the server is not running) */
		if (started)
			mcp_close(&tt->kids[i], TOOLS_GRACE_MS);
		tt->state[i] = -1;
		mcp_tools_free(&tt->lists[i]);
		r |= ctl_tools_failed(c, s->name, e.msg);
	}
	buf_free(&logdir);
	return r | ctl_tools_catalog(c, &tt->cat);
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
	if (!changed)
		return 0;
	const struct config *cfg = &tt->app->cfg;
	struct tools_catalog cat = {0};
	for (size_t i = 0; i < tt->n; i++)
		for (size_t k = 0; tt->state[i] == 1 && k < tt->lists[i].n; k++)
			tools_catalog_add(&cat, i, cfg->mcp_servers[i].name, &tt->lists[i].v[k]);
	tools_catalog_free(&tt->cat);
	tt->cat = cat;
	return ctl_tools_catalog(c, &tt->cat);
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

/* Asked about every 100 ms while the call waits: keys to the controller, the screen
 * redrawn; nonzero stops the call. */
static int between(void *ctx)
{
	struct tui_tools *tt = ctx;
	struct ctl *c = tt->c;
	int sig;
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
	for (int n = 0; n < 256 && !tt->quit && ui_read_key(c->in_paste, &k) == 0; n++) {
		if (k == INPUT_RESIZE) {
			int rows, cols;
			ui_size(&rows, &cols);
			tt->react |= ctl_resize(c, rows, cols);
		} else {
			tt->react |= ctl_key(c, k, http_now(), wall_now());
		}
	}
	tt->react |= ctl_timer(c, http_now(), wall_now());
	if (c->dirty)
		paint(c);
	return tt->quit || (tt->react & CTL_TOOL_STOP);
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
		struct mcp_call_opts co = {TOOLS_CALL_TIMEOUT_MS, progressed, between, tt};
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
