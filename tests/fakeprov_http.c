/* fakeprov_http: fakeprov's HTTP server core: growable buffers, time, signals and the
 * one wait, TLS, a connection's output (line ends and write sizes as a scenario asks),
 * reading a request, the request log, plain responses. */
#include "fakeprov.h"

/* ---------------------------------------------------------------- buffers */

void die(const char *what)
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

void sb_add(struct sbuf *b, const void *p, size_t n)
{
	sb_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void sb_addc(struct sbuf *b, char c)
{
	sb_add(b, &c, 1);
}

__attribute__((format(printf, 2, 3)))
void sb_printf(struct sbuf *b, const char *fmt, ...)
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

void sb_clear(struct sbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void sb_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* JSON string contents (no quotes). Bytes >= 0x80 pass through untouched, so the
 * "badutf8" scenario can put raw invalid bytes inside a JSON string. */
void sb_json_esc(struct sbuf *b, const char *s, size_t n)
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

int sigpipe_fds[2] = {-1, -1};
static volatile sig_atomic_t stop_flag;
double deadline;
pid_t parent_pid;

double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void on_signal(int sig)
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
int must_stop(void)
{
	if (stop_flag || now() >= deadline)
		return 1;
	if (parent_pid > 1 && getppid() != parent_pid)
		return 1;
	return 0;
}

/* Waits up to ms for events on fd (fd < 0: just sleeps). 1 ready, 0 timeout, -1 stop. */
int wait_fd(int fd, short events, int ms)
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
SSL_CTX *tls_ctx;
SSL *tls;
static int tls_fd = -1;

void tls_init(const char *cert, const char *key)
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
int tls_accept(int fd)
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
void tls_end(void)
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
ssize_t conn_read(int fd, void *p, size_t n, short *ev)
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

void send_all(struct conn *c, const char *p, size_t n)
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

unsigned rng_next(unsigned *s)
{
	unsigned x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* Writes stream bytes as generated: '\n' line ends become the chosen ones, and the split
 * modifiers decide the write() sizes. */
void emit(struct conn *c, const char *p, size_t n)
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

void nap(struct conn *c, int ms)
{
	if (ms > 0 && wait_fd(-1, 0, ms) < 0)
		c->dead = 1;
}

/* ---------------------------------------------------------------- requests */

const char *req_header(const struct req *r, const char *name)
{
	for (size_t i = 0; i < r->nh; i++)
		if (!strcmp(r->hname[i], name))
			return r->hval[i];
	return NULL;
}

void req_free(struct req *r)
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

int read_request(int fd, struct req *r)
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

const char *log_path;

struct shared *shared;

void shared_init(void)
{
	shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (shared == MAP_FAILED)
		die("mmap");
}

/* The line is numbered and written under an exclusive lock on the log, so the numbers
 * rise in the file's order; one write() with O_APPEND keeps it whole. */
void log_request(const struct req *r)
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
void respond(struct conn *c, int status, const char *ctype, const char *extra,
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
void respond_json(struct conn *c, int status, const char *extra, json_t *j, int indent)
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
