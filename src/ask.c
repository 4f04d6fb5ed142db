/* ask: the one-shot mode: one prompt, one streamed answer on stdout (several models at
 * once: askmulti.c). */
#include "ask_int.h"
#include "cherry/attstore.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cherry/chat.h"
#include "cherry/loop.h"
#include "cherry/outcome.h"
#include "cherry/privacy.h"
#include "cherry/sanitize.h"
#include "cherry/utf8.h"
#include "cherry/wire.h"

#define STDIN_MAX (16u << 20)

struct ask_run {
	const struct ask_opts *opts;
	struct ask_save *save;
	size_t answer;          /* the answer's index in chat.conv */
	double now;             /* wall clock at the loop's last wake-up */
	long deltas;
	struct ask_text x;
	int output_failed;
	int output_errno;       /* why the first failed write failed */
};

static int parse_args(int argc, char **argv, struct ask_opts *o, struct app *app)
{
	int words = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++) {
				if (words++ && buf_append_char(&o->prompt, ' ') < 0)
					return -1;
				if (buf_append_str(&o->prompt, argv[i]) < 0)
					return -1;
			}
			break;
		}
		if (a[0] != '-' || !a[1]) {
			if ((words++ && buf_append_char(&o->prompt, ' ') < 0) ||
			    buf_append_str(&o->prompt, a) < 0)
				return -1;
			continue;
		}
#define TAKES(shortname, longname)                                                          \
	((shortname[0] && !strcmp(a, shortname)) || !strcmp(a, longname) ||                        \
	 (!strncmp(a, longname "=", sizeof longname) && (val = a + sizeof longname)))
		if (TAKES("-f", "--file")) {
			if (!val && i + 1 >= argc) {
				app_usage("ask: %s needs a file", a);
				return -1;
			}
			if (o->files.n >= ASKFILES_MAX) {
				app_usage("ask: at most %d files", ASKFILES_MAX);
				return -1;
			}
			o->files.paths[o->files.n++] = val ? val : argv[++i];
		} else if (TAKES("-m", "--model") || TAKES("-s", "--system") ||
		    TAKES("-c", "--conversation") || TAKES("", "--passphrase-fd")) {
			char flag = a[1] == '-' ? a[2] : a[1];
			if (!val) {
				if (i + 1 >= argc) {
					app_usage("ask: %s needs a value", a);
					return -1;
				}
				val = argv[++i];
			}
			if (flag == 'm') {
				if (o->nmodels >= ASK_MODELS_MAX) {
					app_usage("ask: at most %d models", ASK_MODELS_MAX);
					return -1;
				}
				o->models[o->nmodels++] = val;
			} else if (flag == 's')
				o->system = val;
			else if (flag == 'c')
				o->conversation = val;
			else {
				char *end;
				long fd = strtol(val, &end, 10);
				if (*end || fd < 0 || fd > 1 << 20) {
					app_usage("ask: --passphrase-fd needs a file descriptor number");
					return -1;
				}
				app->kopts.passphrase_fd = (int)fd;
			}
		} else if (TAKES("", "--mcp") || TAKES("", "--allow-tool")) {
			int mcp = a[3] == 'c';
			if (!val && i + 1 >= argc) {
				app_usage("ask: %s needs a name", a);
				return -1;
			}
			if (mcp ? o->nmcp >= ASK_MCP_MAX : o->nallow >= ASK_ALLOW_MAX) {
				app_usage("ask: %s given too often", a);
				return -1;
			}
			if (mcp)
				o->mcp[o->nmcp++] = val ? val : argv[++i];
			else
				o->allow[o->nallow++] = val ? val : argv[++i];
		} else if (!strcmp(a, "--allow-tools")) {
			o->allow_all = 1;
		} else if (!strcmp(a, "--raw")) {
			o->raw = 1;
		} else if (!strcmp(a, "--show-reasoning")) {
			o->show_reasoning = 1;
		} else if (!strcmp(a, "--json")) {
			o->json = 1;
		} else if (!strcmp(a, "--stats")) {
			o->stats = 1;
		} else if (!strcmp(a, "--no-save")) {
			o->no_save = 1;
		} else if (!strcmp(a, "--new")) {
			o->new_conversation = 1;
		} else {
			app_usage("ask: unknown option %s (see cherry --help)", a);
			return -1;
		}
#undef TAKES
	}
	if ((o->conversation != NULL) + o->new_conversation + o->no_save > 1) {
		app_usage("ask: use only one of -c, --new and --no-save");
		return -1;
	}
	if (o->nmcp && (o->nmodels > 1 || o->json)) {
		app_usage("ask: --mcp takes one model and no --json");
		return -1;
	}
	return 0;
}

/* Adds standard input, when it is not a terminal, after the prompt words. */
static int read_stdin(struct ask_opts *o, struct err *e)
{
	for (size_t i = 0; i < o->files.n; i++)
		if (!strcmp(o->files.paths[i], "-"))
			return 0; /* -f - takes standard input as a file */
	if (isatty(STDIN_FILENO))
		return 0;
	struct buf in = BUF_INIT;
	char chunk[65536];
	for (;;) {
		ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno == EBADF)
				break;
			err_set(e, EXIT_FAIL, "cannot read standard input: %s", strerror(errno));
			buf_wipe_free(&in);
			return -1;
		}
		if (n == 0)
			break;
		if (in.len + (size_t)n > STDIN_MAX) {
			err_set(e, EXIT_FAIL, "standard input is larger than %u MiB", STDIN_MAX >> 20);
			buf_wipe_free(&in);
			return -1;
		}
		if (buf_append(&in, chunk, (size_t)n) < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			buf_wipe_free(&in);
			return -1;
		}
	}
	/* A NUL would end the prompt where every C string ends: the rest would be dropped
	 * without a word. Binary data is refused whole instead. */
	if (in.len && memchr(in.data, '\0', in.len)) {
		size_t at = (size_t)((const char *)memchr(in.data, '\0', in.len) - in.data);
		err_set(e, EXIT_USAGE, "standard input holds a NUL byte (at offset %zu): ask takes "
			"text only; attach a binary file with -f FILE (or -f - for standard input)",
			at);
		buf_wipe_free(&in);
		return -1;
	}
	int r = 0;
	if (in.len) {
		if (o->prompt.len)
			r = buf_append_str(&o->prompt, "\n\n");
		if (r == 0)
			r = buf_append(&o->prompt, in.data, in.len);
	}
	buf_wipe_free(&in);
	if (r < 0)
		err_set(e, EXIT_FAIL, "out of memory");
	return r;
}

void ask_text_init(struct ask_text *x)
{
	memset(x, 0, sizeof *x);
	sanitize_init(&x->san_text);
	sanitize_init(&x->san_reasoning);
}

void ask_text_free(struct ask_text *x)
{
	buf_free(&x->out);
	buf_free(&x->errout);
}

void ask_text_answer(struct ask_text *x, int raw, const char *s, size_t len)
{
	if (x->wrote_reasoning && !x->wrote_text && x->last_reasoning != '\n')
		buf_append_char(&x->errout, '\n'); /* end the reasoning before the answer */
	x->wrote_text = 1;
	if (raw)
		buf_append(&x->out, s, len);
	else
		sanitize_feed(&x->san_text, s, len, &x->out);
}

void ask_text_reasoning(struct ask_text *x, const char *s, size_t len)
{
	x->wrote_reasoning = 1;
	size_t before = x->errout.len;
	sanitize_feed(&x->san_reasoning, s, len, &x->errout);
	if (x->errout.len > before)
		x->last_reasoning = x->errout.data[x->errout.len - 1];
}

void ask_text_finish(struct ask_text *x, int raw)
{
	if (!raw) {
		sanitize_finish(&x->san_text, &x->out);
		sanitize_finish(&x->san_reasoning, &x->errout);
	}
	/* End the answer with a newline, as a shell prompt (or the next header) expects. */
	if (!raw && x->wrote_text && (x->out.len ? x->out.data[x->out.len - 1] : x->last_out) != '\n')
		buf_append_char(&x->out, '\n');
	if (x->wrote_reasoning && !x->wrote_text && x->last_reasoning != '\n')
		buf_append_char(&x->errout, '\n');
}

static void emit_text(void *ctx, const char *s, size_t len)
{
	struct ask_run *run = ctx;
	run->deltas++;
	/* raw: the file keeps what was sent */
	chat_delta(&run->save->chat, run->answer, s, len, 0, run->now);
	ask_text_answer(&run->x, run->opts->raw, s, len);
}

static void emit_reasoning(void *ctx, const char *s, size_t len)
{
	struct ask_run *run = ctx;
	run->deltas++;
	/* saved even when not shown */
	chat_delta(&run->save->chat, run->answer, s, len, 1, run->now);
	if (run->opts->show_reasoning)
		ask_text_reasoning(&run->x, s, len);
}

int ask_write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = EIO;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static void flush_output(struct ask_run *run)
{
	struct ask_text *x = &run->x;
	if (x->errout.len) {
		ask_write_all(STDERR_FILENO, x->errout.data, x->errout.len);
		buf_reset(&x->errout);
	}
	if (x->out.len) {
		if (!run->output_failed && ask_write_all(STDOUT_FILENO, x->out.data, x->out.len) < 0) {
			run->output_failed = 1;
			run->output_errno = errno;
		}
		x->last_out = x->out.data[x->out.len - 1];
		buf_reset(&x->out);
	}
}

void ask_print_stats(struct http_transfer *t, const char *label)
{
	const struct wire_stream *ws = http_stream(t);
	struct buf line = BUF_INIT;
	if (label)
		buf_printf(&line, "%s: ", label);
	buf_append_str(&line, "tokens: ");
	if (ws->usage.input >= 0)
		buf_printf(&line, "%ld in", ws->usage.input);
	else
		buf_append_str(&line, "? in");
	if (ws->usage.output >= 0)
		buf_printf(&line, ", %ld out", ws->usage.output);
	else
		buf_append_str(&line, ", ? out");
	if (ws->usage.reasoning > 0)
		buf_printf(&line, " (%ld reasoning)", ws->usage.reasoning);
	if (ws->usage.cached > 0)
		buf_printf(&line, ", %ld cached", ws->usage.cached);
	double ttft = http_time_to_first_token(t);
	if (ttft >= 0)
		buf_printf(&line, "; first token %.2f s", ttft);
	double gen = http_generation_time(t);
	if (ws->usage.output > 0 && gen > 0)
		buf_printf(&line, "; %.1f tokens/s", (double)ws->usage.output / gen);
	buf_printf(&line, "; %.2f s in all", http_elapsed(t));
	if (http_attempts(t) > 1)
		buf_printf(&line, "; %d attempts", http_attempts(t));
	app_say(stderr, "%s\n", line.data);
	buf_free(&line);
}

/* Conversations are dated by the wall clock (the save interval copes with it going back). */
double ask_wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Shows what a save said: its failure once per streak, and the first success after one. */
void ask_saved(struct ask_save *sv, int rc, const struct err *e)
{
	if (rc < 0) {
		if (e->code)
			hist_warn_stderr(NULL, e->msg);
		sv->failing = 1;
	} else if (sv->failing && !sv->chat.dirty && sv->chat.on_disk) {
		hist_warn_stderr(NULL, "conversation saved again");
		sv->failing = 0;
	}
}

void ask_save_now(struct ask_save *sv)
{
	struct err e;
	err_clear(&e);
	ask_saved(sv, chat_save(&sv->chat, ask_wall_now(), &e), &e);
}

static void on_done(void *ctx, struct http_transfer *t)
{
	(void)ctx;
	(void)t;
}

int ask_judge(struct http_transfer *t, enum outcome_stop stop, const struct secret *key,
	      long deltas, int write_errno, struct outcome *oc, struct err *e)
{
	err_clear(e);
	outcome_of(t, stop, key, deltas, oc);
	if (write_errno == EPIPE)
		return EXIT_BROKEN_PIPE; /* the reader chose to stop: no line for it */
	if (write_errno)
		err_set(e, EXIT_FAIL, "cannot write the answer to standard output: %s",
			strerror(write_errno));
	else if (oc->status == HIST_STOPPED || oc->status == HIST_INTERRUPTED)
		err_set(e, EXIT_INTERRUPTED, "interrupted; the answer is incomplete");
	else if (oc->status == HIST_ERROR)
		*e = oc->err;
	return e->code ? e->code : EXIT_OK;
}

void ask_record(struct ask_save *sv, size_t answer, const struct outcome *oc)
{
	struct err he;
	err_clear(&he);
	if (chat_finish(&sv->chat, answer, oc->status,
			oc->status == HIST_ERROR ? oc->err.msg : oc->note, &oc->usage, oc->ttft,
			ask_wall_now(), &he) < 0)
		app_fail(&he);
}

double ask_wait(struct http_engine *eng)
{
	long tmo = http_timeout_ms(eng);
	/* Short enough that a stalled stream's last text is saved within a second. */
	if (tmo < 0 || tmo > 250)
		tmo = 250;
	struct curl_waitfd wfd = {loop_signal_fd(), CURL_WAIT_POLLIN, 0};
	http_wait(eng, &wfd, 1, (int)tmo);
	return ask_wall_now();
}

int ask_stream_answer(struct app *app, struct ask_opts *o, struct ask_target *tg,
		      struct ask_save *sv, struct ask_tools *tl, struct err *e)
{
	struct http_opts hopts = app_http_opts(app);
	struct http_engine *eng = http_engine_new(&hopts, e);
	if (!eng)
		return app_fail(e);
	struct ask_run run;
	memset(&run, 0, sizeof run);
	run.opts = o;
	run.save = sv;
	run.answer = tg->answer;
	run.now = ask_wall_now();
	ask_text_init(&run.x);
	struct wire_sink sink = {emit_text, emit_reasoning, &run};
	struct http_transfer *t = http_start_stream(eng, tg->prov, &tg->req, tg->key, &sink,
						    on_done, NULL, e);
	if (!t) {
		http_engine_free(eng);
		return app_fail(e);
	}
	privacy_count("asks");
	privacy_count_message(tg->prov->kind);
	enum outcome_stop stop = OUTCOME_RAN;
	int live = 1, refreshed = 0;
again:
	while (live) {
		run.now = ask_wait(eng);
		int sig;
		while ((sig = loop_signal_next()))
			if ((sig == SIGINT || sig == SIGTERM || sig == SIGHUP) && stop == OUTCOME_RAN) {
				/* Ctrl-C is a stop; TERM/HUP end the run */
				stop = sig == SIGINT ? OUTCOME_STOPPED : OUTCOME_INTERRUPTED;
				http_cancel(eng, t);
			}
		live = http_perform(eng);
		flush_output(&run);
		/* Nobody reads the answer any more (`| head`, SIGPIPE is ignored): stop it
		 * now rather than stream it to the end; it is saved as stopped. */
		if (run.output_failed && stop == OUTCOME_RAN) {
			stop = OUTCOME_STOPPED;
			http_cancel(eng, t);
		}
		struct err te;
		err_clear(&te);
		ask_saved(sv, chat_tick(&sv->chat, run.now, &te), &te);
	}
	if (!refreshed && stop == OUTCOME_RAN && !run.deltas && ask_refetch_token(app, tg, t)) {
		/* the token had expired: once more with a fresh one, the same request */
		refreshed = 1;
		http_transfer_free(t);
		if (!(t = http_start_stream(eng, tg->prov, &tg->req, tg->key, &sink, on_done, NULL,
					    e))) {
			http_engine_free(eng);
			ask_text_free(&run.x);
			return app_fail(e);
		}
		live = 1;
		goto again;
	}
	ask_text_finish(&run.x, o->raw);
	flush_output(&run);

	struct outcome oc;
	int status = ask_judge(t, stop, tg->key, run.deltas,
			       run.output_failed ? run.output_errno : 0, &oc, e);
	/* Tool calls are the loop's to run, not a note (the calls are saved with the answer). */
	int calls = tl && status == EXIT_OK
		    /* the transfer has ended: its stream is ours to finish */
		    ? ask_tools_take(tl, sv, tg->answer, (struct wire_stream *)http_stream(t), e)
		    : 0;
	if (calls < 0) {
		oc.status = HIST_ERROR;
		oc.err = *e;
		status = e->code;
	}
	if (calls)
		oc.note = NULL; /* nor is it saved as one */
	if (e->code) {
		struct err said = *e;
		err_set(&said, e->code, "%s%s", e->msg, outcome_ask_advice(e, 0));
		app_fail(&said);
	} else if (oc.note && status == EXIT_OK && !calls) {
		struct err n;
		err_set(&n, EXIT_OK, "note: %s", oc.note);
		app_fail(&n);
	}
	/* The outcome goes into the conversation file; a failed save is one more line. */
	ask_record(sv, tg->answer, &oc);
	ask_save_now(sv);
	/* The answer was printed, but its record is not on disk: the one line said why,
	 * the status says that something failed. */
	if ((sv->failing || sv->unsaved) && status == EXIT_OK)
		status = EXIT_FAIL;
	if (o->stats)
		ask_print_stats(t, NULL);
	ask_key_refused(app, tg, t);
	http_transfer_free(t);
	http_engine_free(eng);
	ask_text_free(&run.x);
	return status;
}
/*
 * The conversation this exchange goes into: -c's (locked; a read-only one is copied at
 * the send), a new one, or with --no-save one that is never written. When the data
 * directory cannot be used, a new exchange still runs, unsaved, after one line; -c
 * cannot. 0, or -1 with e set.
 */
static int open_record(const struct ask_opts *o, struct histstore *store, int *have_store,
		       struct ask_save *sv, struct err *e)
{
	double now = ask_wall_now();
	*have_store = 0;
	if (!o->no_save) {
		if (histstore_open(store, NULL, NULL, hist_warn_stderr, NULL, e) == 0) {
			*have_store = 1;
		} else if (o->conversation) {
			return -1;
		} else {
			/* the answer matters more than its record */
			struct buf w = BUF_INIT;
			if (buf_printf(&w, "conversation not saved: %s", e->msg) == 0)
				hist_warn_stderr(NULL, w.data);
			buf_free(&w);
			err_clear(e);
			sv->unsaved = 1; /* the exit status says so too */
		}
	}
	int rc;
	if (o->conversation) {
		/* 1 (read-only): the send copies it and its line says so; say it once */
		rc = chat_open(&sv->chat, store, o->conversation, e);
		if (rc == 1)
			err_clear(e);
	} else {
		rc = chat_new(&sv->chat, *have_store ? store : NULL, now, e);
	}
	if (rc < 0 && *have_store) {
		histstore_close(store);
		*have_store = 0;
	}
	return rc < 0 ? -1 : 0;
}

/* Each target's provider and model: -m's in order, else the conversation's or the
 * configured default. 0, or -1 with e. */
static int resolve_targets(struct app *app, const struct ask_opts *o, struct ask_save *sv,
			   struct ask_target *tg, size_t n, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		/* A copy: the model points into it, and the send replaces the conversation's. */
		const char *cspec = o->nmodels ? o->models[i] : chat_model(&sv->chat);
		if (cspec && buf_append_str(&tg[i].spec, cspec) < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
		if (app_resolve_model(app, cspec ? tg[i].spec.data : NULL, &tg[i].prov,
				      &tg[i].model, e) < 0)
			return -1;
		if (!cspec) {
			buf_reset(&tg[i].spec);
			if (buf_printf(&tg[i].spec, "%s/%s", tg[i].prov->name, tg[i].model) < 0) {
				err_set(e, EXIT_FAIL, "out of memory");
				return -1;
			}
		}
	}
	return 0;
}

/* Every target's key, before anything is sent (the vault is unlocked at most once). */
static int get_keys(struct app *app, struct ask_target *tg, size_t n, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		const char *source = NULL;
		int kr = keyring_get(app->keyring, tg[i].prov, &tg[i].key, &source, e);
		if (kr < 0 || (kr > 0 && !tg[i].prov->key_optional)) {
			if (e->code == EXIT_VAULT || e->code == EXIT_KEY)
				privacy_error(e->code == EXIT_VAULT ? "vault_wrong_passphrase"
								    : "key_missing");
			return -1;
		}
		err_clear(e);
	}
	return 0;
}

/* The prompt joins the current branch of a continued conversation (a read-only one is
 * copied into a new conversation first; one line says so), with one answer per target:
 * siblings under the one user message. The first target's answer stays the current
 * branch and its model the conversation's. 0, or -1 with e. */
static int add_exchange(struct ask_save *sv, const char *prompt, const char *system,
			struct ask_target *tg, size_t n, struct err *e)
{
	struct chat *c = &sv->chat;
	double now = ask_wall_now();
	if ((*system && chat_set_system(c, system, now, e) < 0) ||
	    chat_send(c, prompt, tg[0].prov->name, tg[0].model, now, &tg[0].answer, e) < 0)
		return -1;
	if (e->code)
		hist_warn_stderr(NULL, e->msg);
	err_clear(e);
	size_t user = hist_parent_of(&c->conv, tg[0].answer);
	for (size_t i = 1; i < n; i++)
		if (chat_retry_at(c, user, tg[i].prov->name, tg[i].model, now, &tg[i].answer, e) < 0)
			return -1;
	if (n > 1 && (chat_show_msg(c, tg[0].answer, now, e) < 0 ||
		      chat_set_model(c, tg[0].spec.data, now, e) < 0))
		return -1;
	return 0;
}

/* Each target's request: the branch up to its answer, the files (checked against each
 * provider's limits before anything is sent). 0, or -1 with e. */
static int build_requests(struct ask_opts *o, struct ask_save *sv, const char *store_dir,
			  const char *system, struct ask_target *tg, size_t n,
			  const struct ask_tools *tl, struct err *e)
{
	struct buf attdir = BUF_INIT;
	struct hist_conv *cv = &sv->chat.conv;
	size_t user = hist_parent_of(cv, tg[0].answer);
	int rc = store_dir && attstore_dir(store_dir, &attdir) < 0 ? -1 : 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = attach_check(tg[i].prov->kind, tg[i].prov->name, o->files.parts, o->files.n, e) < 0 ||
		     attach_check_vision(tg[i].prov, tg[i].model, o->files.parts, o->files.n, e) < 0
			? -1 : 0;
	if (rc == 0)
		rc = askfiles_record(&o->files, &cv->msgs[user], attdir.data, e);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = ask_request_for(o, sv, attdir.data, system, &tg[i], tl, e);
	buf_free(&attdir);
	return rc < 0 ? -1 : 0;
}

int ask_request_for(struct ask_opts *o, struct ask_save *sv, const char *attdir,
		    const char *system, struct ask_target *tg, const struct ask_tools *tl,
		    struct err *e)
{
	struct hist_conv *cv = &sv->chat.conv;
	/* The prompt is the nearest user message above the answer (tool results between). */
	size_t user = hist_parent_of(cv, tg->answer);
	while (user != HIST_NONE && strcmp(cv->msgs[user].role, "user"))
		user = hist_parent_of(cv, user);
	struct chat_request r;
	if (user == HIST_NONE || chat_request_full(&sv->chat, tg->answer, &r) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	size_t ntools;
	const struct wire_tool *tools = ask_tools_list(tl, &ntools);
	struct wire_request rq = {
		.provider = tg->prov,
		.model = tg->model,
		.system = o->system ? system : chat_system(&sv->chat),
		.msgs = r.msgs,
		.nmsgs = r.n,
		.tools = tools,
		.ntools = ntools,
		.msg_tools = r.extra,
	};
	if (tg->have_req)
		wire_http_free(&tg->req);
	tg->have_req = 0;
	int rc = askfiles_request(&o->files, cv, &cv->msgs[user], attdir, &rq, e);
	if (rc == 0)
		rc = wire_build_request(&rq, &tg->req, e);
	tg->have_req = rc == 0;
	chat_request_free(&r);
	if (rc < 0 && !e->code)
		err_set(e, EXIT_FAIL, "out of memory");
	return rc;
}

static void free_targets(struct ask_target *tg, size_t n)
{
	for (size_t i = 0; tg && i < n; i++) {
		if (tg[i].have_req)
			wire_http_free(&tg[i].req);
		secret_free(tg[i].key);
		buf_free(&tg[i].spec);
	}
	free(tg);
}

int ask_main(struct app *app, int argc, char **argv)
{
	struct ask_opts o;
	memset(&o, 0, sizeof o);
	struct err e;
	err_clear(&e);
	int status;
	int global_fd = app->kopts.passphrase_fd;
	if (parse_args(argc, argv, &o, app) < 0) {
		buf_wipe_free(&o.prompt);
		return EXIT_USAGE;
	}
	/* The keyring copied the options when main made it, before ask's own were read:
	 * ask's --passphrase-fd needs a keyring that knows it. Nothing is unlocked yet. */
	if (app->kopts.passphrase_fd != global_fd) {
		struct keyring *kr = keyring_new(&app->kopts);
		if (!kr) {
			buf_wipe_free(&o.prompt);
			err_set(&e, EXIT_FAIL, "out of memory");
			return app_fail(&e);
		}
		keyring_free(app->keyring);
		app->keyring = kr;
	}
	if (privacy_notice_due()) {
		fprintf(stderr, "cherry: the privacy policy has changed (now version %d); "
				"read it with: cherry privacy\n", PRIVACY_VERSION);
		privacy_notice_seen();
	}
	if (read_stdin(&o, &e) < 0 || askfiles_load(&o.files, &e) < 0) {
		askfiles_free(&o.files);
		buf_wipe_free(&o.prompt);
		return app_fail(&e);
	}
	if (!o.prompt.len && !o.files.n) {
		buf_wipe_free(&o.prompt);
		return app_usage("ask: no prompt: give it as arguments or on standard input");
	}

	/* -c loads (and locks) the conversation first: its model and system are defaults. */
	struct histstore store;
	size_t n = o.nmodels ? o.nmodels : 1;
	struct ask_save *sv = calloc(1, sizeof *sv);
	struct ask_target *tg = calloc(n, sizeof *tg);
	struct buf prompt = BUF_INIT, system = BUF_INIT;
	int have_store = 0;
	struct ask_tools *tl = NULL;
	if (!sv || !tg) {
		free(sv);
		free(tg);
		buf_wipe_free(&o.prompt);
		err_set(&e, EXIT_FAIL, "out of memory");
		return app_fail(&e);
	}
	if (open_record(&o, &store, &have_store, sv, &e) < 0) {
		free(sv);
		free(tg);
		buf_wipe_free(&o.prompt);
		return app_fail(&e);
	}
	if (resolve_targets(app, &o, sv, tg, n, &e) < 0) {
		status = app_fail(&e);
		goto out;
	}
	/* The provider and the wire want valid UTF-8; broken bytes become U+FFFD. */
	if (utf8_repair(o.prompt.data, o.prompt.len, &prompt) < 0 ||
	    (o.system && utf8_repair(o.system, strlen(o.system), &system) < 0) ||
	    buf_append_str(&system, "") < 0) {
		err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto out;
	}
	/* The servers start before the exchange is added: one that fails leaves no answer
	 * behind that never came. */
	if (get_keys(app, tg, n, &e) < 0 ||
	    ask_tools_start(app, &o, system.data, have_store ? store.dir : NULL, &tl, &e) < 0 ||
	    add_exchange(sv, prompt.data, system.data, tg, n, &e) < 0 ||
	    build_requests(&o, sv, have_store ? store.dir : NULL, system.data, tg, n, tl, &e) < 0) {
		status = app_fail(&e);
		goto out;
	}
	/* Saved before the requests go out: a crash from here on leaves "interrupted". */
	ask_save_now(sv);
	/* On a terminal only: scripts keep a quiet stderr and find it with `history list`. */
	if (have_store && sv->chat.conv.id[0] && isatty(STDERR_FILENO))
		fprintf(stderr, "cherry: conversation %s\n", sv->chat.conv.id);
	if (n == 1 && !o.json) {
		status = ask_stream_answer(app, &o, &tg[0], sv, tl, &e);
		/* The loop: calls -> confirmation -> results -> the next answer. */
		while (status == EXIT_OK && ask_tools_pending(tl)) {
			status = ask_tools_round(tl, &o, sv, &tg[0], &e);
			status = status ? app_fail(&e) : ask_stream_answer(app, &o, &tg[0], sv, tl, &e);
		}
	} else {
		status = ask_multi_stream(app, &o, tg, n, sv);
	}
out:
	ask_tools_stop(tl);
	buf_wipe_free(&prompt);
	buf_wipe_free(&system);
	free_targets(tg, n);
	chat_close(&sv->chat);
	free(sv);
	if (have_store)
		histstore_close(&store);
	buf_wipe_free(&o.prompt);
	askfiles_free(&o.files);
	return status;
}
