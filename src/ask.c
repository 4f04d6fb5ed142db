/* ask: the one-shot mode: one prompt, one streamed answer on stdout. */
#include "cherry/askfiles.h"
#include "cherry/attstore.h"
#include "cherry/app.h"

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
/* stdout's reader left (EPIPE): the status a shell sees from a program SIGPIPE killed. */
#define EXIT_BROKEN_PIPE 141

struct ask_opts {
	const char *model;
	const char *system;
	const char *conversation;
	int raw;
	int show_reasoning;
	int stats;
	int no_save;
	int new_conversation;
	struct buf prompt;
	struct askfiles files;  /* -f FILE ... */
};

/* The exchange's record: the conversation, and whether a failed save was reported. */
struct ask_save {
	struct chat chat;       /* never written with --no-save (no store) */
	size_t answer;          /* the answer's index in chat.conv */
	int failing;            /* a save failed and no later one succeeded yet */
	int unsaved;            /* to be saved, but the data directory cannot be used */
};

struct ask_run {
	const struct ask_opts *opts;
	struct ask_save *save;
	double now;             /* wall clock at the loop's last wake-up */
	long deltas;
	struct sanitizer san_text;
	struct sanitizer san_reasoning;
	struct buf out;         /* pending for stdout */
	struct buf errout;      /* pending for stderr (reasoning) */
	char last_out;          /* last byte written to stdout */
	char last_reasoning;
	int wrote_text;
	int wrote_reasoning;
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
			if (flag == 'm')
				o->model = val;
			else if (flag == 's')
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
		} else if (!strcmp(a, "--raw")) {
			o->raw = 1;
		} else if (!strcmp(a, "--show-reasoning")) {
			o->show_reasoning = 1;
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

static void emit_text(void *ctx, const char *s, size_t len)
{
	struct ask_run *run = ctx;
	run->deltas++;
	/* raw: the file keeps what was sent */
	chat_delta(&run->save->chat, run->save->answer, s, len, 0, run->now);
	if (run->wrote_reasoning && !run->wrote_text && run->last_reasoning != '\n')
		buf_append_char(&run->errout, '\n'); /* end the reasoning before the answer */
	run->wrote_text = 1;
	if (run->opts->raw)
		buf_append(&run->out, s, len);
	else
		sanitize_feed(&run->san_text, s, len, &run->out);
}

static void emit_reasoning(void *ctx, const char *s, size_t len)
{
	struct ask_run *run = ctx;
	run->deltas++;
	/* saved even when not shown */
	chat_delta(&run->save->chat, run->save->answer, s, len, 1, run->now);
	if (!run->opts->show_reasoning)
		return;
	run->wrote_reasoning = 1;
	size_t before = run->errout.len;
	sanitize_feed(&run->san_reasoning, s, len, &run->errout);
	if (run->errout.len > before)
		run->last_reasoning = run->errout.data[run->errout.len - 1];
}

static int write_all(int fd, const char *s, size_t len)
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
	if (run->errout.len) {
		write_all(STDERR_FILENO, run->errout.data, run->errout.len);
		buf_reset(&run->errout);
	}
	if (run->out.len) {
		if (!run->output_failed && write_all(STDOUT_FILENO, run->out.data, run->out.len) < 0) {
			run->output_failed = 1;
			run->output_errno = errno;
		}
		run->last_out = run->out.data[run->out.len - 1];
		buf_reset(&run->out);
	}
}

static void print_stats(struct http_transfer *t)
{
	const struct wire_stream *ws = http_stream(t);
	struct buf line = BUF_INIT;
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
	fprintf(stderr, "%s\n", line.data);
	buf_free(&line);
}

/* Conversations are dated by the wall clock (the save interval copes with it going back). */
static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Shows what a save said: its failure once per streak, and the first success after one. */
static void saved(struct ask_save *sv, int rc, const struct err *e)
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

static void save_now(struct ask_save *sv)
{
	struct err e;
	err_clear(&e);
	saved(sv, chat_save(&sv->chat, wall_now(), &e), &e);
}

static void on_done(void *ctx, struct http_transfer *t)
{
	(void)ctx;
	(void)t;
}

static int stream_answer(struct app *app, struct ask_opts *o, const struct provider *prov,
			 const struct wire_http *req, const struct secret *key,
			 struct ask_save *sv, struct err *e)
{
	struct http_opts hopts = app_http_opts(app);
	struct http_engine *eng = http_engine_new(&hopts, e);
	if (!eng)
		return app_fail(e);
	struct ask_run run;
	memset(&run, 0, sizeof run);
	run.opts = o;
	run.save = sv;
	run.now = wall_now();
	sanitize_init(&run.san_text);
	sanitize_init(&run.san_reasoning);
	struct wire_sink sink = {emit_text, emit_reasoning, &run};
	struct http_transfer *t = http_start_stream(eng, prov, req, key, &sink, on_done, NULL, e);
	if (!t) {
		http_engine_free(eng);
		return app_fail(e);
	}
	privacy_count("asks");
	privacy_count_message(prov->kind);
	enum outcome_stop stop = OUTCOME_RAN;
	int live = 1;
	while (live) {
		long tmo = http_timeout_ms(eng);
		/* Short enough that a stalled stream's last text is saved within a second. */
		if (tmo < 0 || tmo > 250)
			tmo = 250;
		struct curl_waitfd wfd = {loop_signal_fd(), CURL_WAIT_POLLIN, 0};
		http_wait(eng, &wfd, 1, (int)tmo);
		run.now = wall_now();
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
		saved(sv, chat_tick(&sv->chat, run.now, &te), &te);
	}
	if (!o->raw) {
		sanitize_finish(&run.san_text, &run.out);
		sanitize_finish(&run.san_reasoning, &run.errout);
	}
	/* End the answer with a newline, as a shell prompt expects. */
	if (!o->raw && run.wrote_text && (run.out.len ? run.out.data[run.out.len - 1] : run.last_out) != '\n')
		buf_append_char(&run.out, '\n');
	if (run.wrote_reasoning && !run.wrote_text && run.last_reasoning != '\n')
		buf_append_char(&run.errout, '\n');
	flush_output(&run);

	int status = EXIT_OK;
	struct outcome oc;
	outcome_of(t, stop, key, run.deltas, &oc);
	if (run.output_failed && run.output_errno == EPIPE) {
		status = EXIT_BROKEN_PIPE; /* the reader chose to stop: no line for it */
	} else if (run.output_failed) {
		err_set(e, EXIT_FAIL, "cannot write the answer to standard output: %s",
			strerror(run.output_errno));
		status = app_fail(e);
	} else if (oc.status == HIST_STOPPED || oc.status == HIST_INTERRUPTED) {
		err_set(e, EXIT_INTERRUPTED, "interrupted; the answer is incomplete");
		status = app_fail(e);
	} else if (oc.status == HIST_ERROR) {
		*e = oc.err;
		status = app_fail(e);
	} else if (oc.note) {
		struct err n;
		err_set(&n, EXIT_OK, "note: %s", oc.note);
		app_fail(&n);
	}
	/* The outcome goes into the conversation file; a failed save is one more line. */
	struct err he;
	err_clear(&he);
	if (chat_finish(&sv->chat, sv->answer, oc.status,
			oc.status == HIST_ERROR ? oc.err.msg : NULL, &oc.usage, oc.ttft, wall_now(),
			&he) < 0)
		app_fail(&he);
	save_now(sv);
	/* The answer was printed, but its record is not on disk: the one line said why,
	 * the status says that something failed. */
	if ((sv->failing || sv->unsaved) && status == EXIT_OK)
		status = EXIT_FAIL;
	if (o->stats)
		print_stats(t);
	/* A refused key is skipped for the rest of the run; one warning says which. */
	struct err w;
	long code = http_status(t);
	if ((code == 401 || code == 403) && keyring_reject(app->keyring, prov, key, &w) == 1)
		app_fail(&w);
	http_transfer_free(t);
	http_engine_free(eng);
	buf_free(&run.out);
	buf_free(&run.errout);
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
	double now = wall_now();
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
	struct ask_save *sv = calloc(1, sizeof *sv);
	int have_store = 0;
	if (!sv) {
		buf_wipe_free(&o.prompt);
		err_set(&e, EXIT_FAIL, "out of memory");
		return app_fail(&e);
	}
	if (open_record(&o, &store, &have_store, sv, &e) < 0) {
		free(sv);
		buf_wipe_free(&o.prompt);
		return app_fail(&e);
	}
	struct provider *prov;
	const char *model;
	/* A copy: the model points into it, and the send replaces the conversation's. */
	struct buf spec = BUF_INIT;
	const char *cspec = o.model ? o.model : chat_model(&sv->chat);
	if (cspec && buf_append_str(&spec, cspec) < 0) {
		err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto close;
	}
	if (app_resolve_model(app, cspec ? spec.data : NULL, &prov, &model, &e) < 0) {
		status = app_fail(&e);
		goto close;
	}

	/* The provider and the wire want valid UTF-8; broken bytes become U+FFFD. */
	struct buf prompt = BUF_INIT, system = BUF_INIT;
	if (utf8_repair(o.prompt.data, o.prompt.len, &prompt) < 0 ||
	    (o.system && utf8_repair(o.system, strlen(o.system), &system) < 0)) {
		err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto out;
	}

	struct secret *key = NULL;
	const char *source = NULL;
	int kr = keyring_get(app->keyring, prov, &key, &source, &e);
	if (kr < 0 || (kr > 0 && !prov->key_optional)) {
		if (e.code == EXIT_VAULT || e.code == EXIT_KEY)
			privacy_error(e.code == EXIT_VAULT ? "vault_wrong_passphrase" : "key_missing");
		status = app_fail(&e);
		goto out;
	}
	err_clear(&e);

	/* The prompt joins the current branch of a continued conversation; a read-only one
	 * is copied into a new conversation first (one line says so). */
	double now = wall_now();
	if ((system.len && chat_set_system(&sv->chat, system.data, now, &e) < 0) ||
	    chat_send(&sv->chat, prompt.data, prov->name, model, now, &sv->answer, &e) < 0) {
		secret_free(key);
		status = app_fail(&e);
		goto out;
	}
	if (e.code)
		hist_warn_stderr(NULL, e.msg);
	err_clear(&e);
	struct buf attdir = BUF_INIT;
	struct hist_msg *user = &sv->chat.conv.msgs[hist_parent_of(&sv->chat.conv, sv->answer)];
	if ((have_store && attstore_dir(store.dir, &attdir) < 0) ||
	    attach_check(prov->kind, prov->name, o.files.parts, o.files.n, &e) < 0 ||
	    askfiles_record(&o.files, user, attdir.data, &e) < 0) {
		buf_free(&attdir);
		secret_free(key);
		if (!e.code)
			err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto out;
	}
	struct wire_msg *msgs = NULL;
	size_t nmsgs = 0;
	if (chat_request_msgs(&sv->chat, sv->answer, &msgs, &nmsgs) < 0) {
		secret_free(key);
		err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto out;
	}
	struct wire_request rq = {
		.provider = prov,
		.model = model,
		.system = o.system ? system.data : chat_system(&sv->chat),
		.msgs = msgs,
		.nmsgs = nmsgs,
	};
	struct wire_http req;
	int arc = askfiles_request(&o.files, &sv->chat.conv, user, attdir.data, &rq, &e);
	buf_free(&attdir);
	if (arc < 0 || wire_build_request(&rq, &req, &e) < 0) {
		free(msgs);
		secret_free(key);
		status = app_fail(&e);
		goto out;
	}
	free(msgs);
	/* Saved before the request goes out: a crash from here on leaves "interrupted". */
	save_now(sv);
	/* On a terminal only: scripts keep a quiet stderr and find it with `history list`. */
	if (have_store && sv->chat.conv.id[0] && isatty(STDERR_FILENO))
		fprintf(stderr, "cherry: conversation %s\n", sv->chat.conv.id);
	status = stream_answer(app, &o, prov, &req, key, sv, &e);
	wire_http_free(&req);
	secret_free(key);
out:
	buf_wipe_free(&prompt);
	buf_wipe_free(&system);
close:
	chat_close(&sv->chat);
	free(sv);
	if (have_store)
		histstore_close(&store);
	buf_free(&spec);
	buf_wipe_free(&o.prompt);
	askfiles_free(&o.files);
	return status;
}
