"""The HTTP rows of HARDENING.md, as raw bytes on a socket (run by
http_hardening.sh, against a `kto serve --client-timeout 2`).

Usage: http_hardening.py HOST:PORT SERVER_PID DB TOKENS_FILE

Each check names its row of HARDENING.md in a "HARDENING <ID>" comment
(tests/lint/hardening_rows.sh requires one for every row).  A raw socket
rather than http.client: the requests here are ones no well-behaved
client library would send.
"""
import hashlib
import http.client
import os
import resource
import socket
import sqlite3
import sys
import time
import urllib.parse

ADDR, PID, DB, TOKENS = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
HOST, PORT = ADDR.rsplit(":", 1)
PORT = int(PORT)
tokens = open(TOKENS).read().split()
A1, A2, B1 = tokens[0], tokens[1], tokens[3]     # municipality A's and B's


def check(cond, what, detail=b""):
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        if detail:
            print(detail[:2000], file=sys.stderr)
        sys.exit(1)


def raw(data, timeout=5):
    """Sends data, reads until the server closes or goes quiet: (status, all bytes, seconds)."""
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    t0 = time.monotonic()
    out = b""
    try:
        s.sendall(data)
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    finally:
        s.close()
    status = int(out.split(b" ", 2)[1]) if out.startswith(b"HTTP/1.") else 0
    return status, out, time.monotonic() - t0


def get(target, extra=b""):
    return raw(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
               + extra + b"\r\n")


def rss_kb():
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def open_fds():
    return len(os.listdir("/proc/%d/fd" % PID))


def db(sql, *args):
    con = sqlite3.connect(DB, timeout=10)
    try:
        with con:
            return con.execute(sql, args).fetchall()
    finally:
        con.close()


FORM = b"Content-Type: application/x-www-form-urlencoded\r\n"
rss_before = rss_kb()

# --- H1: bodies too large ---------------------------------------------------
# HARDENING H1: a declared 10^12 bytes is answered 413 from the headers, at once.
st, out, secs = raw(b"POST /s/" + A1.encode() + b" HTTP/1.1\r\nHost: x\r\n" + FORM
                    + b"Content-Length: 1000000000000\r\n\r\npage=0")
check(st == 413 and secs < 1.5, "Content-Length 10^12: %d after %.1f s" % (st, secs), out)
check("Te groot".encode() in out, "the 413 page does not say why", out)
# HARDENING H1: a 50 MB POST: 413 before the body is read; the server hangs up.
s = socket.create_connection((HOST, PORT), timeout=5)
s.sendall(b"POST /s/" + A1.encode() + b" HTTP/1.1\r\nHost: x\r\n" + FORM
          + b"Content-Length: %d\r\n\r\n" % (50 << 20))
sent, chunk, t0 = 0, b"q.O1=" + b"x" * (1 << 20), time.monotonic()
try:
    while sent < (50 << 20):
        s.sendall(chunk)
        sent += len(chunk)
except (BrokenPipeError, ConnectionResetError, socket.timeout):
    pass
try:
    reply = s.recv(4096)
except (ConnectionResetError, socket.timeout):
    reply = b""
s.close()
check(sent < (50 << 20), "the server read all of a 50 MB body (%d bytes)" % sent)
check(reply.startswith(b"HTTP/1.1 413") or reply == b"",
      "50 MB POST answered %r" % reply[:40])
# HARDENING H1: an endless chunked body: cut off after the limit, memory flat.
s = socket.create_connection((HOST, PORT), timeout=5)
s.sendall(b"POST /s/" + A1.encode() + b" HTTP/1.1\r\nHost: x\r\n" + FORM
          + b"Transfer-Encoding: chunked\r\n\r\n")
sent, piece, t0 = 0, b"4000\r\n" + b"x" * 0x4000 + b"\r\n", time.monotonic()
try:
    while time.monotonic() - t0 < 10:
        s.sendall(piece)
        sent += 0x4000
except (BrokenPipeError, ConnectionResetError, socket.timeout):
    pass
try:
    reply = s.recv(4096)
except (ConnectionResetError, socket.timeout):
    reply = b""
s.close()
check(time.monotonic() - t0 < 8 and sent < (64 << 20),
      "an endless chunked body was read for %.1f s (%d MB)"
      % (time.monotonic() - t0, sent >> 20))
check(reply.startswith(b"HTTP/1.1 413") or reply == b"",
      "endless chunked body answered %r" % reply[:40])
grown = rss_kb() - rss_before
check(grown < 32 * 1024, "the server grew by %d KB receiving large bodies" % grown)

# --- H2: slow clients (slowloris and a slow body: questionnaire_http.py) -----
# HARDENING H2: a slow reader: pipelined requests whose answers it never reads
# are not kept: the connection is closed by the timeout (2 s here).
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.settimeout(5)
s.connect((HOST, PORT))
one = b"GET /s/" + A2.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n"
try:
    s.sendall(one * 400)
except (BrokenPipeError, ConnectionResetError, socket.timeout):
    pass
time.sleep(5)
got, closed = 0, False
s.settimeout(2)
try:
    while True:
        d = s.recv(65536)
        if not d:
            closed = True
            break
        got += len(d)
except ConnectionResetError:
    closed = True
except socket.timeout:
    pass
s.close()
check(closed, "a reader that stopped reading was kept (%d bytes read)" % got)

# --- H3: 2,000 connections from one address ----------------------------------
# HARDENING H3: the per-address limit (64) refuses the rest at once; the
# server's descriptors stay bounded; it answers again afterwards.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = 2000 + 100
if soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
n = min(2000, resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 100)
held, peak_fds = [], 0
for i in range(n):
    try:
        held.append(socket.create_connection((HOST, PORT), timeout=5))
    except OSError:
        break
    if i % 250 == 0:
        peak_fds = max(peak_fds, open_fds())
time.sleep(0.5)
peak_fds = max(peak_fds, open_fds())
open_now = 0
for c in held:
    c.setblocking(False)
    try:
        if c.recv(1) != b"":
            open_now += 1
    except BlockingIOError:
        open_now += 1           # still open, waiting for a request
    except OSError:
        pass
for c in held:
    c.close()
print("H3: %d connections, %d kept open, at most %d descriptors in the server"
      % (len(held), open_now, peak_fds))
check(len(held) >= 1000, "could open only %d connections" % len(held))
check(open_now <= 64 + 8, "%d of %d connections from one address kept open"
      % (open_now, len(held)))
check(peak_fds < 512 + 100, "the server held %d descriptors" % peak_fds)
time.sleep(0.3)
st, _, _ = get(b"/healthz")
check(st == 200, "no answer after 2,000 connections: %d" % st)

# --- H4: broken escapes, NUL, overlong UTF-8 ---------------------------------
# HARDENING H4: 400, never a decoded NUL or a "/" in disguise.
for target in (b"/s/%zz", b"/s/%4", b"/s/abc%4", b"/healthz%00", b"/s/a%00b",
               b"/s/%C0%AF", b"/c/GM0001%C0%AF..%C0%AFx", b"/healthz?lang=%zz",
               b"/healthz?lang=en%00", b"/s/%ED%A0%80", b"/o/%FF"):
    st, out, _ = get(target)
    check(st == 400, "%r gave %d, not 400" % (target, st), out)
check("Ongeldig verzoek".encode() in out and b"Bad request" in out,
      "the 400 page does not say what is wrong", out)
# Good escapes still work: %C3%AB is "e" with a diaeresis, a valid letter.
st, _, _ = get(b"/healthz?lang=%65%6E")
check(st == 200, "a valid escape gave %d" % st)
st, _, _ = get(b"/c/GM0001/balie%2D1")
check(st == 200, "an escaped desk name gave %d" % st)

# --- H5: smuggling and header injection --------------------------------------
# HARDENING H5: Content-Length with chunked, or two Content-Lengths: 400.
for framing in (b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                b"Content-Length: 5\r\nContent-Length: 6\r\n",
                b"Content-Length: 6\r\nContent-Length: 6\r\n"):
    st, out, secs = raw(b"POST /s/" + A1.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                        + FORM + framing + b"\r\n0\r\n\r\n")
    check(st == 400 and secs < 1.5, "%r gave %d" % (framing, st), out)
# HARDENING H5: CR/LF in the target never reaches a response header.
for target in (b"/s/" + A1.encode() + b"?lang=en%0D%0ASet-Cookie:%20evil=1",
               b"/c/GM0001/x%0d%0aLocation:%20http://evil.example/",
               b"/healthz%0ASet-Cookie:evil=1"):
    st, out, _ = get(target)
    head = out.split(b"\r\n\r\n", 1)[0].lower()
    check(st == 400, "%r gave %d" % (target, st), out)
    check(b"evil" not in head, "reflected into the headers: %r" % target, out)
st, out, _ = raw(b"POST /s/" + A1.encode() + b"?lang=en HTTP/1.1\r\nHost: x\r\n" + FORM
                 + b"Content-Length: 22\r\nConnection: close\r\n\r\npage=0&action=nextxxxx")
check(b"\r\nLocation: /s/" + A1.encode() + b"?lang=en\r\n" in out or st in (400, 422),
      "a redirect with a language", out)

# --- H6: huge headers and URIs -----------------------------------------------
# HARDENING H6: a 100 KB cookie is 431, a 100 KB URI 414.
st, out, _ = get(b"/healthz", b"Cookie: kto_session=" + b"x" * 100000 + b"\r\n")
check(st == 431, "a 100 KB cookie gave %d" % st, out)
st, out, _ = get(b"/s/" + b"x" * 100000)
check(st == 414, "a 100 KB URI gave %d" % st, out)
st, out, _ = get(b"/healthz?" + b"a=b&" * 25000)
check(st == 414, "a 100 KB query gave %d" % st, out)

# --- H7: path traversal ------------------------------------------------------
# HARDENING H7: no file is served from a path: a fixed table of routes, 404.
for target in (b"/../../../etc/passwd", b"/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
               b"/logo/..%2f..%2f..%2fetc%2fpasswd", b"/logo/%252e%252e%252fetc",
               b"/s/../../etc/passwd", b"/portal/../../etc/passwd",
               b"/healthz/../../etc/passwd", b"/./healthz/.."):
    st, out, _ = get(target)
    signin = st == 303 and b"\r\nLocation: /portal/login\r\n" in out   # the portal's gate
    check((st in (404, 400) or signin) and b"root:" not in out,
          "%r gave %d" % (target, st), out)
st, _, _ = get(b"/logo/..%2fGM0001")
check(st == 404, "an escaped traversal to a logo gave %d" % st)

# --- H8: wrong method or content type ----------------------------------------
# HARDENING H8: 405 with Allow; a body that is not a form 415.
for method, path in ((b"DELETE", b"/s/" + A1.encode()), (b"PUT", b"/healthz"),
                     (b"PATCH", b"/portal/login"), (b"DELETE", b"/api/v1/waves"),
                     (b"POST", b"/logo/GM0001")):
    st, out, _ = raw(method + b" " + path + b" HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    check(st == 405 and b"\r\nAllow: " in out, "%s %s gave %d" % (method, path, st), out)
for ctype in (b"text/plain", b"application/json", b"application/xml"):
    st, out, _ = raw(b"POST /s/" + A2.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: " + ctype + b"\r\nContent-Length: 6\r\n"
                     b"Connection: close\r\n\r\npage=0")
    check(st == 415, "a %s body gave %d" % (ctype, st), out)

# --- T1: tokens that cannot be guessed ---------------------------------------
# HARDENING T1: 22 URL-safe base64 characters, 128 random bits; all distinct.
# (The rate limit and the alert on guessing: questionnaire.sh.)
check(all(len(t) == 22 and t.replace("-", "").replace("_", "").isalnum()
          for t in tokens) and len(set(tokens)) == len(tokens),
      "tokens: %r" % tokens)
bits = "".join(bin(int.from_bytes(__import__("base64").urlsafe_b64decode(t + "=="),
                                  "big"))[2:].zfill(128) for t in tokens)
check(0.35 < bits.count("1") / len(bits) < 0.65, "the tokens' bits are not random")

# --- T2: tokens looked up by their hash ---------------------------------------
# HARDENING T2: the database finds an invitation by SHA-256(token) only: with
# the token itself erased (as after the last mail) the link still opens,
# and no column holds a token that opens a questionnaire.
want = hashlib.sha256(A2.encode()).digest()
check(db("SELECT token_hash FROM invitation WHERE mail_token = ?", A2) == [(want,)],
      "the stored hash is not SHA-256 of the token")
db("UPDATE invitation SET mail_token = NULL")
st, out, _ = get(b"/s/" + A2.encode())
check(st == 200, "a link whose token is no longer stored gave %d" % st, out)
con = sqlite3.connect(DB)
for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
    for row in con.execute('SELECT * FROM "%s"' % table):
        for v in row:
            check(not (isinstance(v, str) and any(t in v for t in tokens)),
                  "table %s holds a token" % table)
con.close()
# A token that differs in its last character is as unknown as any other.
near = A2[:-1] + ("A" if A2[-1] != "A" else "B")
st, _, _ = get(b"/s/" + near.encode())
check(st == 404, "a near miss of a token gave %d" % st)

# --- T5: one municipality's session on another's link ------------------------
# HARDENING T5: a token is bound to its municipality: the open-link session
# of A, sent to B's link, opens nothing of A's; an invitation token under
# another municipality's path is not found.
st, out, _ = get(b"/c/GM0001")
check(st == 200, "A's open link gave %d" % st, out)
cookie = out.split(b"kto_session=", 1)[1].split(b";", 1)[0]
body = b"page=0&action=next&q.Y1=yes"
st, out, _ = raw(b"POST /c/GM0001 HTTP/1.1\r\nHost: x\r\n" + FORM + b"Cookie: kto_session="
                 + cookie + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                 % len(body) + body)
check(st == 303, "A's open link POST gave %d" % st, out)
st, out, _ = get(b"/c/GM0002", b"Cookie: kto_session=" + cookie + b"\r\n")
check(st == 200 and b"Anderdorp" in out and b"Vragendorp" not in out,
      "A's session on B's link gave %d" % st, out)
check(b'value="yes" checked' not in out and b"checked" not in out,
      "A's answers shown on B's link", out)
rows = db("SELECT w.municipality_id, count(*) FROM response r JOIN wave w ON "
          "w.id = r.wave_id WHERE r.session_key IS NOT NULL GROUP BY 1")
check(rows == [(1, 1)], "open-link responses by municipality: %r" % rows)
for target in (b"/c/GM0002/" + A1.encode(), b"/s/GM0002/" + A1.encode(),
               b"/s/" + A1.encode() + b"/GM0002"):
    st, out, _ = get(target)
    check(st in (404, 200) and b"Vragendorp" not in out,
          "A's token under B's path: %r gave %d" % (target, st), out)

# --- F2, F3: text no browser sends; an answer too long -----------------------
def post_form(token, body):
    st, out, _ = raw(b"POST /s/" + token.encode() + b" HTTP/1.1\r\nHost: x\r\n" + FORM
                     + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
                     + body, timeout=10)
    return st, out


# HARDENING F2: a UTF-16 surrogate in UTF-8 form (CESU), an overlong letter
# and a lone continuation byte: 422, the message at the field.
for bad in (b"%ED%A0%80", b"%C1%81", b"%80abc", b"abc%F5%80%80%80"):
    st, out = post_form(A2, b"page=0&action=next&q.Y1=yes&q.C1=paspoort")
    st, out = post_form(A2, b"page=1&action=next&q.T1=" + bad)
    check(st == 422 and b'id="e-T1"' in out, "%r gave %d" % (bad, st), out)
# HARDENING F3: an answer longer than its question allows: 422 with the
# limit; a 1 MB answer: 413 with a message, nothing stored.
post_form(A2, b"page=1&action=next")
post_form(A2, b"page=2&action=next&q.S1=4")
st, out = post_form(A2, b"page=3&action=next&q.O1=" + b"x" * 5000)
check(st == 422 and "ten hoogste 200 tekens".encode() in out,
      "a 5,000-character answer gave %d" % st, out)
st, out = post_form(A2, b"page=3&action=next&q.O1=" + b"x" * (1 << 20))
check(st in (413, 0) and (st == 0 or "Te groot".encode() in out),
      "a 1 MB answer gave %d" % st, out)
check(db("SELECT count(*) FROM answer WHERE item = 'O1'") == [(0,)],
      "an answer too long was stored")

grown = rss_kb() - rss_before
check(grown < 64 * 1024, "the server grew by %d KB in all" % grown)
print("http_hardening: ok")
