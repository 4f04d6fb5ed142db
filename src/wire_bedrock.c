/* wire_bedrock: AWS Bedrock's ConverseStream (POST /model/{modelId}/converse-stream, the
 * answer in the binary AWS event stream; eventstream.c frames it, this reads the events). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cherry/eventstream.h"
#include "wire_kinds.h"

/* Converse names an image's format, not its media type. */
static const char *image_format(const char *media_type)
{
	static const char *const formats[] = {"png", "jpeg", "gif", "webp"};
	const char *slash = media_type ? strchr(media_type, '/') : NULL;
	for (size_t i = 0; slash && i < sizeof formats / sizeof formats[0]; i++)
		if (!strcmp(slash + 1, formats[i]))
			return formats[i];
	return slash && !strcmp(slash + 1, "jpg") ? "jpeg" : NULL;
}

/* A document's name may hold only letters, digits, single spaces, hyphens, parentheses
 * and square brackets (DocumentBlock): anything else becomes a hyphen. */
static json_t *document_name(const char *name)
{
	char out[200];
	size_t n = 0;
	for (const char *c = name ? name : ""; *c && n < sizeof out - 1; c++) {
		int ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			 (*c >= '0' && *c <= '9') || strchr("-()[]", *c);
		if (*c == ' ' && n && out[n - 1] != ' ')
			out[n++] = ' ';
		else if (*c != ' ')
			out[n++] = ok ? *c : '-';
	}
	while (n && out[n - 1] == ' ')
		n--;
	return n ? json_stringn(out, n) : json_string("document");
}

/* One attachment as a content block: images and PDFs as bytes (base64 in JSON), text as
 * a text block. */
static json_t *block(const struct attach_part *p)
{
	const char *t = wire_part_text(p, 1);
	if (t)
		return json_pack("{s:s}", "text", t);
	if (p->kind == ATTACH_PDF)
		return json_pack("{s:{s:s,s:o,s:{s:o}}}", "document", "format", "pdf", "name",
				 document_name(p->name), "source", "bytes",
				 wire_base64_json(p, ""));
	const char *format = image_format(p->media_type);
	return json_pack("{s:{s:s,s:{s:o}}}", "image", "format", format ? format : "png",
			 "source", "bytes", wire_base64_json(p, ""));
}

/* Every message's content is a list of blocks: its files, then its text. */
static json_t *build_messages(const struct wire_request *rq)
{
	json_t *msgs = json_array();
	for (size_t i = 0; msgs && i < rq->nmsgs; i++) {
		const struct wire_msg *w = &rq->msgs[i];
		const char *role = w->role && !strcmp(w->role, "assistant") ? "assistant" : "user";
		const struct attach_part *parts;
		size_t nparts = wire_msg_parts(rq, i, &parts);
		json_t *content = json_array();
		for (size_t k = 0; content && k < nparts; k++)
			if (json_array_append_new(content, block(&parts[k])) < 0) {
				json_decref(content);
				content = NULL;
			}
		if (content && json_array_append_new(content, json_pack("{s:s}", "text",
						     w->content ? w->content : "")) < 0) {
			json_decref(content);
			content = NULL;
		}
		if (!content || json_array_append_new(msgs, json_pack("{s:s,s:o}", "role", role,
								      "content", content)) < 0) {
			json_decref(msgs);
			return NULL;
		}
	}
	return msgs;
}

int wire_bedrock_build(const struct wire_request *rq, struct wire_http *out, struct err *e)
{
	const struct provider *p = rq->provider;
	if (!rq->model || !*rq->model) {
		err_set(e, EXIT_USAGE, "%s: no model given", p->name);
		return -1;
	}
	if (!p->region || !*p->region) {
		err_set(e, EXIT_USAGE, "%s: no region: set \"region\" for it in config.json or "
			"AWS_REGION", p->name);
		return -1;
	}
	/* The model id goes into the path with its ':' as is: libcurl's signer (8.9 and
	 * later) then encodes it in the canonical path exactly as AWS does. */
	if (wire_url(&out->url, p->base_url ? p->base_url : "", "/model/", e) < 0)
		return -1;
	if (wire_path_escape(&out->url, rq->model, ":") < 0 ||
	    buf_append_str(&out->url, "/converse-stream") < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	out->headers[0] = "Content-Type: application/json";
	out->headers[1] = "Accept: application/vnd.amazon.eventstream";
	out->nheaders = 2;
	/* an access key pair signs (sigv4); a Bedrock API key is a bearer token */
	out->auth_prefix = "Authorization: Bearer ";
	snprintf(out->sigv4, sizeof out->sigv4, "aws:amz:%s:bedrock", p->region);
	out->framing = WIRE_EVENTSTREAM;

	int bad = 0;
	json_t *root = json_object();
	json_t *msgs = build_messages(rq);
	json_t *cfg = wire_sampling_object(rq, "temperature", "maxTokens", &bad);
	json_t *sys = rq->system ? json_pack("[{s:s}]", "text", rq->system) : NULL;
	bad = bad || !root || !msgs || (rq->system && !sys)
	      || json_object_set(root, "messages", msgs) < 0
	      || (sys && json_object_set(root, "system", sys) < 0)
	      || (cfg && json_object_set(root, "inferenceConfig", cfg) < 0);
	json_decref(msgs);
	json_decref(sys);
	json_decref(cfg);
	return wire_body(&out->body, root, bad, p->name, e);
}

static const struct wire_reason stop_reasons[] = {
	{"end_turn", WIRE_FINISH_STOP},
	{"stop_sequence", WIRE_FINISH_STOP},
	{"max_tokens", WIRE_FINISH_LENGTH},
	{"model_context_window_exceeded", WIRE_FINISH_LENGTH},
	{"tool_use", WIRE_FINISH_TOOL},
	{"guardrail_intervened", WIRE_FINISH_FILTER},
	{"content_filtered", WIRE_FINISH_FILTER},
};

/* metadata.usage: inputTokens leaves the cache out; the cached parts are added back. */
static void take_usage(struct wire_stream *st, json_t *u)
{
	if (json_is_object(u))
		wire_take_usage(st, wire_json_count(u, "inputTokens"),
				wire_json_count(u, "outputTokens"),
				wire_json_count(u, "cacheReadInputTokens"),
				wire_json_count(u, "cacheWriteInputTokens"));
}

static void take_delta(struct wire_stream *st, json_t *delta, const struct wire_sink *sink)
{
	json_t *v = json_object_get(delta, "text");
	if (json_is_string(v)) {
		wire_emit_text(st, sink, json_string_value(v), json_string_length(v));
		return;
	}
	/* reasoningContent holds text, or a signature or redacted bytes with nothing to show */
	v = json_object_get(json_object_get(delta, "reasoningContent"), "text");
	if (json_is_string(v))
		wire_emit_reasoning(st, sink, json_string_value(v), json_string_length(v));
	if (json_object_get(delta, "toolUse"))
		st->tool_call = 1;
}

/* An exception inside the stream: its name (":exception-type") and message. */
static void exception(struct wire_stream *st, const char *name, json_t *ev)
{
	const char *message = wire_json_str(ev, "message");
	if (!message)
		message = wire_json_str(ev, "Message");
	if (message)
		wire_fail(st, "%s: %s", name, message);
	else
		wire_fail(st, "%s", name);
	wire_set_finish(st, WIRE_FINISH_ERROR, name);
}

static int is_exception(const char *type)
{
	size_t n = type ? strlen(type) : 0;
	return n >= 9 && !strcasecmp(type + n - 9, "exception");
}

int wire_bedrock_event(struct wire_stream *st, const char *type, const char *data, size_t len,
		       const struct wire_sink *sink)
{
	json_t *ev = wire_event_json(st, &data, &len);
	if (!json_is_object(ev)) {
		json_decref(ev);
		if (is_exception(type) && !st->failed) {
			wire_fail(st, "%s", type); /* an exception we cannot read is still one */
			wire_set_finish(st, WIRE_FINISH_ERROR, type);
			return 0;
		}
		return -1;
	}
	const char *name = type ? type : "";
	if (is_exception(name)) {
		exception(st, name, ev);
	} else if (!strcmp(name, "contentBlockStart")) {
		if (json_object_get(json_object_get(ev, "start"), "toolUse"))
			st->tool_call = 1;
	} else if (!strcmp(name, "contentBlockDelta")) {
		take_delta(st, json_object_get(ev, "delta"), sink);
	} else if (!strcmp(name, "messageStop")) {
		const char *reason = wire_json_str(ev, "stopReason");
		if (reason)
			wire_take_reason(st, stop_reasons,
					 sizeof stop_reasons / sizeof stop_reasons[0], reason);
		st->done = 1;
	} else if (!strcmp(name, "metadata")) {
		take_usage(st, json_object_get(ev, "usage"));
	}
	/* messageStart, contentBlockStop and events added later carry nothing to show */
	json_decref(ev);
	return 0;
}

/* A header's string value as a C string in buf (cut to fit), or NULL. */
static const char *header(const struct evs_message *m, const char *name, char *buf, size_t size)
{
	size_t n;
	const char *v = evs_header_str(m, name, &n);
	if (!v)
		return NULL;
	snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), v);
	return buf;
}

int wire_stream_message(struct wire_stream *st, const struct evs_message *m,
			const struct wire_sink *sink)
{
	char kind[32], type[128], code[128];
	const char *mtype = header(m, ":message-type", kind, sizeof kind);
	if (mtype && !strcmp(mtype, "error")) {
		/* the framing's own error: :error-code and :error-message, no payload */
		char message[256];
		const char *c = header(m, ":error-code", code, sizeof code);
		const char *msg = header(m, ":error-message", message, sizeof message);
		wire_fail(st, "%s%s%s", c ? c : "error", msg ? ": " : "", msg ? msg : "");
		wire_set_finish(st, WIRE_FINISH_ERROR, c ? c : "error");
		return 0;
	}
	const char *name = header(m, mtype && !strcmp(mtype, "exception") ? ":exception-type"
								    : ":event-type",
				  type, sizeof type);
	if (mtype && !strcmp(mtype, "exception") && !is_exception(name))
		name = "exception"; /* an exception whatever it is named */
	return wire_stream_event(st, name, m->payload, m->payload_len, sink);
}

void wire_stream_framing_error(struct wire_stream *st, const char *why)
{
	wire_fail(st, "%s", why);
	wire_set_finish(st, WIRE_FINISH_ERROR, "framing");
}

void wire_bedrock_error(const char *provider, long status, json_t *body, struct wire_error *out)
{
	/* {"message": "..."} (the type is in the x-amzn-ErrorType header) */
	const char *message = wire_json_str(body, "message");
	if (!message)
		message = wire_json_str(body, "Message");
	if (message)
		wire_error_line(out, provider, status, NULL, message);
}

int wire_bedrock_models_request(const struct provider *p, struct wire_http *out, struct err *e)
{
	/* The list lives on the control plane, bedrock.REGION, beside bedrock-runtime. */
	const char *base = p->base_url ? p->base_url : "";
	const char *runtime = strstr(base, "://bedrock-runtime.");
	buf_reset(&out->url);
	if ((runtime ? buf_printf(&out->url, "%.*s://bedrock.%s", (int)(runtime - base), base,
				  runtime + 19)
		     : buf_append_str(&out->url, base)) < 0 ||
	    buf_append_str(&out->url, "/foundation-models?byOutputModality=TEXT") < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	out->auth_prefix = "Authorization: Bearer ";
	snprintf(out->sigv4, sizeof out->sigv4, "aws:amz:%s:bedrock", p->region ? p->region : "");
	out->framing = WIRE_SSE;
	return 0;
}

int wire_bedrock_models(json_t *body, void (*on_model)(void *, const char *), void *ctx)
{
	return wire_models_from_array(json_object_get(body, "modelSummaries"), "modelId",
				      on_model, ctx);
}
