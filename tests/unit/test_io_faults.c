/* test_io_faults: a full disk and a failing disk, injected. Every open(2), openat(2),
 * write(2), fsync(2), close(2) and renameat(2) cherry's code makes goes through the
 * __wrap_* functions below (the Makefile links this binary with -Wl,--wrap=...; no hook
 * in src/), and the Nth of them fails, for every N: an open that would create a file with
 * EROFS (a read-only file system, which root cannot get around as it does a directory's
 * mode), write with ENOSPC (and, in one pass, every write cut short first, as a nearly
 * full disk does), fsync and close with EIO, renameat with EIO. While
 *  - a file is replaced atomically (fs_write_atomic, under every save of a conversation,
 *    the vault, the config's tools, state and exports),
 *  - a conversation is saved whole (histstore_save),
 *  - an answer is saved into a long conversation's journal, then saved again once the
 *    disk is back:
 * each run ends with one clear error line or with success, never with a torn or
 * half-replaced file, a temp file left, a descriptor leaked, or anything lost once the
 * next save succeeds; a conversation on disk always loads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cherry/chat.h"
#include "cherry/fsutil.h"
#include "cherry/histstore.h"

#include "histtest.h"

/* ---- the hook ---- */

int __real_open(const char *path, int flags, ...);
int __real_openat(int dfd, const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
int __wrap_openat(int dfd, const char *path, int flags, ...);
ssize_t __real_write(int fd, const void *p, size_t n);
int __real_fsync(int fd);
int __real_close(int fd);
int __real_renameat(int dfd, const char *from, int tfd, const char *to);
ssize_t __wrap_write(int fd, const void *p, size_t n);
int __wrap_fsync(int fd);
int __wrap_close(int fd);
int __wrap_renameat(int dfd, const char *from, int tfd, const char *to);

static int armed;        /* count (and maybe fail) the calls */
static long fail_at;     /* the call to fail, counting from 0 */
static long seen;        /* calls made since arming */
static size_t max_write; /* when armed and not 0: each write does at most this much */
static int sticky;       /* every call from fail_at on fails (a disk that stays full) */

static int hook_fails(int err)
{
	if (!armed)
		return 0;
	long k = seen++;
	if (sticky ? k < fail_at : k != fail_at)
		return 0;
	errno = err;
	return 1;
}

/* Only an open that may create or write counts: reads go on as ever. */
static int open_fails(int flags)
{
	return (flags & (O_CREAT | O_WRONLY | O_RDWR)) && hook_fails(EROFS);
}

int __wrap_open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	return open_fails(flags) ? -1 : __real_open(path, flags, mode);
}

int __wrap_openat(int dfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	return open_fails(flags) ? -1 : __real_openat(dfd, path, flags, mode);
}

ssize_t __wrap_write(int fd, const void *p, size_t n)
{
	if (fd <= 2)
		return __real_write(fd, p, n); /* the test's own output */
	if (hook_fails(ENOSPC))
		return -1;
	if (armed && max_write && n > max_write)
		n = max_write;
	return __real_write(fd, p, n);
}

int __wrap_fsync(int fd)
{
	return hook_fails(EIO) ? -1 : __real_fsync(fd);
}

/* Linux closes the descriptor whatever close says. */
int __wrap_close(int fd)
{
	if (hook_fails(EIO)) {
		__real_close(fd);
		return -1;
	}
	return __real_close(fd);
}

int __wrap_renameat(int dfd, const char *from, int tfd, const char *to)
{
	return hook_fails(EIO) ? -1 : __real_renameat(dfd, from, tfd, to);
}

static void arm(long n, size_t cut)
{
	sticky = 0;
	seen = 0;
	fail_at = n;
	max_write = cut;
	armed = 1;
}

/* 1 when the armed run met its failure. */
static int disarm(void)
{
	armed = 0;
	return seen > fail_at;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	int n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT;
	struct err e = {0, ""};
	assert_int_equal(fs_read_file(path, 1u << 26, &b, &e), 0);
	return b.data ? b.data : strdup("");
}

static struct histtest *const T = &histtest_T;

/* ---- fs_write_atomic ---- */

/* The file holds old or new, whole; a failure says "cannot save PATH: why" and leaves
 * old, except a failed fsync of the directory after the rename ("saved PATH, but cannot
 * make it durable"), which leaves new. */
static void replace_once(const char *path, const char *old, const char *new, long n,
			 size_t cut, int *met)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(old, f);
	assert_int_equal(fclose(f), 0);
	int fds = open_fds();
	struct err e = {0, ""};
	arm(n, cut);
	int rc = fs_write_atomic(path, new, strlen(new), &e);
	*met = disarm();
	char *got = slurp(path);
	if (rc == 0) {
		assert_string_equal(got, new);
	} else {
		assert_true(*met);
		char want[900];
		snprintf(want, sizeof want, "cannot save %s: ", path);
		if (!strncmp(e.msg, "saved ", 6)) {
			assert_non_null(strstr(e.msg, "but cannot make it durable: Input/output error"));
			assert_string_equal(got, new);
		} else {
			if (strncmp(e.msg, want, strlen(want)))
				fail_msg("call %ld: \"%s\"", n, e.msg);
			assert_true(strstr(e.msg, "No space left on device") ||
				    strstr(e.msg, "Input/output error") ||
				    strstr(e.msg, "Read-only file system"));
			assert_string_equal(got, old);
		}
	}
	free(got);
	assert_int_equal(open_fds(), fds);
	assert_int_equal(harness_count_hidden(T->convdir), 0);
}

static void test_replace(void **unused)
{
	(void)unused;
	char path[800];
	assert_true(snprintf(path, sizeof path, "%s/file.json", T->convdir) < (int)sizeof path);
	char *old = malloc(30001), *new = malloc(30001);
	assert_non_null(old);
	assert_non_null(new);
	memset(old, 'o', 30000);
	memset(new, 'n', 30000);
	old[30000] = new[30000] = '\0';
	long failed = 0;
	for (int pass = 0; pass < 2; pass++) {
		size_t cut = pass ? 4096 : 0; /* then every write is cut short first */
		int met = 1;
		for (long n = 0; met; n++) {
			replace_once(path, old, new, n, cut, &met);
			failed += met;
		}
	}
	print_message("# fs_write_atomic: %ld runs with a failing call, each whole\n", failed);
	assert_true(failed >= 12);
	free(old);
	free(new);
}

/* ---- a conversation saved whole ---- */

static void make_conv(struct hist_conv *c, const char *id, size_t n, const char *word)
{
	assert_int_equal(hist_conv_init(c, id, 1.0), 0);
	char text[2000];
	for (size_t i = 0; i < sizeof text - 1; i++)
		text[i] = word[i % strlen(word)];
	text[sizeof text - 1] = '\0';
	for (size_t i = 0; i < n; i++) {
		struct hist_msg *m = hist_add(c, c->current, i % 2 ? "assistant" : "user", text,
					      1.0 + (double)i);
		assert_non_null(m);
		m->status = HIST_COMPLETE;
	}
	assert_int_equal(hist_set_str(&c->title, word), 0);
}

static char *disk_json(const char *id)
{
	struct hist_conv d;
	struct err e = {0, ""};
	if (histstore_load(&T->st, id, 0, &d, &e) != HIST_LOAD_OK)
		fail_msg("%s does not load: %s", id, e.msg);
	char *s = histtest_json(&d);
	hist_conv_free(&d);
	assert_non_null(s);
	return s;
}

static void test_conversation_whole(void **unused)
{
	(void)unused;
	char id[HIST_ID_MAX + 1];
	struct err e = {0, ""};
	assert_int_equal(histstore_new_id(&T->st, id, &e), 0);
	struct hist_conv a, b;
	make_conv(&a, id, 20, "old ");
	make_conv(&b, id, 30, "new ");
	char *ja = histtest_json(&a), *jb = histtest_json(&b);
	long failed = 0;
	int met = 1;
	for (long n = 0; met; n++) {
		assert_int_equal(histstore_save(&T->st, &a, &e), 0);
		int fds = open_fds();
		struct err se = {0, ""};
		arm(n, 8192);
		int rc = histstore_save(&T->st, &b, &se);
		met = disarm();
		failed += met;
		char *got = disk_json(id);
		if (rc == 0) {
			assert_string_equal(got, jb);
		} else {
			assert_true(met);
			assert_non_null(strstr(se.msg, id));
			if (strcmp(got, ja) && strcmp(got, jb))
				fail_msg("call %ld: neither the old nor the new conversation", n);
		}
		free(got);
		assert_int_equal(open_fds(), fds);
		assert_int_equal(harness_count_hidden(T->convdir), 0);
	}
	print_message("# histstore_save: %ld runs with a failing call\n", failed);
	assert_true(failed >= 6);
	free(ja);
	free(jb);
	hist_conv_free(&a);
	hist_conv_free(&b);
}

/* ---- an answer into a long conversation's journal ---- */

static void test_journal(void **unused)
{
	(void)unused;
	long failed = 0, refused = 0;
	for (int pass = 0; pass < 2; pass++) {
	int met = 1;
	for (long n = 0; met; n++) {
		char id[HIST_ID_MAX + 1];
		struct err e = {0, ""};
		assert_int_equal(histstore_new_id(&T->st, id, &e), 0);
		struct hist_conv a;
		make_conv(&a, id, 60, "long "); /* past CHAT_FOLD_SMALL: saves go to a journal */
		assert_int_equal(histstore_save(&T->st, &a, &e), 0);
		hist_conv_free(&a);
		char *before = disk_json(id);

		struct chat c;
		size_t ans;
		double t = 100.0;
		int fds = open_fds();
		assert_int_equal(chat_open(&c, &T->st, id, &e), 0);
		assert_int_equal(chat_send(&c, "a new question", "fo", "echo", t, &ans, &e), 0);
		assert_int_equal(chat_save(&c, t, &e), 0);
		static char piece[40001];
		memset(piece, 'a', sizeof piece - 1);
		chat_delta(&c, ans, piece, sizeof piece - 1, 0, t);
		chat_delta(&c, ans, " the end", 8, 0, t);
		assert_int_equal(chat_finish(&c, ans, HIST_COMPLETE, NULL, NULL, 0.1, t, &e), 0);
		struct err se = {0, ""};
		arm(n, 16384);
		sticky = pass; /* then the disk stays full: the whole write fails as well */
		int rc = chat_save(&c, t + 1, &se);
		met = disarm();
		failed += met;
		refused += rc < 0;
		if (rc < 0 && !strstr(se.msg, "No space left on device") &&
		    !strstr(se.msg, "Input/output error") && !strstr(se.msg, "Read-only file system"))
			fail_msg("call %ld: \"%s\"", n, se.msg);
		if (rc < 0 && n == 0)
			print_message("# the line: %s\n", se.msg);
		/* a reader meanwhile (the process killed now) loads it: the old conversation
		 * with whatever whole records the journal got */
		char *mid = disk_json(id);
		assert_int_equal(strncmp(mid, before, 40), 0);
		free(mid);
		/* the disk back: the next save holds everything */
		c.dirty |= rc < 0;
		assert_int_equal(chat_save(&c, t + 2, &e), 0);
		char *mem = histtest_json(&c.conv);
		chat_close(&c);
		assert_int_equal(open_fds(), fds);
		char *after = disk_json(id);
		if (strcmp(after, mem))
			fail_msg("call %ld: the conversation on disk is not the one in memory", n);
		assert_non_null(strstr(after, "a new question"));
		assert_non_null(strstr(after, "aaaa the end"));
		free(after);
		free(mem);
		free(before);
		assert_int_equal(harness_count_hidden(T->convdir), 0);
	}
	}
	print_message("# an answer into a journal: %ld runs with a failing call, %ld saves "
		      "refused, nothing lost\n", failed, refused);
	assert_true(failed >= 3);
	assert_true(refused >= 1);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, histtest_setup, histtest_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_replace),
		TEST(test_conversation_whole),
		TEST(test_journal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
