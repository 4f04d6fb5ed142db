/* app: helpers every command shares: error lines, usage lines, model names. */
#include "cherry/app.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cherry/sanitize.h"

/* "cherry: " and the line, made one terminal-safe line (the text quotes paths, names
 * and provider messages from outside). */
static void put_error_line(const char *text, size_t len)
{
	struct buf line = BUF_INIT;
	if (app_line_safe(text, len, &line) == 0)
		fprintf(stderr, "cherry: %s\n", line.data ? line.data : "");
	else
		fprintf(stderr, "cherry: out of memory\n");
	buf_free(&line);
}

int app_fail(const struct err *e)
{
	put_error_line(e->msg, strlen(e->msg));
	return e->code ? e->code : EXIT_OK;
}

int app_usage(const char *fmt, ...)
{
	struct buf text = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int r = buf_vprintf(&text, fmt, ap);
	va_end(ap);
	if (r == 0)
		put_error_line(text.data, text.len);
	else
		fprintf(stderr, "cherry: out of memory\n");
	buf_free(&text);
	return EXIT_USAGE;
}

void app_say(FILE *f, const char *fmt, ...)
{
	struct buf text = BUF_INIT, safe = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int r = buf_vprintf(&text, fmt, ap);
	va_end(ap);
	if (r == 0 && sanitize_string(text.data, text.len, &safe) == 0 && safe.len)
		fwrite(safe.data, 1, safe.len, f);
	buf_free(&text);
	buf_free(&safe);
}

int app_line_safe(const char *s, size_t len, struct buf *out)
{
	struct buf esc = BUF_INIT;
	int r = 0;
	for (size_t i = 0; i < len && r == 0; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			r = buf_append_str(&esc, "\\n");
		else if (c == '\t')
			r = buf_append_str(&esc, "\\t");
		else if (c == '\r')
			r = buf_append_str(&esc, "\\r");
		else if (c < 0x20 || c == 0x7f)
			r = buf_printf(&esc, "\\x%02X", c);
		else
			r = buf_append_char(&esc, (char)c);
	}
	if (r == 0)
		r = sanitize_string(esc.data ? esc.data : "", esc.len, out);
	buf_free(&esc);
	return r;
}

/* Optimal string alignment distance (Damerau-Levenshtein without repeated edits of one
 * substring), capped: words longer than 32 bytes are never close. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 32 || lb > 32)
		return SIZE_MAX;
	size_t d[33][33];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

const char *app_suggest(const char *word, const char *const *choices)
{
	size_t wl = strlen(word);
	/* a short word is a guess at anything: "ls" is one edit from "rm" */
	size_t limit = wl <= 3 ? 1 : 2;
	const char *best = NULL, *prefixed = NULL;
	size_t best_d = SIZE_MAX;
	int tie = 0, prefixes = 0;
	for (size_t i = 0; choices[i]; i++) {
		if (wl >= 2 && !strncmp(choices[i], word, wl)) {
			prefixed = choices[i];
			prefixes++;
		}
		size_t d = edit_distance(word, choices[i]);
		if (d < best_d) {
			best_d = d;
			best = choices[i];
			tie = 0;
		} else if (d == best_d) {
			tie = 1;
		}
	}
	if (best_d <= limit && !tie)
		return best;
	return prefixes == 1 ? prefixed : NULL;
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
			"(e.g. -m openai/gpt-5.4) or set \"default_model\" in config.json");
		return -1;
	}
	const char *pname;
	size_t plen;
	if (model_spec_split(spec, &pname, &plen, model) < 0) {
		err_set(e, EXIT_USAGE, "model \"%s\" must be written PROVIDER/MODEL, "
			"e.g. openai/gpt-5.4 (cherry providers lists the providers)", spec);
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
