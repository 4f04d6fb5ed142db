/* test_engine: the request engine's slice (http_set_slice), which the full-screen client
 * uses so a burst of stream bytes never holds keys back: each http_perform delivers at
 * most about a slice, the rest waits inside libcurl with http_timeout_ms at 0, and the
 * answer that arrives is byte for byte the one an unsliced engine gets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/buf.h"
#include "cherry/http.h"
#include "cherry/wire.h"
#include "harness.h"

static struct fakeprov FP;

struct collected {
	struct buf text;
	size_t this_turn;   /* text bytes delivered by the current http_perform */
	size_t most;        /* the most in one http_perform */
	int done;
};

static void on_text(void *ctx, const char *s, size_t len)
{
	struct collected *c = ctx;
	buf_append(&c->text, s, len);
	c->this_turn += len;
}

static void on_done(void *ctx, struct http_transfer *t)
{
	(void)t;
	((struct collected *)ctx)->done = 1;
}

/* Streams model from the fake provider with the given slice; returns how many turns
 * found bytes waiting (http_timeout_ms 0 while a transfer was paused). */
static int stream(const char *model, size_t slice, struct collected *c)
{
	char base[128];
	snprintf(base, sizeof base, "http://127.0.0.1:%d/v1", FP.port);
	struct provider p = {.name = "fo", .kind = WIRE_OPENAI, .base_url = base};
	struct wire_msg msg = {"user", "hi"};
	struct wire_request rq = {.provider = &p, .model = model, .msgs = &msg, .nmsgs = 1};
	struct wire_http req;
	struct err e;
	err_clear(&e);
	assert_int_equal(wire_build_request(&rq, &req, &e), 0);
	struct http_opts o = {.connect_timeout = 5, .stall_timeout = 20, .max_retries = 0};
	struct http_engine *eng = http_engine_new(&o, &e);
	assert_non_null(eng);
	http_set_slice(eng, slice);
	struct wire_sink sink = {on_text, NULL, c};
	struct http_transfer *t = http_start_stream(eng, &p, &req, NULL, &sink, on_done, c, &e);
	assert_non_null(t);
	int waiting_turns = 0;
	for (int turns = 0; !c->done && turns < 100000; turns++) {
		long ms = http_timeout_ms(eng);
		if (ms == 0 && c->text.len)
			waiting_turns++;
		http_wait(eng, NULL, 0, ms < 0 || ms > 200 ? 200 : (int)ms);
		c->this_turn = 0;
		http_perform(eng);
		if (c->this_turn > c->most)
			c->most = c->this_turn;
	}
	assert_true(c->done);
	assert_int_equal(http_outcome(t), HTTP_OK);
	http_transfer_free(t);
	http_engine_free(eng);
	wire_http_free(&req);
	return waiting_turns;
}

static void test_slice_bounds_each_turn_and_keeps_every_byte(void **state)
{
	(void)state;
	struct collected whole = {BUF_INIT, 0, 0, 0}, sliced = {BUF_INIT, 0, 0, 0};
	stream("long:20000", 0, &whole);
	int waited = stream("long:20000", 4096, &sliced);
	assert_true(whole.text.len > 200000);
	assert_int_equal(sliced.text.len, whole.text.len);
	assert_memory_equal(sliced.text.data, whole.text.data, whole.text.len);
	/* one turn may finish the chunk libcurl handed over when the slice ran out: at most
	 * CURL_MAX_WRITE_SIZE (16 KiB) of raw bytes beyond it, less as decoded text */
	printf("# most text in one turn: sliced %zu bytes, unsliced %zu bytes; %d turns "
	       "found bytes waiting\n", sliced.most, whole.most, waited);
	assert_true(sliced.most <= 4096 + CURL_MAX_WRITE_SIZE);
	assert_true(waited > 0);
	buf_free(&whole.text);
	buf_free(&sliced.text);
}

static int setup(void **state)
{
	(void)state;
	return fakeprov_start(&FP);
}

static int teardown(void **state)
{
	(void)state;
	fakeprov_stop(&FP);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slice_bounds_each_turn_and_keeps_every_byte),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
