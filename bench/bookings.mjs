// bench/bookings.mjs: booking throughput. 64 concurrent clients book one
// ticket each, again and again, with durability on (every 303 is a
// committed booking): confirmed bookings per second over a bounded run,
// then the time to sell out 1,000 seats from the first request to the
// last seat. Every request is a real booking form post: its own CSRF
// cookie and token, its own idempotency key.
//   node bench/bookings.mjs BASE-URL DB-FILE SECONDS
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const [base, db, secs = '5'] = process.argv.slice(2);
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, q]).toString().trim();
const ev = '/en/events/newsroom-open-evening';
const quota = sql("SELECT q.id FROM quotas q JOIN events e ON e.translation_group = q.translation_group WHERE e.slug = 'newsroom-open-evening'");
const type = sql(`SELECT id FROM ticket_types WHERE quota_id = ${quota} ORDER BY position LIMIT 1`);

// one form fetch gives a CSRF cookie and its token; the idempotency key is per order
const f = await fetch(base + ev + '/book');
const cookie = f.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
const csrf = (await f.text()).match(/name="csrf" value="([0-9a-f]{32})"/)[1];

async function book(i) {
  const r = await fetch(base + ev + '/book', {
    method: 'POST', redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, idem: randomBytes(16).toString('hex'), type, qty: '1', name: `Bench ${i}`, email: `bench${i}@example.org`, consent: '1' }).toString(),
  });
  await r.arrayBuffer();
  return r.status;
}

// 503s are the costly routes' share at work (core/limits): counted apart
async function run(clients, until) {
  let n = 0, ok = 0, soldOut = 0, shed = 0, other = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (!until(ok, soldOut)) {
      const s = await book(n++);
      if (s === 303) ok++; else if (s === 409) soldOut++; else if (s === 503) shed++; else other++;
    }
  }));
  return { ok, soldOut, shed, other };
}

// 1. throughput: more seats than any run can sell
sql(`UPDATE quotas SET capacity = 10000000, remaining = 10000000 WHERE id = ${quota}`);
const t0 = Date.now(), end = t0 + Number(secs) * 1000;
const a = await run(64, () => Date.now() >= end);
const s1 = (Date.now() - t0) / 1000;
console.log(`booking, 64 concurrent clients, ${secs} s: ${a.ok} confirmed, ${(a.ok / s1).toFixed(0)} bookings/s, shed (503): ${a.shed}, other answers: ${a.other}`);

// 2. selling out 1,000 seats
sql(`UPDATE quotas SET capacity = 1000, remaining = 1000 WHERE id = ${quota}`);
const before = Number(sql(`SELECT count(*) FROM bookings WHERE quota_id = ${quota} AND status = 'confirmed'`));
const t1 = Date.now();
const b = await run(64, (ok, soldOut) => soldOut > 0);
const s2 = (Date.now() - t1) / 1000;
const sold = Number(sql(`SELECT count(*) FROM bookings WHERE quota_id = ${quota} AND status = 'confirmed'`)) - before;
console.log(`selling out 1,000 seats, 64 concurrent clients: ${s2.toFixed(2)} s (${b.ok} confirmed, seats left ${sql(`SELECT remaining FROM quotas WHERE id = ${quota}`)}, shed (503): ${b.shed}, other answers: ${b.other})`);
if (b.ok !== 1000 || sold !== 1000 || b.other || a.other) { console.error('bench/bookings: wrong counts'); process.exit(1); }
