#!/usr/bin/env python3
"""kto export results | responses, read back as analysts will.

The demo's waves get synthetic complete responses (and drafts, which must
not be exported) written straight into the database, as results.py does:
choice, yes/no, "weet niet", marks, and -- through an extra definition
version loaded for the counter -- a multi, a number, a date, a question
whose type changed between versions and a text question.  Municipality
names and desks carry formula-injection strings; invitations and contacts
carry e-mail addresses and tokens that must never reach an export; open
and text answers carry e-mail addresses, phone numbers, an IBAN, a BSN, a
postcode and a formula, and must arrive masked (engine/mask.h) and
defused.

The aggregated results are read back with Python's csv module in both
dialects and compared with `kto results show --json`; the respondent data
is compared response by response with the database, its weights and
design with the result set (the weighted overall mark per municipality must
equal the stored estimate), and the .sav is read back by R's haven and
foreign (foreign's reader is independent of ReadStat) and by a small C
program on libreadstat, whichever are installed -- at least one must be.

Usage: export.py KTO_BINARY
"""
import collections
import csv
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile

KTO = sys.argv[1]
WORK = tempfile.mkdtemp(prefix="kto-export-")
DB = os.path.join(WORK, "export.db")
OVERALL = {"counter": "B18", "phone": "T15", "email": "E14"}
FRIENDLY = {"counter": "B10", "phone": "T09", "email": "E12"}   # marks with "weet niet"
DESKS = ['=HYPERLINK("http://e.test","x")', "+31612345678", "-1",
         "@SUM(A1:A9)", "\tbalie", 'balie "3"; links, achter', "balie 2", None]
INJECTED_NAME = '=HYPERLINK("http://evil.test/","Gemeente")'
QUOTED_NAME = 'Súdwest-Fryslân "Noord"; Zuid, Oost'
SECRET = "GEHEIM-antwoord"
# The counter's open question B20, in turn; what each must become, and
# what of it must never be seen.
LONG = "Lang verhaal: " + "de wachttijd bij de balie was echt veel te lang. " * 12
OPEN_ANSWERS = [
    (f"{SECRET}: bel me op 06-12345678 of mail piet@voorbeeld.nl",
     ["[telefoonnummer]", "[e-mail]"], ["06-12345678", "piet@voorbeeld.nl"]),
    ("Stort het terug op NL91ABNA0417164300 graag", ["[IBAN]"],
     ["NL91ABNA0417164300"]),
    ("Mijn BSN 111222333 stond verkeerd", ["[BSN]"], ["111222333"]),
    ("=HYPERLINK(1)", ["=HYPERLINK(1)"], []),
    (LONG + "Mail me: klaas@voorbeeld.nl", ["[e-mail]", LONG.strip()],
     ["klaas@voorbeeld.nl"]),
]
NEVER = [o for _, _, originals in OPEN_ANSWERS for o in originals] + \
    ["0612345678", "jan.jansen@voorbeeld.nl", "1234 AB"]
open_turn = [0]
failures = []


def kto(*args, status=0, preexec=None):
    p = subprocess.run([KTO, "--db", DB, *args], capture_output=True,
                       preexec_fn=preexec)
    if status is not None and p.returncode != status:
        sys.exit(f"kto {' '.join(args)}: exit {p.returncode}, wanted {status}\n"
                 f"{p.stdout.decode(errors='replace')}{p.stderr.decode(errors='replace')}")
    # Under the sanitizers (build-asan), a report fails the test even when
    # the program goes on.
    check(b"runtime error:" not in p.stderr and b"Sanitizer" not in p.stderr,
          f"kto {' '.join(args)}: {p.stderr.decode(errors='replace')}")
    return p


def check(cond, what):
    if not cond:
        failures.append(what)
        if len(failures) <= 20:
            print("FAIL", what[:500])
    return cond


def close(a, b, what, tol=1e-9):
    if a is None or b is None:
        check(a is None and b is None, f"{what}: {a!r} vs {b!r}")
        return
    check(abs(a - b) <= tol * max(1.0, abs(b)), f"{what}: {a!r} vs {b!r}")


def path(name):
    return os.path.join(WORK, name)


def neutralised(s):
    """What kto_csv_field makes of a text field."""
    if s and s[0] in "=+-@\t\r":
        return "'" + s
    return s


# --- The demo, an extra definition version ------------------------------
kto("demo")
EXTRA = path("extra.kto")
with open(EXTRA, "w") as f:
    f.write("""survey kto-balie-extra
  channel: counter
  title: Extra vragen aan de balie
  overall: B18

page p1
  title: Uw bezoek

question B18 mark
  text: Welk rapportcijfer geeft u uw bezoek aan de balie als geheel?
  area: TOT
  required: yes

question B01 choice
  text: Waarvoor kwam u naar de balie?
  options:
    reisdocument  Paspoort of identiteitskaart
    rijbewijs     Rijbewijs
    afval         Grofvuil aanmelden

question K01 multi
  text: Hoe had u zich op uw bezoek voorbereid?
  dont-know: yes
  options:
    website   De website bekeken
    telefoon  Gebeld
    niets     Niets gedaan

question K02 number
  text: Hoeveel minuten reisde u naar het gemeentehuis?
  min: 0
  max: 300
  decimals: 1
  unit: minuten
  dont-know: yes

question K03 date
  text: Wanneer maakte u de afspraak?
  dont-know: yes

question B02 mark
  text: Hoe makkelijk was het om een afspraak te maken?
  area: BER

question K04 text
  text: Wat is uw postcode?

mail invitation
  subject: Uw bezoek aan {municipality}
  body: |
    Beste meneer, mevrouw,

    {link}

    Geen uitnodigingen meer: {optout_link}
""")
kto("def", "load", EXTRA)

con = sqlite3.connect(DB)
extra_version = con.execute(
    "SELECT v.id FROM survey_def_version v JOIN survey_def d ON d.id = v.def_id "
    "WHERE d.name = 'kto-balie-extra'").fetchone()[0]
strata = con.execute(
    "SELECT w.id, m.id, m.code, wc.channel, wc.def_version_id, wc.population "
    "FROM wave w JOIN wave_channel wc ON wc.wave_id = w.id JOIN municipality m "
    "ON m.id = w.municipality_id ORDER BY m.code, wc.channel").fetchall()
year = con.execute("SELECT min(substr(period_from, 1, 4)) FROM wave").fetchone()[0]
codes = sorted({s[2] for s in strata})
con.execute("UPDATE municipality SET name = ? WHERE code = ?", (INJECTED_NAME, codes[0]))
con.execute("UPDATE municipality SET name = ? WHERE code = ?", (QUOTED_NAME, codes[1]))
silent = codes[-1]                  # a municipality whose wave has no responses
invitations = collections.defaultdict(list)
for inv, wave, channel in con.execute("SELECT id, wave_id, channel FROM invitation"):
    invitations[(wave, channel)].append(inv)

# --- Synthetic responses ------------------------------------------------
rng = random.Random(20261124)
expected = {}       # response id -> {column: value as the CSV should have it}


def answer(rid, item, num=None, text=None, dk=0):
    con.execute("INSERT INTO answer (response_id, item, value_num, value_text, "
                "dont_know) VALUES (?, ?, ?, ?, ?)", (rid, item, num, text, dk))


def fill(rid, channel, version, row):
    """Answers of one response; row gets what the export should show."""
    overall, friendly = OVERALL[channel], FRIENDLY[channel]
    mark = min(10, max(1, round(rng.gauss(7.2, 1.5))))
    if rng.random() < 0.92:
        answer(rid, overall, num=mark)
        row["TOT"] = row[overall] = str(mark)
    if version == extra_version:
        code = rng.choice(["reisdocument", "rijbewijs", "afval"])
        answer(rid, "B01", text=code)
        row["B01"] = code
        u = rng.random()
        if u < 0.15:
            answer(rid, "K01", dk=1)
            row["K01_dk"] = "1"
        elif u < 0.9:
            chosen = [c for c in ("website", "telefoon", "niets") if rng.random() < 0.5]
            answer(rid, "K01", text=json.dumps(chosen))
            row["K01_dk"] = "0"
            for c in ("website", "telefoon", "niets"):
                row["K01_" + c] = "1" if c in chosen else "0"
        else:
            row["K01_dk"] = "0"
        if rng.random() < 0.2:
            answer(rid, "K02", dk=1)
            row["K02_dk"] = "1"
        else:
            minutes = round(rng.uniform(0, 60), 1)
            answer(rid, "K02", num=minutes)
            row["K02"], row["K02_dk"] = f"{minutes:g}", "0"
        day = rng.randint(1, 28)
        answer(rid, "K03", num=20261000 + day, text=f"2026-10-{day:02d}")
        row["K03"], row["K03_dk"] = f"2026-10-{day:02d}", "0"
        easy = rng.randint(1, 10)
        answer(rid, "B02", num=easy)
        row["B02_2"] = str(easy)
        answer(rid, "K04", text=f"{SECRET} 1234 AB jan.jansen@voorbeeld.nl")
        return
    if rng.random() < 0.12:
        answer(rid, friendly, dk=1)
        row[friendly + "_dk"] = "1"
    else:
        row[friendly + "_dk"] = "0"
        if rng.random() < 0.9:
            f = min(10, max(1, mark + rng.choice([-1, 0, 1])))
            answer(rid, friendly, num=f)
            row[friendly] = str(f)
    if rng.random() < 0.2:
        answer(rid, "leeftijd", dk=1)
        row["leeftijd_dk"] = "1"
    else:
        age = rng.choice(["lt25", "25-44", "45-64", "65plus"])
        answer(rid, "leeftijd", text=age)
        row["leeftijd"], row["leeftijd_dk"] = age, "0"
    if channel == "counter":
        code = rng.choice(["reisdocument", "rijbewijs", "verhuizing", "overig"])
        answer(rid, "B01", text=code)
        row["B01"] = code
        yes = rng.random() < 0.5
        answer(rid, "B02", text="yes" if yes else "no")
        row["B02"] = "1" if yes else "0"
        if rng.random() < 0.25:
            answer(rid, "B03", dk=1)
            row["B03_dk"] = "1"
        else:
            wait = rng.choice(["lt5", "5-10", "10-15", "15-30", "gt30"])
            answer(rid, "B03", text=wait)
            row["B03"], row["B03_dk"] = wait, "0"
        text = OPEN_ANSWERS[open_turn[0] % len(OPEN_ANSWERS)][0]
        open_turn[0] += 1
        answer(rid, "B20", text=text)


n_h = collections.Counter()
for i, (wave, mun, code, channel, version, population) in enumerate(strata):
    if code == silent:
        continue
    k = 1 if i == 1 else rng.randint(6, 24)
    for j in range(k):
        if rng.random() < 0.3:        # a draft first: ids with gaps, never exported
            con.execute("INSERT INTO response (wave_id, municipality_id, channel, "
                        "def_version_id, state) VALUES (?, ?, ?, ?, 'draft')",
                        (wave, mun, channel, version))
        v = extra_version if channel == "counter" and code in codes[:3] and j % 3 == 0 \
            else version
        desk = rng.choice(DESKS) if channel == "counter" else None
        language = "en" if rng.random() < 0.1 else "nl"
        day = rng.randint(10, 30)
        inv = invitations[(wave, channel)].pop() if invitations[(wave, channel)] else None
        rid = con.execute(
            "INSERT INTO response (wave_id, municipality_id, channel, def_version_id, "
            "invitation_id, state, language, desk, completed_at) VALUES "
            "(?, ?, ?, ?, ?, 'complete', ?, ?, ?)",
            (wave, mun, channel, v, inv, language, desk,
             f"2026-11-{day:02d}T{rng.randint(7, 22):02d}:15:00")).lastrowid
        row = {"municipality": code, "channel": channel, "wave": str(wave),
               "completed": f"2026-11-{day:02d}", "language": language,
               "desk": desk or ""}
        fill(rid, channel, v, row)
        expected[rid] = row
        n_h[(wave, channel)] += 1
con.commit()
names = dict(con.execute("SELECT code, name FROM municipality"))
population = {(w, c): p for (w, _, _, c, _, p) in strata}
for row in expected.values():
    key = (int(row["wave"]), row["channel"])
    big_n = max(population[key] or 0, n_h[key])
    row["municipality_name"] = names[row["municipality"]]
    row["population"] = big_n
    row["weight"] = big_n / n_h[key]

# --- The aggregated results ---------------------------------------------
kto("results", "compute", "--year", year)
shown = json.loads(kto("results", "show", "--year", year, "--json").stdout)
res = {(r["scope"], r["unit"], r["channel"], r["variable"]): r for r in shown["results"]}


def read_csv(data, nl):
    """Records of an export; checks the BOM and the delimiter."""
    text = data.decode("utf-8")
    check(text.startswith("\ufeff") == nl, f"BOM {'missing' if nl else 'present'}")
    text = text.lstrip("\ufeff")
    check("\r\n" in text, "records do not end with CRLF")
    return list(csv.DictReader(io.StringIO(text, newline=""),
                               delimiter=";" if nl else ","))


def number(s, nl):
    if s == "":
        return None
    if nl:
        check("." not in s, f"a decimal point in the nl dialect: {s!r}")
        s = s.replace(",", ".")
    else:
        check("," not in s, f"a decimal comma in the comma dialect: {s!r}")
    return float(s)


def check_results_csv(rows, nl, what, want=None):
    want = shown["results"] if want is None else want
    check(len(rows) == len(want), f"{what}: {len(rows)} records, wanted {len(want)}")
    decimal_commas = 0
    for r, j in zip(rows, want):
        key = (r["scope"], r["unit"], r["channel"], r["variable"])
        check(key == (j["scope"], j["unit"], j["channel"], j["variable"]),
              f"{what}: record {key} out of order")
        check(number(r["n"], nl) == j["n"], f"{what} {key}: n")
        check(r["flag"] == j["flag"], f"{what} {key}: flag")
        for k in ("estimate", "se", "ci_low", "ci_high", "df"):
            check(number(r[k], nl) == j[k], f"{what} {key}: {k} {r[k]!r} vs {j[k]!r}")
            decimal_commas += nl and "," in r[k]
        if j["kind"] == "mark":
            check(number(r["pct_pass"], nl) == j["pct_pass"], f"{what} {key}: pct_pass")
            if j.get("distribution"):
                check([number(r[f"share_{k}"], nl) for k in range(1, 11)] ==
                      j["distribution"], f"{what} {key}: distribution")
        circle = j.get("comparisons", {}).get("circle")
        if circle:
            check(number(r["vs_circle_diff"], nl) == circle["diff"], f"{what} {key}: diff")
            check(number(r["vs_circle_p_holm"], nl) == circle["p_holm"],
                  f"{what} {key}: p_holm")
            check(number(r["vs_circle_significant"], nl) == circle["significant"],
                  f"{what} {key}: significant")
        else:
            check(r["vs_circle_diff"] == "", f"{what} {key}: a comparison not made")
    if nl:
        check(decimal_commas > 0, f"{what}: no decimal comma at all")


p = kto("export", "results", "--year", year)
check_results_csv(read_csv(p.stdout, False), False, "results csv")
kto("export", "results", "--year", year, "--dialect", "nl", "--out", path("results-nl.csv"))
with open(path("results-nl.csv"), "rb") as f:
    check_results_csv(read_csv(f.read(), True), True, "results nl")
check(os.stat(path("results-nl.csv")).st_mode & 0o777 == 0o666 & ~0o022,
      "results: not the umask's mode")
p = kto("--json", "export", "results", "--set", str(shown["result_set"]["id"]),
        "--out", path("results.json"))
check(json.loads(p.stdout)["result_set"] == shown["result_set"]["id"], "--json summary")
with open(path("results.json")) as f:
    check(json.load(f) == shown, "the JSON export is not `kto results show --json`")
mine = [j for j in shown["results"] if j["scope"] == "all" or j["unit"] in
        (codes[2], "kring-c")]
p = kto("export", "results", "--year", year, "--municipality", codes[2].lower())
check_results_csv(read_csv(p.stdout, False), False, "results of one municipality", mine)

# --- The respondent data --------------------------------------------------
n = len(expected)
kto("export", "responses", "--year", year, "--out", path("resp.csv"))
kto("export", "responses", "--year", year, "--dialect", "nl", "--out", path("resp-nl.csv"))
kto("export", "responses", "--year", year, "--out", path("resp.sav"))
with open(path("resp.csv"), "rb") as f:
    raw = f.read()
rows = read_csv(raw, False)
with open(path("resp-nl.csv"), "rb") as f:
    rows_nl = read_csv(f.read(), True)
header = list(rows[0].keys())
check(len(rows) == n, f"{len(rows)} respondents exported, wanted {n} (drafts left out?)")
check(len(rows_nl) == n, "nl: a different number of respondents")
check(os.stat(path("resp.csv")).st_mode & 0o777 == 0o600, "respondent data not 0600")
for col in ("respondent", "municipality", "municipality_name", "channel", "wave",
            "stratum", "weight", "population", "completed", "language", "desk", "TOT",
            "B01", "B02", "B02_2", "B03", "B03_dk", "B10", "B10_dk", "K01_website",
            "K01_telefoon", "K01_niets", "K01_dk", "K02", "K02_dk", "K03", "K03_dk"):
    check(col in header, f"no column {col}")
for col in header:
    check(not re.search(r"(^|_)(id|token|email|mail|session|invitation)($|_)", col, re.I),
          f"column {col} looks like an identifier")
for col in ("B20", "E16", "T17", "K04"):
    check(col in header, f"the open/text question {col} was not exported")

# Open answers: masked, in both dialects (the nl one is compared with this
# one field by field below), and a formula defused.
b20 = collections.Counter(r["B20"] for r in rows if r["B20"])
check(open_turn[0] >= len(OPEN_ANSWERS), "too few counter responses for the open answers")
for text, masked, originals in OPEN_ANSWERS:
    want = [v for v in b20 if all(m in v for m in masked)]
    check(want, f"B20: no masked form of {text[:40]!r} ({masked}) in {list(b20)[:6]}")
check(b20["'=HYPERLINK(1)"] > 0 and b20["=HYPERLINK(1)"] == 0,
      f"B20: the formula answer was not defused: {list(b20)}")
check(any(len(v.encode()) > 255 for v in b20), "B20: the long answer was cut")
k04 = collections.Counter(r["K04"] for r in rows if r["K04"])
check(k04 and all("[e-mail]" in v and "[adres]" in v and SECRET in v for v in k04),
      f"K04 (text) not masked: {list(k04)}")
for r in rows:
    for c in ("B20", "K04"):
        for o in NEVER:
            check(o not in r[c], f"{c}: {o!r} was not masked: {r[c]!r}")

# Respondent numbers: 1..n, not the response ids, the same on every export.
numbers = [int(r["respondent"]) for r in rows]
check(numbers == list(range(1, n + 1)), "respondents are not numbered 1..n in order")
kto("export", "responses", "--year", year, "--out", path("again.csv"))
with open(path("again.csv"), "rb") as f:
    check(f.read() == raw, "a second export of the same data differs")

# Each exported record is one response: match them by content (the
# columns the synthetic answers fill in; the others are checked by the
# readers and the weighted means below).
COMPARED = ["municipality", "municipality_name", "channel", "wave", "completed",
            "language", "desk", "TOT", "B18", "T15", "E14", "B10", "B10_dk", "T09",
            "T09_dk", "E12", "E12_dk", "leeftijd", "leeftijd_dk", "B01", "B02", "B03",
            "B03_dk", "K01_website", "K01_telefoon", "K01_niets", "K01_dk", "K02",
            "K02_dk", "K03", "K03_dk", "B02_2"]


def fingerprint(row):
    return tuple(row.get(c, "") for c in COMPARED)


by_print = collections.defaultdict(list)
for rid, row in expected.items():
    want = dict(row)
    want["desk"] = neutralised(row["desk"])
    want["municipality_name"] = neutralised(row["municipality_name"])
    by_print[fingerprint(want)].append(rid)
same_as_id = matched = 0
for r in rows:
    ids = by_print.get(fingerprint(r))
    if not ids:
        fp = fingerprint(r)
        near = min(by_print, key=lambda k: sum(a != b for a, b in zip(k, fp)))
        check(False, f"respondent {r['respondent']}: no such response; nearest differs "
              f"in {[(c, a, b) for c, a, b in zip(COMPARED, fp, near) if a != b]}")
        continue
    rid = ids.pop()
    matched += 1
    same_as_id += int(r["respondent"]) == rid
    want = expected[rid]
    close(number(r["weight"], False), want["weight"], f"respondent {r['respondent']} weight",
          1e-15)
    check(number(r["population"], False) == want["population"], "population")
check(matched == n, f"{matched} of {n} records matched a response")
check(same_as_id < n / 10, f"{same_as_id} respondent numbers equal the response id")

# The nl dialect says the same, with decimal commas.
for a, b in zip(rows, rows_nl):
    for c in header:
        if c in ("weight", "K02", "population", "TOT", "stratum"):
            check(number(a[c], False) == number(b[c], True), f"nl {c}: {a[c]} vs {b[c]}")
        else:
            check(a[c] == b[c], f"nl {c}: {a[c]!r} vs {b[c]!r}")
check(any("," in r["weight"] for r in rows_nl), "nl: no weight with a decimal comma")

# Formula injection: neutralised, and read back exactly.
desks = collections.Counter(r["desk"] for r in rows)
for d in DESKS:
    if d and desks[neutralised(d)]:
        check(d[0] not in "=+-@\t" or desks[d] == 0, f"desk {d!r} not neutralised")
check(desks["'" + DESKS[0]] > 0, "no neutralised =HYPERLINK desk at all")
check(any(r["municipality_name"] == "'" + INJECTED_NAME for r in rows),
      "the municipality name was not neutralised")
check(any(r["municipality_name"] == QUOTED_NAME for r in rows),
      "a name with quotes and delimiters did not read back")

# The design: weights N_h/n_h; the weighted overall mark per municipality
# and channel is the stored estimate (R's svymean: the ratio of sums).
for scope_key in ("channel", None):
    sums = collections.defaultdict(lambda: [0.0, 0.0])
    for r in rows:
        if r["TOT"] != "":
            k = (r["municipality"], r["channel"] if scope_key else "all")
            w = number(r["weight"], False)
            sums[k][0] += w * float(r["TOT"])
            sums[k][1] += w
    for (code, channel), (swy, sw) in sums.items():
        stored = res[("municipality", code, channel, "TOT")]
        close(swy / sw, stored["estimate"], f"weighted TOT {code}/{channel}")
        check(sum(1 for r in rows if r["municipality"] == code and r["TOT"] != "" and
                  channel in ("all", r["channel"])) == stored["n"], f"n {code}/{channel}")

# No addresses, tokens or open answers anywhere in any export.
tokens = {t for (t,) in con.execute("SELECT mail_token FROM invitation "
                                    "WHERE mail_token IS NOT NULL")}
check(len(tokens) > 100, "the demo has no invitation tokens to look for")
email = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
for name in ("resp.csv", "resp-nl.csv", "resp.sav", "results-nl.csv", "results.json"):
    with open(path(name), "rb") as f:
        data = f.read()
    check(not email.search(data), f"{name}: an e-mail address: {email.search(data)}")
    check(b"@example" not in data and b".example" not in data, f"{name}: @example")
    for o in NEVER:
        check(o.encode() not in data, f"{name}: {o!r} of an open or text answer")
    if name.startswith("results"):
        check(SECRET.encode() not in data, f"{name}: an open or text answer")
    words = set(re.findall(rb"[A-Za-z0-9_-]{16,}", data))
    check(not any(w.decode() in tokens for w in words), f"{name}: an invitation token")

# One wave; one municipality; standard output.
wave = strata[3][0]
kto("export", "responses", "--wave", str(wave), "--out", path("wave.csv"))
with open(path("wave.csv"), "rb") as f:
    wrows = read_csv(f.read(), False)
check(len(wrows) == sum(1 for r in expected.values() if r["wave"] == str(wave)),
      "the wave's export has other responses")
check([int(r["respondent"]) for r in wrows] == list(range(1, len(wrows) + 1)),
      "a wave's respondents are not numbered 1..n")
p = kto("export", "responses", "--year", year, "--municipality", codes[2], "--out", "-",
        "--dialect", "nl")
mrows = read_csv(p.stdout, True)
check(len(mrows) == sum(1 for r in expected.values() if r["municipality"] == codes[2])
      and all(r["municipality"] == codes[2] for r in mrows), "--municipality")
p = kto("--json", "export", "responses", "--year", year, "--out", path("resp2.sav"))
summary = json.loads(p.stdout)
check(summary["respondents"] == n and summary["variables"] == len(header) and
      summary["format"] == "sav", f"--json summary {summary}")

# --- Refused, and nothing half-written -----------------------------------
for args, status, words in [
        (("export", "responses", "--year", year), 2, "--out FILE"),
        (("export", "responses", "--year", year, "--out", "-", "--format", "sav"), 2,
         "binary"),
        (("export", "responses", "--out", "x.csv"), 2, "--wave W or --year Y"),
        (("export", "responses", "--wave", "1", "--year", year, "--out", "x.csv"), 2,
         "--wave W or --year Y"),
        (("export", "responses", "--year", year, "--out", "x.txt"), 2, "--format"),
        (("export", "results", "--year", year, "--dialect", "semicolon"), 2, "comma"),
        (("export", "results", "--year", year, "--format", "sav"), 2, "csv or json"),
        (("export", "results", "--year", year, "--format", "json", "--bom"), 2, "CSV"),
        (("export", "results", "--year", "1999"), 1, "kto results compute"),
        (("export", "results", "--set", "999"), 1, "no result set 999"),
        (("export", "responses", "--wave", "999", "--out", path("x.csv")), 1,
         "no wave 999"),
        (("export", "responses", "--year", "1999", "--out", path("x.csv")), 1,
         "no wave starts in 1999"),
        (("export", "responses", "--year", year, "--municipality", "GM9999", "--out",
          path("x.csv")), 1, "no municipality"),
        (("export", "responses", "--year", year, "--municipality", silent, "--out",
          path("x.csv")), 1, "no complete responses"),
        (("export", "responses", "--year", year, "--out", path("nodir/x.csv")), 1,
         "No such file"),
        (("export", "responses", "--year", year, "--format", "csv", "--out", WORK), 1,
         "directory"),
        (("export", "responses", "--year", year, "--format", "csv", "--out",
          "/dev/null"), 1, "not a regular file")]:
    p = kto(*args, status=status)
    check(words in p.stderr.decode(), f"{' '.join(args)}: {p.stderr.decode()!r}")
check(not os.path.exists(path("x.csv")), "a refused export left a file")


def small_files():
    # SIGXFSZ ignored: the write fails with EFBIG instead of killing kto.
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


for name in ("full.csv", "full.sav"):
    with open(path(name), "w") as f:
        f.write("OLD")
    p = kto("export", "responses", "--year", year, "--out", path(name), status=None,
            preexec=small_files)
    check(p.returncode == 1, f"{name}: exit {p.returncode} on a failed write")
    check("nothing was written" in p.stderr.decode() or "failed" in p.stderr.decode(),
          f"{name}: {p.stderr.decode()!r}")
    with open(path(name)) as f:
        check(f.read() == "OLD", f"{name}: a failed export changed the file")
left = [f for f in os.listdir(WORK) if f.startswith(".")]
check(not left, f"temporary files left behind: {left}")

# --- The .sav, read back ---------------------------------------------------
B01_OPTIONS = {"Paspoort of identiteitskaart": "reisdocument", "Rijbewijs": "rijbewijs",
               "Verhuizing doorgeven": "verhuizing", "Iets anders": "overig",
               "Grofvuil aanmelden": "afval"}
B03_OPTIONS = {"Minder dan 5 minuten": "lt5", "5 tot 10 minuten": "5-10",
               "10 tot 15 minuten": "10-15", "15 tot 30 minuten": "15-30",
               "Meer dan 30 minuten": "gt30"}
B03_TEXT = "Hoe lang moest u wachten tot u aan de beurt was?"
B17_TEXT = "Bent u bij dit bezoek in één keer geholpen?"
readers = []


def parse_meta(text):
    meta = {"nrow": None, "label": {}, "labels": collections.defaultdict(dict),
            "na": collections.defaultdict(set), "class": {}}
    for line in text.splitlines():
        f = line.rstrip("\t").split("\t")
        if f[0] == "NROW":
            meta["nrow"] = int(f[1])
        elif f[0] == "VAR":
            meta["label"][f[1]] = f[2] if len(f) > 2 else ""
            meta["class"][f[1]] = f[3] if len(f) > 3 else ""
        elif f[0] == "VALLAB":
            meta["labels"][f[1]][float(f[2])] = f[3]
        elif f[0] == "NA":
            meta["na"][f[1]].add(float(f[2]))
    return meta


def check_sav(reader, meta, data):
    """meta as parse_meta gives; data: rows of {name: text} in file order."""
    readers.append(reader)
    what = f".sav by {reader}"
    check(meta["nrow"] == n, f"{what}: {meta['nrow']} rows")
    check(list(meta["label"].keys()) == header, f"{what}: the variables differ from the CSV")
    check(meta["label"].get("B03") == B03_TEXT, f"{what}: B03 label {meta['label'].get('B03')!r}")
    check(meta["label"].get("B17") == B17_TEXT, f"{what}: B17 label (UTF-8)")
    check(meta["label"].get("K01_website") == "Hoe had u zich op uw bezoek voorbereid?: "
          "De website bekeken", f"{what}: a multi option's label")
    b01 = meta["labels"]["B01"]
    check(b01.get(1.0) == "Paspoort of identiteitskaart", f"{what}: B01 value labels {b01}")
    check("Grofvuil aanmelden" in b01.values(), f"{what}: the extra version's option")
    check(meta["labels"]["B03"].get(99.0) == "Weet ik niet meer", f"{what}: B03 99 label")
    check(meta["na"]["B03"] == {99.0}, f"{what}: B03 user-missing {meta['na']['B03']}")
    check(meta["labels"]["B10"].get(99.0) == "Weet niet / n.v.t.", f"{what}: B10 99 label")
    check(meta["na"]["B10"] == {99.0} and meta["na"]["K01_website"] == {99.0},
          f"{what}: user-missing of B10 and K01_website")
    check(meta["labels"]["channel"] == {1.0: "balie", 2.0: "telefoon", 3.0: "e-mail"},
          f"{what}: channel labels")
    check(meta["labels"]["B02"] == {1.0: "ja", 0.0: "nee"}, f"{what}: yes/no labels")
    if data is None:
        return
    check(len(data) == n, f"{what}: {len(data)} data rows")
    for i, (r, s) in enumerate(zip(rows, data)):
        for c in ("respondent", "wave", "TOT", "B10", "B02", "K02", "weight"):
            want = r[c]
            got = s.get(c, "")
            if c + "_dk" in r and r[c + "_dk"] == "1" and c != "K02":
                check(got != "" and float(got) == 99, f"{what} row {i}: {c} weet niet {got!r}")
            elif want == "":
                check(got == "", f"{what} row {i}: {c} {got!r}, wanted missing")
            else:
                close(float(got), float(want), f"{what} row {i}: {c}", 1e-12)
        # A choice is its option's number, labelled with the option's text:
        # the CSV's code must be the option with that label.
        for c, codes_of in (("B01", B01_OPTIONS), ("B03", B03_OPTIONS)):
            if r[c]:
                label = meta["labels"][c].get(float(s[c])) if s[c] else None
                check(codes_of.get(label) == r[c], f"{what} row {i}: {c} {s[c]!r} "
                      f"({label!r}) vs {r[c]!r}")
            elif r.get(c + "_dk") == "1":
                check(s[c] != "" and float(s[c]) == 99, f"{what} row {i}: {c} weet "
                      f"niet is {s[c]!r}")
            else:
                check(s[c] == "", f"{what} row {i}: {c} {s[c]!r}, wanted missing")
        # Text is stored as given: SPSS runs no formulas.
        raw_desk = r["desk"][1:] if r["desk"][:1] == "'" and \
            r["desk"][1:2] in ("=", "+", "-", "@", "\t") else r["desk"]
        check(s["desk"].rstrip() == raw_desk.rstrip(), f"{what} row {i}: desk {s['desk']!r}")
        check(s["municipality"].rstrip() == r["municipality"], f"{what} row {i}: code")
        if reader == "haven":
            check(s["completed"] == r["completed"], f"{what} row {i}: completed")
            check(s["K03"] == r["K03"], f"{what} row {i}: K03 {s['K03']!r}")


R_ENV = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")


def have_r(package):
    if shutil.which("Rscript") is None:
        return False
    return subprocess.run(["Rscript", "-e", f"library({package})"], capture_output=True,
                          env=R_ENV).returncode == 0


if have_r("haven"):
    script = path("haven.R")
    with open(script, "w") as f:
        f.write(r'''
args <- commandArgs(TRUE)
library(haven)
d <- read_sav(args[1], user_na = TRUE)
out <- file(args[2], "w", encoding = "UTF-8")
cat("NROW", nrow(d), "\n", sep = "\t", file = out)
for (v in names(d)) {
  x <- d[[v]]
  lab <- attr(x, "label"); if (is.null(lab)) lab <- ""
  cat("VAR", v, lab, class(x)[1], "\n", sep = "\t", file = out)
  labs <- attr(x, "labels")
  for (i in seq_along(labs))
    cat("VALLAB", v, format(unname(labs[i]), digits = 15), names(labs)[i], "\n",
        sep = "\t", file = out)
  for (z in attr(x, "na_values")) cat("NA", v, z, "\n", sep = "\t", file = out)
}
close(out)
z <- as.data.frame(lapply(d, function(x) if (inherits(x, "Date")) format(x) else
  if (is.character(x)) x else as.numeric(unclass(x))), stringsAsFactors = FALSE)
write.csv(z, args[3], row.names = FALSE, na = "", fileEncoding = "UTF-8")
''')
    p = subprocess.run(["Rscript", script, path("resp.sav"), path("haven.meta"),
                        path("haven.csv")], capture_output=True, text=True, env=R_ENV)
    if check(p.returncode == 0, f"haven could not read the .sav: {p.stderr}"):
        with open(path("haven.meta"), encoding="utf-8") as f:
            meta = parse_meta(f.read())
        with open(path("haven.csv"), encoding="utf-8", newline="") as f:
            data = list(csv.DictReader(f))
        check(meta["class"].get("completed") == "Date", "haven: completed is not a Date")
        check(meta["class"].get("K03") == "Date", "haven: a date question is not a Date")
        check_sav("haven", meta, data)
        # The open answers: string variables with the question as label,
        # the masked text as the CSV has it (there with a formula defused).
        check(meta["class"].get("B20") == "character", "haven: B20 is not text")
        check(meta["label"].get("K04") == "Wat is uw postcode?", "haven: K04 label")
        for i, (r, s) in enumerate(zip(rows, data)):
            for c in ("B20", "K04"):
                want = neutralised(s[c]) if s[c] else s[c]
                check(want.rstrip() == r[c].rstrip(),
                      f"haven row {i}: {c} {s[c][:60]!r} vs {r[c][:60]!r}")
        # Without user_na, "weet niet" is NA and nothing else changes.
        p = subprocess.run(["Rscript", "-e", "library(haven); d <- read_sav('%s'); "
                            "cat(sum(is.na(d$B03)), sum(!is.na(d$B03) & d$B03 == 99))"
                            % path("resp.sav")], capture_output=True, text=True, env=R_ENV)
        na, nines = map(int, p.stdout.split())
        check(nines == 0 and na == sum(1 for r in rows if r["B03"] == ""),
              f"haven without user_na: {na} NA, {nines} 99s")

# An analyst's R, on the .sav: the design of docs/exports.md gives the
# stored marks and their standard errors.
if have_r("haven") and have_r("survey"):
    p = subprocess.run(["Rscript", "-e", """
library(haven); library(survey)
options(survey.lonely.psu = "adjust")
d <- read_sav("%s")
des <- svydesign(id = ~1, strata = ~stratum, fpc = ~population, weights = ~weight,
                 data = d)
r <- svyby(~TOT, ~municipality, des, svymean, na.rm = TRUE)
for (i in seq_len(nrow(r)))
  cat(as.character(r$municipality[i]), format(r$TOT[i], digits = 17),
      format(SE(r)[i], digits = 17), "\n")
""" % path("resp.sav")], capture_output=True, text=True, env=R_ENV)
    if check(p.returncode == 0, f"R survey on the .sav: {p.stderr}"):
        got = [line.split() for line in p.stdout.splitlines() if line.strip()]
        check(len(got) == len(codes) - 1, f"R survey: {len(got)} municipalities")
        for code, est, se in got:
            stored = res[("municipality", code, "all", "TOT")]
            close(float(est), stored["estimate"], f"R svymean {code}")
            close(float(se), stored["se"], f"R svymean se {code}")
        readers.append("R survey")

if have_r("foreign"):
    script = path("foreign.R")
    with open(script, "w") as f:
        f.write(r'''
args <- commandArgs(TRUE)
library(foreign)
d <- read.spss(args[1], to.data.frame = FALSE, use.value.labels = FALSE,
               use.missings = FALSE, reencode = "UTF-8")
out <- file(args[2], "w", encoding = "UTF-8")
cat("NROW", length(d[[1]]), "\n", sep = "\t", file = out)
vl <- attr(d, "variable.labels"); lt <- attr(d, "label.table"); ms <- attr(d, "missings")
for (v in names(d)) {
  cat("VAR", v, vl[[v]], "\n", sep = "\t", file = out)
  l <- lt[[v]]
  for (i in seq_along(l))
    cat("VALLAB", v, trimws(l[i]), names(l)[i], "\n", sep = "\t", file = out)
  m <- ms[[v]]
  if (!is.null(m) && m$type != "none")
    for (z in m$value) cat("NA", v, z, "\n", sep = "\t", file = out)
}
close(out)
z <- as.data.frame(lapply(d, function(x) if (is.character(x)) trimws(x, "right") else x),
                   stringsAsFactors = FALSE)
write.csv(z, args[3], row.names = FALSE, na = "", fileEncoding = "UTF-8")
''')
    p = subprocess.run(["Rscript", script, path("resp.sav"), path("foreign.meta"),
                        path("foreign.csv")], capture_output=True, text=True, env=R_ENV)
    if check(p.returncode == 0, f"foreign could not read the .sav: {p.stderr}"):
        with open(path("foreign.meta"), encoding="utf-8") as f:
            meta = parse_meta(f.read())
        with open(path("foreign.csv"), encoding="utf-8", newline="") as f:
            data = list(csv.DictReader(f))
        # foreign does not read SPSS's very long strings (over 255 bytes)
        # as one variable: it shows their 255-byte segments as variables of
        # their own (B201, B202 after B20).  haven and SPSS read them whole.
        segments = [v for v in meta["label"] if v not in header and
                    re.fullmatch(r"B20\d+", v)]
        check(len(segments) > 0, "foreign: the long B20 was no very long string")
        for v in segments:
            del meta["label"][v]
        check_sav("foreign", meta, data)

# libreadstat's own reader, when a C compiler is at hand.
READER_C = r'''
#include <stdio.h>
#include <readstat.h>

static const char *names[4096];

static int
metadata(readstat_metadata_t *m, void *ctx)
{
	(void)ctx;
	printf("NROW\t%d\n", readstat_get_row_count(m));
	return READSTAT_HANDLER_OK;
}

static int
variable(int i, readstat_variable_t *v, const char *set, void *ctx)
{
	(void)ctx;
	names[i] = readstat_variable_get_name(v);
	printf("VAR\t%s\t%s\t\n", names[i], readstat_variable_get_label(v) ?
	    readstat_variable_get_label(v) : "");
	if (set)
		printf("SET\t%s\t%s\n", names[i], set);
	for (int k = 0; k < readstat_variable_get_missing_ranges_count(v); k++)
		printf("NA\t%s\t%.17g\n", names[i],
		    readstat_double_value(readstat_variable_get_missing_range_lo(v, k)));
	return READSTAT_HANDLER_OK;
}

static int
value_label(const char *set, readstat_value_t value, const char *label, void *ctx)
{
	(void)ctx;
	printf("SETLAB\t%s\t%.17g\t%s\n", set, readstat_double_value(value), label);
	return READSTAT_HANDLER_OK;
}

int
main(int argc, char **argv)
{
	readstat_parser_t *p = readstat_parser_init();
	readstat_error_t e;

	(void)argc;
	readstat_set_metadata_handler(p, metadata);
	readstat_set_variable_handler(p, variable);
	readstat_set_value_label_handler(p, value_label);
	e = readstat_parse_sav(p, argv[1], NULL);
	readstat_parser_free(p);
	if (e != READSTAT_OK) {
		fprintf(stderr, "%s\n", readstat_error_message(e));
		return 1;
	}
	return 0;
}
'''
cc = shutil.which("cc")
if cc:
    with open(path("reader.c"), "w") as f:
        f.write(READER_C)
    p = subprocess.run([cc, "-o", path("reader"), path("reader.c"), "-lreadstat"],
                       capture_output=True, text=True)
    if p.returncode == 0:
        p = subprocess.run([path("reader"), path("resp.sav")], capture_output=True)
        if check(p.returncode == 0, f"readstat could not read the .sav: {p.stderr}"):
            lines = p.stdout.decode("utf-8").splitlines()
            sets = {}
            setlabels = collections.defaultdict(list)
            for line in lines:
                f = line.split("\t")
                if f[0] == "SET":
                    sets[f[1]] = f[2]
                elif f[0] == "SETLAB":
                    setlabels[f[1]].append(line)
            out = [l for l in lines if not l.startswith(("SET\t", "SETLAB\t"))]
            for var, s in sets.items():
                for l in setlabels[s]:
                    f = l.split("\t")
                    out.append(f"VALLAB\t{var}\t{f[2]}\t{f[3]}")
            check_sav("readstat", parse_meta("\n".join(out)), None)

check(readers, "nothing could read the .sav back: install r-cran-haven or "
      "r-cran-foreign (scripts/install-deps.sh test), or a C compiler")

if failures:
    sys.exit(f"{len(failures)} checks failed; the files are in {WORK}")
shutil.rmtree(WORK)
print(f"export: ok ({n} respondents, {len(header)} variables, {len(shown['results'])} "
      f"results; .sav read by {', '.join(readers)})")
