/* tools: the kind-neutral core of tool calling (pure): the catalogue of the MCP servers'
 * tools under names every provider takes, who may run a call without asking, a
 * result cut to size with the cut marked, and a call's arguments as the user sees them. */
#ifndef CHERRY_TOOLS_H
#define CHERRY_TOOLS_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/config.h"
#include "cherry/mcp_proto.h"
#include "cherry/wire.h"

/* Providers take [A-Za-z0-9_-]{1,64} as a tool name (OpenAI, Anthropic, Gemini alike). */
#define TOOLS_NAME_MAX 64

struct tools_entry {
	char *wire;        /* SERVER__TOOL made provider-safe and unique in the catalogue */
	size_t server;     /* the caller's index of its server */
	char *server_name;
	char *tool;        /* the tool's MCP name */
	char *description; /* NULL: none */
	char *schema;      /* its inputSchema, JSON text */
};

struct tools_catalog {
	struct tools_entry *v;
	size_t n;
	struct wire_tool *wire; /* v as the wire offers it (tools_catalog_add keeps it) */
};

/* Adds server's tool. 0, or -1 (OOM). */
int tools_catalog_add(struct tools_catalog *c, size_t server, const char *server_name,
		      const struct mcp_tool *t);
/* The tool a call names, NULL when the catalogue has none by that name. */
const struct tools_entry *tools_find(const struct tools_catalog *c, const char *wire);
void tools_catalog_free(struct tools_catalog *c);

/* The user's answer to "run this call?" */
enum tools_answer {
	TOOLS_DENY,   /* the model is told it was denied */
	TOOLS_ONCE,   /* this call */
	TOOLS_RUN,    /* this tool, for the rest of this run */
	TOOLS_ALWAYS, /* this tool from now on (saved in config.json) */
};
/* A typed answer: o(nce)/y(es), r(un), a(lways), d(eny)/n(o); -1 for anything else. */
int tools_parse_answer(const char *line);

/* Who runs without asking: --allow-tools, --allow-tool NAME (SERVER/TOOL or TOOL), the
 * tools allowed for this run, and config's tools.always_allow. */
struct tools_policy {
	int allow_all;
	const char *const *allow;
	size_t nallow;
	char **run;
	size_t nrun;
};
int tools_allowed(const struct tools_policy *p, const struct config *cfg,
		  const struct tools_entry *t);
/* Adds t to the tools allowed for this run. 0 or -1 (OOM). */
int tools_allow_run(struct tools_policy *p, const struct tools_entry *t);
void tools_policy_free(struct tools_policy *p);

/* The text the model gets: at most cap bytes of text (cut between characters), then a
 * line saying how much there was. *full: the bytes it had when cut, else 0. 0 or -1. */
int tools_cap(const char *text, size_t len, size_t cap, struct buf *out, long long *full);
/* The text the model gets from tools/call: r's text capped (images counted, not sent),
 * or "error: WHY" when the call got no answer (rc < 0). *error: the model is told it
 * failed. 0 or -1 (OOM). */
int tools_result_text(const struct mcp_call_result *r, int rc, const char *why, size_t cap,
		      struct buf *out, long long *full, int *error);
/* A call's arguments as the user reads them: pretty-printed JSON (2-space indent, keys in
 * the order sent), or the text as it came when it is not JSON. Not sanitised. */
int tools_show_args(const char *args, struct buf *out);

#endif
