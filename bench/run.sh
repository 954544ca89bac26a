#!/bin/sh
# make bench: runs every benchmark of an optimised build and prints kto's
# figures next to their baselines.  Usage: bench/run.sh BUILD_DIR
set -eu
build=$1
src=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "kto benchmarks ($(uname -m), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ))"
echo "Each line: kto's median time per operation, the baseline's, and kto/baseline."
echo
"$build/bench/bench_surveydef" "$src/survey-defs"
"$build/bench/bench_db_open" "$scratch"
"$build/bench/bench_import" "$build/cli/kto" "$scratch"
"$build/bench/bench_sample" "$scratch"
"$build/bench/bench_send" "$build/cli/kto" "$src/survey-defs" "$scratch"
sh "$src/bench/web.sh" "$build/cli/kto" "$scratch"
sh "$src/bench/marks.sh" "$build" "$scratch"
sh "$src/bench/letters.sh" "$build/cli/kto" "$scratch"
sh "$src/bench/portal.sh" "$build/cli/kto" "$scratch"
# Last, and long: SOAK_SECONDS (default 600) of mixed load (bench/soak.sh).
sh "$src/bench/soak.sh" "$build/cli/kto" "$scratch"
