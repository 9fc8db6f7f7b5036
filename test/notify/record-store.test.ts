// SPDX-License-Identifier: GPL-3.0-or-later
// The record store's history bound (issue #25 item 12): at most HISTORY_MAX reports AND
// HISTORY_MAX_BYTES of reports plus index entries, the oldest dropped first with their index
// entries and stored copies (unless still queued for sending). Real Redis, the module's user.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import {
  HISTORY_MAX,
  HISTORY_MAX_BYTES,
  moduleKeys,
  type PlanState,
  type StoredReport,
} from '../../src/domain/records.js';
import { createRecordStore } from '../../src/notify/record-store.js';
import type { Redis } from '../../src/ns8/redis.js';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { report } from '../imageroot/fixtures.js';

const K = moduleKeys(MODULE_ID);
let redis: RedisServer;
let writer: Redis;
let admin: Redis;

before(async () => {
  redis = await startRedis();
  writer = createClient({ url: redis.moduleUrl }) as Redis;
  admin = createClient({ url: redis.adminUrl }) as Redis;
  await Promise.all([writer.connect(), admin.connect()]);
});
after(async () => {
  await Promise.all([writer.quit(), admin.quit()]);
  await redis.stop();
});
beforeEach(async () => {
  await admin.flushAll();
});

const STATE = { planId: 2, planName: 'Weekly SMB' } as PlanState;

/** What the history holds, in bytes: every stored report plus its index entry. */
async function historyBytes(): Promise<number> {
  const ids = await admin.lRange(K.history, 0, -1);
  let total = 0;
  for (const id of ids) total += Number(await admin.strLen(K.report(id))) + Number(await admin.hStrLen(K.index, id));
  return total;
}

describe('history bound', () => {
  it('in bytes: big reports push the oldest out, with their index entries and copies', async () => {
    const records = createRecordStore(writer, MODULE_ID);
    const bigHtml = 'x'.repeat(1024 * 1024); // a 1 MiB report: a 300-application plan is ~180 KB
    const count = Math.ceil(HISTORY_MAX_BYTES / bigHtml.length) + 4;
    const queuedId = 'r-000';
    for (let i = 0; i < count; i++) {
      const r: StoredReport = report(`r-${String(i).padStart(3, '0')}`, { html: bigHtml });
      if (r.id === queuedId) r.delivery = { ...r.delivery, status: 'pending', sentAt: null };
      await records.store(r, STATE, r.id === queuedId);
    }
    const ids = await admin.lRange(K.history, 0, -1);
    assert.ok(ids.length < count, `${ids.length} of ${count} kept`);
    assert.ok(ids.length >= count - 6, 'no more than needed is dropped');
    assert.equal(ids[0], `r-${String(count - 1).padStart(3, '0')}`, 'the newest is kept');
    assert.ok((await historyBytes()) <= HISTORY_MAX_BYTES, 'within the bound');
    assert.deepEqual((await admin.hKeys(K.index)).sort(), [...ids].sort(), 'index entries follow the history');
    assert.equal(await admin.exists(K.report('r-001')), 0, 'a dropped report is deleted');
    assert.equal(await admin.exists(K.report(queuedId)), 1, 'unless it still waits to be sent');
  });

  it('in count: small reports stop at HISTORY_MAX', async () => {
    const records = createRecordStore(writer, MODULE_ID);
    // Seed HISTORY_MAX small entries directly, then store one more through the store.
    const seeded = Array.from({ length: HISTORY_MAX }, (_, i) => `old-${i}`);
    await admin.rPush(K.history, seeded);
    await admin.hSet(K.index, Object.fromEntries(seeded.map((id) => [id, '{}'])));
    await records.store(report('new-1'), STATE, false);
    assert.equal(await admin.lLen(K.history), HISTORY_MAX);
    assert.equal(await admin.hLen(K.index), HISTORY_MAX);
    assert.equal(await admin.hExists(K.index, `old-${HISTORY_MAX - 1}`), 0);
  });
});
