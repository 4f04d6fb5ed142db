/* test_wire_ollama: the Ollama /api/chat request builder, NDJSON decoder, errors and tags. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/ndjson.h"
#include "cherry/wire.h"
#include "wiretest.h"

static struct provider prov = {
	.name = (char *)"ollama",
	.kind = WIRE_OLLAMA,
	.base_url = (char *)"http://127.0.0.1:11434",
	.key_optional = 1,
};

/* ---- helpers ---- */

static int setup(void **state)
{
	*state = wt_new(WIRE_OLLAMA, "ollama");
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	wt_free(*state);
	return 0;
}

static int feed(struct fixture *f, const char *line)
{
	return wire_stream_event(&f->st, NULL, line, strlen(line), &f->sink);
}

/* Replays a body through the line splitter in chunks of at most step bytes. */
static void replay(struct fixture *f, const char *body, size_t step)
{
	assert_int_equal(wt_replay_ndjson(f, body, strlen(body), step), 0);
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
		.model = "qwen3",
		.system = "You are terse.",
		.msgs = three_turns,
		.nmsgs = 3,
		.has_temperature = 1,
		.temperature = 0.5,
		.max_tokens = 256,
	};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.url.data, "http://127.0.0.1:11434/api/chat");
	assert_int_equal(h.nheaders, 1);
	assert_string_equal(h.headers[0], "Content-Type: application/json");
	assert_string_equal(h.auth_prefix, "Authorization: Bearer ");
	assert_int_equal(h.framing, WIRE_NDJSON);
	assert_string_equal(
		h.body.data,
		"{\"model\":\"qwen3\",\"messages\":["
		"{\"role\":\"system\",\"content\":\"You are terse.\"},"
		"{\"role\":\"user\",\"content\":\"Hi\"},"
		"{\"role\":\"assistant\",\"content\":\"Hello!\"},"
		"{\"role\":\"user\",\"content\":\"What is 2+2?\"}],"
		"\"stream\":true,\"options\":{\"temperature\":0.5,\"num_predict\":256}}");
	wire_http_free(&h);
}

static void test_build_minimal(void **state)
{
	(void)state;
	struct provider remote = prov;
	remote.base_url = (char *)"http://gpu-box:11434/";
	const struct wire_msg one[] = {{"user", "Hi"}};
	struct wire_request rq = {
		.provider = &remote, .model = "llama3.2:latest", .msgs = one, .nmsgs = 1};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.url.data, "http://gpu-box:11434/api/chat");
	assert_string_equal(h.body.data,
			    "{\"model\":\"llama3.2:latest\",\"messages\":["
			    "{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}");
	wire_http_free(&h);
}

static void test_build_partial_options(void **state)
{
	(void)state;
	const struct wire_msg one[] = {{"user", "Hi"}};
	struct wire_request rq = {
		.provider = &prov, .model = "m", .msgs = one, .nmsgs = 1, .max_tokens = 32};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.body.data, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
					 "\"content\":\"Hi\"}],\"stream\":true,\"options\":"
					 "{\"num_predict\":32}}");
	wire_http_free(&h);
	rq.max_tokens = 0;
	rq.has_temperature = 1;
	rq.temperature = 1.25;
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.body.data, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
					 "\"content\":\"Hi\"}],\"stream\":true,\"options\":"
					 "{\"temperature\":1.25}}");
	wire_http_free(&h);
}

static void test_build_failures(void **state)
{
	(void)state;
	const struct wire_msg one[] = {{"user", "Hi"}};
	struct wire_request rq = {
		.provider = &prov, .model = "m", .system = "\xed\xa0\x80", .msgs = one, .nmsgs = 1};
	struct wire_http h;
	struct err e = {0};
	/* An encoded surrogate is not UTF-8. */
	assert_int_equal(wire_build_request(&rq, &h, &e), -1);
	assert_string_equal(e.msg,
			    "ollama: cannot encode the request (invalid UTF-8 or out of memory)");
	assert_null(h.body.data);
	rq.system = NULL;
	rq.model = "";
	assert_int_equal(wire_build_request(&rq, &h, &e), -1);
	assert_string_equal(e.msg, "ollama: no model given");
	struct provider nobase = prov;
	nobase.base_url = (char *)"/";
	rq.provider = &nobase;
	rq.model = "m";
	assert_int_equal(wire_build_request(&rq, &h, &e), -1);
	assert_string_equal(e.msg, "empty base URL");
}

static void test_models_request(void **state)
{
	(void)state;
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_models_request(&prov, &h, &e), 0);
	assert_string_equal(h.url.data, "http://127.0.0.1:11434/api/tags");
	assert_int_equal(h.nheaders, 0);
	assert_string_equal(h.auth_prefix, "Authorization: Bearer ");
	assert_int_equal(h.body.len, 0);
	wire_http_free(&h);
}

/* ---- stream: the documented example ---- */

static const char docs_body[] =
	"{\"model\":\"qwen3\",\"created_at\":\"2025-10-26T17:15:24.097767Z\",\"message\":{\"role\":"
	"\"assistant\",\"content\":\"\",\"thinking\":\"Okay,\"},\"done\":false}\n"
	"{\"model\":\"qwen3\",\"created_at\":\"2025-10-26T17:15:24.109172Z\",\"message\":{\"role\":"
	"\"assistant\",\"content\":\"\",\"thinking\":\" the user asks\"},\"done\":false}\n"
	"{\"model\":\"qwen3\",\"created_at\":\"2025-10-26T17:15:25.001000Z\",\"message\":{\"role\":"
	"\"assistant\",\"content\":\"The\"},\"done\":false}\n"
	"{\"model\":\"qwen3\",\"created_at\":\"2025-10-26T17:15:25.012000Z\",\"message\":{\"role\":"
	"\"assistant\",\"content\":\" sky\"},\"done\":false}\n"
	"{\"model\":\"qwen3\",\"created_at\":\"2025-10-26T17:15:26.499127Z\",\"message\":{\"role\":"
	"\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"total_duration\":"
	"4883583458,\"load_duration\":1334875,\"prompt_eval_count\":26,\"prompt_eval_duration\":"
	"342546000,\"eval_count\":282,\"eval_duration\":4535599000}\n";

static void check_docs(struct fixture *f)
{
	assert_string_equal(text_of(&f->cap.reasoning), "Okay, the user asks");
	assert_string_equal(text_of(&f->cap.text), "The sky");
	assert_int_equal(f->st.text_bytes, 7);
	assert_int_equal(f->st.usage.input, 26);
	assert_int_equal(f->st.usage.output, 282);
	assert_int_equal(f->st.usage.reasoning, -1);
	assert_int_equal(f->st.usage.cached, -1);
	assert_int_equal(f->st.finish, WIRE_FINISH_STOP);
	assert_string_equal(f->st.finish_raw, "stop");
	assert_int_equal(f->st.done, 1);
	assert_int_equal(f->st.failed, 0);
	assert_null(wire_finish_note(&f->st));
}

static void test_docs_lines(void **state)
{
	struct fixture *f = *state;
	const char *p = docs_body;
	while (*p) {
		const char *nl = strchr(p, '\n');
		/* Only the last object ends the stream. */
		assert_int_equal(f->st.done, 0);
		assert_int_equal(wire_stream_event(&f->st, NULL, p, (size_t)(nl - p), &f->sink), 0);
		p = nl + 1;
	}
	check_docs(f);
}

static void test_docs_splitter(void **state)
{
	struct fixture *f = *state;
	replay(f, docs_body, 4096);
	assert_int_equal(f->lines, 5);
	assert_int_equal(f->rejected, 0);
	check_docs(f);
}

static void test_docs_splitter_bytewise(void **state)
{
	struct fixture *f = *state;
	replay(f, docs_body, 1);
	assert_int_equal(f->lines, 5);
	check_docs(f);
}

static void test_crlf_and_unterminated_last_line(void **state)
{
	struct fixture *f = *state;
	replay(f,
	       "{\"message\":{\"role\":\"assistant\",\"content\":\"a\"},\"done\":false}\r\n\r\n"
	       "{\"message\":{\"role\":\"assistant\",\"content\":\"b\"},\"done\":true,\"done_"
	       "reason\":"
	       "\"length\",\"prompt_eval_count\":3,\"eval_count\":1}",
	       3);
	assert_string_equal(text_of(&f->cap.text), "ab");
	assert_int_equal(f->st.done, 1);
	assert_int_equal(f->st.finish, WIRE_FINISH_LENGTH);
	assert_string_equal(f->st.finish_raw, "length");
	assert_string_equal(wire_finish_note(&f->st), "cut short by the length limit");
	assert_int_equal(f->st.usage.input, 3);
	assert_int_equal(f->st.usage.output, 1);
}

static void test_done_reasons(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		enum wire_finish finish;
		const char *raw;
	} cases[] = {
		{"{\"done\":true,\"done_reason\":\"stop\"}", WIRE_FINISH_STOP, "stop"},
		{"{\"done\":true,\"done_reason\":\"length\"}", WIRE_FINISH_LENGTH, "length"},
		{"{\"done\":true,\"done_reason\":\"load\"}", WIRE_FINISH_OTHER, "load"},
		{"{\"done\":true,\"done_reason\":\"unload\"}", WIRE_FINISH_OTHER, "unload"},
		/* Servers from before done_reason existed. */
		{"{\"done\":true}", WIRE_FINISH_STOP, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct wire_stream st;
		wire_stream_init(&st, WIRE_OLLAMA, "ollama");
		assert_int_equal(
			wire_stream_event(&st, NULL, cases[i].line, strlen(cases[i].line), NULL),
			0);
		assert_int_equal(st.done, 1);
		assert_int_equal(st.finish, cases[i].finish);
		assert_string_equal(st.finish_raw, cases[i].raw);
		assert_int_equal(st.usage.input, -1);
		wire_stream_free(&st);
	}
}

static void test_error_mid_stream(void **state)
{
	struct fixture *f = *state;
	replay(f,
	       "{\"model\":\"qwen3\",\"message\":{\"role\":\"assistant\",\"content\":\"The\"},"
	       "\"done\":false}\n"
	       "{\"error\":\"an error was encountered while running the model\"}\n",
	       10);
	assert_string_equal(text_of(&f->cap.text), "The");
	assert_int_equal(f->st.failed, 1);
	assert_string_equal(f->st.error.data,
			    "ollama: an error was encountered while running the model");
	assert_int_equal(f->st.finish, WIRE_FINISH_ERROR);
	assert_int_equal(f->st.done, 0);
}

static void test_error_first_and_odd(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(feed(f, "{\"error\":\"the model failed to generate a response\"}"), 0);
	assert_string_equal(f->st.error.data, "ollama: the model failed to generate a response");
	assert_int_equal(f->st.done, 0);
	/* The first error stays. */
	assert_int_equal(feed(f, "{\"error\":\"second\"}"), 0);
	assert_string_equal(f->st.error.data, "ollama: the model failed to generate a response");

	struct wire_stream st;
	wire_stream_init(&st, WIRE_OLLAMA, "ollama");
	const char *l = "{\"error\":{\"message\":\"proxy says no\",\"type\":\"api_error\"}}";
	assert_int_equal(wire_stream_event(&st, NULL, l, strlen(l), NULL), 0);
	assert_string_equal(st.error.data, "ollama: proxy says no");
	wire_stream_free(&st);
	wire_stream_init(&st, WIRE_OLLAMA, "ollama");
	l = "{\"error\":\"\"}";
	assert_int_equal(wire_stream_event(&st, NULL, l, strlen(l), NULL), 0);
	assert_string_equal(st.error.data, "ollama: error line without a description");
	wire_stream_free(&st);
}

static void test_truncated(void **state)
{
	struct fixture *f = *state;
	/* The last object is cut mid-line: it is garbage, and no done object came. */
	replay(f,
	       "{\"message\":{\"role\":\"assistant\",\"content\":\"The\"},\"done\":false}\n"
	       "{\"message\":{\"role\":\"assistant\",\"content\":\" sk",
	       4096);
	assert_int_equal(f->lines, 2);
	assert_int_equal(f->rejected, 1);
	assert_string_equal(text_of(&f->cap.text), "The");
	assert_int_equal(f->st.done, 0);
	assert_int_equal(f->st.finish, WIRE_FINISH_NONE);
	assert_int_equal(f->st.failed, 0);
}

static void test_tool_calls(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(
		feed(f, "{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":"
			"[{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":"
			"\"Paris\"}}}]},\"done\":false}"),
		0);
	assert_int_equal(f->st.tool_call, 1);
	assert_int_equal(
		feed(f, "{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
			"\"done_reason\":\"stop\"}"),
		0);
	assert_string_equal(wire_finish_note(&f->st),
			    "the model asked to call a tool; cherry does not run tools yet");
	assert_int_equal(f->st.text_bytes, 0);
}

static void test_garbage_and_unknown_ignored(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(feed(f, "not json"), -1);
	assert_int_equal(feed(f, "[]"), -1);
	assert_int_equal(feed(f, "\"done\""), -1);
	assert_int_equal(feed(f, "{\"status\":\"pulling manifest\"}"), 0);
	assert_int_equal(
		feed(f, "{\"message\":{\"content\":5,\"thinking\":null},\"done\":\"yes\"}"), 0);
	assert_int_equal(
		feed(f, "{\"error\":null,\"message\":{\"content\":\"ok\"},\"done\":false}"), 0);
	assert_string_equal(text_of(&f->cap.text), "ok");
	assert_string_equal(text_of(&f->cap.reasoning), "");
	assert_int_equal(f->st.done, 0);
	assert_int_equal(f->st.failed, 0);
	assert_int_equal(f->st.finish, WIRE_FINISH_NONE);
}

/* ---- HTTP errors ---- */

static void error_of(long status, const char *body, struct wire_error *out)
{
	wire_error_from_response(WIRE_OLLAMA, "ollama", status, body, body ? strlen(body) : 0, out);
}

static void test_errors(void **state)
{
	(void)state;
	struct wire_error we;
	error_of(404, "{\"error\":\"model \\\"llama3\\\" not found, try pulling it first\"}", &we);
	assert_string_equal(we.line,
			    "ollama: 404 model \"llama3\" not found, try pulling it first");
	assert_int_equal(we.retryable, 0);
	assert_int_equal(we.key_rejected, 0);
	assert_true(we.retry_after == -1);
	error_of(500, "{\"error\":\"the model failed to generate a response\"}", &we);
	assert_string_equal(we.line, "ollama: 500 the model failed to generate a response");
	assert_int_equal(we.retryable, 1);
	error_of(400, "{\"error\":\"invalid options: num_predict\"}", &we);
	assert_string_equal(we.line, "ollama: 400 invalid options: num_predict");
	assert_int_equal(we.retryable, 0);
	error_of(429, "{\"error\":\"too many requests\"}", &we);
	assert_int_equal(we.retryable, 1);
	error_of(401, "{\"error\":\"unauthorized\"}", &we);
	assert_string_equal(we.line, "ollama: 401 unauthorized");
	assert_int_equal(we.key_rejected, 1);
	error_of(502, "Bad Gateway", &we);
	assert_string_equal(we.line, "ollama: 502 server error");
	error_of(404, "404 page not found", &we);
	assert_string_equal(we.line, "ollama: 404 not found (check the base URL and model)");
	error_of(400, "{\"error\":{\"message\":\"via a proxy\"}}", &we);
	assert_string_equal(we.line, "ollama: 400 via a proxy");
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
		"{\"models\":[{\"name\":\"llama3.2:latest\",\"model\":\"llama3.2:latest\","
		"\"modified_at\":"
		"\"2025-05-04T17:37:44.706015396-07:00\",\"size\":2019393189,\"digest\":"
		"\"a80c4f17\","
		"\"details\":{\"parent_model\":\"\",\"format\":\"gguf\",\"family\":\"llama\","
		"\"families\":"
		"[\"llama\"],\"parameter_size\":\"3.2B\",\"quantization_level\":\"Q4_K_M\"}},"
		"{\"name\":\"qwen3:8b\"},{\"model\":\"nameless\"}]}";
	struct buf b = BUF_INIT;
	assert_int_equal(wire_parse_models(WIRE_OLLAMA, body, strlen(body), collect, &b), 2);
	assert_string_equal(b.data, "llama3.2:latest;qwen3:8b;");
	buf_free(&b);
	assert_int_equal(wire_parse_models(WIRE_OLLAMA, "{\"models\":[]}", 13, collect, &b), 0);
	assert_int_equal(wire_parse_models(WIRE_OLLAMA, "{\"models\":null}", 15, collect, &b), 0);
	assert_int_equal(wire_parse_models(WIRE_OLLAMA, "{}", 2, collect, &b), -1);
	assert_int_equal(wire_parse_models(WIRE_OLLAMA, "null", 4, collect, &b), -1);
	assert_null(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_full),
		cmocka_unit_test(test_build_minimal),
		cmocka_unit_test(test_build_partial_options),
		cmocka_unit_test(test_build_failures),
		cmocka_unit_test(test_models_request),
		cmocka_unit_test_setup_teardown(test_docs_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docs_splitter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docs_splitter_bytewise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crlf_and_unterminated_last_line, setup,
						teardown),
		cmocka_unit_test(test_done_reasons),
		cmocka_unit_test_setup_teardown(test_error_mid_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_first_and_odd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tool_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_and_unknown_ignored, setup, teardown),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_models),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
