# kto def check: the shipped questionnaires pass; every mistake in a file is
# reported as FILE:LINE:COL in line order; several files at once; --json;
# and the bad inputs of the issue (junk, empty, not UTF-8, huge, deep, a
# cycle, stdin), each refused with exit status 1 and a message, never a crash.
. "$(dirname "$0")/lib.sh"

# In the sanitizer build a sanitizer report exits with status 1 by default,
# the same as a refused input: give it a status of its own.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86"
export ASAN_OPTIONS UBSAN_OPTIONS

[ -n "$KTO_SOURCE_DIR" ] || { echo "set KTO_SOURCE_DIR" >&2; exit 2; }
DEFS=$KTO_SOURCE_DIR/survey-defs

# chk ARG...: `kto def check`, killed after 20 s (exit 124 then, not 1).
chk() {
	timeout 20 "$KTO" def check "$@"
}
# chk_stdin FILE: `kto def check -` with FILE on standard input.
chk_stdin() {
	timeout 20 "$KTO" def check - <"$1"
}

# --- The shipped definitions: valid, and without a single warning.
expect_exit 0 chk "$DEFS/kto-balie.kto" "$DEFS/kto-email.kto" \
    "$DEFS/kto-telefoon.kto"
expect_stdout_contains "kto-balie.kto: ok: survey kto-balie (counter)"
expect_stdout_contains "kto-email.kto: ok: survey kto-email (email)"
expect_stdout_contains "kto-telefoon.kto: ok: survey kto-telefoon (phone)"
[ "$(grep -c ': ok: survey ' "$OUT")" -eq 3 ] || fail "not three ok lines"
expect_stderr_lacks "warning"
expect_stderr_empty
expect_exit 0 chk --json "$DEFS/kto-balie.kto" "$DEFS/kto-email.kto" \
    "$DEFS/kto-telefoon.kto"
expect_json '
assert [f["survey"] for f in d] == ["kto-balie", "kto-email", "kto-telefoon"], d
for f in d:
    assert f["valid"] is True and f["problems"] == [], f
    assert f["errors"] == 0 and f["warnings"] == 0, f
'

# --- Usage.
expect_exit 0 chk --help
expect_stdout_contains "Usage: kto def check FILE..."
expect_exit 2 chk
expect_stdout_empty
expect_stderr_contains "missing argument"
expect_exit 2 chk --no-such-option "$DEFS/kto-balie.kto"

# A small valid survey the cases below start from.
cp "$KTO_SOURCE_DIR/tests/integration/fixtures/mini.kto" good.kto
expect_exit 0 chk good.kto
expect_stdout_contains "good.kto: ok: survey mini (counter), 2 questions on 2 pages, 0 norms"
expect_stderr_empty

# --- Five mistakes in one file: five lines, in line order, at the right place.
cat >multi.kto <<'EOF'
# Five mistakes, one per block.
survey multi
  channel: counter
  title: Titel
  colour: blauw
  overall: Q9

page een
  title: Een

question Q1 choice
  text: Waarvoor kwam u?
  options:
    a  Paspoort
    b  Rijbewijs

question Q2 yesno
  text: Had u een afspraak?
  show-if: Q1 = zz

question Q3 yesno
  text: Kon u parkeren?
  show-if: Q2 = ja

page twee

question Q9 mark
  text: Rapportcijfer
  area: TOT

question Q10 numbr
  text: Hoeveel minuten?

norm N1
  text: Snel geholpen
  item: Q2
  met-if: Q2 = ja
  target: 150%

mail invitation
  subject: Hallo {municipality}
  body: |
    {link}
    {optout_link}

mail reminder
  subject: Herinnering
  body: |
    {link}
    {optout_link}
EOF
# HARDENING D3: unknown references (an option, a type, a key), each with line:column.
expect_exit 1 chk multi.kto
expect_stdout_empty
got=$(grep -E '^multi\.kto:[0-9]+:[0-9]+: ' "$ERR" | cut -d : -f 2,3 | tr '\n' ' ')
[ "$got" = "5:3 19:17 23:12 31:14 38:11 " ] ||
    fail "expected problems at 5:3 19:17 23:12 31:14 38:11, got: $got"
grep -q "^multi.kto:5:3: unknown key 'colour'" "$ERR" || fail "unknown key"
grep -q "^multi.kto:19:17: Q1 has no option 'zz'" "$ERR" || fail "unknown option"
grep -q "^multi.kto:23:12: .*Q2, which is on the same page" "$ERR" ||
    fail "same-page show-if"
grep -q "^multi.kto:31:14: unknown question type 'numbr'" "$ERR" || fail "type"
grep -q "^multi.kto:38:11: .*'150%'" "$ERR" || fail "target"
expect_stderr_contains "multi.kto: 5 errors, 0 warnings"
expect_stderr_lacks "warning:"

# The same as JSON.
expect_exit 1 chk --json multi.kto
expect_json '
assert isinstance(d, list) and len(d) == 1, d
f = d[0]
assert f["file"] == "multi.kto" and f["valid"] is False, f
assert f["survey"] is None and f["errors"] == 5 and f["warnings"] == 0, f
p = f["problems"]
assert [(x["line"], x["col"]) for x in p] == [(5, 3), (19, 17), (23, 12), (31, 14), (38, 11)], p
for x in p:
    assert sorted(x) == ["col", "line", "message", "severity"], x
    assert x["severity"] == "error" and isinstance(x["message"], str), x
assert "colour" in p[0]["message"] and "zz" in p[1]["message"], p
'

# A warning: valid (exit 0), reported with its place, severity "warning".
sed '/^mail reminder/,$d' good.kto >noreminder.kto
expect_exit 0 chk noreminder.kto
expect_stderr_contains "noreminder.kto:1:1: warning: no 'mail reminder' block"
expect_stdout_contains "noreminder.kto: ok: survey mini"
expect_exit 0 chk --json noreminder.kto
expect_json '
f = d[0]
assert f["valid"] is True and f["survey"] == "mini" and f["warnings"] == 1, f
assert [(x["severity"], x["line"], x["col"]) for x in f["problems"]] == [("warning", 1, 1)], f
'

# --- Several files, one bad: exit 1; the others are still checked.
expect_exit 1 chk good.kto multi.kto "$DEFS/kto-balie.kto"
expect_stdout_contains "good.kto: ok: survey mini"
expect_stdout_contains "kto-balie.kto: ok: survey kto-balie"
expect_stderr_contains "multi.kto:5:3: unknown key 'colour'"
expect_stderr_contains "multi.kto: 5 errors"
expect_exit 1 chk --json multi.kto good.kto
expect_json '
assert [(f["file"], f["valid"]) for f in d] == [("multi.kto", False), ("good.kto", True)], d
'

# --- A missing file, a directory.
expect_exit 1 chk missing.kto
expect_stderr_contains "missing.kto: cannot open 'missing.kto': No such file or directory"
expect_exit 1 chk good.kto missing.kto
expect_stdout_contains "good.kto: ok"
expect_stderr_contains "cannot open 'missing.kto'"
mkdir adir
expect_exit 1 chk adir
expect_stderr_contains "is a directory"

# --- Bad inputs: exit status exactly 1 (not a crash, not a timeout).
head -c 4096 /dev/urandom >junk.kto
expect_exit 1 chk junk.kto
grep -q -e "not a text file" -e "not valid UTF-8" "$ERR" ||
    fail "random bytes are not called binary or not UTF-8"
expect_stderr_contains "junk.kto: 1 error"

printf 'survey mini\n  channel: counter\0\n' >nul.kto
expect_exit 1 chk nul.kto
expect_stderr_contains "nul.kto:2:19: this is not a text file (it contains a NUL byte)"

: >empty.kto
expect_exit 1 chk empty.kto
expect_stderr_contains "empty.kto:1:1: the file is empty"

# Only blank lines and comments count as empty too.
printf '\n# only a comment\n\n' >blank.kto
expect_exit 1 chk blank.kto
expect_stderr_contains "blank.kto"
expect_stderr_contains "survey NAME"

# A Latin-1 e-acute on line 3 ("Titel" -> "Caf\351").
sed 's/title: Titel/title: Caf\xe9/' good.kto >latin1.kto
[ "$(LC_ALL=C grep -c "$(printf 'Caf\351')" latin1.kto)" -eq 1 ] || fail "sed made no Latin-1 file"
expect_exit 1 chk latin1.kto
expect_stderr_contains "latin1.kto:3:13: the file is not valid UTF-8 text here (byte 0xE9)"

# A BOM, CRLF line ends and tab indentation: valid.
{
	printf '\357\273\277'
	sed 's/^    /\t\t/; s/^  /\t/; s/$/\r/' good.kto
} >windows.kto
grep -q "$(printf '\t\t{link}\r')" windows.kto || fail "windows.kto is not as intended"
expect_exit 0 chk windows.kto
expect_stdout_contains "windows.kto: ok: survey mini (counter), 2 questions on 2 pages, 0 norms"
expect_stderr_empty

# 50 MB: refused by its size, at once.
head -c 52428800 /dev/zero | tr '\0' a >big.kto
expect_exit 1 timeout 2 "$KTO" def check big.kto
expect_stderr_contains "big.kto: the file is 52428800 bytes; a survey definition may be at most 1048576 bytes"
# The same through a pipe.
run sh -c 'head -c 52428800 /dev/zero | tr "\0" a | timeout 2 "$1" def check -' sh "$KTO"
[ "$STATUS" -eq 1 ] || fail "50 MB on stdin: expected exit 1, got $STATUS"
expect_stderr_contains "a survey definition may be at most 1048576 bytes"

# A line of 1,000,000 bytes in an otherwise valid file (under 1 MiB).
{
	printf 'survey mini\n  channel: counter\n  title: '
	head -c 1000000 /dev/zero | tr '\0' x
	printf '\n'
	sed 1,3d good.kto
} >longline.kto
expect_exit 1 chk longline.kto
expect_stderr_contains "longline.kto:3:1: this line is 1000009 bytes long; lines may be at most 8192 bytes"
# One line of exactly 1 MiB, without a line end.
head -c 1048576 /dev/zero | tr '\0' x >oneline.kto
expect_exit 1 chk oneline.kto
expect_stderr_contains "oneline.kto:1:1: this line is 1048576 bytes long"

# HARDENING D1: deep nesting
# 500 nested parentheses, and 500 nested "(not": too deep, not a stack overflow.
o=$(printf '(%.0s' $(seq 500))
c=$(printf ')%.0s' $(seq 500))
sed "s/  show-if: Q1 = ja/  show-if: ${o}Q1 = ja${c}/" good.kto >deep.kto
[ "$(wc -c <deep.kto)" -gt 1000 ] || fail "deep.kto is not as intended"
expect_exit 1 chk deep.kto
expect_stderr_contains "deep.kto:17:"
expect_stderr_contains "nested too deeply (more than 32 levels)"
o=$(printf '(not %.0s' $(seq 500))
sed "s/  show-if: Q1 = ja/  show-if: ${o}Q1 = ja${c}/" good.kto >deepnot.kto
expect_exit 1 chk deepnot.kto
expect_stderr_contains "nested too deeply"
# 1,900 "not" in a row, without parentheses.
o=$(printf 'not %.0s' $(seq 1900))
sed "s/  show-if: Q1 = ja/  show-if: ${o}Q1 = ja/" good.kto >nots.kto
expect_exit 1 chk nots.kto
expect_stderr_contains "nested too deeply"
# A long flat chain of "and" is not nesting: valid.
o=$(printf 'Q1 = ja and %.0s' $(seq 600))
sed "s/  show-if: Q1 = ja/  show-if: ${o}Q1 = ja/" good.kto >flat.kto
expect_exit 0 chk flat.kto
expect_stdout_contains "flat.kto: ok"

# HARDENING D2
# A show-if cycle over three pages: named as a cycle.
cat >cycle.kto <<'EOF'
survey kring
  channel: phone
  title: Titel
  overall: Q9

page een
question A yesno
  text: Vraag A
  show-if: C = ja

page twee
question B yesno
  text: Vraag B
  show-if: A = ja

page drie
question C yesno
  text: Vraag C
  show-if: B = nee

question Q9 mark
  text: Cijfer
  area: TOT

mail invitation
  subject: Hallo
  body: {link} {optout_link}
EOF
expect_exit 1 chk cycle.kto
expect_stderr_contains "cycle.kto:9:12: show-if cycle: A -> C -> B -> A"
grep -q "cycle" "$ERR" || fail "no cycle message"

# --- Standard input.
expect_exit 0 chk_stdin good.kto
expect_stdout_contains "-: ok: survey mini"
expect_exit 1 chk_stdin multi.kto
expect_stderr_contains "-:5:3: unknown key 'colour'"
expect_stderr_contains "-: 5 errors"
expect_exit 1 chk_stdin empty.kto
expect_stderr_contains "the file is empty"
expect_exit 1 chk_stdin junk.kto
expect_exit 0 chk_stdin windows.kto

echo "def_check: ok"
