/* pdftext: a PDF turned into text by pdftotext (see pdftext.h). */
#include "cherry/pdftext.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cherry/harden.h"

int pdftext_which(const char *prog, const char *path, struct buf *out)
{
	for (const char *p = path ? path : ""; *p;) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		/* An empty entry is the current directory: never looked in. */
		if (len && p[0] == '/') {
			buf_reset(out);
			if (buf_append(out, p, len) < 0 || buf_printf(out, "/%s", prog) < 0)
				return -1;
			if (access(out->data, X_OK) == 0)
				return 0;
		}
		p += len + (end != NULL);
	}
	return 1;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child: the PDF on stdin, the text on stdout, stderr dropped, nothing else open. */
static void child(const char *exe, int in, int out, long max_fd)
{
	int null = open("/dev/null", O_WRONLY);
	dup2(in, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	if (null >= 0)
		dup2(null, STDERR_FILENO);
	for (long fd = 3; fd < max_fd; fd++)
		close((int)fd);
	harden_child_signals();
	char *const argv[] = {(char *)"pdftotext", (char *)"-q", (char *)"-enc", (char *)"UTF-8",
			      (char *)"-", (char *)"-", NULL};
	execv(exe, argv);
	_exit(127);
}

struct feed {
	int in, out;               /* our ends; -1 once closed */
	const unsigned char *pdf;
	size_t n, sent, max;
	struct buf *text;
	size_t start;              /* text->len before */
	int too_long;
};

/* One poll round: writes what the pipe takes, reads what is there. */
static void pump(struct feed *f, int wait_ms)
{
	struct pollfd p[2] = {{f->in, POLLOUT, 0}, {f->out, POLLIN, 0}};
	if (poll(p, 2, wait_ms) <= 0)
		return;
	if (f->in >= 0 && (p[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
		ssize_t w = write(f->in, f->pdf + f->sent, f->n - f->sent);
		if (w > 0)
			f->sent += (size_t)w;
		if ((w < 0 && errno != EAGAIN && errno != EINTR) || f->sent == f->n) {
			close(f->in); /* all sent, or it stopped reading (EPIPE) */
			f->in = -1;
		}
	}
	if (f->out >= 0 && (p[1].revents & (POLLIN | POLLERR | POLLHUP))) {
		char chunk[65536];
		ssize_t r = read(f->out, chunk, sizeof chunk);
		if (r > 0 && f->text->len - f->start + (size_t)r > f->max)
			f->too_long = 1;
		else if (r > 0 && buf_append(f->text, chunk, (size_t)r) < 0)
			f->too_long = 1;
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR) || f->too_long) {
			close(f->out);
			f->out = -1;
		}
	}
}

/* Runs exe over the PDF; 0 with *status, or -1 when the time ran out (it is killed). */
static int converse(pid_t pid, struct feed *f, int timeout_ms, int *status)
{
	long long deadline = now_ms() + timeout_ms;
	while (f->out >= 0 && !f->too_long) {
		long long left = deadline - now_ms();
		if (left <= 0)
			break;
		pump(f, left < 1000 ? (int)left : 1000);
	}
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return f->too_long ? -1 : 0;
		if (w < 0 && errno != EINTR)
			return -1;
		if (f->too_long || now_ms() >= deadline)
			break;
		poll(NULL, 0, 20); /* its output closed; its exit is a moment away */
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

int pdftext_run(const char *name, const unsigned char *pdf, size_t n, size_t max, int timeout_ms,
		struct buf *out, struct err *e)
{
	struct buf exe = BUF_INIT;
	int found = pdftext_which("pdftotext", getenv("PATH"), &exe);
	if (found != 0) {
		buf_free(&exe);
		if (found < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
		err_set(e, EXIT_USAGE, "%s: this provider takes no PDFs and pdftotext is not "
			"installed; install poppler-utils, or attach the PDF's text instead", name);
		return 1;
	}
	int in[2] = {-1, -1}, o[2] = {-1, -1};
	if (pipe(in) < 0 || pipe(o) < 0) {
		err_set(e, EXIT_FAIL, "%s: cannot run pdftotext: %s", name, strerror(errno));
		goto fail;
	}
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(o[0], F_SETFL, O_NONBLOCK);
	fcntl(in[1], F_SETFD, FD_CLOEXEC);
	fcntl(o[0], F_SETFD, FD_CLOEXEC);
	long max_fd = sysconf(_SC_OPEN_MAX); /* not safe to ask in the child */
	if (max_fd < 0 || max_fd > 65536)
		max_fd = 65536;
	/* It may stop reading early: our write must fail with EPIPE, not end cherry. */
	signal(SIGPIPE, SIG_IGN);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		err_set(e, EXIT_FAIL, "%s: cannot run pdftotext: %s", name, strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child(exe.data, in[0], o[1], max_fd);
	close(in[0]);
	close(o[1]);
	struct feed f = {in[1], o[0], pdf, n, 0, max, out, out->len, 0};
	int status = 0;
	int done = converse(pid, &f, timeout_ms, &status);
	if (f.in >= 0)
		close(f.in);
	if (f.out >= 0)
		close(f.out);
	buf_free(&exe);
	if (f.too_long)
		err_set(e, EXIT_USAGE, "%s: its text is over %zu MiB; attach a part of it", name,
			max >> 20);
	else if (done < 0)
		err_set(e, EXIT_FAIL, "%s: pdftotext did not finish within %d seconds", name,
			timeout_ms / 1000);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		err_set(e, EXIT_USAGE, "%s: pdftotext could not read it (exit status %d); is it a "
			"valid, unencrypted PDF?", name, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	else
		return 0;
	return -1;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (o[i] >= 0)
			close(o[i]);
	}
	buf_free(&exe);
	return -1;
}
