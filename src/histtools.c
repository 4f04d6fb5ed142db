/* histtools: tool calls and results in the conversation model and its file (pure). An
 * answer that called tools keeps them in "tool_calls" [{id, name, arguments (an object),
 * signature?}]; each result is a message of its own, role "tool", its text as content,
 * with "tool_call_id", "tool_name", "is_error" when it failed or was refused, and
 * "truncated_from" (the bytes it had) when it was capped. */
#include <stdlib.h>
#include <string.h>

#include "cherry/jsonmem.h"
#include "cherry/history.h"

static char *dup_or_null(const char *s, int *bad)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*bad = 1;
	return d;
}

int hist_msg_add_call(struct hist_msg *m, const char *id, const char *name, const char *args,
		      const char *sig)
{
	struct hist_call *v = realloc(m->calls, (m->ncalls + 1) * sizeof *v);
	if (!v)
		return -1;
	m->calls = v;
	int bad = 0;
	struct hist_call c = {dup_or_null(id ? id : "", &bad), dup_or_null(name ? name : "", &bad),
			      dup_or_null(args && *args ? args : "{}", &bad), dup_or_null(sig, &bad)};
	if (bad) {
		free(c.id);
		free(c.name);
		free(c.args);
		free(c.sig);
		return -1;
	}
	m->calls[m->ncalls++] = c;
	return 0;
}

int hist_msg_set_result(struct hist_msg *m, const char *call_id, const char *name, int error,
			long long full)
{
	if (hist_set_str(&m->tool_call_id, call_id ? call_id : "") < 0
	    || hist_set_str(&m->tool_name, name ? name : "") < 0)
		return -1;
	m->tool_error = error;
	m->tool_full = full;
	return 0;
}

int hist_msg_set_items(struct hist_msg *m, const char *items)
{
	return hist_set_str(&m->provider_items, items && *items ? items : NULL);
}

void hist_tools_free(struct hist_msg *m)
{
	for (size_t i = 0; i < m->ncalls; i++) {
		free(m->calls[i].id);
		free(m->calls[i].name);
		free(m->calls[i].args);
		free(m->calls[i].sig);
	}
	free(m->calls);
	m->calls = NULL;
	m->ncalls = 0;
	free(m->tool_call_id);
	free(m->tool_name);
	free(m->provider_items);
	m->tool_call_id = m->tool_name = m->provider_items = NULL;
}

int hist_has_tools(const struct hist_conv *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->msgs[i].ncalls || c->msgs[i].tool_call_id || c->msgs[i].provider_items)
			return 1;
	return 0;
}

int hist_tools_json(const struct hist_msg *m, json_t *o)
{
	if (m->ncalls) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < m->ncalls; i++) {
			const struct hist_call *c = &m->calls[i];
			json_error_t jerr;
			/* The arguments as an object, to be read; text that is not one stays text. */
			json_t *args = json_loads(c->args, 0, &jerr);
			if (!json_is_object(args)) {
				json_decref(args);
				args = json_string(c->args);
			}
			json_t *o1 = json_pack("{s:s,s:s,s:o,s:s*}", "id", c->id, "name", c->name,
					       "arguments", args, "signature", c->sig);
			if (json_array_append_new(arr, o1) < 0) {
				json_decref(arr);
				return -1;
			}
		}
		if (json_object_set_new(o, "tool_calls", arr) < 0)
			return -1;
	}
	if (m->provider_items) {
		json_error_t jerr;
		json_t *items = json_loads(m->provider_items, 0, &jerr);
		if (json_is_array(items) && json_object_set_new(o, "provider_items", items) < 0)
			return -1;
		if (!json_is_array(items))
			json_decref(items);
	}
	if (!m->tool_call_id)
		return 0;
	if (json_object_set_new(o, "tool_call_id", json_string(m->tool_call_id)) < 0
	    || json_object_set_new(o, "tool_name", json_string(m->tool_name ? m->tool_name : ""))
		       < 0
	    || (m->tool_error && json_object_set_new(o, "is_error", json_true()) < 0)
	    || (m->tool_full > 0
		&& json_object_set_new(o, "truncated_from", json_integer(m->tool_full)) < 0))
		return -1;
	return 0;
}

static int bad(struct err *e, const struct hist_msg *m, const char *what)
{
	err_set(e, EXIT_FAIL, "message %s has a bad \"%s\"", m->id ? m->id : "?", what);
	return -1;
}

static int read_call(json_t *c, struct hist_msg *m, struct err *e, int *oom)
{
	json_t *id = json_object_get(c, "id"), *name = json_object_get(c, "name");
	json_t *args = json_object_get(c, "arguments"), *sig = json_object_get(c, "signature");
	if (!json_is_string(id) || !json_is_string(name) || (sig && !json_is_string(sig))
	    || (args && !json_is_object(args) && !json_is_string(args)))
		return bad(e, m, "tool_calls");
	char *text = json_is_object(args) ? jsonmem_dumps(args, JSON_COMPACT | JSON_PRESERVE_ORDER)
					  : NULL;
	if (json_is_object(args) && !text) {
		*oom = 1;
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	int r = hist_msg_add_call(m, json_string_value(id), json_string_value(name),
				  text ? text : json_string_value(args), json_string_value(sig));
	free(text);
	if (r < 0) {
		*oom = 1;
		err_set(e, EXIT_FAIL, "out of memory");
	}
	return r;
}

int hist_tools_read(json_t *o, struct hist_msg *m, struct err *e, int *oom)
{
	json_t *calls = json_object_get(o, "tool_calls");
	if (calls && !json_is_null(calls)) {
		size_t i;
		json_t *c;
		if (!json_is_array(calls))
			return bad(e, m, "tool_calls");
		json_array_foreach(calls, i, c)
			if (read_call(c, m, e, oom) < 0)
				return -1;
	}
	json_t *items = json_object_get(o, "provider_items");
	if (items && !json_is_null(items)) {
		if (!json_is_array(items))
			return bad(e, m, "provider_items");
		m->provider_items = jsonmem_dumps(items, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!m->provider_items) {
			*oom = 1;
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
	}
	json_t *id = json_object_get(o, "tool_call_id");
	if (!id || json_is_null(id))
		return 0;
	json_t *name = json_object_get(o, "tool_name"), *err = json_object_get(o, "is_error");
	json_t *full = json_object_get(o, "truncated_from");
	if (!json_is_string(id))
		return bad(e, m, "tool_call_id");
	if (name && !json_is_string(name))
		return bad(e, m, "tool_name");
	if (err && !json_is_boolean(err))
		return bad(e, m, "is_error");
	if (full && (!json_is_integer(full) || json_integer_value(full) < 0))
		return bad(e, m, "truncated_from");
	if (hist_msg_set_result(m, json_string_value(id), json_string_value(name), json_is_true(err),
				full ? (long long)json_integer_value(full) : 0) < 0) {
		*oom = 1;
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return 0;
}
