/* test_jsonmem: jansson's allocator wipes what it frees (security.md §1: decrypted key
 * stores and request bodies with keys go through jansson), but not a secret-free
 * document's blocks (a stream's events, jsonmem_loadb_plain): every block cherry's code
 * hands to free() is searched for the document's canary first. The link routes free()
 * through __wrap_free below (the Makefile's -Wl,--wrap=free), so the block is read
 * while it is still allocated. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cherry/jsonmem.h"

void __real_free(void *p);
void __wrap_free(void *p);

static const char *watch; /* the canary looked for, NULL: none */
static int freed, with_canary;

void __wrap_free(void *p)
{
	if (p && watch) {
		freed++;
		with_canary += memmem(p, malloc_usable_size(p), watch, strlen(watch)) != NULL;
	}
	__real_free(p);
}

/* Frees v (json_decref) while watching for canary: how many freed blocks held it. */
static int decref_watching(json_t *v, const char *canary)
{
	freed = with_canary = 0;
	watch = canary;
	json_decref(v);
	watch = NULL;
	assert_true(freed > 0); /* the blocks went through free(): the search saw them */
	return with_canary;
}

/* Each case has its own canary: a block's unused tail may hold an earlier case's bytes. */
static void test_built_values_wiped(void **state)
{
	(void)state;
	json_t *o = json_pack("{s:s, s:[s]}", "key", "sk-test-CANARY-built-0001", "list",
			      "sk-test-CANARY-built-0001");
	assert_non_null(o);
	assert_int_equal(decref_watching(o, "sk-test-CANARY-built-0001"), 0);
}

static void test_read_document_wiped(void **state)
{
	(void)state;
	static const char doc[] = "{\"providers\":{\"openai\":{\"key\":\"sk-test-CANARY-read-0002\","
				  "\"escaped\":\"sk-test-CANARY-read-0002\\u0041\"}}}";
	json_error_t err;
	int oom = 1;
	json_t *v = jsonmem_loadb(doc, sizeof doc - 1, 0, &err, &oom);
	assert_non_null(v);
	assert_int_equal(oom, 0);
	assert_int_equal(decref_watching(v, "sk-test-CANARY-read-0002"), 0);
}

/* The exception by design: a stream's events are shown and saved in the clear, so their
 * blocks are freed as they are; this is also what shows the search would find a canary. */
static void test_plain_document_not_wiped(void **state)
{
	(void)state;
	static const char doc[] = "{\"choices\":[{\"delta\":{\"content\":\"plain-CANARY-0003\"}}]}";
	json_error_t err;
	int oom = 1;
	json_t *v = jsonmem_loadb_plain(doc, sizeof doc - 1, 0, &err, &oom);
	assert_non_null(v);
	assert_int_equal(oom, 0);
	assert_true(decref_watching(v, "plain-CANARY-0003") > 0);
	/* and what is read after it is wiped again */
	static const char doc2[] = "{\"key\":\"sk-test-CANARY-after-0004\"}";
	v = jsonmem_loadb(doc2, sizeof doc2 - 1, 0, &err, &oom);
	assert_non_null(v);
	assert_int_equal(decref_watching(v, "sk-test-CANARY-after-0004"), 0);
}

int main(void)
{
	jsonmem_install(); /* as harden_process does at start-up, before any JSON */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_built_values_wiped),
		cmocka_unit_test(test_read_document_wiped),
		cmocka_unit_test(test_plain_document_not_wiped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
