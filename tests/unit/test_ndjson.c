/* test_ndjson: the line splitter against the wire-formats §7.1 D vectors (empty lines
 * skipped) and NDJSON streams, each fed as listed, whole, per byte, in two, and randomly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/buf.h"
#include "cherry/ndjson.h"

#include "show.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct chunk {
	const char *s;
	size_t len;
};
#define C(lit) {lit, sizeof(lit) - 1}
#define L(lit) {lit, sizeof(lit) - 1}

#define V(n) .name = n
#define NONE {{0}}

/* `lines` is everything delivered up to and including ndjson_finish; the first
 * `before` of them must already be out before finish is called. */
struct vec {
	const char *name;
	struct chunk chunks[8];
	struct chunk lines[8];
	size_t before;
};

static const struct vec vectors[] = {
	/* D. openai-node line decoder, adapted: our splitter skips empty lines */
	{V("L01"), {C("foo"), C(" bar\nbaz")}, {L("foo bar"), L("baz")}, 1},
	{V("L02"), {C("foo"), C(" bar\r\nbaz")}, {L("foo bar"), L("baz")}, 1},
	{V("L03"), {C("foo"), C(" bar"), C("baz\n"), C("thing\n")},
	 {L("foo barbaz"), L("thing")}, 2},
	{V("L04"), {C("foo"), C(" bar\\nbaz\n")}, {L("foo bar\\nbaz")}, 1},
	{V("L05"), {C("foo\r"), C("\n"), C("bar")}, {L("foo"), L("bar")}, 1},
	{V("L06"), {C("foo\r"), C("\n\n"), C("bar\n")}, {L("foo"), L("bar")}, 2},
	{V("L07"), {C("foo\r"), C("bar")}, {L("foo"), L("bar")}, 1},
	{V("L08"), {C("foo\r"), C("\r"), C("bar")}, {L("foo"), L("bar")}, 1},
	{V("L09"), {C("foo\r"), C("\r"), C("\r"), C("\n"), C("bar"), C("\n")},
	 {L("foo"), L("bar")}, 2},
	{V("L10"), {C("foo\n\nbar")}, {L("foo"), L("bar")}, 1},
	{V("L11"), {C("foo\r"), C("\nbar\r"), C("\n")}, {L("foo"), L("bar")}, 2},
	{V("L12"),
	 {C("\xD0"), C("\xB8\xD0\xB7\xD0"), C("\xB2\xD0\xB5\xD1\x81\xD1\x82\xD0\xBD\xD0\xB8"),
	  C("\n")},
	 {L("известни")}, 1},

	/* NDJSON streams as Ollama sends them, and edge cases */
	{V("N-ollama"),
	 {C("{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
	    "\"done\":false}\n{\"model\":\"llama3\",\"mes"),
	  C("sage\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"eval_count\":2}\n")},
	 {L("{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
	    "\"done\":false}"),
	  L("{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
	    "\"done\":true,\"eval_count\":2}")},
	 2},
	{V("N-crlf"), {C("{\"a\":1}\r\n{\"a\":2}\r"), C("\n{\"a\":3}\r\n")},
	 {L("{\"a\":1}"), L("{\"a\":2}"), L("{\"a\":3}")}, 3},
	{V("N-cr-only"), {C("a\rb\rc\r")}, {L("a"), L("b"), L("c")}, 3},
	{V("N-empty-lines"), {C("\n\n\r\n\r\ra\n\n\nb\r\n"), C("\r\n\n")}, {L("a"), L("b")}, 2},
	{V("N-blank-only"), {C("\n\r\n\r"), C("\r\n")}, NONE, 0},
	{V("N-nothing"), {C("")}, NONE, 0},
	{V("N-nul-inside"), {C("a\0b\nc\0")}, {L("a\0b"), L("c\0")}, 1},
	{V("N-unicode-separators"), {C("a\xE2\x80\xA8" "b\xC2\x85" "c\x0B" "d\x0C" "e\n")},
	 {L("a\xE2\x80\xA8" "b\xC2\x85" "c\x0B" "d\x0C" "e")}, 1},
	{V("N-json-error"), {C("{\"error\":\"model 'x' not found\"}")},
	 {L("{\"error\":\"model 'x' not found\"}")}, 0},
};

/* ---- collecting ---- */

struct got {
	struct chunk *line; /* copies, owned */
	size_t n, cap;
	int stop_after;
};

static int on_line(void *ctx, const char *line, size_t len)
{
	struct got *g = ctx;
	assert_true(len > 0);
	assert_int_equal(line[len], '\0');
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->line = realloc(g->line, g->cap * sizeof(*g->line));
		assert_non_null(g->line);
	}
	char *copy = malloc(len + 1);
	assert_non_null(copy);
	memcpy(copy, line, len + 1);
	g->line[g->n].s = copy;
	g->line[g->n].len = len;
	g->n++;
	return g->stop_after && g->n >= (size_t)g->stop_after ? 42 : 0;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free((char *)g->line[i].s);
	free(g->line);
	memset(g, 0, sizeof(*g));
}

/* ---- feeding ---- */

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void feed_ok(struct ndjson_splitter *s, const char *b, size_t n, const char *what)
{
	int r = ndjson_feed(s, b, n);
	if (r != 0)
		fail_msg("%s: ndjson_feed returned %d", what, r);
}

static void feed_random(struct ndjson_splitter *s, const char *b, size_t n, uint32_t seed,
			const char *what)
{
	uint32_t st = seed * 2654435761u + 1;
	size_t i = 0;
	while (i < n) {
		uint32_t r = rng_next(&st);
		size_t k = r % 8 == 0 ? 0 : r % 4 == 0 ? 1 + r % 4096 : 1 + r % 9;
		if (k > n - i)
			k = n - i;
		feed_ok(s, b + i, k, what);
		i += k;
	}
}

static size_t vec_nlines(const struct vec *v)
{
	size_t n = 0;
	while (n < ARRAY_LEN(v->lines) && v->lines[n].s)
		n++;
	return n;
}

static void check_lines(const char *what, const struct got *g, const struct chunk *w, size_t nw)
{
	for (size_t i = 0; i < g->n && i < nw; i++)
		if (g->line[i].len != w[i].len || memcmp(g->line[i].s, w[i].s, w[i].len) != 0)
			fail_msg("%s: line %zu is \"%s\", want \"%s\"", what, i,
				 show(g->line[i].s, g->line[i].len), show(w[i].s, w[i].len));
	if (g->n != nw)
		fail_msg("%s: %zu lines, want %zu", what, g->n, nw);
}

enum mode { M_LISTED, M_WHOLE, M_BYTES, M_TWO, M_RANDOM };

static void run_vec(const struct vec *v, const struct buf *whole, enum mode m, size_t arg)
{
	static const char *names[] = {"listed chunks", "whole", "1-byte chunks", "split in two",
				      "random chunks"};
	char what[128];
	struct got g = {0};
	struct ndjson_splitter s;

	snprintf(what, sizeof(what), "%s, %s (%zu)", v->name, names[m], arg);
	ndjson_init(&s, on_line, &g);
	switch (m) {
	case M_LISTED:
		for (size_t i = 0; i < ARRAY_LEN(v->chunks) && v->chunks[i].s; i++)
			feed_ok(&s, v->chunks[i].s, v->chunks[i].len, what);
		break;
	case M_WHOLE:
		feed_ok(&s, whole->data, whole->len, what);
		break;
	case M_BYTES:
		for (size_t i = 0; i < whole->len; i++)
			feed_ok(&s, whole->data + i, 1, what);
		break;
	case M_TWO:
		feed_ok(&s, whole->data, arg, what);
		feed_ok(&s, whole->data + arg, whole->len - arg, what);
		break;
	case M_RANDOM:
		feed_random(&s, whole->data, whole->len, (uint32_t)arg, what);
		break;
	}
	char what2[160];
	snprintf(what2, sizeof(what2), "%s before finish", what);
	check_lines(what2, &g, v->lines, v->before);
	assert_int_equal(ndjson_finish(&s), 0);
	check_lines(what, &g, v->lines, vec_nlines(v));
	/* A second finish has nothing left to deliver. */
	assert_int_equal(ndjson_finish(&s), 0);
	assert_int_equal(g.n, vec_nlines(v));
	ndjson_free(&s);
	got_free(&g);
}

static void test_vector(void **state)
{
	const struct vec *v = *state;
	struct buf whole = BUF_INIT;

	for (size_t i = 0; i < ARRAY_LEN(v->chunks) && v->chunks[i].s; i++)
		assert_int_equal(buf_append(&whole, v->chunks[i].s, v->chunks[i].len), 0);
	run_vec(v, &whole, M_LISTED, 0);
	run_vec(v, &whole, M_WHOLE, 0);
	run_vec(v, &whole, M_BYTES, 0);
	for (size_t k = 0; k <= whole.len; k++)
		run_vec(v, &whole, M_TWO, k);
	for (size_t seed = 1; seed <= 8; seed++)
		run_vec(v, &whole, M_RANDOM, seed);
	buf_free(&whole);
}

/* L11 step by step: each line is out as soon as its line end is seen. */
static void test_l11_steps(void **state)
{
	(void)state;
	struct got g = {0};
	struct ndjson_splitter s;
	ndjson_init(&s, on_line, &g);
	assert_int_equal(ndjson_feed(&s, "foo\r", 4), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.line[0].s, "foo");
	assert_int_equal(ndjson_feed(&s, "\nbar\r", 5), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.line[1].s, "bar");
	assert_int_equal(ndjson_feed(&s, "\n", 1), 0);
	assert_int_equal(ndjson_finish(&s), 0);
	assert_int_equal(g.n, 2);
	ndjson_free(&s);
	got_free(&g);
}

/* A nonzero callback value stops the feed at once, and finish passes it on too. */
static void test_callback_stops(void **state)
{
	(void)state;
	struct got g = {.stop_after = 1};
	struct ndjson_splitter s;
	ndjson_init(&s, on_line, &g);
	assert_int_equal(ndjson_feed(&s, "a\nb\nc\n", 6), 42);
	assert_int_equal(g.n, 1);
	ndjson_free(&s);
	got_free(&g);

	g.stop_after = 1;
	ndjson_init(&s, on_line, &g);
	assert_int_equal(ndjson_feed(&s, "tail", 4), 0);
	assert_int_equal(ndjson_finish(&s), 42);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.line[0].s, "tail");
	ndjson_free(&s);
	got_free(&g);
}

static void test_null_callback(void **state)
{
	(void)state;
	struct ndjson_splitter s;
	ndjson_init(&s, NULL, NULL);
	assert_int_equal(ndjson_feed(&s, NULL, 0), 0);
	assert_int_equal(ndjson_feed(&s, "a\nb", 3), 0);
	assert_int_equal(ndjson_finish(&s), 0);
	ndjson_free(&s);
	ndjson_free(&s);
}

/* A line under NDJSON_LINE_MAX, 3 MB, arrives whole, in any chunking. */
static void test_long_line(void **state)
{
	(void)state;
	struct buf in = BUF_INIT;
	for (size_t i = 0; i < 3u * 1024 * 1024; i++)
		assert_int_equal(buf_append_char(&in, (char)('a' + i % 26)), 0);
	size_t linelen = in.len;
	assert_int_equal(buf_append(&in, "\r\n{}\n", 5), 0);
	size_t steps[] = {in.len, 16384, 3, 1};
	for (size_t k = 0; k < ARRAY_LEN(steps); k++) {
		struct got g = {0};
		struct ndjson_splitter s;
		ndjson_init(&s, on_line, &g);
		for (size_t i = 0; i < in.len; i += steps[k]) {
			size_t n = in.len - i < steps[k] ? in.len - i : steps[k];
			feed_ok(&s, in.data + i, n, "long");
		}
		assert_int_equal(ndjson_finish(&s), 0);
		assert_int_equal(g.n, 2);
		assert_int_equal(g.line[0].len, linelen);
		assert_memory_equal(g.line[0].s, in.data, linelen);
		assert_string_equal(g.line[1].s, "{}");
		ndjson_free(&s);
		got_free(&g);
	}
	buf_free(&in);
}

/* One line may not pass NDJSON_LINE_MAX (it once grew to the 64 MiB response cap):
 * the splitter lets the bytes go, hands over one error line in Ollama's shape, and
 * refuses what follows. Memory stays near the cap, never a multiple of the stream. */
static void test_line_cap(void **state)
{
	(void)state;
	struct got g = {0};
	struct ndjson_splitter s;
	ndjson_init(&s, on_line, &g);
	static char chunk[65536];
	memset(chunk, 'x', sizeof chunk);
	int r = ndjson_feed(&s, "{\"a\":\"", 6);
	size_t fed = 0;
	while (r == 0 && fed < 4 * (size_t)NDJSON_LINE_MAX) {
		r = ndjson_feed(&s, chunk, sizeof chunk);
		fed += sizeof chunk;
		assert_true(s.lines.part.cap <= 2 * (size_t)NDJSON_LINE_MAX);
	}
	assert_int_equal(r, -1);
	assert_true(fed <= (size_t)NDJSON_LINE_MAX + sizeof chunk);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.line[0].s,
			    "{\"error\": \"one line of the stream is larger than 16 MiB; stopped\"}");
	assert_int_equal(ndjson_feed(&s, "\n{}\n", 4), -1);
	assert_int_equal(ndjson_finish(&s), 0);
	assert_int_equal(g.n, 1);
	ndjson_free(&s);
	got_free(&g);

	/* a line of exactly the cap is still taken */
	struct buf in = BUF_INIT;
	assert_int_equal(buf_reserve(&in, NDJSON_LINE_MAX + 1), 0);
	memset(in.data, 'y', NDJSON_LINE_MAX);
	in.len = NDJSON_LINE_MAX;
	in.data[in.len++] = '\n';
	g = (struct got){0};
	ndjson_init(&s, on_line, &g);
	feed_ok(&s, in.data, in.len, "cap");
	assert_int_equal(g.n, 1);
	assert_int_equal(g.line[0].len, NDJSON_LINE_MAX);
	ndjson_free(&s);
	got_free(&g);
	buf_free(&in);
}

int main(void)
{
	static const struct CMUnitTest extra[] = {
		cmocka_unit_test(test_l11_steps),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_null_callback),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_line_cap),
	};
	struct CMUnitTest tests[ARRAY_LEN(vectors) + ARRAY_LEN(extra)];
	for (size_t i = 0; i < ARRAY_LEN(vectors); i++)
		tests[i] = (struct CMUnitTest){vectors[i].name, test_vector, NULL, NULL,
					       (void *)&vectors[i]};
	for (size_t i = 0; i < ARRAY_LEN(extra); i++)
		tests[ARRAY_LEN(vectors) + i] = extra[i];
	return cmocka_run_group_tests_name("ndjson", tests, NULL, NULL);
}
