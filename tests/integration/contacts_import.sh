# kto contacts import: separators (comma, semicolon, tab), BOM, CRLF / bare
# CR / no final newline, RFC 4180 quoting, an unbalanced quote, Windows-1252,
# every row rejection with its row number, extra columns not stored,
# re-imports (unchanged, updated, refused after sampling), --dry-run,
# --rejects, --json, bad files and arguments, stdin, Dutch column names,
# channel aliases and dates (DESIGN.md sections 4-5, HARDENING.md C1-C9).
. "$(dirname "$0")/lib.sh"

[ -n "$KTO_SOURCE_DIR" ] || { echo "set KTO_SOURCE_DIR" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "contacts_import.sh needs the sqlite3 CLI" >&2; exit 2; }

# The clock of every decision by date: "in the future" is after 2026-11-30.
KTO_NOW=2026-11-30T12:00:00
export KTO_NOW
DB=$T/contacts.db
k() {
	timeout 30 "$KTO" --db "$DB" "$@"
}
q() {
	sqlite3 "$DB" "$1" || fail "sqlite3: $1"
}
# imp CODE FILE [OPTION...]: kto contacts import --municipality CODE FILE ...
imp() {
	_code=$1
	_file=$2
	shift 2
	k contacts import --municipality "$_code" "$_file" "$@"
}
# count CODE: the stored contacts of a municipality.
count() {
	q "SELECT count(*) FROM contact c JOIN municipality m ON m.id = c.municipality_id WHERE m.code = '$1'"
}
# contacts CODE: the stored contacts of a municipality, one line each.
contacts() {
	q "SELECT c.external_id, c.channel, c.contact_at, coalesce(c.email, '-'),
	          coalesce(c.product, '-'), coalesce(c.team, '-'), c.language
	   FROM contact c JOIN municipality m ON m.id = c.municipality_id
	   WHERE m.code = '$1' ORDER BY c.external_id"
}
# expect_count CODE N
expect_count() {
	_n=$(count "$1")
	[ "$_n" = "$2" ] || fail "$1 has $_n contacts, expected $2"
}
# expect_totals ADDED UPDATED UNCHANGED REJECTED: of the --json report on stdout.
expect_totals() {
	expect_json '
t = d["totals"]
want = dict(zip(("added", "updated", "unchanged", "rejected"), map(int, args)))
assert t == want, (t, want)
for k in want:
    assert sum(c[k] for c in d["channels"]) <= t[k], (k, d["channels"], t)
' "$@"
}

expect_exit 0 k municipality add GM0001 --name Testdorp
for m in GM0002 GM0003 GM0004 GM0005 GM0006 GM0007 GM0008 GM0009; do
	expect_exit 0 k municipality add "$m" --name "Dorp $m"
done
expect_exit 0 k def load "$KTO_SOURCE_DIR"/survey-defs/*.kto

# HARDENING C1
# --- Comma, semicolon (Dutch Excel) and tab: detected, columns echoed back.
printf 'contact_id,channel,contact_at,email,product\nc1,counter,2026-11-20,a@example.org,paspoort\nc2,phone,2026-11-21 09:30,b@example.org,\nc3,email,2026-11-22,,rijbewijs\n' >comma.csv
tr ',' ';' <comma.csv >semi.csv
tr ',' '\t' <comma.csv >tab.csv
expect_exit 0 imp GM0002 comma.csv
expect_stdout_contains "Imported comma.csv for GM0002: 3 rows, separator ','."
expect_stdout_contains "Columns: contact_id, channel, contact_at, email, product"
grep -Eq '^  total +3 +0 +0 +0$' "$OUT" || fail "comma: total line is not 3 added"
grep -Eq '^  counter +1 +0 +0 +0$' "$OUT" || fail "comma: counter line"
grep -Eq '^  phone +1 +0 +0 +0$' "$OUT" || fail "comma: phone line"
grep -Eq '^  email +1 +0 +0 +0$' "$OUT" || fail "comma: email line"
expect_stderr_empty
expect_exit 0 imp GM0003 semi.csv --json
expect_json '
assert d["delimiter"] == ";", d
assert d["columns"] == "contact_id, channel, contact_at, email, product", d
assert d["rows"] == 3 and d["totals"]["added"] == 3 and d["totals"]["rejected"] == 0, d
'
expect_exit 0 imp GM0004 tab.csv
expect_stdout_contains "separator 'tab'"
expect_stdout_contains "Columns: contact_id, channel, contact_at, email, product"
# The three files give the same stored contacts.
contacts GM0002 >c2.txt
contacts GM0003 >c3.txt
contacts GM0004 >c4.txt
[ "$(wc -l <c2.txt)" -eq 3 ] || fail "comma.csv did not store 3 contacts"
grep -qx 'c1|counter|2026-11-20T00:00:00|a@example.org|paspoort|-|nl' c2.txt ||
    fail "c1 stored as: $(grep '^c1' c2.txt)"
grep -qx 'c2|phone|2026-11-21T09:30:00|b@example.org|-|-|nl' c2.txt ||
    fail "c2 stored as: $(grep '^c2' c2.txt)"
grep -qx 'c3|email|2026-11-22T00:00:00|-|rijbewijs|-|nl' c2.txt ||
    fail "c3 stored as: $(grep '^c3' c2.txt)"
cmp -s c2.txt c3.txt || fail "semicolon file stored differently: $(diff c2.txt c3.txt)"
cmp -s c2.txt c4.txt || fail "tab file stored differently: $(diff c2.txt c4.txt)"

# HARDENING C2
# --- A BOM is stripped (else the first column would not be contact_id).
printf '\357\273\277' >bom.csv
cat semi.csv >>bom.csv
expect_exit 0 imp GM0005 bom.csv --json
expect_json 'assert d["columns"].startswith("contact_id,") and d["totals"]["added"] == 3, d'
contacts GM0005 >c5.txt
cmp -s c2.txt c5.txt || fail "BOM file stored differently: $(diff c2.txt c5.txt)"

# HARDENING C3
# --- CRLF, bare CR and no final newline parse identically, a quoted line
# break included (in an extra column, which is not stored), and the row
# numbers after it stay those a spreadsheet shows.
printf 'contact_id,channel,contact_at,email,product,team,opmerking\nn1,counter,2026-11-20,n1@example.org,paspoort,burgerzaken,"belde terug\nover de afspraak"\nn2,phone,2026-11-21,n2@example.org,,,\nn3,fax,2026-11-21,n3@example.org,,,\nn4,email,2026-11-22,n4@example.org,,"Team ""Noord""",\n' >lf.csv
sed 's/$/\r/' lf.csv >crlf.csv
tr '\n' '\r' <lf.csv >cr.csv
printf '%s' "$(cat lf.csv)" >nonl.csv
[ "$(tail -c 1 nonl.csv)" = ',' ] || fail "nonl.csv ends with a newline"
[ "$(tr -cd '\r' <crlf.csv | wc -c)" -eq 6 ] || fail "crlf.csv has no CRs"
[ "$(tr -cd '\n' <cr.csv | wc -c)" -eq 0 ] || fail "cr.csv has LFs"
code=5
for f in lf crlf cr nonl; do
	code=$((code + 1))
	expect_exit 1 imp "GM000$code" "$f.csv" --json
	expect_json '
assert d["rows"] == 4, d
assert d["totals"] == {"added": 3, "updated": 0, "unchanged": 0, "rejected": 1}, d
assert [r["row"] for r in d["rejects"]] == [4], d["rejects"]
assert "unknown channel" in d["rejects"][0]["reason"], d["rejects"]
assert d["ignored_columns"] == "opmerking", d
assert d["stopped"] is False, d
'
	expect_stderr_contains "$f.csv:4: unknown channel 'fax'"
	contacts "GM000$code" >"$f.txt"
done
[ "$(wc -l <lf.txt)" -eq 3 ] || fail "lf.csv: not 3 contacts"
grep -qx 'n1|counter|2026-11-20T00:00:00|n1@example.org|paspoort|burgerzaken|nl' lf.txt ||
    fail "n1 stored as: $(grep '^n1' lf.txt)"
grep -qx 'n4|email|2026-11-22T00:00:00|n4@example.org|-|Team "Noord"|nl' lf.txt ||
    fail "doubled quotes: $(grep '^n4' lf.txt)"
for f in crlf cr nonl; do
	cmp -s lf.txt "$f.txt" || fail "$f.csv stored differently from lf.csv: $(diff lf.txt "$f.txt")"
done

# HARDENING C4
# --- RFC 4180: a quoted separator, doubled quotes, quoted line breaks
# (kto stores no line breaks: one in product rejects its row); the rows
# after them keep the numbers a spreadsheet shows, not the line numbers.
{
	printf 'contact_id;channel;contact_at;email;product;team;opmerking\n'
	printf 'q1;balie;2026-11-20;q1@example.org;"Paspoort; ID-kaart";"Het ""KCC""";\n'  # row 2
	printf 'q2;telefoon;2026-11-20;q2@example.org;;;"twee\nregels"\n'                  # row 3, lines 3-4
	printf 'q3;e-mail;2026-11-20;q3@example.org;;;\n'                                 # row 4, line 5
	printf 'q4;counter;2026-11-31;q4@example.org;;;\n'                                # row 5, line 6
	printf 'q5;counter;2026-11-20;q5@example.org;"een\r\ntwee";;\n'                  # row 6, lines 7-8
	printf 'q6;phone;2026-11-20;q6@example.org;;;"a\n\nb"\n'                          # row 7, lines 9-11
	printf 'q7;fax;2026-11-20;q7@example.org;;;\n'                                    # row 8, line 12
} >quoted.csv
expect_exit 1 imp GM0001 quoted.csv
expect_stderr_contains "quoted.csv:5: bad date '2026-11-31'"
expect_stderr_contains "quoted.csv:6: product contains a line break"
expect_stderr_contains "quoted.csv:8: unknown channel 'fax'"
[ "$(grep -c '^quoted.csv:' "$ERR")" -eq 3 ] || fail "not 3 rejected rows in quoted.csv"
grep -Eq '^  total +4 +0 +0 +3$' "$OUT" || fail "quoted.csv: not 4 added, 3 rejected"
[ "$(q "SELECT product || '|' || team FROM contact WHERE external_id = 'q1'")" = 'Paspoort; ID-kaart|Het "KCC"' ] ||
    fail "q1: quoted separator or doubled quotes stored wrongly"
[ "$(q "SELECT channel FROM contact WHERE external_id IN ('q1', 'q2', 'q3', 'q6') ORDER BY external_id" | tr '\n' ' ')" = "counter phone email phone " ] ||
    fail "channel aliases balie/telefoon/e-mail not mapped"
[ "$(q "SELECT count(*) FROM contact WHERE external_id IN ('q4', 'q5', 'q7')")" = 0 ] || fail "a rejected q row was stored"

# HARDENING C4: an unbalanced quote
# --- An unbalanced quote stops the import with its line; the rows before
# it are kept; the corrected file adds the rest, the first rows unchanged.
printf 'contact_id,channel,contact_at,email,product\nu1,counter,2026-11-20,u1@example.org,\nu2,phone,2026-11-20,u2@example.org,\nu3,email,2026-11-20,u3@example.org,"open\nu4,counter,2026-11-20,u4@example.org,\nu5,phone,2026-11-20,u5@example.org,\n' >unbalanced.csv
before=$(count GM0001)
expect_exit 1 imp GM0001 unbalanced.csv
expect_stderr_contains "the import stopped: line 4: the quoted field opened on this line"
expect_stderr_contains "not closed before the end of the file"
expect_stderr_contains "the 2 rows before it were stored"
expect_count GM0001 $((before + 2))
expect_exit 1 imp GM0001 unbalanced.csv --json
expect_json '
assert d["stopped"] is True and "line 4" in d["stop_reason"], d
assert d["totals"] == {"added": 0, "updated": 0, "unchanged": 2, "rejected": 0}, d
'
[ "$(q "SELECT count(*) FROM contact WHERE external_id IN ('u1', 'u2')")" = 2 ] || fail "u1, u2 not stored"
[ "$(q "SELECT count(*) FROM contact WHERE external_id IN ('u3', 'u4', 'u5')")" = 0 ] ||
    fail "rows from the open quote on were stored"
sed 's/,"open$/,open/' unbalanced.csv >fixed.csv
expect_exit 0 imp GM0001 fixed.csv --json
expect_totals 3 0 2 0
expect_json 'assert d["stopped"] is False and d["stop_reason"] is None, d'
expect_count GM0001 $((before + 5))

# HARDENING C2: Windows-1252
# --- Windows-1252: stopped with a UTF-8 message and the line; row 2 kept.
printf 'contact_id,channel,contact_at,email,product\nw1,counter,2026-11-20,w1@example.org,\nw2,counter,2026-11-20,w2@example.org,caf\351\nw3,counter,2026-11-20,w3@example.org,\n' >cp1252.csv
before=$(count GM0001)
expect_exit 1 imp GM0001 cp1252.csv
expect_stderr_contains "line 3, column 41: invalid UTF-8 (byte 0xE9)"
expect_stderr_contains "save the file as UTF-8"
expect_count GM0001 $((before + 1))
[ "$(q "SELECT count(*) FROM contact WHERE external_id IN ('w2', 'w3')")" = 0 ] ||
    fail "rows from the invalid byte on were stored"

# HARDENING C5: no @, over 254 characters, a CR: rejected with the row. HARDENING C6: a duplicate
# --- Each rejection reason with its row number; the good rows are stored.
long=$("$PYTHON" -c 'print("a" * 60 + "@" + ("b" * 60 + ".") * 4 + "nl")')
[ ${#long} -gt 254 ] || fail "the long address is not over 254 characters"
{
	printf 'contact_id,channel,contact_at,email,language\n'
	printf 'r1,counter,2026-11-20,r1@example.org,nl\n'              # 2 good
	printf 'r2,counter,2026-02-30,r2@example.org,nl\n'              # 3 bad date
	printf 'r3,fax,2026-11-20,r3@example.org,nl\n'                  # 4 channel
	printf 'r4,phone,2026-11-20,geen-apenstaartje.nl,nl\n'          # 5 no @
	printf 'r5,phone,2026-11-20,%s,nl\n' "$long"                    # 6 too long
	printf 'r6,email,2026-11-20,"r6@example.org\r",nl\n'            # 7 CR
	printf 'r1,email,2026-11-21,r1b@example.org,en\n'               # 8 duplicate
	printf 'r7,email,2026-12-01,r7@example.org,nl\n'                # 9 future
	printf 'r8,email,2026-11-20,r8@example.org,fr\n'                # 10 language
	printf 'r9,email,2026-11-30 23:59,r9@example.org,EN\n'          # 11 good
} >reasons.csv
before=$(count GM0001)
expect_exit 1 imp GM0001 reasons.csv
expect_stderr_contains "reasons.csv:3: bad date '2026-02-30' in contact_at"
expect_stderr_contains "reasons.csv:4: unknown channel 'fax'"
expect_stderr_contains "reasons.csv:5: malformed e-mail address 'geen-apenstaartje.nl'"
expect_stderr_contains "reasons.csv:6: the e-mail address is longer than 254 characters"
expect_stderr_contains "reasons.csv:7: the e-mail address contains a line break"
expect_stderr_contains "reasons.csv:8: contact_id 'r1' appears again in this file (first on row 2)"
expect_stderr_contains "reasons.csv:9: contact_at 2026-12-01 is in the future"
expect_stderr_contains "reasons.csv:10: unknown language 'fr'"
[ "$(grep -c '^reasons.csv:' "$ERR")" -eq 8 ] || fail "not 8 rejected rows on stderr"
expect_stderr_lacks "reasons.csv:2:"
expect_stderr_lacks "reasons.csv:11:"
grep -Eq '^  total +2 +0 +0 +8$' "$OUT" || fail "reasons.csv: not 2 added, 8 rejected"
grep -Eq '^  counter +1 +0 +0 +1$' "$OUT" || fail "reasons.csv: counter line"
grep -Eq '^  \(unknown\) +0 +0 +0 +1$' "$OUT" || fail "reasons.csv: unknown channel line"
expect_count GM0001 $((before + 2))
[ "$(q "SELECT external_id || ' ' || channel || ' ' || language || ' ' || email FROM contact WHERE external_id IN ('r1', 'r9') ORDER BY external_id" | tr '\n' ';')" = \
    "r1 counter nl r1@example.org;r9 email en r9@example.org;" ] ||
    fail "r1/r9 not stored as in their first good row"
[ "$(q "SELECT count(*) FROM contact WHERE external_id IN ('r2','r3','r4','r5','r6','r7','r8')")" = 0 ] ||
    fail "a rejected row was stored"
[ "$(q "SELECT count(*) FROM contact WHERE email LIKE '%' || char(13) || '%' OR email LIKE '%' || char(10) || '%'")" = 0 ] ||
    fail "an address with a line break was stored"

# --json: the report's shape, with the rejects and their rows.
expect_exit 1 imp GM0001 reasons.csv --json
expect_stdout_newline
expect_json '
assert {"rows", "channels", "totals", "rejects", "stopped"} <= set(d), d.keys()
assert d["rows"] == 10, d["rows"]
assert [c["channel"] for c in d["channels"]] == ["counter", "phone", "email"], d["channels"]
for c in d["channels"]:
    assert set(c) == {"channel", "added", "updated", "unchanged", "rejected"}, c
assert set(d["totals"]) == {"added", "updated", "unchanged", "rejected"}, d["totals"]
assert d["totals"] == {"added": 0, "updated": 0, "unchanged": 2, "rejected": 8}, d["totals"]
ch = {c["channel"]: c for c in d["channels"]}
assert ch["counter"]["unchanged"] == 1 and ch["counter"]["rejected"] == 1, ch
assert ch["phone"]["rejected"] == 2 and ch["email"]["rejected"] == 4, ch
assert ch["email"]["unchanged"] == 1, ch
assert [r["row"] for r in d["rejects"]] == [3, 4, 5, 6, 7, 8, 9, 10], d["rejects"]
assert all(set(r) == {"row", "reason"} and r["reason"] for r in d["rejects"]), d["rejects"]
assert "first on row 2" in d["rejects"][5]["reason"], d["rejects"][5]
assert d["stopped"] is False, d
'

# HARDENING C8
# --- Extra columns: a warning naming them, and not stored anywhere.
printf 'contact_id,naam,bsn,channel,telefoon,contact_at,email\nx1,Jan Jansenius,123456782,counter,0612345678,2026-11-20,x1@example.org\nx2,Piet Pietersma,987654321,phone,0698765432,2026-11-20,x2@example.org\n' >extra.csv
expect_exit 0 imp GM0001 extra.csv
expect_stderr_contains "warning: these columns are not stored"
expect_stderr_contains "naam, bsn, telefoon"
expect_stdout_contains "Columns: contact_id, naam, bsn, channel, telefoon, contact_at, email"
[ "$(q "SELECT count(*) FROM contact WHERE external_id IN ('x1', 'x2')")" = 2 ] || fail "x1, x2 not stored"
sqlite3 "$DB" .dump >dump.sql || fail "sqlite3 .dump failed"
grep -q 'x1@example.org' dump.sql || fail "the dump does not hold the stored contacts"
for v in Jansenius Pietersma 123456782 987654321 0612345678 0698765432; do
	[ "$(grep -c "$v" dump.sql)" -eq 0 ] || fail "'$v' from an extra column is in the database"
done

# --- Re-importing the same file: all unchanged, nothing added.
before=$(count GM0001)
snapshot() {
	q "SELECT id, municipality_id, external_id, channel, contact_at, email,
	          hex(email_hash), product, team, language, import_id, created_at
	   FROM contact ORDER BY id"
}
snapshot >snap1.txt
expect_exit 0 imp GM0001 extra.csv --json
expect_totals 0 0 2 0
expect_exit 0 imp GM0002 comma.csv
grep -Eq '^  total +0 +0 +3 +0$' "$OUT" || fail "comma.csv again: not 3 unchanged"
expect_count GM0001 "$before"
expect_count GM0002 3
snapshot >snap2.txt
cmp -s snap1.txt snap2.txt || fail "re-importing the same files changed the contacts"

# A changed row is updated.
sed 's/^x2,Piet Pietersma,987654321,phone,0698765432,2026-11-20,x2@example.org$/x2,Piet Pietersma,987654321,phone,0698765432,2026-11-21 08:00,x2-nieuw@example.org/' extra.csv >extra2.csv
grep -q 'x2-nieuw' extra2.csv || fail "sed did not change x2"
expect_exit 0 imp GM0001 extra2.csv --json
expect_totals 0 1 1 0
expect_json '
ch = {c["channel"]: c for c in d["channels"]}
assert ch["phone"]["updated"] == 1 and ch["counter"]["unchanged"] == 1, ch
'
[ "$(q "SELECT contact_at || ' ' || email FROM contact WHERE external_id = 'x2'")" = "2026-11-21T08:00:00 x2-nieuw@example.org" ] ||
    fail "x2 not updated"
expect_count GM0001 "$before"

# A changed row of a contact that a wave has sampled is refused.
expect_exit 0 k wave create --municipality GM0001 --from 2026-11-01 --to 2026-11-30 --channels counter --recent-days 30 --seed 7 --json
wave=$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$OUT")
expect_exit 0 k wave sample "$wave"
[ "$(q "SELECT count(*) FROM invitation i JOIN contact c ON c.id = i.contact_id WHERE c.external_id = 'x1'")" = 1 ] ||
    fail "x1 was not sampled (the whole small frame should be)"
sed 's/x1@example.org/x1-nieuw@example.org/' extra2.csv >extra3.csv
expect_exit 1 imp GM0001 extra3.csv
expect_stderr_contains "extra3.csv:2: contact_id 'x1' was already sampled in wave $wave and cannot change any more"
grep -Eq '^  total +0 +0 +1 +1$' "$OUT" || fail "extra3.csv: not 1 unchanged, 1 rejected"
[ "$(q "SELECT email FROM contact WHERE external_id = 'x1'")" = "x1@example.org" ] || fail "a sampled contact was changed"

# --- --dry-run: the same counts as the real import, nothing stored.
printf 'contact_id,channel,contact_at,email\nx1,counter,2026-11-20,x1@example.org\nx2,phone,2026-11-22,x2-ander@example.org\nd1,email,2026-11-20,d1@example.org\nd2,email,2026-11-20,d2@example.org\nd3,email,2026-11-99,d3@example.org\n' >dry.csv
before=$(count GM0001)
q "SELECT * FROM contact ORDER BY id" >snap-before.txt
imports_before=$(q "SELECT count(*) FROM contact_import")
expect_exit 1 imp GM0001 dry.csv --dry-run --json
expect_json 'assert d["dry_run"] is True, d'
expect_totals 2 1 1 1
cp "$OUT" dry.json
expect_exit 1 imp GM0001 dry.csv --dry-run
expect_stdout_contains "Checked (dry run, nothing stored) dry.csv for GM0001: 5 rows"
grep -Eq '^  total +2 +1 +1 +1$' "$OUT" || fail "dry run text: not 2 added, 1 updated, 1 unchanged, 1 rejected"
expect_stderr_contains "dry.csv:6: bad date"
expect_count GM0001 "$before"
q "SELECT * FROM contact ORDER BY id" >snap-after.txt
cmp -s snap-before.txt snap-after.txt || fail "a dry run changed the contacts"
[ "$(q "SELECT count(*) FROM contact_import")" = "$imports_before" ] || fail "a dry run recorded an import"
expect_exit 1 imp GM0001 dry.csv --json
expect_json '
dry = json.load(open("dry.json"))
for k in ("rows", "channels", "totals", "rejects", "stopped"):
    assert d[k] == dry[k], (k, d[k], dry[k])
assert d["dry_run"] is False, d
'
expect_count GM0001 $((before + 2))

# HARDENING C9
# --- --rejects FILE: the rejected rows with a reason column; a formula in
# a contact id is neutralised.
{
	printf 'contact_id;channel;contact_at;email\n'
	printf 'f1;counter;2026-11-20;f1@example.org\n'
	printf '"=cmd|'"'"' /C calc'"'"'!A0";fax;2026-11-20;f2@example.org\n'
	printf '+f3;counter;2026-13-01;f3@example.org\n'
	printf 'f4;phone;2026-11-20;f4-at-example.org\n'
} >formula.csv
expect_exit 1 imp GM0001 formula.csv --rejects rejects.csv
[ -s rejects.csv ] || fail "--rejects wrote nothing"
grep -Eq '^  total +1 +0 +0 +3$' "$OUT" || fail "formula.csv: not 1 added, 3 rejected"
"$PYTHON" - rejects.csv <<'EOF' || fail "rejects.csv: $(cat rejects.csv)"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8"), delimiter=";"))
assert rows[0] == ["contact_id", "channel", "contact_at", "email", "reason"], rows[0]
assert len(rows) == 4, rows
ids = [r[0] for r in rows[1:]]
assert ids == ["'=cmd|' /C calc'!A0", "'+f3", "f4"], ids
assert rows[1][1] == "fax" and "unknown channel" in rows[1][4], rows[1]
assert rows[2][2] == "2026-13-01" and "bad date" in rows[2][4], rows[2]
assert rows[3][3] == "f4-at-example.org" and "malformed e-mail" in rows[3][4], rows[3]
EOF
grep -q '^=' rejects.csv && fail "a field in rejects.csv starts with '='"
grep -q ';=' rejects.csv && fail "a field in rejects.csv starts with '='"

# --- A missing required column: exit 1, naming it, echoing the header.
printf 'contact_id,kanaal,email\nm1,counter,m1@example.org\n' >nocol.csv
before=$(count GM0001)
expect_exit 1 imp GM0001 nocol.csv
expect_stdout_empty
expect_stderr_contains "the file has no column contact_at"
expect_stderr_contains "this file's first row reads: contact_id, kanaal, email"
expect_count GM0001 "$before"

# An empty file; a header only.
: >empty.csv
expect_exit 1 imp GM0001 empty.csv
expect_stderr_contains "the file is empty"
printf 'contact_id,channel,contact_at\n' >header.csv
expect_exit 0 imp GM0001 header.csv --json
expect_json 'assert d["rows"] == 0 and d["totals"]["added"] == 0, d'
expect_count GM0001 "$before"

# An unknown municipality; no --municipality; a missing file.
expect_exit 1 imp GM9999 comma.csv
expect_stdout_empty
expect_stderr_contains "GM9999"
expect_stderr_contains "kto municipality list"
[ "$(q "SELECT count(*) FROM contact_import i JOIN municipality m ON m.id = i.municipality_id WHERE m.code = 'GM9999'")" = 0 ] ||
    fail "an import was recorded for GM9999"
[ "$(q "SELECT count(*) FROM municipality WHERE code = 'GM9999'")" = 0 ] || fail "GM9999 was created"
expect_exit 2 k contacts import comma.csv
expect_stderr_contains "--municipality is required"
expect_exit 2 k contacts import --municipality GM0001
expect_exit 1 imp GM0001 missing.csv
expect_stderr_contains "cannot open 'missing.csv'"

# --- Standard input with '-'.
stdin_import() {
	k contacts import --municipality GM0009 - <"$1"
}
printf 'contact_id,channel,contact_at,email\ns1,counter,2026-11-20,s1@example.org\ns2,phone,2026-11-20,s2@example.org\n' >stdin.csv
expect_exit 0 stdin_import stdin.csv
expect_stdout_contains "Imported - for GM0009: 2 rows"
expect_exit 0 stdin_import stdin.csv
grep -Eq '^  total +0 +0 +2 +0$' "$OUT" || fail "stdin again: not 2 unchanged"

# --- Dutch column names, channel aliases and dates.
printf 'Contact_ID;Kanaal;Datum;E-mailadres;Taal\nnl1;balie;23-11-2026;nl1@example.org;nl\nnl2;telefoon;23/11/2026 14:05;nl2@example.org;en\nnl3;e-mail;01-11-2026;;Engels\nnl4;Telefoon;2026-11-23T08:15:30;nl4@example.org;\n' >dutch.csv
expect_exit 0 imp GM0009 dutch.csv
expect_stderr_lacks "not stored"
grep -Eq '^  total +4 +0 +0 +0$' "$OUT" || fail "dutch.csv: not 4 added"
contacts GM0009 >c9.txt
grep -qx 'nl1|counter|2026-11-23T00:00:00|nl1@example.org|-|-|nl' c9.txt || fail "nl1: $(grep nl1 c9.txt)"
grep -qx 'nl2|phone|2026-11-23T14:05:00|nl2@example.org|-|-|en' c9.txt || fail "nl2: $(grep nl2 c9.txt)"
grep -qx 'nl3|email|2026-11-01T00:00:00|-|-|-|en' c9.txt || fail "nl3: $(grep nl3 c9.txt)"
grep -qx 'nl4|phone|2026-11-23T08:15:30|nl4@example.org|-|-|nl' c9.txt || fail "nl4: $(grep nl4 c9.txt)"


printf 'kanaal;datum;contact_id\nbalie;1-11-2026;dd1\ntelefoon;31-3-2026;dd2\n' >dutch2.csv
expect_exit 0 imp GM0009 dutch2.csv
[ "$(q "SELECT group_concat(contact_at, ' ') FROM (SELECT contact_at FROM contact WHERE external_id IN ('dd1', 'dd2') ORDER BY external_id)")" = \
    "2026-11-01T00:00:00 2026-03-31T00:00:00" ] || fail "1-11-2026 / 31-3-2026 stored wrongly"

echo "contacts_import: ok"
