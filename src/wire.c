/* wire: dispatch on the provider kind, and what every kind shares. */
#include "cherry/wire.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cherry/jsonmem.h"
#include "cherry/retry.h"
#include "cherry/utf8.h"
#include "wire_kinds.h"

struct wire_ops {
	int (*build)(const struct wire_request *, struct wire_http *, struct err *);
	int (*event)(struct wire_stream *, const char *, const char *, size_t, const struct wire_sink *);
	void (*error)(const char *, long, json_t *, struct wire_error *);
	int (*models_request)(const struct provider *, struct wire_http *, struct err *);
	int (*models)(json_t *, void (*)(void *, const char *), void *);
};

static const struct wire_ops ops_by_kind[] = {
	[WIRE_OPENAI] = {wire_openai_build, wire_openai_event, wire_openai_error,
			 wire_openai_models_request, wire_openai_models},
	[WIRE_ANTHROPIC] = {wire_anthropic_build, wire_anthropic_event, wire_anthropic_error,
			    wire_anthropic_models_request, wire_anthropic_models},
	[WIRE_GEMINI] = {wire_gemini_build, wire_gemini_event, wire_gemini_error,
			 wire_gemini_models_request, wire_gemini_models},
	[WIRE_OLLAMA] = {wire_ollama_build, wire_ollama_event, wire_ollama_error,
			 wire_ollama_models_request, wire_ollama_models},
	[WIRE_AZURE] = {wire_openai_build, wire_openai_event, wire_openai_error,
			wire_openai_models_request, wire_openai_models},
	/* Errors and the model list are OpenAI's own. */
	[WIRE_RESPONSES] = {wire_responses_build, wire_responses_event, wire_openai_error,
			    wire_openai_models_request, wire_openai_models},
	[WIRE_BEDROCK] = {wire_bedrock_build, wire_bedrock_event, wire_bedrock_error,
			  wire_bedrock_models_request, wire_bedrock_models},
	/* Vertex lists no publisher models for a project in one call a token can make: the
	 * chat request judges the token, and config.json names the models. */
	[WIRE_VERTEX] = {wire_vertex_build, wire_gemini_event, wire_gemini_error, NULL, NULL},
	[WIRE_VERTEX_ANTHROPIC] = {wire_vertex_anthropic_build, wire_anthropic_event,
				   wire_vertex_anthropic_error, NULL, NULL},
};

static const struct wire_ops *ops(enum wire_kind kind)
{
	return &ops_by_kind[kind];
}

int wire_build_request(const struct wire_request *rq, struct wire_http *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	int r = ops(rq->provider->kind)->build(rq, out, e);
	if (r < 0)
		wire_http_free(out);
	return r;
}

int wire_lists_models(enum wire_kind kind)
{
	return ops(kind)->models_request != NULL;
}

int wire_models_request(const struct provider *p, struct wire_http *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	if (!wire_lists_models(p->kind)) {
		err_set(e, EXIT_USAGE, "%s: a %s provider has no model list to fetch; name "
			"models in config.json (a preset offers a few)", p->name,
			wire_kind_name(p->kind));
		return -1;
	}
	int r = ops(p->kind)->models_request(p, out, e);
	if (r < 0)
		wire_http_free(out);
	return r;
}

void wire_http_free(struct wire_http *h)
{
	buf_free(&h->url);
	/* The body holds conversation text: wipe it rather than leave it in the heap. */
	buf_wipe_free(&h->body);
	free(h->splices);
	h->splices = NULL;
	h->nsplices = 0;
	if (h->keep_free)
		h->keep_free(h->keep);
	h->keep = NULL;
	h->keep_free = NULL;
}

void wire_stream_init(struct wire_stream *st, enum wire_kind kind, const char *provider)
{
	memset(st, 0, sizeof *st);
	st->kind = kind;
	st->provider = provider;
	st->usage.input = st->usage.output = st->usage.reasoning = st->usage.cached = -1;
}

void wire_stream_free(struct wire_stream *st)
{
	buf_free(&st->error);
	buf_free(&st->fixed);
	buf_free(&st->note);
	wire_calls_free(st);
	buf_free(&st->items);
}

int wire_stream_event(struct wire_stream *st, const char *type, const char *data, size_t len,
		      const struct wire_sink *sink)
{
	return ops(st->kind)->event(st, type, data, len, sink);
}

/* An event that could not be read for want of memory is not noise to skip: the answer
 * would silently lose its words. It ends the stream with an error instead. */
static json_t *event_oom(struct wire_stream *st)
{
	wire_fail(st, "out of memory reading the stream");
	return NULL;
}

json_t *wire_event_json(struct wire_stream *st, const char **data, size_t *len)
{
	int oom;
	json_error_t jerr;
	/* a provider's event holds its answer, no key of ours: its blocks go unwiped */
	json_t *root = jsonmem_loadb_plain(*data, *len, 0, &jerr, &oom);
	if (oom)
		return event_oom(st);
	/* No UTF-8 pass of our own before jansson's: it refuses invalid UTF-8 anywhere in
	 * what it reads. Whatever it refused is checked here, on the rare failing event. */
	if (root || utf8_valid(*data, *len))
		return root;
	buf_reset(&st->fixed);
	if (utf8_repair(*data, *len, &st->fixed) < 0)
		return event_oom(st);
	*data = st->fixed.data;
	*len = st->fixed.len;
	root = jsonmem_loadb_plain(*data, *len, 0, &jerr, &oom);
	return oom ? event_oom(st) : root;
}

const char *wire_finish_note(const struct wire_stream *st)
{
	if (st->note.len && st->finish != WIRE_FINISH_ERROR)
		return st->note.data;
	switch (st->finish) {
	case WIRE_FINISH_LENGTH:
		return "cut short by the length limit";
	case WIRE_FINISH_TOOL:
		return "the model asked to call a tool; cherry does not run tools yet";
	case WIRE_FINISH_FILTER:
		return "stopped by the provider's content filter";
	case WIRE_FINISH_REFUSAL:
		return "the model refused";
	default:
		break;
	}
	if (st->refusal)
		return "the model refused";
	if (st->tool_call)
		return "the model asked to call a tool; cherry does not run tools yet";
	return NULL;
}

void wire_error_from_response(enum wire_kind kind, const char *provider, long status,
			      const char *body, size_t len, struct wire_error *out)
{
	memset(out, 0, sizeof *out);
	out->retry_after = -1;
	wire_error_defaults(status, out);
	json_error_t jerr;
	json_t *root = body && len ? json_loadb(body, len, JSON_ALLOW_NUL, &jerr) : NULL;
	/* Gemini's non-SSE form wraps the error in a one-element array. */
	if (root && json_is_array(root) && json_array_size(root) == 1) {
		json_t *first = json_incref(json_array_get(root, 0));
		json_decref(root);
		root = first;
	}
	if (root && json_is_object(root)) {
		ops(kind)->error(provider, status, root, out);
	}
	if (!out->line[0])
		wire_error_line(out, provider, status, NULL, NULL);
	json_decref(root);
}

int wire_parse_models(enum wire_kind kind, const char *body, size_t len,
		      void (*on_model)(void *ctx, const char *id), void *ctx)
{
	json_error_t jerr;
	json_t *root = ops(kind)->models ? json_loadb(body, len, 0, &jerr) : NULL;
	if (!root)
		return -1;
	int n = ops(kind)->models(root, on_model, ctx);
	json_decref(root);
	return n;
}

/* ---- helpers shared by the kinds ---- */

const char *wire_json_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

long wire_json_count(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);
		return n < 0 ? -1 : n > LONG_MAX ? LONG_MAX : (long)n;
	}
	if (json_is_real(v)) {
		/* A cast of an out-of-range double is undefined: check first. */
		double d = json_real_value(v);
		return d >= 0 && d < 2147483647.0 ? (long)d : -1;
	}
	return -1;
}

int wire_json_set_str(json_t *obj, const char *key, const char *s)
{
	json_t *v = json_string(s ? s : "");
	return v ? json_object_set_new(obj, key, v) : -1;
}

int wire_models_from_array(json_t *arr, const char *field,
			   void (*on_model)(void *, const char *), void *ctx)
{
	if (!json_is_array(arr))
		return -1;
	int n = 0;
	size_t i;
	json_t *m;
	json_array_foreach(arr, i, m) {
		const char *id = wire_json_str(m, field);
		if (id && *id) {
			on_model(ctx, id);
			n++;
		}
	}
	return n;
}

json_t *wire_sampling_object(const struct wire_request *rq, const char *temp_key,
			     const char *max_key, int *bad)
{
	if (!rq->has_temperature && rq->max_tokens <= 0)
		return NULL;
	json_t *o = json_object();
	if (!o
	    || (rq->has_temperature
		&& json_object_set_new(o, temp_key, json_real(rq->temperature)) < 0)
	    || (rq->max_tokens > 0
		&& json_object_set_new(o, max_key, json_integer(rq->max_tokens)) < 0)) {
		json_decref(o);
		*bad = 1;
		return NULL;
	}
	return o;
}

void wire_emit_text(struct wire_stream *st, const struct wire_sink *sink, const char *s, size_t len)
{
	if (!len)
		return;
	st->text_bytes += (long)len;
	if (sink && sink->text)
		sink->text(sink->ctx, s, len);
}

void wire_emit_reasoning(struct wire_stream *st, const struct wire_sink *sink, const char *s,
			 size_t len)
{
	(void)st;
	if (len && sink && sink->reasoning)
		sink->reasoning(sink->ctx, s, len);
}

void wire_set_finish(struct wire_stream *st, enum wire_finish f, const char *raw)
{
	st->finish = f;
	snprintf(st->finish_raw, sizeof st->finish_raw, "%s", raw ? raw : "");
}

void wire_take_usage(struct wire_stream *st, long in, long out, long cache_read,
		     long cache_write)
{
	if (cache_read >= 0)
		st->usage.cached = cache_read;
	if (in >= 0)
		st->usage.input = in + (cache_write > 0 ? cache_write : 0)
				  + (st->usage.cached > 0 ? st->usage.cached : 0);
	if (out >= 0)
		st->usage.output = out;
}

void wire_take_reason(struct wire_stream *st, const struct wire_reason *table, size_t n,
		      const char *raw)
{
	enum wire_finish f = WIRE_FINISH_OTHER;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(raw, table[i].raw))
			f = table[i].finish;
	wire_set_finish(st, f, raw);
}

/* ---- secrets in error text ---- */

/* Providers echo a masked key in 401 messages (OpenAI: "Incorrect API key provided:
 * sk-test-****ARY1"). Even masked, it does not belong in logs or on screen: a word holding
 * "****", or "sk-" at its start or after punctuation ("key=sk-..."), becomes [redacted].
 * Every kind's error lines, in a body or in the stream, go through it. */
static int secret_word(const char *w, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++) {
		if (i + 4 <= n && !memcmp(w + i, "****", 4))
			return 1;
		if (!memcmp(w + i, "sk-", 3)) {
			unsigned char before = i ? (unsigned char)w[i - 1] : ' ';
			int alnum = (before >= 'a' && before <= 'z')
				    || (before >= 'A' && before <= 'Z')
				    || (before >= '0' && before <= '9') || before >= 0x80;
			if (!alnum)
				return 1;
		}
	}
	return 0;
}

static int blank_byte(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* s[0..n) into b, secret-looking words replaced and line breaks made spaces. */
static int redact(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t gap = 0, w = 0;
		while (i + gap < n && blank_byte(s[i + gap]))
			gap++;
		while (i + gap + w < n && !blank_byte(s[i + gap + w]))
			w++;
		for (size_t k = 0; k < gap; k++)
			if (buf_append(b, " ", 1) < 0)
				return -1;
		if (w && (secret_word(s + i + gap, w) ? buf_append_str(b, "[redacted]")
						     : buf_append(b, s + i + gap, w)) < 0)
			return -1;
		i += gap + w;
	}
	return 0;
}

void wire_fail(struct wire_stream *st, const char *fmt, ...)
{
	if (st->failed)
		return; /* the first error is the one that matters */
	st->failed = 1;
	struct buf raw = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	buf_reset(&st->error);
	buf_printf(&st->error, "%s: ", st->provider ? st->provider : wire_kind_name(st->kind));
	if (redact(&st->error, raw.data ? raw.data : "", raw.len) < 0)
		buf_reset(&st->error);
	buf_wipe_free(&raw); /* it may hold an unredacted key */
}

void wire_error_defaults(long status, struct wire_error *out)
{
	out->retryable = retry_status_retryable(status);
	out->key_rejected = status == 401 || status == 403;
}

void wire_error_line(struct wire_error *out, const char *provider, long status, const char *what,
		     const char *message)
{
	int n = snprintf(out->line, sizeof out->line, "%s: %ld", provider, status);
	if (what && *what && n > 0 && (size_t)n < sizeof out->line)
		n += snprintf(out->line + n, sizeof out->line - (size_t)n, " %s", what);
	if (message && *message && n > 0 && (size_t)n < sizeof out->line)
		n += snprintf(out->line + n, sizeof out->line - (size_t)n, "%s %s",
			      what && *what ? ":" : "", message);
	if (!(what && *what) && !(message && *message) && n > 0 && (size_t)n < sizeof out->line) {
		const char *reason = status == 401   ? "unauthorized (check the API key)"
				     : status == 403 ? "forbidden"
				     : status == 404 ? "not found (check the base URL and model)"
				     : status == 429 ? "too many requests"
				     : status >= 500 ? "server error"
						     : "request failed";
		snprintf(out->line + n, sizeof out->line - (size_t)n, " %s", reason);
	}
	struct buf clean = BUF_INIT;
	if (redact(&clean, out->line, strlen(out->line)) == 0 && clean.data)
		snprintf(out->line, sizeof out->line, "%s", clean.data);
	else
		snprintf(out->line, sizeof out->line, "%s: %ld", provider, status);
	buf_wipe_free(&clean);
}

int wire_url(struct buf *url, const char *base, const char *path, struct err *e)
{
	size_t blen = strlen(base);
	while (blen && base[blen - 1] == '/')
		blen--;
	if (!blen) {
		err_set(e, EXIT_FAIL, "empty base URL");
		return -1;
	}
	buf_reset(url);
	if (buf_append(url, base, blen) < 0 || buf_append_str(url, path) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return 0;
}

int wire_path_escape(struct buf *url, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	int r = 0;
	for (const unsigned char *c = (const unsigned char *)s; *c && r == 0; c++) {
		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')
		    || *c == '.' || *c == '_' || *c == '-' || strchr(keep, *c))
			r = buf_append_char(url, (char)*c);
		else
			r = buf_printf(url, "%%%c%c", hex[*c >> 4], hex[*c & 15]);
	}
	return r;
}

int wire_vertex_url(struct buf *url, const struct provider *p, const char *publisher,
		    const char *model, const char *method, struct err *e)
{
	if (!p->project || !*p->project) {
		err_set(e, EXIT_USAGE, "%s: no Google Cloud project: set \"project\" for it in "
			"config.json or GOOGLE_CLOUD_PROJECT", p->name);
		return -1;
	}
	if (!p->region || !*p->region) {
		err_set(e, EXIT_USAGE, "%s: no region: set \"region\" for it in config.json or "
			"GOOGLE_CLOUD_LOCATION", p->name);
		return -1;
	}
	if (wire_url(url, p->base_url ? p->base_url : "", "/v1/projects/", e) < 0)
		return -1;
	if (wire_path_escape(url, p->project, "") < 0 || buf_append_str(url, "/locations/") < 0 ||
	    wire_path_escape(url, p->region, "") < 0 ||
	    buf_printf(url, "/publishers/%s/models/", publisher) < 0 ||
	    wire_path_escape(url, model, "@") < 0 || buf_append_str(url, method) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return 0;
}

size_t wire_msg_parts(const struct wire_request *rq, size_t i, const struct attach_part **parts)
{
	*parts = NULL;
	for (size_t k = 0; k < rq->nattached; k++)
		if (rq->attached[k].msg == i) {
			*parts = rq->attached[k].parts;
			return rq->attached[k].nparts;
		}
	return 0;
}

const char *wire_part_text(const struct attach_part *p, int documents)
{
	if (p->kind == ATTACH_TEXT || (p->kind == ATTACH_PDF && !documents))
		return p->text ? p->text : "";
	return NULL;
}
