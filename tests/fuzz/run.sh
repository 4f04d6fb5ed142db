#!/bin/sh
# Runs each libFuzzer target: "smoke" for RUNS inputs (make check), "long" for
# five minutes each (make fuzz). Writes "passed failed skipped" to build/fuzz/results
# (a fuzz target is never skipped: the count is there for tests/summary.sh).
set -u
mode=$1; runs=$2; shift 2
mkdir -p build/fuzz
pass=0; fail=0
for t in "$@"; do
	name=$(basename "$t")
	corpus="tests/fuzz/corpus/${name#fuzz_}"
	work="build/fuzz/corpus-$name"
	mkdir -p "$work"
	if [ "$mode" = smoke ]; then
		# bounded in runs and in time, so the suite stays short whatever the seeds
		set -- -runs="$runs" -max_total_time=20 -max_len=16384
	else
		set -- -max_total_time=300
	fi
	if [ -d "$corpus" ]; then
		"$t" "$@" "$work" "$corpus" >"build/fuzz/$name.log" 2>&1
	else
		"$t" "$@" "$work" >"build/fuzz/$name.log" 2>&1
	fi
	if [ $? -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS fuzz $name ($mode)"
	else
		fail=$((fail + 1)); echo "FAIL fuzz $name ($mode); log: build/fuzz/$name.log"
		tail -n 30 "build/fuzz/$name.log" | sed 's/^/    /'
	fi
done
echo "$pass $fail 0" >build/fuzz/results
[ "$fail" -eq 0 ]
