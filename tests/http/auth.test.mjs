// auth.test.mjs: newsroom accounts: `gazette user add` (password from
// standard input), sign in with argon2id, the session cookie, sliding and
// ending sessions, sign out, throttled failures, password change, and the
// dashboard behind it all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { BIN, Client, Staff as StaffBase, startServer, get, sql } from './harness.mjs';

let S;
// every sign-in hashes a password (Argon2), and this file signs in many
// times in a row: on a slow machine that passed the costly routes' share
// and a sign-in was shed with 503. Shedding has its own tests (overload).
before(async () => { S = await startServer(['--costly-share', '0']); });
after(async () => { assert.equal((await S.stop()).code, 0); });

const one = (q) => sql(S.db, q).trim();
const addUser = (email, role, password, ...more) =>
  execFileSync(BIN, ['user', 'add', '--email', email, '--name', `Name of ${role}`, '--role', role, ...more, '--db', S.db], { input: `${password}\n` }).toString();

class Staff extends StaffBase {
  constructor() { super(S.base); }
}

test('gazette user add: the first admin, with a password from standard input', () => {
  assert.match(addUser('Chief@Example.org', 'admin', 'correct horse battery'), /user \d+: Name of admin <chief@example\.org>, admin/);
  assert.match(one(`SELECT password_hash FROM users WHERE email = 'chief@example.org'`), /^\$argon2id\$/);
  assert.throws(() => addUser('chief@example.org', 'admin', 'another long one'), /not added/);
  assert.throws(() => addUser('short@example.org', 'editor', 'short'), /at least 10 characters/);
  assert.throws(() => addUser('x@example.org', 'overlord', 'long enough pass'), /--role wants/);
  assert.throws(() => addUser('ed@example.org', 'editor', 'long enough pass', '--edition', 'xx'), /not added/);
  assert.match(addUser('ed@example.org', 'editor', 'long enough pass', '--edition', 'pt', '--edition', 'es'), /editor/);
  assert.match(execFileSync(BIN, ['user', 'list', '--db', S.db]).toString(), /ed@example\.org +Name of editor +editor +es,pt/);
});

test('sign in, the session cookie, the dashboard, sign out', async () => {
  const anon = await get(S.base, '/admin');
  assert.equal(anon.status, 303);
  assert.equal(decodeURIComponent(anon.headers.get('location')), '/admin/login?next=/admin');
  const s = new Staff();
  const noCsrf = await s.post('/admin/login', { email: 'chief@example.org', password: 'correct horse battery' });
  assert.equal(noCsrf.status, 403);
  const wrong = await s.login('chief@example.org', 'not the password');
  assert.equal(wrong.status, 401);
  assert.match(wrong.body, /The email address or the password is not right\./);
  assert.match(wrong.body, /value="chief@example\.org"/);
  const unknown = await s.login('nobody@example.org', 'whatever it is');
  assert.equal(unknown.status, 401, 'the same answer for an unknown account');
  const ok = await s.login('CHIEF@example.org', 'correct horse battery');
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/admin');
  const set = ok.headers.getSetCookie().join('\n');
  assert.match(set, /gz_session=[0-9a-f]{64}; Path=\/admin; Max-Age=\d+; HttpOnly; SameSite=Strict/);
  const token = s.jar.get('gz_session');
  assert.equal(one(`SELECT count(*) FROM sessions WHERE token_hash = '${token}'`), '0', 'tokens are stored hashed');
  const dash = await s.get('/admin');
  assert.equal(dash.status, 200);
  assert.equal(dash.headers.get('cache-control'), 'private, no-store');
  assert.match(dash.body, /Signed in as <strong>Name of admin<\/strong> \(admin\)/);
  assert.match(dash.body, /Comments waiting for moderation/);
  assert.match(dash.body, /Book Awards 2026/, 'upcoming events with seats sold');
  // the session cookie never reaches reader pages, which stay shared
  assert.doesNotMatch(set, /Path=\/;/);
  // sign out: the token stops working
  const csrf = dash.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  const out = await s.post('/admin/logout', { csrf });
  assert.equal(out.status, 303);
  s.jar.set('gz_session', token);   // replaying the old token
  assert.equal((await s.get('/admin')).status, 303);
  assert.deepEqual(one(`SELECT action FROM audit_log WHERE action IN ('login', 'logout') ORDER BY id`).split('\n'), ['login', 'logout']);
  // back where the reader was, but never to another site
  for (const next of ['//evil.example/', '/\\evil.example/', 'https://evil.example/', '/%0d%0aSet-Cookie:x=1']) {
    const away = new Staff();
    const res = await away.post('/admin/login', { csrf: await away.csrf(), email: 'chief@example.org', password: 'correct horse battery', next: decodeURIComponent(next) });
    assert.equal(res.status, 303, next);
    assert.equal(res.headers.get('location'), '/admin', `${next} is not followed`);
  }
  // a session ends when it expires
  const later = new Staff();
  assert.equal((await later.login('chief@example.org', 'correct horse battery')).status, 303);
  assert.equal((await later.get('/admin')).status, 200);
  sql(S.db, `UPDATE sessions SET expires_at = 1`);
  assert.equal((await later.get('/admin')).status, 303);
});

test('failed sign-ins are throttled per account, with a clear message', async () => {
  addUser('target@example.org', 'author', 'the real password');
  const s = new Staff();
  for (let i = 0; i < 5; i++) assert.equal((await s.login('target@example.org', `guess ${i}`)).status, 401);
  const locked = await s.login('target@example.org', 'the real password');
  assert.equal(locked.status, 429, 'even the right password waits');
  assert.equal(locked.headers.get('retry-after'), '900');
  assert.match(locked.body, /Too many failed sign-ins\. Please wait 15 minutes and try again\./);
  sql(S.db, `UPDATE login_failures SET at = at - 3600`);
  assert.equal((await s.login('target@example.org', 'the real password')).status, 303, 'after the window');
});

test('password change: checked, confirmed, other sessions end', async () => {
  addUser('changer@example.org', 'editor', 'first password!');
  const a = new Staff(), b = new Staff();
  assert.equal((await a.login('changer@example.org', 'first password!')).status, 303);
  assert.equal((await b.login('changer@example.org', 'first password!')).status, 303);
  const csrf = await a.csrf('/admin/password');
  const bad = await a.post('/admin/password', { csrf, current: 'wrong', new: 'second password!', again: 'second password!' });
  assert.equal(bad.status, 422);
  assert.match(bad.body, /This is not your current password\./);
  const short = await a.post('/admin/password', { csrf, current: 'first password!', new: 'short', again: 'short' });
  assert.match(short.body, /at least 10 characters/);
  const mismatch = await a.post('/admin/password', { csrf, current: 'first password!', new: 'second password!', again: 'second passw0rd!' });
  assert.match(mismatch.body, /The two new passwords are not the same\./);
  const done = await a.post('/admin/password', { csrf, current: 'first password!', new: 'second password!', again: 'second password!' });
  assert.equal(done.status, 200);
  assert.match(done.body, /Your password is changed/);
  assert.equal((await a.get('/admin')).status, 200, 'this session goes on');
  assert.equal((await b.get('/admin')).status, 303, 'the other one ends');
  assert.equal((await new Staff().login('changer@example.org', 'first password!')).status, 401);
  assert.equal((await new Staff().login('changer@example.org', 'second password!')).status, 303);
});

test('a forgotten password: a one-time emailed link, the same answer for unknown addresses', async () => {
  addUser('forgetful@example.org', 'author', 'old password here');
  const s = new Staff();
  const login = await s.get('/admin/login');
  assert.match(login.body, /href="\/admin\/reset">Forgot your password\?<\/a>/);
  const csrf = await s.csrf('/admin/reset');
  assert.equal((await s.post('/admin/reset', { email: 'forgetful@example.org' })).status, 403, 'CSRF required');
  const known = await s.post('/admin/reset', { csrf, email: 'Forgetful@example.org' });
  const unknown = await s.post('/admin/reset', { csrf, email: 'nobody@example.org' });
  assert.equal(known.status, 200);
  assert.equal(unknown.status, 200);
  const said = (r) => r.body.match(/<p class="form-note" role="status">([^<]*)<\/p>/)[1];
  assert.equal(said(known), said(unknown), 'no account enumeration');
  assert.equal(one(`SELECT count(*) FROM outbox WHERE to_addr = 'nobody@example.org'`), '0');
  const body = one(`SELECT body FROM outbox WHERE to_addr = 'forgetful@example.org' ORDER BY id DESC LIMIT 1`);
  const [, token] = body.match(/\/admin\/reset\/([0-9a-f]{64})/);
  assert.equal(one(`SELECT count(*) FROM password_resets WHERE token_hash = '${token}'`), '0', 'only a hash is kept');
  const other = new Staff();
  assert.equal((await other.login('forgetful@example.org', 'old password here')).status, 303);

  const page = await s.get(`/admin/reset/${token}`);
  assert.equal(page.status, 200);
  const csrf2 = page.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  const mismatch = await s.post(`/admin/reset/${token}`, { csrf: csrf2, new: 'brand new password', again: 'brand new passw0rd' });
  assert.equal(mismatch.status, 422);
  const done = await s.post(`/admin/reset/${token}`, { csrf: csrf2, new: 'brand new password', again: 'brand new password' });
  assert.equal(done.status, 200);
  assert.match(done.body, /Your new password is set/);
  assert.equal((await other.get('/admin')).status, 303, 'every session of the account ended');
  assert.equal((await new Staff().login('forgetful@example.org', 'old password here')).status, 401);
  assert.equal((await new Staff().login('forgetful@example.org', 'brand new password')).status, 303);
  const again = await s.post(`/admin/reset/${token}`, { csrf: csrf2, new: 'third password!!', again: 'third password!!' });
  assert.equal(again.status, 410, 'a link works once');
  assert.equal((await s.get(`/admin/reset/${'0'.repeat(64)}`)).status, 410);
  // an hour later the link is gone; at most three links an hour
  await s.post('/admin/reset', { csrf, email: 'forgetful@example.org' });
  const late = one(`SELECT body FROM outbox WHERE to_addr = 'forgetful@example.org' ORDER BY id DESC LIMIT 1`).match(/\/admin\/reset\/([0-9a-f]{64})/)[1];
  sql(S.db, `UPDATE password_resets SET expires_at = 1 WHERE used_at IS NULL`);
  assert.equal((await s.get(`/admin/reset/${late}`)).status, 410);
  for (let i = 0; i < 3; i++) await s.post('/admin/reset', { csrf, email: 'forgetful@example.org' });
  assert.equal(one(`SELECT count(*) FROM password_resets WHERE user_id = (SELECT id FROM users WHERE email = 'forgetful@example.org')`), '3');
});

// RFC 6238, as an authenticator app computes it: the code of a base32 key at a time step
function totp(key, step = Math.floor(Date.now() / 30000)) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of key.replace(/ /g, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const bytes = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', bytes).update(msg).digest();
  const off = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

test('two-step sign-in: an authenticator app\'s code after the password, good once', async () => {
  addUser('twostep@example.org', 'editor', 'two step password');
  const s = new Staff();
  assert.equal((await s.login('twostep@example.org', 'two step password')).status, 303);
  const page = await s.get('/admin/totp');
  assert.equal(page.status, 200);
  assert.match(page.body, /<svg[^>]*role="img"/, 'a QR code to scan');
  const key = page.body.match(/<code>([A-Z2-7 ]+)<\/code>/)[1];
  assert.equal(key.replace(/ /g, '').length, 32, '160 bits');
  assert.doesNotMatch(one("SELECT totp_secret FROM users WHERE email = 'twostep@example.org'"), new RegExp(key.replace(/ /g, '').slice(0, 8)), 'kept sealed');
  assert.equal((await s.get('/admin/totp')).body.match(/<code>([A-Z2-7 ]+)<\/code>/)[1], key, 'the same pending key until confirmed');
  const csrf = page.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  const wrong = await s.post('/admin/totp', { csrf, action: 'on', code: totp(key, Math.floor(Date.now() / 30000) + 5) });
  assert.equal(wrong.status, 422);
  assert.equal(one("SELECT totp_on FROM users WHERE email = 'twostep@example.org'"), '0');
  // steps are 30 s: start early in one, so that the codes below stay in the server's window
  if (Date.now() % 30000 > 20000) await new Promise((r) => setTimeout(r, 30000 - (Date.now() % 30000) + 100));
  const step = Math.floor(Date.now() / 30000);
  const on = await s.post('/admin/totp', { csrf, action: 'on', code: totp(key, step - 1) });
  assert.equal(on.status, 303);
  assert.equal(one("SELECT totp_on FROM users WHERE email = 'twostep@example.org'"), '1');
  // signing in now takes the code too
  const t = new Staff();
  const first = await t.login('twostep@example.org', 'two step password');
  assert.equal(first.status, 303);
  assert.equal(first.headers.get('location'), '/admin/login/code');
  assert.equal(t.jar.has('gz_session'), false, 'no session from the password alone');
  assert.equal((await t.get('/admin')).status, 303);
  const codePage = await t.get('/admin/login/code');
  assert.equal(codePage.status, 200);
  const c2 = codePage.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  assert.equal((await t.post('/admin/login/code', { csrf: c2, code: '000000' })).status, 401);
  // the code that turned it on was used: the same step does not work again
  const replay = await t.post('/admin/login/code', { csrf: c2, code: totp(key, step - 1) });
  assert.equal(replay.status, 401, 'a code is good once');
  const next = await t.post('/admin/login/code', { csrf: c2, code: totp(key, step).replace(/^(...)/, '$1 ') });
  assert.equal(next.status, 303, 'the code of now, typed with a space');
  assert.equal(next.headers.get('location'), '/admin');
  assert.equal((await t.get('/admin')).status, 200);
  // a forged pending sign-in goes nowhere
  const forged = new Staff();
  forged.jar.set('gz_2fa', `1.${Math.floor(Date.now() / 1000) + 300}.${'0'.repeat(64)}`);
  assert.equal((await forged.get('/admin/login/code')).status, 303);
  // off again, with a code
  const c3 = (await t.get('/admin/totp')).body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  assert.equal((await t.post('/admin/totp', { csrf: c3, action: 'off', code: totp(key, step - 1) })).status, 422, 'an older step than the last one used');
  assert.equal((await t.post('/admin/totp', { csrf: c3, action: 'off', code: totp(key, step + 1) })).status, 303, 'the next step: clocks drift');
  assert.equal(one("SELECT totp_on || '|' || totp_secret FROM users WHERE email = 'twostep@example.org'"), '0|');
});
