-- 0011_newsroom: what the admin's article desk keeps: who started an
-- article, which article a translation was made from and whether its
-- source changed since, the correction note shown to readers, and every
-- saved version of an article (revisions). Also page views by day, counted
-- without cookies or addresses, for the dashboard and "Most read".
ALTER TABLE articles ADD COLUMN created_by INTEGER REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE articles ADD COLUMN source_id INTEGER REFERENCES articles(id) ON DELETE SET NULL; -- translated from
ALTER TABLE articles ADD COLUMN outdated INTEGER NOT NULL DEFAULT 0;  -- 1: the source changed after this translation
ALTER TABLE articles ADD COLUMN correction TEXT NOT NULL DEFAULT '';  -- the latest correction or update note
CREATE INDEX articles_source ON articles (source_id);
CREATE INDEX articles_created_by ON articles (created_by);

CREATE TABLE article_revisions (
  id INTEGER PRIMARY KEY,
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  autosave INTEGER NOT NULL DEFAULT 0,  -- 1: kept by the editor's autosave, replaced by the next one
  status TEXT NOT NULL,                 -- the article's status after this save
  title TEXT NOT NULL,
  standfirst TEXT NOT NULL,
  body_md TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT ''         -- the correction note given with the save
);
CREATE INDEX article_revisions_article ON article_revisions (article_id, id);

CREATE TABLE page_views (
  day BIGINT NOT NULL,                  -- Unix day number (seconds / 86400)
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  views BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (day, article_id)
);
CREATE INDEX page_views_article ON page_views (article_id, day);

-- commenters kept out by moderators: a keyed hash of an email address
-- (lower case) or the keyed hash of an address that comments keep;
-- their comments go straight to spam
CREATE TABLE comment_bans (
  kind TEXT NOT NULL CHECK (kind IN ('email', 'ip')),
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (kind, hash)
);
