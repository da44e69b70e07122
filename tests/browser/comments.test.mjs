// comments.test.mjs: a reader discusses a story in Debian's Chromium. The
// article page asks for no comments until "Show comments" is clicked; the
// thread loads in place; a reply is posted (the proof of work done by the
// page's script) and shows as awaiting moderation to its author only; a
// moderator approves it with the CLI; after a reload it is published and
// the count went up. Screenshots: comments*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, PG, startServer, sql } from '../http/harness.mjs';
import { launch, axe } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, 'screenshots');

let srv, browser, ctx;

before(async () => {
  srv = await startServer();
  // a quick form (no waiting before sending), a small proof of work
  for (const [k, v] of [['comments.min_seconds', '0'], ['comments.pow_bits', '10']])
    execFileSync(BIN, ['settings', 'set', k, v, '--db', srv.db]);
  mkdirSync(shots, { recursive: true });
  browser = await launch({ locale: 'en-GB' });
  ctx = browser.ctx;
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// the demo story with a discussion in English: its id and address
function discussed() {
  const month = PG ? "to_char(to_timestamp(a.published_at) AT TIME ZONE 'UTC', 'YYYY/MM/')" : "strftime('%Y/%m/', a.published_at, 'unixepoch')";
  return sql(srv.db, `SELECT a.id, '/en/' || ${month} || a.slug FROM articles a
    WHERE a.edition = 'en' AND a.comment_count > 1 ORDER BY a.id LIMIT 1`).trim().split('|');
}

async function waitApplied(out) {
  const seq = Number(out.match(/invalidation (\d+)/)[1]);
  for (let i = 0; i < 200; i++) {
    const m = (await (await fetch(`${srv.base}/metrics`)).text()).match(/^gazette_invalidation_applied_id (\d+)/m);
    if (m && Number(m[1]) >= seq) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('invalidation not applied');
}

test('show comments, reply, awaiting moderation, approved by the CLI, counted', async () => {
  // the demo story with a discussion in English
  const [id, path] = discussed();
  const before = Number(sql(srv.db, `SELECT comment_count FROM articles WHERE id = ${id}`).trim());
  const page = await ctx.newPage();
  const errors = [], commentRequests = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/comments/')) commentRequests.push(r.url()); });

  await page.goto(srv.base + path);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(commentRequests, [], 'the article asks for no comments before the click');
  const count = page.locator('#comments-h');
  assert.equal((await count.innerText()).trim(), `${before} comments`);
  assert.equal(await page.locator('.comment-list').count(), 0);

  await page.locator('.show-comments').click();
  await page.locator('.comment-list .comment').first().waitFor();
  assert.ok(commentRequests.length >= 1, 'the click loads the thread');
  assert.equal(await page.locator('.show-comments').isVisible(), false);
  assert.ok(await page.locator('.comment-list .comment').count() >= before);
  await page.screenshot({ path: join(shots, 'comments.png'), fullPage: false });
  assert.deepEqual(await axe(page), [], 'thread accessibility');

  // reply to the first comment
  const first = page.locator('.comment-list .comment').first();
  const firstName = (await first.locator('.comment-author').innerText()).trim();
  await first.locator('[data-reply]').click();
  assert.equal((await page.locator('.replying-name').innerText()).trim(), firstName);
  await page.fill('#c-name', 'Browser Reader');
  await page.fill('#c-email', 'browser.reader@example.org');
  const text = `A reply from the browser, ${Date.now()}.`;
  await page.fill('#c-body', text);
  await page.locator('.comment-form button[type=submit]').click();
  const mine = page.locator('.comment.is-pending', { hasText: text });
  await mine.waitFor();
  assert.match(await mine.innerText(), /Awaiting moderation/);
  assert.match(await mine.innerText(), new RegExp(`in reply to ${firstName}`));
  await mine.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'comments-pending.png'), fullPage: false });
  assert.deepEqual(await axe(page), [], 'thread with a pending comment');
  const cid = sql(srv.db, `SELECT id || '|' || status FROM comments WHERE body_md = '${text}'`).trim();
  assert.match(cid, /^\d+\|pending$/, 'held: a first-time commenter');

  // another reader does not see it
  const other = await (await fetch(`${srv.base}/comments/${id}/thread`)).text();
  assert.ok(!other.includes(text));

  const out = execFileSync(BIN, ['comments', 'approve', cid.split('|')[0], '--db', srv.db, '--as', 'browser-test']).toString();
  await waitApplied(out);
  await page.reload();
  assert.equal((await page.locator('#comments-h').innerText()).trim(), `${before + 1} comments`);
  await page.locator('.show-comments').click();
  const published = page.locator('.comment', { hasText: text });
  await published.waitFor();
  assert.doesNotMatch(await published.innerText(), /Awaiting moderation/);
  assert.deepEqual(errors, [], 'no script errors or CSP violations');
});

test('a permalink opens the thread at its comment; without JavaScript the button is a working page', async () => {
  const [id, path] = discussed();
  const cid = sql(srv.db, `SELECT max(id) FROM comments WHERE article_id = ${id} AND status = 'approved'`).trim();
  const page = await ctx.newPage();
  await page.goto(`${srv.base}${path}#comment-${cid}`);
  const target = page.locator(`#comment-${cid}`);
  await target.waitFor();
  assert.match(await target.getAttribute('class'), /is-focus/);

  const plain = await ctx.newPage();
  await plain.route('**/*.js*', (r) => r.abort());   // the script never arrives
  await plain.goto(srv.base + path);
  await plain.locator('.show-comments').click();
  await plain.waitForLoadState('domcontentloaded');
  assert.equal(new URL(plain.url()).pathname, `/comments/${id}`);
  assert.ok(await plain.locator('.comment-list .comment').count() > 1);
  await plain.fill('#c-name', 'No Script');
  await plain.fill('#c-email', 'noscript@example.org');
  await plain.fill('#c-body', 'Sent without JavaScript.');
  await plain.locator('.comment-form button[type=submit]').click();
  await plain.waitForLoadState('domcontentloaded');
  const held = plain.locator('.comment.is-pending', { hasText: 'Sent without JavaScript.' });
  await held.waitFor();
  await plain.screenshot({ path: join(shots, 'comments-page.png'), fullPage: false });
  assert.deepEqual(await axe(plain), [], 'comments page accessibility');
  assert.equal(sql(srv.db, `SELECT held_reason FROM comments WHERE body_md = 'Sent without JavaScript.'`).trim(), 'first comment');
});
