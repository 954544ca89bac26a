"""kto serve killed with SIGKILL at random moments under a load of complete
submissions, 20 times, restarted each time (run by crash_serve.sh).

HARDENING B3: kill -9 during a write: PRAGMA integrity_check says ok after
every kill.  HARDENING B4: every submission answered with success (the 303
after the last page) is in the database afterwards, complete, with the
answer that was sent, and none twice.  A SIGKILL is the process half of a
power cut; the other half, the disk, is synchronous=FULL (engine/db.c),
which this test cannot pull the plug on.

Clients whose request died with the server try that questionnaire again
after the restart: resubmitting a saved one must not count it twice.
"""
import http.client
import threading
import time

from faults_lib import (Serve, check, expect_acknowledged, integrity_ok, log,
                        make_survey_db, rng, submit)

ROUNDS = 20
CLIENTS = 4
INVITATIONS = 16000

t0 = time.monotonic()
DB = "serve.db"
tokens = make_survey_db(DB, INVITATIONS)
r = rng()
todo = list(tokens)
r.shuffle(todo)
acked = set()
lock = threading.Lock()
up = threading.Event()          # the server runs: clients may send
done = threading.Event()
stats = {"cut": 0, "other": 0}
port = [0]


def client():
    while not done.is_set():
        if not up.wait(0.1):
            continue
        with lock:
            if not todo:
                return
            t = todo.pop()
        try:
            status, _, _ = submit(port[0], t, timeout=20)
        except (OSError, http.client.HTTPException):
            # The server died under this request: saved or not, unknown.
            # Try again after the restart, as the citizen would.
            with lock:
                stats["cut"] += 1
                todo.insert(0, t)
            time.sleep(0.02)
            continue
        with lock:
            if status == 303:
                acked.add(t)
            else:
                stats["other"] += 1
                todo.insert(0, t)


threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
for th in threads:
    th.start()
log("setup %.1f s" % (time.monotonic() - t0))
t1 = time.monotonic()
for rnd in range(1, ROUNDS + 1):
    serve = Serve(DB).start()
    port[0] = serve.port
    up.set()
    time.sleep(r.uniform(0.2, 0.8))
    up.clear()
    serve.kill()
    with lock:
        snapshot = set(acked)
    integrity_ok(DB, "after kill %d" % rnd)
    expect_acknowledged(DB, snapshot, "after kill %d" % rnd)
    log("kill %2d: %4d acknowledged, %3d requests cut off" % (rnd, len(snapshot),
                                                               stats["cut"]))
done.set()
for th in threads:
    th.join(30)

# A last clean run: the requests cut off are answered now.
serve = Serve(DB).start()
with lock:
    rest = [t for t in todo if t not in acked][:200]
for t in rest:
    status, _, page = submit(serve.port, t)
    check(status == 303, "after the crashes a submission gave %d" % status, page)
    acked.add(t)
serve.stop()
integrity_ok(DB, "at the end")
final = expect_acknowledged(DB, acked, "at the end")
check(len(acked) >= 200, "only %d submissions in 20 rounds: no load" % len(acked))
check(stats["cut"] > 0, "no request was ever cut off by a kill: no load")
check(stats["other"] == 0, "%d submissions got neither success nor a cut "
      "connection" % stats["other"])
check(len(todo) > 0, "the clients ran out of questionnaires before the last kill")
log("crash_serve: %d kills, %d acknowledged, %d complete in the database, "
    "%d requests cut off; %.1f s under load, %.1f s in all"
    % (ROUNDS, len(acked), len(final), stats["cut"], time.monotonic() - t1,
       time.monotonic() - t0))
