/* test_tools: the kind-neutral core of tool calling: provider-safe unique names, who runs
 * without asking, the user's answers, results capped between characters, arguments
 * shown. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cherry/tools.h"

static void add(struct tools_catalog *c, size_t server, const char *sname, const char *tool)
{
	struct mcp_tool t = {(char *)tool, NULL, (char *)"A tool", NULL};
	assert_int_equal(tools_catalog_add(c, server, sname, &t), 0);
}

static void test_names(void **state)
{
	(void)state;
	struct tools_catalog c = {0};
	add(&c, 0, "files", "read_file");
	add(&c, 0, "files", "read.file");  /* dotted MCP name: same safe name, so numbered */
	add(&c, 1, "my server", "x/y");
	add(&c, 1, "s", "a-very-long-tool-name-that-goes-on-and-on-and-on-past-sixty-four");
	add(&c, 1, "s", "a-very-long-tool-name-that-goes-on-and-on-and-on-past-sixty-four!");
	assert_string_equal(c.v[0].wire, "files__read_file");
	assert_string_equal(c.v[1].wire, "files__read_file_2");
	assert_string_equal(c.v[2].wire, "my_server__x_y");
	assert_int_equal(strlen(c.v[3].wire), TOOLS_NAME_MAX);
	assert_int_equal(strlen(c.v[4].wire), TOOLS_NAME_MAX);
	assert_string_not_equal(c.v[3].wire, c.v[4].wire); /* the hashes differ */
	assert_string_equal(c.v[1].tool, "read.file");    /* the MCP name is kept */
	assert_ptr_equal(tools_find(&c, "my_server__x_y"), &c.v[2]);
	assert_null(tools_find(&c, "nope"));
	/* the wire view follows the entries */
	assert_string_equal(c.wire[2].name, "my_server__x_y");
	assert_string_equal(c.wire[2].schema, "{\"type\":\"object\"}");
	assert_string_equal(c.wire[0].description, "A tool");
	tools_catalog_free(&c);
}

static void test_policy(void **state)
{
	(void)state;
	struct tools_catalog c = {0};
	add(&c, 0, "fs", "read");
	add(&c, 0, "fs", "write");
	add(&c, 1, "web", "read");
	const char *allow[] = {"fs/write", "nothing"};
	struct tools_policy p = {0, allow, 2, NULL, 0};
	struct config cfg;
	memset(&cfg, 0, sizeof cfg);
	assert_false(tools_allowed(&p, &cfg, &c.v[0]));
	assert_true(tools_allowed(&p, &cfg, &c.v[1]));
	assert_int_equal(tools_allow_run(&p, &c.v[0]), 0);
	assert_true(tools_allowed(&p, &cfg, &c.v[0]));
	assert_false(tools_allowed(&p, &cfg, &c.v[2])); /* same tool, other server */
	const char *bare[] = {"read"};
	struct tools_policy q = {0, bare, 1, NULL, 0};
	assert_true(tools_allowed(&q, &cfg, &c.v[2]));
	char *always[] = {(char *)"web/read"};
	cfg.tools.always_allow = always;
	cfg.tools.nalways_allow = 1;
	struct tools_policy none = {0};
	assert_true(tools_allowed(&none, &cfg, &c.v[2]));
	assert_false(tools_allowed(&none, &cfg, &c.v[0]));
	none.allow_all = 1;
	assert_true(tools_allowed(&none, &cfg, &c.v[0]));
	tools_policy_free(&p);
	tools_catalog_free(&c);
}

static void test_answers(void **state)
{
	(void)state;
	assert_int_equal(tools_parse_answer("o"), TOOLS_ONCE);
	assert_int_equal(tools_parse_answer(" yes"), TOOLS_ONCE);
	assert_int_equal(tools_parse_answer("r"), TOOLS_RUN);
	assert_int_equal(tools_parse_answer("Always"), TOOLS_ALWAYS);
	assert_int_equal(tools_parse_answer("d"), TOOLS_DENY);
	assert_int_equal(tools_parse_answer("no"), TOOLS_DENY);
	assert_int_equal(tools_parse_answer(""), -1);
	assert_int_equal(tools_parse_answer("x"), -1);
}

static void test_cap(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	long long full;
	assert_int_equal(tools_cap("hello", 5, 5, &b, &full), 0);
	assert_string_equal(b.data, "hello");
	assert_int_equal(full, 0);
	buf_reset(&b);
	/* "é" is two bytes: a cut at 2 would split it, so 1 byte is kept */
	assert_int_equal(tools_cap("a\xc3\xa9z", 4, 2, &b, &full), 0);
	assert_string_equal(b.data, "a\n[cherry: the result was cut to 2 of its 4 bytes "
				    "(tools.max_result_bytes)]");
	assert_int_equal(full, 4);
	buf_free(&b);
}

static void test_show_args(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_int_equal(tools_show_args("{\"b\":1,\"a\":[true]}", &b), 0);
	assert_string_equal(b.data, "{\n  \"b\": 1,\n  \"a\": [\n    true\n  ]\n}");
	buf_reset(&b);
	assert_int_equal(tools_show_args("{not json", &b), 0);
	assert_string_equal(b.data, "{not json");
	buf_free(&b);
}

static void test_config_tools(void **state)
{
	(void)state;
	struct config c;
	memset(&c, 0, sizeof c);
	struct err e;
	json_error_t jerr;
	json_t *o = json_loads("{\"max_rounds\": 3, \"always_allow\": [\"fs/read\"]}", 0, &jerr);
	assert_int_equal(config_tools_parse(&c, o, "config.json", NULL, NULL, &e), 0);
	assert_int_equal(config_tools_max_rounds(&c), 3);
	assert_int_equal(config_tools_max_result_bytes(&c), CONFIG_TOOLS_MAX_RESULT_BYTES);
	assert_true(config_tools_always(&c, "fs", "read"));
	assert_false(config_tools_always(&c, "fs", "rea"));
	json_decref(o);
	o = json_loads("{\"max_rounds\": 0}", 0, &jerr);
	assert_int_equal(config_tools_parse(&c, o, "config.json", NULL, NULL, &e), -1);
	assert_string_equal(e.msg, "config.json: tools.max_rounds must be a whole number from 1");
	json_decref(o);
	o = json_loads("{\"always_allow\": [\"read\"]}", 0, &jerr);
	assert_int_equal(config_tools_parse(&c, o, "config.json", NULL, NULL, &e), -1);
	assert_string_equal(e.msg, "config.json: tools.always_allow must be an array of "
				   "\"SERVER/TOOL\" strings");
	json_decref(o);
	config_tools_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_show_args),
		cmocka_unit_test(test_config_tools),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
