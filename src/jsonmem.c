/* jsonmem: jansson's allocator (every block wiped when freed, but those of a document
 * read as holding no secret; every refused allocation counted) and the one JSON reader
 * that uses the count to tell a document memory ran out for from a whole one. */
#include "cherry/jsonmem.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

#include <sodium.h>

/* Each block carries its size in front, so free can wipe exactly what was handed out,
 * and whether it was made for a document without secrets (never wiped); the prefix is
 * max_align_t-sized to keep the block aligned. */
union prefix {
	struct {
		size_t size;
		int plain;
	} b;
	max_align_t align;
};

/* Set while jsonmem_loadb_plain reads: the blocks made then are not wiped. Each thread
 * has its own (a whole save writes a conversation on a thread of its own, histstore.c),
 * and counts its own refusals: a document is judged by what failed while it was read. */
static _Thread_local int reading_plain;

/* How many of jansson's allocations malloc has refused in this thread. */
static _Thread_local unsigned long failures;
static int installed;

/* jansson's lexer does not survive every refused allocation: a string buffer that cannot
 * grow drops the byte, and its second pass over the string then asserts. So a refused
 * allocation is counted (the document is thrown away) and served from this reserve,
 * which is whole again as soon as its last block is freed. Only an allocation bigger
 * than what is left of it still gets NULL. */
static alignas(max_align_t) unsigned char reserve[64 * 1024];
static size_t reserve_used;
static size_t reserve_blocks;
static pthread_mutex_t reserve_lock = PTHREAD_MUTEX_INITIALIZER;

static int in_reserve(const void *p)
{
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)reserve;
	return a >= lo && a < lo + sizeof reserve;
}

static union prefix *from_reserve(size_t total)
{
	size_t align = alignof(max_align_t);
	size_t need = (total + align - 1) / align * align;
	if (total > sizeof reserve || need > sizeof reserve - reserve_used)
		return NULL;
	union prefix *p = (union prefix *)(void *)(reserve + reserve_used);
	reserve_used += need;
	reserve_blocks++;
	return p;
}

static void *json_malloc(size_t size)
{
	if (size > SIZE_MAX - sizeof(union prefix))
		return NULL;
	union prefix *p = malloc(sizeof *p + size);
	if (!p) {
		failures++;
		pthread_mutex_lock(&reserve_lock);
		p = from_reserve(sizeof *p + size);
		pthread_mutex_unlock(&reserve_lock);
		if (!p)
			return NULL;
	}
	p->b.size = size;
	p->b.plain = reading_plain;
	return p + 1;
}

/* jansson holds decrypted key stores and request bodies carrying keys; every block is
 * zeroed before it goes back, but a block made while reading a document that holds no
 * secret (a stream's events: the answer's text, which is shown and saved in the clear).
 * A secret's blocks are never made in that window, so whenever they are freed they are
 * wiped. */
static void json_free(void *ptr)
{
	if (!ptr)
		return;
	union prefix *p = (union prefix *)ptr - 1;
	if (!p->b.plain)
		sodium_memzero(ptr, p->b.size);
	if (!in_reserve(p)) {
		free(p);
		return;
	}
	pthread_mutex_lock(&reserve_lock);
	if (--reserve_blocks == 0)
		reserve_used = 0;
	pthread_mutex_unlock(&reserve_lock);
}

void jsonmem_install(void)
{
	if (installed)
		return;
	json_set_alloc_funcs(json_malloc, json_free);
	installed = 1;
}

json_t *jsonmem_loadb(const char *data, size_t len, size_t flags, json_error_t *err, int *oom)
{
	unsigned long before = failures;
	json_t *root = json_loadb(data, len, flags, err);
	/* Without the allocator installed nothing is counted: jansson's own word stands. */
	*oom = installed && failures != before;
	if (*oom) {
		json_decref(root);
		root = NULL;
	}
	return root;
}

json_t *jsonmem_loadb_plain(const char *data, size_t len, size_t flags, json_error_t *err,
			    int *oom)
{
	reading_plain = 1;
	json_t *root = jsonmem_loadb(data, len, flags, err, oom);
	reading_plain = 0;
	return root;
}

json_t *jsonmem_load_callback(json_load_callback_t read, void *ctx, size_t flags,
			      json_error_t *err, int *oom)
{
	unsigned long before = failures;
	json_t *root = json_load_callback(read, ctx, flags, err);
	*oom = installed && failures != before;
	if (*oom) {
		json_decref(root);
		root = NULL;
	}
	return root;
}

char *jsonmem_dumps(const json_t *v, size_t flags)
{
	size_t n = json_dumpb(v, NULL, 0, flags);
	char *s = n ? malloc(n + 1) : NULL;
	if (s && json_dumpb(v, s, n, flags) != n) {
		free(s);
		return NULL;
	}
	if (s)
		s[n] = '\0';
	return s;
}

/* jansson leaves some of its callback's failures unchecked (an object's key, in 2.14):
 * the first one sticks, and the dump fails however jansson ends it. */
struct dump_sink {
	struct buf *out;
	int failed;
};

static int dump_to_buf(const char *bytes, size_t len, void *ctx)
{
	struct dump_sink *d = ctx;
	if (!d->failed && buf_append(d->out, bytes, len) < 0)
		d->failed = 1;
	return d->failed ? -1 : 0;
}

int jsonmem_dump(const json_t *v, size_t flags, struct buf *out)
{
	size_t from = out->len;
	struct dump_sink d = {out, 0};
	if (json_dump_callback(v, dump_to_buf, &d, flags) < 0 || d.failed) {
		out->len = from;
		if (out->data)
			out->data[from] = '\0';
		return -1;
	}
	return 0;
}
