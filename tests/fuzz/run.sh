#!/bin/sh
# Runs each libFuzzer target: "smoke" for RUNS inputs (make check), "long" for
# FUZZ_LONG_RUNS executions each (make fuzz; 10 million unless set), one target after
# the other on one core under nice -n 19, each bounded by FUZZ_LONG_TIME seconds
# (default 3 hours; a target stopped by the bound before its executions fails). Each
# target reads its seeds from tests/fuzz/corpus/<name> and keeps what it finds in
# build/fuzz/corpus-fuzz_<name>. Writes "passed failed skipped" to build/fuzz/results (a
# fuzz target is never skipped: the count is there for tests/summary.sh) and, for long
# runs, one line of figures per target to build/fuzz/long-report.
set -u
mode=$1; runs=$2; shift 2
mkdir -p build/fuzz
# UBSan stops the target at its first report, with a stack: -fno-sanitize-recover alone did
# not (clang 14's fuzz builds printed a NULL + 0 in src/view.c and went on).
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
long_runs=${FUZZ_LONG_RUNS:-10000000}
long_time=${FUZZ_LONG_TIME:-10800}
[ "$mode" = long ] && : >build/fuzz/long-report

# The largest input each target is given: a little over the longest bound its code has
# (sanitize: a 4096-byte escape sequence; markdown and view: the 512-byte paragraph
# segment mdstream cuts; wire: the 512-byte error line), not more. Every target takes
# time at least linear in its input, so inputs far longer than any construct buy
# nothing but fewer executions; sse has no bound below 16 MiB, and a few events show
# every state of its parser. FUZZ_MAX_LEN overrides it for all.
max_len_of() {
	case $1 in
	fuzz_view | fuzz_markdown | fuzz_text | fuzz_sse) echo 1024 ;;
	fuzz_wire) echo 2048 ;;
	fuzz_sanitize) echo 4608 ;;
	*) echo 4096 ;;
	esac
}

# CPU seconds (user + system) of the finished children, from the output of "times" (it
# must run in this shell, not in a $(...) one, to see them).
cpu_secs() {
	awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, t, "m");
		n += t[1] * 60 + t[2] } printf "%d\n", n }' "$1"
}

pass=0; fail=0
for t in "$@"; do
	name=$(basename "$t")
	corpus="tests/fuzz/corpus/${name#fuzz_}"
	work="build/fuzz/corpus-$name"
	log="build/fuzz/$name.log"
	mkdir -p "$work"
	max_len=${FUZZ_MAX_LEN:-$(max_len_of "$name")}
	if [ "$mode" = smoke ]; then
		# bounded in runs and in time (FUZZ_SMOKE_TIME seconds, default 10, each), so the
		# suite stays short whatever the seeds and the load: 90 s at most in all
		set -- -runs="$runs" -max_total_time="${FUZZ_SMOKE_TIME:-10}" -max_len="$max_len"
	else
		set -- -runs="$long_runs" -max_total_time="$long_time" -max_len="$max_len" \
			-print_final_stats=1
		echo "    nice -n 19 $t $* $work $corpus"
	fi
	before=$(ls "$work" | wc -l)
	start=$(date +%s); times >build/fuzz/times-before
	seeds=0
	if [ -d "$corpus" ]; then seeds=$(ls "$corpus" | wc -l); else corpus=; fi
	if [ "$mode" = smoke ]; then
		"$t" "$@" "$work" $corpus >"$log" 2>&1
	else
		nice -n 19 "$t" "$@" "$work" $corpus >"$log" 2>&1
	fi
	rc=$?
	if [ "$mode" = long ]; then
		times >build/fuzz/times-after
		secs=$(($(date +%s) - start))
		cpu=$(($(cpu_secs build/fuzz/times-after) - $(cpu_secs build/fuzz/times-before)))
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		cov0=$(sed -n 's/.*INITED cov: \([0-9]*\) ft: \([0-9]*\).*/\1 edges, \2 features/p' "$log" | head -n 1)
		cov1=$(sed -n 's/^#[0-9].* cov: \([0-9]*\) ft: \([0-9]*\).*/\1 edges, \2 features/p' "$log" | tail -n 1)
		rate=$(( ${execs:-0} / (secs > 0 ? secs : 1) ))
		cpu_rate=$(( ${execs:-0} / (cpu > 0 ? cpu : 1) ))
		after=$(ls "$work" | wc -l)
		line="$name: ${execs:-0} executions in $secs s ($rate/s; $cpu s of CPU, $cpu_rate/s of CPU), max_len $max_len, coverage ${cov0:-?} -> ${cov1:-?}, corpus $before -> $after kept + $seeds seeds"
		echo "$line" >>build/fuzz/long-report
		echo "    $line"
		[ "$rc" -eq 0 ] && [ "${execs:-0}" -lt "$long_runs" ] && rc=1 &&
			echo "    stopped by FUZZ_LONG_TIME=$long_time before $long_runs executions"
	fi
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS fuzz $name ($mode)"
	else
		fail=$((fail + 1)); echo "FAIL fuzz $name ($mode); log: $log"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
done
echo "$pass $fail 0" >build/fuzz/results
[ "$fail" -eq 0 ]
