/* cmd_mcp: `cherry mcp list | tools NAME | test NAME`: the configured MCP servers, one
 * server's tools with their input schemas, and a step-by-step connectivity check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cherry/app.h"
#include "cherry/fsutil.h"
#include "cherry/http.h"
#include "cherry/mcp.h"
#include "cherry/proxy.h"

/* First start through `npx -y` downloads the package: tens of seconds for initialize. */
#define INIT_TIMEOUT_MS 60000
#define CALL_TIMEOUT_MS 30000
#define GRACE_MS 2000

static void say_line(const char *s)
{
	struct buf b = {0};
	app_line_safe(s, strlen(s), &b);
	printf("%s\n", b.data ? b.data : "");
	buf_free(&b);
}

static int list_servers(const struct config *cfg)
{
	if (!cfg->nmcp_servers) {
		puts("no MCP servers configured (config.json \"mcp_servers\")");
		return EXIT_OK;
	}
	for (size_t i = 0; i < cfg->nmcp_servers; i++) {
		const struct config_mcp_server *s = &cfg->mcp_servers[i];
		struct buf b = {0};
		buf_printf(&b, "%s  %s  ", s->name, s->command ? "stdio" : "http");
		if (s->command) {
			buf_append_str(&b, s->command);
			for (size_t k = 0; k < s->nargs; k++)
				buf_printf(&b, " %s", s->args[k]);
			/* Names only: env values and headers may hold keys. */
			for (size_t k = 0; k < s->nenv; k++)
				buf_printf(&b, "%s%s", k ? "," : "  env: ", s->env_names[k]);
			if (s->cwd)
				buf_printf(&b, "  cwd: %s", s->cwd);
		} else {
			char shown[512];
			buf_append_str(&b, http_url_shown(s->url, shown, sizeof shown));
			for (size_t k = 0; k < s->nheaders; k++)
				buf_printf(&b, "%s%s", k ? "," : "  headers: ", s->header_names[k]);
			if (s->auth_key)
				buf_printf(&b, "  auth: vault %s", s->auth_key);
		}
		say_line(b.data ? b.data : "");
		buf_free(&b);
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

static const struct config_mcp_server *server_arg(const struct config *cfg, int argc, char **argv,
						  const char *verb)
{
	if (argc != 3) {
		app_usage("mcp %s takes one server name", verb);
		return NULL;
	}
	const struct config_mcp_server *s = config_mcp_find(cfg, argv[2]);
	if (!s)
		app_usage("no MCP server named \"%s\" (see cherry mcp list)", argv[2]);
	return s;
}

static int start(struct app *app, struct mcp_child *c, const struct config_mcp_server *s,
		 struct err *e)
{
	struct buf dir = {0};
	if (xdg_dir(XDG_STATE, &dir, e) < 0 || buf_append_str(&dir, "/mcp") < 0) {
		buf_free(&dir);
		return -1;
	}
	struct http_opts ho = app_http_opts(app);
	struct mcp_start_opts o = {dir.data, getenv, app->keyring, &ho};
	int rc = mcp_start(c, s, &o, e);
	buf_free(&dir);
	return rc;
}

static long long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000LL + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int show_tools(struct app *app, const struct config_mcp_server *s)
{
	struct mcp_child c;
	struct mcp_server_info info;
	struct mcp_tools tools;
	struct err e = {0};
	if (start(app, &c, s, &e) < 0)
		return app_fail(&e);
	if (mcp_handshake(&c, INIT_TIMEOUT_MS, &info, &e) < 0) {
		mcp_close(&c, GRACE_MS);
		return app_fail(&e);
	}
	mcp_server_info_free(&info);
	if (mcp_list_tools(&c, CALL_TIMEOUT_MS, &tools, NULL, &e) < 0) {
		mcp_close(&c, GRACE_MS);
		return app_fail(&e);
	}
	mcp_close(&c, GRACE_MS);
	for (size_t i = 0; i < tools.n; i++) {
		const struct mcp_tool *t = &tools.v[i];
		struct buf b = {0};
		buf_printf(&b, "%s%s%s", t->name, t->title ? " - " : "", t->title ? t->title : "");
		say_line(b.data);
		buf_free(&b);
		if (t->description) {
			/* Descriptions are untrusted text: each line made terminal-safe. */
			for (const char *p = t->description; *p;) {
				size_t len = strcspn(p, "\n");
				app_line_safe(p, len, &b);
				printf("    %s\n", b.data ? b.data : "");
				buf_free(&b);
				p += len + (p[len] ? 1 : 0);
			}
		}
		struct buf dump = {0};
		if (mcp_dump(t->input_schema, JSON_INDENT(2) | JSON_SORT_KEYS, &dump) == 0 && dump.data) {
			app_say(stdout, "    input schema:\n");
			for (const char *p = dump.data; *p;) {
				size_t len = strcspn(p, "\n");
				app_line_safe(p, len, &b);
				printf("      %s\n", b.data ? b.data : "");
				buf_free(&b);
				p += len + (p[len] ? 1 : 0);
			}
		}
		buf_free(&dump);
	}
	mcp_tools_free(&tools);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

/* One line per step; the first failing step ends the check (the server is still
 * shut down, and that is reported too). */
static int test_server(struct app *app, const struct config_mcp_server *s)
{
	struct mcp_child c;
	struct err e = {0};
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (start(app, &c, s, &e) < 0) {
		app_say(stdout, "start: FAILED: %s\n", e.msg);
		return EXIT_FAIL;
	}
	if (c.http) {
		const char *proxy = http_proxy_for(s->url);
		char shown[512], via[256] = "";
		if (proxy)
			proxy_display(proxy, via, sizeof via);
		app_say(stdout, "start: ok (%s%s%s, log %s)\n", http_url_shown(s->url, shown, sizeof shown),
			proxy ? " via proxy " : "", via, c.log_path ? c.log_path : "none");
	} else
		app_say(stdout, "start: ok (pid %ld, log %s)\n", (long)c.pid,
			c.log_path ? c.log_path : "none");
	int ok = 0;
	struct mcp_server_info info;
	if (mcp_handshake(&c, INIT_TIMEOUT_MS, &info, &e) < 0) {
		app_say(stdout, "initialize: FAILED: %s\n", e.msg);
		goto shutdown;
	}
	app_say(stdout, "initialize: ok (%s %s, MCP %s, %lld ms)\n", info.name ? info.name : "?",
		info.version ? info.version : "?", info.protocol_version, ms_since(&t0));
	int has_tools = info.has_tools;
	mcp_server_info_free(&info);
	if (!has_tools) {
		app_say(stdout, "tools/list: FAILED: the server offers no tools\n");
		goto shutdown;
	}
	struct mcp_tools tools;
	size_t pages = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (mcp_list_tools(&c, CALL_TIMEOUT_MS, &tools, &pages, &e) < 0) {
		app_say(stdout, "tools/list: FAILED: %s\n", e.msg);
		goto shutdown;
	}
	app_say(stdout, "tools/list: ok (%zu tools, %zu page%s, %lld ms)\n", tools.n, pages,
		pages == 1 ? "" : "s", ms_since(&t0));
	mcp_tools_free(&tools);
	json_t *result;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (mcp_rpc(&c, "ping", NULL, CALL_TIMEOUT_MS, &result, &e) < 0) {
		app_say(stdout, "ping: FAILED: %s\n", e.msg);
		goto shutdown;
	}
	json_decref(result);
	app_say(stdout, "ping: ok (%lld ms)\n", ms_since(&t0));
	if (c.http) {
		/* Optional for a server: either answer is fine, and said so. */
		long st;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (!(st = mcp_stream_status(&c)) && ms_since(&t0) < 2000) {
			mcp_wait(&c, 50);
			mcp_pump(&c, &e);
		}
		if (st == 200)
			app_say(stdout, "stream: ok (the server can send on its own)\n");
		else if (st == 405)
			app_say(stdout, "stream: none (the server sends only with its answers: 405)\n");
		else
			app_say(stdout, "stream: not open (%s; see the log)\n",
				st ? "it ended" : "no answer yet");
	}
	ok = 1;
shutdown:;
	static const char *const how[] = {"exited when its input closed",
					  "ended by SIGTERM", "ended by SIGKILL",
					  "the server does not allow DELETE: 405",
					  "DELETE of the session failed; see the log",
					  "no session to end"};
	int http = c.http != NULL, h = mcp_close(&c, GRACE_MS);
	app_say(stdout, "shutdown: %s (%s)\n", h == 0 || h == 3 || h == 5 ? "ok" : h < 3 ? "slow" : "FAILED",
		http && h == 0 ? "session ended" : how[h]);
	return fflush(stdout) == 0 && ok ? EXIT_OK : EXIT_FAIL;
}

int mcp_main(struct app *app, int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "list";
	const struct config_mcp_server *s;
	if (strcmp(verb, "list") == 0) {
		if (argc > 2)
			return app_usage("mcp list takes no arguments");
		return list_servers(&app->cfg);
	}
	int tools = strcmp(verb, "tools") == 0;
	if (!tools && strcmp(verb, "test") != 0)
		return app_usage("unknown mcp command \"%s\" (list, tools NAME, test NAME)", verb);
	if (!(s = server_arg(&app->cfg, argc, argv, verb)))
		return EXIT_USAGE;
	return tools ? show_tools(app, s) : test_server(app, s);
}
