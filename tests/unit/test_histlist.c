/* test_histlist: the listing's own structures: the id hash (histids.c), the index kept
 * newest first and read a block at a time (its head is a client's first screen), the
 * merge that puts changed conversations in their places, indexes that are stale, in an
 * older order or damaged (the files decide), and a cold rebuild: skimmed, and carried
 * on after a kill; the entries of conversations loaded, not parsed again; the watch of
 * what changed since a listing (histwatch.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <malloc.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cherry/histstore.h"
#include "cherry/histwatch.h"
#include "cherry/journal.h"
#include "histlist_int.h"

#include "harness.h"

#define FMT(arr, ...) assert_true(snprintf(arr, sizeof arr, __VA_ARGS__) < (int)sizeof arr)

static char root[512], data[600], cache[600], convdir[700], idx[700];

static int setup(void **state)
{
	(void)state;
	const char *base = getenv("TMPDIR");
	snprintf(root, sizeof root, "%s/cherry-histlist-XXXXXX",
		 base && base[0] == '/' ? base : "/tmp");
	if (!mkdtemp(root))
		return -1;
	snprintf(data, sizeof data, "%s/data", root);
	snprintf(cache, sizeof cache, "%s/cache", root);
	snprintf(convdir, sizeof convdir, "%s/conversations", data);
	snprintf(idx, sizeof idx, "%s/history-index", cache);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return harness_rm_tree(root);
}

static void open_store(struct histstore *s)
{
	struct err e = {0, ""};
	if (histstore_open(s, data, cache, NULL, NULL, &e) < 0)
		fail_msg("histstore_open: %s", e.msg);
}

/* A conversation file written straight (no fsync: hundreds of them). */
static void put_conv(const char *id, const char *title, double updated)
{
	struct hist_conv c;
	struct buf b = BUF_INIT;
	char path[900];
	assert_int_equal(hist_conv_init(&c, id, 1700000000.0), 0);
	assert_int_equal(hist_set_str(&c.title, title), 0);
	assert_non_null(hist_add(&c, c.current, "user", "a question", 1700000000.0));
	c.updated = updated;
	assert_int_equal(hist_to_json(&c, &b), 0);
	FMT(path, "%s/%s.json", convdir, id);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	assert_int_equal(fclose(f), 0);
	buf_free(&b);
	hist_conv_free(&c);
}

/* Conversations 0..n-1, each's id and title made from its number, i seconds newer than
 * the first. */
static void put_numbered(int n, const char *id_fmt, const char *title_fmt)
{
	for (int i = 0; i < n; i++) {
		char id[32], title[64];
		FMT(id, id_fmt, i);
		FMT(title, title_fmt, i);
		put_conv(id, title, 1700000000.0 + i);
	}
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The ids of the index's lines, in its order, joined by spaces. */
static void index_ids(char *out, size_t cap)
{
	char *text = harness_read_file(idx, NULL);
	assert_non_null(text);
	size_t k = 0;
	out[0] = '\0';
	assert_int_equal(strncmp(text, HISTSTORE_INDEX_MAGIC, strlen(HISTSTORE_INDEX_MAGIC)), 0);
	for (char *p = strchr(text, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		size_t len = strcspn(p + 1, "\t\n");
		assert_true(k + len + 2 < cap);
		if (k)
			out[k++] = ' ';
		memcpy(out + k, p + 1, len);
		k += len;
		out[k] = '\0';
	}
	free(text);
}

static void list_ids(struct histstore *s, char *out, size_t cap)
{
	struct hist_entry *v;
	size_t n, k = 0;
	struct err e = {0, ""};
	assert_int_equal(histstore_list(s, &v, &n, &e), 0);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i].id);
		assert_true(k + len + 2 < cap);
		if (k)
			out[k++] = ' ';
		memcpy(out + k, v[i].id, len + 1);
		k += len;
	}
	histstore_entries_free(v, n);
}

/* ---- the id hash ---- */

struct named {
	char *id;
	int n;
};

static void test_ids_hash(void **state)
{
	(void)state;
	enum { N = 20000 };
	struct named *v = calloc(N, sizeof *v);
	assert_non_null(v);
	struct hist_ids t = {0};
	assert_int_equal(hist_ids_find(&t, "x", v, sizeof *v), HIST_NONE); /* empty */
	for (size_t i = 0; i < N; i++) {
		char id[32];
		FMT(id, "id%zu", i * 7919);
		v[i].id = strdup(id);
		assert_non_null(v[i].id);
		assert_int_equal(hist_ids_add(&t, i, v, sizeof *v), 0);
		assert_true(t.count * 2 <= t.mask + 1); /* at most half full as it grows */
	}
	for (size_t i = 0; i < N; i++)
		assert_int_equal(hist_ids_find(&t, v[i].id, v, sizeof *v), i);
	assert_int_equal(hist_ids_find(&t, "id1", v, sizeof *v), HIST_NONE);
	assert_int_equal(hist_ids_find(&t, "", v, sizeof *v), HIST_NONE);
	/* the same id at another place is refused and leaves the first */
	free(v[5].id);
	v[5].id = strdup(v[4].id);
	assert_int_equal(hist_ids_add(&t, 5, v, sizeof *v), 1);
	assert_int_equal(hist_ids_find(&t, v[4].id, v, sizeof *v), 4);
	assert_int_equal(t.count, N);
	hist_ids_free(&t);
	assert_null(t.slots);
	/* reserved: adding that many never rehashes */
	assert_int_equal(hist_ids_reserve(&t, N, v, sizeof *v), 0);
	size_t mask = t.mask;
	for (size_t i = 0; i < N; i++)
		assert_int_equal(hist_ids_add(&t, i, v, sizeof *v), i == 5);
	assert_int_equal(t.mask, mask);
	assert_int_equal(hist_ids_find(&t, v[N - 1].id, v, sizeof *v), N - 1);
	hist_ids_free(&t);
	for (size_t i = 0; i < N; i++)
		free(v[i].id);
	free(v);
}

/* ---- sorting in steps ---- */

static int by_cmp(const void *a, const void *b)
{
	return hist_ientry_cmp(a, b);
}

/* Entries in order with some read from their files (moved, anywhere) and some gone:
 * settled in steps of a few moves, the gone are dropped and the rest come in the order
 * a sort gives; and an index not in order at all is sorted whole. */
static void test_settle_steps(void **state)
{
	(void)state;
	enum { N = 3000 };
	struct ientry *v = calloc(N, sizeof *v), *want = calloc(N, sizeof *want);
	char (*ids)[16] = calloc(N, sizeof *ids);
	assert_true(v && want && ids);
	for (int round = 0; round < 2; round++) {
		size_t nwant = 0;
		srand(7 + round);
		for (size_t i = 0; i < N; i++) {
			FMT(ids[i], "e%05zu", (size_t)rand() % 20000);
			v[i] = (struct ientry){.id = ids[i], .seen = 1};
			v[i].updated = round ? (double)(rand() % 500) : 1e9 - (double)i;
			if (!round && i % 3 == 0) { /* read again: anywhere now */
				v[i].moved = 1;
				v[i].updated = (double)(rand() % 2000) + 1e9 - N;
			}
			if (i % 7 == 0)
				v[i].seen = 0;
			else
				want[nwant++] = v[i];
		}
		qsort(want, nwant, sizeof *want, by_cmp);
		struct hist_settle st = {0};
		size_t n = N;
		int r, steps = 0;
		while ((r = hist_settle_step(&st, v, &n, !round, 50)) == 0)
			steps++;
		assert_int_equal(r, 1);
		assert_true(steps > 20);
		assert_int_equal(n, nwant);
		assert_true(st.dropped);
		for (size_t i = 0; i < n; i++) {
			assert_string_equal(v[i].id, want[i].id);
			assert_true(v[i].updated == want[i].updated);
			assert_int_equal(v[i].moved, 0);
		}
	}
	free(v);
	free(want);
	free(ids);
}

/* ---- the index's order ---- */

/* Written newest first; a warm listing keeps it, a changed or new conversation is
 * merged into its place and a removed one drops out. */
static void test_index_newest_first(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	put_conv("a", "A", 1700000300.0);
	put_conv("b", "B", 1700000100.0);
	put_conv("c", "C", 1700000500.0);
	put_conv("d", "D", 1700000200.0);
	char ids[256];
	list_ids(&s, ids, sizeof ids);
	assert_string_equal(ids, "c a d b");
	index_ids(ids, sizeof ids);
	assert_string_equal(ids, "c a d b");
	/* equal times: by id */
	put_conv("e", "E", 1700000200.0);
	put_conv("b", "B again", 1700000600.0); /* to the top */
	put_conv("c", "C again", 1700000000.0); /* to the bottom */
	char gone[900];
	FMT(gone, "%s/a.json", convdir);
	assert_int_equal(unlink(gone), 0);
	list_ids(&s, ids, sizeof ids);
	assert_string_equal(ids, "b d e c");
	index_ids(ids, sizeof ids);
	assert_string_equal(ids, "b d e c");
	struct hist_entry *v;
	size_t n;
	struct err e = {0, ""};
	assert_int_equal(histstore_list(&s, &v, &n, &e), 0);
	assert_string_equal(v[0].title, "B again");
	assert_string_equal(v[3].title, "C again");
	histstore_entries_free(v, n);
	histstore_close(&s);
}

static int count_each(void *ctx, const struct hist_entry *h)
{
	size_t *k = ctx;
	assert_true(h->title[0] == 'T');
	return ++*k == 3 ? -1 : 0;
}

/* An index longer than its first read: begin shows its head (the newest, in order),
 * the steps read the rest, and the whole list comes without parsing a file. */
static void test_index_head_first(void **state)
{
	(void)state;
	enum { N = 400 };
	struct histstore s;
	open_store(&s);
	char long_title[200];
	memset(long_title, 'T', sizeof long_title - 1);
	long_title[sizeof long_title - 1] = '\0';
	for (int i = 0; i < N; i++) {
		char id[16];
		FMT(id, "h%03d", i);
		put_conv(id, long_title, 1700000000.0 + i);
	}
	char ids[N * 8];
	list_ids(&s, ids, sizeof ids); /* cold: builds the index */
	assert_int_equal(strncmp(ids, "h399 h398 h397", 14), 0);
	/* the files rewritten in place (same inodes, the directory unchanged) would now be
	 * corrupt: a warm listing must not read them */
	for (int i = 0; i < N; i++) {
		char path[900];
		FMT(path, "%s/h%03d.json", convdir, i);
		put_file(path, "not json");
	}
	struct histstore_lister *l;
	struct hist_entry *v;
	size_t n;
	struct err e = {0, ""};
	assert_int_equal(histstore_list_begin(&s, &l, &e), 0);
	assert_int_equal(histstore_list_snapshot(l, &v, &n, &e), 0);
	assert_true(n > 10 && n < N); /* the head only */
	for (size_t i = 0; i < n; i++) {
		char want[16];
		FMT(want, "h%03zu", N - 1 - i);
		assert_string_equal(v[i].id, want);
	}
	histstore_entries_free(v, n);
	int r, steps = 0;
	while ((r = histstore_list_step(l, 1, 0.001, &e)) == 0)
		steps++;
	assert_int_equal(r, 1);
	assert_true(steps > 1);
	assert_int_equal(histstore_list_finish(l, &v, &n, &e), 0);
	assert_int_equal(n, N);
	for (size_t i = 0; i < n; i++) {
		char want[16];
		FMT(want, "h%03zu", N - 1 - i);
		assert_string_equal(v[i].id, want);
		assert_string_equal(v[i].title, long_title);
	}
	histstore_entries_free(v, n);
	/* the walk without copies, stopped by its callback */
	size_t k = 0;
	assert_int_equal(histstore_list_each(&s, count_each, &k, &e), -1);
	assert_int_equal(k, 3);
	histstore_close(&s);
}

/* ---- stale and damaged indexes ---- */

/* An index in another order (an older cherry's, by id), with lines that are not lines:
 * bad numbers, too few fields, an id twice, a 20-digit inode, a last line cut short. The
 * list is the files', in order, and the index is written again, clean and newest first. */
static void test_index_damaged(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	put_conv("p", "P", 1700000100.0);
	put_conv("q", "Q", 1700000300.0);
	put_conv("r", "R", 1700000200.0);
	char ids[256];
	list_ids(&s, ids, sizeof ids);
	assert_string_equal(ids, "q r p");
	char *good = harness_read_file(idx, NULL);
	assert_non_null(good);
	/* the same lines sorted by id, plus damage */
	char *nl = strchr(good, '\n');
	assert_non_null(nl);
	*nl = '\0';
	char *line[3];
	for (int i = 0; i < 3; i++) {
		line[i] = i ? strchr(line[i - 1], '\0') + 1 : nl + 1;
		char *end = strchr(line[i], '\n');
		assert_non_null(end);
		*end = '\0';
	}
	struct buf b = BUF_INIT;
	assert_int_equal(buf_printf(&b, "%s\n%s\n%s\n", good, line[2], line[0]), 0); /* p, q */
	assert_int_equal(buf_append_str(&b, "x1\tnot\ta\tnumber\t0\t1.0\t1\t0\tm\tt\n"
					    "x2\t1\t2\n"
					    "x3\t18446744073709551615\t1\t1\t1\t1700000400.000\t1"
					    "\t0\tm\tbig inode\n"), 0);
	assert_int_equal(buf_printf(&b, "%s\n%.20s", line[0], line[1]), 0); /* q twice, r cut */
	put_file(idx, b.data);
	buf_free(&b);
	free(good);
	list_ids(&s, ids, sizeof ids);
	assert_string_equal(ids, "q r p");
	index_ids(ids, sizeof ids);
	assert_string_equal(ids, "q r p");
	/* an index that is not one, and one that is empty past its header */
	put_file(idx, "not an index\n");
	list_ids(&s, ids, sizeof ids);
	assert_string_equal(ids, "q r p");
	put_file(idx, HISTSTORE_INDEX_MAGIC "1\t1\n");
	list_ids(&s, ids, sizeof ids);
	assert_string_equal(ids, "q r p");
	index_ids(ids, sizeof ids);
	assert_string_equal(ids, "q r p");
	histstore_close(&s);
}

/* A stale index: a conversation saved since (a new inode) is read again and moves to
 * its place; the header then matches the directory again. */
static void test_index_stale(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	put_conv("u", "U", 1700000100.0);
	put_conv("w", "W", 1700000200.0);
	char ids[256];
	list_ids(&s, ids, sizeof ids);
	assert_string_equal(ids, "w u");
	assert_int_equal(histstore_index_dir_same(&s), 1);
	struct hist_conv c;
	struct err e = {0, ""};
	assert_int_equal(hist_conv_init(&c, "u", 1700000000.0), 0);
	assert_int_equal(hist_set_str(&c.title, "U newer"), 0);
	c.updated = 1700000900.0;
	assert_int_equal(histstore_save(&s, &c, &e), 0); /* a rename */
	hist_conv_free(&c);
	list_ids(&s, ids, sizeof ids);
	assert_string_equal(ids, "u w");
	assert_int_equal(histstore_index_dir_same(&s), 1);
	histstore_close(&s);
}

/* The directory changed but no conversation did (a lock file made and removed, as the
 * client does at each start and quit): every file is checked, and the index keeps its
 * file and lines, only its header's time rewritten in place, so that the next listing
 * trusts it; an index whose header has another length (an older version's time without
 * leading zeros) is written whole instead, once. */
static void test_index_restamped(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	put_numbered(50, "r%02d", "R %d");
	char ids[1024], again[1024];
	list_ids(&s, ids, sizeof ids);
	assert_int_equal(histstore_index_dir_same(&s), 1);
	struct stat a, b;
	assert_int_equal(stat(idx, &a), 0);
	size_t la, lb;
	char *before = harness_read_file(idx, &la);
	assert_non_null(before);
	for (int round = 0; round < 3; round++) {
		char lock[800];
		FMT(lock, "%s/r07.lock", convdir);
		put_file(lock, "");
		assert_int_equal(unlink(lock), 0);
		assert_int_equal(histstore_index_dir_same(&s), 0);
		list_ids(&s, again, sizeof again);
		assert_string_equal(again, ids);
		assert_int_equal(histstore_index_dir_same(&s), 1);
		assert_int_equal(stat(idx, &b), 0);
		assert_int_equal(b.st_ino, a.st_ino); /* not replaced */
		char *after = harness_read_file(idx, &lb);
		assert_non_null(after);
		assert_int_equal(lb, la);
		const char *nl0 = strchr(before, '\n'), *nl1 = strchr(after, '\n');
		assert_int_equal(nl1 - after, nl0 - before);
		assert_string_equal(nl1, nl0); /* the lines as they were */
		free(after);
	}
	/* an older header, the nanoseconds without leading zeros: written whole, once */
	const char *nl = strchr(before, '\n');
	char old[200];
	FMT(old, "%s1\t5", HISTSTORE_INDEX_MAGIC);
	struct buf t = BUF_INIT;
	assert_int_equal(buf_append_str(&t, old), 0);
	assert_int_equal(buf_append_str(&t, nl), 0);
	assert_int_equal(harness_write_file(idx, t.data, t.len), 0);
	buf_free(&t);
	assert_int_equal(stat(idx, &a), 0);
	list_ids(&s, again, sizeof again);
	assert_string_equal(again, ids);
	assert_int_equal(histstore_index_dir_same(&s), 1);
	assert_int_equal(stat(idx, &b), 0);
	assert_true(b.st_ino != a.st_ino);
	free(before);
	histstore_close(&s);
}

/* ---- a cold rebuild: skimmed (test_histlist_skim), persisted as it goes ---- */

static void save(struct histstore *s, const char *id, const char *title, int nmsgs,
		 struct hist_conv *keep)
{
	struct hist_conv c;
	struct err e = {0, ""};
	assert_int_equal(hist_conv_init(&c, id, 1700000000.0), 0);
	assert_int_equal(hist_set_str(&c.title, title), 0);
	assert_int_equal(hist_set_str(&c.model, "fo/model"), 0);
	for (int i = 0; i < nmsgs; i++)
		assert_non_null(hist_add(&c, c.current, i % 2 ? "assistant" : "user", "text",
					 1700000000.0 + i));
	assert_int_equal(histstore_save(s, &c, &e), 0);
	if (keep)
		*keep = c;
	else
		hist_conv_free(&c);
}

/* The cold listing's entries against each conversation loaded whole: want_read files
 * read (skimmed or parsed), want_parsed of them parsed. */
static void check_cold_read(struct histstore *s, size_t want_n, size_t want_read,
			    size_t want_parsed)
{
	unlink(idx);
	struct histstore_lister *l;
	struct hist_entry *v;
	size_t n, parsed;
	struct err e = {0, ""};
	assert_int_equal(histstore_list_begin(s, &l, &e), 0);
	while (histstore_list_step(l, 0, 0, &e) == 0)
		;
	assert_int_equal(histstore_list_read(l, &parsed), want_read);
	assert_int_equal(parsed, want_parsed);
	assert_int_equal(histstore_list_finish(l, &v, &n, &e), 0);
	assert_int_equal(n, want_n);
	for (size_t i = 0; i < n; i++) {
		struct hist_conv c;
		assert_true(histstore_load(s, v[i].id, 0, &c, &e) >= 0);
		assert_string_equal(v[i].title, c.title ? c.title : "");
		assert_string_equal(v[i].model, c.model ? c.model : "");
		assert_true(v[i].updated == c.updated);
		assert_int_equal(v[i].nmsgs, c.n);
		hist_conv_free(&c);
	}
	histstore_entries_free(v, n);
}

static void check_cold(struct histstore *s, size_t want_n, size_t want_parsed)
{
	check_cold_read(s, want_n, want_n, want_parsed);
}

/* A message added to c and journalled beside its file, as the lock's holder does (keep:
 * the length of the journal there, 0 for a new one). */
static void journal_add(struct histstore *s, struct hist_conv *c, size_t keep,
			const char *role, const char *text)
{
	struct err e = {0, ""};
	int jfd = -1;
	size_t fsize;
	assert_int_equal(histstore_journal_open(s, c->id, keep, &jfd, &fsize, &e), 0);
	struct hist_msg *m = hist_add(c, c->current, role, text, 1700000900.0 + (double)c->n);
	assert_non_null(m);
	struct buf rec = BUF_INIT;
	assert_int_equal(journal_msg(m, 0, &rec), 0);
	assert_int_equal(histstore_journal_append(jfd, rec.data, rec.len, &e), 0);
	buf_free(&rec);
	histstore_journal_close(jfd);
}

/* Conversation id saved with two messages, locked, and a third journalled beside it (a
 * listing parses it whole): the lock's fd, c as its holder has it. */
static int save_journalled(struct histstore *s, const char *id, struct hist_conv *c)
{
	struct err e = {0, ""};
	int lock = -1;
	long pid;
	save(s, id, "journalled", 2, c);
	assert_int_equal(histstore_lock(s, id, &lock, &pid, &e), 0);
	journal_add(s, c, 0, "user", "one more");
	return lock;
}

/* A cold listing skims each file: the same entries as loading each whole, after a
 * rename too; a conversation with a journal beside it is parsed, its messages counted. */
static void test_cold_skim(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	save(&s, "r1", "first name", 2, NULL);
	save(&s, "r2", "a \"quoted\" name", 4, NULL);
	check_cold(&s, 2, 0); /* both skimmed */
	save(&s, "r1", "renamed: été", 2, NULL);
	check_cold(&s, 2, 0);
	/* an answer in progress journalled beside r3: the listing counts its message */
	struct hist_conv c;
	int lock = save_journalled(&s, "r3", &c);
	check_cold(&s, 3, 1); /* r3 parsed, with its journal: 3 messages */
	histstore_unlock(&s, "r3", lock);
	hist_conv_free(&c);
	histstore_close(&s);
}

/* A conversation this process loaded holding its lock (the client's open one, which may
 * be 20 MB) is not parsed again for its entry while its files are as loaded: the entry
 * comes from what the load noted. Once its journal grows, it is parsed again. */
static void test_loaded_not_parsed_again(void **state)
{
	(void)state;
	struct histstore s;
	struct err e = {0, ""};
	open_store(&s);
	save(&s, "r1", "small", 2, NULL);
	/* r3 has a journal beside its file: a listing parses it whole */
	struct hist_conv c;
	size_t keep;
	int lock = save_journalled(&s, "r3", &c);
	hist_conv_free(&c);
	check_cold(&s, 2, 1);
	/* loaded by the lock's holder: the listing reads r1 only */
	assert_int_equal(histstore_load_keep(&s, "r3", 1, &c, &keep, &e), HIST_LOAD_OK);
	assert_true(keep > 0);
	assert_int_equal(c.n, 3);
	check_cold_read(&s, 2, 1, 0);
	check_cold_read(&s, 2, 1, 0);
	/* its holder appends: the noted entry no longer matches its files */
	journal_add(&s, &c, keep, "assistant", "an answer");
	check_cold(&s, 2, 1);
	/* a rename elsewhere (the file replaced): parsed, the new title listed */
	hist_conv_free(&c);
	assert_int_equal(histstore_load_keep(&s, "r3", 1, &c, &keep, &e), HIST_LOAD_OK);
	check_cold_read(&s, 2, 1, 0);
	assert_int_equal(hist_set_str(&c.title, "renamed"), 0);
	assert_int_equal(histstore_save(&s, &c, &e), 0);
	check_cold(&s, 2, 0);
	hist_conv_free(&c);
	histstore_unlock(&s, "r3", lock);
	histstore_close(&s);
}

/* A cold rebuild killed half-way (kill -9 between two steps, as a client whose window
 * closed): what it read went to the index as it went, so the next listing reads only
 * the rest, and ends with every conversation in order; the one after reads nothing. */
static void test_rebuild_killed(void **state)
{
	(void)state;
	enum { N = 2100, KILL_AT = 1100 }; /* more than histlist's COPY_STEP */
	struct histstore s;
	open_store(&s);
	put_numbered(N, "k%04d", "K%04d");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct histstore_lister *l;
		struct err e = {0, ""};
		size_t parsed;
		if (histstore_list_begin(&s, &l, &e) < 0)
			_exit(1);
		while (histstore_list_read(l, &parsed) < KILL_AT)
			if (histstore_list_step(l, 1, 0, &e) != 0)
				_exit(2);
		raise(SIGKILL);
		_exit(3);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	size_t len, lines = 0;
	struct stat st;
	char *text = harness_read_file(idx, &len);
	assert_non_null(text);
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	free(text);
	/* the header, then most of what was read */
	assert_true(lines - 1 >= KILL_AT / 2 && lines <= KILL_AT + 1);
	for (int round = 0; round < 2; round++) {
		struct histstore_lister *l;
		struct hist_entry *v;
		size_t n, parsed;
		struct err e = {0, ""};
		assert_int_equal(histstore_list_begin(&s, &l, &e), 0);
		/* in steps as short as can be, as a client's between keys */
		while (histstore_list_step(l, 64, 0.001, &e) == 0)
			;
		assert_int_equal(histstore_list_read(l, &parsed), round ? 0 : N - (lines - 1));
		assert_int_equal(parsed, 0); /* skimmed, every one */
		assert_int_equal(histstore_list_finish(l, &v, &n, &e), 0);
		assert_int_equal(n, N);
		for (size_t i = 0; i < n; i++) {
			char want[16];
			FMT(want, "K%04zu", N - 1 - i);
			assert_string_equal(v[i].title, want);
		}
		histstore_entries_free(v, n);
		/* written whole, each line once (a stop while writing it in steps once wrote
		 * a line twice, so that every start wrote it all again) */
		text = harness_read_file(idx, &len);
		assert_non_null(text);
		lines = 0;
		for (size_t i = 0; i < len; i++)
			lines += text[i] == '\n';
		free(text);
		assert_int_equal(lines, N + 1);
		if (!round)
			assert_int_equal(stat(idx, &st), 0);
	}
	struct stat now; /* the second listing found nothing to write */
	assert_int_equal(stat(idx, &now), 0);
	DIR *d = opendir(cache); /* and the index made in steps left no temp file */
	assert_non_null(d);
	size_t names = 0;
	for (struct dirent *de; (de = readdir(d));)
		names += de->d_name[0] != '.' || strlen(de->d_name) > 2;
	closedir(d);
	assert_int_equal(names, 1);
	assert_true(now.st_ino == st.st_ino && now.st_mtim.tv_nsec == st.st_mtim.tv_nsec &&
		    now.st_mtim.tv_sec == st.st_mtim.tv_sec);
	histstore_close(&s);
}

/* A listing's entries are small (the controller keeps 100,000 of them): the strings of
 * each in one allocation, the struct without room for the longest id. Bytes in use per
 * entry, as malloc counts them, for 1,000 of them (ids of 5 characters, titles of about
 * 25, no model): 168 when each string was its own block beside an 88-byte struct, 95
 * now. */
static void test_entries_small(void **state)
{
	(void)state;
	enum { N = 1000 };
	struct histstore s;
	struct err e = {0, ""};
	open_store(&s);
	put_numbered(N, "e%04d", "Question %d about a topic");
	struct hist_entry *v;
	size_t n;
	assert_int_equal(histstore_list(&s, &v, &n, &e), 0); /* the index written */
	histstore_entries_free(v, n);
	struct mallinfo2 before = mallinfo2();
	assert_int_equal(histstore_list(&s, &v, &n, &e), 0);
	struct mallinfo2 after = mallinfo2();
	assert_int_equal(n, N);
	size_t used = (after.uordblks + after.hblkhd) - (before.uordblks + before.hblkhd);
	assert_true(used / N <= 128);
	assert_ptr_equal(v[0].title, v[0].id + strlen(v[0].id) + 1);
	assert_ptr_equal(v[0].model, v[0].title + strlen(v[0].title) + 1);
	histstore_entries_free(v, n);
	histstore_close(&s);
}

/* What the watch saw, its ids joined by spaces; its take's return value. */
static int taken(struct histwatch *w, char *out, size_t cap)
{
	char(*ids)[HIST_ID_MAX + 1];
	size_t n, k = 0;
	int r = histwatch_take(w, &ids, &n);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(out + k, cap - k, "%s%s", i ? " " : "", ids[i]);
	free(ids);
	return r;
}

/* What changed on disk since the list was read, for a client that then reads only that
 * (histwatch.h): the ids of conversations saved, journalled, deleted, each once, not temp
 * or lock files nor other names; too many at once count as lost; histstore_entries_of
 * reads just the files named. */
static void test_watch_changes_named(void **state)
{
	(void)state;
	struct histstore s;
	struct err e = {0, ""};
	char got[1024], path[900];
	open_store(&s);
	save(&s, "a1", "one", 1, NULL);
	save(&s, "a2", "two", 1, NULL);
	struct histwatch *w = histwatch_open(&s);
	assert_non_null(w);
	assert_int_equal(taken(w, got, sizeof got), 0);
	assert_string_equal(got, "");
	/* saved twice (a temp file renamed over it each time), locked, deleted, and a file
	 * that is no conversation's */
	struct hist_conv c;
	save(&s, "a1", "one again", 1, NULL);
	save(&s, "a1", "one more time", 1, &c);
	int fd;
	long pid;
	assert_int_equal(histstore_lock(&s, "a2", &fd, &pid, &e), 0);
	histstore_unlock(&s, "a2", fd);
	assert_int_equal(histstore_remove(&s, "a2", &e), 0);
	FMT(path, "%s/notes.txt", s.dir);
	assert_int_equal(harness_write_file(path, "x", 1), 0);
	assert_int_equal(taken(w, got, sizeof got), 0);
	assert_string_equal(got, "a1 a2");
	assert_int_equal(taken(w, got, sizeof got), 0);
	assert_string_equal(got, "");
	/* a journal appended to by the lock's holder */
	size_t fsize;
	assert_int_equal(histstore_lock(&s, "a1", &fd, &pid, &e), 0);
	int jfd;
	assert_int_equal(histstore_journal_open(&s, "a1", 0, &jfd, &fsize, &e), 0);
	struct hist_msg *m = hist_add(&c, c.current, "assistant", "an answer", 1700000100.0);
	struct buf rec = BUF_INIT;
	assert_int_equal(journal_msg(m, 0, &rec), 0);
	assert_int_equal(taken(w, got, sizeof got), 0);
	assert_string_equal(got, "a1"); /* the journal made */
	assert_int_equal(histstore_journal_append(jfd, rec.data, rec.len, &e), 0);
	assert_int_equal(taken(w, got, sizeof got), 0);
	assert_string_equal(got, "a1"); /* and written */
	histstore_journal_close(jfd);
	buf_free(&rec);
	/* the entries of those named only: a1 (with its journal), a2 gone, a3 never was */
	char ids[3][HIST_ID_MAX + 1] = {"a1", "a2", "a3"};
	struct hist_entry *v;
	size_t n, nread;
	assert_int_equal(histstore_entries_of(&s, (const char(*)[HIST_ID_MAX + 1])ids, 3, &v, &n,
					      &nread, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(nread, 1);
	assert_string_equal(v[0].id, "a1");
	assert_string_equal(v[0].title, "one more time");
	assert_int_equal(v[0].nmsgs, 2);
	assert_int_equal(v[0].journal, 1);
	histstore_entries_free(v, n);
	histstore_unlock(&s, "a1", fd);
	hist_conv_free(&c);
	/* more conversations changed than it keeps: lost, the list is read whole */
	for (int i = 0; i < HISTWATCH_MAX + 1; i++) {
		char id[16];
		FMT(id, "b%04d", i);
		FMT(path, "%s/%s.json", s.dir, id);
		assert_int_equal(harness_write_file(path, "{}", 2), 0);
	}
	assert_int_equal(taken(w, got, sizeof got), 1);
	assert_int_equal(taken(w, got, sizeof got), 0);
	assert_string_equal(got, "");
	histwatch_close(w);
	histstore_close(&s);
}

/* No watch (inotify missing): every take says read the list whole. */
static void test_watch_none(void **state)
{
	(void)state;
	char(*ids)[HIST_ID_MAX + 1];
	size_t n;
	assert_int_equal(histwatch_take(NULL, &ids, &n), 1);
	assert_null(ids);
	assert_int_equal(n, 0);
	assert_int_equal(histwatch_fd(NULL), -1);
	histwatch_drain(NULL);
	histwatch_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_hash),
		cmocka_unit_test(test_settle_steps),
		cmocka_unit_test_setup_teardown(test_index_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_head_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_restamped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cold_skim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loaded_not_parsed_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entries_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_changes_named, setup, teardown),
		cmocka_unit_test(test_watch_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
