// Configuration (issue 11): one settings table gives gazette.conf, the
// environment, the command line, serve --help, the man page and
// docs/settings.md. The generated files in the tree are current; the file,
// then the environment, then the command line decide a value; a bad value
// names the setting and where it came from (FILE:LINE, the variable).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startServer, get, freePort } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let dir;
before(() => { dir = mkdtempSync(join(tmpdir(), 'gazette-config-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

// the environment without any GAZETTE_ setting, plus what a test adds
function envWith(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^GAZETTE_(?!PG|BIN|LOG_DIR|SLOW|DATADIR)/.test(k)));
  return { ...env, ...extra };
}
const gazette = (args, env = {}) => {
  const r = spawnSync(BIN, args, { env: envWith(env) });
  return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString() };
};

test('the man page, the sample gazette.conf and docs/settings.md are what the table makes (make docs)', () => {
  for (const [what, file] of [['man', 'dist/gazette.1'], ['sample', 'dist/gazette.conf'], ['markdown', 'docs/settings.md']]) {
    assert.equal(gazette(['config', what]).out, readFileSync(join(root, file), 'utf8'), `${file} is stale: run make docs`);
  }
  // every setting appears in each, and in serve --help
  const help = gazette(['serve', '--help']).out;
  const sample = readFileSync(join(root, 'dist/gazette.conf'), 'utf8');
  const keys = [...sample.matchAll(/^#([a-z-]+) = /gm)].map((m) => m[1]);
  assert.ok(keys.length >= 15, `${keys.length} settings`);
  for (const k of keys) {
    assert.match(readFileSync(join(root, 'docs/settings.md'), 'utf8'), new RegExp(`^### \`${k}\`$`, 'm'), k);
    assert.match(readFileSync(join(root, 'dist/gazette.1'), 'utf8'), new RegExp(`In the file: ${k.replace(/-/g, '\\\\-')}[ ,]`), k);
    assert.ok(help.includes(`--${k} `) || help.includes(`Sets ${k} = `), `serve --help: ${k}`);
  }
  // the man page reads without a complaint from groff
  const groff = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', join(root, 'dist/gazette.1')]);
  if (!groff.error) assert.equal(groff.stderr.toString(), '', 'groff warnings');
  // the sample, used as it is, is a valid file that changes nothing
  const shown = gazette(['config', 'show', '--config', join(root, 'dist/gazette.conf')]);
  assert.equal(shown.code, 0, shown.err);
  assert.doesNotMatch(shown.out, /# (?!default)/, 'every value is the default');
});

test('the file, then the environment, then the command line; config show says where each came from', async () => {
  const conf = join(dir, 'gazette.conf');
  writeFileSync(conf, '# a site\n[server]\nlisten = 127.0.0.1:9101\nthreads = 3\n\n[limits]\nper-ip = 7   \n[email]\nsmtp = "smtps://desk:pa55word@mail.example.org"\n');
  let r = gazette(['config', 'show', '--config', conf], { GAZETTE_THREADS: '5' });
  assert.equal(r.code, 0, r.err);
  const line = (k) => r.out.split('\n').find((l) => l.startsWith(`${k} `));
  assert.match(line('listen'), /= 127\.0\.0\.1:9101 .*# .*gazette\.conf:3$/);
  assert.match(line('threads'), /= 5 .*# environment GAZETTE_THREADS$/);
  assert.match(line('per-ip'), /= 7 .*# .*gazette\.conf:7$/);
  assert.match(line('cache-size'), /= 256 .*# default$/);
  assert.match(line('smtp'), /smtps:\/\/desk:\*\*\*@mail\.example\.org/);
  assert.doesNotMatch(r.out, /pa55word/, 'no password shown');
  r = gazette(['config', 'show', '--config', conf, '--threads', '2', '--no-cache'], { GAZETTE_THREADS: '5' });
  assert.match(r.out.split('\n').find((l) => l.startsWith('threads ')), /= 2 .*# command line$/);
  assert.match(r.out.split('\n').find((l) => l.startsWith('cache ')), /= no .*# command line$/);
  // $GAZETTE_CONFIG names the file too
  r = gazette(['config', 'show'], { GAZETTE_CONFIG: conf });
  assert.match(r.out, /^listen +=  ?127\.0\.0\.1:9101/m);

  // and serve obeys: its port and database from the file, the database overridden by the environment
  const S = await startServer([]);
  try {
    const port = await freePort();
    writeFileSync(conf, `[database]\ndb = ${join(dir, 'nowhere.db')}\n[server]\nlisten = 127.0.0.1:${port}\naccess-log = off\n`);
    const env = envWith({ GAZETTE_DB: S.db });
    const child = execFile(BIN, ['serve', '--config', conf], { env });
    let page;
    for (let i = 0; i < 100; i++) {
      try { page = await get(`http://127.0.0.1:${port}`, '/en/'); break; } catch { await new Promise((res) => setTimeout(res, 50)); }
    }
    child.kill('SIGTERM');
    await new Promise((res) => child.on('exit', res));
    assert.equal(page?.status, 200, 'served on the port from the file, from the database in the environment');
  } finally { await S.stop(); }
});

test('a bad value names the setting and where it came from; the server does not start', () => {
  const conf = join(dir, 'bad.conf');
  const cases = [
    ['[server]\nthreads = many\n', /bad\.conf:2: threads wants a whole number from 1 to 256, not 'many'/],
    ['[server]\n\nlisten = 8080\n', /bad\.conf:3: listen wants HOST:PORT/],
    ['[cache]\ncache = perhaps\n', /bad\.conf:2: cache wants yes or no, not 'perhaps'/],
    ['[server]\nthredas = 2\n', /bad\.conf:2: unknown setting 'thredas'/],
    ['[nowhere]\n', /bad\.conf:1: unknown section \[nowhere\]/],
    ['listen\n', /bad\.conf:1: expected 'setting = value'/],
    ['fault-injection = yes\n', /bad\.conf:1: unknown setting 'fault-injection'/],
    ['[email]\nsmtp = mail.example.org\n', /bad\.conf:2: smtp wants smtp:\/\/HOST/],
  ];
  for (const [text, why] of cases) {
    writeFileSync(conf, text);
    const r = gazette(['serve', '--config', conf]);
    assert.equal(r.code, 2, text);
    assert.match(r.err, why, text);
  }
  let r = gazette(['serve', '--config', join(dir, 'missing.conf')]);
  assert.equal(r.code, 2);
  assert.match(r.err, /missing\.conf: No such file/);
  r = gazette(['serve'], { GAZETTE_CACHE_SIZE: '0' });
  assert.equal(r.code, 2);
  assert.match(r.err, /environment GAZETTE_CACHE_SIZE: cache-size wants a whole number from 1 to 1048576, not '0'/);
  r = gazette(['serve', '--per-ip', '-3']);
  assert.equal(r.code, 2);
  assert.match(r.err, /command line: per-ip wants a whole number from 0 to 60000, not '-3'/);
});

test('the other commands take their database from the settings', async () => {
  const conf = join(dir, 'db.conf');
  const db = join(dir, 'from-conf.db');
  writeFileSync(conf, `[database]\ndb = ${db}\n`);
  const r = gazette(['init'], { GAZETTE_CONFIG: conf });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`${db}: schema version \\d+`));
  const u = gazette(['user', 'list'], { GAZETTE_CONFIG: conf });
  assert.equal(u.code, 0, u.err);
});
