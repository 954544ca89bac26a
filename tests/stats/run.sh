#!/bin/sh
# `kto stats estimate` against R's survey package.
#
#   sh run.sh KTO_BINARY
#
# 1. When Rscript and the survey package are there, recompute the reference
#    (reference.R) into a temporary file and check that it equals the
#    committed reference.json to 1e-12 relative.  A difference means that
#    the data, the cases or R changed without reference.json being
#    regenerated (Rscript reference.R).  Without R this step is skipped.
# 2. Run every case of the committed reference.json through kto
#    (compare.py).
#
# Exit status 0 when both pass, 1 otherwise (2 for wrong usage).
set -eu

if [ $# -ne 1 ]; then
	echo "usage: sh run.sh KTO_BINARY" >&2
	exit 2
fi
kto=$1   # compare.py resolves a relative path against this directory
here=$(cd "$(dirname "$0")" && pwd)
status=0

if command -v Rscript >/dev/null 2>&1 &&
	Rscript -e 'suppressMessages(library(survey))' >/dev/null 2>&1; then
	tmp=$(mktemp "${TMPDIR:-/tmp}/kto-stats-ref.XXXXXX")
	trap 'rm -f "$tmp" "$tmp.log"' EXIT
	trap 'rm -f "$tmp" "$tmp.log"; exit 1' HUP INT TERM
	if ! Rscript "$here/reference.R" "$tmp"; then
		echo "R reference: FAIL, reference.R stopped (see above)"
		status=1
	elif python3 "$here/compare.py" --references "$tmp" \
		"$here/reference.json" >"$tmp.log"; then
		echo "R reference: reference.json is up to date"
	else
		echo "R reference: FAIL, a fresh run of reference.R differs from" \
			"reference.json (data, cases or R changed; rerun reference.R):"
		grep -v '^ok ' "$tmp.log" || true
		status=1
	fi
	rm -f "$tmp.log"
else
	echo "R reference: skipped (no Rscript with the survey package)"
fi

if python3 "$here/compare.py" "$kto" "$here/reference.json"; then
	:
else
	status=1
fi
exit $status
