/* pdftext: a PDF's text through poppler's pdftotext, for provider kinds that take no
 * documents. Run without a shell (argv only), the PDF on its stdin, its output bounded
 * in size and time. */
#ifndef CHERRY_PDFTEXT_H
#define CHERRY_PDFTEXT_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/err.h"

#define PDFTEXT_MAX ((size_t)8 << 20)  /* bytes of text kept */
#define PDFTEXT_TIMEOUT_MS 20000

/* The full path of `prog` found on path (a $PATH value) into out: 0, or 1 when no
 * directory holds an executable of that name, or -1 (out of memory). */
int pdftext_which(const char *prog, const char *path, struct buf *out);
/* The text of pdf[0..n) appended to out (name is for error lines). 0; 1 when pdftotext
 * is not installed (e says what to do); -1 with e when it failed, ran longer than
 * timeout_ms, or printed more than max bytes. */
int pdftext_run(const char *name, const unsigned char *pdf, size_t n, size_t max, int timeout_ms,
		struct buf *out, struct err *e);

#endif
