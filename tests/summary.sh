#!/bin/sh
# Adds up the "passed failed" lines of every results file and prints the
# closing line of `make check`. Exits nonzero when anything failed.
set -u
pass=0
fail=0
for f in "$@"; do
	[ -f "$f" ] || { echo "missing results: $f"; fail=$((fail + 1)); continue; }
	while read -r p q; do
		pass=$((pass + p))
		fail=$((fail + q))
	done <"$f"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
