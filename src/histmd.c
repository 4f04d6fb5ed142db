/* histmd: a conversation's current branch as Markdown, attachments linked (pure). */
#include <stdlib.h>
#include <string.h>

#include "cherry/attach.h"
#include "cherry/history.h"

/* A message's attachments as a list: links to their stored files when attdir is given
 * (an angle-bracket destination, so spaces in the path need no escaping). */
static int attachments_md(const struct hist_msg *m, const char *attdir, struct buf *out)
{
	int bad = 0;
	for (size_t i = 0; i < m->natt; i++) {
		const struct hist_att *a = &m->att[i];
		struct buf d = BUF_INIT;
		bad |= attach_describe(a->name, a->media_type, a->size, &d);
		bad |= buf_append_str(out, i ? "\n- " : "\n\n- ");
		if (attdir && d.data) {
			/* [📎 name](<file:///…/sha>) (type, size): the label's brackets are
			 * escaped; '<', '>' and newlines cannot be in a stored path's name part. */
			const char *paren = strrchr(d.data, '(');
			size_t label = paren ? (size_t)(paren - d.data) - 1 : d.len;
			bad |= buf_append_char(out, '[');
			for (size_t k = 0; k < label; k++) {
				if (strchr("[]\\`*_<>", d.data[k]))
					bad |= buf_append_char(out, '\\');
				bad |= buf_append_char(out, d.data[k]);
			}
			bad |= buf_printf(out, "](<file://%s/%s>)%s", attdir, a->sha256,
					  paren ? paren - 1 : "");
		} else if (d.data) {
			bad |= buf_append(out, d.data, d.len);
		}
		buf_free(&d);
	}
	return bad;
}

int hist_to_markdown(const struct hist_conv *c, const char *attdir, struct buf *out)
{
	size_t *idx, n;
	if (hist_branch(c, &idx, &n) < 0)
		return -1;
	int bad = buf_printf(out, "# %s\n", c->title ? c->title : "(untitled)");
	if (c->system)
		bad |= buf_printf(out, "\n## System\n\n%s\n", c->system);
	for (size_t i = 0; i < n; i++) {
		const struct hist_msg *m = &c->msgs[idx[i]];
		int user = !strcmp(m->role, "user");
		bad |= buf_printf(out, "\n## %s", user ? "User" : !strcmp(m->role, "assistant") ?
				  "Assistant" : m->role);
		if (!user && m->model)
			bad |= buf_printf(out, " (%s%s%s)", m->provider ? m->provider : "",
					  m->provider ? "/" : "", m->model);
		if (m->status != HIST_COMPLETE)
			bad |= buf_printf(out, " [%s]", hist_status_name(m->status));
		bad |= attachments_md(m, attdir, out);
		bad |= buf_printf(out, "\n\n%s\n", m->content);
	}
	free(idx);
	return bad ? -1 : 0;
}
