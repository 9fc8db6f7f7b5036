// SPDX-License-Identifier: GPL-3.0-or-later
// A run decided in the very second a digest is made is counted in exactly one digest (issue #25,
// "Tests that would let a real bug through"): the run log and the digest both use whole unix
// seconds, so `at === to` of one digest and `at === from` of the next is the common case, not a
// corner. Two consecutive daily digests through the Digester, the run log written around them as
// the pipeline does (before or after the digest reads it, in the same second).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Digester, type DigestStore } from '../../src/digest/digester.js';
import type { RunLogEntry } from '../../src/digest/run-log.js';
import type { DigestRecord } from '../../src/digest/schedule.js';
import type { PlanSnapshot } from '../../src/domain/backup.js';
import type { StoredDigest } from '../../src/domain/records.js';
import { memoryLogger } from '../../src/log.js';

const PLAN: PlanSnapshot = {
  plan: {
    id: 1,
    name: 'Nightly',
    repository: 'r',
    schedule: '*-*-* 01:00:00',
    retention: 3,
    instances: ['mail1'],
    enabled: true,
  },
  destination: null,
  modules: [{ id: 'mail1', uiName: '', node: 1, uuid: '', image: 'mail' }],
  statuses: new Map(),
  nodeNames: new Map(),
};

const SLOT1_MS = Date.parse('2026-06-11T06:00:00Z'); // 08:00 in Rome
const SLOT2_MS = Date.parse('2026-06-12T06:00:00Z');
const success = (runStart: number, atS: number): RunLogEntry => ({
  p: 1,
  k: `1:${runStart}`,
  o: 'SUCCESS',
  t: runStart,
  z: null,
  h: null,
  at: atS,
});

/**
 * Two digests, the first made exactly at SLOT1. `beforeRead` / `afterQueued` are appended to the
 * run log just before the first digest reads it and just after it is queued (same second).
 * Returns the runs saved as each digest counts them.
 */
async function twoDigests(beforeRead: RunLogEntry[], afterQueued: RunLogEntry[]): Promise<number[]> {
  let record: DigestRecord | null = null;
  const runLog: RunLogEntry[] = [];
  const queued: StoredDigest[] = [];
  let now = Date.parse('2026-06-10T05:00:00Z');
  let pendingBeforeRead = beforeRead;
  const store: DigestStore = {
    loadRecord: async () => record,
    saveRecord: async (rec) => {
      record = rec;
    },
    planStates: async () => new Map(),
    runLog: async () => {
      runLog.push(...pendingBeforeRead);
      pendingBeforeRead = [];
      return [...runLog];
    },
    queue: async (mail, rec) => {
      record = rec;
      queued.push(mail);
    },
  };
  const d = new Digester({
    digest: { frequency: 'daily', weekday: 'mon', time: '08:00' },
    notify: { defaultPolicy: 'always', plans: new Map() },
    mail: { to: ['admin@example.org'], language: 'en', subjectPrefix: '' },
    timeZone: 'Europe/Rome',
    moduleId: 'backup-monitor1',
    readPlans: async () => [PLAN],
    readApps: async () => [],
    store,
    clock: { now: () => now },
    log: memoryLogger(),
    onQueued: () => undefined,
  });
  assert.equal((await d.tick()).kind, 'arm');
  now = SLOT1_MS + 400; // the digest tick, 400 ms into its slot's second
  assert.equal((await d.tick()).kind, 'send');
  runLog.push(...afterQueued);
  now = SLOT2_MS + 400;
  assert.equal((await d.tick()).kind, 'send');
  assert.equal(queued.length, 2);
  return queued.map((m) => Number(/(\d+) runs saved/.exec(m.text)?.[1]));
}

describe('a run decided in the second the digest is made', () => {
  const atSlot1 = SLOT1_MS / 1000;

  it('decided just before the digest reads the run log: counted in one digest only', async () => {
    const saved = await twoDigests([success(100, atSlot1)], []);
    assert.equal(saved[0]! + saved[1]!, 1, `counted once in all, not ${JSON.stringify(saved)}`);
  });

  it('decided just after the digest was made: counted in the next digest, not lost', async () => {
    const saved = await twoDigests([], [success(200, atSlot1)]);
    assert.deepEqual(saved, [0, 1]);
  });

  it('runs on either side of the boundary second: each counted once, in its own period', async () => {
    const saved = await twoDigests([success(300, atSlot1 - 1)], [success(400, atSlot1 + 1)]);
    assert.deepEqual(saved, [1, 1]);
  });
});
