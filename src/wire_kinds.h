/* wire_kinds: what each kind's module gives wire.c to dispatch on. Private to src/. */
#ifndef CHERRY_WIRE_KINDS_H
#define CHERRY_WIRE_KINDS_H

#include <jansson.h>

#include "cherry/wire.h"

/* wire_openai.c: OpenAI Chat Completions, its compatibles, and Azure. */
int wire_openai_build(const struct wire_request *rq, struct wire_http *out, struct err *e);
int wire_openai_event(struct wire_stream *st, const char *type, const char *data, size_t len,
		      const struct wire_sink *sink);
void wire_openai_error(const char *provider, long status, json_t *body, struct wire_error *out);
int wire_openai_models_request(const struct provider *p, struct wire_http *out, struct err *e);
int wire_openai_models(json_t *body, void (*on_model)(void *, const char *), void *ctx);

/* wire_anthropic.c */
int wire_anthropic_build(const struct wire_request *rq, struct wire_http *out, struct err *e);
int wire_anthropic_event(struct wire_stream *st, const char *type, const char *data, size_t len,
			 const struct wire_sink *sink);
void wire_anthropic_error(const char *provider, long status, json_t *body, struct wire_error *out);
int wire_anthropic_models_request(const struct provider *p, struct wire_http *out, struct err *e);
int wire_anthropic_models(json_t *body, void (*on_model)(void *, const char *), void *ctx);

/* wire_gemini.c */
int wire_gemini_build(const struct wire_request *rq, struct wire_http *out, struct err *e);
int wire_gemini_event(struct wire_stream *st, const char *type, const char *data, size_t len,
		      const struct wire_sink *sink);
void wire_gemini_error(const char *provider, long status, json_t *body, struct wire_error *out);
int wire_gemini_models_request(const struct provider *p, struct wire_http *out, struct err *e);
int wire_gemini_models(json_t *body, void (*on_model)(void *, const char *), void *ctx);

/* wire_ollama.c: native /api/chat, NDJSON. */
int wire_ollama_build(const struct wire_request *rq, struct wire_http *out, struct err *e);
int wire_ollama_event(struct wire_stream *st, const char *type, const char *data, size_t len,
		      const struct wire_sink *sink);
void wire_ollama_error(const char *provider, long status, json_t *body, struct wire_error *out);
int wire_ollama_models_request(const struct provider *p, struct wire_http *out, struct err *e);
int wire_ollama_models(json_t *body, void (*on_model)(void *, const char *), void *ctx);

/* wire_responses.c: the OpenAI Responses API. */
int wire_responses_build(const struct wire_request *rq, struct wire_http *out, struct err *e);
int wire_responses_event(struct wire_stream *st, const char *type, const char *data, size_t len,
			 const struct wire_sink *sink);

/* wire_tools.c: the tool calls of a stream, and what requests with tools share. */
/* A new call (index = its place), with id (NULL: "call_N") and name copied. NULL on OOM
 * (the stream is then failed). */
struct wire_call *wire_call_new(struct wire_stream *st, long key, const char *id,
				const char *name);
/* The newest call with this key, NULL when none. */
struct wire_call *wire_call_by_key(struct wire_stream *st, long key);
/* Appends argument text (-1 on OOM, the stream failed); replaces it with wire_call_set_args. */
int wire_call_add_args(struct wire_stream *st, struct wire_call *c, const char *s, size_t n);
int wire_call_set_args(struct wire_stream *st, struct wire_call *c, const char *s, size_t n);
/* Replaces *field with a copy of s (-1 on OOM, the stream failed). */
int wire_call_set_str(struct wire_stream *st, char **field, const char *s);
void wire_calls_free(struct wire_stream *st);
/* A tool's schema as JSON (an object; {"type":"object"} when it has none). NULL when it
 * is not a JSON object, or on OOM. */
json_t *wire_tool_schema(const struct wire_tool *t);
/* rq's tools as the kinds that take JSON Schema as it is list them (NULL on OOM, or a
 * schema that is not an object):
 * NESTED [{type:"function", function:{name, description, parameters}}] (OpenAI, Ollama),
 * ANTHROPIC [{name, description, input_schema}],
 * FLAT [{type:"function", name, description, parameters, strict:false}] (Responses: not
 * strict, MCP schemas are not written for Structured Outputs). */
enum wire_tools_shape { WIRE_TOOLS_NESTED, WIRE_TOOLS_ANTHROPIC, WIRE_TOOLS_FLAT };
json_t *wire_tools_json(const struct wire_request *rq, enum wire_tools_shape shape);
/* The schema reduced to the OpenAPI subset Gemini's functionDeclarations accept (its
 * local $refs inlined). New reference, NULL on OOM. */
json_t *wire_gemini_schema(json_t *schema);
/* A call's arguments as a JSON object (new reference; {} when empty); NULL when they are
 * not a JSON object. */
json_t *wire_call_args_json(const char *args);
/* The extra of msgs[i] (NULL when none). */
const struct wire_msg_tools *wire_msg_tools_of(const struct wire_request *rq, size_t i);
/* 1 when msgs[i] is a tool result (role "tool" with a call_id; any other message
 * that is not the assistant's speaks as the user). */
int wire_msg_is_result(const struct wire_request *rq, size_t i);
/* wire_bedrock.c: AWS Bedrock ConverseStream. */
int wire_bedrock_build(const struct wire_request *rq, struct wire_http *out, struct err *e);
int wire_bedrock_event(struct wire_stream *st, const char *type, const char *data, size_t len,
		       const struct wire_sink *sink);
void wire_bedrock_error(const char *provider, long status, json_t *body, struct wire_error *out);
int wire_bedrock_models_request(const struct provider *p, struct wire_http *out, struct err *e);
int wire_bedrock_models(json_t *body, void (*on_model)(void *, const char *), void *ctx);

/* Vertex AI: Gemini (wire_gemini.c) and Claude (wire_anthropic.c) with a bearer token;
 * their streams are read by the gemini and anthropic decoders. */
int wire_vertex_build(const struct wire_request *rq, struct wire_http *out, struct err *e);
int wire_vertex_anthropic_build(const struct wire_request *rq, struct wire_http *out,
				struct err *e);
void wire_vertex_anthropic_error(const char *provider, long status, json_t *body,
				 struct wire_error *out);

/* Shared helpers in wire.c. */
/* base_url + "/v1/projects/PROJECT/locations/REGION/publishers/PUBLISHER/models/MODEL" +
 * method (":streamGenerateContent?alt=sse"), the model escaped; fails with one line when
 * the provider has no project or region. */
int wire_vertex_url(struct buf *url, const struct provider *p, const char *publisher,
		    const char *model, const char *method, struct err *e);
/* Appends s to url with every byte but the unreserved ones (and those in keep)
 * percent-escaped. 0 or -1 (OOM). */
int wire_path_escape(struct buf *url, const char *s, const char *keep);
/* Reads one stream event's JSON. jansson checks UTF-8 as it reads, so a valid event is
 * read once; only one it refuses and that holds broken UTF-8 is repaired (one U+FFFD per
 * maximal invalid subpart: a broken byte costs a character, not the event) and read
 * again, with *data and *len then pointing at the repaired text (kept in st). */
json_t *wire_event_json(struct wire_stream *st, const char **data, size_t *len);
/* json_t string member or NULL. */
const char *wire_json_str(json_t *obj, const char *key);
/* A non-negative count (integer, or a real in range), or -1 when absent or not one. */
long wire_json_count(json_t *obj, const char *key);
/* Sets obj[key] to the string s ("" for NULL); -1 on invalid UTF-8 or OOM. */
int wire_json_set_str(json_t *obj, const char *key, const char *s);
/* Calls on_model with arr[i][field] for every element that has a non-empty one;
 * returns the count, or -1 when arr is not an array. */
int wire_models_from_array(json_t *arr, const char *field,
			   void (*on_model)(void *, const char *), void *ctx);
/* An object with only the sampling settings the request sets (temperature under
 * temp_key, max tokens under max_key); NULL when it sets none, or on OOM (*bad = 1). */
json_t *wire_sampling_object(const struct wire_request *rq, const char *temp_key,
			     const char *max_key, int *bad);
/* Emits text to the sink and counts it. */
void wire_emit_text(struct wire_stream *st, const struct wire_sink *sink, const char *s, size_t len);
void wire_emit_reasoning(struct wire_stream *st, const struct wire_sink *sink, const char *s, size_t len);
/* Takes a usage snapshot's counts (-1: absent): the input the model saw is the uncached
 * part plus what was read from and written to the cache; a snapshot without an input
 * count leaves the total alone. */
void wire_take_usage(struct wire_stream *st, long in, long out, long cache_read,
		     long cache_write);
/* A provider's word for how an answer ended, and what it means. */
struct wire_reason {
	const char *raw;
	enum wire_finish finish;
};
/* Records raw as the finish reason with its meaning from table (OTHER when not in it). */
void wire_take_reason(struct wire_stream *st, const struct wire_reason *table, size_t n,
		      const char *raw);
/* Records a finish reason (raw word and its meaning). */
void wire_set_finish(struct wire_stream *st, enum wire_finish f, const char *raw);
/* Marks the stream failed with "provider: ..." built from fmt. */
void wire_fail(struct wire_stream *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The verdict for a status alone: 408/409/429/5xx retryable; 401/403 key rejected. */
void wire_error_defaults(long status, struct wire_error *out);
/* Sets out->line to "provider: STATUS what: message" (what or message may be NULL). */
void wire_error_line(struct wire_error *out, const char *provider, long status, const char *what,
		     const char *message);
/* Joins base_url and path into url; fails on a bad base URL. */
int wire_url(struct buf *url, const char *base, const char *path, struct err *e);
/* Serialises root compactly into body (jansson), then frees root. When bad is
 * set (a member could not be added) or root is NULL, fails with one line. */
/* An attachment's bytes as a JSON string of base64, after prefix (a data URL's
 * "data:image/png;base64,", or ""). NULL on OOM. */
json_t *wire_base64_json(const struct attach_part *p, const char *prefix);
/* What stands in the prompt for an attachment sent as text: a text file's block, and a
 * PDF's text where the kind takes no documents (documents 0). NULL when it goes as data. */
const char *wire_part_text(const struct attach_part *p, int documents);
int wire_body(struct buf *body, json_t *root, int bad, const char *provider, struct err *e);

#endif
