// audit.test.mjs: `gazette audit seo` reads the site as a search engine does
// (its own server on loopback, every sitemap and page): the demo site has no
// problem (exit 0); a site with deliberately broken translations, and a theme
// that drops the articles' JSON-LD, have each of their problems named (exit 1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startServer, sql } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let S, B;
before(async () => { S = await startServer(); B = await startServer(); });
after(async () => {
  assert.equal((await S.stop()).code, 0);
  assert.equal((await B.stop()).code, 0);
});

// Runs the auditor; its stderr goes to the sanitizer log folder when there
// is one (the ASan pass greps it), and a run that did not end by itself
// says how it ended.
let runs = 0;
const audit = (db, ...args) => {
  const r = spawnSync(BIN, ['audit', 'seo', '--db', db, ...args], { encoding: 'utf8', timeout: 120000, maxBuffer: 64 << 20 });
  if (process.env.GAZETTE_LOG_DIR) writeFileSync(join(process.env.GAZETTE_LOG_DIR, `audit-${process.pid}-${++runs}.log`), r.stderr || '');
  assert.ok(r.status !== null, `the auditor did not exit by itself: signal ${r.signal}, ${r.error || ''}\n${(r.stderr || '').slice(-4000)}`);
  return { status: r.status, out: r.stdout, err: r.stderr, lines: r.stdout.trim().split('\n') };
};

test('the demo site: every page checked, no problem', () => {
  const r = audit(S.db);
  assert.equal(r.status, 0, r.out + r.err);
  const published = Number(sql(S.db, "SELECT count(*) FROM articles WHERE status = 'published'").trim());
  const m = r.lines.at(-1).match(/^(\d+) pages and (\d+) sitemaps checked: 0 problems$/);
  assert.ok(m, r.out);
  assert.ok(Number(m[1]) >= published, `${m[1]} pages for ${published} published articles`);
  assert.ok(Number(m[2]) >= 7, 'the index, one sitemap and one news sitemap per edition');
  assert.equal(r.lines.length, 1, 'nothing but the summary');
});

test('broken translations: each one found', () => {
  // 1. a second English story put into a group that has one already
  const group = sql(B.db, "SELECT translation_group FROM articles WHERE translation_group IS NOT NULL AND status = 'published' GROUP BY translation_group HAVING count(DISTINCT edition) = 3 ORDER BY translation_group LIMIT 1").trim();
  const intruder = sql(B.db, "SELECT id FROM articles WHERE edition = 'en' AND status = 'published' AND translation_group IS NULL ORDER BY id LIMIT 1").trim();
  assert.ok(group && intruder, 'fixture material');
  sql(B.db, `UPDATE articles SET translation_group = ${group} WHERE id = ${intruder}`);
  // 2. an edition whose code is not a BCP 47 tag, holding one story of another group
  const [other, otherSlug] = sql(B.db, `SELECT id, slug FROM articles WHERE edition = 'pt' AND status = 'published' AND translation_group IS NOT NULL AND translation_group <> ${group} ORDER BY id LIMIT 1`).trim().split('|');
  sql(B.db, "INSERT INTO editions (code, name, locale, position, is_default) VALUES ('pt_PT', 'Português europeu', 'pt_PT', 9, 0)");
  sql(B.db, `UPDATE articles SET edition = 'pt_PT' WHERE id = ${other}`);
  // 3. not a problem: a story whose default-edition (English) version is withdrawn
  //    keeps a common x-default (its first version in switcher order)
  const otherGroup = sql(B.db, `SELECT translation_group FROM articles WHERE id = ${other}`).trim();
  const [g3, esSlug] = sql(B.db, `SELECT a.translation_group, a.slug FROM articles a WHERE a.edition = 'es' AND a.status = 'published' AND a.translation_group NOT IN (${group}, ${otherGroup}) AND (SELECT count(DISTINCT edition) FROM articles b WHERE b.translation_group = a.translation_group AND b.status = 'published') = 3 ORDER BY a.id LIMIT 1`).trim().split('|');
  sql(B.db, `UPDATE articles SET status = 'draft' WHERE edition = 'en' AND translation_group = ${g3}`);
  const r = audit(B.db);
  assert.equal(r.status, 1, r.out + r.err);
  assert.match(r.lines.at(-1), /^\d+ pages and \d+ sitemaps checked: [1-9]\d* problems?$/);
  const problems = r.lines.slice(0, -1);
  assert.ok(problems.some((l) => /lists \S+ as its 'es' version, which does not list it back|lists \S+ as its 'pt' version, which does not list it back/.test(l)),
    'the group with two English stories is not reciprocal:\n' + r.out);
  assert.ok(problems.some((l) => /hreflang 'pt_PT' is not a valid BCP 47 language tag/.test(l)), 'the bad code:\n' + r.out);
  assert.ok(problems.some((l) => l.includes(`/pt_PT/`) && l.includes(otherSlug) || l.includes(otherSlug)), 'the moved story is named');
  for (const l of problems) assert.match(l, /^http:\/\/127\.0\.0\.1:\d+\/\S*: \S/, l);
  assert.ok(!problems.some((l) => l.includes(esSlug)), 'a story in Spanish and Portuguese only has no problem:\n' + r.out);
});

test('a theme without the articles\' JSON-LD: every article named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gazette-theme-'));
  try {
    cpSync(join(root, 'themes/default'), dir, { recursive: true });
    const f = join(dir, 'templates/article.html');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/<script type="application\/ld\+json">.*<\/script>\n/, ''));
    const r = audit(S.db, '--theme', dir);
    assert.equal(r.status, 1);
    const published = Number(sql(S.db, "SELECT count(*) FROM articles WHERE status = 'published'").trim());
    const missing = r.lines.filter((l) => /: no JSON-LD of an article type/.test(l));
    assert.equal(missing.length, published, r.out);
    // and a publisher-less one: the missing field is named
    cpSync(join(root, 'themes/default/templates/article.html'), f);
    writeFileSync(f, readFileSync(f, 'utf8').replace(/,"publisher":\{"@type":"Organization","name":"Gazette","logo":\{"@type":"ImageObject","url":\{\{ logo_url \}\}\}\}/, ''));
    const p = audit(S.db, '--theme', dir);
    assert.equal(p.status, 1);
    assert.ok(p.lines.some((l) => /JSON-LD has no publisher$/.test(l)), p.out);
    // a head without x-default: every page with translations named
    cpSync(join(root, 'themes/default/templates/article.html'), f);
    const h = join(dir, 'templates/head.html');
    writeFileSync(h, readFileSync(h, 'utf8').replace(/\{% end %\}\{% if x_default %\}<link rel="alternate" hreflang="x-default" href="\{\{ x_default \}\}">\n/, ''));
    const x = audit(S.db, '--theme', dir);
    assert.equal(x.status, 1);
    assert.ok(x.lines.filter((l) => /hreflang alternates have no x-default$/.test(l)).length >= 10, x.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('audit usage', () => {
  assert.equal(spawnSync(BIN, ['audit']).status, 2);
  assert.equal(spawnSync(BIN, ['audit', 'links']).status, 2);
  assert.match(execFileSync(BIN, ['audit', '--help']).toString(), /usage: gazette audit seo/);
});
