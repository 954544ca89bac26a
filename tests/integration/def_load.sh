# kto def load|list|show: storing the shipped questionnaires, reloading
# (unchanged), an edited copy as version 2, --latest, show as text and JSON,
# invalid files and channel changes refused without storing anything, and an
# incompatible edit refused once a version has responses (HARDENING.md D4).
. "$(dirname "$0")/lib.sh"

# In the sanitizer build a sanitizer report exits with status 1 by default,
# the same as a refused input: give it a status of its own.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86"
export ASAN_OPTIONS UBSAN_OPTIONS

[ -n "$KTO_SOURCE_DIR" ] || { echo "set KTO_SOURCE_DIR" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "def_load.sh needs the sqlite3 CLI" >&2; exit 2; }
DEFS=$KTO_SOURCE_DIR/survey-defs
DB=$T/defs.db
k() {
	timeout 20 "$KTO" --db "$DB" "$@"
}

# list_json: saves `def list --json` in $T/list.json.
list_json() {
	expect_exit 0 k def list --json
	cp "$OUT" "$T/list.json"
}

# --- An empty database.
expect_exit 0 k def list --json
expect_json 'assert d == [], d'
expect_exit 0 k def list
expect_stdout_contains "No survey definitions yet"

# --- The three defaults.
cp "$DEFS/kto-balie.kto" "$DEFS/kto-email.kto" "$DEFS/kto-telefoon.kto" .
expect_exit 0 k def load kto-balie.kto kto-email.kto kto-telefoon.kto
expect_stdout_contains "kto-balie.kto: loaded kto-balie version 1 (sha256 $(sha256 kto-balie.kto | cut -c 1-12))"
expect_stdout_contains "kto-email.kto: loaded kto-email version 1"
expect_stdout_contains "kto-telefoon.kto: loaded kto-telefoon version 1"
[ "$(grep -c ': loaded ' "$OUT")" -eq 3 ] || fail "not three 'loaded' lines"
expect_stderr_empty

# Again: nothing changes.
expect_exit 0 k def load kto-balie.kto kto-email.kto kto-telefoon.kto
expect_stdout_contains "kto-balie.kto: unchanged, already stored as kto-balie version 1"
expect_stdout_contains "kto-email.kto: unchanged, already stored as kto-email version 1"
expect_stdout_contains "kto-telefoon.kto: unchanged, already stored as kto-telefoon version 1"
expect_stdout_lacks "loaded"
expect_exit 0 k def load --json kto-email.kto
expect_json '
assert len(d) == 1 and d[0]["created"] is False, d
assert d[0]["name"] == "kto-email" and d[0]["version"] == 1, d
assert d[0]["file"] == "kto-email.kto", d
'

# def list --json: the contract shape, three surveys at version 1, their hashes.
expect_exit 0 k def list --json
expect_stdout_newline
expect_json '
assert isinstance(d, list) and len(d) == 3, d
for e in d:
    assert {"id", "name", "channel", "version", "hash"} <= set(e), e
    assert isinstance(e["id"], int) and e["id"] > 0, e
    assert e["version"] == 1, e
    assert len(e["hash"]) == 64 and all(c in "0123456789abcdef" for c in e["hash"]), e
assert [(e["name"], e["channel"]) for e in d] == [("kto-balie", "counter"), ("kto-email", "email"), ("kto-telefoon", "phone")], d
assert len({e["id"] for e in d}) == 3, d
assert [e["hash"].encode() for e in d] == args, (d, args)
' "$(sha256 kto-balie.kto)" "$(sha256 kto-email.kto)" "$(sha256 kto-telefoon.kto)"
cp "$OUT" list1.json

# --- An edited copy (one text changed) is version 2.
sed 's/^  title: Uw bezoek aan de balie$/  title: Uw bezoek aan onze balie/' \
    kto-balie.kto >balie-v2.kto
[ "$(grep -c 'Uw bezoek aan onze balie' balie-v2.kto)" -eq 1 ] || fail "sed did not edit"
expect_exit 0 k def load balie-v2.kto
expect_stdout_contains "balie-v2.kto: loaded kto-balie version 2 (sha256 $(sha256 balie-v2.kto | cut -c 1-12))"
expect_exit 0 k def load balie-v2.kto
expect_stdout_contains "unchanged, already stored as kto-balie version 2"
expect_exit 0 k def list --json
expect_json '
assert len(d) == 4, d
b = [e for e in d if e["name"] == "kto-balie"]
assert [e["version"] for e in b] == [1, 2], b
assert b[1]["hash"].encode() == args[0] and b[0]["hash"] != b[1]["hash"], b
' "$(sha256 balie-v2.kto)"

# --latest: one entry per survey, the newest.
expect_exit 0 k def list --latest --json
expect_json '
assert [(e["name"], e["version"]) for e in d] == [("kto-balie", 2), ("kto-email", 1), ("kto-telefoon", 1)], d
'
expect_exit 0 k def list --latest
[ "$(grep -c '^ *[0-9]' "$OUT")" -eq 3 ] || fail "def list --latest: not three rows"
grep -Eq '^ *[0-9]+ +kto-balie +counter +2 ' "$OUT" || fail "kto-balie version 2 not listed"
expect_exit 0 k def list
[ "$(grep -c '^ *[0-9]' "$OUT")" -eq 4 ] || fail "def list: not four rows"
expect_stdout_contains "ID  NAME"

# --- def show as text: the newest version, its pages and norms.
expect_exit 0 k def show kto-balie
expect_stdout_contains "kto-balie version 2 (counter), sha256 $(sha256 balie-v2.kto | cut -c 1-12)"
expect_stdout_contains "from balie-v2.kto"
expect_stdout_contains "Title:     Uw bezoek aan onze balie / Your visit to the counter"
expect_stdout_contains "Overall:   B18"
expect_stdout_contains "Page 1 bezoek: Uw bezoek"
expect_stdout_contains "Page 5 over_u"
expect_stdout_contains "Service norms"
expect_stdout_contains "N5"
expect_stdout_contains "shown if B02 = ja"
expect_stdout_contains "Mails: invitation and reminder"

# def show NAME@1 --json: the complete first version.
expect_exit 0 k def show kto-balie@1 --json
expect_stdout_newline
expect_json '
assert d["name"] == "kto-balie" and d["version"] == 1 and d["channel"] == "counter", d
assert d["hash"].encode() == args[0], d["hash"]
assert d["overall"] == "B18", d["overall"]
assert d["title"]["nl"] == "Uw bezoek aan de balie", d["title"]
assert [p["id"] for p in d["pages"]] == ["bezoek", "afspraak_wachten", "aan_de_balie", "oordeel", "over_u"], d["pages"]
qs = [q for p in d["pages"] for q in p["questions"]]
assert len(qs) == 19, len(qs)
ids = [q["id"] for q in qs]
assert ids[:4] == ["B01", "B02", "B03", "B17"], ids
b18 = qs[ids.index("B18")]
assert b18["type"] == "mark" and b18["area"] == "TOT" and b18["required"] is True, b18
b03 = qs[ids.index("B03")]
assert [o["code"] for o in b03["options"]] == ["lt5", "5-10", "10-15", "15-30", "gt30"], b03
assert [n["id"] for n in d["norms"]] == ["N5", "N6", "N4"], d["norms"]
assert d["norms"][0]["met_if"] == "B03 in (lt5, 5-10, 10-15)", d["norms"][0]
assert d["norms"][0]["target"] == 95, d["norms"][0]
assert set(d["mails"]) == {"invitation", "reminder"}, d["mails"]
assert "{link}" in d["mails"]["invitation"]["body"]["nl"], d["mails"]
assert "{optout_link}" in d["mails"]["reminder"]["body"]["en"], d["mails"]
' "$(sha256 kto-balie.kto)"

# By version id, the same as by name@version.
id=$("$PYTHON" -c 'import json, sys
print([e["id"] for e in json.load(open(sys.argv[1])) if e["name"] == "kto-telefoon"][0])' list1.json)
expect_exit 0 k def show "$id" --json
expect_json 'assert d["name"] == "kto-telefoon" and d["version"] == 1 and d["channel"] == "phone", d'

# Unknown and malformed references.
expect_exit 1 k def show 999
expect_stdout_empty
expect_stderr_contains "there is no survey definition '999'"
expect_stderr_contains "kto def list"
expect_exit 1 k def show kto-balie@3
expect_stderr_contains "kto-balie@3"
expect_exit 1 k def show nope --json
expect_stdout_empty
expect_exit 1 k def show x@y
expect_stderr_contains "'x@y' is not a definition reference"
expect_exit 2 k def show
expect_exit 2 k def show kto-balie kto-email
expect_exit 2 k def load
expect_exit 2 k def list extra

# --- An invalid file is not stored; valid files beside it are.
cp "$KTO_SOURCE_DIR/tests/integration/fixtures/mini.kto" mini.kto
sed 's/^survey mini$/survey kapot/; s/^  title: Titel$/  titel: Titel/' mini.kto >broken.kto
list_json
cp list.json before.json
expect_exit 1 k def load broken.kto
expect_stdout_empty
expect_stderr_contains "broken.kto:3:3: unknown key 'titel'"
expect_stderr_contains "'broken.kto' has errors and was not loaded"
list_json
cmp -s before.json list.json || fail "an invalid file changed def list"
# HARDENING D1: a truncated file (a copy cut short): refused with its
# line:column, the stored versions unchanged; cut mid-line as well.
head -c 185 mini.kto >cut.kto
expect_exit 1 k def load cut.kto
expect_stderr_contains "cut.kto:1:1: the survey has no 'mail invitation' block"
expect_stderr_contains "'cut.kto' has errors and was not loaded"
head -c 25 mini.kto >cut2.kto
expect_exit 1 k def load cut2.kto
expect_stderr_contains "cut2.kto:"
list_json
cmp -s before.json list.json || fail "a truncated file changed def list"

expect_exit 1 k def load broken.kto mini.kto missing.kto
expect_stdout_contains "mini.kto: loaded mini version 1"
expect_stderr_contains "broken.kto:3:3: unknown key 'titel'"
expect_stderr_contains "cannot open 'missing.kto'"
expect_exit 0 k def list --json
expect_json '
names = [e["name"] for e in d]
assert names == ["kto-balie", "kto-balie", "kto-email", "kto-telefoon", "mini"], names
assert "kapot" not in names
'
expect_exit 1 k def show kapot

# --- The same name on another channel is refused.
sed 's/^  channel: counter$/  channel: phone/' mini.kto >mini-phone.kto
list_json
cp list.json before.json
expect_exit 1 k def load mini-phone.kto
expect_stdout_empty
expect_stderr_contains "survey 'mini' is a counter survey; a new version cannot change its channel to phone"
list_json
cmp -s before.json list.json || fail "a channel change changed def list"

# --- Responses to version 1 of mini, straight into the database.
mini_id=$("$PYTHON" -c 'import json, sys
print([e["id"] for e in json.load(open(sys.argv[1])) if e["name"] == "mini"][0])' list.json)
sqlite3 "$DB" "
INSERT INTO municipality (code, name) VALUES ('GM0001', 'Testdorp');
INSERT INTO wave (municipality_id, period_from, period_to, seed)
  VALUES ((SELECT id FROM municipality WHERE code = 'GM0001'), '2026-01-01', '2026-03-31', 42);
INSERT INTO response (wave_id, municipality_id, channel, def_version_id)
  VALUES ((SELECT max(id) FROM wave), (SELECT id FROM municipality WHERE code = 'GM0001'), 'counter', $mini_id);
INSERT INTO answer (response_id, item, value_text) VALUES (last_insert_rowid(), 'Q1', 'yes');
" || fail "sqlite3 could not add a response"
expect_exit 0 k def list --json
expect_json '
m = [e for e in d if e["name"] == "mini"]
assert len(m) == 1 and m[0]["responses"] == 1, m
'

# Q1 from yes/no to a choice: refused, naming the question.
sed 's/^question Q1 yesno$/question Q1 choice/; s/^  text: Had u een afspraak?$/  text: Had u een afspraak?\n  options:\n    ja   Ja\n    nee  Nee/' \
    mini.kto >mini-type.kto
grep -q '^question Q1 choice$' mini-type.kto || fail "sed did not change the type"
expect_exit 0 "$KTO" def check mini-type.kto
expect_exit 1 k def load mini-type.kto
expect_stdout_empty
expect_stderr_contains "mini-type.kto:9:1: question Q1 was a yesno question in version 1, which has responses; it cannot become a choice question"
expect_stderr_contains "not compatible with versions that have responses"
expect_exit 0 k def list --latest --json
expect_json '
m = [e for e in d if e["name"] == "mini"]
assert len(m) == 1 and m[0]["version"] == 1 and m[0]["id"] == int(args[0]), m
' "$mini_id"
expect_exit 0 k def show mini --json
expect_json 'assert d["version"] == 1 and d["pages"][0]["questions"][0]["type"] == "yesno", d'

# A text edit of the answered survey is still a new version.
sed 's/^  text: Had u een afspraak?$/  text: Had u vooraf een afspraak gemaakt?/' mini.kto >mini-text.kto
expect_exit 0 k def load mini-text.kto
expect_stdout_contains "mini-text.kto: loaded mini version 2"
expect_exit 0 k def list --latest --json
expect_json '
m = [e for e in d if e["name"] == "mini"]
assert m[0]["version"] == 2 and m[0]["responses"] == 0, m
'

echo "def_load: ok"
