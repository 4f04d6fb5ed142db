/* histmd: a conversation as Markdown (its current branch, each answer's other sibling
 * answers as sections under it, attachments linked), and the sibling answers of a
 * message (pure). */
#include "cherry/history.h"

#include <stdlib.h>
#include <string.h>

#include "cherry/attach.h"

size_t hist_siblings(const struct hist_conv *c, size_t msg, size_t *out, size_t max)
{
	size_t n = 0;
	if (msg >= c->n || !strcmp(c->msgs[msg].role, "user"))
		return 0;
	size_t parent = hist_parent_of(c, msg);
	for (size_t i = 0; i < c->n && n < max; i++)
		if (hist_parent_of(c, i) == parent && strcmp(c->msgs[i].role, "user"))
			out[n++] = i;
	return n;
}

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

static int heading(struct buf *out, const char *level, const char *what,
		   const struct hist_msg *m, const char *attdir)
{
	int bad = buf_printf(out, "\n%s %s", level, what);
	if (strcmp(m->role, "user") && m->model)
		bad |= buf_printf(out, " (%s%s%s)", m->provider ? m->provider : "",
				  m->provider ? "/" : "", m->model);
	if (m->status != HIST_COMPLETE)
		bad |= buf_printf(out, " [%s]", hist_status_name(m->status));
	else if (m->note)
		bad |= buf_printf(out, " [%s]", m->note);
	if (m->best)
		bad |= buf_printf(out, " [best]");
	bad |= attachments_md(m, attdir, out);
	return bad | buf_printf(out, "\n\n%s\n", m->content);
}

int hist_to_markdown(const struct hist_conv *c, const char *attdir, struct buf *out)
{
	size_t *idx, n;
	if (hist_branch(c, &idx, &n) < 0)
		return -1;
	size_t *sib = malloc((c->n ? c->n : 1) * sizeof *sib);
	int bad = !sib || buf_printf(out, "# %s\n", c->title ? c->title : "(untitled)");
	if (c->system)
		bad |= buf_printf(out, "\n## System\n\n%s\n", c->system);
	for (size_t i = 0; i < n && !bad; i++) {
		const struct hist_msg *m = &c->msgs[idx[i]];
		int user = !strcmp(m->role, "user");
		bad |= heading(out, "##", user ? "User" : !strcmp(m->role, "assistant") ?
			       "Assistant" : m->role, m, attdir);
		/* the answers beside it, asked of other models or again */
		size_t ns = hist_siblings(c, idx[i], sib, c->n);
		for (size_t k = 0; k < ns && ns > 1; k++)
			if (sib[k] != idx[i])
				bad |= heading(out, "###", "Other answer", &c->msgs[sib[k]], attdir);
	}
	free(sib);
	free(idx);
	return bad ? -1 : 0;
}
