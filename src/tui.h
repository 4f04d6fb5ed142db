/* tui: the full-screen client's state, shared by its two halves: tui.c (the one loop,
 * keys, commands, streams) and ui.c (curses windows and drawing). Nothing else
 * includes this. */
#ifndef CHERRY_TUI_PRIVATE_H
#define CHERRY_TUI_PRIVATE_H

#include <stddef.h>

#include "cherry/app.h"
#include "cherry/buf.h"
#include "cherry/chat.h"
#include "cherry/edit.h"
#include "cherry/histstore.h"
#include "cherry/http.h"
#include "cherry/input.h"
#include "cherry/view.h"

/* What changed since the last frame. */
enum {
	DIRTY_LIST = 1,
	DIRTY_CHAT = 2,
	DIRTY_INPUT = 4,
	DIRTY_STATUS = 8,
	DIRTY_ALL = 15,
	DIRTY_LAYOUT = 16, /* the geometry must be recomputed (resize, input grew) */
};

enum tui_state {
	ST_IDLE,
	ST_CONNECTING, /* request sent, nothing back yet */
	ST_THINKING,   /* reasoning text arriving */
	ST_STREAMING,  /* answer text arriving */
	ST_STALLED,
	ST_STOPPED,
	ST_ERROR,
};

enum overlay_kind {
	OV_NONE,
	OV_HELP,
	OV_MODELS,
	OV_SWITCHER,
};

/* The picker, switcher and help screen: a filtered list drawn over the chat. */
struct overlay {
	enum overlay_kind kind;
	struct buf filter;
	char **items;       /* all items (help: lines) */
	char **labels;      /* what is shown for each (NULL: items) */
	size_t nitems;
	size_t *match;      /* indexes of items passing the filter */
	size_t nmatch;
	size_t sel;         /* index into match */
	size_t top;         /* first shown row */
};

enum { STOP_USER = 1, STOP_SIGNAL = 2 };

/* The one answer being streamed (one at a time). */
struct stream {
	struct chat *chat;        /* the conversation it belongs to */
	size_t answer;            /* its index in chat->conv.msgs */
	long view_msg;            /* its message in the view while shown, else -1 */
	struct http_transfer *t;
	struct wire_http req;
	struct secret *key;
	char spec[160];
	double started;           /* monotonic */
	double first;             /* first delta, < 0 before */
	double last_delta;
	long deltas;              /* text and reasoning deltas: a token estimate */
	int ended;                /* the done callback ran */
	int stop_requested;       /* STOP_USER or STOP_SIGNAL once cancelled */
};

/* Where keys go. */
enum focus { FOCUS_INPUT, FOCUS_LIST, FOCUS_CONFIRM_DELETE, FOCUS_PASSPHRASE };

struct tui {
	struct app *app;
	struct http_engine *eng;
	struct histstore store;
	int store_ok;
	struct input_map keys;
	struct edit ed;

	struct chat *shown;       /* the conversation on screen (never NULL while running) */
	struct stream *st;        /* NULL when no answer is streaming */
	struct view *view;

	char model[160];          /* "provider/model" for the next message; "" none */
	int fav_index;            /* position in favorites, -1 when the model is not one */
	json_t *temperature;      /* from /assistant, NULL: provider default (not owned) */

	enum tui_state state;
	char state_note[256];     /* the error or stop note shown with ST_ERROR */
	struct wire_usage usage;  /* of the last finished answer */
	double ttft;              /* of the last answer, < 0 unknown */
	double rate;              /* tokens/s of the current or last stream */
	char message[512];        /* transient status text, "" none */
	double message_until;     /* monotonic expiry */
	char proxy[128];          /* proxy host shown in the status line, "" none */

	struct hist_entry *list;  /* the conversation list, newest first */
	size_t nlist;
	size_t list_sel;
	size_t list_top;
	int show_list;            /* the user wants the list (F3) */
	int list_visible;         /* and the terminal is wide enough */

	enum focus focus;
	struct overlay ov;

	/* scrolling: follow the bottom, or keep top_line */
	int follow;
	size_t top_line;
	int more_below;

	/* geometry (ui.c) */
	int rows, cols;
	int chat_x, chat_w, chat_h, input_h;
	size_t input_top;         /* first shown row of the wrapped input */
	int force_layout;         /* redo the windows even if the geometry is the same */

	/* the in-screen passphrase prompt */
	const char *pw_prompt;
	struct buf pw_masked;     /* "*" per typed character */

	int dirty;
	double last_draw;
	int quit;
	int quit_signal;          /* quitting because of TERM, HUP or INT */
	int in_paste;
	int welcome;              /* the welcome text is shown */
	int color;
};

/* ui.c */
int ui_start(struct tui *t, struct err *e);
void ui_stop(struct tui *t);
/* Recomputes the geometry from the terminal size and moves the windows. */
void ui_layout(struct tui *t);
/* Draws what is dirty (wnoutrefresh each window, one doupdate). */
void ui_draw(struct tui *t);
/* Reads one key without waiting: 0 with *key, 1 when none is pending; a paste's bytes
 * come as keys between UI_PASTE_START and UI_PASTE_END; mouse wheel as UI_WHEEL_UP/DOWN;
 * a resize as UI_RESIZE. */
int ui_read_key(struct tui *t, input_key *key);
#define UI_PASTE_START (INPUT_FN | 0x7f0001u)
#define UI_PASTE_END (INPUT_FN | 0x7f0002u)
#define UI_WHEEL_UP (INPUT_FN | 0x7f0003u)
#define UI_WHEEL_DOWN (INPUT_FN | 0x7f0004u)
#define UI_RESIZE (INPUT_FN | 0x7f0005u)
/* Leaves curses for a child program ($EDITOR) and comes back. */
void ui_suspend(struct tui *t);
void ui_resume(struct tui *t);
/* Writes an OSC 52 clipboard sequence for text to the terminal. */
int ui_osc52(const char *text, size_t len);

/* tui.c, used by ui.c */
const char *tui_state_word(const struct tui *t, char *tmp, size_t tmpsz);

#endif
