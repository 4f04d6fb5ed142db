/* fakeprov: a fake LLM provider on 127.0.0.1 for cherry's integration tests and benchmarks.
 * It speaks the OpenAI, Azure, Anthropic, Gemini and Ollama wire formats of
 * /work/shared/reference/wire-formats.md; the model name picks the scenario, words joined
 * by '+' ("hello+split+crlf"), listed in tests/fakeprov.md. Each connection is served by a
 * child process of its own, so streams run concurrently; every request is appended to --log
 * as one JSON line (one write, O_APPEND) before the answer. This file: the model lists,
 * the routes, and main; fakeprov.h names the others. */
#include "fakeprov.h"

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
	if (sc.gzipbomb) {
		gzip_bomb(c, k);
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
