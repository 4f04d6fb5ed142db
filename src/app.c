/* app: helpers every command shares: error lines, usage lines, model names. */
#include "cherry/app.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cherry/sanitize.h"

int app_fail(const struct err *e)
{
	struct buf line = BUF_INIT;
	/* Error text may come from a provider: never let it drive the terminal. */
	if (sanitize_string(e->msg, strlen(e->msg), &line) == 0)
		fprintf(stderr, "cherry: %s\n", line.data ? line.data : "");
	else
		fprintf(stderr, "cherry: out of memory\n");
	buf_free(&line);
	return e->code ? e->code : EXIT_OK;
}

int app_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("cherry: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_USAGE;
}

struct http_opts app_http_opts(const struct app *app)
{
	struct http_opts o = {
		.connect_timeout = app->cfg.connect_timeout,
		.stall_timeout = app->cfg.stall_timeout,
		.max_retries = app->cfg.max_retries,
		.ca_file = app->cfg.ca_file,
	};
	return o;
}

int app_resolve_model(const struct app *app, const char *spec, struct provider **prov,
		      const char **model, struct err *e)
{
	if (!spec)
		spec = app->cfg.default_model;
	if (!spec && app->cfg.nfavorites)
		spec = app->cfg.favorites[0];
	if (!spec) {
		err_set(e, EXIT_USAGE, "no model chosen: use -m PROVIDER/MODEL "
			"(e.g. -m openai/gpt-4o-mini) or set \"default_model\" in config.json");
		return -1;
	}
	const char *pname;
	size_t plen;
	if (model_spec_split(spec, &pname, &plen, model) < 0) {
		err_set(e, EXIT_USAGE, "model \"%s\" must be written PROVIDER/MODEL, "
			"e.g. openai/gpt-4o-mini (cherry providers lists the providers)", spec);
		return -1;
	}
	char name[128];
	if (plen >= sizeof name) {
		err_set(e, EXIT_USAGE, "unknown provider in \"%s\" (cherry providers lists them)", spec);
		return -1;
	}
	memcpy(name, pname, plen);
	name[plen] = '\0';
	*prov = providers_find(&app->cfg.providers, name);
	if (!*prov) {
		err_set(e, EXIT_USAGE, "unknown provider \"%s\" (cherry providers lists them; "
			"config.json can add one)", name);
		return -1;
	}
	if (!(*prov)->base_url || !*(*prov)->base_url) {
		err_set(e, EXIT_FAIL, "provider %s has no base_url: set one for it in config.json",
			name);
		return -1;
	}
	return 0;
}

void app_redact(struct err *e, const struct secret *key)
{
	if (!key || key->len < 4)
		return;
	char *p;
	while ((p = strstr(e->msg, key->s))) {
		static const char mark[] = "[redacted]";
		size_t rest = strlen(p + key->len);
		size_t mlen = sizeof mark - 1;
		if (key->len >= mlen) {
			memcpy(p, mark, mlen);
			memmove(p + mlen, p + key->len, rest + 1);
		} else {
			memset(p, '*', key->len);
		}
	}
}
