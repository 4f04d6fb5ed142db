/* vault: the encrypted key store (keys.vault): format v1, its crypto, load and save.
 * The byte layout is described at the top of src/vault.c and in the man page. */
#ifndef CHERRY_VAULT_H
#define CHERRY_VAULT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cherry/buf.h"
#include "cherry/err.h"
#include "cherry/secret.h"

#define VAULT_VERSION 1
#define VAULT_SALT_BYTES 16
#define VAULT_NONCE_BYTES 24
#define VAULT_DEK_BYTES 32
#define VAULT_WRAPPED_BYTES 48      /* DEK + Poly1305 tag */
#define VAULT_HEADER_BYTES 144      /* everything before the payload ciphertext */
#define VAULT_CHECKSUM_BYTES 32     /* BLAKE2b-256 trailer */
#define VAULT_PAD_BLOCK 512         /* the key store is padded to a multiple of this */
#define VAULT_FILE_MAX (1024 * 1024)
#define VAULT_PROVIDER_MAX 128
#define VAULT_KEY_MAX 4096 /* an AWS session token with its key pair fits */

/* Argon2id13 cost. memlimit is in KiB, as stored in the file. */
struct vault_kdf {
	uint32_t opslimit;
	uint32_t memlimit_kib;
};

/* libsodium's presets: MODERATE for new vaults, INTERACTIVE on request. */
extern const struct vault_kdf vault_kdf_moderate;
extern const struct vault_kdf vault_kdf_interactive;
/* The weakest cost a file may carry. cherry itself always passes
 * vault_kdf_floor (= INTERACTIVE); only tests pass vault_kdf_test_floor. */
extern const struct vault_kdf vault_kdf_floor;
extern const struct vault_kdf vault_kdf_test_floor;
/* Stored costs above these are refused before anything is allocated: the most `--kdf`
 * makes (MODERATE, 3 passes over 256 MiB) plus headroom, one pass and twice the memory,
 * so a crafted header costs at most about 2 s and 512 MiB before the passphrase is
 * judged (it was 10 passes and 2 GiB, about 30 s). */
#define VAULT_OPSLIMIT_MAX 4u
#define VAULT_MEMLIMIT_KIB_MAX (512u * 1024) /* 512 MiB */

/* The fixed-size fields of a file, as parsed. payload points into the bytes
 * given to vault_parse and is only valid while they are. */
struct vault_header {
	uint16_t version;
	struct vault_kdf kdf;
	unsigned char salt[VAULT_SALT_BYTES];
	unsigned char wrap_nonce[VAULT_NONCE_BYTES];
	unsigned char wrapped_dek[VAULT_WRAPPED_BYTES];
	unsigned char payload_nonce[VAULT_NONCE_BYTES];
	uint32_t payload_len;
	const unsigned char *payload;
	const unsigned char *bytes; /* the whole file: the header bytes are the AD */
};

struct vault_entry {
	char *provider;      /* plain malloc: provider names are not secret in memory */
	char added[32];      /* "2026-11-29T10:00:00Z" */
	struct secret *key;  /* hidden while idle (secret_hide) */
};

/* An unlocked vault: the slot that wraps the data key, the data key itself
 * (guarded, no access while idle) and the keys, sorted by provider. */
struct vault {
	struct vault_kdf kdf;
	unsigned char salt[VAULT_SALT_BYTES];
	unsigned char wrap_nonce[VAULT_NONCE_BYTES];
	unsigned char wrapped_dek[VAULT_WRAPPED_BYTES];
	unsigned char *dek;
	struct vault_entry *v;
	size_t n;
};

/* Return value of vault_unlock when the passphrase does not open the slot. */
#define VAULT_WRONG_PASSPHRASE (-2)

/* ---- pure: bytes in, values out ---- */

/* Checks everything that can be checked without the passphrase: size, magic,
 * version (a newer one is "made by a newer cherry"), flags, algorithm ids,
 * KDF cost against floor and the caps, lengths and the checksum. Runs no KDF
 * and allocates nothing. Returns 0 or -1 (e->code EXIT_VAULT). */
int vault_parse(const unsigned char *data, size_t len, const struct vault_kdf *floor,
		struct vault_header *h, struct err *e);

/* Derives the slot key from the passphrase, unwraps the data key, decrypts and
 * parses the key store. Returns 0 with *out, VAULT_WRONG_PASSPHRASE, or -1
 * (damaged, out of memory); e is set on both failures. */
int vault_unlock(const struct vault_header *h, const char *pass, size_t pass_len,
		 struct vault **out, struct err *e);

/* The file of h opened again with the data key of open, an unlocked vault, without the
 * passphrase: when h's slot is open's (the same salt, nonce, wrapped key and cost: the
 * passphrase has not changed since), 0 with *out holding h's key store as it is now; 1
 * when the slot is another (the passphrase is needed); -1 with e (damaged, out of memory). */
int vault_reopen(const struct vault *open, const struct vault_header *h, struct vault **out,
		 struct err *e);

/* A new empty vault under pass with the given cost; random salt and data key. */
struct vault *vault_new(const char *pass, size_t pass_len, const struct vault_kdf *kdf,
			struct err *e);
/* The same with every random input given, for known-answer tests. */
struct vault *vault_new_with(const char *pass, size_t pass_len, const struct vault_kdf *kdf,
			     const unsigned char salt[VAULT_SALT_BYTES],
			     const unsigned char dek[VAULT_DEK_BYTES],
			     const unsigned char wrap_nonce[VAULT_NONCE_BYTES], struct err *e);

/* A new passphrase (and cost): new salt, new data key, new wrap nonce. */
int vault_rewrap(struct vault *v, const char *pass, size_t pass_len,
		 const struct vault_kdf *kdf, struct err *e);

/* The file bytes for v, under a fresh random payload nonce. */
int vault_encode(const struct vault *v, struct buf *out, struct err *e);
int vault_encode_with(const struct vault *v, const unsigned char nonce[VAULT_NONCE_BYTES],
		      struct buf *out, struct err *e);

/* The key store is a JSON object {"keys":{"<provider>":{"key":..,"added":..}}}.
 * vault_store_parse replaces v's entries with the ones in text (authenticated
 * plaintext only); it is pure and separate so it can be fuzzed. */
int vault_store_parse(struct vault *v, const char *text, size_t len, struct err *e);

struct vault_entry *vault_find(const struct vault *v, const char *provider);
/* Adds or replaces provider's key, recording added (UTC) as its time. */
int vault_set(struct vault *v, const char *provider, const char *key, size_t key_len,
	      time_t added, struct err *e);
/* Returns 0, or 1 when there was no key for provider. */
int vault_remove(struct vault *v, const char *provider);
void vault_free(struct vault *v);

/* Provider names in the store: printable ASCII without spaces, at most
 * VAULT_PROVIDER_MAX bytes. */
int vault_provider_valid(const char *name);
/* An API key: printable ASCII without spaces, CR or LF, at most VAULT_KEY_MAX bytes.
 * It lives here, the lowest layer that stores keys, so keys.c and the vault agree. */
int vault_key_valid(const char *key, size_t len);

/* How many times the KDF has run in this process (tests prove what never reaches it). */
unsigned long vault_kdf_runs(void);

/* ---- files ---- */

/* "$XDG_DATA_HOME/cherry/keys.vault". */
int vault_path(struct buf *out, struct err *e);
/* Reads the file, refusing one that is not a regular file, is owned by
 * someone else or is open to group or others (with the chmod that fixes it).
 * Returns 0, 1 when there is no vault, -1 on error (EXIT_VAULT). */
int vault_read_file(const char *path, struct buf *out, struct err *e);
/* Encodes v and replaces path atomically (creating its directory 0700). */
int vault_write_file(const char *path, const struct vault *v, struct err *e);

#endif
