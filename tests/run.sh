#!/bin/sh
# Runs cmocka test binaries (TAP output), prints each failure with its log,
# and appends "passed failed skipped" for this build tree to BUILD/results.
# cmocka 1.1 reports a skip as "not ok N # SKIP name": it is counted as a
# skip, never as a pass or a failure.
# The binaries run TEST_JOBS at a time (default: the number of processors), the
# longest first; every test makes its own directories, ports and tmux servers, so
# they do not meet. Results are printed in the order given, once all have ended.
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
jobs=${TEST_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
case "$jobs" in '' | *[!0-9]* | 0) jobs=1 ;; esac

# The longest tests start first, so that the last to end is a short one.
slow="test_tui test_history_cmd test_ask test_alloc_torture test_http_bounds test_key
	test_ask_multi test_privacy_cli"
first=""
rest=""
for t in "$@"; do
	case " $(echo $slow) " in *" $(basename "$t") "*) first="$first $t" ;; *) rest="$rest $t" ;; esac
done
for t in "$@"; do rm -f "$logs/$(basename "$t").rc"; done
# shellcheck disable=SC2086 # the lists are paths without blanks
printf '%s\n' $first $rest | xargs -P "$jobs" -n 1 sh -c \
	'n=$(basename "$1"); "$1" >"$0/$n.log" 2>&1; echo $? >"$0/$n.rc"' "$logs"

total_pass=0
total_fail=0
total_skip=0
for t in "$@"; do
	name=$(basename "$t")
	log="$logs/$name.log"
	rc=$(cat "$logs/$name.rc" 2>/dev/null || echo 127)
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
