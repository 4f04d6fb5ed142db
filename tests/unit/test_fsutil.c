/* test_fsutil: XDG paths, private directories, whole-file reads and atomic replacement. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cherry/fsutil.h"

#include "harness.h"

/* ---- helpers ---- */

/* snprintf into an array, failing the test if it did not fit. */
#define FMT(arr, ...) assert_true(snprintf(arr, sizeof arr, __VA_ARGS__) < (int)sizeof arr)

static char tmpdir[4096];

static int setup_tmp(void **state)
{
	(void)state;
	const char *base = getenv("TMPDIR");
	FMT(tmpdir, "%s/cherry-fsutil-XXXXXX",
		 base && base[0] == '/' ? base : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

/* rm -rf with POSIX calls only (nftw is XSI). */
static int teardown_tmp(void **state)
{
	(void)state;
	return harness_rm_tree(tmpdir);
}

static void path_in(char *out, size_t size, const char *name)
{
	assert_true(snprintf(out, size, "%s/%s", tmpdir, name) < (int)size);
}

static void write_plain(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path)
{
	static char data[65536];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(data, 1, sizeof data - 1, f);
	data[n] = '\0';
	fclose(f);
	return data;
}

/* Number of entries in dir other than "." and ".."; the names are joined into names. */
static int count_entries(const char *dir, char *names, size_t size)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	names[0] = '\0';
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		strncat(names, de->d_name, size - strlen(names) - 2);
		strncat(names, " ", size - strlen(names) - 1);
	}
	closedir(d);
	return n;
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* ---- XDG ---- */

static const char *env_home, *env_value;
static const char *env_var; /* the one XDG variable set in the fake environment */

static char *fake_getenv(const char *name)
{
	if (strcmp(name, "HOME") == 0)
		return (char *)env_home;
	if (env_var && strcmp(name, env_var) == 0)
		return (char *)env_value;
	return NULL;
}

static const struct {
	enum xdg_kind kind;
	const char *var;
	const char *def;
} kinds[] = {
	{XDG_CONFIG, "XDG_CONFIG_HOME", "/.config/cherry"},
	{XDG_DATA, "XDG_DATA_HOME", "/.local/share/cherry"},
	{XDG_STATE, "XDG_STATE_HOME", "/.local/state/cherry"},
	{XDG_CACHE, "XDG_CACHE_HOME", "/.cache/cherry"},
};

static void check_xdg(enum xdg_kind kind, const char *var, const char *value, const char *want)
{
	struct buf out = BUF_INIT;
	struct err e = {0, ""};
	env_var = var;
	env_value = value;
	assert_int_equal(xdg_dir_env(kind, fake_getenv, &out, &e), 0);
	if (strcmp(out.data, want) != 0)
		fail_msg("%s=%s: got %s, want %s", var, value ? value : "(unset)", out.data, want);
	buf_free(&out);
}

static void test_xdg_all_kinds(void **state)
{
	(void)state;
	char want[512];
	env_home = "/home/alice";
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		FMT(want, "/home/alice%s", kinds[i].def);
		check_xdg(kinds[i].kind, kinds[i].var, NULL, want);      /* unset */
		check_xdg(kinds[i].kind, kinds[i].var, "", want);        /* empty */
		check_xdg(kinds[i].kind, kinds[i].var, "rel/dir", want); /* relative: ignored */
		check_xdg(kinds[i].kind, kinds[i].var, "./x", want);
		check_xdg(kinds[i].kind, kinds[i].var, "~/x", want); /* no shell expansion */
		check_xdg(kinds[i].kind, kinds[i].var, "/xdg/base", "/xdg/base/cherry");
		check_xdg(kinds[i].kind, kinds[i].var, "/xdg/base//", "/xdg/base/cherry");
		check_xdg(kinds[i].kind, kinds[i].var, "/", "/cherry");
		/* Another kind's variable does not leak into this one. */
		check_xdg(kinds[i].kind, kinds[(i + 1) % 4].var, "/other", want);
	}
	/* A trailing slash on HOME is not doubled. */
	env_home = "/home/bob/";
	check_xdg(XDG_CONFIG, NULL, NULL, "/home/bob/.config/cherry");
}

static void test_xdg_home_fallback(void **state)
{
	(void)state;
	struct passwd *pw = getpwuid(geteuid());
	if (!pw || !pw->pw_dir || pw->pw_dir[0] != '/')
		skip();
	char want[4096];
	const char *home = strcmp(pw->pw_dir, "/") == 0 ? "" : pw->pw_dir;
	FMT(want, "%s/.local/state/cherry", home);
	env_home = NULL; /* no HOME: the password database */
	check_xdg(XDG_STATE, NULL, NULL, want);
	env_home = "";
	check_xdg(XDG_STATE, NULL, NULL, want);
	env_home = "relative/home";
	check_xdg(XDG_STATE, NULL, NULL, want);
	/* An absolute XDG variable needs no home at all. */
	env_home = NULL;
	check_xdg(XDG_STATE, "XDG_STATE_HOME", "/st", "/st/cherry");
}

static void test_xdg_real_environment(void **state)
{
	(void)state;
	struct buf out = BUF_INIT;
	struct err e = {0, ""};
	setenv("XDG_CACHE_HOME", "/var/tmp/cachetest", 1);
	assert_int_equal(xdg_dir(XDG_CACHE, &out, &e), 0);
	assert_string_equal(out.data, "/var/tmp/cachetest/cherry");
	unsetenv("XDG_CACHE_HOME");
	/* out is replaced, not appended to */
	setenv("XDG_CACHE_HOME", "/c2", 1);
	assert_int_equal(xdg_dir(XDG_CACHE, &out, &e), 0);
	assert_string_equal(out.data, "/c2/cherry");
	unsetenv("XDG_CACHE_HOME");
	buf_free(&out);
}

/* ---- fs_mkdirs ---- */

static void test_mkdirs_modes(void **state)
{
	(void)state;
	mode_t old = umask(0);
	char p[4096], q[4096];
	struct err e = {0, ""};

	/* An existing directory keeps its mode. */
	path_in(p, sizeof p, "existing");
	assert_int_equal(mkdir(p, 0755), 0);
	path_in(p, sizeof p, "existing/a/b/c/");
	assert_int_equal(fs_mkdirs(p, &e), 0);
	path_in(q, sizeof q, "existing");
	assert_int_equal(mode_of(q), 0755);
	path_in(q, sizeof q, "existing/a");
	assert_int_equal(mode_of(q), 0700);
	path_in(q, sizeof q, "existing/a/b");
	assert_int_equal(mode_of(q), 0700);
	path_in(q, sizeof q, "existing/a/b/c");
	assert_int_equal(mode_of(q), 0700);

	/* Again: nothing changes, no error. */
	assert_int_equal(chmod(q, 0750), 0);
	assert_int_equal(fs_mkdirs(p, &e), 0);
	assert_int_equal(mode_of(q), 0750);

	/* Doubled slashes and no trailing slash. */
	path_in(p, sizeof p, "x//y");
	assert_int_equal(fs_mkdirs(p, &e), 0);
	path_in(q, sizeof q, "x/y");
	assert_int_equal(mode_of(q), 0700);
	umask(old);
}

static void test_mkdirs_errors(void **state)
{
	(void)state;
	char p[4096], f[4096], want[8192];
	struct err e = {0, ""};
	path_in(f, sizeof f, "file");
	write_plain(f, "x");
	path_in(p, sizeof p, "file/sub");
	assert_int_equal(fs_mkdirs(p, &e), -1);
	FMT(want, "cannot create directory %s: %s exists and is not a directory",
		 p, f);
	assert_string_equal(e.msg, want);
	assert_int_equal(e.code, EXIT_FAIL);

	assert_int_equal(fs_mkdirs("", &e), -1);
	assert_string_equal(e.msg, "cannot create a directory with an empty name");
}

/* ---- fs_read_file ---- */

static void test_read_file(void **state)
{
	(void)state;
	char p[4096], want[8192];
	struct buf out = BUF_INIT;
	struct err e = {0, ""};

	path_in(p, sizeof p, "missing");
	assert_int_equal(fs_read_file(p, 100, &out, &e), 1);
	assert_int_equal(e.code, 0);

	path_in(p, sizeof p, "data");
	write_plain(p, "hello\nworld");
	assert_int_equal(fs_read_file(p, 100, &out, &e), 0);
	assert_int_equal(out.len, 11);
	assert_string_equal(out.data, "hello\nworld");

	/* Exactly at the limit is fine; one byte over is refused. */
	assert_int_equal(fs_read_file(p, 11, &out, &e), 0);
	assert_int_equal(fs_read_file(p, 10, &out, &e), -1);
	FMT(want, "cannot read %s: larger than 10 bytes", p);
	assert_string_equal(e.msg, want);
	assert_int_equal(out.len, 0);

	/* Empty file: zero bytes, still a NUL-terminated buffer. */
	path_in(p, sizeof p, "empty");
	write_plain(p, "");
	assert_int_equal(fs_read_file(p, 10, &out, &e), 0);
	assert_int_equal(out.len, 0);
	assert_non_null(out.data);
	assert_string_equal(out.data, "");

	/* A directory or a FIFO is not read (and a FIFO must not hang us). */
	path_in(p, sizeof p, "adir");
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(fs_read_file(p, 10, &out, &e), -1);
	FMT(want, "cannot read %s: not a regular file", p);
	assert_string_equal(e.msg, want);
	path_in(p, sizeof p, "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(fs_read_file(p, 10, &out, &e), -1);
	FMT(want, "cannot read %s: not a regular file", p);
	assert_string_equal(e.msg, want);

	/* Through a missing directory component: an error, not "missing". */
	path_in(p, sizeof p, "data/sub");
	assert_int_equal(fs_read_file(p, 10, &out, &e), -1);
	FMT(want, "cannot read %s: Not a directory", p);
	assert_string_equal(e.msg, want);

	buf_free(&out);
}

/* A file we may not read is an error naming the path. root reads a chmod 0 file
 * anyway (CAP_DAC_OVERRIDE), so root reads a write-only sysctl instead: procfs
 * judges its mode bits without the capability. */
static void test_read_file_unreadable(void **state)
{
	(void)state;
	char p[4096], want[8192];
	struct buf out = BUF_INIT;
	struct err e = {0, ""};
	path_in(p, sizeof p, "secret");
	write_plain(p, "s");
	assert_int_equal(chmod(p, 0), 0);
	int fd = open(p, O_RDONLY);
	if (fd >= 0) {
		close(fd);
		snprintf(p, sizeof p, "%s", "/proc/sys/vm/drop_caches");
		fd = open(p, O_RDONLY);
		if (fd >= 0 || errno != EACCES) {
			if (fd >= 0)
				close(fd);
			skip(); /* no file here that this process cannot read */
		}
	}
	assert_int_equal(fs_read_file(p, 10, &out, &e), -1);
	FMT(want, "cannot read %s: Permission denied", p);
	assert_string_equal(e.msg, want);
	buf_free(&out);
}

/* ---- fs_write_atomic ---- */

static void test_write_replaces_content(void **state)
{
	(void)state;
	mode_t old = umask(0);
	char p[4096], names[4096];
	struct err e = {0, ""};
	path_in(p, sizeof p, "conf.json");

	assert_int_equal(fs_write_atomic(p, "first", 5, &e), 0);
	assert_string_equal(slurp(p), "first");
	assert_int_equal(mode_of(p), 0600);

	/* Replacing a wider-mode file gives a 0600 file with the new content. */
	assert_int_equal(chmod(p, 0644), 0);
	const char *second = "{\"a\": 1}\n";
	assert_int_equal(fs_write_atomic(p, second, strlen(second), &e), 0);
	assert_string_equal(slurp(p), second);
	assert_int_equal(mode_of(p), 0600);

	/* Empty content is a valid file. */
	assert_int_equal(fs_write_atomic(p, NULL, 0, &e), 0);
	assert_string_equal(slurp(p), "");

	/* No temp file is left behind. */
	assert_int_equal(count_entries(tmpdir, names, sizeof names), 1);
	assert_string_equal(names, "conf.json ");
	umask(old);
}

static void test_write_relative_path(void **state)
{
	(void)state;
	char cwd[4096], names[4096];
	struct err e = {0, ""};
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(tmpdir), 0);
	int rc = fs_write_atomic("plain", "x", 1, &e);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rc, 0);
	assert_int_equal(count_entries(tmpdir, names, sizeof names), 1);
	assert_string_equal(names, "plain ");
}

static void test_write_symlink_replaced_not_followed(void **state)
{
	(void)state;
	char victim[4096], link[4096], names[4096];
	struct err e = {0, ""};
	path_in(victim, sizeof victim, "victim");
	path_in(link, sizeof link, "target");
	write_plain(victim, "precious");
	assert_int_equal(symlink(victim, link), 0);

	assert_int_equal(fs_write_atomic(link, "new", 3, &e), 0);
	assert_string_equal(slurp(victim), "precious");
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(slurp(link), "new");

	/* A dangling link is replaced too, and nothing is created where it pointed. */
	char nowhere[4096];
	path_in(nowhere, sizeof nowhere, "nowhere");
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(nowhere, link), 0);
	assert_int_equal(fs_write_atomic(link, "n2", 2, &e), 0);
	assert_int_equal(access(nowhere, F_OK), -1);
	assert_string_equal(slurp(link), "n2");
	assert_int_equal(count_entries(tmpdir, names, sizeof names), 2);
}

static void test_write_file_size_limit(void **state)
{
	(void)state;
	char p[4096], names[4096], want[8192];
	struct err e = {0, ""};
	path_in(p, sizeof p, "big");
	write_plain(p, "old content");

	/* With SIGXFSZ at its default the process would die: ignore it, as cherry must. */
	struct sigaction ign, saved_sa;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	assert_int_equal(sigaction(SIGXFSZ, &ign, &saved_sa), 0);
	struct rlimit saved_rl, rl;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved_rl), 0);
	rl = saved_rl;
	rl.rlim_cur = 1000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);

	static char data[8192];
	memset(data, 'x', sizeof data);
	int rc = fs_write_atomic(p, data, sizeof data, &e);

	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved_rl), 0);
	assert_int_equal(sigaction(SIGXFSZ, &saved_sa, NULL), 0);

	assert_int_equal(rc, -1);
	FMT(want, "cannot save %s: File too large", p);
	assert_string_equal(e.msg, want);
	assert_int_equal(e.code, EXIT_FAIL);
	assert_string_equal(slurp(p), "old content");
	assert_int_equal(count_entries(tmpdir, names, sizeof names), 1);
	assert_string_equal(names, "big ");
}

static void test_write_missing_directory(void **state)
{
	(void)state;
	char p[4096], d[4096], names[4096], want[8192];
	struct err e = {0, ""};
	path_in(p, sizeof p, "nodir/file.json");
	assert_int_equal(fs_write_atomic(p, "x", 1, &e), -1);
	FMT(want, "cannot save %s: No such file or directory", p);
	assert_string_equal(e.msg, want);
	path_in(d, sizeof d, "nodir");
	assert_int_equal(access(d, F_OK), -1);
	assert_int_equal(count_entries(tmpdir, names, sizeof names), 0);
}

static void test_write_bad_targets(void **state)
{
	(void)state;
	char p[4096], names[4096], want[8192];
	struct err e = {0, ""};

	/* A directory at the target name: refused, temp file removed. */
	path_in(p, sizeof p, "isdir");
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(fs_write_atomic(p, "x", 1, &e), -1);
	FMT(want, "cannot save %s: Is a directory", p);
	assert_string_equal(e.msg, want);
	assert_int_equal(count_entries(tmpdir, names, sizeof names), 1);

	/* No file name at all. */
	path_in(p, sizeof p, "isdir/");
	assert_int_equal(fs_write_atomic(p, "x", 1, &e), -1);
	FMT(want, "cannot save %s: not a file name", p);
	assert_string_equal(e.msg, want);

	/* The directory itself is a symlink: refused (O_NOFOLLOW), nothing written there. */
	char real[4096], link[4096];
	path_in(real, sizeof real, "realdir");
	path_in(link, sizeof link, "linkdir");
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink(real, link), 0);
	path_in(p, sizeof p, "linkdir/f");
	assert_int_equal(fs_write_atomic(p, "x", 1, &e), -1);
	FMT(want, "cannot save %s: %s is a symbolic link", p, link);
	assert_string_equal(e.msg, want);
	assert_int_equal(count_entries(real, names, sizeof names), 0);

	/* A very long name still gets a temp file within NAME_MAX. */
	char longname[256];
	memset(longname, 'n', 250);
	longname[250] = '\0';
	path_in(p, sizeof p, longname);
	assert_int_equal(fs_write_atomic(p, "long", 4, &e), 0);
	assert_string_equal(slurp(p), "long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xdg_all_kinds),
		cmocka_unit_test(test_xdg_home_fallback),
		cmocka_unit_test(test_xdg_real_environment),
		cmocka_unit_test_setup_teardown(test_mkdirs_modes, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_mkdirs_errors, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_read_file, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_read_file_unreadable, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_write_replaces_content, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_write_relative_path, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_write_symlink_replaced_not_followed, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_write_file_size_limit, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_write_missing_directory, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_write_bad_targets, setup_tmp, teardown_tmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
