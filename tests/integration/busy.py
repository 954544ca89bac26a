"""A busy database (run by busy.sh).

HARDENING B2: another process holds the write lock (an open BEGIN
IMMEDIATE, as a long import or a stuck tool would): kto contacts import,
a citizen's submission through kto serve and kto send wait at most the
busy timeout ($KTO_DB_BUSY_TIMEOUT_MS here, the default 5 s once), then
fail clearly -- exit 4 "in use by another process; try again", a 503
"Probeer het later opnieuw" with Retry-After and the typed answers still
in the form -- and all work once the lock is gone; kto send --watch says
so and goes on with its next round.  A long read (an open read
transaction, as an export is) never blocks those writers (WAL), and kto
export completes while another process writes: it reads past the writer
and its one write, the audit record, waits for the writer's commit
within the busy timeout (the bounded retry of B2).
"""
import re
import sqlite3
import subprocess
import threading
import time

from faults_lib import (KTO, Serve, Smtpd, check, kto, log, make_survey_db, request,
                        send_env, spawn, sql, submit, write_contacts)

TIMEOUT_MS = 1500
BUSY = {"KTO_DB_BUSY_TIMEOUT_MS": str(TIMEOUT_MS)}

t0 = time.monotonic()
DB = "busy.db"
tokens = make_survey_db(DB, 40)
smtp = Smtpd("mail")
serve = Serve(DB, env=BUSY).start()
write_contacts("more.csv", "m", 500)


def contacts():
    return sql(DB, "SELECT count(*) FROM contact")[0][0]


def timed(what, fn, low, high):
    """fn(); checks it took from low to high seconds."""
    t = time.monotonic()
    res = fn()
    took = time.monotonic() - t
    check(low <= took <= high, "%s took %.2f s, not %.1f-%.1f s" % (what, took, low, high))
    log("%s: %.2f s" % (what, took))
    return res


def expect_busy_exit(res, what):
    check(res.returncode == 4, "%s while locked exited %d, not 4" % (what, res.returncode),
          res.stderr)
    check("in use by another process" in res.stderr and "try again" in res.stderr,
          "%s: no clear message" % what, res.stderr)


# --- another process holds the write lock ----------------------------------
lock = sqlite3.connect(DB, isolation_level=None)
lock.execute("BEGIN IMMEDIATE")
n0 = contacts()
low, high = TIMEOUT_MS / 1000 - 0.1, TIMEOUT_MS / 1000 + 10

res = timed("import while locked", lambda: kto(DB, "contacts", "import",
            "--municipality", "GM0001", "more.csv", env=BUSY, timeout=60), low, high)
expect_busy_exit(res, "kto contacts import")
check("nothing of 'more.csv' was stored" in res.stderr, "the import does not say "
      "what was stored", res.stderr)

t = tokens[0]
status, hdrs, page = timed("submission while locked", lambda: request(
    serve.port, "POST", "/s/" + t, b"page=0&action=next&q.Q1=yes"), low, high)
check(status == 503, "a submission while locked gave %d, not 503" % status, page)
check("Probeer het later opnieuw" in page and "Please try again later" not in page,
      "the 503 page does not say to try again later (in Dutch)", page)
check(hdrs.get("Retry-After", "").isdigit(), "no Retry-After: %r" % hdrs)
check(re.search(r'<input type="radio" name="q.Q1" value="yes" checked>', page),
      "the citizen's answer is not kept in the form", page)
check('action="/s/' + t in page, "the 503 page has no form to send again", page)

res = timed("send while locked", lambda: kto(DB, "send", env=dict(BUSY, **send_env(smtp)),
            timeout=60), low, high)
expect_busy_exit(res, "kto send")
check(smtp.count() == 0, "mail went out while the outbox was locked")

# The default timeout is bounded too (5 s).
res = timed("import with the default timeout", lambda: kto(DB, "contacts", "import",
            "--municipality", "GM0001", "more.csv", timeout=60), 4.5, 20)
expect_busy_exit(res, "kto contacts import (default timeout)")

lock.execute("ROLLBACK")
check(contacts() == n0, "a failed import stored something")

# A bad setting is an input error that names the variable.
res = kto(DB, "contacts", "import", "--municipality", "GM0001", "more.csv",
          env={"KTO_DB_BUSY_TIMEOUT_MS": "soon"})
check(res.returncode == 1 and "$KTO_DB_BUSY_TIMEOUT_MS" in res.stderr,
      "a bad KTO_DB_BUSY_TIMEOUT_MS: exit %d" % res.returncode, res.stderr)

# --- the lock gone: everything works ---------------------------------------
status, _, page = submit(serve.port, t)
check(status == 303, "after the lock the submission gave %d" % status, page)
kto(DB, "contacts", "import", "--municipality", "GM0001", "more.csv", env=BUSY,
    check_rc=0)
check(contacts() == n0 + 500, "the import after the lock stored %d" % (contacts() - n0))

# --- a long read does not block writers ------------------------------------
reader = sqlite3.connect(DB, isolation_level=None)
reader.execute("BEGIN")
seen = reader.execute("SELECT count(*) FROM contact").fetchone()[0]
write_contacts("during.csv", "d", 500)
timed("import during a long read", lambda: kto(DB, "contacts", "import",
      "--municipality", "GM0001", "during.csv", env=BUSY, check_rc=0), 0, high)
status, _, page = timed("submission during a long read",
                        lambda: submit(serve.port, tokens[1]), 0, high)
check(status == 303, "a submission during a long read gave %d" % status, page)
res = timed("send during a long read", lambda: kto(DB, "send", env=dict(
    BUSY, **send_env(smtp)), check_rc=0), 0, 30)
check(reader.execute("SELECT count(*) FROM contact").fetchone()[0] == seen,
      "the reader's snapshot changed under it")
reader.execute("COMMIT")
check(contacts() == n0 + 1000, "contacts: %d" % contacts())
check(smtp.count() == 38, "expected 38 mails (40 invited, 2 answered), got %d"
      % smtp.count())

# An export while another process writes: it reads past the writer (WAL);
# where it writes (its audit record) it waits for the writer's commit,
# 0.5 s here, within the busy timeout.
lock = sqlite3.connect(DB, isolation_level=None, check_same_thread=False)
lock.execute("BEGIN IMMEDIATE")
lock.execute("DELETE FROM setting WHERE 0")
threading.Timer(0.5, lambda: lock.execute("COMMIT")).start()
timed("export while another process writes for 0.5 s", lambda: kto(
    DB, "export", "responses", "--wave", "1", "--out", "export.csv", env=BUSY,
    check_rc=0), 0, 30)
lock.close()
rows = open("export.csv").read().splitlines()
check(len(rows) == 3, "the export has %d lines, not a header and 2 responses" % len(rows))
done = sql(DB, "SELECT count(*) FROM response WHERE state = 'complete'")[0][0]
check(done == 2, "complete responses: %d" % done)

# kto send --watch rides a busy round out: it says so and goes on (its
# rounds are 10 s apart; the lock is held over the second one).
watch = spawn([KTO, "--db", DB, "send", "--watch"], env=dict(BUSY, **send_env(smtp)),
              stdout=subprocess.DEVNULL, stderr=open("watch.err", "w"))
time.sleep(2)                   # the first round: nothing is due
lock = sqlite3.connect(DB, isolation_level=None)
lock.execute("BEGIN IMMEDIATE")
deadline = time.monotonic() + 30
while "in use by another process" not in open("watch.err").read():
    check(watch.poll() is None, "kto send --watch stopped at a busy database: "
          "exit %s" % watch.returncode, open("watch.err").read())
    check(time.monotonic() < deadline, "kto send --watch never met the lock",
          open("watch.err").read())
    time.sleep(0.1)
lock.execute("ROLLBACK")
time.sleep(1)
check(watch.poll() is None, "kto send --watch stopped after a busy round",
      open("watch.err").read())
watch.terminate()
check(watch.wait(30) == 0, "kto send --watch exited %d on SIGTERM" % watch.returncode,
      open("watch.err").read())
check(sql(DB, "SELECT count(*) FROM mail_outbox WHERE state != 'sent'")[0][0] == 0,
      "the outbox is not settled after the busy rounds")
serve.stop()
smtp.stop()
log("busy: %.1f s in all" % (time.monotonic() - t0))
