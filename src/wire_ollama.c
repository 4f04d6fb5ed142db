/* wire_ollama: Ollama's native chat API (POST /api/chat, one JSON object per line). */
#include <stdlib.h>
#include <string.h>

#include "cherry/jsonmem.h"
#include "wire_kinds.h"

/* {"role": role, "content": content, "images": [base64...]}: Ollama takes images as raw
 * base64 strings beside the text, and no documents, so text files and PDFs (as their
 * text) go before the message's text. NULL on invalid UTF-8 or OOM. */
static json_t *message(const char *role, const char *content, const struct attach_part *parts,
		       size_t nparts)
{
	if (!nparts)
		return json_pack("{s:s,s:s}", "role", role, "content", content ? content : "");
	struct buf text = BUF_INIT;
	json_t *images = json_array();
	int bad = !images;
	for (size_t i = 0; !bad && i < nparts; i++) {
		const char *t = wire_part_text(&parts[i], 0);
		if (t)
			bad = buf_printf(&text, "%s\n", t) < 0;
		else
			bad = json_array_append_new(images, wire_base64_json(&parts[i], "")) < 0;
	}
	bad = bad || buf_append_str(&text, content ? content : "") < 0;
	json_t *o = bad ? NULL : json_pack("{s:s,s:s%}", "role", role, "content", text.data, text.len);
	if (o && json_array_size(images) && json_object_set(o, "images", images) < 0) {
		json_decref(o);
		o = NULL;
	}
	json_decref(images);
	buf_wipe_free(&text);
	return o;
}

/* The assistant's calls with their arguments as objects, or a result
 * {role:"tool", content, tool_name, tool_call_id}. */
static json_t *tool_message(const struct wire_request *rq, size_t i)
{
	const struct wire_msg_tools *mt = wire_msg_tools_of(rq, i);
	const char *text = rq->msgs[i].content ? rq->msgs[i].content : "";
	if (wire_msg_is_result(rq, i))
		return json_pack("{s:s,s:s,s:s,s:s}", "role", "tool", "content", text, "tool_name",
				 mt && mt->name ? mt->name : "", "tool_call_id",
				 mt && mt->call_id ? mt->call_id : "");
	json_t *calls = json_array();
	for (size_t k = 0; calls && k < mt->ncalls; k++) {
		const struct wire_tool_call *tc = &mt->calls[k];
		if (json_array_append_new(calls, json_pack("{s:s,s:{s:I,s:s,s:o}}", "type", "function",
							   "function", "index", (json_int_t)k, "name",
							   tc->name ? tc->name : "", "arguments",
							   wire_call_args_json(tc->args))) < 0) {
			json_decref(calls);
			return NULL;
		}
	}
	return calls ? json_pack("{s:s,s:s,s:o}", "role", "assistant", "content", text, "tool_calls",
				 calls)
		     : NULL;
}

static json_t *build_messages(const struct wire_request *rq)
{
	json_t *msgs = json_array();
	if (!msgs || (rq->system && json_array_append_new(msgs, message("system", rq->system, NULL, 0)) < 0))
		goto fail;
	for (size_t i = 0; i < rq->nmsgs; i++) {
		/* The system prompt has its own place; a "system" message speaks as the user. */
		const char *role = rq->msgs[i].role && !strcmp(rq->msgs[i].role, "assistant")
					   ? "assistant"
					   : "user";
		const struct wire_msg_tools *mt = wire_msg_tools_of(rq, i);
		if (wire_msg_is_result(rq, i) || (mt && mt->ncalls && !strcmp(role, "assistant"))) {
			if (json_array_append_new(msgs, tool_message(rq, i)) < 0)
				goto fail;
			continue;
		}
		const struct attach_part *parts;
		size_t nparts = wire_msg_parts(rq, i, &parts);
		if (json_array_append_new(msgs, message(role, rq->msgs[i].content, parts, nparts)) < 0)
			goto fail;
	}
	return msgs;
fail:
	json_decref(msgs);
	return NULL;
}

int wire_ollama_build(const struct wire_request *rq, struct wire_http *out, struct err *e)
{
	const struct provider *p = rq->provider;
	if (!rq->model || !*rq->model) {
		err_set(e, EXIT_USAGE, "%s: no model given", p->name);
		return -1;
	}
	if (wire_url(&out->url, p->base_url, "/api/chat", e) < 0)
		return -1;
	out->headers[0] = "Content-Type: application/json";
	out->nheaders = 1;
	out->auth_prefix = "Authorization: Bearer ";
	out->framing = WIRE_NDJSON;

	int bad = 0;
	json_t *root = json_object();
	json_t *msgs = build_messages(rq);
	json_t *opt = wire_sampling_object(rq, "temperature", "num_predict", &bad);
	json_t *model = json_string(rq->model);
	json_t *tools = rq->ntools ? wire_tools_json(rq, WIRE_TOOLS_NESTED) : NULL;
	bad = bad || !root || !msgs || !model || json_object_set(root, "model", model) < 0
	      || json_object_set(root, "messages", msgs) < 0
	      || json_object_set_new(root, "stream", json_true()) < 0
	      || (opt && json_object_set(root, "options", opt) < 0)
	      || (rq->ntools && (!tools || json_object_set(root, "tools", tools) < 0));
	json_decref(tools);
	json_decref(model);
	json_decref(msgs);
	json_decref(opt);
	return wire_body(out, rq, root, bad, p->name, e);
}

static void take_done(struct wire_stream *st, json_t *line)
{
	const char *reason = wire_json_str(line, "done_reason");
	long v;
	st->done = 1;
	/* Servers older than done_reason only ever ended naturally here. */
	if (!reason || !strcmp(reason, "stop"))
		wire_set_finish(st, WIRE_FINISH_STOP, reason);
	else if (!strcmp(reason, "length"))
		wire_set_finish(st, WIRE_FINISH_LENGTH, reason);
	else
		wire_set_finish(st, WIRE_FINISH_OTHER, reason);
	if ((v = wire_json_count(line, "prompt_eval_count")) >= 0)
		st->usage.input = v;
	if ((v = wire_json_count(line, "eval_count")) >= 0)
		st->usage.output = v;
}

/* {"id"?, "function": {"index"?, "name", "arguments": {...}}}: each call whole, its
 * arguments an object. */
static void take_call(struct wire_stream *st, json_t *tc)
{
	json_t *fn = json_object_get(tc, "function");
	if (!json_is_object(fn))
		return;
	struct wire_call *c = wire_call_new(st, (long)st->ncalls, wire_json_str(tc, "id"),
					    wire_json_str(fn, "name"));
	json_t *args = json_object_get(fn, "arguments");
	char *text = c && json_is_object(args) ? jsonmem_dumps(args, JSON_COMPACT) : NULL;
	if (c && json_is_string(args))
		wire_call_set_args(st, c, json_string_value(args), json_string_length(args));
	else if (text)
		wire_call_set_args(st, c, text, strlen(text));
	free(text);
}

int wire_ollama_event(struct wire_stream *st, const char *type, const char *data, size_t len,
		      const struct wire_sink *sink)
{
	(void)type; /* NDJSON lines have no event names */
	json_t *line = wire_event_json(st, &data, &len);
	if (!json_is_object(line)) {
		json_decref(line);
		return -1;
	}
	json_t *error = json_object_get(line, "error");
	if (error && !json_is_null(error)) {
		/* Ollama sends a string; a proxy might send an OpenAI-style object. */
		const char *text = json_is_string(error) ? json_string_value(error)
							 : wire_json_str(error, "message");
		if (!st->failed) {
			wire_fail(st, "%s",
				  text && *text ? text : "error line without a description");
			wire_set_finish(st, WIRE_FINISH_ERROR, "error");
		}
		json_decref(line);
		return 0;
	}
	json_t *msg = json_object_get(line, "message");
	json_t *v;
	if (json_is_string(v = json_object_get(msg, "thinking")))
		wire_emit_reasoning(st, sink, json_string_value(v), json_string_length(v));
	if (json_is_string(v = json_object_get(msg, "content")))
		wire_emit_text(st, sink, json_string_value(v), json_string_length(v));
	size_t i;
	json_array_foreach(json_object_get(msg, "tool_calls"), i, v)
		take_call(st, v);
	if (json_is_true(json_object_get(line, "done")))
		take_done(st, line);
	json_decref(line);
	return 0;
}

void wire_ollama_error(const char *provider, long status, json_t *body, struct wire_error *out)
{
	json_t *error = json_object_get(body, "error");
	const char *text =
		json_is_string(error) ? json_string_value(error) : wire_json_str(error, "message");
	if (text && *text)
		wire_error_line(out, provider, status, NULL, text);
}

int wire_ollama_models_request(const struct provider *p, struct wire_http *out, struct err *e)
{
	if (wire_url(&out->url, p->base_url, "/api/tags", e) < 0)
		return -1;
	out->nheaders = 0;
	out->auth_prefix = "Authorization: Bearer ";
	out->framing = WIRE_NDJSON;
	return 0;
}

int wire_ollama_models(json_t *body, void (*on_model)(void *, const char *), void *ctx)
{
	json_t *models = json_object_get(body, "models");
	if (json_is_null(models) && json_is_object(body))
		return 0; /* Go marshals an empty list as null */
	return wire_models_from_array(models, "name", on_model, ctx);
}
