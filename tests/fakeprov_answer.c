/* fakeprov_answer: one answer as its scenario says (stream()): tool calls and their
 * results, endless responses, redirects back to fakeprov, recorded streams replayed. */
#include "fakeprov.h"
#include "fakeprov_evs.h"

/* ---------------------------------------------------------------- endless responses */

int own_port; /* where fakeprov listens: redirect:NNN points back here */

/* Sends block again and again until the client leaves, STALL_MS pass, or we must stop. */
static void send_forever(struct conn *c, const struct sbuf *block)
{
	double end = now() + STALL_MS / 1000.0;
	while (!c->dead && now() < end && !must_stop())
		send_all(c, block->p, block->len);
}

/* endless (whole lines: keep-alive comments, or empty ollama chunks) and endlessline
 * (one line that never ends), after the deltas already sent. */
static void endless_body(struct conn *c, enum kind k, enum endless how)
{
	struct sbuf block = {0};
	if (how == E_LINE)
		sb_adds(&block, k == K_OLLAMA ? "{\"pad\":\"" : "data: ");
	send_all(c, block.p, block.len);
	sb_clear(&block);
	while (block.len < 65536) {
		if (how == E_LINE)
			sb_adds(&block, "xxxxxxxxxxxxxxxx");
		else if (k == K_OLLAMA)
			sb_adds(&block, OL_HEAD "\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
				"\"done\":false}\n");
		else
			sb_adds(&block, ": keep-alive keep-alive keep-alive keep-alive\n");
	}
	send_forever(c, &block);
	sb_free(&block);
}

/* endlessheaders (header lines without end) and endlessheaderline (one header line
 * without end), instead of an answer. */
void endless_headers(struct conn *c, enum kind k, enum endless how)
{
	struct sbuf block = {0};
	sb_printf(&block, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n%s", content_type(k),
		  how == E_HEADER_LINE ? "X-Pad: " : "");
	send_all(c, block.p, block.len);
	sb_clear(&block);
	for (int i = 0; block.len < 65536; i++) {
		if (how == E_HEADER_LINE)
			sb_adds(&block, "xxxxxxxxxxxxxxxx");
		else
			sb_printf(&block, "X-Pad-%d: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n", i);
	}
	send_forever(c, &block);
	sb_free(&block);
}

/* ---------------------------------------------------------------- gzip bomb */

/* A deflate stream written a bit at a time (RFC 1951: bits from the least significant,
 * Huffman codes from their most significant bit). */
struct bits {
	struct sbuf out;
	unsigned acc, n;
};

static void put_bits(struct bits *b, unsigned v, unsigned n) /* v's n low bits, low first */
{
	for (unsigned i = 0; i < n; i++) {
		b->acc |= ((v >> i) & 1u) << b->n;
		if (++b->n == 8) {
			unsigned char byte = (unsigned char)b->acc;
			sb_add(&b->out, (const char *)&byte, 1);
			b->acc = b->n = 0;
		}
	}
}

static void put_code(struct bits *b, unsigned code, unsigned n) /* a Huffman code */
{
	for (unsigned i = n; i-- > 0;)
		put_bits(b, (code >> i) & 1u, 1);
}

static void put_literal(struct bits *b, unsigned char v) /* the fixed code of a literal */
{
	if (v < 144)
		put_code(b, 0x30u + v, 8);
	else
		put_code(b, 0x190u + (v - 144u), 9);
}

/* gzipbomb: a 200 with Content-Encoding: gzip whose body inflates to the kind's first
 * answer delta ("Hello from gzip") and then GZIPBOMB_BYTES of newlines, in about 1 MB:
 * one block of fixed codes, each 258 newlines a 13-bit copy of the byte before. A
 * client that asked for or accepted the encoding would show the delta and inflate
 * 128 MiB; the body is a valid gzip file (gzip -t takes it). */
#define GZIPBOMB_BYTES (128ul << 20)
void gzip_bomb(struct conn *c, enum kind k)
{
	const char *head = k == K_OLLAMA
		? OL_HEAD "\"message\":{\"role\":\"assistant\",\"content\":\"Hello from gzip\"},"
		  "\"done\":false}\n"
		: "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello from gzip\"}}]}\n\n";
	static const unsigned char gz_head[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
	struct bits b = {0};
	sb_add(&b.out, (const char *)gz_head, sizeof gz_head);
	put_bits(&b, 1, 1); /* the last block */
	put_bits(&b, 1, 2); /* of fixed codes */
	size_t hlen = strlen(head), total = hlen + 1;
	for (size_t i = 0; i < hlen; i++)
		put_literal(&b, (unsigned char)head[i]);
	put_literal(&b, '\n');
	uint32_t crc = fp_crc32_update(0, (const unsigned char *)head, hlen);
	unsigned char nl[258];
	memset(nl, '\n', sizeof nl);
	crc = fp_crc32_update(crc, nl, 1);
	for (; total + 258 <= hlen + 1 + GZIPBOMB_BYTES; total += 258) {
		put_code(&b, 0xC5, 8); /* length code 285: 258 bytes */
		put_code(&b, 0, 5);    /* distance code 0: 1 back */
		crc = fp_crc32_update(crc, nl, sizeof nl);
	}
	put_code(&b, 0, 7); /* end of block */
	if (b.n)
		put_bits(&b, 0, 8 - b.n);
	unsigned char tail[8];
	for (int i = 0; i < 4; i++) {
		tail[i] = (unsigned char)(crc >> (8 * i));
		tail[4 + i] = (unsigned char)((uint32_t)total >> (8 * i));
	}
	sb_add(&b.out, (const char *)tail, sizeof tail);
	respond(c, 200, content_type(k), "Content-Encoding: gzip\r\n", b.out.p, b.out.len);
	sb_free(&b.out);
}

/* redirect:NNN: status NNN with a Location back at fakeprov itself, so a client that
 * followed it would show up in the log asking for /followed... with its headers. */
void redirect_to_self(struct conn *c, const struct req *r, int status)
{
	struct sbuf loc = {0};
	sb_printf(&loc, "Location: %s://127.0.0.1:%d/followed%s\r\n", tls_ctx ? "https" : "http",
		  own_port, r->target);
	respond(c, status, NULL, loc.p, "", 0);
	sb_free(&loc);
}

const char *fixtures_dir = "tests/fixtures/recorded-openai";

/* The recorded bytes, event by event (each write ends after a blank line). */
static void replay(struct stream *s)
{
	struct sbuf path = {0}, data = {0};
	sb_printf(&path, "%s/%s.sse", fixtures_dir, s->sc->replay);
	FILE *f = fopen(path.p, "rb");
	sb_free(&path);
	if (!f)
		return;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		sb_add(&data, tmp, n);
	fclose(f);
	size_t pos = 0;
	int deltas = 0;
	while (pos < data.len && !s->c->dead) {
		char *end = data.p ? strstr(data.p + pos, "\n\n") : NULL;
		size_t len = end ? (size_t)(end - (data.p + pos)) + 2 : data.len - pos;
		if (deltas++ && s->sc->slow_ms)
			nap(s->c, s->sc->slow_ms);
		emit(s->c, data.p + pos, len);
		pos += len;
	}
	sb_free(&data);
}

/* ---------------------------------------------------------------- tool calls */

#define TOOL_ARGS "{\"text\":\"hi\"}"

/* The names of the tools the request offers, in the kind's own shape. */
static size_t offered_tools(const struct req *r, enum kind k, const char *sc_pick,
			    const char **names, size_t max)
{
	json_t *tools = json_object_get(r->json, "tools");
	if (k == K_GEMINI)
		tools = json_object_get(json_array_get(tools, 0), "functionDeclarations");
	size_t n = 0, i;
	json_t *t;
	json_array_foreach(tools, i, t) {
		json_t *fn = k == K_OPENAI || k == K_AZURE || k == K_OLLAMA
				     ? json_object_get(t, "function") : t;
		json_t *name = json_object_get(fn, "name");
		const char *s = json_string_value(name), *pick = sc_pick;
		size_t sl = s ? strlen(s) : 0, pl = strlen(pick);
		int picked = !*pick || (s && (!strcmp(s, pick) || (sl > pl + 2 && !strcmp(s + sl - pl, pick)
								  && !strncmp(s + sl - pl - 2, "__", 2))));
		if (s && picked && n < max)
			names[n++] = s;
	}
	return n;
}

static void add_result_text(struct sbuf *out, json_t *v)
{
	if (out->len)
		sb_adds(out, " | ");
	if (json_is_string(v))
		sb_add(out, json_string_value(v), json_string_length(v));
	else
		append_parts(out, v, "text");
}

/* The tool results the request ends with, joined by " | "; 0 when it ends with none. */
static int trailing_results(const struct req *r, enum kind k, struct sbuf *out)
{
	const char *key = k == K_GEMINI ? "contents" : k == K_RESPONSES ? "input" : "messages";
	json_t *list = json_object_get(r->json, key);
	size_t n = json_array_size(list), first = n;
	if (k == K_ANTHROPIC || k == K_GEMINI) {
		json_t *last = json_array_get(list, n - 1);
		json_t *parts = json_object_get(last, k == K_GEMINI ? "parts" : "content");
		size_t i;
		json_t *p;
		json_array_foreach(parts, i, p) {
			json_t *fr = json_object_get(p, "functionResponse");
			const char *type = json_string_value(json_object_get(p, "type"));
			if (fr) {
				json_t *resp = json_object_get(fr, "response");
				json_t *v = json_object_get(resp, "output");
				add_result_text(out, v ? v : json_object_get(resp, "error"));
			} else if (type && !strcmp(type, "tool_result")) {
				add_result_text(out, json_object_get(p, "content"));
			}
		}
		return out->len > 0;
	}
	while (first > 0) {
		json_t *m = json_array_get(list, first - 1);
		const char *role = json_string_value(json_object_get(m, "role"));
		const char *type = json_string_value(json_object_get(m, "type"));
		if (!(role && !strcmp(role, "tool")) && !(type && !strcmp(type, "function_call_output")))
			break;
		first--;
	}
	for (size_t i = first; i < n; i++) {
		json_t *m = json_array_get(list, i);
		json_t *v = json_object_get(m, k == K_RESPONSES ? "output" : "content");
		add_result_text(out, v);
	}
	return first < n;
}

/* One call, in the kind's shape; name is the tool, i its place. */
static void send_call(struct stream *s, int i, const char *name, int ncalls)
{
	struct sbuf j = {0}, b = {0};
	switch (s->kind) {
	case K_OPENAI: case K_AZURE:
		sb_printf(&j, "{\"tool_calls\":[{\"index\":%d,\"id\":\"call_fake%d\",\"type\":"
			  "\"function\",\"function\":{\"name\":\"%s\",\"arguments\":\"\"}}]}", i, i,
			  name);
		oa_chunk(s, j.p, NULL, 0);
		sb_clear(&j);
		sb_printf(&j, "{\"tool_calls\":[{\"index\":%d,\"function\":{\"arguments\":"
			  "\"{\\\"text\\\":\"}}]}", i);
		oa_chunk(s, j.p, NULL, 0);
		sb_clear(&j);
		sb_printf(&j, "{\"tool_calls\":[{\"index\":%d,\"function\":{\"arguments\":"
			  "\"\\\"hi\\\"}\"}}]}", i);
		oa_chunk(s, j.p, NULL, 0);
		break;
	case K_ANTHROPIC:
		sb_printf(&j, "{\"type\":\"content_block_start\",\"index\":%d,\"content_block\":"
			  "{\"type\":\"tool_use\",\"id\":\"toolu_fake%d\",\"name\":\"%s\","
			  "\"input\":{}}}", i, i, name);
		an_event(s, "content_block_start", j.p);
		static const char *const frags[] = {"", "{\\\"text\\\":", "\\\"hi\\\"}"};
		for (size_t f = 0; f < 3; f++) {
			sb_clear(&j);
			sb_printf(&j, "{\"type\":\"content_block_delta\",\"index\":%d,\"delta\":"
				  "{\"type\":\"input_json_delta\",\"partial_json\":\"%s\"}}", i, frags[f]);
			an_event(s, "content_block_delta", j.p);
		}
		sb_clear(&j);
		sb_printf(&j, "{\"type\":\"content_block_stop\",\"index\":%d}", i);
		an_event(s, "content_block_stop", j.p);
		break;
	case K_GEMINI:
		sb_printf(&j, "{\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": "
			  "{\"name\": \"%s\",\"args\": " TOOL_ARGS "}%s}],\"role\": \"model\"}",
			  name, i == 0 ? ",\"thoughtSignature\": \"" AN_SIGNATURE "\"" : "");
		if (i == ncalls - 1)
			sb_adds(&j, ",\"finishReason\": \"STOP\"");
		sb_adds(&j, ",\"index\": 0}]");
		ge_usage(s, &j, i == ncalls - 1);
		sb_adds(&j, GE_TAIL);
		send_json_event(s, NULL, &j);
		break;
	case K_OLLAMA:
		break; /* all calls in one line: tool_turn */
	case K_BEDROCK:
		sb_printf(&j, "{\"contentBlockIndex\":%d,\"start\":{\"toolUse\":{\"name\":\"%s\","
			  "\"toolUseId\":\"tooluse_fake%d\"}}}", i, name, i);
		br_message(s, "event", "contentBlockStart", j.p);
		sb_clear(&j);
		sb_printf(&j, "{\"contentBlockIndex\":%d,\"delta\":{\"toolUse\":{\"input\":"
			  "\"{\\\"text\\\":\\\"hi\\\"}\"}}}", i);
		br_message(s, "event", "contentBlockDelta", j.p);
		sb_clear(&j);
		sb_printf(&j, "{\"contentBlockIndex\":%d}", i);
		br_message(s, "event", "contentBlockStop", j.p);
		break;
	case K_RESPONSES:
		sb_printf(&b, "\"output_index\":%d,\"item\":{\"id\":\"fc_fake%d\",\"type\":"
			  "\"function_call\",\"status\":\"%%s\",\"arguments\":\"%%s\",\"call_id\":"
			  "\"call_fake%d\",\"name\":\"%s\"}", i, i, i, name);
		sb_printf(&j, b.p, "in_progress", "");
		rs_event(s, "response.output_item.added", j.p);
		sb_clear(&j);
		sb_printf(&j, "\"item_id\":\"fc_fake%d\",\"output_index\":%d,\"delta\":"
			  "\"{\\\"text\\\":\"", i, i);
		rs_event(s, "response.function_call_arguments.delta", j.p);
		sb_clear(&j);
		sb_printf(&j, "\"item_id\":\"fc_fake%d\",\"output_index\":%d,\"delta\":"
			  "\"\\\"hi\\\"}\"", i, i);
		rs_event(s, "response.function_call_arguments.delta", j.p);
		sb_clear(&j);
		sb_printf(&j, "\"item_id\":\"fc_fake%d\",\"output_index\":%d,\"arguments\":"
			  "\"{\\\"text\\\":\\\"hi\\\"}\"", i, i);
		rs_event(s, "response.function_call_arguments.done", j.p);
		sb_clear(&j);
		sb_printf(&j, b.p, "completed", "{\\\"text\\\":\\\"hi\\\"}");
		rs_event(s, "response.output_item.done", j.p);
		break;
	}
	sb_free(&j);
	sb_free(&b);
}

/* tools/tools2: a request that ends with tool results is answered with their text
 * ("Results: A | B"); any other one with calls to the offered tools (tools2: two
 * parallel calls, to the first two tools, or the one twice), arguments {"text":"hi"}.
 * 1 when it answered; 0 when no tool was offered (the usual answer follows). */
static int tool_turn(struct stream *s, const struct req *r)
{
	const char *names[2];
	size_t nt = offered_tools(r, s->kind, s->sc->tool_pick, names, 2);
	struct sbuf res = {0}, frag = {0};
	if (!nt)
		return 0;
	if (!s->sc->tools_loop && trailing_results(r, s->kind, &res)) {
		struct sbuf text = {0};
		sb_adds(&text, "Results: ");
		sb_add(&text, res.p, res.len);
		sb_json_esc(&frag, text.p, text.len);
		st_delta(s, 0, &frag, 1);
		st_finish(s);
		sb_free(&text);
		sb_free(&res);
		sb_free(&frag);
		return 1;
	}
	int ncalls = s->sc->tools;
	for (int i = 0; i < ncalls; i++)
		send_call(s, i, names[(size_t)i % nt], ncalls);
	struct sbuf j = {0};
	int out_tokens = 7 * ncalls;
	switch (s->kind) {
	case K_OPENAI: case K_AZURE:
		oa_chunk(s, "{}", "tool_calls", 0);
		sb_printf(&j, OA_USAGE_CHUNK, PROMPT_TOKENS, out_tokens, PROMPT_TOKENS + out_tokens, 0);
		send_json_event(s, NULL, &j);
		sse_data(s, NULL, "[DONE]");
		break;
	case K_ANTHROPIC:
		sb_printf(&j, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
			  "\"stop_sequence\":null},\"usage\":{\"output_tokens\":%d}}", out_tokens);
		an_event(s, "message_delta", j.p);
		an_event(s, "message_stop", "{\"type\":\"message_stop\"}");
		break;
	case K_GEMINI:
		break; /* the last call's chunk carried finishReason */
	case K_OLLAMA:
		sb_adds(&j, OL_HEAD "\"message\":{\"role\":\"assistant\",\"content\":\"\","
			"\"tool_calls\":[");
		for (int i = 0; i < ncalls; i++)
			sb_printf(&j, "%s{\"id\":\"call_fake%d\",\"function\":{\"index\":%d,"
				  "\"name\":\"%s\",\"arguments\":" TOOL_ARGS "}}", i ? "," : "", i, i,
				  names[(size_t)i % nt]);
		sb_adds(&j, "]},\"done\":false}");
		send_json_event(s, NULL, &j);
		sb_clear(&j);
		sb_printf(&j, OL_HEAD "\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
			  "\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":%d,"
			  "\"eval_count\":%d}", PROMPT_TOKENS, out_tokens);
		send_json_event(s, NULL, &j);
		break;
	case K_RESPONSES:
		s->text_n = out_tokens;
		rs_finish(s, 0);
		break;
	case K_BEDROCK:
		s->text_n = out_tokens;
		br_end(s, "tool_use");
		break;
	}
	sb_free(&j);
	return 1;
}

void stream(struct conn *c, const struct req *r, enum kind k, const struct scenario *sc)
{
	struct stream s = {.c = c, .kind = k, .sc = sc, .block = -1};
	struct gen g = {.sc = sc, .kind = k};
	struct sbuf cur = {0}, nxt = {0};

	c->split = sc->split;
	c->chunks = sc->chunks;
	c->rng = 0x2545F491u;
	c->eol = sc->eol != EOL_DEFAULT ? sc->eol : k == K_GEMINI ? EOL_CRLF : EOL_LF;
	c->bom_pending = sc->bom;
	if (k == K_BEDROCK) { /* binary: no line ends to change, no BOM */
		c->eol = EOL_LF;
		c->bom_pending = 0;
	}
	if (sc->content == C_ECHO)
		echo_text(r, k, &g.echo);

	if (sc->bigheader) {
		/* one header line over libcurl's 100 KB limit, then the stream as asked */
		struct sbuf h = {0};
		sb_printf(&h, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nX-Padding: ", content_type(k));
		for (int i = 0; i < 150 * 1024 / 64; i++)
			sb_adds(&h, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
		sb_adds(&h, "\r\nConnection: close\r\n\r\n");
		send_all(c, h.p, h.len);
		sb_free(&h);
	} else {
		stream_headers(c, k);
	}
	if (sc->mid == M_STALLFIRST) {
		stall(c);
		goto out;
	}
	if (sc->content == C_REPLAY) {
		replay(&s);
		goto out;
	}
	st_begin(&s);
	if (sc->refusal) {
		st_refusal(&s);
		goto out;
	}
	if (sc->tools && tool_turn(&s, r))
		goto out;
	int texts = 0, pending = sc->mid != M_NONE || sc->endless != E_NONE;
	int kind_of = gen_next(&g, &cur);
	while (kind_of && !c->dead) {
		int kind_next = gen_next(&g, &nxt);
		int fail_now = pending && kind_of == 1 && texts + 1 == 2;
		st_delta(&s, kind_of == 2, &cur, !kind_next && !pending);
		if (kind_of == 1)
			texts++;
		if (fail_now)
			break;
		struct sbuf t = cur;
		cur = nxt;
		nxt = t;
		kind_of = kind_next;
	}
	if (c->dead)
		goto out;
	if (sc->endless != E_NONE) {
		endless_body(c, k, sc->endless);
		goto out;
	}
	/* gemini's last chunk already carried finishReason STOP: the error comes after it */
	if (sc->rawerror && sc->mid == M_NONE) {
		st_rawerror(&s);
		goto out;
	}
	switch (sc->mid) {
	case M_NONE: case M_STALLFIRST: st_finish(&s); break;
	case M_MIDFAIL: st_midfail(&s); break;
	case M_STALL: stall(c); break;
	case M_DRIP: drip(c); break;
	case M_DROP: drop(c); break;
	}
out:
	sb_free(&cur);
	sb_free(&nxt);
	sb_free(&g.raw);
	sb_free(&g.echo);
	sb_free(&s.ev);
}
