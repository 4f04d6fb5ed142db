/* search: finding text in bytes, ASCII letters matched without regard to case (pure).
 * The scan lowers the text a block at a time into a buffer on the stack and hands it
 * to memmem, whose two-way/SIMD search is what grep's literal search also does: the cost
 * is a pass over the bytes, whatever the needle. Unicode case folding belongs to the
 * caller (fold both sides, then search here); bytes above 0x7f are compared as they are. */
#ifndef CHERRY_SEARCH_H
#define CHERRY_SEARCH_H

#include <stddef.h>

/* The first occurrence of needle[0..nlen) in hay[0..len), ASCII case ignored; NULL when
 * there is none (an empty needle is found at hay). */
const char *search_find_fold(const char *hay, size_t len, const char *needle, size_t nlen);
/* 1 when it occurs, else 0. */
int search_contains_fold(const char *hay, size_t len, const char *needle, size_t nlen);

#endif
