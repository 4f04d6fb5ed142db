/* harness: what the integration tests and benchmarks share: start and stop the fake
 * provider (tests/fakeprov.c), make a throw-away HOME with its XDG directories, and run
 * the real cherry binary in a clean environment with its output captured.
 * No cmocka here: every function reports with its return value. */
#ifndef CHERRY_TEST_HARNESS_H
#define CHERRY_TEST_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/* ---- the fake provider ---- */

struct fakeprov {
	pid_t pid;
	int port;
	char dir[256];       /* temp directory holding the port file and the log */
	char log_path[300];  /* one JSON line per request */
};

/* Makes a temp dir, spawns $FAKEPROV_BIN (default build/tests/fakeprov) with
 * --fixtures $CHERRY_FIXTURES/recorded-openai when that variable is set, and waits
 * (at most 5 s) for its port. 0, or -1 with a line on stderr. */
int fakeprov_start(struct fakeprov *fp);

/* tests/fakemcp (bin) in its HTTP mode on 127.0.0.1: mode NULL or one of its words, its
 * standard error into log (NULL: /dev/null). Closing in ends it. 0, or -1. */
struct fakemcp_http {
	pid_t pid;
	int in;
	int port;
};
int fakemcp_http_start(struct fakemcp_http *f, const char *bin, const char *mode,
		       const char *log);
/* Closes its input and waits for it. */
void fakemcp_http_stop(struct fakemcp_http *f);
/* The same speaking TLS with the certificate chain and key in these PEM files (made
 * with testca.h); both NULL: plain http, as fakeprov_start. */
int fakeprov_start_tls(struct fakeprov *fp, const char *cert, const char *key);
/* SIGTERM, wait (SIGKILL after 5 s), remove the temp dir. Safe on a zeroed struct. */
void fakeprov_stop(struct fakeprov *fp);
/* Every request logged so far, oldest first: objects {"n","method","path" (with query),
 * "headers" (lower-case names), "body" (parsed JSON, or the raw text)}. Never NULL
 * (an empty array when nothing was logged); the caller decrefs. */
json_t *fakeprov_requests(const struct fakeprov *fp);
/* How many requests are logged (cheaper to read than fakeprov_requests). */
size_t fakeprov_count(const struct fakeprov *fp);
/* Empties the log (the provider's own numbering "n" goes on). 0 or -1. */
int fakeprov_clear_log(const struct fakeprov *fp);

/* ---- a throw-away home ---- */

struct testhome {
	char root[256];  /* HOME; XDG_{CONFIG,DATA,STATE,CACHE}_HOME are root/{config,...} */
};

int testhome_make(struct testhome *h);
/* Removes the whole tree. Safe on a zeroed struct. */
void testhome_remove(struct testhome *h);
/* Writes json to $XDG_CONFIG_HOME/cherry/config.json (mode 0600). 0 or -1. */
int testhome_write_config(const struct testhome *h, const char *json);
/* Writes len bytes of data to path (created or truncated). 0 or -1. */
int harness_write_file(const char *path, const void *data, size_t len);
/* Writes the first 16 bytes of a PNG (signature and IHDR head) to path: an image by its
 * magic bytes, for attachment tests. 0 or -1. */
int harness_write_png(const char *path);
/* A config naming providers at the fake port: fo (openai, base .../v1, key_env
 * FAKE_OPENAI_KEY), fa (anthropic, FAKE_ANTHROPIC_KEY), fg (gemini, FAKE_GEMINI_KEY),
 * fl (ollama, no key), fz (azure, api_version "2024-10-21", FAKE_AZURE_KEY). extra is
 * spliced into the top-level object (e.g. "\"network\": {\"max_retries\": 0}") or NULL.
 * The caller frees; NULL only when memory ran out. */
char *testhome_fake_config(int port, const char *extra);

/* ---- running cherry ---- */

struct run {
	int status;      /* exit status, or 128+signal (128+9 when killed at the timeout) */
	char *out;       /* stdout, NUL-terminated (never NULL after a successful run) */
	size_t out_len;
	char *err;       /* stderr, NUL-terminated */
	size_t err_len;
	double seconds;  /* wall time */
};

/* Runs $CHERRY_BIN (default build/cherry) with args (NULL-terminated, no argv[0]) in a
 * clean environment: PATH, HOME and the XDG variables of h (h may be NULL: none),
 * LANG=C.UTF-8, the sanitizer option variables if set, plus env ("K=V", NULL-terminated,
 * env may be NULL; an entry overrides the default of the same name, and a bare "K"
 * leaves that default out). stdin gets stdin_data (NULL: /dev/null). Killed after timeout_ms.
 * Returns 0 when it ran (whatever its status), -1 when it could not be started. */
int run_cherry(struct run *r, const struct testhome *h, const char *const *args,
	       const char *const *env, const char *stdin_data, int timeout_ms);
/* The same with stdin from /dev/null, sending signo to cherry after delay_ms. */
int run_cherry_signal(struct run *r, const struct testhome *h, const char *const *args,
		      const char *const *env, int signo, int delay_ms, int timeout_ms);
/* Any program (argv[0] is the path) run the same way: for tools beside cherry. */
int harness_run(struct run *r, const struct testhome *h, const char *const *argv,
		const char *const *env, const char *stdin_data, int signo, int delay_ms,
		int timeout_ms);
void run_free(struct run *r);

/* Runs argv (argv[0] a path) with stdin, stdout and stderr on a new pseudo-terminal of
 * 80x24 (forkpty), in the same clean environment as harness_run plus TERM=xterm-256color.
 * r->out gets every byte the program wrote to the terminal (r->err stays empty). Killed
 * after timeout_ms. 0 when it ran, -1 when it could not be started. */
int harness_run_pty(struct run *r, const struct testhome *h, const char *const *argv,
		    const char *const *env, int timeout_ms);

/* ---- running cherry under a tool ---- */

/* CHERRY_WRAPPER, when set, is a command line put before cherry wherever the harness
 * starts it (run_cherry, run_cherry_signal, tmux_start_cherry), e.g.
 * "valgrind --error-exitcode=99 --leak-check=full --log-file=build/valgrind/%p.log".
 * Words are split on spaces; the first is looked up in PATH. Fills argv with the words
 * (at most max) and returns how many: 0 when unset, -1 when it cannot be used. */
int harness_wrapper_argv(const char **argv, size_t max);
/* CHERRY_TIMEOUT_SCALE (default 1, at most 100): run_cherry's timeouts and signal delays
 * are multiplied by it, for a cherry slowed down by its wrapper. */
int harness_scale_ms(int ms);

/* ---- the network proof ---- */

/* strace's path, or NULL when it is not installed. */
const char *harness_find_strace(void);
/* Reads an `strace -e trace=connect` log: returns how many inet connect() calls went to
 * 127.0.0.1:port, or -1 when one went anywhere else (the line goes to bad), or -2 when
 * the log cannot be read. Unix-socket connects (tmux, nscd) are not counted. */
int harness_connects_only_to(const char *trace, int port, char *bad, size_t badsz);

/* ---- files ---- */

/* rm -rf (read-only directories included, symlinks not followed). 0 or -1. */
int harness_rm_tree(const char *path);
/* A loopback TCP port that was free a moment ago (bound, then closed): for a server
 * told its port, or for a port where nothing listens. -1 on error. */
int harness_free_port(void);

/* 1 if needle occurs in any regular file under dir (recursively, symlinks not followed),
 * 0 if in none, -1 if dir cannot be read. */
int tree_contains(const char *dir, const char *needle);
/* memmem, which is a GNU extension. */
const void *harness_mem_find(const void *hay, size_t hay_len, const void *needle, size_t n);
/* The last request the fake provider logged (caller decrefs), or NULL. */
json_t *fakeprov_last_request(const struct fakeprov *fp);
/* A logged request's header (names are lowercased in the log), or NULL. */
const char *request_header(json_t *req, const char *name);
/* Reads a whole file into a NUL-terminated malloc'd string; NULL on error. */
char *harness_read_file(const char *path, size_t *len);
/* Entries of dir whose names start with '.' (temp files of atomic writes), other than .
 * and ..; -1 when dir cannot be read. */
int harness_count_hidden(const char *dir);
/* Makes dir a read-only bind mount in a private mount namespace of this process (call it
 * in a forked child: root writes through modes). 0, or -1 when the system allows none. */
int harness_ro_bind(const char *dir);

/* ---- kill -9 ---- */

/* Forks child(ctx, wfd), which writes records of rec bytes to wfd and never returns; lets
 * it run a random time below max_ns (counted from its first record when first, which it
 * must write within 10 s), kills it with SIGKILL and reads what it wrote: the last record
 * into last. 1 when it wrote one, 0 when none, -1 when it did not die of the signal (or
 * on error). */
int harness_kill9(void (*child)(void *ctx, int wfd), void *ctx, int first, long max_ns,
		  void *last, size_t rec);

#endif
