/* test_edit: every editor action on ASCII, CJK, emoji and multi-line text, kill/yank,
 * paste, and history recall keeping the draft; the state is checked as "text|rest". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cherry/edit.h"

#define NI "\xE4\xBD\xA0"   /* 你 */
#define HAO "\xE5\xA5\xBD"  /* 好 */
#define SHI "\xE4\xB8\x96"  /* 世 */
#define JIE "\xE7\x95\x8C"  /* 界 */
#define ACUTE "\xCC\x81"
#define GRIN "\xF0\x9F\x98\x80"
#define ZWJ "\xE2\x80\x8D"
#define FAMILY "\xF0\x9F\x91\xA8" ZWJ "\xF0\x9F\x91\xA9" ZWJ "\xF0\x9F\x91\xA7"
#define FLAG_US "\xF0\x9F\x87\xBA\xF0\x9F\x87\xB8"

/* The text with '|' at the cursor. */
static const char *show(struct edit *e)
{
	static char out[4][1024];
	static int slot;
	char *o = out[slot++ & 3];
	size_t len;
	const char *t = edit_text(e, &len);
	size_t at = edit_cursor_offset(e);
	assert_non_null(t);
	assert_true(at <= len);
	snprintf(o, sizeof(out[0]), "%.*s|%s", (int)at, t, t + at);
	return o;
}

/* Sets the text, then puts the cursor before the first '|' of spec (removed). */
static void setup_text(struct edit *e, const char *spec)
{
	const char *bar = strchr(spec, '|');
	assert_non_null(bar);
	char text[1024];
	snprintf(text, sizeof(text), "%.*s%s", (int)(bar - spec), spec, bar + 1);
	assert_int_equal(edit_set_text(e, text, strlen(text)), 0);
	while (edit_cursor_offset(e) > (size_t)(bar - spec))
		assert_int_equal(edit_apply(e, EDIT_BACK_CHAR, 0), EDIT_OK);
	assert_int_equal(edit_cursor_offset(e), (size_t)(bar - spec));
}

static void act(struct edit *e, enum edit_action a, int want, const char *after)
{
	int r = edit_apply(e, a, 0);
	const char *got = show(e);
	if (r != want || strcmp(got, after) != 0)
		fail_msg("action %d: got %d \"%s\", want %d \"%s\"", (int)a, r, got, want, after);
}

static void test_insert(void **state)
{
	(void)state;
	struct edit e;
	edit_init(&e, 10);
	assert_true(edit_is_empty(&e));
	assert_string_equal(show(&e), "|");
	assert_int_equal(edit_apply(&e, EDIT_INSERT, 'a'), EDIT_OK);
	assert_int_equal(edit_apply(&e, EDIT_INSERT, 0x4F60), EDIT_OK);
	assert_int_equal(edit_apply(&e, EDIT_INSERT, 0x1F600), EDIT_OK);
	assert_string_equal(show(&e), "a" NI GRIN "|");
	assert_int_equal(edit_apply(&e, EDIT_INSERT, 0x1B), EDIT_UNCHANGED);
	assert_int_equal(edit_apply(&e, EDIT_INSERT, 0x7F), EDIT_UNCHANGED);
	assert_int_equal(edit_apply(&e, EDIT_INSERT, 0x85), EDIT_UNCHANGED);
	assert_int_equal(edit_apply(&e, EDIT_INSERT, 0xD800), EDIT_UNCHANGED);
	assert_int_equal(edit_apply(&e, EDIT_INSERT, 0x110000), EDIT_UNCHANGED);
	assert_int_equal(edit_apply(&e, EDIT_NEWLINE, 0), EDIT_OK);
	assert_int_equal(edit_apply(&e, EDIT_INSERT, '\t'), EDIT_OK);
	assert_string_equal(show(&e), "a" NI GRIN "\n\t|");
	act(&e, EDIT_TEXT_START, EDIT_OK, "|a" NI GRIN "\n\t");
	assert_int_equal(edit_apply(&e, EDIT_INSERT, 'z'), EDIT_OK);
	assert_string_equal(show(&e), "z|a" NI GRIN "\n\t");
	assert_false(edit_is_empty(&e));
	act(&e, EDIT_TEXT_END, EDIT_OK, "za" NI GRIN "\n\t|");
	act(&e, EDIT_TEXT_END, EDIT_UNCHANGED, "za" NI GRIN "\n\t|");
	act(&e, EDIT_CLEAR, EDIT_OK, "|");
	edit_free(&e);
}

static void test_line_start_end(void **state)
{
	(void)state;
	struct edit e;
	edit_init(&e, 0);
	setup_text(&e, "one\ntw|o\nthree");
	act(&e, EDIT_LINE_START, EDIT_OK, "one\n|two\nthree");
	act(&e, EDIT_LINE_START, EDIT_UNCHANGED, "one\n|two\nthree");
	act(&e, EDIT_LINE_END, EDIT_OK, "one\ntwo|\nthree");
	act(&e, EDIT_LINE_END, EDIT_UNCHANGED, "one\ntwo|\nthree");
	setup_text(&e, NI HAO "|" GRIN);
	act(&e, EDIT_LINE_END, EDIT_OK, NI HAO GRIN "|");
	act(&e, EDIT_LINE_START, EDIT_OK, "|" NI HAO GRIN);
	edit_free(&e);
}

static void test_char_moves(void **state)
{
	(void)state;
	struct edit e;
	edit_init(&e, 0);
	setup_text(&e, "ae" ACUTE FAMILY FLAG_US "\nb|");
	act(&e, EDIT_BACK_CHAR, EDIT_OK, "ae" ACUTE FAMILY FLAG_US "\n|b");
	act(&e, EDIT_BACK_CHAR, EDIT_OK, "ae" ACUTE FAMILY FLAG_US "|\nb");
	act(&e, EDIT_BACK_CHAR, EDIT_OK, "ae" ACUTE FAMILY "|" FLAG_US "\nb");
	act(&e, EDIT_BACK_CHAR, EDIT_OK, "ae" ACUTE "|" FAMILY FLAG_US "\nb");
	act(&e, EDIT_BACK_CHAR, EDIT_OK, "a|e" ACUTE FAMILY FLAG_US "\nb");
	act(&e, EDIT_BACK_CHAR, EDIT_OK, "|ae" ACUTE FAMILY FLAG_US "\nb");
	act(&e, EDIT_BACK_CHAR, EDIT_UNCHANGED, "|ae" ACUTE FAMILY FLAG_US "\nb");
	act(&e, EDIT_FORWARD_CHAR, EDIT_OK, "a|e" ACUTE FAMILY FLAG_US "\nb");
	act(&e, EDIT_FORWARD_CHAR, EDIT_OK, "ae" ACUTE "|" FAMILY FLAG_US "\nb");
	act(&e, EDIT_FORWARD_CHAR, EDIT_OK, "ae" ACUTE FAMILY "|" FLAG_US "\nb");
	act(&e, EDIT_FORWARD_CHAR, EDIT_OK, "ae" ACUTE FAMILY FLAG_US "|\nb");
	act(&e, EDIT_FORWARD_CHAR, EDIT_OK, "ae" ACUTE FAMILY FLAG_US "\n|b");
	act(&e, EDIT_FORWARD_CHAR, EDIT_OK, "ae" ACUTE FAMILY FLAG_US "\nb|");
	act(&e, EDIT_FORWARD_CHAR, EDIT_UNCHANGED, "ae" ACUTE FAMILY FLAG_US "\nb|");
	edit_free(&e);
}

static void test_word_moves(void **state)
{
	(void)state;
	struct edit e;
	edit_init(&e, 0);
	setup_text(&e, "hello, wide " SHI JIE " x|");
	act(&e, EDIT_BACK_WORD, EDIT_OK, "hello, wide " SHI JIE " |x");
	act(&e, EDIT_BACK_WORD, EDIT_OK, "hello, wide |" SHI JIE " x");
	act(&e, EDIT_BACK_WORD, EDIT_OK, "hello, |wide " SHI JIE " x");
	act(&e, EDIT_BACK_WORD, EDIT_OK, "|hello, wide " SHI JIE " x");
	act(&e, EDIT_BACK_WORD, EDIT_UNCHANGED, "|hello, wide " SHI JIE " x");
	act(&e, EDIT_FORWARD_WORD, EDIT_OK, "hello|, wide " SHI JIE " x");
	act(&e, EDIT_FORWARD_WORD, EDIT_OK, "hello, wide| " SHI JIE " x");
	act(&e, EDIT_FORWARD_WORD, EDIT_OK, "hello, wide " SHI JIE "| x");
	act(&e, EDIT_FORWARD_WORD, EDIT_OK, "hello, wide " SHI JIE " x|");
	act(&e, EDIT_FORWARD_WORD, EDIT_UNCHANGED, "hello, wide " SHI JIE " x|");
	/* words run across lines */
	setup_text(&e, "ab\n|cd");
	act(&e, EDIT_BACK_WORD, EDIT_OK, "|ab\ncd");
	act(&e, EDIT_FORWARD_WORD, EDIT_OK, "ab|\ncd");
	act(&e, EDIT_FORWARD_WORD, EDIT_OK, "ab\ncd|");
	edit_free(&e);
}

static void test_kill_yank(void **state)
{
	(void)state;
	struct edit e;
	edit_init(&e, 0);
	act(&e, EDIT_YANK, EDIT_UNCHANGED, "|");
	setup_text(&e, "ab|cd\nef");
	act(&e, EDIT_KILL_LINE_END, EDIT_OK, "ab|\nef");
	act(&e, EDIT_KILL_LINE_END, EDIT_OK, "ab|ef"); /* at the end: the LF */
	act(&e, EDIT_TEXT_END, EDIT_OK, "abef|");
	act(&e, EDIT_YANK, EDIT_OK, "abefcd\n|");       /* both kills, as one */
	act(&e, EDIT_KILL_LINE_END, EDIT_UNCHANGED, "abefcd\n|");

	setup_text(&e, "ab\ncd|ef");
	act(&e, EDIT_KILL_LINE_START, EDIT_OK, "ab\n|ef");
	act(&e, EDIT_KILL_LINE_START, EDIT_OK, "ab|ef");
	act(&e, EDIT_KILL_LINE_START, EDIT_OK, "|ef");
	act(&e, EDIT_KILL_LINE_START, EDIT_UNCHANGED, "|ef");
	act(&e, EDIT_LINE_END, EDIT_OK, "ef|");
	act(&e, EDIT_YANK, EDIT_OK, "efab\ncd|");        /* prepended in order */

	setup_text(&e, "foo bar  |");
	act(&e, EDIT_KILL_WORD_BACK, EDIT_OK, "foo |");
	act(&e, EDIT_KILL_WORD_BACK, EDIT_OK, "|");
	act(&e, EDIT_YANK, EDIT_OK, "foo bar  |");
	act(&e, EDIT_YANK, EDIT_OK, "foo bar  foo bar  |");

	setup_text(&e, "x " NI HAO "|");
	act(&e, EDIT_KILL_WORD_BACK, EDIT_OK, "x |");
	act(&e, EDIT_YANK, EDIT_OK, "x " NI HAO "|");

	setup_text(&e, "a|, b c");
	act(&e, EDIT_KILL_WORD_FORWARD, EDIT_OK, "a| c");
	act(&e, EDIT_LINE_END, EDIT_OK, "a c|");
	act(&e, EDIT_YANK, EDIT_OK, "a c, b|");

	/* a movement ends the run: the next kill replaces */
	setup_text(&e, "one two|");
	act(&e, EDIT_KILL_WORD_BACK, EDIT_OK, "one |");
	act(&e, EDIT_BACK_CHAR, EDIT_OK, "one| ");
	act(&e, EDIT_KILL_WORD_BACK, EDIT_OK, "| ");
	act(&e, EDIT_YANK, EDIT_OK, "one| ");
	edit_free(&e);
}

static void test_delete(void **state)
{
	(void)state;
	struct edit e;
	edit_init(&e, 0);
	setup_text(&e, "|" NI HAO);
	act(&e, EDIT_DELETE_CHAR, EDIT_OK, "|" HAO);
	act(&e, EDIT_DELETE_CHAR, EDIT_OK, "|");
	act(&e, EDIT_DELETE_CHAR, EDIT_UNCHANGED, "|");
	act(&e, EDIT_BACKSPACE, EDIT_UNCHANGED, "|");
	setup_text(&e, "a|" FAMILY "b");
	act(&e, EDIT_DELETE_CHAR, EDIT_OK, "a|b");
	setup_text(&e, "xe" ACUTE "|y");
	act(&e, EDIT_BACKSPACE, EDIT_OK, "x|y");
	setup_text(&e, "a\n|b");
	act(&e, EDIT_BACKSPACE, EDIT_OK, "a|b");
	setup_text(&e, "a|\nb");
	act(&e, EDIT_DELETE_CHAR, EDIT_OK, "a|b");
	setup_text(&e, GRIN FLAG_US "|");
	act(&e, EDIT_BACKSPACE, EDIT_OK, GRIN "|");
	act(&e, EDIT_BACKSPACE, EDIT_OK, "|");
	edit_free(&e);
}

static void test_up_down(void **state)
{
	(void)state;
	struct edit e;
	edit_init(&e, 0);
	setup_text(&e, "abc|def\n" NI HAO "\nxy");
	act(&e, EDIT_UP, EDIT_AT_FIRST_LINE, "abc|def\n" NI HAO "\nxy");
	/* column 3 is the right half of 好: the cursor goes to 好 */
	act(&e, EDIT_DOWN, EDIT_OK, "abcdef\n" NI "|" HAO "\nxy");
	act(&e, EDIT_DOWN, EDIT_OK, "abcdef\n" NI HAO "\nxy|");
	act(&e, EDIT_DOWN, EDIT_AT_LAST_LINE, "abcdef\n" NI HAO "\nxy|");
	act(&e, EDIT_UP, EDIT_OK, "abcdef\n" NI "|" HAO "\nxy"); /* the goal column stays 3 */
	act(&e, EDIT_UP, EDIT_OK, "abc|def\n" NI HAO "\nxy");
	act(&e, EDIT_LINE_END, EDIT_OK, "abcdef|\n" NI HAO "\nxy");
	act(&e, EDIT_DOWN, EDIT_OK, "abcdef\n" NI HAO "|\nxy");
	setup_text(&e, "\tx|\n" NI "abcdefghij");
	act(&e, EDIT_DOWN, EDIT_OK, "\tx\n" NI "abcdefg|hij");
	act(&e, EDIT_UP, EDIT_OK, "\tx|\n" NI "abcdefghij");
	setup_text(&e, "single| line");
	act(&e, EDIT_UP, EDIT_AT_FIRST_LINE, "single| line");
	act(&e, EDIT_DOWN, EDIT_AT_LAST_LINE, "single| line");
	edit_free(&e);
}

static void test_cursor_line_col(void **state)
{
	(void)state;
	struct edit e;
	edit_init(&e, 0);
	int line, col;
	edit_cursor_line_col(&e, &line, &col);
	assert_int_equal(line, 0);
	assert_int_equal(col, 0);
	setup_text(&e, "ab\n" NI "|" HAO);
	edit_cursor_line_col(&e, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 2);
	setup_text(&e, "\t|x");
	edit_cursor_line_col(&e, &line, &col);
	assert_int_equal(col, 8);
	setup_text(&e, "a\n\n" FAMILY "e" ACUTE FLAG_US "|z");
	edit_cursor_line_col(&e, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 5);
	assert_int_equal(edit_cursor_offset(&e), 3 + 18 + 3 + 8);
	edit_free(&e);
}

static void test_paste(void **state)
{
	(void)state;
	struct edit e;
	edit_init(&e, 0);
	setup_text(&e, "<|>");
	const char paste[] = "a\r\nb\rc\x1b[31md\xFF\n\te\x7F";
	assert_int_equal(edit_insert_utf8(&e, paste, sizeof(paste) - 1), EDIT_OK);
	assert_string_equal(show(&e), "<a\nb\nc[31md\xEF\xBF\xBD\n\te|>");
	assert_int_equal(edit_insert_utf8(&e, "\x01\x02", 2), EDIT_UNCHANGED);
	assert_int_equal(edit_insert_utf8(&e, NI "\n" GRIN, 8), EDIT_OK);
	assert_string_equal(show(&e), "<a\nb\nc[31md\xEF\xBF\xBD\n\te" NI "\n" GRIN "|>");
	size_t len;
	const char *t = edit_text(&e, &len);
	assert_int_equal(len, strlen(t));
	edit_free(&e);
}

static void test_history(void **state)
{
	(void)state;
	struct edit e;
	edit_init(&e, 3);
	act(&e, EDIT_HISTORY_OLDER, EDIT_UNCHANGED, "|");
	assert_int_equal(edit_history_add(&e, "first", 5), 0);
	assert_int_equal(edit_history_add(&e, "second\nline", 11), 0);
	assert_int_equal(edit_history_add(&e, "second\nline", 11), 0); /* repeat: skipped */
	assert_int_equal(edit_history_add(&e, "", 0), 0);               /* empty: skipped */
	assert_int_equal(edit_history_count(&e), 2);
	setup_text(&e, "dr|" NI);
	act(&e, EDIT_HISTORY_NEWER, EDIT_UNCHANGED, "dr|" NI);
	act(&e, EDIT_HISTORY_OLDER, EDIT_OK, "second\nline|");
	/* Up inside a recalled multi-line prompt moves first, then reports the top */
	act(&e, EDIT_UP, EDIT_OK, "seco|nd\nline");
	act(&e, EDIT_UP, EDIT_AT_FIRST_LINE, "seco|nd\nline");
	act(&e, EDIT_HISTORY_OLDER, EDIT_OK, "first|");
	act(&e, EDIT_HISTORY_OLDER, EDIT_UNCHANGED, "first|");
	act(&e, EDIT_HISTORY_NEWER, EDIT_OK, "second\nline|");
	act(&e, EDIT_HISTORY_NEWER, EDIT_OK, "dr|" NI); /* the draft and its cursor */
	act(&e, EDIT_HISTORY_NEWER, EDIT_UNCHANGED, "dr|" NI);

	/* a recalled entry can be edited and sent; the ring drops its oldest */
	act(&e, EDIT_HISTORY_OLDER, EDIT_OK, "second\nline|");
	assert_int_equal(edit_apply(&e, EDIT_INSERT, '!'), EDIT_OK);
	size_t len;
	const char *t = edit_text(&e, &len);
	assert_int_equal(edit_history_add(&e, t, len), 0);
	act(&e, EDIT_CLEAR, EDIT_OK, "|");
	assert_int_equal(edit_history_add(&e, GRIN, 4), 0);
	assert_int_equal(edit_history_count(&e), 3);
	assert_string_equal(edit_history_get(&e, 0), "second\nline");
	assert_string_equal(edit_history_get(&e, 1), "second\nline!");
	assert_string_equal(edit_history_get(&e, 2), GRIN);
	assert_null(edit_history_get(&e, 3));
	act(&e, EDIT_HISTORY_OLDER, EDIT_OK, GRIN "|");
	act(&e, EDIT_HISTORY_NEWER, EDIT_OK, "|");
	edit_free(&e);

	edit_init(&e, 0);
	assert_int_equal(edit_history_add(&e, "x", 1), 0);
	assert_int_equal(edit_history_count(&e), 0);
	edit_free(&e);
}

/* A prefilled value with its tail selected: typing replaces it, deleting removes it,
 * moving keeps the text (F6's title). */
static void test_selection(void **state)
{
	(void)state;
	struct edit e;
	edit_init(&e, 0);
	const char *t = "/rename Old " NI;
	size_t a, b;
	assert_int_equal(edit_set_text_selected(&e, t, strlen(t), 8), 0);
	assert_int_equal(edit_selection(&e, &a, &b), 1);
	assert_int_equal(a, 8);
	assert_int_equal(b, strlen(t));
	assert_int_equal(edit_apply(&e, EDIT_INSERT, 'N'), EDIT_OK);
	assert_string_equal(show(&e), "/rename N|");
	assert_int_equal(edit_selection(&e, &a, &b), 0);
	/* Backspace removes only the selection */
	edit_set_text_selected(&e, t, strlen(t), 8);
	act(&e, EDIT_BACKSPACE, EDIT_OK, "/rename |");
	/* a move ends it and keeps the text */
	edit_set_text_selected(&e, t, strlen(t), 8);
	act(&e, EDIT_BACK_CHAR, EDIT_OK, "/rename Old |" NI);
	assert_int_equal(edit_selection(&e, &a, &b), 0);
	assert_int_equal(edit_apply(&e, EDIT_INSERT, 'x'), EDIT_OK);
	assert_string_equal(show(&e), "/rename Old x|" NI);
	/* a paste replaces it too */
	edit_set_text_selected(&e, t, strlen(t), 8);
	assert_int_equal(edit_insert_utf8(&e, "New\r\ntitle", 11), EDIT_OK);
	assert_string_equal(show(&e), "/rename New\ntitle|");
	/* nothing selected from the end on */
	edit_set_text_selected(&e, "abc", 3, 3);
	assert_int_equal(edit_selection(&e, &a, &b), 0);
	edit_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert),
		cmocka_unit_test(test_line_start_end),
		cmocka_unit_test(test_char_moves),
		cmocka_unit_test(test_word_moves),
		cmocka_unit_test(test_kill_yank),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_up_down),
		cmocka_unit_test(test_cursor_line_col),
		cmocka_unit_test(test_paste),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_selection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
