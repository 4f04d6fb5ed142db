/* histjournal: a conversation's journal on disk (journal.h): its names, started,
 * appended to, and replayed onto the file it continues when the conversation is loaded
 * (folded in, or a stale one moved aside). The store itself is histstore.c's. */
#include "cherry/histstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cherry/fsutil.h"
#include "cherry/journal.h"
#include "histlist_int.h"
#include "histstore_int.h"

static void journal_base_of(const char *id, const struct stat *st, struct journal_base *b)
{
	memset(b, 0, sizeof *b);
	snprintf(b->id, sizeof b->id, "%s", id);
	b->ino = (uint64_t)st->st_ino;
	b->size = (int64_t)st->st_size;
	b->mtime_s = (int64_t)st->st_mtim.tv_sec;
	b->mtime_ns = st->st_mtim.tv_nsec;
}

int histstore_journal_id(const char *name, char id[HIST_ID_MAX + 1])
{
	return histstore_id_of(name, JOURNAL_EXT, id) || histstore_id_of(name, LEGACY_EXT, id);
}

int histstore_journal_stat(int dfd, const char *id, struct stat *st)
{
	static const char *const ext[] = {JOURNAL_EXT, LEGACY_EXT};
	int found = 0;
	for (size_t k = 0; k < 2; k++) {
		char name[HIST_ID_MAX + 16];
		struct stat jst;
		snprintf(name, sizeof name, "%s%s", id, ext[k]);
		if (fstatat(dfd, name, &jst, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(jst.st_mode))
			continue;
		found = 1;
		st->st_size += jst.st_size;
		if (jst.st_mtim.tv_sec > st->st_mtim.tv_sec ||
		    (jst.st_mtim.tv_sec == st->st_mtim.tv_sec &&
		     jst.st_mtim.tv_nsec > st->st_mtim.tv_nsec))
			st->st_mtim = jst.st_mtim;
	}
	return found;
}

int histstore_journal_full(size_t jlen, size_t flen)
{
	return jlen > flen / 2 && jlen > HIST_JOURNAL_MIN;
}

/* 1 when the file at p is still the one read (st): nobody wrote it since. */
int histstore_same_file(const char *p, const struct stat *st)
{
	struct stat now;
	return stat(p, &now) == 0 && now.st_ino == st->st_ino && now.st_size == st->st_size &&
	       now.st_mtim.tv_sec == st->st_mtim.tv_sec &&
	       now.st_mtim.tv_nsec == st->st_mtim.tv_nsec;
}

/* One journal file as read by replay. */
struct jfile {
	const char *ext;
	char *path;
	struct buf data;
	int state;      /* J_NONE, J_LATER (of a later version), J_STALE (not of this file),
			 * J_CLASH (an older cherry's that adds messages ours adds too: the two
			 * went apart), J_OK (to apply); then J_WHOLE (applied whole) or J_PART
			 * (in part: torn, or a record that does not apply) */
	int folded;     /* it ends with the fold marker (journal.h) */
	long applied;   /* records applied */
};
enum { J_NONE, J_LATER, J_STALE, J_CLASH, J_OK, J_WHOLE, J_PART };

/* Reads the journal at j->path and judges its head against the file st. -1 OOM. */
static int read_one(const char *id, const struct stat *st, struct jfile *j)
{
	struct err je = {0, ""};
	j->state = J_NONE;
	if (!j->path || fs_read_file(j->path, HIST_MAX_FILE, &j->data, &je) != 0) {
		buf_free(&j->data);
		return 0; /* none (or unreadable: the file alone is what there is) */
	}
	if (!j->data.data && buf_append_str(&j->data, "") < 0)
		return -1;
	j->folded = journal_ends_folded(j->data.data, j->data.len);
	struct journal_base head, want;
	journal_base_of(id, st, &want);
	int hr = journal_read_head(j->data.data, j->data.len, &head);
	j->state = hr < 0 || memcmp(&head, &want, sizeof head) ? J_STALE
		   : hr == 1 ? J_LATER : J_OK;
	return 0;
}

/* 1 when the older journal adds a message ours adds too (both continue the file c
 * holds): the ids are handed out in turn, so an older cherry that did not see ours
 * reused them, and its records would replace ours. 0, or -1 OOM. */
static int clash(const struct hist_conv *c, const struct jfile *ours, const struct jfile *old)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	int rc = journal_added_ids(c, ours->data.data, ours->data.len, &a) < 0 ||
		 journal_added_ids(c, old->data.data, old->data.len, &b) < 0 ? -1 : 0;
	for (size_t i = 0; rc == 0 && i < b.len; i += strlen(b.data + i) + 1)
		for (size_t k = 0; rc == 0 && k < a.len; k += strlen(a.data + k) + 1)
			rc = !strcmp(a.data + k, b.data + i);
	buf_free(&a);
	buf_free(&b);
	return rc;
}

/* A journal not to apply as it is: a stale one of this version whose fold did not
 * replace its file (something else did: an older cherry, a restored backup), or an older
 * one that went apart from ours, may hold what the file lacks: it is moved aside, and
 * the warning says where. Any other stale one goes. */
static void drop(struct histstore *s, const char *id, struct jfile *j)
{
	struct buf dst = BUF_INIT, line = BUF_INIT;
	int keep = j->state == J_CLASH ||
		   (!strcmp(j->ext, JOURNAL_EXT) && !j->folded && j->data.len);
	if (keep && histstore_move_file_aside(s, id, j->ext, &dst)) {
		if (s->warn && buf_printf(&line, "conversation %s: %s; they were moved to %s", id,
					  j->state == J_CLASH
					  ? "an older cherry added messages to it without seeing "
					    "the latest changes"
					  : "its file was replaced by another program (an older "
					    "cherry?) after changes were journalled", dst.data) == 0)
			s->warn(s->warn_ctx, line.data);
	} else if (!keep) {
		unlink(j->path);
	}
	buf_free(&dst);
	buf_free(&line);
}

static void free_jfiles(struct jfile j[2])
{
	for (size_t k = 0; k < 2; k++) {
		free(j[k].path);
		buf_free(&j[k].data);
	}
}

/* Applies "<id>.jsonl" (this version's journal), then "<id>.journal" (of versions 1 and
 * 2; one written beside ours came later: an older cherry that did not see ours, unless
 * it added messages ours added too), when each continues the file just read (st). Ours,
 * alone, applied whole and under half the file's size, stays (*keep gets its size, for
 * the lock's holder to append to); anything else (stale, torn, only a head, big, or an
 * older one) is folded in: with the lock (held, or free to take while the files are
 * still as read) the file is written whole from c and the journals go (drop: one that
 * may hold what the file lacks is moved aside); without it (another cherry is writing)
 * they are only applied in memory. 0, 1 when one is of a later version (journal.h), or
 * -1 (OOM). */
int histstore_replay(struct histstore *s, const char *id, const struct stat *st, int have_lock,
		     struct hist_conv *c, size_t *keep, struct err *e)
{
	struct jfile j[2] = {{JOURNAL_EXT, histstore_path(s, id, JOURNAL_EXT), BUF_INIT, J_NONE,
			      0, 0},
			     {LEGACY_EXT, histstore_path(s, id, LEGACY_EXT), BUF_INIT, J_NONE,
			      0, 0}};
	int rc = read_one(id, st, &j[0]) < 0 || read_one(id, st, &j[1]) < 0 ? -1 : 0;
	if (rc == 0 && (j[0].state == J_LATER || j[1].state == J_LATER))
		rc = 1; /* a later cherry's: left alone, the conversation read-only */
	if (rc == 0 && j[0].state == J_OK && j[1].state == J_OK) {
		int k = clash(c, &j[0], &j[1]);
		if (k < 0)
			rc = -1;
		else if (k)
			j[1].state = J_CLASH;
	}
	for (size_t k = 0; k < 2 && rc == 0; k++) {
		if (j[k].state != J_OK)
			continue;
		size_t end = 0;
		j[k].applied = journal_apply_end(c, j[k].data.data, j[k].data.len, &end);
		j[k].state = j[k].applied > 0 && end == j[k].data.len ? J_WHOLE : J_PART;
		if (j[k].applied < 0)
			rc = -1;
	}
	if (rc < 0)
		err_set(e, EXIT_FAIL, "out of memory");
	if (rc != 0 || (j[0].state == J_NONE && j[1].state == J_NONE)) {
		free_jfiles(j);
		return rc;
	}
	if (j[0].state == J_WHOLE && j[1].state == J_NONE &&
	    !histstore_journal_full(j[0].data.len, (size_t)st->st_size)) {
		if (have_lock && keep)
			*keep = j[0].data.len;
		free_jfiles(j);
		return 0;
	}
	int fd = -1;
	long pid;
	struct err je = {0, ""};
	char *p = have_lock ? NULL : histstore_path(s, id, ".json");
	int ours = have_lock;
	if (!ours && p && histstore_lock(s, id, &fd, &pid, &je) == 0 && histstore_same_file(p, st)) {
		ours = 1;
		for (size_t k = 0; k < 2; k++) {
			struct stat jst;
			int there = lstat(j[k].path, &jst) == 0;
			if (j[k].state == J_NONE ? there
						 : !there || (size_t)jst.st_size != j[k].data.len)
				ours = 0; /* changed since read: the next load sees it */
		}
	}
	if (ours) {
		for (size_t k = 0; k < 2; k++)
			if (j[k].state == J_STALE || j[k].state == J_CLASH)
				drop(s, id, &j[k]);
		/* A failed fold leaves the files: the next load tries again. histstore_save
		 * removes both journals; a head alone (nothing applied) just goes. */
		if (j[0].applied > 0 || j[1].applied > 0)
			histstore_save(s, c, &je);
		else
			for (size_t k = 0; k < 2; k++)
				if (j[k].state == J_WHOLE || j[k].state == J_PART)
					unlink(j[k].path);
	}
	histstore_unlock(s, id, fd);
	free(p);
	free_jfiles(j);
	return 0;
}

int histstore_journal_open(struct histstore *s, const char *id, size_t keep, int *fd,
			   size_t *file_size, struct err *e)
{
	*fd = -1;
	char *p = histstore_path(s, id, ".json"), *jp = histstore_path(s, id, JOURNAL_EXT);
	char *lp = histstore_path(s, id, LEGACY_EXT);
	struct stat st, jst;
	struct journal_base base;
	struct buf head = BUF_INIT;
	int rc = -1;
	if (!p || !jp || !lp) {
		err_set(e, EXIT_FAIL, "out of memory");
	} else if (lstat(lp, &jst) == 0) {
		/* an older cherry's, not folded yet: ours would come after it, out of order */
		err_set(e, EXIT_FAIL, "conversation %s has an older journal to fold first", id);
	} else if (stat(p, &st) < 0) {
		err_set(e, EXIT_FAIL, "cannot start the journal of %s: %s", id, strerror(errno));
	} else if (keep) {
		/* The one the load applied whole: appended to while it is as long as it was. */
		*file_size = (size_t)st.st_size;
		*fd = open(jp, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
		if (*fd < 0 || fstat(*fd, &jst) < 0 || !S_ISREG(jst.st_mode) ||
		    (size_t)jst.st_size != keep)
			err_set(e, EXIT_FAIL, "the journal of %s changed since it was read", id);
		else
			rc = 0;
		if (rc < 0 && *fd >= 0) {
			close(*fd);
			*fd = -1;
		}
	} else {
		*file_size = (size_t)st.st_size;
		journal_base_of(id, &st, &base);
		*fd = open(jp, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (*fd < 0)
			err_set(e, EXIT_FAIL, "cannot write %s: %s", jp, strerror(errno));
		else if (journal_head(&base, &head) < 0)
			err_set(e, EXIT_FAIL, "out of memory");
		else
			rc = histstore_journal_append(*fd, head.data, head.len, e);
		if (rc < 0 && *fd >= 0) {
			close(*fd);
			*fd = -1;
			unlink(jp);
		}
	}
	buf_free(&head);
	free(p);
	free(jp);
	free(lp);
	return rc;
}

int histstore_journal_append(int fd, const char *data, size_t len, struct err *e)
{
	/* No fsync: the journal is there for a killed process, whose writes the kernel
	 * keeps; the file it continues was synced when it was written. */
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(e, EXIT_FAIL, "cannot write the journal: %s",
				n < 0 ? strerror(errno) : "no progress");
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

void histstore_journal_close(int fd)
{
	if (fd >= 0)
		close(fd);
}
