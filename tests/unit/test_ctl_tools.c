/* test_ctl_tools: the MCP servers kept per conversation. In the controller: a
 * conversation shown has the servers it turned on in an earlier run again (loaded once,
 * those no longer configured left out) and asks for them to start; /tools on and off and
 * an assistant's "mcp" keep the set; a set that cannot be read or kept says so in one
 * line; a message held for them (ctl_pending_hold) is dropped by Esc. The file's text (state_tools.h): read, updated, other conversations kept, a
 * conversation with none left out, a file that is not one refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/app.h"
#include "cherry/ctl.h"
#include "cherry/ctl_tools.h"
#include "cherry/state_tools.h"

#include "harness.h"

static char root[512];
static struct histstore store;
static struct app app;
static struct edit ed;
static struct ctl C;
static double now = 1000, wall = 1.7e9;
static struct tools_catalog cat;

static const char config_text[] =
	"{\"providers\": {\"fo\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:9\","
	"  \"key_env\": \"FAKE_OPENAI_KEY\", \"models\": [\"a\"]}},"
	" \"assistants\": {\"helper\": {\"system\": \"s\", \"mcp\": [\"other\"]}},"
	" \"mcp_servers\": {\"fake\": {\"command\": \"/bin/true\"},"
	"  \"other\": {\"command\": \"/bin/true\"}},"
	" \"default_model\": \"fo/a\"}";

/* The "shell": what it was asked, and the kept sets (one conversation's at a time). */
static struct {
	int loads, saves, starts, fail_load, fail_save;
	const char *give[4]; /* what the next load gives */
	char saved_id[64];
	char saved[4][32];
	size_t nsaved;
} sh;

static int load(const char *id, char ***names, size_t *n, struct err *e)
{
	(void)id;
	sh.loads++;
	*names = NULL;
	*n = 0;
	if (sh.fail_load) {
		err_set(e, EXIT_FAIL, "tools.json cannot be read (test)");
		return -1;
	}
	while (sh.give[*n])
		++*n;
	if (*n) {
		*names = calloc(*n, sizeof **names);
		for (size_t i = 0; i < *n; i++)
			(*names)[i] = strdup(sh.give[i]);
	}
	return 0;
}

static int save(const char *id, char *const *names, size_t n, struct err *e)
{
	sh.saves++;
	if (sh.fail_save) {
		err_set(e, EXIT_FAIL, "cannot write tools.json (test)");
		return -1;
	}
	snprintf(sh.saved_id, sizeof sh.saved_id, "%s", id);
	sh.nsaved = n;
	for (size_t i = 0; i < n && i < 4; i++)
		snprintf(sh.saved[i], sizeof sh.saved[i], "%s", names[i]);
	return 0;
}

static int w_conv_new(void *ctx, struct chat **out, struct err *e)
{
	(void)ctx;
	return chat_new_alloc(&store, wall, out, e);
}

static void w_conv_close(void *ctx, struct chat *c)
{
	(void)ctx;
	chat_close_free(c);
}

static int w_resolve(void *ctx, const char *spec, struct provider **p, const char **m,
		     struct err *e)
{
	(void)ctx;
	return app_resolve_model(&app, spec, p, m, e);
}

static const struct ctl_world world = {
	.conv_new = w_conv_new,
	.conv_close = w_conv_close,
	.resolve_model = w_resolve,
};

static void shell(int r)
{
	if (r & CTL_TOOLS_START) {
		sh.starts++;
		ctl_tools_catalog(&C, &cat);
	}
}

static void type_line(const char *s)
{
	for (const char *p = s; *p; p++)
		shell(ctl_key(&C, (unsigned char)*p, now += 0.001, wall));
	input_key k;
	assert_int_equal(input_key_parse("Enter", &k), 0);
	shell(ctl_key(&C, k, now += 0.01, wall));
}

/* A controller over a new conversation, its servers kept by the fake above. */
static int setup(void **unused)
{
	(void)unused;
	const char *base = getenv("TMPDIR");
	snprintf(root, sizeof root, "%s/cherry-ctltools-XXXXXX",
		 base && base[0] == '/' ? base : "/tmp");
	if (!mkdtemp(root))
		return -1;
	char data[600], cache[600];
	snprintf(data, sizeof data, "%s/data", root);
	snprintf(cache, sizeof cache, "%s/cache", root);
	struct err e;
	err_clear(&e);
	memset(&sh, 0, sizeof sh);
	memset(&app, 0, sizeof app);
	if (histstore_open(&store, data, cache, NULL, NULL, &e) < 0 ||
	    config_parse(&app.cfg, config_text, strlen(config_text), "config.json", NULL, NULL,
			 NULL, &e) < 0)
		return -1;
	edit_init(&ed, 10);
	json_t *schema = json_pack("{s:s}", "type", "object");
	struct mcp_tool echo = {"echo", NULL, "Echoes", schema};
	int added = tools_catalog_add(&cat, 0, "fake", &echo);
	json_decref(schema);
	return added < 0 || ctl_init(&C, &app.cfg, &world, &ed, NULL, NULL) < 0 ? -1 : 0;
}

/* The controller begins: the shown conversation's kept servers are loaded. */
static void begin(void)
{
	C.tools->load = load;
	C.tools->save = save;
	struct ctl_start o = {0};
	int r = 0;
	struct err e;
	err_clear(&e);
	assert_int_equal(ctl_begin(&C, &o, now, wall, &r, &e), 0);
	shell(r);
	ctl_resize(&C, 24, 80);
}

static int teardown(void **unused)
{
	(void)unused;
	ctl_free(&C);
	tools_catalog_free(&cat);
	edit_free(&ed);
	config_free(&app.cfg);
	histstore_close(&store);
	return harness_rm_tree(root);
}

static void test_restored_when_shown(void **state)
{
	(void)state;
	sh.give[0] = "gone"; /* no longer in config.json */
	sh.give[1] = "fake";
	begin();
	assert_int_equal(sh.loads, 1);
	assert_int_equal(sh.starts, 1);
	assert_true(ctl_tools_enabled(&C, "fake"));
	assert_false(ctl_tools_enabled(&C, "gone"));
	assert_int_equal(ctl_tools_count(&C), 1);
	/* shown again in this run: not loaded again */
	struct chat *ch = C.shown;
	ctl_tools_shown(&C, ch);
	assert_int_equal(sh.loads, 1);
	assert_int_equal(sh.saves, 0); /* reading changes nothing on disk */
}

static void test_kept_on_change(void **state)
{
	(void)state;
	begin();
	assert_int_equal(sh.starts, 0); /* nothing kept: nothing starts */
	type_line("/tools fake on");
	assert_int_equal(sh.starts, 1);
	assert_int_equal(sh.saves, 1);
	assert_string_equal(sh.saved_id, C.shown->conv.id);
	assert_int_equal(sh.nsaved, 1);
	assert_string_equal(sh.saved[0], "fake");
	type_line("/tools fake off");
	assert_int_equal(sh.saves, 2);
	assert_int_equal(sh.nsaved, 0);
	/* an assistant's servers are kept too */
	type_line("/assistant helper");
	assert_int_equal(sh.saves, 3);
	assert_int_equal(sh.nsaved, 1);
	assert_string_equal(sh.saved[0], "other");
}

static void test_failures_said(void **state)
{
	(void)state;
	sh.fail_load = 1;
	begin();
	assert_non_null(strstr(C.message, "tools.json cannot be read"));
	assert_int_equal(ctl_tools_count(&C), 0);
	sh.fail_save = 1;
	type_line("/tools fake on");
	assert_non_null(strstr(C.message, "cannot write tools.json"));
	assert_non_null(strstr(C.message, "not kept for next time"));
	assert_true(ctl_tools_enabled(&C, "fake")); /* on for this run all the same */
}

static void press(const char *name)
{
	input_key k;
	assert_int_equal(input_key_parse(name, &k), 0);
	shell(ctl_key(&C, k, now += 0.01, wall));
}

static const char *input(void)
{
	size_t len;
	const char *s = edit_text(&ed, &len);
	return s ? s : "";
}

/* A message the shell holds (a server of its conversation starting) is dropped by Esc
 * and stays in the input; released, Esc no longer drops it. */
static void test_held_send_dropped(void **state)
{
	(void)state;
	begin();
	type_line("hello");
	assert_true(C.pending.active); /* its key is being looked for */
	ctl_pending_hold(&C, "the message waits for MCP server fake to start");
	assert_non_null(strstr(C.message, "waits for MCP server fake"));
	press("Escape");
	assert_false(C.pending.active);
	assert_string_equal(input(), "hello");
	assert_non_null(strstr(C.message, "not sent"));
	type_line("");
	assert_true(C.pending.active);
	ctl_pending_hold(&C, "waits");
	ctl_pending_hold(&C, NULL);
	assert_string_equal(C.message, ""); /* the line went with the hold */
	press("Escape");
	assert_true(C.pending.active);
	/* a line that came meanwhile stays */
	ctl_pending_hold(&C, "waits");
	ctl_note(&C, "doc.pdf: pdftotext could not read it");
	ctl_pending_hold(&C, NULL);
	assert_string_equal(C.message, "doc.pdf: pdftotext could not read it");
}

static void test_file_text(void **state)
{
	(void)state;
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct err e;
	err_clear(&e);
	char *const two[] = {"fake", "other"};
	char *const one[] = {"x"};
	assert_int_equal(state_tools_update(NULL, 0, "c1", two, 2, &a, &e), 0);
	assert_int_equal(state_tools_update(a.data, a.len, "c2", one, 1, &b, &e), 0);
	char **names;
	size_t n;
	assert_int_equal(state_tools_parse(b.data, b.len, "c1", &names, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "fake");
	assert_string_equal(names[1], "other");
	state_tools_names_free(names, n);
	assert_int_equal(state_tools_parse(b.data, b.len, "c3", &names, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_null(names);
	/* none left: the conversation is left out, the others kept */
	buf_reset(&a);
	assert_int_equal(state_tools_update(b.data, b.len, "c1", NULL, 0, &a, &e), 0);
	assert_null(strstr(a.data, "c1"));
	assert_non_null(strstr(a.data, "\"c2\""));
	assert_non_null(strstr(a.data, "\"version\": 1"));
	/* not such a file */
	assert_int_equal(state_tools_parse("[1]", 3, "c1", &names, &n, &e), -1);
	assert_int_equal(state_tools_parse("{", 1, "c1", &names, &n, &e), -1);
	buf_reset(&b);
	assert_int_equal(state_tools_update("{\"x\":1}", 7, "c1", two, 1, &b, &e), -1);
	buf_free(&a);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_restored_when_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_on_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures_said, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_send_dropped, setup, teardown),
		cmocka_unit_test(test_file_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
