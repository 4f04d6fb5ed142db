/* ctl_tools: the full-screen client's tool loop, in the controller (pure, as the rest of
 * ctl*). Per conversation, the MCP servers enabled for it (/tools; an assistant's "mcp"
 * list sets them; none otherwise) and the tools allowed for it. After an answer with
 * calls, each call in turn: run at once when allowed (tools.always_allow, or "for this
 * conversation"), else asked in MODE_TOOLS (an overlay: server, tool, the arguments
 * pretty and scrollable); its result saved as a message of its own; then the next
 * answer, up to tools.max_rounds. The shell (tui_tools.c) starts the servers, runs the
 * calls (CTL_TOOL_RUN, answered by ctl_tool_done) and saves "always" in config.json.
 * Calls and results show folded in the chat (ctl_toolview.c). */
#ifndef CHERRY_CTL_TOOLS_H
#define CHERRY_CTL_TOOLS_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/ctl.h"
#include "cherry/tools.h"

/* The servers enabled for one conversation, and its tools allowed "for this
 * conversation" (pol.run). */
struct ctl_tools_conv {
	char id[HIST_ID_MAX + 1];
	char **servers;
	size_t n;
	struct tools_policy pol;
};

/* A result of this run: how long it took (shown in its folded line); or one shown whole. */
struct ctl_tool_mark {
	char conv[HIST_ID_MAX + 1];
	char msg[32];
	double secs;
};

struct ctl_tools {
	const struct tools_catalog *cat; /* the started servers' tools (the shell's); NULL none */
	struct ctl_tools_conv *convs;
	size_t nconvs;
	struct ctl_tool_mark *times;
	size_t ntimes;
	int expanded;            /* tool messages shown whole (F7) */
	struct ctl_tool_mark *open; /* and those shown whole one by one (Enter, selected) */
	size_t nopen;
	/* the turn under way: its answer's calls asked, run and answered one by one */
	int active;
	struct chat *chat;
	size_t answer;           /* the answer whose calls these are */
	size_t k;                /* the call being asked or run */
	size_t parent;           /* the last result (the answer before the first) */
	size_t waiting;          /* the next answer, streaming; SIZE_MAX: none yet */
	long rounds;             /* answers with calls in this turn */
	int stopped;             /* Esc: the calls left are not run, no answer follows */
	char spec[160];          /* the model that answers again */
	/* CTL_TOOL_RUN: the call to run; CTL_TOOL_ALWAYS: the tool to save */
	const struct tools_entry *run;
	struct buf run_args;
	int running;
	double started;
	const struct tools_entry *always;
	/* Each conversation's servers kept across runs, set by the shell (NULL: not kept):
	 * load gives their names (malloc'd, each too; the controller frees them), *n 0
	 * when none; save keeps them (n 0 forgets them). 0, or -1 with e. */
	int (*load)(const char *id, char ***names, size_t *n, struct err *e);
	int (*save)(const char *id, char *const *names, size_t n, struct err *e);
};

/* Sets up and frees c->tools (ctl_init, ctl_free). 0 or -1 (OOM). */
int ctl_tools_init(struct ctl *c);
void ctl_tools_free(struct ctl *c);

/* Shell events. The catalogue of the started servers' tools changed (cat stays the
 * shell's, valid until the next call). */
int ctl_tools_catalog(struct ctl *c, const struct tools_catalog *cat);
/* A server could not be started: it is disabled again, the line shown. */
int ctl_tools_failed(struct ctl *c, const char *server, const char *line);
/* The streamed answer's calls (before ctl_stream_end): saved with the answer (1; 0
 * none). -1 with e when they are broken (the answer then ends as an error). */
int ctl_stream_calls(struct ctl *c, unsigned long id, struct wire_stream *ws, double wall,
		     struct err *e);
/* The call of CTL_TOOL_RUN ended: its text for the model (capped), error set when it
 * failed or was stopped. */
int ctl_tool_done(struct ctl *c, const char *text, int error, long long full, double now,
		  double wall);

/* The running call's server told how far it got (total <= 0: unknown; message may be
 * NULL): the question's first line says so. */
int ctl_tool_progress(struct ctl *c, double progress, double total, const char *message);
/* For the shell and drawing: is server enabled for the shown conversation; how many
 * tools the shown conversation offers. */
int ctl_tools_enabled(const struct ctl *c, const char *server);
/* Is server enabled for ch. */
int ctl_tools_chat_enables(const struct ctl *c, const struct chat *ch, const char *server);
size_t ctl_tools_count(const struct ctl *c);

/* Inside the controller (ctl_stream_end, ctl_key_result, ctl_stream_request, the view). */
/* The answer ended: 1 when its calls start (or go on with) a tool turn. */
int ctl_tools_answer_end(struct ctl *c, struct chat *ch, size_t answer, const char *spec,
			 enum hist_status status);
/* A tool turn holds ch (it is not closed while the turn goes on). */
int ctl_tools_holds(const struct ctl *c, const struct chat *ch);
/* The key for the next answer of the turn was found: it starts. */
void ctl_tools_continue(struct ctl *c);
/* The key was not found: the turn ends. */
void ctl_tools_abandon(struct ctl *c);
/* The tools ch offers (wire names of the catalogue); *v malloc'd (NULL none). 0 or -1. */
int ctl_tools_offered(const struct ctl *c, const struct chat *ch, struct wire_tool **v,
		      size_t *n);
/* Message i of the shown conversation in the view, when it is a tool's result: 1. */
int ctl_tools_view_msg(struct ctl *c, size_t i);
/* Enter on a selected message: a tool's result is shown whole, or folded again (1);
 * 0 when msg is no tool's result. */
int ctl_tools_toggle_msg(struct ctl *c, size_t msg);
/* ch is shown: the servers it turned on in an earlier run (tools->load, once per
 * conversation and run) are its again, and those not running start (CTL_TOOLS_START). */
void ctl_tools_shown(struct ctl *c, const struct chat *ch);
/* /tools [NAME on|off]; the set is kept (tools->save). */
int ctl_tools_command(struct ctl *c, const char *arg);
/* An assistant's "mcp": ["NAME", ...] becomes the shown conversation's servers. */
void ctl_tools_assistant(struct ctl *c, json_t *assistant);
/* " · 3 tools" for the status line (nothing when none). */
void ctl_tools_status(const struct ctl *c, struct buf *out);

/* The key handlers of MODE_TOOLS and F7. */
void ctl_h_tool_once(struct ctl *c);
void ctl_h_tool_conversation(struct ctl *c);
void ctl_h_tool_always(struct ctl *c);
void ctl_h_tool_deny(struct ctl *c);
void ctl_h_tool_stop(struct ctl *c);
void ctl_h_toggle_tools(struct ctl *c);

#endif
