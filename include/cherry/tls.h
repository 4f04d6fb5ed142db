/* tls: how every libcurl handle of cherry checks its peer: TLS 1.2 at least, the
 * certificate and the host name always verified, and network.ca_file added to the CAs
 * libcurl trusts by default (the system's store), never put in their place. */
#ifndef CHERRY_TLS_H
#define CHERRY_TLS_H

#include <curl/curl.h>

enum tls_ca {
	TLS_CA_SYSTEM,   /* no ca_file: the system's CAs only */
	TLS_CA_ADDED,    /* ca_file is loaded beside the system's CAs */
	TLS_CA_REPLACED, /* libcurl is not built on cherry's OpenSSL: ca_file replaces them */
};

/* Sets verification on c. ca_file (may be NULL) must stay valid while c is used: it is
 * read at every new connection. */
enum tls_ca tls_setup(CURL *c, const char *ca_file);
/* 1 when rc says the peer's certificate (or our CA file) was refused: asking again
 * would be refused again. */
int tls_refused(CURLcode rc);

#endif
