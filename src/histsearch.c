/* histsearch: every conversation searched for a text, in steps: the listing gives the
 * order, a folded search of each raw file rules most out before any JSON is parsed. */
#include "cherry/histsearch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cherry/fold.h"
#include "cherry/fsutil.h"
#include "cherry/utf8.h"

#define READ_MAX (256u * 1024 * 1024)

struct histsearch {
	struct histstore *st;
	struct buf needle;   /* folded */
	int raw_ok;          /* the raw file holds the needle's bytes as they are */
	struct buf names;    /* "<id>.json\0" of every conversation, newest first */
	size_t *at;          /* where each starts in names */
	unsigned char *jr;   /* each has a journal: loaded with it, never skimmed */
	size_t n, cap, next;
	int dfd;             /* the conversations' directory */
	struct buf file, line, keep[2];
};

int histsearch_cut_line(const char *text, size_t len, size_t hit, size_t mlen,
			struct buf *out)
{
	size_t start = hit, end = hit + mlen;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	while (end < len && text[end] != '\n')
		end++;
	size_t from = hit - start > HISTSEARCH_BEFORE ? utf8_back(text, hit - HISTSEARCH_BEFORE) :
						       start;
	size_t to = end - (hit + mlen) > HISTSEARCH_AFTER ?
			    utf8_forward(text, len, hit + mlen + HISTSEARCH_AFTER) : end;
	buf_reset(out);
	int bad = from > start ? buf_append_str(out, "...") : 0;
	for (size_t i = from; i < to && !bad; i++)
		bad = buf_append_char(out, text[i] == '\t' || text[i] == '\r' ? ' ' : text[i]);
	if (!bad && to < end)
		bad = buf_append_str(out, "...");
	if (!bad && !out->data)
		bad = buf_append_str(out, "");
	return bad ? -1 : 0;
}

int histsearch_conv(const struct hist_conv *c, const char *folded, size_t flen,
		    struct histsearch_hit *h, struct buf *line)
{
	memset(h, 0, sizeof *h);
	snprintf(h->id, sizeof h->id, "%s", c->id);
	h->title = c->title ? c->title : "";
	h->updated = c->updated;
	h->msg = "";
	size_t mlen;
	long at = c->title ? fold_find(c->title, strlen(c->title), folded, flen, &mlen) : -1;
	if (at >= 0) {
		if (histsearch_cut_line(c->title, strlen(c->title), (size_t)at, mlen, line) < 0)
			return -1;
		h->line = line->data;
		return 1;
	}
	for (size_t i = 0; i < c->n; i++) {
		const char *s = c->msgs[i].content;
		size_t len = strlen(s);
		if ((at = fold_find(s, len, folded, flen, &mlen)) < 0)
			continue;
		if (histsearch_cut_line(s, len, (size_t)at, mlen, line) < 0)
			return -1;
		h->msg = c->msgs[i].id;
		h->msg_index = i;
		h->line = line->data;
		return 1;
	}
	return 0;
}

/* Keeps the file name of each conversation listed, in one buffer. */
static int add_name(void *ctx, const struct hist_entry *en)
{
	struct histsearch *h = ctx;
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 1024;
		size_t *na = realloc(h->at, nc * sizeof *na);
		if (na)
			h->at = na;
		unsigned char *nj = na ? realloc(h->jr, nc) : NULL;
		if (!nj)
			return -1;
		h->jr = nj;
		h->cap = nc;
	}
	h->jr[h->n] = en->journal != 0;
	h->at[h->n++] = h->names.len;
	return buf_append_str(&h->names, en->id) < 0 ||
	       buf_append(&h->names, ".json", 6) < 0 ? -1 : 0;
}

struct histsearch *histsearch_start(struct histstore *st, const char *text, struct err *e)
{
	struct histsearch *h = calloc(1, sizeof *h);
	if (h)
		h->dfd = -1;
	if (!h || fold_string(text, strlen(text), &h->needle) < 0 || !h->needle.len) {
		histsearch_free(h);
		err_set(e, EXIT_FAIL, h ? "nothing to search for" : "out of memory");
		return NULL;
	}
	h->st = st;
	/* JSON writes the text verbatim unless it holds a quote, a backslash or a control
	 * character; then the raw file cannot rule a conversation out. */
	h->raw_ok = 1;
	for (size_t i = 0; i < h->needle.len; i++) {
		unsigned char b = (unsigned char)h->needle.data[i];
		if (b < 0x20 || b == '"' || b == '\\')
			h->raw_ok = 0;
	}
	h->dfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->dfd < 0) {
		err_set(e, EXIT_FAIL, "cannot read %s: %s", st->dir, strerror(errno));
		histsearch_free(h);
		return NULL;
	}
	if (histstore_list_each(st, add_name, h, e) < 0) {
		if (!e->code)
			err_set(e, EXIT_FAIL, "out of memory");
		histsearch_free(h);
		return NULL;
	}
	return h;
}

/* c searched, then freed: 1 when fn said stop. */
static int search_whole(struct histsearch *h, struct hist_conv *c, histsearch_fn fn, void *ctx)
{
	struct histsearch_hit hit;
	int stop = histsearch_conv(c, h->needle.data, h->needle.len, &hit, &h->line) == 1 &&
		   fn(ctx, &hit) != 0;
	hist_conv_free(c);
	return stop;
}

int histsearch_step(struct histsearch *h, size_t max_files, histsearch_fn fn, void *ctx,
		    size_t *done, size_t *total)
{
	int stop = 0;
	for (size_t k = 0; k < max_files && h->next < h->n && !stop; k++) {
		int journal = h->jr[h->next];
		const char *name = h->names.data + h->at[h->next++];
		struct err e = {0, ""};
		size_t mlen;
		char id[HIST_ID_MAX + 1];
		if (journal && histstore_file_id(name, id)) {
			/* what it holds is the file with its journal applied */
			struct hist_conv c;
			if (histstore_load(h->st, id, 0, &c, &e) >= 0)
				stop = search_whole(h, &c, fn, ctx);
			continue;
		}
		if (fs_read_at(h->dfd, name, READ_MAX, &h->file, &e) != 0 || !h->file.data)
			continue;
		/* the common case, an ASCII needle, is a memchr-paced scan (fold_find) */
		if (h->raw_ok &&
		    fold_find(h->file.data, h->file.len, h->needle.data, h->needle.len, &mlen) < 0)
			continue;
		/* a file that holds it is skimmed, not parsed whole, where it can be */
		struct histsearch_hit hit;
		int r = -2;
		if (h->raw_ok && histstore_file_id(name, id))
			r = histsearch_raw(h->file.data, h->file.len, id, h->needle.data,
					   h->needle.len, &hit, &h->line, h->keep);
		if (r == -2) {
			struct hist_conv c;
			if (hist_from_json(h->file.data, h->file.len, &c, &e) == HIST_LOAD_CORRUPT)
				continue;
			stop = search_whole(h, &c, fn, ctx);
		} else if (r == 1) {
			stop = fn(ctx, &hit) != 0;
		}
	}
	if (done)
		*done = h->next;
	if (total)
		*total = h->n;
	return !stop && h->next < h->n;
}

void histsearch_free(struct histsearch *h)
{
	if (!h)
		return;
	buf_free(&h->needle);
	buf_free(&h->names);
	free(h->at);
	free(h->jr);
	if (h->dfd >= 0)
		close(h->dfd);
	buf_free(&h->file);
	buf_free(&h->line);
	buf_free(&h->keep[0]);
	buf_free(&h->keep[1]);
	free(h);
}
