/* journal: a conversation's changes since its last whole write, as lines to append and
 * to replay (journal.h says the format). No I/O. */
#include "cherry/journal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* One compact line: json_dumpb into our buffer (jansson's own strings would need its
 * free function), once into room guessed from hint (the text it holds) and a second time
 * only when escapes made it longer: a save while a fast answer streams is one pass over
 * its new text, not two. Consumes o. */
static int put_line_sized(json_t *o, size_t hint, struct buf *out)
{
	const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
	int rc = -1;
	size_t room = hint + hint / 8 + 256, need = 0;
	if (o && buf_reserve(out, room + 2) == 0) {
		need = json_dumpb(o, out->data + out->len, room, flags);
		if (need > room && buf_reserve(out, need + 2) == 0)
			need = json_dumpb(o, out->data + out->len, need, flags) == need ? need : 0;
		else if (need > room)
			need = 0;
	}
	if (need) {
		out->len += need;
		out->data[out->len] = '\0';
		rc = buf_append_char(out, '\n');
	}
	json_decref(o);
	return rc;
}

static int put_line(json_t *o, struct buf *out)
{
	return put_line_sized(o, 0, out);
}

int journal_head(const struct journal_base *b, struct buf *out)
{
	return put_line(json_pack("{s:i,s:s,s:I,s:I,s:I,s:I}", "journal", JOURNAL_VERSION, "id", b->id,
				  "ino", (json_int_t)b->ino, "size", (json_int_t)b->size,
				  "mtime_s", (json_int_t)b->mtime_s,
				  "mtime_ns", (json_int_t)b->mtime_ns), out);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

int journal_conv(const struct hist_conv *c, struct buf *out)
{
	return put_line(json_pack("{s:{s:o,s:o,s:o,s:o,s:f,s:f}}", "conv", "title",
				  str_or_null(c->title), "model", str_or_null(c->model), "system",
				  str_or_null(c->system), "current", str_or_null(c->current),
				  "created", c->created, "updated", c->updated), out);
}

int journal_msg(const struct hist_msg *m, int keep_text, struct buf *out)
{
	/* keep_text: the text is in the journal already (text records) or in the file; a
	 * shallow copy without it is not copied again (hist_msg_json only reads). */
	struct hist_msg bare = *m;
	if (keep_text) {
		bare.content = (char *)"";
		bare.reasoning = NULL;
	}
	json_t *o = hist_msg_json(&bare);
	/* The times as numbers: the file's milliseconds would round what memory holds. */
	if (o && (json_object_set_new(o, "created", json_real(m->created)) < 0 ||
		  json_object_set_new(o, "updated", json_real(m->updated)) < 0)) {
		json_decref(o);
		o = NULL;
	}
	json_t *line = o ? json_pack("{s:o}", "msg", o) : NULL;
	if (line && keep_text && json_object_set_new(line, "keep_text", json_true()) < 0) {
		json_decref(line);
		line = NULL;
	}
	return put_line(line, out);
}

int journal_text(const struct hist_msg *m, int reasoning, size_t at, size_t n,
		 struct buf *out)
{
	const char *f = reasoning ? m->reasoning : m->content;
	/* a length given is trusted: a long answer is not measured at every piece */
	size_t len = !f ? 0 : n != SIZE_MAX && n <= SIZE_MAX - at ? at + n : strlen(f);
	if (at > len)
		return -1;
	if (n > len - at)
		n = len - at;
	/* The text is valid UTF-8 already (every delta is repaired as it arrives, and the
	 * pieces are cut between characters): not validated a second time. */
	json_t *o = json_pack("{s:s,s:I,s:o,s:f}", "text", m->id, "at", (json_int_t)at, "s",
			      json_stringn_nocheck(f ? f + at : "", n), "updated", m->updated);
	if (o && reasoning && json_object_set_new(o, "reasoning", json_true()) < 0) {
		json_decref(o);
		o = NULL;
	}
	return put_line_sized(o, n, out);
}

int journal_del(const char *id, double updated, struct buf *out)
{
	return put_line(json_pack("{s:s,s:f}", "del", id, "updated", updated), out);
}

int journal_fold(struct buf *out)
{
	return buf_append_str(out, "{\"fold\":true}\n");
}

int journal_ends_folded(const char *data, size_t len)
{
	static const char mark[] = "{\"fold\":true}\n";
	size_t n = sizeof mark - 1;
	if (len < n || memcmp(data + len - n, mark, n))
		return 0;
	return len == n || data[len - n - 1] == '\n';
}

/* The next whole line (without its newline) at *pos; NULL when there is none. */
static const char *next_line(const char *data, size_t len, size_t *pos, size_t *ll)
{
	if (*pos >= len)
		return NULL;
	const char *p = data + *pos, *nl = memchr(p, '\n', len - *pos);
	if (!nl)
		return NULL;
	*ll = (size_t)(nl - p);
	*pos += *ll + 1;
	return p;
}

int journal_read_head(const char *data, size_t len, struct journal_base *b)
{
	size_t pos = 0, ll;
	const char *line = next_line(data, len, &pos, &ll);
	json_t *o = line ? json_loadb(line, ll, 0, NULL) : NULL;
	json_int_t v = 0, ino = 0, size = 0, ms = 0, mns = 0;
	const char *id = NULL;
	int rc = -1;
	memset(b, 0, sizeof *b);
	if (o && json_unpack(o, "{s:I,s:s,s:I,s:I,s:I,s:I}", "journal", &v, "id", &id, "ino",
			     &ino, "size", &size, "mtime_s", &ms, "mtime_ns", &mns) == 0 &&
	    v >= 1 && hist_id_valid(id)) {
		snprintf(b->id, sizeof b->id, "%s", id);
		b->ino = (uint64_t)ino;
		b->size = size;
		b->mtime_s = ms;
		b->mtime_ns = (long)mns;
		rc = v > JOURNAL_VERSION;
	}
	json_decref(o);
	return rc;
}

/* A string field of o into *dst when present (null clears). 0, -1 OOM or not a string. */
static int take_str(json_t *o, const char *key, char **dst)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (!json_is_null(v) && !json_is_string(v))
		return -1;
	return hist_set_str(dst, json_string_value(v));
}

static int apply_conv(struct hist_conv *c, json_t *o)
{
	json_t *cur = json_object_get(o, "current");
	if (!json_is_object(o) || (json_is_string(cur) && !hist_find(c, json_string_value(cur))) ||
	    (!json_is_string(cur) && c->n))
		return 0;
	if (take_str(o, "title", &c->title) < 0 || take_str(o, "model", &c->model) < 0 ||
	    take_str(o, "system", &c->system) < 0 || take_str(o, "current", &c->current) < 0)
		return -1;
	if (json_is_number(json_object_get(o, "created")))
		c->created = json_number_value(json_object_get(o, "created"));
	if (json_is_number(json_object_get(o, "updated")))
		c->updated = json_number_value(json_object_get(o, "updated"));
	return 1;
}

/* A message added, or replacing the one with its id (which keeps its parent); with
 * keep_text only replacing, and the text stays. */
static int apply_msg(struct hist_conv *c, json_t *o, int keep_text)
{
	struct hist_msg m;
	struct err e = {0, ""};
	if (hist_msg_read(o, c->version > HIST_FORMAT, &m, &e) < 0) {
		hist_msg_free(&m);
		return 0;
	}
	size_t at = hist_index_of(c, m.id);
	if (at != HIST_NONE) {
		const char *op = c->msgs[at].parent, *np = m.parent;
		if (op ? !np || strcmp(op, np) : np != NULL) {
			hist_msg_free(&m);
			return 0;
		}
		/* Same id, same parent: the index stays right. */
		if (keep_text) {
			char *t = m.content, *r = m.reasoning;
			m.content = c->msgs[at].content;
			m.reasoning = c->msgs[at].reasoning;
			c->msgs[at].content = t;
			c->msgs[at].reasoning = r;
		}
		hist_msg_free(&c->msgs[at]);
		c->msgs[at] = m;
		return 1;
	}
	if (keep_text || (m.parent && hist_index_of(c, m.parent) == HIST_NONE)) {
		hist_msg_free(&m);
		return 0;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct hist_msg *v = realloc(c->msgs, cap * sizeof *v);
		if (!v) {
			hist_msg_free(&m);
			return -1;
		}
		c->msgs = v;
		c->cap = cap;
	}
	c->msgs[c->n++] = m;
	if (hist_index_push(c) < 0)
		hist_index_free(c);
	return 1;
}

static int apply_text(struct hist_conv *c, json_t *o)
{
	struct hist_msg *m = hist_find(c, json_string_value(json_object_get(o, "text")));
	json_t *at = json_object_get(o, "at"), *s = json_object_get(o, "s");
	if (!m || !json_is_integer(at) || !json_is_string(s) || json_integer_value(at) < 0)
		return 0;
	char **f = json_is_true(json_object_get(o, "reasoning")) ? &m->reasoning : &m->content;
	size_t have = *f ? strlen(*f) : 0, from = (size_t)json_integer_value(at);
	size_t add = json_string_length(s);
	const char *text = json_string_value(s);
	if (from > have || memchr(text, '\0', add))
		return 0;
	/* What is already there must agree: then this record only adds what is new. */
	size_t overlap = have - from < add ? have - from : add;
	if (overlap && memcmp(*f + from, text, overlap))
		return 0;
	if (overlap < add) {
		char *p = realloc(*f, from + add + 1);
		if (!p)
			return -1;
		memcpy(p + have, text + overlap, add - overlap);
		p[from + add] = '\0';
		*f = p;
	}
	/* A delta dates the answer and the conversation (chat_delta). */
	if (json_is_number(json_object_get(o, "updated")))
		m->updated = c->updated = json_number_value(json_object_get(o, "updated"));
	return 1;
}

/* A message and those below it deleted; one not there (deleted already) is nothing to
 * do. */
static int apply_del(struct hist_conv *c, json_t *o, json_t *id)
{
	if (!json_is_string(id))
		return 0;
	size_t at = hist_index_of(c, json_string_value(id));
	if (at != HIST_NONE && hist_delete_subtree(c, at) < 0)
		return -1;
	if (json_is_number(json_object_get(o, "updated")))
		c->updated = json_number_value(json_object_get(o, "updated"));
	return 1;
}

int journal_added_ids(const struct hist_conv *c, const char *data, size_t len,
		      struct buf *ids)
{
	size_t pos = 0, ll;
	if (!next_line(data, len, &pos, &ll)) /* the head */
		return 0;
	for (const char *line; (line = next_line(data, len, &pos, &ll));) {
		json_t *o = json_loadb(line, ll, 0, NULL);
		json_t *m = json_object_get(o, "msg");
		const char *id = json_string_value(json_object_get(m, "id"));
		int bad = id && !json_is_true(json_object_get(o, "keep_text")) &&
			  !hist_find(c, id) &&
			  buf_append(ids, id, strlen(id) + 1) < 0;
		json_decref(o);
		if (bad)
			return -1;
	}
	return 0;
}

long journal_apply(struct hist_conv *c, const char *data, size_t len)
{
	size_t end;
	return journal_apply_end(c, data, len, &end);
}

long journal_apply_end(struct hist_conv *c, const char *data, size_t len, size_t *end)
{
	size_t pos = 0, ll;
	long applied = 0;
	*end = 0;
	if (!next_line(data, len, &pos, &ll)) /* the head */
		return 0;
	*end = pos;
	for (const char *line; (line = next_line(data, len, &pos, &ll));) {
		json_t *o = json_loadb(line, ll, JSON_REJECT_DUPLICATES, NULL);
		json_t *v;
		int rc = 0;
		if ((v = json_object_get(o, "conv")))
			rc = apply_conv(c, v);
		else if ((v = json_object_get(o, "msg")))
			rc = apply_msg(c, v, json_is_true(json_object_get(o, "keep_text")));
		else if (json_is_string(json_object_get(o, "text")))
			rc = apply_text(c, o);
		else if ((v = json_object_get(o, "del")))
			rc = apply_del(c, o, v);
		else if (json_is_true(json_object_get(o, "fold")))
			rc = 1;
		json_decref(o);
		if (rc < 0)
			return -1;
		if (!rc)
			break;
		applied++;
		*end = pos;
	}
	return applied;
}
