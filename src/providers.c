/* providers: provider records built from the preset table (presets.c), kinds, and
 * "PROVIDER/MODEL" names. */
#include "cherry/providers.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cherry/buf.h"
#include "presets.h"

#define OLLAMA_DEFAULT "http://127.0.0.1:11434"

static const char *const kind_names[] = {
	[WIRE_OPENAI] = "openai",
	[WIRE_ANTHROPIC] = "anthropic",
	[WIRE_GEMINI] = "gemini",
	[WIRE_OLLAMA] = "ollama",
	[WIRE_AZURE] = "azure",
	[WIRE_RESPONSES] = "openai-responses",
	[WIRE_BEDROCK] = "bedrock",
	[WIRE_VERTEX] = "vertex",
	[WIRE_VERTEX_ANTHROPIC] = "vertex-anthropic",
};

const char *wire_kind_name(enum wire_kind kind)
{
	if ((unsigned)kind < sizeof kind_names / sizeof kind_names[0] && kind_names[kind])
		return kind_names[kind];
	return "unknown";
}

int wire_kind_parse(const char *name, enum wire_kind *kind)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++) {
		if (kind_names[i] && strcmp(name, kind_names[i]) == 0) {
			*kind = (enum wire_kind)i;
			return 0;
		}
	}
	return -1;
}

int model_spec_split(const char *spec, const char **prov, size_t *prov_len, const char **model)
{
	if (!spec)
		return -1;
	const char *slash = strchr(spec, '/');
	if (!slash || slash == spec || !slash[1])
		return -1;
	*prov = spec;
	*prov_len = (size_t)(slash - spec);
	*model = slash + 1;
	return 0;
}

/* Where the path starts: after "scheme://host[:port]". */
static size_t path_start(const char *url, size_t len)
{
	const char *sep = strstr(url, "://");
	size_t i = sep ? (size_t)(sep - url) + 3 : 0;
	while (i < len && url[i] != '/')
		i++;
	return i;
}

/* A path segment like v1, v4, v2beta or v1beta1: 'v', digits, then letters or digits. */
static int is_version_segment(const char *s, size_t n)
{
	if (n < 2 || s[0] != 'v' || s[1] < '0' || s[1] > '9')
		return 0;
	for (size_t i = 2; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z')))
			return 0;
	return 1;
}

static int has_version_segment(const char *url, size_t len)
{
	size_t i = path_start(url, len);
	while (i < len) {
		size_t j = ++i; /* past the '/' */
		while (j < len && url[j] != '/')
			j++;
		if (is_version_segment(url + i, j - i))
			return 1;
		i = j;
	}
	return 0;
}

/* Drops a last path segment equal to seg; returns 1 when it did. */
static int drop_last(const char *url, size_t *len, const char *seg)
{
	size_t n = strlen(seg);
	size_t start = path_start(url, *len);
	if (*len < start + n + 1 || url[*len - n - 1] != '/' || memcmp(url + *len - n, seg, n))
		return 0;
	*len -= n + 1;
	return 1;
}

int providers_base_url(enum wire_kind kind, const char *url, struct buf *out)
{
	size_t len = strlen(url);
	int exact = len && url[len - 1] == '#';
	len -= (size_t)exact;
	while (len && url[len - 1] == '/')
		len--;
	int add_v1 = 0;
	if (!exact) {
		switch (kind) {
		case WIRE_OPENAI:
		case WIRE_RESPONSES:
			add_v1 = !has_version_segment(url, len);
			break;
		case WIRE_ANTHROPIC:
			drop_last(url, &len, "v1");
			break;
		case WIRE_GEMINI:
			if (!drop_last(url, &len, "v1beta"))
				drop_last(url, &len, "v1");
			break;
		case WIRE_OLLAMA:
			drop_last(url, &len, "chat");
			drop_last(url, &len, "api");
			drop_last(url, &len, "v1");
			break;
		case WIRE_AZURE:
			drop_last(url, &len, "openai");
			break;
		case WIRE_BEDROCK:
			break;
		case WIRE_VERTEX:
		case WIRE_VERTEX_ANTHROPIC:
			/* the request path starts with /v1/projects/... */
			drop_last(url, &len, "v1");
			break;
		}
	}
	buf_reset(out);
	if (buf_append(out, url, len) < 0 || (add_v1 && buf_append_str(out, "/v1") < 0))
		return -1;
	return 0;
}

struct provider *providers_find(const struct provider_list *list, const char *name)
{
	if (!list || !name)
		return NULL;
	for (size_t i = 0; i < list->n; i++)
		if (list->v[i].name && strcmp(list->v[i].name, name) == 0)
			return &list->v[i];
	return NULL;
}

struct provider *providers_add(struct provider_list *list, const char *name)
{
	struct provider *p = providers_find(list, name);
	if (p)
		return p;
	char *copy = strdup(name);
	if (!copy)
		return NULL;
	struct provider *v = realloc(list->v, (list->n + 1) * sizeof *v);
	if (!v) {
		free(copy);
		return NULL;
	}
	list->v = v;
	p = &v[list->n++];
	memset(p, 0, sizeof *p);
	p->name = copy;
	return p;
}

static void provider_clear(struct provider *p)
{
	free(p->name);
	free(p->base_url);
	free(p->key_env);
	free(p->key_command);
	free(p->policy_url);
	free(p->api_version);
	free(p->anthropic_url);
	free(p->region);
	free(p->project);
	for (size_t i = 0; i < p->nmodels; i++)
		free(p->models[i]);
	free(p->models);
	for (size_t i = 0; i < p->nmodel_caps; i++)
		free(p->model_caps[i].id);
	free(p->model_caps);
	for (size_t i = 0; i < p->ndefault_models; i++)
		free(p->default_models[i]);
	free(p->default_models);
	for (size_t i = 0; i < p->nheaders; i++) {
		free(p->headers[i].name);
		free(p->headers[i].value);
	}
	free(p->headers);
	memset(p, 0, sizeof *p);
}

void providers_free(struct provider_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->n; i++)
		provider_clear(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

static int is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_';
}

/* A port of 1..65535 written in decimal, or -1. */
static long parse_port(const char *s, size_t len)
{
	if (len == 0 || len > 5)
		return -1;
	long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535 ? v : -1;
}

/*
 * OLLAMA_HOST read the way Ollama's own client reads it (envconfig.Host):
 * quotes and spaces trimmed; "host", "host:port", ":port", "[v6]:port" or
 * "scheme://host[:port][/path]"; without a scheme http and port 11434, with
 * http:// port 80, with https:// port 443; a bad port falls back to the
 * default. Unlike a server, a client cannot talk to the wildcard address, so
 * 0.0.0.0, :: and an empty host mean this machine. Anything else odd (another
 * scheme, characters that do not belong in a host) gives the default URL.
 */
static int ollama_url(const char *env, struct buf *out)
{
	const char *s = env ? env : "";
	size_t len = strlen(s);
	static const char trim[] = " \t\r\n\"'";
	while (len && strchr(trim, s[0])) {
		s++;
		len--;
	}
	while (len && strchr(trim, s[len - 1]))
		len--;

	const char *scheme = "http";
	const char *def_port = "11434";
	const char *sep = len >= 3 ? strstr(s, "://") : NULL;
	if (sep && (size_t)(sep - s) < len) {
		size_t slen = (size_t)(sep - s);
		if (slen == 4 && strncasecmp(s, "http", 4) == 0) {
			def_port = "80";
		} else if (slen == 5 && strncasecmp(s, "https", 5) == 0) {
			scheme = "https";
			def_port = "443";
		} else {
			return buf_append_str(out, OLLAMA_DEFAULT);
		}
		len -= slen + 3;
		s = sep + 3;
	} else if (len == 10 && strncmp(s, "ollama.com", 10) == 0) {
		/* Ollama's special case: the hosted service. */
		return buf_append_str(out, "https://ollama.com:443");
	}

	const char *slash = memchr(s, '/', len);
	size_t hp_len = slash ? (size_t)(slash - s) : len;
	const char *path = slash ? slash + 1 : "";
	size_t path_len = slash ? len - hp_len - 1 : 0;
	while (path_len && path[path_len - 1] == '/')
		path_len--;

	char host[INET6_ADDRSTRLEN + 1] = "";
	const char *h = s;
	size_t h_len = hp_len;
	const char *port_s = NULL;
	size_t port_len = 0;
	int colons = 0;
	for (size_t i = 0; i < hp_len; i++)
		colons += s[i] == ':';
	if (hp_len && s[0] == '[') {
		const char *close = memchr(s, ']', hp_len);
		if (!close)
			return buf_append_str(out, OLLAMA_DEFAULT);
		h = s + 1;
		h_len = (size_t)(close - h);
		if ((size_t)(close + 1 - s) < hp_len) {
			if (close[1] != ':')
				return buf_append_str(out, OLLAMA_DEFAULT);
			port_s = close + 2;
			port_len = hp_len - (size_t)(port_s - s);
		}
	} else if (colons == 1) {
		const char *colon = memchr(s, ':', hp_len);
		h_len = (size_t)(colon - s);
		port_s = colon + 1;
		port_len = hp_len - h_len - 1;
	}

	char port[8];
	long pv = port_s ? parse_port(port_s, port_len) : -1;
	if (pv > 0)
		snprintf(port, sizeof port, "%ld", pv);
	else
		snprintf(port, sizeof port, "%s", def_port);

	/* An IP address is written in its canonical form; a name must look like one. */
	int v6 = 0;
	if (h_len < sizeof host) {
		char lit[INET6_ADDRSTRLEN + 1];
		memcpy(lit, h, h_len);
		lit[h_len] = '\0';
		unsigned char addr[16];
		if (inet_pton(AF_INET6, lit, addr) == 1) {
			static const unsigned char any[16];
			if (memcmp(addr, any, sizeof any) == 0)
				addr[15] = 1;
			inet_ntop(AF_INET6, addr, host, sizeof host);
			v6 = 1;
		} else if (inet_pton(AF_INET, lit, addr) == 1) {
			if (memcmp(addr, "\0\0\0\0", 4) == 0)
				memcpy(addr, "\x7f\0\0\x01", 4);
			inet_ntop(AF_INET, addr, host, sizeof host);
		}
	}
	int rc = buf_printf(out, "%s://", scheme);
	if (v6)
		rc |= buf_printf(out, "[%s]", host);
	else if (host[0])
		rc |= buf_append_str(out, host);
	else if (h_len == 0)
		rc |= buf_append_str(out, "127.0.0.1");
	else {
		for (size_t i = 0; i < h_len; i++) {
			if (!is_host_char(h[i])) {
				buf_reset(out);
				return buf_append_str(out, OLLAMA_DEFAULT);
			}
		}
		rc |= buf_append(out, h, h_len);
	}
	rc |= buf_printf(out, ":%s", port);
	if (path_len) {
		for (size_t i = 0; i < path_len; i++) {
			unsigned char c = (unsigned char)path[i];
			if (c <= ' ' || c == 0x7f || c == '?' || c == '#') {
				buf_reset(out);
				return buf_append_str(out, OLLAMA_DEFAULT);
			}
		}
		rc |= buf_append_char(out, '/');
		rc |= buf_append(out, path, path_len);
	}
	return rc ? -1 : 0;
}

static int dup_opt(char **dst, const char *src)
{
	if (!src) {
		*dst = NULL;
		return 0;
	}
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

/* Copies the row's NULL-terminated model list into p->default_models. */
static int copy_defaults(struct provider *p, const char *const *models)
{
	size_t n = 0;
	while (n < PROVIDERS_MAX_DEFAULT_MODELS && models[n])
		n++;
	if (!n)
		return 0;
	if (!(p->default_models = calloc(n, sizeof *p->default_models)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!(p->default_models[i] = strdup(models[i])))
			return -1;
		p->ndefault_models = i + 1;
	}
	return 0;
}

int providers_region_url(struct provider *p)
{
	if (!p->region_url || !p->region)
		return 0;
	struct buf url = BUF_INIT;
	int r;
	if (p->kind == WIRE_BEDROCK)
		r = buf_printf(&url, "https://bedrock-runtime.%s.amazonaws.com", p->region);
	else if (!strcmp(p->region, "global"))
		r = buf_append_str(&url, "https://aiplatform.googleapis.com");
	else
		r = buf_printf(&url, "https://%s-aiplatform.googleapis.com", p->region);
	char *s = r == 0 ? buf_steal(&url) : NULL;
	buf_free(&url);
	if (!s)
		return -1;
	free(p->base_url);
	p->base_url = s;
	return 0;
}

/* The first of the variables that is set and not empty, else fallback. */
static const char *env_first(providers_env_fn env, const char *a, const char *b,
			     const char *fallback)
{
	const char *v = env ? env(a) : NULL;
	if ((!v || !*v) && b && env)
		v = env(b);
	return v && *v ? v : fallback;
}

/* The region (and project) a region-based preset starts from: the SDKs' variables. */
static int preset_region(struct provider *p, providers_env_fn env)
{
	const char *region, *project = NULL;
	if (p->kind == WIRE_BEDROCK) {
		region = env_first(env, "AWS_REGION", "AWS_DEFAULT_REGION",
				   PROVIDERS_BEDROCK_REGION);
	} else {
		region = env_first(env, "GOOGLE_CLOUD_LOCATION", NULL, PROVIDERS_VERTEX_REGION);
		project = env_first(env, "GOOGLE_CLOUD_PROJECT", NULL, NULL);
	}
	p->region_url = 1;
	if (dup_opt(&p->region, region) < 0 || dup_opt(&p->project, project) < 0)
		return -1;
	return providers_region_url(p);
}

size_t providers_preset_total(void)
{
	return providers_preset_count;
}

int providers_presets(struct provider_list *list, providers_env_fn env)
{
	list->v = NULL;
	list->n = 0;
	for (size_t i = 0; i < providers_preset_count; i++) {
		const struct preset *ps = &providers_preset_table[i];
		struct provider *p = providers_add(list, ps->name);
		if (!p)
			goto oom;
		p->kind = ps->kind;
		p->key_optional = (ps->flags & PRESET_KEY_OPTIONAL) != 0;
		p->unverified = ps->flags & (PROVIDER_UNVERIFIED_KEY_ENV | PROVIDER_UNVERIFIED_POLICY);
		p->preset = 1;
		if (ps->flags & PRESET_GCLOUD_TOKEN)
			p->key_ttl = PROVIDERS_VERTEX_KEY_TTL;
		if (dup_opt(&p->key_env, ps->key_env) < 0 ||
		    dup_opt(&p->policy_url, ps->policy_url) < 0 ||
		    dup_opt(&p->anthropic_url, ps->anthropic_url) < 0 ||
		    dup_opt(&p->key_command,
			    ps->flags & PRESET_GCLOUD_TOKEN ? PRESET_GCLOUD_COMMAND : NULL) < 0 ||
		    dup_opt(&p->api_version,
			    ps->kind == WIRE_AZURE ? PROVIDERS_AZURE_API_VERSION : NULL) < 0 ||
		    copy_defaults(p, ps->models) < 0)
			goto oom;
		if (ps->kind == WIRE_OLLAMA) {
			struct buf url = BUF_INIT;
			if (ollama_url(env ? env("OLLAMA_HOST") : NULL, &url) < 0 ||
			    !(p->base_url = buf_steal(&url))) {
				buf_free(&url);
				goto oom;
			}
		} else if (ps->kind == WIRE_BEDROCK || ps->kind == WIRE_VERTEX ||
			   ps->kind == WIRE_VERTEX_ANTHROPIC) {
			if (preset_region(p, env) < 0)
				goto oom;
		} else if (dup_opt(&p->base_url, ps->base_url) < 0) {
			goto oom;
		}
	}
	return 0;
oom:
	providers_free(list);
	return -1;
}

/* Fills the fields of *out still unknown from c; returns the bits it filled. */
static unsigned caps_merge(struct model_caps *out, const struct model_caps *c)
{
	unsigned got = 0;
	if (out->vision == MODEL_CAP_UNKNOWN && c->vision != MODEL_CAP_UNKNOWN) {
		out->vision = c->vision;
		got |= MODEL_CAPS_VISION;
	}
	if (out->reasoning == MODEL_CAP_UNKNOWN && c->reasoning != MODEL_CAP_UNKNOWN) {
		out->reasoning = c->reasoning;
		got |= MODEL_CAPS_REASONING;
	}
	if (out->tools == MODEL_CAP_UNKNOWN && c->tools != MODEL_CAP_UNKNOWN) {
		out->tools = c->tools;
		got |= MODEL_CAPS_TOOLS;
	}
	if (!out->context && c->context > 0) {
		out->context = c->context;
		got |= MODEL_CAPS_CONTEXT;
	}
	return got;
}

/* The table's row for model under provider (NULL: the any-provider row), or NULL. */
static const struct preset_caps *caps_row(const char *provider, const char *model)
{
	for (size_t i = 0; i < providers_caps_count; i++) {
		const struct preset_caps *r = &providers_caps_table[i];
		if (strcmp(r->model, model) != 0)
			continue;
		if (provider ? r->provider && strcmp(r->provider, provider) == 0 : !r->provider)
			return r;
	}
	return NULL;
}

unsigned providers_caps(const struct provider *p, const char *model, struct model_caps *out)
{
	*out = (struct model_caps){MODEL_CAP_UNKNOWN, MODEL_CAP_UNKNOWN, MODEL_CAP_UNKNOWN, 0};
	if (!model)
		return 0;
	unsigned got = 0;
	for (size_t i = 0; p && i < p->nmodel_caps; i++)
		if (strcmp(p->model_caps[i].id, model) == 0)
			got |= caps_merge(out, &p->model_caps[i].caps);
	const struct preset_caps *rows[2] = {p ? caps_row(p->name, model) : NULL,
					     caps_row(NULL, model)};
	for (size_t i = 0; i < 2; i++) {
		if (!rows[i])
			continue;
		struct model_caps c = {rows[i]->vision, rows[i]->reasoning, rows[i]->tools,
				       rows[i]->context};
		got |= caps_merge(out, &c);
	}
	return got;
}
