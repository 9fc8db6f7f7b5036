// SPDX-License-Identifier: GPL-3.0-or-later
// The per-plan run history `module/<id>/runs` (issue #20): every run is written with v: 1; runs an
// older version kept (no v) are read; a damaged history or a run of another version is left out
// with one log line, and the next run starts the history again. Real redis-server, module user.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { moduleKeys } from '../../src/domain/records.js';
import type { RunReport } from '../../src/domain/run.js';
import type { Redis } from '../../src/ns8/redis.js';
import { summarize } from '../../src/trends/anomaly.js';
import { createRunHistory } from '../../src/trends/history.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { useRedisPair } from '../helpers/redis-pair.js';
import { RUN_PLAN2 } from '../imageroot/fixtures.js';

const KEY = moduleKeys(MODULE_ID).runs;
let writer: Redis;
let admin: Redis;
let lines: string[];
const history = () => createRunHistory(writer, MODULE_ID, (_m, f) => lines.push(`${f.key}: ${f.problem}`));
const runAt = (start: number): RunReport => ({ ...RUN_PLAN2, runKey: `2:${start}`, start, end: start + 60 });
/** A run as the previous version kept it: no v. */
const old = (start: number) => {
  const { v: _v, ...rest } = summarize(runAt(start));
  return rest;
};

useRedisPair(
  (p) => {
    writer = p.writer;
    admin = p.admin;
  },
  () => {
    lines = [];
  },
);

it('writes every run with v: 1, and keeps the runs an older version kept', async () => {
  await admin.hSet(KEY, '2', JSON.stringify([old(1000)]));
  assert.deepEqual(
    (await history().load(2)).map((r) => r.runKey),
    ['2:1000'],
  );
  await history().record(runAt(2000));
  const stored = JSON.parse((await admin.hGet(KEY, '2'))!) as { v?: number; runKey: string }[];
  assert.deepEqual(
    stored.map((r) => [r.v, r.runKey]),
    [
      [1, '2:2000'],
      [1, '2:1000'],
    ],
  );
  assert.deepEqual(lines, []);
});

it('a damaged history reads as empty with one log line; the next run starts it again', async () => {
  await admin.hSet(KEY, '2', JSON.stringify([old(1000)]).slice(0, 40));
  assert.deepEqual(await history().load(2), []);
  assert.deepEqual(lines, [`${KEY} 2: not JSON (truncated or damaged)`]);
  await history().record(runAt(2000));
  assert.deepEqual(
    (await history().load(2)).map((r) => r.runKey),
    ['2:2000'],
  );
});

it('a run of another version or shape is left out, the others kept, with one log line', async () => {
  await admin.hSet(KEY, '2', JSON.stringify([{ ...old(3000), v: 2 }, old(2000), { ...old(1000), modules: 'x' }]));
  assert.deepEqual(
    (await history().load(2)).map((r) => r.runKey),
    ['2:2000'],
  );
  assert.deepEqual(lines, [`${KEY} 2: 2 of 3 runs of the wrong shape`]);
});

it('a value that is not a list is left out', async () => {
  await admin.hSet(KEY, '2', JSON.stringify({ runKey: '2:1' }));
  assert.deepEqual(await history().load(2), []);
  assert.deepEqual(lines, [`${KEY} 2: not a JSON list`]);
});
