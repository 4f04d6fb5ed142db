/* histstore: conversation files, per-conversation locks, the listing index. */
#include "cherry/histstore.h"

#include "cherry/attstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cherry/fsutil.h"
#include "cherry/journal.h"
#include "histlist_int.h"
#include "histstore_int.h"


static double now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
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
void histstore_clean_temp(struct histstore *s, int dfd, const char *name)
{
	char id[HIST_ID_MAX + 1];
	int fd;
	long pid;
	struct err e = {0, ""};
	if (!temp_id(name, id) || histstore_lock(s, id, &fd, &pid, &e) != 0)
		return;
	unlinkat(dfd, name, 0);
	histstore_unlock(s, id, fd);
}

static void clean_temps(struct histstore *s)
{
	DIR *d = opendir(s->dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] == '.')
			histstore_clean_temp(s, dirfd(d), de->d_name);
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

/* Whether an error of creating or writing the directory means it is read-only to us
 * (as against a bad path or no memory). */
static int readonly_errno(int en)
{
	return en == EROFS || en == EACCES || en == EPERM;
}

enum { OPEN_SCAN = 1, OPEN_READONLY_OK = 2 };

static int open_store(struct histstore *s, const char *data_dir, const char *cache_dir,
		      hist_warn_fn warn_fn, void *warn_ctx, int flags, struct err *e)
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
	if (fs_mkdirs(s->dir, e) < 0) {
		if (!(flags & OPEN_READONLY_OK) || !readonly_errno(errno))
			goto done;
		s->readonly = 1;
		s->absent = 1; /* nothing to read: an empty history */
		snprintf(s->readonly_why, sizeof s->readonly_why, "%.319s", e->msg);
		err_clear(e);
	} else if ((flags & OPEN_READONLY_OK) && access(s->dir, W_OK) < 0 &&
		   readonly_errno(errno)) {
		s->readonly = 1;
		snprintf(s->readonly_why, sizeof s->readonly_why, "cannot write in %.240s: %.60s",
			 s->dir, strerror(errno));
	}
	/* 100,000 names are not read at every start: a directory unchanged since the index
	 * was written holds no temp file younger than the listing that wrote it, and that
	 * listing removed those it met. */
	if ((flags & OPEN_SCAN) && !s->readonly && histstore_index_dir_same(s) != 1)
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

int histstore_open(struct histstore *s, const char *data_dir, const char *cache_dir,
		   hist_warn_fn warn_fn, void *warn_ctx, struct err *e)
{
	return open_store(s, data_dir, cache_dir, warn_fn, warn_ctx, OPEN_SCAN, e);
}

int histstore_open_reader(struct histstore *s, const char *data_dir, const char *cache_dir,
			  hist_warn_fn warn_fn, void *warn_ctx, struct err *e)
{
	return open_store(s, data_dir, cache_dir, warn_fn, warn_ctx,
			  OPEN_SCAN | OPEN_READONLY_OK, e);
}

int histstore_open_listing(struct histstore *s, const char *data_dir, const char *cache_dir,
			   hist_warn_fn warn_fn, void *warn_ctx, struct err *e)
{
	return open_store(s, data_dir, cache_dir, warn_fn, warn_ctx, OPEN_READONLY_OK, e);
}

void histstore_collect_later(struct histstore *s)
{
	s->collect_later = 1;
}

int histstore_collect_step(struct histstore *s, size_t max_files)
{
	if (!s->collect)
		return 0;
	if (attstore_collect_step(s->collect, max_files))
		return 1;
	/* done: ended, so that what attstore keeps while one runs is let go */
	attstore_collect_end(s->collect);
	s->collect = NULL;
	return 0;
}

void histstore_close(struct histstore *s)
{
	attstore_collect_end(s->collect); /* what was left: the user's deletions are done */
	s->collect = NULL;
	hist_memo_free(s);
	free(s->dir);
	free(s->index);
	s->dir = s->index = NULL;
}

char *histstore_path(const struct histstore *s, const char *id, const char *ext)
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
		char *p = histstore_path(s, id, ".json");
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

int histstore_id_of(const char *name, const char *ext, char id[HIST_ID_MAX + 1])
{
	size_t n = strlen(name), el = strlen(ext);
	if (n <= el || n - el > HIST_ID_MAX || strcmp(name + n - el, ext))
		return 0;
	memcpy(id, name, n - el);
	id[n - el] = '\0';
	return hist_id_valid(id);
}

int histstore_file_id(const char *name, char id[HIST_ID_MAX + 1])
{
	return histstore_id_of(name, ".json", id);
}

int histstore_exists(const struct histstore *s, const char *id)
{
	char *p = hist_id_valid(id) ? histstore_path(s, id, ".json") : NULL;
	struct stat st;
	int is = p && lstat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return is;
}

int histstore_resolve(struct histstore *s, const char *prefix, char id[HIST_ID_MAX + 1],
		      struct err *e)
{
	if (!hist_id_valid(prefix)) {
		err_set(e, EXIT_USAGE, "\"%.80s\" is not a conversation id", prefix ? prefix : "");
		return -1;
	}
	/* A whole id (the last conversation reopened, -c with an id copied) is one stat,
	 * not a read of a directory of 100,000 names before the first frame. */
	size_t plen = strlen(prefix), found = 0;
	if (histstore_exists(s, prefix)) {
		memcpy(id, prefix, plen + 1);
		return 0;
	}
	if (s->absent) { /* read-only and not there: none */
		err_set(e, EXIT_FAIL, "no conversation %s", prefix);
		return -1;
	}
	DIR *d = opendir(s->dir);
	if (!d) {
		err_set(e, EXIT_FAIL, "cannot read %s: %s", s->dir, strerror(errno));
		return -1;
	}
	int exact = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char cand[HIST_ID_MAX + 1];
		if (!histstore_file_id(de->d_name, cand) || strncmp(cand, prefix, plen))
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
	char *p = histstore_path(s, id, ".lock");
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
	char *p = s ? histstore_path(s, id, ".lock") : NULL;
	if (p && still_at(fd, p))
		unlink(p);
	free(p);
	close(fd);
}

/* ---- files ---- */

int histstore_move_file_aside(struct histstore *s, const char *id, const char *ext,
			      struct buf *dst)
{
	char *src = histstore_path(s, id, ext);
	char *cdir = join(s->dir, "corrupt");
	struct err me = {0, ""};
	int ok = src && cdir && fs_mkdirs(cdir, &me) == 0, moved = 0;
	/* A unique name: an earlier copy of the same id is never replaced. */
	for (int i = 0; ok && !moved && i < 1000; i++) {
		buf_reset(dst);
		if (buf_printf(dst, "%s/%s%s%s%.0d", cdir, id, ext, i ? "." : "", i) < 0)
			break;
		struct stat st;
		if (lstat(dst->data, &st) < 0 && errno == ENOENT) {
			moved = rename(src, dst->data) == 0;
			break;
		}
	}
	free(src);
	free(cdir);
	return moved;
}

static int move_aside(struct histstore *s, const char *id, const char *why, struct err *e)
{
	struct buf dst = BUF_INIT;
	if (histstore_move_file_aside(s, id, ".json", &dst))
		err_set(e, EXIT_FAIL, "conversation %s cannot be read (%s); moved to %s", id, why,
			dst.data);
	else
		err_set(e, EXIT_FAIL, "conversation %s cannot be read (%s); left in place", id,
			why);
	buf_free(&dst);
	return -1;
}

/* Feeds the parser from the file in chunks (hist_read_fn), so a conversation is never
 * held whole as text beside its parse; the size bound holds even if it grows meanwhile. */
struct file_reader {
	int fd;
	size_t total;
	int failed; /* errno of a failed read, or EFBIG */
};

static size_t read_chunk(void *buf, size_t len, void *ctx)
{
	struct file_reader *r = ctx;
	ssize_t n;
	do
		n = read(r->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r->failed = errno;
		return (size_t)-1;
	}
	r->total += (size_t)n;
	if (r->total > HIST_MAX_FILE) {
		r->failed = EFBIG;
		return (size_t)-1;
	}
	return (size_t)n;
}

/* Opens a conversation file for reading: 0 with *fd and *st, 1 when it does not exist,
 * -1 with e. O_NONBLOCK: a FIFO at the path cannot hang us before the type check. */
static int open_conv(const char *p, int *fd, struct stat *st, struct err *e)
{
	do
		*fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	while (*fd < 0 && errno == EINTR);
	if (*fd < 0) {
		if (errno == ENOENT)
			return 1;
		err_set(e, EXIT_FAIL, "cannot read %s: %s", p, strerror(errno));
		return -1;
	}
	const char *why = NULL;
	if (fstat(*fd, st) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st->st_mode))
		why = "not a regular file";
	else if ((uintmax_t)st->st_size > HIST_MAX_FILE)
		why = "larger than 256 MB";
	if (why) {
		err_set(e, EXIT_FAIL, "cannot read %s: %s", p, why);
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

int histstore_load(struct histstore *s, const char *id, int have_lock, struct hist_conv *c,
		   struct err *e)
{
	return histstore_load_keep(s, id, have_lock, c, NULL, e);
}

/* One read of the file and its journals; *st gets the file's stat as it was read. */
static int load_once(struct histstore *s, const char *id, int have_lock, struct hist_conv *c,
		     size_t *journal, struct stat *stp, struct err *e)
{
	memset(c, 0, sizeof *c);
	if (journal)
		*journal = 0;
	if (!hist_id_valid(id)) {
		err_set(e, EXIT_USAGE, "\"%.80s\" is not a conversation id", id);
		return -1;
	}
	char *p = histstore_path(s, id, ".json");
	if (!p) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	struct stat st;
	struct file_reader fr = {-1, 0, 0};
	int rc = open_conv(p, &fr.fd, &st, e);
	*stp = st;
	if (rc == 1)
		err_set(e, EXIT_FAIL, "no conversation %s", id);
	if (rc != 0) {
		free(p);
		return -1;
	}
	struct err pe = {0, ""};
	rc = hist_from_reader(read_chunk, &fr, c, &pe);
	close(fr.fd);
	if (fr.failed) {
		/* Not the file's fault: it stays where it is. */
		err_set(e, EXIT_FAIL, "cannot read %s: %s", p,
			fr.failed == EFBIG ? "larger than 256 MB" : strerror(fr.failed));
		free(p);
		if (rc != HIST_LOAD_CORRUPT && rc != HIST_LOAD_NOMEM)
			hist_conv_free(c);
		return -1;
	}
	free(p);
	if (rc == HIST_LOAD_NOMEM) {
		/* memory's failure, not the file's: it stays where it is */
		err_set(e, EXIT_FAIL, "conversation %s cannot be read (out of memory)", id);
		return HIST_LOAD_NOMEM;
	}
	if (rc != HIST_LOAD_CORRUPT && strcmp(c->id, id)) {
		err_set(&pe, EXIT_FAIL, "its id says %s", c->id);
		hist_conv_free(c);
		rc = HIST_LOAD_CORRUPT;
	}
	int jr = rc == HIST_LOAD_OK ? histstore_replay(s, id, &st, have_lock, c, journal, e) : 0;
	if (jr < 0) {
		hist_conv_free(c);
		return -1;
	}
	if (jr == 1)
		rc = HIST_LOAD_NEWER;
	/* its listing entry, for a listing that would otherwise parse it again: with the lock,
	 * the files are still what c holds (a fold just now wrote them from c) */
	if (rc != HIST_LOAD_CORRUPT && have_lock)
		hist_memo_note(s, c, rc == HIST_LOAD_NEWER);
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

int histstore_load_keep(struct histstore *s, const char *id, int have_lock,
			struct hist_conv *c, size_t *journal, struct err *e)
{
	/* Without the lock, the holder may fold while we read: the old file read, then its
	 * journal gone with the new file in its place, would show the conversation as it was
	 * before the journal. A file replaced meanwhile is read again. */
	for (int tries = 0;; tries++) {
		struct stat st;
		int rc = load_once(s, id, have_lock, c, journal, &st, e);
		if (have_lock || tries == 2 || (rc != HIST_LOAD_OK && rc != HIST_LOAD_NEWER))
			return rc;
		char *p = histstore_path(s, id, ".json");
		int same = !p || histstore_same_file(p, &st);
		free(p);
		if (same)
			return rc;
		hist_conv_free(c);
	}
}

/* A whole save: on a thread of its own, a copy of the conversation made on the caller's
 * thread, its tree made and written there; else the tree made and written at once. */
struct histstore_write {
	struct hist_conv *conv; /* written on the thread: a copy (the tree is made there) */
	json_t *tree;
	char *path, *jpath, *lpath;
	char id[HIST_ID_MAX + 1];
	int jfd;      /* the journal, its fold marker appended, or -1 */
	off_t jsize;  /* its size before the marker */
	int marked;
	int rc;
	struct err e;
	pthread_t tid;
	int threaded; /* tid runs it */
	pthread_mutex_t lock;
	int done;     /* under lock: it has run */
};

static void drop_copy(struct histstore_write *w)
{
	if (w->conv)
		hist_conv_free(w->conv);
	free(w->conv);
	w->conv = NULL;
}

static void write_free(struct histstore_write *w)
{
	drop_copy(w);
	json_decref(w->tree);
	free(w->path);
	free(w->jpath);
	free(w->lpath);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* The file written whole (fs_write_atomic: the old one stays whole on any failure), then
 * the journals beside it removed: it holds them. On the thread, the tree is made from
 * the copy first (which then goes), and freed once written: jansson's allocator is
 * safe on any thread (jsonmem.c). */
static void write_run(struct histstore_write *w)
{
	struct buf b = BUF_INIT;
	if (w->conv) {
		w->tree = hist_to_tree(w->conv);
		drop_copy(w);
	}
	if (!w->tree || hist_tree_dump(w->tree, &b) < 0) {
		err_set(&w->e, EXIT_FAIL, "cannot save conversation %s: out of memory", w->id);
		w->rc = -1;
	} else {
		w->rc = fs_write_atomic(w->path, b.data, b.len, &w->e);
	}
	if (w->rc < 0 && w->marked && ftruncate(w->jfd, w->jsize) < 0) {
		/* the marker stays: the next fold or load copes */
	}
	if (w->jfd >= 0)
		close(w->jfd);
	w->jfd = -1;
	if (w->rc == 0) {
		unlink(w->jpath);
		unlink(w->lpath);
	}
	json_decref(w->tree);
	w->tree = NULL;
	buf_free(&b);
	pthread_mutex_lock(&w->lock);
	w->done = 1;
	pthread_mutex_unlock(&w->lock);
}

static void *write_thread(void *ctx)
{
	write_run(ctx);
	return NULL;
}

int histstore_save_begin(struct histstore *s, const struct hist_conv *c, int threaded,
			 struct histstore_write **out, struct err *e)
{
	*out = NULL;
	if (c->version > HIST_FORMAT) {
		err_set(e, EXIT_FAIL, "conversation %s was written by a newer cherry; not saved",
			c->id);
		return -1;
	}
	struct histstore_write *w = calloc(1, sizeof *w);
	if (w) {
		w->jfd = -1;
		pthread_mutex_init(&w->lock, NULL);
		snprintf(w->id, sizeof w->id, "%s", c->id);
		w->path = histstore_path(s, c->id, ".json");
		w->jpath = histstore_path(s, c->id, JOURNAL_EXT);
		w->lpath = histstore_path(s, c->id, LEGACY_EXT);
	}
	/* Written on a thread, the conversation is copied (memcpy's speed: 20 MB in a few ms,
	 * where its tree takes 55-68 ms), and the tree made there; else the tree here. */
	if (w && threaded && (w->conv = malloc(sizeof *w->conv)) &&
	    hist_conv_dup(w->conv, c) < 0) {
		free(w->conv); /* hist_conv_dup left it empty */
		w->conv = NULL;
	}
	if (w && !threaded)
		w->tree = hist_to_tree(c);
	int made = w && (threaded ? w->conv != NULL : w->tree != NULL);
	if (!made || !w->path || !w->jpath || !w->lpath) {
		err_set(e, EXIT_FAIL, "cannot save conversation %s: out of memory", c->id);
		if (w)
			write_free(w);
		return -1;
	}
	/* The journal ends with the fold marker while the file is replaced: one found stale
	 * after a kill in between holds nothing the new file lacks (journal.h). A failed
	 * write takes the marker off again. */
	w->jfd = open(w->jpath, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	struct stat jst;
	struct buf mark = BUF_INIT;
	struct err me = {0, ""};
	if (w->jfd >= 0 && fstat(w->jfd, &jst) == 0 && journal_fold(&mark) == 0 &&
	    histstore_journal_append(w->jfd, mark.data, mark.len, &me) == 0) {
		w->marked = 1;
		w->jsize = jst.st_size;
	}
	buf_free(&mark);
	/* Signals stay the caller's: the thread blocks them all. */
	sigset_t all, old;
	sigfillset(&all);
	w->threaded = threaded && pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
	if (w->threaded) {
		w->threaded = pthread_create(&w->tid, NULL, write_thread, w) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (!w->threaded)
		write_run(w);
	*out = w;
	return 0;
}

int histstore_save_end(struct histstore_write *w, int wait, struct err *e)
{
	if (!w)
		return 0;
	if (w->threaded) {
		pthread_mutex_lock(&w->lock);
		int done = w->done;
		pthread_mutex_unlock(&w->lock);
		if (!wait && !done)
			return 1;
		pthread_join(w->tid, NULL);
	}
	int rc = w->rc;
	if (rc < 0)
		err_set(e, w->e.code ? w->e.code : EXIT_FAIL, "%s", w->e.msg);
	write_free(w);
	return rc;
}

int histstore_save(struct histstore *s, const struct hist_conv *c, struct err *e)
{
	struct histstore_write *w;
	if (histstore_save_begin(s, c, 0, &w, e) < 0)
		return -1;
	return histstore_save_end(w, 1, e);
}

int histstore_remove(struct histstore *s, const char *id, struct err *e)
{
	char *p = histstore_path(s, id, ".json"), *l = histstore_path(s, id, ".lock");
	char *jp = histstore_path(s, id, JOURNAL_EXT), *lp = histstore_path(s, id, LEGACY_EXT);
	int rc = -1;
	/* The attachments it references, read before it goes: those no other conversation
	 * references are removed with it. */
	struct buf hashes = BUF_INIT;
	const char *files[] = {p, jp, lp};
	for (size_t k = 0; p && jp && lp && k < 3; k++) {
		struct buf text = BUF_INIT;
		struct err re = {0};
		if (fs_read_file(files[k], (size_t)1 << 30, &text, &re) == 0)
			attstore_refs(text.data ? text.data : "", text.len, &hashes);
		buf_wipe_free(&text);
	}
	if (!p || !l)
		err_set(e, EXIT_FAIL, "out of memory");
	else if (unlink(p) < 0)
		err_set(e, EXIT_FAIL, "cannot remove conversation %s: %s", id, strerror(errno));
	else
		rc = 0;
	if (rc == 0) {
		unlink(l);
		if (jp && lp) {
			unlink(jp);
			unlink(lp);
		}
		if (!s->collect_later || !hashes.len)
			attstore_collect(s->dir, &hashes);
		else if (s->collect ? attstore_collect_add(s->collect, &hashes) < 0
				    : !(s->collect = attstore_collect_begin(s->dir, &hashes)))
			attstore_collect(s->dir, &hashes); /* out of memory: at once, then */
	}
	buf_free(&hashes);
	free(p);
	free(l);
	free(jp);
	free(lp);
	return rc;
}
