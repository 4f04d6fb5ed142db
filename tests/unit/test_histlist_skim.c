/* test_histlist_skim: a cold index is rebuilt by skimming each file's raw JSON
 * (histskim_entry) rather than parsing it: what the skim takes must equal what
 * hist_from_json reads, for every odd file the tests can make (escapes, Unicode,
 * control characters, the title after a big message, numbers for times, other key
 * orders), and where it cannot be sure (a newer version, a key twice, bad JSON, a bad
 * time) it must say so, so the file is parsed whole. (test_histlist: the same through
 * the store.) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/history.h"
#include "histlist_int.h"

/* Skims text as conversation id and compares with the parse: 0 when the skim was sure
 * (and agreed), -2 when it was not. A parse that fails must never be skimmed. */
static int same_as_parse(const char *id, const char *text)
{
	struct histskim sk = {BUF_INIT, BUF_INIT, 0, 0};
	int r = histskim_entry(text, strlen(text), id, &sk);
	struct hist_conv c;
	struct err e = {0, ""};
	int pr = hist_from_json(text, strlen(text), &c, &e);
	if (pr != HIST_LOAD_OK || strcmp(c.id, id))
		assert_int_equal(r, -2);
	if (r == 0) {
		assert_string_equal(sk.title.data, c.title ? c.title : "");
		assert_string_equal(sk.model.data, c.model ? c.model : "");
		assert_true(sk.updated == c.updated);
		assert_int_equal(sk.nmsgs, c.n);
	}
	if (pr >= 0)
		hist_conv_free(&c);
	buf_free(&sk.title);
	buf_free(&sk.model);
	return r;
}

/* The file hist_to_json writes for a conversation of title and model. */
static char *written(const char *id, const char *title, const char *model, int nmsgs)
{
	struct hist_conv c;
	struct buf b = BUF_INIT;
	assert_int_equal(hist_conv_init(&c, id, 1700000000.0), 0);
	if (title)
		assert_int_equal(hist_set_str(&c.title, title), 0);
	if (model)
		assert_int_equal(hist_set_str(&c.model, model), 0);
	for (int i = 0; i < nmsgs; i++)
		assert_non_null(hist_add(&c, c.current, i % 2 ? "assistant" : "user",
					 "say \"hi\" \\ {[\n", 1700000000.0 + i));
	c.updated = 1700000123.456;
	assert_int_equal(hist_to_json(&c, &b), 0);
	hist_conv_free(&c);
	return buf_steal(&b);
}

static void test_written_titles(void **state)
{
	(void)state;
	static const char *const titles[] = {
		"plain", "", "He said \"hi\" and left", "back\\slash \\\"both\\\"",
		"tab\there, newline\nthere", "héllo 日本語 😀 — ok", "\x7f del and \x1b esc",
		"ends with a backslash \\", "{\"looks\": [\"like\", \"json\"]}",
	};
	for (size_t i = 0; i < sizeof titles / sizeof *titles; i++) {
		char *t = written("w1", titles[i], "openai/gpt-4o-mini", (int)i);
		assert_int_equal(same_as_parse("w1", t), 0);
		free(t);
	}
	char *t = written("w2", NULL, NULL, 3); /* title and model null */
	assert_int_equal(same_as_parse("w2", t), 0);
	/* the file's id must be the name's */
	assert_int_equal(same_as_parse("w3", t), -2);
	free(t);
}

static void test_hand_made(void **state)
{
	(void)state;
	struct buf big = BUF_INIT;
	for (int i = 0; i < 5000; i++)
		assert_int_equal(buf_append_str(&big, "lorem \\\"ipsum\\\" \\u00e9 "), 0);
	struct buf t = BUF_INIT;
	/* the title after a big message, escapes cherry never writes, compact */
	assert_int_equal(buf_printf(&t, "{\"version\":1,\"id\":\"h1\",\"current\":\"m1\","
				    "\"messages\":[{\"id\":\"m1\",\"parent\":null,\"role\":\"user\","
				    "\"content\":\"%s\"}],\"title\":\"caf\\u00e9 \\ud83d\\ude00 "
				    "\\/ \\b\\f\\r\",\"model\":\"m\\u006fdel\","
				    "\"updated\":1700000000.5,\"created\":17e8}", big.data), 0);
	assert_int_equal(same_as_parse("h1", t.data), 0);
	buf_reset(&t);
	/* times null, whitespace everywhere, numbers and literals in messages */
	assert_int_equal(buf_append_str(&t, " \n{ \"messages\" : [ ] , \"updated\" : null ,"
					 "\"version\" : 3 , \"id\" : \"h2\" , \"title\" : null ,"
					 "\"x\": [true, false, null, -0.5e-3, {\"a\": [[]]}] }\n "), 0);
	assert_int_equal(same_as_parse("h2", t.data), 0);
	/* not sure: each is left to the parse */
	static const char *const unsure[] = {
		/* a newer version */
		"{\"version\":99,\"id\":\"u\",\"title\":\"t\",\"messages\":[]}",
		/* a key twice */
		"{\"version\":1,\"id\":\"u\",\"title\":\"a\",\"title\":\"b\",\"messages\":[]}",
		"{\"version\":1,\"id\":\"u\",\"x\":1,\"x\":2,\"messages\":[]}",
		/* an escaped key */
		"{\"version\":1,\"id\":\"u\",\"ti\\u0074le\":\"a\",\"messages\":[]}",
		/* not JSON: cut short, trailing bytes, bad literals and numbers */
		"{\"version\":1,\"id\":\"u\",\"messages\":[tr",
		"{\"version\":1,\"id\":\"u\",\"messages\":[]} x",
		"{\"version\":1,\"id\":\"u\",\"messages\":[],\"x\":nul}",
		"{\"version\":1,\"id\":\"u\",\"messages\":[],\"x\":01}",
		"{\"version\":1,\"id\":\"u\",\"messages\":[],\"x\":1.}",
		"{\"version\":1,\"id\":\"u\",\"messages\":[],\"x\":truex}",
		/* a bad time, version, title, messages */
		"{\"version\":1,\"id\":\"u\",\"updated\":\"yesterday\",\"messages\":[]}",
		"{\"version\":1,\"id\":\"u\",\"created\":true,\"messages\":[]}",
		"{\"version\":\"1\",\"id\":\"u\",\"messages\":[]}",
		"{\"version\":1.0,\"id\":\"u\",\"messages\":[]}",
		"{\"version\":1,\"id\":\"u\",\"title\":5,\"messages\":[]}",
		"{\"version\":1,\"id\":\"u\",\"title\":\"raw\tcontrol\",\"messages\":[]}",
		"{\"version\":1,\"id\":\"u\",\"title\":\"bad \xff utf-8\",\"messages\":[]}",
		"{\"version\":1,\"id\":\"u\",\"title\":\"nul \\u0000\",\"messages\":[]}",
		"{\"version\":1,\"id\":\"u\",\"system\":1,\"messages\":[]}",
		"{\"version\":1,\"id\":\"u\",\"messages\":{}}",
		"{\"version\":1,\"id\":\"u\",\"messages\":[1]}",
		"{\"version\":1,\"id\":\"u\"}",
		"[]",
	};
	for (size_t i = 0; i < sizeof unsure / sizeof *unsure; i++) {
		if (same_as_parse("u", unsure[i]) != -2)
			fail_msg("skimmed: %s", unsure[i]);
	}
	buf_free(&t);
	buf_free(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written_titles),
		cmocka_unit_test(test_hand_made),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
