-- 0009_accounts: newsroom staff, their sessions and the record of what
-- they do. Passwords are argon2id strings (libsodium); session tokens and
-- throttling keys are stored only as keyed hashes.
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,         -- lower case
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'author', 'contributor', 'translator', 'moderator', 'events')),
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

-- the editions a role applies to (an admin needs none)
CREATE TABLE user_editions (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  edition TEXT NOT NULL REFERENCES editions(code),
  PRIMARY KEY (user_id, edition)
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL          -- slides forward with use, never past created_at + 30 days
);
CREATE INDEX sessions_user ON sessions (user_id);

-- failed sign-ins, per account and per address (keyed hashes), for throttling
CREATE TABLE login_failures (
  key_hash TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key_hash, at);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  action TEXT NOT NULL,               -- 'login', 'logout', 'password'
  detail TEXT NOT NULL DEFAULT '',
  at BIGINT NOT NULL
);
