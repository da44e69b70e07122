// doors.test.mjs: closed doors, across every route the router knows (read
// from `gazette routes`, so a route added tomorrow is checked too): every
// POST without the form's CSRF token, or with a forged one, is refused and
// writes nothing, signed in or not; SQL injection probes in every path
// parameter and in the query parameters the pages read change nothing and
// never cause a 5xx; the session cookie is HttpOnly and SameSite and a new
// one is issued at sign-in; no password, token or session appears in the
// server's log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BIN, Client, Staff, startServer, sql, PG } from './harness.mjs';

let S;
before(async () => { S = await startServer(); });
after(async () => { assert.equal((await S.stop()).code, 0); });

const one = (q) => sql(S.db, q).trim();
const PASSWORD = 'doors test password 8472';
const routes = () => execFileSync(BIN, ['routes']).toString().trim().split('\n').map((l) => l.split(' '));
// every table's rows, as one string: "nothing written" across the whole schema
const TABLES = ['articles', 'article_bodies', 'article_revisions', 'comments', 'bookings', 'waitlist', 'users', 'sessions', 'pages', 'redirects',
  'terms', 'term_names', 'authors', 'events', 'media', 'settings', 'audit_log', 'front_pins', 'breaking', 'api_keys'];
const snapshot = () => TABLES.map((t) => `${t}=${one(`SELECT count(*) FROM ${t}`)}`).join(' ');

// a path for a pattern, with values that exist on the demo site
function fill(pattern, v) {
  return pattern.replace('{edition}', 'en').replace('{id}', v.id).replace('{cid}', v.cid).replace('{rev}', v.rev)
    .replace('{slug}', v.slug).replace('{code}', v.code).replace('{year}', '2026').replace('{month}', '11')
    .replace('{name}', 'en-1.xml').replace('{kind}', 'news').replace('{token}', 'a'.repeat(64)).replace('{*path}', 'about');
}
const values = () => ({
  id: one("SELECT min(id) FROM articles WHERE status = 'published'"),
  cid: one("SELECT min(id) FROM comments WHERE status = 'approved'"),
  rev: one('SELECT min(id) FROM article_revisions') || '1',
  slug: one("SELECT slug FROM events WHERE edition = 'en' ORDER BY id LIMIT 1"),
  code: 'ABCD-EFGH',
});

test('every POST route refuses a request without the CSRF token or with a forged one, and writes nothing', async () => {
  execFileSync(BIN, ['user', 'add', '--email', 'doors@example.org', '--name', 'Doors Admin', '--role', 'admin', '--db', S.db], { input: `${PASSWORD}\n` });
  const posts = routes().filter(([m]) => m.includes('POST'));
  assert.ok(posts.length >= 40, `${posts.length} POST routes`);
  const admin = new Staff(S.base);
  assert.equal((await admin.login('doors@example.org', PASSWORD)).status, 303);
  const anon = new Client(S.base);
  await anon.get('/en/');   // a CSRF cookie, as a reader has one
  const v = values();
  const before = snapshot();
  for (const who of [anon, admin]) {
    for (const [, pattern] of posts) {
      const path = fill(pattern, v);
      const fields = { title: 'x', body: 'Door test body', name: 'Door', email: 'door@example.net', qty: '1', action: 'save', edition: 'en',
        email_confirm: 'door@example.net', password: PASSWORD, from: '/x', to: '/en/' };
      for (const csrf of [undefined, '0'.repeat(32)]) {
        const r = await who.post(path, csrf ? { ...fields, csrf } : fields);
        const what = `${who === admin ? 'admin' : 'reader'} POST ${path} ${csrf ? 'forged token' : 'no token'} → ${r.status}`;
        // 403; or 404/410 where the thing named does not exist (a booking code, a reset link)
        assert.ok([403, 404, 410].includes(r.status), what);
        if (/^\/(comments|admin\/(?!reset\/))|\/book$|\/waitlist$/.test(path)) assert.equal(r.status, 403, what);
      }
    }
  }
  assert.equal(snapshot(), before, 'nothing written anywhere');
});

test('SQL injection probes in every path parameter and query parameter: no 5xx, nothing changed', async () => {
  const probes = ["'", "' OR '1'='1", '1; DROP TABLE articles; --', '1) UNION SELECT password_hash FROM users --', '%27%20OR%201=1--', '"\\'];
  const gets = routes().filter(([m, p]) => m.includes('GET') && p.includes('{'));
  const before = snapshot();
  const reader = new Client(S.base);
  const v = values();
  let n = 0;
  for (const [, pattern] of gets) {
    const names = [...pattern.matchAll(/\{\*?([a-z]+)\}/g)].map((m) => m[1]);
    for (const name of names) {
      for (const probe of probes) {
        const path = fill(pattern.replace(new RegExp(`\\{\\*?${name}\\}`), encodeURIComponent(probe)), v);
        const r = await reader.get(path);
        n++;
        assert.ok(r.status < 500, `GET ${path} → ${r.status}`);
        assert.doesNotMatch(r.body, /\$argon2|password_hash|SQLITE_|syntax error/i, `GET ${path}: nothing of the database`);
      }
    }
  }
  // the query parameters the pages read
  const params = ['q', 'page', 'kind', 'section', 'author', 'from', 'to', 'c', 'edition', 'status', 'after', 'before', 'sort', 'p', 'page_id'];
  for (const path of ['/en/', '/en/search', '/en/tag/us', '/en/section/world', '/', '/api/v1/en/articles', '/en/events', '/sitemap.xml']) {
    for (const name of params) {
      for (const probe of probes) {
        const r = await reader.get(`${path}?${name}=${encodeURIComponent(probe)}`);
        n++;
        assert.ok(r.status < 500, `GET ${path}?${name}=${probe} → ${r.status}`);
      }
    }
  }
  assert.ok(n > 300, `${n} probes`);
  assert.equal(snapshot(), before, 'nothing changed');
  if (!PG) assert.equal(one('PRAGMA integrity_check'), 'ok');
});

test('the session cookie: HttpOnly, SameSite, a new one at every sign-in; nothing secret in the log', async () => {
  const first = new Staff(S.base);
  const r1 = await first.login('doors@example.org', PASSWORD);
  const set = r1.headers.getSetCookie().find((c) => /^gz_session=/.test(c));
  assert.ok(set, 'a session cookie');
  assert.match(set, /HttpOnly/i);
  assert.match(set, /SameSite=(Lax|Strict)/i);
  assert.match(set, /Path=\/admin/);
  const token1 = set.split(';')[0].split('=')[1];
  const second = new Staff(S.base);
  second.jar.set('gz_session', 'f'.repeat(64));   // a session fixed in advance is not adopted
  const r2 = await second.login('doors@example.org', PASSWORD);
  const token2 = r2.headers.getSetCookie().find((c) => /^gz_session=/.test(c)).split(';')[0].split('=')[1];
  assert.notEqual(token2, token1, 'a new session at every sign-in');
  assert.notEqual(token2, 'f'.repeat(64));
  const log = S.log();
  assert.ok(log.length > 0);
  for (const secret of [PASSWORD, token1, token2, first.jar.get('gazette_csrf')].filter(Boolean))
    assert.ok(!log.includes(secret), `the log holds ${secret.slice(0, 6)}…`);
});
