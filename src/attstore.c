/* attstore: content-addressed attachment files and the removal of those no
 * conversation references. */
#include "cherry/attstore.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cherry/fsutil.h"
#include "cherry/history.h"

int attstore_dir(const char *conv_dir, struct buf *out)
{
	const char *slash = strrchr(conv_dir, '/');
	size_t n = slash ? (size_t)(slash - conv_dir) : 0;
	if (n && buf_append(out, conv_dir, n) < 0)
		return -1;
	return buf_append_str(out, n ? "/attachments" : "attachments");
}

static int path_of(const char *dir, const char *hex, struct buf *p)
{
	return buf_printf(p, "%s/%s", dir, hex);
}

int attstore_put(const char *dir, const unsigned char *d, size_t n, char hex[65], struct err *e)
{
	unsigned char sum[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(sum, d, n);
	sodium_bin2hex(hex, 65, sum, sizeof sum);
	struct buf p = BUF_INIT;
	struct stat st;
	int rc = -1;
	if (path_of(dir, hex, &p) < 0)
		err_set(e, EXIT_FAIL, "out of memory");
	else if (lstat(p.data, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == n)
		rc = 0; /* the same bytes are there already: the name is their hash */
	else if (fs_mkdirs(dir, e) == 0)
		rc = fs_write_atomic(p.data, d, n, e);
	buf_free(&p);
	return rc;
}

int attstore_get(const char *dir, const char *hex, size_t max, struct buf *out, struct err *e)
{
	struct buf p = BUF_INIT;
	if (!hist_sha256_valid(hex) || path_of(dir, hex, &p) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		buf_free(&p);
		return -1;
	}
	int r = fs_read_file(p.data, max, out, e);
	if (r == 1)
		err_set(e, EXIT_FAIL, "attachment %.12s is missing from %s", hex, dir);
	buf_free(&p);
	return r == 0 ? 0 : -1;
}

/* "<dir>/<hex><suffix>". */
static int side_path(const char *dir, const char *hex, const char *suffix, struct buf *p)
{
	return buf_printf(p, "%s/%s%s", dir, hex, suffix);
}

int attstore_text_get(const char *dir, const char *hex, size_t max, struct buf *out,
		      struct err *e)
{
	struct buf p = BUF_INIT, why = BUF_INIT;
	struct err ie;
	int rc = -1;
	if (!hist_sha256_valid(hex) || side_path(dir, hex, ".txt", &p) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		goto out;
	}
	rc = fs_read_file(p.data, max, out, e);
	if (rc != 1)
		goto out;
	buf_reset(&p);
	if (side_path(dir, hex, ".err", &p) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		rc = -1;
	} else if (fs_read_file(p.data, sizeof e->msg, &why, &ie) == 0 && why.len) {
		err_set(e, EXIT_USAGE, "%.*s", (int)strcspn(why.data, "\n"), why.data);
		rc = 2;
	}
out:
	buf_free(&p);
	buf_free(&why);
	return rc;
}

int attstore_text_kept(const char *dir, const char *hex)
{
	struct buf p = BUF_INIT;
	int kept = 0;
	for (int k = 0; !kept && k < 2; k++) {
		buf_reset(&p);
		kept = side_path(dir, hex, k ? ".err" : ".txt", &p) == 0 && access(p.data, F_OK) == 0;
	}
	buf_free(&p);
	return kept;
}

int attstore_text_put(const char *dir, const char *hex, const char *text, size_t len, int failed,
		      struct err *e)
{
	struct buf p = BUF_INIT;
	int rc = -1;
	if (!hist_sha256_valid(hex) || side_path(dir, hex, failed ? ".err" : ".txt", &p) < 0)
		err_set(e, EXIT_FAIL, "out of memory");
	else if (fs_mkdirs(dir, e) == 0)
		rc = fs_write_atomic(p.data, text, len, e);
	buf_free(&p);
	return rc;
}

int attstore_refs(const char *text, size_t len, struct buf *hashes)
{
	static const char key[] = "\"sha256\"";
	const char *end = text + len;
	for (const char *p = text; p && p < end;) {
		while (p && (size_t)(end - p) >= sizeof key - 1 && memcmp(p, key, sizeof key - 1))
			p = memchr(p + 1, '"', (size_t)(end - p - 1));
		if (!p || (size_t)(end - p) < sizeof key - 1)
			break;
		p += sizeof key - 1;
		while (p < end && (*p == ' ' || *p == ':' || *p == '\n' || *p == '\t'))
			p++;
		if (end - p < 66 || *p != '"' || p[65] != '"')
			continue;
		char hex[65];
		memcpy(hex, p + 1, 64);
		hex[64] = '\0';
		if (hist_sha256_valid(hex) && buf_append(hashes, hex, 65) < 0)
			return -1;
	}
	return 0;
}

void attstore_collect(const char *conv_dir, const struct buf *hashes)
{
	if (!hashes->len)
		return;
	/* The hashes still mentioned by some conversation (file or journal). */
	struct buf kept = BUF_INIT, dir = BUF_INIT;
	DIR *d = opendir(conv_dir);
	if (!d)
		return;
	struct dirent *de;
	int unsure = 0;
	while (!unsure && (de = readdir(d))) {
		const char *dot = strrchr(de->d_name, '.');
		if (!dot || (strcmp(dot, ".json") && strcmp(dot, ".jsonl") && strcmp(dot, ".journal")))
			continue;
		struct buf p = BUF_INIT, text = BUF_INIT;
		struct err e = {0};
		int r = buf_printf(&p, "%s/%s", conv_dir, de->d_name) < 0 ? -1
			: fs_read_file(p.data, (size_t)1 << 30, &text, &e);
		if (r < 0 || (r == 0 && attstore_refs(text.data ? text.data : "", text.len, &kept) < 0))
			unsure = 1;
		buf_free(&p);
		buf_wipe_free(&text);
	}
	closedir(d);
	if (!unsure && attstore_dir(conv_dir, &dir) == 0) {
		for (size_t i = 0; i + 65 <= hashes->len; i += 65) {
			const char *h = hashes->data + i;
			int used = 0;
			for (size_t k = 0; !used && k + 65 <= kept.len; k += 65)
				used = !memcmp(kept.data + k, h, 64);
			struct buf p = BUF_INIT;
			if (!used && path_of(dir.data, h, &p) == 0)
				unlink(p.data);
			/* and what was made of it (a PDF's text) */
			for (int k = 0; !used && k < 2; k++) {
				buf_reset(&p);
				if (side_path(dir.data, h, k ? ".err" : ".txt", &p) == 0)
					unlink(p.data);
			}
			buf_free(&p);
		}
	}
	buf_free(&kept);
	buf_free(&dir);
}
