/* histentry: one conversation's listing entry (histlist_int.h) from its file: skimmed
 * from the raw JSON (histskim_entry: a cold index of 100,000 conversations is rebuilt
 * without building any of them), parsed whole through histstore_load where the skim
 * cannot be sure or a journal beside the file adds to it; or, for a conversation this
 * process loaded and nobody changed since, taken from what the load noted (hist_memo). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "histlist_int.h"

/* A file bigger than this is parsed, which reads it in pieces. */
#define SKIM_MAX (8u << 20)

/* The index holds one line per file; tabs and control bytes would break it. */
static void flat(char *p)
{
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

/* x owns id, model and title in one allocation. 0, or -2 out of memory. */
static int fill(struct ientry *x, const char *id, const char *m, const char *t)
{
	size_t li = strlen(id) + 1, lm = strlen(m) + 1, lt = strlen(t) + 1;
	char *p = malloc(li + lm + lt);
	if (!p)
		return -2;
	x->id = memcpy(p, id, li);
	x->model = memcpy(p + li, m, lm);
	x->title = memcpy(p + li + lm, t, lt);
	x->own = 1;
	flat(x->model);
	flat(x->title);
	return 0;
}

/* Fills x from the file parsed whole; -1 when it cannot be read (warned: corrupt ones
 * are moved aside), -2 when memory ran out (the listing fails rather than leave it out). */
static int parse(struct histstore *s, const char *id, struct ientry *x)
{
	struct hist_conv c;
	struct err e = {0, ""};
	int rc = histstore_load(s, id, 0, &c, &e);
	if (rc == HIST_LOAD_NOMEM)
		return -2;
	if (rc < 0) {
		if (s->warn)
			s->warn(s->warn_ctx, e.msg);
		return -1;
	}
	memset(x, 0, sizeof *x);
	int r = fill(x, id, c.model ? c.model : "", c.title ? c.title : "");
	x->updated = c.updated;
	x->nmsgs = c.n;
	x->newer = rc == HIST_LOAD_NEWER;
	hist_conv_free(&c);
	return r;
}

/* The file name in dfd read whole into raw, with its stat: 0; 1 when it is not one to
 * skim (gone, not a regular file, too big, unreadable: parse decides); -2 OOM. */
static int slurp(int dfd, const char *name, struct buf *raw, struct stat *st)
{
	int fd;
	do
		fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return 1;
	int r = 1;
	buf_reset(raw);
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || (size_t)st->st_size > SKIM_MAX)
		goto out;
	if (buf_reserve(raw, (size_t)st->st_size + 1) < 0) {
		r = -2;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, raw->data + raw->len, raw->cap - raw->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		raw->len += (size_t)n;
		if (raw->len + 1 >= raw->cap) /* it grew while read: parse reads it again */
			goto out;
	}
	raw->data[raw->len] = '\0';
	r = (off_t)raw->len == st->st_size ? 0 : 1;
out:
	close(fd);
	return r;
}

/* ---- the memo of the conversations loaded ---- */

#define MEMO_MAX 8 /* the open ones, and a few switched between */

static void memo_free_one(struct hist_memo *m)
{
	free(m->model);
	free(m->title);
	free(m);
}

void hist_memo_note(struct histstore *s, const struct hist_conv *c, int newer)
{
	/* the stat a listing takes: the file's, with its journals' sizes and latest time */
	struct stat st;
	char name[HIST_ID_MAX + 16];
	snprintf(name, sizeof name, "%s.json", c->id);
	int dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ok = dfd >= 0 && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		 S_ISREG(st.st_mode);
	if (ok)
		histstore_journal_stat(dfd, c->id, &st);
	if (dfd >= 0)
		close(dfd);
	/* an older note of it goes, and the oldest beyond MEMO_MAX */
	size_t k = 0;
	for (struct hist_memo **pp = &s->memo; *pp;) {
		struct hist_memo *m = *pp;
		if (!strcmp(m->id, c->id) || ++k >= MEMO_MAX) {
			*pp = m->next;
			memo_free_one(m);
		} else {
			pp = &m->next;
		}
	}
	struct hist_memo *m = ok ? calloc(1, sizeof *m) : NULL;
	if (!m)
		return;
	snprintf(m->id, sizeof m->id, "%s", c->id);
	m->ino = (uint64_t)st.st_ino;
	m->size = (int64_t)st.st_size;
	m->mtime_s = (int64_t)st.st_mtim.tv_sec;
	m->mtime_ns = st.st_mtim.tv_nsec;
	m->updated = c->updated;
	m->nmsgs = c->n;
	m->newer = (unsigned char)newer;
	m->model = strdup(c->model ? c->model : "");
	m->title = strdup(c->title ? c->title : "");
	if (!m->model || !m->title) {
		memo_free_one(m);
		return;
	}
	m->next = s->memo;
	s->memo = m;
}

void histstore_note(struct histstore *s, const struct hist_conv *c)
{
	hist_memo_note(s, c, 0);
}

void hist_memo_free(struct histstore *s)
{
	while (s->memo) {
		struct hist_memo *m = s->memo;
		s->memo = m->next;
		memo_free_one(m);
	}
}

/* The memo's entry of id when its files are still as noted (st: a listing's stat of
 * them): 1 with x filled, 0 when there is none, -2 OOM. */
static int memo_take(struct histstore *s, const char *id, const struct stat *st,
		     struct ientry *x)
{
	const struct hist_memo *m = s->memo;
	while (m && strcmp(m->id, id))
		m = m->next;
	if (!m || m->ino != (uint64_t)st->st_ino || m->size != (int64_t)st->st_size ||
	    m->mtime_s != (int64_t)st->st_mtim.tv_sec || m->mtime_ns != st->st_mtim.tv_nsec)
		return 0;
	memset(x, 0, sizeof *x);
	if (fill(x, id, m->model, m->title) < 0)
		return -2;
	x->updated = m->updated;
	x->nmsgs = m->nmsgs;
	x->newer = m->newer;
	return 1;
}

/* ---- reading one ---- */

int hist_entry_read(struct histstore *s, int dfd, const char *id, struct entry_reader *rd,
		    struct ientry *x, struct stat *st)
{
	int known = memo_take(s, id, st, x);
	if (known) {
		rd->remembered += known > 0;
		return known > 0 ? 0 : -2;
	}
	char name[HIST_ID_MAX + 16];
	struct stat jst = {0}, fst;
	int journal = histstore_journal_stat(dfd, id, &jst);
	snprintf(name, sizeof name, "%s.json", id);
	int r = journal ? 1 : slurp(dfd, name, &rd->raw, &fst);
	if (r == 0) {
		int k = histskim_entry(rd->raw.data, rd->raw.len, id, &rd->sk);
		r = k == -1 ? -2 : k == 0 ? 0 : 1;
	}
	if (rd->raw.cap > SKIM_MAX / 8) /* a big one's room is not kept */
		buf_free(&rd->raw);
	if (r == -2)
		return -2;
	if (r) {
		rd->parsed++;
		return parse(s, id, x);
	}
	rd->skimmed++;
	memset(x, 0, sizeof *x);
	if (fill(x, id, rd->sk.model.data, rd->sk.title.data) < 0)
		return -2;
	x->updated = rd->sk.updated;
	x->nmsgs = rd->sk.nmsgs;
	*st = fst; /* the stat of what was read */
	return 0;
}

void hist_entry_reader_free(struct entry_reader *rd)
{
	buf_free(&rd->raw);
	buf_free(&rd->sk.title);
	buf_free(&rd->sk.model);
}
