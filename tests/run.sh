#!/bin/sh
# Runs cmocka test binaries (TAP output), prints each failure with its log,
# and appends "passed failed skipped" for this build tree to BUILD/results.
# cmocka 1.1 reports a skip as "not ok N # SKIP name": it is counted as a
# skip, never as a pass or a failure.
# Usage: tests/run.sh BUILD test-binary...
set -u
build=$1; shift
logs="$build/test-logs"
mkdir -p "$logs"
export CMOCKA_MESSAGE_OUTPUT=TAP
export CHERRY_TEST_BUILD="$build"
export CHERRY_BIN="$build/cherry"
export FAKEPROV_BIN="$build/tests/fakeprov"
export CHERRY_FIXTURES="tests/fixtures"
case "$build" in *san*) export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" ;; esac
total_pass=0
total_fail=0
total_skip=0
for t in "$@"; do
	name=$(basename "$t")
	log="$logs/$name.log"
	"$t" >"$log" 2>&1
	rc=$?
	pass=$(grep -c '^ok ' "$log")
	skip=$(grep -c '^not ok [0-9]* # SKIP' "$log")
	fail=$(($(grep -c '^not ok ' "$log") - skip))
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		fail=1 # crashed or failed outside a test case
	fi
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
	if [ "$fail" -ne 0 ]; then
		echo "FAIL $build/$name: $pass passed, $fail failed, $skip skipped (exit $rc); log: $log"
		grep -v '^ok ' "$log" | tail -n 40 | sed 's/^/    /'
	elif [ "$skip" -ne 0 ]; then
		echo "PASS $build/$name: $pass passed, $skip skipped:"
		sed -n 's/^not ok [0-9]* # SKIP */    skipped: /p' "$log"
	else
		echo "PASS $build/$name: $pass passed"
	fi
done
echo "$total_pass $total_fail $total_skip" >>"$build/results"
echo "$build: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
