/* askfiles: the files of `cherry ask -f`: read, kinds checked, stored, and put beside
 * the request's messages (with those of earlier messages, from the attachments dir). */
#ifndef CHERRY_ASKFILES_H
#define CHERRY_ASKFILES_H

#include "cherry/attach.h"
#include "cherry/chat.h"
#include "cherry/wire.h"

#define ASKFILES_MAX 32

struct askfiles {
	const char *paths[ASKFILES_MAX]; /* "-": standard input */
	size_t n;
	struct buf data[ASKFILES_MAX];
	struct buf text[ASKFILES_MAX];
	struct attach_part parts[ASKFILES_MAX];
	char sha[ASKFILES_MAX][65]; /* each file's SHA-256 once recorded ("" before) */
	/* Earlier messages' files, read back for the request. */
	struct buf *old;
	struct attach_part *old_parts;
	struct buf *old_text;
	char (*old_sha)[65];
	size_t nold;
	struct wire_attached *attached;
	size_t nattached;
};

/* Reads every file; a binary one is refused with one line. 0 or -1 with e. */
int askfiles_load(struct askfiles *f, struct err *e);
/* Stores the files (when attdir is not NULL) and references them from msg. 0 or -1. */
int askfiles_record(struct askfiles *f, struct hist_msg *msg, const char *attdir, struct err *e);
/* Fills rq->attached for msgs built by chat_request_msgs from conv (a PDF's text, for a
 * kind that takes none, made once per attachment: kept in attdir). 0 or -1. */
int askfiles_request(struct askfiles *f, const struct hist_conv *conv, const struct hist_msg *msg,
		     const char *attdir, struct wire_request *rq, struct err *e);
void askfiles_free(struct askfiles *f);
/* What pdftotext made of the attachment of hash hex (rc as pdftext_run returns it: its
 * text, or why it failed when the PDF caused it) kept in attdir for the next request
 * (attstore_text_put; nothing when attdir is NULL or hex ""). */
void askfiles_pdf_keep(const char *attdir, const char *hex, int rc, const struct buf *text,
		       const struct err *why);

#endif
