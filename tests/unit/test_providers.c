/* test_providers: the rules every preset keeps, OLLAMA_HOST forms, kinds and PROVIDER/MODEL splitting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cherry/app.h"
#include "cherry/buf.h"
#include "cherry/providers.h"
#include "presets.h"

/* The fake environment: only OLLAMA_HOST, set per test. */
static const char *fake_ollama_host;

static char *fake_getenv(const char *name)
{
	if (strcmp(name, "OLLAMA_HOST") == 0)
		return (char *)fake_ollama_host;
	return NULL;
}

static int is_local(const char *url)
{
	return strncmp(url, "http://127.0.0.1:", 17) == 0 || strncmp(url, "http://localhost:", 17) == 0;
}

/* The rules every row of the table keeps, whatever rows come and go. */
static void test_every_preset_is_whole(void **state)
{
	(void)state;
	struct provider_list l;
	fake_ollama_host = NULL;
	assert_int_equal(providers_presets(&l, fake_getenv), 0);
	assert_int_equal(l.n, providers_preset_total());
	assert_true(l.n >= 50); /* Cherry Studio's catalogue, less the kinds cherry lacks */
	for (size_t i = 0; i < l.n; i++) {
		const struct provider *p = &l.v[i];
		assert_int_equal(p->preset, 1);
		assert_int_equal(p->configured, 0);
		assert_string_not_equal(wire_kind_name(p->kind), "unknown");
		/* names are unique: the first provider of that name is this one */
		assert_ptr_equal(providers_find(&l, p->name), p);
		/* https, except a server on this machine; NULL only where the user sets it */
		if (p->base_url) {
			if (!p->key_optional || !is_local(p->base_url))
				assert_true(strncmp(p->base_url, "https://", 8) == 0);
			/* joined with paths: never a trailing slash */
			assert_int_not_equal(p->base_url[strlen(p->base_url) - 1], '/');
		} else {
			assert_true(p->kind == WIRE_AZURE || strcmp(p->name, "gpustack") == 0);
		}
		if (p->key_optional)
			assert_true(p->base_url && is_local(p->base_url));
		else
			assert_true(p->key_env || p->key_command);
		/* a policy URL, or the mark that none could be verified */
		if (p->policy_url)
			assert_true(strncmp(p->policy_url, "https://", 8) == 0);
		else
			assert_true(p->unverified & PROVIDER_UNVERIFIED_POLICY);
		if (p->unverified & PROVIDER_UNVERIFIED_KEY_ENV)
			assert_non_null(p->key_env);
		if (p->anthropic_url)
			assert_true(strncmp(p->anthropic_url, "https://", 8) == 0);
		assert_true(p->ndefault_models <= PROVIDERS_MAX_DEFAULT_MODELS);
		for (size_t m = 0; m < p->ndefault_models; m++) {
			assert_true(p->default_models[m][0] != '\0');
			for (size_t o = 0; o < m; o++)
				assert_string_not_equal(p->default_models[m], p->default_models[o]);
		}
		/* presets name no config models; only config does */
		assert_int_equal(p->nmodels, 0);
		assert_int_equal(p->nheaders, 0);
		if (p->kind == WIRE_AZURE)
			assert_string_equal(p->api_version, PROVIDERS_AZURE_API_VERSION);
		else
			assert_null(p->api_version);
	}
	assert_null(providers_find(&l, "nope"));
	providers_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
}

/* The open questions of the first round stay marked until a primary source answers. */
static void test_open_questions_stay_marked(void **state)
{
	(void)state;
	struct provider_list l;
	assert_int_equal(providers_presets(&l, NULL), 0);
	const struct provider *z = providers_find(&l, "zhipu");
	assert_non_null(z);
	assert_null(z->policy_url);
	assert_int_equal(z->unverified, PROVIDER_UNVERIFIED_KEY_ENV | PROVIDER_UNVERIFIED_POLICY);
	assert_true(providers_find(&l, "siliconflow")->unverified & PROVIDER_UNVERIFIED_KEY_ENV);
	/* both hosts of the providers that run a China and an international platform */
	assert_non_null(strstr(providers_find(&l, "dashscope")->base_url, "dashscope-intl."));
	assert_non_null(strstr(providers_find(&l, "dashscope-cn")->base_url, "//dashscope."));
	assert_non_null(strstr(providers_find(&l, "moonshot")->base_url, ".moonshot.ai/"));
	assert_non_null(strstr(providers_find(&l, "moonshot-cn")->base_url, ".moonshot.cn/"));
	/* the checked presets keep their checked facts */
	const struct provider *o = providers_find(&l, "openai");
	assert_int_equal(o->unverified, 0);
	assert_non_null(o->policy_url);
	assert_true(o->ndefault_models >= 3);
	providers_free(&l);
}

/* Each default model resolves as PROVIDER/MODEL to its own provider. */
static void test_defaults_resolve(void **state)
{
	(void)state;
	struct app app;
	memset(&app, 0, sizeof app);
	struct err e = {0, ""};
	assert_int_equal(config_parse(&app.cfg, NULL, 0, "config.json", NULL, NULL, NULL, &e), 0);
	size_t resolved = 0;
	for (size_t i = 0; i < app.cfg.providers.n; i++) {
		const struct provider *p = &app.cfg.providers.v[i];
		for (size_t m = 0; m < p->ndefault_models; m++) {
			char spec[256];
			snprintf(spec, sizeof spec, "%s/%s", p->name, p->default_models[m]);
			struct provider *got = NULL;
			const char *model = NULL;
			if (app_resolve_model(&app, spec, &got, &model, &e) != 0)
				fail_msg("%s: %s", spec, e.msg);
			assert_ptr_equal(got, p);
			assert_string_equal(model, p->default_models[m]);
			resolved++;
		}
	}
	assert_true(resolved > 100);
	config_free(&app.cfg);
}

/* The picker offers a preset's defaults once its key variable is set, and not before. */
static void test_known_models_offer_defaults(void **state)
{
	(void)state;
	setenv("XDG_CACHE_HOME", "/nonexistent/cherry-test-cache", 1);
	unsetenv("OPENAI_API_KEY");
	setenv("DEEPSEEK_API_KEY", "sk-test-deepseek", 1);
	struct app app;
	memset(&app, 0, sizeof app);
	struct err e = {0, ""};
	const char *cfg = "{\"default_model\": \"deepseek/mine\"}";
	assert_int_equal(config_parse(&app.cfg, cfg, strlen(cfg), "config.json", NULL, NULL, NULL,
				      &e), 0);
	char **v;
	size_t n;
	assert_int_equal(app_known_models(&app, &v, &n), 0);
	const struct provider *d = providers_find(&app.cfg.providers, "deepseek");
	assert_int_equal(n, 1 + d->ndefault_models);
	assert_string_equal(v[0], "deepseek/mine");
	assert_string_equal(v[1], "deepseek/deepseek-v4-flash");
	for (size_t i = 0; i < n; i++)
		assert_true(strncmp(v[i], "deepseek/", 9) == 0);
	app_models_free(v, n);
	/* an empty variable is no key */
	setenv("DEEPSEEK_API_KEY", "", 1);
	assert_int_equal(app_known_models(&app, &v, &n), 0);
	assert_int_equal(n, 1);
	app_models_free(v, n);
	unsetenv("DEEPSEEK_API_KEY");
	config_free(&app.cfg);
}

/* The man page's PROVIDERS section lists the presets by kind, checked against the table
 * both ways: every preset is named under its own kind, and every name listed there is a
 * preset of that kind (a renamed or dropped preset cannot linger in the manual). */
static void test_manual_lists_every_preset(void **state)
{
	(void)state;
	const char *path = getenv("CHERRY_MAN_PAGE");
	FILE *f = fopen(path ? path : "man/cherry.1", "r");
	assert_non_null(f);
	static char page[1 << 20];
	size_t n = fread(page, 1, sizeof page - 1, f);
	fclose(f);
	page[n] = '\0';
	char *sec = strstr(page, "\n.Sh PROVIDERS\n");
	assert_non_null(sec);
	char *end = strstr(sec + 1, "\n.Sh ");
	assert_non_null(end);
	*end = '\0';
	char *list = strstr(sec, "The built-in presets, by kind");
	assert_non_null(list);
	list = strstr(list, "\n.Bl ");
	assert_non_null(list);
	char *list_end = strstr(list, "\n.El\n");
	assert_non_null(list_end);
	*list_end = '\0';
	struct provider_list l;
	assert_int_equal(providers_presets(&l, NULL), 0);
	size_t named = 0;
	/* each item: ".It Cm KIND\n" then names separated by ", ", ending in "." */
	for (char *it = strstr(list, "\n.It Cm "); it; it = strstr(it, "\n.It Cm ")) {
		it += 8;
		char *eol = strchr(it, '\n');
		assert_non_null(eol);
		*eol = '\0';
		enum wire_kind kind;
		if (wire_kind_parse(it, &kind) < 0)
			fail_msg("the presets list has an item for \"%s\", not a kind", it);
		char *body = eol + 1;
		char *next = strstr(body, "\n.It ");
		if (next)
			*next = '\0';
		for (char *w = strtok(body, " ,.\n"); w; w = strtok(NULL, " ,.\n")) {
			struct provider *p = providers_find(&l, w);
			if (!p)
				fail_msg("the manual lists %s under %s: no such preset", w, it);
			if (p->kind != kind)
				fail_msg("the manual lists %s under %s, but it is %s", w, it,
					 wire_kind_name(p->kind));
			p->configured = 1; /* seen */
			named++;
		}
		if (!next)
			break;
		*next = '\n';
		it = next;
	}
	for (size_t i = 0; i < l.n; i++)
		if (!l.v[i].configured)
			fail_msg("the PROVIDERS section does not name preset %s", l.v[i].name);
	assert_int_equal(named, l.n);
	providers_free(&l);
}

static void check_base(enum wire_kind kind, const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	buf_append_str(&b, "stale");
	assert_int_equal(providers_base_url(kind, in, &b), 0);
	if (strcmp(b.data ? b.data : "", want) != 0)
		fail_msg("%s \"%s\": got \"%s\", want \"%s\"", wire_kind_name(kind), in,
			 b.data ? b.data : "", want);
	buf_free(&b);
}

/* Cherry Studio's base-URL habits, per kind. */
static void test_base_url_habits(void **state)
{
	(void)state;
	/* openai: a root gets /v1; any version segment keeps the URL as it is */
	check_base(WIRE_OPENAI, "https://x.com", "https://x.com/v1");
	check_base(WIRE_OPENAI, "https://x.com/", "https://x.com/v1");
	check_base(WIRE_OPENAI, "https://x.com//", "https://x.com/v1");
	check_base(WIRE_OPENAI, "https://x.com/v1", "https://x.com/v1");
	check_base(WIRE_OPENAI, "https://x.com/v1/", "https://x.com/v1");
	check_base(WIRE_OPENAI, "https://api.groq.com/openai", "https://api.groq.com/openai/v1");
	check_base(WIRE_OPENAI, "https://open.bigmodel.cn/api/paas/v4/",
		   "https://open.bigmodel.cn/api/paas/v4");
	check_base(WIRE_OPENAI, "https://x.com/v2beta", "https://x.com/v2beta");
	check_base(WIRE_OPENAI, "https://x.com/v1/model", "https://x.com/v1/model");
	check_base(WIRE_OPENAI, "https://x.com:8443", "https://x.com:8443/v1");
	/* not versions: a word starting with v, a bare "v", the host's own name */
	check_base(WIRE_OPENAI, "https://x.com/vendor", "https://x.com/vendor/v1");
	check_base(WIRE_OPENAI, "https://x.com/v", "https://x.com/v/v1");
	check_base(WIRE_OPENAI, "https://v1.x.com", "https://v1.x.com/v1");
	check_base(WIRE_OPENAI, "https://x.com/V1", "https://x.com/V1/v1");
	/* '#': exactly this, whatever the kind */
	check_base(WIRE_OPENAI, "https://api.perplexity.ai#", "https://api.perplexity.ai");
	check_base(WIRE_OPENAI, "https://x.com/raw/#", "https://x.com/raw");
	check_base(WIRE_ANTHROPIC, "https://x.com/v1#", "https://x.com/v1");
	check_base(WIRE_OLLAMA, "http://h:11434/api#", "http://h:11434/api");
	/* the request path carries the version: a copy at the end goes */
	check_base(WIRE_ANTHROPIC, "https://api.anthropic.com", "https://api.anthropic.com");
	check_base(WIRE_ANTHROPIC, "https://api.anthropic.com/v1/", "https://api.anthropic.com");
	check_base(WIRE_ANTHROPIC, "https://x.com/anthropic", "https://x.com/anthropic");
	check_base(WIRE_GEMINI, "https://g.com/v1beta", "https://g.com");
	check_base(WIRE_GEMINI, "https://g.com/v1/", "https://g.com");
	check_base(WIRE_GEMINI, "https://g.com", "https://g.com");
	check_base(WIRE_OLLAMA, "http://h:11434/v1", "http://h:11434");
	check_base(WIRE_OLLAMA, "http://h:11434/api", "http://h:11434");
	check_base(WIRE_OLLAMA, "http://h:11434/api/chat/", "http://h:11434");
	check_base(WIRE_OLLAMA, "http://h:11434/ollama", "http://h:11434/ollama");
	check_base(WIRE_AZURE, "https://r.openai.azure.com/openai/", "https://r.openai.azure.com");
	check_base(WIRE_AZURE, "https://r.openai.azure.com", "https://r.openai.azure.com");
	/* the host is never taken for a path */
	check_base(WIRE_ANTHROPIC, "https://v1", "https://v1");
	check_base(WIRE_OLLAMA, "http://api", "http://api");
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

/* Every preset's default model has a capability row, and no row claims what the
 * table's sources cannot back: no field is "no", a context is positive or unknown. */
static void test_caps_table_covers_default_models(void **state)
{
	(void)state;
	struct provider_list list;
	assert_int_equal(providers_presets(&list, NULL), 0);
	size_t checked = 0;
	for (size_t i = 0; i < list.n; i++) {
		const struct provider *p = &list.v[i];
		for (size_t m = 0; m < p->ndefault_models; m++) {
			int found = 0;
			for (size_t r = 0; r < providers_caps_count; r++)
				found |= strcmp(providers_caps_table[r].model, p->default_models[m]) == 0;
			if (!found)
				fail_msg("%s/%s has no capability row", p->name, p->default_models[m]);
			checked++;
		}
	}
	assert_true(checked > 100);
	for (size_t r = 0; r < providers_caps_count; r++) {
		const struct preset_caps *c = &providers_caps_table[r];
		assert_int_not_equal(c->vision, MODEL_CAP_NO);
		assert_int_not_equal(c->reasoning, MODEL_CAP_NO);
		assert_int_not_equal(c->tools, MODEL_CAP_NO);
		assert_true(c->context >= 0);
	}
	providers_free(&list);
}

/* Groq's and OpenRouter's defaults are models they still serve: none is one they
 * retired (Groq shut the Llama 3 and Gemma ids down, then llama-3.1-8b-instant and
 * llama-3.3-70b-versatile on 2026-08-16; OpenRouter's Gemini 2.5 Flash preview and those
 * :free ids are gone), and they are what presets.c's sources name. (Each resolves, the
 * "~" alias too: test_defaults_resolve.) */
static void test_no_retired_defaults(void **state)
{
	(void)state;
	static const char *const retired[] = {
		"llama3-70b-8192", "llama3-8b-8192", "gemma-9b-it", "gemma2-9b-it",
		"mistral-saba-24b", "mixtral-8x7b-32768", "llama-3.1-8b-instant",
		"llama-3.3-70b-versatile", "google/gemini-2.5-flash-preview",
		"qwen/qwen-2.5-7b-instruct:free", "mistralai/mistral-7b-instruct:free",
		"google/gemma-2-27b-it", "google/gemma-2-9b-it",
		"meta-llama/Llama-3.2-90B-Vision-Instruct-Turbo",
		"meta-llama/Llama-3.2-11B-Vision-Instruct-Turbo", "gemini-3-pro-preview",
		"zai-glm-4.6", "qwen-3-235b-a22b-instruct-2507",
	};
	/* retired by one provider only (Vertex AI and the relays keep their own dates) */
	static const struct { const char *provider, *model; } retired_at[] = {
		{"gemini", "gemini-2.5-pro"}, {"gemini", "gemini-2.5-flash"},
		{"together", "openai/gpt-oss-20b"}, {"together", "moonshotai/Kimi-K2.6"},
	};
	struct provider_list list;
	assert_int_equal(providers_presets(&list, NULL), 0);
	for (size_t i = 0; i < list.n; i++)
		for (size_t m = 0; m < list.v[i].ndefault_models; m++) {
			const char *model = list.v[i].default_models[m];
			for (size_t r = 0; r < sizeof retired / sizeof *retired; r++)
				if (!strcmp(model, retired[r]))
					fail_msg("%s/%s was retired by its provider", list.v[i].name,
						 retired[r]);
			for (size_t r = 0; r < sizeof retired_at / sizeof *retired_at; r++)
				if (!strcmp(list.v[i].name, retired_at[r].provider) &&
				    !strcmp(model, retired_at[r].model))
					fail_msg("%s/%s was retired by its provider", list.v[i].name,
						 model);
		}
	static const char *const groq[] = {"openai/gpt-oss-120b", "openai/gpt-oss-20b"};
	static const char *const openrouter[] = {"~anthropic/claude-sonnet-latest",
						 "openai/gpt-oss-120b",
						 "deepseek/deepseek-v4-flash"};
	const struct provider *g = providers_find(&list, "groq");
	const struct provider *o = providers_find(&list, "openrouter");
	assert_int_equal(g->ndefault_models, 2);
	for (size_t m = 0; m < 2; m++)
		assert_string_equal(g->default_models[m], groq[m]);
	assert_int_equal(o->ndefault_models, 3);
	for (size_t m = 0; m < 3; m++)
		assert_string_equal(o->default_models[m], openrouter[m]);
	providers_free(&list);
}

/* The accessor: table rows for known models, everything unknown for others. */
static void test_caps_lookup(void **state)
{
	(void)state;
	struct provider_list list;
	assert_int_equal(providers_presets(&list, NULL), 0);
	struct model_caps c;
	const struct provider *openai = providers_find(&list, "openai");
	assert_int_equal(providers_caps(openai, "gpt-5", &c),
			 MODEL_CAPS_VISION | MODEL_CAPS_REASONING | MODEL_CAPS_TOOLS);
	assert_int_equal(c.vision, MODEL_CAP_YES);
	assert_int_equal(c.context, 0);
	/* a window the provider's own model page states */
	assert_int_equal(providers_caps(providers_find(&list, "groq"), "openai/gpt-oss-20b", &c),
			 MODEL_CAPS_REASONING | MODEL_CAPS_TOOLS | MODEL_CAPS_CONTEXT);
	assert_int_equal(c.context, 131072);
	assert_int_equal(c.vision, MODEL_CAP_UNKNOWN);
	/* The same model under no provider still finds its any-provider row. */
	assert_int_equal(providers_caps(NULL, "deepseek-reasoner", &c),
			 MODEL_CAPS_REASONING | MODEL_CAPS_TOOLS);
	/* Unknown models and a NULL model: nothing known, every field unknown. */
	assert_int_equal(providers_caps(openai, "no-such-model", &c), 0);
	assert_int_equal(c.vision, MODEL_CAP_UNKNOWN);
	assert_int_equal(c.reasoning, MODEL_CAP_UNKNOWN);
	assert_int_equal(c.tools, MODEL_CAP_UNKNOWN);
	assert_int_equal(c.context, 0);
	assert_int_equal(providers_caps(openai, NULL, &c), 0);
	/* Ids are matched exactly: case matters to providers. */
	assert_int_equal(providers_caps(openai, "GPT-5", &c), 0);
	providers_free(&list);
}

int main(void)
{
	if (sodium_init() < 0) /* as cherry's start does: a key looked at is a secret */
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_preset_is_whole),
		cmocka_unit_test(test_open_questions_stay_marked),
		cmocka_unit_test(test_defaults_resolve),
		cmocka_unit_test(test_known_models_offer_defaults),
		cmocka_unit_test(test_manual_lists_every_preset),
		cmocka_unit_test(test_base_url_habits),
		cmocka_unit_test(test_ollama_host),
		cmocka_unit_test(test_null_env_means_no_environment),
		cmocka_unit_test(test_wire_kinds),
		cmocka_unit_test(test_model_spec_split),
		cmocka_unit_test(test_add_and_find),
		cmocka_unit_test(test_caps_table_covers_default_models),
		cmocka_unit_test(test_caps_lookup),
		cmocka_unit_test(test_no_retired_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
