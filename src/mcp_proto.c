/* mcp_proto: MCP's JSON-RPC 2.0 messages as pure values (see mcp_proto.h). */
#include <stdlib.h>
#include <string.h>

#include "cherry/jsonmem.h"
#include "cherry/mcp_proto.h"

static int is_id(const json_t *v)
{
	return json_is_string(v) || json_is_integer(v);
}

int mcp_decode(const char *text, size_t len, struct mcp_msg *m, struct err *e)
{
	memset(m, 0, sizeof *m);
	json_error_t je;
	int oom = 0;
	/* No JSON_DECODE_ANY: a batch array or a bare value is not an MCP message. */
	json_t *root = jsonmem_loadb(text, len, JSON_REJECT_DUPLICATES, &je, &oom);
	if (!root) {
		err_set(e, EXIT_FAIL, oom ? "out of memory" : "not JSON-RPC: %s", je.text);
		return -1;
	}
	const char *why = NULL;
	json_t *ver = json_object_get(root, "jsonrpc");
	json_t *id = json_object_get(root, "id");
	json_t *method = json_object_get(root, "method");
	json_t *result = json_object_get(root, "result");
	json_t *error = json_object_get(root, "error");
	json_t *params = json_object_get(root, "params");
	if (!json_is_string(ver) || strcmp(json_string_value(ver), "2.0") != 0)
		why = "no \"jsonrpc\":\"2.0\"";
	else if (method) {
		if (!json_is_string(method))
			why = "method is not a string";
		else if (result || error)
			why = "a request with a result";
		else if (params && !json_is_object(params) && !json_is_array(params))
			why = "params is neither object nor array";
		else if (id && !is_id(id))
			why = "request id is neither string nor integer";
		else {
			m->kind = id ? MCP_REQUEST : MCP_NOTIFICATION;
			m->method = json_string_value(method);
			m->params = params;
		}
	} else if (result && error)
		why = "both result and error";
	else if (result) {
		if (!is_id(id))
			why = "response id is neither string nor integer";
		else
			m->kind = MCP_RESULT;
		m->result = result;
	} else if (error) {
		json_t *code = json_object_get(error, "code");
		json_t *msg = json_object_get(error, "message");
		/* A server that could not read our request answers with a null id. */
		if (id && !is_id(id) && !json_is_null(id))
			why = "error id is neither string, integer nor null";
		else if (!json_is_integer(code) || !json_is_string(msg))
			why = "error without an integer code and a message";
		else {
			m->kind = MCP_ERROR;
			m->error_code = json_integer_value(code);
			m->error_message = json_string_value(msg);
			m->error_data = json_object_get(error, "data");
		}
	} else
		why = json_is_object(root) ? "neither request, notification nor response"
					   : "not an object";
	if (why) {
		json_decref(root);
		memset(m, 0, sizeof *m);
		err_set(e, EXIT_FAIL, "not JSON-RPC: %s", why);
		return -1;
	}
	m->root = root;
	m->id = id && !json_is_null(id) ? id : NULL;
	return 0;
}

void mcp_msg_free(struct mcp_msg *m)
{
	json_decref(m->root);
	memset(m, 0, sizeof *m);
}

int mcp_id_is(const struct mcp_msg *m, long long n)
{
	return json_is_integer(m->id) && json_integer_value(m->id) == n;
}

static json_t *envelope(void)
{
	return json_pack("{s:s}", "jsonrpc", "2.0");
}

/* Sets key to v (stolen) when v is not NULL; on failure frees obj and returns NULL. */
static json_t *with(json_t *obj, const char *key, json_t *v)
{
	if (!obj) {
		json_decref(v);
		return NULL;
	}
	if (v && json_object_set_new(obj, key, v) < 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

json_t *mcp_request(long long id, const char *method, json_t *params)
{
	json_t *m = envelope();
	m = with(m, "id", json_integer(id));
	m = with(m, "method", json_string(method));
	return with(m, "params", params);
}

json_t *mcp_notification(const char *method, json_t *params)
{
	json_t *m = with(envelope(), "method", json_string(method));
	return with(m, "params", params);
}

json_t *mcp_response(const json_t *id, json_t *result)
{
	json_t *m = with(envelope(), "id", json_deep_copy(id));
	return with(m, "result", result ? result : json_object());
}

json_t *mcp_error_response(const json_t *id, int code, const char *message)
{
	json_t *m = with(envelope(), "id", id ? json_deep_copy(id) : json_null());
	return with(m, "error", json_pack("{s:i,s:s}", "code", code, "message", message));
}

int mcp_dump(const json_t *v, size_t flags, struct buf *out)
{
	return jsonmem_dump(v, flags, out);
}

int mcp_frame(const json_t *msg, struct buf *out)
{
	/* Never JSON_INDENT: a frame must not contain a newline; jansson escapes those
	 * inside strings. A failed frame leaves out as it was. */
	size_t before = out->len;
	if (mcp_dump(msg, JSON_COMPACT, out) < 0 || buf_append_char(out, '\n') < 0) {
		out->len = before;
		if (out->data)
			out->data[before] = '\0';
		return -1;
	}
	return 0;
}

json_t *mcp_initialize_params(const char *client_name, const char *client_version)
{
	return json_pack("{s:s,s:{},s:{s:s,s:s}}", "protocolVersion", MCP_PROTOCOL_VERSION,
			 "capabilities", "clientInfo", "name", client_name, "version",
			 client_version);
}

static int dup_opt(const json_t *v, char **dst)
{
	*dst = NULL;
	if (!json_is_string(v))
		return 0;
	*dst = strdup(json_string_value(v));
	return *dst ? 0 : -1;
}

int mcp_server_info_parse(const json_t *result, struct mcp_server_info *info, struct err *e)
{
	memset(info, 0, sizeof *info);
	json_t *ver = json_object_get(result, "protocolVersion");
	if (!json_is_string(ver)) {
		err_set(e, EXIT_FAIL, "initialize: the server named no protocolVersion");
		return -1;
	}
	const char *v = json_string_value(ver);
	/* 2025-03-26 has the same tool messages minus title, outputSchema and
	 * structuredContent, which cherry reads only when present. */
	if (strcmp(v, MCP_PROTOCOL_VERSION) != 0 && strcmp(v, "2025-03-26") != 0) {
		err_set(e, EXIT_FAIL,
			"initialize: the server speaks MCP %.64s; cherry speaks %s and 2025-03-26", v,
			MCP_PROTOCOL_VERSION);
		return -1;
	}
	json_t *server = json_object_get(result, "serverInfo");
	json_t *tools = json_object_get(json_object_get(result, "capabilities"), "tools");
	if (dup_opt(ver, &info->protocol_version) < 0 ||
	    dup_opt(json_object_get(server, "name"), &info->name) < 0 ||
	    dup_opt(json_object_get(server, "version"), &info->version) < 0 ||
	    dup_opt(json_object_get(result, "instructions"), &info->instructions) < 0) {
		mcp_server_info_free(info);
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	info->has_tools = json_is_object(tools);
	info->tools_list_changed = json_is_true(json_object_get(tools, "listChanged"));
	return 0;
}

void mcp_server_info_free(struct mcp_server_info *info)
{
	free(info->protocol_version);
	free(info->name);
	free(info->version);
	free(info->instructions);
	memset(info, 0, sizeof *info);
}

json_t *mcp_tools_list_params(const char *cursor)
{
	return cursor ? json_pack("{s:s}", "cursor", cursor) : json_object();
}

static int tools_push(struct mcp_tools *list, const json_t *t)
{
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;
		struct mcp_tool *v = realloc(list->v, cap * sizeof *v);
		if (!v)
			return -1;
		list->v = v;
		list->cap = cap;
	}
	struct mcp_tool *tool = &list->v[list->n];
	memset(tool, 0, sizeof *tool);
	if (dup_opt(json_object_get(t, "name"), &tool->name) < 0 ||
	    dup_opt(json_object_get(t, "title"), &tool->title) < 0 ||
	    dup_opt(json_object_get(t, "description"), &tool->description) < 0) {
		free(tool->name);
		free(tool->title);
		return -1;
	}
	tool->input_schema = json_incref(json_object_get(t, "inputSchema"));
	list->n++;
	return 0;
}

int mcp_tools_page(const json_t *result, struct mcp_tools *list, char **next, struct err *e)
{
	*next = NULL;
	json_t *tools = json_object_get(result, "tools");
	if (!json_is_array(tools)) {
		err_set(e, EXIT_FAIL, "tools/list: no tools array in the result");
		return -1;
	}
	size_t i;
	json_t *t;
	json_array_foreach(tools, i, t) {
		if (!json_is_string(json_object_get(t, "name")) ||
		    !json_is_object(json_object_get(t, "inputSchema"))) {
			err_set(e, EXIT_FAIL, "tools/list: tool %zu has no name or no inputSchema", i);
			return -1;
		}
	}
	json_array_foreach(tools, i, t) {
		if (tools_push(list, t) < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
	}
	json_t *cursor = json_object_get(result, "nextCursor");
	if (dup_opt(cursor, next) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return 0;
}

void mcp_tools_free(struct mcp_tools *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->v[i].name);
		free(list->v[i].title);
		free(list->v[i].description);
		json_decref(list->v[i].input_schema);
	}
	free(list->v);
	memset(list, 0, sizeof *list);
}

json_t *mcp_call_params(const char *name, json_t *arguments, const char *progress_token)
{
	json_t *p = json_pack("{s:s}", "name", name);
	p = with(p, "arguments", arguments ? arguments : json_object());
	if (p && progress_token)
		p = with(p, "_meta", json_pack("{s:s}", "progressToken", progress_token));
	return p;
}

json_t *mcp_cancelled(long long request_id, const char *reason)
{
	json_t *p = json_pack("{s:I}", "requestId", (json_int_t)request_id);
	if (p && reason)
		p = with(p, "reason", json_string(reason));
	return mcp_notification("notifications/cancelled", p);
}

/* One content block as text for the model: text as is, the rest as a short note. */
static int block_text(const json_t *b, struct buf *out, size_t *nimages)
{
	const char *type = json_string_value(json_object_get(b, "type"));
	const char *s;
	if (!type)
		return buf_append_str(out, "[content block without a type]");
	if (strcmp(type, "text") == 0)
		return buf_append_str(out, (s = json_string_value(json_object_get(b, "text"))) ? s : "");
	if (strcmp(type, "image") == 0)
		++*nimages;
	if (strcmp(type, "resource_link") == 0) {
		s = json_string_value(json_object_get(b, "uri"));
		return buf_printf(out, "[resource link: %s]", s ? s : "?");
	}
	if (strcmp(type, "resource") == 0) {
		const json_t *res = json_object_get(b, "resource");
		if ((s = json_string_value(json_object_get(res, "text"))))
			return buf_append_str(out, s);
		s = json_string_value(json_object_get(res, "uri"));
		return buf_printf(out, "[binary resource: %s]", s ? s : "?");
	}
	s = json_string_value(json_object_get(b, "mimeType"));
	return buf_printf(out, "[%s%s%s]", type, s ? " " : "", s ? s : "");
}

int mcp_call_result_parse(const json_t *result, struct mcp_call_result *r, struct err *e)
{
	memset(r, 0, sizeof *r);
	json_t *content = json_object_get(result, "content");
	if (!json_is_array(content)) {
		err_set(e, EXIT_FAIL, "tools/call: no content array in the result");
		return -1;
	}
	struct buf out = {0};
	size_t i;
	json_t *b;
	int rc = buf_append_str(&out, "");
	json_array_foreach(content, i, b) {
		if (rc == 0 && i > 0)
			rc = buf_append_char(&out, '\n');
		if (rc == 0)
			rc = block_text(b, &out, &r->nimages);
	}
	if (rc < 0) {
		buf_free(&out);
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	r->text = buf_steal(&out);
	r->is_error = json_is_true(json_object_get(result, "isError"));
	return 0;
}

void mcp_call_result_free(struct mcp_call_result *r)
{
	free(r->text);
	memset(r, 0, sizeof *r);
}

int mcp_progress_parse(const json_t *params, struct mcp_progress *p)
{
	memset(p, 0, sizeof *p);
	p->token = json_object_get(params, "progressToken");
	json_t *prog = json_object_get(params, "progress");
	json_t *total = json_object_get(params, "total");
	if (!is_id(p->token) || !json_is_number(prog))
		return -1;
	p->progress = json_number_value(prog);
	if (json_is_number(total)) {
		p->total = json_number_value(total);
		p->has_total = 1;
	}
	p->message = json_string_value(json_object_get(params, "message"));
	return 0;
}

static int reader_line(void *ctx, const char *line, size_t len)
{
	struct mcp_reader *r = ctx;
	size_t k = 0;
	while (k < len && (line[k] == ' ' || line[k] == '\t'))
		k++;
	if (k == len)
		return 0;
	struct mcp_msg m;
	struct err e = {0};
	if (mcp_decode(line, len, &m, &e) < 0) {
		if (r->on_bad)
			r->on_bad(r->ctx, &e);
		return 0;
	}
	return r->on_message(r->ctx, &m);
}

void mcp_reader_init(struct mcp_reader *r, mcp_message_fn on_message, mcp_bad_line_fn on_bad,
		     void *ctx)
{
	memset(r, 0, sizeof *r);
	r->on_message = on_message;
	r->on_bad = on_bad;
	r->ctx = ctx;
	lines_init(&r->lines, reader_line, r, 0);
	r->lines.max = MCP_MAX_LINE;
}

int mcp_reader_feed(struct mcp_reader *r, const char *bytes, size_t len)
{
	return lines_feed(&r->lines, bytes, len);
}

void mcp_reader_free(struct mcp_reader *r)
{
	lines_free(&r->lines);
}
