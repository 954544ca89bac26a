#!/usr/bin/env python3
"""The per-account sign-in limit and the audit log, against a real
`kto serve`.

After 5 failed sign-ins for one address within 15 minutes, every attempt
for it is refused -- with the right password too -- with exactly the
answer a wrong password gets; another account from the same address is
not affected (as long as the per-address limit is not reached); the lock
survives a restart of the server; a successful sign-in starts the count
afresh; failures older than the window do not count; `kto user unlock`
lifts it.  Then the audit log: every one of those attempts, sign-outs,
exports and wave actions are in it, never a password or a key; `kto
audit` filters and pages it; /portal/audit is the team's only.

Usage: signin_audit.py KTO_BINARY
"""
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kto_http import Kto  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def main():
    work = tempfile.mkdtemp(prefix="kto-signin-")
    k = Kto(sys.argv[1], work)
    year = k.demo_with_results()
    pw = {}
    for email, role, code in (("team@example.org", "team", None),
                              ("locked@example.org", "manager", "GM0375"),
                              ("other@example.org", "viewer", "GM0375"),
                              ("reset@example.org", "viewer", "GM0381"),
                              ("old@example.org", "viewer", "GM0381")):
        pw[email] = k.json("user", "add", email, "--role", role,
                           *(["--municipality", code] if code else []))["password"]
    key = k.json("apikey", "add", "--municipality", "GM0375")
    k.start()
    try:
        sign_in_limit(k, pw)
        k.stop()
        k.start()
        after_restart(k, pw)
        audit_log(k, pw, key, year)
    finally:
        k.stop()
    if failures:
        sys.exit(f"{len(failures)} checks failed; see {work}")
    shutil.rmtree(work)
    print("signin_audit: ok")


def attempt(k, email, password, source):
    st, h, body = k.form("/portal/login", {"email": email, "password": password},
                         source=source)
    return st, h, body


def sign_in_limit(k, pw):
    ip = "127.0.0.21"
    # Four failures, then five: the fifth locks.
    first = None
    for i in range(5):
        st, _, body = attempt(k, "locked@example.org", f"wrong-{i}", ip)
        check(st == 422 and "klopt niet".encode() in body, f"failure {i + 1}: {st}")
        first = first or body
    wrong = attempt(k, "locked@example.org", "wrong-again", ip)
    right = attempt(k, "LOCKED@example.org ", pw["locked@example.org"], ip)
    check(wrong[0] == 422 and right[0] == 422, f"locked: {wrong[0]}, {right[0]}")
    # Identical answers: the page echoes the typed address, so compare with
    # it typed the same way.
    right_same = attempt(k, "locked@example.org", pw["locked@example.org"], ip)
    check(right_same[2] == wrong[2] == first, "a locked account's right password "
          "answered differently from a wrong one")
    check("set-cookie" not in right_same[1], "a locked account got a session")
    # Unknown addresses lock alike (nothing tells them apart).
    # Another account from the same address: 8 attempts so far, limit 10.
    cookie, _ = k.sign_in("other@example.org", pw["other@example.org"], ip)
    check(cookie is not None, "another account from the same address was refused")
    # From another address the account stays locked: it is per account.
    st, _, _ = attempt(k, "locked@example.org", pw["locked@example.org"], "127.0.0.22")
    check(st == 422, f"locked account from another address: {st}")

    # A success starts the count afresh: 4 + success + 4 never locks.
    ip = "127.0.0.23"
    for i in range(4):
        attempt(k, "reset@example.org", "nope", ip)
    cookie, _ = k.sign_in("reset@example.org", pw["reset@example.org"], ip)
    check(cookie is not None, "4 failures locked an account")
    ip = "127.0.0.24"
    for i in range(4):
        attempt(k, "reset@example.org", "nope", ip)
    cookie, _ = k.sign_in("reset@example.org", pw["reset@example.org"], ip)
    check(cookie is not None, "failures before a success still counted")

    # Failures older than the window do not count (written into the log
    # as if made 20 minutes ago: the log takes inserts, never changes).
    con = sqlite3.connect(k.db)
    for _ in range(6):
        con.execute("INSERT INTO audit_log (at, actor, action, subject) VALUES "
                    "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-20 minutes'), "
                    "'old@example.org', 'user.sign_in_failed', 'old@example.org')")
    con.commit()
    con.close()
    cookie, _ = k.sign_in("old@example.org", pw["old@example.org"], "127.0.0.25")
    check(cookie is not None, "failures of 20 minutes ago still lock")


def after_restart(k, pw):
    st, _, _ = attempt(k, "locked@example.org", pw["locked@example.org"], "127.0.0.26")
    check(st == 422, f"the lock did not survive a restart: {st}")
    p = k.run("user", "unlock", "locked@example.org")
    check("may sign in again" in p.stdout, f"unlock: {p.stdout}")
    p = k.run("user", "unlock", "nobody@example.org", status=1)
    check("no account" in p.stderr, f"unlock of an unknown account: {p.stderr}")
    cookie, _ = k.sign_in("locked@example.org", pw["locked@example.org"], "127.0.0.26")
    check(cookie is not None, "unlocked account cannot sign in")


def audit_log(k, pw, key, year):
    ip = "127.0.0.30"
    team, csrf = k.sign_in("team@example.org", pw["team@example.org"], ip)
    manager, mcsrf = k.sign_in("locked@example.org", pw["locked@example.org"], "127.0.0.31")
    # Things the log must record: a letter from the portal, wave actions
    # from the portal, the API and the CLI, exports from the CLI, sign-out.
    st, _, _ = k.request("GET", f"/portal/m/GM0375/letter.pdf?year={year}", cookie=manager,
                         source="127.0.0.31")
    check(st == 200, f"letter: {st}")
    st, h, _ = k.form("/portal/m/GM0375/waves", {"csrf": mcsrf, "from": "2026-05-01",
                                                  "to": "2026-05-31", "channel": "counter"},
                      manager, "127.0.0.31")
    wave = re.search(r"#w(\d+)", h.get("location", "#w0")).group(1)
    k.form(f"/portal/m/GM0375/waves/{wave}/close", {"csrf": mcsrf}, manager, "127.0.0.31")
    st, _, _ = k.request("POST", "/api/v1/waves", json.dumps(
        {"from": "2026-06-01", "to": "2026-06-30", "channels": ["phone"]}),
        {"Authorization": f"Bearer {key['key']}", "Content-Type": "application/json"})
    check(st == 201, f"API wave: {st}")
    k.out("report", "letter", "--municipality", "GM0381", "--year", year,
          "--out", os.path.join(k.work, "l.pdf"))
    k.out("export", "responses", "--year", year, "--municipality", "GM0381",
          "--out", os.path.join(k.work, "r.csv"))
    k.out("export", "results", "--year", year, "--out", os.path.join(k.work, "x.csv"))
    k.out("wave", "export-sample", "1", "--out", os.path.join(k.work, "s.csv"))
    k.out("apikey", "revoke", str(key["id"]))
    st, _, _ = k.form("/portal/logout", {"csrf": mcsrf}, manager, "127.0.0.31")

    entries = json.loads(k.out("audit", "--limit", "1000", "--json"))
    actions = [e["action"] for e in entries]
    for a in ("user.add", "user.sign_in", "user.sign_in_failed", "user.sign_in_locked",
              "user.locked", "user.unlock", "user.sign_out", "apikey.add", "apikey.revoke",
              "export.letter", "export.responses", "export.results", "export.sample",
              "wave.create", "wave.close", "results.compute"):
        check(a in actions, f"the log has no {a}")
    locks = [e for e in entries if e["action"] == "user.locked"]
    check(len(locks) == 1 and locks[0]["subject"] == "locked@example.org",
          f"one lock of locked@: {locks}")
    portal_letter = [e for e in entries if e["action"] == "export.letter"
                     and e["actor"] == "locked@example.org"]
    check(portal_letter and portal_letter[0]["municipality"] == "GM0375",
          f"the portal's letter download: {portal_letter}")
    api_wave = [e for e in entries if e["action"] == "wave.create" and e["actor"] == "api:GM0375"]
    check(len(api_wave) == 1 and api_wave[0]["municipality"] == "GM0375", "API wave.create")
    closes = [e for e in entries if e["action"] == "wave.close"]
    check(closes and closes[0]["municipality"] == "GM0375", f"wave.close: {closes}")
    revokes = [e for e in entries if e["action"] == "apikey.revoke"]
    check(revokes and revokes[0]["municipality"] == "GM0375", f"apikey.revoke: {revokes}")
    sign_in = [e for e in entries if e["action"] == "user.sign_in"]
    check(sign_in and sign_in[0]["detail"] == "127.0.0.31", "sign-in without its address")
    # Never a password or a key.
    dump = json.dumps(entries)
    for secret in list(pw.values()) + [key["key"], "wrong-again", "wrong-0", "nope"]:
        check(secret not in dump, f"the log holds a secret: {secret[:4]}...")
    check(entries == sorted(entries, key=lambda e: -e["id"]), "not newest first")

    # Filters.
    only = json.loads(k.out("audit", "--action", "user", "--json", "--limit", "1000"))
    check(only and all(e["action"].startswith("user.") for e in only), "--action user")
    check(len(json.loads(k.out("audit", "--action", "user.", "--json", "--limit", "1000")))
          == len(only), "--action user. differs from user")
    exact = json.loads(k.out("audit", "--action", "user.sign_in", "--json"))
    check(exact and {e["action"] for e in exact} == {"user.sign_in"},
          "--action user.sign_in also gave user.sign_in_failed")
    mun = json.loads(k.out("audit", "--municipality", "gm0381", "--json"))
    check(mun and all(e["municipality"] == "GM0381" for e in mun), "--municipality")
    check(json.loads(k.out("audit", "--since", "2999-01-01", "--json")) == [], "--since")
    check(json.loads(k.out("audit", "--until", "2000-01-01", "--json")) == [], "--until")
    today = entries[0]["at"][:10]
    check(len(json.loads(k.out("audit", "--until", today, "--limit", "1000", "--json")))
          == len(entries), "--until today misses today's entries")
    check(len(json.loads(k.out("audit", "--limit", "3", "--json"))) == 3, "--limit")
    p = k.run("audit", "--since", "gisteren", status=1)
    check("not a date" in p.stderr, f"bad --since: {p.stderr}")
    p = k.run("audit", "--limit", "0", status=2)
    check("--limit" in p.stderr, f"bad --limit: {p.stderr}")
    p = k.run("audit", "extra", status=2)
    text = k.out("audit", "--action", "user.locked")
    check("locked@example.org" in text and "ACTION" in text, f"plain output: {text}")

    # The portal page: the team's only.
    st, _, page = k.request("GET", "/portal/audit", cookie=team, source=ip)
    check(st == 200 and b"<h1>Logboek</h1>" in page and b"<caption" in page,
          f"audit page: {st}")
    check(b'scope="col"' in page and b"user.locked" in page, "audit page: table")
    check(b"Oudere regels" in page and b"before=" in page, "audit page: no paging")
    older = re.search(rb'href="(/portal/audit\?[^"]*before=\d+)"', page).group(1).decode()
    st, _, page2 = k.request("GET", older.replace("&amp;", "&"), cookie=team, source=ip)
    check(st == 200 and page2 != page, f"older page: {st}")
    st, _, page = k.request("GET", "/portal/audit?action=user.locked", cookie=team, source=ip)
    check(page.count(b"<tr><td>") == 1 and b"locked@example.org" in page,
          "audit page: action filter")
    st, _, page = k.request("GET", "/portal/audit?municipality=GM0381&action=export",
                            cookie=team, source=ip)
    rows = re.findall(rb"<tr><td>.*?</tr>", page)
    check(rows and all(b"<td>GM0381</td>" in r and b"export." in r for r in rows),
          "audit page: municipality filter")
    st, _, _ = k.request("GET", "/portal/audit?municipality=GM9999", cookie=team, source=ip)
    check(st == 400, f"audit page, unknown municipality: {st}")
    st, _, _ = k.request("GET", "/portal/audit?before=abc", cookie=team, source=ip)
    check(st == 400, f"audit page, bad paging: {st}")
    other, _ = k.sign_in("other@example.org", pw["other@example.org"], "127.0.0.32")
    st, _, _ = k.request("GET", "/portal/audit", cookie=other, source="127.0.0.32")
    check(st == 403, f"a viewer reads the audit log: {st}")
    st, h, _ = k.request("GET", "/portal/audit", source="127.0.0.33")
    check(st == 303 and h.get("location") == "/portal/login", f"anonymous: {st}")

    # Account changes are filed under the account's municipality.
    k.out("user", "disable", "other@example.org")
    k.out("user", "reset", "reset@example.org")
    d = json.loads(k.out("audit", "--action", "user.disable", "--json"))
    check(d and d[0]["municipality"] == "GM0375" and d[0]["subject"] == "other@example.org",
          f"user.disable: {d}")
    d = json.loads(k.out("audit", "--action", "user.password", "--municipality", "GM0381",
                         "--json"))
    check(d and d[0]["subject"] == "reset@example.org", f"user.password: {d}")


if __name__ == "__main__":
    main()
