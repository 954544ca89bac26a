#!/usr/bin/env python3
"""Compare `kto stats estimate` with the reference values computed in R.

    compare.py KTO_BINARY REFERENCE_JSON
        Runs `KTO_BINARY stats estimate ARGS --json` for every case of
        REFERENCE_JSON (in the directory of this script, where the case's
        CSV paths point) and compares its output with the case's expected
        array.  One line per case, "ok NAME" or "FAIL NAME: <the first
        difference>"; exit status 1 when any case fails, else 0.

    compare.py --references FRESH_JSON COMMITTED_JSON [TOL]
        Compares two reference files, case by case (names, arguments,
        tolerances and expected values, numbers to relative TOL, default
        1e-12): a freshly computed reference against the committed one.

Numbers match when |actual - expected| <= max(tol * |expected|, 1e-12)
(a relative tolerance, with an absolute floor for values near zero); tol
is the case's "tolerance".  "group" and "method" must be equal strings,
"n" and "df" equal integers (df may be null), and a null must be null.
Fields that kto prints beyond the expected ones are ignored (the JSON
shape may grow).  Python 3 standard library only.
"""

import json
import math
import os
import subprocess
import sys

ABS_FLOOR = 1e-12
TIMEOUT = 120  # seconds per case
EXACT_FIELDS = ("n", "df")
STRING_FIELDS = ("group", "method")


class Mismatch(Exception):
    pass


class CannotRun(Exception):
    pass


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _show(v):
    return json.dumps(v) if not isinstance(v, float) else repr(v)


def compare_value(where, field, actual, expected, tol):
    """Raises Mismatch describing the difference, if any."""
    if expected is None:
        if actual is not None:
            raise Mismatch(f"{where} {field}: {_show(actual)}, expected null")
        return
    if actual is None:
        raise Mismatch(f"{where} {field}: null, expected {_show(expected)}")
    if field in STRING_FIELDS or isinstance(expected, str):
        if actual != expected:
            raise Mismatch(f"{where} {field}: {_show(actual)}, "
                           f"expected {_show(expected)}")
        return
    if not _is_number(actual):
        raise Mismatch(f"{where} {field}: {_show(actual)} is not a number")
    if not math.isfinite(actual):
        raise Mismatch(f"{where} {field}: {actual} is not finite")
    if field in EXACT_FIELDS:
        if actual != expected:
            raise Mismatch(f"{where} {field}: {_show(actual)}, "
                           f"expected {_show(expected)} exactly")
        return
    diff = abs(actual - expected)
    allowed = max(tol * abs(expected), ABS_FLOOR)
    if not diff <= allowed:
        rel = diff / abs(expected) if expected != 0 else math.inf
        raise Mismatch(f"{where} {field}: {actual!r}, expected {expected!r} "
                       f"(difference {diff:.3g}, relative {rel:.3g}, "
                       f"tolerance {tol:g})")


def compare_groups(actual, expected, tol):
    """Compares an output array with an expected array; raises Mismatch."""
    if not isinstance(actual, list):
        raise Mismatch(f"output is a JSON {type(actual).__name__}, "
                       "not an array")
    for i, exp in enumerate(expected):
        if i >= len(actual):
            raise Mismatch(f"{len(actual)} groups, expected {len(expected)}:"
                           f" group {exp.get('group')!r} is missing")
        act = actual[i]
        if not isinstance(act, dict):
            raise Mismatch(f"element {i} is not an object")
        where = f"[{i}]"
        # The group first, so that an ordering error reads as one.
        for field in ["group"] + [f for f in exp if f != "group"]:
            if field not in act:
                raise Mismatch(f"{where} (group {exp.get('group')!r}): "
                               f"no field {field!r}")
            compare_value(f"{where} group {exp.get('group')!r}", field,
                          act[field], exp[field], tol)
    if len(actual) > len(expected):
        extra = actual[len(expected)]
        group = extra.get("group") if isinstance(extra, dict) else extra
        raise Mismatch(f"{len(actual)} groups, expected {len(expected)}: "
                       f"unexpected group {group!r}")


def load(path):
    with open(path, encoding="utf-8") as f:
        cases = json.load(f)
    if not isinstance(cases, list) or not cases:
        raise SystemExit(f"{path}: not a non-empty array of cases")
    return cases


def run_case(kto, case, cwd):
    argv = [kto, "stats", "estimate"] + case["args"] + ["--json"]
    try:
        p = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Mismatch(f"no answer within {TIMEOUT} s")
    except OSError as e:
        raise CannotRun(f"cannot run {kto}: {e}")
    err = p.stderr.decode("utf-8", "replace").strip()
    if p.returncode != 0:
        raise Mismatch(f"exit status {p.returncode}"
                       + (f": {err.splitlines()[0]}" if err else ""))
    out = p.stdout.decode("utf-8", "replace")
    try:
        # parse_constant: NaN and Infinity are not JSON.
        actual = json.loads(out, parse_constant=_reject_constant)
    except ValueError as e:
        first = out.strip().splitlines()[0][:120] if out.strip() else "(empty)"
        raise Mismatch(f"output is not JSON ({e}): {first}")
    compare_groups(actual, case["expected"], float(case["tolerance"]))


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def check_kto(kto, ref_path):
    here = os.path.dirname(os.path.abspath(__file__))
    kto = os.path.abspath(kto) if os.sep in kto else kto
    failed = 0
    cases = load(ref_path)
    for case in cases:
        try:
            run_case(kto, case, here)
            print(f"ok {case['name']}")
        except Mismatch as e:
            failed += 1
            print(f"FAIL {case['name']}: {e}")
        except CannotRun as e:
            print(f"FAIL {case['name']}: {e}")
            return 1
    print(f"{len(cases) - failed} of {len(cases)} cases ok")
    return 1 if failed else 0


def check_references(fresh_path, committed_path, tol):
    fresh, committed = load(fresh_path), load(committed_path)
    failed = 0
    names = [c["name"] for c in committed]
    fresh_by_name = {c["name"]: c for c in fresh}
    for case in committed:
        name = case["name"]
        try:
            new = fresh_by_name.get(name)
            if new is None:
                raise Mismatch("not in the fresh reference")
            for key in ("args", "tolerance"):
                if new.get(key) != case.get(key):
                    raise Mismatch(f"{key} {new.get(key)!r}, committed "
                                   f"{case.get(key)!r}")
            compare_groups(new["expected"], case["expected"], tol)
            print(f"ok {name}")
        except Mismatch as e:
            failed += 1
            print(f"FAIL {name}: fresh R differs from the committed "
                  f"reference: {e}")
    for c in fresh:
        if c["name"] not in names:
            failed += 1
            print(f"FAIL {c['name']}: new case, not in the committed "
                  "reference")
    return 1 if failed else 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "--references" and len(argv) <= 5:
        tol = float(argv[4]) if len(argv) == 5 else 1e-12
        return check_references(argv[2], argv[3], tol)
    if len(argv) == 3 and not argv[1].startswith("-"):
        return check_kto(argv[1], argv[2])
    sys.stderr.write("usage: compare.py KTO_BINARY REFERENCE_JSON\n"
                     "       compare.py --references FRESH_JSON "
                     "COMMITTED_JSON [TOL]\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
