/* tui_stream: the client shell's transfers, one per streaming answer; see tui_stream.h. */
#include "tui_stream.h"

#include <stdlib.h>
#include <string.h>

#include "cherry/ctl_tools.h"
#include "cherry/wire.h"

struct tui_stream {
	struct tui_streams *s;
	unsigned long id;         /* the controller's stream */
	struct http_transfer *tr;
	struct wire_http req;
	struct secret *key;
	const struct provider *prov;
	enum outcome_stop stop;
	int ended;                /* its done callback ran */
	struct buf pend;          /* its deltas not yet given to the controller */
	long pend_n;              /* how many */
	int pend_reasoning;       /* of the reasoning */
};

static void flush_one(struct tui_stream *ts)
{
	if (!ts->pend_n)
		return;
	ctl_deltas(ts->s->c, ts->id, ts->pend.data ? ts->pend.data : "", ts->pend.len,
		   ts->pend_reasoning, ts->pend_n, http_now(), ts->s->wall());
	buf_reset(&ts->pend);
	ts->pend_n = 0;
}

static void on_delta(struct tui_stream *ts, const char *s, size_t len, int reasoning)
{
	if (ts->pend_n && ts->pend_reasoning != reasoning)
		flush_one(ts);
	if (buf_append(&ts->pend, s, len) < 0) {
		/* no room to gather: this one on its own */
		flush_one(ts);
		ctl_delta(ts->s->c, ts->id, s, len, reasoning, http_now(), ts->s->wall());
		return;
	}
	ts->pend_reasoning = reasoning;
	ts->pend_n++;
	if (ts->pend.len >= TUI_STREAMS_SLICE)
		flush_one(ts);
}

static void on_text(void *ctx, const char *s, size_t len)
{
	on_delta(ctx, s, len, 0);
}

static void on_reasoning(void *ctx, const char *s, size_t len)
{
	on_delta(ctx, s, len, 1);
}

int tui_streams_pending(const struct tui_streams *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->pend_n)
			return 1;
	return 0;
}

int tui_streams_flush_due(const struct tui_streams *s, double now)
{
	return (now - s->last_flush) * 1000.0 >= TUI_STREAMS_FRAME_MS && tui_streams_pending(s);
}

void tui_streams_flush(struct tui_streams *s)
{
	s->last_flush = http_now();
	for (size_t i = 0; i < s->n; i++)
		flush_one(s->v[i]);
}

static void on_done(void *ctx, struct http_transfer *tr)
{
	struct tui_stream *ts = ctx;
	(void)tr;
	ts->ended = 1;
}

int tui_streams_key_found(struct tui_streams *s, const struct provider *p, struct secret *key)
{
	struct found_key *v = realloc(s->found, (s->nfound + 1) * sizeof *v);
	if (!v) {
		secret_free(key);
		return -1;
	}
	s->found = v;
	s->found[s->nfound++] = (struct found_key){p, key};
	return 0;
}

/* The key for p: one found for a send, else the keyring's (a stream held for a free
 * slot starts later). NULL with e when there is none. */
static struct secret *key_for(struct tui_streams *s, const struct provider *p, struct err *e)
{
	for (size_t i = 0; i < s->nfound; i++)
		if (s->found[i].prov == p) {
			struct secret *k = s->found[i].key;
			memmove(&s->found[i], &s->found[i + 1],
				(s->nfound - i - 1) * sizeof *s->found);
			s->nfound--;
			return k;
		}
	struct secret *k = NULL;
	const char *source = NULL;
	int r = keyring_get(s->kr, p, &k, &source, e);
	if (r == 0 || (r == 1 && p->key_optional)) {
		err_clear(e);
		return k;
	}
	secret_free(k);
	if (!e->msg[0])
		err_set(e, EXIT_KEY, "no key for %s", p->name);
	return NULL;
}

static void drop(struct tui_streams *s, struct tui_stream *ts)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == ts) {
			memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
			s->n--;
			break;
		}
	if (ts->tr)
		http_transfer_free(ts->tr);
	wire_http_free(&ts->req);
	secret_free(ts->key);
	buf_free(&ts->pend);
	free(ts);
}

/* The transfer ended: the controller hears how. */
static void finish(struct tui_streams *s, struct tui_stream *ts)
{
	flush_one(ts);
	struct outcome o;
	const struct ctl_stream *st = ctl_stream_by_id(s->c, ts->id);
	outcome_of(ts->tr, ts->stop, ts->key, st ? st->deltas : 0, &o);
	/* a refused key is skipped for the rest of the run; one line says which */
	struct err w;
	err_clear(&w);
	long code = http_status(ts->tr);
	int rejected = (code == 401 || code == 403) && ts->key && ts->prov &&
		       keyring_reject(s->kr, ts->prov, ts->key, &w) == 1;
	/* the answer's tool calls are saved with it (the controller runs them) */
	struct err ce;
	err_clear(&ce);
	int calls = o.status == HIST_COMPLETE
		    ? ctl_stream_calls(s->c, ts->id, (struct wire_stream *)http_stream(ts->tr),
				       s->wall(), &ce)
		    : 0;
	if (calls < 0) {
		o.status = HIST_ERROR;
		o.err = ce;
	} else if (calls) {
		o.note = NULL; /* the calls are the loop's to run, not a note */
	}
	unsigned long id = ts->id;
	drop(s, ts);
	s->react(s->ctx, ctl_stream_end(s->c, id, &o, http_now(), s->wall()));
	if (rejected)
		ctl_info(s->c, "cherry", w.msg, 1);
}

/* A stream that could not start ends at once as an error. */
static void failed_start(struct tui_streams *s, unsigned long id, const struct err *e)
{
	struct outcome o;
	memset(&o, 0, sizeof o);
	o.status = HIST_ERROR;
	o.err = *e;
	o.usage = (struct wire_usage){-1, -1, -1, -1};
	o.ttft = -1;
	s->react(s->ctx, ctl_stream_end(s->c, id, &o, http_now(), s->wall()));
}

static void start_one(struct tui_streams *s, unsigned long id)
{
	struct err e;
	err_clear(&e);
	struct tui_stream *ts = calloc(1, sizeof *ts);
	struct tui_stream **v = ts ? realloc(s->v, (s->n + 1) * sizeof *v) : NULL;
	if (!v) {
		free(ts);
		err_set(&e, EXIT_FAIL, "out of memory");
		failed_start(s, id, &e);
		return;
	}
	s->v = v;
	ts->s = s;
	ts->id = id;
	ts->stop = OUTCOME_RAN;
	struct provider *prov;
	if (ctl_stream_request(s->c, id, &prov, &ts->req, &e) < 0) {
		wire_http_free(&ts->req);
		free(ts);
		failed_start(s, id, &e);
		return;
	}
	ts->prov = prov;
	ts->key = key_for(s, prov, &e);
	if (e.msg[0]) {
		wire_http_free(&ts->req);
		free(ts);
		failed_start(s, id, &e);
		return;
	}
	s->v[s->n++] = ts;
	struct wire_sink sink = {on_text, on_reasoning, ts};
	ts->tr = http_start_stream(s->eng, prov, &ts->req, ts->key, &sink, on_done, ts, &e);
	if (!ts->tr) {
		drop(s, ts);
		failed_start(s, id, &e);
	}
}

void tui_streams_start(struct tui_streams *s)
{
	unsigned long ids[16];
	size_t n;
	while ((n = ctl_streams_to_start(s->c, ids, 16)) > 0)
		for (size_t i = 0; i < n; i++)
			start_one(s, ids[i]);
}

static struct tui_stream *by_id(const struct tui_streams *s, unsigned long id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->id == id)
			return s->v[i];
	return NULL;
}

static void cancel(struct tui_streams *s, struct tui_stream *ts, enum outcome_stop how)
{
	if (ts->stop == OUTCOME_RAN)
		ts->stop = how;
	http_cancel(s->eng, ts->tr);
	if (ts->ended)
		finish(s, ts);
}

void tui_streams_stop(struct tui_streams *s, enum outcome_stop how)
{
	unsigned long ids[16];
	size_t n;
	while ((n = ctl_streams_to_stop(s->c, ids, 16)) > 0)
		for (size_t i = 0; i < n; i++) {
			struct tui_stream *ts = by_id(s, ids[i]);
			if (ts)
				cancel(s, ts, how);
		}
}

void tui_streams_poll(struct tui_streams *s, double now)
{
	for (size_t i = 0; i < s->n;) {
		struct tui_stream *ts = s->v[i];
		if (ts->ended) {
			finish(s, ts); /* takes it out of v */
			i = 0;         /* the reactions may have started or ended others */
			continue;
		}
		double left = 0;
		int attempt = 0, max = 0;
		int waiting = http_retry_wait(ts->tr, now, &left, &attempt, &max);
		ctl_stream_waiting(s->c, ts->id, waiting, left, attempt, max);
		i++;
	}
}

void tui_streams_end_all(struct tui_streams *s, enum outcome_stop how)
{
	for (size_t i = 0; i < s->n; i++) {
		struct tui_stream *ts = s->v[i];
		if (ts->stop == OUTCOME_RAN)
			ts->stop = how;
		http_cancel(s->eng, ts->tr);
	}
	/* a cancelled transfer reports at the next perform */
	if (s->n)
		http_perform(s->eng);
	while (s->n) {
		struct tui_stream *ts = s->v[0];
		if (ts->ended) {
			finish(s, ts);
		} else { /* never heard of again: it ends here */
			unsigned long id = ts->id;
			drop(s, ts);
			struct outcome o;
			memset(&o, 0, sizeof o);
			o.status = how == OUTCOME_INTERRUPTED ? HIST_INTERRUPTED : HIST_STOPPED;
			o.usage = (struct wire_usage){-1, -1, -1, -1};
			o.ttft = -1;
			s->react(s->ctx, ctl_stream_end(s->c, id, &o, http_now(), s->wall()));
		}
	}
	free(s->v);
	s->v = NULL;
	for (size_t i = 0; i < s->nfound; i++)
		secret_free(s->found[i].key);
	free(s->found);
	s->found = NULL;
	s->nfound = 0;
}
