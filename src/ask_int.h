/* ask_int: what the one-shot mode's two files share: ask.c (options, the prompt, the
 * record, one streamed answer) and askmulti.c (several models asked at once). */
#ifndef CHERRY_ASK_INT_H
#define CHERRY_ASK_INT_H

#include <stddef.h>

#include "cherry/app.h"
#include "cherry/askfiles.h"
#include "cherry/buf.h"
#include "cherry/chat.h"
#include "cherry/http.h"
#include "cherry/outcome.h"
#include "cherry/sanitize.h"
#include "cherry/wire.h"

/* stdout's reader left (EPIPE): the status a shell sees from a program SIGPIPE killed. */
#define EXIT_BROKEN_PIPE 141
/* -m given more often than this is refused (a run is one multi handle, one wait). */
#define ASK_MODELS_MAX 16
/* --mcp and --allow-tool given more often than this are refused. */
#define ASK_MCP_MAX 16
#define ASK_ALLOW_MAX 64

struct ask_opts {
	const char *models[ASK_MODELS_MAX]; /* -m, in the order given */
	size_t nmodels;
	const char *system;
	const char *conversation;
	int raw;
	int show_reasoning;
	int stats;
	int json;               /* --json: JSON Lines events on stdout */
	int no_save;
	int new_conversation;
	struct buf prompt;
	struct askfiles files;  /* -f FILE ... */
	const char *mcp[ASK_MCP_MAX];     /* --mcp NAME: the servers whose tools are offered */
	size_t nmcp;
	const char *allow[ASK_ALLOW_MAX]; /* --allow-tool SERVER/TOOL or TOOL */
	size_t nallow;
	int allow_all;          /* --allow-tools */
};

/* The exchange's record: the conversation, and whether a failed save was reported. */
struct ask_save {
	struct chat chat;       /* never written with --no-save (no store) */
	int failing;            /* a save failed and no later one succeeded yet */
	int unsaved;            /* to be saved, but the data directory cannot be used */
};

/* One model asked: where it goes, with which key, and its answer in the conversation. */
struct ask_target {
	struct buf spec;        /* "provider/model" (a copy: model points into it) */
	struct provider *prov;
	const char *model;
	struct secret *key;     /* NULL: the provider needs none */
	size_t answer;          /* the answer's index in chat.conv */
	struct wire_http req;
	int have_req;
};

/* One answer's text on its way out: made safe (unless --raw) and held until written. */
struct ask_text {
	struct sanitizer san_text;
	struct sanitizer san_reasoning;
	struct buf out;         /* pending for stdout */
	struct buf errout;      /* pending for stderr (reasoning) */
	char last_out;          /* last byte written to stdout */
	char last_reasoning;
	int wrote_text;
	int wrote_reasoning;
};

void ask_text_init(struct ask_text *x);
void ask_text_free(struct ask_text *x);
/* A delta of the answer (raw: kept byte for byte), or of its reasoning. */
void ask_text_answer(struct ask_text *x, int raw, const char *s, size_t len);
void ask_text_reasoning(struct ask_text *x, const char *s, size_t len);
/* The answer has ended: the sanitisers' last bytes, and a final newline on each part. */
void ask_text_finish(struct ask_text *x, int raw);

double ask_wall_now(void);
/* The one wait: curl's sockets and the signal pipe, at most 250 ms; the wall clock after. */
double ask_wait(struct http_engine *eng);
int ask_write_all(int fd, const char *s, size_t len);
/* Shows what a save said (rc, e from chat_save or chat_tick). */
void ask_saved(struct ask_save *sv, int rc, const struct err *e);
void ask_save_now(struct ask_save *sv);
/* --stats' line on stderr; label (NULL none) is put before it. */
void ask_print_stats(struct http_transfer *t, const char *label);
/* How an answer whose transfer t has ended went: *oc, and its exit status with e holding
 * its line (e->code 0: none to show; a note is in oc->note). write_errno: why writing it
 * failed, 0 it did not. Prints nothing. */
int ask_judge(struct http_transfer *t, enum outcome_stop stop, const struct secret *key,
	      long deltas, int write_errno, struct outcome *oc, struct err *e);
/* The outcome into the conversation (a line when that fails). */
void ask_record(struct ask_save *sv, size_t answer, const struct outcome *oc);
/* askkeys.c: a 401 or 403 marks the target's key refused; a line when it has other
 * keys. */
void ask_key_refused(struct app *app, const struct ask_target *tg, struct http_transfer *t);
/* askkeys.c: a token from key_command with a key_ttl that the provider refused (401,
 * 403) may just have expired: the command runs again (with a warning line) and tg->key
 * becomes the fresh token. 1 when the request should go again with it. */
int ask_refetch_token(struct app *app, struct ask_target *tg, struct http_transfer *t);
/* The tool loop (ask_tools.c): NULL when no --mcp was given. */
struct ask_tools;
/* Starts the --mcp servers and lists their tools: 0 with *out (NULL without --mcp), or
 * -1 with e. system (borrowed) and the attachments of store_dir (NULL: none) serve the
 * requests of later rounds. */
int ask_tools_start(struct app *app, const struct ask_opts *o, const char *system,
		    const char *store_dir, struct ask_tools **out, struct err *e);
void ask_tools_stop(struct ask_tools *tl);
/* 1 when the last answer asked for tools (a round is due). */
int ask_tools_pending(const struct ask_tools *tl);
/* The tools to offer (NULL, 0 without tools). */
const struct wire_tool *ask_tools_list(const struct ask_tools *tl, size_t *n);
/* After an answer streamed to a good end: its tool calls are checked and saved with it.
 * 1 when it has calls (a round is due), 0 when not, -1 with e (a call that cannot be
 * read). */
int ask_tools_take(struct ask_tools *tl, struct ask_save *sv, size_t answer,
		   struct wire_stream *ws, struct err *e);
/* One round: each call confirmed (or refused), run, its result saved; then the next
 * answer and its request in tg. EXIT_OK, or a status with e (the round limit). */
int ask_tools_round(struct ask_tools *tl, struct ask_opts *o, struct ask_save *sv,
		    struct ask_target *tg, struct err *e);
/* tg's request for its answer (the branch above it, tools, files). 0, or -1 with e. */
int ask_request_for(struct ask_opts *o, struct ask_save *sv, const char *attdir,
		    const char *system, struct ask_target *tg, const struct ask_tools *tl,
		    struct err *e);
/* Streams tg's answer to stdout (ask.c); tl NULL: no tools. */
int ask_stream_answer(struct app *app, struct ask_opts *o, struct ask_target *tg,
		      struct ask_save *sv, struct ask_tools *tl, struct err *e);

/* Several models at once (or --json): streams every target's answer over one multi
 * handle and prints them as the man page says; the worst exit status. */
int ask_multi_stream(struct app *app, const struct ask_opts *o, struct ask_target *tg,
		     size_t n, struct ask_save *sv);

#endif
