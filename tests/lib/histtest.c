/* histtest: a test's conversation store and what saving writes (histtest.h). */
#include "histtest.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int histtest_open(struct histtest *t, hist_warn_fn warn, void *warn_ctx)
{
	char data[400], cache[400];
	struct err e = {0, ""};
	memset(t, 0, sizeof *t);
	if (testhome_make(&t->home) < 0)
		return -1;
	snprintf(data, sizeof data, "%s/data/cherry", t->home.root);
	snprintf(cache, sizeof cache, "%s/cache/cherry", t->home.root);
	snprintf(t->convdir, sizeof t->convdir, "%s/conversations", data);
	return histstore_open(&t->st, data, cache, warn, warn_ctx, &e);
}

void histtest_close(struct histtest *t)
{
	histstore_close(&t->st);
	testhome_remove(&t->home);
}

struct histtest histtest_T;
hist_warn_fn histtest_warn;

int histtest_setup(void **state)
{
	(void)state;
	return histtest_wchar() < 0 ? -1 : histtest_open(&histtest_T, histtest_warn, NULL);
}

int histtest_teardown(void **state)
{
	(void)state;
	histtest_close(&histtest_T);
	return 0;
}

int histtest_path(const struct histtest *t, char *p, size_t n, const char *id, const char *ext)
{
	int w = snprintf(p, n, "%s/%s%s", t->convdir, id, ext);
	return w >= 0 && (size_t)w < n ? 0 : -1;
}

off_t histtest_size(const struct histtest *t, const char *id, const char *ext)
{
	char p[900];
	struct stat sb;
	if (histtest_path(t, p, sizeof p, id, ext) < 0)
		return -1;
	return stat(p, &sb) == 0 ? sb.st_size : -1;
}

long long histtest_wchar(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	long long v = -1;
	while (f && fgets(line, sizeof line, f) && sscanf(line, "wchar: %lld", &v) != 1)
		;
	if (f)
		fclose(f);
	return v;
}

char *histtest_json(const struct hist_conv *c)
{
	struct buf b = BUF_INIT;
	if (hist_to_json(c, &b) < 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}
