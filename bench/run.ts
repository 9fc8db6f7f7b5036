// SPDX-License-Identifier: GPL-3.0-or-later
// Benchmarks of issue #2, on a real redis-server and the real service:
//   1. correlation time and Redis round trips for 10/100/1000 modules over 1/4/16 nodes,
//      against the naive way (KEYS + one `redis-cli HGETALL` process per key);
//   2. webhook ack latency at a fixed 1,000 req/s with a real Alertmanager payload;
//   3. RSS of the idle service process.
// Run: npm run bench
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createClient } from 'redis';
import { startRedis, MODULE_ID, MODULE_PASSWORD, type RedisServer } from '../test/helpers/redis-server.js';
import { freePort, waitForPort } from '../test/helpers/ports.js';
import { readPlanSnapshot } from '../src/correlate/read-plan.js';
import { correlate } from '../src/correlate/correlate.js';
import type { Redis } from '../src/ns8/redis.js';

const quantile = (xs: number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]!; };
const ms = (n: number) => n.toFixed(2);

async function seedPlan(redis: RedisServer, modules: number, nodes: number): Promise<void> {
  const c = createClient({ url: redis.adminUrl }); await c.connect(); await c.flushAll();
  const m = c.multi();
  const ids = Array.from({ length: modules }, (_, i) => `app${i + 1}`);
  const now = Math.floor(Date.now() / 1000);
  ids.forEach((id, i) => {
    const node = (i % nodes) + 1;
    m.hSet('cluster/module_node', id, String(node)).hSet('cluster/module_uuid', id, `uuid-${i}`)
      .hSet(`module/${id}/environment`, { IMAGE_URL: `ghcr.io/nethserver/app:1.0.${i}` })
      .hSet(`node/${node}/backup_status/1`, id, JSON.stringify({ start: now + i, total_size: 1e9, total_file_count: 1000, snapshots_count: 1, errors: i % 7 === 0 ? 1 : 0, end: now + i + 5 }));
    if (i % 2) m.set(`module/${id}/ui_name`, `App ${i}`);
  });
  for (let n = 1; n <= nodes; n++) m.set(`node/${n}/ui_name`, `ns${n}`);
  m.hSet('cluster/backup/1', { name: 'Bench', repository: 'dest', schedule: 'daily', retention: '3', instances: ids.join(' '), enabled: '1' });
  m.hSet('cluster/backup_repository/dest', { name: 'Dest', url: 'b2:x', provider: 'backblaze', basepath: '' });
  m.set('cluster/backup_sequence', '1');
  await m.exec(); await c.close();
}

/** Counts what leaves for Redis: one pipeline = one round trip. */
function counting(client: Redis): { client: Redis; trips: () => number } {
  let trips = 0;
  const wrap = (target: object): object => new Proxy(target, {
    get(t, prop, recv) {
      const v = Reflect.get(t, prop, recv);
      if (prop === 'multi') return () => { const mm = (v as () => object).call(t); return wrap(mm); };
      if (prop === 'execAsPipeline' || prop === 'exec') return (...a: unknown[]) => { trips++; return (v as (...x: unknown[]) => unknown).apply(t, a); };
      if (typeof v === 'function' && t === client && /^[a-z][A-Za-z]*$/.test(String(prop)) && !['on', 'connect', 'close', 'quit'].includes(String(prop))) {
        return (...a: unknown[]) => { trips++; return (v as (...x: unknown[]) => unknown).apply(t, a); };
      }
      if (typeof v === 'function') {
        return (...a: unknown[]) => { const r = (v as (...x: unknown[]) => unknown).apply(t, a); return r === t ? recv : r; };
      }
      return v;
    },
  });
  return { client: wrap(client) as Redis, trips: () => trips };
}

function naive(port: number): void {
  const cli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(port), '--user', 'default', '--pass', 'x', '--no-auth-warning', ...args], { encoding: 'utf8' });
  const keys = cli('KEYS', 'node/*/backup_status/1').split('\n').filter(Boolean);
  cli('HGETALL', 'cluster/backup/1');
  cli('HGETALL', 'cluster/module_node');
  for (const k of keys) cli('HGETALL', k);
  const instances = cli('HGET', 'cluster/backup/1', 'instances').trim().split(' ');
  for (const m of instances) cli('GET', `module/${m}/ui_name`);
}

async function benchCorrelation(redis: RedisServer) {
  const rows: string[] = ['| modules | nodes | round trips | ours p50 (ms) | ours p99 (ms) | naive (ms) | naive / ours |', '|---:|---:|---:|---:|---:|---:|---:|'];
  const reader = createClient({ url: redis.url() }) as Redis; await reader.connect();
  for (const modules of [10, 100, 1000]) {
    for (const nodes of [1, 4, 16]) {
      await seedPlan(redis, modules, nodes);
      const { client, trips } = counting(reader);
      await readPlanSnapshot(client, 1);
      const tripsPerRun = trips();
      const times: number[] = [];
      for (let i = 0; i < (modules >= 1000 ? 50 : 200); i++) {
        const t0 = performance.now();
        const snap = await readPlanSnapshot(reader, 1);
        correlate(snap!, { since: null, maxRunSeconds: 3 * 3600 });
        times.push(performance.now() - t0);
      }
      const t0 = performance.now();
      naive(redis.port);
      const naiveMs = performance.now() - t0;
      const p50 = quantile(times, 0.5);
      rows.push(`| ${modules} | ${nodes} | ${tripsPerRun} | ${ms(p50)} | ${ms(quantile(times, 0.99))} | ${ms(naiveMs)} | ${Math.round(naiveMs / p50)}× |`);
    }
  }
  await reader.close();
  return rows.join('\n');
}

async function startService(redis: RedisServer, port: number) {
  // The built service, as the image runs it (npm run build first).
  // Same V8 flags as the image's entrypoint: the live heap is ~13 MB, but V8's default young generation
  // and its optimizing compiler's code space are not; an I/O-bound service does not need TurboFan.
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '--max-old-space-size=128', '--lite-mode', 'dist/main.js'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, TCP_PORT: String(port), REDIS_REPLICA_URL: `redis://127.0.0.1:${redis.port}`, REDIS_USER: `module/${MODULE_ID}`, REDIS_PASSWORD: MODULE_PASSWORD, ALERTMANAGER_POLL_SECONDS: '0', LOG_LEVEL: 'error', WAIT_SECONDS: '3600' },
  });
  await waitForPort(port, 20_000);
  return child;
}

async function benchWebhook(port: number) {
  const body = readFileSync(new URL('../test/fixtures/alertmanager/firing-one.json', import.meta.url));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const send = () => new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({ host: '127.0.0.1', port, path: '/alert', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.resume(); res.on('end', () => (res.statusCode === 202 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject); req.end(body);
  });
  for (let i = 0; i < 200; i++) await send(); // warm-up
  const rate = 1000; const seconds = 5; const lat: number[] = []; const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(send().then((l) => { lat.push(l); }));
  }
  await Promise.all(pending);
  const achieved = (rate * seconds) / ((performance.now() - start) / 1000);
  agent.destroy();
  return `| requests | achieved rate (req/s) | p50 (ms) | p99 (ms) | max (ms) |\n|---:|---:|---:|---:|---:|\n| ${lat.length} | ${Math.round(achieved)} | ${ms(quantile(lat, 0.5))} | ${ms(quantile(lat, 0.99))} | ${ms(Math.max(...lat))} |`;
}

const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const redis = await startRedis();
try {
  console.log('## Correlation: one plan read and classified\n');
  console.log(await benchCorrelation(redis));
  await seedPlan(redis, 10, 2);
  const port = await freePort();
  const svc = await startService(redis, port);
  await new Promise((r) => setTimeout(r, 3000));
  const idle = rss(svc.pid!);
  console.log('\n## Webhook ack at a fixed 1,000 req/s for 5 s (firing-one.json, keep-alive)\n');
  console.log(await benchWebhook(port));
  console.log(`\n## Memory\n\nRSS of the idle service (node ${process.version}, dist/main.js with the image's V8 flags): ${idle.toFixed(1)} MB; after the webhook load: ${rss(svc.pid!).toFixed(1)} MB`);
  svc.kill('SIGTERM');
} finally { await redis.stop(); }
