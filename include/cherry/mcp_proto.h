/* mcp_proto: the Model Context Protocol's JSON-RPC 2.0 messages (revision 2025-06-18) as
 * pure values: building requests, notifications and responses; reading any message a
 * server sends; initialize's version negotiation, tools/list pages, tools/call results,
 * progress and cancellation; newline-delimited framing for stdio. No I/O, no clock. */
#ifndef CHERRY_MCP_PROTO_H
#define CHERRY_MCP_PROTO_H

#include <stddef.h>

#include <jansson.h>

#include "cherry/buf.h"
#include "cherry/err.h"
#include "cherry/lines.h"

/* The revision cherry speaks and asks for in initialize. */
#define MCP_PROTOCOL_VERSION "2025-06-18"
/* The longest message a server may send on stdio (the reference SDK's cap, 10 MiB). */
#define MCP_MAX_LINE ((size_t)10 * 1024 * 1024)

/* JSON-RPC 2.0 error codes (the MCP schema). */
enum {
	MCP_PARSE_ERROR = -32700,
	MCP_INVALID_REQUEST = -32600,
	MCP_METHOD_NOT_FOUND = -32601,
	MCP_INVALID_PARAMS = -32602,
	MCP_INTERNAL_ERROR = -32603,
};

enum mcp_kind {
	MCP_REQUEST = 1,   /* method and id: the peer asks; answer it */
	MCP_NOTIFICATION,  /* method, no id: never answered */
	MCP_RESULT,        /* id and result: the answer to one of our requests */
	MCP_ERROR,         /* id (maybe null) and error */
};

/* One decoded message. Every pointer borrows from root, which the message owns. */
struct mcp_msg {
	enum mcp_kind kind;
	json_t *root;
	json_t *id;            /* string or integer; NULL for a notification */
	const char *method;    /* requests and notifications */
	json_t *params;        /* may be NULL */
	json_t *result;        /* MCP_RESULT */
	long long error_code;  /* MCP_ERROR */
	const char *error_message;
	json_t *error_data;    /* may be NULL */
};

/* Reads one message (one line of stdio, one HTTP body or SSE data). Not JSON, not an
 * object, not "jsonrpc":"2.0", or a shape that is none of the four kinds (a batch, a
 * null request id, both result and error): -1 with e saying which. */
int mcp_decode(const char *text, size_t len, struct mcp_msg *m, struct err *e);
void mcp_msg_free(struct mcp_msg *m);

/* Builders. params and result are stolen (NULL: none; a request's NULL params stay out).
 * Each returns NULL only when memory ran out. */
json_t *mcp_request(long long id, const char *method, json_t *params);
json_t *mcp_notification(const char *method, json_t *params);
/* id is copied from the request being answered. */
json_t *mcp_response(const json_t *id, json_t *result);
json_t *mcp_error_response(const json_t *id, int code, const char *message);

/* Appends msg as one stdio frame: compact JSON (newlines inside strings escaped) and
 * one '\n'. 0 or -1. */
int mcp_frame(const json_t *msg, struct buf *out);

/* Appends v as JSON text (jansson's dump flags) through cherry's buffer: json_dumps'
 * string would need jansson's own allocator to free. 0 or -1. */
int mcp_dump(const json_t *v, size_t flags, struct buf *out);

/* The id of our request n as the server echoes it: 1 when m's id is the integer n. */
int mcp_id_is(const struct mcp_msg *m, long long n);

/* initialize: cherry declares no client capabilities (it answers no sampling, roots or
 * elicitation requests). */
json_t *mcp_initialize_params(const char *client_name, const char *client_version);

struct mcp_server_info {
	char *protocol_version; /* the negotiated revision */
	char *name;             /* serverInfo.name; NULL when absent */
	char *version;          /* serverInfo.version; NULL when absent */
	char *instructions;     /* NULL when absent (untrusted text) */
	int has_tools;          /* capabilities.tools present */
	int tools_list_changed; /* capabilities.tools.listChanged */
};
/* Reads an initialize result. A revision cherry cannot speak (anything but 2025-06-18
 * and 2025-03-26, which has the same tool messages) is -1 with e naming it: the
 * caller then disconnects, as the specification says. */
int mcp_server_info_parse(const json_t *result, struct mcp_server_info *info, struct err *e);
void mcp_server_info_free(struct mcp_server_info *info);

/* tools/list */
struct mcp_tool {
	char *name;
	char *title;        /* NULL when absent */
	char *description;  /* NULL when absent */
	json_t *input_schema; /* owned reference */
};
struct mcp_tools {
	struct mcp_tool *v;
	size_t n, cap;
};
/* cursor: NULL for the first page. */
json_t *mcp_tools_list_params(const char *cursor);
/* Appends one page's tools to list; *next is the nextCursor to ask for next, or NULL
 * on the last page (caller frees). A tool without a string name or an object
 * inputSchema is an error: -1. */
int mcp_tools_page(const json_t *result, struct mcp_tools *list, char **next, struct err *e);
void mcp_tools_free(struct mcp_tools *list);

/* tools/call: arguments is stolen (NULL sends {}); progress_token NULL asks for none. */
json_t *mcp_call_params(const char *name, json_t *arguments, const char *progress_token);
/* notifications/cancelled for our request id. reason may be NULL. */
json_t *mcp_cancelled(long long request_id, const char *reason);

struct mcp_call_result {
	char *text;     /* the text blocks joined with '\n'; other blocks as a short note */
	int is_error;   /* isError: the tool failed, the model should see why */
	size_t nimages; /* image blocks (not in text) */
};
/* Reads a tools/call result: -1 when content is not an array. */
int mcp_call_result_parse(const json_t *result, struct mcp_call_result *r, struct err *e);
void mcp_call_result_free(struct mcp_call_result *r);

/* notifications/progress params. message borrows from params. */
struct mcp_progress {
	const json_t *token;
	double progress;
	double total;       /* valid when has_total */
	int has_total;
	const char *message; /* NULL when absent */
};
int mcp_progress_parse(const json_t *params, struct mcp_progress *p);

/* stdio framing: bytes from the server's stdout in chunks split anywhere, whole
 * messages out (blank lines skipped; one trailing CR stripped by the line splitter). */
typedef int (*mcp_message_fn)(void *ctx, struct mcp_msg *m);
/* A line that is not a message: reported, then skipped (the stream goes on). */
typedef void (*mcp_bad_line_fn)(void *ctx, const struct err *e);
struct mcp_reader {
	struct lines lines;
	mcp_message_fn on_message; /* takes ownership of m (must mcp_msg_free it) */
	mcp_bad_line_fn on_bad;    /* may be NULL */
	void *ctx;
};
void mcp_reader_init(struct mcp_reader *r, mcp_message_fn on_message, mcp_bad_line_fn on_bad,
		     void *ctx);
/* 0, the callback's nonzero value, -1 (out of memory) or LINES_TOO_LONG. */
int mcp_reader_feed(struct mcp_reader *r, const char *bytes, size_t len);
void mcp_reader_free(struct mcp_reader *r);

#endif
