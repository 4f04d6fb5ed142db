/* test_eventstream: the AWS event-stream decoder against the AWS SDKs' published test
 * vectors (aws-sdk-js-v3 eventstream-marshaller TestVectors, the same bytes as
 * aws-c-event-stream's), each fed whole, per byte and split at every point; corrupted,
 * truncated and oversized input refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/eventstream.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const unsigned char empty_message[] = {0, 0, 0, 16, 0, 0, 0, 0, 5, 194, 72, 235,
					      125, 152, 200, 255};
static const unsigned char int32_header[] = {
	0, 0, 0, 43, 0, 0, 0, 14, 52, 139, 236, 123, 8, 101, 118, 101, 110, 116, 45, 105,
	100, 4, 0, 0, 160, 12, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39, 125,
	211, 137, 2, 133};
static const unsigned char payload_no_headers[] = {
	0, 0, 0, 29, 0, 0, 0, 0, 253, 82, 140, 90, 123, 39, 102, 111, 111, 39, 58, 39, 98,
	97, 114, 39, 125, 195, 101, 57, 54};
static const unsigned char payload_one_str_header[] = {
	0, 0, 0, 61, 0, 0, 0, 32, 7, 253, 131, 150, 12, 99, 111, 110, 116, 101, 110, 116,
	45, 116, 121, 112, 101, 7, 0, 16, 97, 112, 112, 108, 105, 99, 97, 116, 105, 111,
	110, 47, 106, 115, 111, 110, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39,
	125, 141, 156, 8, 177};
/* The failing vectors: one header byte changed ('-' to '+'), the headers length, the
 * total length, a payload byte. */
static const unsigned char corrupted_headers[] = {
	0, 0, 0, 61, 0, 0, 0, 32, 7, 253, 131, 150, 12, 99, 111, 110, 116, 101, 110, 116,
	43, 116, 121, 112, 101, 7, 0, 16, 97, 112, 112, 108, 105, 99, 97, 116, 105, 111,
	110, 47, 106, 115, 111, 110, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39,
	125, 141, 156, 8, 177};
static const unsigned char corrupted_header_len[] = {
	0, 0, 0, 61, 0, 0, 1, 32, 7, 253, 131, 150, 12, 99, 111, 110, 116, 101, 110, 116,
	45, 116, 121, 112, 101, 7, 0, 16, 97, 112, 112, 108, 105, 99, 97, 116, 105, 111,
	110, 47, 106, 115, 111, 110, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39,
	125, 141, 156, 8, 177};
static const unsigned char corrupted_length[] = {
	1, 0, 0, 29, 0, 0, 0, 0, 253, 82, 140, 90, 123, 39, 102, 111, 111, 39, 58, 39, 98,
	97, 114, 39, 125, 195, 101, 57, 54};
static const unsigned char corrupted_payload[] = {
	0, 0, 0, 29, 0, 0, 0, 0, 253, 82, 140, 90, 123, 39, 102, 111, 111, 39, 58, 39, 98,
	97, 114, 39, 141, 195, 101, 57, 54};

/* What the callback saw, flattened: "H name=value|" per string header, "H name#num|"
 * for the others, then "P payload;" per message. */
struct seen {
	char log[1024];
	size_t len;
	int messages;
	int stop_after; /* nonzero: return 7 from this message on */
};

static void logf_(struct seen *s, const char *a, size_t an, const char *b, size_t bn)
{
	assert_true(s->len + an + bn + 1 < sizeof s->log);
	memcpy(s->log + s->len, a, an);
	s->len += an;
	memcpy(s->log + s->len, b, bn);
	s->len += bn;
	s->log[s->len] = '\0';
}

static int on_message(void *ctx, const struct evs_message *m)
{
	struct seen *s = ctx;
	for (size_t i = 0; i < m->nheaders; i++) {
		const struct evs_header *h = &m->headers[i];
		char num[32];
		logf_(s, "H ", 2, h->name, h->name_len);
		if (h->value)
			logf_(s, "=", 1, h->value, h->value_len);
		else
			logf_(s, num, (size_t)snprintf(num, sizeof num, "#%lld", (long long)h->num),
			      "", 0);
		logf_(s, "|", 1, "", 0);
	}
	logf_(s, "P ", 2, m->payload, m->payload_len);
	logf_(s, ";", 1, "", 0);
	s->messages++;
	return s->stop_after && s->messages >= s->stop_after ? 7 : 0;
}

/* Feeds v in pieces of step bytes (0: whole); returns evs_feed's last answer. */
static int feed(struct evs_decoder *d, const unsigned char *v, size_t n, size_t step)
{
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i += step ? step : n)
		r = evs_feed(d, v + i, step && n - i > step ? step : n - i);
	return r;
}

struct vec {
	const unsigned char *b;
	size_t n;
	const char *want;
};

static const struct vec good[] = {
	{empty_message, sizeof empty_message, "P ;"},
	{int32_header, sizeof int32_header, "H event-id#40972|P {'foo':'bar'};"},
	{payload_no_headers, sizeof payload_no_headers, "P {'foo':'bar'};"},
	{payload_one_str_header, sizeof payload_one_str_header,
	 "H content-type=application/json|P {'foo':'bar'};"},
};

static void test_crc32_check_value(void **state)
{
	(void)state;
	assert_int_equal(evs_crc32(0, "123456789", 9), 0xCBF43926u);
	/* continued in two pieces, as zlib's crc32 allows */
	assert_int_equal(evs_crc32(evs_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
}

static void test_vectors_whole_per_byte_and_split(void **state)
{
	(void)state;
	for (size_t v = 0; v < ARRAY_LEN(good); v++) {
		for (size_t step = 0; step <= good[v].n; step++) {
			struct seen s = {0};
			struct evs_decoder d;
			evs_init(&d, on_message, &s);
			assert_int_equal(feed(&d, good[v].b, good[v].n, step), 0);
			assert_string_equal(s.log, good[v].want);
			assert_false(evs_truncated(&d));
			evs_free(&d);
		}
	}
}

/* Every vector back to back, one stream, cut at every point into two writes. */
static void test_concatenated_split_everywhere(void **state)
{
	(void)state;
	unsigned char all[256];
	size_t n = 0;
	char want[512] = "";
	for (size_t v = 0; v < ARRAY_LEN(good); v++) {
		memcpy(all + n, good[v].b, good[v].n);
		n += good[v].n;
		strcat(want, good[v].want);
	}
	for (size_t cut = 0; cut <= n; cut++) {
		struct seen s = {0};
		struct evs_decoder d;
		evs_init(&d, on_message, &s);
		assert_int_equal(evs_feed(&d, all, cut), 0);
		assert_int_equal(evs_feed(&d, all + cut, n - cut), 0);
		assert_string_equal(s.log, want);
		assert_int_equal(s.messages, 4);
		evs_free(&d);
	}
}

static void test_corrupt_vectors_refused(void **state)
{
	(void)state;
	static const struct vec bad[] = {
		{corrupted_headers, sizeof corrupted_headers, "message CRC"},
		{corrupted_header_len, sizeof corrupted_header_len, "prelude CRC"},
		{corrupted_length, sizeof corrupted_length, "prelude CRC"},
		{corrupted_payload, sizeof corrupted_payload, "message CRC"},
	};
	for (size_t v = 0; v < ARRAY_LEN(bad); v++) {
		for (size_t step = 0; step <= 1; step++) {
			struct seen s = {0};
			struct evs_decoder d;
			evs_init(&d, on_message, &s);
			assert_int_equal(feed(&d, bad[v].b, bad[v].n, step), -1);
			assert_int_equal(s.messages, 0);
			assert_non_null(strstr(d.error, bad[v].want));
			/* refused for good: a valid message after it is not read */
			assert_int_equal(evs_feed(&d, empty_message, sizeof empty_message), -1);
			assert_int_equal(s.messages, 0);
			evs_free(&d);
		}
	}
}

static void test_truncated_is_reported(void **state)
{
	(void)state;
	for (size_t cut = 1; cut < sizeof payload_one_str_header; cut++) {
		struct seen s = {0};
		struct evs_decoder d;
		evs_init(&d, on_message, &s);
		assert_int_equal(evs_feed(&d, payload_one_str_header, cut), 0);
		assert_int_equal(s.messages, 0);
		assert_true(evs_truncated(&d));
		evs_free(&d);
	}
}

/* A message with the given total and headers lengths and a correct prelude CRC. */
static void prelude(unsigned char p[12], uint32_t total, uint32_t hlen)
{
	for (int i = 0; i < 4; i++) {
		p[i] = (unsigned char)(total >> (24 - 8 * i));
		p[4 + i] = (unsigned char)(hlen >> (24 - 8 * i));
	}
	uint32_t crc = evs_crc32(0, p, 8);
	for (int i = 0; i < 4; i++)
		p[8 + i] = (unsigned char)(crc >> (24 - 8 * i));
}

static void test_oversized_and_inconsistent_refused(void **state)
{
	(void)state;
	static const struct {
		uint32_t total, hlen;
		const char *want;
	} cases[] = {
		{EVS_MESSAGE_MAX + 1, 0, "larger than"},
		{0xffffffffu, 0, "larger than"},
		{15, 0, "do not add up"},
		{32, 17, "do not add up"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		unsigned char p[12];
		prelude(p, cases[i].total, cases[i].hlen);
		struct seen s = {0};
		struct evs_decoder d;
		evs_init(&d, on_message, &s);
		/* refused from the prelude alone: nothing waits for 4 GiB to arrive */
		assert_int_equal(feed(&d, p, sizeof p, 1), -1);
		assert_non_null(strstr(d.error, cases[i].want));
		assert_int_equal(d.pending.len, 12);
		evs_free(&d);
	}
}

/* A header whose string length runs past the headers' length, with both CRCs right. */
static void test_header_overrun_refused(void **state)
{
	(void)state;
	unsigned char m[64];
	/* headers: name "a", type 7, length 200, then 2 bytes */
	static const unsigned char h[] = {1, 'a', 7, 0, 200, 'x', 'y'};
	uint32_t total = 12 + sizeof h + 4;
	prelude(m, total, sizeof h);
	memcpy(m + 12, h, sizeof h);
	uint32_t crc = evs_crc32(0, m, total - 4);
	for (int i = 0; i < 4; i++)
		m[total - 4 + i] = (unsigned char)(crc >> (24 - 8 * i));
	struct seen s = {0};
	struct evs_decoder d;
	evs_init(&d, on_message, &s);
	assert_int_equal(evs_feed(&d, m, total), -1);
	assert_non_null(strstr(d.error, "header runs past"));
	evs_free(&d);
}

static void test_callback_stops(void **state)
{
	(void)state;
	unsigned char two[2 * sizeof payload_no_headers];
	memcpy(two, payload_no_headers, sizeof payload_no_headers);
	memcpy(two + sizeof payload_no_headers, payload_no_headers, sizeof payload_no_headers);
	struct seen s = {.stop_after = 1};
	struct evs_decoder d;
	evs_init(&d, on_message, &s);
	assert_int_equal(evs_feed(&d, two, sizeof two), 7);
	assert_int_equal(s.messages, 1);
	evs_free(&d);
}

static void test_header_lookup(void **state)
{
	(void)state;
	struct evs_message m = {.nheaders = 2};
	m.headers[0] = (struct evs_header){":event-type", 11, 7, "messageStop", 11, 0};
	m.headers[1] = (struct evs_header){":n", 2, 4, NULL, 0, 5};
	size_t n = 0;
	const char *v = evs_header_str(&m, ":event-type", &n);
	assert_non_null(v);
	assert_int_equal(n, 11);
	assert_null(evs_header_str(&m, ":n", &n));
	assert_null(evs_header_str(&m, ":message-type", &n));
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_check_value),
		cmocka_unit_test(test_vectors_whole_per_byte_and_split),
		cmocka_unit_test(test_concatenated_split_everywhere),
		cmocka_unit_test(test_corrupt_vectors_refused),
		cmocka_unit_test(test_truncated_is_reported),
		cmocka_unit_test(test_oversized_and_inconsistent_refused),
		cmocka_unit_test(test_header_overrun_refused),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_header_lookup),
	};
	return cmocka_run_group_tests_name("eventstream", tests, NULL, NULL);
}
