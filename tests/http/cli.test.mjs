// cli.test.mjs: the gazette command line: help, version, usage errors, init
// and demo, unusable database or port, template errors, SIGHUP and --dev.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, cpSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { BIN, startServer, get, PG, sql } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sanitizer = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/;
const run = (...args) => {
  const r = spawnSync(BIN, args, { encoding: 'utf8' });
  assert.doesNotMatch(r.stderr, sanitizer, `gazette ${args.join(' ')}`);
  return r;
};
const tmp = () => mkdtempSync(join(tmpdir(), 'gazette-cli-'));

test('--help, --version and COMMAND --help', () => {
  const h = run('--help');
  assert.equal(h.status, 0);
  for (const c of ['init', 'demo', 'serve']) assert.match(h.stdout, new RegExp(`\\n  ${c} `));
  const v = run('--version');
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^gazette \d+\.\d+\.\d+\n$/);
  const s = run('serve', '--help');
  assert.equal(s.status, 0);
  for (const o of ['--db', '--listen', '--theme', '--dev']) assert.ok(s.stdout.includes(o), o);
  assert.match(s.stdout, /127\.0\.0\.1:8080/);
  assert.match(s.stdout, /gazette\.db/);
  assert.equal(run('init', '--help').status, 0);
  assert.equal(run('demo', '--help').status, 0);
});

test('usage errors exit 2 with usage', () => {
  for (const args of [[], ['frobnicate'], ['serve', '--nope'], ['init', '--listen', 'x'], ['serve', '--db'], ['serve', '--threads', 'x'], ['--bogus']]) {
    const r = run(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /usage: gazette/, args.join(' '));
  }
});

test('init creates and migrates; demo loads once; both report what they did', () => {
  const d = tmp();
  const db = join(d, 'a.db');
  const i = run('init', '--db', db);
  assert.equal(i.status, 0, i.stderr);
  assert.match(i.stdout, /schema version \d+/);
  assert.equal(run('init', '--db', db).status, 0, 'init twice is fine');
  const dm = run('demo', '--db', db);
  assert.equal(dm.status, 0, dm.stderr);
  assert.match(dm.stdout, /demo newsroom loaded \((\d+) articles\)/);
  assert.ok(Number(dm.stdout.match(/\((\d+) articles/)[1]) >= 40);
  const again = run('demo', '--db', db);
  assert.equal(again.status, 0);
  assert.match(again.stdout, /already has articles/);
  rmSync(d, { recursive: true, force: true });
});

test('an unusable database is one clear line naming it, exit 1', () => {
  const d = tmp();
  const junk = join(d, 'junk.db');
  writeFileSync(junk, 'this is not a database at all, just text '.repeat(20));
  for (const [args, name] of [[['serve', '--db', junk, '--listen', '127.0.0.1:1'], junk],
    [['init', '--db', '/nonexistent/dir/x.db'], '/nonexistent/dir/x.db'],
    [['demo', '--db', junk], junk]]) {
    const r = run(...args);
    assert.equal(r.status, 1, args.join(' '));
    assert.ok(r.stderr.includes(name), r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  // an unreachable PostgreSQL: named, without its password
  const pg = run('init', '--db', 'postgresql://editor:s3cret@127.0.0.1:1/site');
  assert.equal(pg.status, 1);
  assert.match(pg.stderr, /^gazette: postgresql:\/\/editor:\*\*\*@127\.0\.0\.1:1\/site: cannot connect/);
  assert.doesNotMatch(pg.stderr, /s3cret/);
  assert.equal(pg.stderr.trim().split('\n').length, 1, pg.stderr);
  // a database from a newer gazette is refused
  const db = join(d, 'new.db');
  assert.equal(run('init', '--db', db).status, 0);
  sql(db, "INSERT INTO schema_migrations VALUES (9999, 'future', 0)");
  const r = run('serve', '--db', db);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /newer than this gazette/);
  rmSync(d, { recursive: true, force: true });
});

test('a port in use is one clear line naming it, exit 1', async () => {
  const d = tmp();
  const db = join(d, 'p.db');
  assert.equal(run('demo', '--db', db).status, 0);
  const blocker = net.createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
  const port = blocker.address().port;
  const r = run('serve', '--db', db, '--listen', `127.0.0.1:${port}`);
  blocker.close();
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port}.*in use`, 'i'));
  // an address that is no address is a bad setting, refused before anything starts
  const bad = run('serve', '--db', db, '--listen', 'nonsense');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /command line: listen wants HOST:PORT .*'nonsense'/);
  rmSync(d, { recursive: true, force: true });
});

test('a template error at start names the file and line, exit 1', () => {
  const d = tmp();
  const db = join(d, 't.db');
  assert.equal(run('demo', '--db', db).status, 0);
  const theme = join(d, 'theme');
  cpSync(join(root, 'themes/default'), theme, { recursive: true });
  writeFileSync(join(theme, 'templates/card.html'), '<p>\n<a class={{ a.url }}>x</a>\n');
  const r = run('serve', '--db', db, '--theme', theme, '--listen', '127.0.0.1:1');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /card\.html:2: output outside a quoted attribute/);
  writeFileSync(join(theme, 'templates/card.html'), '{% if x %}\nunclosed\n');
  const r2 = run('serve', '--db', db, '--theme', theme, '--listen', '127.0.0.1:1');
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /card\.html:1:/);
  rmSync(d, { recursive: true, force: true });
});

async function themedServer(extra) {
  const d = tmp();
  const theme = join(d, 'theme');
  cpSync(join(root, 'themes/default'), theme, { recursive: true });
  const srv = await startServer(['--theme', theme, ...extra]);
  return { srv, theme, d };
}

test('SIGHUP reloads the theme; a broken theme is refused and the old one stays', async () => {
  const { srv, theme, d } = await themedServer([]);
  const foot = join(theme, 'templates/foot.html');
  writeFileSync(foot, readFileSync(foot, 'utf8').replace('</footer>', '<p>reloaded-marker</p></footer>'));
  assert.ok(!(await get(srv.base, '/en/')).body.includes('reloaded-marker'), 'no change before SIGHUP');
  srv.proc.kill('SIGHUP');
  let ok = false;
  for (let i = 0; i < 50 && !ok; i++) {
    ok = (await get(srv.base, '/en/')).body.includes('reloaded-marker');
    if (!ok) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(ok, 'SIGHUP reloaded the templates');
  writeFileSync(foot, '{% if %}');
  srv.proc.kill('SIGHUP');
  await new Promise((r) => setTimeout(r, 300));
  const r = await get(srv.base, '/en/');
  assert.equal(r.status, 200);
  assert.ok(r.body.includes('reloaded-marker'), 'the last good theme keeps serving');
  assert.match(srv.log(), /theme not reloaded: .*foot\.html:1/);
  assert.equal((await srv.stop()).code, 0);
  rmSync(d, { recursive: true, force: true });
});

test('--dev reloads templates on every request', async () => {
  const { srv, theme, d } = await themedServer(['--dev']);
  const foot = join(theme, 'templates/foot.html');
  writeFileSync(foot, readFileSync(foot, 'utf8').replace('</footer>', '<p>dev-marker</p></footer>'));
  assert.ok((await get(srv.base, '/es/')).body.includes('dev-marker'));
  assert.equal((await srv.stop()).code, 0);
  rmSync(d, { recursive: true, force: true });
});

test('SIGTERM lets requests in flight finish and closes the database cleanly', async () => {
  const srv = await startServer();
  const inflight = Promise.allSettled(Array.from({ length: 20 }, () => get(srv.base, '/pt/')));
  await new Promise((r) => setTimeout(r, 5));
  srv.proc.kill('SIGTERM');
  const { code } = await srv.exited;
  assert.equal(code, 0);
  // every request that was answered was answered in full
  for (const r of await inflight) if (r.status === 'fulfilled') assert.equal(r.value.status, 200);
  assert.match(srv.log(), /stopped/);
  if (PG) {
    // every connection closed: none of ours is left on the server
    const left = sql(`${PG}/postgres`, `SELECT count(*) FROM pg_stat_activity WHERE datname = '${srv.db.slice(srv.db.lastIndexOf('/') + 1)}'`);
    assert.equal(left.trim(), '0', 'all connections closed');
  } else {
    // the last connection closed cleanly: SQLite checkpointed and removed the WAL
    assert.ok(!existsSync(`${srv.db}-wal`), 'WAL removed on clean close');
    assert.equal(sql(srv.db, 'PRAGMA integrity_check').trim(), 'ok');
  }
  await srv.stop();
});

test('gazette edition: add one (right to left), refuse what is not a language, change its direction; servers show it after a restart', async () => {
  const d = tmp();
  const db = join(d, 'e.db');
  assert.equal(run('demo', '--db', db).status, 0);
  let r = run('edition', 'add', 'he', '--name', 'עברית', '--locale', 'he_IL', '--rtl', '--db', db);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^he: added, right to left$/m);
  for (const [args, why] of [
    [['he', '--name', 'x', '--locale', 'he'], /exists already/],
    [['Ar!', '--name', 'x', '--locale', 'ar'], /not a language code/],
    [['fa', '--name', 'x', '--locale', 'persian'], /not a locale/],
    [['fa', '--name', '', '--locale', 'fa_IR'], /the name must be/],
    [['fa', '--locale', 'fa_IR'], /wants CODE, --name and --locale/],
  ]) {
    r = run('edition', 'add', ...args, '--db', db);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, why, args.join(' '));
  }
  r = run('edition', 'list', '--db', db);
  assert.match(r.stdout, /^he\tעברית\the_IL\trtl$/m);
  assert.match(r.stdout, /^ar\tالعربية\tar_EG\trtl$/m, 'the demo\'s Arabic edition');
  assert.equal(r.stdout.trim().split('\n').length, 5, 'nothing else was added');
  const srv = await startServer([], { db });
  try {
    const page = await get(srv.base, '/he/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<html lang="he" dir="rtl">/);
    assert.match((await get(srv.base, '/en/')).body, /<html lang="en">/);
  } finally { await srv.stop(); }
  r = run('edition', 'direction', 'he', 'ltr', '--db', db);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(run('edition', 'direction', 'xx', 'rtl', '--db', db).status, 1);
  assert.equal(run('edition', 'direction', 'he', 'sideways', '--db', db).status, 2);
  const again = await startServer([], { db });
  try {
    assert.match((await get(again.base, '/he/')).body, /<html lang="he">/);
  } finally { await again.stop(); }
  rmSync(d, { recursive: true, force: true });
});
