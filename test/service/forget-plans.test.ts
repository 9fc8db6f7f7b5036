// SPDX-License-Identifier: GPL-3.0-or-later
// A removed plan leaves the per-plan records (issue #25 item 12), against a real Redis with NS8's
// ACLs: the `default` user reads the cluster, the module user forgets. Its reports stay.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { forgetRemovedPlans, removedPlanFields, removedPlanWindows } from '../../src/service/forget-plans.js';
import { moduleKeys } from '../../src/domain/records.js';
import type { Redis } from '../../src/ns8/redis.js';
import { retry } from '../../src/retry.js';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startInProcessService } from '../helpers/service.js';
import { adminClient, seedCluster } from '../sim/cluster.js';

const K = moduleKeys(MODULE_ID);
let redis: RedisServer;
let reader: Redis;
let writer: Redis;

async function connect(url: string): Promise<Redis> {
  const c = createClient({ url }) as Redis;
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** Plans 1 and 2 exist (seedCluster); 7 was created and removed (sequence 9); 12 is not handed out yet. */
async function seedRecords(sequence = '9') {
  const c = await adminClient(redis);
  await c.flushAll();
  await c.quit();
  await seedCluster(redis);
  const a = await adminClient(redis);
  await a.set('cluster/backup_sequence', sequence);
  await a.quit();
  const m = writer.multi();
  for (const key of [K.plans, K.runs, K.watchdog, K.silences])
    m.hSet(key, { '1': '{"planId":1}', '2': '{"planId":2}', '7': '{"planId":7}', '12': '{"planId":12}' });
  m.hSet(K.maintenance, {
    w1: window('w1', 1),
    w7: window('w7', 7),
    w7b: window('w7b', 7),
    w12: window('w12', 12),
    all: window('all', null),
    bad: 'not json',
  });
  m.set(K.report('r-7'), '{"id":"r-7"}').lPush(K.history, 'r-7').hSet(K.index, 'r-7', '{"planId":7}');
  await m.exec();
}
/** A maintenance window of plan `planId` (null: every plan), as the action writes it. */
const window = (id: string, planId: number | null) =>
  JSON.stringify({ id, calendar: 'Sun 02:00', durationSeconds: 3600, planId, by: '', at: 1, comment: '' });
const fields = async () => ({
  plans: (await writer.hKeys(K.plans)).sort(),
  runs: (await writer.hKeys(K.runs)).sort(),
  watchdog: (await writer.hKeys(K.watchdog)).sort(),
  silences: (await writer.hKeys(K.silences)).sort(),
  maintenance: (await writer.hKeys(K.maintenance)).sort(),
});
const kept = async () => ({
  report: await writer.exists(K.report('r-7')),
  history: await writer.lRange(K.history, 0, -1),
  index: await writer.hKeys(K.index),
});

before(async () => {
  redis = await startRedis();
  reader = await connect(redis.url());
  writer = await connect(redis.moduleUrl);
});
after(async () => {
  await reader.quit().catch(() => undefined);
  await writer.quit().catch(() => undefined);
  await redis.stop();
});

describe('removed plans are forgotten', () => {
  beforeEach(() => seedRecords());

  it("drops a removed plan's plan state, run history, watchdog memory, silence and windows; keeps its reports", async () => {
    assert.deepEqual(await forgetRemovedPlans(reader, writer, MODULE_ID), [7]);
    const left = ['1', '12', '2'];
    const windows = ['all', 'bad', 'w1', 'w12'];
    assert.deepEqual(await fields(), { plans: left, runs: left, watchdog: left, silences: left, maintenance: windows });
    assert.deepEqual(await kept(), { report: 1, history: ['r-7'], index: ['r-7'] });
    assert.deepEqual(await forgetRemovedPlans(reader, writer, MODULE_ID), [], 'nothing left to forget');
  });

  it('forgets nothing when the cluster is not readable (no plan sequence: an empty or loading replica)', async () => {
    const a = await adminClient(redis);
    await a.del(['cluster/backup_sequence', 'cluster/backup/1', 'cluster/backup/2']);
    await a.quit();
    assert.deepEqual(await forgetRemovedPlans(reader, writer, MODULE_ID), []);
    const f = await fields();
    assert.equal(f.plans.length, 4);
    assert.equal(f.silences.length, 4);
    assert.equal(f.maintenance.length, 6);
  });

  it('the running service forgets them on its own', async () => {
    const { service } = await startInProcessService(redis);
    try {
      await retry(
        async () => {
          const f = await fields();
          const gone = [f.plans, f.runs, f.watchdog, f.silences].every((x) => !x.includes('7'));
          if (!gone || f.maintenance.includes('w7')) throw new Error('not yet');
        },
        { backoff: { firstMs: 50, maxMs: 200 }, attempts: 100 },
      );
      assert.deepEqual(await kept(), { report: 1, history: ['r-7'], index: ['r-7'] });
    } finally {
      await service.stop();
    }
  });
});

describe('removedPlanFields', () => {
  it('only plan ids handed out and gone', () => {
    assert.deepEqual(removedPlanFields(['1', '3', '9', '10', 'x', '03', '0'], new Set([1]), 9), ['3', '9']);
    assert.deepEqual(removedPlanFields(['1', '3'], new Set(), 0), [], 'no sequence: nothing');
  });
});

describe('removedPlanWindows', () => {
  it('only windows of a plan handed out and gone; cluster-wide and unreadable windows stay', () => {
    const ws = { a: window('a', 3), b: window('b', 1), c: window('c', null), d: window('d', 10), e: '{' };
    assert.deepEqual(removedPlanWindows(ws, new Set([1]), 9), { ids: ['a'], planIds: [3] });
    assert.deepEqual(removedPlanWindows(ws, new Set(), 0), { ids: [], planIds: [] }, 'no sequence: nothing');
  });
});
