/* tmux: a private tmux server running one program in one pane, for the full-screen tests
 * and benchmarks: keys in, screen captures out (STYLE habit 8; tig's test/tools/libtest.sh).
 * Every tmux command is run by fork/exec with an argument vector: nothing passes through
 * a shell. No cmocka here: every function reports with its return value. */
#ifndef CHERRY_TEST_TMUX_H
#define CHERRY_TEST_TMUX_H

#include <stddef.h>
#include <sys/types.h>

#include "harness.h"

struct tmux {
	char dir[256];    /* temp directory holding the socket */
	char sock[300];
	char pane[32];    /* the pane's id, "%0" */
	pid_t server_pid; /* the tmux server */
	unsigned long long server_start;
	pid_t pane_pid;   /* the program in the pane (as started or respawned) */
	unsigned long long pane_start; /* its start time (/proc/PID/stat), to know it again */
	double started;   /* monotonic seconds when the pane was (re)started */
};

/* The tmux binary's path, or NULL when tmux is not installed. */
const char *tmux_path(void);

/* Starts a private server (`tmux -S DIR/sock -f /dev/null`, default-terminal
 * tmux-256color, remain-on-exit on, set-clipboard on, status off) with one detached
 * session of cols x rows running argv (argv[0] a path; run directly, not by a shell) in
 * the clean environment of harness_run: PATH, HOME and XDG from h, LANG=C.UTF-8, the
 * sanitizer variables, plus env (same rules as run_cherry). tmux adds TERM
 * (tmux-256color), TMUX and TMUX_PANE. 0, or -1 with a line on stderr (then nothing is
 * left running). */
int tmux_start(struct tmux *t, const struct testhome *h, const char *const *argv,
	       const char *const *env, int cols, int rows);
/* The same running $CHERRY_BIN (default build/cherry) with args (NULL-terminated, no
 * argv[0]; may be NULL). */
int tmux_start_cherry(struct tmux *t, const struct testhome *h, const char *const *args,
		      const char *const *env, int cols, int rows);
/* Replaces the pane's program (respawn-pane -k) with argv, in the environment the
 * server was started with; resets started and pane_pid. 0 or -1. */
int tmux_respawn(struct tmux *t, const char *const *argv);
/* Kills the server (and, after 3 s, the pane's program if it still runs), removes the
 * directory. Safe on a zeroed struct and after a failed start. */
void tmux_stop(struct tmux *t);

/* Runs one tmux command against the server: args is NULL-terminated, without "tmux -S".
 * *out (may be NULL) gets its stdout, malloc'd. 0 when tmux exited 0, else -1. */
int tmux_cmd(struct tmux *t, char **out, const char *const *args);

/* send-keys: key names as tmux spells them ("C-o", "F2", "S-F2", "Escape", "Enter",
 * "M-Enter", "BSpace", "Up"), NULL-terminated. 0 or -1. */
int tmux_keys(struct tmux *t, const char *key, ...);
/* send-keys -l: literal text (any bytes but NUL; a trailing ';' is escaped for tmux). */
int tmux_type(struct tmux *t, const char *text);

/* The visible screen, rows joined by '\n' (capture-pane -p; trailing blanks of a row
 * dropped by tmux). escapes: with attributes and colours as SGR sequences (-e).
 * malloc'd, NULL on failure. */
char *tmux_capture(struct tmux *t, int escapes);
/* Row i of a capture (0 the top; negative counts from the bottom: -1 the last row that
 * tmux printed) copied into out; "" when there is no such row. Returns out. */
char *tmux_row(const char *screen, int i, char *out, size_t n);
/* The number of rows in a capture. */
int tmux_nrows(const char *screen);

/* Polls the screen every ~20 ms until text is on it: 0, or -1 at timeout_ms or when the
 * pane died first (the last screen is then printed to stderr as "# " lines). A capture
 * drops the blanks at the end of each row: text ending in a blank never matches there. */
int tmux_wait_for(struct tmux *t, const char *text, int timeout_ms);
/* Until text is no longer on the screen. */
int tmux_wait_gone(struct tmux *t, const char *text, int timeout_ms);
/* Until the screen has not changed for quiet_ms: 0, or -1 at timeout_ms. */
int tmux_wait_stable(struct tmux *t, int quiet_ms, int timeout_ms);
/* Prints the screen to stderr as "# " lines, under a heading: for failure messages. */
void tmux_dump(struct tmux *t, const char *why);

/* resize-window -x -y (which makes the window's size manual, so it works with no client
 * attached). 0 or -1. */
int tmux_resize(struct tmux *t, int cols, int rows);
/* A format expanded for the pane (display-message -p), e.g. "#{pane_title}", into out.
 * 0 or -1. */
int tmux_format(struct tmux *t, const char *fmt, char *out, size_t n);
/* A format that expands to a number; -1 on failure. */
long tmux_format_long(struct tmux *t, const char *fmt);
/* 1 when the pane's program has exited (*status, may be NULL, gets #{pane_dead_status};
 * 128+N for a signal when tmux knows it), 0 while it runs, -1 on failure. */
int tmux_dead(struct tmux *t, int *status);
/* Polls until the program exits: 0 with *status, -1 at timeout_ms. */
int tmux_wait_dead(struct tmux *t, int *status, int timeout_ms);
/* tmux's paste buffers, one "name: N bytes: ..." line each (list-buffers), malloc'd;
 * "" when there are none. NULL on failure. */
char *tmux_buffers(struct tmux *t);
/* The newest paste buffer's content (show-buffer), malloc'd; NULL when none. */
char *tmux_buffer(struct tmux *t);

/* ---- control mode: one persistent client, for measurements ----
 * A tmux command through a fresh client costs ~10 ms (the client's start-up); through a
 * control-mode client (tmux -C, attached with no-output,ignore-size, so it neither
 * receives the pane's output nor changes the window's size) well under 1 ms. */

struct tmux_ctl {
	pid_t pid;
	int to, from;     /* its stdin and stdout */
	char *buf;        /* bytes read and not yet used */
	size_t len, cap;
};

/* Attaches a control client to t's session (and ignores SIGPIPE in this process).
 * 0, or -1 with a line on stderr. */
int tmux_ctl_open(struct tmux *t, struct tmux_ctl *c);
/* Runs one command line (tmux command syntax: the caller quotes; only for fixed,
 * trusted text) and waits for its reply; *out (may be NULL) gets the output, malloc'd.
 * 0 when tmux answered %end, -1 on %error or failure. */
int tmux_ctl_cmd(struct tmux_ctl *c, const char *line, char **out);
/* Detaches and reaps the client. Safe on a zeroed struct. */
void tmux_ctl_close(struct tmux_ctl *c);
/* How long after sending key (tmux key name) the pane shows want, in ms, timed through
 * a control client; -1 when it has not within timeout_ms (or tmux failed). */
double tmux_ctl_time_key(struct tmux *t, const char *key, const char *want, int timeout_ms);

/* ---- the process in the pane ---- */

/* 1 while pid runs (a zombie does not: the init of some containers reaps orphans only
 * every second), else 0. */
int proc_alive(pid_t pid);
/* utime + stime of a process in seconds (/proc/PID/stat), -1 on failure. */
double proc_cpu_seconds(pid_t pid);
/* A "Vm...:" line of /proc/PID/status in kB (e.g. "VmHWM", "VmRSS"), -1 on failure. */
long proc_status_kb(pid_t pid, const char *field);

/* ---- small shared helpers ---- */

/* Monotonic seconds. */
double tmux_now(void);
void tmux_sleep_ms(int ms);
/* Terminal columns taken by a UTF-8 string as tmux lays it out (wcwidth per code point
 * in C.UTF-8; invalid bytes count 1). */
int tmux_width(const char *s, size_t len);

#endif
