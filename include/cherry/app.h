/* app: what every command shares: the configuration and the key lookup. */
#ifndef CHERRY_APP_H
#define CHERRY_APP_H

#include "cherry/config.h"
#include "cherry/http.h"
#include "cherry/keys.h"

struct app {
	struct config cfg;
	struct keyring_opts kopts;
	struct keyring *keyring;
};

/* Each command takes its own argv (argv[0] is the command name) and returns
 * an exit status (enum cherry_exit). */
int ask_main(struct app *app, int argc, char **argv);
int models_main(struct app *app, int argc, char **argv);
int providers_main(struct app *app, int argc, char **argv);

/* Prints "cherry: <line>" on stderr, sanitised, and returns e->code. */
int app_fail(const struct err *e);
/* Prints a usage error line on stderr and returns EXIT_USAGE. */
int app_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The engine options from config. */
struct http_opts app_http_opts(const struct app *app);
/* Resolves "provider/model" (or the default model when spec is NULL). */
int app_resolve_model(const struct app *app, const char *spec, struct provider **prov,
		      const char **model, struct err *e);

#endif
