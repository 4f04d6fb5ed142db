/* mcp: one MCP server connection, over either transport. stdio: spawn the server
 * (minimal environment, own process group, no inherited descriptors, its working
 * directory), move bytes through non-blocking pipes, keep its stderr in a bounded log,
 * end it cleanly. Streamable HTTP (mcp_http.c): every message a POST to the server's
 * url through cherry's request rules (http_easy_rules), answers as one JSON body or an
 * SSE stream, the session id and protocol version on every later request, the GET
 * stream of the server's own messages opened after initialize, DELETE at the end, a
 * new initialize when the server forgot the session. What comes on the GET stream
 * waits in the inbox: the next mcp_rpc handles it (or the caller's mcp_take).
 *
 * stdio's pipes are for the one wait: mcp_poll_fds lists what to poll (curl_multi_poll's
 * extra fds take them as they are); mcp_pump moves what is ready. An HTTP server has no
 * descriptor to poll (mcp_poll_fds gives none): mcp_wait waits on either transport.
 * mcp_rpc and mcp_call_tool are blocking round trips on top.
 *
 * A struct mcp_child must stay where it is from mcp_start to mcp_close: its reader and
 * transfers point back at it (an array of them must not be reallocated meanwhile). */
#ifndef CHERRY_MCP_H
#define CHERRY_MCP_H

#include <poll.h>
#include <sys/types.h>

#include <jansson.h>

#include "cherry/buf.h"
#include "cherry/config.h"
#include "cherry/err.h"
#include "cherry/mcp_proto.h"
#include "cherry/sanitize.h"

/* The log is renamed to NAME.log.1 when it would pass this. */
#define MCP_LOG_MAX ((off_t)1024 * 1024)

struct keyring;
struct http_opts;
struct mcp_http;

/* What a server sent that is not the answer being waited for (notifications such as
 * notifications/tools/list_changed or notifications/progress). m is borrowed. */
typedef void (*mcp_notify_fn)(void *ctx, const struct mcp_msg *m);

struct mcp_child {
	char *name;
	pid_t pid;       /* 0 once reaped */
	int in_fd;       /* the server's stdin (we write); -1 once closed */
	int out_fd;      /* its stdout (we read); -1 at end of file */
	int err_fd;      /* its stderr (into the log); -1 at end of file */
	int log_fd;      /* -1 when the log could not be opened (stderr is then dropped) */
	char *log_path;
	struct sanitizer err_san; /* stderr on its way into the log, a sequence split between
				   * two reads held across them */
	off_t log_size;
	struct buf outq; /* frames not yet written */
	struct mcp_reader reader;
	struct mcp_msg *inbox; /* decoded messages not yet taken */
	size_t ninbox, capinbox;
	long long next_id;
	int exit_status; /* waitpid status once reaped */
	mcp_notify_fn on_notify;
	void *notify_ctx;
	/* Set when the server sent notifications/tools/list_changed; mcp_list_tools
	 * clears it: the caller lists again before the next model request. */
	int tools_changed;
	struct mcp_http *http; /* the HTTP transport; NULL for a stdio server */
};

/* The environment lookup the child's minimal environment is copied from (HOME, LOGNAME,
 * PATH, SHELL, TERM, USER, LANG, LC_ALL, TMPDIR; values starting with "()" are left out),
 * then the server's configured env on top. Nothing else reaches the child: no provider
 * key unless the config names it for that server. */
typedef char *(*mcp_env_fn)(const char *name);

/* Builds the child's environment as "NAME=value" strings (NULL-ended; free with
 * mcp_env_free). Exposed for tests. */
char **mcp_env_build(const struct config_mcp_server *s, mcp_env_fn env);
void mcp_env_free(char **envp);

struct mcp_start_opts {
	const char *log_dir;     /* where NAME.log goes (made if missing); NULL: no log */
	mcp_env_fn env;          /* stdio: the environment the child's is copied from */
	struct keyring *keyring; /* HTTP: where "auth_key" is looked up; NULL: none */
	const struct http_opts *http; /* HTTP: connect/stall timeouts, ca_file; NULL:
				       * defaults (15 s, 120 s, the system's CAs) */
};

/* Starts s: a command server is spawned; a url server is only set up (nothing is sent
 * before mcp_handshake). -1 with e set when the command cannot be found or run, the
 * url is refused (plain http to a host other than loopback), or the auth_key cannot
 * be had (EXIT_KEY, EXIT_VAULT). */
int mcp_start(struct mcp_child *c, const struct config_mcp_server *s,
	      const struct mcp_start_opts *o, struct err *e);
/* mcp_start with log_dir and env, no keyring and default HTTP options. */
int mcp_spawn(struct mcp_child *c, const struct config_mcp_server *s, const char *log_dir,
	      mcp_env_fn env, struct err *e);
/* Fills up to max pollfds (at most 3) with what to wait on; returns how many (none for
 * an HTTP server). */
int mcp_poll_fds(const struct mcp_child *c, struct pollfd *fds, int max);
/* Waits up to timeout_ms until something may be ready for mcp_pump, either transport. */
void mcp_wait(struct mcp_child *c, int timeout_ms);
/* mcp_wait that also ends as soon as one of fds (n of them) has input (or hangs up). */
void mcp_wait_fds(struct mcp_child *c, int timeout_ms, const int *fds, size_t n);
/* Reads what is ready from stdout and stderr and writes queued frames (HTTP: moves what
 * the transfers got); never blocks.
 * -1 when the server's stdout broke a frame (a line over the limit) or stdin is gone
 * with frames queued. */
int mcp_pump(struct mcp_child *c, struct err *e);
/* Queues msg as one frame and tries to write it. */
int mcp_send(struct mcp_child *c, const json_t *msg, struct err *e);
/* Takes the oldest decoded message into *m (the caller frees it): 1, or 0 when none. */
int mcp_take(struct mcp_child *c, struct mcp_msg *m);

/* Sends a request (params stolen) and waits up to timeout_ms for its answer, answering
 * the server's pings and refusing its other requests (-32601) meanwhile; notifications
 * go to on_notify. *result is the result (caller decrefs). A JSON-RPC error from the
 * server is -1 with e saying "CODE MESSAGE"; on timeout a notifications/cancelled is
 * sent. HTTP: when the server no longer knows the session (404), the session is
 * initialized again and the request sent once more. */
int mcp_rpc(struct mcp_child *c, const char *method, json_t *params, int timeout_ms,
	    json_t **result, struct err *e);
/* A request on its way, its answer looked for in steps (mcp_rpc_poll): for a loop that
 * must never wait on one server. */
struct mcp_pending {
	long long id;       /* the request's */
	long long tag;      /* its HTTP transfer; 0 over stdio */
	long long deadline; /* CLOCK_MONOTONIC milliseconds */
	int timeout_ms;
	const char *method; /* a string that outlives the request */
};
/* Sends a request (params stolen) without waiting for its answer. 0, or -1 with e. */
int mcp_rpc_begin(struct mcp_child *c, const char *method, json_t *params, int timeout_ms,
		  struct mcp_pending *p, struct err *e);
/* Moves what is ready (mcp_pump), answers the server's requests as mcp_rpc does and looks
 * for p's answer; never blocks. 1 answered (*result, the caller decrefs); 0 not yet; -1
 * with e: a JSON-RPC error, the transport failed, or the time ran out. */
int mcp_rpc_poll(struct mcp_child *c, struct mcp_pending *p, json_t **result, struct err *e);

/* A server's opening in steps: initialize, notifications/initialized, every page of
 * tools/list, each answer looked for by mcp_open_step between the loop's other work. */
struct mcp_opening {
	int stage;          /* 0 initialize, 1 initialized on its way (HTTP), 2 tools/list, 3 done */
	int timeout_ms;     /* for each step */
	struct mcp_pending p;
	long long notify_tag;
	long long notify_deadline;
	char *cursor;
	size_t pages;
	struct mcp_server_info info; /* once initialize was answered */
	struct mcp_tools tools;      /* the pages read so far */
};
/* Sends initialize. 0, or -1 with e (o is then free). */
int mcp_open_begin(struct mcp_child *c, int timeout_ms, struct mcp_opening *o, struct err *e);
/* Goes as far as what came allows; never blocks. 1 open (o->info, o->tools: the caller
 * takes them, or frees o), 0 not yet, -1 with e (o is freed). */
int mcp_open_step(struct mcp_child *c, struct mcp_opening *o, struct err *e);
void mcp_opening_free(struct mcp_opening *o);

/* Sends a notification (params stolen). */
int mcp_notify(struct mcp_child *c, const char *method, json_t *params, struct err *e);

/* initialize (version negotiation: a revision cherry cannot speak ends with -1), then
 * notifications/initialized. info is filled on success (caller frees). */
int mcp_handshake(struct mcp_child *c, int timeout_ms, struct mcp_server_info *info,
		  struct err *e);
/* Every page of tools/list, following nextCursor (at most 1000 pages; a cursor that
 * repeats is an error). *pages (may be NULL) gets how many pages came. */
int mcp_list_tools(struct mcp_child *c, int timeout_ms, struct mcp_tools *tools, size_t *pages,
		   struct err *e);

/* HTTP: the status the server answered the GET stream of its own messages with (200:
 * open; 405: it has none), 0 while not known yet, -1 when it could not be opened or
 * ended without one. stdio: 0. */
long mcp_stream_status(struct mcp_child *c);

/* tools/call with the model's arguments. */
struct mcp_call_opts {
	int timeout_ms;   /* then notifications/cancelled, and -1 with EXIT_NETWORK; 0: 60 s */
	/* Each notifications/progress for this call (may be NULL). */
	void (*progress)(void *ctx, const struct mcp_progress *p);
	/* Asked while waiting (may be NULL): nonzero stops the call (notifications/cancelled,
	 * then -1 with EXIT_INTERRUPTED). It is asked at once when one of wake_fds has input,
	 * after every message from the server, and when next_ms says; without wake_fds,
	 * every 100 ms. */
	int (*stop)(void *ctx);
	void *ctx;
	/* What the user acts through (the terminal, the signal pipe): the wait blocks on
	 * these with the server's own (at most 4), so a key or a signal is seen at once. stop
	 * must read what woke it (or stop the call), else the wait would wake again at once. */
	const int *wake_fds;
	size_t nwake;
	/* Milliseconds until stop wants asking anyway (its timers), < 0 none; may be NULL. */
	int (*next_ms)(void *ctx);
};
/* Calls tool name (arguments stolen; NULL sends {}), asking for progress (o may be
 * NULL: the defaults). 0 with *r filled: the tool's result, or a JSON-RPC error turned
 * into an error result ("MCP error CODE: MESSAGE", is_error set) so that the model sees
 * why. -1 (e set) when the call never got an answer: transport failure, timeout, stop. */
int mcp_call_tool(struct mcp_child *c, const char *name, json_t *arguments,
		  const struct mcp_call_opts *o, struct mcp_call_result *r, struct err *e);

/* Ends the server: closes its stdin, waits up to grace_ms, SIGTERMs its process group,
 * waits grace_ms again, then SIGKILLs it. Returns how it ended: 0 on its own after
 * stdin closed, 1 after SIGTERM, 2 after SIGKILL. HTTP: DELETE ends the session (up to
 * grace_ms): 0 ended, 3 the server does not allow DELETE (405), 4 DELETE failed, 5 the
 * server gave no session. Frees c. */
int mcp_close(struct mcp_child *c, int grace_ms);

#endif
