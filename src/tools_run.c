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

int tools_run_start(struct mcp_child *c, const struct config_mcp_server *s,
		    const struct mcp_start_opts *so, struct tools_catalog *cat, size_t index,
		    struct mcp_tools *keep, int *started, struct err *e)
{
	struct err ce;
	err_clear(&ce);
	*started = 0;
	if (mcp_start(c, s, so, &ce) < 0)
		return say_fail(e, "cannot start", s->name, &ce);
	*started = 1;
	struct mcp_server_info info;
	struct mcp_tools tools = {0};
	if (mcp_handshake(c, TOOLS_INIT_TIMEOUT_MS, &info, &ce) < 0)
		return say_fail(e, "no handshake", s->name, &ce);
	mcp_server_info_free(&info);
	if (mcp_list_tools(c, TOOLS_INIT_TIMEOUT_MS, &tools, NULL, &ce) < 0)
		return say_fail(e, "cannot list its tools", s->name, &ce);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < tools.n; i++)
		rc = tools_catalog_add(cat, index, s->name, &tools.v[i]);
	if (keep)
		*keep = tools;
	else
		mcp_tools_free(&tools);
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
