/* http: the engine for provider requests' libcurl transfers. One multi handle; every
 * transfer is non-blocking; how each ends, its retries and stalls are decided here, and
 * the loop waits here (http_timeout_ms, http_wait, http_perform). One transfer's set-up,
 * bytes and results are http_transfer.c's. */
#include "http_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cherry/ndjson.h"
#include "cherry/retry.h"
#include "cherry/sse.h"
#include "cherry/tls.h"

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

/* ---- completion ---- */

static void finish(struct http_transfer *t, enum http_outcome outcome)
{
	if (t->state == HTTP_STATE_ACTIVE)
		curl_multi_remove_handle(t->eng->multi, t->easy);
	t->state = HTTP_STATE_DONE;
	t->outcome = outcome;
	t->t_end = http_now();
	/* The key is in a header string: do not keep it longer than the transfer. */
	if (t->easy)
		curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, NULL);
	http_wipe_headers(t->headers);
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
	t->state = HTTP_STATE_WAITING;
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
	else if (we.key_rejected && t->sigv4_old_curl)
		err_set(&t->err, code, "%s (libcurl %s signs paths with ':' differently from AWS "
			"before 8.9: use a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK, or a newer "
			"libcurl)", we.line, curl_version_info(CURLVERSION_NOW)->version);
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
	/* libcurl refuses a single header line over 100 KB itself, as "out of memory" with
	 * no message: that is the case when headers had begun and no body byte came */
	int big_headers = t->aborted_headers ||
			  (rc == CURLE_OUT_OF_MEMORY && t->header_bytes && !t->received);
	enum retry_transport how = t->stalled != RETRY_FLOWING ? RETRY_NET_STALLED
				   : tls_refused(rc) ? RETRY_NET_TLS_REFUSED
				   : t->aborted_size || big_headers ? RETRY_NET_TOO_LARGE
				   : !t->status_seen ? RETRY_NET_NO_RESPONSE
						     : RETRY_NET_MID_STREAM;
	if (schedule_retry(t, retry_transport_retryable(how), -1) == RETRY_AGAIN)
		return;
	char shown[512];
	switch (how) {
	case RETRY_NET_STALLED:
		err_set(&t->err, EXIT_NETWORK, "%s: stalled: %s for %.0f s%s", name,
			t->stalled == RETRY_STALL_NO_LINE ? "no complete line" : "no data",
			t->eng->opts.stall_timeout,
			t->delivered ? "; the answer is incomplete" : "");
		break;
	case RETRY_NET_TLS_REFUSED:
		if (rc == CURLE_SSL_CACERT_BADFILE)
			err_set(&t->err, EXIT_NETWORK,
				"%s: cannot load network.ca_file %s; check that it is a readable PEM file", name,
				t->eng->opts.ca_file ? t->eng->opts.ca_file : "");
		else
			err_set(&t->err, EXIT_NETWORK,
				"%s: refused the TLS certificate of %s: %s (not retried; check the "
				"system's CA store, network.ca_file or a proxy that intercepts TLS)",
				name, http_url_shown(t->req->url.data, shown, sizeof shown), why);
		break;
	case RETRY_NET_TOO_LARGE:
		if (big_headers)
			err_set(&t->err, EXIT_NETWORK,
				"%s: response headers larger than %u KiB; stopped", name,
				HTTP_MAX_HEADERS >> 10);
		else
			err_set(&t->err, EXIT_NETWORK, "%s: response larger than %u MiB; stopped",
				name, HTTP_MAX_RESPONSE >> 20);
		break;
	case RETRY_NET_NO_RESPONSE:
		err_set(&t->err, EXIT_NETWORK, "%s: cannot reach %s: %s%s", name,
			http_url_shown(t->req->url.data, shown, sizeof shown), why,
			t->attempt > 1 ? " (after retries)" : "");
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
	if (t->status_seen && !http_status_ok(t->status) && !t->aborted_size) {
		on_http_error(t);
		return;
	}
	if (t->mode == HTTP_MODE_STREAM && t->ws.failed) {
		err_set(&t->err, EXIT_NETWORK, "%s%s", t->ws.error.data,
			t->delivered ? "; the answer is incomplete" : "");
		finish(t, HTTP_FAILED);
		return;
	}
	if (rc != CURLE_OK) {
		on_transport_error(t, rc);
		return;
	}
	if (t->mode == HTTP_MODE_GET) {
		finish(t, HTTP_OK);
		return;
	}
	if (t->req->framing == WIRE_NDJSON)
		ndjson_finish(&t->nd);
	else if (t->req->framing == WIRE_SSE)
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
		else if (!t->delivered && t->encoding[0])
			err_set(&t->err, EXIT_NETWORK,
				"%s: the response was compressed (Content-Encoding: %s), which "
				"cherry never asks for nor decodes; check base_url and any proxy "
				"in between",
				t->prov->name, t->encoding);
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
	if (t->state == HTTP_STATE_DONE)
		return;
	err_set(&t->err, EXIT_INTERRUPTED, "%s: stopped", t->prov->name);
	finish(t, HTTP_CANCELLED);
}

/* ---- the engine's part of the loop ---- */

long http_timeout_ms(struct http_engine *eng)
{
	long curl_ms = -1;
	curl_multi_timeout(eng->multi, &curl_ms);
	for (struct http_transfer *t = eng->transfers; t; t = t->next)
		if (t->paused && t->state == HTTP_STATE_ACTIVE)
			return 0; /* bytes are waiting for the next http_perform */
	double now = http_now();
	double nearest = -1;
	for (struct http_transfer *t = eng->transfers; t; t = t->next) {
		double at = -1;
		if (t->state == HTTP_STATE_WAITING)
			at = t->retry_at;
		else if (t->state == HTTP_STATE_ACTIVE && t->mode == HTTP_MODE_STREAM)
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
		if (t->paused && t->state == HTTP_STATE_ACTIVE) {
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
		if (t && t->state == HTTP_STATE_ACTIVE)
			on_complete(t, msg->data.result);
	}
	double now = http_now();
	int live = 0;
	/* Completion callbacks may free other transfers, so restart after each. */
again:
	for (struct http_transfer *t = eng->transfers; t; t = t->next) {
		if (t->state == HTTP_STATE_WAITING && now >= t->retry_at) {
			if (http_start_attempt(t) < 0) {
				err_set(&t->err, EXIT_FAIL, "%s: cannot restart the request",
					t->prov->name);
				finish(t, HTTP_FAILED);
				goto again;
			}
		} else if (t->state == HTTP_STATE_ACTIVE && t->mode == HTTP_MODE_STREAM) {
			t->stalled = retry_stalled(now, t->t_last_byte, t->t_last_line,
						   eng->opts.stall_timeout);
			if (t->stalled != RETRY_FLOWING) {
				on_transport_error(t, CURLE_OPERATION_TIMEDOUT);
				goto again;
			}
		}
	}
	for (struct http_transfer *t = eng->transfers; t; t = t->next)
		if (t->state != HTTP_STATE_DONE)
			live++;
	if (live && running == 0) {
		/* A restarted transfer needs one perform to get going. */
		curl_multi_perform(eng->multi, &running);
	}
	return live;
}
