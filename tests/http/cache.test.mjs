// cache.test.mjs: the page cache as a reader and an editor meet it: hits,
// encodings, ETags, bypass for readers with a Gazette cookie, and exact
// invalidation — a random sequence of edits, after each of which every
// page the cached server returns must equal a fresh render.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import http from 'node:http';
import { BIN, startServer, get, links, sql } from './harness.mjs';

let A, B;   // A caches; B renders every page, on the same database
before(async () => {
  A = await startServer(['--base-url', 'http://gazette.test']);
  B = await startServer(['--base-url', 'http://gazette.test', '--no-cache'], { db: A.db });
});
after(async () => {
  assert.equal((await B.stop({ keep: true })).code, 0);
  assert.equal((await A.stop()).code, 0);
});

// raw GET that keeps the body undecoded (fetch would decompress it)
function rawGet(base, path, headers = {}) {
  return new Promise((res, rej) => {
    const u = new URL(base + path);
    http.get({ host: u.hostname, port: u.port, path, headers, agent: false }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode, headers: r.headers, body: Buffer.concat(chunks) }));
    }).on('error', rej);
  });
}

const accessLines = (srv, path) => srv.log().split('\n').filter((l) => l.includes(' access ') && l.includes(` uri="${path}" `));

// GET, then the cache outcome from the access log line of that very request
// (the line is written when the response is done, so wait for it)
async function fetchCache(srv, path, headers = {}) {
  const before = accessLines(srv, path).length;
  const res = await get(srv.base, path, headers);
  for (let i = 0; i < 100; i++) {
    const lines = accessLines(srv, path);
    if (lines.length > before) return { res, cache: lines[lines.length - 1].match(/cache=(\w+)/)[1] };
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`no access log line for ${path}`);
}

async function metric(srv, name) {
  const m = (await get(srv.base, '/metrics')).body.match(new RegExp(`^${name} (\\d+)`, 'm'));
  return m ? Number(m[1]) : NaN;
}

test('a page is rendered once, then served from memory', async () => {
  assert.equal((await fetchCache(A, '/es/kind/opinion')).cache, 'miss');
  const { res: r, cache } = await fetchCache(A, '/es/kind/opinion');
  assert.equal(r.status, 200);
  assert.equal(cache, 'hit');
  assert.match(r.headers.get('cache-control'), /public/);
  assert.match(r.headers.get('cache-control'), /s-maxage=\d+/);
  assert.equal((await fetchCache(B, '/es/kind/opinion')).cache, 'off');
});

test('identity, gzip and brotli variants hold the same page; ETags differ; 304 on a match', async () => {
  const plain = await rawGet(A.base, '/pt/');
  const gz = await rawGet(A.base, '/pt/', { 'Accept-Encoding': 'gzip' });
  const br = await rawGet(A.base, '/pt/', { 'Accept-Encoding': 'gzip, deflate, br' });
  const nogz = await rawGet(A.base, '/pt/', { 'Accept-Encoding': 'gzip;q=0, identity' });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(nogz.headers['content-encoding'], undefined);
  assert.ok(gz.body.length < plain.body.length / 2, 'gzip is smaller');
  assert.equal(gunzipSync(gz.body).toString(), plain.body.toString());
  assert.equal(brotliDecompressSync(br.body).toString(), plain.body.toString());
  for (const r of [plain, gz, br]) assert.equal(r.headers.vary, 'Accept-Encoding');
  const tags = new Set([plain, gz, br].map((r) => r.headers.etag));
  assert.equal(tags.size, 3, 'one strong ETag per representation');
  const again = await rawGet(A.base, '/pt/', { 'Accept-Encoding': 'br', 'If-None-Match': br.headers.etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers.etag, br.headers.etag);
  const uncached = await rawGet(B.base, '/pt/', { 'Accept-Encoding': 'gzip' });
  assert.equal(uncached.headers['content-encoding'], 'gzip', 'uncached pages are compressed too');
  assert.equal(gunzipSync(uncached.body).toString(), plain.body.toString());
});

test('readers with a Gazette cookie or credentials bypass the cache; errors are never cached', async () => {
  await fetchCache(A, '/en/kind/blog');
  assert.equal((await fetchCache(A, '/en/kind/blog', { Cookie: 'theme=dark; gz_session=abc' })).cache, 'bypass');
  assert.equal((await fetchCache(A, '/en/kind/blog', { Authorization: 'Bearer x' })).cache, 'bypass');
  assert.equal((await fetchCache(A, '/en/kind/blog', { Cookie: 'other=1' })).cache, 'hit');
  for (let i = 0; i < 2; i++) {
    const { res: r, cache } = await fetchCache(A, '/en/tag/no-such-tag');
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal(cache, 'miss');
  }
});

test('many readers of one cold page: rendered once', async () => {
  const path = '/pt/kind/blog?page=1';
  const rs = await Promise.all(Array.from({ length: 40 }, () => get(A.base, path)));
  for (const r of rs) assert.equal(r.status, 200);
  for (let i = 0; i < 100 && accessLines(A, path).length < 40; i++) await new Promise((r) => setTimeout(r, 10));
  const lines = accessLines(A, path);
  assert.equal(lines.length, 40);
  assert.equal(lines.filter((l) => l.includes('cache=miss')).length, 1, 'one render for 40 concurrent readers');
});

test('a cache far smaller than the site: pages evicted while their readers wait are still sent whole', async () => {
  // 1 MiB holds a dozen pages: most stores evict, some before the page's
  // own reader has been sent it (the reader's reference keeps it alive)
  const C = await startServer(['--base-url', 'http://gazette.test', '--cache-size', '1', '--no-access-log'], { db: A.db });
  try {
    const locs = (xml) => [...xml.matchAll(/<loc>https?:\/\/[^/<]+([^<]*)<\/loc>/g)].map((m) => m[1]);
    const paths = [];
    for (const map of locs((await get(B.base, '/sitemap.xml')).body)) {
      if (!map.includes('news')) paths.push(...locs((await get(B.base, map)).body));
    }
    const pages = [...new Set(paths)].slice(0, 150);
    assert.ok(pages.length >= 60, `${pages.length} pages in the sitemaps`);
    const want = new Map();
    for (const p of pages) want.set(p, (await get(B.base, p)).body);
    for (let round = 0; round < 2; round++) {
      let next = 0;
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (next < pages.length) {
          const p = pages[next++];
          const r = await get(C.base, p);
          assert.equal(r.status, 200, p);
          assert.equal(r.body, want.get(p), `${p} as a fresh render`);
        }
      }));
    }
    assert.ok(await metric(C, 'gazette_cache_evictions_total') > 50, 'pages were evicted');
  } finally {
    assert.equal((await C.stop({ keep: true })).code, 0);
  }
});

test('/metrics: per-route counts and latency, cache and database figures, loopback only', async () => {
  const m = (await get(A.base, '/metrics')).body;
  assert.match(m, /^gazette_requests_total\{route="\/\{edition\}\/",status="2xx"\} \d+$/m);
  assert.match(m, /^gazette_request_seconds_bucket\{route="\/\{edition\}\/",le="\+Inf"\} \d+$/m);
  assert.match(m, /^gazette_cache_hits_total [1-9]\d*$/m);
  assert.match(m, /^gazette_cache_bytes [1-9]\d*$/m);
  assert.match(m, /^gazette_db_seconds_total [0-9.]+$/m);
});

test('an edit drops exactly the pages it touches: an English-only story leaves other editions cached', async () => {
  const id = sql(A.db, "SELECT id FROM articles WHERE edition = 'en' AND translation_group IS NULL ORDER BY id LIMIT 1").trim();
  for (const p of ['/en/', '/pt/', '/es/']) { await fetchCache(A, p); await fetchCache(A, p); }
  const out = execFileSync(BIN, ['article', 'edit', id, '--db', A.db, '--title', 'Harbour tide sensors: a changed headline']).toString();
  const seq = Number(out.match(/invalidation (\d+)/)[1]);
  await waitApplied(A, seq);
  assert.equal((await fetchCache(A, '/pt/')).cache, 'hit', 'the Portuguese front page stays cached');
  assert.equal((await fetchCache(A, '/es/')).cache, 'hit', 'the Spanish front page stays cached');
  const { res: en, cache } = await fetchCache(A, '/en/');
  assert.equal(cache, 'miss', 'the English front page is rendered again');
  assert.equal(en.body, (await get(B.base, '/en/')).body);
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitApplied(srv, seq) {
  for (let i = 0; i < 100; i++) {
    if (await metric(srv, 'gazette_invalidation_applied_id') >= seq) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`invalidation ${seq} not applied within 2 s`);
}

// a small seeded generator, so that a failure can be replayed
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

test('property: after random edits, every cached page equals a fresh render', async () => {
  const seed = Number(process.env.GAZETTE_SEED || Date.now() % 100000);
  const rand = rng(seed);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  // the pages a reader can reach: fronts and the links on them, two levels
  const pool = new Set(['/en/', '/es/', '/pt/']);
  for (const p of [...pool]) for (const l of links((await get(A.base, p)).body)) pool.add(l);
  for (const p of [...pool].slice(0, 60)) for (const l of links((await get(A.base, p)).body)) pool.add(l);
  // the shared pages: a reader's own forms (booking, comments with their
  // tokens) are never cached, and differ on every request by design
  const urls = [];
  for (const u of pool) {
    if (u.startsWith('/metrics')) continue;
    const cc = (await get(A.base, u)).headers.get('cache-control') || '';
    if (!/no-store|private/.test(cc)) urls.push(u);
  }
  const ids = sql(A.db, 'SELECT id FROM articles').trim().split('\n');
  const body = join(A.dir, 'body.md');
  for (let step = 0; step < 30; step++) {
    const id = pick(ids);
    const op = pick(['title', 'standfirst', 'body', 'unpublish', 'publish', 'date']);
    const args = ['article', 'edit', id, '--db', A.db];
    if (op === 'title') args.push('--title', `Edited ${step} <em>&</em> "quoted"`);
    if (op === 'standfirst') args.push('--standfirst', `A standfirst from step ${step}`);
    if (op === 'body') { writeFileSync(body, `## Step ${step}\n\nNew **body** text.`); args.push('--body-file', body); }
    if (op === 'unpublish') args.push('--status', 'draft');
    if (op === 'publish') args.push('--status', 'published');
    if (op === 'date') args.push('--published', `2025-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 9)} 10:00`);
    const seq = Number(execFileSync(BIN, args).toString().match(/invalidation (\d+)/)[1]);
    await waitApplied(A, seq);
    for (let k = 0; k < 12; k++) {
      const u = pick(urls);
      const a1 = await get(A.base, u);
      const a2 = await get(A.base, u);   // the second is a hit when the first stored
      const b = await get(B.base, u);
      const ctx = `seed ${seed}, step ${step} (${op} article ${id}), ${u}`;
      assert.equal(a1.status, b.status, ctx);
      assert.equal(a2.status, b.status, ctx);
      assert.equal(a1.body, b.body, ctx);
      assert.equal(a2.body, b.body, ctx);
    }
  }
  assert.ok(await metric(A, 'gazette_cache_hits_total') > 100, 'the cache served along the way');
});

test('a story scheduled a few seconds ahead appears on the cached front page when its time comes', async () => {
  const id = sql(A.db, "SELECT id FROM articles WHERE edition = 'es' ORDER BY id LIMIT 1").trim();
  const when = new Date(Date.now() + 3000);
  const stamp = when.toISOString().slice(0, 19).replace('T', ' ');
  const title = `Programada para las ${stamp}`;
  execFileSync(BIN, ['article', 'edit', id, '--db', A.db, '--title', title, '--status', 'published', '--published', stamp]);
  await sleep(300);
  const before = await get(A.base, '/es/');
  assert.ok(!before.body.includes(title), 'not listed before its time');
  await get(A.base, '/es/');   // and cached without it
  let shown = false;
  while (!shown && Date.now() < when.getTime() + 3000) {
    shown = (await get(A.base, '/es/')).body.includes(title);
    if (!shown) await sleep(100);
  }
  assert.ok(shown, 'on the front page within 3 s of its publication time');
  assert.equal((await get(A.base, '/es/')).body, (await get(B.base, '/es/')).body);
});
