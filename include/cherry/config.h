/* config: config.json (PRODUCT §3) parsed with jansson into plain values. */
#ifndef CHERRY_CONFIG_H
#define CHERRY_CONFIG_H

#include <stdio.h>

#include <jansson.h>

#include "cherry/err.h"
#include "cherry/providers.h"

struct config {
	char *path;                 /* the file read, or NULL when there was none */
	char *default_model;        /* NULL when unset */
	char **favorites;
	size_t nfavorites;
	struct provider_list providers; /* presets, overridden and extended by config */
	json_t *assistants;         /* kept as JSON for later use (may be NULL) */
	json_t *keys;               /* key rebinding table (may be NULL) */
	json_t *ui;                 /* ui options (may be NULL) */
	json_t *prices;             /* "provider/model": {input, output} USD per 1M tokens */
	double connect_timeout;     /* seconds; default 15 */
	double stall_timeout;       /* seconds without a byte = stalled; default 120 */
	int max_retries;            /* default 2 */
	char *ca_file;              /* extra CA bundle; NULL for the system's */
	char *passphrase_command;   /* vault.passphrase_command */
	int telemetry_enabled;
	char *telemetry_endpoint;
};

/* Warnings (unknown keys and the like) go through this, one line each. */
typedef void (*config_warn_fn)(void *ctx, const char *line);

/* env is the environment the presets may read (OLLAMA_HOST): main passes getenv,
 * tests their own table; NULL means no environment. */

/* Parses text (the contents of the file named filename) on top of the presets.
 * Invalid JSON or wrong types: -1, with e naming file, line and column.
 * Unknown keys: one warning each, naming file and key. */
int config_parse(struct config *c, const char *text, size_t len, const char *filename,
		 providers_env_fn env, config_warn_fn warn, void *warn_ctx, struct err *e);
/* Defaults and presets only, as with no config file. */
int config_defaults(struct config *c, providers_env_fn env);
/* Reads path (a missing file is fine: defaults); other errors go to e. */
int config_load(struct config *c, const char *path, providers_env_fn env, config_warn_fn warn,
		void *warn_ctx, struct err *e);
void config_free(struct config *c);
/* The prices of "provider/model" (USD per million tokens; a price not given is 0):
 * 1, or 0 when config.json "prices" does not list it (no price is ever guessed). */
int config_price(const struct config *c, const char *spec, double *in, double *out);

#endif
