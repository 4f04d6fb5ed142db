/* histwrite: the index written (histlist_int.h) when a listing has changed it: to a
 * temp file beside it as its text is made (in steps while a client lists between keys;
 * 100,000 lines are never held or written at once), then renamed over it; and appended
 * to by a rebuild as it reads files, so that a killed rebuild carries on. A cache: a
 * failure costs only speed. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cherry/fsutil.h"
#include "histlist_int.h"

double hist_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}


static int append_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int put_u(struct buf *b, uint64_t v, char sep)
{
	char tmp[24];
	size_t k = sizeof tmp;
	tmp[--k] = sep;
	do
		tmp[--k] = (char)('0' + v % 10);
	while ((v /= 10));
	return buf_append(b, tmp + k, sizeof tmp - k);
}

/* One entry's index line. 0, or -1 out of memory. */
int hist_index_line(struct buf *b, const struct ientry *x)
{
	return buf_append_str(b, x->id) < 0 || buf_append_char(b, '\t') < 0 ||
			       put_u(b, x->ino, '\t') < 0 || put_u(b, (uint64_t)x->size, '\t') < 0 ||
			       put_u(b, (uint64_t)x->mtime_s, '\t') < 0 ||
			       put_u(b, (uint64_t)x->mtime_ns, '\t') < 0 ||
			       buf_printf(b, "%.3f\t", x->updated) < 0 ||
			       put_u(b, x->nmsgs, '\t') < 0 ||
			       put_u(b, (uint64_t)(x->newer | x->journal << 1), '\t') < 0 ||
			       buf_append_str(b, x->model) < 0 || buf_append_char(b, '\t') < 0 ||
			       buf_append_str(b, x->title) < 0 || buf_append_char(b, '\n') < 0
		       ? -1 : 0;
}

/* The temp file beside the index that a text made in steps goes to: its name as
 * histstore_open's clean-up knows it (".history-index." and 16 characters, removed
 * when a minute old). 0, or -1 (the text is then written at the end at once). */
static int temp_open(struct histstore_lister *l)
{
	char *slash = strrchr(l->s->index, '/');
	struct err e = {0, ""};
	if (!slash || !(l->tmp_path = malloc((size_t)(slash - l->s->index) + 40)))
		return -1;
	memcpy(l->tmp_path, l->s->index, (size_t)(slash - l->s->index));
	l->tmp_path[slash - l->s->index] = '\0';
	if (fs_mkdirs(l->tmp_path, &e) < 0)
		goto fail;
	for (int tries = 0; tries < 8 && l->tfd < 0; tries++) {
		uint64_t r = 0;
		if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
			break;
		sprintf(l->tmp_path + (slash - l->s->index), "/.history-index.%016" PRIx64, r);
		l->tfd = open(l->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			      0600);
	}
	if (l->tfd >= 0)
		return 0;
fail:
	free(l->tmp_path);
	l->tmp_path = NULL;
	return -1;
}

/* What is made goes out to the temp file: the text is never held whole. */
static void flush(struct histstore_lister *l)
{
	if (l->tfd < 0)
		return;
	if (append_all(l->tfd, l->text.data, l->text.len) < 0) {
		hist_index_abort(l);
		l->text_lost = 1; /* the lines written are gone: not saved this time */
	}
	buf_reset(&l->text);
}

/* The header: the magic, then the directory's time when the listing began, its
 * nanoseconds in nine digits so that the line's length stays the same from one time to
 * the next (hist_index_restamp writes it in place). */
static int head_line(const struct histstore_lister *l, struct buf *b)
{
	return buf_printf(b, "%s%" PRId64 "\t%09ld\n", HISTSTORE_INDEX_MAGIC,
			  (int64_t)l->dir_mtime.tv_sec, l->dir_mtime.tv_nsec);
}

int hist_index_restamp(struct histstore_lister *l)
{
	struct buf h = BUF_INIT;
	int rc = -1;
	if (head_line(l, &h) == 0 && h.len == l->idx_head_len) {
		/* The index is a cache: a header torn by a crash is refused next time (its
		 * magic or its time no longer matches) and the index made again. */
		int fd = open(l->s->index, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		/* the file read, not one another listing put in its place meanwhile */
		if (fd >= 0 && fstat(fd, &st) == 0 && st.st_ino == l->idx_st.st_ino &&
		    st.st_dev == l->idx_st.st_dev && st.st_size == l->idx_st.st_size &&
		    st.st_mtim.tv_sec == l->idx_st.st_mtim.tv_sec &&
		    st.st_mtim.tv_nsec == l->idx_st.st_mtim.tv_nsec)
			rc = pwrite(fd, h.data, h.len, 0) == (ssize_t)h.len ? 0 : -1;
		if (fd >= 0)
			close(fd);
	}
	buf_free(&h);
	return rc;
}

int hist_index_text(struct histstore_lister *l, double start, double max_ms)
{
	struct buf *b = &l->text;
	if (!l->text_begun) {
		if (head_line(l, b) < 0)
			return -1;
		l->text_begun = 1;
		temp_open(l);
	}
	while (l->ntext < l->n) {
		size_t i = l->ntext++; /* counted before a stop: written once */
		if (hist_index_line(b, &l->v[i]) < 0)
			return -1;
		if (i % COPY_STEP == COPY_STEP - 1) {
			flush(l);
			if (max_ms > 0 && hist_mono_ms() - start >= max_ms)
				break;
		}
	}
	flush(l);
	return 0;
}

void hist_index_abort(struct histstore_lister *l)
{
	if (l->tfd >= 0) {
		close(l->tfd);
		unlink(l->tmp_path);
	}
	l->tfd = -1;
	free(l->tmp_path);
	l->tmp_path = NULL;
}

/* The index replaced by data: 0, or -1. */
static int index_write(struct histstore_lister *l, const struct buf *data)
{
	char *dir = strdup(l->s->index);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	struct err e = {0, ""};
	int r = -1;
	if (slash && data->data) {
		*slash = '\0';
		/* The index is a cache: failing to write it only costs speed next time. */
		if (fs_mkdirs(dir, &e) == 0)
			r = fs_write_replace(l->s->index, data->data, data->len, &e); /* no fsync */
	}
	free(dir);
	return r;
}

void hist_index_save(struct histstore_lister *l)
{
	if (l->tmp_path) {
		/* made in steps: the rest of it, then the temp file in the index's place */
		if (append_all(l->tfd, l->text.data, l->text.len) < 0 || close(l->tfd) < 0 ||
		    rename(l->tmp_path, l->s->index) < 0)
			unlink(l->tmp_path);
		l->tfd = -1;
		free(l->tmp_path);
		l->tmp_path = NULL;
	} else if (!l->text_lost) {
		index_write(l, &l->text);
	}
	buf_free(&l->text);
}

/* The lines of the files read since the last time, appended to the index (a new one
 * when there was none of this format, its header a directory time that matches none):
 * a rebuild killed half-way starts again from there. A failure costs only that. */
void hist_index_persist(struct histstore_lister *l)
{
	if (!l->npend)
		return;
	if (!l->appending && l->idx_dir_s < 0) {
		struct buf b = BUF_INIT;
		if (buf_printf(&b, "%s0\t0\n", HISTSTORE_INDEX_MAGIC) == 0 &&
		    buf_append(&b, l->pend.data, l->pend.len) == 0 && index_write(l, &b) == 0)
			l->appending = 1;
		buf_free(&b);
	} else {
		l->appending = 1;
		int fd = open(l->s->index, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
		struct stat st;
		char last = '\n';
		if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 &&
		    pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
			append_all(fd, "\n", 1); /* a line a kill cut short ends here */
		if (fd >= 0) {
			append_all(fd, l->pend.data, l->pend.len);
			close(fd);
		}
	}
	buf_reset(&l->pend);
	l->npend = 0;
}

