-- 0003_listings: one row per place a published article is listed, so that
-- every listing (front page, section, category with its subcategories, tag,
-- author, kind) is one index range scan whatever the size of the site.
-- Written by the article write path (listings_sync); never by hand.
CREATE TABLE article_listings (
  list TEXT NOT NULL,                 -- 'front', 'k:opinion', 't:<term id>', 'au:<author id>'
  edition TEXT NOT NULL,              -- the article's edition
  listed_at BIGINT NOT NULL,          -- the article's published_at
  article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  PRIMARY KEY (list, edition, listed_at, article_id)
);
CREATE INDEX article_listings_article ON article_listings (article_id);

INSERT INTO article_listings (list, edition, listed_at, article_id)
  SELECT 'front', edition, published_at, id FROM articles WHERE status = 'published' AND published_at IS NOT NULL;
INSERT INTO article_listings (list, edition, listed_at, article_id)
  SELECT 'k:' || kind, edition, published_at, id FROM articles WHERE status = 'published' AND published_at IS NOT NULL;
INSERT INTO article_listings (list, edition, listed_at, article_id)
  SELECT 't:' || section_id, edition, published_at, id FROM articles
  WHERE status = 'published' AND published_at IS NOT NULL AND section_id IS NOT NULL;
INSERT INTO article_listings (list, edition, listed_at, article_id)
  SELECT 't:' || category_id, edition, published_at, id FROM articles
  WHERE status = 'published' AND published_at IS NOT NULL AND category_id IS NOT NULL;
INSERT INTO article_listings (list, edition, listed_at, article_id)
  SELECT DISTINCT 't:' || t.parent_id, a.edition, a.published_at, a.id FROM articles a JOIN terms t ON t.id = a.category_id
  WHERE a.status = 'published' AND a.published_at IS NOT NULL AND t.parent_id IS NOT NULL;
INSERT INTO article_listings (list, edition, listed_at, article_id)
  SELECT DISTINCT 't:' || x.term_id, a.edition, a.published_at, a.id FROM articles a JOIN article_tags x ON x.article_id = a.id
  WHERE a.status = 'published' AND a.published_at IS NOT NULL;
INSERT INTO article_listings (list, edition, listed_at, article_id)
  SELECT DISTINCT 'au:' || x.author_id, a.edition, a.published_at, a.id FROM articles a JOIN article_authors x ON x.article_id = a.id
  WHERE a.status = 'published' AND a.published_at IS NOT NULL;
