/* input: the one table of actions of the full-screen client (name, default keys, help),
 * key names ("C-o", "M-Enter", "S-F2"), the key map with config.json "keys" rebinding,
 * and the help text generated from the table (pure: no curses calls; the key codes
 * below are curses' own numbers, decoded by ncurses and passed in by the shell). */
#ifndef CHERRY_INPUT_H
#define CHERRY_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cherry/buf.h"

/* A key: a Unicode code point (control keys are 1..31, Enter is 13, C-j 10, Esc 27,
 * Backspace 127), or with INPUT_FN a curses KEY_* code (KEY_F(2), KEY_PPAGE, ...);
 * INPUT_META is added for Alt/Meta (ESC prefix). */
typedef uint32_t input_key;
#define INPUT_FN 0x01000000u
#define INPUT_META 0x02000000u
#define INPUT_CODE(k) ((k) & 0x00ffffffu)

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
	ACT__COUNT
};

struct input_action_info {
	enum input_action action;
	const char *name;     /* config.json "keys" name, e.g. "model_picker" */
	const char *defaults; /* default keys, space-separated names, e.g. "M-Enter C-j" */
	const char *help;     /* one line for F1 and the man page */
};

/* The table, in help order (ACT_NONE is not in it). */
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

#define INPUT_MAX_BINDINGS 160

struct input_map {
	struct { input_key key; enum input_action action; } b[INPUT_MAX_BINDINGS];
	size_t n;
};

/* The default bindings of the table. */
void input_map_defaults(struct input_map *m);
/* Applies config.json "keys": {"action_name": "KEY" or ["KEY", ...] or [] (unbound)}.
 * A binding replaces all default keys of that action and takes the key away from any
 * other action. Each bad entry (unknown action, unknown key name, wrong type) gives one
 * warning line naming it ("keys.model_pickr: no such action") and is skipped. */
typedef void (*input_warn_fn)(void *ctx, const char *line);
void input_map_apply(struct input_map *m, json_t *keys, input_warn_fn warn, void *ctx);
/* The action bound to key, ACT_NONE if none. */
enum input_action input_lookup(const struct input_map *m, input_key key);
/* The keys bound to an action, as names joined by ", " ("M-Enter, C-j"); "" if none. */
void input_keys_of(const struct input_map *m, enum input_action a, struct buf *out);

/* The help screen's key part: one line per action, "  KEYS<pad>help\n", keys padded to a
 * common column (keys too long for it get a line of their own), appended to out.
 * 0 or -1 (OOM). */
int input_help_text(const struct input_map *m, struct buf *out);

#endif
