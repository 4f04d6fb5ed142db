/* cmd_providers: `cherry providers`: every provider, where its key would come from,
 * and where to read its privacy policy; `cherry providers test NAME [MODEL]`: the
 * smallest request that shows which step to a provider works (DNS, connect, TLS,
 * auth, model, chat) and which does not, one line each. */
#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cherry/app.h"
#include "cherry/loop.h"
#include "cherry/tls.h"

static void key_source(const struct provider *p, struct buf *out)
{
	const char *v = p->key_env ? getenv(p->key_env) : NULL;
	if (p->kind == WIRE_BEDROCK && p->key_env && !strcmp(p->key_env, "AWS_ACCESS_KEY_ID")) {
		/* keys.c reads the AWS SDKs' variables */
		const char *bearer = getenv("AWS_BEARER_TOKEN_BEDROCK");
		if (bearer && *bearer)
			buf_append_str(out, "AWS_BEARER_TOKEN_BEDROCK (set)");
		else if (v && *v)
			buf_append_str(out, "AWS_ACCESS_KEY_ID+AWS_SECRET_ACCESS_KEY (set)");
		else
			buf_append_str(out, "AWS_ACCESS_KEY_ID+AWS_SECRET_ACCESS_KEY, "
				       "AWS_BEARER_TOKEN_BEDROCK or vault");
		return;
	}
	/* A variable no provider document names is cherry's convention: say so. */
	const char *mark = p->unverified & PROVIDER_UNVERIFIED_KEY_ENV ? " (unverified)" : "";
	if (v && *v)
		buf_printf(out, "%s%s (set)", p->key_env, mark);
	else if (p->key_optional)
		buf_append_str(out, "none needed");
	else if (p->key_env)
		buf_printf(out, "%s%s%s or vault", p->key_env, mark,
			   p->key_command ? ", key_command" : "");
	else
		buf_append_str(out, p->key_command ? "key_command or vault" : "vault");
}

static size_t max_len(size_t a, size_t b)
{
	return a > b ? a : b;
}

static int providers_test(struct app *app, int argc, char **argv);

int providers_main(struct app *app, int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "test"))
		return providers_test(app, argc - 1, argv + 1);
	if (argc > 1)
		return app_usage("providers: unknown argument \"%s\" (providers, or providers "
				 "test NAME [MODEL])", argv[1]);
	const struct provider_list *list = &app->cfg.providers;
	size_t n = list->n;
	struct buf *cells = calloc(n * 5 + 5, sizeof *cells);
	if (!cells) {
		struct err e;
		err_set(&e, EXIT_FAIL, "out of memory");
		return app_fail(&e);
	}
	static const char *const head[5] = {"NAME", "KIND", "BASE URL", "KEY", "PRIVACY POLICY"};
	size_t width[5] = {0};
	for (size_t c = 0; c < 5; c++) {
		buf_append_str(&cells[c], head[c]);
		width[c] = strlen(head[c]);
	}
	for (size_t r = 0; r < n; r++) {
		const struct provider *p = &list->v[r];
		struct buf *row = &cells[(r + 1) * 5];
		/* Names and URLs can come from config: keep them terminal-safe. */
		app_line_safe(p->name, strlen(p->name), &row[0]);
		buf_append_str(&row[1], wire_kind_name(p->kind));
		char shown[512];
		if (p->base_url && *p->base_url) {
			http_url_shown(p->base_url, shown, sizeof shown);
			app_line_safe(shown, strlen(shown), &row[2]);
		} else
			buf_append_str(&row[2], "(set base_url in config.json)");
		if (p->anthropic_url && p->kind != WIRE_ANTHROPIC) {
			buf_append_str(&row[2], " (anthropic: ");
			http_url_shown(p->anthropic_url, shown, sizeof shown);
			app_line_safe(shown, strlen(shown), &row[2]);
			buf_append_char(&row[2], ')');
		}
		key_source(p, &row[3]);
		if (p->policy_url)
			app_line_safe(p->policy_url, strlen(p->policy_url), &row[4]);
		else if (p->unverified & PROVIDER_UNVERIFIED_POLICY)
			buf_append_str(&row[4], "(unverified: see the provider's site)");
		else
			buf_append_str(&row[4], "(unknown: see the provider's site)");
		for (size_t c = 0; c < 5; c++)
			width[c] = max_len(width[c], row[c].len);
	}
	for (size_t r = 0; r <= n; r++) {
		struct buf *row = &cells[r * 5];
		for (size_t c = 0; c < 5; c++) {
			const char *s = row[c].data ? row[c].data : "";
			if (c < 4)
				printf("%-*s  ", (int)width[c], s);
			else
				printf("%s\n", s);
		}
	}
	for (size_t k = 0; k < n * 5 + 5; k++)
		buf_free(&cells[k]);
	free(cells);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

/* ---- providers test ---- */

/* One step's line on stdout: its name, its verdict (ok, FAIL, warn, skip) and what it
 * found, made one terminal-safe line (hosts, model names and provider errors come from
 * outside). */
static void step(const char *name, const char *verdict, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void step(const char *name, const char *verdict, const char *fmt, ...)
{
	struct buf text = BUF_INIT, safe = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int r = buf_vprintf(&text, fmt, ap);
	va_end(ap);
	if (r == 0 && app_line_safe(text.data ? text.data : "", text.len, &safe) == 0)
		printf("%-7s  %-4s  %s\n", name, verdict, safe.data ? safe.data : "");
	else
		printf("%-7s  %-4s  (out of memory)\n", name, verdict);
	fflush(stdout);
	buf_free(&text);
	buf_free(&safe);
}

/* A pending INT, TERM or HUP: the test ends with 130. */
static int interrupted(void)
{
	int sig, got = 0;
	while ((sig = loop_signal_next()))
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			got = 1;
	return got;
}

struct target {
	char *scheme, *host, *port; /* from the base URL (curl_free) */
	int loopback;
	int literal;                /* the host is an IP address: nothing to resolve */
};

static void target_free(struct target *t)
{
	curl_free(t->scheme);
	curl_free(t->host);
	curl_free(t->port);
}

static int target_parse(const char *url, struct target *t)
{
	memset(t, 0, sizeof *t);
	CURLU *u = curl_url();
	int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_SCHEME, &t->scheme, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_HOST, &t->host, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_PORT, &t->port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	curl_url_cleanup(u);
	if (!ok)
		return -1;
	/* curl keeps an IPv6 literal's brackets; inet_pton wants the address alone */
	char *h = t->host;
	size_t n = strlen(h);
	char bare[64];
	if (n >= 2 && h[0] == '[' && n - 2 < sizeof bare) {
		memcpy(bare, h + 1, n - 2);
		bare[n - 2] = '\0';
	} else {
		snprintf(bare, sizeof bare, "%s", n < sizeof bare ? h : "");
	}
	unsigned char addr[16];
	t->literal = inet_pton(AF_INET, bare, addr) == 1 || inet_pton(AF_INET6, bare, addr) == 1;
	http_url_allowed(url, &t->loopback);
	return 0;
}

/* DNS: the base URL's host resolved the way libcurl will (getaddrinfo). 0 or EXIT_NETWORK. */
static int test_dns(const struct target *t, const char *url)
{
	if (t->literal) {
		step("DNS", "skip", "%s is an address; nothing to resolve", t->host);
		return 0;
	}
	if (http_proxy_for(url)) {
		step("DNS", "skip", "%s is resolved by the proxy", t->host);
		return 0;
	}
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(t->host, t->port, &hints, &res);
	if (rc != 0) {
		step("DNS", "FAIL", "cannot resolve %s: %s", t->host, gai_strerror(rc));
		return EXIT_NETWORK;
	}
	char first[INET6_ADDRSTRLEN] = "?";
	size_t count = 0;
	for (struct addrinfo *a = res; a; a = a->ai_next, count++)
		if (a == res)
			getnameinfo(a->ai_addr, a->ai_addrlen, first, sizeof first, NULL, 0,
				    NI_NUMERICHOST);
	freeaddrinfo(res);
	step("DNS", "ok", "%s resolves to %s%s", t->host, first,
	     count > 1 ? " (and more)" : "");
	return 0;
}

/* A connect (and for https the TLS handshake, the peer verified as every transfer does)
 * to the base URL, through the proxy a request would take, with nothing sent. */
static CURLcode connect_only(const struct app *app, const char *url, const struct target *t,
			     char *errbuf, char *ip, size_t ipsz, long *port, int *intr)
{
	CURL *c = curl_easy_init();
	CURLM *m = curl_multi_init();
	CURLcode rc = CURLE_OUT_OF_MEMORY;
	if (!c || !m)
		goto out;
	const char *proxy = http_proxy_for(url);
	double tmo = app->cfg.connect_timeout > 0 ? app->cfg.connect_timeout : 15;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, t->loopback ? "https,http" : "https");
	curl_easy_setopt(c, CURLOPT_PROXY, proxy ? proxy : "");
	curl_easy_setopt(c, CURLOPT_NOPROXY, proxy ? "" : "*");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(tmo * 1000));
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	tls_setup(c, app->cfg.ca_file);
	curl_multi_add_handle(m, c);
	int running = 1;
	while (running && !*intr) {
		curl_multi_perform(m, &running);
		if (!running)
			break;
		struct curl_waitfd wfd = {loop_signal_fd(), CURL_WAIT_POLLIN, 0};
		curl_multi_poll(m, &wfd, 1, 250, NULL);
		*intr = interrupted();
	}
	CURLMsg *msg;
	int left;
	rc = CURLE_ABORTED_BY_CALLBACK;
	while ((msg = curl_multi_info_read(m, &left)))
		if (msg->msg == CURLMSG_DONE)
			rc = msg->data.result;
	char *pip = NULL;
	if (rc == CURLE_OK && curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &pip) == CURLE_OK && pip)
		snprintf(ip, ipsz, "%s", pip);
	curl_easy_getinfo(c, CURLINFO_PRIMARY_PORT, port);
	curl_multi_remove_handle(m, c);
out:
	curl_multi_cleanup(m);
	curl_easy_cleanup(c);
	return rc;
}

/* connect and TLS: 0, EXIT_NETWORK or EXIT_INTERRUPTED. */
static int test_connect(const struct app *app, const struct target *t, const char *url)
{
	int https = !strcmp(t->scheme, "https");
	if (!https && !t->loopback) {
		step("TLS", "FAIL", "plain http to %s: cherry sends keys over https only "
		     "(plain http is for this machine)", t->host);
		return EXIT_NETWORK;
	}
	char errbuf[CURL_ERROR_SIZE] = "", ip[64] = "?";
	long port = 0;
	int intr = 0;
	CURLcode rc = connect_only(app, url, t, errbuf, ip, sizeof ip, &port, &intr);
	if (intr)
		return EXIT_INTERRUPTED;
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
	int tls_failed = https && (tls_refused(rc) || rc == CURLE_SSL_CONNECT_ERROR);
	if (rc != CURLE_OK && !tls_failed) {
		step("connect", "FAIL", "cannot connect to %s:%s: %s", t->host, t->port, why);
		return EXIT_NETWORK;
	}
	const char *proxied = http_proxy_for(url) ? " through the proxy" : "";
	if (rc == CURLE_OK)
		step("connect", "ok", "%s:%ld%s", ip, port, proxied);
	else
		step("connect", "ok", "%s:%s%s", t->host, t->port, proxied);
	if (!https)
		step("TLS", "skip", "plain http to this machine");
	else if (tls_failed)
		step("TLS", "FAIL", "%s: %s", tls_refused(rc) ? "the certificate was refused"
		     : "the TLS handshake failed", why);
	else
		step("TLS", "ok", "the certificate for %s is verified", t->host);
	return tls_failed ? EXIT_NETWORK : 0;
}

/* Runs the engine until its transfer ends; 1 when a signal cut it. */
static int run_transfer(struct http_engine *eng, struct http_transfer *t)
{
	int intr = 0;
	while (http_perform(eng) > 0) {
		long tmo = http_timeout_ms(eng);
		struct curl_waitfd wfd = {loop_signal_fd(), CURL_WAIT_POLLIN, 0};
		http_wait(eng, &wfd, 1, tmo < 0 || tmo > 250 ? 250 : (int)tmo);
		if (!intr && interrupted()) {
			intr = 1;
			http_cancel(eng, t);
		}
	}
	return intr;
}

static void transfer_done(void *ctx, struct http_transfer *t)
{
	(void)ctx;
	(void)t;
}

static void on_listed(void *ctx, const char *id)
{
	/* Gemini names models "models/ID"; requests take ID */
	json_array_append_new(ctx, json_string(strncmp(id, "models/", 7) ? id : id + 7));
}

/* auth: the model list, fetched with the key. 0 when it came (*models filled), 0 with
 * *models empty when the provider has no list to judge by, else the exit status. */
static int test_auth(struct http_engine *eng, const struct provider *p,
		     const struct secret *key, const char *source, json_t *models)
{
	struct err e;
	err_clear(&e);
	struct wire_http req;
	if (wire_models_request(p, &req, &e) < 0) {
		step("auth", "skip", "%s; the chat request will judge the key", e.msg);
		return 0;
	}
	struct http_transfer *t = http_start_get(eng, p, &req, key, transfer_done, NULL, &e);
	if (!t) {
		wire_http_free(&req);
		app_redact(&e, key);
		step("auth", "FAIL", "%s", e.msg);
		return e.code ? e.code : EXIT_FAIL;
	}
	int status = 0;
	struct buf from = BUF_INIT;
	if (key)
		buf_printf(&from, "key from %s", source);
	else
		buf_append_str(&from, "no key needed");
	if (run_transfer(eng, t)) {
		status = EXIT_INTERRUPTED;
	} else if (http_outcome(t) != HTTP_OK) {
		e = *http_error(t);
		app_redact(&e, key);
		long code = http_status(t);
		if (e.code != EXIT_KEY && (code == 404 || code == 405 || code == 501)) {
			step("auth", "warn", "no model list (%s); the chat request will judge the key",
			     e.msg);
		} else {
			step("auth", "FAIL", "%s", e.msg);
			status = e.code ? e.code : EXIT_NETWORK;
		}
	} else {
		const struct buf *body = http_body(t);
		int n = wire_parse_models(p->kind, body->data ? body->data : "", body->len,
					  on_listed, models);
		if (n < 0) {
			step("auth", "warn", "the model list is not JSON this kind of provider sends "
			     "(%s)", from.data ? from.data : "");
		} else {
			step("auth", "ok", "the model list came: %d model%s (%s)", n,
			     n == 1 ? "" : "s", from.data ? from.data : "");
		}
	}
	buf_free(&from);
	http_transfer_free(t);
	wire_http_free(&req);
	return status;
}

static int listed(json_t *models, const char *model)
{
	size_t i;
	json_t *v;
	json_array_foreach(models, i, v)
		if (!strcmp(json_string_value(v), model))
			return 1;
	return 0;
}

/* The first bytes of the answer, for the chat line. */
struct first_text {
	struct buf text;
	long deltas;
};

#define FIRST_TEXT_MAX 60

static void on_text(void *ctx, const char *s, size_t len)
{
	struct first_text *ft = ctx;
	ft->deltas++;
	if (ft->text.len >= FIRST_TEXT_MAX)
		return;
	size_t room = FIRST_TEXT_MAX - ft->text.len;
	if (len > room) {
		len = room;
		while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--; /* never cut a character in two */
	}
	buf_append(&ft->text, s, len);
}

/* chat: one user word, max_tokens 1, through the wire builder and the engine. */
static int test_chat(struct http_engine *eng, const struct provider *p, const char *model,
		     const struct secret *key)
{
	struct err e;
	err_clear(&e);
	const struct wire_msg msg = {"user", "Say OK."};
	const struct wire_request rq = {
		.provider = p, .model = model, .msgs = &msg, .nmsgs = 1, .max_tokens = 1,
	};
	struct wire_http req;
	if (wire_build_request(&rq, &req, &e) < 0) {
		step("chat", "FAIL", "%s", e.msg);
		return e.code ? e.code : EXIT_FAIL;
	}
	struct first_text ft = {BUF_INIT, 0};
	struct wire_sink sink = {on_text, NULL, &ft};
	struct http_transfer *t = http_start_stream(eng, p, &req, key, &sink, transfer_done,
						    NULL, &e);
	int status = 0;
	if (!t) {
		app_redact(&e, key);
		step("chat", "FAIL", "%s", e.msg);
		status = e.code ? e.code : EXIT_FAIL;
	} else if (run_transfer(eng, t)) {
		status = EXIT_INTERRUPTED;
	} else if (http_outcome(t) != HTTP_OK) {
		e = *http_error(t);
		app_redact(&e, key);
		step("chat", "FAIL", "%s", e.msg);
		status = e.code ? e.code : EXIT_NETWORK;
	} else if (ft.text.len) {
		step("chat", "ok", "%s answered \"%s%s\" in %.1f s", model, ft.text.data,
		     ft.text.len >= FIRST_TEXT_MAX ? "..." : "", http_elapsed(t));
	} else {
		/* one token may all go to thinking: the request still worked */
		step("chat", "ok", "%s answered (no text within one token) in %.1f s", model,
		     http_elapsed(t));
	}
	if (t)
		http_transfer_free(t);
	buf_free(&ft.text);
	wire_http_free(&req);
	return status;
}

/* MODEL as given (a "NAME/" prefix dropped), else the provider's first configured or
 * default model, else the first one its list holds; NULL when there is none. */
static const char *pick_model(const struct provider *p, const char *arg, json_t *models,
			      const char **why)
{
	size_t n = strlen(p->name);
	if (arg) {
		*why = "";
		return !strncmp(arg, p->name, n) && arg[n] == '/' ? arg + n + 1 : arg;
	}
	if (p->nmodels) {
		*why = " (the first configured)";
		return p->models[0];
	}
	if (p->ndefault_models) {
		*why = " (the preset's first)";
		return p->default_models[0];
	}
	*why = " (the first listed)";
	return json_array_size(models) ? json_string_value(json_array_get(models, 0)) : NULL;
}

static int test_steps(struct app *app, struct provider *p, const char *model_arg)
{
	struct target t;
	if (target_parse(p->base_url, &t) < 0) {
		char shown[512];
		step("URL", "FAIL", "base URL %s is not a URL: fix base_url in config.json",
		     http_url_shown(p->base_url, shown, sizeof shown));
		target_free(&t);
		return EXIT_FAIL;
	}
	int status = test_dns(&t, p->base_url);
	if (!status)
		status = test_connect(app, &t, p->base_url);
	target_free(&t);
	if (status)
		return status;

	struct err e;
	err_clear(&e);
	struct secret *key = NULL;
	const char *source = NULL;
	int kr = keyring_get(app->keyring, p, &key, &source, &e);
	if (kr < 0 || (kr > 0 && !p->key_optional)) {
		step("auth", "FAIL", "%s", e.msg);
		return e.code ? e.code : EXIT_KEY;
	}
	struct http_opts hopts = app_http_opts(app);
	hopts.max_retries = 0; /* one request per step: a test shows what happened */
	struct http_engine *eng = http_engine_new(&hopts, &e);
	json_t *models = json_array();
	if (!eng || !models) {
		if (!e.code)
			err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto out;
	}
	status = test_auth(eng, p, key, source, models);
	if (status)
		goto out;
	const char *why;
	const char *model = pick_model(p, model_arg, models, &why);
	if (!model) {
		step("model", "skip", "no model to try: name one (cherry providers test %s MODEL)",
		     p->name);
		goto out;
	}
	if (listed(models, model))
		step("model", "ok", "%s%s is in the list", model, why);
	else if (json_array_size(models))
		step("model", "warn", "%s%s is not in the list of %zu; trying it anyway", model,
		     why, json_array_size(models));
	else
		step("model", "skip", "%s%s: no list to look it up in", model, why);
	status = test_chat(eng, p, model, key);
out:
	json_decref(models);
	http_engine_free(eng);
	secret_free(key);
	return status;
}

static int providers_test(struct app *app, int argc, char **argv)
{
	if (argc < 2 || argc > 3 || argv[1][0] == '-' || (argc == 3 && argv[2][0] == '-'))
		return app_usage("usage: cherry providers test NAME [MODEL]");
	struct provider *p = providers_find(&app->cfg.providers, argv[1]);
	if (!p)
		return app_usage("providers test: unknown provider \"%s\" (cherry providers "
				 "lists them)", argv[1]);
	if (!p->base_url || !*p->base_url) {
		struct err e;
		err_set(&e, EXIT_FAIL, "provider %s has no base_url: set one for it in config.json",
			p->name);
		return app_fail(&e);
	}
	int status = test_steps(app, p, argc == 3 ? argv[2] : NULL);
	if (status == EXIT_INTERRUPTED) {
		struct err e;
		err_set(&e, EXIT_INTERRUPTED, "interrupted");
		return app_fail(&e);
	}
	return status;
}
