/* test_pdftext: pdftotext found on PATH only, run without a shell, its output bounded
 * in size and time; fake pdftotext scripts stand in for the failures, the real one
 * (poppler-utils, a check dependency) reads a fixture; the text (or the failure) kept
 * beside the attachment and removed with it. */
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

#include "cherry/attstore.h"
#include "cherry/pdftext.h"
#include "harness.h"

static char dir[64];

/* A fake pdftotext in dir, doing script. */
static void fake(const char *script)
{
	char path[128];
	snprintf(path, sizeof path, "%s/pdftotext", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", script);
	fclose(f);
	assert_int_equal(chmod(path, 0700), 0);
	char path_env[160];
	snprintf(path_env, sizeof path_env, "%s:/usr/bin:/bin", dir);
	setenv("PATH", path_env, 1);
}

static int run(size_t max, int timeout_ms, struct buf *out, struct err *e)
{
	static const unsigned char pdf[] = "%PDF-1.4 not really";
	buf_reset(out);
	err_clear(e);
	return pdftext_run("r.pdf", pdf, sizeof pdf - 1, max, timeout_ms, out, e);
}

static void which_skips_relative_and_missing(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_int_equal(pdftext_which("sh", "relative:/nonexistent:/bin", &b), 0);
	assert_string_equal(b.data, "/bin/sh");
	assert_int_equal(pdftext_which("sh", ".:bin:", &b), 1);
	assert_int_equal(pdftext_which("no-such-tool-here", "/bin:/usr/bin", &b), 1);
	buf_free(&b);
}

static void missing_says_what_to_do(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	struct err e;
	setenv("PATH", "/nonexistent", 1);
	assert_int_equal(run(1024, 5000, &b, &e), 1);
	assert_non_null(strstr(e.msg, "r.pdf"));
	assert_non_null(strstr(e.msg, "poppler-utils"));
	buf_free(&b);
}

static void output_and_stdin(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	struct err e;
	/* The PDF arrives on stdin; the arguments are argv, no shell words. */
	fake("echo \"$#:$1 $2 $3 $4 $5\"; cat");
	assert_int_equal(run(1024, 5000, &b, &e), 0);
	assert_string_equal(b.data, "5:-q -enc UTF-8 - -\n%PDF-1.4 not really");
	buf_free(&b);
}

static void failures_are_one_line(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	struct err e;
	fake("echo partial; exit 1");
	assert_int_equal(run(1024, 5000, &b, &e), -1);
	assert_non_null(strstr(e.msg, "exit status 1"));
	/* Too much output: stopped at the bound, not read to the end. */
	fake("exec yes");
	assert_int_equal(run(100000, 5000, &b, &e), -1);
	assert_non_null(strstr(e.msg, "over"));
	/* Too slow: killed at the deadline, its stdin never read. */
	fake("exec sleep 30");
	assert_int_equal(run(1024, 300, &b, &e), -1);
	assert_non_null(strstr(e.msg, "did not finish"));
	/* It reads nothing and exits: the PDF's bytes meet a closed pipe, not a SIGPIPE. */
	fake("exec true");
	assert_int_equal(run(1024, 5000, &b, &e), 0);
	buf_free(&b);
}

static void real_pdftotext(void **state)
{
	(void)state;
	setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1);
	struct buf pdf = BUF_INIT, b = BUF_INIT;
	char path[512];
	const char *fx = getenv("CHERRY_FIXTURES");
	snprintf(path, sizeof path, "%s/attach/hello.pdf", fx && *fx ? fx : "tests/fixtures");
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&pdf, chunk, n);
	fclose(f);
	struct err e;
	err_clear(&e);
	int r = pdftext_run("hello.pdf", (unsigned char *)pdf.data, pdf.len, 1 << 20, 10000, &b, &e);
	if (r == 1)
		fail_msg("pdftotext is not installed (scripts/deps.sh check installs poppler-utils)");
	assert_int_equal(r, 0);
	assert_non_null(strstr(b.data, "Hello from a PDF"));
	buf_free(&pdf);
	buf_free(&b);
}

/* A PDF's text kept beside its attachment, or why it could not be made; both go with
 * the attachment when no conversation mentions it any more. */
static void text_kept_beside(void **state)
{
	(void)state;
	char conv[128], att[160];
	snprintf(conv, sizeof conv, "%s/data/conversations", dir);
	snprintf(att, sizeof att, "%s/data/attachments", dir);
	struct err e;
	err_clear(&e);
	struct buf path = BUF_INIT, b = BUF_INIT;
	buf_printf(&path, "%s/data", dir);
	assert_int_equal(mkdir(path.data, 0700), 0);
	assert_int_equal(mkdir(conv, 0700), 0);
	char a[65], f[65];
	assert_int_equal(attstore_put(att, (const unsigned char *)"%PDF-a", 6, a, &e), 0);
	assert_int_equal(attstore_put(att, (const unsigned char *)"%PDF-f", 6, f, &e), 0);
	assert_int_equal(attstore_text_kept(att, a), 0);
	assert_int_equal(attstore_text_get(att, a, 1024, &b, &e), 1);
	assert_int_equal(attstore_text_put(att, a, "the text", 8, 0, &e), 0);
	assert_int_equal(attstore_text_put(att, f, "f.pdf: pdftotext could not read it", 34, 1,
					       &e), 0);
	assert_int_equal(attstore_text_kept(att, a), 1);
	assert_int_equal(attstore_text_get(att, a, 1024, &b, &e), 0);
	assert_string_equal(b.data, "the text");
	err_clear(&e);
	assert_int_equal(attstore_text_get(att, f, 1024, &b, &e), 2);
	assert_string_equal(e.msg, "f.pdf: pdftotext could not read it");
	struct buf hashes = BUF_INIT;
	buf_append(&hashes, a, 65);
	buf_append(&hashes, f, 65);
	attstore_collect(conv, &hashes);
	assert_int_equal(attstore_text_kept(att, a), 0);
	assert_int_equal(attstore_text_kept(att, f), 0);
	buf_reset(&path);
	buf_printf(&path, "%s/%s", att, a);
	assert_int_equal(access(path.data, F_OK), -1);
	buf_free(&hashes);
	buf_free(&path);
	buf_free(&b);
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/cherry-pdftext-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return harness_rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(which_skips_relative_and_missing),
		cmocka_unit_test(missing_says_what_to_do),
		cmocka_unit_test(output_and_stdin),
		cmocka_unit_test(failures_are_one_line),
		cmocka_unit_test(real_pdftotext),
		cmocka_unit_test(text_kept_beside),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
