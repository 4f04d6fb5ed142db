/* fakeprov_stream: a stream's events in each wire kind's framing (OpenAI and Azure
 * chunks, Anthropic's and Responses' events, Gemini, Ollama's lines, Bedrock's event
 * stream): its start, deltas, natural end, failure mid-stream, bare error, refusal, and
 * the stalls, drips and drops. */
#include "fakeprov.h"

/* ---------------------------------------------------------------- streams per kind */

/* Sends s->ev as one stream write, with keep-alive comments when asked. */
static void ev_send(struct stream *s)
{
	struct conn *c = s->c;
	if (s->sc->comments && s->kind != K_OLLAMA && s->kind != K_ANTHROPIC) {
		static const char first[] = ": OPENROUTER PROCESSING\n\n";
		static const char glued[] = ": keep-alive\n\n";
		if (!s->events) {
			emit(c, first, sizeof first - 1);
		} else {
			struct sbuf t = {0};
			sb_add(&t, glued, sizeof glued - 1);
			sb_add(&t, s->ev.p, s->ev.len);
			emit(c, t.p, t.len);
			sb_free(&t);
			s->events++;
			return;
		}
	}
	emit(c, s->ev.p, s->ev.len);
	s->events++;
}

void sse_data(struct stream *s, const char *event, const char *json)
{
	sb_clear(&s->ev);
	if (event)
		sb_printf(&s->ev, "event: %s\n", event);
	sb_printf(&s->ev, "data: %s\n\n", json);
	ev_send(s);
}

/* The JSON of one event is assembled in j, then framed. */
void send_json_event(struct stream *s, const char *event, struct sbuf *j)
{
	sb_clear(&s->ev);
	if (s->kind == K_OLLAMA) {
		sb_add(&s->ev, j->p, j->len);
		sb_addc(&s->ev, '\n');
	} else {
		if (event)
			sb_printf(&s->ev, "event: %s\n", event);
		sb_adds(&s->ev, "data: ");
		sb_add(&s->ev, j->p, j->len);
		sb_adds(&s->ev, "\n\n");
	}
	ev_send(s);
}

/* openai and azure: a chunk with one choice carrying delta (JSON) and finish reason. */
void oa_chunk(struct stream *s, const char *delta, const char *finish, int filtered)
{
	struct sbuf j = {0};
	if (s->kind == K_AZURE) {
		sb_printf(&j, "{\"choices\":[{\"content_filter_results\":%s,\"delta\":%s,"
			  "\"finish_reason\":", filtered ? AZ_FILTERS : "{}", delta);
		sb_printf(&j, finish ? "\"%s\"" : "null", finish);
		sb_adds(&j, ",\"index\":0,\"logprobs\":null}]," AZ_TAIL "}");
	} else {
		sb_printf(&j, OA_HEAD "{\"index\":0,\"delta\":%s,\"logprobs\":null,"
			  "\"finish_reason\":", delta);
		sb_printf(&j, finish ? "\"%s\"" : "null", finish);
		sb_adds(&j, "}]}");
	}
	send_json_event(s, NULL, &j);
	sb_free(&j);
}

void an_event(struct stream *s, const char *name, const char *json)
{
	sse_data(s, name, json);
}

static void an_block_start(struct stream *s, int thinking)
{
	struct sbuf j = {0};
	s->block = s->next_block++;
	s->block_thinking = thinking;
	sb_printf(&j, "{\"type\":\"content_block_start\",\"index\":%d,\"content_block\":%s}",
		  s->block, thinking ? "{\"type\":\"thinking\",\"thinking\":\"\"}"
				     : "{\"type\":\"text\",\"text\":\"\"}");
	an_event(s, "content_block_start", j.p);
	sb_free(&j);
	if (s->block == 0)
		an_event(s, "ping", "{\"type\": \"ping\"}");
}

static void an_block_stop(struct stream *s)
{
	struct sbuf j = {0};
	if (s->block < 0)
		return;
	if (s->block_thinking) {
		sb_printf(&j, "{\"type\":\"content_block_delta\",\"index\":%d,\"delta\":"
			  "{\"type\":\"signature_delta\",\"signature\":\"" AN_SIGNATURE "\"}}",
			  s->block);
		an_event(s, "content_block_delta", j.p);
		sb_clear(&j);
	}
	sb_printf(&j, "{\"type\":\"content_block_stop\",\"index\":%d}", s->block);
	an_event(s, "content_block_stop", j.p);
	sb_free(&j);
	s->block = -1;
}

void ge_usage(struct stream *s, struct sbuf *j, int final)
{
	int total = PROMPT_TOKENS + s->reason_n + (final ? s->text_n : 0);
	sb_printf(j, ",\"usageMetadata\": {\"promptTokenCount\": %d,", PROMPT_TOKENS);
	if (final)
		sb_printf(j, "\"candidatesTokenCount\": %d,", s->text_n);
	sb_printf(j, "\"totalTokenCount\": %d,\"promptTokensDetails\": [{\"modality\": \"TEXT\","
		  "\"tokenCount\": %d}]", total, PROMPT_TOKENS);
	if (s->reason_n)
		sb_printf(j, ",\"thoughtsTokenCount\": %d", s->reason_n);
	sb_adds(j, "}");
}

/* bedrock: one event-stream message; an event (type = :event-type) or an exception
 * (type = :exception-type). "badcrc" spoils the second delta's message CRC. */
void br_message(struct stream *s, const char *mtype, const char *type, const char *json)
{
	static const char *const event_names[] = {":event-type", ":content-type", ":message-type"};
	static const char *const exc_names[] = {":exception-type", ":content-type",
						":message-type"};
	const char *values[] = {type, "application/json", mtype};
	unsigned char *m;
	size_t n;
	if (fp_evs_message(strcmp(mtype, "event") ? exc_names : event_names, values, 3, json,
			   strlen(json), &m, &n) < 0)
		die("out of memory");
	if (s->sc->badcrc && s->deltas == 2 && !strcmp(type, "contentBlockDelta"))
		m[n - 1] ^= 0xff;
	emit(s->c, (const char *)m, n);
	s->events++;
	free(m);
}

static void br_block_stop(struct stream *s)
{
	struct sbuf j = {0};
	if (s->block < 0)
		return;
	sb_printf(&j, "{\"contentBlockIndex\":%d,\"p\":\"abcdefghijklmnopqrstuvw\"}", s->block);
	br_message(s, "event", "contentBlockStop", j.p);
	sb_free(&j);
	s->block = -1;
}

/* messageStop with its stopReason, then metadata (usage), as ConverseStream ends. */
void br_end(struct stream *s, const char *reason)
{
	struct sbuf j = {0};
	int out_tokens = s->text_n + s->reason_n;
	br_block_stop(s);
	sb_printf(&j, "{\"p\":\"abcdefghijklmnopq\",\"stopReason\":\"%s\"}", reason);
	br_message(s, "event", "messageStop", j.p);
	sb_clear(&j);
	sb_printf(&j, "{\"metrics\":{\"latencyMs\":421},\"p\":\"abcdefgh\",\"usage\":"
		  "{\"inputTokens\":%d,\"outputTokens\":%d,\"totalTokens\":%d}}", PROMPT_TOKENS,
		  out_tokens, PROMPT_TOKENS + out_tokens);
	br_message(s, "event", "metadata", j.p);
	sb_free(&j);
}

/* responses: one typed event; body is the JSON members after "type" (without braces). */
void rs_event(struct stream *s, const char *type, const char *body)
{
	struct sbuf j = {0};
	sb_printf(&j, "{\"type\":\"%s\",%s,\"sequence_number\":%d}", type, body, s->seq++);
	send_json_event(s, type, &j);
	sb_free(&j);
}

/* responses: ends the open output item (a reasoning item or the message). */
static void rs_item_done(struct stream *s)
{
	struct sbuf b = {0};
	if (s->block < 0)
		return;
	if (s->block_thinking)
		sb_printf(&b, "\"output_index\":%d,\"item\":{\"id\":\"rs_fake%d\",\"type\":"
			  "\"reasoning\",\"summary\":[]}", s->block, s->block);
	else
		sb_printf(&b, "\"output_index\":%d,\"item\":{\"id\":\"msg_fake%d\",\"type\":"
			  "\"message\",\"status\":\"completed\",\"role\":\"assistant\","
			  "\"content\":[]}", s->block, s->block);
	rs_event(s, "response.output_item.done", b.p);
	sb_free(&b);
	s->block = -1;
}

/* responses: opens a reasoning item (with its summary part) or a message (with its
 * output_text part). */
static void rs_item_open(struct stream *s, int reasoning)
{
	struct sbuf b = {0};
	s->block = s->next_block++;
	s->block_thinking = reasoning;
	if (reasoning) {
		sb_printf(&b, "\"output_index\":%d,\"item\":{\"id\":\"rs_fake%d\",\"type\":"
			  "\"reasoning\",\"summary\":[]}", s->block, s->block);
		rs_event(s, "response.output_item.added", b.p);
		sb_clear(&b);
		sb_printf(&b, "\"item_id\":\"rs_fake%d\",\"output_index\":%d,\"summary_index\":0,"
			  "\"part\":{\"type\":\"summary_text\",\"text\":\"\"}", s->block, s->block);
		rs_event(s, "response.reasoning_summary_part.added", b.p);
	} else {
		sb_printf(&b, "\"output_index\":%d,\"item\":{\"id\":\"msg_fake%d\",\"type\":"
			  "\"message\",\"status\":\"in_progress\",\"role\":\"assistant\","
			  "\"content\":[]}", s->block, s->block);
		rs_event(s, "response.output_item.added", b.p);
		sb_clear(&b);
		sb_printf(&b, "\"item_id\":\"msg_fake%d\",\"output_index\":%d,\"content_index\":0,"
			  "\"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[]}",
			  s->block, s->block);
		rs_event(s, "response.content_part.added", b.p);
	}
	sb_free(&b);
}

void st_begin(struct stream *s)
{
	switch (s->kind) {
	case K_OPENAI:
		oa_chunk(s, s->sc->reasoning == 1
			 ? "{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"\"}"
			 : "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", NULL, 0);
		break;
	case K_AZURE:
		sse_data(s, NULL, AZ_PROMPT_CHUNK);
		oa_chunk(s, s->sc->reasoning == 1
			 ? "{\"content\":null,\"reasoning_content\":\"\",\"role\":\"assistant\"}"
			 : "{\"content\":\"\",\"refusal\":null,\"role\":\"assistant\"}", NULL, 0);
		break;
	case K_ANTHROPIC: {
		struct sbuf j = {0};
		sb_printf(&j, AN_MESSAGE_START, PROMPT_TOKENS);
		an_event(s, "message_start", j.p);
		sb_free(&j);
		break;
	}
	case K_RESPONSES:
		rs_event(s, "response.created", "\"response\":" RS_RESPONSE("in_progress", "null"));
		rs_event(s, "response.in_progress", "\"response\":" RS_RESPONSE("in_progress", "null"));
		break;
	case K_BEDROCK:
		br_message(s, "event", "messageStart",
			   "{\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEFGH\",\"role\":\"assistant\"}");
		break;
	case K_GEMINI: case K_OLLAMA:
		break;
	}
}

/* One delta; frag is escaped JSON string content; last marks gemini's finishing chunk. */
void st_delta(struct stream *s, int reasoning, const struct sbuf *frag, int last)
{
	struct sbuf j = {0};
	const struct scenario *sc = s->sc;
	if (!s->deltas && sc->late_ms)
		nap(s->c, sc->late_ms);
	if (s->deltas++ && sc->slow_ms)
		nap(s->c, sc->slow_ms);
	if (reasoning)
		s->reason_n++;
	else
		s->text_n++;
	switch (s->kind) {
	case K_OPENAI: case K_AZURE:
		if (reasoning && sc->reasoning == 2)
			sb_adds(&j, "{\"reasoning\":\"");
		else if (reasoning)
			sb_adds(&j, "{\"content\":null,\"reasoning_content\":\"");
		else
			sb_adds(&j, "{\"content\":\"");
		sb_add(&j, frag->p, frag->len);
		if (!reasoning && sc->reasoning == 1)
			sb_adds(&j, "\",\"reasoning_content\":null}");
		else
			sb_adds(&j, "\"}");
		oa_chunk(s, j.p, NULL, 1);
		break;
	case K_ANTHROPIC:
		if (s->block >= 0 && s->block_thinking != reasoning)
			an_block_stop(s);
		if (s->block < 0)
			an_block_start(s, reasoning);
		if (sc->comments)
			an_event(s, "ping", "{\"type\": \"ping\"}");
		sb_printf(&j, "{\"type\":\"content_block_delta\",\"index\":%d,\"delta\":{\"type\":"
			  "\"%s\",\"%s\":\"", s->block, reasoning ? "thinking_delta" : "text_delta",
			  reasoning ? "thinking" : "text");
		sb_add(&j, frag->p, frag->len);
		sb_adds(&j, "\"}}");
		an_event(s, "content_block_delta", j.p);
		break;
	case K_GEMINI:
		sb_adds(&j, "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"");
		sb_add(&j, frag->p, frag->len);
		sb_adds(&j, reasoning ? "\",\"thought\": true}]" : "\"}]");
		sb_adds(&j, ",\"role\": \"model\"}");
		if (last && !sc->nodone)
			sb_printf(&j, ",\"finishReason\": \"%s\"",
				  sc->length ? "MAX_TOKENS" : "STOP");
		sb_adds(&j, ",\"index\": 0}]");
		ge_usage(s, &j, last && !sc->nodone);
		sb_adds(&j, GE_TAIL);
		send_json_event(s, NULL, &j);
		break;
	case K_RESPONSES:
		if (s->block >= 0 && s->block_thinking != reasoning)
			rs_item_done(s);
		if (s->block < 0)
			rs_item_open(s, reasoning);
		if (reasoning)
			sb_printf(&j, "\"item_id\":\"rs_fake%d\",\"output_index\":%d,"
				  "\"summary_index\":0,\"delta\":\"", s->block, s->block);
		else
			sb_printf(&j, "\"item_id\":\"msg_fake%d\",\"output_index\":%d,"
				  "\"content_index\":0,\"delta\":\"", s->block, s->block);
		sb_add(&j, frag->p, frag->len);
		sb_addc(&j, '"');
		rs_event(s, reasoning ? "response.reasoning_summary_text.delta"
				      : "response.output_text.delta", j.p);
		break;
	case K_OLLAMA:
		sb_adds(&j, OL_HEAD "\"message\":{\"role\":\"assistant\",\"content\":\"");
		if (reasoning) {
			sb_adds(&j, "\",\"thinking\":\"");
			sb_add(&j, frag->p, frag->len);
		} else {
			sb_add(&j, frag->p, frag->len);
		}
		sb_adds(&j, "\"},\"done\":false}");
		send_json_event(s, NULL, &j);
		break;
	case K_BEDROCK:
		if (s->block >= 0 && s->block_thinking != reasoning)
			br_block_stop(s);
		if (s->block < 0) {
			s->block = s->next_block++;
			s->block_thinking = reasoning;
		}
		sb_printf(&j, "{\"contentBlockIndex\":%d,\"delta\":{%s\"text\":\"", s->block,
			  reasoning ? "\"reasoningContent\":{" : "");
		sb_add(&j, frag->p, frag->len);
		sb_adds(&j, reasoning ? "\"}}" : "\"}");
		sb_adds(&j, ",\"p\":\"abcdefghijk\"}");
		br_message(s, "event", "contentBlockDelta", j.p);
		break;
	}
	sb_free(&j);
}

/* responses: response.completed with usage, or response.incomplete (length). */
void rs_finish(struct stream *s, int length)
{
	struct sbuf u = {0}, b = {0};
	int out_tokens = s->text_n + s->reason_n;
	sb_printf(&u, "{\"input_tokens\":%d,\"input_tokens_details\":{\"cached_tokens\":0},"
		  "\"output_tokens\":%d,\"output_tokens_details\":{\"reasoning_tokens\":%d},"
		  "\"total_tokens\":%d}", PROMPT_TOKENS, out_tokens, s->reason_n,
		  PROMPT_TOKENS + out_tokens);
	sb_printf(&b, "\"response\":{\"id\":\"resp_fake0123456789\",\"object\":\"response\","
		  "\"status\":\"%s\",\"error\":null,\"incomplete_details\":%s,\"model\":"
		  "\"fake-gpt-5\",\"output\":[],\"usage\":%s}", length ? "incomplete" : "completed",
		  length ? "{\"reason\":\"max_output_tokens\"}" : "null", u.p);
	rs_event(s, length ? "response.incomplete" : "response.completed", b.p);
	sb_free(&u);
	sb_free(&b);
}

/* The natural end: finish reason, usage and the kind's end marker. "nodone" sends none of
 * them (gemini: its last chunk has no finishReason), so the stream is cut off by every
 * definition: no [DONE] and no finish_reason, no message_stop and no stop_reason. */
void st_finish(struct stream *s)
{
	struct sbuf j = {0};
	const struct scenario *sc = s->sc;
	int out_tokens = s->text_n + s->reason_n;
	if (sc->nodone)
		return;
	switch (s->kind) {
	case K_OPENAI: case K_AZURE:
		oa_chunk(s, "{}", sc->length ? "length" : "stop", 0);
		if (s->kind == K_AZURE)
			sb_printf(&j, AZ_USAGE_CHUNK, out_tokens, s->reason_n, PROMPT_TOKENS,
				  PROMPT_TOKENS + out_tokens);
		else
			sb_printf(&j, OA_USAGE_CHUNK, PROMPT_TOKENS, out_tokens,
				  PROMPT_TOKENS + out_tokens, s->reason_n);
		send_json_event(s, NULL, &j);
		sse_data(s, NULL, "[DONE]");
		break;
	case K_ANTHROPIC:
		if (s->block < 0 && !s->next_block)
			an_block_start(s, 0); /* an empty answer still has its text block */
		an_block_stop(s);
		sb_printf(&j, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"%s\","
			  "\"stop_sequence\":null},\"usage\":{\"output_tokens\":%d}}",
			  sc->length ? "max_tokens" : "end_turn", out_tokens);
		an_event(s, "message_delta", j.p);
		an_event(s, "message_stop", "{\"type\":\"message_stop\"}");
		break;
	case K_GEMINI:
		break; /* the last delta carried finishReason */
	case K_RESPONSES:
		rs_item_done(s);
		rs_finish(s, sc->length);
		break;
	case K_BEDROCK:
		br_end(s, sc->length ? "max_tokens" : "end_turn");
		break;
	case K_OLLAMA:
		sb_printf(&j, OL_HEAD "\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
			  "\"done\":true,\"done_reason\":\"%s\",\"total_duration\":4883583458,"
			  "\"load_duration\":1334875,\"prompt_eval_count\":%d,"
			  "\"prompt_eval_duration\":342546000,\"eval_count\":%d,"
			  "\"eval_duration\":4535599000}", sc->length ? "length" : "stop",
			  PROMPT_TOKENS, out_tokens);
		send_json_event(s, NULL, &j);
		break;
	}
	sb_free(&j);
}

/* An error inside the 200 stream, in the kind's own shape. */
void st_midfail(struct stream *s)
{
	switch (s->kind) {
	case K_OPENAI: case K_AZURE:
		sse_data(s, NULL, OA_MIDFAIL);
		break;
	case K_ANTHROPIC:
		sse_data(s, "error", AN_MIDFAIL);
		break;
	case K_GEMINI:
		sse_data(s, NULL, GE_MIDFAIL);
		break;
	case K_RESPONSES:
		rs_event(s, "error", RS_MIDFAIL);
		break;
	case K_BEDROCK:
		br_message(s, "exception", "internalServerException",
			   "{\"message\":\"The system encountered an unexpected error during "
			   "processing. Try your request again.\"}");
		break;
	case K_OLLAMA: {
		struct sbuf j = {0};
		sb_adds(&j, OL_MIDFAIL);
		send_json_event(s, NULL, &j);
		sb_free(&j);
		break;
	}
	}
}

/* "rawerror": the kind's error body, pretty-printed, with no "data:" and no event name,
 * as Gemini ends a stream (ollama, NDJSON, sends its error line as for midfail). */
void st_rawerror(struct stream *s)
{
	switch (s->kind) {
	case K_OPENAI: case K_AZURE: case K_RESPONSES:
		emit(s->c, OA_RAWERROR, sizeof OA_RAWERROR - 1);
		break;
	case K_ANTHROPIC:
		emit(s->c, AN_RAWERROR, sizeof AN_RAWERROR - 1);
		break;
	case K_GEMINI:
		emit(s->c, GE_RAWERROR, sizeof GE_RAWERROR - 1);
		break;
	case K_OLLAMA: case K_BEDROCK:
		st_midfail(s);
		break;
	}
}

/* "refusal": no answer text, the refusal in the kind's own shape, then a normal end. */
void st_refusal(struct stream *s)
{
	struct sbuf j = {0};
	switch (s->kind) {
	case K_OPENAI: case K_AZURE:
		oa_chunk(s, "{\"content\":null,\"refusal\":\"" REFUSAL_TEXT "\"}", NULL, 0);
		oa_chunk(s, "{}", "stop", 0);
		sse_data(s, NULL, "[DONE]");
		break;
	case K_ANTHROPIC:
		/* no content block at all: only stop_details explains */
		sb_adds(&j, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"refusal\","
			"\"stop_sequence\":null,\"stop_details\":{\"type\":\"refusal\",\"category\":"
			"\"" REFUSAL_CATEGORY "\",\"explanation\":\"" REFUSAL_TEXT "\"}},"
			"\"usage\":{\"output_tokens\":0}}");
		an_event(s, "message_delta", j.p);
		an_event(s, "message_stop", "{\"type\":\"message_stop\"}");
		break;
	case K_RESPONSES:
		rs_event(s, "response.refusal.delta", "\"item_id\":\"msg_fake0\",\"output_index\":0,"
			 "\"content_index\":0,\"delta\":\"" REFUSAL_TEXT "\"");
		rs_finish(s, 0);
		break;
	case K_GEMINI:
		sb_adds(&j, "{\"candidates\": [{\"finishReason\": \"SAFETY\",\"index\": 0}]");
		sb_adds(&j, GE_TAIL);
		send_json_event(s, NULL, &j);
		break;
	case K_OLLAMA:
		sb_adds(&j, OL_HEAD "\"message\":{\"role\":\"assistant\",\"content\":\""
			REFUSAL_TEXT "\"},\"done\":true,\"done_reason\":\"stop\"}");
		send_json_event(s, NULL, &j);
		break;
	case K_BEDROCK:
		br_end(s, "content_filtered"); /* no content block at all */
		break;
	}
	sb_free(&j);
}

/* Keeps a silent socket open until the client leaves, STALL_MS pass, or we must stop. */
void stall(struct conn *c)
{
	double end = now() + STALL_MS / 1000.0;
	char junk[4096];
	while (!c->dead && now() < end) {
		int r = wait_fd(c->fd, POLLIN, (int)((end - now()) * 1000) + 1);
		if (r <= 0)
			return;
		short ev;
		ssize_t n = conn_read(c->fd, junk, sizeof junk, &ev);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return;
	}
}

/* A slow drip: ":" and then "." every DRIP_MS, never a line end, until the client
 * leaves, STALL_MS pass, or we must stop. Every byte is fresh, but no line completes. */
void drip(struct conn *c)
{
	double end = now() + STALL_MS / 1000.0;
	send_all(c, ":", 1);
	while (!c->dead && now() < end) {
		nap(c, DRIP_MS);
		send_all(c, ".", 1);
	}
}

/* Closes with a reset, not a FIN: the client sees a broken connection, not an end. */
void drop(struct conn *c)
{
	nap(c, 20); /* let the deltas already written reach the client first */
	struct linger l = {1, 0};
	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	if (tls)
		SSL_set_quiet_shutdown(tls, 1); /* no close_notify before the reset */
}

const char *content_type(enum kind k)
{
	switch (k) {
	case K_GEMINI: return "text/event-stream";
	case K_OLLAMA: return "application/x-ndjson";
	case K_BEDROCK: return "application/vnd.amazon.eventstream";
	default: return "text/event-stream; charset=utf-8";
	}
}

void stream_headers(struct conn *c, enum kind k)
{
	struct sbuf h = {0};
	sb_printf(&h, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nCache-Control: no-cache\r\n"
		  "Connection: close\r\n\r\n", content_type(k));
	send_all(c, h.p, h.len);
	sb_free(&h);
}
