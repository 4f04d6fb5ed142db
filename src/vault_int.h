/* vault_int: what vault.c (the format and crypto) shares with vault_file.c (the file).
 * Only vault*.c include this. */
#ifndef CHERRY_VAULT_INT_H
#define CHERRY_VAULT_INT_H

#include "cherry/err.h"

/* Says in e that the vault is damaged (why), and that it is left alone; -1. */
int vault_damaged(struct err *e, const char *why);

#endif
