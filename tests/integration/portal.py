#!/usr/bin/env python3
"""The portal and the API over HTTP, against a real `kto serve`.

The demo's municipalities with synthetic responses and a computed result
set; accounts of the three roles and an API key.  Checks sign-in (wrong
password, rate limit, cookie attributes), who may see and do what (own and
other municipality, viewer against manager), CSRF and Origin on every
POST, the wave actions with the upload's row-level feedback, the results
page with its charts, the letter download, sign-out, and every error path
of the API.

Usage: portal.py KTO_BINARY
"""
import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

KTO = sys.argv[1]
WORK = tempfile.mkdtemp(prefix="kto-portal-")
DB = os.path.join(WORK, "portal.db")
failures = []


def kto(*args, status=0):
    p = subprocess.run([KTO, "--db", DB, *args], capture_output=True, text=True)
    if p.returncode != status:
        sys.exit(f"kto {' '.join(args)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    return p.stdout


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


# --- A database with results, accounts and a key ------------------------
kto("demo")
con = sqlite3.connect(DB)
year = con.execute("SELECT min(substr(period_from, 1, 4)) FROM wave").fetchone()[0]
for wave, mun, channel, version in con.execute(
        "SELECT w.id, w.municipality_id, wc.channel, wc.def_version_id FROM wave w "
        "JOIN wave_channel wc ON wc.wave_id = w.id").fetchall():
    item = {"counter": "B18", "phone": "T15", "email": "E14"}[channel]
    for k in range(40):
        rid = con.execute("INSERT INTO response (wave_id, municipality_id, channel, "
                          "def_version_id, state, completed_at) VALUES (?, ?, ?, ?, "
                          "'complete', '2026-11-20T10:00:00Z')",
                          (wave, mun, channel, version)).lastrowid
        con.execute("INSERT INTO answer (response_id, item, value_num) VALUES (?, ?, ?)",
                    (rid, item, 5 + (k * 7 + mun) % 6))
# Open answers (B20 "Wat kan beter?") with personal data in them.
first = con.execute("SELECT r.id FROM response r JOIN municipality m ON m.id = "
                    "r.municipality_id WHERE m.code = 'GM0375' AND r.channel = 'counter' "
                    "ORDER BY r.id LIMIT 2").fetchall()
con.execute("INSERT INTO answer (response_id, item, value_text) VALUES (?, 'B20', ?)",
            (first[0][0], "Sneller graag. Bel me op 06-12345678 of mail jan.jansen@example.nl"))
con.execute("INSERT INTO answer (response_id, item, value_text) VALUES (?, 'B20', ?)",
            (first[1][0], "Mijn BSN 111222333 stond zichtbaar op het scherm <b>echt</b>"))
con.commit()
kto("results", "compute", "--year", year)
pw = {}
for email, role, code in (("team@example.org", "team", None),
                          ("beheer@example.org", "manager", "GM0375"),
                          ("lezer@example.org", "viewer", "GM0375")):
    out = json.loads(kto("user", "add", email, "--role", role,
                         *(["--municipality", code] if code else []), "--json"))
    pw[email] = out["password"]
key = json.loads(kto("apikey", "add", "--municipality", "GM0375", "--json"))["key"]
other_key = json.loads(kto("apikey", "add", "--municipality", "GM0381", "--json"))["key"]

# --- The server -----------------------------------------------------------
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
server = subprocess.Popen([KTO, "--db", DB, "serve", "--listen", f"127.0.0.1:{port}"],
                          stdout=subprocess.DEVNULL, stderr=open(os.path.join(WORK, "serve.log"), "w"))
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        break
    except OSError:
        time.sleep(0.05)


def request(method, path, body=None, headers=None, cookie=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = f"kto_portal={cookie}"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def form(path, fields, cookie=None, origin=None):
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    if origin:
        h["Origin"] = origin
    return request("POST", path, urllib.parse.urlencode(fields), h, cookie)


def sign_in(email):
    st, h, _ = form("/portal/login", {"email": email, "password": pw[email]})
    check(st == 303 and h.get("location") == "/portal", f"sign-in {email}: {st}")
    cookie = h.get("set-cookie", "")
    for attr in ("HttpOnly", "SameSite=Lax", "Path=/portal"):
        check(attr in cookie, f"sign-in cookie lacks {attr}: {cookie}")
    return re.match(r"kto_portal=([^;]+)", cookie).group(1)


def csrf_of(page):
    m = re.search(rb'name="csrf" value="([^"]+)"', page)
    return m.group(1).decode() if m else ""


try:
    # Signing in.
    st, h, _ = request("GET", "/portal")
    check(st == 303 and h["location"] == "/portal/login", "anonymous: not sent to sign-in")
    st, _, body = request("GET", "/portal/login")
    check(st == 200 and b'autocomplete="current-password"' in body, "sign-in form")
    st, _, body = form("/portal/login", {"email": "beheer@example.org", "password": "nope"})
    check(st == 422 and "klopt niet".encode() in body, f"wrong password: {st}")
    st, _, body = form("/portal/login", {"email": "nobody@example.org", "password": "nope"})
    check(st == 422 and "klopt niet".encode() in body, "unknown address answered differently")
    manager = sign_in("beheer@example.org")
    viewer = sign_in("lezer@example.org")
    team = sign_in("team@example.org")
    # HARDENING A3: a new session ID at sign-in (no session fixation): a
    # cookie planted before it is not the one that signs in, nor the old one.
    planted = "P" * 43
    st, h, _ = request("POST", "/portal/login", urllib.parse.urlencode(
        {"email": "team@example.org", "password": pw["team@example.org"]}),
        {"Content-Type": "application/x-www-form-urlencoded"}, cookie=planted)
    fresh = re.match(r"kto_portal=([^;]+)", h.get("set-cookie", ""))
    check(st == 303 and fresh and fresh.group(1) not in (planted, team),
          f"sign-in with a planted cookie: {st} {h.get('set-cookie')}")
    st, _, _ = request("GET", "/portal/m/GM0375", cookie=planted)
    check(st == 303, f"the planted cookie signs in: {st}")

    # Who sees what.
    # HARDENING A1: the municipality comes from the session, never the URL.
    st, h, _ = request("GET", "/portal", cookie=manager)
    check(st == 303 and h["location"] == "/portal/m/GM0375", "manager's home")
    st, _, page = request("GET", "/portal/m/GM0375", cookie=manager)
    check(st == 200 and "Voortgang per kanaal".encode() in page, "manager: own waves")
    check(b"Steekproef trekken" in page or b"Meting sluiten" in page, "manager: no actions")
    csrf = csrf_of(page)
    check(len(csrf) == 43, "no CSRF token in the page")
    st, _, _ = request("GET", "/portal/m/GM0381", cookie=manager)
    check(st == 403, f"manager reads another municipality: {st}")
    st, _, _ = request("GET", "/portal/m/GM0381/results", cookie=viewer)
    check(st == 403, f"viewer reads another municipality's results: {st}")
    st, _, page = request("GET", "/portal/m/GM0375", cookie=viewer)
    check(st == 200 and b"Meting sluiten" not in page, "viewer sees manager actions")
    vcsrf = csrf_of(page)
    st, _, _ = form("/portal/m/GM0375/waves", {"csrf": vcsrf, "from": "2026-10-01",
                                                "to": "2026-10-31", "channel": "counter"},
                    cookie=viewer)
    check(st == 403, f"viewer creates a wave: {st}")
    st, _, page = request("GET", "/portal", cookie=team)
    check(st == 200 and b"Kring C" in page and b"GM0381" in page, "team overview")
    st, _, _ = request("GET", "/portal/m/GM0381", cookie=team)
    check(st == 200, "team reads any municipality")

    # HARDENING A2: CSRF token, Origin check (SameSite: sign_in()).
    # CSRF and Origin on every POST.
    fields = {"from": "2026-10-01", "to": "2026-10-31", "channel": "counter", "target": "50"}
    st, _, _ = form("/portal/m/GM0375/waves", fields, cookie=manager)
    check(st == 403, f"POST without CSRF token: {st}")
    st, _, _ = form("/portal/m/GM0375/waves", dict(fields, csrf=csrf), cookie=manager,
                    origin="https://evil.example")
    check(st == 403, f"POST from another origin: {st}")
    st, h, _ = form("/portal/m/GM0375/waves", dict(fields, csrf=csrf), cookie=manager,
                    origin=f"http://127.0.0.1:{port}")
    check(st == 303, f"create a wave: {st}")
    wave = int(re.search(r"#w(\d+)", h.get("location", "#w0")).group(1))
    st, _, body = form("/portal/m/GM0375/waves", dict(fields, csrf=csrf, to="bad"),
                       cookie=manager)
    check(st == 422 and b'role="alert"' in body, f"bad wave date: {st}")

    # Upload contacts: multipart, with the CLI's row-level feedback.
    boundary = "kto-test-boundary"
    csv_text = ("contact_id,channel,contact_at,email\n"
                "p1,counter,2026-10-05,p1@example.org\n"
                "p2,balie,2026-13-05,p2@example.org\n"
                "p3,counter,2026-10-06,p3@example.org\n")
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv_text}\r\n"
            f"--{boundary}--\r\n")
    st, _, page = request("POST", "/portal/m/GM0375/upload", body,
                          {"Content-Type": f"multipart/form-data; boundary={boundary}"},
                          manager)
    check(st == 200 and b"2 toegevoegd" in page and b"1 afgewezen" in page,
          f"upload: {st} {page[:300]!r}")
    check(b"<td class=\"num\">3</td>" in page, "upload: the rejected row's number")
    st, h, _ = form(f"/portal/m/GM0375/waves/{wave}/sample", {"csrf": csrf}, cookie=manager)
    check(st == 303, f"sample the wave: {st}")
    st, _, page = request("GET", "/portal/m/GM0375", cookie=manager)
    check("steekproef getrokken".encode() in page or b"veldwerk" in page, "sampled wave")
    st, _, _ = form(f"/portal/m/GM0375/waves/1/close", {"csrf": csrf}, cookie=manager)
    other_wave = con.execute("SELECT min(w.id) FROM wave w JOIN municipality m ON "
                             "m.id = w.municipality_id WHERE m.code = 'GM0381'").fetchone()[0]
    st, _, _ = form(f"/portal/m/GM0375/waves/{other_wave}/close", {"csrf": csrf},
                    cookie=manager)
    check(st == 404, f"close another municipality's wave through own URL: {st}")

    # Results and the letter.
    st, _, page = request("GET", f"/portal/m/GM0375/results?year={year}", cookie=viewer)
    check(st == 200, f"results page: {st}")
    check(page.count(b"<svg") >= 3 and b"<title" in page, "results: charts")
    check(b"Rapportcijfer per kanaal" in page and b"Uw kring" in page, "results: sections")
    check(re.search(rb"\d,\d", page) is not None, "results: no decimal comma")
    check(b"GM0381" in page, "results: the circle's members by name")
    st, h, pdf = request("GET", f"/portal/m/GM0375/letter.pdf?year={year}", cookie=viewer)
    check(st == 200 and h.get("content-type") == "application/pdf" and pdf[:4] == b"%PDF",
          f"letter download: {st} {h.get('content-type')}")

    # English: ?lang=en chooses it and a cookie keeps it; the switch keeps the
    # page's arguments; no Dutch is left on the page's own text.
    check(re.search(rb'href="/portal/m/GM0375/results\?lang=en&amp;year=\d+" hreflang="en"',
                    page) is not None, "results: no switch to English keeping the year")
    st, h, page = request("GET", f"/portal/m/GM0375/results?lang=en&year={year}",
                          cookie=viewer)
    check(st == 200 and "kto_lang=en" in h.get("set-cookie", "") and
          "Path=/portal" in h.get("set-cookie", ""), f"English: no cookie: {h}")
    check(b'<html lang="en"' in page and b"Mark per channel" in page and
          b"Your circle" in page and b"Sign out" in page, "English results: sections")
    check(re.search(rb"\d\.\d", page) is not None and
          re.search(rb">\d,\d", page) is None, "English results: decimal point")
    for dutch in (b"Rapportcijfer", b"kanaal", b"Kring", b"kring", b"waarnemingen",
                  b"indicatief", b"significant hoger", b"gelijk aan", b"Afmelden",
                  b"Verdeling", b"Prioriteitenmatrix", b"marge", b"balie"):
        check(dutch not in page.replace(b"Brief op Maat", b""),
              f"English results page still says {dutch!r}")
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/portal/m/GM0375", headers={
        "Cookie": f"kto_portal={viewer}; kto_lang=en"})
    r = c.getresponse()
    page = r.read()
    c.close()
    check(r.status == 200 and b"Progress per channel" in page and b"Waves" in page and
          b'lang="nl">Nederlands</a>' in page, "English kept by the cookie")
    st, h, page = request("GET", "/portal/login?lang=en")
    check(st == 200 and b"Sign in to the KTO portal" in page and b"Password" in page,
          "English sign-in page")
    st, h, page = request("GET", "/portal/login?lang=nl")
    check(b"Aanmelden bij het KTO-portaal" in page and "kto_lang=nl" in
          h.get("set-cookie", ""), "back to Dutch")

    # A municipality that measures more than once: a trend per wave.
    first_wave = con.execute("SELECT min(w.id) FROM wave w JOIN municipality m ON "
                             "m.id = w.municipality_id WHERE m.code = 'GM0375'").fetchone()[0]
    mun_id, version = con.execute("SELECT w.municipality_id, wc.def_version_id FROM wave w "
                                  "JOIN wave_channel wc ON wc.wave_id = w.id WHERE w.id = ?",
                                  (wave,)).fetchone()
    for k in range(35):
        rid = con.execute("INSERT INTO response (wave_id, municipality_id, channel, "
                          "def_version_id, state, completed_at) VALUES (?, ?, 'counter', ?, "
                          "'complete', '2026-10-20T10:00:00Z')", (wave, mun_id, version)).lastrowid
        con.execute("INSERT INTO answer (response_id, item, value_num) VALUES (?, 'B18', ?)",
                    (rid, 6 + k % 4))
    con.commit()
    st, _, page = request("GET", f"/portal/m/GM0375/results?year={year}", cookie=viewer)
    check(b"Per meting" not in page, "a trend per wave from one wave")
    kto("results", "compute", "--wave", str(first_wave))
    kto("results", "compute", "--wave", str(wave))
    st, _, page = request("GET", f"/portal/m/GM0375/results?year={year}", cookie=viewer)
    check(b"Per meting" in page and b"Rapportcijfer per meting" in page,
          "no trend per wave after two waves' results")

    # Open answers: masked before they reach the page; searchable.
    st, _, page = request("GET", f"/portal/m/GM0375/answers?year={year}", cookie=viewer)
    check(st == 200 and b"Sneller graag" in page, f"open answers: {st}")
    for secret in (b"06-12345678", b"jan.jansen@example.nl", b"111222333"):
        check(secret not in page, f"open answers show {secret!r}")
    check(b"&lt;b&gt;echt&lt;/b&gt;" in page, "open answers not escaped")
    check(b"2 antwoorden" in page, "open answers: count")
    st, _, page = request("GET", f"/portal/m/GM0375/answers?year={year}&q=SNELLER",
                          cookie=viewer)
    check(b"1 antwoord gevonden" in page, "search, case-insensitive")
    st, _, page = request("GET", f"/portal/m/GM0375/answers?year={year}&q=jan.jansen",
                          cookie=viewer)
    check(b"0 antwoorden gevonden" in page, "a masked address can be searched for")
    st, _, _ = request("GET", f"/portal/m/GM0381/answers?year={year}", cookie=manager)
    check(st == 403, f"another municipality's open answers: {st}")
    st, _, _ = request("GET", f"/portal/m/GM0375/answers", cookie=viewer)
    check(st == 400, f"open answers without a year: {st}")

    # HARDENING A3: server-side sign-out.
    # Signing out ends the session on the server.
    st, h, _ = form("/portal/logout", {"csrf": csrf}, cookie=manager)
    check(st == 303 and "Max-Age=0" in h.get("set-cookie", ""), "sign-out")
    st, h, _ = request("GET", "/portal/m/GM0375", cookie=manager)
    check(st == 303 and h["location"] == "/portal/login", "old cookie still works")

    # HARDENING A3: credential stuffing meets a rate limit.
    # Sign-in rate limit per address.
    statuses = [form("/portal/login", {"email": "x@example.org", "password": "x"})[0]
                for _ in range(12)]
    check(429 in statuses, f"no rate limit on sign-in: {statuses}")

    # --- The API ---------------------------------------------------------
    def api(method, path, payload=None, k=key, ctype="application/json"):
        h = {"Authorization": f"Bearer {k}"} if k else {}
        body = None
        if payload is not None:
            body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
            h["Content-Type"] = ctype
        st, hd, data = request(method, path, body, h)
        check(hd.get("content-type") == "application/json", f"{path}: not JSON")
        return st, json.loads(data)

    st, d = api("GET", "/api/v1/waves", k=None)
    check(st == 401 and "API key" in d["error"]["message"], "API without a key")
    st, d = api("GET", "/api/v1/waves", k="x" * 43)
    check(st == 401, "API with a wrong key")
    contact = {"contact_id": "api-1", "channel": "phone", "contact_at": "2026-10-07",
               "email": "api1@example.org"}
    st, d = api("POST", "/api/v1/contacts", contact)
    check(st == 201 and d == {"outcome": "added"}, f"push a contact: {st} {d}")
    st, d = api("POST", "/api/v1/contacts", contact)
    check(st == 200 and d["outcome"] == "unchanged", f"push again: {st} {d}")
    st, d = api("POST", "/api/v1/contacts", dict(contact, contact_at="2026-13-40"))
    check(st == 422 and d["error"]["field"] == "contact_at", f"bad date: {st} {d}")
    st, d = api("POST", "/api/v1/contacts", dict(contact, mail="x"))
    check(st == 422 and d["error"]["field"] == "mail", f"unknown field: {st} {d}")
    st, d = api("POST", "/api/v1/contacts", dict(contact, channel=3))
    check(st == 422 and d["error"]["field"] == "channel", f"not a string: {st} {d}")
    st, d = api("POST", "/api/v1/contacts", "{not json")
    check(st == 400 and "not valid JSON" in d["error"]["message"], f"bad JSON: {st}")
    st, d = api("POST", "/api/v1/contacts", "[]")
    check(st == 400, f"JSON that is not an object: {st}")
    st, d = api("POST", "/api/v1/contacts", json.dumps(contact), ctype="text/plain")
    check(st == 415, f"wrong content type: {st}")
    st, d = api("POST", "/api/v1/contacts/import",
                "contact_id,channel,contact_at\nq1,counter,2026-10-08\nq2,fax,2026-10-08\n",
                ctype="text/csv")
    check(st == 200 and d["added"] == 1 and d["rejected"] == 1 and d["rejects"][0]["row"] == 3,
          f"import over the API: {st} {d}")
    st, d = api("POST", "/api/v1/waves", {"from": "2026-10-01", "to": "2026-10-31",
                                          "channels": ["phone"], "target": 20})
    check(st == 201 and "id" in d, f"create a wave: {st} {d}")
    new = d.get("id", 0)
    st, d = api("POST", "/api/v1/waves", {"from": "2026-10-01", "to": "2026-10-31",
                                          "channels": ["fax"]})
    check(st == 422 and d["error"]["field"] == "channels", f"bad channel: {st} {d}")
    st, d = api("POST", "/api/v1/waves", {"from": "2026-10-01", "to": "2026-10-31",
                                          "target": 0})
    check(st == 422 and d["error"]["field"] == "target", f"target 0: {st} {d}")
    st, d = api("POST", f"/api/v1/waves/{new}/sample")
    check(st == 200 and d["id"] == new and d["channels"][0]["channel"] == "phone",
          f"sample over the API: {st}")
    st, d = api("POST", f"/api/v1/waves/{new}/sample")
    check(st == 409, f"sample twice: {st} {d}")
    st, d = api("GET", f"/api/v1/waves/{new}")
    check(st == 200 and "totals" in d, f"wave status: {st}")
    # HARDENING A1: another municipality's key: 404.
    st, d = api("GET", f"/api/v1/waves/{new}", k=other_key)
    check(st == 404, f"another municipality's wave: {st}")
    st, d = api("GET", "/api/v1/waves")
    check(st == 200 and any(w["id"] == new for w in d), "wave list")
    st, d = api("GET", f"/api/v1/results?year={year}")
    check(st == 200 and any(r["unit"] == "GM0375" and r["variable"] == "TOT"
                            for r in d["results"]), f"results: {st}")
    check(not any(r["scope"] == "municipality" and r["unit"] != "GM0375"
                  for r in d["results"]), "results: another municipality's rows")
    st, d = api("GET", "/api/v1/results")
    check(st == 400 and d["error"]["field"] == "year", f"results without year: {st}")
    st, d = api("GET", "/api/v1/nothing")
    check(st == 404, f"unknown endpoint: {st}")
    kto("apikey", "revoke", "1")
    st, d = api("GET", "/api/v1/waves")
    check(st == 401, f"revoked key: {st}")
finally:
    server.terminate()
    server.wait(timeout=10)

if failures:
    sys.exit(f"{len(failures)} checks failed; see {WORK}")
shutil.rmtree(WORK)
print("portal: ok")
