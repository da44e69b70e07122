// overload.test.mjs: a flood of costly requests (searches) past their share
// of the workers is answered 503 with Retry-After while cached pages keep
// answering 200; slow clients that never finish their headers do not stop
// the others; /metrics counts what was shed; a client pinned to one CPU
// is served by that CPU's I/O thread, and /metrics counts each thread's
// requests; without a page cache, busy I/O threads render quick pages
// themselves, byte for byte as a worker would. No timing is judged here
// (bench/overload measures p99 under load).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { startServer, get, SLOW, PG } from './harness.mjs';

let S;
// a small share (1 % of two workers: 20 ms of searching a second), so that
// a test-sized flood passes it even from a slow client (at 5 %, 24 clients
// on a busy two-core machine once sent 235 searches a second, too few)
before(async () => { S = await startServer(['--costly-share', '1', '--threads', '2']); });
after(async () => { assert.equal((await S.stop()).code, 0); });

test('a search flood is shed with 503 and Retry-After; cached pages keep answering 200', async () => {
  const front = await get(S.base, '/en/');
  const story = front.body.match(/href="(\/en\/20\d\d\/\d\d\/[^"]+)"/)[1];
  await get(S.base, story);   // cached from here on
  const until = Date.now() + 3000;
  const codes = new Map();
  let retryAfter = null;
  const flood = Array.from({ length: 24 }, async (_, k) => {
    for (let i = 0; Date.now() < until; i++) {
      const r = await fetch(`${S.base}/en/search?q=${['water', 'election', 'council', 'budget'][(k + i) % 4]}+${i % 7}`);
      await r.arrayBuffer();
      codes.set(r.status, (codes.get(r.status) || 0) + 1);
      if (r.status === 503) retryAfter = r.headers.get('retry-after');
    }
  });
  const pages = [];
  const reader = (async () => {
    while (Date.now() < until) {
      const r = await fetch(S.base + story);
      await r.arrayBuffer();
      pages.push(r.status);
    }
  })();
  await Promise.all([...flood, reader]);
  assert.ok((codes.get(503) || 0) > 0, `some searches shed: ${JSON.stringify([...codes])}`);
  assert.ok((codes.get(200) || 0) > 0, 'some searches answered');
  assert.equal(retryAfter, '2');
  assert.ok(pages.length > 10, `${pages.length} page reads`);
  assert.deepEqual([...new Set(pages)], [200], 'every cached page answered');
  const metrics = await get(S.base, '/metrics');
  const shed = Number(metrics.body.match(/^gazette_costly_shed_total (\d+)$/m)[1]);
  assert.ok(shed >= (codes.get(503) || 0), `metrics: ${shed} shed`);
  // the renders' pool: the two workers asked for, and nothing left queued
  // once the flood is answered (this request is being rendered, not queued)
  assert.match(metrics.body, /^gazette_render_workers 2$/m);
  assert.match(metrics.body, /^gazette_render_queued 0$/m);
  // the flood over, searches run again
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await get(S.base, '/en/search?q=water')).status, 200);
});

test('200 clients that never finish their headers do not hold up the others', async () => {
  const socks = [];
  for (let i = 0; i < 200; i++) {
    const s = net.connect(S.port, '127.0.0.1');
    s.on('error', () => {});
    s.write('GET /en/ HTTP/1.1\r\nHost: x\r\nX-Slow: ');   // and then nothing
    socks.push(s);
  }
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < 20; i++) assert.equal((await get(S.base, '/en/')).status, 200);
  for (const s of socks) s.destroy();
});

// A client that dribbles: one byte every 300 ms is never idle for the
// timeout, yet must finish each phase within its deadline. Resolves with
// how long the server kept the connection, and what it answered.
function dribble(port, head, { body = '', every = 300, limit = 20000 } = {}) {
  return new Promise((res) => {
    const t0 = Date.now();
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const bytes = head + body;
    let i = 0;
    const timer = setInterval(() => { if (i < bytes.length) s.write(bytes[i++]); }, every);
    const done = (how) => { clearInterval(timer); clearTimeout(cap); s.destroy(); res({ ms: Date.now() - t0, got, how, sent: i }); };
    const cap = setTimeout(() => done('still open'), limit);
    s.on('data', (d) => { got += d.toString('latin1'); });
    s.on('close', () => done('closed'));
    s.on('error', () => done('closed'));
  });
}

test('deadlines: headers or a body sent a byte at a time are cut past the client timeout; a steady client is not', { timeout: 60000 }, async () => {
  const T = await startServer(['--client-timeout', '2', '--threads', '2']);
  try {
    // headers that would take 30 s at this pace
    const head = `GET /en/ HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(80)}\r\n\r\n`;
    const h = await dribble(T.port, head);
    assert.equal(h.how, 'closed', 'the slow headers were cut');
    assert.ok(h.ms >= 1800 && h.ms < 6000, `cut after ${h.ms} ms (timeout 2 s)`);
    assert.ok(h.sent < head.length, 'before the headers were all in');
    // a body of 2,000 bytes: 2 s + 2000/8192 s allowed, 600 s at this pace
    const post = `POST /admin/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000\r\n\r\n`;
    const b = await dribble(T.port, '', { body: post + 'e'.repeat(2000), every: 2 });
    // the headers go in about 0.3 s at 2 ms a byte; then the body's deadline
    assert.equal(b.how, 'closed', `the slow body was cut (${b.sent} bytes sent)`);
    assert.ok(b.ms >= 1800 && b.ms < 7000, `cut after ${b.ms} ms`);
    // meanwhile, and after, others are served; the cuts are counted
    assert.equal((await get(T.base, '/en/')).status, 200);
    const m = (await get(T.base, '/metrics')).body.match(/^gazette_deadline_cut_total (\d+)$/m);
    assert.ok(Number(m[1]) >= 2, `metrics: ${m[1]} cut`);
    // a keep-alive client that pauses 1 s between requests is served every time
    const s = net.connect(T.port, '127.0.0.1');
    let answers = 0;
    s.on('data', (d) => { answers += (d.toString('latin1').match(/HTTP\/1\.1 200/g) || []).length; });
    for (let i = 0; i < 4; i++) {
      s.write('GET /en/ HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((r) => setTimeout(r, 1000));
    }
    s.destroy();
    assert.equal(answers, 4, 'a steady keep-alive client kept its connection');
  } finally {
    assert.equal((await T.stop()).code, 0);
  }
});

// Connections from one CPU all go to one I/O thread (steering by CPU); that
// thread may then hold the whole connection budget, and no more: under 400
// descriptors the server keeps 256 connections (connection_limit) in all.
// The client runs pinned to CPU 0, so every connection takes that path.
const holder = `
import net from 'node:net';
const [port, n] = process.argv.slice(1).map(Number);
const socks = await Promise.all(Array.from({ length: n }, () => new Promise((res) => {
  const s = net.connect(port, '127.0.0.1', () => res(s));
  s.on('error', () => res(s));
})));
await new Promise((r) => setTimeout(r, 1000));   // every one accepted, or refused and closed
let served = 0;
await Promise.all(socks.map((s) => new Promise((res) => {
  let got = '';
  s.on('data', (d) => { got += d.toString('latin1'); if (got.includes('\\r\\n\\r\\n')) { served += got.startsWith('HTTP/1.1 200') ? 1 : 0; res(); } });
  s.on('close', res);
  s.on('error', res);
  setTimeout(res, 5000);
  s.write('GET /healthz HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n', () => {});
})));
console.log(JSON.stringify({ served }));
socks.forEach((s) => s.destroy());
`;

test('one I/O thread may hold the whole connection budget, and the budget holds over all of them', { skip: SLOW > 1 ? 'valgrind keeps descriptors of its own' : false }, async () => {
  const T = await startServer(['--per-ip', '0', '--io-threads', '2'], { prefix: ['prlimit', '--nofile=400:400'] });
  try {
    const run = (n) => {
      const r = spawnSync('taskset', ['-c', '0', process.execPath, '--input-type=module', '-e', holder, String(T.port), String(n)], { encoding: 'utf8', timeout: 30000 });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout).served;
    };
    const few = run(200);
    assert.equal(few, 200, `200 connections on one thread, all served (a thread's half of the budget would be 128): ${few}`);
    const many = run(320);
    assert.ok(many >= 240 && many <= 256, `320 connections: as many served as the budget of 256 allows, no more: ${many}`);
    assert.equal((await get(T.base, '/en/')).status, 200, 'served again once they are gone');
  } finally {
    assert.equal((await T.stop()).code, 0);
  }
});

// n requests on each of conc keep-alive connections, from a process the
// caller pins to one CPU; its arguments are URL, N and CONC
const reader = `
const [url, n, conc] = process.argv.slice(1);
await Promise.all(Array.from({ length: Number(conc) }, async () => {
  for (let i = 0; i < Number(n); i++) {
    const r = await fetch(url);
    await r.arrayBuffer();
    if (r.status !== 200) { console.error('status ' + r.status); process.exit(1); }
  }
}));
`;

test('a client is served by the I/O thread numbered by its CPU, and /metrics counts each thread', { skip: os.cpus().length < 2 ? 'needs two CPUs to steer between' : false }, async () => {
  const T = await startServer(['--io-threads', '2']);
  try {
    const io = async () => {
      const m = (await get(T.base, '/metrics')).body;
      assert.match(m, /^gazette_io_connections\{thread="1"\} \d+$/m);
      return [0, 1].map((t) => Number(m.match(new RegExp(`^gazette_io_requests_total\\{thread="${t}"\\} (\\d+)$`, 'm'))[1]));
    };
    const from = (cpu, n) => {
      const r = spawnSync('taskset', ['-c', String(cpu), process.execPath, '--input-type=module', '-e', reader, T.base + '/en/', String(n), '1'], { encoding: 'utf8', timeout: 30000 });
      assert.equal(r.status, 0, r.stderr);
    };
    // each /metrics read is one more request, on either thread
    const a = await io();
    from(0, 20);
    const b = await io();
    from(1, 30);
    const c = await io();
    assert.ok(b[0] - a[0] >= 20 && b[1] - a[1] <= 1, `20 requests from CPU 0: thread 0 +${b[0] - a[0]}, thread 1 +${b[1] - a[1]}`);
    assert.ok(c[1] - b[1] >= 30 && c[0] - b[0] <= 1, `30 requests from CPU 1: thread 0 +${c[0] - b[0]}, thread 1 +${c[1] - b[1]}`);
  } finally {
    assert.equal((await T.stop()).code, 0);
  }
});

// A server held to one CPU with one I/O thread: there is no other I/O
// thread to be idle, so without a page cache that thread renders each
// quick page itself, and hands everything else to a worker.
const onOneCpu = { prefix: ['taskset', '-c', '0'] };
const ioRenders = async (srv, t = 0) => Number((await get(srv.base, '/metrics')).body
  .match(new RegExp(`^gazette_io_renders_total\\{thread="${t}"\\} (\\d+)$`, 'm'))[1]);

test('without a page cache, an I/O thread renders quick pages itself, the same bytes a worker makes; the rest goes to workers', async () => {
  const T = await startServer(['--io-threads', '1', '--no-cache'], onOneCpu);
  // the same database through workers: two I/O threads, one client, so the other thread idles
  const W = await startServer(['--io-threads', '2', '--no-cache'], { db: T.db });
  try {
    const front = await get(T.base, '/en/');
    const story = front.body.match(/href="(\/en\/20\d\d\/\d\d\/[^"]+)"/)[1];
    const tag = (await get(T.base, story)).body.match(/href="(\/en\/tag\/[^"]+)"/)[1];
    const section = front.body.match(/href="(\/en\/section\/[^"]+)"/)[1];
    const quick = [[story, 200], [tag, 200], [section, 200], ['/en/feed.atom', 200], ['/en/about', 200], ['/en/no-such-page', 404]];
    const a = await ioRenders(T);
    for (const [u, status] of quick) {
      const [t, w] = [await get(T.base, u), await get(W.base, u)];
      assert.equal(t.status, status, u);
      assert.equal(w.status, status, u);
      const bare = (body, base) => body.replaceAll(base, '').replaceAll(encodeURIComponent(base), '');
      assert.equal(bare(t.body, T.base), bare(w.body, W.base), `${u}: the I/O thread's render and a worker's`);
    }
    const head = await fetch(T.base + story, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const b = await ioRenders(T);
    for (const u of ['/en/search?q=water', '/admin/login', '/healthz', `${tag}?page=2`, '/en/events', '/static/css/site.css'])
      assert.ok([200, 404].includes((await get(T.base, u)).status), u);
    const c = await ioRenders(T);
    assert.equal(b - a, PG ? 0 : quick.length + 1, 'the quick pages and the HEAD, each rendered by the I/O thread (none with PostgreSQL)');
    assert.equal(c - b, 0, 'a search, the sign-in form, /healthz, a page asked with a query, the events page, a theme file: by workers');
    assert.deepEqual([await ioRenders(W, 0), await ioRenders(W, 1)], [0, 0], 'with an idle I/O thread, every render by a worker');
  } finally {
    assert.equal((await W.stop()).code, 0);
    assert.equal((await T.stop()).code, 0);
  }
});

test('with a page cache, every render goes to a worker, even one that passes the cache', async () => {
  const C = await startServer(['--io-threads', '1'], onOneCpu);
  try {
    const a = await ioRenders(C);
    assert.equal((await get(C.base, '/en/tag/us')).status, 200);   // rendered for the page cache
    const r = await fetch(C.base + '/en/tag/us', { headers: { Cookie: 'gz_reader=1' } });   // past the cache
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    assert.equal(await ioRenders(C) - a, 0);
  } finally {
    assert.equal((await C.stop()).code, 0);
  }
});

test('without a page cache, two I/O threads on two CPUs hand renders to workers while one idles, and render themselves while both are busy', { skip: os.cpus().length < 2 ? 'needs two CPUs to steer between' : PG ? 'PostgreSQL renders always go to workers' : false }, async () => {
  const T = await startServer(['--io-threads', '2', '--no-cache'], { prefix: ['taskset', '-c', '0,1'] });
  try {
    const story = (await get(T.base, '/en/')).body.match(/href="(\/en\/20\d\d\/\d\d\/[^"]+)"/)[1];
    const renders = async () => [await ioRenders(T, 0), await ioRenders(T, 1)];
    const load = (cpu, n) => new Promise((res) => {
      const p = spawn('taskset', ['-c', String(cpu), process.execPath, '--input-type=module', '-e', reader, T.base + story, String(n), '4'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => { err += d; });
      p.on('exit', (code) => res({ code, err }));
    });
    const a = await renders();
    const one = await load(0, 25);
    assert.equal(one.code, 0, one.err);
    const b = await renders();
    assert.deepEqual([b[0] - a[0], b[1] - a[1]], [0, 0], 'clients on one CPU: every render handed to a worker');
    const both = await Promise.all([load(0, 100 * SLOW), load(1, 100 * SLOW)]);
    for (const r of both) assert.equal(r.code, 0, r.err);
    const c = await renders();
    assert.ok(c[0] > b[0] && c[1] > b[1], `clients on both CPUs: renders by thread 0 +${c[0] - b[0]}, thread 1 +${c[1] - b[1]}`);
  } finally {
    assert.equal((await T.stop()).code, 0);
  }
});
