/* journal: the append-only record of what changed in a conversation since its file was
 * last written whole (pure). Saving appends to "<id>.jsonl" beside "<id>.json" what
 * changed (new messages whole, the new text of every answer streaming in, an answer's
 * end, a message's other fields (a mark, a context break, tool calls), deletions, the
 * header) instead of rewriting the file; the file stays plain, complete JSON. The
 * journal outlives the session: every reader applies it, and it is folded into the file
 * (the file written whole, the journal removed) once it grows past half the file's size,
 * or when it cannot be appended to safely (a torn last line).
 *
 * The format: one compact JSON object per line. The first names the version
 * (JOURNAL_VERSION; later versions keep this line's fields) and the file it applies to
 * (its inode, size and modification time: a journal left beside another file, or of
 * another conversation, is stale and never applied; one of a later version beside the
 * file it continues makes the conversation read-only, as a newer file does); then
 * {"conv":{...}}
 * (title, model, system, current, created, updated),
 * {"msg":{...}} (a message as the file holds it, added or replaced whole; with
 * "keep_text":true beside it, its content and reasoning are not in the record and stay
 * as they are: an answer's end, or any other field of it changed),
 * {"text":ID,"at":N,"s":TEXT,"updated":T} (TEXT goes at byte N of the content, or of the
 * reasoning with "reasoning":true; T dates the message and the conversation; replaying a
 * record already applied changes nothing),
 * {"del":ID,"updated":T} (version 3: the message and every one below it deleted, as
 * hist_delete_subtree does; one already gone is nothing to do) and
 * {"fold":true} (version 3: a fold began here; it changes nothing, and tells a journal
 * whose file was then replaced by its fold from one whose file something else replaced).
 * Records of several messages interleave. A line without its newline (a write cut short
 * by kill -9) or that does not apply ends the replay.
 *
 * Versions 1 and 2 (no "keep_text", no "del") were written to "<id>.journal", which a
 * cherry of version 1 deletes when it cannot read it; version 3 took the new name so
 * that such a cherry never sees it. Both names are read, the new one first (an older
 * cherry's journal beside it came later), and folded in (histjournal.c). */
#ifndef CHERRY_JOURNAL_H
#define CHERRY_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cherry/buf.h"
#include "cherry/history.h"

/* Written in the first line; 2 added "keep_text" (a cherry that knows only 1 refuses
 * it rather than empty an answer); 3 added "del" and "fold" (and the name .jsonl). */
#define JOURNAL_VERSION 3

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
/* keep_text: without the content and reasoning, which the replay keeps (journal.h). */
int journal_msg(const struct hist_msg *m, int keep_text, struct buf *out);
/* The field's n bytes from at (SIZE_MAX: to its end; reasoning: the reasoning field),
 * which the field must hold; a cut must fall between characters. */
int journal_text(const struct hist_msg *m, int reasoning, size_t at, size_t n,
		 struct buf *out);
/* The message id deleted with all below it, at time updated; the fold marker. */
int journal_del(const char *id, double updated, struct buf *out);
int journal_fold(struct buf *out);
/* 1 when the last whole line of data is the fold marker (a journal whose fold replaced
 * its file holds nothing the file lacks), else 0. */
int journal_ends_folded(const char *data, size_t len);

/* Reads the first line into b: 0; 1 when it is of a later version than this cherry
 * writes (b holds its file; its records are not to be applied); -1 when there is none
 * (then nothing applies). */
int journal_read_head(const char *data, size_t len, struct journal_base *b);
/* The ids of the messages the records after the first line add to c as it is (a "msg"
 * record without "keep_text" whose id c does not hold), each followed by a NUL,
 * appended to ids. 0, or -1 on OOM. */
int journal_added_ids(const struct hist_conv *c, const char *data, size_t len,
		      struct buf *ids);
/* Replays the records after the first line onto c. Returns how many applied (0 when
 * none), or -1 on OOM (c is then as far as it got, whole and valid). */
long journal_apply(struct hist_conv *c, const char *data, size_t len);
/* The same; *end gets the offset just after the last record applied (after the head
 * when none did; 0 without a head): end == len when every line applied. */
long journal_apply_end(struct hist_conv *c, const char *data, size_t len, size_t *end);

#endif
