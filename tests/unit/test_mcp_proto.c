/* test_mcp_proto: MCP's JSON-RPC messages against the specification's examples
 * (revision 2025-06-18: lifecycle, tools, ping, cancellation, progress) and the
 * reference servers' captured output: decoding every kind, refusing what is not
 * JSON-RPC, exact encodings, version negotiation, pagination, results, framing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cherry/mcp_proto.h"

static void decode_ok(const char *text, struct mcp_msg *m)
{
	struct err e = {0};
	assert_int_equal(mcp_decode(text, strlen(text), m, &e), 0);
}

static void test_decode_kinds(void **state)
{
	(void)state;
	struct mcp_msg m;
	/* ping.mdx: a string id */
	decode_ok("{\"jsonrpc\":\"2.0\",\"id\":\"123\",\"method\":\"ping\"}", &m);
	assert_int_equal(m.kind, MCP_REQUEST);
	assert_string_equal(m.method, "ping");
	assert_string_equal(json_string_value(m.id), "123");
	mcp_msg_free(&m);
	/* captured: the SDK writes result before jsonrpc */
	decode_ok("{\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"Echo: hi\"}]},"
		  "\"jsonrpc\":\"2.0\",\"id\":2}", &m);
	assert_int_equal(m.kind, MCP_RESULT);
	assert_true(mcp_id_is(&m, 2));
	assert_false(mcp_id_is(&m, 3));
	mcp_msg_free(&m);
	decode_ok("{\"method\":\"notifications/progress\",\"params\":{\"progress\":1,\"total\":2,"
		  "\"progressToken\":\"p1\"},\"jsonrpc\":\"2.0\"}", &m);
	assert_int_equal(m.kind, MCP_NOTIFICATION);
	assert_null(m.id);
	struct mcp_progress p;
	assert_int_equal(mcp_progress_parse(m.params, &p), 0);
	assert_string_equal(json_string_value(p.token), "p1");
	assert_true(p.progress == 1 && p.has_total && p.total == 2);
	mcp_msg_free(&m);
	decode_ok("{\"jsonrpc\":\"2.0\",\"id\":11,\"error\":{\"code\":-32601,\"message\":\"Method not "
		  "found\"}}", &m);
	assert_int_equal(m.kind, MCP_ERROR);
	assert_int_equal(m.error_code, MCP_METHOD_NOT_FOUND);
	assert_string_equal(m.error_message, "Method not found");
	mcp_msg_free(&m);
	/* HTTP 406 body: an error with a null id */
	decode_ok("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000,\"message\":\"Not Acceptable\"},"
		  "\"id\":null}", &m);
	assert_int_equal(m.kind, MCP_ERROR);
	assert_null(m.id);
	mcp_msg_free(&m);
}

static void test_decode_refuses(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", /* no batches in 2025-06-18 */
		"{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", /* ids are never null */
		"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}",
		"{\"id\":1,\"method\":\"ping\"}",
		"{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{\"code\":1,\"message\":\"x\"}}",
		"{\"jsonrpc\":\"2.0\",\"id\":1}",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"message\":\"no code\"}}",
		"{\"jsonrpc\":\"2.0\",\"result\":{}}",
		"{\"jsonrpc\":\"2.0\",\"method\":7}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":3}",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}",
		"not json",
		"\"2.0\"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct mcp_msg m;
		struct err e = {0};
		assert_int_equal(mcp_decode(bad[i], strlen(bad[i]), &m, &e), -1);
		assert_non_null(strstr(e.msg, "not JSON-RPC"));
		assert_null(m.root);
	}
}

static void expect_frame(json_t *msg, const char *want)
{
	struct buf b = {0};
	assert_non_null(msg);
	assert_int_equal(mcp_frame(msg, &b), 0);
	assert_string_equal(b.data, want);
	buf_free(&b);
	json_decref(msg);
}

static void test_encode(void **state)
{
	(void)state;
	/* lifecycle.mdx's initialize request, with cherry's client info */
	expect_frame(mcp_request(1, "initialize", mcp_initialize_params("cherry", "0.1")),
		     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
		     "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{"
		     "\"name\":\"cherry\",\"version\":\"0.1\"}}}\n");
	expect_frame(mcp_notification("notifications/initialized", NULL),
		     "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n");
	json_t *id = json_string("123");
	expect_frame(mcp_response(id, NULL), "{\"jsonrpc\":\"2.0\",\"id\":\"123\",\"result\":{}}\n");
	expect_frame(mcp_error_response(id, MCP_METHOD_NOT_FOUND, "Method not found"),
		     "{\"jsonrpc\":\"2.0\",\"id\":\"123\",\"error\":{\"code\":-32601,"
		     "\"message\":\"Method not found\"}}\n");
	json_decref(id);
	expect_frame(mcp_cancelled(123, "User requested cancellation"),
		     "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{"
		     "\"requestId\":123,\"reason\":\"User requested cancellation\"}}\n");
	expect_frame(mcp_request(2, "tools/list", mcp_tools_list_params("next-page-cursor")),
		     "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{"
		     "\"cursor\":\"next-page-cursor\"}}\n");
	/* A newline inside an argument stays escaped: one frame is one line. */
	expect_frame(mcp_request(3, "tools/call",
				 mcp_call_params("echo", json_pack("{s:s}", "message", "a\nb"), "p1")),
		     "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{"
		     "\"name\":\"echo\",\"arguments\":{\"message\":\"a\\nb\"},\"_meta\":{"
		     "\"progressToken\":\"p1\"}}}\n");
	expect_frame(mcp_request(4, "tools/call", mcp_call_params("get-env", NULL, NULL)),
		     "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{"
		     "\"name\":\"get-env\",\"arguments\":{}}}\n");
}

static int negotiate(const char *result_text, struct mcp_server_info *info, struct err *e)
{
	json_t *r = json_loads(result_text, 0, NULL);
	assert_non_null(r);
	int rc = mcp_server_info_parse(r, info, e);
	json_decref(r);
	return rc;
}

static void test_version_negotiation(void **state)
{
	(void)state;
	struct mcp_server_info info;
	struct err e = {0};
	assert_int_equal(negotiate("{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"tools\":"
				   "{\"listChanged\":true},\"logging\":{}},\"serverInfo\":{\"name\":"
				   "\"mcp-servers/everything\",\"version\":\"2.0.0\"},"
				   "\"instructions\":\"hi\"}", &info, &e), 0);
	assert_string_equal(info.protocol_version, "2025-06-18");
	assert_string_equal(info.name, "mcp-servers/everything");
	assert_string_equal(info.instructions, "hi");
	assert_true(info.has_tools && info.tools_list_changed);
	mcp_server_info_free(&info);
	assert_int_equal(negotiate("{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{}}",
				   &info, &e), 0);
	assert_false(info.has_tools);
	assert_null(info.name);
	mcp_server_info_free(&info);
	/* captured: asking for an unknown revision came back 2025-11-25; that and older ones
	 * are refused with the revision named. */
	assert_int_equal(negotiate("{\"protocolVersion\":\"2024-11-05\",\"capabilities\":{}}",
				   &info, &e), -1);
	assert_non_null(strstr(e.msg, "2024-11-05"));
	assert_int_equal(negotiate("{\"capabilities\":{}}", &info, &e), -1);
}

static void test_tools_pages(void **state)
{
	(void)state;
	struct mcp_tools list = {0};
	struct err e = {0};
	char *next;
	json_t *p1 = json_loads("{\"tools\":[{\"name\":\"get_weather\",\"title\":\"Weather\","
				"\"description\":\"Get current weather\",\"inputSchema\":{\"type\":"
				"\"object\",\"properties\":{\"location\":{\"type\":\"string\"}},"
				"\"required\":[\"location\"]}}],\"nextCursor\":\"next-page-cursor\"}",
				0, NULL);
	json_t *p2 = json_loads("{\"tools\":[{\"name\":\"b\",\"inputSchema\":{\"type\":\"object\"}}]}",
				0, NULL);
	json_t *bad = json_loads("{\"tools\":[{\"name\":\"c\"}]}", 0, NULL);
	assert_int_equal(mcp_tools_page(p1, &list, &next, &e), 0);
	assert_string_equal(next, "next-page-cursor");
	free(next);
	assert_int_equal(mcp_tools_page(p2, &list, &next, &e), 0);
	assert_null(next);
	assert_int_equal(list.n, 2);
	assert_string_equal(list.v[0].name, "get_weather");
	assert_string_equal(list.v[0].title, "Weather");
	assert_string_equal(list.v[0].description, "Get current weather");
	assert_non_null(json_object_get(list.v[0].input_schema, "properties"));
	assert_null(list.v[1].description);
	assert_int_equal(mcp_tools_page(bad, &list, &next, &e), -1);
	assert_int_equal(list.n, 2);
	mcp_tools_free(&list);
	json_decref(p1);
	json_decref(p2);
	json_decref(bad);
}

static void test_call_results(void **state)
{
	(void)state;
	struct mcp_call_result r;
	struct err e = {0};
	json_t *ok = json_loads(
		"{\"content\":[{\"type\":\"text\",\"text\":\"one\"},{\"type\":\"image\",\"data\":\"AA==\","
		"\"mimeType\":\"image/png\"},{\"type\":\"resource_link\",\"uri\":\"file:///x\"},"
		"{\"type\":\"resource\",\"resource\":{\"uri\":\"file:///y\",\"text\":\"inline\"}},"
		"{\"type\":\"text\",\"text\":\"two\"}],\"structuredContent\":{\"a\":1}}", 0, NULL);
	assert_int_equal(mcp_call_result_parse(ok, &r, &e), 0);
	assert_string_equal(r.text, "one\n[image image/png]\n[resource link: file:///x]\ninline\ntwo");
	assert_int_equal(r.nimages, 1);
	assert_false(r.is_error);
	mcp_call_result_free(&r);
	json_t *err = json_loads("{\"content\":[{\"type\":\"text\",\"text\":\"MCP error -32602: Tool "
				 "no-such-tool not found\"}],\"isError\":true}", 0, NULL);
	assert_int_equal(mcp_call_result_parse(err, &r, &e), 0);
	assert_true(r.is_error);
	assert_string_equal(r.text, "MCP error -32602: Tool no-such-tool not found");
	mcp_call_result_free(&r);
	json_t *none = json_loads("{\"isError\":true}", 0, NULL);
	assert_int_equal(mcp_call_result_parse(none, &r, &e), -1);
	json_decref(ok);
	json_decref(err);
	json_decref(none);
}

struct seen {
	int n, bad;
	long long ids[8];
};

static int on_msg(void *ctx, struct mcp_msg *m)
{
	struct seen *s = ctx;
	s->ids[s->n++] = json_integer_value(m->id);
	mcp_msg_free(m);
	return 0;
}

static void on_bad(void *ctx, const struct err *e)
{
	(void)e;
	((struct seen *)ctx)->bad++;
}

static void test_reader_every_split(void **state)
{
	(void)state;
	/* CRLF, a blank line, a line that is not a message, UTF-8 cut anywhere. */
	static const char in[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"t\":\"h\xc3\xa9\"}}\r\n"
				 "\n{oops}\n{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n";
	for (size_t cut = 0; cut <= sizeof in - 1; cut++) {
		struct seen s = {0};
		struct mcp_reader r;
		mcp_reader_init(&r, on_msg, on_bad, &s);
		assert_int_equal(mcp_reader_feed(&r, in, cut), 0);
		assert_int_equal(mcp_reader_feed(&r, in + cut, sizeof in - 1 - cut), 0);
		assert_int_equal(s.n, 2);
		assert_int_equal(s.ids[0], 1);
		assert_int_equal(s.ids[1], 2);
		assert_int_equal(s.bad, 1);
		mcp_reader_free(&r);
	}
}

static void test_reader_limit(void **state)
{
	(void)state;
	struct seen s = {0};
	struct mcp_reader r;
	mcp_reader_init(&r, on_msg, on_bad, &s);
	r.lines.max = 64; /* the real limit is 10 MiB; the rule is the same */
	char big[100];
	memset(big, 'x', sizeof big);
	assert_int_equal(mcp_reader_feed(&r, big, sizeof big), LINES_TOO_LONG);
	mcp_reader_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_kinds),
		cmocka_unit_test(test_decode_refuses),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_version_negotiation),
		cmocka_unit_test(test_tools_pages),
		cmocka_unit_test(test_call_results),
		cmocka_unit_test(test_reader_every_split),
		cmocka_unit_test(test_reader_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
