// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #23: /metrics reads retention stuck and the repositories nobody owns from what the service
// keeps (module/<id>/runs, module/<id>/unowned-repositories), on a real redis-server.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useRedisPair, type RedisPair } from '../helpers/redis-pair.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { collectState } from '../../src/metrics/collect.js';
import { metricFamilies } from '../../src/metrics/model.js';
import { createUnownedStore } from '../../src/repocheck/unowned.js';
import { moduleKeys } from '../../src/domain/records.js';
import { remember } from '../../src/trends/anomaly.js';
import type { RunReport } from '../../src/domain/run.js';

let r: RedisPair;
useRedisPair((p) => {
  r = p;
});

const T = 1_786_300_000;

describe('metrics collect: what the service kept about the destinations', () => {
  test('the last read of repositories nobody owns, and the stuck cleanup of the last run', async () => {
    await createUnownedStore(r.writer, MODULE_ID).save(
      [
        {
          kind: 'removed',
          moduleId: 'dokuwiki3',
          uiName: 'Wiki',
          path: 'dokuwiki/u',
          destinationName: 'NAS',
          lastBackupAt: T - 9,
        },
      ],
      T,
    );
    const run: RunReport = {
      runKey: `2:${T}`,
      planId: 2,
      planName: 'Weekly',
      destinationId: 'd',
      destinationName: 'NAS',
      outcome: 'WARNING',
      start: T,
      end: T + 60,
      nodes: [],
      triggers: [],
      modules: [
        {
          moduleId: 'nextcloud1',
          uiName: '',
          node: 1,
          nodeName: '',
          result: 'success',
          start: T,
          end: T + 60,
          totalSize: 1,
          totalFileCount: 1,
          snapshotsCount: 1,
          errors: 1,
          repoPath: 'nextcloud/u',
          confirmation: {
            verdict: 'cleanup_failed',
            since: T,
            latestSnapshot: T + 5,
            snapshotCount: 9,
            retention: 3,
            cleanupStuck: { since: T - 172_800, runs: 3 },
          },
        },
      ],
    };
    await r.writer.hSet(moduleKeys(MODULE_ID).runs, '2', JSON.stringify(remember([], run)));
    const state = await collectState(r.admin, MODULE_ID, 5_000, T + 100);
    assert.equal(state.unowned?.at, T);
    assert.deepEqual(
      state.unowned?.repositories.map((x) => x.moduleId),
      ['dokuwiki3'],
    );
    assert.equal(state.lastRuns.get(2)?.modules[0]?.stuckSince, T - 172_800);
  });

  test('nothing read yet, or a record of another shape: no unowned series', async () => {
    assert.equal((await collectState(r.admin, MODULE_ID, 5_000, T)).unowned, null);
    await r.admin.set(moduleKeys(MODULE_ID).unownedRepositories, '{"v":1,"at":"yesterday","repositories":[]}');
    const state = await collectState(r.admin, MODULE_ID, 5_000, T);
    assert.equal(state.unowned, null);
    const fs = metricFamilies({
      nowS: T,
      snapshots: [],
      planStates: new Map(),
      watch: new Map(),
      outboxDepth: 0,
      links: {},
      options: { maxRunSeconds: 1, watch: { grace: 1, tolerance: 1, timeZone: 'UTC' }, maxApplicationPairs: 1 },
      unowned: state.unowned,
    });
    assert.equal(fs.find((f) => f.name === 'backup_monitor_unowned_repositories')!.samples.length, 0);
  });
});
