/* ui_rows: which rows of a window a frame must paint, from each row's signature and the
 * last frame's; a moved content is a shift of the window's rows, not a repaint. */
#include "cherry/ui_rows.h"

#include <stdlib.h>
#include <string.h>

uint64_t ui_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3u;
	}
	return h;
}

uint64_t ui_hash_int(uint64_t h, long long v)
{
	return ui_hash(h, &v, sizeof v);
}

void ui_rows_invalidate(struct ui_rows *r)
{
	r->valid = 0;
}

void ui_rows_free(struct ui_rows *r)
{
	free(r->sig);
	memset(r, 0, sizeof *r);
}

/* Rows that hold what now asks when the old rows move up by k. */
static int matches(const struct ui_rows *r, const uint64_t *now, int n, int k)
{
	int m = 0;
	for (int y = 0; y < n; y++)
		m += y + k >= 0 && y + k < n && r->sig[y + k] == now[y];
	return m;
}

int ui_rows_plan(struct ui_rows *r, const uint64_t *now, int n, int hint,
		 unsigned char *paint)
{
	int k = 0;
	if (n < 1)
		return 0;
	if (r->n != n) {
		uint64_t *s = realloc(r->sig, (size_t)n * sizeof *s);
		if (!s) {
			memset(paint, 1, (size_t)n);
			r->valid = 0;
			r->painted = n;
			r->shift = 0;
			return 0;
		}
		r->sig = s;
		r->n = n;
		r->valid = 0;
	}
	if (r->valid && hint && hint > -n && hint < n &&
	    matches(r, now, n, hint) > matches(r, now, n, 0))
		k = hint;
	r->painted = 0;
	for (int y = 0; y < n; y++) {
		int held = r->valid && y + k >= 0 && y + k < n && r->sig[y + k] == now[y];
		paint[y] = !held;
		r->painted += !held;
	}
	memcpy(r->sig, now, (size_t)n * sizeof *now);
	r->valid = 1;
	r->shift = k;
	return k;
}
