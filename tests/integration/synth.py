"""Synthetic complete responses, written straight into a kto database.

Shared by tests/integration/report.py and bench/letters.sh.  The questions
come from the stored survey definitions (survey_def_version.source), read
with a small parser of the .kto format that knows just enough: question
ids, types, areas and option codes.  Each respondent has a personal level;
the overall mark follows it, each area mark follows it plus the
municipality's offset for that area, choice questions favour their first
options (so that most service norms are met most of the time).
"""
import random

MARK_AREAS = ("BER", "TOE", "INF", "WAC", "LEV", "TAR", "BEJ", "BET")


def parse_kto(source):
    """[(id, type, area, [option codes])] of the questions of a .kto text."""
    questions, cur, in_options = [], None, False
    for line in source.splitlines():
        if line.startswith("question "):
            parts = line.split()
            cur = [parts[1], parts[2], None, []]
            questions.append(cur)
            in_options = False
        elif not line.startswith(" ") and line.strip():
            cur, in_options = None, False
        elif cur is not None:
            s = line.strip()
            if line.startswith("  ") and not line.startswith("    "):
                in_options = s == "options:"
                if s.startswith("area:"):
                    cur[2] = s.split(":", 1)[1].strip()
            elif in_options and line.startswith("    ") and s:
                cur[3].append(s.split()[0])
    return [tuple(q) for q in questions]


def definitions(con):
    """{version_id: questions} of every stored definition version."""
    return {vid: parse_kto(src) for vid, src in
            con.execute("SELECT id, source FROM survey_def_version")}


def clamp(v):
    return min(10, max(1, int(round(v))))


class Synth:
    """Writes responses; one instance per database connection."""

    def __init__(self, con, seed=2026):
        self.con = con
        self.rng = random.Random(seed)
        self.defs = definitions(con)
        self.next_id = (con.execute("SELECT coalesce(max(id), 0) FROM response")
                        .fetchone()[0]) + 1

    def area_offsets(self, spread=0.5):
        return {a: self.rng.gauss(0, spread) for a in MARK_AREAS}

    def respond(self, wave, mun, channel, version, k, level=7.2, spread=1.2,
                offsets=None, completed_at="2026-11-20T10:00:00Z"):
        """k complete responses to version in the stratum (wave, channel)."""
        rng, questions = self.rng, self.defs[version]
        offsets = offsets or {}
        responses, answers = [], []
        for _ in range(k):
            rid = self.next_id
            self.next_id += 1
            responses.append((rid, wave, mun, channel, version, completed_at))
            base = rng.gauss(level, spread)
            for qid, qtype, area, options in questions:
                u = rng.random()
                if qtype == "mark":
                    if area == "TOT":
                        answers.append((rid, qid, clamp(base + rng.gauss(0, 0.4)), None, 0))
                    elif u < 0.05:
                        answers.append((rid, qid, None, None, 1))      # weet niet
                    elif u < 0.09:
                        continue                                       # unanswered
                    else:
                        v = base + offsets.get(area, 0) + rng.gauss(0, 0.9)
                        answers.append((rid, qid, clamp(v), None, 0))
                elif qtype in ("choice", "multi") and options:
                    # Earlier options are likelier: 60 % the first, ...
                    i = 0
                    while i < len(options) - 1 and rng.random() > 0.6:
                        i += 1
                    code = options[i]
                    answers.append((rid, qid, None,
                                    code if qtype == "choice" else f'["{code}"]', 0))
                elif qtype == "yesno":
                    answers.append((rid, qid, None, "yes" if u < 0.5 else "no", 0))
                elif qtype == "scale":
                    answers.append((rid, qid, rng.randint(1, 5), None, 0))
        self.con.executemany(
            "INSERT INTO response (id, wave_id, municipality_id, channel, def_version_id, "
            "state, completed_at) VALUES (?, ?, ?, ?, ?, 'complete', ?)", responses)
        self.con.executemany(
            "INSERT INTO answer (response_id, item, value_num, value_text, dont_know) "
            "VALUES (?, ?, ?, ?, ?)", answers)
        return k
