/* http: libcurl transfers on one multi handle: streaming chat requests with
 * retries, stall detection, size caps and cancel; and small GETs (model lists).
 * The caller owns the one wait (loop.c) and calls http_perform after it. */
#ifndef CHERRY_HTTP_H
#define CHERRY_HTTP_H

#include <curl/curl.h>

#include "cherry/buf.h"
#include "cherry/config.h"
#include "cherry/err.h"
#include "cherry/retry.h"
#include "cherry/secret.h"
#include "cherry/wire.h"

#define HTTP_MAX_RESPONSE (64u << 20) /* bytes; beyond this a transfer is aborted */
#define HTTP_MAX_HEADERS (64u << 10)  /* bytes of response headers; beyond this too */
#define HTTP_MAX_RETRY_WAIT RETRY_MAX_WAIT /* seconds; a longer hint is not waited for */

struct http_engine;
struct http_transfer;

struct http_opts {
	double connect_timeout; /* seconds */
	double stall_timeout;   /* seconds without a byte during a stream */
	int max_retries;
	const char *ca_file;    /* NULL: the system's CAs; else added to them (tls.h) */
};

enum http_outcome {
	HTTP_RUNNING,
	HTTP_OK,        /* the stream ended normally (or the GET succeeded) */
	HTTP_FAILED,    /* err says why; partial text may have been delivered */
	HTTP_CANCELLED, /* http_cancel */
};

/* Called once when a transfer ends (not for each retry). */
typedef void (*http_done_fn)(void *ctx, struct http_transfer *t);

struct http_engine *http_engine_new(const struct http_opts *opts, struct err *e);
void http_engine_free(struct http_engine *eng);

/* Starts a streaming chat request. req and key must stay valid until the
 * transfer ends; key may be NULL (no auth header). Deltas go to sink. */
struct http_transfer *http_start_stream(struct http_engine *eng, const struct provider *p,
					const struct wire_http *req, const struct secret *key,
					const struct wire_sink *sink, http_done_fn done, void *ctx,
					struct err *e);
/* Starts a GET whose body is collected (model lists). */
struct http_transfer *http_start_get(struct http_engine *eng, const struct provider *p,
				     const struct wire_http *req, const struct secret *key,
				     http_done_fn done, void *ctx, struct err *e);

/* Stops a transfer at once; its done callback runs with HTTP_CANCELLED. */
void http_cancel(struct http_engine *eng, struct http_transfer *t);
/* Frees a transfer that has ended (call after its done callback, not inside it). */
void http_transfer_free(struct http_transfer *t);

/* Delivers at most about this many stream bytes per http_perform (0, the default: no
 * limit); the rest wait inside libcurl, and http_timeout_ms is 0 until they are done.
 * The full-screen client uses it so a burst never holds keys back for long. */
void http_set_slice(struct http_engine *eng, size_t bytes);
/* Milliseconds until the engine needs http_perform again (-1: no timer). */
long http_timeout_ms(struct http_engine *eng);
/* Waits on curl's sockets plus extra (stdin, a signal pipe...) up to timeout_ms. */
int http_wait(struct http_engine *eng, struct curl_waitfd *extra, unsigned nextra,
	      int timeout_ms);
/* Drives every transfer: reads, retries, timers, completions. Returns the
 * number of transfers still running or waiting. */
int http_perform(struct http_engine *eng);

/* What a finished transfer reports. */
enum http_outcome http_outcome(const struct http_transfer *t);
const struct err *http_error(const struct http_transfer *t);
const struct wire_stream *http_stream(const struct http_transfer *t);
const struct buf *http_body(const struct http_transfer *t);   /* GET body */
long http_status(const struct http_transfer *t);
int http_attempts(const struct http_transfer *t);
/* 1 while the transfer waits to try again: *left seconds from now, the attempt it will
 * be (*attempt, 2-based) of *max; 0 otherwise. */
int http_retry_wait(const struct http_transfer *t, double now, double *left, int *attempt,
		    int *max);
/* Seconds from the start of the last attempt to the first delta (-1: none), and total. */
double http_time_to_first_token(const struct http_transfer *t);
double http_elapsed(const struct http_transfer *t);
/* Seconds from the first delta to the end of the stream (-1: none). */
double http_generation_time(const struct http_transfer *t);

/* http_url_allowed with the refusal as one line in e, naming name and the config key
 * the url came from: 0, or -1. */
int http_url_check(const char *name, const char *url, const char *key, int *loopback,
		   struct err *e);
/* The rules every request of cherry's follows, set on a fresh easy handle (the engine's
 * transfers and the MCP client's alike): the URL (https, or plain http to a loopback
 * host only), no redirects, TLS verification (o->ca_file added), the proxy
 * http_proxy_for picks, o's connect timeout, keep-alive, no netrc, no signals, cherry's
 * user agent. A refused URL is -1 with e naming name and the config key it came from. */
int http_easy_rules(CURL *c, const char *name, const char *url, const char *key,
		    const struct http_opts *o, struct err *e);
/* Appends h to a request's header list: 0, or -1 when memory ran out. */
int http_header_add(struct curl_slist **list, const char *h);
/* Appends prefix followed by the key ("Authorization: Bearer " + key), built in guarded
 * memory: 0 or -1. */
int http_header_add_secret(struct curl_slist **list, const char *prefix,
			   const struct secret *key);
/* Frees a header list, wiping each string first (one holds the key). */
void http_wipe_headers(struct curl_slist *list);
/* A URL's scheme is https, or http to a loopback host (src/http_url.c). */
int http_url_allowed(const char *url, int *is_loopback);
/* url as cherry shows it in lists and error lines: scheme, host, port and path kept;
 * credentials before an '@' as "…@", each query value as "…" (its name kept), a fragment
 * as "#…" -- tokens people put in URLs stay off the screen and out of logs. Cut to n
 * bytes (ending in "…") when longer; returns out. */
const char *http_url_shown(const char *url, char *out, size_t n);
/* The proxy a request to url goes through (proxy_choose on the environment), NULL for
 * none: the transfer is given exactly this one, so it is the one to show. */
const char *http_proxy_for(const char *url);
/* Monotonic clock in seconds. */
double http_now(void);

#endif
