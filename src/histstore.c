/* histstore: conversation files, per-conversation locks, the listing index. */
#include "cherry/histstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cherry/fsutil.h"

/* Conversations bigger than this are not read (a generous bound against garbage). */
#define HIST_MAX_FILE (256u * 1024 * 1024)
#define INDEX_MAGIC "cherry-history-index 2\t"

static double now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void warn(struct histstore *s, const char *line)
{
	if (s->warn)
		s->warn(s->warn_ctx, line);
}

static char *join(const char *a, const char *b)
{
	struct buf p = BUF_INIT;
	if (buf_printf(&p, "%s/%s", a, b) < 0) {
		buf_free(&p);
		return NULL;
	}
	return buf_steal(&p);
}

/* ---- opening ---- */

/* ".<id>.json.<16 hex>": the temp names fs_write_atomic makes for our files. */
static int temp_id(const char *name, char id[HIST_ID_MAX + 1])
{
	if (name[0] != '.')
		return 0;
	const char *dot = strstr(name + 1, ".json.");
	if (!dot || strlen(dot + 6) != 16 || (size_t)(dot - name - 1) > HIST_ID_MAX)
		return 0;
	for (const char *h = dot + 6; *h; h++)
		if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
			return 0;
	memcpy(id, name + 1, (size_t)(dot - name - 1));
	id[dot - name - 1] = '\0';
	return hist_id_valid(id);
}

/* A temp file is only stale when nobody holds its conversation: a live writer does. */
static void clean_temps(struct histstore *s)
{
	DIR *d = opendir(s->dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		char id[HIST_ID_MAX + 1];
		if (!temp_id(de->d_name, id))
			continue;
		int fd;
		long pid;
		struct err e = {0, ""};
		if (histstore_lock(s, id, &fd, &pid, &e) != 0)
			continue;
		unlinkat(dirfd(d), de->d_name, 0);
		histstore_unlock(s, id, fd);
	}
	closedir(d);
}

/* Index temp files of a killed `history list`; a minute old, so a live writer is spared. */
static void clean_index_temps(struct histstore *s)
{
	char *dir = strdup(s->index);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	DIR *d = slash ? (*slash = '\0', opendir(dir)) : NULL;
	struct dirent *de;
	time_t now = time(NULL);
	while (d && (de = readdir(d))) {
		struct stat st;
		if (!strncmp(de->d_name, ".history-index.", 15) && strlen(de->d_name) == 31 &&
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now - st.st_mtime > 60)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	if (d)
		closedir(d);
	free(dir);
}

int histstore_open(struct histstore *s, const char *data_dir, const char *cache_dir,
		   hist_warn_fn warn_fn, void *warn_ctx, struct err *e)
{
	memset(s, 0, sizeof *s);
	s->warn = warn_fn;
	s->warn_ctx = warn_ctx;
	struct buf d = BUF_INIT, c = BUF_INIT;
	int rc = -1;
	if (data_dir ? buf_append_str(&d, data_dir) < 0 : xdg_dir(XDG_DATA, &d, e) < 0)
		goto done;
	if (cache_dir ? buf_append_str(&c, cache_dir) < 0 : xdg_dir(XDG_CACHE, &c, e) < 0)
		goto done;
	s->dir = join(d.data, "conversations");
	s->index = join(c.data, "history-index");
	if (!s->dir || !s->index) {
		err_set(e, EXIT_FAIL, "out of memory");
		goto done;
	}
	if (fs_mkdirs(s->dir, e) < 0)
		goto done;
	clean_temps(s);
	clean_index_temps(s);
	rc = 0;
done:
	buf_free(&d);
	buf_free(&c);
	if (rc < 0) {
		if (!e->code)
			err_set(e, EXIT_FAIL, "out of memory");
		histstore_close(s);
	}
	return rc;
}

void histstore_close(struct histstore *s)
{
	free(s->dir);
	free(s->index);
	s->dir = s->index = NULL;
}

static char *conv_path(const struct histstore *s, const char *id, const char *ext)
{
	struct buf p = BUF_INIT;
	if (buf_printf(&p, "%s/%s%s", s->dir, id, ext) < 0) {
		buf_free(&p);
		return NULL;
	}
	return buf_steal(&p);
}

int histstore_new_id(struct histstore *s, char id[HIST_ID_MAX + 1], struct err *e)
{
	static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
	for (int tries = 0; tries < 100; tries++) {
		unsigned char r[8];
		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
			uint64_t x = (uint64_t)(now_real() * 1e6) ^ ((uint64_t)getpid() << 40) ^
				     (uint64_t)tries * 0x9e3779b97f4a7c15u;
			for (size_t i = 0; i < sizeof r; i++, x >>= 8)
				r[i] = (unsigned char)x;
		}
		for (size_t i = 0; i < sizeof r; i++)
			id[i] = alphabet[r[i] & 31];
		id[8] = '\0';
		char *p = conv_path(s, id, ".json");
		if (!p)
			break;
		struct stat st;
		int taken = lstat(p, &st) == 0;
		free(p);
		if (!taken)
			return 0;
	}
	err_set(e, EXIT_FAIL, "cannot make a new conversation id");
	return -1;
}

/* The id of "<id>.json", or 0 when name is not a conversation file name. */
static int json_id(const char *name, char id[HIST_ID_MAX + 1])
{
	size_t n = strlen(name);
	if (n < 6 || n - 5 > HIST_ID_MAX || strcmp(name + n - 5, ".json"))
		return 0;
	memcpy(id, name, n - 5);
	id[n - 5] = '\0';
	return hist_id_valid(id);
}

int histstore_resolve(struct histstore *s, const char *prefix, char id[HIST_ID_MAX + 1],
		      struct err *e)
{
	if (!hist_id_valid(prefix)) {
		err_set(e, EXIT_USAGE, "\"%.80s\" is not a conversation id", prefix ? prefix : "");
		return -1;
	}
	DIR *d = opendir(s->dir);
	if (!d) {
		err_set(e, EXIT_FAIL, "cannot read %s: %s", s->dir, strerror(errno));
		return -1;
	}
	size_t plen = strlen(prefix), found = 0;
	int exact = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char cand[HIST_ID_MAX + 1];
		if (!json_id(de->d_name, cand) || strncmp(cand, prefix, plen))
			continue;
		if (!strcmp(cand, prefix))
			exact = 1;
		if (!found++ || exact)
			memcpy(id, cand, strlen(cand) + 1);
		if (exact)
			break;
	}
	closedir(d);
	if (exact) {
		memcpy(id, prefix, plen + 1);
		return 0;
	}
	if (found == 1)
		return 0;
	if (!found)
		err_set(e, EXIT_FAIL, "no conversation %s", prefix);
	else
		err_set(e, EXIT_FAIL, "%s matches %zu conversations; give more of the id", prefix,
			found);
	return -1;
}

/* ---- locks ---- */

/* 1 when fd is the file now at path: a lock taken on a file that its holder has just
 * unlinked (histstore_unlock) is no lock, and the path is tried again. */
static int still_at(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int histstore_lock(struct histstore *s, const char *id, int *fd, long *pid, struct err *e)
{
	*fd = -1;
	*pid = 0;
	char *p = conv_path(s, id, ".lock");
	if (!p) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	int f = -1;
	for (int tries = 0; f < 0; tries++) {
		f = open(p, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (f < 0) {
			err_set(e, EXIT_FAIL, "cannot lock %s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		int rc;
		do
			rc = flock(f, LOCK_EX | LOCK_NB);
		while (rc < 0 && errno == EINTR);
		if (rc < 0) {
			int busy = errno == EWOULDBLOCK;
			if (busy) {
				char b[32] = "";
				ssize_t n = pread(f, b, sizeof b - 1, 0);
				if (n > 0) {
					b[n] = '\0';
					*pid = strtol(b, NULL, 10);
				}
			} else {
				err_set(e, EXIT_FAIL, "cannot lock conversation %s: %s", id,
					strerror(errno));
			}
			close(f);
			free(p);
			return busy ? 1 : -1;
		}
		if (!still_at(f, p)) {
			close(f);
			f = -1;
			if (tries == 20) {
				err_set(e, EXIT_FAIL, "cannot lock conversation %s: its lock file "
					"keeps changing", id);
				free(p);
				return -1;
			}
		}
	}
	free(p);
	/* The holder's pid, for the other process's "open in another cherry" line. */
	char b[32];
	int n = snprintf(b, sizeof b, "%ld\n", (long)getpid());
	if (ftruncate(f, 0) == 0 && pwrite(f, b, (size_t)n, 0) < 0) {
		/* only informative */
	}
	*fd = f;
	return 0;
}

void histstore_unlock(struct histstore *s, const char *id, int fd)
{
	if (fd < 0)
		return;
	/* Removed while still held, and only when the file at the path is ours (rm may have
	 * removed it already, and another process made a new one): no lock file outlives
	 * its holder's use of it. A process that opened it meanwhile finds it gone once it
	 * gets the lock (still_at) and tries the path again. */
	char *p = s ? conv_path(s, id, ".lock") : NULL;
	if (p && still_at(fd, p))
		unlink(p);
	free(p);
	close(fd);
}

/* ---- files ---- */

static int move_aside(struct histstore *s, const char *id, const char *why, struct err *e)
{
	struct buf dst = BUF_INIT;
	char *src = conv_path(s, id, ".json");
	char *cdir = join(s->dir, "corrupt");
	struct err me = {0, ""};
	int ok = src && cdir && fs_mkdirs(cdir, &me) == 0;
	/* A unique name: an earlier corrupt copy of the same id is never replaced. */
	for (int i = 0; ok && i < 1000; i++) {
		buf_reset(&dst);
		if (buf_printf(&dst, "%s/%s.json%s%.0d", cdir, id, i ? "." : "", i) < 0) {
			ok = 0;
			break;
		}
		struct stat st;
		if (lstat(dst.data, &st) < 0 && errno == ENOENT) {
			ok = rename(src, dst.data) == 0;
			break;
		}
	}
	if (ok)
		err_set(e, EXIT_FAIL, "conversation %s cannot be read (%s); moved to %s", id, why,
			dst.data);
	else
		err_set(e, EXIT_FAIL, "conversation %s cannot be read (%s); left in place", id,
			why);
	free(src);
	free(cdir);
	buf_free(&dst);
	return -1;
}

int histstore_load(struct histstore *s, const char *id, int have_lock, struct hist_conv *c,
		   struct err *e)
{
	memset(c, 0, sizeof *c);
	if (!hist_id_valid(id)) {
		err_set(e, EXIT_USAGE, "\"%.80s\" is not a conversation id", id);
		return -1;
	}
	char *p = conv_path(s, id, ".json");
	if (!p) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	struct buf b = BUF_INIT;
	int rc = fs_read_file(p, HIST_MAX_FILE, &b, e);
	free(p);
	if (rc == 1)
		err_set(e, EXIT_FAIL, "no conversation %s", id);
	if (rc != 0) {
		buf_free(&b);
		return -1;
	}
	struct err pe = {0, ""};
	rc = hist_from_json(b.data, b.len, c, &pe);
	buf_free(&b);
	if (rc != HIST_LOAD_CORRUPT && strcmp(c->id, id)) {
		err_set(&pe, EXIT_FAIL, "its id says %s", c->id);
		hist_conv_free(c);
		rc = HIST_LOAD_CORRUPT;
	}
	if (rc != HIST_LOAD_CORRUPT)
		return rc;
	int fd = -1;
	long pid;
	struct err le = {0, ""};
	if (!have_lock && histstore_lock(s, id, &fd, &pid, &le) != 0) {
		err_set(e, EXIT_FAIL, "conversation %s cannot be read (%s)", id, pe.msg);
		return -1;
	}
	move_aside(s, id, pe.msg, e);
	histstore_unlock(s, id, fd);
	return -1;
}

int histstore_save(struct histstore *s, const struct hist_conv *c, struct err *e)
{
	if (c->version > HIST_FORMAT) {
		err_set(e, EXIT_FAIL, "conversation %s was written by a newer cherry; not saved",
			c->id);
		return -1;
	}
	struct buf b = BUF_INIT;
	char *p = conv_path(s, c->id, ".json");
	int rc = -1;
	if (!p || hist_to_json(c, &b) < 0)
		err_set(e, EXIT_FAIL, "cannot save conversation %s: out of memory", c->id);
	else
		rc = fs_write_atomic(p, b.data, b.len, e);
	free(p);
	buf_free(&b);
	return rc;
}

int histstore_remove(struct histstore *s, const char *id, struct err *e)
{
	char *p = conv_path(s, id, ".json"), *l = conv_path(s, id, ".lock");
	int rc = -1;
	if (!p || !l)
		err_set(e, EXIT_FAIL, "out of memory");
	else if (unlink(p) < 0)
		err_set(e, EXIT_FAIL, "cannot remove conversation %s: %s", id, strerror(errno));
	else
		rc = 0;
	if (rc == 0)
		unlink(l);
	free(p);
	free(l);
	return rc;
}

/* ---- the index ---- */

struct ientry {
	struct hist_entry h;
	uint64_t ino;
	int64_t size;
	int64_t mtime_s;
	long mtime_ns;
	int seen;
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

/* Parses the index; any line it does not understand is dropped (the files decide). */
static void index_read(struct histstore *s, struct ientry **v, size_t *n, int64_t *dir_s,
		       long *dir_ns)
{
	*v = NULL;
	*n = 0;
	*dir_s = -1;
	*dir_ns = -1;
	struct buf b = BUF_INIT;
	struct err e = {0, ""};
	if (fs_read_file(s->index, HIST_MAX_FILE, &b, &e) != 0 ||
	    strncmp(b.data, INDEX_MAGIC, strlen(INDEX_MAGIC))) {
		buf_free(&b);
		return;
	}
	size_t lines = 0, cap;
	for (const char *q = b.data; (q = memchr(q, '\n', b.len - (size_t)(q - b.data))); q++)
		lines++;
	cap = lines;
	struct ientry *a = calloc(cap ? cap : 1, sizeof *a);
	if (!a) {
		buf_free(&b);
		return;
	}
	char *p = b.data + strlen(INDEX_MAGIC), *end;
	*dir_s = strtoll(p, &end, 10);
	if (*end == '\t')
		*dir_ns = strtol(end + 1, &end, 10);
	p = strchr(p, '\n');
	p = p ? p + 1 : b.data + b.len;
	size_t k = 0;
	while (*p && k < cap) {
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
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
		struct ientry *x = &a[k];
		if (nf == 10 && hist_id_valid(f[0])) {
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
				k++;
			else
				entry_free(&x->h);
		}
		p = nl + 1;
	}
	buf_free(&b);
	/* We write it sorted; only a hand-made index needs sorting. */
	for (size_t i = 1; i < k; i++)
		if (icmp(&a[i - 1], &a[i]) > 0) {
			qsort(a, k, sizeof *a, icmp);
			break;
		}
	*v = a;
	*n = k;
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
			fs_write_atomic(s->index, b.data, b.len, &e);
	}
	free(dir);
	buf_free(&b);
}

/* Fills e from the file itself; -1 when it is corrupt (moved aside and warned). */
static int entry_from_file(struct histstore *s, const char *id, struct ientry *x)
{
	struct hist_conv c;
	struct err e = {0, ""};
	int rc = histstore_load(s, id, 0, &c, &e);
	if (rc < 0) {
		warn(s, e.msg);
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
		return -1;
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

/*
 * The index is checked against the directory every time, never trusted over it: every
 * name must be there with the same inode. When the directory itself changed since the
 * index was written (any save renames into it), every file is also stat'ed and compared
 * by size and mtime, and changed files are parsed again. An in-place edit that keeps
 * the inode and leaves the directory alone is seen at the next save or removal.
 */
int histstore_list(struct histstore *s, struct hist_entry **out, size_t *nout, struct err *e)
{
	*out = NULL;
	*nout = 0;
	struct ientry *idx;
	size_t nidx;
	int64_t idx_dir_s;
	long idx_dir_ns;
	index_read(s, &idx, &nidx, &idx_dir_s, &idx_dir_ns);
	DIR *d = opendir(s->dir);
	struct stat dst;
	if (!d || fstat(dirfd(d), &dst) < 0) {
		err_set(e, EXIT_FAIL, "cannot read %s: %s", s->dir, strerror(errno));
		if (d)
			closedir(d);
		for (size_t i = 0; i < nidx; i++)
			entry_free(&idx[i].h);
		free(idx);
		return -1;
	}
	/* Taken before reading the entries, so a change during the listing is seen next time. */
	struct timespec dir_mtime = dst.st_mtim;
	int dir_same = idx_dir_s == (int64_t)dir_mtime.tv_sec && idx_dir_ns == dir_mtime.tv_nsec;
	struct ientry *v = NULL;
	size_t n = 0, cap = 0;
	int dirty = !dir_same, rc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		struct ientry key;
		if (!json_id(de->d_name, key.h.id))
			continue;
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct ientry *nv = realloc(v, nc * sizeof *nv);
			if (!nv) {
				rc = -1;
				break;
			}
			v = nv;
			cap = nc;
		}
		struct ientry *x = &v[n];
		memset(x, 0, sizeof *x);
		struct ientry *hit = nidx ? bsearch(&key, idx, nidx, sizeof *idx, icmp) : NULL;
		int fresh = 0;
		struct stat st;
		int have_st = 0;
		if (hit && dir_same && de->d_type == DT_REG && hit->ino == (uint64_t)de->d_ino) {
			fresh = 1;
		} else {
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISREG(st.st_mode))
				continue;
			have_st = 1;
			fresh = hit && hit->ino == (uint64_t)st.st_ino &&
				hit->size == (int64_t)st.st_size &&
				hit->mtime_s == (int64_t)st.st_mtim.tv_sec &&
				hit->mtime_ns == st.st_mtim.tv_nsec;
		}
		if (hit)
			hit->seen = 1;
		if (fresh) {
			*x = *hit;
			hit->h.model = hit->h.title = NULL; /* moved */
		} else {
			dirty = 1;
			if (entry_from_file(s, key.h.id, x) < 0)
				continue;
			if (have_st) {
				x->ino = (uint64_t)st.st_ino;
				x->size = (int64_t)st.st_size;
				x->mtime_s = (int64_t)st.st_mtim.tv_sec;
				x->mtime_ns = st.st_mtim.tv_nsec;
			}
		}
		n++;
	}
	closedir(d);
	for (size_t i = 0; i < nidx; i++) {
		dirty |= !idx[i].seen;
		entry_free(&idx[i].h);
	}
	free(idx);
	if (rc < 0) {
		for (size_t i = 0; i < n; i++)
			entry_free(&v[i].h);
		free(v);
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	if (dirty) {
		if (n) /* v may be NULL then, which qsort must not be given */
			qsort(v, n, sizeof *v, icmp);
		index_write(s, v, n, &dir_mtime);
	}
	struct hist_entry *h = malloc((n ? n : 1) * sizeof *h);
	if (!h) {
		for (size_t i = 0; i < n; i++)
			entry_free(&v[i].h);
		free(v);
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		h[i] = v[i].h;
	free(v);
	qsort(h, n, sizeof *h, by_updated);
	*out = h;
	*nout = n;
	return 0;
}
