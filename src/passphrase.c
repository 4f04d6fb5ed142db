/* passphrase: reading the vault passphrase from a descriptor, a command, the
 * environment, the full-screen client's prompt or the terminal with echo off. */
#include "cherry/passphrase.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cherry/loop.h"

static passphrase_prompt_fn prompt_fn;
static void *prompt_ctx;

void passphrase_set_prompt(passphrase_prompt_fn fn, void *ctx)
{
	prompt_fn = fn;
	prompt_ctx = ctx;
}

/* Guarded scratch space for a line being read; the result is copied out of it. */
static char *scratch_new(size_t max, struct err *e)
{
	char *b = sodium_malloc(max + 1);
	if (!b)
		err_set(e, EXIT_FAIL, "out of memory");
	return b;
}

static int scratch_finish(char *b, size_t len, struct secret **out, struct err *e)
{
	*out = secret_new(b, len);
	sodium_free(b);
	if (!*out) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return 0;
}

int passphrase_read_line(int fd, size_t max, struct secret **out, struct err *e)
{
	*out = NULL;
	char *b = scratch_new(max, e);
	if (!b)
		return -1;
	size_t n = 0;
	int got_any = 0;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_set(e, EXIT_VAULT, "cannot read file descriptor %d: %s", fd,
				strerror(errno));
			sodium_free(b);
			return -1;
		}
		if (r == 0)
			break;
		got_any = 1;
		if (c == '\n')
			break;
		if (n == max) {
			err_set(e, EXIT_VAULT, "the line read from file descriptor %d is longer "
				"than %zu bytes", fd, max);
			sodium_free(b);
			return -1;
		}
		b[n++] = c;
	}
	if (!got_any) {
		sodium_free(b);
		return 1;
	}
	if (n > 0 && b[n - 1] == '\r')
		n--;
	return scratch_finish(b, n, out, e);
}

/* Waits for the terminal to be readable; a SIGINT/SIGTERM/SIGHUP that the
 * signal pipe reports meanwhile ends the wait. Returns 1 readable, 0 signal. */
static int wait_tty(int fd)
{
	for (;;) {
		struct pollfd p[2] = {{fd, POLLIN, 0}, {loop_signal_fd(), POLLIN, 0}};
		int r = poll(p, p[1].fd >= 0 ? 2 : 1, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			return 1;
		if (p[1].fd >= 0 && (p[1].revents & POLLIN)) {
			int sig = loop_signal_next();
			if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
				return 0;
		}
	}
}

int passphrase_read_tty(const char *prompt, size_t max, struct secret **out, struct err *e)
{
	*out = NULL;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	struct termios saved, quiet;
	if (tcgetattr(fd, &saved) < 0) {
		close(fd);
		return 1;
	}
	char *b = scratch_new(max, e);
	if (!b) {
		close(fd);
		return -1;
	}
	quiet = saved;
	quiet.c_lflag &= (tcflag_t)~ECHO;
	quiet.c_lflag |= ECHONL | ICANON;
	/* Echo goes off before the prompt appears, so nothing typed after it shows. */
	tcsetattr(fd, TCSAFLUSH, &quiet);
	ssize_t w = write(fd, prompt, strlen(prompt));
	(void)w;
	size_t n = 0;
	int rc = 0, too_long = 0;
	for (;;) {
		if (!wait_tty(fd)) {
			w = write(fd, "\n", 1);
			err_set(e, EXIT_INTERRUPTED, "interrupted");
			rc = -1;
			break;
		}
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			w = write(fd, "\n", 1);
			err_set(e, EXIT_VAULT, "no passphrase given");
			rc = -1;
			break;
		}
		if (c == '\n' || c == '\r')
			break;
		if (n == max)
			too_long = 1;
		else
			b[n++] = c;
	}
	tcsetattr(fd, TCSAFLUSH, &saved);
	close(fd);
	if (rc == 0 && too_long) {
		err_set(e, EXIT_VAULT, "that is longer than %zu bytes", max);
		rc = -1;
	}
	if (rc < 0) {
		sodium_free(b);
		return -1;
	}
	return scratch_finish(b, n, out, e);
}

/* Closes every descriptor from 3 up, so the command holds none of cherry's
 * (the vault, --passphrase-fd, sockets). max is taken before fork: sysconf is not
 * safe to call in the child. */
static void close_from_3(long max)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	(void)max;
	closefrom(3);
#else
	for (long fd = 3; fd < max; fd++)
		close((int)fd);
#endif
}

/* The child side: stdin from /dev/null, stdout into the pipe, then the shell. */
static void run_child(const char *cmd, int change, int out_fd, long max_fd)
{
	int null = open("/dev/null", O_RDONLY);
	if (null >= 0 && null != STDIN_FILENO)
		dup2(null, STDIN_FILENO);
	dup2(out_fd, STDOUT_FILENO);
	close_from_3(max_fd);
	signal(SIGPIPE, SIG_DFL);
	if (change)
		setenv("CHERRY_PASSPHRASE_CHANGE", "1", 1);
	else
		unsetenv("CHERRY_PASSPHRASE_CHANGE");
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the command printed up to its first newline; the rest is read and dropped. */
struct first_line {
	char *b;      /* PASSPHRASE_MAX + 1 guarded bytes, or NULL (out of memory) */
	size_t n;
	int complete; /* the newline came */
	int too_long;
};

static void take(struct first_line *l, const char *chunk, size_t len)
{
	for (size_t i = 0; i < len && !l->complete; i++) {
		if (chunk[i] == '\n')
			l->complete = 1;
		else if (l->b && l->n < PASSPHRASE_MAX)
			l->b[l->n++] = chunk[i];
		else
			l->too_long = 1;
	}
}

/* Reads what is there now; 0 at end of output (every writer closed it), else 1. */
static int drain(int fd, struct first_line *l)
{
	for (;;) {
		char chunk[256];
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK;
		if (r == 0)
			return 0;
		take(l, chunk, (size_t)r);
		sodium_memzero(chunk, sizeof chunk);
	}
}

/*
 * Reads the output until the shell exits, never waiting for end of output: a
 * process the command left in the background (`sleep 1000 & echo pw`) may hold
 * the pipe open for ever. Reading goes on after the first line so the command
 * never blocks on a full pipe. Returns 0 with *status, or -1 when timeout_ms
 * passed first (the shell is then killed).
 */
static int collect(pid_t pid, int fd, struct first_line *l, int timeout_ms, int *status)
{
	long long deadline = now_ms() + timeout_ms;
	int open_out = 1;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR)) {
			if (open_out)
				drain(fd, l); /* what it wrote just before exiting */
			return w == pid ? 0 : -1;
		}
		long long left = deadline - now_ms();
		if (left <= 0)
			break;
		/* The pipe wakes the wait; the exit of a shell whose output is held elsewhere
		 * is seen within a slice. */
		struct pollfd pf = {fd, POLLIN, 0};
		int slice = left < 50 ? (int)left : 50;
		if (open_out && poll(&pf, 1, slice) > 0)
			open_out = drain(fd, l);
		else if (!open_out)
			poll(NULL, 0, slice);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

int passphrase_from_command(const char *cmd, int change, int timeout_ms, struct secret **out,
			    struct err *e)
{
	*out = NULL;
	int p[2];
	if (pipe(p) < 0) {
		err_set(e, EXIT_VAULT, "cannot run vault.passphrase_command: %s", strerror(errno));
		return -1;
	}
	long max_fd = sysconf(_SC_OPEN_MAX);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		err_set(e, EXIT_VAULT, "cannot run vault.passphrase_command: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		run_child(cmd, change, p[1], max_fd < 0 ? 1024 : max_fd);
	}
	close(p[1]);
	struct first_line l = {scratch_new(PASSPHRASE_MAX, e), 0, 0, 0};
	int status = 0;
	int finished = collect(pid, p[0], &l, timeout_ms, &status) == 0;
	close(p[0]);
	char *b = l.b;
	size_t n = l.n;
	int too_long = l.too_long;
	if (!b)
		return -1;
	const char *fail = NULL;
	char why[64];
	if (!finished) {
		snprintf(why, sizeof why, "did not finish within %g seconds", timeout_ms / 1000.0);
		fail = why;
	} else if (WIFSIGNALED(status)) {
		snprintf(why, sizeof why, "was killed by signal %d", WTERMSIG(status));
		fail = why;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, sizeof why, "failed (exit status %d)",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		fail = why;
	} else if (too_long) {
		snprintf(why, sizeof why, "printed more than %d bytes", PASSPHRASE_MAX);
		fail = why;
	}
	size_t start = 0;
	while (start < n && is_space(b[start]))
		start++;
	while (n > start && is_space(b[n - 1]))
		n--;
	if (!fail && n == start)
		fail = "printed nothing on its first line";
	if (fail) {
		sodium_free(b);
		err_set(e, EXIT_VAULT, "vault.passphrase_command %s", fail);
		return -1;
	}
	memmove(b, b + start, n - start);
	return scratch_finish(b, n - start, out, e);
}

static void warn_env_once(void)
{
	static int warned;
	if (warned++)
		return;
	fputs("cherry: warning: taking the vault passphrase from CHERRY_PASSPHRASE; programs "
	      "you start can read it too (prefer --passphrase-fd or vault.passphrase_command)\n",
	      stderr);
}

/* One typed answer, from the installed prompt or the terminal. */
static int ask(const char *prompt, struct secret **out, struct err *e)
{
	if (prompt_fn)
		return prompt_fn(prompt_ctx, prompt, out, e);
	int r = passphrase_read_tty(prompt, PASSPHRASE_MAX, out, e);
	if (r == 1)
		err_set(e, EXIT_VAULT, "the key vault needs a passphrase and there is no terminal to "
			"ask on; use --passphrase-fd N, vault.passphrase_command or "
			"CHERRY_PASSPHRASE");
	return r; /* 1: nobody to ask */
}

static int ask_twice(enum passphrase_use use, struct secret **out, struct err *e)
{
	const char *first = use == PASSPHRASE_CREATE ? "New passphrase for the cherry key vault: "
						      : "New passphrase: ";
	struct secret *a, *b;
	int r = ask(first, &a, e);
	if (r != 0)
		return r;
	if (a->len == 0) {
		secret_free(a);
		err_set(e, EXIT_VAULT, "the passphrase must not be empty");
		return PASSPHRASE_RETRY;
	}
	r = ask("Repeat it: ", &b, e);
	if (r != 0) {
		secret_free(a);
		return r;
	}
	int same = a->len == b->len && sodium_memcmp(a->s, b->s, a->len) == 0;
	secret_free(b);
	if (!same) {
		secret_free(a);
		err_set(e, EXIT_VAULT, "the two passphrases differ");
		return PASSPHRASE_RETRY;
	}
	*out = a;
	return 0;
}

enum source { FROM_FD, FROM_COMMAND, FROM_ENV, FROM_USER };

/* The first source in passphrase_get's order that is set up. */
static enum source source_of(const struct passphrase_opts *opts, enum passphrase_use use)
{
	if (opts && opts->passphrase_fd >= 0)
		return FROM_FD;
	if (opts && opts->passphrase_command && opts->passphrase_command[0])
		return FROM_COMMAND;
	const char *v = getenv("CHERRY_PASSPHRASE");
	if (use != PASSPHRASE_CHANGE && v && v[0])
		return FROM_ENV;
	return FROM_USER;
}

int passphrase_typed(const struct passphrase_opts *opts, enum passphrase_use use)
{
	return source_of(opts, use) == FROM_USER;
}

int passphrase_get(const struct passphrase_opts *opts, enum passphrase_use use, int attempt,
		   struct secret **out, int *interactive, struct err *e)
{
	*out = NULL;
	*interactive = 0;
	int r;
	enum source from = source_of(opts, use);
	if (from == FROM_FD) {
		r = passphrase_read_line(opts->passphrase_fd, PASSPHRASE_MAX, out, e);
		if (r == 1)
			err_set(e, EXIT_VAULT, "nothing to read on --passphrase-fd %d",
				opts->passphrase_fd);
		if (r != 0)
			return -1;
	} else if (from == FROM_COMMAND) {
		if (passphrase_from_command(opts->passphrase_command, use == PASSPHRASE_CHANGE,
					    PASSPHRASE_COMMAND_TIMEOUT_MS, out, e) < 0)
			return -1;
	} else if (from == FROM_ENV) {
		const char *v = getenv("CHERRY_PASSPHRASE");
		warn_env_once();
		*out = secret_new(v, strlen(v));
		if (!*out) {
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
	} else {
		const char *unlock = attempt > 0 ? "Wrong passphrase; try again: "
						 : "Passphrase for the cherry key vault: ";
		r = use == PASSPHRASE_UNLOCK ? ask(unlock, out, e) : ask_twice(use, out, e);
		if (r == 1)
			return -1;
		*interactive = 1;
		return r;
	}
	if (use != PASSPHRASE_UNLOCK && (*out)->len == 0) {
		secret_free(*out);
		*out = NULL;
		err_set(e, EXIT_VAULT, "the passphrase must not be empty");
		return -1;
	}
	return 0;
}
