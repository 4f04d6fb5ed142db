/* cmd_models: `cherry models`: configured models plus each provider's own list,
 * fetched in parallel and cached in $XDG_CACHE_HOME/cherry/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "cherry/app.h"
#include "cherry/keys.h"
#include "cherry/fsutil.h"
#include "cherry/sanitize.h"

#define CACHE_MAX_AGE (24 * 3600) /* seconds before a cached list is fetched again */
#define CACHE_MAX_SIZE (8u << 20)

struct listing {
	struct provider *prov;
	int quiet;                 /* for the client: failures say nothing (the screen is up) */
	int ended;
	struct model_fetch *group; /* the client's fetch it belongs to, or NULL */
	int fetch;                 /* ask the provider */
	int explicit_choice;       /* named on the command line */
	json_t *models;            /* array of ids: configured first, then fetched */
	struct wire_http req;
	struct secret *key;
	struct http_transfer *t;
	int failed;                /* the exit status its failure calls for, or 0 */
};

static int cache_path(const struct provider *p, struct buf *out, struct err *e)
{
	if (xdg_dir(XDG_CACHE, out, e) < 0)
		return -1;
	buf_append_str(out, "/models-");
	/* Provider names come from config: keep the file name tame. */
	for (const char *c = p->name; *c; c++) {
		int plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_';
		if (plain)
			buf_append_char(out, *c);
		else
			buf_printf(out, "%%%02X", (unsigned char)*c);
	}
	return buf_append_str(out, ".json");
}

static void add_model(json_t *arr, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (!strcmp(json_string_value(v), id))
			return;
	json_array_append_new(arr, json_string(id));
}

/* Reads a fresh cached list; returns 1 when it was used. */
static int read_cache(struct listing *l, int refresh)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct err e;
	err_clear(&e);
	int used = 0;
	if (cache_path(l->prov, &path, &e) < 0 || fs_read_file(path.data, CACHE_MAX_SIZE, &text, &e))
		goto out;
	json_t *root = json_loadb(text.data, text.len, 0, NULL);
	json_t *fetched = json_object_get(root, "fetched");
	json_t *models = json_object_get(root, "models");
	if (json_is_integer(fetched) && json_is_array(models) &&
	    (!refresh || !l->fetch) &&
	    (!l->fetch || time(NULL) - json_integer_value(fetched) < CACHE_MAX_AGE)) {
		size_t i;
		json_t *v;
		json_array_foreach(models, i, v)
			if (json_is_string(v))
				add_model(l->models, json_string_value(v));
		used = 1;
	}
	json_decref(root);
out:
	buf_free(&path);
	buf_free(&text);
	return used;
}

static void write_cache(struct listing *l, json_t *fetched)
{
	struct buf path = BUF_INIT, dir = BUF_INIT;
	struct err e;
	err_clear(&e);
	json_t *root = json_pack("{s:s, s:I, s:O}", "provider", l->prov->name,
				 "fetched", (json_int_t)time(NULL), "models", fetched);
	struct buf text = BUF_INIT;
	size_t n = root ? json_dumpb(root, NULL, 0, JSON_INDENT(2)) : 0;
	if (n && buf_reserve(&text, n) == 0) {
		text.len = json_dumpb(root, text.data, n, JSON_INDENT(2));
		text.data[text.len] = '\0';
	}
	if (text.len && xdg_dir(XDG_CACHE, &dir, &e) == 0 && fs_mkdirs(dir.data, &e) == 0 &&
	    cache_path(l->prov, &path, &e) == 0)
		fs_write_atomic(path.data, text.data, text.len, &e);
	if (e.code)
		app_say(stderr, "cherry: warning: cannot cache the model list: %s\n", e.msg);
	buf_free(&text);
	json_decref(root);
	buf_free(&path);
	buf_free(&dir);
}

static void on_model(void *ctx, const char *id)
{
	json_array_append_new(ctx, json_string(id));
}

struct model_fetch {
	struct http_engine *eng;
	struct listing *ls;
	size_t n, running;
	void (*done)(void *ctx);
	void *ctx;
};

static void listing_ended(struct listing *l)
{
	l->ended = 1;
	if (l->group && --l->group->running == 0 && l->group->done)
		l->group->done(l->group->ctx);
}

/* A failure is one line on stderr for `cherry models`, nothing for the client. */
static void listing_fail(struct listing *l, const struct err *e)
{
	l->failed = e->code ? e->code : EXIT_FAIL;
	if (!l->quiet)
		app_fail(e);
}

static void on_done(void *ctx, struct http_transfer *t)
{
	struct listing *l = ctx;
	struct err e = *http_error(t);
	if (http_outcome(t) != HTTP_OK) {
		err_set(&e, e.code ? e.code : EXIT_NETWORK, "cannot list models of %s: %s",
			l->prov->name, http_error(t)->msg);
		listing_fail(l, &e);
		listing_ended(l);
		return;
	}
	const struct buf *body = http_body(t);
	json_t *fetched = json_array();
	if (wire_parse_models(l->prov->kind, body->data ? body->data : "", body->len, on_model,
			      fetched) < 0) {
		err_set(&e, EXIT_NETWORK, "%s: the model list is not JSON this kind of provider sends",
			l->prov->name);
		listing_fail(l, &e);
	} else {
		size_t i;
		json_t *v;
		json_array_foreach(fetched, i, v)
			add_model(l->models, json_string_value(v));
		write_cache(l, fetched);
	}
	json_decref(fetched);
	listing_ended(l);
}

/* A kind with no list to fetch (Vertex AI) whose project is set offers its preset's
 * models. */
static int chosen_listless(const struct provider *p)
{
	return !wire_lists_models(p->kind) && p->project;
}

/* "Configured or chosen": named in config, in default_model or favorites, or
 * with a key in the environment. Nothing else is contacted. */
static int chosen(const struct app *app, const struct provider *p)
{
	if (p->configured)
		return 1;
	if (chosen_listless(p))
		return 1;
	const char *v = p->key_env ? getenv(p->key_env) : NULL;
	if (v && *v)
		return 1;
	size_t n = strlen(p->name);
	if (app->cfg.default_model && !strncmp(app->cfg.default_model, p->name, n) &&
	    app->cfg.default_model[n] == '/')
		return 1;
	for (size_t i = 0; i < app->cfg.nfavorites; i++)
		if (!strncmp(app->cfg.favorites[i], p->name, n) && app->cfg.favorites[i][n] == '/')
			return 1;
	return 0;
}

static int start_fetch(struct app *app, struct http_engine *eng, struct listing *l)
{
	struct err e;
	err_clear(&e);
	const struct provider *p = l->prov;
	if (!p->base_url || !*p->base_url || !wire_lists_models(p->kind))
		return 0; /* nothing to fetch: config's and the preset's models stand */
	if (l->explicit_choice) {
		const char *source;
		int r = keyring_get(app->keyring, p, &l->key, &source, &e);
		if (r < 0 || (r > 0 && !p->key_optional)) {
			listing_fail(l, &e);
			return e.code;
		}
	} else {
		/* Listing everything never unlocks the vault: environment keys only; the
		 * first of "k1,k2" lists as well as any. */
		if (!keys_env_first(p, &l->key) && !p->key_optional)
			return 0;
	}
	if (wire_models_request(p, &l->req, &e) < 0 ||
	    !(l->t = http_start_get(eng, p, &l->req, l->key, on_done, l, &e))) {
		listing_fail(l, &e);
		return e.code;
	}
	if (l->group)
		l->group->running++;
	return 0;
}

struct model_fetch *app_models_fetch(struct app *app, struct http_engine *eng,
				     void (*done)(void *ctx), void *ctx)
{
	struct provider_list *list = &app->cfg.providers;
	struct model_fetch *f = calloc(1, sizeof *f);
	if (!f || !(f->ls = calloc(list->n ? list->n : 1, sizeof *f->ls))) {
		free(f);
		return NULL;
	}
	f->n = list->n;
	f->eng = eng;
	f->done = done;
	f->ctx = ctx;
	for (size_t i = 0; i < list->n; i++) {
		struct listing *l = &f->ls[i];
		l->prov = &list->v[i];
		l->models = json_array();
		l->quiet = 1;
		l->group = f;
		l->fetch = chosen(app, l->prov);
		if (l->fetch && !read_cache(l, 0))
			start_fetch(app, eng, l);
	}
	if (!f->running) {
		app_models_fetch_free(f);
		return NULL;
	}
	return f;
}

void app_models_fetch_free(struct model_fetch *f)
{
	if (!f)
		return;
	f->done = NULL;
	for (size_t i = 0; i < f->n; i++) {
		struct listing *l = &f->ls[i];
		if (l->t && !l->ended)
			http_cancel(f->eng, l->t);
		if (l->t)
			http_transfer_free(l->t);
		wire_http_free(&l->req);
		secret_free(l->key);
		json_decref(l->models);
	}
	free(f->ls);
	free(f);
}

int models_main(struct app *app, int argc, char **argv)
{
	int refresh = 0;
	const char *only = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--refresh"))
			refresh = 1;
		else if (argv[i][0] == '-')
			return app_usage("models: unknown option %s (see cherry --help)", argv[i]);
		else if (only)
			return app_usage("models: name at most one provider");
		else
			only = argv[i];
	}
	struct provider_list *list = &app->cfg.providers;
	if (only && !providers_find(list, only))
		return app_usage("models: unknown provider \"%s\" (cherry providers lists them)", only);

	struct err e;
	err_clear(&e);
	struct http_opts hopts = app_http_opts(app);
	struct http_engine *eng = http_engine_new(&hopts, &e);
	struct listing *ls = calloc(list->n, sizeof *ls);
	if (!eng || !ls) {
		http_engine_free(eng);
		free(ls);
		if (!e.code)
			err_set(&e, EXIT_FAIL, "out of memory");
		return app_fail(&e);
	}
	for (size_t i = 0; i < list->n; i++) {
		struct listing *l = &ls[i];
		l->prov = &list->v[i];
		l->models = json_array();
		if (only && strcmp(only, l->prov->name))
			continue;
		for (size_t m = 0; m < l->prov->nmodels; m++)
			add_model(l->models, l->prov->models[m]);
		l->explicit_choice = only != NULL;
		l->fetch = l->explicit_choice || chosen(app, l->prov);
		/* no list to fetch: the preset's few models are the ones it offers */
		for (size_t m = 0; l->fetch && !wire_lists_models(l->prov->kind) &&
				   m < l->prov->ndefault_models; m++)
			add_model(l->models, l->prov->default_models[m]);
		if (!read_cache(l, refresh) && l->fetch)
			start_fetch(app, eng, l);
	}
	while (http_perform(eng) > 0) {
		long tmo = http_timeout_ms(eng);
		http_wait(eng, NULL, 0, tmo < 0 || tmo > 1000 ? 1000 : (int)tmo);
	}
	int status = EXIT_OK;
	size_t listed = 0;
	struct buf line = BUF_INIT;
	for (size_t i = 0; i < list->n; i++) {
		struct listing *l = &ls[i];
		size_t k;
		json_t *v;
		listed += json_array_size(l->models);
		json_array_foreach(l->models, k, v) {
			buf_reset(&line);
			buf_printf(&line, "%s/%s", l->prov->name, json_string_value(v));
			struct buf safe = BUF_INIT;
			app_line_safe(line.data, line.len, &safe);
			printf("%s\n", safe.data ? safe.data : "");
			buf_free(&safe);
		}
		if (l->failed && l->explicit_choice)
			status = l->failed;
		if (l->t)
			http_transfer_free(l->t);
		wire_http_free(&l->req);
		secret_free(l->key);
		json_decref(l->models);
	}
	buf_free(&line);
	free(ls);
	http_engine_free(eng);
	if (fflush(stdout) != 0 && status == EXIT_OK)
		status = EXIT_FAIL;
	/* nothing at all: a newcomer is told why, not left with an empty line (stdout, for
	 * scripts, stays empty) */
	if (!listed && !only)
		fprintf(stderr, "cherry: nothing to list: no key variable is set and config.json "
			"names no provider; ask one by name (its key from the vault then): "
			"cherry models PROVIDER (cherry providers lists them)\n");
	return status;
}

/* ---- the client's model list ---- */

struct known {
	char **v;
	size_t n, cap;
	int oom;
};

/* Adds "prov/model" (or spec alone when model is NULL), skipping empties and repeats.
 * Linear: a few hundred names at most, and this runs when the picker opens. */
static void known_add(struct known *k, const char *prov, const char *model)
{
	struct buf b = BUF_INIT;
	if (k->oom || !prov || !*prov || (model && !*model))
		return;
	if ((model ? buf_printf(&b, "%s/%s", prov, model) : buf_append_str(&b, prov)) < 0) {
		k->oom = 1;
		return;
	}
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->v[i], b.data)) {
			buf_free(&b);
			return;
		}
	if (k->n == k->cap) {
		size_t nc = k->cap ? k->cap * 2 : 32;
		char **nv = realloc(k->v, nc * sizeof *nv);
		if (!nv) {
			buf_free(&b);
			k->oom = 1;
			return;
		}
		k->v = nv;
		k->cap = nc;
	}
	k->v[k->n++] = buf_steal(&b);
}

int app_known_models(const struct app *app, char ***list, size_t *n)
{
	struct known k = {NULL, 0, 0, 0};
	const struct config *cfg = &app->cfg;
	for (size_t i = 0; i < cfg->nfavorites; i++)
		known_add(&k, cfg->favorites[i], NULL);
	known_add(&k, cfg->default_model, NULL);
	for (size_t i = 0; i < cfg->providers.n; i++) {
		const struct provider *p = &cfg->providers.v[i];
		for (size_t m = 0; m < p->nmodels; m++)
			known_add(&k, p->name, p->models[m]);
	}
	/* A preset whose key is at hand (its variable, its key_command, the vault this
	 * process unlocked) offers its few default models at once, before any list was
	 * fetched. */
	for (size_t i = 0; i < cfg->providers.n; i++) {
		const struct provider *p = &cfg->providers.v[i];
		if ((p->ndefault_models && keyring_has(app->keyring, p) == 1) || chosen_listless(p))
			for (size_t m = 0; m < p->ndefault_models; m++)
				known_add(&k, p->name, p->default_models[m]);
	}
	for (size_t i = 0; i < cfg->providers.n && !k.oom; i++) {
		/* fetch = 0: any cached list is used, however old; nothing is fetched. */
		struct listing l = {.prov = &cfg->providers.v[i], .models = json_array()};
		if (!l.models) {
			k.oom = 1;
			break;
		}
		if (read_cache(&l, 0)) {
			size_t j;
			json_t *v;
			json_array_foreach(l.models, j, v)
				known_add(&k, l.prov->name, json_string_value(v));
		}
		json_decref(l.models);
	}
	if (k.oom) {
		app_models_free(k.v, k.n);
		*list = NULL;
		*n = 0;
		return -1;
	}
	*list = k.v;
	*n = k.n;
	return 0;
}

void app_models_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
