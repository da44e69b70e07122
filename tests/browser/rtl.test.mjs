// rtl.test.mjs (issue 11): an edition declared right to left: the demo's
// Arabic edition (a few translated stories, the Arabic catalog), and a
// story published in it through the admin; its pages carry lang="ar" dir="rtl", the layout
// is mirrored (the masthead's parts, the navigation and the text run from
// the right), the other editions stay left to right with the switcher's
// Arabic name marked rtl, and axe finds nothing serious. Screenshots:
// front-rtl.png, article-rtl.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, addStaff, signInStaff } from '../http/harness.mjs';
import { launch, axe } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, 'screenshots');
let srv, browser, story;

before(async () => {
  srv = await startServer();   // the demo's Arabic edition, right to left
  addStaff(srv, 'rtl', 'admin');
  const admin = await signInStaff(srv, 'rtl');
  const form = (await admin.get('/admin/articles/new?edition=ar')).body;
  const csrf = form.match(/name="csrf" value="([0-9a-f]{32})"/)[1];
  const r = await admin.post('/admin/articles/new', {
    csrf, edition: 'ar', kind: 'news', action: 'publish',
    title: 'المدينة تعيد فتح خط الترام القديم بعد عشرين عاماً',
    standfirst: 'عادت العربات الصفراء إلى شارع الميناء صباح اليوم، وامتلأت المحطات بركاب جاؤوا ليروا الخط يعمل من جديد.',
    body: 'انطلقت أول رحلة في السادسة صباحاً من ساحة السوق، وعلى متنها سائقون متقاعدون عملوا على الخط قبل إغلاقه.\n\n' +
      '## ماذا تغيّر\n\nالعربات الجديدة منخفضة الأرضية، وتتسع لكراسي الأطفال والكراسي المتحركة، وتمرّ كل ثماني دقائق في ساعات الذروة.\n\n' +
      '> «كنت أركب هذا الترام إلى المدرسة»، قالت إحدى الراكبات وهي تلتقط صورة للمحطة.\n',
    tags: 'نقل عام, المدينة',
  });
  assert.equal(r.status, 303, `published: ${r.status}`);
  browser = await launch({ locale: 'ar-EG' });
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// where an element is, left to right on the screen
const box = (page, sel) => page.locator(sel).first().boundingBox();

test('the Arabic front page is right to left and mirrored', async () => {
  const page = await browser.ctx.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  const resp = await page.goto(`${srv.base}/ar/`);
  assert.equal(resp.status(), 200);
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).direction), 'rtl');
  // the story is there, and its headline starts at the right
  const link = page.locator('main a', { hasText: 'خط الترام القديم' }).first();
  story = await link.getAttribute('href');
  assert.match(story, /^\/ar\/\d{4}\/\d{2}\//);
  // mirrored: the navigation's first section sits right of its second, the
  // date line is on the right of the masthead bar, the search on its left
  const nav = page.locator('nav.sections a');
  if (await nav.count() >= 2) {
    const [a, b] = [await nav.nth(0).boundingBox(), await nav.nth(1).boundingBox()];
    assert.ok(a.x > b.x, `first section at ${a.x}, second at ${b.x}`);
  }
  const date = await box(page, '.dateline'), search = await box(page, '.masthead-search');
  assert.ok(date.x > search.x, `date line (${date.x}) right of the search (${search.x})`);
  const h = await box(page, 'main h2 a, main h3 a, main .card-title a');
  const main = await box(page, 'main');
  assert.ok(h.x + h.width > main.x + main.width * 0.5, 'headlines hang from the right');
  assert.deepEqual(await axe(page), [], 'accessibility');
  await page.screenshot({ path: join(shots, 'front-rtl.png'), fullPage: false });
  await page.close();
});

test('an Arabic story reads right to left; the other editions stay left to right', async () => {
  const page = await browser.ctx.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(srv.base + story);
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  const body = page.locator('.story-body p').first();
  assert.equal(await body.evaluate((el) => getComputedStyle(el).textAlign), 'start');
  const quote = page.locator('.story-body blockquote').first();
  const q = await quote.evaluate((el) => { const s = getComputedStyle(el); return { right: s.borderRightWidth, left: s.borderLeftWidth }; });
  assert.ok(parseFloat(q.right) >= 3 && parseFloat(q.left) === 0, `the quote's rule is on the right: ${JSON.stringify(q)}`);
  assert.deepEqual(await axe(page), [], 'accessibility');
  await page.screenshot({ path: join(shots, 'article-rtl.png'), fullPage: false });
  // phone: no sideways scroll
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(srv.base + story);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${overflow}px wider than the phone`);
  // English stays left to right, its switcher names Arabic as rtl
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${srv.base}/en/`);
  assert.equal(await page.getAttribute('html', 'dir'), null);
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).direction), 'ltr');
  const ar = page.locator('nav.languages [lang=ar]');
  assert.equal(await ar.getAttribute('dir'), 'rtl');
  assert.equal(await ar.innerText(), 'العربية');
  await page.close();
});
