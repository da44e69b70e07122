-- 0008_events: events (one row per edition, linked by a translation group
-- like articles), their ticket types and seats — which belong to the group:
-- it is one event told in several languages — bookings, the waiting list,
-- check-in keys, and the outbox every email goes through.

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  edition TEXT NOT NULL REFERENCES editions(code),
  translation_group INTEGER NOT NULL REFERENCES translation_groups(id), -- always set: seats belong to the group
  slug TEXT NOT NULL,                 -- unique within the edition
  title TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',   -- the banner's line: 'Join the ceremony'
  description_md TEXT NOT NULL DEFAULT '',
  description_html TEXT NOT NULL DEFAULT '',
  image TEXT NOT NULL DEFAULT '',     -- URL, '' for none
  image_alt TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL CHECK (kind IN ('online', 'venue', 'hybrid')),
  status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled', 'postponed', 'moved_online')),
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  tz TEXT NOT NULL,                   -- IANA zone the event happens in: 'America/Sao_Paulo'
  venue_name TEXT NOT NULL DEFAULT '',
  venue_address TEXT NOT NULL DEFAULT '',
  join_url TEXT NOT NULL DEFAULT '',  -- shown to ticket holders only
  organizer TEXT NOT NULL DEFAULT '',
  featured INTEGER NOT NULL DEFAULT 0,-- 1: the promo banner shows on every page of the edition
  banner_from BIGINT,                 -- when it shows (never after the start)
  banner_until BIGINT,
  created_at BIGINT NOT NULL,
  UNIQUE (edition, slug)
);
CREATE INDEX events_listing ON events (edition, starts_at);
CREATE INDEX events_group ON events (translation_group);

-- Seats. Several ticket types may draw on one quota; remaining is only ever
-- changed by a conditional update in the transaction that claims or frees
-- seats, and the CHECK refuses anything that would go below zero.
CREATE TABLE quotas (
  id INTEGER PRIMARY KEY,
  translation_group INTEGER NOT NULL REFERENCES translation_groups(id),
  capacity INTEGER NOT NULL CHECK (capacity >= 0),
  remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= capacity)
);
CREATE INDEX quotas_group ON quotas (translation_group);

CREATE TABLE ticket_types (
  id INTEGER PRIMARY KEY,
  translation_group INTEGER NOT NULL REFERENCES translation_groups(id),
  quota_id INTEGER NOT NULL REFERENCES quotas(id),
  position INTEGER NOT NULL DEFAULT 0,
  price_cents INTEGER,                -- NULL: free
  currency TEXT NOT NULL DEFAULT '',  -- ISO 4217 when priced
  sales_from BIGINT,                  -- NULL: on sale now
  sales_until BIGINT,                 -- NULL: until the event starts
  per_order_max INTEGER NOT NULL DEFAULT 4 CHECK (per_order_max >= 1)
);
CREATE INDEX ticket_types_group ON ticket_types (translation_group, position);

CREATE TABLE ticket_type_names (
  ticket_type_id INTEGER NOT NULL REFERENCES ticket_types(id) ON DELETE CASCADE,
  edition TEXT NOT NULL REFERENCES editions(code),
  name TEXT NOT NULL,                 -- 'General admission', 'Entrada general'
  PRIMARY KEY (ticket_type_id, edition)
);

CREATE TABLE bookings (
  id INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL REFERENCES events(id),  -- the edition it was booked in: its language
  ticket_type_id INTEGER NOT NULL REFERENCES ticket_types(id),
  quota_id INTEGER NOT NULL REFERENCES quotas(id),
  qty INTEGER NOT NULL CHECK (qty >= 1),
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  lang TEXT NOT NULL,
  code TEXT NOT NULL UNIQUE,          -- 'K7QM-9TDX': told at the door
  manage_hash TEXT NOT NULL,          -- keyed hash of the secret in the manage link
  idem_key TEXT NOT NULL UNIQUE,      -- the form's one-time token: a double submit books once
  status TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
  provider TEXT NOT NULL DEFAULT 'free',
  provider_ref TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  cancelled_at BIGINT,
  checked_in_at BIGINT
);
CREATE INDEX bookings_event ON bookings (event_id, status);
CREATE INDEX bookings_quota ON bookings (quota_id, status);

-- Readers waiting for a seat; a freed seat is held for the first in line
-- (held, offer_expires) until they claim it or the offer passes on.
CREATE TABLE waitlist (
  id INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL REFERENCES events(id),
  ticket_type_id INTEGER NOT NULL REFERENCES ticket_types(id),
  quota_id INTEGER NOT NULL REFERENCES quotas(id),
  qty INTEGER NOT NULL CHECK (qty >= 1),
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  lang TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'offered', 'booked', 'expired', 'left')),
  offer_hash TEXT,                    -- keyed hash of the secret in the claim link
  offer_expires BIGINT,
  held INTEGER NOT NULL DEFAULT 0,    -- seats taken from the quota for this offer
  booking_id INTEGER REFERENCES bookings(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX waitlist_queue ON waitlist (quota_id, status, id);

-- Door staff: a key given on the command line opens the check-in pages of
-- one event (its group).
CREATE TABLE checkin_keys (
  key_hash TEXT PRIMARY KEY,
  translation_group INTEGER NOT NULL REFERENCES translation_groups(id),
  created_at BIGINT NOT NULL
);

-- Every email: written in the transaction that causes it, sent by a
-- background worker (SMTP, or .eml files) with retries; a row is sent
-- once its sent_at is set. next_at is also the lease a sender takes.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  to_addr TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,                 -- text/plain, UTF-8
  attach_name TEXT NOT NULL DEFAULT '',
  attach_type TEXT NOT NULL DEFAULT '',
  attach TEXT NOT NULL DEFAULT '',
  message_id TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  next_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  sent_at BIGINT,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (sent_at, next_at);
