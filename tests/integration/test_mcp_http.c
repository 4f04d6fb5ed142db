/* test_mcp_http: the Streamable HTTP transport against tests/fakemcp.c's HTTP mode on
 * 127.0.0.1: JSON and SSE answers, the server's ping and roots/list answered by POST,
 * the session id and MCP-Protocol-Version on every request (the fake logs a miss as
 * "BAD CLIENT"), pagination, list_changed, progress, a timeout and a stop each sent as
 * notifications/cancelled (a stop as soon as the user's descriptor has input: no tick),
 * huge and hostile results, a forgotten session initialized
 * again, the GET stream, DELETE at the end, a message past the SSE cap, headers and a
 * refused Authorization, a token from the vault (auth_key) written nowhere else, TLS
 * verification (refused without the CA, passed with network.ca_file), plain
 * http refused for a host that is not loopback, a redirect not followed, an invalid
 * session id refused; `cherry mcp test` on an HTTP server, alive and unreachable. The
 * stdio transport's mcp_call_tool and list_changed as well; the opening in steps (as
 * the full-screen client opens a server), on either transport. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cherry/mcp.h"
#include "cherry/http.h"
#include "harness.h"
#include "testca.h"

static char fakemcp[512];

struct fake {
	struct fakemcp_http h;
	int port;
	char log[64];    /* its stderr */
};

static void fake_start(struct fake *f, const char *mode2)
{
	snprintf(f->log, sizeof f->log, "/tmp/cherry-fakemcp-%ld.log", (long)getpid());
	assert_int_equal(fakemcp_http_start(&f->h, fakemcp, mode2, f->log), 0);
	f->port = f->h.port;
}

/* Ends the server and returns its log (caller frees). */
static char *fake_stop(struct fake *f)
{
	fakemcp_http_stop(&f->h);
	size_t len;
	char *log = harness_read_file(f->log, &len);
	unlink(f->log);
	assert_non_null(log);
	return log;
}

static void server(struct config_mcp_server *s, const struct fake *f, char *url, size_t size)
{
	memset(s, 0, sizeof *s);
	s->name = "web";
	snprintf(url, size, "http://127.0.0.1:%d/mcp", f->port);
	s->url = url;
}

static void connect_to(struct mcp_child *c, const struct config_mcp_server *s)
{
	struct err e = {0};
	struct mcp_start_opts o = {0};
	assert_int_equal(mcp_start(c, s, &o, &e), 0);
	struct mcp_server_info info;
	assert_int_equal(mcp_handshake(c, 5000, &info, &e), 0);
	assert_string_equal(info.protocol_version, "2025-06-18");
	assert_true(info.tools_list_changed);
	mcp_server_info_free(&info);
}

/* Starts s and expects initialize to fail: e says why. */
static void handshake_fails(const struct config_mcp_server *s, const struct mcp_start_opts *o,
			    struct err *e)
{
	struct mcp_child c;
	struct mcp_server_info info;
	assert_int_equal(mcp_start(&c, s, o, e), 0);
	assert_int_equal(mcp_handshake(&c, 5000, &info, e), -1);
	mcp_close(&c, 1000);
}

static char *call(struct mcp_child *c, const char *tool, json_t *args, int *is_error)
{
	struct err e = {0};
	struct mcp_call_opts o = {.timeout_ms = 5000};
	struct mcp_call_result r;
	int rc = mcp_call_tool(c, tool, args, &o, &r, &e);
	if (rc)
		print_message("%s: %s\n", tool, e.msg);
	assert_int_equal(rc, 0);
	if (is_error)
		*is_error = r.is_error;
	return r.text;
}

static int progress_seen, stop_after;
static void on_progress(void *ctx, const struct mcp_progress *p)
{
	(void)ctx;
	assert_true(p->has_total);
	progress_seen++;
}

static int stop_now(void *ctx)
{
	(void)ctx;
	return progress_seen >= stop_after;
}

static double ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A call's stop hook and the descriptor the user acts through (a pipe standing for the
 * terminal, its bytes for Esc: the time they were written). */
struct wake {
	int fd, asked, asked_before;
	double ms; /* from the bytes written to the hook asked */
};

static int wake_stop(void *ctx)
{
	struct wake *w = ctx;
	double sent;
	w->asked++;
	if (read(w->fd, &sent, sizeof sent) != (ssize_t)sizeof sent)
		return 0;
	w->ms = ms_now() - sent;
	w->asked_before = w->asked - 1;
	return 1;
}

/* Esc written 600 ms into a 40 s call (by a child) stops it at once, and the call ends
 * stopped. Over stdio the hook is asked when the bytes come, not on a tick: before them
 * only at the call's start and the server's first progress (its next is 10 s away; with
 * the 100 ms tick, 8 times). Over HTTP libcurl's own timers wake the wait too (every 200 ms or so here), so
 * there it is the time from Esc to the hook that tells (0.1-0.6 ms; up to the tick's
 * 100 ms before). */
static void stop_wakes(struct mcp_child *c)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	pid_t kid = fork();
	assert_true(kid >= 0);
	if (kid == 0) {
		struct timespec d = {0, 600 * 1000000L};
		nanosleep(&d, NULL);
		double now = ms_now();
		_exit(write(p[1], &now, sizeof now) == (ssize_t)sizeof now ? 0 : 1);
	}
	close(p[1]);
	struct wake w = {p[0], 0, -1, -1};
	struct mcp_call_opts o = {60000, NULL, wake_stop, &w, &p[0], 1, NULL};
	struct mcp_call_result r;
	struct err e = {0};
	assert_int_equal(mcp_call_tool(c, "slow", json_pack("{s:i}", "ms", 40000), &o, &r, &e), -1);
	assert_int_equal(e.code, EXIT_INTERRUPTED);
	int st;
	assert_int_equal(waitpid(kid, &st, 0), kid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[0]);
	printf("# %s: the stop hook asked %.1f ms after Esc, %d times before it\n", c->name,
	       w.ms, w.asked_before);
	if (!c->http && w.asked_before > 4)
		fail_msg("the stop hook was asked %d times before Esc: a tick, not a wake",
			 w.asked_before);
	if (w.ms < 0 || w.ms > (c->http ? 50 : 250))
		fail_msg("the stop hook was asked %.1f ms after Esc", w.ms);
}

/* What both transports must do with mcp_call_tool and list_changed. */
static void calls_and_changes(struct mcp_child *c)
{
	struct err e = {0};
	struct mcp_tools tools;
	size_t pages;
	assert_int_equal(mcp_list_tools(c, 5000, &tools, &pages, &e), 0);
	assert_int_equal(tools.n, 10);
	assert_int_equal(pages, 2);
	mcp_tools_free(&tools);
	int is_error;
	char *t = call(c, "echo", json_pack("{s:s}", "text", "h\xc3\xa9"), &is_error);
	assert_string_equal(t, "Echo: h\xc3\xa9");
	assert_false(is_error);
	free(t);
	t = call(c, "fail", NULL, &is_error);
	assert_true(is_error);
	free(t);
	/* The bytes as the server sent them: making them safe is the display's job. */
	t = call(c, "hostile", NULL, NULL);
	assert_string_equal(t, "\x1b]52;c;aGk=\x07\x1b[2J\x1b[31mred\xc2\x9b");
	free(t);
	t = call(c, "huge", json_pack("{s:i}", "bytes", 300000), NULL);
	assert_int_equal(strlen(t), 300000);
	free(t);
	/* A timeout: notifications/cancelled, progress seen before it, and the next call
	 * still works. */
	struct mcp_call_opts o = {.timeout_ms = 300, .progress = on_progress};
	struct mcp_call_result r;
	progress_seen = 0;
	assert_int_equal(mcp_call_tool(c, "slow", json_pack("{s:i}", "ms", 4000), &o, &r, &e), -1);
	assert_int_equal(e.code, EXIT_NETWORK);
	assert_true(progress_seen >= 1);
	/* A stop after the second progress. */
	progress_seen = 0;
	stop_after = 2;
	o = (struct mcp_call_opts){.timeout_ms = 5000, .progress = on_progress, .stop = stop_now};
	assert_int_equal(mcp_call_tool(c, "slow", json_pack("{s:i}", "ms", 2000), &o, &r, &e), -1);
	assert_int_equal(e.code, EXIT_INTERRUPTED);
	assert_int_equal(progress_seen, 2);
	stop_wakes(c);
	/* list_changed: flagged, and the next list has the new tool. */
	assert_false(c->tools_changed);
	t = call(c, "change", NULL, NULL);
	free(t);
	assert_true(c->tools_changed);
	assert_int_equal(mcp_list_tools(c, 5000, &tools, &pages, &e), 0);
	assert_false(c->tools_changed);
	assert_int_equal(tools.n, 11);
	assert_string_equal(tools.v[10].name, "added");
	mcp_tools_free(&tools);
	/* An unknown method is a JSON-RPC error; a ping from us is answered. */
	json_t *result;
	assert_int_equal(mcp_rpc(c, "no/such", NULL, 5000, &result, &e), -1);
	assert_non_null(strstr(e.msg, "-32601"));
	assert_int_equal(mcp_rpc(c, "ping", NULL, 5000, &result, &e), 0);
	json_decref(result);
}

static int notes;
static void on_note(void *ctx, const struct mcp_msg *m)
{
	(void)ctx;
	if (strcmp(m->method, "notifications/message") == 0)
		notes++;
}

/* The opening in steps (mcp_open_begin/step, as the full-screen client drives it): no
 * step waits, the server's ping and roots/list are answered between them, both pages
 * are read, and the server is then ready for calls. */
static void open_in_steps(struct mcp_child *c, size_t ntools)
{
	struct err e = {0};
	struct mcp_opening o;
	assert_int_equal(mcp_open_begin(c, 5000, &o, &e), 0);
	int rc, waits = 0;
	double longest = 0;
	for (double end = ms_now() + 10000; ms_now() < end; waits++) {
		double t0 = ms_now();
		rc = mcp_open_step(c, &o, &e);
		if (ms_now() - t0 > longest)
			longest = ms_now() - t0;
		if (rc != 0)
			break;
		mcp_wait(c, 20);
	}
	if (rc != 1)
		fail_msg("the opening failed: %s", e.msg);
	assert_true(waits >= 1); /* it came in steps */
	if (longest > 50)
		fail_msg("a step took %.1f ms", longest);
	assert_string_equal(o.info.protocol_version, "2025-06-18");
	assert_int_equal(o.tools.n, ntools);
	assert_int_equal(o.pages, 2);
	mcp_opening_free(&o);
	char *t = call(c, "echo", json_pack("{s:s}", "text", "after"), NULL);
	assert_string_equal(t, "Echo: after");
	free(t);
}

static void test_http(void **state)
{
	(void)state;
	struct fake f;
	struct config_mcp_server s;
	char url[64];
	fake_start(&f, NULL);
	server(&s, &f, url, sizeof url);
	struct mcp_child c;
	connect_to(&c, &s);
	/* The server's own stream (GET): its notification arrives with no request. */
	c.on_notify = on_note;
	notes = 0;
	for (int i = 0; i < 50 && !notes; i++) {
		mcp_wait(&c, 100);
		struct err e = {0};
		assert_int_equal(mcp_pump(&c, &e), 0);
		struct mcp_msg m;
		while (mcp_take(&c, &m)) {
			if (m.kind == MCP_NOTIFICATION)
				on_note(NULL, &m);
			mcp_msg_free(&m);
		}
	}
	assert_int_equal(notes, 1);
	c.on_notify = NULL;
	calls_and_changes(&c);
	/* The answer's stream breaks after the first progress: a GET with Last-Event-ID
	 * goes on with it, and the caller sees the whole call. */
	struct mcp_call_opts po = {.timeout_ms = 5000, .progress = on_progress};
	struct mcp_call_result pr;
	struct err pe = {0};
	progress_seen = 0;
	assert_int_equal(mcp_call_tool(&c, "slow", json_pack("{s:i,s:b}", "ms", 200, "drop", 1), &po,
				       &pr, &pe), 0);
	assert_string_equal(pr.text, "slow done");
	assert_int_equal(progress_seen, 4);
	mcp_call_result_free(&pr);
	/* The server forgets the session: a 404, then a new initialize, and the request
	 * is sent again, unseen by the caller. */
	char *t = call(&c, "expire", NULL, NULL);
	free(t);
	t = call(&c, "echo", json_pack("{s:s}", "text", "again"), NULL);
	assert_string_equal(t, "Echo: again");
	free(t);
	/* One message past the cap: the transfer stops with a line that says so. */
	struct mcp_call_opts o = {.timeout_ms = 10000};
	struct mcp_call_result r;
	struct err e = {0};
	assert_int_equal(mcp_call_tool(&c, "huge", json_pack("{s:i}", "bytes", 17 << 20), &o, &r, &e),
			 -1);
	assert_string_equal(e.msg, "web: a message larger than 16 MiB; stopped");
	assert_int_equal(mcp_close(&c, 2000), 0);
	/* a session opened in steps, as the full-screen client opens one */
	struct mcp_start_opts so = {0};
	assert_int_equal(mcp_start(&c, &s, &so, &e), 0);
	open_in_steps(&c, 11); /* "added" since the change above */
	assert_int_equal(mcp_close(&c, 2000), 0);
	char *log = fake_stop(&f);
	assert_null(strstr(log, "BAD CLIENT"));
	assert_non_null(strstr(log, "client answered ping"));
	assert_non_null(strstr(log, "client answered roots/list"));
	assert_non_null(strstr(log, "got notifications/cancelled"));
	assert_non_null(strstr(log, "cancelled\n"));
	assert_non_null(strstr(log, "unknown session fake-session-1"));
	assert_non_null(strstr(log, "DELETE fake-session-2\n"));
	assert_non_null(strstr(log, "GET stream open"));
	assert_non_null(strstr(log, "dropped the stream\n"));
	assert_non_null(strstr(log, "\nresumed "));
	free(log);
}

static void test_stdio(void **state)
{
	(void)state;
	struct config_mcp_server s;
	memset(&s, 0, sizeof s);
	s.name = "fake";
	s.command = fakemcp;
	struct mcp_child c;
	struct err e = {0};
	assert_int_equal(mcp_spawn(&c, &s, NULL, getenv, &e), 0);
	open_in_steps(&c, 10); /* (test_mcp opens stdio servers with mcp_handshake) */
	calls_and_changes(&c);
	assert_int_equal(mcp_close(&c, 2000), 0);
}

static void test_http_auth_and_refusals(void **state)
{
	(void)state;
	struct fake f;
	fake_start(&f, "auth");
	struct config_mcp_server s;
	char url[64];
	server(&s, &f, url, sizeof url);
	struct mcp_child c;
	struct err e = {0};
	struct mcp_start_opts o = {0};
	/* No token: the 401 is one line that says where to look. */
	handshake_fails(&s, &o, &e);
	assert_int_equal(e.code, EXIT_KEY);
	assert_non_null(strstr(e.msg, "web: HTTP 401: Unauthorized (check its auth_key or headers; "
				      "the server asks: Bearer realm=\"fakemcp\")"));
	/* The token from the config's headers. */
	char *names[] = {"Authorization"}, *values[] = {"Bearer sk-test-CANARY-mcp"};
	s.header_names = names;
	s.header_values = values;
	s.nheaders = 1;
	connect_to(&c, &s);
	char *t = call(&c, "echo", json_pack("{s:s}", "text", "in"), NULL);
	assert_string_equal(t, "Echo: in");
	free(t);
	assert_int_equal(mcp_close(&c, 2000), 0);
	char *log = fake_stop(&f);
	assert_non_null(strstr(log, "refused: authorization \"\""));
	assert_null(strstr(log, "BAD CLIENT"));
	free(log);
	/* Plain http goes to loopback only; an auth_key needs the vault. */
	s.url = "http://example.com/mcp";
	s.nheaders = 0;
	assert_int_equal(mcp_start(&c, &s, &o, &e), -1);
	assert_non_null(strstr(e.msg, "refusing plain http to a host that is not this machine"));
	s.url = url;
	s.auth_key = "webtoken";
	assert_int_equal(mcp_start(&c, &s, &o, &e), -1);
	assert_int_equal(e.code, EXIT_KEY);
	assert_non_null(strstr(e.msg, "auth_key \"webtoken\" needs the key vault"));
}

static void test_cli(void **state)
{
	(void)state;
	struct fake f;
	fake_start(&f, NULL);
	struct testhome h;
	assert_int_equal(testhome_make(&h), 0);
	char cfg[512];
	snprintf(cfg, sizeof cfg,
		 "{\"mcp_servers\": {\"web\": {\"url\": \"http://127.0.0.1:%d/mcp\"}, \"gone\": "
		 "{\"url\": \"http://127.0.0.1:1/mcp?token=sk-test-CANARY-q\"}, \"vaulted\": {\"url\": "
		 "\"https://127.0.0.1:1/mcp\", \"auth_key\": \"tok\"}}}", f.port);
	assert_int_equal(testhome_write_config(&h, cfg), 0);
	struct run r;
	const char *test[] = {"mcp", "test", "web", NULL};
	assert_int_equal(run_cherry(&r, &h, test, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "start: ok (http://127.0.0.1:"));
	assert_non_null(strstr(r.out, "\ninitialize: ok (fakemcp 1.0, MCP 2025-06-18"));
	assert_non_null(strstr(r.out, "\ntools/list: ok (10 tools, 2 pages"));
	assert_non_null(strstr(r.out, "\nping: ok"));
	assert_non_null(strstr(r.out, "\nstream: ok (the server can send on its own)\n"));
	assert_non_null(strstr(r.out, "\nshutdown: ok (session ended)"));
	run_free(&r);
	const char *gone[] = {"mcp", "test", "gone", NULL};
	assert_int_equal(run_cherry(&r, &h, gone, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 1);
	/* a token in the URL's query stays off the screen */
	assert_non_null(strstr(r.out, "initialize: FAILED: gone: cannot reach "
				      "http://127.0.0.1:1/mcp?token=\xe2\x80\xa6:"));
	assert_null(strstr(r.out, "CANARY"));
	run_free(&r);
	const char *list[] = {"mcp", "list", NULL};
	assert_int_equal(run_cherry(&r, &h, list, NULL, NULL, 10000), 0);
	assert_non_null(strstr(r.out, "gone  http  http://127.0.0.1:1/mcp?token=\xe2\x80\xa6\n"));
	assert_null(strstr(r.out, "CANARY"));
	assert_non_null(strstr(r.out, "vaulted  http  https://127.0.0.1:1/mcp  auth: vault tok\n"));
	run_free(&r);
	/* No vault: the missing token is named, with the command that stores it. */
	const char *vaulted[] = {"mcp", "test", "vaulted", NULL};
	assert_int_equal(run_cherry(&r, &h, vaulted, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "start: FAILED: vaulted: no key \"tok\" in the vault (its "
				      "auth_key): store it with: cherry key set tok"));
	run_free(&r);
	testhome_remove(&h);
	char *log = fake_stop(&f);
	assert_null(strstr(log, "BAD CLIENT"));
	assert_non_null(strstr(log, "DELETE fake-session-1"));
	free(log);
}

/* https with TLS verification, as for providers: a certificate no trusted CA signed is
 * refused; with network.ca_file naming its CA the TLS handshake passes (and the fake
 * provider, which speaks no MCP, answers with an HTTP status). */
static void test_https(void **state)
{
	(void)state;
	char dir[] = "/tmp/cherry-mcptls-XXXXXX", crt[64], key[64];
	assert_non_null(mkdtemp(dir));
	struct testca ca;
	assert_int_equal(testca_new(&ca, dir, "ca"), 0);
	assert_int_equal(testca_issue(&ca, dir, "srv", "IP:127.0.0.1", -1, 30), 0);
	snprintf(crt, sizeof crt, "%s/srv.crt", dir);
	snprintf(key, sizeof key, "%s/srv.key", dir);
	struct fakeprov fp;
	assert_int_equal(fakeprov_start_tls(&fp, crt, key), 0);
	char url[64];
	snprintf(url, sizeof url, "https://127.0.0.1:%d/mcp", fp.port);
	struct config_mcp_server s = {.name = "web", .url = url};
	struct err e = {0};
	struct mcp_start_opts o = {0};
	handshake_fails(&s, &o, &e);
	assert_non_null(strstr(e.msg, "web: cannot reach https://127.0.0.1:"));
	assert_non_null(strstr(e.msg, "certificate"));
	struct http_opts ho = {.ca_file = ca.pem};
	o.http = &ho;
	handshake_fails(&s, &o, &e);
	assert_non_null(strstr(e.msg, "web: HTTP "));
	assert_null(strstr(e.msg, "certificate"));
	fakeprov_stop(&fp);
	testca_free(&ca);
	harness_rm_tree(dir);
}

/* A redirect is never followed, and a session id that is not visible ASCII is refused. */
static void test_hostile_server(void **state)
{
	(void)state;
	static const struct {
		const char *mode, *msg;
	} cases[] = {
		{"redirect", "web: 307 redirect to http://127.0.0.1:1/elsewhere not followed; check "
			     "its url"},
		{"badsession", "web: the server sent an invalid Mcp-Session-Id"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct fake f;
		fake_start(&f, cases[i].mode);
		struct config_mcp_server s;
		char url[64];
		server(&s, &f, url, sizeof url);
		struct err e = {0};
		struct mcp_start_opts o = {0};
		handshake_fails(&s, &o, &e);
		assert_string_equal(e.msg, cases[i].msg);
		free(fake_stop(&f));
	}
}

/* auth_key: the token is stored with `cherry key set`, read from the vault, sent as a
 * Bearer, and written nowhere else. */
static void test_vault_token(void **state)
{
	(void)state;
	struct fake f;
	fake_start(&f, "auth");
	struct testhome h;
	assert_int_equal(testhome_make(&h), 0);
	char cfg[256];
	snprintf(cfg, sizeof cfg, "{\"mcp_servers\": {\"web\": {\"url\": "
		 "\"http://127.0.0.1:%d/mcp\", \"auth_key\": \"webtok\"}}}", f.port);
	assert_int_equal(testhome_write_config(&h, cfg), 0);
	struct run r;
	const char *set[] = {"--passphrase-fd", "0", "key", "set", "webtok", "--kdf", "interactive",
			     NULL};
	assert_int_equal(run_cherry(&r, &h, set, NULL, "sk-test-CANARY-mcp\npass-mcp\n", 20000), 0);
	if (r.status != 0)
		fail_msg("key set: %s", r.err);
	run_free(&r);
	const char *env[] = {"CHERRY_PASSPHRASE=pass-mcp", NULL};
	const char *test[] = {"mcp", "test", "web", NULL};
	assert_int_equal(run_cherry(&r, &h, test, env, NULL, 20000), 0);
	if (r.status != 0)
		fail_msg("mcp test: %s %s", r.out, r.err);
	assert_non_null(strstr(r.out, "\nping: ok"));
	assert_null(strstr(r.out, "CANARY"));
	assert_null(strstr(r.err, "CANARY"));
	run_free(&r);
	/* The vault holds it encrypted; the log and every other file never. */
	assert_int_equal(tree_contains(h.root, "sk-test-CANARY-mcp"), 0);
	testhome_remove(&h);
	char *log = fake_stop(&f);
	assert_null(strstr(log, "refused"));
	assert_non_null(strstr(log, "DELETE fake-session-1"));
	free(log);
}

int main(void)
{
	const char *build = getenv("CHERRY_TEST_BUILD");
	char cwd[400];
	snprintf(fakemcp, sizeof fakemcp, "%.399s/%.60s/tests/fakemcp",
		 getcwd(cwd, sizeof cwd) ? cwd : ".", build ? build : "build");
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_stdio),
		cmocka_unit_test(test_http_auth_and_refusals),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_vault_token),
		cmocka_unit_test(test_hostile_server),
		cmocka_unit_test(test_https),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
