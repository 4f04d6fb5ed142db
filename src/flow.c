/* flow: a text laid out for one width, kept so that an append lays out only its end
 * (pure): plain text wrapped by text_wrap, or Markdown rendered by mdstream.
 *
 * Why an append may re-wrap from the third-last line: text_wrap is greedy, and a line
 * starting at a line start depends only on the bytes after it. Appending can change a
 * laid-out line only if laying it out looked at the old end of the text: the last
 * line, which ran into it, or a line that stopped on the text's last cluster, which an
 * append may extend (a VS16 after a text-style emoji makes it wide and a break point).
 * A line stopping on a cluster uses the last break before it; the next line holds the
 * bytes from that break, has no break of its own before the cluster and so ends right
 * before it, or fits it. So at most the two lines before the last one looked at the
 * last cluster, and every earlier line stays as it is. (The sanitiser holds back a cut
 * UTF-8 sequence, so the text always ends in a whole code point.) */
#include "flow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/text.h"

/* Lines an append re-wraps at most, counting back from the last (see above). */
#define REWRAP_LINES 3

void flow_init(struct flow *f, int markdown, enum view_style base)
{
	memset(f, 0, sizeof(*f));
	sanitize_init(&f->san);
	f->markdown = markdown;
	f->base = base;
	mdstream_init(&f->md);
}

const char *flow_data(const struct flow *f)
{
	return f->shared ? f->shared : f->text.data;
}

size_t flow_len(const struct flow *f)
{
	return f->shared ? f->shared_len : f->text.len;
}

void flow_free(struct flow *f)
{
	buf_free(&f->text);
	f->shared = NULL;
	f->shared_len = 0;
	free(f->lines);
	f->lines = NULL;
	f->n = f->cap = 0;
	mdstream_free(&f->md);
}

/* Lines shown: text_wrap's final empty line after a trailing LF (or of empty text)
 * is not, so a message ending in a newline does not end in an empty row. */
size_t flow_visible(const struct flow *f)
{
	if (f->markdown)
		return mdstream_lines(&f->md);
	if (!f->n)
		return 0;
	const struct vline *last = &f->lines[f->n - 1];
	size_t len = flow_len(f);
	if (last->len == 0 && (len == 0 || flow_data(f)[len - 1] == '\n'))
		return f->n - 1;
	return f->n;
}

struct wrap_ctx {
	struct flow *f;
	size_t base;  /* where the wrapped part starts in the flow's text */
	int failed;
};

static int flow_grow(struct flow *f)
{
	if (f->n < f->cap)
		return 0;
	size_t cap = f->cap ? f->cap * 2 : 8;
	if (cap > SIZE_MAX / sizeof(*f->lines))
		return -1;
	struct vline *p = realloc(f->lines, cap * sizeof(*p));
	if (!p)
		return -1;
	f->lines = p;
	f->cap = cap;
	return 0;
}

static int flow_on_line(void *ctx, size_t off, size_t len, int width)
{
	struct wrap_ctx *c = ctx;
	struct flow *f = c->f;
	if (flow_grow(f) < 0) {
		c->failed = 1;
		return 1;
	}
	f->lines[f->n++] = (struct vline){c->base + off, len, width};
	return 0;
}

/* Re-wraps from line r (below n) to the end. On OOM the lines laid out are still a
 * correct start of the layout, so a later call can go on from them. */
static int flow_rewrap(struct flow *f, size_t r, int width)
{
	size_t base = r ? f->lines[r].off : 0;
	f->n = r;
	struct wrap_ctx c = {f, base, 0};
	size_t len = flow_len(f);
	const char *s = len ? flow_data(f) + base : "";
	text_wrap(s, len - base, width, flow_on_line, &c);
	return c.failed ? -1 : 0;
}

int flow_relayout(struct flow *f, int width)
{
	if (f->markdown) {
		return mdstream_relayout(&f->md, flow_len(f) ? flow_data(f) : "", flow_len(f),
					 width);
	}
	return flow_rewrap(f, 0, width);
}

/* Lays out what the sanitiser added since old_len. */
static int flow_grew(struct flow *f, size_t old_len, int width)
{
	if (f->text.len == old_len)
		return 0;
	if (f->markdown) {
		return mdstream_update(&f->md, f->text.data, f->text.len, width);
	}
	size_t r = 0;
	if (f->n)
		r = f->n > REWRAP_LINES ? f->n - REWRAP_LINES : 0;
	return flow_rewrap(f, r, width);
}

static size_t count_lfs(const char *s, size_t len)
{
	size_t n = 0;
	for (const char *p = s, *end = s + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		n++;
	return n;
}

/* What the sanitiser added since old_len: counted, and laid out when the flow is. */
static int flow_added(struct flow *f, size_t old_len, int width, int laid)
{
	if (f->text.len > old_len)
		f->lfs += count_lfs(f->text.data + old_len, f->text.len - old_len);
	return laid ? flow_grew(f, old_len, width) : 0;
}

/* The shared bytes become the flow's own copy, so that it can grow. */
static int unshare(struct flow *f)
{
	if (!f->shared)
		return 0;
	if (buf_append(&f->text, f->shared, f->shared_len) < 0)
		return -1;
	f->shared = NULL;
	f->shared_len = 0;
	return 0;
}

int flow_append(struct flow *f, const char *s, size_t len, int width, int laid)
{
	if (len && unshare(f) < 0)
		return -1;
	size_t old = f->text.len;
	int rc = sanitize_feed(&f->san, s, len, &f->text);
	if (flow_added(f, old, width, laid) < 0)
		rc = -1;
	return rc;
}

/* A finished text keeps no room to grow: a buffer doubled as it streamed is cut to
 * its length (a long conversation's texts would otherwise take up to twice theirs). */
static void fit(struct buf *b)
{
	if (!b->data || b->cap - b->len <= b->len / 16 + 64)
		return;
	char *p = realloc(b->data, b->len + 1);
	if (p) {
		b->data = p;
		b->cap = b->len + 1;
	}
}

int flow_finish(struct flow *f, int width, int laid)
{
	if (f->shared) /* set whole and finished, the sanitiser fresh: nothing is pending */
		return 0;
	size_t old = f->text.len;
	int rc = sanitize_finish(&f->san, &f->text);
	sanitize_init(&f->san);
	if (flow_added(f, old, width, laid) < 0)
		rc = -1;
	fit(&f->text);
	return rc;
}

/* 1 when out's bytes are the next ones of s[0..len) after *at (moved past them). */
static int same(const struct buf *out, const char *s, size_t len, size_t *at)
{
	if (out->len > len - *at || (out->len && memcmp(out->data, s + *at, out->len)))
		return 0;
	*at += out->len;
	return 1;
}

/* 1 when the sanitiser gives s[0..len) back as it is, 0 when it changes it, -1 OOM. It
 * runs over s in pieces into a small buffer, each piece's output compared with the
 * bytes of s it must equal: so clean means exactly sanitize_string(s) == s, with no
 * second idea of what is safe to drift from the sanitiser's. */
static int clean(const char *s, size_t len)
{
	enum { PIECE = 4096 };
	struct sanitizer san;
	struct buf out = BUF_INIT;
	size_t at = 0;
	int rc = 1;
	sanitize_init(&san);
	for (size_t i = 0; rc == 1 && i < len; i += PIECE) {
		buf_reset(&out);
		if (sanitize_feed(&san, s + i, len - i < PIECE ? len - i : PIECE, &out) < 0)
			rc = -1;
		else
			rc = same(&out, s, len, &at);
	}
	if (rc == 1) {
		buf_reset(&out);
		rc = sanitize_finish(&san, &out) < 0 ? -1 : same(&out, s, len, &at);
	}
	buf_free(&out);
	return rc == 1 && at != len ? 0 : rc;
}

/* The rendering dropped, kept dimmed or eager as it was: flow_relayout starts it again. */
static void md_reset(struct flow *f)
{
	int dim = f->md.dim;
	size_t lazy_from = f->md.lazy_from;
	mdstream_free(&f->md);
	mdstream_init(&f->md);
	f->md.dim = dim;
	f->md.lazy_from = lazy_from;
}

void flow_forget(struct flow *f)
{
	free(f->lines);
	f->lines = NULL;
	f->n = f->cap = 0;
	md_reset(f);
}

/* Empties the flow for a new whole text: its lines, its rendering and its sanitiser. */
static void flow_clear(struct flow *f)
{
	buf_free(&f->text);
	f->shared = NULL;
	f->shared_len = 0;
	f->n = 0;
	f->lfs = 0;
	sanitize_init(&f->san);
	md_reset(f);
}

/* The whole text replaced by s[0..len), finished: shared when share is set and s is
 * clean, else sanitised into the flow's own copy. */
static int flow_put(struct flow *f, const char *s, size_t len, int width, int laid, int share)
{
	flow_clear(f);
	int rc = 0;
	if (len) {
		int c = share ? clean(s, len) : 0;
		if (c < 0)
			return -1;
		if (c) {
			f->shared = s;
			f->shared_len = len;
		} else {
			rc = sanitize_feed(&f->san, s, len, &f->text);
			if (!rc)
				rc = sanitize_finish(&f->san, &f->text);
			sanitize_init(&f->san);
			fit(&f->text);
		}
	}
	if (flow_len(f))
		f->lfs = count_lfs(flow_data(f), flow_len(f));
	if (laid && flow_len(f) && flow_relayout(f, width) < 0)
		rc = -1;
	return rc;
}

int flow_set(struct flow *f, const char *s, size_t len, int width, int laid)
{
	return flow_put(f, s, len, width, laid, 0);
}

int flow_share(struct flow *f, const char *s, size_t len, int width, int laid)
{
	return flow_put(f, s, len, width, laid, 1);
}

/* A guess at the lines the flow takes at width, without laying it out: every LF starts
 * one, and a line holds about width bytes. Corrected when the flow is laid out. */
size_t flow_estimate(const struct flow *f, int width)
{
	size_t len = flow_len(f);
	return len ? f->lfs + 1 + len / (size_t)width : 0;
}

/* Renders every segment of a Markdown flow not rendered yet. */
void flow_render_all(struct flow *f)
{
	const struct md_out *o;
	const struct md_line *l;
	struct mdstream_fix fix;
	for (size_t k = 0; f->markdown && k < mdstream_lines(&f->md); k++)
		while (mdstream_line(&f->md, flow_data(f), k, &o, &l, &fix) == 1)
			;
}
