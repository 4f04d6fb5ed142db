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

/* One poll round over what is ready (p from pdftext_fds): writes what the pipe takes,
 * reads what is there. */
static void pump(struct pdftext_job *j, const struct pollfd *p, int n)
{
	for (int i = 0; i < n; i++) {
		if (p[i].fd == j->in && j->in >= 0 && (p[i].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(j->in, j->pdf + j->sent, j->n - j->sent);
			if (w > 0)
				j->sent += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || j->sent == j->n) {
				close(j->in); /* all sent, or it stopped reading (EPIPE) */
				j->in = -1;
			}
		}
		if (p[i].fd == j->out && j->out >= 0 && (p[i].revents & (POLLIN | POLLERR | POLLHUP))) {
			char chunk[65536];
			ssize_t r = read(j->out, chunk, sizeof chunk);
			if (r > 0 && j->text.len + (size_t)r > j->max)
				j->too_long = 1;
			else if (r > 0 && buf_append(&j->text, chunk, (size_t)r) < 0)
				j->too_long = 1;
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR) || j->too_long) {
				close(j->out);
				j->out = -1;
			}
		}
	}
}

int pdftext_fds(const struct pdftext_job *j, struct pollfd *fds)
{
	int n = 0;
	if (j->in >= 0)
		fds[n++] = (struct pollfd){j->in, POLLOUT, 0};
	if (j->out >= 0)
		fds[n++] = (struct pollfd){j->out, POLLIN, 0};
	return n;
}

static void close_ends(struct pdftext_job *j)
{
	if (j->in >= 0)
		close(j->in);
	if (j->out >= 0)
		close(j->out);
	j->in = j->out = -1;
}

void pdftext_job_free(struct pdftext_job *j)
{
	close_ends(j);
	if (j->pid > 0) {
		int status;
		kill(j->pid, SIGKILL);
		while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	j->pid = 0;
	buf_wipe_free(&j->text);
}

int pdftext_begin(struct pdftext_job *j, const char *name, const unsigned char *pdf, size_t n,
		  size_t max, int timeout_ms, struct err *e)
{
	memset(j, 0, sizeof *j);
	j->in = j->out = -1;
	snprintf(j->name, sizeof j->name, "%s", name);
	j->pdf = pdf;
	j->n = n;
	j->max = max;
	j->timeout_ms = timeout_ms;
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
	buf_free(&exe);
	j->pid = pid;
	j->in = in[1];
	j->out = o[0];
	j->deadline = now_ms() + timeout_ms;
	if (!n) {
		close(j->in);
		j->in = -1;
	}
	return 0;
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

int pdftext_step(struct pdftext_job *j, struct err *e)
{
	struct pollfd p[2];
	int n = pdftext_fds(j, p);
	if (n && poll(p, (nfds_t)n, 0) > 0)
		pump(j, p, n);
	int status = 0, done = 0;
	if (j->out < 0 && !j->too_long) {
		pid_t w = waitpid(j->pid, &status, WNOHANG);
		if (w == j->pid) {
			j->pid = 0;
			done = 1;
		} else if (w < 0 && errno != EINTR) {
			j->pid = 0; /* reaped elsewhere: how it ended is not known */
			status = -1;
			done = 1;
		}
	}
	int late = now_ms() >= j->deadline;
	if (!done && !j->too_long && !late)
		return 0;
	close_ends(j);
	if (j->too_long)
		err_set(e, EXIT_USAGE, "%s: its text is over %zu MiB; attach a part of it", j->name,
			j->max >> 20);
	else if (!done)
		err_set(e, EXIT_USAGE, "%s: pdftotext did not finish within %d seconds; attach a "
			"part of it, or its text", j->name, j->timeout_ms / 1000);
	else if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		err_set(e, EXIT_USAGE, "%s: pdftotext could not read it (exit status %d); is it a "
			"valid, unencrypted PDF?", j->name,
			status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	else
		return 1;
	pdftext_job_free(j); /* killed, when it still runs */
	return -1;
}

int pdftext_run(const char *name, const unsigned char *pdf, size_t n, size_t max, int timeout_ms,
		struct buf *out, struct err *e)
{
	struct pdftext_job j;
	int rc = pdftext_begin(&j, name, pdf, n, max, timeout_ms, e);
	if (rc != 0)
		return rc;
	while ((rc = pdftext_step(&j, e)) == 0) {
		struct pollfd p[2];
		int k = pdftext_fds(&j, p);
		/* its output closed: its exit is a moment away */
		poll(p, (nfds_t)k, k ? 1000 : 20);
	}
	if (rc > 0 && buf_append(out, j.text.data ? j.text.data : "", j.text.len) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		rc = -1;
	}
	pdftext_job_free(&j);
	return rc > 0 ? 0 : -1;
}
