/* test_terminal_safety: every command that prints outside text runs on a pseudo-terminal
 * against hostile data (escape sequences in answers, in-stream errors, model ids,
 * provider names and URLs, conversation titles, file paths and argv) and must write no
 * ESC and no C1 control it did not make itself: nothing a provider, a config or a file
 * name holds may move the cursor, set the title or write the clipboard. Any raw
 * escape on any path fails the case. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define TIMEOUT 20000

static struct fakeprov FP;
static struct testhome H;
static char fixtures[300];

/* A hostile string for JSON text: ESC CSI, an OSC title, the UTF-8 C1 CSI, a newline. */
#define HOSTILE_JSON "\\u001b[31mRED\\u001b[0m\\u001b]0;pwned\\u0007\\u009b2J"

/* ---- finding escapes ---- */

/* The offset of the first ESC or C1 control (as UTF-8, C2 80..9F) in s, or -1. */
static long first_escape(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0x1b)
			return (long)i;
		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80
		    && (unsigned char)s[i + 1] <= 0x9f)
			return (long)i;
	}
	return -1;
}

/* What was around the escape, with control bytes shown as \xNN. */
static void describe(const char *s, size_t len, long at, char *out, size_t outsz)
{
	size_t from = at > 40 ? (size_t)at - 40 : 0, to = (size_t)at + 40 < len ? (size_t)at + 40 : len;
	size_t o = 0;
	for (size_t i = from; i < to && o + 5 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0xc2)
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static int raw_new;   /* raw outputs nobody named */

static const char *cherry_path(void)
{
	const char *b = getenv("CHERRY_BIN");
	return b && *b ? b : "build/cherry";
}

/* Runs cherry ARGS on a terminal: a raw escape in its output fails the test. */
static void expect_clean(const char *what, const char *const *args,
			 const char *const *env)
{
	const char *argv[32];
	size_t n = 0;
	argv[n++] = cherry_path();
	for (size_t i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	struct run r;
	assert_int_equal(harness_run_pty(&r, &H, argv, env, TIMEOUT), 0);
	if (r.status == 128 + 9)
		fail_msg("%s: timed out", what);
	long at = first_escape(r.out, r.out_len);
	if (at < 0) {
		char head[400];
		describe(r.out, r.out_len > 100 ? 100 : r.out_len, 40, head, sizeof head);
		print_message("# %s: clean (%zu bytes, exit %d): %s\n", what, r.out_len, r.status,
			      head);
		run_free(&r);
		return;
	}
	char ctx[400];
	describe(r.out, r.out_len, at, ctx, sizeof ctx);
	run_free(&r);
	print_message("# %s: RAW at byte %ld: %s\n", what, at, ctx);
	raw_new++;
}

/* The same with stdout and stderr on pipes: sanitised too (security.md 6.5), unless --raw. */
static void expect_clean_pipe(const char *what, const char *const *args,
			      const char *const *env)
{
	struct run r;
	assert_int_equal(run_cherry(&r, &H, args, env, NULL, TIMEOUT), 0);
	if (r.status == 128 + 9)
		fail_msg("%s: timed out", what);
	const char *streams[2] = {r.out, r.err};
	size_t lens[2] = {r.out_len, r.err_len};
	for (int k = 0; k < 2; k++) {
		long at = first_escape(streams[k], lens[k]);
		if (at < 0)
			continue;
		char ctx[400];
		describe(streams[k], lens[k], at, ctx, sizeof ctx);
		print_message("# %s (pipe, %s): %s at byte %ld: %s\n", what, k ? "stderr" : "stdout",
			      "RAW", at, ctx);
		raw_new++;
		run_free(&r);
		return;
	}
	print_message("# %s (pipe): clean (%zu+%zu bytes, exit %d)\n", what, r.out_len, r.err_len,
		      r.status);
	run_free(&r);
}

/* Ends a test: fails on any raw output. */
static void verdict(void)
{
	int fresh = raw_new;
	raw_new = 0;
	if (fresh)
		fail_msg("%d output(s) wrote escapes cherry did not make (see above)", fresh);
}

/* ---- the world ---- */

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int setup(void **state)
{
	(void)state;
	/* a replay fixture with an error inside the stream, its message hostile */
	char dir[320], path[400];
	snprintf(fixtures, sizeof fixtures, "/tmp/cherry-tsafe.XXXXXX");
	if (!mkdtemp(fixtures))
		return -1;
	snprintf(dir, sizeof dir, "%s/recorded-openai", fixtures);
	if (mkdir(dir, 0700) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/hostile.sse", dir);
	if (write_file(path,
		       "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial "
		       HOSTILE_JSON "\"}}]}\n\n"
		       "data: {\"error\":{\"message\":\"upstream " HOSTILE_JSON " failed\","
		       "\"type\":\"server_error\",\"code\":\"x" HOSTILE_JSON "\"}}\n\n") < 0)
		return -1;
	setenv("CHERRY_FIXTURES", fixtures, 1);
	if (fakeprov_start(&FP) < 0 || testhome_make(&H) < 0)
		return -1;
	char cfg[4096];
	snprintf(cfg, sizeof cfg,
		 "{\n"
		 "  \"default_model\": \"fo/hello\",\n"
		 "  \"providers\": {\n"
		 "    \"fo\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:%d/v1\",\n"
		 "           \"key_env\": \"FAKE_OPENAI_KEY\"},\n"
		 "    \"evil\": {\"kind\": \"openai\",\n"
		 "           \"base_url\": \"http://127.0.0.1:%d/v1\",\n"
		 "           \"key_env\": \"EVIL_KEY\", \"models\": [\"m1\"]},\n"
		 "    \"fz\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:%d/v1\",\n"
		 "           \"key_env\": \"FAKE_OPENAI_KEY\", \"models\": [\"m1\", \"m2\"]}\n"
		 "  },\n"
		 "  \"assistants\": {\"x\": {\"system\": \"s" HOSTILE_JSON "\"}},\n"
		 "  \"network\": {\"max_retries\": 0}\n"
		 "}\n",
		 FP.port, FP.port, FP.port);
	if (testhome_write_config(&H, cfg) < 0)
		return -1;
	/* the hostile config must be one cherry accepts, or every case below only shows
	 * its refusal */
	struct run r;
	const char *const args[] = {"providers", NULL};
	if (run_cherry(&r, &H, args, NULL, NULL, TIMEOUT) < 0)
		return -1;
	int ok = r.status == 0;
	if (!ok)
		fprintf(stderr, "the hostile config is refused: %s", r.err);
	run_free(&r);
	return ok ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fakeprov_stop(&FP);
	testhome_remove(&H);
	if (fixtures[0])
		harness_rm_tree(fixtures);
	return 0;
}

static const char *const key_env[] = {"FAKE_OPENAI_KEY=sk-test-terminal-safety", NULL};

/* The id of the only conversation saved so far. */
static void saved_id(char *id, size_t idsz)
{
	char dir[400];
	snprintf(dir, sizeof dir, "%s/data/cherry/conversations", H.root);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	id[0] = '\0';
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] != '.' && n > 5 && !strcmp(de->d_name + n - 5, ".json"))
			snprintf(id, idsz, "%.*s", (int)(n - 5), de->d_name);
	}
	closedir(d);
	assert_true(id[0] != '\0');
}

/* ---- the cases ---- */

static void test_ask(void **state)
{
	(void)state;
	expect_clean("ask: an answer full of escapes",
		     (const char *const[]){"ask", "--no-save", "-m", "fo/escapes", "hi", NULL},
		     key_env);
	expect_clean("ask: reasoning shown",
		     (const char *const[]){"ask", "--no-save", "--show-reasoning", "--stats", "-m",
					   "fo/escapes", "hi", NULL},
		     key_env);
	expect_clean("ask: an error inside the stream",
		     (const char *const[]){"ask", "--no-save", "-m", "fo/replay:hostile", "hi",
					   NULL},
		     key_env);
	expect_clean("ask: an unknown model named with escapes",
		     (const char *const[]){"ask", "--no-save", "-m",
					   "fo\x1b]0;pwned\x07/x\x1b[2J", "hi", NULL},
		     key_env);
	expect_clean("ask: a provider whose key variable is hostile",
		     (const char *const[]){"ask", "--no-save", "-m", "evil/m", "hi", NULL}, key_env);
	verdict();
}

static void test_history(void **state)
{
	(void)state;
	/* the title comes from the prompt, the answer holds the fake provider's escapes */
	struct run r;
	const char *const args[] = {"ask", "-m", "fo/escapes",
				    "title \x1b]0;pwned\x07 with \x1b[31mred\x1b[0m", NULL};
	assert_int_equal(run_cherry(&r, &H, args, key_env, NULL, TIMEOUT), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	char id[64];
	saved_id(id, sizeof id);
	expect_clean("history list", (const char *const[]){"history", "list", NULL}, NULL);
	expect_clean("history list --json",
		     (const char *const[]){"history", "list", "--json", NULL}, NULL);
	expect_clean("history show", (const char *const[]){"history", "show", id, NULL},
		     NULL);
	expect_clean("history show --json",
		     (const char *const[]){"history", "show", id, "--json", NULL}, NULL);
	expect_clean("history search (title)",
		     (const char *const[]){"history", "search", "with", NULL}, NULL);
	expect_clean("history search (answer)",
		     (const char *const[]){"history", "search", "screen", NULL}, NULL);
	expect_clean("history export --format md",
		     (const char *const[]){"history", "export", id, "--format", "md", NULL}, NULL);
	expect_clean("history export --format json",
		     (const char *const[]){"history", "export", id, "--format", "json", NULL},
		     NULL);
	expect_clean_pipe("ask",
			  (const char *const[]){"ask", "--no-save", "-m", "fo/escapes", "hi", NULL},
			  key_env);
	expect_clean_pipe("ask: an error inside the stream",
			  (const char *const[]){"ask", "--no-save", "-m", "fo/replay:hostile", "hi",
						NULL},
			  key_env);
	expect_clean_pipe("history list", (const char *const[]){"history", "list", NULL},
			  NULL);
	expect_clean_pipe("history show",
			  (const char *const[]){"history", "show", id, NULL}, NULL);
	expect_clean_pipe("history search",
			  (const char *const[]){"history", "search", "screen", NULL}, NULL);
	expect_clean_pipe("history export --format md",
			  (const char *const[]){"history", "export", id, "--format", "md", NULL},
			  NULL);
	expect_clean_pipe("history list --json",
			  (const char *const[]){"history", "list", "--json", NULL}, NULL);
	expect_clean_pipe("history show --json",
			  (const char *const[]){"history", "show", id, "--json", NULL}, NULL);
	expect_clean_pipe("history export --format json",
			  (const char *const[]){"history", "export", id, "--format", "json", NULL},
			  NULL);
	expect_clean_pipe("a mistyped command",
			  (const char *const[]){"\x1b[31mbogus", NULL}, NULL);
	expect_clean("history show: a hostile id",
		     (const char *const[]){"history", "show", "\x1b[2Jzz", NULL}, NULL);
	expect_clean("ask -c: a hostile id",
		     (const char *const[]){"ask", "-c", "\x1b]0;pwned\x07", "hi", NULL}, key_env);
	verdict();
}

static void test_lists(void **state)
{
	(void)state;
	expect_clean("models: a provider's configured models",
		     (const char *const[]){"models", "fz", NULL}, key_env);
	expect_clean("models: the fake provider's list",
		     (const char *const[]){"models", "--refresh", "fo", NULL}, key_env);
	expect_clean("providers", (const char *const[]){"providers", NULL}, key_env);
	expect_clean("key list", (const char *const[]){"key", "list", NULL}, key_env);
	expect_clean("privacy", (const char *const[]){"privacy", NULL}, key_env);
	expect_clean("privacy --report",
		     (const char *const[]){"privacy", "--report", NULL}, key_env);
	verdict();
}

static void test_errors(void **state)
{
	(void)state;
	expect_clean("a mistyped command",
		     (const char *const[]){"\x1b[31mbogus\x1b]0;pwned\x07", NULL}, NULL);
	expect_clean("an unknown option",
		     (const char *const[]){"ask", "--\x1b[2Jx", "hi", NULL}, NULL);
	expect_clean("key set: a hostile provider name",
		     (const char *const[]){"key", "rm", "\x1b]52;c;ZWNobyBwd25lZA==\x07", NULL},
		     NULL);
	expect_clean("models: an unknown hostile provider",
		     (const char *const[]){"models", "no\x1b[2Jpe", NULL}, NULL);
	verdict();
}

/* Names the config gives (provider, assistant) are refused with an error line. */
static void test_hostile_names(void **state)
{
	(void)state;
	static const char *const names[] = {
		"{\"providers\": {\"ev" HOSTILE_JSON "il\": {\"kind\": \"openai\", "
		"\"base_url\": \"http://127.0.0.1:9/v1\"}}}\n",
		"{\"assistants\": {\"x" HOSTILE_JSON "\": {\"system\": \"s\"}}}\n",
		"{\"providers\": {\"evil\": {\"kind\": \"openai\", \"models\": [\"m" HOSTILE_JSON
		"\", \"a\\nb\"], \"base_url\": \"http://127.0.0.1:9/v1\"}}}\n",
		"{\"providers\": {\"evil\": {\"kind\": \"openai\", \"privacy_policy\": "
		"\"https://example.com/" HOSTILE_JSON "\", \"base_url\": \"http://127.0.0.1:9/v1\"}}}\n",
		"{\"providers\": {\"evil\": {\"kind\": \"openai\", \"key_env\": \"K" HOSTILE_JSON "\", "
		"\"base_url\": \"http://127.0.0.1:9/v1\"}}}\n",
		"{\"providers\": {\"evil\": {\"kind\": \"openai\", "
		"\"base_url\": \"http://127.0.0.1:9/v1/" HOSTILE_JSON "\"}}}\n",
		"{\"default_model\": \"fo" HOSTILE_JSON "/m\", \"favorites\": [\"a" HOSTILE_JSON
		"/b\"]}\n",
		"{\"ui\": {\"markdown\": \"" HOSTILE_JSON "\"}, \"k" HOSTILE_JSON "\": 1}\n",
	};
	char cfg[300], dir[320], file[400], env_cfg[340];
	snprintf(cfg, sizeof cfg, "%s/names", H.root);
	snprintf(dir, sizeof dir, "%s/cherry", cfg);
	snprintf(file, sizeof file, "%s/config.json", dir);
	snprintf(env_cfg, sizeof env_cfg, "XDG_CONFIG_HOME=%s", cfg);
	assert_int_equal(mkdir(cfg, 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	const char *const env[] = {env_cfg, "FAKE_OPENAI_KEY=sk-test-x", NULL};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char what[64];
		assert_int_equal(write_file(file, names[i]), 0);
		snprintf(what, sizeof what, "hostile config names %zu: providers", i + 1);
		expect_clean(what, (const char *const[]){"providers", NULL}, env);
		snprintf(what, sizeof what, "hostile config names %zu: ask", i + 1);
		expect_clean(what, (const char *const[]){"ask", "--no-save", "hi", NULL}, env);
	}
	verdict();
}

/* The client sets the terminal's modes it needs and puts them back as it found them:
 * bracketed paste, and xterm's metaSendsEscape saved, set (Alt-s is M-s, not "ó") and
 * restored on quitting. */
static void test_client_modes(void **state)
{
	(void)state;
	const char *argv[] = {cherry_path(), NULL};
	struct run r;
	assert_int_equal(harness_run_pty_keys(&r, &H, argv, NULL, "F1 help", "\x11", TIMEOUT), 0);
	if (r.status != 0)
		fail_msg("exit %d:\n%s", r.status, r.out);
	const char *set = strstr(r.out, "\033[?2004h\033[?1036s\033[?1036h");
	assert_non_null(set);
	const char *back = strstr(set, "\033[?2004l\033[?1036r");
	assert_non_null(back);
	assert_null(strstr(back + 1, "\033[?1036h")); /* nothing sets it again after */
	run_free(&r);
}

static void test_hostile_paths(void **state)
{
	(void)state;
	/* XDG directories whose names hold escapes: every message that quotes a path */
	char cfg[300], data[300], dirs[2][400];
	snprintf(cfg, sizeof cfg, "%s/cfg\x1b]0;pwned\x07", H.root);
	snprintf(data, sizeof data, "%s/data\x1b[31mred", H.root);
	assert_int_equal(mkdir(cfg, 0700), 0);
	snprintf(dirs[0], sizeof dirs[0], "%s/cherry", cfg);
	assert_int_equal(mkdir(dirs[0], 0700), 0);
	snprintf(dirs[1], sizeof dirs[1], "%s/cherry/config.json", cfg);
	assert_int_equal(write_file(dirs[1], "{\"default_model\": \n"), 0); /* broken JSON */
	char env_cfg[460], env_data[460];
	snprintf(env_cfg, sizeof env_cfg, "XDG_CONFIG_HOME=%s", cfg);
	snprintf(env_data, sizeof env_data, "XDG_DATA_HOME=%s", data);
	const char *const env[] = {env_cfg, env_data, "FAKE_OPENAI_KEY=sk-test-x", NULL};
	expect_clean("a broken config under a hostile path",
		     (const char *const[]){"providers", NULL}, env);
	assert_int_equal(write_file(dirs[1], "{}\n"), 0);
	expect_clean("privacy with hostile XDG paths",
		     (const char *const[]){"privacy", NULL}, env);
	expect_clean("history list with a hostile data path",
		     (const char *const[]){"history", "list", NULL}, env);
	verdict();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ask),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_hostile_paths),
		cmocka_unit_test(test_client_modes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
