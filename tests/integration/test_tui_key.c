/* test_tui_key: a newcomer without a key never leaves the client. In a real terminal (a
 * private tmux) against the fake provider, with no key anywhere: /key, the key pasted
 * (bracketed), a new vault's passphrase twice, and the next message answered with that
 * key; the key is never on the screen or in the scrollback, and in no file under HOME
 * (the vault holds it encrypted). Once unlocked, another key needs no passphrase. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "tmux.h"

#define CANARY "sk-test-CANARY-5f1e0c9b7a3d"
#define PASS "correct-horse-battery"

static int TMO = 15000;
static struct fakeprov FP;
static struct testhome H;
static struct tmux T;

/* Waits for text; no capture may show the key. */
static void wait_for(const char *text)
{
	if (tmux_wait_for(&T, text, TMO) < 0)
		fail_msg("\"%s\" never showed (dumped above)", text);
	char *s = tmux_capture(&T, 0);
	assert_non_null(s);
	if (strstr(s, "CANARY")) {
		tmux_dump(&T, "the key is on the screen");
		fail_msg("the key is on the screen");
	}
	free(s);
}

static void keys(const char *k)
{
	assert_int_equal(tmux_keys(&T, k, NULL), 0);
}

static void type(const char *text)
{
	assert_int_equal(tmux_type(&T, text), 0);
}

/* text pasted as a terminal pastes it: bracketed, since cherry asks for that */
static void paste(const char *text)
{
	const char *set[] = {"set-buffer", "-b", "k", text, NULL};
	const char *put[] = {"paste-buffer", "-p", "-d", "-b", "k", "-t", T.pane, NULL};
	assert_int_equal(tmux_cmd(&T, NULL, set), 0);
	assert_int_equal(tmux_cmd(&T, NULL, put), 0);
}

static void test_key_typed_in_the_client(void **state)
{
	(void)state;
	if (!tmux_path()) {
		printf("# SKIP tmux is not installed\n");
		skip();
	}
	const char *args[] = {"-m", "fo/echo", NULL};
	const char *env[] = {"FAKE_OPENAI_KEY", NULL}; /* no key in the environment */
	assert_int_equal(tmux_start_cherry(&T, &H, args, env, 100, 30), 0);
	wait_for("idle");
	type("/key");
	keys("Enter");
	wait_for("API key for fo");
	paste(CANARY "\n"); /* its newline does not submit it */
	wait_for("\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2");
	assert_int_equal(tmux_wait_stable(&T, 100, TMO), 0);
	wait_for("API key for fo");
	keys("Enter");
	wait_for("New passphrase for the key vault");
	wait_for("choose its passphrase");
	type(PASS);
	keys("Enter");
	wait_for("Repeat the new passphrase");
	type(PASS);
	keys("Enter");
	wait_for("stored the key for fo");
	type("hello from the vault");
	keys("Enter");
	if (tmux_wait_for(&T, "hello from the vault", TMO) < 0 ||
	    tmux_wait_for(&T, "idle", TMO) < 0)
		fail_msg("no answer (dumped above)");
	json_t *req = fakeprov_last_request(&FP);
	assert_non_null(req);
	const char *auth = request_header(req, "authorization");
	assert_non_null(auth);
	assert_string_equal(auth, "Bearer " CANARY);
	json_decref(req);
	wait_for("idle");

	/* unlocked now: another provider's key is stored with no passphrase asked */
	type("/key fa");
	keys("Enter");
	wait_for("API key for fa");
	type(CANARY "-fa");
	keys("Enter");
	wait_for("stored the key for fa");

	/* the scrollback never held it either */
	char *all = NULL;
	const char *cap[] = {"capture-pane", "-p", "-S", "-", "-E", "-", "-t", T.pane, NULL};
	assert_int_equal(tmux_cmd(&T, &all, cap), 0);
	assert_non_null(all);
	assert_null(strstr(all, "CANARY"));
	free(all);
	keys("C-q");
	int st = -1;
	assert_int_equal(tmux_wait_dead(&T, &st, TMO), 0);
	assert_int_equal(st, 0);

	/* the vault holds it, encrypted: no file under HOME has it in clear */
	char vault[600];
	snprintf(vault, sizeof vault, "%s/data/cherry/keys.vault", H.root);
	struct stat sb;
	assert_int_equal(stat(vault, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(tree_contains(H.root, "CANARY"), 0);
	assert_int_equal(tree_contains(H.root, "5f1e0c9b7a3d"), 0);
}

static int setup(void **state)
{
	(void)state;
	memset(&T, 0, sizeof T);
	if (testhome_make(&H) < 0)
		return -1;
	char *cfg = testhome_fake_config(FP.port, NULL);
	int rc = cfg ? testhome_write_config(&H, cfg) : -1;
	free(cfg);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	tmux_stop(&T);
	testhome_remove(&H);
	return 0;
}

int main(void)
{
	TMO = harness_scale_ms(TMO);
	if (fakeprov_start(&FP) < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_key_typed_in_the_client, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	fakeprov_stop(&FP);
	return rc;
}
