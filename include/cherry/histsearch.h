/* histsearch: a text searched for in every conversation, the one engine under `cherry
 * history search` and the client's search of all history. Case-insensitive with Unicode
 * simple case folding (fold.h). Newest conversations first; one hit per conversation
 * (its title, else its first message holding the text). A search goes in steps of a
 * given number of files, so that the client can search between keys and never holds
 * the screen; the command runs it to the end. */
#ifndef CHERRY_HISTSEARCH_H
#define CHERRY_HISTSEARCH_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/err.h"
#include "cherry/history.h"
#include "cherry/histstore.h"

/* Bytes of a hit's line kept before and after the match. */
#define HISTSEARCH_BEFORE 30
#define HISTSEARCH_AFTER 50

struct histsearch_hit {
	char id[HIST_ID_MAX + 1];
	const char *title;  /* "" for none */
	double updated;
	const char *msg;    /* the message's id; "" when the title matched */
	size_t msg_index;   /* its index in the conversation's messages */
	const char *line;   /* the line holding the match, cut around it ("..." where cut);
			     * unsanitised, no newline */
};
/* Receives each hit (valid during the call). Non-zero stops the search. */
typedef int (*histsearch_fn)(void *ctx, const struct histsearch_hit *h);

/* The first match of the folded needle (fold_string's output) in one conversation (pure):
 * 1 with *h filled (its strings point into c and into line, which it is written to),
 * 0 when none, -1 OOM. */
int histsearch_conv(const struct hist_conv *c, const char *folded, size_t flen,
		    struct histsearch_hit *h, struct buf *line);

/* The same on the raw JSON of the conversation file of id, without building it
 * (histskim.c): 1, 0, -1 OOM, or -2 when the file is not the plain shape it reads (then
 * hist_from_json and histsearch_conv decide). h's strings point into line and keep[]. */
int histsearch_raw(const char *json, size_t len, const char *id, const char *folded,
		   size_t flen, struct histsearch_hit *h, struct buf *line, struct buf keep[2]);
/* The line of text around text[hit..hit+mlen), cut to HISTSEARCH_BEFORE/AFTER bytes on
 * character boundaries, tabs and CRs as spaces, into out. 0 or -1 OOM. */
int histsearch_cut_line(const char *text, size_t len, size_t hit, size_t mlen,
			struct buf *out);

struct histsearch; /* a search under way */

/* Starts a search for text (non-empty): lists the conversations (histstore_list_each).
 * NULL with e on failure. */
struct histsearch *histsearch_start(struct histstore *st, const char *text, struct err *e);
/* Reads up to max_files more conversations, handing each hit to fn. 1: more to do, 0:
 * done (or fn said stop). *done and *total (may be NULL) say how far it got. */
int histsearch_step(struct histsearch *h, size_t max_files, histsearch_fn fn, void *ctx,
		    size_t *done, size_t *total);
/* The rest of the search to its end on up to `threads` threads (at most 16; 1 or less:
 * the steps), fn called on the calling thread for each hit in the same order as the
 * steps give them; fn's non-zero stops it. The command's search: reading the files is
 * mostly the kernel's copying, which several cores share. 0, or -1 when a hit could not
 * be kept for want of memory (the others were given). */
int histsearch_run(struct histsearch *h, int threads, histsearch_fn fn, void *ctx);
void histsearch_free(struct histsearch *h);

#endif
