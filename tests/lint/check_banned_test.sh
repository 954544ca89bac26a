# Tests scripts/check-banned.sh on made-up source trees: it must find real
# calls with their file and line, and stay quiet about look-alikes, comments
# and strings.
#
# Usage: sh check_banned_test.sh PATH/TO/check-banned.sh
set -u

script=${1:?usage: check_banned_test.sh CHECK-BANNED-SCRIPT}
T=$(mktemp -d "${TMPDIR:-/tmp}/kto-lint.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' HUP INT PIPE TERM

fail() {
	echo "FAIL: $*" >&2
	echo "--- output:" >&2
	cat "$T/out" >&2
	exit 1
}

mkdir -p "$T/src/base" "$T/src/engine" "$T/src/stats" "$T/src/web" \
    "$T/src/cli" "$T/src/tests" "$T/src/fuzz"

# Clean code full of near misses.
cat >"$T/src/base/clean.c" <<'SRC'
/*
** atoi("1") and sprintf(buf, ...) are banned; strcpy(a, b) too.
*/
#include <stdio.h>

static int my_atoi(const char *s);	/* a look-alike name */

int
clean(char *buf, size_t n, FILE *f)
{
	snprintf(buf, n, "%d", my_atoi("sprintf(x)"));   // gets(buf) in a comment
	vsnprintf_wrapper(buf, n);
	if (fgets(buf, (int)n, f) == NULL)
		return -1;
	kto_strcat_safe(buf, n);
	buf[0] = '\'';
	puts("strtok(");
	return strtoll_like(buf) + atoix(buf) + sscanf_count;
}
SRC
cat >"$T/src/web/clean.h" <<'SRC'
/* A comment that spans lines
   and mentions sscanf(s, "%d", &x)
   and strcat(a, b). */
#define SAFE(x) snprintf((x), sizeof (x), "%s", "atol(")
SRC

# Banned calls in directories that are not checked do not count.
printf 'int f(void) { return atoi("1"); }\n' >"$T/src/tests/t.c"
printf 'int f(void) { return atoi("1"); }\n' >"$T/src/fuzz/f.c"
# Nor in files that are not C.
printf 'atoi(x)\n' >"$T/src/base/notes.txt"

sh "$script" "$T/src" >"$T/out" 2>&1
status=$?
[ $status -eq 0 ] || fail "clean tree: expected status 0, got $status"
[ ! -s "$T/out" ] || fail "clean tree: expected no output"

# Now real calls, one per banned function, at known lines.
cat >"$T/src/engine/bad.c" <<'SRC'
#include <stdlib.h>
int
bad(const char *s, char *d, char *buf)
{
	int n = atoi(s);
	long l = atol(s) + atoll (s);
	sprintf(buf, "%d", n);
	strcpy(d, s); strcat(d, s);
	char *t = strtok(d, ",");
	sscanf(s, "%d", &n);
	gets(buf);
	return n + (int)l + (t != 0);
}
SRC
printf '#define F(b, ...) vsprintf(b, __VA_ARGS__)\n' >"$T/src/cli/bad.h"
printf '/* ok */ x = 1; y = atoi(s); /* atoi( */\n' >"$T/src/stats/mixed.c"

sh "$script" "$T/src" >"$T/out" 2>&1
status=$?
[ $status -eq 1 ] || fail "bad tree: expected status 1, got $status"
for want in "engine/bad.c:5:" "engine/bad.c:6:" "engine/bad.c:7:" \
    "engine/bad.c:8:" "engine/bad.c:9:" "engine/bad.c:10:" \
    "engine/bad.c:11:" "cli/bad.h:1:" "stats/mixed.c:1:"; do
	grep -F -q -e "$want" "$T/out" || fail "no report for $want"
done
for unwanted in "engine/bad.c:1:" "engine/bad.c:12:" "clean.c" "clean.h" \
    "tests/t.c" "fuzz/f.c" "notes.txt"; do
	! grep -F -q -e "$unwanted" "$T/out" || fail "false report: $unwanted"
done
[ "$(grep -c '^/' "$T/out")" -eq 9 ] || fail "expected exactly 9 reports"

# A tree without any of the source directories cannot be checked.
mkdir "$T/empty"
sh "$script" "$T/empty" >"$T/out" 2>&1
status=$?
[ $status -eq 2 ] || fail "empty tree: expected status 2, got $status"
sh "$script" "$T/does-not-exist" >"$T/out" 2>&1
status=$?
[ $status -eq 2 ] || fail "missing tree: expected status 2, got $status"
exit 0
