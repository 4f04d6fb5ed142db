/* journal: the append-only record of what changed in a conversation since its file was
 * last written whole (pure). While an answer streams, saving appends to
 * "<id>.journal" beside "<id>.json" what was added (new messages whole, then the
 * answer's new text) instead of rewriting the file; the file stays plain, complete JSON
 * and the journal is folded into it at the end of the exchange or at the next load.
 *
 * The format: one compact JSON object per line. The first names the file it applies to
 * (its inode, size and modification time: a journal left beside a newer file is stale);
 * then {"conv":{...}} (title, model, system, current, created, updated),
 * {"msg":{...}} (a message as the file holds it, added or replaced whole) and
 * {"text":ID,"at":N,"s":TEXT,"updated":T} (TEXT goes at byte N of the content, or of the
 * reasoning with "reasoning":true; T dates the message and the conversation; replaying a
 * record already applied changes nothing). The header line comes only when it changed. A line without its
 * newline (a write cut short by kill -9) or that does not apply ends the replay. */
#ifndef CHERRY_JOURNAL_H
#define CHERRY_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cherry/buf.h"
#include "cherry/history.h"

struct journal_base {
	char id[HIST_ID_MAX + 1]; /* the conversation */
	uint64_t ino;             /* of the file the journal continues */
	int64_t size;
	int64_t mtime_s;
	long mtime_ns;
};

/* Each appends one line to out: 0, or -1 on OOM or text jansson refuses (not UTF-8). */
int journal_head(const struct journal_base *b, struct buf *out);
int journal_conv(const struct hist_conv *c, struct buf *out);
int journal_msg(const struct hist_msg *m, struct buf *out);
/* The field's bytes from at to its end (reasoning: the reasoning field). */
int journal_text(const struct hist_msg *m, int reasoning, size_t at, struct buf *out);

/* Reads the first line into b. 0, or -1 when there is none (then nothing applies). */
int journal_read_head(const char *data, size_t len, struct journal_base *b);
/* Replays the records after the first line onto c. Returns how many applied (0 when
 * none), or -1 on OOM (c is then as far as it got, whole and valid). */
long journal_apply(struct hist_conv *c, const char *data, size_t len);

#endif
