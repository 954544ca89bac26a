"""HTTP checks of the questionnaire (run by questionnaire.sh).

Usage: questionnaire_http.py BASE_URL DB TOKENS_FILE

Drives `kto serve` as a browser without JavaScript would: GET a page,
POST its form, follow the 303.  Uses the invitations' tokens in order:
1 the whole questionnaire (validation, forged forms, resume, back, double
submit), 2 English and escaping, 3 a page skipped by show-if, 4 a large
body.  The sixth is left for the shell script (a closed wave).
"""
import http.client
import sqlite3
import sys
import threading
import urllib.parse

BASE, DB, TOKENS = sys.argv[1], sys.argv[2], sys.argv[3]
HOST = urllib.parse.urlparse(BASE).netloc
tokens = open(TOKENS).read().split()


def request(method, path, body=None, headers=None):
    """One request; the status, headers and page text (no redirects followed)."""
    conn = http.client.HTTPConnection(HOST, timeout=30)
    hdrs = dict(headers or {})
    if body is not None and "Content-Type" not in hdrs:
        hdrs["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, dict(resp.getheaders()), data.decode("utf-8", "replace")


def form(fields):
    return urllib.parse.urlencode(fields).encode()


def check(cond, what, page=""):
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        if page:
            print(page[:3000], file=sys.stderr)
        sys.exit(1)


def get(token, query=""):
    status, hdrs, page = request("GET", "/s/" + token + query)
    check(status == 200, "GET /s/TOKEN gave %d" % status, page)
    return page


def post(token, fields, want, query=""):
    body = fields if isinstance(fields, bytes) else form(fields)
    status, hdrs, page = request("POST", "/s/" + token + query, body)
    check(status == want, "POST %r gave %d, not %d" % (fields, status, want), page)
    if want == 303:
        loc = hdrs.get("Location", "")
        check(loc.split("?")[0] == "/s/" + token and query in loc,
              "303 to %r" % loc)
    return page


def db(sql, *args):
    con = sqlite3.connect(DB, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


# --- 1: the whole questionnaire --------------------------------------------
t = tokens[0]
status, hdrs, page = request("GET", "/s/" + t)
check(status == 200, "first GET", page)
check('<html lang="nl">' in page, "the page is not marked Dutch", page)
check("<title>Eerste pagina - Webtest - gemeente Vragendorp</title>" in page,
      "no descriptive title", page)
check("Stap 1 van 3" in page, "no progress", page)   # page 3 not yet shown
check(len(page.encode()) < 20000, "the page is %d bytes" % len(page.encode()))
check(not any(x in page for x in ("<script", "<link", "@import", "url("))
      and all(x.startswith('"/') for x in page.split("src=")[1:]),
      "the page runs something or loads from elsewhere", page)
# HARDENING F1: a CSP that runs no script and loads nothing from elsewhere.
csp = hdrs.get("Content-Security-Policy", "")
check("default-src 'none'" in csp and "frame-ancestors 'none'" in csp
      and "script-src" not in csp, "CSP: " + csp)
check(hdrs.get("X-Content-Type-Options") == "nosniff", "nosniff")
check(hdrs.get("Referrer-Policy") == "no-referrer", "Referrer-Policy")
check('<fieldset id="q-C1">' in page and "<legend>" in page, "no fieldset", page)
check('class="org brand" style="background:#00529B"' in page, "no house colour", page)
check('<a href="https://www.vragendorp.example/privacy">Privacyverklaring' in page,
      "no privacy statement link", page)
check('<img src="/logo/GM0001" alt=""' in page, "no logo", page)
status, hdrs, _ = request("GET", "/logo/GM0001")
check(status == 200 and hdrs.get("Content-Type") == "image/png"
      and "no-store" not in hdrs.get("Cache-Control", ""), "logo: %d %r" % (status, hdrs))
status, _, _ = request("GET", "/logo/GM0002")
check(status == 404, "a logo that is not there gave %d" % status)

# HARDENING F5: forged options, unknown IDs and pages: re-validated, refused.
# Forms that did not come from this page: 400 with a message.
for bad in ({"page": "0", "action": "next", "q.C1": "hack"},
            {"page": "0", "action": "next", "q.ZZ": "1"},
            {"page": "0", "action": "next", "q.M1": "5"},
            b"page=0&action=next&q.Y1=yes&q.Y1=no",
            {"page": "7", "action": "next"},
            {"page": "0", "action": "delete"}):
    page = post(t, bad, 400)
    check("kan niet worden verwerkt" in page, "no explanation for %r" % bad, page)
post(t, b"page=0&action=next&q.C1=paspoort&q.C1=rijbewijs", 400)
post(t, b"page=\xff&action=next", 400)
# HARDENING H8: a body that is not a form: 415.
status, _, page = request("POST", "/s/" + t, b'{"page": 0}',
                          {"Content-Type": "application/json"})
check(status == 415, "a JSON body gave %d, not 415" % status, page)
check(db("SELECT count(*) FROM response")[0][0] == 0, "a forged form saved something")
# HARDENING F2: invalid UTF-8: 422 at the field.
# Text no browser sends for this page: 422, the message at the field.
page = post(t, b"page=0&action=next&q.Y1=\xff\xfe", 422)
check('id="e-Y1"' in page and "niet gelezen" in page, "invalid UTF-8", page)

# Too many choices: 422, the message by the field, the choices kept.
page = post(t, b"page=0&action=next&q.Y1=yes&q.MU=snel&q.MU=vriendelijk&q.MU=duidelijk", 422)
check('role="alert"' in page and "Kies minder antwoorden" in page, "no error", page)
check('<p class="error" id="e-MU">' in page and 'aria-describedby="e-MU"' in page,
      "the error is not tied to the question", page)
check(page.count("checked") == 4, "the given answers were not kept", page)
check("<title>Fout: " in page, "the title does not say there is an error", page)

post(t, b"page=0&action=next&q.Y1=yes&q.C1=paspoort&q.MU=snel&q.MU=duidelijk", 303)
page = get(t)
check("Tweede pagina" in page and "Stap 2 van 4" in page, "not on page 2", page)

# Out of range, a pattern, a date in the future, value and "weet niet".
page = post(t, {"page": "1", "action": "next", "q.N1": "500", "q.T1": "xx",
                "q.D1": "2027-01-01"}, 422)
check("van 0 tot en met 120" in page, "no range message", page)
check("Schrijf een postcode als 1234 AB" in page, "no pattern message", page)
check('value="500"' in page and 'value="xx"' in page, "typed values lost", page)
check('id="e-D1"' in page, "a date after today was accepted", page)
# HARDENING F2: a NUL byte: 422 at the field, not shown again.
page = post(t, b"page=1&action=next&q.T1=1234%00AB", 422)
check('id="e-T1"' in page and "niet gelezen" in page, "a NUL byte", page)
check("1234" not in page.split('id="i-T1"')[1][:80], "the NUL text was shown again", page)
page = post(t, {"page": "1", "action": "next", "q.N1": "5", "dk.N1": "1"}, 422)
check('id="e-N1"' in page, "both a number and 'weet niet' accepted", page)
post(t, {"page": "1", "action": "next", "q.N1": "12", "q.T1": "1234 AB",
         "q.D1": "2026-11-19"}, 303)

# HARDENING F7: every page is saved (the draft); a new visit resumes, Back keeps it.
# Stop and resume: a new visit opens where the citizen left off.
page = get(t)
check("Alleen met afspraak" in page and "Stap 3 van 4" in page,
      "did not resume on page 3", page)
# Back keeps what was saved.
post(t, {"page": "2", "action": "back"}, 303)
page = get(t)
check('value="12"' in page and 'value="1234 AB"' in page, "saved answers not shown", page)
post(t, {"page": "1", "action": "next", "q.N1": "12", "q.T1": "1234 AB",
         "q.D1": "2026-11-19"}, 303)
post(t, {"page": "2", "action": "next", "q.S1": "4"}, 303)
page = get(t)
check("Uw oordeel" in page and "Versturen" in page, "not on the last page", page)
# HARDENING F5: a skipped required question: 422.
page = post(t, {"page": "3", "action": "next"}, 422)
check("Beantwoord deze vraag" in page, "a required question was skipped", page)

# HARDENING F6: four submits at once: one response, each gets the same 303.
# The last button pressed twice at once: one response.
xss = "<script>alert('x')</script> & \"quoted\""
last = form({"page": "3", "action": "next", "q.M1": "8", "q.O1": xss})
results = []
threads = [threading.Thread(target=lambda: results.append(
    request("POST", "/s/" + t, last)[0])) for _ in range(4)]
for th in threads:
    th.start()
for th in threads:
    th.join()
check(results == [303] * 4, "double submit: %r" % results)
rows = db("SELECT r.id, r.state FROM response r JOIN invitation i ON "
          "i.id = r.invitation_id WHERE i.mail_token = ?", t)
check(len(rows) == 1 and rows[0][1] == "complete", "responses: %r" % rows)
rid = rows[0][0]
answers = dict(db("SELECT item, coalesce(value_text, value_num) FROM answer "
                  "WHERE response_id = ?", rid))
# HARDENING F1: stored verbatim.
check(answers.get("O1") == xss, "the open answer was not stored verbatim: %r"
      % answers.get("O1"))
check(answers.get("M1") == 8.0 and answers.get("S1") == 4.0
      and answers.get("MU") == '["snel","duidelijk"]', "answers: %r" % answers)
check(db("SELECT state, responded_at IS NOT NULL FROM invitation WHERE "
         "mail_token = ?", t) == [("responded", 1)], "invitation not responded")
page = get(t)
check("Hartelijk dank voor het invullen." in page, "no thank-you page", page)
# HARDENING T3: reuse after completion.
# A second visit: completed, nothing of the answers shown (T3).
check("is ingevuld" in page and "alert" not in page and "<form" not in page,
      "a completed questionnaire shows too much", page)
post(t, last, 303)
check(db("SELECT count(*) FROM response")[0][0] == 1, "a second response")

# --- 2: English, and escaping ----------------------------------------------
t = tokens[1]
page = get(t, "?lang=en")
check('<html lang="en">' in page and "First page" in page, "no English", page)
check('hreflang="nl"' in page, "no way back to Dutch", page)
post(t, {"page": "0", "action": "next", "q.Y1": "no"}, 303, "?lang=en")
check(db("SELECT r.language FROM response r JOIN invitation i ON i.id = "
         "r.invitation_id WHERE i.mail_token = ?", t) == [("en",)], "language")
page = get(t)       # the choice is remembered without ?lang
check("Second page" in page, "English not remembered", page)
post(t, {"page": "1", "action": "next"}, 303)
page = post(t, {"page": "3", "action": "next", "q.O1": xss}, 422)
check("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"
      in page or "&lt;script&gt;alert('x')&lt;/script&gt; &amp; \"quoted\"" in page,
      "the open answer was not shown escaped", page)
# HARDENING F1: shown escaped.
check("<script>alert" not in page, "the open answer was shown raw", page)
check("Please answer this question" in page, "no English message", page)

# --- 3: a page skipped by show-if ------------------------------------------
t = tokens[2]
post(t, {"page": "0", "action": "next", "q.Y1": "no"}, 303)
post(t, {"page": "1", "action": "next"}, 303)
page = get(t)
check("Uw oordeel" in page and "Stap 3 van 3" in page,
      "the appointment page was not skipped", page)
post(t, {"page": "2", "action": "next", "q.S1": "3"}, 400)   # a hidden page
post(t, {"page": "3", "action": "next", "q.M1": "6"}, 303)
check(db("SELECT count(*) FROM answer a JOIN response r ON r.id = "
         "a.response_id JOIN invitation i ON i.id = r.invitation_id WHERE "
         "i.mail_token = ? AND a.item = 'S1'", t) == [(0,)], "hidden answer kept")

# --- 4: a body too large, unknown links ------------------------------------
# HARDENING H1: a 10 MB form: 413.
# Answered from the headers: the server reads none of the body and closes,
# so only the headers are sent here (http_hardening.py sends bodies).
import socket
_s = socket.create_connection(tuple(HOST.split(":")), timeout=10)
_s.sendall(b"POST /s/" + tokens[3].encode() + b" HTTP/1.1\r\nHost: x\r\n"
           b"Content-Type: application/x-www-form-urlencoded\r\n"
           b"Content-Length: %d\r\n\r\nq.O1=xxx" % (10 << 20))
reply = _s.recv(4096)
_s.close()
check(reply.startswith(b"HTTP/1.1 413 "), "a 10 MB body gave %r" % reply[:40])
for path in ("/s/AAAAAAAAAAAAAAAAAAAAAA", "/s/kort", "/s/"):
    status, _, page = request("GET", path)
    check(status == 404 and "Deze link werkt niet" in page,
          "%s gave %d" % (path, status), page)
# --- The counter's open link: one response per browser session -------------
def open_link(path, body=None, cookie=None):
    headers = {"Cookie": "kto_session=" + cookie} if cookie else {}
    return request("POST" if body is not None else "GET", path,
                   form(body) if isinstance(body, dict) else body, headers)


status, hdrs, page = open_link("/c/GM0001/balie-1")
check(status == 200 and "Eerste pagina" in page, "open link: %d" % status, page)
cookie_hdr = hdrs.get("Set-Cookie", "")
check(cookie_hdr.startswith("kto_session=") and "HttpOnly" in cookie_hdr
      and "Path=/c/" in cookie_hdr, "cookie: " + cookie_hdr)
session = cookie_hdr.split(";")[0].split("=", 1)[1]
status, _, page = open_link("/c/GM0001/balie-1", {"page": "0", "action": "next"})
check(status == 400 and "cookie" in page, "a POST without the cookie: %d" % status, page)
for fields in ({"page": "0", "action": "next", "q.Y1": "no"},
               {"page": "1", "action": "next"},
               {"page": "3", "action": "next", "q.M1": "9"}):
    status, hdrs, page = open_link("/c/GM0001/balie-1", fields, session)
    check(status == 303 and hdrs.get("Location") == "/c/GM0001/balie-1",
          "open link POST %r: %d" % (fields, status), page)
status, _, page = open_link("/c/GM0001/balie-1", cookie=session)
check(status == 200 and "Hartelijk dank" in page, "no thanks for the session", page)
rows = db("SELECT channel, desk, invitation_id IS NULL, state FROM response "
          "WHERE session_key IS NOT NULL")
check(rows == [("counter", "balie-1", 1, "complete")], "open link responses: %r" % rows)
for path in ("/c/GM9999", "/c/../etc", "/c/GM0001/balie 1", "/c/"):
    status, _, _ = request("GET", urllib.parse.quote(path, safe="/."))
    check(status == 404, "%s gave %d" % (path, status))
status, _, page = request("GET", "/c/GM0002")
check(status == 404 and "geen onderzoek" in page, "no wave: %d" % status, page)
# Starting new questionnaires is rate-limited per address.
codes = [open_link("/c/GM0001")[0] for _ in range(40)]
check(429 in codes and codes.count(200) <= 30, "no rate limit: %r" % codes)
# HARDENING H2: slowloris and a slow body are closed by the timeout.
# --- Slow clients (the server runs with --client-timeout 2) -----------------
import socket
import time


def stalls(first_bytes):
    """Sends the start of a request, then nothing: seconds until closed."""
    host, port = HOST.split(":")
    s = socket.create_connection((host, int(port)), timeout=15)
    t0 = time.monotonic()
    s.sendall(first_bytes)
    try:
        while s.recv(4096):
            pass
    except socket.timeout:
        return 99.0
    finally:
        s.close()
    return time.monotonic() - t0


wait = stalls(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
check(1.5 <= wait < 8, "half a request header was kept open %.1f s" % wait)
wait = stalls(b"POST /s/" + tokens[4].encode() + b" HTTP/1.1\r\nHost: x\r\n"
              b"Content-Type: application/x-www-form-urlencoded\r\n"
              b"Content-Length: 100\r\n\r\npage=0")
check(1.5 <= wait < 8, "half a body was kept open %.1f s" % wait)

# HARDENING H3: (2,000 of them: http_hardening.py)
# --- Many connections from one address (H3): past 64, refused at once ------
held, refused = [], 0
host, port = HOST.split(":")
for _ in range(80):
    c = socket.create_connection((host, int(port)), timeout=5)
    held.append(c)
time.sleep(0.5)
for c in held:
    c.setblocking(False)
    try:
        if c.recv(1) == b"":
            refused += 1
    except BlockingIOError:
        pass                    # still open, waiting for a request
    except ConnectionResetError:
        refused += 1
for c in held:
    c.close()
check(refused >= 16, "only %d of 80 connections from one address refused" % refused)
time.sleep(0.3)
status, _, _ = request("GET", "/healthz")
check(status == 200, "the server does not answer after the flood: %d" % status)

# HARDENING T4: an opted-out recipient: 410 with an explanation.
# --- A citizen who unsubscribed finds the questionnaire closed (T4) ---------
status, _, _ = request("POST", "/o/" + tokens[4], b"List-Unsubscribe=One-Click")
check(status == 200, "opt-out: %d" % status)
status, _, page = request("GET", "/s/" + tokens[4])
check(status == 410 and "afgemeld" in page, "after opting out: %d" % status, page)
print("questionnaire_http: ok")
