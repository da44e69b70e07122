// Backups (issue 11): `gazette backup` while readers post comments and book
// seats, then `gazette restore` into a fresh database and media folder. The
// restored site is the snapshot the backup's manifest describes (row counts
// and checksums of every table, compared by backing the restored site up
// again), whole (no comment count or seat count disagrees with its rows,
// nothing acknowledged before the backup began is missing) and serves. And
// restore refuses what it cannot trust without writing anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BIN, Client, PG, startServer, get, sql, freshDatabase, dropDatabase } from './harness.mjs';

const run = promisify(execFile);
let S, work;
before(async () => {
  S = await startServer(['--costly-share', '0']);
  for (const kv of [['comments.policy', 'open'], ['comments.min_seconds', '0'], ['comments.pow_bits', '0'],
    ['comments.rate_ip', '0'], ['comments.rate_email', '0']]) {
    execFileSync(BIN, ['settings', 'set', ...kv, '--db', S.db]);
  }
  work = mkdtempSync(join(tmpdir(), 'gazette-backup-'));
  // a picture, as uploads leave them: media/ID/WIDTH.webp
  mkdirSync(join(S.dir, 'media', '41'), { recursive: true });
  writeFileSync(join(S.dir, 'media', '41', '320.webp'), Buffer.from('RIFF\x10\x00\x00\x00WEBPpicture bytes'));
});
after(async () => {
  assert.equal((await S.stop()).code, 0);
  rmSync(work, { recursive: true, force: true });
});

const one = (db, q) => sql(db, q).trim();
const manifestOf = (archive) => execFileSync('tar', ['-xzOf', archive, 'MANIFEST']).toString();
const tables = (manifest) => manifest.split('\n').filter((l) => l.startsWith('table ')).join('\n');

// whole: the counts kept on rows agree with the rows they count
function assertWhole(db) {
  assert.equal(one(db, `SELECT count(*) FROM articles a WHERE comment_count !=
    (SELECT count(*) FROM comments c WHERE c.article_id = a.id AND c.status = 'approved')`), '0', 'comment counts match the comments');
  assert.equal(one(db, `SELECT count(*) FROM quotas q WHERE remaining != capacity -
    (SELECT coalesce(sum(qty), 0) FROM bookings b WHERE b.quota_id = q.id AND b.status = 'confirmed')`), '0', 'seats left match the bookings');
}

test('a backup taken under load restores, on a fresh database, to exactly the snapshot it describes', { timeout: 180000 }, async () => {
  const id = one(S.db, "SELECT id FROM articles WHERE status = 'published' AND edition = 'en' ORDER BY id LIMIT 1");
  const ev = '/en/events/newsroom-open-evening';
  sql(S.db, `UPDATE quotas SET capacity = 100000, remaining = 100000 - (SELECT coalesce(sum(qty), 0) FROM bookings b
    WHERE b.quota_id = quotas.id AND b.status = 'confirmed') WHERE translation_group = (SELECT translation_group FROM events WHERE slug = 'newsroom-open-evening')`);
  const acked = [];   // [tag, acknowledged at]
  let stop = false, n = 0;
  const comment = async () => {
    const tag = `load-${++n}`;
    const c = new Client(S.base);
    const t = JSON.parse((await c.get(`/comments/${id}/token`)).body);
    const r = await c.post(`/comments/${id}`, { csrf: t.csrf, token: t.token, name: 'Backup Reader', email: 'b@example.org', body: `Comment ${tag}` });
    if (r.status === 303) acked.push([`Comment ${tag}`, Date.now()]);
  };
  const book = async () => {
    const c = new Client(S.base);
    const f = (await c.get(`${ev}/book`)).body;
    const v = (k) => f.match(new RegExp(`name="${k}" value="([^"]+)"`))?.[1];
    const r = await c.post(`${ev}/book`, { csrf: v('csrf'), idem: v('idem'), type: v('type'), qty: '1', name: `Booker ${++n}`, email: 'k@example.org', consent: '1' });
    assert.ok([303, 409].includes(r.status), `booking: ${r.status}`);
  };
  const loop = async (fn) => { while (!stop) await fn(); };
  const load = [loop(comment), loop(comment), loop(book), loop(async () => { await get(S.base, '/en/'); })];
  await new Promise((r) => setTimeout(r, 1500));   // the load is running
  const started = Date.now();
  const archive = join(work, 'site.tar.gz');
  const b = await run(BIN, ['backup', '--to', archive, '--db', S.db, '--media-dir', join(S.dir, 'media')]);
  await new Promise((r) => setTimeout(r, 500));   // and still runs after
  stop = true;
  await Promise.all(load);
  assert.match(b.stdout, /^backed up \d+ tables \(\d+ rows, checked\) and 1 pictures/);
  assert.ok(acked.filter(([, at]) => at < started).length >= 5, `comments acknowledged before the backup: ${acked.length}`);
  assert.ok(acked.some(([, at]) => at > started), 'the load went on during the backup');
  assert.ok(!existsSync(`${archive}.part`), 'no partial file left');

  const manifest = manifestOf(archive);
  assert.match(manifest, /^gazette-backup 1\ngazette \S+\nschema \d+\ncreated \S+Z\nsource (sqlite|postgresql)\n/);

  // restore into a fresh database (the same backend as the site) and folder
  const fresh = freshDatabase(work);
  const media = join(work, 'restored-media');
  try {
    const r = await run(BIN, ['restore', archive, '--db', fresh, '--media-dir', media]);
    assert.match(r.stdout, /^restored \d+ tables \(\d+ rows, checked\) .* 1 of its 1 pictures/);
    if (!PG) assert.equal(one(fresh, 'PRAGMA integrity_check'), 'ok');
    // the restored site is the snapshot: backed up again, every table's
    // rows and checksum are the manifest's
    const again = join(work, 'again.tar.gz');
    await run(BIN, ['backup', '--to', again, '--db', fresh, '--media-dir', media]);
    assert.equal(tables(manifestOf(again)), tables(manifest));
    assertWhole(fresh);
    assertWhole(S.db);
    // nothing acknowledged before the backup began is missing, and nothing
    // the readers did not send is there
    const restored = new Set(sql(fresh, "SELECT body_md FROM comments WHERE body_md LIKE 'Comment load-%'").trim().split('\n'));
    for (const [body, at] of acked) if (at < started) assert.ok(restored.has(body), `${body} acknowledged before the backup`);
    const sent = new Set(acked.map(([body]) => body));
    for (const body of restored) assert.ok(sent.has(body) || body === '', `${body} was sent`);
    assert.deepEqual(readFileSync(join(media, '41', '320.webp')), readFileSync(join(S.dir, 'media', '41', '320.webp')));
    // and it serves, with the comments it holds
    const R = await startServer([], { db: fresh });
    try {
      assert.equal((await get(R.base, '/en/')).status, 200);
      const body = [...restored][0];
      const page = await get(R.base, `/comments/${id}?lang=en`);
      assert.equal(page.status, 200);
      assert.ok(page.body.includes(body.replace('Comment ', '')), 'a restored comment is shown');
    } finally { await R.stop(); }
  } finally { dropDatabase(fresh); }
});

// A tar archive of [name, bytes] entries, gzipped: for archives a backup
// would never make.
function tarOf(entries) {
  const blocks = [];
  for (const [name, data] of entries) {
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, 'latin1');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0' + '00', 257, 'latin1');
    let sum = 0;
    for (const byte of h) sum += byte;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

test('restore refuses a damaged, foreign, hostile or newer archive, and a database with content, writing nothing', { timeout: 120000 }, async () => {
  const archive = join(work, 'good.tar.gz');
  await run(BIN, ['backup', '--to', archive, '--db', S.db, '--media-dir', join(S.dir, 'media')]);
  const parts = join(work, 'parts');
  mkdirSync(parts, { recursive: true });
  execFileSync('tar', ['-xzf', archive, '-C', parts]);
  const manifest = readFileSync(join(parts, 'MANIFEST'));
  const db = readFileSync(join(parts, 'site.db'));
  const whole = readFileSync(archive);
  const cases = [
    ['truncated', whole.subarray(0, Math.floor(whole.length * 0.6)), /damaged/],
    ['not a backup', tarOf([['notes.txt', Buffer.from('hello')]]), /not a Gazette backup/],
    ['escaping name', tarOf([['MANIFEST', manifest], ['site.db', db], ['media/../../escaped.txt', Buffer.from('x')]]), /refused: .*escaped/],
    ['absolute name', tarOf([['MANIFEST', manifest], ['/tmp/escaped-abs.txt', Buffer.from('x')]]), /refused/],
    ['newer schema', tarOf([['MANIFEST', Buffer.from(manifest.toString().replace(/^schema \d+$/m, 'schema 9999'))], ['site.db', db]]), /newer Gazette .*schema 9999/],
    ['tampered rows', tarOf([['MANIFEST', Buffer.from(manifest.toString().replace(/^table comments (\d+)/m, (m, k) => `table comments ${Number(k) + 1}`))], ['site.db', db]]), /damaged: table comments/],
    ['no database', tarOf([['MANIFEST', manifest]]), /incomplete/],
  ];
  for (const [what, bytes, why] of cases) {
    const file = join(work, `${what.replace(/ /g, '-')}.tar.gz`);
    writeFileSync(file, bytes);
    const target = join(work, `target-${what.replace(/ /g, '-')}.db`);
    const media = join(work, `media-${what.replace(/ /g, '-')}`);
    const r = await run(BIN, ['restore', file, '--db', target, '--media-dir', media]).then(() => ({ code: 0, stderr: '' }), (e) => e);
    assert.equal(r.code, 1, `${what}: refused`);
    assert.match(r.stderr, why, what);
    assert.ok(!existsSync(target), `${what}: no database left behind`);
    assert.ok(!existsSync(media) || readdirSync(media).length === 0, `${what}: no pictures written`);
  }
  assert.ok(!existsSync(join(work, 'escaped.txt')) && !existsSync(join(tmpdir(), 'escaped.txt')) && !existsSync('/tmp/escaped-abs.txt'));

  // a database that already has a site is never written over
  const before = one(S.db, 'SELECT count(*) FROM comments');
  const r = await run(BIN, ['restore', archive, '--db', S.db, '--media-dir', join(work, 'm')]).then(() => ({ code: 0 }), (e) => e);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /already has content/);
  assert.equal(one(S.db, 'SELECT count(*) FROM comments'), before);
  // a picture in the way that differs is refused before the database is made
  const clash = join(work, 'clash');
  mkdirSync(join(clash, '41'), { recursive: true });
  writeFileSync(join(clash, '41', '320.webp'), 'another picture');
  const target = join(work, 'clash.db');
  const c = await run(BIN, ['restore', archive, '--db', target, '--media-dir', clash]).then(() => ({ code: 0 }), (e) => e);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /differs from the backup/);
  assert.ok(!existsSync(target));
  assert.equal(readFileSync(join(clash, '41', '320.webp'), 'utf8'), 'another picture');
  // and a backup of a database that is not there says so
  const m = await run(BIN, ['backup', '--to', join(work, 'x.tar.gz'), '--db', join(work, 'missing.db')]).then(() => ({ code: 0 }), (e) => e);
  assert.equal(m.code, 1);
  assert.match(m.stderr, /no database at/);
  assert.ok(!existsSync(join(work, 'missing.db')));
});
