-- 0002_invalidations: the log of page-cache invalidations, so that a write
-- made by one process (another node, the command line) reaches every
-- server's page cache. Each write inserts one row in its own transaction;
-- servers poll for rows newer than the last they applied.
CREATE TABLE cache_invalidations (
  id INTEGER PRIMARY KEY,             -- increasing: servers apply rows in id order
  tags TEXT NOT NULL,                 -- space-separated cache tags ("a:12 l:front:pt")
  created_at BIGINT NOT NULL          -- Unix seconds; rows older than a day are pruned
);
