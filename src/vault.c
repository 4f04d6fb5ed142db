/* vault: keys.vault format v1: encoding, decoding and crypto (pure). Reading and saving
 * the file (the only part that touches the file system) is vault_file.c's.
 *
 * Envelope encryption (security.md §1.4): a random 32-byte data key (DEK) seals
 * the key store with XChaCha20-Poly1305-IETF under a fresh random nonce on every
 * save, with every header byte as additional data. One passphrase slot wraps
 * the DEK: KEK = Argon2id13(passphrase, salt, opslimit, memlimit), and the DEK
 * is sealed under the KEK with XChaCha20-Poly1305-IETF and its own nonce.
 *
 * Format v1, all integers little-endian, every field fixed-size:
 *
 *   offset size  field
 *        0    8  magic "CHRYVLT\0" (43 48 52 59 56 4c 54 00)
 *        8    2  format version = 1 (a larger one: "made by a newer cherry")
 *       10    2  flags = 0 (anything else is refused)
 *       12    1  slot count = 1
 *       13    1  payload algorithm = 1 (XChaCha20-Poly1305-IETF)
 *       14    2  reserved = 0
 *     slot 0:
 *       16    1  slot type = 1 (passphrase)
 *       17    1  KDF algorithm = 2 (crypto_pwhash_ALG_ARGON2ID13, never ALG_DEFAULT)
 *       18    1  wrap algorithm = 1 (XChaCha20-Poly1305-IETF)
 *       19    1  reserved = 0
 *       20    4  opslimit (u32)
 *       24    4  memlimit in KiB (u32)
 *       28   16  salt
 *       44   24  wrap nonce
 *       68   48  wrapped DEK (32 + 16-byte tag); AD = bytes 0..67
 *     payload:
 *      116    4  N = payload ciphertext length (u32), N = 16 + 512k, k >= 1
 *      120   24  payload nonce (fresh on every save)
 *      144    N  payload ciphertext; AD = bytes 0..143
 *    144+N   32  BLAKE2b-256 (unkeyed) of bytes 0..143+N
 *
 * The file is exactly 176 + N bytes. The payload plaintext is the key store,
 * {"keys":{"openai":{"key":"...","added":"2026-11-29T10:00:00Z"}}}, compact
 * with sorted keys, padded with sodium_pad to a multiple of 512 bytes so its
 * size says nothing about how many keys it holds. The unkeyed checksum only
 * tells a damaged file from a wrong passphrase (and lets damage be found before
 * the KDF runs); integrity comes from the two AEAD tags. The slot's AD leaves
 * out the payload fields so a save never needs the passphrase again.
 *
 * Checks run in this order, all before any allocation or KDF: magic, version,
 * size, checksum, flags and reserved bytes, algorithm ids, KDF cost (above the
 * caps or below the floor: refused), exact length. Only plaintext that has
 * passed the payload tag is parsed.
 */
#include "cherry/vault.h"
#include "vault_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "cherry/jsonmem.h"

static const unsigned char vault_magic[8] = {'C', 'H', 'R', 'Y', 'V', 'L', 'T', 0};

enum {
	OFF_VERSION = 8,
	OFF_FLAGS = 10,
	OFF_SLOTS = 12,
	OFF_PAYLOAD_ALG = 13,
	OFF_RESERVED0 = 14,
	OFF_SLOT_TYPE = 16,
	OFF_KDF_ALG = 17,
	OFF_WRAP_ALG = 18,
	OFF_RESERVED1 = 19,
	OFF_OPSLIMIT = 20,
	OFF_MEMLIMIT = 24,
	OFF_SALT = 28,
	OFF_WRAP_NONCE = 44,
	OFF_WRAPPED = 68,          /* also the length of the slot's AD */
	OFF_PAYLOAD_LEN = 116,
	OFF_PAYLOAD_NONCE = 120,
	OFF_PAYLOAD = 144,
};

#define ALG_XCHACHA20POLY1305 1
#define SLOT_PASSPHRASE 1
#define AEAD_TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define FILE_MIN (VAULT_HEADER_BYTES + AEAD_TAG + VAULT_PAD_BLOCK + VAULT_CHECKSUM_BYTES)

_Static_assert(OFF_PAYLOAD == VAULT_HEADER_BYTES, "header size");
_Static_assert(crypto_pwhash_ALG_ARGON2ID13 == 2, "Argon2id13 id as stored");
_Static_assert(crypto_pwhash_SALTBYTES == VAULT_SALT_BYTES, "salt size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == VAULT_NONCE_BYTES, "nonce");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == VAULT_DEK_BYTES, "key size");
_Static_assert(VAULT_DEK_BYTES + AEAD_TAG == VAULT_WRAPPED_BYTES, "wrapped DEK size");
_Static_assert(crypto_generichash_BYTES == VAULT_CHECKSUM_BYTES, "checksum size");

const struct vault_kdf vault_kdf_moderate = {
	crypto_pwhash_argon2id_OPSLIMIT_MODERATE,
	crypto_pwhash_argon2id_MEMLIMIT_MODERATE / 1024,
};
const struct vault_kdf vault_kdf_interactive = {
	crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
	crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE / 1024,
};
const struct vault_kdf vault_kdf_floor = {
	crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
	crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE / 1024,
};
/* The caps leave room above the strongest cost `cherry key set --kdf` makes. */
_Static_assert(crypto_pwhash_argon2id_OPSLIMIT_MODERATE < VAULT_OPSLIMIT_MAX &&
		       crypto_pwhash_argon2id_MEMLIMIT_MODERATE / 1024 < VAULT_MEMLIMIT_KIB_MAX,
	       "the KDF caps are below what --kdf moderate creates");
/* Argon2id's own minimum (1 pass, 8 KiB): fast enough to flip every bit of a file. */
const struct vault_kdf vault_kdf_test_floor = {1, 8};

static unsigned long kdf_runs;

unsigned long vault_kdf_runs(void)
{
	return kdf_runs;
}

/* ---- little-endian fields ---- */

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* ---- parsing ---- */

int vault_damaged(struct err *e, const char *why)
{
	err_set(e, EXIT_VAULT, "the key vault is damaged (%s); it is left as it is", why);
	return -1;
}

static int kdf_check(const struct vault_kdf *k, const struct vault_kdf *floor, struct err *e)
{
	if (k->opslimit > VAULT_OPSLIMIT_MAX || k->memlimit_kib > VAULT_MEMLIMIT_KIB_MAX) {
		err_set(e, EXIT_VAULT, "the key vault asks for a key-derivation cost above "
			"cherry's limit (%lu passes, %lu MiB; at most %u and %u MiB); refusing it",
			(unsigned long)k->opslimit, (unsigned long)k->memlimit_kib / 1024,
			VAULT_OPSLIMIT_MAX, VAULT_MEMLIMIT_KIB_MAX / 1024);
		return -1;
	}
	if (k->opslimit < floor->opslimit || k->memlimit_kib < floor->memlimit_kib) {
		err_set(e, EXIT_VAULT, "the key vault's key-derivation cost is below what cherry "
			"accepts (%lu passes, %lu KiB; at least %lu and %lu KiB); refusing it",
			(unsigned long)k->opslimit, (unsigned long)k->memlimit_kib,
			(unsigned long)floor->opslimit, (unsigned long)floor->memlimit_kib);
		return -1;
	}
	return 0;
}

int vault_parse(const unsigned char *data, size_t len, const struct vault_kdf *floor,
		struct vault_header *h, struct err *e)
{
	memset(h, 0, sizeof *h);
	if (len < sizeof vault_magic || memcmp(data, vault_magic, sizeof vault_magic) != 0) {
		err_set(e, EXIT_VAULT, "the key vault is not a cherry vault file (wrong magic); "
			"it is left as it is");
		return -1;
	}
	if (len < OFF_VERSION + 2)
		return vault_damaged(e, "truncated");
	h->version = get16(data + OFF_VERSION);
	if (h->version > VAULT_VERSION) {
		err_set(e, EXIT_VAULT, "the key vault was made by a newer cherry (format version "
			"%u; this one reads %u), or is damaged; upgrade cherry. The file is left "
			"as it is", (unsigned)h->version, (unsigned)VAULT_VERSION);
		return -1;
	}
	if (h->version == 0)
		return vault_damaged(e, "format version 0");
	if (len < FILE_MIN)
		return vault_damaged(e, "truncated");
	if (len > VAULT_FILE_MAX)
		return vault_damaged(e, "larger than any vault cherry writes");

	unsigned char sum[VAULT_CHECKSUM_BYTES];
	size_t body = len - VAULT_CHECKSUM_BYTES;
	crypto_generichash(sum, sizeof sum, data, body, NULL, 0);
	if (sodium_memcmp(sum, data + body, sizeof sum) != 0)
		return vault_damaged(e, "checksum mismatch");

	if (get16(data + OFF_FLAGS) != 0) {
		err_set(e, EXIT_VAULT, "the key vault uses features this cherry does not know "
			"(flags 0x%04x); upgrade cherry. The file is left as it is",
			(unsigned)get16(data + OFF_FLAGS));
		return -1;
	}
	if (get16(data + OFF_RESERVED0) != 0 || data[OFF_RESERVED1] != 0)
		return vault_damaged(e, "reserved bytes set");
	if (data[OFF_SLOTS] != 1 || data[OFF_SLOT_TYPE] != SLOT_PASSPHRASE ||
	    data[OFF_KDF_ALG] != crypto_pwhash_ALG_ARGON2ID13 ||
	    data[OFF_WRAP_ALG] != ALG_XCHACHA20POLY1305 ||
	    data[OFF_PAYLOAD_ALG] != ALG_XCHACHA20POLY1305) {
		err_set(e, EXIT_VAULT, "the key vault uses an algorithm this cherry does not know "
			"(slots %u, slot type %u, KDF %u, wrap %u, payload %u); upgrade cherry. "
			"The file is left as it is", data[OFF_SLOTS], data[OFF_SLOT_TYPE],
			data[OFF_KDF_ALG], data[OFF_WRAP_ALG], data[OFF_PAYLOAD_ALG]);
		return -1;
	}
	h->kdf.opslimit = get32(data + OFF_OPSLIMIT);
	h->kdf.memlimit_kib = get32(data + OFF_MEMLIMIT);
	if (kdf_check(&h->kdf, floor, e) < 0)
		return -1;

	h->payload_len = get32(data + OFF_PAYLOAD_LEN);
	if ((size_t)h->payload_len != len - VAULT_HEADER_BYTES - VAULT_CHECKSUM_BYTES)
		return vault_damaged(e, "length mismatch");
	if ((h->payload_len - AEAD_TAG) % VAULT_PAD_BLOCK != 0)
		return vault_damaged(e, "payload not padded");

	memcpy(h->salt, data + OFF_SALT, sizeof h->salt);
	memcpy(h->wrap_nonce, data + OFF_WRAP_NONCE, sizeof h->wrap_nonce);
	memcpy(h->wrapped_dek, data + OFF_WRAPPED, sizeof h->wrapped_dek);
	memcpy(h->payload_nonce, data + OFF_PAYLOAD_NONCE, sizeof h->payload_nonce);
	h->payload = data + OFF_PAYLOAD;
	h->bytes = data;
	return 0;
}

/* ---- the slot ---- */

/* Bytes 0..67: what the slot's tag covers. */
static void slot_ad(unsigned char ad[OFF_WRAPPED], const struct vault *v)
{
	memset(ad, 0, OFF_WRAPPED);
	memcpy(ad, vault_magic, sizeof vault_magic);
	put16(ad + OFF_VERSION, VAULT_VERSION);
	put16(ad + OFF_FLAGS, 0);
	ad[OFF_SLOTS] = 1;
	ad[OFF_PAYLOAD_ALG] = ALG_XCHACHA20POLY1305;
	ad[OFF_SLOT_TYPE] = SLOT_PASSPHRASE;
	ad[OFF_KDF_ALG] = crypto_pwhash_ALG_ARGON2ID13;
	ad[OFF_WRAP_ALG] = ALG_XCHACHA20POLY1305;
	put32(ad + OFF_OPSLIMIT, v->kdf.opslimit);
	put32(ad + OFF_MEMLIMIT, v->kdf.memlimit_kib);
	memcpy(ad + OFF_SALT, v->salt, VAULT_SALT_BYTES);
	memcpy(ad + OFF_WRAP_NONCE, v->wrap_nonce, VAULT_NONCE_BYTES);
}

/* The slot key, in guarded memory; NULL with e set when Argon2id could not run. */
static unsigned char *derive_kek(const char *pass, size_t pass_len, const struct vault_kdf *kdf,
				 const unsigned char salt[VAULT_SALT_BYTES], struct err *e)
{
	unsigned char *kek = sodium_malloc(VAULT_DEK_BYTES);
	if (!kek) {
		err_set(e, EXIT_FAIL, "out of memory");
		return NULL;
	}
	kdf_runs++;
	if (crypto_pwhash(kek, VAULT_DEK_BYTES, pass, pass_len, salt, kdf->opslimit,
			  (size_t)kdf->memlimit_kib * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_free(kek);
		err_set(e, EXIT_FAIL, "not enough memory for the vault's key derivation "
			"(%lu MiB); on a small machine create the vault with --kdf interactive",
			(unsigned long)kdf->memlimit_kib / 1024);
		return NULL;
	}
	return kek;
}

/* Gives v a new slot: new data key, new salt and cost, the key wrapped under pass. */
static int wrap_new(struct vault *v, const char *pass, size_t pass_len,
		    const struct vault_kdf *kdf, const unsigned char salt[VAULT_SALT_BYTES],
		    const unsigned char dek[VAULT_DEK_BYTES],
		    const unsigned char wrap_nonce[VAULT_NONCE_BYTES], struct err *e)
{
	if (kdf_check(kdf, &vault_kdf_test_floor, e) < 0)
		return -1;
	unsigned char *kek = derive_kek(pass, pass_len, kdf, salt, e);
	if (!kek)
		return -1;
	if (!v->dek) {
		v->dek = sodium_malloc(VAULT_DEK_BYTES);
		if (!v->dek) {
			sodium_free(kek);
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
	}
	sodium_mprotect_readwrite(v->dek);
	memcpy(v->dek, dek, VAULT_DEK_BYTES);
	v->kdf = *kdf;
	memcpy(v->salt, salt, VAULT_SALT_BYTES);
	memcpy(v->wrap_nonce, wrap_nonce, VAULT_NONCE_BYTES);
	unsigned char ad[OFF_WRAPPED];
	slot_ad(ad, v);
	crypto_aead_xchacha20poly1305_ietf_encrypt(v->wrapped_dek, NULL, v->dek, VAULT_DEK_BYTES,
						   ad, sizeof ad, NULL, v->wrap_nonce, kek);
	sodium_mprotect_noaccess(v->dek);
	sodium_free(kek);
	return 0;
}

static struct vault *vault_alloc(struct err *e)
{
	struct vault *v = calloc(1, sizeof *v);
	if (!v)
		err_set(e, EXIT_FAIL, "out of memory");
	return v;
}

struct vault *vault_new_with(const char *pass, size_t pass_len, const struct vault_kdf *kdf,
			     const unsigned char salt[VAULT_SALT_BYTES],
			     const unsigned char dek[VAULT_DEK_BYTES],
			     const unsigned char wrap_nonce[VAULT_NONCE_BYTES], struct err *e)
{
	struct vault *v = vault_alloc(e);
	if (!v)
		return NULL;
	if (wrap_new(v, pass, pass_len, kdf, salt, dek, wrap_nonce, e) < 0) {
		vault_free(v);
		return NULL;
	}
	return v;
}

/* Fresh random salt, data key and nonce for a slot. */
struct slot_random {
	unsigned char salt[VAULT_SALT_BYTES];
	unsigned char dek[VAULT_DEK_BYTES];
	unsigned char nonce[VAULT_NONCE_BYTES];
};

static struct slot_random *slot_random_new(struct err *e)
{
	struct slot_random *r = sodium_malloc(sizeof *r);
	if (!r) {
		err_set(e, EXIT_FAIL, "out of memory");
		return NULL;
	}
	randombytes_buf(r->salt, sizeof r->salt);
	crypto_aead_xchacha20poly1305_ietf_keygen(r->dek);
	randombytes_buf(r->nonce, sizeof r->nonce);
	return r;
}

struct vault *vault_new(const char *pass, size_t pass_len, const struct vault_kdf *kdf,
			struct err *e)
{
	struct slot_random *r = slot_random_new(e);
	if (!r)
		return NULL;
	struct vault *v = vault_new_with(pass, pass_len, kdf, r->salt, r->dek, r->nonce, e);
	sodium_free(r);
	return v;
}

int vault_rewrap(struct vault *v, const char *pass, size_t pass_len,
		 const struct vault_kdf *kdf, struct err *e)
{
	/* A new data key too: an old copy of the file plus the old passphrase
	 * then opens nothing written after the change. */
	struct slot_random *r = slot_random_new(e);
	if (!r)
		return -1;
	int rc = wrap_new(v, pass, pass_len, kdf, r->salt, r->dek, r->nonce, e);
	sodium_free(r);
	return rc;
}

/* ---- the key store (plaintext JSON) ---- */

/* 1 to max bytes of printable ASCII without spaces. */
static int printable_word(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

int vault_provider_valid(const char *name)
{
	return printable_word(name, strlen(name), VAULT_PROVIDER_MAX);
}

int vault_key_valid(const char *key, size_t len)
{
	return printable_word(key, len, VAULT_KEY_MAX);
}

static int added_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof ((struct vault_entry *)0)->added)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static void entries_free(struct vault_entry *ev, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ev[i].provider);
		secret_free(ev[i].key);
	}
	free(ev);
}

int vault_store_parse(struct vault *v, const char *text, size_t len, struct err *e)
{
	json_error_t jerr;
	int oom;
	/* jerr.text may quote the input, which holds keys: it is never shown. */
	json_t *root = jsonmem_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr, &oom);
	if (oom) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	json_t *keys = root ? json_object_get(root, "keys") : NULL;
	if (!json_is_object(root) || !json_is_object(keys)) {
		json_decref(root);
		return vault_damaged(e, "its key store is not the expected JSON");
	}
	size_t n = json_object_size(keys);
	struct vault_entry *ev = calloc(n ? n : 1, sizeof *ev);
	if (!ev) {
		json_decref(root);
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	size_t i = 0;
	const char *name;
	json_t *val;
	int rc = 0;
	json_object_foreach(keys, name, val) {
		json_t *k = json_object_get(val, "key");
		json_t *a = json_object_get(val, "added");
		if (!vault_provider_valid(name) || !json_is_string(k) || !json_is_string(a) ||
		    !vault_key_valid(json_string_value(k), json_string_length(k)) ||
		    !added_valid(json_string_value(a))) {
			rc = vault_damaged(e, "an entry of its key store is malformed");
			break;
		}
		ev[i].provider = strdup(name);
		ev[i].key = secret_new(json_string_value(k), json_string_length(k));
		snprintf(ev[i].added, sizeof ev[i].added, "%s", json_string_value(a));
		i++;
		if (!ev[i - 1].provider || !ev[i - 1].key) {
			err_set(e, EXIT_FAIL, "out of memory");
			rc = -1;
			break;
		}
		secret_hide(ev[i - 1].key);
	}
	json_decref(root);
	if (rc < 0) {
		entries_free(ev, i);
		return -1;
	}
	/* Kept sorted by provider, like vault_set keeps them. */
	for (size_t a = 1; a < i; a++)
		for (size_t b = a; b > 0 && strcmp(ev[b - 1].provider, ev[b].provider) > 0; b--) {
			struct vault_entry t = ev[b];
			ev[b] = ev[b - 1];
			ev[b - 1] = t;
		}
	entries_free(v->v, v->n);
	v->v = ev;
	v->n = i;
	return 0;
}

/* The padded plaintext in guarded memory; *len is its padded length. */
static unsigned char *store_encode(const struct vault *v, size_t *len, struct err *e)
{
	json_t *root = json_object();
	json_t *keys = json_object();
	int ok = root && keys && json_object_set(root, "keys", keys) == 0;
	for (size_t i = 0; ok && i < v->n; i++) {
		secret_show(v->v[i].key);
		json_t *k = json_stringn(v->v[i].key->s, v->v[i].key->len);
		secret_hide(v->v[i].key);
		ok = json_object_set_new(keys, v->v[i].provider,
					 json_pack("{s:o,s:s}", "key", k, "added",
						   v->v[i].added)) == 0;
	}
	json_decref(keys);
	unsigned char *out = NULL;
	size_t need = ok ? json_dumpb(root, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS) : 0;
	if (need > 0 && need < VAULT_FILE_MAX) {
		/* sodium_pad always adds at least one byte, so round up past need. */
		size_t cap = (need / VAULT_PAD_BLOCK + 1) * VAULT_PAD_BLOCK;
		out = sodium_malloc(cap);
		if (out && json_dumpb(root, (char *)out, cap, JSON_COMPACT | JSON_SORT_KEYS) == need &&
		    sodium_pad(len, out, need, VAULT_PAD_BLOCK, cap) == 0) {
			json_decref(root);
			return out;
		}
	}
	if (out)
		sodium_free(out);
	json_decref(root);
	err_set(e, EXIT_FAIL, need >= VAULT_FILE_MAX ? "the key store has grown too large"
						      : "out of memory");
	return NULL;
}

int vault_encode_with(const struct vault *v, const unsigned char nonce[VAULT_NONCE_BYTES],
		      struct buf *out, struct err *e)
{
	size_t plen;
	unsigned char *plain = store_encode(v, &plen, e);
	if (!plain)
		return -1;
	size_t total = VAULT_HEADER_BYTES + plen + AEAD_TAG + VAULT_CHECKSUM_BYTES;
	buf_reset(out);
	if (total > VAULT_FILE_MAX || buf_reserve(out, total) < 0) {
		sodium_free(plain);
		err_set(e, EXIT_FAIL, total > VAULT_FILE_MAX ? "the key store has grown too large"
							      : "out of memory");
		return -1;
	}
	unsigned char *p = (unsigned char *)out->data;
	slot_ad(p, v);
	memcpy(p + OFF_WRAPPED, v->wrapped_dek, VAULT_WRAPPED_BYTES);
	put32(p + OFF_PAYLOAD_LEN, (uint32_t)(plen + AEAD_TAG));
	memcpy(p + OFF_PAYLOAD_NONCE, nonce, VAULT_NONCE_BYTES);
	sodium_mprotect_readonly(v->dek);
	crypto_aead_xchacha20poly1305_ietf_encrypt(p + OFF_PAYLOAD, NULL, plain, plen, p,
						   VAULT_HEADER_BYTES, NULL, nonce, v->dek);
	sodium_mprotect_noaccess(v->dek);
	sodium_free(plain);
	size_t body = total - VAULT_CHECKSUM_BYTES;
	crypto_generichash(p + body, VAULT_CHECKSUM_BYTES, p, body, NULL, 0);
	out->len = total;
	out->data[total] = '\0';
	return 0;
}

int vault_encode(const struct vault *v, struct buf *out, struct err *e)
{
	unsigned char nonce[VAULT_NONCE_BYTES];
	randombytes_buf(nonce, sizeof nonce);
	return vault_encode_with(v, nonce, out, e);
}

/* A vault for h's slot, its data key allocated (readable, not yet set). */
static struct vault *slot_vault(const struct vault_header *h, struct err *e)
{
	struct vault *v = vault_alloc(e);
	if (!v)
		return NULL;
	v->kdf = h->kdf;
	memcpy(v->salt, h->salt, VAULT_SALT_BYTES);
	memcpy(v->wrap_nonce, h->wrap_nonce, VAULT_NONCE_BYTES);
	memcpy(v->wrapped_dek, h->wrapped_dek, VAULT_WRAPPED_BYTES);
	v->dek = sodium_malloc(VAULT_DEK_BYTES);
	if (!v->dek) {
		err_set(e, EXIT_FAIL, "out of memory");
		vault_free(v);
		return NULL;
	}
	return v;
}

/* Decrypts h's key store with v's data key into v (whose key goes no-access). 0 or -1
 * with e; v is freed on failure. */
static int open_payload(struct vault *v, const struct vault_header *h, struct vault **out,
			struct err *e)
{
	size_t plen = h->payload_len - AEAD_TAG;
	unsigned char *plain = sodium_malloc(plen);
	if (!plain) {
		err_set(e, EXIT_FAIL, "out of memory");
		goto fail;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, h->payload,
						       h->payload_len, h->bytes, VAULT_HEADER_BYTES,
						       h->payload_nonce, v->dek) != 0) {
		vault_damaged(e, "its contents do not authenticate");
		goto fail;
	}
	sodium_mprotect_noaccess(v->dek);
	size_t unpadded;
	if (sodium_unpad(&unpadded, plain, plen, VAULT_PAD_BLOCK) != 0) {
		vault_damaged(e, "bad padding");
		goto fail;
	}
	if (vault_store_parse(v, (const char *)plain, unpadded, e) < 0)
		goto fail;
	sodium_free(plain);
	*out = v;
	return 0;
fail:
	if (plain)
		sodium_free(plain);
	vault_free(v);
	return -1;
}

int vault_unlock(const struct vault_header *h, const char *pass, size_t pass_len,
		 struct vault **out, struct err *e)
{
	*out = NULL;
	struct vault *v = slot_vault(h, e);
	if (!v)
		return -1;
	unsigned char *kek = derive_kek(pass, pass_len, &h->kdf, h->salt, e);
	if (!kek) {
		vault_free(v);
		return -1;
	}
	int wrong = crypto_aead_xchacha20poly1305_ietf_decrypt(v->dek, NULL, NULL, h->wrapped_dek,
							       VAULT_WRAPPED_BYTES, h->bytes,
							       OFF_WRAPPED, h->wrap_nonce, kek);
	sodium_free(kek);
	if (wrong) {
		vault_free(v);
		err_set(e, EXIT_VAULT, "wrong passphrase for the key vault (it is left as it is)");
		return VAULT_WRONG_PASSPHRASE;
	}
	return open_payload(v, h, out, e);
}

int vault_reopen(const struct vault *open, const struct vault_header *h, struct vault **out,
		 struct err *e)
{
	*out = NULL;
	if (!open->dek || open->kdf.opslimit != h->kdf.opslimit ||
	    open->kdf.memlimit_kib != h->kdf.memlimit_kib ||
	    memcmp(open->salt, h->salt, VAULT_SALT_BYTES) ||
	    memcmp(open->wrap_nonce, h->wrap_nonce, VAULT_NONCE_BYTES) ||
	    memcmp(open->wrapped_dek, h->wrapped_dek, VAULT_WRAPPED_BYTES))
		return 1;
	struct vault *v = slot_vault(h, e);
	if (!v)
		return -1;
	sodium_mprotect_readonly(open->dek);
	memcpy(v->dek, open->dek, VAULT_DEK_BYTES);
	sodium_mprotect_noaccess(open->dek);
	return open_payload(v, h, out, e);
}

/* ---- entries ---- */

struct vault_entry *vault_find(const struct vault *v, const char *provider)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i].provider, provider) == 0)
			return &v->v[i];
	return NULL;
}

int vault_set(struct vault *v, const char *provider, const char *key, size_t key_len,
	      time_t added, struct err *e)
{
	if (!vault_provider_valid(provider)) {
		err_set(e, EXIT_USAGE, "not a provider name cherry can store");
		return -1;
	}
	if (!vault_key_valid(key, key_len)) {
		err_set(e, EXIT_KEY, "that is not an API key (printable ASCII without spaces, "
			"CR or LF, at most 4096 bytes)");
		return -1;
	}
	char when[sizeof v->v[0].added];
	struct tm tm;
	if (!gmtime_r(&added, &tm) || strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof when, "1970-01-01T00:00:00Z");
	struct secret *sec = secret_new(key, key_len);
	if (!sec) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	secret_hide(sec);
	struct vault_entry *old = vault_find(v, provider);
	if (old) {
		secret_free(old->key);
		old->key = sec;
		memcpy(old->added, when, sizeof when);
		return 0;
	}
	char *name = strdup(provider);
	struct vault_entry *nv = name ? realloc(v->v, (v->n + 1) * sizeof *nv) : NULL;
	if (!nv) {
		free(name);
		secret_free(sec);
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	v->v = nv;
	size_t at = 0;
	while (at < v->n && strcmp(v->v[at].provider, provider) < 0)
		at++;
	memmove(v->v + at + 1, v->v + at, (v->n - at) * sizeof *nv);
	v->v[at].provider = name;
	v->v[at].key = sec;
	memcpy(v->v[at].added, when, sizeof when);
	v->n++;
	return 0;
}

int vault_remove(struct vault *v, const char *provider)
{
	struct vault_entry *en = vault_find(v, provider);
	if (!en)
		return 1;
	free(en->provider);
	secret_free(en->key);
	size_t at = (size_t)(en - v->v);
	memmove(v->v + at, v->v + at + 1, (v->n - at - 1) * sizeof *en);
	v->n--;
	return 0;
}

void vault_free(struct vault *v)
{
	if (!v)
		return;
	entries_free(v->v, v->n);
	if (v->dek)
		sodium_free(v->dek);
	free(v);
}
