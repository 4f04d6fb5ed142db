/* attstore: attachments on disk, stored once under their SHA-256 in
 * <data>/attachments (directory 0700, files 0600, written atomically), with what a PDF
 * reads as beside it. */
#ifndef CHERRY_ATTSTORE_H
#define CHERRY_ATTSTORE_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/err.h"

/* The attachments directory beside a store's conversations directory (conv_dir is
 * histstore's dir, ".../cherry/conversations"). 0 or -1 (OOM). */
int attstore_dir(const char *conv_dir, struct buf *out);
/* Stores d[0..n) unless a file of that hash is there; hex gets its SHA-256. 0 or -1. */
int attstore_put(const char *dir, const unsigned char *d, size_t n, char hex[65], struct err *e);
/* Reads the attachment with this hash (at most max bytes) into out. 0 or -1. */
int attstore_get(const char *dir, const char *hex, size_t max, struct buf *out, struct err *e);
/* What a PDF of this hash reads as (pdftotext's text, "<hash>.txt" beside it), made once:
 * get appends it to out (at most max bytes): 0; 2 when making it failed before (e holds
 * that line, "<hash>.err"); 1 neither is kept; -1 with e. put keeps text, or (failed)
 * the line saying why it could not be made. 0 or -1. attstore_collect removes them with
 * the attachment. */
int attstore_text_get(const char *dir, const char *hex, size_t max, struct buf *out,
		      struct err *e);
/* 1 when get would find the text or the failure (without reading them). */
int attstore_text_kept(const char *dir, const char *hex);
int attstore_text_put(const char *dir, const char *hex, const char *text, size_t len, int failed,
		      struct err *e);
/* Appends to hashes (65 bytes each, NUL-terminated) every "sha256": "<64 hex>" in
 * text. 0 or -1 (OOM). */
int attstore_refs(const char *text, size_t len, struct buf *hashes);
/* Removes each attachment in hashes that no file in conv_dir (or in its corrupt/, where
 * unreadable conversations are kept aside) mentions any more. A file that cannot be read
 * keeps every attachment (when unsure, nothing is deleted). */
void attstore_collect(const char *conv_dir, const struct buf *hashes);
/* The same in steps, for the client, whose keys must not wait while every conversation
 * is read: begin copies the candidates (NULL: out of memory), add brings more (the files
 * are read again for all), each step reads at most max_files (1: more to do; 0: done,
 * the unmentioned removed, nothing left), end finishes what is left and frees. An
 * attachment stored (attstore_put) while one runs is never removed by it. */
struct attstore_collector;
struct attstore_collector *attstore_collect_begin(const char *conv_dir, const struct buf *hashes);
int attstore_collect_add(struct attstore_collector *k, const struct buf *hashes);
int attstore_collect_step(struct attstore_collector *k, size_t max_files);
void attstore_collect_end(struct attstore_collector *k);

#endif
