/* tui_pdf: the full-screen client's PDFs made text before a send needs it. A provider
 * kind that takes no documents gets a PDF's text (pdftotext); made in the send it held
 * the screen for as long as pdftotext ran, every time. Here, when a message is about to
 * go, each PDF of its conversation (and its chips) whose text is not kept yet is turned
 * into text by a job of the loop (pdftext_begin/step: the screen stays live), kept
 * beside the attachment (attstore_text_put); the send waits for them, then finds every
 * text kept. Only tui.c includes this. */
#ifndef CHERRY_TUI_PDF_H
#define CHERRY_TUI_PDF_H

#include <curl/curl.h>

#include "cherry/ctl.h"
#include "cherry/histstore.h"

struct tui_pdf;

/* The jobs keep texts in the attachments directory beside store's conversations. NULL
 * on OOM. */
struct tui_pdf *tui_pdf_new(const struct histstore *store);
/* Ends the jobs still running (their pdftotext killed). */
void tui_pdf_free(struct tui_pdf *tp);
/* CTL_NEED_KEY: the message about to go (ctl.pending) to a kind without documents: jobs
 * start for its PDFs without text. The name of one being made (the send waits for it),
 * NULL when none. */
const char *tui_pdf_prepare(struct tui_pdf *tp, struct ctl *c);
/* The name of a PDF still being made, NULL when none runs. */
const char *tui_pdf_busy(const struct tui_pdf *tp);
/* The loop's wait: the jobs' descriptors (up to max) and the longest wait (ms) they
 * allow, -1 when none runs. */
int tui_pdf_fds(const struct tui_pdf *tp, struct curl_waitfd *fds, int max);
int tui_pdf_wait_ms(const struct tui_pdf *tp);
/* Each turn of the loop: the jobs go on (never blocking); one done keeps its text, or
 * the line saying why it failed (shown). */
void tui_pdf_poll(struct tui_pdf *tp, struct ctl *c);

#endif
