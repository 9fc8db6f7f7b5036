// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #20: get-monitor-status needs the applications of one run of each plan's recent runs
// (module/<id>/runs: 12 runs x every application) and the outcomes of all. records.run_summaries
// with `modules_of` finds the runs by their heads as the service writes them (summarize) and
// decodes only the runs wanted. It must answer exactly what decoding the whole field answers, and
// leave any other shape to the JSON reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { ModuleRow, Outcome, RunReport } from '../../src/domain/run.js';
import { summarize } from '../../src/trends/anomaly.js';
import { IMAGEROOT } from '../sim/agent-runner.js';

/** [run_summaries(raw, keys), the whole field decoded then read] for one raw field. */
function readBoth(raw: string, keys: string[]): [unknown, unknown, unknown] {
  const code = `
import json, sys
from backup_monitor import records
raw, keys = json.load(sys.stdin)
value = records.loads(raw, [])
slow = records._summaries(value if isinstance(value, list) else [], set(keys))
json.dump([records.run_summaries(raw, set(keys)), slow, records._summaries_by_heads(raw, set(keys))], sys.stdout)
`;
  const r = spawnSync('python3', ['-c', code], {
    input: JSON.stringify([raw, keys]),
    env: { ...process.env, PYTHONPATH: path.join(IMAGEROOT, 'pypkg') },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as [unknown, unknown, unknown];
}

const T0 = 1_786_237_200;
const row = (id: string, result: ModuleRow['result'], start: number): ModuleRow => ({
  moduleId: id,
  uiName: `App ${id}`,
  node: 1,
  nodeName: 'ns1',
  result,
  start,
  end: result === 'success' ? start + 120 : null,
  totalSize: result === 'success' ? 5_000_000 : null,
  totalFileCount: 10,
  snapshotsCount: 3,
  errors: result === 'success' ? 0 : 1,
  repoPath: `${id}/u`,
});
const run = (hour: number, outcome: Outcome, failing = ''): RunReport => ({
  runKey: `2:${T0 + hour * 3600}`,
  planId: 2,
  planName: 'P',
  destinationId: 'd',
  destinationName: 'D',
  outcome,
  start: T0 + hour * 3600,
  end: T0 + hour * 3600 + 300,
  nodes: [{ id: 1, name: 'ns1' }],
  triggers: [],
  modules: ['nextcloud1', 'mail1', 'samba1'].map((id) =>
    row(id, id === failing ? 'failed' : 'success', T0 + hour * 3600),
  ),
});
/** A plan's recent runs as the service stores them: newest first. */
const field = (runs: RunReport[]) => JSON.stringify(runs.map(summarize).reverse());
const runs = [run(0, 'SUCCESS'), run(1, 'PARTIAL', 'mail1'), run(2, 'WARNING'), run(3, 'SUCCESS')];

test('the runs as the service writes them: the heads read what the JSON reader reads', () => {
  for (const keys of [[runs[1]!.runKey], [runs[3]!.runKey, runs[0]!.runKey], [], ['2:1']]) {
    const [fast, slow, heads] = readBoth(field(runs), keys);
    assert.notEqual(heads, null, 'read by the heads, not decoded whole');
    assert.deepEqual(fast, slow, keys.join());
  }
  const [fast] = readBoth(field(runs), [runs[1]!.runKey]) as unknown as [
    { run_key: string; modules: { result: string }[] }[],
  ];
  assert.deepEqual(
    fast.map((r) => [r.run_key, r.modules.map((m) => m.result)]),
    [
      [runs[3]!.runKey, []],
      [runs[2]!.runKey, []],
      [runs[1]!.runKey, ['success', 'failed', 'success']],
      [runs[0]!.runKey, []],
    ],
  );
});

test('any other shape goes to the JSON reader, with the same answer', () => {
  const stored = runs.map(summarize).reverse() as unknown as Record<string, unknown>[];
  const older = JSON.stringify(stored.map(({ v: _v, ...rest }) => rest)); // no version: v1
  const later = JSON.stringify([{ ...stored[0], v: 2 }, ...stored.slice(1)]); // a version it does not know
  const escaped = JSON.stringify([{ ...stored[0], runKey: '2:"x"' }, ...stored.slice(1)]);
  const reordered = JSON.stringify(stored.map(({ outcome, ...rest }) => ({ ...rest, outcome })));
  const floatStart = field(runs).replace(`"start":${T0 + 3 * 3600},"outcome"`, `"start":${T0 + 3 * 3600}.0,"outcome"`);
  const nested = JSON.stringify([{ ...stored[0], modules: [{ id: 'x', result: 'success', runKey: 'y' }] }]);
  const keys = [runs[3]!.runKey, runs[1]!.runKey, '2:"x"'];
  for (const raw of [older, later, escaped, reordered, floatStart, nested]) {
    const [fast, slow, heads] = readBoth(raw, keys);
    assert.equal(heads, null, `not by the heads: ${raw.slice(0, 60)}`);
    assert.deepEqual(fast, slow, raw.slice(0, 60));
  }
  for (const raw of ['[]', '[1, "x", null]', '{"runKey": 1}', 'not json']) {
    const [fast, slow] = readBoth(raw, keys);
    assert.deepEqual(fast, slow, raw);
  }
});
