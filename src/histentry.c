/* histentry: one conversation's listing entry (histlist_int.h) from its file: skimmed
 * from the raw JSON (histskim_entry: a cold index of 100,000 conversations is rebuilt
 * without building any of them), parsed whole through histstore_load where the skim
 * cannot be sure or a journal beside the file adds to it. */
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

int hist_entry_read(struct histstore *s, int dfd, const char *id, struct entry_reader *rd,
		    struct ientry *x, struct stat *st)
{
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
