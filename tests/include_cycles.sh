#!/bin/sh
# Reports dependency cycles between modules in src/. A module is src/NAME.c with
# its header include/cherry/NAME.h (or src/NAME.h).
#   Includes: A -> B when A's .c or header includes B's header. A header with
#   no .c of its own (src/wire_kinds.h) makes no edge.
#   Calls (when OBJDIR is given, e.g. build/obj): A -> B when A.o uses a symbol
#   B.o defines. This also finds a cycle hidden behind one shared header.
# Prints each cycle once per starting point found; exit 1 when there is one.
# Usage: tests/include_cycles.sh [OBJDIR]   (run from the top of the tree)
set -u
objdir=${1:-}

include_edges() {
	mods=$(for c in src/*.c; do m=${c#src/}; echo "${m%.c}"; done)
	awk -v mods="$mods" '
	BEGIN { n = split(mods, a, "\n"); for (i = 1; i <= n; i++) mod[a[i]] = 1 }
	FNR == 1 { m = FILENAME; sub(/.*\//, "", m); sub(/\.[ch]$/, "", m) }
	(m in mod) && /^#include "(cherry\/)?[^"]*\.h"/ {
		dep = $0; sub(/^#include "(cherry\/)?/, "", dep); sub(/\.h".*/, "", dep)
		if (dep != m && (dep in mod)) print m, dep
	}' src/*.c src/*.h include/cherry/*.h
}

call_edges() {
	for o in "$objdir"/*.o; do
		m=$(basename "$o" .o)
		nm -g --defined-only "$o" | awk -v m="$m" 'NF == 3 { print "D", m, $3 }'
		nm -u "$o" | awk -v m="$m" '{ print "U", m, $NF }'
	done | awk '$1 == "D" { def[$3] = $2 } $1 == "U" { use[$2 " " $3] }
		END { for (k in use) { split(k, a, " ")
			if ((a[2] in def) && def[a[2]] != a[1]) print a[1], def[a[2]] } }'
}

cycles() {
	sort -u | awk -v kind="$1" '
	{ edge[$1] = edge[$1] " " $2; node[$1]; node[$2] }
	function visit(u,    n, i, j, v, parts, c) {
		state[u] = 1; path[++depth] = u
		n = split(edge[u], parts, " ")
		for (i = 1; i <= n; i++) {
			v = parts[i]
			if (state[v] == 1) {
				for (j = depth; path[j] != v; j--) ;
				c = ""
				for (; j <= depth; j++) c = c path[j] " -> "
				print kind " cycle: " c v
				found = 1
			} else if (!state[v]) {
				visit(v)
			}
		}
		depth--; state[u] = 2
	}
	END {
		for (u in node) if (!state[u]) visit(u)
		if (!found) print "no " kind " cycle"
		exit found
	}'
}

status=0
include_edges | cycles include || status=1
if [ -n "$objdir" ]; then
	call_edges | cycles call || status=1
fi
exit $status
