// bench/soak.mjs: crash consistency. Drives mixed traffic at one gazette
// (readers' page views, comment posts, bookings of a small event, admin
// saves of articles) and kills the server with SIGKILL at a random moment,
// KILLS times, restarting it on the same database each time. After every
// kill: every write that got a 2xx/3xx answer is in the database (the
// comment, the booking, the article revision), no seat is sold twice
// (confirmed seats never exceed the quota, and the quota's remaining count
// agrees with them), and the database checks out (PRAGMA integrity_check
// on SQLite). On PostgreSQL (GAZETTE_PG) the same, with the server's own
// database.
//   node bench/soak.mjs [KILLS] [MAX_ROUND_MS]   (defaults 20, 3000)
// Prints one line per kill and exits 1 on any violation.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { BIN, Client, Staff, startServer, sql, PG } from '../tests/http/harness.mjs';

const KILLS = Number(process.argv[2] || 20);
const MAX_ROUND = Number(process.argv[3] || 3000);
const PASSWORD = 'soak test password 5521';
const CAPACITY = 20 + 10 * KILLS;   // seats enough to keep bookings racing through every round

// ---- the site ---------------------------------------------------------------
let srv = await startServer();
const db = srv.db, first = srv.dir;   // the database lives in the first server's folder (SQLite)
const one = (q) => sql(db, q).trim();
const settings = { 'comments.policy': 'open', 'comments.min_seconds': 0, 'comments.pow_bits': 0, 'comments.rate_ip': 0, 'comments.rate_email': 0 };
for (const [k, v] of Object.entries(settings)) execFileSync(BIN, ['settings', 'set', k, String(v), '--db', db]);
execFileSync(BIN, ['user', 'add', '--email', 'soak@example.org', '--name', 'Soak Editor', '--role', 'editor', '--db', db], { input: `${PASSWORD}\n` });
const eventPath = '/en/events/book-awards-2026';
const quota = one("SELECT q.id FROM quotas q JOIN events e ON e.translation_group = q.translation_group WHERE e.slug = 'book-awards-2026' ORDER BY q.id LIMIT 1");
sql(db, `UPDATE quotas SET capacity = ${CAPACITY}, remaining = ${CAPACITY} - (SELECT coalesce(sum(qty), 0) FROM bookings WHERE quota_id = ${quota} AND status = 'confirmed') WHERE id = ${quota}`);
const articles = one("SELECT id FROM articles WHERE edition = 'en' AND status = 'published' ORDER BY id LIMIT 6").split('\n').map(Number);
const pages = one(`SELECT '/' || edition || '/' || ${PG ? "to_char(to_timestamp(published_at) AT TIME ZONE 'UTC', 'YYYY/MM/')" : "strftime('%Y/%m/', published_at, 'unixepoch')"} || slug FROM articles WHERE status = 'published' ORDER BY id LIMIT 20`).split('\n');

// ---- what was acknowledged -------------------------------------------------
const acked = { comments: [], bookings: [], saves: [] };
let refused = 0, errors = 0, reads = 0;

const decode = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

async function commenter(base, stop, n) {
  const c = new Client(base);
  for (let i = 0; !stop.now; i++) {
    const article = articles[(n + i) % articles.length];
    const t = await c.get(`/comments/${article}/token`);
    if (t.status !== 200) { refused++; continue; }
    const { csrf, token } = JSON.parse(t.body);
    const marker = `soak-c-${n}-${Date.now()}-${i}`;
    const r = await c.post(`/comments/${article}`, { csrf, token, name: 'Soak Reader', email: `soak${n}@example.net`, body: `Soak comment ${marker}.` });
    const id = Number((r.headers.get('location') || '').match(/c=(\d+)/)?.[1] || 0);
    if (r.status >= 200 && r.status < 400 && id) acked.comments.push({ id, marker });
    else refused++;
  }
}

async function booker(base, stop, n) {
  const b = new Client(base);
  for (let i = 0; !stop.now; i++) {
    const f = await b.get(`${eventPath}/book`);
    const csrf = f.body.match(/name="csrf" value="([0-9a-f]{32})"/)?.[1], idem = f.body.match(/name="idem" value="([0-9a-f]{32})"/)?.[1];
    const type = f.body.match(/name="type" value="(\d+)"/)?.[1];
    if (!csrf || !idem || !type) { refused++; await new Promise((r) => setTimeout(r, 50)); continue; }   // sold out: the form says so
    const r = await b.post(`${eventPath}/book`, { csrf, idem, type, qty: String(1 + (i % 2)), name: `Soak ${n}`, email: `b${n}@example.net`, consent: '1' });
    const code = (r.headers.get('location') || '').match(/\/bookings\/([A-Z0-9-]+)/)?.[1];
    if (r.status === 303 && code) acked.bookings.push({ code, idem });
    else refused++;
  }
}

async function editor(base, stop, n, session) {
  const s = new Staff(base);
  s.jar = new Map(session);
  const id = articles[n];
  for (let i = 0; !stop.now; i++) {
    const f = await s.get(`/admin/articles/${id}`);
    if (f.status !== 200) { refused++; continue; }
    const csrf = f.body.match(/name="csrf" value="([0-9a-f]{32})"/)?.[1], base = f.body.match(/name="base" value="(\d+)"/)?.[1];
    const val = (name) => decode(f.body.match(new RegExp(`name="${name}" type="[a-z-]+" value="([^"]*)"`))?.[1] ?? f.body.match(new RegExp(`name="${name}"[^>]*>([^<]*)</textarea>`))?.[1] ?? '');
    const title = `Soak edit ${n}.${Date.now()}.${i}`;
    const r = await s.post(`/admin/articles/${id}`, { csrf, base, title, standfirst: val('standfirst'), body: val('body'), tags: val('tags'), slug: val('slug'),
      kind: f.body.match(/<option value="(news|opinion|blog)" selected>/)?.[1] || 'news', action: 'save' });
    if (r.status === 303) acked.saves.push({ id, title });
    else refused++;
  }
}

async function reader(base, stop, n) {
  for (let i = 0; !stop.now; i++) {
    const r = await fetch(base + pages[(n * 7 + i) % pages.length]);
    await r.arrayBuffer();
    reads++;
  }
}

// ---- checks ----------------------------------------------------------------------
function check(round) {
  const problems = [];
  if (!PG && one('PRAGMA integrity_check') !== 'ok') problems.push('integrity_check failed');
  const have = (q) => Number(one(q));
  for (const c of acked.comments)
    if (!have(`SELECT count(*) FROM comments WHERE id = ${c.id} AND body_md LIKE '%${c.marker}%'`)) problems.push(`comment ${c.id} lost`);
  for (const b of acked.bookings)
    if (!have(`SELECT count(*) FROM bookings WHERE code = '${b.code}' AND idem_key = '${b.idem}' AND status = 'confirmed'`)) problems.push(`booking ${b.code} lost`);
  for (const s of acked.saves)
    if (!have(`SELECT count(*) FROM article_revisions WHERE article_id = ${s.id} AND title = '${s.title}'`)) problems.push(`save "${s.title}" lost`);
  const sold = have(`SELECT coalesce(sum(qty), 0) FROM bookings WHERE quota_id = ${quota} AND status = 'confirmed'`);
  const remaining = have(`SELECT remaining FROM quotas WHERE id = ${quota}`);
  if (sold > CAPACITY) problems.push(`oversold: ${sold} seats of ${CAPACITY}`);
  if (sold + remaining !== CAPACITY) problems.push(`seats: ${sold} sold + ${remaining} remaining ≠ ${CAPACITY}`);
  console.log(`kill ${String(round).padStart(2)}: acknowledged ${acked.comments.length} comments, ${acked.bookings.length} bookings (${sold}/${CAPACITY} seats), ` +
    `${acked.saves.length} saves; ${reads} reads; ${problems.length ? 'PROBLEMS: ' + problems.slice(0, 5).join('; ') : 'all present'}`);
  return problems.length;
}

// ---- rounds -------------------------------------------------------------------------
const login = new Staff(srv.base);
if ((await login.login('soak@example.org', PASSWORD)).status !== 303) throw new Error('the editor cannot sign in');
const session = [...login.jar];
let bad = 0;
for (let round = 1; round <= KILLS; round++) {
  const stop = { now: false };
  // a request cut off by the kill rejects: not acknowledged, counted
  const cut = (p) => p.catch(() => { errors++; });
  const workers = [];
  for (let n = 0; n < 3; n++) workers.push(cut(commenter(srv.base, stop, n)));
  for (let n = 0; n < 3; n++) workers.push(cut(booker(srv.base, stop, n)));
  for (let n = 0; n < 2; n++) workers.push(cut(editor(srv.base, stop, n, session)));
  for (let n = 0; n < 4; n++) workers.push(cut(reader(srv.base, stop, n)));
  // the kill comes at a random moment, with requests in flight
  await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * MAX_ROUND)));
  srv.proc.kill('SIGKILL');
  await srv.exited;
  stop.now = true;
  await Promise.all(workers);
  bad += check(round);
  srv = await startServer([], { db });   // the same database, a fresh process
}
await srv.stop();
rmSync(first, { recursive: true, force: true });
const hash = createHash('sha256').update(JSON.stringify(acked)).digest('hex').slice(0, 12);
console.log(`${KILLS} kills: ${acked.comments.length} comments, ${acked.bookings.length} bookings, ${acked.saves.length} saves acknowledged ` +
  `and present after every restart; ${refused} refused, ${errors} cut off by a kill; ${bad ? 'VIOLATIONS' : 'no violations'} (run ${hash})`);
process.exit(bad ? 1 : 0);
