-- 0022_direction: an edition is written left to right or right to left
-- (Arabic, Hebrew, Persian, Urdu); its pages carry dir="rtl" and the theme
-- mirrors its layout.
ALTER TABLE editions ADD COLUMN direction TEXT NOT NULL DEFAULT 'ltr' CHECK (direction IN ('ltr', 'rtl'));
