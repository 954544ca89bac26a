# kto serve refuses a database it must not serve, and leaves it exactly as
# it was (HARDENING.md B5): a kto database with damaged pages, one cut
# short, one from a newer kto, and a file that is no database.  Each: exit
# status 1, a message naming the file and what to do, no port opened, the
# file byte for byte the same and still there.  (cli_refuse.sh does the
# same for the other commands.)
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/smtp_lib.sh"     # free_port

KTO_NOW=2026-11-20T12:00:00
export KTO_NOW

# make_db FILE: a kto database of a few hundred pages, in rollback mode so
# that all of it is in the one file.
make_db() {
	expect_exit 0 "$KTO" --db "$1" municipality add GM0001 --name Vragendorp
	"$PYTHON" -c 'import sys
print("contact_id,channel,contact_at,email")
for i in range(3000):
    print("c%d,counter,2026-11-%02d,burger%d@example.org" % (i, 1 + i % 19, i))' >contacts.csv
	expect_exit 0 "$KTO" --db "$1" contacts import --municipality GM0001 contacts.csv
	expect_exit 0 sqlite3 "$1" "PRAGMA journal_mode = DELETE;"
	[ ! -e "$1-wal" ] || fail "a WAL file is left beside $1"
}

# expect_not_served FILE TEXT: kto serve exits 1 saying TEXT and FILE, opens
# no port, and leaves FILE as it was.
expect_not_served() {
	_sum=$(sha256 "$1")
	_port=$(free_port)
	expect_exit 1 timeout 20 "$KTO" --db "$1" serve --listen "127.0.0.1:$_port"
	expect_stderr_contains "$1"
	expect_stderr_contains "$2"
	expect_stdout_lacks "kto serves on"
	[ -f "$1" ] || fail "$1 was removed"
	[ "$(sha256 "$1")" = "$_sum" ] || fail "$1 was changed"
	curl -s -o /dev/null "http://127.0.0.1:$_port/healthz" &&
		fail "something serves on port $_port"
	return 0
}

# HARDENING B5: a kto database with damaged pages (not its header): refused
# with "damaged", left for recovery.
make_db damaged.db
"$PYTHON" - damaged.db <<'PYEOF' || fail "could not damage the database"
import os, random, sys
path = sys.argv[1]
pages = os.path.getsize(path) // 4096
assert pages > 20, pages
r = random.Random(20261124)
with open(path, "r+b") as f:
    for page in (pages // 2, pages // 2 + 3, pages - 2):
        f.seek(page * 4096 + 16)
        f.write(bytes(r.randrange(256) for _ in range(4000)))
PYEOF
expect_not_served "$T/damaged.db" "is damaged"
expect_stderr_contains ".recover"
# The other commands still open it: the data can be got out of it.
expect_exit 0 sqlite3 "$T/damaged.db" "SELECT code FROM municipality;"
expect_stdout_contains "GM0001"

# HARDENING B5: a database cut short (a copy that did not finish).
make_db short.db
size=$(wc -c <short.db)
head -c $((size / 2)) short.db >cut.db
expect_not_served "$T/cut.db" "cut.db"

# HARDENING B5: a database from a newer kto (schema version 999).
make_db newer.db
expect_exit 0 sqlite3 newer.db "PRAGMA user_version = 999;"
expect_not_served "$T/newer.db" "newer kto"
expect_exit 0 sqlite3 newer.db "PRAGMA user_version;"
[ "$(cat "$OUT")" = 999 ] || fail "the schema version was changed"

# HARDENING B5: a file that is no database at all.
"$PYTHON" -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 64)' >noise.bin
expect_not_served "$T/noise.bin" "not a kto database"

# A sound database is served (so the refusals above are about the files).
make_db sound.db
port=$(free_port)
start_serve "$T/sound.db" "$port"
echo "serve_refuse: ok"
