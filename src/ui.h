/* ui: the full-screen client's curses shell: the windows placed as the controller laid
 * them out, each part of the screen drawn from the controller's state (read only),
 * keys read and translated, the terminal put back. Only tui.c includes this. */
#ifndef CHERRY_UI_H
#define CHERRY_UI_H

#include <stddef.h>

#include "cherry/ctl.h"
#include "cherry/err.h"
#include "cherry/input.h"

/* Starts curses with cfg's "ui" settings (the theme; with COLORTERM=truecolor or 24bit
 * and a theme of RGB colours, on TERM's direct-colour terminfo entry when there is one,
 * so the colours are exact). *rows and *cols get the terminal's size. 0, or -1 with e. */
int ui_start(const struct config *cfg, int *rows, int *cols, struct err *e);
void ui_stop(void);
/* The terminal's size now (after a SIGWINCH), curses told of it. */
void ui_size(int *rows, int *cols);
/* Places the windows as c lays them out. */
void ui_layout(const struct ctl *c);
/* Draws what c->dirty names (wnoutrefresh each window, one doupdate). */
void ui_draw(const struct ctl *c);
/* Reads one key without waiting: 0 with *key, 1 when none is pending. A paste comes
 * between INPUT_PASTE_START and INPUT_PASTE_END, the wheel as INPUT_WHEEL_*, a resize
 * as INPUT_RESIZE; in_paste: inside a paste, ESC is a character, not Alt. */
int ui_read_key(int in_paste, input_key *key);
/* The terminal hung up (closed window, killed tmux): reads would fail forever. */
int ui_terminal_gone(void);
/* Leaves curses for a child program ($EDITOR) and comes back. */
void ui_suspend(void);
void ui_resume(void);
/* Writes an OSC 52 clipboard sequence for text to the terminal. */
int ui_osc52(const char *text, size_t len);
/* Colours are in use (not NO_COLOR, a terminal with colours). */
int ui_color(void);

#endif
