#!/bin/sh
# make fuzz: runs each libFuzzer target for SECONDS on a copy of its seed
# corpus and dictionary, JOBS targets at a time (default 2: one per core),
# then prints per target the executions reached, the corpus it grew to and
# whether it found anything.  Exits 1 when any target found a crash, leak,
# timeout or out-of-memory; the inputs that did are kept in the work
# directory and named in the summary.
#
# Usage: fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
#   FUZZ_JOBS=N   targets run side by side (default 2)
#   FUZZ_WORK=DIR where corpora, logs and findings go (default: a new
#                 directory under $TMPDIR or /tmp)
set -eu
build=$1
seconds=${2:-600}
shift
if [ $# -gt 0 ]; then shift; fi
targets=${*:-surveydef csv config form mail mask api}
jobs=${FUZZ_JOBS:-2}
src=$(cd "$(dirname "$0")" && pwd)
work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/kto-fuzz.XXXXXX")}
mkdir -p "$work"

for t in $targets; do
	if [ ! -x "$build/fuzz/fuzz-$t" ]; then
		echo "fuzz/run.sh: $build/fuzz/fuzz-$t is missing; build with" \
		    "-DKTO_FUZZING=ON (make fuzz does)" >&2
		exit 2
	fi
done

# Scratch files of the harnesses (the form's and the API's databases) go
# to memory where there is a /dev/shm: the API's copy per input is faster.
scratch_base=$work
if [ -d /dev/shm ] && [ -w /dev/shm ]; then scratch_base=/dev/shm; fi

# One target: a copy of its corpus (libFuzzer adds to the first directory),
# findings into its own directory, the log beside them.  libFuzzer ends
# with _Exit, so the harnesses' own clean-up never runs: this one does.
run_one() {
	t=$1
	mkdir -p "$work/$t/corpus" "$work/$t/findings"
	cp "$src/corpus/$t/"* "$work/$t/corpus/"
	scratch=$(mktemp -d "$scratch_base/kto-fuzz-$t.XXXXXX")
	TMPDIR=$scratch "$build/fuzz/fuzz-$t" -max_total_time="$seconds" \
	    -max_len=65536 -dict="$src/$t.dict" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$work/$t/findings/" \
	    "$work/$t/corpus" >"$work/$t/log" 2>&1 || true
	rm -rf "$scratch"
}

echo "fuzzing $targets for ${seconds}s each, $jobs at a time; work in $work"
running=0
pids=
for t in $targets; do
	run_one "$t" &
	pids="${pids:+$pids }$!"
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		# The targets take the same time: the oldest finishes first.
		first=${pids%% *}
		wait "$first" || true
		if [ "$pids" = "$first" ]; then pids=; else pids=${pids#* }; fi
		running=$((running - 1))
	fi
done
wait

failed=0
printf '%-10s %12s %9s %8s  %s\n' target executions exec/s corpus result
for t in $targets; do
	log=$work/$t/log
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	size=$(ls "$work/$t/corpus" | wc -l)
	# crash-, leak-, timeout-, oom-: what libFuzzer writes when it stops.
	found=$(ls "$work/$t/findings" | grep -c -E '^(crash|leak|timeout|oom)-' || true)
	if [ "$found" -gt 0 ]; then
		result="FOUND $found: $(ls "$work/$t/findings" | tr '\n' ' ')"
		failed=1
	elif [ -z "$runs" ]; then
		result="did not finish; see $log"
		failed=1
	else
		result="nothing found"
	fi
	printf '%-10s %12s %9s %8s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "$size" "$result"
done
echo "logs and grown corpora are in $work; new inputs worth keeping go to fuzz/corpus/TARGET/"
if [ "$failed" -ne 0 ]; then
	echo "fuzzing found something: reproduce with $build/fuzz/fuzz-TARGET FILE," \
	    "fix it and add the input to fuzz/corpus/TARGET/" >&2
	exit 1
fi
