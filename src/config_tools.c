/* config_tools: config.json's "tools" (the tool loop's limits and the tools the user
 * always allows), and adding one to always_allow in the file when the user says
 * "always". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/jsonmem.h"
#include "cherry/config.h"
#include "cherry/fsutil.h"

#define CONFIG_MAX_BYTES (4u << 20)

static int bad(struct err *e, const char *file, const char *what)
{
	err_set(e, EXIT_FAIL, "%s: tools.%s", file, what);
	return -1;
}

static int get_limit(json_t *obj, const char *key, long *dst, const char *file, struct err *e)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000000000) {
		err_set(e, EXIT_FAIL, "%s: tools.%s must be a whole number from 1", file, key);
		return -1;
	}
	*dst = (long)json_integer_value(v);
	return 0;
}

int config_tools_parse(struct config *c, json_t *obj, const char *file, config_warn_fn warn,
		       void *warn_ctx, struct err *e)
{
	static const char *const known[] = {"max_rounds", "max_result_bytes", "always_allow"};
	if (!json_is_object(obj)) {
		err_set(e, EXIT_FAIL, "%s: tools must be an object", file);
		return -1;
	}
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		int ok = 0;
		for (size_t i = 0; i < sizeof known / sizeof *known; i++)
			ok |= !strcmp(k, known[i]);
		if (!ok && warn) {
			char line[300];
			snprintf(line, sizeof line, "%s: unknown key tools.%.100s (ignored)", file, k);
			warn(warn_ctx, line);
		}
	}
	if (get_limit(obj, "max_rounds", &c->tools.max_rounds, file, e) < 0
	    || get_limit(obj, "max_result_bytes", &c->tools.max_result_bytes, file, e) < 0)
		return -1;
	json_t *arr = json_object_get(obj, "always_allow");
	if (!arr)
		return 0;
	size_t i;
	if (!json_is_array(arr))
		return bad(e, file, "always_allow must be an array of \"SERVER/TOOL\" strings");
	json_array_foreach(arr, i, v)
		if (!json_is_string(v) || !strchr(json_string_value(v), '/'))
			return bad(e, file, "always_allow must be an array of \"SERVER/TOOL\" strings");
	char **names = calloc(json_array_size(arr) + 1, sizeof *names);
	if (!names) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	json_array_foreach(arr, i, v)
		if (!(names[i] = strdup(json_string_value(v)))) {
			for (size_t k2 = 0; k2 < i; k2++)
				free(names[k2]);
			free(names);
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
	config_tools_free(c);
	c->tools.always_allow = names;
	c->tools.nalways_allow = json_array_size(arr);
	return 0;
}

void config_tools_free(struct config *c)
{
	for (size_t i = 0; i < c->tools.nalways_allow; i++)
		free(c->tools.always_allow[i]);
	free(c->tools.always_allow);
	c->tools.always_allow = NULL;
	c->tools.nalways_allow = 0;
}

long config_tools_max_rounds(const struct config *c)
{
	return c->tools.max_rounds > 0 ? c->tools.max_rounds : CONFIG_TOOLS_MAX_ROUNDS;
}

long config_tools_max_result_bytes(const struct config *c)
{
	return c->tools.max_result_bytes > 0 ? c->tools.max_result_bytes
					     : CONFIG_TOOLS_MAX_RESULT_BYTES;
}

static int same(const char *entry, const char *server, const char *tool)
{
	size_t n = strlen(server);
	return !strncmp(entry, server, n) && entry[n] == '/' && !strcmp(entry + n + 1, tool);
}

int config_tools_always(const struct config *c, const char *server, const char *tool)
{
	for (size_t i = 0; i < c->tools.nalways_allow; i++)
		if (same(c->tools.always_allow[i], server, tool))
			return 1;
	return 0;
}

int config_tools_save_always(struct config *c, const char *path, const char *server,
			     const char *tool, struct err *e)
{
	struct buf text = BUF_INIT, name = BUF_INIT;
	json_t *root = NULL;
	int rc = -1, r = fs_read_file(path, CONFIG_MAX_BYTES, &text, e);
	if (r < 0)
		goto out;
	json_error_t jerr;
	root = r == 1 ? json_object() : json_loadb(text.data, text.len, 0, &jerr);
	if (!json_is_object(root)) {
		err_set(e, EXIT_FAIL, "%s is not a JSON object: \"always\" not saved", path);
		goto out;
	}
	json_t *tools = json_object_get(root, "tools");
	if (!tools && json_object_set_new(root, "tools", tools = json_object()) < 0)
		goto oom;
	json_t *arr = json_is_object(tools) ? json_object_get(tools, "always_allow") : NULL;
	if (json_is_object(tools) && !arr
	    && json_object_set_new(tools, "always_allow", arr = json_array()) < 0)
		goto oom;
	if (!json_is_array(arr)) {
		err_set(e, EXIT_FAIL, "%s: tools.always_allow is not an array: \"always\" not saved",
			path);
		goto out;
	}
	if (buf_printf(&name, "%s/%s", server, tool) < 0)
		goto oom;
	if (!config_tools_always(c, server, tool)) {
		char **v = realloc(c->tools.always_allow,
				   (c->tools.nalways_allow + 1) * sizeof *v);
		if (!v)
			goto oom;
		c->tools.always_allow = v;
		if (!(v[c->tools.nalways_allow] = strdup(name.data)))
			goto oom;
		c->tools.nalways_allow++;
		if (json_array_append_new(arr, json_string(name.data)) < 0)
			goto oom;
	}
	char *out = jsonmem_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!out)
		goto oom;
	buf_reset(&text);
	if (buf_append_str(&text, out) == 0 && buf_append_char(&text, '\n') == 0)
		rc = fs_write_atomic(path, text.data, text.len, e);
	else
		err_set(e, EXIT_FAIL, "out of memory");
	free(out);
	goto out;
oom:
	err_set(e, EXIT_FAIL, "out of memory");
out:
	json_decref(root);
	buf_free(&text);
	buf_free(&name);
	return rc;
}

int config_tools_save_always_here(struct config *c, const char *server, const char *tool,
				  struct buf *path, struct err *e)
{
	int rc = c->path ? buf_append_str(path, c->path)
			 : xdg_dir(XDG_CONFIG, path, e) < 0 || fs_mkdirs(path->data, e) < 0
					   || buf_append_str(path, "/config.json") < 0
				   ? -1
				   : 0;
	if (rc == 0)
		rc = config_tools_save_always(c, path->data, server, tool, e);
	if (rc < 0 && !e->code)
		err_set(e, EXIT_FAIL, "out of memory");
	return rc;
}
