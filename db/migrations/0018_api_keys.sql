-- 0018_api_keys: keys of the read-only Content API (/api/v1/…). A key is
-- shown once when it is made (gazette api-key add); only its keyed hash is
-- kept. origins: the web origins whose pages may call the API with it
-- (CORS), space-separated, '' for none (server-side use only).
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  origins TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  revoked_at BIGINT                   -- NULL while it works
);
