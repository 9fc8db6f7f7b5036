// SPDX-License-Identifier: GPL-3.0-or-later
// A removed plan leaves the per-plan records (issue #25 item 12), against a real Redis with NS8's
// ACLs: the `default` user reads the cluster, the module user forgets. Its reports stay.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { forgetRemovedPlans, removedPlanFields } from '../../src/service/forget-plans.js';
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
  for (const key of [K.plans, K.runs, K.watchdog])
    m.hSet(key, { '1': '{"planId":1}', '2': '{"planId":2}', '7': '{"planId":7}', '12': '{"planId":12}' });
  m.set(K.report('r-7'), '{"id":"r-7"}').lPush(K.history, 'r-7').hSet(K.index, 'r-7', '{"planId":7}');
  await m.exec();
}
const fields = async () => ({
  plans: (await writer.hKeys(K.plans)).sort(),
  runs: (await writer.hKeys(K.runs)).sort(),
  watchdog: (await writer.hKeys(K.watchdog)).sort(),
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

  it("drops a removed plan's plan state, run history and watchdog memory; keeps its reports", async () => {
    assert.deepEqual(await forgetRemovedPlans(reader, writer, MODULE_ID), [7]);
    const left = ['1', '12', '2'];
    assert.deepEqual(await fields(), { plans: left, runs: left, watchdog: left });
    assert.deepEqual(await kept(), { report: 1, history: ['r-7'], index: ['r-7'] });
    assert.deepEqual(await forgetRemovedPlans(reader, writer, MODULE_ID), [], 'nothing left to forget');
  });

  it('forgets nothing when the cluster is not readable (no plan sequence: an empty or loading replica)', async () => {
    const a = await adminClient(redis);
    await a.del(['cluster/backup_sequence', 'cluster/backup/1', 'cluster/backup/2']);
    await a.quit();
    assert.deepEqual(await forgetRemovedPlans(reader, writer, MODULE_ID), []);
    assert.equal((await fields()).plans.length, 4);
  });

  it('the running service forgets them on its own', async () => {
    const { service } = await startInProcessService(redis);
    try {
      await retry(
        async () => {
          const f = await fields();
          if (f.plans.includes('7') || f.runs.includes('7') || f.watchdog.includes('7')) throw new Error('not yet');
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
