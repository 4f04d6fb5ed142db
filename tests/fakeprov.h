/* fakeprov.h: what the files of the fake provider (tests/fakeprov.c, the routes and main;
 * fakeprov_http.c, fakeprov_scen.c, fakeprov_errors.c, fakeprov_stream.c,
 * fakeprov_answer.c) share: its limits, types, the wire formats' fixed texts, and the
 * functions one file calls in another. A test program, not part of cherry. */
#ifndef FAKEPROV_H
#define FAKEPROV_H

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

struct sbuf {
	char *p;
	size_t len, cap;
};

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

/* What every connection's process shares: the request count and the "flaky" table (one
 * 64-bit hash of kind and model per slot, claimed with compare-and-swap). */
#define FLAKY_SLOTS 1024
struct shared {
	long request_count;
	unsigned long long flaky[FLAKY_SLOTS];
};

enum kind { K_OPENAI, K_ANTHROPIC, K_GEMINI, K_OLLAMA, K_AZURE, K_RESPONSES, K_BEDROCK };

#define BIGLINE_BYTES (1 << 20)
#define HUGELINE_BYTES (20ul << 20) /* past cherry's 16 MiB cap on one event */
enum content { C_HELLO, C_LONG, C_BIGLINE, C_BADUTF8, C_ESCAPES, C_CJK, C_ECHO, C_REPLAY,
	       C_MARKDOWN, C_MDLONG, C_MDCODE };

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
	int gzipbomb;            /* a gzip body that inflates to 128 MiB */
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

/* ---- shared state (fakeprov_http.c, fakeprov_answer.c) */

extern int sigpipe_fds[2];
extern double deadline;
extern pid_t parent_pid;
extern SSL_CTX *tls_ctx;
extern SSL *tls;
extern const char *log_path;
extern struct shared *shared;
extern int own_port; /* where fakeprov listens: redirect:NNN points back here */
extern const char *fixtures_dir;

/* ---- fakeprov_http.c */

void die(const char *what);
void sb_add(struct sbuf *b, const void *p, size_t n);
void sb_adds(struct sbuf *b, const char *s);
void sb_addc(struct sbuf *b, char c);
void sb_printf(struct sbuf *b, const char *fmt, ...);
void sb_clear(struct sbuf *b);
void sb_free(struct sbuf *b);
void sb_json_esc(struct sbuf *b, const char *s, size_t n);
double now(void);
void on_signal(int sig);
int must_stop(void);
int wait_fd(int fd, short events, int ms);
void tls_init(const char *cert, const char *key);
int tls_accept(int fd);
void tls_end(void);
ssize_t conn_read(int fd, void *p, size_t n, short *ev);
void send_all(struct conn *c, const char *p, size_t n);
unsigned rng_next(unsigned *s);
void emit(struct conn *c, const char *p, size_t n);
void nap(struct conn *c, int ms);
const char *req_header(const struct req *r, const char *name);
void req_free(struct req *r);
int read_request(int fd, struct req *r);
void shared_init(void);
void log_request(const struct req *r);
void respond(struct conn *c, int status, const char *ctype, const char *extra,
	     const char *body, size_t len);
void respond_json(struct conn *c, int status, const char *extra, json_t *j, int indent);

/* ---- fakeprov_scen.c */

int parse_scenario(const char *model, struct scenario *sc);
int flaky_first(enum kind k, const char *model);
void append_parts(struct sbuf *out, json_t *content, const char *text_key);
void echo_text(const struct req *r, enum kind k, struct sbuf *out);
int gen_next(struct gen *g, struct sbuf *frag);

/* ---- fakeprov_errors.c */

void send_error(struct conn *c, const struct req *r, enum kind k, enum failure f,
		const char *arg);

/* ---- fakeprov_stream.c */

void sse_data(struct stream *s, const char *event, const char *json);
void send_json_event(struct stream *s, const char *event, struct sbuf *j);
void oa_chunk(struct stream *s, const char *delta, const char *finish, int filtered);
void an_event(struct stream *s, const char *name, const char *json);
void ge_usage(struct stream *s, struct sbuf *j, int final);
void br_message(struct stream *s, const char *mtype, const char *type, const char *json);
void br_end(struct stream *s, const char *reason);
void rs_event(struct stream *s, const char *type, const char *body);
void st_begin(struct stream *s);
void st_delta(struct stream *s, int reasoning, const struct sbuf *frag, int last);
void rs_finish(struct stream *s, int length);
void st_finish(struct stream *s);
void st_midfail(struct stream *s);
void st_rawerror(struct stream *s);
void st_refusal(struct stream *s);
void stall(struct conn *c);
void drip(struct conn *c);
void drop(struct conn *c);
const char *content_type(enum kind k);
void stream_headers(struct conn *c, enum kind k);

/* ---- fakeprov_answer.c */

void endless_headers(struct conn *c, enum kind k, enum endless how);
void gzip_bomb(struct conn *c, enum kind k);
void redirect_to_self(struct conn *c, const struct req *r, int status);
void stream(struct conn *c, const struct req *r, enum kind k, const struct scenario *sc);

#endif
