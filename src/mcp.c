/* mcp: one MCP server connection (see mcp.h): starting it, and the stdio transport's
 * shell (the child, its pipes and log, ending it). Requests and their waits are
 * mcp_rpc.c's; the HTTP transport is mcp_http.c's. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cherry/fsutil.h"
#include "cherry/harden.h"
#include "mcp_int.h"

static const char *const passed_env[] = {"HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER",
					 "LANG", "LC_ALL", "TMPDIR", NULL};

void mcp_env_free(char **envp)
{
	if (!envp)
		return;
	for (char **p = envp; *p; p++)
		free(*p);
	free(envp);
}

static int env_put(char **envp, size_t *n, const char *name, const char *value)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < *n; i++)
		if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=') {
			free(envp[i]);
			envp[i] = NULL;
			/* Keep the slot: the later value replaces the earlier. */
			struct buf b = {0};
			if (buf_printf(&b, "%s=%s", name, value) < 0)
				return -1;
			envp[i] = buf_steal(&b);
			return 0;
		}
	struct buf b = {0};
	if (buf_printf(&b, "%s=%s", name, value) < 0)
		return -1;
	envp[(*n)++] = buf_steal(&b);
	return 0;
}

char **mcp_env_build(const struct config_mcp_server *s, mcp_env_fn env)
{
	size_t cap = sizeof passed_env / sizeof *passed_env + s->nenv + 1, n = 0;
	char **envp = calloc(cap, sizeof *envp);
	if (!envp)
		return NULL;
	for (size_t i = 0; env && passed_env[i]; i++) {
		const char *v = env(passed_env[i]);
		/* Shell functions exported by bash; the reference client skips them too. */
		if (v && strncmp(v, "()", 2) != 0 && env_put(envp, &n, passed_env[i], v) < 0)
			goto oom;
	}
	for (size_t i = 0; i < s->nenv; i++)
		if (env_put(envp, &n, s->env_names[i], s->env_values[i]) < 0)
			goto oom;
	return envp;
oom:
	mcp_env_free(envp);
	return NULL;
}

/* The command as the child's PATH finds it (a name with a '/' is used as is). */
static char *find_command(const char *cmd, char **envp)
{
	if (strchr(cmd, '/'))
		return strdup(cmd);
	const char *path = "/usr/local/bin:/usr/bin:/bin";
	for (char **p = envp; *p; p++)
		if (strncmp(*p, "PATH=", 5) == 0)
			path = *p + 5;
	struct buf b = {0};
	while (*path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		buf_reset(&b);
		if (buf_printf(&b, "%.*s/%s", (int)len, len ? path : ".", cmd) < 0)
			break;
		if (len && access(b.data, X_OK) == 0)
			return buf_steal(&b);
		path += len + (end ? 1 : 0);
	}
	buf_free(&b);
	return NULL;
}

static int set_flags(int fd, int nonblock)
{
	int fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return -1;
	if (!nonblock)
		return 0;
	fl = fcntl(fd, F_GETFL);
	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -1 : 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void child(int in, int out, int errfd, const char *path, char **argv, char **envp,
		  const char *cwd)
{
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	/* Nothing else of cherry's reaches the server: history files, the vault, sockets. */
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
#endif
	{
		long max = sysconf(_SC_OPEN_MAX);
		for (long fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			close((int)fd);
	}
	setpgid(0, 0);
	harden_child_signals();
	if (cwd && chdir(cwd) < 0) {
		static const char msg[] = "cherry: cannot change to the server's cwd\n";
		if (write(2, msg, sizeof msg - 1) < 0)
			_exit(127);
		_exit(127);
	}
	execve(path, argv, envp);
	static const char msg[] = "cherry: cannot run the server's command\n";
	if (write(2, msg, sizeof msg - 1) < 0)
		_exit(127);
	_exit(127);
}

static void open_log(struct mcp_child *c, const char *log_dir)
{
	c->log_fd = -1;
	struct err e;
	if (!log_dir || fs_mkdirs(log_dir, &e) < 0)
		return;
	struct buf b = {0};
	if (buf_printf(&b, "%s/%s.log", log_dir, c->name) < 0)
		return;
	c->log_path = buf_steal(&b);
	c->log_fd = open(c->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	struct stat st;
	if (c->log_fd >= 0 && fstat(c->log_fd, &st) == 0)
		c->log_size = st.st_size;
}

static void log_write(struct mcp_child *c, const char *bytes, size_t len)
{
	if (c->log_fd < 0)
		return;
	if (c->log_size + (off_t)len > MCP_LOG_MAX && c->log_path) {
		/* Rotate: one old generation kept, so the log stays under 2 MB. */
		struct buf old = {0};
		if (buf_printf(&old, "%s.1", c->log_path) == 0 && rename(c->log_path, old.data) == 0) {
			close(c->log_fd);
			c->log_fd = open(c->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
					 0600);
			c->log_size = 0;
		}
		buf_free(&old);
		if (c->log_fd < 0)
			return;
	}
	ssize_t w = write(c->log_fd, bytes, len);
	if (w > 0)
		c->log_size += w;
}

/* What goes into a log is sanitised as for the screen (security.md 6.5: a server's
 * stderr, or a line quoting what it sent, must not replay escape sequences on the
 * terminal of whoever reads the log with cat). The server's stderr, a piece at a time
 * (len 0: its end), through its own sanitiser: a sequence split between two reads is
 * held across them. */
static void log_stderr(struct mcp_child *c, const char *bytes, size_t len)
{
	struct buf b = {0};
	int r = len ? sanitize_feed(&c->err_san, bytes, len, &b) : sanitize_finish(&c->err_san, &b);
	if (r == 0 && b.len)
		log_write(c, b.data, b.len);
	buf_free(&b);
}

void mcp_log_line(struct mcp_child *c, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	int r = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	struct buf clean = {0};
	if (r == 0 && buf_append_char(&b, '\n') == 0 && sanitize_string(b.data, b.len, &clean) == 0)
		log_write(c, clean.data, clean.len);
	buf_free(&clean);
	buf_free(&b);
}

static int on_message(void *ctx, struct mcp_msg *m)
{
	return mcp_inbox_push(ctx, m);
}

int mcp_inbox_push(struct mcp_child *c, struct mcp_msg *m)
{
	if (c->ninbox == c->capinbox) {
		size_t cap = c->capinbox ? c->capinbox * 2 : 8;
		struct mcp_msg *v = realloc(c->inbox, cap * sizeof *v);
		if (!v) {
			mcp_msg_free(m);
			return -1;
		}
		c->inbox = v;
		c->capinbox = cap;
	}
	c->inbox[c->ninbox++] = *m;
	return 0;
}

/* Not a message on stdout: noted in the server's log, the stream goes on. */
static void on_bad(void *ctx, const struct err *e)
{
	mcp_log_line(ctx, "cherry: stdout line skipped: %s", e->msg);
}

static void forget(struct mcp_child *c)
{
	free(c->name);
	c->name = NULL;
	close_fd(&c->log_fd);
	free(c->log_path);
	c->log_path = NULL;
}

static int start_url(struct mcp_child *c, const struct config_mcp_server *s,
		     const struct mcp_start_opts *o, struct err *e)
{
	if (!(c->name = strdup(s->name))) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	open_log(c, o->log_dir);
	if (mcp_http_open(c, s, o, e) < 0) {
		if (c->http)
			mcp_http_close(c, 0);
		forget(c);
		return -1;
	}
	return 0;
}

static int spawn(struct mcp_child *c, const struct config_mcp_server *s, const char *log_dir,
		 mcp_env_fn env, struct err *e);

int mcp_start(struct mcp_child *c, const struct config_mcp_server *s,
	      const struct mcp_start_opts *o, struct err *e)
{
	memset(c, 0, sizeof *c);
	c->in_fd = c->out_fd = c->err_fd = c->log_fd = -1;
	c->next_id = 1;
	sanitize_init(&c->err_san);
	mcp_reader_init(&c->reader, on_message, on_bad, c);
	return s->url ? start_url(c, s, o, e) : spawn(c, s, o->log_dir, o->env, e);
}

int mcp_spawn(struct mcp_child *c, const struct config_mcp_server *s, const char *log_dir,
	      mcp_env_fn env, struct err *e)
{
	struct mcp_start_opts o = {.log_dir = log_dir, .env = env};
	return mcp_start(c, s, &o, e);
}

static int spawn(struct mcp_child *c, const struct config_mcp_server *s, const char *log_dir,
		 mcp_env_fn env, struct err *e)
{
	char **envp = mcp_env_build(s, env);
	char **argv = calloc(s->nargs + 2, sizeof *argv);
	char *path = envp ? find_command(s->command, envp) : NULL;
	c->name = strdup(s->name);
	int p_in[2] = {-1, -1}, p_out[2] = {-1, -1}, p_err[2] = {-1, -1};
	int rc = -1;
	if (!envp || !argv || !c->name) {
		err_set(e, EXIT_FAIL, "out of memory");
		goto out;
	}
	if (!path) {
		err_set(e, EXIT_FAIL, "%s: command \"%.200s\" not found in PATH", s->name, s->command);
		goto out;
	}
	argv[0] = s->command;
	for (size_t i = 0; i < s->nargs; i++)
		argv[i + 1] = s->args[i];
	if (pipe(p_in) < 0 || pipe(p_out) < 0 || pipe(p_err) < 0 || set_flags(p_in[1], 1) < 0 ||
	    set_flags(p_out[0], 1) < 0 || set_flags(p_err[0], 1) < 0 || set_flags(p_in[0], 0) < 0 ||
	    set_flags(p_out[1], 0) < 0 || set_flags(p_err[1], 0) < 0) {
		err_set(e, EXIT_FAIL, "%s: pipe: %s", s->name, strerror(errno));
		goto out;
	}
	/* A server that dies mid-write must be an error, not a signal that ends cherry. */
	signal(SIGPIPE, SIG_IGN);
	open_log(c, log_dir);
	pid_t pid = fork();
	if (pid < 0) {
		err_set(e, EXIT_FAIL, "%s: fork: %s", s->name, strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(p_in[0], p_out[1], p_err[1], path, argv, envp, s->cwd);
	/* Both sides set the group, so a signal sent before the child ran still reaches it. */
	setpgid(pid, pid);
	c->pid = pid;
	c->in_fd = p_in[1];
	c->out_fd = p_out[0];
	c->err_fd = p_err[0];
	p_in[1] = p_out[0] = p_err[0] = -1;
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		close_fd(&p_in[i]);
		close_fd(&p_out[i]);
		close_fd(&p_err[i]);
	}
	mcp_env_free(envp);
	free(argv);
	free(path);
	if (rc < 0)
		forget(c);
	return rc;
}

int mcp_poll_fds(const struct mcp_child *c, struct pollfd *fds, int max)
{
	int n = 0;
	if (n < max && c->out_fd >= 0)
		fds[n++] = (struct pollfd){.fd = c->out_fd, .events = POLLIN};
	if (n < max && c->err_fd >= 0)
		fds[n++] = (struct pollfd){.fd = c->err_fd, .events = POLLIN};
	if (n < max && c->in_fd >= 0 && c->outq.len)
		fds[n++] = (struct pollfd){.fd = c->in_fd, .events = POLLOUT};
	return n;
}

static int flush_out(struct mcp_child *c, struct err *e)
{
	while (c->outq.len && c->in_fd >= 0) {
		ssize_t w = write(c->in_fd, c->outq.data, c->outq.len);
		if (w > 0) {
			buf_consume(&c->outq, (size_t)w);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		err_set(e, EXIT_FAIL, "%s: the server closed its input", c->name);
		return -1;
	}
	return 0;
}

void mcp_wait(struct mcp_child *c, int timeout_ms)
{
	mcp_wait_fds(c, timeout_ms, NULL, 0);
}

void mcp_wait_fds(struct mcp_child *c, int timeout_ms, const int *extra, size_t nextra)
{
	if (nextra > MCP_WAKE_MAX)
		nextra = MCP_WAKE_MAX;
	if (c->http) {
		mcp_http_wait(c, timeout_ms, extra, nextra);
		return;
	}
	struct pollfd fds[3 + MCP_WAKE_MAX];
	int n = mcp_poll_fds(c, fds, 3);
	for (size_t i = 0; i < nextra; i++)
		if (extra[i] >= 0)
			fds[n++] = (struct pollfd){.fd = extra[i], .events = POLLIN};
	if (n || timeout_ms > 0)
		poll(fds, (nfds_t)n, timeout_ms);
}

int mcp_pump(struct mcp_child *c, struct err *e)
{
	if (c->http) {
		mcp_http_pump(c);
		return 0;
	}
	char chunk[65536];
	/* Bounded per call, so one chatty server cannot hold the loop. */
	for (int round = 0; round < 64 && c->err_fd >= 0; round++) {
		ssize_t r = read(c->err_fd, chunk, sizeof chunk);
		if (r > 0)
			log_stderr(c, chunk, (size_t)r);
		else if (r == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
			log_stderr(c, NULL, 0);
			close_fd(&c->err_fd);
		}
		else if (errno != EINTR)
			break;
	}
	for (int round = 0; round < 64 && c->out_fd >= 0; round++) {
		ssize_t r = read(c->out_fd, chunk, sizeof chunk);
		if (r > 0) {
			int rc = mcp_reader_feed(&c->reader, chunk, (size_t)r);
			if (rc == LINES_TOO_LONG) {
				err_set(e, EXIT_FAIL, "%s: a message over %zu bytes", c->name, MCP_MAX_LINE);
				return -1;
			}
			if (rc != 0) {
				err_set(e, EXIT_FAIL, "out of memory");
				return -1;
			}
		} else if (r == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK))
			close_fd(&c->out_fd);
		else if (errno != EINTR)
			break;
	}
	return flush_out(c, e);
}

int mcp_send(struct mcp_child *c, const json_t *msg, struct err *e)
{
	if (c->http)
		return mcp_http_send(c, msg, 0, e) < 0 ? -1 : 0;
	if (c->in_fd < 0) {
		err_set(e, EXIT_FAIL, "%s: the server's input is closed", c->name);
		return -1;
	}
	if (mcp_frame(msg, &c->outq) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return flush_out(c, e);
}

int mcp_take(struct mcp_child *c, struct mcp_msg *m)
{
	if (!c->ninbox)
		return 0;
	*m = c->inbox[0];
	memmove(c->inbox, c->inbox + 1, --c->ninbox * sizeof *c->inbox);
	return 1;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits up to ms for the child to end, draining its output meanwhile: 1 if it ended. */
static int wait_exit(struct mcp_child *c, int ms)
{
	long long deadline = now_ms() + ms;
	for (;;) {
		pid_t r = waitpid(c->pid, &c->exit_status, WNOHANG);
		if (r == c->pid || (r < 0 && errno == ECHILD)) {
			c->pid = 0;
			/* what it wrote last is still in the pipes: into the log, not lost (a
			 * grandchild holding them open bounds this, it never blocks) */
			struct err ignored;
			for (int i = 0; i < 64 && (c->out_fd >= 0 || c->err_fd >= 0); i++)
				mcp_pump(c, &ignored);
			return 1;
		}
		long long left = deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd fds[3];
		int n = mcp_poll_fds(c, fds, 2);
		/* No pipe tells when the child ends: look again every 10 ms. */
		poll(fds, (nfds_t)n, left < 10 ? (int)left : 10);
		struct err ignored;
		mcp_pump(c, &ignored);
		struct mcp_msg m;
		while (mcp_take(c, &m))
			mcp_msg_free(&m);
	}
}

int mcp_close(struct mcp_child *c, int grace_ms)
{
	int how = c->http ? mcp_http_close(c, grace_ms) : 0;
	close_fd(&c->in_fd);
	if (c->pid > 0 && !wait_exit(c, grace_ms)) {
		how = 1;
		kill(-c->pid, SIGTERM);
		if (!wait_exit(c, grace_ms)) {
			how = 2;
			kill(-c->pid, SIGKILL);
			waitpid(c->pid, &c->exit_status, 0);
			c->pid = 0;
		}
	}
	close_fd(&c->out_fd);
	close_fd(&c->err_fd);
	close_fd(&c->log_fd);
	struct mcp_msg m;
	while (mcp_take(c, &m))
		mcp_msg_free(&m);
	free(c->inbox);
	mcp_reader_free(&c->reader);
	buf_free(&c->outq);
	free(c->log_path);
	free(c->name);
	c->inbox = NULL;
	c->log_path = c->name = NULL;
	return how;
}
