/* chat: one open conversation in memory, saved through histstore under its lock when the
 * caller says so (chat_save, chat_tick), never by a change itself: opening, sending,
 * deltas, finishing, retries and branch copies. The changes that send nothing (siblings,
 * deleting, renaming...) are chat_edit.c's. */
#include "cherry/chat.h"
#include "chat_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void reset(struct chat *c, struct histstore *s)
{
	static unsigned long long opened;
	memset(c, 0, sizeof *c);
	c->changes = ++opened << 40;
	c->store = s;
	c->lock_fd = -1;
	c->stream = CHAT_NO_STREAM;
	c->answer = CHAT_NO_STREAM;
	c->jfd = -1;
	c->jlast = CHAT_NO_STREAM;
	chat_forget_pos(c, CHAT_NO_STREAM);
}

void chat_forget_pos(struct chat *c, size_t msg)
{
	for (size_t i = 0; i < CHAT_POS_SLOTS; i++)
		if (msg == CHAT_NO_STREAM || c->pos[i].msg == msg)
			c->pos[i].msg = CHAT_NO_STREAM;
}

const struct chat_pos *chat_pos_of(const struct chat *c, size_t msg)
{
	for (size_t i = 0; i < CHAT_POS_SLOTS; i++)
		if (c->pos[i].msg == msg)
			return &c->pos[i];
	return NULL;
}

size_t chat_content_len(const struct chat *c, size_t msg)
{
	const struct chat_pos *p = chat_pos_of(c, msg);
	if (p)
		return p->len[0];
	const char *t = msg < c->conv.n ? c->conv.msgs[msg].content : NULL;
	return t ? strlen(t) : 0;
}

/* Adds a line to e; a line already there (the copy notice) is kept in front. */
static void say(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct err *e, const char *fmt, ...)
{
	if (!e)
		return;
	char line[sizeof e->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (e->code && e->msg[0]) {
		size_t n = strlen(e->msg);
		snprintf(e->msg + n, sizeof e->msg - n, "; %s", line);
	} else {
		e->code = EXIT_FAIL;
		snprintf(e->msg, sizeof e->msg, "%s", line);
	}
}

int chat_oom(struct err *e)
{
	say(e, "out of memory");
	return -1;
}

/* A conversation with messages belongs on disk, even before its first save succeeded
 * (not in a read-only store: it stays in memory). */
static int persistent(const struct chat *c)
{
	return c->store && !c->store->readonly && !c->readonly && (c->on_disk || c->conv.n);
}

/* Takes the lock of a conversation that is not on disk yet. Another process holding it
 * means the id got taken after all: a fresh one. Without any lock (a read-only directory)
 * we go on; the save then says why it cannot write. */
static void claim(struct chat *c)
{
	for (int tries = 0; tries < 5 && c->lock_fd < 0 && !c->on_disk; tries++) {
		long pid;
		struct err le = {0, ""};
		char id[HIST_ID_MAX + 1];
		if (histstore_lock(c->store, c->conv.id, &c->lock_fd, &pid, &le) != 1 ||
		    histstore_new_id(c->store, id, &le) < 0)
			return;
		snprintf(c->conv.id, sizeof c->conv.id, "%s", id);
	}
}

/* Whether an answer is streaming in (its place kept). */
static int streaming(const struct chat *c)
{
	for (size_t i = 0; i < CHAT_POS_SLOTS; i++)
		if (c->pos[i].msg != CHAT_NO_STREAM)
			return 1;
	return 0;
}

/* Its files are what memory holds now (just saved, the lock held): a listing takes its
 * entry from here, not from a parse of what may be 20 MB (histstore_note). */
static void noted(struct chat *c)
{
	if (c->lock_fd >= 0)
		histstore_note(c->store, &c->conv);
}

/* The first failure of a streak is reported (e may be NULL: then the next report-capable
 * call says it). */
static int save_failed(struct chat *c, const struct err *se, struct err *e)
{
	if (!c->save_warned && e) {
		say(e, "conversation not saved: %s", se->msg);
		c->save_warned = 1;
	}
	return -1;
}

/* The whole write in flight, if any, collected: 1 still writing (wait 0), 0 none or
 * written, -1 it failed (the next save writes the file whole again). */
static int collect(struct chat *c, int wait, struct err *e)
{
	if (!c->writing)
		return 0;
	struct err se = {0, ""};
	int r = histstore_save_end(c->writing, wait, &se);
	if (r == 1)
		return 1;
	c->writing = NULL;
	if (r < 0) {
		c->dirty = 1;
		return save_failed(c, &se, e);
	}
	c->on_disk = 1;
	c->save_warned = 0;
	if (c->answer == c->write_answer && c->answer != CHAT_NO_STREAM)
		c->saved_len = c->write_len;
	/* nothing changed since the tree was made: the files are what memory holds */
	if (!c->dirty && !c->tail && c->changes == c->write_changes)
		noted(c);
	return 0;
}

/* Whole saves are written behind (the store's write_behind): collected by the next
 * chat_tick or chat_save, waited for by chat_close and chat_delete. */
static int behind(const struct chat *c)
{
	return c->store && c->store->write_behind;
}

/* One save attempt: to the journal when only what it holds changed, else the whole file.
 * On failure everything stays in memory; only the first failure in a row is reported.
 * Written behind, a conversation already on disk is written whole on a thread of its
 * own: megabytes of it, copied here (histstore_save_begin), its tree made and its text
 * written there, while keys are answered; until that write is collected, nothing else
 * is saved (the journal that follows it continues the new file). 0 also when such a
 * write began. */
static int save(struct chat *c, double now, struct err *e)
{
	if (!persistent(c))
		return 0;
	claim(c);
	c->last_save = now;
	if (!c->dirty && chat_journal_save(c) == 0) {
		chat_saved_all(c);
		/* A full journal is folded in by writing the file whole, in the caller's loop:
		 * not while an answer streams in (keys typed meanwhile would wait on it, and
		 * the file would be written again and again as the answer grows), but at the
		 * first save after the answers ended. */
		if (!histstore_journal_full(c->jbytes, c->jfile) || streaming(c)) {
			noted(c);
			return 0;
		}
		c->dirty = 1; /* folded in: the file written whole from memory */
	}
	struct err se = {0, ""};
	struct histstore_write *w;
	int threaded = behind(c) && c->on_disk;
	if (histstore_save_begin(c->store, &c->conv, threaded, &w, &se) < 0)
		return save_failed(c, &se, e);
	/* What is written holds everything: the journal goes (the write removes it), and
	 * what changes from here is held by the next save. */
	histstore_journal_close(c->jfd);
	c->jfd = -1;
	c->jkeep = 0;
	/* until the write is known to have gone through, the last failure stays reported
	 * and the answer's bytes held stay those of the last save that went through */
	int warned = c->save_warned;
	size_t held = c->saved_len;
	chat_saved_all(c);
	c->write_answer = c->answer;
	c->write_len = c->saved_len;
	c->save_warned = warned;
	c->saved_len = held;
	c->writing = w;
	c->write_changes = c->changes;
	return collect(c, !threaded, e) < 0 ? -1 : 0;
}

int chat_new(struct chat *c, struct histstore *s, double now, struct err *e)
{
	reset(c, s);
	char id[HIST_ID_MAX + 1] = "nosave";
	if (s && histstore_new_id(s, id, e) < 0)
		return -1;
	if (hist_conv_init(&c->conv, id, now) < 0) {
		reset(c, s);
		return chat_oom(e);
	}
	if (!s)
		c->conv.id[0] = '\0'; /* never written: no id to show */
	c->last_save = now;
	return 0;
}

int chat_open(struct chat *c, struct histstore *s, const char *prefix, struct err *e)
{
	reset(c, s);
	char id[HIST_ID_MAX + 1];
	if (histstore_resolve(s, prefix, id, e) < 0)
		return -1;
	long pid = 0;
	struct err le = {0, ""};
	int lr = histstore_lock(s, id, &c->lock_fd, &pid, &le);
	int rc = histstore_load_keep(s, id, lr == 0, &c->conv, &c->jkeep, e);
	if (rc < 0) {
		histstore_unlock(s, id, c->lock_fd);
		reset(c, s);
		return -1;
	}
	c->on_disk = 1;
	c->jn = c->conv.n; /* the file holds them all */
	if (lr == 0 && rc == HIST_LOAD_OK)
		return 0;
	if (s->readonly && rc == HIST_LOAD_OK) {
		/* nothing is written in a read-only store, so nothing needs the lock: what is
		 * sent stays in this conversation, in memory (the client said so once) */
		snprintf(c->readonly_why, sizeof c->readonly_why, "is in a read-only directory");
		return 0;
	}
	/* A newer file keeps our lock: we never write it, but chat_delete may remove it. */
	c->readonly = 1;
	if (lr == 1 && pid > 0)
		snprintf(c->readonly_why, sizeof c->readonly_why,
			 "is open in another cherry (pid %ld)", pid);
	else if (lr == 1)
		snprintf(c->readonly_why, sizeof c->readonly_why, "is open in another cherry");
	else if (lr < 0)
		snprintf(c->readonly_why, sizeof c->readonly_why, "cannot be locked (%.120s)",
			 le.msg);
	else
		snprintf(c->readonly_why, sizeof c->readonly_why, "was written by a newer cherry");
	err_set(e, EXIT_FAIL, "conversation %s %s; read-only: sending starts a new conversation",
		id, c->readonly_why);
	return 1;
}

int chat_unsaved(const struct chat *c)
{
	return c->dirty || c->tail;
}

int chat_save(struct chat *c, double now, struct err *e)
{
	/* a failed write is tried again at once: it left the conversation to write whole */
	if (collect(c, !behind(c), e) == 1)
		return 0; /* the changes wait for the write in flight (chat_tick) */
	return chat_unsaved(c) ? save(c, now, e) : 0;
}

int chat_writing(const struct chat *c)
{
	return c->writing != NULL;
}

int chat_tick(struct chat *c, double now, struct err *e)
{
	int r = collect(c, 0, e);
	if (r)
		return r < 0 ? -1 : 0;
	if (!(c->dirty || c->tail) || !persistent(c) ||
	    (now - c->last_save < HIST_SAVE_INTERVAL && now >= c->last_save))
		return 0;
	return save(c, now, e) < 0 ? -1 : 1;
}

void chat_close(struct chat *c)
{
	/* The journal stays: every reader applies it, and it is folded in once it is full;
	 * but a small conversation written to in this session is folded now, so that its
	 * file alone is complete (writing it whole costs no more than a few saves). */
	collect(c, 1, NULL);
	if (c->jfd >= 0 && c->jfile + c->jbytes <= CHAT_FOLD_SMALL)
		c->dirty = 1;
	if (c->dirty || c->tail)
		save(c, c->last_save, NULL);
	collect(c, 1, NULL);
	histstore_journal_close(c->jfd);
	histstore_unlock(c->store, c->conv.id, c->lock_fd);
	hist_conv_free(&c->conv);
	reset(c, NULL);
}

/* Copies msg's fields but id and parent (hist_add made those). */
static int copy_msg(struct hist_msg *d, const struct hist_msg *m)
{
	d->created = m->created;
	d->updated = m->updated;
	d->usage = m->usage;
	d->ttft = m->ttft;
	d->status = m->status;
	d->context_break = m->context_break;
	d->best = m->best;
	int bad = hist_set_str(&d->reasoning, m->reasoning) | hist_set_str(&d->provider, m->provider) |
		  hist_set_str(&d->model, m->model) | hist_set_str(&d->error, m->error) |
		  hist_set_str(&d->note, m->note);
	/* the attachments' references go with the copy (their bytes are stored once) */
	for (size_t i = 0; !bad && i < m->natt; i++)
		bad = hist_msg_attach(d, m->att[i].sha256, m->att[i].name, m->att[i].media_type,
				      m->att[i].size);
	for (size_t i = 0; !bad && i < m->ncalls; i++)
		bad = hist_msg_add_call(d, m->calls[i].id, m->calls[i].name, m->calls[i].args,
					m->calls[i].sig);
	if (!bad && m->provider_items)
		bad = hist_msg_set_items(d, m->provider_items);
	if (!bad && m->tool_call_id)
		bad = hist_msg_set_result(d, m->tool_call_id, m->tool_name, m->tool_error,
					  m->tool_full);
	return bad;
}

/* A read-only conversation is never written: its current branch moves into a new one. */
static int fork_branch(struct chat *c, double now, struct err *e)
{
	char id[HIST_ID_MAX + 1], old[HIST_ID_MAX + 1];
	struct err ie = {0, ""};
	if (histstore_new_id(c->store, id, &ie) < 0) {
		say(e, "conversation %s %s, and no new one can be made: %s", c->conv.id,
		    c->readonly_why, ie.msg);
		return -1;
	}
	struct hist_conv n;
	size_t *idx = NULL, k = 0;
	int bad = hist_conv_init(&n, id, now) < 0;
	if (!bad)
		bad = hist_set_str(&n.title, c->conv.title) < 0 ||
		      hist_set_str(&n.model, c->conv.model) < 0 ||
		      hist_set_str(&n.system, c->conv.system) < 0 ||
		      hist_branch(&c->conv, &idx, &k) < 0;
	for (size_t i = 0; !bad && i < k; i++) {
		const struct hist_msg *m = &c->conv.msgs[idx[i]];
		struct hist_msg *d = hist_add(&n, n.current, m->role, m->content, m->created);
		bad = !d || copy_msg(d, m) < 0;
	}
	/* The copy takes the very bytes of the texts (the old ones take the duplicates and
	 * go): the client's view shares them (view.h), and it is rebuilt only once the
	 * send that forked has gone through. n's messages are the branch's, in order. */
	for (size_t i = 0; !bad && i < k; i++) {
		struct hist_msg *m = &c->conv.msgs[idx[i]], *d = &n.msgs[i];
		char *t = d->content, *r = d->reasoning;
		d->content = m->content;
		d->reasoning = m->reasoning;
		m->content = t;
		m->reasoning = r;
	}
	free(idx);
	if (bad) {
		hist_conv_free(&n);
		return chat_oom(e);
	}
	n.updated = now;
	snprintf(old, sizeof old, "%s", c->conv.id);
	char why[sizeof c->readonly_why];
	snprintf(why, sizeof why, "%s", c->readonly_why);
	histstore_unlock(c->store, old, c->lock_fd);
	hist_conv_free(&c->conv);
	struct histstore *s = c->store;
	double last = c->last_save;
	reset(c, s);
	c->conv = n;
	c->last_save = last;
	c->dirty = 1;
	c->changes++;
	say(e, "conversation %s %s; continuing in a new conversation %s with a copy of it", old,
	    why, c->conv.id);
	return 0;
}

/* A new empty answer under parent (an id in c->conv), made current. */
static int add_answer(struct chat *c, const char *parent, const char *provider,
		      const char *model, double now, size_t *answer);
int chat_add_answer(struct chat *c, const char *parent, const char *provider, const char *model,
		    double now, size_t *answer)
{
	return add_answer(c, parent, provider, model, now, answer);
}

static int add_answer(struct chat *c, const char *parent, const char *provider,
		      const char *model, double now, size_t *answer)
{
	struct hist_msg *m = hist_add(&c->conv, parent, "assistant", "", now);
	if (!m)
		return -1;
	/* Interrupted until chat_finish: a run that dies is recognised as such. */
	m->status = HIST_INTERRUPTED;
	if (hist_set_str(&m->provider, provider) < 0 || hist_set_str(&m->model, model) < 0)
		return -1;
	*answer = (size_t)(m - c->conv.msgs);
	c->stream = CHAT_NO_STREAM;
	c->answer = *answer;
	c->saved_len = 0;
	chat_head(c);
	return 0;
}

static int set_conv_model(struct chat *c, const char *provider, const char *model)
{
	if (!provider || !model)
		return 0;
	struct buf full = BUF_INIT;
	int rc = buf_printf(&full, "%s/%s", provider, model) < 0 ||
		 hist_set_str(&c->conv.model, full.data) < 0 ? -1 : 0;
	buf_free(&full);
	return rc;
}

/* msg's place on the current branch, SIZE_MAX when it is not on it (or OOM). */
static size_t branch_pos(const struct chat *c, size_t msg)
{
	size_t *idx, k, pos = SIZE_MAX;
	if (hist_branch(&c->conv, &idx, &k) < 0)
		return SIZE_MAX;
	for (size_t i = 0; i < k && pos == SIZE_MAX; i++)
		if (idx[i] == msg)
			pos = i;
	free(idx);
	return pos;
}

/* A user message to edit or ask again (SIZE_MAX: none given) must be on the current
 * branch of a read-only conversation, whose copy holds that branch only. -1 with e. */
static int check_user_msg(const struct chat *c, size_t msg, size_t *pos, struct err *e)
{
	*pos = SIZE_MAX;
	if (msg == SIZE_MAX)
		return 0;
	if (msg >= c->conv.n || strcmp(c->conv.msgs[msg].role, "user")) {
		say(e, "that is not a message of yours");
		return -1;
	}
	*pos = branch_pos(c, msg);
	if (c->readonly && *pos == SIZE_MAX) {
		say(e, "that message is not on the branch shown");
		return -1;
	}
	return 0;
}

/* The body of chat_send, on copies that cannot alias the conversation's strings.
 * edited: the user message this one replaces (SIZE_MAX: none), whose parent it takes. */
static int send_copied(struct chat *c, size_t edited, const char *prompt, const char *provider,
		       const char *model, double now, size_t *answer, struct err *e)
{
	int rc = 0;
	size_t pos;
	if (check_user_msg(c, edited, &pos, e) < 0)
		return -1;
	if (c->readonly) {
		if (fork_branch(c, now, e) < 0)
			return -1;
		if (edited != SIZE_MAX)
			edited = pos; /* the copy holds the branch in order */
		rc = 1;
	}
	if (!c->conv.title) {
		struct buf t = BUF_INIT;
		int bad = hist_make_title(prompt, &t) < 0 ||
			  hist_set_str(&c->conv.title, t.data) < 0;
		buf_free(&t);
		if (bad)
			return chat_oom(e);
	}
	if (set_conv_model(c, provider, model) < 0)
		return chat_oom(e);
	char *parent = NULL;
	if (edited != SIZE_MAX && c->conv.msgs[edited].parent &&
	    !(parent = strdup(c->conv.msgs[edited].parent)))
		return chat_oom(e);
	struct hist_msg *u = hist_add(&c->conv, edited != SIZE_MAX ? parent : c->conv.current,
				      "user", prompt, now);
	free(parent);
	if (!u || hist_set_str(&u->provider, provider) < 0 || hist_set_str(&u->model, model) < 0)
		return chat_oom(e);
	chat_head(c);
	if (add_answer(c, c->conv.current, provider, model, now, answer) < 0)
		return chat_oom(e);
	return rc;
}

int chat_send(struct chat *c, const char *prompt, const char *provider, const char *model,
	      double now, size_t *answer, struct err *e)
{
	return chat_send_edit(c, SIZE_MAX, prompt, provider, model, now, answer, e);
}

int chat_send_edit(struct chat *c, size_t edited, const char *prompt, const char *provider,
		   const char *model, double now, size_t *answer, struct err *e)
{
	char *pr = strdup(prompt ? prompt : ""), *pv = provider ? strdup(provider) : NULL;
	char *mo = model ? strdup(model) : NULL;
	int rc;
	if (!pr || (provider && !pv) || (model && !mo))
		rc = chat_oom(e);
	else
		rc = send_copied(c, edited, pr, pv, mo, now, answer, e);
	free(pr);
	free(pv);
	free(mo);
	return rc;
}

static int retry_copied(struct chat *c, size_t user, const char *provider, const char *model,
			double now, size_t *answer, struct err *e)
{
	size_t pos = SIZE_MAX;
	if (user == SIZE_MAX) {
		size_t *idx, k;
		if (hist_branch(&c->conv, &idx, &k) < 0)
			return chat_oom(e);
		for (size_t i = k; i-- > 0;)
			if (!strcmp(c->conv.msgs[idx[i]].role, "user")) {
				pos = i;
				break;
			}
		user = pos == SIZE_MAX ? 0 : idx[pos];
		free(idx);
		if (pos == SIZE_MAX)
			return 1;
	} else if (check_user_msg(c, user, &pos, e) < 0) {
		return -1;
	}
	if (c->readonly) {
		if (fork_branch(c, now, e) < 0)
			return -1;
		user = pos; /* the copy holds the branch in order */
	}
	if (set_conv_model(c, provider, model) < 0 ||
	    add_answer(c, c->conv.msgs[user].id, provider, model, now, answer) < 0)
		return chat_oom(e);
	return 0;
}

int chat_retry(struct chat *c, const char *provider, const char *model, double now,
	       size_t *answer, struct err *e)
{
	return chat_retry_at(c, SIZE_MAX, provider, model, now, answer, e);
}

int chat_retry_at(struct chat *c, size_t user, const char *provider, const char *model,
		  double now, size_t *answer, struct err *e)
{
	char *pv = provider ? strdup(provider) : NULL, *mo = model ? strdup(model) : NULL;
	int rc;
	if ((provider && !pv) || (model && !mo))
		rc = chat_oom(e);
	else
		rc = retry_copied(c, user, pv, mo, now, answer, e);
	free(pv);
	free(mo);
	return rc;
}

int chat_sent_idx(const struct chat *c, size_t answer, int tools, size_t **sent, size_t *n)
{
	*sent = NULL;
	*n = 0;
	const struct hist_conv *cv = &c->conv;
	if (answer >= cv->n)
		return -1;
	size_t *idx = malloc((cv->n ? cv->n : 1) * sizeof *idx), k = 0;
	size_t *keep = malloc((cv->n ? cv->n : 1) * sizeof *keep);
	if (!idx || !keep) {
		free(idx);
		free(keep);
		return -1;
	}
	/* At most n steps: a cycle (which validation rules out anyway) cannot loop. A context
	 * break ends the walk: it and what is above it are not sent. */
	for (size_t i = hist_parent_of(cv, answer);
	     i != HIST_NONE && k < cv->n && !cv->msgs[i].context_break; i = hist_parent_of(cv, i))
		idx[k++] = i;
	size_t out = 0;
	for (size_t i = k; i-- > 0;) {
		const struct hist_msg *m = &cv->msgs[idx[i]];
		/* Failed answers with no text carry nothing the model needs to see; an answer
		 * that only called tools does, to a request that sends its calls. */
		if (!m->content[0] && strcmp(m->role, "user")
		    && !(tools && (m->ncalls || m->tool_call_id)))
			continue;
		keep[out++] = idx[i];
	}
	free(idx);
	*sent = keep;
	*n = out;
	return 0;
}

int chat_request_msgs(const struct chat *c, size_t answer, struct wire_msg **msgs, size_t *n)
{
	size_t *idx, k;
	*msgs = NULL;
	*n = 0;
	if (chat_sent_idx(c, answer, 0, &idx, &k) < 0)
		return -1;
	struct wire_msg *w = calloc(k ? k : 1, sizeof *w);
	for (size_t i = 0; w && i < k; i++) {
		w[i].role = c->conv.msgs[idx[i]].role;
		w[i].content = c->conv.msgs[idx[i]].content;
	}
	free(idx);
	if (!w)
		return -1;
	*msgs = w;
	*n = k;
	return 0;
}

void chat_delta(struct chat *c, size_t answer, const char *s, size_t len, int reasoning,
		double now)
{
	if (answer >= c->conv.n || !len)
		return;
	struct hist_msg *m = &c->conv.msgs[answer];
	if (c->jlast != answer)
		chat_note(c, answer);
	c->stream = answer;
	struct chat_pos *sp = (struct chat_pos *)chat_pos_of(c, answer);
	if (!sp) { /* a free slot, else the first one (its answer rescans next time) */
		sp = (struct chat_pos *)chat_pos_of(c, CHAT_NO_STREAM);
		if (!sp)
			sp = &c->pos[0];
		sp->msg = answer;
		sp->len[0] = strlen(m->content);
		sp->cap[0] = sp->len[0] + 1;
		sp->len[1] = m->reasoning ? strlen(m->reasoning) : 0;
		sp->cap[1] = m->reasoning ? sp->len[1] + 1 : 0;
	}
	int r = reasoning != 0;
	char **field = r ? &m->reasoning : &m->content;
	size_t *have = &sp->len[r], *cap = &sp->cap[r];
	if (len > SIZE_MAX / 2 - *have)
		return;
	if (*have + len + 1 > *cap) {
		size_t nc = *cap < 64 ? 64 : *cap;
		while (nc < *have + len + 1)
			nc *= 2;
		char *p = realloc(*field, nc);
		if (!p)
			return; /* the text so far stays; a later delta may fit again */
		*field = p;
		*cap = nc;
	}
	/* A JSON "\u0000" would end the C string early and hide the rest. */
	for (size_t i = 0; i < len; i++)
		if (s[i])
			(*field)[(*have)++] = s[i];
	(*field)[*have] = '\0';
	m->updated = now;
	c->conv.updated = now;
	c->tail = 1;
}

int chat_finish(struct chat *c, size_t answer, enum hist_status status, const char *line,
		const struct wire_usage *u, double ttft, double now, struct err *e)
{
	if (answer >= c->conv.n)
		return 0;
	/* Its end goes in the journal, the text kept (journal.h): not the file rewritten. */
	chat_meta(c, answer);
	struct hist_msg *m = &c->conv.msgs[answer];
	m->status = status;
	if (hist_set_str(&m->error, status == HIST_ERROR ? line : NULL) < 0 ||
	    hist_set_str(&m->note, status == HIST_COMPLETE ? line : NULL) < 0)
		return chat_oom(e);
	if (u)
		m->usage = (struct hist_usage){u->input, u->output, u->reasoning, u->cached};
	m->ttft = ttft;
	m->updated = now;
	c->conv.updated = now;
	if (c->stream == answer)
		c->stream = CHAT_NO_STREAM;
	chat_forget_pos(c, answer);
	chat_head(c);
	return 0;
}

int chat_branch(const struct chat *c, size_t **idx, size_t *n)
{
	return hist_branch(&c->conv, idx, n);
}

int chat_copy_branch(struct chat *dst, const struct chat *src, size_t upto, double now,
		     struct err *e)
{
	size_t *idx = NULL, k = 0;
	if (hist_branch(&src->conv, &idx, &k) < 0)
		return chat_oom(e);
	size_t end = SIZE_MAX;
	for (size_t i = 0; i < k && end == SIZE_MAX; i++)
		if (idx[i] == upto)
			end = i + 1;
	if (end == SIZE_MAX) {
		free(idx);
		say(e, "that message is not on the branch shown");
		return -1;
	}
	struct buf title = BUF_INIT;
	int bad = buf_printf(&title, "%s (branch)", src->conv.title ? src->conv.title : "untitled") < 0;
	struct buf cut = BUF_INIT;
	bad = bad || hist_make_title(title.data, &cut) < 0 ||
	      hist_set_str(&dst->conv.title, cut.data) < 0 ||
	      hist_set_str(&dst->conv.model, src->conv.model) < 0 ||
	      hist_set_str(&dst->conv.system, src->conv.system) < 0;
	buf_free(&title);
	buf_free(&cut);
	for (size_t i = 0; !bad && i < end; i++) {
		const struct hist_msg *m = &src->conv.msgs[idx[i]];
		struct hist_msg *d = hist_add(&dst->conv, dst->conv.current, m->role, m->content,
					      m->created);
		bad = !d || copy_msg(d, m) < 0;
	}
	free(idx);
	if (bad)
		return chat_oom(e);
	dst->conv.updated = now;
	dst->dirty = 1;
	dst->changes++;
	return 0;
}

int chat_delete(struct chat *c, struct err *e)
{
	collect(c, 1, NULL); /* its files are not written while they go */
	if (c->on_disk) {
		if (c->lock_fd < 0) {
			err_set(e, EXIT_FAIL, "conversation %s %s; not deleted", c->conv.id,
				c->readonly_why[0] ? c->readonly_why : "is not locked");
			return -1;
		}
		if (histstore_remove(c->store, c->conv.id, e) < 0)
			return -1;
	}
	histstore_unlock(c->store, c->conv.id, c->lock_fd);
	hist_conv_free(&c->conv);
	reset(c, NULL);
	return 0;
}

int chat_export_md(const struct chat *c, struct buf *out)
{
	return hist_to_markdown(&c->conv, NULL, out);
}

const char *chat_system(const struct chat *c)
{
	return c->conv.system;
}

const char *chat_model(const struct chat *c)
{
	const char *p, *m;
	size_t pl;
	const char *spec = c->conv.model;
	return spec && model_spec_split(spec, &p, &pl, &m) == 0 ? spec : NULL;
}

size_t chat_saved_len(const struct chat *c, size_t answer)
{
	return answer == c->answer ? c->saved_len : 0;
}

int chat_new_alloc(struct histstore *s, double now, struct chat **out, struct err *e)
{
	struct chat *c = calloc(1, sizeof *c);
	if (!c)
		return chat_oom(e);
	if (chat_new(c, s, now, e) < 0) {
		free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int chat_open_alloc(struct histstore *s, const char *id, struct chat **out, struct err *e)
{
	struct chat *c = calloc(1, sizeof *c);
	if (!c)
		return chat_oom(e);
	int r = chat_open(c, s, id, e);
	if (r < 0) {
		free(c);
		return -1;
	}
	*out = c;
	return r;
}

void chat_close_free(struct chat *c)
{
	if (!c)
		return;
	chat_close(c);
	free(c);
}
