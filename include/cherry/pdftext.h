/* pdftext: a PDF's text through poppler's pdftotext, for provider kinds that take no
 * documents. Run without a shell (argv only), the PDF on its stdin, its output bounded
 * in size and time. */
#ifndef CHERRY_PDFTEXT_H
#define CHERRY_PDFTEXT_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>

#include "cherry/buf.h"
#include "cherry/err.h"

#define PDFTEXT_MAX ((size_t)8 << 20)  /* bytes of text kept */
#define PDFTEXT_TIMEOUT_MS 20000

/* The full path of `prog` found on path (a $PATH value) into out: 0, or 1 when no
 * directory holds an executable of that name, or -1 (out of memory). */
int pdftext_which(const char *prog, const char *path, struct buf *out);
/* The same in steps, for a loop that must not wait (the full-screen client): begin
 * starts pdftotext over pdf (borrowed until the job ends): 0, 1 not installed (e says
 * what to do), -1 with e. pdftext_fds: what to poll (at most 2; none once its output
 * ended: then look again in a few ms). pdftext_step never blocks: 0 running; 1 done,
 * its text in j->text; -1 failed, ran out of time or printed too much, e one line (the
 * job is then ended). pdftext_job_free ends it (SIGKILL when it runs) and frees it. */
struct pdftext_job {
	pid_t pid;
	int in, out;               /* our ends; -1 once closed */
	const unsigned char *pdf;
	size_t n, sent, max;
	struct buf text;
	int too_long;
	int timeout_ms;
	long long deadline;        /* CLOCK_MONOTONIC ms */
	char name[256];
};
int pdftext_begin(struct pdftext_job *j, const char *name, const unsigned char *pdf, size_t n,
		  size_t max, int timeout_ms, struct err *e);
int pdftext_fds(const struct pdftext_job *j, struct pollfd *fds);
int pdftext_step(struct pdftext_job *j, struct err *e);
void pdftext_job_free(struct pdftext_job *j);
/* The text of pdf[0..n) appended to out (name is for error lines). 0; 1 when pdftotext
 * is not installed (e says what to do); -1 with e when it failed, ran longer than
 * timeout_ms, or printed more than max bytes. */
int pdftext_run(const char *name, const unsigned char *pdf, size_t n, size_t max, int timeout_ms,
		struct buf *out, struct err *e);

#endif
