-- 0001_content: editions, taxonomy, authors and articles.
-- Times are Unix seconds (BIGINT) so that SQLite and PostgreSQL agree.

CREATE TABLE editions (
  code TEXT PRIMARY KEY,              -- URL prefix and catalog language: 'en', 'es', 'pt'
  name TEXT NOT NULL,                 -- name in its own language: 'Português'
  locale TEXT NOT NULL,               -- ICU locale for dates and plurals: 'pt_BR'
  position INTEGER NOT NULL DEFAULT 0,-- order in the language switcher
  is_default INTEGER NOT NULL DEFAULT 0 -- 1 for the edition '/' falls back to
);

-- Sections, categories and tags: one row per term, names per edition.
CREATE TABLE terms (
  id INTEGER PRIMARY KEY,
  taxonomy TEXT NOT NULL CHECK (taxonomy IN ('section', 'category', 'tag')),
  key TEXT NOT NULL,                  -- stable identifier across editions: 'politics'
  parent_id INTEGER REFERENCES terms(id) ON DELETE SET NULL, -- 'Elections' under 'Politics'
  position INTEGER NOT NULL DEFAULT 0,-- order in navigation
  UNIQUE (taxonomy, key)
);

CREATE TABLE term_names (
  term_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
  edition TEXT NOT NULL REFERENCES editions(code) ON DELETE CASCADE,
  taxonomy TEXT NOT NULL,             -- copy of terms.taxonomy, so slugs are unique per edition and taxonomy
  name TEXT NOT NULL,                 -- 'Política'
  slug TEXT NOT NULL,                 -- 'politica'
  description TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (term_id, edition),
  UNIQUE (edition, taxonomy, slug)
);

CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,          -- '/en/author/helena-ferraz'
  name TEXT NOT NULL,
  photo TEXT NOT NULL DEFAULT ''      -- URL of a portrait, '' for none
);

CREATE TABLE author_bios (
  author_id INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
  edition TEXT NOT NULL REFERENCES editions(code) ON DELETE CASCADE,
  bio TEXT NOT NULL,                  -- plain text, one paragraph
  PRIMARY KEY (author_id, edition)
);

CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  edition TEXT NOT NULL REFERENCES editions(code),
  translation_group INTEGER,          -- same value = same story in other editions; NULL = edition-only
  kind TEXT NOT NULL CHECK (kind IN ('news', 'opinion', 'blog')),
  slug TEXT NOT NULL,                 -- unique within the edition
  title TEXT NOT NULL,
  standfirst TEXT NOT NULL DEFAULT '',
  body_md TEXT NOT NULL DEFAULT '',   -- what the writer typed
  body_html TEXT NOT NULL DEFAULT '', -- cmark-gfm output of body_md, safe mode
  section_id INTEGER REFERENCES terms(id),
  category_id INTEGER REFERENCES terms(id),
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'review', 'scheduled', 'published', 'private')),
  published_at BIGINT,                -- first publication (or scheduled time)
  updated_at BIGINT,                  -- last substantive update shown to readers, NULL if never
  created_at BIGINT NOT NULL,
  UNIQUE (edition, slug)
);
CREATE INDEX articles_listing ON articles (edition, status, published_at);
CREATE INDEX articles_section ON articles (section_id, status, published_at);
CREATE INDEX articles_category ON articles (category_id, status, published_at);
CREATE INDEX articles_group ON articles (translation_group);

CREATE TABLE article_tags (
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  term_id INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
  PRIMARY KEY (article_id, term_id)
);
CREATE INDEX article_tags_term ON article_tags (term_id);

CREATE TABLE article_authors (
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  author_id INTEGER NOT NULL REFERENCES authors(id),
  position INTEGER NOT NULL DEFAULT 0, -- byline order
  PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_author ON article_authors (author_id);

CREATE TABLE translation_groups (
  id INTEGER PRIMARY KEY,
  key TEXT UNIQUE                     -- optional stable name, e.g. the demo story file
);
