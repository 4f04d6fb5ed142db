/* test_mcp: the stdio transport against tests/fakemcp.c (never the network): the
 * child's environment holds no provider key, it inherits no descriptor, runs in its
 * cwd, logs stderr to NAME.log, sanitised; a call is cancelled with progress seen; a server that
 * ignores EOF gets SIGTERM, one that ignores SIGTERM gets SIGKILL; `cherry mcp
 * list|tools|test` line by line. Interop with the reference servers that
 * scripts/deps.sh check installs from npm into build/npm (MCP_EVERYTHING_BIN and
 * MCP_FILESYSTEM_BIN name others): server-everything over stdio and over Streamable
 * HTTP (echo, error results, an image, progress, a cancelled call, ping), and
 * server-filesystem listing and reading a file in a temporary directory. Each is
 * skipped, saying so, only when its package is not installed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
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
	/* the server's stderr sanitised as for the screen: cat of the log obeys nothing */
	assert_non_null(strstr(log, "fakemcp: title and red\nfakemcp: split\n"));
	assert_null(strpbrk(log, "\x1b\x07\r"));
	assert_null(strstr(log, "\xc2\x9b"));
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

/* ---- interop with the reference servers scripts/deps.sh check installs from npm ---- */

static char npm_bin[512];

/* The installed server's path, or a skip that says why there is none. */
static int reference(const char *name, const char *env, char *path, size_t size)
{
	const char *bin = getenv(env);
	if (bin && *bin)
		snprintf(path, size, "%s", bin);
	else
		snprintf(path, size, "%s/%s", npm_bin, name);
	if (access(path, X_OK) == 0)
		return 0;
	print_message("%s not installed (scripts/deps.sh check installs it with npm)\n", path);
	return -1;
}

static int progress_count;
static void count_progress(void *ctx, const struct mcp_progress *p)
{
	(void)ctx;
	(void)p;
	progress_count++;
}

/* server-everything's tools through mcp_call_tool, either transport. */
static void everything_calls(struct mcp_child *c)
{
	struct err e = {0};
	struct mcp_server_info info;
	assert_int_equal(mcp_handshake(c, 30000, &info, &e), 0);
	assert_string_equal(info.protocol_version, "2025-06-18");
	assert_true(info.has_tools);
	mcp_server_info_free(&info);
	struct mcp_tools tools;
	assert_int_equal(mcp_list_tools(c, 10000, &tools, NULL, &e), 0);
	assert_true(tools.n >= 10);
	mcp_tools_free(&tools);
	struct mcp_call_opts o = {.timeout_ms = 10000, .progress = count_progress};
	struct mcp_call_result r;
	assert_int_equal(mcp_call_tool(c, "echo", json_pack("{s:s}", "message", "h\xc3\xa9llo"), &o,
				       &r, &e), 0);
	assert_string_equal(r.text, "Echo: h\xc3\xa9llo");
	assert_false(r.is_error);
	mcp_call_result_free(&r);
	/* A wrong argument type and an unknown tool come back as error results. */
	assert_int_equal(mcp_call_tool(c, "get-sum", json_pack("{s:s,s:i}", "a", "x", "b", 1), &o,
				       &r, &e), 0);
	assert_true(r.is_error);
	mcp_call_result_free(&r);
	assert_int_equal(mcp_call_tool(c, "no-such-tool", NULL, &o, &r, &e), 0);
	assert_true(r.is_error);
	mcp_call_result_free(&r);
	assert_int_equal(mcp_call_tool(c, "get-tiny-image", NULL, &o, &r, &e), 0);
	assert_int_equal(r.nimages, 1);
	mcp_call_result_free(&r);
	progress_count = 0;
	assert_int_equal(mcp_call_tool(c, "trigger-long-running-operation",
				       json_pack("{s:f,s:i}", "duration", 0.4, "steps", 2), &o, &r,
				       &e), 0);
	assert_int_equal(progress_count, 2);
	assert_non_null(strstr(r.text, "Long running operation completed"));
	mcp_call_result_free(&r);
	/* Cancelled mid-run: no answer comes, and the next request still works. (The
	 * server's timer runs on: it leaves 0.3 s later, inside mcp_close's grace.) */
	o.timeout_ms = 200;
	assert_int_equal(mcp_call_tool(c, "trigger-long-running-operation",
				       json_pack("{s:f,s:i}", "duration", 0.5, "steps", 1), &o, &r,
				       &e), -1);
	assert_int_equal(e.code, EXIT_NETWORK);
	json_t *result;
	assert_int_equal(mcp_rpc(c, "ping", NULL, 10000, &result, &e), 0);
	json_decref(result);
}

static void test_everything(void **state)
{
	(void)state;
	char bin[600];
	if (reference("mcp-server-everything", "MCP_EVERYTHING_BIN", bin, sizeof bin) < 0)
		skip();
	/* `cherry mcp test` runs against it in test_everything_http (one node start less). */
	struct config_mcp_server s = {.name = "everything", .command = bin};
	struct mcp_child c;
	struct err e = {0};
	assert_int_equal(mcp_spawn(&c, &s, NULL, getenv, &e), 0);
	everything_calls(&c);
	assert_int_equal(mcp_close(&c, 2000), 0);
}

/* The same server in its Streamable HTTP mode on a loopback port. */
static void test_everything_http(void **state)
{
	(void)state;
	char bin[600];
	if (reference("mcp-server-everything", "MCP_EVERYTHING_BIN", bin, sizeof bin) < 0)
		skip();
	int port = harness_free_port();
	assert_true(port > 0);
	int err[2];
	assert_int_equal(pipe(err), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char p[16];
		snprintf(p, sizeof p, "%d", port);
		setenv("PORT", p, 1);
		dup2(err[1], 2);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		execl(bin, bin, "streamableHttp", (char *)NULL);
		_exit(127);
	}
	close(err[1]);
	/* It says when it listens. */
	char line[256] = "";
	size_t n = 0;
	while (n < sizeof line - 1 && !strstr(line, "listening")) {
		ssize_t k = read(err[0], line + n, sizeof line - 1 - n);
		if (k <= 0)
			break;
		n += (size_t)k;
		line[n] = '\0';
	}
	assert_non_null(strstr(line, "listening"));
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/mcp", port);
	struct config_mcp_server s = {.name = "everything", .url = url};
	struct mcp_child c;
	struct err e = {0};
	struct mcp_start_opts o = {0};
	assert_int_equal(mcp_start(&c, &s, &o, &e), 0);
	everything_calls(&c);
	assert_int_equal(mcp_close(&c, 2000), 0);
	/* And `cherry mcp test` says every step works, its own stream included. */
	struct testhome h;
	assert_int_equal(testhome_make(&h), 0);
	char cfg[256];
	snprintf(cfg, sizeof cfg, "{\"mcp_servers\": {\"ev\": {\"url\": \"%s\"}}}", url);
	assert_int_equal(testhome_write_config(&h, cfg), 0);
	struct run r;
	const char *test[] = {"mcp", "test", "ev", NULL};
	assert_int_equal(run_cherry(&r, &h, test, NULL, NULL, 30000), 0);
	if (r.status != 0)
		fail_msg("mcp test: %s", r.out);
	assert_non_null(strstr(r.out, "\nstream: ok"));
	assert_non_null(strstr(r.out, "\nshutdown: ok (session ended)"));
	run_free(&r);
	testhome_remove(&h);
	kill(pid, SIGTERM);
	int st;
	waitpid(pid, &st, 0);
	close(err[0]);
}

/* server-filesystem: a real tool over a temporary directory, through `cherry mcp
 * tools` and the API. */
static void test_filesystem(void **state)
{
	(void)state;
	char bin[600];
	if (reference("mcp-server-filesystem", "MCP_FILESYSTEM_BIN", bin, sizeof bin) < 0)
		skip();
	char dir[] = "/tmp/cherry-mcpfs-XXXXXX", file[64];
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof file, "%s/note.txt", dir);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fputs("the answer is 42\n", f);
	fclose(f);
	struct testhome h;
	assert_int_equal(testhome_make(&h), 0);
	char cfg[1024];
	snprintf(cfg, sizeof cfg, "{\"mcpServers\": {\"files\": {\"command\": \"%s\", \"args\": "
		 "[\"%s\"]}}}", bin, dir);
	assert_int_equal(testhome_write_config(&h, cfg), 0);
	struct run r;
	const char *tools[] = {"mcp", "tools", "files", NULL};
	assert_int_equal(run_cherry(&r, &h, tools, NULL, NULL, 60000), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\nlist_directory - "));
	assert_non_null(strstr(r.out, "\nread_text_file - "));
	run_free(&r);
	testhome_remove(&h);
	char *args[] = {dir};
	struct config_mcp_server s = {.name = "files", .command = bin, .args = args, .nargs = 1};
	struct mcp_child c;
	struct err e = {0};
	struct mcp_server_info info;
	assert_int_equal(mcp_spawn(&c, &s, NULL, getenv, &e), 0);
	assert_int_equal(mcp_handshake(&c, 30000, &info, &e), 0);
	mcp_server_info_free(&info);
	struct mcp_call_opts o = {.timeout_ms = 10000};
	struct mcp_call_result cr;
	assert_int_equal(mcp_call_tool(&c, "list_directory", json_pack("{s:s}", "path", dir), &o,
				       &cr, &e), 0);
	assert_false(cr.is_error);
	assert_non_null(strstr(cr.text, "[FILE] note.txt"));
	mcp_call_result_free(&cr);
	assert_int_equal(mcp_call_tool(&c, "read_text_file", json_pack("{s:s}", "path", file), &o,
				       &cr, &e), 0);
	assert_string_equal(cr.text, "the answer is 42\n");
	mcp_call_result_free(&cr);
	/* Outside the directory it was given: refused, as an error result. */
	assert_int_equal(mcp_call_tool(&c, "read_text_file", json_pack("{s:s}", "path",
				       "/etc/passwd"), &o, &cr, &e), 0);
	assert_true(cr.is_error);
	mcp_call_result_free(&cr);
	assert_int_equal(mcp_close(&c, 2000), 0);
	unlink(file);
	rmdir(dir);
}

int main(void)
{
	const char *build = getenv("CHERRY_TEST_BUILD");
	char cwd[400];
	snprintf(fakemcp, sizeof fakemcp, "%.399s/%.60s/tests/fakemcp",
		 getcwd(cwd, sizeof cwd) ? cwd : ".", build ? build : "build");
	/* scripts/deps.sh check installs them there, for both build trees. */
	snprintf(npm_bin, sizeof npm_bin, "%.399s/build/npm/node_modules/.bin", cwd);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_child_isolation),
		cmocka_unit_test(test_cancel_and_progress),
		cmocka_unit_test(test_shutdown_escalates),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_everything),
		cmocka_unit_test(test_everything_http),
		cmocka_unit_test(test_filesystem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
