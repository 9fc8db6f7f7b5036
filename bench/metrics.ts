// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #16: size and time of one /metrics scrape of a cluster with 50 plans and 500 applications,
// against the shipped entrypoint (the image's entrypoint) and a real redis-server.
// Goal: < 1 MB and < 50 ms per scrape. Two shapes:
//   realistic - every application in 2 of the 50 plans (1,000 plan/application pairs);
//   worst     - every plan holds all 500 applications (25,000 pairs; the cap of 1,000 pairs applies),
//               and plan names as long as a label value may be (64 characters).
// A scrape is answered from the last refresh and triggers the next one (at most one per 5 s).
// Scrapes are at least 5.1 s and three refresh times apart, so every one triggers a refresh that is
// over before the next scrape, as with Prometheus' 1-minute interval; the refresh cost is reported
// from backup_monitor_metrics_refresh_seconds as served by the following scrape.
// Run: npm run build && node --import tsx bench/metrics.ts
import { execFileSync, spawn } from 'node:child_process';
import { createClient } from 'redis';
import { startRedis, MODULE_ID, MODULE_PASSWORD, type RedisServer } from '../test/helpers/redis-server.js';
import { freePort, waitForPort } from '../test/helpers/ports.js';
import { productionCommand, shippedNode } from '../scripts/entrypoint.mjs';
import { loadAverage, quantile, rssMb, scrapeMetrics } from './lib.js';

const PLANS = 50;
const APPS = 500;
const NODES = 4;
const SCRAPES = 20;
const HOST = '127.0.0.2';

async function seed(
  redis: RedisServer,
  plansOf: (app: number) => number[],
  planName: (p: number) => string,
): Promise<number> {
  const c = createClient({ url: redis.adminUrl });
  await c.connect();
  await c.flushAll();
  const m = c.multi();
  const then = Math.floor(Date.now() / 1000) - 2 * 86_400; // older than the recent window: no run is re-opened at start
  const members = new Map<number, string[]>();
  let pairs = 0;
  for (let i = 0; i < APPS; i++) {
    const id = `app${i + 1}`;
    const node = (i % NODES) + 1;
    m.hSet('cluster/module_node', id, String(node))
      .hSet('cluster/module_uuid', id, `uuid-${i}`)
      .hSet(`module/${id}/environment`, { IMAGE_URL: `ghcr.io/nethserver/app:1.0.${i}` });
    for (const p of plansOf(i)) {
      members.set(p, [...(members.get(p) ?? []), id]);
      pairs++;
      m.hSet(
        `node/${node}/backup_status/${p}`,
        id,
        JSON.stringify({
          start: then + i,
          total_size: 1e9 + i,
          total_file_count: 1000 + i,
          snapshots_count: 1,
          errors: i % 9 === 0 ? 1 : 0,
          end: then + i + 120,
        }),
      );
    }
  }
  for (let n = 1; n <= NODES; n++)
    m.hSet(`node/${n}/vpn`, 'ip_address', `10.5.4.${n}`).set(`node/${n}/ui_name`, `ns${n}`);
  for (let p = 1; p <= PLANS; p++) {
    m.hSet(`cluster/backup/${p}`, {
      name: planName(p),
      repository: 'dest',
      schedule: '*-*-* 01:30:00',
      retention: '7',
      instances: (members.get(p) ?? []).join(' '),
      enabled: '1',
    });
    m.hSet(
      `module/${MODULE_ID}/plans`,
      String(p),
      JSON.stringify({
        planId: p,
        planName: `Plan ${p}`,
        lastRunKey: `${p}:${then}`,
        lastOutcome: p % 5 ? 'SUCCESS' : 'PARTIAL',
        lastDigest: 'd',
        lastReportId: 'r',
        lastNotifiedAt: 0,
        failingSince: p % 5 ? null : then,
        lastSuccessAt: then,
      }),
    );
    m.hSet(
      `module/${MODULE_ID}/watchdog`,
      String(p),
      JSON.stringify({ schedule: '*-*-* 01:30:00', enabled: true, firstSeen: then - 86_400, reported: null }),
    );
  }
  m.hSet('cluster/backup_repository/dest', { name: 'Dest', url: 'b2:x', provider: 'backblaze', basepath: '' });
  m.set('cluster/backup_sequence', String(PLANS));
  await m.exec();
  await c.close();
  return pairs;
}

async function scrapeBench(redis: RedisServer, shape: string, pairs: number): Promise<string> {
  const port = await freePort();
  const metricsPort = await freePort();
  const [, ...args] = productionCommand(); // the image's entrypoint (build-images.sh)
  const child = spawn(shippedNode(), args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      TCP_PORT: String(port),
      METRICS_HOST: HOST,
      METRICS_PORT: String(metricsPort),
      REDIS_REPLICA_URL: `redis://127.0.0.1:${redis.port}`,
      REDIS_USER: `module/${MODULE_ID}`,
      REDIS_PASSWORD: MODULE_PASSWORD,
      ALERTMANAGER_POLL_SECONDS: '0',
      REPO_CHECK_ENABLED: '0',
      LOG_LEVEL: 'error',
      WAIT_SECONDS: '3600',
    },
  });
  try {
    await waitForPort(metricsPort, 20_000, HOST);
    const {
      latencies: lat,
      refreshes: refresh,
      bytes,
      series,
      dropped,
    } = await scrapeMetrics(`http://${HOST}:${metricsPort}/metrics`, SCRAPES);
    return `| ${shape} | ${pairs} | ${dropped} | ${series} | ${(bytes / 1000).toFixed(0)} kB | ${quantile(lat, 0.5).toFixed(1)} | ${quantile(lat, 0.99).toFixed(1)} | ${Math.max(...lat).toFixed(1)} | ${quantile(refresh, 0.5).toFixed(0)} / ${quantile(refresh, 0.99).toFixed(0)} | ${rssMb(child.pid!).toFixed(0)} MB |`;
  } finally {
    child.kill('SIGTERM');
  }
}

const redis = await startRedis();
try {
  const rows: string[] = [];
  rows.push(
    await scrapeBench(
      redis,
      'realistic: each application in 2 plans',
      await seed(
        redis,
        (i) => [(i % PLANS) + 1, ((i + 25) % PLANS) + 1],
        (p) => `Nightly ${p}`,
      ),
    ),
  );
  rows.push(
    await scrapeBench(
      redis,
      'worst: every plan holds every application, 64-character plan names',
      await seed(
        redis,
        () => Array.from({ length: PLANS }, (_, p) => p + 1),
        (p) => `Plan ${p} `.padEnd(64, 'x'),
      ),
    ),
  );
  const load = loadAverage();
  console.log(
    `## /metrics scrape, ${PLANS} plans, ${APPS} applications, ${NODES} nodes (node ${execFileSync(shippedNode(), ['--version']).toString().trim()}, the image's entrypoint, ${SCRAPES} scrapes, load average ${load})\n`,
  );
  console.log(
    '| cluster | plan/application pairs | pairs over the cap | series | body | scrape p50 (ms) | scrape p99 (ms) | scrape max (ms) | background refresh p50 / p99 (ms) | RSS after |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
} finally {
  await redis.stop();
}
