# Files kto must refuse, untouched, with exit status 1 and a clear message:
# a file that is not SQLite, another program's SQLite database, a kto
# database from a newer kto, a directory, and a place it cannot write.
. "$(dirname "$0")/lib.sh"

# expect_refused FILE TEXT: every command refuses FILE saying TEXT, and
# FILE stays byte for byte the same, with no journal or WAL left beside it.
expect_refused() {
	_file=$1
	_text=$2
	_sum=$(sha256 "$_file")
	_entries=$(ls -A "$(dirname "$_file")" | wc -l)
	for _cmd in "circle list" "municipality list --json" "demo" \
	    "circle add kring-z --name Z"; do
		# shellcheck disable=SC2086
		expect_exit 1 "$KTO" --db "$_file" $_cmd
		expect_stdout_lacks "{"
		expect_stdout_lacks "created"
		expect_stderr_contains "$_file"
		expect_stderr_contains "$_text"
		expect_stderr_contains "untouched"
	done
	[ "$(sha256 "$_file")" = "$_sum" ] || fail "$_file was changed"
	[ "$(ls -A "$(dirname "$_file")" | wc -l)" -eq "$_entries" ] ||
	    fail "files were left next to $_file: $(ls -A "$(dirname "$_file")")"
	expect_file_absent "$_file-wal"
	expect_file_absent "$_file-shm"
	expect_file_absent "$_file-journal"
}

# Random bytes (the same every run).
mkdir "$T/random"
"$PYTHON" -c 'import random, sys
r = random.Random(20261123)
sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(8192)))' \
    >"$T/random/data.bin" || fail "cannot write random bytes"
expect_refused "$T/random/data.bin" "not a kto database"

# A CSV file someone passed by mistake.
mkdir "$T/csv"
printf 'contact_id;channel\n1;email\n' >"$T/csv/contacts.csv"
expect_refused "$T/csv/contacts.csv" "not a kto database"

# Another program's SQLite database.
mkdir "$T/foreign"
expect_exit 0 sqlite3 "$T/foreign/app.sqlite" \
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me');"
expect_refused "$T/foreign/app.sqlite" "another program"
expect_exit 0 sqlite3 "$T/foreign/app.sqlite" "SELECT body FROM notes;"
[ "$(cat "$OUT")" = "keep me" ] || fail "the foreign database lost its row"

# A kto database from a newer kto: schema version 999.
mkdir "$T/newer"
N=$T/newer/kto.db
expect_exit 0 "$KTO" --db "$N" circle add kring-c --name "Kring C"
expect_exit 0 sqlite3 "$N" "PRAGMA journal_mode = DELETE; PRAGMA user_version = 999;"
expect_file_absent "$N-wal"
expect_refused "$N" "newer kto"
expect_stderr_contains "999"
expect_exit 0 sqlite3 "$N" "PRAGMA user_version;"
[ "$(cat "$OUT")" = "999" ] || fail "user_version changed"

# A directory.
mkdir "$T/dir"
expect_exit 1 "$KTO" --db "$T/dir" circle list
expect_stderr_contains "$T/dir"
expect_stderr_contains "not a regular file"
[ -z "$(ls -A "$T/dir")" ] || fail "files were created in $T/dir"

# A place that cannot be written: a directory that does not exist.
bad=$T/nonexistent-dir/x.db
expect_exit 1 "$KTO" --db "$bad" circle list
expect_stdout_empty
expect_stderr_contains "$bad"
expect_stderr_contains "writable location"
expect_file_absent "$T/nonexistent-dir"
expect_exit 1 env KTO_DB=/nonexistent-dir/x.db "$KTO" municipality list --json
expect_stdout_empty
expect_stderr_contains "/nonexistent-dir/x.db"

# A file where a directory should be.
: >"$T/plainfile"
expect_exit 1 "$KTO" --db "$T/plainfile/x.db" circle list
expect_stderr_contains "$T/plainfile/x.db"

# A read-only directory (root writes there anyway, so only as non-root).
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$T/ro"
	chmod 0555 "$T/ro"
	expect_exit 1 "$KTO" --db "$T/ro/x.db" circle list
	expect_stderr_contains "$T/ro/x.db"
	expect_file_absent "$T/ro/x.db"
	chmod 0755 "$T/ro"
fi
