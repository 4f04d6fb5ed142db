/* test_retry: the engine's retry, back-off and stall decisions on a fake clock and a fake
 * random source: which failures are retried, the wait before each attempt, the server's
 * hint (Retry-After seconds and HTTP-dates, retry-after-ms) and its cap, and the stall
 * verdict as the clock moves (silence, and a drip that never completes a line). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cherry/retry.h"

#define assert_seconds(got, want)                                                          \
	do {                                                                               \
		double g_ = (got), w_ = (want);                                            \
		if (fabs(g_ - w_) > 1e-9)                                                  \
			fail_msg("%s: %.9g, want %.9g", #got, g_, w_);                     \
	} while (0)

/* The clock and the random numbers the engine would read, under the test's control. */
struct fake {
	double now;
	const double *rnd; /* the next random numbers, in order */
	size_t nrnd, used;
};

static double fake_random(struct fake *f)
{
	assert_true(f->used < f->nrnd);
	return f->rnd[f->used++];
}

static void test_retryable_statuses(void **state)
{
	(void)state;
	static const long yes[] = {408, 409, 429, 500, 502, 503, 504, 529, 599};
	static const long no[] = {200, 204, 301, 400, 401, 402, 403, 404, 413, 422, 499};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!retry_status_retryable(yes[i]))
			fail_msg("%ld is not retried", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (retry_status_retryable(no[i]))
			fail_msg("%ld is retried", no[i]);
}

static void test_retryable_transport(void **state)
{
	(void)state;
	assert_true(retry_transport_retryable(RETRY_NET_NO_RESPONSE));
	/* the provider saw the request, or a retry would repeat the same failure */
	assert_false(retry_transport_retryable(RETRY_NET_MID_STREAM));
	assert_false(retry_transport_retryable(RETRY_NET_STALLED));
	assert_false(retry_transport_retryable(RETRY_NET_TOO_LARGE));
}

static void test_backoff_doubles_to_a_cap(void **state)
{
	(void)state;
	static const double want[] = {0.5, 1, 2, 4, 8, 8, 8};
	for (int a = 1; a <= 7; a++)
		assert_seconds(retry_backoff(a, 0), want[a - 1]);
	assert_seconds(retry_backoff(1000000, 0), RETRY_BACKOFF_MAX); /* no overflow */
	assert_seconds(retry_backoff(0, 0), RETRY_BACKOFF_FIRST);
	/* jitter takes off up to a quarter, never adds */
	assert_seconds(retry_backoff(3, 0.5), 2 * 0.875);
	double most = retry_backoff(5, 0.999999);
	assert_true(most > 8 * 0.75 && most < 8);
	/* a random source out of range (or NaN) does not make the wait longer or undefined */
	assert_seconds(retry_backoff(2, 1.0), 1);
	assert_seconds(retry_backoff(2, -3), 1);
	assert_seconds(retry_backoff(2, NAN), 1);
}

static void test_decide(void **state)
{
	(void)state;
	double d = 99;
	/* the back-off when the server gives no hint */
	assert_int_equal(retry_decide(1, 2, 1, 0, -1, 0, &d), RETRY_AGAIN);
	assert_seconds(d, 0.5);
	assert_int_equal(retry_decide(2, 2, 1, 0, -1, 0.2, &d), RETRY_AGAIN);
	assert_seconds(d, 1 * 0.95);
	/* the server's hint replaces the back-off, up to and including the cap */
	assert_int_equal(retry_decide(1, 2, 1, 0, 12.5, 0.9, &d), RETRY_AGAIN);
	assert_seconds(d, 12.5);
	assert_int_equal(retry_decide(1, 2, 1, 0, 0, 0.9, &d), RETRY_AGAIN);
	assert_seconds(d, 0);
	assert_int_equal(retry_decide(1, 2, 1, 0, RETRY_MAX_WAIT, 0, &d), RETRY_AGAIN);
	assert_seconds(d, RETRY_MAX_WAIT);
	/* every way to stop leaves no delay */
	assert_int_equal(retry_decide(1, 2, 1, 0, RETRY_MAX_WAIT + 0.001, 0, &d),
			 RETRY_HINT_TOO_LONG);
	assert_seconds(d, -1);
	assert_int_equal(retry_decide(3, 2, 1, 0, -1, 0, &d), RETRY_EXHAUSTED);
	assert_seconds(d, -1);
	assert_int_equal(retry_decide(1, 0, 1, 0, -1, 0, &d), RETRY_EXHAUSTED);
	assert_int_equal(retry_decide(1, 2, 0, 0, -1, 0, &d), RETRY_NOT_RETRYABLE);
	assert_seconds(d, -1);
	assert_int_equal(retry_decide(1, 2, 1, 1, -1, 0, &d), RETRY_DELIVERED);
	assert_seconds(d, -1);
	/* which reason is given when several hold: the one the user's line names */
	assert_int_equal(retry_decide(5, 2, 0, 1, 100, 0, &d), RETRY_NOT_RETRYABLE);
	assert_int_equal(retry_decide(5, 2, 1, 1, 100, 0, &d), RETRY_DELIVERED);
	assert_int_equal(retry_decide(5, 2, 1, 0, 100, 0, &d), RETRY_HINT_TOO_LONG);
}

/* A request that keeps failing, driven on the fake clock as the engine drives it: each
 * failure is decided, the clock moves by the delay, the next attempt starts. */
static void test_schedule_on_fake_clock(void **state)
{
	(void)state;
	static const double rnd[] = {0, 0.4, 0.8, 0.2};
	struct fake f = {1000, rnd, 4, 0};
	double started[8];
	int attempt = 0;
	for (;;) {
		started[attempt++] = f.now;
		f.now += 0.25; /* the attempt takes a while to fail */
		double d;
		enum retry_verdict v = retry_decide(attempt, 3, 1, 0, -1, fake_random(&f), &d);
		if (v != RETRY_AGAIN) {
			assert_int_equal(v, RETRY_EXHAUSTED);
			break;
		}
		f.now += d;
	}
	assert_int_equal(attempt, 4); /* the first and three retries */
	assert_int_equal(f.used, 4);
	assert_seconds(started[0], 1000);
	assert_seconds(started[1], 1000.25 + 0.5);
	assert_seconds(started[2], started[1] + 0.25 + 1 * 0.9);
	assert_seconds(started[3], started[2] + 0.25 + 2 * 0.8);

	/* a 429 whose hint is honoured, then a 503 without one */
	f = (struct fake){0, rnd, 4, 0};
	double d;
	assert_int_equal(retry_decide(1, 2, 1, 0, retry_after_parse("3", f.now), fake_random(&f),
				      &d), RETRY_AGAIN);
	f.now += d;
	assert_seconds(f.now, 3);
	assert_int_equal(retry_decide(2, 2, 1, 0, -1, fake_random(&f), &d), RETRY_AGAIN);
	assert_seconds(d, 1 * 0.9);
}

static void test_retry_after_seconds(void **state)
{
	(void)state;
	assert_seconds(retry_after_parse("120", 5), 120);
	assert_seconds(retry_after_parse(" \t7 ", 5), 7);
	assert_seconds(retry_after_parse("0", 5), 0);
	assert_seconds(retry_after_parse("007", 5), 7);
	assert_seconds(retry_after_parse("1.5", 5), 1.5);
	assert_seconds(retry_after_parse("86400", 5), 86400); /* the cap is retry_decide's */
	static const char *const bad[] = {"", " ", "-1", "abc", "inf", "nan", "0x10", "1e3",
					  "12 s", "+3", ".5", NULL};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (retry_after_parse(bad[i], 5) != -1)
			fail_msg("\"%s\" read as %g", bad[i] ? bad[i] : "(null)",
				 retry_after_parse(bad[i], 5));
}

static void test_retry_after_dates(void **state)
{
	(void)state;
	const double now = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
	/* the three forms RFC 9110 makes recipients accept, 30 s ahead */
	assert_seconds(retry_after_parse("Sun, 06 Nov 1994 08:50:07 GMT", now), 30);
	assert_seconds(retry_after_parse("Sunday, 06-Nov-94 08:50:07 GMT", now), 30);
	assert_seconds(retry_after_parse("Sun Nov  6 08:50:07 1994", now), 30);
	assert_seconds(retry_after_parse("  Sun, 06 Nov 1994 08:50:07 GMT  ", now), 30);
	/* now, and the past, mean at once */
	assert_seconds(retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", now), 0);
	assert_seconds(retry_after_parse("Sat, 01 Jan 1994 00:00:00 GMT", now), 0);
	/* calendar arithmetic: a leap day, the year's end, across months */
	assert_seconds(retry_after_parse("Thu, 29 Feb 2024 12:00:00 GMT", 1709208000 - 61), 61);
	assert_seconds(retry_after_parse("Wed, 31 Dec 2069 23:59:59 GMT", 3155759999.0 - 2), 2);
	assert_seconds(retry_after_parse("Thu, 01 Jan 1970 00:01:00 GMT", 0), 60);
	assert_seconds(retry_after_parse("Mon, 07 Nov 1994 08:49:37 GMT", now), 86400);
	assert_seconds(retry_after_parse("Wed, 30-Nov-94 08:49:37 GMT", now), 24 * 86400);
	static const char *const bad[] = {
		"Sun, 06 Nov 1994 08:50:07 GMT extra", "Sun, 06 Foo 1994 08:50:07 GMT",
		"Sun, 32 Nov 1994 08:50:07 GMT",       "Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1994 08:60:00 GMT",       "Sun, 06 Nov 1994 08:50:07",
		"Sun, 06 Nov 1994",                    "Sun 06 Nov 1994 08:50:07 GMT",
		"tomorrow",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (retry_after_parse(bad[i], now) != -1)
			fail_msg("\"%s\" read as %g", bad[i], retry_after_parse(bad[i], now));
}

static void test_retry_after_ms(void **state)
{
	(void)state;
	assert_seconds(retry_after_ms_parse("1500"), 1.5);
	assert_seconds(retry_after_ms_parse(" 250.5 "), 0.2505);
	assert_seconds(retry_after_ms_parse("0"), 0);
	assert_seconds(retry_after_ms_parse("-5"), -1);
	assert_seconds(retry_after_ms_parse("soon"), -1);
	assert_seconds(retry_after_ms_parse(""), -1);
	assert_seconds(retry_after_ms_parse(NULL), -1);
}

/* The stall verdict as the fake clock moves and bytes arrive. */
static void test_stall_on_fake_clock(void **state)
{
	(void)state;
	struct fake f = {100, NULL, 0, 0};
	const double timeout = 20;
	double last_byte = f.now, last_line = f.now;
	assert_seconds(retry_stall_at(last_byte, last_line, timeout), 120);
	f.now = 110;
	assert_int_equal(retry_stalled(f.now, last_byte, last_line, timeout), RETRY_FLOWING);
	last_byte = last_line = f.now; /* a line: both deadlines move */
	assert_seconds(retry_stall_at(last_byte, last_line, timeout), 130);
	f.now = 129.999;
	assert_int_equal(retry_stalled(f.now, last_byte, last_line, timeout), RETRY_FLOWING);
	f.now = 130;
	assert_int_equal(retry_stalled(f.now, last_byte, last_line, timeout), RETRY_STALL_SILENT);
	f.now = 1e6;
	assert_int_equal(retry_stalled(f.now, last_byte, last_line, timeout), RETRY_STALL_SILENT);
}

/* A slow drip: a byte a second that never ends a line. Each byte keeps the stream from
 * being silent, but the line it belongs to never completes, so the drip ends one
 * timeout after the last whole line; whole keep-alive lines keep a stream going. */
static void test_stall_drip_on_fake_clock(void **state)
{
	(void)state;
	struct fake f = {0, NULL, 0, 0};
	const double timeout = 5;
	double last_byte = 0, last_line = 0;
	for (f.now = 1; f.now < 5; f.now += 1) {
		last_byte = f.now; /* ":" then "." "." ... */
		assert_int_equal(retry_stalled(f.now, last_byte, last_line, timeout),
				 RETRY_FLOWING);
		assert_seconds(retry_stall_at(last_byte, last_line, timeout), 5);
	}
	last_byte = f.now = 5;
	assert_int_equal(retry_stalled(f.now, last_byte, last_line, timeout),
			 RETRY_STALL_NO_LINE);

	/* ": keep-alive\n" every 4 s for a minute: whole lines, never stalled */
	last_byte = last_line = 0;
	for (f.now = 0; f.now <= 60; f.now += 1) {
		if ((int)f.now % 4 == 0)
			last_byte = last_line = f.now;
		assert_int_equal(retry_stalled(f.now, last_byte, last_line, timeout),
				 RETRY_FLOWING);
	}
}

/* What counts as progress: a line end anywhere in a chunk, or a long line growing by
 * RETRY_LINE_PROGRESS bytes; a drip of single bytes is not. */
static void test_progress(void **state)
{
	(void)state;
	struct retry_progress p = {0};
	assert_true(retry_progress_feed(&p, "data: x\n\n", 9));
	assert_int_equal(p.pending, 0);
	assert_true(retry_progress_feed(&p, "a\rbc", 4)); /* a lone CR ends a line too */
	assert_int_equal(p.pending, 2);                     /* "bc" starts the next one */
	assert_true(retry_progress_feed(&p, "\n", 1));
	/* a drip: a thousand single bytes, none of them progress */
	assert_true(retry_progress_feed(&p, ":\n", 2));
	for (int i = 0; i < 1000; i++)
		if (retry_progress_feed(&p, ".", 1))
			fail_msg("byte %d of a drip counted as progress", i);
	assert_int_equal(p.pending, 1000);
	/* a long line: progress each time it has grown by RETRY_LINE_PROGRESS bytes */
	static char chunk[4096];
	memset(chunk, 'x', sizeof chunk);
	p.pending = 0;
	int marks = 0;
	for (size_t fed = 0; fed < 4 * RETRY_LINE_PROGRESS; fed += sizeof chunk)
		marks += retry_progress_feed(&p, chunk, sizeof chunk);
	assert_int_equal(marks, 4);
	assert_false(retry_progress_feed(&p, "", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retryable_statuses),
		cmocka_unit_test(test_retryable_transport),
		cmocka_unit_test(test_backoff_doubles_to_a_cap),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_schedule_on_fake_clock),
		cmocka_unit_test(test_retry_after_seconds),
		cmocka_unit_test(test_retry_after_dates),
		cmocka_unit_test(test_retry_after_ms),
		cmocka_unit_test(test_stall_on_fake_clock),
		cmocka_unit_test(test_stall_drip_on_fake_clock),
		cmocka_unit_test(test_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
