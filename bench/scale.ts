// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #20: a large cluster. 16 nodes, 20 plans of 50 applications (1,000 applications), 180 days
// of hourly runs on 5 of the plans and nightly runs on the other 15, every run mailed (policy
// `always`: the most the module can store). What it prints:
// 1. the Redis memory of the module's namespace (MEMORY USAGE summed over module/<id>/*) as the
//    days go by, with the retention that bounds each part; a smarthost outage of three days
//    (the outbox's give-up time) on days 160-163 shows what a full outbox adds and what it leaves;
// 2. list-reports, get-trends and get-monitor-status over the agent floor (python3 +
//    `import agent`, same run; goal ≤ +50 ms), and through the simulated agent;
// 3. the digest's render time (the weekly digest of this cluster, as the service builds it);
// 4. /metrics size and scrape time, from the shipped entrypoint on this state.
// The history is written by the service's own pipeline (bench/lib-cluster.ts); the cluster by the
// simulator (test/sim/cluster.ts), the last run of every plan replayed as NS8's nodes write it.
// Run: npm run bench:scale [days]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { listPlanIds, readPlanSnapshot, readPlanSnapshots } from '../src/correlate/read-plan.js';
import { Digester, redisDigestStore } from '../src/digest/digester.js';
import { readClusterApps } from '../src/digest/read-cluster.js';
import { RUN_LOG_MAX } from '../src/digest/run-log.js';
import type { PlanSnapshot } from '../src/domain/backup.js';
import { HISTORY_MAX, HISTORY_MAX_BYTES, REPORT_TTL_SECONDS, moduleKeys } from '../src/domain/records.js';
import { memoryLogger } from '../src/log.js';
import { systemClock } from '../src/clock.js';
import { GIVE_UP_AFTER_MS } from '../src/notify/outbox-sender.js';
import type { Redis } from '../src/ns8/redis.js';
import { HISTORY_RUNS } from '../src/trends/anomaly.js';
import { freePort, waitForPort } from '../test/helpers/ports.js';
import { MODULE_ID, startRedis } from '../test/helpers/redis-server.js';
import { ensureBuilt, startTestService } from '../test/helpers/service.js';
import { installModule, type AgentOptions } from '../test/sim/agent-runner.js';
import { replayRun, seedCluster } from '../test/sim/cluster.js';
import { shippedNode } from '../scripts/entrypoint.mjs';
import { loadAverage, quantile, rssMb, scrapeMetrics } from './lib.js';
import { type ActionCase, endToEnd, floorVariant, measure, pairedShare, stepVariant } from './lib-agent.js';
import { historyWriter, largeCluster, largePlans, runAt } from './lib-cluster.js';

const NODES = 16;
const PLANS = 20;
const APPS_PER_PLAN = 50;
const HOURLY_PLANS = 5;
const DAYS = Number(process.argv[2] ?? 180);
/** The smarthost refuses every mail from the start of day [0] + 1 to the end of day [1] (3 days). */
const OUTAGE_DAYS = [DAYS - 20, DAYS - 17];
/** Memory is read at the end of these days. */
const MILESTONES = [1, 7, 30, 90, OUTAGE_DAYS[0]!, OUTAGE_DAYS[1]!, DAYS];
const ACTION_RUNS = 15;
const AGENT_RUNS = 3;
const DIGEST_RUNS = 10;
const SCRAPES = 8;
const METRICS_HOST = '127.0.0.2';
const SETTINGS = { NOTIFY_POLICY: 'always', WAIT_SECONDS: '30' };

const CASES: ActionCase[] = [
  { name: 'list-reports first page', action: 'list-reports', input: {} },
  {
    name: 'list-reports of one plan, 2 outcomes',
    action: 'list-reports',
    input: { plan_id: 1, outcome: ['PARTIAL', 'SUCCESS'] },
  },
  { name: 'get-trends', action: 'get-trends', input: {} },
  { name: 'get-monitor-status', action: 'get-monitor-status', input: {} },
];

const f0 = (x: number) => x.toFixed(0);
const mib = (b: number) => (b / 1024 / 1024).toFixed(1);

/** MEMORY USAGE (every element counted) of each key of the module's namespace, summed per kind of key. */
async function namespaceMemory(admin: Redis): Promise<{ total: number; keys: number; byKind: Map<string, number> }> {
  const prefix = `module/${MODULE_ID}/`;
  const keys: string[] = [];
  for await (const batch of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) keys.push(...batch);
  const m = admin.multi();
  for (const k of keys) m.memoryUsage(k, { SAMPLES: 0 });
  const sizes = (await m.execAsPipeline()) as unknown as number[];
  const byKind = new Map<string, number>();
  keys.forEach((k, i) => {
    const kind = k.slice(prefix.length).split('/')[0]!;
    byKind.set(kind, (byKind.get(kind) ?? 0) + (sizes[i] ?? 0));
  });
  return { total: sizes.reduce((a, b) => a + (b ?? 0), 0), keys: keys.length, byKind };
}

/** Entry counts of the bounded records, to tell which bound holds. */
async function recordCounts(admin: Redis) {
  const k = moduleKeys(MODULE_ID);
  const [history, index, outbox, runlog] = await Promise.all([
    admin.lLen(k.history),
    admin.hLen(k.index),
    admin.hLen(k.outbox),
    admin.lLen(k.runLog),
  ]);
  return { history, index, outbox, runlog };
}

// The service is compiled first: a source that does not build stops the benchmark before the long part.
ensureBuilt();
const redis = await startRedis({ nodes: Array.from({ length: NODES }, (_, i) => i + 1) });
const root = mkdtempSync(path.join(tmpdir(), 'bm-bench-scale-'));
const began = performance.now();
const loadStart = loadAverage();
const phase = (what: string) => console.error(`[${((performance.now() - began) / 1000).toFixed(0)} s] ${what}`);
try {
  const modules = largeCluster(NODES, PLANS * APPS_PER_PLAN);
  const plans = largePlans(modules, PLANS, APPS_PER_PLAN, HOURLY_PLANS);
  await seedCluster(redis, { modules, plans });
  const o: AgentOptions = { stateDir: path.join(root, 'state'), redis };
  const installed = await installModule({ ...o, tcpPort: 20013 });
  if (installed.status !== 'completed') throw new Error(`install: ${installed.error}`);
  // The latest run of every plan, as NS8's nodes write it; one application of plan 3 fails.
  await Promise.all(
    plans.map((p) => replayRun(redis, p.id, { [plans[2]!.instances[4]!]: { errors: 1 } }, { modules, plans })),
  );
  phase('cluster seeded');

  const reader = createClient({ url: redis.url() }) as Redis;
  const writer = createClient({ url: redis.moduleUrl }) as Redis;
  const admin = createClient({ url: redis.adminUrl }) as Redis;
  for (const c of [reader, writer, admin]) {
    c.on('error', () => undefined);
    await c.connect();
  }
  const latest = new Map<number, PlanSnapshot>();
  for (const p of plans) latest.set(p.id, (await readPlanSnapshot(reader, p.id))!);

  // 1. The months before, hour by hour: the hourly plans on the hour, the nightly ones at 01:30.
  const w = historyWriter(reader, writer, SETTINGS);
  const firstHour = Math.floor(Date.now() / 3_600_000) - DAYS * 24;
  const memoryRows: string[] = [];
  let runs = 0;
  let sendMs = 0;
  for (let h = 0; h < DAYS * 24; h++) {
    const day = Math.floor(h / 24);
    w.state.smarthostDown = day >= OUTAGE_DAYS[0]! && day < OUTAGE_DAYS[1]!;
    const due = plans.filter((p) => p.id <= HOURLY_PLANS || h % 24 === 1);
    const startOf = (id: number) => (firstHour + h) * 3600 + (id <= HOURLY_PLANS ? 0 : 1800);
    for (const p of due) w.state.plans.set(p.id, runAt(latest.get(p.id)!, startOf(p.id), h));
    w.state.nowMs = ((firstHour + h) * 3600 + 1800 + 600) * 1000;
    // At the same moment, as the service decides runs that end together: their reports are
    // stored at once (record-store.ts changes the history one change at a time).
    await Promise.all(
      due.map((p) =>
        w.pipeline.process({ kind: 'run', planId: p.id, since: startOf(p.id), triggers: ['backup event'] }),
      ),
    );
    runs += due.length;
    const t1 = performance.now();
    await w.sender.sendDue();
    sendMs += performance.now() - t1;
    if (h % 24 === 23 && MILESTONES.includes(day + 1)) {
      const mem = await namespaceMemory(admin);
      const n = await recordCounts(admin);
      const kinds = ['report', 'index', 'runs', 'runlog', 'plans'].map((x) => mib(mem.byKind.get(x) ?? 0));
      memoryRows.push(
        `| ${day + 1}${w.state.smarthostDown ? ' (smarthost down)' : ''} | ${runs} | ${mib(mem.total)} | ${kinds.join(' | ')} | ${mem.keys} | ${n.history} | ${n.index} | ${n.outbox} | ${n.runlog} |`,
      );
      phase(`day ${day + 1}: ${runs} runs, ${mib(mem.total)} MiB, outbox sender ${f0(sendMs / 1000)} s of it`);
    }
  }
  const errors = w.log.lines.filter((l) => /^<[0-3]>/.test(l));
  if (errors.length) throw new Error(`the pipeline logged errors:\n${errors.slice(0, 5).join('\n')}`);
  // The latest run (replayed above, real time) is decided as the service decided it when it came.
  w.state.nowMs = Date.now();
  for (const p of plans) w.state.plans.set(p.id, latest.get(p.id)!);
  await Promise.all(
    plans.map((p) => w.pipeline.process({ kind: 'run', planId: p.id, since: null, triggers: ['backup event'] })),
  );
  await w.sender.sendDue();
  runs += plans.length;
  const simulatedS = (performance.now() - began) / 1000;
  phase('history written');
  const n = await recordCounts(admin);
  console.log(
    `## The module's namespace in Redis (MEMORY USAGE of module/${MODULE_ID}/*, MiB)\n\n` +
      `${NODES} nodes, ${PLANS} plans × ${APPS_PER_PLAN} applications, ${HOURLY_PLANS} plans hourly and ${PLANS - HOURLY_PLANS} nightly for ${DAYS} days, ` +
      `${runs} runs decided by the service's pipeline (${Object.entries(SETTINGS)
        .map(([k, v]) => `${k}=${v}`)
        .join(
          ' ',
        )}: every run mailed), the smarthost refusing every mail on days ${OUTAGE_DAYS[0]! + 1}–${OUTAGE_DAYS[1]}; written in ${f0(simulatedS)} s.\n\n` +
      '| after day | runs | total | reports | index | runs (trends) | run log | plan states | keys | history | index entries | outbox | run log entries |\n' +
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n' +
      memoryRows.join('\n'),
  );
  console.log(
    `\nWhat bounds it: the history keeps at most ${HISTORY_MAX} reports and ${mib(HISTORY_MAX_BYTES)} MiB of reports plus index entries ` +
      `(it held ${n.history} at the end); a report that leaves the history while queued stays until it is sent or given up ` +
      `(${GIVE_UP_AFTER_MS / 86_400_000} days), every report expires after ${REPORT_TTL_SECONDS / 86_400} days; ` +
      `trends keep ${HISTORY_RUNS} runs per plan; the run log ${RUN_LOG_MAX} entries.` +
      (n.index > n.history ? ` Index entries without a history entry: ${n.index - n.history}.` : ''),
  );

  // 2. The read actions on this state, against the agent floor.
  const variants = [floorVariant(), ...CASES.map(stepVariant)];
  const m = measure(o, variants, ACTION_RUNS);
  const floor = m.floor!;
  const actionRows: string[] = [];
  for (const c of CASES) {
    const s = m[c.name]!;
    const e2e = await endToEnd(o, c, AGENT_RUNS);
    const share = pairedShare(s.wall, floor.wall);
    actionRows.push(
      `| ${c.name} | ${f0(quantile(s.wall, 0.5))} | ${f0(share)} | ${f0(pairedShare(s.cpu, floor.cpu))} | ${f0(e2e.p50)} | ${Math.round(e2e.bytes / 1024)} KB | ${share <= 50 ? 'met' : 'NOT met'} |`,
    );
  }
  phase('actions timed');
  console.log(
    `\n## Read actions on this state (ms; ${ACTION_RUNS} runs taking turns with the floor, shares are p50s of paired differences)\n\n` +
      `floor = python3 + import agent: wall ${f0(quantile(floor.wall, 0.5))}, CPU ${f0(quantile(floor.cpu, 0.5))}\n\n` +
      `| action | step p50 | our share: wall | our share: CPU | through the agent p50 (${AGENT_RUNS} runs) | output | goal ≤ +50 ms |\n` +
      '|---|---:|---:|---:|---:|---:|---|\n' +
      actionRows.join('\n'),
  );

  // 3. The weekly digest of this cluster, as the service builds it (Redis reads, content, render).
  const digester = new Digester({
    digest: w.cfg.digest,
    notify: w.cfg.notify,
    mail: w.cfg.mail,
    timeZone: w.cfg.schedule.timezone,
    moduleId: MODULE_ID,
    readPlans: async () => readPlanSnapshots(reader, await listPlanIds(reader)),
    readApps: () => readClusterApps(reader),
    store: redisDigestStore(writer, MODULE_ID),
    clock: systemClock,
    log: memoryLogger('error'),
    onQueued: () => undefined,
  });
  const digestMs: number[] = [];
  let digest = await digester.sample();
  for (let i = 0; i < DIGEST_RUNS; i++) {
    const t0 = performance.now();
    digest = await digester.sample();
    digestMs.push(performance.now() - t0);
  }
  console.log(
    `\n## Digest (weekly, ${DIGEST_RUNS} renders): p50 ${f0(quantile(digestMs, 0.5))} ms, max ${f0(Math.max(...digestMs))} ms ` +
      `(reading the plans, the applications, the plan states and the run log, counting, rendering); ` +
      `HTML ${Math.round(digest.html.length / 1024)} KB, text ${Math.round(digest.text.length / 1024)} KB`,
  );

  // 4. /metrics from the shipped entrypoint on this state.
  const metricsPort = await freePort();
  const svc = await startTestService(redis, {
    ...SETTINGS,
    METRICS_HOST: METRICS_HOST,
    METRICS_PORT: String(metricsPort),
  });
  try {
    await waitForPort(metricsPort, 20_000, METRICS_HOST);
    const sc = await scrapeMetrics(`http://${METRICS_HOST}:${metricsPort}/metrics`, SCRAPES);
    const queued = svc.log.lines.filter((l) => l.includes('report queued')).length;
    const version = execFileSync(shippedNode(), ['--version']).toString().trim();
    console.log(
      `\n## /metrics (the shipped entrypoint, node ${version}, ${SCRAPES} scrapes ≥ 5.1 s apart)\n\n` +
        '| body | series | pairs over the cap | scrape p50 (ms) | scrape p99 (ms) | background refresh p50 / max (ms) | service RSS |\n' +
        '|---:|---:|---:|---:|---:|---:|---:|\n' +
        `| ${(sc.bytes / 1000).toFixed(0)} kB | ${sc.series} | ${sc.dropped} | ${quantile(sc.latencies, 0.5).toFixed(1)} | ${quantile(sc.latencies, 0.99).toFixed(1)} | ` +
        `${f0(quantile(sc.refreshes, 0.5))} / ${f0(Math.max(...sc.refreshes))} | ${f0(rssMb(svc.service.pid))} MB |\n\n` +
        `Reports the service queued at start (it found the latest runs already reported): ${queued}.`,
    );
  } finally {
    await svc.service.stop();
  }
  phase('done');
  console.log(`\nload average at the start ${loadStart}, at the end: ${loadAverage()}`);
  for (const c of [reader, writer, admin]) await c.quit();
} finally {
  await redis.stop();
  rmSync(root, { recursive: true, force: true });
}
