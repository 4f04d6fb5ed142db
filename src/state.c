/* state: the client's last-conversation file and prompt ring, small files written whole. */
#include "cherry/state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cherry/buf.h"
#include "cherry/fsutil.h"

#define STATE_MAX_FILE (16u << 20)

static int oom(struct err *e)
{
	err_set(e, EXIT_FAIL, "out of memory");
	return -1;
}

/* dir gets $XDG_STATE_HOME/cherry, path dir/name. */
static int state_path(const char *name, struct buf *dir, struct buf *path, struct err *e)
{
	if (xdg_dir(XDG_STATE, dir, e) < 0)
		return -1;
	if (buf_printf(path, "%s/%s", dir->data, name) < 0)
		return oom(e);
	return 0;
}

/* Written whole and renamed into place, never torn, but not synced: a power cut costs at
 * most which conversation reopens or the last prompts recalled, and an fsync on the key
 * path (the client sets the last conversation as it opens one) costs milliseconds to
 * tens of them on a busy disk. */
static int state_write(const char *name, const char *data, size_t len, struct err *e)
{
	struct buf dir = BUF_INIT, path = BUF_INIT;
	int rc = -1;
	if (state_path(name, &dir, &path, e) == 0 && fs_mkdirs(dir.data, e) == 0)
		rc = fs_write_replace(path.data, data, len, e);
	buf_free(&dir);
	buf_free(&path);
	return rc;
}

int state_last_get(char id[HIST_ID_MAX + 1])
{
	struct buf dir = BUF_INIT, path = BUF_INIT, text = BUF_INIT;
	struct err e = {0, ""};
	int rc = -1;
	if (state_path("last", &dir, &path, &e) == 0)
		rc = fs_read_file(path.data, 4096, &text, &e);
	if (rc == 0) {
		char *p = text.data;
		size_t n = strlen(p);
		while (n && strchr(" \t\r\n", p[n - 1]))
			p[--n] = '\0';
		if (hist_id_valid(p))
			memcpy(id, p, strlen(p) + 1);
		else
			rc = 1;
	}
	buf_free(&dir);
	buf_free(&path);
	buf_free(&text);
	return rc;
}

int state_last_set(const char *id)
{
	struct err e = {0, ""};
	if (id && *id) {
		if (!hist_id_valid(id))
			return -1;
		char was[HIST_ID_MAX + 1];
		if (state_last_get(was) == 0 && !strcmp(was, id))
			return 0; /* as it is: the conversation reopened at start writes nothing */
		struct buf line = BUF_INIT;
		int rc = buf_printf(&line, "%s\n", id) < 0 ? -1 :
			 state_write("last", line.data, line.len, &e);
		buf_free(&line);
		return rc;
	}
	struct buf dir = BUF_INIT, path = BUF_INIT;
	int rc = state_path("last", &dir, &path, &e) < 0 ? -1 : 0;
	if (rc == 0 && unlink(path.data) < 0 && errno != ENOENT)
		rc = -1;
	buf_free(&dir);
	buf_free(&path);
	return rc;
}

/* Recall puts these back in the input box: nothing a terminal would act on. */
static int plain_prompt(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
			return 0;
	return 1;
}

int state_prompts_load(struct edit *ed, struct err *e)
{
	struct buf dir = BUF_INIT, path = BUF_INIT, text = BUF_INIT;
	int rc = -1;
	if (state_path("prompts.json", &dir, &path, e) < 0)
		goto out;
	rc = fs_read_file(path.data, STATE_MAX_FILE, &text, e);
	if (rc != 0) {
		rc = rc == 1 ? 0 : -1;
		goto out;
	}
	json_error_t je;
	json_t *root = json_loadb(text.data, text.len, 0, &je);
	if (!json_is_array(root)) {
		/* Set aside, as PRODUCT §3 asks of files we cannot parse; the ring is only
		 * convenience, so the next save simply starts a new file. */
		struct buf aside = BUF_INIT;
		int moved = buf_printf(&aside, "%s.corrupt", path.data) == 0 &&
			    rename(path.data, aside.data) == 0;
		err_set(e, EXIT_FAIL, "%s cannot be read (%s); %s%s", path.data,
			root ? "not a JSON array" : je.text, moved ? "moved to " : "left in place",
			moved ? aside.data : "");
		buf_free(&aside);
		json_decref(root);
		rc = -1;
		goto out;
	}
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		const char *s = json_string_value(v);
		if (!s || !plain_prompt(s))
			continue;
		if (edit_history_add(ed, s, strlen(s)) < 0) {
			rc = oom(e);
			break;
		}
	}
	json_decref(root);
out:
	buf_free(&dir);
	buf_free(&path);
	buf_free(&text);
	return rc;
}

int state_prompts_save(const struct edit *ed, struct err *e)
{
	json_t *arr = json_array();
	struct buf b = BUF_INIT;
	int rc = -1;
	if (!arr)
		return oom(e);
	for (size_t i = 0; i < edit_history_count(ed); i++) {
		json_t *s = json_string(edit_history_get(ed, i));
		/* NULL: not UTF-8 (the editor makes it so; skip rather than fail) or OOM. */
		if (s && json_array_append_new(arr, s) < 0)
			goto out;
	}
	/* Into our own buffer: a json_dumps string would need jansson's free. */
	size_t flags = JSON_INDENT(2);
	size_t need = json_dumpb(arr, NULL, 0, flags);
	if (!need || buf_reserve(&b, need + 2) < 0 || json_dumpb(arr, b.data, need, flags) != need)
		goto out;
	b.len = need;
	b.data[b.len] = '\0';
	if (buf_append_char(&b, '\n') < 0)
		goto out;
	rc = state_write("prompts.json", b.data, b.len, e);
out:
	if (rc < 0 && !e->code)
		oom(e);
	json_decref(arr);
	buf_free(&b);
	return rc;
}
