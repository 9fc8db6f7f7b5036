// SPDX-License-Identifier: GPL-3.0-or-later
// Who the digest is mailed to (issue #25 item 11): one mail per mailbox, as for run reports, when
// MAIL_TO lists a mailbox twice in another case (the service accepts such an environment: an
// older configure-module wrote it).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Digester, type DigestStore } from '../../src/digest/digester.js';
import type { DigestRecord } from '../../src/digest/schedule.js';
import type { StoredDigest } from '../../src/domain/records.js';
import { memoryLogger } from '../../src/log.js';

/** The digest's records in memory: what was queued, and the record between ticks. */
function memoryStore() {
  let record: DigestRecord | null = null;
  const queued: StoredDigest[] = [];
  const store: DigestStore = {
    loadRecord: async () => record,
    saveRecord: async (rec) => {
      record = rec;
    },
    planStates: async () => new Map(),
    runLog: async () => [],
    queue: async (mail, rec, isQueued) => {
      record = rec;
      if (isQueued) queued.push(mail);
    },
  };
  return { store, queued };
}

async function digestTo(to: string[]): Promise<StoredDigest[]> {
  const { store, queued } = memoryStore();
  let now = Date.parse('2026-06-10T05:00:00Z');
  const d = new Digester({
    digest: { frequency: 'daily', weekday: 'mon', time: '08:00' },
    notify: { defaultPolicy: 'problems', plans: new Map() },
    mail: { to, language: 'en', subjectPrefix: '[NS8 Backup]' },
    timeZone: 'Europe/Rome',
    moduleId: 'backup-monitor1',
    readPlans: async () => [],
    readApps: async () => [],
    store,
    clock: { now: () => now },
    log: memoryLogger(),
    onQueued: () => undefined,
  });
  await d.tick(); // arms the schedule at 07:00 local
  now = Date.parse('2026-06-11T06:00:30Z'); // the next day's 08:00 local has passed
  await d.tick();
  return queued;
}

describe('digest recipients', () => {
  it('one mailbox listed in two cases gets one digest, first spelling kept', async () => {
    const q = await digestTo(['Ops@Example.org', 'admin@example.org', 'ops@example.org', 'ADMIN@EXAMPLE.ORG']);
    assert.equal(q.length, 1, 'one digest is queued');
    assert.deepEqual(q[0]!.delivery.recipients, ['Ops@Example.org', 'admin@example.org']);
  });

  it('distinct mailboxes are all kept', async () => {
    const q = await digestTo(['ops@example.org', 'ops+digest@example.org']);
    assert.deepEqual(q[0]!.delivery.recipients, ['ops@example.org', 'ops+digest@example.org']);
  });
});
