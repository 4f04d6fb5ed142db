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

/* Appends len bytes of s to out at *at, as far as n allows (one byte kept for the NUL and
 * three for a closing "…"): 0, or -1 when it did not all fit. */
static int put(char *out, size_t n, size_t *at, const char *s, size_t len)
{
	size_t room = n - 1 - *at;
	int cut = len > room;
	if (cut)
		len = room;
	memcpy(out + *at, s, len);
	*at += len;
	return cut ? -1 : 0;
}

#define ELLIPSIS "\xe2\x80\xa6"

const char *http_url_shown(const char *url, char *out, size_t n)
{
	static const char ell[] = ELLIPSIS;
	size_t at = 0;
	if (n < sizeof ell + 1) {
		if (n)
			out[0] = '\0';
		return out;
	}
	n -= sizeof ell - 1; /* room kept for a closing "…" */
	const char *s = strstr(url, "://");
	s = s ? s + 3 : url;
	int cut = put(out, n, &at, url, (size_t)(s - url));
	size_t auth = strcspn(s, "/?#");
	const char *at_sign = NULL;
	for (const char *p = s; p < s + auth; p++)
		if (*p == '@')
			at_sign = p; /* the last '@' before the path ends the credentials */
	if (at_sign) {
		cut = cut || put(out, n, &at, ell, sizeof ell - 1) || put(out, n, &at, "@", 1);
		auth -= (size_t)(at_sign + 1 - s);
		s = at_sign + 1;
	}
	size_t path = strcspn(s, "?#");
	cut = cut || put(out, n, &at, s, path);
	s += path;
	if (*s == '?') {
		s++;
		cut = cut || put(out, n, &at, "?", 1);
		while (*s && *s != '#' && !cut) {
			size_t item = strcspn(s, "&#");
			const char *eq = memchr(s, '=', item);
			if (eq) /* the name, then its value hidden */
				cut = put(out, n, &at, s, (size_t)(eq + 1 - s)) ||
				      (eq + 1 < s + item && put(out, n, &at, ell, sizeof ell - 1));
			else if (item)
				cut = put(out, n, &at, ell, sizeof ell - 1);
			s += item;
			if (*s == '&') {
				cut = cut || put(out, n, &at, "&", 1);
				s++;
			}
		}
	}
	if (*s == '#' && !cut)
		cut = put(out, n, &at, "#" ELLIPSIS, 1 + sizeof ell - 1);
	if (cut) { /* never end inside a UTF-8 sequence */
		size_t lead = at;
		while (lead && ((unsigned char)out[lead - 1] & 0xc0) == 0x80)
			lead--;
		if (lead && (unsigned char)out[lead - 1] >= 0xc0) {
			unsigned char c = (unsigned char)out[lead - 1];
			size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			if (at - (lead - 1) < want)
				at = lead - 1;
		}
		memcpy(out + at, ell, sizeof ell - 1);
		at += sizeof ell - 1;
	}
	out[at] = '\0';
	return out;
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
