/* histwatch: which conversations changed on disk since a point, from inotify watching
 * the conversations directory, so that a client that has read the list once reads again
 * only the files named (100,000 conversations: a switcher opened again costs what
 * changed, not a read of the index and the directory). Where inotify is missing, or
 * events were lost, the caller reads the list whole. */
#include "cherry/histwatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "histlist_int.h"

struct histwatch {
	int fd;
	int lost; /* events were lost, or too many ids: the list is to be read whole */
	size_t n;
	char ids[HISTWATCH_MAX][HIST_ID_MAX + 1];
};

#ifdef __linux__

struct histwatch *histwatch_open(const struct histstore *s)
{
	struct histwatch *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	/* what a listing looks at: names made, gone, renamed in or out; contents written
	 * (a journal appended to, a file written in place) */
	uint32_t mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY |
			IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
	if (w->fd < 0 || inotify_add_watch(w->fd, s->dir, mask) < 0) {
		histwatch_close(w);
		return NULL;
	}
	return w;
}

int histwatch_fd(const struct histwatch *w)
{
	return w ? w->fd : -1;
}

/* The conversation a name in the directory is of (its file or journal): 1 with id. */
static int id_of(const char *name, char id[HIST_ID_MAX + 1])
{
	return histstore_file_id(name, id) || histstore_journal_id(name, id);
}

static void note(struct histwatch *w, const char *name)
{
	char id[HIST_ID_MAX + 1];
	if (!id_of(name, id))
		return; /* a temp file, a lock: its rename or removal is what counts */
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->ids[i], id))
			return;
	if (w->n == HISTWATCH_MAX) {
		w->lost = 1; /* so many that reading the whole list costs no more */
		return;
	}
	memcpy(w->ids[w->n++], id, strlen(id) + 1);
}

void histwatch_drain(struct histwatch *w)
{
	if (!w)
		return;
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t r = read(w->fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return; /* EAGAIN: nothing more waiting */
		for (char *p = buf; p < buf + r;) {
			const struct inotify_event *ev = (const void *)p;
			if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
				w->lost = 1;
			else if (ev->len)
				note(w, ev->name);
			p += sizeof *ev + ev->len;
		}
	}
}

#else

struct histwatch *histwatch_open(const struct histstore *s)
{
	(void)s;
	return NULL;
}

int histwatch_fd(const struct histwatch *w)
{
	(void)w;
	return -1;
}

void histwatch_drain(struct histwatch *w)
{
	(void)w;
}

#endif

int histwatch_take(struct histwatch *w, char (**ids)[HIST_ID_MAX + 1], size_t *n)
{
	*ids = NULL;
	*n = 0;
	if (!w)
		return 1;
	histwatch_drain(w);
	int lost = w->lost;
	if (!lost && w->n) {
		*ids = malloc(w->n * sizeof **ids);
		if (!*ids)
			return -1;
		memcpy(*ids, w->ids, w->n * sizeof **ids);
		*n = w->n;
	}
	w->n = 0;
	w->lost = 0;
	return lost;
}

void histwatch_close(struct histwatch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}
