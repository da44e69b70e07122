-- 0006_bylines: each article keeps its authors' ids in byline order, so a
-- listing of articles needs no query per byline. article_authors stays the
-- record; the article write path (listings_sync) keeps this copy in step.
ALTER TABLE articles ADD COLUMN byline TEXT NOT NULL DEFAULT '';  -- "3,1": author ids in byline order
UPDATE articles SET byline = coalesce((SELECT string_agg(author_id::text, ',' ORDER BY position, author_id)
  FROM article_authors WHERE article_id = articles.id), '');
