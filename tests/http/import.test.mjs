// import.test.mjs: `gazette import wordpress` with a WXR file written for the
// project (tests/http/wxr/site.xml), against a running server (SQLite, and
// PostgreSQL when GAZETTE_PG is set): statuses, dates, decoded slugs, authors,
// the category tree, duplicate terms, content (blocks, shortcodes, script),
// sticky, password, comments four deep with spam, held and a pingback kept as
// such; pages with parents written after their children; an attachment whose
// file is next to the export as a featured image and in texts, a missing one
// listed; every old address in the redirect table answers 301 to a page that
// answers 200; a second import changes nothing but what changed (a post
// renumbered between exports is found by its GUID); a dry run
// and a broken file change nothing; Polylang languages and translations
// (tests/http/wxr/polylang.xml) become editions and translation groups.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startServer, get, sql } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const WXR = join(here, 'wxr/site.xml');
let S;
before(async () => { S = await startServer(); });
after(async () => { assert.equal((await S.stop()).code, 0); });

const run = (...args) => spawnSync(BIN, ['import', 'wordpress', ...args, '--db', S.db, '--edition', 'en', '--media-dir', join(S.dir, 'media')], { encoding: 'utf8' });
const one = (q) => sql(S.db, q).trim();
const art = (wpid) => one(`SELECT target_id FROM import_map WHERE kind = 'post' AND source_id = '${wpid}'`);
const page = (wpid) => one(`SELECT target_id FROM import_map WHERE kind = 'page' AND source_id = '${wpid}'`);
const counts = () => one("SELECT (SELECT count(*) FROM articles) || '/' || (SELECT count(*) FROM comments) || '/' || (SELECT count(*) FROM terms) || '/' || (SELECT count(*) FROM authors) || '/' || (SELECT count(*) FROM redirects) || '/' || (SELECT count(*) FROM pages) || '/' || (SELECT count(*) FROM media) || '/' || (SELECT count(*) FROM users)");
const mediaFiles = () => existsSync(join(S.dir, 'media')) ? readdirSync(join(S.dir, 'media')).length : 0;

test('a dry run says what it would do and changes nothing', () => {
  const before = counts(), files = mediaFiles();
  const r = run(WXR, '--dry-run');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^would import /);
  assert.match(r.stdout, /posts +7 created, 0 updated \(1 password-protected: kept private\)/);
  assert.match(r.stdout, /pages +5 created, 0 updated/);
  assert.match(r.stdout, /pictures +1 created, 0 already here, 1 files missing or unusable\n +2023\/01\/lost\.png/);
  assert.equal(counts(), before);
  assert.equal(mediaFiles(), files, 'no picture copies left behind');
});

test('posts, terms, authors and content', async () => {
  const r = run(WXR);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /posts +7 created/);
  assert.match(r.stdout, /comments +7 created, 0 updated, 0 pingbacks\/trackbacks skipped/);
  assert.match(r.stdout, /terms +4 created, 1 already here/, 'the category written twice is one term');
  assert.match(r.stdout, /skipped +1 items of other types/);
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
  const pic = one("SELECT target_id FROM import_map WHERE kind = 'attachment' AND source_id = '9'");
  assert.match(md, new RegExp(`!\\[The northern pier at dusk\\]\\(/media/${pic}/\\d+\\.jpg\\)\n\nThe pier, freshly painted`), 'the uploaded file: the picture made of it');
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
  assert.equal(one("SELECT c.kind || '|' || c.url || '|' || c.status FROM comments c JOIN import_map m ON m.target_id = c.id AND m.kind = 'comment' AND m.source_id = '507'"),
    'pingback|https://another-blog.example.net/2024/03/ferry/|approved', 'the pingback kept as one');
  assert.equal(one(`SELECT comment_count FROM articles WHERE id = ${art(101)}`), '5');
  const html = one(`SELECT group_concat(body_html, '') FROM comments WHERE article_id = ${art(101)}`.replace('group_concat(body_html, \'\')', process.env.GAZETTE_PG ? "string_agg(body_html, '')" : "group_concat(body_html, '')"));
  assert.match(html, /<strong>late<\/strong>/);
  assert.doesNotMatch(html, /<script/);
});

test('pingbacks show as links in the thread; --skip-pingbacks leaves them out', async () => {
  const thread = await get(S.base, `/comments/${art(101)}/thread`);
  assert.equal(thread.status, 200);
  assert.match(thread.body, /<a class="comment-author" id="comment-\d+-by" href="https:\/\/another-blog\.example\.net\/2024\/03\/ferry\/" rel="nofollow ugc noopener"[^>]*>Another Blog<\/a>/);
  const dry = run(WXR, '--dry-run', '--skip-pingbacks');
  assert.match(dry.stdout, /comments +0 created, 6 updated, 1 pingbacks\/trackbacks skipped/);
});

test('pages keep their parents; pictures, featured images and texts follow the files', async () => {
  // written children first: placed under their parents at the end, no stray addresses
  const path = (wpid) => one(`SELECT path || '|' || status FROM pages WHERE id = ${page(wpid)}`);
  const about = path(200).split('|')[0];   // 'about', or 'about-2' beside the demo's own About page
  assert.match(about, /^about(-\d+)?$/);
  assert.equal(path(201), `${about}/team|published`);
  assert.equal(path(202), `${about}/team/history|published`);
  assert.equal(path(203), 'search-page|published', "the site's own /en/search is not taken");
  assert.equal(path(204), 'imprint|draft');
  assert.equal(one("SELECT count(*) FROM redirects WHERE from_path IN ('/en/team', '/en/history', '/en/team/history')"), '0');
  const team = await get(S.base, `/en/${about}/team`);
  assert.equal(team.status, 200);
  assert.match(team.body, /Six reporters and one cat\./);
  assert.match(team.body, new RegExp(`<nav class="breadcrumb"[^]*href="/en/${about}">About us</a>`));
  assert.match(team.body, new RegExp(`href="/en/${about}/team/history">History of the paper</a>`), 'the pages under it');
  const aboutPage = await get(S.base, `/en/${about}`);
  assert.match(aboutPage.body, /The harbour's own paper since 1921\./);
  assert.doesNotMatch(aboutPage.body, /alert\(1\)/);
  assert.equal((await get(S.base, '/en/imprint')).status, 404, 'a draft page is not public');
  // the picture: made from the file next to the export, its texts in the edition, the featured image
  const pic = one("SELECT target_id FROM import_map WHERE kind = 'attachment' AND source_id = '9'");
  assert.equal(one(`SELECT width || 'x' || height || '|' || format FROM media WHERE id = ${pic}`), '640x400|jpeg');
  assert.equal(one(`SELECT alt || '|' || caption FROM media_texts WHERE media_id = ${pic} AND edition = 'en'`), 'The northern pier at dusk|The pier at dusk');
  assert.equal(one(`SELECT featured_media_id FROM articles WHERE id = ${art(101)}`), pic);
  const story = await get(S.base, '/en/2024/03/night-ferry-returns');
  assert.match(story.body, new RegExp(`<figure class="story-figure">[^]*srcset="/media/${pic}/480\\.webp 480w`));
  assert.equal((await get(S.base, `/media/${pic}/480.webp`)).status, 200);
  // WordPress's resized copy in another text: the same picture; the missing file: its old address, listed
  const md = one(`SELECT body_md FROM article_bodies WHERE article_id = ${art(102)}`);
  assert.match(md, new RegExp(`!\\[O cais\\]\\(/media/${pic}/\\d+\\.jpg\\)`));
  assert.match(md, /lost\.png/);
  // --uploads must be a folder
  assert.equal(run(WXR, '--uploads', join(S.dir, 'nowhere')).status, 1);
});

test('every old address in the redirect table answers 301 to a page that answers 200', async () => {
  const rows = sql(S.db, 'SELECT from_path FROM redirects ORDER BY from_path').trim().split('\n').filter(Boolean);
  assert.ok(rows.length >= 20, `${rows.length} redirects`);
  for (const from of rows) {
    const r = await get(S.base, from.split('/').map((seg, i) => i && !seg.startsWith('?') ? encodeURIComponent(seg) : seg).join('/'));
    assert.equal(r.status, 301, from);
    const to = r.headers.get('location');
    assert.equal((await get(S.base, to)).status, 200, `${from} → ${to}`);
  }
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
  assert.match(r.stdout, /comments +1 created, 7 updated/);
  assert.equal(one(`SELECT title FROM articles WHERE id = ${art(101)}`), 'Night ferry back at the northern pier');
  assert.equal(one(`SELECT comment_count FROM articles WHERE id = ${art(101)}`), '6');
  // renumbered (a database moved between exports): found again by its GUID
  writeFileSync(join(dir, 'renumbered.xml'), newer.replace('<wp:post_id>101</wp:post_id>', '<wp:post_id>9101</wp:post_id>'));
  const moved = run(join(dir, 'renumbered.xml'));
  assert.equal(moved.status, 0, moved.stderr);
  assert.match(moved.stdout, /posts +0 created, 7 updated/);
  assert.equal(one("SELECT target_id FROM import_map WHERE kind = 'post' AND source_id = '9101'"), art(101));
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

test('Polylang: languages become editions, translations one group; --with-accounts makes staff without passwords', () => {
  const PLL = join(here, 'wxr/polylang.xml');
  const plain = spawnSync(BIN, ['import', 'wordpress', PLL, '--db', S.db, '--edition', 'en', '--dry-run'], { encoding: 'utf8' });
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /into edition en:/, '--edition: everything in one edition');
  assert.doesNotMatch(plain.stdout, /editions +\d+ created/);
  const r = spawnSync(BIN, ['import', 'wordpress', PLL, '--db', S.db, '--with-accounts', '--media-dir', join(S.dir, 'media')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /into editions by Polylang language:/);
  assert.match(r.stdout, /posts +4 created/);
  assert.match(r.stdout, /editions +1 created from Polylang's languages/);
  assert.match(r.stdout, /accounts +1 created \(role author, no password yet\), 1 already here or without an email/);
  assert.equal(one("SELECT name || '|' || locale FROM editions WHERE code = 'fr'"), 'Français|fr_FR');
  const ed = (wpid) => one(`SELECT a.edition || '|' || coalesce(a.translation_group, 0) FROM articles a JOIN import_map m ON m.target_id = a.id AND m.kind = 'post' AND m.source = 'wordpress:https://lighthouse.example.org' AND m.source_id = '${wpid}'`);
  const [en, es, fr, alone] = [11, 12, 13, 14].map(ed);
  assert.equal(en.split('|')[0], 'en');
  assert.equal(es.split('|')[0], 'es');
  assert.equal(fr.split('|')[0], 'fr');
  assert.notEqual(en.split('|')[1], '0');
  assert.equal(es.split('|')[1], en.split('|')[1], 'one translation group');
  assert.equal(fr.split('|')[1], en.split('|')[1]);
  assert.equal(alone, 'es|0');
  assert.equal(one("SELECT edition || '|' || path FROM pages WHERE title = 'Horario de visitas'"), 'es|horario');
  assert.equal(one("SELECT count(*) FROM term_names n JOIN import_map m ON m.target_id = n.term_id AND m.kind = 'category' AND m.source_id = 'costa' AND m.source = 'wordpress:https://lighthouse.example.org' WHERE n.edition = 'es'"), '1');
  // the account: lower-cased address, role author, a password that matches nothing
  assert.equal(one("SELECT name || '|' || role || '|' || password_hash FROM users WHERE email = 'ines@lighthouse.example.org'"), 'Inés Valcárcel|author|!imported');
  // again: nothing new
  const again = spawnSync(BIN, ['import', 'wordpress', PLL, '--db', S.db, '--with-accounts', '--media-dir', join(S.dir, 'media')], { encoding: 'utf8' });
  assert.match(again.stdout, /posts +0 created, 4 updated/);
  assert.match(again.stdout, /accounts +0 created/);
  assert.doesNotMatch(again.stdout, /editions +\d+ created/);
});
