-- kto schema, version 1: the whole domain of DESIGN.md.
--
-- Rules for this directory: a migration that has been released is never
-- edited; later changes come as new files (0002_*.sql, ...), applied in
-- order on open and recorded in PRAGMA user_version.  Tables are STRICT so
-- that a wrong type is an error, not a silent conversion.  Times are UTC
-- text in ISO 8601 ('2026-11-23T18:40:00Z'); dates are 'YYYY-MM-DD'.
-- Channels are 'counter', 'phone' and 'email'.

-- Comparison circles (vergelijkingskringen) of about ten municipalities.
CREATE TABLE circle (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name        TEXT NOT NULL,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- Participants, identified by a short code (CBS code such as GM0375, or a
-- slug).  The mail and page settings are used by invitations and pages.
CREATE TABLE municipality (
  id              INTEGER PRIMARY KEY,
  code            TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name            TEXT NOT NULL,
  circle_id       INTEGER REFERENCES circle(id),
  sender_name     TEXT,
  sender_address  TEXT,
  reply_to        TEXT,
  privacy_url     TEXT,
  public_url      TEXT,
  signature       TEXT,
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
CREATE INDEX municipality_by_circle ON municipality(circle_id);

-- A survey definition (one file in survey-defs/) and its versions.  A
-- version is immutable: an edited file becomes a new version, and every
-- response records the version it answered.
CREATE TABLE survey_def (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL UNIQUE,
  channel          TEXT NOT NULL CHECK (channel IN ('counter', 'phone', 'email')),
  municipality_id  INTEGER REFERENCES municipality(id),  -- NULL: for everyone
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

CREATE TABLE survey_def_version (
  id           INTEGER PRIMARY KEY,
  def_id       INTEGER NOT NULL REFERENCES survey_def(id),
  version      INTEGER NOT NULL CHECK (version >= 1),
  hash         TEXT NOT NULL,          -- SHA-256 of the source, hex
  source       TEXT NOT NULL,
  source_name  TEXT,                   -- the file it was loaded from
  loaded_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  UNIQUE (def_id, version),
  UNIQUE (def_id, hash)
) STRICT;

CREATE TRIGGER survey_def_version_immutable
BEFORE UPDATE ON survey_def_version
BEGIN
  SELECT RAISE(ABORT, 'survey definition versions are immutable');
END;

-- Imports of contact files, for the audit trail and re-import detection.
CREATE TABLE contact_import (
  id               INTEGER PRIMARY KEY,
  municipality_id  INTEGER NOT NULL REFERENCES municipality(id),
  file_name        TEXT NOT NULL,
  file_hash        TEXT NOT NULL,
  rows_total       INTEGER NOT NULL DEFAULT 0,
  accepted         INTEGER NOT NULL DEFAULT 0,
  rejected         INTEGER NOT NULL DEFAULT 0,
  unchanged        INTEGER NOT NULL DEFAULT 0,
  imported_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- One recorded contact of a citizen with the municipality.  Contacts
-- without an e-mail address count for the population but cannot be
-- invited.  email_hash is a keyed hash of the normalised address: it
-- outlives the address, so opt-outs and the "invited recently" rule keep
-- working after the retention purge.
CREATE TABLE contact (
  id               INTEGER PRIMARY KEY,
  municipality_id  INTEGER NOT NULL REFERENCES municipality(id),
  external_id      TEXT NOT NULL,        -- contact_id in the municipality's system
  channel          TEXT NOT NULL CHECK (channel IN ('counter', 'phone', 'email')),
  contact_at       TEXT NOT NULL,
  email            TEXT,
  email_hash       BLOB,
  product          TEXT,
  team             TEXT,
  language         TEXT NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
  import_id        INTEGER REFERENCES contact_import(id),
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  UNIQUE (municipality_id, external_id)
) STRICT;
CREATE INDEX contact_frame ON contact(municipality_id, channel, contact_at);
CREATE INDEX contact_by_email_hash ON contact(email_hash);

-- A survey round for one municipality over a period, or a continuous stream.
CREATE TABLE wave (
  id               INTEGER PRIMARY KEY,
  municipality_id  INTEGER NOT NULL REFERENCES municipality(id),
  state            TEXT NOT NULL DEFAULT 'draft'
                   CHECK (state IN ('draft', 'sampled', 'fieldwork', 'closed')),
  period_from      TEXT NOT NULL,
  period_to        TEXT NOT NULL,
  continuous       INTEGER NOT NULL DEFAULT 0 CHECK (continuous IN (0, 1)),
  seed             INTEGER NOT NULL,
  recent_days      INTEGER NOT NULL DEFAULT 7 CHECK (recent_days >= 0),
  reminder_days    INTEGER NOT NULL DEFAULT 5 CHECK (reminder_days >= 0),
  invite_cap       INTEGER CHECK (invite_cap IS NULL OR invite_cap >= 0),
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  sampled_at       TEXT,
  closed_at        TEXT,
  CHECK (period_from <= period_to)
) STRICT;
CREATE INDEX wave_by_municipality ON wave(municipality_id);

-- Per wave and channel: the definition used, the sizing inputs, and the
-- frame and sample sizes frozen when the sample is drawn.  population is
-- N_h, the stratum size the statistics weight by.
CREATE TABLE wave_channel (
  wave_id          INTEGER NOT NULL REFERENCES wave(id) ON DELETE CASCADE,
  channel          TEXT NOT NULL CHECK (channel IN ('counter', 'phone', 'email')),
  def_version_id   INTEGER REFERENCES survey_def_version(id),
  target           INTEGER NOT NULL DEFAULT 100 CHECK (target > 0),
  response_rate    REAL NOT NULL CHECK (response_rate > 0 AND response_rate <= 1),
  population       INTEGER,
  frame            INTEGER,
  sample_size      INTEGER,
  PRIMARY KEY (wave_id, channel)
) STRICT;

-- Why contacts were left out of a wave's frame, counted per reason.
CREATE TABLE wave_exclusion (
  wave_id  INTEGER NOT NULL REFERENCES wave(id) ON DELETE CASCADE,
  channel  TEXT NOT NULL,
  reason   TEXT NOT NULL,   -- opted_out, invited_recently, duplicate, no_email, bad_email, ...
  count    INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (wave_id, channel, reason)
) STRICT;

-- A sampled contact and its personal link.  Only a hash of the token is
-- stored: the token itself exists only in the mail.
CREATE TABLE invitation (
  id            INTEGER PRIMARY KEY,
  wave_id       INTEGER NOT NULL REFERENCES wave(id),
  contact_id    INTEGER REFERENCES contact(id) ON DELETE SET NULL,
  channel       TEXT NOT NULL CHECK (channel IN ('counter', 'phone', 'email')),
  draw_order    INTEGER NOT NULL,   -- position in the seeded draw, for the audit
  token_hash    BLOB NOT NULL UNIQUE,
  state         TEXT NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'invited', 'reminded', 'responded',
                                 'opted_out', 'failed')),
  invited_at    TEXT,
  reminded_at   TEXT,
  responded_at  TEXT,
  UNIQUE (wave_id, contact_id)
) STRICT;
CREATE INDEX invitation_by_wave ON invitation(wave_id, channel, state);

-- The mail outbox: one row per message, delivered by `kto send`.
CREATE TABLE mail_outbox (
  id               INTEGER PRIMARY KEY,
  invitation_id    INTEGER NOT NULL REFERENCES invitation(id),
  kind             TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder')),
  state            TEXT NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'sending', 'sent', 'temp_failed',
                                    'perm_failed')),
  message_id       TEXT NOT NULL UNIQUE,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  last_reply       TEXT,
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  sent_at          TEXT,
  UNIQUE (invitation_id, kind)
) STRICT;
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt_at);

-- A response holds its stratum (municipality, channel), the definition
-- version it answered and its answers: never an e-mail address.
-- invitation_id is NULL for the counter's open link, which instead keys a
-- browser session so that one session gives at most one response.
CREATE TABLE response (
  id               INTEGER PRIMARY KEY,
  wave_id          INTEGER NOT NULL REFERENCES wave(id),
  municipality_id  INTEGER NOT NULL REFERENCES municipality(id),
  channel          TEXT NOT NULL CHECK (channel IN ('counter', 'phone', 'email')),
  def_version_id   INTEGER NOT NULL REFERENCES survey_def_version(id),
  invitation_id    INTEGER UNIQUE REFERENCES invitation(id) ON DELETE SET NULL,
  session_key      BLOB UNIQUE,
  state            TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'complete')),
  language         TEXT NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
  page             INTEGER NOT NULL DEFAULT 0,
  started_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  completed_at     TEXT
) STRICT;
CREATE INDEX response_by_stratum ON response(wave_id, channel, state);

-- One answer per question.  A multiple-choice answer is a JSON array of
-- option codes in value_text.  dont_know marks "weet niet / n.v.t.", which
-- the statistics exclude and count.
CREATE TABLE answer (
  response_id  INTEGER NOT NULL REFERENCES response(id) ON DELETE CASCADE,
  item         TEXT NOT NULL,
  value_num    REAL,
  value_text   TEXT,
  dont_know    INTEGER NOT NULL DEFAULT 0 CHECK (dont_know IN (0, 1)),
  PRIMARY KEY (response_id, item)
) STRICT;

-- Opt-outs by keyed hash of the address; municipality_id NULL means all.
CREATE TABLE opt_out (
  id               INTEGER PRIMARY KEY,
  email_hash       BLOB NOT NULL,
  municipality_id  INTEGER REFERENCES municipality(id),
  source           TEXT NOT NULL CHECK (source IN ('link', 'mail', 'api', 'admin')),
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  UNIQUE (email_hash, municipality_id)
) STRICT;

-- Portal users: the benchmark team, or a municipality's managers and
-- viewers.  password_hash is an argon2id string.
CREATE TABLE app_user (
  id               INTEGER PRIMARY KEY,
  email            TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role             TEXT NOT NULL CHECK (role IN ('team', 'manager', 'viewer')),
  municipality_id  INTEGER REFERENCES municipality(id),
  password_hash    TEXT,
  disabled         INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  CHECK ((role = 'team') = (municipality_id IS NULL))
) STRICT;

-- API keys of municipalities' systems, stored hashed.
CREATE TABLE api_key (
  id               INTEGER PRIMARY KEY,
  municipality_id  INTEGER NOT NULL REFERENCES municipality(id),
  key_hash         BLOB NOT NULL UNIQUE,
  label            TEXT NOT NULL,
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  revoked_at       TEXT
) STRICT;

-- Who did what, when.  Append-only: rows are never updated or deleted.
CREATE TABLE audit_log (
  id               INTEGER PRIMARY KEY,
  at               TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  actor            TEXT NOT NULL,
  action           TEXT NOT NULL,
  municipality_id  INTEGER REFERENCES municipality(id),
  subject          TEXT,
  detail           TEXT
) STRICT;
CREATE INDEX audit_log_by_time ON audit_log(at);

CREATE TRIGGER audit_log_append_only
BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete
BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Installation-wide settings, such as the key for address hashes.
CREATE TABLE setting (
  key    TEXT PRIMARY KEY,
  value  BLOB NOT NULL
) STRICT;
