/* ask: the one-shot mode: one prompt, one streamed answer on stdout. */
#include "cherry/app.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cherry/histstore.h"
#include "cherry/loop.h"
#include "cherry/privacy.h"
#include "cherry/sanitize.h"
#include "cherry/utf8.h"
#include "cherry/wire.h"

#define STDIN_MAX (16u << 20)

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
};

struct ask_run {
	const struct ask_opts *opts;
	struct hist_session *hist; /* saves the exchange (a no-op with --no-save) */
	struct sanitizer san_text;
	struct sanitizer san_reasoning;
	struct buf out;         /* pending for stdout */
	struct buf errout;      /* pending for stderr (reasoning) */
	char last_out;          /* last byte written to stdout */
	char last_reasoning;
	int wrote_text;
	int wrote_reasoning;
	int output_failed;
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
		if (TAKES("-m", "--model") || TAKES("-s", "--system") ||
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
	hist_delta(run->hist, s, len, 0); /* raw: the file keeps what was sent */
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
	hist_delta(run->hist, s, len, 1); /* saved even when not shown */
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
		if (!run->output_failed && write_all(STDOUT_FILENO, run->out.data, run->out.len) < 0)
			run->output_failed = 1;
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

static void on_done(void *ctx, struct http_transfer *t)
{
	(void)ctx;
	(void)t;
}

static int stream_answer(struct app *app, struct ask_opts *o, const struct provider *prov,
			 const struct wire_http *req, const struct secret *key,
			 struct hist_session *hist, struct err *e)
{
	struct http_opts hopts = app_http_opts(app);
	struct http_engine *eng = http_engine_new(&hopts, e);
	if (!eng)
		return app_fail(e);
	struct ask_run run;
	memset(&run, 0, sizeof run);
	run.opts = o;
	run.hist = hist;
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
	int interrupted = 0, stopped = 0;
	int live = 1;
	while (live) {
		long tmo = http_timeout_ms(eng);
		/* Short enough that a stalled stream's last text is saved within a second. */
		if (tmo < 0 || tmo > 250)
			tmo = 250;
		struct curl_waitfd wfd = {loop_signal_fd(), CURL_WAIT_POLLIN, 0};
		http_wait(eng, &wfd, 1, (int)tmo);
		int sig;
		while ((sig = loop_signal_next()))
			if ((sig == SIGINT || sig == SIGTERM || sig == SIGHUP) && !interrupted) {
				interrupted = 1;
				stopped = sig == SIGINT; /* Ctrl-C is a stop; TERM/HUP end the run */
				http_cancel(eng, t);
			}
		live = http_perform(eng);
		flush_output(&run);
		hist_tick(hist);
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
	const struct wire_stream *ws = http_stream(t);
	for (int a = http_attempts(t); a > 1; a--)
		privacy_count("retries");
	if (interrupted || http_outcome(t) == HTTP_CANCELLED) {
		privacy_count("stops");
		err_set(e, EXIT_INTERRUPTED, "interrupted; the answer is incomplete");
		status = app_fail(e);
	} else if (http_outcome(t) == HTTP_FAILED) {
		*e = *http_error(t);
		char code[16];
		privacy_error(privacy_error_code(http_status(t), e->msg, code, sizeof code));
		app_redact(e, key);
		status = app_fail(e);
	} else {
		const char *note = wire_finish_note(ws);
		if (note) {
			struct err n;
			err_set(&n, EXIT_OK, "note: %s", note);
			app_fail(&n);
		}
	}
	/* The outcome goes into the conversation file; a failed save is one more line. */
	const char *hstatus = "complete";
	if (interrupted || http_outcome(t) == HTTP_CANCELLED)
		hstatus = stopped ? "stopped" : "interrupted";
	else if (http_outcome(t) == HTTP_FAILED)
		hstatus = "error";
	struct err he;
	err_clear(&he);
	if (hist_finish(hist, hstatus, !strcmp(hstatus, "error") ? e->msg : NULL, &ws->usage,
			http_time_to_first_token(t), &he) < 0)
		app_fail(&he);
	if (o->stats)
		print_stats(t);
	if (run.output_failed && status == EXIT_OK) {
		err_set(e, EXIT_FAIL, "cannot write the answer to standard output");
		status = app_fail(e);
	}
	http_transfer_free(t);
	http_engine_free(eng);
	buf_free(&run.out);
	buf_free(&run.errout);
	return status;
}

int ask_main(struct app *app, int argc, char **argv)
{
	struct ask_opts o;
	memset(&o, 0, sizeof o);
	struct err e;
	err_clear(&e);
	int status;
	if (parse_args(argc, argv, &o, app) < 0) {
		buf_wipe_free(&o.prompt);
		return EXIT_USAGE;
	}
	if (privacy_notice_due()) {
		fprintf(stderr, "cherry: the privacy policy has changed (now version %d); "
				"read it with: cherry privacy\n", PRIVACY_VERSION);
		privacy_notice_seen();
	}
	if (read_stdin(&o, &e) < 0) {
		buf_wipe_free(&o.prompt);
		return app_fail(&e);
	}
	if (!o.prompt.len) {
		buf_wipe_free(&o.prompt);
		return app_usage("ask: no prompt: give it as arguments or on standard input");
	}

	/* -c loads (and locks) the conversation first: its model and system are defaults. */
	struct hist_opts ho = {.continue_id = o.conversation, .no_save = o.no_save,
			       .warn = hist_warn_stderr};
	struct hist_session *hist = hist_begin(&ho, &e);
	if (!hist) {
		buf_wipe_free(&o.prompt);
		return app_fail(&e);
	}
	struct provider *prov;
	const char *model;
	const char *spec = o.model ? o.model : hist_session_model(hist);
	if (app_resolve_model(app, spec, &prov, &model, &e) < 0) {
		hist_end(hist);
		buf_wipe_free(&o.prompt);
		return app_fail(&e);
	}
	const char *hsystem = o.system ? NULL : hist_session_system(hist);

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

	/* The current branch of a continued conversation goes first, then the prompt. */
	const struct wire_msg *past;
	size_t npast;
	struct wire_msg *msgs = NULL;
	if (hist_history_msgs(hist, &past, &npast) < 0 ||
	    !(msgs = calloc(npast + 1, sizeof *msgs))) {
		secret_free(key);
		err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto out;
	}
	if (npast)
		memcpy(msgs, past, npast * sizeof *msgs);
	msgs[npast] = (struct wire_msg){"user", prompt.data};
	struct wire_request rq = {
		.provider = prov,
		.model = model,
		.system = o.system ? system.data : hsystem,
		.msgs = msgs,
		.nmsgs = npast + 1,
	};
	struct wire_http req;
	if (wire_build_request(&rq, &req, &e) < 0) {
		free(msgs);
		secret_free(key);
		status = app_fail(&e);
		goto out;
	}
	free(msgs);
	/* Saved before the request goes out: a crash from here on leaves "interrupted". */
	struct err he;
	err_clear(&he);
	if (hist_user(hist, prompt.data, o.system ? system.data : NULL, prov->name, model,
		      &he) < 0)
		app_fail(&he);
	/* On a terminal only: scripts keep a quiet stderr and find it with `history list`. */
	if (hist_session_id(hist)[0] && isatty(STDERR_FILENO))
		fprintf(stderr, "cherry: conversation %s\n", hist_session_id(hist));
	status = stream_answer(app, &o, prov, &req, key, hist, &e);
	wire_http_free(&req);
	secret_free(key);
out:
	hist_end(hist);
	buf_wipe_free(&prompt);
	buf_wipe_free(&system);
	buf_wipe_free(&o.prompt);
	return status;
}
