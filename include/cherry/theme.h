/* theme: the named styles of the chat screen and the colours a theme gives them (pure).
 * Every styled span the view lays out carries a role (what it is: a heading, a string
 * in code) and inline attributes (bold, italic...); a theme maps each role to a
 * foreground, a background and attributes. Built-in themes are "dark", "light" and
 * "16" (the sixteen ANSI colours only); a theme file is JSON
 * {"styles": {"NAME": {"fg": COLOUR, "bg": COLOUR, "bold": true, ...}}} over a base
 * theme ("base": "dark"), where COLOUR is "#rrggbb", 0-255, an ANSI name ("red",
 * "bright-blue") or "default". Reading the file is the shell's job. */
#ifndef CHERRY_THEME_H
#define CHERRY_THEME_H

#include <stddef.h>
#include <stdint.h>

#include "cherry/err.h"

enum theme_role {
	TR_TEXT,
	TR_HEADER_USER,
	TR_HEADER_ASSISTANT,
	TR_REASONING,
	TR_FOLDED,
	TR_FOOTER,
	TR_ERROR,
	TR_INFO,
	TR_H1, TR_H2, TR_H3, TR_H4, TR_H5, TR_H6,
	TR_CODE,            /* inline code */
	TR_CODE_BLOCK,      /* text in a code block */
	TR_CODE_FRAME,      /* the frame and label around a code block */
	TR_LINK,            /* a link's text */
	TR_URL,             /* the URL shown after it */
	TR_QUOTE,           /* text in a block quote */
	TR_QUOTE_BAR,
	TR_LIST_MARKER,     /* bullets, numbers, task boxes */
	TR_TABLE_BORDER,
	TR_TABLE_HEADER,
	TR_RULE,            /* a thematic break */
	TR_MATH,
	TR_HTML,            /* raw HTML shown as text */
	TR_HL_KEYWORD,      /* code token classes (highlight.h) */
	TR_HL_TYPE,
	TR_HL_STRING,
	TR_HL_NUMBER,
	TR_HL_COMMENT,
	TR_HL_FUNCTION,
	TR_HL_PREPROC,
	TR_HL_ADDED,
	TR_HL_REMOVED,
	TR_HL_META,         /* diff hunk headers, YAML keys, HTML tags' names */
	TR__COUNT
};

/* Inline attributes; a run's attributes are added to its role's. */
enum {
	TA_BOLD = 1,
	TA_ITALIC = 2,
	TA_UNDERLINE = 4,
	TA_STRIKE = 8,
	TA_DIM = 16,
	TA_REVERSE = 32,
};

/* A colour: THEME_DEFAULT, an index 0..255, or THEME_RGB | 0xRRGGBB. */
#define THEME_DEFAULT 0xFFFFFFFFu
#define THEME_RGB 0x01000000u

struct theme_style {
	uint32_t fg, bg;
	unsigned attrs;
};

struct theme {
	struct theme_style s[TR__COUNT];
};

/* The style names used in theme files, indexed by role. */
const char *theme_role_name(enum theme_role r);
/* A built-in theme by name ("dark", "light", "16"); 0, or -1 when there is none. */
int theme_builtin(const char *name, struct theme *out);
/* The theme under NO_COLOR: every colour dropped, and where colour alone showed
 * structure an attribute shows it instead (inline code reversed; URLs, frames, borders,
 * rules, comments and reasoning dim; headings 1-2 bold and underlined; keywords,
 * markers and quote bars bold). */
void theme_no_colour(struct theme *t);
/* A theme file's JSON text over the built-in it names as "base" (default "dark").
 * 0, or -1 with a message naming the bad style or colour. */
int theme_parse(const char *json, size_t len, struct theme *out, struct err *e);
/* The colours of a direct-colour terminal (terminfo's RGB, e.g. TERM=xterm-direct):
 * a colour number is 0xRRGGBB itself, except that numbers below 8 are the ANSI ones. */
#define THEME_DIRECT_COLOURS 0x1000000

/* A colour as the terminal can show it: ncolors THEME_DIRECT_COLOURS or more gives the
 * exact RGB (a palette index as xterm's default RGB for it; #000000-#000007 as ANSI
 * black, the only numbers a direct terminal reads as palette ones), 256 or more an
 * index 0..255 (RGB mapped to the nearest of the 6x6x6 cube and grey ramp), 16 or 8
 * an index below that; THEME_DEFAULT stays -1. */
int theme_colour_index(uint32_t c, int ncolors);
/* xterm's default RGB for palette index i (0..255). */
uint32_t theme_index_rgb(unsigned i);
/* The terminfo entry that gives 24-bit colour on this terminal, into out[n]: when
 * colorterm (COLORTERM) is "truecolor" or "24bit" and the theme has an RGB colour,
 * term's direct-colour sibling ("xterm-256color" -> "xterm-direct", "tmux-256color" ->
 * "tmux-direct", "xterm-kitty" -> "kitty-direct"). 1 with a name to try (curses falls
 * back to term when it has no such entry), 0 when term stays (it is direct already,
 * or 24-bit colour is not asked for or not needed). */
int theme_direct_term(const struct theme *t, const char *term, const char *colorterm,
		      char *out, size_t n);

#endif
