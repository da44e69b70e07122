// Upgrades (issue 11): a site at every earlier schema version, filled with
// data, is migrated to the current one by this Gazette: the migration
// succeeds, no row is lost, the database is whole, and the site serves.
// On SQLite in the SQLite run, on PostgreSQL in the PostgreSQL run.
// Data at version v comes from the current demo, projected onto v's tables
// (the columns both have; a column v requires that the demo lacks gets a
// blank of its type). A database from a newer Gazette is refused with a
// message that says what to do, and left as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, PG, startServer, get, sql, freshDatabase, dropDatabase } from './harness.mjs';

let dir, demo, latest;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gazette-upgrade-'));
  demo = join(dir, 'demo.db');
  execFileSync(BIN, ['demo', '--db', demo], { stdio: 'ignore' });
  latest = Number(execFileSync(BIN, ['init', '--db', demo]).toString().match(/schema version (\d+)/)[1]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const q = (db, sql) => execFileSync('sqlite3', ['-batch', db, sql]).toString().trim();
const lines = (s) => (s ? s.split('\n') : []);

// The tables of db (not SQLite's own, not full-text indexes and their shadows).
function tablesOf(db) {
  const virtual = lines(q(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"));
  return lines(q(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"))
    .filter((t) => !virtual.some((v) => t.startsWith(`${v}_`)));
}

function fill(db) {
  const demoTables = new Set(tablesOf(demo));
  const script = ['PRAGMA foreign_keys = OFF;', `ATTACH '${demo}' AS d;`, 'BEGIN;'];
  for (const t of tablesOf(db)) {
    if (!demoTables.has(t)) continue;
    const have = new Set(lines(q(demo, `SELECT name FROM pragma_table_info('${t}')`)));
    const cols = lines(q(db, `SELECT name || '|' || "notnull" || '|' || coalesce(dflt_value, '') || '|' || upper(type) FROM pragma_table_info('${t}')`))
      .map((l) => { const [name, notnull, dflt, type] = l.split('|'); return { name, notnull: notnull === '1', dflt, type }; });
    const picked = cols.filter((c) => have.has(c.name) || (c.notnull && c.dflt === ''));
    if (!picked.some((c) => have.has(c.name))) continue;
    const expr = picked.map((c) => (have.has(c.name) ? `"${c.name}"` : (/INT|REAL|NUM|BOOL/.test(c.type) ? '0' : "''")));
    script.push(`INSERT OR IGNORE INTO main."${t}" (${picked.map((c) => `"${c.name}"`).join(', ')}) SELECT ${expr.join(', ')} FROM d."${t}";`);
  }
  script.push('COMMIT;');
  execFileSync('sqlite3', ['-batch', db], { input: script.join('\n') });
}

const counts = (db) => Object.fromEntries(tablesOf(db).map((t) => [t, Number(q(db, `SELECT count(*) FROM "${t}"`))]));

// PostgreSQL: the same projection of the demo (read from the SQLite file as
// JSON) written as literal rows; a row that breaks a rule of the older
// schema is skipped (psql's ON_ERROR_ROLLBACK), foreign keys are not
// checked while filling, and id sequences continue after the rows.
const pgTablesOf = (db) => lines(sql(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' " +
  "AND table_type = 'BASE TABLE' AND table_name NOT IN ('schema_migrations') AND table_name NOT LIKE 'search%' ORDER BY 1").trim());
const pgCounts = (db) => Object.fromEntries(pgTablesOf(db).map((t) => [t, Number(sql(db, `SELECT count(*) FROM "${t}"`).trim())]));
const lit = (v, numeric) => (v === null || v === undefined ? 'NULL' : numeric && typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);

function fillPg(db) {
  const demoTables = new Set(tablesOf(demo));
  const script = ['\\set ON_ERROR_ROLLBACK on', 'BEGIN;', 'SET session_replication_role = replica;'];
  const serial = [];
  for (const t of pgTablesOf(db)) {
    if (!demoTables.has(t)) continue;
    const have = new Set(lines(q(demo, `SELECT name FROM pragma_table_info('${t}')`)));
    const cols = lines(sql(db, `SELECT column_name || '|' || is_nullable || '|' || coalesce(column_default, '') || '|' || data_type ` +
      `FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '${t}' ORDER BY ordinal_position`).trim())
      .map((l) => { const [name, nullable, dflt, type] = l.split('|'); return { name, notnull: nullable === 'NO', dflt, numeric: /int|numeric|double|real/.test(type) }; });
    if (cols.some((c) => c.name === 'id' && /nextval/.test(c.dflt))) serial.push(t);
    const picked = cols.filter((c) => have.has(c.name) || (c.notnull && c.dflt === ''));
    const from = picked.filter((c) => have.has(c.name));
    if (!from.length) continue;
    const rows = JSON.parse(execFileSync('sqlite3', ['-json', demo, `SELECT ${from.map((c) => `"${c.name}"`).join(', ')} FROM "${t}"`]).toString() || '[]');
    for (const row of rows) {
      const values = picked.map((c) => (have.has(c.name) ? lit(row[c.name], c.numeric) : c.numeric ? '0' : "''"));
      script.push(`INSERT INTO "${t}" (${picked.map((c) => `"${c.name}"`).join(', ')}) VALUES (${values.join(', ')});`);
    }
  }
  script.push('COMMIT;');
  for (const t of serial) script.push(`SELECT setval(pg_get_serial_sequence('"${t}"', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM "${t}"), false);`);
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=0', db], { input: script.join('\n'), stdio: ['pipe', 'ignore', 'ignore'] });
}

// This Gazette migrates db (at version v) to the current schema.
function upgrade(db, v) {
  const r = spawnSync(BIN, ['init', '--db', db]);
  assert.equal(r.status, 0, `v${v} → ${latest}: ${r.stderr}`);
  assert.match(r.stdout.toString(), new RegExp(`schema version ${latest}`));
}

// Every table still there has at least the rows it had.
function keptRows(v, before, after) {
  for (const [table, n] of Object.entries(before)) {
    if (table in after) assert.ok(after[table] >= n, `v${v}: ${table} kept its rows (${n} → ${after[table]})`);
  }
}

// The versions to start from: every one, except under the sanitizers,
// where the first, a middle one and the last do: upgrading from version 1
// already runs every migration there, and the full sweep (a minute and a
// half on PostgreSQL on one machine, over five minutes on a slower one,
// where every psql it starts costs more: hence its 20 minutes) has run
// with the plain build in the same test run.
function versions() {
  const all = Array.from({ length: latest - 1 }, (_, i) => i + 1);
  if (!/build-asan/.test(BIN) || all.length <= 3) return all;
  return [...new Set([1, Math.ceil(all.length / 2), all.length])];
}

// The upgraded site serves its front page and a story.
async function serves(db, v) {
  const S = await startServer([], { db });
  try {
    const front = await get(S.base, '/en/');
    assert.equal(front.status, 200, `v${v}: the front page`);
    const story = front.body.match(/href="(\/en\/\d{4}\/\d{2}\/[a-z0-9-]+)"/);
    assert.ok(story, `v${v}: stories on the front page`);
    assert.equal((await get(S.base, story[1])).status, 200, `v${v}: ${story[1]}`);
  } finally { assert.equal((await S.stop()).code, 0); }
}

test('every earlier schema version, with data, upgrades to the current one and serves (PostgreSQL)', { timeout: 1200000 }, async (t) => {
  if (!PG) return t.skip('needs PostgreSQL (GAZETTE_PG); the SQLite run checks the same on SQLite');
  for (const v of versions()) {
    const db = freshDatabase(dir);
    try {
      execFileSync(BIN, ['init', '--db', db, '--schema-version', String(v)], { stdio: 'ignore' });
      assert.equal(sql(db, 'SELECT max(version) FROM schema_migrations').trim(), String(v));
      fillPg(db);
      const before = pgCounts(db);
      assert.ok((before.articles || 0) > 5, `v${v}: filled with articles (${before.articles})`);
      upgrade(db, v);
      keptRows(v, before, pgCounts(db));
      await serves(db, v);
    } finally { dropDatabase(db); }
  }
});

test('every earlier schema version, with data, upgrades to the current one and serves', { timeout: 300000 }, async (t) => {
  if (PG) return t.skip('the SQLite run; the PostgreSQL one is above');
  assert.ok(latest >= 2);
  for (const v of versions()) {
    const db = join(dir, `v${v}.db`);
    execFileSync(BIN, ['init', '--db', db, '--schema-version', String(v)], { stdio: 'ignore' });
    assert.equal(q(db, 'SELECT max(version) FROM schema_migrations'), String(v));
    fill(db);
    const before = counts(db);
    const orphans = q(db, 'PRAGMA foreign_key_check').length;
    assert.ok((before.articles || 0) > 5, `v${v}: filled with articles (${before.articles})`);
    upgrade(db, v);
    assert.equal(q(db, 'PRAGMA integrity_check'), 'ok', `v${v}: integrity`);
    assert.ok(q(db, 'PRAGMA foreign_key_check').length <= orphans, `v${v}: no row left without its parent`);
    keptRows(v, before, counts(db));
    await serves(db, v);
  }
});

test('a database from a newer Gazette is refused with what to do, and left as it was', async (t) => {
  if (PG) return t.skip('checked on SQLite (the refusal is the facade\'s, the same on both)');
  const db = join(dir, 'newer.db');
  execFileSync(BIN, ['init', '--db', db], { stdio: 'ignore' });
  q(db, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${latest + 1}, '${latest + 1}_future.sql', 0)`);
  const sum = createHash('sha256').update(readFileSync(db)).digest('hex');
  for (const args of [['init', '--db', db], ['serve', '--db', db, '--listen', '127.0.0.1:1']]) {
    const r = spawnSync(BIN, args, { timeout: 10000 });
    assert.equal(r.status, 1, args[0]);
    assert.match(r.stderr.toString(), new RegExp(`schema is version ${latest + 1}, newer than this gazette knows \\(${latest}\\): upgrade gazette`));
  }
  assert.equal(createHash('sha256').update(readFileSync(db)).digest('hex'), sum, 'untouched');
});
