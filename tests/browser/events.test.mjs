// events.test.mjs: a reader books tickets in Debian's Chromium: from the
// banner on the front page to the event, books two tickets, sees the
// confirmation with its code and QR, downloads the .ics, cancels; then the
// sold-out path to the waiting list. Screenshots: event*.png, booking*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, sql } from '../http/harness.mjs';
import { launch, axe } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, 'screenshots');

let srv, browser, ctx;

before(async () => {
  srv = await startServer();
  mkdirSync(shots, { recursive: true });
  browser = await launch({ locale: 'en-GB', acceptDownloads: true });
  ctx = browser.ctx;
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('banner, event, book two tickets, confirmation with code and QR, .ics, cancel', async () => {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(srv.base + '/en/');
  const banner = page.locator('aside.promo');
  assert.match(await banner.innerText(), /Webinar\s+–\s+Book Awards 2026\s+–\s+Join the ceremony\s+–\s+Book your tickets\s+–\s+\d+ [A-Z][a-z]+/i);
  await page.screenshot({ path: join(shots, 'front-banner.png'), fullPage: false });
  await banner.locator('a.promo-cta').click();
  await page.waitForLoadState('domcontentloaded');
  assert.equal(new URL(page.url()).pathname, '/en/events/book-awards-2026');
  assert.equal((await page.locator('h1').innerText()).trim(), 'Book Awards 2026');
  await page.screenshot({ path: join(shots, 'event.png'), fullPage: false });
  assert.deepEqual(await axe(page), [], 'event page accessibility');

  await page.locator('a.button-cta', { hasText: 'Book your tickets' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(page.url(), /\/en\/events\/book-awards-2026\/book$/);
  assert.deepEqual(await axe(page), [], 'booking form accessibility');
  await page.fill('#b-qty', '2');
  await page.fill('#b-name', 'Browser Booker');
  await page.fill('#b-email', 'browser.booker@example.org');
  await page.check('input[name=consent]');
  await page.locator('main button[type=submit]').click();
  await page.waitForLoadState('domcontentloaded');
  assert.match(new URL(page.url()).pathname, /^\/bookings\/[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  assert.equal((await page.locator('h1').innerText()).trim(), 'Your booking is confirmed');
  const code = (await page.locator('.booking-code').innerText()).trim();
  assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  assert.ok(await page.locator('.ticket-qr svg[role=img]').isVisible(), 'the QR code shows');
  assert.match(await page.locator('.join-link a').getAttribute('href'), /^https:\/\/meet\.example\.org\//);
  await page.screenshot({ path: join(shots, 'booking-confirmed.png'), fullPage: false });
  assert.deepEqual(await axe(page), [], 'confirmation accessibility');
  const manage = page.url();

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[download]').click()]);
  assert.equal(download.suggestedFilename(), 'event.ics');
  const ics = readFileSync(await download.path(), 'utf8');
  assert.match(ics, new RegExp(`UID:booking-${code}@gazette`));
  assert.match(ics, /STATUS:CONFIRMED/);

  await page.goto(manage);
  await page.locator('button', { hasText: 'Cancel this booking' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.equal((await page.locator('h1').innerText()).trim(), 'This booking is cancelled');
  assert.equal(await page.locator('.ticket-qr').count(), 0);
  assert.equal(sql(srv.db, `SELECT status FROM bookings WHERE code = '${code}'`).trim(), 'cancelled');
  assert.deepEqual(errors, [], 'no script errors or CSP violations');
});

test('sold out: the waiting list', async () => {
  sql(srv.db, `UPDATE quotas SET remaining = 0 WHERE translation_group = (SELECT translation_group FROM events WHERE slug = 'newsroom-open-evening')`);
  const page = await ctx.newPage();
  await page.goto(srv.base + '/en/events/newsroom-open-evening');
  assert.match(await page.locator('#tickets').innerText(), /Sold out\. Join the waiting list/);
  await page.locator('a.button', { hasText: 'Join the waiting list' }).click();
  await page.waitForLoadState('domcontentloaded');
  await page.fill('#b-name', 'Patient Reader');
  await page.fill('#b-email', 'patient@example.org');
  await page.check('input[name=consent]');
  await page.locator('main button[type=submit]').click();
  await page.waitForLoadState('domcontentloaded');
  assert.equal((await page.locator('h1').innerText()).trim(), 'You are on the waiting list');
  assert.match(await page.locator('main').innerText(), /You are first in line\./);
  await page.screenshot({ path: join(shots, 'waitlist.png'), fullPage: false });
  assert.deepEqual(await axe(page), [], 'waiting list accessibility');
});
