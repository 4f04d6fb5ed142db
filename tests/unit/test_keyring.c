/* test_keyring: the deferred keyring: a typed passphrase is never asked for inside
 * keyring_get, the screen hands it in through keyring_unlock_with; other sources still
 * work inside keyring_get; /key's keyring_store adds a key to the vault file (or makes
 * one) and the keyring holds it at once. Real vaults in a temporary XDG_DATA_HOME. */
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

/* p's key is want, from the vault */
static void expect_vault_key(struct keyring *kr, const struct provider *p, const char *want)
{
	struct secret *key;
	const char *source;
	struct err e;
	err_clear(&e);
	assert_int_equal(keyring_get(kr, p, &key, &source, &e), 0);
	assert_string_equal(key->s, want);
	assert_string_equal(source, "vault");
	secret_free(key);
}

static void expect_canary(struct keyring *kr)
{
	expect_vault_key(kr, &openai, canary);
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

static void get_ok(struct keyring *kr, const struct provider *p, const char *want,
		   const char *want_source)
{
	struct secret *key = NULL;
	const char *source;
	struct err e;
	err_clear(&e);
	if (keyring_get(kr, p, &key, &source, &e) != 0)
		fail_msg("%s: %s", p->name, e.msg);
	assert_string_equal(key->s, want);
	assert_string_equal(source, want_source);
	secret_free(key);
}

static void reject(struct keyring *kr, const struct provider *p, const char *k, int want)
{
	struct secret *s = secret_new(k, strlen(k));
	struct err w;
	err_clear(&w);
	assert_int_equal(keyring_reject(kr, p, s, &w), want);
	if (want) {
		assert_non_null(strstr(w.msg, "refused the key"));
		assert_null(strstr(w.msg, k)); /* only its last four characters */
	}
	secret_free(s);
}

/* "k1,k2" keys are taken in turn; a refused one is skipped, with one warning. */
static void test_keys_in_turn(void **state)
{
	(void)state;
	struct keyring *kr = keyring_new(NULL);
	setenv("CHERRY_TEST_OPENAI_KEY", "sk-test-one, sk-test-two,,sk-test-three", 1);
	get_ok(kr, &openai, "sk-test-one", "CHERRY_TEST_OPENAI_KEY");
	get_ok(kr, &openai, "sk-test-two", "CHERRY_TEST_OPENAI_KEY");
	get_ok(kr, &openai, "sk-test-three", "CHERRY_TEST_OPENAI_KEY");
	get_ok(kr, &openai, "sk-test-one", "CHERRY_TEST_OPENAI_KEY");
	reject(kr, &openai, "sk-test-two", 1);
	reject(kr, &openai, "sk-test-two", 0); /* the warning comes once */
	get_ok(kr, &openai, "sk-test-three", "CHERRY_TEST_OPENAI_KEY");
	get_ok(kr, &openai, "sk-test-one", "CHERRY_TEST_OPENAI_KEY");
	get_ok(kr, &openai, "sk-test-three", "CHERRY_TEST_OPENAI_KEY");
	reject(kr, &openai, "sk-test-one", 1);
	reject(kr, &openai, "sk-test-three", 1);
	struct secret *key = NULL;
	const char *source;
	struct err e;
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), -1);
	assert_int_equal(e.code, EXIT_KEY);
	assert_non_null(strstr(e.msg, "every key for openai was refused"));
	assert_null(key);
	/* a provider with a single key: refused, skipped, but no warning beside the error */
	setenv("CHERRY_TEST_OPENAI_KEY", "sk-test-single", 1);
	get_ok(kr, &openai, "sk-test-single", "CHERRY_TEST_OPENAI_KEY");
	reject(kr, &openai, "sk-test-single", 0);
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), -1);
	/* a bad piece spoils the variable, as a bad key did */
	setenv("CHERRY_TEST_OPENAI_KEY", "sk-test-one,bad key", 1);
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), -1);
	assert_int_equal(e.code, EXIT_KEY);
	unsetenv("CHERRY_TEST_OPENAI_KEY");
	keyring_free(kr);
	assert_int_equal(prompt_calls, 0);
}

/* key_command comes after the variable and before the vault, runs once per run, and
 * each way it fails is one clear line. */
static void test_key_command(void **state)
{
	(void)state;
	char count[400], cmd[900];
	snprintf(count, sizeof count, "%s/runs", tmpdir);
	snprintf(cmd, sizeof cmd, "echo x >> %s; echo ' sk-test-cmd1,sk-test-cmd2 '", count);
	struct provider p = openai;
	p.key_command = cmd;
	struct keyring *kr = keyring_new(NULL);
	setenv("CHERRY_TEST_OPENAI_KEY", "sk-test-env", 1);
	get_ok(kr, &p, "sk-test-env", "CHERRY_TEST_OPENAI_KEY");
	unsetenv("CHERRY_TEST_OPENAI_KEY");
	get_ok(kr, &p, "sk-test-cmd1", "key_command");
	get_ok(kr, &p, "sk-test-cmd2", "key_command");
	get_ok(kr, &p, "sk-test-cmd1", "key_command");
	size_t len = 0;
	char *runs = harness_read_file(count, &len);
	assert_non_null(runs);
	assert_string_equal(runs, "x\n"); /* once, and the vault was never asked */
	free(runs);
	assert_int_equal(prompt_calls, 0);
	keyring_free(kr);

	static const struct {
		const char *cmd, *want;
	} bad[] = {
		{"exit 3", "providers.openai.key_command failed (exit status 3)"},
		{"true", "providers.openai.key_command printed nothing on its first line"},
		{"echo 'two words'", "providers.openai.key_command printed something that is not"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p.key_command = (char *)bad[i].cmd;
		kr = keyring_new(NULL);
		struct secret *key = NULL;
		const char *source;
		struct err e;
		err_clear(&e);
		assert_int_equal(keyring_get(kr, &p, &key, &source, &e), -1);
		assert_int_equal(e.code, EXIT_KEY);
		if (strncmp(e.msg, bad[i].want, strlen(bad[i].want)) != 0)
			fail_msg("%s: got \"%s\"", bad[i].cmd, e.msg);
		keyring_free(kr);
	}
	assert_int_equal(prompt_calls, 0);
}

static double fake_now;

/* A temporary directory without a vault: a test that never reaches the vault spares
 * the key derivation. */
static int setup_no_vault(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/cherry-keyring-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static double fake_clock(void)
{
	return fake_now;
}

/* A token from key_command with a key_ttl (vertex: gcloud's, an hour) is fetched again
 * once the TTL has passed, and once more after a 401; a fresh token refused too is
 * refused for the run. */
static void test_key_command_ttl(void **state)
{
	(void)state;
	char count[400], cmd[900];
	FMT(count, "%s/token-runs", tmpdir);
	FMT(cmd, "echo x >> %s; echo ya29.tok$(wc -l < %s)", count, count);
	struct provider p = {.name = "vertexai", .key_command = cmd, .key_ttl = 3000};
	struct keyring *kr = keyring_new(NULL);
	keyring_set_clock(kr, fake_clock);
	fake_now = 100;
	get_ok(kr, &p, "ya29.tok1", "key_command");
	fake_now = 100 + 2999;
	get_ok(kr, &p, "ya29.tok1", "key_command"); /* kept within the TTL */
	fake_now = 100 + 3000;
	get_ok(kr, &p, "ya29.tok2", "key_command"); /* fetched again after it */

	/* refused: the command runs again for the next request, once */
	struct secret *key = secret_new("ya29.tok2", 9);
	struct err w;
	err_clear(&w);
	assert_int_equal(keyring_reject(kr, &p, key, &w), 1);
	assert_string_equal(w.msg, "warning: vertexai refused the token from key_command; it "
			    "runs again for a fresh one");
	secret_free(key);
	get_ok(kr, &p, "ya29.tok3", "key_command");
	reject(kr, &p, "ya29.tok3", 0);
	struct secret *got = NULL;
	const char *source;
	struct err e;
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &p, &got, &source, &e), -1);
	assert_non_null(strstr(e.msg, "every key for vertexai was refused"));
	keyring_free(kr);

	/* without a TTL the output is kept for the run, and a refusal is final */
	struct provider q = {.name = "fixed", .key_command = cmd};
	kr = keyring_new(NULL);
	keyring_set_clock(kr, fake_clock);
	get_ok(kr, &q, "ya29.tok4", "key_command");
	fake_now += 1e6;
	get_ok(kr, &q, "ya29.tok4", "key_command");
	reject(kr, &q, "ya29.tok4", 0);
	keyring_free(kr);
	size_t len = 0;
	char *runs = harness_read_file(count, &len);
	assert_non_null(runs);
	assert_string_equal(runs, "x\nx\nx\nx\n");
	free(runs);
}

/* /key's store: the vault read again and opened with its passphrase (asked for when not
 * given, a wrong one changing nothing), the key added beside the others, and the keyring
 * then holding it without another unlock. */
static const struct provider other = {.name = "anthropic", .key_env = "CHERRY_TEST_OTHER_KEY"};
static const char second[] = "sk-test-CANARY-second-91f3";

static int store(struct keyring *kr, const char *pass, int create, struct err *e)
{
	struct secret *k = secret_new(second, strlen(second));
	struct secret *p = pass ? secret_new(pass, strlen(pass)) : NULL;
	assert_non_null(k);
	err_clear(e);
	int r = keyring_store(kr, other.name, k, p, create, e);
	secret_free(k);
	secret_free(p);
	return r;
}

static void expect_second(struct keyring *kr)
{
	expect_vault_key(kr, &other, second);
}

static void test_store_in_the_vault(void **state)
{
	(void)state;
	struct keyring *kr = deferred(NULL);
	struct err e;
	assert_int_equal(store(kr, NULL, 0, &e), KEYRING_NEED_PASSPHRASE);
	assert_int_equal(store(kr, right, 1, &e), KEYRING_NEED_PASSPHRASE); /* it exists */
	assert_int_equal(store(kr, "wrong", 0, &e), 1);
	assert_int_equal(store(kr, right, 0, &e), 0);
	unsigned long runs = vault_kdf_runs();
	expect_second(kr); /* the keyring holds the vault as written: no unlock */
	expect_canary(kr);
	/* unlocked now: another store reads the file again with the data key it holds */
	assert_int_equal(store(kr, NULL, 0, &e), 0);
	expect_second(kr);
	assert_int_equal(vault_kdf_runs(), runs);
	assert_int_equal(prompt_calls, 0);
	/* unless another cherry made it anew meanwhile: its passphrase, and what it holds */
	struct vault *v = vault_new("changed", 7, &vault_kdf_interactive, &e);
	assert_non_null(v);
	assert_int_equal(vault_set(v, "openai", canary, strlen(canary), 0, &e), 0);
	assert_int_equal(vault_write_file(vault_file, v, &e), 0);
	vault_free(v);
	assert_int_equal(store(kr, NULL, 0, &e), KEYRING_NEED_PASSPHRASE);
	assert_int_equal(store(kr, "changed", 0, &e), 0);
	expect_second(kr);
	expect_canary(kr);
	keyring_free(kr);
	/* a passphrase the user set up elsewhere is taken, as key set takes it */
	setenv("CHERRY_PASSPHRASE", "changed", 1);
	kr = deferred(NULL);
	assert_int_equal(store(kr, NULL, 0, &e), 0);
	expect_second(kr);
	keyring_free(kr);
	assert_int_equal(prompt_calls, 0);
}

/* keyring_has: what the model picker knows without running a command or unlocking. */
static void test_has_key(void **state)
{
	(void)state;
	struct keyring *kr = deferred(NULL);
	struct err e;
	assert_int_equal(keyring_has(kr, &openai), -1); /* a vault, locked: not known */
	assert_int_equal(keyring_has(NULL, &openai), 0);
	setenv("CHERRY_TEST_OPENAI_KEY", "sk-test-env-0123456789", 1);
	assert_int_equal(keyring_has(kr, &openai), 1);
	unsetenv("CHERRY_TEST_OPENAI_KEY");
	struct provider kc = {.name = "kc", .key_command = "echo sk-test-x", .configured = 1};
	assert_int_equal(keyring_has(kr, &kc), 1); /* never run to tell */
	kc.preset = 1;
	kc.configured = 0; /* a preset's own command (gcloud) needs its project too */
	assert_int_equal(keyring_has(kr, &kc), -1);
	assert_int_equal(store(kr, right, 0, &e), 0); /* unlocked now */
	assert_int_equal(keyring_has(kr, &other), 1);
	assert_int_equal(keyring_has(kr, &openai), 1);
	assert_int_equal(keyring_has(kr, &kc), 0);
	assert_int_equal(prompt_calls, 0);
	keyring_free(kr);
	assert_int_equal(unlink(vault_file), 0);
	kr = deferred(NULL);
	assert_int_equal(keyring_has(kr, &openai), 0); /* no vault at all */
	keyring_free(kr);
}

static void test_store_new_vault(void **state)
{
	(void)state;
	assert_int_equal(unlink(vault_file), 0);
	struct keyring *kr = deferred(NULL);
	struct err e;
	assert_int_equal(store(kr, NULL, 0, &e), KEYRING_NEED_NEW);
	assert_int_equal(store(kr, "new-pass", 0, &e), KEYRING_NEED_NEW); /* not chosen twice */
	assert_int_equal(store(kr, "new-pass", 1, &e), 0);
	expect_second(kr);
	keyring_free(kr);
	struct stat st;
	assert_int_equal(stat(vault_file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* made at the cost key set gives a new vault */
	struct buf data = BUF_INIT;
	struct vault_header h;
	assert_int_equal(vault_read_file(vault_file, &data, &e), 0);
	assert_int_equal(vault_parse((const unsigned char *)data.data, data.len, &vault_kdf_floor,
				     &h, &e), 0);
	assert_int_equal(h.kdf.opslimit, vault_kdf_moderate.opslimit);
	assert_int_equal(h.kdf.memlimit_kib, vault_kdf_moderate.memlimit_kib);
	buf_free(&data);
}

static void test_key_counting(void **state)
{
	(void)state;
	assert_int_equal(keys_count("", 0), 0);
	assert_int_equal(keys_count("a", 1), 1);
	assert_int_equal(keys_count("a,b", 3), 2);
	assert_int_equal(keys_count(" a , ,b,", 8), 2);
	assert_int_equal(keys_count(",,", 2), 0);
	struct secret **v;
	size_t n;
	assert_int_equal(keys_split(",,", 2, &v, &n), -1);
	assert_int_equal(keys_split("a b", 3, &v, &n), -1);
	assert_int_equal(keys_split(" k1 ,k2", 7, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0]->s, "k1");
	assert_string_equal(v[1]->s, "k2");
	secret_free(v[0]);
	secret_free(v[1]);
	free(v);
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
		cmocka_unit_test_setup_teardown(test_keys_in_turn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_command_ttl, setup_no_vault, teardown),
		cmocka_unit_test_setup_teardown(test_store_in_the_vault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_has_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_new_vault, setup, teardown),
		cmocka_unit_test(test_key_counting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
