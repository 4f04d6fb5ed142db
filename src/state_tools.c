/* state_tools: which MCP servers each conversation turned on, in the state directory
 * (state_tools.h). */
#include "cherry/state_tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cherry/fsutil.h"

#define FILE_NAME "tools.json"
#define FILE_MAX (16u << 20)
#define VERSION 1

static int oom(struct err *e)
{
	err_set(e, EXIT_FAIL, "out of memory");
	return -1;
}

void state_tools_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The file's "conversations" object (borrowed from *root, which the caller decrefs);
 * NULL with e when the text is not such a file. */
static json_t *load(const char *text, size_t len, json_t **root, struct err *e)
{
	json_error_t je;
	*root = json_loadb(text, len, 0, &je);
	json_t *convs = json_object_get(*root, "conversations");
	if (!json_is_object(convs)) {
		err_set(e, EXIT_FAIL, "%s", *root ? "no \"conversations\" object" : je.text);
		return NULL;
	}
	return convs;
}

int state_tools_parse(const char *text, size_t len, const char *id, char ***names, size_t *n,
		      struct err *e)
{
	json_t *root, *convs = load(text, len, &root, e);
	*names = NULL;
	*n = 0;
	if (!convs) {
		json_decref(root);
		return -1;
	}
	json_t *list = json_object_get(convs, id), *v;
	size_t i, k = json_is_array(list) ? json_array_size(list) : 0;
	int rc = 0;
	if (k && !(*names = calloc(k, sizeof **names)))
		rc = oom(e);
	json_array_foreach(list, i, v)
		if (rc == 0 && json_is_string(v) && !((*names)[(*n)++] = strdup(json_string_value(v))))
			rc = oom(e);
	json_decref(root);
	if (rc < 0 || !*n) {
		state_tools_names_free(*names, *n);
		*names = NULL;
		*n = 0;
	}
	return rc;
}

int state_tools_update(const char *text, size_t len, const char *id, char *const *names,
		       size_t n, struct buf *out, struct err *e)
{
	json_t *root = NULL, *convs = text ? load(text, len, &root, e) : NULL;
	if (text && !convs) {
		json_decref(root);
		return -1;
	}
	if (!text) {
		root = json_pack("{s:i,s:{}}", "version", VERSION, "conversations");
		convs = json_object_get(root, "conversations");
	}
	json_t *list = n ? json_array() : NULL;
	int bad = !root || (n && !list);
	for (size_t i = 0; !bad && i < n; i++)
		bad = json_array_append_new(list, json_string(names[i])) < 0;
	if (!bad)
		bad = n ? json_object_set_new(convs, id, list) < 0
			: (json_object_del(convs, id), 0);
	else
		json_decref(list);
	size_t flags = JSON_INDENT(2) | JSON_SORT_KEYS;
	size_t need = bad ? 0 : json_dumpb(root, NULL, 0, flags);
	if (!need || buf_reserve(out, need + 2) < 0 ||
	    json_dumpb(root, out->data + out->len, need, flags) != need)
		bad = 1;
	else
		out->len += need;
	json_decref(root);
	if (bad || buf_append_char(out, '\n') < 0)
		return oom(e);
	return 0;
}

/* The file's path into path, its text into text: 0; 1 no file; 2 a file that cannot be
 * read as one, set aside (e says where); -1 with e. */
static int read_state(struct buf *dir, struct buf *path, struct buf *text, struct err *e)
{
	if (xdg_dir(XDG_STATE, dir, e) < 0)
		return -1;
	if (buf_printf(path, "%s/" FILE_NAME, dir->data) < 0)
		return oom(e);
	int r = fs_read_file(path->data, FILE_MAX, text, e);
	if (r != 0)
		return r;
	json_t *root;
	struct err pe;
	err_clear(&pe);
	int ok = load(text->data, text->len, &root, &pe) != NULL;
	json_decref(root);
	if (ok)
		return 0;
	struct buf aside = BUF_INIT;
	int moved = buf_printf(&aside, "%s.corrupt", path->data) == 0 &&
		    rename(path->data, aside.data) == 0;
	err_set(e, EXIT_FAIL, "%s cannot be read (%s): the MCP servers of each conversation "
		"start afresh; %s%s", path->data, pe.msg, moved ? "the old file is " : "it is left "
		"in place", moved ? aside.data : "");
	buf_free(&aside);
	return 2;
}

int state_tools_get(const char *id, char ***names, size_t *n, struct err *e)
{
	struct buf dir = BUF_INIT, path = BUF_INIT, text = BUF_INIT;
	*names = NULL;
	*n = 0;
	int rc = read_state(&dir, &path, &text, e);
	if (rc == 0)
		rc = state_tools_parse(text.data, text.len, id, names, n, e);
	else if (rc == 1)
		rc = 0;
	buf_free(&dir);
	buf_free(&path);
	buf_free(&text);
	return rc ? -1 : 0;
}

int state_tools_set(const char *id, char *const *names, size_t n, struct err *e)
{
	struct buf dir = BUF_INIT, path = BUF_INIT, text = BUF_INIT, out = BUF_INIT;
	/* a file set aside (2) is replaced by a new one; one that could not be read (-1)
	 * is never overwritten */
	int r = read_state(&dir, &path, &text, e);
	int rc = r < 0 ? -1
		 : state_tools_update(r == 0 ? text.data : NULL, text.len, id, names, n, &out, e);
	if (rc == 0)
		rc = fs_mkdirs(dir.data, e) == 0 ? fs_write_atomic(path.data, out.data, out.len, e)
						 : -1;
	buf_free(&dir);
	buf_free(&path);
	buf_free(&text);
	buf_free(&out);
	return rc;
}
