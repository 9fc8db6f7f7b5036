// SPDX-License-Identifier: GPL-3.0-or-later
// The history, its index and the stored reports stay in step when writes meet (found by
// bench/scale.ts): plans decided at the same moment store at once, and a delivery attempt of a
// report that already left the history must not bring its index entry back. Real Redis, the
// module's user.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HISTORY_MAX, moduleKeys, type PlanState, type StoredReport } from '../../src/domain/records.js';
import { createRecordStore } from '../../src/notify/record-store.js';
import type { Redis } from '../../src/ns8/redis.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { useRedisPair } from '../helpers/redis-pair.js';
import { report } from '../imageroot/fixtures.js';

const K = moduleKeys(MODULE_ID);
let writer: Redis;
let admin: Redis;

useRedisPair((p) => {
  writer = p.writer;
  admin = p.admin;
});

const STATE = { planId: 2, planName: 'Weekly SMB' } as PlanState;

/** A report still waiting for the smarthost. */
const pending = (id: string): StoredReport => {
  const r = report(id);
  return { ...r, delivery: { ...r.delivery, status: 'pending', sentAt: null } };
};

/** Seeds `count` older entries (history, index, stored copy) behind what is there. */
async function seedOlder(count: number, prefix = 'old'): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await admin.rPush(K.history, ids);
  await admin.hSet(K.index, Object.fromEntries(ids.map((id) => [id, '{}'])));
  await admin.mSet(Object.fromEntries(ids.map((id) => [K.report(id), '{}'])));
  return ids;
}

/** Every history id has an index entry and a stored report; the index holds nothing else. */
async function assertInStep(): Promise<string[]> {
  const ids = await admin.lRange(K.history, 0, -1);
  assert.deepEqual((await admin.hKeys(K.index)).sort(), [...ids].sort(), 'index entries = history ids');
  const reports = await admin.mGet(ids.map(K.report));
  assert.deepEqual(
    ids.filter((_, i) => reports[i] === null),
    [],
    'every history id has its report',
  );
  return ids;
}

describe('reports stored at the same moment', () => {
  const five = () => Array.from({ length: 5 }, (_, i) => report(`run-${i}`));

  it('all five enter an empty history, each with its index entry and report', async () => {
    const records = createRecordStore(writer, MODULE_ID);
    await Promise.all(five().map((r) => records.store(r, STATE, false)));
    const ids = await assertInStep();
    assert.deepEqual([...ids].sort(), ['run-0', 'run-1', 'run-2', 'run-3', 'run-4']);
    assert.equal((await admin.hGetAll(K.facets))['plan/2'], '5', 'the facets count all five');
  });

  it('at the count bound, the oldest leave and the five stay, in step', async () => {
    const records = createRecordStore(writer, MODULE_ID);
    const old = await seedOlder(HISTORY_MAX - 2);
    await Promise.all(five().map((r) => records.store(r, STATE, false)));
    const ids = await assertInStep();
    assert.equal(ids.length, HISTORY_MAX);
    for (const r of five()) assert.ok(ids.includes(r.id), `${r.id} kept`);
    for (const id of old.slice(-3)) assert.equal(await admin.exists(K.report(id)), 0, `${id} deleted`);
  });
});

describe('a queued report that left the history (smarthost outage)', () => {
  /** Stores `q` queued, then pushes it out of the history by count. */
  async function pushedOut(records: ReturnType<typeof createRecordStore>) {
    await records.store(pending('q'), STATE, true);
    // Newer entries in front of `q`, up to the bound: the next report pushes `q` out.
    const newer = Array.from({ length: HISTORY_MAX - 1 }, (_, i) => `newer-${i}`);
    await admin.lPush(K.history, newer);
    await admin.hSet(K.index, Object.fromEntries(newer.map((id) => [id, '{}'])));
    await admin.mSet(Object.fromEntries(newer.map((id) => [K.report(id), '{}'])));
    await records.store(report('latest'), STATE, false);
    assert.equal(await admin.lPos(K.history, 'q'), null, 'q left the history');
    assert.equal(await admin.exists(K.report('q')), 1, 'its report stays while queued');
  }

  it('a delivery attempt does not write its index entry back', async () => {
    const records = createRecordStore(writer, MODULE_ID);
    await pushedOut(records);
    const attempt = pending('q');
    attempt.delivery = { ...attempt.delivery, attempts: 2, lastError: 'smarthost down' };
    await records.update(attempt, true);
    assert.equal(await admin.hExists(K.index, 'q'), 0, 'no index entry for an id out of the history');
    assert.ok(
      (await admin.hKeys(K.outbox)).some((f) => f.startsWith('q')),
      'still queued',
    );
    await assertInStep();
  });

  it('nor does a channel delivery change', async () => {
    const records = createRecordStore(writer, MODULE_ID);
    await pushedOut(records);
    const d = pending('q').delivery;
    assert.equal(await records.setDelivery('q', 'email', { ...d, attempts: 3 }), true);
    assert.equal(await admin.hExists(K.index, 'q'), 0);
  });

  it('a report still in the history keeps its index entry up to date', async () => {
    const records = createRecordStore(writer, MODULE_ID);
    await records.store(pending('p'), STATE, true);
    const sent = report('p');
    await records.update(sent, false);
    assert.equal(JSON.parse((await admin.hGet(K.index, 'p'))!).delivery.status, 'sent');
  });

  it('index entries left by earlier versions go at start and at the next report', async () => {
    const records = createRecordStore(writer, MODULE_ID);
    await records.store(report('a'), STATE, false);
    await admin.hSet(K.index, { ghost: '{}', ghost2: '{}' });
    await records.indexMissing();
    await assertInStep();
    await admin.hSet(K.index, 'ghost3', '{}');
    await records.store(report('b'), STATE, false);
    assert.deepEqual(await assertInStep(), ['b', 'a']);
  });
});
