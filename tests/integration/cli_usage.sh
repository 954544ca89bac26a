# Wrong usage: exit status 2, the usage on stderr, nothing on stdout, and no
# database touched.
. "$(dirname "$0")/lib.sh"

DB=$T/usage.db

# usage_error WHAT CMD...: CMD must be a usage error mentioning WHAT.
usage_error() {
	_what=$1
	shift
	expect_exit 2 "$@"
	expect_stdout_empty
	expect_stderr_contains "Usage: kto"
	expect_stderr_contains "$_what"
	expect_file_absent "$DB"
}

# Unknown commands, at every level.
usage_error "unknown command 'frobnicate'" "$KTO" --db "$DB" frobnicate
usage_error "unknown command 'frobnicate'" "$KTO" --db "$DB" circle frobnicate
usage_error "unknown command 'remove'" "$KTO" --db "$DB" municipality remove X
usage_error "unknown command 'Circle'" "$KTO" --db "$DB" Circle list

# Unknown options, global and per command.
usage_error "unknown option '--bogus'" "$KTO" --bogus circle list
usage_error "unknown option" "$KTO" --db "$DB" circle list --bogus
usage_error "unknown option '-x'" "$KTO" --db "$DB" circle list -x
usage_error "unknown option" "$KTO" --db "$DB" municipality add GM1 --name X --colour red
usage_error "unknown option" "$KTO" --db "$DB" demo --force

# Missing arguments and option values.
usage_error "missing argument" "$KTO" --db "$DB" circle add --name "Kring C"
usage_error "missing argument" "$KTO" --db "$DB" municipality show
usage_error "missing argument" "$KTO" --db "$DB" municipality set --name X
usage_error "--name is required" "$KTO" --db "$DB" circle add kring-c
usage_error "--name is required" "$KTO" --db "$DB" municipality add GM1
usage_error "needs a value" "$KTO" --db "$DB" circle add kring-c --name
usage_error "needs a value" "$KTO" --db "$DB" municipality list --circle
usage_error "nothing to change" "$KTO" --db "$DB" municipality set GM1
usage_error "once" "$KTO" --db "$DB" municipality set GM1 --circle a --no-circle
# --db without its value, before and after the command.
expect_exit 2 "$KTO" --db
expect_stdout_empty
expect_exit 2 "$KTO" circle list --db
expect_stdout_empty
expect_stderr_contains "Usage: kto circle list"
expect_file_absent "$T/kto.db"

# Extra arguments.
usage_error "unexpected argument 'extra'" "$KTO" --db "$DB" circle list extra
usage_error "unexpected argument 'B'" "$KTO" --db "$DB" municipality show A B
usage_error "unexpected argument 'two'" "$KTO" --db "$DB" circle add one two --name X
usage_error "unexpected argument 'now'" "$KTO" --db "$DB" demo now
usage_error "unexpected argument" "$KTO" --db "$DB" municipality list GM1

# The same with --json: still no JSON on stdout.
usage_error "unexpected argument" "$KTO" --db "$DB" --json circle list extra
usage_error "missing argument" "$KTO" --db "$DB" municipality show --json
