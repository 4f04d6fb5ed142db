/* mcp_http: the Streamable HTTP transport (MCP 2025-06-18) for one server: each message
 * is a POST on the connection's own libcurl multi handle, set up by http_easy_rules
 * (https, or http to loopback only; no redirects; TLS verification; cherry's proxy
 * choice; timeouts) with the size caps of the engine; the answer is one JSON body or an
 * SSE stream (src/sse.c) whose events are messages; Mcp-Session-Id and
 * MCP-Protocol-Version ride on every later request; DELETE ends the session. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#include "cherry/http.h"
#include "cherry/keys.h"
#include "cherry/sse.h"
#include "mcp_int.h"

#define ERROR_BODY_MAX (16u << 10)
#define MAX_FAILS 64

struct xfer {
	struct xfer *next;
	struct mcp_child *c;
	long long tag;
	long long id;            /* the request it carries; 0 for a notification or response */
	CURL *easy;
	struct curl_slist *headers; /* one may hold the auth token: wiped when freed */
	struct buf req;
	int sent_session;        /* the request carried a session id */
	long status;
	int sse;                 /* the body is an event stream */
	struct sse_parser parser;
	struct buf body;         /* a JSON body, or an error body (capped) */
	size_t received, header_bytes;
	int too_big, headers_too_big, event_too_big, answered;
	int no_body;             /* DELETE: whatever comes back is not a message */
	int listen;              /* the GET stream of the server's own messages */
	char last_id[128];       /* the last SSE event ID of this answer's stream */
	int resumes;             /* GETs with Last-Event-ID that continued it so far */
	char session[256];       /* this response's Mcp-Session-Id */
	char www_auth[200];
	char location[200];
	char errbuf[CURL_ERROR_SIZE];
};

struct fail {
	long long tag;
	long status;
	int expired;
	struct err e;
};

struct mcp_http {
	CURLM *multi;
	char *url;
	struct http_opts opts;
	char *ca_file;
	char **hdr;              /* "Name: value" from config */
	size_t nhdr;
	struct secret *auth;     /* the auth_key's token: sent as a Bearer */
	char *session;
	char version[32];
	struct xfer *xfers;
	long long next_tag;
	long long listen_tag;    /* the GET stream's transfer; 0 when none */
	long listen_status;      /* what the server answered it; 0 until known */
	struct fail fails[MAX_FAILS];
	size_t nfails;
};

static int oom(struct err *e)
{
	err_set(e, EXIT_FAIL, "out of memory");
	return -1;
}

/* ---- setting up ---- */

static int get_auth(struct mcp_http *h, const struct config_mcp_server *s,
		    const struct mcp_start_opts *o, struct err *e)
{
	if (!s->auth_key)
		return 0;
	if (!o->keyring) {
		err_set(e, EXIT_KEY, "%s: its auth_key \"%s\" needs the key vault", s->name,
			s->auth_key);
		return -1;
	}
	/* The vault keeps the token under the auth_key's name, as it keeps a provider's. */
	struct provider p = {.name = s->auth_key};
	const char *source;
	struct err ke = {0};
	int r = keyring_get(o->keyring, &p, &h->auth, &source, &ke);
	if (r == 1) {
		err_set(e, EXIT_KEY, "%s: no key \"%s\" in the vault (its auth_key): store it with: "
			"cherry key set %s", s->name, s->auth_key, s->auth_key);
		return -1;
	}
	if (r != 0) {
		*e = ke;
		return -1;
	}
	return 0;
}

int mcp_http_open(struct mcp_child *c, const struct config_mcp_server *s,
		  const struct mcp_start_opts *o, struct err *e)
{
	struct mcp_http *h = calloc(1, sizeof *h);
	if (!h)
		return oom(e);
	c->http = h;
	h->next_tag = 1;
	h->opts = (struct http_opts){.connect_timeout = 15, .stall_timeout = 120};
	if (o->http) {
		h->opts = *o->http;
		if (h->opts.connect_timeout <= 0)
			h->opts.connect_timeout = 15;
		if (h->opts.stall_timeout <= 0)
			h->opts.stall_timeout = 120;
	}
	int loopback;
	if (http_url_check(s->name, s->url, "url", &loopback, e) < 0)
		return -1;
	h->url = strdup(s->url);
	h->ca_file = o->http && o->http->ca_file ? strdup(o->http->ca_file) : NULL;
	h->opts.ca_file = h->ca_file;
	h->hdr = calloc(s->nheaders + 1, sizeof *h->hdr);
	h->multi = curl_multi_init();
	if (!h->url || !h->hdr || !h->multi || (o->http && o->http->ca_file && !h->ca_file))
		return oom(e);
	for (size_t i = 0; i < s->nheaders; i++) {
		struct buf b = {0};
		if (buf_printf(&b, "%s: %s", s->header_names[i], s->header_values[i]) < 0)
			return oom(e);
		h->hdr[h->nhdr++] = buf_steal(&b);
	}
	return get_auth(h, s, o, e);
}

/* ---- bytes in ---- */

/* Takes the session id a response names (initialize's, or a new one after it), before
 * any message of that response is handed on: the next request must carry it. -1 when
 * it is not visible ASCII (the specification's rule) or too long. */
static int adopt_session(struct xfer *x)
{
	struct mcp_http *h = x->c->http;
	if (!x->session[0] || (h->session && (!x->id || !strcmp(h->session, x->session))))
		return 0;
	for (const char *p = x->session; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return -1;
	if (strlen(x->session) >= sizeof x->session - 1)
		return -1;
	char *dup = strdup(x->session);
	if (!dup)
		return -1;
	free(h->session);
	h->session = dup;
	return 0;
}

static void got_message(struct xfer *x, const char *data, size_t len)
{
	struct mcp_msg m;
	struct err e;
	if (adopt_session(x) < 0)
		return; /* finished() reports it */
	if (mcp_decode(data, len, &m, &e) < 0) {
		mcp_log_line(x->c, "cherry: a message skipped: %s", e.msg);
		return;
	}
	if ((m.kind == MCP_RESULT || m.kind == MCP_ERROR) && x->id && mcp_id_is(&m, x->id))
		x->answered = 1;
	mcp_inbox_push(x->c, &m);
}

static int on_event(void *ctx, const struct sse_event *ev)
{
	struct xfer *x = ctx;
	if (ev->id_len && ev->id_len < sizeof x->last_id) {
		memcpy(x->last_id, ev->id, ev->id_len);
		x->last_id[ev->id_len] = '\0';
	}
	if (ev->data_len)
		got_message(x, ev->data, ev->data_len);
	return 0;
}

static int status_ok(long s)
{
	return s >= 200 && s < 300;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t n = size * nmemb;
	if (!x->status)
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	x->received += n;
	if (x->received > HTTP_MAX_RESPONSE) {
		x->too_big = 1;
		return 0;
	}
	if (!status_ok(x->status) || !x->sse) {
		size_t cap = status_ok(x->status) ? HTTP_MAX_RESPONSE : ERROR_BODY_MAX;
		size_t room = cap - x->body.len;
		if (room && buf_append(&x->body, ptr, n < room ? n : room) < 0)
			return 0;
		return n;
	}
	if (sse_feed(&x->parser, ptr, n) == 0)
		return n;
	x->event_too_big = 1; /* or memory ran out: the same end for the caller */
	return 0;
}

/* Copies a header's value (trimmed, at most size - 1 bytes) when its name is name. */
static int header_is(const char *line, size_t n, const char *name, char *out, size_t size)
{
	size_t nl = strlen(name);
	if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return 0;
	const char *v = line + nl + 1, *end = line + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	size_t len = (size_t)(end - v) < size - 1 ? (size_t)(end - v) : size - 1;
	memcpy(out, v, len);
	out[len] = '\0';
	return 1;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t n = size * nmemb;
	x->header_bytes += n;
	if (x->header_bytes > HTTP_MAX_HEADERS) {
		x->headers_too_big = 1;
		return 0;
	}
	char ctype[128];
	if (n > 5 && !strncmp(ptr, "HTTP/", 5)) {
		x->sse = 0;
		x->session[0] = x->www_auth[0] = x->location[0] = '\0';
	} else if (header_is(ptr, n, "content-type", ctype, sizeof ctype))
		x->sse = strncasecmp(ctype, "text/event-stream", 17) == 0;
	else if (!header_is(ptr, n, "mcp-session-id", x->session, sizeof x->session) &&
		 !header_is(ptr, n, "www-authenticate", x->www_auth, sizeof x->www_auth))
		header_is(ptr, n, "location", x->location, sizeof x->location);
	return n;
}

/* ---- transfers ---- */

/* One "Name: value" header made from fmt. */
static int add_printf(struct curl_slist **l, const char *fmt, const char *value)
{
	struct buf b = {0};
	int r = buf_printf(&b, fmt, value);
	if (r == 0)
		r = http_header_add(l, b.data);
	buf_free(&b);
	return r;
}

static int build_headers(struct mcp_http *h, struct xfer *x, int post, struct err *e)
{
	struct curl_slist **l = &x->headers;
	if ((post && (http_header_add(l, "Content-Type: application/json") < 0 ||
		      http_header_add(l, "Accept: application/json, text/event-stream") < 0)) ||
	    http_header_add(l, "Expect:") < 0 ||
	    (h->session && add_printf(l, "Mcp-Session-Id: %s", h->session) < 0) ||
	    (h->version[0] && add_printf(l, "MCP-Protocol-Version: %s", h->version) < 0))
		return oom(e);
	x->sent_session = h->session != NULL;
	for (size_t i = 0; i < h->nhdr; i++)
		if (http_header_add(l, h->hdr[i]) < 0)
			return oom(e);
	if (h->auth && http_header_add_secret(l, "Authorization: Bearer ", h->auth) < 0)
		return oom(e);
	return 0;
}

static void xfer_free(struct xfer *x)
{
	if (x->easy) {
		curl_multi_remove_handle(x->c->http->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	http_wipe_headers(x->headers);
	sse_free(&x->parser);
	buf_free(&x->req);
	buf_free(&x->body);
	free(x);
}

static struct xfer *xfer_new(struct mcp_child *c, long long id, int post, struct err *e)
{
	struct mcp_http *h = c->http;
	struct xfer *x = calloc(1, sizeof *x);
	if (!x) {
		oom(e);
		return NULL;
	}
	x->c = c;
	x->id = id;
	sse_init(&x->parser, on_event, x);
	x->parser.raw_json = 0;
	x->easy = curl_easy_init();
	if (!x->easy || http_easy_rules(x->easy, c->name, h->url, "url", &h->opts, e) < 0 ||
	    build_headers(h, x, post, e) < 0) {
		if (!e->code)
			oom(e);
		xfer_free(x);
		return NULL;
	}
	CURL *k = x->easy;
	curl_easy_setopt(k, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(k, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(k, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(k, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(k, CURLOPT_HEADERDATA, x);
	/* A stream that sends nothing for the stall time has died; how long a request may
	 * take in all is its caller's timeout. */
	curl_easy_setopt(k, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(k, CURLOPT_LOW_SPEED_TIME, (long)h->opts.stall_timeout);
	x->tag = h->next_tag++;
	return x;
}

static int xfer_start(struct mcp_child *c, struct xfer *x, struct err *e)
{
	struct mcp_http *h = c->http;
	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
		xfer_free(x);
		err_set(e, EXIT_FAIL, "%s: cannot start the request", c->name);
		return -1;
	}
	x->next = h->xfers;
	h->xfers = x;
	int running;
	curl_multi_perform(h->multi, &running);
	return 0;
}

long long mcp_http_send(struct mcp_child *c, const json_t *msg, long long request_id,
			struct err *e)
{
	struct xfer *x = xfer_new(c, request_id, 1, e);
	if (!x)
		return -1;
	if (mcp_dump(msg, JSON_COMPACT, &x->req) < 0 || !x->req.data) {
		xfer_free(x);
		return oom(e);
	}
	curl_easy_setopt(x->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->req.data);
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->req.len);
	long long tag = x->tag;
	return xfer_start(c, x, e) < 0 ? -1 : tag;
}

void mcp_http_listen(struct mcp_child *c)
{
	struct mcp_http *h = c->http;
	struct err e = {0};
	if (h->listen_tag)
		mcp_http_abort(c, h->listen_tag);
	h->listen_tag = 0;
	h->listen_status = 0;
	struct xfer *x = xfer_new(c, 0, 0, &e);
	if (!x || http_header_add(&x->headers, "Accept: text/event-stream") < 0) {
		if (x)
			xfer_free(x);
		return;
	}
	x->listen = 1;
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
	/* Silence is normal here: no stall limit (keep-alive finds a dead peer). */
	curl_easy_setopt(x->easy, CURLOPT_LOW_SPEED_TIME, 0L);
	long long tag = x->tag;
	if (xfer_start(c, x, &e) == 0)
		h->listen_tag = tag;
}

long mcp_http_stream_status(struct mcp_child *c)
{
	struct mcp_http *h = c->http;
	for (struct xfer *x = h->xfers; x; x = x->next)
		if (x->tag == h->listen_tag && x->listen) {
			long status = 0;
			curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
			return status;
		}
	return h->listen_status;
}

void mcp_http_wait(struct mcp_child *c, int timeout_ms, const int *fds, size_t n)
{
	struct curl_waitfd w[MCP_WAKE_MAX];
	unsigned k = 0;
	for (size_t i = 0; i < n && k < MCP_WAKE_MAX; i++)
		if (fds[i] >= 0)
			w[k++] = (struct curl_waitfd){fds[i], CURL_WAIT_POLLIN, 0};
	curl_multi_poll(c->http->multi, w, k, timeout_ms < 0 ? 0 : timeout_ms, NULL);
}

/* ---- how a transfer ended ---- */

/* The message of a JSON-RPC error body ({"error": {"message"}}), else the body's first
 * line, as ": reason" on one line (control characters made '?'; the line is made
 * terminal-safe where it is shown). */
static void body_reason(const struct buf *body, char *out, size_t size)
{
	out[0] = '\0';
	if (!body->len)
		return;
	json_t *j = json_loadb(body->data, body->len, 0, NULL);
	const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
	size_t len = m ? strlen(m) : strcspn(body->data, "\r\n");
	if (!m)
		m = body->data;
	snprintf(out, size, ": %.*s", (int)(len < 300 ? len : 300), m);
	json_decref(j);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static void record(struct mcp_child *c, struct xfer *x, int expired, const struct err *e)
{
	struct mcp_http *h = c->http;
	mcp_log_line(c, "cherry: %s", e->msg);
	if (h->nfails == MAX_FAILS) /* the oldest are the least likely to be asked about */
		memmove(h->fails, h->fails + 1, --h->nfails * sizeof *h->fails);
	h->fails[h->nfails++] = (struct fail){x->tag, x->status, expired, *e};
}

/* The answer's stream ended before the answer: when the server numbered its events, a
 * GET with Last-Event-ID asks it to go on from there (the specification's resumption),
 * as the same transfer tag, at most 3 times. 0 when that GET started. */
static int resume(struct mcp_child *c, struct xfer *x)
{
	if (!x->sse || !x->id || x->answered || !x->last_id[0] || x->resumes >= 3)
		return -1;
	for (const char *p = x->last_id; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return -1;
	struct err e = {0};
	struct xfer *y = xfer_new(c, x->id, 0, &e);
	if (!y)
		return -1;
	y->tag = x->tag;
	y->resumes = x->resumes + 1;
	memcpy(y->last_id, x->last_id, sizeof y->last_id);
	struct buf h = {0};
	if (http_header_add(&y->headers, "Accept: text/event-stream") < 0 ||
	    buf_printf(&h, "Last-Event-ID: %s", x->last_id) < 0 ||
	    http_header_add(&y->headers, h.data) < 0) {
		buf_free(&h);
		xfer_free(y);
		return -1;
	}
	buf_free(&h);
	curl_easy_setopt(y->easy, CURLOPT_HTTPHEADER, y->headers);
	curl_easy_setopt(y->easy, CURLOPT_HTTPGET, 1L);
	mcp_log_line(c, "cherry: the answer's stream broke; resuming after event %s", x->last_id);
	return xfer_start(c, y, &e);
}

static void finished(struct mcp_child *c, struct xfer *x, CURLcode rc)
{
	struct mcp_http *h = c->http;
	struct err e = {0};
	if (!x->status)
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->listen) {
		/* Optional for a server: only noted in the log. */
		h->listen_tag = 0;
		h->listen_status = x->status ? x->status : -1;
		if (x->status == 405)
			mcp_log_line(c, "cherry: the server sends nothing outside answers (GET: 405)");
		else
			mcp_log_line(c, "cherry: the server's own stream ended (HTTP %ld%s%s)", x->status,
				     rc != CURLE_OK ? ", " : "",
				     rc != CURLE_OK ? curl_easy_strerror(rc) : "");
		if (x->sse && status_ok(x->status))
			sse_finish(&x->parser);
		return;
	}
	char why[400], low[400], shown[512];
	if (x->status && !status_ok(x->status) && !x->too_big) {
		body_reason(&x->body, why, sizeof why);
		size_t i = 0;
		for (; why[i]; i++)
			low[i] = (char)tolower((unsigned char)why[i]);
		low[i] = '\0';
		/* The specification says 404; the reference servers say 400 "No valid session". */
		int expired = x->sent_session &&
			      (x->status == 404 ||
			       (x->status == 400 && strstr(low, "session")));
		if (x->status >= 300 && x->status < 400)
			err_set(&e, EXIT_NETWORK, "%s: %ld redirect to %.150s not followed; check its url",
				c->name, x->status,
				x->location[0] ? http_url_shown(x->location, shown, sizeof shown)
					       : "elsewhere");
		else if (x->status == 401 || x->status == 403)
			err_set(&e, EXIT_KEY, "%s: HTTP %ld%s (check its auth_key or headers%s%.150s)",
				c->name, x->status, why, x->www_auth[0] ? "; the server asks: " : "",
				x->www_auth);
		else if (x->resumes)
			err_set(&e, EXIT_NETWORK, "%s: the answer's stream broke and the server did not "
				"resume it (HTTP %ld%s)", c->name, x->status, why);
		else
			err_set(&e, EXIT_NETWORK, "%s: HTTP %ld%s%s", c->name, x->status, why,
				expired ? " (the session ended)" : "");
		record(c, x, expired, &e);
		return;
	}
	if (rc != CURLE_OK) {
		if (x->too_big)
			err_set(&e, EXIT_NETWORK, "%s: response larger than %u MiB; stopped", c->name,
				HTTP_MAX_RESPONSE >> 20);
		else if (x->event_too_big)
			err_set(&e, EXIT_NETWORK, "%s: a message larger than %u MiB; stopped", c->name,
				SSE_EVENT_MAX >> 20);
		else if (x->headers_too_big)
			err_set(&e, EXIT_NETWORK, "%s: response headers larger than %u KiB; stopped",
				c->name, HTTP_MAX_HEADERS >> 10);
		else if (!x->status)
			err_set(&e, EXIT_NETWORK, "%s: cannot reach %s: %s", c->name,
				http_url_shown(h->url, shown, sizeof shown),
				x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		else if (resume(c, x) == 0)
			return;
		else
			err_set(&e, EXIT_NETWORK, "%s: connection lost mid-answer (%s)", c->name,
				x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		record(c, x, 0, &e);
		return;
	}
	if (adopt_session(x) < 0) {
		err_set(&e, EXIT_NETWORK, "%s: the server sent an invalid Mcp-Session-Id", c->name);
		record(c, x, 0, &e);
		return;
	}
	if (x->no_body)
		return;
	if (x->sse)
		sse_finish(&x->parser);
	else if (x->body.len)
		got_message(x, x->body.data, x->body.len);
	if (x->id && !x->answered && resume(c, x) < 0) {
		err_set(&e, EXIT_NETWORK, "%s: the server ended its reply (HTTP %ld) without an answer",
			c->name, x->status);
		record(c, x, 0, &e);
	}
}

void mcp_http_pump(struct mcp_child *c)
{
	struct mcp_http *h = c->http;
	int running;
	curl_multi_perform(h->multi, &running);
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(h->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		for (struct xfer **pp = &h->xfers; *pp; pp = &(*pp)->next) {
			struct xfer *x = *pp;
			if (x->easy != msg->easy_handle)
				continue;
			CURLcode rc = msg->data.result;
			*pp = x->next;
			finished(c, x, rc);
			xfer_free(x);
			break;
		}
	}
}

int mcp_http_failed(struct mcp_child *c, long long tag, int *expired, struct err *e)
{
	struct mcp_http *h = c->http;
	for (size_t i = 0; i < h->nfails; i++)
		if (h->fails[i].tag == tag) {
			*e = h->fails[i].e;
			*expired = h->fails[i].expired;
			return 1;
		}
	return 0;
}

void mcp_http_abort(struct mcp_child *c, long long tag)
{
	for (struct xfer **pp = &c->http->xfers; *pp; pp = &(*pp)->next)
		if ((*pp)->tag == tag) {
			struct xfer *x = *pp;
			*pp = x->next;
			xfer_free(x);
			return;
		}
}

int mcp_http_running(struct mcp_child *c, long long tag)
{
	for (struct xfer *x = c->http->xfers; x; x = x->next)
		if (x->tag == tag)
			return 1;
	return 0;
}

void mcp_http_reset(struct mcp_child *c)
{
	free(c->http->session);
	c->http->session = NULL;
	c->http->version[0] = '\0';
}

void mcp_http_set_version(struct mcp_child *c, const char *version)
{
	snprintf(c->http->version, sizeof c->http->version, "%s", version);
}

static long long now_ms(void)
{
	return (long long)(http_now() * 1000);
}

int mcp_http_close(struct mcp_child *c, int grace_ms)
{
	struct mcp_http *h = c->http;
	int how = 0;
	while (h->xfers) {
		struct xfer *x = h->xfers;
		h->xfers = x->next;
		xfer_free(x);
	}
	struct err e = {0};
	struct xfer *x = h->session ? xfer_new(c, 0, 0, &e) : NULL;
	if (x) {
		curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, "DELETE");
		curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)(grace_ms > 0 ? grace_ms : 1));
		long long tag = x->tag;
		how = 4;
		x->no_body = 1;
		if (xfer_start(c, x, &e) == 0) {
			long long deadline = now_ms() + grace_ms;
			while (mcp_http_running(c, tag) && now_ms() < deadline) {
				mcp_http_wait(c, (int)(deadline - now_ms()), NULL, 0);
				mcp_http_pump(c);
			}
			if (!mcp_http_running(c, tag)) {
				how = 0;
				for (size_t i = 0; i < h->nfails; i++)
					if (h->fails[i].tag == tag)
						how = h->fails[i].status == 405 ? 3 : 4;
			}
		}
	} else
		how = h->session ? 4 : 5;
	while (h->xfers) {
		struct xfer *y = h->xfers;
		h->xfers = y->next;
		xfer_free(y);
	}
	curl_multi_cleanup(h->multi);
	for (size_t i = 0; i < h->nhdr; i++) {
		sodium_memzero(h->hdr[i], strlen(h->hdr[i]));
		free(h->hdr[i]);
	}
	free(h->hdr);
	secret_free(h->auth);
	free(h->session);
	free(h->url);
	free(h->ca_file);
	free(h);
	c->http = NULL;
	return how;
}
