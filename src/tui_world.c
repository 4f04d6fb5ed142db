/* tui_world: the world the full-screen client's controller asks about (ctl.h's struct
 * ctl_world): conversations from the store, models and providers from the app, keys in
 * the environment, the search of every conversation. */
#include <stdlib.h>
#include <time.h>

#include "tui_int.h"

#include "cherry/keys.h"

double tui_wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int w_conv_new(void *ctx, struct chat **out, struct err *e)
{
	struct tui *t = ctx;
	return chat_new_alloc(&t->store, tui_wall_now(), out, e);
}

static int w_conv_open(void *ctx, const char *id, struct chat **out, struct err *e)
{
	struct tui *t = ctx;
	return chat_open_alloc(&t->store, id, out, e);
}

static void w_conv_close(void *ctx, struct chat *c)
{
	(void)ctx;
	chat_close_free(c);
}

static int w_conv_delete(void *ctx, struct chat *c, struct err *e)
{
	(void)ctx;
	return chat_delete(c, e);
}

static int w_conv_list(void *ctx, struct hist_entry **v, size_t *n, struct err *e)
{
	struct tui *t = ctx;
	return histstore_list(&t->store, v, n, e);
}

static int w_conv_resolve(void *ctx, const char *prefix, char id[HIST_ID_MAX + 1], struct err *e)
{
	struct tui *t = ctx;
	return histstore_resolve(&t->store, prefix, id, e);
}

static int w_models(void *ctx, char ***list, size_t *n)
{
	struct tui *t = ctx;
	return app_known_models(t->app, list, n);
}

static void w_models_free(void *ctx, char **list, size_t n)
{
	(void)ctx;
	app_models_free(list, n);
}

static int w_resolve_model(void *ctx, const char *spec, struct provider **p, const char **model,
			   struct err *e)
{
	struct tui *t = ctx;
	return app_resolve_model(t->app, spec, p, model, e);
}

static int w_has_env_key(void *ctx, const struct provider *p)
{
	(void)ctx;
	struct secret *key = NULL;
	int r = keys_env_first(p, &key); /* bedrock: the AWS variables */
	secret_free(key);
	return r;
}

static int w_has_key(void *ctx, const struct provider *p)
{
	struct tui *t = ctx;
	return keyring_has(t->app->keyring, p);
}

static int w_search_start(void *ctx, const char *text, struct err *e)
{
	struct tui *t = ctx;
	histsearch_free(t->search);
	t->search = histsearch_start(&t->store, text, e);
	return t->search ? 0 : -1;
}

static int w_search_step(void *ctx, size_t max_files, histsearch_fn fn, void *fn_ctx,
			 size_t *done, size_t *total)
{
	struct tui *t = ctx;
	return t->search ? histsearch_step(t->search, max_files, fn, fn_ctx, done, total) : 0;
}

static void w_search_stop(void *ctx)
{
	struct tui *t = ctx;
	histsearch_free(t->search);
	t->search = NULL;
}

static int w_list_refresh(void *ctx)
{
	return tui_list_refresh(ctx);
}

const struct ctl_world tui_world = {
	.conv_new = w_conv_new,
	.conv_open = w_conv_open,
	.conv_close = w_conv_close,
	.conv_delete = w_conv_delete,
	.conv_list = w_conv_list,
	.conv_resolve = w_conv_resolve,
	.models = w_models,
	.models_free = w_models_free,
	.resolve_model = w_resolve_model,
	.has_env_key = w_has_env_key,
	.has_key = w_has_key,
	.search_start = w_search_start,
	.search_step = w_search_step,
	.search_stop = w_search_stop,
	.list_refresh = w_list_refresh,
};
