// seo.test.mjs: what search engines read: robots.txt pointing at the
// sitemap index, per-edition sitemaps with lastmod and reciprocal hreflang
// alternates (x-default the default edition), and the Google News sitemap
// with only the last 48 hours; all well-formed XML (xmllint).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BIN, startServer, get, sql, PG } from './harness.mjs';

let S;
before(async () => { S = await startServer(); });
after(async () => { assert.equal((await S.stop()).code, 0); });

const one = (q) => sql(S.db, q).trim();
// well-formed and valid against the project's schemas of the format (tests/schemas)
const schemas = new URL('../schemas/', import.meta.url).pathname;
const wellFormed = (xml) => {
  const schema = /<feed[\s>]/.test(xml) ? 'atom.rng' : /<rss[\s>]/.test(xml) ? 'rss.rng' : /<(urlset|sitemapindex)[\s>]/.test(xml) ? 'sitemap.rng' : null;
  assert.ok(schema, 'a feed or a sitemap');
  execFileSync('xmllint', ['--noout', '--relaxng', schemas + schema, '-'], { input: xml, stdio: ['pipe', 'pipe', 'pipe'] });
};

test('robots.txt and the sitemap index', async () => {
  const robots = await get(S.base, '/robots.txt');
  assert.equal(robots.status, 200);
  assert.match(robots.body, /^User-agent: \*$/m);
  assert.match(robots.body, /^Disallow: \/admin$/m);
  assert.match(robots.body, new RegExp(`^Sitemap: ${S.base}/sitemap\\.xml$`, 'm'));
  const index = await get(S.base, '/sitemap.xml');
  assert.equal(index.status, 200);
  wellFormed(index.body);
  for (const ed of ['en', 'es', 'pt', 'ar']) {
    assert.match(index.body, new RegExp(`<loc>${S.base}/sitemaps/${ed}-1\\.xml</loc><lastmod>\\d{4}-\\d\\d-\\d\\dT`));
    assert.match(index.body, new RegExp(`<loc>${S.base}/sitemaps/${ed}-news\\.xml</loc>`));
  }
});

test('an edition\'s sitemap: every published story once, alternates both ways', async () => {
  const files = {};
  for (const ed of ['en', 'es', 'pt', 'ar']) {
    const r = await get(S.base, `/sitemaps/${ed}-1.xml`);
    assert.equal(r.status, 200);
    wellFormed(r.body);
    files[ed] = r.body;
    const locs = [...r.body.matchAll(/<url><loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    const published = Number(one(`SELECT count(*) FROM articles WHERE edition = '${ed}' AND status = 'published' AND published_at <= ${Math.floor(Date.now() / 1000)}`));
    assert.equal(locs.length, published + 1, `${ed}: the front page and every story`);
    assert.equal(new Set(locs).size, locs.length, 'no duplicates');
  }
  // reciprocity: if A lists B as its alternate, B lists A
  const alt = {};
  for (const body of Object.values(files))
    for (const m of body.matchAll(/<url><loc>([^<]+)<\/loc><lastmod>[^<]+<\/lastmod>((?:<xhtml:link [^>]+\/>)*)<\/url>/g))
      alt[m[1]] = [...m[2].matchAll(/hreflang="([^"]+)" href="([^"]+)"/g)].map((x) => [x[1], x[2]]);
  let pairs = 0;
  for (const [url, links] of Object.entries(alt)) {
    if (!links.length) continue;
    assert.ok(links.some(([, h]) => h === url), `${url} lists itself`);
    assert.ok(links.some(([l]) => l === 'x-default'), `${url} has an x-default`);
    for (const [lang, href] of links) {
      if (lang === 'x-default' || href === url) continue;
      assert.ok((alt[href] || []).some(([, h]) => h === url), `${href} links back to ${url}`);
      pairs++;
    }
  }
  assert.ok(pairs > 10, `${pairs} reciprocal pairs`);
  assert.equal((await get(S.base, '/sitemaps/en-999.xml')).status, 404);
  assert.equal((await get(S.base, '/sitemaps/xx-1.xml')).status, 404);
  assert.equal((await get(S.base, '/sitemaps/en-1.txt')).status, 404);
});

test('the news sitemap holds the last 48 hours only', async () => {
  const now = Math.floor(Date.now() / 1000);
  const [fresh, stale] = one("SELECT id FROM articles WHERE edition = 'pt' AND status = 'published' ORDER BY id LIMIT 2").split('\n');
  execFileSync(BIN, ['article', 'edit', fresh, '--published', new Date((now - 3600) * 1000).toISOString().slice(0, 16).replace('T', ' '), '--db', S.db]);
  execFileSync(BIN, ['article', 'edit', stale, '--published', new Date((now - 72 * 3600) * 1000).toISOString().slice(0, 16).replace('T', ' '), '--db', S.db]);
  await new Promise((r) => setTimeout(r, 300));
  const r = await get(S.base, '/sitemaps/pt-news.xml');
  assert.equal(r.status, 200);
  wellFormed(r.body);
  const slug = (id) => one(`SELECT slug FROM articles WHERE id = ${id}`);
  assert.match(r.body, new RegExp(`/${slug(fresh)}</loc><news:news><news:publication><news:name>Gazette</news:name><news:language>pt</news:language>`));
  assert.doesNotMatch(r.body, new RegExp(`/${slug(stale)}</loc>`));
  for (const m of r.body.matchAll(/<news:publication_date>([^<]+)</g))
    assert.ok(Date.parse(m[1]) / 1000 > now - 48 * 3600, m[1]);
});

test('structured data, link previews and share links on an article', async () => {
  const [id, slug, pub, kind] = one("SELECT id, slug, published_at, kind FROM articles WHERE edition = 'pt' AND status = 'published' AND translation_group IS NOT NULL AND category_id IS NOT NULL ORDER BY id LIMIT 1").split('|');
  const ym = new Date(Number(pub) * 1000).toISOString().slice(0, 7).replace('-', '/');
  const page = (await get(S.base, `/pt/${ym}/${slug}`)).body;
  const ld = JSON.parse(page.match(/<script type="application\/ld\+json">(.*?)<\/script>/s)[1]);
  const [art, crumbs] = ld['@graph'];
  assert.equal(art['@type'], { news: 'NewsArticle', opinion: 'OpinionNewsArticle', blog: 'BlogPosting' }[kind]);
  assert.equal(art.inLanguage, 'pt');
  assert.equal(art.url, `${S.base}/pt/${ym}/${slug}`);
  assert.ok(art.author.length >= 1 && art.author.every((p) => p['@type'] === 'Person' && p.url.startsWith(S.base)));
  assert.equal(art.publisher['@type'], 'Organization');
  assert.ok(art.articleSection);
  assert.equal(crumbs['@type'], 'BreadcrumbList');
  assert.deepEqual(crumbs.itemListElement.map((c) => c.position), crumbs.itemListElement.map((_, i) => i + 1));
  assert.equal(crumbs.itemListElement.at(-1).item, art.url);
  assert.match(page, /<meta property="og:type" content="article">/);
  assert.match(page, /<meta property="og:locale" content="pt_BR">/);
  assert.match(page, /<meta property="og:locale:alternate" content="(en|es)_[A-Z]+">/);
  assert.match(page, new RegExp(`<meta property="og:url" content="${S.base}/pt/${ym}/${slug}">`));
  assert.match(page, /<meta name="twitter:card" content="summary">/);
  assert.match(page, /<meta name="description" content="[^"]+">/);
  // sharing is links only: no third party's script or frame
  assert.match(page, /<a href="https:\/\/wa\.me\/\?text=[^"]+" rel="noopener noreferrer nofollow"/);
  assert.match(page, /<a href="mailto:\?subject=/);
  for (const m of page.matchAll(/<(script|iframe|img|link)[^>]+(src|href)="(https?:)?\/\/([^"/]+)/g))
    assert.equal(m[4], new URL(S.base).host, `${m[0]}: nothing loads from another host`);
});

test('related stories share tags with the article', async () => {
  const id = one("SELECT t.article_id FROM article_tags t JOIN articles a ON a.id = t.article_id WHERE a.status = 'published' AND a.edition = 'en' GROUP BY t.article_id ORDER BY count(*) DESC, t.article_id LIMIT 1");
  const [slug, pub] = one(`SELECT slug, published_at FROM articles WHERE id = ${id}`).split('|');
  const ym = new Date(Number(pub) * 1000).toISOString().slice(0, 7).replace('-', '/');
  const page = (await get(S.base, `/en/${ym}/${slug}`)).body;
  const at = page.indexOf('id="related-h"');
  assert.ok(at > 0, 'a related block');
  const block = page.slice(at, page.indexOf('</aside>', at));
  const hrefs = [...block.matchAll(/<li><a href="\/en\/\d{4}\/\d\d\/([^"]+)">/g)].map((m) => m[1]);
  assert.ok(hrefs.length >= 1 && hrefs.length <= 3, `${hrefs.length} related`);
  assert.ok(!hrefs.includes(slug), 'not itself');
  for (const s of hrefs) {
    const shared = one(`SELECT count(*) FROM article_tags x JOIN article_tags y ON y.term_id = x.term_id WHERE x.article_id = ${id} AND y.article_id = (SELECT id FROM articles WHERE edition = 'en' AND slug = '${s}')`);
    assert.ok(Number(shared) >= 1, `${s} shares a tag`);
  }
});

test('the front page says who publishes it', async () => {
  const page = (await get(S.base, '/es/')).body;
  const ld = JSON.parse(page.match(/<script type="application\/ld\+json">(.*?)<\/script>/s)[1]);
  const org = ld['@graph'].find((x) => x['@type'] === 'Organization');
  const site = ld['@graph'].find((x) => x['@type'] === 'WebSite');
  assert.equal(org.name, 'Gazette');
  assert.equal(org.url, `${S.base}/`);
  assert.equal(site.url, `${S.base}/es/`);
  assert.equal(site.inLanguage, 'es');
});

test('an edition past 50,000 stories gets a second sitemap file, none over 50,000 addresses', async () => {
  const rows = PG
    ? "INSERT INTO articles (edition, kind, slug, title, status, published_at, created_at) SELECT 'pt', 'news', 'bulk-' || i, 'Bulk ' || i, 'published', 1500000000 + i, 1500000000 + i FROM generate_series(1, 50000) AS i"
    : "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000) INSERT INTO articles (edition, kind, slug, title, status, published_at, created_at) SELECT 'pt', 'news', 'bulk-' || i, 'Bulk ' || i, 'published', 1500000000 + i, 1500000000 + i FROM n";
  const T = await startServer();
  try {
    sql(T.db, rows);
    const published = Number(sql(T.db, "SELECT count(*) FROM articles WHERE edition = 'pt' AND status = 'published'").trim());
    const index = (await get(T.base, '/sitemap.xml')).body;
    wellFormed(index);
    assert.match(index, /\/sitemaps\/pt-1\.xml/);
    assert.match(index, /\/sitemaps\/pt-2\.xml/);
    assert.doesNotMatch(index, /\/sitemaps\/pt-3\.xml/);
    const locs = [];
    for (const n of [1, 2]) {
      const r = await get(T.base, `/sitemaps/pt-${n}.xml`);
      assert.equal(r.status, 200);
      const mine = [...r.body.matchAll(/<url><loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
      assert.ok(mine.length <= 50000, `${mine.length} addresses in file ${n}`);
      locs.push(...mine);
    }
    wellFormed((await get(T.base, '/sitemaps/pt-2.xml')).body);
    assert.equal(locs.length, published + 1, 'every story and the front page');
    assert.equal(new Set(locs).size, locs.length, 'none twice');
    assert.equal((await get(T.base, '/sitemaps/pt-3.xml')).status, 404);
  } finally {
    await T.stop();
  }
});
