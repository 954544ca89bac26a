# kto wave create|sample|show|list|export-sample|verify|close: defaults and
# per-channel settings, the wave show --json contract (DESIGN.md section 4),
# N_h and the exclusions, sample sizes ceil(target / rate), the shortfall,
# sampling once, the audit re-draw (and a tampered database), reproducible
# samples from the same seed, export without addresses, closing, bad
# input, and continuous (Bernoulli) sampling of new contacts.
. "$(dirname "$0")/lib.sh"

[ -n "$KTO_SOURCE_DIR" ] || { echo "set KTO_SOURCE_DIR" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "wave.sh needs the sqlite3 CLI" >&2; exit 2; }

KTO_NOW=2026-11-20T12:00:00
export KTO_NOW
DB=$T/wave.db
k() {
	timeout 60 "$KTO" --db "$DB" "$@"
}
# k_at TIME ARG...: k with the clock at TIME.
k_at() {
	_at=$1
	shift
	KTO_NOW=$_at timeout 60 "$KTO" --db "$DB" "$@"
}
q() {
	sqlite3 "$DB" "$1" || fail "sqlite3: $1"
}
# setup DB: municipalities GM0001 and GM0002 and the default definitions.
setup() {
	expect_exit 0 timeout 30 "$KTO" --db "$1" municipality add GM0001 --name Testdorp
	expect_exit 0 timeout 30 "$KTO" --db "$1" municipality add GM0002 --name Proefstad
	expect_exit 0 timeout 30 "$KTO" --db "$1" def load "$KTO_SOURCE_DIR"/survey-defs/*.kto
}
# json_get EXPR: a value of the JSON on stdout (d is the document).
json_get() {
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1], "rb"))
print(eval(sys.argv[2]))' "$OUT" "$1" || fail "cannot read $1 from the JSON"
}
# create ARG...: kto wave create --json ARG...; sets $wave to the new id.
create() {
	expect_exit 0 k wave create --json "$@"
	wave=$(json_get 'd["id"]')
}
# show WAVE: kto wave show WAVE --json, checked against the contract.
show() {
	expect_exit 0 k wave show "$1" --json
	expect_stdout_newline
	expect_json '
reasons = {"no_email", "staff_or_test", "opted_out", "invited_recently", "too_old", "duplicate_address"}
counters = ("N", "frame", "sampled", "invited", "reminded", "responded", "mail_failed")
assert {"id", "municipality", "state", "seed", "channels", "totals"} <= set(d), d.keys()
assert isinstance(d["id"], int) and isinstance(d["seed"], int) and d["seed"] >= 0, d
assert d["state"] in ("draft", "sampled", "fieldwork", "closed"), d["state"]
assert isinstance(d["channels"], list) and d["channels"], d
for c in d["channels"] + [d["totals"]]:
    assert {"N", "frame", "excluded", "sampled", "invited", "reminded", "responded", "response_rate", "mail_failed"} <= set(c), c
    assert set(c["excluded"]) == reasons, c["excluded"]
    for k in counters:
        assert isinstance(c[k], int) and c[k] >= 0, (k, c)
    assert all(isinstance(v, int) and v >= 0 for v in c["excluded"].values()), c
    assert c["response_rate"] is None or 0 <= c["response_rate"] <= 1, c
for c in d["channels"]:
    assert c["channel"] in ("counter", "phone", "email"), c
    if c.get("drawn", d["state"] != "draft"):
        assert c["N"] == c["frame"] + sum(c["excluded"].values()), c
        assert c["sampled"] <= c["frame"], c
t = d["totals"]
for k in counters:
    assert t[k] == sum(c[k] for c in d["channels"]), (k, t)
for r in reasons:
    assert t["excluded"][r] == sum(c["excluded"][r] for c in d["channels"]), (r, t)
'
}
waves() {
	q "SELECT count(*) FROM wave"
}

setup "$DB"

# --- Contacts of GM0001 (KTO_NOW is 2026-11-20; invited are contacts of at
# most 7 days ago by default): 1200 counter contacts with an address, 50
# without one, 30 too old, 20 before the period; 100 phone; 500 e-mail.
"$PYTHON" - <<'EOF' || fail "cannot write contacts.csv"
with open("contacts.csv", "w") as f:
    f.write("contact_id,channel,contact_at,email\n")
    for ch, n in (("counter", 1200), ("phone", 100), ("email", 500)):
        for i in range(n):
            f.write(f"{ch[0]}{i},{ch},2026-11-{14 + i % 7:02d} {i % 24:02d}:{i % 60:02d},{ch}.{i}@example.org\n")
    for i in range(50):
        f.write(f"noaddr{i},counter,2026-11-15,\n")
    for i in range(30):
        f.write(f"old{i},counter,2026-11-05,old.{i}@example.org\n")
    for i in range(20):
        f.write(f"before{i},counter,2026-10-15,before.{i}@example.org\n")
EOF
expect_exit 0 k contacts import --municipality GM0001 contacts.csv --json
expect_json 'assert d["totals"]["added"] == 1900, d["totals"]'

# --- A wave with the defaults: all channels, target 100, rate 0.3.
create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 --seed 12345
w1=$wave
expect_json 'assert d["state"] == "draft" and d["seed"] == 12345 and d["municipality"] == "GM0001", d'
expect_exit 0 k wave show "$w1"
expect_stdout_contains "Not sampled yet: kto wave sample $w1"
show "$w1"
expect_json '
assert d["state"] == "draft" and d["seed"] == 12345, d
assert [c["channel"] for c in d["channels"]] == ["counter", "phone", "email"], d
for c in d["channels"]:
    assert c["target"] == 100 and c["expected_response_rate"] == 0.3, c
    assert c["sampled"] == 0 and c["drawn"] is False, c
assert d["recent_days"] == 7 and d["reminder_days"] == 5 and d["exclude_invited_days"] == 182, d
'
expect_exit 1 k wave export-sample "$w1"
expect_stderr_contains "wave $w1 has no sample yet"
expect_exit 1 k wave verify "$w1"
expect_stderr_contains "no sample yet"

# --- Bad input: nothing is created.
n=$(waves)
P="--from 2026-11-01 --to 2026-11-20"
expect_exit 1 k wave create --municipality GM9999 $P
expect_stderr_contains "there is no municipality 'GM9999'"
expect_exit 1 k wave create --municipality GM0001 --from 2026-11-21 --to 2026-11-20
expect_stderr_contains "the period ends (2026-11-20) before it begins (2026-11-21)"
expect_exit 1 k wave create --municipality GM0001 --from 2026-11-01 --to 2026-11-31
expect_stderr_contains "--to '2026-11-31' is not a date"
expect_exit 2 k wave create --municipality GM0001 $P --target 0
expect_stderr_contains "--target: '0' is not a whole number of at least 1"
expect_exit 2 k wave create --municipality GM0001 $P --target phone=0
expect_stderr_contains "--target: '0'"
expect_exit 2 k wave create --municipality GM0001 $P --response-rate 1.5
expect_stderr_contains "--response-rate: '1.5' must be a number above 0 and at most 1"
expect_exit 2 k wave create --municipality GM0001 $P --response-rate 0
expect_stderr_contains "--response-rate: '0' must be a number above 0"
expect_exit 2 k wave create --municipality GM0001 $P --response-rate counter=-0.2
expect_exit 2 k wave create --municipality GM0001 $P --channels counter,fax
expect_stderr_contains "--channels: unknown channel 'fax'"
expect_exit 2 k wave create --municipality GM0001 $P --target fax=10
expect_stderr_contains "unknown channel 'fax'"
expect_exit 1 k wave create --municipality GM0001 $P --channels counter --continuous phone=0.5
expect_stderr_contains "a setting is given for the phone channel, which the wave does not have"
expect_exit 2 k wave create --municipality GM0001 --from 2026-11-01
expect_stderr_contains "--municipality, --from and --to are required"
[ "$(waves)" = "$n" ] || fail "a refused wave create stored a wave"
for sub in show sample verify close export-sample; do
	expect_exit 2 k wave "$sub" abc
	expect_stderr_contains "'abc' is not a wave number"
	expect_exit 2 k wave "$sub" 0
	expect_exit 1 k wave "$sub" 999
	expect_stderr_contains "there is no wave 999"
done


expect_exit 0 k wave sample "$w1"
# The phone frame (100) is smaller than ceil(100 / 0.3) = 334: all taken.
expect_stderr_contains "phone: the frame has only 100 eligible contacts; all are invited, 234 fewer than the 334 planned"
expect_stderr_lacks "counter:"
expect_stderr_lacks "email:"
show "$w1"
expect_json '
assert d["state"] == "sampled" and d["seed"] == 12345, d
ch = {c["channel"]: c for c in d["channels"]}
c, p, e = ch["counter"], ch["phone"], ch["email"]
# N counts the contacts without an address and the old ones, not those
# before the period.
assert c["N"] == 1280 and c["frame"] == 1200, c
assert c["excluded"] == {"no_email": 50, "staff_or_test": 0, "opted_out": 0, "invited_recently": 0, "too_old": 30, "duplicate_address": 0}, c
assert c["sampled"] == 334 and c["shortfall"] == 0, c
assert p["N"] == 100 and p["frame"] == 100 and p["sampled"] == 100 and p["shortfall"] == 234, p
assert e["N"] == 500 and e["frame"] == 500 and e["sampled"] == 334, e
assert d["totals"]["N"] == 1880 and d["totals"]["sampled"] == 768, d["totals"]
for x in (c, p, e):
    assert x["invited"] == 0 and x["responded"] == 0 and x["response_rate"] is None, x
'
[ "$(q "SELECT count(*) FROM invitation WHERE wave_id = $w1")" = 768 ] || fail "not 768 invitations queued"
[ "$(q "SELECT count(DISTINCT token_hash) FROM invitation WHERE wave_id = $w1")" = 768 ] || fail "tokens are not distinct"
[ "$(q "SELECT count(*) FROM invitation i JOIN contact c ON c.id = i.contact_id WHERE i.wave_id = $w1 AND (c.email IS NULL OR c.contact_at < '2026-11-13T12:00:00' OR c.channel <> i.channel)")" = 0 ] ||
    fail "an excluded contact, or one of another channel, was invited"
expect_exit 0 k wave show "$w1"
expect_stdout_contains "contacts in period (N)"
grep -Eq '^  contacts in period \(N\) +1280 +100 +500 +1880$' "$OUT" || fail "wave show: N row"
grep -Eq '^  sample +334 +100 +334 +768$' "$OUT" || fail "wave show: sample row"
grep -Eq '^  short of the plan +0 +234 +0 +234$' "$OUT" || fail "wave show: shortfall row"

# Sampling twice is refused, naming the existing sample.
expect_exit 1 k wave sample "$w1"
expect_stderr_contains "wave $w1 was sampled already on 2026-11-20T12:00:00: 768 invitations"
expect_stderr_contains "kto wave verify $w1"
[ "$(q "SELECT count(*) FROM invitation WHERE wave_id = $w1")" = 768 ] || fail "a second sample added invitations"

# The audit re-draw.
expect_exit 0 k wave verify "$w1"
expect_stdout_contains "counter: 334 of 1200, identical"
expect_stdout_contains "phone: 100 of 100, identical"
expect_stdout_contains "email: 334 of 500, identical"
expect_stdout_contains "gives exactly the sample that was invited"

# export-sample: contact_id,channel in draw order, no addresses.
expect_exit 0 k wave export-sample "$w1"
cp "$OUT" export1.csv
[ "$(head -n 1 export1.csv | tr -d '\r')" = "contact_id,channel" ] || fail "export header: $(head -n 1 export1.csv)"
[ "$(wc -l <export1.csv)" -eq 769 ] || fail "export: not 768 rows"
grep -q '@' export1.csv && fail "export-sample contains an '@'"
[ "$(grep -c ',counter' export1.csv)" -eq 334 ] || fail "export: not 334 counter rows"
[ "$(grep -c '^p[0-9]*,phone' export1.csv)" -eq 100 ] || fail "export: not 100 phone rows"
[ "$(tail -n +2 export1.csv | cut -d , -f 1 | sort -u | wc -l)" -eq 768 ] || fail "export: duplicate contacts"
tail -n +2 export1.csv | tr -d '\r' >ids1.txt
q "SELECT c.external_id || ',' || i.channel FROM invitation i JOIN contact c ON c.id = i.contact_id
   WHERE i.wave_id = $w1 ORDER BY CASE i.channel WHEN 'counter' THEN 0 WHEN 'phone' THEN 1 ELSE 2 END, i.draw_order" >ids-db.txt
cmp -s ids1.txt ids-db.txt || fail "export-sample is not the invitations in draw order"
expect_exit 0 k wave export-sample "$w1" --out export1b.csv
expect_stdout_empty
cmp -s export1.csv export1b.csv || fail "--out wrote something else"

# --- Same data and seed in a second database: the same sample.
DB2=$T/wave2.db
setup "$DB2"
expect_exit 0 timeout 30 "$KTO" --db "$DB2" contacts import --municipality GM0001 contacts.csv
expect_exit 0 timeout 30 "$KTO" --db "$DB2" wave create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 --seed 12345 --json
w2=$(json_get 'd["id"]')
expect_exit 0 timeout 30 "$KTO" --db "$DB2" wave sample "$w2"
expect_exit 0 timeout 30 "$KTO" --db "$DB2" wave export-sample "$w2"
cmp -s export1.csv "$OUT" || fail "the same data and seed gave another sample"
# ... and another seed another one.
expect_exit 0 timeout 30 "$KTO" --db "$DB2" wave create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 --channels counter --seed 54321 --exclude-invited-days 0 --json
w3=$(json_get 'd["id"]')
# (an hour later: --exclude-invited-days 0 still skips an address invited
# at the very same second, see exclusions.sh)
expect_exit 0 env KTO_NOW=2026-11-20T13:00:00 timeout 30 "$KTO" --db "$DB2" wave sample "$w3"
expect_exit 0 timeout 30 "$KTO" --db "$DB2" wave export-sample "$w3"
grep ',counter' export1.csv >c1.txt
cmp -s c1.txt "$OUT" && fail "another seed gave the same counter sample"
[ "$(wc -l <"$OUT")" -eq 335 ] || fail "seed 54321: not 334 counter rows"

# Tampering: an invitation moved to another contact of the frame.
other=$(sqlite3 "$DB2" "SELECT id FROM contact WHERE channel = 'counter' AND email IS NOT NULL AND contact_at >= '2026-11-14' AND id NOT IN (SELECT contact_id FROM invitation WHERE wave_id = $w2) LIMIT 1")
[ -n "$other" ] || fail "no contact to tamper with"
sqlite3 "$DB2" "UPDATE invitation SET contact_id = $other WHERE id = (SELECT min(id) FROM invitation WHERE wave_id = $w2 AND channel = 'counter')" ||
    fail "sqlite3 could not tamper"
expect_exit 1 timeout 30 "$KTO" --db "$DB2" wave verify "$w2"
expect_stderr_contains "counter: drawing again from the recorded frame and seed gives a different sample than the invitations"
expect_stdout_lacks "exactly the sample"
# A changed recorded frame is found too.
expect_exit 0 timeout 30 "$KTO" --db "$DB2" wave verify "$w3"
sqlite3 "$DB2" "UPDATE wave_channel SET frame_ids = zeroblob(length(frame_ids)) WHERE wave_id = $w3" || fail "sqlite3 could not tamper"
expect_exit 1 timeout 30 "$KTO" --db "$DB2" wave verify "$w3"
expect_stderr_contains "counter: the recorded frame"

# --- Per-channel targets and response rates; sizes ceil(target / rate).
create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 --channels counter,phone \
    --target counter=50,phone=20 --response-rate phone=0.5,counter=0.25 \
    --exclude-invited-days 0 --seed 7
w4=$wave
show "$w4"
expect_json '
assert [c["channel"] for c in d["channels"]] == ["counter", "phone"], d["channels"]
ch = {c["channel"]: c for c in d["channels"]}
assert ch["counter"]["target"] == 50 and ch["counter"]["expected_response_rate"] == 0.25, ch
assert ch["phone"]["target"] == 20 and ch["phone"]["expected_response_rate"] == 0.5, ch
'
expect_exit 0 k_at 2026-11-20T13:00:00 wave sample "$w4" --json
expect_stderr_empty
expect_json '
ch = {c["channel"]: c for c in d["channels"]}
assert ch["counter"]["sampled"] == 200 and ch["phone"]["sampled"] == 40, ch
assert ch["counter"]["excluded"]["invited_recently"] == 0, ch
assert d["totals"]["sampled"] == 240, d["totals"]
'
show "$w4"
# 30 / 0.3 is 100.00000000000001 in floating point: still 100.  A cap wins
# over the plan.
create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 --channels email,counter \
    --target 30 --response-rate 0.3 --max-invitations counter=10 --exclude-invited-days 0 --seed 8
w5=$wave
expect_exit 0 k_at 2026-11-20T13:00:00 wave sample "$w5" --json
expect_json '
assert [c["channel"] for c in d["channels"]] == ["counter", "email"], d["channels"]
ch = {c["channel"]: c for c in d["channels"]}
assert ch["email"]["sampled"] == 100 and ch["email"]["expected_response_rate"] == 0.3, ch
assert ch["counter"]["sampled"] == 10, ch
'
expect_exit 0 k wave verify "$w5"

# Without --seed: a random seed, recorded, and the re-draw uses it.
create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 --channels phone --target 5 --exclude-invited-days 0
w6=$wave
seed6=$(json_get 'd["seed"]')
create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 --channels phone --target 5 --exclude-invited-days 0
w7=$wave
seed7=$(json_get 'd["seed"]')
[ "$seed6" != "$seed7" ] || fail "two waves without --seed got the same seed $seed6"
expect_exit 0 k_at 2026-11-20T13:00:00 wave sample "$w6"
show "$w6"
expect_json 'assert d["seed"] == int(args[0]) and d["channels"][0]["sampled"] == 17, d' "$seed6"
expect_exit 0 k wave verify "$w6"

# --- wave list.
expect_exit 0 k wave list
expect_stdout_contains "WAVE"
grep -Eq "^ +$w1  GM0001 +sampled +2026-11-01 2026-11-20 +768 +0$" "$OUT" || fail "wave list: wave $w1"
grep -Eq "^ +$w7  GM0001 +draft " "$OUT" || fail "wave list: wave $w7"
expect_exit 0 k wave list --json
expect_json '
assert [w["id"] for w in d] == sorted((w["id"] for w in d), reverse=True), d
w = [x for x in d if x["id"] == int(args[0])][0]
assert w["state"] == "sampled" and w["sampled"] == 768 and w["municipality"] == "GM0001", w
assert len(d) == int(args[1]), d
' "$w1" "$(waves)"
expect_exit 0 k wave list --municipality GM0002 --json
expect_json 'assert d == [], d'
expect_exit 0 k wave list --municipality GM0002
expect_stdout_contains "No waves yet"

# --- Closing: state closed; no more sampling; closing again refused.
expect_exit 0 k wave close "$w7"
expect_stdout_contains "Closed wave $w7"
show "$w7"
expect_json 'assert d["state"] == "closed", d'
expect_exit 1 k wave sample "$w7"
expect_stderr_contains "wave $w7 is closed"
[ "$(q "SELECT count(*) FROM invitation WHERE wave_id = $w7")" = 0 ] || fail "a closed wave was sampled"
expect_exit 0 k wave close "$w1"
expect_exit 1 k wave close "$w1"
expect_stderr_contains "closed already"
show "$w1"
expect_json 'assert d["state"] == "closed" and d["totals"]["sampled"] == 768, d'
expect_exit 0 k wave verify "$w1"

# --- Continuous: each new contact with probability 0.5; a later draw
# considers only the contacts that arrived since.
"$PYTHON" - <<'EOF' || fail "cannot write the continuous files"
for name, prefix, day, n in (("cont1.csv", "a", 18, 400), ("cont2.csv", "b", 22, 200)):
    with open(name, "w") as f:
        f.write("contact_id,channel,contact_at,email\n")
        for i in range(n):
            f.write(f"{prefix}{i},email,2026-11-{day} 10:00,{prefix}.{i}@proefstad.nl\n")
EOF
expect_exit 0 k contacts import --municipality GM0002 cont1.csv
create --municipality GM0002 --from 2026-11-01 --to 2026-12-31 --channels email --continuous email=0.5 --seed 99
w8=$wave
expect_exit 0 k wave sample "$w8" --json
expect_json '
assert d["continuous"] is True, d
c = d["channels"][0]
assert c["continuous_fraction"] == 0.5, c
assert c["N"] == 400 and c["frame"] == 400, c
assert 140 <= c["sampled"] <= 260, c
' 
first=$(json_get 'd["channels"][0]["sampled"]')
expect_exit 0 k wave verify "$w8"
expect_stdout_contains "email (continuous draw): $first of 400, identical"
# Two days later, 200 newer contacts.
expect_exit 0 k_at 2026-11-22T12:00:00 contacts import --municipality GM0002 cont2.csv
expect_exit 0 k_at 2026-11-22T12:00:00 wave sample "$w8" --json
show "$w8"
expect_json '
c = d["channels"][0]
assert c["N"] == 600 and c["frame"] == 600, c
assert d["state"] == "sampled", d
' 
total=$(json_get 'd["channels"][0]["sampled"]')
second=$((total - first))
[ "$second" -ge 60 ] && [ "$second" -le 140 ] || fail "second draw sampled $second of 200"
[ "$(q "SELECT group_concat(considered || '/' || sampled, ' ') FROM (SELECT considered, sampled FROM wave_draw WHERE wave_id = $w8 ORDER BY id)")" = "400/$first 200/$second" ] ||
    fail "the draws considered: $(q "SELECT considered, sampled FROM wave_draw WHERE wave_id = $w8")"
[ "$(q "SELECT count(*) FROM invitation i JOIN contact c ON c.id = i.contact_id WHERE i.wave_id = $w8 AND i.draw_id = (SELECT max(id) FROM wave_draw WHERE wave_id = $w8) AND c.external_id NOT LIKE 'b%'")" = 0 ] ||
    fail "the second draw invited a contact of the first"
[ "$(q "SELECT count(DISTINCT contact_id) FROM invitation WHERE wave_id = $w8")" = "$total" ] || fail "a contact was invited twice"
expect_exit 0 k wave verify "$w8"
expect_stdout_contains "email (continuous draw): $first of 400, identical"
expect_stdout_contains "email (continuous draw): $second of 200, identical"
# No new contacts: a draw of nothing, nothing changes.
expect_exit 0 k_at 2026-11-22T13:00:00 wave sample "$w8"
[ "$(q "SELECT count(*) FROM invitation WHERE wave_id = $w8")" = "$total" ] || fail "an empty draw invited someone"
expect_exit 0 k wave verify "$w8"

create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 --channels email --response-rate 0,3
show "$wave"
expect_json 'assert d["channels"][0]["expected_response_rate"] == 0.3, d'
create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 --channels email,phone --response-rate email=0,4,phone=0,5
show "$wave"
expect_json 'assert [c["expected_response_rate"] for c in d["channels"]] == [0.5, 0.4], d'

create --municipality GM0002 --from 2026-11-01 --to 2026-12-31 --channels email --continuous 0.5 --seed 99
show "$wave"
expect_json 'assert d["continuous"] is True and d["channels"][0]["continuous_fraction"] == 0.5, d'

echo "wave: ok"
