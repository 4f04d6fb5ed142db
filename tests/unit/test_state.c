/* test_state: the client's state files: the last conversation and the prompt ring. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cherry/fsutil.h"
#include "cherry/state.h"

#include "harness.h"

#define FMT(arr, ...) assert_true(snprintf(arr, sizeof arr, __VA_ARGS__) < (int)sizeof arr)

static char root[512];
static char state[600];

static int setup(void **unused)
{
	(void)unused;
	const char *base = getenv("TMPDIR");
	snprintf(root, sizeof root, "%s/cherry-state-XXXXXX",
		 base && base[0] == '/' ? base : "/tmp");
	if (!mkdtemp(root))
		return -1;
	snprintf(state, sizeof state, "%s/state", root);
	setenv("XDG_STATE_HOME", state, 1);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	return harness_rm_tree(root);
}

static void test_last_id(void **unused)
{
	(void)unused;
	char id[HIST_ID_MAX + 1];
	assert_int_equal(state_last_get(id), 1);
	assert_int_equal(state_last_set("abc123"), 0);
	assert_int_equal(state_last_get(id), 0);
	assert_string_equal(id, "abc123");
	char p[700];
	FMT(p, "%s/cherry/last", state);
	char *text = harness_read_file(p, NULL);
	assert_string_equal(text, "abc123\n");
	free(text);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	FMT(p, "%s/cherry", state);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	/* the same id again (the conversation reopened at start) writes nothing: the file
	 * is not replaced */
	FMT(p, "%s/cherry/last", state);
	assert_int_equal(stat(p, &sb), 0);
	ino_t ino = sb.st_ino;
	assert_int_equal(state_last_set("abc123"), 0);
	assert_int_equal(stat(p, &sb), 0);
	assert_true(sb.st_ino == ino);
	assert_int_equal(state_last_set("abc124"), 0);
	assert_int_equal(stat(p, &sb), 0);
	assert_true(sb.st_ino != ino);
	assert_int_equal(state_last_set("abc123"), 0);
	assert_int_equal(state_last_set("../evil"), -1);
	assert_int_equal(state_last_get(id), 0);
	assert_string_equal(id, "abc123");
	assert_int_equal(state_last_set(NULL), 0);
	assert_int_equal(state_last_get(id), 1);
	assert_int_equal(state_last_set(""), 0); /* nothing to remove: fine */
	struct err e = {0, ""};
	FMT(p, "%s/cherry/last", state);
	assert_int_equal(fs_write_atomic(p, "not an id!\n", 11, &e), 0);
	assert_int_equal(state_last_get(id), 1);
}

static void test_prompts_ring(void **unused)
{
	(void)unused;
	struct edit ed;
	struct err e = {0, ""};
	edit_init(&ed, 3);
	assert_int_equal(state_prompts_load(&ed, &e), 0); /* no file */
	assert_int_equal(edit_history_count(&ed), 0);
	const char *v[] = {"oldest, dropped", "two\nlines\n\ttabbed", "ünïcødé 🍒 \"q\" \\",
			   "last"};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(edit_history_add(&ed, v[i], strlen(v[i])), 0);
	assert_int_equal(state_prompts_save(&ed, &e), 0);
	edit_free(&ed);
	char p[700];
	FMT(p, "%s/cherry/prompts.json", state);
	char *text = harness_read_file(p, NULL);
	assert_string_equal(text, "[\n  \"two\\nlines\\n\\ttabbed\",\n"
			    "  \"ünïcødé 🍒 \\\"q\\\" \\\\\",\n  \"last\"\n]\n");
	free(text);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	edit_init(&ed, 100);
	assert_int_equal(state_prompts_load(&ed, &e), 0);
	assert_int_equal(edit_history_count(&ed), 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(edit_history_get(&ed, i), v[i + 1]);
	edit_free(&ed);

	/* entries a terminal would act on, and non-strings, are skipped */
	const char *odd = "[\"ok\", 7, \"esc \\u001b[2J\", null, \"fine\"]";
	assert_int_equal(fs_write_atomic(p, odd, strlen(odd), &e), 0);
	edit_init(&ed, 100);
	assert_int_equal(state_prompts_load(&ed, &e), 0);
	assert_int_equal(edit_history_count(&ed), 2);
	assert_string_equal(edit_history_get(&ed, 1), "fine");
	edit_free(&ed);

	/* corrupt: reported, set aside, the ring untouched; the next load finds none */
	assert_int_equal(fs_write_atomic(p, "{\"a\":", 5, &e), 0);
	edit_init(&ed, 100);
	assert_int_equal(state_prompts_load(&ed, &e), -1);
	assert_non_null(strstr(e.msg, "prompts.json cannot be read ("));
	assert_non_null(strstr(e.msg, "moved to "));
	assert_non_null(strstr(e.msg, "prompts.json.corrupt"));
	assert_int_equal(edit_history_count(&ed), 0);
	char q[800];
	FMT(q, "%s.corrupt", p);
	text = harness_read_file(q, NULL);
	assert_string_equal(text, "{\"a\":");
	free(text);
	err_clear(&e);
	assert_int_equal(state_prompts_load(&ed, &e), 0);
	assert_int_equal(state_prompts_save(&ed, &e), 0); /* an empty ring */
	text = harness_read_file(p, NULL);
	assert_string_equal(text, "[]\n");
	free(text);
	edit_free(&ed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_last_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompts_ring, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
