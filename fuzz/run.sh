#!/bin/sh
# make fuzz: runs each libFuzzer target for a while on a copy of its seed
# corpus.  Usage: fuzz/run.sh BUILD_DIR SECONDS
set -eu
build=$1
seconds=${2:-60}
src=$(cd "$(dirname "$0")" && pwd)
for target in surveydef csv config; do
  work=$(mktemp -d)
  cp "$src/corpus/$target/"* "$work/"
  echo "fuzzing $target for ${seconds}s (corpus copy in $work)"
  "$build/fuzz/fuzz-$target" -max_total_time="$seconds" -max_len=65536 \
    -dict="$src/$target.dict" -timeout=10 -rss_limit_mb=2048 "$work"
  echo "new inputs worth keeping are in $work; copy them to fuzz/corpus/$target/"
done
