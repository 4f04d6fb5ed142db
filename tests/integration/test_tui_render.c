/* test_tui_render: what the full-screen client sends the terminal for an answer's looks,
 * in a real terminal (a private tmux) against the fake provider: exact RGB colours when
 * COLORTERM says truecolor (256 colours otherwise), OSC 8 hyperlinks over the URLs shown
 * (read from the pane's raw output: tmux 3.3 drops OSC 8 before the screen) and never
 * from a hostile URL's bytes, M-c copying the code blocks through OSC 52, and the
 * headers of answers side by side staying on top while their text scrolls. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tmux.h"

static int TMO = 10000;
static struct fakeprov FP;
static struct testhome H;
static struct tmux T;

#define KEY "FAKE_OPENAI_KEY=sk-test-render-0123"

static void run(const char *ui, const char *colorterm)
{
	if (!tmux_path()) {
		printf("# SKIP tmux is not installed\n");
		skip();
	}
	char extra[256];
	snprintf(extra, sizeof extra, "\"default_model\": \"fo/markdown\"%s%s", ui ? ", " : "",
		 ui ? ui : "");
	char *cfg = testhome_fake_config(FP.port, extra);
	assert_non_null(cfg);
	assert_int_equal(testhome_write_config(&H, cfg), 0);
	free(cfg);
	const char *env[] = {KEY, colorterm, NULL};
	assert_int_equal(tmux_start_cherry(&T, &H, NULL, env, 100, 40), 0);
	if (tmux_wait_for(&T, "idle", TMO) < 0)
		fail_msg("cherry did not start (dumped above)");
}

/* Sends text and waits until the answer has ended ("idle" again, with an answer). */
static void ask(const char *text, const char *until)
{
	assert_int_equal(tmux_type(&T, text), 0);
	assert_int_equal(tmux_keys(&T, "Enter", NULL), 0);
	if (tmux_wait_for(&T, until, TMO) < 0 || tmux_wait_stable(&T, 200, TMO) < 0)
		fail_msg("\"%s\" never showed (dumped above)", until);
}

/* The pane's output from now on, as the program writes it, goes to raw.out. */
static void tap(char *path, size_t n)
{
	snprintf(path, n, "%s/raw.out", H.root);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "cat > '%s'", path);
	const char *args[] = {"pipe-pane", "-O", "-t", T.pane, cmd, NULL};
	assert_int_equal(tmux_cmd(&T, NULL, args), 0);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char data[1 << 20];
	*len = fread(data, 1, sizeof data - 1, f);
	fclose(f);
	data[*len] = '\0';
	return data;
}

/* The pipe's copy is written a moment after the screen: wait until it has want. */
static char *raw_with(const char *path, const char *want, size_t *len)
{
	char *d = NULL;
	for (double end = tmux_now() + TMO / 1000.0; tmux_now() < end; tmux_sleep_ms(20)) {
		d = slurp(path, len);
		if (harness_mem_find(d, *len, want, strlen(want)))
			return d;
	}
	return d;
}

static int group_setup(void **state)
{
	(void)state;
	const char *b = getenv("CHERRY_TEST_BUILD");
	if (getenv("ASAN_OPTIONS") || (b && strstr(b, "san")))
		TMO = 20000;
	return fakeprov_start(&FP);
}

static int group_teardown(void **state)
{
	(void)state;
	fakeprov_stop(&FP);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(&T, 0, sizeof T);
	return testhome_make(&H);
}

static int teardown(void **state)
{
	(void)state;
	tmux_stop(&T);
	testhome_remove(&H);
	return 0;
}

/* COLORTERM=truecolor: the dark theme's #ffd75f heading in exact RGB (curses on
 * tmux-direct); without it the nearest of 256 (221). */
static void test_truecolor(void **state)
{
	(void)state;
	for (int direct = 1; direct >= 0; direct--) {
		run(NULL, direct ? "COLORTERM=truecolor" : NULL);
		ask("colours", "a/b");
		char *cap = tmux_capture(&T, 1);
		assert_non_null(cap);
		const char *rgb = strstr(cap, "38;2;255;215;95m"), *idx = strstr(cap, "38;5;221m");
		if (direct ? !rgb || idx : rgb || !idx || strstr(cap, "38;2;")) {
			tmux_dump(&T, "colours");
			fail_msg("with%s COLORTERM=truecolor the heading is not in %s", direct ? "" :
				 "out", direct ? "RGB" : "256 colours");
		}
		assert_non_null(strstr(cap, "Rendered"));
		free(cap);
		tmux_stop(&T);
		memset(&T, 0, sizeof T);
	}
}

/* Every OSC 8 sequence in the raw output is cherry's: an opener "ESC ] 8 ; id=cherry-"
 * with a clean URI, or the closer. Returns the number of openers. */
static int check_osc8(const char *d, size_t len)
{
	int openers = 0;
	for (const char *p = d; (p = harness_mem_find(p, len - (size_t)(p - d), "\033]8;", 4));
	     p += 4) {
		if (!strncmp(p, "\033]8;;\033\\", 7))
			continue;
		if (strncmp(p, "\033]8;id=cherry-", 14))
			fail_msg("an OSC 8 sequence not of cherry's making: %.40s", p + 1);
		const char *q = p + 14;
		q += strspn(q, "0123456789abcdef");
		assert_int_equal(*q++, ';');
		for (; *q != '\033'; q++)
			if (*q <= 0x20 || *q >= 0x7F || *q == ';' || *q == '\\' || *q == '\a')
				fail_msg("a raw byte 0x%02x in a hyperlink's URI", (unsigned char)*q);
		assert_int_equal(q[1], '\\');
		openers++;
	}
	return openers;
}

/* ui.hyperlinks on: the URL shown after a link's text, and an autolink, are OSC 8
 * hyperlinks to themselves; a ';' in the URL is encoded; a javascript: link is shown,
 * not linked; the screen shows the text as ever. */
static void test_hyperlinks(void **state)
{
	(void)state;
	run("\"ui\": {\"hyperlinks\": \"on\"}", NULL);
	char path[400];
	tap(path, sizeof path);
	assert_int_equal(tmux_type(&T, "/model fo/echo"), 0);
	assert_int_equal(tmux_keys(&T, "Enter", NULL), 0);
	ask("see [doc](https://e.com/a;b?q=1) and <https://auto.example/p> "
	    "[js](javascript:alert(1)) end-of-it", "end-of-it");
	char *cap = tmux_capture(&T, 0);
	if (!strstr(cap, "doc https://e.com/a;b?q=1 ") || !strstr(cap, "https://auto.example/p") ||
	    !strstr(cap, "javascript:alert(1) end-of-it")) {
		tmux_dump(&T, "links");
		fail_msg("the links are not shown as text and URL (dumped above)");
	}
	free(cap);
	size_t len;
	char *d = raw_with(path, "auto.example/p\033]8;;\033\\", &len);
	const char *a = "\033]8;id=cherry-", *b = ";https://e.com/a%3Bb?q=1\033\\";
	const char *p = harness_mem_find(d, len, b, strlen(b));
	const char *shown = "https://e.com/a;b?q=1\033]8;;\033\\",
		   *autolink = ";https://auto.example/p\033\\";
	if (!p || !harness_mem_find(d, len, shown, strlen(shown)) ||
	    !harness_mem_find(d, len, autolink, strlen(autolink)))
		fail_msg("the links' OSC 8 sequences are not in the pane's output");
	assert_memory_equal(p - 22, a, strlen(a));
	assert_true(check_osc8(d, len) >= 2);
	const char *js = "javascript:alert(1)\033]8;;";
	assert_null(harness_mem_find(d, len, js, strlen(js)));
	/* the cursor went back where curses left it: typing lands in the input */
	assert_int_equal(tmux_type(&T, "zq"), 0);
	if (tmux_wait_for(&T, "> zq", TMO) < 0)
		fail_msg("typing after the links did not land in the input (dumped above)");
	cap = tmux_capture(&T, 0);
	assert_non_null(strstr(cap, "doc https://e.com/a;b?q=1 "));
	assert_null(strstr(cap, "zqttps"));
	free(cap);
	/* frames that leave the link's rows as they were (the next exchange is drawn below
	 * them) keep the links on them: the last time the URL's cells were written, they
	 * were inside the link */
	assert_int_equal(tmux_keys(&T, "C-u", NULL), 0);
	ask("then-a-second-one", "then-a-second-one");
	d = raw_with(path, "then-a-second-one", &len);
	const char *url = "https://e.com/a;b?q=1", *last = NULL;
	for (const char *q = d; (q = harness_mem_find(q, len - (size_t)(q - d), url, strlen(url)));
	     q++)
		last = q;
	assert_non_null(last);
	if (strncmp(last + strlen(url), "\033]8;;\033\\", 7))
		fail_msg("a frame after the link's left its cells without the OSC 8 link");
}

/* auto under tmux 3.3 (which drops them): no OSC 8 at all. */
static void test_hyperlinks_auto_tmux(void **state)
{
	(void)state;
	char ver[32];
	run(NULL, NULL);
	char path[400];
	tap(path, sizeof path);
	ask("links", "a/b");
	size_t len;
	char *d = raw_with(path, "a/b", &len);
	assert_int_equal(tmux_format(&T, "#{version}", ver, sizeof ver), 0);
	int new_tmux = strtod(ver, NULL) >= 3.4;
	if (!new_tmux && harness_mem_find(d, len, "\033]8;", 4))
		fail_msg("hyperlinks sent inside tmux %s, which drops them", ver);
	check_osc8(d, len);
}

/* M-c: the last answer's code block through OSC 52 (tmux's set-clipboard keeps it as a
 * paste buffer), again: past the last block, the first again. */
static void test_copy_code_key(void **state)
{
	(void)state;
	run(NULL, NULL);
	ask("code", "a/b");
	assert_int_equal(tmux_keys(&T, "M-c", NULL), 0);
	if (tmux_wait_for(&T, "copied code block 1 (", TMO) < 0)
		fail_msg("M-c did not copy (dumped above)");
	char *buf = NULL;
	for (double end = tmux_now() + 5; !buf && tmux_now() < end; tmux_sleep_ms(20))
		buf = tmux_buffer(&T);
	assert_non_null(buf);
	assert_string_equal(buf, "def f(x):\n    return x + 1  # add\n");
	free(buf);
	assert_int_equal(tmux_keys(&T, "M-c", NULL), 0);
	if (tmux_wait_for(&T, "copied code block 1 (", TMO) < 0)
		fail_msg("M-c again did not go round to block 1 (dumped above)");
}

/* Row i of the screen now. */
static const char *screen_row(int i)
{
	static char line[1024];
	char *scr = tmux_capture(&T, 0);
	assert_non_null(scr);
	tmux_row(scr, i, line, sizeof line);
	free(scr);
	return line;
}

static void row_has(int i, const char *a, const char *b, const char *when)
{
	const char *r = screen_row(i);
	if (!strstr(r, a) || (b && !strstr(r, b))) {
		tmux_dump(&T, when);
		fail_msg("%s: row %d is not \"%s\"%s%s: %s", when, i, a, b ? " and " : "",
			 b ? b : "", r);
	}
}

/* Answers side by side: the row of their headers (the models) stays under the question
 * while the view follows the long one's end, scrolls up a page and goes to the top. */
static void test_columns_headers_stay(void **state)
{
	(void)state;
	run(NULL, NULL);
	assert_int_equal(tmux_resize(&T, 160, 24), 0);
	ask("@fo/long:120 @fo/hello two at once", "[120]");
	row_has(0, "you: two at once", NULL, "following the end");
	row_has(1, "fo/long:120 (1/2)", "fo/hello (2/2)", "following the end");
	assert_null(strstr(screen_row(2), "[1] "));
	assert_int_equal(tmux_keys(&T, "PPage", NULL), 0);
	assert_int_equal(tmux_wait_gone(&T, "[120]", TMO), 0);
	row_has(1, "fo/long:120 (1/2)", "fo/hello (2/2)", "a page up");
	assert_int_equal(tmux_keys(&T, "M-Home", NULL), 0);
	if (tmux_wait_for(&T, "[1] ", TMO) < 0)
		fail_msg("M-Home did not reach the top (dumped above)");
	row_has(0, "you: two at once", NULL, "at the top");
	row_has(1, "fo/long:120 (1/2)", "fo/hello (2/2)", "at the top");
	row_has(2, "[1] ", "Hello from fake openai!", "at the top");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_truecolor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hyperlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hyperlinks_auto_tmux, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_code_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_columns_headers_stay, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
