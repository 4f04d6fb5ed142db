/* proxy: the proxy decision for a provider's host, from the environment as libcurl
 * reads it (pure: the environment comes through a function). */
#include "cherry/proxy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

static const char *env_value(proxy_env_fn env, const char *name)
{
	const char *v = env(name);
	return v && *v ? v : NULL;
}

/* Copies host into out without [brackets] and without one trailing dot. */
static void bare_host(const char *host, char *out, size_t n)
{
	size_t len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len && host[len - 1] == '.')
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(out, host, len);
	out[len] = '\0';
}

/* 1 when address a (af's size) lies in network net/bits. */
static int in_network(const unsigned char *a, const unsigned char *net, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;
	if (memcmp(a, net, bytes))
		return 0;
	return !rest || !((a[bytes] ^ net[bytes]) & (0xffu << (8 - rest)) & 0xffu);
}

static int address_match(const char *host, const char *entry)
{
	char net[64];
	const char *slash = strchr(entry, '/');
	size_t len = slash ? (size_t)(slash - entry) : strlen(entry);
	if (len >= sizeof net)
		return 0;
	memcpy(net, entry, len);
	net[len] = '\0';
	int af = strchr(host, ':') ? AF_INET6 : AF_INET;
	unsigned max = af == AF_INET6 ? 128 : 32;
	unsigned bits = max;
	if (slash) {
		const char *p = slash + 1;
		if (!*p)
			return 0;
		for (bits = 0; *p; p++) {
			if (!isdigit((unsigned char)*p) || (bits = bits * 10 + (unsigned)(*p - '0')) > max)
				return 0;
		}
	}
	unsigned char a[16], n[16];
	if (inet_pton(af, host, a) != 1 || inet_pton(af, net, n) != 1)
		return 0;
	return in_network(a, n, bits);
}

static int name_match(const char *host, const char *entry)
{
	while (*entry == '.')
		entry++;
	size_t hl = strlen(host), el = strlen(entry);
	if (el && entry[el - 1] == '.')
		el--;
	if (!el || el > hl || strncasecmp(host + hl - el, entry, el))
		return 0;
	return el == hl || host[hl - el - 1] == '.';
}

int proxy_no_proxy_match(const char *host_in, const char *list)
{
	if (!list || !host_in)
		return 0;
	while (*list == ' ' || *list == '\t')
		list++;
	size_t ll = strlen(list);
	while (ll && (list[ll - 1] == ' ' || list[ll - 1] == '\t'))
		ll--;
	if (ll == 1 && list[0] == '*')
		return 1;
	char host[256];
	bare_host(host_in, host, sizeof host);
	unsigned char probe[16];
	int is_addr = inet_pton(AF_INET, host, probe) == 1 || inet_pton(AF_INET6, host, probe) == 1;
	for (const char *p = list; *p;) {
		p += strspn(p, ", \t");
		size_t n = strcspn(p, ", \t");
		if (!n)
			break;
		char entry[256];
		if (n < sizeof entry) {
			memcpy(entry, p, n);
			entry[n] = '\0';
			char bare[256];
			bare_host(entry, bare, sizeof bare);
			if (is_addr ? address_match(host, bare) : name_match(host, bare))
				return 1;
		}
		p += n;
	}
	return 0;
}

const char *proxy_choose(const char *host, int loopback, proxy_env_fn env)
{
	static const char *const vars[] = {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
	if (loopback || !host || !*host)
		return NULL;
	const char *proxy = NULL;
	for (size_t i = 0; i < sizeof vars / sizeof *vars && !proxy; i++)
		proxy = env_value(env, vars[i]);
	if (!proxy)
		return NULL;
	const char *no = env_value(env, "no_proxy");
	if (!no)
		no = env_value(env, "NO_PROXY");
	return proxy_no_proxy_match(host, no) ? NULL : proxy;
}

void proxy_display(const char *proxy, char *out, size_t n)
{
	const char *h = strstr(proxy, "://");
	h = h ? h + 3 : proxy;
	size_t end = strcspn(h, "/?#");
	const char *at = memchr(h, '@', end);
	while (at) { /* the last '@' before the path ends the credentials */
		end -= (size_t)(at + 1 - h);
		h = at + 1;
		at = memchr(h, '@', end);
	}
	if (end >= n)
		end = n - 1;
	memcpy(out, h, end);
	out[end] = '\0';
}
