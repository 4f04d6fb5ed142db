/* http_url: where cherry may send a request, and through which proxy: https anywhere,
 * plain http only to this machine, and never a proxy for this machine. Part of the http
 * module (http.h), kept apart from the transfer engine. */
#include "cherry/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cherry/proxy.h"

/* Only what surely stays on this machine: "localhost" (libcurl resolves it to loopback
 * itself, never through DNS), or a literal address inet_pton reads, in 127.0.0.0/8 or
 * ::1. A name that merely looks like an address ("127.0.0.08") goes to DNS. */
static int host_is_loopback(const char *host)
{
	if (!strcasecmp(host, "localhost"))
		return 1;
	char lit[INET6_ADDRSTRLEN];
	size_t n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		if (n - 2 >= sizeof lit)
			return 0;
		memcpy(lit, host + 1, n - 2);
		lit[n - 2] = '\0';
		host = lit;
	}
	struct in6_addr a6;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	struct in_addr a4;
	return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

int http_url_allowed(const char *url, int *is_loopback)
{
	int ok = 0;
	*is_loopback = 0;
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		*is_loopback = host_is_loopback(host);
		ok = !strcmp(scheme, "https") || (!strcmp(scheme, "http") && *is_loopback);
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

static const char *env_get(const char *name)
{
	return getenv(name);
}

const char *http_proxy_for(const char *url)
{
	const char *proxy = NULL;
	int loopback;
	CURLU *u = curl_url();
	char *host = NULL;
	if (http_url_allowed(url, &loopback) && u &&
	    curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		proxy = proxy_choose(host, loopback, env_get);
	curl_free(host);
	curl_url_cleanup(u);
	return proxy;
}
