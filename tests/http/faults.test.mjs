// Faults injected into every write path (issue 10): the server runs with
// --fault-injection, and a request's Gazette-Fault header fails its Nth
// database step (a row read or written, or the commit) as a busy or locked
// database, a full disk, an I/O error, memory running out in the database
// library, or (PostgreSQL) the connection cut under it; or (alloc@N) the
// Nth of Gazette's own allocations in the request fails as if memory ran
// out. Each write is tried once without a fault to count its steps and
// allocations, then failed at every one of them in turn: the reader gets a
// clear 503 with Retry-After (or, where the write had committed before the
// failure, its usual answer with the write stored), the server keeps
// serving, and not one row of the write is left behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BIN, Client, PG, startServer, get, sql, addStaff, signInStaff } from './harness.mjs';

let S;
before(async () => {
  S = await startServer(['--fault-injection', '--costly-share', '0', '--threads', '2']);
  for (const kv of [['comments.policy', 'open'], ['comments.min_seconds', '0'], ['comments.pow_bits', '0'],
    ['comments.rate_ip', '0'], ['comments.rate_email', '0']]) {
    execFileSync(BIN, ['settings', 'set', ...kv, '--db', S.db]);
  }
});
after(async () => { assert.equal((await S.stop()).code, 0); });

const one = (q) => sql(S.db, q).trim();

// the whole site's state in one query: row counts of every table a write
// touches, and the values a write changes in place
const STATE = `SELECT ${['articles', 'article_bodies', 'article_revisions', 'article_tags', 'article_authors', 'article_listings',
  'comments', 'comment_audit', 'bookings', 'waitlist', 'outbox', 'users', 'sessions', 'login_failures', 'pages', 'redirects',
  'terms', 'term_names', 'audit_log', 'settings', 'cache_invalidations']
  .map((t) => `(SELECT count(*) FROM ${t})`).join(` || ' ' || `)}
  || ' ' || (SELECT coalesce(sum(remaining), 0) FROM quotas) || ' ' || (SELECT coalesce(sum(comment_count), 0) FROM articles)`;
const state = () => one(STATE);

// A write to fail step by step. make(tag) sends it (fresh forms and tokens
// each time) with the given extra headers and returns the response;
// landed(tag) tells whether the write with that tag is stored, whole.
async function sweep(name, kinds, make, landed, ok = [303]) {
  let n = 0;
  const clean = await make(`${name}-count`, { 'gazette-fault': 'busy@100000' });
  assert.ok(ok.includes(clean.status), `${name} without a fault: ${clean.status}`);
  assert.ok(landed(`${name}-count`), `${name} without a fault is stored`);
  const count = { db: Number(clean.headers.get('gazette-fault-steps')), alloc: Number(clean.headers.get('gazette-fault-allocs')) };
  assert.ok(count.db >= 2, `${name}: ${count.db} steps`);
  assert.ok(count.alloc >= 1, `${name}: ${count.alloc} allocations`);
  for (const kind of kinds) {
    const steps = count[kind === 'alloc' ? 'alloc' : 'db'];
    for (let at = 1; at <= steps; at++) {
      const tag = `${name}-${kind}-${at}`;
      const before = state();
      const r = await make(tag, { 'gazette-fault': `${kind}@${at}` });
      const what = `${name}: ${kind} at step ${at} of ${steps} → ${r.status}`;
      if (ok.includes(r.status)) {
        // a step whose failure the write can do without (a read it retries
        // or falls back from): then the write is there, whole, once
        assert.ok(landed(tag), `${what}: answered as done, so it must be stored`);
      } else {
        assert.equal(r.status, 503, what);
        assert.ok(Number(r.headers.get('retry-after')) >= 1, `${what}: Retry-After`);
        assert.match(r.body, /<h1[^>]*>[^<]+<\/h1>/, `${what}: an error page`);
        assert.doesNotMatch(r.body, /SQLITE|sqlstate|injected|database is/i, `${what}: nothing of the database in the page`);
        assert.equal(state(), before, `${what}: nothing of the write remains`);
        assert.ok(!landed(tag), what);
      }
      n++;
    }
  }
  // the server is still up and the write works again
  assert.equal((await get(S.base, '/en/')).status, 200);
  const after = await make(`${name}-after`, {});
  assert.ok(ok.includes(after.status), `${name} after the faults: ${after.status}`);
  assert.ok(landed(`${name}-after`));
  return n;
}

// the database's own refusals are one path through the facade (the kind
// changes only the logged message), so the write paths sweep one of them;
// a cut connection (PostgreSQL) fails for real in libpq, and so is swept
// too. The comment sweeps every kind.
const all = PG ? ['full', 'ioerr', 'nomem', 'locked', 'drop', 'alloc'] : ['full', 'ioerr', 'nomem', 'locked', 'alloc'];
const kinds = PG ? ['full', 'drop', 'alloc'] : ['full', 'alloc'];
const article = () => one("SELECT id FROM articles WHERE status = 'published' AND edition = 'en' ORDER BY id LIMIT 1");

test('a comment: failed at every step, a 503 and nothing stored; a busy database once is retried, stored once', { timeout: 300000 }, async () => {
  const id = article();
  const post = async (tag, headers) => {
    const c = new Client(S.base);
    const t = JSON.parse((await c.get(`/comments/${id}/token`)).body);
    return c.post(`/comments/${id}`, { csrf: t.csrf, token: t.token, name: 'Fault Reader', email: 'fault@example.org', body: `Comment ${tag}` }, headers);
  };
  const stored = (tag) => one(`SELECT count(*) FROM comments WHERE body_md = 'Comment ${tag}'`) === '1';
  const n = await sweep('comment', all, post, stored);
  assert.ok(n >= 8, `${n} faults`);
  // busy once at every step: retried within the request, stored exactly once
  const steps = Number((await post('probe', { 'gazette-fault': 'busy@100000' })).headers.get('gazette-fault-steps'));
  for (let at = 1; at <= steps; at++) {
    const r = await post(`busy-once-${at}`, { 'gazette-fault': `busy@${at}` });
    if (r.status === 303) assert.ok(stored(`busy-once-${at}`), `busy once at ${at}: stored once`);
    else assert.equal(r.status, 503, `busy once at ${at}`);
  }
  // busy for ever: past its retries, 503 and nothing stored
  const before = state();
  const r = await post('busy-always', { 'gazette-fault': 'busy@1+' });
  assert.equal(r.status, 503);
  assert.equal(state(), before);
});

test('a booking: failed at every step, a 503, no booking and no seat taken', { timeout: 300000 }, async () => {
  const ev = '/en/events/newsroom-open-evening';
  sql(S.db, `UPDATE quotas SET capacity = 1000, remaining = 1000 WHERE translation_group = (SELECT translation_group FROM events WHERE slug = 'newsroom-open-evening')`);
  const book = async (tag, headers) => {
    const c = new Client(S.base);
    const f = (await c.get(`${ev}/book`)).body;
    const v = (n) => f.match(new RegExp(`name="${n}" value="([^"]+)"`))?.[1];
    return c.post(`${ev}/book`, { csrf: v('csrf'), idem: v('idem'), type: v('type'), qty: '1', name: `Booker ${tag}`, email: 'booker@example.org', consent: '1' }, headers);
  };
  const booked = (tag) => one(`SELECT count(*) FROM bookings WHERE name = 'Booker ${tag}' AND status = 'confirmed'`) === '1';
  assert.ok(await sweep('booking', kinds, book, booked) >= 8);
});

test('the admin: an article, a page, a redirect and a setting, each failed at every step, leave nothing half-saved', { timeout: 300000 }, async () => {
  addStaff(S, 'faults', 'admin');
  const admin = await signInStaff(S, 'faults');
  const csrf = async (path) => (await admin.get(path)).body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  const token = await csrf('/admin/articles/new?edition=en');
  const slugOf = (tag) => tag.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  await sweep('article', kinds,
    (tag, h) => admin.post('/admin/articles/new', { csrf: token, edition: 'en', title: `Fault story ${tag}`, standfirst: 'A standfirst.', body: 'A body.', kind: 'news', tags: `Faults, ${tag}`, action: 'save' }, h),
    (tag) => one(`SELECT count(*) FROM articles a JOIN article_bodies b ON b.article_id = a.id WHERE a.title = 'Fault story ${tag}'`) === '1');
  await sweep('page', kinds,
    (tag, h) => admin.post('/admin/pages/new', { csrf: token, edition: 'en', status: 'published', position: '0', parent: '0', title: `Fault page ${tag}`, slug: slugOf(`fp-${tag}`), body: 'Text.' }, h),
    (tag) => one(`SELECT count(*) FROM pages WHERE title = 'Fault page ${tag}'`) === '1');
  await sweep('redirect', kinds,
    (tag, h) => admin.post('/admin/redirects', { csrf: token, from: `/old/${slugOf(tag)}`, to: '/en/' }, h),
    (tag) => one(`SELECT count(*) FROM redirects WHERE from_path = '/old/${slugOf(tag)}'`) === '1');
  let minutes = 10;
  await sweep('setting', kinds,
    (tag, h) => admin.post('/admin/settings', { csrf: token, 'comments.page_size': String(++minutes) }, h),
    () => one("SELECT value FROM settings WHERE key = 'comments.page_size'") === String(minutes));
});

test('signing in: failed at every step, a 503 and no session; the next sign-in works', { timeout: 120000 }, async () => {
  addStaff(S, 'signin', 'author');
  const sessions = () => Number(one('SELECT count(*) FROM sessions'));
  let last = sessions();
  await sweep('signin', kinds, async (tag, h) => {
    const s = new Client(S.base);
    const t = (await s.get('/admin/login', { 'accept-language': 'en' })).body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
    return s.post('/admin/login', { csrf: t, email: 'signin@example.org', password: 'a long enough password' }, h);
  }, () => { const n = sessions(); const grew = n === last + 1; last = n; return grew; });
});

test('a page whose render runs out of memory: a 503, not cached, and the next reader gets the page', { timeout: 120000 }, async () => {
  const path = (await get(S.base, '/en/')).body.match(/href="(\/en\/\d{4}\/\d{2}\/[a-z0-9-]+)"/)[1];
  const whole = await get(S.base, `${path}?v=count`, { 'gazette-fault': 'busy@100000' });
  assert.equal(whole.status, 200);
  const allocs = Number(whole.headers.get('gazette-fault-allocs'));
  assert.ok(allocs >= 2, `${allocs} allocations`);
  let refused = 0;
  for (let at = 1; at <= allocs; at++) {
    const key = `${path}?v=${at}`;   // a page of its own in the cache
    const r = await get(S.base, key, { 'gazette-fault': `alloc@${at}` });
    if (r.status === 200) continue;   // failed after the page was built: it is whole
    refused++;
    assert.equal(r.status, 503, `alloc@${at}`);
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.equal(r.headers.get('cache-control'), 'no-store', 'a CDN must not keep the refusal');
    const again = await get(S.base, key);
    assert.equal(again.status, 200, `after alloc@${at}: the refusal was not cached`);
    assert.equal(again.body, whole.body.replace('?v=count', `?v=${at}`), 'the page, whole');
  }
  assert.ok(refused >= 1, 'some allocation falls inside the render');
});

test('an unreadable fault header is refused, and without --fault-injection the header does nothing', async () => {
  const r = await new Client(S.base).post('/admin/login', { email: 'x@example.org' }, { 'gazette-fault': 'melt@1' });
  assert.equal(r.status, 400);
  const plain = await startServer([], { db: S.db });
  try {
    const ok = await get(plain.base, '/en/search?q=budget', { 'gazette-fault': 'full@1+' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('gazette-fault-steps'), null);
  } finally { await plain.stop(); }
});
