# The check of hardening_rows.sh itself, on a made-up tree: a row without
# a marker, then without a docs line, fails naming the row; both present
# passes; a marker for X10 does not count for X1; PCRE2_NO_UTF_CHECK in
# code fails, in a comment does not.
#
#     sh hardening_rows_test.sh PATH/TO/hardening_rows.sh
set -u
lint=$1
T=$(mktemp -d "${TMPDIR:-/tmp}/kto-lint.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/src/tests" "$T/src/docs" "$T/src/engine"
printf '| # | Input | Expected |\n|---|---|---|\n| X1 | a | b |\n| X2 | c | d |\n' >"$T/list.md"
printf '| X1 | t.sh | a |\n| X2 | t.sh | c |\n' >"$T/src/docs/hardening.md"
printf '# HARDENING X10: not X1\n# HARDENING X2\n' >"$T/src/tests/t.sh"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
expect() {
	_want=$1
	shift
	sh "$lint" "$T/src" "$T/list.md" >"$T/out" 2>&1
	_got=$?
	[ "$_got" -eq "$_want" ] || { cat "$T/out" >&2; fail "exit $_got, not $_want: $*"; }
	return 0
}
expect 1 "X1 has no marker (X10's does not count)"
grep -q "X1 has no test" "$T/out" || fail "the message does not name X1"
grep -q "X2" "$T/out" && fail "X2 was reported"
printf '/* HARDENING X1 */\n' >"$T/src/tests/t.c"
expect 0 "both rows covered"
printf '| X2 | t.sh | c |\n' >"$T/src/docs/hardening.md"
expect 1 "X1 has no docs line"
grep -q "X1 has no row in docs/hardening.md" "$T/out" || fail "no docs message"
printf '| X1 | t.c | a |\n| X2 | t.sh | c |\n' >"$T/src/docs/hardening.md"
printf '/*\n** never PCRE2_NO_UTF_CHECK\n*/\n' >"$T/src/engine/a.c"
expect 0 "the flag in a comment"
printf 'rc = pcre2_match(re, s, n, 0, PCRE2_NO_UTF_CHECK, md, mc);\n' >>"$T/src/engine/a.c"
expect 1 "the flag in code"
echo "hardening_rows selftest: ok"
