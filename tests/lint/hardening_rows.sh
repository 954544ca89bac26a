# Every row of the hardening checklist has a test (issue 9): for each row ID
# (H1, T2, ...) of HARDENING.md, a "HARDENING <ID>" marker at a test under
# tests/ and a line of docs/hardening.md saying which test and what it
# asserts.  Also HARDENING F2: no source passes PCRE2_NO_UTF_CHECK.
#
#     sh hardening_rows.sh SOURCE_DIR [CHECKLIST]
#
# The checklist is CHECKLIST when given, else ../shared/HARDENING.md beside
# the source tree when present, else the table of docs/hardening.md itself.
# Exit 0 when every row is covered; 1 with the rows that are not; 2 on a
# usage error.
set -u

src=${1:-}
if [ -z "$src" ] || [ ! -d "$src" ]; then
	echo "hardening_rows: give the source directory" >&2
	exit 2
fi
doc=$src/docs/hardening.md
list=${2:-}
if [ -z "$list" ]; then
	if [ -f "$src/../shared/HARDENING.md" ]; then
		list=$src/../shared/HARDENING.md
	else
		list=$doc
	fi
fi
if [ ! -f "$list" ]; then
	echo "hardening_rows: no checklist at '$list'" >&2
	exit 2
fi
if [ ! -f "$doc" ]; then
	echo "hardening_rows: no $doc: write it (a row per checklist row)" >&2
	exit 1
fi

# The IDs: the first cell of each table row, a letter and a number.
ids=$(sed -n 's/^| *\([A-Z][0-9][0-9]*\) *|.*/\1/p' "$list" | sort -u)
if [ -z "$ids" ]; then
	echo "hardening_rows: no rows (| X1 | ... |) in '$list'" >&2
	exit 2
fi

status=0
for id in $ids; do
	if ! grep -q "^| *$id *|" "$doc"; then
		echo "hardening_rows: $id has no row in docs/hardening.md" >&2
		status=1
	fi
	if ! grep -rqE --exclude-dir=node_modules "HARDENING $id([^0-9A-Za-z]|\$)" \
	    "$src/tests"; then
		echo "hardening_rows: $id has no test: no 'HARDENING $id' marker under tests/" >&2
		status=1
	fi
done

# HARDENING F2: PCRE2 always checks UTF-8 itself; a comment may name the flag.
for d in base engine web report stats cli; do
	[ -d "$src/$d" ] || continue
	if grep -rnE 'PCRE2_NO_UTF_CHECK' "$src/$d" |
	    grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|/\*)'; then
		echo "hardening_rows: PCRE2_NO_UTF_CHECK is used above (HARDENING.md F2)" >&2
		status=1
	fi
done
[ "$status" -eq 0 ] && echo "hardening_rows: $(echo $ids | wc -w) rows, each with a test"
exit "$status"
