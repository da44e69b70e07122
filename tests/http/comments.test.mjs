// comments.test.mjs: reader comments against a real server: the count and
// the button on the article page, posting with its tokens, moderation
// (policy, CLI, audit), anti-spam, threads (depth, languages, pages,
// permalinks), a commenter's own edits, what never leaks into shared pages,
// an XSS corpus, and durability under concurrent posting and kill -9.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { BIN, Client, startServer, get, sql, PG } from './harness.mjs';

let S;
before(async () => { S = await startServer(['--base-url', 'http://gazette.test']); });
after(async () => { assert.equal((await S.stop()).code, 0); });

// The CLI runs in its own process: its invalidation reaches the server
// through the database; wait until the server has applied it.
let lastInval = 0;
function noteInval(out) {
  const m = out.match(/invalidation (\d+)/);
  if (m) lastInval = Math.max(lastInval, Number(m[1]));
  return out;
}
async function settled(srv = S) {
  for (let i = 0; i < 200; i++) {
    const m = (await get(srv.base, '/metrics')).body.match(/^gazette_invalidation_applied_id (\d+)/m);
    if (m && Number(m[1]) >= lastInval) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`invalidation ${lastInval} not applied within 2 s`);
}
const setting = (k, v, db = S.db) => noteInval(execFileSync(BIN, ['settings', 'set', k, String(v), '--db', db]).toString());
const cli = (...args) => noteInval(execFileSync(BIN, ['comments', ...args, '--db', S.db]).toString());
const one = (q) => sql(S.db, q).trim();

// an article with translations, and its page URL
function articleWith(where = "edition = 'en' AND translation_group IS NOT NULL AND comment_count = 0") {
  const [id, url] = one(`SELECT id, '/' || edition || '/' || ${PG ? "to_char(to_timestamp(published_at) AT TIME ZONE 'UTC', 'YYYY/MM/')" : "strftime('%Y/%m/', published_at, 'unixepoch')"} || slug FROM articles WHERE status = 'published' AND ${where} ORDER BY id LIMIT 1`).split('|');
  return { id: Number(id), url };
}

// A browser of one reader: its own cookies.
class Reader extends Client {
  constructor(base = S.base) { super(base); }
  async tokens(article) {
    const r = await this.get(`/comments/${article}/token`);
    assert.equal(r.status, 200);
    return JSON.parse(r.body);
  }
  async post(path, fields) {
    const r = await fetch(this.base + path, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: this.cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    this.keep(r);
    return { status: r.status, headers: r.headers, body: await r.text() };
  }
  // a comment with fresh tokens (and the proof of work when asked)
  async comment(article, fields, { pow = 0 } = {}) {
    const t = await this.tokens(article);
    const f = { csrf: t.csrf, token: t.token, name: 'Reader', email: 'reader@example.org', body: 'A comment.', ...fields };
    if (pow) f.pow = solve(t.token, pow);
    return this.post(`/comments/${article}`, f);
  }
}

function solve(challenge, bits) {
  for (let n = 0; ; n++) {
    const h = createHash('sha256').update(`${challenge}:${n}`).digest();
    let ok = true;
    for (let i = 0; i < bits && ok; i++) if (h[i >> 3] & (0x80 >> (i & 7))) ok = false;
    if (ok) return String(n);
  }
}

const newId = (r) => Number((r.headers.get('location') || '').match(/c=(\d+)/)?.[1] || 0);

function openPolicy() {
  setting('comments.policy', 'open');
  setting('comments.min_seconds', 0);
  setting('comments.pow_bits', 0);
  setting('comments.rate_ip', 0);
  setting('comments.rate_email', 0);
}

test('the article page shows the count and a button, and loads no thread', async () => {
  const a = articleWith();
  const r = await get(S.base, a.url);
  assert.equal(r.status, 200);
  assert.match(r.body, /<h2 id="comments-h" class="comments-count">No comments yet<\/h2>/);
  assert.match(r.body, new RegExp(`<a class="button show-comments" href="/comments/${a.id}#comments" data-thread="/comments/${a.id}/thread"`));
  assert.match(r.body, /<script src="\/static\/js\/comments\.js\?v=[^"]+" defer><\/script>/);
  assert.doesNotMatch(r.body, /comment-list|name="csrf"/);
  const t = await get(S.base, `/comments/${a.id}/thread`);
  assert.equal(t.status, 200);
  assert.match(t.body, /<form method="post" action="\/comments\/\d+" class="comment-form"/);
  assert.equal((await get(S.base, '/comments/999999')).status, 404);
  assert.equal((await get(S.base, '/comments/abc/thread')).status, 404);
});

test('posting: tokens required, pending shown only to its author, approved by the CLI for everyone', async () => {
  setting('comments.policy', 'hold_first');
  setting('comments.min_seconds', 0);
  setting('comments.pow_bits', 0);
  const a = articleWith();
  const ana = new Reader();
  // no CSRF cookie and token: refused, with what was typed kept
  const bad = await ana.post(`/comments/${a.id}`, { name: 'Ana Typed', email: 'ana@example.org', body: 'Kept text' });
  assert.equal(bad.status, 403);
  assert.match(bad.body, /This form has expired/);
  assert.match(bad.body, /value="Ana Typed"/);
  assert.match(bad.body, />Kept text<\/textarea>/);
  // a forged CSRF value with a real cookie: refused
  const t = await ana.tokens(a.id);
  const forged = await ana.post(`/comments/${a.id}`, { csrf: '0'.repeat(32), token: t.token, name: 'A', email: 'a@example.org', body: 'x' });
  assert.equal(forged.status, 403);

  const r = await ana.comment(a.id, { name: 'Ana Pending', email: 'ana.pending@example.org', body: 'First *words*.' });
  assert.equal(r.status, 303);
  const id = newId(r);
  assert.ok(id > 0);
  assert.equal(r.headers.get('location'), `/comments/${a.id}?c=${id}#comment-${id}`);
  assert.ok(ana.jar.has('gz_commenter'), 'the commenter gets their cookie');
  assert.match(r.headers.getSetCookie().join('\n'), /gz_commenter=[0-9a-f]{64}; Path=\/comments; Max-Age=\d+; HttpOnly; SameSite=Lax/);

  const mine = await ana.get(`/comments/${a.id}/thread`);
  assert.match(mine.body, new RegExp(`id="comment-${id}"`));
  assert.match(mine.body, /Ana Pending/);
  assert.match(mine.body, /Awaiting moderation/);
  assert.match(mine.body, /First <em>words<\/em>\./);
  // nobody else sees it, in any page, cached or not
  for (const path of [`/comments/${a.id}/thread`, `/comments/${a.id}`, a.url, `/comments/${a.id}/thread?lang=all`]) {
    for (let i = 0; i < 2; i++) {   // a miss, then a hit
      const other = await get(S.base, path);
      assert.doesNotMatch(other.body, /Ana Pending|ana\.pending@example\.org/, path);
    }
  }
  assert.equal(one(`SELECT status || '|' || held_reason FROM comments WHERE id = ${id}`), 'pending|first comment');
  assert.match(cli('list', '--status', 'pending'), new RegExp(`#${id} +pending[^\\n]*held: first comment[\\s\\S]*Ana Pending <ana\\.pending@example\\.org>`));

  assert.match(cli('approve', String(id), '--as', 'mod1'), /1 comment approved/);
  await settled();
  const audit = one(`SELECT actor || '|' || action || '|' || from_status || '|' || to_status FROM comment_audit WHERE comment_id = ${id} ORDER BY id DESC LIMIT 1`);
  assert.equal(audit, 'cli:mod1|approve|pending|approved');
  const shared = await get(S.base, `/comments/${a.id}/thread`);
  assert.match(shared.body, /Ana Pending/);
  assert.doesNotMatch(shared.body, /ana\.pending@example\.org|Awaiting moderation/);
  const page = await get(S.base, a.url);
  assert.match(page.body, /<h2 id="comments-h" class="comments-count">1 comment<\/h2>/);
  assert.equal(one(`SELECT comment_count FROM articles WHERE id = ${a.id}`), '1');

  // a known commenter is not held again; spam and delete take the count down
  const again = await ana.comment(a.id, { name: 'Ana Pending', email: 'ana.pending@example.org', body: 'Second.' });
  assert.equal(one(`SELECT status FROM comments WHERE id = ${newId(again)}`), 'approved');
  assert.equal(one(`SELECT comment_count FROM articles WHERE id = ${a.id}`), '2');
  assert.match(cli('spam', String(newId(again))), /1 comment spam/);
  await settled();
  assert.equal(one(`SELECT comment_count FROM articles WHERE id = ${a.id}`), '1');
  assert.match((await get(S.base, a.url)).body, /comments-count">1 comment</);
  assert.throws(() => cli('approve', '99999999'), /no comment 99999999/);
});

test('validation errors are localized and keep what was typed', async () => {
  openPolicy();
  const es = articleWith(`edition = 'es' AND translation_group IS NOT NULL`);
  const r = await new Reader().comment(es.id, { name: '', email: 'not-an-email', body: 'Mi texto' });
  assert.equal(r.status, 422);
  assert.match(r.body, /Escribe tu nombre\./);
  assert.match(r.body, /Esta dirección de correo no parece correcta\./);
  assert.match(r.body, /value="not-an-email"/);
  assert.match(r.body, />Mi texto<\/textarea>/);
  assert.match(r.body, /aria-invalid="true" aria-describedby="c-name-err"/);
  setting('comments.max_length', 100);
  const long = await new Reader().comment(es.id, { body: 'x'.repeat(101) });
  assert.equal(long.status, 422);
  assert.match(long.body, /Acorta tu comentario a 100 caracteres\./);
  setting('comments.max_length', 5000);
  const empty = await new Reader().comment(es.id, { body: '   \n  ' });
  assert.equal(empty.status, 422);
  const longName = await new Reader().comment(es.id, { name: 'n'.repeat(81) });
  assert.equal(longName.status, 422);
  // the script's variant answers with the thread fragment, not a page
  const frag = await new Reader().comment(es.id, { name: '', fragment: '1' });
  assert.equal(frag.status, 422);
  assert.doesNotMatch(frag.body, /<html/);
  assert.match(frag.body, /class="thread"/);
  // a body that is not a form, or a broken one
  const raw = await fetch(`${S.base}/comments/${es.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(raw.status, 415);
  const broken = await fetch(`${S.base}/comments/${es.id}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=%zz' });
  assert.equal(broken.status, 400);
});

test('anti-spam: honeypot, too quick, proof of work, rate limits, duplicates', async () => {
  openPolicy();
  const a = articleWith();
  const hp = await new Reader().comment(a.id, { website: 'http://spam.example' });
  assert.equal(hp.status, 400);
  setting('comments.min_seconds', 30);
  const quick = await new Reader().comment(a.id, {});
  assert.equal(quick.status, 422);
  assert.match(quick.body, /That was quick/);
  setting('comments.min_seconds', 0);
  // a token for another article, or altered, is refused
  const rd = new Reader();
  const t = await rd.tokens(a.id);
  const other = await rd.post(`/comments/${a.id + 1}`, { csrf: t.csrf, token: t.token, name: 'N', email: 'n@example.org', body: 'b' });
  assert.equal(other.status, 403);
  const flip = (s) => s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');
  const altered = await rd.post(`/comments/${a.id}`, { csrf: t.csrf, token: flip(t.token), name: 'N', email: 'n@example.org', body: 'b' });
  assert.equal(altered.status, 403);

  setting('comments.pow_bits', 8);
  const nopow = await new Reader().comment(a.id, { body: 'No work done.' });
  assert.equal(nopow.status, 303);
  assert.equal(one(`SELECT status || '|' || held_reason FROM comments WHERE id = ${newId(nopow)}`), 'pending|no proof of work');
  const withpow = await new Reader().comment(a.id, { body: 'Work done.' }, { pow: 8 });
  assert.equal(one(`SELECT status FROM comments WHERE id = ${newId(withpow)}`), 'approved');
  setting('comments.pow_bits', 0);

  setting('comments.rate_ip', 2);
  setting('comments.rate_window', 120);
  const rr = new Reader();
  // comments already sent from this address in the window count too
  sql(S.db, `DELETE FROM comments WHERE created_at > 0 AND body_md LIKE 'Rate %'`);
  let last;
  for (let i = 0; i < 4; i++) last = await rr.comment(a.id, { body: `Rate ${i} ${Date.now()}`, email: `rate${i}@example.org` });
  assert.equal(last.status, 429);
  assert.equal(last.headers.get('retry-after'), '120');
  assert.match(last.body, /Please try again in 2 minutes\./);
  setting('comments.rate_ip', 0);
  setting('comments.rate_email', 1);
  await new Reader().comment(a.id, { email: 'once@example.org', body: `once ${Date.now()}` });
  const twice = await new Reader().comment(a.id, { email: 'once@example.org', body: `twice ${Date.now()}` });
  assert.equal(twice.status, 429);
  setting('comments.rate_email', 0);

  const d = new Reader();
  const d1 = await d.comment(a.id, { email: 'dup@example.org', body: 'Said once.' });
  const d2 = await d.comment(a.id, { email: 'dup@example.org', body: 'Said once.' });
  assert.equal(newId(d1), newId(d2));
  assert.equal(one(`SELECT count(*) FROM comments WHERE email = 'dup@example.org'`), '1');
  // addresses are stored only as keyed hashes
  assert.equal(one(`SELECT count(*) FROM comments WHERE ip_hash LIKE '%127.0.0.1%'`), '0');
  assert.match(one(`SELECT ip_hash FROM comments WHERE id = ${newId(d1)}`), /^[0-9a-f]{32}$/);
});

test('policy: per site, per section and per article; links, hold and deny words', async () => {
  openPolicy();
  const a = articleWith('section_id IS NOT NULL');
  const r = new Reader();
  const st = async (fields) => one(`SELECT status || '|' || held_reason FROM comments WHERE id = ${newId(await r.comment(a.id, fields))}`);
  assert.equal(await st({ body: `open ${Date.now()}` }), 'approved|');
  setting('comments.policy', 'hold_all');
  assert.equal(await st({ body: `held ${Date.now()}` }), 'pending|policy');
  setting('comments.policy', 'open');
  const sectionKey = one(`SELECT key FROM terms WHERE id = (SELECT section_id FROM articles WHERE id = ${a.id})`);
  assert.match(cli('policy', '--section', sectionKey, 'hold_all'), /comment policy hold_all/);
  assert.equal(await st({ body: `section ${Date.now()}` }), 'pending|policy');
  cli('policy', '--article', String(a.id), 'open');
  assert.equal(await st({ body: `article ${Date.now()}` }), 'approved|');
  const shownOpen = (await get(S.base, `/comments/${a.id}/thread`)).body;   // cached with the form
  assert.match(shownOpen, /class="comment-form"/);
  cli('policy', '--article', String(a.id), 'closed');
  await settled();
  const closed = await r.comment(a.id, { body: 'too late' });
  assert.equal(closed.status, 403);
  assert.match(closed.body, /Comments on this story are closed\./);
  const shownClosed = (await get(S.base, `/comments/${a.id}/thread`)).body;   // the cached thread knows at once
  assert.doesNotMatch(shownClosed, /class="comment-form"/);
  assert.match(shownClosed, /Comments on this story are closed\./);
  cli('policy', '--article', String(a.id), 'inherit');
  cli('policy', '--section', sectionKey, 'inherit');
  assert.equal(one(`SELECT count(*) FROM terms WHERE comment_policy IS NOT NULL`), '0');
  assert.throws(() => cli('policy', '--section', 'no-such-section', 'open'), /no section 'no-such-section'/);
  assert.throws(() => cli('policy', '--article', String(a.id), 'sometimes'), /not 'sometimes'/);
  setting('comments.close_after_days', 1);   // the demo's articles are older than a day
  const old = one(`SELECT count(*) FROM articles WHERE id = ${a.id} AND published_at < ${Math.floor(Date.now() / 1000) - 86400}`);
  if (old === '1') assert.equal((await r.comment(a.id, { body: 'old story' })).status, 403);
  setting('comments.close_after_days', 0);

  setting('comments.hold_links', 1);
  assert.equal(await st({ body: `see https://a.example and https://b.example ${Date.now()}` }), 'pending|links');
  setting('comments.hold_words', 'casino, cheap pills');
  assert.equal(await st({ body: `Visit the CASINO now ${Date.now()}` }), 'pending|word');
  assert.equal(await st({ body: `Occasional casinos ${Date.now()}` }), 'approved|');   // whole words only
  setting('comments.deny_words', 'forbiddenword');
  const denied = await r.comment(a.id, { body: 'a ForbiddenWord here' });
  assert.equal(denied.status, 422);
  assert.match(denied.body, />a ForbiddenWord here<\/textarea>/);
  setting('comments.hold_words', '');
  setting('comments.deny_words', '');
  setting('comments.hold_links', 2);
  assert.throws(() => setting('comments.policy', 'sometimes'), /must be one of open\|hold_first\|hold_all\|closed/);
  assert.throws(() => setting('comments.max_depth', 0), /from 1 to 10/);
  assert.match(execFileSync(BIN, ['settings', '--db', S.db]).toString(), /comments\.policy +open/);
});

test('threads: depth rule, languages, order, pages, permalinks, slug changes', async () => {
  openPolicy();
  setting('comments.max_depth', 2);
  const en = articleWith(`edition = 'en' AND translation_group IS NOT NULL AND id NOT IN (SELECT article_id FROM comments)`);
  const es = one(`SELECT id FROM articles WHERE translation_group = (SELECT translation_group FROM articles WHERE id = ${en.id}) AND edition = 'es'`);
  const r = new Reader();
  const top = newId(await r.comment(en.id, { body: 'Top level.' }));
  const reply = newId(await r.comment(en.id, { body: 'A reply.', parent: top }));
  const deeper = newId(await r.comment(en.id, { body: 'Too deep.', parent: reply }));
  assert.equal(one(`SELECT depth || '|' || parent_id || '|' || root_id FROM comments WHERE id = ${reply}`), `2|${top}|${top}`);
  assert.equal(one(`SELECT depth || '|' || parent_id || '|' || root_id FROM comments WHERE id = ${deeper}`), `2|${top}|${top}`);
  setting('comments.max_depth', 3);
  // a reply to a comment of another story is refused
  const otherStory = articleWith(`translation_group <> (SELECT translation_group FROM articles WHERE id = ${en.id})`);
  const elsewhere = await r.comment(otherStory.id, { body: 'wrong thread', parent: top });
  assert.equal(elsewhere.status, 422);

  const spanish = newId(await r.comment(Number(es), { body: 'Un comentario en español.', parent: '' }));
  assert.equal(one(`SELECT lang FROM comments WHERE id = ${spanish}`), 'es');
  const enView = (await get(S.base, `/comments/${en.id}/thread`)).body;
  assert.doesNotMatch(enView, /Un comentario en español/);
  assert.match(enView, /All languages \(4\)/);
  const all = (await get(S.base, `/comments/${en.id}/thread?lang=all`)).body;
  assert.match(all, new RegExp(`id="comment-${spanish}" lang="es"`));
  assert.match(all, new RegExp(`id="comment-${top}" lang="en"`));
  // replies follow their parent, oldest first; newest-first turns the roots around
  assert.ok(all.indexOf(`comment-${top}"`) < all.indexOf(`comment-${reply}"`));
  assert.ok(all.indexOf(`comment-${reply}"`) < all.indexOf(`comment-${deeper}"`));
  assert.ok(all.indexOf(`comment-${top}"`) < all.indexOf(`comment-${spanish}"`));
  const newest = (await get(S.base, `/comments/${en.id}/thread?lang=all&order=newest`)).body;
  assert.ok(newest.indexOf(`comment-${spanish}"`) < newest.indexOf(`comment-${top}"`));
  assert.match(all, /in reply to <bdi>Reader<\/bdi>/);

  // pages of 5 roots; a permalink opens the page its comment is on
  setting('comments.page_size', 5);
  const ids = [];
  for (let i = 0; i < 11; i++) ids.push(newId(await r.comment(en.id, { body: `Root ${i}.` })));
  const p1 = (await get(S.base, `/comments/${en.id}`)).body;
  assert.match(p1, /1 \/ 3/);
  assert.match(p1, new RegExp(`href="/comments/${en.id}\\?page=2" data-nav`));
  const p3 = (await get(S.base, `/comments/${en.id}?page=3`)).body;
  assert.match(p3, new RegExp(`id="comment-${ids[10]}"`));
  assert.doesNotMatch(p3, new RegExp(`id="comment-${ids[0]}"`));
  const at = (await get(S.base, `/comments/${en.id}/thread?c=${ids[7]}`)).body;
  assert.match(at, /2 \/ 3/);
  assert.match(at, new RegExp(`data-focus="${ids[7]}"`));
  const atEs = (await get(S.base, `/comments/${en.id}/thread?c=${spanish}`)).body;
  assert.match(atEs, new RegExp(`id="comment-${spanish}" lang="es"`), 'a comment in another language opens all languages');
  assert.equal((await get(S.base, `/comments/${en.id}?page=99`)).status, 200);
  setting('comments.page_size', 50);

  // a new slug keeps the thread
  sql(S.db, `UPDATE articles SET slug = slug || '-renamed' WHERE id = ${en.id}`);
  const renamed = articleWith(`id = ${en.id}`);
  assert.match(renamed.url, /-renamed$/);
  const page = await get(S.base, renamed.url);
  assert.equal(page.status, 200);
  assert.match(page.body, /comments-count">14 comments</);
  assert.match((await get(S.base, `/comments/${en.id}/thread`)).body, /Top level\./);
});

test('a commenter edits and deletes their own comment, nobody else can', async () => {
  openPolicy();
  const a = articleWith();
  const me = new Reader(), other = new Reader();
  const id = newId(await me.comment(a.id, { body: 'Original text.' }));
  const form = await me.get(`/comments/${a.id}/edit/${id}`);
  assert.equal(form.status, 200);
  assert.match(form.body, />Original text\.<\/textarea>/);
  const csrf = form.body.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  assert.equal((await other.get(`/comments/${a.id}/edit/${id}`)).status, 403);
  assert.equal((await other.post(`/comments/${a.id}/edit/${id}`, { csrf, body: 'hijack' })).status, 403);
  assert.equal((await me.post(`/comments/${a.id}/edit/${id}`, { body: 'no csrf' })).status, 403);
  const saved = await me.post(`/comments/${a.id}/edit/${id}`, { csrf, body: 'Changed text.' });
  assert.equal(saved.status, 303);
  assert.equal(one(`SELECT body_md FROM comments WHERE id = ${id}`), 'Changed text.');
  const edited = (await get(S.base, `/comments/${a.id}/thread`)).body;
  assert.match(edited, /Changed text\./);
  assert.match(edited, /\(edited\)/);
  const before = Number(one(`SELECT comment_count FROM articles WHERE id = ${a.id}`));
  const del = await me.post(`/comments/${a.id}/delete/${id}`, { csrf });
  assert.equal(del.status, 303);
  assert.equal(one(`SELECT status FROM comments WHERE id = ${id}`), 'deleted');
  assert.equal(Number(one(`SELECT comment_count FROM articles WHERE id = ${a.id}`)), before - 1);
  assert.equal(one(`SELECT actor || '|' || action FROM comment_audit WHERE comment_id = ${id} ORDER BY id DESC LIMIT 1`), 'owner|delete');
  // after 15 minutes the comment is no longer theirs to change
  const late = newId(await me.comment(a.id, { body: 'Later.' }));
  sql(S.db, `UPDATE comments SET created_at = created_at - 901 WHERE id = ${late}`);
  assert.equal((await me.get(`/comments/${a.id}/edit/${late}`)).status, 403);
});

test('hashed addresses are forgotten after the retention period', async () => {
  openPolicy();
  const a = articleWith();
  const old = newId(await new Reader().comment(a.id, { body: `Old address ${Date.now()}` }));
  const fresh = newId(await new Reader().comment(a.id, { body: `New address ${Date.now()}` }));
  setting('comments.ip_retention_days', 30);
  sql(S.db, `UPDATE comments SET created_at = created_at - 31 * 86400 WHERE id = ${old}`);
  // the scheduler looks when a server starts and every ten minutes after
  const R = await startServer([], { db: S.db });
  try {
    let cleared = false;
    for (let i = 0; i < 200 && !cleared; i++) {
      cleared = one(`SELECT count(*) FROM comments WHERE id = ${old} AND ip_hash IS NULL`) === '1';
      if (!cleared) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(cleared, 'the old address hash is cleared');
    assert.match(one(`SELECT ip_hash FROM comments WHERE id = ${fresh}`), /^[0-9a-f]{32}$/, 'a recent one stays');
  } finally { await R.stop({ keep: true }); }
  setting('comments.ip_retention_days', 0);   // keep none: new comments store no hash at all
  const none = newId(await new Reader().comment(a.id, { body: `No address ${Date.now()}` }));
  assert.equal(one(`SELECT coalesce(ip_hash, 'null') FROM comments WHERE id = ${none}`), 'null');
  setting('comments.ip_retention_days', 30);
});

// Payloads for names and bodies; none may come out as active markup.
const XSS = [
  '<script>alert(1)</script>', '<SCRIPT SRC=//evil.example/x.js></SCRIPT>', '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>', '<svg><script>alert(1)</script></svg>', '<iframe src="javascript:alert(1)"></iframe>',
  '<a href="javascript:alert(1)">x</a>', '[x](javascript:alert(1))', '[x](JaVaScRiPt:alert(1))', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](vbscript:msgbox(1))', '[x](java\tscript:alert(1))', '[x](&#106;avascript:alert(1))', '<body onload=alert(1)>',
  '<div style="background:url(javascript:alert(1))">', '"><script>alert(1)</script>', "'><img src=x onerror=alert(1)>",
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>', '<details open ontoggle=alert(1)>', '<input autofocus onfocus=alert(1)>',
  '<object data="javascript:alert(1)">', '<embed src=javascript:alert(1)>', '<form action=javascript:alert(1)><button>x</button></form>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', '<link rel=stylesheet href=javascript:alert(1)>', '<base href="javascript:/">',
  '<style>@import "javascript:alert(1)";</style>', '<isindex action=javascript:alert(1) type=image>', '<video><source onerror="alert(1)">',
  '<audio src=x onerror=alert(1)>', '<marquee onstart=alert(1)>', '<x onclick=alert(1)>click</x>', '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&#60;script&#62;alert(1)&#60;/script&#62;', '<scr<script>ipt>alert(1)</script>', '<<script>alert(1)//<</script>', '<img """><script>alert(1)</script>">',
  '<a href="  javascript:alert(1)">x</a>', '![x](javascript:alert(1))', '![x](http://evil.example/x.png)', '<![CDATA[<script>alert(1)</script>]]>',
  '<!--<script>alert(1)</script>-->', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">', '<template><script>alert(1)</script></template>',
  'javascript:alert(1)', '<a href=# onclick="alert(1)">x</a>', '<textarea></textarea><script>alert(1)</script>', '</textarea><script>alert(1)</script>',
  '\u202Eevil\u202C text', 'ab\u2066cd\u2069ef \u202Dx', '<b onmouseover=alert(1)>hover</b>', '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")',
  '<https://ok.example/?q=<script>>', '`<script>alert(1)</script>`', '```\n<script>alert(1)</script>\n```', '<table><tr><td onclick=alert(1)>x</td></tr></table>',
];

// Every tag inside the comment list must be one cmark-gfm's safe output
// uses, with only safe attributes.
function assertInert(html, where) {
  const list = html.match(/<ol class="comment-list">[\s\S]*?<\/ol>\n/);
  assert.ok(list, `${where}: a comment list`);
  const chunk = list[0];
  assert.doesNotMatch(chunk, /[\u202A-\u202E\u2066-\u2069]/, `${where}: direction overrides`);
  const allowed = new Set(['ol', 'li', 'article', 'header', 'strong', 'span', 'bdi', 'a', 'time', 'div', 'p', 'em', 'code', 'pre',
    'blockquote', 'ul', 'br', 'del', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'form', 'input', 'button', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);
  for (const m of chunk.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)) {
    const [tag, name, attrs] = m;
    assert.ok(allowed.has(name.toLowerCase()), `${where}: tag ${tag}`);
    // every attribute: a name, then a double-quoted value (or none)
    const rest = attrs.replace(/\s+([a-zA-Z][a-zA-Z0-9-]*)(="[^"]*")?/g, (all, an, val) => {
      assert.doesNotMatch(an, /^(on|style$|srcdoc$|formaction$)/i, `${where}: attribute ${an} in ${tag}`);
      if (/^(href|src|action)$/i.test(an)) assert.match(val.slice(2, -1), /^(https?:|mailto:|\/|#|$)/i, `${where}: URL in ${tag}`);
      return '';
    });
    assert.equal(rest.trim(), '', `${where}: unparsed attributes in ${tag}`);
  }
}

test('an XSS corpus as names and bodies stays inert in every page', async () => {
  openPolicy();
  assert.ok(XSS.length >= 50);
  const a = articleWith(`edition = 'pt'`);
  const r = new Reader();
  for (const [i, p] of XSS.entries()) {
    const res = await r.comment(a.id, { name: p.slice(0, 80) || 'x', email: `x${i}@example.org`, body: `${p} #${i}` });
    assert.ok([303, 422].includes(res.status), `payload ${i}: ${res.status}`);
    if (res.status === 422) assertInert(res.body, `payload ${i} error page`);
  }
  for (const path of [`/comments/${a.id}/thread`, `/comments/${a.id}`, `/comments/${a.id}/thread?lang=all&order=newest`]) {
    const page = await get(S.base, path);
    assert.equal(page.status, 200);
    assertInert(page.body, path);
  }
  const mine = await r.get(`/comments/${a.id}/thread`);
  assertInert(mine.body, 'own view');
  assert.doesNotMatch((await get(S.base, a.url)).body, /onerror|<svg|javascript:alert/);
});

// n posts from c concurrent readers; resolves with the acknowledged ids
let shed = 0;   // 503s the floods met (the costly routes' share, core/limits)
async function flood(base, article, total, clients, tag, stopOn) {
  const acked = new Set();
  const errors = [];
  let next = 0;
  await Promise.all(Array.from({ length: clients }, async (_, k) => {
    const rd = new Reader(base);
    let t;
    try { t = await rd.tokens(article); } catch (e) { errors.push(e); return; }
    for (;;) {
      const i = next++;
      if (i >= total || (stopOn && stopOn())) return;
      try {
        let res;
        // past the costly routes' share the server answers 503 with Retry-After:
        // a browser's reader would send again, and so does this one
        for (let tries = 0; ; tries++) {
          res = await rd.post(`/comments/${article}`, { csrf: t.csrf, token: t.token, name: `Poster ${k}`, email: `p${k}@example.org`, body: `${tag} ${i}` });
          if (res.status !== 503 || !res.headers.get('retry-after') || tries >= 20 || (stopOn && stopOn())) break;
          shed++;
          await new Promise((r) => setTimeout(r, 100 * (1 + Math.random() * 4)));
        }
        if (res.status === 303) acked.add(newId(res));
        else errors.push(res.status);
      } catch (e) { errors.push(String(e.cause?.code || e)); if (stopOn && stopOn()) return; }
    }
  }));
  return { acked, errors };
}

test('32 concurrent commenters post 5,000 comments: all stored once, counts right', { timeout: 300000 }, async () => {
  openPolicy();
  const a = articleWith(`edition = 'es'`);
  const before = Number(one(`SELECT count(*) FROM comments WHERE article_id = ${a.id} AND status = 'approved'`));
  const { acked, errors } = await flood(S.base, a.id, 5000, 32, 'flood');
  assert.deepEqual(errors, []);
  assert.equal(acked.size, 5000);
  assert.equal(one(`SELECT count(*) FROM comments WHERE body_md LIKE 'flood %'`), '5000');
  assert.equal(one(`SELECT count(DISTINCT body_md) FROM comments WHERE body_md LIKE 'flood %'`), '5000');
  assert.equal(Number(one(`SELECT comment_count FROM articles WHERE id = ${a.id}`)), before + 5000);
  const digits = String(before + 5000).split('').join('[.\\u00a0\\u202f]?');   // grouped the ICU way
  assert.match((await get(S.base, a.url)).body, new RegExp(`comments-count">${digits} comentarios<`));
});

test('kill -9 while 32 commenters post: every acknowledged comment survives', { timeout: 300000 }, async () => {
  const K = await startServer([]);
  try {
    setting('comments.policy', 'open', K.db);
    setting('comments.min_seconds', 0, K.db);
    setting('comments.pow_bits', 0, K.db);
    setting('comments.rate_ip', 0, K.db);
    setting('comments.rate_email', 0, K.db);
    const id = Number(sql(K.db, `SELECT id FROM articles WHERE status = 'published' ORDER BY id LIMIT 1`).trim());
    let killed = false;
    const run = flood(K.base, id, 100000, 32, 'kill', () => killed);
    await new Promise((r) => setTimeout(r, 1500));
    K.proc.kill('SIGKILL');
    killed = true;
    const { acked } = await run;
    await K.exited;
    assert.ok(acked.size > 0, 'some comments were acknowledged before the kill');
    const R = await startServer([], { db: K.db });
    try {
      const stored = new Set(sql(K.db, `SELECT id FROM comments WHERE body_md LIKE 'kill %'`).trim().split('\n').filter(Boolean).map(Number));
      for (const c of acked) assert.ok(stored.has(c), `acknowledged comment ${c} is stored`);
      if (!PG) assert.equal(sql(K.db, 'PRAGMA integrity_check').trim(), 'ok');
      assert.equal(Number(sql(K.db, `SELECT comment_count FROM articles WHERE id = ${id}`).trim()),
        Number(sql(K.db, `SELECT count(*) FROM comments WHERE article_id = ${id} AND status = 'approved'`).trim()));
    } finally { await R.stop({ keep: true }); }
  } finally { await K.stop(); }
});
