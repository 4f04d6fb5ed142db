/* test_sse: the event-stream parser against the wire-formats §7.1 vectors and
 * recorded streams, each fed as listed, whole, per byte, split in two, and randomly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cherry/buf.h"
#include "cherry/sse.h"

#include "harness.h"
#include "show.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BOM "\xEF\xBB\xBF"
#define HEART "\xE2\x99\xA5"

/* A chunk is `s` repeated `rep` times, so 2048 "x"s need no literal. */
struct chunk {
	const char *s;
	size_t len;
	size_t rep;
};
#define C(lit) {lit, sizeof(lit) - 1, 1}
#define REP(lit, n) {lit, sizeof(lit) - 1, n}

struct want_ev {
	const char *type;
	size_t type_len;
	const char *data;
	size_t data_len;
	const char *id;
};
#define EVI(t, d, i) {t, sizeof(t) - 1, d, sizeof(d) - 1, i}
#define EV(t, d) EVI(t, d, "")
#define MSG(d) EV("message", d)
#define MSGI(d, i) EVI("message", d, i)

#define V(n) .name = n
#define NONE {{0}}

/* Expected end state: retry_ms is -1 and both IDs "" unless a vector says otherwise. */
struct vec {
	const char *name;
	struct chunk chunks[16];
	struct want_ev evs[12];
	long retry;     /* 0 stands for "never set" (-1); no vector sets 0 */
	const char *last_id;
	const char *source_id;
	int raw;        /* cherry's bare-JSON extension on (the WHATWG vectors run without) */
};

static const struct vec vectors[] = {
	/* A. web-platform-tests eventsource/ */
	{V("W01"), {C(BOM "data:1\n\n" BOM "data:2\n\n" "data:3\n\n\n")}, {MSG("1"), MSG("3")}},
	{V("W02"), {C(BOM BOM "data:1\n\n" "data:2\n\n" "data:3\n\n\n")}, {MSG("2"), MSG("3")}},
	{V("W03"),
	 {C("data:1\r:\0\n:\r\ndata:2\n:"), REP("x", 2048), C("\rdata:3\n:data:fail\r:"),
	  REP("x", 2048), C("\ndata:4\n"), C("\n")},
	 {MSG("1\n2\n3\n4")}},
	{V("W04"), {C("retry:1000\ndata:test1\n\nid:test\ndata:test2" "\n")}, {MSG("test1")},
	 .retry = 1000, .last_id = "test", .source_id = ""},
	{V("W05"), {C("data:\n\ndata\ndata\n\ndata:test\n\n\n")},
	 {MSG(""), MSG("\n"), MSG("test")}},
	{V("W06"), {C("event:test\ndata:x\n\ndata:x\n\n\n")}, {EV("test", "x"), MSG("x")}},
	{V("W07"), {C("event: \ndata:data\n\n\n")}, {MSG("data")}},
	{V("W08a"), {C("id: 1\ndata: 1\n\ndata:2\n\n")}, {MSGI("1", "1"), MSGI("2", "1")},
	 .last_id = "1", .source_id = "1"},
	{V("W08b"), {C("id: 1\ndata: 1\n\nid: 2\ndata:2\n\ndata:3\n\n")},
	 {MSGI("1", "1"), MSGI("2", "2"), MSGI("3", "2")}, .last_id = "2", .source_id = "2"},
	{V("W08c"), {C("id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n")},
	 {MSGI("1", "1"), MSG("2"), MSG("3")}},
	{V("W09"), {C("id: \xE2\x80\xA6\nretry: 200\ndata: hello\n\n")},
	 {MSGI("hello", "\xE2\x80\xA6")}, .retry = 200, .last_id = "\xE2\x80\xA6",
	 .source_id = "\xE2\x80\xA6"},
	{V("W10"),
	 {C("data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\r"
	    "data:\r\n data:32\ndata:4\n" "\n")},
	 {MSG("\0\n 2\n1\n3\n\n4")}},
	{V("W11"), {C("retry:02000\ndata:x\n\n\n")}, {MSG("x")}, .retry = 2000},
	{V("W12"), {C("retry:2000\nretry:1000x\ndata:x\n\n\n")}, {MSG("x")}, .retry = 2000},
	{V("W13"),
	 {C("data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\n"
	    "data:test\n\n\n")},
	 {MSG("test\n\ntest")}},
	{V("W14"), {C("data:\ttest\rdata: \ndata:test\n\n\n")}, {MSG("\ttest\n\ntest")}},
	{V("W15"), {C("data:test\r\ndata\ndata:test\r\n\r" "\n")}, {MSG("test\n\ntest")}},
	{V("W16"), {C("data:\0\n\n\n\n")}, {MSG("\0")}},
	{V("W17"), {C("data:ok\xE2\x80\xA6\n\n\n")}, {MSG("ok\xE2\x80\xA6")}},
	{V("W18"), {C("data: cr\r\rdata: lf\n\ndata: crlf\r\n\r\n")},
	 {MSG("cr"), MSG("lf"), MSG("crlf")}},
	{V("W19"), {C("da"), C("ta: hel"), C("lo\n\n")}, {MSG("hello")}},
	{V("W20"), {C(BOM "data: hello\n\n")}, {MSG("hello")}},
	{V("W21"), {C("data: hello\ndata: world\n\n")}, {MSG("hello\nworld")}},
	{V("W22"), {C(": this is a comment\ndata: hello\n\n")}, {MSG("hello")}},
	{V("W23"), {C("id: 42\ndata: hello\n\n")}, {MSGI("hello", "42")}, .last_id = "42",
	 .source_id = "42"},
	{V("W24a"), {C("retry: 5000\ndata: hello\n\n")}, {MSG("hello")}, .retry = 5000},
	{V("W24b"), {C("retry: bogus\ndata: hello\n\n")}, {MSG("hello")}},
	{V("W25"), {C("")}, NONE},

	/* B. eventsource-parser */
	{V("E01"), {C("event: stock\n"), C("data: YHOO\n"), C("data: +2\n"), C("data: 10\n\n")},
	 {EV("stock", "YHOO\n+2\n10")}},
	{V("E02"), {C("data: dog\r"), C("data: bark\r\r"), C("data: cat\r"), C("data: meow\r\r")},
	 {MSG("dog\nbark"), MSG("cat\nmeow")}},
	{V("E03"),
	 {C("data: sheep\r\n"), C("data: bleat\r\n\r\n"), C("data: pig\r\n"),
	  C("data: oink\r\n\r\n")},
	 {MSG("sheep\nbleat"), MSG("pig\noink")}},
	{V("E04"),
	 {C("data:1\r\r:\0\n:\r\ndata:2\n\n:"), REP("x", 2049), C("\rdata:3\n\n:data:fail\r:"),
	  REP("x", 2049), C("\ndata:4\n\n"), C("data:5")},
	 {MSG("1"), MSG("2"), MSG("3"), MSG("4")}},
	{V("E05"),
	 {C("event:\ndata: Hello 1\n\n"), C("event:\n\n"),
	  C("event: done\ndata: \xE2\x9C\x94\n\n")},
	 {MSG("Hello 1"), EV("done", "\xE2\x9C\x94")}},
	{V("E06"), {C("id:2\nretry:\ndata:\xF0\x9F\xA7\xB9\n\n")}, {MSGI("\xF0\x9F\xA7\xB9", "2")},
	 .last_id = "2", .source_id = "2"},
	{V("E07"), {C("data: A\r\n"), C("data: B\r"), C("\n"), C("data: C\r\n"), C("\n")},
	 {MSG("A\nB\nC")}},
	{V("E08"), {C("retry:1000\nretry:2000x\ndata:x\n\n")}, {MSG("x")}, .retry = 1000},
	{V("E09"), {C("id: 123\nid: bad\0id\ndata: hello\n\n")}, {MSGI("hello", "123")},
	 .last_id = "123", .source_id = "123"},
	{V("E10"), {C("id: 42\n"), C("\n"), C("id: bad\0id\n\n"), C("id:\n\n")},
	 NONE},
	{V("E11a"), {C("id: 42\r\r")}, NONE, .last_id = "42", .source_id = "42"},
	{V("E11b"), {C("id: 42\r\n\r\n")}, NONE, .last_id = "42",
	 .source_id = "42"},
	{V("E12"), {C("\nretry: 500\n\ndata: first\n\nretry: 50x\n\ndata: second\n\n")},
	 {MSG("first"), MSG("second")}, .retry = 500},
	{V("E13"),
	 {C("data:abc\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:123\n\n")},
	 {MSG("abc\n\n123")}},
	{V("E14"),
	 {C("{\"error\":\"Internal Server Error\",\"message\":\"The server could not process "
	    "your request\"}\n")},
	 NONE},
	{V("E15"), {C("Well, this is not what I expected\n")}, NONE},
	{V("E16"), {C("da"), C("ta\n\n")}, {MSG("")}},
	{V("E17"), {C("data: one\n:"), C("ignored\r\ndata: two\n\n")}, {MSG("one\ntwo")}},
	{V("E18"), {C("data: one\n:"), C("ignored\r"), C("\ndata: two\n\n")}, {MSG("one\ntwo")}},
	{V("E19"), {C("data: one\n:"), C("ignored\r"), C("data: two\n\n")}, {MSG("one\ntwo")}},
	{V("E20"), {C("data: one\n:ignored\r"), C("data: two\n\n")}, {MSG("one\ntwo")}},
	{V("E21"), {C("data: one\n:ignored\r"), C("\ndata: two\n\n")}, {MSG("one\ntwo")}},
	{V("E22"), {C("data: one\ndata\r"), C("\ndata: two\n\n")}, {MSG("one\n\ntwo")}},
	{V("E23"), {C("garbage\r"), C("data: ok\n\n")}, {MSG("ok")}},
	{V("E24"), {C("data: one\r"), C("\r"), C("\n")}, {MSG("one")}},
	{V("E25"), {C(BOM "data: bomful 1\n\n"), C("data: bomless 2\n\n")},
	 {MSG("bomful 1"), MSG("bomless 2")}},
	{V("E26"),
	 {C(BOM "data: bomful 1\n\n"), C(BOM "data: bomful 2\n\n"), C("data: bomless 3\n\n")},
	 {MSG("bomful 1"), MSG("bomless 3")}},
	{V("E27"), {C("\n\n\n\nid: 1\ndata: 我現在都看實況不玩遊戲\n\n")},
	 {MSGI("我現在都看實況不玩遊戲", "1")}, .last_id = "1", .source_id = "1"},
	{V("E28"), {C("data:\n\ndata\ndata\n\ndata:test\n\n")}, {MSG(""), MSG("\n"), MSG("test")}},
	/* E29 (no line-length limit) is test_e29_huge_event below. */
	{V("E30"),
	 {C(": " HEART "\n\n" "data: one\n\n"), C(": " HEART "\n\n"), C("data: two\n\n"),
	  C(": " HEART "\n\n" "event: x\ndata: three\n\n")},
	 {MSG("one"), MSG("two"), EV("x", "three")}},

	/* C. official SDK decoder tests, spec results */
	{V("O01"), {C("event: completion\n"), C("data: {\"foo\":true}\n"), C("\n")},
	 {EV("completion", "{\"foo\":true}")}},
	{V("O02"), {C("event: ping\n"), C("\n")}, NONE},
	{V("O03"),
	 {C("event: ping\n"), C("data: {\n"), C("data: \"foo\":\n"), C("data: \n"), C("data:\n"),
	  C("data: true}\n"), C("\n\n")},
	 {EV("ping", "{\n\"foo\":\n\n\ntrue}")}},
	{V("O04"), {C("event: ping\n"), C("data: {\"foo\": \"my long\\n\\ncontent\"}"), C("\n\n")},
	 {EV("ping", "{\"foo\": \"my long\\n\\ncontent\"}")}},
	{V("O05"), {C("data: {\"content\":\" \xE2\x80\xA8\"}\n"), C("\n")},
	 {MSG("{\"content\":\" \xE2\x80\xA8\"}")}},
	{V("O06"),
	 {C("data: {\"content\":\""), C("\xD0"), C("\xB8\xD0\xB7\xD0"),
	  C("\xB2\xD0\xB5\xD1\x81\xD1\x82\xD0\xBD\xD0\xB8"), C("\"}\n"), C("\n")},
	 {MSG("{\"content\":\"известни\"}")}},
	{V("O07"),
	 {C("event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
	    "\"message\": \"Overloaded\"}}\n\n")},
	 {EV("error", "{\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
		      "\"message\": \"Overloaded\"}}")}},

	/* E. provider-level vectors */
	{V("P-openrouter-keepalive"),
	 {C("data: {\"n\":1}\n\n"), C(": OPENROUTER PROCESSING\n\n"),
	  C(": OPENROUTER PROCESSING\n\ndata: {\"n\":2}\n\n"),
	  C("data: {\"n\":3}\n\n: OPENROUTER PROCESSING\n\n"), C("data: [DONE]\n\n")},
	 {MSG("{\"n\":1}"), MSG("{\"n\":2}"), MSG("{\"n\":3}"), MSG("[DONE]")}},
	{V("P-deepseek-keepalive"),
	 {C(": keep-alive\n\n"), C(": keep-alive\n\n: keep-alive\n\n"),
	  C("data: {\"n\":1}\n\n"), C("data: [DONE]\n\n")},
	 {MSG("{\"n\":1}"), MSG("[DONE]")}},
	{V("P-gemini-crlf"),
	 {C("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}]}}]}\r\n\r"),
	  C("\ndata: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}]}}]}\r"),
	  C("\n\r"), C("\n")},
	 {MSG("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}]}}]}"),
	  MSG("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}]}}]}")}},
	{V("P-truncated"),
	 {C("data: {\"n\":1}\n\n"), C("data: {\"n\":2}\n"), C("data: {\"n\":")},
	 {MSG("{\"n\":1}")}},
	{V("P-azure-empty-choices"),
	 {C("data: {\"choices\":[],\"prompt_filter_results\":[]}\n\n"),
	  C("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n")},
	 {MSG("{\"choices\":[],\"prompt_filter_results\":[]}"),
	  MSG("{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}")}},
	{V("P-no-space"), {C("data:{\"a\":1}\n\ndata:[DONE]\n\n")},
	 {MSG("{\"a\":1}"), MSG("[DONE]")}},
	{V("P-anthropic"),
	 {C("event: message_start\ndata: {\"type\":\"message_start\"}\n\n"),
	  C("event: ping\ndata: {\"type\": \"ping\"}\n\n"),
	  C("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")},
	 {EV("message_start", "{\"type\":\"message_start\"}"), EV("ping", "{\"type\": \"ping\"}"),
	  EV("message_stop", "{\"type\":\"message_stop\"}")}},
	{V("P-bom-split"), {C("\xEF"), C("\xBB"), C("\xBF" "data: a\n\n")}, {MSG("a")}},
	{V("P-bom-partial"), {C("\xEF\xBB" "data: a\n\ndata: b\n\n")}, {MSG("b")}},
	{V("P-bom-later"), {C("data: a\n\n" BOM "data: b\n\ndata: c\n\n")}, {MSG("a"), MSG("c")}},
	{V("P-one-space-only"), {C("data:  two\ndata:\t tab\n\n")}, {MSG(" two\n\t tab")}},
	{V("P-field-no-value"),
	 {C("event\ndata: x\n\nid\n\nretry\nretry:12\nretry:1 2\nretry: 7\ndata\n\n")},
	 {MSG("x"), MSG("")}, .retry = 7},
	{V("P-type-persists-in-event"), {C("event: a\nevent: b\ndata: x\n\ndata: y\n\n")},
	 {EV("b", "x"), MSG("y")}},
	{V("P-unicode-separators"),
	 {C("data: a\xE2\x80\xA8" "b\xC2\x85" "c\x0B" "d\x0C" "e\n\n")},
	 {MSG("a\xE2\x80\xA8" "b\xC2\x85" "c\x0B" "d\x0C" "e")}},
	{V("P-nul-in-type"), {C("event: a\0b\ndata: x\0\0y\n\n")}, {EV("a\0b", "x\0\0y")}},
	/* R: cherry's extension: a bare JSON body (no "data:") is one event of type "raw" */
	{V("R-gemini-error-after-stop"),
	 {C("data: {\"candidates\": [{\"finishReason\": \"STOP\"}]}\r\n\r\n"),
	  C("{\r\n  \"error\": {\r\n    \"code\": 500,\r\n    \"message\": \"a } in \\\" it\","
	    "\r\n    \"status\": \"INTERNAL\"\r\n  }\r\n}\r\n")},
	 {MSG("{\"candidates\": [{\"finishReason\": \"STOP\"}]}"),
	  EV("raw", "{\n  \"error\": {\n    \"code\": 500,\n    \"message\": \"a } in \\\" it\","
		 "\n    \"status\": \"INTERNAL\"\n  }\n}")}, .raw = 1},
	{V("R-E14-one-line"), {C("{\"error\":\"Internal Server Error\"}\n")},
	 {EV("raw", "{\"error\":\"Internal Server Error\"}")}, .raw = 1},
	{V("R-no-final-newline"), {C("data: a\n\n{\"error\": {\"code\": 1}}")},
	 {MSG("a"), EV("raw", "{\"error\": {\"code\": 1}}")}, .raw = 1},
	{V("R-blank-line-ends-it"), {C("{\"cut\": [\n\ndata: b\n\n")},
	 {EV("raw", "{\"cut\": ["), MSG("b")}, .raw = 1},
	{V("R-inside-an-event"), {C("event: e\ndata: x\n{\"a\": 1} tail\ndata: y\n\n")},
	 {EV("raw", "{\"a\": 1}"), EV("e", "x\ny")}, .raw = 1},
};

/* ---- collecting what the parser dispatches ---- */

struct got_ev {
	char *type;
	size_t type_len;
	char *data;
	size_t data_len;
	char *id;
	size_t id_len;
};

struct got {
	struct got_ev *ev;
	size_t n, cap;
	int stop_after; /* return 99 from the callback once n reaches this (0: never) */
};

static char *dup_bytes(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	assert_non_null(p);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int on_event(void *ctx, const struct sse_event *ev)
{
	struct got *g = ctx;
	/* The header promises NUL after each of the three strings. */
	assert_int_equal(ev->type[ev->type_len], '\0');
	assert_int_equal(ev->data[ev->data_len], '\0');
	assert_int_equal(ev->id[ev->id_len], '\0');
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->ev = realloc(g->ev, g->cap * sizeof(*g->ev));
		assert_non_null(g->ev);
	}
	struct got_ev *e = &g->ev[g->n++];
	e->type = dup_bytes(ev->type, ev->type_len);
	e->type_len = ev->type_len;
	e->data = dup_bytes(ev->data, ev->data_len);
	e->data_len = ev->data_len;
	e->id = dup_bytes(ev->id, ev->id_len);
	e->id_len = ev->id_len;
	return g->stop_after && g->n >= (size_t)g->stop_after ? 99 : 0;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->ev[i].type);
		free(g->ev[i].data);
		free(g->ev[i].id);
	}
	free(g->ev);
	memset(g, 0, sizeof(*g));
}

/* ---- feeding modes ---- */

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void feed_ok(struct sse_parser *p, const char *s, size_t n, const char *what)
{
	int r = sse_feed(p, s, n);
	if (r != 0)
		fail_msg("%s: sse_feed returned %d", what, r);
}

static void feed_split(struct sse_parser *p, const char *s, size_t n, size_t step, const char *what)
{
	for (size_t i = 0; i < n; i += step)
		feed_ok(p, s + i, n - i < step ? n - i : step, what);
}

/* Random chunk sizes, mostly small so line ends and BOMs land on boundaries,
 * sometimes large; empty chunks too, which must change nothing. */
static void feed_random(struct sse_parser *p, const char *s, size_t n, uint32_t seed,
			const char *what)
{
	uint32_t st = seed * 2654435761u + 1;
	size_t i = 0;
	while (i < n) {
		uint32_t r = rng_next(&st);
		size_t k = r % 8 == 0 ? 0 : r % 4 == 0 ? 1 + r % 4096 : 1 + r % 9;
		if (k > n - i)
			k = n - i;
		feed_ok(p, s + i, k, what);
		i += k;
	}
}

/* ---- checking ---- */

static void check_events(const char *what, const struct got *g, const struct want_ev *w, size_t nw)
{
	for (size_t i = 0; i < g->n && i < nw; i++) {
		const struct got_ev *e = &g->ev[i];
		if (e->type_len != w[i].type_len || memcmp(e->type, w[i].type, e->type_len) != 0 ||
		    e->data_len != w[i].data_len || memcmp(e->data, w[i].data, e->data_len) != 0 ||
		    strcmp(e->id, w[i].id) != 0 || e->id_len != strlen(w[i].id))
			fail_msg("%s: event %zu is %s:\"%s\"#\"%s\", want %s:\"%s\"#\"%s\"",
				 what, i,
				 show(e->type, e->type_len), show(e->data, e->data_len),
				 show(e->id, e->id_len), show(w[i].type, w[i].type_len),
				 show(w[i].data, w[i].data_len), show(w[i].id, strlen(w[i].id)));
	}
	if (g->n != nw)
		fail_msg("%s: %zu events, want %zu", what, g->n, nw);
}

static void check_str(const char *what, const char *field, const struct buf *b, const char *want)
{
	if (b->len != strlen(want) || (b->len && memcmp(b->data, want, b->len) != 0))
		fail_msg("%s: %s is \"%s\", want \"%s\"", what, field, show(b->data, b->len), want);
}

static size_t vec_nevs(const struct vec *v)
{
	size_t n = 0;
	while (n < ARRAY_LEN(v->evs) && v->evs[n].type)
		n++;
	return n;
}

static void vec_join(const struct vec *v, struct buf *whole)
{
	for (size_t i = 0; i < ARRAY_LEN(v->chunks) && v->chunks[i].s; i++)
		for (size_t r = 0; r < v->chunks[i].rep; r++)
			assert_int_equal(buf_append(whole, v->chunks[i].s, v->chunks[i].len), 0);
}

enum mode { M_LISTED, M_WHOLE, M_BYTES, M_TWO, M_RANDOM };

/* Runs one vector in one way; `arg` is the split point (M_TWO) or the seed (M_RANDOM). */
static void run_vec(const struct vec *v, const struct buf *whole, enum mode m, size_t arg)
{
	static const char *names[] = {"listed chunks", "whole", "1-byte chunks", "split in two",
				      "random chunks"};
	char what[128];
	struct got g = {0};
	struct sse_parser p;

	snprintf(what, sizeof(what), "%s, %s (%zu)", v->name, names[m], arg);
	sse_init(&p, on_event, &g);
	p.raw_json = v->raw;
	switch (m) {
	case M_LISTED:
		for (size_t i = 0; i < ARRAY_LEN(v->chunks) && v->chunks[i].s; i++) {
			struct buf c = BUF_INIT;
			const struct chunk *ch = &v->chunks[i];
			for (size_t r = 0; r < ch->rep; r++)
				assert_int_equal(buf_append(&c, ch->s, ch->len), 0);
			feed_ok(&p, c.data, c.len, what);
			buf_free(&c);
		}
		break;
	case M_WHOLE:
		feed_ok(&p, whole->data, whole->len, what);
		break;
	case M_BYTES:
		feed_split(&p, whole->data, whole->len, 1, what);
		break;
	case M_TWO:
		feed_ok(&p, whole->data, arg, what);
		feed_ok(&p, whole->data + arg, whole->len - arg, what);
		break;
	case M_RANDOM:
		feed_random(&p, whole->data, whole->len, (uint32_t)arg, what);
		break;
	}
	sse_finish(&p);
	check_events(what, &g, v->evs, vec_nevs(v));
	if (p.retry_ms != (v->retry ? v->retry : -1))
		fail_msg("%s: retry_ms %ld, want %ld", what, p.retry_ms, v->retry ? v->retry : -1);
	check_str(what, "last_id", &p.last_id, v->last_id ? v->last_id : "");
	check_str(what, "source_id", &p.source_id, v->source_id ? v->source_id : "");
	sse_free(&p);
	got_free(&g);
}

static void test_vector(void **state)
{
	const struct vec *v = *state;
	struct buf whole = BUF_INIT;

	vec_join(v, &whole);
	run_vec(v, &whole, M_LISTED, 0);
	run_vec(v, &whole, M_WHOLE, 0);
	run_vec(v, &whole, M_BYTES, 0);
	for (size_t k = 0; k <= whole.len; k++)
		run_vec(v, &whole, M_TWO, k);
	for (size_t seed = 1; seed <= 8; seed++)
		run_vec(v, &whole, M_RANDOM, seed);
	buf_free(&whole);
}

/* ---- tests that need more than a list of events ---- */

/* E10: the last event ID is committed by each blank line, even with no event. */
static void test_e10_id_steps(void **state)
{
	(void)state;
	struct got g = {0};
	struct sse_parser p;
	sse_init(&p, on_event, &g);
	assert_int_equal(sse_feed(&p, "id: 42\n", 7), 0);
	check_str("E10 step 1", "last_id", &p.last_id, "42");
	check_str("E10 step 1", "source_id", &p.source_id, "");
	assert_int_equal(sse_feed(&p, "\n", 1), 0);
	check_str("E10 step 2", "source_id", &p.source_id, "42");
	static const char bad[] = "id: bad\0id\n\n";
	assert_int_equal(sse_feed(&p, bad, sizeof(bad) - 1), 0);
	check_str("E10 step 3", "last_id", &p.last_id, "42");
	check_str("E10 step 3", "source_id", &p.source_id, "42");
	assert_int_equal(sse_feed(&p, "id:\n\n", 5), 0);
	check_str("E10 step 4", "last_id", &p.last_id, "");
	check_str("E10 step 4", "source_id", &p.source_id, "");
	sse_finish(&p);
	assert_int_equal(g.n, 0);
	sse_free(&p);
	got_free(&g);
}

/* W04 as the test does it: a reconnect after EOF sends the source's ID, not `test`. */
static void test_w04_eof_drops_id(void **state)
{
	(void)state;
	static const char body[] = "retry:1000\ndata:test1\n\nid:test\ndata:test2\n";
	struct got g = {0};
	struct sse_parser p;
	sse_init(&p, on_event, &g);
	assert_int_equal(sse_feed(&p, body, sizeof(body) - 1), 0);
	sse_finish(&p);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.ev[0].data, "test1");
	assert_string_equal(g.ev[0].id, "");
	check_str("W04", "source_id", &p.source_id, "");
	/* Data pending at EOF is gone: a later blank line must not resurrect it. */
	assert_int_equal(sse_feed(&p, "\n", 1), 0);
	assert_int_equal(g.n, 1);
	sse_free(&p);
	got_free(&g);
}

/* A nonzero callback value stops sse_feed at once and is returned. */
static void test_callback_stops(void **state)
{
	(void)state;
	static const char body[] = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
	struct got g = {.stop_after = 1};
	struct sse_parser p;
	sse_init(&p, on_event, &g);
	assert_int_equal(sse_feed(&p, body, sizeof(body) - 1), 99);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.ev[0].data, "1");
	sse_free(&p);
	got_free(&g);
}

static void test_null_callback_and_empty_feed(void **state)
{
	(void)state;
	struct sse_parser p;
	sse_init(&p, NULL, NULL);
	assert_int_equal(sse_feed(&p, NULL, 0), 0);
	assert_int_equal(sse_feed(&p, "data: x\n\nid: 5\n\n", 16), 0);
	check_str("null callback", "source_id", &p.source_id, "5");
	sse_finish(&p);
	sse_free(&p);
	sse_free(&p); /* freeing twice is harmless: http.c frees before re-initialising */
}

/* Huge retry values saturate instead of overflowing. */
static void test_retry_saturates(void **state)
{
	(void)state;
	static const char body[] = "retry: 99999999999999999999999999\n\n";
	struct sse_parser p;
	sse_init(&p, NULL, NULL);
	assert_int_equal(sse_feed(&p, body, sizeof(body) - 1), 0);
	assert_true(p.retry_ms > 2000000000L);
	sse_free(&p);
}

/* A long-lived big event: `data` lines of 1000 bytes, ~5 MB in all (E29, halved). */
static void build_big(struct buf *in, struct buf *want)
{
	char line[1000];
	assert_int_equal(buf_append_str(in, ": hello\n\n"), 0);
	for (int i = 0; i < 5000; i++) {
		for (size_t j = 0; j < sizeof(line); j++)
			line[j] = (char)('a' + (i + j) % 26);
		assert_int_equal(buf_append(in, "data: ", 6), 0);
		assert_int_equal(buf_append(in, line, sizeof(line)), 0);
		assert_int_equal(buf_append_char(in, '\n'), 0);
		if (i)
			assert_int_equal(buf_append_char(want, '\n'), 0);
		assert_int_equal(buf_append(want, line, sizeof(line)), 0);
	}
	assert_int_equal(buf_append(in, "\n\n", 2), 0);
}

static void check_big(const char *what, const struct got *g, const struct buf *want)
{
	if (g->n != 1)
		fail_msg("%s: %zu events, want 1", what, g->n);
	if (g->ev[0].data_len != want->len || memcmp(g->ev[0].data, want->data, want->len) != 0)
		fail_msg("%s: data of %zu bytes differs (want %zu)", what, g->ev[0].data_len,
			 want->len);
}

/* One event may not pass SSE_EVENT_MAX, whether as one endless line or as many data
 * lines (or a bare JSON body): the parser lets the bytes go, says so once as an error
 * event, and refuses what follows. Memory stays near the cap, never a multiple of the
 * stream. */
static void feed_until_stopped(const char *prefix, const char *piece, int with_lf)
{
	struct got g = {0};
	struct sse_parser p;
	sse_init(&p, on_event, &g);
	char chunk[65536];
	memset(chunk, 'x', sizeof chunk);
	int r = sse_feed(&p, prefix, strlen(prefix));
	size_t fed = 0;
	while (r == 0 && fed < 4 * (size_t)SSE_EVENT_MAX) {
		if (piece) {
			r = sse_feed(&p, piece, strlen(piece));
			fed += strlen(piece);
		} else {
			r = sse_feed(&p, chunk, sizeof chunk);
			fed += sizeof chunk;
		}
		if (with_lf && r == 0)
			r = sse_feed(&p, "\n", 1);
		assert_true(p.lines.part.cap <= 2 * (size_t)SSE_EVENT_MAX);
		assert_true(p.data.cap <= 2 * (size_t)SSE_EVENT_MAX);
		assert_true(p.raw.cap <= 2 * (size_t)SSE_EVENT_MAX);
	}
	assert_true(r != 0);
	assert_true(fed <= (size_t)SSE_EVENT_MAX + 70000);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.ev[0].type, "error");
	assert_non_null(strstr(g.ev[0].data, "larger than 16 MiB"));
	assert_int_equal(sse_feed(&p, "data: late\n\n", 12), -1);
	sse_finish(&p);
	assert_int_equal(g.n, 1);
	sse_free(&p);
	got_free(&g);
}

static void test_event_cap(void **state)
{
	(void)state;
	static char data_line[70000];
	memset(data_line, 'y', sizeof data_line - 1);
	memcpy(data_line, "data: ", 6);
	static char raw_line[70000];
	memset(raw_line, ' ', sizeof raw_line - 1);
	raw_line[0] = '"';
	raw_line[sizeof raw_line - 2] = '"';
	feed_until_stopped("data: ", NULL, 0);           /* one endless line */
	feed_until_stopped("", data_line, 1);            /* endless data lines, one event */
	feed_until_stopped("{\"a\": [\n", raw_line, 1); /* an endless bare JSON body */
}

static void test_e29_huge_event(void **state)
{
	(void)state;
	struct buf in = BUF_INIT, want = BUF_INIT;
	build_big(&in, &want);
	assert_int_equal(want.len, 5004999);
	size_t steps[] = {in.len, 16384, 1000, 7, 1};
	for (size_t k = 0; k < ARRAY_LEN(steps); k++) {
		char what[64];
		struct got g = {0};
		struct sse_parser p;
		snprintf(what, sizeof(what), "E29 chunks of %zu", steps[k]);
		sse_init(&p, on_event, &g);
		feed_split(&p, in.data, in.len, steps[k], what);
		sse_finish(&p);
		check_big(what, &g, &want);
		sse_free(&p);
		got_free(&g);
	}
	for (uint32_t seed = 1; seed <= 3; seed++) {
		struct got g = {0};
		struct sse_parser p;
		sse_init(&p, on_event, &g);
		feed_random(&p, in.data, in.len, seed, "E29 random");
		sse_finish(&p);
		check_big("E29 random", &g, &want);
		sse_free(&p);
		got_free(&g);
	}
	buf_free(&in);
	buf_free(&want);
}

static int count_only(void *ctx, const struct sse_event *ev)
{
	size_t *n = ctx;
	*n += ev->data_len ? 1 : 0;
	return 0;
}

/* The benchmark's hot path: ~5 MB of typical chunk events in 16 KiB reads. A generous
 * bound that still catches a per-byte or quadratic parser. */
static void test_speed_5mb(void **state)
{
	(void)state;
	static const char ev[] =
		"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":"
		"[{\"index\":0,\"delta\":{\"content\":\" token\"},\"finish_reason\":null}]}\n\n";
	struct buf in = BUF_INIT;
	size_t nev = 0, want = 0;
	while (in.len < 5u * 1024 * 1024) {
		assert_int_equal(buf_append(&in, ev, sizeof(ev) - 1), 0);
		want++;
	}
	struct sse_parser p;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int rep = 0; rep < 4; rep++) {
		sse_init(&p, count_only, &nev);
		feed_split(&p, in.data, in.len, 16384, "speed");
		sse_finish(&p);
		sse_free(&p);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(nev, 4 * want);
	if (sec > 2.0)
		fail_msg("4 x 5 MB took %.3f s", sec);
	buf_free(&in);
}

/* ---- recorded OpenAI streams ---- */

static char *read_file(const char *path, size_t *len)
{
	char *body = harness_read_file(path, len);
	if (!body)
		fail_msg("cannot open %s", path);
	return body;
}

static size_t count_data_lines(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;
		if (end - i >= 5 && memcmp(s + i, "data:", 5) == 0)
			count++;
		i = end + 1;
	}
	return count;
}

static void replay_one(const char *path, const char *s, size_t n)
{
	size_t want = count_data_lines(s, n);
	if (want < 3)
		fail_msg("%s: only %zu data lines", path, want);
	struct got ref = {0};
	for (int m = 0; m < 6; m++) {
		struct got g = {0};
		struct sse_parser p;
		sse_init(&p, on_event, &g);
		if (m == 0)
			feed_ok(&p, s, n, path);
		else if (m == 1)
			feed_split(&p, s, n, 1, path);
		else
			feed_random(&p, s, n, (uint32_t)m, path);
		sse_finish(&p);
		if (g.n != want)
			fail_msg("%s (mode %d): %zu events, want %zu", path, m, g.n, want);
		if (strcmp(g.ev[g.n - 1].data, "[DONE]") != 0)
			fail_msg("%s: last event is \"%s\"", path, show(g.ev[g.n - 1].data,
									g.ev[g.n - 1].data_len));
		for (size_t i = 0; i + 1 < g.n; i++) {
			if (g.ev[i].data[0] != '{' || strcmp(g.ev[i].type, "message") != 0)
				fail_msg("%s: event %zu is %s", path, i, show(g.ev[i].data, 40));
			if (m && (g.ev[i].data_len != ref.ev[i].data_len ||
				  memcmp(g.ev[i].data, ref.ev[i].data, g.ev[i].data_len) != 0))
				fail_msg("%s (mode %d): event %zu differs from whole", path, m, i);
		}
		sse_free(&p);
		if (m == 0)
			ref = g;
		else
			got_free(&g);
	}
	got_free(&ref);
}

static void test_recorded_openai(void **state)
{
	(void)state;
	const char *fx = getenv("CHERRY_FIXTURES");
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/recorded-openai", fx ? fx : "tests/fixtures");
	DIR *d = opendir(dir);
	if (!d)
		fail_msg("cannot open %s (run from the repository root)", dir);
	struct dirent *de;
	int files = 0;
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);
		if (nl < 5 || strcmp(de->d_name + nl - 4, ".sse") != 0)
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		size_t n;
		char *s = read_file(path, &n);
		replay_one(path, s, n);
		free(s);
		files++;
	}
	closedir(d);
	assert_int_equal(files, 12);
}

int main(void)
{
	static const struct CMUnitTest extra[] = {
		cmocka_unit_test(test_e10_id_steps),
		cmocka_unit_test(test_w04_eof_drops_id),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_null_callback_and_empty_feed),
		cmocka_unit_test(test_retry_saturates),
		cmocka_unit_test(test_e29_huge_event),
		cmocka_unit_test(test_event_cap),
		cmocka_unit_test(test_speed_5mb),
		cmocka_unit_test(test_recorded_openai),
	};
	/* One named test per vector, so a failure names W10 rather than a line number. */
	struct CMUnitTest tests[ARRAY_LEN(vectors) + ARRAY_LEN(extra)];
	for (size_t i = 0; i < ARRAY_LEN(vectors); i++)
		tests[i] = (struct CMUnitTest){vectors[i].name, test_vector, NULL, NULL,
					       (void *)&vectors[i]};
	for (size_t i = 0; i < ARRAY_LEN(extra); i++)
		tests[ARRAY_LEN(vectors) + i] = extra[i];
	return cmocka_run_group_tests_name("sse", tests, NULL, NULL);
}
