/* err: one error line carried up to whoever can show it, with the exit status it maps to. */
#ifndef CHERRY_ERR_H
#define CHERRY_ERR_H

/* Exit statuses, as in PRODUCT §2 and the man page. */
enum cherry_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,      /* any other error */
	EXIT_USAGE = 2,     /* bad command line */
	EXIT_NETWORK = 3,   /* network or provider error, timeout, broken stream */
	EXIT_KEY = 4,       /* missing or rejected API key */
	EXIT_VAULT = 5,     /* vault locked or wrong passphrase */
	EXIT_INTERRUPTED = 130,
};

struct err {
	int code;       /* an enum cherry_exit value; 0 while no error */
	char msg[1024]; /* one line, no trailing newline */
};

void err_set(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void err_clear(struct err *e);

#endif
