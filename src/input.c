/* input: the one table of the full-screen client's actions (mode, name, default keys,
 * help), key names both ways, the key maps of every mode with their config.json "keys"
 * rebinding, and the help text made from the table. Pure. */
#include "cherry/input.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cherry/text.h"
#include "cherry/utf8.h"

/* Help lines are kept short enough that "  KEYS  help" fits in 78 columns. */
static const struct input_action_info actions[] = {
	{ACT_SEND, MODE_CHAT, "send", "Enter", "send the message, or run the /command"},
	{ACT_STOP, MODE_CHAT, "stop", "Esc", "stop the answer being streamed; close an overlay"},
	{ACT_MODEL_PICKER, MODE_CHAT, "model_picker", "C-o", "choose a model: type to filter, Enter chooses"},
	{ACT_FAVORITE_NEXT, MODE_CHAT, "favorite_next", "F2", "next favourite model"},
	{ACT_FAVORITE_PREV, MODE_CHAT, "favorite_prev", "S-F2", "previous favourite model"},
	{ACT_NEW_CONVERSATION, MODE_CHAT, "new_conversation", "C-n", "start a new conversation"},
	{ACT_SWITCHER, MODE_CHAT, "switcher", "C-t", "switch conversation: type to filter by title"},
	{ACT_TOGGLE_LIST, MODE_CHAT, "toggle_list", "F3", "show or hide the conversation list"},
	{ACT_FOCUS_LIST, MODE_CHAT, "focus_list", "M-l", "move focus to the conversation list and back"},
	{ACT_RETRY, MODE_CHAT, "retry", "F5", "ask again; the earlier answer stays as a sibling"},
	{ACT_SIBLING_PREV, MODE_CHAT, "sibling_prev", "M-,",
	 "previous sibling answer (or edited prompt's version)"},
	{ACT_SIBLING_NEXT, MODE_CHAT, "sibling_next", "M-.",
	 "next sibling answer (or edited prompt's version)"},
	{ACT_TOGGLE_REASONING, MODE_CHAT, "toggle_reasoning", "F4", "fold or unfold the reasoning"},
	{ACT_RENAME, MODE_CHAT, "rename", "F6", "rename the conversation (puts /rename in the input)"},
	{ACT_DELETE_CONVERSATION, MODE_CHAT, "delete_conversation", "F8",
	 "delete the conversation (asks to confirm)"},
	{ACT_COPY, MODE_CHAT, "copy", "M-w", "copy the last answer to the clipboard (OSC 52)"},
	{ACT_COPY_CODE, MODE_CHAT, "copy_code", "M-c",
	 "copy the last answer's code blocks, 1 then 2... (OSC 52)"},
	{ACT_EDITOR, MODE_CHAT, "editor", "C-x", "compose the message in $EDITOR"},
	{ACT_COMPLETE, MODE_CHAT, "complete", "Tab", "complete a /command or a model name"},
	{ACT_SCROLL_UP, MODE_CHAT, "scroll_up", "PgUp", "scroll the chat up a page"},
	{ACT_SCROLL_DOWN, MODE_CHAT, "scroll_down", "PgDn", "scroll the chat down a page"},
	{ACT_SCROLL_TOP, MODE_CHAT, "scroll_top", "M-Home", "scroll to the start of the conversation"},
	{ACT_SCROLL_BOTTOM, MODE_CHAT, "scroll_bottom", "M-End", "scroll to the end and follow new text"},
	{ACT_HELP, MODE_CHAT, "help", "F1", "show this help"},
	{ACT_REDRAW, MODE_CHAT, "redraw", "C-l", "redraw the screen"},
	{ACT_QUIT, MODE_CHAT, "quit", "C-q", "quit (stops an answer being streamed first)"},
	{ACT_NEWLINE, MODE_CHAT, "newline", "M-Enter C-j", "start a new line in the input"},
	{ACT_LINE_START, MODE_CHAT, "line_start", "C-a Home", "move to the start of the line"},
	{ACT_LINE_END, MODE_CHAT, "line_end", "C-e End", "move to the end of the line"},
	{ACT_BACK_CHAR, MODE_CHAT, "back_char", "C-b Left", "move back one character"},
	{ACT_FORWARD_CHAR, MODE_CHAT, "forward_char", "C-f Right", "move forward one character"},
	{ACT_BACK_WORD, MODE_CHAT, "back_word", "M-b", "move back one word"},
	{ACT_FORWARD_WORD, MODE_CHAT, "forward_word", "M-f", "move forward one word"},
	{ACT_KILL_LINE_END, MODE_CHAT, "kill_line_end", "C-k", "delete to the end of the line"},
	{ACT_KILL_LINE_START, MODE_CHAT, "kill_line_start", "C-u", "delete to the start of the line"},
	{ACT_KILL_WORD_BACK, MODE_CHAT, "kill_word_back", "C-w M-Backspace", "delete the word before the cursor"},
	{ACT_KILL_WORD_FORWARD, MODE_CHAT, "kill_word_forward", "M-d", "delete the word after the cursor"},
	{ACT_YANK, MODE_CHAT, "yank", "C-y", "paste the text deleted last"},
	{ACT_DELETE_CHAR_OR_QUIT, MODE_CHAT, "delete_char_or_quit", "C-d",
	 "delete the character under the cursor; quit if empty"},
	{ACT_DELETE_CHAR, MODE_CHAT, "delete_char", "Delete", "delete the character under the cursor"},
	{ACT_BACKSPACE, MODE_CHAT, "backspace", "Backspace C-h", "delete the character before the cursor"},
	{ACT_UP, MODE_CHAT, "up", "Up", "previous line, else recall an earlier prompt"},
	{ACT_DOWN, MODE_CHAT, "down", "Down", "next line, else a later prompt"},
	{ACT_HISTORY_OLDER, MODE_CHAT, "history_older", "C-p M-p", "recall an earlier prompt"},
	{ACT_HISTORY_NEWER, MODE_CHAT, "history_newer", "M-n", "recall a later prompt"},
	{ACT_TEXT_START, MODE_CHAT, "text_start", "M-<", "move to the start of the input"},
	{ACT_TEXT_END, MODE_CHAT, "text_end", "M->", "move to the end of the input"},
	/* the everyday moves (ctl_select.c, ctl_find.c) */
	{ACT_EDIT_LAST, MODE_CHAT, "edit_last", "M-e",
	 "edit your last message; sending it makes a new branch"},
	{ACT_SELECT, MODE_CHAT, "select", "M-s", "select a message to copy, edit, retry, delete..."},
	{ACT_FIND, MODE_CHAT, "find", "C-s", "find text in this conversation"},
	{ACT_SEARCH_HISTORY, MODE_CHAT, "search_history", "C-r", "search every conversation"},
	{ACT_CLEAR_CONTEXT, MODE_CHAT, "clear_context", "M-k",
	 "clear the context from here on (again: restore it)"},
	{ACT_TOGGLE_TOOLS, MODE_CHAT, "toggle_tools", "F7",
	 "show tool calls and results whole, or folded"},
	{ACT_STOP_ONE, MODE_CHAT, "stop_one", "M-z", "stop the answer shown; the others stream on"},
	{ACT_BEST, MODE_CHAT, "best", "M-m", "mark the answer shown as the best (again: unmark)"},
	{ACT_LAYOUT, MODE_CHAT, "layout", "F9", "several answers: side by side, or one at a time"},
	{ACT_SCROLL_APART, MODE_CHAT, "scroll_apart", "S-F9",
	 "answers side by side: each scrolls apart, or all together"},
	{ACT_ATTACH_FILE, MODE_CHAT, "attach_file", "M-a",
	 "choose a file to send with the next message"},
	{ACT_LIST_UP, MODE_LIST, "list_up", "Up C-p", "select the conversation above"},
	{ACT_LIST_DOWN, MODE_LIST, "list_down", "Down C-n", "select the conversation below"},
	{ACT_LIST_OPEN, MODE_LIST, "list_open", "Enter", "open the selected conversation"},
	{ACT_LIST_DELETE, MODE_LIST, "list_delete", "F8 Delete",
	 "delete the selected conversation (asks to confirm)"},
	{ACT_LIST_LEAVE, MODE_LIST, "list_leave", "Esc M-l", "back to the input"},
	{ACT_PICK_UP, MODE_PICK, "pick_up", "Up C-p", "select the entry above"},
	{ACT_PICK_DOWN, MODE_PICK, "pick_down", "Down C-n", "select the entry below"},
	{ACT_PICK_PAGE_UP, MODE_PICK, "pick_page_up", "PgUp", "a page up"},
	{ACT_PICK_PAGE_DOWN, MODE_PICK, "pick_page_down", "PgDn", "a page down"},
	{ACT_PICK_CHOOSE, MODE_PICK, "pick_choose", "Enter",
	 "choose it (a model: what you typed, if nothing matches)"},
	{ACT_PICK_ERASE, MODE_PICK, "pick_erase", "Backspace C-h", "erase a character of the filter"},
	{ACT_PICK_CLEAR, MODE_PICK, "pick_clear", "C-u", "clear the filter"},
	{ACT_PICK_CLOSE, MODE_PICK, "pick_close", "Esc", "close without choosing"},
	{ACT_PICK_MARK, MODE_PICK, "pick_mark", "Space",
	 "mark a model; Enter then asks every marked one"},
	{ACT_HELP_UP, MODE_HELP, "help_up", "Up C-p", "scroll up a line"},
	{ACT_HELP_DOWN, MODE_HELP, "help_down", "Down C-n", "scroll down a line"},
	{ACT_HELP_PAGE_UP, MODE_HELP, "help_page_up", "PgUp", "scroll up a page"},
	{ACT_HELP_PAGE_DOWN, MODE_HELP, "help_page_down", "PgDn Space", "scroll down a page"},
	{ACT_HELP_CLOSE, MODE_HELP, "help_close", "Esc F1 q", "close the help"},
	{ACT_CONFIRM_YES, MODE_CONFIRM, "confirm_yes", "y Y", "yes (any other key is no)"},
	{ACT_CONFIRM_NO, MODE_CONFIRM, "confirm_no", "n N Esc", "no"},
	{ACT_PASS_ENTER, MODE_PASSPHRASE, "passphrase_enter", "Enter",
	 "unlock (or store the key) with what you typed"},
	{ACT_PASS_ERASE, MODE_PASSPHRASE, "passphrase_erase", "Backspace C-h", "erase a character"},
	{ACT_PASS_CLEAR, MODE_PASSPHRASE, "passphrase_clear", "C-u", "erase everything typed"},
	{ACT_PASS_CANCEL, MODE_PASSPHRASE, "passphrase_cancel", "Esc C-c C-g",
	 "leave the vault locked (not sent); /key stores nothing"},
	{ACT_SEL_UP, MODE_SELECT, "select_up", "Up k C-p", "select the message above"},
	{ACT_SEL_DOWN, MODE_SELECT, "select_down", "Down j C-n", "select the message below"},
	{ACT_SEL_FIRST, MODE_SELECT, "select_first", "Home g", "select the first message"},
	{ACT_SEL_LAST, MODE_SELECT, "select_last", "End G", "select the last message"},
	{ACT_SEL_COPY, MODE_SELECT, "select_copy", "c y M-w", "copy the message (OSC 52)"},
	{ACT_SEL_COPY_CODE, MODE_SELECT, "select_copy_code", "C M-c",
	 "copy its code blocks, 1 then 2... (OSC 52)"},
	{ACT_SEL_EDIT, MODE_SELECT, "select_edit", "e",
	 "edit the message (an answer: its prompt); a tool's: unfold"},
	{ACT_SEL_KEEP, MODE_SELECT, "select_keep", "Enter",
	 "an answer side by side: go on from it; else as e"},
	{ACT_SEL_LEFT, MODE_SELECT, "select_left", "Left h",
	 "the answer to the left; one at a time, the one before"},
	{ACT_SEL_RIGHT, MODE_SELECT, "select_right", "Right l",
	 "the answer to the right; one at a time, the one after"},
	{ACT_SEL_RETRY, MODE_SELECT, "select_retry", "r", "ask again with another model (picker)"},
	{ACT_SEL_AGAIN, MODE_SELECT, "select_again", "F5",
	 "ask its prompt again (as F5 the last), a new sibling"},
	{ACT_SEL_DELETE, MODE_SELECT, "select_delete", "d Delete",
	 "delete the message and all below it (asks)"},
	{ACT_SEL_BRANCH, MODE_SELECT, "select_branch", "b",
	 "a new conversation with the branch up to here"},
	{ACT_SEL_CONTEXT, MODE_SELECT, "select_clear_context", "x",
	 "clear the context after this message (again: undo)"},
	{ACT_SEL_LEAVE, MODE_SELECT, "select_leave", "Esc q M-s", "back to the input"},
	{ACT_FIND_NEXT, MODE_FIND, "find_next", "Enter Down C-s", "the next match"},
	{ACT_FIND_PREV, MODE_FIND, "find_prev", "Up S-Tab C-r", "the previous match"},
	{ACT_FIND_ERASE, MODE_FIND, "find_erase", "Backspace C-h", "erase a character"},
	{ACT_FIND_CLEAR, MODE_FIND, "find_clear", "C-u", "clear what you typed"},
	{ACT_FIND_CLOSE, MODE_FIND, "find_close", "Esc C-g", "close the search line"},
	{ACT_TOOL_ONCE, MODE_TOOLS, "tool_once", "o y", "run this call"},
	{ACT_TOOL_CONVERSATION, MODE_TOOLS, "tool_conversation", "t",
	 "run it, and this tool without asking in this conversation"},
	{ACT_TOOL_ALWAYS, MODE_TOOLS, "tool_always", "a",
	 "run it; always run this tool (saved in config.json)"},
	{ACT_TOOL_DENY, MODE_TOOLS, "tool_deny", "d n", "do not run it: the model is told"},
	{ACT_TOOL_STOP, MODE_TOOLS, "tool_stop", "Esc C-g",
	 "stop the turn (a running call too): nothing more runs"},
	{ACT_TOOL_UP, MODE_TOOLS, "tool_up", "Up C-p", "scroll the arguments up a line"},
	{ACT_TOOL_DOWN, MODE_TOOLS, "tool_down", "Down C-n", "scroll the arguments down a line"},
	{ACT_TOOL_PAGE_UP, MODE_TOOLS, "tool_page_up", "PgUp", "scroll the arguments up a page"},
	{ACT_TOOL_PAGE_DOWN, MODE_TOOLS, "tool_page_down", "PgDn Space",
	 "scroll the arguments down a page"},
};

#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

const struct input_action_info *input_actions(size_t *n)
{
	*n = NACTIONS;
	return actions;
}

const struct input_action_info *input_action_info(enum input_action a)
{
	for (size_t i = 0; i < NACTIONS; i++)
		if (actions[i].action == a)
			return &actions[i];
	return NULL;
}

enum input_action input_action_by_name(const char *name)
{
	for (size_t i = 0; name && i < NACTIONS; i++)
		if (strcmp(actions[i].name, name) == 0)
			return actions[i].action;
	return ACT_NONE;
}

/* Named keys. The first entry of a key gives its canonical name; later entries with
 * the same key are aliases parse accepts. Function keys F1..F63 are computed. */
static const struct { const char *name; input_key key; } named[] = {
	{"Enter", 13},
	{"Enter", INPUT_FN | IK_ENTER},   /* keypad Enter; bound with Enter */
	{"Return", 13},
	{"Esc", 27},
	{"Escape", 27},
	{"Tab", 9},
	{"S-Tab", INPUT_FN | IK_BTAB},
	{"Backspace", 127},
	{"Backspace", INPUT_FN | IK_BACKSPACE}, /* bound with Backspace */
	{"Delete", INPUT_FN | IK_DC},
	{"Del", INPUT_FN | IK_DC},
	{"Insert", INPUT_FN | IK_IC},
	{"Ins", INPUT_FN | IK_IC},
	{"Up", INPUT_FN | IK_UP},
	{"Down", INPUT_FN | IK_DOWN},
	{"Left", INPUT_FN | IK_LEFT},
	{"Right", INPUT_FN | IK_RIGHT},
	{"Home", INPUT_FN | IK_HOME},
	{"End", INPUT_FN | IK_END},
	{"PgUp", INPUT_FN | IK_PPAGE},
	{"PageUp", INPUT_FN | IK_PPAGE},
	{"PgDn", INPUT_FN | IK_NPAGE},
	{"PageDown", INPUT_FN | IK_NPAGE},
	{"S-Up", INPUT_FN | IK_SR},
	{"S-Down", INPUT_FN | IK_SF},
	{"S-Left", INPUT_FN | IK_SLEFT},
	{"S-Right", INPUT_FN | IK_SRIGHT},
	{"S-Home", INPUT_FN | IK_SHOME},
	{"S-End", INPUT_FN | IK_SEND},
	{"S-PgUp", INPUT_FN | IK_SPREVIOUS},
	{"S-PgDn", INPUT_FN | IK_SNEXT},
	{"S-Delete", INPUT_FN | IK_SDC},
	{"S-Insert", INPUT_FN | IK_SIC},
	{"Space", ' '},
	{"C-Space", 0},
	{"C-@", 0},
};

#define NNAMED (sizeof(named) / sizeof(named[0]))

/* Control keys that have no letter: C-[ is Esc, C-? is Backspace. */
static const char ctrl_punct[] = "@[\\]^_";

/* Curses decodes the same key to one of two codes depending on the terminal (127 or
 * IK_BACKSPACE, CR or the keypad's IK_ENTER): a binding of one covers the other. */
static input_key key_alias(input_key k)
{
	input_key meta = k & INPUT_META, code = INPUT_CODE(k);
	if (!(k & INPUT_FN)) {
		if (code == 127)
			return meta | INPUT_FN | IK_BACKSPACE;
		if (code == 13)
			return meta | INPUT_FN | IK_ENTER;
	} else {
		if (code == IK_BACKSPACE)
			return meta | 127;
		if (code == IK_ENTER)
			return meta | 13;
	}
	return (input_key)-1;
}

/* "F7" or "S-F7" (case-insensitive): 0 with *out set, else -1. */
static int parse_fkey(const char *s, input_key *out)
{
	int shift = 0;
	if ((s[0] == 'S' || s[0] == 's') && s[1] == '-') {
		shift = 1;
		s += 2;
	}
	if (s[0] != 'F' && s[0] != 'f')
		return -1;
	s++;
	if (s[0] < '1' || s[0] > '9')
		return -1;
	int n = s[0] - '0';
	if (s[1] >= '0' && s[1] <= '9') {
		n = n * 10 + (s[1] - '0');
		if (s[2])
			return -1;
	} else if (s[1]) {
		return -1;
	}
	if (shift) {
		if (n > 12)
			return -1;
		n += 12;
	} else if (n > 63) {
		return -1;
	}
	*out = INPUT_FN | (input_key)IK_F(n);
	return 0;
}

/* One printable character, UTF-8: its code point or 0 when s is anything else. */
static uint32_t single_char(const char *s)
{
	size_t len = strlen(s);
	uint32_t cp;
	if (!len || utf8_decode_part(s, len, &cp) != len || cp == UTF8_INVALID)
		return 0;
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		return 0;
	return cp;
}

static int parse_base(const char *s, input_key *out)
{
	for (size_t i = 0; i < NNAMED; i++) {
		if (strcasecmp(named[i].name, s) == 0) {
			*out = named[i].key;
			return 0;
		}
	}
	if (parse_fkey(s, out) == 0)
		return 0;
	if ((s[0] == 'C' || s[0] == 'c') && s[1] == '-' && s[2] && !s[3]) {
		char c = s[2];
		const char *p;
		if (c >= 'a' && c <= 'z')
			*out = (input_key)(c - 'a' + 1);
		else if (c >= 'A' && c <= 'Z')
			*out = (input_key)(c - 'A' + 1);
		else if (c == '?')
			*out = 127;
		else if ((p = strchr(ctrl_punct, c)) != NULL)
			*out = (input_key)(p - ctrl_punct == 0 ? 0 : 27 + (p - ctrl_punct) - 1);
		else
			return -1;
		return 0;
	}
	uint32_t cp = single_char(s);
	if (!cp)
		return -1;
	*out = cp;
	return 0;
}

int input_key_parse(const char *name, input_key *out)
{
	if (!name || !*name)
		return -1;
	input_key meta = 0;
	/* "M-" alone is no key; "M--" is Meta and the minus sign. */
	if ((name[0] == 'M' || name[0] == 'm') && name[1] == '-' && name[2]) {
		meta = INPUT_META;
		name += 2;
	}
	input_key k;
	if (parse_base(name, &k) < 0)
		return -1;
	*out = meta | k;
	return 0;
}

/* The name without "M-"; keys nothing can name get a descriptive form parse rejects. */
static void base_name(input_key k, char *o, size_t osz)
{
	input_key code = INPUT_CODE(k);
	int fn = (k & INPUT_FN) != 0;
	for (size_t i = 0; i < NNAMED; i++) {
		if (named[i].key == (k & ~INPUT_META)) {
			snprintf(o, osz, "%s", named[i].name);
			return;
		}
	}
	if (fn) {
		if (code >= (input_key)IK_F(1) && code <= (input_key)IK_F(63)) {
			int n = (int)(code - (input_key)IK_F0);
			if (n > 12 && n <= 24)
				snprintf(o, osz, "S-F%d", n - 12);
			else
				snprintf(o, osz, "F%d", n);
		} else {
			snprintf(o, osz, "<key 0%o>", (unsigned)code);
		}
		return;
	}
	if (code >= 1 && code <= 26) {
		snprintf(o, osz, "C-%c", (char)('a' + code - 1));
	} else if (code >= 28 && code <= 31) {
		snprintf(o, osz, "C-%c", ctrl_punct[code - 27 + 1]);
	} else if (code >= 0x20 && code != 0x7f && !(code >= 0x80 && code < 0xa0) &&
		   code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) {
		char u[5];
		size_t n = utf8_encode(code, u);
		u[n] = '\0';
		snprintf(o, osz, "%s", u);
	} else {
		snprintf(o, osz, "<U+%04X>", (unsigned)code);
	}
}

void input_key_name(input_key k, char *out, size_t outsz)
{
	if (!outsz)
		return;
	char base[32];
	base_name(k, base, sizeof(base));
	snprintf(out, outsz, "%s%s", (k & INPUT_META) ? "M-" : "", base);
}

static void unbind_key(struct input_map *m, enum input_mode mode, input_key key)
{
	size_t j = 0;
	for (size_t i = 0; i < m->n; i++)
		if (m->b[i].key != key || m->b[i].mode != mode)
			m->b[j++] = m->b[i];
	m->n = j;
}

static void unbind_action(struct input_map *m, enum input_action a)
{
	size_t j = 0;
	for (size_t i = 0; i < m->n; i++)
		if (m->b[i].action != a)
			m->b[j++] = m->b[i];
	m->n = j;
}

static enum input_mode mode_of(enum input_action a)
{
	const struct input_action_info *i = input_action_info(a);
	return i ? i->mode : MODE_CHAT;
}

/* Binds key (and its alias) to a, taking it from any other action of a's mode. -1 when
 * full. */
static int map_bind(struct input_map *m, input_key key, enum input_action a)
{
	input_key keys[2] = {key, key_alias(key)};
	enum input_mode mode = mode_of(a);
	for (int i = 0; i < 2; i++) {
		if (i == 1 && keys[1] == (input_key)-1)
			break;
		unbind_key(m, mode, keys[i]);
		if (m->n >= INPUT_MAX_BINDINGS)
			return -1;
		m->b[m->n].key = keys[i];
		m->b[m->n].mode = mode;
		m->b[m->n].action = a;
		m->n++;
	}
	return 0;
}

/* Binds each space-separated key name of list; -1 at the first bad name. */
static int bind_list(struct input_map *m, const char *list, enum input_action a)
{
	const char *p = list;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (!len)
			break;
		char name[32];
		input_key k;
		if (len >= sizeof(name))
			return -1;
		memcpy(name, p, len);
		name[len] = '\0';
		if (input_key_parse(name, &k) < 0 || map_bind(m, k, a) < 0)
			return -1;
		p += len;
	}
	return 0;
}

void input_map_defaults(struct input_map *m)
{
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < NACTIONS; i++)
		(void)bind_list(m, actions[i].defaults, actions[i].action);
}

static void warnf(input_warn_fn warn, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warnf(input_warn_fn warn, void *ctx, const char *fmt, ...)
{
	if (!warn)
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	warn(ctx, line);
}

/* Text from the config for a warning line: at most max bytes, never cutting a UTF-8
 * sequence, with control characters and invalid bytes shown as '?' so that the line
 * stays one line and safe to print wherever the caller sends it. */
static const char *shown(const char *s, size_t max, char *out, size_t outsz)
{
	size_t o = 0, len = strlen(s);
	for (size_t i = 0; i < len && o + 5 <= outsz;) {
		size_t n = utf8_seq_len((const unsigned char *)s + i, len - i);
		unsigned char c = (unsigned char)s[i];
		if (i + (n ? n : 1) > max)
			break;
		if (n == 0 || c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && (unsigned char)s[i + 1] < 0xa0)) {
			out[o++] = '?';
			i += n ? n : 1;
			continue;
		}
		memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	return out;
}

/* One "keys" entry, applied to a copy so that a bad entry leaves the map as it was. */
static void apply_entry(struct input_map *m, const char *name, json_t *v, input_warn_fn warn,
			void *ctx)
{
	char act[128], key[64];
	enum input_action a = input_action_by_name(name);
	if (a == ACT_NONE) {
		warnf(warn, ctx, "keys.%s: no such action", shown(name, 100, act, sizeof(act)));
		return;
	}
	if (!json_is_string(v) && !json_is_array(v)) {
		warnf(warn, ctx, "keys.%s: expected a key name or a list of key names", name);
		return;
	}
	size_t n = json_is_string(v) ? 1 : json_array_size(v);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_is_string(v) ? v : json_array_get(v, i);
		input_key k;
		if (!json_is_string(e)) {
			warnf(warn, ctx, "keys.%s: expected a key name or a list of key names", name);
			return;
		}
		if (input_key_parse(json_string_value(e), &k) < 0) {
			warnf(warn, ctx, "keys.%s: unknown key \"%s\"", name,
			      shown(json_string_value(e), 40, key, sizeof(key)));
			return;
		}
	}
	struct input_map t = *m;
	unbind_action(&t, a);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_is_string(v) ? v : json_array_get(v, i);
		input_key k;
		(void)input_key_parse(json_string_value(e), &k);
		if (map_bind(&t, k, a) < 0) {
			warnf(warn, ctx, "keys.%s: too many key bindings", name);
			return;
		}
	}
	*m = t;
}

void input_map_apply(struct input_map *m, json_t *keys, input_warn_fn warn, void *ctx)
{
	if (!keys)
		return;
	if (!json_is_object(keys)) {
		warnf(warn, ctx, "keys: expected an object of action names and keys");
		return;
	}
	const char *name;
	json_t *v;
	json_object_foreach(keys, name, v)
		apply_entry(m, name, v, warn, ctx);
}

enum input_action input_lookup(const struct input_map *m, enum input_mode mode, input_key key)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->b[i].key == key && m->b[i].mode == mode)
			return m->b[i].action;
	return ACT_NONE;
}

static int keys_of(const struct input_map *m, enum input_action a, struct buf *out)
{
	int first = 1;
	for (size_t i = 0; i < m->n; i++) {
		if (m->b[i].action != a)
			continue;
		char name[48], prev[48];
		input_key_name(m->b[i].key, name, sizeof(name));
		/* An alias has the name of the key it goes with: show it once. */
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++) {
			if (m->b[j].action != a)
				continue;
			input_key_name(m->b[j].key, prev, sizeof(prev));
			seen = strcmp(prev, name) == 0;
		}
		if (seen)
			continue;
		if ((!first && buf_append_str(out, ", ") < 0) || buf_append_str(out, name) < 0)
			return -1;
		first = 0;
	}
	return 0;
}

void input_keys_of(const struct input_map *m, enum input_action a, struct buf *out)
{
	(void)keys_of(m, a, out);
}

void input_first_key(const struct input_map *m, enum input_action a, char *out, size_t outsz)
{
	if (!outsz)
		return;
	*out = '\0';
	for (size_t i = 0; i < m->n; i++)
		if (m->b[i].action == a) {
			input_key_name(m->b[i].key, out, outsz);
			return;
		}
}

/* A part of a hint line: the first key of a (and "/" the first of b, unless ACT_NONE),
 * then what they do; where the line is too narrow for every part, those of the lowest
 * keep go first (the way back and moving stay longest). */
struct hint_part {
	enum input_action a, b;
	const char *what;
	int keep;
};

static const struct hint_part hint_select[] = {
	{ACT_SEL_COPY, ACT_NONE, "copy", 3},
	{ACT_SEL_COPY_CODE, ACT_NONE, "code", 1},
	{ACT_SEL_EDIT, ACT_NONE, "edit", 2},
	{ACT_SEL_AGAIN, ACT_NONE, "ask again", 2},
	{ACT_SEL_RETRY, ACT_NONE, "with a model", 1},
	{ACT_SEL_DELETE, ACT_NONE, "delete", 2},
	{ACT_SEL_BRANCH, ACT_NONE, "branch", 1},
	{ACT_SEL_CONTEXT, ACT_NONE, "clear context", 1},
	{ACT_SEL_UP, ACT_SEL_DOWN, "move", 4},
	{ACT_SEL_LEAVE, ACT_NONE, "back", 5},
};

static const struct hint_part hint_select_side[] = {
	{ACT_SEL_KEEP, ACT_NONE, "go on from it", 3},
	{ACT_SEL_LEFT, ACT_SEL_RIGHT, "beside", 4},
	{ACT_SEL_UP, ACT_NONE, "question", 2},
	{ACT_SEL_COPY, ACT_NONE, "copy", 2},
	{ACT_SEL_EDIT, ACT_NONE, "edit", 1},
	{ACT_SEL_AGAIN, ACT_SEL_RETRY, "retry", 1},
	{ACT_SEL_DELETE, ACT_NONE, "delete", 1},
	{ACT_SEL_LEAVE, ACT_NONE, "back", 5},
};

static const struct hint_part hint_find[] = {
	{ACT_FIND_NEXT, ACT_NONE, "next", 2},
	{ACT_FIND_PREV, ACT_NONE, "previous", 1},
	{ACT_FIND_CLOSE, ACT_NONE, "closes", 3},
};

static const struct hint_part hint_find_none[] = {
	{ACT_FIND_CLOSE, ACT_NONE, "closes", 3},
};

static const struct hint_part hint_editing[] = {
	{ACT_SEND, ACT_NONE, "sends a new branch", 2},
	{ACT_STOP, ACT_NONE, "cancels", 3},
};

#define HINT(v, sep) {v, sizeof(v) / sizeof(v[0]), sep}
static const struct {
	const struct hint_part *parts;
	size_t n;
	const char *sep;
} hints[INPUT_HINT__COUNT] = {
	[INPUT_HINT_SELECT] = HINT(hint_select, " \xc2\xb7 "),
	[INPUT_HINT_SELECT_SIDE] = HINT(hint_select_side, " \xc2\xb7 "),
	[INPUT_HINT_FIND] = HINT(hint_find, ", "),
	[INPUT_HINT_FIND_NONE] = HINT(hint_find_none, ", "),
	[INPUT_HINT_EDITING] = HINT(hint_editing, ", "),
};

#define HINT_MAX_PARTS 16

/* Hint h's parts left in (dropped[i] 0) as text appended to out: its width, -1 OOM. */
static int hint_with(const struct input_map *m, enum input_hint h, const int *dropped,
		     struct buf *out)
{
	int first = 1;
	size_t from = out->len;
	for (size_t i = 0; i < hints[h].n; i++) {
		const struct hint_part *p = &hints[h].parts[i];
		char a[48], b[48] = "";
		input_first_key(m, p->a, a, sizeof a);
		if (p->b != ACT_NONE)
			input_first_key(m, p->b, b, sizeof b);
		if ((!*a && !*b) || dropped[i])
			continue;
		if (buf_printf(out, "%s%s%s%s %s", first ? "" : hints[h].sep, a, *a && *b ? "/" : "",
			       b, p->what) < 0)
			return -1;
		first = 0;
	}
	return text_width(out->data ? out->data + from : "", out->len - from);
}

int input_hint_fit(const struct input_map *m, enum input_hint h, int room, struct buf *out)
{
	int dropped[HINT_MAX_PARTS] = {0};
	size_t from = out->len;
	if (hints[h].n > HINT_MAX_PARTS)
		room = -1;
	for (;;) {
		int w = hint_with(m, h, dropped, out);
		if (w < 0 || room < 0 || w <= room)
			return w < 0 ? -1 : 0;
		/* the part of the lowest keep left, the last of them: dropped, and again */
		size_t low = hints[h].n;
		for (size_t i = 0; i < hints[h].n; i++)
			if (!dropped[i] && (low == hints[h].n ||
					    hints[h].parts[i].keep <= hints[h].parts[low].keep))
				low = i;
		if (low == hints[h].n)
			return 0;
		dropped[low] = 1;
		out->len = from;
		if (out->data)
			out->data[from] = '\0';
	}
}

int input_hint_text(const struct input_map *m, enum input_hint h, struct buf *out)
{
	return input_hint_fit(m, h, -1, out);
}

/* The help column: wide enough for the widest keys, but never so wide that the help
 * lines overflow; keys longer than that get a line of their own. */
#define HELP_MIN_KEYS 16
#define HELP_MAX_KEYS 22

static const char *const mode_heading[MODE__COUNT] = {
	[MODE_CHAT] = "In the chat:",
	[MODE_LIST] = "In the conversation list (M-l):",
	[MODE_PICK] = "In the model picker and the conversation switcher (C-o, C-t):",
	[MODE_HELP] = "In this help:",
	[MODE_CONFIRM] = "When asked yes or no:",
	[MODE_PASSPHRASE] = "At the vault passphrase and /key prompts:",
	[MODE_SELECT] = "When a message is selected (M-s, or a click):",
	[MODE_FIND] = "In the line of find in the conversation (C-s):",
	[MODE_TOOLS] = "When the model asks to run a tool:",
};

int input_help_text(const struct input_map *m, struct buf *out)
{
	struct buf keys = BUF_INIT;
	size_t width = HELP_MIN_KEYS;
	int r = 0;
	for (size_t i = 0; i < NACTIONS && r == 0; i++) {
		buf_reset(&keys);
		r = keys_of(m, actions[i].action, &keys);
		if (keys.len > width && keys.len <= HELP_MAX_KEYS)
			width = keys.len;
	}
	for (size_t i = 0; i < NACTIONS && r == 0; i++) {
		if ((i == 0 || actions[i].mode != actions[i - 1].mode) &&
		    (r = buf_printf(out, "%s%s\n", i ? "\n" : "", mode_heading[actions[i].mode])) < 0)
			break;
		buf_reset(&keys);
		if ((r = keys_of(m, actions[i].action, &keys)) < 0)
			break;
		const char *k = keys.len ? keys.data : "(unbound)";
		size_t klen = strlen(k);
		if (klen <= width)
			r = buf_printf(out, "  %s%*s  %s\n", k, (int)(width - klen), "",
				       actions[i].help);
		else
			r = buf_printf(out, "  %s\n  %*s  %s\n", k, (int)width, "",
				       actions[i].help);
	}
	buf_free(&keys);
	return r;
}
