/* test_tui_tools: the full-screen client's tool loop in a real terminal (a private tmux
 * server) against the fake provider and tests/fakemcp.c: /tools starts a server and the
 * status line counts its tools; a call is asked about before it runs (allow once, deny,
 * Esc stops the turn, always saved in config.json); results show folded and expand with
 * F7; the next request carries the calls and results; a hostile result never reaches
 * the terminal; a running call shows its progress and Esc stops it; a server's new
 * tools are offered once it says its list changed; a server slow to start holds no key,
 * and a message sent meanwhile waits for its tools (Esc: not now); a conversation's servers are its
 * again in the next run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <jansson.h>

#include "cherry/history.h"

#include "harness.h"
#include "tmux.h"

#define CANARY "sk-test-CANARY-7d3b1e0f9a2c"

static int TMO = 10000;
static const char *const key_env[] = {"FAKE_OPENAI_KEY=" CANARY, NULL};
static struct fakeprov FP;
static struct testhome H;
static struct tmux T;
static char *SCR;
static char fakemcp[PATH_MAX];

static const char *screen(void)
{
	free(SCR);
	SCR = tmux_capture(&T, 0);
	assert_non_null(SCR);
	assert_null(strstr(SCR, "CANARY"));
	return SCR;
}

static void wait_for(const char *text)
{
	if (tmux_wait_for(&T, text, TMO) < 0)
		fail_msg("\"%s\" never appeared on the screen (dumped above)", text);
	screen();
}

static void keys(const char *k)
{
	assert_int_equal(tmux_keys(&T, k, NULL), 0);
}

static void send_line(const char *text)
{
	assert_int_equal(tmux_type(&T, text), 0);
	keys("Enter");
}

static void start_cherry_at(const char *model, int cols)
{
	if (!tmux_path()) {
		printf("# SKIP tmux is not installed\n");
		skip();
	}
	const char *args[] = {"-m", model, NULL};
	if (tmux_start_cherry(&T, &H, args, key_env, cols, 40) < 0)
		fail_msg("could not start cherry in tmux");
	wait_for(model);
}

static void start_cherry(const char *model)
{
	start_cherry_at(model, 100);
}

/* cherry with the fake server "fake" enabled in a fresh conversation: 10 tools on. */
static void start_with_tools(const char *model)
{
	start_cherry(model);
	send_line("/tools fake on");
	wait_for("10 tools");
}

/* The requests that reached /v1/chat/completions, the last one's messages. */
static json_t *last_messages(size_t *count)
{
	json_t *all = fakeprov_requests(&FP), *r, *last = NULL;
	size_t i;
	*count = 0;
	json_array_foreach(all, i, r)
		if (strstr(json_string_value(json_object_get(r, "path")), "chat/completions")) {
			(*count)++;
			last = r;
		}
	json_t *m = last ? json_incref(json_object_get(json_object_get(last, "body"), "messages"))
			 : NULL;
	json_decref(all);
	return m;
}

/* Polls until want requests reached the provider (or the time is up): how many did. */
static size_t wait_requests(size_t want)
{
	size_t n = 0;
	for (double end = tmux_now() + TMO / 1000.0; tmux_now() < end; tmux_sleep_ms(20)) {
		json_decref(last_messages(&n));
		if (n >= want)
			break;
	}
	return n;
}

static void test_allow_once_folded(void **state)
{
	(void)state;
	start_with_tools("fo/tool:echo");
	send_line("hi");
	wait_for("The model asks to run fake/echo");
	wait_for("\"text\": \"hi\"");
	keys("o");
	wait_for("Results: Echo: hi");
	/* folded: the tool, ✓, the result's first line; no arguments */
	assert_non_null(strstr(SCR, "\xe2\x9a\x99 fake/echo \xe2\x9c\x93"));
	assert_null(strstr(SCR, "arguments:"));
	size_t n;
	json_t *msgs = last_messages(&n);
	assert_int_equal(n, 2);
	/* the second request carries the call and its result */
	json_t *call = json_array_get(msgs, json_array_size(msgs) - 2);
	json_t *res = json_array_get(msgs, json_array_size(msgs) - 1);
	assert_string_equal(json_string_value(json_object_get(res, "role")), "tool");
	assert_string_equal(json_string_value(json_object_get(res, "content")), "Echo: hi");
	assert_string_equal(json_string_value(json_object_get(res, "tool_call_id")),
			    json_string_value(json_object_get(
				    json_array_get(json_object_get(call, "tool_calls"), 0), "id")));
	json_decref(msgs);
	keys("F7");
	wait_for("arguments:");
	/* the second turn asks again: "once" was for that call only */
	send_line("again");
	wait_for("The model asks to run fake/echo");
	keys("t");
	assert_int_equal(wait_requests(4), 4);
	wait_for("idle");
	/* "for this conversation": the third turn runs without asking */
	send_line("third");
	/* the call ran and the model answered, without a question */
	assert_int_equal(wait_requests(6), 6);
	screen();
	assert_null(strstr(SCR, "The model asks"));
}

static void test_deny_and_esc(void **state)
{
	(void)state;
	start_with_tools("fo/tool:echo");
	send_line("hi");
	wait_for("The model asks to run fake/echo");
	keys("d");
	wait_for("Results: The call was not run: the user denied it.");
	assert_non_null(strstr(SCR, "\xe2\x9a\x99 fake/echo \xe2\x9c\x97"));
	size_t n;
	json_decref(last_messages(&n));
	assert_int_equal(n, 2);
	send_line("again");
	wait_for("The model asks to run fake/echo");
	keys("Escape");
	wait_for("the turn was stopped");
	json_decref(last_messages(&n));
	assert_int_equal(n, 3); /* no answer after Esc */
	/* the saved conversation holds the refusal as the call's result */
	if (tmux_wait_for(&T, "Results:", 10) < 0)
		fail_msg("the first turn's answer went away");
}

static void test_hostile_always(void **state)
{
	(void)state;
	char title0[256], title1[256];
	start_with_tools("fo/tool:hostile");
	assert_int_equal(tmux_format(&T, "#{pane_title}", title0, sizeof title0), 0);
	send_line("hi");
	wait_for("The model asks to run fake/hostile");
	keys("a");
	wait_for("always allowed from now on");
	wait_for("Results:");
	keys("F7");
	wait_for("arguments:");
	wait_for("red");
	assert_null(strstr(SCR, "\xc2\x9b"));
	assert_null(strstr(SCR, "aGk="));
	assert_int_equal(tmux_format(&T, "#{pane_title}", title1, sizeof title1), 0);
	assert_string_equal(title1, title0);
	char *bufs = tmux_buffers(&T);
	assert_non_null(bufs);
	if (*bufs)
		fail_msg("a paste buffer was set: %s", bufs);
	free(bufs);
	/* saved in config.json: the next run does not ask */
	char path[512], *text = NULL;
	snprintf(path, sizeof path, "%s/config/cherry/config.json", H.root);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	text = calloc(1, 65536);
	assert_int_equal(fread(text, 1, 65535, f) > 0, 1);
	fclose(f);
	assert_non_null(strstr(text, "fake/hostile"));
	free(text);
}

/* A running call leaves the screen alive: its progress shows, and Esc stops it (the
 * server is told) and the turn, at once: the call's wait wakes on the terminal (timed
 * through a control-mode client, as test_tui times Esc on a stream; the server's next
 * progress is 2.5 s away). */
static void test_esc_stops_running_call(void **state)
{
	(void)state;
	start_with_tools("fo/tool:slow");
	send_line("hi");
	wait_for("The model asks to run fake/slow");
	keys("o");
	wait_for("1 of 4");
	double ms = tmux_ctl_time_key(&T, "Escape", "the turn was stopped", TMO);
	wait_for("the turn was stopped");
	printf("# Esc during a tool call to \"the turn was stopped\" on the screen: %.0f ms\n", ms);
	const char *b = getenv("CHERRY_TEST_BUILD");
	double budget = getenv("ASAN_OPTIONS") || (b && strstr(b, "san")) ? 500 : 200;
	if (ms > budget)
		fail_msg("Esc took %.0f ms to stop the call (budget %.0f ms)", ms, budget);
	keys("F7");
	wait_for("The call was stopped by the user.");
	size_t n;
	json_decref(last_messages(&n));
	assert_int_equal(n, 1);
	/* the server's stderr (its log) is read to the end when it is closed, at the quit */
	keys("C-q");
	int status;
	assert_int_equal(tmux_wait_dead(&T, &status, TMO), 0);
	char path[512];
	snprintf(path, sizeof path, "%s/state/cherry/mcp", H.root);
	assert_int_equal(tree_contains(path, "cancelled"), 1);
}

/* Two models asked at once, one of them calling the slow tool: the other's answer goes
 * on streaming to its end while the call runs (the call's wait reads its transfer), and
 * the call still ends as it would. */
static void test_other_answer_streams_during_call(void **state)
{
	(void)state;
	start_cherry_at("fo/tool:slow", 160);
	send_line("/tools fake on");
	wait_for("10 tools");
	send_line("@fo/tool:slow @fo/long:60+slow:40 hi");
	wait_for("The model asks to run fake/slow");
	keys("o");
	wait_for("1 of 4"); /* the call runs: 10 s, its progress a step each 2.5 s */
	if (tmux_wait_for(&T, "Results: slow done", 2 * TMO) < 0)
		fail_msg("the call's result never came");
	size_t n;
	json_decref(last_messages(&n));
	assert_int_equal(n, 3); /* the two answers, and the one after the result */
	keys("C-q");
	int status;
	assert_int_equal(tmux_wait_dead(&T, &status, TMO), 0);
	/* as saved: the other answer (its last token "[60] ") ended before the result came */
	char dir[PATH_MAX], path[PATH_MAX + 300];
	snprintf(dir, sizeof dir, "%s/data/cherry/conversations", H.root);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	path[0] = '\0';
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".json") && !strstr(de->d_name, ".jsonl"))
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
	closedir(d);
	size_t len;
	char *text = harness_read_file(path, &len);
	assert_non_null(text);
	struct hist_conv cv;
	struct err e;
	err_clear(&e);
	assert_int_equal(hist_from_json(text, len, &cv, &e), HIST_LOAD_OK);
	free(text);
	double other_end = -1, result_at = -1;
	for (size_t i = 0; i < cv.n; i++) {
		if (strstr(cv.msgs[i].content, "[60] "))
			other_end = cv.msgs[i].updated;
		if (!strcmp(cv.msgs[i].role, "tool"))
			result_at = cv.msgs[i].created;
	}
	hist_conv_free(&cv);
	assert_true(other_end > 0 && result_at > 0);
	if (other_end >= result_at)
		fail_msg("the other answer ended %.2f s after the call's result: it waited for "
			 "the call", other_end - result_at);
}

/* A server that says its tool list changed is listed again before the next request. */
static void test_list_changed(void **state)
{
	(void)state;
	start_with_tools("fo/tool:change");
	send_line("hi");
	wait_for("The model asks to run fake/change");
	keys("o");
	wait_for("Results: changed");
	json_t *all = fakeprov_requests(&FP);
	json_t *last = json_array_get(all, json_array_size(all) - 1);
	char *tools = json_dumps(json_object_get(json_object_get(last, "body"), "tools"), 0);
	assert_non_null(tools);
	assert_non_null(strstr(tools, "fake__added"));
	free(tools);
	json_decref(all);
	wait_for("11 tools");
}

static void test_max_rounds(void **state)
{
	(void)state;
	start_with_tools("fo/toolsloop");
	send_line("loop");
	/* max_rounds is 2 here: two rounds run, the third answer's calls do not */
	wait_for("(call 1 of 1, round 1)");
	keys("o");
	wait_for("(call 1 of 1, round 2)");
	keys("o");
	wait_for("stopped after 2 rounds");
}

/* Key echoes (ms, into v) timed through a control-mode client (a tmux command costs
 * ~0.1 ms there, ~10 ms through a fresh client), letters typed one by one into the
 * empty input; stops at max or when stop shows. How many were taken. */
static int echo_samples(double *v, int max, const char *stop)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
	struct tmux_ctl ctl;
	assert_int_equal(tmux_ctl_open(&T, &ctl), 0);
	int n = 0, gone = 0;
	for (int k = 0; k < max && k < 26 && !gone; k++) {
		char cmd[64], want[64];
		snprintf(cmd, sizeof cmd, "send-keys -t %%0 -l %c", letters[k]);
		snprintf(want, sizeof want, "%.*s", k + 1, letters);
		double t0 = tmux_now(), ms = -1;
		assert_int_equal(tmux_ctl_cmd(&ctl, cmd, NULL), 0);
		while (ms < 0 && tmux_now() - t0 < TMO / 1000.0) {
			char *s = NULL;
			assert_int_equal(tmux_ctl_cmd(&ctl, "capture-pane -p -t %0", &s), 0);
			if (strstr(s, want))
				ms = (tmux_now() - t0) * 1000;
			gone = !strstr(s, stop);
			free(s);
		}
		if (ms < 0)
			break;
		v[n++] = ms;
		tmux_sleep_ms(20);
	}
	tmux_ctl_close(&ctl);
	return n;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* A server slow to start (2.5 s before it answers initialize, as npx fetching one) holds
 * nothing: keys echo within a frame meanwhile, the status line says what happens, and a
 * message sent meanwhile waits for its tools (the model is offered them). */
static void test_slow_start(void **state)
{
	(void)state;
	start_cherry("fo/tool:echo");
	send_line("/tools late on");
	wait_for("starting MCP server late");
	/* the budget of a frame, on the median of a round of keys; a second round when
	 * the first lost its time to the machine's other work (a shared CI machine) */
	double v[12], median = 0, budget = getenv("ASAN_OPTIONS") ? 50 : 16;
	int n = 0;
	for (int round = 0; round < 2 && (!round || median > budget); round++) {
		if (round)
			keys("C-u");
		n = echo_samples(v, 12, "starting MCP server late");
		if (n < 5)
			fail_msg("only %d keys echoed while the server started (dumped above)", n);
		qsort(v, (size_t)n, sizeof *v, by_value);
		median = v[n / 2];
	}
	printf("# key echo while an MCP server starts: median %.1f ms, max %.1f ms over %d\n",
	       median, v[n - 1], n);
	if (median > budget || v[n - 1] > 20 * budget)
		fail_msg("keys echoed in %.1f ms (median), %.1f ms (max) while the server started "
			 "(budget %.0f ms)", median, v[n - 1], budget);
	keys("C-u");
	send_line("hi");
	wait_for("the message waits for MCP server late");
	keys("Escape"); /* not now: it stays in the input */
	wait_for("not sent: the message is still in the input");
	keys("Enter");
	wait_for("The model asks to run late/echo");
	keys("o");
	wait_for("Results: Echo: hi");
}

/* Quitting while a server starts takes a moment: the server is not waited for. */
static void test_quit_while_starting(void **state)
{
	(void)state;
	start_cherry("fo/echo");
	send_line("/tools late on");
	wait_for("starting MCP server late");
	double t0 = tmux_now();
	keys("C-q");
	int status;
	assert_int_equal(tmux_wait_dead(&T, &status, TMO), 0);
	double ms = (tmux_now() - t0) * 1000, budget = getenv("ASAN_OPTIONS") ? 3000 : 1500;
	printf("# quit while an MCP server starts: %.0f ms\n", ms);
	assert_int_equal(status, 0);
	if (ms > budget)
		fail_msg("quitting took %.0f ms while the server started (budget %.0f ms)", ms,
			 budget);
}

/* The file's text ("" when it cannot be read; the caller frees). */
static char *slurp(const char *path)
{
	char *text = calloc(1, 65536);
	FILE *f = fopen(path, "r");
	assert_non_null(text);
	if (f) {
		size_t n = fread(text, 1, 65535, f);
		text[n] = '\0';
		fclose(f);
	}
	return text;
}

/* The servers a conversation turned on are its again when it is reopened in the next
 * run, started by themselves; turned off, they stay off. */
static void test_servers_kept(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof path, "%s/state/cherry/tools.json", H.root);
	start_with_tools("fo/echo");
	send_line("kept-marker");
	wait_for(" out ");
	for (int round = 0; round < 2; round++) {
		keys("C-q");
		int status;
		assert_int_equal(tmux_wait_dead(&T, &status, TMO), 0);
		tmux_stop(&T);
		memset(&T, 0, sizeof T);
		start_cherry("fo/echo"); /* the last conversation, reopened */
		wait_for("kept-marker");
		char *kept = slurp(path);
		if (round == 0) {
			assert_non_null(strstr(kept, "\"fake\""));
			wait_for("10 tools");
			send_line("/tools fake off");
			wait_for("MCP server fake off for this conversation");
		} else {
			assert_null(strstr(kept, "\"fake\""));
			screen();
			assert_null(strstr(SCR, "tools"));
		}
		free(kept);
	}
}

static void write_config(void)
{
	char extra[1024 + 2 * PATH_MAX];
	snprintf(extra, sizeof extra,
		 "\"network\": {\"max_retries\": 0}, \"tools\": {\"max_rounds\": 2},"
		 " \"mcp_servers\": {\"fake\": {\"command\": \"%s\"},"
		 " \"late\": {\"command\": \"%s\", \"env\": {\"FAKEMCP_INIT_DELAY_MS\": \"2500\"}}}",
		 fakemcp, fakemcp);
	char *cfg = testhome_fake_config(FP.port, extra);
	assert_non_null(cfg);
	assert_int_equal(testhome_write_config(&H, cfg), 0);
	free(cfg);
}

static int setup(void **state)
{
	(void)state;
	memset(&T, 0, sizeof T);
	if (testhome_make(&H) < 0)
		return -1;
	write_config();
	return fakeprov_clear_log(&FP);
}

static int teardown(void **state)
{
	(void)state;
	tmux_stop(&T);
	int leaked = H.root[0] ? tree_contains(H.root, "CANARY") : 0;
	testhome_remove(&H);
	free(SCR);
	SCR = NULL;
	return leaked == 1 ? -1 : 0;
}

int main(void)
{
	const char *build = getenv("CHERRY_TEST_BUILD");
	char rel[300];
	snprintf(rel, sizeof rel, "%.200s/tests/fakemcp", build ? build : "build");
	if (!realpath(rel, fakemcp) || fakeprov_start(&FP) < 0)
		return 1;
	if (getenv("ASAN_OPTIONS") || (build && strstr(build, "san")))
		TMO = 20000;
	if (getenv("TUI_TESTS"))
		cmocka_set_test_filter(getenv("TUI_TESTS"));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_allow_once_folded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deny_and_esc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_always, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_rounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_esc_stops_running_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_answer_streams_during_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_servers_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quit_while_starting, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	fakeprov_stop(&FP);
	return rc;
}
