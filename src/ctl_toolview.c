/* ctl_toolview: a tool's result in the chat: folded, one line under a header naming the
 * tool, how it ended and how long it took ("⚙ fake/echo ✓ 0.02 s"); expanded (F7), the
 * call's arguments and the whole result. The view sanitises both. Pure. */
#include "ctl_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/ctl_tools.h"

#define SUMMARY_BYTES 100

/* The call msg answers: its arguments, found in the answers above it. */
static const char *call_args(const struct chat *ch, size_t msg)
{
	const struct hist_msg *m = &ch->conv.msgs[msg];
	for (size_t p = hist_parent_of(&ch->conv, msg); p != HIST_NONE;
	     p = hist_parent_of(&ch->conv, p)) {
		const struct hist_msg *a = &ch->conv.msgs[p];
		for (size_t k = 0; k < a->ncalls; k++)
			if (!strcmp(a->calls[k].id, m->tool_call_id))
				return a->calls[k].args;
		if (!strcmp(a->role, "user"))
			break;
	}
	return NULL;
}

/* The mark of msg among v, NULL none. */
static const struct ctl_tool_mark *mark_of(const struct ctl_tool_mark *v, size_t n,
					   const struct chat *ch, const char *msg)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].msg, msg) && !strcmp(v[i].conv, ch->conv.id))
			return &v[i];
	return NULL;
}

/* The first line of the result, cut between characters at about SUMMARY_BYTES. */
static void summary(const char *s, struct buf *out)
{
	while (*s == ' ' || *s == '\n' || *s == '\t')
		s++;
	size_t len = strcspn(s, "\n"), cut = len;
	if (cut > SUMMARY_BYTES) {
		cut = SUMMARY_BYTES;
		while (cut && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	}
	buf_append(out, s, cut);
	if (cut < len || s[len])
		buf_append_str(out, " \xe2\x80\xa6");
}

int ctl_tools_view_msg(struct ctl *c, size_t i)
{
	struct chat *ch = c->shown;
	const struct hist_msg *m = &ch->conv.msgs[i];
	if (strcmp(m->role, "tool"))
		return 0;
	const struct tools_entry *e =
		c->tools->cat && m->tool_name ? tools_find(c->tools->cat, m->tool_name) : NULL;
	struct buf h = BUF_INIT, text = BUF_INIT;
	buf_append_str(&h, "\xe2\x9a\x99 ");
	if (e)
		buf_printf(&h, "%s/%s", e->server_name, e->tool);
	else
		buf_append_str(&h, m->tool_name ? m->tool_name : "tool");
	buf_append_str(&h, m->tool_error ? " \xe2\x9c\x97" : " \xe2\x9c\x93");
	const struct ctl_tool_mark *tm = mark_of(c->tools->times, c->tools->ntimes, ch, m->id);
	if (tm)
		buf_printf(&h, " %.2f s", tm->secs);
	if (m->tool_full)
		buf_printf(&h, " (cut from %lld bytes)", m->tool_full);
	const char *content = m->content ? m->content : "";
	if (c->tools->expanded || mark_of(c->tools->open, c->tools->nopen, ch, m->id)) {
		const char *args = m->tool_call_id ? call_args(ch, i) : NULL;
		struct buf pretty = BUF_INIT;
		if (args)
			tools_show_args(args, &pretty);
		buf_printf(&text, "arguments:\n%s\n\nresult:\n%s", pretty.data ? pretty.data : "{}",
			   content);
		buf_wipe_free(&pretty);
	} else {
		summary(content, &text);
	}
	long vm = view_add(c->view, VIEW_INFO, h.data ? h.data : "tool");
	if (vm >= 0) {
		ctl_map_msg(c, vm, i);
		if (text.data)
			view_append_text(c->view, (size_t)vm, text.data, text.len);
		view_end(c->view, (size_t)vm);
		if (m->context_break)
			ctl_map_break(c, vm);
	}
	buf_free(&h);
	buf_wipe_free(&text);
	return 1;
}

void ctl_h_toggle_tools(struct ctl *c)
{
	c->tools->expanded = !c->tools->expanded;
	ctl_rebuild_view(c);
	ctl_message(c, "tool calls %s", c->tools->expanded ? "shown whole" : "folded");
}

int ctl_tools_toggle_msg(struct ctl *c, size_t msg)
{
	struct ctl_tools *t = c->tools;
	const struct chat *ch = c->shown;
	if (msg >= ch->conv.n || strcmp(ch->conv.msgs[msg].role, "tool"))
		return 0;
	const char *id = ch->conv.msgs[msg].id;
	const struct ctl_tool_mark *had = mark_of(t->open, t->nopen, ch, id);
	if (had) {
		t->open[had - t->open] = t->open[--t->nopen];
	} else {
		struct ctl_tool_mark *v = realloc(t->open, (t->nopen + 1) * sizeof *v);
		if (!v) {
			ctl_message(c, "out of memory");
			return 1;
		}
		t->open = v;
		v = &t->open[t->nopen++];
		snprintf(v->conv, sizeof v->conv, "%s", ch->conv.id);
		snprintf(v->msg, sizeof v->msg, "%s", id);
		v->secs = -1;
	}
	ctl_rebuild_view(c);
	return 1;
}
