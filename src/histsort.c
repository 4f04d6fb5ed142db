/* histsort: a listing's entries put in order (newest first) in steps: the entries whose
 * files are gone dropped, and those read from their files (100,000 of them after a
 * cold rebuild) sorted by a bottom-up merge of their places, a bounded number of moves
 * at a time, then merged into the rest, which is in order already. So the client's
 * keys are answered while it runs. Pure. */
#include <stdlib.h>
#include <string.h>

#include "histlist_int.h"

int hist_ientry_cmp(const struct ientry *x, const struct ientry *y)
{
	if (x->updated != y->updated)
		return x->updated < y->updated ? 1 : -1;
	return strcmp(x->id, y->id);
}

void hist_block_release(struct block *b)
{
	if (b && --b->refs == 0)
		free(b);
}

void hist_ientry_free(struct ientry *x)
{
	if (x->own)
		free(x->id);
	hist_block_release(x->blk);
	x->blk = NULL;
	x->id = NULL;
	x->own = 0;
}

/* The first call: the gone dropped, the rest of v kept in place (in order when sorted),
 * the moved (every one when v is not sorted) put aside to be sorted. 0, -1 OOM. */
static int begin(struct hist_settle *st, struct ientry *v, size_t *n, int sorted)
{
	size_t nm = 0;
	for (size_t i = 0; i < *n; i++)
		nm += v[i].seen && (v[i].moved || !sorted);
	st->moved = malloc((nm ? nm : 1) * sizeof *st->moved);
	st->ord = malloc((nm ? nm : 1) * sizeof *st->ord);
	st->tmp = malloc((nm ? nm : 1) * sizeof *st->tmp);
	if (!st->moved || !st->ord || !st->tmp || nm >= UINT32_MAX)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < *n; i++) {
		struct ientry *x = &v[i];
		if (!x->seen) {
			st->dropped = 1;
			hist_ientry_free(x);
		} else if (x->moved || !sorted) {
			st->ord[st->nm] = (uint32_t)st->nm;
			st->moved[st->nm++] = *x;
		} else {
			v[k++] = *x;
		}
	}
	*n = k;
	st->width = 1;
	st->begun = 1;
	return 0;
}

/* One merge of two neighbouring runs of width from ord into tmp. Its moves. */
static size_t merge_runs(struct hist_settle *st, size_t lo)
{
	size_t mid = lo + st->width < st->nm ? lo + st->width : st->nm;
	size_t hi = lo + 2 * st->width < st->nm ? lo + 2 * st->width : st->nm;
	size_t a = lo, b = mid, o = lo;
	while (a < mid && b < hi)
		st->tmp[o++] = hist_ientry_cmp(&st->moved[st->ord[b]],
					       &st->moved[st->ord[a]]) < 0 ? st->ord[b++] :
					       st->ord[a++];
	while (a < mid)
		st->tmp[o++] = st->ord[a++];
	while (b < hi)
		st->tmp[o++] = st->ord[b++];
	return hi - lo;
}

int hist_settle_step(struct hist_settle *st, struct ientry *v, size_t *n, int sorted,
		     size_t budget)
{
	if (!st->begun && begin(st, v, n, sorted) < 0)
		return -1;
	size_t moves = 0;
	while (st->width < st->nm) {
		if (moves >= budget)
			return 0;
		moves += merge_runs(st, st->pos);
		st->pos += 2 * st->width;
		if (st->pos >= st->nm) { /* a pass done: its output is the next one's input */
			uint32_t *t = st->ord;
			st->ord = st->tmp;
			st->tmp = t;
			st->pos = 0;
			st->width *= 2;
		}
	}
	/* merge from the back: v has room for all of them */
	size_t i = *n, j = st->nm, o = *n + st->nm;
	while (j > 0) {
		if (i > 0 && hist_ientry_cmp(&v[i - 1], &st->moved[st->ord[j - 1]]) > 0)
			v[--o] = v[--i];
		else
			v[--o] = st->moved[st->ord[--j]];
	}
	*n += st->nm;
	for (size_t k = 0; k < *n; k++)
		v[k].moved = 0;
	st->nm = 0;
	hist_settle_free(st);
	return 1;
}

void hist_settle_free(struct hist_settle *st)
{
	free(st->moved);
	free(st->ord);
	free(st->tmp);
	st->moved = NULL;
	st->ord = st->tmp = NULL;
}
