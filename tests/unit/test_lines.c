/* test_lines: the one line splitter against the wire-formats §7.1 D vectors (empty lines
 * included, as the event-stream parser needs them), a CR/LF pair split between chunks,
 * every split of each input, both the in-place and the NUL-terminated mode, stopping
 * and flushing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cherry/buf.h"
#include "cherry/lines.h"

/* Every line delivered, each followed by '|', so results compare as one string. */
struct got {
	struct buf all;
	int nul;
	int stop_at; /* stop when this many lines were seen (0: never) */
	int count;
};

static int on_line(void *ctx, const char *line, size_t len)
{
	struct got *g = ctx;
	if (g->nul)
		assert_int_equal(line[len], '\0');
	assert_int_equal(buf_append(&g->all, line, len), 0);
	assert_int_equal(buf_append_char(&g->all, '|'), 0);
	g->count++;
	return g->stop_at && g->count == g->stop_at ? 7 : 0;
}

/* The chunks of one vector are separated by '#' in chunks (no vector contains '#'). */
struct vec {
	const char *chunks;
	const char *lines;  /* before the flush */
	const char *flushed; /* after it */
};

static const struct vec vecs[] = {
	{"foo# bar\nbaz", "foo bar|", "foo bar|baz|"},                 /* L01 */
	{"foo# bar\r\nbaz", "foo bar|", "foo bar|baz|"},               /* L02 */
	{"foo# bar#baz\n#thing\n", "foo barbaz|thing|", "foo barbaz|thing|"}, /* L03 */
	{"foo# bar\\nbaz\n", "foo bar\\nbaz|", "foo bar\\nbaz|"},       /* L04 */
	{"foo\r#\n#bar", "foo|", "foo|bar|"},                          /* L05 */
	{"foo\r#\n\n#bar\n", "foo||bar|", "foo||bar|"},                /* L06 */
	{"foo\r#bar", "foo|", "foo|bar|"},                             /* L07 */
	{"foo\r#\r#bar", "foo||", "foo||bar|"},                        /* L08 */
	{"foo\r#\r#\r#\n#bar#\n", "foo|||bar|", "foo|||bar|"},         /* L09 */
	{"foo\n\nbar", "foo||", "foo||bar|"},                          /* L10 */
	{"foo\r#\nbar\r#\n", "foo|bar|", "foo|bar|"},                  /* L11 */
	{"\xD0#\xB8\xD0\xB7\xD0#\xB2\xD0\xB5\xD1\x81\xD1\x82\xD0\xBD\xD0\xB8#\n",
	 "\xD0\xB8\xD0\xB7\xD0\xB2\xD0\xB5\xD1\x81\xD1\x82\xD0\xBD\xD0\xB8|",
	 "\xD0\xB8\xD0\xB7\xD0\xB2\xD0\xB5\xD1\x81\xD1\x82\xD0\xBD\xD0\xB8|"}, /* L12 */
	/* U+2028, NEL, VT and FF are text, not line ends */
	{"a\xE2\x80\xA8" "b\xC2\x85" "c\x0B" "d\x0C" "e\n", "a\xE2\x80\xA8" "b\xC2\x85" "c\x0B" "d\x0C" "e|",
	 "a\xE2\x80\xA8" "b\xC2\x85" "c\x0B" "d\x0C" "e|"},
	/* CRLF CRLF as Gemini frames events: two line ends, the blank line kept */
	{"data: x\r#\n\r#\n", "data: x||", "data: x||"},
	{"\r\n\r\r\n\n", "||||", "||||"},
	{"", "", ""},
};

static void run(const char *const *chunk, const size_t *clen, size_t n, int nul, struct got *g)
{
	struct lines l;
	memset(g, 0, sizeof(*g));
	g->nul = nul;
	lines_init(&l, on_line, g, nul);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(lines_feed(&l, chunk[i], clen[i]), 0);
	assert_int_equal(buf_append(&g->all, "", 0), 0);
	char before[256];
	snprintf(before, sizeof before, "%s", g->all.data);
	assert_int_equal(lines_flush(&l), 0);
	assert_int_equal(buf_append(&g->all, "", 0), 0);
	/* what came before the flush, then a marker, then the flush's part */
	struct buf joined = BUF_INIT;
	assert_int_equal(buf_printf(&joined, "%s#%s", before, g->all.data), 0);
	buf_free(&g->all);
	g->all = joined;
	lines_free(&l);
}

static void expect(const struct vec *v, const struct got *g, const char *how)
{
	char want[512];
	snprintf(want, sizeof want, "%s#%s", v->lines, v->flushed);
	if (strcmp(g->all.data, want) != 0)
		fail_msg("%s of \"%s\": got \"%s\", want \"%s\"", how, v->chunks, g->all.data, want);
}

static void test_vectors_as_chunked(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof vecs / sizeof vecs[0]; t++) {
		const char *c[16];
		size_t cl[16], n = 0;
		const char *s = vecs[t].chunks;
		for (;;) {
			const char *h = strchr(s, '#');
			c[n] = s;
			cl[n++] = h ? (size_t)(h - s) : strlen(s);
			if (!h)
				break;
			s = h + 1;
		}
		for (int nul = 0; nul < 2; nul++) {
			struct got g;
			run(c, cl, n, nul, &g);
			expect(&vecs[t], &g, nul ? "chunks (nul)" : "chunks");
			buf_free(&g.all);
		}
	}
}

/* The input without its chunk marks, split anywhere, gives the same lines. */
static void test_every_split(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof vecs / sizeof vecs[0]; t++) {
		char whole[256];
		size_t len = 0;
		for (const char *s = vecs[t].chunks; *s; s++)
			if (*s != '#')
				whole[len++] = *s;
		for (int nul = 0; nul < 2; nul++) {
			for (size_t i = 0; i <= len; i++) {
				const char *c[2] = {whole, whole + i};
				size_t cl[2] = {i, len - i};
				struct got g;
				run(c, cl, 2, nul, &g);
				expect(&vecs[t], &g, "two chunks");
				buf_free(&g.all);
			}
			const char *c[256];
			size_t cl[256];
			for (size_t i = 0; i < len; i++) {
				c[i] = whole + i;
				cl[i] = 1;
			}
			struct got g;
			run(c, cl, len, nul, &g);
			expect(&vecs[t], &g, "byte by byte");
			buf_free(&g.all);
		}
	}
}

/* A nonzero return stops at once: feed returns it and the chunk's rest is dropped. */
static void test_stop(void **state)
{
	(void)state;
	struct got g;
	memset(&g, 0, sizeof g);
	g.stop_at = 2;
	struct lines l;
	lines_init(&l, on_line, &g, 0);
	assert_int_equal(lines_feed(&l, "a\nb\nc\nd", 7), 7);
	assert_string_equal(g.all.data, "a|b|");
	/* the splitter goes on with the next chunk */
	g.stop_at = 0;
	assert_int_equal(lines_feed(&l, "e\n", 2), 0);
	assert_string_equal(g.all.data, "a|b|e|");
	/* a stop from the flush is returned too */
	g.stop_at = 4;
	assert_int_equal(lines_feed(&l, "tail", 4), 0);
	assert_int_equal(lines_flush(&l), 7);
	assert_string_equal(g.all.data, "a|b|e|tail|");
	lines_free(&l);
	buf_free(&g.all);
}

/* lines_reset drops an unterminated line and a pending CR, as the event stream's end does. */
static void test_reset_drops(void **state)
{
	(void)state;
	struct got g;
	memset(&g, 0, sizeof g);
	struct lines l;
	lines_init(&l, on_line, &g, 0);
	assert_int_equal(lines_feed(&l, "x\rpart", 6), 0);
	lines_reset(&l);
	assert_int_equal(lines_flush(&l), 0);
	assert_string_equal(g.all.data, "x|");
	assert_int_equal(lines_feed(&l, "y\r", 2), 0);
	lines_reset(&l);
	/* the CR's pairing LF is forgotten with the stream: this LF is a line end */
	assert_int_equal(lines_feed(&l, "\n", 1), 0);
	assert_string_equal(g.all.data, "x|y||");
	lines_free(&l);
	buf_free(&g.all);
}

/* A long line across many chunks comes out whole (no length limit here). */
static void test_long_line(void **state)
{
	(void)state;
	struct got g;
	memset(&g, 0, sizeof g);
	struct lines l;
	lines_init(&l, on_line, &g, 1);
	char chunk[1000];
	memset(chunk, 'x', sizeof chunk);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(lines_feed(&l, chunk, sizeof chunk), 0);
	assert_int_equal(g.count, 0);
	assert_int_equal(lines_feed(&l, "\r\n", 2), 0);
	assert_int_equal(g.count, 1);
	assert_int_equal(g.all.len, 2000u * sizeof chunk + 1);
	lines_free(&l);
	buf_free(&g.all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_as_chunked),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_reset_drops),
		cmocka_unit_test(test_long_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
