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

-- Imports of contact files: what came in, and how it ended.  Rows are
-- committed in batches, so an import that stopped half-way is 'failed' with
-- the rows before the problem kept; importing the corrected file again finds
-- those unchanged.
CREATE TABLE contact_import (
  id               INTEGER PRIMARY KEY,
  municipality_id  INTEGER NOT NULL REFERENCES municipality(id),
  file_name        TEXT NOT NULL,
  actor            TEXT NOT NULL,
  status           TEXT NOT NULL DEFAULT 'running'
                   CHECK (status IN ('running', 'complete', 'failed')),
  rows_total       INTEGER NOT NULL DEFAULT 0,
  accepted         INTEGER NOT NULL DEFAULT 0,
  updated          INTEGER NOT NULL DEFAULT 0,
  unchanged        INTEGER NOT NULL DEFAULT 0,
  rejected         INTEGER NOT NULL DEFAULT 0,
  message          TEXT,
  started_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  finished_at      TEXT
) STRICT;

-- One recorded contact of a citizen with the municipality.  Contacts
-- without an e-mail address count for the population but cannot be
-- invited.  email_hash is a keyed hash of the normalised address: it
-- outlives the address, so opt-outs and the "invited recently" rule keep
-- working after the retention purge.  contact_at is local time as
-- 'YYYY-MM-DDTHH:MM:SS' (00:00:00 when only the date was given).
-- seen_import_id/seen_row: the last import that listed the contact, and on
-- which row, to recognise a contact_id given twice in one file.
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
  seen_import_id   INTEGER,
  seen_row         INTEGER,
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  UNIQUE (municipality_id, external_id)
) STRICT;
-- No index by channel or date: sampling reads a municipality's contacts
-- through the UNIQUE index above and filters the period while scanning,
-- and every further index would be paid for by every import.

-- Addresses that are never invited: staff and test addresses, as
-- case-insensitive wildcard patterns ('*@beverwijk.nl', 'test*@*').
-- municipality_id NULL: for every municipality.
CREATE TABLE address_exclusion (
  id               INTEGER PRIMARY KEY,
  pattern          TEXT NOT NULL,
  municipality_id  INTEGER REFERENCES municipality(id),
  note             TEXT,
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  UNIQUE (pattern, municipality_id)
) STRICT;

-- A survey round for one municipality over a period, or a continuous stream.
-- seed is recorded always, so that the sample can be drawn again for audit.
CREATE TABLE wave (
  id                     INTEGER PRIMARY KEY,
  municipality_id        INTEGER NOT NULL REFERENCES municipality(id),
  state                  TEXT NOT NULL DEFAULT 'draft'
                         CHECK (state IN ('draft', 'sampled', 'fieldwork', 'closed')),
  period_from            TEXT NOT NULL,
  period_to              TEXT NOT NULL,
  continuous             INTEGER NOT NULL DEFAULT 0 CHECK (continuous IN (0, 1)),
  seed                   INTEGER NOT NULL,
  recent_days            INTEGER NOT NULL DEFAULT 7 CHECK (recent_days >= 0),
  reminder_days          INTEGER NOT NULL DEFAULT 5 CHECK (reminder_days >= 0),
  invited_recently_days  INTEGER NOT NULL DEFAULT 182 CHECK (invited_recently_days >= 0),
  created_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  sampled_at             TEXT,
  closed_at              TEXT,
  CHECK (period_from <= period_to)
) STRICT;
CREATE INDEX wave_by_municipality ON wave(municipality_id);

-- Per wave and channel: the definition used, the sizing inputs, and the
-- population, frame and sample sizes frozen when the sample is drawn.
-- population is N_h, the stratum size the statistics weight by.
-- frame_ids holds the eligible contacts' ids (delta-encoded varints) in the
-- order the draw used, and frame_hash their SHA-256: with the seed, enough
-- to draw the same sample again and show it is the same.
CREATE TABLE wave_channel (
  wave_id              INTEGER NOT NULL REFERENCES wave(id) ON DELETE CASCADE,
  channel              TEXT NOT NULL CHECK (channel IN ('counter', 'phone', 'email')),
  def_version_id       INTEGER NOT NULL REFERENCES survey_def_version(id),
  target               INTEGER NOT NULL DEFAULT 100 CHECK (target > 0),
  response_rate        REAL NOT NULL CHECK (response_rate > 0 AND response_rate <= 1),
  max_invitations      INTEGER CHECK (max_invitations IS NULL OR max_invitations > 0),
  continuous_fraction  REAL CHECK (continuous_fraction IS NULL OR
                                   (continuous_fraction > 0 AND continuous_fraction <= 1)),
  population           INTEGER,
  frame                INTEGER,
  sample_size          INTEGER,
  shortfall            INTEGER,
  frame_ids            BLOB,
  frame_hash           TEXT,
  PRIMARY KEY (wave_id, channel)
) STRICT;

-- Why contacts were left out of a wave's frame, counted per reason: every
-- contact of the population is either in the frame or in exactly one count.
CREATE TABLE wave_exclusion (
  wave_id  INTEGER NOT NULL REFERENCES wave(id) ON DELETE CASCADE,
  channel  TEXT NOT NULL,
  reason   TEXT NOT NULL,   -- no_email, staff_or_test, opted_out, invited_recently, too_old, duplicate_address
  count    INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (wave_id, channel, reason)
) STRICT;

-- The draws of a continuous wave: each considers the contacts that arrived
-- since the previous one (ids above the previous last_contact_id) and
-- samples each with the channel's fraction, from its own recorded seed.
CREATE TABLE wave_draw (
  id               INTEGER PRIMARY KEY,
  wave_id          INTEGER NOT NULL REFERENCES wave(id) ON DELETE CASCADE,
  channel          TEXT NOT NULL,
  seed             INTEGER NOT NULL,
  last_contact_id  INTEGER NOT NULL,
  considered       INTEGER NOT NULL,
  sampled          INTEGER NOT NULL,
  frame_hash       TEXT NOT NULL,
  frame_ids        BLOB NOT NULL,
  drawn_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
CREATE INDEX wave_draw_by_wave ON wave_draw(wave_id, channel);

-- A sampled contact and its personal link.  Only a hash of the token is
-- kept for looking it up; mail_token, the token itself, exists only so that
-- the invitation and the reminder can carry the link, and is erased once the
-- last mail to the citizen has gone (or the wave closes).  email_hash copies
-- the contact's keyed address hash, for the "invited recently" rule.
CREATE TABLE invitation (
  id            INTEGER PRIMARY KEY,
  wave_id       INTEGER NOT NULL REFERENCES wave(id),
  contact_id    INTEGER REFERENCES contact(id) ON DELETE SET NULL,
  channel       TEXT NOT NULL CHECK (channel IN ('counter', 'phone', 'email')),
  draw_order    INTEGER NOT NULL,   -- position in the seeded draw, for the audit
  draw_id       INTEGER REFERENCES wave_draw(id),   -- continuous waves
  token_hash    BLOB NOT NULL UNIQUE,
  mail_token    TEXT,
  email_hash    BLOB,
  language      TEXT NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
  state         TEXT NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'invited', 'reminded', 'responded',
                                 'opted_out', 'failed')),
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  invited_at    TEXT,
  reminded_at   TEXT,
  responded_at  TEXT,
  UNIQUE (wave_id, contact_id)
) STRICT;
CREATE INDEX invitation_by_wave ON invitation(wave_id, channel, state);
CREATE INDEX invitation_by_email_hash ON invitation(email_hash, created_at);

-- The mail outbox: one row per message, delivered by `kto send`.
-- message holds the rendered RFC 5322 message and recipient the envelope
-- address until the message is sent or given up; both are erased then, so
-- the outbox keeps no addresses or links longer than it needs them.
-- claimed_by/claimed_at lease a 'sending' row to one sender process: two
-- senders never take the same row, and a row whose sender died is taken
-- again once its lease has run out.
CREATE TABLE mail_outbox (
  id               INTEGER PRIMARY KEY,
  invitation_id    INTEGER NOT NULL REFERENCES invitation(id),
  kind             TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder')),
  state            TEXT NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'sending', 'sent', 'temp_failed',
                                    'perm_failed')),
  message_id       TEXT NOT NULL UNIQUE,
  sender           TEXT,
  recipient        TEXT,
  message          BLOB,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT NOT NULL,
  claimed_by       TEXT,
  claimed_at       TEXT,
  last_reply       TEXT,
  created_at       TEXT NOT NULL,
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
