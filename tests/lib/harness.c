/* harness: start/stop the fake provider, throw-away homes, and running cherry with its
 * output captured (see harness.h). Return codes only, no cmocka: benchmarks use it too. */
#define _GNU_SOURCE /* unshare(2) */
#include "harness.h"

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

#define START_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS 5000

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const char *tmp_base(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t == '/' && strlen(t) < 160 ? t : "/tmp";
}

/* ---- small growable byte buffer ---- */

struct hbuf {
	char *p;
	size_t len, cap;
};

static int hb_add(struct hbuf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

char *harness_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct hbuf b = {0};
	char tmp[65536];
	int bad = hb_add(&b, "", 0);
	while (!bad) {
		ssize_t n = read(fd, tmp, sizeof tmp);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR)
			bad = 1;
		else if (n > 0)
			bad = hb_add(&b, tmp, (size_t)n);
	}
	close(fd);
	if (bad) {
		free(b.p);
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.p;
}

/* rm -rf without following symlinks. */
int harness_rm_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	chmod(path, 0700); /* tests make read-only directories */
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char sub[4096];
			int n = snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			if (n > 0 && (size_t)n < sizeof sub)
				harness_rm_tree(sub);
		}
		closedir(d);
	}
	return rmdir(path);
}

/* ---- the fake provider ---- */

int fakeprov_start(struct fakeprov *fp)
{
	return fakeprov_start_tls(fp, NULL, NULL);
}

int fakeprov_start_tls(struct fakeprov *fp, const char *cert, const char *key)
{
	char port_path[300];
	const char *bin = getenv("FAKEPROV_BIN");
	const char *fixtures = getenv("CHERRY_FIXTURES");
	char fix_dir[512];

	memset(fp, 0, sizeof *fp);
	if (!bin || !*bin)
		bin = "build/tests/fakeprov";
	snprintf(fp->dir, sizeof fp->dir, "%s/fakeprov.XXXXXX", tmp_base());
	if (!mkdtemp(fp->dir)) {
		fprintf(stderr, "harness: mkdtemp %s: %s\n", fp->dir, strerror(errno));
		fp->dir[0] = '\0';
		return -1;
	}
	snprintf(fp->log_path, sizeof fp->log_path, "%s/requests.jsonl", fp->dir);
	snprintf(port_path, sizeof port_path, "%s/port", fp->dir);
	if (fixtures && *fixtures)
		snprintf(fix_dir, sizeof fix_dir, "%s/recorded-openai", fixtures);

	const char *argv[16];
	int n = 0;
	argv[n++] = bin;
	argv[n++] = "--port-file";
	argv[n++] = port_path;
	argv[n++] = "--log";
	argv[n++] = fp->log_path;
	argv[n++] = "--max-seconds";
	argv[n++] = "900";
	if (fixtures && *fixtures) {
		argv[n++] = "--fixtures";
		argv[n++] = fix_dir;
	}
	if (cert && key) {
		argv[n++] = "--tls-cert";
		argv[n++] = cert;
		argv[n++] = "--tls-key";
		argv[n++] = key;
	}
	argv[n] = NULL;

	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "harness: fork: %s\n", strerror(errno));
		fakeprov_stop(fp);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int dn = open("/dev/null", O_RDWR);
		if (dn >= 0) {
			dup2(dn, 0);
			dup2(dn, 1);
		}
		execv(bin, (char *const *)argv);
		fprintf(stderr, "harness: cannot run %s: %s (set FAKEPROV_BIN)\n", bin,
			strerror(errno));
		_exit(127);
	}
	fp->pid = pid;

	for (double end = mono_now() + START_TIMEOUT_MS / 1000.0; mono_now() < end; sleep_ms(5)) {
		char *text = harness_read_file(port_path, NULL);
		if (text && strchr(text, '\n')) {
			fp->port = atoi(text);
			free(text);
			if (fp->port > 0)
				return 0;
			break;
		}
		free(text);
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fp->pid = 0;
			break;
		}
	}
	fprintf(stderr, "harness: %s did not start listening\n", bin);
	fakeprov_stop(fp);
	return -1;
}

void fakeprov_stop(struct fakeprov *fp)
{
	if (fp->pid > 0) {
		int st;
		kill(fp->pid, SIGTERM);
		double end = mono_now() + STOP_TIMEOUT_MS / 1000.0;
		pid_t w;
		while ((w = waitpid(fp->pid, &st, WNOHANG)) == 0 && mono_now() < end)
			sleep_ms(5);
		if (w == 0) {
			kill(fp->pid, SIGKILL);
			waitpid(fp->pid, &st, 0);
		}
	}
	if (fp->dir[0])
		harness_rm_tree(fp->dir);
	memset(fp, 0, sizeof *fp);
}

json_t *fakeprov_requests(const struct fakeprov *fp)
{
	json_t *all = json_array();
	char *text = harness_read_file(fp->log_path, NULL);
	if (!text || !all)
		return all;
	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len) {
			json_error_t je;
			json_t *j = json_loadb(line, len, 0, &je);
			if (j)
				json_array_append_new(all, j);
			else
				fprintf(stderr, "harness: bad log line: %s\n", je.text);
		}
		line += len + (nl ? 1 : 0);
	}
	free(text);
	return all;
}

size_t fakeprov_count(const struct fakeprov *fp)
{
	size_t n = 0;
	char *text = harness_read_file(fp->log_path, NULL);
	for (char *p = text; p && *p; p++)
		n += *p == '\n';
	free(text);
	return n;
}

int fakeprov_clear_log(const struct fakeprov *fp)
{
	int fd = open(fp->log_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	close(fd);
	return 0;
}

/* ---- a throw-away home ---- */

static const char *const xdg_dirs[] = {"config", "data", "state", "cache"};

int testhome_make(struct testhome *h)
{
	snprintf(h->root, sizeof h->root, "%s/cherry-home.XXXXXX", tmp_base());
	if (!mkdtemp(h->root)) {
		fprintf(stderr, "harness: mkdtemp %s: %s\n", h->root, strerror(errno));
		h->root[0] = '\0';
		return -1;
	}
	for (size_t i = 0; i < sizeof xdg_dirs / sizeof *xdg_dirs; i++) {
		char p[300];
		snprintf(p, sizeof p, "%s/%s", h->root, xdg_dirs[i]);
		if (mkdir(p, 0700) < 0) {
			fprintf(stderr, "harness: mkdir %s: %s\n", p, strerror(errno));
			testhome_remove(h);
			return -1;
		}
	}
	return 0;
}

void testhome_remove(struct testhome *h)
{
	if (h->root[0])
		harness_rm_tree(h->root);
	h->root[0] = '\0';
}

int testhome_write_config(const struct testhome *h, const char *json)
{
	char dir[300], path[320];
	snprintf(dir, sizeof dir, "%s/config/cherry", h->root);
	snprintf(path, sizeof path, "%s/config.json", dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t len = strlen(json), off = 0;
	while (off < len) {
		ssize_t w = write(fd, json + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0600) < 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

char *testhome_fake_config(int port, const char *extra)
{
	static const char fmt[] =
		"{\n"
		"  \"providers\": {\n"
		"    \"fo\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:%d/v1\","
		" \"key_env\": \"FAKE_OPENAI_KEY\"},\n"
		"    \"fa\": {\"kind\": \"anthropic\", \"base_url\": \"http://127.0.0.1:%d\","
		" \"key_env\": \"FAKE_ANTHROPIC_KEY\"},\n"
		"    \"fg\": {\"kind\": \"gemini\", \"base_url\": \"http://127.0.0.1:%d\","
		" \"key_env\": \"FAKE_GEMINI_KEY\"},\n"
		"    \"fl\": {\"kind\": \"ollama\", \"base_url\": \"http://127.0.0.1:%d\"},\n"
		"    \"fz\": {\"kind\": \"azure\", \"base_url\": \"http://127.0.0.1:%d\","
		" \"api_version\": \"2024-10-21\", \"key_env\": \"FAKE_AZURE_KEY\"}\n"
		"  }%s%s\n"
		"}\n";
	int has = extra && *extra;
	int n = snprintf(NULL, 0, fmt, port, port, port, port, port, has ? ",\n  " : "",
			 has ? extra : "");
	char *s = n < 0 ? NULL : malloc((size_t)n + 1);
	if (s)
		snprintf(s, (size_t)n + 1, fmt, port, port, port, port, port, has ? ",\n  " : "",
			 has ? extra : "");
	return s;
}

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

/* ---- files ---- */

static int mem_has(const char *hay, size_t n, const char *needle, size_t m)
{
	if (!m)
		return 1;
	for (size_t i = 0; i + m <= n; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, m))
			return 1;
	return 0;
}

int tree_contains(const char *dir, const char *needle)
{
	struct stat st;
	if (lstat(dir, &st) < 0)
		return -1;
	if (S_ISREG(st.st_mode)) {
		size_t len;
		char *text = harness_read_file(dir, &len);
		int found = text && mem_has(text, len, needle, strlen(needle));
		free(text);
		return found;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int found = 0;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char sub[4096];
		if ((size_t)snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) >= sizeof sub)
			continue;
		found = tree_contains(sub, needle) == 1;
	}
	closedir(d);
	return found;
}

const void *harness_mem_find(const void *hay, size_t hay_len, const void *needle, size_t n)
{
	const char *h = hay;
	if (!n)
		return hay;
	for (size_t i = 0; h && i + n <= hay_len; i++)
		if (h[i] == *(const char *)needle && !memcmp(h + i, needle, n))
			return h + i;
	return NULL;
}

json_t *fakeprov_last_request(const struct fakeprov *fp)
{
	json_t *reqs = fakeprov_requests(fp);
	size_t n = json_array_size(reqs);
	json_t *last = n ? json_incref(json_array_get(reqs, n - 1)) : NULL;
	json_decref(reqs);
	return last;
}

const char *request_header(json_t *req, const char *name)
{
	return json_string_value(json_object_get(json_object_get(req, "headers"), name));
}

const char *harness_find_strace(void)
{
	static const char *const where[] = {"/usr/bin/strace", "/bin/strace",
					    "/usr/local/bin/strace", NULL};
	for (int i = 0; where[i]; i++)
		if (access(where[i], X_OK) == 0)
			return where[i];
	return NULL;
}

int harness_connects_only_to(const char *trace, int port, char *bad, size_t badsz)
{
	size_t len;
	char *t = harness_read_file(trace, &len);
	if (!t)
		return -2;
	char want[128];
	snprintf(want, sizeof want, "sin_port=htons(%d), sin_addr=inet_addr(\"127.0.0.1\")", port);
	int inet = 0;
	for (char *save = NULL, *line = strtok_r(t, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, "connect(") || strstr(line, "AF_UNIX"))
			continue;
		if (!strstr(line, want)) {
			snprintf(bad, badsz, "%s", line);
			inet = -1;
			break;
		}
		inet++;
	}
	free(t);
	return inet;
}

int harness_count_hidden(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

int harness_ro_bind(const char *dir)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(dir, dir, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		return -1;
	return 0;
}

int harness_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t n = fwrite(data, 1, len, f);
	return fclose(f) == 0 && n == len ? 0 : -1;
}

int harness_write_png(const char *path)
{
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
					    0, 0, 0, 13, 'I', 'H', 'D', 'R'};
	return harness_write_file(path, png, sizeof png);
}

int harness_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	int port = -1;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

int fakemcp_http_start(struct fakemcp_http *f, const char *bin, const char *mode,
		       const char *log)
{
	int in[2], out[2];
	if (pipe(in) < 0)
		return -1;
	if (pipe(out) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	f->pid = fork();
	if (f->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		int lf = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)
			     : open("/dev/null", O_WRONLY);
		dup2(lf, 2);
		close(in[1]);
		close(out[0]);
		execl(bin, bin, "http", mode, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	f->in = in[1];
	char port[16] = "";
	ssize_t n = f->pid > 0 ? read(out[0], port, sizeof port - 1) : -1;
	close(out[0]);
	f->port = n > 0 ? atoi(port) : 0;
	if (f->port > 0)
		return 0;
	fakemcp_http_stop(f);
	return -1;
}

void fakemcp_http_stop(struct fakemcp_http *f)
{
	close(f->in);
	int st;
	if (f->pid > 0)
		waitpid(f->pid, &st, 0);
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
