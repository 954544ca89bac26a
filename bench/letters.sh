#!/bin/sh
# The tailored letters of a whole benchmark year (make bench): 342
# municipalities in circles of about ten, 100 to 200 synthetic complete
# responses each over the counter, phone and e-mail (written straight into
# the database by tests/integration/synth.py), their result set computed,
# then `kto report letters --year` on two cores, with two threads (target:
# under 60 s), next to the same letters on one thread.
#
# Usage: bench/letters.sh KTO SCRATCH_DIR
set -eu
kto=$1
dir=$2/letters
src=$(cd "$(dirname "$0")/.." && pwd)
municipalities=${BENCH_LETTERS_MUNICIPALITIES:-342}
mkdir -p "$dir"
db=$dir/letters.db
rm -rf "$db" "$db-wal" "$db-shm" "$dir/out1" "$dir/out2"

cores=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
	cores="taskset -c 0,1"
fi

# --- The database: definitions by kto, the rest by SQL --------------------
"$kto" --db "$db" def load "$src"/survey-defs/kto-balie.kto "$src"/survey-defs/kto-telefoon.kto \
    "$src"/survey-defs/kto-email.kto >/dev/null
/usr/bin/python3 - "$db" "$src/tests/integration" "$municipalities" <<'EOF'
import random, sqlite3, sys
sys.path.insert(0, sys.argv[2])
from synth import Synth
db, n = sys.argv[1], int(sys.argv[3])
con = sqlite3.connect(db)
rng = random.Random(342)
versions = dict(con.execute(
    "SELECT d.channel, max(v.id) FROM survey_def_version v JOIN survey_def d "
    "ON d.id = v.def_id GROUP BY d.channel"))
circles = (n + 9) // 10
for c in range(circles):
    con.execute("INSERT INTO circle (id, code, name) VALUES (?, ?, ?)",
                (c + 1, f"kring-{c + 1:02d}", f"Kring {c + 1}"))
synth = Synth(con, seed=342)
share = {"counter": 0.5, "phone": 0.3, "email": 0.2}
for m in range(1, n + 1):
    con.execute("INSERT INTO municipality (id, code, name, circle_id) VALUES (?, ?, ?, ?)",
                (m, f"GM{m:04d}", f"Benchstad {m}", (m - 1) % circles + 1))
    con.execute("INSERT INTO wave (id, municipality_id, state, period_from, period_to, "
                "seed) VALUES (?, ?, 'closed', '2026-03-01', '2026-03-31', ?)", (m, m, m))
    total, level = rng.randint(100, 200), rng.gauss(7.2, 0.3)
    offsets = synth.area_offsets(0.4)
    for channel, version in versions.items():
        k = round(total * share[channel])
        con.execute("INSERT INTO wave_channel (wave_id, channel, def_version_id, "
                    "response_rate, population, frame, sample_size) VALUES "
                    "(?, ?, ?, 0.2, ?, ?, ?)", (m, channel, version, k * 20, k * 15, k * 5))
        synth.respond(m, m, channel, version, k, level=level + rng.gauss(0, 0.2),
                      offsets=offsets, completed_at="2026-03-20T10:00:00Z")
con.commit()
EOF
responses=$(sqlite3 "$db" "SELECT count(*) FROM response")

t0=$(date +%s.%N)
"$kto" --db "$db" results compute --year 2026 >/dev/null
t1=$(date +%s.%N)
compute=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')

# --- The letters: two threads on two cores, then one thread --------------
run() {   # run THREADS DIR: prints the seconds taken
	t0=$(date +%s.%N)
	$cores "$kto" --db "$db" report letters --year 2026 --dir "$2" --threads "$1" >/dev/null
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
two=$(run 2 "$dir/out2")
one=$(run 1 "$dir/out1")

written=$(find "$dir/out2" -name '*.pdf' | wc -l)
if [ "$written" -ne "$municipalities" ]; then
	echo "letters: $written letters written, wanted $municipalities" >&2
	exit 1
fi
for f in "$dir/out2/GM0001.pdf" "$dir/out2/GM$(printf %04d "$municipalities").pdf"; do
	if ! pdftotext "$f" - | grep -q "Brief op Maat"; then
		echo "letters: $f does not read as a letter" >&2
		exit 1
	fi
done
pages=$(for f in "$dir"/out2/*.pdf; do pdfinfo "$f" | awk '/^Pages:/ { print $2 }'; done |
    sort -n | uniq -c | awk '{ printf "%s%d x %d pages", n++ ? ", " : "", $1, $2 }')
kb=$(du -sk "$dir/out2" | awk '{ print $1 }')

printf '%-34s %10.2f s    baseline %-30s %10.2f s    1/2    %6.2f  (target < 60 s)\n' \
    "$municipalities letters, 2 threads (kto)" "$two" "the same letters on 1 thread" "$one" \
    "$(awk -v a="$one" -v b="$two" 'BEGIN { print a / b }')"
echo "  ($(awk -v t="$two" -v n="$municipalities" 'BEGIN { printf "%.0f", 1000 * t / n }') ms a letter;" \
    "$pages; $((kb / 1024)) MB; result set of $responses responses computed in" \
    "$compute s${cores:+; on cores 0 and 1})"
rm -rf "$dir/out1" "$dir/out2"
