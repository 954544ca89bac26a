#!/usr/bin/env python3
"""Fills a kto database made by `kto demo` with synthetic complete responses
for the portal benchmark: the demo's waves, each channel repeated into
enough responses to reach the total asked for, with the overall mark and two
area marks per response (bench/portal.sh).

Usage: portal_data.py DB TOTAL
"""
import random
import sqlite3
import sys

db, total = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(db)
con.execute("PRAGMA synchronous = OFF")
strata = con.execute("SELECT w.id, w.municipality_id, wc.channel, wc.def_version_id "
                     "FROM wave w JOIN wave_channel wc ON wc.wave_id = w.id").fetchall()
items = {"counter": ("B18", "B10", "B12"), "phone": ("T15", "T09", "T10"),
         "email": ("E14", "E12", "E09")}
rng = random.Random(1)
per = total // len(strata)
next_id = (con.execute("SELECT coalesce(max(id), 0) FROM response").fetchone()[0]) + 1
# The populations must hold the responses: N_h at least n_h.
con.execute("UPDATE wave_channel SET population = max(coalesce(population, 0), ?)",
            (per * 3,))
for wave, mun, channel, version in strata:
    responses, answers = [], []
    for _ in range(per):
        responses.append((next_id, wave, mun, channel, version))
        base = rng.choice((5, 6, 7, 7, 8, 8, 8, 9, 10))
        for k, item in enumerate(items[channel]):
            if k == 0 or rng.random() < 0.9:
                answers.append((next_id, item, max(1, min(10, base + rng.choice((-1, 0, 1))))))
        next_id += 1
    con.executemany("INSERT INTO response (id, wave_id, municipality_id, channel, "
                    "def_version_id, state, completed_at) VALUES (?, ?, ?, ?, ?, "
                    "'complete', '2026-11-20T10:00:00Z')", responses)
    con.executemany("INSERT INTO answer (response_id, item, value_num) VALUES (?, ?, ?)",
                    answers)
con.commit()
print(f"{per * len(strata)} responses in {len(strata)} strata")
