/* keys: API key lookup: the provider's environment variable first, then its
 * key_command, then the vault (unlocked lazily, at most once per process); several
 * keys per provider taken in turn, a refused one skipped for the rest of the run. */
#include "cherry/keys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cherry/buf.h"
#include "cherry/fsutil.h"
#include "cherry/passphrase.h"
#include "cherry/vault.h"

enum vault_state { VAULT_UNTRIED, VAULT_ABSENT, VAULT_OPEN, VAULT_FAILED };

/* One provider's keys in this process: those from key_command or the vault, read
 * once (the environment is read at every lookup), where the turn is, and the keys a
 * provider refused. */
struct key_slot {
	char *provider;
	struct secret **keys; /* cached: from key_command or the vault */
	size_t nkeys;
	const char *source;   /* "key_command" or "vault" when cached, else NULL */
	struct secret **refused;
	size_t nrefused;
	size_t next;          /* the turn: the next lookup starts here */
	size_t last_count;    /* how many keys the last lookup chose from */
	double fetched;       /* when key_command last ran (monotonic seconds) */
	int rerun_after_401;  /* a refused key_command token made it run again once */
};

struct keyring {
	struct key_slot *slots;
	size_t nslots;
	struct passphrase_opts opts;
	enum vault_state state;
	struct vault *vault;
	struct err failure; /* why the unlock failed, repeated to later callers */
	int defer_typed;    /* a typed passphrase comes through keyring_unlock_with */
	int wrong_tries;    /* wrong passphrases given so far, by any way */
	double (*now)(void); /* the clock key_ttl is counted on (tests set their own) */
};

#define UNLOCK_TRIES 3

static double monotonic_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct keyring *keyring_new(const struct passphrase_opts *opts)
{
	struct keyring *kr = calloc(1, sizeof *kr);
	if (!kr)
		return NULL;
	kr->opts.passphrase_fd = -1;
	if (opts)
		kr->opts = *opts;
	kr->now = monotonic_now;
	return kr;
}

void keyring_set_clock(struct keyring *kr, double (*now)(void))
{
	kr->now = now ? now : monotonic_now;
}

static void free_keys(struct secret **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		secret_free(v[i]);
	free(v);
}

void keyring_free(struct keyring *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; i < kr->nslots; i++) {
		free(kr->slots[i].provider);
		free_keys(kr->slots[i].keys, kr->slots[i].nkeys);
		free_keys(kr->slots[i].refused, kr->slots[i].nrefused);
	}
	free(kr->slots);
	vault_free(kr->vault);
	free(kr);
}

static struct key_slot *slot_for(struct keyring *kr, const char *provider)
{
	for (size_t i = 0; i < kr->nslots; i++)
		if (!strcmp(kr->slots[i].provider, provider))
			return &kr->slots[i];
	struct key_slot *v = realloc(kr->slots, (kr->nslots + 1) * sizeof *v);
	if (!v)
		return NULL;
	kr->slots = v;
	struct key_slot *s = &v[kr->nslots];
	memset(s, 0, sizeof *s);
	if (!(s->provider = strdup(provider)))
		return NULL;
	kr->nslots++;
	return s;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int keys_split(const char *s, size_t len, struct secret ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t cap = keys_count(s, len);
	if (!cap)
		return -1;
	struct secret **v = calloc(cap, sizeof *v);
	if (!v)
		return -1;
	size_t i = 0, got = 0;
	while (i <= len) {
		size_t j = i;
		while (j < len && s[j] != ',')
			j++;
		size_t a = i, b = j;
		while (a < b && is_blank(s[a]))
			a++;
		while (b > a && is_blank(s[b - 1]))
			b--;
		if (b > a) {
			if (!vault_key_valid(s + a, b - a) || !(v[got] = secret_new(s + a, b - a))) {
				free_keys(v, got);
				return -1;
			}
			got++;
		}
		i = j + 1;
	}
	*out = v;
	*n = got;
	return 0;
}

size_t keys_count(const char *s, size_t len)
{
	size_t n = 0, i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != ',')
			j++;
		size_t a = i;
		while (a < j && is_blank(s[a]))
			a++;
		n += a < j;
		i = j + 1;
	}
	return n;
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

static int was_refused(const struct key_slot *s, const struct secret *k)
{
	for (size_t i = 0; i < s->nrefused; i++)
		if (s->refused[i]->len == k->len && !memcmp(s->refused[i]->s, k->s, k->len))
			return 1;
	return 0;
}

/* The key whose turn it is among keys[0..n), skipping refused ones (s may be NULL). */
static int take_turn(struct key_slot *s, const struct provider *p, struct secret **keys,
		     size_t n, struct secret **key, struct err *e)
{
	if (s)
		s->last_count = n;
	for (size_t k = 0; k < n; k++) {
		struct secret *c = keys[((s ? s->next : 0) + k) % n];
		if (s && was_refused(s, c))
			continue;
		if (s)
			s->next = (s->next + k + 1) % n;
		if (!(*key = secret_new(c->s, c->len))) {
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
		return 0;
	}
	err_set(e, EXIT_KEY, "every key for %s was refused (401 or 403) in this run; "
		"check them at the provider", p->name);
	return -1;
}

/*
 * Bedrock's keys as the AWS SDKs read them: a Bedrock API key in
 * AWS_BEARER_TOKEN_BEDROCK, else AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with
 * AWS_SESSION_TOKEN for temporary credentials) joined as "ID:SECRET[:TOKEN]", the form
 * the vault keeps too. Fills out (wiped by the caller) and names the variable in *name;
 * 0 when none is set, -1 with e set when the pair is half there.
 */
static int aws_env_key(struct buf *out, const char **name, struct err *e)
{
	const char *bearer = getenv("AWS_BEARER_TOKEN_BEDROCK");
	if (bearer && *bearer) {
		*name = "AWS_BEARER_TOKEN_BEDROCK";
		return buf_append_str(out, bearer) < 0 ? -1 : 1;
	}
	const char *id = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv("AWS_SESSION_TOKEN");
	if ((!id || !*id) && (!secret || !*secret))
		return 0;
	if (!id || !*id || !secret || !*secret) {
		err_set(e, EXIT_KEY, "%s is set but %s is not: set both (or neither)",
			id && *id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
			id && *id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return -1;
	}
	*name = "AWS_ACCESS_KEY_ID";
	if (buf_printf(out, "%s:%s", id, secret) < 0 ||
	    (token && *token && buf_printf(out, ":%s", token) < 0)) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return 1;
}

/* The keys p's environment holds (bedrock: as the AWS SDKs read them): 1 with *keys,
 * 0 when it holds none, -1 with e set when what it holds is not a key. */
static int env_keys(const struct provider *p, struct secret ***keys, size_t *n,
		    const char **var, struct err *e)
{
	const char *v = p->key_env ? getenv(p->key_env) : NULL;
	*var = p->key_env;
	struct buf aws = BUF_INIT;
	if (p->kind == WIRE_BEDROCK && *var && !strcmp(*var, "AWS_ACCESS_KEY_ID")) {
		int r = aws_env_key(&aws, var, e);
		if (r < 0) {
			buf_wipe_free(&aws);
			return -1;
		}
		v = r ? aws.data : NULL;
	}
	if (!v || !*v) {
		buf_wipe_free(&aws);
		return 0;
	}
	int r = keys_split(v, strlen(v), keys, n);
	buf_wipe_free(&aws);
	if (r < 0) {
		err_set(e, EXIT_KEY, "%s holds something that is not an API key "
			"(printable ASCII without spaces, at most 4096 bytes; several keys "
			"joined by commas)", *var);
		return -1;
	}
	return 1;
}

int keys_env_first(const struct provider *p, struct secret **key)
{
	struct secret **keys;
	size_t n;
	const char *var;
	struct err e;
	err_clear(&e);
	if (env_keys(p, &keys, &n, &var, &e) <= 0)
		return 0;
	*key = keys[0];
	for (size_t i = 1; i < n; i++)
		secret_free(keys[i]);
	free(keys);
	return 1;
}

/* Forgets the keys key_command gave: the next lookup runs it again. */
static void drop_cached(struct key_slot *s)
{
	free_keys(s->keys, s->nkeys);
	s->keys = NULL;
	s->nkeys = 0;
	s->next = 0;
}

/* Runs the provider's key_command once; its output (one line, comma-separated keys)
 * is kept in the slot for the rest of the process. */
static int run_key_command(struct key_slot *s, const struct provider *p, double now,
			   struct err *e)
{
	struct secret *out = NULL;
	if (passphrase_from_command(p->key_command, 0, PASSPHRASE_COMMAND_TIMEOUT_MS, &out,
				    e) < 0) {
		/* Its message names the vault's command: say which one this was. */
		static const char prefix[] = "vault.passphrase_command ";
		const char *why = e->msg;
		if (!strncmp(why, prefix, sizeof prefix - 1))
			why += sizeof prefix - 1;
		char line[sizeof e->msg];
		snprintf(line, sizeof line, "%s", why);
		err_set(e, EXIT_KEY, "providers.%s.key_command %s", p->name, line);
		return -1;
	}
	int r = keys_split(out->s, out->len, &s->keys, &s->nkeys);
	secret_free(out);
	if (r < 0) {
		err_set(e, EXIT_KEY, "providers.%s.key_command printed something that is not an "
			"API key (printable ASCII without spaces, several joined by commas)", p->name);
		return -1;
	}
	s->source = "key_command";
	s->fetched = now;
	return 0;
}

int keyring_has(struct keyring *kr, const struct provider *p)
{
	struct secret *key = NULL;
	int env = keys_env_first(p, &key);
	secret_free(key);
	/* a key_command the user set (not a preset's own gcloud token, which needs a project
	 * as well: providers.h) */
	if (env || (p->key_command && (!p->preset || p->configured)))
		return 1;
	if (!kr)
		return 0;
	if (kr->state == VAULT_OPEN)
		return vault_find(kr->vault, p->name) != NULL;
	if (kr->state == VAULT_ABSENT)
		return 0;
	if (kr->state == VAULT_FAILED)
		return -1;
	struct buf path = BUF_INIT;
	struct err e = {0, ""};
	struct stat sb;
	int there = vault_path(&path, &e) == 0 && (stat(path.data, &sb) == 0 || errno != ENOENT);
	buf_free(&path);
	return there ? -1 : 0;
}

int keyring_get(struct keyring *kr, const struct provider *p, struct secret **key,
		const char **source, struct err *e)
{
	*key = NULL;
	*source = NULL;
	struct key_slot *s = kr ? slot_for(kr, p->name) : NULL;
	if (kr && !s) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	struct secret **keys;
	size_t n;
	const char *var;
	int r = env_keys(p, &keys, &n, &var, e);
	if (r < 0)
		return -1;
	if (r > 0) {
		r = take_turn(s, p, keys, n, key, e);
		free_keys(keys, n);
		if (r < 0)
			return -1;
		*source = var;
		return 0;
	}
	if (s && s->nkeys && s->source && !strcmp(s->source, "key_command") && p->key_ttl > 0 &&
	    kr->now() - s->fetched >= (double)p->key_ttl) {
		/* a token that expires (vertex: an hour) is fetched again before it does */
		drop_cached(s);
		s->rerun_after_401 = 0;
	}
	if (s && !s->nkeys && p->key_command && run_key_command(s, p, kr->now(), e) < 0)
		return -1;
	if (s && s->nkeys) {
		if (take_turn(s, p, s->keys, s->nkeys, key, e) < 0)
			return -1;
		*source = s->source;
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
	r = keys_split(en->key->s, en->key->len, &s->keys, &s->nkeys);
	secret_hide(en->key);
	if (r < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	s->source = "vault";
	if (take_turn(s, p, s->keys, s->nkeys, key, e) < 0)
		return -1;
	*source = "vault";
	return 0;
}

int keyring_reject(struct keyring *kr, const struct provider *p, const struct secret *key,
		   struct err *e)
{
	struct key_slot *s = kr && key ? slot_for(kr, p->name) : NULL;
	if (!s || was_refused(s, key))
		return 0;
	if (s->nkeys && s->source && !strcmp(s->source, "key_command") && p->key_ttl > 0 &&
	    !s->rerun_after_401) {
		/* A token that expires may have just done so: the command runs again for the
		 * next request, once; a fresh token refused too is refused for good. */
		drop_cached(s);
		s->rerun_after_401 = 1;
		err_set(e, EXIT_KEY, "warning: %s refused the token from key_command; it runs "
			"again for a fresh one", p->name);
		return 1;
	}
	struct secret **v = realloc(s->refused, (s->nrefused + 1) * sizeof *v);
	if (!v)
		return 0;
	s->refused = v;
	if (!(v[s->nrefused] = secret_new(key->s, key->len)))
		return 0;
	s->nrefused++;
	/* With one key the error line says it all; the warning is for a skipped one. */
	if (s->last_count < 2)
		return 0;
	/* Only the key's last four characters: enough to find it, not to use it. */
	const char *tail = key->len > 8 ? key->s + key->len - 4 : "";
	err_set(e, EXIT_KEY, "warning: %s refused the key%s%s; it is skipped for the rest of "
		"this run", p->name, *tail ? " ending in " : "", tail);
	return 1;
}

/* ---- storing a key: `cherry key set` and the client's /key ---- */

/* ".<base>.<16 hex>": the temp names fs_write_atomic makes for base. */
static int is_temp_of(const char *name, const char *base)
{
	size_t n = strlen(base);
	if (name[0] != '.' || strncmp(name + 1, base, n) != 0 || name[n + 1] != '.' ||
	    strlen(name + n + 2) != 16)
		return 0;
	for (const char *h = name + n + 2; *h; h++)
		if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
			return 0;
	return 1;
}

/*
 * A save killed (kill -9, power loss) before its rename leaves a temp copy of
 * the vault, with the old passphrase and keys removed since. Every writer holds
 * the vault lock, so a temp file seen under it belongs to no live writer.
 */
static void remove_stale_temps(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return;
	char *dir = strndup(path, (size_t)(slash - path));
	DIR *d = dir ? opendir(dir) : NULL;
	free(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)))
		if (is_temp_of(de->d_name, slash + 1))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

int keys_vault_lock(const char *path, struct err *e)
{
	struct buf lp = BUF_INIT;
	const char *slash = strrchr(path, '/');
	int fd = -1;
	if (slash && slash != path) {
		if (buf_append(&lp, path, (size_t)(slash - path)) < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			goto out;
		}
		if (fs_mkdirs(lp.data, e) < 0)
			goto out;
	}
	buf_reset(&lp);
	if (buf_printf(&lp, "%s.lock", path) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		goto out;
	}
	fd = open(lp.data, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(e, EXIT_FAIL, "cannot lock the key vault (%s): %s", lp.data,
			strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		err_set(e, EXIT_FAIL, errno == EWOULDBLOCK
			? "another cherry is changing the key vault right now; try again when it "
			  "has finished"
			: "cannot lock the key vault");
		close(fd);
		fd = -1;
	} else {
		remove_stale_temps(path);
	}
out:
	buf_free(&lp);
	return fd;
}

/* The passphrase from --passphrase-fd, vault.passphrase_command or CHERRY_PASSPHRASE,
 * as `cherry key set` takes it, when one is set; else need (the user types it). */
static int store_untyped(struct keyring *kr, const char *provider, const struct secret *key,
			 int create, int need, struct err *e)
{
	enum passphrase_use use = create ? PASSPHRASE_CREATE : PASSPHRASE_UNLOCK;
	if (passphrase_typed(&kr->opts, use))
		return need;
	struct secret *got;
	int interactive;
	if (passphrase_get(&kr->opts, use, 0, &got, &interactive, e) != 0)
		return -1;
	int r = keyring_store(kr, provider, key, got, create, e);
	secret_free(got);
	return r == 0 ? 0 : -1; /* a wrong one is not typed again */
}

int keyring_store(struct keyring *kr, const char *provider, const struct secret *key,
		  const struct secret *pass, int create, struct err *e)
{
	struct buf path = BUF_INIT, data = BUF_INIT;
	struct vault_header h;
	struct vault *v = NULL;
	int lock = -1;
	/* unlocked in this run: the data key held opens the file again, no passphrase */
	int reopen = !pass && kr->state == VAULT_OPEN && kr->vault;
	int r = vault_path(&path, e);
	if (r == 0 && (pass || reopen) && (lock = keys_vault_lock(path.data, e)) < 0)
		r = -1;
	if (r == 0)
		r = vault_load(path.data, &data, &h, e); /* read (again) under the lock */
	if (r == 0 && reopen) {
		r = vault_reopen(kr->vault, &h, &v, e);
		if (r == 1)
			r = KEYRING_NEED_PASSPHRASE; /* changed since by another cherry */
	} else if (r == 1 && !(create && pass))
		r = KEYRING_NEED_NEW;
	else if (r == 0 && (!pass || create))
		r = KEYRING_NEED_PASSPHRASE; /* a vault made meanwhile has its own passphrase */
	else if (r == 1)
		r = (v = vault_new(pass->s, pass->len, &vault_kdf_moderate, e)) ? 0 : -1;
	else if (r == 0)
		r = vault_unlock(&h, pass->s, pass->len, &v, e);
	if (r == VAULT_WRONG_PASSPHRASE)
		r = 1;
	else if (r == 0 && (vault_set(v, provider, key->s, key->len, time(NULL), e) < 0 ||
			    vault_write_file(path.data, v, e) < 0))
		r = -1;
	buf_free(&path);
	buf_free(&data);
	if (lock >= 0)
		close(lock); /* before the store again below, which takes it itself */
	if (!pass && (r == KEYRING_NEED_NEW || r == KEYRING_NEED_PASSPHRASE))
		r = store_untyped(kr, provider, key, r == KEYRING_NEED_NEW, r, e);
	if (r == 0 && v) {
		/* the keyring takes the vault as written: unlocked, the key read at the next
		 * lookup */
		struct key_slot *s = slot_for(kr, provider);
		if (s)
			drop_cached(s);
		vault_free(kr->vault);
		kr->vault = v;
		kr->state = VAULT_OPEN;
		kr->wrong_tries = 0;
		v = NULL;
	}
	vault_free(v);
	return r;
}
