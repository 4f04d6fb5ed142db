/* histsearch: every conversation searched for a text, in steps: the listing gives the
 * order, a folded search of each raw file rules most out before any JSON is parsed. */
#include "cherry/histsearch.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cherry/fold.h"
#include "cherry/fsutil.h"
#include "cherry/utf8.h"

#define READ_MAX (256u * 1024 * 1024)

/* What one reader of files works in: the step's, or each thread's of histsearch_run. */
struct scratch {
	struct buf file, line, keep[2];
};

struct histsearch {
	struct histstore *st;
	struct buf needle;   /* folded */
	int raw_ok;          /* the raw file holds the needle's bytes as they are */
	struct buf names;    /* "<id>.json\0" of every conversation, newest first */
	size_t *at;          /* where each starts in names */
	unsigned char *jr;   /* each has a journal: loaded with it, never skimmed */
	size_t n, cap, next;
	int dfd;             /* the conversations' directory */
	struct scratch sc;   /* the steps' */
	pthread_mutex_t load; /* histstore_load (a file with a journal) one thread at a time */
};

int histsearch_cut_line(const char *text, size_t len, size_t hit, size_t mlen,
			struct buf *out)
{
	size_t start = hit, end = hit + mlen;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	while (end < len && text[end] != '\n')
		end++;
	size_t from = hit - start > HISTSEARCH_BEFORE ? utf8_back(text, hit - HISTSEARCH_BEFORE) :
						       start;
	size_t to = end - (hit + mlen) > HISTSEARCH_AFTER ?
			    utf8_forward(text, len, hit + mlen + HISTSEARCH_AFTER) : end;
	buf_reset(out);
	int bad = from > start ? buf_append_str(out, "...") : 0;
	for (size_t i = from; i < to && !bad; i++)
		bad = buf_append_char(out, text[i] == '\t' || text[i] == '\r' ? ' ' : text[i]);
	if (!bad && to < end)
		bad = buf_append_str(out, "...");
	if (!bad && !out->data)
		bad = buf_append_str(out, "");
	return bad ? -1 : 0;
}

int histsearch_conv(const struct hist_conv *c, const char *folded, size_t flen,
		    struct histsearch_hit *h, struct buf *line)
{
	memset(h, 0, sizeof *h);
	snprintf(h->id, sizeof h->id, "%s", c->id);
	h->title = c->title ? c->title : "";
	h->updated = c->updated;
	h->msg = "";
	size_t mlen;
	long at = c->title ? fold_find(c->title, strlen(c->title), folded, flen, &mlen) : -1;
	if (at >= 0) {
		if (histsearch_cut_line(c->title, strlen(c->title), (size_t)at, mlen, line) < 0)
			return -1;
		h->line = line->data;
		return 1;
	}
	for (size_t i = 0; i < c->n; i++) {
		const char *s = c->msgs[i].content;
		size_t len = strlen(s);
		if ((at = fold_find(s, len, folded, flen, &mlen)) < 0)
			continue;
		if (histsearch_cut_line(s, len, (size_t)at, mlen, line) < 0)
			return -1;
		h->msg = c->msgs[i].id;
		h->msg_index = i;
		h->line = line->data;
		return 1;
	}
	return 0;
}

/* Keeps the file name of each conversation listed, in one buffer. */
static int add_name(void *ctx, const struct hist_entry *en)
{
	struct histsearch *h = ctx;
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 1024;
		size_t *na = realloc(h->at, nc * sizeof *na);
		if (na)
			h->at = na;
		unsigned char *nj = na ? realloc(h->jr, nc) : NULL;
		if (!nj)
			return -1;
		h->jr = nj;
		h->cap = nc;
	}
	h->jr[h->n] = en->journal != 0;
	h->at[h->n++] = h->names.len;
	return buf_append_str(&h->names, en->id) < 0 ||
	       buf_append(&h->names, ".json", 6) < 0 ? -1 : 0;
}

struct histsearch *histsearch_start(struct histstore *st, const char *text, struct err *e)
{
	struct histsearch *h = calloc(1, sizeof *h);
	if (h) {
		h->dfd = -1;
		pthread_mutex_init(&h->load, NULL);
	}
	if (!h || fold_string(text, strlen(text), &h->needle) < 0 || !h->needle.len) {
		histsearch_free(h);
		err_set(e, EXIT_FAIL, h ? "nothing to search for" : "out of memory");
		return NULL;
	}
	h->st = st;
	/* JSON writes the text verbatim unless it holds a quote, a backslash or a control
	 * character; then the raw file cannot rule a conversation out. */
	h->raw_ok = 1;
	for (size_t i = 0; i < h->needle.len; i++) {
		unsigned char b = (unsigned char)h->needle.data[i];
		if (b < 0x20 || b == '"' || b == '\\')
			h->raw_ok = 0;
	}
	/* read-only and not there: nothing to read, the search finds nothing */
	if (!st->absent && (h->dfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err_set(e, EXIT_FAIL, "cannot read %s: %s", st->dir, strerror(errno));
		histsearch_free(h);
		return NULL;
	}
	if (histstore_list_each(st, add_name, h, e) < 0) {
		if (!e->code)
			err_set(e, EXIT_FAIL, "out of memory");
		histsearch_free(h);
		return NULL;
	}
	return h;
}

/* c searched, then freed: 1 when fn said stop. fn is the caller's (steps), or one that
 * keeps a copy of the hit for its turn (histsearch_run). */
static int search_whole(struct histsearch *h, struct scratch *sc, struct hist_conv *c,
			histsearch_fn fn, void *ctx)
{
	struct histsearch_hit hit;
	int stop = histsearch_conv(c, h->needle.data, h->needle.len, &hit, &sc->line) == 1 &&
		   fn(ctx, &hit) != 0;
	hist_conv_free(c);
	return stop;
}

/* The conversation at place i of the listing searched, its hit (if any) delivered: 1
 * when the delivery said stop. Reads nothing of h but what histsearch_start set, and
 * writes only sc: threads may run it side by side. */
static int search_file(struct histsearch *h, struct scratch *sc, size_t i, histsearch_fn fn,
		       void *ctx)
{
	const char *name = h->names.data + h->at[i];
	struct err e = {0, ""};
	size_t mlen;
	char id[HIST_ID_MAX + 1];
	if (h->jr[i] && histstore_file_id(name, id)) {
		/* what it holds is the file with its journal applied */
		struct hist_conv c;
		pthread_mutex_lock(&h->load);
		int r = histstore_load(h->st, id, 0, &c, &e);
		pthread_mutex_unlock(&h->load);
		return r >= 0 ? search_whole(h, sc, &c, fn, ctx) : 0;
	}
	if (fs_read_at(h->dfd, name, READ_MAX, &sc->file, &e) != 0 || !sc->file.data)
		return 0;
	/* the common case, an ASCII needle, is a memchr-paced scan (fold_find) */
	if (h->raw_ok &&
	    fold_find(sc->file.data, sc->file.len, h->needle.data, h->needle.len, &mlen) < 0)
		return 0;
	/* a file that holds it is skimmed, not parsed whole, where it can be */
	struct histsearch_hit hit;
	int r = -2;
	if (h->raw_ok && histstore_file_id(name, id))
		r = histsearch_raw(sc->file.data, sc->file.len, id, h->needle.data, h->needle.len,
				   &hit, &sc->line, sc->keep);
	if (r == -2) {
		struct hist_conv c;
		if (hist_from_json(sc->file.data, sc->file.len, &c, &e) == HIST_LOAD_CORRUPT)
			return 0;
		return search_whole(h, sc, &c, fn, ctx);
	}
	return r == 1 && fn(ctx, &hit) != 0;
}

int histsearch_step(struct histsearch *h, size_t max_files, histsearch_fn fn, void *ctx,
		    size_t *done, size_t *total)
{
	int stop = 0;
	for (size_t k = 0; k < max_files && h->next < h->n && !stop; k++)
		stop = search_file(h, &h->sc, h->next++, fn, ctx);
	if (done)
		*done = h->next;
	if (total)
		*total = h->n;
	return !stop && h->next < h->n;
}

/* ---- the whole search on several threads ---- */

#define RUN_CHUNK 64   /* files a thread takes at a time */
#define RUN_THREADS 16 /* at most */

/* A hit kept until its turn: the struct, its strings after it. */
struct kept_hit {
	struct kept_hit *next;
	struct histsearch_hit hit;
};

struct chunk {
	struct kept_hit *first, **last;
	int done, nomem;
};

struct run {
	struct histsearch *h;
	struct chunk *ch;    /* chunk k: the files from base + k * RUN_CHUNK */
	size_t base, nch, taken;
	int stop;            /* under mu, as all of this but the chunks' hits */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

struct keep_ctx {
	struct chunk *c;
};

static char *put_str(char **at, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = memcpy(*at, s, n);
	*at += n;
	return d;
}

/* A thread's delivery: the hit copied into its chunk, in the listing's order. */
static int keep_hit(void *ctx, const struct histsearch_hit *h)
{
	struct chunk *c = ((struct keep_ctx *)ctx)->c;
	size_t n = strlen(h->title) + strlen(h->msg) + strlen(h->line) + 3;
	struct kept_hit *k = malloc(sizeof *k + n);
	if (!k) {
		c->nomem = 1;
		return 0;
	}
	char *at = (char *)(k + 1);
	k->next = NULL;
	k->hit = *h;
	k->hit.title = put_str(&at, h->title);
	k->hit.msg = put_str(&at, h->msg);
	k->hit.line = put_str(&at, h->line);
	*c->last = k;
	c->last = &k->next;
	return 0;
}

static void *run_thread(void *arg)
{
	struct run *r = arg;
	struct scratch sc = {0};
	pthread_mutex_lock(&r->mu);
	while (!r->stop && r->taken < r->nch) {
		struct chunk *c = &r->ch[r->taken++];
		size_t from = r->base + (size_t)(c - r->ch) * RUN_CHUNK;
		pthread_mutex_unlock(&r->mu);
		struct keep_ctx kc = {c};
		for (size_t i = from; i < r->h->n && i < from + RUN_CHUNK; i++)
			search_file(r->h, &sc, i, keep_hit, &kc);
		pthread_mutex_lock(&r->mu);
		c->done = 1;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	buf_free(&sc.file);
	buf_free(&sc.line);
	buf_free(&sc.keep[0]);
	buf_free(&sc.keep[1]);
	return NULL;
}

static void free_chunk(struct chunk *c)
{
	for (struct kept_hit *k = c->first, *nx; k; k = nx) {
		nx = k->next;
		free(k);
	}
	c->first = NULL;
}

int histsearch_run(struct histsearch *h, int threads, histsearch_fn fn, void *ctx)
{
	size_t left = h->n - h->next;
	struct run r = {.h = h, .base = h->next};
	r.nch = (left + RUN_CHUNK - 1) / RUN_CHUNK;
	if (threads > RUN_THREADS)
		threads = RUN_THREADS;
	if ((size_t)threads > r.nch)
		threads = (int)r.nch;
	pthread_t tid[RUN_THREADS];
	int made = 0;
	r.ch = threads > 1 ? calloc(r.nch, sizeof *r.ch) : NULL;
	if (r.ch) {
		for (size_t k = 0; k < r.nch; k++)
			r.ch[k].last = &r.ch[k].first;
		pthread_mutex_init(&r.mu, NULL);
		pthread_cond_init(&r.cv, NULL);
		/* signals stay with the calling thread */
		sigset_t all, old;
		sigfillset(&all);
		if (pthread_sigmask(SIG_SETMASK, &all, &old) == 0) {
			while (made < threads && pthread_create(&tid[made], NULL, run_thread, &r) == 0)
				made++;
			pthread_sigmask(SIG_SETMASK, &old, NULL);
		}
	}
	if (made == 0) {
		/* one thread, or none could be made: the steps, to the end */
		if (r.ch) {
			pthread_cond_destroy(&r.cv);
			pthread_mutex_destroy(&r.mu);
			free(r.ch);
		}
		while (histsearch_step(h, 256, fn, ctx, NULL, NULL) == 1)
			;
		return 0;
	}
	int nomem = 0;
	for (size_t k = 0; k < r.nch; k++) {
		pthread_mutex_lock(&r.mu);
		while (!r.ch[k].done)
			pthread_cond_wait(&r.cv, &r.mu);
		pthread_mutex_unlock(&r.mu);
		int stopped = 0;
		nomem |= r.ch[k].nomem;
		for (struct kept_hit *x = r.ch[k].first; x && !stopped; x = x->next)
			stopped = fn(ctx, &x->hit) != 0;
		if (stopped) {
			pthread_mutex_lock(&r.mu);
			r.stop = 1;
			pthread_mutex_unlock(&r.mu);
			break;
		}
	}
	for (int i = 0; i < made; i++)
		pthread_join(tid[i], NULL);
	for (size_t k = 0; k < r.nch; k++)
		free_chunk(&r.ch[k]);
	free(r.ch);
	pthread_cond_destroy(&r.cv);
	pthread_mutex_destroy(&r.mu);
	h->next = h->n;
	return nomem ? -1 : 0;
}

void histsearch_free(struct histsearch *h)
{
	if (!h)
		return;
	buf_free(&h->needle);
	buf_free(&h->names);
	free(h->at);
	free(h->jr);
	if (h->dfd >= 0)
		close(h->dfd);
	buf_free(&h->sc.file);
	buf_free(&h->sc.line);
	buf_free(&h->sc.keep[0]);
	buf_free(&h->sc.keep[1]);
	pthread_mutex_destroy(&h->load);
	free(h);
}
