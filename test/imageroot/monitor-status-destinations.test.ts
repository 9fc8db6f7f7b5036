// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #23 on the page: get-monitor-status says per application since when its retention is
// stuck (the date the service computed and kept, mailed run or not), and lists the repositories
// nobody owns as the last digest read them. Run as the NS8 agent runs it, on a real Redis.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { MODULE_ID } from '../helpers/redis-server.js';
import { runAction } from '../sim/agent-runner.js';
import { report, RUN_PLAN2, STATE_PLAN2, writeServiceRecords } from './fixtures.js';
import { freshModule } from './harness.js';
import { moduleKeys } from '../../src/domain/records.js';
import { remember } from '../../src/trends/anomaly.js';
import type { ModuleRow, RunReport } from '../../src/domain/run.js';

const h = freshModule('bm-status-dest-');
const STUCK_SINCE = RUN_PLAN2.start - 2 * 86_400;

type Mod = { module_id: string; retention_stuck_since: number | null };
type Unowned = {
  checked_at: number;
  count: number;
  removed: number;
  other_cluster: number;
  items: Record<string, unknown>[];
} | null;
type Out = { plans: { id: number; modules: Mod[] }[]; unowned_repositories: Unowned };

/** nextcloud1 saved, its cleanup failing for the third run in a row. */
const stuck = (m: ModuleRow): ModuleRow =>
  m.moduleId === 'nextcloud1'
    ? {
        ...m,
        result: 'success',
        confirmation: {
          verdict: 'cleanup_failed',
          since: m.start!,
          latestSnapshot: m.start! + 5,
          snapshotCount: 9,
          retention: 4,
          cleanupStuck: { since: STUCK_SINCE, runs: 3 },
        },
      }
    : m;
const RUN: RunReport = { ...RUN_PLAN2, outcome: 'WARNING', modules: RUN_PLAN2.modules.map(stuck) };

async function withAdmin<T>(fn: (c: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const c = createClient({ url: h.redis.adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.quit();
  }
}

async function status(): Promise<Out> {
  const res = await runAction('get-monitor-status', {}, h.o);
  assert.equal(res.status, 'completed', res.error);
  return res.output as Out;
}

const stuckSince = (out: Out) =>
  Object.fromEntries(out.plans.find((p) => p.id === 2)!.modules.map((m) => [m.module_id, m.retention_stuck_since]));

describe('get-monitor-status: retention stuck and repositories nobody owns', () => {
  test("the last run's report: the stuck application has the streak's start, the others null", async () => {
    await writeServiceRecords(h.redis, MODULE_ID, [report('r-0003', { run: RUN })]);
    await withAdmin((c) => c.del(moduleKeys(MODULE_ID).unownedRepositories));
    const out = await status();
    assert.deepEqual(stuckSince(out), { nextcloud1: STUCK_SINCE, samba1: null, webtop1: null });
    assert.equal(out.unowned_repositories, null, 'never read: nothing said');
  });

  test('a last run that was not mailed: the date kept with the run in module/<id>/runs', async () => {
    const later: RunReport = { ...RUN, runKey: `2:${RUN.start + 86_400}`, start: RUN.start + 86_400 };
    await writeServiceRecords(h.redis, MODULE_ID, [report('r-0003')]);
    await withAdmin(async (c) => {
      const k = moduleKeys(MODULE_ID);
      await c.hSet(k.runs, '2', JSON.stringify(remember([], later)));
      await c.hSet(k.plans, '2', JSON.stringify({ ...STATE_PLAN2, lastRunKey: later.runKey, lastOutcome: 'WARNING' }));
    });
    assert.deepEqual(stuckSince(await status()), { nextcloud1: STUCK_SINCE, samba1: null, webtop1: null });
  });

  test('the repositories nobody owns, counted by reason, newest read', async () => {
    await writeServiceRecords(h.redis, MODULE_ID, [report('r-0003')]);
    const repo = (kind: string, moduleId: string, uiName: string) => ({
      kind,
      moduleId,
      uiName,
      path: `${moduleId}/u-1`,
      destinationName: 'NAS <share>',
      lastBackupAt: 1786000000,
    });
    await withAdmin((c) =>
      c.set(
        moduleKeys(MODULE_ID).unownedRepositories,
        JSON.stringify({
          v: 1,
          at: 1786300000,
          repositories: [repo('other_cluster', 'mail1', ''), repo('removed', 'dokuwiki3', 'Wiki')],
        }),
      ),
    );
    const u = (await status()).unowned_repositories!;
    assert.deepEqual([u.checked_at, u.count, u.removed, u.other_cluster], [1786300000, 2, 1, 1]);
    assert.deepEqual(u.items[1], {
      kind: 'removed',
      module_id: 'dokuwiki3',
      ui_name: 'Wiki',
      path: 'dokuwiki3/u-1',
      destination_name: 'NAS <share>',
      last_backup_at: 1786000000,
    });
  });

  test('a record of another shape says nothing, never half a list', async () => {
    await writeServiceRecords(h.redis, MODULE_ID, [report('r-0003')]);
    await withAdmin((c) =>
      c.set(moduleKeys(MODULE_ID).unownedRepositories, '{"v":1,"at":5,"repositories":[{"kind":"gone"}]}'),
    );
    assert.equal((await status()).unowned_repositories, null);
  });
});
