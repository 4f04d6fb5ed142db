/* edit: the input line editor, a pure module on Unicode code points (no curses, no
 * I/O). The text may hold several lines (LF); Emacs/readline actions arrive as an enum
 * so that the key table maps keys to actions in one place. Movements and deletions go
 * by cluster (text.h), so the cursor never splits "e" + U+0301 or an emoji sequence.
 * Also keeps a ring of earlier prompts for Up/Down recall; loading and saving that
 * ring to disk is the caller's job. */
#ifndef CHERRY_EDIT_H
#define CHERRY_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "cherry/buf.h"

enum edit_action {
	EDIT_INSERT,          /* insert the code point ch (TAB and LF allowed, no controls) */
	EDIT_NEWLINE,         /* insert LF (Alt-Enter, C-j) */
	EDIT_LINE_START,      /* C-a, Home: start of the current line */
	EDIT_LINE_END,        /* C-e, End: end of the current line */
	EDIT_BACK_CHAR,       /* C-b, Left (crosses line breaks) */
	EDIT_FORWARD_CHAR,    /* C-f, Right */
	EDIT_BACK_WORD,       /* M-b: start of this or the previous word */
	EDIT_FORWARD_WORD,    /* M-f: end of this or the next word */
	EDIT_KILL_LINE_END,   /* C-k: kill to end of line; at the end, kill the LF */
	EDIT_KILL_LINE_START, /* C-u: kill to start of line; at the start, kill the LF */
	EDIT_KILL_WORD_BACK,  /* C-w: kill the whitespace-delimited word before the cursor */
	EDIT_KILL_WORD_FORWARD, /* M-d: kill to the end of the next word */
	EDIT_YANK,            /* C-y: insert the last kill */
	EDIT_DELETE_CHAR,     /* C-d, Delete: delete the cluster under the cursor */
	EDIT_BACKSPACE,       /* delete the cluster before the cursor */
	EDIT_UP,              /* previous line, same display column (EDIT_AT_FIRST_LINE) */
	EDIT_DOWN,            /* next line, same display column (EDIT_AT_LAST_LINE) */
	EDIT_TEXT_START,      /* M-<: start of the whole text */
	EDIT_TEXT_END,        /* M->: end of the whole text */
	EDIT_HISTORY_OLDER,   /* recall the previous prompt (the draft is kept; changes
			       * to a recalled prompt are dropped when recall moves on) */
	EDIT_HISTORY_NEWER,   /* recall the next prompt, or back to the draft */
	EDIT_CLEAR,           /* empty the text (not a kill) and leave history recall */
};

/* What edit_apply did. */
enum edit_result {
	EDIT_ERROR = -1,        /* out of memory; the text is unchanged */
	EDIT_OK = 0,            /* the text or the cursor changed */
	EDIT_UNCHANGED = 1,     /* nothing to do (start/end of text, empty kill, no history) */
	EDIT_AT_FIRST_LINE = 2, /* Up on the first line: the caller may recall history */
	EDIT_AT_LAST_LINE = 3,  /* Down on the last line */
};

/* A growable array of code points. */
struct edit_cps {
	uint32_t *v;
	size_t len, cap;
};

struct edit {
	struct edit_cps text; /* the content, no terminator */
	size_t cursor;        /* index into text.v, 0..text.len, normally a cluster boundary */
	int has_sel;          /* text[sel..cursor) is selected: typing replaces it */
	size_t sel;
	int goal_col;         /* display column Up/Down aim for; -1 when not moving vertically */
	struct edit_cps kill; /* the last kill, for C-y */
	int last_was_kill;    /* consecutive kills add up to one kill, as in Emacs */
	char **history;       /* ring of earlier prompts (UTF-8), oldest first */
	size_t hist_len, hist_max;
	size_t hist_pos;      /* the entry shown; hist_len while editing the draft */
	struct edit_cps draft; /* the text being edited when recall started */
	size_t draft_cursor;
	struct buf utf8;      /* edit_text's result */
};

/* history_max: how many earlier prompts the ring keeps (0 keeps none). */
void edit_init(struct edit *e, size_t history_max);
void edit_free(struct edit *e);

/* Applies one action; ch is used by EDIT_INSERT only. Returns an enum edit_result. */
int edit_apply(struct edit *e, enum edit_action action, uint32_t ch);
/* Inserts UTF-8 at the cursor, as a paste: CR LF and lone CR become LF (terminals send
 * CR for pasted newlines), other controls but TAB are dropped, invalid bytes become
 * U+FFFD. Never sends. EDIT_OK, EDIT_UNCHANGED (nothing insertable) or EDIT_ERROR. */
int edit_insert_utf8(struct edit *e, const char *s, size_t len);
/* Replaces the text (as a paste), cursor at the end. 0 or -1. */
int edit_set_text(struct edit *e, const char *s, size_t len);
/* The same with its tail from byte sel_from selected: typing (or a paste, or C-y)
 * replaces the selection, Backspace and Delete remove it, any other action keeps the
 * text and ends the selection. For prefilled values, like F6's title. 0 or -1. */
int edit_set_text_selected(struct edit *e, const char *s, size_t len, size_t sel_from);
/* The selection as byte offsets into edit_text()'s UTF-8: 1 with *from < *to, 0 none. */
int edit_selection(const struct edit *e, size_t *from, size_t *to);

/* The text as UTF-8, NUL-terminated, owned by e and valid until the next change; *len
 * gets its length when len is not NULL. NULL when memory ran out. */
const char *edit_text(struct edit *e, size_t *len);
/* Byte offset of the cursor in edit_text()'s UTF-8 (for text_wrap_locate). */
size_t edit_cursor_offset(const struct edit *e);
/* The cursor's line (0-based, counting LFs before it) and display column within that
 * line, measured with text.h's widths (TAB to the next multiple of 8). */
void edit_cursor_line_col(const struct edit *e, int *line, int *col);
int edit_is_empty(const struct edit *e);

/* Adds a sent prompt to the history ring (empty text, and a repeat of the newest entry,
 * are skipped; the oldest entry goes when the ring is full) and leaves recall, so the
 * next EDIT_HISTORY_OLDER starts from the newest. 0 or -1. */
int edit_history_add(struct edit *e, const char *s, size_t len);
size_t edit_history_count(const struct edit *e);
/* Entry i, 0 the oldest; NULL when out of range. For saving the ring. */
const char *edit_history_get(const struct edit *e, size_t i);

#endif
