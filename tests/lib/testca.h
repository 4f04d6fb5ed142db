/* testca: a throw-away certificate authority made at test time with OpenSSL's C API
 * (nothing on disk before the test, no `openssl` program needed), and the server
 * certificates the TLS tests serve: signed by it, expired, for another host, or signed
 * by themselves. Keys are EC P-256, quick to make. */
#ifndef CHERRY_TEST_TESTCA_H
#define CHERRY_TEST_TESTCA_H

struct testca {
	void *key;        /* EVP_PKEY */
	void *cert;       /* X509 */
	char pem[512];    /* the CA certificate, PEM: what network.ca_file names */
};

/* Makes a CA called name and writes its certificate to dir/name.pem. 0 or -1. */
int testca_new(struct testca *ca, const char *dir, const char *name);
void testca_free(struct testca *ca);

/* Writes dir/name.crt and dir/name.key: a server certificate whose subjectAltName is
 * san (OpenSSL's syntax, e.g. "IP:127.0.0.1,DNS:localhost"), signed by ca (NULL: by its
 * own key), valid from now + from_days to now + to_days. 0 or -1. */
int testca_issue(const struct testca *ca, const char *dir, const char *name, const char *san,
		 int from_days, int to_days);

#endif
