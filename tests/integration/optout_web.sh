# The opt-out end to end: an invitation mailed to a real SMTP server, its
# link opened in `kto serve` (GET shows the button and changes nothing, as
# mail scanners open links too), the one-click POST of RFC 8058 recorded;
# afterwards no reminder to that address, and a later wave of another
# municipality leaves the address out as opted_out.  Also the server's
# answers to bad requests (404, 405, 413), /healthz, and an access log
# without tokens.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/smtp_lib.sh"

KTO_NOW=2026-11-20T12:00:00
export KTO_NOW
DB=$T/optout.db
BASE=http://127.0.0.1:$(free_port)
k() {
	timeout 60 "$KTO" --db "$DB" "$@"
}

# --- A wave of two contacts, mailed.
expect_exit 0 k municipality add GM0001 --name Afmelddorp
expect_exit 0 k municipality add GM0002 --name Tweededorp
for m in GM0001 GM0002; do
	expect_exit 0 k municipality set "$m" --sender-address "kto@$m.example" \
	    --privacy-url https://gemeente.example/privacy
done
expect_exit 0 k def load "$KTO_SOURCE_DIR/survey-defs/kto-balie.kto"
printf 'contact_id,channel,contact_at,email\nc1,counter,2026-11-19,een@example.org\nc2,counter,2026-11-19,twee@example.org\n' >c.csv
expect_exit 0 k contacts import --municipality GM0001 c.csv
expect_exit 0 k wave create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 --channels counter --seed 1
expect_exit 0 k wave sample 1
start_smtpd mail
expect_exit 0 env KTO_PUBLIC_URL="$BASE" timeout 60 "$KTO" --db "$DB" send --smtp "$SMTP"
[ "$(mail_count mail)" = 2 ] || fail "expected 2 invitations"
# The token of een@example.org, from its message's opt-out link.
token=$(grep -l 'een@example.org' "$T"/mail/*.eml | head -1 | xargs grep -h -o '/o/[A-Za-z0-9_-]*' | head -1 | cut -c4-)
[ ${#token} -eq 22 ] || fail "no opt-out token in the mail: '$token'"

# --- The server.
port=${BASE##*:}
start_serve "$DB" "$port"
status() {   # status METHOD PATH [curl options]: the HTTP status
	_m=$1 _p=$2
	shift 2
	curl -s -o page.html -w '%{http_code}' -X "$_m" "$@" "$BASE$_p"
}

[ "$(status GET /healthz)" = 200 ] || fail "/healthz"
# GET shows the page with the municipality's name and a button: no opt-out yet.
[ "$(status GET "/o/$token")" = 200 ] || fail "GET /o/TOKEN"
grep -q 'Afmelddorp' page.html || fail "the page does not name the municipality"
grep -q "<form method=\"post\" action=\"/o/$token\">" page.html || fail "no button"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM opt_out')" = 0 ] || fail "GET opted out"
# The one-click POST of RFC 8058 records it, once, as a keyed hash only.
[ "$(status POST "/o/$token" -d List-Unsubscribe=One-Click)" = 200 ] || fail "POST"
grep -q 'U bent afgemeld' page.html || fail "no confirmation"
[ "$(status POST "/o/$token" -d List-Unsubscribe=One-Click)" = 200 ] || fail "POST again"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM opt_out')" = 1 ] || fail "not one opt-out"
[ "$(sqlite3 "$DB" "SELECT typeof(email_hash) || length(email_hash) FROM opt_out")" = blob32 ] ||
    fail "the opt-out is not stored as a 32-byte keyed hash"
[ "$(sqlite3 "$DB" "SELECT state FROM invitation i JOIN contact c ON c.id = i.contact_id WHERE c.email = 'een@example.org'")" = opted_out ] ||
    fail "the invitation is not opted_out"
# Bad requests.
[ "$(status GET /o/AAAAAAAAAAAAAAAAAAAAAA)" = 404 ] || fail "unknown token"
[ "$(status GET /o/not-a-token)" = 404 ] || fail "malformed token"
[ "$(status GET /nowhere)" = 404 ] || fail "unknown path"
[ "$(status DELETE "/o/$token")" = 405 ] || fail "DELETE"
head -c 200000 /dev/zero >big.bin
[ "$(status POST "/o/$token" --data-binary @big.bin)" = 413 ] || fail "a large body"
# The access log shows the requests, never the token.
grep -q 'POST /o/(token) 200' serve.log || fail "no access log line"
grep -q "$token" serve.log && fail "the access log holds a token"

# --- No reminder to the address that opted out; one to the other.
expect_exit 0 env KTO_NOW=2026-11-25T12:00:00 KTO_PUBLIC_URL="$BASE" timeout 60 \
    "$KTO" --db "$DB" send --smtp "$SMTP"
[ "$(mail_count mail)" = 3 ] || fail "expected exactly one reminder"
grep -l 'een@example.org' "$T"/mail/*.eml | wc -l | grep -qx 1 ||
    fail "a reminder went to the address that opted out"

# --- A later wave of another municipality leaves the address out.
printf 'contact_id,channel,contact_at,email\nd1,counter,2026-11-19,EEN@example.org\nd2,counter,2026-11-19,drie@example.org\n' >d.csv
expect_exit 0 k contacts import --municipality GM0002 d.csv
expect_exit 0 k wave create --municipality GM0002 --from 2026-11-01 --to 2026-11-20 --channels counter --seed 2 --json
expect_exit 0 k wave sample 2 --json
expect_json 'c = d["channels"][0]; assert c["excluded"]["opted_out"] == 1 and c["sampled"] == 1, c'

# --- SIGTERM stops the server cleanly.
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
st=$?
[ "$st" -eq 0 ] || fail "kto serve exited $st on SIGTERM"
grep -q 'stopping' serve.log || fail "no stopping message"
echo "optout_web: ok"
