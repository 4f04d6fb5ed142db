/* htmlexport: one conversation as one self-contained HTML page (pure). Answers and
 * reasoning go through md4c's HTML renderer (the same parser and extensions as the
 * screen), user messages are shown as typed; everything is escaped, nothing is loaded
 * from outside and no script runs (a Content-Security-Policy says so to the browser). */
#ifndef CHERRY_HTMLEXPORT_H
#define CHERRY_HTMLEXPORT_H

#include "cherry/buf.h"
#include "cherry/history.h"

/* Where a message's attachments are: links point into dir (file://dir/SHA256), and an
 * image that load reads (0, its bytes in out) is shown in the page as a data: URL. */
struct htmlexport_files {
	const char *dir;
	int (*load)(void *ctx, const struct hist_att *a, struct buf *out);
	void *ctx;
};

/* Appends the page for the current branch of c to out; files may be NULL (attachments
 * listed by name only). 0, or -1 when memory ran out. */
int htmlexport_conv(const struct hist_conv *c, const struct htmlexport_files *files,
		    struct buf *out);

/* Appends s[0..len) with & < > " ' as character references and every control
 * character (escape sequences included) made harmless. 0, or -1 on OOM. */
int htmlexport_escape(const char *s, size_t len, struct buf *out);

#endif
