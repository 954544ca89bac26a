# Circles and municipalities through the CLI: adding, duplicates, unknown
# circles, bad input, `municipality set`, and JSON with awkward text.
. "$(dirname "$0")/lib.sh"

DB=$T/records.db
k() {
	"$KTO" --db "$DB" "$@"
}

expect_exit 0 k circle add kring-a --name "Kring A"
expect_stdout_contains "Created circle kring-a (Kring A)"
expect_exit 0 k circle add kring-b --name "Kring B" --json
expect_json '
assert sorted(d.keys()) == ["code", "id", "name"], d
assert d["code"] == "kring-b" and d["name"] == "Kring B", d
assert isinstance(d["id"], int) and d["id"] > 0, d
'

# A duplicate circle, in any case: exit 1 and the existing record named.
expect_exit 1 k circle add KRING-A --name "Other"
expect_stdout_empty
expect_stderr_contains "'kring-a' already exists"
expect_stderr_contains "Kring A"
expect_exit 1 k circle add kring-a --name "Other" --json
expect_stdout_empty
expect_exit 0 k circle list --json
expect_json 'assert [(c["code"], c["name"]) for c in d] == [("kring-a", "Kring A"), ("kring-b", "Kring B")], d'

# Municipalities.
expect_exit 0 k municipality add GM0375 --name Beverwijk --circle kring-a
expect_stdout_contains "Registered municipality GM0375 (Beverwijk) in circle kring-a"
expect_exit 0 k municipality add GM0534 --name Hillegom
expect_stdout_contains "in no circle"
expect_exit 0 k municipality add GM0537 --name Katwijk --circle KRING-B --json
expect_json '
assert d["code"] == "GM0537" and d["name"] == "Katwijk", d
assert d["circle"] == "kring-b", d
'

# A duplicate municipality: exit 1, naming the existing one and its circle.
expect_exit 1 k municipality add gm0375 --name "Somewhere else"
expect_stdout_empty
expect_stderr_contains "'GM0375' already exists"
expect_stderr_contains "Beverwijk"
expect_stderr_contains "kring-a"

# An unknown circle: exit 1, saying which and what to do; nothing added.
expect_exit 1 k municipality add GM0381 --name Bussum --circle kring-x
expect_stdout_empty
expect_stderr_contains "kring-x"
expect_stderr_contains "kto circle list"
expect_exit 1 k municipality list --circle kring-x
expect_stderr_contains "kring-x"
expect_exit 1 k municipality show GM0381
expect_stderr_contains "GM0381"

# Bad codes and names: exit 1 with the reason.
expect_exit 1 k circle add "kring c" --name X
expect_stderr_contains "not allowed"
expect_exit 1 k circle add --name X -- -kring
expect_stderr_contains "must start with a letter or digit"
expect_exit 1 k municipality add GM1 --name "   "
expect_stderr_contains "empty"
expect_exit 1 k municipality add GM1 --name "$(printf 'Two\nlines')"
expect_stderr_contains "control character"
expect_exit 1 k municipality add GM1 --name "$(printf 'Bad \377 byte')"
expect_stderr_contains "UTF-8"
expect_exit 0 k municipality list --json
expect_json 'assert [m["code"] for m in d] == ["GM0375", "GM0534", "GM0537"], d'

# Members per circle.
expect_exit 0 k circle list --json
expect_json 'assert [c["members"] for c in d] == [1, 1], d'

# municipality set: rename.
expect_exit 0 k municipality set gm0375 --name "Beverwijk (NH)"
expect_stdout_contains "Updated municipality GM0375"
expect_stdout_contains "Beverwijk (NH)"
expect_exit 0 k municipality show GM0375 --json
expect_json 'assert d["name"] == "Beverwijk (NH)" and d["circle"] == "kring-a", d'

# Move to another circle.
expect_exit 0 k municipality set GM0375 --circle kring-b --json
expect_json 'assert d["circle"] == "kring-b" and d["name"] == "Beverwijk (NH)", d'
expect_exit 0 k municipality list --circle kring-b --json
expect_json 'assert [m["code"] for m in d] == ["GM0375", "GM0537"], d'
expect_exit 0 k circle list --json
expect_json 'assert [c["members"] for c in d] == [0, 2], d'

# Out of any circle: "circle" becomes null.
expect_exit 0 k municipality set GM0375 --no-circle
expect_stdout_contains "Circle:      none"
expect_exit 0 k municipality show GM0375 --json
expect_json 'assert d["circle"] is None and d["circle_name"] is None, d'
expect_exit 0 k municipality list --json
expect_json '
m = [m for m in d if m["code"] == "GM0375"][0]
assert m["circle"] is None, m
'

# A move to an unknown circle changes nothing, a rename with it neither.
expect_exit 1 k municipality set GM0375 --name "Renamed" --circle kring-x
expect_stderr_contains "kring-x"
expect_exit 0 k municipality show GM0375 --json
expect_json 'assert d["name"] == "Beverwijk (NH)" and d["circle"] is None, d'
expect_exit 1 k municipality set GM9999 --name "Nobody"
expect_stderr_contains "GM9999"

# Quotes, a backslash and non-ASCII text survive the JSON round trip.
name=$(printf 'Sint-Oedenrode "test" \303\251')
expect_exit 0 k municipality add GM1948 --name "$name" --circle kring-a
expect_exit 0 k municipality show GM1948 --json
expect_json 'assert d["name"].encode("utf-8") == args[0], (d, args)' "$name"
expect_exit 0 k municipality list --json
expect_json '
m = [m for m in d if m["code"] == "GM1948"][0]
assert m["name"].encode("utf-8") == args[0], (m, args)
' "$name"
name2=$(printf 'Back\\slash \342\202\254 <b>&amp;</b>')
expect_exit 0 k circle add odd --name "$name2" --json
expect_json 'assert d["name"].encode("utf-8") == args[0], (d, args)' "$name2"
expect_exit 0 k circle list --json
expect_json '
c = [c for c in d if c["code"] == "odd"][0]
assert c["name"].encode("utf-8") == args[0], (c, args)
' "$name2"

# Every change above went to the audit log, in the same database.
expect_exit 0 sqlite3 "$DB" "SELECT action, count(*) FROM audit_log GROUP BY action ORDER BY action;"
[ "$(cat "$OUT")" = "circle.add|3
municipality.add|4
municipality.move|2
municipality.rename|1" ] || fail "unexpected audit log"
