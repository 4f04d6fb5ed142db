/* view: the chat laid out for one width (pure). Holds each message as the screen shows
 * it — text passed through the sanitiser as it arrives (statefully, so a sequence split
 * across deltas is caught), a header, optional reasoning and a footer — and wraps it
 * into lines with text.h's one width function. Streaming appends re-wrap at most the
 * message's last three lines (a VS16 can widen a character already laid out; view.c says
 * why three suffice), so a long answer costs O(delta) per delta, not O(answer).
 * An answer's text and its reasoning are Markdown, rendered by markdown.h while they
 * stream (mdstream.h: only the open last block is rendered again on an append); the
 * reasoning's runs are dimmed and its plain words take the reasoning role. Every other
 * text (the user's, notices, footers) is shown as typed. Each line comes with runs:
 * spans of it with a role and attributes (theme.h) for the drawing layer.
 *
 * A message is laid out lazily: a long one (view.c's LAZY_BYTES) only when a line of
 * it is asked for (view_line, view_msg_lines, view_show), a short one when the lines
 * are counted; and within a long Markdown text, a finished block only when a line of
 * it is (mdstream.h). Until then its height is an estimate, so view_lines and
 * view_msg_first_line number lines by the estimates of what is not laid out yet;
 * laying it out corrects the height and moves the lines after it, and the line
 * registered with view_keep with them. A new width lays out nothing at once. */
#ifndef CHERRY_VIEW_H
#define CHERRY_VIEW_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/markdown.h"
#include "cherry/view_style.h"

enum view_role {
	VIEW_USER,
	VIEW_ASSISTANT,
	VIEW_INFO,      /* cherry's own text: the welcome, notices, command output */
};

/* One laid-out line. s and runs are valid until the view next changes. */
struct view_line {
	size_t msg;             /* message index */
	enum view_style style;
	const char *s;          /* the line's bytes (sanitised, valid UTF-8, no LF) */
	size_t len;
	int width;              /* display columns */
	const struct md_run *runs; /* spans of s in order, covering it; offsets from s */
	size_t nruns;
	const struct md_out *md; /* the rendering the runs' link numbers refer to, or NULL */
	struct md_run one;      /* the one run of a line that is all one style */
};

struct view; /* opaque */

struct view *view_new(int width);
void view_free(struct view *v);
/* Drops every message (switching conversations). */
void view_clear(struct view *v);

/* Appends a message; returns its index, or -1 on OOM. header is sanitised and shown on
 * the message's first line (no header line when NULL or ""). */
long view_add(struct view *v, enum view_role role, const char *header);
size_t view_count(const struct view *v);
int view_set_header(struct view *v, size_t msg, const char *header);
/* Streams raw bytes into the message's text or reasoning (sanitised here). 0 or -1. */
int view_append_text(struct view *v, size_t msg, const char *s, size_t len);
int view_append_reasoning(struct view *v, size_t msg, const char *s, size_t len);
/* The message's whole text (or reasoning), finished: what view_append_text (or
 * view_append_reasoning) and then view_end would make of s[0..len), whose s[len] is
 * '\0'. When the sanitiser would give s back as it is (most texts) the view keeps s
 * itself, not a copy, so a long conversation is not held twice: s must then stay
 * valid and unchanged until the view is cleared or freed, or this text is shared or
 * appended to again (an append copies it first). 0, or -1 on OOM. */
int view_share_text(struct view *v, size_t msg, const char *s, size_t len);
int view_share_reasoning(struct view *v, size_t msg, const char *s, size_t len);
/* Ends a message's streaming: flushes the sanitisers (a cut UTF-8 sequence becomes
 * U+FFFD). Appending afterwards starts a fresh sanitiser state. */
int view_end(struct view *v, size_t msg);
/* The footer under the message (NULL or "" for none); error selects VS_ERROR. */
int view_set_footer(struct view *v, size_t msg, const char *footer, int error);

/* Reasoning folded (one VS_FOLDED line per message that has reasoning) or shown. */
void view_set_fold(struct view *v, int folded);
int view_folded(const struct view *v);
/* A new width (< 1 counts as 1): every message is laid out again when next read. */
void view_set_width(struct view *v, int width);

/* Lays out every message added from now on as it comes, every block of it too, so that
 * view_lines is always exact (answers side by side, each scrolled on its own). */
void view_set_eager(struct view *v);
/* *line (a scroll position) is moved with the lines when a message before it is laid
 * out and its estimated height corrected, so it stays on the same line; NULL: none. */
void view_keep(struct view *v, size_t *line);
/* Lays out the messages holding lines [*top, *top + rows), moving *top as view_keep
 * does; and view_show_end those holding the last rows lines. Call them before the rows
 * are drawn, so that drawing them moves nothing. view_show also lets go of the layouts
 * of long messages far from those rows (and from the last rows lines) once they hold
 * more than a quarter megabyte of text, keeping their exact line counts: scrolling
 * through a long conversation holds the rendering of what is near, not of all of it. */
void view_show(struct view *v, size_t *top, size_t rows);
void view_show_end(struct view *v, size_t rows);
/* Lays out every message: view_lines is then exact. */
void view_layout_all(struct view *v);

/* Lines of the whole view, in order: for each message, its header, its reasoning (or
 * the folded line), its text, its footer, then one VS_BLANK line. Messages not laid
 * out count as their estimate. */
size_t view_lines(struct view *v);
/* Fills *out for line i (0 <= i < view_lines), laying out the message holding it (which
 * may move the lines after the messages before it, see above). 0, or -1 when out of
 * range. */
int view_line(struct view *v, size_t i, struct view_line *out);
/* The index of the first line of message msg (by the estimates before it), and its
 * number of lines (exact: it is laid out). */
size_t view_msg_first_line(struct view *v, size_t msg);
size_t view_msg_lines(struct view *v, size_t msg);

/* The message's sanitised text so far (for copying), NUL-terminated, or NULL. */
const char *view_text(struct view *v, size_t msg, size_t *len);

#endif
