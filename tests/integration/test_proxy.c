/* test_proxy: proxies as cherry uses them. An https provider is reached through an HTTP
 * CONNECT proxy (tests/lib/fakeproxy) named by https_proxy or ALL_PROXY, and the proxy
 * sees the host and port but no key; NO_PROXY sends it direct; a provider on this
 * machine never goes through a proxy; the full-screen client's status line names the
 * proxy only when the current provider is really reached through it. The provider is
 * "fake.localhost": libcurl resolves *.localhost to loopback itself, without DNS, while
 * cherry counts only localhost and literal loopback addresses as this machine. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/proxy.h"
#include "fakeproxy.h"
#include "harness.h"
#include "testca.h"
#include "tmux.h"

#define KEY "sk-test-PROXY-0123456789abcdef"

static struct {
	char dir[256];
	struct testca ca;
	struct fakeprov fp;  /* TLS, certificate for fake.localhost and 127.0.0.1 */
	struct fakeproxy px;
	char proxy_url[64];  /* http://127.0.0.1:PORT */
	char proxy_host[64]; /* 127.0.0.1:PORT, as the status line shows it */
	struct testhome home;
} G;

/* ---- the decision, as a pure function ---- */

static const char *const *fake_env;

static const char *lookup(const char *name)
{
	size_t n = strlen(name);
	for (const char *const *e = fake_env; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static const char *choose(const char *host, const char *const *env)
{
	fake_env = env;
	return proxy_choose(host, 0, lookup);
}

static void test_choose_rules(void **state)
{
	(void)state;
	static const char *const https[] = {"https_proxy=http://a:1", "HTTPS_PROXY=http://b:2",
					    "ALL_PROXY=http://c:3", NULL};
	static const char *const upper[] = {"HTTPS_PROXY=http://b:2", "ALL_PROXY=http://c:3", NULL};
	static const char *const all[] = {"https_proxy=", "all_proxy=socks5h://d:4", NULL};
	static const char *const http_only[] = {"http_proxy=http://e:5", NULL};
	assert_string_equal(choose("api.example.com", https), "http://a:1");
	assert_string_equal(choose("api.example.com", upper), "http://b:2");
	assert_string_equal(choose("api.example.com", all), "socks5h://d:4");
	assert_null(choose("api.example.com", http_only)); /* https requests only */
	fake_env = https;
	assert_null(proxy_choose("127.0.0.1", 1, lookup)); /* loopback: never */

	static const char *const no[] = {"https_proxy=http://a:1",
					 "no_proxy=.example.com, 10.0.0.0/8 ,[::1],corp", NULL};
	assert_null(choose("api.example.com", no));
	assert_null(choose("example.com", no));
	assert_null(choose("API.EXAMPLE.COM.", no));
	assert_null(choose("10.1.2.3", no));
	assert_null(choose("[::1]", no));
	assert_null(choose("corp", no));
	assert_non_null(choose("badexample.com", no));
	assert_non_null(choose("11.1.2.3", no));
	assert_non_null(choose("corp.example.org", no));
	assert_non_null(choose("notcorp", no));
	static const char *const star[] = {"https_proxy=http://a:1", "NO_PROXY=*", NULL};
	assert_null(choose("api.example.com", star));
	/* no_proxy wins over NO_PROXY, as in libcurl */
	static const char *const both[] = {"https_proxy=http://a:1", "no_proxy=x.org",
					   "NO_PROXY=*", NULL};
	assert_non_null(choose("api.example.com", both));

	char out[64];
	proxy_display("http://user:p@ss@proxy.corp:3128/path", out, sizeof out);
	assert_string_equal(out, "proxy.corp:3128");
	proxy_display("proxy.corp", out, sizeof out);
	assert_string_equal(out, "proxy.corp");
	proxy_display("socks5h://[fd00::1]:1080", out, sizeof out);
	assert_string_equal(out, "[fd00::1]:1080");
}

/* ---- the real binary through the proxy ---- */

/* Config with provider "ft" at host (fake.localhost or 127.0.0.1) on the fake port. */
static void write_config(const char *host)
{
	char cfg[1024];
	snprintf(cfg, sizeof cfg,
		 "{\"providers\": {\"ft\": {\"kind\": \"openai\", "
		 "\"base_url\": \"https://%s:%d/v1\", \"key_env\": \"FAKE_TLS_KEY\"}},\n"
		 " \"network\": {\"max_retries\": 0, \"connect_timeout\": 5, \"ca_file\": \"%s\"}}\n",
		 host, G.fp.port, G.ca.pem);
	assert_int_equal(testhome_write_config(&G.home, cfg), 0);
}

/* cherry ask with env (its entries after the key); the answer must arrive. */
static void ask_ok(const char *e1, const char *e2)
{
	const char *env[] = {"FAKE_TLS_KEY=" KEY, e1, e2, NULL};
	static const char *const args[] = {"ask", "-m", "ft/hello", "hi", NULL};
	struct run r;
	fakeprov_clear_log(&G.fp);
	fakeproxy_clear(&G.px);
	assert_int_equal(run_cherry(&r, &G.home, args, env, NULL, 20000), 0);
	if (r.status != 0)
		fail_msg("%s %s: exit %d: %s", e1 ? e1 : "", e2 ? e2 : "", r.status, r.err);
	assert_string_equal(r.out, "Hello from fake openai!\n");
	assert_int_equal(fakeprov_count(&G.fp), 1);
	run_free(&r);
}

static void test_https_through_connect_proxy(void **state)
{
	(void)state;
	write_config("fake.localhost");
	char want[128];
	snprintf(want, sizeof want, "CONNECT fake.localhost:%d HTTP/1.1\r\n", G.fp.port);
	static const char *const vars[] = {"https_proxy", "HTTPS_PROXY", "ALL_PROXY"};
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
		char e[128];
		snprintf(e, sizeof e, "%s=%s", vars[i], G.proxy_url);
		ask_ok(e, NULL);
		char *log = fakeproxy_log(&G.px);
		if (strncmp(log, want, strlen(want)))
			fail_msg("%s: the proxy saw: %s", vars[i], log);
		/* the tunnel request names the host, never the key or the prompt */
		assert_null(strstr(log, KEY));
		assert_null(strstr(log, "uthorization"));
		assert_null(strstr(log + 7, "CONNECT")); /* one request, one tunnel */
		free(log);
	}
}

static void test_no_proxy_honoured(void **state)
{
	(void)state;
	write_config("fake.localhost");
	char e[128];
	snprintf(e, sizeof e, "https_proxy=%s", G.proxy_url);
	static const char *const lists[] = {"NO_PROXY=fake.localhost", "no_proxy=.localhost",
					    "NO_PROXY=other.org, localhost", "NO_PROXY=*"};
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
		ask_ok(e, lists[i]);
		char *log = fakeproxy_log(&G.px);
		if (*log)
			fail_msg("%s: went through the proxy: %s", lists[i], log);
		free(log);
	}
}

/* An https provider on 127.0.0.1 is on this machine: direct, whatever is set. */
static void test_loopback_https_never_proxied(void **state)
{
	(void)state;
	write_config("127.0.0.1");
	char e1[128], e2[128];
	snprintf(e1, sizeof e1, "https_proxy=%s", G.proxy_url);
	snprintf(e2, sizeof e2, "ALL_PROXY=%s", G.proxy_url);
	ask_ok(e1, e2);
	char *log = fakeproxy_log(&G.px);
	if (*log)
		fail_msg("went through the proxy: %s", log);
	free(log);
}

/* ---- the status line ---- */

/* Starts the client on host's provider with https_proxy set (and extra, may be NULL),
 * waits for it to be idle, and returns whether the status line names the proxy. */
static int status_shows_proxy(const char *host, const char *extra)
{
	if (!tmux_path()) {
		printf("# SKIP tmux is not installed\n");
		skip();
	}
	write_config(host);
	char e[128];
	snprintf(e, sizeof e, "https_proxy=%s", G.proxy_url);
	const char *env[] = {"FAKE_TLS_KEY=" KEY, e, extra, NULL};
	static const char *const args[] = {"-m", "ft/hello", NULL};
	struct tmux t;
	if (tmux_start_cherry(&t, &G.home, args, env, 120, 20) < 0)
		fail_msg("could not start cherry in tmux");
	if (tmux_wait_for(&t, "idle", 10000) < 0) {
		tmux_dump(&t, "never idle");
		tmux_stop(&t);
		fail_msg("the client never became idle");
	}
	char *scr = tmux_capture(&t, 0);
	assert_non_null(scr);
	char want[96];
	snprintf(want, sizeof want, "proxy %s", G.proxy_host);
	int shown = strstr(scr, want) != NULL;
	if (!shown && strstr(scr, "proxy "))
		fail_msg("another proxy is shown: %s", scr);
	free(scr);
	tmux_stop(&t);
	return shown;
}

static void test_status_line_names_proxy_only_in_use(void **state)
{
	(void)state;
	assert_true(status_shows_proxy("fake.localhost", NULL));
	assert_false(status_shows_proxy("127.0.0.1", NULL));
	assert_false(status_shows_proxy("fake.localhost", "NO_PROXY=fake.localhost"));
}

/* ---- set-up ---- */

static int group_setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(G.dir, sizeof G.dir, "%s/cherry-proxy-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(G.dir))
		return -1;
	char crt[400], key[400];
	snprintf(crt, sizeof crt, "%s/server.crt", G.dir);
	snprintf(key, sizeof key, "%s/server.key", G.dir);
	if (testca_new(&G.ca, G.dir, "ca") < 0 ||
	    testca_issue(&G.ca, G.dir, "server", "DNS:fake.localhost,IP:127.0.0.1", -1, 30) < 0 ||
	    fakeprov_start_tls(&G.fp, crt, key) < 0 || fakeproxy_start(&G.px) < 0 ||
	    testhome_make(&G.home) < 0)
		return -1;
	snprintf(G.proxy_url, sizeof G.proxy_url, "http://127.0.0.1:%d", G.px.port);
	snprintf(G.proxy_host, sizeof G.proxy_host, "127.0.0.1:%d", G.px.port);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	fakeprov_stop(&G.fp);
	fakeproxy_stop(&G.px);
	testca_free(&G.ca);
	testhome_remove(&G.home);
	if (G.dir[0])
		harness_rm_tree(G.dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choose_rules),
		cmocka_unit_test(test_https_through_connect_proxy),
		cmocka_unit_test(test_no_proxy_honoured),
		cmocka_unit_test(test_loopback_https_never_proxied),
		cmocka_unit_test(test_status_line_names_proxy_only_in_use),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
