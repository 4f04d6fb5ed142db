/* wire_tools: tool calls the same in every kind: the calls a stream accumulates (id,
 * name, arguments from deltas, index for parallel calls), and what the kinds' request
 * builders share (a tool's schema, Gemini's reduction of it, a call's arguments). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/jsonmem.h"
#include "wire_kinds.h"

static struct wire_call *call_oom(struct wire_stream *st)
{
	wire_fail(st, "out of memory reading a tool call");
	return NULL;
}

struct wire_call *wire_call_new(struct wire_stream *st, long key, const char *id,
				const char *name)
{
	if (st->ncalls == st->capcalls) {
		size_t cap = st->capcalls ? st->capcalls * 2 : 4;
		struct wire_call *v = realloc(st->calls, cap * sizeof *v);
		if (!v)
			return call_oom(st);
		st->calls = v;
		st->capcalls = cap;
	}
	struct wire_call *c = &st->calls[st->ncalls];
	memset(c, 0, sizeof *c);
	c->index = (int)st->ncalls;
	c->key = key;
	char own[32];
	if (!id || !*id) {
		snprintf(own, sizeof own, WIRE_OWN_ID_PREFIX "%d", c->index);
		id = own;
	}
	c->id = strdup(id);
	c->name = strdup(name ? name : "");
	if (!c->id || !c->name) {
		free(c->id);
		free(c->name);
		return call_oom(st);
	}
	st->ncalls++;
	st->tool_call = 1;
	return c;
}

struct wire_call *wire_call_by_key(struct wire_stream *st, long key)
{
	for (size_t i = st->ncalls; i-- > 0;)
		if (st->calls[i].key == key)
			return &st->calls[i];
	return NULL;
}

int wire_call_add_args(struct wire_stream *st, struct wire_call *c, const char *s, size_t n)
{
	if (n && buf_append(&c->args, s, n) < 0) {
		call_oom(st);
		return -1;
	}
	return 0;
}

int wire_call_set_args(struct wire_stream *st, struct wire_call *c, const char *s, size_t n)
{
	buf_reset(&c->args);
	return wire_call_add_args(st, c, s, n);
}

int wire_call_set_str(struct wire_stream *st, char **field, const char *s)
{
	char *v = strdup(s ? s : "");
	if (!v) {
		call_oom(st);
		return -1;
	}
	free(*field);
	*field = v;
	return 0;
}

void wire_calls_free(struct wire_stream *st)
{
	for (size_t i = 0; i < st->ncalls; i++) {
		free(st->calls[i].id);
		free(st->calls[i].name);
		free(st->calls[i].sig);
		/* Arguments can hold what the user's files hold: wiped, like request bodies. */
		buf_wipe_free(&st->calls[i].args);
	}
	free(st->calls);
	st->calls = NULL;
	st->ncalls = st->capcalls = 0;
}

int wire_calls_finish(struct wire_stream *st)
{
	for (size_t i = 0; i < st->ncalls; i++) {
		struct wire_call *c = &st->calls[i];
		size_t k = 0;
		while (k < c->args.len && strchr(" \t\r\n", c->args.data[k]))
			k++;
		if (k == c->args.len && wire_call_set_args(st, c, "{}", 2) < 0)
			return -1;
		if (!*c->name) {
			wire_fail(st, "a tool call without a tool name");
			return -1;
		}
		json_t *args = wire_call_args_json(c->args.data);
		if (!args) {
			wire_fail(st, "the arguments of the call to %s are not a JSON object", c->name);
			return -1;
		}
		json_decref(args);
	}
	return 0;
}

json_t *wire_call_args_json(const char *args)
{
	if (!args || !*args)
		return json_object();
	json_error_t jerr;
	json_t *v = json_loads(args, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(v)) {
		json_decref(v);
		return NULL;
	}
	return v;
}

json_t *wire_tool_schema(const struct wire_tool *t)
{
	if (!t->schema || !*t->schema)
		return json_pack("{s:s}", "type", "object");
	json_error_t jerr;
	json_t *v = json_loads(t->schema, 0, &jerr);
	if (!json_is_object(v)) {
		json_decref(v);
		return NULL;
	}
	/* An MCP tool without parameters may say only {}: the kinds want an object type. */
	if (!json_object_get(v, "type") && json_object_set_new(v, "type", json_string("object")) < 0) {
		json_decref(v);
		return NULL;
	}
	return v;
}

json_t *wire_tools_json(const struct wire_request *rq, enum wire_tools_shape shape)
{
	json_t *tools = json_array();
	for (size_t i = 0; tools && i < rq->ntools; i++) {
		const struct wire_tool *t = &rq->tools[i];
		json_t *schema = wire_tool_schema(t), *o;
		/* s* leaves out a NULL description; o takes the schema (NULL fails the pack). */
		if (shape == WIRE_TOOLS_NESTED)
			o = json_pack("{s:s,s:{s:s,s:s*,s:o}}", "type", "function", "function", "name",
				      t->name, "description", t->description, "parameters", schema);
		else if (shape == WIRE_TOOLS_ANTHROPIC)
			o = json_pack("{s:s,s:s*,s:o}", "name", t->name, "description", t->description,
				      "input_schema", schema);
		else
			o = json_pack("{s:s,s:s,s:s*,s:o,s:b}", "type", "function", "name", t->name,
				      "description", t->description, "parameters", schema, "strict", 0);
		if (json_array_append_new(tools, o) < 0) {
			json_decref(tools);
			return NULL;
		}
	}
	return tools;
}

const struct wire_msg_tools *wire_msg_tools_of(const struct wire_request *rq, size_t i)
{
	return rq->msg_tools && i < rq->nmsgs ? &rq->msg_tools[i] : NULL;
}

int wire_msg_is_result(const struct wire_request *rq, size_t i)
{
	const struct wire_msg_tools *mt = wire_msg_tools_of(rq, i);
	return rq->msgs[i].role && !strcmp(rq->msgs[i].role, "tool") && mt && mt->call_id;
}

/* ---- Gemini's schema subset ---- */

/* The members of Gemini's Schema (OpenAPI 3.0 subset) kept as they are; type, format,
 * enum, properties, required, items and anyOf are translated below, everything else
 * ($schema, additionalProperties, $ref, oneOf's siblings, const...) is dropped. */
static const char *const gemini_plain[] = {
	"title",     "description", "nullable",  "maxItems",         "minItems",
	"minLength", "maxLength",   "pattern",   "minProperties",    "maxProperties",
	"minimum",   "maximum",     "example",   "propertyOrdering", "default",
};

static const struct {
	const char *type;
	const char *format;
} gemini_formats[] = {
	{"STRING", "enum"},  {"STRING", "date-time"}, {"INTEGER", "int32"},
	{"INTEGER", "int64"}, {"NUMBER", "float"},    {"NUMBER", "double"},
};

static int set_upper_type(json_t *out, const char *type)
{
	char up[16];
	size_t n = strlen(type);
	if (n >= sizeof up)
		return 0;
	for (size_t i = 0; i <= n; i++)
		up[i] = (char)(type[i] >= 'a' && type[i] <= 'z' ? type[i] - 32 : type[i]);
	static const char *const known[] = {"STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY",
					    "OBJECT"};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (!strcmp(up, known[i]))
			return json_object_set_new(out, "type", json_string(up));
	return 0; /* "null" and unknown types say nothing Gemini can take */
}

/* type: a string, or an array whose "null" becomes nullable. */
static int gemini_type(json_t *in, json_t *out)
{
	json_t *type = json_object_get(in, "type");
	if (json_is_string(type))
		return set_upper_type(out, json_string_value(type));
	size_t i;
	json_t *t;
	int r = 0;
	json_array_foreach(type, i, t) {
		if (!json_is_string(t))
			continue;
		if (!strcmp(json_string_value(t), "null"))
			r = json_object_set_new(out, "nullable", json_true());
		else if (!json_object_get(out, "type"))
			r = set_upper_type(out, json_string_value(t));
		if (r < 0)
			return -1;
	}
	return 0;
}

/* enum (strings only, as Gemini's is) or a string const as a one-value enum. */
static int gemini_enum(json_t *in, json_t *out)
{
	json_t *e = json_object_get(in, "enum");
	json_t *c = json_object_get(in, "const");
	if (!e && json_is_string(c))
		return json_object_set_new(out, "enum", json_pack("[O]", c));
	size_t i;
	json_t *v;
	if (!json_is_array(e) || !json_array_size(e))
		return 0;
	json_array_foreach(e, i, v)
		if (!json_is_string(v))
			return 0;
	return json_object_set(out, "enum", e);
}

static int gemini_format(json_t *in, json_t *out)
{
	const char *format = wire_json_str(in, "format");
	const char *type = wire_json_str(out, "type");
	for (size_t i = 0; format && type && i < sizeof gemini_formats / sizeof gemini_formats[0]; i++)
		if (!strcmp(type, gemini_formats[i].type) && !strcmp(format, gemini_formats[i].format))
			return json_object_set_new(out, "format", json_string(format));
	return 0;
}

static json_t *reduce(json_t *root, json_t *in, int depth);

static int gemini_children(json_t *root, json_t *in, json_t *out, int depth)
{
	json_t *props = json_object_get(in, "properties");
	if (json_is_object(props)) {
		json_t *p = json_object();
		const char *k;
		json_t *v;
		if (!p || json_object_set_new(out, "properties", p) < 0)
			return -1;
		json_object_foreach(props, k, v)
			if (json_object_set_new(p, k, reduce(root, v, depth + 1)) < 0)
				return -1;
		/* required may only name properties that exist. */
		json_t *req = json_object_get(in, "required");
		json_t *keep = json_array();
		size_t i;
		json_t *name;
		if (!keep)
			return -1;
		json_array_foreach(req, i, name)
			if (json_is_string(name) && json_object_get(props, json_string_value(name))
			    && json_array_append(keep, name) < 0) {
				json_decref(keep);
				return -1;
			}
		if (json_array_size(keep) ? json_object_set_new(out, "required", keep) < 0
					  : (json_decref(keep), 0))
			return -1;
	}
	json_t *items = json_object_get(in, "items");
	if (json_is_object(items) && json_object_set_new(out, "items", reduce(root, items, depth + 1)) < 0)
		return -1;
	json_t *any = json_object_get(in, "anyOf");
	if (!json_is_array(any))
		any = json_object_get(in, "oneOf");
	if (json_is_array(any) && json_array_size(any)) {
		json_t *a = json_array();
		size_t i;
		json_t *v;
		if (!a || json_object_set_new(out, "anyOf", a) < 0)
			return -1;
		json_array_foreach(any, i, v)
			if (json_is_object(v) && json_array_append_new(a, reduce(root, v, depth + 1)) < 0)
				return -1;
	}
	return 0;
}

/* Deeper than this, a schema is cut to its type: nothing real nests so far. */
#define GEMINI_SCHEMA_DEPTH 32

/* "$ref": "#/$defs/NAME" (or "#/definitions/NAME"): Gemini's subset has no references,
 * so the schema referred to stands in (a reference that goes round stops at the depth
 * limit; one that points elsewhere is dropped). */
static json_t *deref(json_t *root, json_t *in)
{
	const char *ref = wire_json_str(in, "$ref");
	static const char *const homes[] = {"$defs", "definitions"};
	for (size_t i = 0; ref && i < 2; i++) {
		size_t n = strlen(homes[i]);
		json_t *t = !strncmp(ref, "#/", 2) && !strncmp(ref + 2, homes[i], n) && ref[2 + n] == '/'
				    ? json_object_get(json_object_get(root, homes[i]), ref + 3 + n)
				    : NULL;
		if (json_is_object(t))
			return t;
	}
	return in;
}

static json_t *reduce(json_t *root, json_t *in, int depth)
{
	json_t *out = json_object();
	in = deref(root, in);
	if (!out || !json_is_object(in))
		return out;
	for (size_t i = 0; i < sizeof gemini_plain / sizeof gemini_plain[0]; i++) {
		json_t *v = json_object_get(in, gemini_plain[i]);
		if (v && json_object_set(out, gemini_plain[i], v) < 0)
			goto fail;
	}
	if (gemini_type(in, out) < 0 || gemini_enum(in, out) < 0 || gemini_format(in, out) < 0
	    || (depth < GEMINI_SCHEMA_DEPTH && gemini_children(root, in, out, depth) < 0))
		goto fail;
	return out;
fail:
	json_decref(out);
	return NULL;
}

json_t *wire_gemini_schema(json_t *schema)
{
	return reduce(schema, schema, 0);
}
