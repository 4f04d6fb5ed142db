/* ctl_key: /key, a provider's API key typed in the client and stored in the vault. The
 * key is asked for on a masked prompt (also offered when a send finds no key, and when
 * the picker chooses a model that needs one); then the vault's passphrase (a new vault's
 * twice); the shell stores it as `cherry key set` does (CTL_KEY_STORE); then the message
 * that failed goes again. What is typed lives in guarded memory, wiped at each step's end
 * and at Esc. */
#include "ctl_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cherry/passphrase.h"
#include "cherry/vault.h"

#define KEY_TRIES 3 /* wrong passphrases before /key gives up */

enum key_step { KEY_ENV, KEY_TYPED, KEY_UNLOCK, KEY_NEW, KEY_REPEAT };

struct ctl_keyflow {
	enum key_step step;
	char provider[VAULT_PROVIDER_MAX + 1];
	char env[64];           /* the variable that holds a key (KEY_ENV) */
	int offered;            /* a send (or the picker) found no key */
	int resend;             /* CTL_KEY_RESEND_* after the key is stored */
	size_t retry_at;
	char spec[160];         /* the one model a retry asks again ("": the chosen one) */
	char prompt[200];
	char *key, *pass;       /* guarded: the key, the passphrase typed for the vault */
	size_t key_len, pass_len;
	int have_pass, create;
	int wrong;              /* wrong passphrases so far */
};

void ctl_key_end(struct ctl *c)
{
	struct ctl_keyflow *k = c->keyflow;
	if (!k)
		return;
	if (k->key)
		sodium_free(k->key); /* wipes it */
	if (k->pass)
		sodium_free(k->pass);
	free(k);
	c->keyflow = NULL;
	if (c->mode == MODE_CONFIRM && c->confirm_key)
		c->mode = MODE_CHAT;
	c->confirm_key = 0;
	ctl_passphrase_end(c);
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

/* The prompt of the current step, in the input line. */
static void ask(struct ctl *c, enum key_step step, const char *prompt)
{
	struct ctl_keyflow *k = c->keyflow;
	k->step = step;
	snprintf(k->prompt, sizeof k->prompt, "%s", prompt);
	ctl_secret_begin(c, k->prompt, step == KEY_TYPED ? VAULT_KEY_MAX + 64 : PASSPHRASE_MAX);
}

static void ask_key(struct ctl *c)
{
	struct ctl_keyflow *k = c->keyflow;
	char prompt[sizeof k->prompt];
	if (k->offered)
		snprintf(prompt, sizeof prompt, "%s needs a key: enter it now (stored encrypted), "
			 "or Esc: ", k->provider);
	else
		snprintf(prompt, sizeof prompt, "API key for %s (stored encrypted; Esc cancels): ",
			 k->provider);
	ask(c, KEY_TYPED, prompt);
}

void ctl_key_begin(struct ctl *c, const char *provider, const char *env, int offered,
		   int resend, size_t retry_at)
{
	ctl_key_end(c);
	struct ctl_keyflow *k = calloc(1, sizeof *k);
	if (k) {
		k->key = sodium_malloc(VAULT_KEY_MAX + 1);
		k->pass = sodium_malloc(PASSPHRASE_MAX + 1);
	}
	if (!k || !k->key || !k->pass) {
		c->keyflow = k;
		ctl_key_end(c);
		ctl_message(c, "out of memory");
		return;
	}
	c->keyflow = k;
	snprintf(k->provider, sizeof k->provider, "%s", provider);
	k->offered = offered;
	k->resend = resend;
	k->retry_at = retry_at;
	if (env) {
		/* the variable wins over the vault: storing is asked, never assumed */
		snprintf(k->env, sizeof k->env, "%s", env);
		k->step = KEY_ENV;
		c->confirm_key = 1;
		c->mode = MODE_CONFIRM;
		c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
		return;
	}
	ask_key(c);
}

void ctl_key_question(const struct ctl *c, struct buf *out)
{
	const struct ctl_keyflow *k = c->keyflow;
	if (k)
		buf_printf(out, "%s is set and is used first; store a key anyway? (y/n)", k->env);
}

void ctl_key_confirm(struct ctl *c, int yes)
{
	c->confirm_key = 0;
	c->mode = MODE_CHAT;
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	if (!c->keyflow)
		return;
	if (yes) {
		ask_key(c);
		return;
	}
	ctl_message(c, "nothing stored: %s is used while it is set", c->keyflow->env);
	ctl_key_end(c);
}

/* A provider's or an MCP server's vault entry named name (as `cherry key set` takes). */
static const char *entry_named(const struct ctl *c, const char *name, const char **env)
{
	const struct provider *p = providers_find(&c->cfg->providers, name);
	*env = NULL;
	if (p) {
		if (c->world.has_env_key && c->world.has_env_key(c->world.ctx, p))
			*env = p->key_env;
		return p->name;
	}
	for (size_t i = 0; i < c->cfg->nmcp_servers; i++)
		if (c->cfg->mcp_servers[i].auth_key && !strcmp(c->cfg->mcp_servers[i].auth_key, name))
			return c->cfg->mcp_servers[i].auth_key;
	return NULL;
}

/* /key [PROVIDER]: no name is the current model's provider. */
int ctl_cmd_key(struct ctl *c, const char *arg)
{
	char name[VAULT_PROVIDER_MAX + 1];
	if (*arg) {
		snprintf(name, sizeof name, "%s", arg);
	} else if (c->model[0]) {
		snprintf(name, sizeof name, "%.*s", (int)strcspn(c->model, "/"), c->model);
	} else {
		ctl_message(c, "no model is chosen: /key PROVIDER names the provider "
			    "(cherry providers lists them)");
		return 0;
	}
	const char *env = NULL;
	const char *entry = strlen(arg) <= VAULT_PROVIDER_MAX ? entry_named(c, name, &env) : NULL;
	if (!entry) {
		/* never shown back: what was typed may be the key itself */
		ctl_message(c, "/key takes a provider's name (cherry providers lists them); the "
			    "key is asked for after, hidden");
		return 0;
	}
	const struct provider *p = providers_find(&c->cfg->providers, entry);
	if (p && p->key_command && !env) {
		ctl_message(c, "%s gets its key from its key_command (config.json); nothing to "
			    "store", entry);
		return 0;
	}
	ctl_key_begin(c, entry, env, 0, CTL_KEY_RESEND_NONE, 0);
	return 0;
}

/* A send found no key for its provider: the key is asked for, then the send goes again
 * (a plain send, or a retry to one model: the answer's own one when it is not the model
 * chosen; sends to several are only offered the key). */
void ctl_key_missing(struct ctl *c)
{
	const struct ctl_pending *pd = &c->pending;
	const struct provider *p = pd->prov;
	int one_retry = pd->retry == 1 && pd->nspecs == 1;
	if (!p || p->key_command || (pd->nspecs && !one_retry) || c->mode != MODE_CHAT ||
	    c->ov.kind != CTL_OV_NONE)
		return; /* the error line says what to do */
	int resend = pd->retry == 0 && !pd->queued ? CTL_KEY_RESEND_SEND :
		     pd->retry == 1 ? CTL_KEY_RESEND_RETRY : CTL_KEY_RESEND_NONE;
	ctl_key_begin(c, p->name, NULL, 1, resend, pd->retry_at);
	if (c->keyflow && one_retry)
		snprintf(c->keyflow->spec, sizeof c->keyflow->spec, "%s", pd->specs[0]);
}

void ctl_key_offer(struct ctl *c, const char *spec)
{
	char name[VAULT_PROVIDER_MAX + 1];
	snprintf(name, sizeof name, "%.*s", (int)strcspn(spec, "/"), spec);
	const struct provider *p = providers_find(&c->cfg->providers, name);
	if (p && !p->key_command)
		ctl_key_begin(c, p->name, NULL, 1, CTL_KEY_RESEND_NONE, 0);
}

/* The key typed, without the blanks a paste brings, into k->key: 0, or -1 with a message. */
static int take_key(struct ctl *c)
{
	struct ctl_keyflow *k = c->keyflow;
	size_t a = 0, b = c->pw_len;
	while (a < b && (c->pw[a] == ' ' || c->pw[a] == '\t'))
		a++;
	while (b > a && (c->pw[b - 1] == ' ' || c->pw[b - 1] == '\t'))
		b--;
	if (c->pw_over || !vault_key_valid(c->pw + a, b - a) || b == a) {
		ctl_message(c, "that is not an API key (printable ASCII without spaces, at most "
			    "%d bytes): type it again, or Esc", VAULT_KEY_MAX);
		return -1;
	}
	memcpy(k->key, c->pw + a, b - a);
	k->key_len = b - a;
	return 0;
}

static void take_pass(struct ctl *c)
{
	struct ctl_keyflow *k = c->keyflow;
	memcpy(k->pass, c->pw, c->pw_len);
	k->pass_len = c->pw_len;
	k->have_pass = 1;
}

static void forget_pass(struct ctl_keyflow *k)
{
	sodium_memzero(k->pass, PASSPHRASE_MAX + 1);
	k->pass_len = 0;
	k->have_pass = k->create = 0;
}

/* Enter at the key's or a passphrase's prompt. */
void ctl_key_enter(struct ctl *c)
{
	struct ctl_keyflow *k = c->keyflow;
	int store = 0;
	switch (k->step) {
	case KEY_TYPED:
		store = take_key(c) == 0;
		break;
	case KEY_UNLOCK:
		take_pass(c);
		store = 1;
		break;
	case KEY_NEW:
		if (!c->pw_len) {
			ctl_message(c, "the passphrase must not be empty: type one, or Esc");
			break;
		}
		take_pass(c);
		ask(c, KEY_REPEAT, "Repeat the new passphrase: ");
		return;
	case KEY_REPEAT:
		if (c->pw_len != k->pass_len || sodium_memcmp(c->pw, k->pass, k->pass_len)) {
			forget_pass(k);
			ctl_message(c, "the two passphrases differ: choose one again, or Esc");
			ask(c, KEY_NEW, "New passphrase for the key vault: ");
			return;
		}
		k->create = 1;
		store = 1;
		break;
	case KEY_ENV:
		break;
	}
	ctl_h_pass_clear(c);
	if (store)
		c->react |= CTL_KEY_STORE;
}

void ctl_key_cancel(struct ctl *c)
{
	ctl_key_end(c);
	ctl_message(c, "no key stored");
}

const char *ctl_key_to_store(const struct ctl *c, const char **key, size_t *key_len,
			     const char **pass, size_t *pass_len, int *create)
{
	const struct ctl_keyflow *k = c->keyflow;
	*key = k ? k->key : "";
	*key_len = k ? k->key_len : 0;
	*pass = k && k->have_pass ? k->pass : NULL;
	*pass_len = k && k->have_pass ? k->pass_len : 0;
	*create = k ? k->create : 0;
	return k && k->key_len ? k->provider : NULL;
}

/* The key is in the vault: the message that found none goes again. */
static void stored(struct ctl *c)
{
	struct ctl_keyflow *k = c->keyflow;
	int resend = k->resend;
	size_t retry_at = k->retry_at;
	char spec[sizeof k->spec];
	snprintf(spec, sizeof spec, "%s", k->spec);
	/* no model chosen yet (a newcomer's first key): the provider's first one is */
	const struct provider *p = providers_find(&c->cfg->providers, k->provider);
	if (p && ctl_first_model_of(c, p))
		ctl_message(c, "stored the key for %s in the key vault (encrypted); model: %s",
			    k->provider, c->model);
	else
		ctl_message(c, "stored the key for %s in the key vault (encrypted)", k->provider);
	ctl_key_end(c);
	size_t len;
	const char *s = edit_text(c->ed, &len);
	if (resend == CTL_KEY_RESEND_SEND && s && len)
		ctl_do_action(c, ACT_SEND);
	else if (resend == CTL_KEY_RESEND_RETRY && spec[0])
		ctl_retry_model(c, spec, retry_at);
	else if (resend == CTL_KEY_RESEND_RETRY)
		ctl_request_retry_at(c, retry_at);
}

int ctl_key_stored(struct ctl *c, enum ctl_store_result r, const struct err *e, double now,
		   double wall)
{
	c->now = now;
	c->wall = wall;
	c->react = 0;
	struct ctl_keyflow *k = c->keyflow;
	if (!k)
		return 0;
	forget_pass(k);
	switch (r) {
	case CTL_STORED:
		stored(c);
		break;
	case CTL_STORE_NEED_PASSPHRASE:
		ask(c, KEY_UNLOCK, "Passphrase for the cherry key vault: ");
		break;
	case CTL_STORE_NEED_NEW:
		ctl_message(c, "creating the key vault: choose its passphrase; if you forget it, "
			    "the keys in it cannot be recovered");
		ask(c, KEY_NEW, "New passphrase for the key vault: ");
		break;
	case CTL_STORE_WRONG:
		if (++k->wrong < KEY_TRIES) {
			ask(c, KEY_UNLOCK, "Wrong passphrase; try again: ");
			break;
		}
		ctl_key_end(c);
		ctl_message(c, "wrong passphrase for the key vault (%d tries); no key stored",
			    KEY_TRIES);
		break;
	case CTL_STORE_FAILED:
		ctl_key_end(c);
		ctl_message(c, "%s; no key stored", e && e->msg[0] ? e->msg : "out of memory");
		break;
	}
	c->dirty |= CTL_DIRTY_ALL;
	ctl_settle(c);
	return c->react;
}
