/* test_config_mcp: config.json "mcp_servers" and Claude Desktop's pasted "mcpServers":
 * both forms of entry, both spellings together, and each refusal with its message. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cherry/config.h"

static int warnings;
static void on_warn(void *ctx, const char *line)
{
	(void)ctx;
	(void)line;
	warnings++;
}

static int parse(const char *text, struct config *c, struct err *e)
{
	warnings = 0;
	int rc = config_parse(c, text, strlen(text), "config.json", NULL, on_warn, NULL, e);
	return rc;
}

static void test_both_forms(void **state)
{
	(void)state;
	struct config c;
	struct err e = {0};
	/* The connect-local-servers example, pasted as is, beside cherry's own key. */
	assert_int_equal(parse("{\"mcpServers\": {\"filesystem\": {\"command\": \"npx\", \"args\": "
			       "[\"-y\", \"@modelcontextprotocol/server-filesystem\", \"/tmp\"]},"
			       "\"myserver\": {\"command\": \"mcp-server-myapp\", \"env\": "
			       "{\"MYAPP_API_KEY\": \"some_key\"}, \"disabled\": false}},"
			       "\"mcp_servers\": {\"web\": {\"type\": \"http\", \"url\": "
			       "\"https://example.com/mcp\", \"headers\": {\"X-Key\": \"k\"}}}}",
			       &c, &e), 0);
	assert_int_equal(warnings, 1); /* "disabled" is not a key cherry reads */
	assert_int_equal(c.nmcp_servers, 3);
	const struct config_mcp_server *fs = config_mcp_find(&c, "filesystem");
	assert_non_null(fs);
	assert_string_equal(fs->command, "npx");
	assert_int_equal(fs->nargs, 3);
	assert_string_equal(fs->args[2], "/tmp");
	const struct config_mcp_server *my = config_mcp_find(&c, "myserver");
	assert_int_equal(my->nenv, 1);
	assert_string_equal(my->env_names[0], "MYAPP_API_KEY");
	assert_string_equal(my->env_values[0], "some_key");
	const struct config_mcp_server *web = config_mcp_find(&c, "web");
	assert_null(web->command);
	assert_string_equal(web->url, "https://example.com/mcp");
	assert_string_equal(web->header_names[0], "X-Key");
	assert_null(web->auth_key);
	assert_null(config_mcp_find(&c, "nope"));
	config_free(&c);
}

static void test_auth_key(void **state)
{
	(void)state;
	struct config c;
	struct err e = {0};
	assert_int_equal(parse("{\"mcp_servers\": {\"web\": {\"url\": \"https://e/mcp\", "
			       "\"auth_key\": \"web-token\"}}}", &c, &e), 0);
	assert_int_equal(warnings, 0);
	assert_string_equal(config_mcp_find(&c, "web")->auth_key, "web-token");
	config_free(&c);
}

static void test_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *json, *msg;
	} bad[] = {
		{"{\"mcp_servers\": []}", "mcp_servers must be an object"},
		{"{\"mcp_servers\": {\"a\": {}}}", "needs either \"command\""},
		{"{\"mcp_servers\": {\"a\": {\"command\": \"x\", \"url\": \"https://e\"}}}",
		 "needs either"},
		{"{\"mcp_servers\": {\"../x\": {\"command\": \"x\"}}}", "a server name is"},
		{"{\"mcp_servers\": {\".x\": {\"command\": \"x\"}}}", "a server name is"},
		{"{\"mcp_servers\": {\"a\": {\"command\": \"x\", \"args\": [1]}}}", "args must be"},
		{"{\"mcp_servers\": {\"a\": {\"command\": \"x\", \"env\": {\"K\": 1}}}}", "env must be"},
		{"{\"mcp_servers\": {\"a\": {\"command\": \"\"}}}", "command must be a non-empty"},
		{"{\"mcp_servers\": {\"a\": {\"url\": \"ftp://x\"}}}", "url must start"},
		{"{\"mcp_servers\": {\"a\": {\"url\": \"https://x\", \"args\": []}}}",
		 "belong to a command server"},
		{"{\"mcp_servers\": {\"a\": {\"type\": \"sse\", \"url\": \"https://x\"}}}",
		 "not supported"},
		{"{\"mcp_servers\": {\"a\": {\"command\": \"x\"}}, \"mcpServers\": {\"a\": "
		 "{\"command\": \"y\"}}}", "named twice"},
		/* auth_key names a vault entry; a token pasted there is refused, not sent */
		{"{\"mcp_servers\": {\"a\": {\"url\": \"https://x\", \"auth_key\": "
		 "\"Bearer abc\"}}}", "auth_key names a key in the vault"},
		{"{\"mcp_servers\": {\"a\": {\"url\": \"https://x\", \"auth_key\": \"t\", "
		 "\"headers\": {\"authorization\": \"Bearer x\"}}}}", "either auth_key or"},
		{"{\"mcp_servers\": {\"a\": {\"command\": \"x\", \"auth_key\": \"t\"}}}",
		 "belong to a url server"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct config c;
		struct err e = {0};
		assert_int_equal(parse(bad[i].json, &c, &e), -1);
		if (!strstr(e.msg, bad[i].msg))
			fail_msg("%s: got \"%s\"", bad[i].json, e.msg);
		assert_non_null(strstr(e.msg, "config.json: "));
		config_free(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_forms),
		cmocka_unit_test(test_auth_key),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
