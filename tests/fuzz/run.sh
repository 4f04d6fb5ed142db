#!/bin/sh
# Runs each libFuzzer target: "smoke" for RUNS inputs (make check), "long" until
# FUZZ_LONG_RUNS executions (make fuzz; 10 million unless set) of each, one target after
# the other under nice -n 19, in FUZZ_JOBS processes (default 1) sharing its corpus, each
# run bounded by FUZZ_LONG_TIME seconds (default 3 hours). Each target reads its seeds
# from tests/fuzz/corpus/<name> and keeps what it finds in build/fuzz/corpus-fuzz_<name>.
#
# A long run's executions are counted per target and per code under test in
# tests/fuzz/ledger (FUZZ_LEDGER), one line "name key executions date": the key is a hash
# of the target's machine code and constants and of the shared libraries it loads, so a
# rebuild after a change elsewhere, in another clone or on another machine with the same
# compiler and libraries keeps the count, and any change to what the target runs starts
# it again from zero. The ledger is in the repository so that a count too long for one
# sitting goes on in the next: commit it with what the run found. A run goes on from the ledger's count with the corpus carried
# (libFuzzer's state is its corpus), for as many executions as are still owed; a finding
# sets the count to zero. A target passes when its count reaches FUZZ_LONG_RUNS with no
# finding; a run stopped by the time bound before that fails, its executions kept, and the
# next make fuzz goes on from there.
#
# Writes "passed failed skipped" to build/fuzz/results (a fuzz target is never skipped:
# the count is there for tests/summary.sh) and, for long runs, one line of figures per
# target to build/fuzz/long-report.
set -u
mode=$1; runs=$2; shift 2
mkdir -p build/fuzz
# UBSan stops the target at its first report, with a stack: -fno-sanitize-recover alone did
# not (clang 14's fuzz builds printed a NULL + 0 in src/view.c and went on).
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
long_runs=${FUZZ_LONG_RUNS:-10000000}
long_time=${FUZZ_LONG_TIME:-10800}
jobs_n=${FUZZ_JOBS:-1}
ledger=${FUZZ_LEDGER:-tests/fuzz/ledger}
[ "$mode" = long ] && : >build/fuzz/long-report

# The largest input each target is given: a little over the longest bound its code has
# (sanitize: a 4096-byte escape sequence; markdown and view: the 512-byte paragraph
# segment mdstream cuts, with room for the 256 and 384 bytes their streamed appends
# reach after it; wire: the 512-byte error line), not more. Every target takes
# time at least linear in its input, so inputs far longer than any construct buy
# nothing but fewer executions; sse has no bound below 16 MiB, and a few events show
# every state of its parser. FUZZ_MAX_LEN overrides it for all.
max_len_of() {
	case $1 in
	fuzz_view | fuzz_markdown) echo 768 ;;
	fuzz_text | fuzz_sse) echo 1024 ;;
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

# The key of the code a target runs: its sections of code and constants (not its debug
# information, which names the directory it was built in) and the libraries it loads.
code_key() {
	for sec in .text .rodata .data; do
		objcopy -O binary --only-section="$sec" "$1" build/fuzz/section || return 1
		sha256sum <build/fuzz/section
	done
	ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort | xargs sha256sum
	rm -f build/fuzz/section
}

ledger_count() { # name key
	[ -f "$ledger" ] && awk -v n="$1" -v k="$2" '$1 == n && $2 == k { print $3 }' "$ledger" |
		tail -n 1
}

ledger_set() { # name key count
	touch "$ledger"
	awk -v n="$1" '$1 != n' "$ledger" >"$ledger.tmp"
	echo "$1 $2 $3 $(date -u +%Y-%m-%d)" >>"$ledger.tmp"
	sort "$ledger.tmp" >"$ledger"
	rm -f "$ledger.tmp"
}

# Runs FUZZ_JOBS processes of target $t with the arguments given, logs $log.1, $log.2...,
# and waits for them; the first finding stops the others, and so does an interrupt of this
# script (libFuzzer then exits with 72 after its figures: no finding, the count is kept).
# Sets rc (0, or the number of the job that found something) and execs (all jobs').
run_jobs() {
	i=1
	while [ "$i" -le "$jobs_n" ]; do
		rm -f "$log.$i" "$log.$i.rc" "$log.$i.pid"
		{
			nice -n 19 "$t" "$@" >"$log.$i" 2>&1 &
			echo $! >"$log.$i.pid"
			wait $!
			echo $? >"$log.$i.rc"
		} &
		i=$((i + 1))
	done
	rc=0
	while :; do
		sleep 1
		running=0; i=1
		while [ "$i" -le "$jobs_n" ]; do
			# a job whose waiting shell was killed too: its log says how it ended
			if [ ! -f "$log.$i.rc" ] && [ -s "$log.$i.pid" ] &&
				! kill -0 "$(cat "$log.$i.pid")" 2>/dev/null; then
				if grep -q "ERROR: libFuzzer\|^SUMMARY: " "$log.$i"; then echo 1
				elif grep -q "run interrupted" "$log.$i"; then echo 72
				else echo 0; fi >"$log.$i.rc"
			fi
			if [ ! -f "$log.$i.rc" ]; then
				running=$((running + 1))
			elif [ "$rc" -eq 0 ] && [ "$(cat "$log.$i.rc")" != 0 ] &&
				[ "$(cat "$log.$i.rc")" != 72 ]; then
				rc=$i; stop_jobs TERM
			fi
			i=$((i + 1))
		done
		[ "$running" -eq 0 ] && break
	done
	wait
	execs=0; i=1
	while [ "$i" -le "$jobs_n" ]; do
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log.$i" | tail -n 1)
		execs=$((execs + ${n:-0}))
		rm -f "$log.$i.pid" "$log.$i.rc"
		i=$((i + 1))
	done
	# the log kept is the finding's, or the first job's
	cp "$log.$((rc > 0 ? rc : 1))" "$log"
}

stop_jobs() { # signal
	for f in build/fuzz/*.log.*.pid; do
		[ -f "$f" ] && kill -"$1" "$(cat "$f")" 2>/dev/null
	done
}

interrupted=0
trap 'interrupted=1; stop_jobs INT' INT TERM

pass=0; fail=0
for t in "$@"; do
	name=$(basename "$t")
	corpus="tests/fuzz/corpus/${name#fuzz_}"
	work="build/fuzz/corpus-$name"
	log="build/fuzz/$name.log"
	mkdir -p "$work"
	max_len=${FUZZ_MAX_LEN:-$(max_len_of "$name")}
	seeds=0
	if [ -d "$corpus" ]; then seeds=$(ls "$corpus" | wc -l); else corpus=; fi
	if [ "$mode" = smoke ]; then
		# bounded in runs and in time (FUZZ_SMOKE_TIME seconds, default 10, each), so the
		# suite stays short whatever the seeds and the load: 90 s at most in all
		"$t" -runs="$runs" -max_total_time="${FUZZ_SMOKE_TIME:-10}" -max_len="$max_len" \
			"$work" $corpus >"$log" 2>&1
		rc=$?
	else
		key=$(code_key "$t" | sha256sum | cut -c 1-16)
		done_n=$(ledger_count "$name" "$key"); done_n=${done_n:-0}
		owed=$((long_runs - done_n))
		if [ "$owed" -le 0 ]; then
			line="$name: $done_n executions on this code already (key $key), none run"
			echo "$line" >>build/fuzz/long-report; echo "    $line"
			pass=$((pass + 1)); echo "PASS fuzz $name ($mode)"
			continue
		fi
		per=$(((owed + jobs_n - 1) / jobs_n))
		echo "    $jobs_n x nice -n 19 $t -runs=$per -max_total_time=$long_time" \
			"-max_len=$max_len $work $corpus ($done_n done on this code, key $key)"
		before=$(ls "$work" | wc -l)
		start=$(date +%s); times >build/fuzz/times-before
		run_jobs -runs="$per" -max_total_time="$long_time" -max_len="$max_len" \
			-print_final_stats=1 "$work" $corpus
		found=$rc
		[ "$interrupted" -eq 1 ] && [ "$rc" -eq 0 ] && rc=1 && echo "    interrupted"
		times >build/fuzz/times-after
		secs=$(($(date +%s) - start))
		cpu=$(($(cpu_secs build/fuzz/times-after) - $(cpu_secs build/fuzz/times-before)))
		cov0=$(sed -n 's/.*INITED cov: \([0-9]*\) ft: \([0-9]*\).*/\1 edges, \2 features/p' "$log" | head -n 1)
		cov1=$(sed -n 's/^#[0-9].* cov: \([0-9]*\) ft: \([0-9]*\).*/\1 edges, \2 features/p' "$log" | tail -n 1)
		rate=$((execs / (secs > 0 ? secs : 1)))
		cpu_rate=$((execs / (cpu > 0 ? cpu : 1)))
		after=$(ls "$work" | wc -l)
		# a finding (not an interrupt) starts the count again
		if [ "$found" -eq 0 ]; then total=$((done_n + execs)); else total=0; fi
		ledger_set "$name" "$key" "$total"
		line="$name: $execs executions in $secs s ($rate/s; $cpu s of CPU, $cpu_rate/s of CPU; $jobs_n jobs), max_len $max_len, coverage ${cov0:-?} -> ${cov1:-?}, corpus $before -> $after kept + $seeds seeds; $total on this code in all (key $key)"
		echo "$line" >>build/fuzz/long-report
		echo "    $line"
		[ "$rc" -eq 0 ] && [ "$total" -lt "$long_runs" ] && rc=1 &&
			echo "    stopped by FUZZ_LONG_TIME=$long_time before $long_runs executions;" \
				"make fuzz goes on from $total"
	fi
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS fuzz $name ($mode)"
	else
		fail=$((fail + 1)); echo "FAIL fuzz $name ($mode); log: $log"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
	[ "$interrupted" -eq 1 ] && break
done
echo "$pass $fail 0" >build/fuzz/results
[ "$fail" -eq 0 ]
