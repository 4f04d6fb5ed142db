/* histtest: a test's conversation store in a home of its own, and what saving writes
 * (test_journal_save, test_journal_edits, bench/writes_bench). */
#ifndef CHERRY_TEST_HISTTEST_H
#define CHERRY_TEST_HISTTEST_H

#include <stddef.h>
#include <sys/types.h>

#include "cherry/histstore.h"
#include "harness.h"

struct histtest {
	struct testhome home;
	char convdir[700];  /* <home>/data/cherry/conversations */
	struct histstore st;
};

/* The one a test group uses through histtest_setup and histtest_teardown (cmocka's
 * setup and teardown functions; setup fails where /proc/self/io has no wchar, which the
 * tests of bytes written need); histtest_warn, when set, gets the store's warnings. */
extern struct histtest histtest_T;
extern hist_warn_fn histtest_warn;
int histtest_setup(void **state);
int histtest_teardown(void **state);
/* A fresh home and its store (warn may be NULL). 0, or -1. */
int histtest_open(struct histtest *t, hist_warn_fn warn, void *warn_ctx);
void histtest_close(struct histtest *t);
/* "<convdir>/<id><ext>" into p: 0, or -1 when it does not fit. */
int histtest_path(const struct histtest *t, char *p, size_t n, const char *id, const char *ext);
/* That file's size, or -1 when there is none. */
off_t histtest_size(const struct histtest *t, const char *id, const char *ext);
/* Bytes this process has passed to write(2) so far (/proc/self/io wchar), -1 unknown. */
long long histtest_wchar(void);
/* The conversation as its file would hold it (malloc'd), NULL on OOM. */
char *histtest_json(const struct hist_conv *c);

#endif
