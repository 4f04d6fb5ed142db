#!/bin/sh
# make fuzz-keep: adds to tests/fuzz/corpus/<name> the inputs of the last long run
# (build/fuzz/corpus-fuzz_<name>) that add coverage to the seeds there, small ones only:
# inputs of at most FUZZ_KEEP_MAX bytes (default 512), the smallest first, until the new
# ones take FUZZ_KEEP_KB (default 16) KB, so the seeds stay small. Prints each
# directory's count and size before and after.
set -u
# UBSan stops the target at its first report, with a stack: -fno-sanitize-recover alone did
# not (clang 14's fuzz builds printed a NULL + 0 in src/view.c and went on).
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
keep_max=${FUZZ_KEEP_MAX:-512}
keep_kb=${FUZZ_KEEP_KB:-16}
tmp=build/fuzz/keep
for t in "$@"; do
	name=$(basename "$t")
	seeds="tests/fuzz/corpus/${name#fuzz_}"
	work="build/fuzz/corpus-$name"
	[ -d "$work" ] || continue
	mkdir -p "$seeds"
	rm -rf "$tmp"; mkdir -p "$tmp/found" "$tmp/merged"
	find "$work" -type f -size -$((keep_max + 1))c -exec cp {} "$tmp/found/" \;
	cp "$seeds"/* "$tmp/merged/" 2>/dev/null
	before="$(ls "$seeds" | wc -l) files, $(cat "$seeds"/* 2>/dev/null | wc -c) bytes"
	# the merge adds to merged/ only what covers something its seeds do not
	if ! nice -n 19 "$t" -merge=1 -max_len=8192 "$tmp/merged" "$tmp/found" \
		>"build/fuzz/$name.keep.log" 2>&1; then
		echo "FAIL keep $name; log: build/fuzz/$name.keep.log"
		exit 1
	fi
	budget=$((keep_kb * 1024))
	for f in $(cd "$tmp/merged" && ls -Sr); do
		[ -e "$seeds/$f" ] && continue
		size=$(wc -c <"$tmp/merged/$f")
		[ "$size" -gt "$budget" ] && break
		budget=$((budget - size))
		cp "$tmp/merged/$f" "$seeds/$f"
	done
	echo "$name: seeds $before -> $(ls "$seeds" | wc -l) files, $(cat "$seeds"/* 2>/dev/null | wc -c) bytes"
done
rm -rf "$tmp"
