/* test_ctl_select: the everyday moves on messages in the controller, event by event
 * (ctl_fixture.h): editing and resending, copying code, a selected message's actions
 * (F5 on it among them),
 * selecting far above (laid out lazily) or by a click, finding in the chat and searching
 * every conversation. */
#include "ctl_fixture.h"

/* M-e and /edit put the last prompt back, marked as an edit; sending it makes a new
 * branch beside it (the old one stays a sibling, which M-, and M-. reach: the answer has
 * no siblings of its own); Esc cancels an edit; an earlier message is edited through the
 * selection, in the middle of the conversation. */
static void test_edit_and_resend(void **state)
{
	(void)state;
	key("M-e");
	assert_non_null(strstr(C.message, "no message of yours"));
	exchange("first question", "first answer");
	exchange("second question", "second answer");
	key("M-e");
	assert_string_equal(input(), "second question");
	assert_int_equal(C.edit_msg, (long)msg_index("second question"));
	assert_int_equal(C.edit_pos, 3);
	assert_non_null(strstr(C.message, "editing message 3"));
	key("Esc");
	assert_int_equal(C.edit_msg, -1);
	assert_string_equal(input(), "");
	type("/edit");
	key("Enter");
	assert_string_equal(input(), "second question");
	key("C-u");
	exchange("second, edited", "edited answer");
	size_t old = msg_index("second question"), neu = msg_index("second, edited");
	const struct hist_conv *cv = &C.shown->conv;
	assert_string_equal(cv->msgs[neu].parent, cv->msgs[old].parent);
	size_t pos, count;
	chat_siblings(C.shown, neu, &pos, &count);
	assert_int_equal(count, 2);
	on_chat("edited answer");
	assert_null(strstr(chat_text(), "second answer"));
	assert_int_equal(C.edit_msg, -1);
	on_chat("you (2/2)\nsecond, edited");
	key("M-,");
	on_chat("you (1/2)\nsecond question");
	on_chat("second answer");
	assert_null(strstr(chat_text(), "edited"));
	key("M-,");
	assert_non_null(strstr(C.message, "first version"));
	key("M-.");
	on_chat("edited answer");
	key("M-.");
	assert_non_null(strstr(C.message, "last version"));
	/* an answer asked again: M-, flips the answers, the nearest fork */
	key("F5");
	end_stream(HIST_COMPLETE, NULL);
	key("M-,");
	on_chat("edited answer");
	on_chat("you (2/2)");
	key("M-,");
	assert_non_null(strstr(C.message, "first answer"));
	/* Up still recalls the prompts sent */
	key("Up");
	assert_string_equal(input(), "second, edited");
	key("C-u");
	/* the first message, from the selection: a new root branch */
	select_msg(msg_index("first question"));
	key("e");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_string_equal(input(), "first question");
	assert_non_null(strstr(C.message, "editing message 1"));
	key("C-u");
	exchange("first, edited", "new start");
	assert_null(C.shown->conv.msgs[msg_index("first, edited")].parent);
	assert_null(strstr(chat_text(), "first answer"));
	on_chat("new start");
	/* the old branch is still there */
	assert_int_equal(C.shown->conv.n, 9);
}

/* M-c copies the last answer's code block 1, at once again the next, after the last
 * the first; any other key starts over at 1. C does the same for a selected message. */
static void test_copy_code(void **state)
{
	(void)state;
	key("M-c");
	assert_int_equal(sh.copies, 0);
	assert_non_null(strstr(C.message, "no answer"));
	exchange("q", "Two:\n\n```c\nint a;\n```\n\ntext\n\n~~~\n\tb\n~~~\n");
	key("M-c");
	assert_int_equal(sh.copies, 1);
	assert_string_equal(C.out_text.data, "int a;\n");
	assert_non_null(strstr(C.message, "code block 1 (7 bytes)"));
	key("M-c");
	assert_int_equal(sh.copies, 2);
	assert_non_null(strstr(C.message, "code block 2"));
	key("M-c");
	assert_int_equal(sh.copies, 3);
	assert_string_equal(C.out_text.data, "int a;\n");
	key("M-c");
	key("PgUp");
	key("M-c");
	assert_non_null(strstr(C.message, "code block 1 "));
	/* the selected message: its own blocks */
	exchange("r", "none here");
	key("M-c");
	assert_non_null(strstr(C.message, "no code block"));
	assert_int_equal(sh.copies, 5);
	key("M-s");
	key("Up");
	key("Up");
	assert_int_equal(C.vmap[C.sel], msg_index("Two:\n\n```c\nint a;\n```\n\ntext\n\n~~~\n\tb\n~~~\n"));
	key("C");
	key("C");
	assert_int_equal(sh.copies, 7);
	assert_non_null(strstr(C.message, "code block 2"));
	assert_int_equal(C.mode, MODE_SELECT);
}

/* A selected message: copy, delete with what follows (asked), a new conversation
 * with the branch, and asking again with another model from the picker. */
static void test_select_actions(void **state)
{
	(void)state;
	key("M-s");
	assert_non_null(strstr(C.message, "no message to select"));
	assert_int_equal(C.mode, MODE_CHAT);
	exchange("alpha", "one");
	exchange("beta", "two");
	exchange("gamma", "three");
	key("M-s");
	assert_int_equal(C.vmap[C.sel], msg_index("three"));
	key("Down"); /* the last stays selected */
	assert_int_equal(C.vmap[C.sel], msg_index("three"));
	key("Home");
	assert_int_equal(C.vmap[C.sel], msg_index("alpha"));
	key("End");
	key("Up");
	assert_int_equal(C.vmap[C.sel], msg_index("gamma"));
	key("c");
	assert_int_equal(sh.copies, 1);
	assert_string_equal(C.out_text.data, "gamma");
	assert_int_equal(C.mode, MODE_SELECT);
	/* branch up to "two": a new conversation of four messages */
	key("Up");
	assert_int_equal(C.vmap[C.sel], msg_index("two"));
	char first[HIST_ID_MAX + 1];
	snprintf(first, sizeof first, "%s", C.shown->conv.id);
	key("b");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_string_not_equal(C.shown->conv.id, first);
	assert_int_equal(C.shown->conv.n, 4);
	assert_string_equal(C.shown->conv.title, "alpha (branch)");
	assert_true(C.shown->on_disk);
	on_chat("two");
	assert_null(strstr(chat_text(), "three"));
	/* back: delete "beta" and what follows, after a yes */
	type("/open ");
	type(first);
	key("Enter");
	assert_string_equal(C.shown->conv.id, first);
	select_msg(msg_index("beta"));
	key("d");
	assert_int_equal(C.mode, MODE_CONFIRM);
	key("n");
	assert_int_equal(C.shown->conv.n, 6);
	select_msg(msg_index("beta"));
	key("d");
	key("y");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.shown->conv.n, 2);
	assert_non_null(strstr(C.message, "deleted 4 messages"));
	assert_null(strstr(chat_text(), "beta"));
	on_chat("one");
	/* ask "alpha" again with fo/c: the picker, then a sibling answer from fo/c */
	select_msg(msg_index("one"));
	key("r");
	assert_int_equal(C.mode, MODE_PICK);
	type("fo/c");
	key("Enter");
	assert_non_null(ST());
	assert_string_equal(ST()->spec, "fo/c");
	ctl_delta(&C, LAST(), "from c", 6, 0, now, wall);
	end_stream(HIST_COMPLETE, NULL);
	size_t a = msg_index("from c");
	assert_string_equal(C.shown->conv.msgs[a].parent, C.shown->conv.msgs[msg_index("alpha")].id);
	assert_string_equal(C.shown->conv.msgs[a].model, "c");
	on_chat("fo/c (2/2)");
	/* Esc in the picker asks nothing again */
	select_msg(msg_index("alpha"));
	key("r");
	key("Esc");
	key("C-o");
	type("fo/b");
	key("Enter");
	assert_null(ST());
}

/* F5 with a message selected asks its prompt again, not the last one: a selected answer
 * as F5 asks the last (alone: the model chosen; with siblings: its own model), a selected
 * prompt with the model chosen; the new answer is a sibling under that prompt, shown. */
static void test_select_f5_retries_selected(void **state)
{
	(void)state;
	exchange("alpha", "one");
	exchange("beta", "two");
	select_msg(msg_index("one"));
	key("F5");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_non_null(ST());
	assert_string_equal(ST()->spec, "fo/a");
	ctl_delta(&C, LAST(), "one again", 9, 0, now, wall);
	end_stream(HIST_COMPLETE, NULL);
	const struct hist_conv *cv = &C.shown->conv;
	size_t again = msg_index("one again");
	assert_string_equal(cv->msgs[again].parent, cv->msgs[msg_index("alpha")].id);
	assert_string_equal(cv->current, cv->msgs[again].id);
	assert_int_equal(cv->n, 5); /* "two" was not asked again */
	on_chat("fo/a (2/2)");
	assert_null(strstr(chat_text(), "two"));
	/* with siblings: its own model, though another is chosen */
	key("F2");
	select_msg(again);
	key("F5");
	assert_non_null(ST());
	assert_string_equal(ST()->spec, "fo/a");
	/* busy: F5 asks nothing more while it streams */
	select_msg(msg_index("alpha"));
	key("F5");
	assert_int_equal(C.nstreams, 1);
	assert_non_null(strstr(C.message, "still streaming"));
	key("Esc");
	end_stream(HIST_COMPLETE, NULL);
	/* a prompt selected: the model chosen */
	select_msg(msg_index("alpha"));
	key("F5");
	assert_non_null(ST());
	assert_string_equal(ST()->spec, "fo/b");
	end_stream(HIST_COMPLETE, NULL);
	size_t pos, count;
	chat_siblings(C.shown, msg_index("one again"), &pos, &count);
	assert_int_equal(count, 4);
}

/* Long answers laid out only when read (view.h): after a resize none is, and selecting
 * one far above the screen shows it from its header, copies it and its code, and the
 * screen holds the lines a whole layout has there. */
static void test_select_far_above_lazy(void **state)
{
	(void)state;
	struct buf a[6];
	for (int k = 0; k < 6; k++) {
		a[k] = (struct buf)BUF_INIT;
		buf_printf(&a[k], "Answer %d\n\n```\ncode %d\n```\n\n", k, k);
		while (a[k].len < 6000)
			buf_append_str(&a[k], "A paragraph that is long enough to wrap in the pane, "
					      "**bold** and `code`.\n\n");
		char q[32];
		snprintf(q, sizeof q, "question %d", k);
		exchange(q, a[k].data);
	}
	shell(ctl_resize(&C, 30, 120));
	assert_true(C.follow);
	key("M-s");
	assert_int_equal(C.mode, MODE_SELECT);
	key("Home"); /* the first message, far above */
	assert_int_equal(C.sel, 0);
	assert_false(C.follow);
	struct view_line vl;
	assert_int_equal(view_line(C.view, C.top_line, &vl), 0);
	assert_int_equal(vl.msg, 0);
	assert_int_equal(vl.style, VS_HEADER_USER);
	key("c");
	assert_string_equal(C.out_text.data, "question 0");
	key("Down");
	key("C");
	assert_string_equal(C.out_text.data, "code 0\n");
	key("End"); /* the last answer: the ones between were never shown */
	assert_int_equal(C.sel, 11);
	key("Up");
	key("Up");
	assert_int_equal(C.sel, 9);
	assert_int_equal(view_line(C.view, C.top_line, &vl), 0);
	assert_int_equal(vl.msg, 9);
	assert_int_equal(vl.style, VS_HEADER_ASSISTANT);
	/* what is drawn is what a layout of everything has on those rows */
	size_t top = C.top_line, rows = (size_t)(C.chat_h - C.chat_top);
	struct buf screen = BUF_INIT, again = BUF_INIT;
	for (size_t r = 0; r < rows && view_line(C.view, top + r, &vl) == 0; r++)
		buf_printf(&screen, "%zu %.*s\n", vl.msg, (int)vl.len, vl.s);
	view_layout_all(C.view);
	for (size_t r = 0; r < rows && view_line(C.view, C.top_line + r, &vl) == 0; r++)
		buf_printf(&again, "%zu %.*s\n", vl.msg, (int)vl.len, vl.s);
	assert_string_equal(screen.data, again.data);
	buf_free(&screen);
	buf_free(&again);
	key("c");
	assert_string_equal(C.out_text.data, a[4].data);
	key("C");
	assert_string_equal(C.out_text.data, "code 4\n");
	for (int k = 0; k < 6; k++)
		buf_free(&a[k]);
}

/* A click on a message selects it. */
static void test_click_selects(void **state)
{
	(void)state;
	exchange("clicked prompt", "clicked answer");
	size_t first = view_msg_first_line(C.view, 0);
	int y = (int)(first - C.top_line);
	shell(ctl_key(&C, INPUT_CLICK(y, C.chat_x + 2), now, wall));
	assert_int_equal(C.mode, MODE_SELECT);
	assert_int_equal(C.vmap[C.sel], msg_index("clicked prompt"));
	shell(ctl_key(&C, INPUT_CLICK(C.rows - 1, 1), now, wall)); /* the status line */
	assert_int_equal(C.vmap[C.sel], msg_index("clicked prompt"));
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
}

/* C-s: the lines holding the text (any case, Unicode too) are marked, Enter and Up go
 * from one to the next; folded reasoning holding it unfolds. */
static void test_find_in_chat(void **state)
{
	(void)state;
	exchange("Tell me about ÉCLAIRS", "An éclair is a pastry.\nÉclairs are long.");
	for (int i = 0; i < 30; i++)
		exchange("filler", "filler text");
	type("q");
	key("Enter");
	ctl_delta(&C, LAST(), "a hidden THOUGHT", 16, 1, now, wall);
	ctl_delta(&C, LAST(), "done", 4, 0, now, wall);
	end_stream(HIST_COMPLETE, NULL);
	key("F4");
	assert_true(view_folded(C.view));
	key("C-s");
	assert_int_equal(C.mode, MODE_FIND);
	type_text("éclair");
	assert_int_equal(C.find.n, 3);
	assert_true(C.find.have_cur);
	/* the view moved up to the match, which is marked as the current one */
	size_t line = C.find.lines[C.find.cur];
	assert_true(line >= C.top_line && line < C.top_line + (size_t)C.chat_h);
	assert_int_equal(ctl_find_mark(&C, line), 2);
	size_t at = C.find.cur;
	key("Enter");
	assert_int_equal(C.find.cur, (at + 1) % 3);
	key("Up");
	assert_int_equal(C.find.cur, at);
	key("C-u");
	type("thought");
	assert_false(view_folded(C.view));
	assert_int_equal(C.find.n, 1);
	assert_non_null(strstr(C.message, "unfolded"));
	key("C-u");
	type("zebra");
	assert_int_equal(C.find.n, 0);
	key("Enter");
	assert_non_null(strstr(C.message, "not found"));
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(ctl_find_mark(&C, line), 0);
	type("/find pastry");
	key("Enter");
	assert_int_equal(C.mode, MODE_FIND);
	assert_int_equal(C.find.n, 1);
	key("Esc");
}

/* C-r: every conversation searched in steps between events (fold-insensitive);
 * a result shows date, title and line; Enter opens it at the message, the text found. */
static void test_search_history(void **state)
{
	(void)state;
	exchange("Grüße aus KÖLN", "hello");
	key("C-n");
	exchange("weather", "It is cold in köln today.\nsecond line");
	key("C-n");
	exchange("nothing here", "at all");
	char want[HIST_ID_MAX + 1];
	key("C-r");
	assert_int_equal(C.mode, MODE_PICK);
	assert_int_equal(C.ov.kind, CTL_OV_SEARCH);
	type_text("KÖLN");
	assert_true(C.search.running);
	assert_true(ctl_next_timer(&C, now) == 0);
	for (int i = 0; i < 10 && C.search.running; i++)
		shell(ctl_timer(&C, now, wall));
	assert_false(C.search.running);
	assert_int_equal(C.ov.nmatch, 2);
	assert_int_equal(C.search.total, 3);
	/* (the order is newest first; here all have the same time) */
	size_t w = strstr(C.ov.labels[C.ov.match[0]], "weather") ? 0 : 1;
	const char *label = C.ov.labels[C.ov.match[w]];
	if (!strstr(label, "weather: It is cold in köln today."))
		fail_msg("label: %s", label);
	assert_null(strstr(label, "second line"));
	assert_non_null(strstr(label, "2023-11-14")); /* the date */
	assert_non_null(strstr(C.ov.labels[C.ov.match[1 - w]], "Grüße aus KÖLN: Grüße aus KÖLN"));
	snprintf(want, sizeof want, "%.*s", (int)strcspn(C.ov.items[C.ov.match[w]], "\t"),
		 C.ov.items[C.ov.match[w]]);
	if (w)
		key("Down");
	key("Enter");
	assert_string_equal(C.shown->conv.id, want);
	assert_int_equal(C.mode, MODE_FIND);
	assert_int_equal(C.find.n, 1);
	on_chat("It is cold in köln today.");
	key("Esc");
	/* one character searches nothing; Esc stops a search */
	key("C-r");
	type("k");
	assert_false(C.search.running);
	type_text("ö");
	assert_true(C.search.running);
	key("Esc");
	assert_false(C.search.running);
	assert_null(search);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_copy_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_and_resend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_f5_retries_selected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_click_selects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_far_above_lazy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_in_chat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_history, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
