/* providers: the preset table and the provider records built from it and config. */
#ifndef CHERRY_PROVIDERS_H
#define CHERRY_PROVIDERS_H

#include <stddef.h>

#include "cherry/provider_kinds.h"

struct buf;

/* The region a bedrock provider uses when neither config nor AWS_REGION /
 * AWS_DEFAULT_REGION names one, and a vertex one without GOOGLE_CLOUD_LOCATION. */
#define PROVIDERS_BEDROCK_REGION "us-east-1"
#define PROVIDERS_VERTEX_REGION "global"
/* Seconds a token from a vertex provider's key_command is kept: Google's access tokens
 * last an hour; a little less leaves room for a long answer. */
#define PROVIDERS_VERTEX_KEY_TTL 3000

/* The api-version an azure provider uses when config names none (a GA version). */
#define PROVIDERS_AZURE_API_VERSION "2024-10-21"

struct provider_header {
	char *name;
	char *value;
};

/* What a model can do: each flag is an enum model_cap (provider_kinds.h); context is in
 * tokens, 0 when unknown. */
struct model_caps {
	signed char vision;    /* takes images */
	signed char reasoning; /* thinks before answering (a reasoning or thinking mode) */
	signed char tools;     /* native function/tool calling */
	long context;          /* context window in tokens; 0: unknown */
};

/* The bits providers_caps returns: which fields of its answer are known. */
#define MODEL_CAPS_VISION 0x1u
#define MODEL_CAPS_REASONING 0x2u
#define MODEL_CAPS_TOOLS 0x4u
#define MODEL_CAPS_CONTEXT 0x8u

/* A model named in config as an object: its capabilities override the built-in table. */
struct provider_model {
	char *id;
	struct model_caps caps; /* MODEL_CAP_UNKNOWN / 0 where config said nothing */
};

struct provider {
	char *name;         /* "openai", or a name from config */
	enum wire_kind kind;
	char *base_url;     /* no trailing slash */
	char *key_env;      /* conventional key variable; NULL when there is none */
	char *key_command;  /* config: a shell command printing the key; NULL when unset */
	int key_optional;   /* works without a key (local servers) */
	char *policy_url;   /* the provider's privacy policy; NULL when unknown */
	char *api_version;  /* azure: the api-version query parameter */
	char *anthropic_url; /* the provider's Anthropic-compatible base, or NULL */
	char *region;       /* bedrock, vertex: where requests go (config or environment) */
	char *project;      /* vertex: the Google Cloud project id; NULL until set */
	long key_ttl;       /* seconds a key_command's output is kept; 0: the whole run */
	int region_url;     /* base_url was made from region (not set in config) */
	char **models;      /* models named in config */
	size_t nmodels;
	struct provider_model *model_caps; /* config's object entries, by id */
	size_t nmodel_caps;
	char **default_models; /* the preset's few current models (not from config) */
	size_t ndefault_models;
	unsigned unverified; /* PROVIDER_UNVERIFIED_* bits */
	struct provider_header *headers; /* extra headers from config */
	size_t nheaders;
	int preset;         /* came from the built-in table */
	int configured;     /* named in config.json (added or overridden) */
};

struct provider_list {
	struct provider *v;
	size_t n;
};

/* An environment lookup: getenv, or a test's own table. The pure modules take one
 * instead of calling getenv, so what they see of the world is what the caller gives. */
typedef char *(*providers_env_fn)(const char *name);

/* Fills list with a copy of every built-in preset. Returns 0 or -1 (OOM).
 * env lets OLLAMA_HOST be read; NULL means no environment (the default URL). */
int providers_presets(struct provider_list *list, providers_env_fn env);
/* A region-based kind (bedrock, vertex) whose base URL config did not set: base_url
 * made again from region ("https://bedrock-runtime.REGION.amazonaws.com",
 * "https://REGION-aiplatform.googleapis.com", or "https://aiplatform.googleapis.com"
 * for the global region). 0, or -1 on OOM; other kinds are left alone. */
int providers_region_url(struct provider *p);
/* The number of built-in presets (the length of the list providers_presets fills). */
size_t providers_preset_total(void);
struct provider *providers_find(const struct provider_list *list, const char *name);
/* Adds an empty provider named name (or returns the existing one). NULL on OOM. */
struct provider *providers_add(struct provider_list *list, const char *name);
void providers_free(struct provider_list *list);

/*
 * What model can do on provider p: config's object entry for it first, field by field,
 * then the built-in capability table (presets_caps.c: a row for this provider, else a
 * row for the model under any provider). Fills *out (MODEL_CAP_UNKNOWN and context 0
 * where nothing is known) and returns the MODEL_CAPS_* bits of the fields that are
 * known; 0 when nothing is. p may be NULL (the table's any-provider rows only).
 */
unsigned providers_caps(const struct provider *p, const char *model, struct model_caps *out);

/*
 * A base URL from config, read the way Cherry Studio users write them: trailing
 * slashes dropped; a trailing '#' means "exactly this" (the '#' is dropped, nothing
 * else changes); otherwise openai gets /v1 unless its path already has a version
 * segment (/v1, /v4, /v2beta...), and the kinds whose request path carries its own
 * version lose a copy of it at the end (anthropic /v1; gemini /v1beta or /v1; ollama
 * /v1, /api and /chat; azure /openai). Replaces out's content. 0, or -1 on OOM.
 */
int providers_base_url(enum wire_kind kind, const char *url, struct buf *out);

const char *wire_kind_name(enum wire_kind kind);
/* Returns 0 and sets *kind, or -1 when name is not a kind. */
int wire_kind_parse(const char *name, enum wire_kind *kind);

/* Splits "provider/model/with/slashes" at the first '/'. Returns 0 or -1
 * when either part is empty. Pointers point into spec; lengths are given. */
int model_spec_split(const char *spec, const char **prov, size_t *prov_len,
		     const char **model);

#endif
