/* test_http_bounds: the request engine against a fake provider that misbehaves in time,
 * size or place, and against an environment that would send us elsewhere: a slow drip
 * of bytes that never completes a line ends as a stall within its bound; an endless
 * body, an endless line, endless headers and an endless header line each end with one
 * clear line at their cap; every 3xx is refused for every kind and nothing (so no key)
 * is sent on; a provider on loopback is never reached through a proxy. Drives http.c
 * directly, as ask and the client do. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "cherry/buf.h"
#include "cherry/http.h"
#include "cherry/secret.h"
#include "cherry/wire.h"
#include "harness.h"

static struct fakeprov FP;

struct result {
	struct buf text;
	int done;
	enum http_outcome outcome;
	char err[1024];
	double seconds;
	int attempts;
};

#define KEY "sk-test-BOUNDS-0123456789abcdef"

static void on_text(void *ctx, const char *s, size_t len)
{
	buf_append(&((struct result *)ctx)->text, s, len);
}

static void on_done(void *ctx, struct http_transfer *t)
{
	(void)t;
	((struct result *)ctx)->done = 1;
}

/* Streams model from the fake provider as kind with the given stall timeout, for at
 * most limit seconds; the result says how it ended and how long it took. */
static void stream_key(enum wire_kind kind, const char *model, double stall, double limit,
		       const struct secret *key, struct result *r)
{
	char base[128];
	snprintf(base, sizeof base, "http://127.0.0.1:%d%s", FP.port,
		 kind == WIRE_OPENAI ? "/v1" : "");
	struct provider p = {.name = "fp", .kind = kind, .base_url = base};
	struct wire_msg msg = {"user", "hi"};
	struct wire_request rq = {.provider = &p, .model = model, .msgs = &msg, .nmsgs = 1};
	if (kind == WIRE_AZURE)
		p.api_version = "2024-10-21";
	struct wire_http req;
	struct err e;
	err_clear(&e);
	memset(r, 0, sizeof *r);
	assert_int_equal(wire_build_request(&rq, &req, &e), 0);
	struct http_opts o = {.connect_timeout = 5, .stall_timeout = stall, .max_retries = 2};
	struct http_engine *eng = http_engine_new(&o, &e);
	assert_non_null(eng);
	struct wire_sink sink = {on_text, NULL, r};
	double start = http_now();
	struct http_transfer *t = http_start_stream(eng, &p, &req, key, &sink, on_done, r, &e);
	assert_non_null(t);
	while (!r->done && http_now() - start < limit) {
		long ms = http_timeout_ms(eng);
		http_wait(eng, NULL, 0, ms < 0 || ms > 100 ? 100 : (int)ms);
		http_perform(eng);
	}
	r->seconds = http_now() - start;
	if (!r->done) {
		http_cancel(eng, t);
		r->outcome = HTTP_RUNNING;
	} else {
		r->outcome = http_outcome(t);
	}
	snprintf(r->err, sizeof r->err, "%s", http_error(t)->msg);
	r->attempts = http_attempts(t);
	http_transfer_free(t);
	http_engine_free(eng);
	wire_http_free(&req);
}

static void stream(enum wire_kind kind, const char *model, double stall, double limit,
		   struct result *r)
{
	stream_key(kind, model, stall, limit, NULL, r);
}

/* One byte every 100 ms after two deltas, never a line end: each byte is fresh, so only
 * the bound on complete lines ends it, one stall timeout after the last line. */
static void test_slow_drip_ends(void **state)
{
	(void)state;
	static const enum wire_kind kinds[] = {WIRE_OPENAI, WIRE_OLLAMA}; /* SSE, NDJSON */
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct result r;
		stream(kinds[i], "hello+drip", 1, 10, &r);
		if (r.outcome != HTTP_FAILED)
			fail_msg("%s: still running after %.1f s", wire_kind_name(kinds[i]),
				 r.seconds);
		assert_string_equal(r.err, "fp: stalled: no complete line for 1 s; "
					   "the answer is incomplete");
		assert_true(r.seconds >= 0.9 && r.seconds < 3);
		assert_int_equal(strncmp(r.text.data, "Hello from", 10), 0);
		buf_free(&r.text);
	}
}

/* Silence is still a stall, named as such; a stream that keeps sending whole lines
 * slowly is not one. */
static void test_silence_and_slow_lines(void **state)
{
	(void)state;
	struct result r;
	stream(WIRE_OPENAI, "hello+stall", 1, 10, &r);
	assert_int_equal(r.outcome, HTTP_FAILED);
	assert_string_equal(r.err, "fp: stalled: no data for 1 s; the answer is incomplete");
	buf_free(&r.text);
	/* a delta every 400 ms, with keep-alive comment lines, under a 1 s bound */
	stream(WIRE_OPENAI, "hello+comments+slow:400", 1, 10, &r);
	assert_int_equal(r.outcome, HTTP_OK);
	assert_string_equal(r.text.data, "Hello from fake openai!");
	buf_free(&r.text);
	/* a 1 MB line, a byte per write: it grows fast, so it is progress though no line
	 * ends for longer than the bound */
	stream(WIRE_ANTHROPIC, "bigline+split", 1, 60, &r);
	assert_int_equal(r.outcome, HTTP_OK);
	assert_true(r.text.len > 900000);
	buf_free(&r.text);
}

/* Ends failed, in one line starting with the provider's name and containing want,
 * after one attempt (though two retries are allowed), within limit seconds. */
static void expect_one_line(const struct result *r, const char *what, const char *want,
			    double limit)
{
	if (r->outcome != HTTP_FAILED)
		fail_msg("%s: still running after %.1f s", what, r->seconds);
	if (strncmp(r->err, "fp: ", 4) || strchr(r->err, '\n') || !strstr(r->err, want))
		fail_msg("%s: \"%s\"", what, r->err);
	if (r->attempts != 1 || r->seconds > limit)
		fail_msg("%s: %d attempts, %.1f s: %s", what, r->attempts, r->seconds, r->err);
}

/* Every body and header that never ends meets a cap: the response size, or the header
 * size (a single header line over libcurl's own 100 KB limit included, which libcurl
 * reports as "out of memory": issue 12 #14). Each is one line, tried once. */
static void test_endless_responses_end(void **state)
{
	(void)state;
	static const enum wire_kind kinds[] = {WIRE_OPENAI, WIRE_OLLAMA}; /* SSE, NDJSON */
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct result r;
		stream(kinds[i], "hello+endless", 30, 40, &r);
		expect_one_line(&r, "endless", "response larger than 64 MiB; stopped", 30);
		assert_int_equal(strncmp(r.text.data, "Hello from", 10), 0);
		buf_free(&r.text);
		/* one line that never ends: the response cap (or a smaller one for one
		 * event) ends it, never the client's memory */
		stream(kinds[i], "hello+endlessline", 30, 40, &r);
		expect_one_line(&r, "endlessline", "stopped", 30);
		buf_free(&r.text);
	}
	struct result r;
	stream(WIRE_OPENAI, "hello+endlessheaders", 30, 40, &r);
	expect_one_line(&r, "endlessheaders", "response headers larger than 64 KiB; stopped", 10);
	assert_int_equal(r.text.len, 0);
	stream(WIRE_OPENAI, "hello+endlessheaderline", 30, 40, &r);
	expect_one_line(&r, "endlessheaderline", "response headers larger than 64 KiB; stopped",
			10);
	assert_int_equal(r.text.len, 0);
}

/* A gzip bomb (about 1 MB that inflates to 128 MiB, with an answer delta first) is never
 * inflated: cherry asks for no encoding (no Accept-Encoding sent) and decodes none, so
 * the delta never shows, the body is read as the binary it is, and the reply is one
 * line naming the encoding, at once, in little memory (security.md §5.4 #24). */
static void test_gzip_bomb_not_inflated(void **state)
{
	(void)state;
	static const enum wire_kind kinds[] = {WIRE_OPENAI, WIRE_OLLAMA}; /* SSE, NDJSON */
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		const char *what = wire_kind_name(kinds[i]);
		struct rusage before, after;
		assert_int_equal(getrusage(RUSAGE_SELF, &before), 0);
		fakeprov_clear_log(&FP);
		struct result r;
		stream(kinds[i], "hello+gzipbomb", 5, 20, &r);
		assert_int_equal(getrusage(RUSAGE_SELF, &after), 0);
		expect_one_line(&r, what,
				"the response was compressed (Content-Encoding: gzip), which "
				"cherry never asks for nor decodes; check base_url",
				5);
		assert_int_equal(r.text.len, 0);
		if (after.ru_maxrss - before.ru_maxrss > 32 * 1024)
			fail_msg("%s: peak RSS grew by %ld KB", what, after.ru_maxrss - before.ru_maxrss);
		json_t *reqs = fakeprov_requests(&FP);
		assert_int_equal(json_array_size(reqs), 1);
		json_t *h = json_object_get(json_array_get(reqs, 0), "headers");
		assert_non_null(h);
		assert_null(json_object_get(h, "accept-encoding"));
		assert_null(json_object_get(h, "te"));
		json_decref(reqs);
		buf_free(&r.text);
	}
}

/* Every 3xx, for every kind: refused with the status and where it pointed, never
 * followed, never retried, so the key went to the provider alone (issue 12; the
 * redirect:NNN word points back at fakeprov, which would log a followed request). */
static void test_every_redirect_refused(void **state)
{
	(void)state;
	static const enum wire_kind kinds[] = {WIRE_OPENAI, WIRE_ANTHROPIC, WIRE_GEMINI,
					       WIRE_OLLAMA, WIRE_AZURE};
	static const int codes[] = {300, 301, 302, 303, 304, 307, 308};
	struct secret *key = secret_new(KEY, strlen(KEY));
	assert_non_null(key);
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		for (size_t c = 0; c < sizeof codes / sizeof *codes; c++) {
			char model[32], what[64], want[128];
			snprintf(model, sizeof model, "hello+redirect:%d", codes[c]);
			snprintf(what, sizeof what, "%s %d", wire_kind_name(kinds[k]), codes[c]);
			snprintf(want, sizeof want, "%d redirect to http://127.0.0.1:%d/followed/",
				 codes[c], FP.port);
			fakeprov_clear_log(&FP);
			struct result r;
			stream_key(kinds[k], model, 5, 10, kinds[k] == WIRE_OLLAMA ? NULL : key, &r);
			expect_one_line(&r, what, want, 5);
			assert_int_equal(r.text.len, 0);
			json_t *reqs = fakeprov_requests(&FP);
			if (json_array_size(reqs) != 1)
				fail_msg("%s: %zu requests logged", what, json_array_size(reqs));
			const char *path = json_string_value(
				json_object_get(json_array_get(reqs, 0), "path"));
			assert_non_null(path);
			assert_null(strstr(path, "followed"));
			json_decref(reqs);
		}
	}
	secret_free(key);
}

/* A "proxy" that listens on loopback and never answers; *port is where. */
static int listen_proxy(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* How many connections reached the proxy (the listener is non-blocking). */
static int proxy_connections(int fd)
{
	int n = 0, c;
	while ((c = accept(fd, NULL, NULL)) >= 0) {
		close(c);
		n++;
	}
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	return n;
}

/* With a proxy in every variable libcurl reads for http, a provider on 127.0.0.1 is
 * still reached directly: the request, key and prompt never go to the proxy in the
 * clear (issue 12, item 1). */
static void test_loopback_never_proxied(void **state)
{
	(void)state;
	static const char *const vars[] = {"http_proxy", "ALL_PROXY", "all_proxy"};
	int port, fd = listen_proxy(&port);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	unsetenv("NO_PROXY");
	unsetenv("no_proxy");
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		setenv(vars[i], url, 1);
		struct result r;
		stream(WIRE_OPENAI, "hello", 2, 10, &r);
		unsetenv(vars[i]);
		if (r.outcome != HTTP_OK)
			fail_msg("%s set: %s", vars[i], r.err);
		assert_string_equal(r.text.data, "Hello from fake openai!");
		assert_int_equal(proxy_connections(fd), 0);
		buf_free(&r.text);
	}
	close(fd);
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0) /* secret_new's guarded memory */
		return -1;
	return fakeprov_start(&FP);
}

static int teardown(void **state)
{
	(void)state;
	fakeprov_stop(&FP);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slow_drip_ends),
		cmocka_unit_test(test_silence_and_slow_lines),
		cmocka_unit_test(test_loopback_never_proxied),
		cmocka_unit_test(test_endless_responses_end),
		cmocka_unit_test(test_every_redirect_refused),
		cmocka_unit_test(test_gzip_bomb_not_inflated),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
