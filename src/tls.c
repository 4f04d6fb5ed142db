/* tls: peer verification for every libcurl handle. network.ca_file is ADDED to the
 * system's CAs, as the man page promises: CURLOPT_CAINFO would replace libcurl's default
 * bundle, and a corporate CA would then break every public provider (issue 12 #3).
 * The file is loaded into OpenSSL's certificate store from CURLOPT_SSL_CTX_FUNCTION;
 * libcurl fills the same store with its defaults (before the callback since 8.3, after
 * it in 7.87-8.2), so the two add up. Its CA cache is turned off for these handles: a
 * cached store would be shared, or swapped in over the one we added to (curl #11800). */
#include "cherry/tls.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

/* The callback hands us libcurl's SSL_CTX: only safe when libcurl runs on the same
 * OpenSSL major version as the one we link (a multi-TLS build names the active one first). */
static int curl_uses_our_openssl(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	if (!v || !v->ssl_version || strncmp(v->ssl_version, "OpenSSL/", 8))
		return 0;
	unsigned long major = strtoul(v->ssl_version + 8, NULL, 10);
	return major == (OpenSSL_version_num() >> 28);
}

static CURLcode add_ca_file(CURL *c, void *ssl_ctx, void *path)
{
	(void)c;
	X509_STORE *store = SSL_CTX_get_cert_store(ssl_ctx);
	if (!store || X509_STORE_load_locations(store, path, NULL) != 1) {
		ERR_clear_error();
		return CURLE_SSL_CACERT_BADFILE;
	}
	return CURLE_OK;
}

enum tls_ca tls_setup(CURL *c, const char *ca_file)
{
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (!ca_file)
		return TLS_CA_SYSTEM;
	if (curl_uses_our_openssl() &&
	    curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, add_ca_file) == CURLE_OK) {
		curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, (void *)ca_file);
#if CURL_AT_LEAST_VERSION(7, 87, 0)
		curl_easy_setopt(c, CURLOPT_CA_CACHE_TIMEOUT, 0L);
#endif
		return TLS_CA_ADDED;
	}
	curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	return TLS_CA_REPLACED;
}

int tls_refused(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION: /* unknown CA, self-signed, expired, wrong host */
	case CURLE_SSL_CACERT_BADFILE:       /* network.ca_file cannot be loaded */
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return 1;
	default:
		return 0;
	}
}
