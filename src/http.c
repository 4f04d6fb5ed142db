/* http: libcurl transfers for provider requests. One multi handle; every
 * transfer is non-blocking; retries, stalls and caps are decided here, while
 * bytes are turned into deltas by sse/ndjson and the wire decoders. */
#include "cherry/http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "cherry/ndjson.h"
#include "cherry/retry.h"
#include "cherry/sse.h"

#define ERROR_BODY_MAX (64u << 10) /* we read this much of an error body */

enum transfer_mode { MODE_STREAM, MODE_GET };

enum transfer_state {
	STATE_ACTIVE,  /* in the multi handle */
	STATE_WAITING, /* between attempts, until retry_at */
	STATE_DONE,
};

struct http_transfer {
	struct http_engine *eng;
	struct http_transfer *next;
	enum transfer_mode mode;
	enum transfer_state state;
	enum http_outcome outcome;
	CURL *easy;
	struct curl_slist *headers;
	const struct provider *prov;
	const struct wire_http *req;
	struct wire_sink user_sink;
	http_done_fn done;
	void *ctx;
	char errbuf[CURL_ERROR_SIZE];

	/* per attempt */
	int attempt;              /* 1-based */
	long status;
	int status_seen;
	struct buf error_body;    /* a non-2xx body, capped */
	double hdr_retry_after;   /* seconds from retry-after(-ms); -1 none */
	char location[256];
	size_t received;
	int aborted_size;         /* the size cap was hit */
	enum retry_stall stalled;
	struct sse_parser sse;
	struct ndjson_splitter nd;
	struct wire_stream ws;
	double t_attempt;
	double t_last_byte;
	double t_last_line;       /* the last progress: a line end, or a long line growing */
	struct retry_progress progress;
	double t_first_delta;     /* -1 until the first delta */

	/* across attempts */
	int delivered;            /* a delta reached the caller: no more retries */
	int paused;               /* the slice was used up: bytes wait in libcurl */
	double retry_at;
	double t_start;
	double t_end;
	struct buf body;          /* GET: collected body */
	struct err err;
};

struct http_engine {
	CURLM *multi;
	struct http_opts opts;
	struct http_transfer *transfers;
	size_t slice;      /* stream bytes delivered per http_perform; 0: no limit */
	size_t slice_used;
};

double http_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct http_engine *http_engine_new(const struct http_opts *opts, struct err *e)
{
	struct http_engine *eng = calloc(1, sizeof *eng);
	if (!eng) {
		err_set(e, EXIT_FAIL, "out of memory");
		return NULL;
	}
	eng->opts = *opts;
	if (eng->opts.connect_timeout <= 0)
		eng->opts.connect_timeout = 15;
	if (eng->opts.stall_timeout <= 0)
		eng->opts.stall_timeout = 120;
	if (eng->opts.max_retries < 0)
		eng->opts.max_retries = 0;
	eng->multi = curl_multi_init();
	if (!eng->multi) {
		free(eng);
		err_set(e, EXIT_FAIL, "cannot start libcurl");
		return NULL;
	}
	return eng;
}

void http_engine_free(struct http_engine *eng)
{
	if (!eng)
		return;
	while (eng->transfers) {
		struct http_transfer *t = eng->transfers;
		http_cancel(eng, t);
		http_transfer_free(t);
	}
	curl_multi_cleanup(eng->multi);
	free(eng);
}

/* ---- URL policy ---- */

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

/* ---- callbacks: bytes in ---- */

static void sink_text(void *ctx, const char *s, size_t len)
{
	struct http_transfer *t = ctx;
	if (t->t_first_delta < 0)
		t->t_first_delta = http_now();
	t->delivered = 1;
	if (t->user_sink.text)
		t->user_sink.text(t->user_sink.ctx, s, len);
}

static void sink_reasoning(void *ctx, const char *s, size_t len)
{
	struct http_transfer *t = ctx;
	if (t->t_first_delta < 0)
		t->t_first_delta = http_now();
	t->delivered = 1;
	if (t->user_sink.reasoning)
		t->user_sink.reasoning(t->user_sink.ctx, s, len);
}

static void decode_event(struct http_transfer *t, const char *type, const char *data, size_t len)
{
	struct wire_sink sink = {sink_text, sink_reasoning, t};
	wire_stream_event(&t->ws, type, data, len, &sink);
}

static int on_sse_event(void *ctx, const struct sse_event *ev)
{
	struct http_transfer *t = ctx;
	decode_event(t, ev->type, ev->data, ev->data_len);
	return t->ws.failed; /* an error event ends the stream */
}

static int on_ndjson_line(void *ctx, const char *line, size_t len)
{
	struct http_transfer *t = ctx;
	decode_event(t, NULL, line, len);
	return t->ws.failed;
}

static int status_ok(long status)
{
	return status >= 200 && status < 300;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	struct http_transfer *t = ctx;
	size_t n = size * nmemb;
	t->t_last_byte = http_now();
	if (retry_progress_feed(&t->progress, ptr, n))
		t->t_last_line = t->t_last_byte;
	if (!t->status_seen) {
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
		t->status_seen = 1;
	}
	if (t->mode == MODE_STREAM && t->eng->slice && t->eng->slice_used >= t->eng->slice &&
	    status_ok(t->status)) {
		/* Enough for this turn of the loop: libcurl keeps these bytes until the next
		 * http_perform, so keys and redraws are never queued behind a burst. */
		t->paused = 1;
		return CURL_WRITEFUNC_PAUSE;
	}
	t->eng->slice_used += n;
	t->received += n;
	if (t->received > HTTP_MAX_RESPONSE) {
		t->aborted_size = 1;
		return 0;
	}
	if (!status_ok(t->status)) {
		size_t room = ERROR_BODY_MAX - t->error_body.len;
		if (room && buf_append(&t->error_body, ptr, n < room ? n : room) < 0)
			return 0;
		return n;
	}
	if (t->mode == MODE_GET)
		return buf_append(&t->body, ptr, n) < 0 ? 0 : n;
	int r = t->req->framing == WIRE_NDJSON ? ndjson_feed(&t->nd, ptr, n)
					       : sse_feed(&t->sse, ptr, n);
	return r == 0 ? n : 0; /* nonzero: an error event (or OOM) stops the transfer */
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	struct http_transfer *t = ctx;
	size_t n = size * nmemb;
	t->t_last_byte = t->t_last_line = http_now(); /* libcurl hands over whole header lines */
	/* A new status line starts a new header block (after 100 Continue). */
	if (n > 5 && !strncmp(ptr, "HTTP/", 5)) {
		t->hdr_retry_after = -1;
		t->location[0] = '\0';
		return n;
	}
	const char *colon = memchr(ptr, ':', n);
	if (!colon)
		return n;
	size_t name_len = (size_t)(colon - ptr);
	char value[256];
	size_t vlen = n - name_len - 1;
	if (vlen >= sizeof value)
		vlen = sizeof value - 1;
	memcpy(value, colon + 1, vlen);
	value[vlen] = '\0';
	while (vlen && (value[vlen - 1] == '\r' || value[vlen - 1] == '\n' || value[vlen - 1] == ' '))
		value[--vlen] = '\0';
	const char *v = value;
	while (*v == ' ')
		v++;
	if (name_len == 14 && !strncasecmp(ptr, "retry-after-ms", 14)) {
		double secs = retry_after_ms_parse(v);
		if (secs >= 0)
			t->hdr_retry_after = secs;
	} else if (name_len == 11 && !strncasecmp(ptr, "retry-after", 11)) {
		/* an HTTP-date is counted from the wall clock, the one the server used */
		if (t->hdr_retry_after < 0)
			t->hdr_retry_after = retry_after_parse(v, (double)time(NULL));
	} else if (name_len == 8 && !strncasecmp(ptr, "location", 8)) {
		snprintf(t->location, sizeof t->location, "%s", v);
	}
	return n;
}

/* ---- transfer set-up ---- */

static int add_header(struct curl_slist **list, const char *h)
{
	struct curl_slist *l = curl_slist_append(*list, h);
	if (!l)
		return -1;
	*list = l;
	return 0;
}

/* Zeroes header strings before freeing them: one of them carried the key. */
static void wipe_headers(struct curl_slist *list)
{
	for (struct curl_slist *l = list; l; l = l->next)
		sodium_memzero(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

static int build_headers(struct http_transfer *t, const struct secret *key, struct err *e)
{
	const struct wire_http *rq = t->req;
	for (size_t i = 0; i < rq->nheaders; i++)
		if (add_header(&t->headers, rq->headers[i]) < 0)
			goto oom;
	for (size_t i = 0; i < t->prov->nheaders; i++) {
		struct buf h = BUF_INIT;
		int r = buf_printf(&h, "%s: %s", t->prov->headers[i].name, t->prov->headers[i].value);
		if (r == 0)
			r = add_header(&t->headers, h.data);
		buf_free(&h);
		if (r < 0)
			goto oom;
	}
	/* No "Expect: 100-continue" round trip for larger bodies. */
	if (add_header(&t->headers, "Expect:") < 0)
		goto oom;
	if (key && rq->auth_prefix) {
		/* Built in guarded memory, copied by libcurl, wiped by wipe_headers. */
		size_t plen = strlen(rq->auth_prefix);
		char *h = sodium_malloc(plen + key->len + 1);
		if (!h)
			goto oom;
		memcpy(h, rq->auth_prefix, plen);
		memcpy(h + plen, key->s, key->len);
		h[plen + key->len] = '\0';
		int r = add_header(&t->headers, h);
		sodium_free(h);
		if (r < 0)
			goto oom;
	}
	return 0;
oom:
	err_set(e, EXIT_FAIL, "out of memory");
	return -1;
}

static int setup_easy(struct http_transfer *t, const struct secret *key, struct err *e)
{
	struct http_engine *eng = t->eng;
	int loopback;
	if (!http_url_allowed(t->req->url.data, &loopback)) {
		if (!strncmp(t->req->url.data, "http://", 7))
			err_set(e, EXIT_FAIL,
				"%s: refusing plain http to a host that is not this machine (%s); "
				"use https in its base_url",
				t->prov->name, t->req->url.data);
		else
			err_set(e, EXIT_FAIL, "%s: base URL is not a valid https URL: %s",
				t->prov->name, t->req->url.data);
		return -1;
	}
	t->easy = curl_easy_init();
	if (!t->easy || build_headers(t, key, e) < 0) {
		if (!e->code)
			err_set(e, EXIT_FAIL, "cannot start libcurl");
		return -1;
	}
	CURL *c = t->easy;
	curl_easy_setopt(c, CURLOPT_URL, t->req->url.data);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, loopback ? "https,http" : "https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	/* A proxy from the environment is for leaving this machine: plain http to loopback
	 * would hand it the key and the prompt in the clear. */
	if (loopback)
		curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (eng->opts.ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, eng->opts.ca_file);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(eng->opts.connect_timeout * 1000));
	if (t->mode == MODE_GET)
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)((eng->opts.connect_timeout + 30) * 1000));
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPIDLE, 60L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPINTVL, 30L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "cherry/" CHERRY_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(c, CURLOPT_PRIVATE, t);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	if (t->mode == MODE_STREAM) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, t->req->body.data);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->req->body.len);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	return 0;
}

static void reset_attempt(struct http_transfer *t)
{
	t->status = 0;
	t->status_seen = 0;
	buf_reset(&t->error_body);
	t->hdr_retry_after = -1;
	t->location[0] = '\0';
	t->received = 0;
	t->aborted_size = 0;
	t->stalled = RETRY_FLOWING;
	t->progress.pending = 0;
	t->paused = 0;
	t->errbuf[0] = '\0';
	sse_free(&t->sse);
	ndjson_free(&t->nd);
	wire_stream_free(&t->ws);
	sse_init(&t->sse, on_sse_event, t);
	ndjson_init(&t->nd, on_ndjson_line, t);
	wire_stream_init(&t->ws, t->prov->kind, t->prov->name);
	buf_reset(&t->body);
	t->t_attempt = t->t_last_byte = t->t_last_line = http_now();
	t->t_first_delta = -1;
}

static int start_attempt(struct http_transfer *t)
{
	t->attempt++;
	reset_attempt(t);
	if (curl_multi_add_handle(t->eng->multi, t->easy) != CURLM_OK)
		return -1;
	t->state = STATE_ACTIVE;
	return 0;
}

static struct http_transfer *start(struct http_engine *eng, enum transfer_mode mode,
				   const struct provider *p, const struct wire_http *req,
				   const struct secret *key, const struct wire_sink *sink,
				   http_done_fn done, void *ctx, struct err *e)
{
	struct http_transfer *t = calloc(1, sizeof *t);
	if (!t) {
		err_set(e, EXIT_FAIL, "out of memory");
		return NULL;
	}
	t->eng = eng;
	t->mode = mode;
	t->prov = p;
	t->req = req;
	if (sink)
		t->user_sink = *sink;
	t->done = done;
	t->ctx = ctx;
	t->outcome = HTTP_RUNNING;
	t->t_start = http_now();
	sse_init(&t->sse, on_sse_event, t);
	ndjson_init(&t->nd, on_ndjson_line, t);
	wire_stream_init(&t->ws, p->kind, p->name);
	if (setup_easy(t, key, e) < 0 || start_attempt(t) < 0) {
		if (!e->code)
			err_set(e, EXIT_FAIL, "cannot start the request");
		t->state = STATE_DONE;
		http_transfer_free(t);
		return NULL;
	}
	t->next = eng->transfers;
	eng->transfers = t;
	return t;
}

struct http_transfer *http_start_stream(struct http_engine *eng, const struct provider *p,
					const struct wire_http *req, const struct secret *key,
					const struct wire_sink *sink, http_done_fn done, void *ctx,
					struct err *e)
{
	return start(eng, MODE_STREAM, p, req, key, sink, done, ctx, e);
}

struct http_transfer *http_start_get(struct http_engine *eng, const struct provider *p,
				     const struct wire_http *req, const struct secret *key,
				     http_done_fn done, void *ctx, struct err *e)
{
	return start(eng, MODE_GET, p, req, key, NULL, done, ctx, e);
}

/* ---- completion ---- */

static void finish(struct http_transfer *t, enum http_outcome outcome)
{
	if (t->state == STATE_ACTIVE)
		curl_multi_remove_handle(t->eng->multi, t->easy);
	t->state = STATE_DONE;
	t->outcome = outcome;
	t->t_end = http_now();
	/* The key is in a header string: do not keep it longer than the transfer. */
	if (t->easy)
		curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, NULL);
	wipe_headers(t->headers);
	t->headers = NULL;
	if (t->done)
		t->done(t->ctx, t);
}

/* Whether this failed attempt is sent again; when it is, it waits until retry_at. */
static enum retry_verdict schedule_retry(struct http_transfer *t, int retryable, double hint)
{
	double delay;
	enum retry_verdict v = retry_decide(t->attempt, t->eng->opts.max_retries, retryable,
					    t->delivered, hint,
					    (double)randombytes_uniform(1000) / 1000.0, &delay);
	if (v != RETRY_AGAIN)
		return v;
	curl_multi_remove_handle(t->eng->multi, t->easy);
	t->state = STATE_WAITING;
	t->retry_at = http_now() + delay;
	return v;
}

static void on_http_error(struct http_transfer *t)
{
	const char *name = t->prov->name;
	if (t->status >= 300 && t->status < 400) {
		const char *where = t->location[0] ? t->location : "elsewhere";
		err_set(&t->err, EXIT_NETWORK,
			"%s: %ld redirect to %s not followed; check its base_url", name, t->status,
			where);
		finish(t, HTTP_FAILED);
		return;
	}
	struct wire_error we;
	wire_error_from_response(t->prov->kind, name, t->status, t->error_body.data,
				 t->error_body.len, &we);
	double hint = t->hdr_retry_after >= 0 ? t->hdr_retry_after : we.retry_after;
	enum retry_verdict v = schedule_retry(t, we.retryable, hint);
	if (v == RETRY_AGAIN)
		return;
	int code = we.key_rejected ? EXIT_KEY : EXIT_NETWORK;
	if (v == RETRY_HINT_TOO_LONG)
		err_set(&t->err, code, "%s (the provider asks to wait %.0f s; try later)", we.line,
			hint);
	else if (we.retryable && t->attempt > 1)
		err_set(&t->err, code, "%s (after %d attempts)", we.line, t->attempt);
	else if (we.key_rejected)
		err_set(&t->err, code, "%s (check the key for %s)", we.line, name);
	else
		err_set(&t->err, code, "%s", we.line);
	finish(t, HTTP_FAILED);
}

static void on_transport_error(struct http_transfer *t, CURLcode rc)
{
	const char *name = t->prov->name;
	const char *why = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);
	enum retry_transport how = t->stalled != RETRY_FLOWING ? RETRY_NET_STALLED
				   : t->aborted_size ? RETRY_NET_TOO_LARGE
				   : !t->status_seen ? RETRY_NET_NO_RESPONSE
						     : RETRY_NET_MID_STREAM;
	if (schedule_retry(t, retry_transport_retryable(how), -1) == RETRY_AGAIN)
		return;
	switch (how) {
	case RETRY_NET_STALLED:
		err_set(&t->err, EXIT_NETWORK, "%s: stalled: %s for %.0f s%s", name,
			t->stalled == RETRY_STALL_NO_LINE ? "no complete line" : "no data",
			t->eng->opts.stall_timeout,
			t->delivered ? "; the answer is incomplete" : "");
		break;
	case RETRY_NET_TOO_LARGE:
		err_set(&t->err, EXIT_NETWORK, "%s: response larger than %u MiB; stopped", name,
			HTTP_MAX_RESPONSE >> 20);
		break;
	case RETRY_NET_NO_RESPONSE:
		err_set(&t->err, EXIT_NETWORK, "%s: cannot reach %s: %s%s", name, t->req->url.data,
			why, t->attempt > 1 ? " (after retries)" : "");
		break;
	case RETRY_NET_MID_STREAM:
		err_set(&t->err, EXIT_NETWORK, "%s: connection lost mid-stream (%s)%s", name, why,
			t->delivered ? "; the answer is incomplete" : "");
		break;
	}
	finish(t, HTTP_FAILED);
}

static void on_complete(struct http_transfer *t, CURLcode rc)
{
	if (!t->status_seen)
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
	if (t->status)
		t->status_seen = 1;
	if (t->status_seen && !status_ok(t->status) && !t->aborted_size) {
		on_http_error(t);
		return;
	}
	if (t->mode == MODE_STREAM && t->ws.failed) {
		err_set(&t->err, EXIT_NETWORK, "%s%s", t->ws.error.data,
			t->delivered ? "; the answer is incomplete" : "");
		finish(t, HTTP_FAILED);
		return;
	}
	if (rc != CURLE_OK) {
		on_transport_error(t, rc);
		return;
	}
	if (t->mode == MODE_GET) {
		finish(t, HTTP_OK);
		return;
	}
	if (t->req->framing == WIRE_NDJSON)
		ndjson_finish(&t->nd);
	else
		sse_finish(&t->sse);
	if (t->ws.failed) {
		err_set(&t->err, EXIT_NETWORK, "%s", t->ws.error.data);
		finish(t, HTTP_FAILED);
		return;
	}
	/* A finish reason counts as a proper end even without the kind's marker. */
	if (!t->ws.done && t->ws.finish == WIRE_FINISH_NONE) {
		if (!t->delivered && t->received == 0)
			err_set(&t->err, EXIT_NETWORK, "%s: empty response", t->prov->name);
		else if (!t->delivered)
			err_set(&t->err, EXIT_NETWORK,
				"%s: the response was not a stream this kind of provider sends "
				"(check its kind and base_url)",
				t->prov->name);
		else
			err_set(&t->err, EXIT_NETWORK,
				"%s: the stream ended before the answer was complete", t->prov->name);
		finish(t, HTTP_FAILED);
		return;
	}
	finish(t, HTTP_OK);
}

void http_cancel(struct http_engine *eng, struct http_transfer *t)
{
	(void)eng;
	if (t->state == STATE_DONE)
		return;
	err_set(&t->err, EXIT_INTERRUPTED, "%s: stopped", t->prov->name);
	finish(t, HTTP_CANCELLED);
}

void http_transfer_free(struct http_transfer *t)
{
	if (!t)
		return;
	struct http_engine *eng = t->eng;
	for (struct http_transfer **pp = &eng->transfers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	if (t->state == STATE_ACTIVE)
		curl_multi_remove_handle(eng->multi, t->easy);
	if (t->easy)
		curl_easy_cleanup(t->easy);
	wipe_headers(t->headers);
	sse_free(&t->sse);
	ndjson_free(&t->nd);
	wire_stream_free(&t->ws);
	buf_free(&t->error_body);
	buf_free(&t->body);
	free(t);
}

/* ---- the engine's part of the loop ---- */

long http_timeout_ms(struct http_engine *eng)
{
	long curl_ms = -1;
	curl_multi_timeout(eng->multi, &curl_ms);
	for (struct http_transfer *t = eng->transfers; t; t = t->next)
		if (t->paused && t->state == STATE_ACTIVE)
			return 0; /* bytes are waiting for the next http_perform */
	double now = http_now();
	double nearest = -1;
	for (struct http_transfer *t = eng->transfers; t; t = t->next) {
		double at = -1;
		if (t->state == STATE_WAITING)
			at = t->retry_at;
		else if (t->state == STATE_ACTIVE && t->mode == MODE_STREAM)
			at = retry_stall_at(t->t_last_byte, t->t_last_line, eng->opts.stall_timeout);
		if (at >= 0 && (nearest < 0 || at < nearest))
			nearest = at;
	}
	if (nearest < 0)
		return curl_ms;
	long ms = nearest <= now ? 0 : (long)ceil((nearest - now) * 1000);
	return curl_ms < 0 || ms < curl_ms ? ms : curl_ms;
}

int http_wait(struct http_engine *eng, struct curl_waitfd *extra, unsigned nextra, int timeout_ms)
{
	int numfds = 0;
	if (curl_multi_poll(eng->multi, extra, nextra, timeout_ms, &numfds) != CURLM_OK)
		return -1;
	return numfds;
}

void http_set_slice(struct http_engine *eng, size_t bytes)
{
	eng->slice = bytes;
}

int http_perform(struct http_engine *eng)
{
	int running = 0;
	eng->slice_used = 0;
	for (struct http_transfer *t = eng->transfers; t; t = t->next)
		if (t->paused && t->state == STATE_ACTIVE) {
			t->paused = 0;
			/* may deliver the kept bytes at once, and pause again */
			curl_easy_pause(t->easy, CURLPAUSE_CONT);
		}
	curl_multi_perform(eng->multi, &running);
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(eng->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct http_transfer *t = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		if (t && t->state == STATE_ACTIVE)
			on_complete(t, msg->data.result);
	}
	double now = http_now();
	int live = 0;
	/* Completion callbacks may free other transfers, so restart after each. */
again:
	for (struct http_transfer *t = eng->transfers; t; t = t->next) {
		if (t->state == STATE_WAITING && now >= t->retry_at) {
			if (start_attempt(t) < 0) {
				err_set(&t->err, EXIT_FAIL, "%s: cannot restart the request",
					t->prov->name);
				finish(t, HTTP_FAILED);
				goto again;
			}
		} else if (t->state == STATE_ACTIVE && t->mode == MODE_STREAM) {
			t->stalled = retry_stalled(now, t->t_last_byte, t->t_last_line,
						   eng->opts.stall_timeout);
			if (t->stalled != RETRY_FLOWING) {
				on_transport_error(t, CURLE_OPERATION_TIMEDOUT);
				goto again;
			}
		}
	}
	for (struct http_transfer *t = eng->transfers; t; t = t->next)
		if (t->state != STATE_DONE)
			live++;
	if (live && running == 0) {
		/* A restarted transfer needs one perform to get going. */
		curl_multi_perform(eng->multi, &running);
	}
	return live;
}

/* ---- results ---- */

enum http_outcome http_outcome(const struct http_transfer *t)
{
	return t->outcome;
}

const struct err *http_error(const struct http_transfer *t)
{
	return &t->err;
}

const struct wire_stream *http_stream(const struct http_transfer *t)
{
	return &t->ws;
}

const struct buf *http_body(const struct http_transfer *t)
{
	return &t->body;
}

long http_status(const struct http_transfer *t)
{
	return t->status;
}

int http_attempts(const struct http_transfer *t)
{
	return t->attempt;
}

int http_retry_wait(const struct http_transfer *t, double now, double *left, int *attempt,
		    int *max)
{
	if (t->state != STATE_WAITING)
		return 0;
	*left = t->retry_at > now ? t->retry_at - now : 0;
	*attempt = t->attempt + 1;
	*max = t->eng->opts.max_retries + 1;
	return 1;
}

double http_time_to_first_token(const struct http_transfer *t)
{
	return t->t_first_delta < 0 ? -1 : t->t_first_delta - t->t_attempt;
}

double http_elapsed(const struct http_transfer *t)
{
	double end = t->state == STATE_DONE ? t->t_end : http_now();
	return end - t->t_start;
}

double http_generation_time(const struct http_transfer *t)
{
	if (t->t_first_delta < 0)
		return -1;
	double end = t->state == STATE_DONE ? t->t_end : http_now();
	return end - t->t_first_delta;
}
