/* mcp_open: a server's opening in steps (mcp.h, struct mcp_opening): initialize, then
 * notifications/initialized, then every page of tools/list, each answer looked for
 * without waiting, so that the full-screen client's loop keeps answering keys while a
 * server starts (npx may take seconds to fetch it). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcp_int.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mcp_opening_free(struct mcp_opening *o)
{
	mcp_server_info_free(&o->info);
	mcp_tools_free(&o->tools);
	free(o->cursor);
	memset(o, 0, sizeof *o);
}

static int fail(struct mcp_opening *o)
{
	mcp_opening_free(o);
	return -1;
}

int mcp_open_begin(struct mcp_child *c, int timeout_ms, struct mcp_opening *o, struct err *e)
{
	memset(o, 0, sizeof *o);
	o->timeout_ms = timeout_ms;
	json_t *params = mcp_initialize_params("cherry", CHERRY_VERSION);
	if (!params) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return mcp_rpc_begin(c, "initialize", params, timeout_ms, &o->p, e) < 0 ? fail(o) : 0;
}

static int ask_page(struct mcp_child *c, struct mcp_opening *o, struct err *e)
{
	json_t *params = mcp_tools_list_params(o->cursor);
	if (!params) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	o->stage = 2;
	return mcp_rpc_begin(c, "tools/list", params, o->timeout_ms, &o->p, e);
}

/* initialize answered: initialized goes (over HTTP the server accepts it first). */
static int initialized(struct mcp_child *c, struct mcp_opening *o, struct err *e)
{
	json_t *msg = mcp_notification("notifications/initialized", NULL);
	if (!msg) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	int rc;
	if (c->http) {
		o->notify_tag = mcp_http_send(c, msg, 0, e);
		o->notify_deadline = now_ms() + o->timeout_ms;
		o->stage = 1;
		rc = o->notify_tag < 0 ? -1 : 0;
	} else {
		rc = mcp_send(c, msg, e);
	}
	json_decref(msg);
	/* A list_changed that comes while the pages are read sets it again. */
	c->tools_changed = 0;
	return rc < 0 ? -1 : c->http ? 0 : ask_page(c, o, e);
}

int mcp_open_step(struct mcp_child *c, struct mcp_opening *o, struct err *e)
{
	for (;;) {
		json_t *result = NULL;
		int rc;
		if (o->stage == 1) {
			mcp_http_pump(c);
			int expired;
			if (mcp_http_running(c, o->notify_tag)) {
				if (now_ms() < o->notify_deadline)
					return 0;
				mcp_http_abort(c, o->notify_tag);
				err_set(e, EXIT_NETWORK, "%s: notifications/initialized was not "
					"accepted in %d ms", c->name, o->timeout_ms);
				return fail(o);
			}
			if (mcp_http_failed(c, o->notify_tag, &expired, e))
				return fail(o);
			mcp_http_listen(c);
			if (ask_page(c, o, e) < 0)
				return fail(o);
			continue;
		}
		rc = mcp_rpc_poll(c, &o->p, &result, e);
		if (rc <= 0)
			return rc < 0 ? fail(o) : 0;
		if (o->stage == 0) {
			if (mcp_initialize_answered(c, result, &o->info, e) < 0 ||
			    initialized(c, o, e) < 0)
				return fail(o);
			continue;
		}
		rc = mcp_page_answered(c, result, &o->tools, &o->cursor, &o->pages, e);
		if (rc < 0 || (rc == 0 && ask_page(c, o, e) < 0))
			return fail(o);
		if (rc == 1) {
			o->stage = 3;
			return 1;
		}
	}
}
