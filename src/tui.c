/* tui: the full-screen client's shell: the one loop (curl's sockets, stdin and the
 * signal pipe in one wait, the controller's timer as its timeout), turning keys,
 * deltas, stream ends, timers and resizes into controller events (ctl.h), and carrying
 * out the reactions: keys from the keyring, transfers, saves, the clipboard, $EDITOR,
 * exports. The logic is the controller's; the drawing is ui.c's. */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cherry/app.h"
#include "cherry/ctl.h"
#include "cherry/ctl_tools.h"
#include "cherry/fsutil.h"
#include "cherry/loop.h"
#include "cherry/outcome.h"
#include "cherry/privacy.h"
#include "cherry/proxy.h"
#include "cherry/state.h"
#include "tui_tools.h"
#include "ui.h"

#define FRAME_MS 16           /* at most about 60 frames a second while streaming */
#define PROMPT_RING 100
#define IDLE_WAIT_MS 3600000  /* "forever": the wait wakes for input anyway */
#define EDITOR_MAX (16u << 20)
#define STREAM_SLICE (128u << 10) /* bytes decoded per turn of the loop: a few ms */

struct tui {
	struct app *app;
	struct http_engine *eng;
	struct histstore store;
	int store_ok;
	struct edit ed;
	struct ctl c;
	/* the transfer of ctl.st */
	struct http_transfer *tr;
	struct wire_http req;
	struct secret *key;
	const struct provider *prov;
	enum outcome_stop stop;
	int ended;                /* its done callback ran */
	struct secret *found_key; /* the key CTL_NEED_KEY found, until CTL_START takes it */
	double last_draw;
	int quit_signal;          /* quitting because of TERM, HUP or INT */
	struct model_fetch *fetch; /* the model lists being fetched, or NULL */
	int fetched;              /* a fetch ran in this process */
	int fetch_done;           /* and ended: tell the controller */
	char proxy_model[160];    /* the model c.proxy was found for */
	struct histsearch *search; /* the search of every conversation under way */
	struct histstore_lister *lister; /* the conversation list being read, or NULL */
	struct tui_tools *tools;  /* MCP servers and tool calls */
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_today(struct ctl *c)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(c->today, sizeof c->today, "%Y-%m-%d", &tm);
}

/* ---- the world, as the controller asks it ---- */

static int w_conv_new(void *ctx, struct chat **out, struct err *e)
{
	struct tui *t = ctx;
	return chat_new_alloc(&t->store, wall_now(), out, e);
}

static int w_conv_open(void *ctx, const char *id, struct chat **out, struct err *e)
{
	struct tui *t = ctx;
	return chat_open_alloc(&t->store, id, out, e);
}

static void w_conv_close(void *ctx, struct chat *c)
{
	(void)ctx;
	chat_close_free(c);
}

static int w_conv_delete(void *ctx, struct chat *c, struct err *e)
{
	(void)ctx;
	return chat_delete(c, e);
}

static int w_conv_list(void *ctx, struct hist_entry **v, size_t *n, struct err *e)
{
	struct tui *t = ctx;
	return histstore_list(&t->store, v, n, e);
}

static int w_conv_resolve(void *ctx, const char *prefix, char id[HIST_ID_MAX + 1], struct err *e)
{
	struct tui *t = ctx;
	return histstore_resolve(&t->store, prefix, id, e);
}

static int w_models(void *ctx, char ***list, size_t *n)
{
	struct tui *t = ctx;
	return app_known_models(t->app, list, n);
}

static void w_models_free(void *ctx, char **list, size_t n)
{
	(void)ctx;
	app_models_free(list, n);
}

static int w_resolve_model(void *ctx, const char *spec, struct provider **p, const char **model,
			   struct err *e)
{
	struct tui *t = ctx;
	return app_resolve_model(t->app, spec, p, model, e);
}

static int w_has_env_key(void *ctx, const struct provider *p)
{
	(void)ctx;
	const char *v = p->key_env ? getenv(p->key_env) : NULL;
	return v && *v;
}

static int w_search_start(void *ctx, const char *text, struct err *e)
{
	struct tui *t = ctx;
	histsearch_free(t->search);
	t->search = histsearch_start(&t->store, text, e);
	return t->search ? 0 : -1;
}

static int w_search_step(void *ctx, size_t max_files, histsearch_fn fn, void *fn_ctx,
			 size_t *done, size_t *total)
{
	struct tui *t = ctx;
	return t->search ? histsearch_step(t->search, max_files, fn, fn_ctx, done, total) : 0;
}

static void w_search_stop(void *ctx)
{
	struct tui *t = ctx;
	histsearch_free(t->search);
	t->search = NULL;
}

/* ---- streams ---- */

static void on_text(void *ctx, const char *s, size_t len)
{
	struct tui *t = ctx;
	ctl_delta(&t->c, s, len, 0, http_now(), wall_now());
}

static void on_reasoning(void *ctx, const char *s, size_t len)
{
	struct tui *t = ctx;
	ctl_delta(&t->c, s, len, 1, http_now(), wall_now());
}

static void on_done(void *ctx, struct http_transfer *tr)
{
	struct tui *t = ctx;
	(void)tr;
	t->ended = 1;
}

static void react(struct tui *t, int r);

static void drop_transfer(struct tui *t)
{
	if (t->tr)
		http_transfer_free(t->tr);
	t->tr = NULL;
	wire_http_free(&t->req);
	memset(&t->req, 0, sizeof t->req);
	secret_free(t->key);
	t->key = NULL;
	t->ended = 0;
	t->stop = OUTCOME_RAN;
}

/* The transfer ended: the controller hears how. */
static void finish_stream(struct tui *t)
{
	struct outcome o;
	long deltas = t->c.st ? t->c.st->deltas : 0;
	outcome_of(t->tr, t->stop, t->key, deltas, &o);
	/* a refused key is skipped for the rest of the run; one line says which */
	struct err w;
	err_clear(&w);
	long code = http_status(t->tr);
	int rejected = (code == 401 || code == 403) && t->key && t->prov &&
		       keyring_reject(t->app->keyring, t->prov, t->key, &w) == 1;
	/* the answer's tool calls are saved with it (the controller runs them) */
	struct err ce;
	err_clear(&ce);
	int calls = o.status == HIST_COMPLETE && t->c.st
		    ? ctl_stream_calls(&t->c, (struct wire_stream *)http_stream(t->tr), wall_now(), &ce)
		    : 0;
	if (calls < 0) {
		o.status = HIST_ERROR;
		o.err = ce;
	} else if (calls) {
		o.note = NULL; /* the calls are the loop's to run, not a note */
	}
	drop_transfer(t);
	react(t, ctl_stream_end(&t->c, &o, http_now(), wall_now()));
	if (rejected)
		ctl_info(&t->c, "cherry", w.msg, 1);
}

/* A stream that could not start ends at once as an error. */
static void failed_start(struct tui *t, const struct err *e)
{
	struct outcome o;
	memset(&o, 0, sizeof o);
	o.status = HIST_ERROR;
	o.err = *e;
	o.usage = (struct wire_usage){-1, -1, -1, -1};
	o.ttft = -1;
	drop_transfer(t);
	react(t, ctl_stream_end(&t->c, &o, http_now(), wall_now()));
}

static void start_stream(struct tui *t)
{
	struct err e;
	err_clear(&e);
	struct provider *prov;
	t->key = t->found_key;
	t->found_key = NULL;
	if (ctl_stream_request(&t->c, &prov, &t->req, &e) < 0) {
		failed_start(t, &e);
		return;
	}
	t->prov = prov;
	struct wire_sink sink = {on_text, on_reasoning, t};
	t->stop = OUTCOME_RAN;
	t->ended = 0;
	t->tr = http_start_stream(t->eng, prov, &t->req, t->key, &sink, on_done, t, &e);
	if (!t->tr)
		failed_start(t, &e);
}

static void stop_stream(struct tui *t, enum outcome_stop how)
{
	if (!t->tr)
		return;
	if (t->stop == OUTCOME_RAN)
		t->stop = how;
	http_cancel(t->eng, t->tr);
	if (t->ended)
		finish_stream(t);
}

/* ---- keys: the vault unlocked in the screen, never in a loop of its own ---- */

static void find_key(struct tui *t)
{
	const struct provider *p = t->c.pending.prov;
	struct err e;
	err_clear(&e);
	const char *source = NULL;
	secret_free(t->found_key);
	t->found_key = NULL;
	int r = p ? keyring_get(t->app->keyring, p, &t->found_key, &source, &e) : -1;
	enum ctl_key_result kr;
	if (r == 0 || (r == 1 && p->key_optional)) {
		kr = CTL_KEY_OK;
	} else if (r == KEYRING_NEED_PASSPHRASE) {
		kr = CTL_KEY_NEED_PASSPHRASE;
	} else {
		kr = r == 1 ? CTL_KEY_MISSING : CTL_KEY_FAILED;
		if (!e.msg[0])
			err_set(&e, EXIT_KEY, "no key for %s", p ? p->name : "this provider");
	}
	if (kr != CTL_KEY_OK) {
		secret_free(t->found_key);
		t->found_key = NULL;
	}
	react(t, ctl_key_result(&t->c, kr, &e, http_now(), wall_now()));
}

static void unlock(struct tui *t)
{
	size_t len;
	const char *pw = ctl_passphrase(&t->c, &len);
	struct err e;
	err_clear(&e);
	struct secret *pass = secret_new(pw, len);
	int r = pass ? keyring_unlock_with(t->app->keyring, pass, &e) : -1;
	secret_free(pass);
	if (!pass)
		err_set(&e, EXIT_VAULT, "out of memory");
	if (r == 0)
		find_key(t);
	else if (r == 1)
		react(t, ctl_key_result(&t->c, CTL_KEY_WRONG_PASSPHRASE, &e, http_now(), wall_now()));
	else
		react(t, ctl_key_result(&t->c, CTL_KEY_FAILED, &e, http_now(), wall_now()));
}

/* ---- saving ---- */

static void save_chat(struct tui *t, struct chat *c, int tick)
{
	struct err e;
	err_clear(&e);
	int r = tick ? chat_tick(c, wall_now(), &e) : chat_save(c, wall_now(), &e);
	if (r < 0 && e.msg[0])
		ctl_note(&t->c, e.msg);
}

static void save_all(struct tui *t, int tick)
{
	if (t->c.shown)
		save_chat(t, t->c.shown, tick);
	if (t->c.st && t->c.st->chat != t->c.shown)
		save_chat(t, t->c.st->chat, tick);
}

/* ---- $EDITOR ---- */

static void run_editor(struct tui *t)
{
	struct buf path = BUF_INIT;
	const char *rt = getenv("XDG_RUNTIME_DIR"), *tmp = getenv("TMPDIR");
	if (rt && *rt == '/')
		buf_printf(&path, "%s/cherry-XXXXXX.md", rt);
	else
		buf_printf(&path, "%s/cherry-XXXXXX.md", tmp && *tmp == '/' ? tmp : "/tmp");
	int fd = path.data ? mkstemps(path.data, 3) : -1;
	char why[sizeof ((struct err *)0)->msg + 64];
	if (fd < 0) {
		snprintf(why, sizeof why, "cannot make a file for the editor: %s", strerror(errno));
		react(t, ctl_editor_done(&t->c, NULL, 0, why));
		buf_free(&path);
		return;
	}
	const struct buf *in = &t->c.out_text;
	ssize_t w = in->len ? write(fd, in->data, in->len) : 0;
	close(fd);
	if (w < 0 || (size_t)w != in->len) {
		unlink(path.data);
		buf_free(&path);
		react(t, ctl_editor_done(&t->c, NULL, 0, "cannot write the file for the editor"));
		return;
	}
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	ui_suspend();
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "exec $0 \"$1\"", ed, path.data, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	ui_resume();
	struct buf text = BUF_INIT;
	struct err e;
	err_clear(&e);
	int r;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		r = ctl_editor_done(&t->c, NULL, 0, "the editor failed; the input is unchanged");
	} else if (fs_read_file(path.data, EDITOR_MAX, &text, &e) != 0) {
		snprintf(why, sizeof why, "cannot read the editor's file: %s", e.msg);
		r = ctl_editor_done(&t->c, NULL, 0, why);
	} else {
		r = ctl_editor_done(&t->c, text.data ? text.data : "", text.len, NULL);
	}
	t->c.dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT | CTL_DIRTY_CLEAR;
	unlink(path.data);
	buf_wipe_free(&text);
	buf_free(&path);
	react(t, r);
}

static void export_file(struct tui *t)
{
	struct err e;
	err_clear(&e);
	char line[sizeof e.msg + 64];
	if (fs_write_atomic(t->c.out_path.data, t->c.out_text.data, t->c.out_text.len, &e) < 0)
		snprintf(line, sizeof line, "%s", e.msg);
	else
		snprintf(line, sizeof line, "exported to %.1000s", t->c.out_path.data);
	ctl_note(&t->c, line);
}

static void models_fetched(void *ctx)
{
	struct tui *t = ctx;
	t->fetch_done = 1;
}

/* Once a process: the picker then offers what the providers list. */
static void fetch_models(struct tui *t)
{
	if (t->fetched)
		return;
	t->fetched = 1;
	t->fetch = app_models_fetch(t->app, t->eng, models_fetched, t);
}

/* Carries out the controller's reactions, in the order ctl.h lists them. */
static void react(struct tui *t, int r)
{
	if (r & CTL_NEED_KEY)
		find_key(t);
	if (r & CTL_UNLOCK)
		unlock(t);
	if (r & CTL_START)
		start_stream(t);
	if (r & CTL_STOP)
		stop_stream(t, OUTCOME_STOPPED);
	if (r & CTL_SAVE)
		save_all(t, 0);
	if (r & CTL_SAVE_PROMPTS) {
		struct err e;
		err_clear(&e);
		state_prompts_save(&t->ed, &e);
	}
	if ((r & CTL_SET_LAST) && t->c.shown && t->c.shown->on_disk)
		state_last_set(t->c.shown->conv.id);
	if (r & CTL_COPY)
		ui_osc52(t->c.out_text.data ? t->c.out_text.data : "", t->c.out_text.len);
	if (r & CTL_EDITOR)
		run_editor(t);
	if (r & CTL_EXPORT)
		export_file(t);
	if (r & CTL_FETCH_MODELS)
		fetch_models(t);
	if (r & CTL_TOOLS_START)
		react(t, tui_tools_start(t->tools, &t->c));
	if (r & CTL_TOOL_ALWAYS)
		tui_tools_always(t->tools, &t->c);
	if ((r & CTL_TOOL_RUN) && !t->quit_signal) {
		int quit = 0, next = tui_tools_run(t->tools, &t->c, &quit);
		if (quit)
			t->quit_signal = t->c.quit = 1;
		react(t, next);
	}
}

/* ---- start-up and the loop ---- */

/* The proxy the current model's provider is reached through, as host[:port] only (never
 * the credentials); "" when it is reached directly: on this machine, named by NO_PROXY,
 * or no proxy set. Its transfers are given the same http_proxy_for verdict, so the
 * status line names exactly what is used. Found again when the model changes. */
static void find_proxy(struct tui *t)
{
	if (!strcmp(t->proxy_model, t->c.model))
		return;
	snprintf(t->proxy_model, sizeof t->proxy_model, "%s", t->c.model);
	struct provider *p = NULL;
	const char *model;
	struct err e;
	err_clear(&e);
	const char *proxy = NULL;
	if (t->c.model[0] && app_resolve_model(t->app, t->c.model, &p, &model, &e) == 0 && p)
		proxy = http_proxy_for(p->base_url);
	if (proxy)
		proxy_display(proxy, t->c.proxy, sizeof t->c.proxy);
	else
		t->c.proxy[0] = '\0';
}

static void config_warning(void *ctx, const char *line)
{
	struct buf *w = ctx;
	buf_printf(w, "%s%s", w->len ? "\n" : "", line);
}

/* 0, or the exit status of a usage error (already reported). */
static int parse_args(struct app *app, int argc, char **argv, struct ctl_start *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;
		if (!strcmp(a, "-m") || !strcmp(a, "--model"))
			dst = &o->model;
		else if (!strcmp(a, "-a") || !strcmp(a, "--assistant"))
			dst = &o->assistant;
		else if (!strcmp(a, "-c") || !strcmp(a, "--conversation"))
			dst = &o->conversation;
		else if (!strcmp(a, "--passphrase-fd")) {
			if (i + 1 >= argc)
				return app_usage("--passphrase-fd needs a file descriptor number");
			char *end;
			long fd = strtol(argv[++i], &end, 10);
			if (*end || fd < 0 || fd > 1 << 20)
				return app_usage("--passphrase-fd needs a file descriptor number");
			app->kopts.passphrase_fd = (int)fd;
			continue;
		} else
			return app_usage("unknown option %s (see cherry --help)", a);
		if (i + 1 >= argc)
			return app_usage("%s needs a value", a);
		*dst = argv[++i];
	}
	o->conversation_given = o->conversation != NULL;
	return 0;
}

/* The terminal hung up (closed window, killed tmux): reads would fail forever. */
static int terminal_gone(void)
{
	struct pollfd p = {STDIN_FILENO, POLLIN, 0};
	if (poll(&p, 1, 0) <= 0)
		return 0;
	return (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

static int wait_ms(struct tui *t, double now)
{
	long ms = http_timeout_ms(t->eng);
	if (ms < 0 || ms > IDLE_WAIT_MS)
		ms = IDLE_WAIT_MS;
	if (t->c.dirty) {
		long left = (long)((t->last_draw + FRAME_MS / 1000.0 - now) * 1000.0) + 1;
		if (left < ms)
			ms = left < 0 ? 0 : left;
	}
	if (t->lister)
		ms = 0; /* the list is being read: a step each turn, keys between them */
	double next = ctl_next_timer(&t->c, now);
	if (next >= 0 && next * 1000.0 + 1 < (double)ms)
		ms = (long)(next * 1000.0) + 1;
	return (int)ms;
}

static void draw(struct tui *t)
{
	find_proxy(t);
	if (t->c.dirty & CTL_DIRTY_LAYOUT)
		ui_layout(&t->c);
	ui_draw(&t->c);
	t->c.dirty = 0;
	t->last_draw = http_now();
}

/* The list is read in steps between keys, so a cold index of 10,000 files never holds
 * the screen: a warm index shows it whole at once, a cold one when it is read. */
#define LIST_STEP_FILES 64
#define LIST_STEP_MS 6.0

static void list_show(struct tui *t, int final)
{
	struct hist_entry *v = NULL;
	size_t n = 0;
	struct err e;
	err_clear(&e);
	int r = final ? histstore_list_finish(t->lister, &v, &n, &e) :
			histstore_list_snapshot(t->lister, &v, &n, &e);
	if (final)
		t->lister = NULL;
	if (r < 0) {
		ctl_note(&t->c, e.msg);
		return;
	}
	ctl_list_replace(&t->c, v, n);
}

static void list_begin(struct tui *t)
{
	struct err e;
	err_clear(&e);
	if (histstore_list_begin(&t->store, &t->lister, &e) < 0) {
		t->lister = NULL;
		ctl_note(&t->c, e.msg);
		return;
	}
	list_show(t, 0);
}

/* A step, and the list shown when done. A cold index's list fills at its end, not in
 * between: copying 10,000 entries four times a second cost more than an answer's
 * stream did (make bench). */
static void list_step(struct tui *t)
{
	struct err e;
	err_clear(&e);
	int r = histstore_list_step(t->lister, LIST_STEP_FILES, LIST_STEP_MS, &e);
	if (r != 0)
		list_show(t, 1);
}

static void resized(struct tui *t)
{
	int rows, cols;
	ui_size(&rows, &cols);
	react(t, ctl_resize(&t->c, rows, cols));
}

static void run_loop(struct tui *t)
{
	while (!t->c.quit) {
		double now = http_now();
		if (t->c.dirty && (now - t->last_draw) * 1000.0 >= FRAME_MS)
			draw(t);
		struct curl_waitfd fds[2] = {
			{STDIN_FILENO, CURL_WAIT_POLLIN, 0},
			{loop_signal_fd(), CURL_WAIT_POLLIN, 0},
		};
		http_wait(t->eng, fds, 2, wait_ms(t, now));
		if (terminal_gone()) {
			/* No terminal means no user: end as if signalled, saving the answer. */
			t->quit_signal = 1;
			break;
		}
		int sig;
		while ((sig = loop_signal_next())) {
			if (sig == SIGWINCH)
				resized(t);
			else
				t->quit_signal = 1; /* TERM, HUP, INT: end and save */
		}
		if (t->quit_signal)
			break;
		input_key k;
		int keyed = 0;
		for (int n = 0; n < 4096 && !t->c.quit && ui_read_key(t->c.in_paste, &k) == 0;
		     n++, keyed = 1) {
			if (k == INPUT_RESIZE)
				resized(t);
			else
				react(t, ctl_key(&t->c, k, http_now(), wall_now()));
		}
		http_perform(t->eng);
		if (t->tr && t->ended)
			finish_stream(t);
		if (t->lister)
			list_step(t);
		if (t->fetch_done) {
			t->fetch_done = 0;
			app_models_fetch_free(t->fetch);
			t->fetch = NULL;
			react(t, ctl_models_changed(&t->c));
		}
		now = http_now();
		react(t, ctl_timer(&t->c, now, wall_now()));
		if (t->tr) {
			double left = 0;
			int attempt = 0, max = 0;
			int waiting = http_retry_wait(t->tr, now, &left, &attempt, &max);
			ctl_stream_waiting(&t->c, waiting, left, attempt, max);
		}
		if (t->c.st)
			save_all(t, 1);
		/* A key's echo does not wait for the frame limit: typing stays within a frame. */
		if (keyed && t->c.dirty && !t->c.quit)
			draw(t);
	}
	if (t->tr) {
		stop_stream(t, t->quit_signal ? OUTCOME_INTERRUPTED : OUTCOME_STOPPED);
		/* A cancelled transfer reports at the next perform. */
		if (t->tr) {
			http_perform(t->eng);
			if (t->tr && t->ended)
				finish_stream(t);
		}
	}
	save_all(t, 0);
}

static const struct ctl_world world_of = {
	.conv_new = w_conv_new,
	.conv_open = w_conv_open,
	.conv_close = w_conv_close,
	.conv_delete = w_conv_delete,
	.conv_list = w_conv_list,
	.conv_resolve = w_conv_resolve,
	.models = w_models,
	.models_free = w_models_free,
	.resolve_model = w_resolve_model,
	.has_env_key = w_has_env_key,
	.search_start = w_search_start,
	.search_step = w_search_step,
	.search_stop = w_search_stop,
};

int tui_main(struct app *app, int argc, char **argv)
{
	struct ctl_start o = {0};
	int bad = parse_args(app, argc, argv, &o);
	if (bad)
		return bad;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return app_usage("the full-screen client needs a terminal; use cherry ask for scripts");
	/* ncursesw draws UTF-8 only under a UTF-8 locale; LANG=C would turn every answer
	 * into question marks. */
	const char *codeset = nl_langinfo(CODESET);
	if (!codeset || strcmp(codeset, "UTF-8"))
		setlocale(LC_CTYPE, "C.UTF-8");

	struct tui *t = calloc(1, sizeof *t);
	if (!t)
		return app_usage("out of memory");
	t->app = app;
	struct err e;
	err_clear(&e);
	int status = EXIT_OK, ui_on = 0, ctl_on = 0;
	struct buf warnings = BUF_INIT;
	static const int sigs[] = {SIGWINCH, 0};
	edit_init(&t->ed, PROMPT_RING);
	if (loop_signals_init(sigs, &e) < 0) {
		status = app_fail(&e);
		goto out;
	}
	struct ctl_world w = world_of;
	w.ctx = t;
	if (ctl_init(&t->c, &app->cfg, &w, &t->ed, config_warning, &warnings) < 0) {
		err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto out;
	}
	ctl_on = 1;
	if (!(t->tools = tui_tools_new(app))) {
		err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto out;
	}
	if (state_prompts_load(&t->ed, &e) < 0)
		config_warning(&warnings, e.msg);
	err_clear(&e);
	struct http_opts hopts = app_http_opts(app);
	t->eng = http_engine_new(&hopts, &e);
	if (!t->eng) {
		status = app_fail(&e);
		goto out;
	}
	http_set_slice(t->eng, STREAM_SLICE);
	if (histstore_open(&t->store, NULL, NULL, NULL, NULL, &e) < 0) {
		status = app_fail(&e);
		goto out;
	}
	t->store_ok = 1;
	if (app->keyring)
		keyring_defer_typed(app->keyring, 1);
	set_today(&t->c);

	/* -c ID, else the conversation shown at the last quit, else a new one. */
	char last[HIST_ID_MAX + 1];
	if (!o.conversation && state_last_get(last) == 0)
		o.conversation = last;
	int rows, cols;
	if (ui_start(&rows, &cols, &e) < 0) {
		status = app_fail(&e);
		goto out;
	}
	ui_on = 1;
	int r = 0;
	if (ctl_begin(&t->c, &o, http_now(), wall_now(), &r, &e) < 0) {
		ui_stop();
		ui_on = 0;
		status = app_fail(&e);
		goto out;
	}
	ctl_resize(&t->c, rows, cols);
	react(t, r);
	if (privacy_notice_due()) {
		char note[160];
		snprintf(note, sizeof note, "The privacy policy changed (version %d): read it with "
			 "cherry privacy", PRIVACY_VERSION);
		ctl_info(&t->c, "cherry", note, 0);
		privacy_notice_seen();
	}
	if (warnings.len)
		ctl_info(&t->c, "config.json", warnings.data, 0);
	/* The first frame goes out before the list is read: with 10,000 conversations
	 * that takes as long as everything else at start-up. */
	t->c.dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	ctl_resize(&t->c, rows, cols);
	draw(t);
	list_begin(t);
	run_loop(t);
	if (t->c.shown && t->c.shown->on_disk)
		state_last_set(t->c.shown->conv.id);
	err_clear(&e);
	state_prompts_save(&t->ed, &e);
out:
	if (ui_on)
		ui_stop();
	if (t->tr)
		drop_transfer(t);
	app_models_fetch_free(t->fetch);
	histstore_list_end(t->lister);
	secret_free(t->found_key);
	if (ctl_on)
		ctl_free(&t->c);
	tui_tools_free(t->tools); /* the MCP servers end with the client */
	w_search_stop(t);
	if (t->store_ok)
		histstore_close(&t->store);
	http_engine_free(t->eng);
	edit_free(&t->ed);
	buf_free(&warnings);
	free(t);
	return status;
}
