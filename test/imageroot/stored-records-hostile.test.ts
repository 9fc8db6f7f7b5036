// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile round on issue #24's stored fields (task H8): get-report's next_attempt_at and
// get-monitor-status's unowned_repositories read records anyone with the module's Redis user can
// write (a hand edit, a restored dump). Python's json reads `1e400` as infinity and `NaN` as NaN:
// neither may crash the action or reach its output, which the agent checks against the schema.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { MODULE_ID } from '../helpers/redis-server.js';
import { runAction } from '../sim/agent-runner.js';
import { report, writeServiceRecords } from './fixtures.js';
import { freshModule } from './harness.js';
import { moduleKeys } from '../../src/domain/records.js';
import { remember } from '../../src/trends/anomaly.js';
import { RUN_PLAN2, STATE_PLAN2 } from './fixtures.js';

const h = freshModule('bm-records-hostile-');
const MARK = 4242424242424;

async function setRaw(key: string, text: string): Promise<void> {
  const c = createClient({ url: h.redis.adminUrl });
  await c.connect();
  try {
    await c.set(key, text);
  } finally {
    await c.quit();
  }
}

/** Stores r-0004 with every nextAttemptAt written as `value` (raw JSON text). */
async function reportWithNextAttempt(value: string): Promise<void> {
  const email = { ...report('r-0004').delivery, nextAttemptAt: MARK };
  const teams = { ...email, status: 'pending' as const, recipients: [] };
  const r = report('r-0004', { delivery: email, deliveries: { email, teams } });
  await writeServiceRecords(h.redis, MODULE_ID, [r]);
  await setRaw(moduleKeys(MODULE_ID).report('r-0004'), JSON.stringify(r).replaceAll(String(MARK), value));
}

describe('get-report: a stored next attempt time of the wrong kind', () => {
  for (const value of ['1e400', '-1e400', 'NaN', '"soon"', '[1,2,3]', '{"at":1}', 'true']) {
    test(`nextAttemptAt ${value}: the report is shown, the time is null`, async () => {
      await reportWithNextAttempt(value);
      const res = await runAction('get-report', { id: 'r-0004' }, h.o);
      assert.equal(res.status, 'completed', `${res.error}`);
      const out = res.output as { delivery: Record<string, unknown>; channels: Record<string, unknown>[] };
      assert.equal(out.delivery.next_attempt_at, null);
      assert.deepEqual(
        out.channels.map((c) => [c.channel, c.next_attempt_at]),
        [['teams', null]],
      );
    });
  }

  test('a whole unix ms time is kept', async () => {
    await reportWithNextAttempt('1786238480000');
    const res = await runAction('get-report', { id: 'r-0004' }, h.o);
    assert.equal(res.status, 'completed', `${res.error}`);
    const out = res.output as { delivery: Record<string, unknown>; channels: Record<string, unknown>[] };
    assert.equal(out.delivery.next_attempt_at, 1786238480000);
    assert.equal(out.channels[0]!.next_attempt_at, 1786238480000);
  });
});

describe('get-monitor-status: repositories nobody owns, a hostile record', () => {
  const record = (lastBackupAt: string, at = '1786300000') =>
    `{"v":1,"at":${at},"repositories":[{"kind":"removed","moduleId":"m1","uiName":"U","path":"m1/u",` +
    `"destinationName":"NAS","lastBackupAt":${lastBackupAt}}]}`;

  for (const value of ['1e400', '-1e400', 'NaN']) {
    test(`lastBackupAt ${value}: the page's status still answers, the record is left out`, async () => {
      await writeServiceRecords(h.redis, MODULE_ID, [report('r-0003')]);
      await setRaw(moduleKeys(MODULE_ID).unownedRepositories, record(value));
      const res = await runAction('get-monitor-status', {}, h.o);
      assert.equal(res.status, 'completed', `${res.error}`);
      assert.equal((res.output as { unowned_repositories: unknown }).unowned_repositories, null);
    });
  }

  test('100,000 rows: the status answers with at most 50 items and the right count', async () => {
    await writeServiceRecords(h.redis, MODULE_ID, [report('r-0003')]);
    const row = '{"kind":"other_cluster","moduleId":"m","uiName":"","path":"p","destinationName":"d","lastBackupAt":1}';
    await setRaw(
      moduleKeys(MODULE_ID).unownedRepositories,
      `{"v":1,"at":1786300000,"repositories":[${Array(100_000).fill(row).join(',')}]}`,
    );
    const res = await runAction('get-monitor-status', {}, h.o);
    assert.equal(res.status, 'completed', `${res.error}`);
    const u = (res.output as { unowned_repositories: { count: number; items: unknown[] } }).unowned_repositories;
    assert.equal(u.count, 100_000);
    assert.equal(u.items.length, 50);
  });
});

describe('get-monitor-status: a run kept in module/<id>/runs with a stuck date that is no number', () => {
  for (const value of ['1e400', 'NaN']) {
    test(`stuckSince ${value}: the status answers, the date is null`, async () => {
      await writeServiceRecords(h.redis, MODULE_ID, [report('r-0003')]);
      const later = { ...RUN_PLAN2, runKey: `2:${RUN_PLAN2.start + 86_400}`, start: RUN_PLAN2.start + 86_400 };
      const runs = JSON.stringify(remember([], later)).replace(
        /"id":"nextcloud1",/,
        `"id":"nextcloud1","stuckSince":${value},`,
      );
      assert.match(runs, /stuckSince/);
      const c = createClient({ url: h.redis.adminUrl });
      await c.connect();
      try {
        const k = moduleKeys(MODULE_ID);
        await c.hSet(k.runs, '2', runs);
        await c.hSet(
          k.plans,
          '2',
          JSON.stringify({ ...STATE_PLAN2, lastRunKey: later.runKey, lastOutcome: 'WARNING' }),
        );
      } finally {
        await c.quit();
      }
      const res = await runAction('get-monitor-status', {}, h.o);
      assert.equal(res.status, 'completed', `${res.error}`);
      const plan = (res.output as { plans: { id: number; modules: Record<string, unknown>[] }[] }).plans.find(
        (p) => p.id === 2,
      )!;
      assert.equal(plan.modules.find((m) => m.module_id === 'nextcloud1')!.retention_stuck_since, null);
    });
  }
});
