/* keys: API key lookup: the provider's environment variable first, then the
 * vault, unlocked lazily and at most once per process. */
#include "cherry/keys.h"

#include <stdlib.h>
#include <string.h>

#include "cherry/passphrase.h"
#include "cherry/vault.h"

enum vault_state { VAULT_UNTRIED, VAULT_ABSENT, VAULT_OPEN, VAULT_FAILED };

struct keyring {
	struct passphrase_opts opts;
	enum vault_state state;
	struct vault *vault;
	struct err failure; /* why the unlock failed, repeated to later callers */
};

#define UNLOCK_TRIES 3

struct keyring *keyring_new(const struct passphrase_opts *opts)
{
	struct keyring *kr = calloc(1, sizeof *kr);
	if (!kr)
		return NULL;
	kr->opts.passphrase_fd = -1;
	if (opts)
		kr->opts = *opts;
	return kr;
}

void keyring_free(struct keyring *kr)
{
	if (!kr)
		return;
	vault_free(kr->vault);
	free(kr);
}

int keys_vault_open(const struct passphrase_opts *opts, const char *path, struct vault **out,
		    struct err *e)
{
	*out = NULL;
	struct buf data = BUF_INIT;
	int r = vault_read_file(path, &data, e);
	if (r != 0) {
		buf_free(&data);
		return r;
	}
	struct vault_header h;
	if (vault_parse((const unsigned char *)data.data, data.len, &vault_kdf_floor, &h, e) < 0) {
		buf_free(&data);
		return -1;
	}
	int rc = -1;
	for (int attempt = 0; attempt < UNLOCK_TRIES; attempt++) {
		struct secret *pass;
		int interactive;
		if (passphrase_get(opts, PASSPHRASE_UNLOCK, attempt, &pass, &interactive, e) != 0)
			break;
		r = vault_unlock(&h, pass->s, pass->len, out, e);
		secret_free(pass);
		if (r == 0) {
			rc = 0;
			break;
		}
		if (r != VAULT_WRONG_PASSPHRASE || !interactive)
			break;
		if (attempt + 1 == UNLOCK_TRIES)
			err_set(e, EXIT_VAULT, "wrong passphrase for the key vault (%d tries); it is "
				"left as it is", UNLOCK_TRIES);
	}
	buf_free(&data);
	return rc;
}

static int no_key(const struct provider *p, struct err *e)
{
	if (p->key_env)
		err_set(e, EXIT_KEY, "no API key for %s: set %s or store one with: "
			"cherry key set %s", p->name, p->key_env, p->name);
	else
		err_set(e, EXIT_KEY, "no API key for %s: store one with: cherry key set %s "
			"(or set \"key_env\" for it in config.json)", p->name, p->name);
	return 1;
}

/* Moves the keyring from VAULT_UNTRIED to one of the other states. */
static void keyring_unlock(struct keyring *kr)
{
	struct buf path = BUF_INIT;
	err_clear(&kr->failure);
	int r = vault_path(&path, &kr->failure);
	if (r == 0)
		r = keys_vault_open(&kr->opts, path.data, &kr->vault, &kr->failure);
	buf_free(&path);
	kr->state = r == 0 ? VAULT_OPEN : r == 1 ? VAULT_ABSENT : VAULT_FAILED;
}

int keyring_get(struct keyring *kr, const struct provider *p, struct secret **key,
		const char **source, struct err *e)
{
	*key = NULL;
	*source = NULL;
	const char *v = p->key_env ? getenv(p->key_env) : NULL;
	if (v && *v) {
		if (!vault_key_valid(v, strlen(v))) {
			err_set(e, EXIT_KEY, "%s holds something that is not an API key "
				"(printable ASCII without spaces, at most 512 bytes)", p->key_env);
			return -1;
		}
		*key = secret_new(v, strlen(v));
		if (!*key) {
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
		*source = p->key_env;
		return 0;
	}
	if (!kr || (p->key_optional && kr->state == VAULT_UNTRIED))
		return no_key(p, e);
	if (kr->state == VAULT_UNTRIED)
		keyring_unlock(kr);
	if (kr->state == VAULT_FAILED) {
		*e = kr->failure;
		return -1;
	}
	struct vault_entry *en = kr->state == VAULT_OPEN ? vault_find(kr->vault, p->name) : NULL;
	if (!en)
		return no_key(p, e);
	secret_show(en->key);
	*key = secret_new(en->key->s, en->key->len);
	secret_hide(en->key);
	if (!*key) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	*source = "vault";
	return 0;
}
