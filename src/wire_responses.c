/* wire_responses: the OpenAI Responses API (POST /v1/responses, SSE with typed events that
 * end with response.completed, response.incomplete or response.failed; no [DONE]). Errors
 * and the model list are Chat Completions' (wire_openai.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/jsonmem.h"
#include "wire_kinds.h"

/* ---- request ---- */

static int add_part(json_t *content, json_t *part)
{
	return part ? json_array_append_new(content, part) : -1;
}

/* A user message with files: input_image data URLs, PDFs as input_file data, text files
 * as input_text; then the text. */
static json_t *user_parts(const char *text, const struct attach_part *parts, size_t n)
{
	json_t *c = json_array();
	for (size_t i = 0; c && i < n; i++) {
		const struct attach_part *p = &parts[i];
		const char *t = wire_part_text(p, 1);
		char prefix[96];
		snprintf(prefix, sizeof prefix, "data:%s;base64,", p->media_type);
		json_t *part;
		if (t)
			part = json_pack("{s:s,s:s}", "type", "input_text", "text", t);
		else if (p->kind == ATTACH_PDF)
			part = json_pack("{s:s,s:s,s:o}", "type", "input_file", "filename", p->name,
					 "file_data", wire_base64_json(p, prefix));
		else
			part = json_pack("{s:s,s:o}", "type", "input_image", "image_url",
					 wire_base64_json(p, prefix));
		if (add_part(c, part) < 0) {
			json_decref(c);
			return NULL;
		}
	}
	if (c && add_part(c, json_pack("{s:s,s:s}", "type", "input_text", "text", text ? text : ""))
			 < 0) {
		json_decref(c);
		return NULL;
	}
	return c;
}

/* The answer's reasoning items, as they came (before its text and calls, as output). */
static int add_items(json_t *input, const struct wire_msg_tools *mt)
{
	json_error_t jerr;
	json_t *items = mt && mt->items ? json_loads(mt->items, 0, &jerr) : NULL;
	size_t i;
	json_t *it;
	int r = 0;
	json_array_foreach(items, i, it)
		if (r == 0)
			r = json_array_append(input, it);
	json_decref(items);
	return r;
}

static int add_calls(json_t *input, const struct wire_msg_tools *mt)
{
	for (size_t k = 0; mt && k < mt->ncalls; k++) {
		const struct wire_tool_call *tc = &mt->calls[k];
		json_t *item = json_pack("{s:s,s:s,s:s,s:s}", "type", "function_call", "call_id",
					 tc->id ? tc->id : "", "name", tc->name ? tc->name : "",
					 "arguments", tc->args && *tc->args ? tc->args : "{}");
		if (json_array_append_new(input, item) < 0)
			return -1;
	}
	return 0;
}

static json_t *build_input(const struct wire_request *rq)
{
	json_t *input = json_array();
	for (size_t i = 0; input && i < rq->nmsgs; i++) {
		const struct wire_msg *m = &rq->msgs[i];
		const struct wire_msg_tools *mt = wire_msg_tools_of(rq, i);
		const char *text = m->content ? m->content : "";
		json_t *item = NULL;
		int r = 0;
		if (wire_msg_is_result(rq, i)) {
			item = json_pack("{s:s,s:s,s:s}", "type", "function_call_output", "call_id",
					 mt && mt->call_id ? mt->call_id : "", "output", text);
			r = json_array_append_new(input, item);
		} else if (m->role && !strcmp(m->role, "assistant")) {
			r = add_items(input, mt);
			/* An answer that was only calls has no text to send. */
			if (r == 0 && (*text || !mt || !mt->ncalls))
				r = json_array_append_new(input, json_pack("{s:s,s:s}", "role", "assistant",
									    "content", text));
			r = r < 0 ? r : add_calls(input, mt);
		} else {
			const struct attach_part *parts;
			size_t nparts = wire_msg_parts(rq, i, &parts);
			item = nparts ? json_pack("{s:s,s:o}", "role", "user", "content",
						  user_parts(text, parts, nparts))
				      : json_pack("{s:s,s:s}", "role", "user", "content", text);
			r = json_array_append_new(input, item);
		}
		if (r < 0) {
			json_decref(input);
			return NULL;
		}
	}
	return input;
}

int wire_responses_build(const struct wire_request *rq, struct wire_http *out, struct err *e)
{
	const struct provider *p = rq->provider;
	if (!rq->model || !*rq->model) {
		err_set(e, EXIT_USAGE, "%s: no model given", p->name);
		return -1;
	}
	if (!p->base_url || !*p->base_url) {
		err_set(e, EXIT_USAGE, "%s: no base_url configured", p->name);
		return -1;
	}
	if (wire_url(&out->url, p->base_url, "/responses", e) < 0)
		return -1;
	out->headers[0] = "Content-Type: application/json";
	out->headers[1] = "Accept: text/event-stream";
	out->nheaders = 2;
	out->auth_prefix = "Authorization: Bearer ";
	out->framing = WIRE_SSE;

	json_t *root = json_object();
	json_t *input = build_input(rq);
	json_t *tools = rq->ntools ? wire_tools_json(rq, WIRE_TOOLS_FLAT) : NULL;
	struct model_caps caps;
	int reasoning = (providers_caps(p, rq->model, &caps) & MODEL_CAPS_REASONING)
			&& caps.reasoning == MODEL_CAP_YES;
	/* store:false unless asked: the provider keeps no copy of the conversation. */
	int bad = !root || !input || (rq->ntools && !tools)
		  || wire_json_set_str(root, "model", rq->model) < 0
		  || (rq->system && wire_json_set_str(root, "instructions", rq->system) < 0)
		  || json_object_set(root, "input", input) < 0
		  || json_object_set_new(root, "stream", json_true()) < 0
		  || json_object_set_new(root, "store", json_boolean(rq->store)) < 0
		  || (rq->has_temperature
		      && json_object_set_new(root, "temperature", json_real(rq->temperature)) < 0)
		  || (rq->max_tokens > 0
		      && json_object_set_new(root, "max_output_tokens", json_integer(rq->max_tokens)) < 0)
		  /* Summaries are the only reasoning text the API shows; only reasoning models
		   * take the option. */
		  || (reasoning
		      && json_object_set_new(root, "reasoning", json_pack("{s:s}", "summary", "auto")) < 0)
		  /* With nothing stored, a tool loop sends the reasoning back itself. */
		  || (reasoning && !rq->store && rq->ntools
		      && json_object_set_new(root, "include",
					     json_pack("[s]", "reasoning.encrypted_content")) < 0)
		  || (tools && json_object_set(root, "tools", tools) < 0);
	json_decref(input);
	json_decref(tools);
	return wire_body(out, rq, root, bad, p->name, e);
}

/* ---- stream ---- */

static void take_usage(struct wire_stream *st, json_t *usage)
{
	long v;
	if (!json_is_object(usage))
		return;
	if ((v = wire_json_count(usage, "input_tokens")) >= 0)
		st->usage.input = v;
	if ((v = wire_json_count(usage, "output_tokens")) >= 0)
		st->usage.output = v;
	if ((v = wire_json_count(json_object_get(usage, "output_tokens_details"), "reasoning_tokens")) >= 0)
		st->usage.reasoning = v;
	if ((v = wire_json_count(json_object_get(usage, "input_tokens_details"), "cached_tokens")) >= 0)
		st->usage.cached = v;
}

static void emit(struct wire_stream *st, const struct wire_sink *sink, json_t *v, int reasoning)
{
	if (!json_is_string(v))
		return;
	if (reasoning)
		wire_emit_reasoning(st, sink, json_string_value(v), json_string_length(v));
	else
		wire_emit_text(st, sink, json_string_value(v), json_string_length(v));
}

static long output_index(json_t *ev)
{
	json_t *i = json_object_get(ev, "output_index");
	return json_is_integer(i) ? (long)json_integer_value(i) : -1;
}

/* A function_call item (added or done): {id, call_id, name, arguments}. The done item's
 * arguments are the whole text and win over the deltas. */
static void take_item(struct wire_stream *st, json_t *ev, int done)
{
	json_t *item = json_object_get(ev, "item");
	const char *type = wire_json_str(item, "type");
	if (!type || strcmp(type, "function_call"))
		return;
	long key = output_index(ev);
	struct wire_call *c = wire_call_by_key(st, key);
	if (!c && !(c = wire_call_new(st, key, wire_json_str(item, "call_id"),
				      wire_json_str(item, "name"))))
		return;
	json_t *args = json_object_get(item, "arguments");
	if (json_is_string(args) && (done || json_string_length(args)))
		wire_call_set_args(st, c, json_string_value(args), json_string_length(args));
}

/* A finished reasoning item with its encrypted content: kept, whole, for the next
 * request of a tool loop (one without it would name an item store:false never kept). */
static void take_reasoning(struct wire_stream *st, json_t *ev)
{
	json_t *item = json_object_get(ev, "item");
	const char *type = wire_json_str(item, "type");
	if (!type || strcmp(type, "reasoning") || !wire_json_str(item, "encrypted_content"))
		return;
	char *text = jsonmem_dumps(item, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int bad = !text || buf_append_char(&st->items, st->items.len ? ',' : '[') < 0
		  || buf_append_str(&st->items, text) < 0;
	free(text);
	if (bad)
		wire_fail(st, "out of memory reading a reasoning item");
}

static void take_end(struct wire_stream *st, const char *name, json_t *ev)
{
	json_t *resp = json_object_get(ev, "response");
	take_usage(st, json_object_get(resp, "usage"));
	st->done = 1;
	/* the items array is closed once, at the end */
	if (st->items.len && st->items.data[st->items.len - 1] != ']'
	    && buf_append_char(&st->items, ']') < 0)
		wire_fail(st, "out of memory reading a reasoning item");
	if (!strcmp(name, "response.completed")) {
		wire_set_finish(st, st->ncalls ? WIRE_FINISH_TOOL : WIRE_FINISH_STOP,
				st->ncalls ? "function_call" : "completed");
	} else if (!strcmp(name, "response.incomplete")) {
		const char *why = wire_json_str(json_object_get(resp, "incomplete_details"), "reason");
		enum wire_finish f = !why ? WIRE_FINISH_OTHER
				     : !strcmp(why, "max_output_tokens") ? WIRE_FINISH_LENGTH
				     : !strcmp(why, "content_filter") ? WIRE_FINISH_FILTER
								      : WIRE_FINISH_OTHER;
		wire_set_finish(st, f, why ? why : "incomplete");
	} else {
		json_t *error = json_object_get(resp, "error");
		const char *code = wire_json_str(error, "code");
		const char *message = wire_json_str(error, "message");
		if (code && message)
			wire_fail(st, "%s: %s", code, message);
		else
			wire_fail(st, "%s", code ? code : message ? message : "the response failed");
		wire_set_finish(st, WIRE_FINISH_ERROR, code ? code : "failed");
	}
}

static void stream_error(struct wire_stream *st, json_t *ev)
{
	json_t *obj = json_is_object(json_object_get(ev, "error")) ? json_object_get(ev, "error") : ev;
	const char *code = wire_json_str(obj, "code");
	const char *message = wire_json_str(obj, "message");
	if (code && message)
		wire_fail(st, "%s: %s", code, message);
	else
		wire_fail(st, "%s", code ? code : message ? message : "error event without a description");
	wire_set_finish(st, WIRE_FINISH_ERROR, code ? code : "error");
}

int wire_responses_event(struct wire_stream *st, const char *type, const char *data, size_t len,
			 const struct wire_sink *sink)
{
	json_t *ev = wire_event_json(st, &data, &len);
	if (!json_is_object(ev)) {
		json_decref(ev);
		if (type && !strcmp(type, "error")) {
			wire_fail(st, "unreadable error event: %.*s", len > 200 ? 200 : (int)len, data);
			wire_set_finish(st, WIRE_FINISH_ERROR, "error");
			return 0;
		}
		return -1;
	}
	const char *name = wire_json_str(ev, "type");
	if (!name || (type && !strcmp(type, "error")))
		name = type ? type : "";
	long key;
	struct wire_call *c;
	if (!strcmp(name, "response.output_item.done"))
		take_reasoning(st, ev);
	if (!strcmp(name, "response.output_text.delta")) {
		emit(st, sink, json_object_get(ev, "delta"), 0);
	} else if (!strcmp(name, "response.refusal.delta")) {
		st->refusal = 1;
		emit(st, sink, json_object_get(ev, "delta"), 0);
	} else if (!strcmp(name, "response.reasoning_summary_text.delta")
		   || !strcmp(name, "response.reasoning_text.delta")) {
		emit(st, sink, json_object_get(ev, "delta"), 1);
	} else if (!strcmp(name, "response.reasoning_summary_part.added")) {
		/* Summary parts are paragraphs of one summary. */
		if (wire_json_count(ev, "summary_index") > 0)
			wire_emit_reasoning(st, sink, "\n\n", 2);
	} else if (!strcmp(name, "response.output_item.added")
		   || !strcmp(name, "response.output_item.done")) {
		take_item(st, ev, !strcmp(name, "response.output_item.done"));
	} else if (!strcmp(name, "response.function_call_arguments.delta")) {
		json_t *d = json_object_get(ev, "delta");
		key = output_index(ev);
		if ((c = wire_call_by_key(st, key)) && json_is_string(d))
			wire_call_add_args(st, c, json_string_value(d), json_string_length(d));
	} else if (!strcmp(name, "response.function_call_arguments.done")) {
		json_t *a = json_object_get(ev, "arguments");
		key = output_index(ev);
		if ((c = wire_call_by_key(st, key)) && json_is_string(a))
			wire_call_set_args(st, c, json_string_value(a), json_string_length(a));
	} else if (!strcmp(name, "response.completed") || !strcmp(name, "response.incomplete")
		   || !strcmp(name, "response.failed")) {
		take_end(st, name, ev);
	} else if (!strcmp(name, "error")) {
		stream_error(st, ev);
	}
	/* The other ~50 event types (created, in_progress, part boundaries, web search...)
	 * carry nothing cherry shows. */
	json_decref(ev);
	return 0;
}
