/* test_chat_tools: tool calls and results in the conversation: saved as their own
 * messages, written to the file (version 3) and read back the same, and sent again in
 * a kind's dialect when the conversation continues; unanswered calls are not sent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cherry/chat.h"
#include "cherry/history.h"
#include "cherry/wire.h"

static void make_call(struct wire_call *c, const char *id, const char *name, const char *args)
{
	memset(c, 0, sizeof *c);
	c->id = (char *)id;
	c->name = (char *)name;
	c->args.data = (char *)args;
	c->args.len = strlen(args);
}

/* user -> answer with text and two calls -> two results -> the next answer. */
static void build(struct chat *c, size_t *next, int answer_all)
{
	struct err e;
	size_t a, r1, r2 = 0;
	assert_int_equal(chat_new(c, NULL, 100.0, &e), 0);
	assert_int_equal(chat_send(c, "read /tmp/a", "fa", "m", 100.0, &a, &e), 0);
	chat_delta(c, a, "Let me look.", 12, 0, 100.5);
	struct wire_call calls[2];
	make_call(&calls[0], "toolu_A", "fs__read_file", "{\"path\": \"/tmp/a\"}");
	make_call(&calls[1], WIRE_OWN_ID_PREFIX "1", "t__ping", "{}");
	assert_int_equal(chat_add_calls(c, a, calls, 2, "[{\"type\":\"reasoning\",\"id\":\"rs_1\"}]",
					101.0, &e), 0);
	assert_int_equal(chat_finish(c, a, HIST_COMPLETE, NULL, NULL, -1, 101.0, &e), 0);
	assert_int_equal(chat_add_result(c, a, "toolu_A", "fs__read_file", "hello", 0, 0, 102.0,
					 &r1, &e), 0);
	if (answer_all)
		assert_int_equal(chat_add_result(c, r1, c->conv.msgs[a].calls[1].id, "t__ping",
						 "denied by the user", 1, 0, 102.0, &r2, &e), 0);
	assert_int_equal(chat_answer_after(c, answer_all ? r2 : r1, "fa", "m", 103.0, next, &e), 0);
}

static void test_ids_unique(void **state)
{
	(void)state;
	struct chat c;
	size_t next;
	build(&c, &next, 1);
	const struct hist_msg *a = &c.conv.msgs[1];
	assert_int_equal(a->ncalls, 2);
	assert_string_equal(a->calls[0].id, "toolu_A");
	/* a made-up id is renamed by its message: unique in the conversation */
	char want[64];
	snprintf(want, sizeof want, WIRE_OWN_ID_PREFIX "%s_1", a->id);
	assert_string_equal(a->calls[1].id, want);
	chat_close(&c);
}

static void test_file_round_trip(void **state)
{
	(void)state;
	struct chat c;
	size_t next;
	build(&c, &next, 1);
	struct buf out = BUF_INIT, again = BUF_INIT;
	snprintf(c.conv.id, sizeof c.conv.id, "c1"); /* never saved: it has none */
	assert_int_equal(hist_to_json(&c.conv, &out), 0);
	json_error_t jerr;
	json_t *root = json_loads(out.data, 0, &jerr);
	assert_int_equal(json_integer_value(json_object_get(root, "version")), 3);
	json_t *msgs = json_object_get(root, "messages");
	json_t *calls = json_object_get(json_array_get(msgs, 1), "tool_calls");
	/* the arguments are an object in the file, to be read */
	json_t *want = json_loads("[{\"id\":\"toolu_A\",\"name\":\"fs__read_file\",\"arguments\":"
				  "{\"path\":\"/tmp/a\"}},{\"id\":\"cherry_m2_1\",\"name\":"
				  "\"t__ping\",\"arguments\":{}}]", 0, &jerr);
	assert_true(json_equal(calls, want));
	json_t *items = json_object_get(json_array_get(msgs, 1), "provider_items");
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "id")),
			    "rs_1");
	json_t *res = json_array_get(msgs, 3);
	assert_string_equal(json_string_value(json_object_get(res, "role")), "tool");
	assert_string_equal(json_string_value(json_object_get(res, "tool_call_id")), "cherry_m2_1");
	assert_true(json_is_true(json_object_get(res, "is_error")));
	json_decref(want);
	json_decref(root);

	struct hist_conv back;
	struct err e;
	if (hist_from_json(out.data, out.len, &back, &e) != HIST_LOAD_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(hist_to_json(&back, &again), 0);
	assert_string_equal(again.data, out.data);
	assert_string_equal(back.msgs[2].tool_name, "fs__read_file");
	assert_int_equal(back.msgs[3].tool_error, 1);
	hist_conv_free(&back);
	buf_free(&out);
	buf_free(&again);
	chat_close(&c);
}

static void test_bad_tool_members(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"\"tool_calls\":{}", "\"tool_calls\":[{\"id\":1,\"name\":\"x\"}]",
		"\"tool_call_id\":7", "\"tool_call_id\":\"a\",\"is_error\":\"yes\"",
		"\"tool_call_id\":\"a\",\"truncated_from\":-1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char text[600];
		snprintf(text, sizeof text, "{\"version\":3,\"id\":\"c1\",\"current\":\"m1\","
			 "\"messages\":[{\"id\":\"m1\",\"role\":\"tool\",\"content\":\"x\",%s}]}",
			 bad[i]);
		struct hist_conv cv;
		struct err e;
		assert_int_equal(hist_from_json(text, strlen(text), &cv, &e), HIST_LOAD_CORRUPT);
		assert_non_null(strstr(e.msg, "message m1 has a bad"));
	}
}

/* The continued conversation, sent to Anthropic: calls as tool_use blocks, both results
 * in one user message. */
static void test_sent_again(void **state)
{
	(void)state;
	struct chat c;
	size_t next;
	build(&c, &next, 1);
	struct chat_request r;
	assert_int_equal(chat_request_full(&c, next, &r), 0);
	assert_int_equal(r.n, 4);
	/* the items go back to the provider that made them */
	assert_string_equal(r.extra[1].items, "[{\"type\":\"reasoning\",\"id\":\"rs_1\"}]");
	struct provider p = {.name = (char *)"fa", .kind = WIRE_ANTHROPIC,
			     .base_url = (char *)"https://api.anthropic.com"};
	struct wire_request rq = {.provider = &p, .model = "m", .msgs = r.msgs, .nmsgs = r.n,
				  .msg_tools = r.extra};
	struct wire_http h;
	struct err e;
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	json_error_t jerr;
	json_t *body = json_loads(h.body.data, 0, &jerr);
	json_t *want = json_loads(
		"[{\"role\":\"user\",\"content\":\"read /tmp/a\"},{\"role\":\"assistant\",\"content\":"
		"[{\"type\":\"text\",\"text\":\"Let me look.\"},{\"type\":\"tool_use\",\"id\":"
		"\"toolu_A\",\"name\":\"fs__read_file\",\"input\":{\"path\":\"/tmp/a\"}},{\"type\":"
		"\"tool_use\",\"id\":\"cherry_m2_1\",\"name\":\"t__ping\",\"input\":{}}]},{\"role\":"
		"\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_A\","
		"\"content\":\"hello\"},{\"type\":\"tool_result\",\"tool_use_id\":\"cherry_m2_1\","
		"\"content\":\"denied by the user\",\"is_error\":true}]}]", 0, &jerr);
	assert_true(json_equal(json_object_get(body, "messages"), want));
	json_decref(want);
	json_decref(body);
	wire_http_free(&h);
	chat_request_free(&r);
	/* continued with another provider: the calls go, its opaque items stay home */
	size_t other;
	assert_int_equal(chat_answer_after(&c, 3, "fo", "m", 104.0, &other, &e), 0);
	assert_int_equal(chat_request_full(&c, other, &r), 0);
	assert_int_equal(r.extra[1].ncalls, 2);
	assert_null(r.extra[1].items);
	chat_request_free(&r);
	chat_close(&c);
}

/* A run that died between the calls and their results: the calls are not sent (the
 * provider would refuse them unanswered), the result that came goes as text. */
static void test_unanswered_calls_not_sent(void **state)
{
	(void)state;
	struct chat c;
	size_t next;
	build(&c, &next, 0);
	struct chat_request r;
	assert_int_equal(chat_request_full(&c, next, &r), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.extra[1].ncalls, 0);
	assert_null(r.extra[1].items);
	assert_null(r.extra[2].call_id);
	/* and a branch without tools has no extra at all */
	chat_request_free(&r);
	chat_close(&c);
	struct err e;
	size_t a;
	assert_int_equal(chat_new(&c, NULL, 1.0, &e), 0);
	assert_int_equal(chat_send(&c, "hi", "fa", "m", 1.0, &a, &e), 0);
	assert_int_equal(chat_request_full(&c, a, &r), 0);
	assert_int_equal(r.n, 1);
	assert_null(r.extra);
	chat_request_free(&r);
	chat_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_unique),
		cmocka_unit_test(test_file_round_trip),
		cmocka_unit_test(test_bad_tool_members),
		cmocka_unit_test(test_sent_again),
		cmocka_unit_test(test_unanswered_calls_not_sent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
