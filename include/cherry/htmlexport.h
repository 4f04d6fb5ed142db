/* htmlexport: one conversation as one self-contained HTML page (pure). Answers and
 * reasoning go through md4c's HTML renderer (the same parser and extensions as the
 * screen), user messages are shown as typed; everything is escaped, nothing is loaded
 * from outside and no script runs (a Content-Security-Policy says so to the browser). */
#ifndef CHERRY_HTMLEXPORT_H
#define CHERRY_HTMLEXPORT_H

#include "cherry/buf.h"
#include "cherry/history.h"

/* Appends the page for the current branch of c to out. 0, or -1 when memory ran out. */
int htmlexport_conv(const struct hist_conv *c, struct buf *out);

/* Appends s[0..len) with & < > " ' as character references and every control
 * character (escape sequences included) made harmless. 0, or -1 on OOM. */
int htmlexport_escape(const char *s, size_t len, struct buf *out);

#endif
