/* tools_run: an MCP server started for the tool loop and its tools catalogued, a call
 * run and its answer made the model's text; shared by `cherry ask` (ask_tools.c) and the
 * full-screen client (tui_tools.c). */
#include "cherry/tools_run.h"

#include <stdlib.h>
#include <string.h>

static int say_fail(struct err *e, const char *what, const char *name, const struct err *why)
{
	err_set(e, EXIT_FAIL, "MCP server %s: %s: %s", name, what,
		why->msg);
	return -1;
}

int tools_run_begin(struct mcp_child *c, const struct config_mcp_server *s,
		    const struct mcp_start_opts *so, struct mcp_opening *o, int *started,
		    struct err *e)
{
	struct err ce;
	err_clear(&ce);
	*started = 0;
	if (mcp_start(c, s, so, &ce) < 0)
		return say_fail(e, "cannot start", s->name, &ce);
	*started = 1;
	if (mcp_open_begin(c, TOOLS_INIT_TIMEOUT_MS, o, &ce) < 0)
		return say_fail(e, "no handshake", s->name, &ce);
	return 0;
}

int tools_run_step(struct mcp_child *c, const char *name, struct mcp_opening *o, struct err *e)
{
	struct err ce;
	err_clear(&ce);
	int stage = o->stage;
	int rc = mcp_open_step(c, o, &ce);
	if (rc < 0)
		return say_fail(e, stage < 2 ? "no handshake" : "cannot list its tools", name, &ce);
	return rc;
}

int tools_run_add(struct tools_catalog *cat, size_t index, const char *name,
		  const struct mcp_tools *tools)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < tools->n; i++)
		rc = tools_catalog_add(cat, index, name, &tools->v[i]);
	return rc;
}

int tools_run_start(struct mcp_child *c, const struct config_mcp_server *s,
		    const struct mcp_start_opts *so, struct tools_catalog *cat, size_t index,
		    struct mcp_tools *keep, int *started, struct err *e)
{
	struct mcp_opening o;
	if (tools_run_begin(c, s, so, &o, started, e) < 0)
		return -1;
	int rc;
	while ((rc = tools_run_step(c, s->name, &o, e)) == 0)
		mcp_wait(c, 100);
	if (rc < 0)
		return -1;
	rc = tools_run_add(cat, index, s->name, &o.tools);
	if (keep) {
		*keep = o.tools;
		memset(&o.tools, 0, sizeof o.tools);
	}
	mcp_opening_free(&o);
	if (rc < 0)
		err_set(e, EXIT_FAIL, "out of memory");
	return rc;
}

int tools_run_call(struct mcp_child *c, const char *tool, const char *args,
		   const struct mcp_call_opts *o, size_t cap, struct buf *out, long long *full,
		   int *error)
{
	json_error_t jerr;
	json_t *a = json_loads(args, 0, &jerr);
	struct err e;
	err_clear(&e);
	struct mcp_call_result r = {0};
	int rc = mcp_call_tool(c, tool, a, o, &r, &e);
	*full = 0;
	if (rc < 0 && e.code == EXIT_INTERRUPTED) {
		mcp_call_result_free(&r);
		*error = 1;
		return buf_append_str(out, "The call was stopped by the user.") < 0 ? -1 : 1;
	}
	rc = tools_result_text(&r, rc, e.msg, cap, out, full, error);
	mcp_call_result_free(&r);
	return rc;
}
