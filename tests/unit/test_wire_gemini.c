/* test_wire_gemini: the Gemini request builder, stream decoder, errors and model list. */
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
	.name = (char *)"gemini",
	.kind = WIRE_GEMINI,
	.base_url = (char *)"https://generativelanguage.googleapis.com",
};

/* ---- helpers ---- */

static int setup(void **state)
{
	*state = wt_new(WIRE_GEMINI, "gemini");
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	wt_free(*state);
	return 0;
}

static int feed(struct fixture *f, const char *data)
{
	return wire_stream_event(&f->st, "message", data, strlen(data), &f->sink);
}

/* Replays the body through the SSE parser split at the given offsets; every
 * event must be a default "message" event the decoder accepts. */
static void replay_split(struct fixture *f, const char *body, const size_t *cuts, size_t ncuts)
{
	assert_int_equal(wt_replay_sse_cuts(f, body, strlen(body), cuts, ncuts), 0);
	assert_int_equal(f->rejected, 0);
}

static void replay_step(struct fixture *f, const char *body, size_t step)
{
	assert_int_equal(wt_replay_sse(f, body, strlen(body), step), 0);
	assert_int_equal(f->rejected, 0);
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
		.model = "gemini-2.5-flash",
		.system = "You are terse.",
		.msgs = three_turns,
		.nmsgs = 3,
		.has_temperature = 1,
		.temperature = 0.5,
		.max_tokens = 512,
	};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.url.data, "https://generativelanguage.googleapis.com/v1beta/models/"
					"gemini-2.5-flash:streamGenerateContent?alt=sse");
	assert_int_equal(h.nheaders, 1);
	assert_string_equal(h.headers[0], "Content-Type: application/json");
	assert_string_equal(h.auth_prefix, "x-goog-api-key: ");
	assert_int_equal(h.framing, WIRE_SSE);
	assert_string_equal(h.body.data,
			    "{\"systemInstruction\":{\"parts\":[{\"text\":\"You are terse.\"}]},"
			    "\"contents\":["
			    "{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]},"
			    "{\"role\":\"model\",\"parts\":[{\"text\":\"Hello!\"}]},"
			    "{\"role\":\"user\",\"parts\":[{\"text\":\"What is 2+2?\"}]}],"
			    "\"generationConfig\":{\"temperature\":0.5,\"maxOutputTokens\":512}}");
	wire_http_free(&h);
}

static void test_build_minimal(void **state)
{
	(void)state;
	struct provider local = prov;
	local.base_url = (char *)"http://127.0.0.1:9000/";
	const struct wire_msg one[] = {{"user", "Hi"}};
	struct wire_request rq = {
		.provider = &local, .model = "gemini-2.5-pro", .msgs = one, .nmsgs = 1};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.url.data, "http://127.0.0.1:9000/v1beta/models/gemini-2.5-pro"
					":streamGenerateContent?alt=sse");
	assert_string_equal(h.body.data,
			    "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}]}");
	wire_http_free(&h);
}

static void test_build_partial_config(void **state)
{
	(void)state;
	const struct wire_msg one[] = {{"user", "Hi"}};
	struct wire_request rq = {.provider = &prov,
				  .model = "g",
				  .msgs = one,
				  .nmsgs = 1,
				  .has_temperature = 1,
				  .temperature = 0};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.body.data, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":"
					 "\"Hi\"}]}],\"generationConfig\":{\"temperature\":0.0}}");
	wire_http_free(&h);
	rq.has_temperature = 0;
	rq.max_tokens = 64;
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.body.data,
			    "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":"
			    "\"Hi\"}]}],\"generationConfig\":{\"maxOutputTokens\":64}}");
	wire_http_free(&h);
}

static void test_build_model_path(void **state)
{
	(void)state;
	static const struct {
		const char *model;
		const char *url;
	} cases[] = {
		{"models/gemini-2.5-flash",
		 "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash"
		 ":streamGenerateContent?alt=sse"},
		{"gemini-exp_1206.v2",
		 "https://generativelanguage.googleapis.com/v1beta/models/gemini-exp_1206.v2"
		 ":streamGenerateContent?alt=sse"},
		{"a b/c?d#e:f%",
		 "https://generativelanguage.googleapis.com/v1beta/models/a%20b%2Fc%3Fd%23e%3Af%25"
		 ":streamGenerateContent?alt=sse"},
		{"caf\xc3\xa9~",
		 "https://generativelanguage.googleapis.com/v1beta/models/caf%C3%A9%7E"
		 ":streamGenerateContent?alt=sse"},
	};
	const struct wire_msg one[] = {{"user", "Hi"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct wire_request rq = {
			.provider = &prov, .model = cases[i].model, .msgs = one, .nmsgs = 1};
		struct wire_http h;
		struct err e = {0};
		assert_int_equal(wire_build_request(&rq, &h, &e), 0);
		assert_string_equal(h.url.data, cases[i].url);
		wire_http_free(&h);
	}
}

static void test_build_failures(void **state)
{
	(void)state;
	const struct wire_msg bad[] = {{"user", "ok"}, {"assistant", "\xc3("}};
	struct wire_request rq = {.provider = &prov, .model = "g", .msgs = bad, .nmsgs = 2};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), -1);
	assert_string_equal(e.msg,
			    "gemini: cannot encode the request (invalid UTF-8 or out of memory)");
	assert_null(h.body.data);
	rq.nmsgs = 1;
	rq.system = "\xff";
	assert_int_equal(wire_build_request(&rq, &h, &e), -1);
	rq.system = NULL;
	rq.model = "models/";
	assert_int_equal(wire_build_request(&rq, &h, &e), -1);
	assert_string_equal(e.msg, "gemini: no model given");
	assert_int_equal(e.code, EXIT_USAGE);
	rq.model = NULL;
	assert_int_equal(wire_build_request(&rq, &h, &e), -1);
}

static void test_models_request(void **state)
{
	(void)state;
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_models_request(&prov, &h, &e), 0);
	assert_string_equal(h.url.data, "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000");
	assert_int_equal(h.nheaders, 0);
	assert_string_equal(h.auth_prefix, "x-goog-api-key: ");
	assert_int_equal(h.body.len, 0);
	wire_http_free(&h);
}

/* ---- stream: the documented examples ---- */

#define RECORDED_1                                                                              \
	"{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"**Initiating the "           \
	"Descent**\\n\\nI'm now diving into the problem, \xe2\x80\xa6\\n\\n\\n\",\"thought\": " \
	"true}],\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": " \
	"29,\"totalTokenCount\": 88,\"promptTokensDetails\": [{\"modality\": \"TEXT\","         \
	"\"tokenCount\": 29}],\"thoughtsTokenCount\": 59,\"serviceTier\": \"standard\"},"       \
	"\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"EdDHavuSDILGjMcPvefFoQg\"}"
#define RECORDED_2                                                                               \
	"{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"We\"}],\"role\": \"model\"}," \
	"\"finishReason\": \"MAX_TOKENS\",\"index\": 0}],\"usageMetadata\": "                    \
	"{\"promptTokenCount\": "                                                                \
	"29,\"totalTokenCount\": 88,\"promptTokensDetails\": [{\"modality\": \"TEXT\","          \
	"\"tokenCount\": 29}],\"thoughtsTokenCount\": 59,\"serviceTier\": \"standard\"},"        \
	"\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"EdDHavuSDILGjMcPvefFoQg\"}"

static const char recorded_body[] = "data: " RECORDED_1 "\r\n\r\ndata: " RECORDED_2 "\r\n\r\n";

static void check_recorded(struct fixture *f)
{
	assert_string_equal(text_of(&f->cap.reasoning),
			    "**Initiating the Descent**\n\nI'm now diving into the problem, "
			    "\xe2\x80\xa6\n\n\n");
	assert_string_equal(text_of(&f->cap.text), "We");
	assert_int_equal(f->st.text_bytes, 2);
	assert_int_equal(f->st.usage.input, 29);
	/* candidatesTokenCount is missing even on the last chunk: unknown, not 0. */
	assert_int_equal(f->st.usage.output, -1);
	assert_int_equal(f->st.usage.reasoning, 59);
	assert_int_equal(f->st.usage.cached, -1);
	assert_int_equal(f->st.finish, WIRE_FINISH_LENGTH);
	assert_string_equal(f->st.finish_raw, "MAX_TOKENS");
	assert_int_equal(f->st.done, 1);
	assert_int_equal(f->st.failed, 0);
	assert_string_equal(wire_finish_note(&f->st), "cut short by the length limit");
}

static void test_recorded_events(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(feed(f, RECORDED_1), 0);
	assert_int_equal(f->st.done, 0);
	assert_int_equal(f->st.finish, WIRE_FINISH_NONE);
	assert_int_equal(feed(f, RECORDED_2), 0);
	check_recorded(f);
}

static void test_recorded_sse_crlf_split(void **state)
{
	struct fixture *f = *state;
	/* The first cut lands between the \r and \n that end the first event's blank line,
	 * the second between the \r and \n of the second event's data line. */
	const char *first_end = strstr(recorded_body, "\r\n\r\n");
	assert_non_null(first_end);
	size_t cut1 = (size_t)(first_end - recorded_body) + 3;
	const char *second_line_end = strstr(first_end + 4, "\r\n");
	size_t cut2 = (size_t)(second_line_end - recorded_body) + 1;
	const size_t cuts[] = {cut1, cut2};
	replay_split(f, recorded_body, cuts, 2);
	assert_int_equal(f->events, 2);
	check_recorded(f);
}

static void test_recorded_sse_bytewise(void **state)
{
	struct fixture *f = *state;
	replay_step(f, recorded_body, 1);
	assert_int_equal(f->events, 2);
	check_recorded(f);
}

#define PLAIN_1                                                                                 \
	"{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Two plus two\"}],\"role\": " \
	"\"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 12,"               \
	"\"totalTokenCount\": 12},\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": "      \
	"\"abc123\"}"
#define PLAIN_2                                                                           \
	"{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" is 4.\"}],\"role\": " \
	"\"model\"},\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": "        \
	"{\"promptTokenCount\": 12,\"candidatesTokenCount\": 5,\"totalTokenCount\": 17}," \
	"\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"abc123\"}"

static void test_plain_answer_sse(void **state)
{
	struct fixture *f = *state;
	static const char body[] = "data: " PLAIN_1 "\r\n\r\ndata: " PLAIN_2 "\r\n\r\n";
	replay_step(f, body, 5);
	assert_int_equal(f->events, 2);
	assert_string_equal(text_of(&f->cap.text), "Two plus two is 4.");
	assert_string_equal(text_of(&f->cap.reasoning), "");
	assert_int_equal(f->st.usage.input, 12);
	assert_int_equal(f->st.usage.output, 5);
	assert_int_equal(f->st.usage.reasoning, -1);
	assert_int_equal(f->st.finish, WIRE_FINISH_STOP);
	assert_string_equal(f->st.finish_raw, "STOP");
	assert_int_equal(f->st.done, 1);
	assert_null(wire_finish_note(&f->st));
}

static void test_plain_answer_lf_and_no_space(void **state)
{
	struct fixture *f = *state;
	/* LF framing and "data:" without the space decode the same. */
	static const char body[] = "data:" PLAIN_1 "\n\ndata:" PLAIN_2 "\n\n";
	replay_step(f, body, 64);
	assert_string_equal(text_of(&f->cap.text), "Two plus two is 4.");
	assert_int_equal(f->st.done, 1);
}

static void test_truncated(void **state)
{
	struct fixture *f = *state;
	/* The connection closes after the first chunk: no finishReason, not done. */
	static const char body[] = "data: " PLAIN_1 "\r\n\r\ndata: {\"candidates\": [{\"content\"";
	replay_step(f, body, 16);
	assert_int_equal(f->events, 1);
	assert_string_equal(text_of(&f->cap.text), "Two plus two");
	assert_int_equal(f->st.done, 0);
	assert_int_equal(f->st.finish, WIRE_FINISH_NONE);
	assert_int_equal(f->st.failed, 0);
	assert_int_equal(f->st.usage.input, 12);
}

static void test_malformed_function_call_without_content(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(
		feed(f, "{\"candidates\": [{\"finishReason\": \"MALFORMED_FUNCTION_CALL\","
			"\"index\": 0,\"finishMessage\": \"Malformed function call: print(x)\"}],"
			"\"usageMetadata\": {\"promptTokenCount\": 40,\"totalTokenCount\": 40}}"),
		0);
	assert_int_equal(f->st.finish, WIRE_FINISH_OTHER);
	assert_string_equal(f->st.finish_raw, "MALFORMED_FUNCTION_CALL");
	assert_int_equal(f->st.done, 1);
	assert_int_equal(f->st.text_bytes, 0);
	assert_int_equal(f->st.usage.input, 40);
}

static void test_function_call_part(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(feed(f, "{\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": "
				 "{\"name\": \"get_weather\",\"args\": {\"city\": \"Paris\"}},"
				 "\"thoughtSignature\": \"CiQB0e2Kb...\"}],\"role\": \"model\"},"
				 "\"finishReason\": \"STOP\",\"index\": 0}]}"),
			 0);
	assert_int_equal(f->st.tool_call, 1);
	assert_int_equal(f->st.text_bytes, 0);
	assert_int_equal(f->st.finish, WIRE_FINISH_STOP);
	assert_string_equal(wire_finish_note(&f->st),
			    "the model asked to call a tool; cherry does not run tools yet");
}

static void test_mixed_parts_in_one_chunk(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(feed(f,
			      "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"hmm\","
			      "\"thought\": true},{\"text\": \"A\"},{\"text\": \"B\",\"thought\": "
			      "false},{\"inlineData\": {}},{\"text\": 7}],\"role\": \"model\"}},"
			      "{\"content\": {\"parts\": [{\"text\": \"second candidate\"}]}}]}"),
			 0);
	assert_string_equal(text_of(&f->cap.reasoning), "hmm");
	assert_string_equal(text_of(&f->cap.text), "AB");
}

/* What Gemini's finishReason is for: the note the user reads under the answer, and the
 * end of the stream. One word per kind of ending, not a copy of the decoder's list: a
 * block of any kind says the content filter stopped it; a word Gemini adds later still
 * ends the stream and is kept as said. */
static void test_finish_reasons(void **state)
{
	(void)state;
	static const char filter[] = "stopped by the provider's content filter";
	static const char tool[] = "the model asked to call a tool; cherry does not run tools yet";
	static const char length[] = "cut short by the length limit";
	static const struct {
		const char *raw;
		const char *note; /* NULL: the answer ended normally, nothing to add */
	} cases[] = {
		{"STOP", NULL},
		{"MAX_TOKENS", length},
		{"SAFETY", filter},
		{"PROHIBITED_CONTENT", filter},
		{"IMAGE_SAFETY", filter},
		{"UNEXPECTED_TOOL_CALL", tool},
		/* a malformed call is the model's failure, not a request to run a tool */
		{"MALFORMED_FUNCTION_CALL", NULL},
		{"FINISH_REASON_UNSPECIFIED", NULL},
		{"SOMETHING_NEW", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct wire_stream st;
		char data[200];
		wire_stream_init(&st, WIRE_GEMINI, "gemini");
		snprintf(data, sizeof data,
			 "{\"candidates\":[{\"finishReason\":\"%s\",\"index\":0}]}", cases[i].raw);
		assert_int_equal(wire_stream_event(&st, "message", data, strlen(data), NULL), 0);
		const char *note = wire_finish_note(&st);
		if (cases[i].note ? !note || strcmp(note, cases[i].note) : note != NULL)
			fail_msg("%s: note \"%s\", want \"%s\"", cases[i].raw, note ? note : "(none)",
				 cases[i].note ? cases[i].note : "(none)");
		assert_int_not_equal(st.finish, WIRE_FINISH_NONE);
		assert_int_equal(st.finish == WIRE_FINISH_STOP, !strcmp(cases[i].raw, "STOP"));
		assert_string_equal(st.finish_raw, cases[i].raw);
		assert_int_equal(st.done, 1);
		wire_stream_free(&st);
	}
}

static void test_usage_last_wins(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(feed(f, "{\"usageMetadata\": {\"promptTokenCount\": 100,"
				 "\"cachedContentTokenCount\": 64,\"candidatesTokenCount\": 3,"
				 "\"thoughtsTokenCount\": 10}}"),
			 0);
	assert_int_equal(feed(f, "{\"usageMetadata\": {\"promptTokenCount\": 100,"
				 "\"candidatesTokenCount\": 9,\"thoughtsTokenCount\": 12}}"),
			 0);
	assert_int_equal(f->st.usage.input, 100);
	assert_int_equal(f->st.usage.output, 9);
	assert_int_equal(f->st.usage.reasoning, 12);
	assert_int_equal(f->st.usage.cached, 64);
	assert_int_equal(f->st.done, 0);
}

static void test_blocked_prompt(void **state)
{
	struct fixture *f = *state;
	static const char body[] =
		"data: {\"promptFeedback\": {\"blockReason\": \"PROHIBITED_CONTENT\"},"
		"\"usageMetadata\": {\"promptTokenCount\": 8,\"totalTokenCount\": 8},"
		"\"modelVersion\": \"gemini-2.5-flash\"}\r\n\r\n";
	replay_step(f, body, 4096);
	assert_int_equal(f->st.finish, WIRE_FINISH_FILTER);
	assert_string_equal(f->st.finish_raw, "PROHIBITED_CONTENT");
	assert_int_equal(f->st.done, 1);
	assert_int_equal(f->st.failed, 1);
	assert_string_equal(f->st.error.data, "gemini: prompt blocked: PROHIBITED_CONTENT");
	assert_int_equal(f->st.usage.input, 8);
	assert_string_equal(wire_finish_note(&f->st), "stopped by the provider's content filter");
}

static void test_error_chunk_mid_stream(void **state)
{
	struct fixture *f = *state;
	static const char body[] =
		"data: " PLAIN_1 "\r\n\r\n"
		"data: {\"error\": {\"code\": 500, \"message\": \"An internal error has occurred. "
		"Please retry or report in https://developers.generativeai.google/guide/"
		"troubleshooting\", \"status\": \"INTERNAL\"}}\r\n\r\n";
	replay_step(f, body, 3);
	assert_int_equal(f->events, 2);
	assert_int_equal(f->st.failed, 1);
	assert_string_equal(
		f->st.error.data,
		"gemini: INTERNAL: An internal error has occurred. Please retry or report "
		"in https://developers.generativeai.google/guide/troubleshooting");
	assert_int_equal(f->st.finish, WIRE_FINISH_ERROR);
	assert_string_equal(f->st.finish_raw, "INTERNAL");
	assert_int_equal(f->st.done, 0);
	assert_string_equal(text_of(&f->cap.text), "Two plus two");
}

/* Gemini may end a stream, even after a chunk whose finishReason is STOP, with a bare
 * pretty-printed google.rpc.Status body: no "data:", over several lines. */
static void test_bare_error_body_after_stop(void **state)
{
	struct fixture *f = *state;
	static const char body[] =
		"data: " PLAIN_1 "\r\n\r\n"
		"data: " PLAIN_2 "\r\n\r\n"
		"{\r\n"
		"  \"error\": {\r\n"
		"    \"code\": 500,\r\n"
		"    \"message\": \"Internal error encountered.\",\r\n"
		"    \"status\": \"INTERNAL\"\r\n"
		"  }\r\n"
		"}\r\n";
	for (size_t step = 1; step <= sizeof body; step += step < 8 ? 1 : 37) {
		struct fixture g;
		wt_init(&g, WIRE_GEMINI, "gemini");
		replay_step(&g, body, step);
		assert_int_equal(g.events, 3);
		assert_string_equal(text_of(&g.cap.text), "Two plus two is 4.");
		assert_int_equal(g.st.failed, 1);
		assert_string_equal(g.st.error.data, "gemini: INTERNAL: Internal error encountered.");
		assert_int_equal(g.st.finish, WIRE_FINISH_ERROR);
		wt_fini(&g);
	}
	(void)f;
}

static void test_error_chunk_first_and_odd(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(feed(f,
			      "{\"error\": {\"code\": 503, \"message\": \"The model is overloaded. "
			      "Please try again later.\"}}"),
			 0);
	assert_string_equal(f->st.error.data,
			    "gemini: 503: The model is overloaded. Please try again later.");
	assert_int_equal(f->st.done, 0);
	/* Later errors do not replace the first. */
	assert_int_equal(feed(f, "{\"error\": {\"status\": \"UNAVAILABLE\"}}"), 0);
	assert_string_equal(f->st.error.data,
			    "gemini: 503: The model is overloaded. Please try again later.");
	assert_string_equal(f->st.finish_raw, "error");

	struct wire_stream st;
	wire_stream_init(&st, WIRE_GEMINI, "gemini");
	const char *d = "{\"error\": {\"status\": \"UNAVAILABLE\"}}";
	assert_int_equal(wire_stream_event(&st, "message", d, strlen(d), NULL), 0);
	assert_string_equal(st.error.data, "gemini: UNAVAILABLE");
	wire_stream_free(&st);
	wire_stream_init(&st, WIRE_GEMINI, "gemini");
	d = "{\"error\": {}}";
	assert_int_equal(wire_stream_event(&st, "message", d, strlen(d), NULL), 0);
	assert_string_equal(st.error.data, "gemini: error chunk without a description");
	wire_stream_free(&st);
}

static void test_garbage_and_unknown_ignored(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(feed(f, "not json"), -1);
	assert_int_equal(feed(f, "[{\"candidates\": []}]"), -1);
	assert_int_equal(feed(f, ""), -1);
	assert_int_equal(feed(f, "{\"modelVersion\": \"gemini-2.5-flash\",\"somethingNew\": {}}"),
			 0);
	assert_int_equal(feed(f, "{\"candidates\": []}"), 0);
	assert_int_equal(feed(f, "{\"candidates\": [{\"content\": {\"parts\": \"nope\"}}]}"), 0);
	assert_int_equal(feed(f, "{\"error\": null, \"candidates\": [{\"content\": {\"parts\": "
				 "[{\"text\": \"still here\"}]}}]}"),
			 0);
	assert_string_equal(text_of(&f->cap.text), "still here");
	assert_int_equal(f->st.failed, 0);
	assert_int_equal(f->st.done, 0);
	assert_int_equal(f->st.finish, WIRE_FINISH_NONE);
}

/* ---- HTTP errors ---- */

static void error_of(long status, const char *body, struct wire_error *out)
{
	wire_error_from_response(WIRE_GEMINI, "gemini", status, body, body ? strlen(body) : 0, out);
}

static void test_error_quota_retry_delay(void **state)
{
	(void)state;
	struct wire_error we;
	error_of(429,
		 "{\"error\": {\"code\": 429, \"message\": \"You exceeded your current quota. "
		 "Please "
		 "retry in 12.595337758s.\", \"status\": \"RESOURCE_EXHAUSTED\",\n"
		 "  \"details\": [{\"@type\": \"type.googleapis.com/google.rpc.QuotaFailure\", "
		 "\"violations\": [{\"quotaMetric\": \"generate_content_free_tier_requests\"}]},\n"
		 "              {\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", "
		 "\"retryDelay\": \"12s\"}]}}",
		 &we);
	assert_string_equal(we.line,
			    "gemini: 429 RESOURCE_EXHAUSTED: You exceeded your current quota. "
			    "Please retry in 12.595337758s.");
	assert_int_equal(we.retryable, 1);
	assert_int_equal(we.key_rejected, 0);
	assert_true(we.retry_after == 12.0);
}

static void test_error_daily_quota(void **state)
{
	(void)state;
	struct wire_error we;
	error_of(429,
		 "{\"error\": {\"code\": 429, \"message\": \"You exceeded your current quota.\", "
		 "\"status\": \"RESOURCE_EXHAUSTED\", \"details\": [{\"@type\": "
		 "\"type.googleapis.com/google.rpc.QuotaFailure\", \"violations\": "
		 "[{\"quotaMetric\": "
		 "\"generativelanguage.googleapis.com/generate_content_free_tier_requests\", "
		 "\"quotaId\": \"GenerateRequestsPerDayPerProjectPerModel-FreeTier\", "
		 "\"quotaDimensions\": {\"model\": \"gemini-2.5-pro\"}, \"quotaValue\": \"50\"}]}, "
		 "{\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": "
		 "\"2.500s\"}]}}",
		 &we);
	assert_int_equal(we.retryable, 0);
	assert_true(we.retry_after == 2.5);
	assert_string_equal(we.line,
			    "gemini: 429 RESOURCE_EXHAUSTED: You exceeded your current quota.");
	/* A per-minute quota stays retryable. */
	error_of(429,
		 "{\"error\": {\"code\": 429, \"message\": \"m\", \"status\": "
		 "\"RESOURCE_EXHAUSTED\", "
		 "\"details\": [{\"@type\": \"type.googleapis.com/google.rpc.QuotaFailure\", "
		 "\"violations\": [{\"quotaId\": "
		 "\"GenerateRequestsPerMinutePerProjectPerModel\"}]}]}}",
		 &we);
	assert_int_equal(we.retryable, 1);
	assert_true(we.retry_after == -1);
}

static void test_error_bad_key(void **state)
{
	(void)state;
	struct wire_error we;
	error_of(400,
		 "{\"error\": {\"code\": 400, \"message\": \"API key not valid. Please pass a "
		 "valid API "
		 "key.\", \"status\": \"INVALID_ARGUMENT\", \"details\": [{\"@type\": "
		 "\"type.googleapis.com/google.rpc.ErrorInfo\", \"reason\": \"API_KEY_INVALID\", "
		 "\"domain\": \"googleapis.com\", \"metadata\": {\"service\": "
		 "\"generativelanguage.googleapis.com\"}}]}}",
		 &we);
	assert_string_equal(we.line,
			    "gemini: 400 INVALID_ARGUMENT: API key not valid. Please pass a "
			    "valid API key.");
	assert_int_equal(we.key_rejected, 1);
	assert_int_equal(we.retryable, 0);
	/* Either signal alone is enough. */
	error_of(
		400,
		"{\"error\": {\"code\": 400, \"message\": \"API key expired. Please renew the API "
		"key.\", "
		"\"status\": \"INVALID_ARGUMENT\", \"details\": [{\"@type\": "
		"\"type.googleapis.com/google.rpc.ErrorInfo\", \"reason\": \"API_KEY_INVALID\"}]}}",
		&we);
	assert_int_equal(we.key_rejected, 1);
	error_of(400, "{\"error\": {\"code\": 400, \"message\": \"API key not valid.\"}}", &we);
	assert_string_equal(we.line, "gemini: 400 API key not valid.");
	assert_int_equal(we.key_rejected, 1);
	/* An ordinary bad request is not about the key. */
	error_of(400,
		 "{\"error\": {\"code\": 400, \"message\": \"* GenerateContentRequest.contents: "
		 "contents "
		 "is not specified\\n\", \"status\": \"INVALID_ARGUMENT\"}}",
		 &we);
	assert_string_equal(we.line,
			    "gemini: 400 INVALID_ARGUMENT: * GenerateContentRequest.contents: "
			    "contents is not specified ");
	assert_int_equal(we.key_rejected, 0);
	assert_int_equal(we.retryable, 0);
}

static void test_error_other_statuses(void **state)
{
	(void)state;
	struct wire_error we;
	error_of(503,
		 "{\"error\": {\"code\": 503, \"message\": \"The model is overloaded. Please try "
		 "again "
		 "later.\", \"status\": \"UNAVAILABLE\"}}",
		 &we);
	assert_string_equal(
		we.line,
		"gemini: 503 UNAVAILABLE: The model is overloaded. Please try again later.");
	assert_int_equal(we.retryable, 1);
	assert_true(we.retry_after == -1);
	error_of(404,
		 "{\"error\": {\"code\": 404, \"message\": \"models/x is not found for API version "
		 "v1beta, or is not supported for generateContent.\", \"status\": \"NOT_FOUND\"}}",
		 &we);
	assert_string_equal(we.line, "gemini: 404 NOT_FOUND: models/x is not found for API version "
				     "v1beta, or is not supported for generateContent.");
	assert_int_equal(we.retryable, 0);
	assert_int_equal(we.key_rejected, 0);
	error_of(403,
		 "{\"error\": {\"code\": 403, \"message\": \"Method doesn't allow unregistered "
		 "callers\", "
		 "\"status\": \"PERMISSION_DENIED\"}}",
		 &we);
	assert_int_equal(we.key_rejected, 1);
	/* The one-element array form of the non-SSE stream. */
	error_of(500,
		 "[{\"error\": {\"code\": 500, \"message\": \"Internal error\", \"status\": "
		 "\"INTERNAL\"}}]",
		 &we);
	assert_string_equal(we.line, "gemini: 500 INTERNAL: Internal error");
	assert_int_equal(we.retryable, 1);
	error_of(504, "upstream timed out", &we);
	assert_string_equal(we.line, "gemini: 504 server error");
	/* A retryDelay that is not a duration is ignored. */
	error_of(429,
		 "{\"error\": {\"code\": 429, \"message\": \"m\", \"status\": "
		 "\"RESOURCE_EXHAUSTED\", "
		 "\"details\": [{\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", "
		 "\"retryDelay\": \"soon\"}]}}",
		 &we);
	assert_true(we.retry_after == -1);
	assert_int_equal(we.retryable, 1);
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
		"{\"models\": [{\"name\": \"models/gemini-2.5-flash\", \"version\": \"001\", "
		"\"displayName\": \"Gemini 2.5 Flash\", \"inputTokenLimit\": 1048576, "
		"\"supportedGenerationMethods\": [\"generateContent\", \"countTokens\", "
		"\"createCachedContent\"], \"thinking\": true},"
		"{\"name\": \"models/text-embedding-004\", \"supportedGenerationMethods\": "
		"[\"embedContent\"]},"
		"{\"name\": \"models/gemini-2.5-pro\"},"
		"{\"name\": \"models/\"}, {\"displayName\": \"nameless\"}],"
		"\"nextPageToken\": \"Ch5tb2RlbHMvZ2VtaW5p\"}";
	struct buf b = BUF_INIT;
	assert_int_equal(wire_parse_models(WIRE_GEMINI, body, strlen(body), collect, &b), 2);
	assert_string_equal(b.data, "gemini-2.5-flash;gemini-2.5-pro;");
	buf_free(&b);
	assert_int_equal(wire_parse_models(WIRE_GEMINI, "{}", 2, collect, &b), 0);
	assert_int_equal(wire_parse_models(WIRE_GEMINI, "{\"models\": 3}", 13, collect, &b), -1);
	assert_int_equal(wire_parse_models(WIRE_GEMINI, "[]", 2, collect, &b), -1);
	assert_int_equal(wire_parse_models(WIRE_GEMINI, "<html>", 6, collect, &b), -1);
	assert_null(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_full),
		cmocka_unit_test(test_build_minimal),
		cmocka_unit_test(test_build_partial_config),
		cmocka_unit_test(test_build_model_path),
		cmocka_unit_test(test_build_failures),
		cmocka_unit_test(test_models_request),
		cmocka_unit_test_setup_teardown(test_recorded_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recorded_sse_crlf_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recorded_sse_bytewise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_answer_sse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_answer_lf_and_no_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_function_call_without_content, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_function_call_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mixed_parts_in_one_chunk, setup, teardown),
		cmocka_unit_test(test_finish_reasons),
		cmocka_unit_test_setup_teardown(test_usage_last_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocked_prompt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_chunk_mid_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bare_error_body_after_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_chunk_first_and_odd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_and_unknown_ignored, setup, teardown),
		cmocka_unit_test(test_error_quota_retry_delay),
		cmocka_unit_test(test_error_daily_quota),
		cmocka_unit_test(test_error_bad_key),
		cmocka_unit_test(test_error_other_statuses),
		cmocka_unit_test(test_models),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
