-- 0016_related: each published article keeps the ids of its related
-- stories (those sharing the most tags with it among each tag's latest),
-- worked out when the article is written, so that showing them costs a
-- few key lookups instead of a grouping query on every render.
ALTER TABLE articles ADD COLUMN related TEXT NOT NULL DEFAULT '';  -- "12,45,7", most related first
