/* ctl_send: the controller's sending and streams: a message sent through the key
 * lookup (or queued behind the one streaming, or held while the vault asks for its
 * passphrase), retries, the stream's request, deltas, waiting and its end. Pure, as the
 * rest of ctl*.c. */
#include "ctl_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/privacy.h"
#include "cherry/utf8.h"

struct ctl_stream *ctl_stream_by_id(const struct ctl *c, unsigned long id)
{
	for (size_t i = 0; i < c->nstreams; i++)
		if (c->streams[i]->id == id)
			return c->streams[i];
	return NULL;
}

struct ctl_stream *ctl_stream_in(const struct ctl *c, const struct chat *ch)
{
	for (size_t i = c->nstreams; i-- > 0;)
		if (c->streams[i]->chat == ch)
			return c->streams[i];
	return NULL;
}

const struct ctl_stream *ctl_stream_shown(const struct ctl *c)
{
	for (size_t i = c->nstreams; i-- > 0;)
		if (c->streams[i]->view_msg >= 0)
			return c->streams[i];
	return NULL;
}

int ctl_busy(struct ctl *c)
{
	if (!ctl_stream_in(c, c->shown) && !c->pending.active)
		return 0;
	ctl_message(c, "an answer is still streaming: %s stops it", ctl_key_name(c, ACT_STOP).s);
	return 1;
}

/* The first model of pending.specs (or spec, when there are none) looked up. */
static int first_model(struct ctl *c, const char *spec)
{
	struct ctl_pending *p = &c->pending;
	if (!p->nspecs && !*spec) {
		ctl_message(c, "no model chosen: %s picks one, or /model PROVIDER/MODEL",
			    ctl_key_name(c, ACT_MODEL_PICKER).s);
		return -1;
	}
	snprintf(p->spec, sizeof p->spec, "%s", p->nspecs ? p->specs[0] : spec);
	p->next = 0;
	struct err e;
	err_clear(&e);
	if (c->world.resolve_model(c->world.ctx, p->spec, &p->prov, &p->model, &e) < 0) {
		ctl_message(c, "%s", e.msg);
		p->nspecs = 0;
		return -1;
	}
	return 0;
}

void ctl_pending_clear(struct ctl *c)
{
	buf_wipe_free(&c->pending.text);
	memset(&c->pending, 0, sizeof c->pending);
}

static void unsent(struct ctl *c);

/* (djb2: only to tell whether the status line still says what the hold said) */
static unsigned long line_hash(const char *s)
{
	unsigned long h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

void ctl_pending_hold(struct ctl *c, const char *why)
{
	c->pending.held = why != NULL;
	if (why) {
		ctl_note(c, why);
		c->pending.held_line = line_hash(c->message);
	} else if (c->message[0] && line_hash(c->message) == c->pending.held_line) {
		c->message[0] = '\0'; /* what it waited for is there: the line goes */
		c->dirty |= CTL_DIRTY_STATUS;
	}
}

int ctl_pending_drop(struct ctl *c)
{
	if (!c->pending.active || !c->pending.held)
		return 0;
	if (c->pending.queued)
		unsent(c);
	if (c->pending.retry == CTL_PENDING_TOOLS)
		ctl_tools_abandon(c);
	int queued = c->pending.queued;
	ctl_pending_clear(c);
	if (!queued)
		ctl_message(c, "not sent: the message is still in the input");
	c->dirty |= CTL_DIRTY_ALL;
	return 1;
}

/* A message written while the shown conversation's answer streams waits for it. */
static void enqueue(struct ctl *c, const char *text, size_t len)
{
	struct buf t = BUF_INIT;
	struct ctl_queued *q = realloc(c->queue, (c->nqueue + 1) * sizeof *q);
	if (!q || utf8_repair(text, len, &t) < 0 || !t.data) {
		if (q)
			c->queue = q;
		buf_free(&t);
		ctl_message(c, "out of memory");
		return;
	}
	c->queue = q;
	q = &c->queue[c->nqueue++];
	q->chat = c->shown;
	q->text = buf_steal(&t);
	snprintf(q->spec, sizeof q->spec, "%s", c->model);
	edit_history_add(c->ed, q->text, strlen(q->text));
	edit_apply(c->ed, EDIT_CLEAR, 0);
	c->react |= CTL_SAVE_PROMPTS;
	ctl_rebuild_view(c);
	ctl_message(c, "queued: it is sent when the answer ends (%s on an empty input takes it "
		    "back)", ctl_key_name(c, ACT_STOP).s);
}

/* The queued messages back into the input (after the text there), nothing lost. */
void ctl_unqueue(struct ctl *c, const char *why)
{
	if (!c->nqueue)
		return;
	struct buf t = BUF_INIT;
	size_t len;
	const char *have = edit_text(c->ed, &len);
	if (have && len)
		buf_printf(&t, "%s\n\n", have);
	for (size_t i = 0; i < c->nqueue; i++) {
		buf_printf(&t, "%s%s", i ? "\n\n" : "", c->queue[i].text);
		free(c->queue[i].text);
	}
	c->nqueue = 0;
	if (t.data)
		edit_set_text(c->ed, t.data, t.len);
	buf_wipe_free(&t);
	ctl_rebuild_view(c);
	ctl_message(c, "%s", why);
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

/* The next queued message goes, to its conversation, with the model chosen for it. */
static void send_queued(struct ctl *c)
{
	struct ctl_queued q = c->queue[0];
	memmove(&c->queue[0], &c->queue[1], (c->nqueue - 1) * sizeof *c->queue);
	c->nqueue--;
	buf_reset(&c->pending.text);
	size_t skip = 0;
	c->pending.nspecs = 0;
	if (ctl_mentions(c, q.text, strlen(q.text), &skip) < 0 || first_model(c, q.spec) < 0 ||
	    buf_append_str(&c->pending.text, q.text) < 0) {
		char why[sizeof c->message];
		snprintf(why, sizeof why, "%s", c->message);
		ctl_pending_clear(c);
		edit_set_text(c->ed, q.text, strlen(q.text));
		ctl_message(c, "the queued message was not sent (%s); it is back in the input", why);
		free(q.text);
		return;
	}
	free(q.text);
	c->pending.skip = skip;
	c->pending.retry = 0;
	c->pending.queued = 1;
	c->pending.chat = q.chat;
	c->pending.active = 1;
	c->react |= CTL_NEED_KEY;
}

/* The send waits for its key: the shell looks it up (CTL_NEED_KEY). While the shown
 * conversation's answer streams, it waits in the queue instead. */
void ctl_request_send(struct ctl *c, const char *text, size_t len)
{
	if (ctl_stream_in(c, c->shown) && !c->pending.active) {
		enqueue(c, text, len);
		return;
	}
	if (ctl_busy(c))
		return;
	/* "@provider/model @other/model question": each model is asked */
	size_t skip = 0;
	c->pending.nspecs = 0;
	if (ctl_mentions(c, text, len, &skip) < 0 || first_model(c, c->model) < 0)
		return;
	buf_reset(&c->pending.text);
	if (utf8_repair(text, len, &c->pending.text) < 0 || !c->pending.text.data) {
		ctl_pending_clear(c);
		ctl_message(c, "out of memory");
		return;
	}
	c->pending.skip = skip; /* the prompt sent is what follows the mentions */
	c->pending.retry = 0;
	c->pending.active = 1;
	c->react |= CTL_NEED_KEY;
}

/* F5. An answer that has siblings (several models asked) is asked again of its own
 * model: each answer retries on its own. */
void ctl_request_retry(struct ctl *c)
{
	ctl_retry_answer(c, ctl_last_answer(c), 0);
}

void ctl_retry_answer(struct ctl *c, long a, size_t retry_at)
{
	const struct hist_msg *m = a >= 0 ? &c->shown->conv.msgs[a] : NULL;
	size_t pos, count = 0;
	if (m)
		chat_siblings(c->shown, (size_t)a, &pos, &count);
	if (count > 1 && m->provider && m->model) {
		char spec[sizeof c->pending.specs[0]];
		snprintf(spec, sizeof spec, "%s/%s", m->provider, m->model);
		ctl_retry_model(c, spec, retry_at);
		return;
	}
	ctl_request_retry_at(c, retry_at);
}

void ctl_retry_model(struct ctl *c, const char *spec, size_t retry_at)
{
	if (!c->pending.active) {
		snprintf(c->pending.specs[0], sizeof c->pending.specs[0], "%s", spec);
		c->pending.nspecs = 1;
	}
	ctl_ask_models(c, retry_at);
}

void ctl_request_retry_at(struct ctl *c, size_t retry_at)
{
	if (!c->pending.active) /* a message waiting (for its key, a server, a PDF) keeps its models */
		c->pending.nspecs = 0;
	ctl_ask_models(c, retry_at);
}

void ctl_ask_models(struct ctl *c, size_t retry_at)
{
	if (c->pending.active) {
		ctl_message(c, "a message is waiting for its key");
		return;
	}
	if (first_model(c, c->model) < 0)
		return;
	c->pending.retry = 1;
	c->pending.retry_at = retry_at;
	c->pending.active = 1;
	c->react |= CTL_NEED_KEY;
}

/* Streams that may run at once (network.max_streams). */
static size_t stream_cap(const struct ctl *c)
{
	return c->cfg->max_streams > 0 ? (size_t)c->cfg->max_streams : 8;
}

static size_t streams_running(const struct ctl *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nstreams; i++)
		n += !c->streams[i]->held;
	return n;
}

/* The answer at index answer of conversation ch starts streaming (or waits for a slot). */
static void begin_stream(struct ctl *c, struct chat *ch, size_t answer)
{
	struct ctl_stream *st = calloc(1, sizeof *st);
	struct ctl_stream **v = st ? realloc(c->streams, (c->nstreams + 1) * sizeof *v) : NULL;
	if (!v) {
		free(st);
		struct err fe;
		err_clear(&fe);
		chat_finish(ch, answer, HIST_ERROR, "out of memory", NULL, -1, c->wall, &fe);
		ctl_message(c, "out of memory");
		c->react |= CTL_SAVE;
		return;
	}
	c->streams = v;
	st->id = ++c->stream_ids;
	st->chat = ch;
	st->answer = answer;
	st->view_msg = -1;
	st->first = -1;
	st->started = c->now;
	st->state = CTL_CONNECTING;
	st->col = -1;
	st->held = streams_running(c) >= stream_cap(c);
	st->start_wanted = !st->held;
	snprintf(st->spec, sizeof st->spec, "%s/%s", c->pending.prov->name, c->pending.model);
	c->streams[c->nstreams++] = st;
	privacy_count_message(c->pending.prov->kind);
	/* a new state: what the status line said of the last one goes */
	if (c->state == CTL_ERROR || c->state == CTL_STOPPED)
		c->message[0] = '\0';
	c->state = CTL_CONNECTING;
	c->rate = 0;
	c->ttft = -1;
	c->usage = (struct wire_usage){-1, -1, -1, -1};
	ctl_rebuild_view(c);
	c->follow = 1;
	c->dirty |= CTL_DIRTY_ALL;
	c->react |= (st->start_wanted ? CTL_START : 0) | CTL_SAVE;
}

void ctl_stream_begin(struct ctl *c, struct chat *ch, size_t answer)
{
	begin_stream(c, ch, answer);
}

size_t ctl_streams_to_start(struct ctl *c, unsigned long *ids, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nstreams && n < max; i++)
		if (c->streams[i]->start_wanted) {
			c->streams[i]->start_wanted = 0;
			ids[n++] = c->streams[i]->id;
		}
	return n;
}

size_t ctl_streams_to_stop(struct ctl *c, unsigned long *ids, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nstreams && n < max; i++) {
		struct ctl_stream *st = c->streams[i];
		if (st->stop_requested && !st->stop_sent && !st->held && !st->start_wanted) {
			st->stop_sent = 1;
			ids[n++] = st->id;
		}
	}
	return n;
}

static void do_send(struct ctl *c)
{
	struct err e;
	err_clear(&e);
	size_t answer;
	struct chat *ch = c->pending.chat ? c->pending.chat : c->shown;
	int was_on_disk = ch->on_disk;
	const char *prompt = c->pending.text.data + c->pending.skip;
	int r = ctl_send_chat(c, ch, prompt, &answer, &e); /* a plain send, or an edit's */
	if (r < 0) {
		ctl_message(c, "%s", e.msg[0] ? e.msg : "out of memory");
		return;
	}
	if (r == 1 || e.msg[0])
		ctl_message(c, "%s", e.msg);
	c->pending.user = hist_parent_of(&ch->conv, answer);
	c->pending.first_answer = answer;
	c->pending.chat = ch;
	if (!c->pending.queued) {
		edit_history_add(c->ed, c->pending.text.data, c->pending.text.len);
		edit_apply(c->ed, EDIT_CLEAR, 0);
		c->react |= CTL_SAVE_PROMPTS;
	}
	c->welcome = 0;
	privacy_count("asks");
	begin_stream(c, ch, answer);
	if (ch == c->shown && (!was_on_disk || r == 1))
		c->react |= CTL_SET_LAST;
	ctl_list_touch(c, ch);
	c->dirty |= CTL_DIRTY_ALL | CTL_DIRTY_LAYOUT;
}

static void do_retry(struct ctl *c)
{
	struct err e;
	err_clear(&e);
	size_t answer;
	size_t at = c->pending.retry_at ? c->pending.retry_at - 1 : SIZE_MAX;
	struct chat *ch = c->pending.chat ? c->pending.chat : c->shown;
	if (at == SIZE_MAX && c->pending.nspecs && c->pending.next > 0)
		at = c->pending.user; /* the next model of "@a @b": beside the first answer */
	int r = chat_retry_at(ch, at, c->pending.prov->name, c->pending.model, c->wall,
			      &answer, &e);
	if (r != 0) {
		ctl_message(c, "%s", r == 1 ? "nothing to retry: send a message first" :
			    e.msg[0] ? e.msg : "out of memory");
		return;
	}
	if (e.msg[0])
		ctl_message(c, "%s", e.msg);
	if (!(c->pending.nspecs && c->pending.next > 0))
		privacy_count("retries");
	if (c->pending.next == 0) {
		c->pending.chat = ch;
		c->pending.user = hist_parent_of(&ch->conv, answer);
		c->pending.first_answer = answer;
	}
	begin_stream(c, ch, answer);
}

/* After a key was found for specs[next]: the next model of a send to several, or the
 * end (the first answer is made the one shown). 1 when another key is needed. */
static int next_model(struct ctl *c)
{
	struct ctl_pending *p = &c->pending;
	while (p->nspecs && ++p->next < p->nspecs) {
		struct err e;
		err_clear(&e);
		snprintf(p->spec, sizeof p->spec, "%s", p->specs[p->next]);
		if (c->world.resolve_model(c->world.ctx, p->spec, &p->prov, &p->model, &e) == 0) {
			p->retry = 1;
			p->retry_at = 0;
			c->react |= CTL_NEED_KEY;
			return 1;
		}
		ctl_message(c, "%s", e.msg);
	}
	if (p->nspecs && p->chat && p->first_answer < p->chat->conv.n) {
		/* the models asked by name leave the conversation's model as it was */
		struct err e;
		err_clear(&e);
		if (c->model[0])
			chat_set_model(p->chat, c->model, c->wall, &e);
		chat_show_msg(p->chat, p->first_answer, c->wall, &e);
		if (p->chat == c->shown)
			ctl_rebuild_view(c);
	}
	return 0;
}

/* A queued message that cannot go (no key): it and the rest of the queue come back to
 * the input, and its conversation is closed if nothing else holds it. */
static void unsent(struct ctl *c)
{
	struct chat *ch = c->pending.chat;
	size_t len;
	const char *have = edit_text(c->ed, &len);
	struct buf t = BUF_INIT;
	buf_printf(&t, "%s%s%s", have && len ? have : "", have && len ? "\n\n" : "",
		   c->pending.text.data ? c->pending.text.data : "");
	if (t.data)
		edit_set_text(c->ed, t.data, t.len);
	buf_wipe_free(&t);
	ctl_unqueue(c, "");
	if (ch && ch != c->shown && !ctl_stream_in(c, ch))
		c->world.conv_close(c->world.ctx, ch);
}

int ctl_key_result(struct ctl *c, enum ctl_key_result r, const struct err *e, double now,
		   double wall)
{
	c->now = now;
	c->wall = wall;
	c->react = 0;
	if (!c->pending.active)
		return 0;
	switch (r) {
	case CTL_KEY_OK:
		ctl_passphrase_end(c);
		if (c->pending.retry == CTL_PENDING_TOOLS)
			ctl_tools_continue(c);
		else if (c->pending.retry)
			do_retry(c);
		else
			do_send(c);
		if (!next_model(c))
			ctl_pending_clear(c);
		break;
	case CTL_KEY_NEED_PASSPHRASE:
		ctl_passphrase_begin(c, "Passphrase for the cherry key vault: ");
		break;
	case CTL_KEY_WRONG_PASSPHRASE:
		ctl_passphrase_begin(c, "Wrong passphrase; try again: ");
		break;
	case CTL_KEY_MISSING:
	case CTL_KEY_FAILED:
		ctl_passphrase_end(c);
		privacy_error(e && e->code == EXIT_VAULT ? "vault_wrong_passphrase" : "key_missing");
		ctl_info(c, "cherry", e ? e->msg : "no key", 1);
		if (c->pending.queued)
			unsent(c);
		if (c->pending.retry == CTL_PENDING_TOOLS)
			ctl_tools_abandon(c);
		ctl_message(c, "%s", e ? e->msg : "no key");
		if (r == CTL_KEY_MISSING)
			ctl_key_missing(c); /* the key is asked for at once */
		if (c->pending.next == 0 || !next_model(c))
			ctl_pending_clear(c);
		break;
	}
	c->dirty |= CTL_DIRTY_ALL;
	ctl_settle(c);
	return c->react;
}

int ctl_stream_request(const struct ctl *c, unsigned long id, struct provider **prov,
		       struct wire_http *req, struct err *e)
{
	const struct ctl_stream *st = ctl_stream_by_id(c, id);
	const char *model;
	if (!st) {
		err_set(e, EXIT_FAIL, "no answer to stream");
		return -1;
	}
	if (c->world.resolve_model(c->world.ctx, st->spec, prov, &model, e) < 0)
		return -1;
	/* calls and results go as they are (chat_request_full), with the tools offered */
	struct chat_request r;
	struct wire_tool *tools = NULL;
	size_t ntools = 0;
	if (chat_request_full(st->chat, st->answer, &r) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	if (ctl_tools_offered(c, st->chat, &tools, &ntools) < 0) {
		chat_request_free(&r);
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	struct wire_request rq = {
		.provider = *prov,
		.model = model,
		.system = st->chat->conv.system,
		.msgs = r.msgs,
		.nmsgs = r.n,
		.has_temperature = c->temperature != NULL,
		.temperature = c->temperature ? json_number_value(c->temperature) : 0,
		.tools = tools,
		.ntools = ntools,
		.msg_tools = r.extra,
	};
	/* the stored files of the branch's messages, read by the shell */
	void *keep = NULL;
	int rc = c->world.attach_request ? c->world.attach_request(c->world.attach_ctx, st->chat,
								   &rq, &keep, e)
					 : 0;
	if (rc == 0)
		rc = wire_build_request(&rq, req, e);
	if (rc == 0 && keep) {
		req->keep = keep;
		req->keep_free = c->world.attach_release;
	} else if (keep) {
		c->world.attach_release(keep);
	}
	chat_request_free(&r);
	free(tools);
	return rc;
}

void ctl_stop(struct ctl *c)
{
	for (size_t i = 0; i < c->nstreams;) {
		struct ctl_stream *st = c->streams[i];
		ctl_stop_stream(c, st);
		if (i < c->nstreams && c->streams[i] == st)
			i++; /* (a held one is gone at once) */
	}
}

int ctl_stop_all(struct ctl *c, double now, double wall)
{
	c->now = now;
	c->wall = wall;
	c->react = 0;
	ctl_stop(c);
	return c->react;
}

/* A stream stops: one held for a slot ends at once, a running one when its transfer
 * says so. */
void ctl_stop_stream(struct ctl *c, struct ctl_stream *st)
{
	if (st->stop_requested)
		return;
	st->stop_requested = 1;
	if (st->held) {
		struct outcome o;
		memset(&o, 0, sizeof o);
		o.status = HIST_STOPPED;
		o.usage = (struct wire_usage){-1, -1, -1, -1};
		o.ttft = -1;
		int keep = c->react;
		ctl_stream_end(c, st->id, &o, c->now, c->wall);
		c->react |= keep;
		return;
	}
	c->react |= CTL_STOP;
}

int ctl_delta(struct ctl *c, unsigned long id, const char *s, size_t len, int reasoning,
	      double now, double wall)
{
	return ctl_deltas(c, id, s, len, reasoning, 1, now, wall);
}

int ctl_deltas(struct ctl *c, unsigned long id, const char *s, size_t len, int reasoning, long n,
	       double now, double wall)
{
	struct ctl_stream *st = ctl_stream_by_id(c, id);
	c->react = 0;
	if (!st)
		return 0;
	c->now = now;
	c->wall = wall;
	if (st->first < 0)
		st->first = now;
	st->last_delta = now;
	st->deltas += n;
	chat_delta(st->chat, st->answer, s, len, reasoning, wall);
	if (st->view_msg >= 0) {
		if (reasoning)
			view_append_reasoning(c->view, (size_t)st->view_msg, s, len);
		else
			view_append_text(c->view, (size_t)st->view_msg, s, len);
		ctl_settle_chat(c);
		c->dirty |= CTL_DIRTY_CHAT;
	}
	if (st->col >= 0) {
		ctl_layout_delta(c, st, s, len, reasoning);
		ctl_settle_chat(c);
	}
	enum ctl_state want = reasoning ? CTL_THINKING : CTL_STREAMING;
	if (st->state != want) {
		st->state = want;
		c->dirty |= CTL_DIRTY_STATUS;
	}
	return 0;
}

/* Answer msg of ch failed with its key refused: its hint says so for as long as this
 * run remembers (the last CTL_KEYFAIL such answers). */
static void key_name(const struct chat *ch, size_t msg, char out[2 * HIST_ID_MAX + 2])
{
	const char *id = ch->conv.msgs[msg].id;
	snprintf(out, 2 * HIST_ID_MAX + 2, "%s/%s", ch->conv.id, id ? id : "");
}

static void remember_key_failed(struct ctl *c, const struct chat *ch, size_t msg)
{
	key_name(ch, msg, c->keyfail[c->nkeyfail++ % CTL_KEYFAIL]);
}

static int key_failed(const struct ctl *c, const struct chat *ch, size_t msg)
{
	char want[sizeof c->keyfail[0]];
	key_name(ch, msg, want);
	size_t n = c->nkeyfail < CTL_KEYFAIL ? c->nkeyfail : CTL_KEYFAIL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c->keyfail[i], want))
			return 1;
	return 0;
}

void ctl_error_hint(const struct ctl *c, size_t msg, struct buf *out)
{
	const struct hist_msg *m = &c->shown->conv.msgs[msg];
	char spec[160];
	struct provider *p = NULL;
	const char *model;
	struct err e;
	err_clear(&e);
	snprintf(spec, sizeof spec, "%s/%s", m->provider ? m->provider : "",
		 m->model ? m->model : "");
	if (key_failed(c, c->shown, msg) &&
	    c->world.resolve_model(c->world.ctx, spec, &p, &model, &e) == 0) {
		buf_printf(out, " \xe2\x80\x94 check the key (%s%sthe vault): /key %s stores a "
			   "new one", p->key_env ? p->key_env : "", p->key_env ? " or " : "",
			   p->name);
		return;
	}
	if (ctl_last_answer(c) != (long)msg)
		return; /* F5 asks another answer again */
	struct buf k = BUF_INIT;
	input_keys_of(&c->keys, ACT_RETRY, &k);
	if (k.len)
		buf_printf(out, " \xe2\x80\x94 %.*s retries", (int)strcspn(k.data, ","), k.data);
	buf_free(&k);
}

int ctl_stream_waiting(struct ctl *c, unsigned long id, int waiting, double left, int attempt,
		       int max)
{
	struct ctl_stream *st = ctl_stream_by_id(c, id);
	c->react = 0;
	if (!st)
		return 0;
	if (waiting) {
		if (st->state != CTL_RETRYING ||
		    (long)(st->retry_left + 0.49) != (long)(left + 0.49))
			c->dirty |= CTL_DIRTY_STATUS;
		st->state = CTL_RETRYING;
		st->retry_left = left;
		st->retry_attempt = attempt;
		st->retry_max = max;
	} else if (st->state == CTL_RETRYING) {
		st->state = CTL_CONNECTING;
		c->dirty |= CTL_DIRTY_STATUS;
	}
	return 0;
}

/* Takes st out of the set; a stream held for a slot starts in its place. */
static void stream_remove(struct ctl *c, struct ctl_stream *st)
{
	size_t i = 0;
	while (i < c->nstreams && c->streams[i] != st)
		i++;
	if (i == c->nstreams)
		return;
	memmove(&c->streams[i], &c->streams[i + 1], (c->nstreams - i - 1) * sizeof *c->streams);
	c->nstreams--;
	for (size_t k = 0; k < c->nstreams && streams_running(c) < stream_cap(c); k++)
		if (c->streams[k]->held && !c->streams[k]->stop_requested) {
			c->streams[k]->held = 0;
			c->streams[k]->start_wanted = 1;
			c->streams[k]->started = c->now;
			c->react |= CTL_START;
		}
}

int ctl_stream_end(struct ctl *c, unsigned long id, const struct outcome *o, double now,
		   double wall)
{
	struct ctl_stream *st = ctl_stream_by_id(c, id);
	c->now = now;
	c->wall = wall;
	c->react = 0;
	if (!st)
		return 0;
	enum ctl_state end = CTL_IDLE;
	switch (o->status) {
	case HIST_INTERRUPTED:
	case HIST_STOPPED:
		end = CTL_STOPPED;
		break;
	case HIST_ERROR: {
		struct provider *prov = NULL;
		const char *model;
		struct err re;
		err_clear(&re);
		if (c->world.resolve_model(c->world.ctx, st->spec, &prov, &model, &re) < 0)
			prov = NULL;
		/* the header above names the provider and model */
		const char *what = outcome_unnamed(o->err.msg, prov ? prov->name : NULL);
		if (o->err.code == EXIT_KEY)
			remember_key_failed(c, st->chat, st->answer);
		end = CTL_ERROR;
		/* the line says what failed, once (named when several stream, or it is not
		 * the answer shown: the state word, "error", is the shown one's) */
		if (c->nstreams > 1 || st->view_msg < 0)
			ctl_message(c, "%s: %s", st->spec, what);
		else
			ctl_message(c, "%s", o->err.msg);
		break;
	}
	case HIST_COMPLETE:
		break;
	}
	/* the status line speaks of the stream shown (or the only one, elsewhere): one
	 * ending beside it leaves what it says of that one (a failure says its line) */
	if ((c->nstreams == 1 && st->chat != c->shown) || st->view_msg >= 0) {
		c->state = end;
		c->usage = o->usage;
		c->ttft = o->ttft;
		c->rate = o->rate;
	}
	struct err e;
	err_clear(&e);
	/* the provider's note is kept with the answer: every rebuilt view shows it again */
	if (chat_finish(st->chat, st->answer, o->status,
			o->status == HIST_ERROR ? o->err.msg : o->note, &o->usage, o->ttft, wall,
			&e) < 0 &&
	    e.msg[0])
		ctl_message(c, "%s", e.msg);
	ctl_usage_header(c, st);
	if (st->view_msg >= 0) {
		view_end(c->view, (size_t)st->view_msg);
		ctl_status_footer(c, c->view, (size_t)st->view_msg, st->answer);
		c->dirty |= CTL_DIRTY_CHAT;
	}
	struct chat *ch = st->chat;
	if (ch == c->shown)
		ctl_layout_stale(c); /* its column's header and footer, the strip's mark */
	ctl_list_touch(c, ch);
	if (ch != c->shown)
		ctl_mark_unread(c, ch->conv.id);
	stream_remove(c, st);
	/* an answer with tool calls goes on with them (the queue waits for the turn) */
	int tools = ctl_tools_answer_end(c, ch, st->answer, st->spec, o->status);
	free(st);
	ctl_moves_settle(c); /* the totals count this answer */
	c->dirty |= CTL_DIRTY_STATUS | CTL_DIRTY_LIST;
	c->react |= CTL_SAVE;
	if (ctl_stream_in(c, ch)) /* its conversation still streams: the queue waits */
		return c->react;
	/* what was written meanwhile goes now; after a stop or an error it comes back */
	int queued_here = c->nqueue && c->queue[0].chat == ch && !tools;
	if (queued_here && o->status == HIST_COMPLETE && !c->pending.active)
		send_queued(c);
	else if (queued_here && o->status != HIST_COMPLETE)
		ctl_unqueue(c, "the answer did not complete: the queued message is back in the "
			       "input");
	/* A conversation no longer shown is closed, which saves it (unless the queue's next
	 * message goes to it). */
	if (ch != c->shown && c->pending.chat != ch && !ctl_tools_holds(c, ch))
		c->world.conv_close(c->world.ctx, ch);
	return c->react;
}
