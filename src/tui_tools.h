/* tui_tools: the full-screen client's MCP servers and tool calls, the shell side of
 * ctl_tools.h: servers started when a conversation enables them (their stderr in their
 * logs, ended with the client), their tools catalogued for the controller, a call run
 * while keys still reach the controller (Esc stops it), "always" saved in config.json.
 * Only tui.c includes this. */
#ifndef CHERRY_TUI_TOOLS_H
#define CHERRY_TUI_TOOLS_H

#include "cherry/app.h"
#include <curl/curl.h>

#include "cherry/ctl.h"

struct tui_tools;

/* Each conversation's servers kept in the state directory (state_tools.h): set after
 * ctl_init, before ctl_begin. */
void tui_tools_keep(struct ctl *c);
/* NULL on OOM. */
struct tui_tools *tui_tools_new(struct app *app);
/* Ends every server started (their process groups). */
void tui_tools_free(struct tui_tools *tt);
/* CTL_TOOLS_START: the servers the shown conversation enables that are not running yet
 * begin to start (spawned, initialize sent; the status line says so): nothing here
 * waits for them. Reactions. */
int tui_tools_start(struct tui_tools *tt, struct ctl *c);
/* The loop's wait: the descriptors of the servers starting (up to max), and the longest
 * wait (ms) they allow, -1 when none starts. */
int tui_tools_fds(const struct tui_tools *tt, struct curl_waitfd *fds, int max);
int tui_tools_wait_ms(const struct tui_tools *tt);
/* Each turn of the loop: the starting servers go on as far as what came allows (never
 * blocking); one that is up has its tools catalogued and its count shown, one that
 * failed is disabled with one line saying what to do. Reactions. */
int tui_tools_poll(struct tui_tools *tt, struct ctl *c);
/* A server still starting that the message about to be sent (ctl.pending, else the
 * shown conversation) enables: its name, NULL when none (the send need not wait). */
const char *tui_tools_awaited(const struct tui_tools *tt, const struct ctl *c);
/* Before a stream starts (CTL_START): the tools of servers that said their list
 * changed are listed again. Reactions. */
int tui_tools_refresh(struct tui_tools *tt, struct ctl *c);
/* CTL_TOOL_ALWAYS: ctl.tools->always into config.json. */
void tui_tools_always(struct tui_tools *tt, struct ctl *c);
/* CTL_TOOL_RUN: runs ctl.tools->run. Keys typed meanwhile go to the controller at once
 * (the screen redrawn); their reactions other than CTL_TOOL_STOP are added to the
 * returned ones, for the loop to carry out. *quit: TERM, HUP or INT came. */
int tui_tools_run(struct tui_tools *tt, struct ctl *c, int *quit);
/* What else goes on while a call runs: service (the other answers' transfers, read and
 * shown) whenever the call's wait wakes, and due, the longest it may sleep before
 * service wants it again (ms; < 0: not at all). */
void tui_tools_service(struct tui_tools *tt, void (*service)(void *ctx), int (*due)(void *ctx),
		       void *ctx);

#endif
