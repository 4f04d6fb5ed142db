/* wire_anthropic: the Anthropic Messages API (POST /v1/messages, SSE with named events). */
#include <stdlib.h>
#include <string.h>

#include "cherry/jsonmem.h"
#include "wire_kinds.h"

static const char *const anthropic_version = "anthropic-version: 2023-06-01";

/* One attachment as a content block: images as base64 image sources, PDFs as base64
 * document blocks titled with the file name, text files as text blocks. */
static json_t *block(const struct attach_part *p)
{
	const char *t = wire_part_text(p, 1);
	if (t)
		return json_pack("{s:s,s:s}", "type", "text", "text", t);
	json_t *b = json_pack("{s:s,s:{s:s,s:s,s:o}}", "type",
			      p->kind == ATTACH_PDF ? "document" : "image", "source", "type", "base64",
			      "media_type", p->media_type, "data", wire_base64_json(p, ""));
	if (b && p->kind == ATTACH_PDF && wire_json_set_str(b, "title", p->name) < 0) {
		json_decref(b);
		return NULL;
	}
	return b;
}

/* A plain message's content is its text; with attachments, blocks: the files first
 * ("Claude works best when images come before text"), then the text. */
static int set_content(json_t *m, const struct wire_request *rq, size_t msg)
{
	const struct wire_msg *w = &rq->msgs[msg];
	const struct attach_part *parts;
	size_t nparts = wire_msg_parts(rq, msg, &parts);
	if (!nparts)
		return wire_json_set_str(m, "content", w->content);
	json_t *c = json_array();
	for (size_t i = 0; c && i < nparts; i++)
		if (json_array_append_new(c, block(&parts[i])) < 0) {
			json_decref(c);
			return -1;
		}
	if (c && json_array_append_new(c, json_pack("{s:s,s:s}", "type", "text", "text",
						    w->content ? w->content : "")) < 0) {
		json_decref(c);
		return -1;
	}
	return json_object_set_new(m, "content", c);
}

/* The assistant's text (when it said something), then a tool_use block per call with
 * its input as an object. */
static json_t *call_blocks(const char *text, const struct wire_msg_tools *mt)
{
	json_t *c = json_array();
	if (c && text && *text
	    && json_array_append_new(c, json_pack("{s:s,s:s}", "type", "text", "text", text)) < 0)
		goto fail;
	for (size_t k = 0; c && k < mt->ncalls; k++) {
		const struct wire_tool_call *tc = &mt->calls[k];
		json_t *input = wire_call_args_json(tc->args);
		if (json_array_append_new(c, json_pack("{s:s,s:s,s:s,s:o}", "type", "tool_use", "id",
						       tc->id ? tc->id : "", "name",
						       tc->name ? tc->name : "", "input", input)) < 0)
			goto fail;
	}
	return c;
fail:
	json_decref(c);
	return NULL;
}

/* One tool_result block; the results of one turn share a user message. */
static json_t *result_block(const struct wire_request *rq, size_t i)
{
	const struct wire_msg_tools *mt = wire_msg_tools_of(rq, i);
	json_t *b = json_pack("{s:s,s:s,s:s}", "type", "tool_result", "tool_use_id",
			      mt && mt->call_id ? mt->call_id : "", "content",
			      rq->msgs[i].content ? rq->msgs[i].content : "");
	if (b && mt && mt->error && json_object_set_new(b, "is_error", json_true()) < 0) {
		json_decref(b);
		return NULL;
	}
	return b;
}

static json_t *build_messages(const struct wire_request *rq)
{
	json_t *msgs = json_array();
	if (!msgs)
		return NULL;
	json_t *results = NULL; /* the content of the user message tool results go into */
	for (size_t i = 0; i < rq->nmsgs; i++) {
		const struct wire_msg_tools *mt = wire_msg_tools_of(rq, i);
		if (wire_msg_is_result(rq, i)) {
			if (!results) {
				results = json_array();
				json_t *m = results ? json_pack("{s:s,s:O}", "role", "user", "content",
								results)
						    : NULL;
				json_decref(results); /* the message holds it; results is borrowed */
				if (!m || json_array_append_new(msgs, m) < 0) {
					json_decref(msgs);
					return NULL;
				}
			}
			if (json_array_append_new(results, result_block(rq, i)) < 0) {
				json_decref(msgs);
				return NULL;
			}
			continue;
		}
		results = NULL;
		if (mt && mt->ncalls && rq->msgs[i].role && !strcmp(rq->msgs[i].role, "assistant")) {
			if (json_array_append_new(msgs, json_pack("{s:s,s:o}", "role", "assistant",
								  "content",
								  call_blocks(rq->msgs[i].content, mt))) < 0) {
				json_decref(msgs);
				return NULL;
			}
			continue;
		}
		/* Only two roles exist: whatever is not the model speaks as the user. */
		const char *role = rq->msgs[i].role && !strcmp(rq->msgs[i].role, "assistant")
					   ? "assistant"
					   : "user";
		json_t *m = json_object();
		if (!m || wire_json_set_str(m, "role", role) < 0
		    || set_content(m, rq, i) < 0
		    || json_array_append_new(msgs, m) < 0) {
			json_decref(m);
			json_decref(msgs);
			return NULL;
		}
	}
	return msgs;
}

/* The Messages body and headers; vertex: the model goes in the URL, and the version in
 * the body ("anthropic_version": "vertex-2023-10-16", not the header). */
static int anthropic_body(const struct wire_request *rq, struct wire_http *out, int vertex,
			  struct err *e)
{
	const struct provider *p = rq->provider;
	out->headers[out->nheaders++] = "Content-Type: application/json";
	if (!vertex)
		out->headers[out->nheaders++] = anthropic_version;
	out->headers[out->nheaders++] = "Accept: text/event-stream";
	out->framing = WIRE_SSE;

	json_t *root = json_object();
	json_t *msgs = build_messages(rq);
	json_t *tools = rq->ntools ? wire_tools_json(rq, WIRE_TOOLS_ANTHROPIC) : NULL;
	long max_tokens = rq->max_tokens > 0 ? rq->max_tokens : WIRE_DEFAULT_MAX_TOKENS;
	/* The temperature goes through as given: the API rejects values outside 0..1 with a
	 * clear message, which beats silently sending something else. */
	int bad = !root || !msgs
		  || (vertex ? wire_json_set_str(root, "anthropic_version", "vertex-2023-10-16")
			     : wire_json_set_str(root, "model", rq->model)) < 0
		  || json_object_set_new(root, "max_tokens", json_integer(max_tokens)) < 0
		  || (rq->system && wire_json_set_str(root, "system", rq->system) < 0)
		  || json_object_set(root, "messages", msgs) < 0
		  || (rq->has_temperature
		      && json_object_set_new(root, "temperature", json_real(rq->temperature)) < 0)
		  || json_object_set_new(root, "stream", json_true()) < 0
		  || (rq->ntools && (!tools || json_object_set(root, "tools", tools) < 0));
	json_decref(msgs);
	json_decref(tools);
	return wire_body(&out->body, root, bad, p->name, e);
}

int wire_anthropic_build(const struct wire_request *rq, struct wire_http *out, struct err *e)
{
	const struct provider *p = rq->provider;
	if (!rq->model || !*rq->model) {
		err_set(e, EXIT_USAGE, "%s: no model given", p->name);
		return -1;
	}
	if (wire_url(&out->url, p->base_url, "/v1/messages", e) < 0)
		return -1;
	out->auth_prefix = "x-api-key: ";
	return anthropic_body(rq, out, 0, e);
}

int wire_vertex_anthropic_build(const struct wire_request *rq, struct wire_http *out,
				struct err *e)
{
	const struct provider *p = rq->provider;
	if (!rq->model || !*rq->model) {
		err_set(e, EXIT_USAGE, "%s: no model given", p->name);
		return -1;
	}
	if (wire_vertex_url(&out->url, p, "anthropic", rq->model, ":streamRawPredict", e) < 0)
		return -1;
	out->auth_prefix = "Authorization: Bearer ";
	return anthropic_body(rq, out, 1, e);
}

/* Usage counts are cumulative snapshots: the newest value of each field wins
 * (message_delta's usually lacks input_tokens). */
static void take_usage(struct wire_stream *st, json_t *usage)
{
	if (json_is_object(usage))
		wire_take_usage(st, wire_json_count(usage, "input_tokens"),
				wire_json_count(usage, "output_tokens"),
				wire_json_count(usage, "cache_read_input_tokens"),
				wire_json_count(usage, "cache_creation_input_tokens"));
}

static const struct wire_reason stop_reasons[] = {
	{"end_turn", WIRE_FINISH_STOP},
	{"stop_sequence", WIRE_FINISH_STOP},
	{"max_tokens", WIRE_FINISH_LENGTH},
	{"model_context_window_exceeded", WIRE_FINISH_LENGTH},
	{"tool_use", WIRE_FINISH_TOOL},
	{"refusal", WIRE_FINISH_REFUSAL},
	{"pause_turn", WIRE_FINISH_OTHER},
};

/* A refusal may come with no content at all, only stop_details {type, category,
 * explanation} beside stop_reason in message_delta's delta (the docs; accepted on the
 * event itself too): the explanation is then the only thing to show. */
static void take_stop_details(struct wire_stream *st, const char *reason, json_t *delta,
			      json_t *ev)
{
	json_t *details = json_object_get(delta, "stop_details");
	if (!json_is_object(details))
		details = json_object_get(ev, "stop_details");
	const char *type = wire_json_str(details, "type");
	const char *category = wire_json_str(details, "category");
	const char *explanation = wire_json_str(details, "explanation");
	int refusal = (reason && !strcmp(reason, "refusal")) || (type && !strcmp(type, "refusal"));
	if (!refusal)
		return;
	wire_set_finish(st, WIRE_FINISH_REFUSAL, "refusal");
	if (!explanation || !*explanation)
		return;
	buf_reset(&st->note);
	if (category && *category)
		buf_printf(&st->note, "the model refused (%s): %s", category, explanation);
	else
		buf_printf(&st->note, "the model refused: %s", explanation);
}

static void block_start(struct wire_stream *st, json_t *ev, const struct wire_sink *sink)
{
	json_t *block = json_object_get(ev, "content_block");
	const char *type = wire_json_str(block, "type");
	if (!type)
		return;
	st->block_thinking = !strcmp(type, "thinking") || !strcmp(type, "redacted_thinking");
	if (!strcmp(type, "tool_use")) {
		/* Its input comes as input_json_delta fragments; the start holds {}. */
		json_t *index = json_object_get(ev, "index");
		long key = json_is_integer(index) ? (long)json_integer_value(index) : -1;
		struct wire_call *c = wire_call_new(st, key, wire_json_str(block, "id"),
						    wire_json_str(block, "name"));
		json_t *input = json_object_get(block, "input");
		if (c && json_is_object(input) && json_object_size(input)) {
			char *text = jsonmem_dumps(input, JSON_COMPACT);
			if (text)
				wire_call_set_args(st, c, text, strlen(text));
			free(text);
		}
		return;
	}
	/* The opening block is normally empty, but nothing promises that. */
	const char *s;
	if (!strcmp(type, "text") && (s = wire_json_str(block, "text")))
		wire_emit_text(st, sink, s, strlen(s));
	else if (!strcmp(type, "thinking") && (s = wire_json_str(block, "thinking")))
		wire_emit_reasoning(st, sink, s, strlen(s));
}

static void block_delta(struct wire_stream *st, json_t *ev, const struct wire_sink *sink)
{
	json_t *delta = json_object_get(ev, "delta");
	const char *type = wire_json_str(delta, "type");
	json_t *v;
	if (!type)
		return;
	/* signature_delta and citations_delta carry nothing to show; input_json_delta is
	 * the arguments of the tool_use block with this index. */
	if (!strcmp(type, "input_json_delta") && json_is_string(v = json_object_get(delta, "partial_json"))) {
		json_t *index = json_object_get(ev, "index");
		struct wire_call *c = wire_call_by_key(st, json_is_integer(index)
								   ? (long)json_integer_value(index)
								   : -1);
		if (c)
			wire_call_add_args(st, c, json_string_value(v), json_string_length(v));
		return;
	}
	if (!strcmp(type, "text_delta") && json_is_string(v = json_object_get(delta, "text")))
		wire_emit_text(st, sink, json_string_value(v), json_string_length(v));
	else if (!strcmp(type, "thinking_delta")
		 && json_is_string(v = json_object_get(delta, "thinking")))
		wire_emit_reasoning(st, sink, json_string_value(v), json_string_length(v));
}

static void stream_error(struct wire_stream *st, json_t *ev)
{
	json_t *error = json_object_get(ev, "error");
	const char *type = wire_json_str(error, "type");
	const char *message = wire_json_str(error, "message");
	if (st->failed)
		return; /* the first error is the one that matters */
	if (type && message)
		wire_fail(st, "%s: %s", type, message);
	else if (type || message)
		wire_fail(st, "%s", type ? type : message);
	else
		wire_fail(st, "error event without a description");
	wire_set_finish(st, WIRE_FINISH_ERROR, type ? type : "error");
}

int wire_anthropic_event(struct wire_stream *st, const char *type, const char *data, size_t len,
			 const struct wire_sink *sink)
{
	json_t *ev = wire_event_json(st, &data, &len);
	if (!json_is_object(ev)) {
		json_decref(ev);
		if (type && !strcmp(type, "error") && !st->failed) {
			/* An error we cannot read is still an error. */
			wire_fail(st, "unreadable error event: %.*s", len > 200 ? 200 : (int)len,
				  data);
			wire_set_finish(st, WIRE_FINISH_ERROR, "error");
		}
		return type && !strcmp(type, "error") ? 0 : -1;
	}
	/* data.type names the event; the SSE event name stands in when it is missing. An
	 * error event is an error whatever its data claims. */
	const char *name = wire_json_str(ev, "type");
	if (!name || (type && !strcmp(type, "error")))
		name = type ? type : "";

	if (!strcmp(name, "message_start")) {
		take_usage(st, json_object_get(json_object_get(ev, "message"), "usage"));
	} else if (!strcmp(name, "content_block_start")) {
		block_start(st, ev, sink);
	} else if (!strcmp(name, "content_block_delta")) {
		block_delta(st, ev, sink);
	} else if (!strcmp(name, "content_block_stop")) {
		st->block_thinking = 0;
	} else if (!strcmp(name, "message_delta")) {
		json_t *delta = json_object_get(ev, "delta");
		const char *reason = wire_json_str(delta, "stop_reason");
		if (reason)
			wire_take_reason(st, stop_reasons,
					 sizeof stop_reasons / sizeof stop_reasons[0], reason);
		take_stop_details(st, reason, delta, ev);
		take_usage(st, json_object_get(ev, "usage"));
	} else if (!strcmp(name, "message_stop")) {
		st->done = 1;
	} else if (!strcmp(name, "error") || json_is_object(json_object_get(ev, "error"))) {
		/* the second: a bare error body, sent without an event name or a "type" */
		stream_error(st, ev);
	}
	/* ping and event types added later are ignored, as the API asks. */
	json_decref(ev);
	return 0;
}

void wire_anthropic_error(const char *provider, long status, json_t *body, struct wire_error *out)
{
	json_t *error = json_object_get(body, "error");
	const char *type = wire_json_str(error, "type");
	const char *message = wire_json_str(error, "message");
	if (!type && !message)
		return;
	wire_error_line(out, provider, status, type, message);
	if (!type)
		return;
	if (!strcmp(type, "authentication_error"))
		out->key_rejected = 1;
	else if (!strcmp(type, "overloaded_error"))
		out->retryable = 1;
}

/* Vertex answers in Google's error shape ({"error": {code, message, status}}) unless the
 * model itself did (Anthropic's {"error": {type, message}}). */
void wire_vertex_anthropic_error(const char *provider, long status, json_t *body,
				 struct wire_error *out)
{
	if (wire_json_str(json_object_get(body, "error"), "type"))
		wire_anthropic_error(provider, status, body, out);
	else
		wire_gemini_error(provider, status, body, out);
}

int wire_anthropic_models_request(const struct provider *p, struct wire_http *out, struct err *e)
{
	if (wire_url(&out->url, p->base_url, "/v1/models?limit=1000", e) < 0)
		return -1;
	out->headers[0] = anthropic_version;
	out->nheaders = 1;
	out->auth_prefix = "x-api-key: ";
	out->framing = WIRE_SSE;
	return 0;
}

int wire_anthropic_models(json_t *body, void (*on_model)(void *, const char *), void *ctx)
{
	json_t *data = json_object_get(body, "data");
	return wire_models_from_array(data, "id", on_model, ctx);
}
