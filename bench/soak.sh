#!/bin/sh
# The soak (make bench, not CI): SOAK_SECONDS (default 600) of mixed load
# at a steady rate against one kto serve -- questionnaire views, page saves,
# submissions and portal pages (bench/soak.py) -- while `kto send --watch`
# delivers invitations into Postfix's smtp-sink, slowed to 2 s per DATA so
# that the send runs for (most of) the soak.
#
# Fails (exit 1) when a request failed, when the server's resident size at
# the end is more than 10 % above its size after the warm-up (a leak, or a
# cache without a bound), or when the database is not intact afterwards.
# Prints errors, p50/p99 per kind, and the RSS figures.
#
# Usage: bench/soak.sh KTO SCRATCH_DIR
#   SOAK_SECONDS  length of the load (default 600)
#   SOAK_VISITS   citizens' visits per second, 3 requests each (default 20)
#   SOAK_PORTAL   portal pages per second (default 5)
set -eu
kto=$1
dir=$2/soak
src=$(cd "$(dirname "$0")/.." && pwd)
seconds=${SOAK_SECONDS:-600}
visits=${SOAK_VISITS:-20}
portal=${SOAK_PORTAL:-5}
# The warm-up: a tenth of the run, at least 10 s, at most 60 s.
warmup=$((seconds / 10)); [ $warmup -lt 10 ] && warmup=10; [ $warmup -gt 60 ] && warmup=60
invitations=$((seconds * visits + 1000))
mkdir -p "$dir"
db=$dir/soak.db
export KTO_NOW=2026-11-20T12:00:00
export KTO_PUBLIC_URL=https://soak.example.nl

for tool in smtp-sink curl sqlite3; do
	if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
		echo "soak skipped: $tool is missing (scripts/install-deps.sh bench)"
		exit 0
	fi
done
PATH=$PATH:/usr/sbin

free_port() {   # a TCP port on 127.0.0.1 that nothing listens on (now)
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
rss_kb() {      # resident size of a process, in kB
	awk '/^VmRSS/ { print $2 }' "/proc/$1/status"
}

# --- A wave of two-page questionnaires: a page save, then a submission.
cat >"$dir/soak.kto" <<'EOF'
survey kto-balie
  channel: counter
  title: Uw bezoek aan de balie
  overall: M1

page een
  title: Uw bezoek

question C1 choice
  text: Waarvoor kwam u?
  options:
    a  Paspoort
    b  Rijbewijs

question MU multi
  text: Wat ging goed?
  options:
    x  Wachttijd
    y  Uitleg
    z  Vriendelijkheid

page twee
  title: Uw oordeel

question M1 mark
  text: Welk rapportcijfer geeft u de balie?
  area: TOT
  required: yes

question O1 open
  text: Wat kan beter?

mail invitation
  subject: Uw mening
  body: {link} {optout_link}

mail reminder
  subject: Herinnering
  body: {link} {optout_link}
EOF
rm -f "$db" "$db-wal" "$db-shm"
"$kto" --db "$db" municipality add GM0001 --name Soak >/dev/null
"$kto" --db "$db" municipality set GM0001 --sender-name "Gemeente Soak" \
    --sender-address kto@soak.example.nl --privacy-url https://soak.example.nl/privacy >/dev/null
"$kto" --db "$db" def load "$dir/soak.kto" >/dev/null
awk -v n=$invitations 'BEGIN { print "contact_id,channel,contact_at,email";
    for (i = 1; i <= n; i++) printf "c%d,counter,2026-11-19,s%d@example.org\n", i, i }' >"$dir/c.csv"
"$kto" --db "$db" contacts import --municipality GM0001 "$dir/c.csv" >/dev/null
"$kto" --db "$db" wave create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 \
    --channels counter --target $invitations --response-rate 1 --seed 1 >/dev/null
"$kto" --db "$db" wave sample 1 >/dev/null 2>&1
sqlite3 "$db" 'SELECT mail_token FROM invitation ORDER BY id' >"$dir/tokens"
pw=$("$kto" --db "$db" user add soak@example.org --role team --json |
    /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["password"])')

# --- The server, the sink and the send.
port=$(free_port)
sport=$(free_port)
"$kto" --db "$db" serve --listen "127.0.0.1:$port" >/dev/null 2>"$dir/serve.log" &
server=$!
sink=""
sender=""
load=""
trap 'kill $server $sink $sender $load 2>/dev/null || true' EXIT
# smtp-sink refuses to run as root without a user to drop to.
if [ "$(id -u)" = 0 ]; then sink_user="-u nobody"; else sink_user=""; fi
smtp-sink $sink_user -w 2 "127.0.0.1:$sport" 256 >/dev/null 2>"$dir/sink.log" &
sink=$!
until /usr/bin/python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
    "$sport" 2>/dev/null; do
	kill -0 $sink 2>/dev/null || { echo "soak: smtp-sink did not start" >&2; exit 1; }
	sleep 0.1
done
until curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.1; done
cookie=$(curl -s -o /dev/null -D - --data-urlencode "email=soak@example.org" \
    --data-urlencode "password=$pw" "http://127.0.0.1:$port/portal/login" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(kto_portal=[^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "soak: cannot sign in to the portal" >&2; exit 1; }
"$kto" --db "$db" send --watch --smtp "smtp://127.0.0.1:$sport" >"$dir/send.log" 2>&1 &
sender=$!

# --- The load, with the server's resident size sampled every 5 s.
/usr/bin/python3 "$src/bench/soak.py" "$port" "$dir/tokens" "$cookie" "$seconds" \
    "$visits" "$portal" "$dir/figures.json" &
load=$!
start=$(date +%s)
: >"$dir/rss"
rss_warm=""
while kill -0 $load 2>/dev/null; do
	sleep 5
	now=$(($(date +%s) - start))
	kb=$(rss_kb $server)
	echo "$now $kb" >>"$dir/rss"
	if [ -z "$rss_warm" ] && [ $now -ge $warmup ]; then rss_warm=$kb; fi
done
wait $load
load=""
rss_end=$(rss_kb $server)
# The server's own view of the run (web/metrics.c), kept with the figures.
curl -s "http://127.0.0.1:$port/metrics" >"$dir/metrics.txt" || true
[ -n "$rss_warm" ] || rss_warm=$rss_end
kill -0 $sender 2>/dev/null && send_alive=yes || send_alive=no
# kto send finishes the batch it holds before it stops (up to 1000
# messages, here 2 s each over its connections); as systemd would, give it
# 30 s, then SIGKILL -- its leases make that safe (nothing is lost).
kill $sender 2>/dev/null || true
t=0
while kill -0 $sender 2>/dev/null && [ $t -lt 300 ]; do sleep 0.1; t=$((t + 1)); done
send_stop=$((t / 10))
if kill -0 $sender 2>/dev/null; then kill -9 $sender; send_stop="not yet: killed 30"; fi
wait $sender 2>/dev/null || true
sender=""
sent=$(sqlite3 "$db" "SELECT count(*) FROM mail_outbox WHERE state = 'sent'" 2>/dev/null || echo "?")
kill $server
wait $server 2>/dev/null || true
server=""
check=$(sqlite3 "$db" "PRAGMA integrity_check")
complete=$(sqlite3 "$db" "SELECT count(*) FROM response WHERE state = 'complete'")

/usr/bin/python3 - "$dir/figures.json" "$rss_warm" "$rss_end" "$warmup" "$sent" \
    "$send_alive" "$check" "$complete" "$dir/metrics.txt" "$send_stop" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))
warm, end, warmup = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sent, alive, check, complete = sys.argv[5], sys.argv[6], sys.argv[7], int(sys.argv[8])
growth = (end - warm) * 100.0 / warm
print("%-34s %d s, %d requests (%.1f/s), %d errors" % ("soak: mixed load", f["seconds"],
      f["requests"], f["rate_per_s"], f["errors"]))
for kind, k in f["kinds"].items():
    print("%-34s %8d   p50 %7.2f ms   p99 %7.2f ms   max %7.2f ms" % (
        "  " + kind, k["n"], k["p50_ms"], k["p99_ms"], k["max_ms"]))
print("%-34s %.1f MB after %s s warm-up, %.1f MB at the end (%+.1f %%; limit +10 %%)" % (
      "  kto serve resident size", warm / 1024, warmup, end / 1024, growth))
print("%-34s %s messages delivered into smtp-sink (2 s per DATA), still running at the end: %s; "
      "stopped %s s after SIGTERM" % ("  kto send --watch", sent, alive, sys.argv[10]))
print("%-34s %d complete responses; integrity_check: %s" % ("  database", complete, check))
try:
    m = {}
    for line in open(sys.argv[9]):
        if line.startswith(("kto_mail_outbox{", "kto_http_requests_total{")) and not line.rstrip().endswith(" 0"):
            k, v = line.rsplit(" ", 1)
            m[k] = v.strip()
    print("%-34s %s" % ("  /metrics at the end", ", ".join("%s %s" % kv for kv in sorted(m.items()))))
except OSError:
    pass
bad = []
if f["errors"]:
    bad.append("%d requests failed, first: %s" % (f["errors"], "; ".join(f["first_errors"][:3])))
if growth > 10:
    bad.append("resident size grew by %.1f %%" % growth)
if check != "ok":
    bad.append("integrity_check: " + check)
if complete != f["kinds"]["submission"]["n"]:
    bad.append("%d submissions sent, %d responses complete" % (f["kinds"]["submission"]["n"], complete))
if sent in ("?", "0"):
    bad.append("kto send delivered nothing")
if alive != "yes":
    bad.append("kto send --watch stopped during the soak")
if bad:
    print("soak FAILED: " + "; ".join(bad), file=sys.stderr)
    sys.exit(1)
EOF
