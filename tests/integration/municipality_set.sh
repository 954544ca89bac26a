# kto municipality set: a municipality's mail and page settings through the
# CLI -- setting, showing (text and JSON), clearing, the signature from a
# file, the audit log -- and every kind of bad input, including CR/LF meant
# to forge mail headers; `municipality list --json` keeps its shape.
. "$(dirname "$0")/lib.sh"

DB=$T/set.db
k() {
	"$KTO" --db "$DB" "$@"
}

# --help documents every setting and never touches a database.
expect_exit 0 k municipality set --help
for opt in --name --circle --no-circle --sender-name --sender-address \
    --reply-to --privacy-url --public-url --signature --signature-file; do
	expect_stdout_contains "$opt"
done
expect_stdout_contains "https://"
expect_file_absent "$DB"

expect_exit 0 k circle add kring-a --name "Kring A"
expect_exit 0 k municipality add GM0375 --name Beverwijk --circle kring-a

# Nothing set yet: text says so, JSON has nulls.
expect_exit 0 k municipality show GM0375
expect_stdout_contains "Sender:      not set"
expect_stdout_contains "Reply-To:    not set"
expect_stdout_contains "Privacy URL: not set"
expect_stdout_contains "Public URL:  not set (the installation's public_url is used)"
expect_stdout_contains "Signature:   not set"
expect_exit 0 k municipality show GM0375 --json
expect_json '
for key in ("sender_name", "sender_address", "reply_to", "privacy_url",
            "public_url", "signature"):
    assert key in d and d[key] is None, (key, d)
'

# Everything at once; the signature with a real line break and Dutch text.
sig=$(printf 'Met vriendelijke groet,\nTeam Dienstverlening \303\253\342\202\254')
expect_exit 0 k municipality set gm0375 --sender-name "Gemeente Beverwijk" \
    --sender-address kto@beverwijk.nl --reply-to klantcontact@beverwijk.nl \
    --privacy-url "https://www.beverwijk.nl/privacy?taal=nl" \
    --public-url https://kto.beverwijk.nl/ --signature "$sig"
expect_stdout_contains "Updated municipality GM0375"
expect_stdout_contains "Sender:      Gemeente Beverwijk <kto@beverwijk.nl>"
expect_stdout_contains "Reply-To:    klantcontact@beverwijk.nl"
expect_stdout_contains "Privacy URL: https://www.beverwijk.nl/privacy?taal=nl"
expect_stdout_contains "Public URL:  https://kto.beverwijk.nl"
expect_stdout_contains "Signature:   Met vriendelijke groet,"
expect_stdout_contains "             Team Dienstverlening"
expect_stderr_empty
expect_exit 0 k municipality show GM0375 --json
expect_json '
assert d["sender_name"] == "Gemeente Beverwijk", d
assert d["sender_address"] == "kto@beverwijk.nl", d
assert d["reply_to"] == "klantcontact@beverwijk.nl", d
assert d["privacy_url"] == "https://www.beverwijk.nl/privacy?taal=nl", d
assert d["public_url"] == "https://kto.beverwijk.nl", d   # no final slash
assert d["signature"].encode("utf-8") == args[0], (d, args)
assert d["name"] == "Beverwijk" and d["circle"] == "kring-a", d
' "$sig"

# list --json keeps exactly its three keys (DESIGN.md section 4).
expect_exit 0 k municipality list --json
expect_json '
assert d == [{"code": "GM0375", "name": "Beverwijk", "circle": "kring-a"}], d
'

# --json on set prints the municipality.
expect_exit 0 k municipality set GM0375 --reply-to info@beverwijk.nl --json
expect_json 'assert d["reply_to"] == "info@beverwijk.nl" and d["sender_address"] == "kto@beverwijk.nl", d'

# "" clears an optional setting; the others stay.
expect_exit 0 k municipality set GM0375 --reply-to "" --public-url "" --json
expect_json '
assert d["reply_to"] is None and d["public_url"] is None, d
assert d["sender_address"] == "kto@beverwijk.nl", d
'

# The signature from a file: BOM dropped, CRLF made LF, final breaks dropped.
printf '\357\273\277Groeten,\r\nGemeente Beverwijk\r\n\r\n' >"$T/sig.txt"
expect_exit 0 k municipality set GM0375 --signature-file "$T/sig.txt" --json
expect_json 'assert d["signature"] == "Groeten,\nGemeente Beverwijk", d'
printf 'Uit stdin\n' | k municipality set GM0375 --signature-file - --json >"$OUT" 2>"$ERR" ||
    fail "--signature-file - failed"
expect_json 'assert d["signature"] == "Uit stdin", d'
expect_exit 0 k municipality set GM0375 --signature "" --json
expect_json 'assert d["signature"] is None, d'

# A local test installation may use http on 127.0.0.1 or localhost.
expect_exit 0 k municipality set GM0375 --public-url http://127.0.0.1:8080 \
    --privacy-url http://localhost/privacy --json
expect_json 'assert d["public_url"] == "http://127.0.0.1:8080", d'

# ---- Bad input: exit 1, the reason on stderr, nothing changed. ----
expect_exit 0 k municipality show GM0375 --json
cp "$OUT" "$T/before.json"
expect_exit 0 sqlite3 "$DB" "SELECT count(*) FROM audit_log"
audit_before=$(cat "$OUT")

refuse() {
	_says=$1
	shift
	expect_exit 1 k municipality set GM0375 "$@"
	expect_stdout_empty
	expect_stderr_contains "$_says"
}

# CR/LF aimed at the mail headers and the SMTP envelope.
refuse "control character" --sender-name "$(printf 'Beverwijk\r\nBcc: all@example.nl')"
refuse "line break" --sender-address "$(printf 'kto@beverwijk.nl\r\nRCPT TO:<x@example.nl>')"
expect_stderr_lacks "RCPT"
refuse "line break" --reply-to "$(printf 'a@beverwijk.nl\nX: 1')"
refuse "line break" --privacy-url "$(printf 'https://www.beverwijk.nl/\r\nX-Evil: 1')"
refuse "line break" --public-url "$(printf 'https://kto.beverwijk.nl\rX')"
# Addresses.
refuse "has no '@'" --sender-address beverwijk.nl
refuse "sender address" --sender-address "Gemeente <kto@beverwijk.nl>"
refuse "reply-to address" --reply-to "kto@@beverwijk.nl"
# URLs.
refuse "must start with https://" --privacy-url http://www.beverwijk.nl/privacy
refuse "must start with https://" --privacy-url www.beverwijk.nl/privacy
refuse "must start with https://" --public-url "javascript:alert(1)"
refuse "query" --public-url "https://kto.beverwijk.nl/?g=1"
refuse "user name or password" --public-url https://admin:pw@kto.beverwijk.nl
refuse "not allowed" --privacy-url 'https://www.beverwijk.nl/"><script>'
# The signature: line breaks only, at most 1000 bytes, UTF-8.
refuse "carriage return (CR) on line 1" --signature "$(printf 'Groet\r\nX')"
refuse "tab on line 2" --signature "$(printf 'Groet\n\tX')"
refuse "control character" --signature "$(printf 'Groet\033[31m')"
refuse "UTF-8" --signature "$(printf 'Groet \377')"
refuse "at most 1000" --signature "$(printf '%1001s' x)"
printf 'Groet\000verborgen\n' >"$T/nul.txt"
refuse "NUL byte" --signature-file "$T/nul.txt"
refuse "cannot open" --signature-file "$T/missing.txt"
# Names.
refuse "empty" --sender-name "   "
refuse "UTF-8" --sender-name "$(printf 'Bad \377')"
# One bad setting among good ones: none of them is made.
refuse "https://" --name "Nieuwe naam" --reply-to ok@beverwijk.nl --privacy-url ftp://x
# Unknown municipality or circle.
expect_exit 1 k municipality set GM9999 --sender-name X
expect_stderr_contains "GM9999"

expect_exit 0 k municipality show GM0375 --json
cmp -s "$OUT" "$T/before.json" || fail "a refused change changed the municipality"
expect_exit 0 sqlite3 "$DB" "SELECT count(*) FROM audit_log"
[ "$(cat "$OUT")" = "$audit_before" ] || fail "a refused change was logged"

# ---- Usage errors: exit 2. ----
expect_exit 2 k municipality set GM0375
expect_stderr_contains "nothing to change"
expect_exit 2 k municipality set GM0375 --signature x --signature-file "$T/sig.txt"
expect_stderr_contains "--signature or --signature-file once"
expect_exit 2 k municipality set GM0375 --sender-name
expect_stderr_contains "needs a value"
expect_exit 2 k municipality set GM0375 --sender-adress x@y.nl
expect_stderr_contains "unknown option"
expect_exit 2 k municipality set --sender-name X
expect_stderr_contains "missing argument"

# The audit log names each setting that changed.
expect_exit 0 sqlite3 "$DB" "SELECT detail FROM audit_log WHERE action = 'municipality.set' ORDER BY id"
expect_stdout_contains "sender_name: Gemeente Beverwijk"
expect_stdout_contains "sender_address: kto@beverwijk.nl"
expect_stdout_contains "public_url: https://kto.beverwijk.nl"
expect_stdout_contains "reply_to: (cleared)"
expect_stdout_contains "signature: Groeten,"
