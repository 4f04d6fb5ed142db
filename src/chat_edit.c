/* chat_edit: the changes to an open conversation's tree and fields that send nothing:
 * siblings (which answer of several is shown), the message shown, deleting a message and
 * what follows it, context breaks, and the title, system prompt and model. The session
 * itself (open, send, delta, finish, save) is chat.c's. */
#include "cherry/chat.h"
#include "chat_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Siblings are the children of the same parent (or roots) with the same role: the
 * index lists them, so these walks cost the siblings, not the conversation. */
void chat_siblings(const struct chat *c, size_t msg, size_t *pos, size_t *count)
{
	const struct hist_conv *cv = &c->conv;
	*pos = 0;
	*count = 1;
	if (msg >= cv->n)
		return;
	const char *role = cv->msgs[msg].role;
	size_t k = 0;
	for (size_t i = hist_first_child(cv, hist_parent_of(cv, msg)); i != HIST_NONE;
	     i = hist_next_sibling(cv, i)) {
		if (strcmp(cv->msgs[i].role, role))
			continue;
		if (i == msg)
			*pos = k;
		k++;
	}
	*count = k ? k : 1;
}

/* From msg down the newest child each time to a leaf; at most n steps even on a
 * malformed tree. */
/* Down the newest child each time; at most n steps even on a malformed tree. */
static size_t newest_leaf(const struct hist_conv *cv, size_t to)
{
	for (size_t steps = 0; steps < cv->n; steps++) {
		size_t child = hist_last_child(cv, to);
		if (child == HIST_NONE)
			break;
		to = child;
	}
	return to;
}

int chat_switch_sibling(struct chat *c, size_t msg, int dir, double now, struct err *e)
{
	(void)now; /* these changes do not date the conversation */
	const struct hist_conv *cv = &c->conv;
	if (msg >= cv->n)
		return 1;
	const char *role = cv->msgs[msg].role;
	size_t to = HIST_NONE, prev = HIST_NONE;
	int passed = 0;
	for (size_t i = hist_first_child(cv, hist_parent_of(cv, msg)); i != HIST_NONE;
	     i = hist_next_sibling(cv, i)) {
		if (i == msg) {
			passed = 1;
			if (dir < 0) {
				to = prev;
				break;
			}
			continue;
		}
		if (strcmp(cv->msgs[i].role, role))
			continue;
		if (passed) {
			to = i;
			break;
		}
		prev = i;
	}
	if (to == HIST_NONE)
		return 1;
	to = newest_leaf(cv, to);
	if (hist_set_str(&c->conv.current, cv->msgs[to].id) < 0)
		return chat_oom(e);
	chat_head(c);
	return 0;
}

int chat_show_msg(struct chat *c, size_t msg, double now, struct err *e)
{
	(void)now; /* these changes do not date the conversation */
	const struct hist_conv *cv = &c->conv;
	if (msg >= cv->n)
		return 1;
	size_t to = newest_leaf(cv, msg);
	if (c->conv.current && !strcmp(c->conv.current, cv->msgs[to].id))
		return 0;
	if (hist_set_str(&c->conv.current, cv->msgs[to].id) < 0)
		return chat_oom(e);
	chat_head(c); /* the header's record holds it */
	return 0;
}

int chat_delete_msg(struct chat *c, size_t msg, double now, struct err *e)
{
	int n = chat_delete_noted(c, msg, now, e);
	if (n > 0) {
		/* indexes moved: no answer is followed any more */
		c->stream = CHAT_NO_STREAM;
		chat_forget_pos(c, CHAT_NO_STREAM);
		c->answer = CHAT_NO_STREAM;
	}
	return n;
}

int chat_set_context_break(struct chat *c, size_t msg, int on, double now, struct err *e)
{
	(void)now; /* these changes do not date the conversation */
	(void)e;
	if (msg >= c->conv.n)
		return 1;
	c->conv.msgs[msg].context_break = on != 0;
	chat_meta(c, msg);
	return 0;
}

int chat_set_best(struct chat *c, size_t msg, int on)
{
	if (msg >= c->conv.n || !strcmp(c->conv.msgs[msg].role, "user"))
		return 1;
	/* Only the marks that change are journalled: the siblings are listed by the index. */
	for (size_t i = hist_first_child(&c->conv, hist_parent_of(&c->conv, msg));
	     on && i != HIST_NONE; i = hist_next_sibling(&c->conv, i))
		if (i != msg && c->conv.msgs[i].best) {
			c->conv.msgs[i].best = 0;
			chat_meta(c, i);
		}
	if (c->conv.msgs[msg].best != (on != 0)) {
		c->conv.msgs[msg].best = on != 0;
		chat_meta(c, msg);
	}
	return 0;
}

static int is_blank(const char *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n\v\f", *s))
			return 0;
	return 1;
}

/* A field of the header changed: the next save journals it (journal_conv). */
static int changed(struct chat *c)
{
	chat_head(c);
	return 0;
}

int chat_rename(struct chat *c, const char *title, double now, struct err *e)
{
	(void)now; /* these changes do not date the conversation */
	struct buf t = BUF_INIT;
	if (!is_blank(title) && hist_make_title(title, &t) < 0)
		return chat_oom(e);
	int bad = hist_set_str(&c->conv.title, t.data) < 0;
	buf_free(&t);
	return bad ? chat_oom(e) : changed(c);
}

int chat_set_system(struct chat *c, const char *system, double now, struct err *e)
{
	(void)now; /* these changes do not date the conversation */
	if (hist_set_str(&c->conv.system, system && *system ? system : NULL) < 0)
		return chat_oom(e);
	return changed(c);
}

int chat_set_model(struct chat *c, const char *spec, double now, struct err *e)
{
	(void)now; /* these changes do not date the conversation */
	const char *p, *m;
	size_t pl;
	if (spec && *spec && model_spec_split(spec, &p, &pl, &m) < 0) {
		err_set(e, EXIT_USAGE, "\"%.200s\" is not PROVIDER/MODEL", spec);
		return -1;
	}
	if (hist_set_str(&c->conv.model, spec && *spec ? spec : NULL) < 0)
		return chat_oom(e);
	return changed(c);
}
