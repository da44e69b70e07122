// Installing (issue 11): `make install` into a staging folder puts the
// binary, theme, catalogs, demo, migrations, the systemd unit and the nginx
// example where docs/install.md says; the installed binary finds its data
// beside itself and serves; the unit passes systemd's own check; and the
// nginx example, run for real in front of Gazette with a throwaway
// certificate, serves the site over HTTPS with readers' addresses passed
// on and /metrics kept to the machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import https from 'node:https';
import { Client, startServer, get, sql, freePort, BIN } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let dest;
before(() => {
  dest = mkdtempSync(join(tmpdir(), 'gazette-install-'));
  execFileSync('make', ['-s', 'install', 'PREFIX=/usr', `DESTDIR=${dest}`], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
});
after(() => rmSync(dest, { recursive: true, force: true }));

test('make install puts every part in the usual places', () => {
  const has = (p, what) => assert.ok(existsSync(join(dest, p)), `${what}: ${p}`);
  has('usr/bin/gazette', 'the binary');
  assert.ok(statSync(join(dest, 'usr/bin/gazette')).mode & 0o111, 'executable');
  has('usr/share/gazette/themes/default/templates', 'the theme');
  has('usr/share/gazette/locale/es.po', 'the catalogs');
  has('usr/share/gazette/demo/stories', 'the demo');
  has('usr/share/gazette/migrations/0001_content.sql', 'the migrations');
  has('usr/share/doc/gazette/nginx-gazette.conf', 'the nginx example');
  has('usr/share/doc/gazette/install.md', 'the guide');
  const unit = readFileSync(join(dest, 'usr/lib/systemd/system/gazette.service'), 'utf8');
  assert.match(unit, /^ExecStart=\/usr\/bin\/gazette serve /m);
  for (const line of ['User=gazette', 'ProtectSystem=strict', 'PrivateTmp=yes', 'NoNewPrivileges=yes', 'CapabilityBoundingSet=', 'StateDirectory=gazette']) {
    assert.ok(unit.split('\n').includes(line), line);
  }
  assert.doesNotMatch(unit, /@[A-Z]+@/, 'every placeholder filled');
});

test('the installed binary finds its theme, catalogs and demo beside itself, and serves', async () => {
  const bin = join(dest, 'usr/bin/gazette');
  const env = { ...process.env };
  delete env.GAZETTE_DATADIR;
  const dir = mkdtempSync(join(tmpdir(), 'gazette-installed-'));
  try {
    const db = join(dir, 'site.db');
    execFileSync(bin, ['demo', '--db', db], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    assert.ok(Number(sql(db, 'SELECT count(*) FROM articles')) > 5);
    const port = await freePort();
    const proc = spawn(bin, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`], { env, cwd: dir, stdio: 'ignore' });
    try {
      let page;
      for (let i = 0; i < 100; i++) {
        try { page = await get(`http://127.0.0.1:${port}`, '/es/'); break; } catch { await new Promise((r) => setTimeout(r, 50)); }
      }
      assert.equal(page.status, 200);
      assert.match(page.body, /<html lang="es"/);
      const css = page.body.match(/href="(\/static\/[^"]+\.css[^"]*)"/)[1];
      assert.equal((await get(`http://127.0.0.1:${port}`, css)).status, 200, 'the theme\'s files');
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.on('exit', r));
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the systemd unit passes systemd-analyze verify', (t) => {
  const check = spawnSync('systemd-analyze', ['--version']);
  if (check.error) return t.skip('systemd-analyze is not on this machine (no systemd)');
  // checked where it will run: ExecStart pointed at the staged binary
  const unit = join(dest, 'gazette.service');
  writeFileSync(unit, readFileSync(join(dest, 'usr/lib/systemd/system/gazette.service'), 'utf8').replaceAll('/usr/bin/gazette', join(dest, 'usr/bin/gazette')));
  const r = spawnSync('systemd-analyze', ['verify', unit]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(r.stderr.toString().split('\n').filter((l) => l.includes('gazette.service')).join('\n'), '', 'no complaint about the unit');
});

function fetchTls(port, path, headers = {}) {
  return new Promise((res, rej) => {
    const req = https.get({ host: '127.0.0.1', port, path, headers: { host: 'news.example.org', ...headers }, rejectUnauthorized: false }, (r) => {
      let body = '';
      r.on('data', (d) => { body += d; });
      r.on('end', () => res({ status: r.statusCode, headers: r.headers, body }));
    });
    req.on('error', rej);
  });
}

test('the nginx example, run in front of gazette --behind-proxy: HTTPS, readers\' addresses, /metrics kept in', { timeout: 60000 }, async () => {
  const S = await startServer(['--behind-proxy', '--costly-share', '0']);
  for (const kv of [['comments.policy', 'open'], ['comments.min_seconds', '0'], ['comments.pow_bits', '0'],
    ['comments.rate_ip', '0'], ['comments.rate_email', '0']]) {
    execFileSync(BIN, ['settings', 'set', ...kv, '--db', S.db]);
  }
  const dir = mkdtempSync(join(tmpdir(), 'gazette-nginx-'));
  let nginx;
  try {
    mkdirSync(join(dir, 'logs'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '1', '-subj', '/CN=news.example.org'], { stdio: 'ignore' });
    const [http, tls] = [await freePort(), await freePort()];
    const site = readFileSync(join(dest, 'usr/share/doc/gazette/nginx-gazette.conf'), 'utf8')
      .replace('/etc/letsencrypt/live/news.example.org/fullchain.pem', join(dir, 'cert.pem'))
      .replace('/etc/letsencrypt/live/news.example.org/privkey.pem', join(dir, 'key.pem'))
      .replace(/^\s*listen \[::\]:\d+.*$/gm, '')
      .replace('listen 80;', `listen 127.0.0.1:${http};`)
      .replace('listen 443 ssl http2;', `listen 127.0.0.1:${tls} ssl http2;`)
      .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${S.port};`);
    writeFileSync(join(dir, 'site.conf'), site);
    writeFileSync(join(dir, 'nginx.conf'), `daemon off;\nerror_log ${dir}/logs/error.log;\npid ${dir}/nginx.pid;\nevents {}\n` +
      `http {\n access_log off;\n client_body_temp_path ${dir}; proxy_temp_path ${dir};\n include ${dir}/site.conf;\n}\n`);
    const syntax = spawnSync('nginx', ['-t', '-c', join(dir, 'nginx.conf'), '-p', dir]);
    assert.equal(syntax.status, 0, syntax.stderr.toString());
    nginx = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
    let front;
    for (let i = 0; i < 100; i++) {
      try { front = await fetchTls(tls, '/en/'); break; } catch { await new Promise((r) => setTimeout(r, 50)); }
    }
    assert.equal(front.status, 200);
    assert.ok(front.headers['strict-transport-security'], 'HSTS');
    assert.ok(front.headers.etag, 'Gazette\'s ETag passes through');
    assert.match(front.headers['cache-control'], /max-age/);
    const gz = await fetchTls(tls, '/en/', { 'accept-encoding': 'br, gzip' });
    assert.equal(gz.headers['content-encoding'], 'br', 'Gazette\'s own compression passes through');
    // plain HTTP goes to HTTPS
    const plain = await get(`http://127.0.0.1:${http}`, '/en/', { host: 'news.example.org' });
    assert.equal(plain.status, 301);
    assert.match(plain.headers.get('location'), /^https:\/\/[^/]+\/en\/$/);
    // /metrics: Gazette's own machine only, never relayed
    assert.equal((await fetchTls(tls, '/metrics')).status, 404);
    assert.equal((await get(S.base, '/metrics')).status, 200);
    // comments through the proxy are counted per reader: the address nginx saw
    const id = sql(S.db, "SELECT id FROM articles WHERE status = 'published' AND edition = 'en' ORDER BY id LIMIT 1").trim();
    const post = async (ip, tag) => {
      const c = new Client(S.base);
      const tok = JSON.parse((await c.get(`/comments/${id}/token`)).body);
      const r = await c.post(`/comments/${id}`, { csrf: tok.csrf, token: tok.token, name: 'Proxy Reader', email: 'p@example.org', body: `Via ${tag}` }, ip ? { 'x-real-ip': ip } : {});
      assert.equal(r.status, 303);
      return sql(S.db, `SELECT ip_hash FROM comments WHERE body_md = 'Via ${tag}'`).trim();
    };
    const a = await post('203.0.113.7', 'a'), b = await post('203.0.113.8', 'b'), a2 = await post('203.0.113.7', 'a2');
    assert.notEqual(a, b, 'two readers, two addresses');
    assert.equal(a, a2, 'one reader, one address');
    assert.equal(await post('not an address', 'junk'), await post(null, 'none'), 'a header that is no address is ignored');
  } finally {
    if (nginx) { nginx.kill('SIGTERM'); await new Promise((r) => nginx.on('exit', r)); }
    rmSync(dir, { recursive: true, force: true });
    await S.stop();
  }
  // without --behind-proxy the header means nothing
  const P = await startServer([]);
  try {
    const m = await get(P.base, '/metrics', { 'x-real-ip': '203.0.113.7' });
    assert.equal(m.status, 200, 'not behind a proxy: loopback is loopback');
  } finally { await P.stop(); }
});
