/* test_search: the case-insensitive scan agrees with a byte-by-byte reference at every
 * position, across its block boundaries, for long needles and non-ASCII bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cherry/search.h"

static int low(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static const char *reference(const char *h, size_t hl, const char *n, size_t nl)
{
	for (size_t i = 0; i + nl <= hl; i++) {
		size_t k = 0;
		while (k < nl && low((unsigned char)h[i + k]) == low((unsigned char)n[k]))
			k++;
		if (k == nl)
			return h + i;
	}
	return NULL;
}

static void test_basics(void **state)
{
	(void)state;
	const char *h = "The NEEDLE is here, needle.";
	assert_ptr_equal(search_find_fold(h, strlen(h), "needle", 6), h + 4);
	assert_ptr_equal(search_find_fold(h, strlen(h), "NeEdLe.", 7), h + 20);
	assert_null(search_find_fold(h, strlen(h), "needles", 7));
	assert_ptr_equal(search_find_fold(h, strlen(h), "", 0), h);
	assert_null(search_find_fold("ab", 2, "abc", 3));
	/* only ASCII letters fold: '@' and '`' (next to 'A' and 'a') and UTF-8 stay */
	assert_null(search_find_fold("x@y", 3, "x`y", 3));
	assert_null(search_find_fold("\xc3\xa9", 2, "\xc3\x89", 2));
	assert_true(search_contains_fold("caf\xc3\xa9 CAF\xc3\xa9", 11, "caf\xc3\xa9 caf", 8));
	assert_false(search_contains_fold("abc", 3, "d", 1));
}

/* Random texts over a small alphabet (so matches are common) around the 16 KB blocks. */
static void test_against_reference(void **state)
{
	(void)state;
	static const char alphabet[] = "aAbB\xc3\xa9-";
	size_t hl = 40000;
	char *h = malloc(hl), n[300];
	assert_non_null(h);
	srand(7);
	for (int round = 0; round < 300; round++) {
		for (size_t i = 0; i < hl; i++)
			h[i] = alphabet[rand() % 7];
		size_t nl = round % 50 == 0 ? 257 + (unsigned)rand() % 40u : 1 + (unsigned)rand() % 12u;
		size_t at = (size_t)rand() % (hl - nl);
		if (round % 3 == 0) /* a match straddling the first block boundary */
			at = 16384 - nl / 2;
		for (size_t k = 0; k < nl; k++)
			n[k] = (char)(rand() % 2 ? low((unsigned char)h[at + k]) : h[at + k]);
		if (round % 5 == 0)
			n[nl > 0 ? nl - 1 : 0] = (char)0x7a; /* absent: z is not in the text */
		size_t len = round % 7 == 0 ? (size_t)rand() % hl : hl;
		assert_ptr_equal(search_find_fold(h, len, n, nl), reference(h, len, n, nl));
	}
	free(h);
}

/* The memchr path: common letters with a rare one ('q', either case) sprinkled thinly,
 * then, in half the rounds, thickly from the middle on, where the scan must switch to
 * the blocks without missing or misplacing a match. */
static void test_rare_byte(void **state)
{
	(void)state;
	static const char common[] = "eEtTaAoO \n";
	size_t hl = 40000;
	char *h = malloc(hl), n[40];
	assert_non_null(h);
	srand(11);
	for (int round = 0; round < 300; round++) {
		for (size_t i = 0; i < hl; i++) {
			int thick = round % 2 && i > hl / 2;
			h[i] = rand() % (thick ? 4 : 300) == 0 ? (rand() % 2 ? 'q' : 'Q')
							       : common[rand() % 10];
		}
		size_t nl = 2 + (unsigned)rand() % 30u;
		size_t at = (size_t)rand() % (hl - nl);
		for (size_t k = 0; k < nl; k++)
			n[k] = (char)(rand() % 2 ? low((unsigned char)h[at + k]) : h[at + k]);
		n[(size_t)rand() % nl] = rand() % 2 ? 'q' : 'Q';
		const char *got = search_find_fold(h, hl, n, nl), *want = reference(h, hl, n, nl);
		if (got != want)
			fail_msg("round %d: %td, want %td", round, got ? got - h : -1,
				 want ? want - h : -1);
	}
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basics),
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_rare_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
