/* test_tls: cherry against a fake provider speaking TLS, with a throw-away CA made at
 * test time (testca.h): a good certificate is accepted through network.ca_file, which
 * adds to the system's CAs instead of replacing them; self-signed, expired and
 * wrong-host certificates are refused at once, in one line, without a retry, and
 * before any request (so before the key or the prompt) is sent. */
#define _GNU_SOURCE /* unshare */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cherry/buf.h"
#include "cherry/http.h"
#include "cherry/wire.h"
#include "harness.h"
#include "testca.h"

#define KEY "sk-test-TLS-0123456789abcdef"

enum { GOOD, SELF_SIGNED, EXPIRED, WRONG_HOST, SYSTEM_CA, NSERVERS };

static const struct {
	const char *name;
	const char *san;
	int from_days, to_days;
	int by_system_ca; /* signed by the "system" CA, not by the one in ca_file */
	int self_signed;
} certs[NSERVERS] = {
	[GOOD] = {"good", "IP:127.0.0.1,DNS:localhost", -1, 30, 0, 0},
	[SELF_SIGNED] = {"self", "IP:127.0.0.1,DNS:localhost", -1, 30, 0, 1},
	[EXPIRED] = {"expired", "IP:127.0.0.1,DNS:localhost", -30, -1, 0, 0},
	[WRONG_HOST] = {"wronghost", "DNS:wrong.example", -1, 30, 0, 0},
	[SYSTEM_CA] = {"system", "IP:127.0.0.1,DNS:localhost", -1, 30, 1, 0},
};

static struct {
	char dir[256];
	struct testca ca;        /* what network.ca_file names */
	struct testca system_ca; /* stands for a CA of the system's store */
	struct fakeprov fp[NSERVERS];
	struct testhome home;
} G;

/* ---- the real binary ---- */

/* Writes a config with provider "ft" at server i over https; ca_file may be NULL. */
static void write_config(int i, const char *ca_file)
{
	char cfg[2048], ca[700] = "null";
	if (ca_file)
		snprintf(ca, sizeof ca, "\"%s\"", ca_file);
	snprintf(cfg, sizeof cfg,
		 "{\"providers\": {\"ft\": {\"kind\": \"openai\", "
		 "\"base_url\": \"https://127.0.0.1:%d/v1\", \"key_env\": \"FAKE_TLS_KEY\"}},\n"
		 " \"network\": {\"max_retries\": 2, \"connect_timeout\": 5, \"ca_file\": %s}}\n",
		 G.fp[i].port, ca);
	assert_int_equal(testhome_write_config(&G.home, cfg), 0);
}

static void ask(struct run *r)
{
	static const char *const args[] = {"ask", "-m", "ft/hello", "hi", NULL};
	static const char *const env[] = {"FAKE_TLS_KEY=" KEY, NULL};
	assert_int_equal(run_cherry(r, &G.home, args, env, NULL, 20000), 0);
}

static void test_good_cert_through_ca_file(void **state)
{
	(void)state;
	write_config(GOOD, G.ca.pem);
	fakeprov_clear_log(&G.fp[GOOD]);
	struct run r;
	ask(&r);
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_string_equal(r.out, "Hello from fake openai!\n");
	json_t *req = fakeprov_last_request(&G.fp[GOOD]);
	assert_non_null(req);
	assert_string_equal(request_header(req, "authorization"), "Bearer " KEY);
	json_decref(req);
	run_free(&r);

	/* without the CA the same server is refused: the CA file is what made it work */
	write_config(GOOD, NULL);
	ask(&r);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "refused the TLS certificate"));
	run_free(&r);
}

/* One line, exit 3, nothing logged by the provider (no request, so no key and no prompt,
 * went out), and quickly: a retry would wait 0.5 s first. */
static void expect_refused(int i, const char *ca_file, const char *why)
{
	write_config(i, ca_file);
	fakeprov_clear_log(&G.fp[i]);
	struct run r;
	ask(&r);
	if (r.status != 3 || !strstr(r.err, why))
		fail_msg("%s: exit %d, stderr: %s", certs[i].name, r.status, r.err);
	if (!strstr(r.err, "ft: refused the TLS certificate of https://127.0.0.1:"))
		fail_msg("%s: not the refusal line: %s", certs[i].name, r.err);
	char *nl = strchr(r.err, '\n');
	if (!nl || nl[1])
		fail_msg("%s: not one line: %s", certs[i].name, r.err);
	if (strstr(r.err, "after"))
		fail_msg("%s: retried: %s", certs[i].name, r.err);
	assert_string_equal(r.out, "");
	assert_int_equal(fakeprov_count(&G.fp[i]), 0);
	assert_true(r.seconds < 5);
	run_free(&r);
}

static void test_bad_certs_refused_in_one_line(void **state)
{
	(void)state;
	expect_refused(SELF_SIGNED, G.ca.pem, "self-signed certificate");
	expect_refused(EXPIRED, G.ca.pem, "certificate has expired");
	expect_refused(WRONG_HOST, G.ca.pem, "127.0.0.1");
	/* and with no ca_file at all, the test CA is unknown */
	expect_refused(GOOD, NULL, "unable to get local issuer certificate");
}

/* A ca_file that cannot be read is its own clear line, not retried either. */
static void test_unreadable_ca_file(void **state)
{
	(void)state;
	char missing[400];
	snprintf(missing, sizeof missing, "%s/no-such-ca.pem", G.dir);
	write_config(GOOD, missing);
	struct run r;
	ask(&r);
	assert_int_equal(r.status, 3);
	char want[600];
	snprintf(want, sizeof want,
		 "ft: cannot load network.ca_file %s; check that it is a readable PEM file\n",
		 missing);
	if (!strstr(r.err, want))
		fail_msg("stderr: %s", r.err);
	assert_true(r.seconds < 5);
	run_free(&r);
}

/* ---- the engine: how many attempts ---- */

struct result {
	int done;
};

static void on_done(void *ctx, struct http_transfer *t)
{
	(void)t;
	((struct result *)ctx)->done = 1;
}

/* Streams from server i with max_retries 3; returns the attempts made and the line. */
static int attempts(int i, const char *ca_file, char *line, size_t n)
{
	char base[128];
	snprintf(base, sizeof base, "https://127.0.0.1:%d/v1", G.fp[i].port);
	struct provider p = {.name = "fp", .kind = WIRE_OPENAI, .base_url = base};
	struct wire_msg msg = {"user", "hi"};
	struct wire_request rq = {.provider = &p, .model = "hello", .msgs = &msg, .nmsgs = 1};
	struct wire_http req;
	struct err e;
	err_clear(&e);
	assert_int_equal(wire_build_request(&rq, &req, &e), 0);
	struct http_opts o = {.connect_timeout = 5, .stall_timeout = 5, .max_retries = 3,
			      .ca_file = ca_file};
	struct http_engine *eng = http_engine_new(&o, &e);
	assert_non_null(eng);
	struct result r = {0};
	struct http_transfer *t = http_start_stream(eng, &p, &req, NULL, NULL, on_done, &r, &e);
	assert_non_null(t);
	double start = http_now();
	while (!r.done && http_now() - start < 15) {
		long ms = http_timeout_ms(eng);
		http_wait(eng, NULL, 0, ms < 0 || ms > 100 ? 100 : (int)ms);
		http_perform(eng);
	}
	assert_true(r.done);
	int a = http_attempts(t);
	snprintf(line, n, "%s", http_error(t)->msg);
	http_transfer_free(t);
	http_engine_free(eng);
	wire_http_free(&req);
	return a;
}

/* Verification failures never heal: one attempt, though three retries are allowed
 * (issue 12 #14). */
static void test_refusals_not_retried(void **state)
{
	(void)state;
	char line[1024];
	for (int i = SELF_SIGNED; i <= WRONG_HOST; i++) {
		int a = attempts(i, G.ca.pem, line, sizeof line);
		if (a != 1)
			fail_msg("%s: %d attempts: %s", certs[i].name, a, line);
	}
	assert_int_equal(attempts(GOOD, NULL, line, sizeof line), 1);
	assert_non_null(strstr(line, "refused the TLS certificate"));
}

/* ---- network.ca_file adds to the system's store (issue 12 #3) ---- */

/* In a private mount namespace the test's "system" CA is put where libcurl's default
 * bundle is; then with ca_file naming the other CA, servers of BOTH verify. Replacing
 * the bundle (CURLOPT_CAINFO) would lose the system one. A control run without ca_file
 * shows the bind mount took (the system-CA server verifies, the ca_file one does not).
 * Runs in a child: the namespace and its mount stay there. 77: cannot be set up. */
static int ca_file_adds_child(const char *bundle)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(G.system_ca.pem, bundle, NULL, MS_BIND, NULL) < 0)
		return 77;
	static const struct {
		int server;
		int with_ca_file;
		int want_ok;
	} cases[] = {
		{SYSTEM_CA, 0, 1}, {GOOD, 0, 0}, /* the control */
		{SYSTEM_CA, 1, 1}, {GOOD, 1, 1}, /* both, with ca_file */
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char cfg[1024];
		snprintf(cfg, sizeof cfg,
			 "{\"providers\": {\"ft\": {\"kind\": \"openai\", "
			 "\"base_url\": \"https://127.0.0.1:%d/v1\", \"key_env\": \"FAKE_TLS_KEY\"}},"
			 " \"network\": {\"max_retries\": 0, \"ca_file\": %s%s%s}}\n",
			 G.fp[cases[i].server].port, cases[i].with_ca_file ? "\"" : "",
			 cases[i].with_ca_file ? G.ca.pem : "null", cases[i].with_ca_file ? "\"" : "");
		struct run r;
		static const char *const args[] = {"ask", "-m", "ft/hello", "hi", NULL};
		static const char *const env[] = {"FAKE_TLS_KEY=" KEY, NULL};
		if (testhome_write_config(&G.home, cfg) < 0 ||
		    run_cherry(&r, &G.home, args, env, NULL, 20000) < 0)
			return 1;
		if ((r.status == 0) != cases[i].want_ok) {
			fprintf(stderr, "case %zu (%s, ca_file %s): exit %d: %s", i,
				certs[cases[i].server].name, cases[i].with_ca_file ? "set" : "unset",
				r.status, r.err);
			failed = 1;
		}
		run_free(&r);
	}
	return failed;
}

static void test_ca_file_adds_to_system_store(void **state)
{
	(void)state;
	char *bundle = NULL;
	CURL *c = curl_easy_init();
	assert_non_null(c);
#if CURL_AT_LEAST_VERSION(7, 84, 0)
	char *def = NULL;
	if (curl_easy_getinfo(c, CURLINFO_CAINFO, &def) == CURLE_OK && def && *def)
		bundle = strdup(def);
#endif
	curl_easy_cleanup(c);
	if (!bundle || access(bundle, R_OK) != 0) {
		free(bundle);
		skip(); /* no default CA bundle file to stand in for */
	}
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(ca_file_adds_child(bundle));
	free(bundle);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip(); /* no private mount namespace here (not root) */
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- set-up ---- */

static int group_setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(G.dir, sizeof G.dir, "%s/cherry-tls.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(G.dir) || testca_new(&G.ca, G.dir, "ca") < 0 ||
	    testca_new(&G.system_ca, G.dir, "system-ca") < 0 || testhome_make(&G.home) < 0)
		return -1;
	for (int i = 0; i < NSERVERS; i++) {
		const struct testca *by = certs[i].self_signed ? NULL
					  : certs[i].by_system_ca ? &G.system_ca
								  : &G.ca;
		char crt[400], key[400];
		snprintf(crt, sizeof crt, "%s/%s.crt", G.dir, certs[i].name);
		snprintf(key, sizeof key, "%s/%s.key", G.dir, certs[i].name);
		if (testca_issue(by, G.dir, certs[i].name, certs[i].san, certs[i].from_days,
				 certs[i].to_days) < 0 ||
		    fakeprov_start_tls(&G.fp[i], crt, key) < 0)
			return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NSERVERS; i++)
		fakeprov_stop(&G.fp[i]);
	testca_free(&G.ca);
	testca_free(&G.system_ca);
	testhome_remove(&G.home);
	if (G.dir[0])
		harness_rm_tree(G.dir);
	return 0;
}

/* SSLKEYLOGFILE is refused with a warning: no TLS secret of a session with the key is
 * written to disk (libcurl would honour it). */
static void test_keylog_refused(void **state)
{
	(void)state;
	write_config(GOOD, G.ca.pem);
	char log[600], envlog[700];
	snprintf(log, sizeof log, "%s/tls-keys.log", G.home.root);
	snprintf(envlog, sizeof envlog, "SSLKEYLOGFILE=%s", log);
	const char *env[] = {"FAKE_TLS_KEY=" KEY, envlog, NULL};
	static const char *const args[] = {"ask", "-m", "ft/hello", "hi", NULL};
	struct run r;
	assert_int_equal(run_cherry(&r, &G.home, args, env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "SSLKEYLOGFILE is set"));
	assert_int_equal(access(log, F_OK), -1);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_cert_through_ca_file),
		cmocka_unit_test(test_keylog_refused),
		cmocka_unit_test(test_bad_certs_refused_in_one_line),
		cmocka_unit_test(test_unreadable_ca_file),
		cmocka_unit_test(test_refusals_not_retried),
		cmocka_unit_test(test_ca_file_adds_to_system_store),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
