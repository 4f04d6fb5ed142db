/* mcp: the stdio transport shell for one MCP server: spawn it (minimal environment, own
 * process group, no inherited descriptors, its working directory), move bytes through
 * non-blocking pipes, keep its stderr in a bounded log, end it cleanly. The Streamable
 * HTTP transport is not here yet (config accepts url servers; commands refuse them).
 *
 * The pipes are for the one wait: mcp_poll_fds lists what to poll (curl_multi_poll's
 * extra fds take them as they are); mcp_pump moves what is ready. mcp_rpc is a simple
 * blocking round trip on top, for `cherry mcp` and tests. */
#ifndef CHERRY_MCP_H
#define CHERRY_MCP_H

#include <poll.h>
#include <sys/types.h>

#include <jansson.h>

#include "cherry/buf.h"
#include "cherry/config.h"
#include "cherry/err.h"
#include "cherry/mcp_proto.h"

/* The log is renamed to NAME.log.1 when it would pass this. */
#define MCP_LOG_MAX ((off_t)1024 * 1024)

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
	off_t log_size;
	struct buf outq; /* frames not yet written */
	struct mcp_reader reader;
	struct mcp_msg *inbox; /* decoded messages not yet taken */
	size_t ninbox, capinbox;
	long long next_id;
	int exit_status; /* waitpid status once reaped */
	mcp_notify_fn on_notify;
	void *notify_ctx;
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

/* Starts s (a command server). log_dir: where NAME.log goes (made if missing); NULL for
 * no log. -1 with e set when the command cannot be found or run. */
int mcp_spawn(struct mcp_child *c, const struct config_mcp_server *s, const char *log_dir,
	      mcp_env_fn env, struct err *e);
/* Fills up to max pollfds (at most 3) with what to wait on; returns how many. */
int mcp_poll_fds(const struct mcp_child *c, struct pollfd *fds, int max);
/* Reads what is ready from stdout and stderr and writes queued frames; never blocks.
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
 * sent. */
int mcp_rpc(struct mcp_child *c, const char *method, json_t *params, int timeout_ms,
	    json_t **result, struct err *e);
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

/* Ends the server: closes its stdin, waits up to grace_ms, SIGTERMs its process group,
 * waits grace_ms again, then SIGKILLs it. Returns how it ended: 0 on its own after
 * stdin closed, 1 after SIGTERM, 2 after SIGKILL. Frees c. */
int mcp_close(struct mcp_child *c, int grace_ms);

#endif
