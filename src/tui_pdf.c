/* tui_pdf: PDFs made text in steps of the client's loop before a send needs them
 * (tui_pdf.h). */
#include "tui_pdf.h"

#include <stdlib.h>
#include <string.h>

#include "cherry/askfiles.h"
#include "cherry/attach.h"
#include "cherry/attstore.h"
#include "cherry/pdftext.h"

#define PDF_MAX ((size_t)64 << 20) /* as an attachment may be */
#define JOBS_MAX 8

struct pdf_job {
	char sha[65];
	struct buf pdf;          /* the attachment's bytes, fed to pdftotext */
	struct pdftext_job j;
};

struct tui_pdf {
	const struct histstore *store;
	struct buf dir;          /* the attachments directory */
	struct pdf_job jobs[JOBS_MAX];
	size_t n;
};

struct tui_pdf *tui_pdf_new(const struct histstore *store)
{
	struct tui_pdf *tp = calloc(1, sizeof *tp);
	if (tp)
		tp->store = store;
	return tp;
}

static void job_end(struct tui_pdf *tp, size_t i)
{
	pdftext_job_free(&tp->jobs[i].j);
	buf_wipe_used_free(&tp->jobs[i].pdf);
	tp->jobs[i] = tp->jobs[--tp->n];
}

void tui_pdf_free(struct tui_pdf *tp)
{
	if (!tp)
		return;
	while (tp->n)
		job_end(tp, tp->n - 1);
	buf_free(&tp->dir);
	free(tp);
}

/* A job for the PDF of hash sha unless its text is kept or being made. */
static void start(struct tui_pdf *tp, const char *sha, const char *name)
{
	for (size_t i = 0; i < tp->n; i++)
		if (!strcmp(tp->jobs[i].sha, sha))
			return;
	if (tp->n == JOBS_MAX || attstore_text_kept(tp->dir.data, sha))
		return; /* (more at once: the send makes the rest itself) */
	struct pdf_job *job = &tp->jobs[tp->n];
	memset(job, 0, sizeof *job);
	memcpy(job->sha, sha, sizeof job->sha);
	struct err e;
	err_clear(&e);
	if (attstore_get(tp->dir.data, sha, PDF_MAX, &job->pdf, &e) < 0 ||
	    pdftext_begin(&job->j, name, (const unsigned char *)job->pdf.data, job->pdf.len,
			  PDFTEXT_MAX, PDFTEXT_TIMEOUT_MS, &e) != 0) {
		/* the send meets the same trouble and says so */
		buf_wipe_used_free(&job->pdf);
		return;
	}
	tp->n++;
}

static int is_pdf(const char *media_type)
{
	return media_type && !strcmp(media_type, "application/pdf");
}

const char *tui_pdf_prepare(struct tui_pdf *tp, struct ctl *c)
{
	const struct chat *ch = c->pending.chat ? c->pending.chat : c->shown;
	const struct provider *p = c->pending.prov;
	if (!ch || !p || attach_limits_for(p->kind)->documents || !tp->store->dir)
		return tui_pdf_busy(tp);
	if (!tp->dir.data && attstore_dir(tp->store->dir, &tp->dir) < 0) {
		buf_free(&tp->dir);
		return tui_pdf_busy(tp);
	}
	for (size_t i = 0; i < ch->conv.n; i++) {
		const struct hist_msg *m = &ch->conv.msgs[i];
		for (size_t k = 0; k < m->natt; k++)
			if (is_pdf(m->att[k].media_type))
				start(tp, m->att[k].sha256, m->att[k].name);
	}
	for (size_t k = 0; ch == c->shown && k < c->nchips; k++)
		if (is_pdf(c->chips[k].media_type))
			start(tp, c->chips[k].sha256, c->chips[k].name);
	return tui_pdf_busy(tp);
}

const char *tui_pdf_busy(const struct tui_pdf *tp)
{
	return tp->n ? tp->jobs[0].j.name : NULL;
}

int tui_pdf_fds(const struct tui_pdf *tp, struct curl_waitfd *fds, int max)
{
	int n = 0;
	for (size_t i = 0; i < tp->n; i++) {
		struct pollfd p[2];
		int k = pdftext_fds(&tp->jobs[i].j, p);
		for (int j = 0; j < k && n < max; j++)
			fds[n++] = (struct curl_waitfd){p[j].fd, (short)(p[j].events & POLLIN ?
							CURL_WAIT_POLLIN : CURL_WAIT_POLLOUT), 0};
	}
	return n;
}

int tui_pdf_wait_ms(const struct tui_pdf *tp)
{
	int ms = -1;
	for (size_t i = 0; i < tp->n; i++) {
		struct pollfd p[2];
		/* its output ended: its exit comes without a descriptor; else its deadline */
		int k = pdftext_fds(&tp->jobs[i].j, p) ? 250 : 20;
		if (ms < 0 || k < ms)
			ms = k;
	}
	return ms;
}

void tui_pdf_poll(struct tui_pdf *tp, struct ctl *c)
{
	for (size_t i = 0; i < tp->n;) {
		struct pdf_job *job = &tp->jobs[i];
		struct err e;
		err_clear(&e);
		int rc = pdftext_step(&job->j, &e);
		if (rc == 0) {
			i++;
			continue;
		}
		askfiles_pdf_keep(tp->dir.data, job->sha, rc > 0 ? 0 : -1, &job->j.text, &e);
		if (rc < 0)
			ctl_note(c, e.msg);
		job_end(tp, i);
	}
}
