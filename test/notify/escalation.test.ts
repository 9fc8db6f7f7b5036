// SPDX-License-Identifier: GPL-3.0-or-later
// Failure tolerance and escalation (issue #24): the pure rules, fed through decide + planStateAfter
// + pendingNotice as the pipeline and the watchdog use them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, pendingNotice, planStateAfter } from '../../src/notify/decide.js';
import {
  escalationDue,
  parsePlanRules,
  planRulesOf,
  withinTolerance,
  type PlanRules,
} from '../../src/notify/escalation.js';
import type { NotifyReason, PlanState } from '../../src/domain/records.js';
import type { Outcome, RunReport } from '../../src/domain/run.js';
import { H, planRun, T0 } from './fixtures.js';

/** Plan 2 with one application, nextcloud1, saved or not as the outcome says. */
const run = (start: number, outcome: Outcome): RunReport =>
  planRun(start, outcome, { nextcloud1: outcome === 'SUCCESS' ? 'success' : 'failed' });

/** Daily runs through decide + tolerance + planStateAfter; returns the reasons. */
function story(outcomes: Outcome[], rules: PlanRules): { reasons: NotifyReason[]; state: PlanState | undefined } {
  let state: PlanState | undefined;
  const reasons: NotifyReason[] = [];
  outcomes.forEach((o, i) => {
    const r = run(T0 + i * 24 * H, o);
    const reason = withinTolerance(state, r, decide(state, r, { notifyOnSuccess: false }), rules, false);
    reasons.push(reason);
    state = planStateAfter(state, r, reason, null, (r.start + 60) * 1000);
  });
  return { reasons, state };
}

const rules = (failureTolerance: number, escalateAfterSeconds = 0): PlanRules => ({
  failureTolerance,
  escalateAfterSeconds,
});

test('tolerance 3: the first mail at the third consecutive failure, not before', () => {
  assert.deepEqual(story(['PARTIAL', 'PARTIAL', 'PARTIAL', 'PARTIAL'], rules(3)).reasons, [
    'muted',
    'muted',
    'first',
    'repeat',
  ]);
  assert.deepEqual(
    story(['PARTIAL', 'PARTIAL', 'SUCCESS', 'PARTIAL', 'PARTIAL'], rules(3)).reasons,
    ['muted', 'muted', 'muted', 'muted', 'muted'],
    'a success starts the count again, and nothing was told to recover from',
  );
  assert.deepEqual(story(['PARTIAL', 'SUCCESS'], rules(1)).reasons, ['first', 'recovered'], '1 = as before');
});

test('the watchdog neither reminds of nor releases a failure the tolerance holds', () => {
  const { state } = story(['PARTIAL', 'PARTIAL'], rules(3));
  const later = { nowMs: (T0 + 30 * 24 * H) * 1000, reminderIntervalSeconds: 86_400, notifyOnSuccess: false };
  assert.equal(pendingNotice(state!, later), 'held-news', 'without rules the held failure would be told');
  assert.equal(pendingNotice(state!, { ...later, planRules: () => rules(3) }), 'none');
});

test('escalation: once the plan has failed for H, once per failure streak', () => {
  const { state } = story(['PARTIAL'], rules(1, 48 * H));
  const at = (hours: number) => ({
    nowMs: (T0 + hours * H) * 1000,
    reminderIntervalSeconds: 0,
    notifyOnSuccess: false,
    planRules: () => rules(1, 48 * H),
  });
  assert.equal(pendingNotice(state!, at(47)), 'none');
  assert.equal(pendingNotice(state!, at(48)), 'reminder', 'due without waiting for the reminder interval');
  const r = run(T0, 'PARTIAL');
  assert.equal(escalationDue(state, r, T0 + 48 * H, rules(1, 48 * H)), true);
  const escalated = { ...planStateAfter(state, r, 'reminder', 'x', (T0 + 48 * H) * 1000), escalatedAt: T0 + 48 * H };
  assert.equal(escalationDue(escalated, r, T0 + 96 * H, rules(1, 48 * H)), false, 'only once');
  assert.equal(pendingNotice(escalated, at(96)), 'none');
  const recovered = planStateAfter(escalated, run(T0 + 100 * H, 'SUCCESS'), 'recovered', 'y', (T0 + 100 * H) * 1000);
  assert.equal(recovered.escalatedAt, null, 'a recovery ends the streak');
  assert.equal(escalationDue(state, r, T0 + 48 * H, rules(1, 0)), false, '0 = never');
});

test('plan rules: own entry, else the defaults; no recipient, no escalation', () => {
  assert.deepEqual(
    [...parsePlanRules('2:3:172800,5:1:0')],
    [
      [2, { failureTolerance: 3, afterSeconds: 172_800 }],
      [5, { failureTolerance: 1, afterSeconds: 0 }],
    ],
  );
  const of = planRulesOf({
    failureTolerance: 2,
    afterSeconds: 3600,
    to: ['boss@example.org'],
    plans: '2:3:7200,5:1:0',
  });
  assert.deepEqual([of(2), of(5), of(9)], [rules(3, 7200), rules(1, 0), rules(2, 3600)]);
  const none = planRulesOf({ failureTolerance: 1, afterSeconds: 3600, to: [], plans: '' });
  assert.deepEqual(none(2), rules(1, 0));
});
