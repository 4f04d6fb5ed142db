/* test_ctl_multi: several models and streams in the controller, event by event
 * (ctl_fixture.h): @model mentions, network.max_streams, streams in two conversations,
 * the picker's marks, and the answers' layouts: columns or tabs, moved among, scrolled
 * together or apart. */
#include "ctl_fixture.h"

/* "@fo/a @fo/b question": one user message, an answer per model as siblings, each
 * streaming on its own (deltas interleaved), one failing without touching the other;
 * the first answer is the one shown and the conversation continues from it. */
static void test_mentions_ask_each_model(void **state)
{
	(void)state;
	key("F2"); /* fo/b */
	key("S-F2"); /* fo/a */
	type("@fo/b @fo/c @fo/b why?");
	key("Enter");
	assert_int_equal(sh.need_key, 2); /* fo/b named twice: asked once */
	assert_int_equal(sh.started, 2);
	assert_int_equal(C.nstreams, 2);
	assert_string_equal(input(), "");
	unsigned long a = stream_of("fo/b")->id, b = stream_of("fo/c")->id;
	for (int i = 0; i < 3; i++) {
		ctl_delta(&C, a, "A", 1, 0, now, wall);
		ctl_delta(&C, b, "B", 1, 0, now, wall);
	}
	ctl_delta(&C, b, "think", 5, 1, now, wall);
	char tmp[96];
	assert_non_null(strstr(ctl_state_word(&C, tmp, sizeof tmp), "2 streams"));
	end_id(b, HIST_ERROR, "connection reset");
	assert_int_equal(C.nstreams, 1);
	assert_non_null(strstr(C.message, "fo/c: connection reset"));
	ctl_delta(&C, a, "A", 1, 0, now, wall);
	end_id(a, HIST_COMPLETE, NULL);
	assert_int_equal(C.nstreams, 0);
	const struct hist_conv *cv = &C.shown->conv;
	assert_int_equal(cv->n, 3);
	assert_string_equal(cv->msgs[0].content, "why?");
	assert_string_equal(cv->msgs[1].content, "AAAA");
	assert_string_equal(cv->msgs[1].model, "b");
	assert_int_equal(cv->msgs[1].status, HIST_COMPLETE);
	assert_string_equal(cv->msgs[2].content, "BBB");
	assert_string_equal(cv->msgs[2].reasoning, "think");
	assert_int_equal(cv->msgs[2].status, HIST_ERROR);
	assert_string_equal(cv->msgs[2].parent, cv->msgs[1].parent);
	assert_string_equal(cv->current, cv->msgs[1].id);
	assert_string_equal(cv->model, "fo/a"); /* as chosen, not the last named */
	assert_string_equal(C.model, "fo/a");
	/* Tab after "@" completes model names */
	type("@fo/o");
	key("Tab");
	assert_string_equal(input(), "@fo/other-model ");
	key("C-u");
	type("@fo/");
	key("Tab");
	assert_string_equal(input(), "@fo/");
	assert_non_null(strstr(C.message, "fo/a  fo/b"));
	key("C-u");
	/* an unknown model sends nothing and says which */
	type("@fo/b @nope/x hi");
	key("Enter");
	assert_int_equal(sh.started, 2);
	assert_non_null(strstr(C.message, "@nope/x: "));
	assert_string_equal(input(), "@fo/b @nope/x hi");
	/* the models with no question: nothing goes */
	key("C-u");
	type("@fo/a");
	key("Enter");
	assert_int_equal(sh.started, 2);
	assert_non_null(strstr(C.message, "question after the models"));
}

/* network.max_streams: the streams over it wait and start as others end; Esc stops
 * every one (a waiting one ends at once, the running ones through the shell). */
static void test_stream_cap_and_stop_all(void **state)
{
	(void)state;
	app.cfg.max_streams = 2;
	type("@fo/a @fo/b @fo/c q");
	key("Enter");
	assert_int_equal(C.nstreams, 3);
	assert_int_equal(sh.started, 2);
	assert_true(stream_of("fo/c")->held);
	end_id(stream_of("fo/a")->id, HIST_COMPLETE, NULL);
	assert_int_equal(sh.started, 3);
	assert_false(stream_of("fo/c")->held);
	/* the fourth waits again */
	key("F5");
	assert_int_equal(sh.started, 3);
	assert_int_equal(C.nstreams, 3);
	key("Esc");
	assert_int_equal(sh.stops, 2);  /* the two running */
	assert_int_equal(C.nstreams, 2); /* the waiting one ended */
	end_id(C.streams[0]->id, HIST_STOPPED, NULL);
	end_id(C.streams[0]->id, HIST_STOPPED, NULL);
	assert_int_equal(C.nstreams, 0);
	assert_int_equal(sh.started, 3); /* nothing started on the way */
	app.cfg.max_streams = 8;
}

/* A stream goes on while another conversation streams too; the list marks the one
 * streaming, then unread until it is opened. */
static void test_streams_in_two_conversations(void **state)
{
	(void)state;
	exchange("first", "one");
	char first[HIST_ID_MAX + 1];
	snprintf(first, sizeof first, "%s", C.shown->conv.id);
	type("again");
	key("Enter");
	unsigned long a = LAST();
	key("C-n");
	type("other");
	key("Enter");
	assert_int_equal(C.nstreams, 2);
	unsigned long b = LAST();
	assert_int_equal(ctl_conv_mark(&C, first), 1);
	ctl_delta(&C, a, "late text", 9, 0, now, wall);
	ctl_delta(&C, b, "here", 4, 0, now, wall);
	assert_string_equal(C.shown->conv.msgs[1].content, "here");
	end_id(a, HIST_COMPLETE, NULL);
	assert_int_equal(ctl_conv_mark(&C, first), 2);
	end_id(b, HIST_COMPLETE, NULL);
	type("/open ");
	type(first);
	key("Enter");
	assert_string_equal(C.shown->conv.id, first);
	assert_int_equal(ctl_conv_mark(&C, first), 0);
	assert_string_equal(C.shown->conv.msgs[3].content, "late text");
}

/* The model picker marks several models (Space) and Enter asks each: the input's text,
 * else the last message again; M-z stops only the answer shown; M-m marks it best. */
static void test_picker_marks_stop_one_best(void **state)
{
	(void)state;
	exchange("question", "first");
	key("C-o");
	type("fo/");
	key("Space"); /* fo/a */
	key("Space"); /* fo/b */
	assert_int_equal(C.ov.nmarked, 2);
	assert_int_equal(C.mode, MODE_PICK);
	key("Enter"); /* the input is empty: the last message again, to both */
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.nstreams, 2);
	assert_string_equal(C.streams[0]->spec, "fo/a");
	assert_string_equal(C.streams[1]->spec, "fo/b");
	const struct hist_conv *cv = &C.shown->conv;
	assert_int_equal(cv->n, 4); /* three siblings under the one question */
	assert_string_equal(cv->msgs[3].parent, cv->msgs[0].id);
	/* the answer shown is the first one asked: M-z stops it alone */
	assert_string_equal(cv->current, cv->msgs[2].id);
	key("M-z");
	assert_int_equal(sh.stops, 1);
	assert_true(stream_of("fo/a")->stop_requested);
	assert_false(stream_of("fo/b")->stop_requested);
	end_id(stream_of("fo/a")->id, HIST_STOPPED, NULL);
	end_id(stream_of("fo/b")->id, HIST_COMPLETE, NULL);
	/* marked models with text in the input: the text goes to each */
	type("next one");
	key("C-o");
	type("fo/c");
	key("Space");
	key("Enter");
	assert_int_equal(C.nstreams, 1);
	assert_string_equal(C.streams[0]->spec, "fo/c");
	assert_string_equal(cv->msgs[cv->n - 2].content, "next one");
	end_stream(HIST_COMPLETE, NULL);
	/* Space in the switcher is a space of the filter */
	key("C-t");
	key("Space");
	assert_string_equal(C.ov.filter.data, " ");
	key("Esc");
	/* the best mark: on, saved, shown; again: off */
	key("M-m");
	assert_true(cv->msgs[cv->n - 1].best);
	assert_non_null(strstr(C.message, "best"));
	struct buf md = BUF_INIT;
	assert_int_equal(hist_to_json(cv, &md), 0);
	assert_non_null(strstr(md.data, "\"best\": true"));
	buf_free(&md);
	key("M-m");
	assert_false(cv->msgs[cv->n - 1].best);
	/* a selected message asked again of several models: M-s, r, marks, Enter */
	size_t q = cv->n - 2; /* "next one" */
	key("M-s");
	key("r");
	assert_int_equal(C.mode, MODE_PICK);
	type("fo/");
	key("Space");
	key("Space");
	key("Enter");
	assert_int_equal(C.nstreams, 2);
	for (size_t i = 0; i < 2; i++)
		assert_string_equal(cv->msgs[C.streams[i]->answer].parent, cv->msgs[q].id);
	assert_string_equal(C.streams[0]->spec, "fo/a");
	assert_string_equal(C.streams[1]->spec, "fo/b");
}

/* Two answers side by side when wide enough (the deltas in their columns, scrolled
 * together), else a tab strip over the one shown; F9 switches; M-. moves the answer the
 * conversation goes on from. */
static void test_layouts(void **state)
{
	(void)state;
	shell(ctl_resize(&C, 40, 160));
	type("@fo/a @fo/b compare");
	key("Enter");
	now += 0.1;
	shell(ctl_timer(&C, now, wall));
	assert_int_equal(C.lay.n, 2);
	assert_int_equal(C.chat_top, 2); /* the question, the columns' headers */
	assert_string_equal(C.lay.strip.data, "you: compare");
	unsigned long a = stream_of("fo/a")->id, b = stream_of("fo/b")->id;
	size_t before = view_lines(C.lay.v[1]);
	for (int i = 0; i < 50; i++)
		ctl_delta(&C, b, "line\n\n", 6, 0, now, wall);
	assert_true(view_lines(C.lay.v[1]) >= before + 50);
	assert_int_equal(COLS_HEAD + C.top_line + (size_t)C.chat_h - (size_t)C.chat_top,
			 view_lines(C.lay.v[1]));
	key("PgUp"); /* both columns scroll together */
	assert_false(C.follow);
	key("M-End");
	/* one at a time: the strip names both, streaming */
	key("F9");
	assert_int_equal(C.lay.n, 0);
	assert_int_equal(C.chat_top, 1);
	assert_string_equal(C.lay.strip.data, "1/2 a~ \xc2\xb7 2/2 b~");
	assert_string_equal(C.lay.strip.data + C.lay.strip_off, "1/2 a~ \xc2\xb7 2/2 b~");
	assert_int_equal(C.lay.strip_len, strlen("1/2 a~"));
	end_id(a, HIST_COMPLETE, NULL);
	end_id(b, HIST_ERROR, "fo: boom");
	shell(ctl_timer(&C, now, wall));
	assert_string_equal(C.lay.strip.data, "1/2 a \xc2\xb7 2/2 b!");
	key("M-.");
	shell(ctl_timer(&C, now, wall));
	assert_int_equal(C.lay.strip_off, strlen("1/2 a \xc2\xb7 "));
	/* its footer under the header "fo/b (2/2)" does not name the provider again */
	on_chat("[error: boom");
	assert_null(strstr(chat_text(), "fo: boom"));
	/* F5 on the failed one asks its own model again, not the one chosen */
	key("F5");
	assert_int_equal(C.nstreams, 1);
	assert_string_equal(C.streams[0]->spec, "fo/b");
	end_stream(HIST_COMPLETE, NULL);
	shell(ctl_timer(&C, now, wall));
	assert_string_equal(C.lay.strip.data, "1/3 a \xc2\xb7 2/3 b! \xc2\xb7 3/3 b");
	/* one model name from two providers: the strip names the providers too */
	struct hist_conv *cv = &C.shown->conv;
	size_t last = 0;
	for (size_t i = 0; i < cv->n; i++)
		if (cv->msgs[i].model && !strcmp(cv->msgs[i].model, "b"))
			last = i;
	free(cv->msgs[last].provider);
	cv->msgs[last].provider = strdup("fx");
	key("M-,");
	key("M-.");
	shell(ctl_timer(&C, now, wall));
	assert_string_equal(C.lay.strip.data,
			    "1/3 fo/a \xc2\xb7 2/3 fo/b! \xc2\xb7 3/3 fx/b");
	free(cv->msgs[last].provider);
	cv->msgs[last].provider = strdup("fo");
	key("M-,");
	key("M-.");
	shell(ctl_timer(&C, now, wall));
	key("M-,");
	shell(ctl_resize(&C, 40, 200)); /* three columns of 50 need 156 */
	key("F9");
	assert_int_equal(C.lay.n, 3);
	assert_int_equal(C.lay.cur, 1);
	/* too narrow for two columns: the strip, whatever F9 says */
	shell(ctl_resize(&C, 40, 100));
	shell(ctl_timer(&C, now, wall));
	assert_int_equal(C.lay.n, 0);
	assert_int_equal(C.chat_top, 1);
	/* a single answer: neither */
	key("C-n");
	exchange("one", "answer");
	shell(ctl_timer(&C, now, wall));
	assert_int_equal(C.chat_top, 0);
	assert_int_equal(C.lay.n, 0);
}

/* fo/a and fo/b answer prompt side by side at rows x 160: a's text times_a times, then
 * b's, both complete. */
static void two_answers(int rows, const char *prompt, const char *ta, int times_a,
			const char *tb)
{
	shell(ctl_resize(&C, rows, 160));
	type("@fo/a @fo/b ");
	type(prompt);
	key("Enter");
	unsigned long a = stream_of("fo/a")->id, b = stream_of("fo/b")->id;
	for (int i = 0; i < times_a; i++)
		ctl_delta(&C, a, ta, strlen(ta), 0, now, wall);
	ctl_delta(&C, b, tb, strlen(tb), 0, now, wall);
	end_id(a, HIST_COMPLETE, NULL);
	end_id(b, HIST_COMPLETE, NULL);
	shell(ctl_timer(&C, now, wall));
	assert_int_equal(C.lay.n, 2);
}

/* Several answers side by side: M-s selects the one the branch goes on from, Left and
 * Right move between the columns, Up to the question above them, the actions work on
 * the column's answer, Enter goes on from it; a click selects a column's answer or
 * shows a tab's; find finds in every column and says where; one at a time, Left and
 * Right flip to the sibling beside, and the find line names the other tabs holding the
 * text. */
static void test_columns_moves(void **state)
{
	(void)state;
	/* while answers stream, Esc leaves a selection or the find line: they stream on */
	shell(ctl_resize(&C, 40, 160));
	type("@fo/a @fo/b streaming");
	key("Enter");
	key("M-s");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	key("C-s");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.nstreams, 2);
	assert_false(stream_of("fo/a")->stop_requested);
	/* the one shown fails while b streams on: one line naming its model once, and
	 * its footer under its header does not name the provider again */
	end_id(stream_of("fo/a")->id, HIST_ERROR, "fo: kaput");
	assert_string_equal(C.message, "fo/a: kaput");
	on_chat("[error: kaput");
	assert_null(strstr(chat_text(), "fo: kaput"));
	key("Esc"); /* in the chat it stops them */
	assert_true(stream_of("fo/b")->stop_requested);
	end_id(stream_of("fo/b")->id, HIST_STOPPED, NULL);
	two_answers(40, "compare", "alpha apple", 1, "beta apple banana");
	size_t ma = msg_index("alpha apple"), mb = msg_index("beta apple banana");
	key("M-s");
	assert_int_equal(C.mode, MODE_SELECT);
	assert_int_equal(C.lay.sel, 0);
	assert_int_equal(C.sel, -1);
	key("Right");
	assert_int_equal(C.lay.sel, 1);
	key("Right"); /* the last: it stays */
	assert_int_equal(C.lay.sel, 1);
	assert_string_equal(C.message, "this is the last answer");
	key("Up"); /* the question above the columns, its line reversed */
	assert_int_equal(C.lay.sel, CTL_SEL_QUESTION);
	assert_int_equal(C.lay.strip_len, C.lay.strip.len);
	key("Down");
	assert_int_equal(C.lay.sel, 0);
	assert_int_equal(C.lay.strip_len, 0);
	key("End");
	assert_int_equal(C.lay.sel, 1);
	int copies = sh.copies;
	key("c"); /* the column's answer, not the one the branch goes on from */
	assert_int_equal(sh.copies, copies + 1);
	assert_string_equal(C.out_text.data, "beta apple banana");
	/* Enter: the conversation goes on from it */
	key("Enter");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.lay.sel, -1);
	assert_string_equal(C.shown->conv.current, C.shown->conv.msgs[mb].id);
	assert_int_equal(C.lay.cur, 1);
	assert_false(chat_unsaved(C.shown)); /* saved at once: no tick saves while idle */
	/* a click selects the answer of the column under it; the gap and past them nothing */
	int x1 = C.chat_x + cols_x(C.lay.w, 1) + 2;
	shell(ctl_key(&C, INPUT_CLICK(3, x1), now, wall));
	assert_int_equal(C.mode, MODE_SELECT);
	assert_int_equal(C.lay.sel, 1);
	shell(ctl_key(&C, INPUT_CLICK(3, C.chat_x + C.lay.w + 1), now, wall));
	assert_int_equal(C.lay.sel, 1);
	shell(ctl_key(&C, INPUT_CLICK(3, C.chat_x + 2), now, wall));
	assert_int_equal(C.lay.sel, 0);
	shell(ctl_key(&C, INPUT_CLICK(0, C.chat_x + 2), now, wall)); /* the question */
	assert_int_equal(C.lay.sel, CTL_SEL_QUESTION);
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.lay.strip_len, 0);
	/* find: every column's lines, column by column, and where the current one is */
	key("C-s");
	type("apple");
	assert_int_equal(C.find.n, 2);
	assert_int_equal(C.find.cols[0], 0);
	assert_int_equal(C.find.cols[1], 1);
	assert_int_equal(ctl_find_mark_col(&C, 0, C.find.lines[0]), 2);
	assert_int_equal(ctl_find_mark_col(&C, 1, C.find.lines[1]), 1);
	assert_int_equal(ctl_find_mark(&C, C.find.lines[0]), 0); /* the single view is not shown */
	assert_string_equal(C.find.where, "in answer 1/2, fo/a");
	key("Enter");
	assert_int_equal(C.find.cur, 1);
	assert_int_equal(ctl_find_mark_col(&C, 1, C.find.lines[1]), 2);
	assert_string_equal(C.find.where, "in answer 2/2, fo/b");
	key("C-u");
	type("banana");
	assert_int_equal(C.find.n, 1);
	assert_int_equal(C.find.cols[0], 1);
	key("Esc");
	/* one at a time: a click on a tab shows its answer */
	key("F9");
	assert_int_equal(C.lay.n, 0);
	assert_int_equal(C.lay.ntabs, 2);
	assert_string_equal(C.lay.strip.data, "1/2 a \xc2\xb7 2/2 b");
	shell(ctl_key(&C, INPUT_CLICK(0, C.chat_x + 1), now, wall));
	assert_string_equal(C.shown->conv.current, C.shown->conv.msgs[ma].id);
	assert_int_equal(C.lay.strip_off, 0);
	shell(ctl_key(&C, INPUT_CLICK(0, C.chat_x + 6), now, wall)); /* the " · " between */
	assert_string_equal(C.shown->conv.current, C.shown->conv.msgs[ma].id);
	/* find: not in the answer shown, but in the other tab */
	key("C-s");
	type("banana");
	assert_int_equal(C.find.n, 0);
	assert_string_equal(C.find.where, "also in 2/2 (M-, M-. show them)");
	key("Esc");
	/* the answer selected, Right shows the next one, selected; a click below the strip
	 * selects the message of the line under it */
	key("M-s");
	assert_int_equal(C.vmap[C.sel], ma);
	key("Right");
	assert_int_equal(C.vmap[C.sel], mb);
	assert_string_equal(C.shown->conv.current, C.shown->conv.msgs[mb].id);
	key("Right");
	assert_string_equal(C.message, "no answer after this one");
	key("Left");
	assert_int_equal(C.vmap[C.sel], ma);
	key("Esc");
	size_t vq = 0;
	while (vq < C.vmap_n && C.vmap[vq] != msg_index("compare"))
		vq++;
	key("M-Home");
	size_t first = view_msg_first_line(C.view, vq);
	assert_true(first >= C.top_line && first < C.top_line + 30);
	int y = (int)(first - C.top_line) + C.chat_top;
	shell(ctl_key(&C, INPUT_CLICK(y, C.chat_x + 2), now, wall));
	assert_int_equal(C.mode, MODE_SELECT);
	assert_int_equal(C.vmap[C.sel], msg_index("compare"));
	/* back side by side, the selection stays on its message */
	key("Esc");
	key("M-s");
	key("F9"); /* not a select key: nothing */
	key("Esc");
	key("F9");
	assert_int_equal(C.lay.n, 2);
	key("M-s");
	assert_int_equal(C.lay.sel, 0); /* a is the one gone on from now */
	/* d on b, asked about while the layout is worked out again: b goes */
	key("Right");
	key("d");
	assert_int_equal(C.mode, MODE_CONFIRM);
	shell(ctl_resize(&C, 40, 170));
	assert_int_equal(C.lay.sel, 1);
	size_t n = C.shown->conv.n;
	key("y");
	assert_int_equal(C.shown->conv.n, n - 1);
	assert_string_equal(C.shown->conv.msgs[n - 2].content, "alpha apple");
	assert_int_equal(C.lay.n, 0); /* one answer: the single view */
}

/* S-F9: columns side by side scroll apart: the wheel over one scrolls it alone, PgUp
 * the one gone on from, M-End brings all to their ends; find scrolls the column of the
 * match; S-F9 again, they scroll together, as the wheel then does anywhere. */
static void test_columns_apart(void **state)
{
	(void)state;
	two_answers(30, "long and short", "line\n\n", 60, "short");
	size_t bottom = C.top_line;
	assert_true(bottom > 20);
	/* together: one line for all, but a shorter one stops at its end */
	assert_int_equal(ctl_col_top(&C, 0), bottom);
	assert_int_equal(ctl_col_top(&C, 1), 0);
	key("S-F9");
	assert_true(C.lay.apart);
	int x0 = C.chat_x + 2, x1 = C.chat_x + cols_x(C.lay.w, 1) + 2;
	shell(ctl_key(&C, INPUT_WHEEL_AT(5, x0, 0), now, wall));
	assert_int_equal(ctl_col_top(&C, 0), bottom - 3);
	assert_int_equal(ctl_col_top(&C, 1), 0); /* the short one: all of it shows */
	assert_true(C.more_below);
	shell(ctl_key(&C, INPUT_WHEEL_AT(5, x1, 0), now, wall));
	assert_int_equal(ctl_col_top(&C, 0), bottom - 3);
	shell(ctl_key(&C, INPUT_WHEEL_AT(5, x0, 1), now, wall));
	assert_int_equal(ctl_col_top(&C, 0), bottom);
	assert_false(C.more_below);
	key("PgUp"); /* the one gone on from: a */
	assert_true(ctl_col_top(&C, 0) < bottom);
	key("M-End");
	assert_int_equal(ctl_col_top(&C, 0), bottom);
	/* find: the match's column scrolls to it, the other stays */
	key("C-s");
	type("fo/a"); /* its header: always in sight, nothing scrolls */
	assert_int_equal(C.find.n, 1);
	assert_int_equal(ctl_col_top(&C, 0), bottom);
	key("Esc");
	key("M-Home");
	assert_int_equal(ctl_col_top(&C, 0), 0);
	key("S-F9");
	assert_false(C.lay.apart);
	assert_int_equal(C.top_line, 0);
	key("M-End");
	shell(ctl_key(&C, INPUT_WHEEL_AT(5, x1, 0), now, wall)); /* together: all */
	assert_int_equal(ctl_col_top(&C, 0), bottom - 3);
	assert_int_equal(ctl_col_top(&C, 1), 0);
	assert_int_equal(C.top_line, bottom - 3);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mentions_ask_each_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_cap_and_stop_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_streams_in_two_conversations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_picker_marks_stop_one_best, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_columns_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_columns_apart, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
