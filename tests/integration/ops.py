"""kto backup, kto check and /metrics (docs/operations.md).

backup: taken three times while citizens' submissions keep arriving; each
copy passes integrity_check and kto check, holds every submission
acknowledged before it started, and nothing that was not acknowledged by
the time it ended; an existing file is refused without --force.

check: the live database passes; then copies broken on purpose -- a rule
of the data model (an invitation marked responded without a response), a
dangling foreign key, a damaged index page -- each fail with exit 1 and
the rule named, as text and as JSON.

/metrics: every line is a valid exposition line; the request counter of
the questionnaire and the submissions grow with requests; a request that
came through a proxy, or from another address, gets 404; a bearer token
opens it.
"""
import json
import os
import re
import shutil
import sqlite3
import threading
import time

from faults_lib import (Serve, check, completed, fail, kto, log, make_survey_db,
                        request, sql, submit)

DB = "ops.db"


def submitter(port, tokens, acked, stop):
    """Submits questionnaires one after the other until stop is set;
    acked gets (token, time acknowledged)."""
    for t in tokens:
        if stop.is_set():
            return
        status, _, _ = submit(port, t)
        if status == 303:
            acked.append((t, time.monotonic()))


def test_backup(port, tokens):
    acked, stop = [], threading.Event()
    th = threading.Thread(target=submitter, args=(port, tokens, acked, stop))
    th.start()
    time.sleep(0.5)
    for i in range(3):
        path = "backup-%d.db" % i
        before = {t for t, _ in list(acked)}
        t0 = time.monotonic()
        r = kto(DB, "backup", path)
        t1 = time.monotonic()
        check(r.returncode == 0, "kto backup exited %d" % r.returncode, r.stderr)
        after = {t for t, at in list(acked) if at <= t1}
        check(sql(path, "PRAGMA integrity_check") == [("ok",)],
              "backup %d: integrity_check failed" % i)
        kto(path, "check", check_rc=0)
        have = set(completed(path))
        missing = before - have
        check(not missing, "backup %d lacks %d submissions acknowledged before "
              "it started" % (i, len(missing)))
        extra = have - after - {t for t, _ in list(acked)}
        check(not extra, "backup %d holds %d submissions never acknowledged"
              % (i, len(extra)))
        log("backup %d: %d responses (%d acknowledged before, %d by the end), "
            "%.2f s" % (i, len(have), len(before), len(after), t1 - t0))
        time.sleep(0.3)
    stop.set()
    th.join()
    check(len(acked) > 20, "the writer acknowledged only %d submissions" % len(acked))
    r = kto(DB, "backup", "backup-0.db")
    check(r.returncode == 1 and "--force" in r.stderr,
          "an existing backup was not refused: exit %d" % r.returncode, r.stderr)
    kto(DB, "backup", "--force", "backup-0.db", check_rc=0)
    r = kto(DB, "backup", "--force", DB)
    check(r.returncode == 1, "a backup over the database itself was not refused")
    check(not any(n.startswith("backup-0.db.tmp") for n in os.listdir(".")),
          "a temporary file was left behind")


def broken_copy(name, sqls):
    shutil.copy(DB, name)
    con = sqlite3.connect(name)
    con.execute("PRAGMA foreign_keys = OFF")
    for s in sqls:
        con.execute(s)
    con.commit()
    con.close()


def expect_problem(path, rule):
    r = kto(path, "check")
    check(r.returncode == 1, "kto check of %s exited %d, not 1" % (path, r.returncode),
          r.stdout + r.stderr)
    check(rule + ":" in r.stdout, "kto check of %s does not name %s" % (path, rule),
          r.stdout)
    r = kto(path, "check", "--json")
    doc = json.loads(r.stdout)
    check(r.returncode == 1 and doc["result"] == "problems" and
          any(p["check"] == rule for p in doc["problems"]),
          "kto check --json of %s: %r" % (path, doc))


def damage_index(path):
    """Zeros the body of one page of the response index, after a checkpoint:
    the table stays readable, the index no longer matches it."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode = DELETE")
    page = con.execute("SELECT rootpage FROM sqlite_schema WHERE name = "
                       "'response_by_stratum'").fetchone()[0]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(path, "r+b") as f:
        f.seek((page - 1) * size + 8)
        f.write(b"\x00" * (size - 8))


def test_check():
    r = kto(DB, "check")
    check(r.returncode == 0, "kto check of a sound database exited %d"
          % r.returncode, r.stdout + r.stderr)
    doc = json.loads(kto(DB, "check", "--json", check_rc=0).stdout)
    check(doc == {"problems": [], "result": "ok"}, "kto check --json: %r" % doc)

    broken_copy("rule.db", ["UPDATE invitation SET state = 'responded' WHERE id = "
                            "(SELECT max(id) FROM invitation WHERE id NOT IN "
                            "(SELECT invitation_id FROM response WHERE "
                            "invitation_id IS NOT NULL))"])
    expect_problem("rule.db", "invitation-responded")
    broken_copy("fk.db", ["INSERT INTO answer (response_id, item, value_num) "
                          "VALUES (987654, 'Q9', 7)"])
    expect_problem("fk.db", "foreign-key")
    shutil.copy(DB, "damaged.db")
    damage_index("damaged.db")
    expect_problem("damaged.db", "integrity")


LINE = re.compile(r'^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+|'
                  r'[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"'
                  r'(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*\})? '
                  r'(-?[0-9.]+(e[-+]?[0-9]+)?|\+Inf|-Inf|NaN))$')


def scrape(port, headers=None):
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/metrics", headers=headers or {})
    r = c.getresponse()
    body = r.read().decode()
    c.close()
    return r.status, r.getheader("Content-Type"), body


def values(text):
    out = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


def test_metrics(port, tokens):
    status, ctype, text = scrape(port)
    check(status == 200, "/metrics from loopback: %d" % status)
    check(ctype.startswith("text/plain; version=0.0.4"), "Content-Type %r" % ctype)
    bad = [l for l in text.splitlines() if not LINE.match(l)]
    check(not bad, "lines that are not exposition format: %r" % bad[:5])
    types = re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M)
    check(len(types) == len(set(n for n, _ in types)), "a metric typed twice")
    v0 = values(text)
    for name in ('kto_mail_outbox{state="queued"}', 'kto_invitations{state="responded"}',
                 "kto_database_size_bytes", "kto_submissions_total"):
        check(name in v0, "%s missing from /metrics" % name)
    for t in tokens:
        check(submit(port, t)[0] == 303, "a submission failed")
    request(port, "GET", "/s/" + tokens[0])
    v1 = values(scrape(port)[2])
    q = 'kto_http_requests_total{route="questionnaire",code="3xx"}'
    check(v1[q] >= v0[q] + 2 * len(tokens), "%s did not grow: %s -> %s" % (q, v0[q], v1[q]))
    check(v1["kto_submissions_total"] >= v0["kto_submissions_total"] + 2 * len(tokens),
          "kto_submissions_total did not grow")
    check(v1['kto_responses{state="complete"}'] >= v0['kto_responses{state="complete"}']
          + len(tokens), "kto_responses did not grow")
    h = 'kto_http_request_duration_seconds_count{route="questionnaire"}'
    check(v1[h] > v0[h], "the latency histogram did not count")
    # Through a proxy, loopback is not enough; a bearer token is.
    for hdr in ({"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=203.0.113.9"},
                {"X-Real-IP": "203.0.113.9"}):
        s, _, body = scrape(port, hdr)
        check(s == 404 and "kto_" not in body, "/metrics through a proxy: %d" % s)
    s, _, _ = scrape(port, {"X-Forwarded-For": "203.0.113.9",
                            "Authorization": "Bearer wrong-token-000000000000"})
    check(s == 404, "/metrics with a wrong token: %d" % s)
    s, _, body = scrape(port, {"X-Forwarded-For": "203.0.113.9",
                               "Authorization": "Bearer ops-test-token-4f9a2c"})
    check(s == 200 and "kto_http_requests_total" in body, "/metrics with the token: %d" % s)


def test_metrics_elsewhere(tokens):
    """From an address that is not loopback (the host's own, when it has
    one), without a token: 404."""
    import socket
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("192.0.2.1", 9))
        ip = s.getsockname()[0]
        s.close()
    except OSError:
        ip = None
    if not ip or ip.startswith("127."):
        log("metrics: no non-loopback address here; that case is not run")
        return
    import subprocess
    from faults_lib import KTO, free_port, spawn
    port = free_port()
    p = spawn([KTO, "--db", DB, "serve", "--listen", "%s:%d" % (ip, port)],
              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import http.client
    for _ in range(200):
        try:
            c = http.client.HTTPConnection(ip, port, timeout=5)
            c.request("GET", "/metrics")
            r = c.getresponse()
            body = r.read().decode()
            check(r.status == 404 and "kto_" not in body,
                  "/metrics from %s: %d" % (ip, r.status))
            break
        except OSError:
            time.sleep(0.05)
    else:
        fail("kto serve on %s did not answer" % ip)
    p.terminate()
    p.wait()


def main():
    tokens = make_survey_db(DB, 400)
    os.environ["KTO_METRICS_TOKEN"] = "ops-test-token-4f9a2c"
    srv = Serve(DB).start()
    test_backup(srv.port, tokens[:300])
    test_metrics(srv.port, tokens[300:320])
    srv.stop()
    test_check()
    test_metrics_elsewhere(tokens)
    log("ops: ok")


main()
