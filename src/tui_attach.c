/* tui_attach: the client's attachments on disk: a file read (~ expanded), its kind
 * checked and stored by its SHA-256; path completion; the stored files of a request's
 * messages read back and checked against its provider (see ctl.h, ctl_world). */
#include "tui_attach.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cherry/askfiles.h"
#include "cherry/attstore.h"
#include "cherry/fsutil.h"

#define FILE_MAX ((size_t)64 << 20)
#define COMPLETIONS_MAX 200

/* "~" and "~/x" with $HOME; anything else as it is. */
static int expand(const char *path, struct buf *out)
{
	const char *home = getenv("HOME");
	buf_reset(out);
	if (path[0] == '~' && (path[1] == '/' || !path[1]) && home && *home)
		return buf_printf(out, "%s%s", home, path + 1);
	return buf_append_str(out, path);
}

/* Stores data as a file named name: the chip for it. */
static int store_chip(const struct histstore *store, const char *name, const char *data,
		      size_t len, const char *type, struct ctl_chip *out, struct err *e)
{
	struct buf dir = BUF_INIT;
	int rc = -1;
	if (!store->dir || attstore_dir(store->dir, &dir) < 0)
		err_set(e, EXIT_FAIL, "cannot keep attachments (no conversations directory)");
	else if (attstore_put(dir.data, (const unsigned char *)data, len, out->sha256, e) == 0)
		rc = 0;
	buf_free(&dir);
	if (rc < 0)
		return -1;
	out->name = strdup(name);
	out->media_type = strdup(type);
	out->size = (long long)len;
	if (!out->name || !out->media_type) {
		free(out->name);
		free(out->media_type);
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return 0;
}

static int w_attach_file(void *ctx, const char *path, struct ctl_chip *out, struct err *e)
{
	const struct histstore *store = ctx;
	struct buf full = BUF_INIT, data = BUF_INIT;
	int rc = -1;
	if (expand(path, &full) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		goto out;
	}
	int r = fs_read_file(full.data, FILE_MAX, &data, e);
	if (r == 1)
		err_set(e, EXIT_USAGE, "%s: no such file", path);
	if (r != 0)
		goto out;
	const char *type;
	if (attach_sniff((const unsigned char *)data.data, data.len, &type) == ATTACH_BINARY) {
		err_set(e, EXIT_USAGE, "%s is not text, an image (PNG, JPEG, GIF, WebP) or a PDF; "
			"not attached", path);
		goto out;
	}
	const char *slash = strrchr(full.data, '/');
	rc = store_chip(store, slash ? slash + 1 : full.data, data.data, data.len, type, out, e);
out:
	buf_free(&full);
	buf_wipe_used_free(&data);
	return rc;
}

static int w_attach_exists(void *ctx, const char *path)
{
	(void)ctx;
	struct buf full = BUF_INIT;
	struct stat st;
	int ok = expand(path, &full) == 0 && stat(full.data, &st) == 0 && S_ISREG(st.st_mode);
	buf_free(&full);
	return ok;
}

static int w_attach_text(void *ctx, const char *name, const char *text, size_t len,
			 struct ctl_chip *out, struct err *e)
{
	return store_chip(ctx, name, text, len, "text/plain", out, e);
}

static int w_attach_complete(void *ctx, const char *word, char ***words, size_t *n)
{
	(void)ctx;
	*words = NULL;
	*n = 0;
	const char *slash = strrchr(word, '/');
	size_t dlen = slash ? (size_t)(slash - word) + 1 : 0;
	const char *prefix = word + dlen;
	struct buf typed = BUF_INIT, dir = BUF_INIT, path = BUF_INIT;
	buf_append(&typed, word, dlen);
	if (dlen ? expand(typed.data, &dir) < 0 : buf_append_str(&dir, "./") < 0) {
		buf_free(&typed);
		return -1;
	}
	char **v = calloc(COMPLETIONS_MAX, sizeof *v);
	DIR *d = v ? opendir(dir.data) : NULL;
	struct dirent *ent;
	while (d && *n < COMPLETIONS_MAX && (ent = readdir(d))) {
		if (strncmp(ent->d_name, prefix, strlen(prefix)) || !strcmp(ent->d_name, ".") ||
		    !strcmp(ent->d_name, "..") || (ent->d_name[0] == '.' && prefix[0] != '.'))
			continue;
		struct stat st;
		buf_reset(&path);
		buf_printf(&path, "%s%s", dir.data, ent->d_name);
		int is_dir = path.data && stat(path.data, &st) == 0 && S_ISDIR(st.st_mode);
		struct buf w = BUF_INIT;
		if (buf_printf(&w, "%s%s%s", typed.data ? typed.data : "", ent->d_name,
			       is_dir ? "/" : "") == 0)
			v[(*n)++] = buf_steal(&w);
	}
	if (d)
		closedir(d);
	buf_free(&typed);
	buf_free(&dir);
	buf_free(&path);
	if (!v)
		return -1;
	*words = v;
	return 0;
}

static void w_attach_release(void *keep)
{
	askfiles_free(keep);
	free(keep);
}

static int w_attach_request(void *ctx, const struct chat *ch, struct wire_request *rq,
			    void **keep, struct err *e)
{
	const struct histstore *store = ctx;
	*keep = NULL;
	int any = 0;
	for (size_t i = 0; i < ch->conv.n && !any; i++)
		any = ch->conv.msgs[i].natt > 0;
	if (!any)
		return 0;
	struct askfiles *f = calloc(1, sizeof *f);
	struct buf dir = BUF_INIT;
	if (!f || !store->dir || attstore_dir(store->dir, &dir) < 0) {
		free(f);
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	int rc = askfiles_request(f, &ch->conv, NULL, dir.data, rq, e);
	for (size_t k = 0; rc == 0 && k < rq->nattached; k++)
		rc = attach_check(rq->provider->kind, rq->provider->name, rq->attached[k].parts,
				  rq->attached[k].nparts, e);
	buf_free(&dir);
	if (rc < 0) {
		w_attach_release(f);
		return -1;
	}
	*keep = f;
	return 0;
}

void tui_attach_world(struct ctl_world *w, const struct histstore *store)
{
	w->attach_ctx = (void *)store;
	w->attach_file = w_attach_file;
	w->attach_exists = w_attach_exists;
	w->attach_text = w_attach_text;
	w->attach_complete = w_attach_complete;
	w->attach_request = w_attach_request;
	w->attach_release = w_attach_release;
}
