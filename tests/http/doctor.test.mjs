// gazette doctor (issue 11): with the same options as serve, it says ok /
// warn / FAIL per check with a fix, exits 1 when something must be fixed,
// and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, cpSync, appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { BIN, PG, startServer, sql, freePort, freshDatabase, dropDatabase } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);
let S, dir;
before(async () => {
  S = await startServer([]);
  dir = mkdtempSync(join(tmpdir(), 'gazette-doctor-'));
});
after(async () => {
  await S.stop();
  rmSync(dir, { recursive: true, force: true });
});

const doctor = (args) => run(BIN, ['doctor', ...args]).then((r) => ({ code: 0, out: r.stdout }), (e) => ({ code: e.code, out: e.stdout }));
const line = (out, level, topic) => out.split('\n').find((l) => new RegExp(`^${level}\\s+${topic}\\s`).test(l)) || '';

test('a sound setup: every check ok, nothing to fix, and nothing changed', async () => {
  const port = await freePort();
  const before = PG ? '' : createHash('sha256').update(readFileSync(S.db)).digest('hex');
  const r = await doctor(['--db', S.db, '--listen', `127.0.0.1:${port}`, '--base-url', 'https://news.example.org',
    '--smtp', 'smtps://desk:s3cret-pass@mail.example.org:465', '--media-dir', join(dir, 'media'), '--mail-dir', join(dir, 'mail')]);
  assert.equal(r.code, 0, r.out);
  assert.match(line(r.out, 'ok', 'schema'), /version \d+, current/);
  assert.match(line(r.out, 'ok', 'database'), PG ? /postgresql: reachable, \d+ articles in 4 editions/ : /integrity ok, \d+ articles in 4 editions/);
  assert.ok(line(r.out, 'ok', 'theme'));
  assert.ok(line(r.out, 'ok', 'catalogs'));
  assert.match(line(r.out, 'ok', 'listen'), /is free/);
  assert.match(line(r.out, 'ok', 'base-url'), /https:\/\/news.example.org/);
  assert.match(line(r.out, 'ok', 'email'), /mail\.example\.org/);
  assert.doesNotMatch(r.out, /s3cret/, 'no password in the report');
  assert.match(line(r.out, 'ok', 'media'), /will be made on first use/);
  assert.match(r.out, /^0 to fix, \d+ warnings$/m);
  assert.ok(!existsSync(join(dir, 'media')), 'doctor makes no folder');
  if (!PG) assert.equal(createHash('sha256').update(readFileSync(S.db)).digest('hex'), before, 'the database is untouched');
});

test('what must be fixed is a FAIL with its fix, and the exit status says so', async () => {
  const port = await freePort();
  // no database: named, with the command that makes one; none made
  const none = join(dir, 'none.db');
  let r = await doctor(['--db', none, '--listen', `127.0.0.1:${port}`]);
  assert.equal(r.code, 1);
  assert.match(line(r.out, 'FAIL', 'database'), /no database at .*none\.db/);
  assert.match(r.out, /fix: gazette init --db .*none\.db/);
  assert.ok(!existsSync(none));

  // a schema from a newer Gazette
  const newer = freshDatabase(dir);
  try {
    await run(BIN, ['init', '--db', newer]);
    sql(newer, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)");
    r = await doctor(['--db', newer, '--listen', `127.0.0.1:${port}`]);
    assert.equal(r.code, 1);
    assert.match(line(r.out, 'FAIL', 'schema'), /version 999, made by a newer Gazette/);
  } finally { dropDatabase(newer); }

  // a broken theme: the template is named
  const theme = join(dir, 'theme');
  cpSync(join(root, 'themes/default'), theme, { recursive: true });
  appendFileSync(join(theme, 'templates/article.html'), '{{#if unclosed}}');
  // a media folder that cannot be made (under a file)
  writeFileSync(join(dir, 'plain-file'), 'x');
  r = await doctor(['--db', S.db, '--listen', `127.0.0.1:${port}`, '--theme', theme, '--media-dir', join(dir, 'plain-file', 'media')]);
  assert.equal(r.code, 1);
  assert.match(line(r.out, 'FAIL', 'theme'), /article\.html/);
  assert.match(line(r.out, 'FAIL', 'media'), /cannot be made/);
  assert.match(r.out, /^2 to fix, \d+ warnings$/m);
});

test('the listen address: a Gazette already there is fine, anything else is not', async () => {
  let r = await doctor(['--db', S.db, '--listen', `127.0.0.1:${S.port}`]);
  assert.match(line(r.out, 'ok', 'listen'), /a Gazette already answers there/);
  const other = net.createServer((sock) => sock.end('SSH-2.0-not-http\r\n'));
  await new Promise((res) => other.listen(0, '127.0.0.1', res));
  try {
    r = await doctor(['--db', S.db, '--listen', `127.0.0.1:${other.address().port}`]);
    assert.equal(r.code, 1);
    assert.match(line(r.out, 'FAIL', 'listen'), /taken by something that is not a healthy Gazette/);
  } finally { other.close(); }
});
