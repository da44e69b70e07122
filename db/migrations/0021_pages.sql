-- 0021_pages: an edition's standing pages (About, Contact, Privacy, and
-- whatever a newsroom or an imported site keeps), at /{edition}/{path},
-- where path runs through the parents ('about/team'). Every write keeps
-- path in step with the parents' slugs (src/pages.c). Comments gain a
-- kind: pingbacks and trackbacks imported from WordPress stay apart from
-- what readers wrote, with the address that linked here.
CREATE TABLE pages (
  id INTEGER PRIMARY KEY,
  edition TEXT NOT NULL REFERENCES editions(code),
  parent_id INTEGER REFERENCES pages(id),
  slug TEXT NOT NULL,
  path TEXT NOT NULL,                 -- 'about/team': the parents' slugs and its own
  title TEXT NOT NULL,
  body_md TEXT NOT NULL DEFAULT '',
  body_html TEXT NOT NULL DEFAULT '', -- cmark-gfm output of body_md, safe mode
  status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'private')),
  in_footer INTEGER NOT NULL DEFAULT 0, -- linked from every page's footer
  position INTEGER NOT NULL DEFAULT 0,  -- order among siblings and in the footer
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  UNIQUE (edition, path)
);
CREATE INDEX pages_parent ON pages (parent_id);

ALTER TABLE comments ADD COLUMN kind TEXT NOT NULL DEFAULT 'comment' CHECK (kind IN ('comment', 'pingback', 'trackback'));
ALTER TABLE comments ADD COLUMN url TEXT NOT NULL DEFAULT '';  -- a pingback's linking page

-- the redirects desk lists the newest first (WordPress imports bring thousands)
CREATE INDEX redirects_created ON redirects (created_at);
