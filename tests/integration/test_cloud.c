/* test_cloud: AWS Bedrock and Google Vertex AI through the fake provider with the real
 * binary: each kind's exact request (path, headers, signature or token, body), answers
 * framed as the AWS event stream (whole, per byte, a corrupt CRC, an exception), the
 * key sources (the AWS variables, a Bedrock API key, key_command), `providers test`. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "harness.h"

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN "FwoGZXIvYXdzEXAMPLE-session-token"

static struct {
	struct fakeprov fp;
	struct testhome home;
	char runs[300];    /* key_command appends a line here each time it runs */
	char expired[300]; /* vexp's key_command: absent, the token it prints is refused */
} G;

static const char *const aws_env[] = {
	"AWS_ACCESS_KEY_ID=" AKID, "AWS_SECRET_ACCESS_KEY=" SECRET, "AWS_SESSION_TOKEN=" TOKEN,
	NULL,
};

static int group_setup(void **state)
{
	(void)state;
	if (fakeprov_start(&G.fp) < 0 || testhome_make(&G.home) < 0)
		return -1;
	snprintf(G.runs, sizeof G.runs, "%s/key-runs", G.home.root);
	snprintf(G.expired, sizeof G.expired, "%s/token-fetched", G.home.root);
	char cfg[4096];
	int p = G.fp.port;
	snprintf(cfg, sizeof cfg,
		 "{\"providers\": {\n"
		 "  \"br\": {\"kind\": \"bedrock\", \"base_url\": \"http://127.0.0.1:%d\","
		 " \"region\": \"us-west-2\", \"key_env\": \"AWS_ACCESS_KEY_ID\"},\n"
		 "  \"vx\": {\"kind\": \"vertex\", \"base_url\": \"http://127.0.0.1:%d\","
		 " \"project\": \"proj-1\", \"region\": \"us-central1\","
		 " \"key_command\": \"echo run >> %s; echo ya29.fake-token\"},\n"
		 "  \"vxa\": {\"kind\": \"vertex-anthropic\", \"base_url\": \"http://127.0.0.1:%d\","
		 " \"project\": \"proj-1\", \"region\": \"us-east5\","
		 " \"key_command\": \"echo ya29.fake-token\"},\n"
		 "  \"vnp\": {\"kind\": \"vertex\", \"base_url\": \"http://127.0.0.1:%d\","
		 " \"key_command\": \"echo ya29.fake-token\"},\n"
		 "  \"vexp\": {\"kind\": \"vertex\", \"base_url\": \"http://127.0.0.1:%d\","
		 " \"project\": \"proj-1\", \"key_command\": \"if [ -e %s ]; then echo"
		 " ya29.fresh; else : > %s; echo ya29.expired-refused; fi\"}\n"
		 "}, \"network\": {\"max_retries\": 0, \"stall_timeout\": 5,"
		 " \"connect_timeout\": 5}}\n",
		 p, p, G.runs, p, p, p, G.expired, G.expired);
	return testhome_write_config(&G.home, cfg);
}

static int group_teardown(void **state)
{
	(void)state;
	fakeprov_stop(&G.fp);
	testhome_remove(&G.home);
	return 0;
}

static void ask(struct run *r, const char *model, const char *const *env)
{
	const char *args[] = {"ask", "-m", model, "-s", "be brief", "hi", NULL};
	assert_int_equal(fakeprov_clear_log(&G.fp), 0);
	assert_int_equal(run_cherry(r, &G.home, args, env, NULL, 20000), 0);
}

static json_t *only_request(void)
{
	json_t *reqs = fakeprov_requests(&G.fp);
	assert_int_equal(json_array_size(reqs), 1);
	json_t *req = json_incref(json_array_get(reqs, 0));
	json_decref(reqs);
	return req;
}

static const char *path_of(json_t *req)
{
	return json_string_value(json_object_get(req, "path"));
}

/* The secret never leaves cherry but as a signature: not in the log, not in the output. */
static void assert_secret_kept(const struct run *r)
{
	size_t n;
	char *log = harness_read_file(G.fp.log_path, &n);
	assert_non_null(log);
	assert_null(harness_mem_find(log, n, SECRET, strlen(SECRET)));
	free(log);
	assert_null(harness_mem_find(r->out, r->out_len, SECRET, strlen(SECRET)));
	assert_null(harness_mem_find(r->err, r->err_len, SECRET, strlen(SECRET)));
}

static void test_bedrock_signed_request(void **state)
{
	(void)state;
	struct run r;
	ask(&r, "br/hello", aws_env);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Hello from fake bedrock!\n");
	json_t *req = only_request();
	assert_string_equal(json_string_value(json_object_get(req, "method")), "POST");
	assert_string_equal(path_of(req), "/model/hello/converse-stream");
	const char *auth = request_header(req, "authorization");
	assert_non_null(auth);
	/* AKIDEXAMPLE/YYYYMMDD/us-west-2/bedrock/aws4_request, the session token signed */
	assert_true(!strncmp(auth, "AWS4-HMAC-SHA256 Credential=" AKID "/", 40));
	assert_non_null(strstr(auth, "/us-west-2/bedrock/aws4_request, SignedHeaders="));
	assert_non_null(strstr(auth, ";x-amz-date;x-amz-security-token, Signature="));
	assert_null(strstr(auth, "expect"));
	assert_string_equal(request_header(req, "x-amz-security-token"), TOKEN);
	assert_int_equal(strlen(request_header(req, "x-amz-date")), 16);
	assert_string_equal(request_header(req, "accept"), "application/vnd.amazon.eventstream");
	assert_string_equal(request_header(req, "content-type"), "application/json");
	/* Converse's body: content blocks, system as blocks, no model, no stream flag */
	json_t *want = json_pack("{s:[{s:s,s:[{s:s}]}],s:[{s:s}]}", "messages", "role", "user",
				 "content", "text", "hi", "system", "text", "be brief");
	assert_true(json_equal(json_object_get(req, "body"), want));
	json_decref(want);
	json_decref(req);
	assert_secret_kept(&r);
	run_free(&r);
}

static void test_bedrock_stream_shapes(void **state)
{
	(void)state;
	static const struct {
		const char *model, *out;
	} cases[] = {
		{"br/hello+split", "Hello from fake bedrock!\n"},
		{"br/hello+chunks", "Hello from fake bedrock!\n"},
		{"br/reasoning+split", "Hello from fake bedrock!\n"},
		{"br/long:50+chunks", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct run r;
		ask(&r, cases[i].model, aws_env);
		if (r.status != 0)
			fail_msg("%s: status %d: %s", cases[i].model, r.status, r.err);
		if (cases[i].out)
			assert_string_equal(r.out, cases[i].out);
		else
			assert_non_null(strstr(r.out, "[49]"));
		run_free(&r);
	}
	/* a model id with ':' goes into the path as it is (the '+' escaped) */
	struct run r;
	ask(&r, "br/hello+slow:1", aws_env);
	assert_int_equal(r.status, 0);
	json_t *req = only_request();
	assert_string_equal(path_of(req), "/model/hello%2Bslow:1/converse-stream");
	json_decref(req);
	run_free(&r);
}

static void expect_failure(const char *model, const char *const *env, int status,
			   const char *text)
{
	struct run r;
	ask(&r, model, env);
	if (r.status != status || !strstr(r.err, text))
		fail_msg("%s: status %d, stderr: %s(want %d and \"%s\")", model, r.status, r.err,
			 status, text);
	assert_null(harness_mem_find(r.err, r.err_len, SECRET, strlen(SECRET)));
	run_free(&r);
}

static void test_bedrock_failures(void **state)
{
	(void)state;
	/* a corrupt message is refused: the text before it stays, the error says why */
	expect_failure("br/hello+badcrc", aws_env, 3, "message CRC mismatch");
	expect_failure("br/hello+midfail", aws_env, 3,
		       "br: internalServerException: The system encountered an unexpected error");
	expect_failure("br/hello+nodone", aws_env, 3, "ended before the answer was complete");
	expect_failure("br/hello+e429", aws_env, 3, "br: 429 Too many requests");
	expect_failure("br/hello+e403", aws_env, 4, "br: 403 You don't have access");
	/* a path AWS escapes again ('+' is %2B here) is signed otherwise by an old libcurl:
	 * a refusal then says so, and what to use instead */
	if (curl_version_info(CURLVERSION_NOW)->version_num < 0x080900)
		expect_failure("br/hello+e403", aws_env, 4, "before 8.9: use a Bedrock API key in "
			       "AWS_BEARER_TOKEN_BEDROCK, or a newer libcurl)");
	else
		expect_failure("br/hello+e403", aws_env, 4, "(check the key for br)");
	static const char *const none[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", NULL};
	expect_failure("br/hello", none, 4, "no API key for br: set AWS_ACCESS_KEY_ID");
	static const char *const half[] = {"AWS_ACCESS_KEY_ID=" AKID, NULL};
	expect_failure("br/hello", half, 4,
		       "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	/* the length note */
	struct run r;
	ask(&r, "br/hello+length", aws_env);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "cut short by the length limit"));
	run_free(&r);
}

static void test_bedrock_api_key(void **state)
{
	(void)state;
	static const char *const env[] = {"AWS_BEARER_TOKEN_BEDROCK=ABSKfakeBedrockApiKey0123",
					  "AWS_ACCESS_KEY_ID=" AKID,
					  "AWS_SECRET_ACCESS_KEY=" SECRET, NULL};
	struct run r;
	ask(&r, "br/hello", env);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Hello from fake bedrock!\n");
	json_t *req = only_request();
	/* the API key wins over the pair, and nothing is signed */
	assert_string_equal(request_header(req, "authorization"),
			    "Bearer ABSKfakeBedrockApiKey0123");
	assert_null(request_header(req, "x-amz-date"));
	json_decref(req);
	run_free(&r);
}

/* A Vertex request that answered out: its one request (path, the token from
 * key_command as a bearer), for the caller to look into and decref. */
static json_t *vertex_ask(const char *model, const char *out, const char *path)
{
	struct run r;
	ask(&r, model, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, out);
	run_free(&r);
	json_t *req = only_request();
	assert_string_equal(path_of(req), path);
	assert_string_equal(request_header(req, "authorization"), "Bearer ya29.fake-token");
	return req;
}

static void test_vertex_gemini(void **state)
{
	(void)state;
	json_t *req = vertex_ask("vx/hello", "Hello from fake gemini!\n",
				 "/v1/projects/proj-1/locations/us-central1/publishers/google/"
				 "models/hello:streamGenerateContent?alt=sse");
	assert_null(request_header(req, "x-goog-api-key"));
	json_t *body = json_object_get(req, "body");
	assert_non_null(json_object_get(body, "contents"));
	assert_non_null(json_object_get(body, "systemInstruction"));
	json_decref(req);
	/* the token command ran once for the run */
	size_t n;
	char *runs = harness_read_file(G.runs, &n);
	assert_non_null(runs);
	assert_string_equal(runs, "run\n");
	free(runs);
	/* no project: one line saying where to set it, and nothing sent */
	assert_int_equal(fakeprov_clear_log(&G.fp), 0);
	expect_failure("vnp/hello", NULL, 2, "vnp: no Google Cloud project: set \"project\"");
	assert_int_equal(fakeprov_count(&G.fp), 0);
}

/* A refused token (expired, say) is fetched again once and the request sent again. */
static void test_vertex_token_refetched(void **state)
{
	(void)state;
	struct run r;
	ask(&r, "vexp/hello", NULL);
	if (r.status != 0)
		fail_msg("status %d: %s", r.status, r.err);
	assert_string_equal(r.out, "Hello from fake gemini!\n");
	assert_string_equal(r.err, "cherry: warning: vexp refused the token from key_command; "
				   "it runs again for a fresh one\n");
	json_t *reqs = fakeprov_requests(&G.fp);
	assert_int_equal(json_array_size(reqs), 2);
	assert_string_equal(request_header(json_array_get(reqs, 0), "authorization"),
			    "Bearer ya29.expired-refused");
	assert_string_equal(request_header(json_array_get(reqs, 1), "authorization"),
			    "Bearer ya29.fresh");
	json_decref(reqs);
	run_free(&r);
}

static void test_vertex_anthropic(void **state)
{
	(void)state;
	json_t *req = vertex_ask("vxa/hello", "Hello from fake anthropic!\n",
				 "/v1/projects/proj-1/locations/us-east5/publishers/anthropic/"
				 "models/hello:streamRawPredict");
	assert_null(request_header(req, "anthropic-version"));
	assert_null(request_header(req, "x-api-key"));
	json_t *body = json_object_get(req, "body");
	assert_string_equal(json_string_value(json_object_get(body, "anthropic_version")),
			    "vertex-2023-10-16");
	assert_null(json_object_get(body, "model"));
	assert_true(json_is_true(json_object_get(body, "stream")));
	json_decref(req);
}

static void test_providers_test(void **state)
{
	(void)state;
	struct run r;
	const char *args[] = {"providers", "test", "br", "hello", NULL};
	assert_int_equal(fakeprov_clear_log(&G.fp), 0);
	assert_int_equal(run_cherry(&r, &G.home, args, aws_env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	/* the list comes signed from /foundation-models */
	assert_non_null(strstr(r.out, "auth     ok    the model list came: 5 models (key from "
				      "AWS_ACCESS_KEY_ID)"));
	assert_non_null(strstr(r.out, "chat     ok    hello answered \"Hello from fake bedrock!\""));
	json_t *reqs = fakeprov_requests(&G.fp);
	json_t *list = json_array_get(reqs, 0);
	assert_string_equal(path_of(list), "/foundation-models?byOutputModality=TEXT");
	assert_true(!strncmp(request_header(list, "authorization"), "AWS4-HMAC-SHA256 ", 17));
	json_decref(reqs);
	run_free(&r);

	const char *vargs[] = {"providers", "test", "vxa", "hello", NULL};
	assert_int_equal(run_cherry(&r, &G.home, vargs, NULL, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "auth     skip  vxa: a vertex-anthropic provider has no model list"));
	assert_non_null(strstr(r.out, "chat     ok    hello answered \"Hello from fake "
				      "anthropic!\""));
	run_free(&r);
}

/* cherry models: bedrock's list is fetched signed; Vertex has none to fetch, so the
 * preset's models are listed without running its key_command (gcloud) or a request. */
static void test_models(void **state)
{
	(void)state;
	struct run r;
	const char *args[] = {"models", "--refresh", "br", NULL};
	assert_int_equal(fakeprov_clear_log(&G.fp), 0);
	assert_int_equal(run_cherry(&r, &G.home, args, aws_env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "br/hello\nbr/reasoning\nbr/echo\nbr/cjk\nbr/escapes\n");
	assert_int_equal(fakeprov_count(&G.fp), 1);
	run_free(&r);
	static const char *const project[] = {"GOOGLE_CLOUD_PROJECT=proj-2", NULL};
	const char *vargs[] = {"models", "vertexai", NULL};
	assert_int_equal(fakeprov_clear_log(&G.fp), 0);
	assert_int_equal(run_cherry(&r, &G.home, vargs, project, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "vertexai/gemini-2.5-pro\nvertexai/gemini-2.5-flash\n"
				   "vertexai/gemini-2.5-flash-lite\n");
	assert_int_equal(r.err_len, 0);
	assert_int_equal(fakeprov_count(&G.fp), 0);
	run_free(&r);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bedrock_signed_request),
		cmocka_unit_test(test_bedrock_stream_shapes),
		cmocka_unit_test(test_bedrock_failures),
		cmocka_unit_test(test_bedrock_api_key),
		cmocka_unit_test(test_vertex_gemini),
		cmocka_unit_test(test_vertex_token_refetched),
		cmocka_unit_test(test_vertex_anthropic),
		cmocka_unit_test(test_providers_test),
		cmocka_unit_test(test_models),
	};
	return cmocka_run_group_tests_name("cloud", tests, group_setup, group_teardown);
}
