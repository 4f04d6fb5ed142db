/* tmux: a private tmux server running one program in one pane, driven by fork/exec'd
 * tmux commands (see tmux.h). Return codes only, no cmocka: benchmarks use it too. */
#include "tmux.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define CMD_TIMEOUT_MS 10000
#define POLL_MS 20
#define MAX_ARGS 64

double tmux_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void tmux_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

const char *tmux_path(void)
{
	static const char *const where[] = {"/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux",
					    NULL};
	for (int i = 0; where[i]; i++)
		if (access(where[i], X_OK) == 0)
			return where[i];
	return NULL;
}

/* tmux -u -S SOCK args...: -u because the test's own locale may not say UTF-8. */
static int build_argv(struct tmux *t, const char **argv, const char *const *args)
{
	const char *bin = tmux_path();
	int n = 0;
	if (!bin)
		return -1;
	argv[n++] = bin;
	argv[n++] = "-u";
	argv[n++] = "-S";
	argv[n++] = t->sock;
	for (size_t i = 0; args[i]; i++) {
		if (n + 1 >= MAX_ARGS)
			return -1;
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	return 0;
}

/* One tmux command in env h/env (the client's environment only matters for the first
 * command, which starts the server: the server and its pane inherit it). */
static int run_tmux(struct tmux *t, char **out, const char *const *args,
		    const struct testhome *h, const char *const *env)
{
	const char *argv[MAX_ARGS];
	struct run r;
	if (out)
		*out = NULL;
	if (build_argv(t, argv, args) < 0)
		return -1;
	if (harness_run(&r, h, argv, env, NULL, 0, 0, CMD_TIMEOUT_MS) < 0)
		return -1;
	int ok = r.status == 0;
	if (!ok && r.err_len)
		fprintf(stderr, "# tmux %s: %s", args[0], r.err);
	if (out) {
		*out = r.out;
		r.out = NULL;
	}
	run_free(&r);
	return ok ? 0 : -1;
}

int tmux_cmd(struct tmux *t, char **out, const char *const *args)
{
	return run_tmux(t, out, args, NULL, NULL);
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

int tmux_format(struct tmux *t, const char *fmt, char *out, size_t n)
{
	const char *args[] = {"display-message", "-p", "-t", t->pane, fmt, NULL};
	char *o;
	if (tmux_cmd(t, &o, args) < 0) {
		free(o);
		return -1;
	}
	chomp(o);
	snprintf(out, n, "%s", o);
	free(o);
	return 0;
}

long tmux_format_long(struct tmux *t, const char *fmt)
{
	char v[64];
	if (tmux_format(t, fmt, v, sizeof v) < 0 || !*v)
		return -1;
	char *end;
	long x = strtol(v, &end, 10);
	return *end ? -1 : x;
}

static int make_dir(struct tmux *t)
{
	const char *base = getenv("TMPDIR");
	if (!base || *base != '/' || strlen(base) > 160)
		base = "/tmp";
	snprintf(t->dir, sizeof t->dir, "%s/cherry-tmux.XXXXXX", base);
	if (!mkdtemp(t->dir)) {
		fprintf(stderr, "tmux: mkdtemp %s: %s\n", t->dir, strerror(errno));
		t->dir[0] = '\0';
		return -1;
	}
	snprintf(t->sock, sizeof t->sock, "%s/sock", t->dir);
	return 0;
}

/* Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot; with
 * the pid it names one process for good (pids are reused). 0 when unknown. */
static unsigned long long proc_start_ticks(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	char *s = harness_read_file(path, NULL);
	char *p = s ? strrchr(s, ')') : NULL;
	unsigned long long start = 0;
	if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
				"%*d %*d %*d %*d %llu", &start) != 1)
		start = 0;
	free(s);
	return start;
}

static void refresh_pane_pid(struct tmux *t)
{
	long pid = tmux_format_long(t, "#{pane_pid}");
	t->pane_pid = pid > 0 ? (pid_t)pid : 0;
	t->pane_start = t->pane_pid ? proc_start_ticks(t->pane_pid) : 0;
}

int tmux_start(struct tmux *t, const struct testhome *h, const char *const *argv,
	       const char *const *env, int cols, int rows)
{
	memset(t, 0, sizeof *t);
	if (!tmux_path()) {
		fprintf(stderr, "tmux: not installed\n");
		return -1;
	}
	if (make_dir(t) < 0)
		return -1;
	char x[16], y[16];
	snprintf(x, sizeof x, "%d", cols);
	snprintf(y, sizeof y, "%d", rows);
	/* Options first, in the same invocation, so the pane's program starts with them. */
	const char *pre[] = {
		"-f", "/dev/null",
		"set-option", "-g", "default-terminal", "tmux-256color", ";",
		"set-option", "-g", "remain-on-exit", "on", ";",
		"set-option", "-g", "set-clipboard", "on", ";",
		"set-option", "-g", "status", "off", ";",
		"set-option", "-g", "history-limit", "5000", ";",
		"set-option", "-s", "escape-time", "0", ";",
		"new-session", "-d", "-P", "-F", "#{pane_id}", "-s", "t", "-x", x, "-y", y, "--",
	};
	const size_t npre = sizeof pre / sizeof *pre;
	const char *args[MAX_ARGS];
	size_t n = 0;
	for (size_t i = 0; i < npre; i++)
		args[n++] = pre[i];
	for (size_t i = 0; argv[i]; i++) {
		if (n + 1 >= MAX_ARGS - 4)
			return -1;
		args[n++] = argv[i];
	}
	args[n] = NULL;
	/* "-f /dev/null" is a client flag: it goes before the command, so it is passed
	 * as part of args after "-S SOCK". */
	char *out = NULL;
	t->started = tmux_now();
	if (run_tmux(t, &out, args, h, env) < 0) {
		fprintf(stderr, "tmux: could not start the server for %s\n", argv[0]);
		free(out);
		tmux_stop(t);
		return -1;
	}
	chomp(out);
	snprintf(t->pane, sizeof t->pane, "%s", *out ? out : "%0");
	free(out);
	long spid = tmux_format_long(t, "#{pid}");
	t->server_pid = spid > 0 ? (pid_t)spid : 0;
	t->server_start = t->server_pid ? proc_start_ticks(t->server_pid) : 0;
	refresh_pane_pid(t);
	if (!t->server_pid) {
		fprintf(stderr, "tmux: the server did not answer\n");
		tmux_stop(t);
		return -1;
	}
	return 0;
}

int tmux_start_cherry(struct tmux *t, const struct testhome *h, const char *const *args,
		      const char *const *env, int cols, int rows)
{
	const char *bin = getenv("CHERRY_BIN");
	char abs[PATH_MAX];
	const char *argv[MAX_ARGS];
	size_t n = 0;
	if (!bin || !*bin)
		bin = "build/cherry";
	int nw = harness_wrapper_argv(argv, MAX_ARGS / 2);
	if (nw < 0)
		return -1;
	n = (size_t)nw;
	/* the pane's working directory is the client's, but say it exactly anyway */
	argv[n++] = realpath(bin, abs) ? abs : bin;
	for (size_t i = 0; args && args[i]; i++) {
		if (n + 1 >= MAX_ARGS)
			return -1;
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	return tmux_start(t, h, argv, env, cols, rows);
}

int tmux_respawn(struct tmux *t, const char *const *argv)
{
	const char *args[MAX_ARGS];
	size_t n = 0;
	args[n++] = "respawn-pane";
	args[n++] = "-k";
	args[n++] = "-t";
	args[n++] = t->pane;
	args[n++] = "--";
	for (size_t i = 0; argv[i]; i++) {
		if (n + 1 >= MAX_ARGS - 4)
			return -1;
		args[n++] = argv[i];
	}
	args[n] = NULL;
	t->started = tmux_now();
	if (tmux_cmd(t, NULL, args) < 0)
		return -1;
	refresh_pane_pid(t);
	return 0;
}

int proc_alive(pid_t pid)
{
	if (pid <= 0 || (kill(pid, 0) < 0 && errno != EPERM))
		return 0;
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	char *st = harness_read_file(path, NULL);
	char *p = st ? strrchr(st, ')') : NULL;
	int zombie = p && (p[2] == 'Z' || p[2] == 'X');
	free(st);
	return !zombie;
}

void tmux_stop(struct tmux *t)
{
	if (t->sock[0] && t->server_pid) {
		static const char *const kill_args[] = {"kill-server", NULL};
		pid_t pane = t->pane_pid;
		if (proc_alive(t->server_pid))
			(void)run_tmux(t, NULL, kill_args, NULL, NULL);
		/* kill-server hangs the pane's program up; give it time to leave (a
		 * sanitizer build reports leaks at exit), then make sure. */
		for (double end = tmux_now() + 3; tmux_now() < end; tmux_sleep_ms(10))
			if (!proc_alive(t->server_pid) && !proc_alive(pane))
				break;
		/* only the very process started (its pid may have been reused since) */
		if (proc_alive(pane) && t->pane_start && proc_start_ticks(pane) == t->pane_start)
			kill(pane, SIGKILL);
		if (proc_alive(t->server_pid) && proc_start_ticks(t->server_pid) == t->server_start)
			kill(t->server_pid, SIGKILL);
	}
	if (t->sock[0])
		unlink(t->sock);
	if (t->dir[0])
		rmdir(t->dir);
	memset(t, 0, sizeof *t);
}

/* ---- keys ---- */

int tmux_keys(struct tmux *t, const char *key, ...)
{
	const char *args[MAX_ARGS];
	size_t n = 0;
	args[n++] = "send-keys";
	args[n++] = "-t";
	args[n++] = t->pane;
	va_list ap;
	va_start(ap, key);
	for (const char *k = key; k; k = va_arg(ap, const char *)) {
		if (n + 1 >= MAX_ARGS - 4) {
			va_end(ap);
			return -1;
		}
		args[n++] = k;
	}
	va_end(ap);
	args[n] = NULL;
	return tmux_cmd(t, NULL, args);
}

int tmux_type(struct tmux *t, const char *text)
{
	/* tmux takes an argument ending in ';' for a command separator; "\;" is a literal
	 * ';' (only that one backslash is removed). */
	size_t len = strlen(text);
	char *arg = malloc(len + 2);
	if (!arg)
		return -1;
	memcpy(arg, text, len + 1);
	if (len && text[len - 1] == ';') {
		arg[len - 1] = '\\';
		arg[len] = ';';
		arg[len + 1] = '\0';
	}
	const char *args[] = {"send-keys", "-t", t->pane, "-l", "--", arg, NULL};
	int rc = tmux_cmd(t, NULL, args);
	free(arg);
	return rc;
}

/* ---- the screen ---- */

char *tmux_capture(struct tmux *t, int escapes)
{
	const char *plain[] = {"capture-pane", "-p", "-t", t->pane, NULL};
	const char *attrs[] = {"capture-pane", "-p", "-e", "-t", t->pane, NULL};
	char *out;
	if (tmux_cmd(t, &out, escapes ? attrs : plain) < 0) {
		free(out);
		return NULL;
	}
	return out;
}

int tmux_nrows(const char *screen)
{
	int n = 0;
	for (const char *p = screen; p && *p; p++)
		n += *p == '\n';
	if (screen && *screen && screen[strlen(screen) - 1] != '\n')
		n++;
	return n;
}

char *tmux_row(const char *screen, int i, char *out, size_t n)
{
	int rows = tmux_nrows(screen);
	if (n)
		out[0] = '\0';
	if (i < 0)
		i += rows;
	if (!screen || i < 0 || i >= rows || !n)
		return out;
	const char *p = screen;
	for (int k = 0; k < i; k++)
		p = strchr(p, '\n') + 1;
	const char *e = strchr(p, '\n');
	size_t len = e ? (size_t)(e - p) : strlen(p);
	if (len >= n)
		len = n - 1;
	memcpy(out, p, len);
	out[len] = '\0';
	return out;
}

void tmux_dump(struct tmux *t, const char *why)
{
	/* a program that died may have printed more (a sanitizer's report) than fits */
	const char *all[] = {"capture-pane", "-p", "-S", "-", "-t", t->pane, NULL};
	char *s = NULL;
	if (tmux_dead(t, NULL) != 1 || tmux_cmd(t, &s, all) < 0) {
		free(s);
		s = tmux_capture(t, 0);
	}
	char status[64] = "";
	tmux_format(t, "dead=#{pane_dead} status=#{pane_dead_status} size=#{pane_width}x"
		       "#{pane_height}", status, sizeof status);
	fprintf(stderr, "# %s (%s); the screen:\n", why, status);
	for (const char *p = s; p && *p;) {
		const char *e = strchr(p, '\n');
		int len = e ? (int)(e - p) : (int)strlen(p);
		fprintf(stderr, "# |%.*s\n", len, p);
		p += len + (e ? 1 : 0);
	}
	free(s);
}

static int wait_text(struct tmux *t, const char *text, int want, int timeout_ms)
{
	double end = tmux_now() + timeout_ms / 1000.0;
	for (;;) {
		char *s = tmux_capture(t, 0);
		int has = s && strstr(s, text) != NULL;
		free(s);
		if (s && has == want)
			return 0;
		int dead = tmux_dead(t, NULL);
		if (dead != 0 || tmux_now() >= end) {
			char why[512];
			snprintf(why, sizeof why, "%s \"%s\" %s", want ? "waiting for" : "waiting "
				 "for the end of", text, dead == 1 ? "but the program exited" :
				 dead < 0 ? "but tmux failed" : "timed out");
			tmux_dump(t, why);
			return -1;
		}
		tmux_sleep_ms(POLL_MS);
	}
}

int tmux_wait_for(struct tmux *t, const char *text, int timeout_ms)
{
	return wait_text(t, text, 1, timeout_ms);
}

int tmux_wait_gone(struct tmux *t, const char *text, int timeout_ms)
{
	return wait_text(t, text, 0, timeout_ms);
}

int tmux_wait_stable(struct tmux *t, int quiet_ms, int timeout_ms)
{
	double end = tmux_now() + timeout_ms / 1000.0;
	char *last = tmux_capture(t, 1);
	double since = tmux_now();
	while (last) {
		tmux_sleep_ms(POLL_MS);
		char *s = tmux_capture(t, 1);
		if (!s)
			break;
		double now = tmux_now();
		if (strcmp(s, last)) {
			free(last);
			last = s;
			since = now;
		} else {
			free(s);
			if ((now - since) * 1000 >= quiet_ms) {
				free(last);
				return 0;
			}
		}
		if (now >= end)
			break;
	}
	free(last);
	tmux_dump(t, "the screen did not settle");
	return -1;
}

int tmux_resize(struct tmux *t, int cols, int rows)
{
	char x[16], y[16];
	snprintf(x, sizeof x, "%d", cols);
	snprintf(y, sizeof y, "%d", rows);
	const char *args[] = {"resize-window", "-t", t->pane, "-x", x, "-y", y, NULL};
	return tmux_cmd(t, NULL, args);
}

static int dead_status(struct tmux *t, int *status)
{
	char v[64];
	if (tmux_format(t, "#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}", v,
			sizeof v) < 0)
		return -1;
	/* "1:3:" after exit(3), "1::15" after SIGTERM, "0::" while it runs */
	char *st = strchr(v, ':');
	char *sig = st ? strchr(st + 1, ':') : NULL;
	if (!sig || (v[0] != '0' && v[0] != '1'))
		return -1;
	*status = st[1] != ':' ? atoi(st + 1) : sig[1] ? 128 + atoi(sig + 1) : -1;
	return v[0] == '1';
}

int tmux_dead(struct tmux *t, int *status)
{
	int st = -1;
	int d = dead_status(t, &st);
	/* tmux 3.3 marks the pane dead when its terminal closes and learns the status when
	 * it reaps the child on SIGCHLD; now and then it leaves the child a zombie for good
	 * (seen with `sh -c 'read x'` too). A SIGCHLD of our own makes it reap. */
	for (int i = 0; d == 1 && st < 0 && status && i < 50 && t->server_pid > 0; i++) {
		kill(t->server_pid, SIGCHLD);
		tmux_sleep_ms(10);
		d = dead_status(t, &st);
	}
	if (status)
		*status = st;
	return d;
}

int tmux_wait_dead(struct tmux *t, int *status, int timeout_ms)
{
	double end = tmux_now() + timeout_ms / 1000.0;
	for (;;) {
		int d = tmux_dead(t, status);
		if (d == 1)
			return 0;
		if (d < 0 || tmux_now() >= end) {
			tmux_dump(t, "waiting for the program to exit");
			return -1;
		}
		tmux_sleep_ms(POLL_MS);
	}
}

char *tmux_buffers(struct tmux *t)
{
	static const char *const args[] = {"list-buffers", NULL};
	char *out;
	if (tmux_cmd(t, &out, args) < 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *tmux_buffer(struct tmux *t)
{
	static const char *const args[] = {"show-buffer", NULL};
	char *out;
	struct run r;
	const char *argv[MAX_ARGS];
	/* show-buffer fails when there is none: not worth a line on stderr */
	if (build_argv(t, argv, args) < 0 || harness_run(&r, NULL, argv, NULL, NULL, 0, 0,
							  CMD_TIMEOUT_MS) < 0)
		return NULL;
	out = r.status == 0 ? r.out : NULL;
	if (out)
		r.out = NULL;
	run_free(&r);
	return out;
}

/* ---- control mode ---- */

#define CTL_TIMEOUT_MS 10000

/* Reads more bytes from the client into c->buf: 0, or -1 at EOF, error or timeout. */
static int ctl_fill(struct tmux_ctl *c, double deadline)
{
	if (c->len + 4096 + 1 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 65536;
		char *p = realloc(c->buf, cap);
		if (!p)
			return -1;
		c->buf = p;
		c->cap = cap;
	}
	for (;;) {
		int ms = (int)((deadline - tmux_now()) * 1000);
		if (ms <= 0)
			return -1;
		struct pollfd p = {c->from, POLLIN, 0};
		int r = poll(&p, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		ssize_t n = read(c->from, c->buf + c->len, c->cap - c->len - 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		return 0;
	}
}

/* The next reply block: "%begin T N F" lines... "%end T N F" (or %error); notifications
 * between blocks are skipped. *out gets the lines inside. 0 for %end, 1 for %error, -1. */
static int ctl_block(struct tmux_ctl *c, char **out)
{
	double deadline = tmux_now() + CTL_TIMEOUT_MS / 1000.0;
	size_t pos = 0;          /* start of the next unparsed line */
	size_t body = 0;         /* start of the block's content */
	char tag[96] = "";       /* "T N F" of the open block, "" outside */
	*out = NULL;
	for (;;) {
		char *nl = c->len > pos ? memchr(c->buf + pos, '\n', c->len - pos) : NULL;
		if (!nl) {
			if (ctl_fill(c, deadline) < 0)
				return -1;
			continue;
		}
		char *line = c->buf + pos;
		size_t llen = (size_t)(nl - line);
		size_t next = pos + llen + 1;
		if (!tag[0]) {
			if (llen > 7 && !strncmp(line, "%begin ", 7) && llen - 7 < sizeof tag) {
				memcpy(tag, line + 7, llen - 7);
				tag[llen - 7] = '\0';
				body = next;
			}
		} else {
			size_t tl = strlen(tag);
			int end = llen == 5 + tl && !strncmp(line, "%end ", 5) &&
				  !strncmp(line + 5, tag, tl);
			int error = llen == 7 + tl && !strncmp(line, "%error ", 7) &&
				    !strncmp(line + 7, tag, tl);
			/* flags 0: a command not sent by this client (the attach itself) */
			const char *flags = strrchr(tag, ' ');
			if ((end || error) && flags && !strcmp(flags, " 0")) {
				if (getenv("TMUX_CTL_DEBUG"))
					fprintf(stderr, "tmux: skipped a block %s\n", tag);
				memmove(c->buf, c->buf + next, c->len - next);
				c->len -= next;
				pos = body = 0;
				tag[0] = '\0';
				continue;
			}
			if (end || error) {
				size_t blen = pos - body;
				*out = malloc(blen + 1);
				if (*out) {
					memcpy(*out, c->buf + body, blen);
					(*out)[blen] = '\0';
				}
				memmove(c->buf, c->buf + next, c->len - next);
				c->len -= next;
				return *out ? error : -1;
			}
		}
		pos = next;
		if (!tag[0]) { /* drop notifications already seen */
			memmove(c->buf, c->buf + pos, c->len - pos);
			c->len -= pos;
			pos = 0;
		}
	}
}

static int ctl_send(struct tmux_ctl *c, const char *line)
{
	size_t len = strlen(line), off = 0;
	char *msg = malloc(len + 1);
	if (!msg)
		return -1;
	memcpy(msg, line, len);
	msg[len++] = '\n';
	while (off < len) {
		ssize_t w = write(c->to, msg + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(msg);
	return off == len ? 0 : -1;
}

int tmux_ctl_open(struct tmux *t, struct tmux_ctl *c)
{
	int in[2], out[2];
	const char *args[] = {"-C", "attach-session", "-t", "t", "-f", "no-output,ignore-size",
			      NULL};
	const char *argv[MAX_ARGS];
	memset(c, 0, sizeof *c);
	c->to = c->from = -1;
	signal(SIGPIPE, SIG_IGN); /* a client that died must fail a write, not kill us */
	if (build_argv(t, argv, args) < 0 || pipe(in) < 0)
		return -1;
	if (pipe(out) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		int dn = open("/dev/null", O_WRONLY);
		if (dn >= 0)
			dup2(dn, 2);
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->pid = pid;
	c->to = in[1];
	c->from = out[0];
	if (pid < 0) {
		tmux_ctl_close(c);
		return -1;
	}
	/* the attach's own reply and notifications come first: wait for a marker */
	char *o = NULL;
	if (ctl_send(c, "display-message -p CTLREADY") < 0)
		goto fail;
	for (int i = 0; i < 8; i++) {
		if (ctl_block(c, &o) < 0)
			goto fail;
		int ready = !strcmp(o, "CTLREADY\n");
		free(o);
		if (ready)
			return 0;
	}
fail:
	fprintf(stderr, "tmux: the control client did not answer\n");
	tmux_ctl_close(c);
	return -1;
}

int tmux_ctl_cmd(struct tmux_ctl *c, const char *line, char **out)
{
	char *o = NULL;
	if (out)
		*out = NULL;
	if (c->to < 0 || ctl_send(c, line) < 0)
		return -1;
	int r = ctl_block(c, &o);
	if (out)
		*out = o;
	else
		free(o);
	return r == 0 ? 0 : -1;
}

double tmux_ctl_time_key(struct tmux *t, const char *key, const char *want, int timeout_ms)
{
	struct tmux_ctl ctl;
	char cmd[96];
	if (tmux_ctl_open(t, &ctl) < 0)
		return -1;
	snprintf(cmd, sizeof cmd, "send-keys -t %%0 %s", key);
	double t0 = tmux_now(), ms = -1;
	int sent = tmux_ctl_cmd(&ctl, cmd, NULL) == 0;
	while (sent && ms < 0 && tmux_now() - t0 < timeout_ms / 1000.0) {
		char *s = NULL;
		if (tmux_ctl_cmd(&ctl, "capture-pane -p -t %0", &s) < 0)
			break;
		if (strstr(s, want))
			ms = (tmux_now() - t0) * 1000;
		free(s);
		tmux_sleep_ms(2);
	}
	tmux_ctl_close(&ctl);
	return ms;
}

void tmux_ctl_close(struct tmux_ctl *c)
{
	if (c->to >= 0)
		close(c->to); /* EOF: the control client detaches and exits */
	if (c->from >= 0)
		close(c->from);
	if (c->pid > 0) {
		int st;
		double end = tmux_now() + 2;
		while (waitpid(c->pid, &st, WNOHANG) == 0) {
			if (tmux_now() > end) {
				kill(c->pid, SIGKILL);
				waitpid(c->pid, &st, 0);
				break;
			}
			tmux_sleep_ms(5);
		}
	}
	free(c->buf);
	memset(c, 0, sizeof *c);
	c->to = c->from = -1;
}

/* ---- the process ---- */

double proc_cpu_seconds(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	char *s = harness_read_file(path, NULL);
	if (!s)
		return -1;
	/* the command name may hold spaces and parentheses: fields follow the last ')' */
	char *p = strrchr(s, ')');
	unsigned long ut = 0, st = 0;
	int ok = p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			     &ut, &st) == 2;
	free(s);
	long hz = sysconf(_SC_CLK_TCK);
	return ok && hz > 0 ? (double)(ut + st) / (double)hz : -1;
}

long proc_status_kb(pid_t pid, const char *field)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	char *s = harness_read_file(path, NULL);
	long kb = -1;
	size_t fl = strlen(field);
	for (char *line = s; line && *line;) {
		char *nl = strchr(line, '\n');
		if (!strncmp(line, field, fl) && line[fl] == ':') {
			kb = strtol(line + fl + 1, NULL, 10);
			break;
		}
		line = nl ? nl + 1 : line + strlen(line);
	}
	free(s);
	return kb;
}

/* ---- widths ---- */

static size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
	unsigned c = s[0];
	size_t extra;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c < 0xE0)
		extra = 1, c &= 0x1F;
	else if (c >= 0xE0 && c < 0xF0)
		extra = 2, c &= 0x0F;
	else if (c >= 0xF0 && c < 0xF5)
		extra = 3, c &= 0x07;
	else
		return 0;
	if (extra >= len)
		return 0;
	for (size_t i = 1; i <= extra; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	*cp = c;
	return extra + 1;
}

int tmux_width(const char *s, size_t len)
{
	static locale_t utf8;
	if (!utf8)
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
	int w = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = utf8_decode(p + i, len - i, &cp);
		if (!n) {
			w++;
			i++;
			continue;
		}
		int cw = wcwidth((wchar_t)cp);
		w += cw > 0 ? cw : 0;
		i += n;
	}
	if (utf8)
		uselocale(old);
	return w;
}
