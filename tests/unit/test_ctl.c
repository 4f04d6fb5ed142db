/* test_ctl: the client's controller, event by event, without a terminal or a network
 * (ctl_fixture.h: the world and the "shell" every test_ctl* shares): the chat: sending
 * through the key lookup, streaming, the queue, stopping, errors, the model picker and
 * favourites, retry and siblings, folding, copying, the editor, completion, timers and
 * the status line, resizing and scrolling. */
#include "ctl_fixture.h"
#include "ctl_int.h"
#include "cherry/text.h"

static void test_first_model_is_first_favourite(void **state)
{
	(void)state;
	assert_string_equal(C.model, "fo/a");
	assert_int_equal(C.fav_index, 0);
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(state_now(), CTL_IDLE);
}

static void test_send_streams_and_saves(void **state)
{
	(void)state;
	type("hello there");
	assert_string_equal(input(), "hello there");
	key("Enter");
	assert_int_equal(sh.need_key, 1);
	assert_int_equal(sh.started, 1);
	assert_true(sh.saves >= 1);
	assert_string_equal(input(), "");
	assert_int_equal(state_now(), CTL_CONNECTING);
	assert_int_equal(C.shown->conv.n, 2);
	assert_true(C.shown->on_disk);
	/* the request carries the prompt */
	struct provider *p;
	struct wire_http req;
	struct err e;
	err_clear(&e);
	assert_int_equal(ctl_stream_request(&C, LAST(), &p, &req, &e), 0);
	assert_non_null(strstr(req.body.data, "hello there"));
	assert_non_null(strstr(req.body.data, "\"a\""));
	wire_http_free(&req);
	ctl_delta(&C, LAST(), "Thinking", 8, 1, now, wall);
	assert_int_equal(state_now(), CTL_THINKING);
	ctl_delta(&C, LAST(), "Hi!", 3, 0, now + 0.5, wall);
	assert_int_equal(state_now(), CTL_STREAMING);
	on_chat("Hi!");
	on_chat("you");
	end_stream(HIST_COMPLETE, NULL);
	assert_int_equal(state_now(), CTL_IDLE);
	assert_string_equal(C.shown->conv.msgs[1].content, "Hi!");
	assert_int_equal(C.shown->conv.msgs[1].status, HIST_COMPLETE);
	assert_int_equal(C.nlist, 1);
}

static void test_send_needs_a_model(void **state)
{
	(void)state;
	C.model[0] = '\0';
	type("x");
	key("Enter");
	assert_int_equal(sh.need_key, 0);
	assert_non_null(strstr(C.message, "no model chosen"));
	assert_string_equal(input(), "x");
}

static void test_missing_key_keeps_input(void **state)
{
	(void)state;
	sh.key_answer = CTL_KEY_MISSING;
	type("keep me");
	key("Enter");
	assert_int_equal(sh.started, 0);
	assert_string_equal(input(), "keep me");
	assert_int_equal(C.shown->conv.n, 0);
	assert_non_null(strstr(C.message, "FAKE_OPENAI_KEY"));
	on_chat("FAKE_OPENAI_KEY");
	assert_false(C.pending.active);
}

/* A message sent while the answer streams waits for it (issue 11, 8). */
static void test_queue_while_streaming(void **state)
{
	(void)state;
	type("one");
	key("Enter");
	type("two");
	key("Enter");
	assert_int_equal(sh.started, 1);
	assert_int_equal(C.nqueue, 1);
	assert_string_equal(input(), "");
	on_chat("you (queued)");
	type("three");
	key("Enter");
	assert_int_equal(C.nqueue, 2);
	/* the answer ends: the first queued message goes, then the second */
	ctl_delta(&C, LAST(), "first answer", 12, 0, now, wall);
	end_stream(HIST_COMPLETE, NULL);
	assert_int_equal(sh.started, 2);
	assert_int_equal(C.nqueue, 1);
	assert_string_equal(C.shown->conv.msgs[2].content, "two");
	end_stream(HIST_COMPLETE, NULL);
	assert_int_equal(sh.started, 3);
	assert_int_equal(C.nqueue, 0);
	assert_string_equal(C.shown->conv.msgs[4].content, "three");
	end_stream(HIST_COMPLETE, NULL);
	assert_null(strstr(chat_text(), "(queued)"));
	/* Esc on an empty input takes the queue back; Esc again stops the answer */
	type("four");
	key("Enter");
	type("five");
	key("Enter");
	assert_int_equal(C.nqueue, 1);
	key("Esc");
	assert_int_equal(C.nqueue, 0);
	assert_int_equal(sh.stops, 0);
	assert_string_equal(input(), "five");
	key("Esc");
	assert_int_equal(sh.stops, 1);
	/* an answer that does not complete gives the queue back to the input */
	key("C-u");
	type("six");
	key("Enter");
	end_stream(HIST_STOPPED, NULL);
	assert_int_equal(C.nqueue, 0);
	assert_string_equal(input(), "six");
	assert_int_equal(sh.started, 4);
}

static void test_esc_stops(void **state)
{
	(void)state;
	type("q");
	key("Enter");
	ctl_delta(&C, LAST(), "part", 4, 0, now, wall);
	key("Esc");
	assert_int_equal(sh.stops, 1);
	assert_true(ST()->stop_requested);
	end_stream(HIST_STOPPED, NULL);
	assert_int_equal(state_now(), CTL_STOPPED);
	on_chat("[stopped]");
	assert_int_equal(C.shown->conv.msgs[1].status, HIST_STOPPED);
	/* Esc with nothing streaming clears a message */
	ctl_note(&C, "a note");
	key("Esc");
	assert_string_equal(C.message, "");
	/* a new conversation is idle: "stopped" was said of the one left */
	key("C-n");
	assert_int_equal(state_now(), CTL_IDLE);
	char w[64];
	assert_string_equal(ctl_state_word(&C, w, sizeof w), "idle");
}

static void test_esc_stops_from_overlay(void **state)
{
	(void)state;
	type("q");
	key("Enter");
	key("F1");
	assert_int_equal(C.mode, MODE_HELP);
	key("Esc");
	assert_int_equal(sh.stops, 1);
}

static void test_error_footer_and_hint(void **state)
{
	(void)state;
	type("q");
	key("Enter");
	end_stream(HIST_ERROR, "could not connect");
	assert_int_equal(state_now(), CTL_ERROR);
	on_chat("[error: could not connect");
	on_chat("F5 retries");
	/* the state says error; the line follows it once (issue 11, 6) */
	assert_string_equal(C.message, "could not connect");
	char tmp[64];
	assert_string_equal(ctl_state_word(&C, tmp, sizeof tmp), "error");
	/* the next send's state comes without the old error */
	type("again");
	key("Enter");
	assert_int_equal(state_now(), CTL_CONNECTING);
	assert_string_equal(C.message, "");
}

static void test_model_picker(void **state)
{
	(void)state;
	key("C-o");
	assert_int_equal(C.mode, MODE_PICK);
	assert_int_equal(C.ov.kind, CTL_OV_MODELS);
	/* the known models first, then every preset's, naming the key each needs */
	assert_true(C.ov.nmatch > 4);
	assert_string_equal(C.ov.items[C.ov.match[C.ov.sel]], "fo/a");
	int needs = 0;
	for (size_t i = 4; i < C.ov.nmatch; i++)
		needs += strstr(C.ov.labels[C.ov.match[i]], "(needs OPENAI_API_KEY)") != NULL;
	assert_true(needs >= 3);
	type("fo/");
	assert_int_equal(C.ov.nmatch, 4);
	type("oth");
	assert_int_equal(C.ov.nmatch, 1);
	key("Backspace");
	key("Backspace");
	key("Backspace");
	assert_int_equal(C.ov.nmatch, 4);
	key("Down");
	key("Down");
	key("Up");
	assert_int_equal(C.ov.sel, 1);
	key("PgDn");
	assert_int_equal(C.ov.sel, 3);
	key("PgUp");
	assert_int_equal(C.ov.sel, 0);
	key("C-u");
	assert_int_equal(C.ov.filter.len, 0);
	type("fo/c");
	key("Enter");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_string_equal(C.model, "fo/c");
	/* Esc closes without choosing; a typed PROVIDER/MODEL is taken when nothing matches */
	key("C-o");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.ov.kind, CTL_OV_NONE);
	key("C-o");
	type("fo/new-one");
	assert_int_equal(C.ov.nmatch, 0);
	key("Enter");
	assert_string_equal(C.model, "fo/new-one");
}

static void test_favourites(void **state)
{
	(void)state;
	key("F2");
	assert_string_equal(C.model, "fo/b");
	key("F2");
	assert_string_equal(C.model, "fo/a");
	key("S-F2");
	assert_string_equal(C.model, "fo/b");
}

static void test_retry_and_siblings(void **state)
{
	(void)state;
	key("F5");
	assert_non_null(strstr(C.message, "nothing to retry"));
	exchange("q", "first answer");
	key("F5");
	assert_int_equal(sh.started, 2);
	ctl_delta(&C, LAST(), "second answer", 13, 0, now, wall);
	end_stream(HIST_COMPLETE, NULL);
	on_chat("second answer");
	on_chat("fo/a (2/2)");
	key("M-,");
	on_chat("first answer");
	on_chat("(1/2)");
	key("M-,");
	assert_non_null(strstr(C.message, "first answer"));
	key("M-.");
	on_chat("second answer");
}

static void test_fold_reasoning(void **state)
{
	(void)state;
	type("q");
	key("Enter");
	ctl_delta(&C, LAST(), "deep thoughts", 13, 1, now, wall);
	ctl_delta(&C, LAST(), "answer", 6, 0, now, wall);
	end_stream(HIST_COMPLETE, NULL);
	on_chat("deep thoughts");
	key("F4");
	assert_true(view_folded(C.view));
	assert_null(strstr(chat_text(), "deep thoughts"));
	key("F4");
	on_chat("deep thoughts");
}

static void test_copy_rebound(void **state)
{
	(void)state;
	key("M-y");
	assert_int_equal(sh.copies, 0);
	assert_non_null(strstr(C.message, "no answer"));
	exchange("q", "copy me");
	key("M-y");
	assert_int_equal(sh.copies, 1);
	assert_string_equal(C.out_text.data, "copy me");
	/* the default key was taken away by the rebinding */
	key("M-w");
	assert_int_equal(sh.copies, 1);
}

/* A copy is the text sanitised as the screen shows it (an ESC [ 2 0 1 ~ in an answer
 * would end a shell's bracketed paste and run what follows it), tabs and newlines kept;
 * more than a terminal takes at once is not copied, with a line saying why and what does
 * (security.md 6.5). /copy N takes its code block from the answer as stored. */
static void test_copy_sanitised(void **state)
{
	(void)state;
	exchange("q", "echo hi\x1b[201~rm -rf ~\n\tx\x1b]52;c;aGk=\x07 y\xe2\x80\xae!\xc2\x9b" "2J");
	key("M-y");
	assert_int_equal(sh.copies, 1);
	assert_string_equal(C.out_text.data, "echo hirm -rf ~\n\tx y!");
	assert_non_null(strstr(C.message, "copied the last answer (21 bytes)"));

	size_t n = CTL_COPY_MAX + 64; /* over it after the ESC [ 2 J goes */
	char *big = malloc(n + 64);
	assert_non_null(big);
	static const char code[] = "```\nint \x1b[2Ja;\n```\n";
	memcpy(big, code, sizeof code - 1);
	memset(big + sizeof code - 1, 'a', n - (sizeof code - 1));
	big[n] = '\0';
	exchange("q2", big);
	free(big);
	key("M-y");
	assert_int_equal(sh.copies, 1);
	assert_non_null(strstr(C.message, "not copied: 1.0 MB is more than a terminal takes"));
	type_text("/copy 1");
	key("Enter");
	assert_int_equal(sh.copies, 2);
	assert_string_equal(C.out_text.data, "int a;\n");
}

static void test_editor(void **state)
{
	(void)state;
	type("draft");
	key("C-x");
	assert_int_equal(sh.editors, 1);
	assert_string_equal(C.out_text.data, "draft");
	ctl_editor_done(&C, "edited\nlines\n\n", 14, NULL);
	assert_string_equal(input(), "edited\nlines");
	ctl_editor_done(&C, NULL, 0, "the editor failed; the input is unchanged");
	assert_string_equal(input(), "edited\nlines");
	assert_non_null(strstr(C.message, "editor failed"));
}

static void test_complete(void **state)
{
	(void)state;
	type("/mo");
	key("Tab");
	assert_string_equal(input(), "/model ");
	type("fo/ot");
	key("Tab");
	assert_string_equal(input(), "/model fo/other-model");
	key("C-u");
	type("/zz");
	key("Tab");
	assert_non_null(strstr(C.message, "no completion"));
}

/* Deltas given together (a shell's slice of a transfer) count as many as they are and
 * show the same text as one at a time. */
static void test_deltas_together(void **state)
{
	(void)state;
	type_text("q");
	key("Enter");
	assert_int_equal(C.nstreams, 1);
	unsigned long id = C.streams[0]->id;
	now += 0.1;
	ctl_deltas(&C, id, "one two", 7, 0, 3, now, wall);
	ctl_delta(&C, id, " three", 6, 0, now, wall);
	assert_int_equal(C.streams[0]->deltas, 4);
	size_t len;
	const char *text = view_text(C.view, view_count(C.view) - 1, &len);
	assert_non_null(text);
	assert_string_equal(text, "one two three");
}

static void test_scrolling(void **state)
{
	(void)state;
	type("q");
	key("Enter");
	for (int i = 0; i < 200; i++)
		ctl_delta(&C, LAST(), "line of text\n", 13, 0, now, wall);
	size_t total = view_lines(C.view);
	assert_true(C.follow);
	assert_int_equal(C.top_line, total - (size_t)C.chat_h);
	key("PgUp");
	assert_false(C.follow);
	assert_int_equal(C.top_line, total - (size_t)C.chat_h - (size_t)(C.chat_h - 1));
	ctl_delta(&C, LAST(), "more\n", 5, 0, now, wall);
	ctl_key(&C, INPUT_RESIZE, now, wall);
	assert_true(C.more_below);
	key("M-Home");
	assert_int_equal(C.top_line, 0);
	key("PgDn");
	assert_int_equal(C.top_line, (size_t)(C.chat_h - 1));
	ctl_key(&C, INPUT_WHEEL_DOWN, now, wall);
	assert_int_equal(C.top_line, (size_t)(C.chat_h - 1) + 3);
	key("M-End");
	assert_true(C.follow);
	assert_false(C.more_below);
	for (int i = 0; i < 100; i++)
		key("PgDn");
	assert_true(C.follow);
}

static void test_resize_keeps_the_message(void **state)
{
	(void)state;
	for (int i = 0; i < 6; i++)
		exchange("question", "a long answer that wraps differently at different widths, "
				     "again and again and again and again and again");
	key("M-Home");
	key("PgDn");
	key("PgDn");
	struct view_line vl;
	assert_int_equal(view_line(C.view, C.top_line, &vl), 0);
	size_t msg = vl.msg;
	ctl_resize(&C, 30, 80);
	assert_int_equal(view_line(C.view, C.top_line, &vl), 0);
	assert_int_equal(vl.msg, msg);
	/* tiny terminals never break the layout */
	for (int r = 1; r < 5; r++)
		for (int w = 1; w < 8; w++) {
			ctl_resize(&C, r, w);
			assert_true(C.chat_h >= 0 && C.chat_w >= 1 && C.input_h >= 1);
		}
}

static void test_redraw_quit(void **state)
{
	(void)state;
	C.dirty = 0;
	key("C-l");
	assert_true(C.dirty & CTL_DIRTY_CLEAR);
	type("x");
	key("C-d");
	assert_int_equal(sh.quits, 0);
	assert_string_equal(input(), "x");
	key("C-a");
	key("C-d");
	assert_string_equal(input(), "");
	key("C-d");
	assert_int_equal(sh.quits, 1);
	key("C-q");
	assert_int_equal(sh.quits, 2);
}

static void test_timers(void **state)
{
	(void)state;
	ctl_note(&C, "hello");
	assert_true(ctl_next_timer(&C, now) > 0);
	ctl_timer(&C, now + 10, wall);
	assert_string_equal(C.message, "");
	assert_true(ctl_next_timer(&C, now + 10) < 0);
	type("q");
	key("Enter");
	assert_true(ctl_next_timer(&C, now) <= 0.25);
	ctl_delta(&C, LAST(), "a", 1, 0, now, wall);
	for (int i = 0; i < 20; i++)
		ctl_delta(&C, LAST(), "b", 1, 0, now + 1, wall);
	ctl_timer(&C, now + 2, wall);
	assert_true(ST()->rate > 5);
	ctl_timer(&C, now + 20, wall);
	assert_int_equal(state_now(), CTL_STALLED);
	ctl_delta(&C, LAST(), "c", 1, 0, now + 21, wall);
	ctl_timer(&C, now + 21, wall);
	assert_int_equal(state_now(), CTL_STREAMING);
	char tmp[64];
	assert_non_null(strstr(ctl_state_word(&C, tmp, sizeof tmp), "streaming"));
}

/* The status line: back-off said as such, one error line (issue 11, 6). */
static void test_status_states(void **state)
{
	(void)state;
	char tmp[64];
	type("q");
	key("Enter");
	ctl_stream_waiting(&C, LAST(), 1, 1.6, 2, 3);
	assert_string_equal(ctl_state_word(&C, tmp, sizeof tmp), "retrying in 2 s (2/3)");
	ctl_stream_waiting(&C, LAST(), 0, 0, 0, 0);
	assert_string_equal(ctl_state_word(&C, tmp, sizeof tmp), "connecting");
	ctl_delta(&C, LAST(), "x", 1, 0, now, wall);
	assert_string_equal(ctl_state_word(&C, tmp, sizeof tmp), "streaming");
	/* streaming in another conversation says so */
	key("C-n");
	assert_string_equal(ctl_state_word(&C, tmp, sizeof tmp), "streaming in another conversation");
	end_stream(HIST_COMPLETE, NULL);
}

/* The status line gives up its least needed details to fit, never the proxy in use:
 * the first-token time goes first, then the answer's tokens, then the estimate. */
static void test_status_line_fits(void **state)
{
	(void)state;
	struct buf line = BUF_INIT;
	C.usage.input = 12;
	C.usage.output = 4;
	C.ttft = 0.25;
	snprintf(C.proxy, sizeof C.proxy, "proxy.example:3128");
	ctl_status_line(&C, 500, &line);
	assert_non_null(strstr(line.data, " \xc2\xb7 12 in / 4 out \xc2\xb7 first token 0.25 s "
					  "\xc2\xb7 ~"));
	assert_non_null(strstr(line.data, " tok next \xc2\xb7 proxy proxy.example:3128"));
	int full = (int)text_width(line.data, line.len);
	int want[][4] = { /* room; first token, tokens, estimate shown */
		{ full, 1, 1, 1 },
		{ full - 1, 0, 1, 1 },
		{ full - 24, 0, 0, 1 },
		{ 10, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		ctl_status_line(&C, want[i][0], &line);
		assert_int_equal(strstr(line.data, "first token") != NULL, want[i][1]);
		assert_int_equal(strstr(line.data, "12 in / 4 out") != NULL, want[i][2]);
		assert_int_equal(strstr(line.data, "tok next") != NULL, want[i][3]);
		assert_non_null(strstr(line.data, "proxy proxy.example:3128"));
		assert_int_equal(strncmp(line.data, " fo/", 4), 0); /* the head whole */
		if (want[i][3])
			assert_true((int)text_width(line.data, line.len) <= want[i][0]);
	}
	/* a message that fits replaces the details */
	ctl_message(&C, "hello there");
	ctl_status_line(&C, 500, &line);
	assert_non_null(strstr(line.data, " \xc2\xb7 hello there"));
	assert_null(strstr(line.data, "proxy"));
	buf_free(&line);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_model_is_first_favourite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_streams_and_saves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_needs_a_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_key_keeps_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_while_streaming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_esc_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_esc_stops_from_overlay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_footer_and_hint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_picker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_favourites, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_and_siblings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fold_reasoning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_rebound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_sanitised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deltas_together, setup, teardown),
		cmocka_unit_test_setup_teardown(test_editor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scrolling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resize_keeps_the_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redraw_quit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_line_fits, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
