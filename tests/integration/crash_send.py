"""kto send killed with SIGKILL while it delivers to a real SMTP server
(scripts/smtpd.py) and kto serve takes complete submissions at the same
time, on the same database (run by crash_send.sh).  send_faults.sh kills a
sender alone; this is the same under load: the sender's transactions
compete with the web server's for the write lock.

HARDENING B3: after every kill integrity_check says ok.  At the end no
invitation is lost: every queued one was delivered, every one not queued
was answered first (a citizen who answered gets no mail), and a message
arrived twice only if it was on its way when its sender was killed (the
documented at-least-once rule, README "Mail").
"""
import subprocess
import threading
import time

from faults_lib import (KTO, Serve, Smtpd, check, expect_acknowledged, integrity_ok,
                        kto, log, make_survey_db, rng, send_env, spawn, sql, submit)

INVITATIONS = 1200
ROUNDS = 4

t0 = time.monotonic()
DB = "send.db"
tokens = make_survey_db(DB, INVITATIONS)
r = rng()
smtp = Smtpd("mail", "--delay", "0.002")
env = send_env(smtp)

# The load: four clients answering half the questionnaires, at about 150
# a second in all, while the mail goes out.
serve = Serve(DB).start()
load = tokens[:]
r.shuffle(load)
load = load[:INVITATIONS // 2]
acked = set()
stop = threading.Event()
lock = threading.Lock()
errors = []


def client():
    while not stop.is_set():
        with lock:
            if not load:
                return
            t = load.pop()
        status, _, page = submit(serve.port, t)
        with lock:
            if status == 303:
                acked.add(t)
            else:
                errors.append((status, page[:300]))
        time.sleep(0.025)


threads = [threading.Thread(target=client, daemon=True) for _ in range(4)]
for th in threads:
    th.start()

inflight = set()
kills = 0
for rnd in range(1, ROUNDS + 1):
    before = smtp.count()
    p = spawn([KTO, "--db", DB, "send"], env=env, stdout=subprocess.DEVNULL,
              stderr=subprocess.PIPE)
    if rnd == 1:
        time.sleep(r.uniform(0.1, 0.9))      # queueing, or early delivery
    else:
        want = before + r.randrange(50, 300)
        deadline = time.monotonic() + 60
        while smtp.count() < want and p.poll() is None:
            check(time.monotonic() < deadline, "no progress in 60 s: %d of %d"
                  % (smtp.count(), want))
            time.sleep(0.02)
    if p.poll() is None:
        p.kill()
        kills += 1
    err = p.communicate(timeout=60)[1].decode()
    check(p.returncode in (0, -9), "kto send exited %d" % p.returncode, err)
    claimed = {m for (m,) in sql(DB, "SELECT message_id FROM mail_outbox "
                                 "WHERE state = 'sending'")}
    inflight |= claimed
    integrity_ok(DB, "after kill %d" % rnd)
    log("kill %d: %d delivered, %d claimed, %d submissions acknowledged (%.1f s)"
        % (rnd, smtp.count(), len(claimed), len(acked), time.monotonic() - t0))

check(kills >= ROUNDS - 1, "only %d senders were still running when killed" % kills)
t1 = time.monotonic()
kto(DB, "send", env=env, check_rc=0)
log("the last kto send: %.1f s" % (time.monotonic() - t1))
stop.set()
for th in threads:
    th.join(60)
serve.stop()
check(not errors, "%d submissions failed under the sender's load: %r"
      % (len(errors), errors[:3]))
integrity_ok(DB, "at the end")
expect_acknowledged(DB, acked, "at the end")

# Every invitation: delivered, or answered before its mail was queued.
got = smtp.messages()
ids = [m for _, m in got]
rows = sql(DB, "SELECT i.mail_token, o.state, o.message_id, o.recipient, "
           "i.responded_at IS NOT NULL FROM invitation i LEFT JOIN mail_outbox o "
           "ON o.invitation_id = i.id AND o.kind = 'invitation'")
check(len(rows) == INVITATIONS, "invitations: %d" % len(rows))
delivered = set(ids)
lost = [t for t, state, mid, _, answered in rows
        if not (state == "sent" and mid in delivered)
        and not (answered and state in (None, "perm_failed"))]
check(not lost, "%d invitations neither delivered nor answered: %r"
      % (len(lost), [x for x in rows if x[0] in lost[:3]]))
twice = {m for m in ids if ids.count(m) > 1}
check(twice <= inflight, "%d messages arrived twice that were not on their way "
      "at a kill" % len(twice - inflight))
known = {mid for _, _, mid, _, _ in rows if mid}
check(delivered <= known, "a message arrived that the outbox does not know")
smtp.stop()
log("crash_send: %d kills, %d messages delivered (%d twice, of %d in flight at "
    "a kill), %d submissions acknowledged meanwhile; %.1f s in all"
    % (kills, len(got), len(twice), len(inflight), len(acked), time.monotonic() - t0))
