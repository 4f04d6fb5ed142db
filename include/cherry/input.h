/* input: the one table of actions of the full-screen client (mode, name, default keys,
 * help), key names ("C-o", "M-Enter", "S-F2"), the key maps of every mode with
 * config.json "keys" rebinding, and the help text generated from the table (pure: no
 * curses; the key codes below have curses' numbers, which the shell checks). */
#ifndef CHERRY_INPUT_H
#define CHERRY_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cherry/buf.h"

/* A key: a Unicode code point (control keys are 1..31, Enter is 13, C-j 10, Esc 27,
 * Backspace 127), or with INPUT_FN a key code below (the same numbers as curses'
 * KEY_*); INPUT_META is added for Alt/Meta (ESC prefix). */
typedef uint32_t input_key;
#define INPUT_FN 0x01000000u
#define INPUT_META 0x02000000u
#define INPUT_CODE(k) ((k) & 0x00ffffffu)

enum {
	IK_DOWN = 0402, IK_UP = 0403, IK_LEFT = 0404, IK_RIGHT = 0405, IK_HOME = 0406,
	IK_BACKSPACE = 0407, IK_F0 = 0410, IK_DC = 0512, IK_IC = 0513, IK_SF = 0520,
	IK_SR = 0521, IK_NPAGE = 0522, IK_PPAGE = 0523, IK_ENTER = 0527, IK_BTAB = 0541,
	IK_END = 0550, IK_SDC = 0577, IK_SEND = 0602, IK_SHOME = 0607, IK_SIC = 0610,
	IK_SLEFT = 0611, IK_SNEXT = 0614, IK_SPREVIOUS = 0616, IK_SRIGHT = 0622,
};
#define IK_F(n) (IK_F0 + (n))
/* What the shell passes that no terminal key is: a paste's start and end (bracketed
 * paste), the mouse wheel, a resize. */
#define INPUT_PASTE_START (INPUT_FN | 0x7f0001u)
#define INPUT_PASTE_END (INPUT_FN | 0x7f0002u)
#define INPUT_WHEEL_UP (INPUT_FN | 0x7f0003u)
#define INPUT_WHEEL_DOWN (INPUT_FN | 0x7f0004u)
#define INPUT_RESIZE (INPUT_FN | 0x7f0005u)
/* A click of the first mouse button at row y, column x of the screen (both below 2048). */
#define INPUT_CLICK(y, x) (INPUT_FN | 0x800000u | ((uint32_t)(y) & 0x7ffu) << 11 | ((uint32_t)(x) & 0x7ffu))
#define INPUT_IS_CLICK(k) (((k) & (INPUT_FN | INPUT_META | 0xc00000u)) == (INPUT_FN | 0x800000u))
#define INPUT_CLICK_Y(k) ((int)(((k) >> 11) & 0x7ffu))
#define INPUT_CLICK_X(k) ((int)((k) & 0x7ffu))
/* The wheel turned up or down over row y (below 1024), column x (below 2048). */
#define INPUT_WHEEL_AT(y, x, down)                                                          \
	(INPUT_FN | 0xc00000u | ((down) ? 0x200000u : 0) | ((uint32_t)(y) & 0x3ffu) << 11 |   \
	 ((uint32_t)(x) & 0x7ffu))
#define INPUT_IS_WHEEL_AT(k) (((k) & (INPUT_FN | INPUT_META | 0xc00000u)) == (INPUT_FN | 0xc00000u))
#define INPUT_WHEEL_AT_DOWN(k) (((k) & 0x200000u) != 0)
#define INPUT_WHEEL_AT_Y(k) ((int)(((k) >> 11) & 0x3ffu))

/* Where keys go; each mode has its own key map, drawn from the one table. */
enum input_mode {
	MODE_CHAT,       /* the input box: writing and sending */
	MODE_LIST,       /* the conversation list has the focus */
	MODE_PICK,       /* the model picker and the conversation switcher: filter, choose */
	MODE_HELP,       /* the help screen */
	MODE_CONFIRM,    /* a yes/no question in the input line */
	MODE_PASSPHRASE, /* the vault passphrase, typed in the input line */
	MODE_SELECT,     /* a message of the chat is selected: act on it */
	MODE_FIND,       /* the search line of find-in-the-chat */
	MODE_TOOLS,      /* a tool call is asked about (or runs): allow, deny, stop */
	MODE__COUNT
};

enum input_action {
	ACT_NONE = 0,
	/* the conversation */
	ACT_SEND,               /* Enter */
	ACT_STOP,               /* Esc: stop the answer being streamed (else close/clear) */
	ACT_MODEL_PICKER,       /* C-o */
	ACT_FAVORITE_NEXT,      /* F2 */
	ACT_FAVORITE_PREV,      /* S-F2 */
	ACT_NEW_CONVERSATION,   /* C-n */
	ACT_SWITCHER,           /* C-t: conversation switcher (filter by title) */
	ACT_TOGGLE_LIST,        /* F3: show/hide the conversation list */
	ACT_FOCUS_LIST,         /* M-l: move focus to the list pane and back */
	ACT_RETRY,              /* F5: ask again; the earlier answer stays as a sibling */
	ACT_SIBLING_PREV,       /* M-Left / M-, : previous sibling answer */
	ACT_SIBLING_NEXT,       /* M-. */
	ACT_TOGGLE_REASONING,   /* F4: fold/unfold reasoning */
	ACT_RENAME,             /* F6: puts "/rename " in the input */
	ACT_DELETE_CONVERSATION,/* F8: asks for confirmation */
	ACT_COPY,               /* M-w: copy the last answer (OSC 52) */
	ACT_COPY_CODE,          /* M-c: the last answer's code blocks in turn (OSC 52) */
	ACT_EDITOR,             /* C-x: compose in $EDITOR */
	ACT_COMPLETE,           /* Tab: complete a slash command or model name */
	ACT_SCROLL_UP,          /* PgUp */
	ACT_SCROLL_DOWN,        /* PgDn */
	ACT_SCROLL_TOP,         /* M-< is the editor's; C-Home is not portable: M-Home */
	ACT_SCROLL_BOTTOM,      /* M-End */
	ACT_HELP,               /* F1 */
	ACT_REDRAW,             /* C-l */
	ACT_QUIT,               /* C-q */
	/* the input editor (edit.h); C-d quits on an empty input */
	ACT_NEWLINE,            /* M-Enter, C-j */
	ACT_LINE_START,         /* C-a, Home */
	ACT_LINE_END,           /* C-e, End */
	ACT_BACK_CHAR,          /* C-b, Left */
	ACT_FORWARD_CHAR,       /* C-f, Right */
	ACT_BACK_WORD,          /* M-b */
	ACT_FORWARD_WORD,       /* M-f */
	ACT_KILL_LINE_END,      /* C-k */
	ACT_KILL_LINE_START,    /* C-u */
	ACT_KILL_WORD_BACK,     /* C-w, M-Backspace */
	ACT_KILL_WORD_FORWARD,  /* M-d */
	ACT_YANK,               /* C-y */
	ACT_DELETE_CHAR_OR_QUIT,/* C-d: delete under the cursor; quit when the input is empty */
	ACT_DELETE_CHAR,        /* Delete */
	ACT_BACKSPACE,          /* Backspace, C-h */
	ACT_UP,                 /* Up: previous line, else recall an earlier prompt */
	ACT_DOWN,               /* Down */
	ACT_HISTORY_OLDER,      /* C-p */
	ACT_HISTORY_NEWER,      /* C-n is taken: M-p / M-n */
	ACT_TEXT_START,         /* M-< */
	ACT_TEXT_END,           /* M-> */
	/* the conversation list (MODE_LIST) */
	ACT_LIST_UP,
	ACT_LIST_DOWN,
	ACT_LIST_OPEN,
	ACT_LIST_DELETE,
	ACT_LIST_LEAVE,
	/* the picker and switcher (MODE_PICK) */
	ACT_PICK_UP,
	ACT_PICK_DOWN,
	ACT_PICK_PAGE_UP,
	ACT_PICK_PAGE_DOWN,
	ACT_PICK_CHOOSE,
	ACT_PICK_ERASE,
	ACT_PICK_CLEAR,
	ACT_PICK_CLOSE,
	/* the help screen (MODE_HELP) */
	ACT_HELP_UP,
	ACT_HELP_DOWN,
	ACT_HELP_PAGE_UP,
	ACT_HELP_PAGE_DOWN,
	ACT_HELP_CLOSE,
	/* a yes/no question (MODE_CONFIRM): any other key is no */
	ACT_CONFIRM_YES,
	ACT_CONFIRM_NO,
	/* the passphrase prompt (MODE_PASSPHRASE) */
	ACT_PASS_ENTER,
	ACT_PASS_ERASE,
	ACT_PASS_CLEAR,
	ACT_PASS_CANCEL,
	/* the everyday moves, in the chat */
	ACT_EDIT_LAST,          /* M-e, /edit: edit the last user message and resend */
	ACT_SELECT,             /* M-s: select a message (MODE_SELECT) */
	ACT_FIND,               /* C-s: find in the chat (MODE_FIND) */
	ACT_SEARCH_HISTORY,     /* C-r: search every conversation */
	ACT_CLEAR_CONTEXT,      /* M-k: a context break after the last message (toggles) */
	ACT_ATTACH_FILE,        /* M-a: choose a file for the next message (CTL_OV_FILES) */
	/* a selected message (MODE_SELECT) */
	ACT_SEL_UP,
	ACT_SEL_DOWN,
	ACT_SEL_FIRST,
	ACT_SEL_LAST,
	ACT_SEL_COPY,
	ACT_SEL_COPY_CODE,
	ACT_SEL_EDIT,
	ACT_SEL_RETRY,
	ACT_SEL_AGAIN,          /* F5: the selected message's prompt asked again */
	ACT_SEL_DELETE,
	ACT_SEL_BRANCH,
	ACT_SEL_CONTEXT,
	ACT_SEL_LEAVE,
	ACT_SEL_KEEP,
	ACT_SEL_LEFT,
	ACT_SEL_RIGHT,
	/* the search line (MODE_FIND) */
	ACT_FIND_NEXT,
	ACT_FIND_PREV,
	ACT_FIND_ERASE,
	ACT_FIND_CLEAR,
	ACT_FIND_CLOSE,
	/* tool calls (ctl_tools.c): F7 in the chat, the question (MODE_TOOLS) */
	ACT_TOGGLE_TOOLS,
	ACT_TOOL_ONCE,
	ACT_TOOL_CONVERSATION,
	ACT_TOOL_ALWAYS,
	ACT_TOOL_DENY,
	ACT_TOOL_STOP,
	ACT_TOOL_UP,
	ACT_TOOL_DOWN,
	ACT_TOOL_PAGE_UP,
	ACT_TOOL_PAGE_DOWN,
	/* several models (ctl_multi.c) */
	ACT_PICK_MARK,          /* Space in the model picker: mark a model */
	ACT_STOP_ONE,           /* M-z: stop the answer shown, the others stream on */
	ACT_BEST,               /* M-m: mark the answer shown as the best of its siblings */
	ACT_LAYOUT,             /* F9: answers side by side, or one at a time */
	ACT_SCROLL_APART,       /* S-F9: columns side by side scroll apart, or together */
	ACT__COUNT
};

struct input_action_info {
	enum input_action action;
	enum input_mode mode; /* the mode whose key map holds it */
	const char *name;     /* config.json "keys" name, e.g. "model_picker" */
	const char *defaults; /* default keys, space-separated names, e.g. "M-Enter C-j" */
	const char *help;     /* one line for F1 and the man page */
};

/* The table, in help order, grouped by mode (ACT_NONE is not in it). */
const struct input_action_info *input_actions(size_t *n);
const struct input_action_info *input_action_info(enum input_action a);
/* ACT_NONE when unknown. */
enum input_action input_action_by_name(const char *name);

/* Parses a key name: "C-a".."C-z", "M-x" (any printable character or named key after
 * M-), "Enter", "Esc", "Tab", "S-Tab", "Backspace", "Delete", "Insert", "Up", "Down",
 * "Left", "Right", "Home", "End", "PgUp", "PgDn", "F1".."F12", "S-F1".."S-F12" (curses
 * F13..F24, which is how terminals send them), "Space", or one printable character.
 * Case-insensitive for the named keys. Also accepted: "F13".."F63", "S-Up" and the
 * other shifted cursor keys, "C-Space", and spellings like "Return", "PageUp", "C-i".
 * 0, or -1 when the name means nothing. */
int input_key_parse(const char *name, input_key *out);
/* The canonical name of a key (as input_key_parse accepts it) into out (NUL-terminated,
 * cut to outsz). Curses' KEY_BACKSPACE and KEY_ENTER are named "Backspace" and "Enter"
 * and are bound together with 127 and 13; a key with no name gets "<key 0NNN>" or
 * "<U+NNNN>", which does not parse. */
void input_key_name(input_key k, char *out, size_t outsz);

#define INPUT_MAX_BINDINGS 256

/* Every mode's bindings; a key means one action per mode. */
struct input_map {
	struct { input_key key; enum input_mode mode; enum input_action action; } b[INPUT_MAX_BINDINGS];
	size_t n;
};

/* The default bindings of the table. */
void input_map_defaults(struct input_map *m);
/* Applies config.json "keys": {"action_name": "KEY" or ["KEY", ...] or [] (unbound)}.
 * A binding replaces all default keys of that action and takes the key away from any
 * other action of the same mode. Each bad entry (unknown action, unknown key name, wrong type) gives one
 * warning line naming it ("keys.model_pickr: no such action") and is skipped. */
typedef void (*input_warn_fn)(void *ctx, const char *line);
void input_map_apply(struct input_map *m, json_t *keys, input_warn_fn warn, void *ctx);
/* The action bound to key in mode, ACT_NONE if none. */
enum input_action input_lookup(const struct input_map *m, enum input_mode mode, input_key key);
/* The keys bound to an action, as names joined by ", " ("M-Enter, C-j"); "" if none. */
void input_keys_of(const struct input_map *m, enum input_action a, struct buf *out);

/* The first key bound to an action, by its name ("" when none is). */
void input_first_key(const struct input_map *m, enum input_action a, char *out, size_t outsz);

/* The hint lines of the modes, each part naming the key bound now (the first, when an
 * action has several) before what it does; a part whose action is unbound is left out. */
enum input_hint {
	INPUT_HINT_SELECT,      /* a message selected */
	INPUT_HINT_SELECT_SIDE, /* an answer selected, side by side */
	INPUT_HINT_FIND,        /* find in the conversation, with matches */
	INPUT_HINT_FIND_NONE,   /* find in the conversation, nothing found */
	INPUT_HINT_EDITING,     /* a message being edited */
	INPUT_HINT__COUNT
};
/* Appends hint h's text to out; -1 when out of memory. */
int input_hint_text(const struct input_map *m, enum input_hint h, struct buf *out);
/* The same in at most room columns (< 0: any): the parts that matter least are left out
 * until it fits (going back, moving stay longest), the last one cut if even it does not. */
int input_hint_fit(const struct input_map *m, enum input_hint h, int room, struct buf *out);

/* The help screen's key part: for each mode a heading line, then one line per action,
 * "  KEYS<pad>help\n", keys padded to a common column (keys too long for it get a line
 * of their own), appended to out. 0 or -1 (OOM). */
int input_help_text(const struct input_map *m, struct buf *out);

#endif
