/* test_histstore: conversation files on disk: modes, corrupt and newer files, locks
 * between processes, full disk, read-only directory, planted symlinks, temp-file
 * cleanup, the index, id prefixes and XDG fallbacks (the session on top: test_chat). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
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

#include "cherry/histsearch.h"
#include "cherry/histstore.h"

#include "harness.h"

#define FMT(arr, ...) assert_true(snprintf(arr, sizeof arr, __VA_ARGS__) < (int)sizeof arr)

static char root[512];   /* the test's temp dir */
static char data[600];   /* root/data: cherry's data dir */
static char cache[600];  /* root/cache */
static char convdir[700];
static int nwarn;
static char lastwarn[1200];

static void count_warn(void *ctx, const char *line)
{
	(void)ctx;
	nwarn++;
	snprintf(lastwarn, sizeof lastwarn, "%s", line);
}

static int setup(void **state)
{
	(void)state;
	const char *base = getenv("TMPDIR");
	snprintf(root, sizeof root, "%s/cherry-histstore-XXXXXX",
		 base && base[0] == '/' ? base : "/tmp");
	if (!mkdtemp(root))
		return -1;
	snprintf(data, sizeof data, "%s/data", root);
	snprintf(cache, sizeof cache, "%s/cache", root);
	snprintf(convdir, sizeof convdir, "%s/conversations", data);
	nwarn = 0;
	lastwarn[0] = '\0';
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
	if (histstore_open(s, data, cache, count_warn, NULL, &e) < 0)
		fail_msg("histstore_open: %s", e.msg);
}

static void make_conv(struct hist_conv *c, const char *id, const char *title, int nmsgs)
{
	assert_int_equal(hist_conv_init(c, id, 1700000000.0), 0);
	assert_int_equal(hist_set_str(&c->title, title), 0);
	assert_int_equal(hist_set_str(&c->model, "fo/echo"), 0);
	for (int i = 0; i < nmsgs; i++)
		assert_non_null(hist_add(c, c->current, i % 2 ? "assistant" : "user",
					 i % 2 ? "an answer" : "a question", 1700000000.0 + i));
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* ---- tests ---- */

static void test_save_load_modes(void **state)
{
	(void)state;
	mode_t old = umask(0);
	struct histstore s;
	open_store(&s);
	struct hist_conv c, d;
	make_conv(&c, "k1", "first", 4);
	struct err e = {0, ""};
	assert_int_equal(histstore_save(&s, &c, &e), 0);
	umask(old);
	char p[900];
	FMT(p, "%s/k1.json", convdir);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(convdir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(histstore_load(&s, "k1", 0, &d, &e), HIST_LOAD_OK);
	assert_int_equal(d.n, 4);
	assert_string_equal(d.title, "first");
	assert_string_equal(d.msgs[3].content, "an answer");
	hist_conv_free(&d);
	assert_int_equal(histstore_load(&s, "nope", 0, &d, &e), -1);
	assert_string_equal(e.msg, "no conversation nope");
	assert_int_equal(histstore_load(&s, "../etc", 0, &d, &e), -1);
	hist_conv_free(&c);
	histstore_close(&s);
}

/* Listing in steps: a cold index is filled a few files at a time, what is shown so far
 * grows, and the end is the same list histstore_list gives; a warm index shows its whole
 * list before any step. */
static void test_list_in_steps(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	struct err e = {0, ""};
	for (int i = 0; i < 20; i++) {
		struct hist_conv c;
		char id[16], title[16];
		FMT(id, "st%02d", i);
		FMT(title, "title %d", i);
		make_conv(&c, id, title, 2);
		c.updated = 1000.0 + i;
		assert_int_equal(histstore_save(&s, &c, &e), 0);
		hist_conv_free(&c);
	}
	struct histstore_lister *l;
	struct hist_entry *v;
	size_t n, shown = 0;
	int steps = 0, r;
	assert_int_equal(histstore_list_begin(&s, &l, &e), 0);
	assert_int_equal(histstore_list_snapshot(l, &v, &n, &e), 0);
	assert_int_equal(n, 0); /* cold: nothing known yet */
	histstore_entries_free(v, n);
	while ((r = histstore_list_step(l, 3, 0, &e)) == 0) {
		steps++;
		assert_int_equal(histstore_list_snapshot(l, &v, &n, &e), 0);
		assert_true(n >= shown && n <= 20);
		for (size_t i = 1; i < n; i++)
			assert_true(v[i - 1].updated >= v[i].updated);
		shown = n;
		histstore_entries_free(v, n);
	}
	assert_int_equal(r, 1);
	assert_true(steps >= 6); /* 20 files, 3 a step */
	assert_int_equal(histstore_list_finish(l, &v, &n, &e), 0);
	assert_int_equal(n, 20);
	assert_string_equal(v[0].id, "st19");
	assert_string_equal(v[19].title, "title 0");
	histstore_entries_free(v, n);
	/* warm: the index is the list at once, and checking it parses nothing */
	assert_int_equal(histstore_list_begin(&s, &l, &e), 0);
	assert_int_equal(histstore_list_snapshot(l, &v, &n, &e), 0);
	assert_int_equal(n, 20);
	histstore_entries_free(v, n);
	assert_int_equal(histstore_list_step(l, 1, 0, &e), 1);
	histstore_list_end(l);
	/* a removed file leaves the list when the listing finishes */
	assert_int_equal(histstore_remove(&s, "st05", &e), 0);
	assert_int_equal(histstore_list(&s, &v, &n, &e), 0);
	assert_int_equal(n, 19);
	for (size_t i = 0; i < n; i++)
		assert_string_not_equal(v[i].id, "st05");
	histstore_entries_free(v, n);
	histstore_close(&s);
}

static void test_corrupt_moved_once(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	char p[900], moved[900];
	FMT(p, "%s/bad1.json", convdir);
	put_file(p, "{\"version\": 1, \"id\": \"bad1\", \"messages\": [tr");
	struct hist_conv c;
	make_conv(&c, "good", "fine", 2);
	struct err e = {0, ""};
	assert_int_equal(histstore_save(&s, &c, &e), 0);
	hist_conv_free(&c);
	struct hist_entry *v;
	size_t n;
	assert_int_equal(histstore_list(&s, &v, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].id, "good");
	histstore_entries_free(v, n);
	assert_int_equal(nwarn, 1);
	assert_non_null(strstr(lastwarn, "conversation bad1 cannot be read (not valid JSON"));
	assert_non_null(strstr(lastwarn, "moved to "));
	FMT(moved, "%s/corrupt/bad1.json", convdir);
	char *text = harness_read_file(moved, NULL);
	assert_non_null(text);
	assert_string_equal(text, "{\"version\": 1, \"id\": \"bad1\", \"messages\": [tr");
	free(text);
	assert_int_equal(access(p, F_OK), -1);
	/* reported once: the second listing is quiet */
	assert_int_equal(histstore_list(&s, &v, &n, &e), 0);
	histstore_entries_free(v, n);
	assert_int_equal(nwarn, 1);
	/* a second corrupt file of the same id never replaces the first copy */
	put_file(p, "garbage");
	assert_int_equal(histstore_load(&s, "bad1", 0, &c, &e), -1);
	assert_non_null(strstr(e.msg, "corrupt/bad1.json.1"));
	text = harness_read_file(moved, NULL);
	assert_non_null(strstr(text, "[tr"));
	free(text);
	histstore_close(&s);
}

static void test_newer_version_read_only(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	char p[900];
	FMT(p, "%s/fut.json", convdir);
	const char *future = "{\"version\": 99, \"id\": \"fut\", \"current\": \"m1\", "
			     "\"messages\": [{\"id\": \"m1\", \"role\": \"user\", "
			     "\"content\": \"from the future\"}]}";
	put_file(p, future);
	struct hist_conv c;
	struct err e = {0, ""};
	assert_int_equal(histstore_load(&s, "fut", 0, &c, &e), HIST_LOAD_NEWER);
	assert_int_equal(histstore_save(&s, &c, &e), -1);
	assert_non_null(strstr(e.msg, "newer cherry"));
	hist_conv_free(&c);
	char *text = harness_read_file(p, NULL);
	assert_string_equal(text, future);
	free(text);
	histstore_close(&s);
}

static void test_full_disk(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	struct hist_conv c;
	make_conv(&c, "big", "small first", 2);
	struct err e = {0, ""};
	assert_int_equal(histstore_save(&s, &c, &e), 0);
	char p[900];
	FMT(p, "%s/big.json", convdir);
	char *before = harness_read_file(p, NULL);
	/* now too big for the file-size limit */
	struct buf huge = BUF_INIT;
	for (int i = 0; i < 20000; i++)
		buf_append_str(&huge, "0123456789");
	assert_non_null(hist_add(&c, c.current, "user", huge.data, 1700000100.0));
	void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl, small;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	small = rl;
	small.rlim_cur = 64 * 1024;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	int rc = histstore_save(&s, &c, &e);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(e.msg, "cannot save"));
	assert_non_null(strstr(e.msg, "big.json"));
	assert_non_null(strstr(e.msg, strerror(EFBIG)));
	assert_null(strchr(e.msg, '\n'));
	char *after = harness_read_file(p, NULL);
	assert_string_equal(after, before);
	free(after);
	assert_int_equal(harness_count_hidden(convdir), 0);
	/* the conversation is still in memory and the next save works */
	assert_int_equal(histstore_save(&s, &c, &e), 0);
	struct hist_conv d;
	assert_int_equal(histstore_load(&s, "big", 0, &d, &e), HIST_LOAD_OK);
	assert_int_equal(d.n, 3);
	assert_int_equal(strlen(d.msgs[2].content), 200000);
	hist_conv_free(&d);
	signal(SIGXFSZ, old);
	free(before);
	buf_free(&huge);
	hist_conv_free(&c);
	histstore_close(&s);
}

/* In a child with its own mount namespace, conversations/ becomes a read-only bind mount:
 * the save must fail with EROFS and leave the file whole. 0 pass, 77 unsupported. */
static int ro_mount_child(struct histstore *s, struct hist_conv *c)
{
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		if (harness_ro_bind(convdir) < 0)
			_exit(77);
		char p[900];
		snprintf(p, sizeof p, "%s/ro.json", convdir);
		char *before = harness_read_file(p, NULL);
		struct err e = {0, ""};
		if (!hist_add(c, c->current, "user", "more", 1700000200.0))
			_exit(2);
		if (histstore_save(s, c, &e) != -1 || !strstr(e.msg, strerror(EROFS)))
			_exit(3);
		char *after = harness_read_file(p, NULL);
		if (!before || !after || strcmp(before, after) || harness_count_hidden(convdir))
			_exit(4);
		_exit(0);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}

static void test_read_only_dir(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	struct hist_conv c;
	make_conv(&c, "ro", "read only", 2);
	struct err e = {0, ""};
	assert_int_equal(histstore_save(&s, &c, &e), 0);
	assert_int_equal(chmod(convdir, 0500), 0);
	char probe[900];
	FMT(probe, "%s/probe", convdir);
	int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd >= 0) {
		/* root (CAP_DAC_OVERRIDE) writes anyway: use a read-only bind mount in a
		 * private mount namespace instead, when the system allows one. */
		close(fd);
		unlink(probe);
		chmod(convdir, 0700);
		int rc = ro_mount_child(&s, &c);
		hist_conv_free(&c);
		histstore_close(&s);
		if (rc == 77)
			skip(); /* root, and no mount namespace for a read-only bind mount */
		assert_int_equal(rc, 0);
		return;
	}
	assert_non_null(hist_add(&c, c.current, "user", "more", 1700000200.0));
	assert_int_equal(histstore_save(&s, &c, &e), -1);
	assert_non_null(strstr(e.msg, strerror(EACCES)));
	chmod(convdir, 0700);
	struct hist_conv d;
	assert_int_equal(histstore_load(&s, "ro", 0, &d, &e), HIST_LOAD_OK);
	assert_int_equal(d.n, 2);
	hist_conv_free(&d);
	assert_int_equal(histstore_save(&s, &c, &e), 0);
	hist_conv_free(&c);
	histstore_close(&s);
}

/* In a child whose data directory is a read-only bind mount (or, not root, one without
 * write permission): the opens that can do without writing open read-only and read what
 * is there; histstore_open keeps failing where it must create. 0 pass, 77 unsupported,
 * else the step that failed. */
static int open_read_only_child(const char *empty)
{
	struct histstore s;
	struct err e = {0, ""};
	struct hist_entry *v;
	size_t n;
	char id[HIST_ID_MAX + 1];
	/* there, with one conversation */
	if (histstore_open_reader(&s, data, cache, NULL, NULL, &e) != 0 || !s.readonly ||
	    s.absent || !strstr(s.readonly_why, convdir))
		return 10;
	if (histstore_list(&s, &v, &n, &e) != 0 || n != 1 || strcmp(v[0].id, "keep"))
		return 11;
	histstore_entries_free(v, n);
	if (histstore_resolve(&s, "ke", id, &e) != 0 || strcmp(id, "keep"))
		return 12;
	histstore_close(&s);
	/* histstore_open (ask) finds the directory there, as before: its save says why */
	if (histstore_open(&s, data, cache, NULL, NULL, &e) != 0 || s.readonly)
		return 13;
	histstore_close(&s);
	/* not there, and it cannot be made: an empty history */
	if (histstore_open(&s, empty, cache, NULL, NULL, &e) != -1 ||
	    !strstr(e.msg, "cannot create directory"))
		return 14;
	err_clear(&e);
	if (histstore_open_listing(&s, empty, cache, NULL, NULL, &e) != 0 || !s.readonly ||
	    !s.absent || !strstr(s.readonly_why, "cannot create directory"))
		return 15;
	if (histstore_list(&s, &v, &n, &e) != 0 || n != 0)
		return 16;
	histstore_entries_free(v, n);
	if (histstore_resolve(&s, "keep", id, &e) != -1 || strcmp(e.msg, "no conversation keep"))
		return 17;
	err_clear(&e);
	struct histsearch *h = histsearch_start(&s, "anything", &e);
	if (!h)
		return 18;
	histsearch_free(h);
	histstore_close(&s);
	return 0;
}

static void test_open_read_only(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	struct hist_conv c;
	make_conv(&c, "keep", "kept", 2);
	struct err e = {0, ""};
	assert_int_equal(histstore_save(&s, &c, &e), 0);
	hist_conv_free(&c);
	histstore_close(&s);
	char empty[900];
	FMT(empty, "%s/empty", root);
	assert_int_equal(mkdir(empty, 0700), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() != 0)
			_exit(chmod(data, 0500) || chmod(empty, 0500) ? 2
								     : open_read_only_child(empty));
		if (harness_ro_bind(data) < 0 || harness_ro_bind(empty) < 0)
			_exit(77);
		_exit(open_read_only_child(empty));
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	chmod(data, 0700);
	chmod(empty, 0700);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip(); /* root, and no mount namespace for a read-only bind mount */
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_symlinks_never_followed(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	char victim[900], target[900], tmpname[900];
	FMT(victim, "%s/victim", root);
	put_file(victim, "precious");
	/* a link at the target name: the save replaces the link, never writes through it */
	FMT(target, "%s/lnk.json", convdir);
	assert_int_equal(symlink(victim, target), 0);
	/* a link at a temp name: start-up cleanup removes the link, not what it points to */
	FMT(tmpname, "%s/.lnk.json.0123456789abcdef", convdir);
	assert_int_equal(symlink(victim, tmpname), 0);
	histstore_close(&s);
	open_store(&s);
	struct stat st;
	assert_int_equal(lstat(tmpname, &st), -1);
	struct hist_conv c;
	make_conv(&c, "lnk", "linked", 2);
	struct err e = {0, ""};
	assert_int_equal(histstore_save(&s, &c, &e), 0);
	assert_int_equal(lstat(target, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	char *text = harness_read_file(victim, NULL);
	assert_string_equal(text, "precious");
	free(text);
	/* a listing does not follow a link at a conversation name either */
	char other[900];
	FMT(other, "%s/evil.json", convdir);
	assert_int_equal(symlink(victim, other), 0);
	struct hist_entry *v;
	size_t n;
	assert_int_equal(histstore_list(&s, &v, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].id, "lnk");
	histstore_entries_free(v, n);
	text = harness_read_file(victim, NULL);
	assert_string_equal(text, "precious");
	free(text);
	hist_conv_free(&c);
	histstore_close(&s);
}

static void test_temp_cleanup_respects_locks(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	char t1[900], t2[900], keep[900];
	FMT(t1, "%s/.aa.json.00112233445566ff", convdir);
	FMT(t2, "%s/.bb.json.00112233445566ff", convdir);
	FMT(keep, "%s/.bb.json.not-a-temp", convdir);
	int fd;
	long pid;
	struct err e = {0, ""};
	/* bb is being written by another process, which holds its lock */
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t child = fork();
	if (child == 0) {
		struct err ce = {0, ""};
		if (histstore_lock(&s, "bb", &fd, &pid, &ce) != 0 || write(p[1], "l", 1) != 1)
			_exit(1);
		sleep(10);
		_exit(0);
	}
	char b;
	assert_int_equal(read(p[0], &b, 1), 1);
	close(p[0]);
	close(p[1]);
	put_file(t1, "half");
	put_file(t2, "half");
	put_file(keep, "x");
	histstore_close(&s);
	open_store(&s);
	assert_int_equal(access(t1, F_OK), -1);
	assert_int_equal(access(t2, F_OK), 0);
	assert_int_equal(access(keep, F_OK), 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	histstore_close(&s);
	open_store(&s);
	assert_int_equal(access(t2, F_OK), -1);
	(void)e;
	histstore_close(&s);
}

static void test_index_never_trusted(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	struct err e = {0, ""};
	for (int i = 0; i < 5; i++) {
		struct hist_conv c;
		char id[16], title[32];
		FMT(id, "c%d", i);
		FMT(title, "title\t%d\n", i);
		make_conv(&c, id, title, i);
		c.updated = 1700000000.0 + i;
		assert_int_equal(histstore_save(&s, &c, &e), 0);
		hist_conv_free(&c);
	}
	struct hist_entry *v;
	size_t n;
	assert_int_equal(histstore_list(&s, &v, &n, &e), 0);
	assert_int_equal(n, 5);
	assert_string_equal(v[0].id, "c4"); /* newest first */
	assert_string_equal(v[0].title, "title 4 ");
	assert_int_equal(v[0].nmsgs, 4);
	assert_string_equal(v[4].id, "c0");
	histstore_entries_free(v, n);
	char idx[900];
	FMT(idx, "%s/history-index", cache);
	assert_int_equal(access(idx, F_OK), 0);
	/* the file changes behind the index's back */
	struct hist_conv c;
	make_conv(&c, "c0", "renamed", 1);
	c.updated = 1800000000.0;
	assert_int_equal(histstore_save(&s, &c, &e), 0);
	hist_conv_free(&c);
	char gone[900];
	FMT(gone, "%s/c2.json", convdir);
	assert_int_equal(unlink(gone), 0);
	assert_int_equal(histstore_list(&s, &v, &n, &e), 0);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].id, "c0");
	assert_string_equal(v[0].title, "renamed");
	for (size_t i = 0; i < n; i++)
		assert_string_not_equal(v[i].id, "c2");
	histstore_entries_free(v, n);
	/* a damaged index is just rebuilt */
	put_file(idx, "cherry-history-index 1\nc1\tgarbage\n\n\t\t\n");
	assert_int_equal(histstore_list(&s, &v, &n, &e), 0);
	assert_int_equal(n, 4);
	histstore_entries_free(v, n);
	char *text = harness_read_file(idx, NULL);
	assert_null(strstr(text, "garbage"));
	free(text);
	histstore_close(&s);
	/* an index temp file left by a killed run goes once it is old */
	char old[900], young[900];
	FMT(old, "%s/.history-index.0123456789abcdef", cache);
	FMT(young, "%s/.history-index.fedcba9876543210", cache);
	put_file(old, "x");
	put_file(young, "x");
	struct timespec times[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
	assert_int_equal(utimensat(AT_FDCWD, old, times, 0), 0);
	open_store(&s);
	assert_int_equal(access(old, F_OK), -1);
	assert_int_equal(access(young, F_OK), 0);
	histstore_close(&s);
}

static void test_resolve_prefix(void **state)
{
	(void)state;
	struct histstore s;
	open_store(&s);
	struct err e = {0, ""};
	const char *ids[] = {"abc1", "abc2", "abd", "x"};
	for (size_t i = 0; i < 4; i++) {
		struct hist_conv c;
		make_conv(&c, ids[i], "t", 0);
		assert_int_equal(histstore_save(&s, &c, &e), 0);
		hist_conv_free(&c);
	}
	char id[HIST_ID_MAX + 1];
	assert_int_equal(histstore_resolve(&s, "abd", id, &e), 0);
	assert_string_equal(id, "abd");
	assert_int_equal(histstore_resolve(&s, "abc2", id, &e), 0);
	assert_string_equal(id, "abc2");
	assert_int_equal(histstore_resolve(&s, "ab", id, &e), -1);
	assert_string_equal(e.msg, "ab matches 3 conversations; give more of the id");
	assert_int_equal(histstore_resolve(&s, "q", id, &e), -1);
	assert_string_equal(e.msg, "no conversation q");
	assert_int_equal(histstore_resolve(&s, "a/b", id, &e), -1);
	assert_int_equal(histstore_resolve(&s, "x", id, &e), 0);
	assert_int_equal(histstore_new_id(&s, id, &e), 0);
	assert_int_equal(strlen(id), 8);
	assert_true(hist_id_valid(id));
	histstore_close(&s);
}

static void test_xdg_fallbacks(void **state)
{
	(void)state;
	char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	char *saved_data = getenv("XDG_DATA_HOME") ? strdup(getenv("XDG_DATA_HOME")) : NULL;
	char *saved_cache = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
	setenv("HOME", root, 1);
	const char *vals[] = {NULL, "", "relative/dir"};
	for (size_t i = 0; i < 3; i++) {
		if (vals[i]) {
			setenv("XDG_DATA_HOME", vals[i], 1);
			setenv("XDG_CACHE_HOME", vals[i], 1);
		} else {
			unsetenv("XDG_DATA_HOME");
			unsetenv("XDG_CACHE_HOME");
		}
		struct histstore s;
		struct err e = {0, ""};
		assert_int_equal(histstore_open(&s, NULL, NULL, NULL, NULL, &e), 0);
		char want[900];
		FMT(want, "%s/.local/share/cherry/conversations", root);
		assert_string_equal(s.dir, want);
		FMT(want, "%s/.cache/cherry/history-index", root);
		assert_string_equal(s.index, want);
		histstore_close(&s);
	}
	setenv("XDG_DATA_HOME", data, 1);
	struct histstore s;
	struct err e = {0, ""};
	assert_int_equal(histstore_open(&s, NULL, NULL, NULL, NULL, &e), 0);
	char want[900];
	FMT(want, "%s/cherry/conversations", data);
	assert_string_equal(s.dir, want);
	histstore_close(&s);
	if (saved_home)
		setenv("HOME", saved_home, 1);
	if (saved_data)
		setenv("XDG_DATA_HOME", saved_data, 1);
	else
		unsetenv("XDG_DATA_HOME");
	if (saved_cache)
		setenv("XDG_CACHE_HOME", saved_cache, 1);
	else
		unsetenv("XDG_CACHE_HOME");
	free(saved_home);
	free(saved_data);
	free(saved_cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_save_load_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_moved_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_in_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_version_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks_never_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_temp_cleanup_respects_locks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_never_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xdg_fallbacks, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
