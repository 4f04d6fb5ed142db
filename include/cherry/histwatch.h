/* histwatch: the conversations changed on disk since a point (histwatch.c). */
#ifndef CHERRY_HISTWATCH_H
#define CHERRY_HISTWATCH_H

#include <stddef.h>

#include "cherry/histstore.h"

/* Ids kept between two takes at most; more count as lost (read the list whole). */
#define HISTWATCH_MAX 256

struct histwatch;
/* Starts watching s's conversations directory; NULL when it cannot (no inotify, no
 * watch left, out of memory): the caller then reads the list whole each time. */
struct histwatch *histwatch_open(const struct histstore *s);
/* Its descriptor, readable when events wait (-1 for NULL). */
int histwatch_fd(const struct histwatch *w);
/* Reads the events waiting, never blocking, keeping the ids of the conversations whose
 * files or journals they name (temp and lock files are not). */
void histwatch_drain(struct histwatch *w);
/* Drains, then hands over the ids kept since the last take (*ids the caller's to free,
 * NULL when none) and forgets them: 0; 1 when some were lost (the kernel's queue
 * overflowed, the directory went, too many, or w is NULL): read the list whole; -1 out
 * of memory (they are forgotten all the same: read it whole). */
int histwatch_take(struct histwatch *w, char (**ids)[HIST_ID_MAX + 1], size_t *n);
void histwatch_close(struct histwatch *w);

#endif
