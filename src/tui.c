/* tui: the full-screen client's shell: the one loop (curl's sockets, stdin and the
 * signal pipe in one wait, the controller's timer as its timeout), turning keys,
 * deltas, stream ends, timers and resizes into controller events (ctl.h), and carrying
 * out the reactions: keys from the keyring, transfers, saves, the clipboard, $EDITOR,
 * exports. The logic is the controller's; the drawing is ui.c's. */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cherry/app.h"
#include "cherry/ctl.h"
#include "cherry/fsutil.h"
#include "cherry/histwatch.h"
#include "cherry/loop.h"
#include "cherry/outcome.h"
#include "cherry/privacy.h"
#include "cherry/proxy.h"
#include "cherry/state.h"
#include "tui_attach.h"
#include "tui_int.h"
#include "tui_pdf.h"
#include "tui_tools.h"
#include "ui.h"

#define FRAME_MS 16           /* at most about 60 frames a second while streaming */
#define PROMPT_RING 100
#define IDLE_WAIT_MS 3600000  /* "forever": the wait wakes for input anyway */
#define WRITE_POLL_MS 10      /* how soon a whole save written on its thread is collected */
#define EDITOR_MAX (16u << 20)
#define TOOLS_FDS 40     /* the pipes of MCP servers starting, PDFs being read */
#define STREAM_SLICE (32u << 10) /* bytes decoded per turn of the loop: about a ms (a key
				  * waits at most that long for its turn) */

static void set_today(struct ctl *c)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(c->today, sizeof c->today, "%Y-%m-%d", &tm);
}

static void react(struct tui *t, int r);
static void draw(struct tui *t);

/* ---- keys: the vault unlocked in the screen, never in a loop of its own ---- */

static void find_key(struct tui *t)
{
	const struct provider *p = t->c.pending.prov;
	struct err e;
	err_clear(&e);
	const char *source = NULL;
	struct secret *found = NULL;
	int r = p ? keyring_get(t->app->keyring, p, &found, &source, &e) : -1;
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
	if (kr != CTL_KEY_OK)
		secret_free(found);
	else if (tui_streams_key_found(&t->ts, p, found) < 0) /* the stream takes it */
		err_set(&e, EXIT_FAIL, "out of memory");
	react(t, ctl_key_result(&t->c, kr, &e, http_now(), tui_wall_now()));
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
		react(t, ctl_key_result(&t->c, CTL_KEY_WRONG_PASSPHRASE, &e, http_now(), tui_wall_now()));
	else
		react(t, ctl_key_result(&t->c, CTL_KEY_FAILED, &e, http_now(), tui_wall_now()));
}

/* /key: the key typed stored in the vault, as `cherry key set` stores it. */
static void store_key(struct tui *t)
{
	const char *key, *pw;
	size_t klen, plen;
	int create;
	const char *prov = ctl_key_to_store(&t->c, &key, &klen, &pw, &plen, &create);
	struct err e;
	err_clear(&e);
	struct secret *k = prov ? secret_new(key, klen) : NULL;
	struct secret *pass = pw ? secret_new(pw, plen) : NULL;
	int r = -1;
	if (k && (pass || !pw))
		r = keyring_store(t->app->keyring, prov, k, pass, create, &e);
	else
		err_set(&e, EXIT_FAIL, "out of memory");
	secret_free(k);
	secret_free(pass);
	enum ctl_store_result sr = r == 0 ? CTL_STORED : r == 1 ? CTL_STORE_WRONG :
		r == KEYRING_NEED_PASSPHRASE ? CTL_STORE_NEED_PASSPHRASE :
		r == KEYRING_NEED_NEW ? CTL_STORE_NEED_NEW : CTL_STORE_FAILED;
	react(t, ctl_key_stored(&t->c, sr, &e, http_now(), tui_wall_now()));
}

/* ---- saving ---- */

static void save_chat(struct tui *t, struct chat *c, int tick)
{
	struct err e;
	err_clear(&e);
	int r = tick ? chat_tick(c, tui_wall_now(), &e) : chat_save(c, tui_wall_now(), &e);
	if (r < 0 && e.msg[0])
		ctl_note(&t->c, e.msg);
}

/* A conversation is being written whole on a thread of its own (write_behind): the
 * loop ticks soon, to collect it and save what changed meanwhile. */
static int writing_any(const struct tui *t)
{
	if (t->c.shown && chat_writing(t->c.shown))
		return 1;
	for (size_t i = 0; i < t->c.nstreams; i++)
		if (chat_writing(t->c.streams[i]->chat))
			return 1;
	return 0;
}

static void save_all(struct tui *t, int tick)
{
	if (t->c.shown)
		save_chat(t, t->c.shown, tick);
	for (size_t i = 0; i < t->c.nstreams; i++) {
		struct chat *ch = t->c.streams[i]->chat;
		size_t k = 0; /* each conversation once */
		while (k < i && t->c.streams[k]->chat != ch)
			k++;
		if (ch != t->c.shown && k == i)
			save_chat(t, ch, tick);
	}
}

/* ---- $EDITOR ---- */

/* The draft goes where only its user can read it, never /tmp (security.md §3.5):
 * $XDG_RUNTIME_DIR (a tmpfs of the user's own), else cherry's state directory. Made with
 * mode 0600 by mkstemps, removed when the editor is done. */
static int editor_file(struct buf *path, struct err *e)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	int rc;
	if (rt && *rt == '/') {
		rc = buf_printf(path, "%s/cherry-XXXXXX.md", rt);
	} else {
		struct buf dir = BUF_INIT;
		if (xdg_dir(XDG_STATE, &dir, e) < 0 || fs_mkdirs(dir.data, e) < 0) {
			buf_free(&dir);
			return -1;
		}
		rc = buf_printf(path, "%s/draft-XXXXXX.md", dir.data);
		buf_free(&dir);
	}
	int fd = rc < 0 ? -1 : mkstemps(path->data, 3);
	if (fd < 0)
		err_set(e, EXIT_FAIL, "%s", rc < 0 ? "out of memory" : strerror(errno));
	return fd;
}

static void run_editor(struct tui *t)
{
	struct buf path = BUF_INIT;
	struct err e;
	err_clear(&e);
	int fd = editor_file(&path, &e);
	char why[sizeof e.msg + 64];
	if (fd < 0) {
		snprintf(why, sizeof why, "cannot make a file for the editor: %s", e.msg);
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
	if (r & CTL_NEED_KEY) {
		/* a send waits for the tools of a server still starting (tui_tools_poll), and
		 * for its PDFs' text (tui_pdf_poll) */
		const char *server = tui_tools_awaited(t->tools, &t->c);
		const char *pdf = tui_pdf_prepare(t->pdf, &t->c);
		if (server || pdf) {
			char line[400];
			if (server)
				snprintf(line, sizeof line, "the message waits for MCP server %s to "
					 "start\xe2\x80\xa6 (Esc: not now)", server);
			else
				snprintf(line, sizeof line, "the message waits for the text of %.300s "
					 "(pdftotext)\xe2\x80\xa6 (Esc: not now)", pdf);
			ctl_pending_hold(&t->c, line);
			t->key_waits = 1;
		} else {
			find_key(t);
		}
	}
	if (r & CTL_UNLOCK)
		unlock(t);
	if (r & CTL_KEY_STORE)
		store_key(t);
	if (r & CTL_START) {
		react(t, tui_tools_refresh(t->tools, &t->c)); /* a server's new tools offered */
		tui_streams_start(&t->ts);
	}
	if (r & CTL_STOP)
		tui_streams_stop(&t->ts, OUTCOME_STOPPED);
	if (r & CTL_SAVE) {
		/* what changed is shown before it is written: an answer's last token is on
		 * the screen while its conversation (megabytes, perhaps) goes to disk */
		if (t->c.dirty && !t->c.quit && t->last_draw > 0)
			draw(t);
		save_all(t, 0);
	}
	if (r & CTL_SAVE_PROMPTS) {
		struct err e;
		err_clear(&e);
		t->prompts_unsaved = state_prompts_save(&t->ed, &e) < 0;
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
		t->in_call = 1;
		int quit = 0, next = tui_tools_run(t->tools, &t->c, &quit);
		t->in_call = 0;
		if (quit)
			t->quit_signal = t->c.quit = 1;
		next |= t->held;
		t->held = 0;
		react(t, next);
	}
}

/* The streams' reactions: while a tool call runs (its wait reads them, in_call), held
 * for when it ends, so that nothing it would start (a key asked for, a queued message
 * sent) starts inside it. */
static void react_ctx(void *ctx, int r)
{
	struct tui *t = ctx;
	if (t->in_call)
		t->held |= r;
	else
		react(t, r);
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

static int wait_ms(struct tui *t, double now)
{
	long ms = http_timeout_ms(t->eng);
	if (ms < 0 || ms > IDLE_WAIT_MS)
		ms = IDLE_WAIT_MS;
	if (t->c.dirty || tui_streams_pending(&t->ts)) {
		double from = t->c.dirty ? t->last_draw : t->ts.last_flush;
		long left = (long)((from + FRAME_MS / 1000.0 - now) * 1000.0) + 1;
		if (left < ms)
			ms = left < 0 ? 0 : left;
	}
	if (writing_any(t) && ms > WRITE_POLL_MS)
		ms = WRITE_POLL_MS;
	if ((t->lister && !t->watch_thread) || t->collecting)
		ms = 0; /* the list is being read, or every conversation for the attachments of
			 * one deleted: a step each turn, keys between them */
	else if (t->lister && ms > 1)
		ms = 1; /* the list waits for the watch (watch_ready) */
	long tools_ms = tui_tools_wait_ms(t->tools), pdf_ms = tui_pdf_wait_ms(t->pdf);
	if (tools_ms >= 0 && tools_ms < ms)
		ms = tools_ms;
	if (pdf_ms >= 0 && pdf_ms < ms)
		ms = pdf_ms;
	double next = ctl_next_timer(&t->c, now);
	if (next >= 0 && next * 1000.0 + 1 < (double)ms)
		ms = (long)(next * 1000.0) + 1;
	return (int)ms;
}

static void draw(struct tui *t)
{
	ctl_frame(&t->c);
	find_proxy(t);
	if (t->c.dirty & CTL_DIRTY_LAYOUT)
		ui_layout(&t->c);
	ui_draw(&t->c);
	t->c.dirty = 0;
	t->last_draw = http_now();
}

/* The list is read in steps between keys, so a cold index of 100,000 files never holds
 * the screen: a warm index shows its head (the newest) at once and the rest when it is
 * read, a cold one when it is read. */
#define LIST_STEP_FILES 64
/* Conversations read a step for the attachments of one deleted (each read whole). */
#define COLLECT_STEP_FILES 32
#define LIST_STEP_MS 4.0
/* While it is read, the list is shown again each time it has doubled, up to this many
 * entries: each copy then costs a millisecond or two, and a cold index of 100,000 shows
 * its first thousands long before its end. */
#define LIST_SHOW_MAX 4096
#define LIST_HEAD_MARGIN 16 /* entries read before the first frame beyond a screen's rows */

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
	} else {
		t->list_shown = n;
		t->listed |= final;
		ctl_list_replace(&t->c, v, n);
	}
	if (final)
		ctl_list_reading(&t->c, 0);
}

static void *watch_open_thread(void *ctx)
{
	struct tui *t = ctx;
	t->watch_made = histwatch_open(&t->store);
	__atomic_store_n(&t->watch_ready, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* The watch once its thread made it (wait: for it), NULL until then or without one. */
static struct histwatch *watch_of(struct tui *t, int wait)
{
	if (t->watch_thread && (wait || __atomic_load_n(&t->watch_ready, __ATOMIC_ACQUIRE))) {
		pthread_join(t->watch_tid, NULL);
		t->watch_thread = 0;
		t->watch = t->watch_made;
	}
	return t->watch;
}

/* The index's head, as many entries as the screen has rows and a margin: the first frame
 * shows them; the rest is read in steps after it. */
static void list_begin(struct tui *t, int rows)
{
	struct err e;
	err_clear(&e);
	if (histstore_list_begin_head(&t->store, (size_t)(rows > 0 ? rows : 0) + LIST_HEAD_MARGIN,
				      &t->lister, &e) < 0) {
		t->lister = NULL;
		ctl_note(&t->c, e.msg);
		return;
	}
	t->list_quiet = 0;
	ctl_list_reading(&t->c, 1);
	list_show(t, 0);
}

/* The conversations directory's watch, made after the first frame on a thread of its
 * own: the kernel marks every name of the directory it holds in memory as it is made,
 * 16-18 ms with 100,000 conversations, and holds the directory meanwhile, so that a
 * file in it looked up then (the head of the list checked against its files, when the
 * directory changed since the index was written) waited for it: the first frame came
 * at 24-35 ms instead of 11. The list's files are read once it is made (watch_ready). */
static void watch_start(struct tui *t)
{
	t->watch_drained = http_now();
	t->watch_thread = pthread_create(&t->watch_tid, NULL, watch_open_thread, t) == 0;
	if (!t->watch_thread)
		t->watch = histwatch_open(&t->store);
}

/* 1 once the watch is made (or could not be): the list's files may be read. What changed
 * before it was made and after the list began is not in the watch: a directory that
 * changed since then (a conversation saved, made or deleted by another cherry) is read
 * again from its head. */
static int watch_ready(struct tui *t)
{
	if (!t->watch_thread)
		return 1;
	if (!__atomic_load_n(&t->watch_ready, __ATOMIC_ACQUIRE))
		return 0;
	watch_of(t, 0);
	if (t->lister && histstore_list_dir_moved(t->lister)) {
		int rows, cols;
		histstore_list_end(t->lister);
		t->lister = NULL;
		ui_size(&rows, &cols);
		list_begin(t, rows);
	}
	return 1;
}

/* What the watch saw since the list was read, read and given to the controller: 0, or
 * -1 when the list is to be read whole. */
static int list_changes(struct tui *t)
{
	char(*ids)[HIST_ID_MAX + 1];
	size_t n, nmine = 0, nv;
	if (histwatch_take(t->watch, &ids, &n) != 0)
		return -1;
	/* the conversations this run wrote keep the controller's entries: not read again */
	char(*others)[HIST_ID_MAX + 1] = malloc((n ? n : 1) * sizeof *others);
	for (size_t i = 0; others && i < n; i++) {
		if (ctl_list_mine(&t->c, ids[i]))
			nmine++;
		else
			memcpy(others[i - nmine], ids[i], sizeof *others);
	}
	struct hist_entry *v;
	struct err e;
	err_clear(&e);
	int r = others && histstore_entries_of(&t->store, (const char(*)[HIST_ID_MAX + 1])others,
					       n - nmine, &v, &nv, NULL, &e) == 0 ? 0 : -1;
	if (r == 0)
		ctl_list_changed(&t->c, (const char(*)[HIST_ID_MAX + 1])ids, n, v, nv);
	free(others);
	free(ids);
	return r;
}

int tui_list_refresh(struct tui *t)
{
	struct err e;
	err_clear(&e);
	if (t->lister)
		return 0;
	if (watch_of(t, 1) && t->listed && list_changes(t) == 0)
		return 1;
	/* read whole: what the watch saw so far is in what is read */
	char(*ids)[HIST_ID_MAX + 1];
	size_t n;
	histwatch_take(t->watch, &ids, &n);
	free(ids);
	if (histstore_list_begin_head(&t->store, 0, &t->lister, &e) < 0) {
		t->lister = NULL;
		return -1;
	}
	t->list_quiet = 1; /* the list shown stays whole until the new one is */
	return 0;
}

/* A step, and the list shown when done, or when it has doubled while still small: not
 * every step, as copying 10,000 entries four times a second cost more than an answer's
 * stream did (make bench). */
static void list_step(struct tui *t)
{
	struct err e;
	err_clear(&e);
	int r = histstore_list_step(t->lister, LIST_STEP_FILES, LIST_STEP_MS, &e);
	size_t n = r ? 0 : histstore_list_count(t->lister);
	if (r != 0)
		list_show(t, 1);
	else if (!t->list_quiet && n >= 2 * t->list_shown + 64 && n <= LIST_SHOW_MAX)
		list_show(t, 0);
}

static void resized(struct tui *t)
{
	int rows, cols;
	ui_size(&rows, &cols);
	react(t, ctl_resize(&t->c, rows, cols));
}

/* A key is waiting to be read. */
static int key_waiting(void)
{
	struct pollfd p = {STDIN_FILENO, POLLIN, 0};
	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/* The transfers' bytes decoded; deltas gathered a frame long go to the controller
 * (laid out), unless a key came meanwhile: that goes first. */
static void perform(struct tui *t)
{
	http_perform(t->eng);
	if (tui_streams_flush_due(&t->ts, http_now()) && !key_waiting())
		tui_streams_flush(&t->ts);
}

/* While a tool call runs (tui_tools_service): the other answers' transfers are read,
 * their deltas go to the controller (the call's wait paints them), and they are saved
 * as the loop saves them; their reactions wait for the call's end (react_ctx). */
static void service_streams(void *ctx)
{
	struct tui *t = ctx;
	if (!t->c.nstreams)
		return;
	perform(t);
	tui_streams_poll(&t->ts, http_now());
	if (t->c.nstreams && !key_waiting())
		save_all(t, 1);
}

/* How long the call's wait may sleep before those transfers want reading: a frame at
 * most while any runs, -1 when none does. */
static int service_due(void *ctx)
{
	struct tui *t = ctx;
	if (!t->c.nstreams)
		return -1;
	long ms = http_timeout_ms(t->eng);
	return (int)(ms < 0 || ms > FRAME_MS ? FRAME_MS : ms);
}

static void run_loop(struct tui *t)
{
	while (!t->c.quit) {
		double now = http_now();
		/* A key that came while the stream was decoded goes first: its echo does not
		 * wait behind the stream's frame (it draws what that frame would have). */
		int keyed_early = key_waiting();
		if (!keyed_early && tui_streams_flush_due(&t->ts, now))
			tui_streams_flush(&t->ts);
		if (!keyed_early && t->c.dirty && (now - t->last_draw) * 1000.0 >= FRAME_MS)
			draw(t);
		struct curl_waitfd fds[2 + TOOLS_FDS] = {
			{STDIN_FILENO, CURL_WAIT_POLLIN, 0},
			{loop_signal_fd(), CURL_WAIT_POLLIN, 0},
		};
		int nfds = 2 + tui_tools_fds(t->tools, fds + 2, TOOLS_FDS);
		nfds += tui_pdf_fds(t->pdf, fds + nfds, 2 + TOOLS_FDS - nfds);
		http_wait(t->eng, fds, (unsigned)nfds, wait_ms(t, now));
		if (ui_terminal_gone()) {
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
				react(t, ctl_key(&t->c, k, http_now(), tui_wall_now()));
		}
		/* A key's echo does not wait for the frame limit, nor for the stream's next
		 * slice: typing stays within a frame however busy the stream is. A paste
		 * draws at its end (or at the frame limit, when the rest is slow to come). */
		if (keyed && t->c.dirty && !t->c.quit && !t->c.in_paste)
			draw(t);
		perform(t);
		now = http_now();
		tui_streams_poll(&t->ts, now);
		if (t->lister && watch_ready(t))
			list_step(t);
		t->collecting = histstore_collect_step(&t->store, COLLECT_STEP_FILES);
		/* the watch's events read now and then, so that its queue never overflows */
		if (now - t->watch_drained >= 1.0 && watch_of(t, 0)) {
			histwatch_drain(t->watch);
			t->watch_drained = now;
		}
		react(t, tui_tools_poll(t->tools, &t->c));
		tui_pdf_poll(t->pdf, &t->c);
		if (t->key_waits && !tui_tools_awaited(t->tools, &t->c) && !tui_pdf_busy(t->pdf)) {
			t->key_waits = 0;
			ctl_pending_hold(&t->c, NULL);
			if (t->c.pending.active) /* not dropped (Esc) meanwhile */
				find_key(t);
		}
		if (t->fetch_done) {
			t->fetch_done = 0;
			app_models_fetch_free(t->fetch);
			t->fetch = NULL;
			react(t, ctl_models_changed(&t->c));
		}
		now = http_now();
		react(t, ctl_timer(&t->c, now, tui_wall_now()));
		/* the save while streaming waits a turn for a key that came meanwhile */
		if ((t->c.nstreams || writing_any(t)) && !key_waiting())
			save_all(t, 1);
	}
	if (t->c.nstreams) {
		react(t, ctl_stop_all(&t->c, http_now(), tui_wall_now()) & ~CTL_STOP);
		tui_streams_end_all(&t->ts, t->quit_signal ? OUTCOME_INTERRUPTED : OUTCOME_STOPPED);
	}
	save_all(t, 0);
}

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
	struct ctl_world w = tui_world;
	w.ctx = t;
	tui_attach_world(&w, &t->store);
	if (ctl_init(&t->c, &app->cfg, &w, &t->ed, config_warning, &warnings) < 0) {
		err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto out;
	}
	ctl_on = 1;
	tui_tools_keep(&t->c);
	if (!(t->pdf = tui_pdf_new(&t->store))) {
		err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto out;
	}
	if (!(t->tools = tui_tools_new(app))) {
		err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto out;
	}
	tui_tools_service(t->tools, service_streams, service_due, t);
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
	t->ts = (struct tui_streams){.c = &t->c, .eng = t->eng, .kr = app->keyring,
				     .react = react_ctx, .ctx = t, .wall = tui_wall_now};
	if (histstore_open_listing(&t->store, NULL, NULL, NULL, NULL, &e) < 0) {
		status = app_fail(&e);
		goto out;
	}
	t->store_ok = 1;
	histstore_collect_later(&t->store);
	t->store.write_behind = 1; /* a fold of megabytes never holds a key's echo */
	if (app->keyring)
		keyring_defer_typed(app->keyring, 1);
	set_today(&t->c);

	/* -c ID, else the conversation shown at the last quit, else a new one. */
	char last[HIST_ID_MAX + 1];
	if (!o.conversation && state_last_get(last) == 0 &&
	    histstore_exists(&t->store, last)) /* gone since: a new one, no prefix looked up */
		o.conversation = last;
	int rows, cols;
	if (ui_start(&app->cfg, &rows, &cols, &e) < 0) {
		status = app_fail(&e);
		goto out;
	}
	ui_on = 1;
	int r = 0;
	if (ctl_begin(&t->c, &o, http_now(), tui_wall_now(), &r, &e) < 0) {
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
	if (t->store.readonly) {
		/* security.md 3.7: a read-only data directory starts the client read-only */
		struct buf note = BUF_INIT;
		buf_printf(&note, "The history is read-only (%s): nothing is saved in this "
			   "session, and what you write stays only until you quit. Make the "
			   "directory writable, or point XDG_DATA_HOME at one that is, to keep it.",
			   t->store.readonly_why);
		ctl_info(&t->c, "history", note.data ? note.data : "", 0);
		buf_free(&note);
		t->c.history_readonly = 1;
	}
	/* The first frame shows the list's head, a screen of the newest from the index (a
	 * cold index: none yet); the rest is read after it, in steps between keys. */
	list_begin(t, rows);
	t->c.dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
	ctl_resize(&t->c, rows, cols);
	draw(t);
	watch_start(t);
	run_loop(t);
	if (t->c.shown && t->c.shown->on_disk)
		state_last_set(t->c.shown->conv.id);
	err_clear(&e);
	if (t->prompts_unsaved) /* each prompt was saved as it was sent, unless that failed */
		state_prompts_save(&t->ed, &e);
out:
	if (ui_on)
		ui_stop();
	tui_streams_end_all(&t->ts, OUTCOME_STOPPED);
	app_models_fetch_free(t->fetch);
	histstore_list_end(t->lister);
	histwatch_close(watch_of(t, 1));
	if (ctl_on)
		ctl_free(&t->c);
	tui_tools_free(t->tools); /* the MCP servers end with the client */
	tui_pdf_free(t->pdf);
	tui_world.search_stop(t);
	if (t->store_ok)
		histstore_close(&t->store);
	http_engine_free(t->eng);
	edit_free(&t->ed);
	buf_free(&warnings);
	free(t);
	return status;
}
