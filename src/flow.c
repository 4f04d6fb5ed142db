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

void flow_free(struct flow *f)
{
	buf_free(&f->text);
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
	if (last->len == 0 && (f->text.len == 0 || f->text.data[f->text.len - 1] == '\n'))
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
	const char *s = f->text.len ? f->text.data + base : "";
	text_wrap(s, f->text.len - base, width, flow_on_line, &c);
	return c.failed ? -1 : 0;
}

int flow_relayout(struct flow *f, int width)
{
	if (f->markdown) {
		return mdstream_relayout(&f->md, f->text.data ? f->text.data : "", f->text.len,
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

int flow_append(struct flow *f, const char *s, size_t len, int width, int laid)
{
	size_t old = f->text.len;
	int rc = sanitize_feed(&f->san, s, len, &f->text);
	if (flow_added(f, old, width, laid) < 0)
		rc = -1;
	return rc;
}

int flow_finish(struct flow *f, int width, int laid)
{
	size_t old = f->text.len;
	int rc = sanitize_finish(&f->san, &f->text);
	sanitize_init(&f->san);
	if (flow_added(f, old, width, laid) < 0)
		rc = -1;
	return rc;
}

/* Replaces the whole text (a footer). */
int flow_set(struct flow *f, const char *s, size_t len, int width, int laid)
{
	buf_reset(&f->text);
	f->n = 0;
	f->lfs = 0;
	sanitize_init(&f->san);
	int rc = 0;
	if (len) {
		rc = sanitize_feed(&f->san, s, len, &f->text);
		if (!rc)
			rc = sanitize_finish(&f->san, &f->text);
		sanitize_init(&f->san);
	}
	if (f->text.len)
		f->lfs = count_lfs(f->text.data, f->text.len);
	if (laid && f->text.len && flow_relayout(f, width) < 0)
		rc = -1;
	return rc;
}

/* A guess at the lines the flow takes at width, without laying it out: every LF starts
 * one, and a line holds about width bytes. Corrected when the flow is laid out. */
size_t flow_estimate(const struct flow *f, int width)
{
	return f->text.len ? f->lfs + 1 + f->text.len / (size_t)width : 0;
}

/* Renders every segment of a Markdown flow not rendered yet. */
void flow_render_all(struct flow *f)
{
	const struct md_out *o;
	const struct md_line *l;
	struct mdstream_fix fix;
	for (size_t k = 0; f->markdown && k < mdstream_lines(&f->md); k++)
		while (mdstream_line(&f->md, f->text.data, k, &o, &l, &fix) == 1)
			;
}
