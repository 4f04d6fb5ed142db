/* fakeproxy: a CONNECT proxy for the tests, in a child process (see fakeproxy.h). */
#include "fakeproxy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "harness.h"

#define HEAD_MAX 16384

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void log_head(const char *path, const char *head, size_t n)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		write_all(fd, head, n);
		close(fd);
	}
}

/* Relays bytes both ways until either side closes (or 60 s of silence). */
static void relay(int a, int b)
{
	char buf[65536];
	for (;;) {
		struct pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
		if (poll(p, 2, 60000) <= 0)
			return;
		for (int i = 0; i < 2; i++) {
			if (!p[i].revents)
				continue;
			ssize_t n = read(p[i].fd, buf, sizeof buf);
			if (n <= 0 || write_all(p[1 - i].fd, buf, (size_t)n) < 0)
				return;
		}
	}
}

/* Serves one client: reads its head, logs it, tunnels a CONNECT. */
static void serve(int c, const char *log_path)
{
	char head[HEAD_MAX + 1];
	size_t n = 0;
	char *end = NULL;
	while (!end && n < HEAD_MAX) {
		ssize_t r = read(c, head + n, HEAD_MAX - n);
		if (r <= 0)
			return;
		n += (size_t)r;
		head[n] = '\0';
		end = strstr(head, "\r\n\r\n");
	}
	if (!end)
		return;
	log_head(log_path, head, (size_t)(end + 4 - head));
	char host[256];
	int port = 0;
	if (sscanf(head, "CONNECT %255[^: ]:%d HTTP/1.", host, &port) != 2 || port <= 0) {
		static const char bad[] = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
					  "Connection: close\r\n\r\n";
		write_all(c, bad, sizeof bad - 1);
		return;
	}
	int up = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (up < 0 || connect(up, (struct sockaddr *)&a, sizeof a) < 0) {
		static const char bad[] = "HTTP/1.1 502 Bad Gateway\r\n\r\n";
		write_all(c, bad, sizeof bad - 1);
		if (up >= 0)
			close(up);
		return;
	}
	static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
	size_t rest = n - (size_t)(end + 4 - head);
	if (write_all(c, ok, sizeof ok - 1) == 0 && write_all(up, end + 4, rest) == 0)
		relay(c, up);
	close(up);
}

int fakeproxy_start(struct fakeproxy *px)
{
	memset(px, 0, sizeof *px);
	const char *tmp = getenv("TMPDIR");
	snprintf(px->log_path, sizeof px->log_path, "%s/cherry-proxy.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	int lf = mkstemp(px->log_path);
	if (lf < 0) {
		fprintf(stderr, "fakeproxy: mkstemp: %s\n", strerror(errno));
		px->log_path[0] = '\0';
		return -1;
	}
	close(lf);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 16) < 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &len) < 0) {
		fprintf(stderr, "fakeproxy: listen: %s\n", strerror(errno));
		if (ls >= 0)
			close(ls);
		return -1;
	}
	px->port = ntohs(a.sin_port);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(ls);
		return -1;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		signal(SIGTERM, SIG_DFL);
		for (;;) {
			struct pollfd p = {ls, POLLIN, 0};
			if (getppid() != parent)
				_exit(0); /* a crashed test must not leave us behind */
			if (poll(&p, 1, 1000) <= 0)
				continue;
			int c = accept(ls, NULL, NULL);
			if (c < 0)
				continue;
			serve(c, px->log_path);
			close(c);
		}
	}
	close(ls);
	px->pid = pid;
	return 0;
}

void fakeproxy_stop(struct fakeproxy *px)
{
	if (px->pid > 0) {
		kill(px->pid, SIGTERM);
		waitpid(px->pid, NULL, 0);
	}
	if (px->log_path[0])
		unlink(px->log_path);
	memset(px, 0, sizeof *px);
}

char *fakeproxy_log(const struct fakeproxy *px)
{
	char *s = harness_read_file(px->log_path, NULL);
	return s ? s : strdup("");
}

void fakeproxy_clear(const struct fakeproxy *px)
{
	int fd = open(px->log_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
}
