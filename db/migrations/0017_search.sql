-- 0017_search: full-text search per edition. One FTS5 table for every
-- language: each text starts with its edition's scope marker, and the
-- "gazette" tokenizer (src/core/fts.c, registered on every connection)
-- stems it in the edition's language. rowid = articles.id; only published
-- articles are in it (src/search.c keeps it in step with listings_sync).
ALTER TABLE editions ADD COLUMN search_language TEXT NOT NULL DEFAULT '';  -- Snowball name ('portuguese'); '' = from the locale
CREATE VIRTUAL TABLE search_index USING fts5(title, standfirst, body, tags, authors, tokenize = 'gazette');
