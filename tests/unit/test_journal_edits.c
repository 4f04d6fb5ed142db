/* test_journal_edits: the changes that send nothing, and tool calls, cost their own
 * size (journal.h version 3): a best mark, a context break, tool calls and a result,
 * deletions, each journalled on a 2,000-message conversation whose file is left alone
 * (bytes counted as this process hands them to write(2), /proc/self/io wchar); every
 * reader sees memory's conversation, and a fold writes it whole and plain. The new
 * records cut at every byte apply as far as they are whole. The journal's name keeps it
 * from a cherry that would delete it (version 1 read "<id>.journal"): that name is read
 * and folded, never written; a journal whose file something else replaced is moved
 * aside, not deleted, unless its fold did it. kill -9 among such changes loses nothing
 * a save completed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cherry/chat.h"
#include "cherry/fsutil.h"
#include "cherry/journal.h"

#include "histtest.h"

static struct histtest *const T = &histtest_T;

static char warned[600];

static void on_warn(void *ctx, const char *line)
{
	(void)ctx;
	snprintf(warned, sizeof warned, "%s", line);
}

static char *json_of(const struct hist_conv *c)
{
	char *s = histtest_json(c);
	assert_non_null(s);
	return s;
}

/* What a reader (no lock) loads is what memory holds. */
static void same_on_disk(const struct chat *c)
{
	struct hist_conv d;
	struct err e = {0, ""};
	if (histstore_load(&T->st, c->conv.id, 0, &d, &e) != HIST_LOAD_OK)
		fail_msg("load %s: %s", c->conv.id, e.msg);
	char *disk = json_of(&d), *mem = json_of(&c->conv);
	assert_string_equal(disk, mem);
	free(disk);
	free(mem);
	hist_conv_free(&d);
}

/* A conversation of n messages (user and answer in turn, each len bytes), written whole,
 * the last answer (n - 1) a sibling of n - 3 (answers to compare); its id into id. */
static void make_conv(char id[HIST_ID_MAX + 1], size_t n, size_t len)
{
	struct err e = {0, ""};
	struct hist_conv c;
	char *text = malloc(len + 1);
	assert_non_null(text);
	memset(text, 'w', len);
	text[len] = '\0';
	assert_int_equal(histstore_new_id(&T->st, id, &e), 0);
	assert_int_equal(hist_conv_init(&c, id, 1.0), 0);
	for (size_t i = 0; i < n; i++) {
		const char *parent = i + 1 == n && n >= 4 ? c.msgs[n - 4].id : c.current;
		struct hist_msg *m = hist_add(&c, parent, i % 2 ? "assistant" : "user", text,
					      1.0 + (double)i);
		assert_non_null(m);
		m->status = HIST_COMPLETE;
	}
	assert_int_equal(hist_set_str(&c.title, "edits"), 0);
	assert_int_equal(histstore_save(&T->st, &c, &e), 0);
	hist_conv_free(&c);
	free(text);
}

#define LONG_N 2000

/* Makes one change on c, of LONG_N messages (0 best, 1 break, 2 calls, 3 result, 4 the
 * result deleted, 5 a subtree deleted, 6 best moved to the sibling) and saves: the bytes
 * written. */
static long long change(struct chat *c, int what, double t)
{
	struct err e = {0, ""};
	size_t last = LONG_N - 1, r;
	long long w0 = histtest_wchar();
	struct wire_call call = {0, (char *)"call_7", (char *)"read", BUF_INIT, NULL, 0};
	switch (what) {
	case 0:
	case 6:
		assert_int_equal(chat_set_best(c, what ? last - 2 : last, 1), 0);
		break;
	case 1:
		assert_int_equal(chat_set_context_break(c, last - 3, 1, t, &e), 0);
		break;
	case 2:
		assert_int_equal(buf_append_str(&call.args, "{\"path\":\"x\"}"), 0);
		assert_int_equal(chat_add_calls(c, last, &call, 1, "[{\"type\":\"r\"}]", t, &e), 0);
		buf_free(&call.args);
		break;
	case 3:
		assert_int_equal(chat_add_result(c, last, "call_7", "read", "contents", 0, 0, t,
						 &r, &e), 0);
		break;
	case 4:
		assert_int_equal(chat_delete_msg(c, LONG_N, t, &e), 1);
		break;
	default:
		assert_true(chat_delete_msg(c, c->conv.n / 2 + 1, t, &e) > 100);
		break;
	}
	assert_int_equal(chat_save(c, t, &e), 0);
	return histtest_wchar() - w0;
}

/* Each change on a 2,000-message (2 MB) conversation writes a few hundred bytes and
 * leaves the file alone; readers see it; a fold writes it all, plain. */
static void test_edits_cost_their_size(void **unused)
{
	(void)unused;
	char id[HIST_ID_MAX + 1], p[900];
	make_conv(id, LONG_N, 1000);
	assert_int_equal(histtest_path(T, p, sizeof p, id, ".json"), 0);
	struct stat before, after;
	assert_int_equal(stat(p, &before), 0);
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
	static const char *const what[] = {"best", "break", "calls", "result",
					   "result deleted", "subtree deleted", "best moved"};
	/* result (3) then delete (4) removes the result again; the best moved last */
	static const int order[] = {0, 1, 2, 3, 6, 4, 5};
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		long long w = change(&c, order[k], 100.0 + (double)k);
		print_message("# %s: %lld bytes written\n", what[order[k]], w);
		if (w > 2048)
			fail_msg("%s wrote %lld bytes", what[order[k]], w);
		if (k == 3 || k == 6) /* (a load of 2,000 messages takes a while) */
			same_on_disk(&c);
	}
	assert_int_equal(stat(p, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_size, before.st_size);
	assert_true(histtest_size(T, id, ".jsonl") > 0);
	assert_int_equal(histtest_size(T, id, ".journal"), -1); /* the name an older cherry deletes */
	/* a fold: the file alone, plain JSON, is memory's conversation */
	char *mem = json_of(&c.conv);
	struct err se = {0, ""};
	assert_int_equal(histstore_save(&T->st, &c.conv, &se), 0);
	chat_close(&c);
	assert_int_equal(histtest_size(T, id, ".jsonl"), -1);
	struct buf raw = BUF_INIT;
	assert_int_equal(fs_read_file(p, 1 << 26, &raw, &e), 0);
	struct hist_conv d;
	assert_int_equal(hist_from_json(raw.data, raw.len, &d, &e), HIST_LOAD_OK);
	char *disk = json_of(&d);
	assert_string_equal(disk, mem);
	assert_int_equal(d.n, LONG_N / 2 + 1); /* what the subtree's deletion left */
	hist_conv_free(&d);
	buf_free(&raw);
	free(disk);
	free(mem);
}

/* Deletions among changes not saved yet: new messages (some deleted before any save),
 * a streaming answer's text and a mark noted on messages whose indexes then move. */
static void test_delete_among_unsaved(void **unused)
{
	(void)unused;
	char id[HIST_ID_MAX + 1];
	make_conv(id, 40, 100);
	struct chat c;
	struct err e = {0, ""};
	size_t a, b;
	assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
	assert_int_equal(chat_set_best(&c, 39, 1), 0);
	chat_delta(&c, 1, " more", 5, 0, 50.0); /* an early answer's text grows */
	assert_int_equal(chat_send(&c, "gone soon", "fo", "echo", 51.0, &a, &e), 0);
	assert_int_equal(chat_delete_msg(&c, a - 1, 52.0, &e), 2); /* never saved */
	assert_int_equal(chat_send_edit(&c, 0, "stays", "fo", "echo", 53.0, &b, &e), 0);
	assert_int_equal(chat_delete_msg(&c, 10, 54.0, &e), 30); /* saved: a record */
	assert_string_equal(c.conv.msgs[c.conv.n - 2].content, "stays");
	chat_delta(&c, c.conv.n - 1, "answer", 6, 0, 55.0);
	assert_int_equal(chat_save(&c, 55.0, &e), 0);
	same_on_disk(&c);
	assert_int_equal(c.conv.n, 12);
	assert_string_equal(c.conv.msgs[1].content + 100, " more");
	chat_close(&c);
	/* the next session goes on from the journal */
	assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
	assert_int_equal(c.conv.n, 12);
	assert_int_equal(chat_delete_msg(&c, 0, 60.0, &e), 10);
	assert_int_equal(chat_save(&c, 60.0, &e), 0);
	same_on_disk(&c);
	chat_close(&c);
}

/* The new records, written, read back, and cut at every byte: a replay applies the
 * whole records before the cut and stops there, the conversation valid. */
static void test_records_torn_everywhere(void **unused)
{
	(void)unused;
	struct hist_conv c, live;
	struct journal_base b = {"jed1", 3, 4, 5, 6};
	struct buf j = BUF_INIT;
	assert_int_equal(hist_conv_init(&live, "jed1", 1.0), 0);
	for (int i = 0; i < 6; i++)
		assert_non_null(hist_add(&live, live.current, i % 2 ? "assistant" : "user", "t",
					 1.0 + i));
	char *base = json_of(&live);
	assert_int_equal(journal_head(&b, &j), 0);
	live.msgs[3].best = 1;
	assert_int_equal(journal_msg(&live.msgs[3], 1, &j), 0);
	assert_int_equal(hist_msg_add_call(&live.msgs[5], "c1", "read", "{}", NULL), 0);
	assert_int_equal(journal_msg(&live.msgs[5], 1, &j), 0);
	size_t before_del = j.len;
	assert_int_equal(journal_del(live.msgs[2].id, 9.5, &j), 0);
	assert_int_equal(hist_delete_subtree(&live, 2), 4);
	live.updated = 9.5;
	assert_int_equal(journal_conv(&live, &j), 0);
	assert_int_equal(journal_fold(&j), 0);
	assert_true(journal_ends_folded(j.data, j.len));
	assert_false(journal_ends_folded(j.data, before_del));
	char *want = json_of(&live);
	/* read back whole; a deletion already made again is nothing to do */
	struct err le = {0, ""};
	assert_int_equal(hist_from_json(base, strlen(base), &c, &le), HIST_LOAD_OK);
	assert_int_equal(journal_apply(&c, j.data, j.len), 5);
	char *got = json_of(&c);
	assert_string_equal(got, want);
	free(got);
	struct buf again = BUF_INIT;
	assert_int_equal(journal_head(&b, &again), 0);
	assert_int_equal(journal_del(live.msgs[0].id, 9.5, &again), 0);
	assert_int_equal(journal_del("m3", 9.5, &again), 0);
	assert_int_equal(journal_apply(&c, again.data, again.len), 2);
	assert_int_equal(c.n, 0);
	buf_free(&again);
	hist_conv_free(&c);
	/* cut at every byte */
	size_t ends[8], ne = 0;
	for (size_t i = 0; i < j.len; i++)
		if (j.data[i] == '\n')
			ends[ne++] = i + 1;
	for (size_t cut = 0; cut <= j.len; cut++) {
		struct err e = {0, ""};
		size_t end, whole = 0;
		for (size_t k = 1; k < ne; k++) /* records (the head not counted) */
			whole += ends[k] <= cut;
		assert_int_equal(hist_from_json(base, strlen(base), &c, &e), HIST_LOAD_OK);
		long n = journal_apply_end(&c, j.data, cut, &end);
		assert_int_equal(n, (long)whole);
		assert_int_equal(end, whole ? ends[whole] : cut >= ends[0] ? ends[0] : 0);
		assert_int_equal(c.n, whole >= 3 ? 2u : 6u);
		struct buf out = BUF_INIT;
		assert_int_equal(hist_to_json(&c, &out), 0);
		hist_conv_free(&c);
		assert_int_equal(hist_from_json(out.data, out.len, &c, &e), HIST_LOAD_OK);
		hist_conv_free(&c);
		buf_free(&out);
	}
	free(want);
	free(base);
	hist_conv_free(&live);
	buf_free(&j);
}

/* A journal head for id's file as it is now, under name ext, then rest. */
static void put_journal(const char *id, const char *ext, int version, const char *rest)
{
	char p[900], jp[900];
	assert_int_equal(histtest_path(T, p, sizeof p, id, ".json"), 0);
	assert_int_equal(histtest_path(T, jp, sizeof jp, id, ext), 0);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	struct journal_base b;
	memset(&b, 0, sizeof b);
	snprintf(b.id, sizeof b.id, "%s", id);
	b.ino = sb.st_ino;
	b.size = sb.st_size;
	b.mtime_s = sb.st_mtim.tv_sec;
	b.mtime_ns = sb.st_mtim.tv_nsec;
	struct buf j = BUF_INIT;
	struct err e = {0, ""};
	assert_int_equal(journal_head(&b, &j), 0);
	assert_int_equal(buf_append_str(&j, rest), 0);
	if (version != JOURNAL_VERSION) { /* as an older cherry wrote it */
		char *v = strstr(j.data, "\"journal\":");
		assert_non_null(v);
		v[10] = (char)('0' + version);
	}
	assert_int_equal(fs_write_atomic(jp, j.data, j.len, &e), 0);
	buf_free(&j);
}

/* The file at p written again whole, as another program would (a byte longer). */
static void rewrite(const char *p)
{
	struct buf raw = BUF_INIT;
	struct err e = {0, ""};
	assert_int_equal(fs_read_file(p, 1 << 20, &raw, &e), 0);
	assert_int_equal(buf_append_char(&raw, '\n'), 0);
	assert_int_equal(fs_write_atomic(p, raw.data, raw.len, &e), 0);
	buf_free(&raw);
}

static size_t count_aside(void)
{
	char cdir[800];
	snprintf(cdir, sizeof cdir, "%s/corrupt", T->convdir);
	DIR *d = opendir(cdir);
	size_t n = 0;
	for (struct dirent *de; d && (de = readdir(d));)
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* Older cherries' journals ("<id>.journal", versions 1 and 2) are read, after ours (one
 * beside ours came later), and folded by the lock's holder, which then journals under
 * its own name only. */
static void test_older_journal_read_and_folded(void **unused)
{
	(void)unused;
	char id[HIST_ID_MAX + 1];
	make_conv(id, 4, 10);
	put_journal(id, ".jsonl", JOURNAL_VERSION,
		    "{\"conv\":{\"title\":\"ours\",\"current\":\"m4\"}}\n");
	put_journal(id, ".journal", 2, "{\"conv\":{\"title\":\"older, later\",\"current\":\"m4\"}}\n");
	struct hist_conv d;
	struct err e = {0, ""};
	assert_int_equal(histstore_load(&T->st, id, 1, &d, &e), HIST_LOAD_OK); /* as a holder */
	assert_string_equal(d.title, "older, later");
	hist_conv_free(&d);
	assert_int_equal(histtest_size(T, id, ".journal"), -1);
	assert_int_equal(histtest_size(T, id, ".jsonl"), -1);
	/* a holder with an older journal beside the file folds it before journalling */
	put_journal(id, ".journal", 1, "{\"conv\":{\"title\":\"v1\",\"current\":\"m4\"}}\n");
	struct chat c;
	assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
	assert_string_equal(c.conv.title, "v1");
	assert_int_equal(histtest_size(T, id, ".journal"), -1);
	assert_int_equal(chat_set_best(&c, 3, 1), 0);
	assert_int_equal(chat_save(&c, 70.0, &e), 0);
	assert_true(histtest_size(T, id, ".jsonl") > 0);
	assert_int_equal(histtest_size(T, id, ".journal"), -1);
	same_on_disk(&c);
	chat_close(&c);
	assert_int_equal(count_aside(), 0);
}

/* The record of a prompt added to id's file as it is (its id the next one, as any cherry
 * would pick it). */
static void prompt_record(const char *id, const char *text, struct buf *out)
{
	struct hist_conv d;
	struct err e = {0, ""};
	assert_int_equal(histstore_load(&T->st, id, 1, &d, &e), HIST_LOAD_OK);
	struct hist_msg *m = hist_add(&d, d.current, "user", text, 90.0);
	assert_non_null(m);
	assert_int_equal(journal_msg(m, 0, out), 0);
	hist_conv_free(&d);
}

/* An older cherry that did not see our journal adds a prompt beside the file too: its
 * message takes the id ours took, so its journal is not applied over ours but moved
 * aside, with a warning; one that adds nothing ours adds applies after ours. */
static void test_older_journal_went_apart(void **unused)
{
	(void)unused;
	warned[0] = '\0';
	char id[HIST_ID_MAX + 1];
	make_conv(id, 4, 10);
	struct buf ours = BUF_INIT, older = BUF_INIT;
	prompt_record(id, "ours", &ours);
	prompt_record(id, "older", &older);
	put_journal(id, ".jsonl", JOURNAL_VERSION, ours.data);
	put_journal(id, ".journal", 2, older.data);
	struct hist_conv d;
	struct err e = {0, ""};
	assert_int_equal(histstore_load(&T->st, id, 0, &d, &e), HIST_LOAD_OK);
	assert_int_equal(d.n, 5);
	assert_string_equal(d.msgs[4].content, "ours");
	hist_conv_free(&d);
	assert_int_equal(count_aside(), 1);
	assert_non_null(strstr(warned, "an older cherry added messages"));
	assert_non_null(strstr(warned, "corrupt/"));
	assert_int_equal(histtest_size(T, id, ".journal"), -1);
	assert_int_equal(histtest_size(T, id, ".jsonl"), -1); /* folded */
	buf_free(&ours);
	buf_free(&older);
}

/* A journal of ours whose file something else replaced (an older cherry that does not
 * read it wrote the file whole) is moved aside with a warning, not deleted; one whose
 * own fold replaced the file (a kill between the two) just goes. */
static void test_stale_journal_kept_aside(void **unused)
{
	(void)unused;
	warned[0] = '\0';
	char id[HIST_ID_MAX + 1], p[900];
	make_conv(id, 4, 10);
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
	assert_int_equal(chat_set_best(&c, 3, 1), 0);
	assert_int_equal(chat_save(&c, 80.0, &e), 0);
	histstore_journal_close(c.jfd); /* as a kill leaves it */
	histstore_unlock(&T->st, id, c.lock_fd);
	c.jfd = c.lock_fd = -1;
	chat_close(&c);
	/* an older cherry rewrites the file, without our journal's best mark */
	assert_int_equal(histtest_path(T, p, sizeof p, id, ".json"), 0);
	rewrite(p);
	struct hist_conv d;
	assert_int_equal(histstore_load(&T->st, id, 0, &d, &e), HIST_LOAD_OK);
	assert_false(d.msgs[3].best);
	hist_conv_free(&d);
	assert_int_equal(histtest_size(T, id, ".jsonl"), -1);
	assert_int_equal(count_aside(), 1);
	assert_non_null(strstr(warned, "moved to"));
	assert_non_null(strstr(warned, "/corrupt/"));
	/* a fold marker last: the file that replaced it was its fold */
	warned[0] = '\0';
	put_journal(id, ".jsonl", JOURNAL_VERSION,
		    "{\"conv\":{\"title\":\"folded\",\"current\":\"m4\"}}\n{\"fold\":true}\n");
	rewrite(p);
	assert_int_equal(histstore_load(&T->st, id, 0, &d, &e), HIST_LOAD_OK);
	assert_string_equal(d.title, "edits");
	hist_conv_free(&d);
	assert_int_equal(histtest_size(T, id, ".jsonl"), -1);
	assert_int_equal(count_aside(), 1);
	assert_string_equal(warned, "");
}

/* Step k of the kill loop's child: an exchange, a best mark, a tool call and its result,
 * a context break, the result deleted, or a whole save (as a fold makes one); then the
 * title says "step k". */
static int edit_step(struct chat *c, int k, double now)
{
	struct err e = {0, ""};
	size_t a = c->conv.n - 1, r;
	struct wire_call call = {0, (char *)"call_k", (char *)"read", BUF_INIT, NULL, 0};
	char title[32];
	int rc = 0;
	switch (k % 6) {
	case 0:
		rc = chat_send(c, "more", "fo", "echo", now, &a, &e) < 0 ? -1 : 0;
		chat_delta(c, a, "an answer", 9, 0, now);
		rc |= chat_finish(c, a, HIST_COMPLETE, NULL, NULL, 0.1, now, &e);
		break;
	case 1:
		rc = chat_set_best(c, a, 1);
		break;
	case 2:
		rc = buf_append_str(&call.args, "{}") | chat_add_calls(c, a, &call, 1, NULL, now, &e) |
		     chat_add_result(c, a, "call_k", "read", "it", 0, 0, now, &r, &e);
		buf_free(&call.args);
		break;
	case 3:
		rc = chat_set_context_break(c, a - 1, 1, now, &e);
		break;
	case 4:
		rc = chat_delete_msg(c, a, now, &e) == 1 ? 0 : -1;
		break;
	default:
		c->dirty = 1;
		break;
	}
	snprintf(title, sizeof title, "step %d", k);
	return rc | chat_rename(c, title, now, &e) | chat_save(c, now, &e);
}

static void edit_child(void *ctx, int wfd)
{
	struct chat c;
	struct err e = {0, ""};
	if (chat_open(&c, &T->st, ctx, &e) != 0)
		_exit(2);
	int k = 0;
	if (c.conv.title && !strncmp(c.conv.title, "step ", 5))
		k = atoi(c.conv.title + 5) + 1;
	for (double now = 1e9;; k++, now += 1) {
		if (edit_step(&c, k, now) < 0)
			_exit(3);
		if (write(wfd, &k, sizeof k) != (ssize_t)sizeof k)
			_exit(4);
	}
}

#define KILLS 40

/* kill -9 among saves of such changes: what a completed save held is there, and every
 * journal left is applied or folded (none moved aside). */
static void test_kill9_among_edits(void **unused)
{
	(void)unused;
	warned[0] = '\0';
	char id[HIST_ID_MAX + 1];
	make_conv(id, 200, 100);
	int reached = 0, prev = -1;
	for (int k = 0; k < KILLS; k++) {
		int last = -1;
		int got = harness_kill9(edit_child, id, k % 2, k % 2 ? 20000000 : 40000000, &last,
					sizeof last);
		if (got < 0)
			fail_msg("child %d ended on its own, or could not be killed", k);
		struct hist_conv d;
		struct err e = {0, ""};
		if (histstore_load(&T->st, id, 0, &d, &e) != HIST_LOAD_OK)
			fail_msg("kill %d: %s", k, e.msg);
		int step = d.title && !strncmp(d.title, "step ", 5) ? atoi(d.title + 5) : -1;
		if (step < last || step < prev)
			fail_msg("kill %d: \"%s\" after step %d was saved", k, d.title, last);
		prev = step;
		reached += got;
		hist_conv_free(&d);
	}
	print_message("# kill -9 among edits' saves: %d kills, %d after a save, step %d\n",
		      KILLS, reached, prev);
	assert_true(reached >= KILLS / 3);
	assert_int_equal(count_aside(), 0);
	assert_string_equal(warned, "");
	assert_int_equal(histtest_size(T, id, ".journal"), -1);
}

/* Each test in a store of its own. */
#define TEST(f) cmocka_unit_test_setup_teardown(f, histtest_setup, histtest_teardown)

int main(void)
{
	histtest_warn = on_warn;
	const struct CMUnitTest tests[] = {
		TEST(test_edits_cost_their_size),
		TEST(test_delete_among_unsaved),
		TEST(test_records_torn_everywhere),
		TEST(test_older_journal_read_and_folded),
		TEST(test_stale_journal_kept_aside),
		TEST(test_older_journal_went_apart),
		TEST(test_kill9_among_edits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
