#!/bin/sh
# The report marks (stats/marks.h), side by side with R's survey package in
# one run (make bench; R and r-cran-survey come with scripts/install-deps.sh
# bench).
#
#   every result, comparison and key driver for 342 municipalities x 3
#   channels x 15 marks over 1,000,000 responses, 2 threads  (target < 2 s)
#   the first 100,000 of those responses: kto against svyby/svymean
#   computing the same means, the time R takes / kto's        (target >= 50)
#
# Before the ratio, a few of R's estimates and standard errors are held
# against kto's (1e-9 relative), so that the two computed the same thing.
#
# Usage: bench/marks.sh BUILD_DIR SCRATCH_DIR
set -eu
build=$1
dir=$2/marks
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
subset=100000

"$build/bench/bench_marks" --responses 1000000 --subset $subset \
    --csv "$dir/subset.csv" >"$dir/kto.out"
grep -v -E '^(subset_|kto_spot )' "$dir/kto.out"
kto_seconds=$(awk '$1 == "subset_seconds" { print $2 }' "$dir/kto.out")
label=$(sed -n 's/^subset_label //p' "$dir/kto.out")

if ! command -v Rscript >/dev/null 2>&1 ||
   ! Rscript -e 'suppressMessages(library(survey))' >/dev/null 2>&1; then
	printf '%-34s %10.3f s\n' "$label" "$kto_seconds"
	echo "report marks against R svyby skipped: R with the survey package is missing (scripts/install-deps.sh bench)"
	rm -f "$dir/subset.csv"
	exit 0
fi

keys=$(awk '$1 == "kto_spot" { print $2 }' "$dir/kto.out")
# shellcheck disable=SC2086   # the keys are words without blanks
if ! Rscript "$src/bench/marks_svyby.R" "$dir/subset.csv" $keys >"$dir/r.out" 2>"$dir/r.err"; then
	echo "report marks: the R baseline failed:"
	cat "$dir/r.err"
	exit 1
fi
r_seconds=$(awk '$1 == "r_seconds" { print $2 }' "$dir/r.out")

# The same estimates?  Both NA, or within 1e-9 of each other, relatively.
if ! awk '
    function rel(a, b) { d = a - b; if (d < 0) d = -d; m = (a < 0 ? -a : a);
        if ((b < 0 ? -b : b) > m) m = (b < 0 ? -b : b); return m > 0 ? d / m : 0 }
    function same(a, b) { if (a == "NA" || a == "nan" || b == "NA" || b == "nan" || a == "-nan")
        return (a == "NA" || a ~ /nan/) && (b == "NA" || b ~ /nan/);
        return rel(a + 0, b + 0) <= 1e-9 }
    FNR == NR && $1 == "kto_spot" { est[$2] = $3; se[$2] = $4; next }
    $1 == "r_spot" { n++
        if (!($2 in est) || !same(est[$2], $3) || !same(se[$2], $4)) {
            printf "  %s: kto %s (se %s), R %s (se %s)\n", $2, est[$2], se[$2], $3, $4
            bad++ } }
    END { if (n == 0) print "  R printed no estimate to compare"; exit (bad > 0 || n == 0) }
    ' "$dir/kto.out" "$dir/r.out" >"$dir/spots"; then
	echo "report marks: kto and R svyby DISAGREE, no ratio (see $dir):"
	cat "$dir/spots"
	exit 1
fi
spots=$(grep -c '^r_spot ' "$dir/r.out")
printf '%-34s %10.3f s    baseline %-30s %10.2f s    R/kto %6.0f  (target >= 50)\n' \
    "$label" "$kto_seconds" "R svyby+svymean, same means" "$r_seconds" \
    "$(awk -v r="$r_seconds" -v k="$kto_seconds" 'BEGIN { print r / k }')"
echo "  (R's estimate and SE equal kto's to 1e-9 relative for $spots spot checks: cells, municipalities, all)"
rm -f "$dir/subset.csv"
