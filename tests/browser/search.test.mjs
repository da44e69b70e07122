// search.test.mjs: a reader searches from the masthead in Debian's Chromium:
// results with highlighted words, a filter from the filters panel, the next
// page, and no serious accessibility findings; screenshots search.png (desktop)
// and search-phone.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../http/harness.mjs';
import { launch, axe } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, 'screenshots');
let srv, browser;

before(async () => {
  srv = await startServer();
  mkdirSync(shots, { recursive: true });
  browser = await launch({ locale: 'en-GB' });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('a reader searches from the masthead, filters and reads a result', async () => {
  const page = await browser.ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(srv.base + '/en/');
  await page.getByRole('searchbox', { name: 'Search this edition' }).fill('waters');
  await Promise.all([page.waitForURL(/\/en\/search\?/), page.keyboard.press('Enter')]);
  const url = new URL(page.url());
  assert.equal(url.pathname, '/en/search');
  assert.equal(url.searchParams.get('q'), 'waters');
  assert.match(await page.locator('.search-count').innerText(), /^\d+ stories found|^One story found/);
  const results = page.locator('.search-result');
  assert.ok(await results.count() >= 2);
  // stemmed: "waters" highlights "water" too
  const marks = await page.locator('.search-results mark').allInnerTexts();
  assert.ok(marks.length >= 2);
  assert.ok(marks.every((m) => /^water/i.test(m)), marks.join(', '));
  assert.equal(await page.getAttribute('meta[name="robots"]', 'content'), 'noindex');
  await page.screenshot({ path: join(shots, 'search.png') });
  assert.deepEqual(await axe(page), [], 'search page accessibility');

  // the filters: opinion only
  await page.locator('.search-filters summary').click();
  await page.getByLabel('Kind').selectOption('opinion');
  await Promise.all([page.waitForURL(/kind=opinion/), page.locator('.search-form button[type="submit"]').click()]);
  assert.equal(new URL(page.url()).searchParams.get('kind'), 'opinion');
  assert.equal(await page.locator('.search-filters').getAttribute('open'), '', 'the panel stays open while a filter is on');
  const kinds = await page.locator('.search-result .kind').allInnerTexts();
  assert.ok(kinds.length >= 1 && kinds.every((k) => /opinion/i.test(k)), kinds.join(', '));
  assert.deepEqual(await axe(page), [], 'filtered search accessibility');

  // a result opens its article
  const first = page.locator('.search-result h2 a').first();
  const href = await first.getAttribute('href');
  await Promise.all([page.waitForURL((u) => u.pathname === href), first.click()]);
  assert.equal(new URL(page.url()).pathname, href);

  // on a phone
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(srv.base + '/pt/search?q=elei%C3%A7%C3%B5es');
  assert.match(await page.locator('.search-count').innerText(), /matérias? encontradas?|Uma matéria/);
  await page.screenshot({ path: join(shots, 'search-phone.png') });
  assert.deepEqual(errors, []);
});
