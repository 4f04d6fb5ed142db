/* fuzz_vault: the vault header parser and the key-store decoder must refuse any
 * input cleanly, never read out of bounds, and never run an oversized KDF.
 * The first byte picks the target: 0 the file as given, 1 the file with its
 * checksum recomputed (so the fields behind it are reached), 2 the plaintext
 * key store. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cherry/harden.h"
#include "cherry/keys.h"
#include "cherry/vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
	if (!ok)
		abort();
}

static void parse_file(const uint8_t *d, size_t n)
{
	struct vault_header h;
	struct err e;
	err_clear(&e);
	unsigned long runs = vault_kdf_runs();
	if (vault_parse(d, n, &vault_kdf_test_floor, &h, &e) < 0) {
		require(e.code == EXIT_VAULT && e.msg[0] != '\0');
		require(vault_kdf_runs() == runs);
		return;
	}
	require(h.kdf.opslimit >= 1 && h.kdf.opslimit <= VAULT_OPSLIMIT_MAX);
	require(h.kdf.memlimit_kib >= 8 && h.kdf.memlimit_kib <= VAULT_MEMLIMIT_KIB_MAX);
	require((size_t)h.payload_len + VAULT_HEADER_BYTES + VAULT_CHECKSUM_BYTES == n);
	require(h.payload == d + VAULT_HEADER_BYTES);
	/* Only cheap costs are worth a try; the tags refuse anything forged. */
	if (h.kdf.opslimit > 2 || h.kdf.memlimit_kib > 64)
		return;
	struct vault *v;
	int r = vault_unlock(&h, "pw", 2, &v, &e);
	if (r == 0)
		vault_free(v);
	else
		require(e.code != 0);
}

static void parse_store(const uint8_t *d, size_t n)
{
	static struct vault *v;
	struct err e;
	err_clear(&e);
	if (!v) {
		const struct vault_kdf weak = {1, 8};
		v = vault_new("pw", 2, &weak, &e);
		require(v != NULL);
	}
	if (vault_store_parse(v, (const char *)d, n, &e) < 0) {
		require(e.code != 0);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		require(vault_provider_valid(v->v[i].provider));
		if (i > 0)
			require(strcmp(v->v[i - 1].provider, v->v[i].provider) < 0);
		secret_show(v->v[i].key);
		require(vault_key_valid(v->v[i].key->s, v->v[i].key->len));
		secret_hide(v->v[i].key);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		require(sodium_init() >= 0);
		harden_json_alloc();
		ready = 1;
	}
	if (size < 1 || size - 1 > VAULT_FILE_MAX)
		return 0;
	const uint8_t *d = data + 1;
	size_t n = size - 1;
	switch (data[0] % 3) {
	case 0:
		parse_file(d, n);
		break;
	case 1: {
		uint8_t *copy = malloc(n ? n : 1);
		require(copy != NULL);
		memcpy(copy, d, n);
		if (n >= VAULT_CHECKSUM_BYTES)
			crypto_generichash(copy + n - VAULT_CHECKSUM_BYTES, VAULT_CHECKSUM_BYTES,
					   copy, n - VAULT_CHECKSUM_BYTES, NULL, 0);
		parse_file(copy, n);
		free(copy);
		break;
	}
	default:
		parse_store(d, n);
		break;
	}
	return 0;
}
