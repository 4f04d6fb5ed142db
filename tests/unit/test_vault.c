/* test_vault: the vault format v1 (known answers kept forever), fail-closed parsing,
 * its files and permissions, guarded secrets, process hardening and the keyring's
 * environment-then-vault lookup. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cherry/fsutil.h"
#include "cherry/harden.h"
#include "cherry/keys.h"
#include "cherry/vault.h"
#include "harness.h"

#define FMT(arr, ...) assert_true(snprintf(arr, sizeof arr, __VA_ARGS__) < (int)sizeof arr)

static const char kat_pass[] = "correct horse battery staple";
static const char canary[] = "sk-test-CANARY-5f1e0c9a7b3d";

/* Format v1 known answers: passphrase kat_pass, salt 00..0f, data key 20..3f,
 * wrap nonce 40..57, payload nonce 60..77. Generated once by this
 * implementation, checked against an independent decoder written from the
 * layout comment in src/vault.c, and never to be changed: a v1 file written
 * today must open in every later cherry. */
/* Cost 1 pass / 8 KiB; openai "sk-test-KAT-0001" added 2026-01-01T00:00:00Z,
 * anthropic "sk-ant-test-KAT-0002" added 2026-01-01T01:00:00Z. */
static const char kat_weak_hex[] =
	"43485259564c5400010000000101000001020100010000000800000000010203"
	"0405060708090a0b0c0d0e0f404142434445464748494a4b4c4d4e4f50515253"
	"545556572db1d13aeb5719b0f14dc231d478dd47e263cce485b14536f9c7dc69"
	"984e4900aa9239387c6b6bd221dc9ec2c27ed0de100200006061626364656667"
	"68696a6b6c6d6e6f707172737475767793052b43fc02b9fbd123f46166c95df6"
	"0785cf37539efb0704465c9e18afa0b513a34b3c1181091277ec175ffd843668"
	"e6de530d71f006966762d28718b5adf165d614fb6975b637671d5f4e187932dc"
	"570dba8d9cfd3a8bcffb7d80bc1fa65b8ee89a9fc9fde0acc04b7869b33e2564"
	"fff13241425b975369c00a6b18f5ed61afce5bd4581bf2411544bbce59faa79f"
	"13e1da5a4d1cc93f818865f98678c768a08fd8839a5408881c662f3554b8fe0e"
	"25b957ea6193b48236a8deb995e00d5b8ac038adf6f003eec9c63ea89286c414"
	"f785f7b2ee162f01f46993efeca1419a4a3408254233aefe1455a2c8a192fd89"
	"a9ff53357d01d2c38e20423541657017dd07718111b1920a786bada298f0c1d7"
	"fed276df3d6988adb5d7a9d82600e5c807237977d5d0d174a68459129001428c"
	"f6747780c07dad0ed72fd86d7a02176144ffe180d93d29e033911f96ac39c216"
	"2cb65956cffd7d6d1d78b35b04959430ecef1677aae27ec65f609015f95244df"
	"67e6e7f216efd6030a27c0080feafbd35604edbc71c60bb47d20822b8fbef635"
	"9413c52d864b68f705cf9eb88810e6303e4a1ecfbb7e544a11eb6e4b43ec600a"
	"41f36a714229f44865cbaae5ed50f438d20702582d57d81fc6051afa6edd47cc"
	"c107164a6739ad631cccda9d96413d933043d8e9f303714d84d37f0aaddb1345"
	"726ae6ab5e60a932f351d37a7f9e8358d471559c5b95d2b314825a9db901bea3"
	"01f53738efe71dc45804a184f651796eb2b370ec60e50876c889520cb9f723a5";

/* libsodium INTERACTIVE cost (2 passes, 64 MiB); gemini "AIza-test-KAT-0003"
 * added 2026-01-01T00:00:00Z. */
static const char kat_interactive_hex[] =
	"43485259564c5400010000000101000001020100020000000000010000010203"
	"0405060708090a0b0c0d0e0f404142434445464748494a4b4c4d4e4f50515253"
	"54555657ce19baee63060c01cbd8ad63d89ea317cc4e53b017a7ec7f7a50f779"
	"173bfaa4482d02b936aba061fbdaeef09c732808100200006061626364656667"
	"68696a6b6c6d6e6f707172737475767793052b43fc02b9fbd123f26a7fc841f0"
	"55d6d7370881bd03040003d808a5b0b10ea14c3c118170127682175efd843608"
	"f4c22b4438ab4fc93c01a1df0af3f4f578d614c44d52ef2a1c6c384155347f6e"
	"757096aff38d5fe5ae925fbac73dc73fea8dfebdf3dfd29cf27d555982131555"
	"abc1027b726bad63599a28473a9e88188df479a7333686246630968518ae8aaf"
	"23d1eb783061b4bf818865f98678c768a08fd8839a5408881c662f3554b8fe0e"
	"25b957ea6193b48236a8deb995e00d5b8ac038adf6f003eec9c63ea89286c414"
	"f785f7b2ee162f01f46993efeca1419a4a3408254233aefe1455a2c8a192fd89"
	"a9ff53357d01d2c38e20423541657017dd07718111b1920a786bada298f0c1d7"
	"fed276df3d6988adb5d7a9d82600e5c807237977d5d0d174a68459129001428c"
	"f6747780c07dad0ed72fd86d7a02176144ffe180d93d29e033911f96ac39c216"
	"2cb65956cffd7d6d1d78b35b04959430ecef1677aae27ec65f609015f95244df"
	"67e6e7f216efd6030a27c0080feafbd35604edbc71c60bb47d20822b8fbef635"
	"9413c52d864b68f705cf9eb88810e6303e4a1ecfbb7e544a11eb6e4b43ec600a"
	"41f36a714229f44865cbaae5ed50f438d20702582d57d81fc6051afa6edd47cc"
	"c107164a6739ad631cccda9d96413d933043d8e9f303714d84d37f0aaddb1345"
	"726ae6ab5e60a932f351d37a7f9e83589282fd145b0c453a7d517b4d4b015b94"
	"f29111e9a3730762799494e8a4803de35acbaed4a4c73d911b7dce6ce36e6412";

/* ---- helpers ---- */

static char tmpdir[4096];

static int rm_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (!d)
			return -1;
		struct dirent *de;
		char sub[4096];
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (snprintf(sub, sizeof sub, "%s/%s", path, de->d_name) < (int)sizeof sub)
				rm_tree(sub);
		}
		closedir(d);
		return rmdir(path);
	}
	return unlink(path);
}

static int setup_tmp(void **state)
{
	(void)state;
	const char *base = getenv("TMPDIR");
	FMT(tmpdir, "%s/cherry-vault-XXXXXX", base && base[0] == '/' ? base : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	(void)state;
	rm_tree(tmpdir);
	return 0;
}

static void hex_decode(const char *hex, struct buf *out)
{
	size_t n = strlen(hex);
	assert_int_equal(n % 2, 0);
	buf_reset(out);
	for (size_t i = 0; i < n; i += 2) {
		unsigned v;
		assert_int_equal(sscanf(hex + i, "%2x", &v), 1);
		assert_int_equal(buf_append_char(out, (char)v), 0);
	}
}

static void fill(unsigned char *p, size_t n, unsigned start)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(start + i);
}

static const struct vault_kdf weak = {1, 8};

/* A small weak-cost vault holding one key, encoded into out. */
static void make_weak_vault(const char *pass, struct buf *out)
{
	struct err e;
	err_clear(&e);
	struct vault *v = vault_new(pass, strlen(pass), &weak, &e);
	assert_non_null(v);
	assert_int_equal(vault_set(v, "openai", "sk-test-small", 13, 1767225600, &e), 0);
	assert_int_equal(vault_encode(v, out, &e), 0);
	vault_free(v);
}

static void fix_checksum(unsigned char *d, size_t len)
{
	crypto_generichash(d + len - VAULT_CHECKSUM_BYTES, VAULT_CHECKSUM_BYTES, d,
			   len - VAULT_CHECKSUM_BYTES, NULL, 0);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Parses and unlocks with the test floor; returns vault_unlock's result (or -1). */
static int open_bytes(const void *data, size_t len, const char *pass, struct vault **v,
		      struct err *e)
{
	struct vault_header h;
	*v = NULL;
	if (vault_parse(data, len, &vault_kdf_test_floor, &h, e) < 0)
		return -1;
	return vault_unlock(&h, pass, strlen(pass), v, e);
}

static void assert_key(const struct vault *v, const char *provider, const char *key,
		       const char *added)
{
	struct vault_entry *en = vault_find(v, provider);
	assert_non_null(en);
	secret_show(en->key);
	assert_int_equal(en->key->len, strlen(key));
	assert_memory_equal(en->key->s, key, strlen(key));
	secret_hide(en->key);
	if (added)
		assert_string_equal(en->added, added);
}

/* ---- known answers ---- */

static void test_kat_weak_encode(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	unsigned char salt[16], dek[32], wn[24], pn[24];
	fill(salt, 16, 0);
	fill(dek, 32, 0x20);
	fill(wn, 24, 0x40);
	fill(pn, 24, 0x60);
	struct vault *v = vault_new_with(kat_pass, strlen(kat_pass), &weak, salt, dek, wn, &e);
	assert_non_null(v);
	assert_int_equal(vault_set(v, "openai", "sk-test-KAT-0001", 16, 1767225600, &e), 0);
	assert_int_equal(vault_set(v, "anthropic", "sk-ant-test-KAT-0002", 20, 1767229200, &e), 0);
	struct buf got = BUF_INIT, want = BUF_INIT;
	assert_int_equal(vault_encode_with(v, pn, &got, &e), 0);
	hex_decode(kat_weak_hex, &want);
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.data, want.data, want.len);
	vault_free(v);
	buf_free(&got);
	buf_free(&want);
}

static void test_kat_weak_decode(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct buf data = BUF_INIT;
	hex_decode(kat_weak_hex, &data);
	struct vault_header h;
	assert_int_equal(vault_parse((unsigned char *)data.data, data.len, &vault_kdf_test_floor,
				     &h, &e), 0);
	assert_int_equal(h.version, 1);
	assert_int_equal(h.kdf.opslimit, 1);
	assert_int_equal(h.kdf.memlimit_kib, 8);
	assert_int_equal(h.payload_len, 16 + 512);
	struct vault *v;
	assert_int_equal(vault_unlock(&h, kat_pass, strlen(kat_pass), &v, &e), 0);
	assert_int_equal(v->n, 2);
	assert_string_equal(v->v[0].provider, "anthropic");
	assert_string_equal(v->v[1].provider, "openai");
	assert_key(v, "openai", "sk-test-KAT-0001", "2026-01-01T00:00:00Z");
	assert_key(v, "anthropic", "sk-ant-test-KAT-0002", "2026-01-01T01:00:00Z");
	sodium_mprotect_readonly(v->dek);
	unsigned char dek[32];
	fill(dek, 32, 0x20);
	assert_memory_equal(v->dek, dek, 32);
	sodium_mprotect_noaccess(v->dek);
	vault_free(v);
	buf_free(&data);
}

static void test_kat_interactive(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	unsigned char salt[16], dek[32], wn[24], pn[24];
	fill(salt, 16, 0);
	fill(dek, 32, 0x20);
	fill(wn, 24, 0x40);
	fill(pn, 24, 0x60);
	struct vault *v = vault_new_with(kat_pass, strlen(kat_pass), &vault_kdf_interactive, salt,
					 dek, wn, &e);
	assert_non_null(v);
	assert_int_equal(vault_set(v, "gemini", "AIza-test-KAT-0003", 18, 1767225600, &e), 0);
	struct buf got = BUF_INIT, want = BUF_INIT;
	assert_int_equal(vault_encode_with(v, pn, &got, &e), 0);
	vault_free(v);
	hex_decode(kat_interactive_hex, &want);
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.data, want.data, want.len);
	/* The release floor accepts INTERACTIVE. */
	struct vault_header h;
	assert_int_equal(vault_parse((unsigned char *)want.data, want.len, &vault_kdf_floor, &h,
				     &e), 0);
	assert_int_equal(vault_unlock(&h, kat_pass, strlen(kat_pass), &v, &e), 0);
	assert_int_equal(v->n, 1);
	assert_key(v, "gemini", "AIza-test-KAT-0003", "2026-01-01T00:00:00Z");
	vault_free(v);
	buf_free(&got);
	buf_free(&want);
}

/* ---- round trip and entries ---- */

static void test_roundtrip(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct vault *v = vault_new("pw", 2, &weak, &e);
	assert_non_null(v);
	assert_int_equal(v->n, 0);
	assert_int_equal(vault_set(v, "openai", "sk-one", 6, 0, &e), 0);
	assert_int_equal(vault_set(v, "groq", "gsk-two", 7, 86400, &e), 0);
	assert_int_equal(vault_set(v, "openai", "sk-replaced", 11, 172800, &e), 0);
	assert_int_equal(vault_set(v, "zhipu", "zk", 2, 0, &e), 0);
	assert_int_equal(vault_remove(v, "zhipu"), 0);
	assert_int_equal(vault_remove(v, "zhipu"), 1);
	struct buf data = BUF_INIT;
	assert_int_equal(vault_encode(v, &data, &e), 0);
	vault_free(v);
	assert_int_equal(open_bytes(data.data, data.len, "pw", &v, &e), 0);
	assert_int_equal(v->n, 2);
	assert_key(v, "groq", "gsk-two", "1970-01-02T00:00:00Z");
	assert_key(v, "openai", "sk-replaced", "1970-01-03T00:00:00Z");
	assert_null(vault_find(v, "zhipu"));
	/* An emptied vault still round-trips. */
	assert_int_equal(vault_remove(v, "groq"), 0);
	assert_int_equal(vault_remove(v, "openai"), 0);
	assert_int_equal(vault_encode(v, &data, &e), 0);
	vault_free(v);
	assert_int_equal(open_bytes(data.data, data.len, "pw", &v, &e), 0);
	assert_int_equal(v->n, 0);
	vault_free(v);
	buf_free(&data);
}

static void test_wrong_passphrase(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct buf data = BUF_INIT;
	make_weak_vault("right", &data);
	struct vault *v;
	assert_int_equal(open_bytes(data.data, data.len, "wrong", &v, &e), VAULT_WRONG_PASSPHRASE);
	assert_null(v);
	assert_int_equal(e.code, EXIT_VAULT);
	assert_non_null(strstr(e.msg, "wrong passphrase"));
	assert_int_equal(open_bytes(data.data, data.len, "", &v, &e), VAULT_WRONG_PASSPHRASE);
	assert_int_equal(open_bytes(data.data, data.len, "right", &v, &e), 0);
	vault_free(v);
	buf_free(&data);
}

static void test_set_validates_without_echo(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct vault *v = vault_new("pw", 2, &weak, &e);
	assert_non_null(v);
	const char *bad[] = {"sk-with space", "sk-line\nbreak", "sk-cr\r", "", "sk-\x7f"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		err_clear(&e);
		assert_int_equal(vault_set(v, "openai", bad[i], strlen(bad[i]), 0, &e), -1);
		assert_int_equal(e.code, EXIT_KEY);
		if (bad[i][0])
			assert_null(strstr(e.msg, bad[i]));
	}
	char big[VAULT_KEY_MAX + 2];
	memset(big, 'k', sizeof big);
	assert_int_equal(vault_set(v, "openai", big, VAULT_KEY_MAX + 1, 0, &e), -1);
	assert_int_equal(vault_set(v, "openai", big, VAULT_KEY_MAX, 0, &e), 0);
	assert_int_equal(vault_set(v, "bad name", "k", 1, 0, &e), -1);
	assert_int_equal(vault_set(v, "", "k", 1, 0, &e), -1);
	assert_int_equal(v->n, 1);
	vault_free(v);
}

static void test_padding_hides_count(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct vault *v = vault_new("pw", 2, &weak, &e);
	assert_non_null(v);
	struct buf a = BUF_INIT, b = BUF_INIT;
	assert_int_equal(vault_encode(v, &a, &e), 0);
	assert_int_equal(vault_set(v, "openai", "sk-a", 4, 0, &e), 0);
	assert_int_equal(vault_set(v, "groq", "gsk-b", 5, 0, &e), 0);
	assert_int_equal(vault_set(v, "xai", "xai-c", 5, 0, &e), 0);
	assert_int_equal(vault_encode(v, &b, &e), 0);
	assert_int_equal(a.len, b.len);
	assert_int_equal(a.len, VAULT_HEADER_BYTES + 16 + VAULT_PAD_BLOCK + VAULT_CHECKSUM_BYTES);
	vault_free(v);
	buf_free(&a);
	buf_free(&b);
}

/* ---- fail closed ---- */

static void test_every_bit_flip(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct buf good = BUF_INIT;
	make_weak_vault("pw", &good);
	unsigned char *copy = malloc(good.len);
	assert_non_null(copy);
	unsigned long runs = vault_kdf_runs();
	for (size_t i = 0; i < good.len; i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(copy, good.data, good.len);
			copy[i] ^= (unsigned char)(1u << bit);
			struct vault_header h;
			err_clear(&e);
			if (vault_parse(copy, good.len, &vault_kdf_test_floor, &h, &e) != -1)
				fail_msg("bit %d of byte %zu: accepted", bit, i);
			assert_int_equal(e.code, EXIT_VAULT);
		}
	/* The unkeyed checksum catches every accident before the KDF runs. */
	assert_int_equal(vault_kdf_runs(), runs);
	struct vault *v;
	assert_int_equal(open_bytes(good.data, good.len, "pw", &v, &e), 0);
	assert_key(v, "openai", "sk-test-small", NULL);
	vault_free(v);
	free(copy);
	buf_free(&good);
}

/* A deliberate tamperer recomputes the checksum: the AEAD tags must still
 * refuse the change, and nothing unauthenticated may come out. Every bit of
 * the header; one bit of each ciphertext byte (a bit each in turn), since
 * each unlock costs guarded allocations. */
static void test_every_bit_flip_checksum_fixed(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct buf good = BUF_INIT;
	make_weak_vault("pw", &good);
	unsigned char *copy = malloc(good.len);
	assert_non_null(copy);
	size_t body = good.len - VAULT_CHECKSUM_BYTES;
	int skipped_costly = 0;
	for (size_t i = 0; i < body; i++)
		for (int bit = 0; bit < 8; bit++) {
			if (i >= VAULT_HEADER_BYTES && bit != (int)(i % 8))
				continue;
			memcpy(copy, good.data, good.len);
			copy[i] ^= (unsigned char)(1u << bit);
			fix_checksum(copy, good.len);
			struct vault_header h;
			if (vault_parse(copy, good.len, &vault_kdf_test_floor, &h, &e) == 0 &&
			    (h.kdf.opslimit > 3 || h.kdf.memlimit_kib > 1024)) {
				/* A cost raised within the caps really runs (up to 2 GiB);
				 * the small raises below show the slot's tag covers it. */
				skipped_costly++;
				continue;
			}
			struct vault *v = NULL;
			err_clear(&e);
			int r = open_bytes(copy, good.len, "pw", &v, &e);
			if (r == 0)
				fail_msg("bit %d of byte %zu: opened", bit, i);
			assert_null(v);
			assert_true(e.code == EXIT_VAULT);
		}
	assert_in_range(skipped_costly, 1, 32);
	/* Cost fields are authenticated: a small raise of either is refused. */
	const size_t cost_off[] = {20, 24};
	for (size_t k = 0; k < 2; k++) {
		memcpy(copy, good.data, good.len);
		copy[cost_off[k]] ^= 2; /* 1 -> 3 passes; 8 -> 10 KiB */
		fix_checksum(copy, good.len);
		struct vault *v = NULL;
		assert_int_equal(open_bytes(copy, good.len, "pw", &v, &e), VAULT_WRONG_PASSPHRASE);
	}
	struct vault *v;
	assert_int_equal(open_bytes(good.data, good.len, "pw", &v, &e), 0);
	vault_free(v);
	free(copy);
	buf_free(&good);
}

static void test_every_truncation_and_extension(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct buf good = BUF_INIT;
	make_weak_vault("pw", &good);
	unsigned long runs = vault_kdf_runs();
	struct vault_header h;
	for (size_t n = 0; n < good.len; n++) {
		err_clear(&e);
		if (vault_parse((unsigned char *)good.data, n, &vault_kdf_test_floor, &h, &e) != -1)
			fail_msg("truncated to %zu bytes: accepted", n);
		assert_int_equal(e.code, EXIT_VAULT);
	}
	/* Truncated with its checksum recomputed: the length field disagrees. */
	unsigned char *copy = malloc(good.len + 512);
	assert_non_null(copy);
	for (size_t n = VAULT_HEADER_BYTES + VAULT_CHECKSUM_BYTES; n < good.len; n++) {
		memcpy(copy, good.data, n);
		fix_checksum(copy, n);
		assert_int_equal(vault_parse(copy, n, &vault_kdf_test_floor, &h, &e), -1);
	}
	/* One extra byte, or a whole extra block. */
	memcpy(copy, good.data, good.len);
	copy[good.len] = 0;
	assert_int_equal(vault_parse(copy, good.len + 1, &vault_kdf_test_floor, &h, &e), -1);
	memset(copy + good.len, 0, 512);
	fix_checksum(copy, good.len + 512);
	assert_int_equal(vault_parse(copy, good.len + 512, &vault_kdf_test_floor, &h, &e), -1);
	assert_int_equal(vault_kdf_runs(), runs);
	free(copy);
	buf_free(&good);
}

/* Sets a u32 field, keeps the checksum valid, and expects a refusal naming why
 * before any KDF has run. */
static void expect_refused(const struct buf *good, size_t off, const void *bytes, size_t n,
			   const char *why)
{
	unsigned char *copy = malloc(good->len);
	assert_non_null(copy);
	memcpy(copy, good->data, good->len);
	memcpy(copy + off, bytes, n);
	fix_checksum(copy, good->len);
	struct err e;
	err_clear(&e);
	struct vault_header h;
	unsigned long runs = vault_kdf_runs();
	assert_int_equal(vault_parse(copy, good->len, &vault_kdf_test_floor, &h, &e), -1);
	assert_int_equal(e.code, EXIT_VAULT);
	if (!strstr(e.msg, why))
		fail_msg("expected \"%s\" in: %s", why, e.msg);
	assert_int_equal(vault_kdf_runs(), runs);
	free(copy);
}

static void test_oversized_kdf_refused_before_kdf(void **state)
{
	(void)state;
	struct buf good = BUF_INIT;
	make_weak_vault("pw", &good);
	unsigned char v[4];
	put32(v, VAULT_OPSLIMIT_MAX + 1);
	expect_refused(&good, 20, v, 4, "above cherry's limit");
	put32(v, 0xffffffffu);
	expect_refused(&good, 20, v, 4, "above cherry's limit");
	put32(v, VAULT_MEMLIMIT_KIB_MAX + 1);
	expect_refused(&good, 24, v, 4, "above cherry's limit");
	put32(v, 0xffffffffu);
	expect_refused(&good, 24, v, 4, "above cherry's limit");
	put32(v, 0);
	expect_refused(&good, 20, v, 4, "below what cherry accepts");
	put32(v, 7);
	expect_refused(&good, 24, v, 4, "below what cherry accepts");

	/* Exactly at the caps parses (and runs nothing). */
	unsigned char *copy = malloc(good.len);
	assert_non_null(copy);
	memcpy(copy, good.data, good.len);
	put32(copy + 20, VAULT_OPSLIMIT_MAX);
	put32(copy + 24, VAULT_MEMLIMIT_KIB_MAX);
	fix_checksum(copy, good.len);
	struct err e;
	err_clear(&e);
	struct vault_header h;
	unsigned long runs = vault_kdf_runs();
	assert_int_equal(vault_parse(copy, good.len, &vault_kdf_test_floor, &h, &e), 0);
	assert_int_equal(h.kdf.opslimit, VAULT_OPSLIMIT_MAX);
	assert_int_equal(vault_kdf_runs(), runs);
	free(copy);
	buf_free(&good);
}

/* A crafted header may not make cherry spend more than the strongest cost `--kdf` makes
 * (MODERATE) plus headroom: the old cap of 10 passes and 2 GiB (about 30 s) is refused,
 * as is one pass or one MiB above the cap, and MODERATE itself parses (issue 12 #13). */
static void test_kdf_cap_is_what_kdf_makes(void **state)
{
	(void)state;
	struct buf good = BUF_INIT;
	make_weak_vault("pw", &good);
	unsigned char v[4];
	put32(v, 10);
	expect_refused(&good, 20, v, 4, "above cherry's limit");
	put32(v, 2u * 1024 * 1024);
	expect_refused(&good, 24, v, 4, "above cherry's limit");
	put32(v, 5);
	expect_refused(&good, 20, v, 4, "above cherry's limit");
	put32(v, 512u * 1024 + 1024);
	expect_refused(&good, 24, v, 4, "above cherry's limit");

	unsigned char *copy = malloc(good.len);
	assert_non_null(copy);
	memcpy(copy, good.data, good.len);
	put32(copy + 20, vault_kdf_moderate.opslimit);
	put32(copy + 24, vault_kdf_moderate.memlimit_kib);
	fix_checksum(copy, good.len);
	struct err e;
	err_clear(&e);
	struct vault_header h;
	assert_int_equal(vault_parse(copy, good.len, &vault_kdf_floor, &h, &e), 0);
	assert_int_equal(h.kdf.memlimit_kib, 256u * 1024);
	free(copy);
	buf_free(&good);
}

static void test_newer_version_refused(void **state)
{
	(void)state;
	struct buf good = BUF_INIT;
	make_weak_vault("pw", &good);
	const unsigned char v2[2] = {2, 0}, vmax[2] = {0xff, 0xff}, v0[2] = {0, 0};
	expect_refused(&good, 8, v2, 2, "made by a newer cherry");
	expect_refused(&good, 8, vmax, 2, "made by a newer cherry");
	expect_refused(&good, 8, v0, 2, "damaged");
	/* A newer version is recognised even when the rest is not v1 at all. */
	unsigned char tiny[10] = {'C', 'H', 'R', 'Y', 'V', 'L', 'T', 0, 2, 0};
	struct err e;
	err_clear(&e);
	struct vault_header h;
	assert_int_equal(vault_parse(tiny, sizeof tiny, &vault_kdf_test_floor, &h, &e), -1);
	assert_non_null(strstr(e.msg, "made by a newer cherry"));
	const unsigned char flags[2] = {1, 0};
	expect_refused(&good, 10, flags, 2, "features this cherry does not know");
	const unsigned char magic[1] = {'X'};
	expect_refused(&good, 0, magic, 1, "not a cherry vault");
	buf_free(&good);
}

static void test_unknown_algorithm_refused(void **state)
{
	(void)state;
	struct buf good = BUF_INIT;
	make_weak_vault("pw", &good);
	const unsigned char zero = 0, one = 1, two = 2, ff = 0xff;
	expect_refused(&good, 12, &zero, 1, "algorithm");  /* no slot */
	expect_refused(&good, 12, &two, 1, "algorithm");   /* two slots */
	expect_refused(&good, 13, &two, 1, "algorithm");   /* payload cipher */
	expect_refused(&good, 13, &zero, 1, "algorithm");
	expect_refused(&good, 16, &two, 1, "algorithm");   /* slot type */
	expect_refused(&good, 17, &one, 1, "algorithm");   /* Argon2i13 */
	expect_refused(&good, 17, &zero, 1, "algorithm");
	expect_refused(&good, 17, &ff, 1, "algorithm");
	expect_refused(&good, 18, &two, 1, "algorithm");   /* wrap cipher */
	expect_refused(&good, 14, &one, 1, "reserved");
	expect_refused(&good, 19, &one, 1, "reserved");
	buf_free(&good);
}

static void test_release_floor_refuses_weak(void **state)
{
	(void)state;
	struct buf data = BUF_INIT;
	make_weak_vault("pw", &data);
	struct err e;
	err_clear(&e);
	struct vault_header h;
	unsigned long runs = vault_kdf_runs();
	assert_int_equal(vault_parse((unsigned char *)data.data, data.len, &vault_kdf_floor, &h,
				     &e), -1);
	assert_non_null(strstr(e.msg, "below what cherry accepts"));
	assert_int_equal(vault_kdf_runs(), runs);
	/* INTERACTIVE is what the release floor is. */
	assert_int_equal(vault_kdf_floor.opslimit, crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
	assert_int_equal((size_t)vault_kdf_floor.memlimit_kib * 1024,
			 crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
	assert_int_equal(vault_kdf_moderate.opslimit, 3);
	assert_int_equal(vault_kdf_moderate.memlimit_kib, 256 * 1024);
	buf_free(&data);
}

static void test_store_parse(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct vault *v = vault_new("pw", 2, &weak, &e);
	assert_non_null(v);
	const char *bad[] = {
		"",
		"[]",
		"{}",
		"{\"keys\":[]}",
		"{\"keys\":{\"openai\":\"sk\"}}",
		"{\"keys\":{\"openai\":{\"key\":\"sk\"}}}",
		"{\"keys\":{\"openai\":{\"key\":\"sk x\",\"added\":\"t\"}}}",
		"{\"keys\":{\"openai\":{\"key\":\"sk\\u0000x\",\"added\":\"t\"}}}",
		"{\"keys\":{\"bad name\":{\"key\":\"sk\",\"added\":\"t\"}}}",
		"{\"keys\":{\"openai\":{\"key\":\"sk\",\"added\":\"t\"},"
		"\"openai\":{\"key\":\"sk2\",\"added\":\"t\"}}}",
		"{\"keys\":{}} trailing",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		err_clear(&e);
		if (vault_store_parse(v, bad[i], strlen(bad[i]), &e) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(e.code, EXIT_VAULT);
		assert_null(strstr(e.msg, "sk"));
	}
	const char good[] = "{\"keys\":{\"openai\":{\"key\":\"sk-1\",\"added\":\"t1\"},"
			    "\"groq\":{\"key\":\"gsk-2\",\"added\":\"t2\",\"note\":1}},\"x\":2}";
	assert_int_equal(vault_store_parse(v, good, strlen(good), &e), 0);
	assert_int_equal(v->n, 2);
	assert_string_equal(v->v[0].provider, "groq");
	assert_key(v, "openai", "sk-1", "t1");
	vault_free(v);
}

/* ---- randomness ---- */

#define SAVES 10000

static int cmp_nonce(const void *a, const void *b)
{
	return memcmp(a, b, 24);
}

static void test_nonce_unique_across_saves(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct vault *v = vault_new("pw", 2, &weak, &e);
	assert_non_null(v);
	assert_int_equal(vault_set(v, "openai", "sk-same", 7, 0, &e), 0);
	unsigned char (*nonces)[24] = calloc(SAVES, 24);
	assert_non_null(nonces);
	unsigned char wrapped[48];
	struct buf data = BUF_INIT;
	for (int i = 0; i < SAVES; i++) {
		assert_int_equal(vault_encode(v, &data, &e), 0);
		memcpy(nonces[i], data.data + 120, 24);
		if (i == 0)
			memcpy(wrapped, data.data + 68, 48);
		else /* the slot is not re-wrapped by a save */
			assert_memory_equal(wrapped, data.data + 68, 48);
	}
	qsort(nonces, SAVES, 24, cmp_nonce);
	for (int i = 1; i < SAVES; i++)
		if (memcmp(nonces[i - 1], nonces[i], 24) == 0)
			fail_msg("two of %d saves share a nonce", SAVES);
	free(nonces);
	vault_free(v);
	buf_free(&data);
}

static void test_new_vaults_differ(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	enum { N = 32 };
	unsigned char slot[N][16 + 24 + 48];
	struct buf data = BUF_INIT;
	for (int i = 0; i < N; i++) {
		struct vault *v = vault_new("same", 4, &weak, &e);
		assert_non_null(v);
		assert_int_equal(vault_encode(v, &data, &e), 0);
		memcpy(slot[i], data.data + 28, sizeof slot[i]);
		vault_free(v);
	}
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++) {
			assert_memory_not_equal(slot[i], slot[j], 16);           /* salt */
			assert_memory_not_equal(slot[i] + 16, slot[j] + 16, 24); /* nonce */
			assert_memory_not_equal(slot[i] + 40, slot[j] + 40, 48); /* wrapped */
		}
	buf_free(&data);
}

static void test_rewrap(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct vault *v = vault_new("old", 3, &weak, &e);
	assert_non_null(v);
	assert_int_equal(vault_set(v, "openai", "sk-kept", 7, 0, &e), 0);
	struct buf before = BUF_INIT, after = BUF_INIT;
	assert_int_equal(vault_encode(v, &before, &e), 0);
	unsigned char old_dek[32];
	sodium_mprotect_readonly(v->dek);
	memcpy(old_dek, v->dek, 32);
	sodium_mprotect_noaccess(v->dek);
	const struct vault_kdf other = {2, 16};
	assert_int_equal(vault_rewrap(v, "new", 3, &other, &e), 0);
	assert_int_equal(vault_encode(v, &after, &e), 0);
	sodium_mprotect_readonly(v->dek);
	assert_memory_not_equal(old_dek, v->dek, 32);
	sodium_mprotect_noaccess(v->dek);
	vault_free(v);
	assert_memory_not_equal(before.data + 28, after.data + 28, 16);
	assert_int_equal(open_bytes(after.data, after.len, "old", &v, &e), VAULT_WRONG_PASSPHRASE);
	assert_int_equal(open_bytes(after.data, after.len, "new", &v, &e), 0);
	assert_int_equal(v->kdf.opslimit, 2);
	assert_int_equal(v->kdf.memlimit_kib, 16);
	assert_key(v, "openai", "sk-kept", NULL);
	vault_free(v);
	/* The old file still opens with the old passphrase: what the docs warn about. */
	assert_int_equal(open_bytes(before.data, before.len, "old", &v, &e), 0);
	vault_free(v);
	buf_free(&before);
	buf_free(&after);
}

/* ---- files ---- */

static void write_weak_file(const char *path, const char *key)
{
	struct err e;
	err_clear(&e);
	struct vault *v = vault_new("pw", 2, &weak, &e);
	assert_non_null(v);
	assert_int_equal(vault_set(v, "openai", key, strlen(key), 0, &e), 0);
	if (vault_write_file(path, v, &e) != 0)
		fail_msg("%s", e.msg);
	vault_free(v);
}

/* ---- kill -9 among saves ---- */

/* 500 kills, as security.md §5.4 #10 asks; 60 in the ASan build */
#ifdef __SANITIZE_ADDRESS__
#define VAULT_KILLS 60
#else
#define VAULT_KILLS 500
#endif

/* The child: saves the vault again and again, its key "sk-round-N" for N = 1, 2, ...,
 * writing N to wfd after each save has returned. */
static void child_saves(void *ctx, int wfd)
{
	const char *path = ctx;
	struct err e;
	err_clear(&e);
	struct vault *v = vault_new("pw", 2, &weak, &e);
	if (!v)
		_exit(3);
	for (unsigned n = 1;; n++) {
		char key[32];
		snprintf(key, sizeof key, "sk-round-%u", n);
		if (vault_set(v, "openai", key, strlen(key), 0, &e) < 0 ||
		    vault_write_file(path, v, &e) != 0)
			_exit(3);
		if (write(wfd, &n, sizeof n) != (ssize_t)sizeof n)
			_exit(3);
	}
}

static int hidden_in(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	for (struct dirent *de; (de = readdir(d));)
		n += de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

/* kill -9 at random moments among saves: the vault always opens with the passphrase and
 * holds the key of the last save that returned, or of the one after it (the rename may
 * have happened); a temp file a kill left is removed by the next change under the vault
 * lock (keys_vault_lock), and only then. */
static void test_kill9_among_saves(void **state)
{
	(void)state;
	char path[4200];
	FMT(path, "%s/keys.vault", tmpdir);
	int reached = 0;
	for (int k = 0; k < VAULT_KILLS; k++) {
		unsigned last = 0;
		int got = harness_kill9(child_saves, path, 1, 3000000, &last, sizeof last);
		if (got < 0)
			fail_msg("child %d ended on its own, or could not be killed", k);
		if (!got)
			continue;
		reached++;
		struct err e;
		err_clear(&e);
		struct buf data = BUF_INIT;
		if (vault_read_file(path, &data, &e) != 0)
			fail_msg("kill %d: %s", k, e.msg);
		struct vault *v;
		if (open_bytes(data.data, data.len, "pw", &v, &e) != 0)
			fail_msg("kill %d: the vault does not open: %s", k, e.msg);
		struct vault_entry *en = vault_find(v, "openai");
		assert_non_null(en);
		char want0[32], want1[32];
		snprintf(want0, sizeof want0, "sk-round-%u", last);
		snprintf(want1, sizeof want1, "sk-round-%u", last + 1);
		secret_show(en->key);
		int ok = (en->key->len == strlen(want0) && !memcmp(en->key->s, want0, en->key->len)) ||
			 (en->key->len == strlen(want1) && !memcmp(en->key->s, want1, en->key->len));
		secret_hide(en->key);
		if (!ok)
			fail_msg("kill %d: not the key of save %u or %u", k, last, last + 1);
		vault_free(v);
		buf_free(&data);
	}
	print_message("# kill -9 among vault saves: %d kills after a save, %d temp files left\n",
		      reached, hidden_in(tmpdir));
	assert_true(reached >= VAULT_KILLS / 2);
	struct err e;
	err_clear(&e);
	int fd = keys_vault_lock(path, &e);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(hidden_in(tmpdir), 0);
}

static void test_files_umask_000(void **state)
{
	(void)state;
	char path[4200], dir[4200];
	FMT(dir, "%s/a/b/cherry", tmpdir);
	FMT(path, "%s/keys.vault", dir);
	mode_t old = umask(0);
	write_weak_file(path, "sk-umask");
	write_weak_file(path, "sk-umask-2"); /* replacing keeps the mode too */
	umask(old);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	FMT(dir, "%s/a", tmpdir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	struct err e;
	err_clear(&e);
	struct buf data = BUF_INIT;
	assert_int_equal(vault_read_file(path, &data, &e), 0);
	struct vault *v;
	assert_int_equal(open_bytes(data.data, data.len, "pw", &v, &e), 0);
	assert_key(v, "openai", "sk-umask-2", NULL);
	vault_free(v);
	buf_free(&data);
}

static void test_open_permissions_refused(void **state)
{
	(void)state;
	char path[4200];
	FMT(path, "%s/keys.vault", tmpdir);
	write_weak_file(path, "sk-perm");
	const mode_t modes[] = {0640, 0604, 0660, 0606, 0610, 0601, 0644, 0666};
	struct buf data = BUF_INIT;
	struct err e;
	for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
		assert_int_equal(chmod(path, modes[i]), 0);
		err_clear(&e);
		assert_int_equal(vault_read_file(path, &data, &e), -1);
		assert_int_equal(e.code, EXIT_VAULT);
		char fix[4300];
		FMT(fix, "chmod 600 %s", path);
		if (!strstr(e.msg, fix))
			fail_msg("no fix in: %s", e.msg);
	}
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(vault_read_file(path, &data, &e), 0);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(vault_read_file(path, &data, &e), 0);
	buf_free(&data);
}

static void test_other_owner_refused(void **state)
{
	(void)state;
	char path[4200];
	if (geteuid() == 0) {
		FMT(path, "%s/keys.vault", tmpdir);
		write_weak_file(path, "sk-owner");
		assert_int_equal(chown(path, 65534, 65534), 0);
	} else {
		/* only root can give a file away; anyone else can read one root owns */
		struct stat st;
		FMT(path, "%s", "/etc/passwd");
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid == geteuid())
			skip();
	}
	struct err e;
	err_clear(&e);
	struct buf data = BUF_INIT;
	assert_int_equal(vault_read_file(path, &data, &e), -1);
	assert_non_null(strstr(e.msg, "belongs to another user"));
	buf_free(&data);
}

static void test_not_regular_refused(void **state)
{
	(void)state;
	char path[4200], target[4200];
	FMT(path, "%s/keys.vault", tmpdir);
	FMT(target, "%s/real.vault", tmpdir);
	write_weak_file(target, "sk-link");
	assert_int_equal(symlink(target, path), 0);
	struct err e;
	err_clear(&e);
	struct buf data = BUF_INIT;
	assert_int_equal(vault_read_file(path, &data, &e), -1);
	assert_non_null(strstr(e.msg, "symbolic link"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(vault_read_file(path, &data, &e), -1);
	assert_non_null(strstr(e.msg, "not a regular file"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(vault_read_file(path, &data, &e), 1); /* missing: no vault yet */
	buf_free(&data);
}

static int contains(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return 1;
	return 0;
}

/* Every regular file under dir: the canary must be in none, in any form. */
static void assert_canary_absent(const char *dir, int *files)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char sub[4200];
		FMT(sub, "%s/%s", dir, de->d_name);
		struct stat st;
		assert_int_equal(lstat(sub, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			assert_canary_absent(sub, files);
			continue;
		}
		struct buf data = BUF_INIT;
		struct err e;
		assert_int_equal(fs_read_file(sub, 1 << 24, &data, &e), 0);
		if (contains(data.data, data.len, "CANARY"))
			fail_msg("canary found in %s", sub);
		buf_free(&data);
		(*files)++;
	}
	closedir(d);
}

static void test_canary_only_inside_vault(void **state)
{
	(void)state;
	char path[4200];
	FMT(path, "%s/data/cherry/keys.vault", tmpdir);
	struct err e;
	err_clear(&e);
	struct vault *v = vault_new("pw", 2, &weak, &e);
	assert_non_null(v);
	assert_int_equal(vault_set(v, "openai", canary, strlen(canary), 0, &e), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(vault_write_file(path, v, &e), 0);
	assert_int_equal(vault_rewrap(v, "pw2", 3, &weak, &e), 0);
	assert_int_equal(vault_write_file(path, v, &e), 0);
	vault_free(v);
	int files = 0;
	assert_canary_absent(tmpdir, &files);
	assert_int_equal(files, 1); /* the vault, and no temp file left behind */
}

/* ---- memory ---- */

/* 1 when reading p faults (in a child: the test goes on). */
static int read_faults(const volatile unsigned char *p)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL); /* cmocka's handler would carry on with the tests */
		signal(SIGBUS, SIG_DFL);
		volatile unsigned char c = p[0];
		(void)c;
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_secret_hidden_faults(void **state)
{
	(void)state;
	struct secret *s = secret_new("sk-hidden", 9);
	assert_non_null(s);
	secret_hide(s);
	assert_true(read_faults((const unsigned char *)s->s));
	assert_int_equal(s->len, 9);
	secret_show(s);
	assert_string_equal(s->s, "sk-hidden");
	secret_hide(s);
	secret_free(s); /* freeing a hidden secret is fine */
	secret_free(NULL);
	secret_hide(NULL);
	secret_show(NULL);
}

/* The data key is unreadable while idle: after the vault is made, after a save has used
 * it, and after an unlock (security.md 0: no access while idle). */
static void test_dek_hidden_while_idle(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	struct vault *v = vault_new("pw", 2, &weak, &e);
	assert_non_null(v);
	assert_true(read_faults(v->dek));
	assert_int_equal(vault_set(v, "openai", "sk-x", 4, 0, &e), 0);
	struct buf data = BUF_INIT;
	assert_int_equal(vault_encode(v, &data, &e), 0);
	assert_true(read_faults(v->dek));
	struct vault *w;
	assert_int_equal(open_bytes(data.data, data.len, "pw", &w, &e), 0);
	assert_true(read_faults(w->dek));
	assert_key(w, "openai", "sk-x", NULL);
	assert_true(read_faults(w->dek));
	vault_free(w);
	vault_free(v);
	buf_free(&data);
}

static void test_harden(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	assert_int_equal(harden_process(&e), 0);
	struct rlimit rl;
	assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
	assert_int_equal(rl.rlim_cur, 0);
	assert_int_equal(rl.rlim_max, 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	json_malloc_t m;
	json_free_t f;
	json_get_alloc_funcs(&m, &f);
	assert_true(m != malloc);
	assert_true(f != free);
	/* The wiping allocator works for jansson itself. */
	json_t *j = json_pack("{s:s}", "key", canary);
	assert_non_null(j);
	char *s = json_dumps(j, JSON_COMPACT);
	assert_non_null(s);
	assert_non_null(strstr(s, canary));
	f(s);
	json_decref(j);
	assert_int_equal(harden_process(&e), 0); /* twice is fine */
}

/* ---- the keyring: environment first, then the vault, once ---- */

static char kr_data[4200];

static int setup_keyring(void **state)
{
	if (setup_tmp(state) < 0)
		return -1;
	FMT(kr_data, "%s/data", tmpdir);
	setenv("XDG_DATA_HOME", kr_data, 1);
	unsetenv("CHERRY_PASSPHRASE");
	unsetenv("CHERRY_TEST_OPENAI_KEY");
	char path[4300];
	FMT(path, "%s/cherry/keys.vault", kr_data);
	struct err e;
	err_clear(&e);
	struct vault *v = vault_new("kr-pass", 7, &vault_kdf_interactive, &e);
	if (!v || vault_set(v, "openai", "sk-from-vault", 13, 0, &e) < 0 ||
	    vault_set(v, "groq", "gsk-from-vault", 14, 0, &e) < 0 ||
	    vault_write_file(path, v, &e) < 0)
		return -1;
	vault_free(v);
	return 0;
}

/* A keyring whose passphrase source is a pipe holding one line. */
static struct keyring *keyring_with(const char *pass, int *fd)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], pass, strlen(pass)), (ssize_t)strlen(pass));
	assert_int_equal(write(p[1], "\n", 1), 1);
	close(p[1]);
	*fd = p[0];
	struct passphrase_opts o = {p[0], NULL};
	struct keyring *kr = keyring_new(&o);
	assert_non_null(kr);
	return kr;
}

static void test_keyring_env_wins(void **state)
{
	(void)state;
	struct provider p = {.name = "openai", .key_env = "CHERRY_TEST_OPENAI_KEY"};
	int fd;
	struct keyring *kr = keyring_with("kr-pass", &fd);
	setenv("CHERRY_TEST_OPENAI_KEY", "sk-from-env", 1);
	unsigned long runs = vault_kdf_runs();
	struct secret *key;
	const char *source;
	struct err e;
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &p, &key, &source, &e), 0);
	assert_string_equal(key->s, "sk-from-env");
	assert_string_equal(source, "CHERRY_TEST_OPENAI_KEY");
	assert_int_equal(vault_kdf_runs(), runs); /* the vault was never opened */
	secret_free(key);
	unsetenv("CHERRY_TEST_OPENAI_KEY");
	keyring_free(kr);
	close(fd);
}

static void test_keyring_vault_once(void **state)
{
	(void)state;
	struct provider openai = {.name = "openai", .key_env = "CHERRY_TEST_OPENAI_KEY"};
	struct provider groq = {.name = "groq", .key_env = "CHERRY_TEST_GROQ_KEY"};
	struct provider xai = {.name = "xai", .key_env = "CHERRY_TEST_XAI_KEY"};
	struct provider local = {.name = "ollama", .key_optional = 1};
	int fd;
	struct keyring *kr = keyring_with("kr-pass", &fd);
	unsigned long runs = vault_kdf_runs();
	struct secret *key;
	const char *source;
	struct err e;
	err_clear(&e);
	/* A provider that needs no key does not unlock the vault on its own. */
	assert_int_equal(keyring_get(kr, &local, &key, &source, &e), 1);
	assert_int_equal(vault_kdf_runs(), runs);
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), 0);
	assert_string_equal(key->s, "sk-from-vault");
	assert_string_equal(source, "vault");
	secret_free(key);
	assert_int_equal(keyring_get(kr, &groq, &key, &source, &e), 0);
	assert_string_equal(key->s, "gsk-from-vault");
	secret_free(key);
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &xai, &key, &source, &e), 1);
	assert_null(key);
	assert_int_equal(e.code, EXIT_KEY);
	assert_non_null(strstr(e.msg, "cherry key set xai"));
	assert_int_equal(vault_kdf_runs(), runs + 1); /* one unlock for all of them */
	keyring_free(kr);
	close(fd);
}

static void test_keyring_wrong_passphrase_remembered(void **state)
{
	(void)state;
	struct provider openai = {.name = "openai", .key_env = "CHERRY_TEST_OPENAI_KEY"};
	char path[4300];
	FMT(path, "%s/cherry/keys.vault", kr_data);
	struct buf before = BUF_INIT, after = BUF_INIT;
	struct err e;
	err_clear(&e);
	assert_int_equal(fs_read_file(path, 1 << 20, &before, &e), 0);
	int fd;
	struct keyring *kr = keyring_with("not-it", &fd);
	unsigned long runs = vault_kdf_runs();
	struct secret *key;
	const char *source;
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), -1);
	assert_int_equal(e.code, EXIT_VAULT);
	assert_non_null(strstr(e.msg, "wrong passphrase"));
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), -1);
	assert_int_equal(e.code, EXIT_VAULT);
	assert_int_equal(vault_kdf_runs(), runs + 1);
	keyring_free(kr);
	close(fd);
	assert_int_equal(fs_read_file(path, 1 << 20, &after, &e), 0);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.data, after.data, before.len);
	buf_free(&before);
	buf_free(&after);
}

static void test_keyring_no_vault(void **state)
{
	(void)state;
	char other[4300];
	FMT(other, "%s/empty", tmpdir);
	setenv("XDG_DATA_HOME", other, 1);
	struct provider openai = {.name = "openai", .key_env = "CHERRY_TEST_OPENAI_KEY"};
	struct keyring *kr = keyring_new(NULL);
	unsigned long runs = vault_kdf_runs();
	struct secret *key;
	const char *source;
	struct err e;
	err_clear(&e);
	assert_int_equal(keyring_get(kr, &openai, &key, &source, &e), 1);
	assert_int_equal(e.code, EXIT_KEY);
	assert_non_null(strstr(e.msg, "CHERRY_TEST_OPENAI_KEY"));
	assert_int_equal(vault_kdf_runs(), runs);
	keyring_free(kr);
	setenv("XDG_DATA_HOME", kr_data, 1);
}

int main(void)
{
	struct err e;
	err_clear(&e);
	/* As in cherry itself: before any JSON exists. */
	if (harden_process(&e) < 0)
		return 1;
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_kat_weak_encode),
		cmocka_unit_test(test_kat_weak_decode),
		cmocka_unit_test(test_kat_interactive),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_wrong_passphrase),
		cmocka_unit_test(test_set_validates_without_echo),
		cmocka_unit_test(test_padding_hides_count),
		cmocka_unit_test(test_every_bit_flip),
		cmocka_unit_test(test_every_bit_flip_checksum_fixed),
		cmocka_unit_test(test_every_truncation_and_extension),
		cmocka_unit_test(test_oversized_kdf_refused_before_kdf),
		cmocka_unit_test(test_kdf_cap_is_what_kdf_makes),
		cmocka_unit_test(test_newer_version_refused),
		cmocka_unit_test(test_unknown_algorithm_refused),
		cmocka_unit_test(test_release_floor_refuses_weak),
		cmocka_unit_test(test_store_parse),
		cmocka_unit_test(test_nonce_unique_across_saves),
		cmocka_unit_test(test_new_vaults_differ),
		cmocka_unit_test(test_rewrap),
		cmocka_unit_test(test_secret_hidden_faults),
		cmocka_unit_test(test_dek_hidden_while_idle),
		cmocka_unit_test(test_harden),
		cmocka_unit_test_setup_teardown(test_files_umask_000, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_kill9_among_saves, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_open_permissions_refused, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_other_owner_refused, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_not_regular_refused, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_canary_only_inside_vault, setup_tmp,
						teardown_tmp),
	};
	const struct CMUnitTest keyring[] = {
		cmocka_unit_test(test_keyring_env_wins),
		cmocka_unit_test(test_keyring_vault_once),
		cmocka_unit_test(test_keyring_wrong_passphrase_remembered),
		cmocka_unit_test(test_keyring_no_vault),
	};
	int failed = cmocka_run_group_tests_name("vault", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("keyring", keyring, setup_keyring, teardown_tmp);
	return failed;
}
