// reader.test.mjs: a reader in Debian's Chromium (driven by playwright-core):
// a Spanish browser lands on /es/, opens a story, switches to Português and
// reads the same story in Portuguese. Screenshots go to screenshots/ (the
// README shows front.png); axe-core checks accessibility on each page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../http/harness.mjs';
import { launch, axe } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, 'screenshots');

let srv, browser, ctx;

before(async () => {
  srv = await startServer();
  mkdirSync(shots, { recursive: true });
  browser = await launch({ locale: 'es-ES', extraHTTPHeaders: { 'Accept-Language': 'es-ES,es;q=0.9' } });
  ctx = browser.ctx;
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('a Spanish reader lands on /es/, opens a story and switches to Português', async () => {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  await page.goto(srv.base + '/');
  assert.equal(new URL(page.url()).pathname, '/es/');
  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  await page.screenshot({ path: join(shots, 'front.png'), fullPage: false });
  assert.deepEqual(await axe(page), [], 'front page accessibility');

  // open a story that exists in all three editions: the lead has translations in the demo
  const story = page.locator('.top-stories a[href^="/es/20"]').first();
  const title = (await story.innerText()).trim();
  await story.click();
  await page.waitForLoadState('domcontentloaded');
  const esPath = new URL(page.url()).pathname;
  assert.match(esPath, /^\/es\/\d{4}\/\d{2}\//);
  assert.equal((await page.locator('h1').innerText()).trim(), title);
  const esDate = await page.locator('.dates time').first().innerText();
  assert.match(esDate, / de (enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre) de /);
  await page.screenshot({ path: join(shots, 'article.png'), fullPage: false });
  assert.deepEqual(await axe(page), [], 'article page accessibility');

  const ptLink = page.locator('nav.languages a[hreflang="pt"]');
  const target = await ptLink.getAttribute('href');
  assert.match(target, /^\/pt\/\d{4}\/\d{2}\//, 'the switcher points at the Portuguese story');
  await ptLink.click();
  await page.waitForLoadState('domcontentloaded');
  assert.equal(new URL(page.url()).pathname, target);
  assert.equal(await page.getAttribute('html', 'lang'), 'pt');
  const ptTitle = (await page.locator('h1').innerText()).trim();
  assert.ok(ptTitle.length > 0 && ptTitle !== title, 'a Portuguese headline');
  const ptDate = await page.locator('.dates time').first().innerText();
  assert.match(ptDate, / de (janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro) de /);
  // and back: the Spanish link of the Portuguese page is the story we came from
  assert.equal(await page.locator('nav.languages a[hreflang="es"]').getAttribute('href'), esPath);
  await page.screenshot({ path: join(shots, 'article-pt.png'), fullPage: false });
  assert.deepEqual(errors, [], 'no script errors or CSP violations');
});

test('the front page reads well on a phone, without horizontal scrolling', async () => {
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(srv.base + '/pt/');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
  await page.screenshot({ path: join(shots, 'front-phone.png'), fullPage: false });
  assert.deepEqual(await axe(page), [], 'phone accessibility');
});

test('archive and error pages pass the accessibility check', async () => {
  const page = await ctx.newPage();
  for (const p of ['/en/section/world', '/es/author/helena-ferraz', '/pt/nao-existe']) {
    await page.goto(srv.base + p);
    assert.deepEqual(await axe(page), [], p);
  }
});

test('a standing page: its parent in the breadcrumb, the pages under it, the footer links; accessible on desktop and phone', async () => {
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(srv.base + '/es/');
  await page.locator('.footer-pages a', { hasText: 'Quiénes somos' }).click();
  await page.waitForURL('**/es/quienes-somos');
  assert.equal(await page.locator('h1.story-title').textContent(), 'Quiénes somos');
  await page.locator('.subpages a', { hasText: 'La redacción' }).click();
  await page.waitForURL('**/es/quienes-somos/equipo');
  assert.equal(await page.locator('.breadcrumb a').first().textContent(), 'Quiénes somos');
  assert.deepEqual(await axe(page), [], 'page accessibility');
  await page.goto(srv.base + '/es/quienes-somos');
  await page.screenshot({ path: join(shots, 'page.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(srv.base + '/es/privacidad');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
  assert.deepEqual(await axe(page), [], 'phone accessibility');
  await page.screenshot({ path: join(shots, 'page-phone.png'), fullPage: false });
});

test('the accessibility check itself catches a broken page', async () => {
  const page = await ctx.newPage();
  await page.setContent('<!DOCTYPE html><html><body><img src="x.png"><a href="/x"></a></body></html>');
  const found = await axe(page);
  assert.ok(found.some((v) => v.startsWith('image-alt')), `axe reports the missing alt: ${found}`);
});
