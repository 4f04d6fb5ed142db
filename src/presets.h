/* presets: the shape of one row of the built-in provider table (src/presets.c), private to
 * providers.c, which turns rows into struct provider records. */
#ifndef CHERRY_PRESETS_H
#define CHERRY_PRESETS_H

#include <stddef.h>

#include "cherry/provider_kinds.h"

/* Row flags: the PROVIDER_UNVERIFIED_* bits, plus this one. */
#define PRESET_KEY_OPTIONAL 0x100u /* a local server: works without a key */
#define PRESET_GCLOUD_TOKEN 0x200u /* the key is a Google access token: key_command is
				    * PRESET_GCLOUD_COMMAND, kept PROVIDERS_VERTEX_KEY_TTL */
#define PRESET_GCLOUD_COMMAND "gcloud auth print-access-token"

struct preset {
	const char *name;          /* cherry's name; Cherry Studio's id where it differs is noted */
	enum wire_kind kind;
	const char *base_url;      /* as requests use it (version included); NULL: user-set,
				    * or made from the region (bedrock, vertex) */
	const char *key_env;       /* NULL only with PRESET_KEY_OPTIONAL or _GCLOUD_TOKEN */
	unsigned flags;            /* PRESET_KEY_OPTIONAL | PRESET_GCLOUD_TOKEN |
				    * PROVIDER_UNVERIFIED_* */
	const char *policy_url;    /* NULL: not verified (flag PROVIDER_UNVERIFIED_POLICY) */
	const char *anthropic_url; /* the Anthropic-compatible base, or NULL */
	const char *models[PROVIDERS_MAX_DEFAULT_MODELS + 1]; /* NULL-terminated */
};

/* One row of the capability table: what a model can do (MODEL_CAP_* values). */
struct preset_caps {
	const char *provider; /* NULL: the model under any provider */
	const char *model;
	signed char vision, reasoning, tools;
	long context; /* tokens; 0: unknown */
};

extern const struct preset providers_preset_table[];
extern const size_t providers_preset_count;
extern const struct preset_caps providers_caps_table[];
extern const size_t providers_caps_count;

#endif
