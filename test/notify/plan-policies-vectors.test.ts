// SPDX-License-Identifier: GPL-3.0-or-later
// The PLAN_POLICIES line has one codec per language: src/notify/policy.ts (the service) and
// backup_monitor/plan_policies.py (the actions). Both run the same cases, test/fixtures/
// plan-policies.json: the service here, the actions in test/imageroot/plan_policies_vectors.py.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PlanNotify } from '../../src/domain/policy.js';
import { formatPlanPolicies, parsePlanPolicies, planPoliciesFromList } from '../../src/notify/policy.js';
import { IMAGEROOT, REPO_ROOT, SYSTEM_PATH } from '../sim/agent-runner.js';

interface Entry {
  plan_id: number;
  policy: string;
  mail_to: string[];
}
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/plan-policies.json');
const cases = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
  read: { line: string; plans: Entry[]; written: string }[];
  refused: { line: string; problems: string[]; kept: Entry[] }[];
};

/** The service's map in the action's list shape, by plan id. */
const asList = (plans: ReadonlyMap<number, PlanNotify>): Entry[] =>
  [...plans]
    .sort(([a], [b]) => a - b)
    .map(([id, p]) => ({ plan_id: id, policy: p.policy ?? 'default', mail_to: p.recipients }));
const short = (line: string) => JSON.stringify(line.length > 70 ? `${line.slice(0, 67)}...` : line);

describe('PLAN_POLICIES: the service reads and writes the shared cases', () => {
  for (const c of cases.read) {
    it(`reads ${short(c.line)}`, () => {
      const r = parsePlanPolicies(c.line);
      assert.ok('plans' in r, JSON.stringify(r));
      assert.deepEqual(asList(r.plans), c.plans);
      assert.equal(formatPlanPolicies(r.plans), c.written, 'written back');
      const again = parsePlanPolicies(c.written);
      assert.ok('plans' in again && formatPlanPolicies(again.plans) === c.written, 'the written line is stable');
    });
  }
  for (const c of cases.refused) {
    it(`refuses ${short(c.line)}`, () => {
      const r = parsePlanPolicies(c.line);
      assert.ok('problems' in r, 'refused');
      assert.deepEqual(
        r.problems.map((p) => `${p.planId ?? '-'}:${p.error}:${p.value}`),
        c.problems,
      );
    });
  }
  it("reads the action's list shape (YAML file, manifest default) to the same plans", () => {
    for (const c of cases.read) {
      const r = planPoliciesFromList(c.plans);
      assert.ok('plans' in r, JSON.stringify(r));
      assert.deepEqual(asList(r.plans), c.plans);
    }
  });
});

describe('PLAN_POLICIES: the actions read and write the shared cases', () => {
  it('test/imageroot/plan_policies_vectors.py passes', () => {
    const r = spawnSync('python3', [path.join(REPO_ROOT, 'test/imageroot/plan_policies_vectors.py'), FIXTURE], {
      encoding: 'utf8',
      env: { PATH: SYSTEM_PATH, PYTHONPATH: path.join(IMAGEROOT, 'pypkg') },
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const counted = Number(/(\d+) cases/.exec(r.stdout)?.[1]);
    assert.equal(counted, cases.read.length + cases.refused.length, 'every case ran');
  });
});
