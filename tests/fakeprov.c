/* fakeprov: a fake LLM provider on 127.0.0.1 for cherry's integration tests and benchmarks.
 * It speaks the OpenAI, Azure, Anthropic, Gemini and Ollama wire formats of
 * /work/shared/reference/wire-formats.md; the model name picks the scenario, words joined
 * by '+' ("hello+split+crlf"), listed in tests/fakeprov.md. Each connection is served by a
 * child process of its own, so streams run concurrently; every request is appended to --log
 * as one JSON line (one write, O_APPEND) before the answer. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "fakeprov_evs.h"

#define IO_TIMEOUT_MS 10000     /* a client that sends or reads nothing for this long is dropped */
#define STALL_MS 60000          /* how long "stall" keeps a silent socket open */
#define DRIP_MS 100             /* "drip": one byte this often */
#define MAX_HEADER_BYTES (1 << 20)
#define MAX_BODY_BYTES (256u << 20)
#define MAX_HEADERS 128
#define PROMPT_TOKENS 12

/* ---------------------------------------------------------------- buffers */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void die(const char *what)
{
	fprintf(stderr, "fakeprov: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void sb_reserve(struct sbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		die("out of memory");
	b->p = p;
	b->cap = cap;
}

static void sb_add(struct sbuf *b, const void *p, size_t n)
{
	sb_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_addc(struct sbuf *b, char c)
{
	sb_add(b, &c, 1);
}

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void sb_clear(struct sbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static void sb_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* JSON string contents (no quotes). Bytes >= 0x80 pass through untouched, so the
 * "badutf8" scenario can put raw invalid bytes inside a JSON string. */
static void sb_json_esc(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '"': sb_adds(b, "\\\""); break;
		case '\\': sb_adds(b, "\\\\"); break;
		case '\n': sb_adds(b, "\\n"); break;
		case '\r': sb_adds(b, "\\r"); break;
		case '\t': sb_adds(b, "\\t"); break;
		default:
			if (ch < 0x20) {
				char e[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
				sb_add(b, e, 6);
			} else {
				sb_addc(b, (char)ch);
			}
		}
	}
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t len;
	unsigned min;
	unsigned cp;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2, min = 0x80, cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3, min = 0x800, cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4, min = 0x10000, cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* A JSON string of arbitrary bytes: invalid UTF-8 becomes U+FFFD (jansson wants UTF-8). */
static json_t *json_lossy(const char *s, size_t n)
{
	struct sbuf b = {0};
	const unsigned char *u = (const unsigned char *)s;
	sb_reserve(&b, n);
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq(u + i, n - i);
		if (l) {
			sb_add(&b, s + i, l);
			i += l;
		} else {
			sb_adds(&b, "\xEF\xBF\xBD");
			i++;
		}
	}
	json_t *j = json_stringn(b.p ? b.p : "", b.len);
	sb_free(&b);
	return j;
}

/* ---------------------------------------------------------------- time, signals, waiting */

static int sigpipe_fds[2] = {-1, -1};
static volatile sig_atomic_t stop_flag;
static double deadline;
static pid_t parent_pid;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
	int saved = errno;
	(void)sig;
	stop_flag = 1;
	if (write(sigpipe_fds[1], "x", 1) < 0) {
		/* the flag alone still stops us at the next wakeup */
	}
	errno = saved;
}

/* Stop on a signal, at --max-seconds, or when whoever started us is gone (a crashed test
 * must not leave us behind). */
static int must_stop(void)
{
	if (stop_flag || now() >= deadline)
		return 1;
	if (parent_pid > 1 && getppid() != parent_pid)
		return 1;
	return 0;
}

/* Waits up to ms for events on fd (fd < 0: just sleeps). 1 ready, 0 timeout, -1 stop. */
static int wait_fd(int fd, short events, int ms)
{
	double end = now() + ms / 1000.0;
	for (;;) {
		if (must_stop()) {
			stop_flag = 1;
			return -1;
		}
		double t = now(), lim = end < deadline ? end : deadline;
		if (t >= end)
			return 0;
		double left = (lim - t) * 1000.0;
		int tmo = left > 1000 ? 1000 : (int)left + 1;
		struct pollfd p[2] = {{sigpipe_fds[0], POLLIN, 0}, {fd, events, 0}};
		int n = poll(p, fd >= 0 ? 2 : 1, tmo);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[0].revents) {
			stop_flag = 1;
			return -1;
		}
		if (fd >= 0 && p[1].revents)
			return 1;
	}
}

/* ---------------------------------------------------------------- TLS mode */

/* With --tls-cert and --tls-key every connection is TLS. Each connection has a process of
 * its own, so the one being served is global there; every read and write of it goes through
 * conn_read and conn_write. A handshake the client refuses ends before any request is
 * read, so nothing is logged for it. */
static SSL_CTX *tls_ctx;
static SSL *tls;
static int tls_fd = -1;

static void tls_init(const char *cert, const char *key)
{
	tls_ctx = SSL_CTX_new(TLS_server_method());
	if (!tls_ctx || !SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate_chain_file(tls_ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(tls_ctx, key, SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		die("TLS certificate or key");
	}
}

/* What an SSL call that did not finish waits for: POLLIN, POLLOUT, or 0 (it failed). */
static short tls_wants(int r)
{
	switch (SSL_get_error(tls, r)) {
	case SSL_ERROR_WANT_READ: return POLLIN;
	case SSL_ERROR_WANT_WRITE: return POLLOUT;
	default: ERR_clear_error(); return 0;
	}
}

/* The TLS handshake on fd; 0, or -1 (refused by the client, or it went away). */
static int tls_accept(int fd)
{
	tls = SSL_new(tls_ctx);
	if (!tls || SSL_set_fd(tls, fd) != 1)
		die("SSL_new");
	tls_fd = fd;
	for (;;) {
		int r = SSL_accept(tls);
		if (r == 1)
			return 0;
		short ev = tls_wants(r);
		if (!ev || wait_fd(fd, ev, IO_TIMEOUT_MS) <= 0)
			return -1;
	}
}

/* Ends the TLS connection: close_notify (so a stream that ends at close ends cleanly)
 * unless quiet, as for a reset. */
static void tls_end(void)
{
	if (!tls)
		return;
	SSL_shutdown(tls);
	ERR_clear_error();
	SSL_free(tls);
	tls = NULL;
	tls_fd = -1;
}

/* read() on fd, through TLS for the TLS connection: -1 with errno EAGAIN when it would
 * block (*ev says on what), 0 at the end. */
static ssize_t conn_read(int fd, void *p, size_t n, short *ev)
{
	*ev = POLLIN;
	if (!tls || fd != tls_fd)
		return read(fd, p, n);
	int r = SSL_read(tls, p, n > 1 << 30 ? 1 << 30 : (int)n);
	if (r > 0)
		return r;
	if (!(*ev = tls_wants(r)))
		return 0; /* close_notify, or the peer went away */
	errno = EAGAIN;
	return -1;
}

static ssize_t conn_write(int fd, const void *p, size_t n, short *ev)
{
	*ev = POLLOUT;
	if (!tls || fd != tls_fd)
		return write(fd, p, n);
	int r = SSL_write(tls, p, n > 1 << 30 ? 1 << 30 : (int)n);
	if (r > 0)
		return r;
	if (!(*ev = tls_wants(r))) {
		errno = EPIPE;
		return -1;
	}
	errno = EAGAIN;
	return -1;
}

/* ---------------------------------------------------------------- connection output */

enum eol { EOL_DEFAULT, EOL_LF, EOL_CRLF, EOL_CR };

struct conn {
	int fd;
	int dead;         /* the client went away, or we must stop */
	int split;        /* one byte per write */
	int chunks;       /* random write sizes 1..64 */
	unsigned rng;
	enum eol eol;
	int bom_pending;
	struct sbuf out;  /* scratch for line-end translation */
};

static void send_all(struct conn *c, const char *p, size_t n)
{
	while (n && !c->dead) {
		short ev;
		ssize_t w = conn_write(c->fd, p, n, &ev);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(c->fd, ev, IO_TIMEOUT_MS) <= 0)
				c->dead = 1;
		} else {
			c->dead = 1;
		}
	}
}

static unsigned rng_next(unsigned *s)
{
	unsigned x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* Writes stream bytes as generated: '\n' line ends become the chosen ones, and the split
 * modifiers decide the write() sizes. */
static void emit(struct conn *c, const char *p, size_t n)
{
	if (c->dead)
		return;
	if (c->eol == EOL_CRLF || c->eol == EOL_CR || c->bom_pending) {
		sb_clear(&c->out);
		if (c->bom_pending)
			sb_adds(&c->out, "\xEF\xBB\xBF");
		c->bom_pending = 0;
		for (size_t i = 0; i < n; i++) {
			if (p[i] == '\n' && c->eol == EOL_CRLF)
				sb_adds(&c->out, "\r\n");
			else if (p[i] == '\n' && c->eol == EOL_CR)
				sb_addc(&c->out, '\r');
			else
				sb_addc(&c->out, p[i]);
		}
		p = c->out.p;
		n = c->out.len;
	}
	if (c->split) {
		for (size_t i = 0; i < n && !c->dead; i++)
			send_all(c, p + i, 1);
	} else if (c->chunks) {
		while (n && !c->dead) {
			size_t k = 1 + rng_next(&c->rng) % 64;
			if (k > n)
				k = n;
			send_all(c, p, k);
			p += k;
			n -= k;
		}
	} else {
		send_all(c, p, n);
	}
}

static void nap(struct conn *c, int ms)
{
	if (ms > 0 && wait_fd(-1, 0, ms) < 0)
		c->dead = 1;
}

/* ---------------------------------------------------------------- requests */

struct req {
	char method[16];
	char *target;            /* as sent, with the query */
	char *path;              /* without the query */
	const char *query;       /* after '?', or "" */
	char *hname[MAX_HEADERS]; /* lower-cased */
	char *hval[MAX_HEADERS];
	size_t nh;
	struct sbuf body;
	json_t *json;            /* the body parsed, or NULL */
};

static const char *req_header(const struct req *r, const char *name)
{
	for (size_t i = 0; i < r->nh; i++)
		if (!strcmp(r->hname[i], name))
			return r->hval[i];
	return NULL;
}

static void req_free(struct req *r)
{
	free(r->target);
	free(r->path);
	for (size_t i = 0; i < r->nh; i++) {
		free(r->hname[i]);
		free(r->hval[i]);
	}
	sb_free(&r->body);
	json_decref(r->json);
}

struct reader {
	int fd;
	struct sbuf b;
	size_t pos;
};

/* Reads more bytes into rd->b. >0 read, 0 EOF, -1 error or timeout. */
static int rd_fill(struct reader *rd)
{
	for (;;) {
		sb_reserve(&rd->b, 65536);
		short ev;
		ssize_t n = conn_read(rd->fd, rd->b.p + rd->b.len, 65536, &ev);
		if (n > 0) {
			rd->b.len += (size_t)n;
			rd->b.p[rd->b.len] = '\0';
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (wait_fd(rd->fd, ev, IO_TIMEOUT_MS) <= 0)
			return -1;
	}
}

/* Makes sure n bytes are buffered after rd->pos. */
static int rd_need(struct reader *rd, size_t n)
{
	while (rd->b.len - rd->pos < n)
		if (rd_fill(rd) <= 0)
			return -1;
	return 0;
}

/* One line (without its CRLF or LF) starting at rd->pos; NULL on EOF or error. */
static char *rd_line(struct reader *rd, size_t *len)
{
	for (;;) {
		char *start = rd->b.p ? rd->b.p + rd->pos : NULL;
		char *nl = start ? memchr(start, '\n', rd->b.len - rd->pos) : NULL;
		if (nl) {
			size_t l = (size_t)(nl - start);
			rd->pos += l + 1;
			if (l && start[l - 1] == '\r')
				l--;
			start[l] = '\0';
			*len = l;
			return start;
		}
		if (rd->b.len - rd->pos > MAX_HEADER_BYTES || rd_fill(rd) <= 0)
			return NULL;
	}
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		die("out of memory");
	return d;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static int read_chunked(struct reader *rd, struct sbuf *body)
{
	for (;;) {
		size_t len;
		char *line = rd_line(rd, &len);
		if (!line)
			return -1;
		char *end;
		unsigned long size = strtoul(line, &end, 16);
		if (end == line || body->len + size > MAX_BODY_BYTES)
			return -1;
		if (size == 0) {
			do {
				if (!(line = rd_line(rd, &len)))
					return -1;
			} while (len);
			return 0;
		}
		if (rd_need(rd, size + 2) < 0)
			return -1;
		sb_add(body, rd->b.p + rd->pos, size);
		rd->pos += size + 2;
	}
}

static int read_request(int fd, struct req *r)
{
	struct reader rd = {fd, {0}, 0};
	int ok = -1;
	size_t len;
	char *line;

	memset(r, 0, sizeof *r);
	do { /* tolerate empty lines before the request line */
		if (!(line = rd_line(&rd, &len)))
			goto out;
	} while (!len);
	char *sp1 = strchr(line, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || (size_t)(sp1 - line) >= sizeof r->method)
		goto out;
	memcpy(r->method, line, (size_t)(sp1 - line));
	*sp2 = '\0';
	r->target = xstrdup(sp1 + 1);
	r->path = xstrdup(r->target);
	char *q = strchr(r->path, '?');
	r->query = q ? r->target + (q - r->path) + 1 : "";
	if (q)
		*q = '\0';

	for (;;) {
		if (!(line = rd_line(&rd, &len)))
			goto out;
		if (!len)
			break;
		char *colon = strchr(line, ':');
		if (!colon || r->nh == MAX_HEADERS)
			continue;
		*colon = '\0';
		for (char *p = line; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		r->hname[r->nh] = xstrdup(trim(line));
		r->hval[r->nh] = xstrdup(trim(colon + 1));
		r->nh++;
	}

	const char *te = req_header(r, "transfer-encoding");
	const char *cl = req_header(r, "content-length");
	const char *expect = req_header(r, "expect");
	unsigned long long want = cl ? strtoull(cl, NULL, 10) : 0;
	if (want > MAX_BODY_BYTES)
		goto out;
	if (expect && !strcasecmp(expect, "100-continue") && (te || want > rd.b.len - rd.pos)) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		struct conn c = {.fd = fd};
		send_all(&c, cont, sizeof cont - 1);
	}
	if (te && !strcasecmp(te, "chunked")) {
		if (read_chunked(&rd, &r->body) < 0)
			goto out;
	} else if (want) {
		if (rd_need(&rd, (size_t)want) < 0)
			goto out;
		sb_add(&r->body, rd.b.p + rd.pos, (size_t)want);
	}
	if (r->body.len)
		r->json = json_loadb(r->body.p, r->body.len, JSON_DECODE_ANY, NULL);
	ok = 0;
out:
	sb_free(&rd.b);
	return ok;
}

/* ---------------------------------------------------------------- the request log */

static const char *log_path;

/* What every connection's process shares: the request count and the "flaky" table (one
 * 64-bit hash of kind and model per slot, claimed with compare-and-swap). */
#define FLAKY_SLOTS 1024
struct shared {
	long request_count;
	unsigned long long flaky[FLAKY_SLOTS];
};
static struct shared *shared;

static void shared_init(void)
{
	shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (shared == MAP_FAILED)
		die("mmap");
}

/* The line is numbered and written under an exclusive lock on the log, so the numbers
 * rise in the file's order; one write() with O_APPEND keeps it whole. */
static void log_request(const struct req *r)
{
	if (!log_path) {
		__atomic_add_fetch(&shared->request_count, 1, __ATOMIC_SEQ_CST);
		return;
	}
	int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	while (fd >= 0 && flock(fd, LOCK_EX) < 0 && errno == EINTR)
		;
	long n = __atomic_add_fetch(&shared->request_count, 1, __ATOMIC_SEQ_CST);
	json_t *o = json_object(), *h = json_object();
	json_object_set_new(o, "n", json_integer(n));
	json_object_set_new(o, "method", json_string(r->method));
	json_object_set_new(o, "path", json_lossy(r->target, strlen(r->target)));
	for (size_t i = 0; i < r->nh; i++) {
		json_t *old = json_object_get(h, r->hname[i]);
		json_t *v = json_lossy(r->hval[i], strlen(r->hval[i]));
		if (old) { /* repeated headers are joined as HTTP allows */
			struct sbuf j = {0};
			sb_printf(&j, "%s, %s", json_string_value(old), json_string_value(v));
			json_decref(v);
			v = json_string(j.p);
			sb_free(&j);
		}
		json_object_set_new(h, r->hname[i], v);
	}
	json_object_set_new(o, "headers", h);
	json_t *body = r->json ? json_incref(r->json)
			       : json_lossy(r->body.p ? r->body.p : "", r->body.len);
	json_object_set_new(o, "body", body);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	struct sbuf line = {0};
	if (s) {
		sb_adds(&line, s);
		sb_addc(&line, '\n');
		free(s);
	}
	if (fd >= 0) {
		if (line.len && write(fd, line.p, line.len) != (ssize_t)line.len)
			fprintf(stderr, "fakeprov: log line cut short\n");
		close(fd); /* drops the lock */
	}
	sb_free(&line);
}

/* ---------------------------------------------------------------- scenarios */

enum kind { K_OPENAI, K_ANTHROPIC, K_GEMINI, K_OLLAMA, K_AZURE, K_RESPONSES, K_BEDROCK };
static const char *const kind_names[] = {"openai", "anthropic", "gemini", "ollama", "azure",
					 "openai-responses", "bedrock"};

#define BIGLINE_BYTES (1 << 20)
#define HUGELINE_BYTES (20ul << 20) /* past cherry's 16 MiB cap on one event */
enum content { C_HELLO, C_LONG, C_BIGLINE, C_BADUTF8, C_ESCAPES, C_CJK, C_ECHO, C_REPLAY,
	       C_MARKDOWN, C_MDLONG };

enum failure {
	F_NONE, F_400, F_401, F_403, F_404, F_429, F_429MS, F_QUOTA, F_500, F_503, F_529,
	/* not scenario words: requests fakeprov itself rejects */
	F_SCENARIO, F_NO_MODEL, F_NO_API_VERSION, F_NO_ALT_SSE, F_NO_REPLAY, F_NO_KEY,
	F_NO_SIGNATURE, F_VERTEX_BODY,
};

enum midstream { M_NONE, M_MIDFAIL, M_DROP, M_STALL, M_STALLFIRST, M_DRIP };

/* endless*: a response that never ends, in the body or in the headers. */
enum endless { E_NONE, E_BODY, E_LINE, E_HEADERS, E_HEADER_LINE };

struct scenario {
	enum content content;
	long long_n;
	char replay[128];
	int reasoning;          /* 0 none, 1 the kind's own field, 2 openai "reasoning" */
	int length;
	int split, chunks, comments, bom, nodone, slow_ms;
	int late_ms;            /* late:MS: sleep MS before the first delta */
	enum eol eol;
	enum failure fail;
	int flaky;              /* 0, 503 or 429 */
	enum midstream mid;
	int redirect, html;
	int redirect_to_self;   /* redirect:NNN: status NNN, Location back at fakeprov */
	enum endless endless;
	int rawerror;           /* the stream ends with a bare error body, no "data:" */
	int refusal;            /* the model refuses, with an explanation and no text */
	int bigheader;          /* a 150 KB response header before the stream */
	int tools;              /* tools / tools2: call the offered tools (1 or 2 calls) */
	int tools_loop;         /* toolsloop: call them again whatever the results */
	char tool_pick[64];     /* tool:NAME: only the offered tools named NAME or *__NAME */
	int badcrc;             /* bedrock: the second delta's message CRC is wrong */
	unsigned long bigline_bytes; /* bigline: 1 MiB; hugeline: 20 MiB */
	char bad[80];           /* the unknown word */
};

static const struct {
	const char *word;
	enum failure f;
} fail_words[] = {
	{"e400", F_400}, {"e401", F_401}, {"e403", F_403}, {"e404", F_404},
	{"e429", F_429}, {"e429ms", F_429MS}, {"quota", F_QUOTA}, {"e500", F_500},
	{"e503", F_503}, {"e529", F_529},
};

/* A fixture name stays inside the fixtures directory: no '/', no leading dot. */
static int replay_name_ok(const char *s)
{
	if (!*s || strlen(s) >= 100 || s[0] == '.')
		return 0;
	for (; *s; s++) {
		int alnum = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
			    || (*s >= '0' && *s <= '9');
		if (!alnum && *s != '-' && *s != '_' && *s != '.')
			return 0;
	}
	return 1;
}

static int word_is(const char *w, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(w, lit, n);
}

/* Parses a number after "prefix:" in word w; -1 when w is not that word. */
static long word_num(const char *w, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);
	if (n <= pl || memcmp(w, prefix, pl))
		return -1;
	long v = 0;
	for (size_t i = pl; i < n; i++) {
		if (w[i] < '0' || w[i] > '9' || v > 100000000)
			return -1;
		v = v * 10 + (w[i] - '0');
	}
	return v;
}

static int parse_word(struct scenario *sc, const char *w, size_t n)
{
	long v;
	if (!n)
		return 0;
	for (size_t i = 0; i < sizeof fail_words / sizeof *fail_words; i++)
		if (word_is(w, n, fail_words[i].word)) {
			sc->fail = fail_words[i].f;
			return 0;
		}
	if (word_is(w, n, "hello"))
		sc->content = C_HELLO;
	else if (word_is(w, n, "tools"))
		sc->tools = 1;
	else if (word_is(w, n, "tools2"))
		sc->tools = 2;
	else if (word_is(w, n, "toolsloop"))
		sc->tools = sc->tools ? sc->tools : 1, sc->tools_loop = 1;
	else if (n > 5 && n < 5 + sizeof sc->tool_pick && !strncmp(w, "tool:", 5)) {
		memcpy(sc->tool_pick, w + 5, n - 5);
		sc->tool_pick[n - 5] = '\0';
		if (!sc->tools)
			sc->tools = 1;
	}
	else if (word_is(w, n, "badcrc"))
		sc->badcrc = 1;
	else if (word_is(w, n, "reasoning"))
		sc->reasoning = 1;
	else if (word_is(w, n, "reasoning2"))
		sc->reasoning = 2;
	else if ((v = word_num(w, n, "long:")) >= 0)
		sc->content = C_LONG, sc->long_n = v;
	else if ((v = word_num(w, n, "mdlong:")) >= 0)
		sc->content = C_MDLONG, sc->long_n = v;
	else if (word_is(w, n, "bigline"))
		sc->content = C_BIGLINE, sc->bigline_bytes = BIGLINE_BYTES;
	else if (word_is(w, n, "hugeline"))
		sc->content = C_BIGLINE, sc->bigline_bytes = HUGELINE_BYTES;
	else if (word_is(w, n, "badutf8"))
		sc->content = C_BADUTF8;
	else if (word_is(w, n, "escapes"))
		sc->content = C_ESCAPES;
	else if (word_is(w, n, "cjk"))
		sc->content = C_CJK;
	else if (word_is(w, n, "markdown"))
		sc->content = C_MARKDOWN;
	else if (word_is(w, n, "length"))
		sc->length = 1;
	else if (word_is(w, n, "echo"))
		sc->content = C_ECHO;
	else if (n > 7 && !memcmp(w, "replay:", 7) && n - 7 < sizeof sc->replay) {
		memcpy(sc->replay, w + 7, n - 7);
		sc->replay[n - 7] = '\0';
		if (!replay_name_ok(sc->replay))
			return -1;
		sc->content = C_REPLAY;
	} else if (word_is(w, n, "split"))
		sc->split = 1;
	else if (word_is(w, n, "chunks"))
		sc->chunks = 1;
	else if (word_is(w, n, "cr"))
		sc->eol = EOL_CR;
	else if (word_is(w, n, "crlf"))
		sc->eol = EOL_CRLF;
	else if (word_is(w, n, "lf"))
		sc->eol = EOL_LF;
	else if (word_is(w, n, "comments"))
		sc->comments = 1;
	else if (word_is(w, n, "bom"))
		sc->bom = 1;
	else if (word_is(w, n, "nodone"))
		sc->nodone = 1;
	else if (word_is(w, n, "slow"))
		sc->slow_ms = 30;
	else if ((v = word_num(w, n, "slow:")) >= 0 && v <= 600000)
		sc->slow_ms = (int)v;
	else if ((v = word_num(w, n, "late:")) >= 0 && v <= 600000)
		sc->late_ms = (int)v;
	else if (word_is(w, n, "flaky"))
		sc->flaky = 503;
	else if (word_is(w, n, "flaky429"))
		sc->flaky = 429;
	else if (word_is(w, n, "midfail"))
		sc->mid = M_MIDFAIL;
	else if (word_is(w, n, "drop"))
		sc->mid = M_DROP;
	else if (word_is(w, n, "stall"))
		sc->mid = M_STALL;
	else if (word_is(w, n, "stallfirst"))
		sc->mid = M_STALLFIRST;
	else if (word_is(w, n, "drip"))
		sc->mid = M_DRIP;
	else if (word_is(w, n, "redirect"))
		sc->redirect = 1;
	else if (word_is(w, n, "html"))
		sc->html = 1;
	else if ((v = word_num(w, n, "redirect:")) >= 300 && v <= 399)
		sc->redirect_to_self = (int)v;
	else if (word_is(w, n, "endless"))
		sc->endless = E_BODY;
	else if (word_is(w, n, "endlessline"))
		sc->endless = E_LINE;
	else if (word_is(w, n, "endlessheaders"))
		sc->endless = E_HEADERS;
	else if (word_is(w, n, "endlessheaderline"))
		sc->endless = E_HEADER_LINE;
	else if (word_is(w, n, "rawerror"))
		sc->rawerror = 1;
	else if (word_is(w, n, "refusal"))
		sc->refusal = 1;
	else if (word_is(w, n, "bigheader"))
		sc->bigheader = 1;
	else
		return -1;
	return 0;
}

static int parse_scenario(const char *model, struct scenario *sc)
{
	memset(sc, 0, sizeof *sc);
	for (const char *w = model;;) {
		const char *plus = strchr(w, '+');
		size_t n = plus ? (size_t)(plus - w) : strlen(w);
		if (parse_word(sc, w, n) < 0) {
			snprintf(sc->bad, sizeof sc->bad, "%.*s", (int)(n < 60 ? n : 60), w);
			return -1;
		}
		if (!plus)
			return 0;
		w = plus + 1;
	}
}

/* "flaky": the first request with this kind and model string fails, later ones succeed,
 * across every connection's process (the table is shared; a slot is claimed with CAS). */
static int flaky_first(enum kind k, const char *model)
{
	unsigned long long h = 14695981039346656037ull;
	const char *parts[2] = {kind_names[k], model};
	for (int i = 0; i < 2; i++) {
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++)
			h = (h ^ *p) * 1099511628211ull;
		h = (h ^ 0xffu) * 1099511628211ull; /* the separator */
	}
	if (!h)
		h = 1; /* 0 marks a free slot */
	for (size_t i = 0; i < FLAKY_SLOTS; i++) {
		unsigned long long *slot = &shared->flaky[(h + i) % FLAKY_SLOTS], empty = 0;
		if (__atomic_compare_exchange_n(slot, &empty, h, 0, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return 1;
		if (empty == h)
			return 0;
	}
	die("flaky table full");
	return 0;
}

/* ---------------------------------------------------------------- plain responses */

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 529: return "Overloaded";
	default: return "Unknown";
	}
}

/* A complete response with a Content-Length; extra is more header lines ending in CRLF. */
static void respond(struct conn *c, int status, const char *ctype, const char *extra,
		    const char *body, size_t len)
{
	struct sbuf h = {0};
	sb_printf(&h, "HTTP/1.1 %d %s\r\n", status, reason_phrase(status));
	if (ctype)
		sb_printf(&h, "Content-Type: %s\r\n", ctype);
	sb_printf(&h, "Content-Length: %zu\r\n%sConnection: close\r\n\r\n", len,
		  extra ? extra : "");
	sb_add(&h, body, len);
	send_all(c, h.p, h.len);
	sb_free(&h);
}

/* Serialises j (stolen) and sends it; indent 0 is compact. */
static void respond_json(struct conn *c, int status, const char *extra, json_t *j, int indent)
{
	size_t flags = indent ? JSON_INDENT(indent) : JSON_COMPACT;
	char *s = json_dumps(j, flags);
	json_decref(j);
	struct sbuf b = {0};
	sb_adds(&b, s ? s : "{}");
	if (indent)
		sb_addc(&b, '\n');
	free(s);
	respond(c, status, "application/json", extra, b.p, b.len);
	sb_free(&b);
}

/* ---------------------------------------------------------------- error bodies per kind */

/* The key the client sent, for the OpenAI 401 message, shown masked as the real one does. */
static void masked_key(const struct req *r, enum kind k, struct sbuf *out)
{
	const char *key = NULL;
	if (k == K_AZURE)
		key = req_header(r, "api-key");
	if (!key) {
		const char *a = req_header(r, "authorization");
		if (a && !strncasecmp(a, "Bearer ", 7))
			for (key = a + 7; *key == ' ';)
				key++;
	}
	if (!key || !*key)
		return;
	size_t n = strlen(key);
	if (n >= 12)
		sb_add(out, key, 8);
	sb_adds(out, "****");
	if (n >= 4)
		sb_adds(out, key + n - 4);
}

struct errinfo {
	int status;
	const char *extra_headers;
};

static struct errinfo err_status(enum kind k, enum failure f)
{
	struct errinfo e = {400, NULL};
	switch (f) {
	case F_401: e.status = 401; break;
	case F_403: case F_NO_SIGNATURE: e.status = 403; break;
	case F_404: case F_NO_REPLAY: e.status = 404; break;
	case F_429: e.status = 429; e.extra_headers = "Retry-After: 1\r\n"; break;
	case F_429MS: e.status = 429; e.extra_headers = "retry-after-ms: 200\r\n"; break;
	case F_QUOTA: e.status = k == K_ANTHROPIC ? 400 : 429; break;
	case F_500: e.status = 500; break;
	case F_503: e.status = 503; break;
	case F_529: e.status = k == K_ANTHROPIC ? 529 : 503; break;
	default: break;
	}
	return e;
}

/* The words and message of one error, per failure and kind. type is the kind's error type
 * (gemini: its status word), msg a format taking one string: the model, the masked key or
 * fakeprov's own detail. The last entry of each table, F_NONE, is the fallback. */
struct errtext {
	enum failure f;
	const char *type;
	const char *code;
	const char *param;
	const char *msg;
};

#define OA_KEYS "You can find your API key at https://platform.openai.com/account/api-keys."
static const struct errtext openai_errors[] = {
	{F_401, "invalid_request_error", "invalid_api_key", NULL,
	 "Incorrect API key provided: %s. " OA_KEYS},
	{F_NO_KEY, "invalid_request_error", NULL, NULL,
	 "You didn't provide an API key. You need to provide your API key in an Authorization "
	 "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). " OA_KEYS},
	{F_403, "invalid_request_error", "model_not_found", NULL,
	 "Project does not have access to model `%s`."},
	{F_404, "invalid_request_error", "model_not_found", NULL,
	 "The model `%s` does not exist or you do not have access to it."},
	{F_429, "requests", "rate_limit_exceeded", NULL,
	 "Rate limit reached for fake-gpt-1 in organization org-fake on requests per min (RPM): "
	 "Limit 3, Used 3, Requested 1. Please try again in 1s."},
	{F_QUOTA, "insufficient_quota", "insufficient_quota", NULL,
	 "You exceeded your current quota, please check your plan and billing details."},
	{F_500, "server_error", NULL, NULL,
	 "The server had an error while processing your request. Sorry about that!"},
	{F_503, "server_error", NULL, NULL,
	 "The engine is currently overloaded, please try again later"},
	{F_NO_MODEL, "invalid_request_error", NULL, NULL, "you must provide a model parameter"},
	{F_NO_REPLAY, "invalid_request_error", "model_not_found", NULL, "fakeprov: no fixture %s"},
	{F_SCENARIO, "invalid_request_error", NULL, "model",
	 "fakeprov: unknown scenario word \"%s\""},
	{F_NONE, "invalid_request_error", "invalid_value", "temperature",
	 "Invalid value for 'temperature': expected a number."},
};

static const struct errtext azure_errors[] = {
	{F_401, NULL, "401", NULL,
	 "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
	 "provide a valid key for an active subscription and use a correct regional API endpoint "
	 "for your resource."},
	{F_403, NULL, "403", NULL, "Public access is disabled. Please configure private endpoint."},
	{F_404, NULL, "DeploymentNotFound", NULL,
	 "The API deployment for this resource does not exist. If you created the deployment "
	 "within the last 5 minutes, please wait a moment and try again."},
	{F_429, NULL, "429", NULL,
	 "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version "
	 "2024-10-21 have exceeded call rate limit of your current OpenAI S0 pricing tier. "
	 "Please retry after 1 second."},
	{F_500, NULL, "InternalServerError", NULL,
	 "The service encountered an internal error. Please retry your request."},
	{F_503, NULL, "ServiceUnavailable", NULL,
	 "The service is temporarily unable to process your request. Please try again later."},
	{F_NO_API_VERSION, NULL, "BadRequest", NULL,
	 "Missing API version parameter: api-version is required."},
	{F_SCENARIO, NULL, "BadRequest", NULL, "fakeprov: unknown scenario word \"%s\""},
	{F_NONE, NULL, "BadRequest", NULL, "Invalid request (fake e400)."},
};

static const struct errtext anthropic_errors[] = {
	{F_401, "authentication_error", NULL, NULL, "invalid x-api-key"},
	{F_403, "permission_error", NULL, NULL,
	 "Your API key does not have permission to use the specified resource."},
	{F_404, "not_found_error", NULL, NULL, "model: %s"},
	{F_429, "rate_limit_error", NULL, NULL,
	 "This request would exceed the rate limit for your organization of 5 requests per "
	 "minute. Please try again later."},
	{F_QUOTA, "invalid_request_error", NULL, NULL,
	 "Your credit balance is too low to access the Anthropic API. Please go to Plans & "
	 "Billing to upgrade or purchase credits."},
	{F_500, "api_error", NULL, NULL, "Internal server error"},
	{F_503, "api_error", NULL, NULL, "Service unavailable"},
	{F_529, "overloaded_error", NULL, NULL, "Overloaded"},
	{F_NO_MODEL, "invalid_request_error", NULL, NULL, "model: Field required"},
	{F_SCENARIO, "invalid_request_error", NULL, NULL, "fakeprov: unknown scenario word \"%s\""},
	{F_VERTEX_BODY, "invalid_request_error", NULL, NULL,
	 "fakeprov: Vertex wants \"anthropic_version\": \"vertex-2023-10-16\" in the body and no "
	 "\"model\" (%s)"},
	{F_NONE, "invalid_request_error", NULL, NULL, "messages: at least one message is required"},
};

static const struct errtext gemini_errors[] = {
	{F_401, "UNAUTHENTICATED", NULL, NULL,
	 "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
	 "cookie or other valid authentication credential. See "
	 "https://developers.google.com/identity/sign-in/web/devconsole-project."},
	{F_403, "PERMISSION_DENIED", NULL, NULL, "The caller does not have permission"},
	{F_404, "NOT_FOUND", NULL, NULL,
	 "models/%s is not found for API version v1beta, or is not supported for "
	 "generateContent. Call ListModels to see the list of available models and their "
	 "supported methods."},
	{F_429, "RESOURCE_EXHAUSTED", NULL, NULL,
	 "You exceeded your current quota, please check your plan and billing details. For more "
	 "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. "
	 "Please retry in 1s."},
	{F_500, "INTERNAL", NULL, NULL,
	 "An internal error has occurred. Please retry or report in "
	 "https://developers.generativeai.google/guide/troubleshooting"},
	{F_503, "UNAVAILABLE", NULL, NULL, "The model is overloaded. Please try again later."},
	{F_NO_ALT_SSE, "INVALID_ARGUMENT", NULL, NULL,
	 "fakeprov: streamGenerateContent needs ?alt=sse (without it the real service streams "
	 "one JSON array, not SSE)"},
	{F_SCENARIO, "INVALID_ARGUMENT", NULL, NULL, "fakeprov: unknown scenario word \"%s\""},
	{F_NONE, "INVALID_ARGUMENT", NULL, NULL, "Request contains an invalid argument."},
};

static const struct errtext ollama_errors[] = {
	{F_401, NULL, NULL, NULL, "unauthorized"},
	{F_403, NULL, NULL, NULL, "forbidden"},
	{F_404, NULL, NULL, NULL, "model \"%s\" not found, try pulling it first"},
	{F_429, NULL, NULL, NULL, "too many requests"},
	{F_500, NULL, NULL, NULL, "an error was encountered while running the model"},
	{F_503, NULL, NULL, NULL,
	 "server busy, please try again.  maximum pending requests exceeded"},
	{F_NO_MODEL, NULL, NULL, NULL, "model is required"},
	{F_SCENARIO, NULL, NULL, NULL, "fakeprov: unknown scenario word \"%s\""},
	{F_NONE, NULL, NULL, NULL, "invalid request (fake e400)"},
};

/* Bedrock: {"message": ...}, the type in the x-amzn-ErrorType header. */
static const struct errtext bedrock_errors[] = {
	{F_401, "UnrecognizedClientException", NULL, NULL,
	 "The security token included in the request is invalid."},
	{F_403, "AccessDeniedException", NULL, NULL,
	 "You don't have access to the model with the specified model ID."},
	{F_404, "ResourceNotFoundException", NULL, NULL, "Model %s not found."},
	{F_429, "ThrottlingException", NULL, NULL,
	 "Too many requests, please wait before trying again."},
	{F_500, "InternalServerException", NULL, NULL,
	 "The system encountered an unexpected error during processing. Try your request again."},
	{F_503, "ServiceUnavailableException", NULL, NULL, "Bedrock is unable to process your "
	 "request."},
	{F_NO_SIGNATURE, "IncompleteSignatureException", NULL, NULL,
	 "fakeprov: no AWS4-HMAC-SHA256 signature for the bedrock service with an x-amz-date, "
	 "nor a bearer key (%s)"},
	{F_SCENARIO, "ValidationException", NULL, NULL, "fakeprov: unknown scenario word \"%s\""},
	{F_NONE, "ValidationException", NULL, NULL, "invalid request (fake e400)"},
};

/* Failures that share one text: 429 with either header, and per kind the nearest one. */
static enum failure err_alias(enum kind k, enum failure f)
{
	if (f == F_429MS ||
	    (f == F_QUOTA && (k == K_AZURE || k == K_OLLAMA || k == K_GEMINI || k == K_BEDROCK)))
		return F_429;
	if (f == F_529 && k != K_ANTHROPIC)
		return F_503;
	if (f == F_NO_REPLAY && k != K_OPENAI)
		return F_404;
	return f;
}

static const struct errtext *err_text(enum kind k, enum failure f)
{
#define TABLE(t) {t, sizeof t / sizeof *t}
	static const struct {
		const struct errtext *t;
		size_t n;
	} tables[] = {
		[K_OPENAI] = TABLE(openai_errors),
		[K_ANTHROPIC] = TABLE(anthropic_errors),
		[K_GEMINI] = TABLE(gemini_errors),
		[K_OLLAMA] = TABLE(ollama_errors),
		[K_AZURE] = TABLE(azure_errors),
		[K_RESPONSES] = TABLE(openai_errors),
		[K_BEDROCK] = TABLE(bedrock_errors),
	};
#undef TABLE
	f = err_alias(k, f);
	for (size_t i = 0; i + 1 < tables[k].n; i++)
		if (tables[k].t[i].f == f)
			return &tables[k].t[i];
	return &tables[k].t[tables[k].n - 1];
}

static json_t *google_detail(const char *type)
{
	struct sbuf t = {0};
	sb_printf(&t, "type.googleapis.com/google.rpc.%s", type);
	json_t *d = json_pack("{s:s}", "@type", t.p);
	sb_free(&t);
	return d;
}

/* google.rpc.Status details of a 429: which quota, where to read more, when to retry. */
static json_t *gemini_quota_details(int daily)
{
	json_t *details = json_array(), *d;
	d = google_detail("QuotaFailure");
	json_object_set_new(d, "violations", json_pack("[{s:s,s:s,s:{s:s,s:s},s:s}]", "quotaMetric",
		"generativelanguage.googleapis.com/generate_content_free_tier_requests",
		"quotaId", daily ? "GenerateRequestsPerDayPerProjectPerModel-FreeTier"
				 : "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
		"quotaDimensions", "location", "global", "model", "fake-gemini-1",
		"quotaValue", daily ? "250" : "10"));
	json_array_append_new(details, d);
	d = google_detail("Help");
	json_object_set_new(d, "links", json_pack("[{s:s,s:s}]", "description",
		"Learn more about Gemini API quotas", "url",
		"https://ai.google.dev/gemini-api/docs/rate-limits"));
	json_array_append_new(details, d);
	d = google_detail("RetryInfo");
	json_object_set_new(d, "retryDelay", json_string("1s"));
	json_array_append_new(details, d);
	return details;
}

/* An HTTP error in the kind's own envelope. arg fills the message's %s: the model, or
 * fakeprov's detail for its own complaints (unknown word, missing fixture). */
static void send_error(struct conn *c, const struct req *r, enum kind k, enum failure f,
		       const char *arg)
{
	struct errinfo ei = err_status(k, f);
	struct sbuf msg = {0}, key = {0};
	json_t *j;
	if (k == K_OPENAI && f == F_401) {
		masked_key(r, k, &key);
		if (!key.len)
			f = F_NO_KEY;
		else
			arg = key.p;
	}
	const struct errtext *t = err_text(k, f);
	sb_printf(&msg, t->msg, arg ? arg : "");
	switch (k) {
	case K_OPENAI: case K_RESPONSES:
		j = json_pack("{s:{s:s,s:s,s:s?,s:s?}}", "error", "message", msg.p, "type", t->type,
			      "param", t->param, "code", t->code);
		respond_json(c, ei.status, ei.extra_headers, j, 4);
		break;
	case K_AZURE:
		j = json_pack("{s:{s:s,s:s}}", "error", "code", t->code, "message", msg.p);
		respond_json(c, ei.status, ei.extra_headers, j, 0);
		break;
	case K_ANTHROPIC:
		j = json_pack("{s:s,s:{s:s,s:s},s:s}", "type", "error", "error", "type", t->type,
			      "message", msg.p, "request_id", "req_011CfakeRequest0123456789");
		respond_json(c, ei.status, ei.extra_headers, j, 0);
		break;
	case K_GEMINI:
		j = json_pack("{s:i,s:s,s:s}", "code", ei.status, "message", msg.p, "status",
			      t->type);
		if (ei.status == 429)
			json_object_set_new(j, "details", gemini_quota_details(f == F_QUOTA));
		respond_json(c, ei.status, ei.extra_headers, json_pack("{s:o}", "error", j), 2);
		break;
	case K_OLLAMA:
		respond_json(c, ei.status, ei.extra_headers, json_pack("{s:s}", "error", msg.p), 0);
		break;
	case K_BEDROCK: {
		struct sbuf h = {0};
		sb_printf(&h, "%sx-amzn-ErrorType: %s:http://internal.amazon.com/coral/"
			  "com.amazon.bedrock/\r\n", ei.extra_headers ? ei.extra_headers : "",
			  t->type);
		respond_json(c, ei.status, h.p, json_pack("{s:s}", "message", msg.p), 0);
		sb_free(&h);
		break;
	}
	}
	sb_free(&msg);
	sb_free(&key);
}

/* ---------------------------------------------------------------- answer content */

/* Fragments are JSON string contents, already escaped. */
static const char *const reasoning_frags[] = {"Considering", " how to greet", " the user."};
static const char *const escapes_frags[] = {
	"Clear\\u001b[2J screen, ",
	"now \\u001b[31mred\\u001b[0m text, ",
	"clipboard \\u001b]52;c;ZWNob",
	"yBwd25lZA==\\u0007 set, title \\u001b]0;pwned\\u0007 set, ",
	"C1 \\u009b31m CSI, bidi \\u202eevil\\u202c done.",
};
/* Raw bytes, escaped on the way out: invalid UTF-8 stays raw inside the JSON string. */
static const char *const badutf8_texts[] = {
	"Bad \xC0\xAF bytes", ", a lone \xFF here", ", a cut \xE2\x82", " end.",
};
static const char *const cjk_texts[] = {
	"你好，世界！", " こんにちは。", " 안녕하세요.", " 🍒 cherry 🎉👍🏽",
};
/* A Markdown answer, cut inside markers, words and a fence, as models stream. */
static const char *const markdown_texts[] = {
	"# Rendered\n\nSome **bo", "ld** and *it*, `co", "de span`, ~~gone~~ and a ",
	"[link](http://ex.am/ple).\n\n- one\n- two\n  - [x] done\n\n> a quote\n\n",
	"| Name | Qty |\n|:-----|----:|\n| apple | 3 |\n| \xE6\xA2\xA8 | 12 |\n\n",
	"```python\ndef f(x):\n    return x", " + 1  # add\n```\n\nMath: $\\alpha^2 \\le ",
	"\\frac{a}{b}$.\n",
};

static const char *const long_words[] = {
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
	"juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
	"sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "42",
	"3.14159", "(parens)", "\"quoted\"", "back\\slash", "a/b", "x<y>z", "50%", "#hash",
	"[brackets]", "{braces}", "semi;colon", "tab\there", "end.",
};

#define LONG_TEXT_BYTES 12  /* a few words: 260-odd bytes per OpenAI event, long:20000 ~5 MB */

/* Varied ASCII for delta number i: words picked by a generator seeded with i. */
static void long_text(struct sbuf *raw, unsigned long i, size_t want, int newline)
{
	unsigned s = (unsigned)(i * 2654435761u) | 1u;
	sb_printf(raw, "[%lu] ", i);
	while (raw->len < want) {
		sb_adds(raw, long_words[rng_next(&s) % (sizeof long_words / sizeof *long_words)]);
		sb_addc(raw, ' ');
	}
	if (newline)
		sb_addc(raw, '\n');
}

#define MDLONG_DELTA 256 /* bytes of Markdown per delta: mdlong:20000 is a ~5 MB answer */

/* Section k of the long Markdown answer: a heading, a paragraph with inline markup and a
 * link, nested and numbered lists with a task, a table, a code block (python, c or js
 * by turn) and a quote; it ends after a blank line, outside every block. */
static void mdlong_section(struct sbuf *b, unsigned long k)
{
	sb_printf(b, "## Section %lu\n\nA paragraph with **bold %lu**, *emphasis*, "
		  "~~struck~~, `inline_code(%lu)` and a [link](https://example.com/doc/%lu). "
		  "It goes on for a while so that it wraps on a normal terminal, with words "
		  "like alpha bravo charlie delta echo foxtrot and $x^2 + y_%lu$.\n\n",
		  k, k, k, k, k % 10);
	sb_printf(b, "- item one of %lu\n- item two with `code`\n  - nested bravo\n"
		  "  - [x] a done task\n  - [ ] an open one\n- item three\n\n"
		  "1. first step\n2. second step\n3. third step\n\n", k);
	sb_printf(b, "| Name | Qty | Note |\n|:-----|----:|:----:|\n| apple | %lu | fresh |\n"
		  "| pear | 12 | ripe and sweet |\n| plum | 7 | `dried` |\n| fig | %lu | **best** |\n\n",
		  k, k * 3);
	if (k % 3 == 0)
		sb_printf(b, "```python\ndef f_%lu(x):\n    \"\"\"Doc string\n    over lines.\"\"\"\n"
			  "    # a comment\n    return [x * %lu + i for i in range(10)]\n\n"
			  "print(f_%lu(3), 'done')\n```\n\n", k, k, k);
	else if (k % 3 == 1)
		sb_printf(b, "```c\n#include <stdio.h>\n/* block %lu\n * comment */\nint f(int x)\n"
			  "{\n\treturn x * %lu; // times\n}\n"
			  "int main(void) { printf(\"%%d\\n\", f(%lu)); }\n```\n\n", k, k, k);
	else
		sb_printf(b, "```js\nconst f = (x) => {\n  // arrow %lu\n  return `v${x * %lu}`;\n"
			  "};\nconsole.log(f(%lu), \"done\");\n```\n\n", k, k, k);
	sb_printf(b, "> A quote about section %lu,\n> on two lines.\n\n", k);
}

/* The text of the last user message, whatever shape the kind gives it. */
static void append_parts(struct sbuf *out, json_t *content, const char *text_key)
{
	if (json_is_string(content)) {
		sb_add(out, json_string_value(content), json_string_length(content));
		return;
	}
	size_t i;
	json_t *part;
	json_array_foreach(content, i, part) {
		json_t *t = json_object_get(part, text_key);
		if (json_is_string(t))
			sb_add(out, json_string_value(t), json_string_length(t));
	}
}

static void echo_text(const struct req *r, enum kind k, struct sbuf *out)
{
	json_t *list = json_object_get(r->json, k == K_GEMINI	      ? "contents"
						: k == K_RESPONSES ? "input"
								   : "messages");
	for (size_t i = json_array_size(list); i-- > 0;) {
		json_t *m = json_array_get(list, i);
		json_t *role = json_object_get(m, "role");
		if (role && !(json_is_string(role) && !strcmp(json_string_value(role), "user")))
			continue;
		if (k == K_GEMINI)
			append_parts(out, json_object_get(m, "parts"), "text");
		else
			append_parts(out, json_object_get(m, "content"), "text");
		return;
	}
}

struct gen {
	const struct scenario *sc;
	enum kind kind;
	int phase;          /* 0 reasoning, 1 answer, 2 done */
	unsigned long i;
	struct sbuf raw;    /* unescaped text */
	struct sbuf echo;   /* echo: the whole text */
	size_t echo_pos;
	unsigned long i_section; /* mdlong: the next section */
};

/* Next delta into frag (escaped); returns 0 at the end, 1 answer text, 2 reasoning. */
static int gen_next(struct gen *g, struct sbuf *frag)
{
	sb_clear(frag);
	sb_clear(&g->raw);
	if (g->phase == 0) {
		if (g->sc->reasoning && g->i < 3) {
			sb_adds(frag, reasoning_frags[g->i++]);
			return 2;
		}
		g->phase = 1;
		g->i = 0;
	}
	if (g->phase != 1)
		return 0;
	unsigned long i = g->i++;
	switch (g->sc->content) {
	case C_HELLO:
		if (i == 0) sb_adds(frag, "Hello");
		else if (i == 1) sb_adds(frag, " from");
		else if (i == 2) sb_adds(frag, " fake");
		else if (i == 3) sb_printf(frag, " %s!", kind_names[g->kind]);
		else break;
		return 1;
	case C_LONG:
		if (i >= (unsigned long)g->sc->long_n)
			break;
		long_text(&g->raw, i + 1, LONG_TEXT_BYTES, (i + 1) % 8 == 0);
		sb_json_esc(frag, g->raw.p, g->raw.len);
		return 1;
	case C_BIGLINE:
		if (i)
			break;
		for (unsigned long k = 1; g->raw.len < g->sc->bigline_bytes - 1024; k++)
			long_text(&g->raw, k, g->raw.len + 200, 0);
		sb_json_esc(frag, g->raw.p, g->raw.len);
		return 1;
	case C_BADUTF8:
		if (i >= sizeof badutf8_texts / sizeof *badutf8_texts)
			break;
		sb_json_esc(frag, badutf8_texts[i], strlen(badutf8_texts[i]));
		return 1;
	case C_ESCAPES:
		if (i >= sizeof escapes_frags / sizeof *escapes_frags)
			break;
		sb_adds(frag, escapes_frags[i]);
		return 1;
	case C_CJK:
		if (i >= sizeof cjk_texts / sizeof *cjk_texts)
			break;
		sb_json_esc(frag, cjk_texts[i], strlen(cjk_texts[i]));
		return 1;
	case C_MDLONG: {
		/* MDLONG_DELTA bytes of the sections at a time; the last delta ends the section
		 * it is in and says the end */
		if (i >= (unsigned long)g->sc->long_n)
			break;
		while (g->echo.len - g->echo_pos < MDLONG_DELTA)
			mdlong_section(&g->echo, g->i_section++);
		size_t n = MDLONG_DELTA;
		if (i + 1 == (unsigned long)g->sc->long_n) {
			sb_printf(&g->echo, "The end: mdlong-end-%ld.\n", g->sc->long_n);
			n = g->echo.len - g->echo_pos;
		}
		sb_json_esc(frag, g->echo.p + g->echo_pos, n);
		g->echo_pos += n;
		if (g->echo_pos > (1u << 16)) {
			memmove(g->echo.p, g->echo.p + g->echo_pos, g->echo.len - g->echo_pos);
			g->echo.len -= g->echo_pos;
			g->echo_pos = 0;
		}
		return 1;
	}
	case C_MARKDOWN:
		if (i >= sizeof markdown_texts / sizeof *markdown_texts)
			break;
		sb_json_esc(frag, markdown_texts[i], strlen(markdown_texts[i]));
		return 1;
	case C_ECHO: {
		/* pieces of up to 16 bytes, cut only between characters */
		size_t left = g->echo.len - g->echo_pos;
		if (!left)
			break;
		size_t n = left < 16 ? left : 16;
		while (n < left && (g->echo.p[g->echo_pos + n] & 0xC0) == 0x80)
			n++;
		sb_json_esc(frag, g->echo.p + g->echo_pos, n);
		g->echo_pos += n;
		return 1;
	}
	case C_REPLAY:
		break;
	}
	g->phase = 2;
	return 0;
}

/* ---------------------------------------------------------------- streams per kind */

#define OA_ID "chatcmpl-fake0123456789abcdefghijklm"
#define OA_CREATED "1727346168"
#define OA_MODEL "fake-gpt-1"
#define OA_FP "fp_fake0001"
#define OA_HEAD "{\"id\":\"" OA_ID "\",\"object\":\"chat.completion.chunk\",\"created\":" \
	OA_CREATED ",\"model\":\"" OA_MODEL "\",\"system_fingerprint\":\"" OA_FP "\",\"choices\":["
#define AZ_TAIL "\"created\":" OA_CREATED ",\"id\":\"" OA_ID "\",\"model\":\"" OA_MODEL \
	"\",\"object\":\"chat.completion.chunk\",\"system_fingerprint\":\"" OA_FP "\""
#define AZ_FILTERS "{\"hate\":{\"filtered\":false,\"severity\":\"safe\"},\"self_harm\":" \
	"{\"filtered\":false,\"severity\":\"safe\"},\"sexual\":{\"filtered\":false,\"severity\":" \
	"\"safe\"},\"violence\":{\"filtered\":false,\"severity\":\"safe\"}}"
#define AN_SIGNATURE "EqQBCgIYAhIMfakeSignature0123456789abcdefghijklmnopqrstuvwxyzAB=="
#define GE_TAIL ",\"modelVersion\": \"fake-gemini-1\",\"responseId\": \"fakeResp0123456789\"}"
#define OL_HEAD "{\"model\":\"fake-llama:latest\",\"created_at\":\"2025-10-26T17:15:24.097767Z\","
#define OA_USAGE_CHUNK OA_HEAD "],\"usage\":{\"prompt_tokens\":%d,\"completion_tokens\":%d," \
	"\"total_tokens\":%d,\"completion_tokens_details\":{\"reasoning_tokens\":%d}}}"
#define AZ_PROMPT_CHUNK "{\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\"," \
	"\"object\":\"\",\"prompt_filter_results\":[{\"prompt_index\":0," \
	"\"content_filter_results\":" AZ_FILTERS "}]}"
#define AZ_USAGE_CHUNK "{\"choices\":[]," AZ_TAIL ",\"usage\":{\"completion_tokens\":%d," \
	"\"completion_tokens_details\":{\"reasoning_tokens\":%d},\"prompt_tokens\":%d," \
	"\"total_tokens\":%d}}"
#define AN_MESSAGE_START "{\"type\":\"message_start\",\"message\":{\"id\":" \
	"\"msg_01Fake0123456789abcdefgh\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" \
	"\"fake-claude-1\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null," \
	"\"usage\":{\"input_tokens\":%d,\"cache_creation_input_tokens\":0," \
	"\"cache_read_input_tokens\":0,\"output_tokens\":1}}}"
/* errors inside a 200 stream */
#define OA_MIDFAIL "{\"error\":{\"message\":\"The server had an error while processing your " \
	"request. Sorry about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"
#define AN_MIDFAIL "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"," \
	"\"message\":\"Overloaded\"}}"
#define GE_MIDFAIL "{\"error\": {\"code\": 500,\"message\": \"An internal error has occurred. " \
	"Please retry or report in " \
	"https://developers.generativeai.google/guide/troubleshooting\",\"status\": \"INTERNAL\"}}"
#define OL_MIDFAIL "{\"error\":\"an error was encountered while running the model\"}"
/* "rawerror": bare, pretty-printed bodies that end a stream without "data:" */
#define GE_RAWERROR "{\n  \"error\": {\n    \"code\": 500,\n    \"message\": \"Internal " \
	"error encountered.\",\n    \"status\": \"INTERNAL\"\n  }\n}\n"
#define OA_RAWERROR "{\n  \"error\": {\n    \"message\": \"The server had an error while " \
	"processing your request.\",\n    \"type\": \"server_error\",\n    \"param\": null,\n" \
	"    \"code\": null\n  }\n}\n"
#define AN_RAWERROR "{\n  \"type\": \"error\",\n  \"error\": {\n    \"type\": \"api_error\"," \
	"\n    \"message\": \"Internal server error\"\n  }\n}\n"
#define RS_RESPONSE(status, usage) "{\"id\":\"resp_fake0123456789\",\"object\":\"response\"," \
	"\"created_at\":1741290958,\"status\":\"" status "\",\"error\":null," \
	"\"incomplete_details\":null,\"model\":\"fake-gpt-5\",\"output\":[],\"usage\":" usage "}"
#define RS_MIDFAIL "\"code\":\"server_error\",\"message\":\"The server had an error while " \
	"processing your request.\",\"param\":null"
/* "refusal": Anthropic's documented explanation */
#define REFUSAL_CATEGORY "cyber"
#define REFUSAL_TEXT "This request was declined because it could enable cyber harm."

struct stream {
	struct conn *c;
	enum kind kind;
	const struct scenario *sc;
	struct sbuf ev;
	long events;       /* stream events sent, for keep-alive comments */
	int text_n, reason_n;
	int block;         /* anthropic: open content block index, -1 none */
	int block_thinking;
	int next_block;
	int deltas;        /* deltas sent, for "slow" */
	int seq;           /* responses: the next sequence_number */
};

/* Sends s->ev as one stream write, with keep-alive comments when asked. */
static void ev_send(struct stream *s)
{
	struct conn *c = s->c;
	if (s->sc->comments && s->kind != K_OLLAMA && s->kind != K_ANTHROPIC) {
		static const char first[] = ": OPENROUTER PROCESSING\n\n";
		static const char glued[] = ": keep-alive\n\n";
		if (!s->events) {
			emit(c, first, sizeof first - 1);
		} else {
			struct sbuf t = {0};
			sb_add(&t, glued, sizeof glued - 1);
			sb_add(&t, s->ev.p, s->ev.len);
			emit(c, t.p, t.len);
			sb_free(&t);
			s->events++;
			return;
		}
	}
	emit(c, s->ev.p, s->ev.len);
	s->events++;
}

static void sse_data(struct stream *s, const char *event, const char *json)
{
	sb_clear(&s->ev);
	if (event)
		sb_printf(&s->ev, "event: %s\n", event);
	sb_printf(&s->ev, "data: %s\n\n", json);
	ev_send(s);
}

/* The JSON of one event is assembled in j, then framed. */
static void send_json_event(struct stream *s, const char *event, struct sbuf *j)
{
	sb_clear(&s->ev);
	if (s->kind == K_OLLAMA) {
		sb_add(&s->ev, j->p, j->len);
		sb_addc(&s->ev, '\n');
	} else {
		if (event)
			sb_printf(&s->ev, "event: %s\n", event);
		sb_adds(&s->ev, "data: ");
		sb_add(&s->ev, j->p, j->len);
		sb_adds(&s->ev, "\n\n");
	}
	ev_send(s);
}

/* openai and azure: a chunk with one choice carrying delta (JSON) and finish reason. */
static void oa_chunk(struct stream *s, const char *delta, const char *finish, int filtered)
{
	struct sbuf j = {0};
	if (s->kind == K_AZURE) {
		sb_printf(&j, "{\"choices\":[{\"content_filter_results\":%s,\"delta\":%s,"
			  "\"finish_reason\":", filtered ? AZ_FILTERS : "{}", delta);
		sb_printf(&j, finish ? "\"%s\"" : "null", finish);
		sb_adds(&j, ",\"index\":0,\"logprobs\":null}]," AZ_TAIL "}");
	} else {
		sb_printf(&j, OA_HEAD "{\"index\":0,\"delta\":%s,\"logprobs\":null,"
			  "\"finish_reason\":", delta);
		sb_printf(&j, finish ? "\"%s\"" : "null", finish);
		sb_adds(&j, "}]}");
	}
	send_json_event(s, NULL, &j);
	sb_free(&j);
}

static void an_event(struct stream *s, const char *name, const char *json)
{
	sse_data(s, name, json);
}

static void an_block_start(struct stream *s, int thinking)
{
	struct sbuf j = {0};
	s->block = s->next_block++;
	s->block_thinking = thinking;
	sb_printf(&j, "{\"type\":\"content_block_start\",\"index\":%d,\"content_block\":%s}",
		  s->block, thinking ? "{\"type\":\"thinking\",\"thinking\":\"\"}"
				     : "{\"type\":\"text\",\"text\":\"\"}");
	an_event(s, "content_block_start", j.p);
	sb_free(&j);
	if (s->block == 0)
		an_event(s, "ping", "{\"type\": \"ping\"}");
}

static void an_block_stop(struct stream *s)
{
	struct sbuf j = {0};
	if (s->block < 0)
		return;
	if (s->block_thinking) {
		sb_printf(&j, "{\"type\":\"content_block_delta\",\"index\":%d,\"delta\":"
			  "{\"type\":\"signature_delta\",\"signature\":\"" AN_SIGNATURE "\"}}",
			  s->block);
		an_event(s, "content_block_delta", j.p);
		sb_clear(&j);
	}
	sb_printf(&j, "{\"type\":\"content_block_stop\",\"index\":%d}", s->block);
	an_event(s, "content_block_stop", j.p);
	sb_free(&j);
	s->block = -1;
}

static void ge_usage(struct stream *s, struct sbuf *j, int final)
{
	int total = PROMPT_TOKENS + s->reason_n + (final ? s->text_n : 0);
	sb_printf(j, ",\"usageMetadata\": {\"promptTokenCount\": %d,", PROMPT_TOKENS);
	if (final)
		sb_printf(j, "\"candidatesTokenCount\": %d,", s->text_n);
	sb_printf(j, "\"totalTokenCount\": %d,\"promptTokensDetails\": [{\"modality\": \"TEXT\","
		  "\"tokenCount\": %d}]", total, PROMPT_TOKENS);
	if (s->reason_n)
		sb_printf(j, ",\"thoughtsTokenCount\": %d", s->reason_n);
	sb_adds(j, "}");
}

/* bedrock: one event-stream message; an event (type = :event-type) or an exception
 * (type = :exception-type). "badcrc" spoils the second delta's message CRC. */
static void br_message(struct stream *s, const char *mtype, const char *type, const char *json)
{
	static const char *const event_names[] = {":event-type", ":content-type", ":message-type"};
	static const char *const exc_names[] = {":exception-type", ":content-type",
						":message-type"};
	const char *values[] = {type, "application/json", mtype};
	unsigned char *m;
	size_t n;
	if (fp_evs_message(strcmp(mtype, "event") ? exc_names : event_names, values, 3, json,
			   strlen(json), &m, &n) < 0)
		die("out of memory");
	if (s->sc->badcrc && s->deltas == 2 && !strcmp(type, "contentBlockDelta"))
		m[n - 1] ^= 0xff;
	emit(s->c, (const char *)m, n);
	s->events++;
	free(m);
}

static void br_block_stop(struct stream *s)
{
	struct sbuf j = {0};
	if (s->block < 0)
		return;
	sb_printf(&j, "{\"contentBlockIndex\":%d,\"p\":\"abcdefghijklmnopqrstuvw\"}", s->block);
	br_message(s, "event", "contentBlockStop", j.p);
	sb_free(&j);
	s->block = -1;
}

/* messageStop with its stopReason, then metadata (usage), as ConverseStream ends. */
static void br_end(struct stream *s, const char *reason)
{
	struct sbuf j = {0};
	int out_tokens = s->text_n + s->reason_n;
	br_block_stop(s);
	sb_printf(&j, "{\"p\":\"abcdefghijklmnopq\",\"stopReason\":\"%s\"}", reason);
	br_message(s, "event", "messageStop", j.p);
	sb_clear(&j);
	sb_printf(&j, "{\"metrics\":{\"latencyMs\":421},\"p\":\"abcdefgh\",\"usage\":"
		  "{\"inputTokens\":%d,\"outputTokens\":%d,\"totalTokens\":%d}}", PROMPT_TOKENS,
		  out_tokens, PROMPT_TOKENS + out_tokens);
	br_message(s, "event", "metadata", j.p);
	sb_free(&j);
}

/* responses: one typed event; body is the JSON members after "type" (without braces). */
static void rs_event(struct stream *s, const char *type, const char *body)
{
	struct sbuf j = {0};
	sb_printf(&j, "{\"type\":\"%s\",%s,\"sequence_number\":%d}", type, body, s->seq++);
	send_json_event(s, type, &j);
	sb_free(&j);
}

/* responses: ends the open output item (a reasoning item or the message). */
static void rs_item_done(struct stream *s)
{
	struct sbuf b = {0};
	if (s->block < 0)
		return;
	if (s->block_thinking)
		sb_printf(&b, "\"output_index\":%d,\"item\":{\"id\":\"rs_fake%d\",\"type\":"
			  "\"reasoning\",\"summary\":[]}", s->block, s->block);
	else
		sb_printf(&b, "\"output_index\":%d,\"item\":{\"id\":\"msg_fake%d\",\"type\":"
			  "\"message\",\"status\":\"completed\",\"role\":\"assistant\","
			  "\"content\":[]}", s->block, s->block);
	rs_event(s, "response.output_item.done", b.p);
	sb_free(&b);
	s->block = -1;
}

/* responses: opens a reasoning item (with its summary part) or a message (with its
 * output_text part). */
static void rs_item_open(struct stream *s, int reasoning)
{
	struct sbuf b = {0};
	s->block = s->next_block++;
	s->block_thinking = reasoning;
	if (reasoning) {
		sb_printf(&b, "\"output_index\":%d,\"item\":{\"id\":\"rs_fake%d\",\"type\":"
			  "\"reasoning\",\"summary\":[]}", s->block, s->block);
		rs_event(s, "response.output_item.added", b.p);
		sb_clear(&b);
		sb_printf(&b, "\"item_id\":\"rs_fake%d\",\"output_index\":%d,\"summary_index\":0,"
			  "\"part\":{\"type\":\"summary_text\",\"text\":\"\"}", s->block, s->block);
		rs_event(s, "response.reasoning_summary_part.added", b.p);
	} else {
		sb_printf(&b, "\"output_index\":%d,\"item\":{\"id\":\"msg_fake%d\",\"type\":"
			  "\"message\",\"status\":\"in_progress\",\"role\":\"assistant\","
			  "\"content\":[]}", s->block, s->block);
		rs_event(s, "response.output_item.added", b.p);
		sb_clear(&b);
		sb_printf(&b, "\"item_id\":\"msg_fake%d\",\"output_index\":%d,\"content_index\":0,"
			  "\"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[]}",
			  s->block, s->block);
		rs_event(s, "response.content_part.added", b.p);
	}
	sb_free(&b);
}

static void st_begin(struct stream *s)
{
	switch (s->kind) {
	case K_OPENAI:
		oa_chunk(s, s->sc->reasoning == 1
			 ? "{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"\"}"
			 : "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", NULL, 0);
		break;
	case K_AZURE:
		sse_data(s, NULL, AZ_PROMPT_CHUNK);
		oa_chunk(s, s->sc->reasoning == 1
			 ? "{\"content\":null,\"reasoning_content\":\"\",\"role\":\"assistant\"}"
			 : "{\"content\":\"\",\"refusal\":null,\"role\":\"assistant\"}", NULL, 0);
		break;
	case K_ANTHROPIC: {
		struct sbuf j = {0};
		sb_printf(&j, AN_MESSAGE_START, PROMPT_TOKENS);
		an_event(s, "message_start", j.p);
		sb_free(&j);
		break;
	}
	case K_RESPONSES:
		rs_event(s, "response.created", "\"response\":" RS_RESPONSE("in_progress", "null"));
		rs_event(s, "response.in_progress", "\"response\":" RS_RESPONSE("in_progress", "null"));
		break;
	case K_BEDROCK:
		br_message(s, "event", "messageStart",
			   "{\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEFGH\",\"role\":\"assistant\"}");
		break;
	case K_GEMINI: case K_OLLAMA:
		break;
	}
}

/* One delta; frag is escaped JSON string content; last marks gemini's finishing chunk. */
static void st_delta(struct stream *s, int reasoning, const struct sbuf *frag, int last)
{
	struct sbuf j = {0};
	const struct scenario *sc = s->sc;
	if (!s->deltas && sc->late_ms)
		nap(s->c, sc->late_ms);
	if (s->deltas++ && sc->slow_ms)
		nap(s->c, sc->slow_ms);
	if (reasoning)
		s->reason_n++;
	else
		s->text_n++;
	switch (s->kind) {
	case K_OPENAI: case K_AZURE:
		if (reasoning && sc->reasoning == 2)
			sb_adds(&j, "{\"reasoning\":\"");
		else if (reasoning)
			sb_adds(&j, "{\"content\":null,\"reasoning_content\":\"");
		else
			sb_adds(&j, "{\"content\":\"");
		sb_add(&j, frag->p, frag->len);
		if (!reasoning && sc->reasoning == 1)
			sb_adds(&j, "\",\"reasoning_content\":null}");
		else
			sb_adds(&j, "\"}");
		oa_chunk(s, j.p, NULL, 1);
		break;
	case K_ANTHROPIC:
		if (s->block >= 0 && s->block_thinking != reasoning)
			an_block_stop(s);
		if (s->block < 0)
			an_block_start(s, reasoning);
		if (sc->comments)
			an_event(s, "ping", "{\"type\": \"ping\"}");
		sb_printf(&j, "{\"type\":\"content_block_delta\",\"index\":%d,\"delta\":{\"type\":"
			  "\"%s\",\"%s\":\"", s->block, reasoning ? "thinking_delta" : "text_delta",
			  reasoning ? "thinking" : "text");
		sb_add(&j, frag->p, frag->len);
		sb_adds(&j, "\"}}");
		an_event(s, "content_block_delta", j.p);
		break;
	case K_GEMINI:
		sb_adds(&j, "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"");
		sb_add(&j, frag->p, frag->len);
		sb_adds(&j, reasoning ? "\",\"thought\": true}]" : "\"}]");
		sb_adds(&j, ",\"role\": \"model\"}");
		if (last && !sc->nodone)
			sb_printf(&j, ",\"finishReason\": \"%s\"",
				  sc->length ? "MAX_TOKENS" : "STOP");
		sb_adds(&j, ",\"index\": 0}]");
		ge_usage(s, &j, last && !sc->nodone);
		sb_adds(&j, GE_TAIL);
		send_json_event(s, NULL, &j);
		break;
	case K_RESPONSES:
		if (s->block >= 0 && s->block_thinking != reasoning)
			rs_item_done(s);
		if (s->block < 0)
			rs_item_open(s, reasoning);
		if (reasoning)
			sb_printf(&j, "\"item_id\":\"rs_fake%d\",\"output_index\":%d,"
				  "\"summary_index\":0,\"delta\":\"", s->block, s->block);
		else
			sb_printf(&j, "\"item_id\":\"msg_fake%d\",\"output_index\":%d,"
				  "\"content_index\":0,\"delta\":\"", s->block, s->block);
		sb_add(&j, frag->p, frag->len);
		sb_addc(&j, '"');
		rs_event(s, reasoning ? "response.reasoning_summary_text.delta"
				      : "response.output_text.delta", j.p);
		break;
	case K_OLLAMA:
		sb_adds(&j, OL_HEAD "\"message\":{\"role\":\"assistant\",\"content\":\"");
		if (reasoning) {
			sb_adds(&j, "\",\"thinking\":\"");
			sb_add(&j, frag->p, frag->len);
		} else {
			sb_add(&j, frag->p, frag->len);
		}
		sb_adds(&j, "\"},\"done\":false}");
		send_json_event(s, NULL, &j);
		break;
	case K_BEDROCK:
		if (s->block >= 0 && s->block_thinking != reasoning)
			br_block_stop(s);
		if (s->block < 0) {
			s->block = s->next_block++;
			s->block_thinking = reasoning;
		}
		sb_printf(&j, "{\"contentBlockIndex\":%d,\"delta\":{%s\"text\":\"", s->block,
			  reasoning ? "\"reasoningContent\":{" : "");
		sb_add(&j, frag->p, frag->len);
		sb_adds(&j, reasoning ? "\"}}" : "\"}");
		sb_adds(&j, ",\"p\":\"abcdefghijk\"}");
		br_message(s, "event", "contentBlockDelta", j.p);
		break;
	}
	sb_free(&j);
}

/* responses: response.completed with usage, or response.incomplete (length). */
static void rs_finish(struct stream *s, int length)
{
	struct sbuf u = {0}, b = {0};
	int out_tokens = s->text_n + s->reason_n;
	sb_printf(&u, "{\"input_tokens\":%d,\"input_tokens_details\":{\"cached_tokens\":0},"
		  "\"output_tokens\":%d,\"output_tokens_details\":{\"reasoning_tokens\":%d},"
		  "\"total_tokens\":%d}", PROMPT_TOKENS, out_tokens, s->reason_n,
		  PROMPT_TOKENS + out_tokens);
	sb_printf(&b, "\"response\":{\"id\":\"resp_fake0123456789\",\"object\":\"response\","
		  "\"status\":\"%s\",\"error\":null,\"incomplete_details\":%s,\"model\":"
		  "\"fake-gpt-5\",\"output\":[],\"usage\":%s}", length ? "incomplete" : "completed",
		  length ? "{\"reason\":\"max_output_tokens\"}" : "null", u.p);
	rs_event(s, length ? "response.incomplete" : "response.completed", b.p);
	sb_free(&u);
	sb_free(&b);
}

/* The natural end: finish reason, usage and the kind's end marker. "nodone" sends none of
 * them (gemini: its last chunk has no finishReason), so the stream is cut off by every
 * definition: no [DONE] and no finish_reason, no message_stop and no stop_reason. */
static void st_finish(struct stream *s)
{
	struct sbuf j = {0};
	const struct scenario *sc = s->sc;
	int out_tokens = s->text_n + s->reason_n;
	if (sc->nodone)
		return;
	switch (s->kind) {
	case K_OPENAI: case K_AZURE:
		oa_chunk(s, "{}", sc->length ? "length" : "stop", 0);
		if (s->kind == K_AZURE)
			sb_printf(&j, AZ_USAGE_CHUNK, out_tokens, s->reason_n, PROMPT_TOKENS,
				  PROMPT_TOKENS + out_tokens);
		else
			sb_printf(&j, OA_USAGE_CHUNK, PROMPT_TOKENS, out_tokens,
				  PROMPT_TOKENS + out_tokens, s->reason_n);
		send_json_event(s, NULL, &j);
		sse_data(s, NULL, "[DONE]");
		break;
	case K_ANTHROPIC:
		if (s->block < 0 && !s->next_block)
			an_block_start(s, 0); /* an empty answer still has its text block */
		an_block_stop(s);
		sb_printf(&j, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"%s\","
			  "\"stop_sequence\":null},\"usage\":{\"output_tokens\":%d}}",
			  sc->length ? "max_tokens" : "end_turn", out_tokens);
		an_event(s, "message_delta", j.p);
		an_event(s, "message_stop", "{\"type\":\"message_stop\"}");
		break;
	case K_GEMINI:
		break; /* the last delta carried finishReason */
	case K_RESPONSES:
		rs_item_done(s);
		rs_finish(s, sc->length);
		break;
	case K_BEDROCK:
		br_end(s, sc->length ? "max_tokens" : "end_turn");
		break;
	case K_OLLAMA:
		sb_printf(&j, OL_HEAD "\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
			  "\"done\":true,\"done_reason\":\"%s\",\"total_duration\":4883583458,"
			  "\"load_duration\":1334875,\"prompt_eval_count\":%d,"
			  "\"prompt_eval_duration\":342546000,\"eval_count\":%d,"
			  "\"eval_duration\":4535599000}", sc->length ? "length" : "stop",
			  PROMPT_TOKENS, out_tokens);
		send_json_event(s, NULL, &j);
		break;
	}
	sb_free(&j);
}

/* An error inside the 200 stream, in the kind's own shape. */
static void st_midfail(struct stream *s)
{
	switch (s->kind) {
	case K_OPENAI: case K_AZURE:
		sse_data(s, NULL, OA_MIDFAIL);
		break;
	case K_ANTHROPIC:
		sse_data(s, "error", AN_MIDFAIL);
		break;
	case K_GEMINI:
		sse_data(s, NULL, GE_MIDFAIL);
		break;
	case K_RESPONSES:
		rs_event(s, "error", RS_MIDFAIL);
		break;
	case K_BEDROCK:
		br_message(s, "exception", "internalServerException",
			   "{\"message\":\"The system encountered an unexpected error during "
			   "processing. Try your request again.\"}");
		break;
	case K_OLLAMA: {
		struct sbuf j = {0};
		sb_adds(&j, OL_MIDFAIL);
		send_json_event(s, NULL, &j);
		sb_free(&j);
		break;
	}
	}
}

/* "rawerror": the kind's error body, pretty-printed, with no "data:" and no event name,
 * as Gemini ends a stream (ollama, NDJSON, sends its error line as for midfail). */
static void st_rawerror(struct stream *s)
{
	switch (s->kind) {
	case K_OPENAI: case K_AZURE: case K_RESPONSES:
		emit(s->c, OA_RAWERROR, sizeof OA_RAWERROR - 1);
		break;
	case K_ANTHROPIC:
		emit(s->c, AN_RAWERROR, sizeof AN_RAWERROR - 1);
		break;
	case K_GEMINI:
		emit(s->c, GE_RAWERROR, sizeof GE_RAWERROR - 1);
		break;
	case K_OLLAMA: case K_BEDROCK:
		st_midfail(s);
		break;
	}
}

/* "refusal": no answer text, the refusal in the kind's own shape, then a normal end. */
static void st_refusal(struct stream *s)
{
	struct sbuf j = {0};
	switch (s->kind) {
	case K_OPENAI: case K_AZURE:
		oa_chunk(s, "{\"content\":null,\"refusal\":\"" REFUSAL_TEXT "\"}", NULL, 0);
		oa_chunk(s, "{}", "stop", 0);
		sse_data(s, NULL, "[DONE]");
		break;
	case K_ANTHROPIC:
		/* no content block at all: only stop_details explains */
		sb_adds(&j, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"refusal\","
			"\"stop_sequence\":null,\"stop_details\":{\"type\":\"refusal\",\"category\":"
			"\"" REFUSAL_CATEGORY "\",\"explanation\":\"" REFUSAL_TEXT "\"}},"
			"\"usage\":{\"output_tokens\":0}}");
		an_event(s, "message_delta", j.p);
		an_event(s, "message_stop", "{\"type\":\"message_stop\"}");
		break;
	case K_RESPONSES:
		rs_event(s, "response.refusal.delta", "\"item_id\":\"msg_fake0\",\"output_index\":0,"
			 "\"content_index\":0,\"delta\":\"" REFUSAL_TEXT "\"");
		rs_finish(s, 0);
		break;
	case K_GEMINI:
		sb_adds(&j, "{\"candidates\": [{\"finishReason\": \"SAFETY\",\"index\": 0}]");
		sb_adds(&j, GE_TAIL);
		send_json_event(s, NULL, &j);
		break;
	case K_OLLAMA:
		sb_adds(&j, OL_HEAD "\"message\":{\"role\":\"assistant\",\"content\":\""
			REFUSAL_TEXT "\"},\"done\":true,\"done_reason\":\"stop\"}");
		send_json_event(s, NULL, &j);
		break;
	case K_BEDROCK:
		br_end(s, "content_filtered"); /* no content block at all */
		break;
	}
	sb_free(&j);
}

/* Keeps a silent socket open until the client leaves, STALL_MS pass, or we must stop. */
static void stall(struct conn *c)
{
	double end = now() + STALL_MS / 1000.0;
	char junk[4096];
	while (!c->dead && now() < end) {
		int r = wait_fd(c->fd, POLLIN, (int)((end - now()) * 1000) + 1);
		if (r <= 0)
			return;
		short ev;
		ssize_t n = conn_read(c->fd, junk, sizeof junk, &ev);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return;
	}
}

/* A slow drip: ":" and then "." every DRIP_MS, never a line end, until the client
 * leaves, STALL_MS pass, or we must stop. Every byte is fresh, but no line completes. */
static void drip(struct conn *c)
{
	double end = now() + STALL_MS / 1000.0;
	send_all(c, ":", 1);
	while (!c->dead && now() < end) {
		nap(c, DRIP_MS);
		send_all(c, ".", 1);
	}
}

/* Closes with a reset, not a FIN: the client sees a broken connection, not an end. */
static void drop(struct conn *c)
{
	nap(c, 20); /* let the deltas already written reach the client first */
	struct linger l = {1, 0};
	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	if (tls)
		SSL_set_quiet_shutdown(tls, 1); /* no close_notify before the reset */
}

static const char *content_type(enum kind k)
{
	switch (k) {
	case K_GEMINI: return "text/event-stream";
	case K_OLLAMA: return "application/x-ndjson";
	case K_BEDROCK: return "application/vnd.amazon.eventstream";
	default: return "text/event-stream; charset=utf-8";
	}
}

static void stream_headers(struct conn *c, enum kind k)
{
	struct sbuf h = {0};
	sb_printf(&h, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nCache-Control: no-cache\r\n"
		  "Connection: close\r\n\r\n", content_type(k));
	send_all(c, h.p, h.len);
	sb_free(&h);
}

/* ---------------------------------------------------------------- endless responses */

static int own_port; /* where fakeprov listens: redirect:NNN points back here */

/* Sends block again and again until the client leaves, STALL_MS pass, or we must stop. */
static void send_forever(struct conn *c, const struct sbuf *block)
{
	double end = now() + STALL_MS / 1000.0;
	while (!c->dead && now() < end && !must_stop())
		send_all(c, block->p, block->len);
}

/* endless (whole lines: keep-alive comments, or empty ollama chunks) and endlessline
 * (one line that never ends), after the deltas already sent. */
static void endless_body(struct conn *c, enum kind k, enum endless how)
{
	struct sbuf block = {0};
	if (how == E_LINE)
		sb_adds(&block, k == K_OLLAMA ? "{\"pad\":\"" : "data: ");
	send_all(c, block.p, block.len);
	sb_clear(&block);
	while (block.len < 65536) {
		if (how == E_LINE)
			sb_adds(&block, "xxxxxxxxxxxxxxxx");
		else if (k == K_OLLAMA)
			sb_adds(&block, OL_HEAD "\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
				"\"done\":false}\n");
		else
			sb_adds(&block, ": keep-alive keep-alive keep-alive keep-alive\n");
	}
	send_forever(c, &block);
	sb_free(&block);
}

/* endlessheaders (header lines without end) and endlessheaderline (one header line
 * without end), instead of an answer. */
static void endless_headers(struct conn *c, enum kind k, enum endless how)
{
	struct sbuf block = {0};
	sb_printf(&block, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n%s", content_type(k),
		  how == E_HEADER_LINE ? "X-Pad: " : "");
	send_all(c, block.p, block.len);
	sb_clear(&block);
	for (int i = 0; block.len < 65536; i++) {
		if (how == E_HEADER_LINE)
			sb_adds(&block, "xxxxxxxxxxxxxxxx");
		else
			sb_printf(&block, "X-Pad-%d: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n", i);
	}
	send_forever(c, &block);
	sb_free(&block);
}

/* redirect:NNN: status NNN with a Location back at fakeprov itself, so a client that
 * followed it would show up in the log asking for /followed... with its headers. */
static void redirect_to_self(struct conn *c, const struct req *r, int status)
{
	struct sbuf loc = {0};
	sb_printf(&loc, "Location: %s://127.0.0.1:%d/followed%s\r\n", tls_ctx ? "https" : "http",
		  own_port, r->target);
	respond(c, status, NULL, loc.p, "", 0);
	sb_free(&loc);
}

static const char *fixtures_dir = "tests/fixtures/recorded-openai";

/* The recorded bytes, event by event (each write ends after a blank line). */
static void replay(struct stream *s)
{
	struct sbuf path = {0}, data = {0};
	sb_printf(&path, "%s/%s.sse", fixtures_dir, s->sc->replay);
	FILE *f = fopen(path.p, "rb");
	sb_free(&path);
	if (!f)
		return;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		sb_add(&data, tmp, n);
	fclose(f);
	size_t pos = 0;
	int deltas = 0;
	while (pos < data.len && !s->c->dead) {
		char *end = data.p ? strstr(data.p + pos, "\n\n") : NULL;
		size_t len = end ? (size_t)(end - (data.p + pos)) + 2 : data.len - pos;
		if (deltas++ && s->sc->slow_ms)
			nap(s->c, s->sc->slow_ms);
		emit(s->c, data.p + pos, len);
		pos += len;
	}
	sb_free(&data);
}

/* ---------------------------------------------------------------- tool calls */

#define TOOL_ARGS "{\"text\":\"hi\"}"

/* The names of the tools the request offers, in the kind's own shape. */
static size_t offered_tools(const struct req *r, enum kind k, const char *sc_pick,
			    const char **names, size_t max)
{
	json_t *tools = json_object_get(r->json, "tools");
	if (k == K_GEMINI)
		tools = json_object_get(json_array_get(tools, 0), "functionDeclarations");
	size_t n = 0, i;
	json_t *t;
	json_array_foreach(tools, i, t) {
		json_t *fn = k == K_OPENAI || k == K_AZURE || k == K_OLLAMA
				     ? json_object_get(t, "function") : t;
		json_t *name = json_object_get(fn, "name");
		const char *s = json_string_value(name), *pick = sc_pick;
		size_t sl = s ? strlen(s) : 0, pl = strlen(pick);
		int picked = !*pick || (s && (!strcmp(s, pick) || (sl > pl + 2 && !strcmp(s + sl - pl, pick)
								  && !strncmp(s + sl - pl - 2, "__", 2))));
		if (s && picked && n < max)
			names[n++] = s;
	}
	return n;
}

static void add_result_text(struct sbuf *out, json_t *v)
{
	if (out->len)
		sb_adds(out, " | ");
	if (json_is_string(v))
		sb_add(out, json_string_value(v), json_string_length(v));
	else
		append_parts(out, v, "text");
}

/* The tool results the request ends with, joined by " | "; 0 when it ends with none. */
static int trailing_results(const struct req *r, enum kind k, struct sbuf *out)
{
	const char *key = k == K_GEMINI ? "contents" : k == K_RESPONSES ? "input" : "messages";
	json_t *list = json_object_get(r->json, key);
	size_t n = json_array_size(list), first = n;
	if (k == K_ANTHROPIC || k == K_GEMINI) {
		json_t *last = json_array_get(list, n - 1);
		json_t *parts = json_object_get(last, k == K_GEMINI ? "parts" : "content");
		size_t i;
		json_t *p;
		json_array_foreach(parts, i, p) {
			json_t *fr = json_object_get(p, "functionResponse");
			const char *type = json_string_value(json_object_get(p, "type"));
			if (fr) {
				json_t *resp = json_object_get(fr, "response");
				json_t *v = json_object_get(resp, "output");
				add_result_text(out, v ? v : json_object_get(resp, "error"));
			} else if (type && !strcmp(type, "tool_result")) {
				add_result_text(out, json_object_get(p, "content"));
			}
		}
		return out->len > 0;
	}
	while (first > 0) {
		json_t *m = json_array_get(list, first - 1);
		const char *role = json_string_value(json_object_get(m, "role"));
		const char *type = json_string_value(json_object_get(m, "type"));
		if (!(role && !strcmp(role, "tool")) && !(type && !strcmp(type, "function_call_output")))
			break;
		first--;
	}
	for (size_t i = first; i < n; i++) {
		json_t *m = json_array_get(list, i);
		json_t *v = json_object_get(m, k == K_RESPONSES ? "output" : "content");
		add_result_text(out, v);
	}
	return first < n;
}

/* One call, in the kind's shape; name is the tool, i its place. */
static void send_call(struct stream *s, int i, const char *name, int ncalls)
{
	struct sbuf j = {0}, b = {0};
	switch (s->kind) {
	case K_OPENAI: case K_AZURE:
		sb_printf(&j, "{\"tool_calls\":[{\"index\":%d,\"id\":\"call_fake%d\",\"type\":"
			  "\"function\",\"function\":{\"name\":\"%s\",\"arguments\":\"\"}}]}", i, i,
			  name);
		oa_chunk(s, j.p, NULL, 0);
		sb_clear(&j);
		sb_printf(&j, "{\"tool_calls\":[{\"index\":%d,\"function\":{\"arguments\":"
			  "\"{\\\"text\\\":\"}}]}", i);
		oa_chunk(s, j.p, NULL, 0);
		sb_clear(&j);
		sb_printf(&j, "{\"tool_calls\":[{\"index\":%d,\"function\":{\"arguments\":"
			  "\"\\\"hi\\\"}\"}}]}", i);
		oa_chunk(s, j.p, NULL, 0);
		break;
	case K_ANTHROPIC:
		sb_printf(&j, "{\"type\":\"content_block_start\",\"index\":%d,\"content_block\":"
			  "{\"type\":\"tool_use\",\"id\":\"toolu_fake%d\",\"name\":\"%s\","
			  "\"input\":{}}}", i, i, name);
		an_event(s, "content_block_start", j.p);
		static const char *const frags[] = {"", "{\\\"text\\\":", "\\\"hi\\\"}"};
		for (size_t f = 0; f < 3; f++) {
			sb_clear(&j);
			sb_printf(&j, "{\"type\":\"content_block_delta\",\"index\":%d,\"delta\":"
				  "{\"type\":\"input_json_delta\",\"partial_json\":\"%s\"}}", i, frags[f]);
			an_event(s, "content_block_delta", j.p);
		}
		sb_clear(&j);
		sb_printf(&j, "{\"type\":\"content_block_stop\",\"index\":%d}", i);
		an_event(s, "content_block_stop", j.p);
		break;
	case K_GEMINI:
		sb_printf(&j, "{\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": "
			  "{\"name\": \"%s\",\"args\": " TOOL_ARGS "}%s}],\"role\": \"model\"}",
			  name, i == 0 ? ",\"thoughtSignature\": \"" AN_SIGNATURE "\"" : "");
		if (i == ncalls - 1)
			sb_adds(&j, ",\"finishReason\": \"STOP\"");
		sb_adds(&j, ",\"index\": 0}]");
		ge_usage(s, &j, i == ncalls - 1);
		sb_adds(&j, GE_TAIL);
		send_json_event(s, NULL, &j);
		break;
	case K_OLLAMA:
		break; /* all calls in one line: tool_turn */
	case K_BEDROCK:
		sb_printf(&j, "{\"contentBlockIndex\":%d,\"start\":{\"toolUse\":{\"name\":\"%s\","
			  "\"toolUseId\":\"tooluse_fake%d\"}}}", i, name, i);
		br_message(s, "event", "contentBlockStart", j.p);
		sb_clear(&j);
		sb_printf(&j, "{\"contentBlockIndex\":%d,\"delta\":{\"toolUse\":{\"input\":"
			  "\"{\\\"text\\\":\\\"hi\\\"}\"}}}", i);
		br_message(s, "event", "contentBlockDelta", j.p);
		sb_clear(&j);
		sb_printf(&j, "{\"contentBlockIndex\":%d}", i);
		br_message(s, "event", "contentBlockStop", j.p);
		break;
	case K_RESPONSES:
		sb_printf(&b, "\"output_index\":%d,\"item\":{\"id\":\"fc_fake%d\",\"type\":"
			  "\"function_call\",\"status\":\"%%s\",\"arguments\":\"%%s\",\"call_id\":"
			  "\"call_fake%d\",\"name\":\"%s\"}", i, i, i, name);
		sb_printf(&j, b.p, "in_progress", "");
		rs_event(s, "response.output_item.added", j.p);
		sb_clear(&j);
		sb_printf(&j, "\"item_id\":\"fc_fake%d\",\"output_index\":%d,\"delta\":"
			  "\"{\\\"text\\\":\"", i, i);
		rs_event(s, "response.function_call_arguments.delta", j.p);
		sb_clear(&j);
		sb_printf(&j, "\"item_id\":\"fc_fake%d\",\"output_index\":%d,\"delta\":"
			  "\"\\\"hi\\\"}\"", i, i);
		rs_event(s, "response.function_call_arguments.delta", j.p);
		sb_clear(&j);
		sb_printf(&j, "\"item_id\":\"fc_fake%d\",\"output_index\":%d,\"arguments\":"
			  "\"{\\\"text\\\":\\\"hi\\\"}\"", i, i);
		rs_event(s, "response.function_call_arguments.done", j.p);
		sb_clear(&j);
		sb_printf(&j, b.p, "completed", "{\\\"text\\\":\\\"hi\\\"}");
		rs_event(s, "response.output_item.done", j.p);
		break;
	}
	sb_free(&j);
	sb_free(&b);
}

/* tools/tools2: a request that ends with tool results is answered with their text
 * ("Results: A | B"); any other one with calls to the offered tools (tools2: two
 * parallel calls, to the first two tools, or the one twice), arguments {"text":"hi"}.
 * 1 when it answered; 0 when no tool was offered (the usual answer follows). */
static int tool_turn(struct stream *s, const struct req *r)
{
	const char *names[2];
	size_t nt = offered_tools(r, s->kind, s->sc->tool_pick, names, 2);
	struct sbuf res = {0}, frag = {0};
	if (!nt)
		return 0;
	if (!s->sc->tools_loop && trailing_results(r, s->kind, &res)) {
		struct sbuf text = {0};
		sb_adds(&text, "Results: ");
		sb_add(&text, res.p, res.len);
		sb_json_esc(&frag, text.p, text.len);
		st_delta(s, 0, &frag, 1);
		st_finish(s);
		sb_free(&text);
		sb_free(&res);
		sb_free(&frag);
		return 1;
	}
	int ncalls = s->sc->tools;
	for (int i = 0; i < ncalls; i++)
		send_call(s, i, names[(size_t)i % nt], ncalls);
	struct sbuf j = {0};
	int out_tokens = 7 * ncalls;
	switch (s->kind) {
	case K_OPENAI: case K_AZURE:
		oa_chunk(s, "{}", "tool_calls", 0);
		sb_printf(&j, OA_USAGE_CHUNK, PROMPT_TOKENS, out_tokens, PROMPT_TOKENS + out_tokens, 0);
		send_json_event(s, NULL, &j);
		sse_data(s, NULL, "[DONE]");
		break;
	case K_ANTHROPIC:
		sb_printf(&j, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
			  "\"stop_sequence\":null},\"usage\":{\"output_tokens\":%d}}", out_tokens);
		an_event(s, "message_delta", j.p);
		an_event(s, "message_stop", "{\"type\":\"message_stop\"}");
		break;
	case K_GEMINI:
		break; /* the last call's chunk carried finishReason */
	case K_OLLAMA:
		sb_adds(&j, OL_HEAD "\"message\":{\"role\":\"assistant\",\"content\":\"\","
			"\"tool_calls\":[");
		for (int i = 0; i < ncalls; i++)
			sb_printf(&j, "%s{\"id\":\"call_fake%d\",\"function\":{\"index\":%d,"
				  "\"name\":\"%s\",\"arguments\":" TOOL_ARGS "}}", i ? "," : "", i, i,
				  names[(size_t)i % nt]);
		sb_adds(&j, "]},\"done\":false}");
		send_json_event(s, NULL, &j);
		sb_clear(&j);
		sb_printf(&j, OL_HEAD "\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
			  "\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":%d,"
			  "\"eval_count\":%d}", PROMPT_TOKENS, out_tokens);
		send_json_event(s, NULL, &j);
		break;
	case K_RESPONSES:
		s->text_n = out_tokens;
		rs_finish(s, 0);
		break;
	case K_BEDROCK:
		s->text_n = out_tokens;
		br_end(s, "tool_use");
		break;
	}
	sb_free(&j);
	return 1;
}

static void stream(struct conn *c, const struct req *r, enum kind k, const struct scenario *sc)
{
	struct stream s = {.c = c, .kind = k, .sc = sc, .block = -1};
	struct gen g = {.sc = sc, .kind = k};
	struct sbuf cur = {0}, nxt = {0};

	c->split = sc->split;
	c->chunks = sc->chunks;
	c->rng = 0x2545F491u;
	c->eol = sc->eol != EOL_DEFAULT ? sc->eol : k == K_GEMINI ? EOL_CRLF : EOL_LF;
	c->bom_pending = sc->bom;
	if (k == K_BEDROCK) { /* binary: no line ends to change, no BOM */
		c->eol = EOL_LF;
		c->bom_pending = 0;
	}
	if (sc->content == C_ECHO)
		echo_text(r, k, &g.echo);

	if (sc->bigheader) {
		/* one header line over libcurl's 100 KB limit, then the stream as asked */
		struct sbuf h = {0};
		sb_printf(&h, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nX-Padding: ", content_type(k));
		for (int i = 0; i < 150 * 1024 / 64; i++)
			sb_adds(&h, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
		sb_adds(&h, "\r\nConnection: close\r\n\r\n");
		send_all(c, h.p, h.len);
		sb_free(&h);
	} else {
		stream_headers(c, k);
	}
	if (sc->mid == M_STALLFIRST) {
		stall(c);
		goto out;
	}
	if (sc->content == C_REPLAY) {
		replay(&s);
		goto out;
	}
	st_begin(&s);
	if (sc->refusal) {
		st_refusal(&s);
		goto out;
	}
	if (sc->tools && tool_turn(&s, r))
		goto out;
	int texts = 0, pending = sc->mid != M_NONE || sc->endless != E_NONE;
	int kind_of = gen_next(&g, &cur);
	while (kind_of && !c->dead) {
		int kind_next = gen_next(&g, &nxt);
		int fail_now = pending && kind_of == 1 && texts + 1 == 2;
		st_delta(&s, kind_of == 2, &cur, !kind_next && !pending);
		if (kind_of == 1)
			texts++;
		if (fail_now)
			break;
		struct sbuf t = cur;
		cur = nxt;
		nxt = t;
		kind_of = kind_next;
	}
	if (c->dead)
		goto out;
	if (sc->endless != E_NONE) {
		endless_body(c, k, sc->endless);
		goto out;
	}
	/* gemini's last chunk already carried finishReason STOP: the error comes after it */
	if (sc->rawerror && sc->mid == M_NONE) {
		st_rawerror(&s);
		goto out;
	}
	switch (sc->mid) {
	case M_NONE: case M_STALLFIRST: st_finish(&s); break;
	case M_MIDFAIL: st_midfail(&s); break;
	case M_STALL: stall(c); break;
	case M_DRIP: drip(c); break;
	case M_DROP: drop(c); break;
	}
out:
	sb_free(&cur);
	sb_free(&nxt);
	sb_free(&g.raw);
	sb_free(&g.echo);
	sb_free(&s.ev);
}

/* ---------------------------------------------------------------- model lists */

static const char *const list_ids[] = {"hello", "reasoning", "echo", "cjk", "escapes"};
#define OL_MODIFIED "2025-05-04T17:37:44.706015396-07:00"
#define OL_DIGEST "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72"
#define NLIST (sizeof list_ids / sizeof *list_ids)

/* 1 when the key the client sent (in whichever header its kind uses) ends in "-refused":
 * a wrong key that needs no model word, so a list GET can be refused too. */
static int key_refused(const struct req *r)
{
	static const char *const names[] = {"authorization", "x-api-key", "x-goog-api-key",
					    "api-key"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *v = req_header(r, names[i]);
		size_t n = v ? strlen(v) : 0;
		if (n >= 8 && !strcmp(v + n - 8, "-refused"))
			return 1;
	}
	return 0;
}

static void list_models(struct conn *c, const struct req *r, enum kind k)
{
	if (key_refused(r)) {
		send_error(c, r, k, F_401, "");
		return;
	}
	json_t *arr = json_array(), *top;
	for (size_t i = 0; i < NLIST; i++) {
		const char *id = list_ids[i];
		struct sbuf name = {0};
		json_t *m;
		switch (k) {
		case K_ANTHROPIC:
			sb_printf(&name, "Fake %s", id);
			m = json_pack("{s:s,s:s,s:s,s:s}", "type", "model", "id", id,
				      "display_name", name.p, "created_at", "2025-02-19T00:00:00Z");
			break;
		case K_GEMINI:
			sb_printf(&name, "models/%s", id);
			m = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:[s,s,s]}", "name", name.p,
				      "version", "001", "displayName", id, "description",
				      "A fakeprov scenario", "inputTokenLimit", 1048576,
				      "outputTokenLimit", 65536, "supportedGenerationMethods",
				      "generateContent", "countTokens", "streamGenerateContent");
			break;
		case K_BEDROCK:
			m = json_pack("{s:s,s:s,s:s,s:[s],s:b}", "modelId", id, "modelName", id,
				      "providerName", "fakeprov", "outputModalities", "TEXT",
				      "responseStreamingSupported", 1);
			break;
		case K_OLLAMA:
			m = json_pack("{s:s,s:s,s:s,s:i,s:s,s:{s:s,s:s,s:s,s:s}}", "name", id,
				      "model", id, "modified_at", OL_MODIFIED, "size", 2019393189,
				      "digest", OL_DIGEST, "details", "format", "gguf", "family",
				      "llama", "parameter_size", "3.2B", "quantization_level",
				      "Q4_K_M");
			break;
		default:
			m = json_pack("{s:s,s:s,s:i,s:s}", "id", id, "object", "model", "created",
				      1686935002, "owned_by", "fakeprov");
			break;
		}
		sb_free(&name);
		json_array_append_new(arr, m);
	}
	switch (k) {
	case K_ANTHROPIC:
		top = json_pack("{s:o,s:b,s:s,s:s}", "data", arr, "has_more", 0, "first_id",
				list_ids[0], "last_id", list_ids[NLIST - 1]);
		break;
	case K_GEMINI: case K_OLLAMA:
		top = json_pack("{s:o}", "models", arr);
		break;
	case K_BEDROCK:
		top = json_pack("{s:o}", "modelSummaries", arr);
		break;
	default:
		top = json_pack("{s:s,s:o}", "object", "list", "data", arr);
		break;
	}
	respond_json(c, 200, NULL, top, 0);
}

/* ---------------------------------------------------------------- routing */

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) into a new string. */
static char *pct_decode(const char *s, size_t n)
{
	char *d = malloc(n + 1), *o = d;
	if (!d)
		die("out of memory");
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0
		    && (lo = hexval(s[i + 2])) >= 0) {
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return d;
}

/* 1 when the query has name=something non-empty. */
static int query_has(const char *query, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = query; p && *p;) {
		if (!strncmp(p, name, n) && p[n] == '=' && p[n + 1] && p[n + 1] != '&')
			return 1;
		p = strchr(p, '&');
		if (p)
			p++;
	}
	return 0;
}

static void handle_chat(struct conn *c, const struct req *r, enum kind k, const char *model)
{
	struct scenario sc;
	if (key_refused(r)) {
		send_error(c, r, k, F_401, model);
		return;
	}
	if (parse_scenario(model, &sc) < 0) {
		send_error(c, r, k, F_SCENARIO, sc.bad);
		return;
	}
	if (sc.flaky && flaky_first(k, model)) {
		enum failure f = sc.flaky == 429 ? F_429 : k == K_ANTHROPIC ? F_529 : F_503;
		send_error(c, r, k, f, model);
		return;
	}
	if (sc.redirect) {
		respond(c, 302, NULL, "Location: http://127.0.0.2:9/elsewhere\r\n", "", 0);
		return;
	}
	if (sc.redirect_to_self) {
		redirect_to_self(c, r, sc.redirect_to_self);
		return;
	}
	if (sc.endless == E_HEADERS || sc.endless == E_HEADER_LINE) {
		endless_headers(c, k, sc.endless);
		return;
	}
	if (sc.html) {
		static const char page[] = "<!DOCTYPE html>\n<html><head><title>Just a moment..."
			"</title></head><body><h1>Checking your browser</h1></body></html>\n";
		respond(c, 200, "text/html; charset=UTF-8", NULL, page, sizeof page - 1);
		return;
	}
	if (sc.fail != F_NONE) {
		send_error(c, r, k, sc.fail, model);
		return;
	}
	if (sc.content == C_REPLAY) {
		struct sbuf path = {0};
		sb_printf(&path, "%s/%s.sse", fixtures_dir, sc.replay);
		int ok = (k == K_OPENAI || k == K_AZURE) && access(path.p, R_OK) == 0;
		sb_free(&path);
		if (!ok) {
			send_error(c, r, k, F_NO_REPLAY, k == K_OPENAI ? sc.replay : model);
			return;
		}
	}
	stream(c, r, k, &sc);
}

/* bedrock: an AWS4-HMAC-SHA256 Authorization for the bedrock service with its
 * x-amz-date, or a bearer key (a Bedrock API key). 0 when it is there; else the failure
 * to answer (a credential or key ending in "-refused" is refused as a wrong key). */
static enum failure bedrock_auth(const struct req *r)
{
	const char *a = req_header(r, "authorization");
	if (a && !strncmp(a, "Bearer ", 7))
		return key_refused(r) ? F_401 : F_NONE;
	if (!a || strncmp(a, "AWS4-HMAC-SHA256 Credential=", 28) || !req_header(r, "x-amz-date") ||
	    !strstr(a, "/bedrock/aws4_request, SignedHeaders=") || !strstr(a, ", Signature="))
		return F_NO_SIGNATURE;
	const char *slash = strchr(a + 28, '/');
	if (slash && slash - (a + 28) >= 8 && !strncmp(slash - 8, "-refused", 8))
		return F_401;
	return F_NONE;
}

/* Vertex AI: a bearer token (the one gcloud prints). */
static int vertex_auth(const struct req *r)
{
	const char *a = req_header(r, "authorization");
	return a && !strncmp(a, "Bearer ", 7) && a[7];
}

/* The model between prefix and suffix in path, percent-decoded (malloc'd). */
static char *path_model(const char *p, const char *prefix, const char *suffix)
{
	const char *m = strstr(p, prefix) + strlen(prefix);
	return pct_decode(m, strlen(m) - strlen(suffix));
}

/* Bedrock and Vertex AI; 1 when the request was one of theirs (answered). */
static int route_cloud(struct conn *c, const struct req *r, int post, int get)
{
	const char *p = r->path;
	char *model = NULL;
	enum failure f;
	if (post && !strncmp(p, "/model/", 7) && ends_with(p, "/converse-stream")) {
		model = path_model(p, "/model/", "/converse-stream");
		if ((f = bedrock_auth(r)) != F_NONE)
			send_error(c, r, K_BEDROCK, f, req_header(r, "authorization") ? "bad" : "none");
		else
			handle_chat(c, r, K_BEDROCK, model);
	} else if (get && ends_with(p, "/foundation-models")) {
		if ((f = bedrock_auth(r)) != F_NONE)
			send_error(c, r, K_BEDROCK, f, "list");
		else
			list_models(c, r, K_BEDROCK);
	} else if (post && !strncmp(p, "/v1/projects/", 13) &&
		   strstr(p, "/publishers/google/models/") &&
		   ends_with(p, ":streamGenerateContent")) {
		model = path_model(p, "/publishers/google/models/", ":streamGenerateContent");
		if (!vertex_auth(r))
			send_error(c, r, K_GEMINI, F_401, model);
		else if (!strstr(r->query ? r->query : "", "alt=sse"))
			send_error(c, r, K_GEMINI, F_NO_ALT_SSE, model);
		else
			handle_chat(c, r, K_GEMINI, model);
	} else if (post && !strncmp(p, "/v1/projects/", 13) &&
		   strstr(p, "/publishers/anthropic/models/") && ends_with(p, ":streamRawPredict")) {
		model = path_model(p, "/publishers/anthropic/models/", ":streamRawPredict");
		json_t *v = json_object_get(r->json, "anthropic_version");
		if (!vertex_auth(r))
			send_error(c, r, K_ANTHROPIC, F_401, model);
		else if (!json_is_string(v) || strcmp(json_string_value(v), "vertex-2023-10-16") ||
			 json_object_get(r->json, "model"))
			send_error(c, r, K_ANTHROPIC, F_VERTEX_BODY, model);
		else
			handle_chat(c, r, K_ANTHROPIC, model);
	} else {
		return 0;
	}
	free(model);
	return 1;
}

static void route(struct conn *c, const struct req *r)
{
	const char *p = r->path;
	const char *dep, *gm;
	int post = !strcmp(r->method, "POST"), get = !strcmp(r->method, "GET");
	if (route_cloud(c, r, post, get))
		return;

	if (post && ends_with(p, "/chat/completions")) {
		if ((dep = strstr(p, "/openai/deployments/"))) {
			dep += strlen("/openai/deployments/");
			const char *slash = strchr(dep, '/');
			char *model = pct_decode(dep, (size_t)(slash - dep));
			if (!query_has(r->query, "api-version"))
				send_error(c, r, K_AZURE, F_NO_API_VERSION, model);
			else
				handle_chat(c, r, K_AZURE, model);
			free(model);
			return;
		}
		json_t *m = json_object_get(r->json, "model");
		if (!json_is_string(m))
			send_error(c, r, K_OPENAI, F_NO_MODEL, NULL);
		else
			handle_chat(c, r, K_OPENAI, json_string_value(m));
		return;
	}
	if (post && ends_with(p, "/responses")) {
		json_t *m = json_object_get(r->json, "model");
		if (!json_is_string(m))
			send_error(c, r, K_RESPONSES, F_NO_MODEL, NULL);
		else
			handle_chat(c, r, K_RESPONSES, json_string_value(m));
		return;
	}
	if (post && ends_with(p, "/v1/messages")) {
		json_t *m = json_object_get(r->json, "model");
		if (!json_is_string(m))
			send_error(c, r, K_ANTHROPIC, F_NO_MODEL, NULL);
		else
			handle_chat(c, r, K_ANTHROPIC, json_string_value(m));
		return;
	}
	if (post && (gm = strstr(p, "/v1beta/models/")) && ends_with(p, ":streamGenerateContent")) {
		gm += strlen("/v1beta/models/");
		char *model = pct_decode(gm, strlen(gm) - strlen(":streamGenerateContent"));
		if (!query_has(r->query, "alt") || !strstr(r->query, "alt=sse"))
			send_error(c, r, K_GEMINI, F_NO_ALT_SSE, model);
		else
			handle_chat(c, r, K_GEMINI, model);
		free(model);
		return;
	}
	if (post && ends_with(p, "/api/chat")) {
		json_t *m = json_object_get(r->json, "model");
		if (!json_is_string(m))
			send_error(c, r, K_OLLAMA, F_NO_MODEL, NULL);
		else
			handle_chat(c, r, K_OLLAMA, json_string_value(m));
		return;
	}
	if (get && ends_with(p, "/v1beta/models")) {
		list_models(c, r, K_GEMINI);
		return;
	}
	if (get && ends_with(p, "/api/tags")) {
		list_models(c, r, K_OLLAMA);
		return;
	}
	if (get && !strncmp(p, "/openai/", 8) && ends_with(p, "/models")) {
		if (!query_has(r->query, "api-version"))
			send_error(c, r, K_AZURE, F_NO_API_VERSION, NULL);
		else
			list_models(c, r, K_AZURE);
		return;
	}
	if (get && ends_with(p, "/models")) {
		list_models(c, r, req_header(r, "x-api-key") ? K_ANTHROPIC : K_OPENAI);
		return;
	}
	struct sbuf msg = {0};
	sb_printf(&msg, "fakeprov: no route for %s %s", r->method, r->path);
	respond_json(c, 404, NULL, json_pack("{s:s}", "error", msg.p), 0);
	sb_free(&msg);
}

/* Serves one connection; runs in a child process of its own. */
static void serve(int fd)
{
	struct req r;
	struct conn c = {.fd = fd};
	if (tls_ctx && tls_accept(fd) < 0) {
		tls_end();
		close(fd);
		return;
	}
	if (read_request(fd, &r) == 0) {
		log_request(&r);
		route(&c, &r);
	}
	req_free(&r);
	sb_free(&c.out);
	tls_end();
	close(fd);
}

/* ---------------------------------------------------------------- main */

static void usage(void)
{
	fprintf(stderr, "usage: fakeprov --port-file PATH [--log PATH] [--fixtures DIR] "
		"[--max-seconds N] [--tls-cert PEM --tls-key PEM]\n");
	exit(2);
}

static void write_port_file(const char *path, int port)
{
	struct sbuf tmp = {0}, text = {0};
	sb_printf(&tmp, "%s.tmp", path);
	sb_printf(&text, "%d\n", port);
	int fd = open(tmp.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(tmp.p);
	struct conn c = {.fd = fd};
	send_all(&c, text.p, text.len);
	if (c.dead || close(fd) < 0 || rename(tmp.p, path) < 0)
		die(path);
	sb_free(&tmp);
	sb_free(&text);
}

int main(int argc, char **argv)
{
	const char *port_file = NULL, *tls_cert = NULL, *tls_key = NULL;
	double max_seconds = 120;

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--port-file"))
			port_file = argv[++i];
		else if (!strcmp(argv[i], "--log"))
			log_path = argv[++i];
		else if (!strcmp(argv[i], "--fixtures"))
			fixtures_dir = argv[++i];
		else if (!strcmp(argv[i], "--max-seconds"))
			max_seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--tls-cert"))
			tls_cert = argv[++i];
		else if (!strcmp(argv[i], "--tls-key"))
			tls_key = argv[++i];
		else
			usage();
	}
	if (!port_file || !(max_seconds > 0) || !tls_cert != !tls_key)
		usage();
	if (tls_cert)
		tls_init(tls_cert, tls_key);

	parent_pid = getppid();
	deadline = now() + max_seconds;
	shared_init();
	if (pipe(sigpipe_fds) < 0)
		die("pipe");
	for (int i = 0; i < 2; i++) {
		fcntl(sigpipe_fds[i], F_SETFL, O_NONBLOCK);
		fcntl(sigpipe_fds[i], F_SETFD, FD_CLOEXEC);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		die("socket");
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = 0;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof addr;
	if (bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(ls, 64) < 0
	    || getsockname(ls, (struct sockaddr *)&addr, &alen) < 0)
		die("bind 127.0.0.1");
	fcntl(ls, F_SETFL, O_NONBLOCK);
	own_port = ntohs(addr.sin_port);
	write_port_file(port_file, own_port);

	while (!must_stop()) {
		if (wait_fd(ls, POLLIN, 1000) <= 0)
			continue;
		int fd = accept(ls, NULL, NULL);
		if (fd < 0)
			continue;
		int one = 1;
		fcntl(fd, F_SETFL, O_NONBLOCK);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		fflush(NULL);
		pid_t pid = fork();
		if (pid == 0) {
			close(ls);
			parent_pid = getppid(); /* this child stops when fakeprov is gone */
			serve(fd);
			_exit(0);
		}
		if (pid < 0)
			fprintf(stderr, "fakeprov: fork failed, connection dropped\n");
		close(fd);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	close(ls);
	/* A byte in the pipe every child watches (a signal's stays there too): they stop. */
	if (write(sigpipe_fds[1], "x", 1) < 0) {
		/* full: a byte is there already */
	}
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	SSL_CTX_free(tls_ctx);
	munmap(shared, sizeof *shared);
	return 0;
}
