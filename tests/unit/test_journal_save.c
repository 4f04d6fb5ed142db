/* test_journal_save: saving costs what was added (journal.h, chat_save): answers one
 * after another and several at once into a 2,000-message conversation write about their
 * own size (counted as the bytes this process hands to write(2), /proc/self/io wchar)
 * and leave its file alone; folds are amortised; the journal outlives the session and
 * every reader applies it; a torn last record loads its complete records; a journal of
 * another conversation, version or file is refused; the listing, its index and search
 * see what a journal holds. (kill -9 among saves of three answers streaming at once:
 * test_history_cmd.) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cherry/chat.h"
#include "cherry/fsutil.h"
#include "cherry/histsearch.h"
#include "cherry/journal.h"

#include "histlist_int.h"
#include "histtest.h"

#define FMT(arr, ...) assert_true(snprintf(arr, sizeof arr, __VA_ARGS__) < (int)sizeof arr)

static struct histtest *const T = &histtest_T;

static void path_of(char *p, size_t n, const char *id, const char *ext)
{
	assert_int_equal(histtest_path(T, p, n, id, ext), 0);
}

static off_t size_of(const char *id, const char *ext)
{
	return histtest_size(T, id, ext);
}

static char *json_of(const struct hist_conv *c)
{
	char *s = histtest_json(c);
	assert_non_null(s);
	return s;
}

/* The conversation as a reader sees it (no lock): the file with its journal. */
static void load_disk(const char *id, struct hist_conv *c)
{
	struct err e = {0, ""};
	if (histstore_load(&T->st, id, 0, c, &e) != HIST_LOAD_OK)
		fail_msg("load %s: %s", id, e.msg);
}

/* What a reader loads of id is mem (a conversation's JSON). */
static void disk_is(const char *id, const char *mem)
{
	struct hist_conv d;
	load_disk(id, &d);
	char *disk = json_of(&d);
	assert_string_equal(disk, mem);
	hist_conv_free(&d);
	free(disk);
}

/* A conversation of n messages (user and answer in turn) of about len bytes each,
 * written whole; its id into id. */
static void long_conv(char id[HIST_ID_MAX + 1], size_t n, size_t len)
{
	struct err e = {0, ""};
	struct hist_conv c;
	char *text = malloc(len + 1);
	assert_non_null(text);
	for (size_t i = 0; i < len; i++)
		text[i] = "abcdefgh "[i % 9];
	text[len] = '\0';
	assert_int_equal(histstore_new_id(&T->st, id, &e), 0);
	assert_int_equal(hist_conv_init(&c, id, 1.0), 0);
	for (size_t i = 0; i < n; i++) {
		struct hist_msg *m = hist_add(&c, c.current, i % 2 ? "assistant" : "user", text,
					      1.0 + (double)i);
		assert_non_null(m);
		m->status = HIST_COMPLETE;
	}
	assert_int_equal(hist_set_str(&c.title, "long"), 0);
	assert_int_equal(histstore_save(&T->st, &c, &e), 0);
	hist_conv_free(&c);
	free(text);
}

/* Streams len bytes into answer in deltas of 50 (or 1,000 for 100 KB or more), ticking
 * every 0.1 s of *t. */
static void stream(struct chat *c, size_t answer, size_t len, double *t)
{
	static char words[1001];
	if (!words[0])
		for (size_t i = 0; i < sizeof words - 1; i++)
			words[i] = "stream "[i % 7];
	size_t step = len >= 100000 ? 1000 : 50;
	struct err e = {0, ""};
	for (size_t done = 0; done < len; done += step) {
		chat_delta(c, answer, words, step, 0, *t);
		*t += 0.1;
		assert_true(chat_tick(c, *t, &e) >= 0);
	}
	assert_int_equal(e.code, 0);
}

/* Sends prompt, streams len bytes as its answer, ends and saves it: the answer's index. */
static size_t answer(struct chat *c, const char *prompt, size_t len, double *t)
{
	struct err e = {0, ""};
	size_t a;
	assert_int_equal(chat_send(c, prompt, "fo", "echo", *t, &a, &e), 0);
	assert_int_equal(chat_save(c, *t, &e), 0);
	stream(c, a, len, t);
	assert_int_equal(chat_finish(c, a, HIST_COMPLETE, NULL, NULL, 0.1, *t, &e), 0);
	assert_int_equal(chat_save(c, *t, &e), 0);
	return a;
}

/* Three answers one after another, then three at once (several models), into a
 * 2,000-message conversation: about their size is written, the file is not. */
static void test_answers_into_long_conversation(void **unused)
{
	(void)unused;
	char id[HIST_ID_MAX + 1];
	long_conv(id, 2000, 1000);
	char p[900];
	path_of(p, sizeof p, id, ".json");
	struct stat before, after;
	assert_int_equal(stat(p, &before), 0);
	assert_true(before.st_size > 2000000);

	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
	long long w0 = histtest_wchar();
	double t = 5000.0;
	size_t total = 0, many[3];
	for (int k = 0; k < 3; k++) {
		answer(&c, "and then?", 5000, &t);
		total += 5000;
	}
	assert_int_equal(chat_send(&c, "all of you", "fo", "m0", t, &many[0], &e), 0);
	size_t user = hist_parent_of(&c.conv, many[0]);
	assert_int_equal(chat_retry_at(&c, user, "fo", "m1", t, &many[1], &e), 0);
	assert_int_equal(chat_retry_at(&c, user, "fo", "m2", t, &many[2], &e), 0);
	assert_int_equal(chat_save(&c, t, &e), 0);
	for (int i = 0; i < 100; i++)
		for (int j = 0; j < 3; j++)
			stream(&c, many[j], 50, &t);
	total += 3 * 5000;
	for (int j = 0; j < 3; j++) {
		assert_int_equal(chat_finish(&c, many[j], j == 1 ? HIST_ERROR : HIST_COMPLETE,
					     j == 1 ? "it broke" : NULL, NULL, 0.2, t, &e), 0);
		assert_int_equal(chat_save(&c, t, &e), 0);
	}
	/* a rename goes in the journal too */
	assert_int_equal(chat_rename(&c, "renamed", t, &e), 0);
	assert_int_equal(chat_save(&c, t, &e), 0);
	char *mem = json_of(&c.conv);
	chat_close(&c);
	long long written = histtest_wchar() - w0;
	print_message("# 6 answers of %zu bytes in all into a %lld-byte conversation: %lld "
		      "bytes written\n", total, (long long)before.st_size, written);
	if (written > (long long)(2 * total) + 32768)
		fail_msg("%lld bytes written for %zu bytes of answers", written, total);
	/* the file was not rewritten: it is still the whole, valid conversation it was */
	assert_int_equal(stat(p, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_size, before.st_size);
	json_t *whole = json_load_file(p, 0, NULL);
	assert_non_null(whole);
	assert_int_equal(json_array_size(json_object_get(whole, "messages")), 2000);
	json_decref(whole);
	/* every reader sees the answers: the file with its journal is what memory held */
	struct hist_conv d;
	load_disk(id, &d);
	char *disk = json_of(&d);
	assert_string_equal(disk, mem);
	assert_int_equal(d.n, 2000 + 3 * 2 + 4);
	assert_string_equal(d.title, "renamed");
	assert_int_equal(d.msgs[many[1]].status, HIST_ERROR);
	assert_string_equal(d.msgs[many[1]].error, "it broke");
	assert_int_equal(strlen(d.msgs[many[2]].content), 5000);
	hist_conv_free(&d);
	free(disk);
	free(mem);
	assert_true(size_of(id, ".jsonl") > 0);
}

/* Answers into a new conversation: the journal is folded in whenever it passes half
 * the file (and 1 MB), so what is written stays a few times what was added. */
static void test_folds_amortised(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	long long w0 = histtest_wchar();
	assert_int_equal(chat_new(&c, &T->st, 10.0, &e), 0);
	double t = 10.0;
	size_t total = 0;
	off_t prev = 0;
	int folds = 0;
	for (int k = 0; k < 40; k++) {
		answer(&c, "q", 200000, &t);
		total += 200000;
		off_t f = size_of(c.conv.id, ".json"), j = size_of(c.conv.id, ".jsonl");
		folds += f != prev;
		prev = f;
		if (j > f / 2 + 8192 && j > HIST_JOURNAL_MIN + 8192)
			fail_msg("a %lld-byte journal beside a %lld-byte file", (long long)j,
				 (long long)f);
	}
	char id[HIST_ID_MAX + 1];
	FMT(id, "%s", c.conv.id);
	char *mem = json_of(&c.conv);
	chat_close(&c);
	long long written = histtest_wchar() - w0;
	print_message("# 40 answers, %zu bytes in all: %lld bytes written, %d folds\n", total,
		      written, folds);
	assert_true(folds >= 3);
	if (written > (long long)(6 * total) + 65536)
		fail_msg("%lld bytes written for %zu bytes of answers", written, total);
	disk_is(id, mem);
	free(mem);
}

/* A long answer streaming into a new conversation is not folded in while it streams
 * (a fold writes the file whole in the client's loop: keys would wait on it, again and
 * again as the answer grows) but at the first save after it ended: while it streams the
 * file stays as it was and the journal holds the answer; then the file holds it all. */
static void test_no_fold_while_streaming(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_new(&c, &T->st, 10.0, &e), 0);
	double t = 10.0;
	size_t a;
	assert_int_equal(chat_send(&c, "q", "fo", "echo", t, &a, &e), 0);
	assert_int_equal(chat_save(&c, t, &e), 0);
	off_t f0 = size_of(c.conv.id, ".json");
	assert_true(f0 > 0);
	long long w0 = histtest_wchar();
	stream(&c, a, 3000000, &t); /* three times HIST_JOURNAL_MIN, ticking all along */
	assert_int_equal(size_of(c.conv.id, ".json"), f0);
	assert_true(size_of(c.conv.id, ".jsonl") > 3000000);
	long long streamed = histtest_wchar() - w0;
	if (streamed > 3000000 + 65536)
		fail_msg("%lld bytes written while 3,000,000 streamed", streamed);
	assert_int_equal(chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, 0.1, t, &e), 0);
	t += 1.0;
	assert_int_equal(chat_tick(&c, t, &e), 1);
	assert_true(size_of(c.conv.id, ".json") > 3000000);
	assert_true(size_of(c.conv.id, ".jsonl") <= 0);
	char id[HIST_ID_MAX + 1];
	FMT(id, "%s", c.conv.id);
	char *mem = json_of(&c.conv);
	chat_close(&c);
	disk_is(id, mem);
	free(mem);
}

/* The journal outlives the session: the next one appends to it, readers apply it, and
 * one that changed behind the holder's back is not appended to (the file is written
 * whole). */
static void test_journal_kept_across_sessions(void **unused)
{
	(void)unused;
	char id[HIST_ID_MAX + 1];
	long_conv(id, 200, 1000);
	off_t fsize = size_of(id, ".json");
	struct chat c;
	struct err e = {0, ""};
	size_t a;
	for (int k = 0; k < 2; k++) {
		double t = 100.0 * (k + 1);
		assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
		assert_int_equal(c.conv.n, 200 + 2 * (size_t)k);
		answer(&c, k ? "second" : "first", 1000, &t);
		chat_close(&c);
		assert_int_equal(size_of(id, ".json"), fsize);
		struct hist_conv d;
		load_disk(id, &d);
		assert_int_equal(d.n, 202 + 2 * (size_t)k);
		assert_string_equal(d.msgs[d.n - 2].content, k ? "second" : "first");
		assert_int_equal(strlen(d.msgs[d.n - 1].content), 1000);
		assert_int_equal(d.msgs[d.n - 1].status, HIST_COMPLETE);
		hist_conv_free(&d);
	}
	off_t jsize = size_of(id, ".jsonl");
	/* appended to by something else after the open read it: the save writes whole */
	assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
	char jp[900];
	path_of(jp, sizeof jp, id, ".jsonl");
	int fd = open(jp, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{}\n", 3), 3);
	close(fd);
	assert_int_equal(chat_send(&c, "third", "fo", "echo", 500.0, &a, &e), 0);
	assert_int_equal(chat_save(&c, 500.0, &e), 0);
	assert_int_equal(e.code, 0);
	assert_int_equal(size_of(id, ".jsonl"), -1);
	assert_true(size_of(id, ".json") > fsize + jsize / 2);
	chat_close(&c);
	struct hist_conv d;
	load_disk(id, &d);
	assert_int_equal(d.n, 206);
	hist_conv_free(&d);
}

/* A new conversation with one finished exchange ("first", "answer"), whole in its file
 * (no journal); id gets its id. */
static void small_conv(char id[HIST_ID_MAX + 1])
{
	struct err e = {0, ""};
	struct hist_conv c;
	assert_int_equal(histstore_new_id(&T->st, id, &e), 0);
	assert_int_equal(hist_conv_init(&c, id, 10.0), 0);
	assert_non_null(hist_add(&c, NULL, "user", "first", 10.0));
	struct hist_msg *m = hist_add(&c, c.current, "assistant", "answer", 10.1);
	assert_non_null(m);
	m->status = HIST_COMPLETE;
	assert_int_equal(hist_set_str(&c.title, "first"), 0);
	assert_int_equal(histstore_save(&T->st, &c, &e), 0);
	hist_conv_free(&c);
}

/* A run killed mid-record leaves a torn last line: readers apply the complete records
 * before it; the next holder of the lock folds them in. */
static void test_torn_record(void **unused)
{
	(void)unused;
	struct err e = {0, ""};
	char id[HIST_ID_MAX + 1], jp[900];
	small_conv(id);
	path_of(jp, sizeof jp, id, ".jsonl");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct chat cc;
		size_t ca;
		if (chat_open(&cc, &T->st, id, &e) != 0 ||
		    chat_send(&cc, "killed prompt", "fo", "echo", 20.0, &ca, &e) != 0 ||
		    chat_save(&cc, 20.0, &e) != 0)
			_exit(1);
		chat_delta(&cc, ca, "partial", 7, 0, 21.0);
		if (chat_save(&cc, 21.0, &e) != 0)
			_exit(1);
		/* as kill -9 in the middle of the next write would leave it */
		if (histstore_journal_append(cc.jfd, "{\"text\":\"m4\",\"at\":7,\"s\":\" lo", 28,
					     &e) != 0)
			_exit(1);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(size_of(id, ".jsonl") > 0);
	/* a reader while another process holds the lock: applied in memory only */
	int fd;
	long holder;
	assert_int_equal(histstore_lock(&T->st, id, &fd, &holder, &e), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct hist_conv d;
		int ok = histstore_load(&T->st, id, 0, &d, &e) == HIST_LOAD_OK && d.n == 4 &&
			 !strcmp(d.msgs[3].content, "partial") &&
			 d.msgs[3].status == HIST_INTERRUPTED;
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(size_of(id, ".jsonl") > 0);
	histstore_unlock(&T->st, id, fd);
	/* the holder folds it: the file alone holds the complete records */
	struct chat c;
	assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
	assert_int_equal(size_of(id, ".jsonl"), -1);
	assert_int_equal(c.conv.n, 4);
	assert_string_equal(c.conv.msgs[3].content, "partial");
	chat_close(&c);
	char p[900];
	path_of(p, sizeof p, id, ".json");
	struct buf raw = BUF_INIT;
	assert_int_equal(fs_read_file(p, 1 << 20, &raw, &e), 0);
	assert_non_null(strstr(raw.data, "\"content\": \"partial\""));
	buf_free(&raw);
}

/* A journal head for the file of id as it is now, of version v (another id: other). */
static void write_head(const char *id, const char *other, int v, long dsize, const char *rest)
{
	char p[900], jp[900];
	path_of(p, sizeof p, id, ".json");
	path_of(jp, sizeof jp, id, ".journal");
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	struct buf j = BUF_INIT;
	struct err e = {0, ""};
	assert_int_equal(buf_printf(&j, "{\"journal\":%d,\"id\":\"%s\",\"ino\":%llu,\"size\":%lld,"
				    "\"mtime_s\":%lld,\"mtime_ns\":%ld}\n%s", v, other ? other : id,
				    (unsigned long long)sb.st_ino, (long long)sb.st_size + dsize,
				    (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec, rest), 0);
	assert_int_equal(fs_write_atomic(jp, j.data, j.len, &e), 0);
	buf_free(&j);
}

/* A journal of another conversation, of no version, or left beside another file is
 * never applied and the lock's holder removes it; one of a later version makes the
 * conversation read-only and is left alone; version 1's still applies. */
static void test_stale_refused(void **unused)
{
	(void)unused;
	struct err e = {0, ""};
	char id[HIST_ID_MAX + 1], other[HIST_ID_MAX + 1];
	small_conv(id);
	small_conv(other);
	static const char rename[] = "{\"conv\":{\"title\":\"renamed\",\"current\":\"m2\"}}\n";
	struct chat c;
	for (int k = 0; k < 3; k++) {
		write_head(id, k == 0 ? other : NULL, k == 1 ? 0 : JOURNAL_VERSION, k == 2 ? -1 : 0,
			   rename);
		assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
		assert_int_equal(c.conv.n, 2);
		assert_string_equal(c.conv.title, "first");
		assert_int_equal(size_of(id, ".journal"), -1);
		chat_close(&c);
	}
	write_head(id, NULL, JOURNAL_VERSION + 1, 0, rename);
	assert_int_equal(chat_open(&c, &T->st, id, &e), 1);
	assert_non_null(strstr(e.msg, "newer cherry"));
	assert_string_equal(c.conv.title, "first");
	assert_true(c.readonly);
	chat_close(&c);
	assert_true(size_of(id, ".journal") > 0);
	struct hist_conv d;
	assert_int_equal(histstore_load(&T->st, id, 0, &d, &e), HIST_LOAD_NEWER);
	hist_conv_free(&d);
	/* the first version, for contrast, applies */
	write_head(id, NULL, 1, 0, rename);
	load_disk(id, &d);
	assert_string_equal(d.title, "renamed");
	hist_conv_free(&d);
}

/* A long stretch of text between two saves (a fast answer) goes in pieces cut between
 * characters, none much over 32 KB, so it is never copied whole beside the answer. */
static void test_text_in_pieces(void **unused)
{
	(void)unused;
	char id[HIST_ID_MAX + 1];
	long_conv(id, 10, 1000);
	struct chat c;
	struct err e = {0, ""};
	size_t a;
	assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
	assert_int_equal(chat_send(&c, "fast", "fo", "echo", 50.0, &a, &e), 0);
	assert_int_equal(chat_save(&c, 50.0, &e), 0);
	size_t n = 200001; /* "\xc3\xa9" and "\xe2\x82\xac" in turn: cuts fall anywhere */
	char *text = malloc(n + 1);
	assert_non_null(text);
	for (size_t i = 0; i + 5 <= n; i += 5)
		memcpy(text + i, "\xc3\xa9\xe2\x82\xac", 5);
	n = n / 5 * 5;
	text[n] = '\0';
	chat_delta(&c, a, text, n, 0, 51.0);
	assert_int_equal(chat_save(&c, 51.0, &e), 0);
	char jp[900];
	path_of(jp, sizeof jp, id, ".jsonl");
	struct buf j = BUF_INIT;
	assert_int_equal(fs_read_file(jp, 1 << 24, &j, &e), 0);
	size_t lines = 0;
	for (const char *p = j.data, *nl; (nl = memchr(p, '\n', j.len - (size_t)(p - j.data)));
	     p = nl + 1, lines++)
		if (nl - p > 34 * 1024)
			fail_msg("a %ld-byte line", (long)(nl - p));
	assert_true(lines >= 2 + n / (32 * 1024));
	buf_free(&j);
	chat_close(&c);
	struct hist_conv d;
	load_disk(id, &d);
	assert_string_equal(d.msgs[d.n - 1].content, text);
	hist_conv_free(&d);
	free(text);
}

/* The one entry of the listing. */
static void list_one(struct hist_entry *out, char **title)
{
	struct hist_entry *v;
	size_t n;
	struct err e = {0, ""};
	assert_int_equal(histstore_list(&T->st, &v, &n, &e), 0);
	assert_int_equal(n, 1);
	*out = v[0];
	*title = strdup(v[0].title);
	histstore_entries_free(v, n);
	out->id = out->model = out->title = NULL;
}

struct found {
	int hits;
	char msg[32];
};

static int on_hit(void *ctx, const struct histsearch_hit *h)
{
	struct found *f = ctx;
	f->hits++;
	snprintf(f->msg, sizeof f->msg, "%s", h->msg);
	return 0;
}

/* The message id search finds text in (NULL: none). */
static const char *search(const char *text, struct found *f)
{
	struct err e = {0, ""};
	memset(f, 0, sizeof *f);
	struct histsearch *h = histsearch_start(&T->st, text, &e);
	assert_non_null(h);
	while (histsearch_step(h, 100, on_hit, f, NULL, NULL))
		;
	histsearch_free(h);
	return f->hits ? f->msg : NULL;
}

/* history list (and its index) and search see the messages a journal holds, also when
 * the journal grew without the directory changing (a killed writer's lock file left). */
static void test_readers_see_journal(void **unused)
{
	(void)unused;
	char id[HIST_ID_MAX + 1];
	long_conv(id, 200, 1000);
	struct hist_entry en;
	char *title;
	struct found f;
	list_one(&en, &title);
	assert_int_equal(en.nmsgs, 200);
	assert_false(en.journal);
	free(title);
	assert_null(search("okapi", &f));

	struct chat c;
	struct err e = {0, ""};
	size_t a;
	double t = 7000.0;
	assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
	assert_int_equal(chat_send(&c, "a zebraword", "fo", "echo", t, &a, &e), 0);
	assert_int_equal(chat_save(&c, t, &e), 0);
	stream(&c, a, 500, &t);
	chat_delta(&c, a, " Okapi!", 7, 0, t);
	assert_int_equal(chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, 0.1, t, &e), 0);
	char answer_id[32];
	FMT(answer_id, "%s", c.conv.msgs[a].id);
	chat_close(&c);
	assert_true(size_of(id, ".jsonl") > 0);

	list_one(&en, &title);
	assert_int_equal(en.nmsgs, 202);
	assert_true(en.journal);
	assert_true(en.updated >= t);
	free(title);
	assert_non_null(search("okapi", &f));
	assert_string_equal(f.msg, answer_id);
	assert_non_null(search("ZEBRAWORD", &f));

	/* appended to without the directory changing: the index's mark sends the listing
	 * to the journal all the same */
	struct hist_conv d;
	load_disk(id, &d);
	struct hist_msg *m = hist_add(&d, d.current, "user", "gnu gnu", t + 5);
	assert_non_null(m);
	d.updated = t + 5;
	struct buf j = BUF_INIT;
	assert_int_equal(journal_msg(m, 0, &j), 0);
	assert_int_equal(journal_conv(&d, &j), 0);
	hist_conv_free(&d);
	char jp[900];
	path_of(jp, sizeof jp, id, ".jsonl");
	int fd = open(jp, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, j.data, j.len), (ssize_t)j.len);
	close(fd);
	buf_free(&j);
	list_one(&en, &title);
	assert_int_equal(en.nmsgs, 203);
	free(title);
	assert_non_null(search("gnu gnu", &f));
}

/* The entry of conversation id a cold listing in this process makes (from what this
 * process saved: want_read files read) is the one a listing in another process (a store
 * of its own, no note) parses from the files. */
static void listed_as_saved(const char *id, size_t want_read)
{
	struct histstore other;
	struct err e = {0, ""};
	char data[900], cache[900];
	FMT(data, "%s/data/cherry", T->home.root);
	FMT(cache, "%s/cache2", T->home.root);
	assert_int_equal(histstore_open(&other, data, cache, NULL, NULL, &e), 0);
	struct histstore *stores[2] = {&T->st, &other};
	struct hist_entry *v[2];
	size_t n[2], parsed;
	for (int k = 0; k < 2; k++) {
		struct histstore_lister *l;
		unlink(stores[k]->index);
		assert_int_equal(histstore_list_begin(stores[k], &l, &e), 0);
		while (histstore_list_step(l, 0, 0, &e) == 0)
			;
		assert_int_equal(histstore_list_read(l, &parsed), k ? 1 : want_read);
		assert_int_equal(histstore_list_finish(l, &v[k], &n[k], &e), 0);
		assert_int_equal(n[k], 1);
	}
	assert_string_equal(v[0][0].id, id);
	assert_string_equal(v[0][0].title, v[1][0].title);
	assert_string_equal(v[0][0].model, v[1][0].model);
	assert_true(v[0][0].updated == v[1][0].updated);
	assert_int_equal(v[0][0].nmsgs, v[1][0].nmsgs);
	assert_int_equal(v[0][0].newer, v[1][0].newer);
	assert_int_equal(v[0][0].journal, v[1][0].journal);
	histstore_entries_free(v[0], n[0]);
	histstore_entries_free(v[1], n[1]);
	histstore_close(&other);
}

/* The client's own conversation, opened and saved as it goes (to its journal while an
 * answer streams, whole after a rename): a listing in the same process takes its entry
 * from what was saved, not from a parse of what may be 20 MB, and it is the entry
 * another process parses from the files. */
static void test_listing_takes_what_was_saved(void **unused)
{
	(void)unused;
	char id[HIST_ID_MAX + 1];
	long_conv(id, 200, 1000);
	struct chat c;
	struct err e = {0, ""};
	size_t a;
	double t = 7000.0;
	assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
	listed_as_saved(id, 0);
	assert_int_equal(chat_send(&c, "a question", "fo", "echo", t, &a, &e), 0);
	assert_int_equal(chat_save(&c, t, &e), 0);
	listed_as_saved(id, 0);
	stream(&c, a, 500, &t);
	assert_int_equal(chat_save(&c, t, &e), 0);
	listed_as_saved(id, 0);
	assert_int_equal(chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, 0.1, t, &e), 0);
	assert_int_equal(chat_save(&c, t, &e), 0);
	listed_as_saved(id, 0);
	assert_int_equal(chat_rename(&c, "a new name", t + 1, &e), 0);
	assert_int_equal(chat_save(&c, t + 1, &e), 0);
	listed_as_saved(id, 0);
	chat_close(&c);
}

/* Ticks until the write in flight is collected and nothing is left unsaved (t moves on
 * a hundredth of a second a tick): how many ticks failed, and the lines they left. */
static int settle(struct chat *c, double *t, int *lines, struct err *first)
{
	int failed = 0;
	for (int i = 0; i < 20000 && (chat_writing(c) || chat_unsaved(c)); i++) {
		struct err te = {0, ""};
		usleep(1000);
		*t += 0.01;
		failed += chat_tick(c, *t, &te) < 0;
		if (te.code) {
			if (!*lines)
				*first = te;
			(*lines)++;
		}
	}
	return failed;
}

/* Written behind: a 2 MB conversation opened, and a 1.5 MB answer (past half the file:
 * the save at its end folds) streamed into it, not ended yet. */
static size_t behind_answer(char id[HIST_ID_MAX + 1], off_t *f0, struct chat *c, double *t)
{
	T->st.write_behind = 1;
	long_conv(id, 200, 10000);
	*f0 = size_of(id, ".json");
	struct err e = {0, ""};
	assert_int_equal(chat_open(c, &T->st, id, &e), 0);
	*t = 100.0;
	size_t a;
	assert_int_equal(chat_send(c, "long", "fo", "echo", *t, &a, &e), 0);
	assert_int_equal(chat_save(c, *t, &e), 0);
	stream(c, a, 1500000, t);
	return a;
}

/* Written behind (the client's store): the fold at an answer's end is written on a
 * thread of its own while the conversation goes on; what changed meanwhile is saved once
 * it is collected, in a journal that continues the new file; nothing is lost or left. */
static void test_written_behind(void **unused)
{
	(void)unused;
	char id[HIST_ID_MAX + 1];
	off_t f0;
	struct chat c;
	struct err e = {0, ""};
	double t;
	size_t a = behind_answer(id, &f0, &c, &t), b;
	assert_int_equal(chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, 0.1, t, &e), 0);
	assert_int_equal(chat_save(&c, t, &e), 0);
	int flying = chat_writing(&c);
	/* meanwhile: another exchange, saved (waiting for the write) */
	assert_int_equal(chat_send(&c, "meanwhile", "fo", "echo", t, &b, &e), 0);
	chat_delta(&c, b, "more", 4, 0, t);
	assert_int_equal(chat_save(&c, t, &e), 0);
	int lines = 0;
	struct err first = {0, ""};
	assert_int_equal(settle(&c, &t, &lines, &first), 0);
	assert_int_equal(lines, 0);
	assert_false(chat_writing(&c));
	assert_true(size_of(id, ".json") > f0 + 1500000);
	assert_true(size_of(id, ".jsonl") > 0); /* the exchange after the fold */
	char *mem = json_of(&c.conv);
	disk_is(id, mem);
	free(mem);
	assert_int_equal(chat_finish(&c, b, HIST_COMPLETE, NULL, NULL, 0.1, t, &e), 0);
	mem = json_of(&c.conv);
	chat_close(&c);
	disk_is(id, mem);
	free(mem);
	assert_int_equal(harness_count_hidden(T->convdir), 0);
	print_message("# the fold was %s when the conversation went on\n",
		      flying ? "still being written" : "already written");
}

/* A write behind that fails (a full disk): reported once when collected, the old file
 * whole and its journal still holding everything; written whole once it fits. */
static void test_written_behind_fails(void **unused)
{
	(void)unused;
	void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
	char id[HIST_ID_MAX + 1];
	off_t f0;
	struct chat c;
	struct err e = {0, ""};
	double t;
	size_t a = behind_answer(id, &f0, &c, &t);
	assert_int_equal(chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, 0.1, t, &e), 0);
	char *mem = json_of(&c.conv);
	struct rlimit rl, small;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	small = rl;
	small.rlim_cur = (rlim_t)f0 + 1000000; /* the journal fits, the whole file not */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(chat_save(&c, t, &e), 0); /* begun */
	assert_int_equal(e.code, 0);
	int lines = 0;
	struct err first = {0, ""};
	/* a second of ticks at least, and until the first write is collected (a slow
	 * machine, valgrind): every write tried fails */
	for (int i = 0; (i < 100 || !lines) && i < 20000; i++) {
		struct err te = {0, ""};
		usleep(1000);
		t += 0.01;
		chat_tick(&c, t, &te);
		if (te.code) {
			if (!lines)
				first = te;
			lines++;
		}
	}
	int failing = chat_writing(&c) || chat_unsaved(&c);
	int kept = size_of(id, ".json") == f0;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	assert_true(failing);
	assert_true(kept);
	assert_int_equal(lines, 1);
	assert_non_null(strstr(first.msg, "conversation not saved: cannot save"));
	disk_is(id, mem); /* the journal holds it all */
	assert_int_equal(harness_count_hidden(T->convdir), 0);
	/* it fits again: written whole */
	settle(&c, &t, &lines, &first);
	assert_int_equal(lines, 1);
	assert_false(chat_unsaved(&c));
	assert_true(size_of(id, ".json") > f0 + 1500000);
	assert_int_equal(size_of(id, ".jsonl"), -1);
	disk_is(id, mem);
	chat_close(&c);
	disk_is(id, mem);
	free(mem);
	assert_int_equal(harness_count_hidden(T->convdir), 0);
	signal(SIGXFSZ, old);
}

/* kill -9 at any moment while whole saves are written behind (each exchange ends with
 * one) and the conversation goes on:
 * what a reader then loads is whole (never corrupt), holds every exchange the run
 * reported saved, and the next holder of the lock goes on from it. */
static void test_written_behind_killed(void **unused)
{
	(void)unused;
	T->st.write_behind = 1;
	char id[HIST_ID_MAX + 1];
	long_conv(id, 20, 10000);
	unsigned seed = (unsigned)time(NULL);
	size_t want = 20;
	for (int k = 0; k < 12; k++) {
		int p[2];
		assert_int_equal(pipe(p), 0);
		pid_t child = fork();
		assert_true(child >= 0);
		if (child == 0) {
			close(p[0]);
			struct chat c;
			struct err ce = {0, ""};
			double t = 1000.0 * (k + 1);
			if (chat_open(&c, &T->st, id, &ce) != 0)
				_exit(1);
			for (;;) {
				size_t a, b;
				chat_send(&c, "again", "fo", "echo", t, &a, &ce);
				chat_save(&c, t, &ce);
				stream(&c, a, 300000, &t);
				chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, 0.1, t, &ce);
				c.dirty = 1; /* written whole, behind, as a fold is */
				chat_save(&c, t, &ce);
				/* the conversation goes on while it is written */
				chat_send(&c, "meanwhile", "fo", "echo", t, &b, &ce);
				chat_delta(&c, b, "short", 5, 0, t);
				chat_finish(&c, b, HIST_COMPLETE, NULL, NULL, 0.1, t, &ce);
				chat_save(&c, t, &ce);
				int lines = 0;
				struct err first = {0, ""};
				settle(&c, &t, &lines, &first);
				size_t n = c.conv.n;
				if (lines || write(p[1], &n, sizeof n) != sizeof n)
					_exit(2);
			}
		}
		close(p[1]);
		seed = seed * 1103515245u + 12345u;
		usleep(20000 + (seed >> 8) % 400000);
		kill(child, SIGKILL);
		int status;
		assert_int_equal(waitpid(child, &status, 0), child);
		assert_true(WIFSIGNALED(status));
		size_t n;
		while (read(p[0], &n, sizeof n) == sizeof n)
			want = n;
		close(p[0]);
		struct hist_conv d;
		load_disk(id, &d);
		if (d.n < want)
			fail_msg("kill %d: %zu messages on disk, the run had saved %zu", k, d.n, want);
		want = d.n;
		hist_conv_free(&d);
	}
	/* the next holder folds what is left and leaves no temp file behind */
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
	assert_true(c.conv.n >= want);
	c.dirty = 1;
	assert_int_equal(chat_save(&c, 1e6, &e), 0);
	chat_close(&c);
	/* a temp file a kill left is removed by the next store opened */
	histstore_close(&T->st);
	char data[400], cache[400];
	FMT(data, "%s/data/cherry", T->home.root);
	FMT(cache, "%s/cache/cherry", T->home.root);
	struct err oe = {0, ""};
	assert_int_equal(histstore_open(&T->st, data, cache, NULL, NULL, &oe), 0);
	assert_int_equal(harness_count_hidden(T->convdir), 0);
	print_message("# 12 kills among whole saves written behind: every load whole, %zu messages\n",
		      want);
}

/* Each test in a store of its own. */
#define TEST(f) cmocka_unit_test_setup_teardown(f, histtest_setup, histtest_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_answers_into_long_conversation),
		TEST(test_folds_amortised),
		TEST(test_no_fold_while_streaming),
		TEST(test_journal_kept_across_sessions),
		TEST(test_torn_record),
		TEST(test_stale_refused),
		TEST(test_text_in_pieces),
		TEST(test_readers_see_journal),
		TEST(test_listing_takes_what_was_saved),
		TEST(test_written_behind),
		TEST(test_written_behind_fails),
		TEST(test_written_behind_killed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
