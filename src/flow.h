/* flow: a text of a message (its reasoning, its text or its footer) sanitised as it
 * comes and laid out for one width, kept so that an append lays out only its end:
 * plain text wrapped by text_wrap, or Markdown rendered by mdstream.h (whose finished
 * blocks of a long text are laid out when read). Private to view.c. */
#ifndef CHERRY_FLOW_H
#define CHERRY_FLOW_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/mdstream.h"
#include "cherry/sanitize.h"
#include "cherry/view_style.h"

struct vline {
	size_t off, len; /* the line's bytes in its flow's text */
	int width;
};

/* A text laid out for the view's width, kept so that an append re-wraps only its end:
 * plain text wrapped by text_wrap, or Markdown rendered by mdstream. The text is its
 * own sanitised copy, or (flow_share) the caller's bytes when the sanitiser would leave
 * them as they are: read it through flow_data and flow_len. */
struct flow {
	struct buf text;    /* sanitised; empty while shared */
	const char *shared; /* the caller's clean bytes, NUL-terminated, or NULL */
	size_t shared_len;
	struct sanitizer san;
	struct vline *lines;
	size_t n, cap;
	enum view_style base; /* every plain line's style */
	int markdown;
	size_t lfs;           /* LFs in text, for the estimate of its height */
	struct mdstream md;
};

void flow_init(struct flow *f, int markdown, enum view_style base);
/* The text's bytes (NUL-terminated when not NULL) and its length. */
const char *flow_data(const struct flow *f);
size_t flow_len(const struct flow *f);
void flow_free(struct flow *f);
/* Lines shown (a Markdown text's blocks not laid out counted by their estimate). */
size_t flow_visible(const struct flow *f);
/* Lays out the whole text again for width. */
int flow_relayout(struct flow *f, int width);
/* Raw bytes in (sanitised here), and the end of them (a cut UTF-8 sequence becomes
 * U+FFFD); laid out at once when laid is set, else only kept. 0 or -1. */
int flow_append(struct flow *f, const char *s, size_t len, int width, int laid);
int flow_finish(struct flow *f, int width, int laid);
/* Replaces the whole text (a footer), finished. */
int flow_set(struct flow *f, const char *s, size_t len, int width, int laid);
/* The same, but when s[0..len) (with s[len] == '\0') comes out of the sanitiser as it
 * went in, the flow keeps s itself, not a copy: s must then stay as it is until the
 * flow is freed or its text set or appended to again (an append copies it first). */
int flow_share(struct flow *f, const char *s, size_t len, int width, int laid);
/* Lets go of the layout (its lines, its rendering), keeping the text: flow_relayout
 * makes it again. */
void flow_forget(struct flow *f);
/* A guess at the lines it takes at width, without laying it out. */
size_t flow_estimate(const struct flow *f, int width);
/* Lays out every block of a Markdown text not laid out yet. */
void flow_render_all(struct flow *f);

#endif
