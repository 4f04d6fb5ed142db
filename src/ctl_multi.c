/* ctl_multi: several models and streams in the controller: "@provider/model" mentions
 * at the start of a message (each model is asked), the conversations with answers not
 * read yet, and the marks the list shows. Pure, as the rest of ctl*.c. */
#include "ctl_int.h"

#include "cherry/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ctl_mentions(struct ctl *c, const char *text, size_t len, size_t *skip)
{
	struct ctl_pending *p = &c->pending;
	size_t i = 0;
	p->nspecs = 0;
	*skip = 0;
	for (;;) {
		while (i < len && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i >= len || text[i] != '@')
			break;
		size_t b = ++i;
		while (i < len && text[i] != ' ' && text[i] != '\t' && text[i] != '\n')
			i++;
		char spec[160];
		if (i - b == 0 || i - b >= sizeof spec) {
			ctl_message(c, "after @ comes a model: @provider/model (Tab completes)");
			return -1;
		}
		memcpy(spec, text + b, i - b);
		spec[i - b] = '\0';
		struct provider *prov;
		const char *model;
		struct err e;
		err_clear(&e);
		if (c->world.resolve_model(c->world.ctx, spec, &prov, &model, &e) < 0) {
			ctl_message(c, "@%s: %s", spec, e.msg);
			return -1;
		}
		size_t k = 0;
		while (k < p->nspecs && strcmp(p->specs[k], spec))
			k++;
		if (k < p->nspecs)
			continue; /* named twice: asked once */
		if (p->nspecs == CTL_MAX_MODELS) {
			ctl_message(c, "at most %d models at once", CTL_MAX_MODELS);
			return -1;
		}
		snprintf(p->specs[p->nspecs++], sizeof p->specs[0], "%s", spec);
	}
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
		i++;
	if (p->nspecs && i >= len) {
		p->nspecs = 0;
		ctl_message(c, "write the question after the models: @a/m @b/n question");
		return -1;
	}
	*skip = p->nspecs ? i : 0;
	return 0;
}

void ctl_mentions_of(const struct ctl *c, size_t user, struct buf *out)
{
	const struct hist_conv *cv = &c->shown->conv;
	char specs[CTL_MAX_MODELS][160];
	size_t n = 0;
	for (size_t i = hist_first_child(cv, user); i != HIST_NONE && n < CTL_MAX_MODELS;
	     i = hist_next_sibling(cv, i)) {
		const struct hist_msg *m = &cv->msgs[i];
		if (strcmp(m->role, "assistant") || !m->provider || !m->model)
			continue;
		snprintf(specs[n], sizeof specs[n], "%s/%s", m->provider, m->model);
		size_t k = 0;
		while (k < n && strcmp(specs[k], specs[n]))
			k++;
		n += k == n; /* asked twice (retried): named once */
	}
	for (size_t k = 0; n > 1 && k < n; k++)
		buf_printf(out, "@%s ", specs[k]);
}

/* ---- unread answers ---- */

void ctl_mark_unread(struct ctl *c, const char *id)
{
	if (!id || !*id)
		return;
	for (size_t i = 0; i < c->nunread; i++)
		if (!strcmp(c->unread[i], id))
			return;
	char (*v)[HIST_ID_MAX + 1] = realloc(c->unread, (c->nunread + 1) * sizeof *v);
	if (!v)
		return; /* only the mark is lost */
	c->unread = v;
	snprintf(c->unread[c->nunread++], sizeof c->unread[0], "%s", id);
	c->dirty |= CTL_DIRTY_LIST;
}

void ctl_forget_unread(struct ctl *c, const char *id)
{
	for (size_t i = 0; i < c->nunread; i++)
		if (!strcmp(c->unread[i], id)) {
			memmove(&c->unread[i], &c->unread[i + 1],
				(c->nunread - i - 1) * sizeof c->unread[0]);
			c->nunread--;
			c->dirty |= CTL_DIRTY_LIST;
			return;
		}
}

int ctl_conv_mark(const struct ctl *c, const char *id)
{
	for (size_t i = 0; i < c->nstreams; i++)
		if (!strcmp(c->streams[i]->chat->conv.id, id))
			return 1;
	for (size_t i = 0; i < c->nunread; i++)
		if (!strcmp(c->unread[i], id))
			return 2;
	return 0;
}

void ctl_multi_free(struct ctl *c)
{
	free(c->unread);
	c->unread = NULL;
	c->nunread = 0;
}

/* ---- the model picker's marks ---- */

void ctl_h_pick_mark(struct ctl *c)
{
	struct ctl_overlay *o = &c->ov;
	if (o->kind != CTL_OV_MODELS) { /* elsewhere Space is part of the filter */
		ctl_pick_type(c, ' ');
		return;
	}
	if (!o->nmatch)
		return;
	if (!o->marked && !(o->marked = calloc(o->nitems ? o->nitems : 1, 1))) {
		ctl_message(c, "out of memory");
		return;
	}
	size_t k = o->match[o->sel];
	o->marked[k] = !o->marked[k];
	o->nmarked += o->marked[k] ? 1 : (size_t)-1;
	if (o->sel + 1 < o->nmatch)
		o->sel++;
	ctl_message(c, "%zu marked: Enter asks each of them", o->nmarked);
	c->dirty |= CTL_DIRTY_CHAT;
}

int ctl_pick_ask_marked(struct ctl *c)
{
	struct ctl_overlay *o = &c->ov;
	if (c->pending.active) {
		ctl_message(c, "a message is waiting for its key");
		return 1;
	}
	if (o->nmarked > CTL_MAX_MODELS) {
		ctl_message(c, "at most %d models at once: %zu are marked", CTL_MAX_MODELS,
			    o->nmarked);
		return 1;
	}
	struct buf at = BUF_INIT; /* "@a @b " before the input's text */
	size_t n = 0;
	for (size_t i = 0; i < o->nitems; i++)
		if (o->marked[i]) {
			snprintf(c->pending.specs[n++], sizeof c->pending.specs[0], "%s", o->items[i]);
			buf_printf(&at, "@%s ", o->items[i]);
		}
	long retry = c->retry_msg;
	c->retry_msg = -1;
	ctl_overlay_close(c);
	size_t len;
	const char *text = edit_text(c->ed, &len);
	if (retry < 0 && text && len) {
		buf_append(&at, text, len);
		if (at.data)
			ctl_request_send(c, at.data, at.len);
	} else {
		/* no text: the selected message (select, r), else the last, is asked again */
		c->pending.nspecs = n;
		ctl_ask_models(c, retry >= 0 ? (size_t)retry + 1 : 0);
	}
	buf_free(&at);
	return 1;
}

/* ---- the answer shown ---- */

void ctl_h_stop_one(struct ctl *c)
{
	struct ctl_stream *st = (struct ctl_stream *)ctl_stream_shown(c);
	if (!st) {
		if (c->nstreams)
			ctl_message(c, "the answer shown is not streaming: %s stops all",
				    ctl_key_name(c, ACT_STOP).s);
		else
			ctl_message(c, "nothing is streaming");
		return;
	}
	ctl_stop_stream(c, st);
}

void ctl_h_best(struct ctl *c)
{
	long a = ctl_last_answer(c);
	if (a < 0) {
		ctl_message(c, "no answer to mark");
		return;
	}
	int on = !c->shown->conv.msgs[a].best;
	chat_set_best(c->shown, (size_t)a, on);
	ctl_message(c, on ? "marked as the best answer" : "the best mark is gone");
	c->react |= CTL_SAVE;
	ctl_rebuild_view(c);
}

/* ---- "@" completion ---- */

void ctl_complete_mention(struct ctl *c)
{
	size_t len, at = edit_cursor_offset(c->ed), b;
	const char *s = edit_text(c->ed, &len);
	if (!s || at > len)
		return;
	for (b = at; b > 0 && s[b - 1] != ' ' && s[b - 1] != '\n' && s[b - 1] != '\t'; b--)
		;
	if (b == at || s[b] != '@') {
		ctl_message(c, "%s completes a /command, or a model after @",
			    ctl_key_name(c, ACT_COMPLETE).s);
		return;
	}
	char **known = NULL;
	size_t nk = 0;
	if (ctl_models(c, &known, &nk) < 0)
		nk = 0;
	char *line = strndup(s, at), *rest = strdup(s + at);
	struct buf out = BUF_INIT, list = BUF_INIT;
	int n = line && rest ? names_complete(line, line + b + 1, (const char *const *)known, nk,
					      &out, &list, 12) : -1;
	if (n == 1)
		buf_append_char(&out, ' ');
	if (n >= 1 && out.data && buf_append_str(&out, rest) == 0 && strcmp(out.data, s))
		edit_set_text(c->ed, out.data, out.len);
	if (n > 1)
		ctl_message(c, "%s", list.data ? list.data : "");
	else if (n == 0)
		ctl_message(c, "no model starts with that");
	else if (n < 0)
		ctl_message(c, "out of memory");
	ctl_models_free(c, known, nk);
	free(line);
	free(rest);
	buf_free(&out);
	buf_free(&list);
	c->dirty |= CTL_DIRTY_INPUT;
}
