// badinput.test.mjs: hostile and broken requests each get a proper 4xx, the
// server keeps serving, and nothing outside the theme is ever read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, raw, statusOf, get } from './harness.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, 'gazette exits 0 on SIGTERM');
});

const req = (target, method = 'GET', extra = '') =>
  `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`;

async function alive() {
  const r = await get(srv.base, '/healthz');
  assert.equal(r.status, 200, 'server still serving');
}

test('path traversal in every spelling is refused', async () => {
  const targets = ['/../etc/passwd', '/static/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/static/%2E%2E/%2E%2E/etc/passwd',
    '/static/..%2f..%2fetc%2fpasswd', '/static/%2e%2e%5c%2e%2e%5cetc', '/en/./', '/static/css/../../../../etc/passwd',
    '/static//etc/passwd', '/%c0%ae%c0%ae/etc/passwd', '/static/..\\..\\x'];
  for (const t of targets) {
    const res = await raw(srv.port, req(t));
    const st = statusOf(res);
    assert.ok(st === 400 || st === 404, `${t} → ${st}`);
    assert.doesNotMatch(res, /root:x:0:0/, t);
  }
  await alive();
});

test('NUL bytes and invalid UTF-8 in path and query are 400', async () => {
  for (const t of ['/en/%00', '/en/tag/a%00b', '/en/%ff%fe', '/en/tag/%C3', '/en/?page=%00', '/en/?q=%E2%82%28', '/en/?%zz=1', '/es/tag/%ED%A0%80']) {
    assert.equal(statusOf(await raw(srv.port, req(t))), 400, t);
  }
  await alive();
});

test('overlong URL and headers are refused', async () => {
  const longUrl = '/en/' + 'a'.repeat(9000);
  const st = statusOf(await raw(srv.port, req(longUrl)));
  assert.ok(st === 414 || st === 431, `long URL → ${st}`);
  const longHeader = `X-Big: ${'b'.repeat(100000)}\r\n`;
  const st2 = statusOf(await raw(srv.port, req('/en/', 'GET', longHeader)));
  assert.ok(st2 === 431 || st2 === 400 || st2 === 413, `long header → ${st2}`);
  await alive();
});

test('large but reasonable headers (an 8 KB cookie) are served', async () => {
  const res = await raw(srv.port, req('/en/', 'GET', `Cookie: prefs=${'c'.repeat(8000)}\r\nUser-Agent: ${'u'.repeat(500)}\r\n`));
  assert.equal(statusOf(res), 200);
});

test('unknown edition, unknown page numbers and garbage parameters', async () => {
  for (const [t, want] of [['/zz/', 404], ['/EN/', 404], ['/en/?page=abc', 400], ['/en/?page=1e9', 400],
    ['/en/?page=99999999999999', 400], ['/en/?page=1000000', 400], ['/en/?page=999999', 404], ['/en/?page=%20', 400]]) {
    assert.equal(statusOf(await raw(srv.port, req(t))), want, t);
  }
  await alive();
});

test('unknown and unsupported methods are 405 with Allow', async () => {
  for (const m of ['DELETE', 'PUT', 'PATCH', 'BREW', 'OPTIONS']) {
    const res = await raw(srv.port, req('/en/', m));
    assert.equal(statusOf(res), 405, m);
    assert.match(res, /\r\nAllow: /i, m);
  }
  const post = await raw(srv.port, req('/en/', 'POST', 'Content-Length: 3\r\n') + 'a=1');
  assert.equal(statusOf(post), 405);
  await alive();
});

test('a body over the limit is 413, not a crash', async () => {
  const big = 'x'.repeat(1100 * 1024);
  const res = await raw(srv.port, req('/en/', 'POST', `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${big.length}\r\n`) + big, 10000);
  const st = statusOf(res);
  assert.ok(st === 413 || st === 405, `→ ${st}`);
  await alive();
});

test('malformed request lines do not take the server down', async () => {
  for (const bytes of ['GARBAGE\r\n\r\n', 'GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', '\x00\x01\x02\r\n\r\n', 'GET noslash HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /en/ HTTP/1.1\r\nHost: x\r\nAccept-Language: \xff\xfe;q=abc,,,;\r\n\r\n']) {
    const res = await raw(srv.port, bytes, 2000);
    const st = statusOf(res);
    assert.ok(st === 0 || (st >= 400 && st < 500) || st === 200 || st === 505, `${JSON.stringify(bytes)} → ${st}`);
  }
  await alive();
});

test('many concurrent requests, all answered', async () => {
  const paths = ['/en/', '/es/', '/pt/', '/en/kind/news', '/es/section/mundo', '/nope', '/en/?page=abc'];
  const rs = await Promise.all(Array.from({ length: 140 }, (_, i) => get(srv.base, paths[i % paths.length])));
  for (const r of rs) assert.ok([200, 400, 404].includes(r.status));
  await alive();
});
