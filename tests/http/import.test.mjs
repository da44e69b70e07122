// import.test.mjs: `gazette import wordpress` with a WXR file written for the
// project (tests/http/wxr/site.xml), against a running server (SQLite, and
// PostgreSQL when GAZETTE_PG is set): statuses, dates, decoded slugs, authors,
// the category tree, duplicate terms, content (blocks, shortcodes, script),
// sticky, password, comments four deep with spam, held and a pingback; the
// old addresses answer 301 to pages that answer 200; a second import changes
// nothing but what changed; a dry run and a broken file change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startServer, get, sql } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const WXR = join(here, 'wxr/site.xml');
let S;
before(async () => { S = await startServer(); });
after(async () => { assert.equal((await S.stop()).code, 0); });

const run = (...args) => spawnSync(BIN, ['import', 'wordpress', ...args, '--db', S.db, '--edition', 'en'], { encoding: 'utf8' });
const one = (q) => sql(S.db, q).trim();
const art = (wpid) => one(`SELECT target_id FROM import_map WHERE kind = 'post' AND source_id = '${wpid}'`);
const counts = () => one("SELECT (SELECT count(*) FROM articles) || '/' || (SELECT count(*) FROM comments) || '/' || (SELECT count(*) FROM terms) || '/' || (SELECT count(*) FROM authors) || '/' || (SELECT count(*) FROM redirects)");

test('a dry run says what it would do and changes nothing', () => {
  const before = counts();
  const r = run(WXR, '--dry-run');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^would import /);
  assert.match(r.stdout, /posts +7 created, 0 updated \(1 password-protected: kept private\)/);
  assert.equal(counts(), before);
});

test('posts, terms, authors and content', async () => {
  const r = run(WXR);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /posts +7 created/);
  assert.match(r.stdout, /comments +6 created, 0 updated, 1 pingbacks\/trackbacks skipped/);
  assert.match(r.stdout, /terms +4 created, 1 already here/, 'the category written twice is one term');
  assert.match(r.stdout, /skipped +2 items that are not posts/);
  const status = (id) => one(`SELECT status FROM articles WHERE id = ${art(id)}`);
  assert.deepEqual([101, 102, 103, 104, 105, 106, 107].map(status), ['published', 'published', 'scheduled', 'draft', 'draft', 'private', 'private']);
  assert.equal(one(`SELECT slug || '|' || published_at || '|' || updated_at || '|' || standfirst FROM articles WHERE id = ${art(101)}`),
    `night-ferry-returns|${Date.UTC(2024, 2, 12, 18, 30) / 1000}|${Date.UTC(2024, 2, 14, 9) / 1000}|The night ferry is back.`);
  assert.equal(one(`SELECT slug FROM articles WHERE id = ${art(102)}`), 'mares-altas', 'a percent-encoded UTF-8 slug, decoded');
  assert.equal(one(`SELECT published_at FROM articles WHERE id = ${art(104)}`), String(Date.UTC(2024, 4, 1, 10) / 1000), 'no GMT date: the local one');
  // authors as bylines, the category under its parent, the tags
  assert.equal(one(`SELECT au.name FROM article_authors x JOIN authors au ON au.id = x.author_id WHERE x.article_id = ${art(101)}`), 'Maren Brandt');
  assert.equal(one(`SELECT n.name || '<' || p.name FROM articles a JOIN terms t ON t.id = a.category_id JOIN term_names n ON n.term_id = t.id AND n.edition = 'en' JOIN term_names p ON p.term_id = t.parent_id AND p.edition = 'en' WHERE a.id = ${art(101)}`), 'Ferries<Harbour');
  assert.equal(one(`SELECT n.slug FROM article_tags x JOIN term_names n ON n.term_id = x.term_id AND n.edition = 'en' WHERE x.article_id = ${art(101)} ORDER BY n.slug`), 'mares\ntimetables');
  // the content: structure kept, blocks and shortcodes turned into Markdown, the script gone
  const md = one(`SELECT body_md FROM article_bodies WHERE article_id = ${art(101)}`);
  assert.match(md, /^After two winters without it, the \*\*night ferry\*\* sails again/);
  assert.match(md, /!\[The northern pier at dusk\]\(\/wp-content\/uploads\/2024\/03\/pier\.jpg\)\n\nThe pier, freshly painted/);
  assert.match(md, /\[https:\/\/video\.example\.net\/watch\/ferry\]\(https:\/\/video\.example\.net\/watch\/ferry\)/);
  assert.match(md, /- Departures at 21:00\n- Last return at 23:30/);
  assert.doesNotMatch(md, /wp:paragraph|\[caption|\[embed|script|tracking/);
  // sticky: pinned on the front page; the page shows it
  assert.equal(one(`SELECT count(*) FROM front_pins WHERE edition = 'en' AND article_id = ${art(102)}`), '1');
  const page = await get(S.base, `/en/2024/03/night-ferry-returns`);
  assert.equal(page.status, 200);
  assert.match(page.body, /<strong>night ferry<\/strong>/);
  assert.doesNotMatch(page.body, /tracking/);
  assert.equal((await get(S.base, `/en/2024/05/members-only`)).status, 404, 'a password-protected post is not public');
  // found by search
  assert.match((await get(S.base, '/en/search?q=ferry+racks')).body, /search-count" role="status">(No|One|\d)/);
  assert.ok((await get(S.base, '/en/search?q=northern+pier')).body.includes('/en/2024/03/night-ferry-returns'));
});

test('comments keep their threads, states and authors', () => {
  const c = (wpid) => one(`SELECT c.depth || '|' || coalesce(pm.source_id, '-') || '|' || c.status FROM comments c JOIN import_map m ON m.target_id = c.id AND m.kind = 'comment' AND m.source_id = '${wpid}' LEFT JOIN import_map pm ON pm.kind = 'comment' AND pm.target_id = c.parent_id`);
  assert.equal(c(501), '1|-|approved');
  assert.equal(c(502), '2|501|approved');
  assert.equal(c(503), '3|502|approved');
  assert.equal(c(504), '3|502|approved', 'four deep: beside the deepest allowed, as Gazette places replies');
  assert.equal(c(505), '1|-|spam');
  assert.equal(c(506), '1|-|pending');
  assert.equal(one("SELECT count(*) FROM import_map WHERE kind = 'comment' AND source_id = '507'"), '0', 'no pingback');
  assert.equal(one(`SELECT comment_count FROM articles WHERE id = ${art(101)}`), '4');
  const html = one(`SELECT group_concat(body_html, '') FROM comments WHERE article_id = ${art(101)}`.replace('group_concat(body_html, \'\')', process.env.GAZETTE_PG ? "string_agg(body_html, '')" : "group_concat(body_html, '')"));
  assert.match(html, /<strong>late<\/strong>/);
  assert.doesNotMatch(html, /<script/);
});

test('old addresses answer 301 to pages that answer 200', async () => {
  for (const old of ['/2024/03/night-ferry-returns/', '/2024/03/night-ferry-returns', '/?p=101', '/2024/04/mar%C3%A9s-altas/', '/?p=102']) {
    const r = await get(S.base, old);
    assert.equal(r.status, 301, old);
    const to = r.headers.get('location');
    assert.match(to, /^\/en\/2024\/0[34]\//, old);
    assert.equal((await get(S.base, to)).status, 200, to);
  }
  assert.equal((await get(S.base, '/?p=104')).status, 302, 'a draft has no redirect: the front page as usual');
  assert.equal((await get(S.base, '/2024/05/staff-notes/')).status, 404);
});

test('importing again: nothing duplicated, changes applied', () => {
  const before = counts();
  const again = run(WXR);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /posts +0 created, 7 updated/);
  assert.equal(counts(), before);
  // a newer export: a changed title, a new comment
  const dir = S.dir;
  const newer = readFileSync(WXR, 'utf8').replace('Night ferry returns to the northern pier', 'Night ferry back at the northern pier')
    .replace('<wp:comment><wp:comment_id>505</wp:comment_id>', '<wp:comment><wp:comment_id>508</wp:comment_id><wp:comment_author>Eve</wp:comment_author><wp:comment_author_email>eve@example.net</wp:comment_author_email><wp:comment_date_gmt>2024-03-15 10:00:00</wp:comment_date_gmt><wp:comment_content>New here.</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>\n\t\t<wp:comment><wp:comment_id>505</wp:comment_id>');
  writeFileSync(join(dir, 'newer.xml'), newer);
  const r = run(join(dir, 'newer.xml'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /comments +1 created, 6 updated/);
  assert.equal(one(`SELECT title FROM articles WHERE id = ${art(101)}`), 'Night ferry back at the northern pier');
  assert.equal(one(`SELECT comment_count FROM articles WHERE id = ${art(101)}`), '5');
});

test('a broken file changes nothing and says where', () => {
  const before = counts();
  const text = readFileSync(WXR, 'utf8');
  const broken = join(S.dir, 'broken.xml');
  // cut in the middle of the third item: everything before it would have imported
  writeFileSync(broken, text.slice(0, text.indexOf('<item><title>A draft')) + '<item><title>Cut</title><wp:post_id>999</wp:post_id>');
  const r = run(broken);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /broken\.xml:\d+: not a well-formed export/);
  assert.match(r.stderr, /nothing was changed/);
  assert.equal(counts(), before);
  writeFileSync(broken, text.replace('<wp:post_id>103</wp:post_id>', '<wp:post_id>103</wp:post_idx>'));
  const m = spawnSync(BIN, ['import', 'wordpress', broken, '--db', S.db], { encoding: 'utf8' });
  assert.equal(m.status, 1);
  assert.match(m.stderr, new RegExp(`broken\\.xml:${text.slice(0, text.indexOf('<wp:post_id>103')).split('\n').length}: `), 'the line of the mismatched tag');
  writeFileSync(broken, '<?xml version="1.0"?><html><body>not an export</body></html>');
  assert.match(spawnSync(BIN, ['import', 'wordpress', broken, '--db', S.db], { encoding: 'utf8' }).stderr, /not a WordPress export/);
  assert.equal(spawnSync(BIN, ['import', 'wordpress', join(S.dir, 'missing.xml'), '--db', S.db]).status, 1);
  assert.equal(spawnSync(BIN, ['import', 'drupal', WXR, '--db', S.db]).status, 2);
  assert.equal(spawnSync(BIN, ['import', 'wordpress', WXR, '--db', S.db, '--edition', 'xx']).status, 1);
  assert.equal(counts(), before);
});
