/* test_ctl_multi2: several models at once in the controller, as a user meets them in
 * the first hour: the status line after M-z stopped the answer shown while the others
 * stream on, the "F5 retries" hint on a failed answer for as long as F5 would retry it
 * (through resizes, relayouts and the columns), and the columns' header row staying on
 * top while their body scrolls; what a sibling beside the answer shown leaves as it was.
 * The world and the "shell" are ctl_fixture's; each test starts at 40 x 160. */
#include "ctl_fixture.h"

static void say(const char *s)
{
	type(s);
	key("Enter");
}

static void resize(int rows, int cols)
{
	shell(ctl_resize(&C, rows, cols));
	shell(ctl_timer(&C, now, wall));
}

static void delta(const char *spec, const char *s)
{
	now += 0.05;
	shell(ctl_delta(&C, stream_of(spec)->id, s, strlen(s), 0, now, wall));
}

/* Stream spec ends as status (an error: code and line), with out tokens and a first
 * token after ttft seconds (both < 0: unknown). */
static void end_as(const char *spec, enum hist_status status, int code, const char *error,
		   long out, double ttft)
{
	struct outcome o;
	memset(&o, 0, sizeof o);
	o.status = status;
	if (error)
		err_set(&o.err, code, "%s", error);
	o.usage = (struct wire_usage){out < 0 ? -1 : 10, out, -1, -1};
	o.ttft = ttft;
	shell(ctl_stream_end(&C, stream_of(spec)->id, &o, now, wall));
}

static void end(const char *spec, enum hist_status status, int code, const char *error)
{
	end_as(spec, status, code, error, -1, -1);
}

static const char *word(void)
{
	static char tmp[128];
	return ctl_state_word(&C, tmp, sizeof tmp);
}

/* The lines of v joined by LF. */
static const char *text_of(struct view *v)
{
	static struct buf b;
	buf_reset(&b);
	for (size_t i = 0; v && i < view_lines(v); i++) {
		struct view_line vl;
		view_line(v, i, &vl);
		buf_append(&b, vl.s, vl.len);
		buf_append_char(&b, '\n');
	}
	return b.data ? b.data : "";
}

static void has(struct view *v, const char *s, int want)
{
	if (!strstr(text_of(v), s) != !want)
		fail_msg("\"%s\" is%s in:\n%s", s, want ? " not" : "", text_of(v));
}

/* ctl_fixture's setup, at 40 x 160: wide enough for two answers side by side. */
static int wide(void **unused)
{
	if (setup(unused) < 0)
		return -1;
	resize(40, 160);
	return 0;
}

/* M-z stops the answer shown while the other streams on: the status line says it is
 * stopping, then that it stopped and the other streams on (it said "streaming", the
 * other's word); once all ended, what the answer shown ended as, with its usage. */
static void test_stop_one_says_so(void **state)
{
	(void)state;
	say("@fo/a @fo/b compare");
	delta("fo/a", "one ");
	delta("fo/b", "two ");
	assert_string_equal(word(), "streaming \xc2\xb7 2 streams");
	key("M-z");
	assert_true(stream_of("fo/a")->stop_requested);
	assert_string_equal(word(), "stopping \xc2\xb7 2 streams");
	end("fo/a", HIST_STOPPED, 0, NULL);
	assert_string_equal(word(), "stopped \xc2\xb7 1 other streaming");
	delta("fo/b", "more");
	assert_string_equal(word(), "stopped \xc2\xb7 1 other streaming");
	/* the other one shown: its own word */
	key("M-.");
	assert_string_equal(word(), "streaming");
	key("M-,");
	end_as("fo/b", HIST_COMPLETE, 0, NULL, 300, 0.5);
	assert_string_equal(word(), "stopped");
	assert_true(C.usage.output != 300); /* not the other answer's */
	/* a completed answer shown beside one still streaming */
	say("@fo/a @fo/b again");
	delta("fo/a", "x");
	end("fo/a", HIST_COMPLETE, 0, NULL);
	assert_string_equal(word(), "done \xc2\xb7 1 other streaming");
	end("fo/b", HIST_COMPLETE, 0, NULL);
	assert_string_equal(word(), "idle");
}

/* A failed answer's "F5 retries" stays through a resize, a relayout and a frame; it goes
 * when F5 would retry another answer; a refused key's hint stays as such. */
static void test_retry_hint_stays(void **state)
{
	(void)state;
	say("alone");
	delta("fo/a", "half");
	end("fo/a", HIST_ERROR, EXIT_NETWORK, "fo: connection reset");
	has(C.view, "[error: connection reset \xe2\x80\x94 F5 retries]", 1);
	resize(40, 120);
	has(C.view, "F5 retries", 1);
	key("PgUp");
	key("C-l");
	shell(ctl_timer(&C, now + 10, wall));
	has(C.view, "F5 retries", 1);
	key("F7"); /* the view built again (tool results shown whole) */
	has(C.view, "[error: connection reset \xe2\x80\x94 F5 retries]", 1);
	key("F7");
	/* a new question: F5 would ask that one again, not the failed answer */
	say("next");
	end("fo/a", HIST_COMPLETE, 0, NULL);
	has(C.view, "[error: connection reset]", 1);
	has(C.view, "F5 retries", 0);
	/* a refused key keeps its own hint after a relayout */
	say("keyed");
	end("fo/a", HIST_ERROR, EXIT_KEY, "fo: 401 invalid key (check the key for fo)");
	has(C.view, "/key fo stores a new one", 1);
	resize(40, 100);
	has(C.view, "/key fo stores a new one", 1);
	has(C.view, "F5 retries", 0);
}

/* Side by side: the failed answer the conversation goes on from says F5 retries in its
 * column, through relayouts; the one beside it does not (F5 would not ask it). */
static void test_retry_hint_in_columns(void **state)
{
	(void)state;
	say("@fo/a @fo/b both");
	delta("fo/a", "part");
	end("fo/b", HIST_ERROR, EXIT_NETWORK, "fo: boom");
	end("fo/a", HIST_ERROR, EXIT_NETWORK, "fo: reset");
	shell(ctl_timer(&C, now, wall));
	assert_int_equal(C.lay.n, 2);
	assert_int_equal(C.lay.cur, 0);
	has(C.lay.v[0], "[error: reset \xe2\x80\x94 F5 retries]", 1);
	has(C.lay.v[1], "[error: boom]", 1);
	resize(40, 170);
	has(C.lay.v[0], "F5 retries", 1);
	has(C.lay.v[1], "F5 retries", 0);
	/* M-. goes on from the other: the hint moves with F5 */
	key("M-.");
	shell(ctl_timer(&C, now, wall));
	has(C.lay.v[0], "F5 retries", 0);
	has(C.lay.v[1], "F5 retries", 1);
	/* one at a time: the answer shown says it, flipped away and back */
	key("F9");
	assert_int_equal(C.lay.n, 0);
	has(C.view, "[error: boom \xe2\x80\x94 F5 retries]", 1);
	key("M-,");
	has(C.view, "[error: reset \xe2\x80\x94 F5 retries]", 1);
	has(C.view, "boom", 0);
}

/* A sibling failing beside the answer shown: the status line says its line, naming it,
 * but its state, usage and first token stay the shown one's (it said "error" until the
 * next send, of a complete answer); an answer beside the branch copied is named by its
 * model (it said "message 0"); the columns turned into tabs under it say that the
 * selection is left; r on it starts the picker on its model (Enter retries it alone). */
static void test_sibling_beside_shown(void **state)
{
	(void)state;
	say("@fo/a @fo/b side");
	delta("fo/a", "alpha");
	delta("fo/b", "beta");
	end_as("fo/a", HIST_COMPLETE, 0, NULL, 5, 0.25);
	end_as("fo/b", HIST_ERROR, EXIT_NETWORK, "fo: reset", 1, 3);
	assert_string_equal(word(), "idle");
	assert_non_null(strstr(C.message, "fo/b: reset"));
	assert_true(C.ttft == 0.25);
	assert_int_equal(C.usage.output, 5);
	shell(ctl_timer(&C, now, wall));
	assert_int_equal(C.lay.n, 2);
	key("M-s");
	key("Right");
	key("c");
	assert_string_equal(C.out_text.data, "beta");
	assert_non_null(strstr(C.message, "copied the answer of fo/b (4 bytes)"));
	key("Left");
	key("c");
	assert_non_null(strstr(C.message, "copied message 2 (5 bytes)"));
	/* the columns become tabs under the one beside selected: said, not silently left */
	key("Right");
	shell(ctl_resize(&C, 40, 100));
	assert_int_equal(C.lay.n, 0);
	assert_int_equal(C.mode, MODE_CHAT);
	assert_non_null(strstr(C.message, "the answer selected is not shown one at a time"));
	assert_true(C.msg_rows > 0); /* whole, above the status line */
	/* the one shown stays selected */
	resize(40, 160);
	key("M-s");
	resize(40, 100);
	assert_int_equal(C.mode, MODE_SELECT);
	assert_true(C.sel >= 0);
	/* r on the failed one beside: the picker starts on its model, Enter asks it again */
	key("Esc");
	resize(40, 160);
	key("M-s");
	key("Right");
	key("r");
	assert_int_equal(C.ov.kind, CTL_OV_MODELS);
	assert_string_equal(C.ov.items[C.ov.match[C.ov.sel]], "fo/b");
	key("Enter");
	assert_int_equal(C.nstreams, 1);
	assert_string_equal(C.streams[0]->spec, "fo/b");
	end("fo/b", HIST_COMPLETE, 0, NULL);
}

/* Editing a question several models answered asks the same models again: they are
 * named in the input (it said the question alone, and only the chosen model answered). */
static void test_edit_question_of_several(void **state)
{
	(void)state;
	say("@fo/b @fo/c which?");
	end("fo/b", HIST_COMPLETE, 0, NULL);
	end("fo/c", HIST_COMPLETE, 0, NULL);
	shell(ctl_timer(&C, now, wall));
	key("M-s");
	key("Up"); /* the question above the columns */
	key("e");
	assert_string_equal(input(), "@fo/b @fo/c which?");
	type(" really");
	key("Enter");
	assert_int_equal(C.nstreams, 2);
	assert_non_null(strstr(C.message, "sent as a new branch")); /* not "editing" still */
	const struct hist_conv *cv = &C.shown->conv;
	size_t q = msg_index("which? really");
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(hist_parent_of(cv, C.streams[i]->answer), q);
	assert_non_null(stream_of("fo/b"));
	assert_non_null(stream_of("fo/c"));
	end("fo/b", HIST_COMPLETE, 0, NULL);
	end("fo/c", HIST_COMPLETE, 0, NULL);
	/* one model's question: itself */
	say("plain");
	end("fo/a", HIST_COMPLETE, 0, NULL);
	key("M-e");
	assert_string_equal(input(), "plain");
}

/* Body line `line` of column k's view is on the screen: under the header row. */
static int in_sight(size_t k, size_t line)
{
	size_t top = ctl_col_top(&C, k), rows = (size_t)(C.chat_h - C.chat_top);
	return line >= COLS_HEAD + top && line < COLS_HEAD + top + rows;
}

/* Side by side, the row under the question holds the headers: what scrolls is the
 * bodies below it, following the end, to the top, and to what find finds (together
 * and apart). */
static void test_columns_header_row(void **state)
{
	(void)state;
	resize(30, 160);
	type("@fo/a @fo/b long and short");
	key("C-j");
	type("second line");
	key("Enter");
	delta("fo/b", "short");
	char line[32];
	for (int i = 0; i < 80; i++) {
		snprintf(line, sizeof line, "line %d\n\n", i);
		delta("fo/a", line);
	}
	assert_int_equal(C.lay.n, 2);
	assert_int_equal(C.chat_top, 1 + COLS_HEAD);
	/* above them the question's first line, "…" saying more follows */
	assert_string_equal(C.lay.strip.data, "you: long and short \xe2\x80\xa6");
	size_t lines = view_lines(C.lay.v[0]);
	assert_true(C.follow);
	assert_true(in_sight(0, lines - 1));
	assert_false(in_sight(0, lines - (size_t)(C.chat_h - C.chat_top) - 1));
	key("M-Home");
	assert_int_equal(ctl_col_top(&C, 0), 0);
	assert_true(in_sight(0, COLS_HEAD)); /* the first body line under the header */
	/* a page down keeps its last line in sight: none is skipped */
	size_t rows = (size_t)(C.chat_h - C.chat_top);
	key("PgDn");
	assert_int_equal(ctl_col_top(&C, 0), rows - 1);
	key("PgUp");
	assert_int_equal(ctl_col_top(&C, 0), 0);
	key("M-End");
	/* find: a line far above scrolls into sight, a third down */
	key("C-s");
	type("line 2"); /* lines 2, 20-29: all above; the first is the current */
	assert_true(C.find.have_cur);
	size_t at = C.find.lines[C.find.cur];
	assert_true(in_sight(0, at));
	key("Esc");
	key("M-End");
	key("S-F9"); /* apart */
	key("C-s");
	type("line 5");
	assert_true(C.find.have_cur);
	at = C.find.lines[C.find.cur];
	assert_true(in_sight(0, at));
	key("Esc");
	end("fo/a", HIST_COMPLETE, 0, NULL);
	end("fo/b", HIST_COMPLETE, 0, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stop_one_says_so, wide, teardown),
		cmocka_unit_test_setup_teardown(test_retry_hint_stays, wide, teardown),
		cmocka_unit_test_setup_teardown(test_retry_hint_in_columns, wide, teardown),
		cmocka_unit_test_setup_teardown(test_columns_header_row, wide, teardown),
		cmocka_unit_test_setup_teardown(test_sibling_beside_shown, wide, teardown),
		cmocka_unit_test_setup_teardown(test_edit_question_of_several, wide, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
