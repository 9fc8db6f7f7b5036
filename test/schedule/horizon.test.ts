// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #23 item 3: after a suspicious run, the (retention - 1)-th scheduled run removes the last
// snapshot taken before it. Dates are checked against calendar arithmetic done here by hand.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunReport } from '../../src/domain/run.js';
import { restoreHorizon, withRestoreHorizon } from '../../src/schedule/horizon.js';
import { RUNS, T } from '../report/fixtures.js';

const utc = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h, mi) / 1000;

describe('restore horizon', () => {
  it('daily at 01:30 UTC, keep 7: the 6th night after the run, 5 runs left', () => {
    const start = utc(2026, 8, 10, 1, 30) + 7; // the run began seconds after its trigger
    assert.deepEqual(restoreHorizon(start, '*-*-* 01:30:00', 7, 'UTC'), {
      runsLeft: 5,
      prunedAt: utc(2026, 8, 10, 1, 30) + 6 * 86_400,
      gone: false,
    });
  });

  it('weekly on Sunday 03:00 in Rome, keep 4: the third Sunday after, in summer time (UTC+2)', () => {
    // 2026-08-09 is a Sunday; the 3rd Sunday after it is 2026-08-30, 03:00 CEST = 01:00 UTC.
    const h = restoreHorizon(utc(2026, 8, 9, 1, 0) + 30, 'Sun *-*-* 03:00:00', 4, 'Europe/Rome');
    assert.equal(new Date(utc(2026, 8, 9, 0) * 1000).getUTCDay(), 0, 'a Sunday');
    assert.deepEqual(h, { runsLeft: 2, prunedAt: utc(2026, 8, 30, 1, 0), gone: false });
  });

  it('across the end of summer time: daily 02:30 in Rome, keep 3 from 2026-10-24', () => {
    // 2026-10-25 is the switch to CET: 02:30 on the 26th is 01:30 UTC (it was 00:30 UTC before).
    const h = restoreHorizon(utc(2026, 10, 24, 0, 30) + 5, '*-*-* 02:30:00', 3, 'Europe/Rome');
    assert.deepEqual(h, { runsLeft: 1, prunedAt: utc(2026, 10, 26, 1, 30), gone: false });
  });

  it('a manual run in the afternoon: the first scheduled run counts as the next one', () => {
    const h = restoreHorizon(utc(2026, 8, 10, 14, 0), '*-*-* 01:30:00', 2, 'UTC');
    assert.deepEqual(h, { runsLeft: 0, prunedAt: utc(2026, 8, 11, 1, 30), gone: false });
  });

  it('keep 1: nothing older is left; an unreadable schedule: no date is guessed', () => {
    assert.deepEqual(restoreHorizon(utc(2026, 8, 10, 1), '*-*-* 01:00:00', 1, 'UTC'), {
      runsLeft: 0,
      prunedAt: null,
      gone: true,
    });
    assert.equal(restoreHorizon(utc(2026, 8, 10, 1), 'every full moon', 7, 'UTC'), null);
  });
});

describe('restore horizon of a shared repository (issue #23 item 2)', () => {
  // Weekly on Sunday 03:00 in Rome; T is Sunday 2026-08-09 03:00 CEST, no DST change in August.
  const WEEK = 7 * 86_400;
  const run = (over: Partial<RunReport>): RunReport =>
    withRestoreHorizon({ ...RUNS.warning!, schedule: 'Sun *-*-* 03:00:00', retention: 10, ...over }, 'Europe/Rome');
  const conflict = (application: string, effectiveRetention: number) => ({
    application,
    otherPlanId: 9,
    otherPlanName: 'Nightly',
    effectiveRetention,
  });

  it('a suspicious application also pruned by a plan keeping 3: the horizon of keep 3, not of the plan own 10', () => {
    const h = run({ retentionConflicts: [conflict('nextcloud1', 3)] }).restoreHorizon;
    assert.deepEqual(h, { runsLeft: 1, prunedAt: T + 2 * WEEK, gone: false });
    assert.deepEqual(run({}).restoreHorizon, { runsLeft: 8, prunedAt: T + 9 * WEEK, gone: false });
  });

  it('a shared repository of an application that is not suspicious leaves the horizon to the plan', () => {
    const h = run({ retentionConflicts: [conflict('mail1', 2)] }).restoreHorizon;
    assert.deepEqual(h, { runsLeft: 8, prunedAt: T + 9 * WEEK, gone: false });
  });
});
