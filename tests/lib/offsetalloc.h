/* offsetalloc: jansson's memory made unlike plain malloc memory, as main's wiping
 * allocator makes it: any free() of a string jansson allocated crashes (as it did in the
 * real binary). */
#ifndef CHERRY_TEST_OFFSETALLOC_H
#define CHERRY_TEST_OFFSETALLOC_H

/* Points jansson at blocks that start 16 bytes into malloc's. Call before any JSON. */
void offsetalloc_use(void);

#endif
