// postgres.test.mjs: what only PostgreSQL deployments have — a database
// that restarts under a running site, and several gazette nodes behind a
// load balancer. Runs when GAZETTE_PG names a server (tests/run starts a
// throwaway cluster); skipped, with the reason, otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, PG, startServer, get, freePort, sql } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const skip = PG && process.env.GAZETTE_PG_DIR ? false : 'needs a PostgreSQL test cluster (GAZETTE_PG and GAZETTE_PG_DIR, set by tests/run)';
const cluster = (cmd) => execFileSync(join(root, 'scripts/pg-cluster'), [cmd, process.env.GAZETTE_PG_DIR], { stdio: 'inherit' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a database restart: 503 with Retry-After while it is down, cached pages still served, service resumes by itself', { skip }, async () => {
  const srv = await startServer();
  try {
    const front = await get(srv.base, '/pt/');
    assert.equal(front.status, 200);
    assert.equal((await get(srv.base, '/pt/')).status, 200);   // now cached
    cluster('pause');
    try {
      const r = await get(srv.base, '/pt/kind/news', { Cookie: 'gz_session=x' });
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('retry-after'), '5');
      assert.match(r.body, /<html lang="pt">/);
      assert.equal((await get(srv.base, '/healthz')).status, 503);
      const cached = await get(srv.base, '/pt/');
      assert.equal(cached.status, 200, 'the cache keeps the site up during the outage');
      assert.equal(cached.body, front.body);
    } finally {
      cluster('resume');
    }
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = (await get(srv.base, '/pt/kind/news', { Cookie: 'gz_session=x' })).status === 200;
      if (!ok) await sleep(100);
    }
    assert.ok(ok, 'service resumed within 5 s of the database');
    assert.equal((await get(srv.base, '/healthz')).status, 200);
  } finally {
    assert.equal((await srv.stop()).code, 0);
  }
});

test('three nodes behind nginx: an edit reaches every node within 2 s; a node killed loses no request', { skip }, async () => {
  const first = await startServer(['--base-url', 'http://gazette.test']);
  const nodes = [first];
  for (let i = 0; i < 2; i++) nodes.push(await startServer(['--base-url', 'http://gazette.test'], { db: first.db }));
  const dir = mkdtempSync(join(tmpdir(), 'gazette-lb-'));
  const port = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream gazette {
${nodes.map((n) => `    server 127.0.0.1:${n.port} max_fails=1 fail_timeout=5s;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://gazette;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 http_503;
      proxy_connect_timeout 1s;
    }
  }
}`);
  const nginx = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir, '-g', 'daemon off;'], { stdio: 'ignore' });
  const lb = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 100; i++) { try { if ((await get(lb, '/healthz')).status === 200) break; } catch { /* starting */ } await sleep(50); }
    // every node caches the English front page
    for (const n of nodes) { await get(n.base, '/en/'); await get(n.base, '/en/'); }
    const id = sql(first.db, "SELECT a.id FROM article_listings l JOIN articles a ON a.id = l.article_id WHERE l.list = 'front' AND l.edition = 'en' ORDER BY l.listed_at DESC LIMIT 1").trim();
    const title = `Changed on one node, seen on all ${Date.now()}`;
    const t0 = Date.now();
    execFileSync(BIN, ['article', 'edit', id, '--db', first.db, '--title', title]);
    for (const n of nodes) {
      let seen = false;
      while (!seen && Date.now() - t0 < 2000) {
        seen = (await get(n.base, '/en/')).body.includes(title);
        if (!seen) await sleep(20);
      }
      assert.ok(seen, `node ${n.port} shows the edit within 2 s`);
    }
    assert.ok((await get(lb, '/en/')).body.includes(title), 'and through the balancer');
    // kill one node in the middle of traffic: the balancer retries elsewhere
    const victim = nodes[1];
    const statuses = [];
    const traffic = (async () => {
      for (let i = 0; i < 300; i++) statuses.push((await get(lb, i % 2 ? '/es/' : '/pt/kind/blog')).status);
    })();
    await sleep(100);
    victim.proc.kill('SIGKILL');
    await traffic;
    assert.equal(statuses.length, 300);
    assert.deepEqual([...new Set(statuses)], [200], 'every request through the balancer answered 200');
    // no data lost: the edit is still there
    assert.equal(sql(first.db, `SELECT title FROM articles WHERE id = ${id}`).trim(), title);
    // work that must happen once is done by one node: schedule a story
    // 2 s ahead; the two live nodes race for it, one publishes it
    const sid = sql(first.db, "SELECT id FROM articles WHERE edition = 'pt' ORDER BY id LIMIT 1").trim();
    const due = new Date(Date.now() + 2000).toISOString().slice(0, 19).replace('T', ' ');
    const before = Number(sql(first.db, 'SELECT count(*) FROM cache_invalidations'));
    execFileSync(BIN, ['article', 'edit', sid, '--db', first.db, '--status', 'published', '--published', due]);
    await sleep(3500);
    const logs = [nodes[0], nodes[2]].map((n) => n.log().split('\n').filter((l) => l.includes('scheduler: published')).length);
    assert.equal(logs[0] + logs[1], 1, `one node published it (${logs})`);
    assert.equal(Number(sql(first.db, 'SELECT count(*) FROM cache_invalidations')), before + 2, 'the edit and one publication');
  } finally {
    nginx.kill('SIGTERM');
    await new Promise((r) => nginx.on('exit', r));
    rmSync(dir, { recursive: true, force: true });
    await nodes[2].stop({ keep: true });
    await nodes[1].stop({ keep: true });
    await first.stop();
  }
});

test('gazette migrate copies a site SQLite → PostgreSQL → SQLite and proves each copy', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gazette-migrate-'));
  const a = join(dir, 'a.db'), b = join(dir, 'b.db');
  const pgdb = `${PG}/gz_migrate_${process.pid}`;
  sql(`${PG}/postgres`, `CREATE DATABASE gz_migrate_${process.pid}`);
  try {
    execFileSync(BIN, ['demo', '--db', a]);
    const out1 = execFileSync(BIN, ['migrate', '--from', a, '--to', pgdb]).toString();
    const out2 = execFileSync(BIN, ['migrate', '--from', pgdb, '--to', b]).toString();
    assert.match(out1, /every table matches/);
    assert.equal(out1, out2, 'the same counts and checksums both ways');
    assert.match(out1, /^articles +57 rows +[0-9a-f]{16} +matches$/m);
    // the copies serve the same pages
    const s1 = await startServer(['--base-url', 'http://gazette.test'], { db: a });
    const s2 = await startServer(['--base-url', 'http://gazette.test'], { db: pgdb });
    try {
      for (const p of ['/pt/', '/es/kind/opinion', '/en/author/ruth-okafor']) {
        assert.equal((await get(s2.base, p)).body, (await get(s1.base, p)).body, p);
      }
    } finally {
      await s1.stop({ keep: true });
      await s2.stop({ keep: true });
    }
    // new rows continue after the copied ids
    const more = execFileSync(BIN, ['demo', '--db', pgdb, '--articles', '70']).toString();
    assert.match(more, /70 articles/);
    // a non-empty target is refused and left as it was
    const again = spawnSync(BIN, ['migrate', '--from', a, '--to', pgdb], { encoding: 'utf8' });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already has content/);
    assert.equal(sql(pgdb, 'SELECT count(*) FROM articles').trim(), '70');
  } finally {
    sql(`${PG}/postgres`, `DROP DATABASE IF EXISTS gz_migrate_${process.pid} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nodes starting together on a new database: one migrates, the others wait and find it done', { skip }, async () => {
  const name = `gz_race_${process.pid}`;
  sql(`${PG}/postgres`, `CREATE DATABASE ${name}`);
  const db = `${PG}/${name}`;
  try {
    const runs = Array.from({ length: 4 }, () => new Promise((res) => {
      const p = spawn(BIN, ['init', '--db', db]);
      let out = '', err = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { err += d; });
      p.on('exit', (code) => res({ code, out, err }));
    }));
    const results = await Promise.all(runs);
    for (const r of results) {
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /schema version \d+/);
    }
    const versions = sql(db, 'SELECT count(*), count(DISTINCT version) FROM schema_migrations').trim();
    const [all, distinct] = versions.split('|').map(Number);
    assert.equal(all, distinct, 'each version applied once');
  } finally { sql(`${PG}/postgres`, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); }
});
