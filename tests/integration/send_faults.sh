# kto send when mail servers misbehave (HARDENING.md S1, S3, S4, S5), each
# against a real SMTP server on 127.0.0.1 (scripts/smtpd.py with its
# scripted faults): 451 and 421 retried with exponential backoff; 550
# permanent, never retried, counted in wave show, no reminder after it;
# retries given up after mail_retry_max_hours; the server down, then up:
# everything delivered once; STARTTLS required but not offered (and
# smtps:// to a plain server): nothing sent in plain text; kill -9 during
# the delivery of 2,000 messages, again and again: every message delivered,
# duplicates only among the messages in flight; two senders at once: no
# message twice; SIGTERM on a slow server: stopped in seconds, the untried
# messages back in the queue without an attempt counted.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/smtp_lib.sh"

T0=2026-11-20T12:00:00
KTO_NOW=$T0
KTO_PUBLIC_URL=https://kto.example.nl
BASE_URL=$KTO_PUBLIC_URL
export KTO_NOW KTO_PUBLIC_URL
k() {
	timeout 120 "$KTO" --db "$DB" "$@"
}
# k_at TIME ARG...: k with the clock at TIME.
k_at() {
	_at=$1
	shift
	KTO_NOW=$_at timeout 120 "$KTO" --db "$DB" "$@"
}
# at MINUTES: the clock MINUTES after T0.
at() {
	"$PYTHON" -c 'import datetime, sys
t = datetime.datetime(2026, 11, 20, 12) + datetime.timedelta(minutes=float(sys.argv[1]))
print(t.strftime("%Y-%m-%dT%H:%M:%S"))' "$1"
}
# running PID: the process runs (and is not a zombie waiting for wait).
running() {
	[ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}
# rand N: a random number in 0..N-1.
rand() {
	echo $(($(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % $1))
}

# make_wave NAME N: a database $T/NAME.db (sets DB) with municipality
# GM0001, its sender, the definitions and N counter contacts
# NAME.I@example.org (I = 1..N), all invited by one sampled wave; the
# addresses in $T/NAME.addr.
make_wave() {
	DB=$T/$1.db
	expect_exit 0 k municipality add GM0001 --name Foutdorp
	expect_exit 0 k municipality set GM0001 --sender-address kto@foutdorp.example \
	    --privacy-url https://foutdorp.example/privacy
	expect_exit 0 k def load "$KTO_SOURCE_DIR/survey-defs/kto-balie.kto"
	"$PYTHON" - "$1" "$2" <<'EOF' || fail "cannot write the contacts"
import sys
name, n = sys.argv[1], int(sys.argv[2])
with open(name + ".csv", "w") as f, open(name + ".addr", "w") as a:
    f.write("contact_id,channel,contact_at,email\n")
    for i in range(1, n + 1):
        f.write(f"c{i},counter,2026-11-{14 + i % 6:02d},{name}.{i}@example.org\n")
        a.write(f"{name}.{i}@example.org\n")
EOF
	expect_exit 0 k contacts import --municipality GM0001 "$1.csv"
	expect_exit 0 k wave create --municipality GM0001 --from 2026-11-01 \
	    --to 2026-11-20 --channels counter --target "$2" --response-rate 1 --seed 1
	expect_exit 0 k wave sample 1 --json
	expect_json 'assert d["totals"]["sampled"] == int(args[0]), d["totals"]' "$2"
}

# expect_delivered NAME [EXCEPT...]: the server NAME holds exactly one
# message for every address of $T/NAME.addr but EXCEPT, and none twice.
expect_delivered() {
	_dir=$1
	shift
	expect_exit 0 "$PYTHON" "$MAILCHECK" headers "$T/$_dir"
	expect_json '
want = sorted(set(open(args[0].decode() + ".addr").read().split()) - {a.decode() for a in args[1:]})
got = sorted(m["to"][0] for m in d)
assert all(m["env_to"] == m["to"] for m in d), "envelope and To differ"
assert got == want, ("recipients", [a for a in got if got.count(a) > 1], set(want) ^ set(got))
ids = [m["message_id"] for m in d]
assert len(set(ids)) == len(ids), "a Message-ID twice"
' "$_dir" "$@"
}

# outbox: the outbox by state, e.g. "sent=8 temp_failed=3".
outbox() {
	q "SELECT group_concat(state || '=' || n, ' ') FROM (SELECT state, count(*) AS n \
	    FROM mail_outbox GROUP BY state ORDER BY state)"
}

# HARDENING S3
# --- 451 and 550.  The first 3 DATA commands get 451; RCPT TO of one
# address gets 550.
make_wave retry 12
start_smtpd retry --fail-first 3=451 --reply-rcpt retry.7@example.org=550
expect_exit 0 k send --smtp "$SMTP" --json
expect_json '
assert (d["queued_invitations"], d["sent"], d["temporary_failures"], d["permanent_failures"]) == (12, 8, 3, 1), d
assert d["outbox"] == {"queued": 0, "sending": 0, "temp_failed": 3, "due": 0, "sent": 8, "perm_failed": 1}, d["outbox"]'
expect_stderr_contains "last problem:"
[ "$(mail_count retry)" = 8 ] || fail "expected 8 messages, got $(mail_count retry)"
[ "$(q "SELECT count(*) FROM mail_outbox WHERE state = 'temp_failed' AND attempts = 1 \
    AND next_attempt_at = '2026-11-20T12:05:00' AND last_reply LIKE '451%'")" = 3 ] ||
    fail "the 451s are not retried 5 minutes later: $(q "SELECT state, attempts, next_attempt_at, last_reply FROM mail_outbox WHERE state != 'sent'")"
[ "$(q "SELECT o.state || ' ' || i.state || ' ' || substr(o.last_reply, 1, 3) FROM mail_outbox o \
    JOIN invitation i ON i.id = o.invitation_id JOIN contact c ON c.id = i.contact_id \
    WHERE c.email = 'retry.7@example.org'")" = "perm_failed failed 550" ] ||
    fail "the 550 is not a permanent failure of retry.7"
expect_exit 0 k wave show 1 --json
expect_json '
for c in (d["channels"][0], d["totals"]):
    assert (c["invited"], c["mail_failed"]) == (8, 1), c'
expect_exit 0 k wave show 1
expect_stdout_contains "mail failures"
# The backoff: nothing before 12:05, the three at 12:05; the 550 never again.
expect_exit 0 k_at "$(at 4.99)" send --smtp "$SMTP" --json
expect_json 'assert (d["sent"], d["temporary_failures"], d["permanent_failures"]) == (0, 0, 0), d'
[ "$(mail_count retry)" = 8 ] || fail "a retry before its time"
expect_exit 0 k_at "$(at 5)" send --smtp "$SMTP" --json
expect_json '
assert (d["sent"], d["temporary_failures"], d["permanent_failures"]) == (3, 0, 0), d
assert (d["outbox"]["sent"], d["outbox"]["perm_failed"], d["outbox"]["temp_failed"]) == (11, 1, 0), d'
expect_delivered retry retry.7@example.org
[ "$(q "SELECT attempts FROM mail_outbox WHERE state = 'perm_failed'")" = 1 ] ||
    fail "the permanent failure was tried again"
# Reminders (5 days on): the 11 invited, not the bounced address.
expect_exit 0 k_at 2026-11-25T12:05:00 send --smtp "$SMTP" --json
expect_json '
assert (d["queued_reminders"], d["sent"], d["temporary_failures"], d["permanent_failures"]) == (11, 11, 0, 0), d'
[ "$(mail_count retry)" = 22 ] || fail "expected 11 reminders"
expect_exit 0 k wave show 1 --json
expect_json 't = d["totals"]; assert (t["invited"], t["reminded"], t["mail_failed"]) == (11, 11, 1), t'
stop_smtpd "$SMTPD_PID"

# --- 421 (service not available) for the first 8 DATA commands, on 6
# messages: all fail (exit 4), then 2 fail again and wait twice as long.
make_wave r421 6
start_smtpd r421 --fail-first 8=421
expect_exit 4 k send --smtp "$SMTP" --json
expect_json '
assert (d["queued_invitations"], d["sent"], d["temporary_failures"], d["permanent_failures"]) == (6, 0, 6, 0), d
assert d["outbox"]["temp_failed"] == 6, d["outbox"]'
expect_stderr_contains "last problem: 421"
[ "$(mail_count r421)" = 0 ] || fail "a 421 message was stored"
expect_exit 0 k wave show 1 --json
expect_json 't = d["totals"]; assert (t["invited"], t["mail_failed"]) == (0, 0), t'
expect_exit 0 k_at "$(at 5)" send --smtp "$SMTP" --json
expect_json 'assert (d["sent"], d["temporary_failures"]) == (4, 2), d'
[ "$(q "SELECT count(*) FROM mail_outbox WHERE state = 'temp_failed' AND attempts = 2 \
    AND next_attempt_at = '2026-11-20T12:15:00'")" = 2 ] ||
    fail "the second backoff is not 10 minutes: $(q "SELECT state, attempts, next_attempt_at FROM mail_outbox WHERE state != 'sent'")"
expect_exit 0 k_at "$(at 14.99)" send --smtp "$SMTP" --json
expect_json 'assert d["sent"] == 0, d'
expect_exit 0 k_at "$(at 15)" send --smtp "$SMTP" --json
expect_json 'assert (d["sent"], d["temporary_failures"], d["outbox"]["sent"]) == (2, 0, 6), d'
expect_delivered r421
stop_smtpd "$SMTPD_PID"

# HARDENING S1
# --- The server down (nothing listens on the port), then up.
make_wave down 10
down_port=$(free_port)
expect_exit 4 k send --smtp "smtp://127.0.0.1:$down_port" --json
expect_json '
assert (d["queued_invitations"], d["sent"], d["temporary_failures"], d["permanent_failures"]) == (10, 0, 10, 0), d
assert d["outbox"]["temp_failed"] == 10 and d["outbox"]["due"] == 0, d["outbox"]'
expect_stderr_contains "connect"
expect_exit 0 k wave show 1 --json
expect_json 't = d["totals"]; assert (t["sampled"], t["invited"], t["mail_failed"]) == (10, 0, 0), t'
[ "$(q "SELECT count(*) FROM invitation WHERE state = 'queued'")" = 10 ] ||
    fail "invitations changed state while nothing was sent"
# HARDENING.md S1: while the server is down the wave shows its mail as
# waiting, not as never sent.
expect_exit 0 k wave show 1 --json
expect_json 'assert d["totals"]["mail_pending"] == 10, d["totals"]'
expect_exit 0 k wave show 1
expect_stdout_contains "mail waiting"
start_smtpd down --port "$down_port"
expect_exit 0 k_at "$(at 4)" send --smtp "$SMTP" --json
expect_json 'assert (d["sent"], d["outbox"]["temp_failed"]) == (0, 10), d'
expect_exit 0 k_at "$(at 5)" send --smtp "$SMTP" --json
expect_json '
assert (d["sent"], d["temporary_failures"], d["permanent_failures"]) == (10, 0, 0), d
assert d["outbox"] == {"queued": 0, "sending": 0, "temp_failed": 0, "due": 0, "sent": 10, "perm_failed": 0}, d'
expect_exit 0 k_at "$(at 60)" send --smtp "$SMTP" --json
expect_json 'assert d["sent"] == 0, d'
expect_delivered down
expect_exit 0 k wave show 1 --json
expect_json 't = d["totals"]; assert (t["invited"], t["mail_failed"]) == (10, 0), t'
stop_smtpd "$SMTPD_PID"

# --- Retrying ends: with mail_retry_max_hours 1, a message still not
# delivered an hour after it was queued is given up, and counted.
make_wave giveup 2
dead=smtp://127.0.0.1:$(free_port)
expect_exit 4 env KTO_MAIL_RETRY_MAX_HOURS=1 timeout 60 "$KTO" --db "$DB" send --smtp "$dead"
expect_exit 4 env KTO_MAIL_RETRY_MAX_HOURS=1 KTO_NOW="$(at 59)" timeout 60 "$KTO" --db "$DB" send --smtp "$dead"
[ "$(outbox)" = "temp_failed=2" ] || fail "given up too early: $(outbox)"
run env KTO_MAIL_RETRY_MAX_HOURS=1 KTO_NOW="$(at 70)" timeout 60 "$KTO" --db "$DB" send --smtp "$dead" --json
expect_json 'assert d["sent"] == 0 and d["outbox"]["perm_failed"] == 2 and d["outbox"]["temp_failed"] == 0, d'
# Given-up messages are counted as what the outbox recorded: permanent,
# not "retried later", and the run does not ask to be tried again.
[ "$STATUS" -eq 0 ] || fail "exit status $STATUS after giving up"
expect_json 'assert (d["temporary_failures"], d["permanent_failures"]) == (0, 2), d'
[ "$(q "SELECT count(*) FROM mail_outbox WHERE state = 'perm_failed' AND last_reply LIKE 'gave up after 1 hours%'")" = 2 ] ||
    fail "not given up: $(q "SELECT state, last_reply FROM mail_outbox")"
expect_exit 0 k wave show 1 --json
expect_json 't = d["totals"]; assert (t["invited"], t["mail_failed"]) == (0, 2), t'

# HARDENING S4: STARTTLS stripped
# --- TLS required, but the server offers no STARTTLS (aiosmtpd without
# TLS): no message, no envelope in plain text; a temporary failure that
# says why; nothing lost.  smtps:// to the same plain server likewise.
make_wave tls 5
start_smtpd tls
expect_exit 4 env KTO_SMTP_TLS=starttls timeout 60 "$KTO" --db "$DB" send --smtp "$SMTP" --json
expect_json 'assert (d["sent"], d["temporary_failures"], d["permanent_failures"]) == (0, 5, 0), d'
expect_stderr_contains "STARTTLS"
[ -z "$(ls -A "$T/tls")" ] || fail "mail was sent without TLS: $(ls "$T/tls")"
[ "$(q "SELECT count(*) FROM mail_outbox WHERE state = 'temp_failed' AND last_reply LIKE '%STARTTLS%'")" = 5 ] ||
    fail "the outbox does not say why: $(q "SELECT state, last_reply FROM mail_outbox")"
expect_exit 4 k_at "$(at 5)" send --smtp "smtps://127.0.0.1:$PORT" --json
expect_json 'assert (d["sent"], d["temporary_failures"]) == (0, 5), d'
[ -z "$(ls -A "$T/tls")" ] || fail "mail was sent without TLS: $(ls "$T/tls")"
# The same server without TLS asked for: all 5, once.
expect_exit 0 k_at "$(at 15)" send --smtp "$SMTP" --json
expect_json 'assert (d["sent"], d["outbox"]["sent"]) == (5, 5), d'
expect_delivered tls
stop_smtpd "$SMTPD_PID"

# --- Two senders at once on the same database and server.
# a) A fresh wave: both queue, then both deliver.
# b) Messages already queued (after the server was down), more than one
#    sender claims at a time: both deliver.
make_wave conc 600
start_smtpd conc --delay 0.002
conc_pids=""
for s in a b; do
	timeout 120 "$KTO" --db "$DB" send --smtp "$SMTP" --json >"conc.$s.out" 2>"conc.$s.err" &
	conc_pids="$conc_pids $!"
	TIMEOUT_PIDS="$TIMEOUT_PIDS $!"
done
conc_status=""
for p in $conc_pids; do
	wait "$p"
	conc_status="$conc_status $?"
done
set -- $conc_status
LAST="two kto send at once on a fresh wave"
cp conc.a.err "$ERR"
cat conc.b.err >>"$ERR"
[ "$1" -eq 0 ] || [ "$2" -eq 0 ] || fail "neither sender succeeded: exit $1 and $2"
# Both senders queue the same invitations at once: the one that comes
# second finds them queued and goes on (no UNIQUE failure).
if [ "$1" -ne 0 ] || [ "$2" -ne 0 ]; then
	fail "two senders at once: exit $1 and $2"
fi
expect_delivered conc
[ "$(outbox)" = "sent=600" ] || fail "not all sent: $(outbox)"

make_wave conc2 1500
expect_exit 4 k send --smtp "smtp://127.0.0.1:$(free_port)"
start_smtpd conc2 --delay 0.002
t5=$(at 5)
conc_pids=""
for s in a b; do
	KTO_NOW=$t5 timeout 120 "$KTO" --db "$DB" send --smtp "$SMTP" --json \
	    >"conc2.$s.out" 2>"conc2.$s.err" &
	conc_pids="$conc_pids $!"
	TIMEOUT_PIDS="$TIMEOUT_PIDS $!"
done
conc_status=""
for p in $conc_pids; do
	wait "$p"
	conc_status="$conc_status $?"
done
set -- $conc_status
LAST="two kto send at once on queued messages"
cat conc2.a.err conc2.b.err >"$ERR"
if [ "$1" -ne 0 ] || [ "$2" -ne 0 ]; then
	fail "two senders at once: exit $1 and $2"
fi
"$PYTHON" -c 'import json
a, b = (json.load(open(f"conc2.{s}.out"))["sent"] for s in "ab")
assert a + b == 1500, (a, b)
print(f"two senders at once: {a} + {b} messages")' || fail "the two senders do not add up"
expect_delivered conc2
[ "$(outbox)" = "sent=1500" ] || fail "not all sent: $(outbox)"
stop_smtpd "$SMTPD_PID"

# --- SIGTERM to a sender on a slow server (as systemd stops it): it stops
# within seconds, not after its whole batch; the messages on the wire are
# settled; the rest go back to the queue untried (no attempt counted, no
# backoff) and the next run delivers them.
make_wave term 300
start_smtpd term --delay 0.2
timeout 120 "$KTO" --db "$DB" send --smtp "$SMTP" >term.out 2>term.err &
term_pid=$!
TIMEOUT_PIDS="$TIMEOUT_PIDS $term_pid"
_i=0
while [ "$(q "SELECT count(*) FROM mail_outbox WHERE state = 'sent'")" -lt 5 ]; do
	_i=$((_i + 1))
	[ "$_i" -le 300 ] || fail "nothing delivered to the slow server in 30 s"
	sleep 0.1
done
term_start=$(date +%s)
kill -TERM "$term_pid"
wait "$term_pid"
term_took=$(($(date +%s) - term_start))
LAST="kto send stopped with SIGTERM"
cp term.err "$ERR"
[ "$term_took" -le 5 ] || fail "kto send took $term_took s to stop after SIGTERM"
[ "$(q "SELECT count(*) FROM mail_outbox WHERE state = 'sending'")" = 0 ] ||
	fail "claims left behind after SIGTERM: $(outbox)"
[ "$(q "SELECT count(*) FROM mail_outbox WHERE state <> 'sent' AND attempts > 0")" = 0 ] ||
	fail "untried messages counted as attempts after SIGTERM: $(outbox)"
term_sent=$(q "SELECT count(*) FROM mail_outbox WHERE state = 'sent'")
[ "$term_sent" -lt 300 ] || fail "the whole batch went out before the stop"
expect_exit 0 k send --smtp "$SMTP"
[ "$(outbox)" = "sent=300" ] || fail "not all sent after the stop: $(outbox)"
stop_smtpd "$SMTPD_PID"

# HARDENING S5
# --- kill -9 during the delivery of 2,000 messages.  The first kill at a
# random moment of the first second (queueing or early delivery), then
# three at a random point of the delivery: once the server has taken
# 100-599 more messages.  Each restart is at once (the same clock): the
# messages of a sender that died must not wait for its lease.  After each
# kill the messages the sender had claimed (outbox rows still 'sending')
# are noted: only those may arrive twice.
make_wave crash 2000
start_smtpd crash --delay 0.002
: >inflight.txt
kills=0
for round in 1 2 3 4; do
	before=$(mail_count crash)
	"$KTO" --db "$DB" send --smtp "$SMTP" >"crash.$round.out" 2>&1 &
	pid=$!
	SENDER_PIDS="$SENDER_PIDS $pid"
	if [ "$round" = 1 ]; then
		sleep "0.$((100 + $(rand 800)))"
	else
		want=$((before + 100 + $(rand 500)))
		i=0
		while [ "$(mail_count crash)" -lt "$want" ] && running "$pid"; do
			i=$((i + 1))
			[ "$i" -le 3000 ] || fail "no progress in 60 s: $(mail_count crash) of $want"
			sleep 0.02
		done
	fi
	if running "$pid"; then
		kill -9 "$pid"
		kills=$((kills + 1))
	fi
	wait "$pid" 2>/dev/null
	q "SELECT message_id FROM mail_outbox WHERE state = 'sending'" >>inflight.txt
	echo "kill $round: $(mail_count crash) delivered, $(q "SELECT count(*) FROM mail_outbox WHERE state = 'sending'") claimed"
	[ "$(q 'PRAGMA integrity_check')" = ok ] || fail "the database is damaged"
done
[ "$kills" -ge 3 ] || fail "only $kills of the senders were still running when killed"
expect_exit 0 k send --smtp "$SMTP" --json
expect_json 'assert d["outbox"] == {"queued": 0, "sending": 0, "temp_failed": 0, "due": 0, "sent": 2000, "perm_failed": 0}, d["outbox"]'
expect_exit 0 "$PYTHON" "$MAILCHECK" headers "$T/crash"
expect_json '
import collections
want = set(open("crash.addr").read().split())
# how often each message was claimed by a sender that was then killed
inflight = collections.Counter("<" + m + ">" for m in open("inflight.txt").read().split())
kills = int(args[0])
assert len(want) == 2000
got = [m["to"][0] for m in d]
assert set(got) == want, ("not delivered", len(want - set(got)), "strangers", set(got) - want)
ids = {}
for m in d:
    ids.setdefault(m["message_id"], set()).add(m["to"][0])
assert all(len(v) == 1 for v in ids.values()), "one Message-ID to several addresses"
assert len(ids) == len(want), "an address got two different messages"
dups = len(d) - len(ids)
copies = collections.Counter(m["message_id"] for m in d)
# every extra copy of a message stems from a kill while it was in flight
bad = [(i, c, inflight[i]) for i, c in copies.items() if c - 1 > inflight[i]]
assert not bad, ("sent again without having been in flight", bad[:5])
claimed = sum(inflight.values())
assert dups <= claimed and dups <= 4 * 200 * kills, (dups, claimed, kills)
print(f"kill -9 x {kills}: {len(d)} messages for 2000 addresses, {dups} duplicates, {claimed} claimed when killed")
' "$kills"
expect_exit 0 k wave show 1 --json
expect_json 't = d["totals"]; assert (t["invited"], t["mail_failed"]) == (2000, 0), t'
[ "$(q 'PRAGMA integrity_check')" = ok ] || fail "the database is damaged"
