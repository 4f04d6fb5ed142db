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
/* Wipes and frees (NULL is fine, and so is a hidden secret). */
void secret_free(struct secret *sec);

/* A secret that is kept but not in use is hidden: its bytes (sec->s) become
 * unreadable (sodium_mprotect_noaccess) until shown again, so a stray read
 * faults instead of leaking. len stays readable. NULL is fine for both. */
void secret_hide(struct secret *sec);
void secret_show(struct secret *sec);

#endif
