/* test_ask: the real `cherry ask` binary against the fake provider, for every
 * provider kind: output, errors, exit statuses, retries and what was sent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "harness.h"

#define CANARY "sk-test-CANARY-7f3a9c1e5b2d4a6f8e0c"

struct env {
	struct fakeprov fp;
	struct testhome home;
};

static const char *const key_env[] = {
	"FAKE_OPENAI_KEY=" CANARY,
	"FAKE_ANTHROPIC_KEY=" CANARY,
	"FAKE_GEMINI_KEY=" CANARY,
	"FAKE_AZURE_KEY=" CANARY,
	NULL,
};

/* One fake provider and one home for the whole file; each test clears the log. */
static struct env G;

static int setup_with(const char *extra)
{
	if (fakeprov_start(&G.fp) < 0 || testhome_make(&G.home) < 0)
		return -1;
	char *cfg = testhome_fake_config(G.fp.port, extra);
	int r = testhome_write_config(&G.home, cfg);
	free(cfg);
	return r;
}

static int group_setup(void **state)
{
	(void)state;
	return setup_with("\"network\": {\"max_retries\": 2, \"stall_timeout\": 1, "
			  "\"connect_timeout\": 5}");
}

static int group_teardown(void **state)
{
	(void)state;
	fakeprov_stop(&G.fp);
	testhome_remove(&G.home);
	return 0;
}

/* Runs cherry ask with args; stdin_data may be NULL. */
static void ask(struct run *r, const char *model, const char *prompt, const char *flag1,
		const char *flag2, const char *stdin_data)
{
	const char *args[10];
	int n = 0;
	args[n++] = "ask";
	args[n++] = "-m";
	args[n++] = model;
	if (flag1)
		args[n++] = flag1;
	if (flag2)
		args[n++] = flag2;
	if (prompt)
		args[n++] = prompt;
	args[n] = NULL;
	assert_int_equal(run_cherry(r, &G.home, args, key_env, stdin_data, 20000), 0);
}

static size_t count_requests(void)
{
	json_t *reqs = fakeprov_requests(&G.fp);
	size_t n = json_array_size(reqs);
	json_decref(reqs);
	return n;
}

static void assert_no_canary(const struct run *r)
{
	assert_null(harness_mem_find(r->out, r->out_len, "CANARY", 6));
	assert_null(harness_mem_find(r->err, r->err_len, "CANARY", 6));
}

static void assert_one_line(const char *s)
{
	const char *nl = strchr(s, '\n');
	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');
}

/* ---- every kind answers, and receives what it should ---- */

static const char *const kinds[] = {"fo", "fa", "fg", "fl", "fz"};

static void test_echo_every_kind(void **state)
{
	(void)state;
	for (size_t i = 0; i < 5; i++) {
		struct run r;
		char model[64];
		snprintf(model, sizeof model, "%s/echo", kinds[i]);
		ask(&r, model, "ping 123 ünïcödé 你好", NULL, NULL, NULL);
		if (r.status != 0)
			fprintf(stderr, "%s: %.*s\n", model, (int)r.err_len, r.err);
		assert_int_equal(r.status, 0);
		assert_string_equal(r.out, "ping 123 ünïcödé 你好\n");
		assert_int_equal(r.err_len, 0);
		assert_no_canary(&r);
		run_free(&r);
	}
}

static void test_auth_headers(void **state)
{
	(void)state;
	struct run r;
	json_t *req;

	ask(&r, "fo/hello", "hi", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	req = fakeprov_last_request(&G.fp);
	assert_string_equal(request_header(req, "authorization"), "Bearer " CANARY);
	assert_null(request_header(req, "x-api-key"));
	assert_null(request_header(req, "api-key"));
	assert_null(request_header(req, "x-goog-api-key"));
	assert_string_equal(json_string_value(json_object_get(req, "path")), "/v1/chat/completions");
	json_decref(req);

	ask(&r, "fa/hello", "hi", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	req = fakeprov_last_request(&G.fp);
	assert_string_equal(request_header(req, "x-api-key"), CANARY);
	assert_string_equal(request_header(req, "anthropic-version"), "2023-06-01");
	assert_null(request_header(req, "authorization"));
	json_decref(req);

	ask(&r, "fg/hello", "hi", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	req = fakeprov_last_request(&G.fp);
	assert_string_equal(request_header(req, "x-goog-api-key"), CANARY);
	assert_null(request_header(req, "authorization"));
	const char *path = json_string_value(json_object_get(req, "path"));
	assert_string_equal(path, "/v1beta/models/hello:streamGenerateContent?alt=sse");
	json_decref(req);

	ask(&r, "fl/hello", "hi", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	req = fakeprov_last_request(&G.fp);
	assert_null(request_header(req, "authorization"));
	assert_string_equal(json_string_value(json_object_get(req, "path")), "/api/chat");
	json_decref(req);

	ask(&r, "fz/hello", "hi", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	req = fakeprov_last_request(&G.fp);
	assert_string_equal(request_header(req, "api-key"), CANARY);
	assert_null(request_header(req, "authorization"));
	assert_string_equal(json_string_value(json_object_get(req, "path")),
			    "/openai/deployments/hello/chat/completions?api-version=2024-10-21");
	json_decref(req);
}

static void test_request_bodies(void **state)
{
	(void)state;
	struct run r;
	json_t *req, *body;

	ask(&r, "fo/echo", "question", "-s", "be terse", NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	req = fakeprov_last_request(&G.fp);
	body = json_object_get(req, "body");
	assert_string_equal(json_string_value(json_object_get(body, "model")), "echo");
	assert_true(json_is_true(json_object_get(body, "stream")));
	assert_true(json_is_true(json_object_get(json_object_get(body, "stream_options"),
						 "include_usage")));
	json_t *msgs = json_object_get(body, "messages");
	assert_int_equal(json_array_size(msgs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "role")),
			    "system");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "content")),
			    "be terse");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 1), "content")),
			    "question");
	json_decref(req);

	ask(&r, "fa/echo", "question", "-s", "be terse", NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	req = fakeprov_last_request(&G.fp);
	body = json_object_get(req, "body");
	assert_string_equal(json_string_value(json_object_get(body, "system")), "be terse");
	assert_true(json_integer_value(json_object_get(body, "max_tokens")) > 0);
	msgs = json_object_get(body, "messages");
	assert_int_equal(json_array_size(msgs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "role")),
			    "user");
	json_decref(req);

	ask(&r, "fg/echo", "question", "-s", "be terse", NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	req = fakeprov_last_request(&G.fp);
	body = json_object_get(req, "body");
	json_t *sys = json_object_get(json_object_get(body, "systemInstruction"), "parts");
	assert_string_equal(json_string_value(json_object_get(json_array_get(sys, 0), "text")),
			    "be terse");
	json_t *contents = json_object_get(body, "contents");
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(contents, 0), "role")), "user");
	json_decref(req);

	ask(&r, "fl/echo", "question", "-s", "be terse", NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	req = fakeprov_last_request(&G.fp);
	body = json_object_get(req, "body");
	msgs = json_object_get(body, "messages");
	assert_int_equal(json_array_size(msgs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "role")),
			    "system");
	json_decref(req);
}

static void test_stdin_is_added(void **state)
{
	(void)state;
	struct run r;
	ask(&r, "fo/echo", "summarise:", NULL, NULL, "line one\nline two\n");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "summarise:\n\nline one\nline two\n");
	run_free(&r);
	ask(&r, "fo/echo", NULL, NULL, NULL, "only stdin");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "only stdin\n");
	run_free(&r);
}

/* -f: an image goes as an image part, a text file as a fenced block, a binary file is
 * refused with one line; the message keeps the references and the store the bytes. */
static void test_attach_files(void **state)
{
	(void)state;
	char png[600], txt[600], bin[600];
	snprintf(png, sizeof png, "%s/shot.png", G.home.root);
	snprintf(txt, sizeof txt, "%s/notes.c", G.home.root);
	snprintf(bin, sizeof bin, "%s/blob.bin", G.home.root);
	assert_int_equal(harness_write_png(png), 0);
	static const char code[] = "int main(void) { return 0; }\n";
	assert_int_equal(harness_write_file(txt, code, sizeof code - 1), 0);
	assert_int_equal(harness_write_file(bin, "\0\1\2\3\xff\xfe", 6), 0);

	struct run r;
	const char *args[] = {"ask", "-m", "fo/hello", "-f", png, "-f", txt, "what is this?", NULL};
	assert_int_equal(run_cherry(&r, &G.home, args, key_env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	json_t *req = fakeprov_last_request(&G.fp);
	char *body = json_dumps(json_object_get(req, "body"), 0);
	assert_non_null(strstr(body, "data:image/png;base64,iVBORw0KGgo"));
	assert_non_null(strstr(body, "notes.c"));
	assert_non_null(strstr(body, "```c"));
	free(body);
	json_decref(req);

	const char *bad[] = {"ask", "-m", "fo/hello", "-f", bin, "hi", NULL};
	size_t before = count_requests();
	assert_int_equal(run_cherry(&r, &G.home, bad, key_env, NULL, 20000), 0);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "blob.bin"));
	assert_null(strchr(strchr(r.err, '\n') + 1, '\n'));
	assert_int_equal(count_requests(), before);
	run_free(&r);

	/* A model config.json says cannot see gets no image: one line, nothing sent. */
	struct testhome h;
	assert_int_equal(testhome_make(&h), 0);
	char cfg[512];
	snprintf(cfg, sizeof cfg, "{\"providers\": {\"fo\": {\"kind\": \"openai\", "
		 "\"base_url\": \"http://127.0.0.1:%d/v1\", \"key_env\": \"FAKE_OPENAI_KEY\", "
		 "\"models\": [{\"id\": \"hello\", \"vision\": false}]}}}", G.fp.port);
	assert_int_equal(testhome_write_config(&h, cfg), 0);
	const char *blind[] = {"ask", "-m", "fo/hello", "-f", png, "what is this?", NULL};
	assert_int_equal(run_cherry(&r, &h, blind, key_env, NULL, 20000), 0);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "shot.png: fo/hello cannot see images"));
	assert_null(strchr(strchr(r.err, '\n') + 1, '\n'));
	assert_int_equal(count_requests(), before);
	run_free(&r);
	/* Text still goes to it. */
	const char *text_only[] = {"ask", "-m", "fo/hello", "-f", txt, "what is this?", NULL};
	assert_int_equal(run_cherry(&r, &h, text_only, key_env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	testhome_remove(&h);
}

/* A PDF goes as a document where the kind takes one, else as pdftotext's text, made once
 * per PDF (kept beside the attachment); without pdftotext, one line and nothing sent. */
static void test_attach_pdf(void **state)
{
	(void)state;
	char pdf[600];
	const char *fx = getenv("CHERRY_FIXTURES");
	snprintf(pdf, sizeof pdf, "%s/attach/hello.pdf", fx && *fx ? fx : "tests/fixtures");
	const char *no_tool[] = {"FAKE_OPENAI_KEY=" CANARY, "FAKE_ANTHROPIC_KEY=" CANARY,
				 "PATH=/nonexistent", NULL};
	struct run r;
	const char *to_openai[] = {"ask", "-m", "fo/hello", "-f", pdf, "sum it up", NULL};
	assert_int_equal(run_cherry(&r, &G.home, to_openai, key_env, NULL, 20000), 0);
	if (r.status)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.status, 0);
	run_free(&r);
	json_t *req = fakeprov_last_request(&G.fp);
	char *body = json_dumps(json_object_get(req, "body"), 0);
	assert_non_null(strstr(body, "hello.pdf:\\n```\\nHello from a PDF"));
	assert_null(strstr(body, "JVBERi0"));
	free(body);
	json_decref(req);

	/* its text was kept: sent again, pdftotext is not needed */
	assert_int_equal(run_cherry(&r, &G.home, to_openai, no_tool, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);

	/* another PDF (one byte more) has no text yet */
	char other[700];
	snprintf(other, sizeof other, "%s/other.pdf", G.home.root);
	FILE *in = fopen(pdf, "rb"), *out = fopen(other, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, in)) > 0)
		assert_int_equal(fwrite(chunk, 1, got, out), got);
	fputs("%\n", out);
	fclose(in);
	fclose(out);
	const char *other_to_openai[] = {"ask", "-m", "fo/hello", "-f", other, "sum it up", NULL};
	size_t before = count_requests();
	assert_int_equal(run_cherry(&r, &G.home, other_to_openai, no_tool, NULL, 20000), 0);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "pdftotext is not installed"));
	assert_null(strchr(strchr(r.err, '\n') + 1, '\n'));
	assert_int_equal(count_requests(), before);
	run_free(&r);

	const char *to_anthropic[] = {"ask", "-m", "fa/hello", "-f", pdf, "sum it up", NULL};
	assert_int_equal(run_cherry(&r, &G.home, to_anthropic, no_tool, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	req = fakeprov_last_request(&G.fp);
	body = json_dumps(json_object_get(req, "body"), 0);
	assert_non_null(strstr(body, "\"document\""));
	assert_non_null(strstr(body, "JVBERi0"));
	free(body);
	json_decref(req);
}

/* ---- framing never changes the answer ---- */

static void test_framing_variants(void **state)
{
	(void)state;
	static const char *const mods[] = {"split", "chunks", "crlf", "cr", "comments", "bom"};
	for (size_t k = 0; k < 5; k++) {
		struct run base;
		char model[96];
		snprintf(model, sizeof model, "%s/hello", kinds[k]);
		ask(&base, model, "hi", NULL, NULL, NULL);
		assert_int_equal(base.status, 0);
		assert_true(base.out_len > 1);
		for (size_t m = 0; m < sizeof mods / sizeof *mods; m++) {
			if (k == 3 && m >= 4)
				continue; /* NDJSON has no comments or BOM */
			struct run r;
			snprintf(model, sizeof model, "%s/hello+%s", kinds[k], mods[m]);
			ask(&r, model, "hi", NULL, NULL, NULL);
			if (r.status != 0 || strcmp(r.out, base.out))
				fprintf(stderr, "%s: status %d out [%s] err [%s]\n", model, r.status,
					r.out, r.err);
			assert_int_equal(r.status, 0);
			assert_string_equal(r.out, base.out);
			run_free(&r);
		}
		run_free(&base);
	}
}

/* ---- reasoning goes to stderr only when asked ---- */

static void test_reasoning(void **state)
{
	(void)state;
	for (size_t k = 0; k < 4; k++) {
		char model[64];
		snprintf(model, sizeof model, "%s/reasoning", kinds[k]);
		struct run quiet, shown;
		ask(&quiet, model, "hi", NULL, NULL, NULL);
		ask(&shown, model, "hi", "--show-reasoning", NULL, NULL);
		assert_int_equal(quiet.status, 0);
		assert_int_equal(shown.status, 0);
		assert_int_equal(quiet.err_len, 0);
		assert_true(shown.err_len > 0);
		assert_string_equal(quiet.out, shown.out);
		/* no reasoning text in the answer */
		assert_null(harness_mem_find(shown.out, shown.out_len, shown.err, shown.err_len > 8 ? 8 : shown.err_len));
		run_free(&quiet);
		run_free(&shown);
	}
}

/* ---- errors: one line, the right exit status, no key ---- */

static void expect_error(const char *model, int status, const char *needle, size_t requests)
{
	size_t before = count_requests();
	struct run r;
	ask(&r, model, "hi", NULL, NULL, NULL);
	if (r.status != status || !strstr(r.err, needle))
		fprintf(stderr, "%s: status %d err [%s]\n", model, r.status, r.err);
	assert_int_equal(r.status, status);
	assert_non_null(strstr(r.err, needle));
	assert_true(!strncmp(r.err, "cherry: ", 8));
	assert_one_line(r.err);
	assert_no_canary(&r);
	if (requests)
		assert_int_equal(count_requests() - before, requests);
	run_free(&r);
}

static void test_http_errors(void **state)
{
	(void)state;
	expect_error("fo/e401", 4, "fo: 401", 1);
	expect_error("fa/e401", 4, "fa: 401 authentication_error", 1);
	expect_error("fg/e400", 3, "fg: 400", 1);
	expect_error("fo/e404", 3, "fo: 404", 1);
	expect_error("fl/e404", 3, "fl: 404", 1);
	expect_error("fo/quota", 3, "insufficient_quota", 1);
	expect_error("fa/e529", 3, "fa: 529 overloaded_error: Overloaded", 3);
	expect_error("fo/e500", 3, "fo: 500", 3);
	expect_error("fo/redirect", 3, "redirect", 1);
}

static void test_retry_then_success(void **state)
{
	(void)state;
	const char *models[] = {"fo/hello+flaky", "fa/hello+flaky", "fg/hello+flaky",
				"fl/hello+flaky", "fz/hello+flaky", "fo/hello+flaky429"};
	for (size_t i = 0; i < 6; i++) {
		size_t before = count_requests();
		struct run r;
		ask(&r, models[i], "hi", "--stats", NULL, NULL);
		if (r.status)
			fprintf(stderr, "%s: %s\n", models[i], r.err);
		assert_int_equal(r.status, 0);
		assert_int_equal(count_requests() - before, 2);
		assert_non_null(strstr(r.err, "2 attempts"));
		run_free(&r);
	}
}

static void test_retry_after_is_honoured(void **state)
{
	(void)state;
	/* e429 carries Retry-After: 1; two retries wait about two seconds. */
	struct run r;
	ask(&r, "fo/e429", "hi", NULL, NULL, NULL);
	assert_int_equal(r.status, 3);
	assert_true(r.seconds >= 1.9);
	assert_non_null(strstr(r.err, "429"));
	run_free(&r);
}

/* A request the provider refused as it was (400, 404) is not told to be asked again
 * later (it would fail the same); a server error is. */
static void test_refused_request_advice(void **state)
{
	(void)state;
	static const char *const models[] = {"fo/e400", "fa/e400", "fo/e404", "fo/e500"};
	for (size_t i = 0; i < 4; i++) {
		struct run r;
		ask(&r, models[i], "hi", NULL, NULL, NULL);
		assert_int_equal(r.status, 3);
		assert_one_line(r.err);
		if ((strstr(r.err, "again later") != NULL) != (i == 3))
			fail_msg("%s: %s", models[i], r.err);
		run_free(&r);
	}
}

static void test_mid_stream_failures(void **state)
{
	(void)state;
	for (size_t k = 0; k < 5; k++) {
		const char *what[] = {"midfail", "drop", "nodone", "stall"};
		for (size_t w = 0; w < 4; w++) {
			char model[64];
			snprintf(model, sizeof model, "%s/hello+%s", kinds[k], what[w]);
			size_t before = count_requests();
			struct run r;
			ask(&r, model, "hi", NULL, NULL, NULL);
			if (r.status != 3)
				fprintf(stderr, "%s: %d [%s]\n", model, r.status, r.err);
			assert_int_equal(r.status, 3);
			assert_true(r.out_len > 0); /* the partial answer is kept */
			assert_one_line(r.err);
			/* what happened, then what to do (Gemini's own words say "retry") */
			if (!strstr(r.err, "; ask again later\n") && !strstr(r.err, "retry"))
				fail_msg("%s: no advice: %s", model, r.err);
			assert_int_equal(count_requests() - before, 1); /* never retried */
			if (w == 3) {
				assert_non_null(strstr(r.err, "stalled"));
				assert_true(r.seconds < 5);
			}
			run_free(&r);
		}
	}
}

/* A bare error body after the end (Gemini sends one even after finishReason STOP) is the
 * provider's message and exit 3; an explained refusal shows its explanation. */
static void test_bare_error_and_refusal(void **state)
{
	(void)state;
	static const char *const why[] = {"INTERNAL: Internal error encountered.",
					  "The server had an error while processing",
					  "api_error: Internal server error"};
	static const char *const models[] = {"fg/hello+rawerror", "fo/hello+rawerror",
					     "fa/hello+rawerror"};
	for (size_t i = 0; i < 3; i++) {
		struct run r;
		ask(&r, models[i], "hi", NULL, NULL, NULL);
		if (r.status != 3 || !strstr(r.err, why[i]))
			fail_msg("%s: %d [%s]", models[i], r.status, r.err);
		assert_non_null(strstr(r.out, "Hello from fake"));
		assert_one_line(r.err);
		run_free(&r);
	}
	struct run r;
	ask(&r, "fa/refusal", "hi", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.out_len, 0);
	assert_string_equal(r.err, "cherry: note: the model refused (cyber): This request was "
			    "declined because it could enable cyber harm.\n");
	run_free(&r);
}

static void test_length_and_notes(void **state)
{
	(void)state;
	for (size_t k = 0; k < 4; k++) {
		char model[64];
		snprintf(model, sizeof model, "%s/length", kinds[k]);
		struct run r;
		ask(&r, model, "hi", NULL, NULL, NULL);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.err, "length limit"));
		run_free(&r);
	}
}

/* ---- what reaches the terminal ---- */

static void test_escapes_are_removed(void **state)
{
	(void)state;
	for (size_t k = 0; k < 5; k++) {
		char model[64];
		snprintf(model, sizeof model, "%s/escapes", kinds[k]);
		struct run r, raw;
		ask(&r, model, "hi", NULL, NULL, NULL);
		ask(&raw, model, "hi", "--raw", NULL, NULL);
		assert_int_equal(r.status, 0);
		assert_int_equal(raw.status, 0);
		assert_null(memchr(r.out, 0x1b, r.out_len));
		assert_null(harness_mem_find(r.out, r.out_len, "\xc2\x9b", 2));
		assert_null(harness_mem_find(r.out, r.out_len, "\xe2\x80\xae", 3));
		assert_non_null(memchr(raw.out, 0x1b, raw.out_len));
		run_free(&r);
		run_free(&raw);
	}
}

static void test_invalid_utf8_and_big_lines(void **state)
{
	(void)state;
	struct run r;
	ask(&r, "fo/badutf8", "hi", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(harness_mem_find(r.out, r.out_len, "\xef\xbf\xbd", 3));
	run_free(&r);
	ask(&r, "fo/bigline", "hi", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_true(r.out_len > 900000);
	run_free(&r);
	ask(&r, "fa/bigline+split", "hi", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_true(r.out_len > 900000);
	run_free(&r);
}

/* ---- the twelve recorded OpenAI streams ---- */

static void test_recorded_streams(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *out_prefix; /* NULL: only check success */
		const char *note;       /* expected on stderr, or NULL for none */
	} cases[] = {
		{"e2aad469b71d", "I'm unable", NULL},
		{"d61558011839", NULL, NULL},
		{"7e5ea4d12e7c", "{", NULL},
		{"83b060bae42e", "Foo!\n", NULL},
		{"a491adda08c3", NULL, NULL},
		{"4cc50a6135d2", "{\"\n", "length limit"},
		{"173417d55340", NULL, "refused"},
		{"569c877e6942", NULL, "refused"},
		{"2018feb66ae1", NULL, "tool"},
		{"a247c49c5fcd", NULL, "tool"},
		{"c6aa7e397b71", NULL, "tool"},
		{"f82268f2fefd", NULL, "tool"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		for (int split = 0; split < 2; split++) {
			char model[96];
			snprintf(model, sizeof model, "fo/replay:%s%s", cases[i].name,
				 split ? "+split" : "");
			struct run r;
			ask(&r, model, "hi", NULL, NULL, NULL);
			if (r.status)
				fprintf(stderr, "%s: %s\n", model, r.err);
			assert_int_equal(r.status, 0);
			if (cases[i].out_prefix)
				assert_true(!strncmp(r.out, cases[i].out_prefix,
						     strlen(cases[i].out_prefix)));
			if (cases[i].note)
				assert_non_null(strstr(r.err, cases[i].note));
			else
				assert_int_equal(r.err_len, 0);
			run_free(&r);
		}
	}
}

/* ---- keys, usage, configuration ---- */

static void test_missing_key(void **state)
{
	(void)state;
	struct run r;
	const char *args[] = {"ask", "-m", "fo/hello", "hi", NULL};
	assert_int_equal(run_cherry(&r, &G.home, args, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 4);
	assert_non_null(strstr(r.err, "FAKE_OPENAI_KEY"));
	assert_one_line(r.err);
	run_free(&r);
	/* ollama needs none */
	const char *args2[] = {"ask", "-m", "fl/hello", "hi", NULL};
	assert_int_equal(run_cherry(&r, &G.home, args2, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

static void test_usage_errors(void **state)
{
	(void)state;
	const char *const *cases[] = {
		(const char *const[]){"ask", "--bogus", "hi", NULL},
		(const char *const[]){"ask", "-m", NULL},
		(const char *const[]){"ask", "-m", "fo/hello", NULL},
		(const char *const[]){"frobnicate", NULL},
		(const char *const[]){"--frobnicate", NULL},
		(const char *const[]){"ask", "-m", "nosuchprovider/x", "hi", NULL},
		(const char *const[]){"ask", "-m", "noslash", "hi", NULL},
		(const char *const[]){"models", "--bogus", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct run r;
		assert_int_equal(run_cherry(&r, &G.home, cases[i], key_env, NULL, 10000), 0);
		if (r.status != 2)
			fprintf(stderr, "case %zu: %d [%s]\n", i, r.status, r.err);
		assert_int_equal(r.status, 2);
		assert_one_line(r.err);
		assert_int_equal(r.out_len, 0);
		run_free(&r);
	}
}

static void test_version_and_help(void **state)
{
	(void)state;
	struct run r;
	const char *v[] = {"--version", NULL};
	assert_int_equal(run_cherry(&r, &G.home, v, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_true(!strncmp(r.out, "cherry ", 7));
	run_free(&r);
	const char *h[] = {"--help", NULL};
	const char *h2[] = {"-h", NULL};
	assert_int_equal(run_cherry(&r, &G.home, h, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: cherry"));
	run_free(&r);
	assert_int_equal(run_cherry(&r, &G.home, h2, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: cherry"));
	run_free(&r);
}

static void test_stats(void **state)
{
	(void)state;
	struct run r;
	ask(&r, "fa/hello", "hi", "--stats", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "tokens: "));
	assert_non_null(strstr(r.err, "first token"));
	run_free(&r);
}

static void test_interrupt_keeps_text(void **state)
{
	(void)state;
	struct run r;
	const char *args[] = {"ask", "-m", "fo/long:400+slow", "hi", NULL};
	assert_int_equal(run_cherry_signal(&r, &G.home, args, key_env, SIGINT, 500, 10000), 0);
	assert_int_equal(r.status, 130);
	assert_true(r.out_len > 0);
	assert_true(r.seconds < 3);
	assert_one_line(r.err);
	run_free(&r);
}

static void test_plain_http_elsewhere_refused(void **state)
{
	(void)state;
	struct testhome h;
	assert_int_equal(testhome_make(&h), 0);
	assert_int_equal(testhome_write_config(&h,
		"{\"providers\": {\"far\": {\"kind\": \"openai\", \"base_url\": "
		"\"http://192.0.2.1/v1\", \"key_env\": \"FAKE_OPENAI_KEY\"}}}"), 0);
	struct run r;
	const char *args[] = {"ask", "-m", "far/x", "hi", NULL};
	assert_int_equal(run_cherry(&r, &h, args, key_env, NULL, 10000), 0);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "plain http"));
	assert_no_canary(&r);
	run_free(&r);
	testhome_remove(&h);
}

static void test_bad_config(void **state)
{
	(void)state;
	struct testhome h;
	assert_int_equal(testhome_make(&h), 0);
	assert_int_equal(testhome_write_config(&h, "{\n  \"default_model\": \"x/y\",\n  oops\n}"), 0);
	struct run r;
	const char *args[] = {"providers", NULL};
	assert_int_equal(run_cherry(&r, &h, args, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "config.json:3:"));
	assert_one_line(r.err);
	run_free(&r);
	assert_int_equal(testhome_write_config(&h, "{\"colour\": 1, \"network\": {\"speed\": 2}}"), 0);
	assert_int_equal(run_cherry(&r, &h, args, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "colour"));
	assert_non_null(strstr(r.err, "network.speed"));
	run_free(&r);
	testhome_remove(&h);
}

static void test_providers_listing(void **state)
{
	(void)state;
	struct run r;
	const char *args[] = {"providers", NULL};
	const char *env[] = {"FAKE_OPENAI_KEY=" CANARY, NULL};
	assert_int_equal(run_cherry(&r, &G.home, args, env, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	static const char *const presets[] = {
		"openai", "anthropic", "gemini", "ollama", "deepseek", "openrouter",
		"groq", "mistral", "xai", "together", "siliconflow", "moonshot",
		"dashscope", "zhipu", "lmstudio", "azure"};
	for (size_t i = 0; i < 16; i++) {
		char needle[64];
		snprintf(needle, sizeof needle, "\n%s ", presets[i]);
		assert_non_null(strstr(r.out, needle));
	}
	assert_non_null(strstr(r.out, "OPENAI_API_KEY or vault"));
	assert_non_null(strstr(r.out, "FAKE_OPENAI_KEY (set)"));
	assert_non_null(strstr(r.out, "none needed"));
	assert_non_null(strstr(r.out, "https://"));
	assert_no_canary(&r);
	run_free(&r);
}

static void test_models_fetch_and_cache(void **state)
{
	(void)state;
	struct run r;
	const char *args[] = {"models", "fo", NULL};
	size_t before = count_requests();
	assert_int_equal(run_cherry(&r, &G.home, args, key_env, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_true(!strncmp(r.out, "fo/", 3));
	assert_int_equal(count_requests() - before, 1);
	json_t *req = fakeprov_last_request(&G.fp);
	assert_string_equal(json_string_value(json_object_get(req, "method")), "GET");
	assert_string_equal(request_header(req, "authorization"), "Bearer " CANARY);
	json_decref(req);
	char *first = strdup(r.out);
	run_free(&r);
	/* the second run is served from the cache */
	assert_int_equal(run_cherry(&r, &G.home, args, key_env, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, first);
	assert_int_equal(count_requests() - before, 1);
	run_free(&r);
	/* --refresh asks again */
	const char *refresh[] = {"models", "--refresh", "fa", NULL};
	assert_int_equal(run_cherry(&r, &G.home, refresh, key_env, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_true(!strncmp(r.out, "fa/", 3));
	assert_int_equal(count_requests() - before, 2);
	run_free(&r);
	for (size_t k = 2; k < 5; k++) {
		const char *one[] = {"models", kinds[k], NULL};
		assert_int_equal(run_cherry(&r, &G.home, one, key_env, NULL, 10000), 0);
		if (r.status)
			fprintf(stderr, "models %s: %s\n", kinds[k], r.err);
		assert_int_equal(r.status, 0);
		assert_true(!strncmp(r.out, kinds[k], 2) && r.out[2] == '/');
		run_free(&r);
	}
	free(first);
	assert_int_equal(tree_contains(G.home.root, "CANARY"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_every_kind),
		cmocka_unit_test(test_auth_headers),
		cmocka_unit_test(test_request_bodies),
		cmocka_unit_test(test_stdin_is_added),
		cmocka_unit_test(test_attach_files),
		cmocka_unit_test(test_attach_pdf),
		cmocka_unit_test(test_framing_variants),
		cmocka_unit_test(test_reasoning),
		cmocka_unit_test(test_http_errors),
		cmocka_unit_test(test_retry_then_success),
		cmocka_unit_test(test_retry_after_is_honoured),
		cmocka_unit_test(test_refused_request_advice),
		cmocka_unit_test(test_mid_stream_failures),
		cmocka_unit_test(test_bare_error_and_refusal),
		cmocka_unit_test(test_length_and_notes),
		cmocka_unit_test(test_escapes_are_removed),
		cmocka_unit_test(test_invalid_utf8_and_big_lines),
		cmocka_unit_test(test_recorded_streams),
		cmocka_unit_test(test_missing_key),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_version_and_help),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_interrupt_keeps_text),
		cmocka_unit_test(test_plain_http_elsewhere_refused),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_providers_listing),
		cmocka_unit_test(test_models_fetch_and_cache),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
