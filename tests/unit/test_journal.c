/* test_journal: a conversation's journal: its lines, their replay (twice changes
 * nothing), two answers' records interleaved and their ends (the text kept), and a
 * replay that stops at a line cut short or one that does not apply, saying where. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cherry/journal.h"

static void base_conv(struct hist_conv *c)
{
	assert_int_equal(hist_conv_init(c, "jj1", 100.0), 0);
	assert_non_null(hist_add(c, NULL, "user", "q", 100.0));
	assert_non_null(hist_add(c, "m1", "assistant", "a", 101.0));
}

/* The lines a streaming exchange appends: a prompt and answer, then text twice. */
static void stream_lines(struct buf *j, struct hist_conv *live)
{
	struct journal_base b = {"jj1", 7, 1234, 99, 5};
	assert_int_equal(journal_head(&b, j), 0);
	base_conv(live);
	struct hist_msg *u = hist_add(live, "m2", "user", "more \xc3\xa9", 102.0);
	assert_int_equal(journal_msg(u, 0, j), 0);
	struct hist_msg *a = hist_add(live, "m3", "assistant", "", 103.0);
	a->status = HIST_INTERRUPTED;
	assert_int_equal(journal_msg(a, 0, j), 0);
	assert_int_equal(journal_conv(live, j), 0);
	assert_int_equal(hist_set_str(&a->content, "Hel"), 0);
	assert_int_equal(journal_text(a, 0, 0, SIZE_MAX, j), 0);
	assert_int_equal(hist_set_str(&a->content, "Hello \"there\"\n"), 0);
	assert_int_equal(hist_set_str(&a->reasoning, "hmm"), 0);
	a->updated = 104.5;
	assert_int_equal(journal_text(a, 0, 3, SIZE_MAX, j), 0);
	assert_int_equal(journal_text(a, 1, 0, SIZE_MAX, j), 0);
	assert_int_equal(hist_set_str(&live->title, "T"), 0);
	assert_int_equal(journal_conv(live, j), 0);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct buf j = BUF_INIT;
	struct hist_conv live, c;
	stream_lines(&j, &live);
	struct journal_base h;
	assert_int_equal(journal_read_head(j.data, j.len, &h), 0);
	assert_string_equal(h.id, "jj1");
	assert_int_equal(h.ino, 7);
	assert_int_equal(h.size, 1234);
	assert_int_equal(h.mtime_s, 99);
	assert_int_equal(h.mtime_ns, 5);
	for (int pass = 0; pass < 2; pass++) {
		if (!pass)
			base_conv(&c);
		/* the second pass replays onto the result of the first: nothing changes */
		assert_int_equal(journal_apply(&c, j.data, j.len), 7);
		assert_int_equal(c.n, 4);
		assert_string_equal(c.msgs[2].content, "more \xc3\xa9");
		assert_string_equal(c.msgs[3].content, "Hello \"there\"\n");
		assert_string_equal(c.msgs[3].reasoning, "hmm");
		assert_int_equal(c.msgs[3].status, HIST_INTERRUPTED);
		assert_true(c.msgs[3].updated == 104.5);
		assert_string_equal(c.current, "m4");
		assert_string_equal(c.title, "T");
		assert_int_equal(hist_index_of(&c, "m4"), 3);
	}
	/* the next message gets a fresh id */
	struct hist_msg *m = hist_add(&c, "m4", "user", "x", 105.0);
	assert_string_equal(m->id, "m5");
	hist_conv_free(&c);
	hist_conv_free(&live);
	buf_free(&j);
}

static void test_cut_and_bad_lines(void **state)
{
	(void)state;
	struct buf j = BUF_INIT;
	struct hist_conv live, c;
	stream_lines(&j, &live);
	hist_conv_free(&live);
	/* every cut: a prefix of the records applies, never a torn text */
	for (size_t cut = 0; cut <= j.len; cut++) {
		base_conv(&c);
		long n = journal_apply(&c, j.data, cut);
		assert_true(n >= 0 && n <= 7);
		if (c.n == 4) {
			const char *t = c.msgs[3].content;
			assert_true(!strcmp(t, "") || !strcmp(t, "Hel") || !strcmp(t, "Hello \"there\"\n"));
		}
		hist_conv_free(&c);
	}
	struct journal_base h;
	assert_int_equal(journal_read_head("{\"journal\":2}\n", 14, &h), -1);
	static const char v0[] = "{\"journal\":0,\"id\":\"a\",\"ino\":1,\"size\":2,"
				 "\"mtime_s\":3,\"mtime_ns\":4}\n";
	static const char v1[] = "{\"journal\":1,\"id\":\"a\",\"ino\":1,\"size\":2,"
				 "\"mtime_s\":3,\"mtime_ns\":4}\n";
	static const char v9[] = "{\"journal\":9,\"id\":\"a\",\"ino\":1,\"size\":2,"
				 "\"mtime_s\":3,\"mtime_ns\":4,\"more\":true}\n";
	assert_int_equal(journal_read_head(v0, strlen(v0), &h), -1);
	assert_int_equal(journal_read_head(v1, strlen(v1), &h), 0); /* the first version */
	assert_int_equal(journal_read_head(v9, strlen(v9), &h), 1); /* a later one */
	assert_int_equal(h.size, 2);
	assert_int_equal(journal_read_head("{\"journal\":1,\"id\":\"a\"", 21, &h), -1);
	/* text that does not fit what is there stops the replay */
	static const char gap[] = "head\n"
				  "{\"text\":\"m2\",\"at\":5,\"s\":\"x\"}\n"
				  "{\"text\":\"m2\",\"at\":1,\"s\":\"b\"}\n";
	static const char clash[] = "head\n"
				    "{\"text\":\"m2\",\"at\":0,\"s\":\"zz\"}\n";
	static const char orphan[] = "head\n"
				     "{\"msg\":{\"id\":\"m9\",\"parent\":\"m7\",\"role\":\"user\","
				     "\"content\":\"x\"}}\n";
	static const char badcur[] = "head\n{\"conv\":{\"current\":\"m9\"}}\n";
	const char *const bad[] = {gap, clash, orphan, badcur};
	for (size_t i = 0; i < 4; i++) {
		base_conv(&c);
		assert_int_equal(journal_apply(&c, bad[i], strlen(bad[i])), 0);
		assert_int_equal(c.n, 2);
		assert_string_equal(c.msgs[1].content, "a");
		assert_string_equal(c.current, "m2");
		hist_conv_free(&c);
	}
	buf_free(&j);
}

/* Two answers streaming at once: their text records interleave, each ends with its
 * message's record without the text (keep_text), which keeps what was streamed. */
static void test_interleaved_and_ends(void **state)
{
	(void)state;
	struct buf j = BUF_INIT;
	struct hist_conv live, c;
	struct journal_base b = {"jj1", 7, 1234, 99, 5};
	assert_int_equal(journal_head(&b, &j), 0);
	size_t head = j.len;
	base_conv(&live);
	for (int k = 0; k < 2; k++) {
		/* two siblings under the prompt, as several models answer it */
		assert_non_null(hist_add(&live, "m1", "assistant", "", 102.0));
		live.msgs[2 + k].status = HIST_INTERRUPTED;
		assert_int_equal(journal_msg(&live.msgs[2 + k], 0, &j), 0);
	}
	const char *words[2][3] = {{"one ", "two ", "three"}, {"uno ", "dos ", "tres"}};
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < 2; k++) {
			struct hist_msg *m = &live.msgs[2 + k];
			size_t at = strlen(m->content);
			struct buf t = BUF_INIT;
			assert_int_equal(buf_printf(&t, "%s%s", m->content, words[k][i]), 0);
			assert_int_equal(hist_set_str(&m->content, t.data), 0);
			buf_free(&t);
			assert_int_equal(journal_text(m, 0, at, SIZE_MAX, &j), 0);
		}
	live.msgs[3].status = HIST_ERROR;
	assert_int_equal(hist_set_str(&live.msgs[3].error, "broke"), 0);
	live.msgs[3].usage.output = 9;
	assert_int_equal(journal_msg(&live.msgs[3], 1, &j), 0);
	assert_null(strstr(j.data + j.len - 200, "dos")); /* the end holds no text */
	live.msgs[2].status = HIST_COMPLETE;
	assert_int_equal(journal_msg(&live.msgs[2], 1, &j), 0);
	base_conv(&c);
	size_t end;
	assert_int_equal(journal_apply_end(&c, j.data, j.len, &end), 10);
	assert_int_equal(end, j.len);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.msgs[2].content, "one two three");
	assert_string_equal(c.msgs[3].content, "uno dos tres");
	assert_int_equal(c.msgs[2].status, HIST_COMPLETE);
	assert_int_equal(c.msgs[3].status, HIST_ERROR);
	assert_string_equal(c.msgs[3].error, "broke");
	assert_int_equal(c.msgs[3].usage.output, 9);
	hist_conv_free(&c);
	/* cut inside the last line: the records before it apply, end says where they stop */
	base_conv(&c);
	assert_int_equal(journal_apply_end(&c, j.data, j.len - 3, &end), 9);
	assert_true(end < j.len - 3 && j.data[end - 1] == '\n');
	assert_int_equal(c.msgs[2].status, HIST_INTERRUPTED);
	hist_conv_free(&c);
	/* only the head: nothing applies, end is after it; nothing at all: 0 */
	base_conv(&c);
	assert_int_equal(journal_apply_end(&c, j.data, head, &end), 0);
	assert_int_equal(end, head);
	assert_int_equal(journal_apply_end(&c, j.data, head - 1, &end), 0);
	assert_int_equal(end, 0);
	/* an end for a message that is not there adds nothing */
	static const char lost[] = "head\n{\"msg\":{\"id\":\"m7\",\"parent\":\"m1\","
				   "\"role\":\"assistant\",\"content\":\"\"},\"keep_text\":true}\n";
	assert_int_equal(journal_apply(&c, lost, strlen(lost)), 0);
	assert_int_equal(c.n, 2);
	hist_conv_free(&c);
	hist_conv_free(&live);
	buf_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_cut_and_bad_lines),
		cmocka_unit_test(test_interleaved_and_ends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
