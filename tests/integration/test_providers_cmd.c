/* test_providers_cmd: `cherry providers test NAME [MODEL]` through the fake provider:
 * every step passing, a refused and a missing key, a model not in the list, a dead
 * port, usage errors; each with its exit status and its one line per step. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "harness.h"
#include "testca.h"

#define CANARY "sk-test-CANARY-7f3a9c1e5b2d4a6f8e0c"

static struct {
	struct fakeprov fp;
	struct fakeprov tls_good, tls_self; /* https: signed by ca; self-signed */
	struct testca ca;
	char dir[64];
	struct testhome home;
	int dead_port;
} G;

static const char *const key_env[] = {
	"FAKE_OPENAI_KEY=" CANARY,
	"FAKE_ANTHROPIC_KEY=" CANARY,
	NULL,
};

/* Two https fake providers: one whose certificate the CA in ca_file signed, one that
 * signed its own. */
static int start_tls(void)
{
	char crt[128], key[128], crt2[128], key2[128];
	snprintf(G.dir, sizeof G.dir, "/tmp/cherry-provtest-XXXXXX");
	if (!mkdtemp(G.dir) || testca_new(&G.ca, G.dir, "ca") < 0 ||
	    testca_issue(&G.ca, G.dir, "good", "IP:127.0.0.1,DNS:localhost", -1, 30) < 0 ||
	    testca_issue(NULL, G.dir, "self", "IP:127.0.0.1,DNS:localhost", -1, 30) < 0)
		return -1;
	snprintf(crt, sizeof crt, "%s/good.crt", G.dir);
	snprintf(key, sizeof key, "%s/good.key", G.dir);
	snprintf(crt2, sizeof crt2, "%s/self.crt", G.dir);
	snprintf(key2, sizeof key2, "%s/self.key", G.dir);
	return fakeprov_start_tls(&G.tls_good, crt, key) < 0 ||
	       fakeprov_start_tls(&G.tls_self, crt2, key2) < 0 ? -1 : 0;
}

static int group_setup(void **state)
{
	(void)state;
	if (fakeprov_start(&G.fp) < 0 || testhome_make(&G.home) < 0 ||
	    (G.dead_port = harness_free_port()) <= 0 || start_tls() < 0)
		return -1;
	char cfg[3072];
	int p = G.fp.port;
	snprintf(cfg, sizeof cfg,
		 "{\"providers\": {\n"
		 "  \"fo\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:%d/v1\","
		 " \"key_env\": \"FAKE_OPENAI_KEY\"},\n"
		 "  \"fa\": {\"kind\": \"anthropic\", \"base_url\": \"http://127.0.0.1:%d\","
		 " \"key_env\": \"FAKE_ANTHROPIC_KEY\"},\n"
		 "  \"fm\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:%d/v1\","
		 " \"key_env\": \"FAKE_OPENAI_KEY\", \"models\": [\"cjk\"]},\n"
		 "  \"fl\": {\"kind\": \"ollama\", \"base_url\": \"http://127.0.0.1:%d\"},\n"
		 "  \"dead\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:%d/v1\","
		 " \"key_env\": \"FAKE_OPENAI_KEY\"},\n"
		 "  \"tok\": {\"kind\": \"openai\", \"base_url\":"
		 " \"http://x:" CANARY "@127.0.0.1:%d/v1\","
		 " \"key_env\": \"FAKE_OPENAI_KEY\"},\n"
		 "  \"ft\": {\"kind\": \"openai\", \"base_url\": \"https://127.0.0.1:%d/v1\","
		 " \"key_env\": \"FAKE_OPENAI_KEY\"},\n"
		 "  \"fself\": {\"kind\": \"openai\", \"base_url\": \"https://127.0.0.1:%d/v1\","
		 " \"key_env\": \"FAKE_OPENAI_KEY\"}\n"
		 "}, \"network\": {\"max_retries\": 2, \"connect_timeout\": 5,"
		 " \"ca_file\": \"%s\"}}\n",
		 p, p, p, p, G.dead_port, G.dead_port, G.tls_good.port, G.tls_self.port, G.ca.pem);
	return testhome_write_config(&G.home, cfg);
}

static int group_teardown(void **state)
{
	(void)state;
	fakeprov_stop(&G.fp);
	fakeprov_stop(&G.tls_good);
	fakeprov_stop(&G.tls_self);
	testca_free(&G.ca);
	if (G.dir[0])
		harness_rm_tree(G.dir);
	testhome_remove(&G.home);
	return 0;
}

/* cherry providers test a1 [a2] with env (NULL: the keys above). */
static void provtest(struct run *r, const char *a1, const char *a2, const char *const *env)
{
	const char *args[] = {"providers", "test", a1, a2, NULL};
	assert_int_equal(fakeprov_clear_log(&G.fp), 0);
	assert_int_equal(run_cherry(r, &G.home, args, env ? env : key_env, NULL, 20000), 0);
}

/* The line of step name in r's stdout, whose verdict is verdict and which holds text. */
static void expect_step(const struct run *r, const char *name, const char *verdict,
			const char *text)
{
	char head[32];
	snprintf(head, sizeof head, "%-7s  %-4s  ", name, verdict);
	const char *line = strstr(r->out, head);
	if (!line || (line != r->out && line[-1] != '\n'))
		fail_msg("no \"%s\" line in:\n%s", head, r->out);
	const char *end = strchr(line, '\n');
	assert_non_null(end);
	if (text && !harness_mem_find(line, (size_t)(end - line), text, strlen(text)))
		fail_msg("\"%s\" line lacks \"%s\":\n%s", name, text, r->out);
}

static int has_step(const struct run *r, const char *name)
{
	char head[16];
	snprintf(head, sizeof head, "%-7s  ", name);
	return strstr(r->out, head) != NULL;
}

static void test_all_pass(void **state)
{
	(void)state;
	struct run r;
	provtest(&r, "fo", "hello", NULL);
	assert_int_equal(r.status, 0);
	expect_step(&r, "DNS", "skip", "127.0.0.1 is an address");
	expect_step(&r, "connect", "ok", "127.0.0.1:");
	expect_step(&r, "TLS", "skip", "plain http to this machine");
	expect_step(&r, "auth", "ok", "5 models (key from FAKE_OPENAI_KEY)");
	expect_step(&r, "model", "ok", "hello is in the list");
	expect_step(&r, "chat", "ok", "\"Hello from fake openai!\"");
	assert_null(strstr(r.out, CANARY));
	assert_int_equal(r.err_len, 0);
	/* one list GET with the key, one chat request asking for one token */
	json_t *reqs = fakeprov_requests(&G.fp);
	assert_int_equal(json_array_size(reqs), 2);
	json_t *list = json_array_get(reqs, 0), *chat = json_array_get(reqs, 1);
	assert_string_equal(json_string_value(json_object_get(list, "method")), "GET");
	assert_string_equal(json_string_value(json_object_get(list, "path")), "/v1/models");
	assert_string_equal(request_header(list, "authorization"), "Bearer " CANARY);
	assert_string_equal(json_string_value(json_object_get(chat, "path")),
			    "/v1/chat/completions");
	json_t *body = json_object_get(chat, "body");
	assert_string_equal(json_string_value(json_object_get(body, "model")), "hello");
	json_t *limit = json_object_get(body, "max_completion_tokens");
	if (!limit)
		limit = json_object_get(body, "max_tokens");
	assert_int_equal(json_integer_value(limit), 1);
	json_decref(reqs);
	run_free(&r);

	/* other kinds, and the model chosen when none is named */
	provtest(&r, "fa", "hello", NULL);
	assert_int_equal(r.status, 0);
	expect_step(&r, "chat", "ok", "Hello from fake anthropic!");
	run_free(&r);
	provtest(&r, "fm", NULL, NULL);
	assert_int_equal(r.status, 0);
	expect_step(&r, "model", "ok", "cjk (the first configured) is in the list");
	run_free(&r);
	provtest(&r, "fl", NULL, NULL);
	assert_int_equal(r.status, 0);
	expect_step(&r, "auth", "ok", "no key needed");
	expect_step(&r, "model", "ok", "hello (the first listed)");
	expect_step(&r, "chat", "ok", "Hello from fake ollama!");
	run_free(&r);
}

static void test_bad_key(void **state)
{
	(void)state;
	static const char *const bad[] = {"FAKE_OPENAI_KEY=sk-test-0123456789-refused",
					  "FAKE_ANTHROPIC_KEY=sk-ant-0123456789-refused", NULL};
	struct run r;
	provtest(&r, "fo", "hello", bad);
	assert_int_equal(r.status, 4);
	expect_step(&r, "auth", "FAIL", "401");
	assert_false(has_step(&r, "model"));
	assert_false(has_step(&r, "chat"));
	assert_null(strstr(r.out, "0123456789-refused"));
	assert_int_equal(fakeprov_count(&G.fp), 1);
	run_free(&r);
	provtest(&r, "fa", "hello", bad);
	assert_int_equal(r.status, 4);
	expect_step(&r, "auth", "FAIL", "invalid x-api-key");
	run_free(&r);

	/* no key at all: nothing is sent */
	static const char *const none[] = {"FAKE_OPENAI_KEY", NULL};
	provtest(&r, "fo", "hello", none);
	assert_int_equal(r.status, 4);
	expect_step(&r, "auth", "FAIL", "FAKE_OPENAI_KEY");
	assert_int_equal(fakeprov_count(&G.fp), 0);
	run_free(&r);
}

static void test_model_not_listed(void **state)
{
	(void)state;
	struct run r;
	provtest(&r, "fo", "e404", NULL);
	assert_int_equal(r.status, 3);
	expect_step(&r, "model", "warn", "e404 is not in the list of 5");
	expect_step(&r, "chat", "FAIL", "404");
	run_free(&r);
	/* a provider error with retries allowed is still one request: a test shows it */
	provtest(&r, "fo", "e500", NULL);
	assert_int_equal(r.status, 3);
	expect_step(&r, "chat", "FAIL", "500");
	assert_int_equal(fakeprov_count(&G.fp), 2);
	run_free(&r);
	/* not listed but answering: the chat decides */
	provtest(&r, "fo", "fo/hello+split", NULL);
	assert_int_equal(r.status, 0);
	expect_step(&r, "model", "warn", "hello+split is not in the list");
	expect_step(&r, "chat", "ok", "Hello from fake openai!");
	run_free(&r);
}

static void test_output_is_sanitised(void **state)
{
	(void)state;
	struct run r;
	provtest(&r, "fo", "escapes", NULL);
	assert_int_equal(r.status, 0);
	expect_step(&r, "chat", "ok", "escapes answered");
	assert_null(memchr(r.out, 0x1b, r.out_len));
	assert_null(strstr(r.out, "\xc2\x9b"));
	run_free(&r);
}

/* A token someone put in a base URL's credentials (config refuses a query) is not shown by the
 * list, nor by the error line of a request that cannot reach it. */
static void test_url_tokens_hidden(void **state)
{
	(void)state;
	struct run r;
	const char *list[] = {"providers", NULL};
	assert_int_equal(run_cherry(&r, &G.home, list, key_env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	if (!strstr(r.out, "http://\xe2\x80\xa6@127.0.0.1:"))
		fail_msg("the tok row is not shown with its token hidden:\n%s", r.out);
	assert_null(strstr(r.out, "CANARY"));
	assert_null(strstr(r.err, "CANARY"));
	run_free(&r);

	const char *ask[] = {"ask", "--no-save", "-m", "tok/hello", "hi", NULL};
	assert_int_equal(run_cherry(&r, &G.home, ask, key_env, NULL, 20000), 0);
	assert_int_equal(r.status, 3);
	if (!strstr(r.err, "cannot reach http://\xe2\x80\xa6@127.0.0.1:"))
		fail_msg("exit %d, no \"cannot reach\" line naming the URL:\n%s", r.status, r.err);
	assert_null(strstr(r.out, "CANARY"));
	assert_null(strstr(r.err, "CANARY"));
	run_free(&r);
}

static void test_dead_port(void **state)
{
	(void)state;
	struct run r;
	provtest(&r, "dead", "hello", NULL);
	assert_int_equal(r.status, 3);
	expect_step(&r, "DNS", "skip", NULL);
	expect_step(&r, "connect", "FAIL", "cannot connect to 127.0.0.1:");
	assert_false(has_step(&r, "auth"));
	assert_false(has_step(&r, "chat"));
	run_free(&r);
}

static void test_tls(void **state)
{
	(void)state;
	struct run r;
	provtest(&r, "ft", "hello", NULL);
	if (r.status != 0)
		fail_msg("exit %d:\n%s%s", r.status, r.out, r.err);
	expect_step(&r, "TLS", "ok", "the certificate for 127.0.0.1 is verified");
	expect_step(&r, "chat", "ok", "Hello from fake openai!");
	run_free(&r);
	/* a certificate nobody vouches for: refused before a request (or the key) is sent */
	assert_int_equal(fakeprov_clear_log(&G.tls_self), 0);
	provtest(&r, "fself", "hello", NULL);
	assert_int_equal(r.status, 3);
	expect_step(&r, "connect", "ok", NULL);
	expect_step(&r, "TLS", "FAIL", "the certificate was refused");
	assert_false(has_step(&r, "auth"));
	assert_int_equal(fakeprov_count(&G.tls_self), 0);
	run_free(&r);
}

static void test_usage(void **state)
{
	(void)state;
	struct run r;
	const char *cases[][6] = {
		{"providers", "test", NULL},
		{"providers", "test", "nosuch", NULL},
		{"providers", "test", "fo", "hello", "extra", NULL},
		{"providers", "bogus", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		assert_int_equal(run_cherry(&r, &G.home, cases[i], key_env, NULL, 20000), 0);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "cherry: "));
		assert_int_equal(r.out_len, 0);
		run_free(&r);
	}
	const char *help[] = {"providers", "--help", NULL};
	assert_int_equal(run_cherry(&r, &G.home, help, key_env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "providers [test NAME [MODEL]]"));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_pass),
		cmocka_unit_test(test_bad_key),
		cmocka_unit_test(test_model_not_listed),
		cmocka_unit_test(test_output_is_sanitised),
		cmocka_unit_test(test_url_tokens_hidden),
		cmocka_unit_test(test_dead_port),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
