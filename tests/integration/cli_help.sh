# --help everywhere, --version, and what a bare `kto` says.
. "$(dirname "$0")/lib.sh"

# The top level, three spellings.
for h in --help -h help; do
	expect_exit 0 "$KTO" $h
	expect_stdout_contains "Usage: kto"
	expect_stdout_contains "Commands:"
	expect_stdout_contains "circle"
	expect_stdout_contains "municipality"
	expect_stdout_contains "demo"
	expect_stderr_empty
done

# The command groups list their subcommands.
expect_exit 0 "$KTO" circle --help
expect_stdout_contains "Usage: kto circle"
expect_stdout_contains "add"
expect_stdout_contains "list"
expect_stderr_empty
expect_exit 0 "$KTO" municipality --help
expect_stdout_contains "Usage: kto municipality"
for sub in add list show set; do
	expect_stdout_contains "  $sub "
done
expect_stderr_empty

# Every leaf: --help and -h print its usage, exit 0 and touch no database,
# even with arguments that would otherwise be wrong.
for cmd in "circle add" "circle list" "municipality add" "municipality list" \
    "municipality show" "municipality set" "demo"; do
	for h in --help -h; do
		# shellcheck disable=SC2086
		expect_exit 0 "$KTO" --db "$T/help.db" $cmd $h
		expect_stdout_contains "Usage: kto $cmd"
		expect_stderr_empty
		# shellcheck disable=SC2086
		expect_exit 0 "$KTO" --db "$T/help.db" $cmd --json $h
		expect_stdout_contains "Usage: kto $cmd"
	done
done
expect_file_absent "$T/help.db"
expect_file_absent "$T/kto.db"

# The options a leaf documents.
expect_exit 0 "$KTO" circle add --help
expect_stdout_contains "--name NAME"
expect_exit 0 "$KTO" municipality add --help
expect_stdout_contains "--circle CODE"
expect_exit 0 "$KTO" municipality set --help
expect_stdout_contains "--no-circle"

# The root help documents the exit statuses of DESIGN.md section 4.
expect_exit 0 "$KTO" --help
expect_stdout_contains "0 success, 1 the input was wrong"
expect_stdout_contains "2 wrong usage"

# --version: the project version and the newest schema version.
expect_exit 0 "$KTO" --version
expect_stderr_empty
if [ -n "$KTO_SOURCE_DIR" ]; then
	version=$(sed -n 's/^project(kto VERSION \([0-9.]*\).*/\1/p' \
	    "$KTO_SOURCE_DIR/CMakeLists.txt")
	schema=$(ls "$KTO_SOURCE_DIR"/engine/migrations/*.sql | wc -l | tr -d ' ')
	[ -n "$version" ] || fail "no version in $KTO_SOURCE_DIR/CMakeLists.txt"
	[ "$(cat "$OUT")" = "kto $version (schema version $schema)" ] ||
	    fail "--version should print 'kto $version (schema version $schema)'"
else
	grep -q '^kto [0-9][0-9.]* (schema version [1-9][0-9]*)$' "$OUT" ||
	    fail "--version output has the wrong form"
fi
expect_file_absent "$T/kto.db"

# No command at all: which command?  Usage on stderr, status 2.
expect_exit 2 "$KTO"
expect_stdout_empty
expect_stderr_contains "Usage: kto"
expect_exit 2 "$KTO" circle
expect_stdout_empty
expect_stderr_contains "which command"
expect_stderr_contains "Usage: kto circle"
expect_exit 2 "$KTO" municipality
expect_stderr_contains "Usage: kto municipality"
expect_file_absent "$T/kto.db"
