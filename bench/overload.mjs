// bench/overload.mjs: a cached article page under hostile load, on
// loopback, bounded in time: its p99 (wrk -t1 -c16, 5 s) alone, then with
// 1,000 slowloris connections (headers never finished) and a flood of
// searches (32 clients) at once, with what the flood got (200 or 503);
// then the server's memory for 10,000 idle keep-alive connections.
//   node bench/overload.mjs        (GAZETTE_BIN selects the binary)
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { startServer, get } from '../tests/http/harness.mjs';

const S = await startServer(['--no-access-log']);
const rss = () => Number(readFileSync(`/proc/${S.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
const front = await get(S.base, '/en/');
const story = S.base + front.body.match(/href="(\/en\/20\d\d\/\d\d\/[^"]+)"/)[1];
await get(S.base, story.slice(S.base.length));

// wrk's p99 (ms) and requests per second
function wrk(url, seconds = 5) {
  return new Promise((resolve) => {
    const p = spawn('wrk', ['-t1', '-c16', `-d${seconds}s`, '--latency', url]);
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('close', () => {
      const ms = (s) => { const m = s.match(/([\d.]+)(us|ms|s)/); return m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : NaN; };
      resolve({ p99: ms(out.match(/99%\s+(\S+)/)?.[1] || ''), rps: Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]) });
    });
  });
}

const alone = await wrk(story);

// 1,000 slow clients and a search flood, with the same measurement
const slow = [];
for (let i = 0; i < 1000; i++) {
  const s = net.connect(S.port, '127.0.0.1');
  s.on('error', () => {});
  s.write('GET /en/ HTTP/1.1\r\nHost: x\r\n');
  slow.push(s);
}
const drip = setInterval(() => { for (const s of slow) s.write('X-a: b\r\n'); }, 10000);   // a header line every 10 s keeps them open
const codes = new Map();
let stop = false;
const flood = Array.from({ length: 32 }, async (_, k) => {
  for (let i = 0; !stop; i++) {
    try {
      const r = await fetch(`${S.base}/en/search?q=${['water', 'election', 'council', 'budget'][(k + i) % 4]}+${i % 11}`);
      await r.arrayBuffer();
      codes.set(r.status, (codes.get(r.status) || 0) + 1);
    } catch { codes.set('error', (codes.get('error') || 0) + 1); }
  }
});
await new Promise((r) => setTimeout(r, 500));
const loaded = await wrk(story);
stop = true;
await Promise.all(flood);
clearInterval(drip);
for (const s of slow) s.destroy();
await new Promise((r) => setTimeout(r, 1000));

// 10,000 idle keep-alive connections, each after one request
const before = rss();
const idle = [];
for (let i = 0; i < 10000; i++) {
  const s = net.connect(S.port, '127.0.0.1');
  s.on('error', () => {});
  s.on('data', () => {});
  idle.push(s);
  s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  if (i % 500 === 499) await new Promise((r) => setTimeout(r, 50));
}
await new Promise((r) => setTimeout(r, 2000));
const open = Number(execFileSync('sh', ['-c', `ls /proc/${S.proc.pid}/fd | wc -l`]).toString());
const after = rss();
const stillServing = (await get(S.base, '/en/')).status;
for (const s of idle) s.destroy();
await S.stop();

console.log('| load | cached article p99 | req/s |');
console.log('|---|---|---|');
console.log(`| alone | ${alone.p99.toFixed(2)} ms | ${Math.round(alone.rps).toLocaleString('en')} |`);
console.log(`| with 1,000 slowloris connections and 32 clients searching | ${loaded.p99.toFixed(2)} ms | ${Math.round(loaded.rps).toLocaleString('en')} |`);
console.log(`\nthe search flood meanwhile: ${[...codes].map(([c, n]) => `${n.toLocaleString('en')} × ${c}`).join(', ')}`);
console.log(`10,000 idle keep-alive connections: ${open} descriptors open, RSS ${before.toFixed(1)} → ${after.toFixed(1)} MiB ` +
  `(${((after - before) * 1024 / 10000).toFixed(1)} KiB each); the front page meanwhile: ${stillServing}`);
