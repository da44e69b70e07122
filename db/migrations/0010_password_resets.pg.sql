-- 0010_password_resets: one-time links to set a new password, sent by
-- email through the outbox. Only a keyed hash of the token is kept.
-- PostgreSQL variant: BIGINT references; otherwise the same.
CREATE TABLE password_resets (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
