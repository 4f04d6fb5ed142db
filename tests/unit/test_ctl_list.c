/* test_ctl_list: the controller while the shell still reads the conversation list (a
 * big history's rest comes in steps after the first frame): a delete takes the entry out
 * without reading the list again, and a list read before the delete does not bring it
 * back; a rename (which does not date a conversation) stands against a list read before
 * it, and a conversation the list had not reached is not dropped; the switcher and /open
 * by title wait for the whole list (a part would be a wrong one) and open when it comes,
 * unless the user went on to another overlay; a shell that reads the list in steps is
 * asked to read it again for the switcher, which opens when it has. The list is never
 * read at once meanwhile (the fake shell counts). */
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

#include "harness.h"

static char root[512];
static struct histstore store;
static struct app app;
static struct edit ed;
static struct ctl C;
static double now = 1000, wall = 1.7e9;
static int lists; /* times the controller read the list itself */

static const char config_text[] =
	"{\"providers\": {\"fo\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:9\","
	"  \"key_env\": \"FAKE_OPENAI_KEY\", \"models\": [\"a\"]}}, \"default_model\": \"fo/a\"}";

static int w_conv_new(void *ctx, struct chat **out, struct err *e)
{
	(void)ctx;
	return chat_new_alloc(&store, wall, out, e);
}

static int w_conv_open(void *ctx, const char *id, struct chat **out, struct err *e)
{
	(void)ctx;
	return chat_open_alloc(&store, id, out, e);
}

static void w_conv_close(void *ctx, struct chat *c)
{
	(void)ctx;
	chat_close_free(c);
}

static int w_conv_delete(void *ctx, struct chat *c, struct err *e)
{
	(void)ctx;
	return chat_delete(c, e);
}

static int w_conv_list(void *ctx, struct hist_entry **v, size_t *n, struct err *e)
{
	(void)ctx;
	lists++;
	return histstore_list(&store, v, n, e);
}

static int w_conv_resolve(void *ctx, const char *prefix, char id[HIST_ID_MAX + 1],
			  struct err *e)
{
	(void)ctx;
	return histstore_resolve(&store, prefix, id, e);
}

static int refresh_async, refreshes; /* the shell reads the list again in steps */

static int w_list_refresh(void *ctx)
{
	(void)ctx;
	refreshes++;
	return refresh_async ? 0 : -1;
}

static int w_resolve(void *ctx, const char *spec, struct provider **p, const char **m,
		     struct err *e)
{
	(void)ctx;
	return app_resolve_model(&app, spec, p, m, e);
}

static const struct ctl_world world = {
	.conv_new = w_conv_new,
	.conv_open = w_conv_open,
	.conv_close = w_conv_close,
	.conv_delete = w_conv_delete,
	.conv_list = w_conv_list,
	.conv_resolve = w_conv_resolve,
	.resolve_model = w_resolve,
	.list_refresh = w_list_refresh,
};

static void key(const char *name)
{
	input_key k;
	if (input_key_parse(name, &k) < 0)
		fail_msg("no key named %s", name);
	now += 0.01;
	ctl_key(&C, k, now, wall);
}

static void type(const char *s)
{
	for (const char *p = s; *p; p++) {
		now += 0.001;
		ctl_key(&C, (unsigned char)*p, now, wall);
	}
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
	for (size_t i = n; i < all; i++) {
		free(v[i].title);
		free(v[i].model);
	}
	ctl_list_replace(&C, v, n);
}

/* A list read before c3 was deleted: its first n of c3, c2, c1. */
static void replace_with(size_t n)
{
	static const char *const ids[] = {"c3", "c2", "c1"};
	struct hist_entry *v = calloc(n, sizeof *v);
	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		snprintf(v[i].id, sizeof v[i].id, "%s", ids[i]);
		v[i].title = strdup(ids[i]);
		v[i].model = strdup("fo/a");
		v[i].updated = wall - 300 - (double)i;
	}
	ctl_list_replace(&C, v, n);
}

static int setup(void **unused)
{
	(void)unused;
	const char *base = getenv("TMPDIR");
	snprintf(root, sizeof root, "%s/cherry-ctllist-XXXXXX",
		 base && base[0] == '/' ? base : "/tmp");
	if (!mkdtemp(root))
		return -1;
	char data[600], cache[600];
	snprintf(data, sizeof data, "%s/data", root);
	snprintf(cache, sizeof cache, "%s/cache", root);
	struct err e;
	err_clear(&e);
	if (histstore_open(&store, data, cache, NULL, NULL, &e) < 0)
		return -1;
	memset(&app, 0, sizeof app);
	if (config_parse(&app.cfg, config_text, strlen(config_text), "config.json", NULL, NULL,
			 NULL, &e) < 0)
		return -1;
	put_convs();
	edit_init(&ed, 10);
	if (ctl_init(&C, &app.cfg, &world, &ed, NULL, NULL) < 0)
		return -1;
	struct ctl_start o = {0};
	o.conversation = "c3";
	int r = 0;
	if (ctl_begin(&C, &o, now, wall, &r, &e) < 0)
		return -1;
	ctl_resize(&C, 24, 100);
	/* the shell has read the index's head: the newest two */
	ctl_list_reading(&C, 1);
	shell_read(2);
	lists = refreshes = refresh_async = 0;
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	ctl_free(&C);
	edit_free(&ed);
	config_free(&app.cfg);
	histstore_close(&store);
	return harness_rm_tree(root);
}

static void test_delete_while_read(void **state)
{
	(void)state;
	assert_string_equal(C.shown->conv.id, "c3");
	key("F8");
	key("y");
	assert_non_null(strstr(C.message, "deleted"));
	assert_int_equal(lists, 0); /* not read again */
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
	assert_int_equal(lists, 0);
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
	assert_int_equal(lists, 0);
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
	assert_int_equal(lists, 0); /* the list as read, not read again */
	/* read whole: the switcher reads it again at once, as before */
	key("Esc");
	key("C-t");
	assert_int_equal(C.ov.kind, CTL_OV_SWITCHER);
	assert_int_equal(lists, 1);
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
	assert_int_equal(lists, 0);
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
		cmocka_unit_test_setup_teardown(test_delete_while_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_while_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_switcher_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_switcher_reads_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_by_title_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_switcher_not_over_another, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
