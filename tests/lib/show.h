/* show: bytes shown readably in a test's failure message: printable ASCII as it is, any
 * other byte and the backslash as \xNN. */
#ifndef CHERRY_TEST_SHOW_H
#define CHERRY_TEST_SHOW_H

#include <stddef.h>

/* The n bytes at p, cut at about 2,000 characters, in one of 8 static buffers used in
 * turn: up to 8 results can stand in one message. */
const char *show(const char *p, size_t n);

#endif
