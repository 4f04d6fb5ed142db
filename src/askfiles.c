/* askfiles: `cherry ask -f FILE`: files read, sniffed, stored and attached to requests. */
#include "cherry/askfiles.h"

#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cherry/attstore.h"
#include "cherry/fsutil.h"
#include "cherry/pdftext.h"

#define FILE_MAX ((size_t)64 << 20)

static int read_fd(int fd, struct buf *out, struct err *e)
{
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(e, EXIT_FAIL, "cannot read standard input: %s", strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		if (out->len + (size_t)n > FILE_MAX || buf_append(out, chunk, (size_t)n) < 0) {
			err_set(e, EXIT_FAIL, "standard input is too large to attach");
			return -1;
		}
	}
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return !strcmp(path, "-") ? "stdin" : s ? s + 1 : path;
}

static int set_part(struct attach_part *p, const char *name, struct buf *data, struct buf *text,
		    struct err *e)
{
	const char *type;
	p->kind = attach_sniff((const unsigned char *)data->data, data->len, &type);
	p->name = name;
	p->media_type = type;
	p->data = (const unsigned char *)data->data;
	p->len = data->len;
	int r = 0;
	if (p->kind == ATTACH_BINARY) {
		err_set(e, EXIT_USAGE, "%s is not text, an image (PNG, JPEG, GIF, WebP) or a PDF; "
			"not attached", name);
		return -1;
	}
	/* A PDF's text is made when a kind without documents needs it (pdf_text). */
	if (p->kind == ATTACH_TEXT)
		r = attach_text_block(name, data->data ? data->data : "", data->len, text);
	p->text = text->data;
	if (r < 0)
		err_set(e, EXIT_FAIL, "out of memory");
	return r;
}

int askfiles_load(struct askfiles *f, struct err *e)
{
	for (size_t i = 0; i < f->n; i++) {
		int r = !strcmp(f->paths[i], "-") ? read_fd(STDIN_FILENO, &f->data[i], e)
						  : fs_read_file(f->paths[i], FILE_MAX, &f->data[i], e);
		if (r == 1)
			err_set(e, EXIT_USAGE, "%s: no such file", f->paths[i]);
		if (r != 0 || set_part(&f->parts[i], base_name(f->paths[i]), &f->data[i], &f->text[i],
				       e) < 0)
			return -1;
	}
	return 0;
}

int askfiles_record(struct askfiles *f, struct hist_msg *msg, const char *attdir, struct err *e)
{
	for (size_t i = 0; i < f->n; i++) {
		char hex[65];
		const struct attach_part *p = &f->parts[i];
		if (attdir) {
			if (attstore_put(attdir, p->data, p->len, hex, e) < 0)
				return -1;
		} else {
			unsigned char sum[crypto_hash_sha256_BYTES];
			crypto_hash_sha256(sum, p->data, p->len);
			sodium_bin2hex(hex, sizeof hex, sum, sizeof sum);
		}
		memcpy(f->sha[i], hex, sizeof hex);
		if (hist_msg_attach(msg, hex, p->name, p->media_type, (long long)p->len) < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Reads msg's stored files back into new parts. */
static int load_old(struct askfiles *f, const struct hist_msg *m, const char *attdir,
		    struct attach_part **first, struct err *e)
{
	size_t n = f->nold + m->natt;
	struct buf *old = realloc(f->old, n * sizeof *old), *txt;
	if (old)
		f->old = old;
	txt = old ? realloc(f->old_text, n * sizeof *txt) : NULL;
	if (txt)
		f->old_text = txt;
	struct attach_part *parts = txt ? realloc(f->old_parts, n * sizeof *parts) : NULL;
	if (parts)
		f->old_parts = parts;
	char (*sha)[65] = parts ? realloc(f->old_sha, n * sizeof *sha) : NULL;
	if (!sha) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	f->old_sha = sha;
	for (size_t i = 0; i < m->natt; i++) {
		size_t k = f->nold++;
		f->old[k] = (struct buf)BUF_INIT;
		f->old_text[k] = (struct buf)BUF_INIT;
		memcpy(f->old_sha[k], m->att[i].sha256, sizeof f->old_sha[k]);
		if (!attdir || attstore_get(attdir, m->att[i].sha256, FILE_MAX, &f->old[k], e) < 0 ||
		    set_part(&f->old_parts[k], m->att[i].name, &f->old[k], &f->old_text[k], e) < 0)
			return -1;
	}
	*first = &f->old_parts[f->nold - m->natt];
	return 0;
}

void askfiles_pdf_keep(const char *attdir, const char *hex, int rc, const struct buf *text,
		       const struct err *why)
{
	struct err ignored;
	if (!attdir || !hex[0])
		return;
	if (rc == 0)
		attstore_text_put(attdir, hex, text->data ? text->data : "", text->len, 0, &ignored);
	/* what the PDF itself caused; not a missing pdftotext, a full disk or a slow turn */
	else if (rc < 0 && why->code == EXIT_USAGE)
		attstore_text_put(attdir, hex, why->msg, strlen(why->msg), 1, &ignored);
}

/* A PDF's text as a fenced block headed by its name: pdftotext run once per attachment
 * (its text, or why it failed, kept beside it in attdir). */
static int pdf_text(struct attach_part *p, struct buf *text, const char *hex,
		    const char *attdir, struct err *e)
{
	if (p->kind != ATTACH_PDF || text->len)
		return 0;
	struct buf raw = BUF_INIT;
	int r = attdir && hex[0] ? attstore_text_get(attdir, hex, PDFTEXT_MAX, &raw, e) : 1;
	if (r == 1) {
		r = pdftext_run(p->name, p->data, p->len, PDFTEXT_MAX, PDFTEXT_TIMEOUT_MS, &raw, e);
		askfiles_pdf_keep(attdir, hex, r, &raw, e);
	}
	if (r == 0 && attach_text_block(p->name, raw.data ? raw.data : "", raw.len, text) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		r = -1;
	}
	buf_wipe_free(&raw);
	p->text = text->data;
	return r ? -1 : 0;
}

/* Every PDF's text, when the request's kind takes no documents. */
static int pdf_texts(struct askfiles *f, enum wire_kind kind, const char *attdir, struct err *e)
{
	if (attach_limits_for(kind)->documents)
		return 0;
	for (size_t i = 0; i < f->n; i++)
		if (pdf_text(&f->parts[i], &f->text[i], f->sha[i], attdir, e) < 0)
			return -1;
	for (size_t i = 0; i < f->nold; i++)
		if (pdf_text(&f->old_parts[i], &f->old_text[i], f->old_sha[i], attdir, e) < 0)
			return -1;
	return 0;
}

int askfiles_request(struct askfiles *f, const struct hist_conv *conv, const struct hist_msg *msg,
		     const char *attdir, struct wire_request *rq, struct err *e)
{
	/* one call per model: the last request's table is built into its body already */
	free(f->attached);
	f->nattached = 0;
	f->attached = calloc(rq->nmsgs ? rq->nmsgs : 1, sizeof *f->attached);
	if (!f->attached) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	/* First the old parts (their array moves while it grows), then the pointers. */
	size_t *first = calloc(rq->nmsgs ? rq->nmsgs : 1, sizeof *first);
	if (!first) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < rq->nmsgs; i++) {
		first[i] = SIZE_MAX;
		for (size_t k = 0; k < conv->n; k++) {
			const struct hist_msg *m = &conv->msgs[k];
			if (m->content != rq->msgs[i].content || !m->natt)
				continue;
			if (m == msg) {
				f->attached[f->nattached++] = (struct wire_attached){i, f->parts, f->n};
			} else {
				struct attach_part *p;
				first[i] = f->nold;
				rc = load_old(f, m, attdir, &p, e);
				(void)p;
				f->attached[f->nattached++] = (struct wire_attached){i, NULL, m->natt};
			}
			break;
		}
	}
	for (size_t k = 0; rc == 0 && k < f->nattached; k++)
		if (!f->attached[k].parts)
			f->attached[k].parts = &f->old_parts[first[f->attached[k].msg]];
	free(first);
	/* Earlier messages' images too: a model that cannot see gets none of them. */
	for (size_t k = 0; rc == 0 && k < f->nattached; k++)
		rc = attach_check_vision(rq->provider, rq->model, f->attached[k].parts,
					 f->attached[k].nparts, e);
	if (rc == 0)
		rc = pdf_texts(f, rq->provider->kind, attdir, e);
	rq->attached = f->attached;
	rq->nattached = f->nattached;
	return rc;
}

void askfiles_free(struct askfiles *f)
{
	/* the files' buffers are only appended to: a 10 MB file's 16 MB buffer is not
	 * paged in whole just to be wiped */
	for (size_t i = 0; i < f->n; i++) {
		buf_wipe_used_free(&f->data[i]);
		buf_wipe_free(&f->text[i]);
	}
	for (size_t i = 0; i < f->nold; i++) {
		buf_wipe_used_free(&f->old[i]);
		buf_wipe_free(&f->old_text[i]);
	}
	free(f->old);
	free(f->old_text);
	free(f->old_parts);
	free(f->old_sha);
	free(f->attached);
}
