/* secret: a string kept in sodium_malloc memory (guarded, wiped on free). */
#ifndef CHERRY_SECRET_H
#define CHERRY_SECRET_H

#include <stddef.h>

struct secret {
	char *s;    /* NUL-terminated, in sodium_malloc memory */
	size_t len;
};

/* Copies len bytes of s into guarded memory. NULL when memory ran out. */
struct secret *secret_new(const char *s, size_t len);
/* Wipes and frees (NULL is fine). */
void secret_free(struct secret *sec);

#endif
