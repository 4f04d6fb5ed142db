/* fakemcp_http: fakemcp's Streamable HTTP mode (MCP 2025-06-18) on 127.0.0.1 only, one
 * thread per connection, each answered then closed. initialize and ping are answered
 * with one JSON body, tools/list and tools/call with an SSE stream (where the server's
 * own requests and notifications go first); the client's answers and notifications
 * come as POSTs answered 202. It checks what a client must send (Accept with both
 * types, the session id, MCP-Protocol-Version) and logs a miss as "BAD CLIENT"; a
 * request with a session it does not know gets 404, one without any 400; DELETE ends
 * the session (logged "DELETE <id>"); GET opens the server's own stream: one
 * notifications/message on it, then silence until the client leaves (logged "GET
 * stream open" and "GET stream closed"). Events on tools/ streams carry IDs "S-N"; a
 * GET with Last-Event-ID goes on with that stream (logged "resumed S after N"), which
 * the tool slow {drop: true} needs: it drops its stream after the first progress. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fakemcp.h"

#define TOKEN "Bearer sk-test-CANARY-mcp"

int fakemcp_http_mode;
static int need_auth;
static const char *quirk = ""; /* "redirect", "badsession" */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int session_no, session_alive;
static char version[32];
static json_t *answers;   /* "id" -> the client's answer */
static json_t *cancelled; /* "id" -> true */

/* Every event sent on a tools/ stream, kept so that a GET with Last-Event-ID "S-N" can
 * go on with stream S after event N. */
struct event {
	int stream, seq;
	char *data;
};
static struct event *events;
static size_t nevents;
static int next_stream;
static json_t *streams_done; /* "S" -> true once its answer was sent */

/* The reply being written by this thread. */
static __thread int out_fd = -1;
static __thread int out_sse, out_stream, out_seq, dropped;
static __thread char *out_json;

static void write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w <= 0 && errno != EINTR)
			return;
		if (w > 0) {
			s += w;
			n -= (size_t)w;
		}
	}
}

static void write_event(int fd, int stream, int seq, const char *s)
{
	char head[64];
	int n = snprintf(head, sizeof head, "id: %d-%d\nevent: message\ndata: ", stream, seq);
	write_all(fd, head, (size_t)n);
	write_all(fd, s, strlen(s));
	write_all(fd, "\n\n", 2);
}

void fakemcp_http_drop(void)
{
	if (!fakemcp_http_mode || !out_sse)
		return;
	fprintf(stderr, "dropped the stream\n");
	shutdown(out_fd, SHUT_RDWR);
	dropped = 1;
}

int fakemcp_http_out(const char *s)
{
	if (!fakemcp_http_mode)
		return -1;
	if (out_sse) {
		pthread_mutex_lock(&mu);
		int seq = ++out_seq;
		struct event *v = realloc(events, (nevents + 1) * sizeof *v);
		if (v) {
			events = v;
			events[nevents++] = (struct event){out_stream, seq, strdup(s)};
		}
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
		if (!dropped)
			write_event(out_fd, out_stream, seq, s);
	} else {
		free(out_json);
		out_json = strdup(s);
	}
	return 0;
}

static void deadline_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

json_t *fakemcp_http_answer(int id)
{
	char key[32];
	snprintf(key, sizeof key, "%d", id);
	struct timespec ts;
	deadline_in(&ts, 5000);
	pthread_mutex_lock(&mu);
	json_t *m;
	while (!(m = json_object_get(answers, key)))
		if (pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT)
			break;
	json_incref(m);
	json_object_del(answers, key);
	pthread_mutex_unlock(&mu);
	return m;
}

int fakemcp_http_cancelled(const json_t *id, int ms)
{
	char key[32];
	snprintf(key, sizeof key, "%lld", (long long)json_integer_value(id));
	struct timespec ts;
	deadline_in(&ts, ms);
	pthread_mutex_lock(&mu);
	int r;
	while (!(r = json_object_get(cancelled, key) != NULL))
		if (pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&mu);
	return r;
}

void fakemcp_http_expire(void)
{
	pthread_mutex_lock(&mu);
	session_alive = 0;
	pthread_mutex_unlock(&mu);
}

/* ---- one request ---- */

struct req {
	char method[16];
	char session[128], protocol[64], accept[256], auth[256], last_id[64];
	char *body;
	size_t body_len;
};

static void header(const char *line, const char *name, char *out, size_t size)
{
	size_t n = strlen(name);
	if (strncasecmp(line, name, n) != 0 || line[n] != ':')
		return;
	const char *v = line + n + 1;
	while (*v == ' ')
		v++;
	snprintf(out, size, "%.*s", (int)strcspn(v, "\r\n"), v);
}

/* Reads one request: 0, or -1 when the connection ends first. */
static int read_req(int fd, struct req *r)
{
	static const size_t max = 1 << 20;
	char *buf = malloc(max + 1);
	size_t len = 0;
	char *end = NULL;
	memset(r, 0, sizeof *r);
	while (!end) {
		ssize_t n = read(fd, buf + len, max - len);
		if (n <= 0) {
			free(buf);
			return -1;
		}
		len += (size_t)n;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	sscanf(buf, "%15s", r->method);
	size_t clen = 0;
	for (char *l = strstr(buf, "\r\n") + 2; l < end; l = strstr(l, "\r\n") + 2) {
		char v[32] = "";
		header(l, "content-length", v, sizeof v);
		if (*v)
			clen = (size_t)atol(v);
		header(l, "mcp-session-id", r->session, sizeof r->session);
		header(l, "mcp-protocol-version", r->protocol, sizeof r->protocol);
		header(l, "accept", r->accept, sizeof r->accept);
		header(l, "authorization", r->auth, sizeof r->auth);
		header(l, "last-event-id", r->last_id, sizeof r->last_id);
	}
	size_t have = len - (size_t)(end + 4 - buf);
	r->body = malloc(clen + 1);
	memcpy(r->body, end + 4, have < clen ? have : clen);
	while (have < clen) {
		ssize_t n = read(fd, r->body + have, clen - have);
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	r->body[clen] = '\0';
	r->body_len = clen;
	free(buf);
	return 0;
}

static void respond(int fd, int status, const char *ctype, const char *extra, const char *body)
{
	char head[1024];
	int n = snprintf(head, sizeof head,
			 "HTTP/1.1 %d X\r\nConnection: close\r\n%s%s%s%s"
			 "Content-Length: %zu\r\n\r\n",
			 status, ctype ? "Content-Type: " : "", ctype ? ctype : "", ctype ? "\r\n" : "",
			 extra ? extra : "", body ? strlen(body) : 0);
	write_all(fd, head, (size_t)n);
	if (body)
		write_all(fd, body, strlen(body));
}

static void rpc_error(int fd, int status, int code, const char *message, const char *extra)
{
	char body[512];
	snprintf(body, sizeof body, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":%d,\"message\":\"%s\"},"
				    "\"id\":null}", code, message);
	respond(fd, status, "application/json", extra, body);
}

/* Checks the session and version headers of a request after initialize: 0 to go on. */
static int check_session(int fd, const struct req *r)
{
	char want[64];
	pthread_mutex_lock(&mu);
	snprintf(want, sizeof want, "fake-session-%d", session_no);
	int known = session_alive && strcmp(r->session, want) == 0;
	int version_ok = strcmp(r->protocol, version) == 0;
	pthread_mutex_unlock(&mu);
	if (!r->session[0]) {
		fprintf(stderr, "BAD CLIENT: no session id\n");
		rpc_error(fd, 400, -32000, "Bad Request: Mcp-Session-Id header is required", NULL);
		return -1;
	}
	if (!known) {
		fprintf(stderr, "unknown session %s\n", r->session);
		rpc_error(fd, 404, -32001, "Session not found", NULL);
		return -1;
	}
	if (!version_ok) {
		fprintf(stderr, "BAD CLIENT: MCP-Protocol-Version \"%s\"\n", r->protocol);
		rpc_error(fd, 400, -32000, "Bad Request: Unsupported protocol version", NULL);
		return -1;
	}
	return 0;
}

static void post(int fd, struct req *r)
{
	json_t *m = json_loadb(r->body, r->body_len, 0, NULL);
	if (!m) {
		rpc_error(fd, 400, -32700, "Parse error: Invalid JSON", NULL);
		return;
	}
	if (!strstr(r->accept, "application/json") || !strstr(r->accept, "text/event-stream")) {
		fprintf(stderr, "BAD CLIENT: Accept \"%s\"\n", r->accept);
		rpc_error(fd, 406, -32000, "Not Acceptable: Client must accept both application/json "
					   "and text/event-stream", NULL);
		json_decref(m);
		return;
	}
	const char *method = json_string_value(json_object_get(m, "method"));
	json_t *id = json_object_get(m, "id");
	if (method && strcmp(method, "initialize") == 0) {
		if (r->session[0])
			fprintf(stderr, "BAD CLIENT: initialize with a session id\n");
		handle(m);
		json_t *out = out_json ? json_loads(out_json, 0, NULL) : NULL;
		const char *v = json_string_value(
			json_object_get(json_object_get(out, "result"), "protocolVersion"));
		char extra[128];
		pthread_mutex_lock(&mu);
		snprintf(version, sizeof version, "%s", v ? v : "");
		session_alive = 1;
		snprintf(extra, sizeof extra, "Mcp-Session-Id: fake%ssession-%d\r\n",
			 strcmp(quirk, "badsession") == 0 ? "\x1b[31m" : "-", ++session_no);
		pthread_mutex_unlock(&mu);
		respond(fd, 200, "application/json", extra, out_json);
		json_decref(out);
	} else if (check_session(fd, r) < 0)
		;
	else if (!method) {
		/* The client's answer to one of our requests. */
		char key[32];
		snprintf(key, sizeof key, "%lld", (long long)json_integer_value(id));
		pthread_mutex_lock(&mu);
		json_object_set(answers, key, m);
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
		respond(fd, 202, NULL, NULL, NULL);
	} else if (!id) {
		fprintf(stderr, "got %s\n", method);
		if (strcmp(method, "notifications/cancelled") == 0) {
			char key[32];
			json_t *rid = json_object_get(json_object_get(m, "params"), "requestId");
			snprintf(key, sizeof key, "%lld", (long long)json_integer_value(rid));
			pthread_mutex_lock(&mu);
			json_object_set_new(cancelled, key, json_true());
			pthread_cond_broadcast(&cv);
			pthread_mutex_unlock(&mu);
		}
		respond(fd, 202, NULL, NULL, NULL);
	} else if (strncmp(method, "tools/", 6) == 0) {
		static const char head[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n"
					   "Content-Type: text/event-stream\r\n\r\n";
		write_all(fd, head, sizeof head - 1);
		pthread_mutex_lock(&mu);
		out_stream = ++next_stream;
		pthread_mutex_unlock(&mu);
		out_sse = 1;
		out_seq = dropped = 0;
		handle(m);
		out_sse = 0;
		char key[16];
		snprintf(key, sizeof key, "%d", out_stream);
		pthread_mutex_lock(&mu);
		json_object_set_new(streams_done, key, json_true());
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	} else {
		handle(m);
		respond(fd, 200, "application/json", NULL, out_json);
	}
	json_decref(m);
}

/* GET with Last-Event-ID "S-N": stream S again from event N + 1 to its answer. */
static void resume_stream(int fd, const struct req *r)
{
	int stream, seq;
	if (sscanf(r->last_id, "%d-%d", &stream, &seq) != 2) {
		respond(fd, 400, NULL, NULL, NULL);
		return;
	}
	fprintf(stderr, "resumed %d after %d\n", stream, seq);
	static const char head[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n"
				   "Content-Type: text/event-stream\r\n\r\n";
	write_all(fd, head, sizeof head - 1);
	char key[16];
	snprintf(key, sizeof key, "%d", stream);
	struct timespec ts;
	deadline_in(&ts, 10000);
	pthread_mutex_lock(&mu);
	for (;;) {
		size_t i = 0;
		while (i < nevents && !(events[i].stream == stream && events[i].seq == seq + 1))
			i++;
		if (i < nevents) {
			char *d = strdup(events[i].data);
			pthread_mutex_unlock(&mu);
			write_event(fd, stream, ++seq, d);
			free(d);
			pthread_mutex_lock(&mu);
		} else if (json_object_get(streams_done, key) ||
			   pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&mu);
}

static void get_stream(int fd, const struct req *r)
{
	if (check_session(fd, r) < 0)
		return;
	if (r->last_id[0]) {
		resume_stream(fd, r);
		return;
	}
	if (!strstr(r->accept, "text/event-stream")) {
		fprintf(stderr, "BAD CLIENT: GET Accept \"%s\"\n", r->accept);
		respond(fd, 406, NULL, NULL, NULL);
		return;
	}
	static const char head[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n"
				   "Content-Type: text/event-stream\r\n\r\n"
				   "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":"
				   "\"notifications/message\",\"params\":{\"level\":\"info\","
				   "\"data\":\"hello from the GET stream\"}}\n\n";
	fprintf(stderr, "GET stream open\n");
	write_all(fd, head, sizeof head - 1);
	char b[256];
	while (read(fd, b, sizeof b) > 0)
		;
	fprintf(stderr, "GET stream closed\n");
}

static void *serve(void *arg)
{
	int fd = (int)(long)arg;
	struct req r;
	out_fd = fd;
	if (read_req(fd, &r) == 0) {
		if (strcmp(quirk, "redirect") == 0)
			respond(fd, 307, NULL, "Location: http://127.0.0.1:1/elsewhere\r\n", NULL);
		else if (need_auth && strcmp(r.auth, TOKEN) != 0) {
			fprintf(stderr, "refused: authorization \"%s\"\n", r.auth);
			rpc_error(fd, 401, -32000, "Unauthorized",
				  "WWW-Authenticate: Bearer realm=\"fakemcp\"\r\n");
		} else if (strcmp(r.method, "POST") == 0)
			post(fd, &r);
		else if (strcmp(r.method, "DELETE") == 0) {
			if (check_session(fd, &r) == 0) {
				fprintf(stderr, "DELETE %s\n", r.session);
				fakemcp_http_expire();
				respond(fd, 200, NULL, NULL, NULL);
			}
		} else if (strcmp(r.method, "GET") == 0)
			get_stream(fd, &r);
		else
			respond(fd, 405, NULL, "Allow: GET, POST, DELETE\r\n", NULL);
		free(r.body);
	}
	free(out_json);
	out_json = NULL;
	close(fd);
	return NULL;
}

/* The test ends the server by closing its stdin. */
static void *watch_stdin(void *arg)
{
	(void)arg;
	char b[64];
	while (read(0, b, sizeof b) > 0)
		;
	exit(0);
}

int fakemcp_http_main(const char *mode2)
{
	fakemcp_http_mode = 1;
	need_auth = strcmp(mode2, "auth") == 0;
	quirk = mode2;
	answers = json_object();
	cancelled = json_object();
	streams_done = json_object();
	setvbuf(stderr, NULL, _IOLBF, 0);
	/* A client that gave up on a stream closes it: a write error, not the end. */
	signal(SIGPIPE, SIG_IGN);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &alen) < 0) {
		perror("fakemcp: listen");
		return 1;
	}
	printf("%d\n", ntohs(a.sin_port));
	fflush(stdout);
	pthread_t t;
	pthread_create(&t, NULL, watch_stdin, NULL);
	for (;;) {
		int fd = accept(s, NULL, NULL);
		if (fd < 0)
			continue;
		pthread_create(&t, NULL, serve, (void *)(long)fd);
		pthread_detach(t);
	}
}
