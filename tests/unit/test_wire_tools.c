/* test_wire_tools: tool calls decoded the same way in every kind (the recorded OpenAI
 * tool-call streams, Anthropic tool_use blocks, Gemini functionCall parts, Ollama
 * tool_calls, Responses function_call items), each replayed whole, in small pieces and
 * cut at every byte; and requests with tools, calls and results in each kind's dialect. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cherry/wire.h"
#include "wiretest.h"

/* ---- fixtures ---- */

static char *read_file(const char *rel, size_t *len)
{
	char *body = wt_read_fixture(rel, len);
	if (!body)
		fail_msg("cannot read %s (run from the top of the checkout)", rel);
	return body;
}

struct want_call {
	const char *id;
	const char *name;
	const char *args;
	const char *sig;
};

struct tool_stream {
	const char *file;
	enum wire_kind kind;
	int ndjson;
	const char *text;
	const char *reasoning;
	enum wire_finish finish;
	long input, output;
	size_t ncalls;
	struct want_call calls[3];
};

static const struct tool_stream streams[] = {
	/* The four recorded OpenAI streams: the arguments exactly as the fragments join. */
	{"recorded-openai/2018feb66ae1.sse", WIRE_OPENAI, 0, "", "", WIRE_FINISH_TOOL, -2, -2, 1,
	 {{"call_4XzlGBLtUe9dy3GVNV4jhq7h", "get_weather", "{\"city\":\"New York City\"}", NULL}}},
	{"recorded-openai/a247c49c5fcd.sse", WIRE_OPENAI, 0, "", "", WIRE_FINISH_TOOL, -2, -2, 1,
	 {{"call_CTf1nWJLqSeRgDqaCG27xZ74", "get_weather",
	   "{\"city\":\"San Francisco\",\"state\":\"CA\"}", NULL}}},
	{"recorded-openai/c6aa7e397b71.sse", WIRE_OPENAI, 0, "", "", WIRE_FINISH_TOOL, -2, -2, 1,
	 {{"call_c91SqDXlYFuETYv8mUHzz6pp", "GetWeatherArgs",
	   "{\"city\":\"Edinburgh\",\"country\":\"UK\",\"units\":\"c\"}", NULL}}},
	{"recorded-openai/f82268f2fefd.sse", WIRE_OPENAI, 0, "", "", WIRE_FINISH_TOOL, -2, -2, 2,
	 {{"call_JMW1whyEaYG438VE1OIflxA2", "GetWeatherArgs",
	   "{\"city\": \"Edinburgh\", \"country\": \"GB\", \"units\": \"c\"}", NULL},
	  {"call_DNYTawLBoN8fj3KN6qU9N1Ou", "get_stock_price",
	   "{\"ticker\": \"AAPL\", \"exchange\": \"NASDAQ\"}", NULL}}},
	/* Azure decodes as OpenAI. */
	{"recorded-openai/f82268f2fefd.sse", WIRE_AZURE, 0, "", "", WIRE_FINISH_TOOL, -2, -2, 2,
	 {{"call_JMW1whyEaYG438VE1OIflxA2", "GetWeatherArgs",
	   "{\"city\": \"Edinburgh\", \"country\": \"GB\", \"units\": \"c\"}", NULL},
	  {"call_DNYTawLBoN8fj3KN6qU9N1Ou", "get_stock_price",
	   "{\"ticker\": \"AAPL\", \"exchange\": \"NASDAQ\"}", NULL}}},
	/* The SDK's recorded tool_use stream, and a second call with no input at all. */
	{"tools/anthropic-tool-use.sse", WIRE_ANTHROPIC, 0,
	 "I'll check the current weather in Paris for you.", "", WIRE_FINISH_TOOL, 377, 65, 2,
	 {{"toolu_01NRLabsLyVHZPKxbKvkfSMn", "get_weather", "{\"location\": \"Paris\"}", NULL},
	  {"toolu_01A09q90qw90lq917835lq9", "get_time", "{}", NULL}}},
	/* Gemini: whole calls, the first with its thoughtSignature; no ids given. */
	{"tools/gemini-parallel.sse", WIRE_GEMINI, 0, "", "", WIRE_FINISH_STOP, 29, 30, 2,
	 {{WIRE_OWN_ID_PREFIX "0", "weather", "{\"location\":\"San Francisco\"}",
	   "EpEgCo4gAb4+9vvWwdN+"},
	  {WIRE_OWN_ID_PREFIX "1", "weather", "{\"location\":\"Paris\",\"days\":2}", NULL}}},
	{"tools/ollama-parallel.ndjson", WIRE_OLLAMA, 1, "", "", WIRE_FINISH_STOP, 120, 31, 2,
	 {{"call_k3j9x0ab", "get_temperature", "{\"city\":\"New York\"}", NULL},
	  {"call_p2m7q1zz", "get_conditions", "{\"city\":\"New York\"}", NULL}}},
	{"tools/responses-tools.sse", WIRE_RESPONSES, 0, "", "", WIRE_FINISH_TOOL, 45, 25, 2,
	 {{"call_2FQdm3Br7Qb35YUBSkDR7kue", "get_weather", "{\"city\":\"Beijing\"}", NULL},
	  {"call_9kLmQw2Xs8TnVb4RzPa1Yc0D", "get_time", "{\"tz\":\"Asia/Shanghai\"}", NULL}}},
	{"tools/responses-reasoning.sse", WIRE_RESPONSES, 0, "Hi there! \xf0\x9f\x8d\x92",
	 "**Greeting**\n\nThe user says hello.", WIRE_FINISH_STOP, 37, 11, 0, {{0}}},
};

static void replay(struct fixture *f, const struct tool_stream *s, const char *body, size_t len,
		   size_t step, size_t cut)
{
	if (s->ndjson) {
		assert_int_equal(wt_replay_ndjson(f, body, len, step), 0);
		return;
	}
	if (cut != (size_t)-1)
		assert_int_equal(wt_replay_sse_cuts(f, body, len, &cut, 1), 0);
	else
		assert_int_equal(wt_replay_sse(f, body, len, step), 0);
}

static void check(struct fixture *f, const struct tool_stream *s)
{
	assert_int_equal(f->st.failed, 0);
	assert_int_equal(f->st.done, 1);
	assert_string_equal(text_of(&f->cap.text), s->text);
	assert_string_equal(text_of(&f->cap.reasoning), s->reasoning);
	assert_int_equal(f->st.finish, s->finish);
	if (s->input != -2) {
		assert_int_equal(f->st.usage.input, s->input);
		assert_int_equal(f->st.usage.output, s->output);
	}
	assert_int_equal(wire_calls_finish(&f->st), 0);
	assert_int_equal(f->st.ncalls, s->ncalls);
	assert_int_equal(f->st.tool_call, s->ncalls > 0);
	for (size_t i = 0; i < s->ncalls; i++) {
		const struct wire_call *c = &f->st.calls[i];
		assert_int_equal(c->index, (int)i);
		assert_string_equal(c->id, s->calls[i].id);
		assert_string_equal(c->name, s->calls[i].name);
		assert_string_equal(text_of(&c->args), s->calls[i].args);
		if (s->calls[i].sig)
			assert_string_equal(c->sig, s->calls[i].sig);
		else
			assert_null(c->sig);
	}
}

static void test_streams(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof streams / sizeof streams[0]; k++) {
		const struct tool_stream *s = &streams[k];
		size_t len;
		char *body = read_file(s->file, &len);
		const size_t steps[] = {len, 1, 7, 300};
		for (size_t j = 0; j < sizeof steps / sizeof steps[0]; j++) {
			struct fixture f;
			wt_init(&f, s->kind, "p");
			replay(&f, s, body, len, steps[j], (size_t)-1);
			check(&f, s);
			wt_fini(&f);
		}
		free(body);
	}
}

/* One stream per kind cut in two at every byte: nothing depends on where reads end.
 * (Each is replayed once per byte: the smaller streams, for the suite's time.) */
static void test_streams_cut_everywhere(void **state)
{
	(void)state;
	const size_t pick[] = {0, 5, 6, 7, 8};
	for (size_t k = 0; k < sizeof pick / sizeof pick[0]; k++) {
		const struct tool_stream *s = &streams[pick[k]];
		size_t len;
		char *body = read_file(s->file, &len);
		for (size_t cut = 0; cut <= len; cut++) {
			struct fixture f;
			wt_init(&f, s->kind, "p");
			if (s->ndjson) {
				struct fixture *g = &f;
				size_t step = cut ? cut : 1;
				assert_int_equal(wt_replay_ndjson(g, body, len, step), 0);
			} else {
				replay(&f, s, body, len, 0, cut);
			}
			check(&f, s);
			wt_fini(&f);
		}
		free(body);
	}
}

static int feed(struct fixture *f, const char *type, const char *data)
{
	return wire_stream_event(&f->st, type, data, strlen(data), &f->sink);
}

/* Compatibles: no index (Gemini's OpenAI endpoint): each id starts a call; empty
 * arguments become {}; an id repeated in every fragment stays one call. */
static void test_openai_compat_shapes(void **state)
{
	(void)state;
	struct fixture f;
	wt_init(&f, WIRE_OPENAI, "p");
	feed(&f, NULL, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"id\":\"a\",\"type\":"
		       "\"function\",\"function\":{\"name\":\"x\",\"arguments\":\"{\\\"q\\\":1}\"}}]}}]}");
	feed(&f, NULL, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"id\":\"b\",\"type\":"
		       "\"function\",\"function\":{\"name\":\"y\",\"arguments\":\"\"}}]}}]}");
	feed(&f, NULL, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":5,\"id\":\"c\","
		       "\"function\":{\"name\":\"z\",\"arguments\":\"{\\\"a\\\"\"}}]}}]}");
	feed(&f, NULL, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":5,\"id\":\"c\","
		       "\"function\":{\"arguments\":\":2}\"}}]}}]}");
	feed(&f, NULL, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
	feed(&f, NULL, "[DONE]");
	assert_int_equal(wire_calls_finish(&f.st), 0);
	assert_int_equal(f.st.ncalls, 3);
	assert_string_equal(f.st.calls[0].id, "a");
	assert_string_equal(text_of(&f.st.calls[0].args), "{\"q\":1}");
	assert_string_equal(f.st.calls[1].name, "y");
	assert_string_equal(text_of(&f.st.calls[1].args), "{}");
	assert_string_equal(text_of(&f.st.calls[2].args), "{\"a\":2}");
	wt_fini(&f);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	struct fixture f;
	wt_init(&f, WIRE_OPENAI, "p");
	feed(&f, NULL, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"a\","
		       "\"function\":{\"name\":\"x\",\"arguments\":\"{\\\"q\\\":\"}}]}}]}");
	assert_int_equal(wire_calls_finish(&f.st), -1);
	assert_int_equal(f.st.failed, 1);
	assert_string_equal(f.st.error.data, "p: the arguments of the call to x are not a JSON object");
	wt_fini(&f);
}

static void test_responses_errors(void **state)
{
	(void)state;
	struct fixture f;
	wt_init(&f, WIRE_RESPONSES, "openai");
	feed(&f, "response.output_text.delta",
	     "{\"type\":\"response.output_text.delta\",\"delta\":\"Hi\",\"sequence_number\":1}");
	feed(&f, "response.failed", "{\"type\":\"response.failed\",\"response\":{\"status\":\"failed\","
				    "\"error\":{\"code\":\"server_error\",\"message\":\"The model failed to "
				    "generate a response.\"}}}");
	assert_int_equal(f.st.failed, 1);
	assert_int_equal(f.st.done, 1);
	assert_int_equal(f.st.finish, WIRE_FINISH_ERROR);
	assert_string_equal(f.st.error.data,
			    "openai: server_error: The model failed to generate a response.");
	wt_fini(&f);

	wt_init(&f, WIRE_RESPONSES, "openai");
	feed(&f, "error", "{\"type\":\"error\",\"code\":\"ERR_SOMETHING\",\"message\":\"Something went "
			  "wrong\",\"param\":null,\"sequence_number\":1}");
	assert_string_equal(f.st.error.data, "openai: ERR_SOMETHING: Something went wrong");
	wt_fini(&f);

	wt_init(&f, WIRE_RESPONSES, "openai");
	feed(&f, "response.incomplete", "{\"type\":\"response.incomplete\",\"response\":{\"status\":"
					"\"incomplete\",\"incomplete_details\":{\"reason\":"
					"\"max_output_tokens\"},\"usage\":{\"input_tokens\":5,"
					"\"output_tokens\":9}}}");
	assert_int_equal(f.st.finish, WIRE_FINISH_LENGTH);
	assert_int_equal(f.st.done, 1);
	assert_int_equal(f.st.usage.output, 9);
	assert_string_equal(wire_finish_note(&f.st), "cut short by the length limit");
	wt_fini(&f);

	wt_init(&f, WIRE_RESPONSES, "openai");
	feed(&f, "response.refusal.delta",
	     "{\"type\":\"response.refusal.delta\",\"delta\":\"I can't help with that.\"}");
	assert_int_equal(f.st.refusal, 1);
	assert_string_equal(text_of(&f.cap.text), "I can't help with that.");
	wt_fini(&f);
}

/* A key echoed in an in-stream error (masked or not) is redacted in every kind, as it is
 * in HTTP error bodies: the error line goes to the screen, the file and the log. */
static void test_stream_errors_redacted(void **state)
{
	(void)state;
	struct fixture f;
	wt_init(&f, WIRE_RESPONSES, "openai");
	feed(&f, "error", "{\"type\":\"error\",\"code\":\"invalid_api_key\",\"message\":"
			  "\"Incorrect API key provided: sk-test-****ARY1.\\nkey=sk-CANARY\"}");
	assert_string_equal(f.st.error.data,
			    "openai: invalid_api_key: Incorrect API key provided: [redacted] [redacted]");
	wt_fini(&f);

	wt_init(&f, WIRE_RESPONSES, "openai");
	feed(&f, "response.failed", "{\"type\":\"response.failed\",\"response\":{\"error\":{"
				    "\"code\":\"x\",\"message\":\"bad sk-test-CANARY\"}}}");
	assert_string_equal(f.st.error.data, "openai: x: bad [redacted]");
	wt_fini(&f);

	wt_init(&f, WIRE_ANTHROPIC, "a");
	feed(&f, "error", "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
			  "\"message\":\"invalid x-api-key sk-ant-****wxyz\"}}");
	assert_non_null(strstr(f.st.error.data, "[redacted]"));
	assert_null(strstr(f.st.error.data, "****"));
	wt_fini(&f);

	struct wire_error w;
	static const char body[] = "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
				   "\"message\":\"invalid key sk-ant-****wxyz\"}}";
	wire_error_from_response(WIRE_ANTHROPIC, "a", 401, body, sizeof body - 1, &w);
	assert_string_equal(w.line, "a: 401 authentication_error: invalid key [redacted]");
}

/* Reasoning items that come with their encrypted content are kept, whole, to go back
 * with the calls; one without it (nothing to send back) is not. */
static void test_responses_items(void **state)
{
	(void)state;
	struct fixture f;
	wt_init(&f, WIRE_RESPONSES, "openai");
	feed(&f, "response.output_item.done",
	     "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"id\":"
	     "\"rs_1\",\"type\":\"reasoning\",\"summary\":[],\"encrypted_content\":\"gAAA\"}}");
	feed(&f, "response.output_item.done",
	     "{\"type\":\"response.output_item.done\",\"output_index\":1,\"item\":{\"id\":"
	     "\"rs_2\",\"type\":\"reasoning\",\"summary\":[]}}");
	feed(&f, "response.output_item.done",
	     "{\"type\":\"response.output_item.done\",\"output_index\":2,\"item\":{\"id\":"
	     "\"rs_3\",\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\","
	     "\"text\":\"x\"}],\"encrypted_content\":\"gBBB\"}}");
	feed(&f, "response.completed", "{\"type\":\"response.completed\",\"response\":{}}");
	assert_string_equal(text_of(&f.st.items),
			    "[{\"id\":\"rs_1\",\"type\":\"reasoning\",\"summary\":[],"
			    "\"encrypted_content\":\"gAAA\"},{\"id\":\"rs_3\",\"type\":\"reasoning\","
			    "\"summary\":[{\"type\":\"summary_text\",\"text\":\"x\"}],"
			    "\"encrypted_content\":\"gBBB\"}]");
	wt_fini(&f);
}

/* ---- requests ---- */

static struct provider prov_of(enum wire_kind kind)
{
	static const char *const base[] = {
		[WIRE_OPENAI] = "https://api.openai.com/v1",
		[WIRE_ANTHROPIC] = "https://api.anthropic.com",
		[WIRE_GEMINI] = "https://generativelanguage.googleapis.com",
		[WIRE_OLLAMA] = "http://127.0.0.1:11434",
		[WIRE_AZURE] = "https://r.openai.azure.com",
		[WIRE_RESPONSES] = "https://api.openai.com/v1",
	};
	struct provider p = {.name = (char *)"p", .kind = kind, .base_url = (char *)base[kind],
			     .api_version = (char *)"2024-10-21"};
	return p;
}

static const struct wire_tool tools[] = {
	{"fs__read_file", "Read a file",
	 "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\","
	 "\"properties\":{\"path\":{\"type\":\"string\",\"format\":\"uri\"},\"head\":{\"type\":"
	 "[\"integer\",\"null\"],\"minimum\":1},\"mode\":{\"enum\":[\"a\",\"b\"]},\"n\":{\"enum\":[1,2]},"
	 "\"k\":{\"const\":\"x\"}},\"required\":[\"path\",\"gone\"],\"additionalProperties\":false}"},
	{"t__ping", NULL, NULL},
};

static const struct wire_tool_call calls[] = {
	{"call_A", "fs__read_file", "{\"path\":\"/tmp/a\"}", "SIG"},
	{WIRE_OWN_ID_PREFIX "m2_1", "t__ping", "", NULL},
};

static const struct wire_msg msgs[] = {
	{"user", "Read /tmp/a"},
	{"assistant", "Sure."},
	{"tool", "hello"},
	{"tool", "denied by the user"},
};

static const struct wire_msg_tools extra[] = {
	{NULL, 0, NULL, NULL, 0, NULL},
	{calls, 2, NULL, NULL, 0,
	 "[{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[],\"encrypted_content\":\"gAAA\"}]"},
	{NULL, 0, "call_A", "fs__read_file", 0, NULL},
	{NULL, 0, WIRE_OWN_ID_PREFIX "m2_1", "t__ping", 1, NULL},
};

/* The request's body, compared as JSON (member order aside) with want. */
static void check_body(enum wire_kind kind, const char *member, const char *want)
{
	struct provider p = prov_of(kind);
	struct wire_request rq = {.provider = &p, .model = "m", .system = "Be brief.", .msgs = msgs,
				  .nmsgs = 4, .tools = tools, .ntools = 2, .msg_tools = extra};
	struct wire_http h;
	struct err e;
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	json_error_t jerr;
	json_t *body = json_loads(h.body.data, 0, &jerr);
	json_t *exp = json_loads(want, JSON_DECODE_ANY, &jerr);
	if (!exp)
		fail_msg("bad expected JSON: %s", jerr.text);
	json_t *got = json_object_get(body, member);
	if (!json_equal(got, exp)) {
		char *g = json_dumps(got, JSON_COMPACT);
		fail_msg("%s %s:\n got %s\nwant %s", wire_kind_name(kind), member, g, want);
	}
	json_decref(exp);
	json_decref(body);
	wire_http_free(&h);
}

#define OA_TOOLS                                                                            \
	"[{\"type\":\"function\",\"function\":{\"name\":\"fs__read_file\",\"description\":\"Read a " \
	"file\",\"parameters\":" SCHEMA "}},{\"type\":\"function\",\"function\":{\"name\":"          \
	"\"t__ping\",\"parameters\":{\"type\":\"object\"}}}]"
#define SCHEMA                                                                              \
	"{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\","          \
	"\"properties\":{\"path\":{\"type\":\"string\",\"format\":\"uri\"},\"head\":{\"type\":"   \
	"[\"integer\",\"null\"],\"minimum\":1},\"mode\":{\"enum\":[\"a\",\"b\"]},\"n\":{\"enum\":[1,2]}," \
	"\"k\":{\"const\":\"x\"}},\"required\":[\"path\",\"gone\"],\"additionalProperties\":false}"

static void test_request_openai(void **state)
{
	(void)state;
	const char *want_msgs =
		"[{\"role\":\"system\",\"content\":\"Be brief.\"},"
		"{\"role\":\"user\",\"content\":\"Read /tmp/a\"},"
		"{\"role\":\"assistant\",\"content\":\"Sure.\",\"tool_calls\":["
		"{\"id\":\"call_A\",\"type\":\"function\",\"function\":{\"name\":\"fs__read_file\","
		"\"arguments\":\"{\\\"path\\\":\\\"/tmp/a\\\"}\"}},"
		"{\"id\":\"cherry_m2_1\",\"type\":\"function\",\"function\":{\"name\":\"t__ping\","
		"\"arguments\":\"{}\"}}]},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_A\",\"content\":\"hello\"},"
		"{\"role\":\"tool\",\"tool_call_id\":\"cherry_m2_1\",\"content\":\"denied by the user\"}]";
	check_body(WIRE_OPENAI, "messages", want_msgs);
	check_body(WIRE_OPENAI, "tools", OA_TOOLS);
	check_body(WIRE_AZURE, "messages", want_msgs);
	check_body(WIRE_AZURE, "tools", OA_TOOLS);
}

static void test_request_anthropic(void **state)
{
	(void)state;
	check_body(WIRE_ANTHROPIC, "messages",
		   "[{\"role\":\"user\",\"content\":\"Read /tmp/a\"},"
		   "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Sure.\"},"
		   "{\"type\":\"tool_use\",\"id\":\"call_A\",\"name\":\"fs__read_file\",\"input\":"
		   "{\"path\":\"/tmp/a\"}},{\"type\":\"tool_use\",\"id\":\"cherry_m2_1\",\"name\":"
		   "\"t__ping\",\"input\":{}}]},"
		   "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"call_A\","
		   "\"content\":\"hello\"},{\"type\":\"tool_result\",\"tool_use_id\":\"cherry_m2_1\","
		   "\"content\":\"denied by the user\",\"is_error\":true}]}]");
	check_body(WIRE_ANTHROPIC, "tools",
		   "[{\"name\":\"fs__read_file\",\"description\":\"Read a file\",\"input_schema\":" SCHEMA
		   "},{\"name\":\"t__ping\",\"input_schema\":{\"type\":\"object\"}}]");
}

static void test_request_gemini(void **state)
{
	(void)state;
	check_body(WIRE_GEMINI, "contents",
		   "[{\"role\":\"user\",\"parts\":[{\"text\":\"Read /tmp/a\"}]},"
		   "{\"role\":\"model\",\"parts\":[{\"text\":\"Sure.\"},{\"functionCall\":{\"name\":"
		   "\"fs__read_file\",\"args\":{\"path\":\"/tmp/a\"},\"id\":\"call_A\"},"
		   "\"thoughtSignature\":\"SIG\"},{\"functionCall\":{\"name\":\"t__ping\",\"args\":{}}}]},"
		   "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"fs__read_file\","
		   "\"id\":\"call_A\",\"response\":{\"output\":\"hello\"}}},{\"functionResponse\":{"
		   "\"name\":\"t__ping\",\"response\":{\"error\":\"denied by the user\"}}}]}]");
	/* $schema, additionalProperties, format uri, a non-string enum, an unknown required
	 * name: gone; the nullable type array and const translated. */
	check_body(WIRE_GEMINI, "tools",
		   "[{\"functionDeclarations\":[{\"name\":\"fs__read_file\",\"description\":\"Read a "
		   "file\",\"parameters\":{\"type\":\"OBJECT\",\"properties\":{\"path\":{\"type\":"
		   "\"STRING\"},\"head\":{\"type\":\"INTEGER\",\"nullable\":true,\"minimum\":1},"
		   "\"mode\":{\"enum\":[\"a\",\"b\"]},\"n\":{},\"k\":{\"enum\":[\"x\"]}},"
		   "\"required\":[\"path\"]}},{\"name\":\"t__ping\"}]}]");
}

static void test_request_ollama(void **state)
{
	(void)state;
	check_body(WIRE_OLLAMA, "messages",
		   "[{\"role\":\"system\",\"content\":\"Be brief.\"},"
		   "{\"role\":\"user\",\"content\":\"Read /tmp/a\"},"
		   "{\"role\":\"assistant\",\"content\":\"Sure.\",\"tool_calls\":["
		   "{\"type\":\"function\",\"function\":{\"index\":0,\"name\":\"fs__read_file\","
		   "\"arguments\":{\"path\":\"/tmp/a\"}}},{\"type\":\"function\",\"function\":{"
		   "\"index\":1,\"name\":\"t__ping\",\"arguments\":{}}}]},"
		   "{\"role\":\"tool\",\"content\":\"hello\",\"tool_name\":\"fs__read_file\","
		   "\"tool_call_id\":\"call_A\"},"
		   "{\"role\":\"tool\",\"content\":\"denied by the user\",\"tool_name\":\"t__ping\","
		   "\"tool_call_id\":\"cherry_m2_1\"}]");
	check_body(WIRE_OLLAMA, "tools", OA_TOOLS);
}

static void test_request_responses(void **state)
{
	(void)state;
	check_body(WIRE_RESPONSES, "input",
		   "[{\"role\":\"user\",\"content\":\"Read /tmp/a\"},"
		   "{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[],"
		   "\"encrypted_content\":\"gAAA\"},"
		   "{\"role\":\"assistant\",\"content\":\"Sure.\"},"
		   "{\"type\":\"function_call\",\"call_id\":\"call_A\",\"name\":\"fs__read_file\","
		   "\"arguments\":\"{\\\"path\\\":\\\"/tmp/a\\\"}\"},"
		   "{\"type\":\"function_call\",\"call_id\":\"cherry_m2_1\",\"name\":\"t__ping\","
		   "\"arguments\":\"{}\"},"
		   "{\"type\":\"function_call_output\",\"call_id\":\"call_A\",\"output\":\"hello\"},"
		   "{\"type\":\"function_call_output\",\"call_id\":\"cherry_m2_1\",\"output\":"
		   "\"denied by the user\"}]");
	check_body(WIRE_RESPONSES, "tools",
		   "[{\"type\":\"function\",\"name\":\"fs__read_file\",\"description\":\"Read a file\","
		   "\"parameters\":" SCHEMA ",\"strict\":false},{\"type\":\"function\",\"name\":"
		   "\"t__ping\",\"parameters\":{\"type\":\"object\"},\"strict\":false}]");
	check_body(WIRE_RESPONSES, "instructions", "\"Be brief.\"");
	check_body(WIRE_RESPONSES, "store", "false");
	check_body(WIRE_RESPONSES, "stream", "true");
}

/* Gemini has no references: local ones are inlined, a loop stops at the depth limit. */
static void test_gemini_refs(void **state)
{
	(void)state;
	const struct wire_tool t[] = {{"t", NULL,
		"{\"type\":\"object\",\"properties\":{\"p\":{\"$ref\":\"#/$defs/P\"},"
		"\"q\":{\"$ref\":\"#/definitions/Q\"},\"r\":{\"$ref\":\"http://x/y\"}},"
		"\"$defs\":{\"P\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
		"\"definitions\":{\"Q\":{\"type\":\"object\",\"properties\":{\"again\":"
		"{\"$ref\":\"#/definitions/Q\"}}}}}"}};
	struct provider p = prov_of(WIRE_GEMINI);
	const struct wire_msg one[] = {{"user", "x"}};
	struct wire_request rq = {.provider = &p, .model = "m", .msgs = one, .nmsgs = 1,
				  .tools = t, .ntools = 1};
	struct wire_http h;
	struct err e;
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	json_error_t jerr;
	json_t *body = json_loads(h.body.data, 0, &jerr);
	json_t *params = json_object_get(json_array_get(json_object_get(json_array_get(
		json_object_get(body, "tools"), 0), "functionDeclarations"), 0), "parameters");
	json_t *props = json_object_get(params, "properties");
	json_t *want = json_loads("{\"type\":\"ARRAY\",\"items\":{\"type\":\"STRING\"}}", 0,
				  &jerr);
	assert_true(json_equal(json_object_get(props, "p"), want));
	assert_string_equal(json_string_value(json_object_get(json_object_get(props, "q"), "type")),
			    "OBJECT");
	assert_int_equal(json_object_size(json_object_get(props, "r")), 0);
	assert_null(strstr(h.body.data, "$ref"));
	assert_null(strstr(h.body.data, "$defs"));
	json_decref(want);
	json_decref(body);
	wire_http_free(&h);
}

/* The whole Responses request: URL, headers, and nothing it did not ask for. */
static void test_request_responses_plain(void **state)
{
	(void)state;
	struct provider p = prov_of(WIRE_RESPONSES);
	const struct wire_msg one[] = {{"user", "Hello!"}};
	struct wire_request rq = {.provider = &p, .model = "gpt-4.1", .msgs = one, .nmsgs = 1,
				  .max_tokens = 512};
	struct wire_http h;
	struct err e;
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.url.data, "https://api.openai.com/v1/responses");
	assert_string_equal(h.auth_prefix, "Authorization: Bearer ");
	assert_string_equal(h.body.data, "{\"model\":\"gpt-4.1\",\"input\":[{\"role\":\"user\","
					 "\"content\":\"Hello!\"}],\"stream\":true,\"store\":false,"
					 "\"max_output_tokens\":512}");
	wire_http_free(&h);
	/* a reasoning model: summaries asked for; with tools, its reasoning to send back */
	struct provider op = prov_of(WIRE_RESPONSES);
	op.name = (char *)"openai";
	const struct wire_tool one_tool[] = {{"t", NULL, NULL}};
	struct wire_request rr = {.provider = &op, .model = "gpt-5.4", .msgs = one, .nmsgs = 1};
	assert_int_equal(wire_build_request(&rr, &h, &e), 0);
	assert_non_null(strstr(h.body.data, "\"reasoning\":{\"summary\":\"auto\"}"));
	assert_null(strstr(h.body.data, "\"include\""));
	wire_http_free(&h);
	rr.tools = one_tool;
	rr.ntools = 1;
	assert_int_equal(wire_build_request(&rr, &h, &e), 0);
	assert_non_null(strstr(h.body.data, "\"include\":[\"reasoning.encrypted_content\"]"));
	wire_http_free(&h);
	/* Without tools no kind sends a tools member. */
	for (int k = WIRE_OPENAI; k <= WIRE_RESPONSES; k++) {
		struct provider q = prov_of((enum wire_kind)k);
		rq.provider = &q;
		assert_int_equal(wire_build_request(&rq, &h, &e), 0);
		assert_null(strstr(h.body.data, "\"tools\""));
		wire_http_free(&h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streams),
		cmocka_unit_test(test_streams_cut_everywhere),
		cmocka_unit_test(test_openai_compat_shapes),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_responses_errors),
		cmocka_unit_test(test_stream_errors_redacted),
		cmocka_unit_test(test_responses_items),
		cmocka_unit_test(test_request_openai),
		cmocka_unit_test(test_request_anthropic),
		cmocka_unit_test(test_request_gemini),
		cmocka_unit_test(test_request_ollama),
		cmocka_unit_test(test_request_responses),
		cmocka_unit_test(test_request_responses_plain),
		cmocka_unit_test(test_gemini_refs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
