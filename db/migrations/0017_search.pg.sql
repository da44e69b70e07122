-- 0017_search: full-text search per edition with PostgreSQL's own text
-- search: a configuration per language that folds accents (unaccent) and
-- then stems (the Snowball dictionaries), made on first use by
-- gazette_search_config; one row per published article.
ALTER TABLE editions ADD COLUMN search_language TEXT NOT NULL DEFAULT '';  -- Snowball name ('portuguese'); '' = from the locale
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TABLE search_index (
  article_id BIGINT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
  edition TEXT NOT NULL,
  config TEXT NOT NULL,               -- the text search configuration it was indexed with
  title TEXT NOT NULL,
  standfirst TEXT NOT NULL,
  body TEXT NOT NULL,                 -- plain text of body_md
  tags TEXT NOT NULL,
  authors TEXT NOT NULL,
  doc tsvector NOT NULL
);
CREATE INDEX search_index_doc ON search_index USING GIN (doc);
CREATE INDEX search_index_edition ON search_index (edition);

-- The configuration for a Snowball language ('portuguese'), made when it
-- is first needed: 'gazette_portuguese' = unaccent, then portuguese_stem.
-- A language PostgreSQL has no stemmer for gets 'gazette_simple'.
CREATE FUNCTION gazette_search_config(lang TEXT) RETURNS TEXT LANGUAGE plpgsql AS $$
DECLARE
  cfg TEXT := 'gazette_' || lang;
  dict TEXT := lang || '_stem';
BEGIN
  IF lang !~ '^[a-z]+$' OR NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = dict) THEN
    cfg := 'gazette_simple';
    dict := 'simple';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = cfg) THEN
    BEGIN
      EXECUTE format('CREATE TEXT SEARCH CONFIGURATION %I (COPY = simple)', cfg);
      EXECUTE format('ALTER TEXT SEARCH CONFIGURATION %I ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, '
        'word, hword, hword_part, numword, numhword, hword_numpart WITH unaccent, %I', cfg, dict);
    EXCEPTION WHEN unique_violation OR duplicate_object THEN
      NULL;  -- another node made it at the same moment
    END;
  END IF;
  RETURN cfg;
END
$$;
