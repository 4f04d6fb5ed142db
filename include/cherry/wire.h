/* wire: per-kind request builders and stream decoders (pure: JSON in, values out).
 * wire.c dispatches on the kind; wire_openai.c (also azure), wire_anthropic.c,
 * wire_gemini.c and wire_ollama.c each implement one kind. */
#ifndef CHERRY_WIRE_H
#define CHERRY_WIRE_H

#include <stddef.h>

#include "cherry/attach.h"
#include "cherry/buf.h"
#include "cherry/err.h"
#include "cherry/providers.h"

struct wire_msg {
	const char *role;     /* "user" or "assistant" */
	const char *content;
};

/* The files sent with msgs[msg] (a user message), before its text. They sit beside
 * the messages rather than in struct wire_msg so that every {role, content} stays a
 * complete initializer. */
struct wire_attached {
	size_t msg;
	const struct attach_part *parts;
	size_t nparts;
};

/* A tool offered to the model (from an MCP server's tools/list). */
struct wire_tool {
	const char *name;
	const char *description; /* NULL: none */
	const char *schema;      /* its input JSON Schema as JSON text; NULL: {"type":"object"} */
};

/* A tool call of an earlier answer, sent back with the conversation. */
struct wire_tool_call {
	const char *id;   /* the call's id ("call_...", "toolu_..."); cherry's own where the
			   * kind has none */
	const char *name;
	const char *args; /* the arguments, JSON text ("{}" when none) */
	const char *sig;  /* opaque, kind-specific (Gemini's thoughtSignature); NULL none */
};

/* What msgs[i] carries besides its text (wire_request.msg_tools[i]): an assistant
 * message's calls, or, for a message of role "tool", the result of call call_id
 * (its content is the result's text). */
struct wire_msg_tools {
	const struct wire_tool_call *calls;
	size_t ncalls;
	const char *call_id;
	const char *name;  /* the called tool (Gemini and Ollama name results by it) */
	int error;         /* the result is an error (or a refusal) */
	const char *items; /* openai-responses: the answer's reasoning items, a JSON array,
			    * sent before its calls; NULL none */
};

struct wire_request {
	const struct provider *provider;
	const char *model;    /* without the provider prefix */
	const char *system;   /* NULL for none */
	const struct wire_msg *msgs;
	size_t nmsgs;
	const struct wire_attached *attached; /* NULL when no message has files */
	size_t nattached;
	int has_temperature;
	double temperature;
	long max_tokens;      /* 0: leave to the provider (anthropic: WIRE_DEFAULT_MAX_TOKENS) */
	const struct wire_tool *tools; /* offered to the model; NULL: none */
	size_t ntools;
	const struct wire_msg_tools *msg_tools; /* NULL, or one per message */
	int store;            /* openai-responses: let the provider keep the response */
};

#define WIRE_DEFAULT_MAX_TOKENS 8192

/* How the answer's bytes are framed: server-sent events, JSON lines, or the AWS binary
 * event stream (bedrock; see eventstream.h). */
enum wire_framing { WIRE_SSE, WIRE_NDJSON, WIRE_EVENTSTREAM };

/* Everything needed to send one request, except the key. */
struct wire_http {
	struct buf url;          /* full URL */
	struct buf body;         /* JSON */
	const char *headers[6];  /* fixed, non-secret headers ("anthropic-version: 2023-06-01") */
	size_t nheaders;
	const char *auth_prefix; /* the key goes after this ("Authorization: Bearer "); NULL: no auth header */
	enum wire_framing framing;
	/* bedrock: libcurl's CURLOPT_AWS_SIGV4 ("aws:amz:REGION:bedrock") for a key that is
	 * an access key pair "ID:SECRET[:SESSION_TOKEN]"; a key without ':' (a Bedrock API
	 * key) goes after auth_prefix instead. "" for the other kinds. */
	char sigv4[96];
};

/* The files of msgs[i]: their count, and *parts (NULL when none). */
size_t wire_msg_parts(const struct wire_request *rq, size_t i, const struct attach_part **parts);
int wire_build_request(const struct wire_request *rq, struct wire_http *out, struct err *e);
void wire_http_free(struct wire_http *h);

struct wire_usage {
	long input;      /* -1: unknown */
	long output;
	long reasoning;
	long cached;
};

enum wire_finish {
	WIRE_FINISH_NONE,     /* no finish reason seen (yet) */
	WIRE_FINISH_STOP,     /* natural end */
	WIRE_FINISH_LENGTH,   /* cut by the token limit */
	WIRE_FINISH_TOOL,     /* the model asked for a tool (st->calls) */
	WIRE_FINISH_FILTER,   /* content filter / safety */
	WIRE_FINISH_REFUSAL,  /* the model refused */
	WIRE_FINISH_ERROR,    /* the provider signalled an error in-stream */
	WIRE_FINISH_OTHER,
};

/* Where decoded deltas go. Either callback may be NULL. */
struct wire_sink {
	void (*text)(void *ctx, const char *s, size_t len);
	void (*reasoning)(void *ctx, const char *s, size_t len);
	void *ctx;
};

/* One tool call the model asked for, decoded the same way from every kind. */
/* Ids cherry made up for calls the provider gave none start with this; they are not
 * sent back to a kind where ids are optional (Gemini). */
#define WIRE_OWN_ID_PREFIX "cherry_"

struct wire_call {
	int index;        /* its place among the answer's calls, 0-based */
	char *id;         /* the provider's id; WIRE_OWN_ID_PREFIX "N" (N = index) where the
			   * kind has none */
	char *name;
	struct buf args;  /* the arguments as JSON text, accumulated from the deltas */
	char *sig;        /* Gemini's thoughtSignature, to be sent back; NULL none */
	long key;         /* the kind's handle for it while it streams (a block index, an
			   * output index) */
};

struct wire_stream {
	enum wire_kind kind;
	const char *provider;      /* name, for error lines */
	struct wire_usage usage;
	enum wire_finish finish;
	char finish_raw[64];       /* the provider's own word for it ("length", "MAX_TOKENS") */
	int done;                  /* the kind's terminal marker was seen */
	int refusal;               /* refusal text was streamed */
	int tool_call;             /* a tool call was streamed */
	int failed;                /* an error arrived inside the stream */
	struct buf error;          /* its one-line description, "provider: ..." */
	long text_bytes;           /* answer bytes delivered so far */
	int block_thinking;        /* anthropic: current content block is thinking */
	struct buf fixed;          /* the last event, repaired when it held broken UTF-8 */
	struct buf note;           /* the provider's own account of the end, as a whole
				    * note line (an Anthropic refusal's explanation); empty
				    * when it gave none */
	struct wire_call *calls;   /* the tool calls, in the order they began */
	size_t ncalls, capcalls;
	struct buf items;          /* openai-responses: the reasoning items that came with
				    * their encrypted content, as a JSON array, to be sent
				    * back with the calls (store:false keeps nothing); empty
				    * when none */
};

void wire_stream_init(struct wire_stream *st, enum wire_kind kind, const char *provider);

struct evs_message;
/* Feeds one whole AWS event-stream message (bedrock): an event goes to the kind's decoder
 * by its :event-type, an exception (:message-type exception) or an error message ends
 * the stream with its type and message. Returns as wire_stream_event. */
int wire_stream_message(struct wire_stream *st, const struct evs_message *m,
			const struct wire_sink *sink);
/* The framing itself failed (a corrupt event stream): the stream ends with why. */
void wire_stream_framing_error(struct wire_stream *st, const char *why);
/* Feeds one event: for SSE kinds the event type and data, for NDJSON a line
 * (type NULL). Returns 0, or -1 when the payload is not JSON the kind knows
 * (the stream goes on; such events are ignored). Errors inside the stream set
 * st->failed and st->error. */
int wire_stream_event(struct wire_stream *st, const char *type, const char *data,
		      size_t len, const struct wire_sink *sink);
/* Ends the calls once the stream is over: empty arguments become "{}". 0, or -1 when a
 * call has no name or arguments that are not a JSON object (st->error says which). */
int wire_calls_finish(struct wire_stream *st);
/* A one-line description of how the stream ended, e.g. "cut short by the
 * length limit"; NULL for a normal end. */
const char *wire_finish_note(const struct wire_stream *st);
void wire_stream_free(struct wire_stream *st);

/* An HTTP error response turned into one line and a retry verdict. */
struct wire_error {
	char line[512];        /* "anthropic: 529 overloaded_error: Overloaded" */
	int retryable;         /* 408/409/429/5xx/overload, but never quota */
	double retry_after;    /* seconds hinted in the body (Gemini RetryInfo); -1 none */
	int key_rejected;      /* 401/403 or the provider said the key is bad */
};

void wire_error_from_response(enum wire_kind kind, const char *provider, long status,
			      const char *body, size_t len, struct wire_error *out);

/* 1 when the kind has a model list to fetch (Vertex AI has none a token can list). */
int wire_lists_models(enum wire_kind kind);
/* Model listing: the GET request for the kind's list endpoint (body stays empty). */
int wire_models_request(const struct provider *p, struct wire_http *out, struct err *e);
/* Calls on_model for each model id in a list response; returns the count or -1. */
int wire_parse_models(enum wire_kind kind, const char *body, size_t len,
		      void (*on_model)(void *ctx, const char *id), void *ctx);

#endif
