/* histids: ids to places in an array of entries that begin with their id (histlist's
 * index of 100,000 conversations): open addressing, FNV-1a, at most half full. */
#include <stdlib.h>
#include <string.h>

#include "histlist_int.h"

static uint32_t hash_id(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return (uint32_t)(h ^ (h >> 32));
}

static const char *name_at(const void *base, size_t stride, uint32_t slot)
{
	const char *const *p = (const void *)((const char *)base + (slot - 1) * stride);
	return *p;
}

static uint32_t *ids_slot(const struct hist_ids *t, const char *id, const void *base,
			  size_t stride)
{
	for (size_t i = hash_id(id) & t->mask;; i = (i + 1) & t->mask)
		if (!t->slots[i] || !strcmp(name_at(base, stride, t->slots[i]), id))
			return &t->slots[i];
}

size_t hist_ids_find(const struct hist_ids *t, const char *id, const void *base,
		     size_t stride)
{
	if (!t->slots)
		return HIST_NONE;
	uint32_t s = *ids_slot(t, id, base, stride);
	return s ? s - 1 : HIST_NONE;
}

/* Room for want ids without growing: 0, -1 out of memory (the table is unchanged). */
static int ids_grow(struct hist_ids *t, size_t want, const void *base, size_t stride)
{
	if (t->slots && want * 2 <= t->mask + 1)
		return 0;
	size_t n = t->slots ? (t->mask + 1) * 2 : 1024;
	while (want * 2 > n)
		n *= 2;
	uint32_t *ns = calloc(n, sizeof *ns);
	if (!ns)
		return -1;
	struct hist_ids old = *t;
	t->slots = ns;
	t->mask = n - 1;
	for (size_t k = 0; old.slots && k <= old.mask; k++)
		if (old.slots[k])
			*ids_slot(t, name_at(base, stride, old.slots[k]), base, stride) = old.slots[k];
	free(old.slots);
	return 0;
}

int hist_ids_reserve(struct hist_ids *t, size_t want, const void *base, size_t stride)
{
	return want >= UINT32_MAX / 2 ? -1 : ids_grow(t, want, base, stride);
}

int hist_ids_add(struct hist_ids *t, size_t i, const void *base, size_t stride)
{
	if (i >= UINT32_MAX - 1 || ids_grow(t, t->count + 1, base, stride) < 0)
		return -1;
	uint32_t *s = ids_slot(t, name_at(base, stride, (uint32_t)(i + 1)), base, stride);
	if (*s)
		return 1;
	*s = (uint32_t)(i + 1);
	t->count++;
	return 0;
}

void hist_ids_free(struct hist_ids *t)
{
	free(t->slots);
	memset(t, 0, sizeof *t);
}

