/* test_ask_multi: `cherry ask -m A -m B ...` against the fake provider: sections in the
 * order given under headers, --json events, the worst exit status, the answers saved as
 * siblings of one user message, and the answers streaming at once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness.h"

#define KEY "sk-test-multi-5e1d7c9a3b"

/* Two fake providers (fo on the first, fq, also OpenAI, on the second). HOME8 asks
 * eight models across the five kinds with one retry allowed (a 429 is waited out). */
static struct fakeprov FP, FP2;
static struct testhome HOME, HOME8;

static const char *const key_env[] = {
	"FAKE_OPENAI_KEY=" KEY,
	"FAKE_ANTHROPIC_KEY=" KEY,
	"FAKE_GEMINI_KEY=" KEY,
	NULL,
};

/* The five kinds on port, fq (OpenAI) on port2, with network settings net. */
static int write_config(struct testhome *h, int port, int port2, const char *net)
{
	char cfg[2048];
	snprintf(cfg, sizeof cfg,
		 "{\"providers\": {\n"
		 " \"fo\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:%d/v1\","
		 " \"key_env\": \"FAKE_OPENAI_KEY\"},\n"
		 " \"fq\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:%d/v1\","
		 " \"key_env\": \"FAKE_OPENAI_KEY\"},\n"
		 " \"fr\": {\"kind\": \"openai-responses\","
		 " \"base_url\": \"http://127.0.0.1:%d/v1\", \"key_env\": \"FAKE_OPENAI_KEY\"},\n"
		 " \"fa\": {\"kind\": \"anthropic\", \"base_url\": \"http://127.0.0.1:%d\","
		 " \"key_env\": \"FAKE_ANTHROPIC_KEY\"},\n"
		 " \"fg\": {\"kind\": \"gemini\", \"base_url\": \"http://127.0.0.1:%d\","
		 " \"key_env\": \"FAKE_GEMINI_KEY\"},\n"
		 " \"fl\": {\"kind\": \"ollama\", \"base_url\": \"http://127.0.0.1:%d\"}},\n"
		 " \"network\": {%s, \"connect_timeout\": 5}}\n",
		 port, port2, port, port, port, port, net);
	return testhome_write_config(h, cfg);
}

static int group_setup(void **state)
{
	(void)state;
	if (fakeprov_start(&FP) < 0 || fakeprov_start(&FP2) < 0 || testhome_make(&HOME) < 0 ||
	    testhome_make(&HOME8) < 0)
		return -1;
	/* HOME's fq is on the second fakeprov; HOME8's providers all are, and it waits
	 * out a 429 once */
	if (write_config(&HOME, FP.port, FP2.port, "\"max_retries\": 0, \"stall_timeout\": 5") < 0)
		return -1;
	return write_config(&HOME8, FP2.port, FP2.port, "\"max_retries\": 1, \"stall_timeout\": 10");
}

static int group_teardown(void **state)
{
	(void)state;
	fakeprov_stop(&FP);
	fakeprov_stop(&FP2);
	testhome_remove(&HOME);
	testhome_remove(&HOME8);
	return 0;
}

static void cherry(struct run *r, const char *const *args)
{
	assert_int_equal(run_cherry(r, &HOME, args, key_env, NULL, 30000), 0);
}

/* The newest conversation's file in h, as `history show ID --json` prints it. */
static json_t *newest_conversation_in(struct testhome *h)
{
	struct run r;
	const char *const ls[] = {"history", "list", "--json", NULL};
	assert_int_equal(run_cherry(&r, h, ls, key_env, NULL, 30000), 0);
	assert_int_equal(r.status, 0);
	json_t *list = json_loads(r.out, 0, NULL);
	run_free(&r);
	assert_non_null(list);
	const char *id = json_string_value(json_object_get(json_array_get(list, 0), "id"));
	assert_non_null(id);
	const char *const show[] = {"history", "show", id, "--json", NULL};
	assert_int_equal(run_cherry(&r, h, show, key_env, NULL, 30000), 0);
	json_decref(list);
	assert_int_equal(r.status, 0);
	json_t *conv = json_loads(r.out, 0, NULL);
	run_free(&r);
	assert_non_null(conv);
	return conv;
}

static void test_piped_sections_in_order(void **state)
{
	(void)state;
	struct run r;
	/* the first is the slowest: piped, it still comes first */
	cherry(&r, (const char *const[]){"ask", "-m", "fo/hello+slow:60", "-m", "fa/hello", "-m",
					 "fg/hello", "-m", "fl/hello", "hi", NULL});
	if (r.status)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "## fo/hello+slow:60\n\nHello from fake openai!\n"
				   "\n## fa/hello\n\nHello from fake anthropic!\n"
				   "\n## fg/hello\n\nHello from fake gemini!\n"
				   "\n## fl/hello\n\nHello from fake ollama!\n");
	assert_int_equal(r.err_len, 0);
	run_free(&r);
}

static void test_json_events(void **state)
{
	(void)state;
	struct run r;
	cherry(&r, (const char *const[]){"ask", "--json", "-m", "fo/reasoning", "-m", "fa/hello",
					 "hi", NULL});
	assert_int_equal(r.status, 0);
	/* every line one event; per model: the deltas in order, then one done */
	struct buf_text {
		char text[256];
		char reasoning[256];
		int done;
	} got[2];
	memset(got, 0, sizeof got);
	size_t lines = 0;
	for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n"), lines++) {
		json_t *ev = json_loads(line, 0, NULL);
		assert_non_null(ev);
		const char *model = json_string_value(json_object_get(ev, "model"));
		const char *type = json_string_value(json_object_get(ev, "type"));
		assert_non_null(model);
		assert_non_null(type);
		int i = !strcmp(model, "fa/hello");
		assert_true(i || !strcmp(model, "fo/reasoning"));
		assert_int_equal(json_integer_value(json_object_get(ev, "index")), i);
		assert_int_equal(got[i].done, 0); /* nothing after done */
		if (!strcmp(type, "text"))
			strcat(got[i].text, json_string_value(json_object_get(ev, "text")));
		else if (!strcmp(type, "reasoning"))
			strcat(got[i].reasoning, json_string_value(json_object_get(ev, "text")));
		else if (!strcmp(type, "done")) {
			got[i].done = 1;
			assert_string_equal(json_string_value(json_object_get(ev, "status")),
					    "complete");
			assert_true(json_integer_value(json_object_get(
					    json_object_get(ev, "usage"), "output")) > 0);
		} else
			fail_msg("unexpected event %s", line);
		json_decref(ev);
	}
	assert_true(lines >= 10);
	assert_true(got[0].done && got[1].done);
	assert_string_equal(got[0].text, "Hello from fake openai!");
	assert_true(strlen(got[0].reasoning) > 0);
	assert_string_equal(got[1].text, "Hello from fake anthropic!");
	assert_string_equal(got[1].reasoning, "");
	run_free(&r);
}

static void test_one_fails(void **state)
{
	(void)state;
	struct run r;
	cherry(&r, (const char *const[]){"ask", "-m", "fo/e500", "-m", "fa/hello", "hi", NULL});
	assert_int_equal(r.status, 3); /* a provider error: the worst of 3 and 0 */
	assert_string_equal(r.out, "## fo/e500\n\n\n## fa/hello\n\nHello from fake anthropic!\n");
	assert_non_null(strstr(r.err, "cherry: fo/e500: "));
	run_free(&r);

	/* the error as an event too */
	cherry(&r, (const char *const[]){"ask", "--json", "-m", "fa/hello", "-m", "fo/e500", "hi",
					 NULL});
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.out, "{\"model\":\"fo/e500\",\"index\":1,\"type\":\"error\","
				      "\"status\":\"error\",\"exit\":3,"));
	assert_non_null(strstr(r.out, "\"model\":\"fa/hello\",\"index\":0,\"type\":\"done\""));
	run_free(&r);

	/* a missing key: refused before anything is sent */
	size_t before = fakeprov_count(&FP);
	assert_int_equal(run_cherry(&r, &HOME,
				    (const char *const[]){"ask", "-m", "fo/hello", "-m", "fa/hello",
							  "hi", NULL},
				    (const char *const[]){"FAKE_OPENAI_KEY=" KEY, NULL}, NULL, 30000),
			 0);
	assert_int_equal(r.status, 4);
	assert_int_equal(fakeprov_count(&FP), before);
	run_free(&r);
}

static void test_history_siblings(void **state)
{
	(void)state;
	struct run r;
	cherry(&r, (const char *const[]){"ask", "-m", "fo/echo", "-m", "fa/hello", "-m", "fo/e500",
					 "question one", NULL});
	assert_int_equal(r.status, 3);
	run_free(&r);
	json_t *conv = newest_conversation_in(&HOME);
	json_t *msgs = json_object_get(conv, "messages");
	assert_int_equal(json_array_size(msgs), 4);
	json_t *user = json_array_get(msgs, 0);
	assert_string_equal(json_string_value(json_object_get(user, "role")), "user");
	assert_string_equal(json_string_value(json_object_get(user, "content")), "question one");
	const char *uid = json_string_value(json_object_get(user, "id"));
	static const char *const want[3][4] = {
		{"fo", "echo", "complete", "question one"},
		{"fa", "hello", "complete", "Hello from fake anthropic!"},
		{"fo", "e500", "error", ""},
	};
	for (size_t i = 0; i < 3; i++) {
		json_t *m = json_array_get(msgs, i + 1);
		assert_string_equal(json_string_value(json_object_get(m, "role")), "assistant");
		assert_string_equal(json_string_value(json_object_get(m, "parent")), uid);
		assert_string_equal(json_string_value(json_object_get(m, "provider")), want[i][0]);
		assert_string_equal(json_string_value(json_object_get(m, "model")), want[i][1]);
		assert_string_equal(json_string_value(json_object_get(m, "status")), want[i][2]);
		assert_string_equal(json_string_value(json_object_get(m, "content")), want[i][3]);
	}
	assert_non_null(json_string_value(json_object_get(json_array_get(msgs, 3), "error")));
	/* the first model's answer is the branch the conversation goes on from */
	assert_string_equal(json_string_value(json_object_get(conv, "current")),
			    json_string_value(json_object_get(json_array_get(msgs, 1), "id")));
	assert_string_equal(json_string_value(json_object_get(conv, "model")), "fo/echo");
	/* history show counts the other answers, --all shows them; the export has them */
	const char *id = json_string_value(json_object_get(conv, "id"));
	cherry(&r, (const char *const[]){"history", "show", id, NULL});
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "question one\n(2 other answers: cherry history show --all"));
	assert_null(strstr(r.out, "Hello from fake anthropic!"));
	run_free(&r);
	cherry(&r, (const char *const[]){"history", "show", "--all", id, NULL});
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\n--- other answer 2/3: assistant (fa/hello)\n"
				      "Hello from fake anthropic!\n"));
	assert_non_null(strstr(r.out, "\n--- other answer 3/3: assistant (fo/e500) [error"));
	run_free(&r);
	cherry(&r, (const char *const[]){"history", "export", id, NULL});
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "## Assistant (fo/echo)\n\nquestion one\n\n"
				      "### Other answer (fa/hello)\n\nHello from fake anthropic!\n\n"
				      "### Other answer (fo/e500) [error]\n"));
	run_free(&r);
	json_decref(conv);
}

static void test_answers_stream_at_once(void **state)
{
	(void)state;
	struct run one, two;
	/* 40 deltas, 50 ms apart: about 2 s each; one after the other would be 4 s */
	cherry(&one, (const char *const[]){"ask", "-m", "fo/long:40+slow:50", "hi", NULL});
	assert_int_equal(one.status, 0);
	assert_true(one.seconds >= 1.9);
	cherry(&two, (const char *const[]){"ask", "-m", "fo/long:40+slow:50", "-m",
					   "fq/long:40+slow:50", "hi", NULL});
	assert_int_equal(two.status, 0);
	assert_non_null(strstr(two.out, "\n## fq/long:40+slow:50\n\n"));
	/* the second section holds the same answer as the first */
	size_t half = (size_t)(strstr(two.out, "\n## fq/") - two.out);
	assert_int_equal(two.out_len - half - strlen("\n## fq/long:40+slow:50\n\n"),
			 half - strlen("## fo/long:40+slow:50\n\n"));
	assert_true(two.seconds < one.seconds * 1.5);
	run_free(&one);
	run_free(&two);
}

static void test_terminal_finished_first(void **state)
{
	(void)state;
	const char *bin = getenv("CHERRY_BIN");
	/* fo answers late and slowly, fq at once: on a terminal fq's section comes first,
	 * whole (fo's first word comes after fq has ended, so the order is not a race) */
	const char *argv[] = {bin && *bin ? bin : "build/cherry", "ask", "-m",
			      "fo/hello+late:600+slow:400", "-m", "fq/hello", "hi", NULL};
	struct run r;
	assert_int_equal(harness_run_pty(&r, &HOME, argv, key_env, 30000), 0);
	assert_int_equal(r.status, 0);
	const char *fq = strstr(r.out, "## fq/hello\r\n\r\nHello from fake openai!\r\n");
	const char *fo = strstr(r.out, "\r\n## fo/hello+late:600+slow:400\r\n\r\nHello from fake "
				       "openai!");
	assert_non_null(fq);
	assert_non_null(fo);
	assert_true(fq < fo);
	run_free(&r);

	/* piped, the order given holds */
	cherry(&r, (const char *const[]){"ask", "-m", "fo/hello+slow:400", "-m", "fq/hello", "hi",
					 NULL});
	assert_int_equal(r.status, 0);
	assert_true(strstr(r.out, "## fo/") == r.out);
	run_free(&r);
}

static void test_single_model_json(void **state)
{
	(void)state;
	struct run r;
	cherry(&r, (const char *const[]){"ask", "--json", "-m", "fl/hello", "hi", NULL});
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "{\"model\":\"fl/hello\",\"index\":0,\"type\":\"text\","
				      "\"text\":\"Hello\"}\n"));
	assert_non_null(strstr(r.out, "\"type\":\"done\""));
	run_free(&r);
}

/* Eight models at once across the five kinds (openai, openai-responses, anthropic,
 * gemini, ollama): one fails mid-stream, one is answered 429 first and waits its second
 * out. Every answer is whole and saved, the failing one marked, the others unaffected. */
#define EIGHT_SLOW "+slow:150"
static const char *const eight_want[8][2] = {
	{"fo/hello", "Hello from fake openai!"},
	{"fr/reasoning", "Hello from fake openai-responses!"},
	{"fa/markdown", "# Rendered\n"},
	{"fg/cjk", "\xe4\xbd\xa0\xe5\xa5\xbd"},
	{"fl/hello", "Hello from fake ollama!"},
	{"fa/hello+midfail", "Hello from"},
	{"fg/hello+flaky429", "Hello from fake gemini!"},
	{"fo/echo", "eight at once"},
};

/* cherry ask with the eight (tag makes the 429 one's name new: fakeprov counts it). */
static void ask_eight(struct run *r, int json, const char *tag)
{
	static char specs[8][64];
	const char *argv[24];
	size_t n = 0;
	argv[n++] = "ask";
	if (json)
		argv[n++] = "--json";
	for (size_t i = 0; i < 8; i++) {
		snprintf(specs[i], sizeof specs[i], "%s%s%s", eight_want[i][0], EIGHT_SLOW,
			 i == 6 ? tag : "");
		argv[n++] = "-m";
		argv[n++] = specs[i];
	}
	argv[n++] = "eight at once";
	argv[n] = NULL;
	assert_int_equal(run_cherry(r, &HOME8, argv, key_env, NULL, 30000), 0);
	assert_int_equal(r->status, 3); /* the mid-stream failure */
	/* at once: one after the other takes over 5 s (150 ms between deltas, a 1 s wait) */
	assert_true(r->seconds < 4.0);
}

static void test_eight_models_piped(void **state)
{
	(void)state;
	struct run r;
	ask_eight(&r, 0, "");
	/* every section in the order given, each with its own whole answer */
	const char *at = r.out;
	for (size_t i = 0; i < 8; i++) {
		char head[96];
		snprintf(head, sizeof head, "## %s" EIGHT_SLOW "\n\n%s", eight_want[i][0],
			 eight_want[i][1]);
		const char *h = strstr(at, head);
		if (!h)
			fail_msg("no section %zu (%s) in order in:\n%s", i, head, r.out);
		at = h + 1;
	}
	assert_null(strstr(r.out, "Hello from fake anthropic!"));
	/* one line for the failed answer, naming its model once, saying what to do */
	assert_string_equal(r.err, "cherry: fa/hello+midfail" EIGHT_SLOW ": overloaded_error: "
				   "Overloaded; the answer is incomplete; ask this model again "
				   "later\n");
	run_free(&r);

	/* saved as eight siblings of one user message, the failing one marked */
	json_t *conv = newest_conversation_in(&HOME8);
	json_t *msgs = json_object_get(conv, "messages");
	assert_int_equal(json_array_size(msgs), 9);
	const char *uid = json_string_value(json_object_get(json_array_get(msgs, 0), "id"));
	for (size_t i = 0; i < 8; i++) {
		json_t *m = json_array_get(msgs, i + 1);
		char model[64];
		snprintf(model, sizeof model, "%s" EIGHT_SLOW, strchr(eight_want[i][0], '/') + 1);
		assert_string_equal(json_string_value(json_object_get(m, "parent")), uid);
		assert_string_equal(json_string_value(json_object_get(m, "model")), model);
		assert_string_equal(json_string_value(json_object_get(m, "status")),
				    i == 5 ? "error" : "complete");
		assert_non_null(strstr(json_string_value(json_object_get(m, "content")),
				       eight_want[i][1]));
		assert_int_equal(json_string_value(json_object_get(m, "error")) != NULL, i == 5);
	}
	json_decref(conv);
}

static void test_eight_models_json(void **state)
{
	(void)state;
	struct run r;
	ask_eight(&r, 1, "+late:0");
	struct {
		char text[1024];
		int done, error;
		size_t first_line, end_line;
	} got[8];
	memset(got, 0, sizeof got);
	size_t line_no = 0;
	for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
		json_t *ev = json_loads(line, 0, NULL);
		assert_non_null(ev);
		json_int_t i = json_integer_value(json_object_get(ev, "index"));
		assert_true(i >= 0 && i < 8);
		const char *type = json_string_value(json_object_get(ev, "type"));
		assert_false(got[i].done || got[i].error); /* nothing after the end */
		line_no++;
		if (!got[i].first_line)
			got[i].first_line = line_no;
		if (!strcmp(type, "text"))
			strncat(got[i].text, json_string_value(json_object_get(ev, "text")),
				sizeof got[i].text - strlen(got[i].text) - 1);
		else if (!strcmp(type, "done"))
			got[i].done = 1;
		else if (!strcmp(type, "error")) {
			got[i].error = 1;
			/* the event names the model: the message does not again */
			assert_string_equal(json_string_value(json_object_get(ev, "message")),
					    "overloaded_error: Overloaded; the answer is incomplete; "
					    "ask this model again later");
		} else
			assert_string_equal(type, "reasoning");
		if (got[i].done || got[i].error)
			got[i].end_line = line_no;
		json_decref(ev);
	}
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(got[i].error, i == 5);
		assert_int_equal(got[i].done, i != 5);
		assert_non_null(strstr(got[i].text, eight_want[i][1]));
	}
	/* the 429 stalled nobody: while it waited its second, every other answer streamed,
	 * and the short ones (four deltas) ended */
	for (size_t i = 0; i < 8; i++)
		if (i != 6)
			assert_true(got[i].first_line < got[6].first_line);
	assert_true(got[0].end_line < got[6].first_line);
	assert_true(got[4].end_line < got[6].first_line);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_piped_sections_in_order),
		cmocka_unit_test(test_json_events),
		cmocka_unit_test(test_one_fails),
		cmocka_unit_test(test_history_siblings),
		cmocka_unit_test(test_answers_stream_at_once),
		cmocka_unit_test(test_terminal_finished_first),
		cmocka_unit_test(test_single_model_json),
		cmocka_unit_test(test_eight_models_piped),
		cmocka_unit_test(test_eight_models_json),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
