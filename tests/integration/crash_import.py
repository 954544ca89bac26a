"""kto contacts import killed with SIGKILL at random moments, again and
again, then run to the end (run by crash_import.sh).

HARDENING B3: kill -9 during an import.  An import commits its rows in
transactions of 20,000 (engine/contact_import.c, COMMIT_ROWS): a kill
loses the open transaction whole and keeps the ones before, so after
every kill the database holds exactly the file's first k * 20,000 rows
(or all of them), integrity_check says ok, and importing the same file
again completes it: every row once, the rows already there counted as
unchanged.  A small file (one transaction) is all or nothing.
"""
import json
import subprocess
import time

from faults_lib import KTO, check, integrity_ok, kto, log, rng, spawn, sql, write_contacts

COMMIT_ROWS = 20000
ROWS = 200000
ROUNDS = 10

t0 = time.monotonic()
r = rng()
write_contacts("big.csv", "b", ROWS)
SMALL = 5000
smalls = []                     # (file, prefix): one new small file a round


def fresh(db):
    kto(db, "municipality", "add", "GM0001", "--name", "Importdorp", check_rc=0)


def stored(db, prefix):
    """(how many contacts PREFIX*, the highest row number among them)."""
    return sql(db, "SELECT count(*), coalesce(max(CAST(substr(external_id, "
               "length(?1) + 1) AS INTEGER)), 0) FROM contact WHERE "
               "external_id LIKE ?1 || '%'", prefix)[0]


# How long a whole import takes here (a sanitizer build is slower): the
# kills are spread over that time.
fresh("calib.db")
t = time.monotonic()
kto("calib.db", "contacts", "import", "--municipality", "GM0001", "big.csv", check_rc=0)
whole = time.monotonic() - t
check(stored("calib.db", "b") == (ROWS, ROWS), "the calibration import is incomplete")
log("a whole import of %d rows: %.2f s" % (ROWS, whole))

DB = "import.db"
fresh(DB)
kills = partial = 0
for rnd in range(1, ROUNDS + 1):
    f = "big.csv"
    if rnd % 3 == 0:
        f = "small%d.csv" % rnd
        smalls.append((f, "s%dx" % rnd))
        write_contacts(f, "s%dx" % rnd, SMALL)
    p = spawn([KTO, "--db", DB, "contacts", "import", "--municipality", "GM0001", f],
              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(r.uniform(0.01, whole * (0.05 if f != "big.csv" else 0.9)))
    if p.poll() is None:
        p.kill()
        kills += 1
    err = p.communicate(timeout=60)[1].decode()
    check(p.returncode in (0, -9), "import %d ended with %d" % (rnd, p.returncode), err)
    integrity_ok(DB, "after kill %d" % rnd)
    n, top = stored(DB, "b")
    check(n == top, "after kill %d the big file's rows are not its first ones: "
          "%d rows, up to row %d" % (rnd, n, top))
    check(n % COMMIT_ROWS == 0 or n == ROWS, "after kill %d: %d rows, not whole "
          "transactions of %d" % (rnd, n, COMMIT_ROWS))
    for sf, prefix in smalls:
        s, _ = stored(DB, prefix)
        check(s in (0, SMALL), "after kill %d %s is half stored: %d rows" % (rnd, sf, s))
    if 0 < n < ROWS:
        partial += 1
    log("round %2d (%-12s): %-8s; big file %6d of %d rows%s" % (
        rnd, f, "killed" if p.returncode == -9 else "finished", n, ROWS,
        "" if f == "big.csv" else ", %s %d" % (f, stored(DB, smalls[-1][1])[0])))

check(kills >= ROUNDS // 2, "only %d of %d imports were still running when "
      "killed" % (kills, ROUNDS))
# Resuming: the same files again, to the end.
for f, prefix, n in [("big.csv", "b", ROWS)] + [(sf, p, SMALL) for sf, p in smalls]:
    before, _ = stored(DB, prefix)
    res = kto(DB, "contacts", "import", "--municipality", "GM0001", "--json", f,
              check_rc=0)
    d = json.loads(res.stdout)
    t = d["totals"]
    check(d["rows"] == n and t["added"] == n - before and t["unchanged"] == before
          and t["rejected"] == 0, "resuming %s: %r (had %d rows)" % (f, d, before))
    check(stored(DB, prefix) == (n, n), "after resuming %s: %r" % (f, stored(DB, prefix)))
dups = sql(DB, "SELECT external_id FROM contact GROUP BY municipality_id, external_id "
           "HAVING count(*) > 1 LIMIT 5")
check(dups == [], "contacts twice: %r" % dups)
integrity_ok(DB, "at the end")
running = sql(DB, "SELECT count(*) FROM contact_import WHERE status = 'running'")[0][0]
log("crash_import: %d kills (after %d the big file was partly stored), %d interrupted "
    "import records; %.1f s in all" % (kills, partial, running, time.monotonic() - t0))
