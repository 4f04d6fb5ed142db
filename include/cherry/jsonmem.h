/* jsonmem: jansson's allocator, which wipes every block it frees (but a secret-free
 * document's, jsonmem_loadb_plain) and counts every
 * allocation malloc refuses, and JSON text read with that count, so a document memory
 * ran out for is never taken for a whole one. */
#ifndef CHERRY_JSONMEM_H
#define CHERRY_JSONMEM_H

#include <stddef.h>

#include <jansson.h>

#include "cherry/buf.h"

/* Makes jansson allocate through jsonmem. Call it before the first json_* call (every
 * block must be freed by the allocator that made it): harden_process does, at start-up.
 * Idempotent. */
void jsonmem_install(void);

/*
 * json_loadb that knows when memory ran out. jansson does not always say so: a string
 * buffer that cannot grow drops the byte, and the document parses with a key or a value
 * cut short. Returns the document, or NULL with *oom set (memory ran out: nothing that
 * was read can be trusted) or clear (err says what is wrong with the text). Before
 * jsonmem_install (some tests, the fuzzers) *oom is never set.
 */
json_t *jsonmem_loadb(const char *data, size_t len, size_t flags, json_error_t *err, int *oom);
/* The same for a document that holds no secret (a stream's events): its blocks are not
 * wiped when freed, which costs ~5% of reading an answer. Not for anything that may
 * carry a key, a token or a decrypted store. */
json_t *jsonmem_loadb_plain(const char *data, size_t len, size_t flags, json_error_t *err,
			    int *oom);
/* json_dumps into memory from malloc (free it with free(), whatever allocator jansson
 * uses); NULL on OOM. */
char *jsonmem_dumps(const json_t *v, size_t flags);
/* json_dump_callback appended to out in one pass: 0, or -1 (OOM) with out as it was. */
int jsonmem_dump(const json_t *v, size_t flags, struct buf *out);
/* The same for text read in chunks (json_load_callback). */
json_t *jsonmem_load_callback(json_load_callback_t read, void *ctx, size_t flags,
			      json_error_t *err, int *oom);

#endif
