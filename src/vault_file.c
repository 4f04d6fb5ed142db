/* vault_file: the key vault on disk: where it lives, reading it only when it is a regular
 * file of ours that others cannot read or replace, and saving it atomically. The format
 * and the crypto are vault.c's. */
#include "cherry/vault.h"
#include "vault_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cherry/fsutil.h"

int vault_path(struct buf *out, struct err *e)
{
	if (xdg_dir(XDG_DATA, out, e) < 0)
		return -1;
	if (buf_append_str(out, "/keys.vault") < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return 0;
}

/* Like ssh with a private key: a vault others could read or replace is not used. */
static int check_owner_mode(const char *path, const struct stat *st, struct err *e)
{
	if (!S_ISREG(st->st_mode)) {
		err_set(e, EXIT_VAULT, "%s is not a regular file; cherry will not use it as the "
			"key vault", path);
		return -1;
	}
	if (st->st_uid != geteuid()) {
		err_set(e, EXIT_VAULT, "%s belongs to another user (uid %lu); cherry uses only a "
			"vault you own (fix: chown %lu %s, or move it away)", path,
			(unsigned long)st->st_uid, (unsigned long)geteuid(), path);
		return -1;
	}
	if (st->st_mode & 077) {
		err_set(e, EXIT_VAULT, "%s is open to other users (mode %04o); cherry will not use "
			"it until you fix it with: chmod 600 %s", path,
			(unsigned)(st->st_mode & 07777), path);
		return -1;
	}
	return 0;
}

int vault_read_file(const char *path, struct buf *out, struct err *e)
{
	buf_reset(out);
	int fd;
	do
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		if (errno == ELOOP)
			err_set(e, EXIT_VAULT, "%s is a symbolic link; cherry keeps the key vault "
				"only as a regular file (move the file itself there)", path);
		else
			err_set(e, EXIT_VAULT, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	int rc = -1;
	if (fstat(fd, &st) < 0) {
		err_set(e, EXIT_VAULT, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (check_owner_mode(path, &st, e) < 0)
		goto out;
	if (st.st_size > VAULT_FILE_MAX) {
		vault_damaged(e, "larger than any vault cherry writes");
		goto out;
	}
	for (;;) {
		if (buf_reserve(out, 4096) < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			goto out;
		}
		ssize_t n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(e, EXIT_VAULT, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		if (out->len > VAULT_FILE_MAX) {
			vault_damaged(e, "larger than any vault cherry writes");
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	if (rc < 0)
		buf_reset(out);
	return rc;
}

int vault_write_file(const char *path, const struct vault *v, struct err *e)
{
	const char *slash = strrchr(path, '/');
	if (slash && slash != path) {
		char *dir = strndup(path, (size_t)(slash - path));
		if (!dir) {
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
		int r = fs_mkdirs(dir, e);
		free(dir);
		if (r < 0)
			return -1;
	}
	struct buf data = BUF_INIT;
	int rc = vault_encode(v, &data, e);
	if (rc == 0)
		rc = fs_write_atomic(path, data.data, data.len, e);
	buf_free(&data);
	return rc;
}
