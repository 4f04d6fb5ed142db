/* chat_tools: the session's side of tool calling: an answer's calls saved with it, each
 * result a message of its own, the next answer under the results, and requests that
 * carry them (chat.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/chat.h"
#include "chat_int.h"

int chat_add_calls(struct chat *c, size_t answer, const struct wire_call *calls, size_t n,
		   const char *items, double now, struct err *e)
{
	if (answer >= c->conv.n)
		return 0;
	struct hist_msg *m = &c->conv.msgs[answer];
	if (items && hist_msg_set_items(m, items) < 0)
		return chat_oom(e);
	size_t own = strlen(WIRE_OWN_ID_PREFIX);
	for (size_t i = 0; i < n; i++) {
		char id[128];
		const char *cid = calls[i].id;
		/* "cherry_3" would come back in the next answer: name it by its message. */
		if (!strncmp(cid, WIRE_OWN_ID_PREFIX, own)) {
			snprintf(id, sizeof id, WIRE_OWN_ID_PREFIX "%s_%zu", m->id, i);
			cid = id;
		}
		if (hist_msg_add_call(m, cid, calls[i].name, calls[i].args.data, calls[i].sig) < 0)
			return chat_oom(e);
	}
	m->updated = now;
	chat_meta(c, answer); /* journalled without its text */
	return 0;
}

int chat_add_result(struct chat *c, size_t parent, const char *call_id, const char *name,
		    const char *text, int error, long long full, double now, size_t *result,
		    struct err *e)
{
	if (parent >= c->conv.n)
		return chat_oom(e);
	struct hist_msg *m = hist_add(&c->conv, c->conv.msgs[parent].id, "tool", text ? text : "",
				      now);
	if (!m || hist_msg_set_result(m, call_id, name, error, full) < 0)
		return chat_oom(e);
	m->status = HIST_COMPLETE;
	*result = (size_t)(m - c->conv.msgs);
	c->conv.updated = now;
	chat_head(c); /* a new message, made current: journalled whole */
	return 0;
}

int chat_answer_after(struct chat *c, size_t parent, const char *provider, const char *model,
		      double now, size_t *answer, struct err *e)
{
	if (parent >= c->conv.n
	    || chat_add_answer(c, c->conv.msgs[parent].id, provider, model, now, answer) < 0)
		return chat_oom(e);
	return 0;
}

/* 1 when every call of msgs[a] has its result among the tool messages right after it. */
static int answered(const struct chat *c, const size_t *idx, size_t n, size_t a)
{
	const struct hist_msg *m = &c->conv.msgs[idx[a]];
	for (size_t k = 0; k < m->ncalls; k++) {
		int found = 0;
		for (size_t j = a + 1; j < n && c->conv.msgs[idx[j]].tool_call_id && !found; j++)
			found = !strcmp(c->conv.msgs[idx[j]].tool_call_id, m->calls[k].id);
		if (!found)
			return 0;
	}
	return 1;
}

int chat_request_full(const struct chat *c, size_t answer, struct chat_request *r)
{
	size_t *idx, n, ncalls = 0;
	memset(r, 0, sizeof *r);
	if (chat_sent_idx(c, answer, 1, &idx, &n) < 0)
		return -1;
	int tools = 0;
	for (size_t i = 0; i < n; i++) {
		ncalls += c->conv.msgs[idx[i]].ncalls;
		tools |= c->conv.msgs[idx[i]].ncalls || c->conv.msgs[idx[i]].tool_call_id;
	}
	r->msgs = calloc(n ? n : 1, sizeof *r->msgs);
	r->extra = tools ? calloc(n, sizeof *r->extra) : NULL;
	r->calls = ncalls ? calloc(ncalls, sizeof *r->calls) : NULL;
	if (!r->msgs || (tools && !r->extra) || (ncalls && !r->calls)) {
		free(idx);
		chat_request_free(r);
		return -1;
	}
	size_t used = 0;
	const char *open = NULL; /* the calls the results that follow answer */
	for (size_t i = 0; i < n; i++) {
		const struct hist_msg *m = &c->conv.msgs[idx[i]];
		r->msgs[i].role = m->role;
		r->msgs[i].content = m->content;
		if (m->ncalls) {
			int ok = answered(c, idx, n, i);
			open = ok ? m->id : NULL;
			if (!ok)
				continue;
			r->extra[i].calls = r->calls + used;
			r->extra[i].ncalls = m->ncalls;
			/* opaque items go back only to the provider that made them */
			if (m->provider && c->conv.msgs[answer].provider
			    && !strcmp(m->provider, c->conv.msgs[answer].provider))
				r->extra[i].items = m->provider_items;
			for (size_t k = 0; k < m->ncalls; k++, used++)
				r->calls[used] = (struct wire_tool_call){m->calls[k].id, m->calls[k].name,
									  m->calls[k].args, m->calls[k].sig};
		} else if (m->tool_call_id && open) {
			r->extra[i].call_id = m->tool_call_id;
			r->extra[i].name = m->tool_name;
			r->extra[i].error = m->tool_error;
		} else if (!m->tool_call_id) {
			open = NULL;
		}
	}
	free(idx);
	r->n = n;
	return 0;
}

void chat_request_free(struct chat_request *r)
{
	free(r->msgs);
	free(r->extra);
	free(r->calls);
	memset(r, 0, sizeof *r);
}
