# The HTTP rows of HARDENING.md against the real `kto serve`, as raw
# sockets send them (http_hardening.py): bodies too large however they are
# framed (H1), slow clients (H2), a flood of connections (H3), broken
# escapes and embedded NULs (H4), smuggling and header injection (H5),
# huge headers and URIs (H6), path traversal (H7), wrong methods and
# content types (H8), tokens looked up by their hash only (T2), one
# municipality's session on another's link (T5), and a form's text as no
# browser sends it (F2, F3).  TLS and the reverse proxy: tls.sh.
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
expect_exit 0 k municipality add GM0002 --name Anderdorp
expect_exit 0 k def load "$HERE/fixtures/web.kto"
for m in GM0001 GM0002; do
	{
		echo 'contact_id,channel,contact_at,email'
		for i in 1 2 3; do
			echo "$m-c$i,counter,2026-11-19,burger$i.$m@example.org"
		done
	} >"$m.csv"
	expect_exit 0 k contacts import --municipality "$m" "$m.csv"
	expect_exit 0 k wave create --municipality "$m" --from 2026-11-01 --to 2026-11-20 --channels counter --seed 1
done
expect_exit 0 k wave sample 1
expect_exit 0 k wave sample 2
sqlite3 "$DB" 'SELECT mail_token FROM invitation ORDER BY id' >tokens
[ "$(wc -l <tokens)" -eq 6 ] || fail "expected 6 invitations"

port=$(free_port)
start_serve "$DB" "$port" --client-timeout 2

"$PYTHON" "$HERE/http_hardening.py" "127.0.0.1:$port" "$SERVE_PID" "$DB" tokens ||
	{ tail -20 serve.log >&2; fail "the HTTP hardening checks failed"; }
# The server is still there and answers, after all of it.
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")
[ "$code" = 200 ] || fail "kto serve does not answer after the checks: $code"
kill -0 "$SERVE_PID" 2>/dev/null || fail "kto serve died"
# HARDENING H5: a CR/LF sent escaped in a path never forges a log line.
grep -q '^Set-Cookie\|^Location' serve.log && fail "the access log took a line from a path"
grep -q "GET /c/GM0001/x??Location: http://evil.example/ 400" serve.log ||
	fail "the access log lacks the escaped path"
echo "http_hardening: ok"
