// feeds.test.mjs: Atom and RSS feeds of an edition, a section, a category,
// a tag and an author, and an article's comment feed: well-formed XML
// (xmllint), every field escaped, absolute links, full text or summary per
// the setting, a new story in the feed as soon as it is published, and the
// feed advertised by the page it mirrors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BIN, startServer, get, sql } from './harness.mjs';

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

test('an edition\'s Atom and RSS feeds: valid, escaped, absolute, newest first', async () => {
  const atom = await get(S.base, '/pt/feed.atom');
  assert.equal(atom.status, 200);
  assert.match(atom.headers.get('content-type'), /^application\/atom\+xml; charset=utf-8/);
  wellFormed(atom.body);
  assert.match(atom.body, /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom" xml:lang="pt">/);
  assert.match(atom.body, new RegExp(`<link rel="self" type="application/atom\\+xml" href="${S.base}/pt/feed\\.atom"/>`));
  const entries = [...atom.body.matchAll(/<entry>[\s\S]*?<\/entry>/g)].map((m) => m[0]);
  assert.ok(entries.length >= 5 && entries.length <= 20, `${entries.length} entries`);
  for (const e of entries) {
    assert.match(e, new RegExp(`<id>${S.base}/pt/\\d{4}/\\d\\d/[a-z0-9-]+</id>`));
    assert.match(e, /<published>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/published>/);
    assert.match(e, /<content type="html">&lt;p&gt;/, 'full text, escaped');
  }
  const dates = entries.map((e) => e.match(/<published>([^<]+)/)[1]);
  assert.deepEqual([...dates].sort().reverse(), dates, 'newest first');
  const rss = await get(S.base, '/pt/feed.rss');
  assert.equal(rss.status, 200);
  assert.match(rss.headers.get('content-type'), /^application\/rss\+xml/);
  wellFormed(rss.body);
  assert.match(rss.body, /<rss version="2\.0"/);
  assert.match(rss.body, /<pubDate>(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000<\/pubDate>/);
  assert.match(rss.body, /<dc:creator>[^<]+<\/dc:creator>/);
  // the page says where its feed is
  assert.match((await get(S.base, '/pt/')).body, /<link rel="alternate" type="application\/atom\+xml" title="[^"]*" href="\/pt\/feed\.atom">/);
  assert.equal((await get(S.base, '/xx/feed.atom')).status, 404);
});

test('section, category, tag and author feeds follow their archives', async () => {
  const [sec] = one("SELECT n.slug FROM term_names n JOIN terms t ON t.id = n.term_id WHERE t.taxonomy = 'section' AND n.edition = 'en' ORDER BY t.position LIMIT 1").split('\n');
  const [tag] = one("SELECT n.slug FROM term_names n JOIN article_tags x ON x.term_id = n.term_id WHERE n.edition = 'en' AND n.taxonomy = 'tag' LIMIT 1").split('\n');
  const [cat] = one("SELECT n.slug FROM term_names n JOIN articles a ON a.category_id = n.term_id WHERE n.edition = 'en' AND a.edition = 'en' LIMIT 1").split('\n');
  const au = one('SELECT a.slug FROM authors a JOIN article_authors x ON x.author_id = a.id LIMIT 1');
  for (const path of [`/en/section/${sec}`, `/en/tag/${tag}`, `/en/category/${cat}`, `/en/author/${au}`]) {
    for (const ext of ['atom', 'rss']) {
      const r = await get(S.base, `${path}/feed.${ext}`);
      assert.equal(r.status, 200, `${path}/feed.${ext}`);
      wellFormed(r.body);
      assert.match(r.body, ext === 'atom' ? /<entry>/ : /<item>/, path);
    }
    assert.match((await get(S.base, path)).body, new RegExp(`href="${path}/feed\\.atom"`));
  }
  assert.equal((await get(S.base, '/en/tag/no-such-tag/feed.atom')).status, 404);
});

test('a story with markup and quotes in its fields is escaped; a new story is in the feed at once; summary mode', async () => {
  const id = one("SELECT min(id) FROM articles WHERE edition = 'es' AND status = 'published'");
  const before = (await get(S.base, '/es/feed.atom')).body;
  const out = execFileSync(BIN, ['article', 'edit', id, '--title', 'Fish & "chips" <b>now</b> ]]> \u2014 ñ', '--db', S.db]).toString();
  assert.match(out, /invalidation \d+/);
  let after = '';
  for (let i = 0; i < 50 && (after === '' || after === before); i++) {
    await new Promise((r) => setTimeout(r, 40));
    after = (await get(S.base, '/es/feed.atom')).body;
  }
  wellFormed(after);
  assert.match(after, /<title>Fish &amp; (&quot;|")chips(&quot;|") &lt;b&gt;now&lt;\/b&gt; \]\]&gt; — ñ<\/title>/);
  execFileSync(BIN, ['settings', 'set', 'feeds.full_text', 'summary', '--db', S.db]);
  let summary = '';
  for (let i = 0; i < 50 && (summary === '' || /<content/.test(summary)); i++) {
    await new Promise((r) => setTimeout(r, 40));
    summary = (await get(S.base, '/es/feed.atom')).body;
  }
  assert.doesNotMatch(summary, /<content/, 'summary only');
  assert.match(summary, /<summary>/);
  execFileSync(BIN, ['settings', 'set', 'feeds.full_text', 'full', '--db', S.db]);
});

test('an article\'s comment feed', async () => {
  const id = one("SELECT min(article_id) FROM comments WHERE status = 'approved'");
  const r = await get(S.base, `/comments/${id}/feed.atom`);
  assert.equal(r.status, 200);
  wellFormed(r.body);
  const n = Number(one(`SELECT count(*) FROM comments WHERE article_id = ${id} AND status = 'approved'`));
  assert.equal((r.body.match(/<entry>/g) || []).length, Math.min(n, 20));
  assert.match(r.body, new RegExp(`<id>${S.base}/comments/${id}#comment-\\d+</id>`));
  assert.equal((await get(S.base, '/comments/99999999/feed.atom')).status, 404);
  assert.equal((await get(S.base, '/comments/abc/feed.atom')).status, 404);
});

test('the schemas the feeds are checked against do refuse broken feeds', async () => {
  const refused = (xml) => assert.throws(() => wellFormed(xml), /Command failed/);
  const atom = (await get(S.base, '/en/feed.atom')).body;
  wellFormed(atom);
  refused(atom.replace(/<entry>\n<title>[^<]*<\/title>/, '<entry>'));               // an entry without a title
  refused(atom.replace(/(<entry>[\s\S]*?)<id>[^<]*<\/id>/, '$1'));                    // an entry without an id
  refused(atom.replace(/<updated>(\d{4})-\d\d/, '<updated>$1-13'));                    // month 13
  refused(atom.replace(/<published>([^<]*)Z</, '<published>$1<'));                     // no time zone
  const rss = (await get(S.base, '/en/feed.rss')).body;
  wellFormed(rss);
  refused(rss.replace(/<description>[^<]*<\/description>\n<language>/, '<language>')); // a channel without a description
  refused(rss.replace(/<pubDate>[A-Z][a-z]{2}, /, '<pubDate>'));                       // not RFC 822
  const sm = (await get(S.base, '/sitemaps/en-1.xml')).body;
  wellFormed(sm);
  refused(sm.replace('hreflang="es"', 'hreflang="e s"'));                               // not a language tag
  refused(sm.replace(/<loc>http:\/\/[^<]*<\/loc>/, '<loc>/relative</loc>'));            // not absolute
});
