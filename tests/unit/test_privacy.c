/* test_privacy: the local anonymous report (counts merge across flushes, only listed
 * names get in, crash records are folded in), the policy-version record, the crash
 * handler, and PRIVACY_VERSION against the shipped PRIVACY file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cherry/crash.h"
#include "cherry/fsutil.h"
#include "cherry/privacy.h"

#define FMT(arr, ...) assert_true(snprintf(arr, sizeof arr, __VA_ARGS__) < (int)sizeof arr)

static char tmpdir[256];
static char statedir[300];

static void rm_rf(const char *path)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/cherry-privacy-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(statedir, sizeof statedir, "%s/state/cherry", tmpdir);
	char st[300];
	snprintf(st, sizeof st, "%s/state", tmpdir);
	setenv("HOME", tmpdir, 1);
	setenv("XDG_STATE_HOME", st, 1);
	struct err e;
	privacy_delete(&e); /* forgets counts left by an earlier test */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(tmpdir);
	return 0;
}

static char *read_state(const char *name)
{
	char p[400];
	snprintf(p, sizeof p, "%s/%s", statedir, name);
	struct buf b = BUF_INIT;
	struct err e;
	if (fs_read_file(p, 1 << 20, &b, &e) != 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static void write_state(const char *name, const char *text)
{
	char p[400];
	struct err e;
	assert_int_equal(fs_mkdirs(statedir, &e), 0);
	snprintf(p, sizeof p, "%s/%s", statedir, name);
	assert_int_equal(fs_write_atomic(p, text, strlen(text), &e), 0);
}

static const char *os(void)
{
	return privacy_os_family();
}

/* The whole expected report for the given middle parts (pretty, sorted keys). */
static char *expect(const char *crashes, const char *errors, const char *features)
{
	static char s[4096];
	snprintf(s, sizeof s,
		 "{\n  \"cherry_version\": \"%s\",\n  \"crashes\": %s,\n  \"errors\": %s,\n"
		 "  \"features\": %s,\n  \"os\": \"%s\",\n  \"report_format\": 1\n}\n",
		 CHERRY_VERSION, crashes, errors, features, os());
	return s;
}

/* ---- the policy version ---- */

static void test_version_matches_privacy_file(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	struct err e;
	int r = fs_read_file("PRIVACY", 1 << 20, &b, &e);
	if (r != 0)
		r = fs_read_file("../PRIVACY", 1 << 20, &b, &e);
	assert_int_equal(r, 0);
	/* "Version N — date" is the first line that starts with "Version ". */
	const char *p = b.data;
	const char *found = NULL;
	for (int line = 0; p && *p && line < 5; line++) {
		if (!strncmp(p, "Version ", 8)) {
			found = p + 8;
			break;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	assert_non_null(found);
	char *end;
	long v = strtol(found, &end, 10);
	assert_true(end > found);
	assert_true(*end == ' ' || *end == '\n');
	assert_int_equal(v, PRIVACY_VERSION);
	buf_free(&b);
}

static void test_os_and_build(void **state)
{
	(void)state;
	assert_string_equal(privacy_os_family(), "linux");
	const char *id = privacy_build_id();
	assert_true(!strcmp(id, "unknown") || strspn(id, "0123456789abcdef") == strlen(id));
	assert_true(strlen(id) >= 7);
}

/* ---- the report ---- */

static void test_nothing_written_without_counts(void **state)
{
	(void)state;
	struct err e;
	assert_int_equal(privacy_flush(&e), 0);
	struct stat st;
	assert_int_not_equal(stat(statedir, &st), 0);
	struct buf out = BUF_INIT;
	assert_int_equal(privacy_report_text(&out, &e), 0);
	assert_string_equal(out.data, expect("[]", "[]", "{}"));
	assert_int_not_equal(stat(statedir, &st), 0);
	buf_free(&out);
}

static void test_round_trip_and_merge(void **state)
{
	(void)state;
	struct err e;
	privacy_count("asks");
	privacy_count_message(WIRE_OPENAI);
	privacy_count_message(WIRE_OPENAI);
	privacy_count("stops");
	privacy_error("http_429");
	privacy_error("stalled");
	privacy_error("http_429");
	assert_int_equal(privacy_flush(&e), 0);
	char *text = read_state("report.json");
	assert_non_null(text);
	const char *first = expect("[]",
				   "[\n    {\n      \"code\": \"http_429\",\n      \"count\": 2,\n"
				   "      \"version\": \"" CHERRY_VERSION "\"\n    },\n    {\n"
				   "      \"code\": \"stalled\",\n      \"count\": 1,\n"
				   "      \"version\": \"" CHERRY_VERSION "\"\n    }\n  ]",
				   "{\n    \"asks\": 1,\n    \"messages_openai\": 2,\n"
				   "    \"stops\": 1\n  }");
	assert_string_equal(text, first);
	free(text);

	/* A second process's counts add to the file's. */
	privacy_count("asks");
	privacy_count_message(WIRE_GEMINI);
	privacy_error("http_429");
	struct buf out = BUF_INIT;
	assert_int_equal(privacy_report_text(&out, &e), 0);
	json_t *r = json_loads(out.data, 0, NULL);
	assert_non_null(r);
	json_t *f = json_object_get(r, "features");
	assert_int_equal(json_integer_value(json_object_get(f, "asks")), 2);
	assert_int_equal(json_integer_value(json_object_get(f, "messages_openai")), 2);
	assert_int_equal(json_integer_value(json_object_get(f, "messages_gemini")), 1);
	json_t *errs = json_object_get(r, "errors");
	assert_int_equal(json_array_size(errs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "code")),
			    "http_429");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(errs, 0), "count")),
			 3);
	json_decref(r);
	/* What --report printed is what the file holds. */
	text = read_state("report.json");
	assert_string_equal(text, out.data);
	free(text);
	/* Flushing with nothing new changes nothing. */
	assert_int_equal(privacy_flush(&e), 0);
	text = read_state("report.json");
	assert_string_equal(text, out.data);
	free(text);
	buf_free(&out);

	assert_int_equal(privacy_delete(&e), 0);
	assert_null(read_state("report.json"));
}

static void test_only_listed_names(void **state)
{
	(void)state;
	struct err e;
	privacy_count("sk-test-CANARY-1234");
	privacy_count("/home/user/secret.txt");
	privacy_count("https://example.com/");
	privacy_count("messages_mycorp");
	privacy_count(NULL);
	privacy_error("http_42");
	privacy_error("http_4299");
	privacy_error("http_abc");
	privacy_error("user@example.com");
	privacy_error("cannot reach https://example.com");
	privacy_error(NULL);
	privacy_count("exports");
	assert_int_equal(privacy_flush(&e), 0);
	char *text = read_state("report.json");
	assert_non_null(text);
	assert_string_equal(text, expect("[]", "[]", "{\n    \"exports\": 1\n  }"));
	free(text);
}

static void test_normalize_drops_content(void **state)
{
	(void)state;
	static const char edited[] =
		"{\"report_format\":1,\"cherry_version\":\"9.9\",\"os\":\"myhost.example\","
		"\"user\":\"alice\",\"prompt\":\"CANARY prompt\","
		"\"features\":{\"asks\":3,\"CANARY\":1,\"stops\":-4,\"edits\":\"x\"},"
		"\"errors\":[{\"code\":\"http_500\",\"version\":\"0.0.9\",\"count\":2},"
		"{\"code\":\"CANARY\",\"version\":\"0.1\",\"count\":1},"
		"{\"code\":\"stalled\",\"version\":\"/home/alice\",\"count\":1},"
		"{\"code\":\"http_500\",\"version\":\"0.0.9\",\"count\":1,\"url\":\"https://x\"}],"
		"\"crashes\":[{\"signal\":\"SIGSEGV\",\"version\":\"0.0.9\",\"build\":\"abc123\","
		"\"count\":1,\"address\":\"0x7fff\"},"
		"{\"signal\":\"SIGKILL\",\"version\":\"0.0.9\",\"build\":\"abc\",\"count\":1},"
		"{\"signal\":\"SIGBUS\",\"version\":\"0.0.9\",\"build\":\"/usr/bin/x\","
		"\"count\":1}]}";
	struct buf out = BUF_INIT;
	struct err e;
	assert_int_equal(privacy_normalize(edited, sizeof edited - 1, &out, &e), 0);
	assert_string_equal(out.data,
			    expect("[\n    {\n      \"build\": \"abc123\",\n      \"count\": 1,\n"
				   "      \"signal\": \"SIGSEGV\",\n      \"version\": \"0.0.9\"\n"
				   "    }\n  ]",
				   "[\n    {\n      \"code\": \"http_500\",\n      \"count\": 3,\n"
				   "      \"version\": \"0.0.9\"\n    }\n  ]",
				   "{\n    \"asks\": 3\n  }"));
	assert_null(strstr(out.data, "CANARY"));
	assert_null(strstr(out.data, "alice"));
	buf_reset(&out);
	/* Not JSON at all: an empty report. */
	assert_int_equal(privacy_normalize("garbage", 7, &out, &e), 0);
	assert_string_equal(out.data, expect("[]", "[]", "{}"));
	buf_free(&out);
}

static void test_crash_files_folded(void **state)
{
	(void)state;
	struct err e;
	write_state("crash-100.json",
		    "{\"signal\":\"SIGSEGV\",\"version\":\"0.1.0\",\"build\":\"00ff\"}\n");
	write_state("crash-101.json",
		    "{\"signal\":\"SIGSEGV\",\"version\":\"0.1.0\",\"build\":\"00ff\"}\n");
	write_state("crash-102.json",
		    "{\"signal\":\"SIGSEGV\",\"version\":\"0.1.0\",\"build\":\"/home/CANARY\"}\n");
	struct buf out = BUF_INIT;
	assert_int_equal(privacy_report_text(&out, &e), 0);
	assert_string_equal(out.data,
			    expect("[\n    {\n      \"build\": \"00ff\",\n      \"count\": 2,\n"
				   "      \"signal\": \"SIGSEGV\",\n      \"version\": \"0.1.0\"\n"
				   "    }\n  ]",
				   "[]", "{}"));
	/* Folded once: the records are gone, and a second look counts them no more. */
	assert_null(read_state("crash-100.json"));
	assert_null(read_state("crash-101.json"));
	assert_null(read_state("crash-102.json"));
	buf_reset(&out);
	assert_int_equal(privacy_report_text(&out, &e), 0);
	assert_non_null(strstr(out.data, "\"count\": 2"));
	buf_free(&out);
}

static void test_error_codes(void **state)
{
	(void)state;
	char tmp[16];
	assert_string_equal(privacy_error_code(429, "fo: rate limited", tmp, sizeof tmp),
			    "http_429");
	assert_string_equal(privacy_error_code(0, "fo: stalled: no data for 1 s", tmp, sizeof tmp),
			    "stalled");
	assert_string_equal(privacy_error_code(0, "fo: cannot reach http://x: refused", tmp,
					       sizeof tmp),
			    "unreachable");
	assert_string_equal(privacy_error_code(200, "fo: connection lost mid-stream (x)", tmp,
					       sizeof tmp),
			    "connection_lost");
	assert_string_equal(privacy_error_code(0, NULL, tmp, sizeof tmp), "network");
	assert_string_equal(privacy_error_code(200, "fo: server_error", tmp, sizeof tmp),
			    "stream_error");
	assert_string_equal(privacy_error_code(0, "something else", tmp, sizeof tmp), "network");
}

/* ---- the policy notice ---- */

static void test_notice(void **state)
{
	(void)state;
	/* First run: nothing to announce, the current version is recorded. */
	assert_int_equal(privacy_notice_due(), 0);
	char *seen = read_state("policy-seen");
	assert_non_null(seen);
	assert_int_equal(atoi(seen), PRIVACY_VERSION);
	free(seen);
	assert_int_equal(privacy_notice_due(), 0);
	/* An older version seen: due until marked seen, then not again. */
	write_state("policy-seen", "0\n");
	assert_int_equal(privacy_notice_due(), 1);
	assert_int_equal(privacy_notice_due(), 1);
	privacy_notice_seen();
	assert_int_equal(privacy_notice_due(), 0);
}

/* ---- the crash handler ---- */

static void test_crash_handler(void **state)
{
	(void)state;
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct err e;
		err_clear(&e);
		if (crash_install(&e) < 0)
			_exit(3);
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		raise(SIGFPE);
		_exit(4);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGFPE);
	char name[64];
	FMT(name, "crash-%ld.json", (long)pid);
	char *rec = read_state(name);
	assert_non_null(rec);
	char want[256];
	FMT(want, "{\"signal\":\"SIGFPE\",\"version\":\"%s\",\"build\":\"%s\"}\n", CHERRY_VERSION,
	    privacy_build_id());
	assert_string_equal(rec, want);
	free(rec);
	/* And the next run's report holds it. */
	struct buf out = BUF_INIT;
	struct err e;
	assert_int_equal(privacy_report_text(&out, &e), 0);
	assert_non_null(strstr(out.data, "\"signal\": \"SIGFPE\""));
	assert_null(read_state(name));
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_matches_privacy_file),
		cmocka_unit_test(test_os_and_build),
		cmocka_unit_test_setup_teardown(test_nothing_written_without_counts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_and_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_listed_names, setup, teardown),
		cmocka_unit_test(test_normalize_drops_content),
		cmocka_unit_test_setup_teardown(test_crash_files_folded, setup, teardown),
		cmocka_unit_test(test_error_codes),
		cmocka_unit_test_setup_teardown(test_notice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_handler, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
