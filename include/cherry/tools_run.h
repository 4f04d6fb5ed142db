/* tools_run: what both faces do with an MCP server for the tool loop (a shell: it
 * talks to the server): start it, shake hands and add its tools to the catalogue; run
 * one call and turn its answer into the text the model gets. */
#ifndef CHERRY_TOOLS_RUN_H
#define CHERRY_TOOLS_RUN_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/err.h"
#include "cherry/mcp.h"
#include "cherry/tools.h"

/* A first start through `npx -y` downloads the package: tens of seconds. */
#define TOOLS_INIT_TIMEOUT_MS 60000
#define TOOLS_CALL_TIMEOUT_MS 120000
#define TOOLS_GRACE_MS 2000

/* Starts s into c (mcp_start), initialize, then its tools into cat under index (and
 * into *keep when not NULL: the caller frees them). *started is set once c must be
 * closed (mcp_close) whatever follows. 0, or -1 with e one line ("MCP server NAME: no
 * handshake: ..."). */
int tools_run_start(struct mcp_child *c, const struct config_mcp_server *s,
		    const struct mcp_start_opts *so, struct tools_catalog *cat, size_t index,
		    struct mcp_tools *keep, int *started, struct err *e);
/* The same in steps, for a loop that must not wait: tools_run_begin starts s and sends
 * initialize (*started as above; -1 with e one line); tools_run_step goes on when
 * something came (never blocks): 1 open (o->tools listed), 0 not yet, -1 with e one
 * line (o freed); tools_run_add puts a server's tools into cat (0 or -1 OOM). */
int tools_run_begin(struct mcp_child *c, const struct config_mcp_server *s,
		    const struct mcp_start_opts *so, struct mcp_opening *o, int *started,
		    struct err *e);
int tools_run_step(struct mcp_child *c, const char *name, struct mcp_opening *o, struct err *e);
int tools_run_add(struct tools_catalog *cat, size_t index, const char *name,
		  const struct mcp_tools *tools);
/* Runs tool with args (JSON text) through c: the text for the model (capped at cap)
 * into out, *error when it failed. 1 when o's stop hook stopped it (out says so), 0
 * done, -1 OOM. */
int tools_run_call(struct mcp_child *c, const char *tool, const char *args,
		   const struct mcp_call_opts *o, size_t cap, struct buf *out, long long *full,
		   int *error);

#endif
