#!/usr/bin/env python3
"""kto results compute / show, end to end on a database.

The demo's circle and sampled waves get synthetic complete responses
(written straight into the database: the web form has its own tests), with
missing answers, "weet niet", a stratum without responses, a lonely
stratum and strata too small to show.  The stored result set must then
equal `kto stats estimate` -- itself checked against R's survey package by
tests/stats -- on a CSV of the same answers: per municipality x channel,
per municipality (channels weighted by N_h), for all participants, the %
voldoende and a service norm.  Circle marks, comparisons, Holm, flags,
the year-on-year comparison, drivers and the error messages are checked
by their definitions.

Usage: results.py KTO_BINARY
"""
import csv
import json
import math
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile

KTO = sys.argv[1]
WORK = tempfile.mkdtemp(prefix="kto-results-")
DB = os.path.join(WORK, "results.db")
OVERALL = {"counter": "B18", "phone": "T15", "email": "E14"}
FRIENDLY = {"counter": "B10", "phone": "T09", "email": "E12"}   # area BEJ
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


def close(a, b, what, tol=1e-9):
    if a is None or b is None:
        check(a is None and b is None, f"{what}: {a} vs {b}")
        return
    check(abs(a - b) <= tol * max(1.0, abs(b)), f"{what}: {a!r} vs {b!r}")


# --- The demo's circle, municipalities and sampled waves ---------------
kto("demo")
con = sqlite3.connect(DB)
strata = con.execute(
    "SELECT w.id, m.id, m.code, wc.channel, wc.def_version_id, wc.population "
    "FROM wave w JOIN wave_channel wc ON wc.wave_id = w.id JOIN municipality m "
    "ON m.id = w.municipality_id ORDER BY m.code, wc.channel").fetchall()
year = con.execute("SELECT min(substr(period_from, 1, 4)) FROM wave").fetchone()[0]

# --- Synthetic responses -----------------------------------------------
rng = random.Random(20261123)
rows = []           # one per response: the CSV for kto stats estimate
dont_know = {}      # (code, channel) -> "weet niet" answers to the overall mark
for i, (wave, mun, code, channel, version, population) in enumerate(strata):
    if i == 0:
        k = 0                       # a stratum without responses
    elif i == 1:
        k = 1                       # a lonely stratum
    elif i in (4, 5):
        k = 12                      # too few to show
    else:
        k = rng.randint(35, 90)
    for _ in range(k):
        cur = con.execute(
            "INSERT INTO response (wave_id, municipality_id, channel, def_version_id, "
            "state, completed_at) VALUES (?, ?, ?, ?, 'complete', '2026-11-20T10:00:00Z')",
            (wave, mun, channel, version))
        rid = cur.lastrowid
        u = rng.random()
        mark = min(10, max(1, round(rng.gauss(7.3 + (hash(code) % 5) / 10, 1.4))))
        overall = None
        if u < 0.06:
            con.execute("INSERT INTO answer (response_id, item, dont_know) VALUES "
                        "(?, ?, 1)", (rid, OVERALL[channel]))
            dont_know[(code, channel)] = dont_know.get((code, channel), 0) + 1
        elif u > 0.10:
            overall = mark
            con.execute("INSERT INTO answer (response_id, item, value_num) VALUES "
                        "(?, ?, ?)", (rid, OVERALL[channel], mark))
        friendly = None
        if rng.random() < 0.85:
            friendly = min(10, max(1, mark + rng.choice([-1, 0, 0, 1])))
            con.execute("INSERT INTO answer (response_id, item, value_num) VALUES "
                        "(?, ?, ?)", (rid, FRIENDLY[channel], friendly))
        norm = None
        if channel == "counter" and rng.random() < 0.9:
            code17 = rng.choice(["opgelost", "opgelost", "opgelost", "terugkomen", "anders"])
            con.execute("INSERT INTO answer (response_id, item, value_text) VALUES "
                        "(?, 'B17', ?)", (rid, code17))
            norm = 1 if code17 == "opgelost" else 0
        rows.append({"municipality": code, "channel": channel, "cell": f"{code}/{channel}",
                     "N": population, "overall": overall, "friendly": friendly,
                     "passed": None if overall is None else int(overall >= 5.5),
                     "norm": norm})
con.commit()

with open(os.path.join(WORK, "answers.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if v is None else v) for k, v in r.items()})


def estimate(value, by=None, proportion=False):
    args = ["stats", "estimate", "--csv", os.path.join(WORK, "answers.csv"),
            "--value", value, "--strata", "municipality,channel", "--fpc", "N", "--json"]
    if by:
        args += ["--by", by]
    if proportion:
        args += ["--proportion"]
    return {g["group"]: g for g in json.loads(kto(*args).stdout)}


# --- Compute and read back ---------------------------------------------
out = json.loads(kto("results", "compute", "--year", year, "--json").stdout)
check(out["responses"] == len(rows), f"responses {out['responses']} != {len(rows)}")
shown = json.loads(kto("results", "show", "--year", year, "--json").stdout)
res = {(r["scope"], r["unit"], r["channel"], r["variable"]): r for r in shown["results"]}


def same(stored, ref, what):
    check(stored["n"] == ref["n"], f"{what}: n {stored['n']} vs {ref['n']}")
    for key in ("estimate", "se", "ci_low", "ci_high", "df"):
        close(stored[key], ref[key], f"{what}: {key}")


# Municipality x channel: one stratum each.
cells = estimate("overall", by="cell")
for (_, _, code, channel, _, _) in strata:
    r = res.get(("municipality", code, channel, "TOT"))
    ref = cells.get(f"{code}/{channel}")
    if ref is None:                      # no responses at all: no row either
        check(r is None or r["n"] == 0, f"{code}/{channel}: a result without responses")
        continue
    same(r, ref, f"TOT {code}/{channel}")
    check(r["dont_know"] == dont_know.get((code, channel), 0),
          f"{code}/{channel}: weet niet {r['dont_know']}")
    want = "too_few" if ref["n"] < 30 else "indicative" if ref["n"] < 100 or \
        ref["ci_high"] - ref["estimate"] > 0.5 else "ok"
    check(r["flag"] == want, f"{code}/{channel}: flag {r['flag']}, wanted {want}")

# Municipality, channels weighted by N_h; all participants.
for code, ref in estimate("overall", by="municipality").items():
    same(res[("municipality", code, "all", "TOT")], ref, f"TOT {code}/all")
same(res[("all", "", "all", "TOT")], estimate("overall")["all"], "TOT all/all")
for code, ref in estimate("friendly", by="municipality").items():
    same(res[("municipality", code, "all", "area:BEJ")], ref, f"area:BEJ {code}")

# % voldoende with its logit interval, and a service norm (a share).
for code, ref in estimate("passed", by="municipality", proportion=True).items():
    r = res[("municipality", code, "all", "TOT")]
    close(r["pct_pass"], ref["estimate"], f"pct_pass {code}")
    close(r["pct_pass_low"], ref["ci_low"], f"pct_pass_low {code}", 1e-8)
    close(r["pct_pass_high"], ref["ci_high"], f"pct_pass_high {code}", 1e-8)
for code, ref in estimate("norm", by="municipality", proportion=True).items():
    r = res[("municipality", code, "counter", "norm:N4")]
    for key in ("estimate", "ci_low", "ci_high"):
        close(r[key], ref[key], f"norm:N4 {code}: {key}", 1e-8)

# The norm's target (80 % in kto-balie.kto): met only when the whole
# interval lies above it.
for (scope, unit, channel, var), r in res.items():
    if var == "norm:N4" and r["flag"] != "too_few":
        close(r["target"], 0.8, f"{unit}/{channel} norm target")
        want = "met" if r["ci_low"] > 0.8 else "not met" if r["ci_high"] < 0.8 else "undecided"
        check(r["target_met"] == want, f"{unit}/{channel} norm: {r['target_met']}, wanted {want}")

# The circle: the unweighted mean of its shown members; comparisons.
members = sorted({c for (_, _, c, _, _, _) in strata})
for channel in ("counter", "phone", "email", "all"):
    mine = {c: res[("municipality", c, channel, "TOT")] for c in members
            if ("municipality", c, channel, "TOT") in res}
    shown_m = {c: r for c, r in mine.items() if r["flag"] != "too_few"}
    circle = res[("circle", "kring-c", channel, "TOT")]
    close(circle["estimate"], sum(r["estimate"] for r in shown_m.values()) / len(shown_m),
          f"circle {channel}")
    close(circle["se"], math.sqrt(sum(r["se"] ** 2 for r in shown_m.values())) / len(shown_m),
          f"circle se {channel}")
    everyone = res[("all", "", channel, "TOT")]
    for c, r in mine.items():
        cmp = r["comparisons"]
        if r["flag"] == "too_few":
            check(cmp == {}, f"{c}/{channel}: compared though not shown")
            continue
        others = [o for o in shown_m if o != c]
        ref = sum(shown_m[o]["estimate"] for o in others) / len(others)
        var = sum(shown_m[o]["se"] ** 2 for o in others) / len(others) ** 2
        close(cmp["circle"]["reference"], ref, f"{c}/{channel} circle reference")
        close(cmp["circle"]["diff"], r["estimate"] - ref, f"{c}/{channel} circle diff")
        close(cmp["circle"]["se"], math.sqrt(r["se"] ** 2 + var), f"{c}/{channel} circle se")
        close(cmp["all"]["diff"], r["estimate"] - everyone["estimate"], f"{c}/{channel} all diff")
        for k in ("circle", "all"):
            v = cmp[k]
            check(v["p_holm"] >= v["p"] - 1e-15, f"{c}/{channel} {k}: Holm below p")
            check(v["significant"] == (0 if v["p_holm"] >= 0.05 else
                                       (1 if v["diff"] > 0 else -1)),
                  f"{c}/{channel} {k}: significant {v['significant']}")

# Drivers: one model per municipality, on the areas answered.
drivers = [d for d in shown["drivers"] if d["area"] == "BEJ"]
check(len(drivers) == len(members), f"{len(drivers)} driver rows for BEJ")
check(all(d["n"] == 0 or 0 <= d["r2"] <= 1 for d in drivers), "R^2 outside 0..1")
check(any(d["n"] >= 30 and d["coef"] is not None and d["coef"] > 0 for d in drivers),
      "no municipality has BEJ as a positive driver of the overall mark")

# The priority matrix: the quadrant follows the area's mark against the
# circle's other members (below: verbeteren or bewaken).
for d in shown["drivers"]:
    if d["quadrant"] is not None:
        below = d["vs_circle"] < 0
        check(d["quadrant"] in (("verbeteren", "bewaken") if below else
                                ("behouden", "minder urgent")),
              f"{d['unit']} {d['area']}: quadrant {d['quadrant']} at {d['vs_circle']}")
        cmp = res[("municipality", d["unit"], "all", "area:" + d["area"])]["comparisons"]
        close(d["vs_circle"], cmp["circle"]["diff"], f"{d['unit']} {d['area']} vs circle")
check(any(d["quadrant"] for d in shown["drivers"]), "no quadrant at all")

# Text output: a too-small stratum says so instead of a number.
text = kto("results", "show", "--year", year, "--municipality", strata[4][2]).stdout
check("te weinig waarnemingen" in text, "show: no 'te weinig waarnemingen'")
check("vs circle" in text and "," in text, "show: no table with decimal commas")

# --- The year after: compared with this year ---------------------------
con.execute("UPDATE wave SET period_from = ? || substr(period_from, 5), period_to = ? "
            "|| substr(period_to, 5)", (str(int(year) + 1), str(int(year) + 1)))
con.commit()
nxt = json.loads(kto("results", "compute", "--year", str(int(year) + 1), "--json").stdout)
check(nxt["previous_result_set"] == out["result_set"], "previous year's set not used")
later = json.loads(kto("results", "show", "--year", str(int(year) + 1), "--json").stdout)
for r in later["results"]:
    if r["scope"] == "municipality" and r["flag"] != "too_few":
        prev = r["comparisons"].get("previous")
        check(prev is not None, f"{r['unit']}/{r['channel']}/{r['variable']}: no previous")
        if prev:
            close(prev["diff"], 0.0, "same answers: no change", 1e-12)
            close(prev["se"], math.sqrt(2) * r["se"], "independent: variances add")
            check(prev["significant"] == 0, "no change, yet significant")

# --- One wave; and what is refused -------------------------------------
wave = json.loads(kto("results", "compute", "--wave", str(strata[6][0]), "--json").stdout)
check(wave["municipalities"] == 1, "a wave's set covers one municipality")
p = kto("results", "compute", "--year", "1999", status=1)
check("no wave starts in 1999" in p.stderr, f"year without waves: {p.stderr!r}")
p = kto("results", "show", "--year", "1999", status=1)
check("kto results compute" in p.stderr, f"show before compute: {p.stderr!r}")
p = kto("results", "compute", status=2)
check("--wave W or --year Y" in p.stderr, f"no scope: {p.stderr!r}")
con.execute("DELETE FROM answer")
con.execute("DELETE FROM response")
con.commit()
p = kto("results", "compute", "--year", str(int(year) + 1), status=1)
check("no complete responses" in p.stderr, f"no responses: {p.stderr!r}")

if failures:
    sys.exit(f"{len(failures)} checks failed; the database is {DB}")
shutil.rmtree(WORK)
print(f"results: ok ({len(rows)} responses, {len(shown['results'])} results)")
