"""A full database and a full disk (run by disk_full.sh).

HARDENING B1: SQLITE_FULL during a submit: the transaction is rolled back,
the citizen gets a 503 "Probeer het later opnieuw" page with Retry-After
and the answers still in the form, and the earlier data is intact.  The
same fullness makes kto contacts import and kto send fail clearly (exit 4,
"full"; the import says what was stored), loses nothing that was
acknowledged, and everything works again once there is room.

Two ways to fill up, with the same checks:
  1. always: $KTO_DB_MAX_PAGES caps the database (PRAGMA max_page_count)
     just above its size; the cap lifted frees the room;
  2. where the machine allows mounting (root, a container with the
     right): the database on a 32 MB tmpfs, the rest of it filled with a
     file; deleting the file frees the room.  Skipped, saying so, when the
     mount is refused; variant 1 still runs.
"""
import os
import re
import subprocess
import time

from faults_lib import (Serve, Smtpd, check, expect_acknowledged, fail, integrity_ok,
                        kto, log, make_survey_db, mark_for, request, send_env, sql,
                        stop_all, submit, write_contacts)

INVITATIONS = 1500
t0 = time.monotonic()
write_contacts("more.csv", "m", 3000)


def counts(db):
    return sql(db, "SELECT (SELECT count(*) FROM contact), (SELECT count(*) FROM "
               "invitation), (SELECT count(*) FROM mail_outbox)")[0]


def expect_full_exit(res, what):
    check(res.returncode == 4, "%s on a full database exited %d, not 4"
          % (what, res.returncode), res.stdout + res.stderr)
    check("full" in res.stderr and "try again" in res.stderr,
          "%s: no clear message" % what, res.stderr)


def fill_up(serve, tokens, acked):
    """Submits questionnaires until the database refuses one; that one's
    reply must be the friendly 503.  The token refused."""
    for t in tokens:
        status, hdrs, page = submit(serve.port, t)
        if status == 303:
            acked.add(t)
            continue
        check(status == 503, "a submission on a full database gave %d" % status,
              page)
        check("Probeer het later opnieuw" in page and "<form" in page,
              "the 503 is not the friendly page with the form", page)
        check(hdrs.get("Retry-After", "").isdigit(), "no Retry-After: %r" % hdrs)
        # The whole page came back: the mark typed on the last page is
        # still chosen, or page one came back with its answer.
        check(re.search(r'value="%d" checked' % mark_for(t), page) or
              re.search(r'value="yes" checked', page),
              "the citizen's answer is not kept in the form", page)
        st, _, page = request(serve.port, "GET", "/healthz")
        check(st == 200, "kto serve is unwell after a full database: %d" % st)
        return t
    fail("the database never filled up (%d submissions)" % len(tokens))


def variant(name, db, limit, fill, make_room, smtp):
    """The checks on db: limit() is the environment that limits kto (kto
    serve runs with it), fill() fills what is left, make_room() makes room
    again."""
    tokens = make_survey_db(db, INVITATIONS)
    acked = set()
    # Some earlier answers, acknowledged before the trouble.
    serve = Serve(db).start()
    for t in tokens[:20]:
        check(submit(serve.port, t)[0] == 303, "an ordinary submission failed")
        acked.add(t)
    serve.stop()
    before = counts(db)
    ready = limit()
    # The server runs as the room runs out: it has the database open.
    serve = Serve(db, env=ready).start()
    fill()

    res = kto(db, "contacts", "import", "--municipality", "GM0001", "more.csv",
              env=ready)
    expect_full_exit(res, "kto contacts import")
    check("was stored" in res.stderr or "rolled back" in res.stderr,
          "the import does not say what was stored", res.stderr)
    check(counts(db)[0] == before[0], "the failed import left %d contacts"
          % (counts(db)[0] - before[0]))

    refused = fill_up(serve, tokens[20:], acked)
    log("%s: full after %d more submissions" % (name, len(acked) - 20))

    res = kto(db, "send", env=dict(ready, **send_env(smtp)))
    expect_full_exit(res, "kto send")
    sent = {m for _, m in smtp.messages()}
    bad = sql(db, "SELECT count(*) FROM mail_outbox WHERE state = 'sending'")[0][0]
    check(bad == 0, "%d messages left claimed after the failed send" % bad)
    in_outbox = {m for (m,) in sql(db, "SELECT message_id FROM mail_outbox")}
    check(sent <= in_outbox, "a message went out that the outbox does not have")

    integrity_ok(db, name + ", full")
    expect_acknowledged(db, acked, name + ", full")
    check(counts(db)[:2] == before[:2], "contacts or invitations changed: %r, %r"
          % (before, counts(db)))

    # Room again: everything works, in the same kto serve when it was the
    # disk (a capped one is started again without the cap).
    make_room()
    if ready:
        serve.stop()
        serve = Serve(db).start()
    status, _, page = submit(serve.port, refused)
    check(status == 303, "the refused submission, sent again, gave %d" % status, page)
    acked.add(refused)
    serve.stop()
    res = kto(db, "contacts", "import", "--municipality", "GM0001", "more.csv",
              check_rc=0)
    res = kto(db, "send", env=send_env(smtp), check_rc=0)
    got = [m for _, m in smtp.messages()]
    check(len(got) == len(set(got)), "a message arrived twice")
    unsent = sql(db, "SELECT count(*) FROM mail_outbox WHERE state != 'sent' AND "
                 "coalesce(last_reply, '') NOT LIKE 'cancelled%'")[0][0]
    check(unsent == 0, "%d messages not sent after the room came back" % unsent)
    integrity_ok(db, name + ", with room again")
    expect_acknowledged(db, acked, name + ", with room again")
    check(counts(db)[0] == before[0] + 3000, "the import after the room came back")
    log("%s: ok (%d acknowledged submissions kept, %d mails)" % (name, len(acked),
                                                                len(got)))


# --- 1. the database capped (always) ----------------------------------------
smtp = Smtpd("mail1")


def cap_now():
    # Room for only a few more pages than the database has now.
    pages = sql("cap.db", "PRAGMA page_count")[0][0]
    return {"KTO_DB_MAX_PAGES": str(pages + 4)}


variant("max_page_count", "cap.db", cap_now, lambda: None, lambda: None, smtp)
smtp.stop()

# A bad cap is an input error that names the variable.
res = kto("cap.db", "wave", "list", env={"KTO_DB_MAX_PAGES": "-3"})
check(res.returncode == 1 and "$KTO_DB_MAX_PAGES" in res.stderr,
      "a bad KTO_DB_MAX_PAGES: exit %d" % res.returncode, res.stderr)

# --- 2. the disk full (where mounting is allowed) ---------------------------
FS = os.path.abspath("fs")
os.mkdir(FS)
try:
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", FS],
                       capture_output=True, text=True, timeout=30)
    why = m.stderr.strip() or "exit %d" % m.returncode
except OSError as e:
    m, why = None, str(e)
if m is None or m.returncode != 0:
    log("SKIP the tmpfs variant: mount was refused (%s); the max_page_count "
        "variant ran" % why)
else:
    try:
        smtp = Smtpd("mail2")
        filler = os.path.join(FS, "filler")

        def fill_disk():
            with open(filler, "wb", buffering=0) as f:
                try:
                    while True:
                        f.write(b"\0" * 4096)
                except OSError:
                    pass

        variant("tmpfs", os.path.join(FS, "disk.db"), dict, fill_disk,
                lambda: os.unlink(filler), smtp)
        smtp.stop()
    finally:
        stop_all()          # nothing may keep the file system busy
        subprocess.run(["umount", FS])
log("disk_full: %.1f s in all" % (time.monotonic() - t0))
