/* histlist: the listing of conversations (histstore.h), from the index in the cache
 * directory where it still matches the files, parsing the files where not; in steps
 * bounded by files parsed and time, so a client can fill its list between keys.
 *
 * The index is kept newest first, so its head is a client's first screen: it is read
 * a block at a time (the strings stay in the blocks read), ids are found through a
 * hash table, and a listing where nothing changed sorts nothing. */
#include "cherry/histstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cherry/fsutil.h"
#include "histlist_int.h"

/* The index is a cache; one bigger than this is not read further. */
#define INDEX_MAX (256u * 1024 * 1024)
#define BLOCK (32u * 1024)       /* well under a millisecond's parse */
/* The head read by begin: at least the rows asked for, read about this many bytes a
 * row at a time (a line the index writes is 60 to 200 bytes), so that a first screen
 * of 40 rows reads 40 to 100 entries, not the whole index. */
#define HEAD_LINE 128u
#define HEAD_ROWS 256             /* histstore_list_begin's: a tall screen and more */
/* A rebuild appends what it has read to the index every this many files, so that a
 * client killed half-way through 100,000 does not start again from zero. */
#define PERSIST_EVERY 1024
#define SORT_STEP 65536           /* entries moved between clock reads: a millisecond */

#define FIND(l, key) hist_ids_find(&(l)->ids, (key), (l)->v, sizeof *(l)->v)
#define ADD(l, i) hist_ids_add(&(l)->ids, (i), (l)->v, sizeof *(l)->v)

/* ---- entries ---- */

int hist_entry_set(struct hist_entry *h, const char *id, const char *title, const char *model)
{
	title = title ? title : "";
	model = model ? model : "";
	size_t li = strlen(id) + 1, lt = strlen(title) + 1, lm = strlen(model) + 1;
	char *p = malloc(li + lt + lm);
	if (!p)
		return -1;
	hist_entry_clear(h);
	h->id = memcpy(p, id, li);
	h->title = memcpy(p + li, title, lt);
	h->model = memcpy(p + li + lt, model, lm);
	return 0;
}

void hist_entry_clear(struct hist_entry *h)
{
	free(h->id);
	h->id = h->title = h->model = NULL;
}

void histstore_entries_free(struct hist_entry *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		hist_entry_clear(&v[i]);
	free(v);
}

static int by_updated_h(const void *a, const void *b)
{
	const struct hist_entry *x = a, *y = b;
	if (x->updated != y->updated)
		return x->updated < y->updated ? 1 : -1;
	return strcmp(x->id, y->id);
}

static int grow(struct histstore_lister *l)
{
	if (l->n < l->cap)
		return 0;
	size_t nc = l->cap ? l->cap * 2 : 256;
	struct ientry *nv = realloc(l->v, nc * sizeof *nv);
	if (!nv)
		return -1;
	l->v = nv;
	l->cap = nc;
	return 0;
}

/* ---- reading the index ---- */

/* A decimal field: digits, with at most three after a point for a double (as written);
 * anything else (a hand-made index) goes through strtod. -1 when it is not a number. */
static int num(const char *s, uint64_t *u, double *d)
{
	uint64_t v = 0, frac = 0, scale = 1;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t dg = (uint64_t)(*p - '0');
		if (v > (UINT64_MAX - dg) / 10)
			goto slow;
		v = v * 10 + dg;
	}
	if (p == s)
		goto slow;
	if (*p == '.' && d) {
		for (p++; *p >= '0' && *p <= '9' && scale < 1000000; p++) {
			frac = frac * 10 + (uint64_t)(*p - '0');
			scale *= 10;
		}
	}
	if (*p)
		goto slow;
	if (u)
		*u = v;
	if (d)
		*d = (double)v + (double)frac / (double)scale;
	return 0;
slow:;
	char *end;
	if (d) {
		*d = strtod(s, &end);
		return *s && !*end ? 0 : -1;
	}
	return -1;
}

/* One index line's ten tab-separated fields into x, pointing into the line. */
static int index_line(char *p, struct ientry *x)
{
	char *f[10];
	int nf = 0;
	for (char *q = p; nf < 10;) {
		f[nf++] = q;
		char *t = strchr(q, '\t');
		if (!t)
			break;
		*t = '\0';
		q = t + 1;
	}
	uint64_t u[5];
	double upd;
	if (nf != 10 || !hist_id_valid(f[0]) || num(f[1], &u[0], NULL) < 0 ||
	    num(f[2], &u[1], NULL) < 0 || num(f[3], &u[2], NULL) < 0 ||
	    num(f[4], &u[3], NULL) < 0 || num(f[5], NULL, &upd) < 0 ||
	    num(f[6], &u[4], NULL) < 0 || u[3] >= 1000000000u)
		return -1;
	memset(x, 0, sizeof *x);
	x->id = f[0];
	x->ino = u[0];
	x->size = (int64_t)u[1];
	x->mtime_s = (int64_t)u[2];
	x->mtime_ns = (long)u[3];
	x->updated = upd;
	x->nmsgs = (size_t)u[4];
	/* flags: 1 written by a newer cherry, 2 a journal beside the file */
	x->newer = f[7][0] == '1' || f[7][0] == '3';
	x->journal = f[7][0] == '2' || f[7][0] == '3';
	x->model = f[8];
	x->title = f[9];
	return 0;
}

static void index_close(struct histstore_lister *l)
{
	if (l->ifd >= 0)
		close(l->ifd);
	l->ifd = -1;
	l->ncarry = 0;
	hist_block_release(l->cur);
	l->cur = NULL;
}

/* Reads the next want bytes of the index and takes in their whole lines: 1 when there
 * may be more, 0 at its end, -1 when memory ran out. */
static int index_block(struct histstore_lister *l, size_t want)
{
	struct block *b = malloc(sizeof *b + l->ncarry + want + 1);
	if (!b)
		return -1;
	b->refs = 1; /* current; each entry in it adds one, and it goes with the last */
	if (l->ncarry)
		memcpy(b->data, l->carry, l->ncarry);
	hist_block_release(l->cur);
	l->cur = b;
	size_t len = l->ncarry, got = 0;
	while (got < want && l->iread < INDEX_MAX) {
		ssize_t r = read(l->ifd, b->data + len + got, want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		l->iread += (size_t)r;
	}
	len += got;
	b->data[len] = '\0';
	char *p = b->data;
	if (!l->head) {
		/* the header: magic, then the directory's mtime when the index was written */
		size_t ml = strlen(HISTSTORE_INDEX_MAGIC);
		char *nl = memchr(p, '\n', len);
		l->head = 1;
		if (!nl || len < ml || memcmp(p, HISTSTORE_INDEX_MAGIC, ml)) {
			index_close(l);
			return 0;
		}
		*nl = '\0';
		l->idx_head_len = (size_t)(nl - p) + 1;
		char *end;
		l->idx_dir_s = strtoll(p + ml, &end, 10);
		l->idx_dir_ns = *end == '\t' ? strtol(end + 1, &end, 10) : -1;
		p = nl + 1;
		if (grow(l) < 0)
			return -1;
	}
	for (char *nl; (nl = memchr(p, '\n', len - (size_t)(p - b->data))); p = nl + 1) {
		*nl = '\0';
		if (grow(l) < 0)
			return -1;
		struct ientry *x = &l->v[l->n];
		if (index_line(p, x) < 0) {
			l->dirty = 1;
			continue;
		}
		x->blk = b;
		b->refs++;
		int r = ADD(l, l->n);
		if (r < 0) {
			hist_ientry_free(x);
			return -1;
		}
		if (r) {
			/* the same id twice: the later line stands (a rebuild appends what it
			 * read after the lines it found stale); the file decides anyway */
			size_t k = FIND(l, x->id);
			hist_ientry_free(&l->v[k]);
			l->v[k] = *x;
			l->sorted = 0;
			l->dirty = 1;
			continue;
		}
		if (l->n && hist_ientry_cmp(&l->v[l->n - 1], x) > 0)
			l->sorted = 0;
		l->n++;
	}
	l->carry = p;
	l->ncarry = len - (size_t)(p - b->data);
	if (got == 0 || l->iread >= INDEX_MAX) {
		index_close(l); /* a last line without its newline is not one */
		return 0;
	}
	return 1;
}

int histstore_index_dir_same(struct histstore *s)
{
	char head[96];
	int fd = open(s->index, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, head, sizeof head - 1);
	close(fd);
	struct stat st;
	size_t ml = strlen(HISTSTORE_INDEX_MAGIC);
	if (r < (ssize_t)ml || memcmp(head, HISTSTORE_INDEX_MAGIC, ml))
		return -1;
	head[r] = '\0';
	char *end;
	long long sec = strtoll(head + ml, &end, 10);
	if (*end != '\t')
		return -1;
	long ns = strtol(end + 1, &end, 10);
	if (*end != '\n' || stat(s->dir, &st) < 0)
		return -1;
	return sec == (long long)st.st_mtim.tv_sec && ns == st.st_mtim.tv_nsec;
}

/* ---- checking the directory ---- */

static int check_file(struct histstore_lister *l, const char *id, struct ientry *hit);

/* The index's first entries, at least rows of them when it has them: about HEAD_LINE
 * bytes a row read at a time. 0, or -1 out of memory. */
static int index_head(struct histstore_lister *l, size_t rows)
{
	while (l->ifd >= 0 && (!l->head || l->n < rows)) {
		size_t left = rows - l->n, want = left < BLOCK / HEAD_LINE ? left * HEAD_LINE : BLOCK;
		if (index_block(l, want < 4096 ? 4096 : want) < 0)
			return -1;
	}
	return 0;
}

int histstore_list_begin(struct histstore *s, struct histstore_lister **out, struct err *e)
{
	return histstore_list_begin_head(s, HEAD_ROWS, out, e);
}

int histstore_list_begin_head(struct histstore *s, size_t rows, struct histstore_lister **out,
			      struct err *e)
{
	struct histstore_lister *l = calloc(1, sizeof *l);
	*out = NULL;
	if (!l) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	l->s = s;
	l->sorted = 1;
	l->tfd = -1;
	l->idx_dir_s = -1;
	l->idx_dir_ns = -1;
	if (s->absent) { /* no directory, and none can be made: nothing to list */
		l->ifd = -1;
		l->done = 1;
		*out = l;
		return 0;
	}
	l->ifd = open(s->index, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat *ist = &l->idx_st;
	if (l->ifd >= 0 && fstat(l->ifd, ist) == 0 && ist->st_size > 0 &&
	    (uint64_t)ist->st_size <= INDEX_MAX) {
		/* room for the lines it likely holds (about 128 bytes each): no rehash or copy
		 * of 100,000 entries between two keys; pages not touched cost nothing */
		size_t want = (size_t)ist->st_size / 64 + 16;
		struct ientry *v = malloc(want * sizeof *v);
		if (v) {
			l->v = v;
			l->cap = want;
		}
		if (l->v && hist_ids_reserve(&l->ids, want, l->v, sizeof *l->v) < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			histstore_list_end(l);
			return -1;
		}
	}
	if (l->ifd >= 0) {
		if (index_head(l, rows) < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			histstore_list_end(l);
			return -1;
		}
	}
	l->d = opendir(s->dir);
	struct stat dst;
	if (!l->d || fstat(dirfd(l->d), &dst) < 0) {
		err_set(e, EXIT_FAIL, "cannot read %s: %s", s->dir, strerror(errno));
		histstore_list_end(l);
		return -1;
	}
	/* No index, or a short one: room for what the directory's size says it holds
	 * (30 bytes a name or more), so that a rebuild grows nothing between two keys. */
	size_t guess = (size_t)dst.st_size / 24 + 16;
	if (guess > l->cap && guess < ((size_t)1 << 26)) {
		struct ientry *v = realloc(l->v, guess * sizeof *v);
		if (v) {
			l->v = v;
			l->cap = guess;
		}
		if (v && hist_ids_reserve(&l->ids, guess, l->v, sizeof *l->v) < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			histstore_list_end(l);
			return -1;
		}
	}
	/* Taken before reading the entries, so a change during the listing is seen next time. */
	l->dir_mtime = dst.st_mtim;
	l->dir_same = l->idx_dir_s == (int64_t)l->dir_mtime.tv_sec &&
		      l->idx_dir_ns == l->dir_mtime.tv_nsec;
	l->restamp = !l->dir_same;
	/* The directory changed since the index was written (a conversation saved, deleted
	 * or made): the head read, which a client shows at once, is checked against its
	 * files now (a stat each, a skim where one changed), not shown as it was. */
	for (size_t i = 0; !l->dir_same && i < l->n; i++) {
		if (check_file(l, l->v[i].id, &l->v[i]) < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			histstore_list_end(l);
			return -1;
		}
		l->v[i].absent = !l->v[i].seen;
	}
	*out = l;
	return 0;
}

static int same_stat(const struct ientry *x, const struct stat *st)
{
	return x->ino == (uint64_t)st->st_ino && x->size == (int64_t)st->st_size &&
	       x->mtime_s == (int64_t)st->st_mtim.tv_sec && x->mtime_ns == st->st_mtim.tv_nsec;
}

/* A conversation's file (and, when hit says it has one, its journal) checked against
 * hit (NULL: not in the index), parsed when it changed; 1 when it took a parse, -1 OOM.
 * A journal counts in the size and time compared: appending to it changes the entry. */
static int check_file(struct histstore_lister *l, const char *id, struct ientry *hit)
{
	char name[HIST_ID_MAX + 6];
	snprintf(name, sizeof name, "%s.json", id);
	struct stat st;
	if (fstatat(dirfd(l->d), name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return 0;
	int has_j = hit && hit->journal && histstore_journal_stat(dirfd(l->d), id, &st);
	if (hit && same_stat(hit, &st)) {
		hit->seen = 1;
		return 0;
	}
	/* a parse: a journal beside the file counts from now on */
	if (!(hit && hit->journal))
		has_j = histstore_journal_stat(dirfd(l->d), id, &st);
	l->dirty = 1;
	if (!hit && grow(l) < 0)
		return -1;
	struct ientry x = {0};
	int er = hist_entry_read(l->s, dirfd(l->d), id, &l->rd, &x, &st);
	if (er == -2)
		return -1; /* out of memory */
	if (er < 0)
		return 1; /* corrupt: moved aside; an index entry of it goes unseen */
	x.ino = (uint64_t)st.st_ino;
	x.size = (int64_t)st.st_size;
	x.mtime_s = (int64_t)st.st_mtim.tv_sec;
	x.mtime_ns = st.st_mtim.tv_nsec;
	x.journal = (unsigned char)has_j;
	x.seen = 1;
	x.moved = 1;
	if (hist_index_line(&l->pend, &x) < 0) {
		hist_ientry_free(&x);
		return -1;
	}
	if (++l->npend >= PERSIST_EVERY)
		hist_index_persist(l);
	if (!hit || !hit->moved)
		l->nmoved++;
	if (hit) {
		hist_ientry_free(hit);
		*hit = x; /* the same id: its slot stands */
		return 1;
	}
	l->v[l->n] = x;
	if (ADD(l, l->n) < 0) {
		hist_ientry_free(&l->v[l->n]);
		return -1;
	}
	l->n++;
	return 1;
}

/* "<id>.journal" met in the directory: an entry checked without one is checked again
 * with it (else its file's check, still to come, counts it). 1 parsed, 0, -1 OOM. */
static int journal_seen(struct histstore_lister *l, const char *name)
{
	char id[HIST_ID_MAX + 1];
	size_t k = histstore_journal_id(name, id) ? FIND(l, id) : HIST_NONE;
	if (k == HIST_NONE || l->v[k].journal)
		return 0;
	l->v[k].journal = 1;
	return l->v[k].seen ? check_file(l, id, &l->v[k]) : 0;
}

/* Checks one directory entry against the index; 1 when it took a parse. -1 OOM. */
static int check_one(struct histstore_lister *l, struct dirent *de)
{
	char id[HIST_ID_MAX + 1];
	if (de->d_name[0] == '.') {
		histstore_clean_temp(l->s, dirfd(l->d), de->d_name);
		return 0;
	}
	if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
		return 0;
	if (!histstore_file_id(de->d_name, id))
		return journal_seen(l, de->d_name);
	size_t k = FIND(l, id);
	struct ientry *hit = k == HIST_NONE ? NULL : &l->v[k];
	if (hit && l->dir_same && de->d_type == DT_REG && hit->ino == (uint64_t)de->d_ino &&
	    !hit->journal) {
		hit->seen = 1;
		return 0;
	}
	return check_file(l, id, hit);
}

/* Drops the entries whose file is gone and puts the read ones in their places (a
 * merge, so that a few changed conversations cost no sort of 100,000), in steps: 1 when
 * done, 0 when the clock says stop, -1 out of memory. */
static int settle(struct histstore_lister *l, double start, double max_ms)
{
	int r;
	hist_ids_free(&l->ids); /* places move */
	while ((r = hist_settle_step(&l->srt, l->v, &l->n, l->sorted, SORT_STEP)) == 0)
		if (max_ms > 0 && hist_mono_ms() - start >= max_ms)
			return 0;
	if (r < 0)
		return -1;
	if (l->srt.dropped || !l->sorted)
		l->dirty = 1; /* written newest first */
	l->sorted = 1;
	l->nmoved = 0;
	l->settled = 1;
	return 1;
}

static int copy_out(const struct ientry *x, struct hist_entry *h)
{
	memset(h, 0, sizeof *h);
	h->updated = x->updated;
	h->nmsgs = x->nmsgs;
	h->newer = x->newer;
	h->journal = x->journal;
	return hist_entry_set(h, x->id, x->title, x->model);
}

/* After the directory: settles, copies the entries out (for finish) and makes the
 * index's text, a bounded piece at a time. 1 when all is done, 0 when there is more. */
static int after_dir(struct histstore_lister *l, double start, double max_ms)
{
	if (!l->settled) {
		int r = settle(l, start, max_ms);
		if (r <= 0)
			return r;
	}
	if (!l->out && !(l->out = malloc((l->n ? l->n : 1) * sizeof *l->out)))
		return -1;
	while (l->nout < l->n) {
		struct ientry *x = &l->v[l->nout];
		struct hist_entry *h = &l->out[l->nout];
		if (copy_out(x, h) < 0)
			return -1;
		if (x->own || x->blk) {
			/* its strings are the copy's from now on: 100,000 read files, or the
			 * index's blocks, are freed a step at a time, not held to the end */
			hist_ientry_free(x);
			x->id = h->id;
			x->model = h->model;
			x->title = h->title;
		}
		l->nout++;
		if (max_ms > 0 && l->nout % COPY_STEP == 0 && hist_mono_ms() - start >= max_ms)
			return 0;
	}
	if (l->dirty && l->ntext < l->n) {
		if (hist_index_text(l, start, max_ms) < 0)
			return -1;
		if (l->ntext < l->n)
			return 0;
	}
	return 1;
}

static int walk(struct histstore_lister *l, size_t max_files, double max_ms)
{
	double start = max_ms > 0 ? hist_mono_ms() : 0;
	size_t parsed = 0, looked = 0;
	while (l->ifd >= 0) {
		int r = index_block(l, BLOCK);
		if (r < 0)
			return -1;
		if (r && max_ms > 0 && hist_mono_ms() - start >= max_ms)
			return 0;
	}
	while (!l->done) {
		errno = 0;
		struct dirent *de = readdir(l->d);
		if (!de) {
			l->done = 1;
			break;
		}
		int r = check_one(l, de);
		if (r < 0)
			return -1;
		parsed += (size_t)r;
		/* The clock is read after each parse and every 256 names, not per name. */
		if ((max_files && parsed >= max_files) ||
		    (max_ms > 0 && (r || ++looked % 256 == 0) && hist_mono_ms() - start >= max_ms))
			return 0;
	}
	return max_ms > 0 ? after_dir(l, start, max_ms) : 1;
}

int histstore_list_step(struct histstore_lister *l, size_t max_files, double max_ms,
			struct err *e)
{
	int r = walk(l, max_files, max_ms);
	if (r < 0)
		err_set(e, EXIT_FAIL, "out of memory");
	return r;
}

/* Entries to show: those checked, and (while the listing runs) the index's not checked
 * yet. Copied, newest first. */
int histstore_list_snapshot(struct histstore_lister *l, struct hist_entry **out, size_t *nout,
			    struct err *e)
{
	/* while it is being sorted, part of it is set aside */
	size_t nm = l->settled ? 0 : l->srt.nm, all = l->n + nm;
	struct hist_entry *h = malloc((all ? all : 1) * sizeof *h);
	size_t k = 0;
	for (size_t i = 0; h && i < all; i++) {
		const struct ientry *x = i < l->n ? &l->v[i] : &l->srt.moved[i - l->n];
		if (!x->seen && (l->done || x->absent))
			continue;
		if (copy_out(x, &h[k]) < 0) {
			histstore_entries_free(h, k + 1);
			h = NULL;
			break;
		}
		k++;
	}
	if (!h) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	if (!l->sorted || l->nmoved || nm)
		qsort(h, k, sizeof *h, by_updated_h);
	*out = h;
	*nout = k;
	return 0;
}

/* Checks what is left, settles, and writes the index if anything changed. */
static int complete(struct histstore_lister *l, struct err *e)
{
	if (walk(l, 0, 0) < 0 || (!l->settled && settle(l, 0, 0) < 0) ||
	    (l->dirty && hist_index_text(l, 0, 0) < 0)) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	/* nothing but the directory's time changed: its header alone, when it can be */
	if (!l->dirty && l->restamp && hist_index_restamp(l) < 0 && hist_index_text(l, 0, 0) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	if (l->dirty || (l->restamp && l->text_begun))
		hist_index_save(l);
	return 0;
}

int histstore_list_each(struct histstore *s, histstore_each_fn fn, void *ctx, struct err *e)
{
	struct histstore_lister *l;
	if (histstore_list_begin(s, &l, e) < 0)
		return -1;
	int rc = complete(l, e);
	for (size_t i = 0; rc == 0 && i < l->n; i++) {
		struct hist_entry h;
		h.id = l->v[i].id;
		h.updated = l->v[i].updated;
		h.nmsgs = l->v[i].nmsgs;
		h.newer = l->v[i].newer;
		h.journal = l->v[i].journal;
		h.model = l->v[i].model;
		h.title = l->v[i].title;
		rc = fn(ctx, &h);
	}
	histstore_list_end(l);
	return rc < 0 ? -1 : 0;
}

int histstore_list_finish(struct histstore_lister *l, struct hist_entry **out, size_t *nout,
			  struct err *e)
{
	*out = NULL;
	*nout = 0;
	if (complete(l, e) < 0 || after_dir(l, 0, 0) < 0) {
		if (!e->code)
			err_set(e, EXIT_FAIL, "out of memory");
		histstore_list_end(l);
		return -1;
	}
	*out = l->out;
	*nout = l->n;
	l->out = NULL;
	l->nout = 0;
	histstore_list_end(l);
	return 0;
}

int histstore_entries_of(struct histstore *s, const char (*ids)[HIST_ID_MAX + 1], size_t n,
			 struct hist_entry **out, size_t *nout, size_t *nread, struct err *e)
{
	struct entry_reader rd;
	memset(&rd, 0, sizeof rd);
	*out = NULL;
	*nout = 0;
	if (nread)
		*nread = 0;
	if (s->absent)
		return 0;
	int dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		err_set(e, EXIT_FAIL, "cannot read %s: %s", s->dir, strerror(errno));
		return -1;
	}
	struct hist_entry *v = malloc((n ? n : 1) * sizeof *v);
	size_t k = 0;
	int rc = v ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char name[HIST_ID_MAX + 6];
		struct stat st;
		struct ientry x;
		snprintf(name, sizeof name, "%s.json", ids[i]);
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue; /* gone */
		int has_j = histstore_journal_stat(dfd, ids[i], &st);
		int er = hist_entry_read(s, dfd, ids[i], &rd, &x, &st);
		if (er == -2)
			rc = -1;
		if (er < 0)
			continue; /* corrupt: moved aside, gone from the list */
		x.journal = (unsigned char)has_j;
		if (copy_out(&x, &v[k]) < 0)
			rc = -1;
		else
			k++;
		hist_ientry_free(&x);
	}
	if (nread)
		*nread = rd.skimmed + rd.parsed;
	hist_entry_reader_free(&rd);
	close(dfd);
	if (rc < 0) {
		histstore_entries_free(v, k);
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	*out = v;
	*nout = k;
	return 0;
}

int histstore_list_dir_moved(const struct histstore_lister *l)
{
	struct stat st;
	if (l->s->absent)
		return 0;
	return !l->d || fstat(dirfd(l->d), &st) < 0 ||
	       st.st_mtim.tv_sec != l->dir_mtime.tv_sec || st.st_mtim.tv_nsec != l->dir_mtime.tv_nsec;
}

size_t histstore_list_count(const struct histstore_lister *l)
{
	return l->n + (l->settled ? 0 : l->srt.nm);
}

size_t histstore_list_read(const struct histstore_lister *l, size_t *parsed)
{
	*parsed = l->rd.parsed;
	return l->rd.skimmed + l->rd.parsed;
}

void histstore_list_end(struct histstore_lister *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		hist_ientry_free(&l->v[i]);
	free(l->v);
	hist_ids_free(&l->ids);
	histstore_entries_free(l->out, l->nout);
	buf_free(&l->text);
	hist_index_abort(l);
	buf_free(&l->pend);
	hist_entry_reader_free(&l->rd);
	for (size_t i = 0; i < l->srt.nm; i++) /* a listing ended while sorting */
		hist_ientry_free(&l->srt.moved[i]);
	hist_settle_free(&l->srt);
	index_close(l);
	if (l->d)
		closedir(l->d);
	free(l);
}

int histstore_list(struct histstore *s, struct hist_entry **out, size_t *nout, struct err *e)
{
	struct histstore_lister *l;
	*out = NULL;
	*nout = 0;
	if (histstore_list_begin(s, &l, e) < 0)
		return -1;
	return histstore_list_finish(l, out, nout, e);
}
