/* ui_int: what ui.c (curses start/stop, keys, layout) shares with ui_draw.c (painting):
 * the windows, placed by ui_layout and drawn into by ui_draw. Only ui*.c include this. */
#ifndef CHERRY_UI_INT_H
#define CHERRY_UI_INT_H

#include <curses.h>

#include "cherry/config.h"
#include "cherry/theme.h"

/* The conversation list's width, its border column excluded. */
#define UI_LIST_WIDTH 24

extern WINDOW *ui_w_list, *ui_w_chat, *ui_w_input, *ui_w_status, *ui_w_over;

/* The theme config.json's "ui": {"theme": NAME} names (ui_draw.c reads it), loaded by
 * ui_start: its colours decide whether curses starts on a direct-colour terminfo entry. */
extern struct theme ui_theme;
void ui_load_theme(const struct config *cfg, struct theme *th);

/* Writes n bytes to the terminal, past curses (after a refresh). */
void ui_write(const char *s, size_t n);

/* OSC 8 hyperlinks (ui_links.c): on or off (ui_start decides); each drawing of the chat
 * or an overlay begins a set, adds the screen cells that show a link's URL, and after
 * doupdate flush writes them (and clears the links that went). */
void ui_links_enable(int on);
void ui_links_begin(void);
void ui_links_add(int y, int x, int cols, const char *uri, size_t n);
void ui_links_flush(void);

#endif
