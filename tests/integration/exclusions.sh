# The frame's exclusions (issue 4, item 3), each counted by reason in
# wave show --json: staff and test patterns (kto exclude add|list|remove,
# global or per municipality), opt-outs (kto optout add, global or per
# municipality), addresses invited recently by any wave of any municipality
# (--exclude-invited-days), contacts too long ago (--recent-days), and the
# same address twice in one wave (one person, one invitation).
. "$(dirname "$0")/lib.sh"

[ -n "$KTO_SOURCE_DIR" ] || { echo "set KTO_SOURCE_DIR" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "exclusions.sh needs the sqlite3 CLI" >&2; exit 2; }

KTO_NOW=2026-11-20T12:00:00
export KTO_NOW
DB=$T/excl.db
k() {
	timeout 30 "$KTO" --db "$DB" "$@"
}
# k_at TIME ARG...: k with the clock at TIME.
k_at() {
	_at=$1
	shift
	KTO_NOW=$_at timeout 30 "$KTO" --db "$DB" "$@"
}
q() {
	sqlite3 "$DB" "$1" || fail "sqlite3: $1"
}
json_get() {
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1], "rb"))
print(eval(sys.argv[2]))' "$OUT" "$1" || fail "cannot read $1 from the JSON"
}
# contacts_add CODE ROW...: imports rows "id,channel,contact_at,email" for CODE.
contacts_add() {
	_code=$1
	shift
	printf 'contact_id,channel,contact_at,email\n' >"import-$_code.csv"
	printf '%s\n' "$@" >>"import-$_code.csv"
	expect_exit 0 k contacts import --municipality "$_code" "import-$_code.csv"
}
# wave [k_at TIME] CODE ARG...: creates a wave (all channels, a target far
# above the frame so that the whole frame is invited) and samples it;
# stdout is then its wave show --json, and $wave its id.
wave() {
	_runner=k
	if [ "$1" = k_at ]; then
		_runner="k_at $2"
		shift 2
	fi
	_code=$1
	shift
	expect_exit 0 k wave create --municipality "$_code" --from 2026-01-01 --to 2026-12-31 \
	    --target 1000 --response-rate 1 --json "$@"
	wave=$(json_get 'd["id"]')
	expect_exit 0 $_runner wave sample "$wave"
	expect_exit 0 k wave show "$wave" --json
	expect_json '
for c in d["channels"] + [d["totals"]]:
    assert c["N"] == c["frame"] + sum(c["excluded"].values()), c
    assert c["sampled"] == c["frame"], c
'
}
# excluded REASON=N...: the totals of wave show --json on stdout: each
# reason named has that count, the others 0.
excluded() {
	expect_json '
want = {r: 0 for r in ("no_email", "staff_or_test", "opted_out", "invited_recently", "too_old", "duplicate_address")}
for a in args:
    r, n = a.decode().split("=")
    want[r] = int(n)
assert d["totals"]["excluded"] == want, (d["totals"]["excluded"], want)
' "$@"
}
# invited WAVE: the addresses the wave invited, sorted, one a line.
invited() {
	q "SELECT c.email FROM invitation i JOIN contact c ON c.id = i.contact_id WHERE i.wave_id = $1 ORDER BY c.email"
}

for m in GM0001 GM0002 GM0003 GM0004 GM0005 GM0006 GM0008; do
	expect_exit 0 k municipality add "$m" --name "Dorp $m"
done
expect_exit 0 k def load "$KTO_SOURCE_DIR"/survey-defs/*.kto

# --- kto exclude add|list|remove.
expect_exit 0 k exclude list
expect_stdout_contains "No staff or test patterns yet"
expect_exit 0 k exclude list --json
expect_json 'assert d == [], d'
expect_exit 0 k exclude add '*@Gemeente.nl' --note "eigen medewerkers"
expect_stdout_contains "Added pattern"
expect_stdout_contains "'*@Gemeente.nl' are never invited."
staff=$(q "SELECT id FROM address_exclusion")
expect_exit 0 k exclude add 'test*@*' --municipality GM0002
expect_stdout_contains "are never invited by GM0002."
expect_exit 0 k exclude add 'weg@example.org'
gone=$(q "SELECT id FROM address_exclusion WHERE pattern = 'weg@example.org'")
expect_exit 0 k exclude list --json
expect_json '
assert len(d) == 3, d
p = {e["pattern"].lower(): e for e in d}
assert p["*@gemeente.nl"]["municipality"] is None and p["*@gemeente.nl"]["note"] == "eigen medewerkers", d
assert p["test*@*"]["municipality"] == "GM0002", d
assert all(isinstance(e["id"], int) for e in d), d
'
expect_exit 0 k exclude list
grep -Eiq "^ +$staff  \\*@gemeente\\.nl +\\(all\\) +eigen medewerkers$" "$OUT" || fail "exclude list: the staff pattern"
grep -Eq "^ +[0-9]+  test\\*@\\* +GM0002" "$OUT" || fail "exclude list: the test pattern"
expect_exit 0 k exclude remove "$gone"
expect_stdout_contains "Removed pattern $gone."
expect_exit 0 k exclude list --json
expect_json 'assert sorted(e["pattern"].lower() for e in d) == ["*@gemeente.nl", "test*@*"], d'
expect_exit 1 k exclude remove "$gone"
expect_stderr_contains "there is no pattern $gone"
expect_exit 2 k exclude remove abc
expect_exit 1 k exclude add '*@gemeente.nl'
expect_stderr_contains "is there already"
expect_exit 1 k exclude add 'geen-apenstaartje'
expect_stderr_contains "is not an address pattern"
expect_exit 1 k exclude add '*@x.nl' --municipality GM9999
expect_stderr_contains "there is no municipality 'GM9999'"
expect_exit 2 k exclude add
[ "$(q "SELECT count(*) FROM address_exclusion")" = 2 ] || fail "a refused pattern was stored"

# HARDENING C6: opted-out and duplicate addresses suppressed, counted.
# --- kto optout add: global and for one municipality.
expect_exit 0 k optout add Opt.Global@Example.org
expect_stdout_contains "Recorded: this address gets no more invitations."
expect_exit 0 k optout add opt.global@example.org
expect_exit 0 k optout add opt.a@example.org --municipality GM0001
expect_stdout_contains "no more invitations from GM0001."
expect_exit 1 k optout add geen-adres
expect_stderr_contains "'geen-adres' is not an e-mail address"
expect_exit 1 k optout add x@example.org --municipality GM9999
expect_stderr_contains "there is no municipality 'GM9999'"
[ "$(q "SELECT count(*) FROM opt_out")" = 2 ] || fail "not two opt-outs stored"
sqlite3 "$DB" .dump | grep -qi 'opt.global@example.org\|opt.a@example.org' &&
    fail "an opted-out address is stored in clear"


# --- Municipality A (GM0001): staff, test, opt-out, plain addresses.
contacts_add GM0001 \
    a1,counter,2026-11-18,a1@example.org \
    a2,phone,2026-11-18,balie@gemeente.nl \
    a3,email,2026-11-18,Medewerker@GEMEENTE.NL \
    a4,counter,2026-11-18,test1@example.org \
    a5,counter,2026-11-18,opt.global@example.org \
    a6,phone,2026-11-18,OPT.A@example.org \
    a7,email,2026-11-18,shared@example.org \
    a8,email,2026-11-18,
wave GM0001
wA=$wave
excluded staff_or_test=2 opted_out=2 no_email=1
[ "$(invited "$wA" | tr '\n' ' ')" = "a1@example.org shared@example.org test1@example.org " ] ||
    fail "wave A invited: $(invited "$wA" | tr '\n' ' ')"
expect_json '
ch = {c["channel"]: c["excluded"] for c in d["channels"]}
assert ch["phone"]["staff_or_test"] == 1 and ch["email"]["staff_or_test"] == 1, ch
assert ch["counter"]["opted_out"] == 1 and ch["phone"]["opted_out"] == 1, ch
'

# --- Municipality B (GM0002): its own test pattern, only A's opt-out of
# opt.a, and shared@ invited by A within 182 days.
contacts_add GM0002 \
    b1,counter,2026-11-18,test2@example.org \
    b2,counter,2026-11-18,opt.a@example.org \
    b3,phone,2026-11-18,Opt.Global@example.org \
    b4,email,2026-11-18,SHARED@example.org \
    b5,email,2026-11-18,b5@example.org
wave GM0002
wB=$wave
excluded staff_or_test=1 opted_out=1 invited_recently=1
expect_json '
ch = {c["channel"]: c["excluded"] for c in d["channels"]}
assert ch["email"]["invited_recently"] == 1 and ch["phone"]["opted_out"] == 1, ch
assert ch["counter"]["staff_or_test"] == 1, ch
'
[ "$(invited "$wB" | tr '\n' ' ')" = "b5@example.org opt.a@example.org " ] ||
    fail "wave B invited: $(invited "$wB" | tr '\n' ' ')"

# Removing the staff pattern: those addresses are invited again.
expect_exit 0 k exclude remove "$staff"
wave k_at 2026-11-20T13:00:00 GM0001 --exclude-invited-days 0
excluded opted_out=2 no_email=1
[ "$(invited "$wave" | tr '\n' ' ')" = "a1@example.org balie@gemeente.nl medewerker@gemeente.nl shared@example.org test1@example.org " ] ||
    fail "after remove, invited: $(invited "$wave" | tr '\n' ' ')"

# --- --exclude-invited-days: municipality C (GM0003) shares an address
# with A; 0 days disables the check.
contacts_add GM0003 \
    c1,email,2026-11-18,shared@example.org \
    c2,email,2026-11-18,c2@example.org
wave k_at 2026-11-20T14:00:00 GM0003 --exclude-invited-days 0
excluded
[ "$(invited "$wave" | tr '\n' ' ')" = "c2@example.org shared@example.org " ] ||
    fail "--exclude-invited-days 0 invited: $(invited "$wave" | tr '\n' ' ')"
contacts_add GM0008 \
    f1,email,2026-11-18,shared@example.org
wave k_at 2026-11-20T14:00:00 GM0008 --exclude-invited-days 0
excluded

# The window: D (GM0004) invites old@ on 2026-05-01 (203 days before
# 2026-11-20) and june@ on 2026-06-01 (172 days).
printf 'contact_id,channel,contact_at,email\nd1,email,2026-04-30,old@example.org\n' >d1.csv
expect_exit 0 k_at 2026-05-01T09:00:00 contacts import --municipality GM0004 d1.csv
wave k_at 2026-05-01T10:00:00 GM0004 --channels email
[ "$(invited "$wave")" = "old@example.org" ] || fail "D did not invite old@"
printf 'contact_id,channel,contact_at,email\nd2,email,2026-05-31,june@example.org\n' >d2.csv
expect_exit 0 k_at 2026-06-01T09:00:00 contacts import --municipality GM0004 d2.csv
wave k_at 2026-06-01T10:00:00 GM0004 --channels email
[ "$(invited "$wave")" = "june@example.org" ] || fail "D did not invite june@"
contacts_add GM0005 \
    e1,email,2026-11-18,old@example.org \
    e2,email,2026-11-18,june@example.org \
    e3,email,2026-11-18,shared@example.org
wave GM0005 --channels email
excluded invited_recently=2
[ "$(invited "$wave")" = "old@example.org" ] || fail "182 days: invited $(invited "$wave" | tr '\n' ' ')"
wave k_at 2026-11-20T15:00:00 GM0005 --channels email --exclude-invited-days 30
excluded invited_recently=2
[ "$(invited "$wave")" = "june@example.org" ] || fail "30 days: invited $(invited "$wave" | tr '\n' ' ')"
expect_json 'assert d["exclude_invited_days"] == 30, d'

# --- --recent-days: too_old relative to the moment of sampling (GM0006).
contacts_add GM0006 \
    g1,counter,2026-11-18,g1@example.org \
    g2,counter,2026-11-10,g2@example.org \
    g3,counter,2026-11-01,g3@example.org \
    g4,counter,2026-10-01,g4@example.org
wave GM0006 --channels counter
excluded too_old=3
[ "$(invited "$wave")" = "g1@example.org" ] || fail "7 days: invited $(invited "$wave" | tr '\n' ' ')"
wave k_at 2026-11-20T16:00:00 GM0006 --channels counter --recent-days 14 --exclude-invited-days 0
excluded too_old=2
expect_json 'assert d["recent_days"] == 14, d'
wave k_at 2026-11-20T17:00:00 GM0006 --channels counter --recent-days 30 --exclude-invited-days 0
excluded too_old=1
[ "$(invited "$wave" | tr '\n' ' ')" = "g1@example.org g2@example.org g3@example.org " ] ||
    fail "30 days: invited $(invited "$wave" | tr '\n' ' ')"

# --- One person, one invitation: the same address on counter and phone
# (and in another case) in one wave is invited once, for the most recent
# contact; duplicate_address is counted once.
expect_exit 0 k municipality add GM0007 --name Dubbel
contacts_add GM0007 \
    h1,counter,2026-11-17,dup@example.org \
    h2,phone,2026-11-18,DUP@Example.org \
    h3,counter,2026-11-18,h3@example.org \
    h4,phone,2026-11-18,h4@example.org
wave GM0007 --channels counter,phone
excluded duplicate_address=1
expect_json '
ch = {c["channel"]: c for c in d["channels"]}
assert ch["counter"]["excluded"]["duplicate_address"] == 1 and ch["counter"]["N"] == 2, ch
assert ch["phone"]["excluded"]["duplicate_address"] == 0 and ch["phone"]["frame"] == 2, ch
assert d["totals"]["sampled"] == 3, d["totals"]
'
[ "$(q "SELECT group_concat(c.external_id || ':' || i.channel) FROM invitation i JOIN contact c ON c.id = i.contact_id WHERE i.wave_id = $wave AND c.email = 'dup@example.org'")" = "h2:phone" ] ||
    fail "dup@ was not invited once, for the phone contact"

echo "exclusions: ok"
