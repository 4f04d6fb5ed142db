/* ui_int: what ui.c (curses start/stop, keys, layout) shares with ui_draw.c (painting):
 * the windows, placed by ui_layout and drawn into by ui_draw. Only ui*.c include this. */
#ifndef CHERRY_UI_INT_H
#define CHERRY_UI_INT_H

#include <curses.h>

/* The conversation list's width, its border column excluded. */
#define UI_LIST_WIDTH 24

extern WINDOW *ui_w_list, *ui_w_chat, *ui_w_input, *ui_w_status, *ui_w_over;

#endif
