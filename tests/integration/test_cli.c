/* test_cli: the command line of the real binary: --help for every command and
 * subcommand, suggestions for mistyped commands, defaults and exit statuses, and
 * --passphrase-fd in both its global and its `ask` place. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define CANARY "sk-test-CANARY-2b7e4c9a1d3f5e8a0c6b"
#define PASS "correct-horse-battery"
#define TIMEOUT 30000

static struct fakeprov FP;
static struct testhome H;

static int group_setup(void **state)
{
	(void)state;
	if (fakeprov_start(&FP) < 0 || testhome_make(&H) < 0)
		return -1;
	char *cfg = testhome_fake_config(FP.port, "\"network\": {\"max_retries\": 0}");
	int r = testhome_write_config(&H, cfg);
	free(cfg);
	return r;
}

static int group_teardown(void **state)
{
	(void)state;
	fakeprov_stop(&FP);
	testhome_remove(&H);
	return 0;
}

static void cherry(struct run *r, const char *const *args, const char *const *env,
		   const char *stdin_data)
{
	assert_int_equal(run_cherry(r, &H, args, env, stdin_data, TIMEOUT), 0);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected \"%s\" in: %s", needle, hay);
}

static void assert_one_line(const char *s)
{
	const char *nl = strchr(s, '\n');
	if (!nl || nl[1])
		fail_msg("expected one line, got: %s", s);
}

/* ---- --help everywhere ---- */

static void test_every_command_takes_help(void **state)
{
	(void)state;
	static const struct {
		const char *const args[5];
		const char *want;
	} cases[] = {
		{{"ask", "--help"}, "usage: cherry ask"},
		{{"ask", "-m", "fo/hello", "-h"}, "usage: cherry ask"},
		{{"history", "--help"}, "usage: cherry history"},
		{{"history", "list", "--help"}, "usage: cherry history"},
		{{"history", "export", "--help"}, "usage: cherry history"},
		{{"models", "--help"}, "usage: cherry models"},
		{{"providers", "--help"}, "usage: cherry providers"},
		{{"key", "--help"}, "key set PROVIDER"},
		{{"key", "set", "--help"}, "key set PROVIDER"},
		{{"privacy", "--help"}, "usage: cherry privacy"},
		{{"help", "ask"}, "usage: cherry ask"},
		{{"help"}, "Commands"},
		{{"--help"}, "usage: cherry history"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct run r;
		/* stdin is data: help must not read it as a prompt or a key */
		cherry(&r, cases[i].args, NULL, "not a prompt\n");
		if (r.status != 0)
			fail_msg("case %zu: status %d: %s", i, r.status, r.err);
		assert_contains(r.out, cases[i].want);
		assert_int_equal(r.err_len, 0);
		run_free(&r);
	}
	/* after "--" it is prompt text: the request goes out */
	struct run r;
	static const char *const prompt[] = {"ask", "-m", "fl/echo", "--", "--help", NULL};
	cherry(&r, prompt, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "--help\n");
	run_free(&r);
}

/* ---- mistyped commands ---- */

static void test_suggestions(void **state)
{
	(void)state;
	static const struct {
		const char *const args[4];
		const char *want;
	} cases[] = {
		{{"histroy", "list"}, "unknown command \"histroy\"; did you mean \"history\"?"},
		{{"modles"}, "did you mean \"models\"?"},
		{{"aks", "hi"}, "did you mean \"ask\"?"},
		{{"history", "lst"}, "unknown history command \"lst\"; did you mean \"list\"?"},
		{{"history", "exprot", "x"}, "did you mean \"export\"?"},
		{{"key", "lsit"}, "did you mean \"list\"?"},
		{{"help", "hstory"}, "did you mean \"history\"?"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct run r;
		cherry(&r, cases[i].args, NULL, NULL);
		assert_int_equal(r.status, 2);
		assert_contains(r.err, cases[i].want);
		assert_one_line(r.err);
		assert_int_equal(r.out_len, 0);
		run_free(&r);
	}
	/* nothing near: no guess */
	struct run r;
	static const char *const far[] = {"frobnicate", NULL};
	cherry(&r, far, NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "unknown command \"frobnicate\"");
	assert_null(strstr(r.err, "did you mean"));
	run_free(&r);
}

/* ---- defaults and exit statuses ---- */

static void test_export_defaults_to_markdown(void **state)
{
	(void)state;
	static const char *const env[] = {"FAKE_OPENAI_KEY=" CANARY, NULL};
	struct run r;
	static const char *const ask[] = {"ask", "-m", "fo/echo", "export me", NULL};
	cherry(&r, ask, env, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	static const char *const list[] = {"history", "list", "--json", NULL};
	cherry(&r, list, NULL, NULL);
	json_t *arr = json_loads(r.out, 0, NULL);
	char id[64];
	snprintf(id, sizeof id, "%s",
		 json_string_value(json_object_get(json_array_get(arr, 0), "id")));
	json_decref(arr);
	run_free(&r);

	static const char *md_args[] = {"history", "export", "--format", "md", NULL, NULL};
	md_args[4] = id;
	cherry(&r, md_args, NULL, NULL);
	assert_int_equal(r.status, 0);
	char *md = strdup(r.out);
	run_free(&r);
	static const char *plain[] = {"history", "export", NULL, NULL};
	plain[2] = id;
	cherry(&r, plain, NULL, NULL);
	if (r.status != 0)
		fail_msg("export without --format: %d %s", r.status, r.err);
	assert_string_equal(r.out, md);
	assert_contains(r.out, "export me");
	free(md);
	run_free(&r);
	static const char *bad[] = {"history", "export", NULL, "--format", "pdf", NULL};
	bad[2] = id;
	cherry(&r, bad, NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "pdf");
	run_free(&r);
}

static void test_models_without_key_exits_4(void **state)
{
	(void)state;
	struct run r;
	static const char *const args[] = {"models", "--refresh", "fo", NULL};
	static const char *const no_key[] = {"FAKE_OPENAI_KEY", NULL};
	cherry(&r, args, no_key, NULL);
	assert_int_equal(r.status, 4);
	assert_contains(r.err, "FAKE_OPENAI_KEY");
	assert_one_line(r.err);
	run_free(&r);
}

/* A newcomer's `cherry models` (no configuration, no key): stdout stays empty for
 * scripts, and one line on stderr says what to do instead of nothing at all. */
static void test_models_with_nothing_set_up(void **state)
{
	(void)state;
	struct testhome bare;
	assert_int_equal(testhome_make(&bare), 0);
	struct run r;
	static const char *const args[] = {"models", NULL};
	assert_int_equal(run_cherry(&r, &bare, args, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_contains(r.err, "nothing to list: no key variable is set");
	assert_contains(r.err, "cherry models PROVIDER");
	assert_one_line(r.err);
	run_free(&r);
	testhome_remove(&bare);
}

/* ---- --passphrase-fd: before the command and after `ask` ---- */

static const char *cherry_bin(void)
{
	const char *b = getenv("CHERRY_BIN");
	return b && *b ? b : "build/cherry";
}

static void test_ask_passphrase_fd(void **state)
{
	(void)state;
	static const char *const no_env_key[] = {"FAKE_OPENAI_KEY", NULL};
	static const char *const set[] = {"--passphrase-fd", "0", "key", "set", "fo", "--kdf",
					  "interactive", NULL};
	struct run r;
	cherry(&r, set, no_env_key, CANARY "\n" PASS "\n");
	if (r.status != 0)
		fail_msg("key set: %s", r.err);
	run_free(&r);

	/* fd 3 holds the passphrase; sh only sets it up and execs cherry */
	static const char script[] = "exec \"$0\" \"$@\" 3<<EOF\n" PASS "\nEOF\n";
	const char *ask_form[] = {"/bin/sh", "-c", script, cherry_bin(), "ask", "--passphrase-fd",
				  "3", "-m", "fo/echo", "from the vault", NULL};
	assert_int_equal(harness_run(&r, &H, ask_form, no_env_key, NULL, 0, 0, TIMEOUT), 0);
	if (r.status != 0)
		fail_msg("ask --passphrase-fd 3: %d %s", r.status, r.err);
	assert_string_equal(r.out, "from the vault\n");
	run_free(&r);

	const char *eq_form[] = {"/bin/sh", "-c", script, cherry_bin(), "ask", "-m", "fo/echo",
				 "--passphrase-fd=3", "equals", NULL};
	assert_int_equal(harness_run(&r, &H, eq_form, no_env_key, NULL, 0, 0, TIMEOUT), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "equals\n");
	run_free(&r);

	const char *global_form[] = {"/bin/sh", "-c", script, cherry_bin(), "--passphrase-fd",
				     "3", "ask", "-m", "fo/echo", "global", NULL};
	assert_int_equal(harness_run(&r, &H, global_form, no_env_key, NULL, 0, 0, TIMEOUT), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "global\n");
	run_free(&r);

	/* a wrong passphrase on the ask form is still exit 5, read from that descriptor */
	static const char wrong[] = "exec \"$0\" \"$@\" 3<<EOF\nnot-it\nEOF\n";
	const char *bad[] = {"/bin/sh", "-c", wrong, cherry_bin(), "ask", "--passphrase-fd", "3",
			     "-m", "fo/echo", "x", NULL};
	assert_int_equal(harness_run(&r, &H, bad, no_env_key, NULL, 0, 0, TIMEOUT), 0);
	assert_int_equal(r.status, 5);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command_takes_help),
		cmocka_unit_test(test_suggestions),
		cmocka_unit_test(test_export_defaults_to_markdown),
		cmocka_unit_test(test_models_without_key_exits_4),
		cmocka_unit_test(test_models_with_nothing_set_up),
		cmocka_unit_test(test_ask_passphrase_fd),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
