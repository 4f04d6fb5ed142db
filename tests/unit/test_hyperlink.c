/* test_hyperlink: the OSC 8 target checked and encoded (a hostile URL can never end or
 * split the sequence), the sequence's exact bytes, and when the terminal gets them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cherry/buf.h"
#include "cherry/hyperlink.h"

static void uri_is(const char *url, int rc, const char *want)
{
	struct buf b = BUF_INIT;
	assert_int_equal(hyperlink_uri(url, strlen(url), &b), rc);
	assert_string_equal(b.data ? b.data : "", want);
	buf_free(&b);
}

static void test_uri(void **state)
{
	(void)state;
	uri_is("https://example.com/a?b=1&c=2#d", 0, "https://example.com/a?b=1&c=2#d");
	uri_is("HTTP://E.COM", 0, "HTTP://E.COM");
	uri_is("mailto:a@b.c", 0, "mailto:a@b.c");
	/* every byte that could end, split or escape the sequence is encoded */
	uri_is("https://e.com/\x1b]8;;http://evil\x07x", 0,
	       "https://e.com/%1B]8%3B%3Bhttp://evil%07x");
	uri_is("https://e.com/\x1b\\", 0, "https://e.com/%1B%5C");
	uri_is("https://e.com/a b\xC2\x9C\xE2\x80\xAE", 0, "https://e.com/a%20b%C2%9C%E2%80%AE");
	uri_is("https://e.com/\x7f\n", 0, "https://e.com/%7F%0A");
	/* refused: other schemes, no scheme, nothing after it */
	uri_is("javascript:alert(1)", 1, "");
	uri_is("file:///etc/passwd", 1, "");
	uri_is("data:text/html,x", 1, "");
	uri_is("example.com", 1, "");
	uri_is("https://", 1, "");
	uri_is("", 1, "");
	/* too long, as typed or once encoded */
	char big[HYPERLINK_MAX + 2];
	memcpy(big, "https://", 8);
	memset(big + 8, 'a', sizeof big - 9);
	big[sizeof big - 1] = '\0';
	uri_is(big, 1, "");
	big[HYPERLINK_MAX] = '\0';
	struct buf b = BUF_INIT;
	assert_int_equal(hyperlink_uri(big, strlen(big), &b), 0);
	assert_int_equal(b.len, HYPERLINK_MAX);
	buf_reset(&b);
	memset(big + 8, ' ', HYPERLINK_MAX / 3);
	assert_int_equal(hyperlink_uri(big, strlen(big), &b), 1);
	buf_free(&b);
}

static void test_sequence(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_int_equal(hyperlink_open(&b, "https://e.com", 13), 0);
	assert_int_equal(hyperlink_close(&b), 0);
	assert_string_equal(b.data, "\033]8;id=cherry-1961b506;https://e.com\033\\\033]8;;\033\\");
	/* the same URI, the same id: the pieces of a wrapped URL are one link */
	buf_reset(&b);
	hyperlink_open(&b, "https://e.com", 13);
	assert_non_null(strstr(b.data, "id=cherry-1961b506;"));
	/* only what hyperlink_uri makes */
	buf_reset(&b);
	assert_int_equal(hyperlink_open(&b, "https://e.com/\033\\", 16), 1);
	assert_int_equal(hyperlink_open(&b, "a;b", 3), 1);
	assert_int_equal(hyperlink_open(&b, "", 0), 1);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static const char *const *vars;

static const char *env(const char *name)
{
	for (size_t i = 0; vars && vars[i]; i += 2)
		if (!strcmp(vars[i], name))
			return vars[i + 1];
	return NULL;
}

static int wanted(const char *setting, const char *const *v)
{
	vars = v;
	return hyperlink_wanted(setting, env);
}

static void test_wanted(void **state)
{
	(void)state;
	static const char *const none[] = {NULL};
	static const char *const kitty[] = {"TERM", "xterm-kitty", NULL};
	static const char *const xterm[] = {"TERM", "xterm-256color", NULL};
	static const char *const vte[] = {"TERM", "xterm-256color", "VTE_VERSION", "7006", NULL};
	static const char *const old_vte[] = {"TERM", "xterm", "VTE_VERSION", "4205", NULL};
	static const char *const wezterm[] = {"TERM_PROGRAM", "WezTerm", NULL};
	static const char *const wt[] = {"WT_SESSION", "1f2e", NULL};
	static const char *const tmux33[] = {"TERM", "tmux-256color", "TMUX", "/tmp/x,1,0",
					     "TERM_PROGRAM", "tmux", "TERM_PROGRAM_VERSION",
					     "3.3a", "VTE_VERSION", "7006", NULL};
	static const char *const tmux34[] = {"TERM", "tmux-256color", "TMUX", "/tmp/x,1,0",
					     "TERM_PROGRAM", "tmux", "TERM_PROGRAM_VERSION",
					     "3.4", NULL};
	static const char *const tmux_next[] = {"TERM", "screen", "TERM_PROGRAM", "tmux",
						"TERM_PROGRAM_VERSION", "next-3.6", NULL};
	static const char *const screen[] = {"TERM", "screen-256color", "TERM_PROGRAM",
					     "WezTerm", NULL};
	static const char *const forced[] = {"TERM", "xterm", "FORCE_HYPERLINK", "1", NULL};
	static const char *const unforced[] = {"TERM", "xterm-kitty", "FORCE_HYPERLINK", "0",
					       NULL};
	assert_int_equal(wanted(NULL, none), 0);
	assert_int_equal(wanted("auto", kitty), 1);
	assert_int_equal(wanted("auto", xterm), 0);
	assert_int_equal(wanted(NULL, vte), 1);
	assert_int_equal(wanted(NULL, old_vte), 0);
	assert_int_equal(wanted(NULL, wezterm), 1);
	assert_int_equal(wanted(NULL, wt), 1);
	/* under a multiplexer the outer terminal's variables do not count */
	assert_int_equal(wanted(NULL, tmux33), 0);
	assert_int_equal(wanted(NULL, tmux34), 1);
	assert_int_equal(wanted(NULL, tmux_next), 1);
	assert_int_equal(wanted(NULL, screen), 0);
	assert_int_equal(wanted(NULL, forced), 1);
	assert_int_equal(wanted(NULL, unforced), 0);
	/* the setting decides */
	assert_int_equal(wanted("on", xterm), 1);
	assert_int_equal(wanted("off", kitty), 0);
	assert_int_equal(wanted("yes", kitty), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_wanted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
