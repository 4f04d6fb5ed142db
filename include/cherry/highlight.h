/* highlight: code classified by token for colouring, one line at a time (pure).
 * A small table-driven scanner per language family (kilo's shape, with micro's state
 * carried from line to line): keywords and types from word lists, strings and comments
 * from delimiter tables, and a few line-start rules (diff, preprocessor, YAML/TOML
 * keys). The state after a line is what the next one starts from, so a comment or
 * string that spans lines is right however the lines arrive. */
#ifndef CHERRY_HIGHLIGHT_H
#define CHERRY_HIGHLIGHT_H

#include <stddef.h>
#include <stdint.h>

enum hl_class {
	HL_PLAIN,
	HL_KEYWORD,
	HL_TYPE,
	HL_STRING,
	HL_NUMBER,
	HL_COMMENT,
	HL_FUNCTION,
	HL_PREPROC,
	HL_ADDED,
	HL_REMOVED,
	HL_META,
};

struct hl_lang; /* opaque: one row of highlight.c's table */

/* Where a line ends: inside nothing, a block comment, or string kind `idx`. */
struct hl_state {
	uint8_t in;  /* 0, HL_IN_COMMENT or HL_IN_STRING */
	uint8_t idx;
};
enum { HL_IN_COMMENT = 1, HL_IN_STRING = 2 };

/* The language a fence's info word names ("c", "py", "TypeScript", "sh"...), any case;
 * NULL when none is known (the block is then shown without colours). */
const struct hl_lang *hl_lang_find(const char *name, size_t len);
/* Its canonical name, e.g. "python". */
const char *hl_lang_name(const struct hl_lang *l);

/* Classifies the line s[0..n) (no LF) into cls[0..n), one class per byte, starting
 * in *st and leaving there the state after the line. */
void hl_line(const struct hl_lang *l, struct hl_state *st, const char *s, size_t n,
	     uint8_t *cls);

#endif
