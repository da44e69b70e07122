-- 0007_comments: reader comments, their moderation record, and site
-- settings (moderation policy, anti-spam limits, the server secret).
-- A thread belongs to a story: the comments on every article of its
-- translation group, each in the language of the edition it was posted in.

CREATE TABLE settings (
  key TEXT PRIMARY KEY,               -- 'comments.policy'
  value TEXT NOT NULL
);

-- NULL: inherit (article → section → site setting)
ALTER TABLE articles ADD COLUMN comment_policy TEXT
  CHECK (comment_policy IN ('open', 'hold_first', 'hold_all', 'closed'));
-- approved comments on this article; kept equal to a count of comments by
-- every status change, in the same transaction
ALTER TABLE articles ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE terms ADD COLUMN comment_policy TEXT
  CHECK (comment_policy IN ('open', 'hold_first', 'hold_all', 'closed'));

CREATE TABLE comments (
  id INTEGER PRIMARY KEY,
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, -- where it was posted
  parent_id INTEGER REFERENCES comments(id),   -- NULL: a top-level comment
  root_id INTEGER,                    -- its top-level ancestor (itself at the top): pages of a thread
  depth INTEGER NOT NULL CHECK (depth >= 1),
  lang TEXT NOT NULL,                 -- edition code it was written in
  name TEXT NOT NULL,
  email TEXT NOT NULL,                -- never shown to readers
  body_md TEXT NOT NULL,              -- what the reader typed
  body_html TEXT NOT NULL,            -- cmark-gfm, safe mode, reader rules
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'deleted')),
  held_reason TEXT NOT NULL DEFAULT '', -- why it waits: 'first comment', 'links', 'word', 'no proof of work'
  created_at BIGINT NOT NULL,
  edited_at BIGINT,
  ip_hash TEXT,                       -- keyed hash of the address; cleared after the retention period
  owner_hash TEXT NOT NULL,           -- keyed hash of the commenter's cookie token
  body_hash TEXT NOT NULL             -- duplicate detection
);
CREATE INDEX comments_article ON comments (article_id, status, root_id, id);
CREATE INDEX comments_status ON comments (status, id);
CREATE INDEX comments_email ON comments (email, created_at);
CREATE INDEX comments_ip ON comments (ip_hash, created_at);
CREATE INDEX comments_created ON comments (created_at);

-- every moderation action: who, when, what
CREATE TABLE comment_audit (
  id INTEGER PRIMARY KEY,
  comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
  actor TEXT NOT NULL,                -- 'cli:root', 'owner', 'policy'
  action TEXT NOT NULL,               -- 'post', 'approve', 'spam', 'delete', 'edit'
  from_status TEXT,
  to_status TEXT NOT NULL,
  at BIGINT NOT NULL,
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX comment_audit_comment ON comment_audit (comment_id, id);
