/* tui_bench: make bench's full-screen figures. Under a private tmux (keys by send-keys,
 * the screen by capture-pane, through a control-mode client): the long stream shown in
 * the TUI to its last token (wall time beside the parse floor, CPU seconds of cherry and
 * of tmux), the delay between a key press and its echo while that stream runs, and
 * start-up to the first frame with the conversations on disk, with peak RSS; beside each,
 * what tmux alone costs. Then the same on a bare pseudo-terminal whose output is read and
 * thrown away at once, so the times are cherry's own, without a terminal emulator; and
 * Esc to "stopped" there, and four answers streaming at once there (TUI_BENCH_MULTI
 * deltas each, beside 4x TUI_BENCH_MULTI_FLOOR, one such stream's parse floor). Figures,
 * never a verdict: it exits 0 whatever the timings.
 * Usage: tui_bench HOME PROVIDER/MODEL [FLOOR_SECONDS]
 * With TUI_BENCH_ECHO=N only key echo over N samples while the answer streams, under tmux
 * and on the bare pty (and, with
 * TUI_BENCH_CPU=PROVIDER/long:N, cherry's CPU per streamed delta in a new conversation and
 * at the end of TUI_BENCH_CONV; TUI_BENCH_SETTLE_MS, 300 unless set, is the wait between the
 * client's first frame and "go", for what it does once after it to end).
 * With TUI_BENCH_CONV=ID also start-up to the first frame with that conversation open.
 * HOME holds config/ data/ state/ cache/ (as tests/bench/run.sh lays it out); the
 * environment gives CHERRY_BIN and the provider's key (every variable named *_KEY is
 * passed on to cherry). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "harness.h"
#include "tmux.h"

#define COLS 120
#define ROWS 40
#define SAMPLES 20
#define STARTS 5
#define WAIT_S 120.0
#define QUIET_MS 1500 /* no output for this long: the stream has ended */

extern char **environ;

static struct tmux T;
static struct tmux_ctl C;
static char cherry[4096];
static const char *env_keys[32]; /* "NAME_KEY=..." entries of our environment */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Sorts v; its median. */
static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : -1;
}

/* TUI_BENCH_DEBUG=1 lists every sample on stderr. */
static void debug_list(const char *what, const double *v, int n)
{
	if (!getenv("TUI_BENCH_DEBUG"))
		return;
	fprintf(stderr, "%s:", what);
	for (int i = 0; i < n; i++)
		fprintf(stderr, " %.2f", v[i]);
	fprintf(stderr, "\n");
}

static double maximum(const double *v, int n)
{
	double m = -1;
	for (int i = 0; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

/* ---- under tmux ---- */

static int ctl(const char *line)
{
	return tmux_ctl_cmd(&C, line, NULL);
}

static int on_screen(const char *text)
{
	char *s = NULL;
	int has = tmux_ctl_cmd(&C, "capture-pane -p -t %0", &s) == 0 && strstr(s, text);
	free(s);
	return has;
}

/* Polls (every poll_us) until text shows: the time it showed, or -1 after WAIT_S or when
 * the pane's program died. */
static double wait_text(const char *text, int poll_us)
{
	double end = tmux_now() + WAIT_S;
	for (int i = 0; tmux_now() < end; i++) {
		if (on_screen(text))
			return tmux_now();
		if (i % 64 == 63 && tmux_dead(&T, NULL) == 1)
			return -1;
		usleep((useconds_t)poll_us);
	}
	return -1;
}

/* The pane runs argv afresh, through the control client so that no client start-up
 * (~10 ms) is counted: T.started is set just before. The arguments are quoted for tmux
 * and must not hold a single quote. */
static int respawn(const char *const *argv)
{
	char line[8192] = "respawn-pane -k -t %0";
	for (size_t i = 0; argv[i]; i++) {
		if (strchr(argv[i], '\'') || strlen(line) + strlen(argv[i]) + 4 >= sizeof line)
			return -1;
		strcat(line, " '");
		strcat(line, argv[i]);
		strcat(line, "'");
	}
	T.started = tmux_now();
	if (ctl(line) < 0)
		return -1;
	char *o = NULL;
	if (tmux_ctl_cmd(&C, "display-message -p -t %0 '#{pane_pid}'", &o) < 0) {
		free(o);
		return -1;
	}
	T.pane_pid = (pid_t)atol(o);
	T.pane_start = 0; /* not known: tmux_stop will not kill it (C-q ends it) */
	free(o);
	return 0;
}

/* Types one letter after another (a..z, then C-u and again) and polls until the screen
 * shows prompt and the letters so far, until stop_text shows (NULL: never); the delays in
 * ms into v. Returns how many samples were taken. */
static int echo_samples(double *v, int max, const char *prompt, const char *stop_text)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
	int n = 0;
	for (int k = 0; n < max && !(stop_text && on_screen(stop_text)); k++) {
		char cmd[64], want[64];
		if (k % 26 == 0 && k)
			ctl("send-keys -t %0 C-u");
		snprintf(cmd, sizeof cmd, "send-keys -t %%0 -l %c", letters[k % 26]);
		snprintf(want, sizeof want, "%s%.*s", prompt, k % 26 + 1, letters);
		double t0 = tmux_now();
		ctl(cmd);
		if (wait_text(want, 1000) < 0)
			break;
		v[n++] = (tmux_now() - t0) * 1000;
		usleep(10000);
	}
	return n;
}

/* A new, empty conversation with model chosen (by /model: the conversation reopened
 * from the last run may have brought its own model, and its text) and the state idle. */
static int tmux_fresh(const char *model, const char *idle)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "send-keys -t %%0 -l '/model %s'", model);
	if (ctl("send-keys -t %0 C-u C-n") < 0 || ctl(cmd) < 0 ||
	    ctl("send-keys -t %0 Enter") < 0 || wait_text(idle, 1000) < 0)
		return -1;
	usleep(100000);
	return 0;
}

static int quit_cherry(void)
{
	int st;
	ctl("send-keys -t %0 C-q");
	return tmux_wait_dead(&T, &st, 10000) == 0 && st == 0 ? 0 : -1;
}

struct tmux_figures {
	double echo_alone[SAMPLES];
	int n_echo_alone;
	double frame_alone;          /* s */
	double frames[STARTS];       /* ms */
	int n_frames;
	long frame_hwm;              /* kB */
	double wall, cpu, tmux_cpu;  /* s */
	long stream_hwm;
	double echo[SAMPLES];
	int n_echo;
	double md_wall, md_cpu, md_tmux_cpu; /* the Markdown stream; md_wall < 0 not measured */
	long md_hwm;
	double md_echo[SAMPLES];
	int n_md_echo;
	double conv_frame;           /* ms, with TUI_BENCH_CONV open; < 0 not measured */
	long conv_hwm;               /* kB */
};

/* Polls until a or b shows: 0, or -1 after WAIT_S. */
static int wait_either(const char *a, const char *b)
{
	for (double end = tmux_now() + WAIT_S; tmux_now() < end; usleep(2000))
		if (on_screen(a) || on_screen(b))
			return 0;
	return -1;
}

/* Up to want key echoes (ms, into v) while model's answer streams, in up to rounds new
 * conversations; each answer is stopped (Esc) once its samples are taken. How many. */
static int echo_rounds(const char *model, const char *idle, const char *last, double *v,
		       int want, int rounds)
{
	int n = 0;
	for (int round = 0; n < want && round < rounds && tmux_dead(&T, NULL) == 0; round++) {
		if (tmux_fresh(model, idle) < 0)
			break;
		ctl("send-keys -t %0 -l go");
		ctl("send-keys -t %0 Enter");
		if (wait_text("streaming", 200) < 0)
			break;
		n += echo_samples(v + n, want - n, "> ", last);
		ctl("send-keys -t %0 C-u Escape");
		if (wait_either(idle, "stopped") < 0)
			break;
	}
	return n;
}

/* In the running client: a new conversation on model, its stream to the text last (wall
 * time, CPU seconds of cherry and of tmux's server, peak RSS), then key echo while the
 * same stream runs, in new conversations until there are SAMPLES. */
static void stream_figures(const char *model, const char *idle, const char *last, double *wall,
			   double *cpu, double *tmux_cpu, long *hwm, double *echo, int *n_echo)
{
	*wall = -1;
	if (tmux_fresh(model, idle) == 0) {
		pid_t pid = T.pane_pid;
		double c0 = proc_cpu_seconds(pid), s0 = proc_cpu_seconds(T.server_pid);
		ctl("send-keys -t %0 -l go");
		double t0 = tmux_now();
		ctl("send-keys -t %0 Enter");
		double t1 = wait_text(last, 2000);
		if (t1 >= 0 && wait_text(idle, 2000) >= 0) {
			*wall = t1 - t0;
			*cpu = proc_cpu_seconds(pid) - c0;
			*tmux_cpu = proc_cpu_seconds(T.server_pid) - s0;
			*hwm = proc_status_kb(pid, "VmHWM");
		}
	}
	*n_echo = echo_rounds(model, idle, last, echo, SAMPLES, 5);
}

static int under_tmux(const struct testhome *h, const char *model, const char *idle,
		      const char *last, struct tmux_figures *f)
{
	static const char *const cat[] = {"/bin/cat", NULL};
	static const char *const shell[] = {"/bin/sh", "-c", "echo ready-marker; exec cat",
					    NULL};
	const char *run[] = {cherry, "-m", model, NULL};
	memset(f, 0, sizeof *f);
	f->frame_alone = f->wall = f->conv_frame = f->md_wall = -1;
	if (tmux_start(&T, h, cat, env_keys, COLS, ROWS) < 0 || tmux_ctl_open(&T, &C) < 0)
		return -1;

	/* tmux's own share: key echo on cat's cooked tty, and a shell's first output */
	f->n_echo_alone = echo_samples(f->echo_alone, SAMPLES, "", NULL);
	for (int i = 0; i < STARTS; i++) {
		if (respawn(shell) < 0)
			break;
		double t1 = wait_text("ready-marker", 100);
		if (t1 < 0)
			break;
		if (f->frame_alone < 0 || t1 - T.started < f->frame_alone)
			f->frame_alone = t1 - T.started;
	}

	/* start-up to the first frame (the status line drawn) */
	for (int i = 0; i < STARTS; i++) {
		if (respawn(run) < 0)
			break;
		double t1 = wait_text(idle, 100);
		if (t1 < 0) {
			tmux_dump(&T, "tui_bench: cherry did not show its status line");
			return -1;
		}
		f->frames[f->n_frames++] = (t1 - T.started) * 1000;
		f->frame_hwm = proc_status_kb(T.pane_pid, "VmHWM");
		if (quit_cherry() < 0)
			break;
	}

	/* the stream, to its last token, and key echo while it runs */
	if (respawn(run) == 0 && wait_text(idle, 1000) >= 0)
		stream_figures(model, idle, last, &f->wall, &f->cpu, &f->tmux_cpu, &f->stream_hwm,
			       f->echo, &f->n_echo);
	/* the same for the Markdown answer (TUI_BENCH_MD=PROVIDER/mdlong:N) */
	const char *md = getenv("TUI_BENCH_MD");
	if (md && *md && tmux_dead(&T, NULL) == 0) {
		char md_idle[256], md_last[64];
		const char *colon = strrchr(md, ':');
		snprintf(md_idle, sizeof md_idle, " %s \xc2\xb7 idle", md);
		snprintf(md_last, sizeof md_last, "mdlong-end-%s.", colon ? colon + 1 : "1");
		stream_figures(md, md_idle, md_last, &f->md_wall, &f->md_cpu, &f->md_tmux_cpu,
			       &f->md_hwm, f->md_echo, &f->n_md_echo);
	}
	quit_cherry();

	/* start-up to the first frame with a (long) conversation open: -c TUI_BENCH_CONV
	 * (after the stream: the client reopens the last conversation it showed, and the
	 * stream is measured in a conversation of its own) */
	const char *conv = getenv("TUI_BENCH_CONV");
	const char *run_conv[] = {cherry, "-m", model, "-c", conv, NULL};
	for (int i = 0; conv && *conv && i < STARTS; i++) {
		if (respawn(run_conv) < 0)
			break;
		double t1 = wait_text(idle, 100);
		if (t1 < 0)
			break;
		double ms = (t1 - T.started) * 1000;
		if (f->conv_frame < 0 || ms < f->conv_frame) {
			f->conv_frame = ms;
			f->conv_hwm = proc_status_kb(T.pane_pid, "VmHWM");
		}
		if (quit_cherry() < 0)
			break;
	}

	return 0;
}

/* ---- TUI_BENCH_ECHO=N: key echo over N samples, and CPU per streamed delta ---- */

#define ECHO_MAX 1000

/* N key echoes (at most ECHO_MAX) under tmux while model's answer streams, in as many
 * answers as it takes; prints the median and the maximum. */
static void echo_only(const char *model, const char *idle, const char *last, int want)
{
	static double v[ECHO_MAX];
	int n = echo_rounds(model, idle, last, v, want > ECHO_MAX ? ECHO_MAX : want, 50);
	debug_list("echo ms", v, n);
	double mx = maximum(v, n);
	printf("  key echo while %s streams: median %.2f ms, max %.2f ms over %d samples "
	       "(budget 16 ms)\n", model, median(v, n), mx, n);
}

/* cherry's CPU seconds from "go" to the last token of a PROV/long:n answer on the screen,
 * in a new conversation or (conv) at the end of conversation conv; -1 not measured. */
static double cpu_of(const char *prov, long n, const char *conv)
{
	char model[128], idle[256], last[64];
	snprintf(model, sizeof model, "%s/long:%ld", prov, n);
	snprintf(idle, sizeof idle, " %s \xc2\xb7 idle", model);
	snprintf(last, sizeof last, "[%ld] ", n);
	const char *run[] = {cherry, "-m", model, conv ? "-c" : NULL, conv, NULL};
	if (respawn(run) < 0 || wait_text(idle, 1000) < 0 ||
	    (!conv && tmux_fresh(model, idle) < 0))
		return -1;
	usleep(getenv("TUI_BENCH_SETTLE_MS") ? (useconds_t)atoi(getenv("TUI_BENCH_SETTLE_MS")) * 1000 : 300000);
	pid_t pid = T.pane_pid;
	double c0 = proc_cpu_seconds(pid);
	ctl("send-keys -t %0 -l go");
	ctl("send-keys -t %0 Enter");
	double t1 = wait_text(last, 2000);
	double c1 = proc_cpu_seconds(pid);
	wait_text(idle, 2000);
	quit_cherry();
	return t1 < 0 ? -1 : c1 - c0;
}

/* cherry's CPU per streamed delta of a PROV/long:N answer (model), in a new conversation
 * and (conv) at the end of conversation conv: over the whole answer, and per delta beyond
 * the first N/5 (what the answer's start and end cost, the request of the whole
 * conversation and its save among them, taken away). */
static void cpu_per_delta(const char *model, const char *conv)
{
	const char *colon = strrchr(model, ':'), *slash = strchr(model, '/');
	long n = colon ? atol(colon + 1) : 0;
	char prov[64];
	snprintf(prov, sizeof prov, "%.*s", slash ? (int)(slash - model) : 2, model);
	double all = n >= 5 ? cpu_of(prov, n, conv) : -1;
	double part = all >= 0 ? cpu_of(prov, n / 5, conv) : -1;
	if (part < 0)
		printf("  CPU per streamed delta, %s: not measured\n",
		       conv ? conv : "a new conversation");
	else
		printf("  CPU per streamed delta, %s: %.2f us beyond the first %ld (%.2f us over "
		       "all %ld: %.2f s)\n", conv ? conv : "a new conversation",
		       (all - part) * 1e6 / (double)(n - n / 5), n / 5, all * 1e6 / (double)n, n,
		       all);
}

static int echo_mode(const struct testhome *h, const char *model, const char *idle,
		     const char *last, int want)
{
	static const char *const cat[] = {"/bin/cat", NULL};
	const char *run[] = {cherry, "-m", model, NULL};
	if (tmux_start(&T, h, cat, env_keys, COLS, ROWS) < 0 || tmux_ctl_open(&T, &C) < 0)
		return -1;
	printf("TUI under tmux %dx%d, %s:\n", COLS, ROWS, model);
	if (respawn(run) == 0 && wait_text(idle, 1000) >= 0)
		echo_only(model, idle, last, want);
	quit_cherry();
	const char *cpu = getenv("TUI_BENCH_CPU");
	if (cpu && *cpu) {
		cpu_per_delta(cpu, NULL);
		const char *conv = getenv("TUI_BENCH_CONV");
		if (conv && *conv)
			cpu_per_delta(cpu, conv);
	}
	tmux_ctl_close(&C);
	tmux_stop(&T);
	return 0;
}

/* ---- on a bare pseudo-terminal ---- */

struct pty {
	pid_t pid;
	int fd;
	char tail[64];     /* the last bytes read, so a needle split across reads is found */
	size_t tail_len;
};

static int pty_start(struct pty *p, const struct testhome *h, const char *const *argv)
{
	static char vars[8][600];
	const char *envp[48];
	size_t n = 0;
	const char *path = getenv("PATH");
	snprintf(vars[0], sizeof vars[0], "PATH=%s", path ? path : "/usr/bin:/bin");
	snprintf(vars[1], sizeof vars[1], "HOME=%s", h->root);
	snprintf(vars[2], sizeof vars[2], "XDG_CONFIG_HOME=%s/config", h->root);
	snprintf(vars[3], sizeof vars[3], "XDG_DATA_HOME=%s/data", h->root);
	snprintf(vars[4], sizeof vars[4], "XDG_STATE_HOME=%s/state", h->root);
	snprintf(vars[5], sizeof vars[5], "XDG_CACHE_HOME=%s/cache", h->root);
	snprintf(vars[6], sizeof vars[6], "LANG=C.UTF-8");
	snprintf(vars[7], sizeof vars[7], "TERM=tmux-256color");
	for (size_t i = 0; i < 8; i++)
		envp[n++] = vars[i];
	for (size_t i = 0; env_keys[i] && n + 1 < sizeof envp / sizeof *envp; i++)
		envp[n++] = env_keys[i];
	envp[n] = NULL;

	memset(p, 0, sizeof *p);
	p->fd = posix_openpt(O_RDWR | O_NOCTTY);
	if (p->fd < 0 || grantpt(p->fd) < 0 || unlockpt(p->fd) < 0)
		return -1;
	const char *slave = ptsname(p->fd);
	struct winsize ws = {ROWS, COLS, 0, 0};
	if (!slave)
		return -1;
	p->pid = fork();
	if (p->pid == 0) {
		setsid();
		int s = open(slave, O_RDWR);
		if (s < 0)
			_exit(127);
		ioctl(s, TIOCSCTTY, 0);
		ioctl(s, TIOCSWINSZ, &ws);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		execve(argv[0], (char *const *)argv, (char *const *)envp);
		_exit(127);
	}
	return p->pid > 0 ? 0 : -1;
}

/* Reads one chunk (waiting at most ms) into buf after the previous tail: its length with
 * the tail, or -1 at timeout, EOF or error. */
static long pty_read(struct pty *p, char *buf, size_t cap, int ms)
{
	struct pollfd pf = {p->fd, POLLIN, 0};
	int r;
	while ((r = poll(&pf, 1, ms)) < 0 && errno == EINTR)
		;
	if (r <= 0)
		return -1;
	memcpy(buf, p->tail, p->tail_len);
	ssize_t got = read(p->fd, buf + p->tail_len, cap - p->tail_len);
	if (got <= 0)
		return -1;
	size_t len = p->tail_len + (size_t)got;
	p->tail_len = len < sizeof p->tail ? len : sizeof p->tail;
	memcpy(p->tail, buf + len - p->tail_len, p->tail_len);
	return (long)len;
}

/* Reads (and drops) output until needle shows in it: the time it did, or -1. */
static double pty_until(struct pty *p, const char *needle, double seconds)
{
	double end = tmux_now() + seconds;
	static char buf[65536 + 64];
	while (tmux_now() < end) {
		long len = pty_read(p, buf, sizeof buf, (int)((end - tmux_now()) * 1000) + 1);
		if (len < 0)
			return -1;
		if (harness_mem_find(buf, (size_t)len, needle, strlen(needle))) {
			double now = tmux_now();
			p->tail_len = 0; /* the next search starts after this */
			return now;
		}
	}
	return -1;
}

static void debug(const char *what)
{
	if (getenv("TUI_BENCH_DEBUG"))
		fprintf(stderr, "tui_bench: %s\n", what);
}

/* Reads until no output came for quiet_ms (at most seconds): the time of the last read,
 * or of the call when nothing came; -1 when output never stopped. That is the end of a
 * stream found without looking for text in the output: curses rewrites only the cells
 * that changed, so the text of a frame comes in pieces. */
static double pty_quiet(struct pty *p, int quiet_ms, double seconds)
{
	static char buf[65536 + 64];
	double end = tmux_now() + seconds, last = tmux_now();
	while (tmux_now() < end && pty_read(p, buf, sizeof buf, quiet_ms) >= 0)
		last = tmux_now();
	p->tail_len = 0;
	return tmux_now() < end ? last : -1;
}

/* Drains output until none came for quiet_ms. */
static void pty_settle(struct pty *p, int quiet_ms)
{
	static char buf[65536 + 64];
	while (pty_read(p, buf, sizeof buf, quiet_ms) >= 0)
		;
	p->tail_len = 0;
}

/* Drains output for ms milliseconds, however much keeps coming. */
static void pty_drain(struct pty *p, int ms)
{
	static char buf[65536 + 64];
	for (double end = tmux_now() + ms / 1000.0; tmux_now() < end;)
		pty_read(p, buf, sizeof buf, 10);
	p->tail_len = 0;
}

static void pty_stop(struct pty *p)
{
	if (p->pid > 0) {
		int st;
		if (write(p->fd, "\021", 1) == 1) { /* C-q */
			for (double end = tmux_now() + 5; tmux_now() < end; usleep(5000)) {
				char buf[4096];
				struct pollfd pf = {p->fd, POLLIN, 0};
				if (poll(&pf, 1, 5) > 0 && read(p->fd, buf, sizeof buf) <= 0)
					break;
				if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
					p->pid = 0;
					break;
				}
			}
		}
		if (p->pid > 0) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &st, 0);
		}
	}
	if (p->fd >= 0)
		close(p->fd);
	memset(p, 0, sizeof *p);
}

struct pty_figures {
	double frame;    /* ms, best of STARTS */
	double wall;     /* s */
	double echo[SAMPLES];
	int n_echo;
	double esc;      /* ms */
};

/* Characters that occur neither in the long stream's text nor in curses' escape
 * sequences: the first one in the output after it was typed is its echo. */
static const char unique[] = "~!@$^&*+|";

/* Up to 4 (and max) key echoes into v, in ms, while a stream runs; how many. */
static int pty_echoes(struct pty *p, double *v, int max)
{
	int n = 0;
	for (int k = 0; k < 4 && n < max; k++) {
		char c[2] = {unique[k], '\0'};
		usleep(10000);
		p->tail_len = 0;
		double a = tmux_now();
		if (write(p->fd, c, 1) != 1)
			break;
		double b = pty_until(p, c, 5);
		if (b < 0) {
			debug("pty: no echo");
			break;
		}
		v[n++] = (b - a) * 1000;
	}
	return n;
}

/* As tmux_fresh, on the pty. */
static int pty_fresh(struct pty *p, const char *model)
{
	char cmd[300];
	int n = snprintf(cmd, sizeof cmd, "/model %s\r", model);
	if (write(p->fd, "\025\016", 2) != 2)
		return -1;
	pty_settle(p, 50);
	if (write(p->fd, cmd, (size_t)n) != n)
		return -1;
	pty_settle(p, 100);
	return 0;
}

/* The status line says "streaming N tok/s" (the only part sure to be written whole). */
static int pty_streaming(struct pty *p)
{
	return pty_until(p, "tok/s", 10) < 0 ? -1 : 0;
}

static void on_pty(const struct testhome *h, const char *model, struct pty_figures *f)
{
	const char *run[] = {cherry, "-m", model, NULL};
	struct pty p;
	memset(f, 0, sizeof *f);
	f->frame = f->wall = f->esc = -1;
	for (int i = 0; i < STARTS; i++) {
		double t0 = tmux_now();
		if (pty_start(&p, h, run) < 0)
			return;
		double t1 = pty_until(&p, "idle", 10);
		if (t1 >= 0 && (f->frame < 0 || (t1 - t0) * 1000 < f->frame))
			f->frame = (t1 - t0) * 1000;
		pty_stop(&p);
	}
	if (pty_start(&p, h, run) < 0 || pty_until(&p, "idle", 10) < 0 ||
	    pty_fresh(&p, model) < 0)
		goto out;
	/* the stream to its last frame, without a terminal to draw it */
	double t0 = tmux_now();
	if (write(p.fd, "go\r", 3) != 3 || pty_streaming(&p) < 0)
		goto out;
	double t1 = pty_quiet(&p, QUIET_MS, WAIT_S);
	if (t1 < 0) {
		debug("pty: the stream did not end");
		goto out;
	}
	f->wall = t1 - t0;
	/* key echo while it streams: a few samples from the start of each of a few streams
	 * (the first tenths of a second of a 20,000-delta stream) */
	for (int round = 0; f->n_echo < SAMPLES && round < 8; round++) {
		if (pty_fresh(&p, model) < 0 || write(p.fd, "go\r", 3) != 3 ||
		    pty_streaming(&p) < 0) {
			debug("pty: the stream did not start");
			break;
		}
		f->n_echo += pty_echoes(&p, f->echo + f->n_echo, SAMPLES - f->n_echo);
		if (pty_quiet(&p, QUIET_MS, WAIT_S) < 0) {
			debug("pty: the stream did not end");
			break;
		}
	}
	pty_stop(&p);

	/* Esc to "stopped" on a slow endless stream */
	char slow[256];
	const char *slash = strchr(model, '/');
	snprintf(slow, sizeof slow, "%.*s/long:1000000+slow:2", slash ? (int)(slash - model) : 2,
		 model);
	const char *run_slow[] = {cherry, "-m", slow, NULL};
	if (pty_start(&p, h, run_slow) < 0 || pty_until(&p, "idle", 10) < 0 ||
	    pty_fresh(&p, slow) < 0)
		goto out;
	if (write(p.fd, "go\r", 3) != 3 || pty_streaming(&p) < 0) {
		debug("pty: the slow stream did not start");
	} else {
		pty_drain(&p, 300);
		double a = tmux_now();
		if (write(p.fd, "\033", 1) == 1) {
			double b = pty_until(&p, "[stopped]", 5);
			if (b >= 0)
				f->esc = (b - a) * 1000;
			else
				debug("pty: no [stopped] after Esc");
		}
	}
out:
	pty_stop(&p);
}

/* TUI_BENCH_ECHO=N on the bare pty: N key echoes while model's answer streams (cherry's
 * own delays, without a terminal emulator to wait for), up to 90 an answer. */
static void pty_echo_only(const struct testhome *h, const char *model, int want)
{
	static double v[ECHO_MAX];
	const char *run[] = {cherry, "-m", model, NULL};
	struct pty p;
	int n = 0;
	want = want > ECHO_MAX ? ECHO_MAX : want;
	if (pty_start(&p, h, run) < 0 || pty_until(&p, "idle", 10) < 0)
		goto out;
	for (int round = 0; n < want && round < 50; round++) {
		if (pty_fresh(&p, model) < 0 || write(p.fd, "go\r", 3) != 3 ||
		    pty_streaming(&p) < 0)
			break;
		/* each character erased after its echo, and the next one another: a cell
		 * written again with what it held would not be sent again */
		for (int k = 0; n < want && k < 90; k++) {
			char c[2] = {unique[k % 9], '\0'};
			if (k && write(p.fd, "\177", 1) != 1)
				break;
			usleep(10000);
			p.tail_len = 0;
			double a = tmux_now();
			if (write(p.fd, c, 1) != 1)
				break;
			double b = pty_until(&p, c, 5);
			if (b < 0)
				break;
			v[n++] = (b - a) * 1000;
		}
		if (write(p.fd, "\025\033", 2) != 2) /* C-u, Esc: the answer stopped */
			break;
		pty_settle(&p, 200);
	}
out:
	pty_stop(&p);
	debug_list("pty echo ms", v, n);
	printf("TUI on a bare pty:\n  key echo while %s streams: median %.2f ms, max %.2f ms "
	       "over %d samples\n", model, median(v, n), maximum(v, n), n);
}

/* Four answers at once (issue 14): "@M @M+lf @M+slow:0 @M+late:0 go", four streams of
 * TUI_BENCH_MULTI deltas (default 5,000) with the same bytes, on the bare pty: wall
 * time to the last frame, cherry's CPU seconds for it, and key echo while they run. */
struct multi_figures {
	long deltas;
	double wall, cpu;  /* s; < 0: not measured */
	double echo[SAMPLES];
	int n_echo;
};

static int multi_send(struct pty *p, const char *prov, long n)
{
	char line[600];
	int len = snprintf(line, sizeof line, "@%s/long:%ld @%s/long:%ld+lf @%s/long:%ld+slow:0 "
			   "@%s/long:%ld+late:0 go\r", prov, n, prov, n, prov, n, prov, n);
	if (write(p->fd, "\025\016", 2) != 2) /* C-u, C-n: a new conversation */
		return -1;
	pty_settle(p, 50);
	return write(p->fd, line, (size_t)len) == len && pty_streaming(p) == 0 ? 0 : -1;
}

static void on_pty_multi(const struct testhome *h, const char *model, struct multi_figures *f)
{
	const char *env = getenv("TUI_BENCH_MULTI");
	char prov[64];
	const char *slash = strchr(model, '/');
	snprintf(prov, sizeof prov, "%.*s", slash ? (int)(slash - model) : 2, model);
	const char *run[] = {cherry, "-m", model, NULL};
	struct pty p;
	memset(f, 0, sizeof *f);
	f->deltas = env && atol(env) > 0 ? atol(env) : 5000;
	f->wall = f->cpu = -1;
	if (pty_start(&p, h, run) < 0 || pty_until(&p, "idle", 10) < 0)
		goto out;
	double c0 = proc_cpu_seconds(p.pid), t0 = tmux_now();
	if (multi_send(&p, prov, f->deltas) < 0) {
		debug("pty: four streams did not start");
		goto out;
	}
	double t1 = pty_quiet(&p, QUIET_MS, WAIT_S);
	if (t1 < 0) {
		debug("pty: the four streams did not end");
		goto out;
	}
	f->wall = t1 - t0;
	f->cpu = proc_cpu_seconds(p.pid) - c0;
	for (int round = 0; f->n_echo < SAMPLES && round < 8; round++) {
		if (multi_send(&p, prov, f->deltas) < 0)
			break;
		f->n_echo += pty_echoes(&p, f->echo + f->n_echo, SAMPLES - f->n_echo);
		if (pty_quiet(&p, QUIET_MS, WAIT_S) < 0)
			break;
	}
out:
	pty_stop(&p);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: tui_bench HOME PROVIDER/MODEL [FLOOR_SECONDS]\n");
		return 2;
	}
	if (!tmux_path()) {
		printf("TUI: tmux is not installed; the full-screen figures are skipped\n");
		return 0;
	}
	struct testhome h;
	snprintf(h.root, sizeof h.root, "%s", argv[1]);
	const char *model = argv[2];
	double floor = argc > 3 ? atof(argv[3]) : 0;
	const char *bin = getenv("CHERRY_BIN");
	if (!realpath(bin && *bin ? bin : "build/cherry", cherry)) {
		perror("tui_bench: CHERRY_BIN");
		return 1;
	}
	size_t ne = 0;
	for (char **e = environ; *e && ne + 1 < sizeof env_keys / sizeof *env_keys; e++) {
		const char *eq = strchr(*e, '=');
		if (eq && eq - *e > 4 && !strncmp(eq - 4, "_KEY", 4))
			env_keys[ne++] = *e;
	}
	env_keys[ne] = NULL;
	char idle[256], last[64];
	snprintf(idle, sizeof idle, " %s · idle", model);
	const char *colon = strrchr(model, ':');
	snprintf(last, sizeof last, "[%s] ", colon ? colon + 1 : "1");

	/* TUI_BENCH_ECHO=N: only key echo over N samples under tmux, then (TUI_BENCH_CPU=
	 * PROVIDER/long:N) CPU per delta in a new conversation and in TUI_BENCH_CONV */
	const char *echo_n = getenv("TUI_BENCH_ECHO");
	if (echo_n && atoi(echo_n) > 0) {
		if (echo_mode(&h, model, idle, last, atoi(echo_n)) < 0)
			return 1;
		pty_echo_only(&h, model, atoi(echo_n));
		return 0;
	}

	struct tmux_figures t;
	int ok = under_tmux(&h, model, idle, last, &t);
	tmux_ctl_close(&C);
	tmux_stop(&T);
	if (ok < 0) {
		printf("TUI: the full-screen client did not start under tmux; figures skipped\n");
		return 0;
	}
	/* the bare pty starts as the tmux runs did: not on the long conversation the last of
	 * them opened and left as the one to reopen */
	char last_file[700];
	snprintf(last_file, sizeof last_file, "%s/state/cherry/last", h.root);
	unlink(last_file);
	struct pty_figures p;
	on_pty(&h, model, &p);
	struct multi_figures m;
	on_pty_multi(&h, model, &m);

	debug_list("tmux echo ms", t.echo, t.n_echo);
	debug_list("pty echo ms", p.echo, p.n_echo);
	debug_list("tmux first frames ms", t.frames, t.n_frames);
	printf("TUI under tmux %dx%d, %s:\n", COLS, ROWS, model);
	if (t.wall >= 0) {
		printf("  %-40s %6.2f s", "stream shown to its last token", t.wall);
		if (floor > 0)
			printf("  (%.1fx the parse floor %.2f s; budget 2x)", t.wall / floor, floor);
		printf("\n  %-40s %6.2f s (tmux's server: %.2f s)\n", "CPU seconds of cherry for it",
		       t.cpu, t.tmux_cpu);
		printf("  %-40s %6.1f MB\n", "peak RSS after it (VmHWM)", t.stream_hwm / 1024.0);
	} else {
		printf("  the stream did not reach its last token\n");
	}
	printf("  key echo while streaming: median %.1f ms, max %.1f ms over %d samples "
	       "(budget 16 ms)\n", median(t.echo, t.n_echo), maximum(t.echo, t.n_echo), t.n_echo);
	if (t.md_wall >= 0) {
		const char *mdf = getenv("TUI_BENCH_MD_FLOOR");
		double md_floor = mdf ? atof(mdf) : 0;
		printf("  %-40s %6.2f s", "Markdown answer shown to its last token", t.md_wall);
		if (md_floor > 0)
			printf("  (%.1fx its parse floor %.2f s; budget 2x)", t.md_wall / md_floor,
			       md_floor);
		printf("\n  %-40s %6.2f s (tmux's server: %.2f s)\n", "CPU seconds of cherry for it",
		       t.md_cpu, t.md_tmux_cpu);
		printf("  %-40s %6.1f MB\n", "peak RSS after it (VmHWM)", t.md_hwm / 1024.0);
		printf("  key echo while it streams: median %.1f ms, max %.1f ms over %d samples "
		       "(budget 16 ms)\n", median(t.md_echo, t.n_md_echo),
		       maximum(t.md_echo, t.n_md_echo), t.n_md_echo);
	} else if (getenv("TUI_BENCH_MD")) {
		printf("  the Markdown answer did not reach its last token\n");
	}
	printf("    tmux alone (cat, idle): median %.2f ms, max %.2f ms\n",
	       median(t.echo_alone, t.n_echo_alone), maximum(t.echo_alone, t.n_echo_alone));
	if (t.n_frames) {
		double fr[STARTS];
		memcpy(fr, t.frames, sizeof fr);
		double med = median(fr, t.n_frames);
		printf("  first frame: best %.1f ms, median %.1f ms of %d starts (budget 50 ms; a "
		       "shell's first output: %.1f ms); peak RSS %.1f MB (budget 20 MB)\n",
		       fr[0], med, t.n_frames, t.frame_alone * 1000, t.frame_hwm / 1024.0);
	}
	if (t.conv_frame >= 0)
		printf("  first frame with conversation %s open: best %.1f ms of %d starts; peak "
		       "RSS %.1f MB\n", getenv("TUI_BENCH_CONV"), t.conv_frame, STARTS,
		       t.conv_hwm / 1024.0);
	printf("TUI on a bare pty (output read and dropped at once; cherry's own times):\n");
	if (p.wall >= 0)
		printf("  %-40s %6.2f s\n", "stream written to its last frame", p.wall);
	if (p.n_echo)
		printf("  key echo early in a stream: median %.2f ms, max %.2f ms over %d samples\n",
		       median(p.echo, p.n_echo), maximum(p.echo, p.n_echo), p.n_echo);
	if (p.frame >= 0)
		printf("  first frame: best %.1f ms of %d starts\n", p.frame, STARTS);
	if (p.esc >= 0)
		printf("  Esc to \"[stopped]\" written: %.1f ms (budget 50 ms)\n", p.esc);
	const char *mf = getenv("TUI_BENCH_MULTI_FLOOR");
	double floor1 = mf ? atof(mf) : 0;
	if (m.wall >= 0) {
		printf("  four %ld-delta answers at once, to the last frame: %.2f s", m.deltas,
		       m.wall);
		if (floor1 > 0)
			printf(" (4x the single-stream parse floor: %.2f s; %.2fx)", 4 * floor1,
			       m.wall / (4 * floor1));
		printf("\n    CPU seconds of cherry for them: %.2f s\n", m.cpu);
	} else {
		printf("  four answers at once: not measured\n");
	}
	if (m.n_echo)
		printf("    key echo while four stream: median %.2f ms, max %.2f ms over %d samples "
		       "(budget 16 ms)\n", median(m.echo, m.n_echo), maximum(m.echo, m.n_echo),
		       m.n_echo);
	return 0;
}
