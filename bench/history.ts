// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #15: answer time of list-reports (filtered), get-trends and get-monitor-status on 500
// stored reports, against a real redis-server with NS8's ACLs. The history is stored by the
// service's record store, so the index is the real one.
//
// What it prints, per action:
// - floor: `python3` + `import agent` (the simulator's shim imports redis-py as NS8's agent does;
//   NS8's own agent imports even more). Every action pays it; it is NS8's, not ours.
// - step: the action's Python step alone, as the agent starts it (stdin, env, cwd).
// - our share: step minus floor, measured in pairs (floor and steps take turns, so a busy machine
//   weighs on both alike), in wall time and in CPU time (user + sys of the child, from wait4: the
//   steadier number on a shared machine); split into our imports and the rest (connect, reads,
//   work, output).
// - end to end: through the simulated agent (test/sim/agent-runner.ts runAction: input schema,
//   step, output schema, environment copied to Redis); the output is validated by its schema
//   there, and a failed validation stops the benchmark.
// - instructions: the same shares counted by valgrind (when installed), which a busy machine
//   does not change.
// Then the actions' own work in one warm Python process, and the same actions without the index
// (every full report read, as a history from an older version would be).
// With a second argument, every report lists that many applications (issue #25: a 300-application
// plan): the history is then also bounded by HISTORY_MAX_BYTES.
// Run: node --import tsx bench/history.ts [pairs] [applications per report]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { moduleKeys, type PlanState, type StoredReport } from '../src/domain/records.js';
import { createRecordStore } from '../src/notify/record-store.js';
import type { Redis } from '../src/ns8/redis.js';
import { MODULE_ID, startRedis } from '../test/helpers/redis-server.js';
import { seedCluster } from '../test/sim/cluster.js';
import { agentEnvironment, installModule, type AgentOptions } from '../test/sim/agent-runner.js';
import { historyReports } from '../test/fixtures/history.js';
import { quantile } from './lib.js';
import {
  type ActionCase,
  endToEnd,
  floorVariant,
  importsOf,
  instructions,
  measure,
  FLOOR,
  PYTHON,
  pairedShare,
  stepOf,
  stepVariant,
  type Variant,
} from './lib-agent.js';

const RUNS = Number(process.argv[2] ?? 25);
const APPS = Number(process.argv[3] ?? 0);

const CASES: ActionCase[] = [
  {
    name: 'list-reports first page',
    action: 'list-reports',
    input: { page: 1, per_page: 10 },
  },
  {
    name: 'list-reports 4 filters, page 2',
    action: 'list-reports',
    input: { plan_id: 1, outcome: ['SUCCESS', 'PARTIAL'], delivery: 'sent', from: 0, page: 2, per_page: 10 },
  },
  {
    name: 'get-trends',
    action: 'get-trends',
    input: {},
  },
  {
    name: 'get-monitor-status',
    action: 'get-monitor-status',
    input: {},
  },
];

const ms = (x: number) => x.toFixed(0).padStart(4);

/** The actions' own work, in one warm Python process: read + filter/page or trends, N times. */
function inProcess(o: AgentOptions): string {
  const code = `
import os, time, json, agent
from backup_monitor.records import read_history, read_list_page, read_plans
from backup_monitor.history import list_page, parse_query, trends
from backup_monitor.status import monitor_status
rdb = agent.redis_connect(use_replica=True)
mid = os.environ['MODULE_ID']
def t(f):
    ms = []
    for _ in range(${RUNS}):
        a = time.perf_counter(); f(); ms.append((time.perf_counter() - a) * 1000)
    ms.sort(); return f"p50 {ms[len(ms)//2]:4.0f}  p95 {ms[min(len(ms)-1, int(len(ms)*0.95))]:4.0f}"
q1 = parse_query({'per_page': 10})[0]
q2 = parse_query({'plan_id': 1, 'outcome': ['SUCCESS', 'PARTIAL'], 'delivery': 'sent', 'from': 0, 'page': 2, 'per_page': 10})[0]
print('  list-reports first page           ', t(lambda: json.dumps(read_list_page(rdb, mid, q1))))
print('  list-reports 4 filters, page 2    ', t(lambda: json.dumps(read_list_page(rdb, mid, q2))))
print('  the same, reading the whole index as before issue #25:')
print('  list-reports first page           ', t(lambda: json.dumps(list_page(read_history(rdb, mid), q1))))
print('  list-reports 4 filters, page 2    ', t(lambda: json.dumps(list_page(read_history(rdb, mid), q2))))
print('  get-trends                        ', t(lambda: json.dumps(trends(read_history(rdb, mid), {p: h.get('name') for p, h in read_plans(rdb)}))))
print('  get-monitor-status                ', t(lambda: json.dumps(monitor_status(rdb, mid))))
`;
  const r = spawnSync(PYTHON, ['-c', code], {
    env: { ...agentEnvironment(o), AGENT_COMFD: '2' },
    cwd: o.stateDir,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trimEnd();
}

/** The report with APPS applications (copies of its own, renamed), or as it is. */
function withApplications(r: StoredReport): StoredReport {
  if (!APPS) return r;
  const own = r.run.modules;
  const modules = Array.from({ length: APPS }, (_, j) => ({
    ...own[j % own.length]!,
    moduleId: `app${j + 1}`,
    uiName: `Application ${j + 1}`,
  }));
  return { ...r, run: { ...r.run, modules } };
}

const redis = await startRedis();
const root = mkdtempSync(path.join(tmpdir(), 'bm-bench-history-'));
try {
  await seedCluster(redis);
  const o: AgentOptions = { stateDir: path.join(root, 'state'), redis };
  await installModule({ ...o, tcpPort: 20013 });
  const writer = createClient({ url: redis.moduleUrl }) as Redis;
  writer.on('error', () => undefined); // idle while valgrind runs: it reconnects when needed
  await writer.connect();
  const records = createRecordStore(writer, MODULE_ID);
  const reports = historyReports(500, Math.floor(Date.now() / 1000) - 3600).map(withApplications);
  for (const r of reports)
    await records.store(r, { planId: r.run.planId, planName: r.run.planName } as PlanState, false);
  const k = moduleKeys(MODULE_ID);
  const bytes = (await writer.memoryUsage(k.index)) ?? 0;
  const kept = await writer.lLen(k.history);
  const parser = spawnSync(PYTHON, ['-c', 'import redis.connection as c; print(c.HIREDIS_AVAILABLE)'], {
    encoding: 'utf8',
  }).stdout.trim();
  console.log(
    `500 reports stored (~${Math.round(JSON.stringify(reports[0]).length / 1024)} KB each${APPS ? `, ${APPS} applications` : ''}), ` +
      `${kept} kept; index ${Math.round(bytes / 1024)} KB; ` +
      `redis-py's hiredis parser: ${parser === 'True' ? 'yes' : 'NO (NS8 core ships hiredis: install python3-hiredis)'}`,
  );

  const floor = floorVariant();
  const variants: Variant[] = [floor];
  for (const c of CASES) {
    const step = stepVariant(c);
    const input = step.input;
    variants.push(step);
    variants.push({ name: `${c.name} imports`, argv: [PYTHON, '-c', `${FLOOR}; ${importsOf(c.action)}`], input });
    // NS8 runs steps without PYTHONDONTWRITEBYTECODE, so our package's bytecode is cached in the
    // module's pypkg/__pycache__ after the first call; the simulator compiles it every time.
    variants.push({
      name: `${c.name} bytecode`,
      argv: step.argv,
      input,
      env: { PYTHONDONTWRITEBYTECODE: null, PYTHONPYCACHEPREFIX: path.join(root, 'pycache') },
    });
  }
  const m = measure(o, variants, RUNS);
  const f = m.floor!;
  console.log(
    `\n${RUNS} runs each, the steps taking turns with the floor (ms, p50; shares are p50s of paired differences):`,
  );
  console.log(`  floor = python3 + import agent: wall ${ms(quantile(f.wall, 0.5))}, CPU ${ms(quantile(f.cpu, 0.5))}`);
  console.log(
    `  ${'action'.padEnd(31)}  step | our share: wall  CPU (imports + rest) | end to end (p95) agent's part | output`,
  );
  const cached: string[] = [];
  for (const c of CASES) {
    const s = m[c.name]!;
    const imp = m[`${c.name} imports`]!;
    const bc = m[`${c.name} bytecode`]!;
    const cpu = pairedShare(s.cpu, f.cpu);
    const cpuImports = pairedShare(imp.cpu, f.cpu);
    const e2e = await endToEnd(o, c, RUNS);
    console.log(
      `  ${c.name.padEnd(31)} ${ms(quantile(s.wall, 0.5))} |            ${ms(pairedShare(s.wall, f.wall))} ${ms(cpu)} (${ms(cpuImports)} + ${ms(cpu - cpuImports)}) |` +
        ` ${ms(e2e.p50)} (${ms(e2e.p95)})        ${ms(e2e.agent)} | ${Math.round(e2e.bytes / 1024)} KB`,
    );
    cached.push(
      `  ${c.name.padEnd(31)} ${ms(quantile(bc.wall, 0.5))} |            ${ms(pairedShare(bc.wall, f.wall))} ${ms(pairedShare(bc.cpu, f.cpu))}`,
    );
  }
  console.log(
    "Our package's bytecode cached, as on NS8 from the second call on (the simulator compiles it every time):",
  );
  for (const line of cached) console.log(line);

  const fi = instructions(o, floor);
  if (fi !== null) {
    const mi = (n: number) => `${(n / 1e6).toFixed(1).padStart(6)} M`;
    const pct = (n: number) => `${((100 * n) / fi).toFixed(0).padStart(3)} %`;
    console.log(
      '\nInstructions executed (valgrind callgrind, user space: the same on a busy machine; Redis, the kernel and' +
        '\nwaiting are not in it, so they do not convert to ms at one rate):',
    );
    console.log(`  ${'floor'.padEnd(31)} ${mi(fi)}`);
    console.log(`  ${'action'.padEnd(31)}   our share  of the floor  (imports + rest)   bytecode cached`);
    for (const c of CASES) {
      const byName = (name: string) => instructions(o, variants.find((v) => v.name === name)!)! - fi;
      const share = byName(c.name);
      const imp = byName(`${c.name} imports`);
      const cached = byName(`${c.name} bytecode`);
      console.log(
        `  ${c.name.padEnd(31)} ${mi(share)}  ${pct(share)}        (${mi(imp)} + ${mi(share - imp)})   ${mi(cached)}`,
      );
    }
  }

  console.log(`\nThe actions' work in a warm Python process, ${RUNS} runs each (ms):`);
  console.log(inProcess(o));

  const saved = await writer.hGetAll(k.index);
  await writer.del(k.index);
  console.log('\nWithout the index (every full report read):');
  console.log(inProcess(o));
  const old = measure(
    o,
    CASES.slice(0, 3).map((c) => ({ name: c.name, argv: [stepOf(c.action)], input: JSON.stringify(c.input) })),
    5, // a second or more each: enough to compare
  );
  for (const c of CASES.slice(0, 3))
    console.log(`  ${`${c.name}, the step`.padEnd(34)} p50 of 5 ${ms(quantile(old[c.name]!.wall, 0.5))}`);
  await writer.hSet(k.index, saved);
  await writer.quit();
} finally {
  await redis.stop();
  rmSync(root, { recursive: true, force: true });
}
