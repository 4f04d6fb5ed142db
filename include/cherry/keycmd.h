/* keycmd: the `cherry key` commands: set, list, rm, passwd. */
#ifndef CHERRY_KEYCMD_H
#define CHERRY_KEYCMD_H

#include "cherry/config.h"
#include "cherry/keys.h"

/* What `cherry key --help` prints. */
extern const char keycmd_usage[];

/* argv[0] is "key"; returns an exit status (enum cherry_exit). */
int keycmd_main(int argc, char **argv, const struct config *cfg,
		const struct passphrase_opts *opts);

#endif
