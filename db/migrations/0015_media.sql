-- 0015_media: uploaded pictures. Each is kept as the copies made for
-- screens (media/ID/WIDTH.webp plus a JPEG or PNG fallback), never as the
-- file sent; widths lists the sizes made. Captions, credits and alt text
-- are per edition. An article may have one as its featured image.
CREATE TABLE media (
  id INTEGER PRIMARY KEY,
  format TEXT NOT NULL CHECK (format IN ('jpeg', 'png', 'webp')), -- of the upload; the fallback copies are JPEG or PNG
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  widths TEXT NOT NULL,               -- "480,960,1600": the copies made
  bytes BIGINT NOT NULL,              -- of the upload
  filename TEXT NOT NULL DEFAULT '',  -- as sent, for the library's list only
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE media_texts (
  media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  edition TEXT NOT NULL REFERENCES editions(code),
  alt TEXT NOT NULL DEFAULT '',
  caption TEXT NOT NULL DEFAULT '',
  credit TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (media_id, edition)
);

ALTER TABLE articles ADD COLUMN featured_media_id INTEGER REFERENCES media(id) ON DELETE SET NULL;
