/* theme: the built-in themes, theme files parsed over them, and colours brought down
 * to what a terminal has (pure). Every style reads on the background its theme is made
 * for (test_theme checks WCAG contrast: 4.5:1 for text, 3:1 for frames and rules, on
 * black, #1c1c1c and #002b36 for the dark theme, white, #fdf6e3 and #eeeeee for the
 * light one, exact and as 256 colours). */
#include "cherry/theme.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[TR__COUNT] = {
	[TR_TEXT] = "text", [TR_HEADER_USER] = "header_user",
	[TR_HEADER_ASSISTANT] = "header_assistant", [TR_REASONING] = "reasoning",
	[TR_FOLDED] = "folded", [TR_FOOTER] = "footer", [TR_ERROR] = "error", [TR_INFO] = "info",
	[TR_H1] = "h1", [TR_H2] = "h2", [TR_H3] = "h3", [TR_H4] = "h4", [TR_H5] = "h5",
	[TR_H6] = "h6", [TR_CODE] = "code", [TR_CODE_BLOCK] = "code_block",
	[TR_CODE_FRAME] = "code_frame", [TR_LINK] = "link", [TR_URL] = "url",
	[TR_QUOTE] = "quote", [TR_QUOTE_BAR] = "quote_bar", [TR_LIST_MARKER] = "list_marker",
	[TR_TABLE_BORDER] = "table_border", [TR_TABLE_HEADER] = "table_header",
	[TR_RULE] = "rule", [TR_MATH] = "math", [TR_HTML] = "html",
	[TR_HL_KEYWORD] = "keyword", [TR_HL_TYPE] = "type", [TR_HL_STRING] = "string",
	[TR_HL_NUMBER] = "number", [TR_HL_COMMENT] = "comment", [TR_HL_FUNCTION] = "function",
	[TR_HL_PREPROC] = "preprocessor", [TR_HL_ADDED] = "added", [TR_HL_REMOVED] = "removed",
	[TR_HL_META] = "meta",
};

const char *theme_role_name(enum theme_role r)
{
	return r < TR__COUNT ? role_names[r] : "";
}

#define D THEME_DEFAULT
#define RGB(x) (THEME_RGB | (x))
#define B TA_BOLD
#define I TA_ITALIC
#define U TA_UNDERLINE

/* {role, fg, bg, attrs} rows; roles not listed are plain. */
struct row {
	int role;
	uint32_t fg, bg;
	unsigned attrs;
};

static const struct row dark[] = {
	{TR_HEADER_USER, RGB(0x5fd7ff), D, B}, {TR_HEADER_ASSISTANT, RGB(0x87d787), D, B},
	{TR_REASONING, RGB(0x949494), D, 0}, {TR_FOLDED, RGB(0x949494), D, I},
	{TR_FOOTER, RGB(0x9e9e9e), D, B}, {TR_ERROR, RGB(0xff5f5f), D, B},
	{TR_INFO, RGB(0xd787d7), D, 0},
	{TR_H1, RGB(0xffd75f), D, B}, {TR_H2, RGB(0x87afff), D, B}, {TR_H3, RGB(0x5fd7af), D, B},
	{TR_H4, RGB(0xd7afff), D, B}, {TR_H5, RGB(0xbcbcbc), D, B}, {TR_H6, RGB(0x9e9e9e), D, B | I},
	{TR_CODE, RGB(0xffaf87), RGB(0x303030), 0}, {TR_CODE_BLOCK, RGB(0xdadada), D, 0},
	{TR_CODE_FRAME, RGB(0x808080), D, 0}, {TR_LINK, RGB(0x5fafff), D, U},
	{TR_URL, RGB(0x949494), D, 0}, {TR_QUOTE, RGB(0xd7d7af), D, I},
	{TR_QUOTE_BAR, RGB(0x8787d7), D, 0}, {TR_LIST_MARKER, RGB(0xffaf5f), D, 0},
	{TR_TABLE_BORDER, RGB(0x808080), D, 0}, {TR_TABLE_HEADER, RGB(0xffd75f), D, B},
	{TR_RULE, RGB(0x808080), D, 0}, {TR_MATH, RGB(0xd7afff), D, 0},
	{TR_HTML, RGB(0x9e9e9e), D, 0},
	{TR_HL_KEYWORD, RGB(0xff87af), D, B}, {TR_HL_TYPE, RGB(0x5fd7d7), D, 0},
	{TR_HL_STRING, RGB(0xafd787), D, 0}, {TR_HL_NUMBER, RGB(0xd7af87), D, 0},
	{TR_HL_COMMENT, RGB(0x949494), D, I}, {TR_HL_FUNCTION, RGB(0x87afff), D, 0},
	{TR_HL_PREPROC, RGB(0xd787d7), D, 0}, {TR_HL_ADDED, RGB(0x87d787), D, 0},
	{TR_HL_REMOVED, RGB(0xff8787), D, 0}, {TR_HL_META, RGB(0x5fafd7), D, 0},
};

static const struct row light[] = {
	{TR_HEADER_USER, RGB(0x005f87), D, B}, {TR_HEADER_ASSISTANT, RGB(0x005f00), D, B},
	{TR_REASONING, RGB(0x6c6c6c), D, 0}, {TR_FOLDED, RGB(0x6c6c6c), D, I},
	{TR_FOOTER, RGB(0x6c6c6c), D, B}, {TR_ERROR, RGB(0xaf0000), D, B},
	{TR_INFO, RGB(0x870087), D, 0},
	{TR_H1, RGB(0x875f00), D, B}, {TR_H2, RGB(0x005faf), D, B}, {TR_H3, RGB(0x005f5f), D, B},
	{TR_H4, RGB(0x8700af), D, B}, {TR_H5, RGB(0x444444), D, B}, {TR_H6, RGB(0x6c6c6c), D, B | I},
	{TR_CODE, RGB(0xaf005f), RGB(0xeeeeee), 0}, {TR_CODE_BLOCK, RGB(0x262626), D, 0},
	{TR_CODE_FRAME, RGB(0x808080), D, 0}, {TR_LINK, RGB(0x005fd7), D, U},
	{TR_URL, RGB(0x6c6c6c), D, 0}, {TR_QUOTE, RGB(0x5f5f00), D, I},
	{TR_QUOTE_BAR, RGB(0x5f5faf), D, 0}, {TR_LIST_MARKER, RGB(0x875f00), D, 0},
	{TR_TABLE_BORDER, RGB(0x808080), D, 0}, {TR_TABLE_HEADER, RGB(0x875f00), D, B},
	{TR_RULE, RGB(0x808080), D, 0}, {TR_MATH, RGB(0x5f00af), D, 0},
	{TR_HTML, RGB(0x6c6c6c), D, 0},
	{TR_HL_KEYWORD, RGB(0xaf005f), D, B}, {TR_HL_TYPE, RGB(0x005f5f), D, 0},
	{TR_HL_STRING, RGB(0x005f00), D, 0}, {TR_HL_NUMBER, RGB(0x875f00), D, 0},
	{TR_HL_COMMENT, RGB(0x6c6c6c), D, I}, {TR_HL_FUNCTION, RGB(0x005faf), D, 0},
	{TR_HL_PREPROC, RGB(0x870087), D, 0}, {TR_HL_ADDED, RGB(0x005f00), D, 0},
	{TR_HL_REMOVED, RGB(0xaf0000), D, 0}, {TR_HL_META, RGB(0x005f87), D, 0},
};

/* The sixteen ANSI colours only; the bright ones (8-15) where a dark one is hard to
 * read on black. */
static const struct row ansi16[] = {
	{TR_HEADER_USER, 14, D, B}, {TR_HEADER_ASSISTANT, 10, D, B}, {TR_REASONING, D, D, TA_DIM},
	{TR_FOLDED, D, D, TA_DIM}, {TR_FOOTER, D, D, TA_DIM | B}, {TR_ERROR, 9, D, B},
	{TR_INFO, 13, D, 0}, {TR_H1, 11, D, B | U}, {TR_H2, 14, D, B}, {TR_H3, 10, D, B},
	{TR_H4, 13, D, B}, {TR_H5, D, D, B}, {TR_H6, D, D, B | I}, {TR_CODE, 11, D, 0},
	{TR_CODE_FRAME, D, D, TA_DIM}, {TR_LINK, 14, D, U}, {TR_URL, D, D, TA_DIM},
	{TR_QUOTE, D, D, I}, {TR_QUOTE_BAR, 13, D, 0}, {TR_LIST_MARKER, 11, D, 0},
	{TR_TABLE_BORDER, D, D, TA_DIM}, {TR_TABLE_HEADER, D, D, B}, {TR_RULE, D, D, TA_DIM},
	{TR_MATH, 13, D, 0}, {TR_HTML, D, D, TA_DIM}, {TR_HL_KEYWORD, 13, D, B},
	{TR_HL_TYPE, 14, D, 0}, {TR_HL_STRING, 10, D, 0}, {TR_HL_NUMBER, 11, D, 0},
	{TR_HL_COMMENT, D, D, TA_DIM | I}, {TR_HL_FUNCTION, 14, D, 0}, {TR_HL_PREPROC, 13, D, 0},
	{TR_HL_ADDED, 10, D, 0}, {TR_HL_REMOVED, 9, D, 0}, {TR_HL_META, 14, D, 0},
};

static void load(struct theme *t, const struct row *rows, size_t n)
{
	for (int r = 0; r < TR__COUNT; r++)
		t->s[r] = (struct theme_style){D, D, 0};
	for (size_t i = 0; i < n; i++)
		t->s[rows[i].role] = (struct theme_style){rows[i].fg, rows[i].bg, rows[i].attrs};
}

int theme_builtin(const char *name, struct theme *out)
{
	if (!name || !strcmp(name, "dark"))
		load(out, dark, sizeof dark / sizeof dark[0]);
	else if (!strcmp(name, "light"))
		load(out, light, sizeof light / sizeof light[0]);
	else if (!strcmp(name, "16"))
		load(out, ansi16, sizeof ansi16 / sizeof ansi16[0]);
	else
		return -1;
	return 0;
}

void theme_no_colour(struct theme *t)
{
	for (int r = 0; r < TR__COUNT; r++) {
		unsigned add = 0;
		switch (r) {
		case TR_CODE:
			add = TA_REVERSE;
			break;
		case TR_URL: case TR_CODE_FRAME: case TR_TABLE_BORDER: case TR_RULE: case TR_HTML:
		case TR_HL_COMMENT: case TR_REASONING: case TR_FOLDED: case TR_HL_REMOVED:
			add = TA_DIM;
			break;
		case TR_H1: case TR_H2:
			add = TA_BOLD | TA_UNDERLINE;
			break;
		case TR_HL_KEYWORD: case TR_HL_ADDED: case TR_LIST_MARKER: case TR_QUOTE_BAR:
			add = TA_BOLD;
			break;
		default:
			break;
		}
		t->s[r] = (struct theme_style){THEME_DEFAULT, THEME_DEFAULT, t->s[r].attrs | add};
	}
}

static const char *const ansi_names[] = {"black", "red", "green", "yellow",
					 "blue", "magenta", "cyan", "white"};

static int parse_colour(json_t *v, uint32_t *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0 || i > 255)
			return -1;
		*out = (uint32_t)i;
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	const char *s = json_string_value(v);
	if (!strcmp(s, "default")) {
		*out = D;
		return 0;
	}
	if (s[0] == '#' && strlen(s) == 7) {
		char *end;
		unsigned long x = strtoul(s + 1, &end, 16);
		if (*end)
			return -1;
		*out = RGB((uint32_t)x);
		return 0;
	}
	int bright = !strncmp(s, "bright-", 7);
	const char *base = bright ? s + 7 : s;
	if (!strcmp(base, "grey") || !strcmp(base, "gray")) {
		*out = 8;
		return 0;
	}
	for (uint32_t k = 0; k < 8; k++)
		if (!strcmp(base, ansi_names[k])) {
			*out = k + (bright ? 8 : 0);
			return 0;
		}
	return -1;
}

static const struct {
	const char *key;
	unsigned attr;
} attr_keys[] = {{"bold", TA_BOLD}, {"italic", TA_ITALIC}, {"underline", TA_UNDERLINE},
		 {"strike", TA_STRIKE}, {"dim", TA_DIM}, {"reverse", TA_REVERSE}};

static int parse_style(const char *name, json_t *v, struct theme_style *st, struct err *e)
{
	if (!json_is_object(v)) {
		err_set(e, EXIT_FAIL, "theme: style \"%s\" is not an object", name);
		return -1;
	}
	json_t *fg = json_object_get(v, "fg"), *bg = json_object_get(v, "bg");
	if ((fg && parse_colour(fg, &st->fg) < 0) || (bg && parse_colour(bg, &st->bg) < 0)) {
		err_set(e, EXIT_FAIL, "theme: style \"%s\": a colour is \"#rrggbb\", 0-255, "
			"an ANSI name or \"default\"", name);
		return -1;
	}
	for (size_t k = 0; k < sizeof attr_keys / sizeof attr_keys[0]; k++) {
		json_t *a = json_object_get(v, attr_keys[k].key);
		if (!a)
			continue;
		if (!json_is_boolean(a)) {
			err_set(e, EXIT_FAIL, "theme: style \"%s\": \"%s\" is true or false", name,
				attr_keys[k].key);
			return -1;
		}
		if (json_is_true(a))
			st->attrs |= attr_keys[k].attr;
		else
			st->attrs &= ~attr_keys[k].attr;
	}
	return 0;
}

int theme_parse(const char *text, size_t len, struct theme *out, struct err *e)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, 0, &je);
	if (!json_is_object(root)) {
		err_set(e, EXIT_FAIL, "theme: not a JSON object (%s, line %d)", je.text, je.line);
		json_decref(root);
		return -1;
	}
	json_t *base = json_object_get(root, "base");
	if (theme_builtin(json_is_string(base) ? json_string_value(base) : "dark", out) < 0) {
		err_set(e, EXIT_FAIL, "theme: no built-in theme \"%s\" for \"base\"",
			json_string_value(base));
		json_decref(root);
		return -1;
	}
	json_t *styles = json_object_get(root, "styles");
	const char *key;
	json_t *v;
	int rc = 0;
	json_object_foreach(styles, key, v) {
		int r;
		for (r = 0; r < TR__COUNT && strcmp(role_names[r], key); r++)
			;
		if (r == TR__COUNT) {
			err_set(e, EXIT_FAIL, "theme: no style named \"%s\"", key);
			rc = -1;
			break;
		}
		if (parse_style(key, v, &out->s[r], e) < 0) {
			rc = -1;
			break;
		}
	}
	json_decref(root);
	return rc;
}

/* ---- colours for the terminal ---- */

static const uint32_t base16[16] = {
	0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
	0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};

uint32_t theme_index_rgb(unsigned i)
{
	i &= 255;
	if (i < 16)
		return base16[i];
	if (i < 232) {
		static const uint32_t steps[6] = {0, 95, 135, 175, 215, 255};
		i -= 16;
		return steps[i / 36] << 16 | steps[i / 6 % 6] << 8 | steps[i % 6];
	}
	uint32_t g = 8 + (i - 232) * 10;
	return g << 16 | g << 8 | g;
}

static long dist(uint32_t a, uint32_t b)
{
	long dr = (long)(a >> 16 & 255) - (long)(b >> 16 & 255);
	long dg = (long)(a >> 8 & 255) - (long)(b >> 8 & 255);
	long db = (long)(a & 255) - (long)(b & 255);
	return dr * dr * 3 + dg * dg * 4 + db * db * 2;
}

static int nearest(uint32_t rgb, uint32_t from, uint32_t to)
{
	int best = (int)from;
	long bd = -1;
	for (uint32_t i = from; i < to; i++) {
		long d = dist(rgb, theme_index_rgb(i));
		if (bd < 0 || d < bd) {
			bd = d;
			best = (int)i;
		}
	}
	return best;
}

int theme_colour_index(uint32_t c, int ncolors)
{
	if (c == THEME_DEFAULT)
		return -1;
	if (ncolors >= THEME_DIRECT_COLOURS) {
		if (!(c & THEME_RGB) && (c & 255) < 8)
			return (int)(c & 255);
		uint32_t rgb = c & THEME_RGB ? c & 0xFFFFFF : theme_index_rgb(c & 255);
		return rgb < 8 ? 0 : (int)rgb;
	}
	if (ncolors >= 256)
		return c & THEME_RGB ? nearest(c & 0xFFFFFF, 16, 256) : (int)(c & 255);
	uint32_t rgb = c & THEME_RGB ? c & 0xFFFFFF : theme_index_rgb(c & 255);
	if (!(c & THEME_RGB) && (c & 255) < 16) {
		int i = (int)(c & 255);
		/* eight colours: bright ones fold onto theirs, grey onto white */
		return ncolors >= 16 ? i : i == 8 ? 7 : i & 7;
	}
	return nearest(rgb, 0, ncolors >= 16 ? 16 : 8);
}

int theme_direct_term(const struct theme *t, const char *term, const char *colorterm,
		      char *out, size_t n)
{
	if (n)
		out[0] = '\0';
	if (!term || !colorterm || (strcmp(colorterm, "truecolor") && strcmp(colorterm, "24bit")))
		return 0;
	int rgb = 0;
	for (int r = 0; r < TR__COUNT; r++)
		rgb |= (t->s[r].fg != D && (t->s[r].fg & THEME_RGB)) ||
		       (t->s[r].bg != D && (t->s[r].bg & THEME_RGB));
	size_t len = strlen(term);
	if (!rgb || !len || (len >= 7 && !strcmp(term + len - 7, "-direct")))
		return 0;
	static const char *const suffixes[] = {"-256color", "-88color", "-16color", "-color"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t k = strlen(suffixes[i]);
		if (len > k && !strcmp(term + len - k, suffixes[i])) {
			len -= k;
			break;
		}
	}
	if (len == 11 && !strncmp(term, "xterm-kitty", 11)) {
		term = "kitty";
		len = 5;
	}
	int w = snprintf(out, n, "%.*s-direct", (int)len, term);
	if (w < 0 || (size_t)w >= n) {
		if (n)
			out[0] = '\0';
		return 0;
	}
	return 1;
}
