/* config_int: what config.c (the file, its sections, the shared checks) shares with
 * config_providers.c (the "providers" section). Private to src/. */
#ifndef CHERRY_CONFIG_INT_H
#define CHERRY_CONFIG_INT_H

#include <jansson.h>

#include "cherry/config.h"

/* A context window claimed in config: far above any model's, below long overflow. */
#define MAX_CONTEXT_TOKENS 100000000L

struct config_ctx {
	const char *file;
	config_warn_fn warn;
	void *warn_ctx;
	struct err *e;
};

/* Fails the parse with "FILE: " and the message (control characters made safe). -1. */
int config_fail(struct config_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Warns about every key of obj not in known (NULL-terminated). */
void config_check_keys(struct config_ctx *x, json_t *obj, const char *prefix,
		       const char *const *known);
int config_has_ctl(const char *s);
int config_is_provider_name(const char *s);
int config_is_env_name(const char *s);
int config_is_http_url(const char *s);
/* Replaces *dst with a copy of src (or NULL). */
int config_set_str(struct config_ctx *x, char **dst, const char *src);
/* A string, or null (NULL); an empty string is the same as null. */
int config_get_str_or_null(struct config_ctx *x, json_t *v, const char *path, char **dst);
void config_free_strv(char **v, size_t n);

/* config_providers.c: the "providers" object into c->providers. */
int config_parse_providers(struct config_ctx *x, struct config *c, json_t *obj);

#endif
