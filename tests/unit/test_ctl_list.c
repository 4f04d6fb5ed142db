/* test_ctl_list: the controller while the shell still reads the conversation list (a
 * big history's rest comes in steps after the first frame): a delete takes the entry out
 * without reading the list again, and a list read before the delete does not bring it
 * back; a rename (which does not date a conversation) stands against a list read before
 * it, and a conversation the list had not reached is not dropped; the switcher and /open
 * by title wait for the whole list (a part would be a wrong one) and open when it comes,
 * unless the user went on to another overlay; a shell that reads the list in steps is
 * asked to read it again for the switcher, which opens when it has. The list is never
 * read at once meanwhile (the fake shell counts). */
#include "ctl_fixture.h"

static int refresh_async, refreshes; /* the shell reads the list again in steps */

static int list_refresh(void)
{
	refreshes++;
	return refresh_async ? 0 : -1;
}

/* Conversations c1 (oldest) .. c3 (newest), titled alpha, beta, gamma. */
static void put_convs(void)
{
	static const char *const titles[] = {"alpha", "beta", "gamma"};
	for (int i = 0; i < 3; i++) {
		char id[8];
		struct hist_conv c;
		struct err e;
		err_clear(&e);
		snprintf(id, sizeof id, "c%d", (i + 1) % 10);
		assert_int_equal(hist_conv_init(&c, id, wall - 1000), 0);
		assert_int_equal(hist_set_str(&c.title, titles[i]), 0);
		assert_non_null(hist_add(&c, c.current, "user", "a question", wall - 1000));
		c.updated = wall - 300 + i * 100;
		assert_int_equal(histstore_save(&store, &c, &e), 0);
		hist_conv_free(&c);
	}
}

/* The list as the shell read it: its first n entries (newest first). */
static void shell_read(size_t n)
{
	struct hist_entry *v;
	size_t all;
	struct err e;
	err_clear(&e);
	assert_int_equal(histstore_list(&store, &v, &all, &e), 0);
	assert_true(n <= all);
	for (size_t i = n; i < all; i++)
		hist_entry_clear(&v[i]);
	ctl_list_replace(&C, v, n);
}

/* A list read before c3 was deleted: its first n of c3, c2, c1. */
static void replace_with(size_t n)
{
	static const char *const ids[] = {"c3", "c2", "c1"};
	struct hist_entry *v = calloc(n, sizeof *v);
	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(hist_entry_set(&v[i], ids[i], ids[i], "fo/a"), 0);
		v[i].updated = wall - 300 - (double)i;
	}
	ctl_list_replace(&C, v, n);
}

/* The fixture's world with c1..c3 on disk, c3 shown, and the shell reading the list
 * in steps: the index's head (the newest two) read so far. */
static int list_setup(void **unused)
{
	if (setup(unused) < 0)
		return -1;
	put_convs();
	type("/open c3");
	key("Enter");
	if (!C.shown || strcmp(C.shown->conv.id, "c3"))
		return -1;
	fixture.list_refresh = list_refresh;
	ctl_list_reading(&C, 1);
	shell_read(2);
	sh.lists = refreshes = refresh_async = 0;
	return 0;
}

static int list_teardown(void **unused)
{
	fixture.list_refresh = NULL;
	return teardown(unused);
}

static void test_delete_while_read(void **state)
{
	(void)state;
	assert_string_equal(C.shown->conv.id, "c3");
	key("F8");
	key("y");
	assert_non_null(strstr(C.message, "deleted"));
	assert_int_equal(sh.lists, 0); /* not read again */
	assert_int_equal(C.nlist, 1);
	assert_string_equal(C.list[0].id, "c2");
	assert_string_equal(C.shown->conv.id, "c2"); /* the neighbour */
	/* lists read before the delete (a snapshot's head, then the whole): c3 stays out */
	replace_with(2);
	assert_int_equal(C.nlist, 1);
	assert_string_equal(C.list[0].id, "c2");
	replace_with(3);
	ctl_list_reading(&C, 0);
	assert_int_equal(C.nlist, 2);
	assert_string_equal(C.list[0].id, "c2");
	assert_string_equal(C.list[1].id, "c1");
	assert_string_equal(C.list[C.list_sel].id, "c2");
	assert_int_equal(sh.lists, 0);
}

/* The title of an entry as the controller lists it ("" when it is not listed). */
static const char *listed(const char *id)
{
	for (size_t i = 0; i < C.nlist; i++)
		if (!strcmp(C.list[i].id, id))
			return C.list[i].title;
	return "";
}

static void test_rename_while_read(void **state)
{
	(void)state;
	type("/rename Renamed");
	key("Enter");
	assert_string_equal(listed("c3"), "Renamed");
	/* a rename does not date the conversation: a list read before it keeps the old
	 * title, and the controller's entry stands */
	replace_with(3);
	assert_string_equal(listed("c3"), "Renamed");
	/* one the list had not reached yet, renamed: not dropped by a list without it */
	type("/open c1");
	key("Enter");
	assert_string_equal(C.shown->conv.id, "c1");
	type("/rename First");
	key("Enter");
	replace_with(2);
	assert_string_equal(listed("c1"), "First");
	assert_string_equal(listed("c3"), "Renamed");
	assert_string_equal(C.list[C.list_sel].id, "c1");
	assert_int_equal(sh.lists, 0);
}

static void test_switcher_waits(void **state)
{
	(void)state;
	key("C-t");
	assert_int_equal(C.ov.kind, CTL_OV_NONE);
	assert_non_null(strstr(C.message, "reading the conversation list"));
	shell_read(3);
	assert_int_equal(C.ov.kind, CTL_OV_NONE);
	ctl_list_reading(&C, 0);
	assert_int_equal(C.ov.kind, CTL_OV_SWITCHER);
	assert_int_equal(C.ov.nitems, 3);
	assert_int_equal(C.ov.nmatch, 3);
	assert_string_equal(C.message, "");
	assert_int_equal(sh.lists, 0); /* the list as read, not read again */
	/* read whole: the switcher reads it again at once, as before */
	key("Esc");
	key("C-t");
	assert_int_equal(C.ov.kind, CTL_OV_SWITCHER);
	assert_int_equal(sh.lists, 1);
}

/* A shell that reads the list in steps: the switcher asks it to read the list again
 * (what other processes changed) and opens when it has, the keys answered meanwhile. */
static void test_switcher_reads_again(void **state)
{
	(void)state;
	shell_read(3);
	ctl_list_reading(&C, 0);
	refresh_async = 1;
	key("C-t");
	assert_int_equal(refreshes, 1);
	assert_int_equal(C.list_reading, 1);
	assert_int_equal(C.ov.kind, CTL_OV_NONE);
	assert_int_equal(C.nlist, 3); /* the list shown stays whole meanwhile */
	key("C-t"); /* asked again while it is read: not read twice */
	assert_int_equal(refreshes, 1);
	shell_read(3);
	ctl_list_reading(&C, 0);
	assert_int_equal(C.ov.kind, CTL_OV_SWITCHER);
	assert_int_equal(C.ov.nitems, 3);
	assert_int_equal(sh.lists, 0);
}

static void test_open_by_title_waits(void **state)
{
	(void)state;
	/* alpha is the oldest: not in the head read so far */
	type("/open alph");
	key("Enter");
	assert_int_equal(C.ov.kind, CTL_OV_NONE);
	assert_null(strstr(C.message, "no conversation"));
	shell_read(3);
	ctl_list_reading(&C, 0);
	assert_int_equal(C.ov.kind, CTL_OV_SWITCHER);
	assert_int_equal(C.ov.nmatch, 1);
	assert_string_equal(C.ov.items[C.ov.match[0]], "c1");
}

static void test_switcher_not_over_another(void **state)
{
	(void)state;
	key("C-t");
	key("F1");
	assert_int_equal(C.ov.kind, CTL_OV_HELP);
	shell_read(3);
	ctl_list_reading(&C, 0);
	assert_int_equal(C.ov.kind, CTL_OV_HELP);
	key("Esc");
	assert_int_equal(C.ov.kind, CTL_OV_NONE);
	assert_null(C.switcher_wait);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_delete_while_read, list_setup, list_teardown),
		cmocka_unit_test_setup_teardown(test_rename_while_read, list_setup, list_teardown),
		cmocka_unit_test_setup_teardown(test_switcher_waits, list_setup, list_teardown),
		cmocka_unit_test_setup_teardown(test_switcher_reads_again, list_setup, list_teardown),
		cmocka_unit_test_setup_teardown(test_open_by_title_waits, list_setup, list_teardown),
		cmocka_unit_test_setup_teardown(test_switcher_not_over_another, list_setup, list_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
