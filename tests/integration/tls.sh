# kto serve over TLS (--tls-cert, --tls-key) with a self-signed certificate
# made here by openssl: HTTPS answers with Strict-Transport-Security, the
# portal's session cookie is Secure, plain HTTP on the same port gets no
# page; the same server without TLS sends neither; a certificate or key
# that cannot be used stops kto serve with a clear error (exit 1), and one
# without the other is a usage error (exit 2).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/smtp_lib.sh"     # free_port, and servers stopped on exit

DB=$T/tls.db
k() {
	timeout 60 "$KTO" --db "$DB" "$@"
}

openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
	-days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	>openssl.log 2>&1 || { cat openssl.log >&2; fail "openssl could not make a certificate"; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout other-key.pem -out other-cert.pem \
	-days 2 -subj /CN=other >>openssl.log 2>&1 || fail "openssl: a second key"
expect_exit 0 k municipality add GM0001 --name Vragendorp
expect_exit 0 k user add beheer@example.org --role manager --municipality GM0001 --json
password=$(sed -n 's/.*"password": *"\([^"]*\)".*/\1/p' "$OUT")
[ -n "$password" ] || fail "no password from kto user add"

# HARDENING TLS: a certificate or key kto cannot use: exit 1, naming the file.
port=$(free_port)
serve() {
	timeout 10 "$KTO" --db "$DB" serve --listen "127.0.0.1:$port" "$@"
}
expect_exit 1 serve --tls-cert missing.pem --tls-key key.pem
expect_stderr_contains "--tls-cert: cannot open 'missing.pem'"
chmod 000 key.pem 2>/dev/null
if [ "$(id -u)" != 0 ]; then    # root reads it all the same
	expect_exit 1 serve --tls-cert cert.pem --tls-key key.pem
	expect_stderr_contains "--tls-key: cannot open 'key.pem'"
fi
chmod 600 key.pem
printf 'not a certificate\n' >junk.pem
expect_exit 1 serve --tls-cert junk.pem --tls-key key.pem
expect_stderr_contains "--tls-cert 'junk.pem' is not a PEM file"
expect_exit 1 serve --tls-cert cert.pem --tls-key other-key.pem
expect_stderr_contains "cannot serve TLS with --tls-cert 'cert.pem' and --tls-key 'other-key.pem'"
expect_exit 1 serve --tls-cert key.pem --tls-key cert.pem
expect_stderr_contains "cannot serve TLS"
expect_exit 2 serve --tls-cert cert.pem
expect_stderr_contains "--tls-cert and --tls-key go together"
expect_exit 2 env KTO_TLS_KEY=key.pem timeout 10 "$KTO" --db "$DB" serve --listen "127.0.0.1:$port"

# The server over TLS (the files from the environment, as a service sets them).
KTO_TLS_CERT=cert.pem KTO_TLS_KEY=key.pem "$KTO" --db "$DB" serve \
	--listen "127.0.0.1:$port" >serve.out 2>serve.log &
SERVE_PID=$!
SERVER_PIDS="$SERVER_PIDS $SERVE_PID"
i=0
until curl -s -o /dev/null --cacert cert.pem "https://127.0.0.1:$port/healthz"; do
	i=$((i + 1))
	[ "$i" -le 100 ] || { cat serve.log >&2; fail "kto serve over TLS did not start"; }
	sleep 0.1
done
grep -q "kto serves on https://127.0.0.1:$port/" serve.out || fail "the banner does not say https"

plain_port=$(free_port)
start_serve "$DB" "$plain_port"

# HARDENING TLS: HSTS and a Secure session cookie over TLS, neither without.
"$PYTHON" - "$port" "$plain_port" "$password" <<'PYEOF' || fail "the TLS checks failed"
import http.client, ssl, sys, urllib.parse
tls_port, plain_port, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile="cert.pem")

def request(conn, method, path, body=None):
    h = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    r.read()
    return r.status, {k.lower(): v for k, v in r.getheaders()}

def check(cond, what):
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)

login = urllib.parse.urlencode({"email": "beheer@example.org", "password": password})
for port, tls in ((tls_port, True), (plain_port, False)):
    conn = (http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
            if tls else http.client.HTTPConnection("127.0.0.1", port, timeout=10))
    for path in ("/healthz", "/portal/login", "/s/nothing-here"):
        st, h = request(conn, "GET", path)
        hsts = h.get("strict-transport-security")
        if tls:
            check(hsts == "max-age=31536000", "%s over TLS: HSTS %r" % (path, hsts))
        else:
            check(hsts is None, "%s over plain HTTP sends HSTS" % path)
    st, h = request(conn, "POST", "/portal/login", login)
    cookie = h.get("set-cookie", "")
    check(st == 303 and cookie.startswith("kto_portal="), "sign-in: %d %r" % (st, cookie))
    attrs = [a.strip() for a in cookie.split(";")]
    check(("Secure" in attrs) == tls, "TLS %s, cookie %r" % (tls, cookie))
    check("HttpOnly" in attrs, "cookie without HttpOnly: %r" % cookie)
    conn.close()

# Plain HTTP to the TLS port is no way in.
try:
    conn = http.client.HTTPConnection("127.0.0.1", tls_port, timeout=5)
    st, _ = request(conn, "GET", "/healthz")
    check(st != 200, "plain HTTP on the TLS port answered 200")
except (http.client.HTTPException, OSError):
    pass
# A client that does not trust the certificate does not get through.
try:
    conn = http.client.HTTPSConnection("127.0.0.1", tls_port, timeout=5,
                                       context=ssl.create_default_context())
    request(conn, "GET", "/healthz")
    check(False, "an untrusted certificate was accepted")
except ssl.SSLError:
    pass
PYEOF
# Behind a reverse proxy (docs/deployment.md): --trust-proxy names it; from
# it alone X-Forwarded-Proto and X-Forwarded-For count.  A server trusting
# another address believes neither.
expect_exit 1 serve --trust-proxy proxy.example
expect_stderr_contains "--trust-proxy 'proxy.example' is not an IP address"
trusting_port=$(free_port)
start_serve "$DB" "$trusting_port" --trust-proxy 127.0.0.1
other_port=$(free_port)
start_serve "$DB" "$other_port" --trust-proxy 192.0.2.1
"$PYTHON" - "$trusting_port" "$other_port" "$password" <<'PYEOF' || fail "the proxy checks failed"
import http.client, sys, urllib.parse
trusting, other, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]

def request(port, method, path, headers, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = dict(headers)
    if body:
        h["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}

def check(cond, what):
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)

https = {"X-Forwarded-Proto": "https"}
login = urllib.parse.urlencode({"email": "beheer@example.org", "password": password})
bad = urllib.parse.urlencode({"email": "x@example.org", "password": "x"})
# HARDENING TLS: HSTS and Secure when the trusted proxy says https.
st, h = request(trusting, "GET", "/healthz", https)
check(h.get("strict-transport-security") == "max-age=31536000", "proxy https: no HSTS")
st, h = request(trusting, "GET", "/healthz", {})
check("strict-transport-security" not in h, "proxy http: HSTS")
st, h = request(trusting, "POST", "/portal/login", https, login)
check(st == 303 and "; Secure" in h.get("set-cookie", ""), "proxy https: cookie %r" % h)
st, h = request(other, "GET", "/healthz", https)
check("strict-transport-security" not in h, "an untrusted X-Forwarded-Proto was believed")
st, h = request(other, "POST", "/portal/login", https, login)
check(st == 303 and "Secure" not in h.get("set-cookie", ""), "untrusted proto: Secure cookie")
# Rate limits per client behind the proxy: the last X-Forwarded-For
# address (what the proxy appended), never one the client wrote before it.
def attempts(port, xff, n):
    return [request(port, "POST", "/portal/login", {"X-Forwarded-For": xff}, bad)[0]
            for _ in range(n)]
codes = attempts(trusting, "203.0.113.9, 198.51.100.1", 12)
check(codes[-1] == 429, "no rate limit for a client behind the proxy: %r" % codes)
check(attempts(trusting, "198.51.100.2", 1) == [422],
      "another client behind the proxy was limited too")
check(attempts(trusting, "198.51.100.1", 1) == [429],
      "the limited client got through with a new X-Forwarded-For prefix")
codes = attempts(other, "198.51.100.3", 12)
check(codes[-1] == 429, "no rate limit on the untrusting server: %r" % codes)
check(attempts(other, "198.51.100.4", 1) == [429],
      "an untrusted X-Forwarded-For escaped the rate limit")
PYEOF

# Still serving after the failed handshakes.
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert cert.pem "https://127.0.0.1:$port/healthz")
[ "$code" = 200 ] || fail "the TLS server does not answer after bad clients: $code"
echo "tls: ok"
