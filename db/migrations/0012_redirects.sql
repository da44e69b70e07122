-- 0012_redirects: old addresses that answer 301 to where the page is now
-- (a renamed section or tag, a merged tag, a renamed author; later the
-- addresses of an imported site). Looked up only when a path is not found.
CREATE TABLE redirects (
  from_path TEXT PRIMARY KEY,         -- '/en/tag/old-name', decoded, no query
  to_path TEXT NOT NULL,              -- '/en/tag/new-name'
  created_at BIGINT NOT NULL,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL
);
