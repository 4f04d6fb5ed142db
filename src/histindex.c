/* histindex: the conversation tree's id index (history.h): a hash from message id to
 * its place, each message's parent, and its children in the order they were added, so
 * that finding, walking up and walking down cost what they visit, not the conversation's
 * size. Kept by hist_add and the loaders; a conversation whose messages were changed
 * behind its back (c->n no longer what was indexed) is answered by scanning until
 * hist_reindex. No I/O. */
#include "cherry/history.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct hist_index {
	size_t n;        /* messages indexed; the index is current while this is c->n */
	size_t cap;      /* room in the per-message arrays */
	size_t mask;     /* slots - 1 (a power of two, at least twice n) */
	size_t *slots;   /* message index + 1; 0 is empty */
	size_t *parent;  /* per message: its parent's index, HIST_NONE for a root */
	size_t *first;   /* per message: its first and last child, HIST_NONE when none */
	size_t *last;
	size_t *next;    /* per message: the next child of the same parent */
	size_t root_first, root_last;
};

static size_t hash_id(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return (size_t)(h ^ (h >> 29));
}

static int current(const struct hist_conv *c)
{
	return c->index && c->index->n == c->n;
}

void hist_index_free(struct hist_conv *c)
{
	struct hist_index *x = c->index;
	if (!x)
		return;
	free(x->slots);
	free(x->parent);
	free(x->first);
	free(x->last);
	free(x->next);
	free(x);
	c->index = NULL;
}

/* The slot holding id, or the empty slot where it would go. */
static size_t *slot_of(const struct hist_conv *c, const char *id)
{
	const struct hist_index *x = c->index;
	for (size_t i = hash_id(id) & x->mask;; i = (i + 1) & x->mask)
		if (!x->slots[i] || !strcmp(c->msgs[x->slots[i] - 1].id, id))
			return &x->slots[i];
}

static int grow_slots(struct hist_conv *c, size_t want)
{
	struct hist_index *x = c->index;
	size_t n = 16;
	while (n < want * 2)
		n *= 2;
	if (x->slots && n <= x->mask + 1)
		return 0;
	size_t *s = calloc(n, sizeof *s);
	if (!s)
		return -1;
	size_t *old = x->slots, oldn = x->slots ? x->mask + 1 : 0;
	x->slots = s;
	x->mask = n - 1;
	for (size_t i = 0; i < oldn; i++)
		if (old[i])
			*slot_of(c, c->msgs[old[i] - 1].id) = old[i];
	free(old);
	return 0;
}

/* Message i's parent by the hash (HIST_NONE: a root, or a parent not indexed). */
static size_t parent_slot(const struct hist_conv *c, size_t i)
{
	if (!c->msgs[i].parent)
		return HIST_NONE;
	size_t s = *slot_of(c, c->msgs[i].parent);
	return s ? s - 1 : HIST_NONE;
}

/* Appends i to p's children (p HIST_NONE: the roots). */
static void link_child(struct hist_index *x, size_t p, size_t i)
{
	size_t *first = p == HIST_NONE ? &x->root_first : &x->first[p];
	size_t *last = p == HIST_NONE ? &x->root_last : &x->last[p];
	if (*last == HIST_NONE)
		*first = i;
	else
		x->next[*last] = i;
	*last = i;
}

static int grow_arrays(struct hist_index *x, size_t want)
{
	if (want <= x->cap)
		return 0;
	size_t cap = x->cap ? x->cap : 8;
	while (cap < want)
		cap *= 2;
	size_t **arrays[] = {&x->parent, &x->first, &x->last, &x->next};
	for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
		size_t *p = realloc(*arrays[i], cap * sizeof *p);
		if (!p)
			return -1;
		*arrays[i] = p;
	}
	x->cap = cap;
	return 0;
}

/* Indexes the message just appended (msgs[n - 1]); an index that is not current is
 * rebuilt whole. 0, 1 when its id is taken (it is then not indexed), -1 OOM. */
int hist_index_push(struct hist_conv *c)
{
	struct hist_index *x = c->index;
	if (!c->n)
		return 0;
	if (!x || x->n != c->n - 1)
		return hist_reindex(c);
	size_t i = x->n;
	if (grow_slots(c, i + 1) < 0 || grow_arrays(x, i + 1) < 0)
		return -1;
	size_t *s = slot_of(c, c->msgs[i].id);
	if (*s)
		return 1;
	*s = i + 1;
	size_t p = x->parent[i] = parent_slot(c, i);
	x->first[i] = x->last[i] = x->next[i] = HIST_NONE;
	if (p != HIST_NONE || !c->msgs[i].parent)
		link_child(x, p, i);
	x->n = i + 1;
	return 0;
}

int hist_reindex(struct hist_conv *c)
{
	hist_index_free(c);
	if (!(c->index = calloc(1, sizeof *c->index)))
		return -1;
	c->index->root_first = c->index->root_last = HIST_NONE;
	if (grow_slots(c, c->n) < 0 || grow_arrays(c->index, c->n) < 0) {
		hist_index_free(c);
		return -1;
	}
	/* Parents may come after their children in a hand-made file: ids first, links after. */
	int dup = 0;
	for (size_t i = 0; i < c->n; i++) {
		size_t *s = slot_of(c, c->msgs[i].id);
		if (!*s)
			*s = i + 1;
		else
			dup = 1;
	}
	struct hist_index *x = c->index;
	for (size_t i = 0; i < c->n; i++) {
		x->parent[i] = parent_slot(c, i);
		x->first[i] = x->last[i] = x->next[i] = HIST_NONE;
	}
	for (size_t i = 0; i < c->n; i++) {
		size_t p = x->parent[i];
		if (p != HIST_NONE || !c->msgs[i].parent) /* a dangling child is nobody's */
			link_child(x, p, i);
	}
	x->n = c->n;
	return dup;
}

size_t hist_index_of(const struct hist_conv *c, const char *id)
{
	if (!id)
		return HIST_NONE;
	if (current(c)) {
		size_t s = *slot_of(c, id);
		return s ? s - 1 : HIST_NONE;
	}
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->msgs[i].id, id))
			return i;
	return HIST_NONE;
}

struct hist_msg *hist_find(const struct hist_conv *c, const char *id)
{
	size_t i = hist_index_of(c, id);
	return i == HIST_NONE ? NULL : &c->msgs[i];
}

size_t hist_parent_of(const struct hist_conv *c, size_t i)
{
	if (i >= c->n)
		return HIST_NONE;
	if (current(c))
		return c->index->parent[i];
	return hist_index_of(c, c->msgs[i].parent);
}

/* Without a current index: is j a child of p (HIST_NONE: a root)? */
static int child_of(const struct hist_conv *c, size_t j, size_t p)
{
	const char *pid = c->msgs[j].parent;
	return p == HIST_NONE ? !pid : pid && !strcmp(pid, c->msgs[p].id);
}

size_t hist_first_child(const struct hist_conv *c, size_t p)
{
	if (p != HIST_NONE && p >= c->n)
		return HIST_NONE;
	if (current(c))
		return p == HIST_NONE ? c->index->root_first : c->index->first[p];
	for (size_t j = 0; j < c->n; j++)
		if (child_of(c, j, p))
			return j;
	return HIST_NONE;
}

size_t hist_last_child(const struct hist_conv *c, size_t p)
{
	if (p != HIST_NONE && p >= c->n)
		return HIST_NONE;
	if (current(c))
		return p == HIST_NONE ? c->index->root_last : c->index->last[p];
	for (size_t j = c->n; j-- > 0;)
		if (child_of(c, j, p))
			return j;
	return HIST_NONE;
}

size_t hist_next_sibling(const struct hist_conv *c, size_t i)
{
	if (i >= c->n)
		return HIST_NONE;
	if (current(c))
		return c->index->next[i];
	size_t p = hist_index_of(c, c->msgs[i].parent);
	if (c->msgs[i].parent && p == HIST_NONE)
		return HIST_NONE;
	for (size_t j = i + 1; j < c->n; j++)
		if (child_of(c, j, p))
			return j;
	return HIST_NONE;
}
