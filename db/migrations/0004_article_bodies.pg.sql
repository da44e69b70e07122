-- 0004_article_bodies: article bodies move to their own table. A body runs
-- to kilobytes; kept inside articles it pushed every column after it onto
-- overflow pages, so each listing card read the whole body to learn its
-- date. Listings now read small rows only.
CREATE TABLE article_bodies (
  article_id BIGINT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
  body_md TEXT NOT NULL DEFAULT '',   -- what the writer typed
  body_html TEXT NOT NULL DEFAULT ''  -- cmark-gfm output of body_md, safe mode
);
INSERT INTO article_bodies (article_id, body_md, body_html) SELECT id, body_md, body_html FROM articles;
ALTER TABLE articles DROP COLUMN body_md;
ALTER TABLE articles DROP COLUMN body_html;
