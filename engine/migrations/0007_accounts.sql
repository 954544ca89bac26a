-- Portal sign-in: app_user (from the first schema) gets the time of its
-- last sign-in, and sessions are stored -- as SHA-256 hashes of their
-- 256-bit cookie values, with the CSRF token of their forms -- so that
-- signing out, a new password or a disabled account ends them on the
-- server, not only in the browser.
ALTER TABLE app_user ADD COLUMN last_sign_in TEXT;

CREATE TABLE app_session (
  id_hash     BLOB PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  csrf        TEXT NOT NULL,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  expires_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX app_session_by_user ON app_session(user_id);
