/* keys: the one way a request gets its API key: the provider's environment
 * variable first, then its key_command, then the vault (unlocked lazily, once per
 * process). Each source may hold several keys joined by commas ("k1,k2", as Cherry
 * Studio keeps them); they are taken in turn, and one a provider refused is skipped. */
#ifndef CHERRY_KEYS_H
#define CHERRY_KEYS_H

#include "cherry/err.h"
#include "cherry/passphrase.h"
#include "cherry/providers.h"
#include "cherry/secret.h"

struct keyring;

struct keyring *keyring_new(const struct passphrase_opts *opts);
/* Finds the key for p whose turn it is. Returns 0 with *key set (free with
 * secret_free) and *source naming where it came from (the variable name,
 * "key_command" or "vault"); key_command runs once per keyring, its keys kept (for
 * p->key_ttl seconds when that is set, then it runs again); bedrock reads the AWS
 * SDKs' variables (AWS_BEARER_TOKEN_BEDROCK, else AWS_ACCESS_KEY_ID with
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, joined "ID:SECRET[:TOKEN]");
 * 1 when there is none (e says which variable to set; code EXIT_KEY);
 * -1 on error (e.g. wrong vault passphrase: EXIT_VAULT). The vault is
 * unlocked on the first call that needs it and at most once per keyring; a
 * failed unlock is remembered, not retried. A provider that works without a
 * key (key_optional) never causes an unlock on its own. */
int keyring_get(struct keyring *kr, const struct provider *p, struct secret **key,
		const char **source, struct err *e);
void keyring_free(struct keyring *kr);
/* The clock (seconds) a provider's key_ttl is counted on; NULL: the monotonic clock. */
void keyring_set_clock(struct keyring *kr, double (*now)(void));
/* Marks key as refused by p (a 401 or 403): keyring_get skips it for the rest of
 * the process. Returns 1 the first time when p has other keys, with e holding the
 * one warning line to show ("warning: NAME refused the key ending in ..."), else 0
 * (a single key's refusal is already the error line). A token from a key_command
 * with a key_ttl may just have expired: the first refusal makes the command run
 * again at the next lookup instead (1, with a warning); a fresh one refused too is
 * refused as above. */
int keyring_reject(struct keyring *kr, const struct provider *p, const struct secret *key,
		   struct err *e);
/* Whether a request to p would find a key without one being typed, asked without running
 * key_command or unlocking the vault: 1 yes (its variable, a key_command config.json set, or the vault
 * this keyring holds unlocked has one), 0 no (none of those, and no vault file or the
 * unlocked vault has none for it), -1 not known yet (a vault file this keyring has not
 * unlocked). kr may be NULL (the environment and key_command only). */
int keyring_has(struct keyring *kr, const struct provider *p);
/* The first key p's environment holds (bedrock: as the AWS SDKs read them), for a
 * lookup that must not run key_command or unlock the vault: 1 with *key (free with
 * secret_free), 0 when there is none or it is not a key. */
int keys_env_first(const struct provider *p, struct secret **key);
/* How many keys s[0..len) holds: comma-separated, blanks around each ignored. */
size_t keys_count(const char *s, size_t len);
/* Splits s[0..len) into its keys (as keys_count counts them). -1 when there is none,
 * one is not a valid key (vault_key_valid) or memory ran out. */
int keys_split(const char *s, size_t len, struct secret ***out, size_t *n);

/* keyring_get's answer while deferred when the passphrase must be typed. */
#define KEYRING_NEED_PASSPHRASE 2
/* While deferred (on != 0), keyring_get never asks the user: when the key would
 * come from the locked vault and the passphrase would have to be typed (no
 * --passphrase-fd, no vault.passphrase_command, no CHERRY_PASSPHRASE), it
 * returns KEYRING_NEED_PASSPHRASE and changes nothing; the caller asks in its
 * own screen and calls keyring_unlock_with. The other sources need no screen
 * and still work inside keyring_get. */
void keyring_defer_typed(struct keyring *kr, int on);
/* Unlocks the vault with a passphrase the caller got from the user.
 * 0: unlocked (or there is no vault file: keys come from the environment only);
 * 1: wrong passphrase, nothing changed, the caller may ask again; after
 *    3 wrong tries in all the keyring fails as keyring_get would ("wrong
 *    passphrase for the key vault (3 tries)...") and this returns -1;
 * -1: other error with e set (EXIT_VAULT: damaged, newer format, unsafe
 *    permissions), remembered like a failed unlock in keyring_get. */
int keyring_unlock_with(struct keyring *kr, const struct secret *pass, struct err *e);

struct vault;

/* Holds an exclusive lock on "<vault>.lock" while a key is stored (or removed, or the
 * passphrase changed), so two cherry processes never lose each other's change; removes
 * the temp copies killed saves left behind. The lock's descriptor (close it to let go),
 * or -1 with e. */
int keys_vault_lock(const char *path, struct err *e);

/* keyring_store's answer when no vault exists: a new passphrase must be chosen. */
#define KEYRING_NEED_NEW 3
/* Stores key for provider in the vault as `cherry key set` does, for the full-screen
 * client's /key: under the vault's lock the file is read again and opened with pass, or,
 * when there is none and create is set, made with pass (the cost of a new vault,
 * MODERATE); the key replaces the provider's; the file is written atomically; the
 * keyring then holds that vault, unlocked, and reads the new key at its next lookup.
 * pass NULL, once the keyring has unlocked the vault, opens the file with the data key
 * it holds (unless its passphrase changed since); else it takes the passphrase from the
 * keyring's sources that are not typed
 * (--passphrase-fd, vault.passphrase_command, CHERRY_PASSPHRASE) as `cherry key set`
 * does, when one is set; else it changes nothing and says which is needed:
 * KEYRING_NEED_PASSPHRASE (a vault exists: its passphrase) or KEYRING_NEED_NEW (none: a
 * new one, typed twice).
 * 0 stored; 1 wrong passphrase (nothing changed); those two; -1 with e. */
int keyring_store(struct keyring *kr, const char *provider, const struct secret *key,
		  const struct secret *pass, int create, struct err *e);

/* Reads, checks and unlocks the vault at path, getting the passphrase through
 * passphrase_get (three tries when the user types it). Returns 0 with *out,
 * 1 when there is no vault file, -1 with e set (EXIT_VAULT: wrong passphrase,
 * damaged, newer format, unsafe permissions). The file is never written. */
int keys_vault_open(const struct passphrase_opts *opts, const char *path, struct vault **out,
		    struct err *e);

#endif
