/* test_http: the URL policy (https, or http to this machine only) and utf8 repair. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cherry/http.h"
#include "cherry/utf8.h"

static void test_url_policy(void **state)
{
	(void)state;
	static const struct {
		const char *url;
		int allowed, loopback;
	} cases[] = {
		{"https://api.openai.com/v1/chat/completions", 1, 0},
		{"https://127.0.0.1:8443/v1", 1, 1},
		{"http://127.0.0.1:11434/api/chat", 1, 1},
		{"http://127.9.8.7/x", 1, 1},
		{"http://localhost:1234/v1", 1, 1},
		{"http://LOCALHOST/v1", 1, 1},
		{"http://[::1]:11434/api/chat", 1, 1},
		{"http://192.168.1.10:11434/api/chat", 0, 0},
		{"http://example.com/v1", 0, 0},
		{"http://127.0.0.1.evil.com/v1", 0, 0},
		{"http://localhost.evil.com/v1", 0, 0},
		{"http://1270.0.0.1/v1", 0, 0},
		/* names that only look like loopback addresses go to DNS: never plain http */
		{"http://127.0.0.08/v1", 0, 0},
		{"http://4294967423.0.0.1/v1", 0, 0},
		{"http://127.0.0.1.5/v1", 0, 0},
		{"http://127.0.0.256/v1", 0, 0},
		{"http://[::ffff:127.0.0.1]/v1", 0, 0},
		{"http://[::2]/v1", 0, 0},
		{"http://localhost./v1", 0, 0},
		{"https://127.0.0.08/v1", 1, 0},
		/* forms libcurl itself rewrites to the loopback literal it then connects to */
		{"http://127.1/v1", 1, 1},
		{"http://[0:0:0:0:0:0:0:1]:8/v1", 1, 1},
		{"http://127.255.255.254/v1", 1, 1},
		{"ftp://127.0.0.1/x", 0, 1},
		{"file:///etc/passwd", 0, 0},
		{"not a url", 0, 0},
		{"", 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int lb = -1;
		int ok = http_url_allowed(cases[i].url, &lb);
		if (ok != cases[i].allowed)
			print_error("%s\n", cases[i].url);
		assert_int_equal(ok, cases[i].allowed);
		assert_int_equal(lb, cases[i].loopback);
	}
}

/* What lists and error lines show of a URL: tokens in credentials, query values and
 * fragments hidden, the rest as written, cut whole characters at a time. */
static void test_url_shown(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} cases[] = {
		{"https://api.example.com/v1", 64, "https://api.example.com/v1"},
		{"https://api.example.com/v1?key=sk-test-CANARY", 64, "https://api.example.com/v1?key=\u2026"},
		{"https://h/p?a=1&b=&c&d=x#frag", 64, "https://h/p?a=\u2026&b=&\u2026&d=\u2026#\u2026"},
		{"https://user:sk-test-CANARY@h:8443/mcp", 64, "https://\u2026@h:8443/mcp"},
		{"https://a@b@h/x?t=1", 64, "https://\u2026@h/x?t=\u2026"},
		{"http://127.0.0.1:9/v1", 64, "http://127.0.0.1:9/v1"},
		{"no scheme?token=abc", 64, "no scheme?token=\u2026"},
		{"https://example.com/abcdefghij", 20, "https://example.\u2026"},
		{"https://h/\u00e9\u00e9\u00e9\u00e9", 16, "https://h/\u00e9\u2026"},
		{"https://h/x?k=v", 3, ""},
		{"", 8, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char out[64];
		memset(out, 'X', sizeof out);
		const char *r = http_url_shown(cases[i].in, out, cases[i].n);
		assert_ptr_equal(r, out);
		assert_string_equal(out, cases[i].out);
		assert_true(strlen(out) < cases[i].n);
		assert_null(strstr(out, "CANARY"));
	}
}

static void test_utf8_repair(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{"plain", 5, "plain"},
		{"caf\xc3\xa9 \xe4\xbd\xa0\xf0\x9f\x8d\x92", 13, "caf\xc3\xa9 \xe4\xbd\xa0\xf0\x9f\x8d\x92"},
		{"a\xff" "b", 3, "a\xef\xbf\xbd" "b"},
		{"a\xc0\xaf" "b", 4, "a\xef\xbf\xbd\xef\xbf\xbd" "b"},
		{"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
		{"end\xe4\xbd", 5, "end\xef\xbf\xbd"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf out = BUF_INIT;
		assert_int_equal(utf8_repair(cases[i].in, cases[i].len, &out), 0);
		assert_string_equal(out.data, cases[i].out);
		assert_true(utf8_valid(out.data, out.len));
		buf_free(&out);
	}
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));
	assert_true(utf8_valid("\xf4\x8f\xbf\xbf", 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_policy),
		cmocka_unit_test(test_url_shown),
		cmocka_unit_test(test_utf8_repair),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
