// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #20: get-trends draws each plan from the lines the service keeps (module/<id>/trends,
// src/trends/lines.ts) instead of decoding the recent runs and the reports' index entries. Same
// runs, written by the service's own writers (TS), read by the action (Python): the answer from
// the kept lines is the answer computed from the runs, the run log and the reports.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { moduleKeys, type PlanState } from '../../src/domain/records.js';
import { createRunLog, runLogEntry } from '../../src/digest/run-log.js';
import { createRecordStore } from '../../src/notify/record-store.js';
import type { Redis } from '../../src/ns8/redis.js';
import { createRunHistory } from '../../src/trends/history.js';
import { historyReport, historyReports } from '../fixtures/history.js';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { seedCluster } from '../sim/cluster.js';
import { installModule, runAction, type AgentOptions } from '../sim/agent-runner.js';

const COUNT = 200; // 40 runs per plan: more than the strip's 30
const NEWEST = Math.floor(Date.now() / 1000) - 3600;
const keys = moduleKeys(MODULE_ID);

let redis: RedisServer;
let root: string;
let o: AgentOptions;
let writer: Redis;

async function trends(): Promise<unknown> {
  const res = await runAction('get-trends', {}, o);
  assert.equal(res.status, 'completed', `${res.error} ${JSON.stringify(res.output)}`);
  return res.output;
}

/** get-trends with the kept lines set aside: the computation of a state without them. */
async function computed(): Promise<unknown> {
  await writer.rename(keys.trends, `${keys.trends}-aside`);
  try {
    return await trends();
  } finally {
    await writer.rename(`${keys.trends}-aside`, keys.trends);
  }
}

before(async () => {
  redis = await startRedis();
  await seedCluster(redis);
  root = mkdtempSync(path.join(tmpdir(), 'bm-lines-'));
  o = { stateDir: path.join(root, 'state'), redis };
  assert.equal((await installModule({ ...o, tcpPort: 20014 })).status, 'completed');
  writer = createClient({ url: redis.moduleUrl }) as Redis;
  writer.on('error', () => undefined);
  await writer.connect();
  const records = createRecordStore(writer, MODULE_ID);
  const history = createRunHistory(writer, MODULE_ID);
  const runLog = createRunLog(writer, keys.runLog);
  // Every run decided: most mailed (a report), the last five not (recent runs and run log only).
  const all = historyReports(COUNT + 5, NEWEST);
  for (const [i, r] of all.entries()) {
    if (i < COUNT) await records.store(r, { planId: r.run.planId, planName: r.run.planName } as PlanState, false);
    await history.record(r.run);
    await runLog.append(runLogEntry(r.run, r.createdAt));
  }
  // A run decided again (an update): the newer decision replaces it everywhere.
  const again = historyReport(COUNT - 3, NEWEST, COUNT + 5);
  const updated = { ...again.run, outcome: 'PARTIAL' as const };
  updated.modules = updated.modules.map((m, j) => (j === 0 ? { ...m, result: 'failed' as const } : m));
  await history.record(updated);
  await runLog.append(runLogEntry(updated, Date.now()));
});

after(async () => {
  await writer?.quit();
  await redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('get-trends from the kept lines', () => {
  test('the service keeps one record of lines per plan', async () => {
    assert.deepEqual((await writer.hKeys(keys.trends)).sort(), ['1', '2', '3', '4', '5']);
  });

  test('the same answer as the computation from the runs, the run log and the reports', async () => {
    const kept = await trends();
    const full = await computed();
    assert.deepEqual(kept, full);
    const plans = (kept as { plans: { outcomes: unknown[]; applications: unknown[] }[] }).plans;
    assert.equal(plans.length, 5);
    assert.ok(plans.every((p) => p.outcomes.length === 30 && p.applications.length > 0));
  });

  test('a plan whose record cannot be used is computed as before, the others still drawn from theirs', async () => {
    const good = await writer.hGet(keys.trends, '3');
    const want = await computed();
    await writer.hSet(keys.trends, '3', '{"v":1,"runs":[[1,"k","SUCCESS"]],"apps":[{"id":"mail1"}]}');
    await writer.hSet(keys.trends, '4', '{"v":99,"runs":[],"apps":[]}');
    try {
      assert.deepEqual(await trends(), want);
    } finally {
      await writer.hSet(keys.trends, '3', good!);
    }
  });
});
