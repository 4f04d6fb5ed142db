/* app: what every command shares: the configuration and the key lookup. */
#ifndef CHERRY_APP_H
#define CHERRY_APP_H

#include <stdio.h>

#include "cherry/config.h"
#include "cherry/http.h"
#include "cherry/keys.h"

struct app {
	struct config cfg;
	struct passphrase_opts kopts;
	struct keyring *keyring;
};

/* Each command takes its own argv (argv[0] is the command name) and returns
 * an exit status (enum cherry_exit). */
int ask_main(struct app *app, int argc, char **argv);
int models_main(struct app *app, int argc, char **argv);
int providers_main(struct app *app, int argc, char **argv);
/* `cherry mcp` (cmd_mcp.c). */
int mcp_main(struct app *app, int argc, char **argv);
/* The full-screen client (tui.c); argv holds its options only (-m, -a, -c). */
int tui_main(struct app *app, int argc, char **argv);

/* Prints "cherry: <line>" on stderr, sanitised, and returns e->code. */
int app_fail(const struct err *e);
/* Prints a usage error line on stderr, sanitised, and returns EXIT_USAGE. */
int app_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes the formatted text to f through the sanitiser: for messages that quote paths,
 * names or anything else from outside (newlines are kept). */
void app_say(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as one terminal-safe line for one-per-line listings: control characters,
 * newlines included, become visible escapes (\n, \t, \r, \xHH), then the sanitiser
 * drops escape sequences, C1, bidi and tag characters. 0 or -1 (OOM). */
int app_line_safe(const char *s, size_t len, struct buf *out);
/* The choice (a NULL-terminated list) a mistyped word most likely meant: one at most
 * two edits (a swap of neighbours counts as one) away, or the one that starts with it;
 * NULL when none is close or two are equally close. */
const char *app_suggest(const char *word, const char *const *choices);
/* Replaces every occurrence of the key in an error line before it is shown. */
void app_redact(struct err *e, const struct secret *key);
/* The engine options from config. */
struct http_opts app_http_opts(const struct app *app);
/* Resolves "provider/model" (or the default model when spec is NULL). */
int app_resolve_model(const struct app *app, const char *spec, struct provider **prov,
		      const char **model, struct err *e);
/* Every model the client can offer as "provider/model", without duplicates: favourites
 * first, then default_model, then each configured provider's config "models", then the
 * preset default models of each provider whose key variable is set, then the
 * cached lists `cherry models` wrote (read from $XDG_CACHE_HOME/cherry, never fetched
 * here; stale caches are still used). Caller frees with app_models_free. 0 or -1 (OOM). */
int app_known_models(const struct app *app, char ***list, size_t *n);
void app_models_free(char **list, size_t n);
/* The client's background fetch of the model lists app_known_models offers: every
 * provider `cherry models` would list (configured, in favourites or default_model, or
 * with a key in the environment) whose cached list is missing or a day old, with keys
 * from the environment only, on eng. done(ctx) runs once when every list has ended
 * (from inside http_perform); failures are silent. NULL when there is nothing to fetch.
 * Free after done (it cancels nothing: the engine keeps running transfers). */
struct model_fetch;
struct model_fetch *app_models_fetch(struct app *app, struct http_engine *eng,
				     void (*done)(void *ctx), void *ctx);
void app_models_fetch_free(struct model_fetch *f);

#endif
