# Which database a command uses: --db (before or after the command, and as
# --db=FILE), else $KTO_DB, else ./kto.db.
. "$(dirname "$0")/lib.sh"

A=$T/a.db
B=$T/b.db
C=$T/c.db

# KTO_DB alone.
expect_exit 0 env KTO_DB="$A" "$KTO" circle add env-circle --name "From env"
[ -f "$A" ] || fail "KTO_DB=$A did not create it"
expect_file_absent "$T/kto.db"
expect_exit 0 env KTO_DB="$A" "$KTO" circle list
expect_stdout_contains "env-circle"

# --db before the command wins over KTO_DB.
expect_exit 0 env KTO_DB="$A" "$KTO" --db "$B" circle add before --name "Before"
expect_exit 0 "$KTO" --db "$B" circle list
expect_stdout_contains "before"
expect_stdout_lacks "env-circle"
expect_exit 0 "$KTO" --db "$A" circle list
expect_stdout_lacks "before"

# --db after the command, too.
expect_exit 0 env KTO_DB="$A" "$KTO" circle add after --name "After" --db "$B"
expect_exit 0 "$KTO" circle list --db "$B" --json
expect_json 'assert sorted(c["code"] for c in d) == ["after", "before"], d'
expect_exit 0 "$KTO" circle list --db "$A" --json
expect_json 'assert [c["code"] for c in d] == ["env-circle"], d'

# --db=FILE.
expect_exit 0 "$KTO" --db="$C" circle add eq --name "Equals"
expect_exit 0 "$KTO" circle list --db="$C"
expect_stdout_contains "eq"

# An empty KTO_DB is as good as none: ./kto.db in the working directory.
mkdir "$T/work" || fail "mkdir"
cd "$T/work" || fail "cd"
expect_exit 0 env KTO_DB= "$KTO" circle add here --name "Here"
[ -f "$T/work/kto.db" ] || fail "the default ./kto.db was not created"
expect_exit 0 "$KTO" circle list
expect_stdout_contains "here"
cd "$T" || fail "cd"

# --json before the command works like after it.
expect_exit 0 "$KTO" --json --db "$B" circle list
expect_json 'assert len(d) == 2, d'
