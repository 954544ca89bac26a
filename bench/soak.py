#!/usr/bin/env python3
"""The soak's load driver (bench/soak.sh): mixed load at a steady rate.

Open loop: every request has a scheduled start, and its latency counts
from then, so a server that falls behind shows it in the figures instead
of slowing the load down (no coordinated omission).  Each worker thread
owns one keep-alive connection and every WORKERS-th slot of the schedule.

A citizen's visit is three requests: the questionnaire's first page (a
view), the first page posted (a page save) and the second posted (the
submission).  Portal pages are interleaved at their own rate.

Usage: soak.py PORT TOKENS_FILE COOKIE SECONDS VISITS_PER_S PORTAL_PER_S OUT_JSON
Writes the figures as JSON; prints nothing unless something fails.
"""
import http.client
import json
import sys
import threading
import time

WORKERS = 16


def percentile(sorted_ms, p):
    if not sorted_ms:
        return 0.0
    k = min(len(sorted_ms) - 1, max(0, int(round(p / 100.0 * len(sorted_ms) + 0.5)) - 1))
    return sorted_ms[k]


class Worker(threading.Thread):
    def __init__(self, port, cookie, schedule):
        super().__init__(daemon=True)
        self.port = port
        self.cookie = cookie
        self.schedule = schedule      # [(start, kind, method, path, body)]
        self.lat = {}                 # kind -> [ms]
        self.errors = []
        self.conn = None

    def request(self, method, path, body, headers):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return resp.status
            except (http.client.HTTPException, OSError) as e:
                self.conn.close()
                self.conn = None
                # A keep-alive connection the server closed between two
                # requests is retried once on a new one; anything else
                # is an error.
                if attempt == 1 or not isinstance(
                        e, (http.client.RemoteDisconnected, BrokenPipeError,
                            ConnectionResetError)):
                    return "error: %s" % e
        return "error: unreachable"

    def run(self):
        for start, kind, method, path, body in self.schedule:
            delay = start - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            headers = {}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            if kind == "portal":
                headers["Cookie"] = self.cookie
            status = self.request(method, path, body, headers)
            ms = (time.monotonic() - start) * 1000.0
            self.lat.setdefault(kind, []).append(ms)
            if not isinstance(status, int) or status >= 400:
                self.errors.append("%s %s: %s" % (method, path, status))


def main():
    port, tokens_file, cookie = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    seconds, visits_per_s, portal_per_s = float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
    out_json = sys.argv[7]
    with open(tokens_file) as f:
        tokens = [t.strip() for t in f if t.strip()]
    portal_paths = ["/portal", "/portal/m/GM0001"]

    t0 = time.monotonic() + 1.0
    slots = []
    n_visits = int(seconds * visits_per_s)
    if n_visits > len(tokens):
        sys.exit("soak.py: %d visits need as many tokens; %d given" % (n_visits, len(tokens)))
    # A visit's three requests are a third of the visit interval apart.
    gap = 1.0 / visits_per_s
    for i in range(n_visits):
        s = t0 + i * gap
        tok = tokens[i]
        slots.append((s, "view", "GET", "/s/" + tok, None))
        slots.append((s + gap / 3, "page_save", "POST", "/s/" + tok,
                      "page=0&action=next&q.C1=a&q.MU=x&q.MU=z"))
        slots.append((s + 2 * gap / 3, "submission", "POST", "/s/" + tok,
                      "page=1&action=next&q.M1=8&q.O1=Sneller+graag"))
    for i in range(int(seconds * portal_per_s)):
        s = t0 + i / portal_per_s + 0.5 / portal_per_s
        slots.append((s, "portal", "GET", portal_paths[i % len(portal_paths)], None))
    slots.sort(key=lambda x: x[0])
    # A visit's requests stay on one worker, in order: slot groups by token.
    per_worker = [[] for _ in range(WORKERS)]
    visit_of = {}
    for s in slots:
        if s[1] == "portal":
            w = hash(s[0]) % WORKERS
        else:
            tok = s[3]
            if tok not in visit_of:
                visit_of[tok] = len(visit_of) % WORKERS
            w = visit_of[tok]
        per_worker[w].append(s)
    workers = [Worker(port, cookie, sched) for sched in per_worker]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - t0

    figures = {"seconds": round(elapsed, 1), "requests": 0, "errors": 0,
               "first_errors": [], "kinds": {}}
    for kind in ("view", "page_save", "submission", "portal"):
        ms = sorted(x for w in workers for x in w.lat.get(kind, []))
        figures["requests"] += len(ms)
        figures["kinds"][kind] = {
            "n": len(ms),
            "p50_ms": round(percentile(ms, 50), 2),
            "p99_ms": round(percentile(ms, 99), 2),
            "max_ms": round(ms[-1], 2) if ms else 0.0,
        }
    errors = [e for w in workers for e in w.errors]
    figures["errors"] = len(errors)
    figures["first_errors"] = errors[:10]
    figures["rate_per_s"] = round(figures["requests"] / elapsed, 1)
    with open(out_json, "w") as f:
        json.dump(figures, f, indent=1)


if __name__ == "__main__":
    main()
