/* mcp_int: what mcp.c (the connection: stdio child, requests and their waits) shares
 * with mcp_http.c (the Streamable HTTP transport). Only mcp*.c include this. */
#ifndef CHERRY_MCP_INT_H
#define CHERRY_MCP_INT_H

#include "cherry/mcp.h"

/* mcp.c */
/* Appends m to c's inbox (taken over; freed on failure): 0 or -1 (out of memory). */
int mcp_inbox_push(struct mcp_child *c, struct mcp_msg *m);
/* Appends a line to the server's log (nothing when there is none). */
void mcp_log_line(struct mcp_child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* mcp_rpc.c, for mcp_open.c. initialize's result (taken) parsed into info, the revision
 * set for HTTP: 0 or -1 with e. */
int mcp_initialize_answered(struct mcp_child *c, json_t *result, struct mcp_server_info *info,
			    struct err *e);
/* A page of tools/list (result taken) added to tools; *cursor becomes the next one
 * (freed, replaced), *pages counted. 1 the last page, 0 more to come, -1 with e. */
int mcp_page_answered(struct mcp_child *c, json_t *result, struct mcp_tools *tools,
		      char **cursor, size_t *pages, struct err *e);

/* mcp_http.c: c->http is set by mcp_http_open and freed by mcp_http_close. */
int mcp_http_open(struct mcp_child *c, const struct config_mcp_server *s,
		  const struct mcp_start_opts *o, struct err *e);
/* POSTs msg; request_id is the id of the request it is (0: a notification or a
 * response). Returns the transfer's tag (> 0), or -1 with e set. */
long long mcp_http_send(struct mcp_child *c, const json_t *msg, long long request_id,
			struct err *e);
/* Opens the GET stream on which the server may send requests and notifications of its
 * own (after initialize; one at a time: a new one replaces the old). A server that
 * has none (405) is only noted in the log. */
void mcp_http_listen(struct mcp_child *c);
/* See mcp_stream_status. */
long mcp_http_stream_status(struct mcp_child *c);
/* The most descriptors mcp_wait_fds adds to the server's (mcp_call_opts.wake_fds). */
#define MCP_WAKE_MAX 4
/* Waits up to timeout_ms on the transfers' sockets and n more descriptors' input. */
void mcp_http_wait(struct mcp_child *c, int timeout_ms, const int *fds, size_t n);
/* Moves what arrived; decoded messages go to the inbox. Never blocks. */
void mcp_http_pump(struct mcp_child *c);
/* How the transfer tag ended: 0 while it runs or when it ended well; 1 when it failed
 * (e says why; *expired is 1 when the server no longer knows the session). */
int mcp_http_failed(struct mcp_child *c, long long tag, int *expired, struct err *e);
/* 1 while transfer tag runs. */
int mcp_http_running(struct mcp_child *c, long long tag);
/* Stops a transfer (a request given up on). */
void mcp_http_abort(struct mcp_child *c, long long tag);
/* Forgets the session, so that the next initialize starts a new one. */
void mcp_http_reset(struct mcp_child *c);
/* The revision initialize agreed on: sent as MCP-Protocol-Version from now on. */
void mcp_http_set_version(struct mcp_child *c, const char *version);
/* Ends the session (DELETE when the server gave one, up to grace_ms) and frees the
 * transport. 0: ended; 3: the server refused DELETE (405); 4: DELETE failed or timed
 * out; 5: the server gave no session (nothing to end). */
int mcp_http_close(struct mcp_child *c, int grace_ms);

#endif
