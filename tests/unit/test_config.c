/* test_config: config.json parsing, defaults, overrides, warnings and exact error lines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cherry/config.h"

#include "harness.h"

#define NPRESETS providers_preset_total()

/* ---- warnings collected from the parser ---- */

struct warnings {
	int n;
	char line[16][1024];
};

static void collect(void *ctx, const char *line)
{
	struct warnings *w = ctx;
	if (w->n < 16)
		snprintf(w->line[w->n], sizeof w->line[0], "%s", line);
	w->n++;
}

/* ---- the fake environment: only OLLAMA_HOST, set per test ---- */

static const char *fake_ollama_host;

static const char *fake_aws_region; /* AWS_REGION; NULL: unset */

static char *fake_env(const char *name)
{
	if (strcmp(name, "OLLAMA_HOST") == 0)
		return (char *)fake_ollama_host;
	if (strcmp(name, "AWS_REGION") == 0)
		return (char *)fake_aws_region;
	return NULL;
}

static int parse(struct config *c, const char *text, struct warnings *w, struct err *e)
{
	memset(w, 0, sizeof *w);
	err_clear(e);
	return config_parse(c, text, strlen(text), "config.json", fake_env, collect, w, e);
}

static int all_zero(const struct config *c)
{
	static const struct config zero;
	return memcmp(c, &zero, sizeof zero) == 0;
}

/* ---- defaults ---- */

static void check_defaults(const struct config *c)
{
	assert_int_equal(c->providers.n, NPRESETS);
	assert_null(c->default_model);
	assert_int_equal(c->nfavorites, 0);
	assert_null(c->assistants);
	assert_null(c->keys);
	assert_null(c->ui);
	assert_true(c->connect_timeout == 15.0);
	assert_true(c->stall_timeout == 120.0);
	assert_int_equal(c->max_retries, 2);
	assert_null(c->ca_file);
	assert_null(c->passphrase_command);
	assert_int_equal(c->telemetry_enabled, 0);
	assert_null(c->telemetry_endpoint);
	assert_non_null(providers_find(&c->providers, "openai"));
	assert_non_null(providers_find(&c->providers, "azure"));
}

static void test_defaults(void **state)
{
	(void)state;
	struct config c;
	assert_int_equal(config_defaults(&c, NULL), 0);
	check_defaults(&c);
	assert_null(c.path);
	config_free(&c);
	assert_true(all_zero(&c));
	config_free(&c); /* twice is harmless */
}

static void test_empty_object(void **state)
{
	(void)state;
	struct config c;
	struct warnings w;
	struct err e;
	assert_int_equal(parse(&c, "{}", &w, &e), 0);
	check_defaults(&c);
	assert_int_equal(w.n, 0);
	assert_int_equal(e.code, 0);
	config_free(&c);

	/* A file of whitespace only counts as empty, as does no text at all. */
	assert_int_equal(parse(&c, " \n\t\r\n", &w, &e), 0);
	check_defaults(&c);
	config_free(&c);
	assert_int_equal(parse(&c, "", &w, &e), 0);
	check_defaults(&c);
	config_free(&c);
	assert_int_equal(config_parse(&c, NULL, 0, "config.json", NULL, NULL, NULL, &e), 0);
	check_defaults(&c);
	config_free(&c);
}

/* ---- the example of PRODUCT §3 ---- */

static const char product_example[] =
	"{\n"
	"  \"default_model\": \"openai/gpt-4o-mini\",\n"
	"  \"favorites\": [\"openai/gpt-4o-mini\", \"anthropic/claude-sonnet-4-5\", "
	"\"ollama/llama3.2\"],\n"
	"  \"providers\": {\n"
	"    \"work\": {\"kind\": \"openai\", \"base_url\": \"https://llm.example.com/v1\",\n"
	"             \"key_env\": \"WORK_LLM_KEY\", \"models\": [\"m1\", \"m2\"],\n"
	"             \"headers\": {\"X-Team\": \"a\"}},\n"
	"    \"openai\": {\"models\": [\"gpt-4.1\", \"o4-mini\"]}\n"
	"  },\n"
	"  \"assistants\": {\"coder\": {\"system\": \"You are a careful C reviewer. Today is "
	"{{date}}.\",\n"
	"                           \"model\": \"anthropic/claude-sonnet-4-5\", \"temperature\": "
	"0.2}},\n"
	"  \"keys\": {\"model_picker\": \"C-o\"},\n"
	"  \"ui\": {\"markdown\": true, \"show_reasoning\": true, \"sidebar\": true},\n"
	"  \"network\": {\"connect_timeout\": 15, \"stall_timeout\": 120, \"max_retries\": 2, "
	"\"ca_file\": null},\n"
	"  \"vault\": {\"passphrase_command\": null},\n"
	"  \"telemetry\": {\"enabled\": false, \"endpoint\": null}\n"
	"}\n";

static void test_product_example(void **state)
{
	(void)state;
	struct config c;
	struct warnings w;
	struct err e;
	assert_int_equal(parse(&c, product_example, &w, &e), 0);
	assert_int_equal(w.n, 0);

	assert_string_equal(c.default_model, "openai/gpt-4o-mini");
	assert_int_equal(c.nfavorites, 3);
	assert_string_equal(c.favorites[0], "openai/gpt-4o-mini");
	assert_string_equal(c.favorites[1], "anthropic/claude-sonnet-4-5");
	assert_string_equal(c.favorites[2], "ollama/llama3.2");

	assert_int_equal(c.providers.n, NPRESETS + 1);
	struct provider *work = providers_find(&c.providers, "work");
	assert_non_null(work);
	assert_int_equal(work->kind, WIRE_OPENAI);
	assert_int_equal(work->preset, 0);
	assert_string_equal(work->base_url, "https://llm.example.com/v1");
	assert_string_equal(work->key_env, "WORK_LLM_KEY");
	assert_int_equal(work->key_optional, 0);
	assert_null(work->policy_url);
	assert_int_equal(work->nmodels, 2);
	assert_string_equal(work->models[0], "m1");
	assert_string_equal(work->models[1], "m2");
	assert_int_equal(work->nheaders, 1);
	assert_string_equal(work->headers[0].name, "X-Team");
	assert_string_equal(work->headers[0].value, "a");

	struct provider *oa = providers_find(&c.providers, "openai");
	assert_non_null(oa);
	assert_int_equal(oa->preset, 1);
	assert_int_equal(oa->nmodels, 2);
	assert_string_equal(oa->models[0], "gpt-4.1");
	assert_string_equal(oa->models[1], "o4-mini");
	assert_string_equal(oa->base_url, "https://api.openai.com/v1");
	assert_string_equal(oa->key_env, "OPENAI_API_KEY");

	json_t *coder = json_object_get(c.assistants, "coder");
	assert_non_null(coder);
	assert_string_equal(json_string_value(json_object_get(coder, "model")),
			    "anthropic/claude-sonnet-4-5");
	assert_true(json_real_value(json_object_get(coder, "temperature")) == 0.2);
	assert_string_equal(json_string_value(json_object_get(c.keys, "model_picker")), "C-o");
	assert_true(json_is_true(json_object_get(c.ui, "markdown")));
	assert_true(json_is_true(json_object_get(c.ui, "sidebar")));

	assert_true(c.connect_timeout == 15.0);
	assert_true(c.stall_timeout == 120.0);
	assert_int_equal(c.max_retries, 2);
	assert_null(c.ca_file);
	assert_null(c.passphrase_command);
	assert_int_equal(c.telemetry_enabled, 0);
	assert_null(c.telemetry_endpoint);
	config_free(&c);
}

static void test_other_values(void **state)
{
	(void)state;
	struct config c;
	struct warnings w;
	struct err e;
	assert_int_equal(parse(&c,
			       "{\"network\": {\"connect_timeout\": 2.5, \"stall_timeout\": 86400,"
			       " \"max_retries\": 0, \"ca_file\": \"/etc/corp-ca.pem\"},"
			       " \"vault\": {\"passphrase_command\": \"pass show cherry\"},"
			       " \"telemetry\": {\"enabled\": true, \"endpoint\": "
			       "\"https://t.example.org/r\"},"
			       " \"default_model\": null,"
			       " \"providers\": {\"box\": {\"kind\": \"ollama\", \"base_url\": "
			       "\"http://10.0.0.5:11434/\"}}}",
			       &w, &e),
			 0);
	assert_int_equal(w.n, 0);
	assert_true(c.connect_timeout == 2.5);
	assert_true(c.stall_timeout == 86400.0);
	assert_int_equal(c.max_retries, 0);
	assert_string_equal(c.ca_file, "/etc/corp-ca.pem");
	assert_string_equal(c.passphrase_command, "pass show cherry");
	assert_int_equal(c.telemetry_enabled, 1);
	assert_string_equal(c.telemetry_endpoint, "https://t.example.org/r");
	assert_null(c.default_model);
	struct provider *box = providers_find(&c.providers, "box");
	assert_int_equal(box->kind, WIRE_OLLAMA);
	assert_int_equal(box->key_optional, 1);
	assert_string_equal(box->base_url, "http://10.0.0.5:11434");
	assert_null(box->key_env);
	config_free(&c);

	/* A new azure provider gets the default api-version; so does a cleared one. */
	assert_int_equal(parse(&c,
			       "{\"providers\": {\"az2\": {\"kind\": \"azure\", \"base_url\": "
			       "\"https://r2.openai.azure.com\"}, \"azure\": {\"api_version\": null}}}",
			       &w, &e),
			 0);
	assert_string_equal(providers_find(&c.providers, "az2")->api_version, "2024-10-21");
	assert_string_equal(providers_find(&c.providers, "azure")->api_version, "2024-10-21");
	assert_null(providers_find(&c.providers, "az2")->key_env);
	config_free(&c);
}

/* ---- overriding presets ---- */

static void test_override_keeps_other_fields(void **state)
{
	(void)state;
	struct config c;
	struct warnings w;
	struct err e;
	assert_int_equal(parse(&c,
			       "{\"providers\": {\"deepseek\": {\"base_url\": "
			       "\"https://proxy.example.com/deepseek/v1//\"},"
			       " \"azure\": {\"base_url\": \"https://myres.openai.azure.com\","
			       " \"api_version\": \"2025-01-01-preview\"},"
			       " \"anthropic\": {\"key_env\": \"MY_CLAUDE_KEY\", \"headers\": "
			       "{\"anthropic-beta\": \"x\"}},"
			       " \"groq\": {\"key_env\": null, \"privacy_policy\": null}}}",
			       &w, &e),
			 0);
	assert_int_equal(c.providers.n, NPRESETS);

	struct provider *p = providers_find(&c.providers, "deepseek");
	assert_string_equal(p->base_url, "https://proxy.example.com/deepseek/v1");
	assert_int_equal(p->kind, WIRE_OPENAI);
	assert_int_equal(p->preset, 1);
	assert_string_equal(p->key_env, "DEEPSEEK_API_KEY");
	assert_string_equal(p->policy_url,
			    "https://cdn.deepseek.com/policies/en-US/deepseek-privacy-policy.html");

	p = providers_find(&c.providers, "azure");
	assert_string_equal(p->base_url, "https://myres.openai.azure.com");
	assert_string_equal(p->api_version, "2025-01-01-preview");
	assert_string_equal(p->key_env, "AZURE_OPENAI_API_KEY");
	assert_int_equal(p->kind, WIRE_AZURE);

	p = providers_find(&c.providers, "anthropic");
	assert_string_equal(p->key_env, "MY_CLAUDE_KEY");
	assert_string_equal(p->base_url, "https://api.anthropic.com");
	assert_int_equal(p->nheaders, 1);
	assert_string_equal(p->headers[0].name, "anthropic-beta");

	p = providers_find(&c.providers, "groq");
	assert_null(p->key_env);
	assert_null(p->policy_url);
	assert_string_equal(p->base_url, "https://api.groq.com/openai/v1");
	config_free(&c);
}

/* "kind": "anthropic" on a preset with an Anthropic-compatible endpoint moves it there;
 * a base_url given with it wins; a preset without one keeps its URL. */
static void test_preset_to_anthropic_endpoint(void **state)
{
	(void)state;
	struct config c;
	struct warnings w;
	struct err e;
	assert_int_equal(parse(&c,
			       "{\"providers\": {\"deepseek\": {\"kind\": \"anthropic\"},"
			       " \"zhipu\": {\"kind\": \"anthropic\","
			       " \"base_url\": \"https://mine.example.com/anthropic\"},"
			       " \"groq\": {\"kind\": \"anthropic\"}}}",
			       &w, &e),
			 0);
	struct provider *p = providers_find(&c.providers, "deepseek");
	assert_int_equal(p->kind, WIRE_ANTHROPIC);
	assert_string_equal(p->base_url, "https://api.deepseek.com/anthropic");
	assert_string_equal(p->key_env, "DEEPSEEK_API_KEY");
	p = providers_find(&c.providers, "zhipu");
	assert_int_equal(p->kind, WIRE_ANTHROPIC);
	assert_string_equal(p->base_url, "https://mine.example.com/anthropic");
	p = providers_find(&c.providers, "groq");
	assert_int_equal(p->kind, WIRE_ANTHROPIC);
	assert_string_equal(p->base_url, "https://api.groq.com/openai/v1");
	config_free(&c);
}

static void test_ollama_host_reaches_config(void **state)
{
	(void)state;
	struct config c;
	struct warnings w;
	struct err e;
	fake_ollama_host = "0.0.0.0:11500";
	assert_int_equal(parse(&c, "{}", &w, &e), 0);
	fake_ollama_host = NULL;
	assert_string_equal(providers_find(&c.providers, "ollama")->base_url,
			    "http://127.0.0.1:11500");
	config_free(&c);
}

/* Bedrock and Vertex: the base URL follows the region (environment, then config) until
 * config sets one; a new provider of these kinds needs no base_url. */
static void test_region_kinds(void **state)
{
	(void)state;
	struct config c;
	struct warnings w;
	struct err e;
	fake_aws_region = "ap-southeast-2";
	assert_int_equal(parse(&c, "{}", &w, &e), 0);
	struct provider *p = providers_find(&c.providers, "aws-bedrock");
	assert_string_equal(p->base_url, "https://bedrock-runtime.ap-southeast-2.amazonaws.com");
	assert_string_equal(providers_find(&c.providers, "vertexai")->base_url,
			    "https://aiplatform.googleapis.com");
	assert_int_equal(providers_find(&c.providers, "vertexai")->key_ttl, 3000);
	assert_null(providers_find(&c.providers, "vertexai")->project);
	config_free(&c);
	fake_aws_region = NULL;

	assert_int_equal(parse(&c, "{\"providers\": {"
				   "\"aws-bedrock\": {\"region\": \"eu-central-1\"},"
				   "\"vertexai\": {\"region\": \"europe-west4\", \"project\": \"p-1\","
				   " \"key_ttl\": 600},"
				   "\"mine\": {\"kind\": \"vertex-anthropic\", \"project\": \"p-2\"},"
				   "\"proxied\": {\"kind\": \"bedrock\", \"region\": \"us-west-2\","
				   " \"base_url\": \"https://gw.example.com/bedrock/\"}}}",
			       &w, &e), 0);
	p = providers_find(&c.providers, "aws-bedrock");
	assert_string_equal(p->base_url, "https://bedrock-runtime.eu-central-1.amazonaws.com");
	p = providers_find(&c.providers, "vertexai");
	assert_string_equal(p->base_url, "https://europe-west4-aiplatform.googleapis.com");
	assert_string_equal(p->project, "p-1");
	assert_int_equal(p->key_ttl, 600);
	p = providers_find(&c.providers, "mine");
	assert_int_equal(p->kind, WIRE_VERTEX_ANTHROPIC);
	assert_string_equal(p->base_url, "https://aiplatform.googleapis.com");
	assert_string_equal(p->region, "global");
	assert_int_equal(p->key_ttl, 3000);
	p = providers_find(&c.providers, "proxied");
	assert_string_equal(p->base_url, "https://gw.example.com/bedrock");
	assert_string_equal(p->region, "us-west-2");
	assert_int_equal(w.n, 0);
	config_free(&c);
}

/* ---- errors ---- */

static void check_error(const char *text, const char *want)
{
	struct config c;
	struct warnings w;
	struct err e;
	memset(&c, 0x5a, sizeof c); /* garbage in: the parser must not read it */
	int rc = parse(&c, text, &w, &e);
	if (rc != -1)
		fail_msg("accepted: %s", text);
	if (strcmp(e.msg, want) != 0)
		fail_msg("for %s\n got: %s\nwant: %s", text, e.msg, want);
	assert_int_equal(e.code, EXIT_FAIL);
	/* Failure leaves nothing behind: config_free is safe and frees nothing. */
	assert_true(all_zero(&c));
	config_free(&c);
}

static void test_new_provider_needs_kind_and_base(void **state)
{
	(void)state;
	check_error("{\"providers\": {\"aws-bedrock\": {\"region\": \"eu central\"}}}",
		    "config.json: providers.aws-bedrock.region must be a word of letters, digits, "
		    "'-' and '_'");
	check_error("{\"providers\": {\"vertexai\": {\"key_ttl\": -1}}}",
		    "config.json: providers.vertexai.key_ttl must be a number of seconds from 0 "
		    "(keep the key_command's key for the whole run) to 86400");
	check_error("{\"providers\": {\"work\": {\"base_url\": \"https://llm.example.com/v1\"}}}",
		    "config.json: providers.work.kind is required for a provider that is not a "
		    "preset");
	check_error("{\"providers\": {\"work\": {\"kind\": \"openai\"}}}",
		    "config.json: providers.work.base_url is required for a provider that is not "
		    "a preset");
	check_error("{\"providers\": {\"work\": {}}}",
		    "config.json: providers.work.kind is required for a provider that is not a "
		    "preset");
}

static void test_invalid_json(void **state)
{
	(void)state;
	check_error("{\n  \"a\": 1,\n  \"a\": 2\n}",
		    "config.json:3:5: duplicate object key near '\"a\"'");
	check_error("{\"a\":1,}", "config.json:1:8: string or '}' expected near '}'");
	check_error("{", "config.json:1:1: string or '}' expected near end of file");
	check_error("{\"a\":1} x", "config.json:1:9: end of file expected near 'x'");
	check_error("{\n\"a\": \"\\u0000\"}",
		    "config.json:2:13: \\u0000 is not allowed without JSON_ALLOW_NUL near "
		    "'\"\\u0000\"'");
	/* Bytes from the file never reach the terminal raw. */
	check_error("{\"a\": \x1b[2J}", "config.json:1:7: invalid token near '?'");
	check_error("\xff", "config.json:1:0: unable to decode byte 0xff");
	check_error("1", "config.json:1:1: '[' or '{' expected near '1'");
	check_error("[]", "config.json: the top level must be an object");
}

static void test_wrong_types(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"{\"default_model\": 5}", "config.json: default_model must be a string PROVIDER/MODEL"},
		{"{\"default_model\": \"gpt-4o\"}",
		 "config.json: default_model must be a string PROVIDER/MODEL"},
		{"{\"favorites\": \"openai/x\"}",
		 "config.json: favorites must be an array of PROVIDER/MODEL strings"},
		{"{\"favorites\": [\"openai/x\", 3]}",
		 "config.json: favorites must be an array of PROVIDER/MODEL strings"},
		{"{\"favorites\": [\"openai/\"]}",
		 "config.json: favorites must be an array of PROVIDER/MODEL strings"},
		{"{\"providers\": []}", "config.json: providers must be an object"},
		{"{\"providers\": {\"openai\": 1}}", "config.json: providers.openai must be an object"},
		{"{\"providers\": {\"a/b\": {}}}",
		 "config.json: providers: \"a/b\" is not a valid provider name (use letters, "
		 "digits, '.', '_' or '-')"},
		{"{\"providers\": {\"\": {}}}",
		 "config.json: providers: \"\" is not a valid provider name (use letters, digits, "
		 "'.', '_' or '-')"},
		{"{\"providers\": {\"x\": {\"kind\": \"foo\", \"base_url\": \"https://a\"}}}",
		 "config.json: providers.x.kind must be one of openai, anthropic, gemini, ollama, "
		 "azure, openai-responses, bedrock, vertex, vertex-anthropic"},
		{"{\"providers\": {\"openai\": {\"kind\": 1}}}",
		 "config.json: providers.openai.kind must be one of openai, anthropic, gemini, "
		 "ollama, azure, openai-responses, bedrock, vertex, vertex-anthropic"},
		{"{\"providers\": {\"x\": {\"kind\": \"openai\", \"base_url\": \"ftp://a\"}}}",
		 "config.json: providers.x.base_url must be an http:// or https:// URL"},
		{"{\"providers\": {\"openai\": {\"base_url\": \"https://\"}}}",
		 "config.json: providers.openai.base_url must be an http:// or https:// URL"},
		{"{\"providers\": {\"openai\": {\"base_url\": \"https://a b\"}}}",
		 "config.json: providers.openai.base_url must be an http:// or https:// URL"},
		{"{\"providers\": {\"openai\": {\"base_url\": \"https://a/v1?x=1\"}}}",
		 "config.json: providers.openai.base_url must be an http:// or https:// URL"},
		{"{\"providers\": {\"openai\": {\"base_url\": null}}}",
		 "config.json: providers.openai.base_url must be an http:// or https:// URL"},
		{"{\"providers\": {\"openai\": {\"models\": \"gpt\"}}}",
		 "config.json: providers.openai.models must be an array of model names or "
		 "{\"id\": ...} objects"},
		{"{\"providers\": {\"openai\": {\"models\": [\"\"]}}}",
		 "config.json: providers.openai.models[0] must be a model name or an object with "
		 "an \"id\""},
		{"{\"providers\": {\"openai\": {\"models\": [\"a\", {\"vision\": true}]}}}",
		 "config.json: providers.openai.models[1].id must be a model name"},
		{"{\"providers\": {\"openai\": {\"models\": [{\"id\": \"a\", \"tools\": 1}]}}}",
		 "config.json: providers.openai.models[0].tools must be true, false or null"},
		{"{\"providers\": {\"openai\": {\"models\": [{\"id\": \"a\", \"context\": 0}]}}}",
		 "config.json: providers.openai.models[0].context must be a number of tokens from 1 "
		 "to 100000000, or null"},
		{"{\"providers\": {\"openai\": {\"models\": [{\"id\": \"a\", \"context\": 1.5}]}}}",
		 "config.json: providers.openai.models[0].context must be a number of tokens from 1 "
		 "to 100000000, or null"},
		{"{\"providers\": {\"openai\": {\"headers\": {\"X-A\": \"a\\r\\nEvil: 1\"}}}}",
		 "config.json: providers.openai.headers.X-A must not contain CR, LF or other "
		 "control characters"},
		{"{\"providers\": {\"openai\": {\"headers\": {\"X-A\": \"a\\nb\"}}}}",
		 "config.json: providers.openai.headers.X-A must not contain CR, LF or other "
		 "control characters"},
		{"{\"providers\": {\"openai\": {\"headers\": {\"X-A\\r\\nB\": \"a\"}}}}",
		 "config.json: providers.openai.headers: \"X-A??B\" is not a valid header name"},
		{"{\"providers\": {\"openai\": {\"headers\": {\"X A\": \"a\"}}}}",
		 "config.json: providers.openai.headers: \"X A\" is not a valid header name"},
		{"{\"providers\": {\"openai\": {\"headers\": {\"X-A\": 1}}}}",
		 "config.json: providers.openai.headers must be an object of strings"},
		{"{\"providers\": {\"openai\": {\"headers\": [\"X-A: 1\"]}}}",
		 "config.json: providers.openai.headers must be an object of strings"},
		{"{\"providers\": {\"openai\": {\"key_env\": \"1BAD\"}}}",
		 "config.json: providers.openai.key_env must be an environment variable name or "
		 "null"},
		{"{\"providers\": {\"openai\": {\"key_env\": 5}}}",
		 "config.json: providers.openai.key_env must be an environment variable name or "
		 "null"},
		{"{\"providers\": {\"azure\": {\"api_version\": \"2024-10-21&x=1\"}}}",
		 "config.json: providers.azure.api_version must be a version string like "
		 "2024-10-21, or null"},
		{"{\"providers\": {\"openai\": {\"privacy_policy\": \"openai.com\"}}}",
		 "config.json: providers.openai.privacy_policy must be an http:// or https:// URL "
		 "or null"},
		{"{\"network\": 1}", "config.json: network must be an object"},
		{"{\"network\": {\"max_retries\": 11}}",
		 "config.json: network.max_retries must be an integer from 0 to 10"},
		{"{\"network\": {\"max_retries\": -1}}",
		 "config.json: network.max_retries must be an integer from 0 to 10"},
		{"{\"network\": {\"max_retries\": 2.0}}",
		 "config.json: network.max_retries must be an integer from 0 to 10"},
		{"{\"network\": {\"max_retries\": \"2\"}}",
		 "config.json: network.max_retries must be an integer from 0 to 10"},
		{"{\"network\": {\"connect_timeout\": 0}}",
		 "config.json: network.connect_timeout must be a positive number of seconds (at "
		 "most 86400)"},
		{"{\"network\": {\"connect_timeout\": \"15\"}}",
		 "config.json: network.connect_timeout must be a positive number of seconds (at "
		 "most 86400)"},
		{"{\"network\": {\"stall_timeout\": -5}}",
		 "config.json: network.stall_timeout must be a positive number of seconds (at most "
		 "86400)"},
		{"{\"network\": {\"stall_timeout\": 1e9}}",
		 "config.json: network.stall_timeout must be a positive number of seconds (at most "
		 "86400)"},
		{"{\"network\": {\"ca_file\": 5}}", "config.json: network.ca_file must be a string or null"},
		{"{\"vault\": []}", "config.json: vault must be an object"},
		{"{\"vault\": {\"passphrase_command\": true}}",
		 "config.json: vault.passphrase_command must be a string or null"},
		{"{\"telemetry\": {\"enabled\": \"yes\"}}",
		 "config.json: telemetry.enabled must be true or false"},
		{"{\"telemetry\": {\"enabled\": 1}}", "config.json: telemetry.enabled must be true or false"},
		{"{\"telemetry\": {\"endpoint\": \"example.org\"}}",
		 "config.json: telemetry.endpoint must be an http:// or https:// URL or null"},
		{"{\"telemetry\": null}", "config.json: telemetry must be an object"},
		{"{\"ui\": []}", "config.json: ui must be an object"},
		{"{\"keys\": \"emacs\"}", "config.json: keys must be an object"},
		{"{\"assistants\": 1}", "config.json: assistants must be an object"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_error(cases[i].text, cases[i].want);
}

/* ---- warnings ---- */

static void test_unknown_keys_warn_once_each(void **state)
{
	(void)state;
	struct config c;
	struct warnings w;
	struct err e;
	assert_int_equal(parse(&c,
			       "{\"colour\": \"red\","
			       " \"providers\": {\"work\": {\"kind\": \"openai\", \"base_url\": "
			       "\"https://w.example\", \"extra\": 1, \"timeout\": 3},"
			       " \"openai\": {\"model\": \"gpt\"}},"
			       " \"network\": {\"proxy\": \"http://p\", \"max_retries\": 3},"
			       " \"vault\": {\"cmd\": \"x\"},"
			       " \"telemetry\": {\"on\": true},"
			       " \"ui\": {\"anything\": 1},"
			       " \"assistants\": {\"a\": {\"whatever\": 1}},"
			       " \"keys\": {\"no_such_action\": \"C-x\"},"
			       " \"defualt_model\": \"openai/gpt\"}",
			       &w, &e),
			 0);
	assert_int_equal(w.n, 9);
	assert_string_equal(w.line[0], "config.json: unknown key \"colour\" ignored");
	assert_string_equal(w.line[1], "config.json: unknown key \"defualt_model\" ignored");
	assert_string_equal(w.line[2], "config.json: unknown key \"providers.work.extra\" ignored");
	assert_string_equal(w.line[3],
			    "config.json: unknown key \"providers.work.timeout\" ignored");
	assert_string_equal(w.line[4],
			    "config.json: unknown key \"providers.openai.model\" ignored");
	assert_string_equal(w.line[5], "config.json: unknown key \"ui.anything\" ignored");
	assert_string_equal(w.line[6], "config.json: unknown key \"network.proxy\" ignored");
	assert_string_equal(w.line[7], "config.json: unknown key \"vault.cmd\" ignored");
	assert_string_equal(w.line[8], "config.json: unknown key \"telemetry.on\" ignored");
	/* Known keys next to unknown ones still apply. */
	assert_int_equal(c.max_retries, 3);
	assert_null(c.default_model);
	config_free(&c);

	/* ui's known keys pass; a hyperlinks value that would silently be "auto" is named */
	assert_int_equal(parse(&c,
			       "{\"ui\": {\"theme\": \"light\", \"sidebar\": false,"
			       " \"show_reasoning\": true, \"paste_attach_threshold\": 0,"
			       " \"hyperlinks\": \"yes\"}}",
			       &w, &e),
			 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.line[0], "config.json: ui.hyperlinks must be \"auto\", \"on\" or "
				       "\"off\"; \"auto\" is used");
	config_free(&c);
	assert_int_equal(parse(&c, "{\"ui\": {\"hyperlinks\": \"off\"}}", &w, &e), 0);
	assert_int_equal(w.n, 0);
	config_free(&c);

	/* A hostile key name cannot put escape sequences on the terminal. */
	assert_int_equal(parse(&c, "{\"\\u001b]0;pwned\\u0007\": 1}", &w, &e), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.line[0], "config.json: unknown key \"?]0;pwned?\" ignored");
	config_free(&c);

	/* No callback: no crash. */
	assert_int_equal(config_parse(&c, "{\"x\": 1}", 8, "config.json", NULL, NULL, NULL, &e), 0);
	config_free(&c);
}

/* ---- config_load ---- */

static char tmpdir[256];

static int setup_tmp(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/cherry-config-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

/* rm -rf with POSIX calls only (nftw is XSI). */
static int teardown_tmp(void **state)
{
	(void)state;
	return harness_rm_tree(tmpdir);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* A models entry may be an object: its id joins the names, its fields override the table. */
static void test_model_objects(void **state)
{
	(void)state;
	struct config c;
	struct warnings w = {0};
	struct err e;
	assert_int_equal(parse(&c,
			       "{\"providers\": {\"openai\": {\"models\": [\"plain\", "
			       "{\"id\": \"gpt-5\", \"vision\": false, \"context\": 272000}, "
			       "{\"id\": \"mine\", \"tools\": true, \"reasoning\": null, "
			       "\"colour\": 1}]}}}",
			       &w, &e),
			 0);
	assert_int_equal(w.n, 1); /* "colour" is an unknown key: warned, not fatal */
	struct provider *p = providers_find(&c.providers, "openai");
	assert_non_null(p);
	assert_int_equal(p->nmodels, 3);
	assert_string_equal(p->models[0], "plain");
	assert_string_equal(p->models[1], "gpt-5");
	assert_string_equal(p->models[2], "mine");
	assert_int_equal(p->nmodel_caps, 2);

	struct model_caps caps;
	/* Config's false and context win; the table still answers the fields config left. */
	assert_int_equal(providers_caps(p, "gpt-5", &caps),
			 MODEL_CAPS_VISION | MODEL_CAPS_REASONING | MODEL_CAPS_TOOLS |
				 MODEL_CAPS_CONTEXT);
	assert_int_equal(caps.vision, MODEL_CAP_NO);
	assert_int_equal(caps.reasoning, MODEL_CAP_YES);
	assert_int_equal(caps.context, 272000);
	/* A model only config knows: only what config said is known. */
	assert_int_equal(providers_caps(p, "mine", &caps), MODEL_CAPS_TOOLS);
	assert_int_equal(caps.tools, MODEL_CAP_YES);
	assert_int_equal(caps.reasoning, MODEL_CAP_UNKNOWN);
	assert_int_equal(caps.context, 0);
	assert_int_equal(providers_caps(p, "plain", &caps), 0);
	/* Another provider does not see openai's override. */
	assert_int_equal(providers_caps(providers_find(&c.providers, "aihubmix"), "gpt-5", &caps),
			 MODEL_CAPS_VISION | MODEL_CAPS_REASONING | MODEL_CAPS_TOOLS);
	assert_int_equal(caps.vision, MODEL_CAP_YES);
	config_free(&c);
}

static void test_load(void **state)
{
	(void)state;
	char path[512], want[1024];
	struct config c;
	struct warnings w = {0};
	struct err e = {0, ""};
	assert_true(snprintf(path, sizeof path, "%s/config.json", tmpdir) < (int)sizeof path);

	/* Missing: defaults, no path. */
	assert_int_equal(config_load(&c, path, fake_env, collect, &w, &e), 0);
	check_defaults(&c);
	assert_null(c.path);
	config_free(&c);

	/* Present: parsed, path recorded, warnings name the real file. */
	const char *text = "{\"default_model\": \"ollama/qwen3\", \"extra\": 1}";
	write_file(path, text, strlen(text));
	assert_int_equal(config_load(&c, path, fake_env, collect, &w, &e), 0);
	assert_string_equal(c.path, path);
	assert_string_equal(c.default_model, "ollama/qwen3");
	assert_int_equal(w.n, 1);
	assert_true(snprintf(want, sizeof want, "%s: unknown key \"extra\" ignored", path) <
		    (int)sizeof want);
	assert_string_equal(w.line[0], want);
	config_free(&c);

	/* Empty file: defaults, path recorded. */
	write_file(path, "", 0);
	assert_int_equal(config_load(&c, path, fake_env, collect, &w, &e), 0);
	check_defaults(&c);
	assert_string_equal(c.path, path);
	config_free(&c);

	/* Invalid: the full path, line and column. */
	write_file(path, "{\n  \"network\": {,}\n}", 19);
	assert_int_equal(config_load(&c, path, fake_env, collect, &w, &e), -1);
	assert_true(snprintf(want, sizeof want, "%s:2:15: string or '}' expected near ','", path) <
		    (int)sizeof want);
	assert_string_equal(e.msg, want);
	assert_true(all_zero(&c));
	config_free(&c);

	/* Larger than 1 MiB: refused before parsing. */
	size_t big = 1024 * 1024 + 1;
	char *data = malloc(big);
	assert_non_null(data);
	memset(data, ' ', big);
	data[0] = '{';
	data[big - 1] = '}';
	write_file(path, data, big);
	free(data);
	err_clear(&e);
	assert_int_equal(config_load(&c, path, fake_env, collect, &w, &e), -1);
	assert_true(snprintf(want, sizeof want, "cannot read %s: larger than 1048576 bytes", path) <
		    (int)sizeof want);
	assert_string_equal(e.msg, want);
	assert_int_equal(e.code, EXIT_FAIL);
	assert_true(all_zero(&c));
	config_free(&c);

	/* Exactly 1 MiB is fine. */
	big = 1024 * 1024;
	data = malloc(big);
	assert_non_null(data);
	memset(data, ' ', big);
	data[0] = '{';
	data[big - 1] = '}';
	write_file(path, data, big);
	free(data);
	assert_int_equal(config_load(&c, path, fake_env, collect, &w, &e), 0);
	config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_object),
		cmocka_unit_test(test_product_example),
		cmocka_unit_test(test_other_values),
		cmocka_unit_test(test_override_keeps_other_fields),
		cmocka_unit_test(test_preset_to_anthropic_endpoint),
		cmocka_unit_test(test_ollama_host_reaches_config),
		cmocka_unit_test(test_region_kinds),
		cmocka_unit_test(test_new_provider_needs_kind_and_base),
		cmocka_unit_test(test_invalid_json),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_unknown_keys_warn_once_each),
		cmocka_unit_test(test_model_objects),
		cmocka_unit_test_setup_teardown(test_load, setup_tmp, teardown_tmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
