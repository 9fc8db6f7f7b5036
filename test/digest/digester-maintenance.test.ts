// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 item 3: the digest reads the maintenance windows from `module/<id>/maintenance` on a real
// Redis (the silence store, wired as service.ts does) and lists them beside the silences.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { Digester, redisDigestStore } from '../../src/digest/digester.js';
import { readClusterApps } from '../../src/digest/read-cluster.js';
import { listPlanIds, readPlanSnapshots } from '../../src/correlate/read-plan.js';
import { moduleKeys } from '../../src/domain/records.js';
import type { Redis } from '../../src/ns8/redis.js';
import { memoryLogger } from '../../src/log.js';
import { createSilenceStore } from '../../src/notify/silence-store.js';
import { startRedis, MODULE_ID, type RedisServer } from '../helpers/redis-server.js';
import { seedCluster, PLANS } from '../sim/cluster.js';

const K = moduleKeys(MODULE_ID);
let redis: RedisServer;
let writer: Redis;
let reader: Redis;

async function connect(url: string): Promise<Redis> {
  const c = createClient({ url }) as Redis;
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

before(async () => {
  redis = await startRedis();
  writer = await connect(redis.moduleUrl);
  reader = await connect(redis.url());
  await seedCluster(redis);
});
after(async () => {
  await writer.quit().catch(() => undefined);
  await reader.quit().catch(() => undefined);
  await redis.stop();
});

const window = (id: string, calendar: string, durationSeconds: number, planId: number | null) =>
  JSON.stringify({ id, calendar, durationSeconds, planId, by: 'admin', at: 1, comment: '' });

describe('maintenance windows read for the digest', () => {
  it('lists the stored windows, cluster-wide and per plan', async () => {
    const plan = PLANS[0]!;
    await writer.hSet(K.maintenance, {
      w1: window('w1', 'Sun 02:00', 3 * 3600, null),
      w2: window('w2', 'Sat 03:00', 1800, plan.id),
    });
    const silences = createSilenceStore(writer, MODULE_ID);
    const d = new Digester({
      digest: { frequency: 'daily', weekday: 'mon', time: '08:00' },
      notify: { defaultPolicy: 'problems', plans: new Map() },
      mail: { to: ['admin@example.org'], language: 'en', subjectPrefix: '[NS8 Backup]' },
      timeZone: 'UTC',
      moduleId: MODULE_ID,
      readPlans: async () => readPlanSnapshots(reader, await listPlanIds(reader)),
      readApps: () => readClusterApps(reader),
      store: redisDigestStore(writer, MODULE_ID),
      readMaintenance: () => silences.windows(),
      clock: { now: () => Date.parse('2026-12-07T08:00:00Z') },
      log: memoryLogger(),
      onQueued: () => undefined,
    });
    const text = (await d.sample()).text.replace(/[\u2066-\u2069]/g, '');
    assert.match(text, /2 maintenance windows: /);
    assert.ok(text.includes('Sun 02:00 for 3h, every plan'), text);
    assert.ok(text.includes(`Sat 03:00 for 30m, ${plan.name}`), text);
  });
});
