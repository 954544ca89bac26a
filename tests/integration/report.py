#!/usr/bin/env python3
"""kto report letter / letters / overview, end to end, read back with pdftotext.

The demo's circle (Kring C) gets synthetic complete responses
(tests/integration/synth.py) with the cases a letter must survive:

  GM0375 Beverwijk        marks clearly above its circle: "significant hoger"
  GM0381 Bussum           marks at its circle's level: "gelijk aan uw kring",
                          and nowhere "hoger" or "lager" than the circle
  GM0393 Haarlemmerliede  no responses by e-mail
  GM0534 Hillegom         a wave of one channel (the counter)
  GM0537 Katwijk          too few responses to show: "te weinig waarnemingen",
                          and too few for the key drivers
  GM1525 Teylingen        no responses at all

Every letter's text (pdftotext -layout) is checked against the stored
result set (kto results show --json): the mark, interval, n and shares of
each channel's row in the table, decimal commas, the sentence with the
three comparisons worded from the significance, the norms' verdicts and
the points to improve first.  A word "hoger" or "lager" may only follow
"significant".  Then: a letter for a wave, the year after (compared with
this year), the overview, and what is refused.

Usage: report.py KTO_BINARY
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synth import Synth  # noqa: E402

KTO = sys.argv[1]
WORK = tempfile.mkdtemp(prefix="kto-report-")
DB = os.path.join(WORK, "report.db")
TITLE = {"counter": "Balie", "phone": "Telefoon", "email": "E-mail", "all": "Alle kanalen"}
AREA = {"BER": "bereikbaarheid", "TOE": "toegankelijkheid", "INF": "informatievoorziening",
        "WAC": "wachttijden", "LEV": "levertijden", "TAR": "tarieven", "BEJ": "bejegening",
        "BET": "betrouwbaarheid"}
AGAINST = {"circle": "uw kring", "all": "alle deelnemers", "previous": "vorig jaar"}
failures = []


def kto(*args, status=0):
    p = subprocess.run([KTO, "--db", DB, *args], capture_output=True, text=True)
    if p.returncode != status:
        sys.exit(f"kto {' '.join(args)}: exit {p.returncode}, wanted {status}\n"
                 f"{p.stdout}{p.stderr}")
    return p


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def pdf_text(path):
    """The text of a PDF, with pdftotext -layout; a failure to read it fails."""
    p = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True)
    check(p.returncode == 0, f"pdftotext {path}: exit {p.returncode} {p.stderr}")
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True)
    pages = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    return p.stdout, int(pages.group(1)) if pages else 0


def flat(text):
    return re.sub(r"\s+", " ", text)


def mark(v):
    if v is None:
        return "-"
    return f"{0.0 if abs(v) < 0.05 else v:.1f}".replace(".", ",")


def pct(v):
    return "-" if v is None else f"{100 * v:.0f}%"


def phrase(kind, r):
    c = r["comparisons"].get(kind)
    if c is None:
        return f"niet te vergelijken met {AGAINST[kind]}"
    s = c["significant"]
    p = ("significant hoger dan " if s > 0 else "significant lager dan " if s < 0
         else "gelijk aan ") + AGAINST[kind]
    return p + (f" ({mark(c['reference'])})" if c["reference"] is not None else "")


def sentence(channel, r):
    label = TITLE[channel]
    if r is None or r["n"] == 0:
        return f"{label}: geen ingevulde vragenlijsten, dus geen cijfer."
    if r["flag"] == "too_few":
        return (f"{label}: te weinig waarnemingen (n = {r['n']}) om een cijfer te tonen "
                "of te vergelijken.")
    ind = ", indicatief" if r["flag"] == "indicative" else ""
    return (f"{label}: {mark(r['estimate'])}{ind} (n = {r['n']}): {phrase('circle', r)}, "
            f"{phrase('all', r)} en {phrase('previous', r)}.")


def table_row(text, channel, r):
    """The channel's line of the table of marks: n, mark, interval, shares."""
    label = re.escape(TITLE[channel])
    # HARDENING G1: no responses: "geen respons", not a mark of 0.
    if r is None or r["n"] == 0:
        want = rf"^\s*{label}\s+0\s+geen respons\b"
    elif r["flag"] == "too_few":
        want = rf"^\s*{label}\s+{r['n']}\s+te weinig waarnemingen\b"
    else:
        want = (rf"^\s*{label}\s+{r['n']}\s+{re.escape(mark(r['estimate']))}\s+"
                rf"{re.escape(mark(r['ci_low']))}–{re.escape(mark(r['ci_high']))}\s+"
                rf"{re.escape(pct(r['pct_pass']))}\s+{re.escape(pct(r['pct_8_plus']))}")
        if r["flag"] == "indicative":
            want += r"\s+indicatief"
    return re.search(want, text, re.M) is not None


# --- The demo, with responses for each case ----------------------------
kto("demo")
con = sqlite3.connect(DB)
year = con.execute("SELECT min(substr(period_from, 1, 4)) FROM wave").fetchone()[0]
wave_of = {code: (wid, mid) for wid, mid, code in con.execute(
    "SELECT w.id, m.id, m.code FROM wave w JOIN municipality m ON m.id = w.municipality_id")}
names = dict(con.execute("SELECT code, name FROM municipality"))
con.execute("DELETE FROM wave_channel WHERE wave_id = ? AND channel != 'counter'",
            (wave_of["GM0534"][0],))
strata = con.execute(
    "SELECT w.id, m.id, m.code, wc.channel, wc.def_version_id FROM wave w JOIN "
    "wave_channel wc ON wc.wave_id = w.id JOIN municipality m ON m.id = "
    "w.municipality_id ORDER BY m.code, wc.channel").fetchall()
channels_of = {}
for _, _, code, channel, _ in strata:
    channels_of.setdefault(code, []).append(channel)

synth = Synth(con, seed=20261124)
SIZES = {"GM0537": {"counter": 14, "phone": 9, "email": 0},
         "GM0393": {"email": 0}, "GM1525": {"counter": 0, "phone": 0, "email": 0}}
for wave, mun, code, channel, version in strata:
    k = SIZES.get(code, {}).get(channel, 130)
    if code == "GM0381" or k == 0:
        continue
    if code == "GM0375":
        synth.respond(wave, mun, channel, version, k, level=8.4,
                      offsets=synth.area_offsets(0.4))
    else:
        synth.respond(wave, mun, channel, version, k, level=7.2,
                      offsets=synth.area_offsets(0.5))
con.commit()
members = sorted(names)

# --- Before any result set: refused with what to do ---------------------
out = os.path.join(WORK, "x.pdf")
p = kto("report", "letter", "--municipality", "GM0375", "--year", year, "--out", out,
        status=1)
check("kto results compute --year" in p.stderr, f"no result set: {p.stderr!r}")
check(not os.path.exists(out), "a PDF was written without a result set")
p = kto("report", "overview", "--year", year, "--out", out, status=1)
check("kto results compute" in p.stderr, f"overview without a result set: {p.stderr!r}")
p = kto("report", "letters", "--year", year, "--dir", os.path.join(WORK, "none"), status=1)
check("kto results compute" in p.stderr, f"letters without a result set: {p.stderr!r}")

# GM0381 answers like the others of its circle on average, channel by
# channel and area by area: its differences are sampling noise only.
kto("results", "compute", "--year", year)
first = json.loads(kto("results", "show", "--year", year, "--circle", "kring-c",
                       "--json").stdout)["results"]
circle = {(r["channel"], r["variable"]): r["estimate"] for r in first
          if r["scope"] == "circle" and r["estimate"] is not None}
for wave, mun, code, channel, version in strata:
    if code == "GM0381":
        level = circle[(channel, "TOT")]
        offsets = {v[5:]: e - level for (c, v), e in circle.items()
                   if c == channel and v.startswith("area:")}
        synth.respond(wave, mun, channel, version, 110, level=level, offsets=offsets)
con.commit()

kto("results", "compute", "--year", year)
shown = json.loads(kto("results", "show", "--year", year, "--json").stdout)
res = {(r["scope"], r["unit"], r["channel"], r["variable"]): r for r in shown["results"]}
drivers = {}
for d in shown["drivers"]:
    drivers.setdefault(d["unit"], []).append(d)

# The cases are what they claim to be.
check(all(res[("municipality", "GM0375", c, "TOT")]["comparisons"]["circle"]["significant"]
          == 1 for c in ("counter", "phone", "email", "all")), "GM0375 not significantly higher")
bussum = [r for (s, u, c, v), r in res.items() if s == "municipality" and u == "GM0381"
          and (v == "TOT" or c == "all") and "circle" in r["comparisons"]]
check(bussum and all(r["comparisons"]["circle"]["significant"] == 0 for r in bussum),
      "precondition: GM0381 should differ significantly from its circle nowhere")
check(res[("municipality", "GM0537", "all", "TOT")]["flag"] == "too_few",
      "precondition: GM0537 should have too few responses")

# --- Every letter of the year --------------------------------------------
letters = os.path.join(WORK, "letters")
p = kto("report", "letters", "--year", year, "--dir", letters)
check(re.search(rf"Wrote {len(members)} letters to ", p.stdout), f"letters: {p.stdout!r}")
texts = {}
for code in members:
    path = os.path.join(letters, f"{code}.pdf")
    check(os.path.exists(path), f"no letter {path}")
    if not os.path.exists(path):
        continue
    text, pages = pdf_text(path)
    texts[code] = text
    check(1 <= pages <= 3, f"{code}: {pages} pages")
    f = flat(text)
    check(names[code] in text, f"{code}: no name")
    for channel in channels_of[code] + ["all"]:
        r = res.get(("municipality", code, channel, "TOT"))
        check(table_row(text, channel, r), f"{code}/{channel}: table row does not match "
              f"the result set ({r and (r['n'], r['estimate'], r['flag'])})")
        want = sentence(channel, r)
        check(want in f, f"{code}/{channel}: no sentence {want!r}")
    for channel in ("counter", "phone", "email"):
        if channel not in channels_of[code]:
            check(f"{TITLE[channel]}:" not in f, f"{code}: {channel} shown, not in its wave")
    # "hoger" and "lager" only as "significant hoger/lager".
    for m in re.finditer(r"\b(hoger|lager)\b", f):
        check(f[max(0, m.start() - 12):m.start()] == "significant ",
              f"{code}: '{f[max(0, m.start() - 40):m.end() + 20]}' claims a difference")
    # Areas and norms as in the result set.
    for (s, u, c, v), r in res.items():
        if s != "municipality" or u != code:
            continue
        if v.startswith("norm:") and c != "all":
            if r["flag"] == "too_few" or r["n"] == 0:
                continue
            verdict = {"met": "gehaald", "not met": "niet gehaald",
                       "undecided": "onbeslist"}.get(r.get("target_met"), "")
            want = (rf"\s{r['n']}\s+{re.escape(pct(r['estimate']))}\s+"
                    rf"{re.escape(pct(r['ci_low']))}–{re.escape(pct(r['ci_high']))}\s+"
                    rf"{re.escape(pct(r.get('target')))}\s+{verdict}")
            check(re.search(want, text), f"{code}/{c}/{v}: norm row not found ({want})")
    # The points to improve first: the verbeteren quadrant, by importance.
    ds = [d for d in drivers.get(code, []) if d["quadrant"] == "verbeteren"]
    ds.sort(key=lambda d: -d["importance"])
    if "Punten om eerst te verbeteren" in f:
        part = f.split("Punten om eerst te verbeteren", 1)[1].split("Om te bewaken", 1)[0]
        found = [name for _, name in re.findall(r"(\d+)\. ([a-z]+) \(belang ", part)]
        want = [AREA[d["area"]] for d in ds]
        check(found == want, f"{code}: points to improve {found}, wanted {want}")
    else:
        check(not ds, f"{code}: verbeteren areas but no list")

# The cases, by name.
f = flat(texts["GM0375"])
check("Alle kanalen: " in f and "significant hoger dan uw kring" in f,
      "GM0375: no 'significant hoger dan uw kring'")
f = flat(texts["GM0381"])
check("gelijk aan uw kring" in f, "GM0381: no 'gelijk aan uw kring'")
for word in ("hoger dan uw kring", "lager dan uw kring"):
    check(word not in f, f"GM0381: says '{word}' though no difference is significant")
check("te weinig waarnemingen" in texts["GM0537"], "GM0537: no 'te weinig waarnemingen'")
check("minstens 30 respondenten" in flat(texts["GM0537"]),
      "GM0537: no word on the missing priority matrix")
check("E-mail: geen ingevulde vragenlijsten" in flat(texts["GM0393"]),
      "GM0393: the e-mail channel without responses is not said")
check("Telefoon" not in texts["GM0534"], "GM0534: a channel it did not have")
check("geen respons" in texts["GM1525"], "GM1525: no 'geen respons'")

# One letter to a file, and to standard output.
one = os.path.join(WORK, "beverwijk.pdf")
p = kto("report", "letter", "--municipality", "gm0375", "--year", year, "--out", one)
check("Wrote the letter of Beverwijk (GM0375)" in p.stdout, f"letter: {p.stdout!r}")
check(pdf_text(one)[0] == texts["GM0375"], "one letter differs from the batch's")
raw = subprocess.run([KTO, "--db", DB, "report", "letter", "--municipality", "GM0375",
                      "--year", year, "--out", "-"], capture_output=True)
check(raw.returncode == 0 and raw.stdout.startswith(b"%PDF-"), "letter --out -: no PDF")

# --- The overview ----------------------------------------------------------
ov = os.path.join(WORK, "overview.pdf")
kto("report", "overview", "--year", year, "--out", ov)
text, pages = pdf_text(ov)
for code in members:
    check(names[code] in text and code in text, f"overview: {code} missing")
check("Kring C" in text and "Alle deelnemers" in text, "overview: no circle or all")
beverwijk = [line for line in text.splitlines() if "Beverwijk" in line and "GM0375" in line]
check(beverwijk and "▲" in beverwijk[0], f"overview: GM0375 not marked higher {beverwijk}")
kto("report", "overview", "--year", year, "--circle", "kring-c", "--out", ov)
check(all(names[c] in pdf_text(ov)[0] for c in members), "overview --circle: a member missing")

# --- A wave's letter --------------------------------------------------------
wave = str(wave_of["GM0375"][0])
kto("results", "compute", "--wave", wave)
p = kto("report", "letter", "--wave", wave, "--out", one)
text = flat(pdf_text(one)[0])
wshown = json.loads(kto("results", "show", "--wave", wave, "--json").stdout)
r = [x for x in wshown["results"] if x["scope"] == "municipality" and x["channel"] == "all"
     and x["variable"] == "TOT"][0]
check(f"meting {wave}" in text, "wave letter: no 'meting'")
check(sentence("all", r) in text, f"wave letter: no {sentence('all', r)!r}")
p = kto("report", "letter", "--wave", wave, "--municipality", "GM0381", "--out", one, status=1)
check("is of GM0375" in p.stderr, f"wave of another municipality: {p.stderr!r}")

# --- The year after: the same answers, compared with this year --------------
con.execute("UPDATE wave SET period_from = ? || substr(period_from, 5), period_to = ? "
            "|| substr(period_to, 5)", (str(int(year) + 1), str(int(year) + 1)))
con.commit()
nxt = str(int(year) + 1)
kto("results", "compute", "--year", nxt)
later = json.loads(kto("results", "show", "--year", nxt, "--municipality", "GM0381",
                       "--json").stdout)
kto("report", "letter", "--municipality", "GM0381", "--year", nxt, "--out", one)
text = flat(pdf_text(one)[0])
for r in later["results"]:
    if r["scope"] == "municipality" and r["variable"] == "TOT":
        check(sentence(r["channel"], r) in text, f"{nxt}: no {sentence(r['channel'], r)!r}")
check("gelijk aan vorig jaar" in text, "the year after: no 'gelijk aan vorig jaar'")

# --- What is refused ----------------------------------------------------------
for args, what in [
        (["report", "letter", "--year", year, "--out", one], "--municipality"),
        (["report", "letter", "--municipality", "GM0375", "--year", year], "--out"),
        (["report", "letter", "--municipality", "GM0375", "--out", one], "--wave W or --year Y"),
        (["report", "letter", "--municipality", "GM0375", "--year", year, "--wave", wave,
          "--out", one], "--wave W or --year Y"),
        (["report", "letter", "--municipality", "GM0375", "--year", "twenty", "--out", one],
         "--year 'twenty'"),
        (["report", "letter", "--municipality", "GM0375", "--year", year, "--out", one,
          "--dir", WORK], "--dir"),
        (["report", "letters", "--year", year], "--dir"),
        (["report", "letters", "--year", year, "--dir", letters, "--threads", "0"],
         "--threads"),
        (["report", "overview", "--year", year], "--out"),
        (["report", "overview", "--out", ov], "--wave W or --year Y"),
        (["report", "letter", "GM0375", "--year", year, "--out", one], ""),
        (["report", "nonsense"], "unknown command")]:
    p = kto(*args, status=2)
    check(what in p.stderr, f"kto {' '.join(args)}: {p.stderr!r}")
p = kto("report", "letter", "--municipality", "GM9999", "--year", year, "--out", one, status=1)
check("no municipality 'GM9999'" in p.stderr, f"unknown municipality: {p.stderr!r}")
p = kto("report", "letter", "--municipality", "GM0375", "--year", "1999", "--out", one,
        status=1)
check("no wave that starts in 1999" in p.stderr, f"no wave that year: {p.stderr!r}")
p = kto("report", "overview", "--year", year, "--circle", "kring-z", "--out", ov, status=1)
check("kring-z" in p.stderr, f"unknown circle: {p.stderr!r}")
p = kto("report", "letter", "--municipality", "GM0375", "--year", nxt, "--out",
        os.path.join(WORK, "no", "such", "dir.pdf"), status=1)
check("cannot write" in p.stderr, f"unwritable --out: {p.stderr!r}")
for cmd in ("letter", "letters", "overview"):
    p = kto("report", cmd, "--help")
    check(f"Usage: kto report {cmd}" in p.stdout, f"report {cmd} --help")

if failures:
    sys.exit(f"{len(failures)} checks failed; the files are in {WORK}")
shutil.rmtree(WORK)
print(f"report: ok ({len(members)} letters, overview, refusals)")
