/* keycmd: the `cherry key` commands (set, list, rm, passwd) on top of the vault. */
#include "cherry/keycmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cherry/app.h"
#include "cherry/keys.h"
#include "cherry/passphrase.h"
#include "cherry/vault.h"

const char keycmd_usage[] =
	"usage: cherry [--passphrase-fd N] key set PROVIDER [--add] [--kdf interactive|moderate]\n"
	"       cherry [--passphrase-fd N] key list\n"
	"       cherry [--passphrase-fd N] key rm PROVIDER\n"
	"       cherry [--passphrase-fd N] key passwd [--kdf interactive|moderate]\n"
	"  manage API keys in the encrypted vault\n";

/* Typed passphrases that differ, or a typed wrong one, get this many tries. */
#define TRIES 3
/* A line read as a key may be this long before it is refused as not a key. */
#define KEY_READ_MAX 4096

static const char old_copies_note[] =
	"Copies of the old vault file (backups, synced folders, snapshots) still open with "
	"the old passphrase and still hold every key they held; if one may have leaked, "
	"rotate those keys at the provider.\n";

struct key_args {
	const char *provider;
	int add; /* set --add: one more key beside those stored */
	const struct vault_kdf *kdf; /* NULL: keep (passwd) or MODERATE (new vault) */
};

static int parse_args(int argc, char **argv, int want_provider, int allow_kdf,
		      struct key_args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i];
		const char *v = NULL;
		if (allow_kdf && !strcmp(s, "--kdf")) {
			if (i + 1 == argc)
				return app_usage("--kdf needs a cost: interactive or moderate");
			v = argv[++i];
		} else if (allow_kdf && !strncmp(s, "--kdf=", 6)) {
			v = s + 6;
		} else if (allow_kdf && want_provider && !strcmp(s, "--add")) {
			a->add = 1; /* only set takes both a provider and a cost */
			continue;
		} else if (s[0] == '-' && s[1]) {
			return app_usage("unknown option %s for key %s (see cherry key --help)", s,
					 argv[1]);
		} else if (want_provider && !a->provider) {
			a->provider = s;
			continue;
		} else {
			return app_usage("unexpected argument \"%s\" for key %s (see cherry key "
					 "--help)", s, argv[1]);
		}
		if (!strcmp(v, "interactive"))
			a->kdf = &vault_kdf_interactive;
		else if (!strcmp(v, "moderate"))
			a->kdf = &vault_kdf_moderate;
		else
			return app_usage("--kdf takes interactive or moderate, not \"%s\"", v);
	}
	if (want_provider && !a->provider)
		return app_usage("key %s needs a PROVIDER (cherry providers lists them)", argv[1]);
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Anything left on stdin after the key line means it was not just a key. */
static int rest_of_stdin_blank(void)
{
	char b[256];
	int blank = 1;
	for (;;) {
		ssize_t r = read(STDIN_FILENO, b, sizeof b);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++)
			if (!is_blank(b[i]))
				blank = 0;
		sodium_memzero(b, sizeof b);
	}
	return blank;
}

/* The key: typed on the terminal without echo, or the first line of stdin. */
static int read_key(const char *provider, const struct passphrase_opts *opts, struct secret **key,
		    struct err *e)
{
	*key = NULL;
	int r = 1;
	if (isatty(STDIN_FILENO)) {
		char prompt[256];
		snprintf(prompt, sizeof prompt, "API key for %s (input hidden): ", provider);
		r = passphrase_read_tty(prompt, KEY_READ_MAX, key, e);
		if (r < 0)
			return -1;
	}
	if (r == 1) {
		r = passphrase_read_line(STDIN_FILENO, KEY_READ_MAX, key, e);
		if (r == 1)
			err_set(e, EXIT_KEY, "no key on standard input");
		if (r != 0)
			return -1;
		if (opts->passphrase_fd != STDIN_FILENO && !rest_of_stdin_blank()) {
			secret_free(*key);
			*key = NULL;
			err_set(e, EXIT_KEY, "standard input holds more than one line; give the key "
				"alone");
			return -1;
		}
	}
	/* Pasted keys often carry a stray space or newline; keys never contain one. */
	size_t start = 0, end = (*key)->len;
	while (start < end && is_blank((*key)->s[start]))
		start++;
	while (end > start && is_blank((*key)->s[end - 1]))
		end--;
	if (!vault_key_valid((*key)->s + start, end - start)) {
		secret_free(*key);
		*key = NULL;
		err_set(e, EXIT_KEY, "that is not an API key (printable ASCII without spaces, "
			"at most 4096 bytes); nothing was stored");
		return -1;
	}
	memmove((*key)->s, (*key)->s + start, end - start);
	sodium_memzero((*key)->s + (end - start), (*key)->len - (end - start));
	(*key)->len = end - start;
	return 0;
}

/* A passphrase for a new vault or a new slot, asked again when the two typed
 * copies differ. */
static int new_passphrase(const struct passphrase_opts *opts, enum passphrase_use use,
			  struct secret **pass, struct err *e)
{
	for (int i = 0; i < TRIES; i++) {
		int interactive;
		int r = passphrase_get(opts, use, 0, pass, &interactive, e);
		if (r != PASSPHRASE_RETRY)
			return r;
		if (i + 1 < TRIES)
			app_say(stderr, "cherry: %s; again.\n", e->msg);
	}
	return -1;
}

/* --add: the stored keys, a comma, then *key (which it replaces). Keys are kept the
 * way Cherry Studio keeps them, comma-separated in one entry, so the vault format
 * does not change. 0, or -1 with e set. */
static int add_to_stored(struct vault *v, const char *provider, struct secret **key,
			 struct err *e)
{
	struct vault_entry *en = vault_find(v, provider);
	if (!en)
		return 0;
	if (memchr((*key)->s, ',', (*key)->len)) {
		err_set(e, EXIT_USAGE, "--add takes one key (no commas)");
		return -1;
	}
	secret_show(en->key);
	struct secret **old = NULL;
	size_t n = 0;
	int dup = 0;
	if (keys_split(en->key->s, en->key->len, &old, &n) == 0)
		for (size_t i = 0; i < n; i++)
			dup |= old[i]->len == (*key)->len && !memcmp(old[i]->s, (*key)->s, (*key)->len);
	for (size_t i = 0; i < n; i++)
		secret_free(old[i]);
	free(old);
	size_t len = en->key->len + 1 + (*key)->len;
	struct secret *joined = NULL;
	if (!dup && len <= VAULT_KEY_MAX) {
		char *tmp = malloc(len);
		if (tmp) {
			memcpy(tmp, en->key->s, en->key->len);
			tmp[en->key->len] = ',';
			memcpy(tmp + en->key->len + 1, (*key)->s, (*key)->len);
			joined = secret_new(tmp, len);
			sodium_memzero(tmp, len);
			free(tmp);
		}
	}
	secret_hide(en->key);
	if (dup) {
		err_set(e, EXIT_USAGE, "that key is already stored for %s", provider);
		return -1;
	}
	if (len > VAULT_KEY_MAX) {
		err_set(e, EXIT_USAGE, "the keys for %s would pass %d bytes together; remove "
			"some with: cherry key rm %s", provider, VAULT_KEY_MAX, provider);
		return -1;
	}
	if (!joined) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	secret_free(*key);
	*key = joined;
	return 0;
}

static int cmd_set(int argc, char **argv, const struct config *cfg,
		   const struct passphrase_opts *opts)
{
	struct key_args a;
	if (parse_args(argc, argv, 1, 1, &a) != 0)
		return EXIT_USAGE;
	const struct provider *p = providers_find(&cfg->providers, a.provider);
	/* An MCP server's auth_key names its own vault entry, as a provider's name does. */
	struct provider mcp_entry = {0};
	for (size_t i = 0; !p && i < cfg->nmcp_servers; i++)
		if (cfg->mcp_servers[i].auth_key &&
		    strcmp(cfg->mcp_servers[i].auth_key, a.provider) == 0) {
			mcp_entry.name = cfg->mcp_servers[i].auth_key;
			p = &mcp_entry;
		}
	if (!p)
		return app_usage("unknown provider \"%s\" (cherry providers lists them; an MCP "
				 "server's auth_key is accepted too)", a.provider);
	struct err e;
	err_clear(&e);
	struct buf path = BUF_INIT;
	struct secret *key = NULL, *pass = NULL;
	struct vault *v = NULL;
	int lock = -1, status;
	if (vault_path(&path, &e) < 0 || (lock = keys_vault_lock(path.data, &e)) < 0 ||
	    read_key(p->name, opts, &key, &e) < 0)
		goto fail;
	int r = keys_vault_open(opts, path.data, &v, &e);
	if (r < 0)
		goto fail;
	if (r == 0 && a.kdf)
		fputs("cherry: warning: --kdf only applies when the vault is created; change the "
		      "cost with: cherry key passwd --kdf COST\n", stderr);
	if (r == 1) {
		app_say(stderr, "cherry: creating the key vault %s. Choose a passphrase; if you "
			"forget it, the keys in it cannot be recovered.\n", path.data);
		if (new_passphrase(opts, PASSPHRASE_CREATE, &pass, &e) < 0)
			goto fail;
		v = vault_new(pass->s, pass->len, a.kdf ? a.kdf : &vault_kdf_moderate, &e);
		if (!v)
			goto fail;
	}
	if (a.add && add_to_stored(v, p->name, &key, &e) < 0)
		goto fail;
	if (vault_set(v, p->name, key->s, key->len, time(NULL), &e) < 0 ||
	    vault_write_file(path.data, v, &e) < 0)
		goto fail;
	size_t nkeys = keys_count(key->s, key->len);
	if (nkeys > 1)
		app_say(stdout, "Stored %zu keys for %s in %s; they are used in turn.\n", nkeys,
			p->name, path.data);
	else
		app_say(stdout, "Stored the key for %s in %s.\n", p->name, path.data);
	const char *env = p->key_env ? getenv(p->key_env) : NULL;
	if (env && *env)
		printf("Note: %s is set and takes precedence over the vault while it is.\n",
		       p->key_env);
	status = EXIT_OK;
	goto out;
fail:
	status = app_fail(&e);
out:
	secret_free(key);
	secret_free(pass);
	vault_free(v);
	if (lock >= 0)
		close(lock);
	buf_free(&path);
	return status;
}

/* Opens the existing vault for list, rm and passwd; 1 when there is none. */
static int open_existing(const struct passphrase_opts *opts, struct buf *path, int locked,
			 int *lock, struct vault **v, struct err *e)
{
	if (vault_path(path, e) < 0)
		return -1;
	if (locked && (*lock = keys_vault_lock(path->data, e)) < 0)
		return -1;
	return keys_vault_open(opts, path->data, v, e);
}

static int cmd_list(int argc, char **argv, const struct config *cfg,
		    const struct passphrase_opts *opts)
{
	struct key_args a;
	if (parse_args(argc, argv, 0, 0, &a) != 0)
		return EXIT_USAGE;
	struct err e;
	err_clear(&e);
	struct buf path = BUF_INIT;
	struct vault *v = NULL;
	int lock = -1;
	int r = open_existing(opts, &path, 0, &lock, &v, &e);
	buf_free(&path);
	if (r < 0)
		return app_fail(&e);
	if (r == 1 || v->n == 0) {
		fputs("cherry: no keys stored (store one with: cherry key set PROVIDER)\n", stderr);
		vault_free(v);
		return EXIT_OK;
	}
	int width = 8;
	for (size_t i = 0; i < v->n; i++)
		if ((int)strlen(v->v[i].provider) > width)
			width = (int)strlen(v->v[i].provider);
	for (size_t i = 0; i < v->n; i++) {
		const struct vault_entry *en = &v->v[i];
		const struct provider *p = providers_find(&cfg->providers, en->provider);
		const char *env = p && p->key_env ? getenv(p->key_env) : NULL;
		secret_show(en->key);
		size_t nkeys = keys_count(en->key->s, en->key->len);
		secret_hide(en->key);
		/* how many keys, never the keys; the names are ours, but a vault file can be
		 * handed over: one line each */
		struct buf name = BUF_INIT, added = BUF_INIT;
		app_line_safe(en->provider, strlen(en->provider), &name);
		app_line_safe(en->added, strlen(en->added), &added);
		printf("%-*s  %zu key%s  added %s", width, name.data ? name.data : "", nkeys,
		       nkeys == 1 ? " " : "s", added.data ? added.data : "");
		buf_free(&name);
		buf_free(&added);
		if (!p)
			fputs("  (no such provider in this configuration)", stdout);
		else if (env && *env)
			printf("  (overridden by %s)", p->key_env);
		putchar('\n');
	}
	vault_free(v);
	return EXIT_OK;
}

static int cmd_rm(int argc, char **argv, const struct passphrase_opts *opts)
{
	struct key_args a;
	if (parse_args(argc, argv, 1, 0, &a) != 0)
		return EXIT_USAGE;
	struct err e;
	err_clear(&e);
	struct buf path = BUF_INIT;
	struct vault *v = NULL;
	int lock = -1, status;
	int r = open_existing(opts, &path, 1, &lock, &v, &e);
	if (r < 0)
		goto fail;
	if (r == 1 || vault_remove(v, a.provider) == 1) {
		err_set(&e, EXIT_KEY, "no key stored for %s", a.provider);
		goto fail;
	}
	if (vault_write_file(path.data, v, &e) < 0)
		goto fail;
	app_say(stdout, "Removed the key for %s from %s.\n", a.provider, path.data);
	fputs(old_copies_note, stdout);
	status = EXIT_OK;
	goto out;
fail:
	status = app_fail(&e);
out:
	vault_free(v);
	if (lock >= 0)
		close(lock);
	buf_free(&path);
	return status;
}

static int cmd_passwd(int argc, char **argv, const struct passphrase_opts *opts)
{
	struct key_args a;
	if (parse_args(argc, argv, 0, 1, &a) != 0)
		return EXIT_USAGE;
	struct err e;
	err_clear(&e);
	struct buf path = BUF_INIT;
	struct vault *v = NULL;
	struct secret *pass = NULL;
	int lock = -1, status;
	int r = open_existing(opts, &path, 1, &lock, &v, &e);
	if (r == 1)
		err_set(&e, EXIT_FAIL, "there is no key vault yet (store a key first with: "
			"cherry key set PROVIDER)");
	if (r != 0 || new_passphrase(opts, PASSPHRASE_CHANGE, &pass, &e) < 0)
		goto fail;
	struct vault_kdf kdf = a.kdf ? *a.kdf : v->kdf;
	if (vault_rewrap(v, pass->s, pass->len, &kdf, &e) < 0 ||
	    vault_write_file(path.data, v, &e) < 0)
		goto fail;
	app_say(stdout, "Changed the passphrase of %s.\n", path.data);
	fputs(old_copies_note, stdout);
	status = EXIT_OK;
	goto out;
fail:
	status = app_fail(&e);
out:
	secret_free(pass);
	vault_free(v);
	if (lock >= 0)
		close(lock);
	buf_free(&path);
	return status;
}

int keycmd_main(int argc, char **argv, const struct config *cfg,
		const struct passphrase_opts *opts)
{
	struct passphrase_opts none = {-1, NULL};
	if (!opts)
		opts = &none;
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (!sub)
		return app_usage("key needs a command: set, list, rm or passwd (see cherry key "
				 "--help)");
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
		fputs(keycmd_usage, stdout);
		return EXIT_OK;
	}
	if (!strcmp(sub, "set"))
		return cmd_set(argc, argv, cfg, opts);
	if (!strcmp(sub, "list") || !strcmp(sub, "ls"))
		return cmd_list(argc, argv, cfg, opts);
	if (!strcmp(sub, "rm") || !strcmp(sub, "remove"))
		return cmd_rm(argc, argv, opts);
	if (!strcmp(sub, "passwd"))
		return cmd_passwd(argc, argv, opts);
	static const char *const subs[] = {"set", "list", "rm", "passwd", NULL};
	const char *near = app_suggest(sub, subs);
	if (near)
		return app_usage("unknown key command \"%s\"; did you mean \"%s\"? (see cherry key "
				 "--help)", sub, near);
	return app_usage("unknown key command \"%s\" (see cherry key --help)", sub);
}
