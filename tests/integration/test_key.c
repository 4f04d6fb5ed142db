/* test_key: the real `cherry key` commands and the vault behind `cherry ask`:
 * set, list, use in a request, passwd, rm; wrong passphrases, damaged, newer,
 * weak and exposed vault files left untouched; the environment beating the
 * vault; and a canary key that must never appear outside the vault. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cherry/harden.h"
#include "cherry/vault.h"
#include "harness.h"

#define CANARY "sk-test-CANARY-4d2c9e7a1f3b5e8d0a6c"
#define PASS "correct-horse-battery"
#define NEWPASS "new-staple-horse"
#define TIMEOUT 30000

struct env {
	struct fakeprov fp;
	struct testhome home;
	char vault[512];
	char vault_dir[400];
	const char *pass; /* the current passphrase */
	int runs;         /* how many runs were checked for the canary */
};

static struct env G;

/* Every run of cherry in this file goes through here: no output ever shows the key. */
static void check_run(const struct run *r)
{
	assert_non_null(r->out);
	assert_non_null(r->err);
	assert_null(harness_mem_find(r->out, r->out_len, "CANARY", strlen("CANARY")));
	assert_null(harness_mem_find(r->err, r->err_len, "CANARY", strlen("CANARY")));
	G.runs++;
}

static void cherry(struct run *r, const char *const *args, const char *const *env,
		   const char *stdin_data)
{
	assert_int_equal(run_cherry(r, &G.home, args, env, stdin_data, TIMEOUT), 0);
	check_run(r);
}

static const char *cherry_bin(void)
{
	const char *b = getenv("CHERRY_BIN");
	return b && *b ? b : "build/cherry";
}

/* cherry --passphrase-fd 3 ARGS, with pass on descriptor 3 and stdin_data on 0.
 * sh only sets up the descriptor (a here-document) and execs cherry. */
static void cherry_fd3(struct run *r, const char *pass, const char *const *args,
		       const char *const *env, const char *stdin_data)
{
	static char script[256];
	snprintf(script, sizeof script, "exec \"$0\" --passphrase-fd 3 \"$@\" 3<<EOF\n%s\nEOF\n",
		 pass);
	const char *argv[16] = {"/bin/sh", "-c", script, cherry_bin()};
	size_t n = 4;
	for (size_t i = 0; args[i]; i++) {
		assert_true(n + 1 < sizeof argv / sizeof *argv);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	assert_int_equal(harness_run(r, &G.home, argv, env, stdin_data, 0, 0, TIMEOUT), 0);
	check_run(r);
}

/* `key list` with the passphrase on stdin. */
static void list_with(struct run *r, const char *pass, const char *const *env)
{
	char in[128];
	snprintf(in, sizeof in, "%s\n", pass);
	static const char *const args[] = {"--passphrase-fd", "0", "key", "list", NULL};
	cherry(r, args, env, in);
}

static char *vault_bytes(size_t *len)
{
	char *b = harness_read_file(G.vault, len);
	assert_non_null(b);
	return b;
}

static void write_vault_bytes(const char *data, size_t len)
{
	int fd = open(G.vault, O_WRONLY | O_TRUNC | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void assert_vault_is(const char *want, size_t want_len)
{
	size_t len;
	char *now = vault_bytes(&len);
	assert_int_equal(len, want_len);
	assert_memory_equal(now, want, len);
	free(now);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected \"%s\" in: %s", needle, hay);
}

static int group_setup(void **state)
{
	(void)state;
	if (fakeprov_start(&G.fp) < 0 || testhome_make(&G.home) < 0)
		return -1;
	char *cfg = testhome_fake_config(G.fp.port, "\"network\": {\"max_retries\": 0}");
	int r = cfg ? testhome_write_config(&G.home, cfg) : -1;
	free(cfg);
	snprintf(G.vault_dir, sizeof G.vault_dir, "%s/data/cherry", G.home.root);
	snprintf(G.vault, sizeof G.vault, "%s/keys.vault", G.vault_dir);
	G.pass = PASS;
	return r;
}

static int group_teardown(void **state)
{
	(void)state;
	fakeprov_stop(&G.fp);
	testhome_remove(&G.home);
	return 0;
}

/* ---- the round trip ---- */

static void test_set_creates_vault(void **state)
{
	(void)state;
	struct run r;
	static const char *const args[] = {"key", "set", "fo", "--kdf", "interactive", NULL};
	cherry_fd3(&r, PASS, args, NULL, CANARY "\n");
	assert_int_equal(r.status, 0);
	char want[700];
	snprintf(want, sizeof want, "Stored the key for fo in %s.\n", G.vault);
	assert_string_equal(r.out, want);
	assert_contains(r.err, "creating the key vault");
	assert_contains(r.err, "cannot be recovered");
	run_free(&r);
	struct stat st;
	assert_int_equal(stat(G.vault, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(G.vault_dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	size_t len;
	unsigned char *b = (unsigned char *)vault_bytes(&len);
	assert_memory_equal(b, "CHRYVLT\0\1\0", 10);
	assert_int_equal(b[20], 2);                 /* INTERACTIVE: 2 passes */
	assert_int_equal(b[24] | b[25] << 8 | b[26] << 16, 65536); /* 64 MiB */
	free(b);
}

static void test_list_shows_no_key(void **state)
{
	(void)state;
	struct run r;
	list_with(&r, G.pass, NULL);
	assert_int_equal(r.status, 0);
	/* "fo" padded to 8, two spaces, "added", an ISO time in UTC, and nothing else. */
	assert_int_equal(strncmp(r.out, "fo        1 key   added 20", 26), 0);
	assert_int_equal(strlen(r.out), strlen("fo        1 key   added 2026-11-29T05:40:54Z\n"));
	assert_null(strstr(r.out, "sk-"));
	assert_string_equal(r.err, "");
	run_free(&r);

	static const char *const env[] = {"FAKE_OPENAI_KEY=sk-env-override", NULL};
	list_with(&r, G.pass, env);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "  (overridden by FAKE_OPENAI_KEY)\n");
	assert_null(strstr(r.out, "sk-env-override"));
	run_free(&r);
}

static void test_set_second_key_stdin_fd0(void **state)
{
	(void)state;
	struct run r;
	/* Key on the first line, passphrase on the second, both on stdin. */
	static const char *const args[] = {"--passphrase-fd", "0", "key", "set", "fa", NULL};
	cherry(&r, args, NULL, "  sk-ant-second-key  \n" PASS "\n");
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "Stored the key for fa");
	assert_string_equal(r.err, "");
	run_free(&r);
	list_with(&r, G.pass, NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(strncmp(r.out, "fa        1 key   added ", 24), 0);
	assert_non_null(strstr(r.out, "\nfo        1 key   added "));
	run_free(&r);
}

static void test_ask_uses_vault_key(void **state)
{
	(void)state;
	assert_int_equal(fakeprov_clear_log(&G.fp), 0);
	struct run r;
	static const char *const args[] = {"ask", "-m", "fo/echo", "hello vault", NULL};
	const char *env[] = {"CHERRY_PASSPHRASE=" PASS, NULL};
	cherry(&r, args, env, NULL);
	assert_int_equal(r.status, 0);
	/* One warning line about the variable, never its value. */
	assert_contains(r.err, "warning");
	assert_contains(r.err, "CHERRY_PASSPHRASE");
	assert_null(strstr(r.err, PASS));
	assert_non_null(strchr(r.err, '\n'));
	assert_string_equal(strchr(r.err, '\n'), "\n");
	run_free(&r);
	json_t *req = fakeprov_last_request(&G.fp);
	assert_non_null(req);
	assert_string_equal(request_header(req, "authorization"), "Bearer " CANARY);
	/* the key went in that header only: not in the path, a query, another header or the
	 * body (security.md 5.4, 8) */
	char *all = json_dumps(req, 0);
	assert_non_null(all);
	char *first = strstr(all, "CANARY");
	assert_non_null(first);
	assert_null(strstr(first + 1, "CANARY"));
	json_malloc_t jm;
	json_free_t jf;
	json_get_alloc_funcs(&jm, &jf);
	jf(all);
	json_decref(req);
}

/* --add keeps the stored key and adds one; list counts them, never shows them; a key
 * the provider refuses gets one warning naming only its last characters. */
static void test_add_keys(void **state)
{
	(void)state;
	struct run r;
	static const char *const add[] = {"--passphrase-fd", "0", "key", "set", "fa", "--add",
					  NULL};
	cherry(&r, add, NULL, "sk-ant-third-key\n" PASS "\n");
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "Stored 2 keys for fa in ");
	run_free(&r);
	cherry(&r, add, NULL, "sk-ant-third-key\n" PASS "\n");
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "that key is already stored for fa");
	run_free(&r);
	list_with(&r, G.pass, NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(strncmp(r.out, "fa        2 keys  added ", 24), 0);
	assert_null(strstr(r.out, "sk-"));
	run_free(&r);

	/* the first key answers 401: one warning, only the key's tail */
	static const char *const ask401[] = {"ask", "-m", "fa/hello+e401", "hi", NULL};
	const char *env[] = {"CHERRY_PASSPHRASE=" PASS, NULL};
	cherry(&r, ask401, env, NULL);
	assert_int_equal(r.status, 4);
	assert_contains(r.err, "warning: fa refused the key ending in -key;");
	assert_null(strstr(r.err, "sk-ant-second"));
	run_free(&r);
}

static void test_env_beats_vault(void **state)
{
	(void)state;
	assert_int_equal(fakeprov_clear_log(&G.fp), 0);
	struct run r;
	static const char *const args[] = {"ask", "-m", "fo/echo", "hello env", NULL};
	/* No passphrase anywhere: if the vault were opened, this would fail with 5. */
	static const char *const env[] = {"FAKE_OPENAI_KEY=sk-env-wins", NULL};
	cherry(&r, args, env, NULL);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.err, "passphrase"));
	run_free(&r);
	json_t *req = fakeprov_last_request(&G.fp);
	assert_non_null(req);
	assert_string_equal(request_header(req, "authorization"), "Bearer sk-env-wins");
	json_decref(req);
}

/* ---- wrong passphrase: status 5, file untouched ---- */

static void test_wrong_passphrase(void **state)
{
	(void)state;
	size_t len;
	char *orig = vault_bytes(&len);
	struct run r;

	list_with(&r, "not-the-passphrase", NULL);
	assert_int_equal(r.status, 5);
	assert_contains(r.err, "wrong passphrase");
	assert_string_equal(r.out, "");
	run_free(&r);
	assert_vault_is(orig, len);

	static const char *const set[] = {"key", "set", "fg", NULL};
	cherry_fd3(&r, "not-the-passphrase", set, NULL, "sk-gemini-key\n");
	assert_int_equal(r.status, 5);
	run_free(&r);
	assert_vault_is(orig, len);

	static const char *const rm[] = {"--passphrase-fd", "0", "key", "rm", "fo", NULL};
	cherry(&r, rm, NULL, "not-the-passphrase\n");
	assert_int_equal(r.status, 5);
	run_free(&r);
	static const char *const passwd[] = {"--passphrase-fd", "0", "key", "passwd", NULL};
	cherry(&r, passwd, NULL, "not-the-passphrase\nwhatever\n");
	assert_int_equal(r.status, 5);
	run_free(&r);
	assert_vault_is(orig, len);

	static const char *const ask[] = {"ask", "-m", "fo/echo", "hi", NULL};
	static const char *const env[] = {"CHERRY_PASSPHRASE=not-the-passphrase", NULL};
	cherry(&r, ask, env, NULL);
	assert_int_equal(r.status, 5);
	assert_contains(r.err, "wrong passphrase");
	run_free(&r);
	assert_vault_is(orig, len);
	free(orig);
}

/* Without a terminal and without any passphrase source, cherry says what to use. */
static void test_no_passphrase_source(void **state)
{
	(void)state;
	if (access("/usr/bin/setsid", X_OK) != 0)
		skip(); /* needed to run cherry without a controlling terminal */
	const char *argv[] = {"/usr/bin/setsid", "-w", cherry_bin(), "key", "list", NULL};
	struct run r;
	assert_int_equal(harness_run(&r, &G.home, argv, NULL, NULL, 0, 0, TIMEOUT), 0);
	check_run(&r);
	assert_int_equal(r.status, 5);
	assert_contains(r.err, "--passphrase-fd");
	assert_contains(r.err, "passphrase_command");
	run_free(&r);
}

static void test_passphrase_command(void **state)
{
	(void)state;
	char extra[256];
	snprintf(extra, sizeof extra,
		 "\"network\": {\"max_retries\": 0}, \"vault\": {\"passphrase_command\": "
		 "\"printf '%%s\\\\n' '%s'\"}", G.pass);
	char *cfg = testhome_fake_config(G.fp.port, extra);
	assert_non_null(cfg);
	assert_int_equal(testhome_write_config(&G.home, cfg), 0);
	free(cfg);
	struct run r;
	static const char *const args[] = {"key", "list", NULL};
	cherry(&r, args, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "fo        1 key   added ");
	assert_string_equal(r.err, "");
	run_free(&r);
	cfg = testhome_fake_config(G.fp.port, "\"network\": {\"max_retries\": 0}");
	assert_int_equal(testhome_write_config(&G.home, cfg), 0);
	free(cfg);
}

/* ---- passwd and rm ---- */

static void test_passwd(void **state)
{
	(void)state;
	struct run r;
	static const char *const args[] = {"--passphrase-fd", "0", "key", "passwd", NULL};
	cherry(&r, args, NULL, PASS "\n" NEWPASS "\n");
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "Changed the passphrase");
	assert_contains(r.out, "still open with the old passphrase");
	assert_contains(r.out, "rotate those keys at the provider");
	run_free(&r);
	G.pass = NEWPASS;
	list_with(&r, PASS, NULL);
	assert_int_equal(r.status, 5);
	run_free(&r);
	list_with(&r, NEWPASS, NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "fa        2 keys  added ");
	assert_contains(r.out, "fo        1 key   added ");
	run_free(&r);
	/* The cost is kept. */
	size_t len;
	unsigned char *b = (unsigned char *)vault_bytes(&len);
	assert_int_equal(b[20], 2);
	free(b);
}

static void write_file_in(const char *dir, const char *name, const char *data, size_t len)
{
	char path[600];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static int exists_in(const char *dir, const char *name)
{
	char path[600];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void test_rm(void **state)
{
	(void)state;
	struct run r;
	char in[64];
	snprintf(in, sizeof in, "%s\n", G.pass);
	static const char *const args[] = {"--passphrase-fd", "0", "key", "rm", "fa", NULL};
	/* A kill -9 during a save leaves the old vault in a temp file: a change, under the
	 * vault lock, removes it (and only names fs_write_atomic makes). */
	size_t len;
	char *old = vault_bytes(&len);
	write_file_in(G.vault_dir, ".keys.vault.0123456789abcdef", old, len);
	write_file_in(G.vault_dir, ".keys.vault.notes", "mine", 4);
	free(old);
	cherry(&r, args, NULL, in);
	assert_int_equal(r.status, 0);
	assert_false(exists_in(G.vault_dir, ".keys.vault.0123456789abcdef"));
	assert_true(exists_in(G.vault_dir, ".keys.vault.notes"));
	char decoy[600];
	snprintf(decoy, sizeof decoy, "%s/.keys.vault.notes", G.vault_dir);
	assert_int_equal(unlink(decoy), 0);
	assert_contains(r.out, "Removed the key for fa");
	assert_contains(r.out, "Copies of the old vault file");
	run_free(&r);
	list_with(&r, G.pass, NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(strncmp(r.out, "fo        1 key   added ", 24), 0);
	assert_null(strstr(r.out, "fa"));
	run_free(&r);
	cherry(&r, args, NULL, in);
	assert_int_equal(r.status, 4);
	assert_contains(r.err, "no key stored for fa");
	run_free(&r);
}

/* Another cherry changing the vault (its lock held): a change says so in one line and
 * leaves the vault as it was, so that neither loses the other's key; once the lock is
 * free it goes through. */
static void test_vault_busy(void **state)
{
	(void)state;
	char lock[700];
	snprintf(lock, sizeof lock, "%s.lock", G.vault);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	size_t len;
	char *before = vault_bytes(&len);
	struct run r;
	static const char *const set[] = {"key", "set", "fg", NULL};
	cherry_fd3(&r, G.pass, set, NULL, "sk-busy-key\n");
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "another cherry is changing the key vault right now");
	assert_non_null(strchr(r.err, '\n'));
	assert_string_equal(strchr(r.err, '\n'), "\n"); /* one line */
	run_free(&r);
	assert_vault_is(before, len);
	close(fd);
	cherry_fd3(&r, G.pass, set, NULL, "sk-busy-key\n");
	assert_int_equal(r.status, 0);
	run_free(&r);
	list_with(&r, G.pass, NULL);
	assert_non_null(strstr(r.out, "fg "));
	run_free(&r);
	static const char *const rm[] = {"key", "rm", "fg", NULL};
	cherry_fd3(&r, G.pass, rm, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	free(before);
}

/* ---- bad input ---- */

static void test_bad_input(void **state)
{
	(void)state;
	size_t len;
	char *orig = vault_bytes(&len);
	struct run r;
	static const char *const set[] = {"key", "set", "fg", NULL};
	cherry_fd3(&r, G.pass, set, NULL, "sk has spaces\n");
	assert_int_equal(r.status, 4);
	assert_contains(r.err, "not an API key");
	assert_null(strstr(r.err, "has spaces"));
	run_free(&r);
	cherry_fd3(&r, G.pass, set, NULL, "sk-line-one\nsk-line-two\n");
	assert_int_equal(r.status, 4);
	assert_contains(r.err, "more than one line");
	assert_null(strstr(r.err, "sk-line"));
	run_free(&r);
	cherry_fd3(&r, G.pass, set, NULL, "");
	assert_int_equal(r.status, 4);
	run_free(&r);
	static const char *const unknown[] = {"key", "set", "no-such-provider", NULL};
	cherry_fd3(&r, G.pass, unknown, NULL, "sk-x\n");
	assert_int_equal(r.status, 2);
	run_free(&r);
	static const char *const kdf[] = {"key", "set", "fg", "--kdf", "weak", NULL};
	cherry_fd3(&r, G.pass, kdf, NULL, "sk-x\n");
	assert_int_equal(r.status, 2);
	run_free(&r);
	static const char *const none[] = {"key", NULL};
	cherry(&r, none, NULL, NULL);
	assert_int_equal(r.status, 2);
	run_free(&r);
	assert_vault_is(orig, len);
	free(orig);
}

/* ---- files cherry must not use or touch ---- */

static void expect_refused_untouched(const char *data, size_t len, const char *why)
{
	struct run r;
	list_with(&r, G.pass, NULL);
	assert_int_equal(r.status, 5);
	assert_contains(r.err, why);
	run_free(&r);
	static const char *const set[] = {"key", "set", "fo", NULL};
	cherry_fd3(&r, G.pass, set, NULL, CANARY "\n");
	assert_int_equal(r.status, 5);
	assert_contains(r.err, why);
	run_free(&r);
	assert_vault_is(data, len);
}

static void test_newer_and_damaged_untouched(void **state)
{
	(void)state;
	size_t len;
	char *orig = vault_bytes(&len);
	char *copy = malloc(len);
	assert_non_null(copy);

	memcpy(copy, orig, len);
	copy[8] = 2; /* format version 2 */
	write_vault_bytes(copy, len);
	expect_refused_untouched(copy, len, "made by a newer cherry");

	memcpy(copy, orig, len);
	copy[len / 2] ^= 0x10;
	write_vault_bytes(copy, len);
	expect_refused_untouched(copy, len, "damaged");

	write_vault_bytes(orig, len / 3); /* truncated */
	expect_refused_untouched(orig, len / 3, "damaged");

	write_vault_bytes(orig, len);
	free(copy);
	free(orig);
}

static void test_exposed_vault_refused(void **state)
{
	(void)state;
	size_t len;
	char *orig = vault_bytes(&len);
	assert_int_equal(chmod(G.vault, 0640), 0);
	char fix[700];
	snprintf(fix, sizeof fix, "chmod 600 %s", G.vault);
	expect_refused_untouched(orig, len, fix);
	assert_int_equal(chmod(G.vault, 0604), 0);
	expect_refused_untouched(orig, len, fix);
	assert_int_equal(chmod(G.vault, 0600), 0);
	free(orig);
}

/* A vault with a test-only cost opens in the unit tests, never in cherry. */
static void test_weak_vault_refused(void **state)
{
	(void)state;
	size_t len;
	char *orig = vault_bytes(&len);
	struct err e;
	err_clear(&e);
	const struct vault_kdf weak = {1, 8};
	struct vault *v = vault_new(G.pass, strlen(G.pass), &weak, &e);
	assert_non_null(v);
	assert_int_equal(vault_set(v, "fo", "sk-weak", 7, 0, &e), 0);
	assert_int_equal(vault_write_file(G.vault, v, &e), 0);
	vault_free(v);
	size_t wlen;
	char *weak_bytes = vault_bytes(&wlen);
	expect_refused_untouched(weak_bytes, wlen, "below what cherry accepts");
	free(weak_bytes);
	write_vault_bytes(orig, len);
	free(orig);
}

/* ---- the default cost, and the time it takes ---- */

static void test_moderate_default(void **state)
{
	(void)state;
	struct testhome saved = G.home;
	struct testhome h;
	assert_int_equal(testhome_make(&h), 0);
	G.home = h;
	struct run r;
	static const char *const set[] = {"key", "set", "openai", NULL};
	cherry_fd3(&r, PASS, set, NULL, CANARY "\n");
	assert_int_equal(r.status, 0);
	run_free(&r);
	char path[400];
	snprintf(path, sizeof path, "%s/data/cherry/keys.vault", h.root);
	size_t len;
	unsigned char *b = (unsigned char *)harness_read_file(path, &len);
	assert_non_null(b);
	assert_int_equal(b[20], 3);                                  /* MODERATE: 3 passes */
	assert_int_equal(b[24] | b[25] << 8 | b[26] << 16, 262144); /* 256 MiB */
	free(b);
	list_with(&r, PASS, NULL);
	assert_int_equal(r.status, 0);
	print_message("# unlock at the default cost (MODERATE): %.2f s for cherry key list\n",
		      r.seconds);
	run_free(&r);
	assert_int_equal(tree_contains(h.root, "CANARY"), 0);
	testhome_remove(&h);
	G.home = saved;
}

/* While a request runs with a key from the vault, neither its command line nor
 * its environment holds the key. */
static void test_proc_shows_no_key(void **state)
{
	(void)state;
	static const char script[] =
		"\"$0\" ask -m fo/long:300+slow hi >/dev/null 2>&1 & pid=$!\n"
		"sleep 0.6\n"
		"tr '\\000' ' ' </proc/$pid/cmdline; echo\n"
		"tr '\\000' '\\n' </proc/$pid/environ\n"
		"kill -INT $pid; wait $pid; echo \"exit $?\"\n";
	const char *argv[] = {"/bin/sh", "-c", script, cherry_bin(), NULL};
	char pass_env[128];
	snprintf(pass_env, sizeof pass_env, "CHERRY_PASSPHRASE=%s", G.pass);
	const char *env[] = {pass_env, NULL};
	struct run r;
	assert_int_equal(harness_run(&r, &G.home, argv, env, NULL, 0, 0, TIMEOUT), 0);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "ask -m fo/long:300+slow hi");
	assert_contains(r.out, "CHERRY_PASSPHRASE=");
	assert_contains(r.out, "exit 130");
	assert_null(strstr(r.out, "CANARY"));
	assert_null(strstr(r.err, "CANARY"));
	run_free(&r);
}

/* ---- after everything, including the errors above ---- */

static void test_canary_nowhere(void **state)
{
	(void)state;
	assert_int_equal(tree_contains(G.home.root, "CANARY"), 0);
	assert_int_equal(tree_contains(G.home.root, "sk-ant-second-key"), 0);
	/* The vault is the only file with key material, and there is no temp file. */
	assert_int_equal(tree_contains(G.vault_dir, "CHRYVLT"), 1);
	assert_true(G.runs >= 30);
}

int main(void)
{
	struct err e;
	err_clear(&e);
	if (harden_process(&e) < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_creates_vault),
		cmocka_unit_test(test_list_shows_no_key),
		cmocka_unit_test(test_set_second_key_stdin_fd0),
		cmocka_unit_test(test_ask_uses_vault_key),
		cmocka_unit_test(test_add_keys),
		cmocka_unit_test(test_env_beats_vault),
		cmocka_unit_test(test_wrong_passphrase),
		cmocka_unit_test(test_no_passphrase_source),
		cmocka_unit_test(test_passphrase_command),
		cmocka_unit_test(test_passwd),
		cmocka_unit_test(test_rm),
		cmocka_unit_test(test_vault_busy),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_newer_and_damaged_untouched),
		cmocka_unit_test(test_exposed_vault_refused),
		cmocka_unit_test(test_weak_vault_refused),
		cmocka_unit_test(test_moderate_default),
		cmocka_unit_test(test_proc_shows_no_key),
		cmocka_unit_test(test_canary_nowhere),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
