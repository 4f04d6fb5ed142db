/* test_ctl_keep: what the controller keeps and holds for the shell (ctl_fixture.h). The
 * MCP servers of a conversation: shown, it has those it turned on in an earlier run
 * again (loaded once, those no longer configured left out) and asks for them to start;
 * /tools on and off keep the set; a set that cannot be read or kept says so in one
 * line. A message the shell holds before its key (ctl_pending_hold: a server starting,
 * a PDF's text) is dropped by Esc and stays in the input. The file the sets are kept in
 * (state_tools.h): read, updated, other conversations kept, one with none left out, a
 * file that is not one refused. */
#include "ctl_fixture.h"
#include "ctl_int.h"

#include "cherry/state_tools.h"

/* The kept sets as the fake state file holds them: one conversation's at a time. */
static struct {
	int loads, saves, fail_load, fail_save;
	const char *give[4]; /* what the next load gives */
	char saved_id[64];
	char saved[4][32];
	size_t nsaved;
} kept;

static int load(const char *id, char ***names, size_t *n, struct err *e)
{
	(void)id;
	kept.loads++;
	*names = NULL;
	*n = 0;
	if (kept.fail_load) {
		err_set(e, EXIT_FAIL, "tools.json cannot be read (test)");
		return -1;
	}
	while (kept.give[*n])
		++*n;
	if (*n) {
		*names = calloc(*n, sizeof **names);
		for (size_t i = 0; i < *n; i++)
			(*names)[i] = strdup(kept.give[i]);
	}
	return 0;
}

static int save(const char *id, char *const *names, size_t n, struct err *e)
{
	kept.saves++;
	if (kept.fail_save) {
		err_set(e, EXIT_FAIL, "cannot write tools.json (test)");
		return -1;
	}
	snprintf(kept.saved_id, sizeof kept.saved_id, "%s", id);
	kept.nsaved = n;
	for (size_t i = 0; i < n && i < 4; i++)
		snprintf(kept.saved[i], sizeof kept.saved[i], "%s", names[i]);
	return 0;
}

/* The sets kept from now on. */
static void keep_sets(void)
{
	memset(&kept, 0, sizeof kept);
	C.tools->load = load;
	C.tools->save = save;
}

/* A new conversation shown (the one of setup gets an exchange first: an empty one is
 * "new already"). */
static void new_conversation(void)
{
	exchange("hi", "hello");
	key("C-n");
}

static void test_restored_when_shown(void **state)
{
	(void)state;
	keep_sets();
	kept.give[0] = "gone"; /* no longer in config.json */
	kept.give[1] = "fake";
	int starts = sh.tool_starts;
	new_conversation();
	assert_int_equal(kept.loads, 1);
	assert_int_equal(sh.tool_starts, starts + 1);
	assert_true(ctl_tools_enabled(&C, "fake"));
	assert_false(ctl_tools_enabled(&C, "gone"));
	assert_int_equal(ctl_tools_count(&C), 2); /* fake/echo and fake/rm */
	/* shown again in this run: not loaded again; reading changes nothing on disk */
	ctl_tools_shown(&C, C.shown);
	assert_int_equal(kept.loads, 1);
	assert_int_equal(kept.saves, 0);
}

static void test_kept_on_change(void **state)
{
	(void)state;
	keep_sets();
	new_conversation();
	int starts = sh.tool_starts;
	type("/tools fake on");
	key("Enter");
	assert_int_equal(sh.tool_starts, starts + 1);
	assert_int_equal(kept.saves, 1);
	assert_string_equal(kept.saved_id, C.shown->conv.id);
	assert_int_equal(kept.nsaved, 1);
	assert_string_equal(kept.saved[0], "fake");
	type("/tools fake off");
	key("Enter");
	assert_int_equal(kept.saves, 2);
	assert_int_equal(kept.nsaved, 0);
}

static void test_failures_said(void **state)
{
	(void)state;
	keep_sets();
	kept.fail_load = 1;
	new_conversation();
	on_chat("tools.json cannot be read");
	assert_int_equal(ctl_tools_count(&C), 0);
	kept.fail_save = 1;
	type("/tools fake on");
	key("Enter");
	assert_non_null(strstr(C.message, "cannot write tools.json"));
	assert_non_null(strstr(C.message, "not kept for next time"));
	assert_true(ctl_tools_enabled(&C, "fake")); /* on for this run all the same */
}

/* Enter with the key's lookup left to the test: the shell holds the message. */
static void send_held(const char *why)
{
	input_key k;
	assert_int_equal(input_key_parse("Enter", &k), 0);
	int r = ctl_key(&C, k, now += 0.01, wall);
	assert_true(r & CTL_NEED_KEY);
	assert_true(C.pending.active);
	ctl_pending_hold(&C, why);
}

static void test_held_send_dropped(void **state)
{
	(void)state;
	type("hello");
	send_held("the message waits for MCP server fake to start");
	assert_non_null(strstr(C.message, "waits for MCP server fake"));
	key("Escape");
	assert_false(C.pending.active);
	assert_string_equal(input(), "hello");
	assert_non_null(strstr(C.message, "not sent"));
	/* released: the line goes, and Esc no longer drops it */
	send_held("waits");
	ctl_pending_hold(&C, NULL);
	assert_string_equal(C.message, "");
	key("Escape");
	assert_true(C.pending.active);
}

/* A retry asked for while a message to two models is held (a server starting: keys
 * still reach the chat) is refused with a line, and the message keeps both models. */
static void test_retry_while_held(void **state)
{
	(void)state;
	type("@fo/a @fo/b hello");
	send_held("the message waits for MCP server fake to start");
	assert_int_equal(C.pending.nspecs, 2);
	ctl_request_retry_at(&C, 1);
	assert_int_equal(C.pending.nspecs, 2);
	assert_non_null(strstr(C.message, "waiting"));
	assert_true(C.pending.active);
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
		cmocka_unit_test_setup_teardown(test_retry_while_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_send_dropped, setup, teardown),
		cmocka_unit_test(test_file_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
