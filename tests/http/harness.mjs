// harness.mjs: starts a real `gazette serve` on a free loopback port with a
// fresh demo database, and offers helpers to fetch pages and send raw bytes.
// GAZETTE_BIN selects the binary (the ASan build runs the same tests).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// GAZETTE_SLOW: how many times slower the binary runs (valgrind: scripts/memcheck)
export const SLOW = Number(process.env.GAZETTE_SLOW || 1);
export const BIN = resolve(process.env.GAZETTE_BIN || join(root, 'build/gazette'));   // absolute: servers run in their own folder
// GAZETTE_PG (postgresql://user@host:port, no database): run on PostgreSQL,
// a fresh database per server; otherwise a fresh SQLite file.
export const PG = process.env.GAZETTE_PG || '';
let dbCounter = 0;

// Runs one SQL statement against a test database (SQLite file or PostgreSQL
// URL) and returns its output, rows one per line, columns |-separated.
export function sql(db, query) {
  if (db.startsWith('postgres')) return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', db, '-c', query]).toString();
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, query]).toString();
}

export function freshDatabase(dir) {
  if (!PG) return join(dir, 'site.db');
  const name = `gz_${process.pid}_${++dbCounter}_${Date.now() % 100000}`;
  sql(`${PG}/postgres`, `CREATE DATABASE ${name}`);
  return `${PG}/${name}`;
}

export function dropDatabase(db) {
  if (!db.startsWith('postgres')) return;
  const name = db.slice(db.lastIndexOf('/') + 1);
  try { sql(`${PG}/postgres`, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } catch { /* best effort */ }
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

// opts.db: serve an existing database instead of a fresh demo one;
// opts.env: the server's environment. The server runs in a fresh folder
// (srv.dir), where it writes its .eml files (srv.dir/mail).
export async function startServer(extraArgs = [], opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gazette-http-'));
  const db = opts.db || freshDatabase(dir);
  if (!opts.db) execFileSync(BIN, ['demo', '--db', db], { stdio: ['ignore', 'ignore', 'inherit'] });
  const port = await freePort();
  const logPath = process.env.GAZETTE_LOG_DIR
    ? join(process.env.GAZETTE_LOG_DIR, `server-${process.pid}-${port}.log`)
    : join(dir, 'server.log');
  const log = openSync(logPath, 'a');
  // in its own folder: what it writes there (mail as .eml files) goes away with it
  // a slowed binary (valgrind) spends far more than its share on sign-ins
  // and searches: the costly routes' limit would shed the tests' requests
  const slowArgs = SLOW > 1 ? ['--costly-share', '0'] : [];
  // opts.prefix: a command the server runs under (e.g. prlimit)
  const argv = [BIN, 'serve', '--db', db, '--listen', `127.0.0.1:${port}`, ...slowArgs, ...extraArgs];
  const cmd = [...(opts.prefix || []), ...argv];
  const proc = spawn(cmd[0], cmd.slice(1),
    { stdio: ['ignore', log, log], cwd: dir, env: opts.env || process.env });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000 * SLOW;
  for (;;) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) break;
    } catch { /* not up yet */ }
    if (proc.exitCode !== null) throw new Error(`gazette exited: ${readFileSync(logPath, 'utf8')}`);
    if (Date.now() > deadline) throw new Error('gazette did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise((res) => proc.on('exit', (code, sig) => res({ code, sig })));
  return {
    base, port, db, dir, proc, logPath,
    exited,
    async stop({ keep = false } = {}) {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const r = await exited;
      if (!keep) {
        rmSync(dir, { recursive: true, force: true });
        if (!opts.db) dropDatabase(db);
      }
      return r;
    },
    log() { return readFileSync(logPath, 'utf8'); },
  };
}

// Sends raw bytes and resolves with the whole response text (the server closes
// or the timeout ends the wait).
export function raw(port, bytes, timeoutMs = 5000) {
  return new Promise((res, rej) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { sock.destroy(); res(data); }, timeoutMs);
    sock.on('data', (d) => {
      data += d.toString('latin1');
      // one response is enough: stop once the headers and body are in
      const m = data.match(/\r\n\r\n/);
      if (m) {
        const cl = data.match(/content-length: *(\d+)/i);
        if (!cl || data.length >= data.indexOf('\r\n\r\n') + 4 + Number(cl[1])) {
          clearTimeout(timer); sock.destroy(); res(data);
        }
      }
    });
    sock.on('end', () => { clearTimeout(timer); res(data); });
    sock.on('error', (e) => { clearTimeout(timer); if (data) res(data); else rej(e); });
    sock.write(bytes);
  });
}

export function statusOf(rawResponse) {
  const m = rawResponse.match(/^HTTP\/1\.[01] (\d{3})/);
  return m ? Number(m[1]) : 0;
}

export async function get(base, path, headers = {}) {
  const r = await fetch(base + path, { redirect: 'manual', headers });
  const body = await r.text();
  return { status: r.status, headers: r.headers, body };
}

// Internal links of a page: every href starting with "/" (no static files).
export function links(html) {
  const out = new Set();
  for (const m of html.matchAll(/href="(\/[^"#]*)"/g)) {
    const u = m[1].replace(/&amp;/g, '&');
    if (!u.startsWith('/static/')) out.add(u);
  }
  return [...out];
}

export function attr(html, re) {
  const m = html.match(re);
  return m ? m[1] : null;
}

// A reader's browser without the browser: keeps its cookies (a later
// Set-Cookie with Max-Age=0 removes one) and sends them with every request.
export class Client {
  constructor(base) { this.base = base; this.jar = new Map(); }
  cookie() { return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '); }
  keep(res) {
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      if (/Max-Age=0(;|$)/.test(c)) this.jar.delete(kv.slice(0, i)); else this.jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
  }
  async get(path, headers = {}) {
    const r = await fetch(this.base + path, { redirect: 'manual', headers: { cookie: this.cookie(), ...headers } });
    this.keep(r);
    return { status: r.status, headers: r.headers, body: await r.text() };
  }
  async post(path, fields, headers = {}) {
    const r = await fetch(this.base + path, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: this.cookie(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
    this.keep(r);
    return { status: r.status, headers: r.headers, body: await r.text() };
  }
}

// A member of staff: a Client that signs in and reads the CSRF token of a
// page's form.
export class Staff extends Client {
  post(path, fields, headers = {}) { return super.post(path, fields, { 'accept-language': 'en', ...headers }); }
  get(path, headers = {}) { return super.get(path, { 'accept-language': 'en', ...headers }); }
  async csrf(path = '/admin/login') {
    return (await this.get(path)).body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  }
  async login(email, password) {
    return this.post('/admin/login', { csrf: await this.csrf(), email, password });
  }
}

// Staff accounts for a test: `gazette user add` on the server's database
// (the password from stdin), and a signed-in browser of one of them.
export const STAFF_PASSWORD = 'a long enough password';
export function addStaff(srv, name, role, ...editions) {
  const out = execFileSync(BIN, ['user', 'add', '--email', `${name}@example.org`, '--name', `Staff ${name}`, '--role', role,
    ...editions.flatMap((e) => ['--edition', e]), '--db', srv.db], { input: `${STAFF_PASSWORD}\n` }).toString();
  return Number(out.match(/user (\d+)/)[1]);
}
export async function signInStaff(srv, name) {
  const s = new Staff(srv.base);
  const r = await s.login(`${name}@example.org`, STAFF_PASSWORD);
  if (r.status !== 303) throw new Error(`${name} cannot sign in: ${r.status}`);
  return s;
}
