#!/bin/sh
# Runs cmocka test binaries (TAP output), prints each failure with its log,
# and appends "passed failed" for this build tree to BUILD/results.
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
for t in "$@"; do
	name=$(basename "$t")
	log="$logs/$name.log"
	"$t" >"$log" 2>&1
	rc=$?
	pass=$(grep -c '^ok ' "$log")
	fail=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		fail=1 # crashed or failed outside a test case
	fi
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	if [ "$fail" -ne 0 ]; then
		echo "FAIL $build/$name: $pass passed, $fail failed (exit $rc); log: $log"
		grep -v '^ok ' "$log" | tail -n 40 | sed 's/^/    /'
	else
		echo "PASS $build/$name: $pass passed"
	fi
done
echo "$total_pass $total_fail" >>"$build/results"
echo "$build: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
