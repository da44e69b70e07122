// pages.test.mjs: an edition's standing pages (About, Contact…): the demo's
// pages with their parents, the footer links, trailing slashes, the sitemap;
// the pages desk (/admin/pages): adding, renaming (old addresses answer 301,
// the pages under it move along), the footer refreshed on every cached page,
// addresses the site uses itself, duplicates and loops refused with the form
// kept, drafts not public, deleting, and who may do it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, get, sql, addStaff, signInStaff } from './harness.mjs';

let S;
before(async () => { S = await startServer(); });
after(async () => { assert.equal((await S.stop()).code, 0); });

const one = (q) => sql(S.db, q).trim();
const addUser = (name, role) => addStaff(S, name, role);
const signIn = (name) => signInStaff(S, name);
const csrfOf = (body) => body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
const pageId = (ed, path) => one(`SELECT id FROM pages WHERE edition = '${ed}' AND path = '${path}'`);

test('the demo pages: parents, breadcrumbs, pages under them, the footer, the sitemap', async () => {
  const about = await get(S.base, '/en/about');
  assert.equal(about.status, 200);
  assert.match(about.body, /<h1 class="story-title">About Gazette<\/h1>/);
  assert.match(about.body, /<link rel="canonical" href="[^"]*\/en\/about">/);
  assert.match(about.body, /<nav class="subpages"[^]*href="\/en\/about\/team">The newsroom<\/a>/);
  const team = await get(S.base, '/es/quienes-somos/equipo');
  assert.equal(team.status, 200);
  assert.match(team.body, /<nav class="breadcrumb"[^]*href="\/es\/quienes-somos">Quiénes somos<\/a>/);
  assert.match(team.body, /<html lang="es"/);
  // every reader page links the footer pages of its edition, in order
  const front = await get(S.base, '/pt/');
  const footer = front.body.slice(front.body.indexOf('class="footer-pages"'));
  assert.ok(footer.indexOf('/pt/quem-somos') < footer.indexOf('/pt/contato') && footer.indexOf('/pt/contato') < footer.indexOf('/pt/privacidade'));
  assert.doesNotMatch(footer.slice(0, footer.indexOf('</ul>')), /equipe/, 'only the pages marked for the footer');
  // WordPress-style trailing slash: one 301; unknown paths 404; a feature's address is not a page
  const slash = await get(S.base, '/en/about/team/');
  assert.equal(slash.status, 301);
  assert.equal(slash.headers.get('location'), '/en/about/team');
  assert.equal((await get(S.base, '/en/about/nobody')).status, 404);
  assert.equal((await get(S.base, '/en/no/such/page')).status, 404);
  assert.equal((await get(S.base, '/xx/about')).status, 404);
  assert.equal((await get(S.base, '/en/search')).status, 200, 'search is still search');
  const map = await get(S.base, '/sitemaps/en-pages.xml');
  assert.equal(map.status, 200);
  assert.match(map.body, /<loc>[^<]*\/en\/about\/team<\/loc>/);
  assert.match((await get(S.base, '/sitemap.xml')).body, /\/sitemaps\/en-pages\.xml/);
});

let editor, csrf;
const save = (path, fields) => editor.post(path, { csrf, edition: 'en', status: 'published', position: '0', parent: '0', body: '', ...fields });

test('the desk: add a page, see it, rename it: old addresses answer 301 and the pages under it move', async () => {
  addUser('editor', 'editor');
  addUser('author', 'author');
  editor = await signIn('editor');
  const list = await editor.get('/admin/pages?edition=en');
  assert.equal(list.status, 200);
  assert.match(list.body, /href="\/admin\/pages" aria-current="page"/);
  assert.match(list.body, /<code>\/en\/about\/team<\/code>/);
  csrf = csrfOf(list.body);
  const r = await save('/admin/pages/new', { title: 'Corrections policy', slug: '', body: 'We **fix** errors in the open.\n\n<script>alert(1)</script>' });
  assert.equal(r.status, 303);
  const id = pageId('en', 'corrections-policy');
  assert.ok(id, 'the address made from the title');
  const page = await get(S.base, '/en/corrections-policy');
  assert.equal(page.status, 200);
  assert.match(page.body, /We <strong>fix<\/strong> errors in the open\./);
  assert.doesNotMatch(page.body, /<script>alert/);
  // a page under it
  assert.equal((await save('/admin/pages/new', { title: 'How to ask', slug: 'ask', parent: id, body: 'Write to us.' })).status, 303);
  assert.equal((await get(S.base, '/en/corrections-policy/ask')).status, 200);
  const cached = await get(S.base, '/en/corrections-policy/ask');
  assert.equal(cached.status, 200);
  // renamed: both addresses follow, the old ones answer 301
  assert.equal((await save(`/admin/pages/${id}`, { title: 'Corrections', slug: 'corrections', body: 'We fix errors.' })).status, 303);
  assert.equal(one(`SELECT path FROM pages WHERE parent_id = ${id}`), 'corrections/ask');
  for (const [from, to] of [['/en/corrections-policy', '/en/corrections'], ['/en/corrections-policy/ask', '/en/corrections/ask']]) {
    const old = await get(S.base, from);
    assert.equal(old.status, 301, from);
    assert.equal(old.headers.get('location'), to);
    assert.equal((await get(S.base, to)).status, 200, to);
  }
  assert.match((await get(S.base, '/en/corrections/ask')).body, /<nav class="breadcrumb"[^]*href="\/en\/corrections">Corrections<\/a>/, 'the cached page shows the new parent');
  // a page back at the old address is live again: no redirect takes it away
  assert.equal((await save('/admin/pages/new', { title: 'Old policy', slug: 'corrections-policy', body: 'Archived.' })).status, 303);
  assert.equal((await get(S.base, '/en/corrections-policy')).status, 200);
});

test('the footer: a page marked for it shows on every cached page at once', async () => {
  const before = await get(S.base, '/en/');
  assert.doesNotMatch(before.body, /href="\/en\/corrections">Corrections</);
  const id = pageId('en', 'corrections');
  assert.equal((await save(`/admin/pages/${id}`, { title: 'Corrections', slug: 'corrections', in_footer: '1', position: '9' })).status, 303);
  const after = await get(S.base, '/en/');
  const footer = after.body.slice(after.body.indexOf('class="footer-pages"'));
  assert.match(footer, /href="\/en\/corrections">Corrections</);
  assert.ok(footer.indexOf('/en/privacy') < footer.indexOf('/en/corrections'), 'after the lower positions');
  assert.doesNotMatch((await get(S.base, '/es/')).body, /\/en\/corrections/, 'its own edition only');
});

test('refused: the site\'s own addresses, duplicates, loops, bad addresses; drafts are not public', async () => {
  const pages = one('SELECT count(*) FROM pages');
  for (const slug of ['search', 'tag', '2024', 'events']) {
    const r = await save('/admin/pages/new', { title: 'Taken', slug });
    assert.equal(r.status, 422, slug);
    assert.match(r.body, /belongs to the site itself/);
    assert.match(r.body, /aria-describedby="p-slug-hint p-slug-err" aria-invalid="true"/);
    assert.match(r.body, /value="Taken"/, 'what was typed comes back');
  }
  const dup = await save('/admin/pages/new', { title: 'Again', slug: 'corrections' });
  assert.equal(dup.status, 422);
  assert.match(dup.body, /Another page of this edition has this address/);
  for (const slug of ['a b', 'a/b', '..', '%2e', 'x?y']) assert.equal((await save('/admin/pages/new', { title: 'Bad', slug })).status, 422, slug);
  assert.equal((await save('/admin/pages/new', { title: '', slug: 'empty' })).status, 422);
  // a page under its own child
  const parent = pageId('en', 'corrections'), child = pageId('en', 'corrections/ask');
  const loop = await save(`/admin/pages/${parent}`, { title: 'Corrections', slug: 'corrections', parent: child, in_footer: '1', position: '9' });
  assert.equal(loop.status, 422);
  assert.match(loop.body, /cannot be inside itself/);
  assert.equal(one('SELECT count(*) FROM pages'), pages, 'nothing stored');
  // a draft: saved, not public
  assert.equal((await save('/admin/pages/new', { title: 'Upcoming', slug: 'upcoming', status: 'draft' })).status, 303);
  assert.equal((await get(S.base, '/en/upcoming')).status, 404);
  assert.doesNotMatch((await get(S.base, '/sitemaps/en-pages.xml')).body, /upcoming/);
});

test('delete: not while pages are under it; then gone; who may', async () => {
  const parent = pageId('en', 'corrections'), child = pageId('en', 'corrections/ask');
  const refused = await editor.post(`/admin/pages/${parent}/delete`, { csrf });
  assert.equal(refused.status, 409);
  assert.match(refused.body, /has pages under it/);
  assert.equal((await editor.post(`/admin/pages/${child}/delete`, { csrf })).status, 303);
  assert.equal((await get(S.base, '/en/corrections/ask')).status, 404);
  // no token: refused, nothing changed
  assert.equal((await editor.post(`/admin/pages/${parent}/delete`, {})).status, 403);
  assert.ok(pageId('en', 'corrections'));
  // an author does not run the site's pages
  const author = await signIn('author');
  assert.equal((await author.get('/admin/pages')).status, 403);
  const list = await author.get('/admin');
  assert.equal((await author.post('/admin/pages/new', { csrf: csrfOf(list.body), edition: 'en', title: 'Mine', slug: 'mine', status: 'published' })).status, 403);
  assert.equal((await get(S.base, '/en/mine')).status, 404);
});
