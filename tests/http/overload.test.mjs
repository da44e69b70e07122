// overload.test.mjs: a flood of costly requests (searches) past their share
// of the workers is answered 503 with Retry-After while cached pages keep
// answering 200; slow clients that never finish their headers do not stop
// the others; /metrics counts what was shed. No timing is judged here
// (bench/overload measures p99 under load).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, get } from './harness.mjs';

let S;
// a small share (5 % of two workers), so that a test-sized flood passes it
before(async () => { S = await startServer(['--costly-share', '5', '--threads', '2']); });
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
