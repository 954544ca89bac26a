"""Shared fixtures of the fault tests (HARDENING.md B1-B4): crash_serve,
crash_import, crash_send, disk_full and busy.

Each test is a Python script run by a small shell wrapper (lib.sh gives
it a fresh directory as the working directory, removed afterwards).  The
environment names the binary: KTO, KTO_SOURCE_DIR.  Every process a test
starts is recorded here and killed by its PID when the test ends, however
it ends.  The database is built with the real commands: a municipality,
the two-page fixture survey (tests/integration/fixtures/mini.kto),
contacts, a wave and its sample; the tokens come from the invitations, as
the mail would carry them (nothing needs to be sent for that).
"""
import atexit
import email
import email.policy
import http.client
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse

KTO = os.environ["KTO"]
SRC = os.environ["KTO_SOURCE_DIR"]
MINI = os.path.join(SRC, "tests", "integration", "fixtures", "mini.kto")
SMTPD = os.path.join(SRC, "scripts", "smtpd.py")
NOW = "2026-11-20T12:00:00"

# Nothing from the caller's environment or machine may change the test: no
# settings file of theirs, no KTO_* overrides but the clock.
for _v in list(os.environ):
    if _v.startswith("KTO_") and _v not in ("KTO_SOURCE_DIR", "KTO_FAULT_SEED"):
        del os.environ[_v]
open("kto.conf", "w").close()
os.environ["KTO_CONFIG"] = os.path.abspath("kto.conf")
os.environ["KTO_NOW"] = NOW

_children = []


def stop_all():
    """Kills every process the test started (SIGKILL, by PID)."""
    for p in _children:
        if p.poll() is None:
            p.kill()
            p.wait()


atexit.register(stop_all)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))


def fail(what, detail=""):
    print("FAIL:", what, file=sys.stderr)
    if detail:
        print(detail[:4000], file=sys.stderr)
    sys.exit(1)


def check(cond, what, detail=""):
    if not cond:
        fail(what, detail)


def log(*args):
    print(*args, flush=True)


def kto(db, *args, env=None, timeout=90, check_rc=None):
    """Runs kto on db; the CompletedProcess.  check_rc: the exit status
    that must come out (else the test fails with kto's output)."""
    e = dict(os.environ)
    e.update(env or {})
    try:
        r = subprocess.run([KTO, "--db", db] + list(args), env=e, timeout=timeout,
                           capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        fail("kto %s did not end within %d s" % (" ".join(args), timeout))
    if check_rc is not None and r.returncode != check_rc:
        fail("kto %s exited %d, not %d" % (" ".join(args), r.returncode, check_rc),
             r.stdout + r.stderr)
    return r


def spawn(argv, env=None, **kw):
    """A background process, killed when the test ends."""
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.Popen(argv, env=e, **kw)
    _children.append(p)
    return p


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def sql(db, query, *args, timeout=30):
    con = sqlite3.connect(db, timeout=timeout)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def integrity_ok(db, when):
    r = sql(db, "PRAGMA integrity_check")
    check(r == [("ok",)], "integrity_check %s: %r" % (when, r))
    r = sql(db, "PRAGMA foreign_key_check")
    check(r == [], "foreign_key_check %s: %r" % (when, r[:5]))


def write_contacts(path, prefix, n, first=1):
    """A contacts CSV of n counter contacts PREFIX.I@example.org."""
    with open(path, "w") as f:
        f.write("contact_id,channel,contact_at,email\n")
        for i in range(first, first + n):
            f.write("%s%d,counter,2026-11-%02d,%s.%d@example.org\n"
                    % (prefix, i, 14 + i % 6, prefix, i))


def make_survey_db(db, n, env=None):
    """db with municipality GM0001, the fixture survey and n invitations;
    their tokens, in invitation order."""
    kto(db, "municipality", "add", "GM0001", "--name", "Foutdorp", check_rc=0)
    kto(db, "municipality", "set", "GM0001", "--sender-address",
        "kto@foutdorp.example", "--privacy-url", "https://foutdorp.example/privacy",
        check_rc=0)
    kto(db, "def", "load", MINI, check_rc=0)
    write_contacts("base.csv", "c", n)
    kto(db, "contacts", "import", "--municipality", "GM0001", "base.csv", check_rc=0)
    kto(db, "wave", "create", "--municipality", "GM0001", "--from", "2026-11-01",
        "--to", "2026-11-20", "--channels", "counter", "--target", str(n),
        "--response-rate", "1", "--seed", "1", check_rc=0)
    kto(db, "wave", "sample", "1", check_rc=0)
    tokens = [t for (t,) in sql(db, "SELECT mail_token FROM invitation ORDER BY id")]
    check(len(tokens) == n, "expected %d invitations, got %d" % (n, len(tokens)))
    return tokens


# --- kto serve ---------------------------------------------------------------

class Serve:
    """kto serve on 127.0.0.1, on a free port, its log in serve.log."""

    def __init__(self, db, env=None):
        self.db, self.env = db, env or {}
        self.proc = None
        self.port = None

    def start(self):
        self.port = free_port()
        self.log = open("serve.log", "a")
        self.proc = spawn([KTO, "--db", self.db, "serve", "--listen",
                           "127.0.0.1:%d" % self.port, "--client-timeout", "5"],
                          env=self.env, stdout=self.log, stderr=self.log)
        for _ in range(300):
            if self.proc.poll() is not None:
                fail("kto serve exited %d at start" % self.proc.returncode,
                     open("serve.log").read()[-3000:])
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    c.close()
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        fail("kto serve does not answer /healthz after 15 s")

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait()
        self.log.close()

    def stop(self):
        """SIGTERM: the clean stop."""
        self.proc.terminate()
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            fail("kto serve did not stop on SIGTERM within 30 s")
        self.log.close()
        check(rc == 0, "kto serve exited %d on SIGTERM" % rc,
              open("serve.log").read()[-4000:])


def request(port, method, path, body=None, timeout=30):
    """One request: (status, headers, page text)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    hdrs = {}
    if body is not None:
        hdrs["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        c.request(method, path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        return r.status, dict(r.getheaders()), data.decode("utf-8", "replace")
    finally:
        c.close()


def mark_for(token):
    """The mark (1-10) a test citizen gives: known per token, to check."""
    return sum(token.encode()) % 10 + 1


def submit(port, token, timeout=30):
    """The whole questionnaire of mini.kto: page one, then the mark.  The
    final reply's (status, headers, page); 303 means "saved, complete"."""
    page0 = urllib.parse.urlencode({"page": "0", "action": "next", "q.Q1": "yes"})
    status, hdrs, page = request(port, "POST", "/s/" + token, page0.encode(), timeout)
    if status != 303:
        return status, hdrs, page
    page1 = urllib.parse.urlencode({"page": "1", "action": "next",
                                    "q.Q9": str(mark_for(token))})
    return request(port, "POST", "/s/" + token, page1.encode(), timeout)


def completed(db):
    """{token: mark} of the complete responses, and how many responses each
    invitation has (to find one twice)."""
    rows = sql(db, "SELECT i.mail_token, a.value_num FROM response r "
               "JOIN invitation i ON i.id = r.invitation_id "
               "LEFT JOIN answer a ON a.response_id = r.id AND a.item = 'Q9' "
               "WHERE r.state = 'complete'")
    per_inv = sql(db, "SELECT invitation_id, count(*) FROM response "
                  "WHERE invitation_id IS NOT NULL GROUP BY invitation_id "
                  "HAVING count(*) > 1")
    check(per_inv == [], "an invitation with more than one response: %r" % per_inv[:5])
    toks = [t for t, _ in rows]
    check(len(toks) == len(set(toks)), "a response twice")
    return {t: m for t, m in rows}


def expect_acknowledged(db, acked, when):
    """Every submission answered with success is there, complete, once,
    with the mark that was sent."""
    done = completed(db)
    missing = [t for t in acked if t not in done]
    check(not missing, "%s: %d acknowledged submissions are missing (of %d)"
          % (when, len(missing), len(acked)))
    wrong = [t for t in acked if done[t] != mark_for(t)]
    check(not wrong, "%s: %d acknowledged answers differ from what was sent"
          % (when, len(wrong)))
    return done


# --- the mail server ---------------------------------------------------------

class Smtpd:
    """scripts/smtpd.py (aiosmtpd) storing its mail in DIR."""

    def __init__(self, name, *opts):
        self.dir = os.path.abspath(name)
        pf = name + ".port"
        self.proc = spawn([sys.executable, SMTPD, "--dir", self.dir, "--port-file",
                           pf] + list(opts), stdout=open(name + ".log", "w"),
                          stderr=subprocess.STDOUT)
        for _ in range(200):
            if os.path.exists(pf) and os.path.getsize(pf) > 0:
                self.url = "smtp://127.0.0.1:" + open(pf).read().strip()
                return
            check(self.proc.poll() is None, "the SMTP server did not start",
                  open(name + ".log").read())
            time.sleep(0.1)
        fail("the SMTP server is not listening after 20 s")

    def messages(self):
        """[(recipient, Message-ID)] of every message taken, in order."""
        out = []
        if not os.path.isdir(self.dir):
            return out
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".eml"):
                with open(os.path.join(self.dir, name), "rb") as f:
                    m = email.message_from_binary_file(f, policy=email.policy.default)
                out.append((str(m["To"]).strip("<>"), str(m["Message-ID"]).strip().strip("<>")))
        return out

    def count(self):
        if not os.path.isdir(self.dir):
            return 0
        return sum(1 for n in os.listdir(self.dir) if n.endswith(".eml"))

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def send_env(smtp):
    return {"KTO_SMTP_URL": smtp.url, "KTO_PUBLIC_URL": "https://kto.example.nl"}


def rng():
    """The random source, its seed printed so that a failure can be rerun
    with KTO_FAULT_SEED."""
    seed = int(os.environ.get("KTO_FAULT_SEED") or random.SystemRandom().randrange(1 << 30))
    log("seed", seed, "(rerun with KTO_FAULT_SEED=%d)" % seed)
    return random.Random(seed)
