/* testca: throw-away CA and server certificates for the TLS tests (see testca.h). */
#include "testca.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
	if (!kc || EVP_PKEY_keygen_init(kc) <= 0 ||
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kc, NID_X9_62_prime256v1) <= 0 ||
	    EVP_PKEY_keygen(kc, &key) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(kc);
	return key;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	int ok = ext && X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static unsigned long next_serial = 1000;

/* A certificate for key named cn, signed by signer (its cert and key; NULL cert: itself). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *signer, EVP_PKEY *signer_key,
		       int is_ca, const char *san, int from_days, int to_days)
{
	X509 *c = X509_new();
	if (!c)
		return NULL;
	X509_NAME *name = X509_get_subject_name(c);
	int ok = X509_set_version(c, 2) &&
		 ASN1_INTEGER_set(X509_get_serialNumber(c), (long)next_serial++) &&
		 X509_gmtime_adj(X509_getm_notBefore(c), (long)from_days * 86400) &&
		 X509_gmtime_adj(X509_getm_notAfter(c), (long)to_days * 86400) &&
		 X509_set_pubkey(c, key) &&
		 X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
					    (const unsigned char *)"cherry tests", -1, -1, 0) &&
		 X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn,
					    -1, -1, 0) &&
		 X509_set_issuer_name(c, signer ? X509_get_subject_name(signer) : name);
	X509 *issuer = signer ? signer : c;
	if (ok)
		ok = add_ext(c, issuer, NID_subject_key_identifier, "hash") == 0 &&
		     add_ext(c, issuer, NID_authority_key_identifier, "keyid:always") == 0;
	if (ok && is_ca)
		ok = add_ext(c, issuer, NID_basic_constraints, "critical,CA:TRUE") == 0 &&
		     add_ext(c, issuer, NID_key_usage, "critical,keyCertSign,cRLSign") == 0;
	if (ok && !is_ca)
		ok = add_ext(c, issuer, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
		     add_ext(c, issuer, NID_key_usage, "critical,digitalSignature") == 0 &&
		     add_ext(c, issuer, NID_ext_key_usage, "serverAuth") == 0 &&
		     add_ext(c, issuer, NID_subject_alt_name, san) == 0;
	if (ok)
		ok = X509_sign(c, signer_key ? signer_key : key, EVP_sha256()) > 0;
	if (!ok) {
		X509_free(c);
		return NULL;
	}
	return c;
}

static int write_pem(const char *path, X509 *cert, EVP_PKEY *key)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int ok = cert ? PEM_write_X509(f, cert)
		      : PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	return fclose(f) == 0 && ok ? 0 : -1;
}

int testca_new(struct testca *ca, const char *dir, const char *name)
{
	memset(ca, 0, sizeof *ca);
	EVP_PKEY *key = new_key();
	char cn[128];
	snprintf(cn, sizeof cn, "cherry test CA %s", name);
	X509 *cert = key ? make_cert(key, cn, NULL, NULL, 1, NULL, -1, 30) : NULL;
	ca->key = key;
	ca->cert = cert;
	snprintf(ca->pem, sizeof ca->pem, "%s/%s.pem", dir, name);
	if (!cert || write_pem(ca->pem, cert, NULL) < 0) {
		fprintf(stderr, "testca: cannot make CA %s\n", ca->pem);
		testca_free(ca);
		return -1;
	}
	return 0;
}

void testca_free(struct testca *ca)
{
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	ca->cert = ca->key = NULL;
}

int testca_issue(const struct testca *ca, const char *dir, const char *name, const char *san,
		 int from_days, int to_days)
{
	char crt[512], keyp[512];
	snprintf(crt, sizeof crt, "%s/%s.crt", dir, name);
	snprintf(keyp, sizeof keyp, "%s/%s.key", dir, name);
	EVP_PKEY *key = new_key();
	X509 *cert = key ? make_cert(key, name, ca ? ca->cert : NULL, ca ? ca->key : NULL, 0, san,
				     from_days, to_days)
			 : NULL;
	int r = cert && write_pem(crt, cert, NULL) == 0 && write_pem(keyp, NULL, key) == 0 ? 0 : -1;
	if (r < 0)
		fprintf(stderr, "testca: cannot make certificate %s\n", crt);
	X509_free(cert);
	EVP_PKEY_free(key);
	return r;
}
