// SPDX-License-Identifier: GPL-3.0-or-later
// Per-plan policies (issue #14): the PLAN_POLICIES codec, routes per policy, recipients.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  dedupe,
  formatPlanPolicies,
  parsePlanPolicies,
  policyOf,
  recipientsFor,
  routeOf,
  decideOptionsFor,
} from '../../src/notify/policy.js';
import type { NotifySettings, Policy } from '../../src/domain/policy.js';
import { decide, planStateAfter, MAILED } from '../../src/notify/decide.js';
import type { PlanState } from '../../src/domain/records.js';
import type { Outcome, RunReport } from '../../src/domain/run.js';
import { IMAGEROOT, SYSTEM_PATH } from '../sim/agent-runner.js';

const ok = (raw: string) => {
  const r = parsePlanPolicies(raw);
  if ('problems' in r) throw new Error(JSON.stringify(r.problems));
  return r.plans;
};
const problems = (raw: string) => {
  const r = parsePlanPolicies(raw);
  return 'problems' in r ? r.problems.map((p) => `${p.planId ?? '-'}:${p.error}:${p.value}`) : [];
};

describe('PLAN_POLICIES codec', () => {
  it('parses policy, default and extra recipients', () => {
    const plans = ok('2:problems:a@x.org;b@y.org,3:digest,5:default:owner+tag@x.org');
    assert.deepEqual(plans.get(2), { policy: 'problems', recipients: ['a@x.org', 'b@y.org'] });
    assert.deepEqual(plans.get(3), { policy: 'digest', recipients: [] });
    assert.deepEqual(plans.get(5), { policy: null, recipients: ['owner+tag@x.org'] });
  });
  it('round-trips and leaves out entries that say nothing', () => {
    const text = '2:problems:a@x.org;b@y.org,3:digest,5:default:owner+tag@x.org';
    assert.equal(formatPlanPolicies(ok(text)), text);
    assert.equal(
      formatPlanPolicies(
        new Map([
          [4, { policy: null, recipients: [] }],
          [1, { policy: 'off' as Policy, recipients: [] }],
        ]),
      ),
      '1:off',
    );
    assert.equal(ok('').size, 0);
  });
  it('names every problem, and returns no partial result', () => {
    assert.deepEqual(problems('2:sometimes,x:off,3:off:not-an-address,3:always,4'), [
      '2:unknown_policy:sometimes',
      '-:bad_plan_id:x',
      '3:invalid_email:not-an-address',
      '3:duplicate_plan:3',
      '-:bad_entry:4',
    ]);
    assert.deepEqual(problems('2:off:a"b@x.org'), ['2:invalid_email:a"b@x.org']);
    assert.deepEqual(problems('0:off'), ['-:bad_plan_id:0']);
    assert.deepEqual(problems('1:off:a@b.c:d'), ['-:bad_entry:1:off:a@b.c:d']);
    assert.equal(problems('1:off,'.repeat(6000)).length, 1, 'too long: one problem, not thousands');
  });
});

describe('policies and recipients', () => {
  const s: NotifySettings = { defaultPolicy: 'problems', plans: ok('2:always:Owner@X.org;admin@example.org,3:digest') };
  it('a plan without an entry, e.g. a new one, follows the default', () => {
    assert.equal(policyOf(s, 2), 'always');
    assert.equal(policyOf(s, 9), 'problems');
  });
  it('extra recipients join the global list once, compared without case', () => {
    assert.deepEqual(recipientsFor(s, ['admin@example.org', 'owner@x.org'], 2), ['admin@example.org', 'owner@x.org']);
    assert.deepEqual(recipientsFor(s, ['admin@example.org'], 2), ['admin@example.org', 'Owner@X.org']);
    assert.deepEqual(recipientsFor(s, [], 2), ['Owner@X.org', 'admin@example.org']);
    assert.deepEqual(recipientsFor(s, ['admin@example.org'], 3), ['admin@example.org']);
  });
});

const H = 3600;
const T0 = 1_786_237_200;
function run(start: number, outcome: Outcome): RunReport {
  const result = outcome === 'SUCCESS' ? 'success' : 'failed';
  return {
    runKey: `7:${start}`,
    planId: 7,
    planName: 'Hourly',
    destinationId: 'd',
    destinationName: 'NAS',
    outcome,
    start,
    end: start + 60,
    nodes: [],
    modules: [
      {
        moduleId: 'mail1',
        uiName: '',
        node: 1,
        nodeName: '',
        result,
        start,
        end: start + 60,
        totalSize: 1,
        totalFileCount: 1,
        snapshotsCount: 1,
        errors: 0,
        repoPath: '',
      },
    ],
    triggers: [],
  };
}

/** An hourly plan's day, through decide + routeOf + planStateAfter as the pipeline runs them. */
function mailed(policy: Policy, outcomes: Outcome[]): string[] {
  let state: PlanState | undefined;
  const out: string[] = [];
  outcomes.forEach((o, i) => {
    const r = run(T0 + i * H, o);
    const reason = decide(state, r, decideOptionsFor(policy));
    const route = routeOf(reason, policy);
    if (route === 'mail') out.push(`${i}:${reason}`);
    state = planStateAfter(
      state,
      r,
      route === 'mail' ? reason : reason === 'duplicate' ? reason : 'muted',
      route === 'mail' ? `r${i}` : null,
      (r.end + 30) * 1000,
    );
    assert.ok(route !== 'mail' || MAILED.has(reason));
  });
  return out;
}

describe('routes per policy (hourly plan: 5 successes, one failure, 5 successes)', () => {
  const day: Outcome[] = [
    'SUCCESS',
    'SUCCESS',
    'SUCCESS',
    'SUCCESS',
    'SUCCESS',
    'PARTIAL',
    'SUCCESS',
    'SUCCESS',
    'SUCCESS',
    'SUCCESS',
    'SUCCESS',
  ];
  it('problems: nothing for successes, one mail for the failure, one recovery', () => {
    assert.deepEqual(mailed('problems', day), ['5:first', '6:recovered']);
  });
  it('always: every run', () => {
    assert.equal(mailed('always', day).length, day.length);
  });
  it('digest and off: nothing per run', () => {
    assert.deepEqual(mailed('digest', day), []);
    assert.deepEqual(mailed('off', day), []);
  });
  it('problems: a missed run and a reminder are mailed, a muted flap is not', () => {
    assert.equal(routeOf('reminder', 'problems'), 'mail');
    assert.equal(routeOf('first', 'problems'), 'mail');
    assert.equal(routeOf('muted', 'problems'), 'digest-only');
    assert.equal(routeOf('success', 'problems'), 'digest-only');
    assert.equal(routeOf('first', 'off'), 'status-only');
    assert.equal(routeOf('duplicate', 'always'), 'none');
    assert.deepEqual(mailed('problems', ['SUCCESS', 'MISSING', 'MISSING', 'SUCCESS']), [
      '1:first',
      '2:repeat',
      '3:recovered',
    ]);
  });
});

// Issue #25 item 11: one rule for "the same mailbox" (trim, then case-insensitive on the whole
// address, first spelling kept), in the service and in the actions, on one table.
describe('one mailbox rule in the service and the actions', () => {
  /** [addresses as typed, the list each mailbox appears in once] */
  const TABLE: [string[], string[]][] = [
    [['ops@example.org'], ['ops@example.org']],
    [['Ops@Example.org', 'ops@example.org'], ['Ops@Example.org']],
    [['ops@example.org', ' OPS@EXAMPLE.ORG '], ['ops@example.org']],
    [
      ['a@example.org', 'b@example.org', 'A@example.org', 'B@EXAMPLE.org', 'c@example.org'],
      ['a@example.org', 'b@example.org', 'c@example.org'],
    ],
    [
      ['ops+x@example.org', 'ops@example.org'],
      ['ops+x@example.org', 'ops@example.org'],
    ],
    [[' ops@example.org'], ['ops@example.org']],
  ];

  const python = (): { dedupe: string[]; mail_to: string[]; plan: string[]; status: string[] }[] => {
    const script = `
import json, sys
from backup_monitor import plan_policies, status
from backup_monitor.settings import validate
out = []
for addresses in json.load(sys.stdin):
    out.append({
        'dedupe': plan_policies.dedupe(addresses),
        'mail_to': [e['error'] for e in validate({'mail_to': addresses})],
        'plan': plan_policies.decode(plan_policies.encode([{'plan_id': 2, 'policy': 'always', 'mail_to': addresses}]))[0]['mail_to'],
        # get-monitor-status: MAIL_TO (the first address) + the plan's own (the others)
        'status': status.plan_entry(2, {}, '', {}, None, settings={'mail_to': addresses[:1]},
                                    notify=('problems', {2: (None, addresses[1:])}))['recipients'],
    })
json.dump(out, sys.stdout)`;
    const r = spawnSync('python3', ['-c', script], {
      input: JSON.stringify(TABLE.map(([input]) => input)),
      encoding: 'utf8',
      env: { PATH: SYSTEM_PATH, PYTHONPATH: path.join(IMAGEROOT, 'pypkg') },
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  const py = python();
  TABLE.forEach(([input, want], i) => {
    it(`${JSON.stringify(input)} is ${JSON.stringify(want)} on both sides`, () => {
      assert.deepEqual(dedupe(input), want, 'service: dedupe');
      const s: NotifySettings = { defaultPolicy: 'problems', plans: new Map() };
      assert.deepEqual(recipientsFor(s, input, 2), want, 'service: a run report');
      assert.deepEqual(py[i]!.dedupe, want, 'actions: plan_policies.dedupe');
      assert.deepEqual(py[i]!.plan, want, 'actions: per-plan recipients');
      const own: NotifySettings = {
        defaultPolicy: 'problems',
        plans: new Map([[2, { policy: null, recipients: input.slice(1) }]]),
      };
      assert.deepEqual(recipientsFor(own, input.slice(0, 1), 2), want, "service: MAIL_TO + the plan's own");
      assert.deepEqual(py[i]!.status, want, 'actions: get-monitor-status recipients of a plan');
      assert.deepEqual(
        py[i]!.mail_to,
        Array(input.length - want.length).fill('duplicate_email'),
        'configure-module refuses a mailbox listed twice, whatever its case',
      );
    });
  });
});
