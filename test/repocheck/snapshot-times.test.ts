// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #25 (times from outside are bounded), for the snapshot times `read-backup-snapshots`
// lists: a snapshot dated later than the check's own clock allows (a node's clock ahead when
// restic stamped it, milliseconds written as seconds) must never confirm a run nor make a failure
// look saved; a time that is not a number is an unreadable list; a time in the past only ever
// makes a snapshot "not this run's".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyRepoCheck, type RawOutcome } from '../../src/repocheck/classify.js';
import { toRepoCheck, type Target } from '../../src/repocheck/select.js';
import { confirmationOf } from '../../src/repocheck/confirm.js';
import { CLOCK_TOLERANCE_SECONDS } from '../../src/domain/backup.js';
import type { ModuleRow } from '../../src/domain/run.js';

const NOW = 1_786_000_000;
const YEAR_2999 = Date.UTC(2999, 0, 1) / 1000;
const target: Target = {
  moduleId: 'nextcloud1',
  uiName: '',
  repoPath: 'nextcloud/1',
  failedInRun: false,
  totalSize: 5,
};
const row = (over: Partial<ModuleRow> = {}): Pick<ModuleRow, 'result' | 'start' | 'errors' | 'snapshotsCount'> => ({
  result: 'success',
  start: NOW - 120,
  errors: 0,
  snapshotsCount: 1,
  ...over,
});

const listed = (output: unknown): RawOutcome => ({
  exitCode: 0,
  stderr: '',
  output,
  timedOut: false,
  apiError: null,
  durationMs: 5,
});

/** What the checker concludes for `row` from this list, read at NOW. */
function confirm(output: unknown, r = row(), previous: number | null = null) {
  const raw = listed(output);
  const check = toRepoCheck(target, classifyRepoCheck(raw, NOW), raw, null);
  return { check, c: confirmationOf(r, check, 3, previous) };
}

const snap = (timestamp: unknown, id = 'a1') => ({ timestamp, id, total_bytes: 100 });

test('a snapshot dated in 2999 never confirms a run whose own snapshot is not there, and says why', () => {
  const { check, c } = confirm([snap(NOW - 86400, 'old'), snap(YEAR_2999, 'future')]);
  assert.equal(check.latestSnapshot, NOW - 86400, 'the latest snapshot shown is one whose time is believed');
  assert.equal(check.snapshotCount, 2, 'it is still in the repository: counted');
  assert.equal(c.verdict, 'not_checked');
  assert.equal(c.code, 'REPO_SNAPSHOT_AHEAD');
  assert.equal(c.latestSnapshot, NOW - 86400);
});

test("milliseconds written as seconds are a time ahead of the clock, not this run's snapshot", () => {
  const { c } = confirm([snap((NOW - 60) * 1000)]);
  assert.deepEqual([c.verdict, c.code], ['not_checked', 'REPO_SNAPSHOT_AHEAD']);
});

test('a future snapshot never makes a failed run look saved (cleanup failed)', () => {
  const failed = row({ result: 'failed', errors: 1, snapshotsCount: 1 });
  const { c } = confirm([snap(NOW - 86400, 'old'), snap(YEAR_2999, 'future')], failed);
  assert.equal(c.verdict, 'not_checked');
});

test("with this run's snapshot there, a future one beside it changes nothing", () => {
  const { c } = confirm([snap(NOW - 100, 'mine'), snap(YEAR_2999, 'future')]);
  assert.equal(c.verdict, 'confirmed');
  assert.equal(c.latestSnapshot, NOW - 100);
});

test('the clock tolerance is the one of module statuses: 5 minutes ahead is believed, more is not', () => {
  assert.equal(confirm([snap(NOW + CLOCK_TOLERANCE_SECONDS)]).c.verdict, 'confirmed');
  assert.equal(confirm([snap(NOW + CLOCK_TOLERANCE_SECONDS + 1)]).c.verdict, 'not_checked');
});

test('a loss of snapshots is still seen while a future snapshot sits in the repository', () => {
  const { c } = confirm([snap(YEAR_2999, 'future')], row(), 3);
  assert.equal(c.verdict, 'not_checked');
  assert.deepEqual(c.loss, { before: 3, after: 1, retention: 3 });
});

test('a snapshot dated 1970 is only "not this run\'s": unconfirmed, never confirmed', () => {
  const { check, c } = confirm([snap(0, 'epoch'), snap(1, 'epoch2')]);
  assert.equal(check.verdict, 'healthy');
  assert.equal(c.verdict, 'unconfirmed');
});

test('times that are not unix seconds make the list unreadable: nothing is concluded', () => {
  const cases: unknown[] = [
    [snap('2026-12-06T03:00:01.123456789+01:00')], // restic's own time, nanoseconds and a zone
    [snap('1786000000')],
    [snap(null)],
    '[{"timestamp": NaN, "id": "a"}]', // Python's json.dumps of a float NaN
    '[{"timestamp": 1e400, "id": "a"}]', // Infinity once parsed
  ];
  for (const output of cases) {
    const { check, c } = confirm(output);
    assert.equal(check.code, 'TASK_OUTPUT_INVALID', JSON.stringify(output));
    assert.equal(c.verdict, 'not_checked', JSON.stringify(output));
  }
});
