/* config_providers: config.json's "providers" section: each provider's fields (kind,
 * base URL, keys, models with their capabilities, headers, region and project) onto the
 * presets or as new providers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/buf.h"
#include "config_int.h"

/* RFC 9110 token characters: what a header field name may be made of. */
static int is_header_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("!#$%&'*+-.^_`|~", c)))
			return 0;
	}
	return 1;
}

/* Field values: no CR, LF or other controls (tab is allowed), since libcurl sends them verbatim. */
static int is_header_value(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

/* "http://" or "https://", a host, no spaces or controls, nothing after a '?' or '#'. */
static int is_model_name(const char *s)
{
	return s[0] && !config_has_ctl(s);
}

static int parse_headers(struct config_ctx *x, struct provider *p, json_t *obj, const char *path)
{
	if (!json_is_object(obj))
		return config_fail(x, "%s must be an object of strings", path);
	size_t n = json_object_size(obj);
	struct provider_header *h = calloc(n ? n : 1, sizeof *h);
	if (!h) {
		err_set(x->e, EXIT_FAIL, "out of memory");
		return -1;
	}
	size_t i = 0;
	int rc = 0;
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val) {
		if (!is_header_name(key)) {
			rc = config_fail(x, "%s: \"%s\" is not a valid header name", path, key);
			break;
		}
		if (!json_is_string(val)) {
			rc = config_fail(x, "%s must be an object of strings", path);
			break;
		}
		if (!is_header_value(json_string_value(val))) {
			rc = config_fail(x, "%s.%s must not contain CR, LF or other control characters",
				  path, key);
			break;
		}
		h[i].name = strdup(key);
		h[i].value = strdup(json_string_value(val));
		i++;
		if (!h[i - 1].name || !h[i - 1].value) {
			err_set(x->e, EXIT_FAIL, "out of memory");
			rc = -1;
			break;
		}
	}
	if (rc < 0) {
		for (size_t j = 0; j < i; j++) {
			free(h[j].name);
			free(h[j].value);
		}
		free(h);
		return -1;
	}
	for (size_t j = 0; j < p->nheaders; j++) {
		free(p->headers[j].name);
		free(p->headers[j].value);
	}
	free(p->headers);
	p->headers = h;
	p->nheaders = n;
	return 0;
}

/* A capability flag from a model object: true, false, or null (unknown). */
static int get_cap(struct config_ctx *x, json_t *entry, const char *name, const char *path,
		   signed char *dst)
{
	json_t *v = json_object_get(entry, name);
	*dst = MODEL_CAP_UNKNOWN;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return config_fail(x, "%s.%s must be true, false or null", path, name);
	*dst = json_is_true(v) ? MODEL_CAP_YES : MODEL_CAP_NO;
	return 0;
}

/* One object entry of a models array: {"id": ..., "vision": ..., "context": ...}. */
static int parse_model_object(struct config_ctx *x, json_t *entry, const char *path,
			      struct provider_model *m)
{
	static const char *const known[] = {"id", "vision", "reasoning", "tools", "context",
					    NULL};
	config_check_keys(x, entry, path, known);
	json_t *id = json_object_get(entry, "id");
	if (!json_is_string(id) || !is_model_name(json_string_value(id)))
		return config_fail(x, "%s.id must be a model name", path);
	json_t *ctx = json_object_get(entry, "context");
	m->caps.context = 0;
	if (ctx && !json_is_null(ctx)) {
		json_int_t n = json_is_integer(ctx) ? json_integer_value(ctx) : 0;
		if (n <= 0 || n > MAX_CONTEXT_TOKENS)
			return config_fail(x, "%s.context must be a number of tokens from 1 to %ld, "
				    "or null", path, MAX_CONTEXT_TOKENS);
		m->caps.context = (long)n;
	}
	if (get_cap(x, entry, "vision", path, &m->caps.vision) < 0 ||
	    get_cap(x, entry, "reasoning", path, &m->caps.reasoning) < 0 ||
	    get_cap(x, entry, "tools", path, &m->caps.tools) < 0)
		return -1;
	if (!(m->id = strdup(json_string_value(id)))) {
		err_set(x->e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return 0;
}

static void free_model_caps(struct provider_model *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].id);
	free(v);
}

/* A provider's models: each a name, or an object naming one with its capabilities.
 * Replaces both the names and the capability entries config gave before. */
static int parse_models(struct config_ctx *x, struct provider *p, json_t *arr, const char *path)
{
	if (!json_is_array(arr))
		return config_fail(x, "%s must be an array of model names or {\"id\": ...} objects",
			    path);
	size_t len = json_array_size(arr), ncaps = 0;
	char **names = calloc(len ? len : 1, sizeof *names);
	struct provider_model *caps = calloc(len ? len : 1, sizeof *caps);
	if (!names || !caps) {
		free(names);
		free(caps);
		err_set(x->e, EXIT_FAIL, "out of memory");
		return -1;
	}
	char item_path[700];
	size_t i;
	for (i = 0; i < len; i++) {
		json_t *item = json_array_get(arr, i);
		snprintf(item_path, sizeof item_path, "%s[%zu]", path, i);
		const char *name = NULL;
		if (json_is_object(item)) {
			if (parse_model_object(x, item, item_path, &caps[ncaps]) < 0)
				break;
			name = caps[ncaps++].id;
		} else if (json_is_string(item) && is_model_name(json_string_value(item))) {
			name = json_string_value(item);
		} else {
			config_fail(x, "%s must be a model name or an object with an \"id\"", item_path);
			break;
		}
		if (!(names[i] = strdup(name))) {
			err_set(x->e, EXIT_FAIL, "out of memory");
			break;
		}
	}
	if (i < len) {
		config_free_strv(names, i);
		free_model_caps(caps, ncaps);
		return -1;
	}
	config_free_strv(p->models, p->nmodels);
	free_model_caps(p->model_caps, p->nmodel_caps);
	p->models = names;
	p->nmodels = len;
	p->model_caps = caps;
	p->nmodel_caps = ncaps;
	return 0;
}

/* A base URL as Cherry Studio users write it (providers_base_url), kept without
 * trailing slashes: paths are appended to it. */
static int set_url(struct config_ctx *x, char **dst, enum wire_kind kind, const char *url)
{
	struct buf b = BUF_INIT;
	if (providers_base_url(kind, url, &b) < 0 || config_set_str(x, dst, b.data) < 0) {
		buf_free(&b);
		err_set(x->e, EXIT_FAIL, "out of memory");
		return -1;
	}
	buf_free(&b);
	return 0;
}

/* An http(s) URL that may end in one '#' (use it exactly). */
static int is_base_url(const char *s)
{
	size_t n = strlen(s);
	if (!n || s[n - 1] != '#')
		return config_is_http_url(s);
	char *copy = strndup(s, n - 1);
	int ok = copy && config_is_http_url(copy);
	free(copy);
	return ok;
}

/* A region or project id: letters, digits, '-' and '_' (they go into a host name and
 * a URL path). */
static int is_region_word(const char *s)
{
	if (!*s || strlen(s) > 63)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/* region, project and key_ttl (bedrock and vertex); the base URL follows the region
 * unless config set base_url. */
static int parse_region(struct config_ctx *x, struct provider *p, json_t *obj, const char *path,
			int base_set)
{
	static const char *const names[2] = {"region", "project"};
	char **dst[2] = {&p->region, &p->project};
	char field[640];
	json_t *v;
	for (int i = 0; i < 2; i++) {
		if (!(v = json_object_get(obj, names[i])))
			continue;
		snprintf(field, sizeof field, "%s.%s", path, names[i]);
		if (!json_is_string(v) || !is_region_word(json_string_value(v)))
			return config_fail(x, "%s must be a word of letters, digits, '-' and '_'", field);
		if (config_set_str(x, dst[i], json_string_value(v)) < 0)
			return -1;
	}
	if ((v = json_object_get(obj, "key_ttl"))) {
		json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
		if (n < 0 || n > 86400)
			return config_fail(x, "%s.key_ttl must be a number of seconds from 0 (keep the "
				    "key_command's key for the whole run) to 86400", path);
		p->key_ttl = (long)n;
	}
	int vertex = p->kind == WIRE_VERTEX || p->kind == WIRE_VERTEX_ANTHROPIC;
	if (vertex && !v && !p->key_ttl)
		p->key_ttl = PROVIDERS_VERTEX_KEY_TTL; /* Google's tokens last an hour */
	int regional = vertex || p->kind == WIRE_BEDROCK;
	if (!regional) {
		p->region_url = 0;
		return 0;
	}
	/* the region is in the signature's scope (bedrock) or the path (vertex) even when
	 * base_url names another host */
	if (!p->region && config_set_str(x, &p->region, p->kind == WIRE_BEDROCK
						  ? PROVIDERS_BEDROCK_REGION
						  : PROVIDERS_VERTEX_REGION) < 0)
		return -1;
	if (base_set) {
		p->region_url = 0;
	} else if (!p->base_url || p->region_url) {
		p->region_url = 1;
		if (providers_region_url(p) < 0) {
			err_set(x->e, EXIT_FAIL, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int parse_provider(struct config_ctx *x, struct config *c, const char *name, json_t *obj)
{
	static const char *const known[] = {"kind", "base_url", "key_env", "key_command",
					    "models", "headers", "api_version", "privacy_policy",
					    "region", "project", "key_ttl", NULL};
	char path[512], field[640];
	snprintf(path, sizeof path, "providers.%s", name);
	if (!config_is_provider_name(name))
		return config_fail(x, "providers: \"%s\" is not a valid provider name "
			    "(use letters, digits, '.', '_' or '-')", name);
	if (!json_is_object(obj))
		return config_fail(x, "%s must be an object", path);
	config_check_keys(x, obj, path, known);

	json_t *kind = json_object_get(obj, "kind");
	json_t *base = json_object_get(obj, "base_url");
	struct provider *p = providers_find(&c->providers, name);
	if (!p && !kind)
		return config_fail(x, "%s.kind is required for a provider that is not a preset", path);
	enum wire_kind k = WIRE_OPENAI;
	if (kind && (!json_is_string(kind) || wire_kind_parse(json_string_value(kind), &k) < 0))
		return config_fail(x, "%s.kind must be one of openai, anthropic, gemini, ollama, azure, "
			    "openai-responses, bedrock, vertex, vertex-anthropic", path);
	int regional = k == WIRE_BEDROCK || k == WIRE_VERTEX || k == WIRE_VERTEX_ANTHROPIC;
	if (!p && !base && !regional)
		return config_fail(x, "%s.base_url is required for a provider that is not a preset", path);
	if (base && (!json_is_string(base) || !is_base_url(json_string_value(base))))
		return config_fail(x, "%s.base_url must be an http:// or https:// URL", path);

	if (!p) {
		if (!(p = providers_add(&c->providers, name))) {
			err_set(x->e, EXIT_FAIL, "out of memory");
			return -1;
		}
		/* A local server speaking Ollama's protocol needs no key by default. */
		p->key_optional = k == WIRE_OLLAMA;
	}
	p->configured = 1;
	/* A preset switched to its Anthropic-compatible endpoint takes that base URL. */
	if (kind && !base && p->preset && k == WIRE_ANTHROPIC && p->kind != WIRE_ANTHROPIC &&
	    p->anthropic_url && config_set_str(x, &p->base_url, p->anthropic_url) < 0)
		return -1;
	if (kind)
		p->kind = k;
	if (base && set_url(x, &p->base_url, p->kind, json_string_value(base)) < 0)
		return -1;
	if (parse_region(x, p, obj, path, base != NULL) < 0)
		return -1;

	json_t *v;
	if ((v = json_object_get(obj, "key_env"))) {
		snprintf(field, sizeof field, "%s.key_env", path);
		if (!json_is_null(v) && (!json_is_string(v) || !config_is_env_name(json_string_value(v))))
			return config_fail(x, "%s must be an environment variable name or null", field);
		if (config_get_str_or_null(x, v, field, &p->key_env) < 0)
			return -1;
	}
	if ((v = json_object_get(obj, "key_command"))) {
		snprintf(field, sizeof field, "%s.key_command", path);
		if (!json_is_null(v) && (!json_is_string(v) || config_has_ctl(json_string_value(v))))
			return config_fail(x, "%s must be a shell command or null", field);
		if (config_get_str_or_null(x, v, field, &p->key_command) < 0)
			return -1;
	}
	if ((v = json_object_get(obj, "api_version"))) {
		snprintf(field, sizeof field, "%s.api_version", path);
		if (!json_is_null(v) &&
		    (!json_is_string(v) || !config_is_provider_name(json_string_value(v))))
			return config_fail(x, "%s must be a version string like 2024-10-21, or null", field);
		if (config_get_str_or_null(x, v, field, &p->api_version) < 0)
			return -1;
	}
	if ((v = json_object_get(obj, "privacy_policy"))) {
		snprintf(field, sizeof field, "%s.privacy_policy", path);
		if (!json_is_null(v) && (!json_is_string(v) || !config_is_http_url(json_string_value(v))))
			return config_fail(x, "%s must be an http:// or https:// URL or null", field);
		if (config_get_str_or_null(x, v, field, &p->policy_url) < 0)
			return -1;
	}
	if ((v = json_object_get(obj, "models"))) {
		snprintf(field, sizeof field, "%s.models", path);
		if (parse_models(x, p, v, field) < 0)
			return -1;
	}
	if ((v = json_object_get(obj, "headers"))) {
		snprintf(field, sizeof field, "%s.headers", path);
		if (parse_headers(x, p, v, field) < 0)
			return -1;
	}
	/* Azure refuses requests without an api-version: a new or cleared one gets the default. */
	if (p->kind == WIRE_AZURE && !p->api_version)
		return config_set_str(x, &p->api_version, PROVIDERS_AZURE_API_VERSION);
	return 0;
}

int config_parse_providers(struct config_ctx *x, struct config *c, json_t *obj)
{
	if (!json_is_object(obj))
		return config_fail(x, "providers must be an object");
	const char *name;
	json_t *val;
	json_object_foreach(obj, name, val) {
		if (parse_provider(x, c, name, val) < 0)
			return -1;
	}
	return 0;
}

