/* harness: start/stop the fake provider, throw-away homes, files (see harness.h; running
 * cherry with its output captured is harness_run.c). Return codes only, no cmocka:
 * benchmarks use it too. */
#define _GNU_SOURCE /* unshare(2) */
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

#define START_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS 5000

double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sleep_ms(int ms)
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

int hb_add(struct hbuf *b, const void *data, size_t n)
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
