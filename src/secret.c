/* secret: strings in guarded memory that is wiped when freed and hidden while idle. */
#include "cherry/secret.h"

#include <string.h>

#include <sodium.h>

struct secret *secret_new(const char *s, size_t len)
{
	struct secret *sec = sodium_malloc(sizeof *sec);
	if (!sec)
		return NULL;
	sec->s = sodium_malloc(len + 1);
	if (!sec->s) {
		sodium_free(sec);
		return NULL;
	}
	memcpy(sec->s, s, len);
	sec->s[len] = '\0';
	sec->len = len;
	return sec;
}

void secret_free(struct secret *sec)
{
	if (!sec)
		return;
	sodium_free(sec->s); /* makes the pages writable again, wipes, releases */
	sodium_free(sec);
}

void secret_hide(struct secret *sec)
{
	if (sec)
		sodium_mprotect_noaccess(sec->s);
}

void secret_show(struct secret *sec)
{
	if (sec)
		sodium_mprotect_readwrite(sec->s);
}
