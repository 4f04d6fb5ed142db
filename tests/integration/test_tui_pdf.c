/* test_tui_pdf: a PDF sent to a kind that takes no documents goes as pdftotext's text,
 * made once per PDF and off the key path: a fake pdftotext on PATH counts its runs and
 * takes its time; the screen says what the message waits for, keys echo meanwhile, and
 * the PDF sent again (the next message carries it too) runs nothing more. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "harness.h"
#include "tmux.h"

#define CANARY "sk-test-CANARY-5a9e2c7d1b3f"

static int TMO = 10000;
static struct fakeprov FP;
static struct testhome H;
static struct tmux T;

static void wait_for(const char *text)
{
	if (tmux_wait_for(&T, text, TMO) < 0)
		fail_msg("\"%s\" never appeared on the screen (dumped above)", text);
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

/* How many lines the file holds (0 when there is none). */
static int lines_of(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, ch;
	while (f && (ch = fgetc(f)) != EOF)
		n += ch == '\n';
	if (f)
		fclose(f);
	return n;
}

/* The chat requests that reached the provider, each one's body as text (the caller
 * frees them). */
static size_t bodies(char **v, size_t max)
{
	json_t *all = fakeprov_requests(&FP), *r;
	size_t i, n = 0;
	json_array_foreach(all, i, r)
		if (n < max && strstr(json_string_value(json_object_get(r, "path")), "chat/completions"))
			v[n++] = json_dumps(json_object_get(r, "body"), 0);
	json_decref(all);
	return n;
}

static void test_pdf_text_once(void **state)
{
	(void)state;
	if (!tmux_path()) {
		printf("# SKIP tmux is not installed\n");
		skip();
	}
	char bin[400], tool[450], runs[450], pdf[450], path_env[600];
	snprintf(bin, sizeof bin, "%s/bin", H.root);
	snprintf(tool, sizeof tool, "%s/pdftotext", bin);
	snprintf(runs, sizeof runs, "%s/runs", H.root);
	snprintf(pdf, sizeof pdf, "%s/doc.pdf", H.root);
	assert_int_equal(mkdir(bin, 0700), 0);
	/* reads the PDF, counts the run, takes a second and a half */
	char script[1200];
	snprintf(script, sizeof script, "#!/bin/sh\ncat >/dev/null\necho run >>'%s'\n"
		 "sleep 1.5\necho 'Hello from the fake pdftotext'\n", runs);
	assert_int_equal(harness_write_file(tool, script, strlen(script)), 0);
	assert_int_equal(chmod(tool, 0700), 0);
	static const char doc[] = "%PDF-1.4\n% a test document\n%%EOF\n";
	assert_int_equal(harness_write_file(pdf, doc, sizeof doc - 1), 0);
	snprintf(path_env, sizeof path_env, "PATH=%s:/usr/bin:/bin", bin);
	const char *env[] = {"FAKE_OPENAI_KEY=" CANARY, path_env, NULL};
	const char *args[] = {"-m", "fo/echo", NULL};
	if (tmux_start_cherry(&T, &H, args, env, 100, 30) < 0)
		fail_msg("could not start cherry in tmux");
	wait_for("fo/echo");
	send_line("/attach ~/doc.pdf");
	wait_for("doc.pdf");
	send_line("first");
	wait_for("the message waits for the text of doc.pdf (pdftotext)");
	/* the screen is live meanwhile */
	assert_int_equal(tmux_type(&T, "typed-meanwhile"), 0);
	if (tmux_wait_for(&T, "typed-meanwhile", 1000) < 0)
		fail_msg("a key typed while pdftotext ran was not echoed within a second");
	/* the fake counts its run once it has read the PDF: not yet, maybe, on a busy machine */
	for (double end = tmux_now() + TMO / 1000.0; !lines_of(runs) && tmux_now() < end;)
		tmux_sleep_ms(20);
	assert_int_equal(lines_of(runs), 1);
	keys("C-u");
	wait_for("Hello from the fake pdftotext"); /* the answer echoes the text */
	if (tmux_wait_gone(&T, "the message waits", TMO) < 0)
		fail_msg("the line saying what the message waited for stayed");
	send_line("second");
	if (tmux_wait_for(&T, "second", TMO) < 0)
		fail_msg("the second message was not sent");
	char *v[4] = {0};
	for (double end = tmux_now() + TMO / 1000.0; tmux_now() < end; tmux_sleep_ms(20)) {
		for (size_t i = 0; i < 4; i++) {
			free(v[i]);
			v[i] = NULL;
		}
		if (bodies(v, 4) >= 2)
			break;
	}
	assert_non_null(v[1]);
	/* both carry the text (the first message's PDF goes again), made once */
	assert_non_null(strstr(v[0], "Hello from the fake pdftotext"));
	assert_non_null(strstr(v[1], "Hello from the fake pdftotext"));
	assert_null(strstr(v[1], "JVBERi0"));
	assert_int_equal(lines_of(runs), 1);
	for (size_t i = 0; i < 4; i++)
		free(v[i]);
}

static int setup(void **state)
{
	(void)state;
	memset(&T, 0, sizeof T);
	if (testhome_make(&H) < 0)
		return -1;
	char *cfg = testhome_fake_config(FP.port, "\"network\": {\"max_retries\": 0}");
	if (!cfg || testhome_write_config(&H, cfg) < 0)
		return -1;
	free(cfg);
	return fakeprov_clear_log(&FP);
}

static int teardown(void **state)
{
	(void)state;
	tmux_stop(&T);
	int leaked = H.root[0] ? tree_contains(H.root, "CANARY") : 0;
	testhome_remove(&H);
	return leaked == 1 ? -1 : 0;
}

int main(void)
{
	const char *build = getenv("CHERRY_TEST_BUILD");
	if (fakeprov_start(&FP) < 0)
		return 1;
	if (getenv("ASAN_OPTIONS") || (build && strstr(build, "san")))
		TMO = 20000;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pdf_text_once, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	fakeprov_stop(&FP);
	return rc;
}
