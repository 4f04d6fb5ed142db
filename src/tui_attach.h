/* tui_attach: the client's files on disk for ctl_attach (ctl_world.attach_*). */
#ifndef CHERRY_TUI_ATTACH_H
#define CHERRY_TUI_ATTACH_H

#include "cherry/ctl.h"
#include "cherry/histstore.h"

/* Sets w's attach_* to read, store and send files beside store's conversations. */
void tui_attach_world(struct ctl_world *w, const struct histstore *store);

#endif
