/* test_mcp: the stdio transport against tests/fakemcp.c (never the network): the
 * child's environment holds no provider key, it inherits no descriptor, runs in its
 * cwd, logs stderr to NAME.log; a call is cancelled with progress seen; a server that
 * ignores EOF gets SIGTERM, one that ignores SIGTERM gets SIGKILL; `cherry mcp
 * list|tools|test` line by line. The reference server-everything is tried when
 * MCP_EVERYTHING_BIN names it (skipped otherwise). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cherry/mcp.h"
#include "harness.h"

static char fakemcp[512];

static char *fake_env(const char *name)
{
	if (strcmp(name, "PATH") == 0)
		return "/usr/bin:/bin";
	if (strcmp(name, "HOME") == 0)
		return "/nonexistent-home";
	if (strcmp(name, "SHELL") == 0)
		return "() { evil; }";
	return NULL;
}

static void start(struct mcp_child *c, struct config_mcp_server *s, const char *mode,
		  const char *logdir)
{
	static char *args[2];
	static char *en[] = {"SERVER_TOKEN"}, *ev[] = {"tok"};
	memset(s, 0, sizeof *s);
	s->name = "fake";
	s->command = fakemcp;
	args[0] = (char *)mode;
	s->args = args;
	s->nargs = mode ? 1 : 0;
	s->env_names = en;
	s->env_values = ev;
	s->nenv = 1;
	s->cwd = "/tmp";
	struct err e = {0};
	assert_int_equal(mcp_spawn(c, s, logdir, fake_env, &e), 0);
	struct mcp_server_info info;
	assert_int_equal(mcp_handshake(c, 5000, &info, &e), 0);
	mcp_server_info_free(&info);
}

static char *call_text(struct mcp_child *c, const char *tool)
{
	json_t *result;
	struct err e = {0};
	assert_int_equal(mcp_rpc(c, "tools/call", mcp_call_params(tool, NULL, NULL), 5000, &result,
				 &e), 0);
	struct mcp_call_result r;
	assert_int_equal(mcp_call_result_parse(result, &r, &e), 0);
	json_decref(result);
	return r.text;
}

static void test_child_isolation(void **state)
{
	(void)state;
	char dir[] = "/tmp/cherry-mcp-XXXXXX";
	assert_non_null(mkdtemp(dir));
	/* A descriptor cherry holds open must not reach the child. */
	int canary = open("/dev/null", O_RDONLY);
	setenv("OPENAI_API_KEY", "sk-canary-never-passed", 1);
	struct mcp_child c;
	struct config_mcp_server s;
	start(&c, &s, NULL, dir);
	char *env = call_text(&c, "env");
	assert_null(strstr(env, "sk-canary"));
	assert_null(strstr(env, "OPENAI"));
	assert_non_null(strstr(env, "SERVER_TOKEN=tok\n"));
	assert_non_null(strstr(env, "PATH=/usr/bin:/bin\n"));
	assert_null(strstr(env, "SHELL=")); /* a shell function value is left out */
	free(env);
	char *fds = call_text(&c, "fds");
	assert_string_equal(fds, "0 1 2 ");
	free(fds);
	char *cwd = call_text(&c, "cwd");
	assert_string_equal(cwd, "/tmp");
	free(cwd);
	struct mcp_tools tools;
	size_t pages;
	struct err e = {0};
	assert_int_equal(mcp_list_tools(&c, 5000, &tools, &pages, &e), 0);
	assert_int_equal(tools.n, 10);
	assert_int_equal(pages, 2);
	mcp_tools_free(&tools);
	assert_int_equal(mcp_close(&c, 2000), 0);
	close(canary);
	char path[600], log[4096] = "";
	snprintf(path, sizeof path, "%s/fake.log", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(log, 1, sizeof log - 1, f);
	log[n] = '\0';
	fclose(f);
	assert_non_null(strstr(log, "hello from fakemcp"));
	assert_non_null(strstr(log, "client answered ping"));
	assert_non_null(strstr(log, "client answered roots/list"));
	assert_null(strstr(log, "BAD CLIENT"));
	unlink(path);
	rmdir(dir);
}

static int progress_seen;
static void on_note(void *ctx, const struct mcp_msg *m)
{
	(void)ctx;
	struct mcp_progress p;
	if (strcmp(m->method, "notifications/progress") == 0 && mcp_progress_parse(m->params, &p) == 0)
		progress_seen++;
}

static void test_cancel_and_progress(void **state)
{
	(void)state;
	struct mcp_child c;
	struct config_mcp_server s;
	start(&c, &s, NULL, NULL);
	c.on_notify = on_note;
	json_t *result;
	struct err e = {0};
	/* Times out at 300 ms of a 2 s call: cherry sends notifications/cancelled, the
	 * server sends no answer, and the next request still works. */
	assert_int_equal(mcp_rpc(&c, "tools/call",
				 mcp_call_params("slow", json_pack("{s:i}", "ms", 2000), "p1"), 300,
				 &result, &e), -1);
	assert_int_equal(e.code, EXIT_NETWORK);
	assert_true(progress_seen >= 1);
	char *echo;
	assert_int_equal(mcp_rpc(&c, "tools/call",
				 mcp_call_params("echo", json_pack("{s:s}", "text", "h\xc3\xa9"), NULL),
				 5000, &result, &e), 0);
	struct mcp_call_result r;
	assert_int_equal(mcp_call_result_parse(result, &r, &e), 0);
	echo = r.text;
	assert_string_equal(echo, "Echo: h\xc3\xa9");
	free(echo);
	json_decref(result);
	assert_int_equal(mcp_rpc(&c, "no/such", NULL, 5000, &result, &e), -1);
	assert_non_null(strstr(e.msg, "-32601"));
	assert_int_equal(mcp_close(&c, 2000), 0);
}

static void test_shutdown_escalates(void **state)
{
	(void)state;
	struct mcp_child c;
	struct config_mcp_server s;
	start(&c, &s, "ignore-eof", NULL);
	assert_int_equal(mcp_close(&c, 300), 1);
	start(&c, &s, "stubborn", NULL);
	assert_int_equal(mcp_close(&c, 300), 2);
}

static void test_cli(void **state)
{
	(void)state;
	struct testhome h;
	assert_int_equal(testhome_make(&h), 0);
	char cfg[2048];
	snprintf(cfg, sizeof cfg,
		 "{\"mcpServers\": {\"fake\": {\"command\": \"%s\"}, \"old\": {\"command\": \"%s\", "
		 "\"args\": [\"old\"]}}, \"mcp_servers\": {\"web\": {\"url\": "
		 "\"https://127.0.0.1:1/mcp\", \"headers\": {\"Authorization\": \"Bearer s3cret\"}}}}",
		 fakemcp, fakemcp);
	assert_int_equal(testhome_write_config(&h, cfg), 0);
	struct run r;
	const char *list[] = {"mcp", "list", NULL};
	assert_int_equal(run_cherry(&r, &h, list, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "fake  stdio  "));
	assert_non_null(strstr(r.out, "web  http  https://127.0.0.1:1/mcp  headers: Authorization"));
	assert_null(strstr(r.out, "s3cret"));
	run_free(&r);
	const char *test[] = {"mcp", "test", "fake", NULL};
	assert_int_equal(run_cherry(&r, &h, test, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\ninitialize: ok (fakemcp 1.0, MCP 2025-06-18"));
	assert_non_null(strstr(r.out, "\ntools/list: ok (10 tools, 2 pages"));
	assert_non_null(strstr(r.out, "\nping: ok"));
	assert_non_null(strstr(r.out, "\nshutdown: ok (exited when its input closed)"));
	run_free(&r);
	const char *old[] = {"mcp", "test", "old", NULL};
	assert_int_equal(run_cherry(&r, &h, old, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "initialize: FAILED: old: initialize: the server speaks MCP "
				      "2024-11-05"));
	run_free(&r);
	const char *tools[] = {"mcp", "tools", "fake", NULL};
	assert_int_equal(run_cherry(&r, &h, tools, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "echo\n    Echoes its text\n    input schema:\n"));
	assert_non_null(strstr(r.out, "\"required\": [\n"));
	run_free(&r);
	const char *none[] = {"mcp", "test", "nope", NULL};
	assert_int_equal(run_cherry(&r, &h, none, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 2);
	run_free(&r);
	const char *web[] = {"mcp", "test", "web", NULL};
	assert_int_equal(run_cherry(&r, &h, web, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "initialize: FAILED: web: cannot reach https://127.0.0.1:1/mcp"));
	assert_null(strstr(r.out, "s3cret"));
	run_free(&r);
	testhome_remove(&h);
}

static void test_everything(void **state)
{
	(void)state;
	const char *bin = getenv("MCP_EVERYTHING_BIN");
	if (!bin || access(bin, X_OK) != 0)
		skip();
	struct testhome h;
	assert_int_equal(testhome_make(&h), 0);
	char cfg[1024];
	snprintf(cfg, sizeof cfg, "{\"mcpServers\": {\"everything\": {\"command\": \"%s\"}}}", bin);
	assert_int_equal(testhome_write_config(&h, cfg), 0);
	struct run r;
	const char *test[] = {"mcp", "test", "everything", NULL};
	assert_int_equal(run_cherry(&r, &h, test, NULL, NULL, 60000), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "initialize: ok (mcp-servers/everything"));
	assert_non_null(strstr(r.out, "\nping: ok"));
	run_free(&r);
	testhome_remove(&h);
}

int main(void)
{
	const char *build = getenv("CHERRY_TEST_BUILD");
	char cwd[400];
	snprintf(fakemcp, sizeof fakemcp, "%.399s/%.60s/tests/fakemcp",
		 getcwd(cwd, sizeof cwd) ? cwd : ".", build ? build : "build");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_child_isolation),
		cmocka_unit_test(test_cancel_and_progress),
		cmocka_unit_test(test_shutdown_escalates),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_everything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
