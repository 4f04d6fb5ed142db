/* proxy: which proxy a request to a host goes through, decided by cherry itself from the
 * environment as libcurl reads it, and then handed to libcurl explicitly, so that the
 * status line names exactly the proxy in use. Pure: the environment comes through a
 * lookup function (getenv in the shells). */
#ifndef CHERRY_PROXY_H
#define CHERRY_PROXY_H

#include <stddef.h>

typedef const char *(*proxy_env_fn)(const char *name);

/* The proxy for an https request to host (a name, an address, or [v6]): https_proxy,
 * HTTPS_PROXY, all_proxy, ALL_PROXY, the first one set and not empty; NULL (direct) when
 * none is, when no_proxy (else NO_PROXY) names the host, and always for a host on this
 * machine (loopback: http_url_allowed's verdict). Points into the environment. */
const char *proxy_choose(const char *host, int loopback, proxy_env_fn env);

/* 1 when the NO_PROXY list names host, as libcurl reads it: "*" alone matches every
 * host; otherwise entries separated by commas or blanks, a name matching itself and
 * its subdomains (a leading or trailing dot ignored, any case), an address matching
 * itself or, with /bits, its network. */
int proxy_no_proxy_match(const char *host, const char *list);

/* A proxy URL as the status line shows it: host[:port], without scheme, credentials or
 * path. Always NUL-terminates out (n > 0). */
void proxy_display(const char *proxy, char *out, size_t n);

#endif
