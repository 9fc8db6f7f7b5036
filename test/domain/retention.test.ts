// SPDX-License-Identifier: GPL-3.0-or-later
// The shared-repository retention guard (issue #23 item 2) has one rule in two languages:
// src/domain/retention.ts (the digest) and backup_monitor/retention.py (get-monitor-status, the
// backup-schedule-changed event). Both run test/fixtures/retention-conflicts.json: the service
// here, the actions through test/imageroot/retention_vectors.py.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePlan } from '../../src/correlate/read-plan.js';
import type { BackupPlan } from '../../src/domain/backup.js';
import { conflictsOfPlan, retentionConflicts } from '../../src/domain/retention.js';
import { IMAGEROOT, REPO_ROOT, SYSTEM_PATH } from '../sim/agent-runner.js';

const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/retention-conflicts.json');
const { cases } = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
  cases: { name: string; plans: Record<string, Record<string, string>>; conflicts: Record<string, unknown[]> }[];
};

const plansOf = (hashes: Record<string, Record<string, string>>): BackupPlan[] =>
  Object.entries(hashes).map(([id, h]) => parsePlan(Number(id), h)!);

describe('retention guard: the service runs the shared cases', () => {
  for (const c of cases) {
    it(c.name, () => {
      const plans = plansOf(c.plans);
      const all = retentionConflicts(plans);
      const got: Record<string, unknown[]> = {};
      for (const p of plans) {
        const mine = conflictsOfPlan(all, p.id).map((x) => ({
          application: x.application,
          other_plan_id: x.otherPlanId,
          other_plan_name: x.otherPlanName,
          effective_retention: x.effectiveRetention,
        }));
        if (mine.length) got[String(p.id)] = mine;
      }
      assert.deepEqual(got, c.conflicts);
    });
  }

  it('the effective retention is the smallest of the sharing plans, whatever their order', () => {
    const plan = (id: number, retention: number) => ({
      id,
      name: `P${id}`,
      repository: 'd',
      retention,
      instances: ['app1'],
      enabled: true,
    });
    const [c] = retentionConflicts([plan(9, 14), plan(2, 30), plan(4, 5)]);
    assert.equal(c?.effectiveRetention, 5);
    assert.deepEqual(
      c?.plans.map((p) => p.id),
      [2, 4, 9],
    );
  });
});

describe('retention guard: the actions run the shared cases', () => {
  it('test/imageroot/retention_vectors.py passes', () => {
    const r = spawnSync('python3', [path.join(REPO_ROOT, 'test/imageroot/retention_vectors.py'), FIXTURE], {
      encoding: 'utf8',
      env: { PATH: SYSTEM_PATH, PYTHONPATH: path.join(IMAGEROOT, 'pypkg') },
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(Number(/(\d+) cases/.exec(r.stdout)?.[1]), cases.length, 'every case ran');
  });
});
