/* test_histlist_head: what the client's first frame waits for. With 5,000 conversations
 * and a warm index, begin reads a screen's rows and a margin of the index (no file, no
 * directory entry), and they are the newest, in order; the steps read the rest, each
 * snapshot meanwhile a head of the final list, which is the whole one. When the
 * directory changed since the index was written, the head is checked against its files
 * before it is shown; a change after the listing began is seen (histstore_list_dir_moved). */
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

#include "cherry/histstore.h"
#include "histlist_int.h"

#include "harness.h"

#define FMT(arr, ...) assert_true(snprintf(arr, sizeof arr, __VA_ARGS__) < (int)sizeof arr)

enum { N = 5000, ROWS = 40 };

static char root[512], data[600], cache[600], convdir[700];

static int setup(void **state)
{
	(void)state;
	/* 5,000 files take seconds on a busy disk: in memory when there is room for it */
	struct stat st;
	const char *base = getenv("TMPDIR");
	if (!base || base[0] != '/')
		base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
				       access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(root, sizeof root, "%s/cherry-histhead-XXXXXX", base);
	if (!mkdtemp(root))
		return -1;
	snprintf(data, sizeof data, "%s/data", root);
	snprintf(cache, sizeof cache, "%s/cache", root);
	snprintf(convdir, sizeof convdir, "%s/conversations", data);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return harness_rm_tree(root);
}

/* Conversation i written straight, as cherry writes it (the skim reads it), i seconds
 * newer than the first. */
static void write_conv(int i, const char *title)
{
	char id[16], path[900];
	struct hist_conv c;
	struct buf b = BUF_INIT;
	FMT(id, "c%05d", i);
	assert_int_equal(hist_conv_init(&c, id, 1700000000.0), 0);
	assert_int_equal(hist_set_str(&c.title, title), 0);
	assert_int_equal(hist_set_str(&c.model, "openai/gpt-4o-mini"), 0);
	assert_non_null(hist_add(&c, c.current, "user", "a question", 1700000000.0));
	c.updated = 1700000000.0 + i;
	assert_int_equal(hist_to_json(&c, &b), 0);
	FMT(path, "%s/%s.json", convdir, id);
	assert_int_equal(harness_write_file(path, b.data, b.len), 0);
	buf_free(&b);
	hist_conv_free(&c);
}

/* N conversations, then a listing that writes the index. */
static void make_history(struct histstore *s, struct hist_entry **all, size_t *nall)
{
	struct err e = {0, ""};
	if (histstore_open(s, data, cache, NULL, NULL, &e) < 0)
		fail_msg("histstore_open: %s", e.msg);
	for (int i = 0; i < N; i++) {
		char title[32];
		FMT(title, "Question %d", i);
		write_conv(i, title);
	}
	assert_int_equal(histstore_list(s, all, nall, &e), 0);
	assert_int_equal(*nall, N);
	assert_string_equal((*all)[0].id, "c04999");
	assert_string_equal((*all)[N - 1].id, "c00000");
}

/* v[0..n) is the head of all[0..nall): the same entries, in the same order. */
static void assert_head_of(const struct hist_entry *v, size_t n, const struct hist_entry *all,
			   size_t nall)
{
	assert_true(n <= nall);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(v[i].id, all[i].id);
		assert_string_equal(v[i].title, all[i].title);
		assert_string_equal(v[i].model, all[i].model);
		assert_true(v[i].updated == all[i].updated);
		assert_int_equal(v[i].nmsgs, all[i].nmsgs);
	}
}

static void test_first_screen_only(void **state)
{
	(void)state;
	struct histstore s;
	struct hist_entry *all, *v;
	size_t nall, n, parsed;
	make_history(&s, &all, &nall);
	struct err e = {0, ""};
	struct histstore_lister *l;
	assert_int_equal(histstore_list_begin_head(&s, ROWS, &l, &e), 0);
	/* before the first frame: a screen and a margin of the index, not a file read */
	size_t head = histstore_list_count(l);
	assert_true(head >= ROWS);
	assert_true(head <= 2 * ROWS + 16);
	assert_int_equal(histstore_list_read(l, &parsed), 0);
	assert_int_equal(histstore_list_snapshot(l, &v, &n, &e), 0);
	assert_int_equal(n, head);
	assert_head_of(v, n, all, nall);
	histstore_entries_free(v, n);
	/* the rest in steps: each snapshot the final list's head, until it is all there */
	size_t last = head;
	int r, steps = 0;
	while ((r = histstore_list_step(l, 0, 0.05, &e)) == 0) {
		steps++;
		size_t c = histstore_list_count(l);
		assert_true(c >= last);
		last = c;
		if (steps % 8 == 0) {
			assert_int_equal(histstore_list_snapshot(l, &v, &n, &e), 0);
			assert_head_of(v, n, all, nall);
			histstore_entries_free(v, n);
		}
	}
	assert_int_equal(r, 1);
	assert_true(steps > 1);
	assert_int_equal(histstore_list_read(l, &parsed), 0); /* warm: no file read */
	assert_int_equal(histstore_list_finish(l, &v, &n, &e), 0);
	assert_int_equal(n, nall);
	assert_head_of(v, n, all, nall);
	histstore_entries_free(v, n);

	/* no rows asked: the index's header (whether the directory changed since) and the
	 * lines of that first small read */
	assert_int_equal(histstore_list_begin_head(&s, 0, &l, &e), 0);
	assert_true(histstore_list_count(l) < 64);
	assert_int_equal(histstore_list_step(l, 0, 0, &e), 1);
	assert_int_equal(histstore_list_read(l, &parsed), 0);
	assert_int_equal(histstore_list_finish(l, &v, &n, &e), 0);
	assert_int_equal(n, nall);
	assert_head_of(v, n, all, nall);
	histstore_entries_free(v, n);
	histstore_entries_free(all, nall);
	histstore_close(&s);
}

/* The directory changed since the index was written: the head shown first is checked
 * against the files (a deleted conversation is not shown, a renamed one shows its new
 * title), still without reading the directory. */
static void test_first_screen_checked(void **state)
{
	(void)state;
	struct histstore s;
	struct hist_entry *all, *v;
	size_t nall, n, parsed;
	make_history(&s, &all, &nall);
	char path[900];
	FMT(path, "%s/c04999.json", convdir);
	assert_int_equal(unlink(path), 0);
	write_conv(4998, "Renamed elsewhere");
	struct err e = {0, ""};
	struct histstore_lister *l;
	assert_int_equal(histstore_list_begin_head(&s, ROWS, &l, &e), 0);
	size_t head = histstore_list_count(l);
	assert_true(head <= 2 * ROWS + 16);
	assert_int_equal(histstore_list_read(l, &parsed), 1); /* the renamed one, skimmed */
	/* the client asks, once its watch is made, whether the directory changed since the
	 * listing began (then it reads it again): not yet; a name made in it, yes */
	assert_int_equal(histstore_list_dir_moved(l), 0);
	char made[900];
	FMT(made, "%s/c09999.json.tmp", convdir);
	usleep(20000); /* past the clock's tick: a directory's time is that coarse */
	assert_int_equal(harness_write_file(made, "x", 1), 0);
	assert_int_equal(unlink(made), 0);
	assert_int_equal(histstore_list_dir_moved(l), 1);
	assert_int_equal(histstore_list_snapshot(l, &v, &n, &e), 0);
	assert_int_equal(n, head - 1);
	assert_string_equal(v[0].id, "c04998");
	assert_string_equal(v[0].title, "Renamed elsewhere");
	assert_head_of(v + 1, n - 1, all + 2, nall - 2);
	histstore_entries_free(v, n);
	assert_int_equal(histstore_list_finish(l, &v, &n, &e), 0);
	assert_int_equal(n, nall - 1);
	assert_string_equal(v[0].title, "Renamed elsewhere");
	assert_head_of(v + 1, n - 1, all + 2, nall - 2);
	histstore_entries_free(v, n);
	histstore_entries_free(all, nall);
	histstore_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_screen_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_screen_checked, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
