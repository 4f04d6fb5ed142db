/* wire_gemini: the Google Gemini Developer API (streamGenerateContent with alt=sse). */
#include <stdlib.h>
#include <string.h>

#include "cherry/jsonmem.h"
#include "wire_kinds.h"

/* [{"text": text}]. NULL on invalid UTF-8 as well as on OOM: either way the request cannot go. */
static json_t *text_parts(const char *text)
{
	return json_pack("[{s:s}]", "text", text ? text : "");
}

/* A message's parts: its attachments first (images and PDFs as inline_data, text files as
 * text), then its text. NULL on OOM or invalid UTF-8. */
static json_t *msg_parts(const struct wire_request *rq, size_t msg)
{
	const struct wire_msg *m = &rq->msgs[msg];
	const struct attach_part *files;
	size_t nfiles = wire_msg_parts(rq, msg, &files);
	json_t *parts = json_array();
	for (size_t i = 0; parts && i < nfiles; i++) {
		const struct attach_part *p = &files[i];
		const char *t = wire_part_text(p, 1);
		json_t *part = t ? json_pack("{s:s}", "text", t)
				 : json_pack("{s:{s:s,s:o}}", "inline_data", "mime_type", p->media_type,
					     "data", wire_base64_json(p, ""));
		if (json_array_append_new(parts, part) < 0) {
			json_decref(parts);
			return NULL;
		}
	}
	if (parts && json_array_append_new(parts, json_pack("{s:s}", "text",
							    m->content ? m->content : "")) < 0) {
		json_decref(parts);
		return NULL;
	}
	return parts;
}

static int own_id(const char *id)
{
	return !id || !*id || !strncmp(id, WIRE_OWN_ID_PREFIX, strlen(WIRE_OWN_ID_PREFIX));
}

/* The model's turn as it came: its text, then a functionCall part per call with the
 * thoughtSignature it carried, and its id when the model gave one. */
static json_t *call_parts(const char *text, const struct wire_msg_tools *mt)
{
	json_t *parts = json_array();
	if (parts && text && *text && json_array_append_new(parts, json_pack("{s:s}", "text", text)) < 0)
		goto fail;
	for (size_t k = 0; parts && k < mt->ncalls; k++) {
		const struct wire_tool_call *tc = &mt->calls[k];
		json_t *fc = json_pack("{s:s,s:o}", "name", tc->name ? tc->name : "", "args",
				       wire_call_args_json(tc->args));
		json_t *part = fc ? json_pack("{s:o}", "functionCall", fc) : NULL;
		if (part && !own_id(tc->id) && wire_json_set_str(fc, "id", tc->id) < 0) {
			json_decref(part);
			part = NULL;
		}
		if (part && tc->sig && wire_json_set_str(part, "thoughtSignature", tc->sig) < 0) {
			json_decref(part);
			part = NULL;
		}
		if (json_array_append_new(parts, part) < 0)
			goto fail;
	}
	return parts;
fail:
	json_decref(parts);
	return NULL;
}

/* {"functionResponse": {name, response: {output | error: text}, id?}}. */
static json_t *result_part(const struct wire_request *rq, size_t i)
{
	const struct wire_msg_tools *mt = wire_msg_tools_of(rq, i);
	const char *text = rq->msgs[i].content ? rq->msgs[i].content : "";
	json_t *fr = json_pack("{s:s,s:{s:s}}", "name", mt && mt->name ? mt->name : "", "response",
			       mt && mt->error ? "error" : "output", text);
	if (fr && mt && !own_id(mt->call_id) && wire_json_set_str(fr, "id", mt->call_id) < 0) {
		json_decref(fr);
		return NULL;
	}
	return fr ? json_pack("{s:o}", "functionResponse", fr) : NULL;
}

/* tools: [{functionDeclarations: [{name, description, parameters}]}], each schema cut to
 * the subset Gemini takes; a tool without parameters has none. */
static json_t *build_tools(const struct wire_request *rq)
{
	json_t *decls = json_array();
	for (size_t i = 0; decls && i < rq->ntools; i++) {
		const struct wire_tool *t = &rq->tools[i];
		json_t *schema = wire_tool_schema(t);
		json_t *params = schema ? wire_gemini_schema(schema) : NULL;
		json_decref(schema);
		json_t *d = params ? json_pack("{s:s}", "name", t->name) : NULL;
		int bad = !d || (t->description && wire_json_set_str(d, "description", t->description) < 0);
		if (!bad && json_object_size(json_object_get(params, "properties")))
			bad = json_object_set(d, "parameters", params) < 0;
		json_decref(params);
		if (bad || json_array_append_new(decls, d) < 0) {
			if (bad)
				json_decref(d);
			json_decref(decls);
			return NULL;
		}
	}
	return decls ? json_pack("[{s:o}]", "functionDeclarations", decls) : NULL;
}

static json_t *build_contents(const struct wire_request *rq)
{
	json_t *contents = json_array();
	if (!contents)
		return NULL;
	json_t *results = NULL; /* the parts of the user content results go into (borrowed) */
	for (size_t i = 0; i < rq->nmsgs; i++) {
		const struct wire_msg_tools *mt = wire_msg_tools_of(rq, i);
		if (wire_msg_is_result(rq, i)) {
			if (!results) {
				results = json_array();
				json_t *c = results ? json_pack("{s:s,s:O}", "role", "user", "parts", results)
						    : NULL;
				json_decref(results);
				if (!c || json_array_append_new(contents, c) < 0)
					goto fail;
			}
			if (json_array_append_new(results, result_part(rq, i)) < 0)
				goto fail;
			continue;
		}
		results = NULL;
		if (mt && mt->ncalls && rq->msgs[i].role && !strcmp(rq->msgs[i].role, "assistant")) {
			if (json_array_append_new(contents, json_pack("{s:s,s:o}", "role", "model", "parts",
								      call_parts(rq->msgs[i].content, mt))) < 0)
				goto fail;
			continue;
		}
		const char *role = rq->msgs[i].role && !strcmp(rq->msgs[i].role, "assistant")
					   ? "model"
					   : "user";
		json_t *c = json_object();
		if (!c || json_object_set_new(c, "role", json_string(role)) < 0
		    || json_object_set_new(c, "parts", msg_parts(rq, i)) < 0
		    || json_array_append_new(contents, c) < 0) {
			json_decref(c);
			goto fail;
		}
	}
	return contents;
fail:
	json_decref(contents);
	return NULL;
}

/* The model goes into the URL path: keep unreserved characters, escape the rest. */
static int model_path(struct buf *url, const char *model)
{
	if (!strncmp(model, "models/", 7))
		model += 7;
	return buf_append_str(url, "/v1beta/models/") < 0 ? -1 : wire_path_escape(url, model, "");
}

/* The body both the Gemini API and Vertex AI read, and its headers. */
static int gemini_body(const struct wire_request *rq, struct wire_http *out, struct err *e)
{
	const struct provider *p = rq->provider;
	out->headers[0] = "Content-Type: application/json";
	out->nheaders = 1;
	out->framing = WIRE_SSE;
	int bad = 0;
	json_t *root = json_object();
	json_t *contents = build_contents(rq);
	json_t *cfg = wire_sampling_object(rq, "temperature", "maxOutputTokens", &bad);
	json_t *tools = rq->ntools ? build_tools(rq) : NULL;
	json_t *sys = NULL;
	if (rq->system) {
		sys = json_object();
		if (!sys || json_object_set_new(sys, "parts", text_parts(rq->system)) < 0)
			bad = 1;
	}
	bad = bad || !root || !contents
	      || (sys && json_object_set(root, "systemInstruction", sys) < 0)
	      || json_object_set(root, "contents", contents) < 0
	      || (cfg && json_object_set(root, "generationConfig", cfg) < 0)
	      || (rq->ntools && (!tools || json_object_set(root, "tools", tools) < 0));
	json_decref(tools);
	json_decref(sys);
	json_decref(contents);
	json_decref(cfg);
	return wire_body(&out->body, root, bad, p->name, e);
}

int wire_gemini_build(const struct wire_request *rq, struct wire_http *out, struct err *e)
{
	const struct provider *p = rq->provider;
	const char *model = rq->model ? rq->model : "";
	if (!*model || !strcmp(model, "models/")) {
		err_set(e, EXIT_USAGE, "%s: no model given", p->name);
		return -1;
	}
	if (wire_url(&out->url, p->base_url, "", e) < 0)
		return -1;
	if (model_path(&out->url, model) < 0
	    || buf_append_str(&out->url, ":streamGenerateContent?alt=sse") < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	out->auth_prefix = "x-goog-api-key: ";
	return gemini_body(rq, out, e);
}

int wire_vertex_build(const struct wire_request *rq, struct wire_http *out, struct err *e)
{
	const struct provider *p = rq->provider;
	if (!rq->model || !*rq->model) {
		err_set(e, EXIT_USAGE, "%s: no model given", p->name);
		return -1;
	}
	if (wire_vertex_url(&out->url, p, "google", rq->model, ":streamGenerateContent?alt=sse",
			    e) < 0)
		return -1;
	/* the token from key_command, as Google's curl examples send it */
	out->auth_prefix = "Authorization: Bearer ";
	return gemini_body(rq, out, e);
}

static const struct wire_reason finish_reasons[] = {
	{"STOP", WIRE_FINISH_STOP},
	{"MAX_TOKENS", WIRE_FINISH_LENGTH},
	{"SAFETY", WIRE_FINISH_FILTER},
	{"RECITATION", WIRE_FINISH_FILTER},
	{"BLOCKLIST", WIRE_FINISH_FILTER},
	{"PROHIBITED_CONTENT", WIRE_FINISH_FILTER},
	{"SPII", WIRE_FINISH_FILTER},
	{"IMAGE_SAFETY", WIRE_FINISH_FILTER},
	{"IMAGE_PROHIBITED_CONTENT", WIRE_FINISH_FILTER},
	{"IMAGE_RECITATION", WIRE_FINISH_FILTER},
	{"LANGUAGE", WIRE_FINISH_FILTER},
	/* The model wanted a tool; a malformed call is its own failure, not a request. */
	{"UNEXPECTED_TOOL_CALL", WIRE_FINISH_TOOL},
	{"TOO_MANY_TOOL_CALLS", WIRE_FINISH_TOOL},
	{"MALFORMED_FUNCTION_CALL", WIRE_FINISH_OTHER},
};

static void take_finish(struct wire_stream *st, const char *raw)
{
	wire_take_reason(st, finish_reasons, sizeof finish_reasons / sizeof finish_reasons[0],
			 raw);
	/* The server closes the connection after the chunk that carries a finishReason. */
	st->done = 1;
}

/* A functionCall part comes whole in one chunk: {name, args, id (newer models)}; a
 * thoughtSignature beside it must go back with the call. */
static void take_call(struct wire_stream *st, json_t *fc, const char *sig)
{
	struct wire_call *c = wire_call_new(st, (long)st->ncalls, wire_json_str(fc, "id"),
					    wire_json_str(fc, "name"));
	if (!c || (sig && wire_call_set_str(st, &c->sig, sig) < 0))
		return;
	json_t *args = json_object_get(fc, "args");
	char *text = json_is_object(args) ? jsonmem_dumps(args, JSON_COMPACT) : NULL;
	if (text)
		wire_call_set_args(st, c, text, strlen(text));
	free(text);
}

static void take_parts(struct wire_stream *st, json_t *parts, const struct wire_sink *sink)
{
	size_t i;
	json_t *part;
	json_array_foreach(parts, i, part) {
		json_t *text = json_object_get(part, "text");
		json_t *fc = json_object_get(part, "functionCall");
		if (json_is_object(fc))
			take_call(st, fc, wire_json_str(part, "thoughtSignature"));
		if (!json_is_string(text))
			continue;
		if (json_is_true(json_object_get(part, "thought")))
			wire_emit_reasoning(st, sink, json_string_value(text),
					    json_string_length(text));
		else
			wire_emit_text(st, sink, json_string_value(text), json_string_length(text));
	}
}

/* usageMetadata is a running snapshot on every chunk: the newest value of each field wins.
 * candidatesTokenCount leaves out the thoughts (thoughtsTokenCount), and may be missing. */
static void take_usage(struct wire_stream *st, json_t *u)
{
	long v;
	if (!json_is_object(u))
		return;
	if ((v = wire_json_count(u, "promptTokenCount")) >= 0)
		st->usage.input = v;
	if ((v = wire_json_count(u, "candidatesTokenCount")) >= 0)
		st->usage.output = v;
	if ((v = wire_json_count(u, "thoughtsTokenCount")) >= 0)
		st->usage.reasoning = v;
	if ((v = wire_json_count(u, "cachedContentTokenCount")) >= 0)
		st->usage.cached = v;
}

static void stream_error(struct wire_stream *st, json_t *error)
{
	const char *status = wire_json_str(error, "status");
	const char *message = wire_json_str(error, "message");
	long code = wire_json_count(error, "code");
	if (json_is_string(error))
		message = json_string_value(error);
	if (st->failed)
		return; /* the first error is the one that matters */
	if (status && message)
		wire_fail(st, "%s: %s", status, message);
	else if (message && code >= 0)
		wire_fail(st, "%ld: %s", code, message);
	else if (status || message)
		wire_fail(st, "%s", status ? status : message);
	else
		wire_fail(st, "error chunk without a description");
	wire_set_finish(st, WIRE_FINISH_ERROR, status ? status : "error");
}

int wire_gemini_event(struct wire_stream *st, const char *type, const char *data, size_t len,
		      const struct wire_sink *sink)
{
	(void)type; /* Gemini names no events */
	json_t *chunk = wire_event_json(st, &data, &len);
	if (!json_is_object(chunk)) {
		json_decref(chunk);
		return -1;
	}
	json_t *error = json_object_get(chunk, "error");
	if (error && !json_is_null(error)) {
		stream_error(st, error);
		json_decref(chunk);
		return 0;
	}
	take_usage(st, json_object_get(chunk, "usageMetadata"));
	json_t *cand = json_array_get(json_object_get(chunk, "candidates"), 0);
	if (cand) {
		take_parts(st, json_object_get(json_object_get(cand, "content"), "parts"), sink);
		const char *reason = wire_json_str(cand, "finishReason");
		if (reason)
			take_finish(st, reason);
	} else {
		/* A blocked prompt: HTTP 200, no candidates, and nothing more will come. */
		const char *block =
			wire_json_str(json_object_get(chunk, "promptFeedback"), "blockReason");
		if (block) {
			wire_set_finish(st, WIRE_FINISH_FILTER, block);
			st->done = 1;
			wire_fail(st, "prompt blocked: %s", block);
		}
	}
	json_decref(chunk);
	return 0;
}

/* "12s", "2.500s": a google.protobuf.Duration in its JSON form. -1 when unreadable. */
static double duration_seconds(const char *s)
{
	char *end;
	double d = strtod(s, &end);
	if (end == s || strcmp(end, "s") != 0 || !(d >= 0))
		return -1;
	return d;
}

static int is_detail(json_t *d, const char *name)
{
	const char *type = wire_json_str(d, "@type");
	size_t tl = type ? strlen(type) : 0, nl = strlen(name);
	return tl >= nl && !strcmp(type + tl - nl, name);
}

/* A per-day quota will not come back within any wait worth making. */
static int daily_quota(json_t *quota_failure)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(quota_failure, "violations"), i, v) {
		const char *id = wire_json_str(v, "quotaId");
		const char *metric = wire_json_str(v, "quotaMetric");
		if ((id && strstr(id, "PerDay")) || (metric && strstr(metric, "PerDay"))
		    || (metric && strstr(metric, "per_day")))
			return 1;
	}
	return 0;
}

void wire_gemini_error(const char *provider, long status, json_t *body, struct wire_error *out)
{
	json_t *error = json_object_get(body, "error");
	if (!json_is_object(error))
		return;
	const char *rpc_status = wire_json_str(error, "status");
	const char *message = wire_json_str(error, "message");
	if (rpc_status || message)
		wire_error_line(out, provider, status, rpc_status, message);
	if (message && strstr(message, "API key not valid"))
		out->key_rejected = 1;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(error, "details"), i, d) {
		if (is_detail(d, "google.rpc.RetryInfo")) {
			const char *delay = wire_json_str(d, "retryDelay");
			double secs = delay ? duration_seconds(delay) : -1;
			if (secs >= 0)
				out->retry_after = secs;
		} else if (is_detail(d, "google.rpc.ErrorInfo")) {
			/* API_KEY_INVALID, API_KEY_EXPIRED, API_KEY_SERVICE_BLOCKED, ... */
			const char *reason = wire_json_str(d, "reason");
			if (reason && !strncmp(reason, "API_KEY_", 8))
				out->key_rejected = 1;
		} else if (is_detail(d, "google.rpc.QuotaFailure") && status == 429) {
			if (daily_quota(d))
				out->retryable = 0;
		}
	}
}

int wire_gemini_models_request(const struct provider *p, struct wire_http *out, struct err *e)
{
	if (wire_url(&out->url, p->base_url, "/v1beta/models?pageSize=1000", e) < 0)
		return -1;
	out->nheaders = 0;
	out->auth_prefix = "x-goog-api-key: ";
	out->framing = WIRE_SSE;
	return 0;
}

static int can_generate(json_t *model)
{
	json_t *methods = json_object_get(model, "supportedGenerationMethods");
	if (!json_is_array(methods))
		return 1;
	size_t i;
	json_t *m;
	json_array_foreach(methods, i, m)
		if (json_is_string(m) && !strcmp(json_string_value(m), "generateContent"))
			return 1;
	return 0;
}

int wire_gemini_models(json_t *body, void (*on_model)(void *, const char *), void *ctx)
{
	if (!json_is_object(body))
		return -1;
	json_t *models = json_object_get(body, "models");
	/* An empty list is left out of the JSON altogether. */
	if (!models)
		return 0;
	if (!json_is_array(models))
		return -1;
	int n = 0;
	size_t i;
	json_t *m;
	json_array_foreach(models, i, m) {
		const char *name = wire_json_str(m, "name");
		if (!name || !can_generate(m))
			continue;
		if (!strncmp(name, "models/", 7))
			name += 7;
		if (*name) {
			on_model(ctx, name);
			n++;
		}
	}
	return n;
}
