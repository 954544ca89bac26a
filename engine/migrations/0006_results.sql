-- Result sets: the report marks computed from a wave or a year's
-- responses (kto results compute), read by the portal and the reports.
-- A result set is never changed after it is stored; computing again
-- stores a new one, and readers take the newest of a scope.
CREATE TABLE result_set (
  id           INTEGER PRIMARY KEY,
  scope        TEXT NOT NULL CHECK (scope IN ('wave', 'year')),
  wave_id      INTEGER REFERENCES wave(id),
  year         INTEGER,
  level        REAL NOT NULL CHECK (level > 0 AND level < 1),
  responses    INTEGER NOT NULL,
  notes        TEXT NOT NULL DEFAULT '',
  computed_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  computed_by  TEXT NOT NULL,
  CHECK ((scope = 'wave') = (wave_id IS NOT NULL)),
  CHECK ((scope = 'year') = (year IS NOT NULL))
) STRICT;

-- One estimate: of a municipality, a circle or all participants ('' as
-- unit), for a channel or 'all'; variable is a question id, 'TOT',
-- 'area:XXX' or 'norm:ID'.  NULL where nothing can be estimated.
CREATE TABLE result (
  result_set_id  INTEGER NOT NULL REFERENCES result_set(id) ON DELETE CASCADE,
  scope          TEXT NOT NULL CHECK (scope IN ('municipality', 'circle', 'all')),
  unit           TEXT NOT NULL,
  channel        TEXT NOT NULL CHECK (channel IN ('counter', 'phone', 'email', 'all')),
  variable       TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('mark', 'share')),
  n              INTEGER NOT NULL,
  dont_know      INTEGER NOT NULL,
  estimate       REAL,
  se             REAL,
  df             REAL,
  ci_low         REAL,
  ci_high        REAL,
  flag           TEXT NOT NULL CHECK (flag IN ('ok', 'indicative', 'too_few')),
  pass           REAL, pass_low REAL, pass_high REAL,     -- % >= 5.5
  high           REAL, high_low REAL, high_high REAL,     -- % >= 8
  distribution   TEXT,                                    -- JSON: shares of 1..10
  target         REAL,                                    -- a norm's target share
  vs_target      INTEGER CHECK (vs_target IN (-1, 0, 1)), -- 1 met, -1 not, 0 undecided
  PRIMARY KEY (result_set_id, scope, unit, channel, variable)
) STRICT, WITHOUT ROWID;

-- A municipality's result against its circle's other members, all
-- participants, or its previous year; significant after Holm.
CREATE TABLE result_comparison (
  result_set_id  INTEGER NOT NULL REFERENCES result_set(id) ON DELETE CASCADE,
  unit           TEXT NOT NULL,
  channel        TEXT NOT NULL,
  variable       TEXT NOT NULL,
  against        TEXT NOT NULL CHECK (against IN ('circle', 'all', 'previous')),
  reference      REAL,
  diff           REAL,
  se             REAL,
  df             REAL,
  p              REAL,
  p_holm         REAL,
  significant    INTEGER NOT NULL CHECK (significant IN (-1, 0, 1)),
  PRIMARY KEY (result_set_id, unit, channel, variable, against)
) STRICT, WITHOUT ROWID;

-- Key drivers of the overall mark per municipality: weighted least
-- squares on the area marks; n 0 when there were too few complete cases.
-- The priority matrix of the tailored letter puts importance (the
-- standardised coefficient) against the area's mark relative to the
-- circle's other members: verbeteren (important, below), behouden
-- (important, not below), bewaken (less important, below), minder urgent.
CREATE TABLE result_driver (
  result_set_id  INTEGER NOT NULL REFERENCES result_set(id) ON DELETE CASCADE,
  unit           TEXT NOT NULL,
  area           TEXT NOT NULL,
  n              INTEGER NOT NULL,
  r2             REAL,
  coef           REAL,
  se             REAL,
  importance     REAL,
  vs_circle      REAL,
  quadrant       TEXT CHECK (quadrant IN ('verbeteren', 'behouden', 'bewaken',
                                          'minder urgent')),
  PRIMARY KEY (result_set_id, unit, area)
) STRICT, WITHOUT ROWID;
