#!/bin/sh
# Runs each libFuzzer target: "smoke" for RUNS inputs (make check), "long" for
# FUZZ_LONG_RUNS executions each (make fuzz; 10 million unless set), one target after
# the other on one core, each bounded by FUZZ_LONG_TIME seconds (default 3 hours; a
# target stopped by the bound before its executions fails). Each target reads its seeds
# from tests/fuzz/corpus/<name> and keeps what it finds in build/fuzz/corpus-fuzz_<name>.
# Writes "passed failed skipped" to build/fuzz/results (a fuzz target is never skipped:
# the count is there for tests/summary.sh) and, for long runs, one line per target
# (executions, seconds, corpus size) to build/fuzz/long-report.
set -u
mode=$1; runs=$2; shift 2
mkdir -p build/fuzz
long_runs=${FUZZ_LONG_RUNS:-10000000}
long_time=${FUZZ_LONG_TIME:-10800}
[ "$mode" = long ] && : >build/fuzz/long-report
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
		set -- -runs="$long_runs" -max_total_time="$long_time" -max_len=16384 \
			-print_final_stats=1
	fi
	if [ -d "$corpus" ]; then
		"$t" "$@" "$work" "$corpus" >"build/fuzz/$name.log" 2>&1
	else
		"$t" "$@" "$work" >"build/fuzz/$name.log" 2>&1
	fi
	rc=$?
	if [ "$mode" = long ]; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/$name.log" | tail -n 1)
		secs=$(sed -n 's/^stat::.*total_time.*: *//p; s/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' \
			"build/fuzz/$name.log" | tail -n 1)
		line="$name: ${execs:-0} executions in ${secs:-?} s, corpus $(ls "$work" | wc -l) new + $(ls "$corpus" 2>/dev/null | wc -l) seeds"
		echo "$line" >>build/fuzz/long-report
		echo "    $line"
		[ "$rc" -eq 0 ] && [ "${execs:-0}" -lt "$long_runs" ] && rc=1 &&
			echo "    stopped by FUZZ_LONG_TIME=$long_time before $long_runs executions"
	fi
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS fuzz $name ($mode)"
	else
		fail=$((fail + 1)); echo "FAIL fuzz $name ($mode); log: build/fuzz/$name.log"
		tail -n 30 "build/fuzz/$name.log" | sed 's/^/    /'
	fi
done
echo "$pass $fail 0" >build/fuzz/results
[ "$fail" -eq 0 ]
