# kto send against a real SMTP server on 127.0.0.1 (scripts/smtpd.py,
# aiosmtpd; DESIGN.md section 3): every delivered message is parsed back
# with Python's email package.  One message per sampled contact, none
# twice; From with the display name, To, Subject in the contact's language,
# Date from the injected clock, unique Message-IDs, List-Unsubscribe (https,
# and mailto when configured) with List-Unsubscribe-Post, text and HTML
# parts with the same personal link, Dutch characters (e, i with diaeresis,
# the euro sign) encoded and decoded right; running again sends nothing;
# wave show counts; reminders after exactly the wave's reminder delay, at
# most one, none after a response, an opt-out or the wave's close; the
# refusals (no sender address, no public URL, no SMTP server), --limit, and
# the --json summary.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/smtp_lib.sh"

T0=2026-11-20T12:00:00
KTO_NOW=$T0
export KTO_NOW
DB=$T/send.db
BASE_URL=https://kto.example.nl
k() {
	timeout 60 "$KTO" --db "$DB" "$@"
}
# k_at TIME ARG...: k with the clock at TIME.
k_at() {
	_at=$1
	shift
	KTO_NOW=$_at timeout 60 "$KTO" --db "$DB" "$@"
}

NAME=$(printf 'Zo\303\253ter\303\257jk \342\202\254')       # Zoëterïjk €
SENDER_NAME=$(printf 'Gemeente T\303\251st')                # Gemeente Tést
SIG=$(printf 'Team Klantcontact\nCo\303\266rdinatie: No\303\253l \303\217kema, \342\202\254 0,00')
PRIVACY=https://www.gemeente.example/privacy

# --- Two municipalities, the default questionnaires, contacts.
expect_exit 0 k municipality add GM0001 --name "$NAME"
expect_exit 0 k municipality add GM0002 --name Proefstad
expect_exit 0 k municipality set GM0002 --sender-address kto@proefstad.example \
    --privacy-url https://proefstad.example/privacy
expect_exit 0 k def load "$KTO_SOURCE_DIR"/survey-defs/*.kto

# contacts.json: what each contact should get, by municipality and id.
"$PYTHON" - <<'EOF' || fail "cannot write the contacts"
import json
info = {}
def write(path, muni, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("contact_id,channel,contact_at,email,language\n")
        for cid, ch, day, email, lang in rows:
            f.write(f"{cid},{ch},2026-11-{day:02d} 10:30,{email},{lang}\n")
            if email:
                info[f"{muni}/{cid}"] = {"email": email, "channel": ch, "day": day,
                                         "lang": lang or "nl", "muni": muni}
rows = []
for i in range(1, 11):
    lang = "en" if i <= 3 else ("" if i <= 5 else "nl")
    rows.append((f"b{i:02d}", "counter", 14 + i % 5, f"balie.{i:02d}@example.org", lang))
for i in range(1, 11):
    email = "telefoon+5@example.org" if i == 5 else f"telefoon.{i:02d}@example.org"
    rows.append((f"t{i:02d}", "phone", 15 + i % 4, email, "en" if i <= 2 else "nl"))
for i in range(1, 7):
    rows.append((f"e{i:02d}", "email", 16 + i % 3, f"mail.{i:02d}@example.org", "en" if i <= 3 else "nl"))
rows += [("n1", "counter", 17, "", "nl"), ("n2", "phone", 17, "", "en"),
         ("old1", "counter", 2, "old.1@example.org", "nl")]
write("contacts1.csv", "GM0001", rows)
write("contacts2.csv", "GM0002",
      [(f"p{i}", "counter", 18, f"proef.{i}@example.net", "nl") for i in range(1, 5)])
json.dump(info, open("contacts.json", "w"))
EOF
expect_exit 0 k contacts import --municipality GM0001 contacts1.csv --json
expect_json 'assert d["totals"]["added"] == 29 and d["totals"]["rejected"] == 0, d["totals"]'
expect_exit 0 k contacts import --municipality GM0002 contacts2.csv --json
expect_json 'assert d["totals"]["added"] == 4, d["totals"]'

# Wave 1: 6 of the 10 counter and of the 10 phone contacts, all 6 e-mail
# contacts (the plan wants more than there are); wave 2: all 4.
expect_exit 0 k wave create --json --municipality GM0001 --from 2026-11-01 \
    --to 2026-11-20 --target counter=3,phone=3,email=30 --response-rate 0.5 \
    --seed 20261120
w1=$(json_get 'd["id"]')
expect_exit 0 k wave create --json --municipality GM0002 --from 2026-11-01 \
    --to 2026-11-20 --channels counter --target 4 --response-rate 1 --seed 7
w2=$(json_get 'd["id"]')
expect_exit 0 k wave sample "$w1"
expect_exit 0 k wave sample "$w2"

# expect.json: the sampled contacts (kto wave export-sample) by address,
# with what their mail must say.
: >samples.csv
for w in "$w1" "$w2"; do
	expect_exit 0 k wave export-sample "$w"
	muni=GM0001
	[ "$w" = "$w2" ] && muni=GM0002
	tail -n +2 "$OUT" | sed "s|^|$w,$muni,|" >>samples.csv
done
"$PYTHON" - "$NAME" "$SENDER_NAME" "$SIG" "$PRIVACY" <<'EOF' || fail "cannot work out the expected mail"
import json, os, sys
name, sender_name, sig, privacy = (os.fsencode(a).decode("utf-8") for a in sys.argv[1:5])
info = json.load(open("contacts.json"))
months = {"nl": "november", "en": "November"}
exp = {}
for line in open("samples.csv"):
    wave, muni, cid, channel = line.strip().split(",")
    c = info[f"{muni}/{cid}"]
    assert c["channel"] == channel, (c, channel)
    assert c["email"] not in exp, ("an address sampled twice", c)
    if muni == "GM0001":
        who = {"muni": name, "sender_name": sender_name, "sender_addr": "kto@gemeente.example",
               "reply_to": "klantcontact@gemeente.example",
               "must": [name, sender_name, privacy] + sig.split("\n")}
    else:
        who = {"muni": "Proefstad", "sender_name": "Proefstad", "sender_addr": "kto@proefstad.example",
               "reply_to": None, "must": ["Proefstad"]}
    who.update(wave=int(wave), channel=channel, lang=c["lang"],
               date=f"{c['day']} {months[c['lang']]} 2026")
    who["must"] = who["must"] + [who["date"]]
    exp[c["email"]] = who
json.dump(exp, open("expect.json", "w"))
EOF
expect_exit 0 "$PYTHON" -c 'import json
exp = json.load(open("expect.json"))
w1 = [e for e in exp.values() if e["muni"] != "Proefstad"]
by = lambda ch: [e for e in w1 if e["channel"] == ch]
assert len(exp) == 22 and len(w1) == 18, len(exp)
assert len(by("counter")) == 6 and len(by("phone")) == 6 and len(by("email")) == 6
assert {e["lang"] for e in by("email")} == {"nl", "en"}, "no English contact in the sample"'
expect_exit 0 "$PYTHON" "$MAILCHECK" subjects "$KTO_SOURCE_DIR"/survey-defs/*.kto
cp "$OUT" subjects.json

# The checks of one batch of mail: check(d, kind, date, tokens, mailto)
# with d the parsed messages, kind "invitation" or "reminder", date the
# clock of the run that queued them, tokens {address: token} when the
# tokens are known already (reminders reuse the invitation's link).
cat >check.py <<'EOF'
import html as htmlmod, json, os, re
exp = json.load(open("expect.json"))
subjects = json.load(open("subjects.json"))
BASE = "https://kto.example.nl"

def outbox(kind):
    return {r["email"]: r for r in json.load(open("outbox.json")) if r["kind"] == kind}

def check(d, kind, date, recipients, tokens=None, mailto=None):
    ob = outbox(kind)
    tos = [m["to"][0]["addr"] for m in d if m["to"]]
    # exactly one message per recipient, and none to anybody else
    assert len(tos) == len(d), "a message without To"
    assert sorted(tos) == sorted(recipients), (sorted(tos), sorted(recipients))
    ids = [m["message_id"] for m in d]
    assert len(set(ids)) == len(ids), "a Message-ID twice"
    seen = {}
    for m in d:
        who = m["to"][0]["addr"]
        e = exp[who]
        where = (m["file"], who)
        assert m["env_to"] == [who] and len(m["to"]) == 1, where
        assert m["env_from"] == e["sender_addr"], where
        assert m["from"] == [{"name": e["sender_name"], "addr": e["sender_addr"]}], (where, m["from"])
        assert m["reply_to"] == (None if e["reply_to"] is None else
                                 [{"name": "", "addr": e["reply_to"]}]), (where, m["reply_to"])
        for h in ("from", "to", "date", "subject", "message-id", "mime-version",
                  "list-unsubscribe", "list-unsubscribe-post"):
            assert m["count"].get(h) == 1, (where, h, m["count"])
        # on the wire: 7-bit, CRLF, no line over the limit of RFC 5322
        assert m["raw_7bit"] and m["raw_crlf"] and m["max_line"] <= 998, where
        assert m["defects"] == [], (where, m["defects"])
        subject = subjects[e["channel"]][kind][e["lang"]].replace("{municipality}", e["muni"])
        assert m["subject"] == subject, (where, m["subject"], subject)
        if any(ord(c) > 127 for c in subject):
            assert m["raw_subject_encoded"], (where, "Subject not RFC 2047 encoded")
        assert m["date"] == date + "+00:00", (where, m["date"])
        assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", m["message_id"]), (where, m["message_id"])
        assert m["message_id"] == "<" + ob[who]["message_id"] + ">", (where, m["message_id"])
        assert m["mime_version"] == "1.0" and m["content_language"] == e["lang"], where
        assert m["auto_submitted"] == "auto-generated", where
        assert m["content_type"] == "multipart/alternative", where
        assert [(p["type"], p["charset"], p["cte"]) for p in m["parts"]] == [
            ("text/plain", "utf-8", "quoted-printable"),
            ("text/html", "utf-8", "quoted-printable")], (where, m["parts"])
        # the personal link: the same token in both parts and the opt-out
        token = m["s_text"][0] if m["s_text"] else None
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token or ""), (where, token)
        assert m["s_text"] == [token] and set(m["s_html"]) == {token}, (where, m["s_text"], m["s_html"])
        assert set(m["o_text"]) == {token} and set(m["o_html"]) == {token}, where
        assert f'<a href="{BASE}/s/{token}">' in m["html"], where
        if tokens is not None:
            assert token == tokens[who], (where, token, tokens[who])
        elif ob[who]["token"] is not None:
            assert token == ob[who]["token"], (where, "not the invitation's token")
        assert token not in seen, ("the same token for", who, seen.get(token))
        seen[token] = who
        unsub = [f"{BASE}/o/{token}"] + ([f"mailto:{mailto}?subject=unsubscribe"] if mailto else [])
        assert m["unsub_entries"] == unsub, (where, m["list_unsubscribe"])
        assert m["list_unsubscribe_post"] == "List-Unsubscribe=One-Click", where
        # every placeholder filled in; the Dutch characters decoded
        text, html = m["text"], m["html"]
        assert not re.search(r"\{[a-z_]+\}", text + html), where
        visible = htmlmod.unescape(re.sub(r"<[^>]*>", "", html))
        for s in e["must"]:
            assert s in text, (where, "text lacks", s)
            assert s in visible, (where, "HTML lacks", s)
        # No sentence may end where the privacy statement's link belongs.
        for part in (text, visible):
            assert not re.search(r"(leest u op|privacy at|privacy:)[ \t]*(\r?\n|$)", part), \
                (where, "a privacy sentence without its link")
    return seen
EOF

# --- Refusals before anything is sent.
start_smtpd mail
SERVER=$SMTP
expect_exit 1 k send
expect_stderr_contains "no SMTP server"
expect_stderr_contains "--smtp"
expect_stderr_contains "KTO_SMTP_URL"
expect_exit 1 k send --smtp "http://127.0.0.1:$PORT"
expect_stderr_contains "must start with smtp:// or smtps://"
expect_exit 1 k send --smtp "smtp://user:secret@127.0.0.1:$PORT"
expect_stderr_contains "must not contain a user name or password"
expect_exit 2 k send --smtp "$SERVER" --limit 0
expect_stderr_contains "--limit: '0'"
expect_exit 2 k send --smtp "$SERVER" --limit many
expect_exit 2 k send --smtp "$SERVER" extra
[ "$(q 'SELECT count(*) FROM mail_outbox')" = 0 ] || fail "a refused send queued mail"
[ "$(mail_count mail)" = 0 ] || fail "a refused send delivered mail"

# GM0001 has no sender address yet: its 18 messages cannot be made (the
# message says how to fix it, and the exit status says something must be
# fixed), while GM0002's 4 go out.
expect_exit 1 env KTO_PUBLIC_URL="$BASE_URL" timeout 60 "$KTO" --db "$DB" \
    send --smtp "$SERVER" --json
expect_json '
assert d["queued_invitations"] == 4 and d["not_queued"] == 18, d
assert d["sent"] == 4 and d["temporary_failures"] == 0 and d["permanent_failures"] == 0, d'
expect_stderr_contains "18 messages could not be made"
expect_stderr_contains "kto municipality set GM0001 --sender-address"
[ "$(mail_count mail)" = 4 ] || fail "expected the 4 messages of GM0002"
read_mail mail
expect_mail 'assert sorted(m["to"][0]["addr"] for m in d) == [f"proef.{i}@example.net" for i in range(1, 5)], d'
expect_exit 0 k wave show "$w1" --json
expect_json 'assert d["totals"]["invited"] == 0 and d["state"] == "sampled", d'

expect_exit 0 k municipality set GM0001 --sender-name "$SENDER_NAME" \
    --sender-address kto@gemeente.example --reply-to klantcontact@gemeente.example \
    --privacy-url "$PRIVACY" --signature "$SIG"

# No public URL for the links: nothing can be made, and the message says
# where to set it.  (Exit 0 or 1: the run itself did what it could.)
run k send --smtp "$SERVER"
[ "$STATUS" -eq 0 ] || [ "$STATUS" -eq 1 ] || fail "unexpected exit status $STATUS"
expect_stderr_contains "18 messages could not be made"
expect_stderr_contains "no public URL"
expect_stderr_contains "KTO_PUBLIC_URL"
[ "$(mail_count mail)" = 4 ] || fail "mail went out without a public URL"
[ "$(q "SELECT count(*) FROM mail_outbox")" = 4 ] || fail "mail without links was queued"

KTO_PUBLIC_URL=$BASE_URL
export KTO_PUBLIC_URL

# --- --limit, with the server from KTO_SMTP_URL: 18 queued, 5 delivered.
expect_exit 0 env KTO_SMTP_URL="$SERVER" timeout 60 "$KTO" --db "$DB" send --limit 5
expect_stdout_contains "Queued 18 invitations and 0 reminders; delivered 5,"
expect_stdout_contains "13 waiting (13 due now), 9 sent, 0 failed"
expect_stderr_empty
[ "$(mail_count mail)" = 9 ] || fail "--limit 5 did not deliver exactly 5"

# --- The rest, with the --json summary.
expect_exit 0 k send --smtp "$SERVER" --json
expect_stdout_newline
expect_json '
assert set(d) >= {"queued_invitations", "queued_reminders", "not_queued", "sent",
                  "temporary_failures", "permanent_failures", "outbox"}, d
assert all(isinstance(d[k], int) for k in d if k != "outbox"), d
assert (d["queued_invitations"], d["queued_reminders"], d["not_queued"]) == (0, 0, 0), d
assert (d["sent"], d["temporary_failures"], d["permanent_failures"]) == (13, 0, 0), d
assert d["outbox"] == {"queued": 0, "sending": 0, "temp_failed": 0, "due": 0,
                       "sent": 22, "perm_failed": 0}, d["outbox"]'
[ "$(mail_count mail)" = 22 ] || fail "expected 22 messages in all"

# Running again sends nothing new.
expect_exit 0 k send --smtp "$SERVER" --json
expect_json 'assert (d["queued_invitations"], d["sent"], d["outbox"]["sent"]) == (0, 0, 22), d'
expect_exit 0 k send --smtp "$SERVER"
expect_stdout_contains "Queued 0 invitations and 0 reminders; delivered 0,"
[ "$(mail_count mail)" = 22 ] || fail "a second run sent mail again"

# wave show counts the invited.
expect_exit 0 k wave show "$w1" --json
expect_json '
assert d["state"] == "fieldwork", d["state"]
for c in d["channels"] + [d["totals"]]:
    assert c["invited"] == c["sampled"] and c["reminded"] == 0 and c["mail_failed"] == 0, c
assert d["totals"]["invited"] == 18, d["totals"]'
expect_exit 0 k wave show "$w2" --json
expect_json 'assert d["totals"]["invited"] == 4 and d["state"] == "fieldwork", d["totals"]'

# --- Every message parsed back.
sqlite3 -json "$DB" "SELECT c.email, o.kind, o.message_id, o.state, i.mail_token AS token \
    FROM mail_outbox o JOIN invitation i ON i.id = o.invitation_id \
    JOIN contact c ON c.id = i.contact_id" >outbox.json || fail "cannot read the outbox"
read_mail mail
expect_mail '
exec(open("check.py").read())
tokens = check(d, "invitation", "2026-11-20T12:00:00", list(exp))
json.dump({who: t for t, who in tokens.items()}, open("tokens.json", "w"))
# the sent rows kept neither the address nor the text
assert all(r["state"] == "sent" for r in json.load(open("outbox.json"))), "not all sent"
'
[ "$(q "SELECT count(*) FROM mail_outbox WHERE message IS NOT NULL OR recipient IS NOT NULL")" = 0 ] ||
    fail "sent messages keep their text or address in the outbox"

# --- Reminders.  One GM0001 invitee answered, one opted out; wave 2 is
# closed.  Reminders are due at exactly T0 + 5 days (the default delay).
responder=$("$PYTHON" -c 'import json
exp = json.load(open("expect.json"))
print(sorted(a for a, e in exp.items() if e["wave"] == '"$w1"' and e["lang"] == "nl")[0])')
optout=$("$PYTHON" -c 'import json
exp = json.load(open("expect.json"))
print(sorted(a for a, e in exp.items() if e["wave"] == '"$w1"' and e["lang"] == "en")[0])')
q "UPDATE invitation SET state = 'responded', responded_at = '2026-11-21T09:00:00' \
    WHERE contact_id = (SELECT id FROM contact WHERE email = '$responder')"
expect_exit 0 k_at 2026-11-22T08:00:00 optout add "$optout"
expect_exit 0 k wave close "$w2"

expect_exit 0 k_at 2026-11-25T11:59:59 send --smtp "$SERVER" --json
expect_json 'assert (d["queued_reminders"], d["sent"]) == (0, 0), d'
[ "$(mail_count mail)" = 22 ] || fail "a reminder before the wave's reminder delay"

start_smtpd reminders
expect_exit 0 env KTO_OPTOUT_MAILTO=afmelden@gemeente.example KTO_NOW=2026-11-25T12:00:00 \
    timeout 60 "$KTO" --db "$DB" send --smtp "$SMTP" --json
expect_json '
assert d["queued_invitations"] == 0 and d["sent"] == 16, d
assert d["temporary_failures"] == 0 and d["permanent_failures"] == 0, d'
[ "$(mail_count reminders)" = 16 ] || fail "expected 16 reminders"
sqlite3 -json "$DB" "SELECT c.email, o.kind, o.message_id, o.state, i.mail_token AS token \
    FROM mail_outbox o JOIN invitation i ON i.id = o.invitation_id \
    JOIN contact c ON c.id = i.contact_id" >outbox.json || fail "cannot read the outbox"
read_mail reminders
expect_mail '
exec(open("check.py").read())
tokens = json.load(open("tokens.json"))
responder, optout = (os.fsdecode(a) for a in args)
want = [a for a, e in exp.items() if e["wave"] == '"$w1"' and a not in (responder, optout)]
assert len(want) == 16
check(d, "reminder", "2026-11-25T12:00:00", want, tokens, "afmelden@gemeente.example")
# a reminder never reuses the invitation message-id
inv = outbox("invitation")
assert not {m["message_id"] for m in d} & {"<" + r["message_id"] + ">" for r in inv.values()}
' "$responder" "$optout"
expect_exit 0 k wave show "$w1" --json
expect_json '
t = d["totals"]
assert (t["invited"], t["reminded"], t["responded"], t["mail_failed"]) == (18, 16, 1, 0), t'
expect_exit 0 k wave show "$w2" --json
expect_json '
t = d["totals"]
assert d["state"] == "closed" and (t["invited"], t["reminded"]) == (4, 0), (d["state"], t)'

# At most one reminder; a closed wave sends nothing more.
expect_exit 0 k_at 2026-11-30T12:00:00 send --smtp "$SMTP" --json
expect_json '
assert (d["queued_invitations"], d["queued_reminders"], d["sent"]) == (0, 0, 0), d
assert d["outbox"]["sent"] == 38, d["outbox"]'
expect_exit 0 k_at 2026-12-20T12:00:00 send --smtp "$SMTP"
expect_stdout_contains "Queued 0 invitations and 0 reminders; delivered 0,"
[ "$(mail_count reminders)" = 16 ] || fail "a second reminder went out"
[ "$(mail_count mail)" = 22 ] || fail "more mail to the first server"
