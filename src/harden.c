/* harden: libsodium start-up, wiping JSON allocator, no core dumps, not dumpable. */
#include "cherry/harden.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <sodium.h>

#include "cherry/jsonmem.h"

/* jsonmem's allocator wipes every block jansson frees (decrypted key stores, request
 * bodies carrying keys) and tells a document memory ran out for from a whole one. */
void harden_json_alloc(void)
{
	jsonmem_install();
}

int harden_process(struct err *e)
{
	if (sodium_init() < 0) {
		err_set(e, EXIT_FAIL, "cannot initialise libsodium (is /dev/urandom readable?)");
		return -1;
	}
	harden_json_alloc();
	/* Failures below only lose defence in depth; cherry still runs. */
	struct rlimit none = {0, 0};
	(void)setrlimit(RLIMIT_CORE, &none);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	return 0;
}

void harden_child_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}
