-- 0020_import: what an import made from what, so that importing the same
-- or a newer export again updates and adds instead of duplicating.
-- source: the exported site ('wordpress:https://old.example'); kind:
-- 'post', 'comment', 'category', 'tag', 'author'; source_id: the
-- WordPress id (or slug for terms, login for authors).
CREATE TABLE import_map (
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  source_id TEXT NOT NULL,
  target_id BIGINT NOT NULL,
  PRIMARY KEY (source, kind, source_id)
);
