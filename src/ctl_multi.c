/* ctl_multi: several models and streams in the controller: "@provider/model" mentions
 * at the start of a message (each model is asked), the conversations with answers not
 * read yet, and the marks the list shows. Pure, as the rest of ctl*.c. */
#include "ctl_int.h"

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
