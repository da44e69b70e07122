// reader.test.mjs: what a reader sees, fetched from a real gazette with the
// demo newsroom: every page kind in every edition, the language switcher and
// hreflang, localized dates and plurals, pagination, headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, get, links, attr, sql } from './harness.mjs';

let srv;
const EDITIONS = ['pt', 'es', 'en'];
const pages = new Map();   // path -> {status, body, headers}

before(async () => {
  srv = await startServer();
  // crawl every internal link reachable from the three front pages
  const queue = EDITIONS.map((e) => `/${e}/`);
  while (queue.length && pages.size < 1500) {
    const p = queue.shift();
    if (pages.has(p)) continue;
    const r = await get(srv.base, p);
    pages.set(p, r);
    if (r.status === 200 && r.headers.get('content-type')?.startsWith('text/html')) {
      for (const l of links(r.body)) if (!pages.has(l)) queue.push(l);
    }
  }
});

after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, 'gazette exits 0 on SIGTERM');
});

const kindOf = (p) => {
  if (/^\/[a-z]{2}\/$/.test(p)) return 'front';
  if (/^\/[a-z]{2}\/\?page=\d+$/.test(p)) return 'front-page-n';
  if (/^\/[a-z]{2}\/\d{4}\/\d{2}\/[^/?]+$/.test(p)) return 'article';
  const m = p.match(/^\/[a-z]{2}\/(section|category|tag|author|kind)\//);
  return m ? m[1] : 'other';
};

test('the crawl reaches every page kind in every edition, all 200', () => {
  const seen = {};
  for (const [p, r] of pages) {
    assert.equal(r.status, 200, `${p} answered ${r.status}`);
    const key = `${p.slice(1, 3)}:${kindOf(p)}`;
    seen[key] = (seen[key] || 0) + 1;
  }
  for (const e of EDITIONS) {
    for (const k of ['front', 'article', 'section', 'category', 'tag', 'author', 'kind']) {
      assert.ok(seen[`${e}:${k}`] > 0, `no ${k} page reached in ${e}: ${JSON.stringify(seen)}`);
    }
  }
  assert.ok(pages.size > 150, `only ${pages.size} pages crawled`);
});

test('/ goes to the edition the browser prefers', async () => {
  const cases = [['es-ES,es;q=0.9,en;q=0.8', '/es/'], ['pt-BR,pt;q=0.9', '/pt/'], ['fr-FR,fr;q=0.9', '/en/'],
    ['de, pt;q=0.5, es;q=0.7', '/es/'], ['', '/en/']];
  for (const [al, want] of cases) {
    const r = await get(srv.base, '/', al ? { 'Accept-Language': al } : {});
    assert.equal(r.status, 302, al);
    assert.equal(r.headers.get('location'), want, al);
    assert.match(r.headers.get('vary') || '', /Accept-Language/);
  }
});

test('front pages: lead story, sections, lang, switcher to the other front pages', () => {
  for (const e of EDITIONS) {
    const { body } = pages.get(`/${e}/`);
    assert.match(body, new RegExp(`<html lang="${e}">`));
    assert.match(body, /class="lead[ "]/);
    assert.match(body, /class="section-block"/);
    for (const o of EDITIONS) {
      if (o !== e) assert.match(body, new RegExp(`<a href="/${o}/" hreflang="${o}"`), `${e} front links ${o}`);
    }
    assert.match(body, /<link rel="alternate" hreflang="x-default" href="http:\/\/127\.0\.0\.1:\d+\/en\/">/);
  }
});

test('articles: headline, standfirst, bylines, localized dates, breadcrumb, tags, canonical', () => {
  const months = {
    pt: /\d{1,2} de (janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro) de 20\d\d/,
    es: /\d{1,2} de (enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre) de 20\d\d/,
    en: /\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) 20\d\d/,
    ar: /[٠-٩]{1,2} (يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر) [٠-٩]{4}/,   // Arabic-Indic digits (ar_EG)
  };
  const by = { pt: 'Por', es: 'Por', en: 'By', ar: 'بقلم' };
  let n = 0;
  for (const [p, { body }] of pages) {
    if (kindOf(p) !== 'article') continue;
    n++;
    const e = p.slice(1, 3);
    assert.match(body, /<h1 class="story-title">[^<]+<\/h1>/, p);
    assert.match(body, /<p class="standfirst">/, p);
    assert.match(body, new RegExp(`${by[e]} <a href="/${e}/author/[a-z-]+" rel="author">`), p);
    const time = attr(body, /<p class="dates"><time datetime="[^"]+">([^<]+)<\/time>/);
    assert.match(time, months[e], `${p}: date "${time}"`);
    assert.match(body, /<nav class="breadcrumb"[^>]*>\s*<ol>\s*<li><a href="\/[a-z]{2}\/kind\/(news|opinion|blog)">/, p);
    assert.match(body, /rel="tag"/, p);
    assert.equal(attr(body, /<link rel="canonical" href="http:\/\/127\.0\.0\.1:\d+([^"]+)">/), p);
    assert.match(body, /<script type="application\/ld\+json">\{"@context":"https:\/\/schema.org"/, p);
    assert.match(body, /id="comments"/, p);
  }
  assert.ok(n >= 54, `only ${n} articles crawled`);
});

test('comment counts are the approved comments, in the edition plural', () => {
  const none = { pt: 'Ainda não há comentários', es: 'Todavía no hay comentarios', en: 'No comments yet', ar: 'لا تعليقات بعد' };
  const one = { pt: '1 comentário', es: '1 comentario', en: '1 comment', ar: 'تعليق واحد' };
  const many = { pt: 'comentários', es: 'comentarios', en: 'comments' };
  let discussed = 0;
  for (const [p, { body }] of pages) {
    if (kindOf(p) !== 'article') continue;
    const id = body.match(/href="\/comments\/(\d+)#comments"/)[1];
    const n = Number(sql(srv.db, `SELECT count(*) FROM comments WHERE article_id = ${id} AND status = 'approved'`).trim());
    const ed = p.slice(1, 3);
    assert.ok(many[ed] || n < 2, `${p}: the demo has no Arabic discussion to count`);
    const want = n === 0 ? none[ed] : n === 1 ? one[ed] : `${n} ${many[ed]}`;
    assert.ok(body.includes(`<h2 id="comments-h" class="comments-count">${want}</h2>`), `${p}: ${want}`);
    if (n > 1) discussed++;
  }
  assert.ok(discussed >= 2, 'the demo has discussions in more than one story');
});

test('hreflang alternates are reciprocal and resolve', () => {
  let translated = 0;
  for (const [p, { body }] of pages) {
    if (kindOf(p) !== 'article') continue;
    const alts = [...body.matchAll(/<link rel="alternate" hreflang="([a-z-]+)" href="http:\/\/127\.0\.0\.1:\d+([^"]+)">/g)]
      .map((m) => [m[1], m[2]]);
    const own = alts.find(([l]) => l === p.slice(1, 3));
    if (alts.length === 0) continue;   // an edition-only story
    assert.ok(own && own[1] === p, `${p} lists itself`);
    if (alts.filter(([l]) => l !== 'x-default').length < 2) continue;
    translated++;
    for (const [lang, url] of alts) {
      if (lang === 'x-default') continue;
      const other = pages.get(url);
      assert.ok(other && other.status === 200, `${p} → ${url}`);
      assert.ok(other.body.includes(`hreflang="${p.slice(1, 3)}" href="${srv.base}${p}"`), `${url} links back to ${p}`);
      assert.match(other.body, new RegExp(`<html lang="${lang}"( dir="rtl")?>`));
    }
  }
  assert.ok(translated >= 30, `${translated} translated articles`);
});

test('the switcher never leads to a 404, and goes to the same story where it exists', async () => {
  for (const [p, { body, headers }] of pages) {
    if (!headers.get('content-type')?.startsWith('text/html')) continue;   // a calendar file
    const sw = body.match(/<nav class="languages"[\s\S]*?<\/nav>/);
    assert.ok(sw, `${p} has a switcher`);
    for (const m of sw[0].matchAll(/<a href="([^"]+)" hreflang="([a-z]{2})"/g)) {
      const target = m[1].replace(/&amp;/g, '&');
      assert.ok(target.startsWith(`/${m[2]}/`), `${p}: ${target} is in ${m[2]}`);
      const r = pages.get(target) || await get(srv.base, target);
      assert.equal(r.status, 200, `${p} switcher → ${target}`);
    }
  }
  // an edition-only story switches to the same section in the other editions
  const single = [...pages].find(([p, { body }]) => kindOf(p) === 'article' && !body.includes('hreflang="x-default"'));
  assert.ok(single, 'an edition-only article exists');
  const sw = single[1].body.match(/<nav class="languages"[\s\S]*?<\/nav>/)[0];
  assert.match(sw, /href="\/[a-z]{2}\/section\/[a-z-]+"/, `${single[0]} falls back to a section`);
});

test('archives paginate; bad and out-of-range pages are refused', async () => {
  const r2 = await get(srv.base, '/en/?page=2');
  assert.equal(r2.status, 200);
  assert.match(r2.body, /rel="prev"/);
  const sec = await get(srv.base, '/pt/kind/news');
  assert.equal(sec.status, 200);
  for (const [q, want] of [['?page=999', 404], ['?page=abc', 400], ['?page=0', 400], ['?page=-1', 400],
    ['?page=99999999999999999999', 400], ['?page=', 400], ['?page=1.5', 400]]) {
    for (const p of ['/en/', '/es/section/mundo', '/pt/tag/brasil', '/en/author/helena-ferraz', '/es/kind/blog']) {
      const r = await get(srv.base, p + q);
      assert.equal(r.status, want, `${p}${q}`);
    }
  }
});

test('unknown things are localized 404 pages', async () => {
  const cases = [['/xx/', 'en', 'Page not found'], ['/pt/2026/01/nao-existe', 'pt', 'Página não encontrada'],
    ['/es/tag/no-existe', 'es', 'Página no encontrada'], ['/en/author/nobody', 'en', 'Page not found'],
    ['/es/kind/podcast', 'es', 'Página no encontrada'], ['/pt/nada/aqui', 'pt', 'Página não encontrada']];
  for (const [p, lang, text] of cases) {
    const r = await get(srv.base, p);
    assert.equal(r.status, 404, p);
    assert.match(r.body, new RegExp(`<html lang="${lang}">`), p);
    assert.ok(r.body.includes(text), `${p} says ${text}`);
    assert.match(r.body, /<meta name="robots" content="noindex">/);
  }
  const r = await get(srv.base, '/nothing-here', { 'Accept-Language': 'es' });
  assert.equal(r.status, 404);
  assert.match(r.body, /<html lang="es">/);
});

test('canonical redirects: missing slash, wrong date in an article URL', async () => {
  const r = await get(srv.base, '/pt?x=1');
  assert.equal(r.status, 308);
  assert.equal(r.headers.get('location'), '/pt/?x=1');
  const art = [...pages.keys()].find((p) => kindOf(p) === 'article');
  const wrong = art.replace(/\/\d{4}\/\d{2}\//, '/1999/01/');
  const w = await get(srv.base, wrong);
  assert.equal(w.status, 301);
  assert.equal(w.headers.get('location'), art);
});

test('security headers on every kind of response', async () => {
  for (const p of ['/', '/en/', [...pages.keys()].find((x) => kindOf(x) === 'article'), '/nope', '/static/css/site.css', '/healthz']) {
    const r = await get(srv.base, p);
    const csp = r.headers.get('content-security-policy') || '';
    assert.match(csp, /script-src 'self'/, p);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, p);
    assert.match(csp, /frame-ancestors 'none'/, p);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', p);
    assert.ok(r.headers.get('referrer-policy'), p);
  }
});

test('pages carry no inline script or style', () => {
  for (const [p, { body }] of pages) {
    for (const m of body.matchAll(/<script([^>]*)>/g)) assert.match(m[1], /type="application\/ld\+json"|src=/, p);
    assert.doesNotMatch(body, / style="| on[a-z]+="/, p);
  }
});

test('theme files: versioned URLs, long cache, ETag revalidation', async () => {
  const { body } = pages.get('/en/');
  const css = attr(body, /<link rel="stylesheet" href="([^"]+)">/);
  assert.match(css, /^\/static\/css\/site\.css\?v=[0-9a-f]{8}$/);
  const r = await get(srv.base, css);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/css/);
  assert.match(r.headers.get('cache-control'), /max-age=31536000, immutable/);
  const etag = r.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{16}(-gz|-br)?"$/);
  const again = await get(srv.base, '/static/css/site.css', { 'If-None-Match': etag });
  assert.equal(again.status, 304);
  const plain = await get(srv.base, '/static/css/site.css');
  assert.match(plain.headers.get('cache-control'), /must-revalidate/);
  assert.equal((await get(srv.base, '/static/css/nope.css')).status, 404);
});

test('HEAD answers like GET without a body; /healthz', async () => {
  const art = [...pages.keys()].find((p) => kindOf(p) === 'article');
  const r = await fetch(srv.base + art, { method: 'HEAD' });
  assert.equal(r.status, 200);
  assert.equal((await r.text()).length, 0);
  const h = await get(srv.base, '/healthz');
  assert.equal(h.status, 200);
  assert.equal(h.body, 'ok\n');
});

test('a database failure during a page is a localized 500, and the server keeps serving', async () => {
  const art = [...pages.keys()].find((p) => kindOf(p) === 'article' && p.startsWith('/pt/'));
  sql(srv.db, 'ALTER TABLE article_tags RENAME TO article_tags_gone');
  try {
    // a reader with a Gazette cookie bypasses the page cache, so this renders
    const r = await get(srv.base, art, { Cookie: 'gz_session=x' });
    assert.equal(r.status, 500);
    assert.match(r.body, /<html lang="pt">/);
    assert.ok(r.body.includes('Algo deu errado'), 'Portuguese 500 page');
    assert.doesNotMatch(r.body, /article_tags|SELECT/, 'no SQL leaks to the reader');
    assert.match(srv.log(), /db: .*article_tags/, 'the failing SQL is logged');
    assert.equal((await get(srv.base, '/healthz')).status, 200);
  } finally {
    sql(srv.db, 'ALTER TABLE article_tags_gone RENAME TO article_tags');
  }
  assert.equal((await get(srv.base, art, { Cookie: 'gz_session=x' })).status, 200, 'back once the table is back');
});

test('older/newer links walk a whole listing once each way, in date order', async () => {
  for (const start of ['/en/', '/es/section/mundo', '/pt/kind/news']) {
    const seen = [];
    const pagesVisited = [];
    let url = start;
    for (let guard = 0; url && guard < 50; guard++) {
      const r = await get(srv.base, url);
      assert.equal(r.status, 200, url);
      pagesVisited.push(url);
      const urls = [...r.body.matchAll(/<h[23] class="(?:card|lead)-title"><a href="([^"]+)"/g)].map((m) => m[1]);
      seen.push(...urls.filter((u) => !u.includes('/section/')));
      const next = r.body.match(/<a class="next" href="([^"]+)" rel="next">/);
      url = next ? next[1].replace(/&amp;/g, '&') : null;
    }
    if (start === '/en/') {
      // the front page repeats top stories in its section blocks: count the lead, rail, below and later pages
      const published = Number(sql(srv.db, "SELECT count(*) FROM articles WHERE edition = 'en' AND status = 'published'"));
      const unique = new Set(seen);
      assert.ok(unique.size >= published, `${unique.size} of ${published} English stories reached`);
    } else {
      assert.equal(new Set(seen).size, seen.length, `${start}: no story twice`);
    }
    // and back: the newer links from the last page lead to the first
    let back = pagesVisited[pagesVisited.length - 1];
    for (let guard = 0; guard < 50; guard++) {
      const r = await get(srv.base, back);
      const prev = r.body.match(/<a class="prev" href="([^"]+)" rel="prev">/);
      if (!prev) break;
      back = prev[1].replace(/&amp;/g, '&');
    }
    assert.equal(back, start, `${start}: the newer links lead back to the first page`);
  }
});

test('bad pagination cursors are 400, cursors past the end 404', async () => {
  for (const q of ['?before=abc', '?before=1.', '?before=.5', '?after=1.2.3', '?before=1234567890123.1', '?before=1.2&after=1.2', '?page=2&before=1.2', '?before=-1.2']) {
    assert.equal((await get(srv.base, '/en/tag/us' + q)).status, 400, q);
  }
  assert.equal((await get(srv.base, '/en/tag/us?before=1.1')).status, 404);
  assert.equal((await get(srv.base, '/en/?after=99999999999.1')).status, 404);
});
