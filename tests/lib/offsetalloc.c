/* offsetalloc: jansson's memory unlike plain malloc memory (offsetalloc.h). */
#include "offsetalloc.h"

#include <stdlib.h>

#include <jansson.h>

static void *offset_malloc(size_t n)
{
	char *p = malloc(n + 16);
	return p ? p + 16 : NULL;
}

static void offset_free(void *p)
{
	if (p)
		free((char *)p - 16);
}

void offsetalloc_use(void)
{
	json_set_alloc_funcs(offset_malloc, offset_free);
}
