// SPDX-License-Identifier: GPL-3.0-or-later
// The watchdog's records in `module/<id>/watchdog` (issue #20): written with v: 1, the previous
// version's read, a damaged one left out (the watchdog rebuilds it as for a plan first seen) with
// one log line. Real redis-server with NS8's ACLs.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { moduleKeys, type WatchRecord } from '../../src/domain/records.js';
import type { Redis } from '../../src/ns8/redis.js';
import { redisWatchStore } from '../../src/triggers/missed-runs.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { useRedisPair } from '../helpers/redis-pair.js';

const KEY = moduleKeys(MODULE_ID).watchdog;
const REC: WatchRecord = {
  schedule: '*-*-* 01:30:00',
  enabled: true,
  firstSeen: 1786000000,
  reported: null,
  nextRunAt: null,
};
let writer: Redis;
let admin: Redis;
let lines: string[];
const store = () => redisWatchStore(writer, KEY, (_m, f) => lines.push(`${f.key}: ${f.problem}`));

useRedisPair(
  (p) => {
    writer = p.writer;
    admin = p.admin;
  },
  () => {
    lines = [];
  },
);

it('saves a record with v: 1, whatever it was read with', async () => {
  await store().save(1, { ...REC, v: 7 } as WatchRecord);
  assert.equal(await admin.hGet(KEY, '1'), JSON.stringify({ v: 1, ...REC }));
});

it("reads the previous version's records (no v) and leaves out what it cannot use", async () => {
  await admin.hSet(KEY, {
    '1': JSON.stringify(REC),
    '2': JSON.stringify({ v: 1, ...REC, reported: 1786100000 }),
    '3': '{"schedule":"*-*-* 01:30:00","ena',
    '4': JSON.stringify({ ...REC, enabled: 'true' }),
  });
  const got = await store().load();
  assert.deepEqual([...got.keys()].sort(), [1, 2]);
  assert.deepEqual(got.get(1), REC);
  assert.equal(got.get(2)!.reported, 1786100000);
  assert.deepEqual(lines.sort(), [
    `${KEY} 3: not JSON (truncated or damaged)`,
    `${KEY} 4: no schedule or enabled flag`,
  ]);
});
