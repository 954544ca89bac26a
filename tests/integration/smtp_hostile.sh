# kto send against mail servers that are hostile rather than merely down
# (smtp_hostile.py): a tarpit that greets and then never answers
# (HARDENING S2: the timeouts end it, the mail stays queued as a temporary
# failure, kto send returns), and a server whose certificate no one trusts
# (HARDENING S4: peer verification refuses it; nothing is sent, not even
# the envelope).  send_faults.sh does the other SMTP rows.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/smtp_lib.sh"     # servers stopped on exit

KTO_NOW=2026-11-20T12:00:00
KTO_PUBLIC_URL=https://kto.example.nl
export KTO_NOW KTO_PUBLIC_URL
DB=$T/hostile.db
k() {
	timeout 120 "$KTO" --db "$DB" "$@"
}
q() {
	sqlite3 "$DB" "$1"
}

expect_exit 0 k municipality add GM0001 --name Foutdorp
expect_exit 0 k municipality set GM0001 --sender-address kto@foutdorp.example \
    --privacy-url https://foutdorp.example/privacy
expect_exit 0 k def load "$KTO_SOURCE_DIR/survey-defs/kto-balie.kto"
{
	echo 'contact_id,channel,contact_at,email'
	for i in 1 2 3; do
		echo "c$i,counter,2026-11-19,burger$i@example.org"
	done
} >c.csv
expect_exit 0 k contacts import --municipality GM0001 c.csv
expect_exit 0 k wave create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 \
    --channels counter --target 3 --response-rate 1 --seed 1
expect_exit 0 k wave sample 1

# hostile MODE [CERT KEY]: starts smtp_hostile.py; sets PORT.
hostile() {
	_mode=$1
	shift
	"$PYTHON" "$HERE/smtp_hostile.py" "$_mode" "$T/$_mode.port" "$T/$_mode.log" "$@" \
	    >"$T/$_mode.out" 2>&1 &
	SERVER_PIDS="$SERVER_PIDS $!"
	_i=0
	until [ -s "$T/$_mode.port" ]; do
		_i=$((_i + 1))
		[ "$_i" -le 100 ] || { cat "$T/$_mode.out" >&2; fail "smtp_hostile.py $_mode did not start"; }
		sleep 0.1
	done
	PORT=$(cat "$T/$_mode.port")
}

# HARDENING S2: a tarpit.  Each message gets the whole-message timeout (2 s)
# and no more; kto send ends with exit 4 (try later), all 3 still queued.
hostile tarpit
start=$(date +%s)
expect_exit 4 env KTO_SMTP_TIMEOUT=2 KTO_SMTP_CONNECT_TIMEOUT=2 timeout 100 \
    "$KTO" --db "$DB" send --smtp "smtp://127.0.0.1:$PORT" --json
took=$(($(date +%s) - start))
[ "$took" -le 30 ] || fail "kto send was held $took s by a tarpit"
expect_json 'assert (d["sent"], d["temporary_failures"], d["permanent_failures"]) == (0, 3, 0), d'
grep -q connected "$T/tarpit.log" || fail "kto send never reached the tarpit"
[ "$(q "SELECT count(*) FROM mail_outbox WHERE state = 'temp_failed'")" = 3 ] ||
	fail "the outbox after a tarpit: $(q "SELECT state, last_reply FROM mail_outbox")"
[ "$(q "SELECT count(*) FROM invitation WHERE state = 'queued' AND mail_token IS NOT NULL")" = 3 ] ||
	fail "invitations lost their link after a tarpit"

# HARDENING S4: a certificate signed by no one kto trusts: refused before a
# byte of SMTP; a temporary failure that says why.
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >openssl.log 2>&1 ||
	fail "openssl could not make a certificate"
hostile badcert cert.pem key.pem
expect_exit 4 env KTO_NOW=2026-11-20T13:00:00 timeout 60 "$KTO" --db "$DB" send \
    --smtp "smtps://127.0.0.1:$PORT" --json
expect_json 'assert (d["sent"], d["temporary_failures"]) == (0, 3), d'
grep -q "handshake failed" "$T/badcert.log" || fail "no handshake was tried: $(cat "$T/badcert.log")"
grep -q "handshake completed\|received" "$T/badcert.log" &&
	fail "kto talked to a server with an untrusted certificate"
[ "$(q "SELECT count(*) FROM mail_outbox WHERE state = 'temp_failed' AND \
    (last_reply LIKE '%certificate%' OR last_reply LIKE '%SSL%' OR last_reply LIKE '%TLS%')")" = 3 ] ||
	fail "the outbox does not say why: $(q "SELECT state, last_reply FROM mail_outbox")"
echo "smtp_hostile: ok"
