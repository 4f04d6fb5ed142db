/* http_int: what http.c (the engine: the multi handle, waiting, completion and retries)
 * shares with http_transfer.c (one transfer: its easy handle, headers, the bytes in and
 * the results read back). Only http*.c include this. */
#ifndef CHERRY_HTTP_INT_H
#define CHERRY_HTTP_INT_H

#include "cherry/eventstream.h"
#include "cherry/http.h"
#include "cherry/ndjson.h"
#include "cherry/sse.h"

enum http_mode { HTTP_MODE_STREAM, HTTP_MODE_GET };

enum http_state {
	HTTP_STATE_ACTIVE,  /* in the multi handle */
	HTTP_STATE_WAITING, /* between attempts, until retry_at */
	HTTP_STATE_DONE,
};

struct http_transfer {
	struct http_engine *eng;
	struct http_transfer *next;
	enum http_mode mode;
	enum http_state state;
	enum http_outcome outcome;
	CURL *easy;
	struct curl_slist *headers;
	const struct provider *prov;
	const struct wire_http *req;
	size_t sent;                /* body bytes libcurl has read (splice bodies) */
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
	char encoding[24];        /* a Content-Encoding other than identity: its token */
	size_t received;
	size_t header_bytes;
	int aborted_size;         /* the size cap was hit */
	int aborted_headers;      /* the header cap was hit */
	enum retry_stall stalled;
	struct sse_parser sse;
	struct ndjson_splitter nd;
	struct evs_decoder evs;   /* bedrock: the AWS event stream */
	struct wire_stream ws;
	double t_attempt;
	double t_last_byte;
	double t_last_line;       /* the last progress: a line end, or a long line growing */
	struct retry_progress progress;
	double t_first_delta;     /* -1 until the first delta */

	/* across attempts */
	int delivered;            /* a delta reached the caller: no more retries */
	int paused;               /* the slice was used up: bytes wait in libcurl */
	int sigv4_old_curl;       /* signed by a libcurl (< 8.9) that AWS may not agree with */
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

/* http_transfer.c */
int http_status_ok(long status);
/* Makes libcurl sign c's request with AWS SigV4 (sigv4: "aws:amz:REGION:SERVICE") with
 * the key pair "ID:SECRET[:TOKEN]" (the token's header is the caller's). 0 or -1. */
int http_sigv4_setup(CURL *c, const char *sigv4, const struct secret *key);
/* Starts the next attempt of t: fresh per-attempt state, into the multi handle. */
int http_start_attempt(struct http_transfer *t);

#endif
