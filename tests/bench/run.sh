#!/bin/sh
# make bench: figures, never a verdict. A 20,000-delta OpenAI-format stream
# (about 5 MB) from the fake provider on loopback, read by curl (transport
# floor), by parse_floor (jansson decode floor) and by cherry ask. Then the history:
# CONVERSATIONS (10,000) conversations, a long one, the client under tmux, and
# CONVERSATIONS_BIG (100,000; 0 skips them) with a cold and a warm index.
set -u
build=${BUILD:-build}
deltas=${DELTAS:-20000}
runs=${RUNS:-5}
tmp=$(mktemp -d)
trap 'kill $fp 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

"$build/tests/fakeprov" --port-file "$tmp/port" --max-seconds 600 >/dev/null 2>&1 &
fp=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$tmp/port")
url="http://127.0.0.1:$port/v1/chat/completions"
body="{\"model\":\"long:$deltas\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"

mkdir -p "$tmp/config/cherry"
cat >"$tmp/config/cherry/config.json" <<JSON
{"providers": {"fo": {"kind": "openai", "base_url": "http://127.0.0.1:$port/v1", "key_env": "FAKE_OPENAI_KEY"}}}
JSON
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" \
	XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache" FAKE_OPENAI_KEY=sk-test-bench

size=$(curl -sN -X POST -H 'Content-Type: application/json' -d "$body" "$url" | wc -c)
echo "stream: $deltas deltas, $size bytes, best of $runs runs"

# best wall time, best CPU time (user + system) and the peak RSS of the best-wall run, of a
# command over $runs runs
measure() {
	label=$1; shift
	best=""; rss=""; cpu=""
	for _ in $(seq "$runs"); do
		/usr/bin/time -f "%e %M %U %S" -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err"
		read -r secs kb u s <"$tmp/t"
		c=$(echo "$u $s" | awk '{print $1 + $2}')
		if [ -z "$best" ] || [ "$(echo "$secs < $best" | awk '{print ($1 < $3)}')" = 1 ]; then
			best=$secs; rss=$kb
		fi
		if [ -z "$cpu" ] || [ "$(echo "$c < $cpu" | awk '{print ($1 < $3)}')" = 1 ]; then
			cpu=$c
		fi
	done
	printf '%-34s %6.2f s  %7.1f MB peak RSS  %6.2f s CPU\n' "$label" "$best" \
		"$(echo "$rss" | awk '{print $1/1024}')" "$cpu"
	echo "$best" >"$tmp/last"
	echo "$rss" >"$tmp/last_rss"
	echo "$cpu" >"$tmp/last_cpu"
}

# the CPU seconds (user + system) of the finished children, from the output of "times"
children_cpu() {
	awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, t, "m"); n += t[1] * 60 + t[2] }
		printf "%.3f\n", n }' "$1"
}

# For commands of a tenth of a second, where time(1)'s 10 ms steps are the whole
# difference: the best wall time of FINE_RUNS (20) runs from the clock in nanoseconds, and
# the CPU time of all of them (the shell's "times", in 10 ms ticks) divided by their number.
measure_fine() {
	label=$1; shift
	n=${FINE_RUNS:-20}; best=""
	times >"$tmp/times0"
	for _ in $(seq "$n"); do
		t0=$(date +%s%N); "$@" >/dev/null 2>"$tmp/err"; t1=$(date +%s%N)
		w=$((t1 - t0))
		if [ -z "$best" ] || [ "$w" -lt "$best" ]; then best=$w; fi
	done
	times >"$tmp/times1"
	cpu=$(awk -v a="$(children_cpu "$tmp/times0")" -v b="$(children_cpu "$tmp/times1")" \
		-v n="$n" 'BEGIN { printf "%.4f\n", (b - a) / n }')
	secs=$(awk -v w="$best" 'BEGIN { printf "%.4f", w / 1e9 }')
	printf '%-34s %7.1f ms best of %d  %7.1f ms CPU each\n' "$label" "$(awk -v s="$secs" 'BEGIN { print s * 1000 }')" \
		"$n" "$(awk -v c="$cpu" 'BEGIN { print c * 1000 }')"
	echo "$secs" >"$tmp/last"
	echo "$cpu" >"$tmp/last_cpu"
}

# The last search measured beside rg -l over dir, when rg is installed (it reads files on
# every core, as cherry's search does).
rg_ratio() {
	command -v rg >/dev/null 2>&1 || { echo "(rg not installed: no rg -l comparison)"; return; }
	a=$(cat "$tmp/last")
	measure_fine "rg -l needle-word" rg -l needle-word "$1"
	awk -v a="$a" -v r="$(cat "$tmp/last")" \
		'BEGIN { if (r > 0) printf "history search / rg -l: %.2fx wall\n", a / r }'
}

measure "curl -sN > /dev/null (transport)" curl -sN -X POST -H 'Content-Type: application/json' -d "$body" "$url"
curl_rss=$(cat "$tmp/last_rss")
measure "parse_floor (jansson decode)" "$build/bench/parse_floor" "$url" "$body"
floor=$(cat "$tmp/last")
floor_rss=$(cat "$tmp/last_rss")
measure "cherry ask > /dev/null" "$build/cherry" ask -m "fo/long:$deltas" "x"
ask=$(cat "$tmp/last")
ask_rss=$(cat "$tmp/last_rss")
awk -v a="$ask" -v f="$floor" 'BEGIN { if (f > 0) printf "cherry ask / parse floor: %.2fx (budget 1.5x)\n", a / f }'
awk -v a="$ask_rss" -v f="$floor_rss" 'BEGIN { printf "cherry ask peak RSS: %.1f MB (budget 10 MB); %.1f MB above the parse floor, which is mostly libcurl and OpenSSL initialisation\n", a / 1024, (a - f) / 1024 }'
# Saving on (the default, above) beside --no-save and curl: the conversation's journal
# costs what was added, so saving should stay within 2 MB of curl's peak, as --no-save does.
measure "cherry ask --no-save > /dev/null" "$build/cherry" ask --no-save -m "fo/long:$deltas" "x"
awk -v a="$ask_rss" -v n="$(cat "$tmp/last_rss")" -v c="$curl_rss" 'BEGIN { printf "cherry ask peak RSS beside curl: saving %.1f MB (%.1f MB above curl; budget 2 MB), --no-save %.1f MB (%.1f MB above)\n", a / 1024, (a - c) / 1024, n / 1024, (n - c) / 1024 }'

# A 10 MB image sent with ask -f: its base64 is made as libcurl reads the body, so the
# peak should stay near the file's size above the bare ask's.
{ printf '\211PNG\r\n\032\n'; head -c $((10 * 1024 * 1024 - 8)) /dev/urandom; } >"$tmp/big.png"
measure "cherry ask -f 10 MB image" "$build/cherry" ask -m fo/hello -f "$tmp/big.png" "x"
awk -v a="$(cat "$tmp/last_rss")" -v b="$ask_rss" -v f="$(wc -c <"$tmp/big.png")" \
	'BEGIN { printf "ask -f 10 MB image: peak RSS %.1f MB, %.1f MB above the bare ask; the file is %.1f MB (base64 %.1f MB)\n", a / 1024, (a - b) / 1024, f / 1048576, f / 1048576 * 4 / 3 }'
# The ~5 MB Markdown answer (fakeprov mdlong:N: headings, lists, tables, code blocks) in
# as many deltas: its transport and decode floors, and cherry ask (which prints it raw).
mdbody="{\"model\":\"mdlong:$deltas\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
mdtext=$("$build/bench/parse_floor" "$url" "$mdbody" 2>&1 >/dev/null | awk '{ print $4 }')
echo "Markdown stream: $deltas deltas, $(curl -sN -X POST -H 'Content-Type: application/json' -d "$mdbody" "$url" | wc -c) bytes, $mdtext bytes of Markdown"
measure "parse_floor, Markdown stream" "$build/bench/parse_floor" "$url" "$mdbody"
measure "parse_floor --markdown (+ md4c once)" "$build/bench/parse_floor" --markdown "$url" "$mdbody"
md_floor=$(cat "$tmp/last")
measure "cherry ask > /dev/null, Markdown" "$build/cherry" ask -m "fo/mdlong:$deltas" "x"
awk -v a="$(cat "$tmp/last")" -v f="$md_floor" 'BEGIN { if (f > 0) printf "cherry ask / parse floor, Markdown: %.2fx\n", a / f }'

# History: 10,000 conversations of 20 messages each.
conv="$tmp/data/cherry/conversations"
mkdir -p "$conv"
chmod 700 "$tmp/data" "$tmp/data/cherry" "$conv"
"$build/bench/gen_history" "$conv" "${CONVERSATIONS:-10000}"
echo "history: $(ls "$conv" | wc -l) conversations, $(du -sm "$conv" | cut -f1) MB"
"$build/cherry" history list >/dev/null 2>&1 # builds the index once
measure "ls conversations/" ls "$conv"
ls_s=$(cat "$tmp/last")
measure "cherry history list" "$build/cherry" history list
awk -v a="$(cat "$tmp/last")" -v l="$ls_s" 'BEGIN { if (l > 0) printf "history list / ls: %.2fx (budget 2x)\n", a / l }'
if [ -x "$build/bench/list_bench" ]; then
	"$build/bench/list_bench" "$build/cherry" "fo/long:$deltas" "client, $(ls "$conv" | wc -l) conversations, warm index"
fi
measure_fine "grep -rl needle-word" grep -rl needle-word "$conv"
grep_s=$(cat "$tmp/last"); grep_c=$(cat "$tmp/last_cpu")
measure "grep -rli needle-word" grep -rli needle-word "$conv"
measure_fine "cherry history search needle-word" "$build/cherry" history search needle-word
awk -v a="$(cat "$tmp/last")" -v g="$grep_s" -v ac="$(cat "$tmp/last_cpu")" -v gc="$grep_c" \
	'BEGIN { if (g > 0 && gc > 0) printf "history search / grep -rl: %.2fx wall, %.2fx CPU (budget 1.0x)\n", a / g, ac / gc }'
rg_ratio "$conv"

# A long conversation: 2,000 messages, about 20 MB (opening one was cubic in its turns).
"$build/bench/gen_history" --long "$conv" long0001 "${LONG_MESSAGES:-2000}"
long="$conv/long0001.json"
cp "$long" "$tmp/long.orig"
echo "long conversation: ${LONG_MESSAGES:-2000} messages, $(wc -c <"$long") bytes"
measure "load_floor (jansson loads it)" "$build/bench/load_floor" "$long"
lf=$(cat "$tmp/last"); lf_rss=$(cat "$tmp/last_rss")
measure "cherry history show long0001" "$build/cherry" history show long0001
awk -v a="$(cat "$tmp/last")" -v f="$lf" -v ar="$(cat "$tmp/last_rss")" -v fr="$lf_rss" \
	'BEGIN { if (f > 0 && fr > 0) printf "history show / load floor: %.2fx time (budget 1.5x), %.2fx RSS (budget 2x)\n", a / f, ar / fr }'

# Bytes written by ask -c streaming a ~6 KB answer into it (over about 8 s, so the save
# timer runs), twice, one run after the other: what the process passed to write(2)
# (/proc's wchar, which counts its children once reaped) less what it printed. The
# answers go to the conversation's journal; the 20 MB file is not rewritten.
# BASE_BUILD=DIR runs the same with DIR/cherry (an earlier build) for the figure before.
ask_written() {
	cp "$tmp/long.orig" "$long"
	rm -f "$conv/long0001.jsonl" "$conv/long0001.journal"
	for k in 1 2; do
		sh -c '"$0" ask -c long0001 -m "fo/long:400+slow:20" x >"$1" 2>/dev/null; grep "^wchar" /proc/$$/io' \
			"$1" "$tmp/answer" >"$tmp/io"
		awk -v l="$2" -v k="$k" -v f="$(wc -c <"$tmp/long.orig")" -v a="$(wc -c <"$tmp/answer")" \
			'{ w = $2 - a; printf "ask -c long0001 (%s, run %d): %.1f KB written for a %.1f KB answer, %.1fx (file %.1f MB; budget about 2x plus a constant)\n", l, k, w / 1024, a / 1024, w / a, f / 1048576 }' "$tmp/io"
	done
}
if [ -n "${BASE_BUILD:-}" ] && [ -x "$BASE_BUILD/cherry" ]; then
	ask_written "$BASE_BUILD/cherry" "before: $BASE_BUILD"
fi
ask_written "$build/cherry" "this build"
# Bytes one change that sends nothing (or a tool call, a result) writes to it, opened as
# the client opens it (tests/bench/writes_bench.c): the journal's record, not the file
# (each of these wrote the whole file, about 21 MB, before journal version 3).
for change in best break calls result delete delete-branch rename; do
	cp "$tmp/long.orig" "$long"
	rm -f "$conv/long0001.jsonl" "$conv/long0001.journal"
	printf 'long0001, one change and its save: '
	"$build/bench/writes_bench" "$tmp/data/cherry" "$tmp/cache/cherry" long0001 "$change"
done
cp "$tmp/long.orig" "$long"
rm -f "$conv/long0001.jsonl" "$conv/long0001.journal"
# The index again, warm as a user's is: a stale entry of the 20 MB conversation would be
# parsed while the client's first stream is measured.
"$build/cherry" history list >/dev/null 2>&1

# The full-screen client under tmux (tests/bench/tui_bench.c), with the conversations
# above on disk: the same stream shown to its last token, key echo while it streams,
# start-up to the first frame and peak RSS.
# Four answers at once in the client: each stream's parse floor first.
multi=${MULTI_DELTAS:-5000}
body_m="{\"model\":\"long:$multi\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
measure "parse_floor, $multi deltas" "$build/bench/parse_floor" "$url" "$body_m"
floor_m=$(cat "$tmp/last")
if [ -x "$build/bench/tui_bench" ]; then
	CHERRY_BIN="$build/cherry" TUI_BENCH_CONV=long0001 TUI_BENCH_MULTI="$multi" \
		TUI_BENCH_MULTI_FLOOR="$floor_m" TUI_BENCH_MD="fo/mdlong:$deltas" \
		TUI_BENCH_MD_FLOOR="$md_floor" "$build/bench/tui_bench" "$tmp" \
		"fo/long:$deltas" "$floor"
	# key echo over 300 samples while a 300,000-delta answer streams, and cherry's CPU
	# per streamed delta in a new conversation and at the end of the long one (it must
	# not grow with the conversation's length)
	CHERRY_BIN="$build/cherry" TUI_BENCH_ECHO=300 TUI_BENCH_CPU="fo/long:100000" \
		TUI_BENCH_CONV=long0001 "$build/bench/tui_bench" "$tmp" "fo/long:300000"
	cp "$tmp/long.orig" "$long"
	rm -f "$conv/long0001.jsonl" "$conv/long0001.journal"
	# a 300 KB answer that is one code block, a delta every 5 ms as a model sends it:
	# cherry's CPU for it must not grow with the block's length (mdstream cuts it)
	CHERRY_BIN="$build/cherry" TUI_BENCH_MD="fo/slow:5+mdcode:1200" \
		"$build/bench/tui_bench" "$tmp" "fo/long:200" 0 | grep -A3 "Markdown answer"
else
	echo "TUI: $build/bench/tui_bench is not built; skipped"
fi

# 100,000 conversations (about 1.5 GB; generating them takes a minute or more):
# CONVERSATIONS_BIG=0 skips this; CONVERSATIONS_BIG_DIR=DATA/cherry/conversations uses a
# set made before (gen_history DIR 100000), reading it only.
big=${CONVERSATIONS_BIG:-100000}
if [ "$big" != 0 ]; then
	mkdir -p "$tmp/big/cache"
	if [ -n "${CONVERSATIONS_BIG_DIR:-}" ]; then
		bigconv=$CONVERSATIONS_BIG_DIR
		bigdata=$(dirname "$(dirname "$bigconv")")
	else
		bigdata="$tmp/big/data"
		bigconv="$bigdata/cherry/conversations"
		mkdir -p "$bigconv"
		chmod 700 "$tmp/big" "$bigdata" "$bigdata/cherry" "$bigconv"
		"$build/bench/gen_history" "$bigconv" "$big"
	fi
	big=$(ls "$bigconv" | wc -l)
	echo "big history: $big conversations, $(du -sm "$bigconv" | cut -f1) MB"
	B="env XDG_DATA_HOME=$bigdata XDG_CACHE_HOME=$tmp/big/cache"
	# cold: no index (one run: every file is skimmed)
	/usr/bin/time -f "%e %M %U %S" -o "$tmp/t" $B "$build/cherry" history list >/dev/null 2>&1
	read -r secs kb u s <"$tmp/t"
	printf '%-34s %6.2f s  %7.1f MB peak RSS  %6.2f s CPU (one run)\n' \
		"cherry history list, cold index" "$secs" "$(echo "$kb" | awk '{print $1/1024}')" \
		"$(echo "$u $s" | awk '{print $1 + $2}')"
	cold_s=$secs
	measure "ls conversations/ (big)" ls "$bigconv/"
	ls_s=$(cat "$tmp/last")
	awk -v a="$cold_s" -v l="$ls_s" 'BEGIN { if (l > 0) printf "history list, cold index / ls: %.1fx\n", a / l }'
	measure "cherry history list, warm index" $B "$build/cherry" history list
	awk -v a="$(cat "$tmp/last")" -v l="$ls_s" 'BEGIN { if (l > 0) printf "history list / ls: %.2fx (budget 2x)\n", a / l }'
	measure_fine "grep -rl needle-word (big)" grep -rl needle-word "$bigconv/"
	grep_s=$(cat "$tmp/last"); grep_c=$(cat "$tmp/last_cpu")
	measure_fine "cherry history search (big)" $B "$build/cherry" history search needle-word
	awk -v a="$(cat "$tmp/last")" -v g="$grep_s" -v ac="$(cat "$tmp/last_cpu")" -v gc="$grep_c" \
		'BEGIN { if (g > 0 && gc > 0) printf "history search / grep -rl: %.2fx wall, %.2fx CPU (budget 1.0x)\n", a / g, ac / gc }'
	rg_ratio "$bigconv/"
	# the client: first frame, first key, 300 keys' echo while the list is read
	if [ -x "$build/bench/list_bench" ]; then
		LIST_BENCH_SWITCHER=5 $B "$build/bench/list_bench" "$build/cherry" "fo/long:$deltas" \
			"client, $big conversations, warm index"
		# keys typed all through a cold rebuild of the list, to its end
		rm -f "$tmp/big/cache/cherry/history-index"
		LIST_BENCH_KEYS=${LIST_BENCH_KEYS:-3000} $B "$build/bench/list_bench" "$build/cherry" \
			"fo/long:$deltas" "client, $big conversations, cold index"
	fi
fi
