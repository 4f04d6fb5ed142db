/* mcp_rpc: requests to an MCP server and their waits, either transport: a request and
 * its answer (answering the server's pings and refusing its other requests meanwhile),
 * timeouts and stops with notifications/cancelled, progress, tools/list_changed, the
 * handshake, every page of tools/list, tools/call; over HTTP a session the server forgot
 * is initialized again once. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcp_int.h"

/* How long a notification over HTTP may take to be accepted. */
#define NOTIFY_WAIT_MS 5000
/* How often a stop callback is asked while a call waits, when nothing can wake the wait
 * for it (mcp_call_opts.wake_fds: none). */
#define STOP_POLL_MS 100

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int oom(struct err *e)
{
	err_set(e, EXIT_FAIL, "out of memory");
	return -1;
}

int mcp_notify(struct mcp_child *c, const char *method, json_t *params, struct err *e)
{
	json_t *msg = mcp_notification(method, params);
	if (!msg)
		return oom(e);
	if (!c->http) {
		int rc = mcp_send(c, msg, e);
		json_decref(msg);
		return rc;
	}
	/* Over HTTP the server accepts it (202) or says why not: wait for that. */
	long long tag = mcp_http_send(c, msg, 0, e);
	json_decref(msg);
	if (tag < 0)
		return -1;
	long long deadline = now_ms() + NOTIFY_WAIT_MS;
	int expired;
	while (mcp_http_running(c, tag) && now_ms() < deadline) {
		mcp_http_wait(c, (int)(deadline - now_ms()), NULL, 0);
		mcp_http_pump(c);
	}
	if (mcp_http_running(c, tag)) {
		mcp_http_abort(c, tag);
		err_set(e, EXIT_NETWORK, "%s: %s was not accepted in %d ms", c->name, method,
			NOTIFY_WAIT_MS);
		return -1;
	}
	return mcp_http_failed(c, tag, &expired, e) ? -1 : 0;
}

/* What the request being waited for wants to hear besides its answer. */
struct waiting {
	const char *token;               /* its progress token, or NULL */
	const struct mcp_call_opts *call; /* tools/call's hooks, or NULL */
};

static void on_progress(const struct mcp_msg *m, const struct waiting *w)
{
	struct mcp_progress p;
	if (!w || !w->token || !w->call || !w->call->progress ||
	    mcp_progress_parse(m->params, &p) < 0 || !json_is_string(p.token) ||
	    strcmp(json_string_value(p.token), w->token) != 0)
		return;
	w->call->progress(w->call->ctx, &p);
}

/* A message that is not the awaited answer: answer pings, refuse other requests,
 * hand notifications on, drop late answers to requests given up on. */
static int handle_other(struct mcp_child *c, const struct mcp_msg *m, const struct waiting *w,
			struct err *e)
{
	if (m->kind == MCP_NOTIFICATION) {
		if (strcmp(m->method, "notifications/tools/list_changed") == 0)
			c->tools_changed = 1;
		else if (strcmp(m->method, "notifications/progress") == 0)
			on_progress(m, w);
		else if (strcmp(m->method, "notifications/message") == 0) {
			/* The server's own logging: into its log, never onto the screen. */
			struct buf b = {0};
			if (m->params && mcp_dump(m->params, JSON_COMPACT, &b) == 0 && b.data)
				mcp_log_line(c, "server: %s", b.data);
			buf_free(&b);
		}
		if (c->on_notify)
			c->on_notify(c->notify_ctx, m);
		return 0;
	}
	if (m->kind != MCP_REQUEST)
		return 0;
	json_t *reply = strcmp(m->method, "ping") == 0
		? mcp_response(m->id, NULL)
		: mcp_error_response(m->id, MCP_METHOD_NOT_FOUND, "Method not found");
	if (!reply)
		return oom(e);
	int rc = mcp_send(c, reply, e);
	json_decref(reply);
	return rc;
}

static void cancel(struct mcp_child *c, long long id, long long tag, const char *why)
{
	struct err ignored;
	mcp_notify(c, "notifications/cancelled", mcp_cancelled(id, why), &ignored);
	/* Over HTTP a dropped connection is no cancel: the notification above is. */
	if (c->http)
		mcp_http_abort(c, tag);
}

/* The answer to a JSON-RPC error, for tools/call's error result. */
struct rpc_error {
	long long code;
	char message[400];
};

int mcp_rpc_begin(struct mcp_child *c, const char *method, json_t *params, int timeout_ms,
		  struct mcp_pending *p, struct err *e)
{
	memset(p, 0, sizeof *p);
	p->id = c->next_id++;
	p->method = method;
	p->timeout_ms = timeout_ms;
	json_t *req = mcp_request(p->id, method, params);
	if (!req)
		return oom(e);
	int rc = c->http ? (p->tag = mcp_http_send(c, req, p->id, e)) < 0 ? -1 : 0
			 : mcp_send(c, req, e);
	json_decref(req);
	p->deadline = now_ms() + timeout_ms;
	return rc;
}

/* Looks once for p's answer among what came (never waits). 1 answered with *result; 2
 * a JSON-RPC error (*re filled, e set); 0 still waiting; -1 with e set (*expired: the
 * HTTP session is gone; e->code EXIT_INTERRUPTED: w's stop hook stopped it). */
static int look(struct mcp_child *c, const struct mcp_pending *p, const struct waiting *w,
		json_t **result, struct rpc_error *re, int *expired, struct err *e)
{
	*expired = 0;
	struct mcp_msg m;
	while (mcp_take(c, &m)) {
		if ((m.kind == MCP_RESULT || m.kind == MCP_ERROR) && mcp_id_is(&m, p->id)) {
			int rc = 1;
			if (m.kind == MCP_RESULT)
				*result = json_incref(m.result);
			else {
				rc = 2;
				re->code = m.error_code;
				snprintf(re->message, sizeof re->message, "%s", m.error_message);
				err_set(e, EXIT_FAIL, "%s: %s: error %lld: %.300s", c->name, p->method,
					m.error_code, m.error_message);
			}
			mcp_msg_free(&m);
			return rc;
		}
		int rc = handle_other(c, &m, w, e);
		mcp_msg_free(&m);
		if (rc < 0)
			return -1;
	}
	if (c->http && mcp_http_failed(c, p->tag, expired, e))
		return -1;
	if (!c->http && c->out_fd < 0) {
		err_set(e, EXIT_FAIL, "%s: the server closed its output before answering %s",
			c->name, p->method);
		return -1;
	}
	if (w && w->call && w->call->stop && w->call->stop(w->call->ctx)) {
		cancel(c, p->id, p->tag, "stopped by the user");
		err_set(e, EXIT_INTERRUPTED, "%s: %s stopped", c->name, p->method);
		return -1;
	}
	if (now_ms() >= p->deadline) {
		/* The specification: cancel what we stop waiting for (never initialize). */
		if (strcmp(p->method, "initialize") != 0)
			cancel(c, p->id, p->tag, "timed out");
		else if (c->http)
			mcp_http_abort(c, p->tag);
		err_set(e, EXIT_NETWORK, "%s: no answer to %s in %d ms", c->name, p->method,
			p->timeout_ms);
		return -1;
	}
	return 0;
}

int mcp_rpc_poll(struct mcp_child *c, struct mcp_pending *p, json_t **result, struct err *e)
{
	struct rpc_error re;
	int expired;
	*result = NULL;
	if (mcp_pump(c, e) < 0)
		return -1;
	int rc = look(c, p, NULL, result, &re, &expired, e);
	return rc == 2 ? -1 : rc;
}

/* The one wait of a round trip: until the server sends something, the deadline (left
 * ms), or, for a call with a stop hook, input on its wake_fds or the time its next_ms
 * asks for (without wake_fds, STOP_POLL_MS). */
static void wait_once(struct mcp_child *c, long long left, const struct waiting *w)
{
	long long ms = left > 0 ? left : 0;
	const struct mcp_call_opts *o = w && w->call && w->call->stop ? w->call : NULL;
	if (o) {
		int next = o->next_ms ? o->next_ms(o->ctx) : -1;
		if (!o->nwake && (next < 0 || next > STOP_POLL_MS))
			next = STOP_POLL_MS;
		if (next >= 0 && next < ms)
			ms = next;
	}
	mcp_wait_fds(c, ms > INT_MAX ? INT_MAX : (int)ms, o ? o->wake_fds : NULL, o ? o->nwake : 0);
}

/* One attempt: sends the request and waits. 0 with *result; 1 for a JSON-RPC error
 * (*re filled, e set); -1 with e set (*expired: the HTTP session is gone). */
static int attempt(struct mcp_child *c, const char *method, json_t *params, int timeout_ms,
		   const struct waiting *w, json_t **result, struct rpc_error *re, int *expired,
		   struct err *e)
{
	struct mcp_pending p;
	*expired = 0;
	if (mcp_rpc_begin(c, method, json_incref(params), timeout_ms, &p, e) < 0)
		return -1;
	for (;;) {
		int rc = look(c, &p, w, result, re, expired, e);
		if (rc != 0)
			return rc == 1 ? 0 : rc == 2 ? 1 : -1;
		wait_once(c, p.deadline - now_ms(), w);
		if (mcp_pump(c, e) < 0)
			return -1;
	}
}

static int handshake_again(struct mcp_child *c, int timeout_ms, struct err *e)
{
	struct mcp_server_info info;
	mcp_log_line(c, "cherry: the server ended the session; initializing again");
	mcp_http_reset(c);
	if (mcp_handshake(c, timeout_ms, &info, e) < 0)
		return -1;
	mcp_server_info_free(&info);
	return 0;
}

/* A request, sent once more after a new initialize when an HTTP server forgot the
 * session. params is stolen. */
static int rpc(struct mcp_child *c, const char *method, json_t *params, int timeout_ms,
	       const struct waiting *w, json_t **result, struct rpc_error *re, struct err *e)
{
	*result = NULL;
	int rc = -1;
	for (int round = 0; round < 2; round++) {
		int expired;
		rc = attempt(c, method, params, timeout_ms, w, result, re, &expired, e);
		if (rc >= 0 || !expired || round || strcmp(method, "initialize") == 0)
			break;
		if (handshake_again(c, timeout_ms, e) < 0)
			break;
	}
	json_decref(params);
	return rc;
}

int mcp_rpc(struct mcp_child *c, const char *method, json_t *params, int timeout_ms,
	    json_t **result, struct err *e)
{
	struct rpc_error re;
	return rpc(c, method, params, timeout_ms, NULL, result, &re, e) == 0 ? 0 : -1;
}

int mcp_initialize_answered(struct mcp_child *c, json_t *result, struct mcp_server_info *info,
			    struct err *e)
{
	struct err pe;
	int rc = mcp_server_info_parse(result, info, &pe);
	json_decref(result);
	if (rc < 0) {
		err_set(e, EXIT_FAIL, "%s: %s", c->name, pe.msg);
		return -1;
	}
	/* From here on every request says which revision it speaks. */
	if (c->http)
		mcp_http_set_version(c, info->protocol_version);
	return 0;
}

int mcp_handshake(struct mcp_child *c, int timeout_ms, struct mcp_server_info *info,
		  struct err *e)
{
	json_t *params = mcp_initialize_params("cherry", CHERRY_VERSION);
	json_t *result;
	if (!params)
		return oom(e);
	if (mcp_rpc(c, "initialize", params, timeout_ms, &result, e) < 0 ||
	    mcp_initialize_answered(c, result, info, e) < 0)
		return -1;
	if (mcp_notify(c, "notifications/initialized", NULL, e) < 0) {
		mcp_server_info_free(info);
		return -1;
	}
	if (c->http)
		mcp_http_listen(c);
	return 0;
}

int mcp_page_answered(struct mcp_child *c, json_t *result, struct mcp_tools *tools,
		      char **cursor, size_t *pages, struct err *e)
{
	struct err pe;
	char *next = NULL;
	int rc = mcp_tools_page(result, tools, &next, &pe);
	json_decref(result);
	++*pages;
	if (rc < 0)
		err_set(e, EXIT_FAIL, "%s: %s", c->name, pe.msg);
	/* A server that hands back the cursor it was given would loop forever. */
	else if (next && ((*cursor && strcmp(next, *cursor) == 0) || *pages >= 1000)) {
		err_set(e, EXIT_FAIL, "%s: tools/list: the pages do not end", c->name);
		rc = -1;
	}
	free(*cursor);
	*cursor = next;
	return rc < 0 ? -1 : next ? 0 : 1;
}

int mcp_list_tools(struct mcp_child *c, int timeout_ms, struct mcp_tools *tools, size_t *pages,
		   struct err *e)
{
	char *cursor = NULL;
	size_t n = 0;
	memset(tools, 0, sizeof *tools);
	/* A list_changed that comes while the pages are read sets it again. */
	c->tools_changed = 0;
	for (;;) {
		json_t *params = mcp_tools_list_params(cursor), *result;
		if (!params) {
			oom(e);
			break;
		}
		if (mcp_rpc(c, "tools/list", params, timeout_ms, &result, e) < 0)
			break;
		int rc = mcp_page_answered(c, result, tools, &cursor, &n, e);
		if (rc < 0)
			break;
		if (rc == 1) {
			if (pages)
				*pages = n;
			return 0;
		}
	}
	free(cursor);
	mcp_tools_free(tools);
	return -1;
}

int mcp_call_tool(struct mcp_child *c, const char *name, json_t *arguments,
		  const struct mcp_call_opts *o, struct mcp_call_result *r, struct err *e)
{
	memset(r, 0, sizeof *r);
	static const struct mcp_call_opts defaults = {0};
	if (!o)
		o = &defaults;
	char token[48];
	snprintf(token, sizeof token, "cherry-%lld", c->next_id);
	json_t *params = mcp_call_params(name, arguments, token), *result;
	if (!params)
		return oom(e);
	struct waiting w = {token, o};
	struct rpc_error re;
	int rc = rpc(c, "tools/call", params, o->timeout_ms > 0 ? o->timeout_ms : 60000, &w,
		     &result, &re, e);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		/* The model sees a protocol error as it sees a failed tool, and may retry. */
		struct buf b = {0};
		if (buf_printf(&b, "MCP error %lld: %s", re.code, re.message) < 0)
			return oom(e);
		r->text = buf_steal(&b);
		r->is_error = 1;
		return 0;
	}
	struct err pe;
	rc = mcp_call_result_parse(result, r, &pe);
	json_decref(result);
	if (rc < 0)
		err_set(e, EXIT_FAIL, "%s: %s", c->name, pe.msg);
	return rc;
}

long mcp_stream_status(struct mcp_child *c)
{
	return c->http ? mcp_http_stream_status(c) : 0;
}
