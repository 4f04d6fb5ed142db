/* attach: what a file given to a conversation is (by content, never by name), how a
 * text one reads in a prompt, and the documented limits per provider kind (pure). */
#ifndef CHERRY_ATTACH_H
#define CHERRY_ATTACH_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/err.h"
#include "cherry/providers.h"

enum attach_kind {
	ATTACH_TEXT,   /* valid UTF-8 without NUL bytes */
	ATTACH_IMAGE,  /* PNG, JPEG, GIF or WebP by magic bytes */
	ATTACH_PDF,    /* %PDF- */
	ATTACH_BINARY, /* anything else: not sent */
};

/* One attachment as a request builder sees it. TEXT: text is the fenced block
 * (attach_text_block), data unused. IMAGE: data, len, media_type. PDF: data, len, and
 * text is what goes instead to a kind that takes no documents (pdftotext's output as a
 * fenced block, or one line saying the PDF could not be read). */
struct attach_part {
	enum attach_kind kind;
	const char *name;
	const char *media_type;
	const unsigned char *data;
	size_t len;
	const char *text;
};

/* The kind of d[0..n) and its media type ("image/png", "application/pdf",
 * "text/plain", "application/octet-stream"). */
enum attach_kind attach_sniff(const unsigned char *d, size_t n, const char **media_type);
const char *attach_kind_name(enum attach_kind k);
/* The fence language for a file name's extension ("c", "python"), "" when unknown. */
const char *attach_lang(const char *name);
/* Appends "name:\n```lang\ntext\n```\n" with a fence longer than any backtick run in
 * text, and the name's control characters dropped. 0 or -1 (OOM). */
int attach_text_block(const char *name, const char *text, size_t n, struct buf *out);

/* name without its control characters (C0, DEL, C1) appended to out. 0 or -1. */
int attach_clean_name(const char *name, struct buf *out);
/* A size as people read it: "512 B", "12 KB", "3.4 MB" (1024-based). */
void attach_size_text(long long n, char out[16]);
/* Appends "📎 name (media type, size)", the name's control characters dropped. 0/-1. */
int attach_describe(const char *name, const char *media_type, long long size, struct buf *out);

/* An image's width and height from its header (PNG IHDR, GIF screen, JPEG SOFn, WebP
 * VP8/VP8L/VP8X), without decoding it: 0, or -1 when the header does not say. */
int attach_image_size(const unsigned char *d, size_t n, unsigned long *w, unsigned long *h);

/* Documented limits of a kind; 0 means none is documented. */
struct attach_limits {
	size_t image_bytes;    /* per image, raw bytes */
	size_t count;          /* images (and documents) per request */
	size_t request_bytes;  /* all image/PDF bytes of a request, base64-encoded */
	size_t pdf_bytes;      /* per PDF, raw bytes */
	int documents;         /* PDFs go as document parts (else as text) */
	unsigned long side_px; /* an image's width and height at most */
	size_t many;           /* with more images than this per request, */
	unsigned long many_px; /* each side at most this */
};
const struct attach_limits *attach_limits_for(enum wire_kind kind);
/* Checks parts against the kind's limits: 0, or -1 with one line in e (EXIT_USAGE). */
int attach_check(enum wire_kind kind, const char *provider, const struct attach_part *parts,
		 size_t n, struct err *e);
/* A model that cannot see images (providers_caps says so: only config.json's "vision":
 * false does, the built-in table never) gets no image: 0, or -1 with one line in e
 * (EXIT_USAGE) when parts hold one. Unknown counts as able. */
int attach_check_vision(const struct provider *p, const char *model,
			const struct attach_part *parts, size_t n, struct err *e);
/* The base64 (standard alphabet, padded) of d[0..n) appended to out. 0 or -1 (OOM). */
int attach_base64(const unsigned char *d, size_t n, struct buf *out);

#endif
