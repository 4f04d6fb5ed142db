/* harness_run: running programs for the tests (harness.h): cherry or any binary in a
 * clean environment, on pipes or a pseudo-terminal, with keys typed once its screen is
 * up, under a wrapper (valgrind), and a child killed at a random moment (harness_kill9). */
#define _GNU_SOURCE /* as harness.c */
#include "harness.h"
#include "harness_int.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- running programs ---- */

/* The clean environment: the caller's entries first (they win), then the defaults whose
 * names they did not set. An entry without '=' only suppresses that default. */
static char **make_env(const struct testhome *h, const char *const *env, struct hbuf *store)
{
	static const char *const pass[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
					   "MSAN_OPTIONS", NULL};
	static char defaults[12][4096]; /* static: too big for a polite stack frame */
	size_t nd = 0;
	const char *path = getenv("PATH");
	snprintf(defaults[nd++], sizeof defaults[0], "PATH=%s",
		 path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (h && h->root[0]) {
		snprintf(defaults[nd++], sizeof defaults[0], "HOME=%s", h->root);
		snprintf(defaults[nd++], sizeof defaults[0], "XDG_CONFIG_HOME=%s/config", h->root);
		snprintf(defaults[nd++], sizeof defaults[0], "XDG_DATA_HOME=%s/data", h->root);
		snprintf(defaults[nd++], sizeof defaults[0], "XDG_STATE_HOME=%s/state", h->root);
		snprintf(defaults[nd++], sizeof defaults[0], "XDG_CACHE_HOME=%s/cache", h->root);
	}
	snprintf(defaults[nd++], sizeof defaults[0], "LANG=C.UTF-8");
	for (size_t i = 0; pass[i]; i++) {
		const char *v = getenv(pass[i]);
		if (v)
			snprintf(defaults[nd++], sizeof defaults[0], "%s=%s", pass[i], v);
	}

	size_t ne = 0;
	while (env && env[ne])
		ne++;
	/* entries are stored back to back in store, then pointed at */
	size_t *offs = calloc(ne + nd + 1, sizeof *offs);
	if (!offs)
		return NULL;
	size_t count = 0;
	for (size_t i = 0; i < ne; i++) {
		if (!strchr(env[i], '='))
			continue;
		offs[count++] = store->len;
		if (hb_add(store, env[i], strlen(env[i]) + 1) < 0)
			goto fail;
	}
	for (size_t i = 0; i < nd; i++) {
		size_t klen = (size_t)(strchr(defaults[i], '=') - defaults[i]);
		int overridden = 0;
		for (size_t k = 0; k < ne && !overridden; k++) {
			const char *eq = strchr(env[k], '=');
			size_t l = eq ? (size_t)(eq - env[k]) : strlen(env[k]);
			overridden = l == klen && !strncmp(env[k], defaults[i], klen);
		}
		if (overridden)
			continue;
		offs[count++] = store->len;
		if (hb_add(store, defaults[i], strlen(defaults[i]) + 1) < 0)
			goto fail;
	}
	char **envp = calloc(count + 1, sizeof *envp);
	if (!envp)
		goto fail;
	for (size_t i = 0; i < count; i++)
		envp[i] = store->p + offs[i];
	free(offs);
	return envp;
fail:
	free(offs);
	return NULL;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void child_exec(const char *const *argv, char **envp, int in_fd, int out_fd, int err_fd)
{
	setpgid(0, 0); /* so a timeout can kill whatever it started too */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (in_fd < 0)
		in_fd = open("/dev/null", O_RDONLY);
	if (in_fd < 0 || dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(127);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	execve(argv[0], (char *const *)argv, envp);
	dprintf(2, "harness: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int status_of(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

int harness_run(struct run *r, const struct testhome *h, const char *const *argv,
		const char *const *env, const char *stdin_data, int signo, int delay_ms,
		int timeout_ms)
{
	struct hbuf store = {0}, out = {0}, err = {0};
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, pi[2] = {-1, -1};
	int rc = -1;

	memset(r, 0, sizeof *r);
	r->status = -1;
	char **envp = make_env(h, env, &store);
	if (!envp || hb_add(&out, "", 0) < 0 || hb_add(&err, "", 0) < 0)
		goto done;
	if (pipe(po) < 0 || pipe(pe) < 0 || (stdin_data && pipe(pi) < 0))
		goto done;

	struct sigaction ign, old_pipe;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old_pipe); /* cherry may exit before reading all of stdin */

	double t0 = mono_now();
	pid_t pid = fork();
	if (pid < 0) {
		sigaction(SIGPIPE, &old_pipe, NULL);
		goto done;
	}
	if (pid == 0)
		child_exec(argv, envp, pi[0], po[1], pe[1]);
	setpgid(pid, pid); /* also here, so the group exists before we might signal it */
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (stdin_data) {
		close(pi[0]);
		pi[0] = -1;
		set_nonblock(pi[1]);
	}
	set_nonblock(po[0]);
	set_nonblock(pe[0]);

	size_t in_len = stdin_data ? strlen(stdin_data) : 0, in_off = 0;
	if (stdin_data && !in_len) {
		close(pi[1]);
		pi[1] = -1;
	}
	double deadline = t0 + timeout_ms / 1000.0;
	double signal_at = t0 + delay_ms / 1000.0;
	int signalled = signo <= 0, killed = 0;
	while (po[0] >= 0 || pe[0] >= 0) {
		double t = mono_now();
		if (!signalled && t >= signal_at) {
			kill(pid, signo);
			signalled = 1;
		}
		if (t >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		double next = signalled || signal_at > deadline ? deadline : signal_at;
		int tmo = (int)((next - t) * 1000) + 1;
		struct pollfd p[3];
		int np = 0, io = -1, ie = -1, ii = -1;
		if (po[0] >= 0)
			p[io = np++] = (struct pollfd){po[0], POLLIN, 0};
		if (pe[0] >= 0)
			p[ie = np++] = (struct pollfd){pe[0], POLLIN, 0};
		if (pi[1] >= 0)
			p[ii = np++] = (struct pollfd){pi[1], POLLOUT, 0};
		if (poll(p, (nfds_t)np, tmo) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		struct {
			int idx;
			int *fd;
			struct hbuf *b;
		} rd[2] = {{io, &po[0], &out}, {ie, &pe[0], &err}};
		for (int k = 0; k < 2; k++) {
			if (rd[k].idx < 0 || !p[rd[k].idx].revents)
				continue;
			char tmp[65536];
			ssize_t n = read(*rd[k].fd, tmp, sizeof tmp);
			if (n > 0) {
				if (hb_add(rd[k].b, tmp, (size_t)n) < 0)
					n = 0; /* out of memory: stop reading this one */
			}
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
				close(*rd[k].fd);
				*rd[k].fd = -1;
			}
		}
		if (ii >= 0 && p[ii].revents) {
			ssize_t n = write(pi[1], stdin_data + in_off, in_len - in_off);
			if (n > 0)
				in_off += (size_t)n;
			if (in_off == in_len || (n < 0 && errno != EINTR && errno != EAGAIN)) {
				close(pi[1]);
				pi[1] = -1;
			}
		}
	}

	int st = 0;
	pid_t w;
	while ((w = waitpid(pid, &st, killed ? 0 : WNOHANG)) == 0) {
		if (mono_now() >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = 1;
		} else {
			sleep_ms(2);
		}
	}
	sigaction(SIGPIPE, &old_pipe, NULL);
	r->seconds = mono_now() - t0;
	r->status = w == pid ? status_of(st) : -1;
	if (killed)
		r->status = 128 + SIGKILL;
	r->out = out.p;
	r->out_len = out.len;
	r->err = err.p;
	r->err_len = err.len;
	out.p = err.p = NULL;
	rc = 0;
done:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
		if (pi[i] >= 0)
			close(pi[i]);
	}
	free(out.p);
	free(err.p);
	free(envp);
	free(store.p);
	return rc;
}

#define WRAPPER_MAX 32

int harness_wrapper_argv(const char **argv, size_t max)
{
	static char words[4096], path[4096];
	const char *w = getenv("CHERRY_WRAPPER");
	if (!w || !*w)
		return 0;
	if (strlen(w) >= sizeof words)
		return -1;
	memcpy(words, w, strlen(w) + 1);
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(words, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == max)
			return -1;
		argv[n++] = t;
	}
	if (!n)
		return 0;
	if (!strchr(argv[0], '/')) {
		/* execve does not search PATH */
		const char *p = getenv("PATH");
		char dirs[4096];
		snprintf(dirs, sizeof dirs, "%s", p && *p ? p : "/usr/local/bin:/usr/bin:/bin");
		int found = 0;
		for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d && !found;
		     d = strtok_r(NULL, ":", &save)) {
			snprintf(path, sizeof path, "%s/%s", d, argv[0]);
			found = access(path, X_OK) == 0;
		}
		if (!found)
			return -1;
		argv[0] = path;
	}
	return (int)n;
}

int harness_scale_ms(int ms)
{
	const char *s = getenv("CHERRY_TIMEOUT_SCALE");
	long k = s && *s ? strtol(s, NULL, 10) : 1;
	if (k < 1 || k > 100)
		k = 1;
	return ms > INT32_MAX / (int)k ? INT32_MAX : ms * (int)k;
}

int harness_run_pty(struct run *r, const struct testhome *h, const char *const *argv,
		    const char *const *env, int timeout_ms)
{
	return harness_run_pty_keys(r, h, argv, env, NULL, NULL, timeout_ms);
}

int harness_run_pty_keys(struct run *r, const struct testhome *h, const char *const *argv,
			 const char *const *env, const char *when, const char *keys,
			 int timeout_ms)
{
	struct hbuf store = {0}, out = {0};
	memset(r, 0, sizeof *r);
	r->status = -1;
	/* TERM is the caller's to override, like every default */
	size_t ne = 0;
	while (env && env[ne])
		ne++;
	const char **env2 = calloc(ne + 2, sizeof *env2);
	if (!env2)
		return -1;
	for (size_t i = 0; i < ne; i++)
		env2[i] = env[i];
	env2[ne] = "TERM=xterm-256color";
	char **envp = make_env(h, env2, &store);
	free(env2);
	if (!envp || hb_add(&out, "", 0) < 0) {
		free(envp);
		free(store.p);
		return -1;
	}
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	int master = -1;
	double t0 = mono_now();
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		free(envp);
		free(store.p);
		free(out.p);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		execve(argv[0], (char *const *)argv, envp);
		dprintf(2, "harness: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	double deadline = t0 + timeout_ms / 1000.0;
	int killed = 0;
	for (;;) {
		double t = mono_now();
		if (t >= deadline) {
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		struct pollfd p = {master, POLLIN, 0};
		int n = poll(&p, 1, (int)((deadline - t) * 1000) + 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		char tmp[65536];
		ssize_t k = read(master, tmp, sizeof tmp);
		if (k > 0) {
			if (hb_add(&out, tmp, (size_t)k) < 0)
				break;
			if (keys && out.p && harness_mem_find(out.p, out.len, when, strlen(when))) {
				ssize_t wr = write(master, keys, strlen(keys));
				(void)wr;
				keys = NULL;
			}
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		break; /* EIO: every holder of the terminal's other side is gone */
	}
	int st = 0;
	pid_t w = waitpid(pid, &st, 0);
	close(master);
	r->seconds = mono_now() - t0;
	r->status = killed ? 128 + SIGKILL : w == pid ? status_of(st) : -1;
	r->out = out.p;
	r->out_len = out.len;
	r->err = calloc(1, 1);
	free(envp);
	free(store.p);
	return 0;
}

static int run_bin(struct run *r, const struct testhome *h, const char *const *args,
		   const char *const *env, const char *stdin_data, int signo, int delay_ms,
		   int timeout_ms)
{
	const char *bin = getenv("CHERRY_BIN");
	size_t n = 0;
	while (args && args[n])
		n++;
	const char **argv = calloc(n + WRAPPER_MAX + 2, sizeof *argv);
	if (!argv) {
		memset(r, 0, sizeof *r);
		return -1;
	}
	int nw = harness_wrapper_argv(argv, WRAPPER_MAX);
	if (nw < 0) {
		fprintf(stderr, "harness: CHERRY_WRAPPER cannot be run\n");
		free(argv);
		memset(r, 0, sizeof *r);
		return -1;
	}
	argv[nw] = bin && *bin ? bin : "build/cherry";
	for (size_t i = 0; i < n; i++)
		argv[nw + 1 + i] = args[i];
	int rc = harness_run(r, h, argv, env, stdin_data, signo, harness_scale_ms(delay_ms),
			     harness_scale_ms(timeout_ms));
	free(argv);
	return rc;
}

int run_cherry(struct run *r, const struct testhome *h, const char *const *args,
	       const char *const *env, const char *stdin_data, int timeout_ms)
{
	return run_bin(r, h, args, env, stdin_data, 0, 0, timeout_ms);
}

int run_cherry_signal(struct run *r, const struct testhome *h, const char *const *args,
		      const char *const *env, int signo, int delay_ms, int timeout_ms)
{
	return run_bin(r, h, args, env, NULL, signo, delay_ms, timeout_ms);
}

void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof *r);
}


int harness_kill9(void (*child)(void *ctx, int wfd), void *ctx, int first, long max_ns,
		  void *last, size_t rec)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		child(ctx, p[1]);
		_exit(99);
	}
	close(p[1]);
	int rc = 0;
	if (first) {
		struct pollfd pf = {p[0], POLLIN, 0};
		if (poll(&pf, 1, 10000) != 1)
			rc = -1;
	}
	struct timespec ts = {0, max_ns > 0 ? rand() % max_ns : 0};
	nanosleep(&ts, NULL);
	int status;
	if (kill(pid, SIGKILL) < 0 || waitpid(pid, &status, 0) != pid ||
	    !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
		rc = -1;
	char *buf = malloc(rec);
	while (buf && read(p[0], buf, rec) == (ssize_t)rec) {
		memcpy(last, buf, rec);
		if (rc == 0)
			rc = 1;
	}
	free(buf);
	close(p[0]);
	return rc;
}
