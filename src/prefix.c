/* prefix: the part of a list holding a line, found in its prefix sums (pure). */
#include "cherry/prefix.h"

size_t prefix_find(const size_t *first, size_t n, size_t k)
{
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (first[mid] <= k)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}
