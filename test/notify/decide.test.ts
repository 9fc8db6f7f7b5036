// SPDX-License-Identifier: GPL-3.0-or-later
// decide / decideReminder / pendingNotice / planStateAfter: one table per question, fixed clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decide,
  decideReminder,
  pendingNotice,
  planStateAfter,
  MAILED,
  FLAP_WINDOW_S,
  withoutFutureTimes,
} from '../../src/notify/decide.js';
import type { PlanState, NotifyReason } from '../../src/domain/records.js';
import type { RunReport } from '../../src/domain/run.js';
import { H, planRun, T0 } from './fixtures.js';

const run = planRun;
const FAIL = { nextcloud1: 'failed', samba1: 'success' } as const;
const OK = { nextcloud1: 'success', samba1: 'success' } as const;

/** Feeds runs through decide + planStateAfter, as the pipeline does; returns the reasons. */
function story(
  runs: RunReport[],
  opts = { notifyOnSuccess: false },
): { reasons: NotifyReason[]; state: PlanState | undefined } {
  let state: PlanState | undefined;
  const reasons: NotifyReason[] = [];
  for (const r of runs) {
    const reason = decide(state, r, opts);
    reasons.push(reason);
    if (reason !== 'duplicate')
      state = planStateAfter(state, r, reason, MAILED.has(reason) ? `rep-${r.start}` : null, (r.end + 30) * 1000);
  }
  return { reasons, state };
}

test('decide: one mail per run, named by what changed', () => {
  const cases: { name: string; runs: RunReport[]; notifyOnSuccess?: boolean; want: NotifyReason[] }[] = [
    { name: 'first failure', runs: [run(T0, 'PARTIAL', FAIL)], want: ['first'] },
    {
      name: 'same run seen again (webhook after events, poll repeat)',
      runs: [run(T0, 'PARTIAL', FAIL), run(T0, 'PARTIAL', FAIL), run(T0, 'PARTIAL', FAIL)],
      want: ['first', 'duplicate', 'duplicate'],
    },
    {
      name: 'late result changes the same run',
      runs: [run(T0, 'PARTIAL', { nextcloud1: 'failed', samba1: 'not_run' }), run(T0, 'PARTIAL', FAIL)],
      want: ['first', 'update'],
    },
    {
      name: 'older run arriving late',
      runs: [run(T0, 'PARTIAL', FAIL), run(T0 - 7 * 24 * H, 'SUCCESS', OK)],
      want: ['first', 'duplicate'],
    },
    {
      name: 'second consecutive failure: its own report',
      runs: [run(T0, 'PARTIAL', FAIL), run(T0 + 7 * 24 * H, 'PARTIAL', FAIL)],
      want: ['first', 'repeat'],
    },
    {
      name: 'failure gets worse',
      runs: [run(T0, 'PARTIAL', FAIL), run(T0 + 24 * H, 'REPO_FAILURE', { nextcloud1: 'failed', samba1: 'failed' })],
      want: ['first', 'changed'],
    },
    {
      name: 'recovery',
      runs: [run(T0, 'PARTIAL', FAIL), run(T0 + 24 * H, 'SUCCESS', OK)],
      want: ['first', 'recovered'],
    },
    {
      name: 'success, not wanted',
      runs: [run(T0, 'SUCCESS', OK), run(T0 + 24 * H, 'SUCCESS', OK)],
      want: ['muted', 'muted'],
    },
    { name: 'success, wanted', runs: [run(T0, 'SUCCESS', OK)], notifyOnSuccess: true, want: ['success'] },
    {
      name: 'missed run after success',
      runs: [run(T0, 'SUCCESS', OK), run(T0 + 24 * H, 'MISSING')],
      want: ['muted', 'first'],
    },
    // Issue #10: a "missing" alert with a far-future startsAt must not make every later real run a duplicate.
    {
      name: 'a far-future MISSING never outranks the real runs after it',
      runs: [
        run(T0, 'SUCCESS', OK),
        run(4_070_908_800, 'MISSING'),
        run(T0 + 24 * H, 'PARTIAL', FAIL),
        run(T0 + 48 * H, 'SUCCESS', OK),
      ],
      want: ['muted', 'first', 'changed', 'recovered'],
    },
    {
      name: 'after a MISSING, the real run already reported stays a duplicate',
      runs: [run(T0, 'PARTIAL', FAIL), run(T0 + 24 * H, 'MISSING'), run(T0, 'PARTIAL', FAIL)],
      want: ['first', 'changed', 'duplicate'],
    },
    {
      name: 'daily alternation is not flapping (flips a day apart)',
      runs: [0, 1, 2, 3, 4].map((d) => run(T0 + d * 24 * H, d % 2 ? 'SUCCESS' : 'PARTIAL', d % 2 ? OK : FAIL)),
      want: ['first', 'recovered', 'first', 'recovered', 'first'],
    },
    {
      name: 'hourly alternation: the third flip within 6 h is held, and so are the next ones',
      runs: [0, 1, 2, 3, 4, 5].map((h) => run(T0 + h * H, h % 2 ? 'SUCCESS' : 'PARTIAL', h % 2 ? OK : FAIL)),
      want: ['first', 'recovered', 'first', 'muted', 'muted', 'muted'],
    },
    {
      name: 'flapping then failing steadily: a new failing run is a repeat of what was told',
      runs: [0, 1, 2, 3, 4]
        .map((h) => run(T0 + h * H, h === 1 || h === 3 ? 'SUCCESS' : 'PARTIAL', h === 1 || h === 3 ? OK : FAIL))
        .concat(run(T0 + 5 * H, 'PARTIAL', FAIL)),
      want: ['first', 'recovered', 'first', 'muted', 'muted', 'repeat'],
    },
    {
      name: 'held recovery is not lost: the next success after the flap window recovers',
      runs: [
        run(T0, 'PARTIAL', FAIL),
        run(T0 + H, 'SUCCESS', OK),
        run(T0 + 2 * H, 'PARTIAL', FAIL),
        run(T0 + 3 * H, 'SUCCESS', OK),
        run(T0 + 10 * H, 'SUCCESS', OK),
      ],
      want: ['first', 'recovered', 'first', 'muted', 'recovered'],
    },
  ];
  for (const c of cases)
    assert.deepEqual(story(c.runs, { notifyOnSuccess: c.notifyOnSuccess ?? false }).reasons, c.want, c.name);
});

test('planStateAfter: failure streak, last success, what was told, recent flips', () => {
  const { state } = story([run(T0, 'SUCCESS', OK), run(T0 + H, 'PARTIAL', FAIL), run(T0 + 2 * H, 'PARTIAL', FAIL)]);
  assert.deepEqual(
    [state!.failingSince, state!.lastSuccessAt, state!.mailedOutcome, state!.flips],
    [T0 + H, T0, 'PARTIAL', [T0 + H]],
  );
  assert.equal(state!.lastReportId, `rep-${T0 + 2 * H}`);
  const later = story([run(T0, 'PARTIAL', FAIL), run(T0 + FLAP_WINDOW_S + H, 'SUCCESS', OK)]).state!;
  assert.deepEqual(
    [later.failingSince, later.lastSuccessAt, later.flips],
    [null, T0 + FLAP_WINDOW_S + H, [T0 + FLAP_WINDOW_S + H]],
  );
});

const state = (o: Partial<PlanState>): PlanState => ({
  planId: 2,
  planName: 'Weekly SMB',
  lastRunKey: `2:${T0}`,
  lastOutcome: 'PARTIAL',
  lastDigest: 'x',
  lastReportId: 'r',
  lastNotifiedAt: T0 * 1000,
  failingSince: T0,
  lastSuccessAt: null,
  mailedOutcome: 'PARTIAL',
  flips: [],
  ...o,
});
const at = (hoursAfterT0: number) => ({
  nowMs: (T0 + hoursAfterT0 * H) * 1000,
  reminderIntervalSeconds: 24 * H,
  notifyOnSuccess: false,
});

test('pendingNotice: reminders on the interval, held news once the plan is stable', () => {
  const cases: { name: string; s: PlanState; h: number; reminderInterval?: number; want: string }[] = [
    { name: 'failing, mailed 1 h ago', s: state({}), h: 1, want: 'none' },
    { name: 'failing, mailed 24 h ago', s: state({}), h: 24, want: 'reminder' },
    { name: 'reminders off', s: state({}), h: 48, reminderInterval: 0, want: 'none' },
    {
      name: 'succeeding',
      s: state({ lastOutcome: 'SUCCESS', mailedOutcome: 'SUCCESS', failingSince: null }),
      h: 48,
      want: 'none',
    },
    {
      name: 'missing runs remind too',
      s: state({ lastOutcome: 'MISSING', mailedOutcome: 'MISSING' }),
      h: 25,
      want: 'reminder',
    },
    {
      name: 'held recovery, still flapping',
      s: state({ lastOutcome: 'SUCCESS', mailedOutcome: 'PARTIAL', flips: [T0 + 2 * H] }),
      h: 3,
      want: 'none',
    },
    {
      name: 'held recovery, stable for the flap window',
      s: state({ lastOutcome: 'SUCCESS', mailedOutcome: 'PARTIAL', flips: [T0 + 2 * H] }),
      h: 8,
      want: 'held-news',
    },
    {
      name: 'held failure, stable',
      s: state({ lastOutcome: 'PARTIAL', mailedOutcome: 'SUCCESS', flips: [T0] }),
      h: 7,
      want: 'held-news',
    },
  ];
  for (const c of cases)
    assert.equal(
      pendingNotice(c.s, { ...at(c.h), reminderIntervalSeconds: c.reminderInterval ?? 24 * H }),
      c.want,
      c.name,
    );
});

test('decideReminder: the latest run again, never a mail per poll', () => {
  const failing = run(T0, 'PARTIAL', FAIL);
  const cases: { name: string; s: PlanState | undefined; r: RunReport; h: number; want: NotifyReason }[] = [
    { name: 'not due yet', s: state({}), r: failing, h: 2, want: 'duplicate' },
    { name: 'due', s: state({}), r: failing, h: 24, want: 'reminder' },
    {
      name: 'due again a day after the reminder',
      s: state({ lastNotifiedAt: (T0 + 24 * H) * 1000 }),
      r: failing,
      h: 48,
      want: 'reminder',
    },
    {
      name: 'held recovery released',
      s: state({ lastOutcome: 'SUCCESS', mailedOutcome: 'PARTIAL', flips: [T0] }),
      r: run(T0, 'SUCCESS', OK),
      h: 7,
      want: 'recovered',
    },
    {
      name: 'held failure released',
      s: state({ mailedOutcome: 'SUCCESS', flips: [T0] }),
      r: failing,
      h: 7,
      want: 'first',
    },
    {
      name: 'a newer run the tracker missed is decided as a run',
      s: state({ lastNotifiedAt: (T0 + 24 * H) * 1000 }),
      r: run(T0 + 24 * H, 'PARTIAL', FAIL),
      h: 25,
      want: 'repeat',
    },
    { name: 'an older run', s: state({}), r: run(T0 - 24 * H, 'PARTIAL', FAIL), h: 30, want: 'duplicate' },
    { name: 'nothing reported yet', s: undefined, r: failing, h: 1, want: 'first' },
  ];
  for (const c of cases) assert.equal(decideReminder(c.s, c.r, at(c.h)), c.want, c.name);
});

test('WARNING (saved everything, but unusual) is a problem to tell, yet its data counts as fresh', () => {
  const { reasons, state } = story([
    run(T0, 'SUCCESS', OK),
    run(T0 + 24 * H, 'WARNING', OK),
    run(T0 + 48 * H, 'WARNING', OK),
    run(T0 + 72 * H, 'SUCCESS', OK),
  ]);
  assert.deepEqual(reasons, ['muted', 'first', 'repeat', 'recovered']);
  assert.equal(state!.lastSuccessAt, T0 + 72 * H);
  const mid = story([run(T0, 'SUCCESS', OK), run(T0 + 24 * H, 'WARNING', OK)]).state!;
  assert.equal(mid.lastSuccessAt, T0 + 24 * H, 'a WARNING run saved data: the plan is not stale');
  assert.equal(mid.failingSince, T0 + 24 * H, 'but it opens a problem streak');
});

test('a stored state dated a year ahead does not silence the next real failed run', () => {
  const year = 365 * 24 * H;
  const damaged = state({
    lastRunKey: `2:${T0 + year}`,
    lastOutcome: 'SUCCESS',
    mailedOutcome: 'SUCCESS',
    failingSince: null,
    lastSuccessAt: T0 + year,
    lastRealRunStart: T0 + year,
    flips: [T0 + year],
  });
  const failed = run(T0 + 24 * H, 'PARTIAL', FAIL);
  const opts = { notifyOnSuccess: false };
  assert.equal(decide(damaged, failed, opts), 'duplicate', 'the damage this guards against');
  const repaired = withoutFutureTimes(damaged, T0 + 24 * H + 600, 300)!;
  assert.equal(decide(repaired, failed, opts), 'first');
  assert.equal(repaired.lastSuccessAt, null);
  assert.deepEqual(repaired.flips, []);
  const sane = state({});
  assert.equal(withoutFutureTimes(sane, T0 + H, 300), sane, 'a sane state is kept as it is');
});
