// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #15: answer time of list-reports (filtered) and get-trends on 500 stored reports, run as
// the NS8 agent runs actions (test/sim/agent-runner.ts: input schema, Python step, output schema)
// against a real redis-server with NS8's ACLs. The history is stored by the service's outbox, so
// the index is the real one; the same actions without the index (reading every full report, as a
// history from an older version would be read) are timed for comparison.
// Run: node --import tsx bench/history.ts [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { moduleKeys, type PlanState } from '../src/domain/records.js';
import { createOutbox } from '../src/notify/outbox.js';
import type { Redis } from '../src/ns8/redis.js';
import { MODULE_ID, startRedis } from '../test/helpers/redis-server.js';
import { seedCluster } from '../test/sim/cluster.js';
import { agentEnvironment, IMAGEROOT, installModule, runAction, type AgentOptions } from '../test/sim/agent-runner.js';
import { historyReports } from '../test/fixtures/history.js';

const RUNS = Number(process.argv[2] ?? 15);
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function time(
  o: AgentOptions,
  action: string,
  input: unknown,
): Promise<{ p50: number; p95: number; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const res = await runAction(action, input, o);
    ms.push(performance.now() - t);
    if (res.status !== 'completed') throw new Error(`${action}: ${res.status} ${res.error}`);
    bytes = JSON.stringify(res.output).length;
  }
  return { p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), bytes };
}

/** The Python step alone (what runs on NS8), and a step that only starts Python and imports agent. */
function stepTime(o: AgentOptions, action: string | null, input: unknown): { p50: number; p95: number } {
  const ms: number[] = [];
  const file = action ? path.join(IMAGEROOT, 'actions', action, '20read') : '/usr/bin/python3';
  const args = action ? [] : ['-c', 'import agent, json, sys; json.load(sys.stdin)'];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const r = spawnSync(file, args, {
      input: JSON.stringify(input),
      env: { ...agentEnvironment(o), AGENT_COMFD: '2' },
      cwd: o.stateDir,
    });
    ms.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${action}: exit ${r.status} ${r.stderr}`);
  }
  return { p50: quantile(ms, 0.5), p95: quantile(ms, 0.95) };
}

/** The action's own work, in one warm Python process: read + filter/page or trends, N times. */
function inProcess(o: AgentOptions): string {
  const code = `
import os, time, json, agent
from backup_monitor.records import read_history
from backup_monitor.history import list_page, parse_query, trends
from backup_monitor.status import monitor_status, read_plans
rdb = agent.redis_connect(use_replica=True)
mid = os.environ['MODULE_ID']
def t(f):
    ms = []
    for _ in range(${RUNS}):
        a = time.perf_counter(); f(); ms.append((time.perf_counter() - a) * 1000)
    ms.sort(); return f"p50 {ms[len(ms)//2]:4.0f}  p95 {ms[min(len(ms)-1, int(len(ms)*0.95))]:4.0f}"
q1 = parse_query({'per_page': 10})[0]
q2 = parse_query({'plan_id': 1, 'outcome': ['SUCCESS', 'PARTIAL'], 'delivery': 'sent', 'from': 0, 'page': 2, 'per_page': 10})[0]
print('  list-reports first page           ', t(lambda: json.dumps(list_page(read_history(rdb, mid), q1))))
print('  list-reports 4 filters, page 2    ', t(lambda: json.dumps(list_page(read_history(rdb, mid), q2))))
print('  get-trends                        ', t(lambda: json.dumps(trends(read_history(rdb, mid), {p: h.get('name') for p, h in read_plans(rdb)}))))
print('  get-monitor-status                ', t(lambda: json.dumps(monitor_status(rdb, mid))))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', code], {
    env: { ...agentEnvironment(o), AGENT_COMFD: '2' },
    cwd: o.stateDir,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trimEnd();
}

const redis = await startRedis();
const root = mkdtempSync(path.join(tmpdir(), 'bm-bench-history-'));
try {
  await seedCluster(redis);
  const o: AgentOptions = { stateDir: path.join(root, 'state'), redis };
  await installModule({ ...o, tcpPort: 20013 });
  const writer = createClient({ url: redis.moduleUrl }) as Redis;
  await writer.connect();
  const outbox = createOutbox(writer, MODULE_ID);
  const reports = historyReports(500, Math.floor(Date.now() / 1000) - 3600);
  for (const r of reports)
    await outbox.store(r, { planId: r.run.planId, planName: r.run.planName } as PlanState, false);
  const k = moduleKeys(MODULE_ID);
  const bytes = (await writer.memoryUsage(k.index)) ?? 0;
  console.log(
    `500 reports stored (~${Math.round(JSON.stringify(reports[0]).length / 1024)} KB each); index ${Math.round(bytes / 1024)} KB`,
  );
  const cases: [string, string, unknown][] = [
    ['list-reports first page', 'list-reports', { page: 1, per_page: 10 }],
    [
      'list-reports 4 filters, page 2',
      'list-reports',
      { plan_id: 1, outcome: ['SUCCESS', 'PARTIAL'], delivery: 'sent', from: 0, page: 2, per_page: 10 },
    ],
    ['get-trends', 'get-trends', {}],
    ['get-monitor-status', 'get-monitor-status', {}],
  ];
  console.log(`The actions' work in a warm Python process, ${RUNS} runs each (ms):`);
  console.log(inProcess(o));
  console.log(
    `${RUNS} runs each (ms): the Python step alone | as the simulated agent runs it (schema checks, env sync)`,
  );
  const base = stepTime(o, null, {});
  console.log(
    `  ${'python3 + import agent (baseline)'.padEnd(34)} p50 ${base.p50.toFixed(0).padStart(4)}  p95 ${base.p95.toFixed(0).padStart(4)}`,
  );
  for (const [name, action, input] of cases) {
    const s = stepTime(o, action, input);
    const t = await time(o, action, input);
    console.log(
      `  ${name.padEnd(34)} p50 ${s.p50.toFixed(0).padStart(4)}  p95 ${s.p95.toFixed(0).padStart(4)} | p50 ${t.p50.toFixed(0).padStart(4)}  p95 ${t.p95.toFixed(0).padStart(4)}  output ${Math.round(t.bytes / 1024)} KB`,
    );
  }
  const saved = await writer.hGetAll(k.index);
  await writer.del(k.index);
  console.log('without the index (every full report read), warm process:');
  console.log(inProcess(o));
  console.log('without the index, the Python step alone:');
  for (const [name, action, input] of cases.slice(0, 3)) {
    const s = stepTime(o, action, input);
    console.log(`  ${name.padEnd(34)} p50 ${s.p50.toFixed(0).padStart(4)}  p95 ${s.p95.toFixed(0).padStart(4)}`);
  }
  await writer.hSet(k.index, saved);
  await writer.quit();
} finally {
  await redis.stop();
  rmSync(root, { recursive: true, force: true });
}
