// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #20: get-trends and get-monitor-status read the 10,000 entries of the run log with one
// regular expression (records.run_log_runs) instead of parsing each as JSON. The pattern must
// read exactly what the JSON reader (records.run_log_entry) reads: the entries the service writes
// (JSON.stringify of versioned entries), and leave any other shape to the JSON reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { versioned } from '../../src/domain/stored-record.js';
import type { RunLogEntry } from '../../src/digest/run-log.js';
import { IMAGEROOT } from '../sim/agent-runner.js';

/** [fast path's answer, the JSON reader's answer entry by entry] for the raw entries. */
function readBoth(raw: string[]): [unknown, unknown] {
  const code = `
import json, sys
from backup_monitor.records import run_log_entry, run_log_runs
raw = json.load(sys.stdin)
slow = [e for e in map(run_log_entry, raw) if e is not None]
json.dump([run_log_runs(raw), [[e['plan_id'], e['run_key'], e['outcome'], e['start']] for e in slow]], sys.stdout)
`;
  const r = spawnSync('python3', ['-c', code], {
    input: JSON.stringify(raw),
    env: { ...process.env, PYTHONPATH: path.join(IMAGEROOT, 'pypkg') },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as [unknown, unknown];
}

const entry = (p: number, t: number, o = 'SUCCESS', z: number | null = 1234, h: string | null = null): RunLogEntry => ({
  p,
  k: `${p}:${t}`,
  o,
  t,
  z,
  h,
  at: t + 300,
});
const written = (e: object) => JSON.stringify(versioned(e));
/** The same entry with the run key and the outcome written last. */
function reordered(e: RunLogEntry): string {
  const { o, k, ...rest } = e;
  return written({ ...rest, o, k });
}

test('entries as the service writes them: the pattern reads what JSON reads', () => {
  const raw = [
    written(entry(1, 1_790_000_000)),
    written(entry(12, 1_790_003_600, 'PARTIAL', null, 'unconfirmed')),
    written(entry(3, 0, 'REPO_FAILURE', 0, 'ok')),
    written(entry(1, 1_790_000_000, 'WARNING', 98_765_432_101)),
  ];
  const [fast, slow] = readBoth(raw);
  assert.equal((slow as unknown[]).length, 4);
  assert.deepEqual(fast, slow);
});

test('any other shape goes to the JSON reader, entry by entry, in order', () => {
  const raw = [
    written(entry(1, 100)),
    JSON.stringify(entry(2, 200)), // an older version's entry: no `v`
    JSON.stringify({ v: 2, ...entry(3, 300) }), // a later version: left out
    written({ ...entry(4, 400), o: 'SUC"CESS' }), // an escape in a string
    written({ ...entry(5, 500), t: 500.5 }), // a float
    JSON.stringify(versioned(entry(6, 600)), null, 1), // newlines between the keys
    written({ ...entry(7, 700), h: 'a\nb' }), // an escaped newline in a string
    written({ ...entry(8, 800), p: true }), // no plan id
    'not JSON',
    `${written(entry(9, 900))}\n${written(entry(10, 1000))}`, // two entries in one: not JSON
    reordered(entry(11, 1100)), // the keys in another order
    written(entry(12, 1200)),
  ];
  const [fast, slow] = readBoth(raw);
  assert.deepEqual(
    (slow as [number][]).map((e) => e[0]),
    [1, 2, 4, 5, 6, 7, 11, 12],
  );
  assert.deepEqual(fast, slow);
});
