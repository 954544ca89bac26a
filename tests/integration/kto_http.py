"""Shared by the portal's authorization tests: a kto database, a real
`kto serve` on a free loopback port, and HTTP requests from a chosen
loopback source address (127.0.0.0/8 is all loopback on Linux), so that
the per-address sign-in limit can be kept apart from the per-account one.
"""
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse


class Kto:
    def __init__(self, binary, work):
        self.binary = binary
        self.work = work
        self.db = os.path.join(work, "kto.db")
        self.server = None
        self.port = None

    def run(self, *args, status=0):
        p = subprocess.run([self.binary, "--db", self.db, *args], capture_output=True,
                           text=True)
        if status is not None and p.returncode != status:
            sys.exit(f"kto {' '.join(args)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
        return p

    def out(self, *args):
        return self.run(*args).stdout

    def json(self, *args):
        return json.loads(self.out(*args, "--json"))

    def demo_with_results(self):
        """The demo, synthetic answers for every wave, and a year's results."""
        self.out("demo")
        con = sqlite3.connect(self.db)
        year = con.execute("SELECT min(substr(period_from, 1, 4)) FROM wave").fetchone()[0]
        for wave, mun, channel, version in con.execute(
                "SELECT w.id, w.municipality_id, wc.channel, wc.def_version_id FROM wave w "
                "JOIN wave_channel wc ON wc.wave_id = w.id").fetchall():
            item = {"counter": "B18", "phone": "T15", "email": "E14"}[channel]
            for k in range(35):
                rid = con.execute(
                    "INSERT INTO response (wave_id, municipality_id, channel, def_version_id, "
                    "state, completed_at) VALUES (?, ?, ?, ?, 'complete', "
                    "'2026-11-20T10:00:00Z')", (wave, mun, channel, version)).lastrowid
                con.execute("INSERT INTO answer (response_id, item, value_num) "
                            "VALUES (?, ?, ?)", (rid, item, 5 + (k * 7 + mun) % 6))
        con.commit()
        con.close()
        self.out("results", "compute", "--year", year)
        return year

    def start(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.server = subprocess.Popen(
            [self.binary, "--db", self.db, "serve", "--listen", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.work, "serve.log"), "a"))
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        sys.exit("kto serve did not start")

    def stop(self):
        if self.server is not None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
            self.server = None

    def request(self, method, path, body=None, headers=None, cookie=None, source="127.0.0.1"):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                       source_address=(source, 0))
        h = dict(headers or {})
        if cookie:
            h["Cookie"] = f"kto_portal={cookie}"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def form(self, path, fields, cookie=None, source="127.0.0.1"):
        return self.request("POST", path, urllib.parse.urlencode(fields),
                            {"Content-Type": "application/x-www-form-urlencoded"},
                            cookie, source)

    def sign_in(self, email, password, source="127.0.0.1"):
        """The session cookie and its CSRF token, or (None, None)."""
        st, h, _ = self.form("/portal/login", {"email": email, "password": password},
                             source=source)
        m = re.match(r"kto_portal=([^;]+)", h.get("set-cookie", ""))
        if st != 303 or m is None:
            return None, None
        cookie = m.group(1)
        st, h, page = self.request("GET", "/portal", cookie=cookie, source=source)
        if st == 303:
            _, _, page = self.request("GET", h["location"], cookie=cookie, source=source)
        t = re.search(rb'name="csrf" value="([^"]+)"', page)
        return cookie, t.group(1).decode() if t else ""
