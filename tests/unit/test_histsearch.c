/* test_histsearch: `cherry history search` on several threads (histsearch_run) finds
 * what the client's steps (histsearch_step) find, in the same order and with the same
 * lines, whatever the number of threads: in titles and in messages, in a journal only,
 * with a needle that rules out no raw file (a quote), when the caller stops it after a
 * few hits, and when it takes over a search the steps began. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/chat.h"
#include "cherry/histsearch.h"

#include "histtest.h"

static struct histtest *const T = &histtest_T;

#define NCONV 400 /* several of histsearch_run's chunks of 64 files */

/* Conversation i of NCONV: the needle "Kiwi" in a message of every third, in the title
 * of every seventh, a quoted `say "kiwi"` in every eleventh; updated at i, so that the
 * listing's order is theirs. */
static void make_conv(size_t i)
{
	struct err e = {0, ""};
	struct hist_conv c;
	char id[HIST_ID_MAX + 1], text[200], title[80];
	assert_int_equal(histstore_new_id(&T->st, id, &e), 0);
	assert_int_equal(hist_conv_init(&c, id, 1000.0 + (double)i), 0);
	snprintf(title, sizeof title, i % 7 == 0 ? "about KIWI %zu" : "about %zu", i);
	assert_int_equal(hist_set_str(&c.title, title), 0);
	for (size_t k = 0; k < 6; k++) {
		snprintf(text, sizeof text, "%s message %zu of %zu: %s", k % 2 ? "an answer" : "a question",
			 k, i,
			 k == 3 && i % 3 == 0 ? "the kiwi\tbird, and more words after it than a hit's line keeps"
			 : k == 4 && i % 11 == 0 ? "they say \"kiwi\" here" : "nothing much");
		struct hist_msg *m = hist_add(&c, c.current, k % 2 ? "assistant" : "user", text,
					      1000.0 + (double)i);
		assert_non_null(m);
		m->status = HIST_COMPLETE;
	}
	/* every 50th gains an answer in its journal only, holding the needle (and is
	 * longer than CHAT_FOLD_SMALL, so that closing it keeps the journal) */
	int journal = i % 50 == 25;
	if (journal) {
		char *big = malloc(CHAT_FOLD_SMALL + 1);
		assert_non_null(big);
		memset(big, 'x', CHAT_FOLD_SMALL);
		big[CHAT_FOLD_SMALL] = '\0';
		struct hist_msg *m = hist_add(&c, c.current, "user", big, 1000.0 + (double)i);
		assert_non_null(m);
		m->status = HIST_COMPLETE;
		free(big);
	}
	c.updated = 1000.0 + (double)i;
	assert_int_equal(histstore_save(&T->st, &c, &e), 0);
	if (journal) {
		struct chat ch;
		size_t a;
		double t = 1000.0 + (double)i + 0.5;
		assert_int_equal(chat_open(&ch, &T->st, id, &e), 0);
		assert_int_equal(chat_send(&ch, "and one more?", "fo", "echo", t, &a, &e), 0);
		chat_delta(&ch, a, "a journal's KIWI", 16, 0, t);
		assert_int_equal(chat_finish(&ch, a, HIST_COMPLETE, NULL, NULL, 0.1, t, &e), 0);
		assert_int_equal(chat_save(&ch, t, &e), 0);
		chat_close(&ch);
		assert_true(histtest_size(T, id, ".jsonl") > 0);
	}
	hist_conv_free(&c);
}

static int setup(void **state)
{
	if (histtest_setup(state) != 0)
		return -1;
	for (size_t i = 0; i < NCONV; i++)
		make_conv(i);
	return 0;
}

/* The hits, one line each, in the order given; stops after `limit` (0: none). */
struct hits {
	struct buf out;
	int n, limit;
};

static int on_hit(void *ctx, const struct histsearch_hit *h)
{
	struct hits *x = ctx;
	char head[200];
	snprintf(head, sizeof head, "%s|%.0f|%s|%zu|", h->id, h->updated, h->msg, h->msg_index);
	assert_int_equal(buf_append_str(&x->out, head), 0);
	assert_int_equal(buf_append_str(&x->out, h->title), 0);
	assert_int_equal(buf_append_str(&x->out, "|"), 0);
	assert_int_equal(buf_append_str(&x->out, h->line), 0);
	assert_int_equal(buf_append_str(&x->out, "\n"), 0);
	x->n++;
	return x->limit && x->n >= x->limit;
}

/* The search for text: by steps of `step` files for the first `first` files (SIZE_MAX:
 * all), then the rest on `threads` threads (0: none). The hits into x. */
static void search(const char *text, size_t step, size_t first, int threads, int limit,
		   struct hits *x)
{
	struct err e = {0, ""};
	memset(x, 0, sizeof *x);
	x->limit = limit;
	struct histsearch *h = histsearch_start(&T->st, text, &e);
	assert_non_null(h);
	size_t done = 0, total = 0;
	int more = 1;
	while (more && done < first)
		more = histsearch_step(h, step, on_hit, x, &done, &total);
	if (more && threads)
		assert_int_equal(histsearch_run(h, threads, on_hit, x), 0);
	histsearch_free(h);
	if (!x->out.data)
		assert_int_equal(buf_append_str(&x->out, ""), 0);
}

static void same_hits(const char *text, int expect)
{
	struct hits steps;
	search(text, 100, SIZE_MAX, 0, 0, &steps);
	assert_int_equal(steps.n, expect);
	static const int threads[] = {1, 2, 3, 4, 8, 16, 100};
	for (size_t k = 0; k < sizeof threads / sizeof *threads; k++) {
		struct hits run;
		search(text, 100, 0, threads[k], 0, &run);
		assert_int_equal(run.n, steps.n);
		assert_string_equal(run.out.data, steps.out.data);
		buf_free(&run.out);
	}
	buf_free(&steps.out);
}

/* Titles (every 7th), messages (every 3rd, and the quoted one of every 11th) and
 * journals (8 of them, at 25, 75, ...; 75, 225 and 375 hold it in their file too): one
 * hit each, newest first. */
static void test_same_as_steps(void **unused)
{
	(void)unused;
	int expect = 0;
	for (size_t i = 0; i < NCONV; i++)
		expect += i % 7 == 0 || i % 3 == 0 || i % 11 == 0 || i % 50 == 25;
	same_hits("kiwi", expect);
	/* the first hit is the newest conversation holding it */
	struct hits x;
	search("kiwi", 100, 0, 4, 1, &x);
	assert_int_equal(x.n, 1);
	assert_non_null(strstr(x.out.data, "|1399|"));
	buf_free(&x.out);
}

/* A quote in the needle: the raw files rule nothing out, every one is parsed. */
static void test_quoted_needle(void **unused)
{
	(void)unused;
	same_hits("SAY \"KIWI\"", (NCONV + 10) / 11);
	same_hits("no such words", 0);
}

/* The caller's stop: the same first hits, and no more. */
static void test_stop(void **unused)
{
	(void)unused;
	for (int limit = 1; limit <= 30; limit += 7) {
		struct hits steps, run;
		search("kiwi", 100, SIZE_MAX, 0, limit, &steps);
		search("kiwi", 100, 0, 4, limit, &run);
		assert_int_equal(steps.n, limit);
		assert_int_equal(run.n, limit);
		assert_string_equal(run.out.data, steps.out.data);
		buf_free(&steps.out);
		buf_free(&run.out);
	}
}

/* The threads take over a search the steps began (at a place that is no chunk's edge). */
static void test_after_steps(void **unused)
{
	(void)unused;
	struct hits all, mixed;
	search("kiwi", 100, SIZE_MAX, 0, 0, &all);
	search("kiwi", 37, 111, 3, 0, &mixed);
	assert_int_equal(mixed.n, all.n);
	assert_string_equal(mixed.out.data, all.out.data);
	buf_free(&all.out);
	buf_free(&mixed.out);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, histtest_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_same_as_steps),
		TEST(test_quoted_needle),
		TEST(test_stop),
		TEST(test_after_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
