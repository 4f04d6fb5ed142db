/* test_ctl_tools: the tool loop in the controller, event by event (ctl_fixture.h):
 * calls asked in MODE_TOOLS, allowed once or always, denied, stopped, rounds, and one
 * turn at a time when several answers call tools. */
#include "ctl_fixture.h"

/* The overlay's lines joined by LF. */
static const char *overlay_text(void)
{
	static struct buf b;
	buf_reset(&b);
	for (size_t i = 0; i < C.ov.nitems; i++)
		buf_printf(&b, "%s\n", C.ov.items[i]);
	return b.data ? b.data : "";
}

/* The last message of the shown conversation's branch. */
static const struct hist_msg *last_msg(int back)
{
	size_t *idx, n;
	assert_int_equal(chat_branch(C.shown, &idx, &n), 0);
	assert_true(n > (size_t)back);
	const struct hist_msg *m = &C.shown->conv.msgs[idx[n - 1 - (size_t)back]];
	free(idx);
	return m;
}

static void test_tools_allow_once(void **state)
{
	(void)state;
	type("/tools");
	key("Enter");
	on_chat("[off] fake");
	ask_tool("fake__echo", "{\"text\":\"hi\"}");
	assert_int_equal(sh.tool_starts, 1);
	assert_int_equal(ctl_tools_count(&C), 2);
	assert_int_equal(C.mode, MODE_TOOLS);
	assert_int_equal(C.ov.kind, CTL_OV_TOOL);
	assert_non_null(strstr(overlay_text(), "The model asks to run fake/echo"));
	assert_non_null(strstr(overlay_text(), "\"text\": \"hi\""));
	assert_int_equal(sh.tool_runs, 0); /* nothing runs before the answer */
	int started = sh.started;
	key("o");
	assert_int_equal(sh.tool_runs, 1);
	assert_true(C.tools->running);
	assert_string_equal(C.tools->run->tool, "echo");
	assert_string_equal(C.tools->run_args.data, "{\"text\":\"hi\"}");
	shell(ctl_tool_progress(&C, 2, 4, "half \x1b[2J way"));
	assert_non_null(strstr(overlay_text(), "Running fake/echo (call 1 of 1, round 1): 2 of 4"));
	now += 0.25;
	shell(ctl_tool_done(&C, "Echo: hi", 0, 0, now, wall));
	/* the result is saved, the next answer asked for */
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(sh.started, started + 1);
	assert_non_null(ST());
	const struct hist_msg *res = last_msg(1);
	assert_string_equal(res->role, "tool");
	assert_string_equal(res->content, "Echo: hi");
	assert_int_equal(res->tool_error, 0);
	/* its request carries the call, the result and the tools */
	struct provider *prov;
	struct wire_http req;
	memset(&req, 0, sizeof req);
	struct err e;
	err_clear(&e);
	assert_int_equal(ctl_stream_request(&C, LAST(), &prov, &req, &e), 0);
	assert_non_null(strstr(req.body.data, "\"tool_calls\""));
	assert_non_null(strstr(req.body.data, "\"role\":\"tool\""));
	assert_non_null(strstr(req.body.data, "\"fake__rm\""));
	wire_http_free(&req);
	ctl_delta(&C, LAST(), "It said hi.", 11, 0, now, wall);
	end_stream(HIST_COMPLETE, NULL);
	assert_false(C.tools->active);
	/* folded: one line; F7 shows it whole */
	on_chat("\xe2\x9a\x99 fake/echo \xe2\x9c\x93 0.25 s");
	on_chat("Echo: hi");
	assert_null(strstr(chat_text(), "arguments:"));
	key("F7");
	on_chat("arguments:");
	on_chat("\"text\": \"hi\"");
	key("F7");
	assert_null(strstr(chat_text(), "arguments:"));
	/* Enter on the selected result unfolds that one */
	key("M-s");
	key("Up");
	key("Enter");
	assert_int_equal(C.mode, MODE_SELECT);
	on_chat("arguments:");
	key("Enter");
	assert_null(strstr(chat_text(), "arguments:"));
	key("Esc");
	/* once was for that call: the next one is asked again */
	ask_tool("fake__echo", "{}");
	assert_int_equal(C.mode, MODE_TOOLS);
}

static void test_tools_deny_and_stop(void **state)
{
	(void)state;
	ask_tool("fake__rm", "{\"path\":\"/\"}");
	int started = sh.started;
	key("d");
	assert_int_equal(sh.tool_runs, 0);
	const struct hist_msg *res = last_msg(1);
	assert_string_equal(res->content, "The call was not run: the user denied it.");
	assert_int_equal(res->tool_error, 1);
	assert_int_equal(sh.started, started + 1); /* the model is told */
	end_stream(HIST_COMPLETE, NULL);
	on_chat("\xe2\x9a\x99 fake/rm \xe2\x9c\x97");
	/* two calls, Esc at the first: neither runs, no answer follows */
	type("two");
	key("Enter");
	const char *names[] = {"fake__rm", "fake__echo"}, *args[] = {"{}", "{}"};
	answer_calls(names, args, 2);
	started = sh.started;
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(sh.tool_runs, 0);
	assert_int_equal(sh.started, started);
	assert_null(ST());
	assert_false(C.tools->active);
	assert_string_equal(last_msg(0)->content, "The call was not run: the user stopped the turn.");
	assert_string_equal(last_msg(1)->content, "The call was not run: the user stopped the turn.");
	assert_non_null(strstr(C.message, "stopped"));
	/* Esc while a call runs: it is stopped (the shell answers), the rest not run */
	type("three");
	key("Enter");
	answer_calls(names, args, 2);
	key("o");
	assert_int_equal(sh.tool_runs, 1);
	key("Esc");
	assert_int_equal(sh.tool_stops, 1);
	started = sh.started;
	shell(ctl_tool_done(&C, "The call was stopped by the user.", 1, 0, now, wall));
	assert_false(C.tools->active);
	assert_int_equal(sh.started, started);
	assert_string_equal(last_msg(0)->content, "The call was not run: the user stopped the turn.");
	/* a call to a tool nobody offers is answered without asking */
	type("four");
	key("Enter");
	const char *none = "nope", *noargs = "{}";
	answer_calls(&none, &noargs, 1);
	assert_int_equal(C.mode, MODE_CHAT);
	assert_string_equal(last_msg(1)->content, "error: there is no tool named nope");
	assert_non_null(ST());
	end_stream(HIST_COMPLETE, NULL);
}

static void test_tools_conversation_always_rounds(void **state)
{
	(void)state;
	ask_tool("fake__echo", "{}");
	key("t"); /* this tool, for this conversation */
	assert_int_equal(sh.tool_runs, 1);
	shell(ctl_tool_done(&C, "ok", 0, 0, now, wall));
	/* round 2 of the turn: allowed, it runs without asking */
	const char *name = "fake__echo", *args = "{}";
	answer_calls(&name, &args, 1);
	assert_int_equal(sh.tool_runs, 2);
	shell(ctl_tool_done(&C, "ok", 0, 0, now, wall));
	/* round 3: past tools.max_rounds (2), its calls are not run */
	int started = sh.started;
	answer_calls(&name, &args, 1);
	assert_int_equal(sh.tool_runs, 2);
	assert_int_equal(sh.started, started);
	assert_false(C.tools->active);
	on_chat("stopped after 2 rounds");
	/* "always": the shell saves it, the call runs */
	const char *rm = "fake__rm";
	type("again");
	key("Enter");
	answer_calls(&rm, &args, 1);
	assert_int_equal(C.mode, MODE_TOOLS);
	key("a");
	assert_int_equal(sh.always, 1);
	assert_string_equal(C.tools->always->tool, "rm");
	assert_int_equal(sh.tool_runs, 3);
	shell(ctl_tool_done(&C, "removed", 0, 0, now, wall));
	end_stream(HIST_COMPLETE, NULL);
	/* another conversation has its own servers: none */
	key("C-n");
	assert_int_equal(ctl_tools_count(&C), 0);
	type("/tools fake off");
	key("Enter");
	assert_false(ctl_tools_enabled(&C, "fake"));
	type("/tools nosuch on");
	key("Enter");
	assert_non_null(strstr(C.message, "no MCP server named"));
}

/* Two models asked at once, both calling tools: the first answer's calls are asked
 * about, the other's are not run meanwhile. */
static void test_tools_one_turn_at_a_time(void **state)
{
	(void)state;
	type("/tools fake on");
	key("Enter");
	type("@fo/a @fo/b both");
	key("Enter");
	assert_int_equal(C.nstreams, 2);
	unsigned long first = C.streams[0]->id, second = C.streams[1]->id;
	const char *name = "fake__echo", *args = "{}";
	calls_on(first, &name, &args, 1);
	end_id(first, HIST_COMPLETE, NULL);
	assert_int_equal(C.mode, MODE_TOOLS);
	calls_on(second, &name, &args, 1);
	end_id(second, HIST_COMPLETE, NULL);
	assert_non_null(strstr(C.message, "one tool turn at a time"));
	assert_int_equal(C.mode, MODE_TOOLS);
	key("o");
	shell(ctl_tool_done(&C, "ok", 0, 0, now, wall));
	assert_int_equal(C.nstreams, 1); /* the first model answers again */
	end_stream(HIST_COMPLETE, NULL);
	assert_false(C.tools->active);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tools_allow_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tools_deny_and_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tools_conversation_always_rounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tools_one_turn_at_a_time, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
