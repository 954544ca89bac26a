#!/usr/bin/env python3
"""Every route of the portal and the API, against every role, for the
caller's own municipality and another one, against a real `kto serve`.

The routes come from the server's own table (`kto routes --json`); the
answers expected are written below, by hand, independently of that table.
A route in the table without an expectation here -- or an expectation for
a route that is no longer in the table -- fails the test, so a new route
cannot slip in without someone deciding who may use it.

Expectation codes: a number is the HTTP status; "login" is a 303 to the
sign-in page (the portal's answer to anyone not signed in); "home" is the
303 of /portal to one's own municipality.  Each entry gives the answer for
(own municipality, other municipality).  For the API, "own" and "other"
differ only where the path names a wave: the key's own, or another
municipality's.

Requests that are allowed are made so that they change nothing: forms
without their fields (422), actions on a closed wave (422/409), sign-in
with a wrong password (422), sign-out without the session's token.

Usage: authz_matrix.py KTO_BINARY
"""
import json
import os
import shutil
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kto_http import Kto  # noqa: E402

A, B = "GM0375", "GM0381"
ANON_LIKE = ("anonymous", "api_key", "revoked_key", "disabled_user")

# Who is asking: (class, home municipality).
ROLES = {
    "anonymous": ("anonymous", A),
    "team": ("team", A),
    "manager_A": ("manager", A),
    "viewer_A": ("viewer", A),
    "manager_B": ("manager", B),
    "viewer_B": ("viewer", B),
    "key_A": ("api_key", A),
    "key_B": ("api_key", B),
    "revoked_key": ("revoked_key", A),
    "disabled_user": ("disabled_user", A),
}

L = "login"
# (method, path) -> {role class: (own, other)}; "*" for every class not named.
EXPECT = {
    ("GET", "/portal/login"): {"*": (200, 200)},
    ("POST", "/portal/login"): {"*": (422, 422)},
    ("POST", "/portal/logout"): {"*": (L, L)},
    ("GET", "/portal"): {"team": (200, 200), "manager": ("home", "home"),
                         "viewer": ("home", "home"), "*": (L, L)},
    ("GET", "/portal/audit"): {"team": (200, 200), "manager": (403, 403),
                               "viewer": (403, 403), "*": (L, L)},
    ("GET", "/portal/m/{code}"): {"team": (200, 200), "manager": (200, 403),
                                  "viewer": (200, 403), "*": (L, L)},
    ("GET", "/portal/m/{code}/results"): {"team": (200, 200), "manager": (200, 403),
                                          "viewer": (200, 403), "*": (L, L)},
    ("GET", "/portal/m/{code}/answers"): {"team": (200, 200), "manager": (200, 403),
                                          "viewer": (200, 403), "*": (L, L)},
    ("GET", "/portal/m/{code}/letter.pdf"): {"team": (200, 200), "manager": (200, 403),
                                             "viewer": (200, 403), "*": (L, L)},
    ("POST", "/portal/m/{code}/upload"): {"team": (422, 422), "manager": (422, 403),
                                          "viewer": (403, 403), "*": (L, L)},
    ("POST", "/portal/m/{code}/waves"): {"team": (422, 422), "manager": (422, 403),
                                         "viewer": (403, 403), "*": (L, L)},
    ("POST", "/portal/m/{code}/waves/{wave}/sample"): {
        "team": (422, 422), "manager": (422, 403), "viewer": (403, 403), "*": (L, L)},
    ("POST", "/portal/m/{code}/waves/{wave}/close"): {
        "team": (422, 422), "manager": (422, 403), "viewer": (403, 403), "*": (L, L)},
    ("POST", "/api/v1/contacts"): {"api_key": (422, 422), "*": (401, 401)},
    ("POST", "/api/v1/contacts/import"): {"api_key": (422, 422), "*": (401, 401)},
    ("GET", "/api/v1/waves"): {"api_key": (200, 200), "*": (401, 401)},
    ("POST", "/api/v1/waves"): {"api_key": (422, 422), "*": (401, 401)},
    ("GET", "/api/v1/waves/{wave}"): {"api_key": (200, 404), "*": (401, 401)},
    ("POST", "/api/v1/waves/{wave}/sample"): {"api_key": (409, 404), "*": (401, 401)},
    ("GET", "/api/v1/results"): {"api_key": (200, 200), "*": (401, 401)},
}

# What the allowed requests carry, so that they change nothing.
QUERY = {"/results": "?year={year}", "/answers": "?year={year}",
         "/letter.pdf": "?year={year}"}

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def main():
    work = tempfile.mkdtemp(prefix="kto-authz-")
    k = Kto(sys.argv[1], work)
    year = k.demo_with_results()

    # The table, and the expectations: the same routes, no more, no fewer.
    routes = json.loads(k.out("routes", "--json"))
    table = {(r["method"], r["path"]) for r in routes}
    for missing in sorted(table - set(EXPECT)):
        check(False, f"route {missing} has no expectation in this test: decide who "
              "may use it and add it to EXPECT")
    for stale in sorted(set(EXPECT) - table):
        check(False, f"EXPECT names {stale}, which is not in the route table")
    for r in routes:
        check(r["access"] in ("anyone", "signed-in", "team", "viewer", "manager", "api-key"),
              f"{r['path']}: unknown access {r['access']}")
        if "{code}" in r["path"]:
            check(r["municipality"] == "session", f"{r['path']}: code not checked "
                  "against the session")
        if r["path"].startswith("/api/"):
            check(r["municipality"] == "api-key", f"{r['path']}: not the key's municipality")

    # Accounts, keys, and a closed wave in each municipality.
    pw = {}
    for name, role, code in (("team", "team", None), ("manager_A", "manager", A),
                             ("viewer_A", "viewer", A), ("manager_B", "manager", B),
                             ("viewer_B", "viewer", B), ("disabled_user", "viewer", A)):
        out = k.json("user", "add", f"{name.lower()}@example.org", "--role", role,
                     *(["--municipality", code] if code else []))
        pw[name] = out["password"]
    keys = {"key_A": k.json("apikey", "add", "--municipality", A)["key"],
            "key_B": k.json("apikey", "add", "--municipality", B)["key"]}
    revoked = k.json("apikey", "add", "--municipality", A)
    keys["revoked_key"] = revoked["key"]
    k.out("apikey", "revoke", str(revoked["id"]))
    closed = {}
    for code in (A, B):
        w = k.json("wave", "create", "--municipality", code, "--from", "2026-03-01",
                   "--to", "2026-03-31", "--channels", "counter")["id"]
        k.out("wave", "close", str(w))
        closed[code] = w

    k.start()
    try:
        # Each role from its own address: the per-address sign-in limit
        # must not decide any answer here.
        source = {name: f"127.0.0.{10 + i}" for i, name in enumerate(ROLES)}
        session = {}
        for name in pw:
            cookie, csrf = k.sign_in(f"{name.lower()}@example.org", pw[name], source[name])
            check(cookie is not None, f"{name} could not sign in")
            session[name] = (cookie, csrf)
        k.out("user", "disable", "disabled_user@example.org")

        counted = 0
        for (method, pattern), by_class in sorted(EXPECT.items()):
            if (method, pattern) not in table:
                continue
            for role, (cls, home) in ROLES.items():
                other = B if home == A else A
                expect = by_class.get(cls, by_class.get("*"))
                for scope, code in (("own", home), ("other", other)):
                    want = expect[0] if scope == "own" else expect[1]
                    got, detail = ask(k, method, pattern, code, closed, year, role,
                                      session.get(role), keys.get(role), source[role], home)
                    check(got == want, f"{method} {pattern} as {role} ({scope} "
                          f"municipality): {got}, expected {want} {detail}")
                    counted += 1

        # A wave of another municipality under one's own code: not found.
        cookie, csrf = session["manager_A"]
        st, _, _ = k.form(f"/portal/m/{A}/waves/{closed[B]}/close", {"csrf": csrf},
                          cookie, source["manager_A"])
        check(st == 404, f"B's wave through A's path: {st}")
        cookie, csrf = session["team"]
        st, _, _ = k.form(f"/portal/m/{A}/waves/{closed[B]}/close", {"csrf": csrf},
                          cookie, source["team"])
        check(st == 404, f"team: B's wave through A's path: {st}")
        # An unknown municipality: the team is told it does not exist, anyone
        # else that it is not theirs (which says nothing about existence).
        st, _, _ = k.request("GET", "/portal/m/GM9999", cookie=session["team"][0],
                             source=source["team"])
        check(st == 404, f"team, unknown municipality: {st}")
        st, _, _ = k.request("GET", "/portal/m/GM9999", cookie=session["viewer_A"][0],
                             source=source["viewer_A"])
        check(st == 403, f"viewer, unknown municipality: {st}")
        # The right path with the wrong method; unknown paths.
        st, h, _ = k.request("GET", f"/portal/m/{A}/waves", cookie=session["manager_A"][0],
                             source=source["manager_A"])
        check(st == 405 and h.get("allow") == "POST", f"GET on a POST route: {st} {h}")
        st, _, _ = k.request("GET", "/portal/nothing", cookie=session["team"][0],
                             source=source["team"])
        check(st == 404, f"unknown portal page: {st}")
        st, h, _ = k.request("GET", "/portal/nothing", source=source["anonymous"])
        check(st == 303, f"unknown portal page, anonymous: {st}")
        st, _, _ = k.request("DELETE", "/api/v1/waves",
                             headers={"Authorization": f"Bearer {keys['key_A']}"})
        check(st == 405, f"DELETE on the API: {st}")
        # Odd paths: an empty code, a trailing slash, a wave that is no number.
        team = session["team"]
        st, _, _ = k.request("GET", "/portal/m//results", cookie=team[0], source=source["team"])
        check(st == 404, f"empty code: {st}")
        st, _, _ = k.request("GET", f"/portal/m/{A}/", cookie=team[0], source=source["team"])
        check(st == 200, f"trailing slash: {st}")
        st, _, _ = k.form(f"/portal/m/{A}/waves/abc/close", {"csrf": team[1]}, team[0],
                          source["team"])
        check(st == 404, f"wave that is no number: {st}")
        st, _, _ = k.request("GET", "/portal/m/" + "X" * 200, cookie=team[0],
                             source=source["team"])
        check(st == 404, f"overlong code: {st}")
        # A POST that the route allows, without the session's CSRF token.
        cookie, _ = session["manager_A"]
        st, _, body = k.form(f"/portal/m/{A}/waves", {}, cookie, source["manager_A"])
        check(st == 403 and "verlopen".encode() in body, f"POST without token: {st}")
        print(f"authz matrix: {counted} answers checked over {len(table)} routes "
              f"and {len(ROLES)} roles")
    finally:
        k.stop()
    if failures:
        sys.exit(f"{len(failures)} checks failed; see {work}")
    shutil.rmtree(work)
    print("authz_matrix: ok")


def ask(k, method, pattern, code, closed, year, role, session, key, source, home):
    """One request; its outcome as an expectation code, and what to print."""
    path = pattern.replace("{code}", code).replace("{wave}", str(closed[code]))
    for suffix, q in QUERY.items():
        if path.endswith(suffix):
            path += q.format(year=year)
    if path == "/api/v1/results":
        path += f"?year={year}"
    cookie, csrf = session if session else (None, "")
    headers = {}
    body = None
    if key:
        headers["Authorization"] = f"Bearer {key}"
    if path.startswith("/api/"):
        if method == "POST":
            headers["Content-Type"] = "application/json"
            body = "{}"
    elif method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        if pattern == "/portal/login":
            body = f"email={role}%40example.org&password=wrong-password"
        elif pattern == "/portal/logout":
            body = ""
        else:
            body = f"csrf={csrf}"
    st, h, _ = k.request(method, path, body, headers, cookie, source)
    loc = h.get("location", "")
    if st == 303 and loc == "/portal/login":
        return "login", ""
    if st == 303 and loc == f"/portal/m/{home}":
        return "home", ""
    return st, f"(location {loc})" if st == 303 else ""


if __name__ == "__main__":
    main()
