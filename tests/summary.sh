#!/bin/sh
# Adds up the "passed failed skipped" lines of every results file and prints
# the closing line of `make check`. Exits nonzero when anything failed; a
# skip neither fails the suite nor counts as a pass.
set -u
pass=0
fail=0
skip=0
for f in "$@"; do
	[ -f "$f" ] || { echo "missing results: $f"; fail=$((fail + 1)); continue; }
	while read -r p q s; do
		pass=$((pass + p))
		fail=$((fail + q))
		skip=$((skip + ${s:-0}))
	done <"$f"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
