/* attstore: content-addressed attachment files and the removal of those no
 * conversation references. */
#define _GNU_SOURCE /* memmem */
#include "cherry/attstore.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
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

static void note_put(const char *hex);

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
	if (rc == 0)
		note_put(hex);
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
	for (const char *p = text; p < end;) {
		p = memmem(p, (size_t)(end - p), key, sizeof key - 1);
		if (!p)
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

/* The hashes stored while a collection runs: never removed by it (a message attaching
 * the same file again may not be saved yet when its scan passes). */
static struct buf put_meanwhile;
static int collecting;

static void note_put(const char *hex)
{
	if (collecting)
		(void)buf_append(&put_meanwhile, hex, 65);
}

static int in_list(const struct buf *list, const char *hex)
{
	for (size_t k = 0; k + 65 <= list->len; k += 65)
		if (!memcmp(list->data + k, hex, 64))
			return 1;
	return 0;
}

struct attstore_collector {
	char *conv_dir;
	struct buf hashes;  /* the candidates, 65 bytes each */
	struct buf kept;    /* those some file mentions */
	DIR *d;             /* the directory being read */
	int where;          /* 0 conv_dir, 1 its corrupt/ (files kept aside still refer) */
	int unsure;         /* a file could not be read: nothing is removed */
};

struct attstore_collector *attstore_collect_begin(const char *conv_dir, const struct buf *hashes)
{
	struct attstore_collector *k = calloc(1, sizeof *k);
	if (!k || !(k->conv_dir = strdup(conv_dir)) ||
	    buf_append(&k->hashes, hashes->data ? hashes->data : "", hashes->len) < 0) {
		if (k)
			free(k->conv_dir);
		free(k);
		return NULL;
	}
	collecting++;
	return k;
}

int attstore_collect_add(struct attstore_collector *k, const struct buf *hashes)
{
	if (!hashes->len)
		return 0;
	if (buf_append(&k->hashes, hashes->data, hashes->len) < 0)
		return -1;
	/* the files read so far were read for the others: read them all again */
	if (k->d)
		closedir(k->d);
	k->d = NULL;
	k->where = 0;
	buf_reset(&k->kept);
	return 0;
}

/* Reads the next file of the directory being read into k->kept: 1 one was read (or
 * skipped), 0 the directories are done. */
static int collect_one(struct attstore_collector *k)
{
	while (!k->unsure && k->where < 2) {
		if (!k->d) {
			struct buf dir = BUF_INIT;
			if (buf_printf(&dir, k->where ? "%s/corrupt" : "%s", k->conv_dir) < 0) {
				k->unsure = 1;
				break;
			}
			k->d = opendir(dir.data);
			buf_free(&dir);
			if (!k->d) {
				if (k->where == 0 || errno != ENOENT)
					k->unsure = 1;
				k->where++;
				continue;
			}
		}
		struct dirent *de = readdir(k->d);
		if (!de) {
			closedir(k->d);
			k->d = NULL;
			k->where++;
			continue;
		}
		/* a conversation, its journal; in corrupt/ whatever was moved there ("ID.json.3") */
		const char *dot = strrchr(de->d_name, '.');
		if (k->where == 1 ? de->d_name[0] == '.'
				  : !dot || (strcmp(dot, ".json") && strcmp(dot, ".jsonl") &&
					     strcmp(dot, ".journal")))
			return 1;
		struct buf p = BUF_INIT, text = BUF_INIT;
		struct err e = {0, ""};
		int r = buf_printf(&p, k->where ? "%s/corrupt/%s" : "%s/%s", k->conv_dir,
				   de->d_name) < 0 ? -1
			: fs_read_file(p.data, (size_t)1 << 30, &text, &e);
		if (r < 0 || (r == 0 && attstore_refs(text.data ? text.data : "", text.len,
						      &k->kept) < 0))
			k->unsure = 1;
		buf_free(&p);
		buf_wipe_free(&text);
		return 1;
	}
	return 0;
}

/* Every file read: the candidates none of them mentions go, with what was made of them. */
static void collect_remove(struct attstore_collector *k)
{
	struct buf dir = BUF_INIT;
	if (k->unsure || attstore_dir(k->conv_dir, &dir) < 0) {
		buf_free(&dir);
		return;
	}
	for (size_t i = 0; i + 65 <= k->hashes.len; i += 65) {
		const char *h = k->hashes.data + i;
		if (in_list(&k->kept, h) || in_list(&put_meanwhile, h))
			continue;
		struct buf p = BUF_INIT;
		if (path_of(dir.data, h, &p) == 0)
			unlink(p.data);
		for (int s = 0; s < 2; s++) { /* and what was made of it (a PDF's text) */
			buf_reset(&p);
			if (side_path(dir.data, h, s ? ".err" : ".txt", &p) == 0)
				unlink(p.data);
		}
		buf_free(&p);
	}
	buf_free(&dir);
}

int attstore_collect_step(struct attstore_collector *k, size_t max_files)
{
	for (size_t n = 0; n < max_files; n++)
		if (!collect_one(k)) {
			collect_remove(k);
			buf_reset(&k->hashes);
			return 0;
		}
	return 1;
}

void attstore_collect_end(struct attstore_collector *k)
{
	if (!k)
		return;
	while (k->hashes.len && attstore_collect_step(k, 256))
		;
	if (k->d)
		closedir(k->d);
	free(k->conv_dir);
	buf_free(&k->hashes);
	buf_free(&k->kept);
	free(k);
	if (--collecting == 0)
		buf_free(&put_meanwhile);
}

void attstore_collect(const char *conv_dir, const struct buf *hashes)
{
	if (!hashes->len)
		return;
	attstore_collect_end(attstore_collect_begin(conv_dir, hashes));
}
