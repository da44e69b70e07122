-- 0014_totp: an optional second factor for staff: a time-based one-time
-- password (an authenticator app). The secret is kept sealed with a key
-- derived from the site secret; totp_last is the last time step used, so
-- that a code works once.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';  -- sealed (nonce + box, hex); '' for none
ALTER TABLE users ADD COLUMN totp_on INTEGER NOT NULL DEFAULT 0;     -- 1 once a first code confirmed it
ALTER TABLE users ADD COLUMN totp_last BIGINT NOT NULL DEFAULT 0;
