/* test_tui: the real full-screen client in a real terminal (a private tmux server) against
 * the fake provider: what is on the screen, what the provider receives and what is saved,
 * for each item of the full-screen contract (/tmp/s2/tui-contract.md): the status line,
 * streaming, model switching, Esc, resizing, tiny terminals, wide characters, hostile
 * escape sequences, idle CPU, quitting, help, commands, the welcome, reopening, the policy
 * notice, where it connects, and keys that never reach the screen or a file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cherry/journal.h"
#include "cherry/privacy.h"
#include "harness.h"
#include "tmux.h"

#define CANARY "sk-test-CANARY-5e1f0a9c3d7b2e4f6a8c"
#define PROMPT_CANARY "PROMPTBIRD-8c2e7a" /* no "CANARY" in it: that marks the key */
#define PASS "tui-test-passphrase"
/* The input box while the vault asks for its passphrase (the contract's words, "Vault
 * passphrase: ", without the blank that tmux drops at the end of a row). */
#ifndef VAULT_PROMPT
#define VAULT_PROMPT "Passphrase for the cherry key vault:"
#endif
/* Every wait polls and returns as soon as it can; these bound a wait that fails: what
 * takes well under a second here, with room for a loaded machine and the sanitizer
 * build (set in main). */
static int TMO = 10000;

static const char *const key_env[] = {
	"FAKE_OPENAI_KEY=" CANARY,
	"FAKE_ANTHROPIC_KEY=" CANARY,
	"FAKE_GEMINI_KEY=" CANARY,
	"FAKE_AZURE_KEY=" CANARY,
	NULL,
};

#define BASE_CONFIG                                                                     \
	"\"default_model\": \"fo/hello\",\n"                                                \
	"  \"favorites\": [\"fo/hello\", \"fo/echo\", \"fl/hello\"],\n"                     \
	"  \"network\": {\"max_retries\": 0, \"stall_timeout\": 10}"

static struct fakeprov FP;
static struct testhome H;
static struct tmux T;
static char *SCR; /* the last capture */

/* ---- helpers ---- */

static int slow_build(void)
{
	const char *b = getenv("CHERRY_TEST_BUILD");
	return getenv("ASAN_OPTIONS") || (b && strstr(b, "san"));
}

static void need_tmux(void)
{
	if (!tmux_path()) {
		printf("# SKIP tmux is not installed: the full-screen tests are skipped\n");
		skip();
	}
}

static void start_env(int cols, int rows, const char *a0, const char *a1,
		      const char *const *env)
{
	need_tmux();
	const char *args[] = {a0, a1, NULL};
	if (tmux_start_cherry(&T, &H, a0 ? args : NULL, env, cols, rows) < 0)
		fail_msg("could not start cherry in tmux");
}

static void start(int cols, int rows, const char *a0, const char *a1)
{
	start_env(cols, rows, a0, a1, key_env);
}

/* A fresh capture in SCR; no capture may ever show the key. */
static const char *screen(void)
{
	free(SCR);
	SCR = tmux_capture(&T, 0);
	assert_non_null(SCR);
	if (strstr(SCR, "CANARY")) {
		tmux_dump(&T, "the API key is on the screen");
		fail_msg("the API key is on the screen");
	}
	return SCR;
}

static const char *row(int i)
{
	static char r[8192];
	return tmux_row(SCR, i, r, sizeof r);
}

/* The chat pane's part of a row: what follows the list's "│", if the row has one. */
static const char *chat_part(const char *r)
{
	const char *bar = strstr(r, "│");
	return bar ? bar + strlen("│") : r;
}

static void wait_for(const char *text)
{
	if (tmux_wait_for(&T, text, TMO) < 0)
		fail_msg("\"%s\" never appeared on the screen (dumped above)", text);
	screen();
}

static void wait_gone(const char *text)
{
	if (tmux_wait_gone(&T, text, TMO) < 0)
		fail_msg("\"%s\" stayed on the screen (dumped above)", text);
	screen();
}

static void wait_stable(void)
{
	if (tmux_wait_stable(&T, 150, TMO) < 0)
		fail_msg("the screen kept changing (dumped above)");
	screen();
}

/* text is on the screen, now or within a second (a capture may catch a frame half
 * drawn). */
static void on_screen(const char *text)
{
	if (strstr(screen(), text))
		return;
	if (tmux_wait_for(&T, text, 1000) < 0)
		fail_msg("\"%s\" is not on the screen (dumped above)", text);
	screen();
}

/* text is not on the settled screen. */
static void not_on_screen(const char *text)
{
	if (tmux_wait_stable(&T, 100, TMO) < 0)
		fail_msg("the screen kept changing (dumped above)");
	if (strstr(screen(), text)) {
		tmux_dump(&T, "unexpected text");
		fail_msg("\"%s\" is on the screen (dumped above)", text);
	}
}

static void keys(const char *k)
{
	assert_int_equal(tmux_keys(&T, k, NULL), 0);
}

static void type(const char *text)
{
	assert_int_equal(tmux_type(&T, text), 0);
}

static void send_line(const char *text)
{
	type(text);
	keys("Enter");
}

/* Polls until the status line (the last row) starts with " MODEL · " and then state
 * (NULL: any state). A capture may catch a frame half drawn: only a match counts. */
static void wait_status(const char *model, const char *state)
{
	char want[256];
	snprintf(want, sizeof want, " %s · %s", model, state ? state : "");
	for (double end = tmux_now() + TMO / 1000.0;; tmux_sleep_ms(20)) {
		screen();
		if (!strncmp(row(-1), want, strlen(want)))
			return;
		if (tmux_now() > end || tmux_dead(&T, NULL) != 0) {
			tmux_dump(&T, "status line");
			fail_msg("the status line does not start with \"%s\"", want);
		}
	}
}

/* The status line's left part for a model in a state: " fo/hello · idle". */
static void wait_state(const char *model, const char *state)
{
	wait_status(model, state);
}

/* The status line names model, whatever the state (a model chosen after a stopped or
 * failed answer shows with that state until the next message). */
static void wait_model(const char *model)
{
	wait_status(model, NULL);
}

/* 1 when text is in the chat pane (right of the list's "│", if shown). */
static int chat_has(const char *text)
{
	screen();
	for (int i = 0; i < tmux_nrows(SCR) - 1; i++)
		if (strstr(chat_part(row(i)), text))
			return 1;
	return 0;
}

static void wait_chat(const char *text, int want)
{
	for (double end = tmux_now() + TMO / 1000.0; chat_has(text) != want; tmux_sleep_ms(20))
		if (tmux_now() > end) {
			tmux_dump(&T, "chat pane");
			fail_msg("\"%s\" %s the chat pane", text, want ? "never showed in" :
				 "stayed in");
		}
}

static void wait_requests(size_t n)
{
	for (double end = tmux_now() + TMO / 1000.0; fakeprov_count(&FP) < n; tmux_sleep_ms(20))
		if (tmux_now() > end)
			fail_msg("the fake provider got %zu requests, not %zu", fakeprov_count(&FP), n);
}

/* The status line says idle, whatever the model. */
static void wait_idle(void)
{
	for (double end = tmux_now() + TMO / 1000.0;; tmux_sleep_ms(20)) {
		screen();
		const char *st = row(-1), *dot = strstr(st, " · ");
		if (dot && !strncmp(dot, " · idle", strlen(" · idle")))
			return;
		if (tmux_now() > end) {
			tmux_dump(&T, "status line");
			fail_msg("the status line never said idle");
		}
	}
}

/* Sends a prompt and waits for the answer to end: the request logged, the state idle. */
static void exchange(const char *model, const char *prompt)
{
	size_t before = fakeprov_count(&FP);
	send_line(prompt);
	wait_requests(before + 1);
	wait_state(model, "idle");
}

static const char *last_model_sent(char *out, size_t n)
{
	json_t *req = fakeprov_last_request(&FP);
	assert_non_null(req);
	const char *m = json_string_value(json_object_get(json_object_get(req, "body"), "model"));
	snprintf(out, n, "%s", m ? m : "(none)");
	json_decref(req);
	return out;
}

static const char *last_path(char *out, size_t n)
{
	json_t *req = fakeprov_last_request(&FP);
	assert_non_null(req);
	snprintf(out, n, "%s", json_string_value(json_object_get(req, "path")));
	json_decref(req);
	return out;
}

static void quit_ok(void)
{
	int st = -1;
	keys("C-q");
	if (tmux_wait_dead(&T, &st, TMO) < 0)
		fail_msg("C-q did not end cherry");
	assert_int_equal(st, 0);
}

static void assert_alive(const char *when)
{
	int st = -1;
	int d = tmux_dead(&T, &st);
	if (d != 0) {
		tmux_dump(&T, when);
		fail_msg("cherry is not running %s (status %d)", when, st);
	}
}

/* Every row of the settled screen fits the terminal's width. */
static void assert_rows_fit(int cols)
{
	wait_stable();
	for (int i = 0; i < tmux_nrows(SCR); i++) {
		const char *r = row(i);
		int w = tmux_width(r, strlen(r));
		if (w > cols) {
			tmux_dump(&T, "row too wide");
			fail_msg("row %d is %d columns wide in a %d-column terminal", i, w, cols);
		}
	}
}

static void data_path(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/data/cherry/%s", H.root, rel);
}

static void state_path(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/state/cherry/%s", H.root, rel);
}

/* The conversations' ids, newest first (the first n of them). */
static void conv_ids(char ids[][64], size_t n)
{
	static const char *const args[] = {"history", "list", "--json", NULL};
	struct run r;
	assert_int_equal(run_cherry(&r, &H, args, key_env, NULL, TMO), 0);
	assert_int_equal(r.status, 0);
	json_t *arr = json_loads(r.out, 0, NULL);
	assert_true(json_array_size(arr) >= n);
	for (size_t i = 0; i < n; i++)
		snprintf(ids[i], 64, "%s", json_string_value(json_object_get(json_array_get(arr, i),
									     "id")));
	json_decref(arr);
	run_free(&r);
}

/* The newest conversation's id, from `cherry history list --json`. */
static void newest_id(char *out, size_t n)
{
	char ids[1][64];
	conv_ids(ids, 1);
	snprintf(out, n, "%s", ids[0]);
}

static int dump_compact(json_t *c, struct buf *out)
{
	size_t need = json_dumpb(c, NULL, 0, 0);
	if (!need || buf_reserve(out, need + 1) < 0 || json_dumpb(c, out->data, need, 0) != need)
		return -1;
	out->len = need;
	out->data[need] = '\0';
	return 0;
}

static json_t *conv_file(const char *id)
{
	char rel[128], path[512];
	snprintf(rel, sizeof rel, "conversations/%s.json", id);
	data_path(path, sizeof path, rel);
	json_error_t je;
	json_t *c = json_load_file(path, 0, &je);
	if (!c)
		fail_msg("%s: %s", path, je.text);
	/* While an answer streams its text goes to the journal beside the file (journal.h):
	 * the conversation is the file with the journal applied. */
	char jpath[512], *text = NULL;
	snprintf(rel, sizeof rel, "conversations/%s.jsonl", id);
	data_path(jpath, sizeof jpath, rel);
	FILE *f = fopen(jpath, "r");
	size_t jlen = 0;
	if (f) {
		text = malloc(1 << 24);
		jlen = text ? fread(text, 1, 1 << 24, f) : 0;
		fclose(f);
	}
	struct buf raw = BUF_INIT, out = BUF_INIT;
	struct hist_conv conv;
	struct err e = {0, ""};
	if (text && jlen && dump_compact(c, &raw) == 0 &&
	    hist_from_json(raw.data, raw.len, &conv, &e) == HIST_LOAD_OK) {
		if (journal_apply(&conv, text, jlen) > 0 && hist_to_json(&conv, &out) == 0) {
			json_decref(c);
			c = json_loadb(out.data, out.len, 0, &je);
		}
		hist_conv_free(&conv);
	}
	buf_free(&raw);
	buf_free(&out);
	free(text);
	if (!c)
		fail_msg("%s with its journal: %s", path, je.text);
	return c;
}

static json_t *newest_conv(void)
{
	char id[64];
	newest_id(id, sizeof id);
	return conv_file(id);
}

/* A string member of the conversation's i-th message (negative: from the end). */
static const char *msg_field(json_t *conv, long i, const char *key)
{
	json_t *msgs = json_object_get(conv, "messages");
	if (i < 0)
		i += (long)json_array_size(msgs);
	return json_string_value(json_object_get(json_array_get(msgs, (size_t)i), key));
}

static void assert_str(const char *got, const char *want)
{
	if (!got || strcmp(got, want))
		fail_msg("got \"%s\", want \"%s\"", got ? got : "(null)", want);
}

/* config.json: the fake providers and extra. */
static void write_config(const char *extra)
{
	char *cfg = testhome_fake_config(FP.port, extra);
	assert_non_null(cfg);
	assert_int_equal(testhome_write_config(&H, cfg), 0);
	free(cfg);
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	(void)state;
	return fakeprov_start(&FP);
}

static int group_teardown(void **state)
{
	(void)state;
	fakeprov_stop(&FP);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(&T, 0, sizeof T);
	if (testhome_make(&H) < 0)
		return -1;
	char *cfg = testhome_fake_config(FP.port, BASE_CONFIG);
	int rc = cfg ? testhome_write_config(&H, cfg) : -1;
	free(cfg);
	fakeprov_clear_log(&FP);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	tmux_stop(&T);
	/* a key from the environment is never written anywhere */
	int leaked = H.root[0] ? tree_contains(H.root, "CANARY") : 0;
	testhome_remove(&H);
	free(SCR);
	SCR = NULL;
	if (leaked == 1)
		fprintf(stderr, "# the API key was written to a file under HOME\n");
	return leaked == 1 ? -1 : 0;
}

/* ---- the tests ---- */

/* An answer keeps streaming, and keeps being saved, while another conversation is shown;
 * going back to it shows it still growing, and Esc stops it there. */
static void test_stream_continues_in_background(void **state)
{
	(void)state;
	start(100, 30, "-m", "fo/long:100000+slow");
	wait_state("fo/long:100000+slow", "idle");
	send_line("first conversation");
	wait_for("[3] ");
	char id[64];
	newest_id(id, sizeof id);
	keys("C-n");
	wait_for("new conversation");
	not_on_screen("[3] ");
	/* the first conversation's file grows while the new one is on screen */
	json_t *c1 = conv_file(id);
	size_t len1 = strlen(msg_field(c1, -1, "content"));
	json_decref(c1);
	tmux_sleep_ms(1500);
	json_t *c2 = conv_file(id);
	size_t len2 = strlen(msg_field(c2, -1, "content"));
	assert_str(msg_field(c2, -1, "status"), "interrupted"); /* still streaming */
	json_decref(c2);
	if (len2 <= len1)
		fail_msg("the background answer was not saved as it grew (%zu then %zu bytes)",
			 len1, len2);
	/* back to it: the switcher lists it; it is still streaming */
	keys("C-t");
	wait_for("Conversation:");
	type("first conv");
	keys("Enter");
	wait_for("[3] ");
	wait_for("streaming");
	keys("Escape");
	wait_for("[stopped]");
	/* the frame is drawn before the save: poll for the stopped answer on disk */
	json_t *c3 = conv_file(id);
	for (double end = tmux_now() + TMO / 1000.0; tmux_now() < end;) {
		const char *st = msg_field(c3, -1, "status");
		if (st && !strcmp(st, "stopped"))
			break;
		json_decref(c3);
		tmux_sleep_ms(50);
		c3 = conv_file(id);
	}
	assert_str(msg_field(c3, -1, "status"), "stopped");
	assert_true(strlen(msg_field(c3, -1, "content")) > len2);
	json_decref(c3);
	assert_alive("after the background stream");
}

/* Polls until conversation id holds n messages, none of them still streaming. */
static json_t *wait_saved(const char *id, size_t n)
{
	for (double end = tmux_now() + 3 * TMO / 1000.0;; tmux_sleep_ms(50)) {
		json_t *c = conv_file(id);
		json_t *msgs = json_object_get(c, "messages");
		int streaming = 0;
		for (size_t i = 0; i < json_array_size(msgs); i++) {
			const char *st = json_string_value(json_object_get(json_array_get(msgs, i),
									   "status"));
			streaming |= !st || !strcmp(st, "interrupted");
		}
		if (json_array_size(msgs) == n && !streaming)
			return c;
		json_decref(c);
		if (tmux_now() > end)
			fail_msg("conversation %s never held %zu finished messages", id, n);
	}
}

/* Several models at once (issue 14): two models in one conversation and, while they
 * stream, four more across the kinds in another; one fails mid-stream and one is
 * answered 429 first. Every answer completes (or fails alone) and is saved as a
 * sibling with its model; the list marks the first conversation while it streams and
 * then as unread. */
static void test_several_models_at_once(void **state)
{
	(void)state;
	write_config("\"default_model\": \"fo/hello\",\n"
					 "  \"network\": {\"max_retries\": 1, \"stall_timeout\": 10}");
	start(110, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	send_line("@fo/long:100+slow:40 @fz/long:80+slow:40 two models");
	wait_for("2 streams");
	keys("C-n");
	wait_for("new conversation");
	send_line("@fa/hello+slow:300 @fg/hello+flaky429 @fl/long:30+slow:50 "
		  "@fo/hello+midfail+slow:400 four models");
	wait_for("6 streams");
	on_screen(" ~two models"); /* the list: the first one streams */
	wait_requests(7);          /* six answers and the 429's second try */
	char ids[2][64];
	conv_ids(ids, 2);
	/* newest first by their last change, and the two models' may still stream: which
	 * is which the titles tell */
	json_t *first = conv_file(ids[0]);
	const char *title = json_string_value(json_object_get(first, "title"));
	int k4 = !title || strcmp(title, "four models");
	json_decref(first);
	json_t *four = wait_saved(ids[k4], 5), *two = wait_saved(ids[!k4], 3);
	static const struct {
		long i;
		const char *model, *status;
	} want4[] = {{1, "hello+slow:300", "complete"}, {2, "hello+flaky429", "complete"},
		     {3, "long:30+slow:50", "complete"}, {4, "hello+midfail+slow:400", "error"}};
	for (size_t k = 0; k < 4; k++) {
		assert_str(msg_field(four, want4[k].i, "model"), want4[k].model);
		assert_str(msg_field(four, want4[k].i, "status"), want4[k].status);
		assert_str(msg_field(four, want4[k].i, "parent"), msg_field(four, 0, "id"));
	}
	assert_str(msg_field(four, 0, "content"), "four models");
	assert_str(msg_field(four, 1, "content"), "Hello from fake anthropic!");
	assert_str(msg_field(four, 2, "content"), "Hello from fake gemini!");
	assert_str(msg_field(four, 4, "content"), "Hello from");
	assert_str(json_string_value(json_object_get(four, "current")), msg_field(four, 1, "id"));
	for (long i = 1; i <= 2; i++) {
		assert_str(msg_field(two, i, "status"), "complete");
		assert_true(strstr(msg_field(two, i, "content"), "[79] ") != NULL);
	}
	json_decref(four);
	json_decref(two);
	/* the screen shows the first model's answer; the failed one is a sibling away */
	wait_chat("Hello from fake anthropic!", 1);
	on_screen(" *two models"); /* answered while not shown: unread */
	keys("M-.");
	keys("M-.");
	keys("M-.");
	wait_for("fo/hello+midfail+slow:400 (4/4)");
	on_screen("Hello from"); /* what came before the failure stays */
	on_screen("[error");
	assert_alive("after six streams");
	quit_ok();
}

/* Eight models in one message across the five kinds (issue 14): too many to stand side
 * by side at 160 columns, so one at a time under the tab strip; one fails mid-stream and
 * one is answered 429 first and waits a second. All eight stream at once, every answer
 * is saved with its model, the failed one is marked on its tab and in the file, and the
 * others are whole. */
static void test_eight_models_at_once(void **state)
{
	(void)state;
	write_config("\"default_model\": \"fo/hello\",\n"
					 "  \"network\": {\"max_retries\": 1, \"stall_timeout\": 10}");
	start(160, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	size_t before = fakeprov_count(&FP);
	send_line("@fo/hello+late:1200 @fz/reasoning+late:1200 @fa/markdown+late:1200 "
		  "@fg/cjk+late:1200 @fl/hello+late:1200 @fa/hello+midfail+late:1200 "
		  "@fg/hello+flaky429+late:1200 @fo/echo+late:1200 eight models");
	wait_for("8 streams"); /* a second at least: each answer begins late */
	wait_requests(before + 9); /* eight answers and the 429's second try */
	char ids[1][64];
	conv_ids(ids, 1);
	json_t *c = wait_saved(ids[0], 9);
	static const struct {
		const char *model, *status, *content;
	} want[8] = {
		{"hello+late:1200", "complete", "Hello from fake openai!"},
		{"reasoning+late:1200", "complete", "Hello from fake azure!"},
		{"markdown+late:1200", "complete", "# Rendered"},
		{"cjk+late:1200", "complete", "\xe4\xbd\xa0\xe5\xa5\xbd"},
		{"hello+late:1200", "complete", "Hello from fake ollama!"},
		{"hello+midfail+late:1200", "error", "Hello from"},
		{"hello+flaky429+late:1200", "complete", "Hello from fake gemini!"},
		{"echo+late:1200", "complete", "eight models"},
	};
	for (long k = 0; k < 8; k++) {
		assert_str(msg_field(c, k + 1, "model"), want[k].model);
		assert_str(msg_field(c, k + 1, "status"), want[k].status);
		assert_str(msg_field(c, k + 1, "parent"), msg_field(c, 0, "id"));
		assert_true(strstr(msg_field(c, k + 1, "content"), want[k].content) != NULL);
	}
	assert_true(msg_field(c, 6, "error") != NULL);
	json_decref(c);
	/* the strip: eight tabs, none streaming, the sixth failed; its line names it once */
	wait_for("8/8 ");
	for (double end = tmux_now() + TMO / 1000.0; strchr(row(0), '~'); tmux_sleep_ms(20)) {
		screen();
		if (tmux_now() > end)
			fail_msg("a tab still streams: %s", row(0));
	}
	const char *r0 = row(0), *bang = strchr(r0, '!');
	const char *six = strstr(r0, "6/8 "), *seven = strstr(r0, "7/8 ");
	if (!bang || strchr(bang + 1, '!') || !six || !seven || bang < six || bang > seven)
		fail_msg("the sixth tab alone is to be marked failed: %s", r0);
	on_screen("Hello from fake openai!"); /* the first model's answer is shown */
	assert_alive("after eight streams");
	quit_ok();
}

/* F5 asks again: the earlier answer stays as a sibling, M-, and M-. flip between them. */
static void test_retry_keeps_sibling(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	exchange("fo/hello", "question");
	keys("F2"); /* fo/echo: the second answer differs from the first */
	wait_state("fo/echo", "idle");
	keys("F5");
	wait_requests(2);
	wait_for("fo/echo (2/2)");
	wait_state("fo/echo", "idle");
	on_screen("question"); /* echo repeats the prompt */
	not_on_screen("Hello from fake openai!");
	keys("M-,");
	wait_for("fo/hello (1/2)");
	on_screen("Hello from fake openai!");
	keys("M-.");
	wait_for("fo/echo (2/2)");
	json_t *conv = newest_conv();
	assert_int_equal(json_array_size(json_object_get(conv, "messages")), 3);
	assert_str(msg_field(conv, 1, "parent"), msg_field(conv, 0, "id"));
	assert_str(msg_field(conv, 2, "parent"), msg_field(conv, 0, "id"));
	assert_str(json_string_value(json_object_get(conv, "current")), msg_field(conv, 2, "id"));
	json_decref(conv);
}

/* config.json "keys" rebinds an action by name; a bad entry is one warning naming it. */
/* An answer is drawn from its Markdown: no markers, boxes for the table and the code
 * block, math in Unicode; /copy 1 copies the code block. */
static void test_markdown_rendered(void **state)
{
	(void)state;
	start(100, 50, NULL, NULL);
	wait_state("fo/hello", "idle");
	send_line("/model fo/markdown");
	wait_state("fo/markdown", "idle");
	exchange("fo/markdown", "render");
	wait_for("a/b");
	wait_stable();
	on_screen("Rendered");
	on_screen("Some bold and it, code span, ");
	on_screen("g\xCC\xB6o\xCC\xB6n\xCC\xB6""e\xCC\xB6 and a link http://ex.am/ple."); /* struck */
	on_screen("\xE2\x80\xA2 one");
	on_screen("\xE2\x98\x91 done");
	on_screen("\xE2\x94\x82 a quote");
	on_screen("\xE2\x94\x82 apple \xE2\x94\x82   3 \xE2\x94\x82");
	on_screen("\xE2\x94\x82 \xE6\xA2\xA8    \xE2\x94\x82  12 \xE2\x94\x82");
	on_screen("\xE2\x94\x8C\xE2\x94\x80 1 \xC2\xB7 python");
	on_screen("    return x + 1  # add");
	on_screen("Math: \xCE\xB1\xC2\xB2 \xE2\x89\xA4 a/b.");
	not_on_screen("**");
	not_on_screen("```");
	not_on_screen("](");
	send_line("/copy 1");
	wait_for("copied code block 1 (");
}

static void test_rebinding_from_config(void **state)
{
	(void)state;
	write_config(BASE_CONFIG ",\n"
		"  \"keys\": {\"model_picker\": \"F7\", \"modle_picker\": \"C-o\",\n"
		"    \"select_again\": \"F12\", \"select_copy\": \"w\"}");
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	on_screen("keys.modle_picker: no such action");
	keys("C-o"); /* no longer the picker */
	wait_stable();
	not_on_screen("Model:");
	keys("F7");
	wait_for("Model:");
	keys("Escape");
	wait_gone("Model:");
	keys("F1"); /* the help shows the binding in force */
	wait_for("cherry help");
	on_screen("F7");
	keys("Escape");
	wait_gone("cherry help");
	/* the selected message's hint names the keys bound now */
	exchange("fo/hello", "pick me");
	keys("M-s");
	wait_for("Message selected");
	on_screen("w copy");
	on_screen("F12 ask again");
	not_on_screen("F5 ask again");
	not_on_screen("c copy");
	keys("q");
	wait_gone("Message selected");
	quit_ok();
}

/* /open finds a conversation by a word of its title; several matches open the switcher. */
static void test_open_by_title(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	exchange("fo/hello", "alpha topic");
	keys("C-n");
	wait_for("new conversation");
	exchange("fo/hello", "beta topic");
	send_line("/open ALPHA");
	wait_for("you");
	wait_stable();
	assert_true(chat_has("alpha topic"));
	assert_false(chat_has("beta topic"));
	send_line("/open topic");
	wait_for("Conversation: topic");
	keys("Escape");
	wait_gone("Conversation:"); /* Esc then "/" at once would be read as M-/ */
	send_line("/open nothing-like-this");
	wait_for("no conversation has the id or a title like");
}

static void test_needs_terminal(void **state)
{
	(void)state;
	struct run r;
	assert_int_equal(run_cherry(&r, &H, NULL, key_env, NULL, TMO), 0);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "cherry: the full-screen client needs a terminal; use cherry "
				   "ask for scripts\n");
	assert_int_equal(r.out_len, 0);
	run_free(&r);
}

static void test_start_shows_status(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	wait_stable();
	assert_int_equal(tmux_nrows(SCR), 30);
	/* "F1 help" right-aligned on the status line */
	const char *st = row(-1);
	const char *help = strstr(st, "F1 help");
	assert_non_null(help);
	int end = tmux_width(st, (size_t)(help - st)) + 7;
	if (end < 98)
		fail_msg("\"F1 help\" ends at column %d of 100: \"%s\"", end, st);
	/* the (empty) input row above the status line, under a separator of "─"; tmux
	 * drops the blank after the "> " */
	int input = -1;
	char prev[8192] = "";
	for (int i = 0; i < 29; i++) {
		const char *r = row(i);
		if (!strcmp(chat_part(r), ">") && strstr(prev, "──────────────────────────────"))
			input = i;
		snprintf(prev, sizeof prev, "%s", r);
	}
	if (input < 0) {
		tmux_dump(&T, "input box");
		fail_msg("no \"> \" input row under a \"─\" separator");
	}
	/* the full-screen client runs on the alternate screen */
	assert_int_equal(tmux_format_long(&T, "#{alternate_on}"), 1);
	assert_alive("after start");
	/* the list is shown at 100 columns: "│" at column 24 on the main rows */
	const char *r1 = row(1);
	const char *bar = strstr(r1, "│");
	if (!bar || tmux_width(r1, (size_t)(bar - r1)) != 24) {
		tmux_dump(&T, "list");
		fail_msg("no \"│\" at column 24 in row 1: \"%s\"", r1);
	}
	assert_int_equal(fakeprov_count(&FP), 0);
}

static void test_send_streams_answer_and_saves(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	send_line("hi there");
	wait_for("Hello from fake openai!");
	wait_state("fo/hello", "idle");
	on_screen("hi there");
	on_screen(" · 12 in / 4 out");
	/* the headers: "you", and the model that wrote the answer */
	wait_stable();
	int you = 0, model = 0;
	for (int i = 0; i < tmux_nrows(SCR); i++) {
		const char *chat = chat_part(row(i));
		while (*chat == ' ')
			chat++;
		you += !strcmp(chat, "you");
		model += !strcmp(chat, "fo/hello \xc2\xb7 12 in / 4 out"); /* with its tokens */
	}
	if (you != 1 || model != 1) {
		tmux_dump(&T, "headers");
		fail_msg("want one \"you\" and one \"fo/hello\" header, got %d and %d", you, model);
	}
	/* the input box is empty again */
	not_on_screen("> hi there");

	/* what was sent */
	json_t *req = fakeprov_last_request(&FP);
	json_t *body = json_object_get(req, "body");
	assert_str(json_string_value(json_object_get(body, "model")), "hello");
	json_t *msgs = json_object_get(body, "messages");
	assert_str(json_string_value(json_object_get(json_array_get(msgs, json_array_size(msgs) - 1),
						     "content")), "hi there");
	assert_str(request_header(req, "authorization"), "Bearer " CANARY);
	json_decref(req);

	/* and saved */
	json_t *conv = newest_conv();
	assert_int_equal(json_array_size(json_object_get(conv, "messages")), 2);
	assert_str(msg_field(conv, 0, "role"), "user");
	assert_str(msg_field(conv, 0, "content"), "hi there");
	assert_str(msg_field(conv, 1, "role"), "assistant");
	assert_str(msg_field(conv, 1, "content"), "Hello from fake openai!");
	assert_str(msg_field(conv, 1, "status"), "complete");
	assert_str(msg_field(conv, 1, "provider"), "fo");
	assert_str(msg_field(conv, 1, "model"), "hello");
	json_decref(conv);
	assert_alive("after an answer");
}

static void test_switch_models(void **state)
{
	(void)state;
	char m[128];
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");

	/* F2: the next favourite, shown at once, sent with the next message */
	keys("F2");
	wait_state("fo/echo", "idle");
	exchange("fo/echo", "ping one");
	assert_str(last_model_sent(m, sizeof m), "echo");

	keys("F2");
	wait_state("fl/hello", "idle");
	exchange("fl/hello", "to ollama");
	assert_str(last_path(m, sizeof m), "/api/chat");
	assert_str(last_model_sent(m, sizeof m), "hello");
	on_screen("Hello from fake ollama!");

	/* S-F2: the previous one */
	keys("S-F2");
	wait_state("fo/echo", "idle");
	keys("S-F2");
	wait_state("fo/hello", "idle");

	/* C-o: the picker, filtered case-insensitively */
	keys("C-o");
	wait_for("Model:");
	type("FL/HEL");
	wait_for("Model: FL/HEL");
	on_screen("▸ fl/hello");
	keys("Enter");
	wait_gone("Model: FL/HEL");
	wait_state("fl/hello", "idle");
	exchange("fl/hello", "picked");
	assert_str(last_model_sent(m, sizeof m), "hello");
	assert_str(last_path(m, sizeof m), "/api/chat");

	/* a PROVIDER/MODEL that matches nothing is taken as typed */
	keys("C-o");
	wait_for("Model:");
	type("fo/echo+slow:1");
	wait_for("Model: fo/echo+slow:1");
	keys("Enter");
	wait_state("fo/echo+slow:1", "idle");
	exchange("fo/echo+slow:1", "typed model");
	assert_str(last_model_sent(m, sizeof m), "echo+slow:1");

	/* Esc closes the picker and keeps the model */
	keys("C-o");
	wait_for("Model:");
	keys("Escape");
	wait_gone("Model:");
	wait_state("fo/echo+slow:1", "idle");

	/* /model NAME */
	send_line("/model fo/hello");
	wait_state("fo/hello", "idle");
	exchange("fo/hello", "by command");
	assert_str(last_model_sent(m, sizeof m), "hello");
	assert_alive("after switching");
}

static void test_esc_stops_stream(void **state)
{
	(void)state;
	start(100, 30, "-m", "fo/long:100000+slow");
	wait_state("fo/long:100000+slow", "idle");
	send_line("go");
	wait_for("[5] ");
	wait_for("streaming");
	/* timed through a control-mode client: a tmux command costs ~0.1 ms there, against
	 * ~10 ms for a fresh client */
	double ms = tmux_ctl_time_key(&T, "Escape", "[stopped]", TMO);
	if (ms < 0)
		wait_for("[stopped]"); /* fails, with the screen */
	printf("# Esc to [stopped] on the screen: %.0f ms\n", ms);
	double budget = slow_build() ? 500 : 200;
	if (ms > budget)
		fail_msg("Esc took %.0f ms to stop the stream (budget %.0f ms)", ms, budget);
	wait_state("fo/long:100000+slow", "stopped");
	/* the text stops changing: 30 ms between deltas, so 300 ms would show ten more */
	char *before = tmux_capture(&T, 0);
	tmux_sleep_ms(300);
	char *after = tmux_capture(&T, 0);
	assert_non_null(before);
	assert_non_null(after);
	if (strcmp(before, after)) {
		tmux_dump(&T, "after Esc");
		fail_msg("the screen still changed after Esc");
	}
	free(before);
	free(after);

	json_t *conv = newest_conv();
	assert_str(msg_field(conv, -1, "role"), "assistant");
	assert_str(msg_field(conv, -1, "status"), "stopped");
	const char *text = msg_field(conv, -1, "content");
	assert_non_null(text);
	assert_true(!strncmp(text, "[1] ", 4));
	assert_non_null(strstr(text, "[5] "));
	json_decref(conv);

	/* the next request works */
	send_line("/model fo/hello");
	wait_model("fo/hello");
	exchange("fo/hello", "again");
	on_screen("Hello from fake openai!");
	assert_int_equal(fakeprov_count(&FP), 2);
}

/* The model's text as `cherry ask --raw` prints it (without the final newline). */
static char *ask_text(const char *model)
{
	const char *args[] = {"ask", "--no-save", "--raw", "-m", model, "x", NULL};
	struct run r;
	assert_int_equal(run_cherry(&r, &H, args, key_env, NULL, TMO), 0);
	assert_int_equal(r.status, 0);
	if (r.out_len && r.out[r.out_len - 1] == '\n')
		r.out[--r.out_len] = '\0';
	char *s = r.out;
	r.out = NULL;
	run_free(&r);
	return s;
}

static void test_resize_mid_stream(void **state)
{
	(void)state;
	static const int sizes[][2] = {{60, 20}, {120, 40}, {30, 8},  {20, 6},  {90, 25},
				       {140, 45}, {40, 12}, {71, 20}, {69, 20}, {100, 30}};
	start(100, 30, "-m", "fo/long:300+slow:5");
	wait_state("fo/long:300+slow:5", "idle");
	send_line("go");
	wait_for("[3] ");
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		assert_int_equal(tmux_resize(&T, sizes[i][0], sizes[i][1]), 0);
		tmux_sleep_ms(80); /* mid-stream on purpose: resize while text arrives */
		assert_alive("while resizing");
	}
	wait_state("fo/long:300+slow:5", "idle");
	on_screen("[300] ");
	assert_rows_fit(100);
	assert_non_null(strstr(row(-1), "F1 help"));
	/* the whole answer arrived and was saved intact */
	char *want = ask_text("fo/long:300");
	json_t *conv = newest_conv();
	assert_str(msg_field(conv, -1, "status"), "complete");
	assert_str(msg_field(conv, -1, "content"), want);
	json_decref(conv);
	free(want);
	/* and still answers */
	send_line("/model fo/hello");
	wait_model("fo/hello");
	exchange("fo/hello", "after resizing");
	on_screen("Hello from fake openai!");
}

/* The SGR state a capture's text is in: attributes 1-9 as bits, the colours as sent. */
struct sgr {
	unsigned on;
	char fg[24], bg[24];
};

/* Applies the parameters of one SGR sequence, p[0..n). */
static void sgr_apply(struct sgr *g, const char *p, size_t n)
{
	char params[64];
	snprintf(params, sizeof params, "%.*s", (int)(n < 63 ? n : 63), p);
	char *save = NULL, *tok = strtok_r(params, ";", &save);
	if (!tok)
		memset(g, 0, sizeof *g);
	for (; tok; tok = strtok_r(NULL, ";", &save)) {
		int v = atoi(tok);
		if (v == 0) {
			memset(g, 0, sizeof *g);
		} else if (v < 10) {
			g->on |= 1u << v;
		} else if (v >= 22 && v <= 29) {
			g->on &= v == 22 ? ~6u : ~(1u << (v - 20));
		} else if (v == 38 || v == 48) {
			char *col = v == 38 ? g->fg : g->bg;
			char *kind = strtok_r(NULL, ";", &save);
			int parts = kind && atoi(kind) == 2 ? 3 : 1;
			snprintf(col, sizeof g->fg, "%s", kind ? kind : "");
			for (int i = 0; i < parts; i++) {
				char *x = strtok_r(NULL, ";", &save);
				size_t l = strlen(col);
				snprintf(col + l, sizeof g->fg - l, ":%s", x ? x : "");
			}
		} else if (v == 39 || v == 49) {
			(v == 39 ? g->fg : g->bg)[0] = '\0';
		} else {
			snprintf(v % 100 < 40 ? g->fg : g->bg, sizeof g->fg, "%d", v);
		}
	}
}

/* A capture with escapes (capture-pane -e) cell by cell: each character after
 * "[on,fg,bg]" where its state differs from the cell before, and a row's blank cells in
 * the default state at its end dropped (whether tmux sends an SGR change before a row's
 * end or after it depends on such cells, which show nothing). */
static void cells_of(const char *cap, struct buf *out)
{
	struct sgr g = {0}, prev = {0};
	size_t keep = out->len;
	for (const char *p = cap; *p;) {
		if (*p == '\033' && p[1] == '[') {
			const char *q = p + 2;
			while (*q && !(*q >= 0x40 && *q <= 0x7e))
				q++;
			if (*q == 'm')
				sgr_apply(&g, p + 2, (size_t)(q - p - 2));
			p = *q ? q + 1 : q;
			continue;
		}
		if (*p == '\n') {
			out->len = keep;
			buf_append_char(out, '\n');
			keep = out->len;
			memset(&prev, 0, sizeof prev);
			p++;
			continue;
		}
		size_t n = 1;
		while (((unsigned char)p[n] & 0xC0) == 0x80)
			n++;
		if (memcmp(&g, &prev, sizeof g))
			buf_printf(out, "[%x,%s,%s]", g.on, g.fg, g.bg);
		prev = g;
		buf_append(out, p, n);
		struct sgr none = {0};
		if (!(n == 1 && *p == ' ' && !memcmp(&g, &none, sizeof g)))
			keep = out->len;
		p += n;
	}
}

/* What incremental frames left on the screen (colours and attributes too) is what a
 * whole repaint (C-l) paints. A timed status message ("model: ...") may expire between
 * the two captures, once: then the screen is compared again; a frame that paints
 * wrong differs the second time too. */
static int same_as_repainted(int last)
{
	wait_stable();
	char *a = tmux_capture(&T, 1);
	assert_non_null(a);
	keys("C-l");
	wait_stable();
	char *b = tmux_capture(&T, 1);
	assert_non_null(b);
	struct buf ca = BUF_INIT, cb = BUF_INIT;
	cells_of(a, &ca);
	cells_of(b, &cb);
	int same = ca.len == cb.len && !memcmp(ca.data, cb.data, ca.len);
	if (!same && last)
		printf("# before C-l:\n%s\n# after C-l:\n%s\n", ca.data, cb.data);
	buf_free(&ca);
	buf_free(&cb);
	free(a);
	free(b);
	return same;
}

static void assert_as_repainted(const char *when)
{
	if (!same_as_repainted(0) && !same_as_repainted(1))
		fail_msg("after %s the screen differs from its whole repaint (both above)", when);
}

/* Frames paint only the rows that changed (the window's rows moved up as the stream is
 * followed), yet the screen is always what painting it whole gives: after a stream
 * followed to its end, scrolling both ways, the help over the chat, a selection, a
 * resize, and two answers as tabs and side by side. */
static void test_frames_as_repainted(void **state)
{
	(void)state;
	start(100, 30, "-m", "fo/markdown");
	wait_state("fo/markdown", "idle");
	exchange("fo/markdown", "render");
	send_line("/model fo/long:150");
	wait_model("fo/long:150");
	exchange("fo/long:150", "go");
	on_screen("[150]");
	assert_as_repainted("a stream followed to its end");
	keys("PageUp");
	keys("PageUp");
	assert_as_repainted("scrolling up");
	keys("PageDown");
	assert_as_repainted("scrolling down");
	keys("F1");
	wait_for("cherry help");
	keys("Escape");
	wait_gone("cherry help");
	assert_as_repainted("the help closed");
	keys("M-s");
	keys("Up");
	assert_as_repainted("a selection");
	keys("Escape");
	assert_int_equal(tmux_resize(&T, 80, 24), 0);
	assert_as_repainted("a resize");
	assert_int_equal(tmux_resize(&T, 120, 40), 0);
	assert_as_repainted("a resize larger");
	/* two answers streamed together, as tabs, then side by side, then scrolled */
	size_t before = fakeprov_count(&FP);
	send_line("@fo/long:120 @fo/markdown side by side");
	wait_requests(before + 2);
	wait_idle();
	on_screen("1/2 long:120"); /* the tab strip over the one shown */
	assert_as_repainted("two answers as tabs");
	keys("F3"); /* the list hidden: room for both side by side */
	wait_stable();
	int side = 0; /* a row with both answers' text: "[n] " and a bullet "• " */
	for (int i = 0; i < tmux_nrows(SCR) && !side; i++)
		side = strstr(row(i), "] ") && strstr(row(i), "\xe2\x80\xa2 ");
	if (!side) {
		tmux_dump(&T, "side by side");
		fail_msg("the two answers are not side by side (dumped above)");
	}
	assert_as_repainted("answers side by side");
	keys("PageUp");
	assert_as_repainted("answers side by side scrolled");
}

static void test_tiny_terminal(void **state)
{
	(void)state;
	start(80, 24, NULL, NULL);
	wait_state("fo/hello", "idle");
	exchange("fo/hello", "hello there");
	assert_int_equal(tmux_resize(&T, 20, 6), 0);
	wait_stable();
	assert_alive("at 20x6");
	assert_int_equal(tmux_nrows(SCR), 6);
	assert_rows_fit(20);
	/* typing and sending still work */
	send_line("small");
	wait_requests(2);
	wait_stable();
	assert_alive("after sending at 20x6");
	assert_rows_fit(20);
	/* smaller still, then back */
	assert_int_equal(tmux_resize(&T, 8, 3), 0);
	wait_stable();
	assert_alive("at 8x3");
	assert_int_equal(tmux_resize(&T, 80, 24), 0);
	wait_state("fo/hello", "idle");
	on_screen("Hello from fake openai!");
	on_screen("small");
	assert_rows_fit(80);
	quit_ok();

	/* started at 20x6 */
	tmux_stop(&T);
	start(20, 6, NULL, NULL);
	wait_stable();
	assert_alive("started at 20x6");
	assert_rows_fit(20);
	send_line("tiny");
	wait_requests(3);
	wait_stable();
	assert_alive("after an answer at 20x6");
	quit_ok();
}

/* The fake provider's cjk answer ends in 👍🏽 (U+1F44D U+1F3FD). What the screen shows: tmux, like xterm and VTE, gives the skin-tone modifier two
 * columns of its own, so cherry draws the 👍🏽 cluster as its base emoji in the two
 * columns it laid out, keeping every row aligned (the file keeps the modifier). */
#define CJK_SHOWN "你好，世界！ こんにちは。 안녕하세요. 🍒 cherry 🎉👍"

static void drop_spaces(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++)
		if (*r != ' ')
			*w++ = *r;
	*w = '\0';
}

/* The answer under the header row "fo/cjk", rows joined, spaces dropped (the wrap may
 * break at a space or between wide characters). */
static void cjk_answer_shown(char *out, size_t n)
{
	int i = 0, rows = tmux_nrows(SCR);
	out[0] = '\0';
	for (; i < rows; i++) {
		char r[1024];
		snprintf(r, sizeof r, "%s", chat_part(row(i)));
		drop_spaces(r);
		if (!strncmp(r, "fo/cjk", 6) && (!r[6] || !strncmp(r + 6, "\xc2\xb7", 2)))
			break; /* the header, then its tokens: "fo/cjk · 12 in / 4 out" */
	}
	for (i++; i < rows - 1; i++) {
		char r[1024];
		snprintf(r, sizeof r, "%s", chat_part(row(i)));
		drop_spaces(r);
		if (!*r || strstr(r, "───"))
			break;
		strncat(out, r, n - strlen(out) - 1);
	}
}

static void assert_cjk_answer(int cols)
{
	char shown[1024], want[256] = CJK_SHOWN;
	assert_rows_fit(cols);
	cjk_answer_shown(shown, sizeof shown);
	drop_spaces(want);
	if (strcmp(shown, want)) {
		tmux_dump(&T, "cjk answer");
		fail_msg("the answer shows as \"%s\"", shown);
	}
	/* the skin-tone modifier never shows on its own (a row of its own, or misplaced) */
	if (strstr(SCR, "🏽")) {
		tmux_dump(&T, "skin tone");
		fail_msg("the skin-tone modifier was drawn apart from its emoji");
	}
}

static void test_cjk_layout(void **state)
{
	(void)state;
	start(100, 30, "-m", "fo/cjk");
	wait_state("fo/cjk", "idle");
	exchange("fo/cjk", "hi");
	wait_for("🎉👍");
	assert_cjk_answer(100);
	/* with the list shown, the "│" stays at column 24 on the rows with wide text */
	int rows_checked = 0;
	for (int i = 0; i < tmux_nrows(SCR); i++) {
		const char *r = row(i);
		if (!strstr(r, "你好") && !strstr(r, "안녕") && !strstr(r, "🍒"))
			continue;
		const char *bar = strstr(r, "│");
		if (!bar || tmux_width(r, (size_t)(bar - r)) != 24) {
			tmux_dump(&T, "cjk with the list");
			fail_msg("row %d has no \"│\" at column 24: \"%s\"", i, r);
		}
		rows_checked++;
	}
	assert_true(rows_checked >= 1);
	/* "F1 help" still ends at the right edge */
	const char *st = row(-1), *help = strstr(st, "F1 help");
	assert_non_null(help);
	assert_true(tmux_width(st, (size_t)(help - st)) + 7 >= 98);

	/* narrow: the answer wraps, wide characters whole, nothing past the edge */
	for (int cols = 30; cols >= 20; cols -= 3) {
		assert_int_equal(tmux_resize(&T, cols, 20), 0);
		wait_stable();
		assert_cjk_answer(cols);
	}
	/* 54 columns of text in a 20-column pane: at least three rows */
	int first = -1, last = -1;
	for (int i = 0; i < tmux_nrows(SCR); i++) {
		if (strstr(row(i), "你好") && first < 0)
			first = i;
		if (strstr(row(i), "👍"))
			last = i;
	}
	assert_true(first >= 0 && last >= first + 2);
	assert_alive("after the cjk answer");
}

/* In a capture with attributes (-e), the text from "from" to "to" carries no SGR or other
 * sequence except at the start of a row (cherry's own attributes for that row). */
static void assert_plain_between(const char *cap, const char *from, const char *to)
{
	const char *a = strstr(cap, from);
	const char *b = a ? strstr(a, to) : NULL;
	assert_non_null(a);
	assert_non_null(b);
	int row_start = 0;
	for (const char *p = a; p < b; p++) {
		if (*p == '\n') {
			row_start = 1;
			continue;
		}
		if (*p == '\033' && !row_start) {
			fprintf(stderr, "# at: %.*s\n", (int)(b - p < 40 ? b - p : 40), p + 1);
			fail_msg("an escape sequence inside the model's text");
		}
		if (*p == '\033') {
			/* skip this SGR: ESC [ params m */
			const char *m = strchr(p, 'm');
			if (m && m < b)
				p = m;
			continue;
		}
		row_start = 0;
	}
}

static void test_escapes_leave_terminal_alone(void **state)
{
	(void)state;
	char title0[256], title1[256];
	start(60, 30, "-m", "fo/escapes");
	wait_state("fo/escapes", "idle");
	assert_int_equal(tmux_format(&T, "#{pane_title}", title0, sizeof title0), 0);
	char *bufs = tmux_buffers(&T);
	assert_non_null(bufs);
	assert_string_equal(bufs, "");
	free(bufs);

	exchange("fo/escapes", "hi");
	wait_for("done.");
	on_screen("now red text");
	not_on_screen("pwned");
	not_on_screen("ZWNob");
	not_on_screen("\xe2\x80\xae");
	not_on_screen("\xc2\x9b");
	assert_int_equal(tmux_format(&T, "#{pane_title}", title1, sizeof title1), 0);
	assert_string_equal(title1, title0);
	bufs = tmux_buffers(&T);
	assert_non_null(bufs);
	if (*bufs)
		fail_msg("a paste buffer was set: %s", bufs);
	free(bufs);
	char *cap = tmux_capture(&T, 1);
	assert_non_null(cap);
	assert_plain_between(cap, "Clear", "done.");
	free(cap);
	assert_int_equal(tmux_format_long(&T, "#{alternate_on}"), 1);

	/* the control: cherry's own copy (M-w, OSC 52) does reach tmux's buffers */
	send_line("/model fo/hello");
	wait_model("fo/hello");
	exchange("fo/hello", "copy me");
	keys("M-w");
	wait_for("copied");
	char *b = NULL;
	for (double end = tmux_now() + 5; !b && tmux_now() < end; tmux_sleep_ms(20))
		b = tmux_buffer(&T);
	assert_non_null(b);
	assert_string_equal(b, "Hello from fake openai!");
	free(b);
	assert_int_equal(tmux_format(&T, "#{pane_title}", title1, sizeof title1), 0);
	assert_string_equal(title1, title0);
}

static void test_idle_cpu(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	exchange("fo/hello", "hi");
	wait_stable();
	pid_t pid = T.pane_pid;
	double c0 = proc_cpu_seconds(pid);
	assert_true(c0 >= 0);
	tmux_sleep_ms(2000); /* the measurement itself: two idle seconds */
	double c1 = proc_cpu_seconds(pid);
	assert_true(c1 >= 0);
	printf("# idle CPU over 2 s: %.3f s\n", c1 - c0);
	if (c1 - c0 >= 0.05)
		fail_msg("cherry used %.3f s of CPU in two idle seconds", c1 - c0);
	assert_alive("after idling");
}

static void test_ctrl_q_restores_terminal(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	assert_int_equal(tmux_format_long(&T, "#{alternate_on}"), 1);
	quit_ok();
	/* (not #{cursor_flag}: tmux hides the cursor of a dead pane itself) */
	assert_int_equal(tmux_format_long(&T, "#{alternate_on}"), 0);
	assert_int_equal(tmux_format_long(&T, "#{mouse_any_flag}"), 0);
	assert_int_equal(tmux_format_long(&T, "#{mouse_sgr_flag}"), 0);
	not_on_screen("F1 help");

	/* quitting while an answer streams stops it first and saves it as stopped */
	tmux_stop(&T);
	start(100, 30, "-m", "fo/long:100000+slow");
	wait_state("fo/long:100000+slow", "idle");
	send_line("go");
	wait_for("[3] ");
	quit_ok();
	assert_int_equal(tmux_format_long(&T, "#{alternate_on}"), 0);
	json_t *conv = newest_conv();
	assert_str(msg_field(conv, -1, "status"), "stopped");
	assert_non_null(strstr(msg_field(conv, -1, "content"), "[3] "));
	json_decref(conv);
}

static void test_ctrl_d_quits_on_empty_input(void **state)
{
	(void)state;
	start(60, 20, NULL, NULL);
	wait_state("fo/hello", "idle");
	type("ab");
	wait_for("> ab");
	keys("C-a");
	keys("C-d"); /* deletes the 'a': not a quit */
	wait_for("> b");
	assert_alive("after C-d on text");
	keys("C-e");
	keys("C-u");
	wait_gone("> b");
	int st = -1;
	keys("C-d");
	if (tmux_wait_dead(&T, &st, TMO) < 0)
		fail_msg("C-d on an empty input did not quit");
	assert_int_equal(st, 0);
	assert_int_equal(tmux_format_long(&T, "#{alternate_on}"), 0);
	assert_int_equal(fakeprov_count(&FP), 0);
}

static void test_help_lists_keys_and_commands(void **state)
{
	(void)state;
	start(100, 40, NULL, NULL);
	wait_state("fo/hello", "idle");
	keys("F1");
	wait_for("cherry help — Esc closes");
	on_screen("C-o");
	/* the slash commands come after the keys: scroll until /model shows */
	for (int i = 0; i < 20 && !strstr(screen(), "/model"); i++) {
		keys("NPage");
		tmux_wait_stable(&T, 60, 2000);
	}
	on_screen("/model");
	keys("Escape");
	wait_gone("cherry help — Esc closes");
	wait_state("fo/hello", "idle");
	keys("F1");
	wait_for("cherry help — Esc closes");
	keys("q");
	wait_gone("cherry help — Esc closes");
	/* the q closed the help and did not reach the input */
	not_on_screen("> q");
	assert_int_equal(fakeprov_count(&FP), 0);
}

static void test_unknown_command(void **state)
{
	(void)state;
	char m[128];
	start(100, 30, "-m", "fo/echo");
	wait_state("fo/echo", "idle");
	send_line("/foo");
	wait_for("unknown command /foo; F1 or /help lists them");
	wait_stable();
	assert_non_null(strstr(row(-1), "unknown command /foo; F1 or /help lists them"));
	assert_int_equal(fakeprov_count(&FP), 0);
	/* "//x" sends "/x" (C-u first: the mistyped command may stay in the input) */
	keys("C-u");
	exchange("fo/echo", "//x");
	json_t *req = fakeprov_last_request(&FP);
	json_t *msgs = json_object_get(json_object_get(req, "body"), "messages");
	assert_str(json_string_value(json_object_get(json_array_get(msgs, json_array_size(msgs) - 1),
						     "content")), "/x");
	json_decref(req);
	assert_str(last_model_sent(m, sizeof m), "echo");
}

static void test_welcome_first_run(void **state)
{
	(void)state;
	char p[512];
	snprintf(p, sizeof p, "%s/config/cherry/config.json", H.root);
	assert_int_equal(unlink(p), 0);
	start_env(160, 40, NULL, NULL, NULL);
	wait_for("Welcome to cherry");
	on_screen("no conversations yet"); /* the list's column says why it is empty */
	on_screen("cherry key set PROVIDER");
	on_screen("C-o");
	assert_alive("on the welcome screen");
	quit_ok();
	assert_int_equal(fakeprov_count(&FP), 0);
	/* on a short terminal it is read from its start (what to do first), the rest a
	 * page down */
	tmux_stop(&T);
	start_env(80, 12, NULL, NULL, NULL);
	wait_for("Welcome to cherry");
	on_screen("/key PROVIDER");
	on_screen("more below");
	keys("PageDown");
	wait_for("cherry key set PROVIDER");
	quit_ok();
}

/* Providers with a key and no model known (their config lists none, their lists never
 * fetched): the welcome names them and says that C-o lists their models, not that a key
 * is missing; the picker opened at once puts its cursor on the first model their lists
 * bring, not on the preset needing a key that was first while they came. */
static void test_welcome_keyed(void **state)
{
	(void)state;
	write_config(NULL);
	start(120, 30, NULL, NULL);
	wait_for("Welcome to cherry");
	on_screen("No model is chosen yet. fo, fa, fg and fz have keys; C-o lists their models");
	not_on_screen("No model is ready yet");
	keys("C-o");
	wait_for("fo/cjk");
	wait_for("\xe2\x96\xb8 fo/hello");
	not_on_screen("\xe2\x96\xb8 openai/");
	keys("Enter");
	wait_state("fo/hello", "idle");
	wait_for("Type a message and press Enter to ask fo/hello");
	quit_ok();
}

/* The running client is hardened as harden_process promises (test_vault test_harden
 * checks the call in-process): no core file can be written, whatever the shell's limit. */
static void test_no_core_file(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%ld/limits", (long)T.pane_pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	int found = 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "Max core file size", 18)) {
			unsigned long soft = 1, hard = 1;
			assert_int_equal(sscanf(line + 18, " %lu %lu", &soft, &hard), 2);
			assert_int_equal(soft, 0);
			assert_int_equal(hard, 0);
			found = 1;
		}
	fclose(f);
	assert_true(found);
	quit_ok();
}

/* C-x: the message is composed in $EDITOR, in a file only its user can read and never in
 * /tmp (security.md §3.5): $XDG_RUNTIME_DIR when set, else cherry's state directory;
 * mode 0600, holding what was typed; gone when the editor is done; what the editor wrote
 * is the input. The editor here is a script that records what it was given. */
static void test_editor_draft_private(void **state)
{
	(void)state;
	char ed[400], seen[400], run[400], edenv[420], rtenv[420];
	snprintf(ed, sizeof ed, "%s/editor.sh", H.root);
	snprintf(seen, sizeof seen, "%s/editor-saw", H.root);
	snprintf(run, sizeof run, "%s/run", H.root);
	static const char script[] =
		"#!/bin/sh\n"
		"{ printf '%s\\n' \"$1\"; stat -c %a \"$1\"; cat \"$1\"; echo; } >\"$HOME/editor-saw\"\n"
		"printf 'written in the editor' >\"$1\"\n";
	assert_int_equal(harness_write_file(ed, script, sizeof script - 1), 0);
	assert_int_equal(chmod(ed, 0700), 0);
	assert_int_equal(mkdir(run, 0700), 0);
	snprintf(edenv, sizeof edenv, "EDITOR=%s", ed);
	snprintf(rtenv, sizeof rtenv, "XDG_RUNTIME_DIR=%s", run);
	for (int with_runtime = 0; with_runtime <= 1; with_runtime++) {
		const char *env[] = {"FAKE_OPENAI_KEY=" CANARY, edenv,
				     with_runtime ? rtenv : NULL, NULL};
		start_env(80, 20, NULL, NULL, env);
		wait_state("fo/hello", "idle");
		type("typed first");
		wait_for("> typed first");
		keys("C-x");
		wait_for("> written in the editor");
		char *got = harness_read_file(seen, NULL);
		assert_non_null(got);
		char dir[600], path[600];
		if (with_runtime)
			snprintf(dir, sizeof dir, "%s/cherry-", run);
		else
			snprintf(dir, sizeof dir, "%s/state/cherry/draft-", H.root);
		size_t n = strcspn(got, "\n");
		if (strncmp(got, dir, strlen(dir)) || n >= sizeof path)
			fail_msg("the draft was at %.*s, not under %s", (int)n, got, dir);
		memcpy(path, got, n);
		path[n] = '\0';
		if (strcmp(got + n, "\n600\ntyped first\n"))
			fail_msg("the editor saw mode and text \"%s\"", got + n);
		free(got);
		assert_int_equal(access(path, F_OK), -1); /* removed */
		quit_ok();
		tmux_stop(&T);
		memset(&T, 0, sizeof T);
	}
}

/* Whether this process may make a read-only bind mount in a mount namespace of its own
 * (root, and namespaces allowed): tried in a child. */
static int ro_bind_possible(const char *dir)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(harness_ro_bind(dir) < 0 ? 77 : 0);
	int st;
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A history that cannot be written (security.md 3.7; here the data directory is a
 * read-only bind mount): the client starts read-only, says why once in the chat and
 * for good on the status line, lists and opens what is there, and an exchange goes on
 * in memory: no copy made, no failed save reported, nothing on disk changed. */
static void test_read_only_history(void **state)
{
	(void)state;
	start(100, 30, "-m", "fo/echo");
	wait_state("fo/echo", "idle");
	exchange("fo/echo", "written before");
	quit_ok();
	tmux_stop(&T);
	memset(&T, 0, sizeof T);
	char id[64], file[600], data[600];
	newest_id(id, sizeof id);
	snprintf(data, sizeof data, "%s/data", H.root);
	char rel[100];
	snprintf(rel, sizeof rel, "conversations/%s.json", id);
	data_path(file, sizeof file, rel);
	char *before = harness_read_file(file, NULL);
	assert_non_null(before);
	if (!ro_bind_possible(data)) {
		free(before);
		skip(); /* not root, or no mount namespace for a read-only bind mount */
	}
	const char *bin = getenv("CHERRY_BIN");
	char abs[PATH_MAX];
	if (!bin || !*bin)
		bin = "build/cherry";
	const char *argv[32] = {"unshare", "-m", "--propagation", "private", "sh", "-c",
				"mount --bind -o ro \"$0\" \"$0\" && exec \"$@\"", data};
	size_t n = 8;
	int nw = harness_wrapper_argv(argv + n, 16);
	assert_true(nw >= 0);
	n += (size_t)nw;
	argv[n++] = realpath(bin, abs) ? abs : bin;
	argv[n++] = "-c";
	argv[n++] = id;
	argv[n] = NULL;
	assert_int_equal(tmux_start(&T, &H, argv, key_env, 100, 30), 0);
	wait_for("The history is read-only");
	/* the whole line, however its path wrapped: the chat pane's rows joined, spaces
	 * dropped */
	char want[1200];
	snprintf(want, sizeof want, "The history is read-only (cannot write in "
		 "%s/cherry/conversations: %s): nothing is saved in this session, and what you "
		 "write stays only until you quit. Make the directory writable, or point "
		 "XDG_DATA_HOME at one that is, to keep it.", data, strerror(EROFS));
	drop_spaces(want);
	struct buf pane = BUF_INIT;
	screen();
	for (int i = 0; i < tmux_nrows(SCR) - 1; i++)
		assert_int_equal(buf_append_str(&pane, chat_part(row(i))), 0);
	assert_int_equal(buf_append_char(&pane, '\0'), 0);
	drop_spaces(pane.data);
	if (!strstr(pane.data, want))
		fail_msg("the chat pane, spaces dropped, is \"%s\", without \"%s\"", pane.data,
			 want);
	buf_free(&pane);
	on_screen("not saved (read-only)");
	on_screen("written before");
	exchange("fo/echo", "asked while read-only");
	wait_for("not saved (read-only)");
	not_on_screen("starts a new conversation");
	not_on_screen("conversation not saved");
	not_on_screen("cannot be locked");
	quit_ok();
	char *after = harness_read_file(file, NULL);
	assert_non_null(after);
	assert_string_equal(before, after);
	free(before);
	free(after);
	char ids[1][64];
	conv_ids(ids, 1);
	assert_string_equal(ids[0], id);
	char other[600];
	data_path(other, sizeof other, "conversations");
	DIR *d = opendir(other);
	assert_non_null(d);
	size_t files = 0;
	for (struct dirent *de; (de = readdir(d));)
		files += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 1); /* its file: no copy, no lock file, no journal */
}

static void test_reopens_last_conversation(void **state)
{
	(void)state;
	start(100, 30, "-m", "fo/echo");
	wait_state("fo/echo", "idle");
	exchange("fo/echo", "remember this please");
	quit_ok();
	char first[64], p[512];
	newest_id(first, sizeof first);
	state_path(p, sizeof p, "last");
	char *last = harness_read_file(p, NULL);
	assert_non_null(last);
	assert_int_equal(strncmp(last, first, strlen(first)), 0);
	free(last);

	/* the next start shows it again */
	tmux_stop(&T);
	start(100, 30, NULL, NULL);
	wait_chat("remember this please", 1);
	/* C-n: a new conversation, then another exchange */
	keys("C-n");
	wait_chat("remember this please", 0);
	send_line("second talk");
	wait_requests(2);
	wait_idle();
	quit_ok();
	char second[64];
	newest_id(second, sizeof second);
	assert_string_not_equal(first, second);

	/* -c ID opens the first one */
	tmux_stop(&T);
	start(100, 30, "-c", first);
	wait_chat("remember this please", 1);
	/* the list shows both titles; the chat only the first conversation */
	wait_stable();
	assert_false(chat_has("second talk"));
	quit_ok();

	/* the last one shown, gone since: a new conversation, not another one whose id
	 * it is a prefix of (nor a read of the whole directory to look for one) */
	tmux_stop(&T);
	char gone[64];
	snprintf(gone, sizeof gone, "%.*s\n", (int)strlen(first) - 1, first);
	assert_int_equal(harness_write_file(p, gone, strlen(gone)), 0);
	start(100, 30, NULL, NULL);
	wait_idle();
	wait_stable();
	assert_false(chat_has("remember this please"));
	quit_ok();
}

/* -m names the model even when the reopened conversation was with another one. */
static void test_model_flag_wins_over_reopened(void **state)
{
	(void)state;
	char m[128];
	start(100, 30, "-m", "fo/echo");
	wait_state("fo/echo", "idle");
	exchange("fo/echo", "an echo");
	quit_ok();
	tmux_stop(&T);
	start(100, 30, "-m", "fo/hello");
	wait_chat("an echo", 1);
	wait_model("fo/hello");
	exchange("fo/hello", "and now hello");
	assert_str(last_model_sent(m, sizeof m), "hello");
	quit_ok();
}

static void test_privacy_notice(void **state)
{
	(void)state;
	char dir[512], p[600];
	snprintf(dir, sizeof dir, "%s/state/cherry", H.root);
	assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
	state_path(p, sizeof p, "policy-seen");
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("0\n", f);
	fclose(f);
	char want[256];
	snprintf(want, sizeof want, "The privacy policy changed (version %d): read it with cherry "
				    "privacy", PRIVACY_VERSION);
	start(200, 30, NULL, NULL);
	wait_for(want);
	quit_ok();
	char *seen = harness_read_file(p, NULL);
	assert_non_null(seen);
	assert_int_equal(atoi(seen), PRIVACY_VERSION);
	free(seen);
	/* once only */
	tmux_stop(&T);
	start(200, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	wait_stable();
	not_on_screen("The privacy policy changed");
	quit_ok();
}

/* The terminal disappears under cherry (its emulator killed): cherry stops the answer,
 * saves it and exits, instead of reading a dead terminal forever. */
static void test_terminal_gone(void **state)
{
	(void)state;
	start(100, 30, "-m", "fo/long:100000+slow");
	wait_state("fo/long:100000+slow", "idle");
	send_line("go");
	wait_for("[3] ");
	pid_t pid = T.pane_pid;
	assert_true(pid > 0);
	assert_int_equal(kill(T.server_pid, SIGKILL), 0);
	double end = tmux_now() + 5;
	while (proc_alive(pid) && tmux_now() < end)
		tmux_sleep_ms(20);
	if (proc_alive(pid)) {
		double c0 = proc_cpu_seconds(pid);
		tmux_sleep_ms(1000);
		double c1 = proc_cpu_seconds(pid);
		kill(pid, SIGKILL);
		fail_msg("cherry still runs 5 s after its terminal went away (%.2f s of CPU in the "
			 "last second)", c1 - c0);
	}
	json_t *conv = newest_conv();
	const char *status = msg_field(conv, -1, "status");
	assert_non_null(status);
	if (strcmp(status, "stopped") && strcmp(status, "interrupted"))
		fail_msg("the answer was saved as \"%s\"", status);
	assert_non_null(strstr(msg_field(conv, -1, "content"), "[3] "));
	json_decref(conv);
}

static void test_connects_only_to_provider(void **state)
{
	(void)state;
	need_tmux();
	const char *strace = harness_find_strace();
	if (!strace) {
		printf("# SKIP strace is not installed: the connect() trace is skipped\n");
		skip();
	}
	static const char *const trace_env[] = {
		"FAKE_OPENAI_KEY=" CANARY, "FAKE_ANTHROPIC_KEY=" CANARY, "FAKE_GEMINI_KEY=" CANARY,
		"FAKE_AZURE_KEY=" CANARY, "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1", NULL,
	};
	const char *bin = getenv("CHERRY_BIN");
	char abs[4096], trace[600];
	if (!bin || !*bin)
		bin = "build/cherry";
	assert_non_null(realpath(bin, abs));
	snprintf(trace, sizeof trace, "%s/connect.trace", H.root);
	const char *argv[] = {strace, "-f", "-e", "trace=connect", "-o", trace, abs, NULL};
	assert_int_equal(tmux_start(&T, &H, argv, trace_env, 100, 30), 0);
	wait_state("fo/hello", "idle");
	static const char *const models[] = {"fo/hello", "fa/hello", "fg/hello", "fl/hello",
					     "fz/hello", "fo/e500", NULL};
	for (int i = 0; models[i]; i++) {
		char cmd[64];
		snprintf(cmd, sizeof cmd, "/model %s", models[i]);
		send_line(cmd);
		wait_model(models[i]);
		size_t before = fakeprov_count(&FP);
		send_line("hi");
		wait_requests(before + 1);
		wait_state(models[i], i == 5 ? "error" : "idle");
	}
	on_screen("[error: ");
	quit_ok();
	char bad[512];
	int inet = harness_connects_only_to(trace, FP.port, bad, sizeof bad);
	if (inet == -2) {
		printf("# SKIP strace could not trace here\n");
		skip();
	}
	if (inet == -1)
		fail_msg("unexpected connect: %s", bad);
	assert_true(inet >= 6);
}

static void test_canary_key_from_vault(void **state)
{
	(void)state;
	need_tmux();
	/* fo's key lives only in the vault */
	static const char *const set[] = {"--passphrase-fd", "0", "key", "set", "fo", "--kdf",
					  "interactive", NULL};
	static const char *const no_env_key[] = {"FAKE_OPENAI_KEY", NULL};
	struct run r;
	assert_int_equal(run_cherry(&r, &H, set, no_env_key, CANARY "\n" PASS "\n", TMO), 0);
	if (r.status != 0)
		fail_msg("key set: %s", r.err);
	run_free(&r);

	start_env(100, 30, NULL, NULL, no_env_key);
	wait_state("fo/hello", "idle");
	send_line(PROMPT_CANARY " one");
	wait_for(VAULT_PROMPT);
	type(PASS);
	char stars[128] = VAULT_PROMPT " ";
	for (size_t i = 0; i < strlen(PASS); i++)
		strcat(stars, "\xe2\x80\xa2"); /* a bullet per character */
	wait_for(stars);
	not_on_screen(PASS);
	keys("Enter");
	wait_for("Hello from fake openai!");
	wait_state("fo/hello", "idle");
	json_t *req = fakeprov_last_request(&FP);
	assert_str(request_header(req, "authorization"), "Bearer " CANARY);
	json_decref(req);

	/* a rejected key: the provider's message shows it masked, cherry never in full */
	send_line("/model fo/e401");
	wait_model("fo/e401");
	send_line(PROMPT_CANARY " two");
	wait_for("[error: ");
	wait_state("fo/e401", "error");
	on_screen("Incorrect API key provided");
	quit_ok();

	/* the key is in no file (the vault holds it sealed) and the prompt not in the report */
	assert_int_equal(tree_contains(H.root, "CANARY"), 0);
	char p[512];
	state_path(p, sizeof p, "report.json");
	assert_int_not_equal(tree_contains(p, PROMPT_CANARY), 1);
	/* but the conversation kept the prompt */
	json_t *conv = newest_conv();
	assert_non_null(strstr(msg_field(conv, 0, "content"), PROMPT_CANARY));
	json_decref(conv);
}

/* ---- issue 11: the first minutes ---- */

/* Sends bytes as the terminal would (send-keys -H: each byte in hex). */
static void raw(const char *bytes)
{
	const char *args[64] = {"send-keys", "-t", T.pane, "-H"};
	static char hex[60][3];
	size_t n = 4, i = 0;
	for (; bytes[i] && n < 63; i++, n++) {
		snprintf(hex[i], sizeof hex[i], "%02x", (unsigned char)bytes[i]);
		args[n] = hex[i];
	}
	args[n] = NULL;
	assert_int_equal(tmux_cmd(&T, NULL, args), 0);
}

/* The input box's first row ("> ..."), from the settled screen. */
static const char *input_row(void)
{
	wait_stable();
	for (int i = tmux_nrows(SCR) - 2; i >= 0; i--)
		if (!strncmp(row(i), ">", 1))
			return row(i);
	return "";
}

static void want_input(const char *want)
{
	for (double end = tmux_now() + TMO / 1000.0; strcmp(input_row(), want); tmux_sleep_ms(20))
		if (tmux_now() > end) {
			tmux_dump(&T, "input row");
			fail_msg("the input row is \"%s\", want \"%s\"", input_row(), want);
		}
}

/* A bracketed paste never sends: its newlines stay newlines (issue 11, 1). */
static void test_paste_multiline(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	raw("\033[200~line one\rline two\nline three\033[201~");
	wait_for("line three");
	assert_int_equal(fakeprov_count(&FP), 0);
	want_input("> line one");
	on_screen("  line two");
	keys("Enter");
	wait_requests(1);
	json_t *req = fakeprov_last_request(&FP);
	json_t *msgs = json_object_get(json_object_get(req, "body"), "messages");
	assert_str(json_string_value(json_object_get(json_array_get(msgs, json_array_size(msgs) - 1),
						     "content")), "line one\nline two\nline three");
	json_decref(req);
}

/* What each terminal type sends for Home, End and F1 (its terminfo), plus what tmux
 * and screen send whatever TERM says (issue 11, 3). */
static const struct {
	const char *term, *home, *end, *f1;
} terms[] = {
	{"tmux-256color", "\033[1~", "\033[4~", "\033OP"},
	{"xterm-256color", "\033OH", "\033OF", "\033OP"},
	{"xterm", "\033OH", "\033OF", "\033OP"},
	{"screen", "\033[1~", "\033[4~", "\033OP"},
	{"linux", "\033[1~", "\033[4~", "\033[[A"},
	{"vte-256color", "\033OH", "\033OF", "\033OP"},
	{"xterm-kitty", "\033OH", "\033OF", "\033OP"},
};
static const char *const other_home[] = {"\033[1~", "\033[H", "\033OH", "\033[7~"};
static const char *const other_end[] = {"\033[4~", "\033[F", "\033OF", "\033[8~"};

static void start_term(const char *term)
{
	need_tmux();
	const char *bin = getenv("CHERRY_BIN") ? getenv("CHERRY_BIN") : "build/cherry";
	char tv[64];
	snprintf(tv, sizeof tv, "TERM=%s", term);
	const char *argv[] = {"env", tv, bin, NULL};
	if (tmux_start(&T, &H, argv, key_env, 100, 30) < 0)
		fail_msg("could not start cherry in tmux");
}

static void test_keys_every_terminal(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof terms / sizeof *terms; t++) {
		start_term(terms[t].term);
		wait_state("fo/hello", "idle");
		for (size_t v = 0; v <= sizeof other_home / sizeof *other_home; v++) {
			const char *home = v ? other_home[v - 1] : terms[t].home;
			const char *end = v ? other_end[v - 1] : terms[t].end;
			type("ab");
			raw(home);
			type("X");
			raw(end);
			type("Y");
			raw(home);
			raw("\033[3~"); /* Delete */
			want_input("> abY");
			keys("C-e");
			keys("C-u");
			want_input(">");
		}
		raw(terms[t].f1);
		wait_for("cherry help");
		keys("Escape");
		wait_gone("cherry help");
		/* no stray bytes of an unknown sequence reached the input */
		want_input(">");
		quit_ok();
		tmux_stop(&T);
	}
}

/* Scrolling keys as xterm and tmux send them, and the hint naming the key that works. */
static void test_scroll_keys(void **state)
{
	(void)state;
	start_term("xterm-256color");
	wait_state("fo/hello", "idle");
	send_line("/model fo/long:400");
	wait_model("fo/long:400");
	exchange("fo/long:400", "first");
	raw("\033[5~"); /* PgUp */
	wait_for("more below (M-End)");
	raw("\033[1;3H"); /* M-Home, xterm */
	wait_chat("first", 1);
	raw("\033[1;3F"); /* M-End, xterm */
	wait_gone("more below");
	raw("\033[5~");
	wait_for("more below");
	raw("\033\033[4~"); /* Esc End: M-End as tmux and screen send it */
	wait_gone("more below");
	raw("\033[5~");
	raw("\033[6~"); /* PgDn */
	raw("\033[6~");
	wait_gone("more below");
}

/* F6 puts the title in, selected: typing replaces it (issue 11, 4). */
static void test_rename_replaces(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	exchange("fo/hello", "old title words");
	keys("F6");
	want_input("> /rename old title words");
	type("Fresh");
	keys("Enter");
	wait_for("Fresh");
	not_on_screen("old title wordsFresh");
	json_t *conv = newest_conv();
	assert_str(json_string_value(json_object_get(conv, "title")), "Fresh");
	json_decref(conv);
}

/* /system with no text shows the prompt; --clear removes it (issue 11, 5). */
static void test_system_shows(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	send_line("/system Answer in French.");
	wait_for("Answer in French.");
	keys("C-l");
	send_line("/system");
	wait_stable();
	json_t *conv = NULL;
	send_line("/system --clear");
	wait_for("system prompt removed");
	wait_chat("Answer in French.", 0);
	(void)conv;
}

/* The status line never shows two states at once, and says when it will retry
 * (issue 11, 6). */
static void test_status_line_states(void **state)
{
	(void)state;
	char cfg_extra[] = "";
	(void)cfg_extra;
	start(100, 30, "-m", "fo/e503");
	wait_state("fo/e503", "idle");
	send_line("fails");
	wait_state("fo/e503", "error");
	screen();
	if (strstr(row(-1), "error · error"))
		fail_msg("the error is said twice: \"%s\"", row(-1));
	/* a line too long for the status line is shown whole on the row above it */
	on_screen(" fo: 503 server_error: The engine is currently overloaded, please try again "
		  "later");
	/* the next state comes alone */
	send_line("/model fo/hello+slow:300");
	wait_model("fo/hello+slow:300");
	send_line("again");
	wait_for("streaming");
	screen();
	if (strstr(row(-1), "503") || strstr(row(-1), "rror"))
		fail_msg("a stale error next to the new state: \"%s\"", row(-1));
	wait_state("fo/hello+slow:300", "idle");
}

/* A long status message and a long title end in an ellipsis; the list shows ages; a
 * delete shows the neighbour; an empty conversation says how to start (issue 11, 6-7). */
static void test_list_and_welcome(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	wait_for("Type a message and press Enter");
	exchange("fo/hello", "a first conversation");
	keys("C-n");
	wait_for("Type a message and press Enter");
	exchange("fo/hello", "a second conversation with a title far too long for the list");
	wait_for("a second convers… now");
	on_screen(" now");
	keys("F8");
	keys("y");
	wait_for("deleted");
	/* the neighbour, not a blank chat */
	wait_chat("a first conversation", 1);
	on_screen("▸ a first conversa… now");
}

/* C-t reads again only what changed on disk since the list was read (histwatch.h): a
 * conversation another process made shows in the switcher, one it deleted does not, and
 * the index is not written again, as it was when the whole list was read again. */
static void test_switcher_sees_other_process(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	exchange("fo/hello", "mine here");
	static const char *const ask[] = {"ask", "-m", "fo/echo", "made by another process",
					  NULL};
	struct run r;
	assert_int_equal(run_cherry(&r, &H, ask, key_env, NULL, TMO), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	char other[64], idx[512];
	newest_id(other, sizeof other); /* `history list` writes the index */
	snprintf(idx, sizeof idx, "%s/cache/cherry/history-index", H.root);
	struct stat before, after;
	assert_int_equal(stat(idx, &before), 0);
	keys("C-t");
	wait_for("Conversation:");
	wait_for("made by another process");
	keys("Escape");
	wait_gone("Conversation:");
	const char *rm[] = {"history", "rm", "-f", other, NULL};
	assert_int_equal(run_cherry(&r, &H, rm, key_env, NULL, TMO), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	keys("C-t");
	wait_for("Conversation:");
	wait_stable();
	not_on_screen("made by another process");
	on_screen("mine here");
	assert_int_equal(stat(idx, &after), 0);
	assert_true(after.st_ino == before.st_ino && after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
		    after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
	keys("Escape");
	quit_ok();
}

/* Enter while an answer streams queues the message; it goes when the answer ends
 * (issue 11, 8). */
static void test_queue_send(void **state)
{
	(void)state;
	start(100, 30, "-m", "fo/long:60+slow");
	wait_state("fo/long:60+slow", "idle");
	send_line("first");
	wait_for("streaming");
	send_line("second");
	wait_for("you (queued)");
	on_screen("1 queued");
	wait_requests(2);
	wait_state("fo/long:60+slow", "streaming");
	wait_chat("(queued)", 0);
	keys("Escape");
	wait_state("fo/long:60+slow", "stopped");
	json_t *conv = newest_conv();
	assert_str(msg_field(conv, 2, "content"), "second");
	json_decref(conv);
	assert_int_equal(fakeprov_count(&FP), 2);
}

/* A key in the environment and no config.json: the preset's current models are ready
 * at once (issue 11, 2). The provider is never reached: a proxy that refuses stands in
 * front of it. */
static void test_env_key_no_config(void **state)
{
	(void)state;
	char cfg[512];
	snprintf(cfg, sizeof cfg, "%s/config/cherry/config.json", H.root);
	assert_int_equal(unlink(cfg), 0);
	static const char *const env[] = {
		"OPENAI_API_KEY=" CANARY, "https_proxy=http://127.0.0.1:9",
		"HTTPS_PROXY=http://127.0.0.1:9", "FAKE_OPENAI_KEY", NULL,
	};
	start_env(100, 30, NULL, NULL, env);
	wait_state("openai/gpt-5.4", "idle");
	not_on_screen("No model is ready yet");
	on_screen("Type a message and press Enter to ask openai/gpt-5.4");
	keys("C-o");
	wait_for("openai/gpt-5.2");
	not_on_screen("no model matches");
	keys("Escape");
	assert_int_equal(fakeprov_count(&FP), 0);
}

/* Opening the picker fetches the providers' lists in the background and caches them
 * (issue 11, 2). */
static void test_picker_fetches_lists(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	keys("C-o");
	/* "cjk" is in the fake provider's list only: it came from the fetch */
	wait_for("fo/cjk");
	on_screen("fa/reasoning");
	type("cjk");
	wait_gone("fa/reasoning");
	on_screen("fg/cjk");
	keys("Escape");
	char p[512];
	snprintf(p, sizeof p, "%s/cache/cherry/models-fo.json", H.root);
	assert_int_equal(tree_contains(p, "\"cjk\""), 1);
}

/* ---- the everyday moves ---- */

/* M-e puts the last prompt back marked as an edit; sending it makes a new branch beside
 * the old one, which stays a sibling: M-, and M-. flip between the two. */
static void test_edit_and_resend(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	exchange("fo/hello", "first question");
	exchange("fo/hello", "second question");
	keys("M-e");
	wait_for("editing message 3");
	on_screen("> second question");
	keys("C-e");
	type(" edited");
	keys("Enter");
	wait_requests(3);
	wait_state("fo/hello", "idle");
	wait_chat("second question edited", 1);
	wait_gone("editing message");
	json_t *conv = newest_conv();
	assert_int_equal(json_array_size(json_object_get(conv, "messages")), 6);
	assert_str(msg_field(conv, 4, "content"), "second question edited");
	assert_str(msg_field(conv, 4, "parent"), msg_field(conv, 2, "parent"));
	json_decref(conv);
	/* the request sent only the new branch */
	json_t *req = fakeprov_last_request(&FP);
	json_t *msgs = json_object_get(json_object_get(req, "body"), "messages");
	assert_int_equal(json_array_size(msgs), 3);
	json_decref(req);
	/* the old branch is a sibling, as the man page says: M-, shows it (the answer has
	 * none of its own), M-. the new one again; the prompt's header counts them */
	wait_for("you (2/2)");
	keys("M-,");
	wait_chat("second question edited", 0);
	wait_for("you (1/2)");
	wait_chat("second question", 1);
	keys("M-.");
	wait_chat("second question edited", 1);
}

/* M-s selects a message (a click too); r asks again with the model chosen in the
 * picker; d deletes it and what follows after a yes; b starts a new conversation. */
static void test_select_actions(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	exchange("fo/hello", "alpha question");
	exchange("fo/hello", "beta question");
	keys("M-s");
	wait_for("Message selected");
	keys("Up");
	keys("r");
	wait_for("Model:");
	type("fo/echo");
	keys("Enter");
	wait_requests(3);
	wait_for("fo/echo (2/2)");
	wait_state("fo/echo", "idle");
	json_t *req = fakeprov_last_request(&FP);
	json_t *msgs = json_object_get(json_object_get(req, "body"), "messages");
	assert_int_equal(json_array_size(msgs), 3); /* alpha, its answer, beta */
	json_decref(req);
	/* a click on "alpha question" selects it; b makes a conversation of it alone, where
	 * d and y delete it */
	screen();
	int y = -1;
	for (int i = 0; i < tmux_nrows(SCR) && y < 0; i++)
		if (strstr(row(i), "\xe2\x94\x82" "alpha question")) /* in the chat, not the list */
			y = i;
	assert_true(y >= 0);
	char click[16];
	snprintf(click, sizeof click, "\033[M %c%c", 33 + 40, 33 + y);
	type(click);
	wait_for("Message selected");
	keys("b");
	wait_for("branched into a new conversation");
	on_screen("▸ alpha question ("); /* the list cuts the title */
	wait_chat("beta question", 0);
	keys("M-s");
	wait_for("Message selected");
	keys("Home");
	keys("d");
	wait_for("Delete the selected message and everything below it? (y/n)");
	keys("y");
	wait_for("deleted 1 message"); /* the branch holds the prompt clicked, no more */
	wait_chat("alpha question", 0);
}

/* C-s finds text in the chat, in any case; Enter goes to the next match. */
static void test_find_in_chat(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	exchange("fo/hello", "first");
	exchange("fo/hello", "second");
	keys("C-s");
	type("FAKE OPENAI");
	wait_for("Find: FAKE OPENAI  (1 of 2 lines)");
	keys("Enter");
	wait_for("(2 of 2 lines)");
	char *esc = tmux_capture(&T, 1);
	assert_non_null(esc);
	assert_non_null(strstr(esc, "\033[7m")); /* the current match in reverse video */
	free(esc);
	type("x");
	wait_for("(not found)");
	keys("Escape");
	wait_gone("Find:");
}

/* C-r searches every conversation (with Unicode case folding); Enter opens the one
 * chosen at the message, the text found marked. */
static void test_search_history(void **state)
{
	(void)state;
	start(100, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	exchange("fo/hello", "Über alles");
	keys("C-n");
	wait_for("new conversation");
	exchange("fo/hello", "something else");
	keys("C-r");
	wait_for("Search all conversations:");
	type("üBER");
	wait_for("Über alles: Über alles");
	keys("Enter");
	wait_for("Find: üBER");
	wait_chat("Über alles", 1);
	wait_chat("something else", 0);
	/* the command line finds it the same way */
	static const char *const args[] = {"history", "search", "ÜBER", NULL};
	struct run r;
	assert_int_equal(run_cherry(&r, &H, args, key_env, NULL, TMO), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "    Über alles"));
	run_free(&r);
}

/* M-k clears the context: the next request holds only the new message, the earlier
 * ones stay on the screen; the status line estimates the next request's tokens and,
 * with a price in config.json, shows the cost, as the answer's header does. */
static void test_context_and_cost(void **state)
{
	(void)state;
	write_config(BASE_CONFIG ",\n"
		"  \"prices\": {\"fo/hello\": {\"input\": 1000, \"output\": 2000}}");
	start(120, 30, NULL, NULL);
	wait_state("fo/hello", "idle");
	on_screen("~0 tok next");
	exchange("fo/hello", "old topic");
	wait_for(" in / ");
	wait_for("tok next \xc2\xb7 $");
	keys("M-k");
	wait_for("context cleared");
	exchange("fo/hello", "new topic");
	json_t *req = fakeprov_last_request(&FP);
	json_t *msgs = json_object_get(json_object_get(req, "body"), "messages");
	assert_int_equal(json_array_size(msgs), 1);
	json_decref(req);
	wait_chat("old topic", 1);
	json_t *conv = newest_conv();
	assert_int_equal(json_integer_value(json_object_get(conv, "version")), 2);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(conv, "messages"),
								   1), "context_break")));
	json_decref(conv);
	send_line("/stats");
	wait_for("for the 2 answers whose model has a price");
}

/* Files in the attachments directory. */
static int attachments_kept(void)
{
	char dir[600];
	snprintf(dir, sizeof dir, "%s/data/cherry/attachments", H.root);
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *de; d && (de = readdir(d));)
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* Deleting a conversation in the client removes the attachments no other conversation
 * mentions, while the client goes on (the others are read in steps between keys), and
 * keeps one another conversation shares. */
static void test_delete_removes_attachments(void **state)
{
	(void)state;
	char png[600], other[600];
	snprintf(png, sizeof png, "%s/shared.png", H.root);
	snprintf(other, sizeof other, "%s/own.png", H.root);
	assert_int_equal(harness_write_png(png), 0);
	assert_int_equal(harness_write_file(other, "\x89PNG\r\n\x1a\nown bytes", 17), 0);
	start(100, 24, NULL, NULL);
	wait_state("fo/hello", "idle");
	send_line("/attach ~/shared.png");
	exchange("fo/hello", "first with it");
	keys("C-n");
	send_line("/attach ~/shared.png");
	exchange("fo/hello", "second with it");
	keys("C-n");
	send_line("/attach ~/own.png");
	exchange("fo/hello", "its own picture");
	assert_int_equal(attachments_kept(), 2);
	send_line("/delete");
	wait_for("(y/n)");
	keys("y");
	wait_for("deleted");
	for (double end = tmux_now() + TMO / 1000.0; attachments_kept() > 1 && tmux_now() < end;)
		tmux_sleep_ms(20);
	assert_int_equal(attachments_kept(), 1); /* own.png went, the client still running */
	assert_alive("after a deletion");
	send_line("/open second with it");
	wait_chat("second with it", 1);
	send_line("/delete");
	wait_for("(y/n)");
	keys("y");
	wait_for("deleted");
	tmux_sleep_ms(300);
	assert_int_equal(attachments_kept(), 1); /* the first conversation still shows it */
	quit_ok();
	assert_int_equal(attachments_kept(), 1);
}

/* /attach: Tab completes the path, chips show above the input, Backspace on an empty
 * input drops the last, and the message sends the file (an image part, its name under
 * the message). */
static void test_attach_chips(void **state)
{
	(void)state;
	char png[600], txt[600];
	snprintf(png, sizeof png, "%s/shot.png", H.root);
	snprintf(txt, sizeof txt, "%s/build.log", H.root);
	assert_int_equal(harness_write_png(png), 0);
	assert_int_equal(harness_write_file(txt, "error: it broke\n", 16), 0);
	start(100, 24, NULL, NULL);
	wait_state("fo/hello", "idle");
	type("/attach ~/sh");
	keys("Tab");
	wait_for("/attach ~/shot.png");
	type(" ~/build.log");
	keys("Enter");
	wait_for("\xf0\x9f\x93\x8e shot.png 16 B \xc2\xb7 \xe2\x9c\x95  \xf0\x9f\x93\x8e build.log 16 B");
	keys("BSpace");
	wait_gone("build.log 16 B");
	on_screen("shot.png 16 B");
	send_line("/attach ~/nope.txt");
	wait_for("no such file");
	keys("C-u");
	exchange("fo/hello", "what is this?");
	not_on_screen("\xe2\x9c\x95");
	wait_chat("\xf0\x9f\x93\x8e shot.png (image/png, 16 B)", 1);
	json_t *req = fakeprov_last_request(&FP);
	char *body = json_dumps(json_object_get(req, "body"), 0);
	assert_non_null(strstr(body, "data:image/png;base64,iVBORw0KGgo"));
	assert_null(strstr(body, "it broke"));
	free(body);
	json_decref(req);
	/* the next message of the conversation sends the stored file again */
	exchange("fo/hello", "and now?");
	req = fakeprov_last_request(&FP);
	body = json_dumps(json_object_get(req, "body"), 0);
	assert_non_null(strstr(body, "data:image/png;base64,iVBORw0KGgo"));
	assert_non_null(strstr(body, "and now?"));
	free(body);
	json_decref(req);

	/* a pasted path that names a file is offered as an attachment; n keeps the text */
	char paste[700];
	snprintf(paste, sizeof paste, "\033[200~%s\033[201~", txt);
	raw(paste);
	wait_for("Attach the file");
	wait_for("instead of pasting its name? (y/n)");
	keys("y");
	wait_for("\xf0\x9f\x93\x8e build.log 16 B");
	want_input(">");
	raw(paste);
	wait_for("(y/n)");
	keys("n");
	wait_for("kept as text");
	on_screen("build.log 16 B");
	on_screen(txt);

	/* M-a: the file chooser, filtered as you type (cherry runs in the source tree) */
	keys("C-u");
	keys("M-a");
	wait_for("Attach a file:");
	type("READM");
	wait_for("README.md");
	keys("Enter");
	wait_for("\xf0\x9f\x93\x8e README.md");
}

int main(void)
{
	if (slow_build())
		TMO = 20000;
	/* TUI_TESTS=pattern runs only the matching tests (while debugging) */
	if (getenv("TUI_TESTS"))
		cmocka_set_test_filter(getenv("TUI_TESTS"));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_needs_terminal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_shows_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_streams_answer_and_saves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_switch_models, setup, teardown),
		cmocka_unit_test_setup_teardown(test_esc_stops_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resize_mid_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frames_as_repainted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiny_terminal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cjk_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escapes_leave_terminal_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_q_restores_terminal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_d_quits_on_empty_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_lists_keys_and_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_welcome_first_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_welcome_keyed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_core_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_editor_draft_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopens_last_conversation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_flag_wins_over_reopened, setup, teardown),
		cmocka_unit_test_setup_teardown(test_privacy_notice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_terminal_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connects_only_to_provider, setup, teardown),
		cmocka_unit_test_setup_teardown(test_canary_key_from_vault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_continues_in_background, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_keeps_sibling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_models_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eight_models_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebinding_from_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown_rendered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_by_title, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_and_resend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_in_chat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_context_and_cost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_chips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_removes_attachments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paste_multiline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_every_terminal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scroll_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_shows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_line_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_and_welcome, setup, teardown),
		cmocka_unit_test_setup_teardown(test_switcher_sees_other_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_key_no_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_picker_fetches_lists, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
