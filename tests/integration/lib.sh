# Shared helpers of the integration tests; each test script sources it:
#
#     . "$(dirname "$0")/lib.sh"
#
# The environment names the binary under test: KTO (required) and
# KTO_SOURCE_DIR (the source tree, for the few tests that read it).  Every
# script runs in a fresh temporary directory $T that is removed on exit, with
# KTO_DB unset, so that nothing depends on or leaks into the caller's files.
#
# The helpers run a command with its output in $T/.out and $T/.err, check
# what the script asks for, and on a mismatch print the command's output and
# exit 1 (the ctest failure).

set -u

if [ -z "${KTO:-}" ]; then
	echo "lib.sh: set KTO to the kto binary" >&2
	exit 2
fi
case $KTO in
/*) ;;
*) KTO=$(pwd)/$KTO ;;
esac
KTO_SOURCE_DIR=${KTO_SOURCE_DIR:-}
# Under the sanitizers a memory error must not pass for "exit 1, bad input".
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86"
PYTHON=/usr/bin/python3

T=$(mktemp -d "${TMPDIR:-/tmp}/kto-it.XXXXXX") || exit 2
trap 'cd / && rm -rf "$T"' EXIT
trap 'exit 130' HUP INT PIPE TERM
cd "$T" || exit 2
unset KTO_DB
OUT=$T/.out
ERR=$T/.err
: >"$OUT"
: >"$ERR"
LAST=""
STEP=0

# fail MESSAGE: reports the failure with the last command's output; exit 1.
fail() {
	{
		echo "FAIL: $*"
		[ -n "$LAST" ] && echo "  command: $LAST"
		echo "  --- stdout:"
		sed 's/^/  | /' "$OUT"
		echo "  --- stderr:"
		sed 's/^/  | /' "$ERR"
	} >&2
	exit 1
}

# run CMD...: runs CMD, records its output and sets STATUS; never fails.
run() {
	LAST="$*"
	STEP=$((STEP + 1))
	"$@" >"$OUT" 2>"$ERR"
	STATUS=$?
}

# expect_exit CODE CMD...: runs CMD and fails unless it exits with CODE.
expect_exit() {
	_want=$1
	shift
	run "$@"
	[ "$STATUS" -eq "$_want" ] || fail "expected exit status $_want, got $STATUS"
}

# expect_stdout_contains TEXT / expect_stderr_contains TEXT: fixed strings.
expect_stdout_contains() {
	grep -F -q -e "$1" "$OUT" || fail "stdout does not contain '$1'"
}
expect_stderr_contains() {
	grep -F -q -e "$1" "$ERR" || fail "stderr does not contain '$1'"
}
expect_stdout_lacks() {
	! grep -F -q -e "$1" "$OUT" || fail "stdout contains '$1'"
}
expect_stderr_lacks() {
	! grep -F -q -e "$1" "$ERR" || fail "stderr contains '$1'"
}
expect_stdout_empty() {
	[ ! -s "$OUT" ] || fail "stdout is not empty"
}
expect_stderr_empty() {
	[ ! -s "$ERR" ] || fail "stderr is not empty"
}

# expect_stdout_newline: stdout ends with a line break (a JSON document
# or a line of text, as a shell pipeline expects).
expect_stdout_newline() {
	[ -s "$OUT" ] || fail "stdout is empty"
	[ "$(tail -c 1 "$OUT" | od -An -tx1 | tr -d ' ')" = "0a" ] ||
	    fail "stdout does not end with a newline"
}

# expect_json PYTHON [ARG...]: parses stdout as JSON into `d` and runs the
# Python statements (asserts) on it; ARG... are in `args` as bytes, which
# keeps non-ASCII arguments independent of the locale.
expect_json() {
	_code=$1
	shift
	"$PYTHON" -c 'import json, os, sys
d = json.load(open(sys.argv[1], "rb"))
args = [os.fsencode(a) for a in sys.argv[3:]]
exec(sys.argv[2])' "$OUT" "$_code" "$@" || fail "JSON check failed: $_code"
}

# sha256 FILE: the file's SHA-256, hex.
sha256() {
	sha256sum "$1" | cut -d ' ' -f 1
}

# expect_file_absent PATH
expect_file_absent() {
	[ ! -e "$1" ] || fail "'$1' exists but should not"
}
