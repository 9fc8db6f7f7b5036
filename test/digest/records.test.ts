// SPDX-License-Identifier: GPL-3.0-or-later
// The digest's stored records (issue #20): the run log entries and the digest record carry v: 1,
// the previous version's are read, and a damaged one is left out with one log line, never a throw
// that stops the digest. Guards alone, then against a real redis-server with NS8's ACLs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIGEST_RECORD, redisDigestStore } from '../../src/digest/digester.js';
import { createRunLog, RUN_LOG_ENTRY, type RunLogEntry } from '../../src/digest/run-log.js';
import type { DigestRecord } from '../../src/digest/schedule.js';
import { moduleKeys, type PlanState } from '../../src/domain/records.js';
import type { Redis } from '../../src/ns8/redis.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { useRedisPair } from '../helpers/redis-pair.js';
import { guardCases } from '../domain/guard-cases.js';

const ENTRY: RunLogEntry = {
  p: 2,
  k: '2:1786237201',
  o: 'PARTIAL',
  t: 1786237201,
  z: 148307889420,
  h: 'ok',
  at: 1786238420,
};
const RECORD: DigestRecord = {
  schedule: '*-*-* 08:00:00',
  armedAt: 1786000000,
  lastSlot: 1786168800,
  lastSentAt: 1786168800,
  lastId: 'd-1',
};

describe('RUN_LOG_ENTRY guard', () => {
  guardCases(RUN_LOG_ENTRY, ENTRY, [
    { ...ENTRY, p: '2' },
    { ...ENTRY, k: null },
    { ...ENTRY, o: undefined },
    { ...ENTRY, at: 'now' },
    { ...ENTRY, z: '1 GB' },
    { ...ENTRY, h: 0 },
  ]);
  describe('no size and no destination check', () =>
    guardCases(RUN_LOG_ENTRY, { ...ENTRY, z: null, h: null }, [{ t: 1 }]));
});

describe('DIGEST_RECORD guard', () => {
  guardCases(DIGEST_RECORD, RECORD, [
    { ...RECORD, schedule: 5 },
    { ...RECORD, armedAt: null },
    { ...RECORD, lastSlot: 'monday' },
    { ...RECORD, lastId: 7 },
  ]);
  describe('armed, never sent', () =>
    guardCases(DIGEST_RECORD, { ...RECORD, lastSlot: null, lastSentAt: null, lastId: null }, [{}]));
});

describe('the digest store on Redis', () => {
  const K = moduleKeys(MODULE_ID);
  let writer: Redis;
  let admin: Redis;
  let lines: string[];
  const store = () => redisDigestStore(writer, MODULE_ID, (_m, f) => lines.push(`${f.key}: ${f.problem}`));

  useRedisPair(
    (p) => {
      writer = p.writer;
      admin = p.admin;
    },
    () => {
      lines = [];
    },
  );

  it('writes the digest record with v: 1 and reads it back', async () => {
    await store().saveRecord(RECORD);
    assert.equal(JSON.parse((await admin.get(K.digest))!).v, 1);
    assert.deepEqual(await store().loadRecord(), { v: 1, ...RECORD });
    assert.deepEqual(lines, []);
  });

  it('appends run log entries with v: 1', async () => {
    await createRunLog(writer, K.runLog).append(ENTRY);
    assert.deepEqual(
      (await admin.lRange(K.runLog, 0, -1)).map((r) => JSON.parse(r)),
      [{ v: 1, ...ENTRY }],
    );
  });

  it("reads the previous version's digest record and run log (no v)", async () => {
    await admin.set(K.digest, JSON.stringify(RECORD));
    await admin.lPush(K.runLog, JSON.stringify(ENTRY));
    assert.deepEqual(await store().loadRecord(), RECORD);
    assert.deepEqual(await store().runLog(), [ENTRY]);
    assert.deepEqual(lines, []);
  });

  it('a damaged digest record reads as none (the digest is armed again), with one log line', async () => {
    await admin.set(K.digest, '{"schedule":"*-*-* 08:00:00","arm');
    assert.equal(await store().loadRecord(), null);
    assert.deepEqual(lines, [`${K.digest}: not JSON (truncated or damaged)`]);
  });

  it('the run log keeps its good entries around a damaged one', async () => {
    await admin.rPush(K.runLog, [
      JSON.stringify({ v: 1, ...ENTRY }),
      '{"p":3,"k":',
      JSON.stringify({ ...ENTRY, p: 'x' }),
      JSON.stringify(ENTRY),
    ]);
    assert.deepEqual(await store().runLog(), [{ v: 1, ...ENTRY }, ENTRY]);
    assert.deepEqual(lines, [
      `${K.runLog} 1: not JSON (truncated or damaged)`,
      `${K.runLog} 2: no plan, run or outcome`,
    ]);
  });

  it('plan states the digest cannot use are left out, the others read', async () => {
    const state: PlanState = {
      planId: 2,
      planName: 'Weekly SMB',
      lastRunKey: '2:1',
      lastOutcome: 'SUCCESS',
      lastDigest: '',
      lastReportId: 'r',
      lastNotifiedAt: 0,
      failingSince: null,
      lastSuccessAt: 1,
    };
    await admin.hSet(K.plans, {
      '2': JSON.stringify(state),
      '3': '[]',
      '4': JSON.stringify({ ...state, planId: 4, v: 2 }),
    });
    assert.deepEqual([...(await store().planStates()).keys()], [2]);
    assert.deepEqual(lines.sort(), [
      `${K.plans} 3: not a JSON object`,
      `${K.plans} 4: version 2 is not one this version reads`,
    ]);
  });
});
