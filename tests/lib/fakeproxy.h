/* fakeproxy: a tiny HTTP CONNECT proxy on loopback for the proxy tests. It runs in a
 * child process, logs the head of every request it gets (the CONNECT line and headers),
 * and tunnels each CONNECT to 127.0.0.1 at the requested port, whatever the requested
 * host: a provider named fake.localhost is then reached only through it. Any other
 * request is logged and answered 502. */
#ifndef CHERRY_TEST_FAKEPROXY_H
#define CHERRY_TEST_FAKEPROXY_H

#include <sys/types.h>

struct fakeproxy {
	pid_t pid;
	int port;
	char log_path[300];
};

/* Starts it; 0, or -1 with a line on stderr. */
int fakeproxy_start(struct fakeproxy *px);
/* Stops it and removes its log. Safe on a zeroed struct. */
void fakeproxy_stop(struct fakeproxy *px);
/* Every request head so far, each ending in an empty line; "" when none (caller frees). */
char *fakeproxy_log(const struct fakeproxy *px);
/* Empties the log. */
void fakeproxy_clear(const struct fakeproxy *px);

#endif
