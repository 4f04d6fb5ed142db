/* sanitize: makes text from outside safe to put on a terminal (security.md §6.4).
 * Stateful, so an escape sequence or a UTF-8 character split across two
 * streamed deltas is handled exactly as if it had arrived whole. No I/O. */
#ifndef CHERRY_SANITIZE_H
#define CHERRY_SANITIZE_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/utf8.h"

struct sanitizer {
	int state;               /* where we are inside an escape sequence */
	struct utf8_carry utf8;  /* an incomplete UTF-8 sequence carried over */
	size_t seq_len;          /* bytes swallowed in the current sequence */
	int pending_cr;          /* a CR waiting to see whether LF follows */
	int in_tag_seq;          /* inside an emoji flag tag sequence */
	int after_black_flag;    /* the last character written was U+1F3F4 */
	unsigned char tag_run[7]; /* the held-back flag tags, as ASCII (a subdivision id) */
	size_t tag_len;
};

void sanitize_init(struct sanitizer *s);
/* Appends the safe form of in[0..len) to out. Returns 0, or -1 on OOM. */
int sanitize_feed(struct sanitizer *s, const char *in, size_t len, struct buf *out);
/* End of text: flushes what is pending (a cut UTF-8 sequence becomes U+FFFD). */
int sanitize_finish(struct sanitizer *s, struct buf *out);
/* One-shot convenience: sanitises a whole string into out. */
int sanitize_string(const char *in, size_t len, struct buf *out);

/* JSON text from jansson keeps C1 controls (U+0080..U+009F) as raw UTF-8, and a terminal
 * that shows the file takes U+009B for CSI. Rewrites each, from offset from on, as its
 * \u00XX escape: the same JSON value, nothing for a terminal to obey. 0, or -1 on OOM
 * (b unchanged). */
int sanitize_json_c1(struct buf *b, size_t from);

#endif
