// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 item 5: a run whose last module never reports gets exactly one "still running"
// notice once past its stuck time, then its normal report when the module reports.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { ModuleStatus, PlanSnapshot } from '../../src/domain/backup.js';
import { RunTracker, type FlushRequest } from '../../src/triggers/run-tracker.js';
import { memoryLogger } from '../../src/log.js';
import { moduleStatus } from '../fixtures/module-status.js';
import { stuckLimitOf } from '../../src/notify/stuck.js';
import type { RunSummary } from '../../src/trends/anomaly.js';

const NOW = 1_800_000_000;
const quiet = () => new Promise((r) => setTimeout(r, 50));

it('one still-running notice past the stuck time, then the report when the last module ends', async () => {
  let nowS = NOW + 100;
  // samba1 took 10 h last time: its node is "busy", the run stays open.
  const statuses = new Map<string, ModuleStatus>([
    ['mail1', moduleStatus(NOW, 0, 60)],
    ['samba1', moduleStatus(NOW - 86400, 0, 36000)],
  ]);
  const snap = (): PlanSnapshot => ({
    plan: {
      id: 1,
      name: 'Daily',
      repository: 'd',
      schedule: 'daily',
      retention: 3,
      instances: ['mail1', 'samba1'],
      enabled: true,
    },
    destination: null,
    nodeNames: new Map(),
    statuses: new Map(statuses),
    modules: ['mail1', 'samba1'].map((id) => ({ id, node: 1, uiName: '', uuid: 'u', image: 'x' })),
  });
  const flushed: FlushRequest[] = [];
  const tracker = new RunTracker({
    readStatus: async (_n, _p, m) => statuses.get(m) ?? null,
    readPlan: async () => snap(),
    readAllPlans: async () => [snap()],
    flush: async (r) => void flushed.push(r),
    clock: { now: () => nowS * 1000 },
    log: memoryLogger(),
    waitSeconds: 0,
    maxRunSeconds: 3 * 86400,
    recentWindowSeconds: 3600,
    stuckAfter: async () => ({ afterSeconds: 7200, usualSeconds: 3600 }),
  });
  tracker.backupEvent({ nodeId: 1, planId: 1, moduleId: 'mail1' });
  await quiet();
  tracker.checkStuck();
  await quiet();
  assert.deepEqual(flushed, [], 'not yet past its stuck time');
  nowS = NOW + 7200;
  for (let i = 0; i < 3; i++) {
    tracker.checkStuck();
    await quiet();
  }
  assert.deepEqual(flushed, [{ kind: 'stuck', planId: 1, since: NOW, usualSeconds: 3600, triggers: ['backup event'] }]);
  statuses.set('samba1', moduleStatus(NOW + 60, 1, 9000));
  tracker.backupEvent({ nodeId: 1, planId: 1, moduleId: 'samba1' });
  await quiet();
  assert.deepEqual(flushed.slice(1), [{ kind: 'run', planId: 1, since: NOW, triggers: ['backup event'] }]);
  tracker.checkStuck();
  await quiet();
  assert.equal(flushed.length, 2, 'once');
  await tracker.close();
});

const past = (start: number, seconds: number[]): RunSummary => ({
  runKey: `1:${start}`,
  start,
  outcome: 'SUCCESS',
  modules: seconds.map((s, i) => ({
    id: `m${i}`,
    result: 'success',
    start: start + i * 10,
    size: 1,
    files: 1,
    seconds: s,
  })),
});

it('stuck after twice the usual duration, at least half an hour more; no history, never', () => {
  assert.equal(stuckLimitOf([past(3, [100]), past(2, [100])]), null, 'fewer than 3 complete runs');
  const short = stuckLimitOf([past(3, [60]), past(2, [120]), past(1, [90])]);
  assert.deepEqual(short, { afterSeconds: 90 + 1800, usualSeconds: 90 });
  const long = stuckLimitOf([past(3, [3600, 100]), past(2, [3600]), past(1, [7200])]);
  assert.deepEqual(long, { afterSeconds: 7200, usualSeconds: 3600 });
});
