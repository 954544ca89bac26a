# The citizen's questionnaire through `kto serve`, by invitation and by the
# counter's open link (with `kto qr`): every page type, saving
# per page, stop and resume, back and forward, show-if on the server,
# validation with the message next to the field, forged and malformed
# forms refused with a 4xx, XSS stored verbatim and shown escaped, the
# language switch, one response however the last button is pressed, and
# the pages for an unknown link, a completed questionnaire and a closed
# wave.  The HTTP checks are in questionnaire_http.py.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/smtp_lib.sh"     # free_port, and servers stopped on exit

KTO_NOW=2026-11-20T12:00:00
export KTO_NOW
DB=$T/web.db
k() {
	timeout 60 "$KTO" --db "$DB" "$@"
}

expect_exit 0 k municipality add GM0001 --name Vragendorp
expect_exit 0 k municipality add GM0002 --name Zonderonderzoek
expect_exit 0 k municipality set GM0001 --colour '#00529B' --privacy-url https://www.vragendorp.example/privacy
expect_exit 1 k municipality set GM0002 --colour '#FFDD00'
expect_stderr_contains "too light"
"$PYTHON" "$HERE/make_png.py" logo.png
expect_exit 0 k municipality set GM0001 --logo logo.png
# HARDENING F1: an SVG logo (it can carry script) is refused: PNG only.
printf '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>' >logo.svg
expect_exit 1 k municipality set GM0002 --logo logo.svg
expect_stderr_contains "not a PNG"
printf 'GIF89a not a png' >not.png
expect_exit 1 k municipality set GM0002 --logo not.png
expect_stderr_contains "not a PNG"
expect_exit 0 k def load "$HERE/fixtures/web.kto"
{
	echo 'contact_id,channel,contact_at,email'
	for i in 1 2 3 4 5 6; do
		echo "c$i,counter,2026-11-19,burger$i@example.org"
	done
} >c.csv
expect_exit 0 k contacts import --municipality GM0001 c.csv
expect_exit 0 k wave create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 --channels counter --seed 1
expect_exit 0 k wave sample 1
# The tokens as the mail would carry them (still stored: nothing was sent).
sqlite3 "$DB" 'SELECT mail_token FROM invitation ORDER BY id' >tokens
[ "$(wc -l <tokens)" -eq 6 ] || fail "expected 6 invitations"

port=$(free_port)
start_serve "$DB" "$port" --client-timeout 2

"$PYTHON" "$HERE/questionnaire_http.py" "http://127.0.0.1:$port" "$DB" tokens ||
	fail "the questionnaire checks failed"

# kto qr: the open link as a QR code, in the terminal or as SVG.
expect_exit 1 k qr --municipality GM0001
expect_stderr_contains "no public URL"
expect_exit 0 env KTO_PUBLIC_URL=https://kto.example.nl timeout 60 "$KTO" --db "$DB" qr --municipality GM0001 --desk balie-1 --svg qr.svg
grep -q '<svg' qr.svg && grep -q 'aria-label="QR-code: https://kto.example.nl/c/GM0001/balie-1"' qr.svg ||
	fail "no SVG QR code"
expect_exit 0 env KTO_PUBLIC_URL=https://kto.example.nl timeout 60 "$KTO" --db "$DB" qr --municipality GM0001
expect_stdout_contains "https://kto.example.nl/c/GM0001"
expect_exit 2 k qr --municipality GM0001 --desk 'balie 1'

# HARDENING T4: an expired (closed) wave: 410 with an explanation.
# Closing the wave closes the questionnaire: nothing more is accepted.
expect_exit 0 k wave close 1
t=$(sed -n 6p tokens)
code=$(curl -s -o page.html -w '%{http_code}' "http://127.0.0.1:$port/s/$t")
[ "$code" = 410 ] || fail "a closed wave's link gave $code, not 410"
grep -q 'gesloten' page.html || fail "the closed page does not say so"
code=$(curl -s -o /dev/null -w '%{http_code}' -d 'page=0&action=next' "http://127.0.0.1:$port/s/$t")
[ "$code" = 410 ] || fail "posting to a closed wave gave $code"
# HARDENING T1: (and the tokens never reach a log)
# The access log never holds a token.
grep -q 'GET /s/(token)' serve.log || fail "no access log line for /s/"
while read -r t; do
	grep -q "$t" serve.log && fail "the access log holds a token"
done <tokens
# Guessing at links (HARDENING T1): after 100 unknown ones in ten minutes
# the address is refused, even with a real link, and the log says so.
# Last, since it locks 127.0.0.1 out.
"$PYTHON" - "http://127.0.0.1:$port" "$(sed -n 2p tokens)" <<'PYEOF' || fail "no limit on guessing"
import http.client, sys, urllib.parse
host = urllib.parse.urlparse(sys.argv[1]).netloc
def get(path):
    c = http.client.HTTPConnection(host, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    r.read()
    return r.status
codes = [get("/s/Guess%017d" % i) for i in range(105)]
# The script tried a few unknown links before: slightly fewer than 100 here.
n = codes.index(429)
assert 95 <= n <= 100 and codes[:n] == [404] * n and codes[n:] == [429] * (105 - n), codes
assert get("/s/" + sys.argv[2]) == 429
PYEOF
grep -q 'warning: 127.0.0.1 tried 100 questionnaire links that do not exist' serve.log ||
	fail "the guessing is not in the log"
echo "questionnaire: ok"
