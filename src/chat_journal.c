/* chat_journal: what a save appends to the conversation's journal (journal.h): the
 * changes since the last save, noted as they are made (chat.c, chat_edit.c,
 * chat_tools.c), each as a record of about its own size. */
#include "cherry/chat.h"
#include "chat_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cherry/journal.h"
#include "cherry/utf8.h"

/* Message i's text lengths (content, reasoning) as memory holds them. */
void chat_text_lens(const struct chat *c, size_t i, size_t len[2])
{
	const struct hist_msg *m = &c->conv.msgs[i];
	const struct chat_pos *p = chat_pos_of(c, i);
	if (p) {
		len[0] = p->len[0];
		len[1] = p->len[1];
	} else {
		len[0] = strlen(m->content);
		len[1] = m->reasoning ? strlen(m->reasoning) : 0;
	}
}

/* After a save everything is held: the journal goes on from here. */
void chat_saved_all(struct chat *c)
{
	c->dirty = c->tail = c->jhead = 0;
	c->save_warned = 0;
	c->jn = c->conv.n;
	c->njm = 0;
	c->njdel = 0;
	c->jlast = CHAT_NO_STREAM;
	if (c->answer < c->conv.n) {
		size_t len[2];
		chat_text_lens(c, c->answer, len);
		c->saved_len = len[0];
	}
}

/* Notes that message msg changes (its text grows, it ends, another field changes)
 * before it does: the next save journals it from what the last one held. A message not
 * saved yet is written whole then (NULL); so is everything when too many change at once
 * (dirty). */
struct chat_jmsg *chat_note(struct chat *c, size_t msg)
{
	c->jlast = msg;
	if (msg >= c->jn)
		return NULL;
	for (size_t i = 0; i < c->njm; i++)
		if (c->jm[i].msg == msg)
			return &c->jm[i];
	if (c->njm == CHAT_POS_SLOTS) {
		c->dirty = 1;
		return NULL;
	}
	struct chat_jmsg *j = &c->jm[c->njm++];
	j->msg = msg;
	j->meta = 0;
	chat_text_lens(c, msg, j->saved);
	return j;
}

void chat_meta(struct chat *c, size_t msg)
{
	struct chat_jmsg *j = chat_note(c, msg);
	if (j)
		j->meta = 1;
	c->tail = 1;
	c->changes++;
}

/* 1 when message i is root or below it (at most n steps up, even on a malformed tree). */
static int below(const struct hist_conv *cv, size_t i, size_t root)
{
	for (size_t steps = 0; i != HIST_NONE && steps <= cv->n; steps++, i = hist_parent_of(cv, i))
		if (i == root)
			return 1;
	return 0;
}

int chat_delete_noted(struct chat *c, size_t msg, double now, struct err *e)
{
	struct hist_conv *cv = &c->conv;
	if (msg >= cv->n)
		return 0;
	char root[HIST_ID_MAX + 1], ids[CHAT_POS_SLOTS][HIST_ID_MAX + 1];
	snprintf(root, sizeof root, "%s", cv->msgs[msg].id);
	/* What the next save holds is found again after the indexes move: the messages
	 * noted by id, the new ones (all after jn) by how many of them go. */
	size_t njm = c->njm, new_gone = 0, jn = c->jn < cv->n ? c->jn : cv->n;
	for (size_t k = 0; k < njm; k++)
		snprintf(ids[k], sizeof ids[k], "%s", cv->msgs[c->jm[k].msg].id);
	for (size_t i = jn; i < cv->n; i++)
		new_gone += (size_t)below(cv, i, msg);
	int n = hist_delete_subtree(cv, msg);
	if (n <= 0)
		return n < 0 ? chat_oom(e) : 0;
	c->jn = jn - ((size_t)n - new_gone);
	c->njm = 0;
	for (size_t k = 0; k < njm; k++) {
		size_t at = hist_index_of(cv, ids[k]);
		if (at != HIST_NONE) {
			c->jm[c->njm] = c->jm[k];
			c->jm[c->njm++].msg = at;
		}
	}
	c->jlast = CHAT_NO_STREAM;
	/* A message the journal or the file holds goes by a record of its own; one only
	 * memory held just goes. */
	if (msg < jn) {
		if (c->njdel == CHAT_POS_SLOTS)
			c->dirty = 1;
		else
			snprintf(c->jdel[c->njdel++], sizeof c->jdel[0], "%s", root);
	}
	cv->updated = now;
	chat_head(c);
	return n;
}

/* Records are appended a piece at a time: a long stretch of text (a fast answer between
 * two saves) is never copied whole beside the answer. */
#define JOURNAL_CHUNK (32u * 1024)

/* Appends b to the journal once it holds at least min bytes (0: whatever it holds). */
static int flush(struct chat *c, struct buf *b, size_t min)
{
	struct err je = {0, ""};
	if (b->len < min || !b->len)
		return 0;
	if (histstore_journal_append(c->jfd, b->data, b->len, &je) < 0)
		return -1;
	c->jbytes += b->len;
	buf_reset(b);
	return 0;
}

/* Text records of m's field (reasoning or content) from byte from to to, in pieces of
 * about JOURNAL_CHUNK cut between characters, appended as they are made. */
static int journal_new_text(struct chat *c, const struct hist_msg *m, int r, size_t from,
			    size_t to, struct buf *b)
{
	const char *f = r ? m->reasoning : m->content;
	while (from < to) {
		size_t n = to - from;
		if (n > JOURNAL_CHUNK && utf8_back(f, from + JOURNAL_CHUNK) > from)
			n = utf8_back(f, from + JOURNAL_CHUNK) - from;
		if (journal_text(m, r, from, n, b) < 0 || flush(c, b, JOURNAL_CHUNK) < 0)
			return -1;
		from += n;
	}
	return 0;
}

/* Appends what changed since the last save to the journal: the messages added (whole),
 * the new text of those that grew, the ends of those that ended, the header. -1 when the
 * journal cannot hold it (then the file is written whole, which also drops the
 * journal). */
int chat_journal_save(struct chat *c)
{
	if (!c->on_disk || c->lock_fd < 0 || c->readonly || c->conv.version > HIST_FORMAT)
		return -1;
	struct err je = {0, ""};
	if (c->jfd < 0) {
		/* A new one only where none is: one left over (a fold that failed, or one that
		 * changed since the open read it) is folded first. */
		size_t keep = c->jkeep;
		c->jkeep = 0;
		if (histstore_journal_open(c->store, c->conv.id, keep, &c->jfd, &c->jfile, &je) < 0)
			return -1;
		c->jbytes = keep;
	}
	struct buf b = BUF_INIT;
	int bad = 0;
	/* Deletions first: the messages added since and those noted are none of theirs. */
	for (size_t k = 0; !bad && k < c->njdel; k++)
		bad = journal_del(c->jdel[k], c->conv.updated, &b) < 0;
	for (size_t i = c->jn; !bad && i < c->conv.n; i++)
		bad = journal_msg(&c->conv.msgs[i], 0, &b) < 0 || flush(c, &b, JOURNAL_CHUNK) < 0;
	for (size_t k = 0; !bad && k < c->njm; k++) {
		const struct chat_jmsg *j = &c->jm[k];
		if (j->msg >= c->conv.n) {
			bad = 1;
			break;
		}
		size_t len[2];
		chat_text_lens(c, j->msg, len);
		for (int r = 0; !bad && r < 2; r++)
			bad = len[r] < j->saved[r] ||
			      journal_new_text(c, &c->conv.msgs[j->msg], r, j->saved[r], len[r], &b) < 0;
		if (!bad && j->meta)
			bad = journal_msg(&c->conv.msgs[j->msg], 1, &b) < 0;
	}
	/* The header last (its current message may be one of those above), and only when
	 * more than a delta changed: a delta's record dates the conversation itself. */
	if (!bad && c->jhead)
		bad = journal_conv(&c->conv, &b) < 0;
	if (!bad)
		bad = flush(c, &b, 0) < 0;
	buf_free(&b);
	if (bad) {
		/* What it holds is a valid prefix; the whole write that follows drops it. */
		histstore_journal_close(c->jfd);
		c->jfd = -1;
		c->dirty = 1;
		return -1;
	}
	return 0;
}

