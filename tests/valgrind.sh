#!/bin/sh
# make check-valgrind: runs integration test binaries with every cherry they start under
# valgrind's memcheck (through the harness's CHERRY_WRAPPER), then reads the logs. A
# binary that starts no cherry is run under memcheck itself.
# Clean means: at least one cherry ran, and no log reports a memcheck error or a
# definite or indirect leak. Test failures are listed but do not fail it: several tests
# assert wall-clock bounds (an answer within 3 s) that memcheck's slowdown breaks.
# Usage: [VALGRIND_BUILD=build] tests/valgrind.sh LOGDIR test-binary...
# (VALGRIND_BUILD names the build tree whose cherry and fakeprov run, so a long run can
# go on from a copy while the working build is rebuilt.)
set -u
build=${VALGRIND_BUILD:-build}
dir=$1; shift
rm -rf "$dir"
mkdir -p "$dir"
abs=$(cd "$dir" && pwd)
memcheck="valgrind -q --error-exitcode=99 --leak-check=full \
--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --num-callers=30"
export CHERRY_WRAPPER="$memcheck --log-file=$abs/cherry.%p.log"
# memcheck makes cherry some 20 times slower; the harness stretches its timeouts
export CHERRY_TIMEOUT_SCALE=${CHERRY_TIMEOUT_SCALE:-20}
count() { find "$dir" -name 'cherry.*.log' | wc -l; }
tests_rc=0
selfs=0
for t in "$@"; do
	before=$(count)
	sh tests/run.sh "$build" "$t" || tests_rc=1
	[ "$(count)" -gt "$before" ] && continue
	# A test that starts no cherry (test_engine drives the engine in its own process)
	# runs itself under memcheck, through a script of its name so the log keeps it.
	mkdir -p "$abs/self"
	name=$(basename "$t")
	self="$abs/self/$name"
	printf '#!/bin/sh\nexec %s --log-file=%s/cherry.self.%s.%%p.log "%s" "$@"\n' \
		"$memcheck" "$abs" "$name" "$(cd "$(dirname "$t")" && pwd)/$name" >"$self"
	chmod +x "$self"
	echo "$name started no cherry: it runs under memcheck itself"
	selfs=$((selfs + 1))
	sh tests/run.sh "$build" "$self" && continue
	tests_rc=1
	# A test case that fails longjmps out past its own frees: a log holding leaks and
	# nothing else is then set aside (listed, not counted); any other error still counts.
	for f in $(find "$dir" -name "cherry.self.$name.*.log" -size +0c); do
		grep -Eq '== (Invalid|Conditional|Use of|Syscall|Mismatched|Source and|Argument)' "$f" &&
			continue
		mv "$f" "$abs/self/leak-after-failed-test.${f##*/cherry.self.}"
		echo "note: $name failed under memcheck; its leaks are set aside in $abs/self"
	done
done
runs=$(find "$dir" -name 'cherry.*.log' | wc -l)
wrapped=$(find "$dir" -name 'cherry.[0-9]*.log' | wc -l)
# -q leaves a log empty unless memcheck had something to say
bad=$(find "$dir" -name 'cherry.*.log' -size +0c)
if [ "$wrapped" -eq 0 ] && [ "$#" -gt "$selfs" ]; then
	echo "FAIL valgrind: no cherry ran under memcheck (is CHERRY_WRAPPER honoured?)"
	exit 1
fi
if [ -n "$bad" ]; then
	for f in $bad; do
		echo "---- $f"
		head -n 60 "$f"
	done
	echo "FAIL valgrind: $(echo "$bad" | wc -l) of $runs cherry runs had memcheck findings"
	exit 1
fi
echo "PASS valgrind: $runs cherry runs, no memcheck error, no leak"
[ "$tests_rc" -eq 0 ] ||
	echo "note: some tests failed under memcheck (above); their wall-clock bounds do not stretch"
exit 0
