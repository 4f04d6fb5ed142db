/* test_keyring: the deferred keyring: a typed passphrase is never asked for inside
 * keyring_get, the screen hands it in through keyring_unlock_with; other sources still
 * work inside keyring_get. Real vaults in a temporary XDG_DATA_HOME. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cherry/fsutil.h"
#include "cherry/harden.h"
#include "cherry/keys.h"
#include "cherry/vault.h"

#include "harness.h"

#define FMT(arr, ...) assert_true(snprintf(arr, sizeof arr, __VA_ARGS__) < (int)sizeof arr)

static const char canary[] = "sk-test-CANARY-7c2d9e41b0a6";
static const char right[] = "kr-pass";

static char tmpdir[256];
static char vault_file[512];

static const struct provider openai = {.name = "openai", .key_env = "CHERRY_TEST_OPENAI_KEY"};

/* The prompt the full-screen client installs today: a deferred keyring must never call
 * it. It answers with the right passphrase so a call would not fail on its own. */
static int prompt_calls;

static int counting_prompt(void *ctx, const char *prompt, struct secret **out, struct err *e)
{
	(void)ctx;
	(void)prompt;
	(void)e;
	prompt_calls++;
	*out = secret_new(right, strlen(right));
	return *out ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/cherry-keyring-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	char data[300];
	snprintf(data, sizeof data, "%s/data", tmpdir);
	setenv("XDG_DATA_HOME", data, 1);
	unsetenv("CHERRY_PASSPHRASE");
	unsetenv("CHERRY_TEST_OPENAI_KEY");
	snprintf(vault_file, sizeof vault_file, "%s/cherry/keys.vault", data);
	struct err e;
	err_clear(&e);
	struct vault *v = vault_new(right, strlen(right), &vault_kdf_interactive, &e);
	if (!v || vault_set(v, "openai", canary, strlen(canary), 0, &e) < 0 ||
	    vault_write_file(vault_file, v, &e) < 0)
		return -1;
	vault_free(v);
	prompt_calls = 0;
	passphrase_set_prompt(counting_prompt, NULL);
	return 0;
}

/* The canary never leaves the vault, which holds it only encrypted. */
static int teardown(void **state)
{
	(void)state;
	passphrase_set_prompt(NULL, NULL);
	unsetenv("CHERRY_PASSPHRASE");
	int found = tree_contains(tmpdir, "CANARY");
	harness_rm_tree(tmpdir);
	return found == 0 ? 0 : -1;
}

static struct keyring *deferred(const struct passphrase_opts *o)
{
	struct keyring *kr = keyring_new(o);
	assert_non_null(kr);
	keyring_defer_typed(kr, 1);
	return kr;
}

static int unlock_with(struct keyring *kr, const char *pass, struct err *e)
{
	struct secret *s = secret_new(pass, strlen(pass));
	assert_non_null(s);
	err_clear(e);
	int r = keyring_unlock_with(kr, s, e);
	secret_free(s);
	return r;
}

static void expect_canary(struct keyring *kr)
{
	struct secret *key;
	const char *source;
	struct err e;
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), 0);
	assert_string_equal(key->s, canary);
	assert_string_equal(source, "vault");
	secret_free(key);
}

static void expect_need(struct keyring *kr)
{
	struct secret *key = (struct secret *)1;
	const char *source = "x";
	struct err e;
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), KEYRING_NEED_PASSPHRASE);
	assert_null(key);
	assert_null(source);
}

static void test_deferred_asks_nobody(void **state)
{
	(void)state;
	struct keyring *kr = deferred(NULL);
	unsigned long runs = vault_kdf_runs();
	expect_need(kr);
	expect_need(kr); /* nothing changed: still needed, still not asked */
	assert_int_equal(vault_kdf_runs(), runs);
	assert_int_equal(prompt_calls, 0);

	struct err e;
	assert_int_equal(unlock_with(kr, "not-it", &e), 1);
	assert_int_equal(vault_kdf_runs(), runs + 1);
	expect_need(kr); /* a wrong answer changes nothing either */
	assert_int_equal(unlock_with(kr, right, &e), 0);
	expect_canary(kr);
	assert_int_equal(unlock_with(kr, "anything", &e), 0); /* already open */
	expect_canary(kr);
	assert_int_equal(vault_kdf_runs(), runs + 2);
	assert_int_equal(prompt_calls, 0);
	keyring_free(kr);
}

static void test_three_wrong_tries(void **state)
{
	(void)state;
	size_t before_len, after_len;
	char *before = harness_read_file(vault_file, &before_len);
	assert_non_null(before);
	struct err e;
	struct keyring *kr = deferred(NULL);
	expect_need(kr);
	assert_int_equal(unlock_with(kr, "one", &e), 1);
	assert_int_equal(unlock_with(kr, "two", &e), 1);
	assert_int_equal(unlock_with(kr, "three", &e), -1);
	assert_int_equal(e.code, EXIT_VAULT);
	assert_string_equal(e.msg, "wrong passphrase for the key vault (3 tries); it is left as "
				   "it is");
	/* Remembered as keyring_get's own failure; even the right one is too late. */
	struct secret *key;
	const char *source;
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), -1);
	assert_int_equal(e.code, EXIT_VAULT);
	assert_non_null(strstr(e.msg, "(3 tries)"));
	unsigned long runs = vault_kdf_runs();
	assert_int_equal(unlock_with(kr, right, &e), -1);
	assert_non_null(strstr(e.msg, "(3 tries)"));
	assert_int_equal(vault_kdf_runs(), runs);
	assert_int_equal(prompt_calls, 0);
	keyring_free(kr);
	char *after = harness_read_file(vault_file, &after_len);
	assert_true(after && after_len == before_len && !memcmp(before, after, after_len));
	free(before);
	free(after);
}

/* Wrong tries given on the screen count toward the three of a later typed prompt. */
static void test_tries_count_in_all(void **state)
{
	(void)state;
	struct keyring *kr = deferred(NULL);
	struct err e;
	assert_int_equal(unlock_with(kr, "one", &e), 1);
	assert_int_equal(unlock_with(kr, "two", &e), 1);
	keyring_defer_typed(kr, 0);
	expect_canary(kr); /* the installed prompt answers right on the last try */
	assert_int_equal(prompt_calls, 1);
	keyring_free(kr);
}

static void test_no_vault_file(void **state)
{
	(void)state;
	assert_int_equal(unlink(vault_file), 0);
	struct keyring *kr = deferred(NULL);
	struct secret *key;
	const char *source;
	struct err e;
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), 1);
	assert_int_equal(e.code, EXIT_KEY);
	assert_int_equal(unlock_with(kr, "whatever", &e), 0);
	keyring_free(kr);

	kr = deferred(NULL); /* unlock_with first: no vault, keys from the environment only */
	assert_int_equal(unlock_with(kr, "whatever", &e), 0);
	setenv("CHERRY_TEST_OPENAI_KEY", "sk-test-env", 1);
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), 0);
	unsetenv("CHERRY_TEST_OPENAI_KEY");
	assert_string_equal(source, "CHERRY_TEST_OPENAI_KEY");
	secret_free(key);
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), 1);
	keyring_free(kr);
	assert_int_equal(prompt_calls, 0);
}

/* A damaged or unsafe vault is reported at once, not after a passphrase is typed. */
static void test_damaged_and_unsafe(void **state)
{
	(void)state;
	struct buf good = BUF_INIT;
	struct err e;
	assert_int_equal(fs_read_file(vault_file, 1 << 20, &good, &e), 0);
	good.data[20] ^= 1;
	FILE *f = fopen(vault_file, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(good.data, 1, good.len, f), good.len);
	assert_int_equal(fclose(f), 0);
	buf_free(&good);

	struct keyring *kr = deferred(NULL);
	struct secret *key;
	const char *source;
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), -1);
	assert_int_equal(e.code, EXIT_VAULT);
	keyring_free(kr);
	kr = deferred(NULL);
	assert_int_equal(unlock_with(kr, right, &e), -1);
	assert_int_equal(e.code, EXIT_VAULT);
	keyring_free(kr);

	assert_int_equal(chmod(vault_file, 0644), 0);
	kr = deferred(NULL);
	assert_int_equal(unlock_with(kr, right, &e), -1);
	assert_int_equal(e.code, EXIT_VAULT);
	assert_non_null(strstr(e.msg, "chmod"));
	keyring_free(kr);
	assert_int_equal(prompt_calls, 0);
}

/* Sources that need no screen still work inside keyring_get while deferred. */
static void test_other_sources_unchanged(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "kr-pass\n", 8), 8);
	close(p[1]);
	struct passphrase_opts by_fd = {p[0], NULL};
	struct keyring *kr = deferred(&by_fd);
	expect_canary(kr);
	keyring_free(kr);
	close(p[0]);

	struct passphrase_opts by_cmd = {-1, "echo kr-pass"};
	kr = deferred(&by_cmd);
	expect_canary(kr);
	keyring_free(kr);

	setenv("CHERRY_PASSPHRASE", right, 1);
	kr = deferred(NULL);
	expect_canary(kr);
	keyring_free(kr);
	unsetenv("CHERRY_PASSPHRASE");
	assert_int_equal(prompt_calls, 0);
}

/* Not deferred: as before, keyring_get asks through the installed prompt. */
static void test_not_deferred_asks(void **state)
{
	(void)state;
	struct keyring *kr = keyring_new(NULL);
	assert_non_null(kr);
	expect_canary(kr);
	assert_int_equal(prompt_calls, 1);
	keyring_free(kr);
}

/* A provider that works without a key never needs the vault, deferred or not. */
static void test_optional_key_needs_nothing(void **state)
{
	(void)state;
	struct provider local = {.name = "ollama", .key_optional = 1};
	struct keyring *kr = deferred(NULL);
	struct secret *key;
	const char *source;
	struct err e;
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &local, &key, &source, &e), 1);
	assert_int_equal(e.code, EXIT_KEY);
	keyring_free(kr);
}

int main(void)
{
	struct err e;
	err_clear(&e);
	if (harden_process(&e) < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deferred_asks_nobody, setup, teardown),
		cmocka_unit_test_setup_teardown(test_three_wrong_tries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tries_count_in_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_vault_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_and_unsafe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_sources_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_deferred_asks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_optional_key_needs_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
