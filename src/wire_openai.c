/* wire_openai: OpenAI Chat Completions (SSE, data: only, ends with [DONE]), the many servers
 * that copy it (DeepSeek, OpenRouter, Groq, Mistral, vLLM, LM Studio, ...) and Azure OpenAI. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/jsonmem.h"
#include "wire_kinds.h"

/* A token count, or -1 when the field is absent, negative or not a number. Reals are range
 * checked because casting an out-of-range double to long is undefined. */
/* A typed part: {"type":type, type:inner} ({"type":"text","text":s} when inner is a string). */
static int add_part(json_t *content, const char *type, json_t *inner)
{
	json_t *o = json_object();
	if (!o || !inner || wire_json_set_str(o, "type", type) < 0) {
		json_decref(o);
		json_decref(inner);
		return -1;
	}
	if (json_object_set_new(o, type, inner) < 0) {
		json_decref(o);
		return -1;
	}
	return json_array_append_new(content, o);
}

/* A message with attachments: its content becomes parts, the files first, then the text.
 * Images go as data URLs; text and PDFs (Chat Completions compatibles differ on file
 * parts, so a PDF goes as its text) as text parts. */
static json_t *attachment_parts(const char *text, const struct attach_part *parts, size_t n)
{
	json_t *c = json_array();
	for (size_t i = 0; c && i < n; i++) {
		const char *t = wire_part_text(&parts[i], 0);
		int r;
		if (t) {
			r = add_part(c, "text", json_string(t));
		} else {
			char prefix[96];
			snprintf(prefix, sizeof prefix, "data:%s;base64,", parts[i].media_type);
			json_t *img = json_object();
			if (img && json_object_set_new(img, "url", wire_base64_json(&parts[i], prefix)) < 0) {
				json_decref(img);
				img = NULL;
			}
			r = add_part(c, "image_url", img);
		}
		if (r < 0) {
			json_decref(c);
			return NULL;
		}
	}
	if (c && add_part(c, "text", json_string(text ? text : "")) < 0) {
		json_decref(c);
		return NULL;
	}
	return c;
}

static int add_msg(json_t *msgs, const char *role, const char *content,
		   const struct attach_part *parts, size_t nparts)
{
	json_t *m = json_object();
	int bad = !m || wire_json_set_str(m, "role", role) < 0;
	if (!bad && nparts)
		bad = json_object_set_new(m, "content", attachment_parts(content, parts, nparts)) < 0;
	else if (!bad)
		bad = wire_json_set_str(m, "content", content) < 0;
	if (bad || json_array_append_new(msgs, m) < 0) {
		json_decref(m);
		return -1;
	}
	return 0;
}

/* The assistant's calls: [{id, type:"function", function:{name, arguments (a string)}}]. */
static json_t *tool_calls(const struct wire_msg_tools *mt)
{
	json_t *a = json_array();
	for (size_t k = 0; a && k < mt->ncalls; k++) {
		const struct wire_tool_call *tc = &mt->calls[k];
		if (json_array_append_new(a, json_pack("{s:s,s:s,s:{s:s,s:s}}", "id", tc->id ? tc->id : "",
						       "type", "function", "function", "name",
						       tc->name ? tc->name : "", "arguments",
						       tc->args && *tc->args ? tc->args : "{}")) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* A tool result {role:"tool", tool_call_id, content}, or the assistant's message with its
 * calls (content null when it said nothing). */
static int add_tool_msg(json_t *msgs, const struct wire_request *rq, size_t i)
{
	const struct wire_msg_tools *mt = wire_msg_tools_of(rq, i);
	const char *text = rq->msgs[i].content ? rq->msgs[i].content : "";
	json_t *m;
	if (wire_msg_is_result(rq, i))
		m = json_pack("{s:s,s:s,s:s}", "role", "tool", "tool_call_id",
			      mt && mt->call_id ? mt->call_id : "", "content", text);
	else
		m = json_pack("{s:s,s:o,s:o}", "role", "assistant", "content",
			      *text ? json_string(text) : json_null(), "tool_calls", tool_calls(mt));
	return json_array_append_new(msgs, m);
}

static json_t *build_messages(const struct wire_request *rq)
{
	json_t *msgs = json_array();
	if (!msgs)
		return NULL;
	/* "system" rather than OpenAI's newer "developer": every compatible server knows it,
	 * and OpenAI maps it for the models that want the other. */
	if (rq->system && add_msg(msgs, "system", rq->system, NULL, 0) < 0)
		goto fail;
	for (size_t i = 0; i < rq->nmsgs; i++) {
		/* A history holds two sides; whatever is not the model's is the user's. */
		const char *role = rq->msgs[i].role && !strcmp(rq->msgs[i].role, "assistant")
					   ? "assistant"
					   : "user";
		const struct wire_msg_tools *mt = wire_msg_tools_of(rq, i);
		if (wire_msg_is_result(rq, i) || (mt && mt->ncalls && !strcmp(role, "assistant"))) {
			if (add_tool_msg(msgs, rq, i) < 0)
				goto fail;
			continue;
		}
		const struct attach_part *parts;
		size_t nparts = wire_msg_parts(rq, i, &parts);
		if (add_msg(msgs, role, rq->msgs[i].content, parts, nparts) < 0)
			goto fail;
	}
	return msgs;
fail:
	json_decref(msgs);
	return NULL;
}

/* Percent-escapes everything outside [A-Za-z0-9._-], so a name cannot leave its path segment
 * or smuggle in query parameters. */
static int append_escaped(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
			    || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-';
		char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
		if (plain ? buf_append_char(b, (char)*p) < 0 : buf_append(b, esc, 3) < 0)
			return -1;
	}
	return 0;
}

static int need_base(const struct provider *p, struct err *e)
{
	if (p->base_url && *p->base_url)
		return 0;
	err_set(e, EXIT_USAGE, "%s: no base URL; set \"base_url\" for this provider in config.json",
		p->name);
	return -1;
}

static int need_api_version(const struct provider *p, struct err *e)
{
	if (p->api_version && *p->api_version)
		return 0;
	err_set(e, EXIT_USAGE,
		"%s: Azure needs an API version; set \"api_version\" for this provider in "
		"config.json",
		p->name);
	return -1;
}

/* {base}/openai/{middle}?api-version=V, with middle already in path form. */
static int azure_url(struct buf *url, const struct provider *p, const char *deployment,
		     const char *rest, struct err *e)
{
	if (wire_url(url, p->base_url, "/openai/", e) < 0)
		return -1;
	int bad = 0;
	if (deployment)
		bad = buf_append_str(url, "deployments/") < 0 || append_escaped(url, deployment) < 0
		      || buf_append_char(url, '/') < 0;
	bad = bad || buf_append_str(url, rest) < 0 || buf_append_str(url, "?api-version=") < 0
	      || append_escaped(url, p->api_version) < 0;
	if (bad) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return 0;
}

int wire_openai_build(const struct wire_request *rq, struct wire_http *out, struct err *e)
{
	const struct provider *p = rq->provider;
	int azure = p->kind == WIRE_AZURE;
	if (!rq->model || !*rq->model) {
		err_set(e, EXIT_USAGE, "%s: no model given", p->name);
		return -1;
	}
	if (need_base(p, e) < 0)
		return -1;
	if (azure) {
		/* The deployment in the path picks the model; the body's model would be ignored. */
		if (need_api_version(p, e) < 0
		    || azure_url(&out->url, p, rq->model, "chat/completions", e) < 0)
			return -1;
	} else if (wire_url(&out->url, p->base_url, "/chat/completions", e) < 0) {
		return -1;
	}
	out->headers[0] = "Content-Type: application/json";
	out->headers[1] = "Accept: text/event-stream";
	out->nheaders = 2;
	out->auth_prefix = azure ? "api-key: " : "Authorization: Bearer ";
	out->framing = WIRE_SSE;

	/* OpenAI deprecated max_tokens (o-series models reject it); the compatibles mostly only
	 * know max_tokens. Azure follows OpenAI. */
	const char *max_key = azure || (p->name && !strcmp(p->name, "openai"))
				      ? "max_completion_tokens"
				      : "max_tokens";
	json_t *root = json_object();
	json_t *msgs = build_messages(rq);
	json_t *opts = json_pack("{s:b}", "include_usage", 1);
	json_t *tools = rq->ntools ? wire_tools_json(rq, WIRE_TOOLS_NESTED) : NULL;
	/* Without include_usage OpenAI sends no token counts at all; compatibles that do not
	 * know the option ignore it. */
	int bad = !root || !msgs || !opts || (!azure && wire_json_set_str(root, "model", rq->model) < 0)
		  || json_object_set(root, "messages", msgs) < 0
		  || json_object_set_new(root, "stream", json_true()) < 0
		  || json_object_set(root, "stream_options", opts) < 0
		  || (rq->has_temperature
		      && json_object_set_new(root, "temperature", json_real(rq->temperature)) < 0)
		  || (rq->max_tokens > 0
		      && json_object_set_new(root, max_key, json_integer(rq->max_tokens)) < 0)
		  || (rq->ntools && (!tools || json_object_set(root, "tools", tools) < 0));
	json_decref(msgs);
	json_decref(opts);
	json_decref(tools);
	return wire_body(out, rq, root, bad, p->name, e);
}

/* ---- error objects, shared by HTTP error bodies and in-stream errors ---- */

struct error_desc {
	const char *code;    /* string code ("invalid_api_key", Azure "429"), or NULL */
	long code_num;       /* numeric code (OpenRouter 429); -1 none */
	const char *type;
	const char *message;
	char num[24];
};

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* The error object can be {"error":{...}} (OpenAI, OpenRouter, Azure), {"error":"text"}
 * (some local servers), or the body itself ({"object":"error",...} from vLLM and Mistral). */
static void describe(json_t *root, struct error_desc *d)
{
	memset(d, 0, sizeof *d);
	d->code_num = -1;
	json_t *error = json_object_get(root, "error");
	if (json_is_string(error)) {
		d->message = json_string_value(error);
		return;
	}
	json_t *obj = json_is_object(error) ? error : root;
	json_t *code = json_object_get(obj, "code");
	if (json_is_string(code) && *json_string_value(code))
		d->code = json_string_value(code);
	else if (json_is_integer(code) && json_integer_value(code) >= 0
		 && json_integer_value(code) <= INT_MAX)
		d->code_num = (long)json_integer_value(code);
	d->type = wire_json_str(obj, "type");
	if (d->type && !*d->type)
		d->type = NULL;
	d->message = wire_json_str(obj, "message");
	if (!d->message && obj == root)
		d->message = wire_json_str(root, "detail"); /* FastAPI-based servers */
}

/* What goes before the message: a word-like code, else the type, else a number code that
 * adds something (Azure's "429" on a 429 says nothing new). */
static const char *describe_what(struct error_desc *d, long status)
{
	if (d->code && !all_digits(d->code))
		return d->code;
	if (d->type)
		return d->type;
	snprintf(d->num, sizeof d->num, "%ld", status);
	if (d->code && strcmp(d->code, d->num))
		return d->code;
	if (d->code_num >= 0 && d->code_num != status) {
		snprintf(d->num, sizeof d->num, "%ld", d->code_num);
		return d->num;
	}
	return NULL;
}

/* ---- stream ---- */

/* Python's truthiness, which is what openai-python tests "error" with. */
static int truthy(json_t *v)
{
	if (!v)
		return 0;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_TRUE:
		return 1;
	default:
		return 0;
	}
}

static void stream_error(struct wire_stream *st, json_t *ev)
{
	if (st->failed)
		return; /* the first error is the one that matters */
	struct error_desc d;
	describe(ev, &d);
	const char *what = describe_what(&d, 0);
	const char *message = d.message && *d.message ? d.message : NULL;
	if (what && message)
		wire_fail(st, "%s: %s", what, message);
	else
		wire_fail(st, "%s", what ? what : message ? message : "an error occurred during streaming");
	wire_set_finish(st, WIRE_FINISH_ERROR, "error");
}

/* Usage may come on a chunk of its own (OpenAI with include_usage), on the finish chunk
 * (DeepSeek and most compatibles) or under x_groq; each is the total so far, so the newest
 * value of each field wins and a missing field leaves the old one alone. */
static void take_usage(struct wire_stream *st, json_t *usage)
{
	if (!json_is_object(usage))
		return;
	long v;
	if ((v = wire_json_count(usage, "prompt_tokens")) >= 0)
		st->usage.input = v;
	if ((v = wire_json_count(usage, "completion_tokens")) >= 0)
		st->usage.output = v;
	json_t *details = json_object_get(usage, "completion_tokens_details");
	if ((v = wire_json_count(details, "reasoning_tokens")) >= 0)
		st->usage.reasoning = v;
	if ((v = wire_json_count(json_object_get(usage, "prompt_tokens_details"), "cached_tokens")) >= 0
	    || (v = wire_json_count(usage, "prompt_cache_hit_tokens")) >= 0) /* older DeepSeek */
		st->usage.cached = v;
}

static const struct {
	const char *raw;
	enum wire_finish finish;
} finish_reasons[] = {
	{"stop", WIRE_FINISH_STOP},
	{"length", WIRE_FINISH_LENGTH},
	{"tool_calls", WIRE_FINISH_TOOL},
	{"function_call", WIRE_FINISH_TOOL},
	{"content_filter", WIRE_FINISH_FILTER},
	{"error", WIRE_FINISH_ERROR}, /* OpenRouter */
};

/* A finish reason is not the end of an OpenAI stream: the usage chunk and [DONE] follow.
 * The caller still treats a stream that closes after a finish reason (finish != NONE) as
 * a normal end, not as truncated: many compatibles never send [DONE] at all. */
static void take_finish(struct wire_stream *st, const char *raw)
{
	enum wire_finish f = WIRE_FINISH_OTHER;
	for (size_t i = 0; i < sizeof finish_reasons / sizeof finish_reasons[0]; i++)
		if (!strcmp(raw, finish_reasons[i].raw))
			f = finish_reasons[i].finish;
	if (f == WIRE_FINISH_ERROR) {
		/* Usually the chunk's "error" member has already said more. */
		if (!st->failed)
			wire_fail(st, "the provider ended the answer with an error");
		wire_set_finish(st, f, raw);
		return;
	}
	/* An error stays the verdict even if a finish reason trails it. */
	if (st->finish != WIRE_FINISH_ERROR)
		wire_set_finish(st, f, raw);
}

static void emit_str(struct wire_stream *st, const struct wire_sink *sink, json_t *v, int reasoning)
{
	if (!json_is_string(v))
		return;
	if (reasoning)
		wire_emit_reasoning(st, sink, json_string_value(v), json_string_length(v));
	else
		wire_emit_text(st, sink, json_string_value(v), json_string_length(v));
}

/* Mistral's reasoning models send content as typed parts: {"type":"text","text":...} and
 * {"type":"thinking","thinking":[{"type":"text","text":...}]}. */
static void content_parts(struct wire_stream *st, const struct wire_sink *sink, json_t *parts)
{
	size_t i;
	json_t *part;
	json_array_foreach(parts, i, part) {
		const char *type = wire_json_str(part, "type");
		if (json_is_string(part)) {
			emit_str(st, sink, part, 0);
		} else if (type && !strcmp(type, "text")) {
			emit_str(st, sink, json_object_get(part, "text"), 0);
		} else if (type && !strcmp(type, "thinking")) {
			json_t *thinking = json_object_get(part, "thinking");
			size_t k;
			json_t *t;
			emit_str(st, sink, thinking, 1);
			json_array_foreach(thinking, k, t) {
				const char *ttype = wire_json_str(t, "type");
				if (!ttype || !strcmp(ttype, "text"))
					emit_str(st, sink, json_object_get(t, "text"), 1);
			}
		}
	}
}

/* One element of delta.tool_calls: the first fragment of a call carries its index, id
 * and name, the later ones the same index and more of the arguments. Parallel calls
 * have their own indexes. A server that leaves out the index (some compatibles send
 * each call whole) starts a new call with every id, and appends to the last one else. */
static void take_tool_call(struct wire_stream *st, json_t *tc, long pos)
{
	if (!json_is_object(tc))
		return;
	json_t *index = json_object_get(tc, "index");
	const char *id = wire_json_str(tc, "id");
	json_t *fn = json_object_get(tc, "function");
	const char *name = wire_json_str(fn, "name");
	json_t *args = json_object_get(fn, "arguments");
	long key = json_is_integer(index) ? (long)json_integer_value(index)
					  : (id && *id ? (long)st->ncalls + pos : -1);
	struct wire_call *c = key >= 0 ? wire_call_by_key(st, key)
				       : st->ncalls ? &st->calls[st->ncalls - 1] : NULL;
	if (c && id && *id && strcmp(c->id, id))
		c = NULL; /* the index again with another id: another call */
	if (!c && !(c = wire_call_new(st, key, id, name)))
		return;
	if (name && *name && !*c->name && wire_call_set_str(st, &c->name, name) < 0)
		return;
	if (json_is_string(args))
		wire_call_add_args(st, c, json_string_value(args), json_string_length(args));
	else if (json_is_object(args)) {
		/* a compatible that sends the arguments as an object */
		char *text = jsonmem_dumps(args, JSON_COMPACT);
		if (text)
			wire_call_set_args(st, c, text, strlen(text));
		free(text);
	}
}

static void take_delta(struct wire_stream *st, json_t *delta, const struct wire_sink *sink)
{
	/* Servers in the middle of renaming reasoning_content to reasoning may send both with
	 * the same text; the first one present wins. */
	json_t *r = json_object_get(delta, "reasoning_content");
	if (!json_is_string(r) || !json_string_length(r))
		r = json_object_get(delta, "reasoning");
	emit_str(st, sink, r, 1);

	json_t *content = json_object_get(delta, "content");
	if (json_is_array(content))
		content_parts(st, sink, content);
	else
		emit_str(st, sink, content, 0);

	json_t *refusal = json_object_get(delta, "refusal");
	if (json_is_string(refusal) && json_string_length(refusal)) {
		/* The refusal is what the model said; show it, and mark why the answer is short. */
		st->refusal = 1;
		emit_str(st, sink, refusal, 0);
	}
	/* Tool arguments are JSON for a program, not text for the reader. */
	size_t i;
	json_t *tc;
	json_array_foreach(json_object_get(delta, "tool_calls"), i, tc)
		take_tool_call(st, tc, (long)i);
	if (json_is_object(json_object_get(delta, "function_call")))
		st->tool_call = 1; /* the legacy single call: never requested, so not run */
}

/* Only choice 0 is shown: with n > 1 the choices interleave, each chunk naming its index. */
static json_t *choice_zero(json_t *choices)
{
	size_t i;
	json_t *c;
	json_array_foreach(choices, i, c) {
		json_t *index = json_object_get(c, "index");
		if (json_is_integer(index) ? json_integer_value(index) == 0 : i == 0)
			return json_is_object(c) ? c : NULL;
	}
	return NULL;
}

int wire_openai_event(struct wire_stream *st, const char *type, const char *data, size_t len,
		      const struct wire_sink *sink)
{
	int error_event = type && !strcmp(type, "error");
	/* openai-node ignores whatever follows [DONE]; so do we. */
	if (st->done)
		return 0;
	if (!error_event && len >= 6 && !memcmp(data, "[DONE]", 6)) {
		st->done = 1;
		return 0;
	}
	json_t *ev = wire_event_json(st, &data, &len);
	if (!json_is_object(ev)) {
		json_decref(ev);
		if (!error_event)
			return -1; /* keep-alive noise and the like */
		/* An error we cannot read is still an error. */
		if (!st->failed) {
			wire_fail(st, "unreadable error event: %.*s", len > 200 ? 200 : (int)len, data);
			wire_set_finish(st, WIRE_FINISH_ERROR, "error");
		}
		return 0;
	}
	const char *object = wire_json_str(ev, "object");
	if (error_event || truthy(json_object_get(ev, "error"))
	    || (object && !strcmp(object, "error")))
		stream_error(st, ev);
	take_usage(st, json_object_get(ev, "usage"));
	take_usage(st, json_object_get(json_object_get(ev, "x_groq"), "usage"));

	/* choices is empty on the usage chunk and on Azure's first chunk. */
	json_t *choice = choice_zero(json_object_get(ev, "choices"));
	json_t *delta = json_object_get(choice, "delta");
	if (json_is_object(delta))
		take_delta(st, delta, sink);
	const char *reason = wire_json_str(choice, "finish_reason");
	if (reason && *reason)
		take_finish(st, reason);
	json_decref(ev);
	return 0;
}

/* ---- HTTP errors and the model list ---- */

void wire_openai_error(const char *provider, long status, json_t *body, struct wire_error *out)
{
	struct error_desc d;
	describe(body, &d);
	const char *what = describe_what(&d, status);
	if (!what && !d.message)
		return;
	wire_error_line(out, provider, status, what, d.message);
	/* Both kinds of 429 share the status; only waiting for the rate limit helps. */
	if ((d.code && !strcmp(d.code, "insufficient_quota"))
	    || (d.type && !strcmp(d.type, "insufficient_quota")))
		out->retryable = 0;
	if ((d.code && !strcmp(d.code, "invalid_api_key"))
	    || (d.type && !strcmp(d.type, "authentication_error")))
		out->key_rejected = 1;
}

int wire_openai_models_request(const struct provider *p, struct wire_http *out, struct err *e)
{
	int azure = p->kind == WIRE_AZURE;
	if (need_base(p, e) < 0)
		return -1;
	if (azure) {
		if (need_api_version(p, e) < 0 || azure_url(&out->url, p, NULL, "models", e) < 0)
			return -1;
	} else if (wire_url(&out->url, p->base_url, "/models", e) < 0) {
		return -1;
	}
	out->headers[0] = "Accept: application/json";
	out->nheaders = 1;
	out->auth_prefix = azure ? "api-key: " : "Authorization: Bearer ";
	out->framing = WIRE_SSE;
	return 0;
}

/* {"object":"list","data":[{"id":...}]}; Together answers with the bare array. */
int wire_openai_models(json_t *body, void (*on_model)(void *, const char *), void *ctx)
{
	json_t *data = json_is_array(body) ? body : json_object_get(body, "data");
	return wire_models_from_array(data, "id", on_model, ctx);
}
