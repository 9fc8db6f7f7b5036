// SPDX-License-Identifier: GPL-3.0-or-later
// One case per captured restic outcome (test/fixtures/restic, see capture.sh there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  classifyRepoCheck,
  lockAge,
  parseGoDuration,
  parseSnapshots,
  type RawOutcome,
} from '../../src/repocheck/classify.js';

const dir = new URL('../fixtures/restic/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, dir), 'utf8');
const exitCodes = new Map(
  fixture('exit-codes.txt')
    .trim()
    .split('\n')
    .map((l) => {
      const [n, c] = l.split(' ');
      return [n!, Number(c)] as const;
    }),
);

/** The task read-backup-snapshots would return for a captured case (NS8.md §5.5). */
function task(name: string, output: unknown = null): RawOutcome {
  return {
    exitCode: exitCodes.get(name) === 0 ? 0 : 1,
    stderr: fixture(`${name}.txt`),
    output,
    timedOut: false,
    apiError: null,
    durationMs: 10,
  };
}

const okOutput = (JSON.parse(fixture('ok-snapshots.json')) as { time: string; id: string }[]).map((s) => ({
  timestamp: Math.floor(Date.parse(s.time) / 1000),
  id: s.id,
  total_bytes: -1,
  backup_start: '',
  backup_end: '',
}));

const cases: [string, string, string][] = [
  ['wrong-password', 'wrong_password', 'REPO_WRONG_PASSWORD'],
  ['path-missing', 'missing', 'REPO_MISSING'],
  ['config-deleted', 'missing', 'REPO_MISSING'],
  ['auth-refused', 'auth', 'REPO_AUTH'],
  ['server-down', 'unreachable', 'REPO_UNREACHABLE'],
  ['config-damaged', 'corrupt', 'REPO_CORRUPT'],
  ['locked', 'locked', 'REPO_LOCKED'],
];

for (const [name, verdict, code] of cases) {
  test(`restic ${name} -> ${verdict}`, () => {
    const c = classifyRepoCheck(task(name));
    assert.equal(c.verdict, verdict);
    assert.equal(c.code, code);
  });
}

test('every captured failure exits 1 except the ones restic only warns about', () => {
  assert.deepEqual(
    [...exitCodes]
      .filter(([, c]) => c === 0)
      .map(([n]) => n)
      .sort(),
    ['datapack-deleted', 'ok', 'snapshot-damaged'],
  );
});

test('healthy: snapshots parsed, restic 0.14 has no size (-1 -> null)', () => {
  const c = classifyRepoCheck(task('ok', okOutput));
  assert.equal(c.verdict, 'healthy');
  assert.equal(c.snapshots?.length, 2);
  assert.equal(c.snapshots?.[1]?.totalBytes, null);
  assert.equal(c.retryable, false);
});

test('a damaged snapshot file: exit 0, warnings on stderr -> corrupt', () => {
  const c = classifyRepoCheck(task('snapshot-damaged', []));
  assert.equal(c.verdict, 'corrupt');
});

test('a deleted data pack is invisible to `restic snapshots` -> healthy (only restic check would see it)', () => {
  assert.equal(classifyRepoCheck(task('datapack-deleted', okOutput)).verdict, 'healthy');
});

test('locked: the age of the lock comes from restic\'s "(… ago)"', () => {
  const c = classifyRepoCheck(task('locked'));
  assert.equal(c.lockAgeSeconds, 2);
  assert.equal(c.retryable, true);
  assert.equal(lockAge('lock was created at 2026-08-09 03:04:10 (2h5m30.2s ago)'), 7530);
  assert.equal(parseGoDuration('1m0.5s'), 61);
  assert.equal(parseGoDuration('750ms'), 1);
  assert.equal(parseGoDuration('nonsense'), null);
});

test('restic >= 0.17 JSON exit line decides by code (NS8.md §5.5)', () => {
  const line = (code: number, message: string) =>
    `podman noise\n{"message_type":"exit_error","code":${code},"message":${JSON.stringify(message)}}\n`;
  const raw = (stderr: string): RawOutcome => ({
    exitCode: 1,
    stderr,
    output: '',
    timedOut: false,
    apiError: null,
    durationMs: 1,
  });
  assert.equal(
    classifyRepoCheck(raw(line(10, 'Fatal: repository does not exist: unable to open config file'))).verdict,
    'missing',
  );
  assert.equal(classifyRepoCheck(raw(line(12, 'Fatal: wrong password or no key found'))).verdict, 'wrong_password');
  const locked = classifyRepoCheck(
    raw(
      line(
        11,
        'repository is already locked by PID 7 on ns1 by root (UID 0, GID 0)\nlock was created at 2026-08-09 03:04:10 (3m0s ago)',
      ),
    ),
  );
  assert.equal(locked.verdict, 'locked');
  assert.equal(locked.lockAgeSeconds, 180);
  assert.equal(
    classifyRepoCheck(
      raw(
        line(
          1,
          'Fatal: unable to open config file: Head "http://127.0.0.1:4694/x/config": dial tcp 127.0.0.1:4694: connect: connection refused',
        ),
      ),
    ).verdict,
    'unreachable',
  );
});

test('timeouts, API refusals and agent exit codes', () => {
  const base: RawOutcome = { exitCode: null, stderr: '', output: null, timedOut: false, apiError: null, durationMs: 1 };
  assert.equal(classifyRepoCheck({ ...base, timedOut: true }).verdict, 'timeout');
  assert.deepEqual(
    [
      classifyRepoCheck({ ...base, apiError: 'API_TIMEOUT' }).verdict,
      classifyRepoCheck({ ...base, apiError: 'API_TIMEOUT' }).retryable,
    ],
    ['error', true],
    'a hung API server is not a hung destination',
  );
  assert.deepEqual(
    [
      classifyRepoCheck({ ...base, apiError: 'API_FORBIDDEN', httpStatus: 403 }).verdict,
      classifyRepoCheck({ ...base, apiError: 'API_FORBIDDEN' }).retryable,
    ],
    ['forbidden', false],
  );
  const down = classifyRepoCheck({ ...base, apiError: 'API_UNREACHABLE' });
  assert.deepEqual([down.verdict, down.code, down.retryable], ['error', 'API_UNREACHABLE', true]);
  assert.deepEqual(
    [
      classifyRepoCheck({ ...base, apiError: 'API_AUTH' }).code,
      classifyRepoCheck({ ...base, apiError: 'API_AUTH' }).retryable,
    ],
    ['API_AUTH', false],
  );
  assert.equal(classifyRepoCheck({ ...base, exitCode: 8 }).code, 'TASK_ACTION_MISSING');
  assert.equal(
    classifyRepoCheck({ ...base, exitCode: 10, output: [{ error: 'path_required' }] }).code,
    'TASK_INPUT_INVALID',
  );
  assert.equal(classifyRepoCheck({ ...base, exitCode: 0, output: 'not json' }).code, 'TASK_OUTPUT_INVALID');
  assert.equal(classifyRepoCheck({ ...base, exitCode: 1, stderr: 'something new' }).verdict, 'error');
  assert.equal(
    classifyRepoCheck({
      ...base,
      exitCode: 1,
      stderr: 'Fatal: unable to open config file: client.Head: Head "x": context deadline exceeded',
    }).verdict,
    'timeout',
  );
  assert.equal(
    classifyRepoCheck({
      ...base,
      exitCode: 1,
      stderr: 'Fatal: unable to open config file: unexpected HTTP response (502): 502 Bad Gateway',
    }).verdict,
    'unreachable',
  );
});

test('snapshot output may arrive as JSON text', () => {
  assert.equal(parseSnapshots(JSON.stringify(okOutput))?.length, 2);
  assert.equal(parseSnapshots([{ id: 'x' }]), null);
});
