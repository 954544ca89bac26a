# kto stats estimate on analysts' files: every bad input refused with the
# file, the row (as a spreadsheet numbers it) and the column, and what to
# do; usage errors are exit 2.  The numbers themselves are checked against
# R in tests/stats.
. "$(dirname "$0")/lib.sh"

printf 'gemeente;kanaal;N;cijfer\nA;balie;100;7,5\nA;balie;100;8\nB;balie;50;\nB;balie;50;6\n' >nl.csv
expect_exit 0 "$KTO" stats estimate --csv nl.csv --value cijfer --strata gemeente,kanaal --fpc N
expect_stdout_contains "Mean of 'cijfer'"
expect_stdout_contains "2 strata"
expect_exit 0 "$KTO" stats estimate --csv nl.csv --value cijfer --strata gemeente --fpc N --by gemeente --json
# A: 7,5 and 8 (decimal comma); B: one value, the other missing.
expect_json 'assert [g["group"] for g in d] == ["A", "B"]
assert abs(d[0]["estimate"] - 7.75) < 1e-12 and d[0]["n"] == 2 and d[0]["df"] == 1
assert d[1]["estimate"] == 6 and d[1]["n"] == 1'


# A value that is not a number: row 3 of the file, column cijfer.
printf 'g,N,cijfer\nA,100,7\nA,100,zeven\n' >bad.csv
expect_exit 1 "$KTO" stats estimate --csv bad.csv --value cijfer --strata g --fpc N
expect_stderr_contains "bad.csv, row 3, column 'cijfer': 'zeven' is not a number"
expect_stdout_empty

# A population that differs within a stratum, or is smaller than it.
printf 'g,N,v\nA,100,7\nA,90,8\n' >fpc.csv
expect_exit 1 "$KTO" stats estimate --csv fpc.csv --value v --strata g --fpc N
expect_stderr_contains "row 3, column 'N'"
expect_stderr_contains "the same on every row of a stratum"
printf 'g,N,v\nA,1,7\nA,1,8\n' >small.csv
expect_exit 0 "$KTO" stats estimate --csv small.csv --value v --strata g --fpc N
printf 'g,N,v\nA,2,7\nA,2,8\nA,2,9\n' >small.csv
expect_exit 1 "$KTO" stats estimate --csv small.csv --value v --strata g --fpc N
expect_stderr_contains "smaller than the number of rows"

# A stratum, weight or population left empty: the design needs it.
printf 'g,N,v\nA,100,7\n,100,8\n' >nostrat.csv
expect_exit 1 "$KTO" stats estimate --csv nostrat.csv --value v --strata g --fpc N
expect_stderr_contains "row 3, column 'g'"
printf 'w,v\n2,7\n-1,8\n' >weights.csv
expect_exit 1 "$KTO" stats estimate --csv weights.csv --value v --weights w
expect_stderr_contains "row 3, column 'w': '-1' is not a number of 0 or more"

# A proportion needs 0 and 1.
printf 'v\n0\n1\n2\n' >prop.csv
expect_exit 1 "$KTO" stats estimate --csv prop.csv --value v --proportion
expect_stderr_contains "row 4, column 'v': '2' is not 0 or 1"

# Unknown columns name the ones there are; a missing file, an empty one.
expect_exit 1 "$KTO" stats estimate --csv nl.csv --value mark
expect_stderr_contains "has no column 'mark'; its columns are: 'gemeente', 'kanaal', 'N', 'cijfer'"
expect_exit 1 "$KTO" stats estimate --csv missing.csv --value v
expect_stderr_contains "cannot open 'missing.csv'"
: >empty.csv
expect_exit 1 "$KTO" stats estimate --csv empty.csv --value v
expect_stderr_contains "empty"
printf 'v\n' >header.csv
expect_exit 1 "$KTO" stats estimate --csv header.csv --value v
expect_stderr_contains "no rows"

# Usage errors.
expect_exit 2 "$KTO" stats estimate --value v
expect_stderr_contains "--csv FILE --value COLUMN"
expect_exit 2 "$KTO" stats estimate --csv nl.csv --value cijfer --level 95
expect_stderr_contains "between 0 and 1"
expect_exit 2 "$KTO" stats estimate --csv nl.csv --value cijfer --method beta
expect_stderr_contains "add --proportion"
expect_exit 2 "$KTO" stats estimate --csv nl.csv --value cijfer --proportion --method wald
expect_stderr_contains "logit, beta or mean"

# HARDENING G2: no NaN in JSON.
# Standard input, and an estimate that cannot be made is null, not NaN.
printf 'g,v\nA,\nB,3\n' >stdin.csv
expect_exit 0 sh -c '"$1" stats estimate --csv - --value v --by g --json <"$2"' sh "$KTO" stdin.csv
expect_json 'assert d[0] == {"group": "A", "n": 0, "estimate": None, "se": None, "ci_low": None, "ci_high": None, "df": None}, d[0]
assert d[1]["estimate"] == 3 and d[1]["ci_low"] is None'
expect_stdout_lacks "nan"

# Totals (svytotal), with a lonely stratum and a missing value; the values
# are R's: options(survey.lonely.psu = "adjust"); d <- svydesign(id = ~1,
# strata = ~s, fpc = ~N, data = t); svytotal(~y, d, na.rm = TRUE) and
# svyby(~y, ~s, d, svytotal, na.rm = TRUE).
printf 's,N,y\na,10,1\na,10,2\na,10,4\nb,5,7\nc,8,3\nc,8,\n' >total.csv
expect_exit 0 "$KTO" stats estimate --csv total.csv --value y --strata s --fpc N --total --json
expect_json 'assert abs(d[0]["estimate"] - 70.333333333333329) < 1e-9
assert abs(d[0]["se"] - 33.800065746155646) < 1e-9 * 33.8'
expect_exit 0 "$KTO" stats estimate --csv total.csv --value y --strata s --fpc N --total --by s --json
expect_json 'want = {"a": (23.333333333333336, 7.3786478737262176), "b": (35.0, 31.304951684997054), "c": (12.0, 10.392304845413263)}
for g in d:
    e, se = want[g["group"]]
    assert abs(g["estimate"] - e) < 1e-9 * e and abs(g["se"] - se) < 1e-9 * se, g'
expect_exit 2 "$KTO" stats estimate --csv total.csv --value y --total --proportion
expect_stderr_contains "choose one"
