/* tui_int: what tui.c (the client's loop, streams, reactions) shares with tui_world.c
 * (the world the controller asks about, answered from the store and the app). */
#ifndef CHERRY_TUI_INT_H
#define CHERRY_TUI_INT_H

#include <pthread.h>

#include "cherry/app.h"
#include "cherry/ctl.h"
#include "cherry/outcome.h"
#include "tui_stream.h"

struct tui {
	struct app *app;
	struct http_engine *eng;
	struct histstore store;
	int store_ok;
	int prompts_unsaved; /* the prompt history's last save failed: tried again at quit */
	struct edit ed;
	struct ctl c;
	struct tui_streams ts;    /* the transfers of the controller's streams */
	double last_draw;
	int quit_signal;          /* quitting because of TERM, HUP or INT */
	int key_waits;            /* a send waits for an MCP server to start (tui_tools) or
				   * a PDF's text (tui_pdf) */
	struct tui_pdf *pdf;
	struct model_fetch *fetch; /* the model lists being fetched, or NULL */
	int fetched;              /* a fetch ran in this process */
	int fetch_done;           /* and ended: tell the controller */
	char proxy_model[160];    /* the model c.proxy was found for */
	struct histsearch *search; /* the search of every conversation under way */
	struct histstore_lister *lister; /* the conversation list being read, or NULL */
	size_t list_shown;               /* entries its last snapshot showed */
	int list_quiet;                  /* read again: shown when whole, not in parts */
	struct histwatch *watch;         /* what changed on disk since the list was read */
	int listed;                      /* a listing ended: the list is as it found the
					  * directory, but for what watch has seen since */
	double watch_drained;            /* when its events were last read */
	int watch_thread;                /* the thread making it runs or has not been joined */
	pthread_t watch_tid;
	struct histwatch *watch_made;    /* what it made, taken at the join */
	int watch_ready;                 /* it has ended (atomic) */
	struct tui_tools *tools;  /* MCP servers and tool calls (tui_tools.h) */
	int collecting;           /* the attachments of a conversation deleted are looked for
				   * in the others, a step each turn (histstore_collect_step) */
	int in_call;              /* a tool call runs: the streams' reactions are held */
	int held;                 /* those, carried out when it ends */
};

/* The calendar time, in seconds. */
double tui_wall_now(void);

/* The list read again (ctl_world's list_refresh): 1 when what changed since it was read
 * was known and given to the controller, 0 when it is read again whole in steps, -1. */
int tui_list_refresh(struct tui *t);

/* The controller's world (ctl.h), its context a struct tui. */
extern const struct ctl_world tui_world;

#endif
