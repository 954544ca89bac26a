#!/bin/sh
# The web questionnaire under load, side by side with its baselines in one
# run (make bench; needs wrk and nginx, which scripts/install-deps.sh bench
# installs).  The server and the load generator run on different cores.
#
#   GET of a questionnaire page   against nginx serving the same bytes
#   complete-response POSTs       against the sqlite3 shell committing one
#                                 comparable row per transaction, same disk
#   p99 latency at 64 connections, and the server's peak memory
#
# Usage: bench/web.sh KTO SCRATCH_DIR
set -eu
kto=$1
dir=$2/web
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
db=$dir/web.db
export KTO_NOW=2026-11-20T12:00:00
ncpu=$(nproc)
server_cpu=0
load_cpu=$((ncpu > 1 ? 1 : 0))
seconds=${BENCH_WEB_SECONDS:-5}
invitations=200000   # more than the POSTs can use up in the run

free_port() {   # a TCP port on 127.0.0.1 that nothing listens on (now)
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

for tool in wrk nginx taskset; do
	if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
		echo "web benchmark skipped: $tool is missing (scripts/install-deps.sh bench)"
		exit 0
	fi
done

# --- A wave of $invitations invitations to a one-page questionnaire, so
# that one POST completes one response.
cat >"$dir/bench.kto" <<'EOF'
survey kto-balie
  channel: counter
  title: Uw bezoek aan de balie
  overall: M1

page oordeel
  title: Uw oordeel

question M1 mark
  text: Welk rapportcijfer geeft u de balie?
  area: TOT
  required: yes

question B1 mark
  text: Hoe vriendelijk was de medewerker?
  area: BEJ

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
"$kto" --db "$db" municipality add GM0001 --name Bench >/dev/null
"$kto" --db "$db" def load "$dir/bench.kto" >/dev/null
awk -v n=$invitations 'BEGIN { print "contact_id,channel,contact_at,email";
    for (i = 1; i <= n; i++) printf "c%d,counter,2026-11-19,b%d@example.org\n", i, i }' >"$dir/c.csv"
"$kto" --db "$db" contacts import --municipality GM0001 "$dir/c.csv" >/dev/null
"$kto" --db "$db" wave create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 \
    --channels counter --target $invitations --response-rate 1 --seed 1 >/dev/null
"$kto" --db "$db" wave sample 1 >/dev/null 2>&1
sqlite3 "$db" 'SELECT mail_token FROM invitation ORDER BY id' >"$dir/tokens"
first=$(head -1 "$dir/tokens")

port=$(free_port)
taskset -c $server_cpu "$kto" --db "$db" serve --listen "127.0.0.1:$port" >/dev/null 2>"$dir/serve.log" &
server=$!
nginx_pid=""
trap 'kill $server $nginx_pid 2>/dev/null || true' EXIT
until curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.1; done

# --- nginx serving the same page as a static file, on the server's core.
curl -s "http://127.0.0.1:$port/s/$first" >"$dir/page.html"
nport=$(free_port)
mkdir -p "$dir/nginx"
cat >"$dir/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
error_log $dir/nginx/error.log;
pid $dir/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  # An access log line per request, as kto serve writes one (nginx's
  # default, unbuffered): like is compared with like.
  access_log $dir/nginx/access.log;
  client_body_temp_path $dir/nginx;
  proxy_temp_path $dir/nginx;
  fastcgi_temp_path $dir/nginx;
  uwsgi_temp_path $dir/nginx;
  scgi_temp_path $dir/nginx;
  server {
    listen 127.0.0.1:$nport;
    location / { root $dir; default_type text/html; }
  }
}
EOF
taskset -c $server_cpu /usr/sbin/nginx -c "$dir/nginx/nginx.conf" &
nginx_pid=$!
until curl -s -o /dev/null "http://127.0.0.1:$nport/page.html"; do sleep 0.1; done

rps() {   # wrk's requests per second from its output file
	awk '/^Requests\/sec/ { print $2 }' "$1"
}
p99() {   # wrk's 99th percentile latency, in ms
	awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 }
	    else if (v ~ /ms$/) sub(/ms/, "", v); else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }
	    print v }' "$1"
}

taskset -c $load_cpu wrk -t1 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$port/s/$first" >"$dir/get.out"
taskset -c $load_cpu wrk -t1 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$nport/page.html" >"$dir/nginx.out"

# --- Complete responses: each POST sends the one page of another token.
cat >"$dir/post.lua" <<EOF
local tokens = {}
for line in io.lines("$dir/tokens") do tokens[#tokens + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "page=0&action=next&q.M1=8&q.B1=7&q.O1=Sneller+graag"
request = function()
  i = i + 1
  return wrk.format(nil, "/s/" .. tokens[(i - 1) % #tokens + 1])
end
EOF
taskset -c $load_cpu wrk -t1 -c64 -d"${seconds}s" --latency -s "$dir/post.lua" "http://127.0.0.1:$port" >"$dir/post.out"
completed=$(sqlite3 "$db" "SELECT count(*) FROM response WHERE state = 'complete'")
post_rate=$(awk -v n="$completed" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
if [ "$completed" -ge "$invitations" ]; then
	echo "warning: every invitation was answered before the run ended; the POST rate is a lower bound" >&2
fi
rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$server/status")

# --- The sqlite3 shell: one comparable row per transaction, durably.
base=$dir/base.db
rm -f "$base" "$base-wal" "$base-shm"
sqlite3 "$base" "PRAGMA journal_mode = WAL; CREATE TABLE r (id INTEGER PRIMARY KEY, wave INTEGER, item TEXT, value REAL, text TEXT, state TEXT);" >/dev/null
awk 'BEGIN { print "PRAGMA synchronous = FULL;"; for (i = 1; i <= 2000; i++)
    printf "BEGIN; INSERT INTO r VALUES (NULL, 1, %cM1%c, 8, %cSneller graag%c, %ccomplete%c); COMMIT;\n", 39, 39, 39, 39, 39, 39 }' >"$dir/base.sql"
t0=$(date +%s.%N)
taskset -c $server_cpu sqlite3 "$base" <"$dir/base.sql"
t1=$(date +%s.%N)
base_rate=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", 2000 / (b - a) }')

get=$(rps "$dir/get.out")
ngx=$(rps "$dir/nginx.out")
printf '%-34s %10.0f /s   baseline %-30s %10.0f /s   ratio %6.2f  (target >= 0.5)\n' \
    "GET questionnaire page (kto)" "$get" "nginx, the same bytes static" "$ngx" \
    "$(awk -v a="$get" -v b="$ngx" 'BEGIN { print a / b }')"
printf '%-34s %10.0f /s   baseline %-30s %10.0f /s   ratio %6.2f  (target >= 1)\n' \
    "complete-response POSTs (kto)" "$post_rate" "sqlite3, 1 row per commit" "$base_rate" \
    "$(awk -v a="$post_rate" -v b="$base_rate" 'BEGIN { print a / b }')"
printf '%-34s %10.2f ms (GET)   %.2f ms (POST)                                 (target < 20 ms)\n' \
    "p99 latency, 64 connections" "$(p99 "$dir/get.out")" "$(p99 "$dir/post.out")"
printf '%-34s %10.1f MB                                                           (target < 50 MB)\n' \
    "kto serve peak memory (RSS)" "$rss"
