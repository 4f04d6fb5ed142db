/* test_passphrase: every source of the vault passphrase and their order:
 * --passphrase-fd lines, vault.passphrase_command, CHERRY_PASSPHRASE (warned),
 * the client's prompt hook, and /dev/tty with echo off (driven through a pty). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cherry/harden.h"
#include "cherry/loop.h"
#include "cherry/passphrase.h"

/* ---- helpers ---- */

/* A pipe holding text, closed for writing; returns the read end. */
static int pipe_with(const char *text)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	size_t n = strlen(text);
	assert_int_equal(write(p[1], text, n), (ssize_t)n);
	close(p[1]);
	return p[0];
}

static void assert_secret(const struct secret *s, const char *want)
{
	assert_non_null(s);
	assert_int_equal(s->len, strlen(want));
	assert_memory_equal(s->s, want, s->len);
	assert_int_equal(s->s[s->len], '\0');
}

static int get(const struct passphrase_opts *o, enum passphrase_use use, struct secret **out,
	       int *interactive, struct err *e)
{
	err_clear(e);
	return passphrase_get(o, use, 0, out, interactive, e);
}

static int setup_clean_env(void **state)
{
	(void)state;
	unsetenv("CHERRY_PASSPHRASE");
	unsetenv("CHERRY_PASSPHRASE_CHANGE");
	passphrase_set_prompt(NULL, NULL);
	return 0;
}

/* ---- lines from a descriptor ---- */

static void test_read_line(void **state)
{
	(void)state;
	struct err e;
	struct secret *s;
	int fd = pipe_with("first line\nsecond\r\nlast");
	assert_int_equal(passphrase_read_line(fd, 100, &s, &e), 0);
	assert_secret(s, "first line");
	secret_free(s);
	assert_int_equal(passphrase_read_line(fd, 100, &s, &e), 0);
	assert_secret(s, "second");
	secret_free(s);
	assert_int_equal(passphrase_read_line(fd, 100, &s, &e), 0);
	assert_secret(s, "last");
	secret_free(s);
	assert_int_equal(passphrase_read_line(fd, 100, &s, &e), 1);
	assert_null(s);
	close(fd);

	fd = pipe_with("\nin\rside\n");
	assert_int_equal(passphrase_read_line(fd, 100, &s, &e), 0);
	assert_secret(s, "");
	secret_free(s);
	assert_int_equal(passphrase_read_line(fd, 100, &s, &e), 0);
	assert_secret(s, "in\rside");
	secret_free(s);
	close(fd);
}

static void test_read_line_limit(void **state)
{
	(void)state;
	struct err e;
	struct secret *s;
	int fd = pipe_with("1234\n12345\n");
	assert_int_equal(passphrase_read_line(fd, 4, &s, &e), 0);
	assert_secret(s, "1234");
	secret_free(s);
	err_clear(&e);
	assert_int_equal(passphrase_read_line(fd, 4, &s, &e), -1);
	assert_null(s);
	assert_int_equal(e.code, EXIT_VAULT);
	assert_non_null(strstr(e.msg, "longer than 4 bytes"));
	assert_null(strstr(e.msg, "1234"));
	close(fd);
}

static void test_fd_source(void **state)
{
	(void)state;
	struct err e;
	struct secret *s;
	int interactive = -1;
	setenv("CHERRY_PASSPHRASE", "from-env", 1);
	int fd = pipe_with("from-fd\nnew-one\n");
	struct passphrase_opts o = {fd, "echo from-command"};
	/* The descriptor wins over the command and the environment. */
	assert_int_equal(get(&o, PASSPHRASE_UNLOCK, &s, &interactive, &e), 0);
	assert_secret(s, "from-fd");
	assert_int_equal(interactive, 0);
	secret_free(s);
	/* passwd reads the new passphrase from the next line. */
	assert_int_equal(get(&o, PASSPHRASE_CHANGE, &s, &interactive, &e), 0);
	assert_secret(s, "new-one");
	secret_free(s);
	assert_int_equal(get(&o, PASSPHRASE_UNLOCK, &s, &interactive, &e), -1);
	assert_int_equal(e.code, EXIT_VAULT);
	char want[64];
	snprintf(want, sizeof want, "nothing to read on --passphrase-fd %d", fd);
	assert_string_equal(e.msg, want);
	close(fd);

	/* A new vault never gets an empty passphrase; unlocking may try one. */
	fd = pipe_with("\n\n");
	o.passphrase_fd = fd;
	assert_int_equal(get(&o, PASSPHRASE_CREATE, &s, &interactive, &e), -1);
	assert_non_null(strstr(e.msg, "must not be empty"));
	assert_int_equal(get(&o, PASSPHRASE_UNLOCK, &s, &interactive, &e), 0);
	assert_secret(s, "");
	secret_free(s);
	close(fd);
}

/* ---- the command ---- */

static void test_command_source(void **state)
{
	(void)state;
	struct err e;
	struct secret *s;
	int interactive = -1;
	setenv("CHERRY_PASSPHRASE", "from-env", 1);
	struct passphrase_opts o = {-1, "printf '  pass with spaces \\n\\n'"};
	assert_int_equal(get(&o, PASSPHRASE_UNLOCK, &s, &interactive, &e), 0);
	assert_secret(s, "pass with spaces");
	assert_int_equal(interactive, 0);
	secret_free(s);
	/* Only passwd's new passphrase is asked with CHERRY_PASSPHRASE_CHANGE=1. */
	o.passphrase_command = "echo \"x${CHERRY_PASSPHRASE_CHANGE}y\"";
	assert_int_equal(get(&o, PASSPHRASE_UNLOCK, &s, &interactive, &e), 0);
	assert_secret(s, "xy");
	secret_free(s);
	assert_int_equal(get(&o, PASSPHRASE_CHANGE, &s, &interactive, &e), 0);
	assert_secret(s, "x1y");
	secret_free(s);
	assert_int_equal(get(&o, PASSPHRASE_CREATE, &s, &interactive, &e), 0);
	assert_secret(s, "xy");
	secret_free(s);
	/* Its output may hold a pipe's worth and more. */
	o.passphrase_command = "head -c 1024 /dev/zero | tr '\\000' a";
	assert_int_equal(get(&o, PASSPHRASE_UNLOCK, &s, &interactive, &e), 0);
	assert_int_equal(s->len, 1024);
	secret_free(s);
	/* A command substitution sees the shell: */
	o.passphrase_command = "a=sec; echo \"${a}ret\"";
	assert_int_equal(get(&o, PASSPHRASE_UNLOCK, &s, &interactive, &e), 0);
	assert_secret(s, "secret");
	secret_free(s);
	unsetenv("CHERRY_PASSPHRASE");
}

static void expect_command_error(const char *cmd, const char *why)
{
	struct passphrase_opts o = {-1, cmd};
	struct err e;
	struct secret *s = (struct secret *)1;
	int interactive;
	assert_int_equal(get(&o, PASSPHRASE_UNLOCK, &s, &interactive, &e), -1);
	assert_null(s);
	assert_int_equal(e.code, EXIT_VAULT);
	if (!strstr(e.msg, why))
		fail_msg("\"%s\": expected \"%s\" in: %s", cmd, why, e.msg);
}

static void test_command_errors(void **state)
{
	(void)state;
	expect_command_error("echo secret-but-failing; exit 3", "failed (exit status 3)");
	expect_command_error("kill -9 $$", "killed by signal 9");
	expect_command_error("true", "printed nothing");
	expect_command_error("printf ' \\n\\t'", "printed nothing");
	expect_command_error("cat", "printed nothing"); /* stdin is /dev/null: no hang */
	expect_command_error("head -c 100000 /dev/zero | tr '\\000' a", "more than 1024 bytes");
	expect_command_error("/nonexistent/command", "exit status 127");
	/* What the command printed never reaches the message. */
	struct passphrase_opts o = {-1, "echo hunter2; exit 1"};
	struct err e;
	struct secret *s;
	int interactive;
	assert_int_equal(get(&o, PASSPHRASE_UNLOCK, &s, &interactive, &e), -1);
	assert_null(strstr(e.msg, "hunter2"));
}

/* A command that hangs would hang cherry: SIGALRM ends the test binary instead. */
static void expect_command(const char *cmd, const char *want)
{
	struct passphrase_opts o = {-1, cmd};
	struct err e;
	struct secret *s;
	int interactive;
	alarm(10);
	assert_int_equal(get(&o, PASSPHRASE_UNLOCK, &s, &interactive, &e), 0);
	alarm(0);
	assert_secret(s, want);
	secret_free(s);
}

static void test_command_first_line(void **state)
{
	(void)state;
	expect_command("printf 'pw\\nsecond line\\n'", "pw");
	expect_command("printf '  pw  \\r\\n'", "pw");
	/* What it leaves in the background keeps the pipe open; the shell's exit ends it. */
	expect_command("sleep 20 2>/dev/null & echo pw", "pw");
	expect_command("sleep 20 2>/dev/null & printf pw", "pw");
	expect_command_error("printf '\\nsecond'", "printed nothing on its first line");
}

static void expect_timeout(const char *cmd)
{
	struct err e;
	struct secret *s = (struct secret *)1;
	err_clear(&e);
	alarm(10);
	assert_int_equal(passphrase_from_command(cmd, 0, 300, &s, &e), -1);
	alarm(0);
	assert_null(s);
	assert_int_equal(e.code, EXIT_VAULT);
	assert_string_equal(e.msg, "vault.passphrase_command did not finish within 0.3 seconds");
}

static void test_command_timeout(void **state)
{
	(void)state;
	expect_timeout("sleep 20");
	expect_timeout("echo pw; sleep 20"); /* a line, but it never exits */
	/* The default is long enough for pinentry and the like. */
	assert_true(PASSPHRASE_COMMAND_TIMEOUT_MS >= 60 * 1000);
}

/* The command gets stdin (/dev/null), stdout (the pipe) and stderr, and nothing else. */
static void test_command_gets_no_descriptors(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0); /* not close-on-exec, like --passphrase-fd */
	char cmd[160];
	snprintf(cmd, sizeof cmd,
		 "if { true >&%d; } 2>/dev/null; then echo open; else echo closed; fi", p[1]);
	expect_command(cmd, "closed");
	expect_command("if { true >&2; } 2>/dev/null; then echo open; else echo closed; fi",
		       "open");
	close(p[0]);
	close(p[1]);
}

/* ---- the environment ---- */

/* Runs passphrase_get twice with stderr captured; returns what was written. */
static void capture_env_twice(char *out, size_t size)
{
	char path[] = "/tmp/cherry-pass-stderr-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	struct passphrase_opts o = {-1, NULL};
	struct err e;
	struct secret *s;
	int interactive = -1;
	int r1 = get(&o, PASSPHRASE_UNLOCK, &s, &interactive, &e);
	if (r1 == 0) {
		assert_secret(s, "env-pass-123");
		secret_free(s);
	}
	int r2 = get(&o, PASSPHRASE_CREATE, &s, &interactive, &e);
	if (r2 == 0)
		secret_free(s);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(r1, 0);
	assert_int_equal(r2, 0);
	assert_int_equal(interactive, 0);
	ssize_t n = pread(fd, out, size - 1, 0);
	assert_true(n >= 0);
	out[n] = '\0';
	close(fd);
}

static void test_env_source_warns_once(void **state)
{
	(void)state;
	setenv("CHERRY_PASSPHRASE", "env-pass-123", 1);
	char err_text[2048];
	capture_env_twice(err_text, sizeof err_text);
	assert_non_null(strstr(err_text, "cherry: warning: "));
	assert_non_null(strstr(err_text, "CHERRY_PASSPHRASE"));
	assert_null(strstr(err_text, "env-pass-123"));
	char *nl = strchr(err_text, '\n');
	assert_non_null(nl);
	assert_string_equal(nl + 1, ""); /* exactly one line, for both calls */
	unsetenv("CHERRY_PASSPHRASE");
}

/* ---- the prompt hook ---- */

struct script {
	const char *answers[4];
	int next;
	const char *prompts[4];
};

static int scripted_prompt(void *ctx, const char *prompt, struct secret **out, struct err *e)
{
	struct script *sc = ctx;
	if (sc->next >= 4 || !sc->answers[sc->next]) {
		err_set(e, EXIT_VAULT, "cancelled");
		return -1;
	}
	sc->prompts[sc->next] = prompt;
	const char *a = sc->answers[sc->next++];
	*out = secret_new(a, strlen(a));
	return 0;
}

static void test_prompt_hook(void **state)
{
	(void)state;
	struct passphrase_opts o = {-1, NULL};
	struct err e;
	struct secret *s;
	int interactive;

	struct script sc = {{"typed", NULL}, 0, {NULL}};
	passphrase_set_prompt(scripted_prompt, &sc);
	assert_int_equal(get(&o, PASSPHRASE_UNLOCK, &s, &interactive, &e), 0);
	assert_secret(s, "typed");
	assert_int_equal(interactive, 1);
	assert_string_equal(sc.prompts[0], "Passphrase for the cherry key vault: ");
	secret_free(s);

	struct script again = {{"second try", NULL}, 0, {NULL}};
	passphrase_set_prompt(scripted_prompt, &again);
	err_clear(&e);
	assert_int_equal(passphrase_get(&o, PASSPHRASE_UNLOCK, 1, &s, &interactive, &e), 0);
	assert_string_equal(again.prompts[0], "Wrong passphrase; try again: ");
	secret_free(s);

	struct script twice = {{"new pass", "new pass", NULL}, 0, {NULL}};
	passphrase_set_prompt(scripted_prompt, &twice);
	assert_int_equal(get(&o, PASSPHRASE_CREATE, &s, &interactive, &e), 0);
	assert_secret(s, "new pass");
	assert_string_equal(twice.prompts[0], "New passphrase for the cherry key vault: ");
	assert_string_equal(twice.prompts[1], "Repeat it: ");
	secret_free(s);

	struct script differ = {{"one", "two", NULL}, 0, {NULL}};
	passphrase_set_prompt(scripted_prompt, &differ);
	assert_int_equal(get(&o, PASSPHRASE_CREATE, &s, &interactive, &e), PASSPHRASE_RETRY);
	assert_null(s);
	assert_string_equal(e.msg, "the two passphrases differ");

	struct script empty = {{"", NULL}, 0, {NULL}};
	passphrase_set_prompt(scripted_prompt, &empty);
	assert_int_equal(get(&o, PASSPHRASE_CREATE, &s, &interactive, &e), PASSPHRASE_RETRY);
	assert_int_equal(empty.next, 1); /* not asked to repeat an empty one */

	struct script cancel = {{NULL}, 0, {NULL}};
	passphrase_set_prompt(scripted_prompt, &cancel);
	assert_int_equal(get(&o, PASSPHRASE_UNLOCK, &s, &interactive, &e), -1);
	assert_string_equal(e.msg, "cancelled");

	/* passwd's new passphrase never comes from CHERRY_PASSPHRASE. */
	setenv("CHERRY_PASSPHRASE", "old-from-env", 1);
	struct script change = {{"changed", "changed", NULL}, 0, {NULL}};
	passphrase_set_prompt(scripted_prompt, &change);
	assert_int_equal(get(&o, PASSPHRASE_CHANGE, &s, &interactive, &e), 0);
	assert_secret(s, "changed");
	assert_string_equal(change.prompts[0], "New passphrase: ");
	secret_free(s);
	unsetenv("CHERRY_PASSPHRASE");
	passphrase_set_prompt(NULL, NULL);
}

/* ---- the terminal ---- */

/* In a child without a controlling terminal nobody can be asked. */
static void test_no_terminal(void **state)
{
	(void)state;
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setsid();
		struct passphrase_opts o = {-1, NULL};
		struct err e;
		struct secret *s;
		int interactive = -1;
		err_clear(&e);
		int r = passphrase_get(&o, PASSPHRASE_UNLOCK, 0, &s, &interactive, &e);
		_exit(r == -1 && interactive == 0 && e.code == EXIT_VAULT &&
		      strstr(e.msg, "no terminal") && strstr(e.msg, "--passphrase-fd") ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

enum tty_action { TYPE_LINE, SEND_SIGINT, SEND_EOF };

struct tty_result {
	int rc;
	int code;
	int echo_restored;
	char value[64];
};

/* Runs passphrase_read_tty in a child whose controlling terminal is a new
 * pty, acts on it once the prompt shows, and returns what the child got and
 * everything the terminal displayed. */
static void run_on_pty(enum tty_action act, const char *typed, struct tty_result *res,
		       char *screen, size_t screen_size)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	char slave[128];
	const char *name = ptsname(master);
	assert_non_null(name);
	snprintf(slave, sizeof slave, "%s", name);
	int rp[2];
	assert_int_equal(pipe(rp), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(master);
		close(rp[0]);
		setsid();
		int tfd = open(slave, O_RDWR); /* becomes the controlling terminal */
		if (tfd < 0)
			_exit(2);
		static const int sigs[] = {SIGINT, 0};
		struct err e;
		err_clear(&e);
		if (loop_signals_init(sigs, &e) < 0)
			_exit(3);
		struct tty_result r;
		memset(&r, 0, sizeof r);
		struct secret *s = NULL;
		r.rc = passphrase_read_tty("Secret: ", 60, &s, &e);
		r.code = e.code;
		struct termios t;
		tcgetattr(tfd, &t);
		r.echo_restored = (t.c_lflag & ECHO) != 0;
		if (s)
			snprintf(r.value, sizeof r.value, "%s", s->s);
		secret_free(s);
		if (write(rp[1], &r, sizeof r) != (ssize_t)sizeof r)
			_exit(4);
		_exit(0);
	}
	close(rp[1]);
	size_t len = 0;
	int acted = 0;
	screen[0] = '\0';
	for (;;) {
		struct pollfd p = {master, POLLIN, 0};
		int pr = poll(&p, 1, 5000);
		assert_true(pr > 0); /* the child never takes seconds */
		char b[256];
		ssize_t n = read(master, b, sizeof b);
		if (n <= 0)
			break; /* EIO: the child closed the terminal */
		if (len + (size_t)n < screen_size) {
			memcpy(screen + len, b, (size_t)n);
			len += (size_t)n;
			screen[len] = '\0';
		}
		if (!acted && strstr(screen, "Secret: ")) {
			acted = 1;
			if (act == TYPE_LINE) {
				assert_int_equal(write(master, typed, strlen(typed)),
						 (ssize_t)strlen(typed));
			} else if (act == SEND_EOF) {
				assert_int_equal(write(master, "\004", 1), 1);
			} else {
				kill(pid, SIGINT);
			}
		}
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(read(rp[0], res, sizeof *res), (ssize_t)sizeof *res);
	close(rp[0]);
	close(master);
}

static void test_tty_no_echo(void **state)
{
	(void)state;
	struct tty_result r;
	char screen[4096];
	run_on_pty(TYPE_LINE, "typed-secret-42\n", &r, screen, sizeof screen);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.value, "typed-secret-42");
	assert_true(r.echo_restored);
	assert_non_null(strstr(screen, "Secret: "));
	assert_null(strstr(screen, "typed-secret"));
}

static void test_tty_interrupt(void **state)
{
	(void)state;
	struct tty_result r;
	char screen[4096];
	run_on_pty(SEND_SIGINT, NULL, &r, screen, sizeof screen);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.code, EXIT_INTERRUPTED);
	assert_true(r.echo_restored);
}

static void test_tty_eof(void **state)
{
	(void)state;
	struct tty_result r;
	char screen[4096];
	run_on_pty(SEND_EOF, NULL, &r, screen, sizeof screen);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.code, EXIT_VAULT);
	assert_true(r.echo_restored);
}

int main(void)
{
	struct err e;
	err_clear(&e);
	if (harden_process(&e) < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_read_line, setup_clean_env),
		cmocka_unit_test_setup(test_read_line_limit, setup_clean_env),
		cmocka_unit_test_setup(test_env_source_warns_once, setup_clean_env),
		cmocka_unit_test_setup(test_fd_source, setup_clean_env),
		cmocka_unit_test_setup(test_command_source, setup_clean_env),
		cmocka_unit_test_setup(test_command_errors, setup_clean_env),
		cmocka_unit_test_setup(test_command_first_line, setup_clean_env),
		cmocka_unit_test_setup(test_command_timeout, setup_clean_env),
		cmocka_unit_test_setup(test_command_gets_no_descriptors, setup_clean_env),
		cmocka_unit_test_setup(test_prompt_hook, setup_clean_env),
		cmocka_unit_test_setup(test_no_terminal, setup_clean_env),
		cmocka_unit_test_setup(test_tty_no_echo, setup_clean_env),
		cmocka_unit_test_setup(test_tty_interrupt, setup_clean_env),
		cmocka_unit_test_setup(test_tty_eof, setup_clean_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
