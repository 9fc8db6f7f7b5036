// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #23: each application's claim against the snapshots at its destination (pure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmationOf, rowsToConfirm, withConfirmations } from '../../src/repocheck/confirm.js';
import type { ModuleRow, RunReport } from '../../src/domain/run.js';
import type { Confirmation } from '../../src/domain/destination.js';

const START = 1_786_000_000;
const row = (id: string, over: Partial<ModuleRow> = {}): ModuleRow => ({
  moduleId: id,
  uiName: '',
  node: 1,
  nodeName: 'ns1',
  result: 'success',
  start: START,
  end: START + 100,
  totalSize: 10,
  totalFileCount: 1,
  snapshotsCount: 1,
  errors: 0,
  repoPath: `app/${id}`,
  ...over,
});
const seen = (latest: number | null, count: number, verdict: 'healthy' | 'missing' | 'timeout' = 'healthy') => ({
  verdict,
  latestSnapshot: latest,
  snapshotCount: verdict === 'timeout' ? null : count,
  code: verdict === 'timeout' ? 'REPO_TIMEOUT' : 'REPO_OK',
});

test('a success with a snapshot newer than its start is confirmed; without one it is unconfirmed', () => {
  assert.equal(confirmationOf(row('a'), seen(START + 5, 3), 3, null).verdict, 'confirmed');
  assert.equal(confirmationOf(row('a'), seen(START - 86400, 3), 3, null).verdict, 'unconfirmed');
  assert.equal(confirmationOf(row('a'), seen(null, 0, 'missing'), 3, null).verdict, 'unconfirmed');
});

test('a failure with one error, its stats read and a new snapshot is a failed cleanup; otherwise not saved', () => {
  const failed = row('a', { result: 'failed', errors: 1 });
  assert.equal(confirmationOf(failed, seen(START + 5, 4), 3, null).verdict, 'cleanup_failed');
  assert.equal(confirmationOf(failed, seen(START - 86400, 3), 3, null).verdict, 'not_saved');
  // Stats failed too (snapshots_count 0) or two errors: module-backup failed, not only the cleanup.
  assert.equal(confirmationOf({ ...failed, errors: 2 }, seen(START + 5, 4), 3, null).verdict, 'not_saved');
  assert.equal(confirmationOf({ ...failed, snapshotsCount: 0 }, seen(START + 5, 4), 3, null).verdict, 'not_saved');
});

test('an unreadable repository concludes nothing and says why', () => {
  const c = confirmationOf(row('a'), seen(null, 0, 'timeout'), 3, 5);
  assert.deepEqual([c.verdict, c.code, c.loss], ['not_checked', 'REPO_TIMEOUT', undefined]);
});

test('a count below what retention explains is a loss with the numbers; pruning down to retention is not', () => {
  assert.deepEqual(confirmationOf(row('a'), seen(START + 5, 2), 7, 7).loss, { before: 7, after: 2, retention: 7 });
  assert.equal(confirmationOf(row('a'), seen(START + 5, 3), 3, 10).loss, undefined);
  assert.equal(confirmationOf(row('a'), seen(START + 5, 4), 7, 3).loss, undefined);
});

const run = (modules: ModuleRow[]): RunReport => ({
  runKey: `1:${START}`,
  planId: 1,
  planName: 'P',
  destinationId: 'd',
  destinationName: 'NAS share',
  outcome: modules.every((m) => m.result === 'success') ? 'SUCCESS' : 'PARTIAL',
  start: START,
  end: START + 100,
  nodes: [],
  modules,
  triggers: [],
});
const c = (verdict: Confirmation['verdict'], extra: Partial<Confirmation> = {}): Confirmation => ({
  verdict,
  since: START,
  latestSnapshot: START + 5,
  snapshotCount: 3,
  retention: 3,
  ...extra,
});

test('an unconfirmed success is not saved: the run is no longer a success', () => {
  const r = withConfirmations(
    run([row('a'), row('b')]),
    new Map([
      ['a', c('unconfirmed')],
      ['b', c('confirmed')],
    ]),
  );
  assert.equal(r.outcome, 'PARTIAL');
  assert.deepEqual(
    r.modules.map((m) => [m.result, m.confirmation?.verdict]),
    [
      ['failed', 'unconfirmed'],
      ['success', 'confirmed'],
    ],
  );
});

test('a failed cleanup is saved with a warning; a loss warns', () => {
  const r = withConfirmations(
    run([row('a', { result: 'failed', errors: 1 }), row('b')]),
    new Map([
      ['a', c('cleanup_failed', { snapshotCount: 4 })],
      ['b', c('confirmed', { loss: { before: 7, after: 2, retention: 3 } })],
    ]),
  );
  assert.equal(r.outcome, 'WARNING');
  assert.deepEqual(r.modules[0]!.anomalies, [{ kind: 'cleanup_failed', value: 4, median: 3 }]);
  assert.deepEqual(r.modules[1]!.anomalies, [{ kind: 'snapshots_deleted', value: 2, median: 7 }]);
  // Confirmed again (an update): the same anomalies, not doubled.
  assert.deepEqual(
    withConfirmations(r, new Map([['b', c('confirmed', { loss: { before: 7, after: 2, retention: 3 } })]])).modules[1]!
      .anomalies?.length,
    1,
  );
});

test('DESTINATION_VERIFY: all = every application that ran, failures = the failed ones, off = none', () => {
  const r = run([row('a'), row('b', { result: 'failed', errors: 1 }), row('c', { result: 'not_run', start: null })]);
  assert.deepEqual(
    rowsToConfirm(r, 'all').map((m) => m.moduleId),
    ['a', 'b'],
  );
  assert.deepEqual(
    rowsToConfirm(r, 'failures').map((m) => m.moduleId),
    ['b'],
  );
  assert.deepEqual(rowsToConfirm(r, 'off'), []);
});
