/* histlist: the listing of conversations (histstore.h), from the index in the cache
 * directory where it still matches the files, parsing the files where not; in steps
 * bounded by files parsed and time, so a client can fill its list between keys. */
#include "cherry/histstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cherry/fsutil.h"

#define INDEX_MAGIC "cherry-history-index 2\t"
/* The index is a cache; one bigger than this is not ours. */
#define INDEX_MAX (256u * 1024 * 1024)

struct ientry {
	struct hist_entry h;
	uint64_t ino;
	int64_t size;
	int64_t mtime_s;
	long mtime_ns;
	int seen;    /* checked against the directory */
};

struct histstore_lister {
	struct histstore *s;
	struct ientry *v;  /* the index's entries sorted by id, then the ones it lacked */
	size_t nidx, n, cap;
	DIR *d;
	struct timespec dir_mtime;
	int dir_same;      /* the directory did not change since the index was written */
	int dirty;         /* the index needs writing */
	int done;
};

static void entry_free(struct hist_entry *h)
{
	free(h->model);
	free(h->title);
	h->model = h->title = NULL;
}

void histstore_entries_free(struct hist_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		entry_free(&v[i]);
	free(v);
}

/* The index holds one line per file; tabs and control bytes would break it. */
static char *flat(const char *s)
{
	char *r = strdup(s ? s : "");
	if (r)
		for (char *p = r; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = ' ';
	return r;
}

static int icmp(const void *a, const void *b)
{
	return strcmp(((const struct ientry *)a)->h.id, ((const struct ientry *)b)->h.id);
}

/* One index line's ten tab-separated fields into x; 0, or -1 when it is not one. */
static int index_line(char *p, struct ientry *x)
{
	char *f[10], *end;
	int nf = 0;
	for (char *q = p; nf < 10;) {
		f[nf++] = q;
		char *t = strchr(q, '\t');
		if (!t)
			break;
		*t = '\0';
		q = t + 1;
	}
	if (nf != 10 || !hist_id_valid(f[0]))
		return -1;
	memset(x, 0, sizeof *x);
	snprintf(x->h.id, sizeof x->h.id, "%s", f[0]);
	x->ino = strtoull(f[1], &end, 10);
	x->size = strtoll(f[2], &end, 10);
	x->mtime_s = strtoll(f[3], &end, 10);
	x->mtime_ns = strtol(f[4], &end, 10);
	x->h.updated = strtod(f[5], &end);
	x->h.nmsgs = (size_t)strtoull(f[6], &end, 10);
	x->h.newer = f[7][0] == '1';
	x->h.model = strdup(f[8]);
	x->h.title = strdup(f[9]);
	if (x->h.model && x->h.title)
		return 0;
	entry_free(&x->h);
	return -1;
}

/* Parses the index; any line it does not understand is dropped (the files decide). */
static void index_read(struct histstore_lister *l, int64_t *dir_s, long *dir_ns)
{
	*dir_s = -1;
	*dir_ns = -1;
	struct buf b = BUF_INIT;
	struct err e = {0, ""};
	if (fs_read_file(l->s->index, INDEX_MAX, &b, &e) != 0 ||
	    strncmp(b.data, INDEX_MAGIC, strlen(INDEX_MAGIC))) {
		buf_free(&b);
		return;
	}
	size_t lines = 0;
	for (const char *q = b.data; (q = memchr(q, '\n', b.len - (size_t)(q - b.data))); q++)
		lines++;
	if (!(l->v = calloc(lines ? lines : 1, sizeof *l->v))) {
		buf_free(&b);
		return;
	}
	l->cap = lines ? lines : 1;
	char *p = b.data + strlen(INDEX_MAGIC), *end;
	*dir_s = strtoll(p, &end, 10);
	if (*end == '\t')
		*dir_ns = strtol(end + 1, &end, 10);
	p = strchr(p, '\n');
	p = p ? p + 1 : b.data + b.len;
	size_t k = 0;
	for (char *nl; *p && k < lines && (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		if (index_line(p, &l->v[k]) == 0)
			k++;
	}
	buf_free(&b);
	/* We write it sorted; only a hand-made index needs sorting. */
	for (size_t i = 1; i < k; i++)
		if (icmp(&l->v[i - 1], &l->v[i]) > 0) {
			qsort(l->v, k, sizeof *l->v, icmp);
			break;
		}
	l->nidx = l->n = k;
}

static void index_write(struct histstore *s, struct ientry *v, size_t n,
			const struct timespec *dir_mtime)
{
	struct buf b = BUF_INIT;
	int ok = buf_printf(&b, "%s%" PRId64 "\t%ld\n", INDEX_MAGIC, (int64_t)dir_mtime->tv_sec,
			    dir_mtime->tv_nsec) == 0;
	for (size_t i = 0; ok && i < n; i++)
		ok = buf_printf(&b, "%s\t%" PRIu64 "\t%" PRId64 "\t%" PRId64 "\t%ld\t%.3f\t%zu\t%d"
				"\t%s\t%s\n", v[i].h.id, v[i].ino, v[i].size, v[i].mtime_s,
				v[i].mtime_ns, v[i].h.updated, v[i].h.nmsgs, v[i].h.newer,
				v[i].h.model, v[i].h.title) == 0;
	char *dir = strdup(s->index);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	struct err e = {0, ""};
	if (ok && slash) {
		*slash = '\0';
		/* The index is a cache: failing to write it only costs speed next time. */
		if (fs_mkdirs(dir, &e) == 0)
			fs_write_replace(s->index, b.data, b.len, &e); /* a cache: no fsync */
	}
	free(dir);
	buf_free(&b);
}

/* Fills x from the file itself; -1 when it cannot be read (warned: corrupt ones are
 * moved aside), -2 when memory ran out (the listing fails rather than leave it out). */
static int entry_from_file(struct histstore *s, const char *id, struct ientry *x)
{
	struct hist_conv c;
	struct err e = {0, ""};
	int rc = histstore_load(s, id, 0, &c, &e);
	if (rc == HIST_LOAD_NOMEM)
		return -2; /* the listing fails rather than leave it out */
	if (rc < 0) {
		if (s->warn)
			s->warn(s->warn_ctx, e.msg);
		return -1;
	}
	snprintf(x->h.id, sizeof x->h.id, "%s", id);
	x->h.updated = c.updated;
	x->h.nmsgs = c.n;
	x->h.newer = rc == HIST_LOAD_NEWER;
	x->h.model = flat(c.model);
	x->h.title = flat(c.title);
	hist_conv_free(&c);
	if (!x->h.model || !x->h.title) {
		entry_free(&x->h);
		return -2;
	}
	return 0;
}

static int by_updated(const void *a, const void *b)
{
	const struct hist_entry *x = a, *y = b;
	if (x->updated != y->updated)
		return x->updated < y->updated ? 1 : -1;
	return strcmp(x->id, y->id);
}

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int histstore_list_begin(struct histstore *s, struct histstore_lister **out, struct err *e)
{
	struct histstore_lister *l = calloc(1, sizeof *l);
	*out = NULL;
	if (!l) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	l->s = s;
	int64_t idx_dir_s;
	long idx_dir_ns;
	index_read(l, &idx_dir_s, &idx_dir_ns);
	l->d = opendir(s->dir);
	struct stat dst;
	if (!l->d || fstat(dirfd(l->d), &dst) < 0) {
		err_set(e, EXIT_FAIL, "cannot read %s: %s", s->dir, strerror(errno));
		histstore_list_end(l);
		return -1;
	}
	/* Taken before reading the entries, so a change during the listing is seen next time. */
	l->dir_mtime = dst.st_mtim;
	l->dir_same = idx_dir_s == (int64_t)l->dir_mtime.tv_sec &&
		      idx_dir_ns == l->dir_mtime.tv_nsec;
	l->dirty = !l->dir_same;
	*out = l;
	return 0;
}

/* Checks one directory entry against the index; 1 when it took a parse. -1 OOM. */
static int check_one(struct histstore_lister *l, struct dirent *de)
{
	struct ientry key;
	if (!histstore_file_id(de->d_name, key.h.id) ||
	    (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
		return 0;
	struct ientry *hit = l->nidx ? bsearch(&key, l->v, l->nidx, sizeof *l->v, icmp) : NULL;
	struct stat st;
	if (hit && l->dir_same && de->d_type == DT_REG && hit->ino == (uint64_t)de->d_ino) {
		hit->seen = 1;
		return 0;
	}
	if (fstatat(dirfd(l->d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (hit && hit->ino == (uint64_t)st.st_ino && hit->size == (int64_t)st.st_size &&
	    hit->mtime_s == (int64_t)st.st_mtim.tv_sec && hit->mtime_ns == st.st_mtim.tv_nsec) {
		hit->seen = 1;
		return 0;
	}
	l->dirty = 1;
	if (!hit && l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		struct ientry *nv = realloc(l->v, nc * sizeof *nv);
		if (!nv)
			return -1;
		l->v = nv;
		l->cap = nc;
	}
	struct ientry x = {0};
	int er = entry_from_file(l->s, key.h.id, &x);
	if (er == -2)
		return -1; /* out of memory */
	if (er < 0)
		return 1; /* corrupt: moved aside; an index entry of it goes unseen */
	x.ino = (uint64_t)st.st_ino;
	x.size = (int64_t)st.st_size;
	x.mtime_s = (int64_t)st.st_mtim.tv_sec;
	x.mtime_ns = st.st_mtim.tv_nsec;
	x.seen = 1;
	if (hit) {
		entry_free(&hit->h);
		*hit = x;
	} else {
		l->v[l->n++] = x;
	}
	return 1;
}

int histstore_list_step(struct histstore_lister *l, size_t max_files, double max_ms,
			struct err *e)
{
	double start = max_ms > 0 ? mono_ms() : 0;
	size_t parsed = 0, looked = 0;
	while (!l->done) {
		errno = 0;
		struct dirent *de = readdir(l->d);
		if (!de) {
			l->done = 1;
			break;
		}
		int r = check_one(l, de);
		if (r < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
		parsed += (size_t)r;
		/* The clock is read after each parse and every 256 names, not per name. */
		if ((max_files && parsed >= max_files) ||
		    (max_ms > 0 && (r || ++looked % 256 == 0) && mono_ms() - start >= max_ms))
			return 0;
	}
	return 1;
}

/* Entries to show: those checked, and (while the listing runs) the index's not checked
 * yet. Copied, newest first. */
int histstore_list_snapshot(struct histstore_lister *l, struct hist_entry **out, size_t *nout,
			    struct err *e)
{
	struct hist_entry *h = malloc((l->n ? l->n : 1) * sizeof *h);
	size_t k = 0;
	for (size_t i = 0; h && i < l->n; i++) {
		if (!l->v[i].seen && l->done)
			continue;
		h[k] = l->v[i].h;
		h[k].model = strdup(l->v[i].h.model);
		h[k].title = strdup(l->v[i].h.title);
		if (!h[k].model || !h[k].title) {
			entry_free(&h[k]);
			histstore_entries_free(h, k);
			h = NULL;
			break;
		}
		k++;
	}
	if (!h) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	qsort(h, k, sizeof *h, by_updated);
	*out = h;
	*nout = k;
	return 0;
}

int histstore_list_finish(struct histstore_lister *l, struct hist_entry **out, size_t *nout,
			  struct err *e)
{
	*out = NULL;
	*nout = 0;
	if (histstore_list_step(l, 0, 0, e) < 0) {
		histstore_list_end(l);
		return -1;
	}
	/* Index entries whose file is gone (or corrupt) drop out; the rest keeps id order. */
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (!l->v[i].seen) {
			l->dirty = 1;
			entry_free(&l->v[i].h);
			continue;
		}
		l->v[k++] = l->v[i];
	}
	l->n = k;
	if (l->dirty) {
		if (k > 1)
			qsort(l->v, k, sizeof *l->v, icmp);
		index_write(l->s, l->v, k, &l->dir_mtime);
	}
	/* The entries move into their own array, in place: hist_entry is the smaller. */
	struct hist_entry *h = (struct hist_entry *)(void *)l->v;
	for (size_t i = 0; i < k; i++)
		memmove(&h[i], &l->v[i].h, sizeof *h);
	struct hist_entry *fit = k ? realloc(h, k * sizeof *h) : NULL;
	if (k && fit)
		h = fit;
	l->v = NULL;
	l->n = l->nidx = 0;
	histstore_list_end(l);
	if (!k) {
		free(h);
		h = malloc(1);
		if (!h) {
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
	}
	qsort(h, k, sizeof *h, by_updated);
	*out = h;
	*nout = k;
	return 0;
}

void histstore_list_end(struct histstore_lister *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		entry_free(&l->v[i].h);
	free(l->v);
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
