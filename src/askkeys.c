/* askkeys: what `cherry ask` does when a provider refuses its key: the key is skipped
 * for the rest of the run, or a key_command token with a TTL is fetched again. */
#include <string.h>

#include "ask_int.h"

void ask_key_refused(struct app *app, const struct ask_target *tg, struct http_transfer *t)
{
	/* A refused key is skipped for the rest of the run; one warning says which. */
	struct err w;
	long code = http_status(t);
	if ((code == 401 || code == 403) && keyring_reject(app->keyring, tg->prov, tg->key, &w) == 1)
		app_fail(&w);
}

/* keyring_reject says whether the command runs again (with the warning to show). */
int ask_refetch_token(struct app *app, struct ask_target *tg, struct http_transfer *t)
{
	long code = http_status(t);
	if ((code != 401 && code != 403) || !tg->key || !tg->prov->key_command ||
	    tg->prov->key_ttl <= 0)
		return 0;
	struct err w;
	err_clear(&w);
	if (keyring_reject(app->keyring, tg->prov, tg->key, &w) != 1)
		return 0;
	struct secret *fresh = NULL;
	const char *source;
	struct err e;
	err_clear(&e);
	if (keyring_get(app->keyring, tg->prov, &fresh, &source, &e) != 0 ||
	    !source || strcmp(source, "key_command")) {
		secret_free(fresh);
		return 0;
	}
	app_fail(&w);
	secret_free(tg->key);
	tg->key = fresh;
	return 1;
}
