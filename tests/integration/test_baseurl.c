/* test_baseurl: base URLs written the way Cherry Studio users write them (a root, a
 * versioned path, a trailing '#') reach the exact request path, for every kind, through
 * the real binary and the fake provider. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness.h"

static struct fakeprov fp;
static struct testhome home;

/* name, kind, the path after http://127.0.0.1:PORT in base_url, the path requested */
static const struct {
	const char *name, *kind, *base_path, *want;
} cases[] = {
	{"o-root", "openai", "", "/v1/chat/completions"},
	{"o-slash", "openai", "/", "/v1/chat/completions"},
	{"o-prefix", "openai", "/openai", "/openai/v1/chat/completions"},
	{"o-v4", "openai", "/api/paas/v4/", "/api/paas/v4/chat/completions"},
	{"o-v2beta", "openai", "/x/v2beta", "/x/v2beta/chat/completions"},
	{"o-exact", "openai", "/raw#", "/raw/chat/completions"},
	{"o-exact-root", "openai", "#", "/chat/completions"},
	{"a-root", "anthropic", "", "/v1/messages"},
	{"a-prefix", "anthropic", "/anthropic", "/anthropic/v1/messages"},
	{"a-v1", "anthropic", "/anthropic/v1/", "/anthropic/v1/messages"},
	{"g-v1beta", "gemini", "/v1beta", "/v1beta/models/hello:streamGenerateContent?alt=sse"},
	{"g-prefix", "gemini", "/google/", "/google/v1beta/models/hello:streamGenerateContent?alt=sse"},
	{"l-v1", "ollama", "/v1", "/api/chat"},
	{"l-api", "ollama", "/api/", "/api/chat"},
	{"z-openai", "azure", "/openai",
	 "/openai/deployments/hello/chat/completions?api-version=2024-10-21"},
};
#define NCASES (sizeof cases / sizeof cases[0])

static int group_setup(void **state)
{
	(void)state;
	if (fakeprov_start(&fp) < 0 || testhome_make(&home) < 0)
		return -1;
	json_t *provs = json_object();
	for (size_t i = 0; i < NCASES; i++) {
		char url[300];
		snprintf(url, sizeof url, "http://127.0.0.1:%d%s", fp.port, cases[i].base_path);
		json_object_set_new(provs, cases[i].name,
				    json_pack("{s:s, s:s, s:s}", "kind", cases[i].kind, "base_url",
					      url, "key_env", "FAKE_KEY"));
	}
	json_t *root = json_pack("{s:o, s:{s:i}}", "providers", provs, "network",
				 "max_retries", 0);
	char *text = json_dumps(root, 0);
	json_decref(root);
	int r = text ? testhome_write_config(&home, text) : -1;
	free(text);
	return r;
}

static int group_teardown(void **state)
{
	(void)state;
	fakeprov_stop(&fp);
	testhome_remove(&home);
	return 0;
}

static void test_request_paths(void **state)
{
	(void)state;
	static const char *const env[] = {"FAKE_KEY=sk-test-baseurl", NULL};
	for (size_t i = 0; i < NCASES; i++) {
		char model[64];
		snprintf(model, sizeof model, "%s/hello", cases[i].name);
		const char *args[] = {"ask", "-m", model, "hi", NULL};
		struct run r;
		assert_int_equal(fakeprov_clear_log(&fp), 0);
		assert_int_equal(run_cherry(&r, &home, args, env, NULL, 20000), 0);
		if (r.status != 0)
			fail_msg("%s: status %d: %s", model, r.status, r.err);
		run_free(&r);
		json_t *req = fakeprov_last_request(&fp);
		assert_non_null(req);
		const char *path = json_string_value(json_object_get(req, "path"));
		if (!path || strcmp(path, cases[i].want) != 0)
			fail_msg("%s (base ...%s): requested %s, want %s", cases[i].name,
				 cases[i].base_path, path ? path : "(none)", cases[i].want);
		json_decref(req);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_paths),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
