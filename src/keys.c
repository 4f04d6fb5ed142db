/* keys: API key lookup: environment first, then (later) the vault. */
#include "cherry/keys.h"

#include <stdlib.h>
#include <string.h>

struct keyring {
	struct keyring_opts opts;
};

struct keyring *keyring_new(const struct keyring_opts *opts)
{
	struct keyring *kr = calloc(1, sizeof *kr);
	if (kr && opts)
		kr->opts = *opts;
	return kr;
}

void keyring_free(struct keyring *kr)
{
	free(kr);
}

int keys_valid(const char *key, size_t len)
{
	if (len == 0 || len > 512)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)key[i] <= 0x20 || (unsigned char)key[i] >= 0x7f)
			return 0;
	return 1;
}

int keyring_get(struct keyring *kr, const struct provider *p, struct secret **key,
		const char **source, struct err *e)
{
	(void)kr;
	*key = NULL;
	*source = NULL;
	const char *v = p->key_env ? getenv(p->key_env) : NULL;
	if (v && *v) {
		if (!keys_valid(v, strlen(v))) {
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
	if (p->key_env)
		err_set(e, EXIT_KEY, "no API key for %s: set %s", p->name, p->key_env);
	else
		err_set(e, EXIT_KEY, "no API key for %s: set \"key_env\" for it in config.json",
			p->name);
	return 1;
}
