# kto demo: Kring C and its eleven municipalities, safe to run again; and
# the JSON shapes of the list and show commands.
. "$(dirname "$0")/lib.sh"

DB=$T/demo.db

expect_exit 0 "$KTO" --db "$DB" demo
expect_stdout_contains "created circle kring-c"
expect_stdout_contains "registered GM0375 Beverwijk in kring-c"
expect_stderr_empty

expect_exit 0 "$KTO" --db "$DB" municipality list --json
expect_stderr_empty
expect_stdout_newline
expect_json '
assert isinstance(d, list) and len(d) == 11, d
for m in d:
    assert isinstance(m, dict), m
    assert sorted(m.keys()) == ["circle", "code", "name"], m
    assert m["circle"] == "kring-c", m
codes = [m["code"] for m in d]
assert codes == sorted(codes), codes
assert len(set(codes)) == 11, codes
names = dict((m["code"], m["name"]) for m in d)
assert names["GM0375"] == "Beverwijk", names
assert names["GM0393"] == "Haarlemmerliede en Spaarnwoude", names
assert names["GM0473"] == "Zandvoort", names
'

expect_exit 0 "$KTO" --db "$DB" circle list --json
expect_json '
assert d == [{"code": "kring-c", "name": "Kring C", "members": 11}], d
'

# Again: exit 0, says so, and still eleven.
expect_exit 0 "$KTO" --db "$DB" demo
expect_stdout_contains "was already there"
expect_stdout_contains "11 of the 11 municipalities were already there"
expect_stdout_lacks "registered"
expect_exit 0 "$KTO" --db "$DB" municipality list --json
expect_json 'assert len(d) == 11, d'
expect_exit 0 "$KTO" --db "$DB" circle list --json
expect_json 'assert len(d) == 1 and d[0]["members"] == 11, d'

# The demo completes a partial database instead of failing on it.
P=$T/partial.db
expect_exit 0 "$KTO" --db "$P" circle add kring-c --name "Kring C"
expect_exit 0 "$KTO" --db "$P" municipality add GM0375 --name Beverwijk --circle kring-c
expect_exit 0 "$KTO" --db "$P" demo
expect_stdout_contains "1 of the 11 municipalities were already there"
expect_exit 0 "$KTO" --db "$P" municipality list --circle kring-c --json
expect_json 'assert len(d) == 11, d'

# municipality show --json.
expect_exit 0 "$KTO" --db "$DB" municipality show gm0375 --json
expect_stderr_empty
expect_stdout_newline
expect_json '
assert d["code"] == "GM0375", d
assert d["name"] == "Beverwijk", d
assert d["circle"] == "kring-c", d
assert d["circle_name"] == "Kring C", d
assert isinstance(d["id"], int) and d["id"] > 0, d
assert len(d["created_at"]) == 20 and d["created_at"].endswith("Z"), d
'
# And as text.
expect_exit 0 "$KTO" --db "$DB" municipality show GM0375
expect_stdout_contains "Beverwijk"
expect_stdout_contains "kring-c (Kring C)"

# The text list has a header and one line per municipality.
expect_exit 0 "$KTO" --db "$DB" municipality list
[ "$(wc -l <"$OUT" | tr -d ' ')" -eq 12 ] || fail "expected a header and 11 lines"

# An unknown municipality.
expect_exit 1 "$KTO" --db "$DB" municipality show GM9999 --json
expect_stdout_empty
expect_stderr_contains "GM9999"

# The demo leaves a sound database.
expect_exit 0 sqlite3 "$DB" "PRAGMA integrity_check;"
[ "$(cat "$OUT")" = "ok" ] || fail "integrity_check is not ok"
