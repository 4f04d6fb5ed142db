/* test_providers: the preset table, OLLAMA_HOST forms, kinds and PROVIDER/MODEL splitting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cherry/providers.h"

/* The fake environment: only OLLAMA_HOST, set per test. */
static const char *fake_ollama_host;

static char *fake_getenv(const char *name)
{
	if (strcmp(name, "OLLAMA_HOST") == 0)
		return (char *)fake_ollama_host;
	return NULL;
}

static const struct {
	const char *name;
	enum wire_kind kind;
	const char *base_url;
	const char *key_env;
	int key_optional;
} expected[] = {
	{"openai", WIRE_OPENAI, "https://api.openai.com/v1", "OPENAI_API_KEY", 0},
	{"anthropic", WIRE_ANTHROPIC, "https://api.anthropic.com", "ANTHROPIC_API_KEY", 0},
	{"gemini", WIRE_GEMINI, "https://generativelanguage.googleapis.com", "GEMINI_API_KEY", 0},
	{"ollama", WIRE_OLLAMA, "http://127.0.0.1:11434", NULL, 1},
	{"deepseek", WIRE_OPENAI, "https://api.deepseek.com", "DEEPSEEK_API_KEY", 0},
	{"openrouter", WIRE_OPENAI, "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", 0},
	{"groq", WIRE_OPENAI, "https://api.groq.com/openai/v1", "GROQ_API_KEY", 0},
	{"mistral", WIRE_OPENAI, "https://api.mistral.ai/v1", "MISTRAL_API_KEY", 0},
	{"xai", WIRE_OPENAI, "https://api.x.ai/v1", "XAI_API_KEY", 0},
	{"together", WIRE_OPENAI, "https://api.together.ai/v1", "TOGETHER_API_KEY", 0},
	{"siliconflow", WIRE_OPENAI, "https://api.siliconflow.cn/v1", "SILICONFLOW_API_KEY", 0},
	{"moonshot", WIRE_OPENAI, "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY", 0},
	{"dashscope", WIRE_OPENAI, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
	 "DASHSCOPE_API_KEY", 0},
	{"zhipu", WIRE_OPENAI, "https://open.bigmodel.cn/api/paas/v4", "ZHIPUAI_API_KEY", 0},
	{"lmstudio", WIRE_OPENAI, "http://127.0.0.1:1234/v1", NULL, 1},
	{"azure", WIRE_AZURE, NULL, "AZURE_OPENAI_API_KEY", 0},
};
#define NEXPECTED (sizeof expected / sizeof expected[0])

static void test_every_preset(void **state)
{
	(void)state;
	struct provider_list l;
	fake_ollama_host = NULL;
	assert_int_equal(providers_presets(&l, fake_getenv), 0);
	assert_int_equal(l.n, NEXPECTED);
	for (size_t i = 0; i < NEXPECTED; i++) {
		struct provider *p = providers_find(&l, expected[i].name);
		assert_non_null(p);
		assert_string_equal(p->name, expected[i].name);
		assert_int_equal(p->kind, expected[i].kind);
		assert_int_equal(p->preset, 1);
		assert_int_equal(p->key_optional, expected[i].key_optional);
		if (expected[i].base_url)
			assert_string_equal(p->base_url, expected[i].base_url);
		else
			assert_null(p->base_url);
		if (expected[i].key_env)
			assert_string_equal(p->key_env, expected[i].key_env);
		else
			assert_null(p->key_env);
		/* Zhipu's privacy policy URL could not be verified, so it is not claimed. */
		if (strcmp(p->name, "zhipu") == 0) {
			assert_null(p->policy_url);
		} else {
			assert_non_null(p->policy_url);
			assert_true(strncmp(p->policy_url, "https://", 8) == 0);
		}
		/* Base URLs are joined with paths: never a trailing slash. */
		if (p->base_url)
			assert_int_not_equal(p->base_url[strlen(p->base_url) - 1], '/');
		assert_int_equal(p->nmodels, 0);
		assert_int_equal(p->nheaders, 0);
		if (p->kind == WIRE_AZURE)
			assert_string_equal(p->api_version, "2024-10-21");
		else
			assert_null(p->api_version);
	}
	assert_null(providers_find(&l, "nope"));
	providers_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
}

static void check_ollama(const char *env, const char *want)
{
	struct provider_list l;
	fake_ollama_host = env;
	assert_int_equal(providers_presets(&l, fake_getenv), 0);
	struct provider *p = providers_find(&l, "ollama");
	assert_non_null(p);
	if (strcmp(p->base_url, want) != 0)
		fail_msg("OLLAMA_HOST=\"%s\": got %s, want %s", env ? env : "(unset)", p->base_url,
			 want);
	providers_free(&l);
}

static void test_ollama_host(void **state)
{
	(void)state;
	check_ollama(NULL, "http://127.0.0.1:11434");
	check_ollama("", "http://127.0.0.1:11434");
	check_ollama("   ", "http://127.0.0.1:11434");
	check_ollama("0.0.0.0", "http://127.0.0.1:11434");
	check_ollama("0.0.0.0:12345", "http://127.0.0.1:12345");
	check_ollama("127.0.0.1:11434", "http://127.0.0.1:11434");
	check_ollama("myhost", "http://myhost:11434");
	check_ollama("myhost:8080", "http://myhost:8080");
	check_ollama("box.lan", "http://box.lan:11434");
	check_ollama(":11500", "http://127.0.0.1:11500");
	check_ollama("http://myhost:8080", "http://myhost:8080");
	check_ollama("http://myhost", "http://myhost:80");
	check_ollama("https://example.com", "https://example.com:443");
	check_ollama("HTTPS://example.com:8443/", "https://example.com:8443");
	check_ollama("https://example.com/ollama/", "https://example.com:443/ollama");
	check_ollama("http://0.0.0.0:11434", "http://127.0.0.1:11434");
	check_ollama("[::1]:11434", "http://[::1]:11434");
	check_ollama("[::1]", "http://[::1]:11434");
	check_ollama("::", "http://[::1]:11434");
	check_ollama("[::]:9000", "http://[::1]:9000");
	check_ollama("::1", "http://[::1]:11434");
	check_ollama(" \"myhost:1234\" ", "http://myhost:1234");
	check_ollama("'myhost'", "http://myhost:11434");
	check_ollama("myhost:", "http://myhost:11434");
	check_ollama("myhost:notaport", "http://myhost:11434");
	check_ollama("myhost:70000", "http://myhost:11434");
	check_ollama("myhost:0", "http://myhost:11434");
	check_ollama("ollama.com", "https://ollama.com:443");
	/* Not a host at all, or a scheme cherry cannot use: the default. */
	check_ollama("ftp://myhost", "http://127.0.0.1:11434");
	check_ollama("user@evil:1", "http://127.0.0.1:11434");
	check_ollama("a b", "http://127.0.0.1:11434");
	check_ollama("[::1", "http://127.0.0.1:11434");
	check_ollama("http://myhost/a b", "http://127.0.0.1:11434");
	check_ollama("http://myhost/x?y", "http://127.0.0.1:11434");
}

/* The module never reads the real environment: without a lookup it sees none. */
static void test_null_env_means_no_environment(void **state)
{
	(void)state;
	assert_int_equal(setenv("OLLAMA_HOST", "envhost:1111", 1), 0);
	struct provider_list l;
	assert_int_equal(providers_presets(&l, NULL), 0);
	unsetenv("OLLAMA_HOST");
	assert_string_equal(providers_find(&l, "ollama")->base_url, "http://127.0.0.1:11434");
	providers_free(&l);
}

static void test_wire_kinds(void **state)
{
	(void)state;
	static const char *const names[] = {"openai", "anthropic", "gemini", "ollama", "azure"};
	static const enum wire_kind kinds[] = {WIRE_OPENAI, WIRE_ANTHROPIC, WIRE_GEMINI,
					       WIRE_OLLAMA, WIRE_AZURE};
	for (size_t i = 0; i < 5; i++) {
		enum wire_kind k = (enum wire_kind)99;
		assert_string_equal(wire_kind_name(kinds[i]), names[i]);
		assert_int_equal(wire_kind_parse(names[i], &k), 0);
		assert_int_equal(k, kinds[i]);
	}
	enum wire_kind k = WIRE_GEMINI;
	assert_int_equal(wire_kind_parse("OpenAI", &k), -1);
	assert_int_equal(wire_kind_parse("", &k), -1);
	assert_int_equal(wire_kind_parse("openai ", &k), -1);
	assert_int_equal(wire_kind_parse(NULL, &k), -1);
	assert_int_equal(k, WIRE_GEMINI);
	assert_string_equal(wire_kind_name((enum wire_kind)42), "unknown");
}

static void test_model_spec_split(void **state)
{
	(void)state;
	const char *prov = NULL, *model = NULL;
	size_t plen = 0;
	const char *spec = "openrouter/anthropic/claude-3.5-sonnet";
	assert_int_equal(model_spec_split(spec, &prov, &plen, &model), 0);
	assert_ptr_equal(prov, spec);
	assert_int_equal(plen, 10);
	assert_memory_equal(prov, "openrouter", 10);
	assert_string_equal(model, "anthropic/claude-3.5-sonnet");
	assert_ptr_equal(model, spec + 11);

	assert_int_equal(model_spec_split("ollama/llama3.2:3b", &prov, &plen, &model), 0);
	assert_int_equal(plen, 6);
	assert_string_equal(model, "llama3.2:3b");

	assert_int_equal(model_spec_split("a/b", &prov, &plen, &model), 0);
	assert_int_equal(plen, 1);
	assert_string_equal(model, "b");

	assert_int_equal(model_spec_split("gpt-4o", &prov, &plen, &model), -1);
	assert_int_equal(model_spec_split("/gpt-4o", &prov, &plen, &model), -1);
	assert_int_equal(model_spec_split("openai/", &prov, &plen, &model), -1);
	assert_int_equal(model_spec_split("", &prov, &plen, &model), -1);
	assert_int_equal(model_spec_split("/", &prov, &plen, &model), -1);
	assert_int_equal(model_spec_split(NULL, &prov, &plen, &model), -1);
}

static void test_add_and_find(void **state)
{
	(void)state;
	struct provider_list l = {NULL, 0};
	struct provider *a = providers_add(&l, "work");
	assert_non_null(a);
	assert_string_equal(a->name, "work");
	assert_null(a->base_url);
	assert_int_equal(a->preset, 0);
	assert_int_equal(l.n, 1);
	a->base_url = strdup("https://llm.example.com/v1");
	struct provider *b = providers_add(&l, "home");
	assert_non_null(b);
	assert_int_equal(l.n, 2);
	/* Adding an existing name returns it unchanged. */
	struct provider *again = providers_add(&l, "work");
	assert_int_equal(l.n, 2);
	assert_string_equal(again->base_url, "https://llm.example.com/v1");
	assert_ptr_equal(providers_find(&l, "home"), &l.v[1]);
	providers_free(&l);
	providers_free(&l); /* twice is harmless */
	providers_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_preset),
		cmocka_unit_test(test_ollama_host),
		cmocka_unit_test(test_null_env_means_no_environment),
		cmocka_unit_test(test_wire_kinds),
		cmocka_unit_test(test_model_spec_split),
		cmocka_unit_test(test_add_and_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
