/* harness_int: what harness.c and harness_run.c share. Private to tests/lib. */
#ifndef CHERRY_TEST_HARNESS_INT_H
#define CHERRY_TEST_HARNESS_INT_H

#include <stddef.h>

/* A small growable byte buffer, always NUL-terminated once something was added. */
struct hbuf {
	char *p;
	size_t len, cap;
};
int hb_add(struct hbuf *b, const void *data, size_t n);

/* Seconds on the monotonic clock; a sleep that survives signals. */
double mono_now(void);
void sleep_ms(int ms);

#endif
