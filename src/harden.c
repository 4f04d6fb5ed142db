/* harden: libsodium start-up, wiping JSON allocator, no core dumps, not dumpable. */
#include "cherry/harden.h"

#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <jansson.h>
#include <sodium.h>

/* Each block carries its size in front, so free can wipe exactly what was
 * handed out; the prefix is max_align_t-sized to keep the block aligned. */
union wipe_prefix {
	size_t size;
	max_align_t align;
};

static void *wipe_malloc(size_t size)
{
	if (size > SIZE_MAX - sizeof(union wipe_prefix))
		return NULL;
	union wipe_prefix *p = malloc(sizeof *p + size);
	if (!p)
		return NULL;
	p->size = size;
	return p + 1;
}

/* jansson holds decrypted key stores and request bodies carrying keys; every
 * block is zeroed before it goes back to the C library. */
static void wipe_free(void *ptr)
{
	if (!ptr)
		return;
	union wipe_prefix *p = (union wipe_prefix *)ptr - 1;
	sodium_memzero(ptr, p->size);
	free(p);
}

void harden_json_alloc(void)
{
	json_set_alloc_funcs(wipe_malloc, wipe_free);
}

int harden_process(struct err *e)
{
	if (sodium_init() < 0) {
		err_set(e, EXIT_FAIL, "cannot initialise libsodium (is /dev/urandom readable?)");
		return -1;
	}
	harden_json_alloc();
	/* Failures below only lose defence in depth; cherry still runs. */
	struct rlimit none = {0, 0};
	(void)setrlimit(RLIMIT_CORE, &none);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	return 0;
}
