/* ui_int: what ui.c (curses start/stop, keys, layout) shares with ui_draw.c (painting):
 * the windows, placed by ui_layout and drawn into by ui_draw. Only ui*.c include this. */
#ifndef CHERRY_UI_INT_H
#define CHERRY_UI_INT_H

#include <curses.h>

#include "cherry/config.h"
#include "cherry/ctl.h"
#include "cherry/theme.h"

/* The conversation list's width, its border column excluded. */
#define UI_LIST_WIDTH 24

extern WINDOW *ui_w_list, *ui_w_chat, *ui_w_input, *ui_w_status, *ui_w_over;

/* The theme config.json's "ui": {"theme": NAME} names (ui_draw.c reads it), loaded by
 * ui_start: its colours decide whether curses starts on a direct-colour terminfo entry. */
extern struct theme ui_theme;
void ui_load_theme(const struct config *cfg, struct theme *th);

/* Draws s[0..len) at (y, x) of w in at most maxw columns, cluster by cluster at the
 * columns text.h computes (controls as U+FFFD, TAB as spaces); the columns used. */
int ui_draw_text(WINDOW *w, int y, int x, int maxw, const char *s, size_t len);
/* ui_draw_text, ending in "..." (U+2026) when s is wider than maxw. */
int ui_draw_cut(WINDOW *w, int y, int x, int maxw, const char *s, size_t len);
void ui_fill_to(WINDOW *w, int y, int from, int to);

/* The input box and the status line (ui_input.c), painted when they changed: the
 * status line (1 when it was painted), the input (*cur_y, *cur_x: the cursor's place);
 * ui_input_forget: both painted whole next time. */
int ui_draw_status(const struct ctl *t);
void ui_draw_input(const struct ctl *t, int *cur_y, int *cur_x);
void ui_input_forget(void);

/* Writes n bytes to the terminal, past curses (after a refresh). */
void ui_write(const char *s, size_t n);

/* OSC 8 hyperlinks (ui_links.c): on or off (ui_start decides); each drawing of the chat
 * or an overlay begins a set, adds the screen cells that show a link's URL, and after
 * doupdate flush writes them (and clears the links that went). */
void ui_links_enable(int on);
void ui_links_begin(void);
void ui_links_add(int y, int x, int cols, const char *uri, size_t n);
/* A row left as it was (or moved from from_y to to_y): the links the last set had on
 * it, between columns x and x + cols, are in this one too. */
void ui_links_keep(int from_y, int to_y, int x, int cols);
void ui_links_flush(void);

#endif
