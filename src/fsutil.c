/* fsutil: XDG directories, private directories, whole-file reads and atomic replacement. */
#include "cherry/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef NAME_MAX
#define NAME_MAX 255
#endif

/* How often a clashing temp name is retried before giving up. */
#define TEMP_TRIES 64

static const struct {
	const char *var;
	const char *fallback; /* below $HOME */
} xdg_table[] = {
	[XDG_CONFIG] = {"XDG_CONFIG_HOME", ".config"},
	[XDG_DATA] = {"XDG_DATA_HOME", ".local/share"},
	[XDG_STATE] = {"XDG_STATE_HOME", ".local/state"},
	[XDG_CACHE] = {"XDG_CACHE_HOME", ".cache"},
};

/* The home directory: $HOME when it is absolute, else the password database. */
static const char *home_dir(char *(*getenv_fn)(const char *))
{
	const char *home = getenv_fn("HOME");
	if (home && home[0] == '/')
		return home;
	struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
		return pw->pw_dir;
	return NULL;
}

/* Appends dir without its trailing slashes (but "/" stays a root). */
static int append_dir(struct buf *out, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		n = 0;
	return buf_append(out, dir, n);
}

int xdg_dir_env(enum xdg_kind kind, char *(*getenv_fn)(const char *), struct buf *out,
		struct err *e)
{
	if ((unsigned)kind >= sizeof xdg_table / sizeof xdg_table[0]) {
		err_set(e, EXIT_FAIL, "internal error: unknown XDG directory kind %d", (int)kind);
		return -1;
	}
	if (!getenv_fn)
		getenv_fn = getenv;
	buf_reset(out);
	/* The spec: a relative (or empty) value is invalid and must be ignored. */
	const char *val = getenv_fn(xdg_table[kind].var);
	int ok;
	if (val && val[0] == '/') {
		ok = append_dir(out, val) == 0;
	} else {
		const char *home = home_dir(getenv_fn);
		if (!home) {
			err_set(e, EXIT_FAIL, "cannot find your home directory: set HOME or %s",
				xdg_table[kind].var);
			return -1;
		}
		ok = append_dir(out, home) == 0 && buf_append_char(out, '/') == 0 &&
		     buf_append_str(out, xdg_table[kind].fallback) == 0;
	}
	if (!ok || buf_append_str(out, "/cherry") < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return 0;
}

int xdg_dir(enum xdg_kind kind, struct buf *out, struct err *e)
{
	return xdg_dir_env(kind, getenv, out, e);
}

/* Creates one directory of a path; an existing directory is left as it is. */
static int mkdir_one(const char *dir, const char *whole, struct err *e)
{
	if (mkdir(dir, 0700) == 0)
		return 0;
	int saved = errno;
	struct stat st;
	if (saved == EEXIST) {
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		err_set(e, EXIT_FAIL, "cannot create directory %s: %s exists and is not a directory",
			whole, dir);
		errno = ENOTDIR;
		return -1;
	}
	/* Read-only or unwritable parents are fine when the directory is already there. */
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	err_set(e, EXIT_FAIL, "cannot create directory %s: %s", whole, strerror(saved));
	errno = saved;
	return -1;
}

int fs_mkdirs(const char *path, struct err *e)
{
	if (!path || !path[0]) {
		err_set(e, EXIT_FAIL, "cannot create a directory with an empty name");
		errno = EINVAL;
		return -1;
	}
	char *copy = strdup(path);
	if (!copy) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	int rc = 0;
	for (char *p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		/* Skip the empty pieces of "a//b" and of a trailing slash. */
		if (p[-1] != '/' && mkdir_one(copy, path, e) < 0) {
			rc = -1;
			break;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	int saved = errno;
	free(copy);
	errno = saved;
	return rc;
}

int fs_read_file(const char *path, size_t max, struct buf *out, struct err *e)
{
	return fs_read_at(AT_FDCWD, path, max, out, e);
}

int fs_read_at(int dirfd, const char *path, size_t max, struct buf *out, struct err *e)
{
	buf_reset(out);
	/* O_NONBLOCK so that a FIFO at the path cannot hang us before the type check. */
	int fd;
	do
		fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		err_set(e, EXIT_FAIL, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		err_set(e, EXIT_FAIL, "cannot read %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, EXIT_FAIL, "cannot read %s: not a regular file", path);
		goto fail;
	}
	if ((uintmax_t)st.st_size > max) {
		err_set(e, EXIT_FAIL, "cannot read %s: larger than %zu bytes", path, max);
		goto fail;
	}
	if (buf_reserve(out, (size_t)st.st_size) < 0) {
		err_set(e, EXIT_FAIL, "cannot read %s: out of memory", path);
		goto fail;
	}
	for (;;) {
		/* The file may grow while we read: the limit is checked again here. */
		if (out->len > max) {
			err_set(e, EXIT_FAIL, "cannot read %s: larger than %zu bytes", path, max);
			goto fail;
		}
		if (buf_reserve(out, 4096) < 0) {
			err_set(e, EXIT_FAIL, "cannot read %s: out of memory", path);
			goto fail;
		}
		ssize_t n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, EXIT_FAIL, "cannot read %s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
	if (out->len > max) {
		err_set(e, EXIT_FAIL, "cannot read %s: larger than %zu bytes", path, max);
		goto fail;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	if (out->data) /* what was read goes, so a wipe of what is used later misses nothing */
		memset(out->data, 0, out->len);
	buf_reset(out);
	return -1;
}

/* Random bytes for temp names; uniqueness comes from O_EXCL, so weak bytes are only slower. */
static void temp_noise(unsigned char *b, size_t n)
{
	ssize_t got = getrandom(b, n, GRND_NONBLOCK);
	if (got == (ssize_t)n)
		return;
	static unsigned counter;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
		     ((uint64_t)getpid() << 16) ^ (uint64_t)++counter * 0x9e3779b97f4a7c15u;
	for (size_t i = 0; i < n; i++) {
		x ^= x >> 33;
		x *= 0xff51afd7ed558ccdu;
		b[i] = (unsigned char)(x >> 56);
	}
}

/* ".<name>.<16 hex>", the name cut so the whole stays within NAME_MAX. */
static void temp_name(char *tmp, size_t size, const char *name)
{
	unsigned char r[8];
	char hex[17];
	temp_noise(r, sizeof r);
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	int keep = (int)strlen(name);
	int room = NAME_MAX - 2 - 16;
	if (keep > room)
		keep = room;
	snprintf(tmp, size, ".%.*s.%s", keep, name, hex);
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * security.md §3.2: temp file beside the target, written, fsynced and closed
 * with every result checked, renamed over the target, then the directory
 * fsynced. Any failure before the rename removes the temp file, so the old
 * version stays whole.
 */
static int write_replace(const char *path, const void *data, size_t len, int sync,
			 struct err *e)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		err_set(e, EXIT_FAIL, "cannot save %s: not a file name", path);
		return -1;
	}
	char *dir;
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir) {
		err_set(e, EXIT_FAIL, "cannot save %s: out of memory", path);
		return -1;
	}

	int dirfd;
	do
		dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	while (dirfd < 0 && errno == EINTR);
	if (dirfd < 0) {
		/* Linux says ENOTDIR (O_DIRECTORY wins), others ELOOP: name the real cause. */
		int saved = errno;
		struct stat st;
		if ((saved == ELOOP || saved == ENOTDIR) && lstat(dir, &st) == 0 &&
		    S_ISLNK(st.st_mode))
			err_set(e, EXIT_FAIL, "cannot save %s: %s is a symbolic link", path, dir);
		else
			err_set(e, EXIT_FAIL, "cannot save %s: %s", path, strerror(saved));
		free(dir);
		return -1;
	}
	free(dir);

	char tmp[NAME_MAX + 1];
	int fd = -1;
	for (int tries = 0; fd < 0 && tries < TEMP_TRIES; tries++) {
		temp_name(tmp, sizeof tmp, name);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST && errno != EINTR)
			break;
	}
	if (fd < 0) {
		err_set(e, EXIT_FAIL, "cannot save %s: %s", path, strerror(errno));
		close(dirfd);
		return -1;
	}

	if (write_all(fd, data, len) < 0 || (sync && fsync(fd) < 0)) {
		int saved = errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		close(dirfd);
		err_set(e, EXIT_FAIL, "cannot save %s: %s", path, strerror(saved));
		return -1;
	}
	/* close() can report a late write error (NFS, quotas); on Linux the fd is gone either way. */
	if (close(fd) < 0 && errno != EINTR) {
		int saved = errno;
		unlinkat(dirfd, tmp, 0);
		close(dirfd);
		err_set(e, EXIT_FAIL, "cannot save %s: %s", path, strerror(saved));
		return -1;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int saved = errno;
		unlinkat(dirfd, tmp, 0);
		close(dirfd);
		err_set(e, EXIT_FAIL, "cannot save %s: %s", path, strerror(saved));
		return -1;
	}
	/* Some filesystems cannot sync a directory (EINVAL); that is not a failed save. */
	if (sync && fsync(dirfd) < 0 && errno != EINVAL && errno != EROFS) {
		int saved = errno;
		close(dirfd);
		err_set(e, EXIT_FAIL, "saved %s, but cannot make it durable: %s", path,
			strerror(saved));
		return -1;
	}
	close(dirfd);
	return 0;
}

int fs_write_atomic(const char *path, const void *data, size_t len, struct err *e)
{
	return write_replace(path, data, len, 1, e);
}

int fs_write_replace(const char *path, const void *data, size_t len, struct err *e)
{
	return write_replace(path, data, len, 0, e);
}
