/* ctl_attach: files for the next message in the client: /attach, path completion, the
 * chips above the input (Backspace on an empty input drops the last), the references
 * put on the user message when it is sent, the line shown under it, and the stored
 * files of a conversation put beside its requests. The shell reads and stores files
 * (ctl_world.attach_*); the controller only holds their references. */
#include <stdlib.h>
#include <string.h>

#include "cherry/attach.h"
#include "ctl_int.h"

static void chip_free(struct ctl_chip *ch)
{
	free(ch->name);
	free(ch->media_type);
}

void ctl_attach_free(struct ctl *c)
{
	for (size_t i = 0; i < c->nchips; i++)
		chip_free(&c->chips[i]);
	free(c->chips);
	c->chips = NULL;
	c->nchips = 0;
	buf_wipe_free(&c->offer);
	c->confirm_attach = 0;
}

/* The next word of s (backslash escapes a space or a backslash) into w; NULL at the end. */
static const char *next_word(const char *s, struct buf *w)
{
	buf_reset(w);
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	for (; *s && *s != ' ' && *s != '\t'; s++) {
		if (*s == '\\' && (s[1] == ' ' || s[1] == '\\'))
			s++;
		buf_append_char(w, *s);
	}
	return s;
}

static void add_chip(struct ctl *c, const struct ctl_chip *ch)
{
	struct ctl_chip *v = realloc(c->chips, (c->nchips + 1) * sizeof *v);
	if (!v) {
		struct ctl_chip tmp = *ch;
		chip_free(&tmp);
		ctl_message(c, "out of memory");
		return;
	}
	c->chips = v;
	c->chips[c->nchips++] = *ch;
}

int ctl_cmd_attach(struct ctl *c, const char *arg)
{
	if (!c->world.attach_file) {
		ctl_message(c, "attachments are not available here");
		return 0;
	}
	struct buf w = BUF_INIT;
	size_t added = 0;
	const char *s = arg;
	while ((s = next_word(s, &w)) && w.data) {
		struct ctl_chip ch;
		memset(&ch, 0, sizeof ch);
		struct err e;
		err_clear(&e);
		if (c->world.attach_file(c->world.attach_ctx, w.data, &ch, &e) < 0) {
			ctl_message(c, "%s", e.msg);
			while (added--) /* none of the line's files: it stays, to correct it */
				chip_free(&c->chips[--c->nchips]);
			buf_free(&w);
			c->dirty |= CTL_DIRTY_INPUT;
			return 1;
		}
		add_chip(c, &ch);
		added++;
	}
	buf_free(&w);
	if (!added)
		ctl_message(c, "/attach PATH...: name the files to send with your next message");
	else
		ctl_message(c, "%zu file%s will go with your next message (Backspace on an empty "
			       "input takes the last back)", c->nchips, c->nchips == 1 ? "" : "s");
	c->dirty |= CTL_DIRTY_INPUT;
	return 0;
}

int ctl_attach_backspace(struct ctl *c)
{
	size_t len;
	const char *s = edit_text(c->ed, &len);
	if ((s && len) || !c->nchips)
		return 0;
	struct ctl_chip *ch = &c->chips[--c->nchips];
	struct buf d = BUF_INIT;
	attach_describe(ch->name, ch->media_type, ch->size, &d);
	ctl_message(c, "removed %s", d.data ? d.data : "the attachment");
	buf_free(&d);
	chip_free(ch);
	c->dirty |= CTL_DIRTY_INPUT;
	return 1;
}

int ctl_attach_vision(const struct ctl *c, const struct provider *p, const char *model,
		      struct err *e)
{
	struct model_caps caps;
	providers_caps(p, model, &caps);
	for (size_t i = 0; caps.vision == MODEL_CAP_NO && i < c->nchips; i++)
		if (!strncmp(c->chips[i].media_type, "image/", 6)) {
			struct attach_part one = {ATTACH_IMAGE, c->chips[i].name, NULL, NULL, 0, NULL};
			return attach_check_vision(p, model, &one, 1, e);
		}
	return 0;
}

int ctl_attach_apply(struct ctl *c, struct hist_msg *user)
{
	for (size_t i = 0; i < c->nchips; i++) {
		const struct ctl_chip *ch = &c->chips[i];
		if (hist_msg_attach(user, ch->sha256, ch->name, ch->media_type, ch->size) < 0)
			return -1;
	}
	ctl_attach_free(c);
	c->dirty |= CTL_DIRTY_INPUT;
	return 0;
}

void ctl_chips_text(const struct ctl *c, struct buf *out)
{
	for (size_t i = 0; i < c->nchips; i++) {
		const struct ctl_chip *ch = &c->chips[i];
		char sz[16];
		attach_size_text(ch->size, sz);
		buf_append_str(out, i ? "  \xf0\x9f\x93\x8e " : "\xf0\x9f\x93\x8e ");
		attach_clean_name(ch->name, out);
		buf_printf(out, " %s \xc2\xb7 \xe2\x9c\x95", sz);
	}
}

void ctl_attach_footer(const struct hist_msg *m, struct buf *out)
{
	for (size_t i = 0; i < m->natt; i++) {
		if (i)
			buf_append_str(out, "  ");
		attach_describe(m->att[i].name, m->att[i].media_type, m->att[i].size, out);
	}
}

void ctl_attach_complete(struct ctl *c, const char *line, size_t len)
{
	/* the word being typed: after the last space that no backslash escapes */
	size_t start = 0;
	for (size_t i = 0; i < len; i++)
		if (line[i] == ' ' && !(i && line[i - 1] == '\\'))
			start = i + 1;
	struct buf word = BUF_INIT;
	next_word(line + start, &word);
	char **v = NULL;
	size_t n = 0;
	if (!c->world.attach_complete ||
	    c->world.attach_complete(c->world.attach_ctx, word.data ? word.data : "", &v, &n) < 0 || !n) {
		ctl_message(c, "no file matches");
		buf_free(&word);
		return;
	}
	size_t common = strlen(v[0]);
	for (size_t i = 1; i < n; i++) {
		size_t k = 0;
		while (k < common && v[i][k] == v[0][k])
			k++;
		common = k;
	}
	struct buf out = BUF_INIT;
	buf_append(&out, line, start);
	for (size_t k = 0; k < common; k++) {
		if (v[0][k] == ' ' || v[0][k] == '\\')
			buf_append_char(&out, '\\');
		buf_append_char(&out, v[0][k]);
	}
	if (out.data && out.len >= len)
		edit_set_text(c->ed, out.data, out.len);
	if (n > 1) {
		struct buf list = BUF_INIT;
		for (size_t i = 0; i < n && i < 12; i++) {
			const char *slash = strrchr(v[i], '/');
			const char *base = slash && slash[1] ? slash + 1 : v[i];
			buf_printf(&list, "%s%s", i ? "  " : "", base);
		}
		ctl_message(c, "%s%s", list.data ? list.data : "", n > 12 ? "  ..." : "");
		buf_free(&list);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	buf_free(&out);
	buf_free(&word);
	c->dirty |= CTL_DIRTY_INPUT;
}

/* ---- a paste: a file's path, or a long text, offered as an attachment ---- */

#define PASTE_ATTACH_THRESHOLD 2000

/* ui.paste_attach_threshold: characters of a paste above which it is offered as a text
 * file (0: never). */
static long paste_threshold(const struct ctl *c)
{
	json_t *v = c->cfg && c->cfg->ui ? json_object_get(c->cfg->ui, "paste_attach_threshold")
					 : NULL;
	return json_is_integer(v) && json_integer_value(v) >= 0 ? (long)json_integer_value(v)
								: PASTE_ATTACH_THRESHOLD;
}

static size_t chars(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}

void ctl_attach_pasted(struct ctl *c)
{
	size_t len, to = edit_cursor_offset(c->ed);
	const char *s = edit_text(c->ed, &len);
	if (!s || c->paste_from >= to || to > len || !c->world.attach_file)
		return;
	const char *p = s + c->paste_from;
	size_t n = to - c->paste_from;
	/* a path alone, as a file manager pastes it (maybe quoted, maybe a newline after) */
	size_t a = 0, b = n;
	while (a < b && (p[a] == ' ' || p[a] == '\'' || p[a] == '"'))
		a++;
	while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\n' || p[b - 1] == '\'' || p[b - 1] == '"'))
		b--;
	buf_reset(&c->offer);
	/* a path pasted into a command being typed (/attach ...) is that command's */
	int command = s[0] == '/' && c->paste_from > 0;
	if (!command && b > a && b - a < 4096 && (p[a] == '/' || p[a] == '~') &&
	    !memchr(p + a, '\n', b - a) &&
	    c->world.attach_exists && buf_append(&c->offer, p + a, b - a) == 0 &&
	    c->world.attach_exists(c->world.attach_ctx, c->offer.data)) {
		c->confirm_attach = 1;
	} else {
		long limit = paste_threshold(c);
		if (!limit || chars(p, n) <= (size_t)limit || !c->world.attach_text ||
		    buf_append(&c->offer, p, n) < 0)
			return;
		c->confirm_attach = 2;
	}
	c->mode = MODE_CONFIRM;
	c->dirty |= CTL_DIRTY_ALL;
}

void ctl_attach_question(const struct ctl *c, struct buf *out)
{
	if (c->confirm_attach == 1) {
		buf_append_str(out, "Attach the file ");
		attach_clean_name(c->offer.data, out);
		buf_append_str(out, " instead of pasting its name? (y/n)");
	} else {
		buf_printf(out, "Pasted %zu characters: attach them as a text file instead? (y/n)",
			   chars(c->offer.data ? c->offer.data : "", c->offer.len));
	}
}

/* Takes the paste back out of the input: it became a chip. */
static void unpaste(struct ctl *c)
{
	size_t len, to = edit_cursor_offset(c->ed);
	const char *s = edit_text(c->ed, &len);
	if (!s || c->paste_from > to || to > len)
		return;
	struct buf t = BUF_INIT;
	if (buf_append(&t, s, c->paste_from) == 0 && buf_append(&t, s + to, len - to) == 0)
		edit_set_text(c->ed, t.data ? t.data : "", t.len);
	buf_wipe_free(&t);
}

void ctl_attach_offer(struct ctl *c, int yes)
{
	int kind = c->confirm_attach;
	c->confirm_attach = 0;
	if (!yes) {
		ctl_message(c, "kept as text");
	} else {
		struct ctl_chip ch;
		memset(&ch, 0, sizeof ch);
		struct err e;
		err_clear(&e);
		int r = kind == 1 ? c->world.attach_file(c->world.attach_ctx, c->offer.data, &ch, &e)
				  : c->world.attach_text(c->world.attach_ctx, "pasted.txt",
							 c->offer.data, c->offer.len, &ch, &e);
		if (r < 0) {
			ctl_message(c, "%s", e.msg);
		} else {
			unpaste(c);
			add_chip(c, &ch);
			ctl_message(c, "attached; it goes with your next message");
		}
	}
	buf_wipe_free(&c->offer);
	c->dirty |= CTL_DIRTY_ALL;
}

/* ---- the file chooser (M-a): a directory's files, filtered as you type ---- */

static void open_chooser(struct ctl *c, const char *dir)
{
	char **v = NULL;
	size_t n = 0;
	if (!c->world.attach_complete) {
		ctl_message(c, "attachments are not available here");
		return;
	}
	if (c->world.attach_complete(c->world.attach_ctx, dir, &v, &n) < 0) {
		ctl_message(c, "cannot list %s", *dir ? dir : "this directory");
		return;
	}
	ctl_overlay_close(c);
	struct buf up = BUF_INIT;
	buf_printf(&up, "%s../", dir);
	ctl_overlay_push(&c->ov, up.data ? up.data : "../", "../");
	buf_free(&up);
	for (size_t i = 0; i < n; i++) {
		const char *base = v[i] + strlen(dir);
		struct buf label = BUF_INIT;
		attach_clean_name(base, &label);
		ctl_overlay_push(&c->ov, v[i], label.data ? label.data : "");
		buf_free(&label);
		free(v[i]);
	}
	free(v);
	ctl_overlay_ready(c, CTL_OV_FILES, NULL);
	c->dirty |= CTL_DIRTY_ALL;
}

void ctl_h_attach_file(struct ctl *c)
{
	open_chooser(c, "");
}

void ctl_attach_chosen(struct ctl *c, const char *path)
{
	size_t n = strlen(path);
	if (n && path[n - 1] == '/') {
		open_chooser(c, path);
		return;
	}
	struct ctl_chip ch;
	memset(&ch, 0, sizeof ch);
	struct err e;
	err_clear(&e);
	if (c->world.attach_file(c->world.attach_ctx, path, &ch, &e) < 0) {
		ctl_message(c, "%s", e.msg);
		return;
	}
	add_chip(c, &ch);
	ctl_message(c, "%zu file%s will go with your next message", c->nchips,
		    c->nchips == 1 ? "" : "s");
	c->dirty |= CTL_DIRTY_INPUT;
}
