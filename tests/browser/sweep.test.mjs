// sweep.test.mjs (issue 11): accessibility on every page kind in every
// edition and on every admin page, keyboard use, and the front-end budget.
// - axe-core on the front page, a story (comments closed and open), every
//   kind of archive, search, the events list, an event, the booking form,
//   its errors and its confirmation, a standing page and the 404, in each
//   edition; then every admin page without parameters in the route table.
// - keyboard: the first Tab reaches a visible skip link with a visible focus
//   ring, Enter on it moves to the main content, "Show comments" opens with
//   Enter, and a form's errors are tied to their fields.
// - budget: the story's HTML under 60 KB, everything it loads (but
//   pictures) under 200 KB transferred, no request leaves the site, and no
//   layout shift when the comments load. The figures go to
//   tests/out/budget.json (bench/RESULTS.md keeps them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, BIN } from '../http/harness.mjs';
import { launch, axe } from './browser.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PASSWORD = 'a long enough password';
let srv, browser;

before(async () => {
  srv = await startServer();
  execFileSync(BIN, ['user', 'add', '--email', 'sweep@example.org', '--name', 'Sweep Admin', '--role', 'admin', '--db', srv.db], { input: `${PASSWORD}\n` });
  browser = await launch({ locale: 'en-GB' });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function open(page, path) {
  const r = await page.goto(srv.base + path);
  await page.waitForLoadState('domcontentloaded');
  return r;
}
// a form sent: back when the answer's page has loaded
async function submitted(page, act) {
  await Promise.all([page.waitForEvent('framenavigated', (f) => f === page.mainFrame()), act()]);
  await page.waitForLoadState('domcontentloaded');
}
const hrefs = (page, re) => page.$$eval('a[href]', (as, src) => as.map((a) => a.getAttribute('href')).filter((h) => new RegExp(src).test(h)), re.source);

for (const ed of ['en', 'es', 'pt', 'ar']) {
  test(`every reader page kind in /${ed}/ passes axe (serious and critical)`, { timeout: 180000 }, async () => {
    const page = await browser.ctx.newPage();
    const checked = [];
    const check = async (what, path) => {
      if (path) assert.ok((await open(page, path)).status() < 500, `${what}: ${path}`);
      assert.deepEqual(await axe(page), [], `${ed} ${what} (${page.url()})`);
      checked.push(what);
    };
    await check('front page', `/${ed}/`);
    const story = (await hrefs(page, new RegExp(`^/${ed}/\\d{4}/\\d{2}/[a-z0-9-]+$`)))[0];
    await check('story', story);
    for (const kind of ['section', 'category', 'tag', 'author', 'kind']) {
      const links = await hrefs(page, new RegExp(`^/${ed}/${kind}/[^/?#]+$`));
      if (links.length) {
        await check(`${kind} archive`, links[0]);
        await open(page, story);
      }
    }
    assert.ok(checked.includes('tag archive') && checked.includes('author archive'), `archives found: ${checked}`);
    // comments open, on the story page
    const show = page.locator('a.show-comments');
    if (await show.count()) {
      await show.click();
      await page.waitForSelector('#comment-thread form, #comment-thread .comments-count');
      await check('story with comments open');
    }
    const word = (await page.locator('h1').first().innerText()).split(/\s+/).find((w) => w.length > 4).replace(/[^\p{L}]/gu, '');
    await check('search', `/${ed}/search?q=${encodeURIComponent(word)}`);
    await check('events list', `/${ed}/events`);
    const event = (await hrefs(page, new RegExp(`^/${ed}/events/[a-z0-9-]+$`)))[0];
    assert.ok(event || ed === 'ar', `an event in /${ed}/`);   // the Arabic edition has stories only
    if (event) await check('event', event);
    const book = event ? await hrefs(page, new RegExp(`^/${ed}/events/[a-z0-9-]+/book$`)) : [];
    assert.ok(book.length || ed !== 'en', `a bookable event in /${ed}/`);
    if (book.length) {
      await check('booking form', book[0]);
      await submitted(page, () => page.locator('main button[type=submit]').click());   // nothing filled in
      assert.ok(await page.locator('[aria-invalid=true]').count() >= 1, 'the errors are shown');
      await check('booking form with errors');
      await page.fill('#b-name', 'Sweep Reader');
      await page.fill('#b-email', 'sweep.reader@example.org');
      const consent = page.locator('input[name=consent]');
      if (await consent.count()) await consent.check();
      await submitted(page, () => page.locator('main button[type=submit]').click());
      assert.match(new URL(page.url()).pathname, /^\/bookings\//);
      await check('booking confirmation');
    }
    await open(page, `/${ed}/`);
    const standing = await page.$$eval('footer a[href]', (as) => as.map((a) => a.getAttribute('href')));
    const pageLink = standing.find((h) => new RegExp(`^/${ed}/[a-z0-9-]+$`).test(h));
    if (pageLink) await check('standing page', pageLink);
    assert.equal((await open(page, `/${ed}/no-such-page-anywhere`)).status(), 404);
    await check('not found');
    await page.close();
  });
}

test('every admin page without parameters passes axe', { timeout: 180000 }, async () => {
  const page = await browser.ctx.newPage();
  await open(page, '/admin/login');
  assert.deepEqual(await axe(page), [], 'sign-in');
  await page.fill('#l-email', 'sweep@example.org');
  await page.fill('#l-password', PASSWORD);
  await page.locator('main button[type=submit]').click();
  await page.waitForLoadState('domcontentloaded');
  const routes = execFileSync(BIN, ['routes']).toString().split('\n')
    .map((l) => l.split(' ')).filter(([m, p]) => m === 'GET' && p?.startsWith('/admin') && !p.includes('{') && !/logout|login|export|\.csv|\.ics/.test(p))
    .map(([, p]) => p);
  assert.ok(routes.length >= 10, `${routes.length} admin pages`);
  for (const p of routes) {
    const r = await open(page, p);
    assert.ok(r.status() < 400, `${p}: ${r.status()}`);
    if (!(r.headers()['content-type'] || '').startsWith('text/html')) continue;
    assert.deepEqual(await axe(page), [], p);
  }
  await page.close();
});

test('keyboard: a skip link first, a visible focus ring, comments open with Enter, errors tied to fields', async () => {
  const page = await browser.ctx.newPage();
  await open(page, '/en/');
  const story = (await hrefs(page, /^\/en\/\d{4}\/\d{2}\/[a-z0-9-]+$/))[0];
  await open(page, story);
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => {
    const el = document.activeElement;
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return { cls: el.className, href: el.getAttribute('href'), visible: r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0,
      outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) };
  });
  assert.equal(first.cls, 'skip-link');
  assert.equal(first.href, '#main');
  assert.ok(first.visible, 'the skip link shows when focused');
  assert.ok(first.outline !== 'none' && first.outlineWidth >= 2, `a visible focus ring: ${first.outline} ${first.outlineWidth}px`);
  await page.keyboard.press('Enter');
  assert.equal(new URL(page.url()).hash, '#main');
  // Tab onwards from the main content reaches "Show comments"; Enter opens them
  let found = false;
  for (let i = 0; i < 80 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement?.classList.contains('show-comments'));
  }
  assert.ok(found, '"Show comments" is reachable by keyboard');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#comment-thread form');
  assert.equal(await page.getAttribute('a.show-comments', 'aria-expanded'), 'true');
  // a form's errors: each invalid field names its message, which exists
  await open(page, '/en/events');
  await open(page, (await hrefs(page, /^\/en\/events\/[a-z0-9-]+$/))[0]);
  const book = (await hrefs(page, /^\/en\/events\/[a-z0-9-]+\/book$/))[0];
  await open(page, book);
  await page.focus('main button[type=submit]');
  await submitted(page, () => page.keyboard.press('Enter'));
  const tied = await page.$$eval('[aria-invalid=true]', (els) => els.map((el) => {
    const ids = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    const msg = ids.map((i) => document.getElementById(i)).find((m) => m && m.classList.contains('field-error'));
    const label = el.id && document.querySelector(`label[for="${el.id}"]`);
    return { id: el.id || el.name, msg: msg?.textContent.trim() || '', label: Boolean(label || el.closest('label')) };
  }));
  assert.ok(tied.length >= 1, 'the empty form has invalid fields');
  for (const f of tied) {
    assert.ok(f.msg.length > 3, `${f.id}: its error message`);
    assert.ok(f.label, `${f.id}: its label`);
  }
  await page.close();
});

test('front-end budget of a story: HTML, bytes transferred, no third party, no shift when comments load', async () => {
  const page = await browser.ctx.newPage();
  await open(page, '/en/');
  const story = (await hrefs(page, /^\/en\/\d{4}\/\d{2}\/[a-z0-9-]+$/))[0];
  const cdp = await browser.ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const bytes = new Map(), types = new Map(), urls = [];
  cdp.on('Network.responseReceived', (e) => { types.set(e.requestId, e.type); urls.push(e.response.url); });
  cdp.on('Network.loadingFinished', (e) => { bytes.set(e.requestId, e.encodedDataLength); });
  await page.addInitScript(() => {
    window.__shift = 0;
    window.__shiftAll = 0;   // with the shifts right after a click, which layout-shift scores leave out
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) { window.__shiftAll += e.value; if (!e.hadRecentInput) window.__shift += e.value; }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const resp = await page.goto(srv.base + story, { waitUntil: 'networkidle' });
  const html = Buffer.byteLength(await resp.text());
  const loadShift = await page.evaluate(() => window.__shift);
  // comments load: nothing the reader has read moves (the headline, the
  // story, the comments heading stay where they were on the page; the
  // thread takes the button's place), and any shift at all is measured
  const where = () => page.evaluate(() => ['main h1', '.story-body', '#comments-h']
    .map((sel) => { const el = document.querySelector(sel); return el ? Math.round(el.getBoundingClientRect().top + window.scrollY) : null; }));
  const above = await where();
  assert.ok(above.every((y) => y !== null), `headline, story and comments heading found: ${above}`);
  await page.evaluate(() => { window.__shift = 0; window.__shiftAll = 0; });
  await page.locator('a.show-comments').click();
  await page.waitForSelector('#comment-thread form');
  await page.waitForTimeout(500);
  assert.deepEqual(await where(), above, 'nothing above the comments moved');
  const [commentShift, commentShiftAll] = await page.evaluate(() => [window.__shift, window.__shiftAll]);
  let total = 0;
  for (const [id, n] of bytes) if (types.get(id) !== 'Image') total += n;
  const origin = new URL(srv.base).origin;
  const foreign = urls.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'));
  const figures = { story, htmlBytes: html, transferredExceptImages: total, requests: urls.length, foreign, loadShift, commentShift, commentShiftAll };
  mkdirSync(join(root, 'tests/out'), { recursive: true });
  writeFileSync(join(root, 'tests/out/budget.json'), JSON.stringify(figures, null, 2));
  assert.ok(html < 60 * 1024, `story HTML ${html} bytes`);
  assert.ok(total < 200 * 1024, `transferred ${total} bytes without pictures`);
  assert.deepEqual(foreign, [], 'no third-party request');
  assert.ok(loadShift < 0.01, `layout shift while loading: ${loadShift}`);
  // the layout-shift score (what follows a click within half a second is
  // the reader's doing and not counted): the thread must arrive within it
  assert.ok(commentShift < 0.01, `layout shift when comments load: ${commentShift}`);
  await page.close();
});
