// SPDX-License-Identifier: GPL-3.0-or-later
// Listing the plans on a real redis-server with NS8's ACL users.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { adminClient, seedCluster } from '../sim/cluster.js';
import { listPlanIds, readPlanSnapshots } from '../../src/correlate/read-plan.js';
import type { Redis } from '../../src/ns8/redis.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
  await seedCluster(redis);
});
after(async () => {
  await redis.stop();
});

describe('listPlanIds', () => {
  // Issue #10 item 11: ids 1..cluster/backup_sequence were read; 200k of them took 238 MB of heap.
  it('lists the plans that exist, not every id the sequence ever gave', async () => {
    const admin = await adminClient(redis);
    await admin.set('cluster/backup_sequence', '200000');
    await admin.hSet('cluster/backup/150000', {
      name: 'Late',
      repository: 'x',
      schedule: 'daily',
      retention: '1',
      instances: '',
      enabled: '1',
    });
    await admin.set('cluster/backup/7/note', 'not a plan');
    await admin.quit();
    const reader = createClient({ url: redis.url() }) as Redis;
    await reader.connect();
    try {
      const ids = await listPlanIds(reader);
      assert.deepEqual(ids, [1, 2, 150000]);
      assert.deepEqual(
        (await readPlanSnapshots(reader, ids)).map((s) => s.plan.id),
        [1, 2, 150000],
      );
    } finally {
      await reader.close();
    }
  });
});
