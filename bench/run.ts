// SPDX-License-Identifier: GPL-3.0-or-later
// Benchmarks of issue #2, on a real redis-server and the real service:
//   1. correlation time and Redis round trips for 10/100/1000 modules over 1/4/16 nodes,
//      against the naive way (KEYS + one `redis-cli HGETALL` process per key);
//   2. webhook ack latency at a fixed 1,000 req/s with a real Alertmanager payload;
//   3. RSS of the idle service process;
// 2 and 3 beside a floor measured in the same run: bench/floor-app.mjs, express.json + one redis
// client on the same node and flags (issue #20: the goals are ratios to it).
// Run: npm run bench
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { startRedis, MODULE_ID, MODULE_PASSWORD, type RedisServer } from '../test/helpers/redis-server.js';
import { freePort, waitForPort } from '../test/helpers/ports.js';
import { readPlanSnapshot } from '../src/correlate/read-plan.js';
import { correlate } from '../src/correlate/correlate.js';
import type { Redis } from '../src/ns8/redis.js';
import { REPO_ROOT, productionCommand, shippedNode } from '../scripts/entrypoint.mjs';

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const ms = (n: number) => n.toFixed(2);

async function seedPlan(redis: RedisServer, modules: number, nodes: number): Promise<void> {
  const c = createClient({ url: redis.adminUrl });
  await c.connect();
  await c.flushAll();
  const m = c.multi();
  const ids = Array.from({ length: modules }, (_, i) => `app${i + 1}`);
  const now = Math.floor(Date.now() / 1000);
  ids.forEach((id, i) => {
    const node = (i % nodes) + 1;
    m.hSet('cluster/module_node', id, String(node))
      .hSet('cluster/module_uuid', id, `uuid-${i}`)
      .hSet(`module/${id}/environment`, { IMAGE_URL: `ghcr.io/nethserver/app:1.0.${i}` })
      .hSet(
        `node/${node}/backup_status/1`,
        id,
        JSON.stringify({
          start: now + i,
          total_size: 1e9,
          total_file_count: 1000,
          snapshots_count: 1,
          errors: i % 7 === 0 ? 1 : 0,
          end: now + i + 5,
        }),
      );
    if (i % 2) m.set(`module/${id}/ui_name`, `App ${i}`);
  });
  for (let n = 1; n <= nodes; n++) m.set(`node/${n}/ui_name`, `ns${n}`);
  m.hSet('cluster/backup/1', {
    name: 'Bench',
    repository: 'dest',
    schedule: 'daily',
    retention: '3',
    instances: ids.join(' '),
    enabled: '1',
  });
  m.hSet('cluster/backup_repository/dest', { name: 'Dest', url: 'b2:x', provider: 'backblaze', basepath: '' });
  m.set('cluster/backup_sequence', '1');
  await m.exec();
  await c.close();
}

/** Counts what leaves for Redis: one pipeline = one round trip. */
function counting(client: Redis): { client: Redis; trips: () => number } {
  let trips = 0;
  const wrap = (target: object): object =>
    new Proxy(target, {
      get(t, prop, recv) {
        const v = Reflect.get(t, prop, recv);
        if (prop === 'multi')
          return () => {
            const mm = (v as () => object).call(t);
            return wrap(mm);
          };
        if (prop === 'execAsPipeline' || prop === 'exec')
          return (...a: unknown[]) => {
            trips++;
            return (v as (...x: unknown[]) => unknown).apply(t, a);
          };
        if (
          typeof v === 'function' &&
          t === client &&
          /^[a-z][A-Za-z]*$/.test(String(prop)) &&
          !['on', 'connect', 'close', 'quit'].includes(String(prop))
        ) {
          return (...a: unknown[]) => {
            trips++;
            return (v as (...x: unknown[]) => unknown).apply(t, a);
          };
        }
        if (typeof v === 'function') {
          return (...a: unknown[]) => {
            const r = (v as (...x: unknown[]) => unknown).apply(t, a);
            return r === t ? recv : r;
          };
        }
        return v;
      },
    });
  return { client: wrap(client) as Redis, trips: () => trips };
}

function naive(port: number): void {
  const cli = (...args: string[]) =>
    execFileSync('redis-cli', ['-p', String(port), '--user', 'default', '--pass', 'x', '--no-auth-warning', ...args], {
      encoding: 'utf8',
    });
  const keys = cli('KEYS', 'node/*/backup_status/1').split('\n').filter(Boolean);
  cli('HGETALL', 'cluster/backup/1');
  cli('HGETALL', 'cluster/module_node');
  for (const k of keys) cli('HGETALL', k);
  const instances = cli('HGET', 'cluster/backup/1', 'instances').trim().split(' ');
  for (const m of instances) cli('GET', `module/${m}/ui_name`);
}

async function benchCorrelation(redis: RedisServer) {
  const rows: string[] = [
    '| modules | nodes | round trips | ours p50 (ms) | ours p99 (ms) | naive (ms) | naive / ours |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const reader = createClient({ url: redis.url() }) as Redis;
  await reader.connect();
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
      rows.push(
        `| ${modules} | ${nodes} | ${tripsPerRun} | ${ms(p50)} | ${ms(quantile(times, 0.99))} | ${ms(naiveMs)} | ${Math.round(naiveMs / p50)}× |`,
      );
    }
  }
  await reader.close();
  return rows.join('\n');
}

/** A stand-in for metrics1's Alertmanager: the poller's fetch runs during the whole benchmark. */
async function startAlertmanagerStub(): Promise<{ url: string; polls: () => number; close: () => void }> {
  let polls = 0;
  const srv = http.createServer((req, res) => {
    polls++;
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end('[]');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, polls: () => polls, close: () => srv.close() };
}

/**
 * The runtime of the service and the floor: the image's Node build (scripts/shipped-node.sh);
 * BENCH_NODE=/path/to/node compares another one.
 */
const serviceNode = process.env.BENCH_NODE || shippedNode();

/** BENCH_ENV="A=1 B=2": extra environment for the service, to try allocator settings and the like. */
function benchEnvironment(): Record<string, string> {
  const pairs = (process.env.BENCH_ENV ?? '').split(/\s+/).filter(Boolean);
  return Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}

async function startService(redis: RedisServer, port: number, metricsPort: number, alertmanagerUrl: string) {
  // The built service with the image's command line (build-images.sh --entrypoint, scripts/entrypoint.mjs),
  // the default log level and the poller on; BENCH_NODE_FLAGS="--a --b" tries other node flags,
  // BENCH_LOG_LEVEL=warning shows what the per-webhook info line costs.
  const argv = productionCommand();
  const flags =
    process.env.BENCH_NODE_FLAGS !== undefined
      ? process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean)
      : argv.slice(1, -1);
  const child = spawn(serviceNode, [...flags, argv.at(-1)!], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      PATH: process.env.PATH,
      TCP_PORT: String(port),
      MODULE_ID,
      REDIS_REPLICA_URL: `redis://127.0.0.1:${redis.port}`,
      REDIS_USER: `module/${MODULE_ID}`,
      REDIS_PASSWORD: MODULE_PASSWORD,
      ALERTMANAGER_URL: alertmanagerUrl,
      ALERTMANAGER_POLL_SECONDS: '1',
      REPO_CHECK_ENABLED: '0',
      WAIT_SECONDS: '3600',
      MAIL_TO: 'ops@example.org',
      // The /metrics listener is on in production (issue #16): metrics1 scrapes it every minute.
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
      ...benchEnvironment(),
    },
  });
  let logBytes = 0;
  const errors: string[] = [];
  child.stdout!.on('data', (b: Buffer) => {
    logBytes += b.length;
    for (const l of b.toString().split('\n')) if (/^<[0-3]>/.test(l) && errors.length < 5) errors.push(l);
  });
  await waitForPort(port, 20_000);
  return { child, flags, logBytes: () => logBytes, errors };
}

async function benchWebhook(port: number, pid: number) {
  const body = readFileSync(new URL('../test/fixtures/alertmanager/firing-one.json', import.meta.url));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const send = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/alert',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 202 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  for (let i = 0; i < 200; i++) await send(); // warm-up
  const rate = 1000;
  const seconds = 5;
  const lat: number[] = [];
  const pending: Promise<void>[] = [];
  const cpu0 = cpuMs(pid);
  const start = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      send().then((l) => {
        lat.push(l);
      }),
    );
  }
  await Promise.all(pending);
  const achieved = (rate * seconds) / ((performance.now() - start) / 1000);
  const cpuPer = (cpuMs(pid) - cpu0) / lat.length;
  agent.destroy();
  return {
    cpuPer,
    p99: quantile(lat, 0.99),
    table:
      `| requests | achieved rate (req/s) | p50 (ms) | p99 (ms) | max (ms) | service CPU per webhook (ms) |\n|---:|---:|---:|---:|---:|---:|\n` +
      `| ${lat.length} | ${Math.round(achieved)} | ${ms(quantile(lat, 0.5))} | ${ms(quantile(lat, 0.99))} | ${ms(Math.max(...lat))} | ${cpuPer.toFixed(3)} |`,
  };
}

const status = (pid: number, field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const rss = (pid: number) => status(pid, 'VmRSS');
/** RSS without the file-backed pages (mostly the node binary's, shared by every node process of the image). */
const anon = (pid: number) => status(pid, 'RssAnon');
/** User + system CPU time of a process, from /proc/<pid>/stat (clock ticks of 10 ms). */
const cpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2)
    .split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

/** The 1, 5 and 15 minute load averages, as `uptime` shows them. */
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const redis = await startRedis();
const am = await startAlertmanagerStub();
let svc: Awaited<ReturnType<typeof startService>> | null = null;
let floor: ChildProcess | null = null;
try {
  if (process.env.BENCH_ONLY !== 'service') {
    console.log('## Correlation: one plan read and classified\n');
    console.log(await benchCorrelation(redis));
  }
  await seedPlan(redis, 10, 2);
  const port = await freePort();
  const metricsPort = await freePort();
  svc = await startService(redis, port, metricsPort, am.url);
  // The floor starts now and idles beside the service, so both memory readings see the same time.
  const floorPort = await freePort();
  floor = spawn(serviceNode, [...svc.flags, 'bench/floor-app.mjs', String(floorPort), redis.url()], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  await waitForPort(floorPort, 10_000);
  const loadBefore = loadAverage();
  // Memory as an administrator sees it: just started, then idle as in production (polling
  // Alertmanager, scraped by metrics1) once V8's memory reducer has run (BENCH_IDLE_SECONDS).
  await new Promise((r) => setTimeout(r, 5000));
  const started = rss(svc.child.pid!);
  const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  if (scrape.status !== 200 || !(await scrape.text()).includes('backup_monitor_'))
    throw new Error(`the /metrics listener did not answer: HTTP ${scrape.status}`);
  await new Promise((r) => setTimeout(r, Math.max(0, Number(process.env.BENCH_IDLE_SECONDS ?? 60) - 5) * 1000));
  const idle = rss(svc.child.pid!);
  const idleAnon = anon(svc.child.pid!);
  const floorIdle = rss(floor.pid!);
  const floorAnon = anon(floor.pid!);
  const pollsBefore = am.polls();
  if (pollsBefore === 0)
    throw new Error('the service never polled Alertmanager: its HTTP client does not work with these node flags');
  console.log(`\n## Webhook ack at a fixed 1,000 req/s for 5 s (firing-one.json, keep-alive, default log level)\n`);
  const w = await benchWebhook(port, svc.child.pid!);
  console.log(w.table);
  await new Promise((r) => setTimeout(r, 2000));
  if (am.polls() <= pollsBefore) throw new Error('the poller stopped during the load');
  const f = await benchWebhook(floorPort, floor.pid!);
  console.log(`\nFloor (bench/floor-app.mjs, same node, flags and load):\n\n${f.table}`);
  const loadAfter = loadAverage();
  const version = execFileSync(serviceNode, ['--version']).toString().trim();
  console.log(
    `\n## Memory\n\nnode ${version} ${svc.flags.join(' ')} dist/main.js: RSS 5 s after start ${started.toFixed(1)} MB; ` +
      `idle RSS after ${process.env.BENCH_IDLE_SECONDS ?? 60} s ${idle.toFixed(1)} MB ` +
      `(anonymous ${idleAnon.toFixed(1)} MB, the rest is file-backed: the node binary); ` +
      `after the webhook load ${rss(svc.child.pid!).toFixed(1)} MB; Alertmanager polls answered: ${am.polls()}; ` +
      `log written: ${(svc.logBytes() / 1024).toFixed(0)} KiB. ` +
      `Floor idle RSS at the same moment ${floorIdle.toFixed(1)} MB (anonymous ${floorAnon.toFixed(1)} MB).`,
  );
  console.log(
    `\n## Against the floor (load average ${loadBefore} before, ${loadAfter} after)\n\n` +
      '| measure | service | floor | goal | met |\n|---|---:|---:|---|---|\n' +
      `| idle RSS (MB) | ${idle.toFixed(1)} | ${floorIdle.toFixed(1)} | ≤ floor + 30 | ${idle <= floorIdle + 30 ? 'yes' : 'no'} |\n` +
      `| CPU per accepted webhook (ms) | ${w.cpuPer.toFixed(3)} | ${f.cpuPer.toFixed(3)} | ≤ 2 × floor | ${w.cpuPer <= 2 * f.cpuPer ? 'yes' : 'no'} (${(w.cpuPer / f.cpuPer).toFixed(2)}×) |\n` +
      `| webhook p99 at 1,000 req/s (ms) | ${ms(w.p99)} | ${ms(f.p99)} | < 10 | ${w.p99 < 10 ? 'yes' : 'no'} |`,
  );
  if (svc.errors.length) console.log(`\nerrors logged by the service:\n${svc.errors.join('\n')}`);
  console.log(
    `\nsummary node=${version} flags="${svc.flags.join(' ')}" p99=${ms(w.p99)} cpu=${w.cpuPer.toFixed(3)} floor_p99=${ms(f.p99)} floor_cpu=${f.cpuPer.toFixed(3)} started=${started.toFixed(1)} idle=${idle.toFixed(1)} anon=${idleAnon.toFixed(1)} floor_idle=${floorIdle.toFixed(1)} floor_anon=${floorAnon.toFixed(1)} after=${rss(svc.child.pid!).toFixed(1)} load="${loadBefore} / ${loadAfter}"`,
  );
} finally {
  svc?.child.kill('SIGTERM');
  floor?.kill();
  am.close();
  await redis.stop();
}
