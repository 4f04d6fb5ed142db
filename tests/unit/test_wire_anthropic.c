/* test_wire_anthropic: the Anthropic Messages request builder, stream decoder, errors, models. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/sse.h"
#include "cherry/wire.h"
#include "wiretest.h"

static struct provider prov = {
	.name = (char *)"anthropic",
	.kind = WIRE_ANTHROPIC,
	.base_url = (char *)"https://api.anthropic.com",
};

/* ---- helpers ---- */

static int setup(void **state)
{
	*state = wt_new(WIRE_ANTHROPIC, "anthropic");
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	wt_free(*state);
	return 0;
}

static int feed(struct fixture *f, const char *type, const char *data)
{
	return wire_stream_event(&f->st, type, data, strlen(data), &f->sink);
}

/* (event, data) pairs, NULL-terminated. */
static void feed_all(struct fixture *f, const char *const *pairs)
{
	for (size_t i = 0; pairs[i]; i += 2)
		assert_int_equal(feed(f, pairs[i], pairs[i + 1]), 0);
}

/* Replays a raw body through the SSE parser in chunks of at most step bytes. */
static void replay(struct fixture *f, const char *body, size_t step)
{
	assert_int_equal(wt_replay_sse(f, body, strlen(body), step), 0);
}

/* ---- request builder ---- */

static const struct wire_msg three_turns[] = {
	{"user", "Hi"},
	{"assistant", "Hello!"},
	{"user", "What is 2+2?"},
};

static void test_build_full(void **state)
{
	(void)state;
	struct wire_request rq = {
		.provider = &prov,
		.model = "claude-sonnet-4-5",
		.system = "You are terse.",
		.msgs = three_turns,
		.nmsgs = 3,
		.has_temperature = 1,
		.temperature = 0.5,
		.max_tokens = 1024,
	};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.url.data, "https://api.anthropic.com/v1/messages");
	assert_int_equal(h.nheaders, 3);
	assert_string_equal(h.headers[0], "Content-Type: application/json");
	assert_string_equal(h.headers[1], "anthropic-version: 2023-06-01");
	assert_string_equal(h.headers[2], "Accept: text/event-stream");
	assert_string_equal(h.auth_prefix, "x-api-key: ");
	assert_int_equal(h.framing, WIRE_SSE);
	assert_string_equal(h.body.data, "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,"
					 "\"system\":\"You are terse.\",\"messages\":["
					 "{\"role\":\"user\",\"content\":\"Hi\"},"
					 "{\"role\":\"assistant\",\"content\":\"Hello!\"},"
					 "{\"role\":\"user\",\"content\":\"What is 2+2?\"}],"
					 "\"temperature\":0.5,\"stream\":true}");
	assert_int_equal(h.body.len, strlen(h.body.data));
	wire_http_free(&h);
}

static void test_build_minimal(void **state)
{
	(void)state;
	struct provider local = prov;
	local.base_url = (char *)"http://127.0.0.1:8080/";
	const struct wire_msg one[] = {{"user", "Hi"}};
	struct wire_request rq = {
		.provider = &local, .model = "claude-3-5-haiku", .msgs = one, .nmsgs = 1};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.url.data, "http://127.0.0.1:8080/v1/messages");
	/* max_tokens is required by the API: the default fills in. */
	assert_string_equal(h.body.data,
			    "{\"model\":\"claude-3-5-haiku\",\"max_tokens\":8192,\"messages\":["
			    "{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}");
	wire_http_free(&h);
}

static void test_build_escapes_and_temperature_as_given(void **state)
{
	(void)state;
	const struct wire_msg one[] = {{"user", "say \"hi\"\n\tand caf\xc3\xa9 \\"}};
	struct wire_request rq = {.provider = &prov,
				  .model = "m",
				  .msgs = one,
				  .nmsgs = 1,
				  .has_temperature = 1,
				  .temperature = 1.5,
				  .max_tokens = 7};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.body.data,
			    "{\"model\":\"m\",\"max_tokens\":7,\"messages\":[{\"role\":\"user\","
			    "\"content\":\"say \\\"hi\\\"\\n\\tand caf\xc3\xa9 \\\\\"}],"
			    "\"temperature\":1.5,\"stream\":true}");
	wire_http_free(&h);
}

static void test_build_rejects_bad_utf8_and_no_model(void **state)
{
	(void)state;
	const struct wire_msg bad[] = {{"user", "\xff\xfe"}};
	struct wire_request rq = {.provider = &prov, .model = "m", .msgs = bad, .nmsgs = 1};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), -1);
	assert_string_equal(
		e.msg, "anthropic: cannot encode the request (invalid UTF-8 or out of memory)");
	assert_null(h.url.data);
	assert_null(h.body.data);

	rq.msgs = three_turns;
	rq.model = "";
	err_clear(&e);
	assert_int_equal(wire_build_request(&rq, &h, &e), -1);
	assert_string_equal(e.msg, "anthropic: no model given");
	assert_int_equal(e.code, EXIT_USAGE);
}

static void test_models_request(void **state)
{
	(void)state;
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_models_request(&prov, &h, &e), 0);
	assert_string_equal(h.url.data, "https://api.anthropic.com/v1/models?limit=1000");
	assert_int_equal(h.nheaders, 1);
	assert_string_equal(h.headers[0], "anthropic-version: 2023-06-01");
	assert_string_equal(h.auth_prefix, "x-api-key: ");
	assert_int_equal(h.body.len, 0);
	wire_http_free(&h);
}

/* ---- stream: the documented examples ---- */

static const char *const docs_basic[] = {
	"message_start",
	"{\"type\": \"message_start\", \"message\": {\"id\": "
	"\"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY\", "
	"\"type\": \"message\", \"role\": \"assistant\", \"content\": [], \"model\": "
	"\"claude-3-7-sonnet-20250219\", \"stop_reason\": null, \"stop_sequence\": null, "
	"\"usage\": "
	"{\"input_tokens\": 25, \"output_tokens\": 1}}}",
	"content_block_start",
	"{\"type\": \"content_block_start\", \"index\": 0, \"content_block\": {\"type\": \"text\", "
	"\"text\": \"\"}}",
	"ping",
	"{\"type\": \"ping\"}",
	"content_block_delta",
	"{\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": \"text_delta\", "
	"\"text\": \"Hello\"}}",
	"content_block_delta",
	"{\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": \"text_delta\", "
	"\"text\": \"!\"}}",
	"content_block_stop",
	"{\"type\": \"content_block_stop\", \"index\": 0}",
	"message_delta",
	"{\"type\": \"message_delta\", \"delta\": {\"stop_reason\": \"end_turn\", "
	"\"stop_sequence\":null}, \"usage\": {\"output_tokens\": 15}}",
	"message_stop",
	"{\"type\": \"message_stop\"}",
	NULL,
};

static void check_docs_basic(struct fixture *f)
{
	assert_string_equal(text_of(&f->cap.text), "Hello!");
	assert_string_equal(text_of(&f->cap.reasoning), "");
	assert_int_equal(f->cap.text_calls, 2);
	assert_int_equal(f->st.text_bytes, 6);
	assert_int_equal(f->st.usage.input, 25);
	assert_int_equal(f->st.usage.output, 15);
	assert_int_equal(f->st.usage.cached, -1);
	assert_int_equal(f->st.usage.reasoning, -1);
	assert_int_equal(f->st.finish, WIRE_FINISH_STOP);
	assert_string_equal(f->st.finish_raw, "end_turn");
	assert_int_equal(f->st.done, 1);
	assert_int_equal(f->st.failed, 0);
	assert_int_equal(f->st.tool_call, 0);
	assert_null(wire_finish_note(&f->st));
}

static void test_docs_basic_events(void **state)
{
	struct fixture *f = *state;
	feed_all(f, docs_basic);
	check_docs_basic(f);
}

/* The same stream as bytes on the wire, in one piece and one byte at a time. */
static const char docs_basic_body[] =
	"event: message_start\n"
	"data: {\"type\": \"message_start\", \"message\": {\"id\": "
	"\"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY\", "
	"\"type\": \"message\", \"role\": \"assistant\", \"content\": [], \"model\": "
	"\"claude-3-7-sonnet-20250219\", \"stop_reason\": null, \"stop_sequence\": null, "
	"\"usage\": "
	"{\"input_tokens\": 25, \"output_tokens\": 1}}}\n"
	"\n"
	"event: content_block_start\n"
	"data: {\"type\": \"content_block_start\", \"index\": 0, \"content_block\": {\"type\": "
	"\"text\", "
	"\"text\": \"\"}}\n"
	"\n"
	"event: ping\n"
	"data: {\"type\": \"ping\"}\n"
	"\n"
	"event: content_block_delta\n"
	"data: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": "
	"\"text_delta\", "
	"\"text\": \"Hello\"}}\n"
	"\n"
	"event: content_block_delta\n"
	"data: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": "
	"\"text_delta\", "
	"\"text\": \"!\"}}\n"
	"\n"
	"event: content_block_stop\n"
	"data: {\"type\": \"content_block_stop\", \"index\": 0}\n"
	"\n"
	"event: message_delta\n"
	"data: {\"type\": \"message_delta\", \"delta\": {\"stop_reason\": \"end_turn\", "
	"\"stop_sequence\":null}, \"usage\": {\"output_tokens\": 15}}\n"
	"\n"
	"event: message_stop\n"
	"data: {\"type\": \"message_stop\"}\n"
	"\n";

static void test_docs_basic_sse(void **state)
{
	struct fixture *f = *state;
	replay(f, docs_basic_body, sizeof docs_basic_body);
	check_docs_basic(f);
}

static void test_docs_basic_sse_bytewise(void **state)
{
	struct fixture *f = *state;
	replay(f, docs_basic_body, 1);
	check_docs_basic(f);
}

static const char *const docs_thinking[] = {
	"message_start",
	"{\"type\": \"message_start\", \"message\": {\"id\": \"msg_01...\", \"type\": \"message\", "
	"\"role\": \"assistant\", \"content\": [], \"model\": \"claude-3-7-sonnet-20250219\", "
	"\"stop_reason\": null, \"stop_sequence\": null}}",
	"content_block_start",
	"{\"type\": \"content_block_start\", \"index\": 0, \"content_block\": {\"type\": "
	"\"thinking\", "
	"\"thinking\": \"\"}}",
	"content_block_delta",
	"{\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": "
	"\"thinking_delta\", "
	"\"thinking\": \"Let me solve this step by step:\\n\\n1. First break down 27 * 453\"}}",
	"content_block_delta",
	"{\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": "
	"\"thinking_delta\", "
	"\"thinking\": \"\\n2. 453 = 400 + 50 + 3\"}}",
	"content_block_delta",
	"{\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": "
	"\"signature_delta\", "
	"\"signature\": \"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...\"}}",
	"content_block_stop",
	"{\"type\": \"content_block_stop\", \"index\": 0}",
	"content_block_start",
	"{\"type\": \"content_block_start\", \"index\": 1, \"content_block\": {\"type\": \"text\", "
	"\"text\": \"\"}}",
	"content_block_delta",
	"{\"type\": \"content_block_delta\", \"index\": 1, \"delta\": {\"type\": \"text_delta\", "
	"\"text\": \"27 * 453 = 12,231\"}}",
	"content_block_stop",
	"{\"type\": \"content_block_stop\", \"index\": 1}",
	"message_delta",
	"{\"type\": \"message_delta\", \"delta\": {\"stop_reason\": \"end_turn\", "
	"\"stop_sequence\": null}}",
	"message_stop",
	"{\"type\": \"message_stop\"}",
	NULL,
};

static void test_docs_thinking(void **state)
{
	struct fixture *f = *state;
	/* Stop before the text block to see the thinking-block flag. */
	for (size_t i = 0; i < 10; i += 2)
		assert_int_equal(feed(f, docs_thinking[i], docs_thinking[i + 1]), 0);
	assert_int_equal(f->st.block_thinking, 1);
	assert_int_equal(f->st.text_bytes, 0);
	for (size_t i = 10; docs_thinking[i]; i += 2)
		assert_int_equal(feed(f, docs_thinking[i], docs_thinking[i + 1]), 0);
	assert_int_equal(f->st.block_thinking, 0);
	assert_string_equal(text_of(&f->cap.reasoning),
			    "Let me solve this step by step:\n\n1. First break down 27 * 453"
			    "\n2. 453 = 400 + 50 + 3");
	assert_string_equal(text_of(&f->cap.text), "27 * 453 = 12,231");
	assert_int_equal(f->st.text_bytes, 17);
	/* This example carries no usage at all: unknown, not zero. */
	assert_int_equal(f->st.usage.input, -1);
	assert_int_equal(f->st.usage.output, -1);
	assert_int_equal(f->st.finish, WIRE_FINISH_STOP);
	assert_int_equal(f->st.done, 1);
	assert_int_equal(f->st.failed, 0);
}

/* The [docs] mid-stream error, after some text. */
static void test_error_event_mid_stream(void **state)
{
	struct fixture *f = *state;
	for (size_t i = 0; i < 8; i += 2) /* up to and including "Hello" */
		assert_int_equal(feed(f, docs_basic[i], docs_basic[i + 1]), 0);
	assert_int_equal(feed(f, "error",
			      "{\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
			      "\"message\": \"Overloaded\"}}"),
			 0);
	assert_int_equal(f->st.failed, 1);
	assert_string_equal(f->st.error.data, "anthropic: overloaded_error: Overloaded");
	assert_int_equal(f->st.finish, WIRE_FINISH_ERROR);
	assert_string_equal(f->st.finish_raw, "overloaded_error");
	assert_int_equal(f->st.done, 0);
	assert_string_equal(text_of(&f->cap.text), "Hello");
	assert_int_equal(f->st.usage.input, 25);
}

static void test_error_event_first(void **state)
{
	struct fixture *f = *state;
	replay(f,
	       "event: error\n"
	       "data: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
	       "\"message\": \"Overloaded\"}}\n\n",
	       4096);
	assert_int_equal(f->st.failed, 1);
	assert_string_equal(f->st.error.data, "anthropic: overloaded_error: Overloaded");
	assert_int_equal(f->st.done, 0);
	assert_int_equal(f->st.text_bytes, 0);
}

static void test_error_event_odd_shapes(void **state)
{
	struct fixture *f = *state;
	/* An error event whose data is not JSON is still an error. */
	assert_int_equal(feed(f, "error", "upstream\nbroke"), 0);
	assert_int_equal(f->st.failed, 1);
	assert_string_equal(f->st.error.data, "anthropic: unreadable error event: upstream broke");
	/* The first error is the one kept. */
	assert_int_equal(
		feed(f, "error", "{\"type\":\"error\",\"error\":{\"type\":\"api_error\"}}"), 0);
	assert_string_equal(f->st.error.data, "anthropic: unreadable error event: upstream broke");
	assert_int_equal(f->st.finish, WIRE_FINISH_ERROR);
	assert_string_equal(f->st.finish_raw, "error");
	assert_int_equal(feed(f, "error", "garbage again"), 0);
	assert_string_equal(f->st.error.data, "anthropic: unreadable error event: upstream broke");
}

static void test_error_event_message_only(void **state)
{
	struct fixture *f = *state;
	/* A "message" event whose data says error counts too. */
	assert_int_equal(
		feed(f, "message",
		     "{\"type\":\"error\",\"error\":{\"message\":\"Internal server error\"}}"),
		0);
	assert_string_equal(f->st.error.data, "anthropic: Internal server error");
}

static void test_truncated(void **state)
{
	struct fixture *f = *state;
	/* Everything up to the first text delta, then the connection drops. */
	for (size_t i = 0; i < 8; i += 2)
		assert_int_equal(feed(f, docs_basic[i], docs_basic[i + 1]), 0);
	assert_int_equal(f->st.done, 0);
	assert_int_equal(f->st.finish, WIRE_FINISH_NONE);
	assert_int_equal(f->st.failed, 0);
	assert_string_equal(text_of(&f->cap.text), "Hello");
}

static void test_truncated_after_message_delta(void **state)
{
	struct fixture *f = *state;
	/* Drop the message_stop: the stop reason is known but the stream did not end. */
	for (size_t i = 0; i < 14; i += 2)
		assert_int_equal(feed(f, docs_basic[i], docs_basic[i + 1]), 0);
	assert_int_equal(f->st.finish, WIRE_FINISH_STOP);
	assert_int_equal(f->st.done, 0);
}

static void test_truncated_sse_without_blank_line(void **state)
{
	struct fixture *f = *state;
	/* message_stop without its terminating blank line is never dispatched. */
	const char body[] =
		"event: content_block_delta\n"
		"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
		"\"text_delta\",\"text\":\"Hi\"}}\n\n"
		"event: message_stop\n"
		"data: {\"type\":\"message_stop\"}\n";
	replay(f, body, 7);
	assert_string_equal(text_of(&f->cap.text), "Hi");
	assert_int_equal(f->st.done, 0);
}

static void test_unknown_and_garbage_ignored(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(feed(f, "future_event", "{\"type\":\"future_event\",\"text\":\"no\"}"), 0);
	assert_int_equal(feed(f, "ping", "{\"type\": \"ping\"}"), 0);
	assert_int_equal(feed(f, "content_block_delta", "not json at all"), -1);
	assert_int_equal(feed(f, "content_block_delta", "[1,2]"), -1);
	assert_int_equal(feed(f, "content_block_delta", ""), -1);
	assert_int_equal(
		feed(f, "content_block_delta",
		     "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"future_delta\","
		     "\"text\":\"no\"}}"),
		0);
	assert_int_equal(
		feed(f, "content_block_delta",
		     "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\","
		     "\"text\":42}}"),
		0);
	assert_int_equal(
		feed(f, "content_block_delta",
		     "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"citations_delta\","
		     "\"citation\":{\"cited_text\":\"no\"}}}"),
		0);
	/* The stream goes on after all that. */
	assert_int_equal(feed(f, "content_block_delta",
			      "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
			      "\"text_delta\",\"text\":\"yes\"}}"),
			 0);
	assert_string_equal(text_of(&f->cap.text), "yes");
	assert_int_equal(f->st.failed, 0);
	assert_int_equal(f->st.done, 0);
	assert_int_equal(f->st.finish, WIRE_FINISH_NONE);
}

static void test_event_name_from_sse_when_data_has_no_type(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(feed(f, "content_block_delta",
			      "{\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}"),
			 0);
	assert_int_equal(feed(f, "message_stop", "{}"), 0);
	assert_string_equal(text_of(&f->cap.text), "ok");
	assert_int_equal(f->st.done, 1);
}

static void test_cache_usage(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(
		feed(f, "message_start",
		     "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":10,"
		     "\"cache_creation_input_tokens\":20,\"cache_read_input_tokens\":300,"
		     "\"output_tokens\":1}}}"),
		0);
	assert_int_equal(f->st.usage.input, 330);
	assert_int_equal(f->st.usage.cached, 300);
	assert_int_equal(f->st.usage.output, 1);
	/* Output counts are cumulative: the last one wins, they are not summed. */
	assert_int_equal(
		feed(f, "message_delta",
		     "{\"type\":\"message_delta\",\"delta\":{},\"usage\":{\"output_tokens\":5}}"),
		0);
	assert_int_equal(
		feed(f, "message_delta",
		     "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},"
		     "\"usage\":{\"output_tokens\":7}}"),
		0);
	assert_int_equal(f->st.usage.output, 7);
	assert_int_equal(f->st.usage.input, 330);
	/* A later snapshot that restates the input replaces it. */
	assert_int_equal(
		feed(f, "message_delta",
		     "{\"type\":\"message_delta\",\"delta\":{},\"usage\":{\"input_tokens\":12,"
		     "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":320,"
		     "\"output_tokens\":9}}"),
		0);
	assert_int_equal(f->st.usage.input, 332);
	assert_int_equal(f->st.usage.cached, 320);
	assert_int_equal(f->st.usage.output, 9);
	assert_int_equal(f->st.finish, WIRE_FINISH_LENGTH);
	assert_string_equal(wire_finish_note(&f->st), "cut short by the length limit");
}

static void test_stop_reasons(void **state)
{
	(void)state;
	static const struct {
		const char *raw;
		enum wire_finish finish;
	} cases[] = {
		{"end_turn", WIRE_FINISH_STOP},
		{"stop_sequence", WIRE_FINISH_STOP},
		{"max_tokens", WIRE_FINISH_LENGTH},
		{"model_context_window_exceeded", WIRE_FINISH_LENGTH},
		{"tool_use", WIRE_FINISH_TOOL},
		{"refusal", WIRE_FINISH_REFUSAL},
		{"pause_turn", WIRE_FINISH_OTHER},
		{"something_new", WIRE_FINISH_OTHER},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct wire_stream st;
		char data[200];
		wire_stream_init(&st, WIRE_ANTHROPIC, "anthropic");
		snprintf(data, sizeof data,
			 "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"%s\"},"
			 "\"usage\":{\"output_tokens\":3}}",
			 cases[i].raw);
		assert_int_equal(wire_stream_event(&st, "message_delta", data, strlen(data), NULL),
				 0);
		assert_int_equal(st.finish, cases[i].finish);
		assert_string_equal(st.finish_raw, cases[i].raw);
		assert_int_equal(st.usage.output, 3);
		wire_stream_free(&st);
	}
}

static void test_tool_use_block(void **state)
{
	struct fixture *f = *state;
	static const char *const events[] = {
		"content_block_start",
		"{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_"
		"use\","
		"\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{}}}",
		"content_block_delta",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_"
		"delta\","
		"\"partial_json\":\"\"}}",
		"content_block_delta",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_"
		"delta\","
		"\"partial_json\":\"{\\\"location\\\": \\\"Paris\\\"}\"}}",
		"content_block_stop",
		"{\"type\":\"content_block_stop\",\"index\":0}",
		"message_delta",
		"{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
		"\"usage\":{\"output_tokens\":40}}",
		"message_stop",
		"{\"type\":\"message_stop\"}",
		NULL,
	};
	feed_all(f, events);
	assert_int_equal(f->st.tool_call, 1);
	assert_int_equal(f->st.text_bytes, 0);
	assert_string_equal(text_of(&f->cap.text), "");
	assert_int_equal(f->st.finish, WIRE_FINISH_TOOL);
	assert_string_equal(wire_finish_note(&f->st),
			    "the model asked to call a tool; cherry does not run tools yet");
	assert_int_equal(f->st.done, 1);
}

static void test_redacted_thinking(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(
		feed(f, "content_block_start",
		     "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":"
		     "\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix\"}}"),
		0);
	assert_int_equal(f->st.block_thinking, 1);
	assert_string_equal(text_of(&f->cap.reasoning), "");
	assert_string_equal(text_of(&f->cap.text), "");
	assert_int_equal(
		feed(f, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"), 0);
	assert_int_equal(f->st.block_thinking, 0);
}

static void test_refusal_and_no_sink(void **state)
{
	(void)state;
	struct wire_stream st;
	wire_stream_init(&st, WIRE_ANTHROPIC, "anthropic");
	const char *d = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
			"\"text_delta\",\"text\":\"abc\"}}";
	/* Without a sink the text is still counted. */
	assert_int_equal(wire_stream_event(&st, "content_block_delta", d, strlen(d), NULL), 0);
	assert_int_equal(st.text_bytes, 3);
	d = "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"refusal\"},"
	    "\"usage\":{\"output_tokens\":2}}";
	assert_int_equal(wire_stream_event(&st, "message_delta", d, strlen(d), NULL), 0);
	assert_int_equal(st.finish, WIRE_FINISH_REFUSAL);
	assert_string_equal(wire_finish_note(&st), "the model refused");
	wire_stream_free(&st);
}

/* A refusal with no content block at all: stop_details' explanation is the note, through
 * the real SSE parser; a bare error body (no event name, no "type") is still an error. */
static void test_refusal_explained_without_content(void **state)
{
	struct fixture *f = *state;
	static const char body[] =
		"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":"
		"\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
		"\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n"
		"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
		"\"refusal\",\"stop_sequence\":null,\"stop_details\":{\"type\":\"refusal\","
		"\"category\":\"cyber\",\"explanation\":\"This request was declined because it "
		"could enable cyber harm.\"}},\"usage\":{\"output_tokens\":0}}\n\n"
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
	assert_int_equal(wt_replay_sse(f, body, strlen(body), 5), 0);
	assert_int_equal(f->rejected, 0);
	assert_string_equal(text_of(&f->cap.text), "");
	assert_int_equal(f->st.finish, WIRE_FINISH_REFUSAL);
	assert_int_equal(f->st.failed, 0);
	assert_string_equal(wire_finish_note(&f->st), "the model refused (cyber): This request "
			    "was declined because it could enable cyber harm.");

	struct wire_stream st;
	wire_stream_init(&st, WIRE_ANTHROPIC, "anthropic");
	const char *d = "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"refusal\"},"
			"\"stop_details\":{\"explanation\":\"Not this.\"}}";
	assert_int_equal(wire_stream_event(&st, "message_delta", d, strlen(d), NULL), 0);
	assert_string_equal(wire_finish_note(&st), "the model refused: Not this.");
	wire_stream_free(&st);

	wire_stream_init(&st, WIRE_ANTHROPIC, "anthropic");
	d = "{\n  \"error\": {\"type\": \"api_error\", \"message\": \"Internal\"}\n}";
	assert_int_equal(wire_stream_event(&st, "raw", d, strlen(d), NULL), 0);
	assert_int_equal(st.failed, 1);
	assert_string_equal(st.error.data, "anthropic: api_error: Internal");
	wire_stream_free(&st);
}

static void test_initial_block_text(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(
		feed(f, "content_block_start",
		     "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":"
		     "\"thinking\",\"thinking\":\"pre\"}}"),
		0);
	assert_int_equal(
		feed(f, "content_block_start",
		     "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":"
		     "\"text\",\"text\":\"lead\"}}"),
		0);
	assert_int_equal(f->st.block_thinking, 0);
	assert_string_equal(text_of(&f->cap.reasoning), "pre");
	assert_string_equal(text_of(&f->cap.text), "lead");
}

/* ---- HTTP errors ---- */

static void error_of(long status, const char *body, struct wire_error *out)
{
	wire_error_from_response(WIRE_ANTHROPIC, "anthropic", status, body, body ? strlen(body) : 0,
				 out);
}

static void test_error_overloaded(void **state)
{
	(void)state;
	struct wire_error we;
	error_of(529,
		 "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
		 "\"Overloaded\"},"
		 "\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}",
		 &we);
	assert_string_equal(we.line, "anthropic: 529 overloaded_error: Overloaded");
	assert_int_equal(we.retryable, 1);
	assert_int_equal(we.key_rejected, 0);
	assert_true(we.retry_after == -1);
}

static void test_error_not_found(void **state)
{
	(void)state;
	struct wire_error we;
	error_of(404,
		 "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"The "
		 "requested "
		 "resource could not be found.\"},\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}",
		 &we);
	assert_string_equal(
		we.line,
		"anthropic: 404 not_found_error: The requested resource could not be found.");
	assert_int_equal(we.retryable, 0);
	assert_int_equal(we.key_rejected, 0);
}

static void test_error_auth(void **state)
{
	(void)state;
	struct wire_error we;
	error_of(401,
		 "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":"
		 "\"invalid "
		 "x-api-key\"},\"request_id\":\"req_1\"}",
		 &we);
	assert_string_equal(we.line, "anthropic: 401 authentication_error: invalid x-api-key");
	assert_int_equal(we.key_rejected, 1);
	assert_int_equal(we.retryable, 0);
	/* The type decides even when the status is unusual. */
	error_of(400,
		 "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":"
		 "\"x\"}}",
		 &we);
	assert_int_equal(we.key_rejected, 1);
}

static void test_error_statuses(void **state)
{
	(void)state;
	struct wire_error we;
	error_of(429,
		 "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":"
		 "\"Number of "
		 "request tokens has exceeded your per-minute rate limit\"}}",
		 &we);
	assert_string_equal(we.line,
			    "anthropic: 429 rate_limit_error: Number of request tokens has "
			    "exceeded your per-minute rate limit");
	assert_int_equal(we.retryable, 1);
	error_of(400,
		 "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":"
		 "\"max_tokens: Field required\"}}",
		 &we);
	assert_string_equal(we.line,
			    "anthropic: 400 invalid_request_error: max_tokens: Field required");
	assert_int_equal(we.retryable, 0);
	assert_int_equal(we.key_rejected, 0);
	error_of(500,
		 "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal "
		 "server error\"}}",
		 &we);
	assert_string_equal(we.line, "anthropic: 500 api_error: Internal server error");
	assert_int_equal(we.retryable, 1);
	/* An overload reported with a status that is not 5xx is still worth a retry. */
	error_of(400,
		 "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
		 "\"Overloaded\"}}",
		 &we);
	assert_int_equal(we.retryable, 1);
	error_of(
		403,
		"{\"type\":\"error\",\"error\":{\"type\":\"permission_error\",\"message\":\"no\"}}",
		&we);
	assert_string_equal(we.line, "anthropic: 403 permission_error: no");
	assert_int_equal(we.key_rejected, 1);
}

static void test_error_other_bodies(void **state)
{
	(void)state;
	struct wire_error we;
	error_of(502, "<html>Bad Gateway</html>", &we);
	assert_string_equal(we.line, "anthropic: 502 server error");
	assert_int_equal(we.retryable, 1);
	error_of(404, NULL, &we);
	assert_string_equal(we.line, "anthropic: 404 not found (check the base URL and model)");
	error_of(400, "{\"error\":{}}", &we);
	assert_string_equal(we.line, "anthropic: 400 request failed");
	error_of(400, "{\"type\":\"error\",\"error\":{\"message\":\"just a message\"}}", &we);
	assert_string_equal(we.line, "anthropic: 400 just a message");
}

/* ---- models ---- */

static void collect(void *ctx, const char *id)
{
	struct buf *b = ctx;
	assert_int_equal(buf_printf(b, "%s;", id), 0);
}

static void test_models(void **state)
{
	(void)state;
	const char *body =
		"{\"data\":[{\"type\":\"model\",\"id\":\"claude-sonnet-4-5-20250929\",\"display_"
		"name\":"
		"\"Claude Sonnet "
		"4.5\",\"created_at\":\"2025-09-29T00:00:00Z\"},{\"type\":\"model\","
		"\"id\":\"claude-3-5-haiku-20241022\"},{\"type\":\"model\"}],\"has_more\":false,"
		"\"first_id\":\"claude-sonnet-4-5-20250929\",\"last_id\":\"claude-3-5-haiku-"
		"20241022\"}";
	struct buf b = BUF_INIT;
	assert_int_equal(wire_parse_models(WIRE_ANTHROPIC, body, strlen(body), collect, &b), 2);
	assert_string_equal(b.data, "claude-sonnet-4-5-20250929;claude-3-5-haiku-20241022;");
	buf_free(&b);
	assert_int_equal(wire_parse_models(WIRE_ANTHROPIC, "{\"data\":[]}", 11, collect, &b), 0);
	assert_int_equal(wire_parse_models(WIRE_ANTHROPIC, "{\"models\":[]}", 13, collect, &b), -1);
	assert_int_equal(wire_parse_models(WIRE_ANTHROPIC, "nope", 4, collect, &b), -1);
	assert_null(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_full),
		cmocka_unit_test(test_build_minimal),
		cmocka_unit_test(test_build_escapes_and_temperature_as_given),
		cmocka_unit_test(test_build_rejects_bad_utf8_and_no_model),
		cmocka_unit_test(test_models_request),
		cmocka_unit_test_setup_teardown(test_docs_basic_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docs_basic_sse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docs_basic_sse_bytewise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docs_thinking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_event_mid_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_event_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_event_odd_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_event_message_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_after_message_delta, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncated_sse_without_blank_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_garbage_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_name_from_sse_when_data_has_no_type,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_usage, setup, teardown),
		cmocka_unit_test(test_stop_reasons),
		cmocka_unit_test_setup_teardown(test_tool_use_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redacted_thinking, setup, teardown),
		cmocka_unit_test(test_refusal_and_no_sink),
		cmocka_unit_test_setup_teardown(test_refusal_explained_without_content, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_initial_block_text, setup, teardown),
		cmocka_unit_test(test_error_overloaded),
		cmocka_unit_test(test_error_not_found),
		cmocka_unit_test(test_error_auth),
		cmocka_unit_test(test_error_statuses),
		cmocka_unit_test(test_error_other_bodies),
		cmocka_unit_test(test_models),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
