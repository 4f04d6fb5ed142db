/* test_ctl_actions: the controller's actions, modes and commands, event by event
 * (ctl_fixture.h): every action of every mode does what its help line says and is bound
 * by default, the help, the editing keys and the input's history, pasting, the
 * passphrase mode, and every slash command. */
#include "ctl_fixture.h"

static void test_help(void **state)
{
	(void)state;
	key("F1");
	assert_int_equal(C.mode, MODE_HELP);
	assert_int_equal(C.ov.kind, CTL_OV_HELP);
	int headings = 0, passphrase = 0, model = 0;
	for (size_t i = 0; i < C.ov.nitems; i++) {
		headings += !strncmp(C.ov.items[i], "In ", 3) || !strncmp(C.ov.items[i], "At ", 3) ||
			    !strncmp(C.ov.items[i], "When ", 5);
		passphrase += strstr(C.ov.items[i], "leave the vault locked") != NULL;
		model += strstr(C.ov.items[i], "/model") != NULL;
	}
	assert_int_equal(headings, MODE__COUNT);
	assert_int_equal(passphrase, 1);
	assert_true(model >= 1);
	key("Down");
	key("Down");
	assert_int_equal(C.ov.top, 2);
	key("Up");
	assert_int_equal(C.ov.top, 1);
	key("PgDn");
	assert_true(C.ov.top > 1);
	key("PgUp");
	assert_int_equal(C.ov.top, 1);
	key("q");
	assert_int_equal(C.mode, MODE_CHAT);
	key("F1");
	key("F1");
	assert_int_equal(C.mode, MODE_CHAT);
	key("F1");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
}

static void test_editing_keys(void **state)
{
	(void)state;
	type("one two three");
	key("C-a");
	key("M-f");
	key("C-k");
	assert_string_equal(input(), "one");
	key("C-y");
	assert_string_equal(input(), "one two three");
	key("C-w");
	assert_string_equal(input(), "one two ");
	key("M-Enter");
	type("x");
	assert_string_equal(input(), "one two \nx");
	key("Backspace");
	key("C-h");
	assert_string_equal(input(), "one two ");
	key("M-<");
	key("Right");
	key("Delete");
	assert_string_equal(input(), "oe two ");
	key("M->");
	key("M-b");
	key("M-d");
	assert_string_equal(input(), "oe  ");
	key("C-b");
	key("C-f");
	key("Home");
	key("End");
	key("Left");
	key("C-e");
	key("C-u");
	assert_string_equal(input(), "");
}

static void test_history_recall(void **state)
{
	(void)state;
	exchange("earlier prompt", "x");
	key("Up");
	assert_string_equal(input(), "earlier prompt");
	key("Down");
	assert_string_equal(input(), "");
	key("C-p");
	assert_string_equal(input(), "earlier prompt");
	key("M-n");
	assert_string_equal(input(), "");
	key("M-p");
	assert_string_equal(input(), "earlier prompt");
}

static void test_paste_never_sends(void **state)
{
	(void)state;
	shell(ctl_key(&C, INPUT_PASTE_START, now, wall));
	type("a");
	shell(ctl_key(&C, 13, now, wall));
	type("b");
	shell(ctl_key(&C, 27, now, wall));
	shell(ctl_key(&C, INPUT_PASTE_END, now, wall));
	assert_string_equal(input(), "a\nb");
	assert_int_equal(sh.need_key, 0);
	key("Enter");
	assert_int_equal(sh.need_key, 1);
}

/* A paste's characters settle at its end, or before a frame (ctl_frame), not one by one
 * (each settle measures the whole input: 8,000 characters took two seconds); what is
 * drawn is right either way. */
static void test_paste_settles_at_frames(void **state)
{
	(void)state;
	int h0 = C.input_h;
	shell(ctl_key(&C, INPUT_PASTE_START, now, wall));
	for (int i = 0; i < 40; i++) {
		type("a pasted line");
		shell(ctl_key(&C, 13, now, wall));
	}
	assert_int_equal(C.input_h, h0); /* owed, not done */
	assert_true(C.settle_owed);
	ctl_frame(&C); /* a frame in the middle of the paste */
	assert_false(C.settle_owed);
	int h1 = C.input_h;
	assert_true(h1 > h0);
	type("the end");
	shell(ctl_key(&C, INPUT_PASTE_END, now, wall));
	assert_false(C.settle_owed);
	assert_int_equal(C.input_h, h1);
	assert_int_equal(strlen(input()), 40 * strlen("a pasted line\n") + strlen("the end"));
	/* typed keys settle at once */
	key("C-a");
	assert_false(C.settle_owed);
}

static void test_passphrase_mode(void **state)
{
	(void)state;
	sh.key_answer = CTL_KEY_NEED_PASSPHRASE;
	type("secret question");
	key("Enter");
	assert_int_equal(C.mode, MODE_PASSPHRASE);
	assert_non_null(strstr(C.pw_prompt, "Passphrase"));
	type("pw1");
	assert_int_equal(C.pw_chars, 3);
	key("Backspace");
	assert_int_equal(C.pw_chars, 2);
	key("C-u");
	assert_int_equal(C.pw_chars, 0);
	type("hunter2");
	/* Enter asks the shell to unlock with what was typed; the input keeps the prompt */
	key("Enter");
	assert_int_equal(sh.unlocks, 1);
	assert_string_equal(sh.passphrase, "hunter2");
	assert_string_equal(input(), "secret question");
	/* wrong: asked again, the typing cleared */
	shell(ctl_key_result(&C, CTL_KEY_WRONG_PASSPHRASE, NULL, now, wall));
	assert_int_equal(C.mode, MODE_PASSPHRASE);
	assert_non_null(strstr(C.pw_prompt, "Wrong"));
	assert_int_equal(C.pw_chars, 0);
	/* right: the send goes on */
	type("x");
	key("Enter");
	shell(ctl_key_result(&C, CTL_KEY_OK, NULL, now, wall));
	assert_int_equal(C.mode, MODE_CHAT);
	assert_null(C.pw);
	assert_int_equal(sh.started, 1);
	assert_string_equal(C.shown->conv.msgs[0].content, "secret question");
}

static void test_passphrase_cancel(void **state)
{
	(void)state;
	sh.key_answer = CTL_KEY_NEED_PASSPHRASE;
	type("q");
	key("Enter");
	type("abc");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_null(C.pw);
	assert_false(C.pending.active);
	assert_int_equal(sh.started, 0);
	assert_non_null(strstr(C.message, "stays locked"));
	assert_string_equal(input(), "q");
	/* C-c and C-g cancel too */
	key("Enter");
	key("C-g");
	assert_int_equal(C.mode, MODE_CHAT);
	key("Enter");
	key("C-c");
	assert_int_equal(C.mode, MODE_CHAT);
}

static void test_slash_commands(void **state)
{
	(void)state;
	type("/model fo/b");
	key("Enter");
	assert_string_equal(C.model, "fo/b");
	assert_string_equal(input(), "");
	type("/model nope");
	key("Enter");
	assert_string_equal(C.model, "fo/b");
	assert_string_equal(input(), "/model nope");
	key("C-u");
	type("/model");
	key("Enter");
	assert_int_equal(C.mode, MODE_PICK);
	key("Esc");
	type("/system Be brief.");
	key("Enter");
	assert_string_equal(C.shown->conv.system, "Be brief.");
	on_chat("system prompt");
	/* no text shows it, --clear removes it (issue 11, 5) */
	size_t lines = view_lines(C.view);
	type("/system");
	key("Enter");
	assert_string_equal(C.shown->conv.system, "Be brief.");
	assert_true(view_lines(C.view) > lines);
	type("/system --clear");
	key("Enter");
	assert_null(C.shown->conv.system);
	type("/system");
	key("Enter");
	assert_non_null(strstr(C.message, "no system prompt"));
	/* /assistant lists them, and Tab completes their names */
	type("/assistant");
	key("Enter");
	on_chat("coder (fo/b)");
	type("/assistant co");
	key("Tab");
	assert_string_equal(input(), "/assistant coder");
	key("C-u");
	type("/frobnicate");
	key("Enter");
	assert_non_null(strstr(C.message, "unknown command"));
	key("C-u");
	type("/assistant coder");
	key("Enter");
	assert_string_equal(C.model, "fo/b");
	assert_string_equal(C.shown->conv.system, "Be careful. Today is 2026-12-02.");
	assert_non_null(C.temperature);
	type("//x literally");
	key("Enter");
	assert_int_equal(sh.started, 1);
	assert_string_equal(C.shown->conv.msgs[0].content, "/x literally");
	struct provider *p;
	struct wire_http req;
	struct err e;
	err_clear(&e);
	assert_int_equal(ctl_stream_request(&C, LAST(), &p, &req, &e), 0);
	assert_non_null(strstr(req.body.data, "\"temperature\""));
	assert_non_null(strstr(req.body.data, "Be careful."));
	wire_http_free(&req);
	end_stream(HIST_COMPLETE, NULL);
	type("/export /tmp/x.md");
	key("Enter");
	assert_int_equal(sh.exports, 1);
	assert_string_equal(C.out_path.data, "/tmp/x.md");
	assert_non_null(strstr(C.out_text.data, "/x literally"));
	type("/help");
	key("Enter");
	assert_int_equal(C.mode, MODE_HELP);
	key("Esc");
	type("/quit");
	key("Enter");
	assert_int_equal(sh.quits, 1);
}

static void test_every_command_runs(void **state)
{
	(void)state;
	exchange("something", "to act on");
	size_t n;
	const struct slash_info *cmds = slash_commands(&n);
	for (size_t i = 0; i < n; i++) {
		char line[64];
		snprintf(line, sizeof line, "/%s%s", cmds[i].name,
			 cmds[i].arg == SLASH_ARG_REQUIRED ? " arg" : "");
		key("C-u");
		type(line);
		key("Enter");
		/* every command leaves a mode the keys can get out of */
		if (C.mode == MODE_CONFIRM)
			key("n");
		leave_tool_turn();
		if (C.mode == MODE_PICK || C.mode == MODE_HELP || C.mode == MODE_SELECT ||
		    C.mode == MODE_FIND || C.mode == MODE_PASSPHRASE)
			key("Esc");
		if (ST())
			end_stream(HIST_COMPLETE, NULL);
		assert_int_equal(C.mode, MODE_CHAT);
	}
}

/* Every action in the table is bound in its mode by default (one is unbound: none), and
 * firing it in its mode never leaves the controller in a state the keys cannot leave. */
/* A message that names a key names the one bound now (config.json "keys"). */
static void test_messages_name_bound_keys(void **state)
{
	(void)state;
	json_t *keys = json_pack("{s:s, s:s}", "complete", "F11", "stop", "C-g");
	assert_non_null(keys);
	input_map_apply(&C.keys, keys, NULL, NULL);
	json_decref(keys);
	type("hello");
	key("F11");
	assert_string_equal(C.message, "F11 completes a /command, or a model after @");
	key("C-u");
	exchange("first", "answer");
	key("M-e");
	assert_non_null(strstr(C.message, "Enter sends it as a new branch (the old one stays), "
			       "C-g cancels"));
}

static void test_every_action_in_its_mode(void **state)
{
	(void)state;
	exchange("something", "to act on");
	size_t n;
	const struct input_action_info *acts = input_actions(&n);
	for (size_t i = 0; i < n; i++) {
		struct buf keys = BUF_INIT;
		input_keys_of(&C.keys, acts[i].action, &keys);
		if (acts[i].action != ACT_COPY && !keys.len)
			fail_msg("%s has no key", acts[i].name);
		buf_free(&keys);
		switch (acts[i].mode) {
		case MODE_LIST:
			key("M-l");
			break;
		case MODE_PICK:
			key("C-o");
			break;
		case MODE_HELP:
			key("F1");
			break;
		case MODE_CONFIRM:
			if (!C.shown->on_disk)
				exchange("again", "saved");
			key("F8");
			break;
		case MODE_SELECT:
			key("M-s");
			break;
		case MODE_FIND:
			key("C-s");
			break;
		case MODE_TOOLS:
			ask_tool("fake__echo", "{\"text\":\"hi\"}");
			break;
		case MODE_PASSPHRASE:
			sh.key_answer = CTL_KEY_NEED_PASSPHRASE;
			key("C-u");
			type("q");
			key("Enter");
			sh.key_answer = CTL_KEY_OK;
			break;
		default:
			break;
		}
		if (C.mode != acts[i].mode)
			fail_msg("not in the mode of %s: %s", acts[i].name, C.message);
		/* these delete or quit: tested above */
		if (acts[i].action != ACT_CONFIRM_YES && acts[i].action != ACT_QUIT &&
		    acts[i].action != ACT_DELETE_CHAR_OR_QUIT)
			shell(ctl_action(&C, acts[i].action, now, wall));
		if (C.mode == MODE_PASSPHRASE)
			shell(ctl_key_result(&C, CTL_KEY_OK, NULL, now, wall));
		if (C.mode == MODE_CONFIRM)
			key("n");
		leave_tool_turn();
		if (C.mode == MODE_PICK || C.mode == MODE_HELP || C.mode == MODE_LIST ||
		    C.mode == MODE_SELECT || C.mode == MODE_FIND)
			key("Esc");
		if (ST())
			end_stream(HIST_COMPLETE, NULL);
		if (C.edit_msg >= 0)
			key("Esc"); /* an edit begun: Esc cancels it */
		if (!C.show_list)
			key("F3");
		assert_int_equal(C.mode, MODE_CHAT);
	}
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_editing_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_recall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paste_never_sends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paste_settles_at_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passphrase_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passphrase_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slash_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_command_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_messages_name_bound_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_action_in_its_mode, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
