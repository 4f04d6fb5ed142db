/* test_attstore: the removal of attachments no conversation mentions, in steps: a few
 * files read a step, the unmentioned removed at the end and the mentioned kept (by a
 * conversation, its journal, or a file kept aside in corrupt/), more candidates reading
 * every file again, an attachment stored meanwhile never removed, and nothing removed
 * when a file cannot be read. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cherry/attstore.h"
#include "cherry/histstore.h"
#include "harness.h"

#define FILES 20

static char root[128], conv[192], att[192];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/cherry-attstore-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(conv, sizeof conv, "%s/conversations", root);
	snprintf(att, sizeof att, "%s/attachments", root);
	return mkdir(conv, 0700);
}

static int teardown(void **state)
{
	(void)state;
	return harness_rm_tree(root);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A conversation file mentioning hex (NULL: none). */
static void conversation(const char *name, const char *hex)
{
	char text[512];
	snprintf(text, sizeof text, "{\"messages\": [{\"attachments\": [{\"sha256\": \"%s\"}]}]}",
		 hex ? hex : "");
	write_file(conv, name, text);
}

/* FILES conversations c00.json...; the one numbered which mentions hex. */
static void conversations(int which, const char *hex)
{
	for (int i = 0; i < FILES; i++) {
		char name[32];
		snprintf(name, sizeof name, "c%02d.json", i);
		conversation(name, i == which ? hex : NULL);
	}
}

static void put(const char *bytes, char hex[65])
{
	struct err e = {0, ""};
	assert_int_equal(attstore_put(att, (const unsigned char *)bytes, strlen(bytes), hex, &e), 0);
}

static int there(const char *hex)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", att, hex);
	return access(p, F_OK) == 0;
}

static void test_steps_keep_the_mentioned(void **state)
{
	(void)state;
	char a[65], b[65], c[65], j[65];
	put("attached to one", a);
	put("attached to none", b);
	put("in a file kept aside", c);
	put("in a journal", j);
	conversations(7, a);
	conversation("c03.jsonl", j);
	char aside[256];
	snprintf(aside, sizeof aside, "%s/corrupt", conv);
	assert_int_equal(mkdir(aside, 0700), 0);
	write_file(aside, "c99.json.1", "{not json, but \"sha256\": \"");
	char text[256];
	snprintf(text, sizeof text, "{\"sha256\": \"%s\"", c);
	write_file(aside, "c98.json", text);
	struct buf hashes = BUF_INIT;
	buf_append(&hashes, a, 65);
	buf_append(&hashes, b, 65);
	buf_append(&hashes, c, 65);
	buf_append(&hashes, j, 65);
	struct attstore_collector *k = attstore_collect_begin(conv, &hashes);
	assert_non_null(k);
	int steps = 0;
	while (attstore_collect_step(k, 4)) {
		steps++;
		assert_true(there(b)); /* nothing goes before every file was read */
	}
	assert_true(steps >= FILES / 4);
	assert_true(there(a));
	assert_false(there(b));
	assert_true(there(c));
	assert_true(there(j));
	assert_int_equal(attstore_collect_step(k, 4), 0); /* done: nothing more */
	attstore_collect_end(k);
	buf_free(&hashes);
}

/* More candidates while it runs: the files already read are read again for them. */
static void test_add_reads_again(void **state)
{
	(void)state;
	char a[65], b[65];
	put("first", a);
	put("second", b);
	conversations(0, b); /* c00.json is read in the first step */
	struct buf ha = BUF_INIT, hb = BUF_INIT;
	buf_append(&ha, a, 65);
	buf_append(&hb, b, 65);
	struct attstore_collector *k = attstore_collect_begin(conv, &ha);
	assert_non_null(k);
	for (int i = 0; i < FILES / 2; i++)
		assert_int_equal(attstore_collect_step(k, 1), 1);
	assert_int_equal(attstore_collect_add(k, &hb), 0);
	attstore_collect_end(k); /* finishes */
	assert_false(there(a));
	assert_true(there(b));
	buf_free(&ha);
	buf_free(&hb);
}

/* An attachment stored again while the removal runs (a new message, not saved yet,
 * attaching the same file) stays. */
static void test_stored_meanwhile_stays(void **state)
{
	(void)state;
	char a[65], again[65];
	put("attached again", a);
	conversation("c00.json", NULL);
	struct buf h = BUF_INIT;
	buf_append(&h, a, 65);
	struct attstore_collector *k = attstore_collect_begin(conv, &h);
	assert_non_null(k);
	put("attached again", again);
	assert_string_equal(a, again);
	while (attstore_collect_step(k, 1))
		;
	assert_true(there(a));
	attstore_collect_end(k);
	/* the next removal, with nothing stored meanwhile, takes it */
	attstore_collect(conv, &h);
	assert_false(there(a));
	buf_free(&h);
}

/* A conversation that cannot be read may mention anything: nothing is removed. */
static void test_unsure_removes_nothing(void **state)
{
	(void)state;
	char a[65];
	put("kept when unsure", a);
	conversation("c00.json", NULL);
	char p[512];
	snprintf(p, sizeof p, "%s/c01.json", conv);
	assert_int_equal(mkdir(p, 0700), 0); /* a directory where a file should be */
	struct buf h = BUF_INIT;
	buf_append(&h, a, 65);
	attstore_collect(conv, &h);
	assert_true(there(a));
	buf_free(&h);
}

/* The client's store: a conversation removed takes its attachment with it only in the
 * steps that follow (the keys never wait while every conversation is read), and closing
 * the store finishes what is left. */
static void test_store_collects_later(void **state)
{
	(void)state;
	char data[256], cache[256];
	snprintf(data, sizeof data, "%s/data", root);
	snprintf(cache, sizeof cache, "%s/cache", root);
	struct histstore s;
	struct err e = {0, ""};
	assert_int_equal(histstore_open(&s, data, cache, NULL, NULL, &e), 0);
	histstore_collect_later(&s);
	snprintf(conv, sizeof conv, "%s", s.dir);
	snprintf(att, sizeof att, "%s/data/attachments", root);
	char a[65], b[65];
	put("its own", a);
	put("another's too", b);
	conversations(3, b);
	conversation("gone0001.json", a);
	conversation("gone0002.json", a);
	assert_int_equal(histstore_remove(&s, "gone0001", &e), 0);
	assert_true(there(a)); /* nothing read yet */
	int steps = 0;
	while (histstore_collect_step(&s, 4))
		steps++;
	assert_true(steps >= FILES / 4);
	assert_true(there(a)); /* gone0002 mentions it */
	assert_int_equal(histstore_remove(&s, "gone0002", &e), 0);
	assert_int_equal(histstore_collect_step(&s, 4), 1);
	assert_true(there(a));
	histstore_close(&s); /* the rest, at once */
	assert_false(there(a));
	assert_true(there(b));
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_steps_keep_the_mentioned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_reads_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stored_meanwhile_stays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsure_removes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_collects_later, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
