/* test_wire_bedrock: the bedrock kind alone: Converse's request (URL, headers, the SigV4
 * scope, the body's content blocks and attachments), its models request, and the
 * ConverseStream events it maps to deltas, finish reasons, usage and errors, fed as the
 * event-stream messages eventstream.c hands over; the vertex kinds' URLs and bodies. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cherry/eventstream.h"
#include "cherry/wire.h"
#include "wiretest.h"

static const struct provider bedrock = {
	.name = "aws-bedrock", .kind = WIRE_BEDROCK,
	.base_url = "https://bedrock-runtime.eu-west-1.amazonaws.com", .region = "eu-west-1",
};

static void test_build_request(void **state)
{
	(void)state;
	const struct wire_msg msgs[] = {{"user", "Hi"}, {"assistant", "Hello!"}, {"user", "2+2?"}};
	static const unsigned char png[] = {0x89, 'P', 'N', 'G'};
	const struct attach_part parts[] = {
		{ATTACH_IMAGE, "cat.png", "image/png", png, sizeof png, NULL},
		{ATTACH_PDF, "My report, v2.pdf", "application/pdf", png, sizeof png, "text"},
		{ATTACH_TEXT, "notes.txt", "text/plain", NULL, 0, "notes: hi"},
	};
	const struct wire_attached att = {2, parts, 3};
	struct wire_request rq = {
		.provider = &bedrock, .model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		.system = "Be terse.", .msgs = msgs, .nmsgs = 3, .attached = &att, .nattached = 1,
		.has_temperature = 1, .temperature = 0.5, .max_tokens = 100,
	};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	/* the ':' stays as it is; libcurl's signer escapes it in the canonical path */
	assert_string_equal(h.url.data, "https://bedrock-runtime.eu-west-1.amazonaws.com/model/"
					"us.anthropic.claude-sonnet-4-5-20250929-v1:0/converse-stream");
	assert_string_equal(h.sigv4, "aws:amz:eu-west-1:bedrock");
	assert_string_equal(h.auth_prefix, "Authorization: Bearer ");
	assert_int_equal(h.framing, WIRE_EVENTSTREAM);
	assert_int_equal(h.nheaders, 2);
	assert_string_equal(h.headers[1], "Accept: application/vnd.amazon.eventstream");
	assert_string_equal(
		h.body.data,
		"{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]},"
		"{\"role\":\"assistant\",\"content\":[{\"text\":\"Hello!\"}]},"
		"{\"role\":\"user\",\"content\":["
		"{\"image\":{\"format\":\"png\",\"source\":{\"bytes\":\"iVBORw==\"}}},"
		"{\"document\":{\"format\":\"pdf\",\"name\":\"My report- v2-pdf\","
		"\"source\":{\"bytes\":\"iVBORw==\"}}},"
		"{\"text\":\"notes: hi\"},{\"text\":\"2+2?\"}]}],"
		"\"system\":[{\"text\":\"Be terse.\"}],"
		"\"inferenceConfig\":{\"temperature\":0.5,\"maxTokens\":100}}");
	wire_http_free(&h);

	/* no region: one line saying where to set it */
	struct provider noregion = bedrock;
	noregion.region = NULL;
	rq.provider = &noregion;
	assert_int_equal(wire_build_request(&rq, &h, &e), -1);
	assert_string_equal(e.msg, "aws-bedrock: no region: set \"region\" for it in "
				   "config.json or AWS_REGION");
}

static void on_model(void *ctx, const char *id)
{
	strcat(ctx, id);
	strcat(ctx, " ");
}

static void test_models_request(void **state)
{
	(void)state;
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_models_request(&bedrock, &h, &e), 0);
	assert_string_equal(h.url.data, "https://bedrock.eu-west-1.amazonaws.com/"
					"foundation-models?byOutputModality=TEXT");
	assert_string_equal(h.sigv4, "aws:amz:eu-west-1:bedrock");
	wire_http_free(&h);
	static const char list[] = "{\"modelSummaries\":[{\"modelId\":\"a.b-v1:0\"},"
				   "{\"modelId\":\"c\"},{\"x\":1}]}";
	char ids[64] = "";
	assert_int_equal(wire_parse_models(WIRE_BEDROCK, list, sizeof list - 1, on_model, ids), 2);
	assert_string_equal(ids, "a.b-v1:0 c ");
}

/* A message as eventstream.c hands it over. */
static int feed(struct fixture *f, const char *mtype, const char *type, const char *payload)
{
	struct evs_message m = {.nheaders = 2, .payload = payload,
				.payload_len = strlen(payload)};
	const char *tname = !strcmp(mtype, "exception") ? ":exception-type" : ":event-type";
	m.headers[0] = (struct evs_header){":message-type", 13, 7, mtype, strlen(mtype), 0};
	m.headers[1] = (struct evs_header){tname, strlen(tname), 7, type, strlen(type), 0};
	return wire_stream_message(&f->st, &m, &f->sink);
}

static void test_events(void **state)
{
	(void)state;
	struct fixture f;
	wt_init(&f, WIRE_BEDROCK, "aws-bedrock");
	assert_int_equal(feed(&f, "event", "messageStart", "{\"role\":\"assistant\"}"), 0);
	assert_int_equal(feed(&f, "event", "contentBlockDelta",
			      "{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":"
			      "{\"text\":\"Thinking.\"}},\"p\":\"abc\"}"), 0);
	assert_int_equal(feed(&f, "event", "contentBlockDelta",
			      "{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":"
			      "{\"signature\":\"sig\"}}}"), 0);
	assert_int_equal(feed(&f, "event", "contentBlockStop", "{\"contentBlockIndex\":0}"), 0);
	assert_int_equal(feed(&f, "event", "contentBlockDelta",
			      "{\"contentBlockIndex\":1,\"delta\":{\"text\":\"Hel\"}}"), 0);
	assert_int_equal(feed(&f, "event", "contentBlockDelta",
			      "{\"contentBlockIndex\":1,\"delta\":{\"text\":\"lo\"}}"), 0);
	assert_false(f.st.done);
	assert_int_equal(feed(&f, "event", "messageStop", "{\"stopReason\":\"max_tokens\"}"), 0);
	assert_true(f.st.done);
	assert_int_equal(feed(&f, "event", "metadata",
			      "{\"usage\":{\"inputTokens\":10,\"outputTokens\":5,"
			      "\"cacheReadInputTokens\":4,\"cacheWriteInputTokens\":2,"
			      "\"totalTokens\":21},\"metrics\":{\"latencyMs\":9}}"), 0);
	assert_string_equal(text_of(&f.cap.text), "Hello");
	assert_string_equal(text_of(&f.cap.reasoning), "Thinking.");
	assert_int_equal(f.st.finish, WIRE_FINISH_LENGTH);
	assert_string_equal(f.st.finish_raw, "max_tokens");
	assert_int_equal(f.st.usage.input, 16); /* the uncached part and both cache parts */
	assert_int_equal(f.st.usage.cached, 4);
	assert_int_equal(f.st.usage.output, 5);
	assert_false(f.st.failed);
	/* an event this version does not know is ignored */
	assert_int_equal(feed(&f, "event", "somethingNew", "{}"), 0);
	wt_fini(&f);

	static const struct {
		const char *raw;
		enum wire_finish finish;
	} stops[] = {
		{"end_turn", WIRE_FINISH_STOP}, {"tool_use", WIRE_FINISH_TOOL},
		{"guardrail_intervened", WIRE_FINISH_FILTER},
		{"content_filtered", WIRE_FINISH_FILTER}, {"brand_new", WIRE_FINISH_OTHER},
	};
	for (size_t i = 0; i < sizeof stops / sizeof *stops; i++) {
		char json[96];
		snprintf(json, sizeof json, "{\"stopReason\":\"%s\"}", stops[i].raw);
		wt_init(&f, WIRE_BEDROCK, "aws-bedrock");
		feed(&f, "event", "messageStop", json);
		assert_int_equal(f.st.finish, stops[i].finish);
		wt_fini(&f);
	}
}

static void test_exceptions(void **state)
{
	(void)state;
	struct fixture f;
	wt_init(&f, WIRE_BEDROCK, "aws-bedrock");
	feed(&f, "event", "contentBlockDelta", "{\"delta\":{\"text\":\"Hi\"}}");
	feed(&f, "exception", "throttlingException", "{\"message\":\"Too many tokens.\"}");
	assert_true(f.st.failed);
	assert_string_equal(text_of(&f.st.error), "aws-bedrock: throttlingException: Too many "
						  "tokens.");
	assert_int_equal(f.st.finish, WIRE_FINISH_ERROR);
	wt_fini(&f);

	/* unreadable, or named oddly: still an exception */
	wt_init(&f, WIRE_BEDROCK, "aws-bedrock");
	feed(&f, "exception", "validationException", "not json");
	assert_string_equal(text_of(&f.st.error), "aws-bedrock: validationException");
	wt_fini(&f);
	wt_init(&f, WIRE_BEDROCK, "aws-bedrock");
	feed(&f, "exception", "oops", "{\"message\":\"m\"}");
	assert_string_equal(text_of(&f.st.error), "aws-bedrock: exception: m");
	wt_fini(&f);

	/* the framing's own error message: :error-code and :error-message */
	wt_init(&f, WIRE_BEDROCK, "aws-bedrock");
	struct evs_message m = {.nheaders = 3, .payload = "", .payload_len = 0};
	m.headers[0] = (struct evs_header){":message-type", 13, 7, "error", 5, 0};
	m.headers[1] = (struct evs_header){":error-code", 11, 7, "InternalFailure", 15, 0};
	m.headers[2] = (struct evs_header){":error-message", 14, 7, "try again", 9, 0};
	wire_stream_message(&f.st, &m, &f.sink);
	assert_string_equal(text_of(&f.st.error), "aws-bedrock: InternalFailure: try again");
	wt_fini(&f);

	/* an HTTP error's body */
	struct wire_error we;
	static const char body[] = "{\"message\":\"The security token included in the request "
				   "is invalid.\"}";
	wire_error_from_response(WIRE_BEDROCK, "aws-bedrock", 403, body, sizeof body - 1, &we);
	assert_string_equal(we.line, "aws-bedrock: 403 The security token included in the "
				     "request is invalid.");
	assert_true(we.key_rejected);
}

static void test_vertex_requests(void **state)
{
	(void)state;
	struct provider vx = {.name = "vertexai", .kind = WIRE_VERTEX,
			      .base_url = "https://us-central1-aiplatform.googleapis.com",
			      .region = "us-central1", .project = "my-proj"};
	const struct wire_msg one[] = {{"user", "Hi"}};
	struct wire_request rq = {.provider = &vx, .model = "gemini-2.5-pro", .msgs = one,
				  .nmsgs = 1};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.url.data, "https://us-central1-aiplatform.googleapis.com/v1/projects/"
					"my-proj/locations/us-central1/publishers/google/models/"
					"gemini-2.5-pro:streamGenerateContent?alt=sse");
	assert_string_equal(h.auth_prefix, "Authorization: Bearer ");
	assert_string_equal(h.body.data, "{\"contents\":[{\"role\":\"user\",\"parts\":"
					 "[{\"text\":\"Hi\"}]}]}");
	wire_http_free(&h);

	struct provider vxa = vx;
	vxa.kind = WIRE_VERTEX_ANTHROPIC;
	vxa.base_url = (char *)"https://aiplatform.googleapis.com";
	vxa.region = (char *)"global";
	rq.provider = &vxa;
	rq.model = "claude-sonnet-4-5@20250929";
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_string_equal(h.url.data, "https://aiplatform.googleapis.com/v1/projects/my-proj/"
					"locations/global/publishers/anthropic/models/"
					"claude-sonnet-4-5@20250929:streamRawPredict");
	assert_int_equal(h.nheaders, 2); /* no anthropic-version header */
	assert_string_equal(h.body.data, "{\"anthropic_version\":\"vertex-2023-10-16\","
					 "\"max_tokens\":8192,\"messages\":[{\"role\":\"user\","
					 "\"content\":\"Hi\"}],\"stream\":true}");
	wire_http_free(&h);

	/* Google's error shape, and Anthropic's when the model itself answered */
	struct wire_error we;
	static const char google[] = "{\"error\":{\"code\":401,\"message\":\"Request had invalid "
				     "authentication credentials.\",\"status\":\"UNAUTHENTICATED\"}}";
	wire_error_from_response(WIRE_VERTEX_ANTHROPIC, "vxa", 401, google, sizeof google - 1,
				 &we);
	assert_non_null(strstr(we.line, "Request had invalid authentication credentials."));
	static const char anth[] = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
				   "\"message\":\"Overloaded\"}}";
	wire_error_from_response(WIRE_VERTEX_ANTHROPIC, "vxa", 529, anth, sizeof anth - 1, &we);
	assert_string_equal(we.line, "vxa: 529 overloaded_error: Overloaded");
	assert_false(wire_lists_models(WIRE_VERTEX));
	assert_int_equal(wire_models_request(&vx, &h, &e), -1);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_request),
		cmocka_unit_test(test_models_request),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_vertex_requests),
	};
	return cmocka_run_group_tests_name("wire_bedrock", tests, NULL, NULL);
}
