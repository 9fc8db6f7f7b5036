// SPDX-License-Identifier: GPL-3.0-or-later
// Which repositories a report checks, how one check reads for this run, the overall verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectTargets, overallVerdict, toRepoCheck, maskRaw, type Target } from '../../src/repocheck/select.js';
import { pool } from '../../src/repocheck/checker.js';
import { deadline } from '../../src/repocheck/deadline.js';
import { classifyRepoCheck } from '../../src/repocheck/classify.js';
import { Secret } from '../../src/secret.js';
import type { ModuleRow } from '../../src/domain/run.js';

const row = (
  moduleId: string,
  result: ModuleRow['result'],
  repoPath = `${moduleId.replace(/\d+$/, '')}/uuid-${moduleId}`,
): ModuleRow => ({
  moduleId,
  uiName: '',
  node: 1,
  nodeName: 'ns1',
  result,
  start: 100,
  end: 200,
  totalSize: 42,
  totalFileCount: 1,
  snapshotsCount: 1,
  errors: 0,
  repoPath,
});

test('failed and not-run modules, then the first successful one as the comparison', () => {
  const t = selectTargets({
    modules: [
      row('samba1', 'success'),
      row('nextcloud1', 'failed'),
      row('webtop1', 'success'),
      row('mail1', 'not_run'),
    ],
  });
  assert.deepEqual(
    t.map((x) => [x.moduleId, x.failedInRun]),
    [
      ['nextcloud1', true],
      ['mail1', true],
      ['samba1', false],
    ],
  );
});

test('nothing failed: nothing to check; all failed: no comparison; unknown repo paths are left out', () => {
  assert.deepEqual(selectTargets({ modules: [row('samba1', 'success')] }), []);
  assert.deepEqual(
    selectTargets({ modules: [row('a1', 'failed'), row('b1', 'failed')] }).map((x) => x.failedInRun),
    [true, true],
  );
  assert.deepEqual(
    selectTargets({ modules: [row('gone1', 'failed', ''), row('b1', 'failed')] }).map((x) => x.moduleId),
    ['b1'],
  );
});

test('the overall verdict is the one to act on first', () => {
  assert.equal(overallVerdict([{ verdict: 'healthy' }, { verdict: 'locked' }]), 'locked');
  assert.equal(overallVerdict([{ verdict: 'unreachable' }, { verdict: 'skipped' }]), 'unreachable');
  assert.equal(overallVerdict([{ verdict: 'missing' }, { verdict: 'wrong_password' }]), 'wrong_password');
  assert.equal(overallVerdict([{ verdict: 'forbidden' }, { verdict: 'timeout' }]), 'forbidden');
  assert.equal(overallVerdict([{ verdict: 'skipped' }]), 'skipped');
});

const target: Target = {
  moduleId: 'nextcloud1',
  uiName: 'Cloud',
  repoPath: 'nextcloud/u',
  failedInRun: true,
  totalSize: 777,
};
const ok = (timestamps: number[], bytes = -1) =>
  classifyRepoCheck({
    exitCode: 0,
    stderr: '',
    output: timestamps.map((timestamp, i) => ({ timestamp, id: `id${i}`, total_bytes: bytes })),
    timedOut: false,
    apiError: null,
    durationMs: 5,
  });

test('latest snapshot, count, size (snapshot size when known, else the size NS8 stored), outdated flag', () => {
  const raw = { exitCode: 0, stderr: '', output: null, timedOut: false, apiError: null, durationMs: 5 };
  const old = toRepoCheck(target, ok([1000, 3000, 2000]), raw, 5000);
  assert.deepEqual([old.latestSnapshot, old.snapshotCount, old.totalBytes, old.snapshotOutdated], [3000, 3, 777, true]);
  const fresh = toRepoCheck(target, ok([4990], 123), raw, 5000);
  assert.deepEqual(
    [fresh.totalBytes, fresh.snapshotOutdated],
    [123, false],
    'within a minute of the expected run is not outdated',
  );
  assert.equal(toRepoCheck(target, ok([]), raw, 5000).snapshotOutdated, true, 'no snapshot at all is outdated');
  assert.equal(toRepoCheck(target, ok([1]), raw, null).snapshotOutdated, false, 'no expected run known');
});

test('raw messages: trimmed, credentials and known secrets masked, long ones keep their last lines', () => {
  assert.equal(maskRaw('  \n'), null);
  assert.equal(
    maskRaw('rest:http://node%2F1:pw@127.0.0.1:4694/x and token T0KEN', [new Secret('T0KEN')]),
    'rest:http://<secret>@127.0.0.1:4694/x and token <secret>',
  );
  const long = maskRaw('x'.repeat(5000) + '\nFatal: the end')!;
  assert.ok(long.length <= 4001 && long.endsWith('Fatal: the end') && long.startsWith('…'));
});

test('pool keeps order and never runs more than its limit at once', async () => {
  let running = 0;
  let peak = 0;
  const out = await pool([5, 1, 4, 2, 3], 2, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, n * 3));
    running--;
    return n * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30]);
  assert.equal(peak, 2);
});

test('deadline: fires on its own timer or with its parent, and can be cleared', async () => {
  const parent = new AbortController();
  const a = deadline(10);
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual([a.signal.aborted, a.expired()], [true, true]);
  const b = deadline(10_000, parent.signal);
  parent.abort();
  assert.deepEqual([b.signal.aborted, b.expired()], [true, false]);
  b.clear();
});
