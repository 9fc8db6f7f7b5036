// SPDX-License-Identifier: GPL-3.0-or-later
// The record store's history bound (issue #25 item 12): at most HISTORY_MAX reports AND
// HISTORY_MAX_BYTES of reports plus index entries, the oldest dropped first with their index
// entries and stored copies (unless still queued for sending). Real Redis, the module's user.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  HISTORY_MAX,
  HISTORY_MAX_BYTES,
  moduleKeys,
  type PlanState,
  type StoredReport,
} from '../../src/domain/records.js';
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
    await admin.mSet(Object.fromEntries(seeded.map((id) => [K.report(id), '{}'])));
    await records.store(report('new-1'), STATE, false);
    assert.equal(await admin.lLen(K.history), HISTORY_MAX);
    assert.equal(await admin.hLen(K.index), HISTORY_MAX);
    assert.equal(await admin.hExists(K.index, `old-${HISTORY_MAX - 1}`), 0);
    assert.equal(await admin.exists(K.report(`old-${HISTORY_MAX - 1}`)), 0);
  });

  it('an entry whose report expired leaves the history at the next report', async () => {
    const records = createRecordStore(writer, MODULE_ID);
    for (const id of ['r-1', 'r-2', 'r-3']) await records.store(report(id), STATE, false);
    await admin.del(K.report('r-2'));
    await records.store(report('r-4'), STATE, false);
    assert.deepEqual(await admin.lRange(K.history, 0, -1), ['r-4', 'r-3', 'r-1']);
    assert.equal(await admin.hExists(K.index, 'r-2'), 0);
  });
});

describe('history facets (what list-reports offers as filters)', () => {
  const ofPlan = (id: string, planId: number, planName: string, outcome: string) => {
    const r = report(id);
    return { ...r, run: { ...r.run, planId, planName, outcome } } as StoredReport;
  };

  it('count the plans and outcomes of what the history holds, as reports come and go', async () => {
    const records = createRecordStore(writer, MODULE_ID);
    await records.store(ofPlan('a', 1, 'Daily', 'SUCCESS'), STATE, false);
    await records.store(ofPlan('b', 2, 'Weekly', 'PARTIAL'), STATE, false);
    await records.store(ofPlan('c', 1, 'Daily offsite', 'PARTIAL'), STATE, false);
    assert.deepEqual(
      { ...(await admin.hGetAll(K.facets)) },
      {
        'plan/1': '2',
        'plan/2': '1',
        'plan-name/1': 'Daily offsite',
        'plan-name/2': 'Weekly',
        'outcome/SUCCESS': '1',
        'outcome/PARTIAL': '2',
      },
    );
    await admin.del(K.report('b')); // expired: it leaves with the next report
    await records.store(ofPlan('d', 1, 'Daily offsite', 'SUCCESS'), STATE, false);
    assert.deepEqual(
      { ...(await admin.hGetAll(K.facets)) },
      {
        'plan/1': '3',
        'plan-name/1': 'Daily offsite',
        'outcome/SUCCESS': '2',
        'outcome/PARTIAL': '1',
      },
    );
  });

  it('missing beside a history (older version, restore): rebuilt at start from the index', async () => {
    const records = createRecordStore(writer, MODULE_ID);
    await records.store(ofPlan('a', 1, 'Daily', 'SUCCESS'), STATE, false);
    await records.store(ofPlan('b', 2, 'Weekly', 'PARTIAL'), STATE, false);
    const before = { ...(await admin.hGetAll(K.facets)) };
    await admin.del(K.facets);
    await records.store(ofPlan('c', 2, 'Weekly', 'SUCCESS'), STATE, false);
    assert.equal(await admin.exists(K.facets), 0, 'not made up from one report');
    await records.indexMissing();
    assert.deepEqual(
      { ...(await admin.hGetAll(K.facets)) },
      {
        ...before,
        'plan/2': '2',
        'outcome/SUCCESS': '2',
      },
    );
  });
});

describe('stored records carry a version and are checked when read back (issue #20)', () => {
  const FULL: PlanState = {
    planId: 2,
    planName: 'Weekly SMB',
    lastRunKey: '2:1786237201',
    lastOutcome: 'PARTIAL',
    lastDigest: 'd',
    lastReportId: 'r-1',
    lastNotifiedAt: 1786238420000,
    failingSince: 1786237201,
    lastSuccessAt: null,
  };
  const said = () => {
    const lines: string[] = [];
    return { lines, warn: (_m: string, f: { key: string; problem: string }) => lines.push(`${f.key}: ${f.problem}`) };
  };

  it('a report and a plan state are written with v: 1', async () => {
    const records = createRecordStore(writer, MODULE_ID);
    await records.store(report('r-1'), FULL, true);
    assert.equal(JSON.parse((await admin.get(K.report('r-1')))!).v, 1);
    assert.equal(JSON.parse((await admin.hGet(K.plans, '2'))!).v, 1);
    await records.saveState({ ...FULL, planId: 3 });
    assert.equal(JSON.parse((await admin.hGet(K.plans, '3'))!).v, 1);
  });

  it('reads what the previous version wrote (no v), and the outbox sends it', async () => {
    const records = createRecordStore(writer, MODULE_ID);
    await admin.hSet(K.plans, '2', JSON.stringify(FULL));
    await admin.set(K.report('r-1'), JSON.stringify(report('r-1')));
    assert.deepEqual(await records.planState(2), FULL);
    const loaded = await records.load('r-1');
    assert.equal(loaded.state, 'ok');
  });

  it('a damaged plan state reads as none, with one log line naming it', async () => {
    const { lines, warn } = said();
    const records = createRecordStore(writer, MODULE_ID, warn);
    await admin.hSet(K.plans, {
      '2': '{"planId":2,"planN',
      '3': JSON.stringify({ ...FULL, planId: 3, lastOutcome: 1 }),
    });
    assert.equal(await records.planState(2), undefined);
    assert.equal(await records.planState(3), undefined);
    assert.deepEqual(lines, [
      `${K.plans} 2: not JSON (truncated or damaged)`,
      `${K.plans} 3: no plan name, last run, outcome or report`,
    ]);
  });

  it('a damaged report is skipped by the retry after a smarthost change and by the index completion', async () => {
    const { lines, warn } = said();
    const records = createRecordStore(writer, MODULE_ID, warn);
    const failed = report('r-ok');
    failed.delivery = { ...failed.delivery, status: 'failed' };
    await admin.rPush(K.history, ['r-bad', 'r-ok']);
    await admin.set(K.report('r-bad'), JSON.stringify({ ...failed, id: 'r-bad', run: null }));
    await admin.set(K.report('r-ok'), JSON.stringify(failed));
    assert.deepEqual(
      (await records.recentFailed(0)).map((r) => r.id),
      ['r-ok'],
    );
    assert.equal(await records.indexMissing(), 1);
    assert.deepEqual(await admin.hKeys(K.index), ['r-ok']);
    assert.deepEqual(lines, [`${K.report('r-bad')}: no run`, `${K.report('r-bad')}: no run`]);
  });
});
