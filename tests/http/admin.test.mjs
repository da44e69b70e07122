// admin.test.mjs: the newsroom admin over HTTP: every guarded route × every
// role (allowed or 403 with nothing of the page in it), CSRF on every admin
// POST, the article desk (create, slugs, workflow per role, scheduling,
// corrections, conflicts), revisions (diff, restore byte for byte),
// translations (linked drafts, the source beside them, "outdated"), the
// moderation queue (bulk actions, bans, editions) and the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { deflateSync } from 'node:zlib';
import { BIN, Client, Staff, startServer, get, sql, raw, statusOf, PG, addStaff, signInStaff } from './harness.mjs';

let S;
before(async () => { S = await startServer(); });
after(async () => { assert.equal((await S.stop()).code, 0); });

const one = (q) => sql(S.db, q).trim();
const users = {};
const addUser = (name, role, ...editions) => { users[name] = addStaff(S, name, role, ...editions); };
const signIn = (name) => signInStaff(S, name);
const form = async (s, path) => {
  const r = await s.get(path);
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return { csrf: r.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1], base: r.body.match(/name="base" value="(\d+)"/)?.[1], body: r.body };
};
// the editor's fields as they stand, changed by more
async function editorFields(s, id, more = {}) {
  const f = await form(s, `/admin/articles/${id}`);
  const val = (name) => {
    const input = f.body.match(new RegExp(`name="${name}" type="[a-z-]+" value="([^"]*)"`));
    return input ? decode(input[1]) : decode(f.body.match(new RegExp(`name="${name}"[^>]*>([^<]*)</textarea>`))?.[1] ?? '');
  };
  const kind = f.body.match(/<option value="(news|opinion|blog)" selected>/)?.[1] || 'news';
  return { csrf: f.csrf, base: f.base, title: val('title'), standfirst: val('standfirst'), body: val('body'), kind, tags: val('tags'), slug: val('slug'), ...more };
}
const decode = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const idOf = (r) => Number((r.headers.get('location') || '').match(/\/admin\/articles\/(\d+)/)?.[1] || 0);
const publicUrl = (id) => one(`SELECT '/' || edition || '/' || ${PG ? "to_char(to_timestamp(published_at) AT TIME ZONE 'UTC', 'YYYY/MM/')" : "strftime('%Y/%m/', published_at, 'unixepoch')"} || slug FROM articles WHERE id = ${id}`);

// What each role may reach, as the issue states it (not read from the code).
const RIGHTS = {
  admin: ['staff', 'write', 'translate', 'moderate', 'events', 'taxonomy', 'admin'],
  editor: ['staff', 'write', 'translate', 'moderate', 'taxonomy'],
  author: ['staff', 'write'],
  contributor: ['staff', 'write'],
  translator: ['staff', 'translate'],
  moderator: ['staff', 'moderate'],
  events: ['staff', 'events'],
};

test('setup: one account per role', () => {
  for (const role of Object.keys(RIGHTS)) addUser(role, role);
  addUser('pteditor', 'editor', 'pt');
  addUser('esonly', 'editor', 'es');
  addUser('estranslator', 'translator', 'es');
  addUser('esmoderator', 'moderator', 'es');
  assert.equal(one('SELECT count(*) FROM users'), '11');
});

test('every guarded route × every role: allowed, or 403 with nothing of the page', async () => {
  const routes = execFileSync(BIN, ['routes']).toString().trim().split('\n').map((l) => l.split(' '))
    .filter(([, , guard]) => guard !== '-');
  assert.ok(routes.length >= 15, `guarded routes: ${routes.length}`);
  assert.ok(routes.every(([, p]) => p.startsWith('/admin')), 'only admin routes are guarded');
  // an article and a revision each role may touch: its own, and a translation
  const admin = await signIn('admin');
  const mk = await form(admin, '/admin/articles/new?edition=pt');
  const made = await admin.post('/admin/articles/new', { csrf: mk.csrf, edition: 'pt', title: 'Matriz de permissões', body: 'Texto secreto da matriz.', kind: 'news', action: 'save' });
  assert.equal(made.status, 303);
  const art = idOf(made);
  const source = Number(one("SELECT min(id) FROM articles WHERE edition = 'en'"));
  for (const role of Object.keys(RIGHTS)) {
    const s = await signIn(role);
    sql(S.db, `UPDATE articles SET created_by = ${users[role]}, source_id = ${source}, status = 'draft' WHERE id = ${art}`);
    const rev = one(`SELECT max(id) FROM article_revisions WHERE article_id = ${art}`);
    const csrf = (await s.get('/admin/password')).body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
    for (const [methods, pattern, guard] of routes) {
      const path = pattern.replace('{id}', art).replace('{rev}', rev);
      const allowed = guard.split('|').some((g) => RIGHTS[role].includes(g));
      for (const method of methods.split(',')) {
        const r = method === 'GET' ? await s.get(path) : await s.post(path, { csrf });
        const what = `${role} ${method} ${path} → ${r.status}`;
        assert.notEqual(r.status, 500, what);
        if (allowed) {
          assert.notEqual(r.status, 403, what);
          assert.ok(r.status < 500, what);
        } else {
          assert.equal(r.status, 403, what);
          assert.doesNotMatch(r.body, /Matriz de permiss|Texto secreto|@example\.org/, `${what}: nothing leaks`);
        }
      }
    }
  }
  // signed out: GET goes to the sign-in page, POST is refused
  const anon = new Client(S.base);
  for (const [methods, pattern] of routes) {
    const path = pattern.replace('{id}', art).replace('{rev}', '1');
    if (methods.includes('GET')) {
      const r = await anon.get(path);
      assert.equal(r.status, 303, path);
      assert.match(r.headers.get('location'), /^\/admin\/login\?next=/);
    }
    if (methods.includes('POST')) assert.equal((await anon.post(path, {})).status, 403, `POST ${path} signed out`);
  }
});

test('every admin POST wants the CSRF token of the session', async () => {
  const routes = execFileSync(BIN, ['routes']).toString().trim().split('\n').map((l) => l.split(' '))
    .filter(([m, , guard]) => guard !== '-' && m.includes('POST'));
  const s = await signIn('admin');
  const art = one("SELECT max(id) FROM articles");
  const before = one('SELECT count(*) FROM article_revisions') + one('SELECT count(*) FROM audit_log');
  for (const [, pattern] of routes) {
    const path = pattern.replace('{id}', art).replace('{rev}', one(`SELECT max(id) FROM article_revisions WHERE article_id = ${art}`));
    assert.equal((await s.post(path, { title: 'x', action: 'save', edition: 'pt' })).status, 403, `${path} without a token`);
    assert.equal((await s.post(path, { csrf: '0'.repeat(32), title: 'x', action: 'save', edition: 'pt' })).status, 403, `${path} with a forged token`);
  }
  assert.equal(one('SELECT count(*) FROM article_revisions') + one('SELECT count(*) FROM audit_log'), before, 'nothing written');
});

test('a contributor writes and submits; only an editor of the edition publishes', async () => {
  const c = await signIn('contributor');
  const f = await form(c, '/admin/articles/new?edition=pt');
  assert.match(f.body, /Submit for review/);
  assert.doesNotMatch(f.body, /value="publish"/, 'no publish button for a contributor');
  const made = await c.post('/admin/articles/new', { csrf: f.csrf, edition: 'pt', title: 'Eleições em São João: a apuração', standfirst: 'Resumo.', body: 'Primeiro parágrafo.\n\nSegundo.', kind: 'news', tags: 'Eleições, Apuração nova', action: 'save' });
  assert.equal(made.status, 303);
  const id = idOf(made);
  assert.equal(one(`SELECT slug || '|' || status || '|' || created_by FROM articles WHERE id = ${id}`), `eleicoes-em-sao-joao-a-apuracao|draft|${users.contributor}`, 'slug transliterated from the headline');
  assert.equal(one(`SELECT count(*) FROM article_tags WHERE article_id = ${id}`), '2', 'an existing tag and a new one');
  assert.equal(one(`SELECT count(*) FROM term_names WHERE edition = 'pt' AND taxonomy = 'tag' AND name = 'Apuração nova'`), '1');
  const sub = await c.post(`/admin/articles/${id}`, await editorFields(c, id, { action: 'submit' }));
  assert.equal(sub.status, 303);
  assert.equal(one(`SELECT status FROM articles WHERE id = ${id}`), 'review');
  assert.equal((await c.post(`/admin/articles/${id}`, await editorFields(c, id, { action: 'publish' }))).status, 403);
  // another edition's editor may not even open it; the Portuguese editor publishes
  const es = await signIn('esonly');
  assert.equal((await es.get(`/admin/articles/${id}`)).status, 403);
  const pt = await signIn('pteditor');
  const pub = await pt.post(`/admin/articles/${id}`, await editorFields(pt, id, { action: 'publish' }));
  assert.equal(pub.status, 303);
  assert.equal(one(`SELECT status FROM articles WHERE id = ${id}`), 'published');
  const page = await get(S.base, publicUrl(id));
  assert.equal(page.status, 200);
  assert.match(page.body, /Eleições em São João: a apuração/);
  assert.match((await get(S.base, '/pt/')).body, /Eleições em São João/, 'on the front page at once');
  // published: the contributor may no longer change it
  assert.equal((await c.get(`/admin/articles/${id}`)).status, 403);
  // a second article with the same headline gets its own address
  const f2 = await form(c, '/admin/articles/new?edition=pt');
  const again = await c.post('/admin/articles/new', { csrf: f2.csrf, edition: 'pt', title: 'Eleições em São João: a apuração', kind: 'news', action: 'save' });
  assert.equal(one(`SELECT slug FROM articles WHERE id = ${idOf(again)}`), 'eleicoes-em-sao-joao-a-apuracao-2');
  const taken = await c.post(`/admin/articles/${idOf(again)}`, await editorFields(c, idOf(again), { slug: 'eleicoes-em-sao-joao-a-apuracao' }));
  assert.equal(taken.status, 422);
  assert.match(taken.body, /Another article of this edition has this address/);
  const bad = await c.post(`/admin/articles/${idOf(again)}`, await editorFields(c, idOf(again), { slug: 'Not A Slug!', title: '' }));
  assert.equal(bad.status, 422);
  assert.match(bad.body, /aria-invalid="true" aria-describedby="e-title-err"/);
  assert.match(bad.body, /lower-case letters/);
});

test('validation keeps what was typed and stores nothing', async () => {
  const s = await signIn('author');
  const f = await form(s, '/admin/articles/new?edition=en');
  const n = one('SELECT count(*) FROM articles');
  const long = await s.post('/admin/articles/new', { csrf: f.csrf, edition: 'en', title: 'T'.repeat(301), body: 'Kept <b>text</b>', kind: 'news' });
  assert.equal(long.status, 422);
  assert.match(long.body, /Kept &lt;b&gt;text&lt;\/b&gt;/);
  const kinds = await s.post('/admin/articles/new', { csrf: f.csrf, edition: 'en', title: 'Fine', kind: 'gossip', section: '999999', tags: 'x'.repeat(61) });
  assert.equal(kinds.status, 422);
  assert.match(kinds.body, /Please choose a kind/);
  assert.match(kinds.body, /Please choose a section from the list/);
  assert.match(kinds.body, /At most 20 tags/);
  assert.equal((await s.post('/admin/articles/new', { csrf: f.csrf, edition: 'xx', title: 'Fine', kind: 'news' })).status, 400);
  assert.equal((await s.post('/admin/articles/new', { csrf: f.csrf, edition: 'en', title: 'Fine', kind: 'news', action: 'explode' })).status, 400);
  assert.equal(one('SELECT count(*) FROM articles'), n);
  const prev = await s.post('/admin/articles/new', { csrf: f.csrf, edition: 'en', title: 'Preview me', body: '## Sub\n\n*it* <script>alert(1)</script>', kind: 'news', action: 'preview' });
  assert.equal(prev.status, 200);
  assert.match(prev.body, /<h2>Sub<\/h2>/);
  assert.match(prev.body, /<em>it<\/em>/);
  assert.doesNotMatch(prev.body, /<script>alert/);
  assert.equal(one('SELECT count(*) FROM articles'), n, 'a preview saves nothing');
});

test('scheduling: goes live when its time comes, and not before', async () => {
  const s = await signIn('pteditor');
  const f = await form(s, '/admin/articles/new?edition=pt');
  const made = await s.post('/admin/articles/new', { csrf: f.csrf, edition: 'pt', title: 'Programada para depois', body: 'Texto.', kind: 'news', action: 'save' });
  const id = idOf(made);
  const past = await s.post(`/admin/articles/${id}`, await editorFields(s, id, { action: 'schedule', publish_at: '2020-01-01T10:00' }));
  assert.equal(past.status, 422);
  assert.match(past.body, /a time in the future/);
  const later = new Date(Date.now() + 3600e3).toISOString().slice(0, 16);   // the site's zone is UTC
  const sch = await s.post(`/admin/articles/${id}`, await editorFields(s, id, { action: 'schedule', publish_at: later }));
  assert.equal(sch.status, 303);
  assert.equal(one(`SELECT status FROM articles WHERE id = ${id}`), 'scheduled');
  assert.equal(Number(one(`SELECT published_at FROM articles WHERE id = ${id}`)), Date.parse(later + ':00Z') / 1000);
  assert.doesNotMatch((await get(S.base, '/pt/')).body, /Programada para depois/);
  // the time comes (moved near instead of waiting an hour): the scheduler publishes it
  sql(S.db, `UPDATE articles SET published_at = ${Math.floor(Date.now() / 1000) + 1} WHERE id = ${id}`);
  let live = false;
  for (let i = 0; i < 50 && !live; i++) {
    await new Promise((r) => setTimeout(r, 100));
    live = /Programada para depois/.test((await get(S.base, '/pt/')).body);
  }
  assert.ok(live, 'on the front page within seconds of its time');
  assert.equal(one(`SELECT status FROM articles WHERE id = ${id}`), 'published');
});

test('corrections set the updated date and show to readers; a silent fix does not', async () => {
  const s = await signIn('editor');
  const id = Number(one("SELECT min(id) FROM articles WHERE edition = 'en' AND status = 'published'"));
  const before = one(`SELECT coalesce(updated_at, 0) FROM articles WHERE id = ${id}`);
  const fields = await editorFields(s, id);
  const fix = await s.post(`/admin/articles/${id}`, { ...fields, body: fields.body + '\n\nA silent typo fix.', action: 'publish' });
  assert.equal(fix.status, 303);
  assert.equal(one(`SELECT coalesce(updated_at, 0) FROM articles WHERE id = ${id}`), before);
  assert.match((await get(S.base, publicUrl(id))).body, /A silent typo fix\./, 'the page changes at once');
  const note = await s.post(`/admin/articles/${id}`, { ...(await editorFields(s, id)), correction: 'An earlier version gave the wrong turnout.', action: 'publish' });
  assert.equal(note.status, 303);
  assert.ok(Number(one(`SELECT updated_at FROM articles WHERE id = ${id}`)) > Number(before));
  const page = (await get(S.base, publicUrl(id))).body;
  assert.match(page, /class="correction"/);
  assert.match(page, /An earlier version gave the wrong turnout\./);
});

test('two editors: the second save does not overwrite the first', async () => {
  const a = await signIn('editor');
  const b = await signIn('admin');
  const id = Number(one("SELECT min(id) FROM articles WHERE edition = 'es' AND status = 'published'"));
  const fa = await editorFields(a, id);
  const fb = await editorFields(b, id);
  assert.equal((await a.post(`/admin/articles/${id}`, { ...fa, standfirst: 'Versión A.', action: 'save' })).status, 303);
  const late = await b.post(`/admin/articles/${id}`, { ...fb, standfirst: 'Versión B.', action: 'save' });
  assert.equal(late.status, 409);
  assert.match(late.body, /Someone saved this article after you opened it/);
  assert.match(late.body, /Versión B\./, 'the late text is kept in the form');
  assert.equal(one(`SELECT standfirst FROM articles WHERE id = ${id}`), 'Versión A.');
});

test('revisions: every save kept, a diff, restore byte for byte', async () => {
  const s = await signIn('author');
  const f = await form(s, '/admin/articles/new?edition=en');
  const first = 'Line one.\n\nLine two — with “quotes” and ünïcödé.\n\n    indented code\n\nLast line.';
  const id = idOf(await s.post('/admin/articles/new', { csrf: f.csrf, edition: 'en', title: 'History test', body: first, kind: 'blog', action: 'save' }));
  const r1 = one(`SELECT max(id) FROM article_revisions WHERE article_id = ${id}`);
  assert.equal((await s.post(`/admin/articles/${id}`, await editorFields(s, id, { body: 'Line one.\n\nA new second line.\n\nLast line.' }))).status, 303);
  assert.equal(one(`SELECT count(*) FROM article_revisions WHERE article_id = ${id}`), '2');
  const list = await s.get(`/admin/articles/${id}/revisions`);
  assert.equal(list.status, 200);
  assert.equal((list.body.match(/\/revisions\/\d+"/g) || []).length, 2);
  const diff = await s.get(`/admin/articles/${id}/revisions/${r1}`);
  assert.match(diff.body, /class="diff-del">[^<]*<span class="visually-hidden">removed: <\/span>Line two — with “quotes” and ünïcödé\./);
  assert.match(diff.body, /class="diff-add"><span class="visually-hidden">added: <\/span>A new second line\./);
  assert.match(diff.body, /class="diff-same">Last line\./);
  const csrf = diff.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  assert.equal((await s.post(`/admin/articles/${id}/revisions/${r1}/restore`, { csrf })).status, 303);
  assert.equal(one(`SELECT body_md FROM article_bodies WHERE article_id = ${id}`), first);
  assert.equal(one(`SELECT count(*) FROM article_revisions WHERE article_id = ${id}`), '3', 'a restore is a save too');
  // another article's revision is not this one's
  const other = one(`SELECT min(id) FROM article_revisions WHERE article_id <> ${id}`);
  assert.equal((await s.get(`/admin/articles/${id}/revisions/${other}`)).status, 404);
  // autosave keeps the typed text aside, the article stays as saved
  const af = await editorFields(s, id);
  const auto = await s.post(`/admin/articles/${id}/autosave`, { csrf: af.csrf, title: 'History test', standfirst: '', body: 'Typed but not saved.' });
  assert.equal(auto.status, 200);
  assert.equal(one(`SELECT body_md FROM article_bodies WHERE article_id = ${id}`), first);
  assert.equal(one(`SELECT body_md FROM article_revisions WHERE article_id = ${id} AND autosave = 1`), 'Typed but not saved.');
  await s.post(`/admin/articles/${id}/autosave`, { csrf: af.csrf, title: 'History test', body: 'Typed again.' });
  assert.equal(one(`SELECT count(*) FROM article_revisions WHERE article_id = ${id} AND autosave = 1`), '1', 'one autosave per writer');
  assert.match((await s.get(`/admin/articles/${id}`)).body, /An autosaved version newer than this one exists/);
});

test('translations: a linked draft, the source beside it, outdated when the source changes', async () => {
  const ed = await signIn('editor');
  const f = await form(ed, '/admin/articles/new?edition=en');
  const src = idOf(await ed.post('/admin/articles/new', { csrf: f.csrf, edition: 'en', title: 'Harbour cranes return', standfirst: 'The port reopens.', body: 'The cranes are back.', kind: 'news', tags: 'Harbour', action: 'publish' }));
  // a translator of Spanish may not translate into Portuguese
  const tr = await signIn('estranslator');
  const page = await tr.get(`/admin/articles/${src}/translate`);
  assert.equal(page.status, 200);
  const csrf = page.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  assert.equal((await tr.post(`/admin/articles/${src}/translate`, { csrf, edition: 'pt' })).status, 403);
  assert.equal((await tr.post(`/admin/articles/${src}/translate`, { csrf, edition: 'en' })).status, 400);
  const made = await tr.post(`/admin/articles/${src}/translate`, { csrf, edition: 'es' });
  assert.equal(made.status, 303);
  const es = idOf(made);
  assert.equal(one(`SELECT edition || '|' || status || '|' || source_id || '|' || (CASE WHEN translation_group = (SELECT translation_group FROM articles WHERE id = ${src}) THEN 1 ELSE 0 END) FROM articles WHERE id = ${es}`), `es|draft|${src}|1`);
  assert.equal((await tr.post(`/admin/articles/${src}/translate`, { csrf, edition: 'es' })).headers.get('location'), `/admin/articles/${es}`, 'asking again opens the same draft');
  const editor = await tr.get(`/admin/articles/${es}`);
  assert.equal(editor.status, 200);
  assert.match(editor.body, /class="editor-source"[^>]*lang="en"/);
  assert.match(editor.body, /The cranes are back\./);
  assert.doesNotMatch(editor.body, /value="publish"/, 'a translator does not publish');
  const saved = await tr.post(`/admin/articles/${es}`, await editorFields(tr, es, { title: 'Vuelven las grúas del puerto', body: 'Las grúas están de vuelta.', action: 'submit' }));
  assert.equal(saved.status, 303);
  assert.equal(one(`SELECT status || '|' || outdated FROM articles WHERE id = ${es}`), 'review|0');
  // the source changes: the translation is outdated until a translator clears it
  await ed.post(`/admin/articles/${src}`, await editorFields(ed, src, { body: 'The cranes are back, and two more are coming.', action: 'publish' }));
  assert.equal(one(`SELECT outdated FROM articles WHERE id = ${es}`), '1');
  assert.match((await ed.get('/admin/articles?edition=es')).body, /status-outdated/);
  assert.equal((await tr.post(`/admin/articles/${es}`, await editorFields(tr, es, { action: 'current' }))).status, 303);
  assert.equal(one(`SELECT outdated FROM articles WHERE id = ${es}`), '0');
  // published by the editor, the story's pages link both ways
  await ed.post(`/admin/articles/${es}`, await editorFields(ed, es, { action: 'publish' }));
  const en = (await get(S.base, publicUrl(src))).body;
  assert.match(en, new RegExp(`hreflang="es" href="[^"]*${publicUrl(es)}"`));
});

test('the article list filters by edition, status, author and words', async () => {
  const s = await signIn('admin');
  const all = await s.get('/admin/articles?edition=pt&status=review');
  assert.equal(all.status, 200);
  for (const m of all.body.matchAll(/<span class="status status-([a-z]+)">/g)) assert.equal(m[1], 'review');
  const q = await s.get('/admin/articles?q=' + encodeURIComponent('Harbour cranes'));
  assert.match(q.body, /Harbour cranes return/);
  const none = await s.get('/admin/articles?q=' + encodeURIComponent('100%_no_such'));
  assert.match(none.body, /No article matches these filters/);
  assert.equal((await s.get('/admin/articles?edition=zz&status=nope&section=abc&page=-4')).status, 200, 'bad filters are ignored');
});

test('moderation: bulk approve, spam and bans, within the moderator\'s editions', async () => {
  const now = Math.floor(Date.now() / 1000);
  const ptArticle = one("SELECT min(id) FROM articles WHERE edition = 'pt' AND status = 'published'");
  const count0 = Number(one(`SELECT comment_count FROM articles WHERE id = ${ptArticle}`));
  const ids = [];
  for (const [n, email] of [['Ana', 'ana@example.net'], ['Rui', 'Spammer@Example.net'], ['Lia', 'lia@example.net']]) {
    ids.push(one(`INSERT INTO comments (article_id, depth, lang, name, email, body_md, body_html, status, held_reason, created_at, ip_hash, owner_hash, body_hash) VALUES (${ptArticle}, 1, 'pt', '${n}', '${email}', 'Olá', '<p>Olá de ${n}</p>', 'pending', 'policy', ${now}, 'iphash${n}', 'o', 'b${n}') RETURNING id`));
  }
  sql(S.db, `UPDATE comments SET root_id = id WHERE root_id IS NULL`);
  const es = await signIn('esmoderator');
  const esq = await es.get('/admin/comments');
  assert.doesNotMatch(esq.body, /Olá de Ana/, 'another edition\'s comments are not listed');
  const esCsrf = esq.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  assert.equal((await es.post('/admin/comments', [['csrf', esCsrf], ['action', 'approve'], ['id', ids[0]]])).status, 403);
  const m = await signIn('moderator');
  const q = await m.get('/admin/comments?status=pending');
  assert.match(q.body, /Olá de Ana/);
  assert.match(q.body, /&lt;Spammer@Example\.net&gt;/);
  const csrf = q.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  const ok = await m.post('/admin/comments', [['csrf', csrf], ['status', 'pending'], ['action', 'approve'], ['id', ids[0]], ['id', ids[2]]]);
  assert.equal(ok.status, 303);
  assert.match(ok.headers.get('location'), /done=2/);
  assert.equal(one(`SELECT count(*) FROM comments WHERE id IN (${ids[0]}, ${ids[2]}) AND status = 'approved'`), '2');
  assert.equal(Number(one(`SELECT comment_count FROM articles WHERE id = ${ptArticle}`)), count0 + 2);
  const ban = await m.post('/admin/comments', [['csrf', csrf], ['action', 'ban_email'], ['id', ids[1]]]);
  assert.equal(ban.status, 303);
  assert.equal(one(`SELECT status FROM comments WHERE id = ${ids[1]}`), 'spam');
  assert.equal(one("SELECT count(*) FROM comment_bans WHERE kind = 'email'"), '1');
  assert.doesNotMatch(one('SELECT hash FROM comment_bans'), /spammer/i, 'kept as a hash');
  assert.equal((await m.post('/admin/comments', [['csrf', csrf], ['action', 'approve'], ['id', 'abc']])).status, 400);
  assert.equal((await m.post('/admin/comments', [['csrf', csrf], ['action', 'approve'], ['id', '99999999']])).status, 404);
  assert.match(one(`SELECT actor || ':' || action FROM comment_audit WHERE comment_id = ${ids[0]} ORDER BY id`), new RegExp(`staff:${users.moderator}:approve`));
  // a banned address's next comment goes to spam
  execFileSync(BIN, ['settings', 'set', 'comments.min_seconds', '0', '--db', S.db]);
  execFileSync(BIN, ['settings', 'set', 'comments.pow_bits', '0', '--db', S.db]);
  const reader = new Client(S.base);
  const t = JSON.parse((await reader.get(`/comments/${ptArticle}/token`)).body);
  const post = await reader.post(`/comments/${ptArticle}`, { csrf: t.csrf, token: t.token, name: 'Rui', email: 'spammer@example.NET', body: 'Compre já!' });
  assert.equal(post.status, 303);
  assert.equal(one("SELECT status || '|' || held_reason FROM comments WHERE body_md = 'Compre já!'"), 'spam|banned');
});

test('the audit log records admin actions; only admins read it', async () => {
  const s = await signIn('admin');
  const log = await s.get('/admin/audit');
  assert.equal(log.status, 200);
  for (const action of ['article.create', 'article.save', 'article.translate', 'article.restore', 'comments.approve', 'comments.ban', 'login']) assert.match(log.body, new RegExp(`<code>${action.replace('.', '\\.')}</code>`), action);
  assert.equal((await (await signIn('editor')).get('/admin/audit')).status, 403);
});

// "+01:00" or "Z": Lisbon's offset from UTC on a day (by the ICU inside node)
function lisbonOffset(day) {
  const name = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Lisbon', timeZoneName: 'longOffset' })
    .formatToParts(new Date(`${day}T19:30:00Z`)).find((p) => p.type === 'timeZoneName').value;
  return name === 'GMT' ? 'Z' : name.slice(3);
}

test('events desk: create an event with ticket types, book, export, check in, cancel', async () => {
  const s = await signIn('events');
  const f = await form(s, '/admin/events/new?edition=en');
  assert.match(f.body, /name="tname_0"/);
  const bad = await s.post('/admin/events/new', { csrf: f.csrf, edition: 'en', title: '', kind: 'venue', tz: 'Mars/Olympus', starts: 'soon', tname_0: 'Seat', tcap_0: '-3' });
  assert.equal(bad.status, 422);
  for (const m of [/Please give the event a title/, /Please give a time zone/, /Please name the venue/, /Each ticket type needs a name/]) assert.match(bad.body, m);
  const day = new Date(Date.now() + 20 * 86400e3).toISOString().slice(0, 10);
  const made = await s.post('/admin/events/new', {
    csrf: f.csrf, edition: 'en', title: 'Night of the long reads', summary: 'Readings and a debate', description: 'Four writers, **one** stage.',
    kind: 'venue', tz: 'Europe/Lisbon', starts: `${day}T19:30`, ends: `${day}T22:00`, venue_name: 'Old Tram Depot', venue_address: 'Rua do Eléctrico 4',
    currency: 'EUR', tname_0: 'Standing', tcap_0: '2', tmax_0: '2', tname_1: 'Seated', tcap_1: '50', tmax_1: '4', tprice_1: '12.50',
  });
  assert.equal(made.status, 303);
  const id = Number(made.headers.get('location').match(/\/admin\/events\/(\d+)/)[1]);
  assert.equal(one(`SELECT slug || '|' || tz || '|' || starts_at FROM events WHERE id = ${id}`), `night-of-the-long-reads|Europe/Lisbon|${Date.parse(`${day}T19:30:00${lisbonOffset(day)}`) / 1000}`);
  assert.equal(one(`SELECT group_concat(q.capacity || ':' || coalesce(t.price_cents, 0), ',') FROM ticket_types t JOIN quotas q ON q.id = t.quota_id WHERE t.translation_group = (SELECT translation_group FROM events WHERE id = ${id}) ORDER BY t.position`.replace(/group_concat\((.*?), ','\)/, PG ? "string_agg($1, ',')" : "group_concat($1, ',')").replace(' ORDER BY t.position', '')), '2:0,50:1250');
  const page = await get(S.base, '/en/events/night-of-the-long-reads');
  assert.equal(page.status, 200);
  assert.match(page.body, /Four writers, <strong>one<\/strong> stage\./);
  assert.match((await get(S.base, '/en/events')).body, /Night of the long reads/, 'listed at once');
  // a reader books the two standing places
  const reader = new Client(S.base);
  const bf = await reader.get('/en/events/night-of-the-long-reads/book');
  const type = bf.body.match(/name="type" value="(\d+)"/)[1];
  const booked = await reader.post('/en/events/night-of-the-long-reads/book', { csrf: bf.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1], idem: bf.body.match(/name="idem" value="([0-9a-f]{32})"/)[1], type, qty: '2', name: '=HYPERLINK("x")', email: 'long.reads@example.org', consent: '1' });
  assert.equal(booked.status, 303);
  const code = one(`SELECT code FROM bookings WHERE email = 'long.reads@example.org'`);
  // capacity may not go below what is booked
  const ed = await s.get(`/admin/events/${id}`);
  assert.match(ed.body, new RegExp(code));
  const csrf = ed.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  const fields = { csrf, title: 'Night of the long reads', summary: 'Readings and a debate', description: 'Four writers, **one** stage.', kind: 'venue', tz: 'Europe/Lisbon', starts: `${day}T19:30`, ends: `${day}T22:00`, venue_name: 'Old Tram Depot', currency: 'EUR', tname_0: 'Standing', tcap_0: '1', tmax_0: '2', tname_1: 'Seated', tcap_1: '50', tmax_1: '4', tprice_1: '12.50' };
  const below = await s.post(`/admin/events/${id}`, fields);
  assert.equal(below.status, 422);
  assert.match(below.body, /fewer seats than are already booked/);
  assert.equal((await s.post(`/admin/events/${id}`, { ...fields, tcap_0: '3' })).status, 303);
  assert.equal(one(`SELECT q.remaining FROM quotas q JOIN ticket_types t ON t.quota_id = q.id WHERE t.id = ${type}`), '1');
  // the attendees, safe to open in a spreadsheet
  const csv = await s.get(`/admin/events/${id}/attendees.csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.match(csv.body, new RegExp(`^${code},"?'=HYPERLINK`, 'm'));
  // check-in from the admin: the ticket's QR address, without a door key, comes here
  const door = await new Client(S.base).get(`/checkin/${code}`);
  assert.equal(door.status, 303);
  assert.equal(door.headers.get('location'), `/admin/checkin/${code}`);
  const welcome = await s.get(`/admin/checkin/${code}`);
  assert.equal(welcome.status, 200);
  assert.match(welcome.body, /Welcome!/);
  assert.equal((await s.get(`/admin/checkin/${code}`)).status, 409, 'the second scan says when');
  assert.equal((await s.get(`/admin/checkin?code=${code.toLowerCase().replace('-', ' ')}`)).headers.get('location'), `/admin/checkin/${code}`);
  assert.equal((await (await signIn('moderator')).get(`/admin/checkin/${code}`)).status, 403);
  // cancelled: every ticket holder is told
  const mails = one('SELECT count(*) FROM outbox');
  assert.equal((await s.post(`/admin/events/${id}/status`, { csrf, status: 'cancelled' })).status, 303);
  assert.equal(one(`SELECT status FROM events WHERE id = ${id}`), 'cancelled');
  assert.equal(Number(one('SELECT count(*) FROM outbox')), Number(mails) + 1);
  assert.equal((await s.post(`/admin/events/${id}/status`, { csrf, status: 'exploded' })).status, 400);
});

test('page views: counted per article and day without cookies or addresses; the dashboard charts them; "Most read"', async () => {
  const id = Number(one("SELECT min(id) FROM articles WHERE edition = 'es' AND status = 'published'"));
  const url = publicUrl(id);
  const browser = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' };
  for (let i = 0; i < 3; i++) {
    const r = await get(S.base, url, browser);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('set-cookie'), null, 'no cookie for counting');
  }
  assert.equal((await get(S.base, url, { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' })).status, 200);
  await get(S.base, url, { ...browser, 'sec-purpose': 'prefetch' });
  await get(S.base, url, { 'user-agent': 'curl/7.88.1' });
  let views = '';
  for (let i = 0; i < 60 && views !== '3'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    views = one(`SELECT coalesce(sum(views), 0) FROM page_views WHERE article_id = ${id}`);
  }
  assert.equal(views, '3', 'three readers; the robot, the prefetch and curl are not counted');
  assert.equal(one(`SELECT day FROM page_views WHERE article_id = ${id}`), String(Math.floor(Date.now() / 86400e3)));
  const dash = await (await signIn('editor')).get('/admin');
  assert.match(dash.body, /<svg class="chart"[^>]*role="img"/);
  assert.match(dash.body, /<rect x="\d+" y="\d+" width="32" height="\d+" class="chart-bar"\/>/);
  assert.match(dash.body, new RegExp(`href="/admin/articles/${id}">`), 'the most read of the week');
  // the Spanish front page was not cached before this test: it lists it as most read
  const front = (await get(S.base, '/es/')).body;
  assert.match(front, /class="most-read"/);
  const title = one(`SELECT title FROM articles WHERE id = ${id}`);
  assert.ok(front.slice(front.indexOf('class="most-read"')).includes(title.replace(/&/g, '&amp;').slice(0, 20)));
});

test('settings: moderators change the comment policy, admins everything; each change audited with before and after', async () => {
  const m = await signIn('moderator');
  const page = await m.get('/admin/settings');
  assert.equal(page.status, 200);
  assert.match(page.body, /name="comments\.policy"/);
  assert.doesNotMatch(page.body, /name="site\.timezone"/, 'not the moderator\'s');
  assert.doesNotMatch(page.body, /secret/);
  const csrf = page.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  const before = one("SELECT coalesce((SELECT value FROM settings WHERE key = 'comments.policy'), 'hold_first')");
  const bad = await m.post('/admin/settings', { csrf, 'comments.policy': 'hold_all', 'comments.max_depth': '99' });
  assert.equal(bad.status, 422);
  assert.match(bad.body, /comments\.max_depth must be a whole number from 1 to 10/);
  assert.equal(one("SELECT coalesce((SELECT value FROM settings WHERE key = 'comments.policy'), 'hold_first')"), before, 'nothing saved');
  assert.equal((await m.post('/admin/settings', { csrf, 'site.timezone': 'Europe/Lisbon' })).status, 403);
  const ok = await m.post('/admin/settings', { csrf, 'comments.policy': 'hold_all', 'comments.max_depth': '3' });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/admin/settings?saved=1', 'only what changed');
  assert.equal(one("SELECT value FROM settings WHERE key = 'comments.policy'"), 'hold_all');
  assert.equal(one("SELECT detail FROM audit_log WHERE action = 'setting' ORDER BY id DESC LIMIT 1"), `comments.policy: ${before} → hold_all`);
  const a = await signIn('admin');
  const acsrf = (await a.get('/admin/settings')).body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  assert.match((await a.post('/admin/settings', { csrf: acsrf, 'site.timezone': 'Mars/Olympus' })).body, /must be an IANA time zone/);
  assert.equal((await a.post('/admin/settings', { csrf: acsrf, 'site.timezone': 'America/Sao_Paulo' })).status, 303);
  assert.equal((await a.post('/admin/settings', { csrf: acsrf, 'site.timezone': 'UTC', 'comments.policy': before })).headers.get('location'), '/admin/settings?saved=2');
});

test('sections, categories, tags and authors: rename with a 301 from the old address, merge tags', async () => {
  const s = await signIn('editor');
  const [tagId, enSlug, enName] = one("SELECT t.id, n.slug, n.name FROM terms t JOIN term_names n ON n.term_id = t.id AND n.edition = 'en' WHERE t.taxonomy = 'tag' AND EXISTS (SELECT 1 FROM article_tags x JOIN articles a ON a.id = x.article_id WHERE x.term_id = t.id AND a.status = 'published' AND a.edition = 'en') ORDER BY t.id LIMIT 1").split('|');
  assert.equal((await get(S.base, `/en/tag/${enSlug}`)).status, 200);
  const f = await s.get(`/admin/terms/${tagId}`);
  assert.equal(f.status, 200);
  const csrf = f.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  const fields = {};
  for (const m of f.body.matchAll(/name="(name|slug)_([a-z]+)" type="text" value="([^"]*)"/g)) fields[`${m[1]}_${m[2]}`] = decode(m[3]);
  const bad = await s.post(`/admin/terms/${tagId}`, { csrf, ...fields, slug_en: 'Bad Slug' });
  assert.equal(bad.status, 422);
  const renamed = await s.post(`/admin/terms/${tagId}`, { csrf, ...fields, name_en: `${enName} (renamed)`, slug_en: 'renamed-tag' });
  assert.equal(renamed.status, 303);
  const old = await get(S.base, `/en/tag/${enSlug}?page=1`);
  assert.equal(old.status, 301);
  assert.equal(old.headers.get('location'), '/en/tag/renamed-tag?page=1');
  const now = await get(S.base, '/en/tag/renamed-tag');
  assert.equal(now.status, 200);
  assert.match(now.body, /\(renamed\)/);
  // a second rename: the first old address follows
  await s.post(`/admin/terms/${tagId}`, { csrf, ...fields, name_en: enName, slug_en: 'renamed-again' });
  assert.equal((await get(S.base, `/en/tag/${enSlug}`)).headers.get('location'), '/en/tag/renamed-again');
  // a new tag, then merge the renamed one into it
  const made = await s.post('/admin/terms/new', { csrf, taxonomy: 'tag', name_en: 'Waterfronts', name_pt: 'Orlas', name_es: '' });
  assert.equal(made.status, 303);
  const into = Number(made.headers.get('location').match(/\/admin\/terms\/(\d+)/)[1]);
  assert.equal(one(`SELECT slug FROM term_names WHERE term_id = ${into} AND edition = 'pt'`), 'orlas');
  assert.equal((await s.post('/admin/terms/new', { csrf, taxonomy: 'tag', name_en: 'Waterfronts' })).status, 422, 'the address is taken');
  const n = one(`SELECT count(*) FROM article_tags WHERE term_id = ${tagId}`);
  assert.equal((await s.post(`/admin/terms/${tagId}/merge`, { csrf, into })).status, 303);
  assert.equal(one(`SELECT count(*) FROM terms WHERE id = ${tagId}`), '0');
  assert.equal(one(`SELECT count(*) FROM article_tags WHERE term_id = ${into}`), n);
  assert.equal((await get(S.base, '/en/tag/renamed-again')).headers.get('location'), '/en/tag/waterfronts');
  assert.equal((await get(S.base, `/en/tag/${enSlug}`)).headers.get('location'), '/en/tag/waterfronts');
  const merged = await get(S.base, '/en/tag/waterfronts');
  assert.equal(merged.status, 200);
  assert.equal((await s.post(`/admin/terms/${into}/merge`, { csrf, into })).status, 400);
  // an author's new address
  const [auId, auSlug] = one('SELECT id, slug FROM authors ORDER BY id LIMIT 1').split('|');
  const af = await s.get(`/admin/authors/${auId}`);
  const name = decode(af.body.match(/name="name" type="text" value="([^"]*)"/)[1]);
  assert.equal((await s.post(`/admin/authors/${auId}`, { csrf, name, slug: 'new-author-address' })).status, 303);
  assert.equal((await get(S.base, `/pt/author/${auSlug}`)).headers.get('location'), '/pt/author/new-author-address');
  assert.equal((await get(S.base, '/pt/author/new-author-address')).status, 200);
  assert.match(one("SELECT group_concat(action) FROM audit_log WHERE action IN ('term.save', 'term.create', 'tag.merge', 'author.save')".replace('group_concat(action)', PG ? "string_agg(action, ',')" : 'group_concat(action)')), /tag\.merge/);
});

test('front page curation: pinned lead stories in order, a breaking-news strip', async () => {
  const s = await signIn('pteditor');
  const page = await s.get('/admin/front?edition=pt');
  assert.equal(page.status, 200);
  const csrf = page.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  const lead = () => get(S.base, '/pt/').then((r) => r.body.match(/<h2 class="lead-title"><a href="[^"]*">([^<]*)<\/a>/)[1]);
  const [older, oldest] = one("SELECT id FROM articles WHERE edition = 'pt' AND status = 'published' ORDER BY published_at LIMIT 2").split('\n').map(Number).reverse();
  const title = (id) => one(`SELECT title FROM articles WHERE id = ${id}`).replace(/&/g, '&amp;');
  const latestLead = await lead();
  const act = (action, article, more = {}) => s.post('/admin/front', { csrf, edition: 'pt', action, article, ...more });
  assert.equal((await act('pin', older)).status, 303);
  assert.equal(await lead(), title(older), 'the pinned story leads at once');
  await act('pin', oldest);
  assert.equal(await lead(), title(older));
  assert.equal((await act('down', older)).status, 303);
  assert.equal(await lead(), title(oldest), 'reordered');
  const front = (await get(S.base, '/pt/')).body;
  assert.equal(front.split(title(older)).length - 1 >= 1, true);
  await act('unpin', oldest);
  await act('unpin', older);
  assert.equal(await lead(), latestLead, 'back to the latest');
  assert.equal((await act('unpin', older)).status, 404);
  const enArticle = one("SELECT min(id) FROM articles WHERE edition = 'en' AND status = 'published'");
  assert.equal((await act('pin', enArticle)).status, 404, 'another edition\'s story');
  assert.equal((await s.post('/admin/front', { csrf, edition: 'en', action: 'pin', article: enArticle })).status, 403, 'not this editor\'s edition');
  // breaking news on every page of the edition, and only there
  assert.equal((await act('breaking', older, { hours: '0' })).status, 400);
  assert.equal((await act('breaking', older, { hours: '2' })).status, 303);
  for (const path of ['/pt/', publicUrl(oldest)]) {
    const b = (await get(S.base, path)).body;
    assert.match(b, /<div class="breaking" role="region"/, path);
    assert.ok(b.includes(title(older)));
  }
  assert.doesNotMatch((await get(S.base, '/en/')).body, /class="breaking"/);
  assert.equal((await s.post('/admin/front', { csrf, edition: 'pt', action: 'unbreaking' })).status, 303);
  assert.doesNotMatch((await get(S.base, '/pt/')).body, /class="breaking"/);
  assert.match(one("SELECT count(*) FROM audit_log WHERE action LIKE 'front.%'"), /^[1-9]/);
});

// A PNG of w × h pixels (a gradient), made here: no image tools needed.
function png(w, h, { claimW = w, claimH = h } = {}) {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(claimW, 0); ihdr.writeUInt32BE(claimH, 4); ihdr[8] = 8; ihdr[9] = 2;
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) { row[1 + x * 3] = x % 256; row[2 + x * 3] = y % 256; row[3 + x * 3] = 128; }
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

async function upload(s, csrf, bytes, name, type = 'image/png') {
  const fd = new FormData();
  fd.set('csrf', csrf);
  fd.set('file', new Blob([bytes], { type }), name);
  const r = await fetch(S.base + '/admin/media', { method: 'POST', body: fd, redirect: 'manual', headers: { cookie: s.cookie(), 'accept-language': 'en' } });
  return { status: r.status, headers: r.headers, body: await r.text() };
}

test('media library: uploads checked by their bytes, copies for screens, alt text required to publish, srcset on the article', async () => {
  const s = await signIn('editor');
  const lib = await s.get('/admin/media');
  assert.equal(lib.status, 200);
  const csrf = lib.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  // not pictures, whatever they are called
  assert.equal((await upload(s, csrf, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'logo.svg', 'image/svg+xml')).status, 415);
  assert.equal((await upload(s, csrf, Buffer.from('just some text, not a JPEG'), 'photo.jpg', 'image/jpeg')).status, 415);
  // a decompression bomb: a tiny file whose header claims 50,000 × 50,000 pixels
  const bomb = await upload(s, csrf, png(4, 4, { claimW: 50000, claimH: 50000 }), 'bomb.png');
  assert.equal(bomb.status, 415);
  assert.match(bomb.body, /50000 × 50000/);
  assert.equal(one('SELECT count(*) FROM media'), '0', 'nothing kept');
  assert.equal((await upload(s, 'f'.repeat(32), png(8, 8), 'x.png')).status, 403, 'CSRF');
  const ok = await upload(s, csrf, png(1200, 800), 'harbour.png');
  assert.equal(ok.status, 303);
  const id = Number(ok.headers.get('location').match(/\/admin\/media\/(\d+)/)[1]);
  assert.equal(one(`SELECT format || '|' || width || '|' || height || '|' || widths FROM media WHERE id = ${id}`), 'png|1200|800|480,960,1200');
  for (const f of ['480.webp', '960.webp', '1200.webp', '480.png', '1200.png']) {
    const r = await fetch(`${S.base}/media/${id}/${f}`);
    assert.equal(r.status, 200, f);
    assert.match(r.headers.get('cache-control'), /immutable/);
    const bytes = Buffer.from(await r.arrayBuffer());
    assert.ok(f.endsWith('webp') ? bytes.subarray(8, 12).toString() === 'WEBP' : bytes[1] === 0x50, f);
  }
  const escape = await raw(S.port, `GET /media/${id}/%2e%2e/%2e%2e/etc/passwd.png HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  assert.equal(statusOf(escape), 400, 'no way out of the media folder');
  assert.equal((await get(S.base, `/media/${id}/999.webp`)).status, 404);
  // an article with it cannot be published before the picture has alt text in its edition
  const f = await form(s, '/admin/articles/new?edition=en');
  const art = idOf(await s.post('/admin/articles/new', { csrf: f.csrf, edition: 'en', title: 'Cranes at dawn', body: 'Text.', kind: 'news', media: String(id), action: 'save' }));
  const refused = await s.post(`/admin/articles/${art}`, await editorFields(s, art, { media: String(id), action: 'publish' }));
  assert.equal(refused.status, 422);
  assert.match(refused.body, /has no alt text in this edition/);
  const mp = await s.get(`/admin/media/${id}`);
  const mcsrf = mp.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  assert.equal((await s.post(`/admin/media/${id}`, { csrf: mcsrf, alt_en: 'Two cranes over the harbour at dawn', caption_en: 'The port at 6 a.m.', credit_en: 'Photo: Ana Reis', alt_es: '', caption_es: '', credit_es: '', alt_pt: 'Dois guindastes', caption_pt: '', credit_pt: '' })).status, 303);
  assert.equal((await s.post(`/admin/articles/${art}`, await editorFields(s, art, { media: String(id), action: 'publish' }))).status, 303);
  const page = (await get(S.base, publicUrl(art))).body;
  assert.match(page, new RegExp(`<source type="image/webp" srcset="/media/${id}/480\\.webp 480w, /media/${id}/960\\.webp 960w, /media/${id}/1200\\.webp 1200w"`));
  assert.match(page, /<img src="\/media\/\d+\/1200\.png" srcset="[^"]+" sizes="[^"]+" width="1200" height="800" alt="Two cranes over the harbour at dawn"/);
  assert.match(page, /<figcaption>The port at 6 a\.m\. <span class="figure-credit">Photo: Ana Reis<\/span><\/figcaption>/);
  // the alt text changes: the article page follows at once
  await s.post(`/admin/media/${id}`, { csrf: mcsrf, alt_en: 'Cranes, harbour, dawn', caption_en: '', credit_en: '', alt_es: '', caption_es: '', credit_es: '', alt_pt: '', caption_pt: '', credit_pt: '' });
  assert.match((await get(S.base, publicUrl(art))).body, /alt="Cranes, harbour, dawn"/);
});

test('accounts: invite by email, change a role and editions, disable; the last admin stays', async () => {
  const s = await signIn('admin');
  const f = await s.get('/admin/users/new');
  assert.equal(f.status, 200);
  const csrf = f.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  const bad = await s.post('/admin/users/new', [['csrf', csrf], ['email', 'not-an-address'], ['name', ''], ['role', 'overlord']]);
  assert.equal(bad.status, 422);
  assert.match(bad.body, /Please give an email address/);
  const inv = await s.post('/admin/users/new', [['csrf', csrf], ['email', 'New.Person@Example.org'], ['name', 'New Person'], ['role', 'translator'], ['edition', 'es']]);
  assert.equal(inv.status, 303);
  const id = Number(inv.headers.get('location').match(/\/admin\/users\/(\d+)/)[1]);
  assert.equal(one(`SELECT email || '|' || role FROM users WHERE id = ${id}`), 'new.person@example.org|translator');
  assert.equal(one(`SELECT group_concat(edition) FROM user_editions WHERE user_id = ${id}`.replace('group_concat(edition)', PG ? 'string_agg(edition, \',\')' : 'group_concat(edition)')), 'es');
  assert.equal((await s.post('/admin/users/new', [['csrf', csrf], ['email', 'new.person@example.org'], ['name', 'Twice'], ['role', 'author']])).status, 422, 'one account per address');
  // the invitation: a link to choose a password
  const mail = one("SELECT body FROM outbox WHERE to_addr = 'new.person@example.org' ORDER BY id DESC LIMIT 1");
  const token = mail.match(/\/admin\/reset\/([0-9a-f]{64})/)[1];
  const n = new Staff(S.base);
  assert.equal((await n.login('new.person@example.org', 'anything at all')).status, 401, 'no password before the link');
  const page = await n.get(`/admin/reset/${token}`);
  assert.equal(page.status, 200);
  const c2 = page.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  assert.equal((await n.post(`/admin/reset/${token}`, { csrf: c2, new: 'my own password 1', again: 'my own password 1' })).status, 200);
  assert.equal((await n.login('new.person@example.org', 'my own password 1')).status, 303);
  assert.equal((await n.get('/admin/articles')).status, 200);
  // a new role, then disabled: signed out at once
  const edit = await s.post(`/admin/users/${id}`, [['csrf', csrf], ['name', 'New Person'], ['role', 'moderator'], ['edition', 'es'], ['edition', 'pt']]);
  assert.equal(edit.status, 303);
  assert.equal((await n.get('/admin/articles')).status, 403, 'a moderator now');
  assert.match(one("SELECT detail FROM audit_log WHERE action = 'user.role' ORDER BY id DESC LIMIT 1"), /translator → moderator/);
  assert.match(one("SELECT detail FROM audit_log WHERE action = 'user.editions' ORDER BY id DESC LIMIT 1"), /es → pt,es/, "in the switcher's order");
  await s.post(`/admin/users/${id}`, [['csrf', csrf], ['name', 'New Person'], ['role', 'moderator'], ['disabled', '1']]);
  assert.equal((await n.get('/admin')).status, 303, 'the session ended');
  assert.equal((await new Staff(S.base).login('new.person@example.org', 'my own password 1')).status, 401);
  // the only admin cannot stop being one
  const last = await s.post(`/admin/users/${users.admin}`, [['csrf', csrf], ['name', 'Staff admin'], ['role', 'editor']]);
  assert.equal(last.status, 422);
  assert.match(last.body, /last active administrator/);
  assert.equal(one(`SELECT role FROM users WHERE id = ${users.admin}`), 'admin');
  assert.equal((await (await signIn('editor')).get('/admin/users')).status, 403);
});
