#!/bin/sh
# The portal's results page with 1,000,000 responses in the database (make
# bench): the server time of a municipality's results page, measured as
# curl's time to the first byte over loopback, median and worst of 50
# requests after 5 to warm up.  Target: under 50 ms.  Also reports how long
# `kto results compute` takes on those responses.
#
# Usage: bench/portal.sh KTO SCRATCH_DIR [RESPONSES]
set -eu
kto=$1
dir=$2/portal
total=${3:-1000000}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
db=$dir/portal.db
rm -f "$db" "$db-wal" "$db-shm"
export KTO_NOW=2026-11-20T12:00:00

"$kto" --db "$db" demo >/dev/null
/usr/bin/python3 "$src/bench/portal_data.py" "$db" "$total" >/dev/null
year=$(sqlite3 "$db" "SELECT min(substr(period_from, 1, 4)) FROM wave")
t0=$(date +%s.%N)
"$kto" --db "$db" results compute --year "$year" >/dev/null
t1=$(date +%s.%N)
pw=$("$kto" --db "$db" user add bench@example.org --role team --json |
    /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["password"])')

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$kto" --db "$db" serve --listen "127.0.0.1:$port" >/dev/null 2>"$dir/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.1; done
cookie=$(curl -s -o /dev/null -D - --data-urlencode "email=bench@example.org" \
    --data-urlencode "password=$pw" "http://127.0.0.1:$port/portal/login" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(kto_portal=[^;]*\).*/\1/p')
url="http://127.0.0.1:$port/portal/m/GM0375/results?year=$year"
status=$(curl -s -o "$dir/page.html" -w '%{http_code}' -H "Cookie: $cookie" "$url")
[ "$status" = 200 ] || { echo "portal benchmark: the results page answered $status" >&2; exit 1; }
for _ in 1 2 3 4 5; do curl -s -o /dev/null -H "Cookie: $cookie" "$url"; done
for _ in $(seq 50); do
	curl -s -o /dev/null -w '%{time_starttransfer}\n' -H "Cookie: $cookie" "$url"
done | sort -n >"$dir/times"
median=$(awk 'NR == 25 { printf "%.1f", $1 * 1000 }' "$dir/times")
worst=$(awk 'END { printf "%.1f", $1 * 1000 }' "$dir/times")
printf '%-34s %10s ms median, %s ms worst of 50; page %s kB                 (target < 50 ms)\n' \
    "portal results page, $total responses" "$median" "$worst" \
    "$(awk -v b="$(wc -c <"$dir/page.html")" 'BEGIN { printf "%.0f", b / 1024 }')"
printf '%-34s %10.1f s                                                        (reference)\n' \
    "kto results compute, $total responses" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
