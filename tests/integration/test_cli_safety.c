/* test_cli_safety: the real binary on a bad day: binary stdin, hostile names in
 * one-per-line listings, escape sequences in argv and paths, a save that fails, a closed
 * stdout, and lock files that must not outlive their use. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "harness.h"

#define KEY "sk-test-safety-5e1c7a9b3d"
#define FMT(arr, ...) assert_true(snprintf(arr, sizeof arr, __VA_ARGS__) < (int)sizeof arr)
#define TIMEOUT 20000

static struct fakeprov FP;
static struct testhome H;
static char convdir[400];
static const char *const key_env[] = {"FAKE_OPENAI_KEY=" KEY, NULL};

static int group_setup(void **state)
{
	(void)state;
	if (fakeprov_start(&FP) < 0 || testhome_make(&H) < 0)
		return -1;
	snprintf(convdir, sizeof convdir, "%s/data/cherry/conversations", H.root);
	char *cfg = testhome_fake_config(FP.port, "\"network\": {\"max_retries\": 0}");
	int r = testhome_write_config(&H, cfg);
	free(cfg);
	return r;
}

static int group_teardown(void **state)
{
	(void)state;
	fakeprov_stop(&FP);
	testhome_remove(&H);
	return 0;
}

static void cherry(struct run *r, const char *const *args, const char *const *env,
		   const char *stdin_data)
{
	assert_int_equal(run_cherry(r, &H, args, env ? env : key_env, stdin_data, TIMEOUT), 0);
}

/* cherry under sh: for what run_cherry cannot set up (NUL bytes, ulimit, a pipe). */
static void cherry_sh(struct run *r, const char *script, const char *const *env)
{
	const char *b = getenv("CHERRY_BIN");
	const char *argv[] = {"/bin/sh", "-c", script, b && *b ? b : "build/cherry", NULL};
	assert_int_equal(harness_run(r, &H, argv, env ? env : key_env, NULL, 0, 0, TIMEOUT), 0);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected \"%s\" in: %s", needle, hay);
}

static void assert_one_line(const char *s)
{
	const char *nl = strchr(s, '\n');
	if (!nl || nl[1])
		fail_msg("expected one line, got: %s", s);
}

/* No ESC (7-bit or C1) and no other C0 control but LF and TAB. */
static void assert_terminal_safe(const char *what, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ||
		    (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		     (unsigned char)s[i + 1] < 0xA0))
			fail_msg("%s: control byte 0x%02x at %zu in: %s", what, c, i, s);
	}
}

static int count_locks(void)
{
	DIR *d = opendir(convdir);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 5 && !strcmp(de->d_name + l - 5, ".lock"))
			n++;
	}
	closedir(d);
	return n;
}

/* ---- standard input ---- */

static void test_nul_in_stdin_is_refused(void **state)
{
	(void)state;
	struct run r;
	size_t before = fakeprov_count(&FP);
	cherry_sh(&r, "printf 'text\\000more' | exec \"$0\" ask -m fo/echo", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "NUL byte");
	assert_contains(r.err, "-f FILE");
	assert_one_line(r.err);
	assert_int_equal(r.out_len, 0);
	assert_int_equal(fakeprov_count(&FP), before); /* nothing was sent */
	run_free(&r);
}

/* ---- one line per item ---- */

static void test_listings_keep_one_item_a_line(void **state)
{
	(void)state;
	/* a hostile provider's list, as `cherry models` cached it: a newline, an OSC and a
	 * C1 CSI inside model ids */
	char dir[400], path[600];
	FMT(dir, "%s/cache/cherry", H.root);
	FMT(path, "%s/models-fo.json", dir);
	json_t *cache = json_pack("{s:s,s:I,s:[s,s,s]}", "provider", "fo", "fetched",
				  (json_int_t)time(NULL), "models", "a\nb", "c\x1b]0;pwned\x07d",
				  "e\xc2\x9b" "31mf");
	assert_non_null(cache);
	struct run r;
	const char *mk[] = {"/bin/mkdir", "-p", dir, NULL};
	assert_int_equal(harness_run(&r, &H, mk, NULL, NULL, 0, 0, TIMEOUT), 0);
	run_free(&r);
	assert_int_equal(json_dump_file(cache, path, 0), 0);
	json_decref(cache);
	static const char *const models[] = {"models", "fo", NULL};
	cherry(&r, models, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_terminal_safe("models", r.out, r.out_len);
	/* every line is one provider/model */
	for (const char *l = r.out; *l; l = strchr(l, '\n') + 1) {
		if (strncmp(l, "fo/", 3))
			fail_msg("a line that is not a model: %s", l);
		if (!strchr(l, '\n'))
			break;
	}
	assert_contains(r.out, "fo/a\\nb\n");
	run_free(&r);

	/* a conversation whose title and model hold a newline and an escape sequence */
	static const char *const ask[] = {"ask", "-m", "fo/echo", "listed", NULL};
	cherry(&r, ask, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	static const char *const list_json[] = {"history", "list", "--json", NULL};
	cherry(&r, list_json, NULL, NULL);
	json_t *arr = json_loads(r.out, 0, NULL);
	const char *id = json_string_value(json_object_get(json_array_get(arr, 0), "id"));
	assert_non_null(id);
	FMT(path, "%s/%s.json", convdir, id);
	json_decref(arr);
	run_free(&r);
	json_t *conv = json_load_file(path, 0, NULL);
	assert_non_null(conv);
	json_object_set_new(conv, "title", json_string("first\nsecond \x1b[2J line"));
	json_object_set_new(conv, "model", json_string("fo/x\ny"));
	/* written aside and renamed, as cherry writes: the list index notices */
	char tmp[700];
	FMT(tmp, "%s.tmp", path);
	assert_int_equal(json_dump_file(conv, tmp, 0), 0);
	assert_int_equal(rename(tmp, path), 0);
	json_decref(conv);
	static const char *const list[] = {"history", "list", NULL};
	cherry(&r, list, NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_terminal_safe("history list", r.out, r.out_len);
	assert_contains(r.out, "first");
	assert_contains(r.out, "line\n");
	assert_one_line(r.out);
	run_free(&r);
}

/* ---- what quotes outside text ---- */

static void test_argv_and_paths_are_sanitised(void **state)
{
	(void)state;
	const char *const *cases[] = {
		(const char *const[]){"hist\x1b[2Jory", NULL},
		(const char *const[]){"ask", "--bo\x1b]0;t\x07gus", NULL},
		(const char *const[]){"history", "sh\x1b[31mow", "x", NULL},
		(const char *const[]){"history", "show", "\x1b[2Jzz", NULL},
		(const char *const[]){"models", "no\x1b[31mpe", NULL},
		(const char *const[]){"key", "set", "\x1b[2J", NULL},
		(const char *const[]){"ask", "-m", "x\x1b[2J/y", "hi", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct run r;
		cherry(&r, cases[i], NULL, NULL);
		if (r.status == 0)
			fail_msg("case %zu succeeded", i);
		assert_terminal_safe("stderr", r.err, r.err_len);
		assert_one_line(r.err);
		run_free(&r);
	}
	/* a data directory that cannot be made, with an escape sequence in its path */
	char data[400];
	FMT(data, "XDG_DATA_HOME=%s/file\x1b[31m/data", H.root);
	char file[400];
	FMT(file, "%s/file\x1b[31m", H.root);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	const char *env[] = {"FAKE_OPENAI_KEY=" KEY, data, NULL};
	static const char *const ask[] = {"ask", "-m", "fo/echo", "still answered", NULL};
	struct run r;
	cherry(&r, ask, env, NULL);
	assert_string_equal(r.out, "still answered\n");
	assert_contains(r.err, "not saved");
	assert_terminal_safe("stderr", r.err, r.err_len);
	assert_one_line(r.err);
	assert_int_equal(r.status, 1); /* the answer is out, its record is not */
	run_free(&r);
}

/* ---- a save that fails ---- */

static void test_failed_save_is_one_line_and_exit_1(void **state)
{
	(void)state;
	struct run r;
	/* a file-size limit of 512 bytes: the lock files fit, no conversation does */
	cherry_sh(&r, "ulimit -f 1; exec \"$0\" ask -m fo/echo 'a prompt that will not fit'",
		  NULL);
	assert_string_equal(r.out, "a prompt that will not fit\n");
	assert_contains(r.err, "not saved");
	assert_one_line(r.err);
	assert_int_equal(r.status, 1);
	run_free(&r);
	assert_int_equal(count_locks(), 0);
}

/* ---- a closed stdout ---- */

static void test_closed_stdout_stops_the_stream(void **state)
{
	(void)state;
	struct run r;
	char status_file[400], script[900];
	FMT(status_file, "%s/ask-status", H.root);
	/* 400 deltas 30 ms apart: 12 s to the end, unless the closed pipe stops it */
	FMT(script, "{ \"$0\" ask -m fo/long:400+slow:30 'pipe me'; echo $? > '%s'; } | head -c 10",
	    status_file);
	cherry_sh(&r, script, NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.out_len, 10);
	if (r.seconds > 4)
		fail_msg("the stream ran on for %.1f s after its reader left", r.seconds);
	assert_int_equal(r.err_len, 0); /* the reader chose to stop: no error line */
	run_free(&r);
	char *st = harness_read_file(status_file, NULL);
	assert_non_null(st);
	assert_string_equal(st, "141\n");
	free(st);
	/* saved, as stopped, with the part that was streamed */
	static const char *const list_json[] = {"history", "list", "--json", NULL};
	cherry(&r, list_json, NULL, NULL);
	json_t *arr = json_loads(r.out, 0, NULL);
	char path[600];
	FMT(path, "%s/%s.json", convdir,
	    json_string_value(json_object_get(json_array_get(arr, 0), "id")));
	json_decref(arr);
	run_free(&r);
	json_t *conv = json_load_file(path, 0, NULL);
	json_t *msgs = json_object_get(conv, "messages");
	json_t *last = json_array_get(msgs, json_array_size(msgs) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "status")), "stopped");
	assert_true(json_string_length(json_object_get(last, "content")) > 10);
	json_decref(conv);
	assert_int_equal(count_locks(), 0);
}

/* ---- limits ---- */

static void test_big_header_is_named(void **state)
{
	(void)state;
	struct run r;
	static const char *const args[] = {"ask", "--no-save", "-m", "fo/hello+bigheader", "hi",
					   NULL};
	cherry(&r, args, NULL, NULL);
	assert_int_equal(r.status, 3);
	assert_contains(r.err, "response headers");
	assert_null(strstr(r.err, "Out of memory"));
	assert_one_line(r.err);
	run_free(&r);
}

/* One 20 MiB line of model's stream is refused at the 16 MiB cap (not at the 64 MiB cap
 * on the whole response), with one clear line and exit 3, and memory stays near the cap
 * (it once peaked at 200 MB for a 60 MB line). */
static void assert_line_refused(const char *model)
{
	struct run r;
	const char *const args[] = {"ask", "--no-save", "-m", model, "hi", NULL};
	cherry(&r, args, NULL, NULL);
	assert_int_equal(r.status, 3);
	assert_contains(r.err, "larger than 16 MiB");
	assert_one_line(r.err);
	assert_int_equal(r.out_len, 0);
	run_free(&r);
	struct rusage ru;
	assert_int_equal(getrusage(RUSAGE_CHILDREN, &ru), 0);
	/* 100 MiB: the sanitizer build's shadow memory once took it 20 KiB past 80 */
	if (ru.ru_maxrss > 100 * 1024)
		fail_msg("a child peaked at %ld KiB", ru.ru_maxrss);
}

/* an event-stream event (openai) */
static void test_one_event_is_bounded(void **state)
{
	(void)state;
	assert_line_refused("fo/hugeline");
}

/* one NDJSON line (ollama) */
static void test_one_ndjson_line_is_bounded(void **state)
{
	(void)state;
	assert_line_refused("fl/hugeline");
}

/* ---- lock files ---- */

static void test_no_lock_outlives_its_use(void **state)
{
	(void)state;
	const char *const *cases[] = {
		(const char *const[]){"ask", "-m", "nope/x", "hi", NULL},
		(const char *const[]){"ask", "-m", "fo/e400", "hi", NULL},
		(const char *const[]){"ask", "-m", "fo/hello+midfail", "hi", NULL},
		(const char *const[]){"ask", "-m", "fo/hello", "hi", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct run r;
		cherry(&r, cases[i], NULL, NULL);
		run_free(&r);
		if (count_locks())
			fail_msg("case %zu left a lock file", i);
	}
	/* -c takes the lock of an existing conversation, and gives it back */
	static const char *const list_json[] = {"history", "list", "--json", NULL};
	struct run r;
	cherry(&r, list_json, NULL, NULL);
	json_t *arr = json_loads(r.out, 0, NULL);
	char id[32];
	FMT(id, "%s", json_string_value(json_object_get(json_array_get(arr, 0), "id")));
	json_decref(arr);
	run_free(&r);
	const char *cont[] = {"ask", "-c", id, "-m", "fo/echo", "again", NULL};
	cherry(&r, cont, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_equal(count_locks(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nul_in_stdin_is_refused),
		cmocka_unit_test(test_listings_keep_one_item_a_line),
		cmocka_unit_test(test_argv_and_paths_are_sanitised),
		cmocka_unit_test(test_failed_save_is_one_line_and_exit_1),
		cmocka_unit_test(test_closed_stdout_stops_the_stream),
		cmocka_unit_test(test_big_header_is_named),
		cmocka_unit_test(test_one_event_is_bounded),
		cmocka_unit_test(test_one_ndjson_line_is_bounded),
		cmocka_unit_test(test_no_lock_outlives_its_use),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
