/* fuzz_wire: every kind's stream decoder, error reader and model-list parser must take any
 * bytes without crashing, leaking or breaking their promises (counted text, one-line errors,
 * no key-looking words in OpenAI-kind error lines).
 * The first input byte picks the kind, the status code, the event type and the chunk size;
 * the rest is fed three ways: as one event, as '\n'-separated events ("@type payload" names
 * the type), and through the kind's real framing (SSE parser, NDJSON splitter) in chunks.
 * One kind an input, not every kind: an execution costs a ninth, and the fuzzer still
 * reaches every kind through that byte (0 is OpenAI, as in the recorded-stream seeds). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/ndjson.h"
#include "cherry/sse.h"
#include "cherry/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
	if (!ok)
		abort();
}

static const enum wire_kind kinds[] = {
	WIRE_OPENAI,    WIRE_ANTHROPIC, WIRE_GEMINI, WIRE_OLLAMA,          WIRE_AZURE,
	WIRE_RESPONSES, WIRE_BEDROCK,   WIRE_VERTEX, WIRE_VERTEX_ANTHROPIC,
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const char *const types[] = {
	"message", "error", "message_start", "content_block_start", "content_block_delta",
	"content_block_stop", "message_delta", "message_stop", "ping", NULL,
	"response.completed", "",
};
#define NTYPES (sizeof types / sizeof types[0])

static const long statuses[] = {400, 401, 402, 403, 404, 408, 409, 413, 422,
				429, 500, 502, 503, 504, 529, 200};
#define NSTATUSES (sizeof statuses / sizeof statuses[0])

struct run {
	struct wire_stream st;
	struct wire_sink sink;
	long text_seen;
	long reasoning_seen;
};

static void on_text(void *ctx, const char *s, size_t len)
{
	struct run *r = ctx;
	require(s != NULL && len > 0);
	r->text_seen += (long)len;
}

static void on_reasoning(void *ctx, const char *s, size_t len)
{
	struct run *r = ctx;
	require(s != NULL && len > 0);
	r->reasoning_seen += (long)len;
}

static int openai_like(enum wire_kind kind)
{
	return kind == WIRE_OPENAI || kind == WIRE_AZURE;
}

/* OpenAI echoes masked keys; its kind promises none reach an error line. Same rule as the
 * module's, written apart from it: no "****", no "sk-" at a word start or after punctuation. */
static void require_no_key(const char *s)
{
	require(strstr(s, "****") == NULL);
	for (const char *p = s; (p = strstr(p, "sk-")); p++) {
		unsigned char before = p == s ? ' ' : (unsigned char)p[-1];
		int alnum = (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z')
			    || (before >= '0' && before <= '9') || before >= 0x80;
		require(alnum);
	}
}

static void require_one_line(const char *s)
{
	require(strchr(s, '\n') == NULL && strchr(s, '\r') == NULL);
}

static void run_start(struct run *r, enum wire_kind kind)
{
	memset(r, 0, sizeof *r);
	wire_stream_init(&r->st, kind, "fuzz");
	r->sink.text = on_text;
	r->sink.reasoning = on_reasoning;
	r->sink.ctx = r;
}

static void run_check_and_free(struct run *r)
{
	struct wire_stream *st = &r->st;
	require(st->text_bytes == r->text_seen);
	require(memchr(st->finish_raw, '\0', sizeof st->finish_raw) != NULL);
	require(st->finish >= WIRE_FINISH_NONE && st->finish <= WIRE_FINISH_OTHER);
	require(st->done == 0 || st->done == 1);
	if (st->failed) {
		require(st->error.data != NULL);
		require(strncmp(st->error.data, "fuzz: ", 6) == 0);
		require(strlen(st->error.data) == st->error.len);
		require_one_line(st->error.data);
		if (openai_like(st->kind))
			require_no_key(st->error.data);
	}
	(void)wire_finish_note(st);
	wire_stream_free(st);
}

static int on_sse(void *ctx, const struct sse_event *ev)
{
	struct run *r = ctx;
	/* The event name as the transport would pass it: NUL-terminated, bounded. */
	char type[64];
	size_t n = ev->type_len < sizeof type - 1 ? ev->type_len : sizeof type - 1;
	memcpy(type, ev->type, n);
	type[n] = '\0';
	wire_stream_event(&r->st, type, ev->data, ev->data_len, &r->sink);
	return 0;
}

static int on_line(void *ctx, const char *line, size_t len)
{
	struct run *r = ctx;
	wire_stream_event(&r->st, NULL, line, len, &r->sink);
	return 0;
}

/* Events separated by '\n'; a line "@name rest" is event "name" with data "rest". */
static void feed_lines(struct run *r, const char *in, size_t len, const char *deftype)
{
	size_t at = 0;
	while (at <= len) {
		const char *nl = memchr(in + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - in) : len;
		const char *line = in + at;
		size_t n = end - at;
		char type[32];
		const char *t = deftype;
		if (n && line[0] == '@') {
			const char *sp = memchr(line, ' ', n);
			size_t tn = sp ? (size_t)(sp - line) - 1 : n - 1;
			if (tn >= sizeof type)
				tn = sizeof type - 1;
			memcpy(type, line + 1, tn);
			type[tn] = '\0';
			t = type;
			size_t skip = sp ? (size_t)(sp - line) + 1 : n;
			line += skip;
			n -= skip;
		}
		/* Give the decoder its own copy so reading past len is caught. */
		char *copy = malloc(n + 1);
		require(copy != NULL);
		memcpy(copy, line, n);
		copy[n] = '\0';
		wire_stream_event(&r->st, t, copy, n, &r->sink);
		free(copy);
		if (!nl)
			break;
		at = end + 1;
	}
}

static void collect(void *ctx, const char *id)
{
	int *n = ctx;
	require(id != NULL && *id != '\0');
	(*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint8_t ctl = data[0];
	/* A private copy with no terminator: any read past len trips ASan. */
	size_t len = size - 1;
	char *in = malloc(len ? len : 1);
	require(in != NULL);
	memcpy(in, data + 1, len);
	const char *type = types[ctl % NTYPES];
	long status = statuses[(ctl >> 4) % NSTATUSES];

	/* every (kind, type) pair is one ctl value: type ctl % NTYPES, kind the rest */
	enum wire_kind kind = kinds[ctl / NTYPES % NKINDS];
	const char *deftype = kind == WIRE_OLLAMA ? NULL : type;
	struct run r;

	run_start(&r, kind);
	wire_stream_event(&r.st, deftype, in, len, &r.sink);
	run_check_and_free(&r);

	run_start(&r, kind);
	feed_lines(&r, in, len, deftype);
	run_check_and_free(&r);

	run_start(&r, kind);
	size_t step = (size_t)(ctl % 13) + 1;
	if (kind == WIRE_OLLAMA) {
		struct ndjson_splitter s;
		ndjson_init(&s, on_line, &r);
		for (size_t at = 0; at < len; at += step)
			ndjson_feed(&s, in + at, len - at < step ? len - at : step);
		ndjson_finish(&s);
		ndjson_free(&s);
	} else {
		struct sse_parser p;
		sse_init(&p, on_sse, &r);
		for (size_t at = 0; at < len; at += step)
			sse_feed(&p, in + at, len - at < step ? len - at : step);
		sse_finish(&p);
		sse_free(&p);
	}
	run_check_and_free(&r);

	struct wire_error w;
	wire_error_from_response(kind, "fuzz", status, in, len, &w);
	require(memchr(w.line, '\0', sizeof w.line) != NULL);
	require(strncmp(w.line, "fuzz: ", 6) == 0);
	require_one_line(w.line);
	require(w.retryable == 0 || w.retryable == 1);
	require(w.key_rejected == 0 || w.key_rejected == 1);
	if (openai_like(kind))
		require_no_key(w.line);

	int seen = 0;
	int n = wire_parse_models(kind, in, len, collect, &seen);
	require(n == -1 || n == seen);
	free(in);
	return 0;
}
