/* test_theme: every built-in theme's styles readable on the background it is made for
 * (WCAG contrast, as exact RGB and as the 256-colour terminal shows it), colours
 * brought down to what a terminal has (direct colour exact), and the direct-colour
 * terminfo entry chosen from COLORTERM. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cherry/err.h"
#include "cherry/theme.h"

static double channel(uint32_t c)
{
	double v = (double)c / 255.0;
	return v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double luminance(uint32_t rgb)
{
	return 0.2126 * channel(rgb >> 16 & 255) + 0.7152 * channel(rgb >> 8 & 255) +
	       0.0722 * channel(rgb & 255);
}

static double contrast(uint32_t a, uint32_t b)
{
	double la = luminance(a), lb = luminance(b);
	return ((la > lb ? la : lb) + 0.05) / ((la > lb ? lb : la) + 0.05);
}

/* Decorations (frames, borders, rules, the quote bar) are not text: WCAG's 3:1 for
 * graphics; everything else is read: 4.5:1. */
static double least(int role)
{
	switch (role) {
	case TR_CODE_FRAME: case TR_TABLE_BORDER: case TR_RULE: case TR_QUOTE_BAR:
		return 3.0;
	default:
		return 4.5;
	}
}

/* The colour a terminal of ncolors shows for c, as RGB; c's default is dflt. */
static uint32_t shown(uint32_t c, int ncolors, uint32_t dflt)
{
	if (c == THEME_DEFAULT)
		return dflt;
	if (ncolors >= THEME_DIRECT_COLOURS)
		return c & THEME_RGB ? c & 0xFFFFFF : theme_index_rgb(c & 255);
	return theme_index_rgb((unsigned)theme_colour_index(c, ncolors));
}

static void check_theme(const char *name, uint32_t fg, uint32_t bg, int ncolors)
{
	struct theme t;
	assert_int_equal(theme_builtin(name, &t), 0);
	for (int r = 0; r < TR__COUNT; r++) {
		const struct theme_style *st = &t.s[r];
		uint32_t f = shown(st->fg, ncolors, fg), b = shown(st->bg, ncolors, bg);
		if (st->attrs & TA_REVERSE) {
			uint32_t x = f;
			f = b;
			b = x;
		}
		double cr = contrast(f, b);
		if (cr < least(r))
			fail_msg("theme %s, %d colours: style \"%s\" #%06x on #%06x has contrast "
				 "%.2f, under %.1f", name, ncolors, theme_role_name(r), f, b, cr,
				 least(r));
	}
}

static void test_contrast(void **state)
{
	(void)state;
	/* dark: on black, a dark grey and Solarized's dark; light: on white, Solarized's
	 * light and a light grey */
	static const uint32_t darks[] = {0x000000, 0x1c1c1c, 0x002b36},
			      lights[] = {0xffffff, 0xfdf6e3, 0xeeeeee};
	for (size_t i = 0; i < 3; i++) {
		check_theme("dark", 0xd0d0d0, darks[i], THEME_DIRECT_COLOURS);
		check_theme("dark", 0xd0d0d0, darks[i], 256);
		check_theme("light", 0x262626, lights[i], THEME_DIRECT_COLOURS);
		check_theme("light", 0x262626, lights[i], 256);
	}
	/* the sixteen colours, as xterm shows them, on black */
	check_theme("16", 0xe5e5e5, 0x000000, 16);
}

static void test_colour_index(void **state)
{
	(void)state;
	uint32_t gold = THEME_RGB | 0xffd75f;
	/* direct colour: the RGB itself; palette indexes below 8 stay, above as RGB */
	assert_int_equal(theme_colour_index(gold, THEME_DIRECT_COLOURS), 0xffd75f);
	assert_int_equal(theme_colour_index(THEME_RGB | 0x123456, THEME_DIRECT_COLOURS),
			 0x123456);
	assert_int_equal(theme_colour_index(3, THEME_DIRECT_COLOURS), 3);
	assert_int_equal(theme_colour_index(12, THEME_DIRECT_COLOURS), 0x5c5cff);
	assert_int_equal(theme_colour_index(THEME_RGB | 0x000005, THEME_DIRECT_COLOURS), 0);
	assert_int_equal(theme_colour_index(THEME_DEFAULT, THEME_DIRECT_COLOURS), -1);
	/* 256: the cube's nearest; 16 and 8: the ANSI ones */
	assert_int_equal(theme_colour_index(gold, 256), 221);
	assert_int_equal(theme_colour_index(gold, 16), 11);
	assert_int_equal(theme_colour_index(gold, 8), 3);
	assert_int_equal(theme_colour_index(12, 8), 4);
	assert_int_equal(theme_index_rgb(221), 0xffd75f);
	assert_int_equal(theme_index_rgb(232), 0x080808);
}

static void test_direct_term(void **state)
{
	(void)state;
	struct theme dark, ansi;
	theme_builtin("dark", &dark);
	theme_builtin("16", &ansi);
	char out[64];
	assert_int_equal(theme_direct_term(&dark, "xterm-256color", "truecolor", out, sizeof out), 1);
	assert_string_equal(out, "xterm-direct");
	assert_int_equal(theme_direct_term(&dark, "tmux-256color", "24bit", out, sizeof out), 1);
	assert_string_equal(out, "tmux-direct");
	assert_int_equal(theme_direct_term(&dark, "xterm-kitty", "truecolor", out, sizeof out), 1);
	assert_string_equal(out, "kitty-direct");
	assert_int_equal(theme_direct_term(&dark, "alacritty", "truecolor", out, sizeof out), 1);
	assert_string_equal(out, "alacritty-direct");
	/* not asked for, already direct, or a theme of palette colours only */
	assert_int_equal(theme_direct_term(&dark, "xterm-256color", NULL, out, sizeof out), 0);
	assert_int_equal(theme_direct_term(&dark, "xterm-256color", "yes", out, sizeof out), 0);
	assert_int_equal(theme_direct_term(&dark, "xterm-direct", "truecolor", out, sizeof out), 0);
	assert_int_equal(theme_direct_term(&ansi, "xterm-256color", "truecolor", out, sizeof out), 0);
	assert_string_equal(out, "");
	/* a theme file with one RGB colour over the 16 */
	struct err e;
	err_clear(&e);
	struct theme mixed;
	const char *json = "{\"base\": \"16\", \"styles\": {\"h1\": {\"fg\": \"#ff8700\"}}}";
	assert_int_equal(theme_parse(json, strlen(json), &mixed, &e), 0);
	assert_int_equal(theme_direct_term(&mixed, "xterm-256color", "truecolor", out, sizeof out), 1);
	/* no room: nothing to try */
	assert_int_equal(theme_direct_term(&dark, "xterm-256color", "truecolor", out, 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contrast),
		cmocka_unit_test(test_colour_index),
		cmocka_unit_test(test_direct_term),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
