// api.test.mjs: the read-only Content API against a real server (SQLite, and
// PostgreSQL when GAZETTE_PG is set): keys made, checked and revoked by the
// CLI; CORS for a key's origins only; every operation of the OpenAPI document
// served at /api/v1/openapi.json called for real and its answer checked
// against the document's schema (a small checker of the JSON Schema subset
// the document uses, below); cursor pages that walk a whole edition once;
// filters; translations; errors as JSON 4xx; unpublished stories absent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { BIN, startServer, get, sql } from './harness.mjs';

let S, KEY, doc;
before(async () => {
  S = await startServer();
  const out = execFileSync(BIN, ['api-key', 'add', 'Partner app', '--origin', 'https://app.example.org', '--db', S.db]).toString();
  KEY = out.split('\n')[0];
  assert.match(KEY, /^gz_[0-9a-f]{40}$/);
  const r = await get(S.base, '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  doc = JSON.parse(r.body);
});
after(async () => { assert.equal((await S.stop()).code, 0); });

const api = async (path, headers = {}) => {
  const r = await get(S.base, `/api/v1${path}${path.includes('?') ? '&' : '?'}key=${KEY}`, headers);
  return { ...r, json: r.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(r.body) : null };
};

// Checks value against a schema of the document; returns a list of problems.
function check(schema, value, at = '$') {
  if (schema.$ref) return check(doc.components.schemas[schema.$ref.split('/').pop()], value, at);
  if (value === null) return schema.nullable ? [] : [`${at}: null`];
  if (schema.allOf) return schema.allOf.flatMap((s) => check(s, value, at));
  const errs = [];
  const type = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (schema.type && schema.type !== type && !(schema.type === 'number' && type === 'integer')) return [`${at}: ${type}, not ${schema.type}`];
  if (schema.enum && !schema.enum.includes(value)) errs.push(`${at}: ${value} not in ${schema.enum}`);
  if (schema.format === 'date-time' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(value)) errs.push(`${at}: not a date-time: ${value}`);
  if (schema.format === 'uri' && !/^https?:\/\/\S+$/.test(value)) errs.push(`${at}: not a URI: ${value}`);
  if (schema.minimum !== undefined && value < schema.minimum) errs.push(`${at}: below ${schema.minimum}`);
  if (schema.maximum !== undefined && value > schema.maximum) errs.push(`${at}: above ${schema.maximum}`);
  if (type === 'array') {
    if (schema.minItems && value.length < schema.minItems) errs.push(`${at}: fewer than ${schema.minItems} items`);
    value.forEach((v, i) => errs.push(...check(schema.items, v, `${at}[${i}]`)));
  }
  if (type === 'object') {
    for (const k of schema.required || []) if (!(k in value)) errs.push(`${at}: no ${k}`);
    for (const [k, v] of Object.entries(value)) {
      if (schema.properties?.[k]) errs.push(...check(schema.properties[k], v, `${at}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${at}: ${k} is not in the document`);
    }
  }
  return errs;
}
const conforms = (op, status, r) => {
  const resp = op.responses[String(status)];
  assert.ok(resp, `the document describes ${status}`);
  const described = resp.$ref ? doc.components.responses[resp.$ref.split('/').pop()] : resp;
  assert.deepEqual(check(described.content['application/json'].schema, r.json), []);
};

test('the OpenAPI document, and every operation in it answering as it says', async () => {
  assert.match(doc.openapi, /^3\.0\.\d$/);
  assert.equal(doc.components.securitySchemes.key.in, 'query');
  const slug = sql(S.db, "SELECT slug FROM articles WHERE edition = 'en' AND status = 'published' AND translation_group IS NOT NULL ORDER BY published_at DESC LIMIT 1").trim();
  const ops = Object.entries(doc.paths);
  assert.equal(ops.length, 6);
  for (const [path, item] of ops) {
    for (const ed of ['en', 'es', 'pt']) {
      const r = await api(path.replace('{edition}', ed).replace('{slug}', ed === 'en' ? slug : 'no-such-story'));
      const status = ed !== 'en' && path.includes('{slug}') ? 404 : 200;
      assert.equal(r.status, status, `${path} ${ed}: ${r.body}`);
      conforms(item.get, status, r);
      assert.equal(r.headers.get('cache-control'), 'private, no-store');
    }
  }
  for (const key of ['articles', 'sections', 'tags', 'authors'])
    assert.ok((await api(`/en/${key}`)).json[key].length > 0, key);
});

test('cursor pages walk an edition once, newest first', async () => {
  const seen = [];
  let cursor = null, pages = 0;
  do {
    const r = await api(`/pt/articles?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    assert.ok(r.json.articles.length <= 7);
    assert.equal(r.json.meta.count, r.json.articles.length);
    seen.push(...r.json.articles);
    cursor = r.json.meta.next_cursor;
    pages++;
  } while (cursor && pages < 100);
  const published = Number(sql(S.db, "SELECT count(*) FROM articles WHERE edition = 'pt' AND status = 'published'").trim());
  assert.equal(seen.length, published);
  assert.equal(new Set(seen.map((a) => a.id)).size, published, 'no story twice');
  const times = seen.map((a) => a.published_at);
  assert.deepEqual([...times].sort().reverse(), times);
  assert.ok(seen.every((a) => a.edition === 'pt' && a.url.includes('/pt/')));
});

test('a filtered walk, page by page, holds exactly the stories its filter names, newest first', async () => {
  const walk = async (query) => {
    const ids = [];
    let cursor = null, pages = 0;
    do {
      const r = await api(`/en/articles?${query}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200, query);
      ids.push(...r.json.articles.map((a) => a.id));
      cursor = r.json.meta.next_cursor;
    } while (cursor && ++pages < 200);
    return ids;
  };
  const rows = (q) => sql(S.db, q).trim().split('\n').filter(Boolean);
  const order = "AND a.edition = 'en' AND a.status = 'published' ORDER BY a.published_at DESC, a.id DESC";
  // the edition's busiest tag, author and section
  const [tagSlug, tagId] = rows("SELECT n.slug || ' ' || n.term_id FROM term_names n JOIN article_tags t ON t.term_id = n.term_id "
    + "JOIN articles a ON a.id = t.article_id WHERE n.edition = 'en' AND n.taxonomy = 'tag' AND a.edition = 'en' "
    + "AND a.status = 'published' GROUP BY n.slug, n.term_id ORDER BY count(*) DESC, n.term_id LIMIT 1")[0].split(' ');
  const [auSlug, auId] = rows("SELECT u.slug || ' ' || u.id FROM authors u JOIN article_authors x ON x.author_id = u.id "
    + "JOIN articles a ON a.id = x.article_id WHERE a.edition = 'en' AND a.status = 'published' "
    + "GROUP BY u.slug, u.id ORDER BY count(*) DESC, u.id LIMIT 1")[0].split(' ');
  const [secSlug, secId] = rows("SELECT n.slug || ' ' || n.term_id FROM term_names n JOIN articles a ON a.section_id = n.term_id "
    + "WHERE n.edition = 'en' AND a.edition = 'en' AND a.status = 'published' "
    + "GROUP BY n.slug, n.term_id ORDER BY count(*) DESC, n.term_id LIMIT 1")[0].split(' ');
  const cases = [
    [`tag=${tagSlug}`, `SELECT a.id FROM articles a WHERE a.id IN (SELECT article_id FROM article_tags WHERE term_id = ${tagId}) ${order}`],
    [`author=${auSlug}`, `SELECT a.id FROM articles a WHERE a.id IN (SELECT article_id FROM article_authors WHERE author_id = ${auId}) ${order}`],
    [`section=${secSlug}`, `SELECT a.id FROM articles a WHERE a.section_id = ${secId} ${order}`],
    ['kind=opinion', `SELECT a.id FROM articles a WHERE a.kind = 'opinion' ${order}`],
    [`tag=${tagSlug}&kind=news`, `SELECT a.id FROM articles a WHERE a.kind = 'news' AND a.id IN (SELECT article_id FROM article_tags WHERE term_id = ${tagId}) ${order}`],
    [`section=${secSlug}&author=${auSlug}`, `SELECT a.id FROM articles a WHERE a.section_id = ${secId} AND a.id IN (SELECT article_id FROM article_authors WHERE author_id = ${auId}) ${order}`],
  ];
  for (const [query, want] of cases) {
    const expected = rows(want).map(Number);
    assert.ok(expected.length > 0, `${query}: the demo has such stories`);
    assert.deepEqual(await walk(query), expected, query);
  }
});

test('filters, one article, its translations', async () => {
  const op = (await api('/en/articles?kind=opinion&limit=50')).json.articles;
  assert.ok(op.length > 0 && op.every((a) => a.kind === 'opinion'));
  const sec = (await api('/en/sections')).json.sections[0];
  const inSec = (await api(`/en/articles?section=${sec.slug}&limit=50`)).json.articles;
  assert.ok(inSec.length > 0 && inSec.every((a) => a.section.slug === sec.slug));
  const author = inSec[0].authors[0].slug;
  const byAuthor = (await api(`/en/articles?author=${author}&limit=50`)).json.articles;
  assert.ok(byAuthor.length > 0 && byAuthor.every((a) => a.authors.some((x) => x.slug === author)));
  const one = (await api(`/en/articles/${inSec[0].slug}`)).json.article;
  assert.match(one.body_html, /^<p>|^<h2>/);
  if (one.tags.length) {
    const tagged = (await api(`/en/articles?tag=${one.tags[0].slug}&limit=50`)).json.articles;
    assert.ok(tagged.some((a) => a.id === one.id));
  }
  const withTr = sql(S.db, "SELECT slug FROM articles WHERE edition = 'en' AND status = 'published' AND translation_group IN (SELECT translation_group FROM articles WHERE edition = 'es' AND status = 'published') LIMIT 1").trim();
  const tr = (await api(`/en/articles/${withTr}`)).json.article.translations;
  assert.ok(tr.length >= 1);
  for (const t of tr) {
    assert.notEqual(t.edition, 'en');
    assert.equal((await get(S.base, new URL(t.url).pathname)).status, 200, t.url);
    assert.equal((await api(`/${t.edition}/articles/${t.slug}`)).status, 200);
  }
});

test('keys, CORS and errors', async () => {
  for (const bad of ['', '?key=', '?key=gz_0000000000000000000000000000000000000000']) {
    const r = await get(S.base, `/api/v1/en/articles${bad}`);
    assert.equal(r.status, 401);
    assert.equal(JSON.parse(r.body).errors[0].type, 'unauthorized');
  }
  const allowed = await api('/en/tags', { origin: 'https://app.example.org' });
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.org');
  assert.equal(allowed.headers.get('vary'), 'Origin');
  const other = await api('/en/tags', { origin: 'https://evil.example.net' });
  assert.equal(other.status, 200);
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  const listOp = doc.paths['/{edition}/articles'].get;
  for (const q of ['limit=0', 'limit=51', 'limit=abc', 'cursor=garbage', 'cursor=1.2.3', 'kind=gossip', 'section=nowhere', 'tag=nothing', 'author=nobody']) {
    const r = await api(`/en/articles?${q}`);
    assert.equal(r.status, 400, q);
    conforms(listOp, 400, r);
  }
  const nf = await api('/xx/articles');
  assert.equal(nf.status, 404);
  assert.equal((await get(S.base, '/api/v2/en/articles')).status, 404);
  // unpublished: gone from the list and the article
  const [id, slug] = sql(S.db, "SELECT id, slug FROM articles WHERE edition = 'es' AND status = 'published' ORDER BY published_at DESC LIMIT 1").trim().split('|');
  execFileSync(BIN, ['article', 'edit', id, '--status', 'draft', '--db', S.db]);
  assert.equal((await api(`/es/articles/${slug}`)).status, 404);
  assert.ok(!(await api('/es/articles?limit=50')).json.articles.some((a) => a.slug === slug));
  // revoked: refused at once
  const keyId = execFileSync(BIN, ['api-key', 'list', '--db', S.db]).toString().trim().split('\t')[0];
  execFileSync(BIN, ['api-key', 'revoke', keyId, '--db', S.db]);
  assert.equal((await api('/en/tags')).status, 401);
  assert.match(execFileSync(BIN, ['api-key', 'list', '--db', S.db]).toString(), /\trevoked$/m);
  assert.equal(spawnSync(BIN, ['api-key', 'add', 'x', '--origin', 'javascript:alert(1)', '--db', S.db]).status, 2);
  assert.equal(spawnSync(BIN, ['api-key', 'revoke', '999', '--db', S.db]).status, 1);
});
