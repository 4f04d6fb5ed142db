/* prefix: the one search over prefix sums of line counts (pure). A list of parts (a
 * view's messages, a stream's segments) keeps first[i], the index of part i's first line
 * (first[0] == 0, non-decreasing); the part holding line k is the last whose first line
 * is at or before k. */
#ifndef CHERRY_PREFIX_H
#define CHERRY_PREFIX_H

#include <stddef.h>

/* The last i < n with first[i] <= k (0 when there is none or n is 0): the part holding
 * line k when k is below the total. O(log n). */
size_t prefix_find(const size_t *first, size_t n, size_t k);

#endif
