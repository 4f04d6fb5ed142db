/* test_privacy_cli: the real binary keeps PRIVACY's promises: `cherry privacy` shows the
 * paths in use, --report is the JSON that would be sent and nothing else, sending is
 * opt-in, a crash leaves an anonymous record, `cherry ask` connects only to the
 * provider, and canary keys and prompts end up in no file, report, upload or stderr. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cherry/attach.h"
#include "cherry/privacy.h"
#include "harness.h"

#define CANARY "sk-test-CANARY-7f3a9c1e5b2d4a6f8e0c"
#define PROMPT_CANARY "PROMPTCANARY-4b1d9e"

static const char *const key_env[] = {
	"FAKE_OPENAI_KEY=" CANARY,
	"FAKE_ANTHROPIC_KEY=" CANARY,
	"FAKE_GEMINI_KEY=" CANARY,
	"FAKE_AZURE_KEY=" CANARY,
	NULL,
};

static struct fakeprov FP;
static struct testhome HOME_;
static char endpoint[128];

static const void *mem_find(const void *hay, size_t hay_len, const char *needle)
{
	size_t n = strlen(needle);
	const char *h = hay;
	for (size_t i = 0; h && i + n <= hay_len; i++)
		if (!memcmp(h + i, needle, n))
			return h + i;
	return NULL;
}

static int no_canary(const char *s, size_t len)
{
	return !mem_find(s, len, "CANARY");
}

/* telemetry: 0 none, 1 endpoint only (not enabled), 2 opted in. */
static void config(int telemetry)
{
	char extra[512];
	int n = snprintf(extra, sizeof extra,
			 "\"network\": {\"max_retries\": 0, \"stall_timeout\": 2}");
	if (telemetry)
		snprintf(extra + n, sizeof extra - (size_t)n,
			 ", \"telemetry\": {\"enabled\": %s, \"endpoint\": \"%s\"}",
			 telemetry == 2 ? "true" : "false", endpoint);
	char *cfg = testhome_fake_config(FP.port, extra);
	assert_non_null(cfg);
	assert_int_equal(testhome_write_config(&HOME_, cfg), 0);
	free(cfg);
}

static int setup(void **state)
{
	(void)state;
	if (fakeprov_start(&FP) < 0 || testhome_make(&HOME_) < 0)
		return -1;
	snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/collect", FP.port);
	const char *args[] = {"privacy", "--report", NULL};
	struct run r;
	if (run_cherry(&r, &HOME_, args, NULL, NULL, 10000) < 0)
		return -1;
	int dispatched = r.status == 0;
	if (!dispatched)
		fprintf(stderr, "# cherry privacy failed (%d): %s# (is `privacy` dispatched and "
				"crash_install called in src/main.c?)\n",
			r.status, r.err);
	run_free(&r);
	return dispatched ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fakeprov_stop(&FP);
	testhome_remove(&HOME_);
	return 0;
}

/* Runs cherry with args (NULL-terminated). */
static void cherry(struct run *r, const char *a0, const char *a1, const char *a2,
		   const char *a3, const char *a4)
{
	const char *args[] = {a0, a1, a2, a3, a4, NULL};
	assert_int_equal(run_cherry(r, &HOME_, args, key_env, NULL, 20000), 0);
}

static size_t count_path(const char *path)
{
	json_t *reqs = fakeprov_requests(&FP);
	size_t i, n = 0;
	json_t *q;
	json_array_foreach (reqs, i, q)
		if (!strcmp(json_string_value(json_object_get(q, "path")), path))
			n++;
	json_decref(reqs);
	return n;
}

/* The body of the last request to path (caller decrefs), or NULL. */
static json_t *last_to(const char *path)
{
	json_t *reqs = fakeprov_requests(&FP);
	size_t i;
	json_t *q, *found = NULL;
	json_array_foreach (reqs, i, q)
		if (!strcmp(json_string_value(json_object_get(q, "path")), path))
			found = q;
	if (found)
		json_incref(found);
	json_decref(reqs);
	return found;
}

static void state_file(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/state/cherry/%s", HOME_.root, name);
}

/* ---- cherry privacy ---- */

static void test_summary_shows_paths_and_version(void **state)
{
	(void)state;
	config(0);
	struct run r;
	cherry(&r, "privacy", NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.err_len, 0);
	char want[512];
	snprintf(want, sizeof want, "cherry privacy policy, version %d (", PRIVACY_VERSION);
	assert_true(!strncmp(r.out, want, strlen(want)));
	snprintf(want, sizeof want, "  anonymous report    %s/state/cherry/report.json\n",
		 HOME_.root);
	assert_non_null(strstr(r.out, want));
	snprintf(want, sizeof want, "  settings            %s/config/cherry/config.json\n",
		 HOME_.root);
	assert_non_null(strstr(r.out, want));
	snprintf(want, sizeof want, "  API keys, encrypted %s/data/cherry/keys.vault\n",
		 HOME_.root);
	assert_non_null(strstr(r.out, want));
	assert_non_null(strstr(r.out, "Sending the report: off (the default)."));
	run_free(&r);

	config(2);
	cherry(&r, "privacy", NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	char on[256];
	snprintf(on, sizeof on, "Sending the report: on (telemetry.enabled), to %s,", endpoint);
	assert_non_null(strstr(r.out, on));
	run_free(&r);

	cherry(&r, "privacy", "--bogus", NULL, NULL, NULL);
	assert_int_equal(r.status, 2);
	run_free(&r);
}

static const char *const top_keys[] = {"cherry_version", "crashes", "errors", "features",
				       "os", "report_format", NULL};

static void assert_report_shape(json_t *rep)
{
	assert_true(json_is_object(rep));
	assert_int_equal(json_object_size(rep), 6);
	for (int i = 0; top_keys[i]; i++)
		assert_non_null(json_object_get(rep, top_keys[i]));
	assert_string_equal(json_string_value(json_object_get(rep, "os")), "linux");
	const char *k;
	json_t *v;
	json_object_foreach (json_object_get(rep, "features"), k, v) {
		assert_true(json_is_integer(v));
		assert_int_equal(strspn(k, "abcdefghijklmnopqrstuvwxyz_"), strlen(k));
	}
	size_t i;
	json_array_foreach (json_object_get(rep, "errors"), i, v) {
		assert_int_equal(json_object_size(v), 3);
		const char *code = json_string_value(json_object_get(v, "code"));
		assert_non_null(code);
		assert_int_equal(strspn(code, "abcdefghijklmnopqrstuvwxyz_0123456789"),
				 strlen(code));
	}
	json_array_foreach (json_object_get(rep, "crashes"), i, v)
		assert_int_equal(json_object_size(v), 4);
}

static json_t *report(void)
{
	struct run r;
	cherry(&r, "privacy", "--report", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.err_len, 0);
	json_error_t je;
	json_t *rep = json_loads(r.out, 0, &je);
	assert_non_null(rep);
	assert_report_shape(rep);
	run_free(&r);
	return rep;
}

static void test_report_counts_and_errors(void **state)
{
	(void)state;
	config(0);
	struct run r;
	cherry(&r, "privacy", "--delete", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	cherry(&r, "ask", "--no-save", "-m", "fo/hello", "hi");
	assert_int_equal(r.status, 0);
	run_free(&r);
	cherry(&r, "ask", "--no-save", "-m", "fa/hello", "hi");
	assert_int_equal(r.status, 0);
	run_free(&r);
	cherry(&r, "ask", "--no-save", "-m", "fo/e429", "hi");
	assert_int_equal(r.status, 3);
	run_free(&r);
	json_t *rep = report();
	json_t *f = json_object_get(rep, "features");
	assert_int_equal(json_integer_value(json_object_get(f, "messages_openai")), 2);
	assert_int_equal(json_integer_value(json_object_get(f, "messages_anthropic")), 1);
	assert_int_equal(json_integer_value(json_object_get(f, "asks")), 3);
	json_t *errs = json_object_get(rep, "errors");
	assert_int_equal(json_array_size(errs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "code")),
			    "http_429");
	json_decref(rep);

	/* --delete removes it. */
	cherry(&r, "privacy", "--delete", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	char p[512];
	state_file(p, sizeof p, "report.json");
	struct stat st;
	assert_int_not_equal(stat(p, &st), 0);
	rep = report();
	assert_int_equal(json_object_size(json_object_get(rep, "features")), 0);
	json_decref(rep);
}

/* ---- sending is opt-in ---- */

static void test_send_refused_when_not_opted_in(void **state)
{
	(void)state;
	for (int t = 0; t < 2; t++) {
		config(t);
		fakeprov_clear_log(&FP);
		struct run r;
		cherry(&r, "ask", "--no-save", "-m", "fo/hello", "hi");
		assert_int_equal(r.status, 0);
		run_free(&r);
		cherry(&r, "privacy", "--send", NULL, NULL, NULL);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.err, "cherry: privacy --send: sending is off; set "
					   "telemetry.enabled to true and telemetry.endpoint in "
					   "config.json to opt in (nothing was sent)\n");
		assert_int_equal(r.out_len, 0);
		run_free(&r);
		assert_int_equal(count_path("/collect"), 0);
		assert_int_equal(fakeprov_count(&FP), 1); /* the chat request only */
	}
}

static void test_send_opted_in_sends_exactly_the_report(void **state)
{
	(void)state;
	config(2);
	char p[512];
	state_file(p, sizeof p, "report-sent");
	unlink(p);
	/* The first start of the day sends once; the next start does not. */
	struct run r;
	fakeprov_clear_log(&FP);
	cherry(&r, "ask", "--no-save", "-m", "fo/hello", "hi");
	assert_int_equal(r.status, 0);
	assert_int_equal(r.err_len, 0);
	run_free(&r);
	assert_int_equal(count_path("/collect"), 1);
	cherry(&r, "ask", "--no-save", "-m", "fo/hello", "hi");
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_equal(count_path("/collect"), 1);
	/* A day later, the next start sends again. */
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%lld\n", (long long)time(NULL) - 86401);
	fclose(f);
	cherry(&r, "models", "fo", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_equal(count_path("/collect"), 2);

	cherry(&r, "privacy", "--report", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	json_t *shown = json_loads(r.out, 0, NULL);
	assert_non_null(shown);
	run_free(&r);
	fakeprov_clear_log(&FP);
	cherry(&r, "privacy", "--send", NULL, NULL, NULL);
	/* fakeprov has no /collect route and answers 404; the body still arrives. */
	if (r.status != 0) {
		assert_int_equal(r.status, 3);
		assert_string_equal(r.err, "cherry: the collection endpoint answered HTTP 404\n");
	}
	run_free(&r);
	assert_int_equal(fakeprov_count(&FP), 1);
	json_t *req = last_to("/collect");
	assert_non_null(req);
	assert_string_equal(json_string_value(json_object_get(req, "method")), "POST");
	json_t *hdr = json_object_get(req, "headers");
	assert_string_equal(json_string_value(json_object_get(hdr, "content-type")),
			    "application/json");
	assert_null(json_object_get(hdr, "authorization"));
	assert_null(json_object_get(hdr, "cookie"));
	assert_true(json_equal(json_object_get(req, "body"), shown));
	json_decref(req);
	json_decref(shown);
}

static void test_send_refuses_plain_http_elsewhere(void **state)
{
	(void)state;
	char extra[256];
	snprintf(extra, sizeof extra, "\"telemetry\": {\"enabled\": true, "
				      "\"endpoint\": \"http://192.0.2.1:%d/collect\"}", FP.port);
	char *cfg = testhome_fake_config(FP.port, extra);
	assert_non_null(cfg);
	assert_int_equal(testhome_write_config(&HOME_, cfg), 0);
	free(cfg);
	struct run r;
	cherry(&r, "privacy", "--send", NULL, NULL, NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "cherry: telemetry.endpoint must be an https:// URL (http:// "
				   "only to this machine); nothing was sent\n");
	run_free(&r);
}

/* ---- crashes ---- */

static void test_crash_leaves_record(void **state)
{
	(void)state;
	config(0);
	const char *args[] = {"ask", "--no-save", "-m", "fo/long:300+slow", PROMPT_CANARY, NULL};
	struct run r;
	assert_int_equal(run_cherry_signal(&r, &HOME_, args, key_env, SIGSEGV, 500, 20000), 0);
	assert_int_equal(r.status, 128 + SIGSEGV);
	assert_non_null(strstr(r.err, "cherry: crashed (SIGSEGV); an anonymous crash record was "
				      "kept for the local report (see cherry privacy)\n"));
	assert_true(no_canary(r.err, r.err_len));
	run_free(&r);
	json_t *rep = report();
	json_t *crashes = json_object_get(rep, "crashes");
	int found = 0;
	size_t i;
	json_t *c;
	json_array_foreach (crashes, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "signal")), "SIGSEGV"))
			found = 1;
	assert_true(found);
	char *s = json_dumps(rep, 0);
	assert_true(no_canary(s, strlen(s)));
	assert_null(strstr(s, HOME_.root));
	free(s);
	json_decref(rep);
}

/* ---- the policy notice ---- */

static void test_notice_once_after_bump(void **state)
{
	(void)state;
	config(0);
	char p[512];
	state_file(p, sizeof p, "policy-seen");
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("0\n", f);
	fclose(f);
	struct run r;
	cherry(&r, "ask", "--no-save", "-m", "fo/hello", "hi");
	assert_int_equal(r.status, 0);
	char want[256];
	snprintf(want, sizeof want, "cherry: the privacy policy has changed (now version %d); "
				    "read it with: cherry privacy\n", PRIVACY_VERSION);
	assert_string_equal(r.err, want);
	run_free(&r);
	cherry(&r, "ask", "--no-save", "-m", "fo/hello", "hi");
	assert_int_equal(r.status, 0);
	assert_int_equal(r.err_len, 0);
	run_free(&r);
}

/* ---- the network: only the provider ---- */

static void test_ask_connects_only_to_provider(void **state)
{
	(void)state;
	const char *strace = harness_find_strace();
	if (!strace) {
		fprintf(stdout, "# SKIP strace is not installed: the connect() trace is skipped\n");
		skip();
	}
	config(0);
	/* LeakSanitizer cannot run under ptrace; the other tests check for leaks. */
	static const char *const trace_env[] = {
		"FAKE_OPENAI_KEY=" CANARY, "FAKE_ANTHROPIC_KEY=" CANARY, "FAKE_GEMINI_KEY=" CANARY,
		"FAKE_AZURE_KEY=" CANARY, "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1", NULL,
	};
	const char *bin = getenv("CHERRY_BIN");
	if (!bin || !*bin)
		bin = "build/cherry";
	char trace[512];
	snprintf(trace, sizeof trace, "%s/connect.trace", FP.dir);
	const char *models[] = {"fo/hello", "fa/hello", "fg/hello", "fl/hello", "fz/hello",
				"fo/e500", NULL};
	/* With a file attached (and a PDF that pdftotext reads for openai): the same. */
	char png[512], pdf[512];
	snprintf(png, sizeof png, "%s/trace.png", FP.dir);
	assert_int_equal(harness_write_png(png), 0);
	const char *fx = getenv("CHERRY_FIXTURES");
	snprintf(pdf, sizeof pdf, "%s/attach/hello.pdf", fx && *fx ? fx : "tests/fixtures");
	for (int m = 0; models[m]; m++) {
		const char *argv[] = {strace, "-f", "-e", "trace=connect", "-o", trace, bin,
				      "ask", "--no-save", "-m", models[m], "-f", png, "-f", pdf,
				      "hi", NULL};
		struct run r;
		unlink(trace);
		assert_int_equal(harness_run(&r, &HOME_, argv, trace_env, NULL, 0, 0, 20000), 0);
		char bad[512];
		int inet = harness_connects_only_to(trace, FP.port, bad, sizeof bad);
		if (inet == -2 && m == 0) {
			fprintf(stdout, "# SKIP strace could not trace here (%s)\n", r.err);
			run_free(&r);
			skip();
		}
		if (r.status != (m == 5 ? 3 : 0))
			fprintf(stderr, "# %s: %s\n", models[m], r.err);
		assert_int_equal(r.status, m == 5 ? 3 : 0);
		run_free(&r);
		if (inet == -1)
			fail_msg("unexpected connect: %s", bad);
		assert_true(inet >= 1);
	}
}

/* ---- canaries ---- */

static void test_canaries_go_nowhere(void **state)
{
	(void)state;
	config(2);
	char p[512];
	state_file(p, sizeof p, "report-sent");
	unlink(p);
	fakeprov_clear_log(&FP);
	struct buf errs = BUF_INIT;
	const char *models[] = {"fo/hello", "fa/echo", "fo/e429", "fo/e401", "fg/e500",
				"fo/hello+stall", NULL};
	for (int m = 0; models[m]; m++) {
		struct run r;
		cherry(&r, "ask", "--no-save", "-m", models[m], PROMPT_CANARY " " CANARY);
		buf_append(&errs, r.err, r.err_len);
		run_free(&r);
	}
	const char *stop[] = {"ask", "--no-save", "-m", "fo/long:300+slow", PROMPT_CANARY, NULL};
	struct run r;
	assert_int_equal(run_cherry_signal(&r, &HOME_, stop, key_env, SIGINT, 400, 20000), 0);
	assert_int_equal(r.status, 130);
	buf_append(&errs, r.err, r.err_len);
	run_free(&r);
	assert_int_equal(run_cherry_signal(&r, &HOME_, stop, key_env, SIGSEGV, 400, 20000), 0);
	assert_int_equal(r.status, 128 + SIGSEGV);
	buf_append(&errs, r.err, r.err_len);
	run_free(&r);

	cherry(&r, "privacy", "--report", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_true(no_canary(r.out, r.out_len));
	assert_null(strstr(r.out, "127.0.0.1"));
	assert_null(strstr(r.out, HOME_.root));
	json_t *rep = json_loads(r.out, 0, NULL);
	assert_non_null(rep);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(rep, "features"),
							    "stops")),
			 1);
	buf_append(&errs, r.err, r.err_len);
	run_free(&r);
	cherry(&r, "privacy", "--send", NULL, NULL, NULL);
	buf_append(&errs, r.err, r.err_len);
	run_free(&r);

	json_t *req = last_to("/collect");
	assert_non_null(req);
	assert_true(json_equal(json_object_get(req, "body"), rep));
	char *body = json_dumps(req, 0);
	assert_true(no_canary(body, strlen(body)));
	free(body);
	json_decref(req);
	json_decref(rep);

	assert_true(no_canary(errs.data, errs.len));
	buf_free(&errs);
	assert_int_equal(tree_contains(HOME_.root, "CANARY"), 0);
	assert_int_equal(tree_contains(HOME_.root, PROMPT_CANARY), 0);
}

/* A canary in an attached text file and in an image's metadata reaches the fake provider
 * and the attachments directory, nothing else; deleting the conversation deletes it. */
static void test_attachment_canaries(void **state)
{
	(void)state;
	config(0);
	fakeprov_clear_log(&FP);
	char dir[] = "/tmp/cherry-att-XXXXXX", txt[64], png[64];
	assert_non_null(mkdtemp(dir));
	snprintf(txt, sizeof txt, "%s/notes.txt", dir);
	snprintf(png, sizeof png, "%s/shot.png", dir);
	assert_int_equal(harness_write_file(txt, "see " PROMPT_CANARY "-text\n", 4 + strlen(
						PROMPT_CANARY) + 6), 0);
	/* a PNG whose tEXt chunk (metadata) carries the canary */
	static const char meta[] = "\x89PNG\r\n\x1a\n\0\0\0\x1ctEXtComment\0" PROMPT_CANARY
				   "-meta\0\0\0\0";
	assert_int_equal(harness_write_file(png, meta, sizeof meta - 1), 0);
	struct run r;
	const char *args[] = {"ask", "-m", "fo/hello", "-f", txt, "-f", png, "look", NULL};
	assert_int_equal(run_cherry(&r, &HOME_, args, key_env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	assert_true(!mem_find(r.out, r.out_len, PROMPT_CANARY));
	assert_true(!mem_find(r.err, r.err_len, PROMPT_CANARY));
	run_free(&r);

	/* the provider got both: the text as it is, the image's bytes as base64 */
	json_t *req = last_to("/v1/chat/completions");
	assert_non_null(req);
	char *body = json_dumps(json_object_get(req, "body"), 0);
	struct buf b64 = BUF_INIT;
	assert_int_equal(attach_base64((const unsigned char *)meta, sizeof meta - 1, &b64), 0);
	assert_non_null(strstr(body, PROMPT_CANARY "-text"));
	assert_non_null(strstr(body, b64.data));
	buf_free(&b64);
	free(body);
	json_decref(req);

	/* on this machine: only in the attachments directory */
	char att[600], moved[600];
	snprintf(att, sizeof att, "%s/data/cherry/attachments", HOME_.root);
	snprintf(moved, sizeof moved, "%s/attachments-moved", dir);
	assert_int_equal(tree_contains(att, PROMPT_CANARY "-text"), 1);
	assert_int_equal(tree_contains(att, PROMPT_CANARY "-meta"), 1);
	assert_int_equal(rename(att, moved), 0);
	assert_int_equal(tree_contains(HOME_.root, PROMPT_CANARY), 0);
	assert_int_equal(rename(moved, att), 0);
	cherry(&r, "privacy", "--report", NULL, NULL, NULL);
	assert_null(strstr(r.out, PROMPT_CANARY));
	assert_null(strstr(r.out, "notes.txt"));
	run_free(&r);

	/* deleting the conversation deletes its files */
	cherry(&r, "history", "list", "--json", NULL, NULL);
	json_t *list = json_loads(r.out, 0, NULL);
	run_free(&r);
	size_t i;
	json_t *c;
	json_array_foreach (list, i, c)
		if (json_is_string(json_object_get(c, "id"))) {
			cherry(&r, "history", "rm", json_string_value(json_object_get(c, "id")), "-f",
			       NULL);
			assert_int_equal(r.status, 0);
			run_free(&r);
		}
	json_decref(list);
	assert_int_equal(tree_contains(HOME_.root, PROMPT_CANARY), 0);
	harness_rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_shows_paths_and_version),
		cmocka_unit_test(test_report_counts_and_errors),
		cmocka_unit_test(test_send_refused_when_not_opted_in),
		cmocka_unit_test(test_send_opted_in_sends_exactly_the_report),
		cmocka_unit_test(test_send_refuses_plain_http_elsewhere),
		cmocka_unit_test(test_crash_leaves_record),
		cmocka_unit_test(test_notice_once_after_bump),
		cmocka_unit_test(test_ask_connects_only_to_provider),
		cmocka_unit_test(test_canaries_go_nowhere),
		cmocka_unit_test(test_attachment_canaries),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
