/* http_transfer: one libcurl transfer for a provider request: its easy handle and
 * headers (the key wiped after), the bytes in (SSE or NDJSON to the wire decoder, a GET's
 * body, an error body), each attempt's fresh state, and the results read back. The
 * engine (http.c) runs the transfers and decides their ends and retries. */
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "cherry/retry.h"
#include "cherry/tls.h"

#define ERROR_BODY_MAX (64u << 10) /* we read this much of an error body */

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

static int on_evs_message(void *ctx, const struct evs_message *m)
{
	struct http_transfer *t = ctx;
	struct wire_sink sink = {sink_text, sink_reasoning, t};
	wire_stream_message(&t->ws, m, &sink);
	return t->ws.failed;
}

/* The bytes for the framing the request asked for. 0, or nonzero to stop. */
static int feed_stream(struct http_transfer *t, const char *ptr, size_t n)
{
	switch (t->req->framing) {
	case WIRE_NDJSON:
		return ndjson_feed(&t->nd, ptr, n);
	case WIRE_EVENTSTREAM:
		if (evs_feed(&t->evs, ptr, n) < 0 && !t->ws.failed)
			wire_stream_framing_error(&t->ws, t->evs.error ? t->evs.error
								       : "out of memory");
		return t->ws.failed;
	case WIRE_SSE:
		break;
	}
	return sse_feed(&t->sse, ptr, n);
}

int http_status_ok(long status)
{
	return status >= 200 && status < 300;
}

/* The request body for libcurl, a piece at a time (wire_body_read). */
static size_t on_read(char *dst, size_t size, size_t nitems, void *ud)
{
	struct http_transfer *t = ud;
	size_t n = wire_body_read(t->req, t->sent, dst, size * nitems);
	t->sent += n;
	return n;
}

/* libcurl rewinds (a retry on the same handle, a redirect): any offset is as cheap. */
static int on_seek(void *ud, curl_off_t offset, int origin)
{
	struct http_transfer *t = ud;
	if (origin != SEEK_SET || offset < 0 || (size_t)offset > wire_body_size(t->req))
		return CURL_SEEKFUNC_CANTSEEK;
	t->sent = (size_t)offset;
	return CURL_SEEKFUNC_OK;
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
	if (t->mode == HTTP_MODE_STREAM && t->eng->slice && t->eng->slice_used >= t->eng->slice &&
	    http_status_ok(t->status)) {
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
	if (!http_status_ok(t->status)) {
		size_t room = ERROR_BODY_MAX - t->error_body.len;
		if (room && buf_append(&t->error_body, ptr, n < room ? n : room) < 0)
			return 0;
		return n;
	}
	if (t->mode == HTTP_MODE_GET)
		return buf_append(&t->body, ptr, n) < 0 ? 0 : n;
	/* nonzero: an error event (or OOM) stops the transfer */
	return feed_stream(t, ptr, n) == 0 ? n : 0;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	struct http_transfer *t = ctx;
	size_t n = size * nmemb;
	t->t_last_byte = t->t_last_line = http_now(); /* libcurl hands over whole header lines */
	t->header_bytes += n;
	if (t->header_bytes > HTTP_MAX_HEADERS) {
		t->aborted_headers = 1;
		return 0;
	}
	/* A new status line starts a new header block (after 100 Continue). */
	if (n > 5 && !strncmp(ptr, "HTTP/", 5)) {
		t->hdr_retry_after = -1;
		t->location[0] = t->encoding[0] = '\0';
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
	} else if (name_len == 16 && !strncasecmp(ptr, "content-encoding", 16) &&
		   strcasecmp(v, "identity")) {
		/* never asked for, never decoded: kept to name it (a token, or "unknown") */
		size_t k = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
		if (k && !v[k] && k < sizeof t->encoding)
			memcpy(t->encoding, v, k + 1);
		else
			memcpy(t->encoding, "unknown", sizeof "unknown");
	}
	return n;
}

/* ---- transfer set-up ---- */

int http_header_add(struct curl_slist **list, const char *h)
{
	struct curl_slist *l = curl_slist_append(*list, h);
	if (!l)
		return -1;
	*list = l;
	return 0;
}

int http_header_add_secret(struct curl_slist **list, const char *prefix,
			   const struct secret *key)
{
	/* Built in guarded memory, copied by libcurl, wiped by http_wipe_headers. */
	size_t plen = strlen(prefix);
	char *h = sodium_malloc(plen + key->len + 1);
	if (!h)
		return -1;
	memcpy(h, prefix, plen);
	memcpy(h + plen, key->s, key->len);
	h[plen + key->len] = '\0';
	int r = http_header_add(list, h);
	sodium_free(h);
	return r;
}

/* Zeroes header strings before freeing them: one of them carried the key. */
void http_wipe_headers(struct curl_slist *list)
{
	for (struct curl_slist *l = list; l; l = l->next)
		sodium_memzero(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

/* x-amz-security-token: a session token goes beside the signature (and is signed). */
static int aws_token_header(struct http_transfer *t, const char *token, size_t len)
{
	struct secret *tok = secret_new(token, len);
	int r = tok ? http_header_add_secret(&t->headers, "x-amz-security-token: ", tok) : -1;
	secret_free(tok);
	return r;
}

/*
 * SigV4 by libcurl (CURLOPT_AWS_SIGV4) with the pair "ID:SECRET[:TOKEN]": the access key
 * id as the user, the secret as the password, each copied to guarded memory for the
 * call (libcurl keeps its own copies). The session token went into the headers.
 */
int http_sigv4_setup(CURL *c, const char *sigv4, const struct secret *key)
{
	const char *colon = memchr(key->s, ':', key->len);
	if (!colon)
		return -1;
	size_t idlen = (size_t)(colon - key->s);
	const char *secret = colon + 1;
	const char *end = memchr(secret, ':', key->len - idlen - 1);
	size_t slen = end ? (size_t)(end - secret) : key->len - idlen - 1;
	char *id = sodium_malloc(idlen + 1), *pw = sodium_malloc(slen + 1);
	int r = -1;
	if (id && pw) {
		memcpy(id, key->s, idlen);
		id[idlen] = '\0';
		memcpy(pw, secret, slen);
		pw[slen] = '\0';
		int ok = curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4) == CURLE_OK &&
			 curl_easy_setopt(c, CURLOPT_USERNAME, id) == CURLE_OK &&
			 curl_easy_setopt(c, CURLOPT_PASSWORD, pw) == CURLE_OK;
		r = ok ? 0 : -1;
	}
	if (id)
		sodium_free(id);
	if (pw)
		sodium_free(pw);
	return r;
}

/* A bedrock request with an access key pair "ID:SECRET[:TOKEN]" is signed; a key
 * without ':' (a Bedrock API key) goes as a bearer token. */
static int signs_with_pair(const struct wire_http *rq, const struct secret *key)
{
	return key && rq->sigv4[0] && memchr(key->s, ':', key->len);
}

/* The path has a byte AWS's signer escapes: libcurl before 8.9 signs it unescaped. */
static int sigv4_old_curl(const char *url)
{
	if (curl_version_info(CURLVERSION_NOW)->version_num >= 0x080900)
		return 0;
	const char *path = strstr(url, "://");
	path = path ? strchr(path + 3, '/') : NULL;
	for (const char *c = path; c && *c && *c != '?'; c++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/",
			    *c))
			return 1;
	return 0;
}

static int build_headers(struct http_transfer *t, const struct secret *key, struct err *e)
{
	const struct wire_http *rq = t->req;
	for (size_t i = 0; i < rq->nheaders; i++)
		if (http_header_add(&t->headers, rq->headers[i]) < 0)
			goto oom;
	for (size_t i = 0; i < t->prov->nheaders; i++) {
		struct buf h = BUF_INIT;
		int r = buf_printf(&h, "%s: %s", t->prov->headers[i].name, t->prov->headers[i].value);
		if (r == 0)
			r = http_header_add(&t->headers, h.data);
		buf_free(&h);
		if (r < 0)
			goto oom;
	}
	int signed_pair = signs_with_pair(rq, key);
	/* No "Expect: 100-continue" round trip for larger bodies. Not when signing: libcurl
	 * 7.88 signs an empty header as given, though it never sends one. */
	if (!signed_pair && http_header_add(&t->headers, "Expect:") < 0)
		goto oom;
	if (signed_pair) {
		const char *end = key->s + key->len;
		const char *secret = (const char *)memchr(key->s, ':', key->len) + 1;
		const char *token = memchr(secret, ':', (size_t)(end - secret));
		if (token && aws_token_header(t, token + 1, (size_t)(end - token - 1)) < 0)
			goto oom;
	} else if (key && rq->auth_prefix &&
		   http_header_add_secret(&t->headers, rq->auth_prefix, key) < 0) {
		goto oom;
	}
	return 0;
oom:
	err_set(e, EXIT_FAIL, "out of memory");
	return -1;
}

int http_url_check(const char *name, const char *url, const char *key, int *loopback,
		   struct err *e)
{
	if (!http_url_allowed(url, loopback)) {
		char shown[512];
		if (!strncmp(url, "http://", 7))
			err_set(e, EXIT_FAIL,
				"%s: refusing plain http to a host that is not this machine (%s); "
				"use https in its %s",
				name, http_url_shown(url, shown, sizeof shown), key);
		else
			err_set(e, EXIT_FAIL, "%s: %s is not a valid https URL: %s", name,
				key, http_url_shown(url, shown, sizeof shown));
		return -1;
	}
	return 0;
}

int http_easy_rules(CURL *c, const char *name, const char *url, const char *key,
		    const struct http_opts *o, struct err *e)
{
	int loopback;
	if (http_url_check(name, url, key, &loopback, e) < 0)
		return -1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, loopback ? "https,http" : "https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	/* cherry decides the proxy (never one for loopback: plain http would hand it the key
	 * and the prompt in the clear) and libcurl uses exactly that one, so the status line
	 * can name it: "" is none, and NOPROXY "" keeps libcurl from reading NO_PROXY again. */
	const char *proxy = http_proxy_for(url);
	curl_easy_setopt(c, CURLOPT_PROXY, proxy ? proxy : "");
	curl_easy_setopt(c, CURLOPT_NOPROXY, proxy ? "" : "*");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	tls_setup(c, o->ca_file);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(o->connect_timeout * 1000));
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPIDLE, 60L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPINTVL, 30L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "cherry/" CHERRY_VERSION);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	return 0;
}

static int setup_easy(struct http_transfer *t, const struct secret *key, struct err *e)
{
	struct http_engine *eng = t->eng;
	t->easy = curl_easy_init();
	if (!t->easy) {
		err_set(e, EXIT_FAIL, "cannot start libcurl");
		return -1;
	}
	if (http_easy_rules(t->easy, t->prov->name, t->req->url.data, "base_url", &eng->opts, e) < 0)
		return -1;
	if (build_headers(t, key, e) < 0) {
		if (!e->code)
			err_set(e, EXIT_FAIL, "cannot start libcurl");
		return -1;
	}
	CURL *c = t->easy;
	if (t->mode == HTTP_MODE_GET)
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)((eng->opts.connect_timeout + 30) * 1000));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(c, CURLOPT_PRIVATE, t);
	if (signs_with_pair(t->req, key)) {
		if (http_sigv4_setup(c, t->req->sigv4, key) < 0) {
			err_set(e, EXIT_FAIL, "%s: libcurl cannot sign the request (AWS SigV4)",
				t->prov->name);
			return -1;
		}
		t->sigv4_old_curl = sigv4_old_curl(t->req->url.data);
	}
	if (t->mode == HTTP_MODE_STREAM) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		if (t->req->nsplices) {
			/* Attachments: their base64 is made as libcurl reads, never held whole. */
			curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(c, CURLOPT_READDATA, t);
			curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
			curl_easy_setopt(c, CURLOPT_SEEKDATA, t);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
					 (curl_off_t)wire_body_size(t->req));
		} else {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, t->req->body.data);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->req->body.len);
		}
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
	t->location[0] = t->encoding[0] = '\0';
	t->received = 0;
	t->header_bytes = 0;
	t->aborted_size = 0;
	t->aborted_headers = 0;
	t->stalled = RETRY_FLOWING;
	t->progress.pending = 0;
	t->paused = 0;
	t->errbuf[0] = '\0';
	sse_free(&t->sse);
	ndjson_free(&t->nd);
	evs_free(&t->evs);
	wire_stream_free(&t->ws);
	sse_init(&t->sse, on_sse_event, t);
	ndjson_init(&t->nd, on_ndjson_line, t);
	evs_init(&t->evs, on_evs_message, t);
	wire_stream_init(&t->ws, t->prov->kind, t->prov->name);
	buf_reset(&t->body);
	t->t_attempt = t->t_last_byte = t->t_last_line = http_now();
	t->t_first_delta = -1;
	t->sent = 0;
}

int http_start_attempt(struct http_transfer *t)
{
	t->attempt++;
	reset_attempt(t);
	if (curl_multi_add_handle(t->eng->multi, t->easy) != CURLM_OK)
		return -1;
	t->state = HTTP_STATE_ACTIVE;
	return 0;
}

static struct http_transfer *start(struct http_engine *eng, enum http_mode mode,
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
	evs_init(&t->evs, on_evs_message, t);
	wire_stream_init(&t->ws, p->kind, p->name);
	if (setup_easy(t, key, e) < 0 || http_start_attempt(t) < 0) {
		if (!e->code)
			err_set(e, EXIT_FAIL, "cannot start the request");
		t->state = HTTP_STATE_DONE;
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
	return start(eng, HTTP_MODE_STREAM, p, req, key, sink, done, ctx, e);
}

struct http_transfer *http_start_get(struct http_engine *eng, const struct provider *p,
				     const struct wire_http *req, const struct secret *key,
				     http_done_fn done, void *ctx, struct err *e)
{
	return start(eng, HTTP_MODE_GET, p, req, key, NULL, done, ctx, e);
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
	if (t->state == HTTP_STATE_ACTIVE)
		curl_multi_remove_handle(eng->multi, t->easy);
	if (t->easy)
		curl_easy_cleanup(t->easy);
	http_wipe_headers(t->headers);
	sse_free(&t->sse);
	ndjson_free(&t->nd);
	evs_free(&t->evs);
	wire_stream_free(&t->ws);
	buf_free(&t->error_body);
	buf_free(&t->body);
	free(t);
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
	if (t->state != HTTP_STATE_WAITING)
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
	double end = t->state == HTTP_STATE_DONE ? t->t_end : http_now();
	return end - t->t_start;
}

double http_generation_time(const struct http_transfer *t)
{
	if (t->t_first_delta < 0)
		return -1;
	double end = t->state == HTTP_STATE_DONE ? t->t_end : http_now();
	return end - t->t_first_delta;
}
