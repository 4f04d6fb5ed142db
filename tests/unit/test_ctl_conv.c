/* test_ctl_conv: the controller's conversations, event by event (ctl_fixture.h): a new
 * one, the list (its mode, order, ages, deleting, replacing it as read in steps),
 * renaming, opening by title, a context break, the totals, tokens and cost, and a
 * provider's note on an answer kept through every rebuild of the view. */
#include "ctl_fixture.h"

static void test_new_conversation(void **state)
{
	(void)state;
	key("C-n");
	assert_non_null(strstr(C.message, "new conversation already"));
	exchange("first", "answer one");
	char first[HIST_ID_MAX + 1];
	snprintf(first, sizeof first, "%s", C.shown->conv.id);
	key("C-n");
	assert_string_not_equal(C.shown->conv.id, first);
	assert_int_equal(C.shown->conv.n, 0);
	/* the switcher lists the first and opens it */
	key("C-t");
	assert_int_equal(C.mode, MODE_PICK);
	assert_int_equal(C.ov.kind, CTL_OV_SWITCHER);
	assert_int_equal(C.ov.nmatch, 1);
	type("first");
	assert_int_equal(C.ov.nmatch, 1);
	key("Enter");
	assert_string_equal(C.shown->conv.id, first);
	on_chat("answer one");
}

static void test_list_mode(void **state)
{
	(void)state;
	exchange("alpha", "A");
	key("C-n");
	exchange("beta", "B");
	assert_int_equal(C.nlist, 2);
	assert_true(C.list_visible);
	key("M-l");
	assert_int_equal(C.mode, MODE_LIST);
	assert_int_equal(C.list_sel, 0);
	key("Down");
	assert_int_equal(C.list_sel, 1);
	key("Up");
	key("Down");
	key("Enter");
	assert_int_equal(C.mode, MODE_CHAT);
	on_chat("alpha");
	key("M-l");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	/* from the list, F8 asks; n keeps it; y deletes and selects the neighbour */
	key("M-l");
	key("F8");
	assert_int_equal(C.mode, MODE_CONFIRM);
	key("n");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_non_null(strstr(C.message, "not deleted"));
	assert_int_equal(C.nlist, 2);
	key("M-l");
	key("Delete");
	assert_int_equal(C.mode, MODE_CONFIRM);
	key("y");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.nlist, 1);
	assert_non_null(strstr(C.message, "deleted"));
	/* C-q works from the list */
	key("M-l");
	key("C-q");
	assert_int_equal(sh.quits, 1);
}

static void test_confirm_any_other_key_is_no(void **state)
{
	(void)state;
	exchange("keep", "kept");
	key("F8");
	assert_int_equal(C.mode, MODE_CONFIRM);
	key("x");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_true(C.shown->on_disk);
	key("F8");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_true(C.shown->on_disk);
}

static void test_delete_unsaved(void **state)
{
	(void)state;
	key("F8");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_non_null(strstr(C.message, "not saved yet"));
}

static void test_toggle_list(void **state)
{
	(void)state;
	int w = C.chat_w;
	key("F3");
	assert_false(C.list_visible);
	assert_true(C.chat_w > w);
	key("F3");
	assert_true(C.list_visible);
	/* a narrow terminal hides it */
	ctl_resize(&C, 20, 60);
	assert_false(C.list_visible);
	key("M-l");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_non_null(strstr(C.message, "hidden"));
}

static void test_rename(void **state)
{
	(void)state;
	exchange("a title", "x");
	key("F6");
	assert_string_equal(input(), "/rename a title");
	/* the title is selected: typing replaces it (issue 11, 4) */
	type("New name");
	assert_string_equal(input(), "/rename New name");
	key("Enter");
	assert_string_equal(C.shown->conv.title, "New name");
	assert_string_equal(C.list[0].title, "New name");
	assert_string_equal(input(), "");
}

static void test_open_by_title(void **state)
{
	(void)state;
	exchange("apples and pears", "fruit");
	key("C-n");
	exchange("apple pie", "dessert");
	key("C-n");
	exchange("bicycles", "wheels");
	type("/open pears");
	key("Enter");
	on_chat("fruit");
	type("/open apple");
	key("Enter");
	assert_int_equal(C.mode, MODE_PICK);
	assert_int_equal(C.ov.nmatch, 2);
	key("Esc");
	type("/open zebra");
	key("Enter");
	assert_non_null(strstr(C.message, "no conversation"));
}

/* The list: relative ages, newest first as the switcher, the neighbour after a delete,
 * and a short welcome in an empty conversation (issue 11, 7). */
static void test_list_order_and_delete(void **state)
{
	(void)state;
	char age[8];
	ctl_age(1000, 1000, age);
	assert_string_equal(age, "now");
	ctl_age(1000, 1000 + 5 * 60 + 3, age);
	assert_string_equal(age, "5m");
	ctl_age(0, 3 * 3600, age);
	assert_string_equal(age, "3h");
	ctl_age(0, 2 * 86400, age);
	assert_string_equal(age, "2d");
	ctl_age(0, 45 * 86400, age);
	assert_string_equal(age, "6w");
	ctl_age(0, 100 * 86400, age);
	assert_string_equal(age, "3mo");
	ctl_age(0, 800 * 86400, age);
	assert_string_equal(age, "2y");
	on_chat("Type a message and press Enter to ask fo/a.");
	on_chat("C-o chooses another model");
	wall += 10;
	exchange("first", "1");
	wall += 10;
	key("C-n");
	exchange("second", "2");
	wall += 10;
	key("C-n");
	exchange("third", "3");
	assert_null(strstr(chat_text(), "Type a message"));
	assert_int_equal(C.nlist, 3);
	assert_string_equal(C.list[0].title, "third");
	/* renaming keeps the order (the switcher's: last activity) */
	type("/rename Third");
	key("Enter");
	assert_string_equal(C.list[0].title, "Third");
	key("C-t");
	assert_string_equal(C.ov.items[C.ov.match[0]], C.list[0].id);
	assert_string_equal(C.ov.items[C.ov.match[2]], C.list[2].id);
	key("Esc");
	/* delete the middle one: the one below it is shown */
	key("M-l");
	key("Down");
	key("Enter");
	on_chat("second");
	key("F8");
	key("y");
	assert_int_equal(C.nlist, 2);
	on_chat("first");
	assert_string_equal(C.shown->conv.title, "first");
	/* delete the last one in the list: the one above */
	key("F8");
	key("y");
	assert_string_equal(C.shown->conv.title, "Third");
	key("F8");
	key("y");
	assert_int_equal(C.nlist, 0);
	assert_int_equal(C.shown->conv.n, 0);
}

/* The list as read in steps replaces the old one: the selection stays put, and an
 * entry this run wrote keeps its fresher state. */
static void test_list_replace(void **state)
{
	(void)state;
	exchange("mine", "fresh");
	char mine[HIST_ID_MAX + 1];
	snprintf(mine, sizeof mine, "%s", C.shown->conv.id);
	struct hist_entry *v = calloc(3, sizeof *v);
	const char *ids[2] = {"aaaa0001", "aaaa0002"};
	for (int i = 0; i < 2; i++) {
		assert_int_equal(hist_entry_set(&v[i], ids[i], i ? "second" : "first", "fo/a"), 0);
		v[i].updated = wall - 100 - i;
	}
	/* the file as read before this run's message: an older title */
	assert_int_equal(hist_entry_set(&v[2], mine, "stale", "fo/a"), 0);
	v[2].updated = wall - 500;
	ctl_list_replace(&C, v, 3);
	assert_int_equal(C.nlist, 3);
	assert_string_equal(C.list[0].title, "mine");
	assert_string_equal(C.list[1].title, "first");
	assert_string_equal(C.list[C.list_sel].id, mine);
}

/* A conversation written by another process (updated at t). */
static void save_elsewhere(const char *id, const char *title, double t)
{
	struct hist_conv hc;
	struct err e = {0, ""};
	assert_int_equal(hist_conv_init(&hc, id, t), 0);
	assert_int_equal(hist_set_str(&hc.title, title), 0);
	assert_non_null(hist_add(&hc, hc.current, "user", "hello", t));
	hc.updated = t;
	assert_int_equal(histstore_save(&store, &hc, &e), 0);
	hist_conv_free(&hc);
}

/* The shell that knows what changed on disk since the list was read (histwatch.h): it
 * reads those conversations only and gives them through ctl_list_changed. */
static char changed_ids[4][HIST_ID_MAX + 1];
static size_t nchanged;

static int refresh_changed(void)
{
	struct hist_entry *v;
	size_t n;
	struct err e = {0, ""};
	assert_int_equal(histstore_entries_of(&store, (const char(*)[HIST_ID_MAX + 1])changed_ids,
					      nchanged, &v, &n, NULL, &e), 0);
	ctl_list_changed(&C, (const char(*)[HIST_ID_MAX + 1])changed_ids, nchanged, v, n);
	nchanged = 0;
	return 1;
}

/* C-t when the shell knows what changed: the switcher opens at once over the list with
 * those changes, without reading the whole list again (conv_list is not called); a change
 * while it is open shows in it, the selection staying on its conversation. */
static void test_switcher_changes_only(void **state)
{
	(void)state;
	exchange("mine", "fresh");
	save_elsewhere("else0001", "older one", wall - 200);
	save_elsewhere("else0002", "to be deleted", wall - 100);
	ctl_load_list(&C);
	assert_int_equal(C.nlist, 3);
	int lists = sh.lists;
	fixture.list_refresh = refresh_changed;
	/* elsewhere: one made, one deleted, one renamed */
	struct err e = {0, ""};
	save_elsewhere("else0003", "made elsewhere", wall + 50);
	assert_int_equal(histstore_remove(&store, "else0002", &e), 0);
	save_elsewhere("else0001", "renamed elsewhere", wall - 200);
	const char *ids[] = {"else0003", "else0002", "else0001"};
	for (nchanged = 0; nchanged < 3; nchanged++)
		snprintf(changed_ids[nchanged], sizeof changed_ids[0], "%s", ids[nchanged]);
	key("C-t");
	assert_int_equal(C.mode, MODE_PICK);
	assert_int_equal(C.ov.kind, CTL_OV_SWITCHER);
	assert_int_equal(sh.lists, lists); /* the list was not read again */
	assert_int_equal(C.ov.nmatch, 3);
	assert_string_equal(C.ov.items[C.ov.match[0]], "else0003");
	assert_string_equal(C.ov.items[C.ov.match[2]], "else0001");
	assert_string_equal(C.list[2].title, "renamed elsewhere");
	struct buf label = BUF_INIT;
	ctl_overlay_label(&C, C.ov.match[0], &label);
	assert_non_null(strstr(label.data, "made elsewhere  (1)"));
	buf_free(&label);
	/* the last selected; then it is deleted elsewhere and one more is made, meanwhile */
	key("Down");
	assert_int_equal(C.ov.sel, 1);
	assert_string_equal(C.ov.items[C.ov.match[1]], C.shown->conv.id);
	assert_int_equal(histstore_remove(&store, "else0003", &e), 0);
	save_elsewhere("else0004", "newest", wall + 60);
	snprintf(changed_ids[0], sizeof changed_ids[0], "else0003");
	snprintf(changed_ids[1], sizeof changed_ids[1], "else0004");
	nchanged = 2;
	refresh_changed();
	assert_int_equal(C.ov.nmatch, 3);
	assert_string_equal(C.ov.items[C.ov.match[0]], "else0004");
	assert_string_equal(C.ov.items[C.ov.match[C.ov.sel]], C.shown->conv.id);
	/* the filter still applies to what changed */
	type("elsewhere");
	assert_int_equal(C.ov.nmatch, 1);
	key("Enter");
	assert_string_equal(C.shown->conv.id, "else0001");
	fixture.list_refresh = NULL;
}

/* Typing into the switcher narrows what matched: a character looks only at the entries
 * the filter before it passed (100,000 conversations are not all looked at again at each
 * key); erasing one looks at them all again. */
static void test_switcher_narrows(void **state)
{
	(void)state;
	for (int i = 0; i < 30; i++) {
		char id[16], title[32];
		snprintf(id, sizeof id, "n%04d", i);
		snprintf(title, sizeof title, i % 3 ? "pear %d" : "apple %d", i);
		save_elsewhere(id, title, wall - 100 - i);
	}
	ctl_load_list(&C);
	key("C-t");
	assert_int_equal(C.ov.kind, CTL_OV_SWITCHER);
	assert_int_equal(C.ov.nitems, 30);
	static const struct {
		const char *typed, *key; /* one of them */
		size_t looked, kept;
	} steps[] = {
		{"a", NULL, 30, 30}, {"p", NULL, 30, 10},   {"p", NULL, 10, 10},
		{NULL, "Backspace", 30, 10}, {"x", NULL, 10, 0}, {NULL, "Backspace", 30, 10},
		{NULL, "Backspace", 30, 30},
	};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		if (steps[i].typed)
			type(steps[i].typed);
		else
			key(steps[i].key);
		assert_int_equal(C.ov.looked, steps[i].looked);
		assert_int_equal(C.ov.nmatch, steps[i].kept);
	}
	/* a filter that begins with a character outside ASCII */
	key("Esc");
	save_elsewhere("n9999", "Über alles", wall - 10);
	ctl_load_list(&C);
	key("C-t");
	type_text("Üb");
	assert_int_equal(C.ov.nmatch, 1);
	assert_string_equal(C.ov.items[C.ov.match[0]], "n9999");
}

/* M-k: a context break after the last answer; the next request sends only what follows
 * it, the earlier messages stay shown (dimmed), the break is saved (format version 2)
 * and M-k again restores the context. */
static void test_context_break(void **state)
{
	(void)state;
	key("M-k");
	assert_non_null(strstr(C.message, "no context"));
	exchange("old topic", "old answer");
	long before = C.totals.next_tokens;
	assert_true(before > 0);
	key("M-k");
	on_chat("context cleared");
	assert_true(C.shown->conv.msgs[msg_index("old answer")].context_break);
	assert_true(C.totals.next_tokens < before);
	assert_int_equal(ctl_msg_dimmed(&C, 0), 1);
	type("new topic");
	key("Enter");
	struct wire_msg *msgs;
	size_t n;
	assert_int_equal(chat_request_msgs(C.shown, ST()->answer, &msgs, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(msgs[0].content, "new topic");
	free(msgs);
	end_stream(HIST_COMPLETE, NULL);
	on_chat("old answer");
	on_chat("context cleared");
	struct hist_conv d;
	struct err e;
	err_clear(&e);
	assert_int_equal(chat_save(C.shown, wall, &e), 0);
	assert_int_equal(histstore_load(&store, C.shown->conv.id, 1, &d, &e), HIST_LOAD_OK);
	size_t breaks = 0; /* journalled: the file's version says 2 once it is folded */
	for (size_t i = 0; i < d.n; i++)
		breaks += (size_t)d.msgs[i].context_break;
	assert_int_equal(breaks, 1);
	hist_conv_free(&d);
	/* selecting the old answer and x takes the break away */
	select_msg(msg_index("old answer"));
	key("x");
	assert_false(C.shown->conv.msgs[msg_index("old answer")].context_break);
	assert_null(strstr(chat_text(), "context cleared"));
	assert_int_equal(ctl_msg_dimmed(&C, 0), 0);
	key("Esc");
	select_msg(msg_index("old topic"));
	key("x");
	assert_non_null(strstr(C.message, "after an answer"));
}

/* The totals as counting them afresh gives them. */
static void assert_totals_fresh(const char *when)
{
	struct ctl_totals was = C.totals;
	C.totals.counted = 0;
	ctl_timer(&C, now, wall);
	if (was.next_tokens != C.totals.next_tokens || was.in != C.totals.in ||
	    was.out != C.totals.out || was.priced != C.totals.priced || was.cost != C.totals.cost)
		fail_msg("after %s the totals were ~%ld next, %ld in, %ld out, %d priced; counted "
			 "afresh ~%ld, %ld, %ld, %d", when, was.next_tokens, was.in, was.out,
			 was.priced, C.totals.next_tokens, C.totals.in, C.totals.out,
			 C.totals.priced);
}

/* The totals are counted again only when the conversation changed otherwise than by
 * its current answer's text (so a long conversation costs nothing more per event while
 * an answer streams): while it streams they follow its text, and after every change
 * they are what counting afresh gives. */
static void test_totals_follow_the_stream(void **state)
{
	(void)state;
	exchange("12345678", "answer");
	assert_totals_fresh("an exchange");
	type_text("and then");
	key("Enter");
	assert_totals_fresh("a send");
	long before = C.totals.next_tokens;
	static const char text[] = "forty bytes of answer, and forty more...";
	for (int i = 0; i < 10; i++) {
		now += 0.01;
		ctl_delta(&C, LAST(), text, sizeof text - 1, 0, now, wall);
		ctl_timer(&C, now, wall);
	}
	assert_int_equal(C.totals.next_tokens, before + 100); /* 400 bytes / 4 */
	assert_totals_fresh("an answer's deltas");
	end_stream(HIST_COMPLETE, NULL);
	assert_totals_fresh("an answer's end");
	type_text("typed");
	assert_totals_fresh("typing");
	key("C-u");
	key("M-k");
	assert_totals_fresh("a context break");
	assert_int_equal(C.totals.next_tokens, 0);
	key("M-k");
	assert_totals_fresh("the context back");
	assert_int_equal(C.totals.next_tokens, before + 100);
}

/* Two models answering at once: their deltas (the shown answer's and the other's) count
 * nothing again, whatever the conversation's length; their ends, a deletion, a retry
 * and another conversation do, and leave the totals as counting afresh gives them. */
static void test_totals_not_recounted_per_delta(void **state)
{
	(void)state;
	exchange("12345678", "answer");
	type("@fo/b @fo/c two at once");
	key("Enter");
	assert_int_equal(C.nstreams, 2);
	unsigned long a = stream_of("fo/b")->id, b = stream_of("fo/c")->id;
	ctl_timer(&C, now, wall);
	unsigned long recounts = C.totals.recounts;
	long before = C.totals.next_tokens;
	for (int i = 0; i < 50; i++) {
		now += 0.01;
		ctl_delta(&C, a, "abcd", 4, 0, now, wall);
		ctl_delta(&C, b, "wxyz", 4, 0, now, wall);
		ctl_delta(&C, b, "hmm", 3, 1, now, wall);
		ctl_timer(&C, now, wall);
	}
	assert_int_equal(C.totals.recounts, recounts);
	assert_int_equal(C.totals.next_tokens, before + 50); /* the shown answer's 200 bytes */
	assert_totals_fresh("two answers' deltas");
	end_id(b, HIST_COMPLETE, NULL);
	assert_true(C.totals.recounts > recounts);
	assert_totals_fresh("the other answer's end");
	end_id(a, HIST_COMPLETE, NULL);
	assert_totals_fresh("the shown answer's end");
	select_msg(msg_index("answer"));
	key("d");
	key("y");
	assert_totals_fresh("a deletion");
	key("Esc");
	key("C-n");
	assert_totals_fresh("a new conversation");
	assert_int_equal(C.totals.next_tokens, 0);
}

/* Tokens per answer in its header, the conversation's cost from config.json "prices"
 * (fo/a: 1000 and 2000 USD per million) in the status text and /stats; none invented
 * for a model without a price. */
static void test_tokens_and_cost(void **state)
{
	(void)state;
	struct buf t = BUF_INIT;
	ctl_totals_text(&C, &t);
	assert_string_equal(t.data, "~0 tok next");
	exchange("12345678", "answer"); /* 12 in, 4 out: (12000 + 8000) / 1e6 = $0.02 */
	on_chat("fo/a \xc2\xb7 12 in / 4 out \xc2\xb7 $0.0200");
	buf_reset(&t);
	ctl_totals_text(&C, &t);
	assert_string_equal(t.data, "~4 tok next \xc2\xb7 $0.0200"); /* 14 bytes / 4 */
	key("F2"); /* fo/b: no price */
	exchange("more", "x");
	on_chat("fo/b \xc2\xb7 12 in / 4 out\n");
	buf_reset(&t);
	ctl_totals_text(&C, &t);
	assert_non_null(strstr(t.data, "$0.0200"));
	type("/stats");
	key("Enter");
	on_chat("24 in, 8 out");
	on_chat("Cost: $0.0200 for the 1 answer whose model has a price");
	on_chat("bytes / 4");
	buf_free(&t);
}

/* A provider's note on an answer (cut by the length limit, refused) stays under it for as
 * long as it is shown: a resize, a rebuilt view (/system), another conversation and back
 * (read again from its file) all keep it; the next answer, without one, has none. */
static void test_note_stays(void **state)
{
	(void)state;
	static const char note[] = "[cut short by the length limit]";
	type_text("write JSON");
	key("Enter");
	now += 0.1;
	ctl_delta(&C, LAST(), "{\"", 2, 0, now, wall);
	struct outcome o;
	memset(&o, 0, sizeof o);
	o.status = HIST_COMPLETE;
	o.note = "cut short by the length limit";
	o.usage = (struct wire_usage){-1, -1, -1, -1};
	o.ttft = -1;
	shell(ctl_stream_end(&C, LAST(), &o, now, wall));
	on_chat(note);
	ctl_resize(&C, 40, 90);
	on_chat(note);
	type("/system be brief");
	key("Enter");
	on_chat(note);
	char first[HIST_ID_MAX + 1];
	snprintf(first, sizeof first, "%s", C.shown->conv.id);
	key("C-n");
	assert_null(strstr(chat_text(), note));
	key("C-t");
	type("write JSON");
	key("Enter");
	assert_string_equal(C.shown->conv.id, first);
	on_chat(note);
	exchange("again", "a whole answer");
	const char *t = chat_text();
	assert_non_null(strstr(t, note));
	assert_null(strstr(strstr(t, note) + 1, "[cut short"));
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_conversation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_confirm_any_other_key_is_no, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_unsaved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_toggle_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_by_title, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_order_and_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_switcher_changes_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_switcher_narrows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_context_break, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens_and_cost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_totals_follow_the_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_totals_not_recounted_per_delta, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_stays, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
