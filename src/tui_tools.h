/* tui_tools: the full-screen client's MCP servers and tool calls, the shell side of
 * ctl_tools.h: servers started when a conversation enables them (their stderr in their
 * logs, ended with the client), their tools catalogued for the controller, a call run
 * while keys still reach the controller (Esc stops it), "always" saved in config.json.
 * Only tui.c includes this. */
#ifndef CHERRY_TUI_TOOLS_H
#define CHERRY_TUI_TOOLS_H

#include "cherry/app.h"
#include "cherry/ctl.h"

struct tui_tools;

/* NULL on OOM. */
struct tui_tools *tui_tools_new(struct app *app);
/* Ends every server started (their process groups). */
void tui_tools_free(struct tui_tools *tt);
/* CTL_TOOLS_START: the servers the shown conversation enables that are not running yet
 * are started (the screen says which first: a start can take a while). Reactions. */
int tui_tools_start(struct tui_tools *tt, struct ctl *c);
/* Before a stream starts (CTL_START): the tools of servers that said their list
 * changed are listed again. Reactions. */
int tui_tools_refresh(struct tui_tools *tt, struct ctl *c);
/* CTL_TOOL_ALWAYS: ctl.tools->always into config.json. */
void tui_tools_always(struct tui_tools *tt, struct ctl *c);
/* CTL_TOOL_RUN: runs ctl.tools->run. Keys typed meanwhile go to the controller (every
 * ~100 ms, the screen redrawn); their reactions other than CTL_TOOL_STOP are added to
 * the returned ones, for the loop to carry out. *quit: TERM, HUP or INT came. */
int tui_tools_run(struct tui_tools *tt, struct ctl *c, int *quit);

#endif
