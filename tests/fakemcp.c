/* fakemcp: a tiny MCP server (revision 2025-06-18) for the tests, so they never need
 * the network. Modes from argv[1]:
 *   (none)      a well-behaved stdio server
 *   ignore-eof  keeps running after stdin ends (the client must SIGTERM it)
 *   stubborn    ignores stdin's end and SIGTERM (the client must SIGKILL it)
 *   old         answers initialize with protocolVersion 2024-11-05 (must be refused)
 *   http [auth|redirect|badsession]  Streamable HTTP on 127.0.0.1 (only): prints its
 *               port on stdout, then serves until stdin ends (fakemcp_http.c). auth:
 *               every request must carry "Authorization: Bearer sk-test-CANARY-mcp"
 *               (else 401); redirect: every answer is a 307; badsession: the session
 *               id holds an escape sequence.
 * Tools, listed over two pages (cursor "p2"): echo {text}, fail (isError), env (its
 * environment as text), fds (its open descriptors), cwd, slow {ms (10000 when not
 * given), drop} (progress,
 * honours notifications/cancelled; drop: HTTP drops the stream after the first step), hostile (escape sequences), huge {bytes}, change (adds the
 * tool "added" and sends notifications/tools/list_changed), expire (HTTP: ends the
 * session, so the next request gets 404).
 * FAKEMCP_INIT_DELAY_MS in its environment (the config's "env"): it waits that long
 * before answering initialize (a server fetched by npx, slow to start).
 * Before answering tools/list it pings the client and sends it roots/list, and it
 * checks both answers (a wrong one is logged to stderr as "BAD CLIENT"). Each request is
 * logged on stderr (the client's per-server log), with "hello from fakemcp" first. */
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "fakemcp.h"

extern char **environ;

static int changed; /* the tool "change" was called: "added" is listed */
static int main_argc;
static char **main_argv;

void send_msg(json_t *m)
{
	char *s = json_dumps(m, JSON_COMPACT);
	if (fakemcp_http_out(s) != 0) {
		printf("%s\n", s);
		fflush(stdout);
	}
	free(s);
	json_decref(m);
}

static void reply(json_t *id, json_t *result)
{
	send_msg(json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id", id, "result", result));
}

static void reply_text(json_t *id, const char *text, int is_error)
{
	reply(id, json_pack("{s:[{s:s,s:s}],s:b}", "content", "type", "text", "text", text,
			    "isError", is_error));
}

json_t *read_msg(void)
{
	static char *line;
	static size_t cap;
	for (;;) {
		ssize_t n = getline(&line, &cap, stdin);
		if (n < 0)
			return NULL;
		json_t *m = json_loads(line, 0, NULL);
		if (m)
			return m;
		fprintf(stderr, "fakemcp: bad line\n");
	}
}

/* Sends a request to the client and checks the answer (stdin is ours: no races). */
static void ask_client(const char *method, int want_error)
{
	static int next = 100;
	int id = next++;
	send_msg(json_pack("{s:s,s:i,s:s}", "jsonrpc", "2.0", "id", id, "method", method));
	json_t *m = fakemcp_http_mode ? fakemcp_http_answer(id) : read_msg();
	if (!m)
		return;
	json_t *err = json_object_get(m, "error");
	int ok = json_integer_value(json_object_get(m, "id")) == id &&
		 (want_error ? json_integer_value(json_object_get(err, "code")) == -32601
			     : json_is_object(json_object_get(m, "result")));
	fprintf(stderr, "%s %s\n", ok ? "client answered" : "BAD CLIENT", method);
	json_decref(m);
}

static void tool_list(json_t *id, json_t *params)
{
	const char *cursor = json_string_value(json_object_get(params, "cursor"));
	json_t *obj = json_pack("{s:s,s:{}}", "type", "object", "properties");
	if (!cursor) {
		ask_client("ping", 0);
		ask_client("roots/list", 1);
		reply(id, json_pack("{s:[{s:s,s:s,s:{s:s,s:{s:{s:s}},s:[s]}},"
				    "{s:s,s:s,s:O},{s:s,s:O},{s:s,s:O}],s:s}",
				    "tools", "name", "echo", "description", "Echoes its text",
				    "inputSchema", "type", "object", "properties", "text", "type",
				    "string", "required", "text", "name", "fail", "description",
				    "Always fails", "inputSchema", obj, "name", "env", "inputSchema",
				    obj, "name", "fds", "inputSchema", obj, "nextCursor", "p2"));
	} else if (strcmp(cursor, "p2") == 0) {
		json_t *r = json_pack("{s:[{s:s,s:O},{s:s,s:O},{s:s,s:O},{s:s,s:O},{s:s,s:O},"
				      "{s:s,s:O}]}", "tools", "name", "cwd", "inputSchema", obj,
				      "name", "slow", "inputSchema", obj, "name", "hostile",
				      "inputSchema", obj, "name", "huge", "inputSchema", obj, "name",
				      "change", "inputSchema", obj, "name", "expire", "inputSchema",
				      obj);
		if (changed)
			json_array_append_new(json_object_get(r, "tools"),
					      json_pack("{s:s,s:O}", "name", "added", "inputSchema", obj));
		reply(id, r);
	} else
		send_msg(json_pack("{s:s,s:O,s:{s:i,s:s}}", "jsonrpc", "2.0", "id", id, "error",
				   "code", -32602, "message", "bad cursor"));
	json_decref(obj);
}

static void slow(json_t *id, json_t *params)
{
	json_t *args = json_object_get(params, "arguments");
	json_t *given = json_object_get(args, "ms");
	int ms = given ? (int)json_integer_value(given) : 10000; /* none: slow enough to stop */
	json_t *token = json_object_get(json_object_get(params, "_meta"), "progressToken");
	for (int step = 1; step <= 4; step++) {
		if (token)
			send_msg(json_pack("{s:s,s:s,s:{s:O,s:i,s:i}}", "jsonrpc", "2.0", "method",
					   "notifications/progress", "params", "progressToken", token,
					   "progress", step, "total", 4));
		if (step == 1 && json_is_true(json_object_get(args, "drop")))
			fakemcp_http_drop();
		if (fakemcp_http_mode) {
			if (fakemcp_http_cancelled(id, ms / 4)) {
				fprintf(stderr, "cancelled\n");
				return;
			}
			continue;
		}
		struct pollfd p = {.fd = 0, .events = POLLIN};
		if (poll(&p, 1, ms / 4) > 0) {
			json_t *m = read_msg();
			const char *method = json_string_value(json_object_get(m, "method"));
			if (method && strcmp(method, "notifications/cancelled") == 0) {
				fprintf(stderr, "cancelled\n");
				json_decref(m);
				return; /* no response, as the specification says */
			}
			json_decref(m);
		}
	}
	reply_text(id, "slow done", 0);
}

static void call(json_t *id, json_t *params)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	json_t *args = json_object_get(params, "arguments");
	char buf[8192] = "";
	if (!name)
		name = "";
	if (strcmp(name, "echo") == 0) {
		const char *t = json_string_value(json_object_get(args, "text"));
		snprintf(buf, sizeof buf, "Echo: %s", t ? t : "");
		reply_text(id, buf, 0);
	} else if (strcmp(name, "fail") == 0)
		reply_text(id, "it failed on purpose", 1);
	else if (strcmp(name, "env") == 0) {
		for (char **e = environ; *e; e++)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s\n", *e);
		/* and its command line, for the canary tests */
		for (int i = 0; i < main_argc; i++)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? " " : "ARGV=",
				 main_argv[i]);
		reply_text(id, buf, 0);
	} else if (strcmp(name, "fds") == 0) {
		DIR *d = opendir("/proc/self/fd");
		struct dirent *ent;
		while (d && (ent = readdir(d)))
			if (ent->d_name[0] != '.' && atoi(ent->d_name) != dirfd(d))
				snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s ", ent->d_name);
		if (d)
			closedir(d);
		reply_text(id, buf, 0);
	} else if (strcmp(name, "cwd") == 0)
		reply_text(id, getcwd(buf, sizeof buf) ? buf : "?", 0);
	else if (strcmp(name, "slow") == 0)
		slow(id, params);
	else if (strcmp(name, "hostile") == 0)
		reply_text(id, "\x1b]52;c;aGk=\x07\x1b[2J\x1b[31mred\xc2\x9b", 0);
	else if (strcmp(name, "huge") == 0) {
		size_t n = (size_t)json_integer_value(json_object_get(args, "bytes"));
		char *big = malloc(n + 1);
		memset(big, 'x', n);
		big[n] = '\0';
		reply_text(id, big, 0);
		free(big);
	} else if (strcmp(name, "change") == 0) {
		changed = 1;
		send_msg(json_pack("{s:s,s:s}", "jsonrpc", "2.0", "method",
				   "notifications/tools/list_changed"));
		reply_text(id, "changed", 0);
	} else if (strcmp(name, "expire") == 0) {
		fakemcp_http_expire();
		reply_text(id, "expired", 0);
	} else
		reply_text(id, "MCP error -32602: Tool not found", 1);
}

static const char *mode = "";

void handle(json_t *m)
{
	const char *method = json_string_value(json_object_get(m, "method"));
	json_t *id = json_object_get(m, "id");
	json_t *params = json_object_get(m, "params");
	fprintf(stderr, "got %s\n", method ? method : "(answer)");
	{
		if (!method || !id)
			;
		else if (strcmp(method, "initialize") == 0) {
			const char *delay = getenv("FAKEMCP_INIT_DELAY_MS");
			if (delay)
				poll(NULL, 0, atoi(delay));
			const char *want = json_string_value(json_object_get(params, "protocolVersion"));
			const char *ver = strcmp(mode, "old") == 0 ? "2024-11-05"
					  : want && strcmp(want, "2025-03-26") == 0 ? want
					  : "2025-06-18";
			reply(id, json_pack("{s:s,s:{s:{s:b}},s:{s:s,s:s}}", "protocolVersion", ver,
					    "capabilities", "tools", "listChanged", 1, "serverInfo",
					    "name", "fakemcp", "version", "1.0"));
		} else if (strcmp(method, "ping") == 0)
			reply(id, json_object());
		else if (strcmp(method, "tools/list") == 0)
			tool_list(id, params);
		else if (strcmp(method, "tools/call") == 0)
			call(id, params);
		else
			send_msg(json_pack("{s:s,s:O,s:{s:i,s:s}}", "jsonrpc", "2.0", "id", id, "error",
					   "code", -32601, "message", "Method not found"));
	}
}

int main(int argc, char **argv)
{
	mode = argc > 1 ? argv[1] : "";
	main_argc = argc;
	main_argv = argv;
	if (strcmp(mode, "stubborn") == 0)
		signal(SIGTERM, SIG_IGN);
	fprintf(stderr, "hello from fakemcp\n");
	/* a hostile line for the log, one sequence split between two writes */
	fprintf(stderr, "fakemcp: \x1b]0;owned\x07title\x1b[2J and \xc2\x9b" "31mred\r\n");
	fprintf(stderr, "fakemcp: \x1b]52;c;aGk=");
	fprintf(stderr, "\x07split\n");
	if (strcmp(mode, "http") == 0)
		return fakemcp_http_main(argc > 2 ? argv[2] : "");
	json_t *m;
	while ((m = read_msg())) {
		handle(m);
		json_decref(m);
	}
	if (strcmp(mode, "ignore-eof") == 0 || strcmp(mode, "stubborn") == 0)
		for (;;)
			pause();
	return 0;
}
