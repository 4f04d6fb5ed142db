/* cmd_providers: `cherry providers`: every provider, where its key would come from,
 * and where to read its privacy policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/app.h"
#include "cherry/sanitize.h"

static void key_source(const struct provider *p, struct buf *out)
{
	const char *v = p->key_env ? getenv(p->key_env) : NULL;
	/* A variable no provider document names is cherry's convention: say so. */
	const char *mark = p->unverified & PROVIDER_UNVERIFIED_KEY_ENV ? " (unverified)" : "";
	if (v && *v)
		buf_printf(out, "%s%s (set)", p->key_env, mark);
	else if (p->key_optional)
		buf_append_str(out, "none needed");
	else if (p->key_env)
		buf_printf(out, "%s%s%s or vault", p->key_env, mark,
			   p->key_command ? ", key_command" : "");
	else
		buf_append_str(out, p->key_command ? "key_command or vault" : "vault");
}

static size_t max_len(size_t a, size_t b)
{
	return a > b ? a : b;
}

int providers_main(struct app *app, int argc, char **argv)
{
	if (argc > 1)
		return app_usage("providers takes no arguments (got \"%s\")", argv[1]);
	const struct provider_list *list = &app->cfg.providers;
	size_t n = list->n;
	struct buf *cells = calloc(n * 5 + 5, sizeof *cells);
	if (!cells) {
		struct err e;
		err_set(&e, EXIT_FAIL, "out of memory");
		return app_fail(&e);
	}
	static const char *const head[5] = {"NAME", "KIND", "BASE URL", "KEY", "PRIVACY POLICY"};
	size_t width[5] = {0};
	for (size_t c = 0; c < 5; c++) {
		buf_append_str(&cells[c], head[c]);
		width[c] = strlen(head[c]);
	}
	for (size_t r = 0; r < n; r++) {
		const struct provider *p = &list->v[r];
		struct buf *row = &cells[(r + 1) * 5];
		/* Names and URLs can come from config: keep them terminal-safe. */
		sanitize_string(p->name, strlen(p->name), &row[0]);
		buf_append_str(&row[1], wire_kind_name(p->kind));
		if (p->base_url && *p->base_url)
			sanitize_string(p->base_url, strlen(p->base_url), &row[2]);
		else
			buf_append_str(&row[2], "(set base_url in config.json)");
		if (p->anthropic_url && p->kind != WIRE_ANTHROPIC) {
			buf_append_str(&row[2], " (anthropic: ");
			sanitize_string(p->anthropic_url, strlen(p->anthropic_url), &row[2]);
			buf_append_char(&row[2], ')');
		}
		key_source(p, &row[3]);
		if (p->policy_url)
			sanitize_string(p->policy_url, strlen(p->policy_url), &row[4]);
		else if (p->unverified & PROVIDER_UNVERIFIED_POLICY)
			buf_append_str(&row[4], "(unverified: see the provider's site)");
		else
			buf_append_str(&row[4], "(unknown: see the provider's site)");
		for (size_t c = 0; c < 5; c++)
			width[c] = max_len(width[c], row[c].len);
	}
	for (size_t r = 0; r <= n; r++) {
		struct buf *row = &cells[r * 5];
		for (size_t c = 0; c < 5; c++) {
			const char *s = row[c].data ? row[c].data : "";
			if (c < 4)
				printf("%-*s  ", (int)width[c], s);
			else
				printf("%s\n", s);
		}
	}
	for (size_t k = 0; k < n * 5 + 5; k++)
		buf_free(&cells[k]);
	free(cells);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}
