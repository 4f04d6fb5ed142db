/* crash: fatal-signal handlers. Everything the handler needs (paths, the record's
 * fixed parts) is prepared at install time; the handler itself uses only
 * async-signal-safe calls (mkdir, open, write, rename, sigaction, raise). */
#include "cherry/crash.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cherry/buf.h"
#include "cherry/fsutil.h"
#include "cherry/privacy.h"

#define PATH_CAP 4096

static const struct {
	int sig;
	const char *name;
} fatal[] = {
	{SIGSEGV, "SIGSEGV"}, {SIGBUS, "SIGBUS"}, {SIGABRT, "SIGABRT"},
	{SIGFPE, "SIGFPE"},   {SIGILL, "SIGILL"},
};
#define NFATAL (sizeof fatal / sizeof *fatal)

static char state_dir[PATH_CAP];
static char tmp_path[PATH_CAP];
static char final_path[PATH_CAP];
static char mk_buf[PATH_CAP];
static char build_id[72];
static char altstack[1 << 16];
static volatile crash_restore_fn restore_fn;
static volatile sig_atomic_t in_crash;

void crash_set_restore(crash_restore_fn fn)
{
	restore_fn = fn;
}

static void put(int fd, const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* mkdir -p, with the prefixes copied into a static buffer. */
static void make_dirs(void)
{
	size_t n = strlen(state_dir);
	for (size_t i = 1; i <= n; i++)
		if (state_dir[i] == '/' || state_dir[i] == '\0') {
			memcpy(mk_buf, state_dir, i);
			mk_buf[i] = '\0';
			(void)mkdir(mk_buf, 0700);
		}
}

static void write_record(const char *name)
{
	if (!state_dir[0])
		return;
	make_dirs();
	int fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	put(fd, "{\"signal\":\"");
	put(fd, name);
	put(fd, "\",\"version\":\"" CHERRY_VERSION "\",\"build\":\"");
	put(fd, build_id);
	put(fd, "\"}\n");
	(void)fsync(fd);
	(void)close(fd);
	(void)rename(tmp_path, final_path);
}

static void on_fatal(int sig)
{
	const char *name = "a fatal signal";
	for (size_t i = 0; i < NFATAL; i++)
		if (fatal[i].sig == sig)
			name = fatal[i].name;
	if (!in_crash) {
		in_crash = 1;
		crash_restore_fn fn = restore_fn;
		if (fn)
			fn();
		write_record(name);
		put(STDERR_FILENO, "cherry: crashed (");
		put(STDERR_FILENO, name);
		put(STDERR_FILENO, "); an anonymous crash record was kept for the local report "
				   "(see cherry privacy)\n");
	}
	/* Die of the same signal, so the parent sees what happened (status 128+sig). */
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	(void)sigaction(sig, &dfl, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
	(void)raise(sig);
}

int crash_install(struct err *e)
{
	struct buf dir = BUF_INIT;
	int rc = 0;
	snprintf(build_id, sizeof build_id, "%s", privacy_build_id());
	if (xdg_dir(XDG_STATE, &dir, e) == 0 && dir.len + 40 < PATH_CAP) {
		long pid = (long)getpid();
		snprintf(state_dir, sizeof state_dir, "%s", dir.data);
		snprintf(tmp_path, sizeof tmp_path, "%s/crash-%ld.tmp", dir.data, pid);
		snprintf(final_path, sizeof final_path, "%s/crash-%ld.json", dir.data, pid);
	} else {
		/* Still restore the terminal and print the line; only the record is lost. */
		rc = -1;
		if (!e->code)
			err_set(e, EXIT_FAIL, "crash records disabled: state path too long");
	}
	buf_free(&dir);

	stack_t ss;
	memset(&ss, 0, sizeof ss);
	ss.ss_sp = altstack;
	ss.ss_size = sizeof altstack;
	int onstack = sigaltstack(&ss, NULL) == 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NFATAL; i++)
		sigaddset(&sa.sa_mask, fatal[i].sig);
	sa.sa_flags = onstack ? SA_ONSTACK : 0;
	for (size_t i = 0; i < NFATAL; i++)
		if (sigaction(fatal[i].sig, &sa, NULL) < 0 && rc == 0) {
			err_set(e, EXIT_FAIL, "cannot install the crash handler");
			rc = -1;
		}
	return rc;
}
