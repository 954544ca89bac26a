# The privacy lifecycle end to end (engine/privacy.c, docs/privacy.md):
# contacts imported with addresses in mixed case, a wave sampled and mailed
# through a real SMTP server, answered through `kto serve` (open answers
# stored masked, or as typed when the team's setting says so), one citizen
# opted out, the wave closed; `kto privacy purge` before the retention
# changes nothing, after it leaves no address of the wave in the database
# file or its -wal (grepped raw, without case) and no token in the clear,
# while the opt-out and the "invited recently" rule still exclude those
# addresses from a new wave; a second purge changes not a byte.  Then
# `kto privacy export` lists what is held, `kto privacy erase` leaves no
# byte of the address anywhere (audit log included), the errors, and the
# daily purge of `kto serve`.
#
# The wave's closed_at is the real clock's, so every date here is relative
# to today.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/smtp_lib.sh"

# day N: today + N days, as YYYY-MM-DD (N may be negative).
day() {
	"$PYTHON" -c 'import datetime, sys
print((datetime.date.today() + datetime.timedelta(days=int(sys.argv[1]))).isoformat())' "$1"
}
TODAY=$(day 0)
KTO_NOW=${TODAY}T12:00:00
export KTO_NOW
DB=$T/privacy.db
BASE=http://127.0.0.1:$(free_port)
k() {
	timeout 60 "$KTO" --db "$DB" "$@"
}
# k_at DAY ARG...: k with the clock at noon of today + DAY days.
k_at() {
	_at=$(day "$1")T12:00:00
	shift
	KTO_NOW=$_at timeout 60 "$KTO" --db "$DB" "$@"
}
# held ADDRESS: how many times the database file, its -wal and -shm hold
# the address, compared without case, byte for byte.
held() {
	_n=0
	for _f in "$DB" "$DB-wal" "$DB-shm"; do
		[ -e "$_f" ] || continue
		_c=$(grep -a -i -o -F -e "$1" "$_f" | wc -l)
		_n=$((_n + _c))
	done
	echo "$_n"
}

# wait_log TEXT: waits (at most 10 s) until serve.log has the line.
wait_log() {
	_i=0
	until grep -q -F -e "$1" serve.log; do
		_i=$((_i + 1))
		[ "$_i" -le 100 ] || fail "serve.log never said '$1': $(cat serve.log)"
		sleep 0.1
	done
}

# hold_open / release: another connection keeps the database open (idle)
# meanwhile, as kto serve's do, so that SQLite does not empty the -wal
# file when kto exits: what is left in the files is what kto's own
# checkpoint left.
hold_open() {
	"$PYTHON" -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
c.execute("SELECT count(*) FROM wave").fetchall()
print("open", flush=True)
time.sleep(120)' "$DB" >holder.out 2>&1 &
	HOLDER_PID=$!
	SERVER_PIDS="$SERVER_PIDS $HOLDER_PID"
	_i=0
	until grep -q open holder.out; do
		_i=$((_i + 1))
		[ "$_i" -le 100 ] || fail "the second connection did not open"
		sleep 0.1
	done
}
release() {
	stop_smtpd "$HOLDER_PID"
}

# --- A municipality, the questionnaire, eight contacts (two channels'
# worth of addresses in mixed case), a wave of all of them.
expect_exit 0 k municipality add GM0001 --name Bewaardorp
expect_exit 0 k municipality set GM0001 --sender-address kto@bewaardorp.example \
    --privacy-url https://bewaardorp.example/privacy
expect_exit 0 k def load "$HERE/fixtures/privacy.kto"
ADDRS="Anna.Appel@Example.ORG bert.boon@example.org Carla.Cees@example.net \
dirk.dekker@example.org Eva.Eik@EXAMPLE.org fleur.fijn@example.com \
gijs.groen@example.org Hanna.Hoek@example.org"
{
	echo 'contact_id,channel,contact_at,email'
	i=0
	for a in $ADDRS; do
		i=$((i + 1))
		echo "c$i,email,$(day -$((i % 3 + 1))) 10:00,$a"
	done
	echo "c9,email,$(day -1),"            # no address: counts, never invited
} >c1.csv
expect_exit 0 k contacts import --municipality GM0001 c1.csv --json
expect_json 'assert d["totals"]["added"] == 9, d["totals"]'
expect_exit 0 k wave create --json --municipality GM0001 --from "$(day -6)" \
    --to "$TODAY" --channels email --target 8 --response-rate 1 --seed 9
w1=$(json_get 'd["id"]')
expect_exit 0 k wave sample "$w1"

# --- Mailed through a real SMTP server; the tokens from the mail.
start_smtpd mail
expect_exit 0 env KTO_PUBLIC_URL="$BASE" timeout 60 "$KTO" --db "$DB" send --smtp "$SMTP"
[ "$(mail_count mail)" = 8 ] || fail "expected 8 invitations, got $(mail_count mail)"
stop_smtpd "$SMTPD_PID"
BASE_URL=$BASE
read_mail mail
"$PYTHON" - "$MAIL_JSON" <<'EOF' >tokens.txt || fail "no tokens in the mail"
import json, sys
for m in json.load(open(sys.argv[1])):
    assert len(m["to"]) == 1 and len(m["s_text"]) == 1, m["to"]
    print(m["to"][0]["addr"].lower(), m["s_text"][0])
EOF
[ "$(wc -l <tokens.txt)" -eq 8 ] || fail "expected 8 tokens"
token_of() {
	awk -v a="$1" '$1 == a { print $2 }' tokens.txt
}

# Before anything is erased the addresses are in the file: the check below
# can see them.
for a in $ADDRS; do
	[ "$(held "$a")" -gt 0 ] || fail "$a is not in the database before the purge"
done

# --- Answers through kto serve: open answers are stored masked, unless
# the team keeps the originals; an opt-out through the mail's link.
port=${BASE##*:}
start_serve "$DB" "$port"
wait_log 'privacy purge: retention 30 days, 0 closed wave(s) past it'
answer() {   # answer ADDRESS MARK OPEN-TEXT: the one-page questionnaire
	"$PYTHON" - "$BASE" "$(token_of "$1")" "$2" "$3" <<'EOF' || fail "answering for $1 failed"
import sys, urllib.parse, urllib.request
base, token, mark, text = sys.argv[1:5]
body = urllib.parse.urlencode({"page": "0", "action": "next", "q.M1": mark,
                               "q.O1": text}).encode()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
op = urllib.request.build_opener(NoRedirect)
try:
    op.open(urllib.request.Request(base + "/s/" + token, data=body), timeout=10)
    sys.exit("no redirect after the answer")
except urllib.error.HTTPError as e:
    if e.code != 303:
        sys.exit("POST gave %d" % e.code)
EOF
}
answer anna.appel@example.org 8 "Bel me op 06-12345678 of mail Anna.Appel@Example.ORG, BSN 111222333"
answer bert.boon@example.org 6 "De wachttijd was te lang."
expect_exit 0 k privacy settings --keep-open-originals yes --json
expect_json 'assert d == {"retention_days": 30, "keep_open_originals": True}, d'
answer carla.cees@example.net 7 "Mijn adres is Carla.Cees@example.net; mijn buurman is piet.pan@example.org."
expect_exit 0 k privacy settings --keep-open-originals no
expect_stdout_contains "nee (no)"
q "SELECT value_text FROM answer WHERE item = 'O1' ORDER BY response_id" >open.txt
[ "$(sed -n 1p open.txt)" = "Bel me op [telefoonnummer] of mail [e-mail], BSN [BSN]" ] ||
	fail "the open answer was not stored masked: $(sed -n 1p open.txt)"
[ "$(sed -n 2p open.txt)" = "De wachttijd was te lang." ] || fail "a plain answer changed"
[ "$(sed -n 3p open.txt)" = "Mijn adres is Carla.Cees@example.net; mijn buurman is piet.pan@example.org." ] ||
	fail "keep-open-originals did not keep the original"
code=$(curl -s -o /dev/null -w '%{http_code}' -d List-Unsubscribe=One-Click \
    "$BASE/o/$(token_of dirk.dekker@example.org)")
[ "$code" = 200 ] || fail "the opt-out POST gave $code"
stop_smtpd "$SERVE_PID"

expect_exit 0 k wave close "$w1"

# --- Before the retention has passed (29 days), nothing is purged.
expect_exit 0 k_at 29 privacy purge --json
expect_json 'assert d["waves"] == 0 and d["addresses"] == 0 and d["mails"] == 0, d'
for a in $ADDRS; do
	[ "$(held "$a")" -gt 0 ] || fail "$a was erased before the retention passed"
done
# A dry run after it counts, and changes nothing.
sum_before=$(sha256 "$DB")
expect_exit 0 k_at 31 privacy purge --dry-run --json
expect_json 'assert d["dry_run"] and d["waves"] == 1 and d["addresses"] == 8, d'
expect_json 'assert d["mails"] == 0 and d["responses_unlinked"] == 3 and d["open_answers"] == 1, d'
[ "$(sha256 "$DB")" = "$sum_before" ] || fail "the dry run changed the database"
expect_exit 0 k_at 31 privacy purge --dry-run
expect_stdout_contains "Proef (er is niets gewist)"

# --- After it (31 days): no address of the wave is left, tokens only as
# hashes, responses no longer linked to invitations.
hold_open
expect_exit 0 k_at 31 privacy purge --json
expect_json 'assert d["waves"] == 1 and d["waves_new"] == 1 and d["addresses"] == 8, d'
expect_json 'assert d["responses_unlinked"] == 3 and d["checkpointed"], d'
# The invited citizen's own address in an answer kept as typed goes too;
# an address that is no contact's stays (until it is erased, below).
[ "$(q "SELECT value_text FROM answer WHERE value_text LIKE 'Mijn adres%'")" = "Mijn adres is [e-mail]; mijn buurman is piet.pan@example.org." ] ||
	fail "the purge did not mask the citizen's address in the open answer"
# The -wal file is empty after the checkpoint (or gone).
[ ! -s "$DB-wal" ] || fail "the -wal file still holds $(wc -c <"$DB-wal") bytes"
for a in $ADDRS; do
	n=$(held "$a")
	[ "$n" -eq 0 ] || fail "$a is still in the database files ($n times) after the purge"
done
while read -r a t; do
	[ "$(held "$t")" -eq 0 ] || fail "the token of $a is in the database in the clear"
	h=$(printf '%s' "$t" | sha256sum | cut -d ' ' -f 1 | tr a-f A-F)
	[ "$(q "SELECT count(*) FROM invitation WHERE hex(token_hash) = '$h'")" = 1 ] ||
		fail "the token of $a is not stored as its hash"
done <tokens.txt
[ "$(q 'SELECT count(*) FROM invitation WHERE email_hash IS NULL OR mail_token IS NOT NULL')" = 0 ] ||
	fail "invitations lost their keyed hash, or kept a token"
[ "$(q 'SELECT count(*) FROM response WHERE invitation_id IS NOT NULL')" = 0 ] ||
	fail "responses still point at invitations"
[ "$(q 'SELECT count(*) FROM response WHERE state = '"'complete'"'')" = 3 ] ||
	fail "the responses themselves must stay"
[ "$(q "SELECT count(*) FROM audit_log WHERE action = 'privacy.purge'")" = 1 ] ||
	fail "no audit entry for the purge"
release
# A second purge changes nothing: not one byte of the file.
sum_before=$(sha256 "$DB")
expect_exit 0 k_at 32 privacy purge --json
expect_json 'assert (d["waves"], d["waves_new"], d["addresses"], d["tokens"], d["mails"], d["replies"], d["responses_unlinked"]) == (1, 0, 0, 0, 0, 0, 0), d'
[ "$(sha256 "$DB")" = "$sum_before" ] || fail "a second purge changed the database"

# --- A new wave a month later: the opted-out address and the invited ones
# are excluded by their keyed hashes, although their addresses are gone.
{
	echo 'contact_id,channel,contact_at,email'
	echo "n1,email,$(day 30),DIRK.dekker@example.org"     # opted out
	echo "n2,email,$(day 30),bert.boon@example.org"       # invited in wave 1
	echo "n3,email,$(day 30),Eva.Eik@example.org"         # invited in wave 1
	echo "n4,email,$(day 30),nieuw.een@example.org"
	echo "n5,email,$(day 30),nieuw.twee@example.org"
} >c2.csv
expect_exit 0 k_at 31 contacts import --municipality GM0001 c2.csv
expect_exit 0 k_at 31 wave create --json --municipality GM0001 --from "$(day 25)" \
    --to "$(day 31)" --channels email --target 8 --response-rate 1 --seed 10
w2=$(json_get 'd["id"]')
expect_exit 0 k_at 31 wave sample "$w2"
expect_exit 0 k_at 31 wave show "$w2" --json
expect_json 'e = d["channels"][0]["excluded"]; assert (e["opted_out"], e["invited_recently"]) == (1, 2), e'
expect_json 'assert d["channels"][0]["frame"] == 2, d["channels"][0]'

# --- A citizen's export: by the address and by its keyed hash.
expect_exit 0 k_at 31 privacy export --email Bert.Boon@example.org --json
expect_json '
c = d["contacts"]; i = d["invitations"]
assert d["address"] == "bert.boon@example.org", d["address"]
assert [x["contact_id"] for x in c] == ["c2", "n2"], c
assert [x["address_held"] for x in c] == [False, True], c
assert [x["wave"] for x in i] == [1], i
assert i[0]["state"] == "responded" and not i[0]["token_held"] and i[0]["response"] is None, i
assert i[0]["wave_purged_at"] is not None and i[0]["mails_with_address"] == 0, i
assert d["opt_outs"] == [] and "no e-mail address" in d["responses"], d'
expect_exit 0 k_at 31 privacy export --email dirk.dekker@example.org
expect_stdout_contains "Afmeldingen (opt-outs), als sleutel-hash bewaard: 1"
expect_stdout_contains "Antwoorden op de vragenlijst bevatten geen e-mailadres"
expect_stdout_contains "alleen een sleutel-hash"
# An exact-address exclusion and an open answer quoting the address.
expect_exit 0 k exclude add nieuw.een@example.org --municipality GM0001
expect_exit 0 k_at 31 privacy export --email nieuw.een@example.org --json
expect_json 'assert [(x["pattern"], x["exact"]) for x in d["exclusions"]] == [("nieuw.een@example.org", True)], d'
expect_json 'assert d["audit_entries_naming_address"] == 1, d'
expect_exit 0 k_at 31 privacy export --email carla.cees@example.net --json
expect_json 'assert d["open_answers_quoting_address"] == 0 and len(d["contacts"]) == 1, d'
expect_exit 0 k_at 31 privacy export --email Piet.Pan@example.org --json
expect_json 'assert d["open_answers_quoting_address"] == 1 and d["contacts"] == [], d'

# --- Erasure: no byte of the address is left, in the db or the -wal.
[ "$(held bert.boon@example.org)" -gt 0 ] || fail "bert is not held before the erasure"
hold_open
expect_exit 0 k_at 31 privacy erase --email BERT.BOON@example.org --json
expect_json 'assert (d["contacts"], d["invitations"], d["opt_outs_kept"]) == (2, 1, 0), d'
expect_json 'assert d["checkpointed"] and d["audit_entries_naming_address"] == 0, d'
[ "$(held bert.boon@example.org)" -eq 0 ] || fail "bert.boon is still in the database files"
[ ! -s "$DB-wal" ] || fail "the -wal file is not empty after the erasure"
release
[ "$(q "SELECT count(*) FROM audit_log WHERE action = 'privacy.erase'")" = 1 ] ||
	fail "no audit entry for the erasure"
expect_exit 1 k_at 31 privacy export --email bert.boon@example.org
expect_stderr_contains "holds nothing about this address"
# The open answer quoting piet's address is masked by his erasure.
expect_exit 0 k_at 31 privacy erase --email piet.pan@example.org
grep -q '^  open antwoorden met adres gemaskeerd: *1$' "$OUT" || fail "the erasure did not say it masked the answer"
[ "$(held piet.pan@example.org)" -eq 0 ] || fail "piet.pan is still in the database files"
[ "$(q "SELECT value_text FROM answer WHERE value_text LIKE 'Mijn adres%'")" = "Mijn adres is [e-mail]; mijn buurman is [e-mail]." ] ||
	fail "the open answer was not masked by the erasure"
# The opted-out citizen: erased, but the opt-out holds, by its hash only.
expect_exit 0 k_at 31 privacy erase --email dirk.dekker@example.org
expect_stdout_contains "De afmelding blijft gelden"
[ "$(held dirk.dekker@example.org)" -eq 0 ] || fail "dirk.dekker is still in the database files"
expect_exit 0 k_at 31 privacy export --email dirk.dekker@example.org --json
expect_json 'assert len(d["opt_outs"]) == 1 and d["contacts"] == [] and d["invitations"] == [], d'
# The exclusion pattern that was the address becomes an opt-out by hash;
# the audit log (append-only) named it when the pattern was added: said.
expect_exit 0 k_at 31 privacy erase --email nieuw.een@example.org --json
expect_json 'assert d["exclusions"] == 1 and d["opt_outs_kept"] == 1 and d["audit_entries_naming_address"] == 1, d'
[ "$(q 'SELECT count(*) FROM address_exclusion')" = 0 ] || fail "the exact pattern is still there"
{
	echo 'contact_id,channel,contact_at,email'
	echo "m1,email,$(day 40),dirk.dekker@example.org"
	echo "m2,email,$(day 40),nieuw.een@example.org"
	echo "m3,email,$(day 40),nieuw.drie@example.org"
} >c3.csv
expect_exit 0 k_at 41 contacts import --municipality GM0001 c3.csv
expect_exit 0 k_at 41 wave create --json --municipality GM0001 --from "$(day 38)" \
    --to "$(day 41)" --channels email --target 8 --response-rate 1 --seed 11
w3=$(json_get 'd["id"]')
expect_exit 0 k_at 41 wave sample "$w3"
expect_exit 0 k_at 41 wave show "$w3" --json
expect_json 'e = d["channels"][0]["excluded"]; assert e["opted_out"] == 2 and d["channels"][0]["frame"] == 1, d["channels"][0]'
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity check"

# --- Bad input: clear messages, the exit statuses of DESIGN.md.
expect_exit 1 k privacy export --email 'geen-adres'
expect_stderr_contains "is not an e-mail address"
expect_exit 1 k privacy erase --email 'iemand@@example.org'
expect_stderr_contains "is not an e-mail address"
expect_exit 1 k privacy erase --email onbekend@example.org
expect_stderr_contains "holds nothing about this address"
expect_exit 2 k privacy export
expect_stderr_contains "Give it with --email"
expect_exit 2 k privacy erase --email a@example.org extra
expect_exit 2 k privacy purge --retention-days abc
expect_stderr_contains "--retention-days 'abc'"
expect_exit 2 k privacy purge --retention-days 3651
expect_exit 2 k privacy settings --keep-open-originals misschien
expect_exit 0 k privacy purge --help
expect_stdout_contains "Usage: kto privacy purge"

# --- kto serve purges at start: wave 2, closed, 31 days on.
expect_exit 0 k_at 31 wave close "$w2"
[ "$(held nieuw.twee@example.org)" -gt 0 ] || fail "wave 2's address is not there before"
KTO_NOW=$(day 62)T12:00:00
start_serve "$DB" "$port"
KTO_NOW=${TODAY}T12:00:00
# nieuw.twee (invited) and Eva (covered by the period, not invited)
wait_log 'privacy purge: retention 30 days, 2 closed wave(s) past it (1 new); erased 2 address(es)'
kill "$SERVE_PID"
wait "$SERVE_PID"
rc=$?
[ "$rc" -eq 0 ] || fail "kto serve exited with $rc on SIGTERM: $(cat serve.log)"
SERVER_PIDS=$(echo "$SERVER_PIDS" | tr ' ' '\n' | grep -v -x -e "$SERVE_PID" | tr '\n' ' ')
grep -q 'stopping' serve.log || fail "kto serve did not stop cleanly"
[ "$(held nieuw.twee@example.org)" -eq 0 ] && [ "$(held eva.eik@example.org)" -eq 0 ] ||
	fail "the daily purge left an address of wave 2"
[ "$(held nieuw.drie@example.org)" -gt 0 ] || fail "the daily purge erased wave 3's address (still running)"
exit 0
