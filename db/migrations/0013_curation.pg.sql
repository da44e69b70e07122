-- 0013_curation: what editors put on a front page by hand: pinned stories
-- in the lead slots, in order, and a breaking-news strip over every page of
-- an edition until a time.
-- PostgreSQL variant: BIGINT references; otherwise the same.
CREATE TABLE front_pins (
  edition TEXT NOT NULL REFERENCES editions(code),
  position INTEGER NOT NULL,          -- 0: the lead
  article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  PRIMARY KEY (edition, position),
  UNIQUE (edition, article_id)
);

CREATE TABLE breaking (
  edition TEXT PRIMARY KEY REFERENCES editions(code),
  article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  until BIGINT NOT NULL,              -- the strip goes away by itself then
  created_at BIGINT NOT NULL
);
