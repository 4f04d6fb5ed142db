/* loop: the self-pipe that turns signals into something the one wait sees. */
#include "cherry/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int sig_pipe[2] = {-1, -1};

static void on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;
	/* A full pipe means the loop already has plenty to wake for. */
	ssize_t r = write(sig_pipe[1], &b, 1);
	(void)r;
	errno = saved;
}

static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	int fd_fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fd_fl < 0)
		return -1;
	if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, fd_fl | FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

int loop_signals_init(const int *signals, struct err *e)
{
	struct sigaction ign;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, NULL);
	sigaction(SIGXFSZ, &ign, NULL);
	if (sig_pipe[0] < 0) {
		if (pipe(sig_pipe) < 0 || set_flags(sig_pipe[0]) < 0 || set_flags(sig_pipe[1]) < 0) {
			err_set(e, EXIT_FAIL, "cannot create the signal pipe: %s", strerror(errno));
			return -1;
		}
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (const int *s = signals; s && *s; s++)
		if (sigaction(*s, &sa, NULL) < 0) {
			err_set(e, EXIT_FAIL, "cannot install a signal handler: %s", strerror(errno));
			return -1;
		}
	return 0;
}

int loop_signal_fd(void)
{
	return sig_pipe[0];
}

int loop_signal_next(void)
{
	unsigned char b;
	if (sig_pipe[0] < 0)
		return 0;
	ssize_t r = read(sig_pipe[0], &b, 1);
	return r == 1 ? b : 0;
}
