// redirects.test.mjs: the redirect table in the admin (/admin/redirects):
// the list (a rename's redirect and an imported one, newest first, counts,
// the filter), adding, retargeting and deleting a redirect as a reader then
// meets it (301 and the target's 200; 404 once deleted), the addresses
// refused with 400 and nothing stored (open redirects, loops, chains, paths
// no request can name), and who may do it (CSRF, roles).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, startServer, get, sql, addStaff, signInStaff } from './harness.mjs';

let S;
before(async () => { S = await startServer(); });
after(async () => { assert.equal((await S.stop()).code, 0); });

const one = (q) => sql(S.db, q).trim();
const users = {};
const addUser = (name, role) => { users[name] = addStaff(S, name, role); };
const signIn = (name) => signInStaff(S, name);
const csrfOf = (body) => body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
const decode = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const count = () => Number(one('SELECT count(*) FROM redirects'));
const target = (from) => one(`SELECT to_path FROM redirects WHERE from_path = '${from.replace(/'/g, "''")}'`);

let editor;
let csrf;
// adds one through the form
const add = (from, to) => editor.post('/admin/redirects', { csrf, from, to });

test('setup: an editor, an admin, an author and a contributor', async () => {
  for (const role of ['editor', 'admin', 'author', 'contributor']) addUser(role, role);
  editor = await signIn('editor');
  const r = await editor.get('/admin/redirects');
  assert.equal(r.status, 200);
  csrf = csrfOf(r.body);
});

test('the list: a rename\'s redirect and an imported one, newest first, counts, the filter', async () => {
  sql(S.db, "INSERT INTO redirects (from_path, to_path, created_at) VALUES ('/old/imported-story', '/en/', 1000)");
  // rename a tag: its old address is kept as a redirect
  const [tagId, slug] = one("SELECT t.id, n.slug FROM terms t JOIN term_names n ON n.term_id = t.id AND n.edition = 'en' WHERE t.taxonomy = 'tag' ORDER BY t.id LIMIT 1").split('|');
  const f = await editor.get(`/admin/terms/${tagId}`);
  const fields = {};
  for (const m of f.body.matchAll(/name="(name|slug)_([a-z]+)" type="text" value="([^"]*)"/g)) fields[`${m[1]}_${m[2]}`] = decode(m[3]);
  assert.equal((await editor.post(`/admin/terms/${tagId}`, { csrf: csrfOf(f.body), ...fields, slug_en: 'redirects-test-tag' })).status, 303);
  assert.equal(target(`/en/tag/${slug}`), '/en/tag/redirects-test-tag');

  const list = await editor.get('/admin/redirects');
  assert.equal(list.status, 200);
  assert.match(list.body, new RegExp(`>${count()} redirects<`), 'the count');
  const renamed = list.body.indexOf(`<code>/en/tag/${slug}</code>`), imported = list.body.indexOf('<code>/old/imported-story</code>');
  assert.ok(renamed > 0 && imported > 0, 'both are listed');
  assert.ok(renamed < imported, 'newest first');
  assert.match(list.body, /value="\/en\/tag\/redirects-test-tag"/, 'the target in its edit field');
  assert.match(list.body, /Staff editor/, 'who made it');
  // labels tied to fields, the nav's link current
  assert.match(list.body, /<label for="rd-from">/);
  assert.match(list.body, /<input id="rd-from" name="from"/);
  assert.match(list.body, /<label for="rd-to-1" class="visually-hidden">/);
  assert.match(list.body, /<input id="rd-to-1" name="to"/);
  assert.match(list.body, /href="\/admin\/redirects" aria-current="page"/);

  const filtered = await editor.get('/admin/redirects?q=IMPORTED');
  assert.match(filtered.body, /1 redirect matches/);
  assert.match(filtered.body, /<code>\/old\/imported-story<\/code>/);
  assert.doesNotMatch(filtered.body, /<code>\/en\/tag\//);
  assert.match((await editor.get('/admin/redirects?q=redirects-test-tag')).body, /<code>\/en\/tag\//, 'the target matches too');
  assert.match((await editor.get('/admin/redirects?q=100%25')).body, /No redirect matches/, 'the wildcards taken literally');
});

test('pages of 50, newest first, with an "Older" link', async () => {
  const rows = Array.from({ length: 60 }, (_, i) => `('/paged/${String(i).padStart(2, '0')}', '/en/', ${2000 + Math.floor(i / 2)})`);
  sql(S.db, `INSERT INTO redirects (from_path, to_path, created_at) VALUES ${rows.join(', ')}`);
  const first = await editor.get('/admin/redirects?q=/paged/');
  assert.match(first.body, /60 redirects match/);
  const shown = (body) => [...body.matchAll(/<code>\/paged\/(\d+)<\/code>/g)].map((m) => m[1]);
  const p1 = shown(first.body);
  assert.equal(p1.length, 50);
  assert.equal(p1[0], '59');
  const older = decode(first.body.match(/<a href="([^"]*)" rel="next">/)[1]);
  const p2 = shown((await editor.get(older)).body);
  assert.deepEqual(p2, ['09', '08', '07', '06', '05', '04', '03', '02', '01', '00'], 'the rest, none twice');
  sql(S.db, "DELETE FROM redirects WHERE from_path LIKE '/paged/%'");
});

test('add: the old address answers 301 to the new one, which answers 200', async () => {
  assert.equal((await get(S.base, '/2019/05/old-story/')).status, 404);
  const r = await add('/2019/05/old-story/', '/en/');
  assert.equal(r.status, 303);
  assert.match(r.headers.get('location'), /^\/admin\/redirects\?q=.*done=saved$/);
  assert.match((await editor.get(r.headers.get('location'))).body, /Saved\./);
  assert.equal(one("SELECT to_path || '|' || user_id FROM redirects WHERE from_path = '/2019/05/old-story/'"), `/en/|${users.editor}`);
  const moved = await get(S.base, '/2019/05/old-story/?utm=x');
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.get('location'), '/en/?utm=x', 'the query follows');
  assert.match(moved.headers.get('cache-control'), /no-store/, 'a 301 from the table is never kept');
  assert.equal((await get(S.base, '/en/')).status, 200);
  // an address typed percent-encoded is stored decoded, as requests are matched
  assert.equal((await add(' /caf%C3%A9-story ', '/es/')).status, 303);
  assert.equal(target('/café-story'), '/es/');
  const cafe = await get(S.base, '/caf%C3%A9-story');
  assert.equal(cafe.status, 301);
  assert.equal((await get(S.base, cafe.headers.get('location'))).status, 200);
  // a non-ASCII target goes out percent-encoded
  assert.equal((await add('/old/accents', '/en/search?q=café')).status, 303);
  assert.equal(target('/old/accents'), '/en/search?q=caf%C3%A9');
  // WordPress's ?p=
  assert.equal((await add('/?p=987654', '/en/')).status, 303);
  const wp = await get(S.base, '/?p=987654');
  assert.equal(wp.status, 301);
  assert.equal(wp.headers.get('location'), '/en/');
  // the same old address again: it gets the new target
  const n = count();
  assert.equal((await add('/2019/05/old-story/', '/es/')).status, 303);
  assert.equal(count(), n);
  assert.equal((await get(S.base, '/2019/05/old-story/')).headers.get('location'), '/es/');
});

test('edit the target, then delete: 404 again', async () => {
  const list = await editor.get('/admin/redirects?q=/2019/05/old-story/');
  assert.match(list.body, /name="from" value="\/2019\/05\/old-story\/"/);
  const edited = await editor.post('/admin/redirects/edit', { csrf, from: '/2019/05/old-story/', to: '/pt/', q: 'old-story' });
  assert.equal(edited.status, 303);
  assert.equal(edited.headers.get('location'), '/admin/redirects?q=old-story&done=saved');
  const moved = await get(S.base, '/2019/05/old-story/');
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.get('location'), '/pt/');
  assert.equal((await get(S.base, '/pt/')).status, 200);
  // a refused target: the row shows what was typed and why, nothing changes
  const bad = await editor.post('/admin/redirects/edit', { csrf, from: '/2019/05/old-story/', to: '//evil.example' });
  assert.equal(bad.status, 400);
  assert.match(bad.body, /value="\/\/evil.example" maxlength="1000" spellcheck="false" autocomplete="off" aria-invalid="true" aria-describedby="rd-to-1-err"/);
  assert.match(bad.body, /<p class="field-error" id="rd-to-1-err">The new address must be a path on this site/);
  assert.equal(target('/2019/05/old-story/'), '/pt/');
  assert.equal((await editor.post('/admin/redirects/edit', { csrf, from: '/no/such/redirect', to: '/en/' })).status, 404);
  assert.equal((await editor.post('/admin/redirects/edit', { csrf, to: '/en/' })).status, 400, 'no row named');
  // delete
  const del = await editor.post('/admin/redirects/delete', { csrf, from: '/2019/05/old-story/', q: '' });
  assert.equal(del.status, 303);
  assert.equal(del.headers.get('location'), '/admin/redirects?done=deleted');
  assert.match((await editor.get(del.headers.get('location'))).body, /Deleted\./);
  assert.equal(target('/2019/05/old-story/'), '');
  assert.equal((await get(S.base, '/2019/05/old-story/')).status, 404);
  assert.equal((await editor.post('/admin/redirects/delete', { csrf, from: '/2019/05/old-story/' })).status, 404);
  assert.equal(one("SELECT count(*) FROM audit_log WHERE action IN ('redirect.add', 'redirect.save', 'redirect.delete') AND detail LIKE '/2019/05/old-story/%'"), '4');
});

test('open redirects and addresses no request can name: 400, nothing stored', async () => {
  const n = count(), audits = one('SELECT count(*) FROM audit_log');
  for (const to of ['//evil.example', 'https://evil.example/', '/\\evil', '/\\\\evil.example', 'http:/evil.example', 'evil.example',
    'javascript:alert(1)', ' //evil.example', '/%2F/evil.example', '/%2f%2fevil.example', '/x/../..//evil.example', '/\t/evil.example',
    '/a\nb', '/a b', '/a\u3000b', '/a%zz', '/%5Cevil.example', '', `/${'a'.repeat(1000)}`]) {
    const r = await add('/safe/from', to);
    assert.equal(r.status, 400, JSON.stringify(to));
    assert.match(r.body, /aria-describedby="rd-to-hint rd-to-err" aria-invalid="true"/, JSON.stringify(to));
    assert.match(r.body, /<p class="field-error" id="rd-to-err">/, JSON.stringify(to));
    assert.match(r.body, /role="alert">Please correct the marked fields/);
  }
  const typed = await add('/safe/from', 'https://evil.example/');
  assert.match(typed.body, /id="rd-from" name="from" type="text" value="\/safe\/from"/, 'what was typed is kept');
  assert.match(typed.body, /id="rd-to" name="to" type="text" value="https:\/\/evil.example\/"/);
  for (const from of ['', 'old-story', 'https://example.org/old', '//old', '/a b', '/a\tb', '/a//b', '/a/../b', '/a/./b', '/a/..',
    '/x?utm=1', '/x#top', '/?p=abc', '/?p=', '/a%zz', '/a%20b', '/a%2F%2Fb', '/a\\b', `/${'a'.repeat(1000)}`]) {
    const r = await add(from, '/en/');
    assert.equal(r.status, 400, JSON.stringify(from));
    assert.match(r.body, /<p class="field-error" id="rd-from-err">/, JSON.stringify(from));
  }
  const same = await add('/same/place', '/same/place?x=1');
  assert.equal(same.status, 400);
  assert.match(same.body, /id="rd-to-err">The new address is the old one/);
  assert.equal(count(), n, 'nothing stored');
  assert.equal(one('SELECT count(*) FROM audit_log'), audits, 'nothing recorded');
});

test('a loop is refused, and a chain longer than 10', async () => {
  assert.equal((await add('/loop/a', '/loop/b')).status, 303);
  assert.equal((await add('/loop/b', '/loop/c')).status, 303);
  const n = count();
  for (const to of ['/loop/a', '/loop/a?x=1', '/loop/b', '/loo%70/a']) {
    const r = await add('/loop/c', to);
    assert.equal(r.status, 400, to);
    assert.match(r.body, /id="rd-to-err">This would make a loop/, to);
  }
  const edit = await editor.post('/admin/redirects/edit', { csrf, from: '/loop/b', to: '/loop/a' });
  assert.equal(edit.status, 400);
  assert.match(edit.body, /This would make a loop/);
  assert.equal(target('/loop/b'), '/loop/c');
  assert.equal(count(), n);
  // WordPress addresses are followed too
  assert.equal((await add('/?page_id=42', '/loop/a')).status, 303);
  assert.equal((await add('/loop/c', '/?page_id=42')).status, 400);
  // ten redirects in a row: one more in front would make eleven
  sql(S.db, `INSERT INTO redirects (from_path, to_path, created_at) VALUES ${Array.from({ length: 10 }, (_, i) => `('/chain/${i}', '/chain/${i + 1}', 3000)`).join(', ')}`);
  const long = await add('/chain/start', '/chain/0');
  assert.equal(long.status, 400);
  assert.match(long.body, /more than 10 redirects/);
  assert.equal((await add('/chain/start', '/chain/1')).status, 303, 'ten in all is fine');
});

test('CSRF: a POST without the token or with a forged one is refused, nothing stored', async () => {
  const n = count();
  for (const [path, fields] of [['/admin/redirects', { from: '/csrf/x', to: '/en/' }], ['/admin/redirects/edit', { from: '/loop/a', to: '/en/' }],
    ['/admin/redirects/delete', { from: '/loop/a' }]]) {
    assert.equal((await editor.post(path, fields)).status, 403, `${path} without a token`);
    assert.equal((await editor.post(path, { csrf: '0'.repeat(32), ...fields })).status, 403, `${path} with a forged token`);
  }
  assert.equal(count(), n);
  assert.equal(target('/loop/a'), '/loop/b');
});

test('roles: editors and admins; authors and contributors get 403 with nothing in it', async () => {
  const admin = await signIn('admin');
  assert.equal((await admin.get('/admin/redirects')).status, 200);
  assert.match((await editor.get('/admin')).body, /href="\/admin\/redirects"/, 'in the editor\'s nav');
  const n = count();
  for (const role of ['author', 'contributor']) {
    const s = await signIn(role);
    assert.doesNotMatch((await s.get('/admin')).body, /href="\/admin\/redirects"/, `not in the ${role}'s nav`);
    const token = csrfOf((await s.get('/admin/password')).body);
    const list = await s.get('/admin/redirects');
    assert.equal(list.status, 403, role);
    assert.doesNotMatch(list.body, /imported-story|loop\/a/, `${role}: nothing leaks`);
    assert.equal((await s.post('/admin/redirects', { csrf: token, from: '/role/x', to: '/en/' })).status, 403, role);
    assert.equal((await s.post('/admin/redirects/edit', { csrf: token, from: '/loop/a', to: '/en/' })).status, 403, role);
    assert.equal((await s.post('/admin/redirects/delete', { csrf: token, from: '/loop/a' })).status, 403, role);
  }
  assert.equal(count(), n);
  assert.equal(target('/loop/a'), '/loop/b');
  // signed out: the sign-in page, or refused
  const anon = new Client(S.base);
  const r = await anon.get('/admin/redirects');
  assert.equal(r.status, 303);
  assert.match(r.headers.get('location'), /^\/admin\/login\?next=/);
  assert.equal((await anon.post('/admin/redirects', { from: '/anon/x', to: '/en/' })).status, 403);
});
