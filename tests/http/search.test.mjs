// search.test.mjs: the reader's search per edition against a real server
// (SQLite, and PostgreSQL when GAZETTE_PG is set): stemmed in each edition's
// language, accent- and case-insensitive, phrases and exclusions, ranked,
// highlighted and escaped, filtered, paged; a query never crosses editions;
// hostile queries get a page or a clear 4xx, never a 500; search pages are
// noindex and never shared from the cache; unpublishing a story takes it out
// at once; the `gazette search` command.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, startServer, get, sql } from './harness.mjs';

let S;
const fx = {};   // edition → fixture article id
before(async () => {
  S = await startServer();
  // one published story per edition gets words of its own
  const pick = (ed, n = 0) => sql(S.db, `SELECT id FROM articles WHERE edition = '${ed}' AND status = 'published' ORDER BY id LIMIT 1 OFFSET ${n}`).trim();
  const edit = (id, title, body) => {
    const f = join(S.dir, `body-${id}.md`);
    writeFileSync(f, body);
    execFileSync(BIN, ['article', 'edit', id, '--db', S.db, '--title', title, '--body-file', f]);
  };
  fx.en = pick('en');
  edit(fx.en, 'Quillfeather relief reaches the valley', 'The agencies **coordinated** their relief convoys through the pass.\n\nSee [the map](https://example.org/map) and <script>alert(1)</script>.');
  fx.en2 = pick('en', 1);
  edit(fx.en2, 'A note on mountain roads', 'Quillfeather was mentioned once, late in a long paragraph about convoys relief.');
  fx.es = pick('es');
  edit(fx.es, 'Zorzalito y la elección del alcalde', 'La campaña de Zorzalito terminó anoche.');
  fx.pt = pick('pt');
  edit(fx.pt, 'Pintassilgo comenta a notícia', 'Pintassilgo falou sobre a eleição municipal e a apuração.');
});
after(async () => { assert.equal((await S.stop()).code, 0); });

const search = (ed, q, extra = '') => get(S.base, `/${ed}/search?q=${encodeURIComponent(q)}${extra}`);
const hrefs = (html) => [...html.matchAll(/<li class="search-result[^"]*">[\s\S]*?<h2 class="card-title"><a href="([^"]+)"/g)].map((m) => m[1]);
const slugOf = (id) => sql(S.db, `SELECT slug FROM articles WHERE id = ${id}`).trim();
const found = async (ed, q, extra) => {
  const r = await search(ed, q, extra);
  assert.equal(r.status, 200, `${ed} ${q}: ${r.status}`);
  return hrefs(r.body);
};
const has = (list, id) => list.some((h) => h.endsWith('/' + slugOf(id)));

test('stemmed in the edition\'s language, accents and case folded', async () => {
  assert.ok(has(await found('en', 'quillfeather coordination'), fx.en), '"coordination" finds "coordinated"');
  assert.ok(has(await found('en', 'QUILLFEATHER Coordinating'), fx.en));
  assert.ok(has(await found('es', 'zorzalito elecciones'), fx.es), '"elecciones" finds "elección"');
  assert.ok(has(await found('es', 'ZORZALITO ELECCION'), fx.es), 'without the accent');
  assert.ok(has(await found('pt', 'pintassilgo notícias'), fx.pt), '"notícias" finds "notícia"');
  assert.ok(has(await found('pt', 'pintassilgo eleições'), fx.pt), '"eleições" finds "eleição"');
  assert.ok(has(await found('pt', 'pintassilgo noticia eleicao'), fx.pt), 'typed without accents');
});

test('a query never returns another edition\'s articles', async () => {
  assert.deepEqual(await found('en', 'zorzalito'), []);
  assert.deepEqual(await found('pt', 'zorzalito'), []);
  assert.deepEqual(await found('es', 'quillfeather'), []);
  for (const ed of ['en', 'es', 'pt'])
    for (const h of await found(ed, 'the de la a o')) assert.ok(h.startsWith(`/${ed}/`), h);
});

test('phrases, exclusions, OR and ranking: a headline outranks a passing mention', async () => {
  const both = await found('en', 'quillfeather');
  assert.equal(both.length, 2);
  assert.ok(both[0].endsWith('/' + slugOf(fx.en)), 'the story with the word in its headline comes first');
  assert.deepEqual((await found('en', '"relief convoys"')).filter((h) => has([h], fx.en) || has([h], fx.en2)).length, 1);
  assert.ok(has(await found('en', '"convoys relief"'), fx.en2));
  const excl = await found('en', 'quillfeather -mountain');
  assert.ok(has(excl, fx.en) && !has(excl, fx.en2));
  const either = await found('en', 'zzzunknownword OR quillfeather');
  assert.equal(either.length, 2);
});

test('snippets highlight the words and escape everything else', async () => {
  execFileSync(BIN, ['article', 'edit', fx.en2, '--db', S.db, '--title', 'Mountain <img src=x onerror=alert(1)> & "roads"']);
  const r = await search('en', 'quillfeather mountain');
  assert.equal(r.status, 200);
  assert.match(r.body, /<mark>Mountain<\/mark> &lt;img src=x onerror=alert\(1\)&gt; &amp; &quot;roads&quot;/);
  assert.doesNotMatch(r.body, /<img src=x/);
  const q = await search('en', 'quillfeather coordinated');
  assert.match(q.body, /<p class="search-snippet">[^<]*<mark>coordinated<\/mark> their relief convoys/);
  assert.doesNotMatch(q.body, /\*\*|https:\/\/example\.org\/map|alert\(1\)<\/script>/, 'Markdown and raw HTML are not in the snippet');
  // the query is echoed escaped
  const x = await search('en', '"><script>alert(2)</script>');
  assert.equal(x.status, 200);
  assert.doesNotMatch(x.body, /<script>alert\(2\)/);
  assert.match(x.body, /value="&quot;&gt;&lt;script&gt;alert\(2\)&lt;\/script&gt;"/);
});

test('tag and author names are searched too', async () => {
  const [author, count] = sql(S.db, "SELECT au.name, count(*) FROM authors au JOIN article_authors x ON x.author_id = au.id JOIN articles a ON a.id = x.article_id AND a.edition = 'en' AND a.status = 'published' GROUP BY au.name ORDER BY count(*) DESC LIMIT 1").trim().split('|');
  const last = author.split(' ').pop();
  const r = await search('en', last);
  assert.match(r.body, new RegExp(`${Number(count) === 1 ? 'One story' : '\\d+ stories'} found`));
  const [tag] = sql(S.db, "SELECT n.name FROM term_names n JOIN article_tags t ON t.term_id = n.term_id JOIN articles a ON a.id = t.article_id AND a.edition = 'en' WHERE n.edition = 'en' AND n.taxonomy = 'tag' AND a.status = 'published' LIMIT 1").trim().split('\n');
  assert.ok((await found('en', `"${tag}"`)).length >= 1, tag);
});

test('filters by section, kind, author and dates, and pages of ten', async () => {
  const [kind, secSlug, pub] = sql(S.db, `SELECT a.kind, n.slug, a.published_at FROM articles a JOIN term_names n ON n.term_id = a.section_id AND n.edition = 'en' WHERE a.id = ${fx.en}`).trim().split('|');
  assert.equal((await found('en', 'quillfeather', `&kind=${kind}`)).filter((h) => has([h], fx.en)).length, 1);
  const other = ['news', 'opinion', 'blog'].find((k) => k !== kind);
  assert.ok(!has(await found('en', 'quillfeather', `&kind=${other}`), fx.en));
  assert.ok(has(await found('en', 'quillfeather', `&section=${secSlug}`), fx.en));
  const [otherSec] = sql(S.db, `SELECT slug FROM term_names WHERE edition = 'en' AND taxonomy = 'section' AND slug <> '${secSlug}' LIMIT 1`).trim().split('\n');
  assert.ok(!has(await found('en', 'quillfeather', `&section=${otherSec}`), fx.en));
  const au = sql(S.db, `SELECT au.slug FROM authors au JOIN article_authors x ON x.author_id = au.id WHERE x.article_id = ${fx.en} LIMIT 1`).trim();
  assert.ok(has(await found('en', 'quillfeather', `&author=${au}`), fx.en));
  const day = new Date(Number(pub) * 1000).toISOString().slice(0, 10);
  const before = new Date(Number(pub) * 1000 - 3 * 86400000).toISOString().slice(0, 10);
  assert.ok(has(await found('en', 'quillfeather', `&from=${before}&to=${day}`), fx.en));
  assert.ok(!has(await found('en', 'quillfeather', `&to=${before}`), fx.en));
  // common words: several pages, each different, with links between them
  const common = 'said OR year OR city OR people OR new';
  const p1 = await search('en', common);
  const total = Number(p1.body.match(/(\d+) stories found/)[1]);
  assert.ok(total > 10, `${total} results`);
  assert.equal(hrefs(p1.body).length, 10);
  const next = p1.body.match(/<a class="next" href="([^"]+)"/)[1].replace(/&amp;/g, '&');
  assert.match(next, /page=2/);
  const p2 = await get(S.base, next);
  assert.equal(p2.status, 200);
  assert.equal(hrefs(p2.body).length, Math.min(10, total - 10));
  assert.equal(hrefs(p2.body).filter((h) => hrefs(p1.body).includes(h)).length, 0, 'no story on both pages');
  assert.match(p2.body, /<a class="prev" href="\/en\/search\?q=said%20OR%20year%20OR%20city%20OR%20people%20OR%20new"/);
});

test('bad input: a page or a clear 4xx, never a 500', async () => {
  const hostile = ['"unbalanced', 'say "hi', 'NEAR(a b)', 'title:x', '*', 'a*', '((', ')', '""', '-', 'AND OR NOT', 'covid-19', "o'brien",
    '\\', "'; DROP TABLE articles; --", '{title}: x', '^x', 'x:y:z', '\u202e', '\u00a0', 'é'.repeat(150), '日本語', '🙂'];
  for (const q of hostile) {
    const r = await search('en', q);
    assert.equal(r.status, 200, `${JSON.stringify(q)} → ${r.status}`);
    assert.match(r.body, /<h1>Search<\/h1>/);
  }
  const long = await search('en', 'x'.repeat(1024));
  assert.equal(long.status, 400);
  assert.match(long.body, /That search is too long: use at most 400 characters\./);
  const huge = await search('en', 'x '.repeat(5 * 1024));   // 10 KB: past the longest address the server takes
  assert.equal(huge.status, 414);
  assert.match(huge.body, /<h1>Address too long<\/h1>/);
  assert.match(huge.body, /shorten it \(a search, for instance\)/);
  assert.equal((await get(S.base, '/en/search?q=a%00b')).status, 400, 'NUL bytes');
  assert.equal((await get(S.base, '/en/search?q=%C3%28')).status, 400, 'invalid UTF-8');
  for (const [extra, msg] of [['&page=0', /Results go to page 50 at most/], ['&page=abc', /Results go to page 50 at most/],
    ['&page=51', /Results go to page 50 at most/], ['&kind=gossip', /no such kind/], ['&section=nowhere', /no such section/],
    ['&author=nobody', /no such author/], ['&from=2025-02-30', /YYYY-MM-DD/], ['&to=yesterday', /YYYY-MM-DD/]]) {
    const r = await search('en', 'the', extra);
    assert.equal(r.status, 400, extra);
    assert.match(r.body, msg, extra);
    assert.match(r.body, /<p class="form-error" id="search-error" role="alert">/);
  }
  const es = await search('es', 'x'.repeat(500));
  assert.match(es.body, /Esa búsqueda es demasiado larga/, 'the message in the edition\'s language');
  assert.equal((await search('xx', 'the')).status, 404);
  assert.equal(sql(S.db, 'SELECT count(*) FROM articles').trim() > 0, true, 'nothing lost');
});

test('search pages are noindex, private to the request, and see a change at once', async () => {
  const r = await search('en', 'quillfeather');
  assert.match(r.body, /<meta name="robots" content="noindex">/);
  assert.doesNotMatch(r.headers.get('cache-control') || '', /public/);
  assert.match((await get(S.base, '/robots.txt')).body, /Disallow: \/\*\/search/);
  assert.match((await get(S.base, '/en/')).body, /<form class="masthead-search" action="\/en\/search" method="get" role="search">/);
  execFileSync(BIN, ['article', 'edit', fx.en, '--db', S.db, '--status', 'draft']);
  assert.ok(!has(await found('en', 'quillfeather'), fx.en), 'an unpublished story leaves the results');
  execFileSync(BIN, ['article', 'edit', fx.en, '--db', S.db, '--status', 'published']);
  assert.ok(has(await found('en', 'quillfeather'), fx.en), 'and comes back when published again');
});

test('gazette search: language and reindex', async () => {
  assert.equal(execFileSync(BIN, ['search', 'language', 'pt', '--db', S.db]).toString().trim(), 'portuguese');
  const bad = spawnSync(BIN, ['search', 'language', 'pt', 'klingon', '--db', S.db]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr.toString(), /no stemmer 'klingon'/);
  assert.equal(spawnSync(BIN, ['search', 'frobnicate', '--db', S.db]).status, 2);
  const out = execFileSync(BIN, ['search', 'reindex', '--db', S.db]).toString();
  const published = Number(sql(S.db, "SELECT count(*) FROM articles WHERE status = 'published'").trim());
  assert.equal(out.trim(), `${published} articles indexed`);
  assert.ok(has(await found('pt', 'pintassilgo eleições'), fx.pt), 'still found after a rebuild');
  // another Snowball language by configuration, then back to the locale's
  assert.match(execFileSync(BIN, ['search', 'language', 'pt', 'french', '--db', S.db]).toString(), /^pt: french/);
  assert.equal(execFileSync(BIN, ['search', 'language', 'pt', '--db', S.db]).toString().trim(), 'french');
  assert.ok(has(await found('pt', 'pintassilgo apuração'), fx.pt));
  assert.match(execFileSync(BIN, ['search', 'language', 'pt', 'auto', '--db', S.db]).toString(), /^pt: portuguese/);
  assert.ok(has(await found('pt', 'pintassilgo eleições'), fx.pt));
});

test('a site indexed before the filter rows existed is brought up to date at start', async () => {
  sql(S.db, 'DELETE FROM search_facets');
  const T = await startServer([], { db: S.db });
  try {
    const r = await get(T.base, `/pt/search?q=pintassilgo&kind=${sql(S.db, `SELECT kind FROM articles WHERE id = ${fx.pt}`).trim()}`);
    assert.equal(r.status, 200);
    assert.ok(has(hrefs(r.body), fx.pt), 'found through a filter again');
    assert.equal(sql(S.db, 'SELECT count(*) FROM search_facets').trim(), sql(S.db, "SELECT count(*) FROM articles WHERE status = 'published'").trim());
  } finally {
    await T.stop();
  }
});
