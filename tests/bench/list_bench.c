/* list_bench: make bench's figures for the client with a big history. On a bare
 * pseudo-terminal (output read and dropped at once): start-up to the first frame (the
 * status line's "idle") and the peak RSS then (VmHWM), the time from the first frame
 * until a key typed at once is echoed, then key echo over SAMPLES keys typed one after
 * the other's echo (median and maximum) while the list is read behind them, and the
 * peak RSS after them. Figures,
 * never a verdict: it exits 0 whatever the timings.
 * Usage: list_bench CHERRY PROVIDER/MODEL [LABEL]; the environment (HOME, XDG_*) is
 * cherry's, as the caller set it; LIST_BENCH_KEYS=N types N keys (enough to last a
 * whole cold rebuild of the list); LIST_BENCH_SWITCHER=N then opens the switcher (C-t)
 * N times, Esc between, and says how long it took to show and cherry's CPU for it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SAMPLES 300      /* keys echoed, unless LIST_BENCH_KEYS says (up to MAX_SAMPLES) */
#define MAX_SAMPLES 20000

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fd = -1;
static pid_t pid;
static char tail[64];
static size_t tail_len;

static int start(const char *bin, const char *model)
{
	fd = posix_openpt(O_RDWR | O_NOCTTY);
	if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0)
		return -1;
	const char *slave = ptsname(fd);
	struct winsize ws = {40, 120, 0, 0};
	if (!slave)
		return -1;
	pid = fork();
	if (pid == 0) {
		setsid();
		int s = open(slave, O_RDWR);
		if (s < 0)
			_exit(127);
		ioctl(s, TIOCSCTTY, 0);
		ioctl(s, TIOCSWINSZ, &ws);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		for (int k = 3; k < 1024; k++)
			close(k);
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		execl(bin, bin, "-m", model, (char *)NULL);
		_exit(127);
	}
	return pid > 0 ? 0 : -1;
}

static int has(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(hay + i, needle, n))
			return 1;
	return 0;
}

/* Reads output until needle shows in it: the time it did, or -1. */
static double until(const char *needle, double seconds)
{
	static char buf[65536 + 64];
	double end = now_s() + seconds;
	while (now_s() < end) {
		struct pollfd pf = {fd, POLLIN, 0};
		int r = poll(&pf, 1, (int)((end - now_s()) * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		memcpy(buf, tail, tail_len);
		ssize_t got = read(fd, buf + tail_len, sizeof buf - tail_len);
		if (got <= 0)
			return -1;
		size_t len = tail_len + (size_t)got;
		if (has(buf, len, needle)) {
			tail_len = 0;
			return now_s();
		}
		tail_len = len < sizeof tail ? len : sizeof tail;
		memcpy(tail, buf + len - tail_len, tail_len);
	}
	return -1;
}

static void drain(int ms)
{
	char buf[65536];
	struct pollfd pf = {fd, POLLIN, 0};
	while (poll(&pf, 1, ms) > 0 && read(fd, buf, sizeof buf) > 0)
		;
	tail_len = 0;
}

static long hwm_kb(void)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	FILE *f = fopen(path, "r");
	long kb = -1;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmHWM:", 6))
			kb = atol(line + 6);
	if (f)
		fclose(f);
	return kb;
}

/* The process's CPU time so far (user and system), in seconds. */
static double cpu_s(void)
{
	char path[64], line[1024];
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	FILE *f = fopen(path, "r");
	char *p = f && fgets(line, sizeof line, f) ? strrchr(line, ')') : NULL;
	unsigned long u = 0, s = 0;
	if (f)
		fclose(f);
	/* after the name: state, then 10 fields, then utime and stime */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &u, &s) != 2)
		return -1;
	return (double)(u + s) / (double)sysconf(_SC_CLK_TCK);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: list_bench CHERRY PROVIDER/MODEL [LABEL]\n");
		return 2;
	}
	char idle[256];
	snprintf(idle, sizeof idle, "%s · idle", argv[2]);
	const char *label = argc > 3 ? argv[3] : "";
	double t0 = now_s();
	if (start(argv[1], argv[2]) < 0) {
		printf("list_bench: cannot start %s\n", argv[1]);
		return 0;
	}
	double frame = until(idle, 120);
	long hwm = hwm_kb();
	if (frame < 0) {
		printf("%s: no first frame\n", label);
		goto out;
	}
	/* the first key, typed as soon as the first frame is seen */
	static const char unique[] = "~!@$^&*+|";
	double a = now_s();
	double first = write(fd, "~", 1) == 1 ? until("~", 120) : -1;
	static double echo[MAX_SAMPLES];
	const char *keys = getenv("LIST_BENCH_KEYS");
	int want = keys ? atoi(keys) : SAMPLES, n = 0;
	if (want < 1 || want > MAX_SAMPLES)
		want = SAMPLES;
	for (size_t k = 1; n < want && first >= 0; k++) {
		if (k % (sizeof unique - 1) == 0) {
			if (write(fd, "\025", 1) != 1) /* C-u: the input line empty again */
				break;
			drain(20);
		}
		char c[2] = {unique[k % (sizeof unique - 1)], '\0'};
		double b = now_s();
		if (write(fd, c, 1) != 1)
			break;
		double e = until(c, 10);
		if (e < 0)
			break;
		echo[n++] = (e - b) * 1000;
	}
	long hwm_end = hwm_kb();
	/* LIST_BENCH_SWITCHER=N: C-t N times (Esc between), the list read by then: the time
	 * until the switcher shows and cherry's CPU for it, each time */
	const char *sw = getenv("LIST_BENCH_SWITCHER");
	int nsw = sw ? atoi(sw) : 0, got = 0;
	static double sw_ms[64];
	double sw_cpu = 0;
	if (write(fd, "\025", 1) == 1) /* C-u */
		drain(200);
	for (int i = 0; i < nsw && i < 64; i++) {
		double c0 = cpu_s(), b = now_s();
		if (write(fd, "\024", 1) != 1) /* C-t */
			break;
		double e = until("Conversation:", 60);
		if (e < 0)
			break;
		drain(300); /* the rest of its frame */
		sw_cpu += cpu_s() - c0;
		sw_ms[got++] = (e - b) * 1000;
		if (write(fd, "\033", 1) != 1) /* Esc */
			break;
		drain(300);
	}
	qsort(echo, (size_t)n, sizeof *echo, cmp);
	printf("%s: first frame %.1f ms, peak RSS %.1f MB by then; first key answered %.1f ms "
	       "after it; key echo over %d keys: median %.2f ms, max %.2f ms; peak RSS %.1f MB "
	       "after them\n", label, (frame - t0) * 1000, hwm / 1024.0,
	       first >= 0 ? (first - a) * 1000 : -1.0, n, n ? echo[n / 2] : -1.0,
	       n ? echo[n - 1] : -1.0, hwm_end / 1024.0);
	if (got) {
		qsort(sw_ms, (size_t)got, sizeof *sw_ms, cmp);
		printf("%s: switcher (C-t) %d times: median %.1f ms, max %.1f ms to show; cherry's "
		       "CPU %.1f ms each; peak RSS %.1f MB after them\n", label, got, sw_ms[got / 2],
		       sw_ms[got - 1], sw_cpu / got * 1000, hwm_kb() / 1024.0);
	}
out:
	if (write(fd, "\021", 1) == 1) /* C-q */
		for (double end = now_s() + 5; now_s() < end; drain(5))
			if (waitpid(pid, NULL, WNOHANG) == pid) {
				pid = 0;
				break;
			}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return 0;
}
