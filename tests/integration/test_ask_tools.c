/* test_ask_tools: the tool loop of `cherry ask` against the fake provider and
 * tests/fakemcp.c: calls in all six kinds (parallel calls included) run and answered,
 * refused without a terminal, allowed by --allow-tool, asked on a terminal (allow once,
 * deny, always saved in config.json), results sent again when the conversation
 * continues, and no provider key reaching the MCP server (the canary). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "tmux.h"

#define CANARY "sk-test-CANARY0tools0key0never0leaves"

static struct fakeprov FP;
static struct testhome H;
static char fakemcp[PATH_MAX];

static const char *const env[] = {
	"FAKE_KEY=" CANARY,
	"OPENAI_API_KEY=" CANARY "2",
	NULL,
};

static void write_config(const char *tools)
{
	char cfg[4096 + PATH_MAX];
	int p = FP.port;
	snprintf(cfg, sizeof cfg,
		 "{\"providers\": {"
		 "\"fo\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:%d/v1\", \"key_env\": \"FAKE_KEY\"},"
		 "\"fr\": {\"kind\": \"openai-responses\", \"base_url\": \"http://127.0.0.1:%d/v1\", \"key_env\": \"FAKE_KEY\"},"
		 "\"fa\": {\"kind\": \"anthropic\", \"base_url\": \"http://127.0.0.1:%d\", \"key_env\": \"FAKE_KEY\"},"
		 "\"fg\": {\"kind\": \"gemini\", \"base_url\": \"http://127.0.0.1:%d\", \"key_env\": \"FAKE_KEY\"},"
		 "\"fl\": {\"kind\": \"ollama\", \"base_url\": \"http://127.0.0.1:%d\"},"
		 "\"fz\": {\"kind\": \"azure\", \"base_url\": \"http://127.0.0.1:%d\", \"key_env\": \"FAKE_KEY\","
		 " \"api_version\": \"2024-10-21\"}},"
		 "\"network\": {\"max_retries\": 0},"
		 "\"mcp_servers\": {\"fake\": {\"command\": \"%s\", \"args\": [\"plain\"]}}%s%s}",
		 p, p, p, p, p, p, fakemcp, tools ? ", " : "", tools ? tools : "");
	assert_int_equal(testhome_write_config(&H, cfg), 0);
}

static int setup(void **state)
{
	(void)state;
	const char *build = getenv("CHERRY_TEST_BUILD");
	char rel[300];
	snprintf(rel, sizeof rel, "%.200s/tests/fakemcp", build ? build : "build");
	if (!realpath(rel, fakemcp))
		return -1;
	if (fakeprov_start(&FP) < 0 || testhome_make(&H) < 0)
		return -1;
	write_config(NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fakeprov_stop(&FP);
	testhome_remove(&H);
	return 0;
}

static void ask(struct run *r, const char *model, const char *a1, const char *a2)
{
	const char *args[] = {"ask", "--no-save", "--mcp", "fake", "-m", model, "hi", a1, a2, NULL};
	assert_int_equal(run_cherry(r, &H, args, env, NULL, 20000), 0);
}

/* tools2 in every kind: the echo and fail tools called in parallel, both results given
 * back, the model's answer printed; each call a line on stderr. */
static void test_six_kinds(void **state)
{
	(void)state;
	static const char *const models[] = {"fo/tools2", "fr/tools2", "fa/tools2",
					     "fg/tools2", "fl/tools2", "fz/tools2"};
	for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
		struct run r;
		assert_int_equal(fakeprov_clear_log(&FP), 0);
		ask(&r, models[i], "--allow-tools", NULL);
		if (r.status || strcmp(r.out, "Results: Echo: hi | it failed on purpose\n"))
			fail_msg("%s: status %d\nout: %s\nerr: %s", models[i], r.status, r.out, r.err);
		assert_non_null(strstr(r.err, "cherry: round 1: fake/echo: ok, 8 bytes"));
		assert_non_null(strstr(r.err, "cherry: round 1: fake/fail: failed, 20 bytes"));
		assert_int_equal(fakeprov_count(&FP), 2);
		run_free(&r);
	}
}

/* Without a terminal a call is refused and the model told; --allow-tool lets one run. */
static void test_no_terminal(void **state)
{
	(void)state;
	struct run r;
	ask(&r, "fa/tools", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Results: The call was not run: cherry ask has no terminal to "
				   "ask on.\n");
	assert_non_null(strstr(r.err, "fake/echo not run: cherry ask has no terminal to ask on "
				      "(allow it with --allow-tool SERVER/TOOL)"));
	run_free(&r);
	ask(&r, "fo/tools2", "--allow-tool", "fake/echo");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Results: Echo: hi | The call was not run: cherry ask has no "
				   "terminal to ask on.\n");
	run_free(&r);
	/* a bare tool name allows it on any server */
	ask(&r, "fg/tool:fail", "--allow-tool", "fail");
	assert_string_equal(r.out, "Results: it failed on purpose\n");
	run_free(&r);
}

/* No provider key reaches the server's environment, command line or descriptors. */
static void test_canary(void **state)
{
	(void)state;
	struct run r;
	ask(&r, "fo/tool:env", "--allow-tools", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "PATH="));               /* the env tool did answer */
	assert_non_null(strstr(r.out, "ARGV="));
	assert_non_null(strstr(r.out, " plain"));              /* its configured argv */
	assert_null(strstr(r.out, "CANARY"));
	assert_null(strstr(r.out, "FAKE_KEY"));
	assert_null(strstr(r.out, "OPENAI_API_KEY"));
	run_free(&r);
	ask(&r, "fl/tool:fds", "--allow-tools", NULL);
	assert_string_equal(r.out, "Results: 0 1 2 \n");
	run_free(&r);
	/* nor its log */
	char logdir[600];
	snprintf(logdir, sizeof logdir, "%s/state/cherry/mcp", H.root);
	assert_int_equal(tree_contains(logdir, "CANARY"), 0);
}

/* The calls and results go into the conversation file and are sent again with -c. */
static void test_continue(void **state)
{
	(void)state;
	const char *args[] = {"ask", "--mcp", "fake", "--allow-tools", "-m", "fa/tools", "hi", NULL};
	struct run r;
	assert_int_equal(run_cherry(&r, &H, args, env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	const char *list[] = {"history", "list", "--json", NULL};
	assert_int_equal(run_cherry(&r, &H, list, env, NULL, 20000), 0);
	char id[16] = "";
	const char *at = strstr(r.out, "\"id\": \"");
	if (!at)
		at = strstr(r.out, "\"id\":\"");
	assert_non_null(at);
	at = strchr(at + 5, '"') + 1;
	snprintf(id, sizeof id, "%.*s", (int)(strchr(at, '"') - at), at);
	run_free(&r);
	assert_int_equal(fakeprov_clear_log(&FP), 0);
	const char *more[] = {"ask", "-c", id, "-m", "fo/echo", "and now?", NULL};
	assert_int_equal(run_cherry(&r, &H, more, env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	json_t *req = fakeprov_last_request(&FP);
	json_t *msgs = json_object_get(json_object_get(req, "body"), "messages");
	/* user, the answer's call, its result, the answer, the new prompt */
	assert_int_equal(json_array_size(msgs), 5);
	json_t *call = json_array_get(json_object_get(json_array_get(msgs, 1), "tool_calls"), 0);
	assert_string_equal(json_string_value(json_object_get(call, "id")), "toolu_fake0");
	json_t *res = json_array_get(msgs, 2);
	assert_string_equal(json_string_value(json_object_get(res, "role")), "tool");
	assert_string_equal(json_string_value(json_object_get(res, "tool_call_id")), "toolu_fake0");
	assert_string_equal(json_string_value(json_object_get(res, "content")), "Echo: hi");
	json_decref(req);
}

/* On a terminal: asked before each call; d denies, o allows once, a saves it in
 * config.json and runs it. */
static void test_terminal(void **state)
{
	(void)state;
	if (!tmux_path())
		fail_msg("tmux is needed for this test (scripts/deps.sh installs it)");
	struct tmux t;
	const char *args[] = {"ask", "--no-save", "--mcp", "fake", "-m", "fo/tools2", "hi", NULL};
	assert_int_equal(tmux_start_cherry(&t, &H, args, env, 100, 30), 0);
	assert_int_equal(tmux_wait_for(&t, "run fake/echo (call 1 of 2)", 10000), 0);
	assert_int_equal(tmux_wait_for(&t, "\"text\": \"hi\"", 5000), 0);
	assert_int_equal(tmux_type(&t, "d\n"), 0);
	assert_int_equal(tmux_wait_for(&t, "run fake/fail (call 2 of 2)", 5000), 0);
	assert_int_equal(tmux_type(&t, "a\n"), 0);
	/* cherry ends right after the answer: wait for that, then read the screen */
	int status;
	assert_int_equal(tmux_wait_dead(&t, &status, 10000), 0);
	assert_int_equal(status, 0);
	char *screen = tmux_capture(&t, 0);
	assert_non_null(screen);
	assert_non_null(strstr(screen, "round 1: fake/echo not run: the user denied it\n"));
	assert_non_null(strstr(screen, "Results: The call was not run: the user denied it. | "
				       "it failed on purpose"));
	free(screen);
	tmux_stop(&t);
	char path[600];
	snprintf(path, sizeof path, "%s/config/cherry/config.json", H.root);
	char *cfg = harness_read_file(path, NULL);
	assert_non_null(cfg);
	assert_non_null(strstr(cfg, "\"always_allow\": [\n      \"fake/fail\"\n    ]"));
	assert_non_null(strstr(cfg, "\"mcp_servers\"")); /* the rest is kept */
	free(cfg);
	/* fail now runs without asking; echo still needs an answer: none, so refused */
	struct run r;
	ask(&r, "fo/tool:fail", NULL, NULL);
	assert_string_equal(r.out, "Results: it failed on purpose\n");
	run_free(&r);
	write_config(NULL);
}

/* Ctrl-C at the question stops the turn: nothing runs, no answer is asked for. */
static void test_terminal_stop(void **state)
{
	(void)state;
	struct tmux t;
	const char *args[] = {"ask", "--no-save", "--mcp", "fake", "-m", "fo/tools2", "hi", NULL};
	assert_int_equal(fakeprov_clear_log(&FP), 0);
	assert_int_equal(tmux_start_cherry(&t, &H, args, env, 100, 30), 0);
	assert_int_equal(tmux_wait_for(&t, "run fake/echo (call 1 of 2)", 10000), 0);
	assert_int_equal(tmux_wait_for(&t, "[d]eny:", 5000), 0);
	assert_int_equal(tmux_keys(&t, "C-c", NULL), 0);
	int status;
	assert_int_equal(tmux_wait_dead(&t, &status, 10000), 0);
	assert_int_equal(status, 130);
	char *screen = tmux_capture(&t, 0);
	assert_non_null(strstr(screen, "cherry: interrupted; the tool calls were not run"));
	assert_null(strstr(screen, "fake/fail")); /* never asked about */
	free(screen);
	tmux_stop(&t);
	assert_int_equal(fakeprov_count(&FP), 1);
}

/* tools.max_result_bytes caps what the model gets, and says so. */
static void test_cap(void **state)
{
	(void)state;
	write_config("\"tools\": {\"max_result_bytes\": 5}");
	struct run r;
	ask(&r, "fo/tool:echo", "--allow-tools", NULL);
	assert_string_equal(r.out, "Results: Echo:\n[cherry: the result was cut to 5 of its 8 "
				   "bytes (tools.max_result_bytes)]\n");
	run_free(&r);
	write_config(NULL);
}

/* A model that never stops calling is stopped at tools.max_rounds, with one line. */
static void test_max_rounds(void **state)
{
	(void)state;
	write_config("\"tools\": {\"max_rounds\": 2}");
	struct run r;
	assert_int_equal(fakeprov_clear_log(&FP), 0);
	ask(&r, "fo/toolsloop", "--allow-tools", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "cherry: round 2: fake/echo: ok"));
	assert_null(strstr(r.err, "round 3"));
	assert_non_null(strstr(r.err, "cherry: stopped after 2 rounds of tool calls "
				      "(tools.max_rounds): the last answer's calls were not run\n"));
	assert_int_equal(fakeprov_count(&FP), 3);
	run_free(&r);
	write_config(NULL);
}

/* An MCP server over HTTP (fakemcp's http mode) serves the loop as a stdio one does. */
static void test_http_server(void **state)
{
	(void)state;
	struct fakemcp_http f;
	assert_int_equal(fakemcp_http_start(&f, fakemcp, NULL, NULL), 0);
	char cfg[1024];
	snprintf(cfg, sizeof cfg,
		 "{\"providers\": {\"fa\": {\"kind\": \"anthropic\", \"base_url\": "
		 "\"http://127.0.0.1:%d\", \"key_env\": \"FAKE_KEY\"}},"
		 "\"mcp_servers\": {\"fake\": {\"url\": \"http://127.0.0.1:%d/mcp\"}}}",
		 FP.port, f.port);
	assert_int_equal(testhome_write_config(&H, cfg), 0);
	struct run r;
	ask(&r, "fa/tools2", "--allow-tools", NULL);
	if (r.status || strcmp(r.out, "Results: Echo: hi | it failed on purpose\n"))
		fail_msg("status %d\nout: %s\nerr: %s", r.status, r.out, r.err);
	assert_non_null(strstr(r.err, "cherry: round 1: fake/echo: ok, 8 bytes"));
	run_free(&r);
	fakemcp_http_stop(&f);
	write_config(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_six_kinds),
		cmocka_unit_test(test_no_terminal),
		cmocka_unit_test(test_canary),
		cmocka_unit_test(test_continue),
		cmocka_unit_test(test_terminal),
		cmocka_unit_test(test_terminal_stop),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_max_rounds),
		cmocka_unit_test(test_http_server),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
