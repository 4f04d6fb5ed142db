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
	int defer_typed;    /* a typed passphrase comes through keyring_unlock_with */
	int wrong_tries;    /* wrong passphrases given so far, by any way */
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

void keyring_defer_typed(struct keyring *kr, int on)
{
	if (kr)
		kr->defer_typed = on;
}

/* Reads and checks the vault file before any passphrase is asked for: a
 * damaged or newer file is reported without asking. 0, 1 (no file) or -1. */
static int vault_load(const char *path, struct buf *data, struct vault_header *h,
		      struct err *e)
{
	int r = vault_read_file(path, data, e);
	if (r != 0)
		return r;
	return vault_parse((const unsigned char *)data->data, data->len, &vault_kdf_floor, h, e);
}

static void too_many_tries(struct err *e)
{
	err_set(e, EXIT_VAULT, "wrong passphrase for the key vault (%d tries); it is left as it is",
		UNLOCK_TRIES);
}

/* The unlock loop from try number first on (earlier wrong tries count). */
static int vault_open_from(const struct passphrase_opts *opts, const char *path, int first,
			   struct vault **out, struct err *e)
{
	*out = NULL;
	struct buf data = BUF_INIT;
	struct vault_header h;
	int r = vault_load(path, &data, &h, e);
	if (r != 0) {
		buf_free(&data);
		return r;
	}
	int rc = -1;
	for (int attempt = first; attempt < UNLOCK_TRIES; attempt++) {
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
			too_many_tries(e);
	}
	buf_free(&data);
	return rc;
}

int keys_vault_open(const struct passphrase_opts *opts, const char *path, struct vault **out,
		    struct err *e)
{
	return vault_open_from(opts, path, 0, out, e);
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
		r = vault_open_from(&kr->opts, path.data, kr->wrong_tries, &kr->vault,
				    &kr->failure);
	buf_free(&path);
	kr->state = r == 0 ? VAULT_OPEN : r == 1 ? VAULT_ABSENT : VAULT_FAILED;
}

/*
 * Deferred and the passphrase would be typed: 1 when a vault file is there to
 * unlock (nothing changes; the screen asks), else 0 after settling the state
 * as keyring_unlock would (no file: absent; damaged: failed), so a damaged
 * vault is reported at once instead of after the user typed a passphrase.
 */
static int keyring_needs_typing(struct keyring *kr)
{
	if (!kr->defer_typed || !passphrase_typed(&kr->opts, PASSPHRASE_UNLOCK))
		return 0;
	struct buf path = BUF_INIT, data = BUF_INIT;
	struct vault_header h;
	err_clear(&kr->failure);
	int r = vault_path(&path, &kr->failure);
	if (r == 0)
		r = vault_load(path.data, &data, &h, &kr->failure);
	buf_free(&path);
	buf_free(&data);
	if (r == 1)
		kr->state = VAULT_ABSENT;
	else if (r < 0)
		kr->state = VAULT_FAILED;
	return r == 0;
}

int keyring_unlock_with(struct keyring *kr, const struct secret *pass, struct err *e)
{
	if (kr->state == VAULT_OPEN || kr->state == VAULT_ABSENT)
		return 0;
	if (kr->state == VAULT_FAILED) {
		*e = kr->failure;
		return -1;
	}
	struct buf path = BUF_INIT, data = BUF_INIT;
	struct vault_header h;
	int r = vault_path(&path, e);
	if (r == 0)
		r = vault_load(path.data, &data, &h, e);
	if (r == 0)
		r = vault_unlock(&h, pass->s, pass->len, &kr->vault, e);
	buf_free(&path);
	buf_free(&data);
	if (r == VAULT_WRONG_PASSPHRASE && ++kr->wrong_tries < UNLOCK_TRIES)
		return 1;
	if (r == VAULT_WRONG_PASSPHRASE)
		too_many_tries(e);
	kr->state = r == 0 ? VAULT_OPEN : r == 1 ? VAULT_ABSENT : VAULT_FAILED;
	if (kr->state == VAULT_FAILED)
		kr->failure = *e;
	return kr->state == VAULT_FAILED ? -1 : 0;
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
	if (kr->state == VAULT_UNTRIED && keyring_needs_typing(kr))
		return KEYRING_NEED_PASSPHRASE;
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
