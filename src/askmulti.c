/* askmulti: `cherry ask` with several models: every answer streams at once over one multi
 * handle and is shown whole under its own header, one after another (or, with --json,
 * as JSON Lines events in the order they arrive). */
#include "ask_int.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cherry/http.h"
#include "cherry/loop.h"
#include "cherry/privacy.h"
#include "cherry/sanitize.h"
#include "cherry/utf8.h"

#define NONE SIZE_MAX

struct multi;

struct multi_answer {
	struct multi *m;
	struct ask_target *tg;
	size_t index;
	struct http_transfer *t;    /* NULL: it could not start (line says why) */
	struct ask_text x;          /* held until its section is written */
	long deltas;
	int ended;                  /* the transfer ended (its done callback ran) */
	int judged;                 /* its outcome is recorded and its status known */
	int shown;                  /* its section is written whole */
	int status;                 /* its exit status, once judged */
	struct err line;            /* its error line ("provider/model: ..."), code 0 none */
	size_t what;                /* where the line says what happened, past the model */
	struct outcome oc;
};

struct multi {
	struct app *app;
	const struct ask_opts *o;
	struct ask_save *sv;
	struct multi_answer *a;
	size_t n;
	double now;
	enum outcome_stop stop;
	int tty;                    /* stdout is a terminal */
	size_t live;                /* the answer whose section is being written, NONE */
	size_t sections;            /* sections begun */
	struct buf events;          /* --json: events not written yet */
	int output_failed;
	int output_errno;           /* why the first failed write failed */
};

static void put_stdout(struct multi *m, const char *s, size_t len)
{
	if (!len || m->output_failed)
		return;
	if (ask_write_all(STDOUT_FILENO, s, len) < 0) {
		m->output_failed = 1;
		m->output_errno = errno;
	}
}

/* One JSON Lines event: {"model", "index", "type", ...fields}; fields is taken. */
static void event(struct multi_answer *a, const char *type, json_t *fields)
{
	json_t *ev = json_pack("{s:s,s:I,s:s}", "model", a->tg->spec.data, "index",
			       (json_int_t)a->index, "type", type);
	if (ev && fields)
		json_object_update(ev, fields);
	json_decref(fields);
	struct buf *b = &a->m->events;
	size_t from = b->len;
	size_t need = ev ? json_dumpb(ev, NULL, 0, JSON_COMPACT) : 0;
	if (need && buf_reserve(b, need + 1) == 0 &&
	    json_dumpb(ev, b->data + from, need, JSON_COMPACT) == need) {
		b->len += need;
		/* jansson keeps C1 controls raw, which a terminal would obey */
		if (sanitize_json_c1(b, from) < 0 || buf_append_char(b, '\n') < 0)
			b->len = from;
		b->data[b->len] = '\0';
	}
	json_decref(ev);
}

/* A text or reasoning event; the delta is made valid UTF-8 first, as jansson wants. */
static void delta_event(struct multi_answer *a, const char *type, const char *s, size_t len)
{
	struct buf text = BUF_INIT;
	if (utf8_repair(s, len, &text) == 0)
		event(a, type, json_pack("{s:s%}", "text", text.data ? text.data : "", text.len));
	buf_free(&text);
}

static void emit_text(void *ctx, const char *s, size_t len)
{
	struct multi_answer *a = ctx;
	struct multi *m = a->m;
	a->deltas++;
	/* raw: the file keeps what was sent */
	chat_delta(&m->sv->chat, a->tg->answer, s, len, 0, m->now);
	if (m->o->json) {
		delta_event(a, "text", s, len);
		return;
	}
	ask_text_answer(&a->x, m->o->raw, s, len);
}

static void emit_reasoning(void *ctx, const char *s, size_t len)
{
	struct multi_answer *a = ctx;
	struct multi *m = a->m;
	a->deltas++;
	/* saved even when not shown */
	chat_delta(&m->sv->chat, a->tg->answer, s, len, 1, m->now);
	if (m->o->json) {
		delta_event(a, "reasoning", s, len);
		return;
	}
	if (m->o->show_reasoning)
		ask_text_reasoning(&a->x, s, len);
}

static void on_done(void *ctx, struct http_transfer *t)
{
	struct multi_answer *a = ctx;
	(void)t;
	a->ended = 1;
}

/* The done or error event of a judged answer. */
static void end_event(struct multi_answer *a)
{
	const struct outcome *oc = &a->oc;
	if (a->status == EXIT_OK) {
		json_t *u = json_pack("{s:I,s:I,s:I,s:I}", "input", (json_int_t)oc->usage.input,
				      "output", (json_int_t)oc->usage.output, "reasoning",
				      (json_int_t)oc->usage.reasoning, "cached",
				      (json_int_t)oc->usage.cached);
		json_t *f = json_pack("{s:s,s:o*}", "status", hist_status_name(oc->status),
				      "usage", u);
		if (f && oc->ttft >= 0)
			json_object_set_new(f, "ttft", json_real(oc->ttft));
		if (f && oc->note)
			json_object_set_new(f, "note", json_string(oc->note));
		event(a, "done", f);
		return;
	}
	struct buf msg = BUF_INIT;
	/* the event names the model already */
	utf8_repair(a->line.msg + a->what, strlen(a->line.msg + a->what), &msg);
	event(a, "error", json_pack("{s:s,s:i,s:s}", "status", hist_status_name(oc->status),
				    "exit", a->status, "message", msg.data ? msg.data : ""));
	buf_free(&msg);
}

/* "provider/model: what happened", the provider not named again (the transfer's lines
 * begin with its name), and what to do when the line does not say it already. */
static void failure_line(struct multi_answer *a, const struct err *e)
{
	const char *what = outcome_unnamed(e->msg, a->tg->prov->name);
	int advised = strstr(what, "check") || strstr(what, "try") || strstr(what, "use ");
	err_set(&a->line, e->code, "%s: %s%s", a->tg->spec.data, what,
		e->code == EXIT_NETWORK && !advised ? "; ask this model again later" : "");
}

/* An ended answer: its outcome into the conversation, its status, its last bytes. */
static void judge(struct multi *m, struct multi_answer *a)
{
	struct err e;
	if (a->t) {
		a->status = ask_judge(a->t, m->stop, a->tg->key, a->deltas,
				      m->output_failed ? m->output_errno : 0, &a->oc, &e);
		ask_record(m->sv, a->tg->answer, &a->oc);
		ask_key_refused(m->app, a->tg, a->t);
	} else {
		e = a->line;
		a->status = e.code;
		memset(&a->oc, 0, sizeof a->oc);
		a->oc.status = HIST_ERROR;
		a->oc.err = e;
		a->oc.usage = (struct wire_usage){-1, -1, -1, -1};
		a->oc.ttft = -1;
		ask_record(m->sv, a->tg->answer, &a->oc);
	}
	err_clear(&a->line);
	a->what = strlen(a->tg->spec.data) + 2;
	if (e.code)
		failure_line(a, &e);
	else if (a->oc.note && a->status == EXIT_OK)
		err_set(&a->line, EXIT_OK, "%s: note: %s", a->tg->spec.data, a->oc.note);
	a->judged = 1;
	if (m->o->json) {
		end_event(a);
		if (m->o->stats && a->t)
			ask_print_stats(a->t, a->tg->spec.data);
		if (a->line.msg[0])
			app_fail(&a->line);
		return;
	}
	ask_text_finish(&a->x, m->o->raw);
}

static void flush_answer(struct multi *m, struct multi_answer *a)
{
	struct ask_text *x = &a->x;
	if (x->errout.len) {
		ask_write_all(STDERR_FILENO, x->errout.data, x->errout.len);
		buf_reset(&x->errout);
	}
	if (x->out.len) {
		put_stdout(m, x->out.data, x->out.len);
		x->last_out = x->out.data[x->out.len - 1];
		buf_reset(&x->out);
	}
}

/* The next section to write. Piped: strictly in the order given. On a terminal: a
 * finished answer (in the order given) before any still streaming, else the first that
 * has begun to answer, which then streams live; none while nothing has arrived. */
static size_t next_section(const struct multi *m)
{
	for (size_t i = 0; m->tty && i < m->n; i++)
		if (!m->a[i].shown && m->a[i].judged)
			return i;
	for (size_t i = 0; i < m->n; i++) {
		const struct multi_answer *a = &m->a[i];
		if (!a->shown && (!m->tty || a->x.out.len || a->x.errout.len))
			return i;
	}
	return NONE;
}

/* Writes what can be written: the live section's new text, and each section that can
 * follow it once it is whole. */
static void show(struct multi *m)
{
	if (m->o->json) {
		put_stdout(m, m->events.data, m->events.len);
		buf_reset(&m->events);
		return;
	}
	for (;;) {
		if (m->live == NONE) {
			m->live = next_section(m);
			if (m->live == NONE)
				return;
			struct buf h = BUF_INIT, safe = BUF_INIT;
			const char *spec = m->a[m->live].tg->spec.data;
			if (sanitize_string(spec, strlen(spec), &safe) == 0 &&
			    buf_printf(&h, "%s## %s\n\n", m->sections++ ? "\n" : "",
				       safe.data ? safe.data : "") == 0)
				put_stdout(m, h.data, h.len);
			buf_free(&h);
			buf_free(&safe);
		}
		struct multi_answer *a = &m->a[m->live];
		flush_answer(m, a);
		if (!a->judged)
			return;
		if (m->o->stats && a->t)
			ask_print_stats(a->t, a->tg->spec.data);
		if (a->line.msg[0] && a->status != EXIT_BROKEN_PIPE)
			app_fail(&a->line);
		a->shown = 1;
		m->live = NONE;
	}
}

static void cancel_all(struct multi *m, struct http_engine *eng, enum outcome_stop stop)
{
	if (m->stop != OUTCOME_RAN)
		return;
	m->stop = stop;
	for (size_t i = 0; i < m->n; i++)
		if (m->a[i].t && !m->a[i].ended)
			http_cancel(eng, m->a[i].t);
}

static void start_all(struct multi *m, struct http_engine *eng)
{
	for (size_t i = 0; i < m->n; i++) {
		struct multi_answer *a = &m->a[i];
		struct err e;
		err_clear(&e);
		struct wire_sink sink = {emit_text, emit_reasoning, a};
		a->t = http_start_stream(eng, a->tg->prov, &a->tg->req, a->tg->key, &sink, on_done,
					 a, &e);
		if (!a->t) {
			a->line = e;
			a->ended = 1;
			continue;
		}
		privacy_count("asks");
		privacy_count_message(a->tg->prov->kind);
	}
}

/* Runs the one wait until every transfer has ended, writing as it goes. */
static void run(struct multi *m, struct http_engine *eng)
{
	int live = 1;
	while (live) {
		m->now = ask_wait(eng);
		int sig;
		while ((sig = loop_signal_next()))
			if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
				/* Ctrl-C is a stop; TERM/HUP end the run */
				cancel_all(m, eng, sig == SIGINT ? OUTCOME_STOPPED : OUTCOME_INTERRUPTED);
		live = http_perform(eng);
		for (size_t i = 0; i < m->n; i++)
			if (m->a[i].ended && !m->a[i].judged)
				judge(m, &m->a[i]);
		show(m);
		/* Nobody reads the answers any more: stop them rather than stream on. */
		if (m->output_failed)
			cancel_all(m, eng, OUTCOME_STOPPED);
		struct err te;
		err_clear(&te);
		ask_saved(m->sv, chat_tick(&m->sv->chat, m->now, &te), &te);
	}
	for (size_t i = 0; i < m->n; i++)
		if (!m->a[i].judged)
			judge(m, &m->a[i]);
	show(m);
}

int ask_multi_stream(struct app *app, const struct ask_opts *o, struct ask_target *tg,
		     size_t n, struct ask_save *sv)
{
	struct err e;
	struct http_opts hopts = app_http_opts(app);
	struct http_engine *eng = http_engine_new(&hopts, &e);
	if (!eng)
		return app_fail(&e);
	struct multi m = {
		.app = app, .o = o, .sv = sv, .n = n, .now = ask_wall_now(),
		.stop = OUTCOME_RAN, .tty = isatty(STDOUT_FILENO), .live = NONE,
	};
	m.a = calloc(n, sizeof *m.a);
	if (!m.a) {
		http_engine_free(eng);
		err_set(&e, EXIT_FAIL, "out of memory");
		return app_fail(&e);
	}
	for (size_t i = 0; i < n; i++) {
		m.a[i].m = &m;
		m.a[i].tg = &tg[i];
		m.a[i].index = i;
		ask_text_init(&m.a[i].x);
	}
	start_all(&m, eng);
	run(&m, eng);
	ask_save_now(sv);
	/* The worst of the answers' statuses (the largest: 130 and 141 say the run was cut
	 * short, above any one answer's failure). */
	int status = EXIT_OK;
	for (size_t i = 0; i < n; i++) {
		if (m.a[i].status > status)
			status = m.a[i].status;
		if (m.a[i].t)
			http_transfer_free(m.a[i].t);
		ask_text_free(&m.a[i].x);
	}
	/* The answers were printed, but their record is not on disk. */
	if ((sv->failing || sv->unsaved) && status == EXIT_OK)
		status = EXIT_FAIL;
	buf_free(&m.events);
	free(m.a);
	http_engine_free(eng);
	return status;
}
