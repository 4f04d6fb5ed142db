/* config: config.json (PRODUCT §3) parsed with jansson into plain values. */
#ifndef CHERRY_CONFIG_H
#define CHERRY_CONFIG_H

#include <stdio.h>

#include <jansson.h>

#include "cherry/err.h"
#include "cherry/providers.h"

/* One entry of config.json "mcp_servers" (or Claude Desktop's "mcpServers"): a stdio
 * server (command) or a Streamable HTTP one (url). Parsed by config_mcp.c. */
struct config_mcp_server {
	char *name;         /* the key: letters, digits, '.', '_', '-' (it names the log file) */
	char *command;      /* stdio: run directly, no shell; NULL for a url server */
	char **args;
	size_t nargs;
	char **env_names;   /* added over the minimal environment a child gets */
	char **env_values;
	size_t nenv;
	char *cwd;          /* NULL: cherry's own */
	char *url;          /* Streamable HTTP: NULL for a stdio server */
	char **header_names;
	char **header_values;
	size_t nheaders;
	char *auth_key;     /* url: the vault entry whose token goes as "Authorization:
			     * Bearer"; NULL for none */
};

/* config.json "tools": how the tool loop runs (config_tools.c). */
#define CONFIG_TOOLS_MAX_ROUNDS 20
#define CONFIG_TOOLS_MAX_RESULT_BYTES (100 * 1024)
struct config_tools {
	long max_rounds;       /* answers with tool calls per turn; 0: the default */
	long max_result_bytes; /* a result's text the model gets; 0: the default */
	char **always_allow;   /* "SERVER/TOOL" run without asking */
	size_t nalways_allow;
};

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
	int max_streams;            /* answers streaming at once in the client; default 8 */
	char *ca_file;              /* extra CA bundle; NULL for the system's */
	char *passphrase_command;   /* vault.passphrase_command */
	int telemetry_enabled;
	char *telemetry_endpoint;
	struct config_mcp_server *mcp_servers; /* in the file's order */
	size_t nmcp_servers;
	struct config_tools tools;
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
/* "mcp_servers" or "mcpServers" (key names the object in messages): appends to c's
 * servers; a name given twice is an error. Unknown keys of an entry are warnings (the
 * line goes to warn). -1 with e set ("FILE: what"). */
int config_mcp_parse(struct config *c, json_t *obj, const char *key, const char *file,
		     config_warn_fn warn, void *warn_ctx, struct err *e);
void config_mcp_free(struct config *c);
/* The server called name, or NULL. */
const struct config_mcp_server *config_mcp_find(const struct config *c, const char *name);
/* "tools": {"max_rounds", "max_result_bytes", "always_allow": ["SERVER/TOOL"]}. -1 with
 * e set ("FILE: tools.KEY ..."); unknown keys are warnings. */
int config_tools_parse(struct config *c, json_t *obj, const char *file, config_warn_fn warn,
		       void *warn_ctx, struct err *e);
void config_tools_free(struct config *c);
/* The limits, defaults filled in. */
long config_tools_max_rounds(const struct config *c);
long config_tools_max_result_bytes(const struct config *c);
/* 1 when SERVER/TOOL is in tools.always_allow. */
int config_tools_always(const struct config *c, const char *server, const char *tool);
/* Adds SERVER/TOOL to tools.always_allow in the file at path (created when missing; the
 * rest of the file is kept, written back pretty-printed, atomically) and in c. 0, or -1
 * with e (the file is not JSON, cannot be written). */
int config_tools_save_always(struct config *c, const char *path, const char *server,
			     const char *tool, struct err *e);
/* The same in the config.json read (c->path), else where it would be (made); path gets
 * which file. */
int config_tools_save_always_here(struct config *c, const char *server, const char *tool,
				  struct buf *path, struct err *e);

/* The prices of "provider/model" (USD per million tokens; a price not given is 0):
 * 1, or 0 when config.json "prices" does not list it (no price is ever guessed). */
int config_price(const struct config *c, const char *spec, double *in, double *out);

#endif
